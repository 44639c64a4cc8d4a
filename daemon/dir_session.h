/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The session layer under ntkd's directory queries: the handle, batched searches, and reading entries. */
#ifndef NTKD_DIR_SESSION_H
#define NTKD_DIR_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <ldap.h>

#include "ntk_config.h"
#include "ntk_policy.h"
#include "ntk_proto.h"
#include "ntk_strv.h"
#include "directory.h"
#include "ldap_conn.h"

/*
 * Limits. name_attribute names a subordinate, holder, supervisor or role
 * member, and staff_filter says who counts as one; role groups list their
 * members in `member` (groupOfNames) or `uniqueMember` (groupOfUniqueNames),
 * read as plain DNs, not nested.
 */
#define NTKD_DIR_LEVEL_CAP 10000     /* entries per supervision level, holders, members */
#define NTKD_DIR_FILTER_DNS 200      /* DNs per (|(manager=...)...) filter */
#define NTKD_DIR_BATCH 64            /* searches outstanding at once (slapd queues 100 per anonymous connection) */
#define NTKD_DIR_VALUE_MAX 1024      /* longest attribute value we take */
/*
 * Assignments kept per subject, own and supervised each: what one FACTS
 * list carries (NTK_LIST_MAX). About 100 bytes each in the cache, so one
 * user's facts stay under ~200 MiB however large the directory's entries.
 */
#define NTKD_DIR_ASSIGNMENTS_MAX NTK_LIST_MAX

struct ntkd_directory {
	const struct ntk_config *config;
	struct ntkd_ldap_conn *conn;
};

/*
 * Called for each entry of search `idx`; returns 0 to go on, 1 to stop
 * reading this search, or an error.
 */
typedef int (*ntkd_dir_entry_fn)(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn,
    size_t idx, void *arg);

/*
 * Run the searches, NTKD_DIR_BATCH at a time (a batch is one round trip),
 * and hand every entry to fn while its connection is still the one it came on.
 */
int ntkd_dir_search(struct ntkd_directory *d, struct ntkd_ldap_search *s, size_t n,
    ntkd_dir_entry_fn fn, void *arg);

/* The attribute's usable values appended to sv (too long, empty or NUL-holding ones logged and skipped). */
int ntkd_dir_entry_strings(LDAP *ld, LDAPMessage *e, const char *dn, const char *attr,
    struct ntk_strlist *sv, size_t max_len);
/* The entry's first name_attribute value, malloc'd, or NULL when it has none (or on NOMEM: *r says). */
char *ntkd_dir_entry_uid(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn, int *r);

/* Parsed case assignments. */
struct ntkd_dir_alist {
	struct ntk_assignment *v;
	size_t n;
	size_t cap;
};

void ntkd_dir_alist_clear(struct ntkd_dir_alist *al);
/*
 * Parse the case assignment values of an entry. Malformed ones are logged
 * and skipped; with only_case set, only assignments for that exact case id
 * are kept; at most NTKD_DIR_ASSIGNMENTS_MAX.
 */
int ntkd_dir_entry_assignments(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e,
    const char *dn, const char *only_case, struct ntkd_dir_alist *al);

/* (&STAFF INNER): the search limited to entries staff_filter accepts. */
int ntkd_dir_staff_and(const struct ntk_config *cf, const char *inner, char **out);
/* Whether dn lies at or below base, compared parsed; anything unparsable is not. */
bool ntkd_dir_dn_under_base(const char *dn, const char *base);
void ntkd_dir_filters_free(char **filters, size_t n);
/*
 * For role_source = group: the roles of each of the n DNs, one round trip
 * per NTKD_DIR_BATCH DNs and group_nesting levels more for groups in groups.
 */
int ntkd_dir_group_roles(struct ntkd_directory *d, char *const *dns, size_t n, struct ntk_strlist *roles);
/* The roles the entry's role_attribute names (its values, or with role_value = rdn their RDNs). */
int ntkd_dir_entry_roles(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn,
    struct ntk_strlist *roles);

#endif /* NTKD_DIR_SESSION_H */
