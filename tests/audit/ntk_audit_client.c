/*
 * Live-test client: one real (not dry-run) check through ntkd, so ntkd writes
 * the audit record: ntk_audit_client SOCKET USER SYSTEM login|read|write [CASE [STATE]]
 * Prints ntkd's verdict; exits 0 allow, 1 deny, 2 error.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ntk_client.h"
#include "ntk_err.h"

int
main(int argc, char **argv)
{
	struct ntk_check_req req;
	struct ntk_check_rep rep;
	struct ntk_conn *c = NULL;
	int r;

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: ntk_audit_client SOCKET USER SYSTEM ACTION [CASE [STATE]]\n");
		return 2;
	}
	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	req.user = argv[2];
	req.system = argv[3];
	req.action = strcmp(argv[4], "read") == 0 ? NTK_ACTION_READ :
	    strcmp(argv[4], "write") == 0 ? NTK_ACTION_WRITE : NTK_ACTION_LOGIN;
	req.case_id = argc > 5 ? argv[5] : NULL;
	req.state = argc > 6 && strcmp(argv[6], "sealed") == 0 ? NTK_STATE_SEALED :
	    argc > 6 && strcmp(argv[6], "closed") == 0 ? NTK_STATE_CLOSED : NTK_STATE_OPEN;
	req.rhost = "ws-live.example";
	req.tty = "pts/9";
	req.flags = 0;                 /* not a dry run: ntkd audits it */
	if ((r = ntk_conn_open(argv[1], 5000, &c)) != 0 || (r = ntk_client_check(c, &req, &rep)) != 0) {
		fprintf(stderr, "ntk_audit_client: %s\n", ntk_strerror(r));
		ntk_conn_close(c);
		return 2;
	}
	printf("%s\n", rep.verdict ? rep.verdict : "?");
	ntk_conn_close(c);
	return (int)rep.outcome < 16 ? 0 : 1;
}
