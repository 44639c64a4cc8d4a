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
	    "  garbage random|version|huge|stall|badbody|reply\n");
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
			printf("%s%s", i ? "," : "", rep.subject.grants[i].case_id);
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
