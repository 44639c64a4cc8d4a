/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One LDAP connection with failover across the configured URIs, and batches of bounded searches over it. */
#ifndef NTKD_LDAP_CONN_H
#define NTKD_LDAP_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <ldap.h>

#include "ntk_config.h"

/*
 * Connection behaviour (documented in ntkd(8) too):
 * - Lazy: nothing is opened until the first search.
 * - Opening a URI: ldap_initialize, protocol 3, no referral chasing,
 *   LDAP_OPT_NETWORK_TIMEOUT and LDAP_OPT_TIMEOUT = config timeout, TLS
 *   peer certificate demanded (tls_cacert when set), StartTLS when
 *   `tls = starttls` on ldap:// URIs (a failed StartTLS never falls back to
 *   plain), then a simple bind (anonymous without binddn).
 * - A search batch is sent at once and collected with ldap_result under one
 *   deadline of `timeout` seconds from the send. A timeout or a lost
 *   connection (LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_TIMEOUT,
 *   LDAP_UNAVAILABLE, LDAP_BUSY) marks the server dead: the handle is
 *   unbound and the batch is re-run on the next URI in order, wrapping
 *   around, each URI at most once per call (a connection that was idle and
 *   found closed gets one fresh reconnect to the same URI first). When none
 *   answers: NTK_ERR_UNAVAILABLE.
 * - A server that failed so (after the one fresh reconnect) is marked
 *   down for every handle in the process (ldap_health.h): calls skip it
 *   without I/O until its backoff runs out, then one call probes it. When
 *   every URI is skipped so the call fails at once with NTK_ERR_UNAVAILABLE.
 * - Failback: while connected to any URI but the first, the first is tried
 *   again on the first call after NTKD_LDAP_FAILBACK_SECS seconds (not while
 *   it waits out a backoff).
 * - A call therefore takes at most about `timeout` seconds per URI for a
 *   hung server (connect, StartTLS and bind share no deadline with each
 *   other: each is bounded by `timeout`), and only the first calls after
 *   it hangs, and the probes, pay that.
 */
#define NTKD_LDAP_FAILBACK_SECS 30

struct ntkd_ldap_conn;

/* One search of a batch. The caller fills the request; the batch fills the rest. */
struct ntkd_ldap_search {
	/* request */
	const char *base;
	int scope;              /* LDAP_SCOPE_BASE, LDAP_SCOPE_SUBTREE, ... */
	const char *filter;
	char **attrs;           /* NULL-terminated */
	int sizelimit;          /* entries; 0 is not allowed (no "unlimited") */
	/*
	 * Subtree searches ask for pages of NTKD_LDAP_PAGE_SIZE entries (RFC
	 * 2696, not critical: a server without paging answers whole). NULL for
	 * the first page; the caller passes back `next` for the one after.
	 */
	struct berval *cookie;

	/* result, valid until ntkd_ldap_search_clear or the next batch */
	LDAPMessage *result;    /* entries and the final result, or NULL */
	bool truncated;         /* the size limit cut the answer short */
	bool missing;           /* the base object does not exist (no entries) */
	struct berval *next;    /* another page follows: its cookie (caller frees, ber_bvfree) */
	int msgid;              /* internal */
};

/* Entries per page: below AD's MaxPageSize (1000) and slapd's common size limit (500). */
#define NTKD_LDAP_PAGE_SIZE 400

/* The config must outlive the connection. */
int ntkd_ldap_conn_open(const struct ntk_config *config, struct ntkd_ldap_conn **out);
void ntkd_ldap_conn_close(struct ntkd_ldap_conn *c);

/*
 * Run the n searches as one batch (one round trip). 0: every search
 * succeeded (possibly truncated or missing); NTK_ERR_UNAVAILABLE: no server
 * answered; NTK_ERR_INTERNAL: the server refused a search (bad filter,
 * access denied, ...), logged; NTK_ERR_NOMEM. On error no results are left.
 */
int ntkd_ldap_conn_search(struct ntkd_ldap_conn *c, struct ntkd_ldap_search *s, size_t n);

/* Free the results of a batch; accepts NULL. */
void ntkd_ldap_search_clear(struct ntkd_ldap_search *s, size_t n);

/* The live handle, to read the entries of the last batch (valid until the next batch). */
LDAP *ntkd_ldap_conn_ld(struct ntkd_ldap_conn *c);

/* The URI last used successfully, or NULL. */
const char *ntkd_ldap_conn_server(const struct ntkd_ldap_conn *c);

/* Operations sent (bind, StartTLS, each batch) since open. */
unsigned long ntkd_ldap_conn_round_trips(const struct ntkd_ldap_conn *c);

#endif /* NTKD_LDAP_CONN_H */
