/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * diff_check: many dry-run CHECKs over one connection, for the differential
 * test. ntkctl check asks one question per process; this asks each line of
 * stdin, "user<TAB>system<TAB>action<TAB>case<TAB>state", and prints the
 * verdict line ntkctl would print ("ALLOW rule=..." / "DENY reason=...") or
 * "ERROR <code>" per request, in order.
 *
 * usage: diff_check SOCKET < requests
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_client.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "ntk_proto.h"

/* Split line in place at tabs into exactly n fields. */
static int
diff_split(char *line, char **field, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		field[i] = line;
		line = strchr(line, i == n - 1 ? '\n' : '\t');
		if (line == NULL)
			return i == n - 1 ? 0 : NTK_ERR_BAD_VALUE;
		*line++ = '\0';
	}
	return 0;
}

static int
diff_ask(struct ntk_conn *c, char *line)
{
	char *f[5];
	struct ntk_check_req req = { .user = NULL };
	struct ntk_check_rep rep = { .verdict = NULL };
	int rc;

	if (diff_split(line, f, 5) != 0 || ntk_action_parse(f[2], &req.action) != 0 ||
	    ntk_state_parse(f[4], &req.state) != 0) {
		printf("ERROR bad-request-line\n");
		return 0;
	}
	req.user = f[0];
	req.system = f[1];
	req.case_id = f[3];
	req.reason = "";
	req.rhost = "";
	req.tty = "";
	req.flags = NTK_CHECK_DRY_RUN;
	rc = ntk_client_check(c, &req, &rep);
	if (rc != 0) {
		printf("ERROR %d\n", rc);
		return rc;
	}
	printf("%s\n", rep.verdict);
	ntk_check_rep_clear(&rep);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ntk_conn *c = NULL;
	char *line = NULL;
	size_t cap = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: diff_check SOCKET < requests\n");
		return 2;
	}
	if ((rc = ntk_conn_open(argv[1], 10000, &c)) != 0) {
		fprintf(stderr, "diff_check: connect %s: %d\n", argv[1], rc);
		return 2;
	}
	rc = 0;
	while (getline(&line, &cap, stdin) > 0) {
		/* After an I/O error the connection is unusable: reconnect once per line. */
		if (diff_ask(c, line) != 0) {
			ntk_conn_close(c);
			c = NULL;
			if (ntk_conn_open(argv[1], 10000, &c) != 0) {
				rc = 2;
				goto out;
			}
		}
	}
out:
	free(line);
	ntk_conn_close(c);
	if (fflush(stdout) != 0)
		return 2;
	return rc;
}
