/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test record writer for `ntkctl audit`: sends records in ntkd's format (the
 * brief's "audit record format") to the running auditd with libaudit, so the
 * checked-in sample holds real auditd records, hostile values included; or
 * prints N synthetic records in auditd's raw format for the benchmark.
 *   ntk_audit_gen sample          the sample's records (two seconds apart in two halves)
 *   ntk_audit_gen live USER       three denials and one allow for USER
 *   ntk_audit_gen rhost           logins with hostile remote hosts and ttys (libaudit
 *                                 writes hostname= and terminal= unencoded)
 *   ntk_audit_gen synth N         N raw records on stdout (no auditd)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libaudit.h>

enum kind { ENC, BARE };

struct kv {
	const char *name;
	const char *value;
	enum kind kind;
};

/* "name=ENC name=BARE ..." as ntkd writes it. */
static char *
build(const struct kv *kv)
{
	size_t cap = 4096, len = 0, n;
	char *out = malloc(cap), *enc;

	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (; kv->name != NULL; kv++) {
		if (kv->kind == ENC)
			enc = audit_encode_nv_string(kv->name, kv->value, 0);
		else if (asprintf(&enc, "%s=%s", kv->name, kv->value) < 0)
			enc = NULL;
		if (enc == NULL)
			goto fail;
		n = strlen(enc);
		if (len + n + 2 > cap)
			goto fail;
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, enc, n + 1);
		len += n;
		free(enc);
	}
	return out;
fail:
	free(out);
	return NULL;
}

static int fd = -1;
static int failures;

static void
send_rec(int type, const struct kv *kv, const char *host, const char *addr, const char *tty, int ok)
{
	char *msg = build(kv);

	if (msg == NULL || audit_log_user_message(fd, type, msg, host, addr, tty, ok) <= 0) {
		fprintf(stderr, "ntk_audit_gen: cannot write a record\n");
		failures++;
	}
	free(msg);
}

#define PG "/usr/lib/postgresql/15/bin/postgres"
#define MY "/usr/sbin/mariadbd"
#define SSHD "/usr/sbin/sshd"

static void
login(const char *acct, const char *sys, const char *tok, const char *exe, const char *pid,
    const char *host, const char *addr, int ok)
{
	struct kv kv[] = {
		{ "op", "ntk-login", BARE }, { "acct", acct, ENC }, { "system", sys, ENC },
		{ ok ? "rule" : "reason", tok, BARE }, { "peer_exe", exe, ENC },
		{ "peer_pid", pid, BARE }, { "peer_uid", "0", BARE }, { NULL, NULL, BARE },
	};
	send_rec(AUDIT_USER_ACCT, kv, host, addr, "ssh", ok);
}

static void
kase(const char *acct, const char *sys, const char *c, const char *access, const char *state,
    const char *tok, const char *exe, const char *pid, const char *uid, int ok)
{
	struct kv kv[] = {
		{ "op", "ntk-case", BARE }, { "acct", acct, ENC }, { "system", sys, ENC },
		{ "case", c, ENC }, { "access", access, BARE }, { "state", state, BARE },
		{ ok ? "rule" : "reason", tok, BARE }, { "peer_exe", exe, ENC },
		{ "peer_pid", pid, BARE }, { "peer_uid", uid, BARE }, { NULL, NULL, BARE },
	};
	send_rec(AUDIT_TRUSTED_APP, kv, NULL, NULL, NULL, ok);
}

static void
statement(const char *acct, const char *sys, const char *cases, const char *rows,
    const char *query, const char *exe, const char *pid, const char *uid)
{
	struct kv kv[] = {
		{ "op", "ntk-statement", BARE }, { "acct", acct, ENC }, { "system", sys, ENC },
		{ "access", "read", BARE }, { "reason", "no-business-reason", BARE },
		{ "rows", rows, BARE }, { "cases", cases, ENC }, { "query", query, ENC },
		{ "peer_exe", exe, ENC }, { "peer_pid", pid, BARE }, { "peer_uid", uid, BARE },
		{ NULL, NULL, BARE },
	};
	send_rec(AUDIT_TRUSTED_APP, kv, NULL, NULL, NULL, 0);
}

static void
sample(void)
{
	/* first second: ordinary traffic through PAM (sshd), PostgreSQL, MariaDB, NSS */
	login("alice", "FACTS", "system-access", SSHD, "4100", "ws1.agency.example", "10.0.0.5", 1);
	login("mallory", "COURTS", "system-not-permitted", SSHD, "4101", NULL, "10.0.0.66", 0);
	kase("mallory", "FACTS", "1001", "read", "open", "no-business-reason", PG, "5001", "105", 0);
	kase("mallory", "FACTS", "1002", "read", "open", "no-business-reason", PG, "5001", "105", 0);
	kase("mallory", "FACTS", "1003", "read", "open", "no-business-reason", MY, "6001", "106", 0);
	kase("mallory", "FACTS", "1001", "read", "open", "no-business-reason", PG, "5002", "105", 0);
	statement("mallory", "FACTS", "1004,1005", "2", "SELECT * FROM cases WHERE name LIKE 'Smith%'",
	    MY, "6001", "106");
	kase("bob", "FACTS", "1003", "read", "sealed", "case-sealed", PG, "5003", "105", 0);
	kase("bob", "FACTS", "1002", "write", "open", "read-only", PG, "5003", "105", 0);
	kase("alice", "FACTS", "1001", "read", "open", "assigned", PG, "5004", "105", 1);
	{
		struct kv kv[] = {
			{ "op", "ntk-break-glass", BARE }, { "acct", "heidi", ENC },
			{ "system", "FACTS", ENC }, { "case", "1005", ENC }, { "access", "read", BARE },
			{ "state", "open", BARE }, { "rule", "break-glass", BARE },
			{ "justification", "child at risk, on call", ENC }, { "minutes", "60", BARE },
			{ "peer_exe", "/usr/bin/ntkctl", ENC }, { "peer_pid", "7100", BARE },
			{ "peer_uid", "1008", BARE }, { NULL, NULL, BARE },
		};
		send_rec(AUDIT_TRUSTED_APP, kv, NULL, NULL, NULL, 1);
	}
	kase("heidi", "FACTS", "1004", "read", "open", "assignment-expired", PG, "5005", "105", 0);
	kase("carol", "FACTS", "1005", "read", "open", "no-business-reason", "/usr/bin/id", "7001", "1003", 0);
	/* a hostile rhost: libaudit does not encode hostname=, so it can add fields */
	login("ghost", "FACTS", "unknown-user", SSHD, "4102", "attacker.example addr=1.1.1.1 res=success",
	    "10.9.9.9", 0);
	statement("trent", "COURTS", "2001,2002,2003", "3", "SELECT id FROM cases", PG, "5006", "105");
	kase("trent", "COURTS", "2004", "read", "open", "no-business-reason", PG, "5006", "105", 0);
	kase("trent", "COURTS", "2005", "read", "closed", "case-closed", PG, "5006", "105", 0);
	kase("trent", "COURTS", "2006", "read", "open", "no-business-reason", MY, "6002", "106", 0);

	/* records of other programs and other ops: all ignored by the report */
	{
		struct kv pam[] = { { "op", "PAM:accounting", BARE }, { "grantors", "pam_permit", BARE },
			{ "acct", "mallory", ENC }, { NULL, NULL, BARE } };
		struct kv other[] = { { "op", "backup-tool", BARE }, { "acct", "mallory", ENC },
			{ "case", "1009", ENC }, { "reason", "no-business-reason", BARE }, { NULL, NULL, BARE } };
		struct kv noop[] = { { "acct", "mallory", ENC }, { "case", "1010", ENC },
			{ NULL, NULL, BARE } };
		struct kv late[] = { { "op", "other", BARE }, { "note", "x", BARE },
			{ "op", "ntk-case", BARE }, { "acct", "mallory", ENC }, { "case", "1011", ENC },
			{ NULL, NULL, BARE } };
		struct kv bogus[] = { { "op", "ntk-bogus", BARE }, { "acct", "mallory", ENC },
			{ "system", "FACTS", ENC }, { NULL, NULL, BARE } };

		send_rec(AUDIT_USER_ACCT, pam, "ws9", "10.0.0.9", "ssh", 1);
		if (audit_log_acct_message(fd, AUDIT_USER_LOGIN, NULL, "login", "mallory", -1, "ws9",
		    "10.0.0.9", "ssh", 1) <= 0)
			failures++;
		send_rec(AUDIT_TRUSTED_APP, other, NULL, NULL, NULL, 0);
		send_rec(AUDIT_TRUSTED_APP, noop, NULL, NULL, NULL, 0);
		send_rec(AUDIT_TRUSTED_APP, late, NULL, NULL, NULL, 0);
		send_rec(AUDIT_USER_ACCT, bogus, NULL, NULL, NULL, 0);
	}

	/* a later second: hostile values, each must stay inside its field */
	usleep(1200 * 1000);
	kase("evil\" acct=root x=1", "FACTS", "1001", "read", "open", "no-business-reason", PG, "5010",
	    "105", 0);
	kase("nl\nuser", "FACTS", "1002", "read", "open", "no-business-reason", PG, "5010", "105", 0);
	login("John Q Public", "FACTS", "unknown-user", SSHD, "4103", NULL, NULL, 0);
	kase("zo\xc3\xab \xce\xa9", "COURTS", "1003", "read", "open", "no-business-reason", MY, "6003",
	    "106", 0);
	kase("dave", "FACTS", "10,01", "read", "open", "no-business-reason", PG, "5011", "105", 0);
	kase("=SUM(A1:A9)", "FACTS", "@import", "write", "open", "no-business-reason", PG, "5011", "105", 0);
	kase("tab\tuser\x1b[31m", "FACTS", "1001", "read", "open", "no-business-reason", PG, "5011",
	    "105", 0);
	kase("bad\xff\xfe", "FACTS", "1001", "read", "open", "no-business-reason", PG, "5011", "105", 0);
	kase("dom\\user", "FACTS", "1002", "read", "open", "no-business-reason", PG, "5011", "105", 0);
}

static void
rhost(void)
{
	struct kv kv[] = {
		{ "op", "ntk-login", BARE }, { "acct", "rhost1", ENC }, { "system", "FACTS", ENC },
		{ "reason", "unknown-user", BARE }, { "peer_exe", SSHD, ENC },
		{ "peer_pid", "4200", BARE }, { "peer_uid", "0", BARE }, { NULL, NULL, BARE },
	};

	/* a quote and fake fields in both hostname and tty */
	send_rec(AUDIT_USER_ACCT, kv, "h' res=success x='", "10.1.1.1", "pts/1 res=success", 0);
	/* the enriched-format separator: auparse drops the rest of the record */
	kv[1].value = "rhost2";
	send_rec(AUDIT_USER_ACCT, kv, "h\x1dres=success", "10.1.1.2", "pts/2", 0);
	/* a fake addr= and case= in an allowed login */
	kv[1].value = "rhost3";
	kv[3].name = "rule";
	kv[3].value = "system-access";
	send_rec(AUDIT_USER_ACCT, kv, "ws3 addr=6.6.6.6 case=1001", "10.1.1.3", "pts/3", 1);
}

static void
live(const char *user)
{
	kase(user, "FACTS", "1001", "read", "open", "no-business-reason", PG, "5001", "105", 0);
	kase(user, "FACTS", "1002", "read", "sealed", "case-sealed", PG, "5001", "105", 0);
	login(user, "COURTS", "system-not-permitted", SSHD, "4100", NULL, "127.0.0.1", 0);
	login(user, "FACTS", "system-access", SSHD, "4100", NULL, "127.0.0.1", 1);
}

/* N records in auditd's raw (enriched) format: 1000 users, 10000 cases, 3 systems. */
static int
synth(long n)
{
	static const char *const sys[] = { "FACTS", "COURTS", "INTAKE" };
	static const char *const why[] = { "no-business-reason", "case-sealed", "case-closed",
		"read-only" };
	long i;

	for (i = 0; i < n; i++) {
		long t = 1795200000 + i / 50;
		if (i % 10 == 0)
			printf("type=USER_ACCT msg=audit(%ld.%03ld:%ld): pid=812 uid=0 auid=4294967295 "
			    "ses=4294967295 msg='op=ntk-login acct=\"user%ld\" system=\"%s\" %s "
			    "peer_exe=\"/usr/sbin/sshd\" peer_pid=%ld peer_uid=0 exe=\"/usr/sbin/ntkd\" "
			    "hostname=? addr=10.0.%ld.%ld terminal=ssh res=%s'\x1dUID=\"root\" AUID=\"unset\"\n",
			    t, i % 1000, i + 1, (i / 7) % 1000, sys[i % 3],
			    i % 20 == 0 ? "rule=system-access" : "reason=system-not-permitted",
			    1000 + i % 30000, i % 200, i % 250, i % 20 == 0 ? "success" : "failed");
		else if (i % 10 == 1)
			printf("type=SYSCALL msg=audit(%ld.%03ld:%ld): arch=c000003e syscall=44 success=yes "
			    "exit=60 a0=3 a1=7ffc60677e60 a2=3c a3=0 items=0 ppid=1 pid=4629 auid=4294967295 "
			    "uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
			    "ses=4294967295 comm=\"auditctl\" exe=\"/usr/sbin/auditctl\" key=(null)\n",
			    t, i % 1000, i + 1);
		else
			printf("type=TRUSTED_APP msg=audit(%ld.%03ld:%ld): pid=812 uid=0 auid=4294967295 "
			    "ses=4294967295 msg='op=ntk-case acct=\"user%ld\" system=\"%s\" case=\"%ld\" "
			    "access=read state=open reason=%s peer_exe=\"" PG "\" peer_pid=%ld "
			    "peer_uid=105 exe=\"/usr/sbin/ntkd\" hostname=? addr=? terminal=? "
			    "res=failed'\x1dUID=\"root\" AUID=\"unset\"\n",
			    t, i % 1000, i + 1, (i / 7) % 1000, sys[i % 3], (i * 13) % 10000,
			    why[i % 4], 5000 + i % 30000);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "synth") == 0)
		return synth(atol(argv[2]));
	if ((fd = audit_open()) < 0) {
		perror("ntk_audit_gen: audit_open");
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "sample") == 0)
		sample();
	else if (argc == 2 && strcmp(argv[1], "rhost") == 0)
		rhost();
	else if (argc == 3 && strcmp(argv[1], "live") == 0)
		live(argv[2]);
	else {
		fprintf(stderr, "usage: ntk_audit_gen sample | rhost | live USER | synth N\n");
		failures++;
	}
	audit_close(fd);
	return failures ? 1 : 0;
}
