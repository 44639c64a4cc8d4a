/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reverse query behind a case group: everyone holding a case, and their supervisors up the chain. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "ntk_assignment.h"
#include "ntk_err.h"
#include "ntk_strset.h"
#include "ldap_filter.h"
#include "dir_session.h"
#include "log.h"

struct people {
	struct ntkd_person *v;
	size_t n;
	size_t cap;
};

static void
person_clear(struct ntkd_person *p)
{
	size_t i;

	free(p->uid);
	free(p->dn);
	ntk_strv_free(p->roles, p->nroles);
	for (i = 0; i < p->nassignments; i++)
		ntk_assignment_clear(&p->assignments[i]);
	free(p->assignments);
	memset(p, 0, sizeof(*p));
}

void
ntkd_person_free_array(struct ntkd_person *people, size_t n)
{
	size_t i;

	if (people == NULL)
		return;
	for (i = 0; i < n; i++)
		person_clear(&people[i]);
	free(people);
}

/* Append a person built from an entry; takes uid, dn and the assignments. */
static int
people_push(struct people *pl, char *uid, char *dn, struct ntk_strlist *roles, struct ntkd_dir_alist *al, unsigned depth)
{
	struct ntkd_person *nv, *p;
	size_t ncap;

	if (pl->n == pl->cap) {
		ncap = pl->cap ? pl->cap * 2 : 8;
		if ((nv = realloc(pl->v, ncap * sizeof(*nv))) == NULL) {
			free(uid);
			free(dn);
			return NTK_ERR_NOMEM;
		}
		pl->v = nv;
		pl->cap = ncap;
	}
	p = &pl->v[pl->n++];
	memset(p, 0, sizeof(*p));
	p->uid = uid;
	p->dn = dn;
	p->roles = roles->v;
	p->nroles = roles->n;
	memset(roles, 0, sizeof(*roles));
	if (al != NULL) {
		p->assignments = al->v;
		p->nassignments = al->n;
		memset(al, 0, sizeof(*al));
	}
	p->depth = depth;
	return 0;
}

struct people_ctx {
	const char *case_id;    /* holders: the case; supervisors: NULL */
	unsigned depth;
	struct people *pl;
	struct ntk_strset *listed;  /* this list's DNs (as the server returns them) */
	struct ntk_strset *above;   /* supervisors' DNs: not asked for again */
	struct ntk_strset *queued;  /* manager DNs asked for (as manager values name them) */
	struct ntk_strlist *managers;  /* the next level up */
	size_t count;
	bool cut;
};

static int
people_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	const struct ntk_config *cf = d->config;
	struct people_ctx *ctx = arg;
	struct ntkd_dir_alist al = { 0 };
	struct ntk_strlist roles = { 0 }, mgr = { 0 };
	char *uid = NULL, *pdn = NULL;
	size_t i;
	int r;

	if (ctx->count >= NTKD_DIR_LEVEL_CAP) {
		ctx->cut = true;
		return 1;
	}
	if (ctx->case_id != NULL) {
		/* The filter matched a value; only a well-formed one for exactly this case counts. */
		if ((r = ntkd_dir_entry_assignments(cf, ld, e, dn, ctx->case_id, &al)) != 0 || al.n == 0)
			goto out;
	}
	/*
	 * Each entry once per list, supervisors at their smallest depth. A
	 * holder may also be listed above another holder: his own assignment
	 * may have run out while he still supervises an active one.
	 */
	if ((r = ntk_strset_add(ctx->listed, dn)) <= 0)
		goto out;
	ctx->count++;
	/* The chain goes on through people without a uid; only those with one are listed. */
	if ((r = ntkd_dir_entry_strings(ld, e, dn, cf->manager_attribute, &mgr, NTKD_DIR_VALUE_MAX)) != 0)
		goto out;
	for (i = 0; i < mgr.n; i++) {
		if (ntk_strset_has(ctx->above, mgr.v[i]))
			continue;
		if ((r = ntk_strset_add(ctx->queued, mgr.v[i])) < 0)
			goto out;
		/* A base search reaches any DN: follow only managers inside the configured tree. */
		if (r == 1 && !ntkd_dir_dn_under_base(mgr.v[i], cf->base)) {
			ntkd_log(LOG_NOTICE, "ldap: %s of %s names %s, outside base: not followed",
			    cf->manager_attribute, dn, mgr.v[i]);
			continue;
		}
		if (r == 1 && (r = ntk_strlist_push_copy(ctx->managers, mgr.v[i])) != 0)
			goto out;
	}
	if ((uid = ntkd_dir_entry_uid(cf, ld, e, dn, &r)) == NULL) {
		if (r == 0)
			ntkd_log(LOG_DEBUG, "ldap: %s has no %s: not listed", dn, cf->name_attribute);
		goto out;
	}
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE &&
	    (r = ntkd_dir_entry_roles(cf, ld, e, dn, &roles)) != 0)
		goto out;
	if ((pdn = strdup(dn)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	r = people_push(ctx->pl, uid, pdn, &roles, ctx->case_id != NULL ? &al : NULL, ctx->depth);
	uid = pdn = NULL;
out:
	free(uid);
	free(pdn);
	ntk_strlist_clear(&roles);
	ntk_strlist_clear(&mgr);
	ntkd_dir_alist_clear(&al);
	return r < 0 ? r : 0;
}

/* role_source = group: fill in the roles of people[from..]. */
static int
people_group_roles(struct ntkd_directory *d, struct people *pl, size_t from)
{
	struct ntk_strlist *roles = NULL;
	char **dns = NULL;
	size_t n = pl->n - from, i;
	int r;

	if (d->config->role_source != NTK_ROLE_SOURCE_GROUP || n == 0)
		return 0;
	if ((roles = calloc(n, sizeof(*roles))) == NULL || (dns = calloc(n, sizeof(*dns))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		dns[i] = pl->v[from + i].dn;
	if ((r = ntkd_dir_group_roles(d, dns, n, roles)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		pl->v[from + i].roles = roles[i].v;
		pl->v[from + i].nroles = roles[i].n;
		memset(&roles[i], 0, sizeof(roles[i]));
	}
out:
	for (i = 0; roles != NULL && i < n; i++)
		ntk_strlist_clear(&roles[i]);
	free(roles);
	free(dns);
	return r;
}

int
ntkd_directory_case_people(struct ntkd_directory *d, const char *case_id, unsigned depth,
    struct ntkd_person **holders, size_t *nholders,
    struct ntkd_person **supervisors, size_t *nsupervisors)
{
	const struct ntk_config *cf;
	struct people hl = { 0 }, sl = { 0 };
	struct ntk_strset listed = { 0 }, above = { 0 }, queued = { 0 };
	struct ntk_strlist frontier = { 0 }, next = { 0 };
	struct ntkd_ldap_search *s = NULL;
	struct people_ctx ctx = { 0 };
	char *attrs[5] = { NULL, NULL, NULL, NULL, NULL };
	char *filter = NULL, *held = NULL;
	size_t nlevel = 0, i, from;
	unsigned level;
	int r;

	if (holders == NULL || nholders == NULL || supervisors == NULL || nsupervisors == NULL)
		return NTK_ERR_INTERNAL;
	*holders = *supervisors = NULL;
	*nholders = *nsupervisors = 0;
	if (d == NULL || case_id == NULL)
		return NTK_ERR_INTERNAL;
	cf = d->config;
	/* No value for an impossible id can be well-formed: nobody holds it. */
	if (!ntk_case_id_valid(case_id))
		return 0;
	attrs[0] = cf->name_attribute;
	attrs[1] = cf->manager_attribute;
	attrs[2] = cf->case_attribute;
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE)
		attrs[3] = cf->role_attribute;
	if ((r = ntkd_ldap_filter_case(cf->case_attribute, case_id, &held)) != 0 ||
	    (r = ntkd_dir_staff_and(cf, held, &filter)) != 0)
		goto out;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	s->base = cf->base;
	s->scope = LDAP_SCOPE_SUBTREE;
	s->filter = filter;
	s->attrs = attrs;
	s->sizelimit = NTKD_DIR_LEVEL_CAP;
	ctx.case_id = case_id;
	ctx.pl = &hl;
	ctx.listed = &listed;
	ctx.above = &above;
	ctx.queued = &queued;
	ctx.managers = &frontier;
	if ((r = ntkd_dir_search(d, s, 1, people_entry, &ctx)) != 0)
		goto out;
	if ((r = people_group_roles(d, &hl, 0)) != 0)
		goto out;
	free(s);
	s = NULL;

	/* Upward: the managers of the level below, one base search each, a level per batch. */
	attrs[2] = attrs[3];
	attrs[3] = NULL;
	for (level = 1; level <= depth && frontier.n > 0; level++) {
		nlevel = frontier.n < NTKD_DIR_LEVEL_CAP ? frontier.n : NTKD_DIR_LEVEL_CAP;
		if ((s = calloc(nlevel, sizeof(*s))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < nlevel; i++) {
			s[i].base = frontier.v[i];
			s[i].scope = LDAP_SCOPE_BASE;
			s[i].filter = cf->staff_filter;
			s[i].attrs = attrs;
			s[i].sizelimit = 1;
		}
		ctx.case_id = NULL;
		ctx.depth = level;
		ctx.pl = &sl;
		ctx.listed = &above;
		ctx.managers = &next;
		ctx.count = 0;
		ctx.cut = false;
		from = sl.n;
		if ((r = ntkd_dir_search(d, s, nlevel, people_entry, &ctx)) != 0)
			goto out;
		if ((r = people_group_roles(d, &sl, from)) != 0)
			goto out;
		free(s);
		s = NULL;
		ntk_strlist_clear(&frontier);
		frontier = next;
		memset(&next, 0, sizeof(next));
	}
	*holders = hl.v;
	*nholders = hl.n;
	*supervisors = sl.v;
	*nsupervisors = sl.n;
	memset(&hl, 0, sizeof(hl));
	memset(&sl, 0, sizeof(sl));
	r = 0;
out:
	ntkd_person_free_array(hl.v, hl.n);
	ntkd_person_free_array(sl.v, sl.n);
	free(s);
	free(filter);
	free(held);
	ntk_strlist_clear(&frontier);
	ntk_strlist_clear(&next);
	ntk_strset_clear(&listed);
	ntk_strset_clear(&above);
	ntk_strset_clear(&queued);
	return r;
}
