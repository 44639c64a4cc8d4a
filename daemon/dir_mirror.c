/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mirror of entries under base: records read from sync entry messages, chained by entryUUID and by DN. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dir_mirror.h"
#include "dir_session.h"
#include "ntk_err.h"
#include "ntk_strset.h"

#define MIRROR_BUCKETS 16384u

struct ntkd_mirror {
	struct ntkd_mirror_rec *by_uuid[MIRROR_BUCKETS];
	struct ntkd_mirror_rec *by_dn[MIRROR_BUCKETS];
	struct ntkd_mirror_rec *first;
	size_t count;
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
/*
 * The case_attribute values, whitespace-trimmed but otherwise raw (a changed
 * `until` is a change), all of them up to what facts keep: a giant entry's
 * changes must reach every case group it is in.
 */
static int
read_cases(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, struct ntk_strlist *out)
{
	struct berval **vals;
	const char *v;
	size_t i, n;
	int r = 0;

	if ((vals = ldap_get_values_len(ld, e, cf->case_attribute)) == NULL)
		return 0;
	for (i = 0; vals[i] != NULL && out->n < NTKD_DIR_ASSIGNMENTS_MAX && r == 0; i++) {
		v = vals[i]->bv_val;
		n = vals[i]->bv_len;
		/* Unusable values are logged where facts are read; here they feed nothing. */
		if (n == 0 || n > NTKD_DIR_VALUE_MAX || memchr(v, '\0', n) != NULL)
			continue;
		for (; n > 0 && *v == ' '; n--)
			v++;
		while (n > 0 && v[n - 1] == ' ')
			n--;
		if (n > 0)
			r = ntk_strlist_push(out, strndup(v, n));
	}
	ldap_value_free_len(vals);
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
	if (uuid->bv_len == 0 || uuid->bv_len > NTKD_MIRROR_UUID_MAX)
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
	    (rc = read_cases(cf, ld, e, &r->cases)) != 0 ||
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

	for (r = m->first; r != NULL; r = next) {
		next = r->next;
		ntkd_mirror_rec_free(r);
	}
	memset(m->by_uuid, 0, sizeof(m->by_uuid));
	memset(m->by_dn, 0, sizeof(m->by_dn));
	m->first = NULL;
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

struct ntkd_mirror_rec *
ntkd_mirror_find_uuid(struct ntkd_mirror *m, const struct berval *uuid)
{
	struct ntkd_mirror_rec *r;
	size_t n = uuid->bv_len;

	if (n == 0 || n > NTKD_MIRROR_UUID_MAX)
		return NULL;
	for (r = m->by_uuid[uuid_bucket((const unsigned char *)uuid->bv_val, n)]; r != NULL;
	    r = r->next_uuid)
		if (r->uuid_len == n && memcmp(r->uuid, uuid->bv_val, n) == 0)
			return r;
	return NULL;
}

struct ntkd_mirror_rec *
ntkd_mirror_find_dn(struct ntkd_mirror *m, const char *ndn)
{
	struct ntkd_mirror_rec *r;

	if (ndn == NULL)
		return NULL;
	for (r = m->by_dn[dn_bucket(ndn)]; r != NULL; r = r->next_dn)
		if (strcmp(r->ndn, ndn) == 0)
			return r;
	return NULL;
}

void
ntkd_mirror_unlink(struct ntkd_mirror *m, struct ntkd_mirror_rec *r)
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
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		m->first = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	m->count--;
}

void
ntkd_mirror_link(struct ntkd_mirror *m, struct ntkd_mirror_rec *r)
{
	size_t u = uuid_bucket(r->uuid, r->uuid_len), d = dn_bucket(r->ndn);

	r->next_uuid = m->by_uuid[u];
	m->by_uuid[u] = r;
	r->next_dn = m->by_dn[d];
	m->by_dn[d] = r;
	r->prev = NULL;
	r->next = m->first;
	if (m->first != NULL)
		m->first->prev = r;
	m->first = r;
	m->count++;
}

struct ntkd_mirror_rec *
ntkd_mirror_first(struct ntkd_mirror *m)
{
	return m->first;
}

void
ntkd_mirror_unmark(struct ntkd_mirror *m)
{
	struct ntkd_mirror_rec *r;

	for (r = m->first; r != NULL; r = r->next)
		r->marked = false;
}

void
ntkd_mirror_present(struct ntkd_mirror *m, const struct berval *uuid)
{
	struct ntkd_mirror_rec *r;

	if ((r = ntkd_mirror_find_uuid(m, uuid)) != NULL)
		r->marked = true;
}
