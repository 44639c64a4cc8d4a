/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkctl: check (a dry-run decision), decide (an audited one), status, flush, and the audit report. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/ntk_audit_report.h"
#include "ntk_client.h"
#include "ntk_conn_why.h"
#include "ntk_config.h"
#include "ntk_err.h"
#include "ntk_proto.h"
#include "status_view.h"

#ifndef NTK_CONF_PATH
#define NTK_CONF_PATH "/etc/ntk/ntk.conf"
#endif

/* Long enough for a cold decision against a slow directory with failover. */
#define CALL_TIMEOUT_MS 60000

static const char *config_path = NTK_CONF_PATH;
static bool config_given;
static char socket_path[4096];

/* One usage text per subcommand: `ntkctl SUB --help` shows only its own. */
static const char usage_check[] =
    "usage: ntkctl check --user U --system S [--case C] [--state open|closed|sealed]\n"
    "           [--action login|read|write|release] [--reason TEXT] [--explain]\n"
    "  decide a request as a dry run: no audit record, no grant.\n"
    "  exit 0 allow, 1 deny, 2 error\n";
static const char usage_decide[] =
    "usage: ntkctl decide --user U --system S [--case C] [--state open|closed|sealed]\n"
    "           [--action login|read|write|release] [--reason TEXT] [--explain]\n"
    "  a real decision: audited; --reason asks for a break-glass grant.\n"
    "  exit 0 allow, 1 deny, 2 error\n";
static const char usage_status[] =
    "usage: ntkctl status [--json]\n"
    "  the daemon's LDAP servers, cache and audit counters.\n"
    "  exit 0 healthy, 1 degraded, 2 unreachable\n";
static const char usage_flush[] =
    "usage: ntkctl flush [--user U]\n"
    "  drop cached facts of U, or of everyone (root only).\n";

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ntkctl [-c FILE] COMMAND [ARGS]\n"
	    "       ntkctl --help | --version\n"
	    "commands (ntkctl COMMAND --help for each):\n"
	    "  check           decide a request as a dry run (no audit record, no grant)\n"
	    "  decide          the same, audited; --reason requests a break-glass grant\n"
	    "  status          the daemon's health; exit 0 healthy, 1 degraded, 2 unreachable\n"
	    "  flush           drop cached facts (root only)\n"
	    "  audit           report on needtoknow audit records\n"
	    "  review          record the review of a break-glass grant (root)\n"
	    "options:\n"
	    "  -c FILE         configuration (default %s); only [daemon] socket is read\n",
	    NTK_CONF_PATH);
}

/* A subcommand's usage: on stdout for --help (exit 0), on stderr for a mistake (exit 2). */
static int
sub_usage(const char *text, bool asked)
{
	fputs(text, asked ? stdout : stderr);
	return asked ? 0 : 2;
}

/*
 * The socket path from [daemon] socket. Only that key is read, so users
 * who cannot read the bind password can still run ntkctl.
 */
static int
find_socket(void)
{
	char *s = NULL, err[1024];

	if (access(config_path, R_OK) != 0) {
		if (config_given || errno != ENOENT) {
			fprintf(stderr, "ntkctl: cannot read %s: %s\n", config_path, strerror(errno));
			return -1;
		}
		snprintf(socket_path, sizeof(socket_path), "%s", NTK_SOCKET_PATH);
		return 0;
	}
	/* The same reader as ntkd's: a file ntkd would refuse to parse is refused here too. */
	if (ntk_config_peek(config_path, "daemon", "socket", &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "ntkctl: %s\n", err);
		return -1;
	}
	if (s != NULL && strlen(s) >= sizeof(socket_path)) {
		fprintf(stderr, "ntkctl: %s: daemon:socket: too long\n", config_path);
		free(s);
		return -1;
	}
	snprintf(socket_path, sizeof(socket_path), "%s", s != NULL ? s : NTK_SOCKET_PATH);
	free(s);
	return 0;
}

static int
connect_daemon(struct ntk_conn **c)
{
	uid_t server;
	int rc;

	if (find_socket() != 0)
		return 2;
	if ((rc = ntk_conn_open_uid(socket_path, CALL_TIMEOUT_MS, c, &server)) != 0) {
		if (rc == NTK_ERR_UNTRUSTED_PEER) {
			fprintf(stderr, "ntkctl: refusing the daemon at %s: it is run by uid %lu, "
			    "not by root%s%s\n", socket_path, (unsigned long)server,
			    NTK_NTKD_USER[0] != '\0' ? " or " : "", NTK_NTKD_USER);
			return 2;
		}
		char why[160];

		fprintf(stderr, "ntkctl: cannot reach ntkd at %s: %s\n", socket_path,
		    ntk_conn_why(rc, errno, why, sizeof(why)));
		return 2;
	}
	return 0;
}

static int
call_failed(const char *what, int rc)
{
	if (rc == NTK_ERR_DENIED)
		fprintf(stderr, "ntkctl: %s: refused by ntkd (%s): only root and trusted peers "
		    "may ask about other users\n", what, ntk_strerror(rc));
	else
		fprintf(stderr, "ntkctl: %s: %s\n", what, ntk_strerror(rc));
	return 2;
}

/*
 * check and decide share their arguments and output; only check is a dry run.
 * decide lets scripts and legacy applications gate access with an audit trail.
 */
static int
cmd_check(int argc, char **argv, bool dry_run)
{
	const char *cmd = argv[0];
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "system", required_argument, NULL, 's' },
		{ "case", required_argument, NULL, 'C' },
		{ "state", required_argument, NULL, 't' },
		{ "action", required_argument, NULL, 'a' },
		{ "reason", required_argument, NULL, 'r' },
		{ "explain", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ntk_check_req req = { .user = NULL };
	struct ntk_check_rep rep = { .verdict = NULL };
	struct ntk_conn *c = NULL;
	const char *action = NULL, *state = "open";
	bool explain = false;
	int opt, rc;

	req.case_id = "";
	req.reason = "";
	req.rhost = "";
	req.tty = "";
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 'u': req.user = optarg; break;
		case 's': req.system = optarg; break;
		case 'C': req.case_id = optarg; break;
		case 't': state = optarg; break;
		case 'a': action = optarg; break;
		case 'r': req.reason = optarg; break;
		case 'e': explain = true; break;
		case 'h': return sub_usage(dry_run ? usage_check : usage_decide, true);
		default: return sub_usage(dry_run ? usage_check : usage_decide, false);
		}
	}
	if (optind != argc || req.user == NULL || req.system == NULL || req.user[0] == '\0' ||
	    req.system[0] == '\0') {
		fprintf(stderr, "ntkctl %s: --user and --system are required\n", cmd);
		return sub_usage(dry_run ? usage_check : usage_decide, false);
	}
	if (action == NULL)
		action = req.case_id[0] != '\0' ? "read" : "login";
	if (ntk_action_parse(action, &req.action) != 0) {
		fprintf(stderr, "ntkctl %s: --action must be login, read, write or release\n", cmd);
		return 2;
	}
	if (ntk_state_parse(state, &req.state) != 0) {
		fprintf(stderr, "ntkctl %s: --state must be open, closed or sealed\n", cmd);
		return 2;
	}
	if (req.action != NTK_ACTION_LOGIN && req.case_id[0] == '\0') {
		fprintf(stderr, "ntkctl %s: --action %s needs --case\n", cmd, action);
		return 2;
	}
	if (req.action == NTK_ACTION_LOGIN && req.case_id[0] != '\0') {
		fprintf(stderr, "ntkctl %s: --case needs --action read, write or release\n", cmd);
		return 2;
	}
	req.flags = (dry_run ? NTK_CHECK_DRY_RUN : 0) | (explain ? NTK_CHECK_EXPLAIN : 0);
	if ((rc = connect_daemon(&c)) != 0)
		return rc;
	if ((rc = ntk_client_check(c, &req, &rep)) != 0) {
		ntk_conn_close(c);
		return call_failed(cmd, rc);
	}
	ntk_conn_close(c);
	if (explain && rep.explain != NULL && rep.explain[0] != '\0')
		printf("%s\n", rep.explain);
	printf("%s\n", rep.verdict);
	/* Where to go next, after the verdict: scripts keep reading the first line. */
	if (rep.deny_message != NULL && rep.deny_message[0] != '\0')
		printf("%s\n", rep.deny_message);
	rc = ntk_outcome_allows(rep.outcome) ? 0 : 1;
	ntk_check_rep_clear(&rep);
	if (fflush(stdout) != 0)
		return 2;
	return rc;
}

/* Exit 0 healthy, 1 degraded (LDAP down, auditd not running, records lost), 2 unreachable. */
static int
cmd_status(int argc, char **argv)
{
	struct ntk_conn *c = NULL;
	char *text = NULL, why[512];
	bool json;
	int rc, health;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return sub_usage(usage_status, true);
	json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc != 1 && !json)
		return sub_usage(usage_status, false);
	if ((rc = connect_daemon(&c)) != 0)
		return rc;
	rc = ntk_client_status(c, &text);
	ntk_conn_close(c);
	if (rc != 0)
		return call_failed("status", rc);
	health = ntkctl_status_health(text, why, sizeof(why));
	if (json)
		ntkctl_status_json(stdout, text, health, why);
	else
		printf("%s\nhealth=%s%s%s\n", text, health == 0 ? "healthy" : "degraded",
		    why[0] != '\0' ? " " : "", why);
	free(text);
	if (fflush(stdout) != 0)
		return 2;
	return health;
}

static int
cmd_flush(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ntk_conn *c = NULL;
	const char *user = "";
	uint32_t n = 0;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (opt == 'h')
			return sub_usage(usage_flush, true);
		if (opt != 'u')
			return sub_usage(usage_flush, false);
		user = optarg;
	}
	if (optind != argc)
		return sub_usage(usage_flush, false);
	if ((rc = connect_daemon(&c)) != 0)
		return rc;
	rc = ntk_client_flush(c, user, &n);
	ntk_conn_close(c);
	if (rc == NTK_ERR_DENIED) {
		fprintf(stderr, "ntkctl: flush: refused by ntkd: root only\n");
		return 2;
	}
	if (rc != 0)
		return call_failed("flush", rc);
	printf("flushed %lu\n", (unsigned long)n);
	return 0;
}

static int
cmd_check_dry(int argc, char **argv)
{
	return cmd_check(argc, argv, true);
}

static int
cmd_decide(int argc, char **argv)
{
	return cmd_check(argc, argv, false);
}

static int
cmd_audit(int argc, char **argv)
{
	return ntk_audit_main(argc, argv, config_path);
}

static int
cmd_review(int argc, char **argv)
{
	return ntk_audit_review_main(argc, argv, config_path);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "check", cmd_check_dry },
	{ "decide", cmd_decide },
	{ "status", cmd_status },
	{ "flush", cmd_flush },
	{ "audit", cmd_audit },
	{ "review", cmd_review },
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int opt;

	while ((opt = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			config_given = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ntkctl (needtoknow) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(argc, argv);
	fprintf(stderr, "ntkctl: unknown command: %s\n", argv[0]);
	usage(stderr);
	return 2;
}
