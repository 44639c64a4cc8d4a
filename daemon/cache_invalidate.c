/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Followed directory changes mapped to cache drops: from an entry's old and new state to every cached answer either fed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_invalidate.h"
#include "groups.h"
#include "ntk_err.h"
#include "ntk_strset.h"
#include "ntkd.h"

/* What one change drops, collected first so each key goes once. */
struct drops {
	struct ntkd_mirror *m;
	const struct ntk_config *cf;
	struct ntk_strset users, groups;
	int rc;
};

/* ------------------------------------------------------------------ */
/* from a change to the keys it drops                                  */

static void
add_key(struct drops *dr, struct ntk_strset *set, const char *key)
{
	int r;

	if (dr->rc == 0 && key != NULL && (r = ntk_strset_add(set, key)) < 0)
		dr->rc = r;
}

/* The case group of one case_attribute value: its id is what comes before ';', blanks trimmed. */
static void
add_case(struct drops *dr, const char *value)
{
	struct ntkd_group_id id;
	char buf[NTK_CASE_ID_MAX + 1];
	size_t n;

	while (*value == ' ')
		value++;
	for (n = strcspn(value, ";"); n > 0 && value[n - 1] == ' '; n--)
		;
	if (n == 0 || n >= sizeof(buf))
		return;
	memcpy(buf, value, n);
	buf[n] = '\0';
	/* Only numeric ids within case_gid range have a group. */
	if (ntkd_group_of_case(dr->cf, buf, &id) == 0)
		add_key(dr, &dr->groups, id.name);
}

/* A set of the list's strings (an allocation failure is remembered in dr->rc). */
static void
set_of(struct drops *dr, const struct ntk_strlist *l, struct ntk_strset *out)
{
	size_t i;

	for (i = 0; i < l->n && dr->rc == 0; i++)
		add_key(dr, out, l->v[i]);
}

/* The case groups of the values in `l` that `other` lacks. */
static void
add_cases_not_in(struct drops *dr, const struct ntk_strlist *l, const struct ntk_strset *other)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!ntk_strset_has(other, l->v[i]))
			add_case(dr, l->v[i]);
}

/* The role's group, and the group of every system the role may use. */
static void
add_role(struct drops *dr, const char *role)
{
	const struct ntk_policy *p = &dr->cf->policy;
	char name[NTK_NAME_MAX + 16];
	size_t i, j, k;

	for (i = 0; i < p->nroles; i++) {
		if (!ntk_role_name_eq(role, p->roles[i].name))
			continue;
		snprintf(name, sizeof(name), "ntk-role-%s", p->roles[i].name);
		add_key(dr, &dr->groups, name);
		for (j = 0; j < p->nsystems; j++)
			for (k = 0; k < p->systems[j].nroles; k++)
				if (p->systems[j].role_idx[k] == i) {
					snprintf(name, sizeof(name), "ntk-sys-%s", p->systems[j].name);
					add_key(dr, &dr->groups, name);
				}
	}
}

/*
 * Case groups list the holders' supervisors: the case groups of everyone
 * up to supervision_depth below `top` (one scan of the mirror per level).
 */
static void
add_below(struct drops *dr, const struct ntkd_mirror_rec *top)
{
	struct ntk_strset level = { 0 }, next = { 0 };
	struct ntkd_mirror_rec *r;
	unsigned depth;
	size_t k;

	add_key(dr, &level, top->ndn);
	for (depth = 0; depth < dr->cf->policy.supervision_depth && level.n > 0 && dr->rc == 0; depth++) {
		for (r = ntkd_mirror_first(dr->m); r != NULL; r = r->next) {
			if (r->manager == NULL || !ntk_strset_has(&level, r->manager))
				continue;
			for (k = 0; k < r->cases.n; k++)
				add_case(dr, r->cases.v[k]);
			add_key(dr, &next, r->ndn);
		}
		ntk_strset_clear(&level);
		level = next;
		memset(&next, 0, sizeof(next));
	}
	ntk_strset_clear(&level);
	ntk_strset_clear(&next);
}

static bool
strlist_has(const struct ntk_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

/* role_source = group: the roles of the groups that list the entry (one scan of the mirror). */
static void
add_groups_of(struct drops *dr, const struct ntkd_mirror_rec *person)
{
	struct ntkd_mirror_rec *g;
	size_t k;

	for (g = ntkd_mirror_first(dr->m); g != NULL; g = g->next)
		if (g->group_roles.n > 0 && strlist_has(&g->members, person->ndn))
			for (k = 0; k < g->group_roles.n; k++)
				add_role(dr, g->group_roles.v[k]);
}

/* One version of a staff entry: what it fed (its case groups too with `cases`). */
static void
add_person(struct drops *dr, const struct ntkd_mirror_rec *r, bool below, bool cases)
{
	const struct ntkd_mirror_rec *s;
	const char *up;
	unsigned depth;
	size_t k;

	if (r->uid == NULL)
		return;
	add_key(dr, &dr->users, r->uid);
	/* Supervisors' facts carry the assignments of those below them. */
	for (up = r->manager, depth = 0; up != NULL && depth < dr->cf->policy.supervision_depth;
	    depth++) {
		if ((s = ntkd_mirror_find_dn(dr->m, up)) == NULL)
			break;
		add_key(dr, &dr->users, s->uid);
		up = s->manager;
	}
	for (k = 0; cases && k < r->cases.n; k++)
		add_case(dr, r->cases.v[k]);
	for (k = 0; k < r->roles.n; k++)
		add_role(dr, r->roles.v[k]);
	if (dr->cf->role_source == NTK_ROLE_SOURCE_GROUP)
		add_groups_of(dr, r);
	if (below)
		add_below(dr, r);
}

static bool
strlist_eq(const struct ntk_strlist *a, const struct ntk_strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!strlist_has(b, a->v[i]))
			return false;
	return true;
}

static bool
str_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void add_group(struct drops *dr, const struct ntkd_mirror_rec *g, const struct ntkd_mirror_rec *other,
    unsigned nesting);

/* A member DN of a changed group: its entry as though it had changed (it gained or lost roles). */
static void
add_member(struct drops *dr, const char *ndn, unsigned nesting)
{
	const struct ntkd_mirror_rec *r = ntkd_mirror_find_dn(dr->m, ndn);

	if (r == NULL)
		return;
	add_person(dr, r, true, true);
	/* A group in the group: its members' roles changed too. */
	if (r->members.n > 0 && nesting < dr->cf->group_nesting)
		add_group(dr, r, NULL, nesting + 1);
}

/* One version of a group entry; `other` (the other version, or NULL) narrows it to changed members. */
static void
add_group(struct drops *dr, const struct ntkd_mirror_rec *g, const struct ntkd_mirror_rec *other,
    unsigned nesting)
{
	struct ntk_strset others = { 0 };
	bool all = other == NULL || other->rest != g->rest ||
	    !strlist_eq(&g->group_roles, &other->group_roles);
	size_t k;

	for (k = 0; k < g->group_roles.n; k++)
		add_role(dr, g->group_roles.v[k]);
	if (!all)
		set_of(dr, &other->members, &others);
	for (k = 0; k < g->members.n && dr->rc == 0; k++)
		if (all || !ntk_strset_has(&others, g->members.v[k]))
			add_member(dr, g->members.v[k], nesting);
	ntk_strset_clear(&others);
}

/* Drop what the change from `old` to `now` (either may be NULL) touches. */
static int
drop_change(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    const struct ntkd_mirror_rec *old, const struct ntkd_mirror_rec *now, size_t *dropped)
{
	struct drops dr = { .m = m, .cf = cf };
	struct ntk_strset old_cases = { 0 }, now_cases = { 0 };
	bool rest_same = false, cases_same = false, below;
	size_t i;

	if (old != NULL && now != NULL) {
		rest_same = old->rest == now->rest && str_eq(old->manager, now->manager) &&
		    str_eq(old->uid, now->uid) && strlist_eq(&old->roles, &now->roles);
		set_of(&dr, &old->cases, &old_cases);
		set_of(&dr, &now->cases, &now_cases);
		for (i = 0, cases_same = old->cases.n == now->cases.n; cases_same && i < now->cases.n; i++)
			cases_same = ntk_strset_has(&old_cases, now->cases.v[i]);
	}
	/*
	 * Only assignment values changed: nobody below gains or loses a
	 * supervisor, and only the cases whose values changed lose or gain
	 * this holder. Nothing we read changed: an attribute we do not see did
	 * (staff_filter may test one), so everything it feeds goes.
	 */
	below = !rest_same || cases_same;
	if (old != NULL)
		add_person(&dr, old, below, below);
	if (now != NULL)
		add_person(&dr, now, below, below);
	if (!below) {
		add_cases_not_in(&dr, &now->cases, &old_cases);
		add_cases_not_in(&dr, &old->cases, &now_cases);
	}
	if (old != NULL && old->members.n > 0)
		add_group(&dr, old, now, 0);
	if (now != NULL && now->members.n > 0)
		add_group(&dr, now, old, 0);
	if (dr.rc != 0) {
		/* Cannot tell what it touched: nothing cached may outlive it. */
		*dropped += ntkd_cache_drop(d->facts, NULL) + ntkd_cache_drop(d->groups, NULL);
	} else {
		for (i = 0; i < dr.users.cap; i++)
			if (dr.users.slot[i] != NULL)
				*dropped += ntkd_cache_drop(d->facts, dr.users.slot[i]);
		for (i = 0; i < dr.groups.cap; i++)
			if (dr.groups.slot[i] != NULL)
				*dropped += ntkd_cache_drop(d->groups, dr.groups.slot[i]);
	}
	ntk_strset_clear(&old_cases);
	ntk_strset_clear(&now_cases);
	ntk_strset_clear(&dr.users);
	ntk_strset_clear(&dr.groups);
	return 0;
}

int
ntkd_invalidate_put(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    struct ntkd_mirror_rec *rec, bool drop, size_t *dropped)
{
	struct berval uuid = { rec->uuid_len, (char *)rec->uuid };
	struct ntkd_mirror_rec *old = ntkd_mirror_find_uuid(m, &uuid);
	int rc = 0;

	if (old != NULL)
		ntkd_mirror_unlink(m, old);
	rec->marked = true;
	ntkd_mirror_link(m, rec);
	/* After linking: the chains walked are the ones that hold now (a move under a new manager). */
	if (drop)
		rc = drop_change(m, d, cf, old, rec, dropped);
	ntkd_mirror_rec_free(old);
	return rc;
}

int
ntkd_invalidate_delete(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    const struct berval *uuid, bool drop, size_t *dropped)
{
	struct ntkd_mirror_rec *old;
	int rc = 0;

	if ((old = ntkd_mirror_find_uuid(m, uuid)) == NULL)
		return 0;
	/* Walk its chains while it is still there to be found below others. */
	if (drop)
		rc = drop_change(m, d, cf, old, NULL, dropped);
	ntkd_mirror_unlink(m, old);
	ntkd_mirror_rec_free(old);
	return rc;
}

int
ntkd_invalidate_sweep(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    size_t *dropped)
{
	struct ntkd_mirror_rec *r, *next;
	struct berval uuid;
	int rc;

	for (r = ntkd_mirror_first(m); r != NULL; r = next) {
		next = r->next;
		if (r->marked)
			continue;
		uuid.bv_val = (char *)r->uuid;
		uuid.bv_len = r->uuid_len;
		if ((rc = ntkd_invalidate_delete(m, d, cf, &uuid, true, dropped)) != 0)
			return rc;
	}
	return 0;
}
