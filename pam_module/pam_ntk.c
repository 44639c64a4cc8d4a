/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_ntk: the PAM account stage asks ntkd whether a user may log in to a named system. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define PAM_SM_ACCOUNT
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "ntk_client.h"
#include "ntk_conn_why.h"
#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_policy.h"
#include "ntk_proto.h"

/* Default wait for ntkd: longer than its LDAP timeout so a failover can finish. */
#define PAM_NTK_TIMEOUT_MS 10000
#define PAM_NTK_TIMEOUT_MAX_MS 120000
/* Bytes of a user name copied into a log line (after escaping). */
#define PAM_NTK_LOG_NAME_MAX 96

struct pam_ntk_opts {
	const char *system;     /* system=NAME; required */
	const char *socket;     /* socket=PATH */
	int timeout_ms;         /* timeout=SECONDS */
	bool debug;
	bool unknown_ignore;    /* unknown_user=ignore */
};

static const char *pam_ntk_item(pam_handle_t *pamh, int type);

/* Parse a decimal in [1, max]; no sign, no octal, no trailing bytes. */
static int
pam_ntk_parse_uint(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return NTK_ERR_BAD_VALUE;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return NTK_ERR_BAD_VALUE;
	*out = v;
	return 0;
}

/* The option's name: the bytes before '=', or all of it. */
static bool
pam_ntk_is_known(const char *a)
{
	static const char *const names[] = { "system", "socket", "timeout", "debug", "unknown_user" };
	size_t n = strcspn(a, "="), i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(a, names[i], n) == 0)
			return true;
	return false;
}

/*
 * Defaults, then the arguments of the service's line. An unknown option (a
 * typo such as `sytem=`) or a malformed value refuses the whole stack line:
 * a login gate must never run with a setting weaker than the one written.
 */
static int
pam_ntk_parse_args(pam_handle_t *pamh, int argc, const char **argv, struct pam_ntk_opts *o)
{
	const char *service = pam_ntk_item(pamh, PAM_SERVICE);
	char shown[PAM_NTK_LOG_NAME_MAX];
	long secs;
	int i;

	o->system = NULL;
	o->socket = NTK_SOCKET_PATH;
	o->timeout_ms = PAM_NTK_TIMEOUT_MS;
	o->debug = false;
	o->unknown_ignore = false;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a == NULL)
			continue;
		if (strncmp(a, "system=", 7) == 0) {
			/* An empty or oversized name is as good as none: refused by the caller. */
			o->system = a + 7;
		} else if (strncmp(a, "socket=", 7) == 0 && a[7] == '/') {
			o->socket = a + 7;
		} else if (strcmp(a, "debug") == 0) {
			o->debug = true;
		} else if (strcmp(a, "unknown_user=deny") == 0) {
			o->unknown_ignore = false;
		} else if (strcmp(a, "unknown_user=ignore") == 0) {
			o->unknown_ignore = true;
		} else if (strncmp(a, "timeout=", 8) == 0 &&
		    pam_ntk_parse_uint(a + 8, PAM_NTK_TIMEOUT_MAX_MS / 1000, &secs) == 0) {
			o->timeout_ms = (int)secs * 1000;
		} else {
			ntk_escape_log_str(a, shown, sizeof(shown));
			pam_syslog(pamh, LOG_ERR, "%s option refused (service %.64s): %s",
			    pam_ntk_is_known(a) ? "malformed" : "unknown",
			    service != NULL ? service : "(unknown)", shown);
			return NTK_ERR_CONFIG;
		}
	}
	return 0;
}

/* Tell the user, through the application's conversation, unless PAM_SILENT. */
static void pam_ntk_tell(pam_handle_t *pamh, int flags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pam_ntk_tell(pam_handle_t *pamh, int flags, const char *fmt, ...)
{
	va_list ap;

	if (flags & PAM_SILENT)
		return;
	va_start(ap, fmt);
	/* The application may have no conversation function: not our error. */
	(void)pam_verror(pamh, fmt, ap);
	va_end(ap);
}

/* What a failure to get a decision means to PAM: never PAM_SUCCESS. */
static int
pam_ntk_no_decision(int err)
{
	switch (err) {
	case NTK_ERR_NOMEM:
	case NTK_ERR_DENIED:
	case NTK_ERR_INTERNAL:
	case NTK_ERR_BAD_VALUE:     /* our request did not encode: a bug, not an outage */
		return PAM_SYSTEM_ERR;
	default:
		return PAM_AUTHINFO_UNAVAIL;
	}
}

/* A PAM item as a string, or NULL when unset or unreadable. */
static const char *
pam_ntk_item(pam_handle_t *pamh, int type)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pam_ntk_opts o;
	struct ntk_conn *conn = NULL;
	uid_t server;
	struct ntk_check_req req;
	struct ntk_check_rep rep;
	const char *user = NULL, *service, *reason;
	char logname[PAM_NTK_LOG_NAME_MAX];
	size_t ulen;
	int ret = PAM_SYSTEM_ERR, r;

	memset(&req, 0, sizeof(req));
	memset(&rep, 0, sizeof(rep));
	if (pam_ntk_parse_args(pamh, argc, argv, &o) != 0) {
		ret = PAM_SERVICE_ERR;
		goto out;
	}

	service = pam_ntk_item(pamh, PAM_SERVICE);
	if (o.system == NULL || o.system[0] == '\0' || strlen(o.system) > NTK_NAME_MAX) {
		pam_syslog(pamh, LOG_ERR, "no usable system= argument in the stack of service %.64s",
		    service != NULL ? service : "(unknown)");
		ret = PAM_SERVICE_ERR;
		goto out;
	}

	/* pam_get_user: the application normally set it during auth; may prompt otherwise. */
	if ((r = pam_get_user(pamh, &user, NULL)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name: %s",
		    pam_strerror(pamh, r));
		ret = r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
		goto out;
	}
	if (user == NULL || user[0] == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "empty user name refused for system %s", o.system);
		ret = PAM_USER_UNKNOWN;
		goto out;
	}
	ulen = strlen(user);
	ntk_escape_log_str(user, logname, sizeof(logname));
	if (ulen > NTK_NAME_MAX) {
		pam_syslog(pamh, LOG_NOTICE, "user name of %zu bytes refused for system %s: %s",
		    ulen, o.system, logname);
		ret = PAM_USER_UNKNOWN;
		goto out;
	}

	/* Hostile bytes go as they are: ntkd escapes them for LDAP and for the audit record. */
	req.user = (char *)user;
	req.system = (char *)o.system;
	req.action = NTK_ACTION_LOGIN;
	req.case_id = (char *)"";
	req.state = NTK_STATE_OPEN;
	req.reason = (char *)"";
	req.rhost = (char *)pam_ntk_item(pamh, PAM_RHOST);
	req.tty = (char *)pam_ntk_item(pamh, PAM_TTY);
	req.flags = 0;          /* a real decision: ntkd audits it */
	if (req.rhost != NULL && strlen(req.rhost) > NTK_STR_MAX)
		req.rhost = NULL;
	if (req.tty != NULL && strlen(req.tty) > NTK_STR_MAX)
		req.tty = NULL;

	if ((r = ntk_conn_open_uid(o.socket, o.timeout_ms, &conn, &server)) != 0) {
		int e = errno;
		char why[160];

		if (r == NTK_ERR_UNTRUSTED_PEER)
			pam_syslog(pamh, LOG_ERR, "refusing the daemon at %s: it is run by uid %lu",
			    o.socket, (unsigned long)server);
		else
			pam_syslog(pamh, LOG_ERR, "cannot reach ntkd at %s: %s", o.socket,
			    ntk_conn_why(r, e, why, sizeof(why)));
		pam_ntk_tell(pamh, flags, "needtoknow: access to %s cannot be checked now", o.system);
		ret = r == NTK_ERR_NOMEM ? PAM_SYSTEM_ERR : PAM_AUTHINFO_UNAVAIL;
		goto out;
	}
	if ((r = ntk_client_check(conn, &req, &rep)) != 0) {
		/* No usable answer, or ntkd refused the question (DENIED): never an allow. */
		pam_syslog(pamh, LOG_ERR, "ntkd gave no decision for user %s on %s: %s",
		    logname, o.system, ntk_strerror(r));
		pam_ntk_tell(pamh, flags, "needtoknow: access to %s cannot be checked now", o.system);
		ret = pam_ntk_no_decision(r);
		goto out;
	}

	if (!ntk_outcome_valid(rep.outcome)) {
		pam_syslog(pamh, LOG_ERR, "ntkd sent an unknown outcome %u for user %s on %s",
		    (unsigned)rep.outcome, logname, o.system);
		ret = PAM_SYSTEM_ERR;
		goto out;
	}
	reason = ntk_outcome_name(rep.outcome);
	if (ntk_outcome_allows(rep.outcome)) {
		if (o.debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s may use %s (rule=%s)",
			    logname, o.system, reason);
		ret = PAM_SUCCESS;
		goto out;
	}

	switch (rep.outcome) {
	case NTK_DENY_DIRECTORY_UNAVAILABLE:
		pam_syslog(pamh, LOG_ERR, "directory unavailable: user %s not checked for %s",
		    logname, o.system);
		pam_ntk_tell(pamh, flags, "needtoknow: access to %s cannot be checked now (%s)",
		    o.system, reason);
		ret = PAM_AUTHINFO_UNAVAIL;
		break;
	case NTK_DENY_UNKNOWN_USER:
		if (o.unknown_ignore) {
			if (o.debug)
				pam_syslog(pamh, LOG_DEBUG, "user %s unknown to the directory: ignored",
				    logname);
			ret = PAM_IGNORE;
			break;
		}
		/* FALLTHROUGH */
	default:
		pam_syslog(pamh, LOG_NOTICE, "access to %s denied for user %s (%s)",
		    o.system, logname, reason);
		pam_ntk_tell(pamh, flags, "needtoknow: access to %s denied (%s)", o.system, reason);
		/* The system's advice (ntk.conf deny_message), as a message of its own. */
		if (rep.deny_message != NULL && rep.deny_message[0] != '\0')
			pam_ntk_tell(pamh, flags, "%s", rep.deny_message);
		ret = PAM_PERM_DENIED;
		break;
	}
 out:
	ntk_check_rep_clear(&rep);
	ntk_conn_close(conn);
	return ret;
}
