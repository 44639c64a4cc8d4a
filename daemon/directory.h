/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd's view of the LDAP directory: the facts the policy needs, fetched with few round trips. */
#ifndef NTKD_DIRECTORY_H
#define NTKD_DIRECTORY_H

#include <stddef.h>

#include "ntk_config.h"
#include "ntk_policy.h"
#include "ntk_strv.h"

/*
 * One directory handle per worker thread (libldap handles are not shared
 * between threads). It holds one LDAP connection, opened lazily, bound
 * with the config's binddn/bindpw, StartTLS when configured, and re-opened
 * on the next URI in order when a server fails (failover). Every operation
 * is bounded by config->timeout (connect, bind, search). No referral chasing.
 * Every value put into a filter is escaped per RFC 4515.
 *
 * Errors: NTK_ERR_UNAVAILABLE when no server answered in time (the caller
 * may fall back to cached facts), NTK_ERR_NOT_FOUND for no such entry,
 * NTK_ERR_NOMEM, NTK_ERR_INTERNAL. Malformed attribute values (bad case
 * assignments) are logged with ntkd_log and skipped, never an error.
 */
struct ntkd_directory;

/* The config must outlive the handle (ntkd re-creates handles on reload). */
int ntkd_directory_open(const struct ntk_config *config, struct ntkd_directory **out);
void ntkd_directory_close(struct ntkd_directory *d);

/* The URI of the server last used successfully, or NULL; for ntkctl status. */
const char *ntkd_directory_server(const struct ntkd_directory *d);

/* LDAP round trips made through this handle since open (benchmarks, status). */
unsigned long ntkd_directory_round_trips(const struct ntkd_directory *d);

/*
 * Everything about `user`: found, name, roles (role_attribute values, or
 * the role_group_attribute of groups matching role_group_filter), own
 * parsed assignments, and, when any of the user's roles has scope
 * supervised in the config's policy, the assignments of everyone below in
 * the manager chain to policy.supervision_depth (cycle-safe; one search per
 * level). Grants are left empty (ntkd keeps them). A user that is not in
 * the directory (or matches more than one entry) returns 0 with
 * out->found = false; one whose own entry staff_filter does not accept
 * (disabled, departed) returns found and disabled, with nothing else.
 * Cost: 1 round trip (the staff_filter test rides along) (+1 for
 * role_source=group) + 1 per level.
 */
int ntkd_directory_subject(struct ntkd_directory *d, const char *user, struct ntk_subject *out);

/* A staff member found by a reverse query. */
struct ntkd_person {
	char *uid;
	char *dn;
	char **roles;
	size_t nroles;
	struct ntk_assignment *assignments; /* only those for the case asked about */
	size_t nassignments;
	unsigned depth;                     /* supervisors: levels above the holder */
};

/*
 * Everyone with an assignment value for `case_id` (active or not: the
 * caller decides with ntk_assignment_active), and everyone above each of
 * them in the manager chain up to `depth` levels (their assignments empty,
 * depth >= 1). One search for the holders plus one per level.
 */
int ntkd_directory_case_people(struct ntkd_directory *d, const char *case_id, unsigned depth,
    struct ntkd_person **holders, size_t *nholders,
    struct ntkd_person **supervisors, size_t *nsupervisors);

/* The uids of everyone holding `role`. */
int ntkd_directory_role_members(struct ntkd_directory *d, const char *role,
    char ***uids, size_t *nuids);

void ntkd_person_free_array(struct ntkd_person *people, size_t n);

/*
 * For `ntkd -t`. probe_base: 0 when base exists, NTK_ERR_NOT_FOUND when
 * it does not, NTK_ERR_UNAVAILABLE when no server could be reached and
 * bound. role_values: the distinct role names the directory holds (on
 * staff entries, or on groups for role_source = group), up to 10,000 entries read.
 */
int ntkd_directory_probe_base(struct ntkd_directory *d);
int ntkd_directory_role_values(struct ntkd_directory *d, char ***values, size_t *nvalues);

#endif /* NTKD_DIRECTORY_H */
