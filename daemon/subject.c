/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The subject's facts: the user's own entry, roles, assignments, and everyone below them in the manager chain. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_strset.h"
#include "dir_session.h"
#include "ldap_filter.h"
#include "log.h"

/* Search 0 reads the user's entry; search 1 asks which entries of that name staff_filter accepts. */
enum { USER_SEARCH = 0, USER_STAFF_SEARCH = 1 };

struct user_ctx {
	const char *user;       /* as asked */
	size_t count;
	bool exact;             /* the entry holds the name byte for byte */
	char *dn;
	struct ntk_strlist staff_dns;  /* entries of that name that staff_filter accepts */
	struct ntk_strlist roles;
	struct ntkd_dir_alist assignments;
};

static int
user_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	struct user_ctx *ctx = arg;
	struct berval **vals;
	size_t i, len = strlen(ctx->user);
	int r;

	if (idx == USER_STAFF_SEARCH)
		return ntk_strlist_push_copy(&ctx->staff_dns, dn);
	/* Only a single match counts; the rest is read only when there is one. */
	if (++ctx->count > 1)
		return 1;
	/*
	 * LDAP matching ignores case and spaces, so "ALICE" or "alice " finds
	 * alice's entry: only a value equal byte for byte makes it this user's.
	 */
	if ((vals = ldap_get_values_len(ld, e, d->config->name_attribute)) != NULL) {
		for (i = 0; vals[i] != NULL && !ctx->exact; i++)
			ctx->exact = vals[i]->bv_len == len && memcmp(vals[i]->bv_val, ctx->user, len) == 0;
		ldap_value_free_len(vals);
	}
	if (!ctx->exact)
		return 0;
	if ((ctx->dn = strdup(dn)) == NULL)
		return NTK_ERR_NOMEM;
	if (d->config->role_source == NTK_ROLE_SOURCE_ATTRIBUTE &&
	    (r = ntkd_dir_entry_roles(d->config, ld, e, dn, &ctx->roles)) != 0)
		return r;
	return ntkd_dir_entry_assignments(d->config, ld, e, dn, NULL, &ctx->assignments);
}

struct level_ctx {
	struct ntk_strset *seen;
	struct ntk_strlist *next;      /* DNs found on this level */
	struct ntk_subject *out;
	size_t cap_sup;
	unsigned depth;
	size_t count;
	bool cut;
};

static int
level_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	struct level_ctx *ctx = arg;
	struct ntkd_dir_alist al = { 0 };
	struct ntk_supervised *ns;
	char *holder = NULL;
	size_t i, ncap;
	int r;

	if (ctx->count >= NTKD_DIR_LEVEL_CAP) {
		ctx->cut = true;
		return 1;
	}
	/* Cycles and the subject himself: each DN counts once, at its smallest depth. */
	if ((r = ntk_strset_add(ctx->seen, dn)) <= 0)
		return r;
	ctx->count++;
	if ((r = ntk_strlist_push_copy(ctx->next, dn)) != 0)
		return r;
	if ((r = ntkd_dir_entry_assignments(d->config, ld, e, dn, NULL, &al)) != 0)
		goto out;
	if (al.n == 0)
		goto out;
	if ((holder = ntkd_dir_entry_uid(d->config, ld, e, dn, &r)) == NULL) {
		if (r != 0)
			goto out;
		/* No uid: name the holder by DN rather than lose the supervisor's reason. */
		if ((holder = strdup(dn)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
	}
	for (i = 0; i < al.n; i++) {
		if (ctx->out->nsupervised >= NTKD_DIR_ASSIGNMENTS_MAX) {
			ctx->cut = true;
			break;
		}
		if (ctx->out->nsupervised == ctx->cap_sup) {
			ncap = ctx->cap_sup ? ctx->cap_sup * 2 : 8;
			if ((ns = realloc(ctx->out->supervised, ncap * sizeof(*ns))) == NULL) {
				r = NTK_ERR_NOMEM;
				goto out;
			}
			ctx->out->supervised = ns;
			ctx->cap_sup = ncap;
		}
		ns = &ctx->out->supervised[ctx->out->nsupervised];
		memset(ns, 0, sizeof(*ns));
		if ((ns->holder = strdup(holder)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		ns->assignment = al.v[i];
		memset(&al.v[i], 0, sizeof(al.v[i]));
		ns->depth = ctx->depth;
		ctx->out->nsupervised++;
	}
out:
	free(holder);
	ntkd_dir_alist_clear(&al);
	return r;
}

/* Everyone below `dn` in the manager chain, one search per level (per NTKD_DIR_FILTER_DNS managers). */
static int
subject_supervised(struct ntkd_directory *d, const char *dn, struct ntk_subject *out)
{
	const struct ntk_config *cf = d->config;
	struct ntk_strset seen = { 0 };
	struct ntk_strlist frontier = { 0 }, next = { 0 };
	struct ntkd_ldap_search *s = NULL;
	struct level_ctx ctx = { 0 };
	char *attrs[] = { cf->name_attribute, cf->case_attribute, NULL };
	char **filters = NULL, *any = NULL;
	size_t nf = 0, i, m, per;
	unsigned level;
	int r;

	if ((r = ntk_strset_add(&seen, dn)) < 0 || (r = ntk_strlist_push_copy(&frontier, dn)) != 0)
		goto out;
	ctx.seen = &seen;
	ctx.out = out;
	for (level = 1; level <= cf->policy.supervision_depth && frontier.n > 0; level++) {
		/*
		 * The level's managers spread over a full batch of searches: each
		 * answers fewer entries, so a large team needs no more pages (each
		 * a round trip) than a small one. At most NTKD_DIR_FILTER_DNS a filter.
		 */
		per = (frontier.n + NTKD_DIR_BATCH - 1) / NTKD_DIR_BATCH;
		if (per > NTKD_DIR_FILTER_DNS)
			per = NTKD_DIR_FILTER_DNS;
		nf = (frontier.n + per - 1) / per;
		if ((s = calloc(nf, sizeof(*s))) == NULL || (filters = calloc(nf, sizeof(*filters))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < nf; i++) {
			m = frontier.n - i * per;
			if (m > per)
				m = per;
			if ((r = ntkd_ldap_filter_any(cf->manager_attribute,
			    (const char *const *)frontier.v + i * per, m, &any)) != 0 ||
			    (r = ntkd_dir_staff_and(cf, any, &filters[i])) != 0)
				goto out;
			free(any);
			any = NULL;
			s[i].base = cf->base;
			s[i].scope = LDAP_SCOPE_SUBTREE;
			s[i].filter = filters[i];
			s[i].attrs = attrs;
			s[i].sizelimit = NTKD_DIR_LEVEL_CAP;
		}
		ctx.next = &next;
		ctx.depth = level;
		ctx.count = 0;
		ctx.cut = false;
		if ((r = ntkd_dir_search(d, s, nf, level_entry, &ctx)) != 0)
			goto out;
		if (ctx.cut)
			ntkd_log(LOG_WARNING, "ldap: supervision level %u below %s cut at %d entries "
			    "or %u assignments", level, dn, NTKD_DIR_LEVEL_CAP, (unsigned)NTKD_DIR_ASSIGNMENTS_MAX);
		ntkd_dir_filters_free(filters, nf);
		filters = NULL;
		free(s);
		s = NULL;
		ntk_strlist_clear(&frontier);
		frontier = next;
		memset(&next, 0, sizeof(next));
	}
	r = 0;
out:
	free(any);
	ntkd_dir_filters_free(filters, nf);
	free(s);
	ntk_strlist_clear(&frontier);
	ntk_strlist_clear(&next);
	ntk_strset_clear(&seen);
	return r;
}

static bool
subject_supervises(const struct ntk_config *cf, const struct ntk_subject *sub)
{
	const struct ntk_role *role;
	size_t i;

	for (i = 0; i < sub->nroles; i++) {
		role = ntk_policy_find_role(&cf->policy, sub->roles[i]);
		if (role != NULL && role->scope == NTK_SCOPE_SUPERVISED)
			return true;
	}
	return false;
}

/* Whether staff_filter accepted the user's own entry: a disabled or departed account is not. */
static bool
user_is_staff(const struct user_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->staff_dns.n; i++)
		if (strcmp(ctx->staff_dns.v[i], ctx->dn) == 0)
			return true;
	return false;
}

int
ntkd_directory_subject(struct ntkd_directory *d, const char *user, struct ntk_subject *out)
{
	const struct ntk_config *cf;
	struct ntkd_ldap_search s[2];
	struct user_ctx ctx = { 0 };
	struct ntk_strlist group = { 0 };
	char *attrs[4] = { NULL, NULL, NULL, NULL }, *no_attrs[] = { LDAP_NO_ATTRS, NULL };
	char *filter = NULL, *staff = NULL, safe[NTK_NAME_MAX + 4];
	size_t i;
	int r;

	if (out == NULL)
		return NTK_ERR_INTERNAL;
	memset(out, 0, sizeof(*out));
	if (d == NULL || user == NULL)
		return NTK_ERR_INTERNAL;
	cf = d->config;
	if ((out->name = strdup(user)) == NULL)
		return NTK_ERR_NOMEM;
	/* Names no entry can have: not found, without asking. */
	if (*user == '\0' || strlen(user) > NTK_NAME_MAX)
		return 0;
	if ((r = ntkd_ldap_filter_fill(cf->user_filter, user, &filter)) != 0 ||
	    (r = ntkd_dir_staff_and(cf, filter, &staff)) != 0)
		goto out;
	ctx.user = user;
	attrs[0] = cf->case_attribute;
	attrs[1] = cf->name_attribute;
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE)
		attrs[2] = cf->role_attribute;
	/* Both searches go out together: staff_filter costs no extra round trip. */
	memset(s, 0, sizeof(s));
	s[USER_SEARCH].filter = filter;
	s[USER_SEARCH].attrs = attrs;
	s[USER_STAFF_SEARCH].filter = staff;
	s[USER_STAFF_SEARCH].attrs = no_attrs;
	for (i = 0; i < 2; i++) {
		s[i].base = cf->base;
		s[i].scope = LDAP_SCOPE_SUBTREE;
		s[i].sizelimit = 2;     /* enough to see that a name is ambiguous */
	}
	if ((r = ntkd_dir_search(d, s, 2, user_entry, &ctx)) != 0)
		goto out;
	if (ctx.count != 1) {
		if (ctx.count > 1) {
			ntk_escape_log(user, strlen(user), safe, sizeof(safe));
			ntkd_log(LOG_WARNING, "ldap: user \"%s\" matches more than one entry: "
			    "treated as unknown", safe);
		}
		r = 0;
		goto out;
	}
	if (!ctx.exact) {
		ntk_escape_log(user, strlen(user), safe, sizeof(safe));
		ntkd_log(LOG_NOTICE, "ldap: user \"%s\" matches an entry whose %s is not exactly "
		    "that name: treated as unknown", safe, cf->name_attribute);
		r = 0;
		goto out;
	}
	out->found = true;
	if (!user_is_staff(&ctx)) {
		/* Known but not staff: nothing else about the entry may count. */
		out->disabled = true;
		r = 0;
		goto out;
	}
	if (cf->role_source == NTK_ROLE_SOURCE_GROUP) {
		if ((r = ntkd_dir_group_roles(d, &ctx.dn, 1, &group)) != 0)
			goto out;
		ctx.roles = group;
		memset(&group, 0, sizeof(group));
	}
	out->roles = ctx.roles.v;
	out->nroles = ctx.roles.n;
	memset(&ctx.roles, 0, sizeof(ctx.roles));
	out->assignments = ctx.assignments.v;
	out->nassignments = ctx.assignments.n;
	memset(&ctx.assignments, 0, sizeof(ctx.assignments));
	if (subject_supervises(cf, out) && (r = subject_supervised(d, ctx.dn, out)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0)
		ntk_subject_clear(out);
	free(filter);
	free(staff);
	free(ctx.dn);
	ntk_strlist_clear(&ctx.staff_dns);
	ntk_strlist_clear(&ctx.roles);
	ntk_strlist_clear(&group);
	ntkd_dir_alist_clear(&ctx.assignments);
	return r;
}
