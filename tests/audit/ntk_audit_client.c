/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live-test client: real (not dry-run) requests to ntkd, so ntkd writes the
 * audit records.
 *   ntk_audit_client SOCKET USER SYSTEM login|read|write|release [CASE [STATE]]
 *       one check; prints ntkd's verdict; exits 0 allow, 1 deny, 2 error
 *   ntk_audit_client SOCKET --report USER SYSTEM read|write|release ROWS QUERY CASE...
 *       a SQL plugin's statement summary (a no-business-reason denial; for
 *       release, the rows it allowed under rule=assigned)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_client.h"
#include "ntk_err.h"

static enum ntk_action
action(const char *s)
{
	enum ntk_action a;

	return ntk_action_parse(s, &a) == 0 ? a : NTK_ACTION_LOGIN;
}

static int
report(struct ntk_conn *c, int argc, char **argv)
{
	struct ntk_report_req req;

	memset(&req, 0, sizeof(req));
	req.user = argv[3];
	req.system = argv[4];
	req.action = action(argv[5]);
	req.outcome = req.action == NTK_ACTION_RELEASE ? NTK_ALLOW_ASSIGNED :
	    NTK_DENY_NO_BUSINESS_REASON;
	req.rows = (uint32_t)strtoul(argv[6], NULL, 10);
	req.query_id = argv[7];
	req.cases = argv + 8;
	req.ncases = (size_t)(argc - 8);
	return ntk_client_report(c, &req);
}

int
main(int argc, char **argv)
{
	struct ntk_check_req req;
	struct ntk_check_rep rep;
	struct ntk_conn *c = NULL;
	bool is_report = argc > 2 && strcmp(argv[2], "--report") == 0;
	int r;

	if ((!is_report && (argc < 5 || argc > 7)) || (is_report && argc < 9)) {
		fprintf(stderr, "usage: ntk_audit_client SOCKET USER SYSTEM ACTION [CASE [STATE]]\n"
		    "       ntk_audit_client SOCKET --report USER SYSTEM ACTION ROWS QUERY CASE...\n");
		return 2;
	}
	if ((r = ntk_conn_open(argv[1], 5000, &c)) != 0)
		goto fail;
	if (is_report) {
		if ((r = report(c, argc, argv)) != 0)
			goto fail;
		ntk_conn_close(c);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	req.user = argv[2];
	req.system = argv[3];
	req.action = action(argv[4]);
	req.case_id = argc > 5 ? argv[5] : NULL;
	req.state = argc > 6 && strcmp(argv[6], "sealed") == 0 ? NTK_STATE_SEALED :
	    argc > 6 && strcmp(argv[6], "closed") == 0 ? NTK_STATE_CLOSED : NTK_STATE_OPEN;
	req.rhost = "ws-live.example";
	req.tty = "pts/9";
	req.flags = 0;                 /* not a dry run: ntkd audits it */
	if ((r = ntk_client_check(c, &req, &rep)) != 0)
		goto fail;
	printf("%s\n", rep.verdict ? rep.verdict : "?");
	r = (int)rep.outcome < 16 ? 0 : 1;     /* allows are 0..15, denials 16.. */
	ntk_check_rep_clear(&rep);
	ntk_conn_close(c);
	return r;
fail:
	fprintf(stderr, "ntk_audit_client: %s\n", ntk_strerror(r));
	ntk_conn_close(c);
	return 2;
}
