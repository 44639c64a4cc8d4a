/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ntkctl review SERIAL --note TEXT`: a review record for one break-glass
 * grant, written to the audit log with libaudit. The audit trail is the only
 * state: the grant is found in the logs, and the review is a record there.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libaudit.h>

#include "ntk_config.h"
#include "ntk_err.h"
#include "ntk_audit.h"
#include "ntk_audit_report.h"

#define NOTE_MAX 1024                  /* bytes; encoded (hex) it still fits one record */

static void
review_usage(FILE *f)
{
	fputs("usage: ntkctl review SERIAL --note TEXT [--node N] [--since TIME] [--until TIME]\n"
	    "         [--input FILE...]\n"
	    "  SERIAL: a grant's serial, as `ntkctl audit --break-glass` shows it\n"
	    "  run as root (writing to the audit log needs CAP_AUDIT_WRITE); with [audit]\n"
	    "  reviewers set, the login user must be root or in one of those groups\n"
	    "  exit: 0 written, 1 no such grant, 2 error\n", f);
}

/* True when `user` (with primary group `gid`) is in one of the comma/blank-separated groups. */
static bool
in_groups(const char *user, gid_t gid, const char *list)
{
	gid_t gids[256];
	int n = 256, i;
	char *copy, *tok, *save = NULL;
	struct group *gr;
	bool hit = false;

	if (getgrouplist(user, gid, gids, &n) < 0)
		return false;              /* more than 256 groups: refuse rather than guess */
	if ((copy = strdup(list)) == NULL)
		return false;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && !hit;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((gr = getgrnam(tok)) == NULL)
			continue;
		for (i = 0; i < n && !hit; i++)
			hit = gids[i] == gr->gr_gid;
	}
	free(copy);
	return hit;
}

/*
 * Who reviews: the login uid the kernel keeps across su and sudo (not an
 * environment variable a caller could set), or root when there is none.
 * With [audit] reviewers, that account must be root or in a named group.
 */
static int
reviewer(const char *config_path, char *name, size_t len)
{
	char *groups = NULL, why[512];
	uid_t auid = audit_getloginuid();
	struct passwd *pw;
	int r = 0;

	if (geteuid() != 0) {
		fprintf(stderr, "ntkctl review: run as root: the review goes to the audit log, "
		    "which needs CAP_AUDIT_WRITE (members of [audit] reviewers use sudo)\n");
		return NTK_ERR_DENIED;
	}
	if (auid == (uid_t)-1)
		auid = getuid();
	if ((pw = getpwuid(auid)) == NULL) {
		fprintf(stderr, "ntkctl review: login uid %lu has no account\n", (unsigned long)auid);
		return NTK_ERR_DENIED;
	}
	snprintf(name, len, "%s", pw->pw_name);
	if (config_path == NULL)
		config_path = NTK_AUDIT_DEFAULT_CONFIG;
	if (access(config_path, F_OK) == 0 &&
	    ntk_config_peek(config_path, "audit", "reviewers", &groups, why, sizeof(why)) != 0) {
		fprintf(stderr, "ntkctl review: %s\n", why);
		return NTK_ERR_CONFIG;
	}
	if (groups != NULL && groups[0] != '\0' && auid != 0 &&
	    !in_groups(pw->pw_name, pw->pw_gid, groups)) {
		fprintf(stderr, "ntkctl review: %s is not in a reviewers group ([audit] reviewers = %s)\n",
		    pw->pw_name, groups);
		r = NTK_ERR_DENIED;
	}
	free(groups);
	return r;
}

struct collect {
	struct ntk_audit_grants *grants;
	const struct ntk_audit_opts *o;
};

static int
collect(const struct ntk_audit_rec *r, void *ctx)
{
	struct collect *c = ctx;

	return ntk_audit_grants_add(c->grants, r, c->o);
}

/* " name=ENC" as libaudit encodes untrusted values (hex when not plain). */
static int
add_enc(char *msg, size_t len, const char *name, const char *value)
{
	char *enc;
	size_t n = strlen(msg);

	if (value == NULL)
		return 0;
	if ((enc = audit_encode_nv_string(name, value, (unsigned)strlen(value))) == NULL)
		return NTK_ERR_NOMEM;
	if ((size_t)snprintf(msg + n, len - n, " %s", enc) >= len - n) {
		free(enc);
		return NTK_ERR_TOO_LONG;
	}
	free(enc);
	return 0;
}

static int
write_review(const struct ntk_audit_grant_ref *g, const char *who, const char *note)
{
	char msg[MAX_AUDIT_MESSAGE_LENGTH], n[96];
	int fd, r;

	snprintf(msg, sizeof(msg), "op=ntk-review");
	if (g->grant_id != NULL) {
		/* made by ntkd: UUID-shaped hex and dashes, checked before it is copied bare */
		if (strspn(g->grant_id, "0123456789abcdef-") != strlen(g->grant_id) ||
		    strlen(g->grant_id) > 40)
			return NTK_ERR_BAD_VALUE;
		snprintf(n, sizeof(n), " grant_id=%s", g->grant_id);
		strncat(msg, n, sizeof(msg) - strlen(msg) - 1);
	}
	if ((r = add_enc(msg, sizeof(msg), "grant_node", g->node)) != 0)
		return r;
	snprintf(n, sizeof(n), " grant_serial=%lu grant_time=%lld.%03u", g->serial,
	    (long long)g->sec, g->msec);
	strncat(msg, n, sizeof(msg) - strlen(msg) - 1);
	if ((r = add_enc(msg, sizeof(msg), "acct", g->user)) != 0 ||
	    (r = add_enc(msg, sizeof(msg), "system", g->system)) != 0 ||
	    (r = add_enc(msg, sizeof(msg), "case", g->case_id)) != 0 ||
	    (r = add_enc(msg, sizeof(msg), "reviewer", who)) != 0 ||
	    (r = add_enc(msg, sizeof(msg), "note", note)) != 0)
		return r;
	if ((fd = audit_open()) < 0) {
		fprintf(stderr, "ntkctl review: cannot open the audit socket: %s\n", strerror(errno));
		return NTK_ERR_IO;
	}
	r = audit_log_user_message(fd, AUDIT_TRUSTED_APP, msg, NULL, NULL, NULL, 1);
	audit_close(fd);
	if (r <= 0) {
		fprintf(stderr, "ntkctl review: the audit subsystem refused the record (is auditd "
		    "running?): nothing was reviewed\n");
		return NTK_ERR_IO;
	}
	return 0;
}

int
ntk_audit_review_main(int argc, char **argv, const char *config_path)
{
	struct ntk_audit_opts o;
	struct ntk_audit_grants *grants = NULL;
	struct ntk_audit_grant_ref ref;
	const char *note = NULL, *serial_arg = NULL;
	char **av = NULL, who[256];
	struct collect ctx;
	bool incomplete = false;
	size_t nfound;
	int ac = 0, i, r, rc = 2;
	long v;

	memset(&ref, 0, sizeof(ref));
	memset(&o, 0, sizeof(o));
	/* take SERIAL and --note here; the rest are `ntkctl audit` options (node, time, input) */
	if ((av = calloc((size_t)argc + 2, sizeof(*av))) == NULL)
		goto out;
	av[ac++] = argv[0];
	/* SERIAL comes first */
	if (argc > 1 && argv[1][0] != '-')
		serial_arg = argv[1];
	for (i = serial_arg != NULL ? 2 : 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			review_usage(stdout);
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
			note = argv[++i];
		else if (strncmp(argv[i], "--note=", 7) == 0)
			note = argv[i] + 7;
		else if (strcmp(argv[i], "--node") == 0 || strcmp(argv[i], "--since") == 0 ||
		    strcmp(argv[i], "--until") == 0 || strcmp(argv[i], "--input") == 0 ||
		    argv[i][0] != '-')
			av[ac++] = argv[i];
		else {
			fprintf(stderr, "ntkctl review: unknown option %s\n", argv[i]);
			review_usage(stderr);
			goto out;
		}
	}
	av[ac++] = "--break-glass";
	if (serial_arg == NULL || strspn(serial_arg, "0123456789") != strlen(serial_arg) ||
	    strlen(serial_arg) > 18 || (v = strtol(serial_arg, NULL, 10)) <= 0) {
		fprintf(stderr, "ntkctl review: give the grant's serial (a number)\n");
		review_usage(stderr);
		goto out;
	}
	if (note == NULL || note[0] == '\0' || strlen(note) > NOTE_MAX) {
		fprintf(stderr, "ntkctl review: --note TEXT is required (1..%d bytes)\n", NOTE_MAX);
		goto out;
	}
	if (reviewer(config_path, who, sizeof(who)) != 0)
		goto out;
	if (ntk_audit_parse_args(ac, av, &o, time(NULL)) != 0)
		goto out;
	if ((r = ntk_audit_grants_new(&grants)) != 0)
		goto fail;
	ctx.grants = grants;
	ctx.o = &o;
	if ((r = ntk_audit_read(&o, collect, &ctx, &incomplete)) != 0)
		goto out;
	if (incomplete)
		fprintf(stderr, "ntkctl review: the logs read have a gap; looking in the rest\n");
	r = ntk_audit_grants_find(grants, (unsigned long)v, &ref, &nfound);
	if (r == NTK_ERR_NOT_FOUND) {
		fprintf(stderr, "ntkctl review: no break-glass grant with serial %ld in the logs read\n", v);
		rc = 1;
		goto out;
	}
	if (r == NTK_ERR_BAD_VALUE) {
		fprintf(stderr, "ntkctl review: %zu grants have serial %ld (serials restart at boot "
		    "and differ per node): narrow with --node or --since/--until\n", nfound, v);
		goto out;
	}
	if (r != 0 || (r = write_review(&ref, who, note)) != 0)
		goto fail;
	printf("reviewed grant %lu (%s, %s, case %s) as %s\n", ref.serial, ref.user ? ref.user : "?",
	    ref.system ? ref.system : "?", ref.case_id ? ref.case_id : "?", who);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "ntkctl review: %s\n", ntk_strerror(r));
out:
	ntk_audit_grant_ref_clear(&ref);
	ntk_audit_grants_free(grants);
	free(o.inputs);
	free(av);
	return rc;
}
