/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PostgreSQL extension ntk: settings and the SQL-callable functions of schema ntk. */
#include "postgres.h"

#include <string.h>

#include "access/xact.h"
#include "access/stratnum.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
/* nodeFuncs.h declares its walker types without prototypes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include "nodes/nodeFuncs.h"
#pragma GCC diagnostic pop
#include "nodes/primnodes.h"
#include "nodes/supportnodes.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "ntk_assignment.h"
#include "ntk_err.h"
#include "ntk_pg.h"
#include "ntk_policy.h"
#include "ntk_proto.h"

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
		const char *advice = ntk_pg_deny_message();

		ntk_pg_warned_stmt = stmt;
		/* The system's deny_message as ntkd last sent it: it still says where to go. */
		ereport(WARNING,
		    (errmsg("ntk: rows hidden: no decision from ntkd at \"%s\": %s",
		     ntk_pg_socket_path(), err == NTK_ERR_CONFIG ?
		     "ntk.system is not set" : ntk_strerror(err)),
		     advice[0] != '\0' ? errhint("%s", advice) : 0));
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
	/*
	 * Release (an application's print/export/send) is asked explicitly; no
	 * SQL command releases a row, so the row functions keep read and write.
	 */
	if (ntk_pg_word(PG_GETARG_TEXT_PP(2), "release"))
		*action = NTK_ACTION_RELEASE;
	else if (!ntk_pg_access(PG_GETARG_TEXT_PP(2), action))
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: access must be read, write or release")));
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
	struct ntk_pg_verdict v;
	enum ntk_case_state state;
	enum ntk_action action;
	char *case_id;
	int err;

	ntk_pg_explicit_args(fcinfo, &case_id, &state, &action);
	if ((err = ntk_pg_check(case_id, state, action, false, &v)) != 0)
		ntk_pg_facts_error(err);
	if (!ntk_outcome_allows(v.outcome))
		ereport(ERROR,
		    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		     errmsg("ntk: %s access to case \"%s\" (%s) denied: %s",
		     ntk_action_name(action), case_id, ntk_state_name(state), v.verdict),
		     v.deny_message[0] != '\0' ? errhint("%s", v.deny_message) : 0));
	PG_RETURN_VOID();
}

/* A reason a review can read: some visible character, within what ntkd takes. */
static bool
ntk_pg_reason_given(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	return false;
}

/*
 * Break-glass for the session's own user, as `ntkctl decide --reason`:
 * ntkd grants it (the role allows it, the grant's record is in the audit
 * log) or refuses. Returns the grant's end; the case's rows are visible
 * from the next row decided. Only for the user who logged in: not under
 * SET ROLE or inside a SECURITY DEFINER function, where the grant and its
 * record would name someone else than the person stating the emergency.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_break_glass);
Datum
ntk_pg_fn_break_glass(PG_FUNCTION_ARGS)
{
	struct ntk_pg_verdict v;
	char *case_id, *reason;
	int err;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
		    (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		     errmsg("ntk: break-glass needs a case id and a reason")));
	case_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	reason = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (!ntk_case_id_valid(case_id))
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: break-glass: not a case id (1 to 64 of A-Z a-z 0-9 . _ : -)")));
	if (!ntk_pg_reason_given(reason))
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: break-glass needs a reason: the emergency, in words its review will read")));
	if (strlen(reason) > NTK_STR_MAX)
		ereport(ERROR,
		    (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		     errmsg("ntk: break-glass reason too long (at most %u bytes)", NTK_STR_MAX)));
	if (GetUserId() != GetSessionUserId())
		ereport(ERROR,
		    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		     errmsg("ntk: break-glass is only for the user who logged in"),
		     errdetail("The current role is not the session user (SET ROLE, or a SECURITY DEFINER function): a grant and its audit record must name the person stating the emergency.")));
	if ((err = ntk_pg_break_glass(case_id, reason, &v)) != 0)
		ntk_pg_facts_error(err);
	if (!ntk_outcome_allows(v.outcome))
		ereport(ERROR,
		    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		     errmsg("ntk: break-glass for case \"%s\" refused: %s", case_id, v.verdict),
		     errdetail("ntkd grants it to a role with break_glass = yes on this system, once the grant's audit record is in the audit log."),
		     v.deny_message[0] != '\0' ? errhint("%s", v.deny_message) : 0));
	if (v.outcome != NTK_ALLOW_BREAK_GLASS || v.grant_expires <= 0) {
		/* Allowed on another basis: nothing granted, nothing to expire. */
		ereport(NOTICE,
		    (errmsg("ntk: no break-glass needed for case \"%s\": %s; nothing granted",
		     case_id, v.verdict)));
		PG_RETURN_NULL();
	}
	PG_RETURN_TIMESTAMPTZ(time_t_to_timestamptz((pg_time_t)v.grant_expires));
}

/*
 * A row's case id as a C string: copied into the caller's buffer when it
 * fits a valid id (no palloc on the per-row path), else palloc'd so the
 * policy still sees, and denies, the whole value.
 */
static char *
row_case_id(text *t, char buf[NTK_CASE_ID_MAX + 1])
{
	size_t n = VARSIZE_ANY_EXHDR(t);

	if (n > NTK_CASE_ID_MAX)
		return text_to_cstring(t);
	memcpy(buf, VARDATA_ANY(t), n);
	buf[n] = '\0';
	return buf;
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
	if (!PG_ARGISNULL(0))
		case_id = row_case_id(PG_GETARG_TEXT_PP(0), buf);
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

/*
 * The cases the role may read (or write) when open, exactly: what an index
 * on the case column narrows to. Built once per statement and access.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_visible_cases);
Datum
ntk_pg_fn_visible_cases(PG_FUNCTION_ARGS)
{
	static ArrayType *cached[3];
	static uint32_t cached_gen[3];
	const struct ntk_pg_facts *f;
	const char *const *ids;
	enum ntk_action action;
	MemoryContext old;
	Datum *elems;
	ArrayType *copy;
	size_t n, i;

	if (!ntk_pg_access(PG_GETARG_TEXT_PP(0), &action) || (f = ntk_pg_row_facts()) == NULL ||
	    ntk_pg_facts_outcome(f) != NTK_ALLOW_SYSTEM_ACCESS)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	if (cached[action] == NULL || cached_gen[action] != ntk_pg_facts_generation(f)) {
		if (cached[action] != NULL)
			pfree(cached[action]);
		cached[action] = NULL;
		n = ntk_pg_facts_visible(f, action, &ids);
		old = MemoryContextSwitchTo(TopMemoryContext);
		elems = palloc(sizeof(Datum) * (n + 1));
		for (i = 0; i < n; i++)
			elems[i] = PointerGetDatum(cstring_to_text(ids[i]));
		cached[action] = construct_array(elems, (int)n, TEXTOID, -1, false, TYPALIGN_INT);
		for (i = 0; i < n; i++)
			pfree(DatumGetPointer(elems[i]));
		pfree(elems);
		MemoryContextSwitchTo(old);
		cached_gen[action] = ntk_pg_facts_generation(f);
	}
	copy = palloc(VARSIZE(cached[action]));
	memcpy(copy, cached[action], VARSIZE(cached[action]));
	PG_RETURN_ARRAYTYPE_P(copy);
}

/*
 * Whether the row's case is one the role may reach when open: the first
 * half of every policy. A case out of reach hides the row, counted for the
 * statement's record. Where an index on the case column serves, the
 * planner replaces this call by case = ANY (ntk.visible_cases(access)) (an
 * exact equivalent, see the support function), so rows out of reach are
 * never read.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_in_reach);
Datum
ntk_pg_fn_in_reach(PG_FUNCTION_ARGS)
{
	const struct ntk_pg_facts *f;
	enum ntk_action action;
	enum ntk_outcome outcome;
	char buf[NTK_CASE_ID_MAX + 1], *case_id = NULL;

	if (PG_ARGISNULL(1) || !ntk_pg_access(PG_GETARG_TEXT_PP(1), &action))
		PG_RETURN_BOOL(false);
	if ((f = ntk_pg_row_facts()) == NULL)
		PG_RETURN_BOOL(false);
	if (!PG_ARGISNULL(0))
		case_id = row_case_id(PG_GETARG_TEXT_PP(0), buf);
	outcome = case_id == NULL ? NTK_DENY_NO_BUSINESS_REASON :
	    ntk_pg_facts_decide(f, case_id, NTK_STATE_OPEN, action);
	if (ntk_outcome_allows(outcome))
		PG_RETURN_BOOL(true);
	ntk_pg_report_denied(ntk_pg_facts_user(f), case_id, action, outcome);
	PG_RETURN_BOOL(false);
}

/*
 * Planner support for in_reach, for the role the statement is planned for
 * (PostgreSQL replans a statement under row-level security when the role
 * changes). For a role that does not reach every case, an index on the
 * case column gets case = ANY (visible_cases(A)), exact (not lossy), because
 * visible_cases and in_reach decide from the same facts in the same
 * statement; the list is computed when the statement runs, so a kept plan
 * never shows a case the role no longer reaches.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_in_reach_support);
Datum
ntk_pg_fn_in_reach_support(PG_FUNCTION_ARGS)
{
	Node *req = (Node *)PG_GETARG_POINTER(0);
	SupportRequestIndexCondition *ic;
	const struct ntk_pg_facts *f;
	enum ntk_action action;
	Oid argtypes[1] = { TEXTOID };
	ScalarArrayOpExpr *sa;
	FuncExpr *fcall, *vis;
	Oid opno, visoid;
	Const *acc;

	/*
	 * Never simplified, not even to true for a role that reaches every case:
	 * a plan kept after the role lost that reach would show every case.
	 */
	if (!IsA(req, SupportRequestIndexCondition) ||
	    !IsA(((SupportRequestIndexCondition *)req)->node, FuncExpr))
		PG_RETURN_POINTER(NULL);
	ic = (SupportRequestIndexCondition *)req;
	fcall = (FuncExpr *)ic->node;
	if (list_length(fcall->args) != 2 || !IsA(lsecond(fcall->args), Const))
		PG_RETURN_POINTER(NULL);
	acc = (Const *)lsecond(fcall->args);
	if (acc->constisnull || !ntk_pg_access(DatumGetTextPP(acc->constvalue), &action))
		PG_RETURN_POINTER(NULL);
	if (ic->indexarg != 0 || !OidIsValid(ic->indexcollation) ||
	    !get_collation_isdeterministic(ic->indexcollation))
		PG_RETURN_POINTER(NULL);
	/* A role that reaches every case has nothing to narrow to. */
	f = ntk_pg_row_facts();
	if (f != NULL && ntk_pg_facts_outcome(f) == NTK_ALLOW_SYSTEM_ACCESS &&
	    ntk_pg_facts_covers_all(f, action))
		PG_RETURN_POINTER(NULL);
	opno = get_opfamily_member(ic->opfamily, TEXTOID, TEXTOID, BTEqualStrategyNumber);
	if (!OidIsValid(opno))
		PG_RETURN_POINTER(NULL);
	visoid = LookupFuncName(list_make2(makeString("ntk"), makeString("visible_cases")),
	    1, argtypes, true);
	if (!OidIsValid(visoid))
		PG_RETURN_POINTER(NULL);
	vis = makeFuncExpr(visoid, TEXTARRAYOID, list_make1(copyObject(acc)), InvalidOid,
	    DEFAULT_COLLATION_OID, COERCE_EXPLICIT_CALL);
	sa = makeNode(ScalarArrayOpExpr);
	sa->opno = opno;
	sa->opfuncid = get_opcode(opno);
	sa->useOr = true;
	sa->inputcollid = ic->indexcollation;
	sa->args = list_make2(copyObject(linitial(fcall->args)), vis);
	sa->location = -1;
	ic->lossy = false;
	PG_RETURN_POINTER(list_make1(sa));
}

/*
 * The second half of every policy: an open row of a case in reach is
 * allowed (in_reach decided it); any other state is decided by row_allowed.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_state_allowed);
Datum
ntk_pg_fn_state_allowed(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(1) && ntk_pg_word(PG_GETARG_TEXT_PP(1), "open"))
		PG_RETURN_BOOL(true);
	return ntk_pg_fn_row_allowed(fcinfo);
}

/* Whether the role may have any case in `state` (a cases = all role's flags, or a case it names). */
static bool
ntk_pg_state_possible(const struct ntk_pg_facts *f, enum ntk_case_state state,
    enum ntk_action action)
{
	const char *const *ids;
	size_t i, n;

	if (ntk_pg_facts_covers_all(f, action) || ntk_pg_facts_any_case_allows(f, state, action))
		return true;
	n = ntk_pg_facts_visible(f, action, &ids);
	for (i = 0; i < n; i++)
		if (ntk_outcome_allows(ntk_pg_facts_decide(f, ids[i], state, action)))
			return true;
	return false;
}

/*
 * Planner support for state_allowed, for the role the statement is planned
 * for: on an index whose column is the state column, the call becomes the
 * index condition state = 'open' when the role can have no closed or sealed
 * case (exact then, so a count is answered from an index on (case, state)
 * alone, with no call per row). Never a rewrite of the call itself: as a
 * filter it stays a call that costs more than a search's own leakproof
 * conditions, so those run first, and in_reach sees (and counts) a hidden
 * row before the state does. A plan kept while the role gains closed or
 * sealed cases shows them only once it is made again: fewer rows, never more.
 */
PG_FUNCTION_INFO_V1(ntk_pg_fn_state_allowed_support);
Datum
ntk_pg_fn_state_allowed_support(PG_FUNCTION_ARGS)
{
	Node *req = (Node *)PG_GETARG_POINTER(0);
	SupportRequestIndexCondition *ic;
	const struct ntk_pg_facts *f;
	enum ntk_action action;
	FuncExpr *fcall;
	Expr *open_eq;
	Oid opno;
	Const *acc;

	if (!IsA(req, SupportRequestIndexCondition))
		PG_RETURN_POINTER(NULL);
	ic = (SupportRequestIndexCondition *)req;
	if (!IsA(ic->node, FuncExpr) || ic->indexarg != 1)
		PG_RETURN_POINTER(NULL);
	fcall = (FuncExpr *)ic->node;
	if (list_length(fcall->args) != 3 || !IsA(lthird(fcall->args), Const))
		PG_RETURN_POINTER(NULL);
	acc = (Const *)lthird(fcall->args);
	if (acc->constisnull || !ntk_pg_access(DatumGetTextPP(acc->constvalue), &action))
		PG_RETURN_POINTER(NULL);
	if (!OidIsValid(ic->indexcollation) || !get_collation_isdeterministic(ic->indexcollation))
		PG_RETURN_POINTER(NULL);
	opno = get_opfamily_member(ic->opfamily, TEXTOID, TEXTOID, BTEqualStrategyNumber);
	if (!OidIsValid(opno))
		PG_RETURN_POINTER(NULL);
	if ((f = ntk_pg_row_facts()) == NULL || ntk_pg_facts_outcome(f) != NTK_ALLOW_SYSTEM_ACCESS)
		PG_RETURN_POINTER(NULL);
	if (ntk_pg_state_possible(f, NTK_STATE_CLOSED, action) ||
	    ntk_pg_state_possible(f, NTK_STATE_SEALED, action))
		PG_RETURN_POINTER(NULL);
	open_eq = make_opclause(opno, BOOLOID, false, (Expr *)copyObject(lsecond(fcall->args)),
	    (Expr *)makeConst(TEXTOID, -1, ic->indexcollation, -1, CStringGetTextDatum("open"),
	    false, false), InvalidOid, ic->indexcollation);
	set_opfuncid((OpExpr *)open_eq);
	ic->lossy = false;
	PG_RETURN_POINTER(list_make1(open_eq));
}
