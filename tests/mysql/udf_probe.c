/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loads ntk_udf.so the way mariadbd does and drives it from many threads against a real ntkd. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

typedef bool (*init_fn)(UDF_INIT *, UDF_ARGS *, char *);
typedef long long (*int_fn)(UDF_INIT *, UDF_ARGS *, char *, char *);
typedef char *(*str_fn)(UDF_INIT *, UDF_ARGS *, char *, unsigned long *, char *, char *);
typedef void (*deinit_fn)(UDF_INIT *);

static init_fn can_init, explain_init;
static int_fn can_access;
static str_fn explain;
static deinit_fn can_deinit, explain_deinit;

/*
 * The probe plays mariadbd for the library's identity lookup: the running
 * thread's "THD" and the priv_user of its security context (exported with
 * -export-dynamic, found by the library's dlsym like the server's own).
 */
static __thread const char *probe_user;
static __thread int probe_thd;

void *_current_thd(void);
const char *thd_priv_user(void *thd, size_t *length);

void *
_current_thd(void)
{
	return &probe_thd;
}

const char *
thd_priv_user(void *thd, size_t *length)
{
	(void)thd;
	*length = probe_user != NULL ? strlen(probe_user) : 0;
	return probe_user;
}

/* One row: the account running it (NULL = no security context), arguments (NULL = SQL NULL) and the expected answers from the sample directory. */
struct row {
	const char *user, *case_id, *state;
	long long want;
	const char *verdict;    /* NULL: ntk_explain gives SQL NULL */
};

static const struct row rows[] = {
	{ "alice", "1001", "open", 1, "ALLOW rule=assigned" },
	{ "alice", "1003", "open", 0, "DENY reason=no-business-reason" },
	{ "bob", "1004", "open", 0, "DENY reason=assignment-expired" },
	{ "carol", "1001", "closed", 1, "ALLOW rule=supervisor" },
	{ "erin", "1006", "sealed", 1, "ALLOW rule=role:legal" },
	{ "frank", "1006", "sealed", 0, "DENY reason=case-sealed" },
	{ "mallory", "1001", "open", 0, "DENY reason=no-business-reason" },
	{ "judy", "1001", "open", 0, "DENY reason=system-not-permitted" },
	{ "nobody-here", "1001", "open", 0, "DENY reason=unknown-user" },
	{ ")(uid=*", "1001", "open", 0, "DENY reason=unknown-user" },
	{ "erin@localhost", "1001", "open", 0, "DENY reason=unknown-user" },
	{ " erin", "1001", "open", 0, NULL },
	{ "alice", NULL, "open", 0, NULL },
	{ "alice", "1001", NULL, 0, NULL },
	{ "alice", "10 01", "open", 0, NULL },
	{ "alice", "1001", "shut", 0, NULL },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static int iterations = 200;
static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void
fail(const char *what, const struct row *r, const char *got)
{
	pthread_mutex_lock(&fail_lock);
	if (failures++ < 10)
		fprintf(stderr, "udf_probe: %s: user=%s case=%s state=%s: got %s\n", what,
		    r->user ? r->user : "NULL", r->case_id ? r->case_id : "NULL",
		    r->state ? r->state : "NULL", got);
	pthread_mutex_unlock(&fail_lock);
}

static void
set_args(UDF_ARGS *a, char **argv, unsigned long *len, const struct row *r)
{
	probe_user = r->user;
	argv[0] = (char *)r->case_id;
	argv[1] = (char *)r->state;
	len[0] = r->case_id ? strlen(r->case_id) : 0;
	len[1] = r->state ? strlen(r->state) : 0;
	a->args = argv;
	a->lengths = len;
}

/* One "statement" per pass over the rows: init, a row call each, deinit. */
static void *
worker(void *arg)
{
	enum Item_result types[2] = { STRING_RESULT, STRING_RESULT };
	char maybe_null[2] = { 1, 1 }, msg[512], result[256], is_null, error;
	char *argv[2] = { NULL, NULL };
	unsigned long len[2] = { 0, 0 }, rlen;
	UDF_ARGS a = { 2, types, argv, len, maybe_null };
	UDF_INIT ci, ei;
	int i;
	size_t k;

	(void)arg;
	for (i = 0; i < iterations; i++) {
		memset(&ci, 0, sizeof(ci));
		memset(&ei, 0, sizeof(ei));
		argv[0] = argv[1] = NULL;   /* not constant at init */
		if (can_init(&ci, &a, msg) || explain_init(&ei, &a, msg)) {
			fail("init", &rows[0], msg);
			return NULL;
		}
		for (k = 0; k < NROWS; k++) {
			const struct row *r = &rows[(k + (size_t)i) % NROWS];
			long long v;
			char *s;

			set_args(&a, argv, len, r);
			is_null = error = 0;
			v = can_access(&ci, &a, &is_null, &error);
			if (v != r->want || is_null)
				fail("ntk_can_access", r, v ? "1" : "0");
			is_null = error = 0;
			rlen = 0;
			s = explain(&ei, &a, result, &rlen, &is_null, &error);
			if (r->verdict == NULL) {
				if (!is_null)
					fail("ntk_explain (want NULL)", r, s ? s : "?");
			} else if (is_null || s == NULL || rlen != strlen(r->verdict) ||
			    memcmp(s, r->verdict, rlen) != 0) {
				fail("ntk_explain", r, is_null ? "NULL" : s);
			}
		}
		can_deinit(&ci);
		explain_deinit(&ei);
	}
	return NULL;
}

/* Argument checks in _init: each must refuse with a message. */
static int
check_init_refusals(void)
{
	enum Item_result t[5] = { STRING_RESULT, STRING_RESULT, STRING_RESULT, STRING_RESULT, STRING_RESULT };
	char *argv[5] = { NULL, NULL, NULL, NULL, NULL }, mn[5] = { 0 }, msg[512];
	unsigned long len[5] = { 0 };
	UDF_ARGS a = { 2, t, argv, len, mn };
	UDF_INIT in;
	int bad = 0;

	memset(&in, 0, sizeof(in));
	a.arg_count = 0;
	bad += !can_init(&in, &a, msg) || strstr(msg, "1 to 3 arguments") == NULL;
	a.arg_count = 4;
	bad += !explain_init(&in, &a, msg) || strstr(msg, "1 to 3 arguments") == NULL;
	a.arg_count = 1;
	t[0] = REAL_RESULT;
	bad += !can_init(&in, &a, msg) || strstr(msg, "case_id must be") == NULL;
	t[0] = DECIMAL_RESULT;
	bad += !can_init(&in, &a, msg) || strstr(msg, "case_id must be") == NULL;
	t[0] = INT_RESULT;
	bad += can_init(&in, &a, msg) || t[0] != STRING_RESULT;   /* coerced to text */
	can_deinit(&in);
	a.arg_count = 2;
	t[1] = INT_RESULT;
	bad += !can_init(&in, &a, msg) || strstr(msg, "state must be a string") == NULL;
	t[1] = STRING_RESULT;
	argv[1] = "ajar";
	len[1] = 4;
	bad += !can_init(&in, &a, msg) || strstr(msg, "state must be open") == NULL;
	if (bad)
		fprintf(stderr, "udf_probe: %d _init refusals wrong\n", bad);
	return bad;
}

/* The set functions for a few accounts: one statement each, the answer twice (cached). */
static int
check_sets(void *h)
{
	static const struct {
		const char *fn, *user, *want;
	} sets[] = {
		{ "ntk_case_ids", "alice", "1001,1002" },
		{ "ntk_cases", "alice", "1001/open,1002/open" },
		{ "ntk_all_states", "alice", "" },
		{ "ntk_all_states", "erin", "open,closed,sealed" },
		{ "ntk_cases", "erin", "" },
		{ "ntk_all_states", "frank", "open,closed" },
		{ "ntk_case_ids", "nobody-here", "" },
		{ "ntk_case_ids", NULL, "" },
		{ "ntk_visible_json", "alice", "[{\"case\":\"1001\",\"states\":\"open\",\"some\":0},"
		    "{\"case\":\"1002\",\"states\":\"open\",\"some\":0}]" },
		{ "ntk_visible_json", "erin", "[{\"states\":\"open,closed,sealed\",\"some\":0,\"all\":-5}]" },
		{ "ntk_visible_json", "frank", "[{\"states\":\"open,closed\",\"some\":1,\"from\":-5}]" },
		{ "ntk_visible_json", "mallory", "[]" },
		{ "ntk_visible_json", "nobody-here", "[]" },
		{ "ntk_visible_json", NULL, "[]" },
	};
	char name[64], msg[512], result[256], is_null, error;
	UDF_ARGS a = { 0, NULL, NULL, NULL, NULL };
	/* ntk_visible_json('read', -5): the view names its case column's lowest value. */
	long long lowest = -5;
	enum Item_result jtypes[2] = { STRING_RESULT, INT_RESULT };
	char *jargv[2] = { (char *)"read", (char *)&lowest };
	unsigned long jlen[2] = { 4, sizeof(lowest) };
	char jmn[2] = { 0, 0 };
	UDF_ARGS aj = { 2, jtypes, jargv, jlen, jmn }, *ap;
	unsigned long len;
	size_t i;
	int k, bad = 0;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		init_fn in;
		str_fn fn;
		deinit_fn de;
		UDF_INIT ui;
		char *v;

		snprintf(name, sizeof(name), "%s_init", sets[i].fn);
		in = (init_fn)dlsym(h, name);
		fn = (str_fn)dlsym(h, sets[i].fn);
		snprintf(name, sizeof(name), "%s_deinit", sets[i].fn);
		de = (deinit_fn)dlsym(h, name);
		if (in == NULL || fn == NULL || de == NULL) {
			fprintf(stderr, "udf_probe: %s missing\n", sets[i].fn);
			return 1;
		}
		ap = strcmp(sets[i].fn, "ntk_visible_json") == 0 ? &aj : &a;
		memset(&ui, 0, sizeof(ui));
		if (in(&ui, ap, msg)) {
			fprintf(stderr, "udf_probe: %s_init: %s\n", sets[i].fn, msg);
			return 1;
		}
		probe_user = sets[i].user;
		for (k = 0; k < 2; k++) {
			is_null = error = 0;
			len = 0;
			v = fn(&ui, ap, result, &len, &is_null, &error);
			if (is_null || v == NULL || len != strlen(sets[i].want) ||
			    memcmp(v, sets[i].want, len) != 0) {
				fprintf(stderr, "udf_probe: %s for %s: got [%.*s], want [%s]\n", sets[i].fn,
				    sets[i].user ? sets[i].user : "NULL", v ? (int)len : 4, v ? v : "NULL",
				    sets[i].want);
				bad++;
			}
		}
		de(&ui);
	}
	probe_user = NULL;
	/* Without a lowest key, or with one that is not a constant, the view cannot be written. */
	{
		init_fn in = (init_fn)dlsym(h, "ntk_visible_json_init");
		UDF_INIT ui;

		aj.arg_count = 1;
		memset(&ui, 0, sizeof(ui));
		if (!in(&ui, &aj, msg)) {
			fprintf(stderr, "udf_probe: ntk_visible_json('read') accepted with no lowest key\n");
			bad++;
		}
		aj.arg_count = 2;
		jargv[1] = NULL;
		memset(&ui, 0, sizeof(ui));
		if (!in(&ui, &aj, msg)) {
			fprintf(stderr, "udf_probe: ntk_visible_json accepted a lowest key that is not constant\n");
			bad++;
		}
	}
	return bad;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	pthread_t th[64];
	int nthreads, i, fds_before, fds_after;
	void *h;

	if (argc != 4) {
		fprintf(stderr, "usage: udf_probe ntk_udf.so THREADS ITERATIONS\n");
		return 2;
	}
	nthreads = atoi(argv[2]);
	iterations = atoi(argv[3]);
	if (nthreads < 1 || nthreads > 64 || iterations < 1)
		return 2;
	fds_before = count_fds();
	if ((h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "udf_probe: %s\n", dlerror());
		return 2;
	}
	can_init = (init_fn)dlsym(h, "ntk_can_access_init");
	can_access = (int_fn)dlsym(h, "ntk_can_access");
	can_deinit = (deinit_fn)dlsym(h, "ntk_can_access_deinit");
	explain_init = (init_fn)dlsym(h, "ntk_explain_init");
	explain = (str_fn)dlsym(h, "ntk_explain");
	explain_deinit = (deinit_fn)dlsym(h, "ntk_explain_deinit");
	if (!can_init || !can_access || !can_deinit || !explain_init || !explain || !explain_deinit) {
		fprintf(stderr, "udf_probe: missing entry point\n");
		return 2;
	}
	if (dlsym(h, "ntk_policy_decide") != NULL || dlsym(h, "ntk_conn_open") != NULL) {
		fprintf(stderr, "udf_probe: libntkcore symbols are exported\n");
		return 1;
	}
	if (check_init_refusals() != 0)
		return 1;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0)
			return 2;
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	failures += check_sets(h);
	dlclose(h);
	fds_after = count_fds();
	if (fds_after != fds_before) {
		fprintf(stderr, "udf_probe: %d descriptors before load, %d after unload\n",
		    fds_before, fds_after);
		return 1;
	}
	if (failures) {
		fprintf(stderr, "udf_probe: %d wrong answers\n", failures);
		return 1;
	}
	printf("udf_probe: %d threads x %d statements x %zu rows: all right\n", nthreads, iterations, NROWS);
	return 0;
}
