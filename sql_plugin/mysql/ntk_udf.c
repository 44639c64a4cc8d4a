/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MariaDB UDFs ntk_can_access and ntk_explain: argument checks, per-statement state, row decisions for the caller. */
#include "config.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "ntk_assignment.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "ntk_proto.h"
#include "ntk_udf.h"

/* The server's result buffer for string UDFs is 255 bytes; ours lives in the state. */
/* The verdict line, then the system's deny_message on the next line when it denies. */
#define VERDICT_MAX (255 + 1 + NTK_DENY_MESSAGE_MAX)

/* Distinct users one call site decides for in one statement; more are denied unasked. */
#define STMT_USERS_MAX 64

/* The acct= of the summaries for rows denied unasked: bad arguments, and users past the cap. */
#define ACCT_INVALID "(invalid)"
#define ACCT_OVER_CAP "(over-cap)"
/* ... and for rows run by no authenticated account (anonymous, or no security context). */
#define ACCT_NO_ACCOUNT "(no-account)"
/* evaluate(): the row runs under no account we may decide for (a positive, internal result). */
#define EVAL_NO_ACCOUNT 1

/* mariadbd's my_printf_error (ER_UNKNOWN_ERROR): the one way a UDF can fail its statement. */
#define ER_UNKNOWN_ERROR_CODE 1105
typedef void (*printf_error_fn)(unsigned, const char *, unsigned long, ...);

/* Rows of one statement for one user that become one REPORT (one ntk-statement record). */
struct summary {
	uint32_t rows;
	enum ntk_outcome first_outcome;
	enum ntk_action first_action;
	char *cases[NTK_REPORT_CASES_MAX];
	size_t ncases;
};

/*
 * One user seen by a statement: their facts, the denials to report for
 * them, and the releases they were allowed (a disclosure is audited even
 * when allowed; ntkd writes that summary as a success).
 */
struct stmt_user {
	char name[NTK_NAME_MAX + 1];
	size_t len;
	struct ntk_udf_facts *facts;
	struct ntk_clock clock;         /* read when the facts were taken, for the whole statement */
	int fetch_err;                  /* the lookup failed: deny, do not ask again */
	struct summary denied;
	struct summary released;
};

/*
 * One statement's evaluation of one call site (initid->ptr, from _init to
 * _deinit). The account is the server's current security context, read
 * per row and nearly always the same: one entry, looked up once. Rows run
 * under other contexts (a function the statement calls) get an entry per
 * account, up to STMT_USERS_MAX, so neither ntkd's load nor the audit
 * records grow with the number of rows.
 */
struct udf_stmt {
	bool explain;
	struct stmt_user *users[STMT_USERS_MAX];
	size_t nusers;
	size_t last;                    /* the entry the previous row used */
	struct stmt_user *invalid;      /* rows with a NULL or malformed argument */
	struct stmt_user *over_cap;     /* rows for users past STMT_USERS_MAX */
	struct stmt_user *no_account;   /* rows run by no authenticated account */
	bool failed;                    /* ntk_explain already failed the statement */
	char verdict[VERDICT_MAX + 1];
};

/* Exported entry points (the version script lets only these out). */
bool ntk_can_access_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
long long ntk_can_access(UDF_INIT *initid, UDF_ARGS *args, char *is_null, char *error);
void ntk_can_access_deinit(UDF_INIT *initid);
bool ntk_explain_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
char *ntk_explain(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error);
void ntk_explain_deinit(UDF_INIT *initid);

/* The server's message buffer is MYSQL_ERRMSG_SIZE, but only 80 bytes are promised. */
static void
set_message(char *message, const char *text)
{
	size_t n = strlen(text);

	if (n > 79)
		n = 79;
	memcpy(message, text, n);
	message[n] = '\0';
}

/* A constant string argument known at _init must already be one of `words`. */
static bool
const_word_ok(UDF_ARGS *args, unsigned i, const char *const *words)
{
	size_t k;

	if (args->args[i] == NULL)
		return true;    /* not constant (or NULL): checked per row */
	for (k = 0; words[k] != NULL; k++)
		if (args->lengths[i] == strlen(words[k]) &&
		    memcmp(args->args[i], words[k], args->lengths[i]) == 0)
			return true;
	return false;
}

static const char *const state_words[] = { "open", "closed", "sealed", NULL };
static const char *const access_words[] = { "read", "write", "release", NULL };
static const enum ntk_action access_actions[] = { NTK_ACTION_READ, NTK_ACTION_WRITE,
	NTK_ACTION_RELEASE };

static bool
udf_init(UDF_INIT *initid, UDF_ARGS *args, char *message, bool explain)
{
	const char *fn = explain ? "ntk_explain" : "ntk_can_access";
	struct udf_stmt *st;
	char text[128];
	unsigned i;

	/* No user argument: the server says who is asking (see ntk_udf_identity). */
	if (args->arg_count < 1 || args->arg_count > 3) {
		snprintf(text, sizeof(text), "%s(case_id [, state [, access]]) takes 1 to 3 arguments", fn);
		set_message(message, text);
		return true;
	}
	if (args->arg_type[0] != STRING_RESULT && args->arg_type[0] != INT_RESULT) {
		snprintf(text, sizeof(text), "%s: case_id must be a string or an integer", fn);
		set_message(message, text);
		return true;
	}
	for (i = 1; i < args->arg_count; i++) {
		if (args->arg_type[i] != STRING_RESULT) {
			snprintf(text, sizeof(text), "%s: %s must be a string", fn, i == 1 ? "state" : "access");
			set_message(message, text);
			return true;
		}
	}
	if (args->arg_count >= 2 && !const_word_ok(args, 1, state_words)) {
		snprintf(text, sizeof(text), "%s: state must be open, closed or sealed", fn);
		set_message(message, text);
		return true;
	}
	if (args->arg_count >= 3 && !const_word_ok(args, 2, access_words)) {
		snprintf(text, sizeof(text), "%s: access must be read, write or release", fn);
		set_message(message, text);
		return true;
	}
	/* Integer case ids arrive as their decimal text. */
	args->arg_type[0] = STRING_RESULT;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(text, sizeof(text), "%s: out of memory", fn);
		set_message(message, text);
		return true;
	}
	st->explain = explain;
	initid->ptr = (char *)st;
	/* The answer changes with the directory: never folded into a constant. */
	initid->const_item = 0;
	initid->maybe_null = explain;
	initid->max_length = explain ? VERDICT_MAX : 1;
	return false;
}

/* Send one summary as a REPORT (one ntk-statement record) when it holds rows, and free it. */
static void
summary_finish(const struct stmt_user *u, struct summary *sm)
{
	char qid[96];
	struct ntk_report_req req;
	size_t i;

	if (sm->rows > 0 && ntk_udf_system() != NULL) {
		ntk_udf_query_id(qid, sizeof(qid));
		req = (struct ntk_report_req){
			.user = (char *)u->name,
			.system = (char *)ntk_udf_system(),
			.action = sm->first_action,
			.outcome = sm->first_outcome,
			.rows = sm->rows,
			.query_id = qid,
			.cases = sm->cases,
			.ncases = sm->ncases,
		};
		/* Nowhere to say it failed from inside the server; the rows were decided anyway. */
		(void)ntk_udf_report(&req);
	}
	for (i = 0; i < sm->ncases; i++)
		free(sm->cases[i]);
}

/* Send one user's summaries, denials then releases, then free the entry. */
static void
stmt_user_finish(struct stmt_user *u)
{
	if (u == NULL)
		return;
	summary_finish(u, &u->denied);
	summary_finish(u, &u->released);
	ntk_udf_facts_release(u->facts);
	free(u);
}

static void
udf_deinit(UDF_INIT *initid)
{
	struct udf_stmt *st = (struct udf_stmt *)initid->ptr;
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nusers; i++)
		stmt_user_finish(st->users[i]);
	stmt_user_finish(st->invalid);
	stmt_user_finish(st->over_cap);
	stmt_user_finish(st->no_account);
	free(st);
	initid->ptr = NULL;
}

/* CASEID is [A-Za-z0-9._:-]{1,64}; anything else matches no case and is denied. */
static bool
case_arg(UDF_ARGS *args, char out[NTK_CASE_ID_MAX + 1])
{
	const char *s = args->args[0];
	size_t n = args->lengths[0];

	/* A NUL inside would shorten the id the policy sees: refuse it. */
	if (s == NULL || n == 0 || n > NTK_CASE_ID_MAX || memchr(s, '\0', n) != NULL)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return ntk_case_id_valid(out);
}

/* An optional word argument: absent → `dflt`; NULL or unknown → false. */
static bool
word_arg(UDF_ARGS *args, unsigned i, const char *const *words, int dflt, int *out)
{
	size_t k;

	if (i >= args->arg_count) {
		*out = dflt;
		return true;
	}
	if (args->args[i] == NULL)
		return false;
	for (k = 0; words[k] != NULL; k++) {
		if (args->lengths[i] == strlen(words[k]) &&
		    memcmp(args->args[i], words[k], args->lengths[i]) == 0) {
			*out = (int)k;
			return true;
		}
	}
	return false;
}

/*
 * The statement's entry for `name`, created (and its facts looked up) on
 * first sight. NULL when the statement already has STMT_USERS_MAX users or
 * memory runs out: the row is denied.
 */
static struct stmt_user *
stmt_user(struct udf_stmt *st, const char *name, size_t len)
{
	struct stmt_user *u;
	size_t i;

	if (st->nusers > 0) {
		u = st->users[st->last];
		if (u->len == len && memcmp(u->name, name, len) == 0)
			return u;
	}
	for (i = 0; i < st->nusers; i++) {
		u = st->users[i];
		if (u->len == len && memcmp(u->name, name, len) == 0) {
			st->last = i;
			return u;
		}
	}
	if (st->nusers >= STMT_USERS_MAX || (u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	memcpy(u->name, name, len);
	u->name[len] = '\0';
	u->len = len;
	u->fetch_err = ntk_udf_facts_get(u->name, &u->facts);
	if (u->fetch_err == 0)
		ntk_udf_clock(u->facts, &u->clock);
	st->last = st->nusers;
	st->users[st->nusers++] = u;
	return u;
}

/* Record one row in a summary; an empty case_id adds no case. */
static void
summary_note(struct summary *sm, enum ntk_outcome outcome, enum ntk_action action,
    const char *case_id)
{
	size_t i;

	if (sm->rows == 0) {
		sm->first_outcome = outcome;
		sm->first_action = action;
	}
	if (sm->rows < UINT32_MAX)
		sm->rows++;
	if (sm->ncases >= NTK_REPORT_CASES_MAX || case_id[0] == '\0')
		return;
	for (i = 0; i < sm->ncases; i++)
		if (strcmp(sm->cases[i], case_id) == 0)
			return;
	/* Out of memory only shortens the list; the row count stays right. */
	if ((sm->cases[sm->ncases] = strdup(case_id)) != NULL)
		sm->ncases++;
}

static void
stmt_note_denial(struct stmt_user *u, enum ntk_outcome outcome, enum ntk_action action,
    const char *case_id)
{
	summary_note(&u->denied, outcome, action, case_id);
}

/*
 * A row denied without asking ntkd goes into one summary per kind, under a
 * placeholder acct (no user, or one we may not look up): the audit log still
 * sees it. reason=unknown-user: no user was resolved for these rows.
 */
static void
stmt_note_unasked(struct stmt_user **slot, const char *acct, enum ntk_action action,
    const char *case_id)
{
	if (*slot == NULL) {
		/* Out of memory: the row is denied all the same, only unreported. */
		if ((*slot = calloc(1, sizeof(**slot))) == NULL)
			return;
		strcpy((*slot)->name, acct);
		(*slot)->len = strlen(acct);
	}
	stmt_note_denial(*slot, NTK_DENY_UNKNOWN_USER, action, case_id);
}

/*
 * Decide one row for the account the server runs it for. 0 with *d filled
 * and *user set, or a negative NTK_ERR_*: a bad argument
 * (NTK_ERR_BAD_VALUE), no account to decide for (EVAL_NO_ACCOUNT), too many
 * accounts in the statement (NTK_ERR_TOO_LONG), or no usable facts (ntkd
 * unreachable or refusing). *action and case_id are set as far as the
 * arguments allowed (read, "").
 */
static int
evaluate(struct udf_stmt *st, UDF_ARGS *args, struct ntk_decision *d, enum ntk_action *action,
    char case_id[NTK_CASE_ID_MAX + 1], struct stmt_user **user)
{
	struct stmt_user *u;
	char name[NTK_NAME_MAX + 1];
	int state, access = 0;
	bool ok;

	case_id[0] = '\0';
	ok = case_arg(args, case_id);
	ok = word_arg(args, 2, access_words, 0, &access) && ok;
	*action = access_actions[access];
	if (!ok || !word_arg(args, 1, state_words, NTK_STATE_OPEN, &state))
		return NTK_ERR_BAD_VALUE;
	/* Read per row: a statement's rows may run under different security contexts. */
	if (ntk_udf_identity(name) != 0)
		return EVAL_NO_ACCOUNT;
	if ((u = stmt_user(st, name, strlen(name))) == NULL)
		return NTK_ERR_TOO_LONG;
	if (u->fetch_err != 0)
		return u->fetch_err;
	ntk_udf_decide(u->facts, &u->clock, *action, case_id, (enum ntk_case_state)state, d);
	*user = u;
	return 0;
}

bool
ntk_can_access_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return udf_init(initid, args, message, false);
}

long long
ntk_can_access(UDF_INIT *initid, UDF_ARGS *args, char *is_null, char *error)
{
	struct udf_stmt *st = (struct udf_stmt *)initid->ptr;
	struct stmt_user *u = NULL;
	struct ntk_decision d;
	enum ntk_action action;
	char case_id[NTK_CASE_ID_MAX + 1];
	int r;

	*is_null = 0;
	/* Fail closed: a bad argument, or no answer from ntkd, is a 0 for the row. */
	if (st == NULL)
		return 0;
	r = evaluate(st, args, &d, &action, case_id, &u);
	if (r == NTK_ERR_BAD_VALUE)
		stmt_note_unasked(&st->invalid, ACCT_INVALID, action, case_id);
	else if (r == EVAL_NO_ACCOUNT)
		stmt_note_unasked(&st->no_account, ACCT_NO_ACCOUNT, action, case_id);
	else if (r == NTK_ERR_TOO_LONG)
		stmt_note_unasked(&st->over_cap, ACCT_OVER_CAP, action, case_id);
	/* No facts (ntkd unreachable or refusing): no report could get through either. */
	if (r != 0)
		return 0;
	if (ntk_outcome_allows(d.outcome)) {
		if (action == NTK_ACTION_RELEASE)
			summary_note(&u->released, d.outcome, action, case_id);
		return 1;
	}
	stmt_note_denial(u, d.outcome, action, case_id);
	return 0;
}

void
ntk_can_access_deinit(UDF_INIT *initid)
{
	udf_deinit(initid);
}

bool
ntk_explain_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return udf_init(initid, args, message, true);
}

/*
 * An explicit check with no facts must not read as a deny: fail the whole
 * statement with an error naming ntkd. *error alone only makes the value
 * NULL, so the message goes through mariadbd's own my_printf_error, looked
 * up at run time (a server without it still gets NULL and *error).
 */
static void
explain_error(struct udf_stmt *st, char *error, const char *text)
{
	printf_error_fn fn;

	*error = 1;
	if (st->failed)
		return;
	st->failed = true;
	if ((fn = (printf_error_fn)dlsym(RTLD_DEFAULT, "my_printf_error")) != NULL)
		fn(ER_UNKNOWN_ERROR_CODE, "%s", 0UL, text);
}

static void
explain_fail(struct udf_stmt *st, int err, char *error)
{
	char text[160];

	snprintf(text, sizeof(text), "ntk_explain: no verdict, ntkd gave no facts: %s",
	    ntk_strerror(err));
	explain_error(st, error, text);
}

/* The verdict line of `ntkctl check`; NULL for a malformed argument; an error without facts. */
char *
ntk_explain(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error)
{
	struct udf_stmt *st = (struct udf_stmt *)initid->ptr;
	struct stmt_user *u = NULL;
	struct ntk_decision d;
	enum ntk_action action;
	char case_id[NTK_CASE_ID_MAX + 1];
	int r = NTK_ERR_INTERNAL;

	*is_null = 1;
	if (st == NULL)
		return NULL;
	r = evaluate(st, args, &d, &action, case_id, &u);
	if (r == EVAL_NO_ACCOUNT) {
		explain_error(st, error, "ntk_explain: no authenticated account to decide for");
		return NULL;
	}
	if (r != 0 && r != NTK_ERR_BAD_VALUE && r != NTK_ERR_TOO_LONG) {
		explain_fail(st, r, error);
		return NULL;
	}
	if (r != 0 || ntk_decision_format(&d, st->verdict, sizeof(st->verdict)) != 0)
		return NULL;
	/* As ntkctl prints it: the verdict first, where to go on the line after. */
	if (!ntk_outcome_allows(d.outcome) && u != NULL && u->facts != NULL &&
	    u->facts->rep.deny_message != NULL && u->facts->rep.deny_message[0] != '\0') {
		size_t n = strlen(st->verdict);

		snprintf(st->verdict + n, sizeof(st->verdict) - n, "\n%s", u->facts->rep.deny_message);
	}
	*is_null = 0;
	*length = strlen(st->verdict);
	return st->verdict;
}

void
ntk_explain_deinit(UDF_INIT *initid)
{
	udf_deinit(initid);
}
