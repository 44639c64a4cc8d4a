/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ntk extension's link to ntkd: a cached FACTS reply per role and system, decided in-process. */
#include "postgres.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/timestamp.h"

#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_pg.h"
#include "ntk_policy.h"
#include "ntk_proto.h"

/* One remembered decision: (case, state, action) -> outcome, valid for one statement generation. */
struct ntk_pg_slot {
	uint32_t gen;           /* 0: empty */
	uint8_t state;
	uint8_t action;
	uint8_t outcome;
	char case_id[NTK_CASE_ID_MAX + 1];
};

#define NTK_PG_SLOTS_MIN 1024u
#define NTK_PG_SLOTS_MAX (1u << 20)

struct ntk_pg_facts {
	Oid roleid;
	char *user;
	char *system;
	struct ntk_facts_rep rep;
	time_t fetched;         /* local clock at fetch */
	TimestampTz stmt;       /* the statement these facts were last validated for */
	struct ntk_clock clock; /* the daemon's clock moved on to the statement's start */
	const char **candidates;        /* every case an assignment, a subordinate's or a grant names */
	size_t ncandidates;
	/* Per access (read, write), for the statement generation vis_gen: */
	const char **visible[3];        /* the cases allowed when open: exact */
	size_t nvisible[3];
	bool covers_all[3];             /* every case allowed when open */
	uint32_t vis_gen[3];
	struct ntk_pg_slot *slots;
	size_t nslots;
	size_t nused;
	uint32_t gen;
};

/*
 * A few roles' facts: a statement may switch roles per row (a SECURITY
 * DEFINER function in the select list), and must not refetch each time.
 */
#define NTK_PG_FACTS_KEPT 4
static struct ntk_pg_facts *ntk_pg_kept[NTK_PG_FACTS_KEPT];
/* The facts last returned, for the rows that follow in the same statement. */
static struct ntk_pg_facts *ntk_pg_last;
static struct ntk_conn *ntk_pg_conn;
/* Generations are unique across all facts, so a cached result never outlives its facts. */
static uint32_t ntk_pg_generation;
static char *ntk_pg_conn_path;

/* The last deny_message ntkd sent, and the system it is for. */
static char ntk_pg_dm[NTK_DENY_MESSAGE_MAX + 1];
static char ntk_pg_dm_system[NTK_NAME_MAX + 1];

/* A failed fetch fails the rest of the statement, whatever the role: rows never each retry. */
static int ntk_pg_fail_err;
static TimestampTz ntk_pg_fail_stmt;
static bool ntk_pg_failed;

static void
ntk_pg_facts_free(struct ntk_pg_facts *f)
{
	if (f == NULL)
		return;
	free(f->user);
	free(f->system);
	ntk_facts_rep_clear(&f->rep);
	free(f->candidates);
	free(f->visible[NTK_ACTION_READ]);
	free(f->visible[NTK_ACTION_WRITE]);
	free(f->slots);
	free(f);
}

static void
ntk_pg_conn_drop(void)
{
	ntk_conn_close(ntk_pg_conn);
	ntk_pg_conn = NULL;
	free(ntk_pg_conn_path);
	ntk_pg_conn_path = NULL;
}

/* The open connection to ntk.socket, reopened when the setting changed. */
static int
ntk_pg_conn_get(struct ntk_conn **out, bool *reused)
{
	const char *path = ntk_pg_socket != NULL && ntk_pg_socket[0] != '\0' ?
	    ntk_pg_socket : NTK_DEFAULT_SOCKET;
	int r;

	*out = NULL;
	*reused = false;
	if (ntk_pg_conn != NULL && strcmp(ntk_pg_conn_path, path) == 0) {
		*out = ntk_pg_conn;
		*reused = true;
		return 0;
	}
	ntk_pg_conn_drop();
	if ((ntk_pg_conn_path = strdup(path)) == NULL)
		return NTK_ERR_NOMEM;
	if ((r = ntk_conn_open(path, ntk_pg_timeout_ms, &ntk_pg_conn)) != 0) {
		ntk_pg_conn_drop();
		return r;
	}
	*out = ntk_pg_conn;
	return 0;
}

/* A broken connection is closed; a stale one (ntkd restarted) gets one retry. */
static bool
ntk_pg_conn_failed(int r, bool reused)
{
	if (r != NTK_ERR_IO && r != NTK_ERR_CLOSED && r != NTK_ERR_TIMEOUT &&
	    r != NTK_ERR_TRUNCATED && r != NTK_ERR_VERSION && r != NTK_ERR_BAD_TYPE)
		return false;
	ntk_pg_conn_drop();
	return reused && r != NTK_ERR_TIMEOUT;
}

static int
ntk_pg_fetch(const char *user, const char *system, struct ntk_facts_rep *rep)
{
	struct ntk_facts_req req = { .user = (char *)user, .system = (char *)system };
	struct ntk_conn *c;
	bool reused;
	int r, tries;

	for (tries = 0; tries < 2; tries++) {
		if ((r = ntk_pg_conn_get(&c, &reused)) != 0)
			return r;
		if ((r = ntk_client_facts(c, &req, rep)) == 0)
			return 0;
		if (!ntk_pg_conn_failed(r, reused))
			return r;
	}
	return r;
}

int
ntk_pg_report_send(const char *user, enum ntk_action action, enum ntk_outcome outcome,
    uint32_t rows, const char *query_id, char **cases, size_t ncases)
{
	struct ntk_report_req req = {
		.user = (char *)user,
		.system = ntk_pg_system != NULL ? ntk_pg_system : "",
		.action = action,
		.outcome = outcome,
		.rows = rows,
		.query_id = (char *)query_id,
		.cases = cases,
		.ncases = ncases,
	};
	struct ntk_conn *c;
	bool reused;
	int r, tries;

	for (tries = 0; tries < 2; tries++) {
		if ((r = ntk_pg_conn_get(&c, &reused)) != 0)
			return r;
		if ((r = ntk_client_report(c, &req)) == 0)
			return 0;
		if (!ntk_pg_conn_failed(r, reused))
			return r;
	}
	return r;
}

static void
ntk_pg_remember_deny_message(const char *system, const char *msg)
{
	strlcpy(ntk_pg_dm_system, system, sizeof(ntk_pg_dm_system));
	strlcpy(ntk_pg_dm, msg != NULL ? msg : "", sizeof(ntk_pg_dm));
}

const char *
ntk_pg_deny_message(void)
{
	const char *system = ntk_pg_system != NULL ? ntk_pg_system : "";

	return system[0] != '\0' && strcmp(ntk_pg_dm_system, system) == 0 ? ntk_pg_dm : "";
}

/* Send one CHECK for the current role, retrying once on a stale connection; copy the reply out. */
static int
ntk_pg_call_check(struct ntk_check_req *req, const char *reason, struct ntk_pg_verdict *out)
{
	struct ntk_check_rep rep;
	struct ntk_conn *c;
	bool reused;
	int r = NTK_ERR_INTERNAL, tries;

	memset(out, 0, sizeof(*out));
	memset(&rep, 0, sizeof(rep));
	if (ntk_pg_system == NULL || ntk_pg_system[0] == '\0')
		return NTK_ERR_CONFIG;
	req->user = GetUserNameFromId(GetUserId(), false);
	req->system = ntk_pg_system;
	for (tries = 0; tries < 2; tries++) {
		if ((r = ntk_pg_conn_get(&c, &reused)) != 0)
			break;
		if (reason != NULL)
			r = ntk_client_break_glass(c, req->user, req->system, req->case_id, reason, &rep);
		else
			r = ntk_client_check(c, req, &rep);
		if (r == 0)
			break;
		if (!ntk_pg_conn_failed(r, reused))
			break;
	}
	if (r == 0) {
		out->outcome = rep.outcome;
		out->grant_expires = rep.grant_expires;
		strlcpy(out->verdict, rep.verdict != NULL ? rep.verdict : "", sizeof(out->verdict));
		strlcpy(out->deny_message, rep.deny_message != NULL ? rep.deny_message : "",
		    sizeof(out->deny_message));
		/* An allow carries no message: only a denial's tells what the system's is. */
		if (!ntk_outcome_allows(rep.outcome))
			ntk_pg_remember_deny_message(req->system, rep.deny_message);
	}
	ntk_check_rep_clear(&rep);
	pfree(req->user);
	req->user = NULL;
	return r;
}

int
ntk_pg_check(const char *case_id, enum ntk_case_state state, enum ntk_action action,
    bool dry_run, struct ntk_pg_verdict *out)
{
	struct ntk_check_req req;

	memset(&req, 0, sizeof(req));
	req.action = action;
	req.case_id = (char *)case_id;
	req.state = state;
	req.reason = "";
	req.rhost = "";
	req.tty = "";
	req.flags = dry_run ? NTK_CHECK_DRY_RUN : 0;
	return ntk_pg_call_check(&req, NULL, out);
}

/* Forget the role's facts: the next decision for it, even in this statement, asks ntkd again. */
static void
ntk_pg_facts_forget_role(Oid role)
{
	size_t i;

	for (i = 0; i < NTK_PG_FACTS_KEPT; i++) {
		if (ntk_pg_kept[i] == NULL || ntk_pg_kept[i]->roleid != role)
			continue;
		if (ntk_pg_last == ntk_pg_kept[i])
			ntk_pg_last = NULL;
		ntk_pg_facts_free(ntk_pg_kept[i]);
		ntk_pg_kept[i] = NULL;
	}
	/* A fetch that failed earlier in this statement must not stand in for the new facts. */
	ntk_pg_failed = false;
}

int
ntk_pg_break_glass(const char *case_id, const char *reason, struct ntk_pg_verdict *out)
{
	struct ntk_check_req req;
	int r;

	memset(&req, 0, sizeof(req));
	req.case_id = (char *)case_id;
	if ((r = ntk_pg_call_check(&req, reason, out)) != 0)
		return r;
	if (out->outcome == NTK_ALLOW_BREAK_GLASS)
		ntk_pg_facts_forget_role(GetUserId());
	return 0;
}

/*
 * Bring the daemon's clock forward to now, by the local time elapsed since
 * the fetch. The day stays the daemon's: `until=` dates are days in ntkd's
 * time zone, and ntkd makes facts expire at its midnight. Decisions depend
 * on the facts and on this clock alone (whole seconds and days), so the
 * remembered ones stay valid until it moves: most statements then decide
 * nothing twice.
 */
static void
ntk_pg_facts_clock(struct ntk_pg_facts *f, time_t now)
{
	int64_t elapsed = now > f->fetched ? (int64_t)(now - f->fetched) : 0;
	struct ntk_clock c;

	c.now = f->rep.clock.now + elapsed;
	c.today = f->rep.clock.today;
	if (f->gen != 0 && c.now == f->clock.now && c.today == f->clock.today)
		return;
	f->clock = c;
	if (++ntk_pg_generation == 0)
		ntk_pg_generation = 1;
	f->gen = ntk_pg_generation;
	f->nused = 0;
}

/* The cases the subject's own facts name; the open cases it may reach are among them. */
static int
ntk_pg_facts_derive(struct ntk_pg_facts *f)
{
	const struct ntk_subject *s = &f->rep.subject;
	size_t i, n = 0;

	if (f->rep.outcome != NTK_ALLOW_SYSTEM_ACCESS || !s->found)
		return 0;
	f->candidates = calloc(s->nassignments + s->nsupervised + s->ngrants + 1,
	    sizeof(*f->candidates));
	f->visible[NTK_ACTION_READ] = calloc(s->nassignments + s->nsupervised + s->ngrants + 1,
	    sizeof(*f->candidates));
	f->visible[NTK_ACTION_WRITE] = calloc(s->nassignments + s->nsupervised + s->ngrants + 1,
	    sizeof(*f->candidates));
	if (f->candidates == NULL || f->visible[NTK_ACTION_READ] == NULL ||
	    f->visible[NTK_ACTION_WRITE] == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < s->nassignments; i++)
		f->candidates[n++] = s->assignments[i].case_id;
	for (i = 0; i < s->nsupervised; i++)
		f->candidates[n++] = s->supervised[i].assignment.case_id;
	for (i = 0; i < s->ngrants; i++)
		f->candidates[n++] = s->grants[i].case_id;
	f->ncandidates = n;
	return 0;
}

const struct ntk_pg_facts *
ntk_pg_facts_get(int *err)
{
	TimestampTz stmt = GetCurrentStatementStartTimestamp();
	Oid role = GetUserId();
	const char *system = ntk_pg_system != NULL ? ntk_pg_system : "";
	struct ntk_pg_facts *f, *nf = NULL;
	char *user = NULL;
	size_t i, slot = 0;
	time_t now;
	int r;

	*err = 0;
	f = ntk_pg_last;
	if (f != NULL && f->stmt == stmt && f->roleid == role && strcmp(f->system, system) == 0)
		return f;
	ntk_pg_last = NULL;
	for (i = 0; i < NTK_PG_FACTS_KEPT; i++) {
		f = ntk_pg_kept[i];
		if (f == NULL || f->roleid != role || strcmp(f->system, system) != 0)
			continue;
		if (f->stmt == stmt)
			return ntk_pg_last = f;
		now = time(NULL);
		if (now >= f->fetched && now - f->fetched <
		    (time_t)Min((uint32_t)ntk_pg_cache_seconds, f->rep.max_age)) {
			f->stmt = stmt;
			ntk_pg_facts_clock(f, now);
			return ntk_pg_last = f;
		}
		/* Too old: never to be used again, whatever happens now. */
		ntk_pg_facts_free(f);
		ntk_pg_kept[i] = NULL;
	}
	if (ntk_pg_failed && ntk_pg_fail_stmt == stmt) {
		*err = ntk_pg_fail_err;
		return NULL;
	}
	/* An empty place, or the longest-held facts make room. */
	for (i = 0; i < NTK_PG_FACTS_KEPT; i++) {
		if (ntk_pg_kept[i] == NULL) {
			slot = i;
			break;
		}
		if (ntk_pg_kept[i]->fetched < ntk_pg_kept[slot]->fetched)
			slot = i;
	}
	ntk_pg_facts_free(ntk_pg_kept[slot]);
	ntk_pg_kept[slot] = NULL;
	if (system[0] == '\0') {
		r = NTK_ERR_CONFIG;
		goto out;
	}
	user = GetUserNameFromId(role, false);
	if ((nf = calloc(1, sizeof(*nf))) == NULL ||
	    (nf->user = strdup(user)) == NULL ||
	    (nf->system = strdup(system)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	nf->roleid = role;
	if ((r = ntk_pg_fetch(user, system, &nf->rep)) != 0)
		goto out;
	ntk_pg_remember_deny_message(system, nf->rep.deny_message);
	nf->fetched = time(NULL);
	nf->stmt = stmt;
	ntk_pg_facts_clock(nf, nf->fetched);
	if ((r = ntk_pg_facts_derive(nf)) != 0)
		goto out;
	ntk_pg_kept[slot] = nf;
	nf = NULL;
 out:
	if (user != NULL)
		pfree(user);
	ntk_pg_facts_free(nf);
	if (r != 0) {
		ntk_pg_failed = true;
		ntk_pg_fail_err = r;
		ntk_pg_fail_stmt = stmt;
		*err = r;
		return NULL;
	}
	return ntk_pg_last = ntk_pg_kept[slot];
}

enum ntk_outcome
ntk_pg_facts_outcome(const struct ntk_pg_facts *f)
{
	return f->rep.outcome;
}

/* A valid case id that none of the subject's facts names: what "any other case" decides. */
static void
ntk_pg_probe_case(const struct ntk_pg_facts *f, char *buf, size_t len)
{
	size_t i, n;

	strlcpy(buf, "ntk.any-other-case", len);
	for (;;) {
		for (i = 0; i < f->ncandidates; i++)
			if (strcmp(f->candidates[i], buf) == 0)
				break;
		if (i == f->ncandidates || (n = strlen(buf)) + 1 >= len || n >= NTK_CASE_ID_MAX)
			return;
		buf[n] = '.';
		buf[n + 1] = '\0';
	}
}

/* visible and covers_all for the statement: decided once per generation (the clock may move). */
static void
ntk_pg_facts_reach(const struct ntk_pg_facts *cf, enum ntk_action action)
{
	struct ntk_pg_facts *f = (struct ntk_pg_facts *)cf;
	char probe[NTK_CASE_ID_MAX + 1];
	bool all;
	size_t i, n = 0;

	if (f->vis_gen[action] == f->gen)
		return;
	f->vis_gen[action] = f->gen;
	f->nvisible[action] = 0;
	f->covers_all[action] = false;
	if (f->rep.outcome != NTK_ALLOW_SYSTEM_ACCESS || f->candidates == NULL)
		return;
	ntk_pg_probe_case(f, probe, sizeof(probe));
	all = ntk_outcome_allows(ntk_pg_facts_decide(f, probe, NTK_STATE_OPEN, action));
	for (i = 0; i < f->ncandidates; i++) {
		if (ntk_outcome_allows(ntk_pg_facts_decide(f, f->candidates[i], NTK_STATE_OPEN, action)))
			f->visible[action][n++] = f->candidates[i];
		else
			all = false;
	}
	f->nvisible[action] = n;
	f->covers_all[action] = all;
}

bool
ntk_pg_facts_any_case_allows(const struct ntk_pg_facts *f, enum ntk_case_state state,
    enum ntk_action action)
{
	char probe[NTK_CASE_ID_MAX + 1];

	if (f->rep.outcome != NTK_ALLOW_SYSTEM_ACCESS || f->candidates == NULL)
		return false;
	ntk_pg_probe_case(f, probe, sizeof(probe));
	return ntk_outcome_allows(ntk_pg_facts_decide(f, probe, state, action));
}

bool
ntk_pg_facts_covers_all(const struct ntk_pg_facts *f, enum ntk_action action)
{
	if (action != NTK_ACTION_READ && action != NTK_ACTION_WRITE)
		return false;
	ntk_pg_facts_reach(f, action);
	return f->covers_all[action];
}

size_t
ntk_pg_facts_visible(const struct ntk_pg_facts *f, enum ntk_action action, const char *const **ids)
{
	*ids = NULL;
	if (action != NTK_ACTION_READ && action != NTK_ACTION_WRITE)
		return 0;
	ntk_pg_facts_reach(f, action);
	*ids = f->visible[action];
	return f->nvisible[action];
}

uint32_t
ntk_pg_facts_generation(const struct ntk_pg_facts *f)
{
	return f->gen;
}

const char *
ntk_pg_facts_user(const struct ntk_pg_facts *f)
{
	return f->user;
}

static uint32_t
ntk_pg_hash(const char *s, size_t len, unsigned state, unsigned action)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	h ^= state * 31u + action;
	h *= 16777619u;
	return h;
}

static enum ntk_outcome
ntk_pg_decide_uncached(const struct ntk_pg_facts *f, const char *case_id,
    enum ntk_case_state state, enum ntk_action action)
{
	struct ntk_query q = { .system = f->system, .action = action, .case_id = case_id,
	    .state = state };
	struct ntk_decision d;

	ntk_policy_decide(&f->rep.policy, &f->rep.subject, &q, &f->clock, &d);
	return d.outcome;
}

void
ntk_pg_facts_decision(const struct ntk_pg_facts *f, const char *case_id,
    enum ntk_case_state state, enum ntk_action action, struct ntk_decision *out)
{
	struct ntk_query q = { .system = f->system, .action = action, .case_id = case_id,
	    .state = state };

	memset(out, 0, sizeof(*out));
	if (f->rep.outcome != NTK_ALLOW_SYSTEM_ACCESS) {
		out->outcome = f->rep.outcome;
		return;
	}
	ntk_policy_decide(&f->rep.policy, &f->rep.subject, &q, &f->clock, out);
}

/* Double the table, keeping the current generation's entries; false when it cannot grow. */
static bool
ntk_pg_slots_grow(struct ntk_pg_facts *f)
{
	size_t n = f->nslots == 0 ? NTK_PG_SLOTS_MIN : f->nslots * 2, i;
	struct ntk_pg_slot *ns;

	if (n > NTK_PG_SLOTS_MAX || (ns = calloc(n, sizeof(*ns))) == NULL)
		return false;
	f->nused = 0;
	for (i = 0; i < f->nslots; i++) {
		struct ntk_pg_slot *o = &f->slots[i];
		size_t j;

		if (o->gen != f->gen)
			continue;
		j = ntk_pg_hash(o->case_id, strlen(o->case_id), o->state, o->action) & (n - 1);
		while (ns[j].gen != 0)
			j = (j + 1) & (n - 1);
		ns[j] = *o;
		f->nused++;
	}
	free(f->slots);
	f->slots = ns;
	f->nslots = n;
	return true;
}

enum ntk_outcome
ntk_pg_facts_decide(const struct ntk_pg_facts *cf, const char *case_id,
    enum ntk_case_state state, enum ntk_action action)
{
	/* The cache is bookkeeping, not a fact: callers see the facts as constant. */
	struct ntk_pg_facts *f = (struct ntk_pg_facts *)cf;
	size_t len = strlen(case_id), j;
	struct ntk_pg_slot *s;
	enum ntk_outcome o;
	uint32_t h;

	if (f->rep.outcome != NTK_ALLOW_SYSTEM_ACCESS)
		return f->rep.outcome;
	if (len > NTK_CASE_ID_MAX)
		return ntk_pg_decide_uncached(f, case_id, state, action);
	h = ntk_pg_hash(case_id, len, state, action);
	if (f->nslots != 0) {
		for (j = h & (f->nslots - 1);; j = (j + 1) & (f->nslots - 1)) {
			s = &f->slots[j];
			if (s->gen != f->gen)
				break;
			if (s->state == state && s->action == action && strcmp(s->case_id, case_id) == 0)
				return (enum ntk_outcome)s->outcome;
		}
	}
	o = ntk_pg_decide_uncached(f, case_id, state, action);
	if ((f->nused + 1) * 4 > f->nslots * 3 && !ntk_pg_slots_grow(f))
		return o;
	for (j = h & (f->nslots - 1); f->slots[j].gen == f->gen; j = (j + 1) & (f->nslots - 1))
		;
	s = &f->slots[j];
	f->nused++;
	s->gen = f->gen;
	s->state = (uint8_t)state;
	s->action = (uint8_t)action;
	s->outcome = (uint8_t)o;
	memcpy(s->case_id, case_id, len + 1);
	return o;
}
