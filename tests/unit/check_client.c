/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check tests for ntk_client against an in-test server thread on a temporary Unix socket. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ntk_buf.h"
#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_peer.h"
#include "ntk_proto.h"

#define TIMEOUT_MS 300

/* What the server thread does with the one connection it accepts. */
enum mode {
	M_PING,          /* a correct PING reply */
	M_CLOSE,         /* close without a word */
	M_SHORT,         /* 3 bytes of garbage, then close */
	M_SHORT_BODY,    /* a header promising 10 bytes, 4 of them, then close */
	M_SLOW,          /* read the request, never answer */
	M_SLOW_BODY,     /* a header, then nothing */
	M_VERSION,       /* a reply in the next protocol version */
	M_TOO_LONG,      /* a header over NTK_REPLY_MAX */
	M_WRONG_TYPE,    /* a CHECK reply to anything */
	M_ERROR,         /* an ERROR reply, code DENIED */
	M_BAD_ERROR,     /* an ERROR reply whose code is 0 */
	M_CHECK,         /* decode a CHECK request, answer it */
	M_BREAK_GLASS,   /* a break-glass CHECK, answered with a grant */
	M_FACTS,         /* a FACTS reply */
	M_MISC,          /* answer every typed call in turn */
	M_DRIP,          /* a header promising 100 bytes, then one byte every 50 ms */
	M_LATE,          /* a correct PING reply after 150 ms */
};

struct server {
	char dir[64];
	char path[128];
	int lfd;
	enum mode mode;
	pthread_t thread;
	int seen_ok;     /* the server decoded the request it expected */
};

static int
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (uint8_t *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void
write_full(int fd, const void *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p = (const uint8_t *)p + w;
		n -= (size_t)w;
	}
}

/* Read one request; its type and body (in *body) or -1. */
static int
read_request(int fd, struct ntk_buf *body, uint16_t *type)
{
	uint8_t hdr[NTK_HEADER_LEN];
	uint32_t len;
	uint8_t *p;

	ntk_buf_init(body, NTK_REQUEST_MAX);
	if (read_full(fd, hdr, sizeof(hdr)) != 0 ||
	    ntk_proto_header(hdr, NTK_REQUEST_MAX, &len, type) != 0)
		return -1;
	if ((p = ntk_buf_reserve(body, len)) == NULL || read_full(fd, p, len) != 0)
		return -1;
	ntk_buf_commit(body, len);
	return 0;
}

/* Send a framed reply built by `fill` (NULL: no body). */
static void
reply(int fd, uint16_t type, int (*fill)(struct ntk_buf *, const void *), const void *arg)
{
	struct ntk_buf b;

	ntk_buf_init(&b, NTK_HEADER_LEN + NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_proto_begin(&b, type), 0);
	if (fill != NULL)
		ck_assert_int_eq(fill(&b, arg), 0);
	ck_assert_int_eq(ntk_proto_end(&b), 0);
	write_full(fd, b.data, b.len);
	ntk_buf_free(&b);
}

static int
fill_check_rep(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_check_rep(b, arg);
}

static int
fill_facts_rep(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_facts_rep(b, arg);
}

static int
fill_error(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_error(b, NTK_ERR_DENIED, arg);
}

static int
fill_group(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_group(b, arg);
}

static int
fill_group_list(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_group_list(b, arg);
}

static int
fill_gid_list(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_gid_list(b, arg);
}

static int
fill_str(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_str(b, arg);
}

static int
fill_u32(struct ntk_buf *b, const void *arg)
{
	return ntk_proto_encode_u32(b, *(const uint32_t *)arg);
}

static char *members[] = { "alice", "bob" };
static struct ntk_group group = { .name = "ntk-case-7", .gid = 70007,
	.members = members, .nmembers = 2 };
static uint32_t gids[] = { 70007, 60001 };

/* Answer typed calls until the client closes; count the ones we understood. */
static void
serve_misc(struct server *s, int fd)
{
	struct ntk_buf body;
	struct ntk_group_list list = { .groups = &group, .ngroups = 1 };
	struct ntk_gid_list gl = { .gids = gids, .ngids = 2 };
	struct ntk_report_req rr;
	char *str;
	uint32_t u, dropped = 5;
	uint16_t type;

	while (read_request(fd, &body, &type) == 0) {
		switch (type) {
		case NTK_MSG_PING:
			if (ntk_buf_remaining(&body) == 0)
				s->seen_ok++;
			reply(fd, NTK_MSG_PING | NTK_MSG_REPLY, NULL, NULL);
			break;
		case NTK_MSG_REPORT:
			if (ntk_proto_decode_report_req(&body, &rr) == 0 && rr.ncases == 2 &&
			    strcmp(rr.cases[1], "C-2") == 0)
				s->seen_ok++;
			ntk_report_req_clear(&rr);
			reply(fd, NTK_MSG_REPORT | NTK_MSG_REPLY, NULL, NULL);
			break;
		case NTK_MSG_GROUP_BY_NAME:
			if (ntk_proto_decode_str(&body, &str) == 0 && strcmp(str, "ntk-case-7") == 0)
				s->seen_ok++;
			free(str);
			reply(fd, NTK_MSG_GROUP_BY_NAME | NTK_MSG_REPLY, fill_group, &group);
			break;
		case NTK_MSG_GROUP_BY_GID:
			if (ntk_proto_decode_u32(&body, &u) == 0 && u == 70007)
				s->seen_ok++;
			reply(fd, NTK_MSG_GROUP_BY_GID | NTK_MSG_REPLY, fill_group, &group);
			break;
		case NTK_MSG_INITGROUPS:
			if (ntk_proto_decode_str(&body, &str) == 0 && strcmp(str, "alice") == 0)
				s->seen_ok++;
			free(str);
			reply(fd, NTK_MSG_INITGROUPS | NTK_MSG_REPLY, fill_gid_list, &gl);
			break;
		case NTK_MSG_GROUP_LIST:
			s->seen_ok++;
			reply(fd, NTK_MSG_GROUP_LIST | NTK_MSG_REPLY, fill_group_list, &list);
			break;
		case NTK_MSG_STATUS:
			s->seen_ok++;
			reply(fd, NTK_MSG_STATUS | NTK_MSG_REPLY, fill_str, "uptime=1\n");
			break;
		case NTK_MSG_FLUSH:
			if (ntk_proto_decode_str(&body, &str) == 0 && str[0] == '\0')
				s->seen_ok++;
			free(str);
			reply(fd, NTK_MSG_FLUSH | NTK_MSG_REPLY, fill_u32, &dropped);
			break;
		default:
			reply(fd, NTK_MSG_ERROR, fill_error, "unknown");
		}
		ntk_buf_free(&body);
	}
	ntk_buf_free(&body);
}

static char *fx_roles_names[] = { "legal" };
static struct ntk_role fx_role = { .name = "legal", .scope = NTK_SCOPE_ALL, .closed = true };
static size_t fx_idx[] = { 0 };
static struct ntk_system fx_sys = { .name = "FACTS", .role_idx = fx_idx, .nroles = 1 };
static struct ntk_assignment fx_assign = { .case_id = "C-1", .until = NTK_NO_END };
static const struct ntk_facts_rep fx_facts = {
	.outcome = NTK_ALLOW_SYSTEM_ACCESS, .clock = { 20000, 1728000000 }, .max_age = 30,
	.policy = { .roles = &fx_role, .nroles = 1, .systems = &fx_sys, .nsystems = 1,
	    .supervision_depth = 2 },
	.subject = { .found = true, .name = "alice", .roles = fx_roles_names, .nroles = 1,
	    .assignments = &fx_assign, .nassignments = 1 },
};

static void *
server_main(void *arg)
{
	struct server *s = arg;
	static const uint8_t garbage[3] = { 0xde, 0xad, 0xbe };
	uint8_t hdr[NTK_HEADER_LEN] = { 0, 0, 0, 0, 0, NTK_PROTO_VERSION, 0x80, NTK_MSG_PING };
	struct ntk_check_req q;
	struct ntk_check_rep p = { .outcome = NTK_ALLOW_ASSIGNED,
		.verdict = "ALLOW rule=assigned", .explain = "" };
	struct ntk_buf body;
	uint16_t type;
	uint8_t sink[64];
	sigset_t block;
	int fd;

	/* Signals in these tests are meant for the client's thread. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	if ((fd = accept(s->lfd, NULL, NULL)) < 0)
		return NULL;
	switch (s->mode) {
	case M_CLOSE:
		break;
	case M_PING:
		if (read_request(fd, &body, &type) == 0 && type == NTK_MSG_PING)
			s->seen_ok++;
		ntk_buf_free(&body);
		reply(fd, NTK_MSG_PING | NTK_MSG_REPLY, NULL, NULL);
		break;
	case M_SHORT:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		write_full(fd, garbage, sizeof(garbage));
		break;
	case M_SHORT_BODY:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		hdr[3] = 10;
		write_full(fd, hdr, sizeof(hdr));
		write_full(fd, garbage, sizeof(garbage));
		write_full(fd, garbage, 1);
		break;
	case M_SLOW:
	case M_SLOW_BODY:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		if (s->mode == M_SLOW_BODY) {
			hdr[3] = 10;
			write_full(fd, hdr, sizeof(hdr));
		}
		/* Hold the connection open until the client gives up and closes. */
		while (read(fd, sink, sizeof(sink)) > 0)
			;
		break;
	case M_VERSION:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		hdr[5] = NTK_PROTO_VERSION + 1;
		write_full(fd, hdr, sizeof(hdr));
		break;
	case M_TOO_LONG:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		hdr[0] = (uint8_t)((NTK_REPLY_MAX + 1) >> 24);  /* one byte over the cap */
		hdr[1] = (uint8_t)((NTK_REPLY_MAX + 1) >> 16);
		hdr[2] = (uint8_t)((NTK_REPLY_MAX + 1) >> 8);
		hdr[3] = (uint8_t)(NTK_REPLY_MAX + 1);
		write_full(fd, hdr, sizeof(hdr));
		break;
	case M_WRONG_TYPE:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		reply(fd, NTK_MSG_CHECK | NTK_MSG_REPLY, fill_check_rep, &p);
		/* The stream stays in step: a second call gets its answer. */
		if (read_request(fd, &body, &type) == 0)
			reply(fd, NTK_MSG_PING | NTK_MSG_REPLY, NULL, NULL);
		ntk_buf_free(&body);
		break;
	case M_ERROR:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		reply(fd, NTK_MSG_ERROR, fill_error, "peer may not ask");
		break;
	case M_BAD_ERROR:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		hdr[3] = 8;
		hdr[6] = 0x7f;
		hdr[7] = 0xff;
		write_full(fd, hdr, sizeof(hdr));
		memset(sink, 0, 8);
		write_full(fd, sink, 8);
		break;
	case M_CHECK:
		if (read_request(fd, &body, &type) == 0 && type == NTK_MSG_CHECK &&
		    ntk_proto_decode_check_req(&body, &q) == 0) {
			if (strcmp(q.user, "alice") == 0 && strcmp(q.case_id, "C-1") == 0 &&
			    q.action == NTK_ACTION_WRITE && q.flags == NTK_CHECK_DRY_RUN)
				s->seen_ok++;
			ntk_check_req_clear(&q);
		}
		ntk_buf_free(&body);
		reply(fd, NTK_MSG_CHECK | NTK_MSG_REPLY, fill_check_rep, &p);
		break;
	case M_BREAK_GLASS:
		if (read_request(fd, &body, &type) == 0 && type == NTK_MSG_CHECK &&
		    ntk_proto_decode_check_req(&body, &q) == 0) {
			/* What ntkd grants on: a real decision (no dry run) for read of an open case, with the reason. */
			if (strcmp(q.user, "alice") == 0 && strcmp(q.system, "FACTS") == 0 &&
			    strcmp(q.case_id, "C-9") == 0 && strcmp(q.reason, "child at risk") == 0 &&
			    q.action == NTK_ACTION_READ && q.state == NTK_STATE_OPEN && q.flags == 0)
				s->seen_ok++;
			ntk_check_req_clear(&q);
		}
		ntk_buf_free(&body);
		p.outcome = NTK_ALLOW_BREAK_GLASS;
		p.verdict = "ALLOW rule=break-glass";
		p.grant_expires = 1728003600;
		p.deny_message = "";
		reply(fd, NTK_MSG_CHECK | NTK_MSG_REPLY, fill_check_rep, &p);
		break;
	case M_FACTS:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		reply(fd, NTK_MSG_FACTS | NTK_MSG_REPLY, fill_facts_rep, &fx_facts);
		break;
	case M_MISC:
		serve_misc(s, fd);
		break;
	case M_DRIP:
		read_request(fd, &body, &type);
		ntk_buf_free(&body);
		hdr[3] = 100;
		write_full(fd, hdr, sizeof(hdr));
		/* Each byte arrives well within the timeout; the whole never does. */
		for (int i = 0; i < 100; i++) {
			poll(NULL, 0, 50);
			if (send(fd, garbage, 1, MSG_NOSIGNAL) != 1)
				break;
		}
		break;
	case M_LATE:
		if (read_request(fd, &body, &type) == 0 && type == NTK_MSG_PING)
			s->seen_ok++;
		ntk_buf_free(&body);
		poll(NULL, 0, 150);
		reply(fd, NTK_MSG_PING | NTK_MSG_REPLY, NULL, NULL);
		break;
	}
	close(fd);
	return NULL;
}

static void
server_start(struct server *s, enum mode mode)
{
	struct sockaddr_un sa;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/ntk-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/sock", s->dir);
	s->mode = mode;
	ck_assert_int_ge(s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s->lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void
server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
}

/* Open a connection to a server in `mode` and make one PING call. */
static int
ping_mode(enum mode mode, int *seen)
{
	struct server s;
	struct ntk_conn *c;
	int r;

	server_start(&s, mode);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	r = ntk_client_ping(c);
	ntk_conn_close(c);
	server_stop(&s);
	if (seen != NULL)
		*seen = s.seen_ok;
	return r;
}

START_TEST(test_ping)
{
	int seen = 0;

	ck_assert_int_eq(ping_mode(M_PING, &seen), 0);
	ck_assert_int_eq(seen, 1);
}
END_TEST

START_TEST(test_bad_replies)
{
	ck_assert_int_eq(ping_mode(M_CLOSE, NULL), NTK_ERR_CLOSED);
	ck_assert_int_eq(ping_mode(M_SHORT, NULL), NTK_ERR_TRUNCATED);
	ck_assert_int_eq(ping_mode(M_SHORT_BODY, NULL), NTK_ERR_TRUNCATED);
	ck_assert_int_eq(ping_mode(M_VERSION, NULL), NTK_ERR_VERSION);
	ck_assert_int_eq(ping_mode(M_TOO_LONG, NULL), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ping_mode(M_ERROR, NULL), NTK_ERR_DENIED);
	ck_assert_int_eq(ping_mode(M_BAD_ERROR, NULL), NTK_ERR_BAD_VALUE);
}
END_TEST

START_TEST(test_timeout)
{
	struct server s;
	struct ntk_conn *c;
	struct timespec t0, t1;
	long ms;

	ck_assert_int_eq(ping_mode(M_SLOW_BODY, NULL), NTK_ERR_TIMEOUT);

	server_start(&s, M_SLOW);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(ntk_client_ping(c), NTK_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_ge(ms, TIMEOUT_MS - 10);
	ck_assert_int_lt(ms, TIMEOUT_MS + 2000);
	/* A half-read stream cannot be trusted again. */
	ck_assert_int_eq(ntk_client_ping(c), NTK_ERR_IO);
	ntk_conn_close(c);
	server_stop(&s);
}
END_TEST

/* The timeout bounds the whole call, not each read. */
START_TEST(test_total_deadline)
{
	struct timespec t0, t1;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(ping_mode(M_DRIP, NULL), NTK_ERR_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* The server thread takes up to 100 x 50 ms to notice; the client must not. */
	ck_assert_int_lt(ms, 5000);
}
END_TEST

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Signals without SA_RESTART interrupt poll/recv: the call must carry on. */
START_TEST(test_eintr)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	int seen = 0, r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	alarms = 0;
	r = ping_mode(M_LATE, &seen);
	setitimer(ITIMER_REAL, &off, NULL);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(seen, 1);
	/* The server thread blocks SIGALRM: these all landed on the client. */
	ck_assert_int_gt(alarms, 10);
}
END_TEST

START_TEST(test_wrong_type)
{
	struct server s;
	struct ntk_conn *c;

	server_start(&s, M_WRONG_TYPE);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	ck_assert_int_eq(ntk_client_ping(c), NTK_ERR_BAD_TYPE);
	ck_assert_int_eq(ntk_client_ping(c), 0);
	ntk_conn_close(c);
	server_stop(&s);
}
END_TEST

START_TEST(test_check_call)
{
	struct server s;
	struct ntk_conn *c;
	struct ntk_check_req q = { .user = "alice", .system = "FACTS",
		.action = NTK_ACTION_WRITE, .case_id = "C-1", .state = NTK_STATE_OPEN,
		.flags = NTK_CHECK_DRY_RUN };
	struct ntk_check_rep p;

	server_start(&s, M_CHECK);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	ck_assert_int_eq(ntk_client_check(c, &q, &p), 0);
	ck_assert_int_eq(p.outcome, NTK_ALLOW_ASSIGNED);
	ck_assert_str_eq(p.verdict, "ALLOW rule=assigned");
	ck_assert_str_eq(p.explain, "");
	ck_assert(p.grant_expires == 0);
	ck_assert_str_eq(p.deny_message, "");
	ntk_check_rep_clear(&p);
	ntk_conn_close(c);
	server_stop(&s);
	ck_assert_int_eq(s.seen_ok, 1);
}
END_TEST

START_TEST(test_break_glass_call)
{
	struct server s;
	struct ntk_conn *c;
	struct ntk_check_rep p;

	server_start(&s, M_BREAK_GLASS);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	/* No reason, no request: an empty one would be an ordinary audited decision. */
	ck_assert_int_eq(ntk_client_break_glass(c, "alice", "FACTS", "C-9", "", &p),
	    NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_client_break_glass(c, "alice", "FACTS", "C-9", NULL, &p),
	    NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_client_break_glass(c, "alice", "FACTS", "C-9", "child at risk", &p), 0);
	ck_assert_int_eq(p.outcome, NTK_ALLOW_BREAK_GLASS);
	ck_assert(p.grant_expires == 1728003600);
	ntk_check_rep_clear(&p);
	ntk_conn_close(c);
	server_stop(&s);
	ck_assert_int_eq(s.seen_ok, 1);
}
END_TEST

START_TEST(test_facts_call)
{
	struct server s;
	struct ntk_conn *c;
	struct ntk_facts_req q = { .user = "alice", .system = "FACTS" };
	struct ntk_facts_rep p;

	server_start(&s, M_FACTS);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	ck_assert_int_eq(ntk_client_facts(c, &q, &p), 0);
	ck_assert_int_eq(p.outcome, NTK_ALLOW_SYSTEM_ACCESS);
	ck_assert_uint_eq(p.policy.nroles, 1);
	ck_assert_str_eq(p.policy.roles[0].name, "legal");
	ck_assert_uint_eq(p.policy.systems[0].role_idx[0], 0);
	ck_assert_str_eq(p.subject.assignments[0].case_id, "C-1");
	ck_assert_ptr_null(p.subject.assignments[0].system);
	ntk_facts_rep_clear(&p);
	ntk_conn_close(c);
	server_stop(&s);
}
END_TEST

START_TEST(test_typed_calls)
{
	struct server s;
	struct ntk_conn *c;
	char *cases[] = { "C-1", "C-2" };
	struct ntk_report_req rr = { .user = "app", .system = "FACTS",
		.action = NTK_ACTION_READ, .outcome = NTK_DENY_NO_BUSINESS_REASON,
		.rows = 3, .query_id = "", .cases = cases, .ncases = 2 };
	struct ntk_group g;
	struct ntk_group_list gl;
	struct ntk_gid_list ids;
	char *text;
	uint32_t dropped;

	server_start(&s, M_MISC);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	ck_assert_int_eq(ntk_client_ping(c), 0);
	ck_assert_int_eq(ntk_client_report(c, &rr), 0);
	ck_assert_int_eq(ntk_client_group_by_name(c, "ntk-case-7", &g), 0);
	ck_assert_str_eq(g.name, "ntk-case-7");
	ck_assert_uint_eq(g.nmembers, 2);
	ck_assert_str_eq(g.members[1], "bob");
	ntk_group_clear(&g);
	ck_assert_int_eq(ntk_client_group_by_gid(c, 70007, &g), 0);
	ck_assert_uint_eq(g.gid, 70007);
	ntk_group_clear(&g);
	ck_assert_int_eq(ntk_client_initgroups(c, "alice", &ids), 0);
	ck_assert_uint_eq(ids.ngids, 2);
	ck_assert_uint_eq(ids.gids[1], 60001);
	ntk_gid_list_clear(&ids);
	ck_assert_int_eq(ntk_client_group_list(c, &gl), 0);
	ck_assert_uint_eq(gl.ngroups, 1);
	ck_assert_str_eq(gl.groups[0].members[0], "alice");
	ntk_group_list_clear(&gl);
	ck_assert_int_eq(ntk_client_status(c, &text), 0);
	ck_assert_str_eq(text, "uptime=1\n");
	free(text);
	ck_assert_int_eq(ntk_client_flush(c, NULL, &dropped), 0);
	ck_assert_uint_eq(dropped, 5);
	ntk_conn_close(c);
	server_stop(&s);
	ck_assert_int_eq(s.seen_ok, 8);
}
END_TEST

static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	ck_assert_ptr_nonnull(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

START_TEST(test_open_errors)
{
	struct ntk_conn *c = (struct ntk_conn *)1;
	char longpath[200];
	int fds = count_fds();

	ck_assert_int_eq(ntk_conn_open("/nonexistent/ntk.sock", TIMEOUT_MS, &c), NTK_ERR_IO);
	ck_assert_ptr_null(c);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(ntk_conn_open(longpath, TIMEOUT_MS, &c), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_conn_open("", TIMEOUT_MS, &c), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_conn_open("/tmp/x", 0, &c), NTK_ERR_BAD_VALUE);
	ntk_conn_close(NULL);
	ck_assert_int_eq(ntk_conn_pid(NULL), -1);
	ck_assert_int_eq(ntk_conn_fd(NULL), -1);
	/* A failed open leaves no descriptor behind. */
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

/* A listener that never accepts, its backlog full: connect gives up in time. */
START_TEST(test_connect_timeout)
{
	struct server s;
	struct sockaddr_un sa;
	struct ntk_conn *c;
	int fds[8], n, i, r;

	memset(&s, 0, sizeof(s));
	snprintf(s.dir, sizeof(s.dir), "/tmp/ntk-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s.dir));
	snprintf(s.path, sizeof(s.path), "%s/sock", s.dir);
	ck_assert_int_ge(s.lfd = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, s.path, strlen(s.path) + 1);
	ck_assert_int_eq(bind(s.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s.lfd, 0), 0);
	for (n = 0; n < 8; n++) {
		fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(fds[n], (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fds[n]);
			break;
		}
	}
	ck_assert_int_lt(n, 8);
	r = ntk_conn_open(s.path, 100, &c);
	ck_assert_int_eq(r, NTK_ERR_TIMEOUT);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(s.lfd);
	unlink(s.path);
	rmdir(s.dir);
}
END_TEST

START_TEST(test_cloexec_pid_fork)
{
	struct server s;
	struct ntk_conn *c;
	pid_t pid;
	int st;

	server_start(&s, M_PING);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	ck_assert_int_eq(ntk_conn_pid(c), getpid());
	ck_assert(fcntl(ntk_conn_fd(c), F_GETFD) & FD_CLOEXEC);
	/* A child must not use its parent's connection. */
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0)
		_exit(ntk_client_ping(c) == NTK_ERR_IO ? 0 : 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The parent's stream was not touched. */
	ck_assert_int_eq(ntk_client_ping(c), 0);
	ntk_conn_close(c);
	server_stop(&s);
}
END_TEST

/* The peer is gone before we write: EPIPE, not SIGPIPE (Check would see the signal). */
START_TEST(test_no_sigpipe)
{
	struct server s;
	struct ntk_conn *c;
	struct ntk_check_req q = { .user = "alice", .system = "FACTS" };
	struct ntk_check_rep p;
	int r;

	server_start(&s, M_CLOSE);
	ck_assert_int_eq(ntk_conn_open(s.path, TIMEOUT_MS, &c), 0);
	pthread_join(s.thread, NULL);
	r = ntk_client_check(c, &q, &p);
	ck_assert(r == NTK_ERR_CLOSED);
	ntk_conn_close(c);
	close(s.lfd);
	unlink(s.path);
	rmdir(s.dir);
}
END_TEST

/*
 * A server whose listener belongs to another uid (nobody) is refused at
 * open, before a byte of its answer is read: the SO_PEERCRED a client sees
 * are those of the process that called listen().
 */
START_TEST(test_untrusted_server)
{
	struct server s;
	struct sockaddr_un sa;
	struct ntk_conn *c = NULL;
	int ready[2], st, r;
	uid_t uid;
	char b;
	pid_t pid;

	if (geteuid() != 0)
		return;         /* only root can start a server as another uid */
	memset(&s, 0, sizeof(s));
	snprintf(s.dir, sizeof(s.dir), "/tmp/ntk-client-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s.dir));
	snprintf(s.path, sizeof(s.path), "%s/sock", s.dir);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct ntk_buf body;
		uint16_t type;
		int lfd, fd;

		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		memcpy(sa.sun_path, s.path, strlen(s.path) + 1);
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0 ||
		    listen(lfd, 4) != 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		/* Answer like ntkd would, if asked: the client must not get that far. */
		if ((fd = accept(lfd, NULL, NULL)) >= 0) {
			if (read_request(fd, &body, &type) == 0)
				reply(fd, NTK_MSG_PING | NTK_MSG_REPLY, NULL, NULL);
			close(fd);
		}
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &b, 1), 1);
	close(ready[0]);
	r = ntk_conn_open_uid(s.path, TIMEOUT_MS, &c, &uid);
	if (r == 0) {
		r = ntk_client_ping(c);
		ntk_conn_close(c);
		ck_abort_msg("a server run by uid 65534 was accepted (ping: %d)", r);
	}
	ck_assert_int_eq(r, NTK_ERR_UNTRUSTED_PEER);
	ck_assert_uint_eq(uid, 65534);
	ck_assert_ptr_null(c);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	unlink(s.path);
	rmdir(s.dir);
}
END_TEST

/* The ntkd user comes from the passwd file alone; root and our own uid need no file. */
START_TEST(test_peer_uid_trusted)
{
	char path[] = "/tmp/ntk-passwd-XXXXXX";
	uid_t me = geteuid(), other = me == 4242 ? 4343 : 4242;
	FILE *fp;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fprintf(fp, "root:x:0:0:root:/root:/bin/sh\n"
	    "ntkd:x:%u:%u::/nonexistent:/usr/sbin/nologin\n"
	    "ntkd:x:%u:%u::/nonexistent:/usr/sbin/nologin\n"
	    "ntkdx:x:%u:%u::/nonexistent:/usr/sbin/nologin\n",
	    (unsigned)other, (unsigned)other, (unsigned)other + 1, (unsigned)other + 1,
	    (unsigned)other + 2, (unsigned)other + 2);
	fclose(fp);

	ck_assert_int_eq(ntk_peer_uid_trusted(0, NULL, NULL), 0);
	ck_assert_int_eq(ntk_peer_uid_trusted(me, NULL, NULL), 0);
	ck_assert_int_eq(ntk_peer_uid_trusted(other, NULL, path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted(other, "", path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted(other, "ntkd", path), 0);
	/* The first entry of a name counts; a longer name is another account. */
	ck_assert_int_eq(ntk_peer_uid_trusted(other + 1, "ntkd", path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted(other + 2, "ntkd", path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted(other, "ntk", path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted(other, "nosuchuser", path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted((uid_t)-1, "ntkd", path), NTK_ERR_UNTRUSTED_PEER);
	/* No file: nobody but root and ourselves. */
	unlink(path);
	ck_assert_int_eq(ntk_peer_uid_trusted(other, "ntkd", path), NTK_ERR_UNTRUSTED_PEER);
	ck_assert_int_eq(ntk_peer_uid_trusted(0, "ntkd", path), 0);
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("ntk_client");
	TCase *tc = tcase_create("client");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_bad_replies);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_total_deadline);
	tcase_add_test(tc, test_eintr);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_check_call);
	tcase_add_test(tc, test_break_glass_call);
	tcase_add_test(tc, test_facts_call);
	tcase_add_test(tc, test_typed_calls);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_connect_timeout);
	tcase_add_test(tc, test_cloexec_pid_fork);
	tcase_add_test(tc, test_no_sigpipe);
	tcase_add_test(tc, test_untrusted_server);
	tcase_add_test(tc, test_peer_uid_trusted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
