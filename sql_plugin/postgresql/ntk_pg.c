/* The PostgreSQL extension ntk: settings and the SQL-callable functions of schema ntk. */
#include "postgres.h"

#include <string.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/primnodes.h"
#include "nodes/supportnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "ntk_err.h"
#include "ntk_pg.h"
#include "ntk_policy.h"

PG_MODULE_MAGIC;

char *ntk_pg_system;
char *ntk_pg_socket;
int ntk_pg_timeout_ms = 2000;
int ntk_pg_cache_seconds = 5;

/* Row checks warn once per statement when ntkd cannot be asked. */
static TimestampTz ntk_pg_warned_stmt;

void _PG_init(void);

void
_PG_init(void)
{
	DefineCustomStringVariable("ntk.system",
	    "The system this database is, as named in ntk.conf (e.g. FACTS).",
	    NULL, &ntk_pg_system, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("ntk.socket",
	    "The ntkd socket.",
	    NULL, &ntk_pg_socket, NTK_DEFAULT_SOCKET, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("ntk.timeout",
	    "How long to wait for ntkd before failing closed.",
	    NULL, &ntk_pg_timeout_ms, 2000, 100, 60000, PGC_SUSET, GUC_UNIT_MS,
	    NULL, NULL, NULL);
	DefineCustomIntVariable("ntk.cache_seconds",
	    "How long a role's facts from ntkd are reused across statements (0: fetched for each statement).",
	    NULL, &ntk_pg_cache_seconds, 5, 0, 300, PGC_SUSET, GUC_UNIT_S,
	    NULL, NULL, NULL);
	MarkGUCPrefixReserved("ntk");
	ntk_pg_report_init();
}

/* open/closed/sealed and read/write, straight from the text bytes: rows do not allocate. */
static bool
ntk_pg_word(const text *t, const char *word)
{
	size_t n = strlen(word);

	return VARSIZE_ANY_EXHDR(t) == n && memcmp(VARDATA_ANY(t), word, n) == 0;
}

static bool
ntk_pg_state(const text *t, enum ntk_case_state *out)
{
	if (ntk_pg_word(t, "open"))
		*out = NTK_STATE_OPEN;
	else if (ntk_pg_word(t, "closed"))
		*out = NTK_STATE_CLOSED;
	else if (ntk_pg_word(t, "sealed"))
		*out = NTK_STATE_SEALED;
	else
		return false;
	return true;
}

static bool
ntk_pg_access(const text *t, enum ntk_action *out)
{
	if (ntk_pg_word(t, "read"))
		*out = NTK_ACTION_READ;
	else if (ntk_pg_word(t, "write"))
		*out = NTK_ACTION_WRITE;
	else
		return false;
	return true;
}

static const char *
ntk_pg_socket_path(void)
{
	return ntk_pg_socket != NULL && ntk_pg_socket[0] != '\0' ? ntk_pg_socket : NTK_DEFAULT_SOCKET;
}

static void
ntk_pg_facts_error(int err)
{
	if (err == NTK_ERR_CONFIG)
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: ntk.system is not set"),
		     errhint("Set ntk.system to the name this database has in ntk.conf, e.g. ALTER DATABASE ... SET ntk.system = 'FACTS'.")));
	ereport(ERROR,
	    (errcode(ERRCODE_CONNECTION_FAILURE),
	     errmsg("ntk: cannot get a decision from ntkd at \"%s\": %s",
	     ntk_pg_socket_path(), ntk_strerror(err)),
	     errdetail("Access is denied while ntkd cannot be asked.")));
}

/* The facts for the policy's functions: NULL hides the rows, with one warning per statement. */
static const struct ntk_pg_facts *
ntk_pg_row_facts(void)
{
	const struct ntk_pg_facts *f;
	TimestampTz stmt;
	int err;

	if ((f = ntk_pg_facts_get(&err)) != NULL)
		return f;
	stmt = GetCurrentStatementStartTimestamp();
	if (ntk_pg_warned_stmt != stmt) {
		ntk_pg_warned_stmt = stmt;
		ereport(WARNING,
		    (errmsg("ntk: rows hidden: no decision from ntkd at \"%s\": %s",
		     ntk_pg_socket_path(), err == NTK_ERR_CONFIG ?
		     "ntk.system is not set" : ntk_strerror(err))));
	}
	return NULL;
}

/* The explicit functions' arguments: case id, state and access, all checked. */
static void
ntk_pg_explicit_args(FunctionCallInfo fcinfo, char **case_id, enum ntk_case_state *state,
    enum ntk_action *action)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
		    (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		     errmsg("ntk: case id, state and access must not be null")));
	if (!ntk_pg_state(PG_GETARG_TEXT_PP(1), state))
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: state must be open, closed or sealed")));
	if (!ntk_pg_access(PG_GETARG_TEXT_PP(2), action))
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: access must be read or write")));
	*case_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
}

PG_FUNCTION_INFO_V1(ntk_pg_fn_can_access);
Datum
ntk_pg_fn_can_access(PG_FUNCTION_ARGS)
{
	const struct ntk_pg_facts *f;
	enum ntk_case_state state;
	enum ntk_action action;
	char *case_id;
	int err;

	ntk_pg_explicit_args(fcinfo, &case_id, &state, &action);
	if ((f = ntk_pg_facts_get(&err)) == NULL)
		ntk_pg_facts_error(err);
	PG_RETURN_BOOL(ntk_outcome_allows(ntk_pg_facts_decide(f, case_id, state, action)));
}

PG_FUNCTION_INFO_V1(ntk_pg_fn_explain);
Datum
ntk_pg_fn_explain(PG_FUNCTION_ARGS)
{
	const struct ntk_pg_facts *f;
	struct ntk_decision d;
	enum ntk_case_state state;
	enum ntk_action action;
	char *case_id, line[512];
	int err;

	ntk_pg_explicit_args(fcinfo, &case_id, &state, &action);
	if ((f = ntk_pg_facts_get(&err)) == NULL)
		ntk_pg_facts_error(err);
	ntk_pg_facts_decision(f, case_id, state, action, &d);
	if ((err = ntk_decision_format(&d, line, sizeof(line))) != 0)
		ereport(ERROR, (errmsg("ntk: %s", ntk_strerror(err))));
	PG_RETURN_TEXT_P(cstring_to_text(line));
}

/* An explicit check that ntkd decides and audits: a denial is an error and a record of its own. */
PG_FUNCTION_INFO_V1(ntk_pg_fn_require);
Datum
ntk_pg_fn_require(PG_FUNCTION_ARGS)
{
	enum ntk_case_state state;
	enum ntk_action action;
	enum ntk_outcome outcome;
	char *case_id, verdict[512];
	int err;

	ntk_pg_explicit_args(fcinfo, &case_id, &state, &action);
	if ((err = ntk_pg_check(case_id, state, action, false, verdict, sizeof(verdict),
	    &outcome)) != 0)
		ntk_pg_facts_error(err);
	if (!ntk_outcome_allows(outcome))
		ereport(ERROR,
		    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		     errmsg("ntk: %s access to case \"%s\" (%s) denied: %s",
		     ntk_action_name(action), case_id, ntk_state_name(state), verdict)));
	PG_RETURN_VOID();
}

/* The row check of every policy: never an error, never a call to ntkd per row. */
PG_FUNCTION_INFO_V1(ntk_pg_fn_row_allowed);
Datum
ntk_pg_fn_row_allowed(PG_FUNCTION_ARGS)
{
	const struct ntk_pg_facts *f;
	enum ntk_case_state state;
	enum ntk_action action = NTK_ACTION_READ;
	enum ntk_outcome outcome;
	char buf[NTK_CASE_ID_MAX + 1], *case_id = NULL;

	if (!PG_ARGISNULL(2) && !ntk_pg_access(PG_GETARG_TEXT_PP(2), &action))
		PG_RETURN_BOOL(false);
	if ((f = ntk_pg_row_facts()) == NULL)
		PG_RETURN_BOOL(false);
	if (!PG_ARGISNULL(0)) {
		text *t = PG_GETARG_TEXT_PP(0);
		size_t n = VARSIZE_ANY_EXHDR(t);

		if (n <= NTK_CASE_ID_MAX) {
			memcpy(buf, VARDATA_ANY(t), n);
			buf[n] = '\0';
			case_id = buf;
		} else {
			case_id = text_to_cstring(t);
		}
	}
	/* No case id, or a state nobody declared: hidden from everyone, and counted. */
	if (case_id == NULL || PG_ARGISNULL(1) || !ntk_pg_state(PG_GETARG_TEXT_PP(1), &state))
		outcome = NTK_DENY_NO_BUSINESS_REASON;
	else
		outcome = ntk_pg_facts_decide(f, case_id, state, action);
	if (ntk_outcome_allows(outcome))
		PG_RETURN_BOOL(true);
	ntk_pg_report_denied(ntk_pg_facts_user(f), case_id, action, outcome);
	PG_RETURN_BOOL(false);
}

/* The cases the role can possibly reach: a superset the index narrows to before row_allowed decides. */
PG_FUNCTION_INFO_V1(ntk_pg_fn_visible_cases);
Datum
ntk_pg_fn_visible_cases(PG_FUNCTION_ARGS)
{
	/* Built once per statement (it runs per row where it is not an index condition). */
	static ArrayType *cached;
	static uint32_t cached_gen;
	const struct ntk_pg_facts *f;
	const char *const *ids;
	MemoryContext old;
	Datum *elems;
	ArrayType *copy;
	size_t n = 0, i;

	if ((f = ntk_pg_row_facts()) == NULL || ntk_pg_facts_outcome(f) != NTK_ALLOW_SYSTEM_ACCESS)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	if (cached == NULL || cached_gen != ntk_pg_facts_generation(f)) {
		if (cached != NULL)
			pfree(cached);
		cached = NULL;
		n = ntk_pg_facts_visible(f, &ids);
		old = MemoryContextSwitchTo(TopMemoryContext);
		elems = palloc(sizeof(Datum) * (n + 1));
		for (i = 0; i < n; i++)
			elems[i] = PointerGetDatum(cstring_to_text(ids[i]));
		cached = construct_array(elems, (int)n, TEXTOID, -1, false, TYPALIGN_INT);
		for (i = 0; i < n; i++)
			pfree(DatumGetPointer(elems[i]));
		pfree(elems);
		MemoryContextSwitchTo(old);
		cached_gen = ntk_pg_facts_generation(f);
	}
	copy = palloc(VARSIZE(cached));
	memcpy(copy, cached, VARSIZE(cached));
	PG_RETURN_ARRAYTYPE_P(copy);
}

static bool
ntk_pg_covers_all(const text *access)
{
	const struct ntk_pg_facts *f;
	enum ntk_action action;

	if (!ntk_pg_access(access, &action) || (f = ntk_pg_row_facts()) == NULL ||
	    ntk_pg_facts_outcome(f) != NTK_ALLOW_SYSTEM_ACCESS)
		return false;
	return ntk_pg_facts_covers_all(f, action);
}

PG_FUNCTION_INFO_V1(ntk_pg_fn_covers_all);
Datum
ntk_pg_fn_covers_all(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(ntk_pg_covers_all(PG_GETARG_TEXT_PP(0)));
}

/*
 * Planner support for covers_all: the plan is made for one role (PostgreSQL
 * replans when the role changes under row-level security), so the call is
 * replaced by its value. `(false OR case = ANY(visible_cases(...)))` then
 * leaves an index condition; `true OR ...` leaves row_allowed alone.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_covers_all_support);
Datum
ntk_pg_fn_covers_all_support(PG_FUNCTION_ARGS)
{
	Node *req = (Node *)PG_GETARG_POINTER(0);
	SupportRequestSimplify *simp;
	Const *arg;

	if (!IsA(req, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	simp = (SupportRequestSimplify *)req;
	if (list_length(simp->fcall->args) != 1 || !IsA(linitial(simp->fcall->args), Const))
		PG_RETURN_POINTER(NULL);
	arg = (Const *)linitial(simp->fcall->args);
	if (arg->constisnull)
		PG_RETURN_POINTER(NULL);
	PG_RETURN_POINTER(makeBoolConst(ntk_pg_covers_all(DatumGetTextPP(arg->constvalue)), false));
}
