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

/* What the running top-level statement has hidden so far. Static arrays: no allocation to fail. */
static struct {
	uint32_t rows;
	char user[NTK_NAME_MAX + 1];
	enum ntk_action action;
	enum ntk_outcome outcome;       /* the first denial's */
	char query_id[64];              /* taken at the first denial, while the query is known */
	char cases[NTK_REPORT_CASES_MAX][NTK_CASE_ID_MAX + 1];
	size_t ncases;
} ntk_pg_pending;

/* Executor depth: a report is sent when the outermost executor ends. */
static int ntk_pg_nesting;

static ExecutorRun_hook_type ntk_pg_prev_run;
static ExecutorFinish_hook_type ntk_pg_prev_finish;
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

/* Send what is pending and forget it. Never throws: also runs while a transaction aborts. */
static int
ntk_pg_flush(void)
{
	char *cases[NTK_REPORT_CASES_MAX];
	size_t i;
	int r;

	if (ntk_pg_pending.rows == 0)
		return 0;
	for (i = 0; i < ntk_pg_pending.ncases; i++)
		cases[i] = ntk_pg_pending.cases[i];
	r = ntk_pg_report_send(ntk_pg_pending.user, ntk_pg_pending.action,
	    ntk_pg_pending.outcome, ntk_pg_pending.rows, ntk_pg_pending.query_id, cases,
	    ntk_pg_pending.ncases);
	ntk_pg_pending.rows = 0;
	ntk_pg_pending.ncases = 0;
	return r;
}

static void
ntk_pg_flush_warn(void)
{
	uint32_t rows = ntk_pg_pending.rows;
	int r;

	if ((r = ntk_pg_flush()) != 0)
		ereport(WARNING,
		    (errmsg("ntk: could not report %u hidden rows to ntkd: %s", rows, ntk_strerror(r))));
}

void
ntk_pg_report_denied(const char *user, const char *case_id, enum ntk_action action,
    enum ntk_outcome outcome)
{
	size_t i;

	/* A role change inside a statement (SECURITY DEFINER) starts a report of its own. */
	if (ntk_pg_pending.rows != 0 && strcmp(ntk_pg_pending.user, user) != 0)
		ntk_pg_flush_warn();
	if (ntk_pg_pending.rows == 0) {
		ntk_pg_query_id(ntk_pg_pending.query_id, sizeof(ntk_pg_pending.query_id));
		strlcpy(ntk_pg_pending.user, user, sizeof(ntk_pg_pending.user));
		ntk_pg_pending.action = action;
		ntk_pg_pending.outcome = outcome;
		ntk_pg_pending.ncases = 0;
	}
	if (ntk_pg_pending.rows != UINT32_MAX)
		ntk_pg_pending.rows++;
	if (action == NTK_ACTION_WRITE)
		ntk_pg_pending.action = NTK_ACTION_WRITE;
	if (case_id == NULL || ntk_pg_pending.ncases == NTK_REPORT_CASES_MAX ||
	    strlen(case_id) > NTK_CASE_ID_MAX)
		return;
	for (i = 0; i < ntk_pg_pending.ncases; i++)
		if (strcmp(ntk_pg_pending.cases[i], case_id) == 0)
			return;
	strlcpy(ntk_pg_pending.cases[ntk_pg_pending.ncases++], case_id, NTK_CASE_ID_MAX + 1);
}

static void
ntk_pg_executor_run(QueryDesc *qd, ScanDirection dir, uint64 count, bool once)
{
	ntk_pg_nesting++;
	PG_TRY();
	{
		if (ntk_pg_prev_run != NULL)
			ntk_pg_prev_run(qd, dir, count, once);
		else
			standard_ExecutorRun(qd, dir, count, once);
	}
	PG_FINALLY();
	{
		ntk_pg_nesting--;
	}
	PG_END_TRY();
}

static void
ntk_pg_executor_finish(QueryDesc *qd)
{
	ntk_pg_nesting++;
	PG_TRY();
	{
		if (ntk_pg_prev_finish != NULL)
			ntk_pg_prev_finish(qd);
		else
			standard_ExecutorFinish(qd);
	}
	PG_FINALLY();
	{
		ntk_pg_nesting--;
	}
	PG_END_TRY();
}

static void
ntk_pg_executor_end(QueryDesc *qd)
{
	if (ntk_pg_prev_end != NULL)
		ntk_pg_prev_end(qd);
	else
		standard_ExecutorEnd(qd);
	if (ntk_pg_nesting == 0 && ntk_pg_pending.rows != 0)
		ntk_pg_flush_warn();
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
		(void)ntk_pg_flush();
		ntk_pg_nesting = 0;
		break;
	default:
		break;
	}
}

void
ntk_pg_report_init(void)
{
	ntk_pg_prev_run = ExecutorRun_hook;
	ExecutorRun_hook = ntk_pg_executor_run;
	ntk_pg_prev_finish = ExecutorFinish_hook;
	ExecutorFinish_hook = ntk_pg_executor_finish;
	ntk_pg_prev_end = ExecutorEnd_hook;
	ExecutorEnd_hook = ntk_pg_executor_end;
	RegisterXactCallback(ntk_pg_xact_callback, NULL);
}
