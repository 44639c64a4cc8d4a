/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scale benchmark client: warm CHECK/INITGROUPS/group answers, cold round trips, a burst of misses, memory per cached user. */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_status.h"
#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_proto.h"

#define MAX_SPECS 16
#define COLD_ROUNDS 9
#define BURST_MAX 64

/* "label,user,case": one CHECK to time. */
struct spec {
	char label[64], user[128], case_id[32];
};

struct opts {
	const char *socket;
	long pid, iterations;
	struct spec check[MAX_SPECS], cold[MAX_SPECS], burst;
	int ncheck, ncold, burst_clients;
	const char *initgroups, *groups[MAX_SPECS], *mem_users, *mem_sups;
	int ngroups;
};

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

static int
parse_spec(const char *s, struct spec *out)
{
	memset(out, 0, sizeof(*out));
	return sscanf(s, "%63[^,],%127[^,],%31s", out->label, out->user, out->case_id) == 3 ? 0 : -1;
}

static void
fill_check(struct ntk_check_req *q, const struct spec *s)
{
	memset(q, 0, sizeof(*q));
	q->user = (char *)s->user;
	q->system = (char *)"FACTS";
	q->action = NTK_ACTION_READ;
	q->case_id = (char *)s->case_id;
	q->state = NTK_STATE_OPEN;
	q->reason = q->rhost = q->tty = (char *)"";
}

/* One CHECK that must be an allow (the benchmark's users are chosen so). */
static int
check_once(struct ntk_conn *c, const struct spec *s)
{
	struct ntk_check_req q;
	struct ntk_check_rep rep;
	int rc;

	fill_check(&q, s);
	memset(&rep, 0, sizeof(rep));
	if ((rc = ntk_client_check(c, &q, &rep)) == 0 && !ntk_outcome_allows(rep.outcome)) {
		fprintf(stderr, "ntk_scale_bench: %s %s: %s, expected an allow\n", s->user, s->case_id,
		    rep.verdict != NULL ? rep.verdict : "?");
		rc = NTK_ERR_INTERNAL;
	}
	ntk_check_rep_clear(&rep);
	return rc;
}

enum op { OP_PING, OP_CHECK, OP_INITGROUPS, OP_GROUP };

/* One operation of kind op; *size: gids or members of the answer. */
static int
op_once(struct ntk_conn *c, enum op op, const struct spec *s, const char *name, long *size)
{
	struct ntk_gid_list gl;
	struct ntk_group g;
	int rc = NTK_ERR_INTERNAL;

	switch (op) {
	case OP_PING:
		rc = ntk_client_ping(c);
		break;
	case OP_CHECK:
		rc = check_once(c, s);
		break;
	case OP_INITGROUPS:
		memset(&gl, 0, sizeof(gl));
		if ((rc = ntk_client_initgroups(c, name, &gl)) == 0 && size != NULL)
			*size = (long)gl.ngids;
		free(gl.gids);
		break;
	case OP_GROUP:
		memset(&g, 0, sizeof(g));
		if ((rc = ntk_client_group_by_name(c, name, &g)) == 0 && size != NULL)
			*size = (long)g.nmembers;
		ntk_group_clear(&g);
		break;
	}
	return rc;
}

/*
 * p50 in microseconds of n warm operations on one connection, each right
 * after a PING whose p50 is the baseline: both see the same load on a
 * shared machine, so their ratio holds when the absolute figures drift.
 */
static int
warm(const struct opts *o, struct ntk_conn *c, enum op op, const struct spec *s, const char *name,
    double *p50, double *ping50, long *size)
{
	double *t, *tp, start;
	long i, n = o->iterations;
	int rc = 0;

	t = calloc((size_t)n, sizeof(*t));
	tp = calloc((size_t)n, sizeof(*tp));
	if (t == NULL || tp == NULL) {
		free(t);
		free(tp);
		return NTK_ERR_NOMEM;
	}
	for (i = -n / 10; i < n && rc == 0; i++) {       /* the first tenth warms up, untimed */
		start = now_us();
		if ((rc = ntk_client_ping(c)) != 0)
			break;
		if (i >= 0)
			tp[i] = now_us() - start;
		start = now_us();
		rc = op_once(c, op, s, name, size);
		if (i >= 0)
			t[i] = now_us() - start;
	}
	if (rc == 0) {
		*p50 = median(t, n);
		*ping50 = median(tp, n);
	}
	free(t);
	free(tp);
	return rc;
}

/* Flush the user, one CHECK: its time and LDAP round trips, median of COLD_ROUNDS. */
static int
cold(struct ntk_conn *c, const struct spec *s, double *us, long *trips)
{
	double t[COLD_ROUNDS], r[COLD_ROUNDS], start;
	uint32_t dropped;
	long before;
	int i, rc = 0;

	for (i = 0; i < COLD_ROUNDS && rc == 0; i++) {
		if ((rc = ntk_client_flush(c, s->user, &dropped)) != 0)
			break;
		before = ntk_bench_status_value(c, "ldap_round_trips");
		start = now_us();
		rc = check_once(c, s);
		t[i] = now_us() - start;
		r[i] = (double)(ntk_bench_status_value(c, "ldap_round_trips") - before);
	}
	if (rc == 0) {
		*us = median(t, COLD_ROUNDS);
		*trips = (long)median(r, COLD_ROUNDS);
	}
	return rc;
}

/* ---- a burst: many clients miss one user at the same moment ---------------- */

struct burster {
	const struct opts *o;
	const struct spec *s;
	pthread_barrier_t *go;
	int err;
};

static void *
burst_main(void *arg)
{
	struct burster *b = arg;
	struct ntk_conn *c = NULL;

	if ((b->err = ntk_conn_open(b->o->socket, 10000, &c)) == 0) {
		pthread_barrier_wait(b->go);
		b->err = check_once(c, b->s);
	} else {
		pthread_barrier_wait(b->go);
	}
	ntk_conn_close(c);
	return NULL;
}

/* n clients, connected first, then all CHECK at once: client i asks s[i * step]. */
static int
burst_run(const struct opts *o, const struct spec *s, size_t step, int n)
{
	pthread_t th[BURST_MAX];
	struct burster b[BURST_MAX];
	pthread_barrier_t go;
	int i, rc = 0;

	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		b[i] = (struct burster){ .o = o, .s = &s[(size_t)i * step], .go = &go };
		pthread_create(&th[i], NULL, burst_main, &b[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (b[i].err != 0)
			rc = b[i].err;
	}
	pthread_barrier_destroy(&go);
	return rc;
}

/*
 * Open every ntkd worker's LDAP connection (a bind is a round trip too):
 * BURST_MAX clients miss as many different users (USER,CASE lines of
 * `file`, flushed first) at once, more than ntkd has workers.
 */
static int
prime(const struct opts *o, struct ntk_conn *c, const char *file)
{
	struct spec s[BURST_MAX];
	char line[256];
	uint32_t dropped;
	int n = 0, rc;
	FILE *f;

	if ((f = fopen(file, "r")) == NULL)
		return NTK_ERR_IO;
	while (n < BURST_MAX && fgets(line, sizeof(line), f) != NULL) {
		memset(&s[n], 0, sizeof(s[n]));
		if (sscanf(line, "%127[^,],%31s", s[n].user, s[n].case_id) == 2)
			n++;
	}
	fclose(f);
	if (n == 0)
		return NTK_ERR_IO;
	if ((rc = ntk_client_flush(c, "", &dropped)) != 0)
		return rc;
	return burst_run(o, s, 1, n);
}

/* All n clients CHECK the same flushed user at once; the round trips that cost. */
static int
burst(const struct opts *o, struct ntk_conn *c, const struct spec *s, int n, long *trips)
{
	uint32_t dropped;
	long before;
	int rc;

	if ((rc = ntk_client_flush(c, s->user, &dropped)) != 0)
		return rc;
	before = ntk_bench_status_value(c, "ldap_round_trips");
	rc = burst_run(o, s, 0, n);
	*trips = ntk_bench_status_value(c, "ldap_round_trips") - before;
	return rc;
}

/* ---- memory per cached user ------------------------------------------------ */

static long
rss_kib(long pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	fclose(f);
	return v;
}

/* Cache every user of `file` ("user,case" lines, each an allow); bytes of RSS per user. */
static int
mem_per_user(const struct opts *o, struct ntk_conn *c, const char *file, double *bytes, long *users)
{
	struct spec s;
	char line[256];
	long before, n = 0;
	FILE *f;
	int rc = 0;

	if ((f = fopen(file, "r")) == NULL)
		return NTK_ERR_IO;
	before = rss_kib(o->pid);
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		memset(&s, 0, sizeof(s));
		if (sscanf(line, "%127[^,],%31s", s.user, s.case_id) != 2)
			continue;
		rc = check_once(c, &s);
		n++;
	}
	fclose(f);
	*users = n;
	*bytes = n > 0 ? (double)(rss_kib(o->pid) - before) * 1024.0 / (double)n : 0;
	return rc;
}

static int
run(const struct opts *o)
{
	struct ntk_conn *c = NULL;
	double us, p50, ping50;
	long size = 0, trips, n;
	int i, rc;

	if ((rc = ntk_conn_open(o->socket, 10000, &c)) != 0)
		return rc;
	/* Memory first, on a fresh daemon: freed memory would absorb later growth. */
	if (o->mem_users != NULL) {
		if ((rc = mem_per_user(o, c, o->mem_users, &us, &n)) != 0)
			goto out;
		printf("mem_worker_bytes %.0f\nmem_workers %ld\n", us, n);
	}
	if (o->mem_sups != NULL) {
		if ((rc = mem_per_user(o, c, o->mem_sups, &us, &n)) != 0)
			goto out;
		printf("mem_head_bytes %.0f\nmem_heads %ld\n", us, n);
	}
	printf("rss_kib %ld\n", rss_kib(o->pid));
	if ((rc = warm(o, c, OP_PING, NULL, NULL, &p50, &ping50, NULL)) != 0)
		goto out;
	printf("ping_us %.1f\n", p50);
	for (i = 0; i < o->ncheck; i++) {
		if ((rc = warm(o, c, OP_CHECK, &o->check[i], NULL, &p50, &ping50, NULL)) != 0)
			goto out;
		printf("check_%s_us %.1f\ncheck_%s_ping_us %.1f\ncheck_%s_ratio %.2f\n",
		    o->check[i].label, p50, o->check[i].label, ping50, o->check[i].label, p50 / ping50);
	}
	if (o->initgroups != NULL) {
		if ((rc = warm(o, c, OP_INITGROUPS, NULL, o->initgroups, &p50, &ping50, &size)) != 0)
			goto out;
		printf("initgroups_us %.1f\ninitgroups_gids %ld\n", p50, size);
	}
	for (i = 0; i < o->ngroups; i++) {
		if ((rc = warm(o, c, OP_GROUP, NULL, o->groups[i], &p50, &ping50, &size)) != 0)
			goto out;
		printf("group%d_us %.1f\ngroup%d_members %ld\n", i, p50, i, size);
	}
	for (i = 0; i < o->ncold; i++) {
		if ((rc = cold(c, &o->cold[i], &us, &trips)) != 0)
			goto out;
		printf("cold_%s_us %.0f\ncold_%s_trips %ld\n", o->cold[i].label, us, o->cold[i].label,
		    trips);
	}
	if (o->burst_clients > 0) {
		if ((o->mem_users != NULL && (rc = prime(o, c, o->mem_users)) != 0) ||
		    (rc = burst(o, c, &o->burst, o->burst_clients, &trips)) != 0)
			goto out;
		printf("burst_clients %d\nburst_trips %ld\n", o->burst_clients, trips);
	}
 out:
	ntk_conn_close(c);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' }, { "pid", required_argument, NULL, 'p' },
		{ "iterations", required_argument, NULL, 'n' }, { "check", required_argument, NULL, 'c' },
		{ "cold", required_argument, NULL, 'C' }, { "burst", required_argument, NULL, 'b' },
		{ "burst-clients", required_argument, NULL, 'B' },
		{ "initgroups", required_argument, NULL, 'i' }, { "group", required_argument, NULL, 'g' },
		{ "mem-users", required_argument, NULL, 'm' }, { "mem-sups", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	static struct opts o = { .iterations = 5000 };
	int opt, rc, bad = 0;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 's': o.socket = optarg; break;
		case 'p': o.pid = strtol(optarg, NULL, 10); break;
		case 'n': o.iterations = strtol(optarg, NULL, 10); break;
		case 'c':
			bad |= o.ncheck >= MAX_SPECS || parse_spec(optarg, &o.check[o.ncheck++]) != 0;
			break;
		case 'C':
			bad |= o.ncold >= MAX_SPECS || parse_spec(optarg, &o.cold[o.ncold++]) != 0;
			break;
		case 'b': bad |= parse_spec(optarg, &o.burst) != 0; break;
		case 'B': o.burst_clients = (int)strtol(optarg, NULL, 10); break;
		case 'i': o.initgroups = optarg; break;
		case 'g':
			if (o.ngroups < MAX_SPECS)
				o.groups[o.ngroups++] = optarg;
			break;
		case 'm': o.mem_users = optarg; break;
		case 'M': o.mem_sups = optarg; break;
		default: bad = 1; break;
		}
	}
	if (bad || o.socket == NULL || o.pid <= 0 || o.iterations < 10 || o.iterations > 1000000 ||
	    o.burst_clients < 0 || o.burst_clients > BURST_MAX) {
		fprintf(stderr, "usage: ntk_scale_bench --socket S --pid NTKD_PID [--iterations N]\n"
		    "  [--check LABEL,USER,CASE]... [--cold LABEL,USER,CASE]... [--initgroups USER]\n"
		    "  [--group NAME]... [--burst L,USER,CASE --burst-clients N]\n"
		    "  [--mem-users FILE] [--mem-sups FILE]   (FILE: USER,CASE lines)\n");
		return 2;
	}
	if ((rc = run(&o)) != 0) {
		fprintf(stderr, "ntk_scale_bench: %s\n", ntk_strerror(rc));
		return 2;
	}
	return 0;
}
