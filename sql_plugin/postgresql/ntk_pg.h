/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interface between the files of the PostgreSQL extension ntk. */
#ifndef NTK_PG_H
#define NTK_PG_H

#include <stdbool.h>
#include <stdint.h>

#include "ntk_policy.h"

/* Settings (ntk_pg.c). Only superusers may change them: a user who could
 * point ntk.socket at a daemon of their own, or ntk.system at another
 * system's policy, would decide for themselves. */
extern char *ntk_pg_system;
extern char *ntk_pg_socket;
extern int ntk_pg_timeout_ms;
extern int ntk_pg_cache_seconds;

/* The facts of the session's current role for ntk.system (ntk_pg_facts.c). */
struct ntk_pg_facts;

/*
 * The facts valid for the running statement: fetched from ntkd at most
 * once per statement, reused across statements for
 * min(ntk.cache_seconds, the reply's max_age), refetched when the current
 * role or ntk.system changes. NULL on failure, with *err set to a negative
 * NTK_ERR_* (the failure is remembered for the statement: ntkd is not asked
 * again for every row).
 */
const struct ntk_pg_facts *ntk_pg_facts_get(int *err);

/* Decide one case for the facts' user; O(1) after the first row of a case. */
enum ntk_outcome ntk_pg_facts_decide(const struct ntk_pg_facts *f, const char *case_id,
    enum ntk_case_state state, enum ntk_action action);
/* The facts' own outcome: NTK_ALLOW_SYSTEM_ACCESS or the deny that applies to every case. */
enum ntk_outcome ntk_pg_facts_outcome(const struct ntk_pg_facts *f);
/* True when every case, open, is allowed for `action` (a cases = all role, and no exception). */
bool ntk_pg_facts_covers_all(const struct ntk_pg_facts *f, enum ntk_action action);
/* Whether "any other case" (one the user's facts do not name) is allowed in `state`. */
bool ntk_pg_facts_any_case_allows(const struct ntk_pg_facts *f, enum ntk_case_state state,
    enum ntk_action action);
/* Exactly the cases allowed for `action` when open (empty when covers_all); valid for the statement. */
size_t ntk_pg_facts_visible(const struct ntk_pg_facts *f, enum ntk_action action,
    const char *const **ids);
const char *ntk_pg_facts_user(const struct ntk_pg_facts *f);
/* Changes whenever the facts or their clock (whole seconds) change, and with them any decision. */
uint32_t ntk_pg_facts_generation(const struct ntk_pg_facts *f);
/* The whole decision, for explain (no cache). */
void ntk_pg_facts_decision(const struct ntk_pg_facts *f, const char *case_id,
    enum ntk_case_state state, enum ntk_action action, struct ntk_decision *out);

/* What a CHECK answered, copied out of the reply (no allocation to leak past an ereport). */
struct ntk_pg_verdict {
	enum ntk_outcome outcome;
	int64_t grant_expires;          /* a break-glass grant's end (unix seconds); 0: none */
	char verdict[512];
	char deny_message[NTK_DENY_MESSAGE_MAX + 1];
};

/* One CHECK to ntkd (audited unless dry_run), for the current role. */
int ntk_pg_check(const char *case_id, enum ntk_case_state state, enum ntk_action action,
    bool dry_run, struct ntk_pg_verdict *out);
/*
 * Break-glass for the current role on one open case of ntk.system, with
 * the reason: ntkd grants it (role allows it, record audited) or refuses.
 * On a grant the role's cached facts are dropped, so the next decision,
 * in this statement or the next, sees it.
 */
int ntk_pg_break_glass(const char *case_id, const char *reason, struct ntk_pg_verdict *out);
/*
 * The deny_message ntkd last sent this backend for ntk.system ("" when
 * none): what the rows-hidden warning can still say when ntkd is out of reach.
 */
const char *ntk_pg_deny_message(void);
/* One REPORT to ntkd. */
int ntk_pg_report_send(const char *user, enum ntk_action action, enum ntk_outcome outcome,
    uint32_t rows, const char *query_id, char **cases, size_t ncases);

/* Statement accounting (ntk_pg_report.c). */
void ntk_pg_report_init(void);
void ntk_pg_report_denied(const char *user, const char *case_id, enum ntk_action action,
    enum ntk_outcome outcome);

#endif /* NTK_PG_H */
