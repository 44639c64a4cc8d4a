/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test client for ntkd: sends one request (or deliberate garbage) and prints the answer. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_proto.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ntk_send SOCKET COMMAND ARGS\n"
	    "  check USER SYSTEM ACTION CASE STATE REASON [RHOST [TTY]]  (not a dry run)\n"
	    "  checkloop N USER SYSTEM ACTION CASE STATE  (N decisions on one connection)\n"
	    "  facts USER SYSTEM\n"
	    "  report USER SYSTEM ACTION OUTCOME ROWS QUERY [CASE...]\n"
	    "  group NAME | gid GID | initgroups USER | list | ping [N]\n"
	    "  garbage random|version|huge|stall|badbody|reply\n"
	    "  pipeline N  (N PINGs in one write, then N replies)\n"
	    "  fuzz N SEED  (N well-framed requests of every type with random bodies)\n");
	exit(2);
}

static struct ntk_conn *conn;

static int
fail(int rc)
{
	ntk_conn_close(conn);
	printf("ERROR %s\n", ntk_strerror(rc));
	return rc == NTK_ERR_DENIED ? 3 : rc == NTK_ERR_NOT_FOUND ? 4 : 2;
}

static void
print_group(const struct ntk_group *g)
{
	size_t i;

	printf("%s %lu", g->name, (unsigned long)g->gid);
	for (i = 0; i < g->nmembers; i++)
		printf("%s%s", i == 0 ? " " : ",", g->members[i]);
	printf("\n");
}

/* Raw socket for garbage tests: true when the server closed it within `ms`. */
static int
raw_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		perror("connect");
		exit(2);
	}
	return fd;
}

/* Read until EOF or `ms`; print "closed" (with bytes received) or "open". */
static int
wait_closed(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t buf[4096];
	size_t total = 0;
	ssize_t n;

	for (;;) {
		if (poll(&p, 1, ms) <= 0) {
			printf("open after %d ms (%zu bytes)\n", ms, total);
			return 1;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			printf("closed (%zu bytes of reply)\n", total);
			return 0;
		}
		total += (size_t)n;
	}
}

static int
garbage(const char *path, const char *kind)
{
	uint8_t buf[1024];
	int fd = raw_connect(path);
	size_t i, n = 0;

	if (strcmp(kind, "random") == 0) {
		srand((unsigned)time(NULL));
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand();
		buf[0] = 0x7f;          /* a huge length, whatever rand gave */
		n = sizeof(buf);
	} else if (strcmp(kind, "version") == 0) {
		uint8_t h[] = { 0, 0, 0, 0, 0, 99, 0, NTK_MSG_PING };
		memcpy(buf, h, sizeof(h));
		n = sizeof(h);
	} else if (strcmp(kind, "huge") == 0) {
		uint8_t h[] = { 0xff, 0xff, 0xff, 0xff, 0, NTK_PROTO_VERSION, 0, NTK_MSG_CHECK };
		memcpy(buf, h, sizeof(h));
		n = sizeof(h);
	} else if (strcmp(kind, "stall") == 0) {
		uint8_t h[] = { 0, 0, 0, 100, 0, NTK_PROTO_VERSION, 0, NTK_MSG_CHECK, 1, 2 };
		memcpy(buf, h, sizeof(h));
		n = sizeof(h);
	} else if (strcmp(kind, "badbody") == 0) {
		uint8_t h[] = { 0, 0, 0, 6, 0, NTK_PROTO_VERSION, 0, NTK_MSG_CHECK,
		    0xff, 0xff, 0xff, 0xff, 'a', 'b' };
		memcpy(buf, h, sizeof(h));
		n = sizeof(h);
	} else if (strcmp(kind, "reply") == 0) {
		uint8_t h[] = { 0, 0, 0, 0, 0, NTK_PROTO_VERSION, 0x80, NTK_MSG_PING };
		memcpy(buf, h, sizeof(h));
		n = sizeof(h);
	} else {
		usage();
	}
	if (write(fd, buf, n) != (ssize_t)n) {
		/* The server may close before taking it all: that is an answer too. */
		printf("closed (write refused)\n");
		close(fd);
		return 0;
	}
	/* A stalled message must be dropped after the server's read deadline (5 s). */
	n = (size_t)wait_closed(fd, strcmp(kind, "stall") == 0 ? 9000 : 3000);
	close(fd);
	return (int)n;
}

/* The body of a valid request of a random type, encoded by the shared codec. */
static int
valid_body(uint8_t *dst, size_t cap, uint16_t *type, size_t *len)
{
	static char *cases[] = { "1001", "1002", "x" };
	struct ntk_check_req cq = { .user = "alice", .system = "FACTS", .action = NTK_ACTION_WRITE,
	    .case_id = "1001", .state = NTK_STATE_SEALED, .reason = "why", .rhost = "h", .tty = "t",
	    .flags = NTK_CHECK_DRY_RUN | NTK_CHECK_EXPLAIN };
	struct ntk_facts_req fq = { .user = "dave", .system = "FACTS" };
	struct ntk_report_req rq = { .user = "alice", .system = "FACTS", .action = NTK_ACTION_READ,
	    .outcome = NTK_DENY_NO_BUSINESS_REASON, .rows = 3, .query_id = "q", .cases = cases, .ncases = 3 };
	struct ntk_buf b;
	int r;

	ntk_buf_init(&b, 4096);
	switch (rand() % 5) {
	case 0:
		*type = NTK_MSG_CHECK;
		r = ntk_proto_begin(&b, *type) || ntk_proto_encode_check_req(&b, &cq);
		break;
	case 1:
		*type = NTK_MSG_FACTS;
		r = ntk_proto_begin(&b, *type) || ntk_proto_encode_facts_req(&b, &fq);
		break;
	case 2:
		*type = NTK_MSG_REPORT;
		r = ntk_proto_begin(&b, *type) || ntk_proto_encode_report_req(&b, &rq);
		break;
	case 3:
		*type = NTK_MSG_GROUP_BY_NAME;
		r = ntk_proto_begin(&b, *type) || ntk_proto_encode_str(&b, "ntk-case-1001");
		break;
	default:
		*type = NTK_MSG_INITGROUPS;
		r = ntk_proto_begin(&b, *type) || ntk_proto_encode_str(&b, "carol");
		break;
	}
	if (r == 0 && b.len - NTK_HEADER_LEN <= cap) {
		*len = b.len - NTK_HEADER_LEN;
		memcpy(dst, b.data + NTK_HEADER_LEN, *len);
	} else {
		r = -1;
	}
	ntk_buf_free(&b);
	return r;
}

/*
 * Well-framed requests of every type (and some unknown ones) with random
 * bodies, mutated from nothing: the daemon must answer (reply or error) or
 * close, and keep serving. Prints how many got an answer and how many closed.
 */
static int
fuzz(const char *path, long n, unsigned seed)
{
	uint8_t msg[NTK_HEADER_LEN + 512], rep[65536];
	long i, answered = 0, closed = 0;
	int fd = raw_connect(path);
	struct pollfd p;
	size_t len, k;
	uint16_t type;
	ssize_t r;

	srand(seed);
	for (i = 0; i < n; i++) {
		if (i % 2 == 0 && valid_body(msg + NTK_HEADER_LEN, sizeof(msg) - NTK_HEADER_LEN,
		    &type, &len) == 0) {
			/* A valid request with a few bytes changed. */
			for (k = 0; len > 0 && k < (size_t)(1 + rand() % 3); k++)
				msg[NTK_HEADER_LEN + (size_t)rand() % len] = (uint8_t)rand();
		} else {
			type = (uint16_t)(1 + rand() % 12);
			len = (size_t)(rand() % 512);
			for (k = 0; k < len; k++) {
				/* Small numbers make plausible lengths and enum values. */
				msg[NTK_HEADER_LEN + k] = (uint8_t)(rand() % 4 == 0 ? rand() : rand() % 8);
			}
		}
		msg[0] = (uint8_t)(len >> 24);
		msg[1] = (uint8_t)(len >> 16);
		msg[2] = (uint8_t)(len >> 8);
		msg[3] = (uint8_t)len;
		msg[4] = 0;
		msg[5] = NTK_PROTO_VERSION;
		msg[6] = (uint8_t)(type >> 8);
		msg[7] = (uint8_t)type;
		if (write(fd, msg, NTK_HEADER_LEN + len) != (ssize_t)(NTK_HEADER_LEN + len)) {
			closed++;
			close(fd);
			fd = raw_connect(path);
			continue;
		}
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 5000) <= 0) {
			printf("no answer to request %ld (type %u, %zu bytes)\n", i, type, len);
			return 1;
		}
		r = read(fd, rep, sizeof(rep));
		if (r <= 0) {
			closed++;
			close(fd);
			fd = raw_connect(path);
		} else {
			answered++;
			/* An answer may be followed by a close: start clean for the next one. */
			close(fd);
			fd = raw_connect(path);
		}
	}
	close(fd);
	printf("%ld requests: %ld answered, %ld closed\n", n, answered, closed);
	return 0;
}

/* N pings written at once: every one must be answered without more bytes from us. */
static int
pipeline(const char *path, long n)
{
	uint8_t h[NTK_HEADER_LEN] = { 0, 0, 0, 0, 0, NTK_PROTO_VERSION, 0, NTK_MSG_PING };
	struct pollfd p;
	uint8_t *buf, rep[4096];
	size_t want = (size_t)n * NTK_HEADER_LEN, got = 0;
	int fd = raw_connect(path);
	long i;
	ssize_t k;

	if (n < 1 || n > 100000 || (buf = malloc(want)) == NULL)
		usage();
	for (i = 0; i < n; i++)
		memcpy(buf + i * NTK_HEADER_LEN, h, sizeof(h));
	if (write(fd, buf, want) != (ssize_t)want) {
		perror("write");
		return 2;
	}
	free(buf);
	p.fd = fd;
	p.events = POLLIN;
	while (got < want) {
		if (poll(&p, 1, 3000) <= 0)
			break;
		if ((k = read(fd, rep, sizeof(rep))) <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	printf("%zu replies\n", got / NTK_HEADER_LEN);
	return got == want ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct ntk_conn *c = NULL;
	const char *cmd;
	int rc;

	if (argc < 3)
		usage();
	cmd = argv[2];
	if (strcmp(cmd, "garbage") == 0)
		return argc == 4 ? garbage(argv[1], argv[3]) : (usage(), 2);
	if (strcmp(cmd, "fuzz") == 0)
		return argc == 5 ? fuzz(argv[1], strtol(argv[3], NULL, 10),
		    (unsigned)strtoul(argv[4], NULL, 10)) : (usage(), 2);
	if (strcmp(cmd, "pipeline") == 0)
		return argc == 4 ? pipeline(argv[1], strtol(argv[3], NULL, 10)) : (usage(), 2);
	if ((rc = ntk_conn_open(argv[1], 30000, &conn)) != 0) {
		printf("ERROR connect: %s\n", ntk_strerror(rc));
		return 2;
	}
	c = conn;
	if (strcmp(cmd, "check") == 0 && (argc == 9 || argc == 10 || argc == 11)) {
		struct ntk_check_req q = { .user = argv[3], .system = argv[4], .case_id = argv[6],
		    .reason = argv[8], .rhost = argc > 9 ? argv[9] : "", .tty = argc > 10 ? argv[10] : "" };
		struct ntk_check_rep rep = { .verdict = NULL };

		if (ntk_action_parse(argv[5], &q.action) != 0 || ntk_state_parse(argv[7], &q.state) != 0)
			usage();
		if ((rc = ntk_client_check(c, &q, &rep)) != 0)
			return fail(rc);
		printf("%s\n", rep.verdict);
		rc = ntk_outcome_allows(rep.outcome) ? 0 : 1;
		ntk_check_rep_clear(&rep);
	} else if (strcmp(cmd, "checkloop") == 0 && argc == 9) {
		struct ntk_check_req q = { .user = argv[4], .system = argv[5], .case_id = argv[7],
		    .reason = "", .rhost = "", .tty = "" };
		struct ntk_check_rep rep = { .verdict = NULL };
		long i, n = strtol(argv[3], NULL, 10), allowed = 0;

		if (ntk_action_parse(argv[6], &q.action) != 0 || ntk_state_parse(argv[8], &q.state) != 0)
			usage();
		for (i = 0; i < n; i++) {
			if ((rc = ntk_client_check(c, &q, &rep)) != 0)
				return fail(rc);
			allowed += ntk_outcome_allows(rep.outcome);
			ntk_check_rep_clear(&rep);
		}
		printf("%ld decisions, %ld allowed\n", n, allowed);
	} else if (strcmp(cmd, "facts") == 0 && argc == 5) {
		struct ntk_facts_req q = { .user = argv[3], .system = argv[4] };
		struct ntk_facts_rep rep;
		size_t i;

		memset(&rep, 0, sizeof(rep));
		if ((rc = ntk_client_facts(c, &q, &rep)) != 0)
			return fail(rc);
		printf("outcome=%s max_age=%lu systems=%zu roles=", ntk_outcome_name(rep.outcome),
		    (unsigned long)rep.max_age, rep.policy.nsystems);
		for (i = 0; i < rep.policy.nroles; i++)
			printf("%s%s", i ? "," : "", rep.policy.roles[i].name);
		printf(" subject_roles=");
		for (i = 0; i < rep.subject.nroles; i++)
			printf("%s%s", i ? "," : "", rep.subject.roles[i]);
		printf(" assignments=");
		for (i = 0; i < rep.subject.nassignments; i++)
			printf("%s%s", i ? "," : "", rep.subject.assignments[i].case_id);
		printf(" supervised=");
		for (i = 0; i < rep.subject.nsupervised; i++)
			printf("%s%s@%s", i ? "," : "", rep.subject.supervised[i].assignment.case_id,
			    rep.subject.supervised[i].holder);
		printf(" grants=");
		for (i = 0; i < rep.subject.ngrants; i++)
			printf("%s%s@%s", i ? "," : "", rep.subject.grants[i].case_id,
			    rep.subject.grants[i].system);
		printf("\n");
		rc = rep.outcome == NTK_ALLOW_SYSTEM_ACCESS ? 0 : 1;
		ntk_facts_rep_clear(&rep);
	} else if (strcmp(cmd, "report") == 0 && argc >= 9) {
		struct ntk_report_req q = { .user = argv[3], .system = argv[4],
		    .rows = (uint32_t)strtoul(argv[7], NULL, 10), .query_id = argv[8],
		    .cases = argv + 9, .ncases = (size_t)(argc - 9) };

		q.outcome = (enum ntk_outcome)strtoul(argv[6], NULL, 10);
		if (ntk_action_parse(argv[5], &q.action) != 0)
			usage();
		if ((rc = ntk_client_report(c, &q)) != 0)
			return fail(rc);
		printf("OK\n");
	} else if (strcmp(cmd, "group") == 0 && argc == 4) {
		struct ntk_group g;

		memset(&g, 0, sizeof(g));
		if ((rc = ntk_client_group_by_name(c, argv[3], &g)) != 0)
			return fail(rc);
		print_group(&g);
		ntk_group_clear(&g);
	} else if (strcmp(cmd, "gid") == 0 && argc == 4) {
		struct ntk_group g;

		memset(&g, 0, sizeof(g));
		if ((rc = ntk_client_group_by_gid(c, (uint32_t)strtoul(argv[3], NULL, 10), &g)) != 0)
			return fail(rc);
		print_group(&g);
		ntk_group_clear(&g);
	} else if (strcmp(cmd, "initgroups") == 0 && argc == 4) {
		struct ntk_gid_list l = { NULL, 0 };
		size_t i;

		if ((rc = ntk_client_initgroups(c, argv[3], &l)) != 0)
			return fail(rc);
		for (i = 0; i < l.ngids; i++)
			printf("%s%lu", i ? " " : "", (unsigned long)l.gids[i]);
		printf("\n");
		ntk_gid_list_clear(&l);
	} else if (strcmp(cmd, "list") == 0 && argc == 3) {
		struct ntk_group_list l = { NULL, 0 };
		size_t i;

		if ((rc = ntk_client_group_list(c, &l)) != 0)
			return fail(rc);
		for (i = 0; i < l.ngroups; i++)
			print_group(&l.groups[i]);
		ntk_group_list_clear(&l);
	} else if (strcmp(cmd, "ping") == 0 && (argc == 3 || argc == 4)) {
		long i, n = argc == 4 ? strtol(argv[3], NULL, 10) : 1;

		for (i = 0; i < n; i++)
			if ((rc = ntk_client_ping(c)) != 0)
				return fail(rc);
		printf("PONG\n");
	} else {
		usage();
	}
	ntk_conn_close(c);
	return rc;
}
