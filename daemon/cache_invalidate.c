/* Followed directory changes mapped to cache drops: a mirror of each entry's last state, and the walk from a change to the answers it feeds. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_invalidate.h"
#include "dir_session.h"
#include "groups.h"
#include "ntk_err.h"
#include "ntk_strset.h"
#include "ntk_strv.h"
#include "ntkd.h"

#define MIRROR_BUCKETS 16384u
#define UUID_MAX 64             /* entryUUID is 16 bytes from slapd; room for other spellings */

struct ntkd_mirror_rec {
	unsigned char uuid[UUID_MAX];
	size_t uuid_len;
	char *ndn;                      /* normalised, lower case */
	char *uid;                      /* name_attribute, or NULL */
	char *manager;                  /* normalised manager DN, or NULL */
	struct ntk_strlist cases;       /* case ids of case_attribute values */
	struct ntk_strlist roles;       /* what role_attribute names */
	struct ntk_strlist members;     /* normalised member/uniqueMember DNs */
	struct ntk_strlist group_roles; /* role_group_attribute values of a group */
	uint64_t rest;                  /* digest of every other attribute */
	bool marked;
	struct ntkd_mirror_rec *next_uuid, *next_dn;
};

struct ntkd_mirror {
	struct ntkd_mirror_rec *by_uuid[MIRROR_BUCKETS];
	struct ntkd_mirror_rec *by_dn[MIRROR_BUCKETS];
	size_t count;
};

/* What one change drops, collected first so each key goes once. */
struct drops {
	struct ntkd_mirror *m;
	const struct ntk_config *cf;
	struct ntk_strset users, groups;
	int rc;
};

/* ------------------------------------------------------------------ */
/* records                                                             */

static uint64_t
hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#define HASH_SEED 14695981039346656037ULL

static size_t
uuid_bucket(const unsigned char *u, size_t n)
{
	return (size_t)(hash_bytes(u, n, HASH_SEED) % MIRROR_BUCKETS);
}

static size_t
dn_bucket(const char *ndn)
{
	return (size_t)(ntk_str_hash(ndn) % MIRROR_BUCKETS);
}

/* One spelling per DN, so a manager value finds its entry: normalised, ASCII lower case. */
static char *
dn_norm(const char *dn)
{
	char *n = NULL, *out, *p;

	if (ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAPV3, &n, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    n == NULL) {
		ldap_memfree(n);
		out = strdup(dn);
	} else {
		out = strdup(n);
		ldap_memfree(n);
	}
	for (p = out; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x80)
			*p = (char)tolower((unsigned char)*p);
	return out;
}

void
ntkd_mirror_rec_free(struct ntkd_mirror_rec *r)
{
	if (r == NULL)
		return;
	free(r->ndn);
	free(r->uid);
	free(r->manager);
	ntk_strlist_clear(&r->cases);
	ntk_strlist_clear(&r->roles);
	ntk_strlist_clear(&r->members);
	ntk_strlist_clear(&r->group_roles);
	free(r);
}

/* The case id of each case_attribute value: what comes before ';', blanks trimmed. */
static int
read_cases(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn,
    struct ntk_strlist *out)
{
	struct ntk_strlist raw = { 0 };
	size_t i, n;
	char *v;
	int r;

	if ((r = ntkd_dir_entry_strings(ld, e, dn, cf->case_attribute, &raw, NTKD_DIR_VALUE_MAX)) != 0)
		goto out;
	for (i = 0; i < raw.n && r == 0; i++) {
		v = raw.v[i];
		v[strcspn(v, ";")] = '\0';
		while (*v == ' ')
			v++;
		for (n = strlen(v); n > 0 && v[n - 1] == ' '; n--)
			v[n - 1] = '\0';
		if (*v != '\0')
			r = ntk_strlist_push_copy(out, v);
	}
out:
	ntk_strlist_clear(&raw);
	return r;
}

static int
read_members(LDAP *ld, LDAPMessage *e, const char *dn, const char *attr, struct ntk_strlist *out)
{
	struct ntk_strlist raw = { 0 };
	size_t i;
	int r;

	if ((r = ntkd_dir_entry_strings(ld, e, dn, attr, &raw, NTKD_DIR_VALUE_MAX)) == 0)
		for (i = 0; i < raw.n && r == 0; i++)
			r = ntk_strlist_push(out, dn_norm(raw.v[i]));
	ntk_strlist_clear(&raw);
	return r;
}

static bool
attr_is(const char *a, const char *b)
{
	return b != NULL && strcasecmp(a, b) == 0;
}

/* A digest of the attributes not compared one by one (staff_filter may test any of them). */
static uint64_t
digest_rest(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e)
{
	BerElement *ber = NULL;
	struct berval **vals;
	uint64_t h = HASH_SEED;
	char *a;
	size_t i;

	for (a = ldap_first_attribute(ld, e, &ber); a != NULL; a = ldap_next_attribute(ld, e, ber)) {
		/* Kept apart: assignments and members are compared value by value. */
		if (!attr_is(a, cf->case_attribute) && !attr_is(a, "member") &&
		    !attr_is(a, "uniqueMember") && (vals = ldap_get_values_len(ld, e, a)) != NULL) {
			h = hash_bytes(a, strlen(a) + 1, h);
			for (i = 0; vals[i] != NULL; i++)
				h = hash_bytes(vals[i]->bv_val, vals[i]->bv_len, hash_bytes("", 1, h));
			ldap_value_free_len(vals);
		}
		ldap_memfree(a);
	}
	ber_free(ber, 0);
	return h;
}

int
ntkd_mirror_rec_from_entry(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e,
    const struct berval *uuid, struct ntkd_mirror_rec **out)
{
	struct ntkd_mirror_rec *r;
	struct ntk_strlist mgr = { 0 };
	char *dn = NULL;
	int rc = NTK_ERR_NOMEM;

	*out = NULL;
	if (uuid->bv_len == 0 || uuid->bv_len > UUID_MAX)
		return NTK_ERR_BAD_VALUE;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NTK_ERR_NOMEM;
	memcpy(r->uuid, uuid->bv_val, uuid->bv_len);
	r->uuid_len = uuid->bv_len;
	if ((dn = ldap_get_dn(ld, e)) == NULL || (r->ndn = dn_norm(dn)) == NULL)
		goto out;
	r->uid = ntkd_dir_entry_uid(cf, ld, e, dn, &rc);
	if (rc != 0 ||
	    (rc = ntkd_dir_entry_strings(ld, e, dn, cf->manager_attribute, &mgr,
	    NTKD_DIR_VALUE_MAX)) != 0 ||
	    (rc = read_cases(cf, ld, e, dn, &r->cases)) != 0 ||
	    (rc = ntkd_dir_entry_roles(cf, ld, e, dn, &r->roles)) != 0 ||
	    (rc = read_members(ld, e, dn, "member", &r->members)) != 0 ||
	    (rc = read_members(ld, e, dn, "uniqueMember", &r->members)) != 0)
		goto out;
	if (r->members.n > 0 &&
	    (rc = ntkd_dir_entry_strings(ld, e, dn, cf->role_group_attribute, &r->group_roles,
	    NTK_NAME_MAX)) != 0)
		goto out;
	if (mgr.n > 0 && (r->manager = dn_norm(mgr.v[0])) == NULL) {
		rc = NTK_ERR_NOMEM;
		goto out;
	}
	r->rest = digest_rest(cf, ld, e);
	*out = r;
	r = NULL;
	rc = 0;
out:
	ldap_memfree(dn);
	ntk_strlist_clear(&mgr);
	ntkd_mirror_rec_free(r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the mirror                                                          */

int
ntkd_mirror_new(struct ntkd_mirror **out)
{
	return (*out = calloc(1, sizeof(**out))) != NULL ? 0 : NTK_ERR_NOMEM;
}

void
ntkd_mirror_clear(struct ntkd_mirror *m)
{
	struct ntkd_mirror_rec *r, *next;
	size_t i;

	for (i = 0; i < MIRROR_BUCKETS; i++) {
		for (r = m->by_uuid[i]; r != NULL; r = next) {
			next = r->next_uuid;
			ntkd_mirror_rec_free(r);
		}
		m->by_uuid[i] = m->by_dn[i] = NULL;
	}
	m->count = 0;
}

void
ntkd_mirror_free(struct ntkd_mirror *m)
{
	if (m == NULL)
		return;
	ntkd_mirror_clear(m);
	free(m);
}

size_t
ntkd_mirror_count(const struct ntkd_mirror *m)
{
	return m != NULL ? m->count : 0;
}

static struct ntkd_mirror_rec *
find_uuid(struct ntkd_mirror *m, const unsigned char *u, size_t n)
{
	struct ntkd_mirror_rec *r;

	for (r = m->by_uuid[uuid_bucket(u, n)]; r != NULL; r = r->next_uuid)
		if (r->uuid_len == n && memcmp(r->uuid, u, n) == 0)
			return r;
	return NULL;
}

static struct ntkd_mirror_rec *
find_dn(struct ntkd_mirror *m, const char *ndn)
{
	struct ntkd_mirror_rec *r;

	if (ndn == NULL)
		return NULL;
	for (r = m->by_dn[dn_bucket(ndn)]; r != NULL; r = r->next_dn)
		if (strcmp(r->ndn, ndn) == 0)
			return r;
	return NULL;
}

/* Take a record out of both tables (it stays allocated). */
static void
unlink_rec(struct ntkd_mirror *m, struct ntkd_mirror_rec *r)
{
	struct ntkd_mirror_rec **pp;

	for (pp = &m->by_uuid[uuid_bucket(r->uuid, r->uuid_len)]; *pp != NULL; pp = &(*pp)->next_uuid)
		if (*pp == r) {
			*pp = r->next_uuid;
			break;
		}
	for (pp = &m->by_dn[dn_bucket(r->ndn)]; *pp != NULL; pp = &(*pp)->next_dn)
		if (*pp == r) {
			*pp = r->next_dn;
			break;
		}
	m->count--;
}

static void
link_rec(struct ntkd_mirror *m, struct ntkd_mirror_rec *r)
{
	size_t u = uuid_bucket(r->uuid, r->uuid_len), d = dn_bucket(r->ndn);

	r->next_uuid = m->by_uuid[u];
	m->by_uuid[u] = r;
	r->next_dn = m->by_dn[d];
	m->by_dn[d] = r;
	m->count++;
}

/* ------------------------------------------------------------------ */
/* from a change to the keys it drops                                  */

static void
add_key(struct drops *dr, struct ntk_strset *set, const char *key)
{
	int r;

	if (dr->rc == 0 && key != NULL && (r = ntk_strset_add(set, key)) < 0)
		dr->rc = r;
}

static void
add_case(struct drops *dr, const char *case_id)
{
	struct ntkd_group_id id;

	/* Only numeric ids within case_gid range have a group. */
	if (ntkd_group_of_case(dr->cf, case_id, &id) == 0)
		add_key(dr, &dr->groups, id.name);
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
	size_t i, k;

	add_key(dr, &level, top->ndn);
	for (depth = 0; depth < dr->cf->policy.supervision_depth && level.n > 0 && dr->rc == 0; depth++) {
		for (i = 0; i < MIRROR_BUCKETS; i++)
			for (r = dr->m->by_uuid[i]; r != NULL; r = r->next_uuid) {
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
	size_t i, k;

	for (i = 0; i < MIRROR_BUCKETS; i++)
		for (g = dr->m->by_uuid[i]; g != NULL; g = g->next_uuid)
			if (g->group_roles.n > 0 && strlist_has(&g->members, person->ndn))
				for (k = 0; k < g->group_roles.n; k++)
					add_role(dr, g->group_roles.v[k]);
}

/* One version of a staff entry: what it fed. */
static void
add_person(struct drops *dr, const struct ntkd_mirror_rec *r, bool below)
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
		if ((s = find_dn(dr->m, up)) == NULL)
			break;
		add_key(dr, &dr->users, s->uid);
		up = s->manager;
	}
	for (k = 0; k < r->cases.n; k++)
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
	const struct ntkd_mirror_rec *r = find_dn(dr->m, ndn);

	if (r == NULL)
		return;
	add_person(dr, r, true);
	/* A group in the group: its members' roles changed too. */
	if (r->members.n > 0 && nesting < dr->cf->group_nesting)
		add_group(dr, r, NULL, nesting + 1);
}

/* One version of a group entry; `other` (the other version, or NULL) narrows it to changed members. */
static void
add_group(struct drops *dr, const struct ntkd_mirror_rec *g, const struct ntkd_mirror_rec *other,
    unsigned nesting)
{
	bool all = other == NULL || other->rest != g->rest ||
	    !strlist_eq(&g->group_roles, &other->group_roles);
	size_t k;

	for (k = 0; k < g->group_roles.n; k++)
		add_role(dr, g->group_roles.v[k]);
	for (k = 0; k < g->members.n && dr->rc == 0; k++)
		if (all || !strlist_has(&other->members, g->members.v[k]))
			add_member(dr, g->members.v[k], nesting);
}

/* Drop what the change from `old` to `now` (either may be NULL) touches. */
static int
drop_change(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    const struct ntkd_mirror_rec *old, const struct ntkd_mirror_rec *now, size_t *dropped)
{
	struct drops dr = { .m = m, .cf = cf };
	/*
	 * Only assignments changed: nobody below gains or loses a supervisor.
	 * Nothing we read changed: an attribute we do not see did (staff_filter
	 * may test one), so the walk below is done.
	 */
	bool below = old == NULL || now == NULL || old->rest != now->rest ||
	    !str_eq(old->manager, now->manager) || !str_eq(old->uid, now->uid) ||
	    !strlist_eq(&old->roles, &now->roles) || strlist_eq(&old->cases, &now->cases);
	size_t i;

	if (old != NULL)
		add_person(&dr, old, below);
	if (now != NULL)
		add_person(&dr, now, below);
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
	ntk_strset_clear(&dr.users);
	ntk_strset_clear(&dr.groups);
	return 0;
}

int
ntkd_mirror_put(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    struct ntkd_mirror_rec *rec, bool drop, size_t *dropped)
{
	struct ntkd_mirror_rec *old = find_uuid(m, rec->uuid, rec->uuid_len);
	int rc = 0;

	if (old != NULL)
		unlink_rec(m, old);
	rec->marked = true;
	link_rec(m, rec);
	/* After linking: the chains walked are the ones that hold now (a move under a new manager). */
	if (drop)
		rc = drop_change(m, d, cf, old, rec, dropped);
	ntkd_mirror_rec_free(old);
	return rc;
}

int
ntkd_mirror_delete(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    const struct berval *uuid, bool drop, size_t *dropped)
{
	struct ntkd_mirror_rec *old;
	int rc = 0;

	if (uuid->bv_len == 0 || uuid->bv_len > UUID_MAX ||
	    (old = find_uuid(m, (const unsigned char *)uuid->bv_val, uuid->bv_len)) == NULL)
		return 0;
	/* Walk its chains while it is still there to be found below others. */
	if (drop)
		rc = drop_change(m, d, cf, old, NULL, dropped);
	unlink_rec(m, old);
	ntkd_mirror_rec_free(old);
	return rc;
}

void
ntkd_mirror_unmark(struct ntkd_mirror *m)
{
	struct ntkd_mirror_rec *r;
	size_t i;

	for (i = 0; i < MIRROR_BUCKETS; i++)
		for (r = m->by_uuid[i]; r != NULL; r = r->next_uuid)
			r->marked = false;
}

void
ntkd_mirror_present(struct ntkd_mirror *m, const struct berval *uuid)
{
	struct ntkd_mirror_rec *r;

	if (uuid->bv_len > 0 && uuid->bv_len <= UUID_MAX &&
	    (r = find_uuid(m, (const unsigned char *)uuid->bv_val, uuid->bv_len)) != NULL)
		r->marked = true;
}

int
ntkd_mirror_sweep(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    size_t *dropped)
{
	struct ntkd_mirror_rec *r;
	struct berval bv;
	size_t i;
	int rc;

	for (i = 0; i < MIRROR_BUCKETS; i++) {
		r = m->by_uuid[i];
		while (r != NULL) {
			if (r->marked) {
				r = r->next_uuid;
				continue;
			}
			bv.bv_val = (char *)r->uuid;
			bv.bv_len = r->uuid_len;
			if ((rc = ntkd_mirror_delete(m, d, cf, &bv, true, dropped)) != 0)
				return rc;
			r = m->by_uuid[i];      /* the chain changed: start it again */
		}
	}
	return 0;
}
