/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd benchmark: warm decisions beside PING, under an untrusted uid's flood, and a cold decision beside raw libldap. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <ldap.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_status.h"
#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_proto.h"

struct opts {
	const char *socket, *uri, *base, *binddn, *bindpw_file;
	long iterations;
};

enum op { OP_PING, OP_CHECK };

struct run {
	const struct opts *o;
	enum op op;
	const char *user, *system, *case_id;
	long n;                         /* operations for this thread */
	double *lat;                    /* microseconds, n of them */
	int err;
};

struct result {
	double ops, p50, p99;
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

static void *
worker(void *arg)
{
	struct run *r = arg;
	struct ntk_conn *c = NULL;
	struct ntk_check_req q = { .user = (char *)r->user, .system = (char *)r->system,
	    .action = NTK_ACTION_READ, .case_id = (char *)r->case_id, .state = NTK_STATE_OPEN,
	    .reason = "", .rhost = "", .tty = "", .flags = 0 };
	struct ntk_check_rep rep;
	double t;
	long i;

	if ((r->err = ntk_conn_open(r->o->socket, 10000, &c)) != 0)
		return NULL;
	for (i = 0; i < r->n; i++) {
		t = now_us();
		if (r->op == OP_PING) {
			r->err = ntk_client_ping(c);
		} else {
			memset(&rep, 0, sizeof(rep));
			r->err = ntk_client_check(c, &q, &rep);
			if (r->err == 0 && !ntk_outcome_allows(rep.outcome))
				r->err = NTK_ERR_INTERNAL;      /* the warm case must be an allow */
			ntk_check_rep_clear(&rep);
		}
		r->lat[i] = now_us() - t;
		if (r->err != 0)
			break;
	}
	ntk_conn_close(c);
	return NULL;
}

/* `total` operations over `clients` threads, each with its own connection. */
static int
measure(const struct opts *o, enum op op, int clients, long total, const char *user,
    const char *system, const char *case_id, struct result *res)
{
	pthread_t th[64];
	struct run runs[64];
	double *all, t0, t1;
	long per = total / clients, k = 0;
	int j, rc = 0;

	if ((all = calloc((size_t)per * clients, sizeof(double))) == NULL)
		return NTK_ERR_NOMEM;
	for (j = 0; j < clients; j++) {
		runs[j] = (struct run){ .o = o, .op = op, .user = user, .system = system,
		    .case_id = case_id, .n = per, .lat = all + (size_t)per * j };
	}
	t0 = now_us();
	for (j = 0; j < clients; j++)
		pthread_create(&th[j], NULL, worker, &runs[j]);
	for (j = 0; j < clients; j++)
		pthread_join(th[j], NULL);
	t1 = now_us();
	for (j = 0; j < clients; j++)
		if (runs[j].err != 0)
			rc = runs[j].err;
	k = per * clients;
	qsort(all, (size_t)k, sizeof(double), cmp_d);
	res->ops = k / ((t1 - t0) / 1e6);
	res->p50 = all[k / 2];
	res->p99 = all[(k * 99) / 100];
	free(all);
	return rc;
}

/* ---- the flood: one untrusted uid walking the case gid range ---------------- */

#define FLOOD_CONNS 8
#define FLOOD_WINDOW 32                 /* GROUP_BY_GID in flight per connection */
#define FLOOD_GID_MIN 200000u           /* run-bench.sh's case_gid_min .. case_gid_max */
#define FLOOD_GID_MAX 299999u
#define FLOOD_MAX_SECONDS 60            /* whatever the parent does, the flood ends */
#define FLOOD_MAX_REQUESTS 2000000L

struct flooder {
	const char *socket;
	uint32_t first, last;           /* this connection's slice, walked round and round */
	atomic_long *sent;
	int err;
};

static volatile sig_atomic_t flood_stop;

static void
on_term(int sig)
{
	(void)sig;
	flood_stop = 1;
}

static int
io_wait(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, 10000) == 1 ? 0 : NTK_ERR_TIMEOUT;
}

static int
send_whole(int fd, const uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
			p += k;
			n -= (size_t)k;
		} else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (io_wait(fd, POLLOUT) != 0)
				return NTK_ERR_TIMEOUT;
		} else {
			return NTK_ERR_IO;
		}
	}
	return 0;
}

static int
recv_whole(int fd, uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = recv(fd, p, n, 0)) > 0) {
			p += k;
			n -= (size_t)k;
		} else if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (io_wait(fd, POLLIN) != 0)
				return NTK_ERR_TIMEOUT;
		} else {
			return NTK_ERR_IO;
		}
	}
	return 0;
}

/* Keep FLOOD_WINDOW requests in flight; every reply is read (a NOT_FOUND error, mostly). */
static void *
flooder_main(void *arg)
{
	struct flooder *f = arg;
	struct ntk_conn *c = NULL;
	struct ntk_buf req;
	uint8_t hdr[NTK_HEADER_LEN], body[4096];
	uint32_t gid = f->first, blen;
	uint16_t type;
	long inflight = 0;
	int fd;

	ntk_buf_init(&req, NTK_HEADER_LEN + 8);
	if ((f->err = ntk_conn_open(f->socket, 10000, &c)) != 0)
		goto out;
	fd = ntk_conn_fd(c);
	while (!flood_stop || inflight > 0) {
		while (!flood_stop && inflight < FLOOD_WINDOW &&
		    atomic_fetch_add(f->sent, 1) < FLOOD_MAX_REQUESTS) {
			if ((f->err = ntk_proto_begin(&req, NTK_MSG_GROUP_BY_GID)) != 0 ||
			    (f->err = ntk_proto_encode_u32(&req, gid)) != 0 ||
			    (f->err = ntk_proto_end(&req)) != 0 ||
			    (f->err = send_whole(fd, ntk_buf_ptr(&req), ntk_buf_remaining(&req))) != 0)
				goto out;
			gid = gid == f->last ? f->first : gid + 1;
			inflight++;
		}
		if (inflight == 0)
			break;
		if ((f->err = recv_whole(fd, hdr, sizeof(hdr))) != 0 ||
		    (f->err = ntk_proto_header(hdr, sizeof(body), &blen, &type)) != 0 ||
		    (f->err = recv_whole(fd, body, blen)) != 0)
			goto out;
		inflight--;
	}
 out:
	ntk_conn_close(c);
	ntk_buf_free(&req);
	return NULL;
}

/*
 * The flooding process: as `nobody` when run as root (the point is an
 * untrusted uid), FLOOD_CONNS connections over the whole case gid range.
 * Writes one byte to `ready` once every connection is open, and the
 * request count when SIGTERM (or FLOOD_MAX_SECONDS) ends it.
 */
static int
flood_child(const char *socket, int ready)
{
	pthread_t th[FLOOD_CONNS];
	struct flooder f[FLOOD_CONNS];
	uint32_t per = (FLOOD_GID_MAX - FLOOD_GID_MIN + 1) / FLOOD_CONNS;
	struct passwd *pw;
	atomic_long sent = 0;
	long total;
	int i, rc = 0;

	if (geteuid() == 0 && ((pw = getpwnam("nobody")) == NULL ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
		return 2;
	signal(SIGTERM, on_term);
	signal(SIGALRM, on_term);
	alarm(FLOOD_MAX_SECONDS);
	for (i = 0; i < FLOOD_CONNS; i++) {
		f[i] = (struct flooder){ .socket = socket, .sent = &sent,
		    .first = FLOOD_GID_MIN + (uint32_t)i * per,
		    .last = FLOOD_GID_MIN + (uint32_t)(i + 1) * per - 1 };
		pthread_create(&th[i], NULL, flooder_main, &f[i]);
	}
	/* Past ntkd's one-second burst allowance, so what is measured beside it is the steady flood. */
	usleep(1500000);
	if (write(ready, "r", 1) != 1)
		rc = 2;
	for (i = 0; i < FLOOD_CONNS; i++) {
		pthread_join(th[i], NULL);
		if (f[i].err != 0 && !flood_stop)
			rc = 2;
	}
	total = atomic_load(&sent);
	if (total > FLOOD_MAX_REQUESTS)
		total = FLOOD_MAX_REQUESTS;
	if (write(ready, &total, sizeof(total)) != (ssize_t)sizeof(total))
		rc = 2;
	return rc;
}

/* Warm CHECK (1 client) while the flood runs; *flooded: GROUP_BY_GID requests it sent. */
static int
measure_flooded(const struct opts *o, struct result *res, long *flooded, double *flood_s)
{
	int p[2], status, rc;
	double t0;
	pid_t pid;
	char b;

	*flooded = 0;
	*flood_s = 0;
	if (pipe(p) != 0)
		return NTK_ERR_IO;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return NTK_ERR_IO;
	}
	if (pid == 0) {
		close(p[0]);
		_exit(flood_child(o->socket, p[1]));
	}
	close(p[1]);
	if (read(p[0], &b, 1) != 1) {
		rc = NTK_ERR_IO;
		goto out;
	}
	t0 = now_us();
	rc = measure(o, OP_CHECK, 1, o->iterations, "alice", "FACTS", "1001", res);
	*flood_s = (now_us() - t0) / 1e6;
 out:
	kill(pid, SIGTERM);
	if (read(p[0], flooded, sizeof(*flooded)) != (ssize_t)sizeof(*flooded))
		*flooded = -1;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = rc != 0 ? rc : NTK_ERR_INTERNAL;
	return rc;
}

#define COLD_ROUNDS 15

/*
 * Cold decisions: flush the user, time one CHECK, count LDAP round trips.
 * Repeated so every worker's LDAP connection is open (the cost measured is
 * the searches, not connect and bind); the median is reported.
 */
static int
cold(const struct opts *o, const char *user, const char *case_id, double *us, long *trips)
{
	struct ntk_conn *c = NULL;
	struct ntk_check_req q = { .user = (char *)user, .system = "FACTS", .action = NTK_ACTION_READ,
	    .case_id = (char *)case_id, .state = NTK_STATE_OPEN, .reason = "", .rhost = "", .tty = "" };
	struct ntk_check_rep rep;
	double t[COLD_ROUNDS], start;
	uint32_t dropped;
	long before;
	int rc = 0, i;

	if ((rc = ntk_conn_open(o->socket, 10000, &c)) != 0)
		return rc;
	for (i = 0; i < COLD_ROUNDS && rc == 0; i++) {
		memset(&rep, 0, sizeof(rep));
		if ((rc = ntk_client_flush(c, user, &dropped)) != 0)
			break;
		before = ntk_bench_status_value(c, "ldap_round_trips");
		start = now_us();
		rc = ntk_client_check(c, &q, &rep);
		t[i] = now_us() - start;
		ntk_check_rep_clear(&rep);
		*trips = ntk_bench_status_value(c, "ldap_round_trips") - before;
	}
	ntk_conn_close(c);
	qsort(t, COLD_ROUNDS, sizeof(double), cmp_d);
	*us = t[COLD_ROUNDS / 2];
	return rc;
}

/* The same user's entry with libldap directly, bound, one search: the floor for a cold decision. */
static int
raw_ldap(const struct opts *o, const char *user, double *us)
{
	LDAP *ld = NULL;
	LDAPMessage *res = NULL;
	struct berval cred = { 0, NULL };
	char pw[256] = "", filter[256];
	int version = LDAP_VERSION3, rc, i;
	double t[COLD_ROUNDS], start;
	FILE *f;

	if (o->bindpw_file != NULL && (f = fopen(o->bindpw_file, "r")) != NULL) {
		if (fgets(pw, sizeof(pw), f) != NULL)
			pw[strcspn(pw, "\n")] = '\0';
		fclose(f);
	}
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	if (ldap_initialize(&ld, o->uri) != LDAP_SUCCESS)
		return -1;
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	if ((rc = ldap_sasl_bind_s(ld, o->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL)) != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return -1;
	}
	snprintf(filter, sizeof(filter), "(&(objectClass=inetOrgPerson)(uid=%s))", user);
	/* On a bound connection, median of as many rounds as the daemon's side. */
	for (i = 0; i < COLD_ROUNDS; i++) {
		start = now_us();
		rc = ldap_search_ext_s(ld, o->base, LDAP_SCOPE_SUBTREE, filter, NULL, 0, NULL, NULL,
		    NULL, 0, &res);
		t[i] = now_us() - start;
		ldap_msgfree(res);
		res = NULL;
		if (rc != LDAP_SUCCESS)
			break;
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
	qsort(t, COLD_ROUNDS, sizeof(double), cmp_d);
	*us = t[COLD_ROUNDS / 2];
	return rc == LDAP_SUCCESS ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' }, { "uri", required_argument, NULL, 'u' },
		{ "base", required_argument, NULL, 'b' }, { "binddn", required_argument, NULL, 'D' },
		{ "bindpw-file", required_argument, NULL, 'y' },
		{ "iterations", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	struct opts o = { .iterations = 20000 };
	struct result ping[2], check[2], quiet, flooded;
	int clients[2] = { 1, 8 }, i, opt, rc, fails = 0;
	double cold_us, raw_us, cold2_us;
	long trips, trips2, flood_n;
	double flood_s = 0;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 's': o.socket = optarg; break;
		case 'u': o.uri = optarg; break;
		case 'b': o.base = optarg; break;
		case 'D': o.binddn = optarg; break;
		case 'y': o.bindpw_file = optarg; break;
		case 'n': o.iterations = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (o.socket == NULL || o.uri == NULL || o.base == NULL || o.iterations < 100 ||
	    o.iterations > 10000000) {
		fprintf(stderr, "usage: ntk_bench --socket S --uri U --base B [--binddn D --bindpw-file F] [--iterations N]\n");
		return 2;
	}
	/* Warm the cache, the daemon's threads and the client side. */
	if ((rc = measure(&o, OP_CHECK, 1, 2000, "alice", "FACTS", "1001", &check[0])) != 0 ||
	    (rc = measure(&o, OP_PING, 1, 2000, NULL, NULL, NULL, &ping[0])) != 0) {
		fprintf(stderr, "ntk_bench: warm-up: %s\n", ntk_strerror(rc));
		return 2;
	}
	for (i = 0; i < 2; i++) {
		if ((rc = measure(&o, OP_PING, clients[i], o.iterations, NULL, NULL, NULL, &ping[i])) != 0 ||
		    (rc = measure(&o, OP_CHECK, clients[i], o.iterations, "alice", "FACTS", "1001",
		    &check[i])) != 0) {
			fprintf(stderr, "ntk_bench: %s\n", ntk_strerror(rc));
			return 2;
		}
	}
	/* The same measurement just before, as the reference. */
	if ((rc = measure(&o, OP_CHECK, 1, o.iterations, "alice", "FACTS", "1001", &quiet)) != 0 ||
	    (rc = measure_flooded(&o, &flooded, &flood_n, &flood_s)) != 0) {
		fprintf(stderr, "ntk_bench: flood: %s\n", ntk_strerror(rc));
		return 2;
	}
	if ((rc = cold(&o, "alice", "1001", &cold_us, &trips)) != 0 ||
	    (rc = cold(&o, "dave", "1001", &cold2_us, &trips2)) != 0) {
		fprintf(stderr, "ntk_bench: cold: %s\n", ntk_strerror(rc));
		return 2;
	}
	if (raw_ldap(&o, "alice", &raw_us) != 0) {
		fprintf(stderr, "ntk_bench: raw LDAP search failed\n");
		return 2;
	}

	printf("ntkd benchmark: %ld operations per case, each client on its own connection\n\n",
	    o.iterations);
	printf("%-26s %7s %12s %9s %9s\n", "case", "clients", "ops/s", "p50 us", "p99 us");
	for (i = 0; i < 2; i++) {
		printf("%-26s %7d %12.0f %9.1f %9.1f\n", "PING (no-op floor)", clients[i],
		    ping[i].ops, ping[i].p50, ping[i].p99);
		printf("%-26s %7d %12.0f %9.1f %9.1f\n", "CHECK warm (cached facts)", clients[i],
		    check[i].ops, check[i].p50, check[i].p99);
		printf("%-26s %7d %12.2fx %8.2fx\n", "  CHECK/PING latency", clients[i],
		    check[i].p50 / ping[i].p50, check[i].p99 / ping[i].p99);
	}
	printf("\n%-26s %7s %12s %9s %9s\n", "another uid floods", "clients", "ops/s", "p50 us", "p99 us");
	printf("%-26s %7d %12.0f %9.1f %9.1f\n", "CHECK warm, no flood", 1, quiet.ops,
	    quiet.p50, quiet.p99);
	printf("%-26s %7d %12.0f %9.1f %9.1f\n", "CHECK warm, during flood", 1, flooded.ops,
	    flooded.p50, flooded.p99);
	printf("%-26s %7d %12.2fx %8.2fx\n", "  flood / no flood", 1, flooded.p50 / quiet.p50,
	    flooded.p99 / quiet.p99);
	printf("  (flood: %d connections of one untrusted uid pipelining GROUP_BY_GID over\n"
	    "   gids %u-%u, %ld requests answered or in flight, %.1f s measured after\n"
	    "   1.5 s of it, past the one-second burst [daemon] untrusted_rate allows)\n", FLOOD_CONNS,
	    FLOOD_GID_MIN, FLOOD_GID_MAX, flood_n, flood_s);
	printf("\n%-40s %10s %12s\n", "cold decision (after flush, median)", "time us", "LDAP trips");
	printf("%-40s %10.1f %12ld\n", "CHECK alice 1001 (no supervised role)", cold_us, trips);
	printf("%-40s %10.1f %12ld\n", "CHECK dave 1001 (supervisor, depth 2)", cold2_us, trips2);
	printf("%-40s %10.1f %12d\n", "raw ldap_search_ext_s of alice's entry", raw_us, 1);
	printf("%-40s %9.2fx\n", "  cold CHECK alice / raw search", cold_us / raw_us);
	printf("%-40s %9.2fx\n", "  cold CHECK dave / raw search", cold2_us / raw_us);

	printf("\ntargets:\n");
#define TARGET(ok, fmt, ...) do { printf("  %-4s " fmt "\n", (ok) ? "ok" : "MISS", __VA_ARGS__); fails += !(ok); } while (0)
	TARGET(check[0].p50 <= 1.3 * ping[0].p50, "warm CHECK p50 <= 1.3x PING p50 (1 client): %.2fx",
	    check[0].p50 / ping[0].p50);
	TARGET(check[1].ops >= 50000, "warm CHECK >= 50000/s at 8 clients: %.0f/s", check[1].ops);
	TARGET(flooded.p50 <= 2 * quiet.p50 && flooded.p99 <= 2 * quiet.p99,
	    "warm CHECK during another uid's flood <= 2x without (p50, p99): %.2fx, %.2fx",
	    flooded.p50 / quiet.p50, flooded.p99 / quiet.p99);
	TARGET(trips <= 2, "cold CHECK alice <= 2 LDAP round trips: %ld", trips);
	TARGET(trips2 <= 2 + 2, "cold CHECK dave <= 2 + 1 per supervision level (2): %ld", trips2);
	return fails > 0 ? 1 : 0;
}
