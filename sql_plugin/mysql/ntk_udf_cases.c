/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ntk_visible_json, ntk_all_states, ntk_cases and ntk_case_ids: the
 * caller's visible set, decided once per (user, case, state) and statement,
 * for a view that reads it as constants (JSON_TABLE rows, or a one-row
 * derived table) and lets MariaDB use the case index, instead of calling a
 * UDF on every row.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "ntk_assignment.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "ntk_strset.h"
#include "ntk_udf.h"

/* The states a row can have, in the order the policy numbers them. */
static const char *const set_states[] = { "open", "closed", "sealed" };
#define NSTATES 3

enum set_kind {
	SET_ALL_STATES,                 /* "open,closed": states visible in every case */
	SET_PAIRS,                      /* "1001/open,1002/closed": the rest, case by case */
	SET_IDS,                        /* "1001,1002": the distinct case ids of SET_PAIRS */
	SET_JSON,                       /* all of it as JSON rows, see set_build */
};

static const char *const set_names[] = { "ntk_all_states", "ntk_cases", "ntk_case_ids",
	"ntk_visible_json" };

/* One call site's answer for one statement (initid->ptr). */
struct set_stmt {
	enum set_kind kind;
	enum ntk_action action;
	char user[NTK_NAME_MAX + 1];    /* the account the answer is for */
	char *text;                     /* the answer; NULL until built */
	size_t len;
	char *lowest;                   /* ntk_visible_json: the lowest case id, as JSON */
};

bool ntk_visible_json_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
char *ntk_visible_json(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error);
void ntk_visible_json_deinit(UDF_INIT *initid);
bool ntk_case_ids_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
char *ntk_case_ids(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error);
void ntk_case_ids_deinit(UDF_INIT *initid);
bool ntk_cases_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
char *ntk_cases(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error);
void ntk_cases_deinit(UDF_INIT *initid);
bool ntk_all_states_init(UDF_INIT *initid, UDF_ARGS *args, char *message);
char *ntk_all_states(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error);
void ntk_all_states_deinit(UDF_INIT *initid);

/* A growing text buffer; on allocation failure it stays failed. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void
text_add(struct text *t, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;

		while (cap < t->len + n + 1)
			cap *= 2;
		if ((p = realloc(t->s, cap)) == NULL) {
			t->failed = true;
			return;
		}
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

/* The states in which `case_id` is allowed, as a bit set (bit i: set_states[i]). */
static unsigned
allowed_states(const struct ntk_udf_facts *f, const struct ntk_clock *clock,
    enum ntk_action action, const char *case_id)
{
	struct ntk_decision d;
	unsigned bits = 0, i;

	for (i = 0; i < NSTATES; i++) {
		ntk_udf_decide(f, clock, action, case_id, (enum ntk_case_state)i, &d);
		if (ntk_outcome_allows(d.outcome))
			bits |= 1u << i;
	}
	return bits;
}

/* Append one list item, a comma first unless it is the first. */
static void
item_add(struct text *t, const char *a, const char *b)
{
	if (t->len > 0)
		text_add(t, ",");
	text_add(t, a);
	if (b != NULL) {
		text_add(t, "/");
		text_add(t, b);
	}
}

/* Append the state names of `bits`, comma separated. */
static void
states_add(struct text *t, unsigned bits)
{
	bool first = true;
	unsigned k;

	for (k = 0; k < NSTATES; k++) {
		if (!(bits & (1u << k)))
			continue;
		if (!first)
			text_add(t, ",");
		text_add(t, set_states[k]);
		first = false;
	}
}

/*
 * Append one JSON object for the view's JSON_TABLE (ids are
 * [A-Za-z0-9._:-]: no escaping). A case's state, read by the case index:
 *   {"case":"1001","states":"open","some":0}
 * every state of every case, read from the lowest case id on:
 *   {"states":"open,closed,sealed","some":0,"all":<lowest case id>}
 * some states of every case, the same with a state test:
 *   {"states":"open,closed","some":1,"from":<lowest case id>}
 * A key that is missing is SQL NULL in the view, which matches no row: a
 * row that says less shows less.
 */
static void
row_add(struct text *t, const char *case_id, unsigned bits, const char *lowest)
{
	text_add(t, t->len > 1 ? "," : "");
	text_add(t, "{");
	if (case_id != NULL) {
		text_add(t, "\"case\":\"");
		text_add(t, case_id);
		text_add(t, "\",");
	}
	text_add(t, "\"states\":\"");
	states_add(t, bits);
	if (case_id != NULL)
		text_add(t, "\",\"some\":0}");
	else {
		text_add(t, bits == (1u << NSTATES) - 1 ? "\",\"some\":0,\"all\":" : "\",\"some\":1,\"from\":");
		text_add(t, lowest);
		text_add(t, "}");
	}
}

/*
 * Every case id the subject's facts name: own and supervised assignments,
 * grants; each once (a hash set: a supervisor of 1,000 names ~20,000).
 * The number found, or a negative NTK_ERR_*.
 */
static int
candidates(const struct ntk_subject *s, const char **out, size_t max, struct ntk_strset *seen)
{
	size_t n = 0, i;
	const char *id;
	int r;

	for (i = 0; i < s->nassignments + s->nsupervised + s->ngrants && n < max; i++) {
		if (i < s->nassignments)
			id = s->assignments[i].case_id;
		else if (i < s->nassignments + s->nsupervised)
			id = s->supervised[i - s->nassignments].assignment.case_id;
		else
			id = s->grants[i - s->nassignments - s->nsupervised].case_id;
		if (!ntk_case_id_valid(id))
			continue;
		if ((r = ntk_strset_add(seen, id)) < 0)
			return r;
		if (r == 1)
			out[n++] = id;
	}
	return (int)n;
}

/*
 * A valid case id none of the facts name: every such case is decided alike
 * (the policy matches case ids exactly), so it stands for "any other case".
 */
static void
other_case(const struct ntk_strset *seen, char out[NTK_CASE_ID_MAX + 1])
{
	size_t len;

	strcpy(out, "ntk.other");
	for (len = strlen(out); len < NTK_CASE_ID_MAX && ntk_strset_has(seen, out); len++) {
		out[len] = '.';
		out[len + 1] = '\0';
	}
}

/*
 * Build the answer for `user`: ntk_all_states gives the states visible in
 * every case ("open,closed", "" for none); ntk_cases the other visible
 * case/state pairs ("1001/open,1002/open"), leaving out the states
 * ntk_all_states already covers; ntk_case_ids the case ids of those pairs.
 * Case ids are [A-Za-z0-9._:-]: never a comma or a slash.
 *
 * ntk_visible_json gives the same set as JSON objects (see row_add): one
 * for the states visible in every case, then one per case and state for
 * the rest; "[]" when nothing is visible. No (case, state) is in two rows,
 * so a join on them never doubles a row.
 */
static int
set_build(struct set_stmt *st, const char *user)
{
	struct ntk_udf_facts *f = NULL;
	struct ntk_clock clock;
	struct text t = { 0 };
	struct ntk_strset seen = { 0 };
	const char **cands = NULL;
	char other[NTK_CASE_ID_MAX + 1];
	unsigned all, bits, k;
	size_t n, max, i;
	int r;

	if ((r = ntk_udf_facts_get(user, &f)) != 0)
		return r;
	ntk_udf_clock(f, &clock);
	max = f->rep.subject.nassignments + f->rep.subject.nsupervised + f->rep.subject.ngrants;
	if ((cands = calloc(max + 1, sizeof(*cands))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	if ((r = candidates(&f->rep.subject, cands, max, &seen)) < 0)
		goto out;
	n = (size_t)r;
	other_case(&seen, other);
	all = allowed_states(f, &clock, st->action, other);
	text_add(&t, st->kind == SET_JSON ? "[" : "");
	for (k = 0; st->kind == SET_ALL_STATES && k < NSTATES; k++)
		if (all & (1u << k))
			item_add(&t, set_states[k], NULL);
	if (st->kind == SET_JSON && all != 0)
		row_add(&t, NULL, all, st->lowest);
	for (i = 0; st->kind != SET_ALL_STATES && i < n; i++) {
		bits = allowed_states(f, &clock, st->action, cands[i]) & ~all;
		if (bits != 0 && st->kind == SET_IDS)
			item_add(&t, cands[i], NULL);
		for (k = 0; st->kind == SET_JSON && k < NSTATES; k++)
			if (bits & (1u << k))
				row_add(&t, cands[i], 1u << k, NULL);
		for (k = 0; st->kind == SET_PAIRS && k < NSTATES; k++)
			if (bits & (1u << k))
				item_add(&t, cands[i], set_states[k]);
	}
	if (st->kind == SET_JSON)
		text_add(&t, "]");
	if (t.failed) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	free(st->text);
	st->text = t.s;
	st->len = t.len;
	t.s = NULL;
	strcpy(st->user, user);
	r = 0;
 out:
	free(t.s);
	free(cands);
	ntk_strset_clear(&seen);
	ntk_udf_facts_release(f);
	return r;
}

/*
 * ntk_visible_json's second argument, the lowest value the table's case
 * column can hold, as JSON: an integer, a decimal number, or a string (quoted,
 * with JSON escapes). NULL when it is none of those.
 */
static char *
lowest_json(const UDF_ARGS *args, unsigned i)
{
	struct text t = { 0 };
	const char *v = args->args[i];
	unsigned long k, n = args->lengths[i];
	char buf[32];

	if (v == NULL)
		return NULL;
	if (args->arg_type[i] == INT_RESULT) {
		snprintf(buf, sizeof(buf), "%lld", *(const long long *)v);
		text_add(&t, buf);
	} else if (args->arg_type[i] == DECIMAL_RESULT) {
		for (k = 0; k < n; k++)
			if (!((v[k] >= '0' && v[k] <= '9') || v[k] == '.' || (k == 0 && v[k] == '-')))
				return NULL;
		if (n == 0 || n >= sizeof(buf))
			return NULL;
		memcpy(buf, v, n);
		buf[n] = '\0';
		text_add(&t, buf);
	} else if (args->arg_type[i] == STRING_RESULT) {
		text_add(&t, "\"");
		for (k = 0; k < n; k++) {
			unsigned char c = (unsigned char)v[k];

			if (c < 0x20 || c == '"' || c == '\\')
				snprintf(buf, sizeof(buf), "\\u%04x", c);
			else
				snprintf(buf, sizeof(buf), "%c", c);
			text_add(&t, buf);
		}
		text_add(&t, "\"");
	} else
		return NULL;
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

static bool
set_init(UDF_INIT *initid, UDF_ARGS *args, char *message, enum set_kind kind)
{
	static const char *const words[] = { "read", "write", "release" };
	struct set_stmt *st;
	unsigned max_args = kind == SET_JSON ? 2 : 1;
	size_t k;
	int action = -1;

	if (args->arg_count > max_args || (args->arg_count >= 1 && (args->arg_type[0] != STRING_RESULT ||
	    args->args[0] == NULL))) {
		snprintf(message, 80, kind == SET_JSON ? "%s(access, lowest_key): constants" :
		    "%s([access]): access is a constant string", set_names[kind]);
		return true;
	}
	if (kind == SET_JSON && args->arg_count != 2) {
		strcpy(message, "ntk_visible_json(access, lowest_key): the case column's lowest value is needed");
		return true;
	}
	for (k = 0; k < 3 && args->arg_count >= 1; k++)
		if (args->lengths[0] == strlen(words[k]) && memcmp(args->args[0], words[k], args->lengths[0]) == 0)
			action = (int)k + NTK_ACTION_READ;
	if (args->arg_count >= 1 && action < 0) {
		strcpy(message, "access must be read, write or release");
		return true;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		strcpy(message, "out of memory");
		return true;
	}
	if (kind == SET_JSON && (st->lowest = lowest_json(args, 1)) == NULL) {
		free(st);
		strcpy(message, "lowest_key must be a constant integer, decimal or string");
		return true;
	}
	st->kind = kind;
	st->action = action < 0 ? NTK_ACTION_READ : (enum ntk_action)action;
	initid->ptr = (char *)st;
	/* Constant within a statement: MariaDB evaluates it once, not per row. */
	initid->const_item = 1;
	initid->maybe_null = 0;
	initid->max_length = 16777215;
	return false;
}

/*
 * The answer for whoever runs the call: the account is read on every call
 * (a prepared statement may run in another security context than it was
 * prepared in), the answer rebuilt only when it changed. No account, or no
 * facts: nothing is visible ("", or "[]" for the JSON), as with ntk_can_access.
 */
static char *
set_value(UDF_INIT *initid, unsigned long *length, char *is_null)
{
	struct set_stmt *st = (struct set_stmt *)initid->ptr;
	char user[NTK_NAME_MAX + 1];
	*is_null = 0;
	if (st == NULL)
		return NULL;
	if (ntk_udf_identity(user) != 0 ||
	    ((st->text == NULL || strcmp(st->user, user) != 0) && set_build(st, user) != 0)) {
		free(st->text);
		st->text = NULL;
		st->user[0] = '\0';
		if (st->kind == SET_JSON) {
			*length = 2;
			return (char *)"[]";
		}
		*length = 0;
		return (char *)"";
	}
	*length = st->len;
	return st->text;
}

static void
set_deinit(UDF_INIT *initid)
{
	struct set_stmt *st = (struct set_stmt *)initid->ptr;

	if (st == NULL)
		return;
	free(st->text);
	free(st->lowest);
	free(st);
	initid->ptr = NULL;
}

bool
ntk_cases_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return set_init(initid, args, message, SET_PAIRS);
}

char *
ntk_cases(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error)
{
	(void)args;
	(void)result;
	(void)error;
	return set_value(initid, length, is_null);
}

void
ntk_cases_deinit(UDF_INIT *initid)
{
	set_deinit(initid);
}

bool
ntk_all_states_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return set_init(initid, args, message, SET_ALL_STATES);
}

char *
ntk_all_states(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error)
{
	(void)args;
	(void)result;
	(void)error;
	return set_value(initid, length, is_null);
}

void
ntk_all_states_deinit(UDF_INIT *initid)
{
	set_deinit(initid);
}

bool
ntk_case_ids_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return set_init(initid, args, message, SET_IDS);
}

char *
ntk_case_ids(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error)
{
	(void)args;
	(void)result;
	(void)error;
	return set_value(initid, length, is_null);
}

void
ntk_case_ids_deinit(UDF_INIT *initid)
{
	set_deinit(initid);
}

bool
ntk_visible_json_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	return set_init(initid, args, message, SET_JSON);
}

char *
ntk_visible_json(UDF_INIT *initid, UDF_ARGS *args, char *result, unsigned long *length,
    char *is_null, char *error)
{
	(void)args;
	(void)result;
	(void)error;
	return set_value(initid, length, is_null);
}

void
ntk_visible_json_deinit(UDF_INIT *initid)
{
	set_deinit(initid);
}
