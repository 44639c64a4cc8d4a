/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statement accounting for the ntk extension: rows the policy hid, summarised once per top-level statement. */
#include "postgres.h"

#include <stdio.h>
#include <string.h>

#include "access/xact.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"

#include "ntk_err.h"
#include "ntk_pg.h"
#include "ntk_proto.h"

/*
 * What the running top-level statement has hidden so far, per role (a
 * SECURITY DEFINER function switches roles, maybe on every row: each role
 * gets one report). Static arrays: no allocation to fail.
 */
struct ntk_pg_pending {
	uint32_t rows;                  /* 0: a free entry */
	char user[NTK_NAME_MAX + 1];
	enum ntk_action action;
	enum ntk_outcome outcome;       /* the first denial's */
	char query_id[64];              /* taken at the first denial, while the query is known */
	char cases[NTK_REPORT_CASES_MAX][NTK_CASE_ID_MAX + 1];
	size_t ncases;
};

#define NTK_PG_PENDING_ROLES 4
static struct ntk_pg_pending ntk_pg_pending[NTK_PG_PENDING_ROLES];
static bool ntk_pg_any_pending;

static ExecutorEnd_hook_type ntk_pg_prev_end;

/* The statement's query id when compute_query_id gives one, else a hash of the client's query text. */
static void
ntk_pg_query_id(char *buf, size_t len)
{
	uint64 qid = pgstat_get_my_query_id();
	const char *src = debug_query_string;

	if (qid != 0) {
		snprintf(buf, len, "%lld", (long long)(int64)qid);
		return;
	}
	if (src == NULL) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "text:%016llx",
	    (unsigned long long)hash_bytes_extended((const unsigned char *)src,
	    (int)strlen(src), 0));
}

/* Send one role's report and forget it. Never throws: also runs while a transaction aborts. */
static int
ntk_pg_flush_one(struct ntk_pg_pending *p)
{
	char *cases[NTK_REPORT_CASES_MAX];
	size_t i;
	int r;

	if (p->rows == 0)
		return 0;
	for (i = 0; i < p->ncases; i++)
		cases[i] = p->cases[i];
	r = ntk_pg_report_send(p->user, p->action, p->outcome, p->rows, p->query_id, cases,
	    p->ncases);
	p->rows = 0;
	p->ncases = 0;
	return r;
}

static void
ntk_pg_flush_one_warn(struct ntk_pg_pending *p)
{
	uint32_t rows = p->rows;
	int r;

	if ((r = ntk_pg_flush_one(p)) != 0)
		ereport(WARNING,
		    (errmsg("ntk: could not report %u hidden rows to ntkd: %s", rows, ntk_strerror(r))));
}

/* Send every role's report; with `warn`, say so when one cannot be sent. */
static void
ntk_pg_flush_all(bool warn)
{
	size_t i;

	if (!ntk_pg_any_pending)
		return;
	ntk_pg_any_pending = false;
	for (i = 0; i < NTK_PG_PENDING_ROLES; i++) {
		if (warn)
			ntk_pg_flush_one_warn(&ntk_pg_pending[i]);
		else
			(void)ntk_pg_flush_one(&ntk_pg_pending[i]);
	}
}

void
ntk_pg_report_denied(const char *user, const char *case_id, enum ntk_action action,
    enum ntk_outcome outcome)
{
	struct ntk_pg_pending *p = NULL;
	size_t i;

	for (i = 0; i < NTK_PG_PENDING_ROLES && p == NULL; i++)
		if (ntk_pg_pending[i].rows != 0 && strcmp(ntk_pg_pending[i].user, user) == 0)
			p = &ntk_pg_pending[i];
	for (i = 0; i < NTK_PG_PENDING_ROLES && p == NULL; i++)
		if (ntk_pg_pending[i].rows == 0)
			p = &ntk_pg_pending[i];
	if (p == NULL) {
		/* More roles than entries in one statement: the first one's report goes now. */
		p = &ntk_pg_pending[0];
		ntk_pg_flush_one_warn(p);
	}
	ntk_pg_any_pending = true;
	if (p->rows == 0) {
		ntk_pg_query_id(p->query_id, sizeof(p->query_id));
		strlcpy(p->user, user, sizeof(p->user));
		p->action = action;
		p->outcome = outcome;
		p->ncases = 0;
	}
	if (p->rows != UINT32_MAX)
		p->rows++;
	if (action == NTK_ACTION_WRITE)
		p->action = NTK_ACTION_WRITE;
	if (case_id == NULL || p->ncases == NTK_REPORT_CASES_MAX || strlen(case_id) > NTK_CASE_ID_MAX)
		return;
	for (i = 0; i < p->ncases; i++)
		if (strcmp(p->cases[i], case_id) == 0)
			return;
	strlcpy(p->cases[p->ncases++], case_id, NTK_CASE_ID_MAX + 1);
}

/*
 * The client's own statement ends: its query text is the one the backend
 * is running (the same pointer). Queries of functions, triggers and DO
 * blocks have texts of their own, and add to the statement's report; what
 * is left when no client statement ends (DO, CALL, a cursor) goes at
 * transaction end. A depth counter would not do: the library is loaded
 * lazily, often while the outer statement already runs.
 */
static void
ntk_pg_executor_end(QueryDesc *qd)
{
	bool top = qd->sourceText != NULL && qd->sourceText == debug_query_string;

	if (ntk_pg_prev_end != NULL)
		ntk_pg_prev_end(qd);
	else
		standard_ExecutorEnd(qd);
	if (top)
		ntk_pg_flush_all(true);
}

/* A statement that failed half way has still hidden what it hid: report it, quietly. */
static void
ntk_pg_xact_callback(XactEvent event, void *arg)
{
	switch (event) {
	case XACT_EVENT_ABORT:
	case XACT_EVENT_PARALLEL_ABORT:
	case XACT_EVENT_COMMIT:
	case XACT_EVENT_PARALLEL_COMMIT:
		ntk_pg_flush_all(false);
		break;
	default:
		break;
	}
}

void
ntk_pg_report_init(void)
{
	ntk_pg_prev_end = ExecutorEnd_hook;
	ExecutorEnd_hook = ntk_pg_executor_end;
	RegisterXactCallback(ntk_pg_xact_callback, NULL);
}
