/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interface between the MariaDB UDF entry points and their facts cache, connection pool and reports. */
#ifndef NTK_UDF_H
#define NTK_UDF_H

#include <stdint.h>

#include "ntk_policy.h"
#include "ntk_proto.h"

/* How long fetched facts are reused at most, whatever ntkd's max_age says. */
#define NTK_UDF_CACHE_SECONDS 5
/* Users whose facts the process keeps at once. */
#define NTK_UDF_CACHE_SLOTS 64
/* Idle ntkd connections kept for reuse. */
#define NTK_UDF_POOL_MAX 8
/* Connect and per-call timeout: a hung ntkd costs one statement this much, once. */
#define NTK_UDF_TIMEOUT_MS 2000

/*
 * One user's facts for one system, shared between statements and threads.
 * Immutable once published; freed when the last holder lets go.
 */
struct ntk_udf_facts {
	unsigned refs;              /* guarded by the cache lock */
	char *user;
	struct ntk_facts_rep rep;
	int64_t fetched_ms;         /* monotonic clock at fetch */
	int64_t expires_ms;
};

/*
 * The per-server settings (environment of mariadbd, read once with
 * secure_getenv): NTK_SYSTEM (required; unset means every check denies)
 * and NTK_SOCKET (default: the configured socket path).
 */
const char *ntk_udf_system(void);
const char *ntk_udf_socket(void);

/*
 * The facts for `user` on the configured system: from the cache while
 * fresh, else asked of ntkd. 0 and a held reference in *out, or a negative
 * NTK_ERR_* (ntkd unreachable, refused, no system configured).
 */
int ntk_udf_facts_get(const char *user, struct ntk_udf_facts **out);
void ntk_udf_facts_release(struct ntk_udf_facts *f);

/* Drop `user`'s cached facts: the next lookup asks ntkd (after a break-glass grant). */
void ntk_udf_facts_forget(const char *user);

/* ntkd's clock at fetch, moved on by the time elapsed since (read once per statement). */
void ntk_udf_clock(const struct ntk_udf_facts *f, struct ntk_clock *out);

/*
 * The account the server is running the statement for: priv_user of the
 * thread's current security context (the login at top level, in views and
 * INVOKER routines; the definer inside DEFINER routines, triggers and
 * events). 0 and the name in out; NTK_ERR_UNAVAILABLE outside mariadbd;
 * NTK_ERR_BAD_VALUE for an anonymous account or an unusable name.
 */
int ntk_udf_identity(char out[NTK_NAME_MAX + 1]);

/* The running statement: its THD and query id (NTK_ERR_UNAVAILABLE outside mariadbd). */
int ntk_udf_statement(const void **thd, unsigned long long *query_id);

/* Decide one row in-process with the shared policy core. */
void ntk_udf_decide(const struct ntk_udf_facts *f, const struct ntk_clock *clock,
    enum ntk_action action, const char *case_id, enum ntk_case_state state,
    struct ntk_decision *out);

/* Send one statement summary to ntkd (one ntk-statement audit record). */
int ntk_udf_report(const struct ntk_report_req *req);

/* A fresh id naming one statement's evaluation in the audit record. */
void ntk_udf_query_id(char *buf, size_t len);

#endif /* NTK_UDF_H */
