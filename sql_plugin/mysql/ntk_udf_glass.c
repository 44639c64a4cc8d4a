/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ntk_break_glass(case_id, reason): a break-glass grant for the account the
 * server runs the statement for, asked of ntkd exactly as `ntkctl decide
 * --reason` asks (a CHECK with the reason, not a dry run): ntkd decides,
 * grants only what the role allows, and audits the grant or refuses it.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "ntk_assignment.h"
#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_udf.h"

/* A reason is for people to read in the audit log: a line, not a document. */
#define REASON_MAX 1024

#define ER_UNKNOWN_ERROR_CODE 1105
typedef void (*printf_error_fn)(unsigned, const char *, unsigned long, ...);

/* One call site's grant for one statement: asked once, whatever the number of rows. */
struct glass_stmt {
	bool asked;
	bool failed;
	char expiry[32];        /* "YYYY-MM-DD HH:MM:SS", UTC */
};

bool ntk_break_glass_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
char *ntk_break_glass(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error);
void ntk_break_glass_deinit(UDF_INIT *initid);

bool
ntk_break_glass_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	struct glass_stmt *st;

	if (args->arg_count != 2) {
		strcpy(message, "ntk_break_glass(case_id, reason) takes 2 arguments");
		return true;
	}
	if ((args->arg_type[0] != STRING_RESULT && args->arg_type[0] != INT_RESULT) ||
	    args->arg_type[1] != STRING_RESULT) {
		strcpy(message, "ntk_break_glass: case_id is a string or integer, reason a string");
		return true;
	}
	args->arg_type[0] = STRING_RESULT;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		strcpy(message, "ntk_break_glass: out of memory");
		return true;
	}
	initid->ptr = (char *)st;
	initid->const_item = 0;
	initid->maybe_null = 1;
	initid->max_length = 19;
	return false;
}

/* Fail the statement with `text` (see ntk_explain: a UDF alone can only return NULL). */
static void
glass_error(struct glass_stmt *st, char *error, const char *text)
{
	printf_error_fn fn;

	*error = 1;
	st->failed = true;
	if ((fn = (printf_error_fn)dlsym(RTLD_DEFAULT, "my_printf_error")) != NULL)
		fn(ER_UNKNOWN_ERROR_CODE, "%s", 0UL, text);
}

/* The expiry of `user`'s grant for `case_id` on our system, from fresh facts. */
static int
grant_expiry(const char *user, const char *case_id, char out[32])
{
	struct ntk_udf_facts *f = NULL;
	const struct ntk_subject *s;
	int64_t best = 0;
	struct tm tm;
	time_t t;
	size_t i;
	int r;

	/* The view must see the grant now, not when the cached facts expire. */
	ntk_udf_facts_forget(user);
	if ((r = ntk_udf_facts_get(user, &f)) != 0)
		return r;
	s = &f->rep.subject;
	for (i = 0; i < s->ngrants; i++)
		if (strcmp(s->grants[i].case_id, case_id) == 0 &&
		    strcmp(s->grants[i].system, ntk_udf_system()) == 0 && s->grants[i].expires > best)
			best = s->grants[i].expires;
	ntk_udf_facts_release(f);
	t = (time_t)best;
	if (best == 0 || gmtime_r(&t, &tm) == NULL)
		return NTK_ERR_NOT_FOUND;
	strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
	return 0;
}

/* Ask ntkd on a connection of its own: never retried, a lost reply must not grant twice. */
static int
glass_ask(const struct ntk_check_req *req, struct ntk_check_rep *rep)
{
	struct ntk_conn *c = NULL;
	int r;

	if (ntk_udf_socket() == NULL)
		return NTK_ERR_CONFIG;
	if ((r = ntk_conn_open(ntk_udf_socket(), NTK_UDF_TIMEOUT_MS, &c)) != 0)
		return r;
	r = ntk_client_check(c, req, rep);
	ntk_conn_close(c);
	return r;
}

static void
glass_run(struct glass_stmt *st, UDF_ARGS *args, char *error)
{
	char user[NTK_NAME_MAX + 1], case_id[NTK_CASE_ID_MAX + 1], reason[REASON_MAX + 1];
	char text[NTK_DENY_MESSAGE_MAX + 512];
	struct ntk_check_req req;
	struct ntk_check_rep rep = { 0 };
	int r;

	if (args->args[0] == NULL || args->lengths[0] == 0 || args->lengths[0] > NTK_CASE_ID_MAX ||
	    memchr(args->args[0], '\0', args->lengths[0]) != NULL) {
		glass_error(st, error, "ntk_break_glass: case_id must be a case id");
		return;
	}
	memcpy(case_id, args->args[0], args->lengths[0]);
	case_id[args->lengths[0]] = '\0';
	if (!ntk_case_id_valid(case_id)) {
		glass_error(st, error, "ntk_break_glass: case_id must be a case id");
		return;
	}
	if (args->args[1] == NULL || args->lengths[1] == 0 || args->lengths[1] > REASON_MAX ||
	    memchr(args->args[1], '\0', args->lengths[1]) != NULL) {
		glass_error(st, error, "ntk_break_glass: a reason is required (1 to 1024 bytes, no NUL)");
		return;
	}
	memcpy(reason, args->args[1], args->lengths[1]);
	reason[args->lengths[1]] = '\0';
	if (ntk_udf_identity(user) != 0) {
		glass_error(st, error, "ntk_break_glass: no authenticated account to grant to");
		return;
	}
	if (ntk_udf_system() == NULL) {
		glass_error(st, error, "ntk_break_glass: no NTK_SYSTEM in the server's environment");
		return;
	}
	req = (struct ntk_check_req){
		.user = user,
		.system = (char *)ntk_udf_system(),
		.action = NTK_ACTION_READ,
		.case_id = case_id,
		.state = NTK_STATE_OPEN,
		.reason = reason,
		.rhost = "",
		.tty = "",
		.flags = 0,
	};
	if ((r = glass_ask(&req, &rep)) != 0) {
		snprintf(text, sizeof(text), "ntk_break_glass: no answer from ntkd: %s", ntk_strerror(r));
		glass_error(st, error, text);
		return;
	}
	if (rep.outcome != NTK_ALLOW_BREAK_GLASS) {
		/* A refusal says where to go: the system's deny_message, after the verdict. */
		bool advice = !ntk_outcome_allows(rep.outcome) && rep.deny_message != NULL &&
		    rep.deny_message[0] != '\0';

		snprintf(text, sizeof(text), "ntk_break_glass: %s: %s%s%s", ntk_outcome_allows(rep.outcome) ?
		    "no grant needed" : "refused", rep.verdict != NULL ? rep.verdict : "?",
		    advice ? ". " : "", advice ? rep.deny_message : "");
		glass_error(st, error, text);
	} else if ((r = grant_expiry(user, case_id, st->expiry)) != 0) {
		snprintf(text, sizeof(text), "ntk_break_glass: granted, but its expiry is unknown: %s",
		    ntk_strerror(r));
		glass_error(st, error, text);
	}
	ntk_check_rep_clear(&rep);
}

/* The grant's expiry (UTC); the statement fails with ntkd's verdict when nothing was granted. */
char *
ntk_break_glass(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error)
{
	struct glass_stmt *st = (struct glass_stmt *)initid->ptr;

	(void)result;
	*is_null = 1;
	if (st == NULL)
		return NULL;
	if (!st->asked) {
		st->asked = true;
		glass_run(st, args, error);
	}
	if (st->failed) {
		*error = 1;
		return NULL;
	}
	*is_null = 0;
	*length = strlen(st->expiry);
	return st->expiry;
}

void
ntk_break_glass_deinit(UDF_INIT *initid)
{
	free(initid->ptr);
	initid->ptr = NULL;
}
