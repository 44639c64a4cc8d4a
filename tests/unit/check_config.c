/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for common/ntk_config.c: a full valid file, defaults, and every refusal with its file:section:key prefix. */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntk_config.h"
#include "ntk_err.h"

static char dir[64];
static char conf[128];
static char pwfile[128];
static char cacert[128];
static char err[1024];
static struct ntk_config cfg;

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;
	size_t len = strlen(text);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ntk-check-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/ntk.conf", dir);
	snprintf(pwfile, sizeof(pwfile), "%s/bindpw", dir);
	snprintf(cacert, sizeof(cacert), "%s/ca.pem", dir);
	write_file(pwfile, "s3cret\n", 0600);
	write_file(cacert, "-----BEGIN CERTIFICATE-----\n", 0644);
	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
}

static void
teardown(void)
{
	ntk_config_clear(&cfg);
	unlink(conf);
	unlink(cacert);
	rmdir(pwfile);          /* some tests make it a directory */
	unlink(pwfile);
	rmdir(dir);
}

/* Write the config (with @DIR@ replaced by the temp dir) and load it. */
static int
load(const char *text)
{
	char buf[8192], *o = buf;
	const char *p;

	for (p = text; *p != '\0'; ) {
		if (strncmp(p, "@DIR@", 5) == 0) {
			o += snprintf(o, sizeof(buf) - (size_t)(o - buf), "%s", dir);
			p += 5;
		} else
			*o++ = *p++;
		ck_assert_int_lt(o - buf, (long)sizeof(buf) - 200);
	}
	*o = '\0';
	write_file(conf, buf, 0644);
	return ntk_config_load(conf, &cfg, err, sizeof(err));
}

#define LDAP_MIN "[ldap]\nuri = ldap://127.0.0.1:38900/\nbase = dc=example,dc=org\n"
#define ROLES_MIN "[role:legal]\ncases = all\n[system:FACTS]\nroles = legal\n"

/* The load failed with exactly "CONF:rest". */
static void
refused_exact(int r, const char *rest)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s:%s", conf, rest);
	ck_assert_int_eq(r, NTK_ERR_CONFIG);
	ck_assert_str_eq(err, want);
	/* Nothing is left behind on failure. */
	ck_assert_ptr_null(cfg.path);
	ck_assert_ptr_null(cfg.uris);
	ck_assert_ptr_null(cfg.bindpw);
	ck_assert_ptr_null(cfg.policy.roles);
	ck_assert_ptr_null(cfg.policy.systems);
}

/* The load failed with a message starting "CONF:prefix". */
static void
refused(int r, const char *prefix)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s:%s", conf, prefix);
	ck_assert_int_eq(r, NTK_ERR_CONFIG);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "error '%s' does not start '%s'",
	    err, want);
	ck_assert_ptr_null(cfg.path);
	ck_assert_ptr_null(cfg.policy.roles);
}

static const char *full_sample =
	"; a full sample: every key set, most to a value other than its default\n"
	"[ldap]\n"
	"uri = ldap://127.0.0.1:38900/ ldaps://ldap2.example.org/  ldapi://%2Frun%2Fslapd\n"
	"base = dc=example,dc=org\n"
	"binddn = cn=ntkd,ou=services,dc=example,dc=org\n"
	"bindpw_file = @DIR@/bindpw\n"
	"user_filter = \"(&(objectClass=person)(sAMAccountName=%s))\"\n"
	"role_attribute = employeeType\n"
	"case_attribute = 1.3.6.1.4.1.99999.1.2\n"
	"manager_attribute = supervisorDN\n"
	"role_source = group\n"
	"role_group_filter = (&(objectClass=groupOfUniqueNames)(uniqueMember=%s))\n"
	"role_group_attribute = ou\n"
	"supervision_depth = 3   ; inline comment\n"
	"timeout = 10\n"
	"tls = starttls\n"
	"tls_cacert = @DIR@/ca.pem\n"
	"name_attribute = sAMAccountName\n"
	"staff_filter = (&(objectClass=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))\n"
	"follow_changes = no\n"
	"\n"
	"[daemon]\n"
	"socket = /run/ntk-test/ntkd.sock\n"
	"trusted_peers = postgres mysql\n"
	"threads = 8\n"
	"[cache]\n"
	"ttl = 0\n"
	"negative_ttl = 30\n"
	"offline_grace = 604800\n"
	"[audit]\n"
	"allows = yes\n"
	"break_glass_minutes = 1440\n"
	"queue = 16\n"
	"browsing_threshold = 10000\n"
	"auditd_pid_file = none\n"
	"auditd_log_file = /srv/audit.log\n"
	"confirm_ms = 60000\n"
	"budget = 0\n"
	"budget_interval = 86400\n"
	"[nss]\n"
	"visibility = all\n"
	"case_gid_min = 300000\n"
	"case_gid_max = 399999\n"
	"system_gid_min = 290000\n"
	"role_gid_min = 291000\n"
	"enumerate = true\n"
	"\n"
	"# systems are case-sensitive and keep the order of the file\n"
	"[system:FACTS]\n"
	"roles = social_worker supervisor \\\n"
	"        legal records\n"
	"[system:pg.main-1]\n"
	"roles = records\n"
	"[role:social_worker]\n"
	"cases = assigned\n"
	"write = yes\n"
	"[role:supervisor]\n"
	"cases = supervised\n"
	"write = 1\n"
	"break_glass = Yes\n"
	"[role:legal]\n"
	"cases = all\n"
	"write = true\n"
	"closed = yes\n"
	"sealed = yes\n"
	"release = yes\n"
	"[role:records]\n"
	"cases = all\n"
	"write = no\n"
	"closed = 1\n"
	"sealed = 0\n"
	"break_glass = false\n"
	"[role:viewer]\n"
	"cases = none\n";

START_TEST(test_full_sample)
{
	const struct ntk_system *s;
	const struct ntk_role *r;

	ck_assert_int_eq(load(full_sample), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(cfg.path, conf);
	ck_assert_uint_eq(cfg.nuris, 3);
	ck_assert_str_eq(cfg.uris[0], "ldap://127.0.0.1:38900/");
	ck_assert_str_eq(cfg.uris[1], "ldaps://ldap2.example.org/");
	ck_assert_str_eq(cfg.uris[2], "ldapi://%2Frun%2Fslapd");
	ck_assert_str_eq(cfg.base, "dc=example,dc=org");
	ck_assert_str_eq(cfg.binddn, "cn=ntkd,ou=services,dc=example,dc=org");
	ck_assert_str_eq(cfg.bindpw_file, pwfile);
	ck_assert_str_eq(cfg.bindpw, "s3cret");
	ck_assert_str_eq(cfg.user_filter, "(&(objectClass=person)(sAMAccountName=%s))");
	ck_assert_str_eq(cfg.role_attribute, "employeeType");
	ck_assert_str_eq(cfg.case_attribute, "1.3.6.1.4.1.99999.1.2");
	ck_assert_str_eq(cfg.manager_attribute, "supervisorDN");
	ck_assert_int_eq(cfg.role_source, NTK_ROLE_SOURCE_GROUP);
	ck_assert_str_eq(cfg.role_group_filter, "(&(objectClass=groupOfUniqueNames)(uniqueMember=%s))");
	ck_assert_str_eq(cfg.role_group_attribute, "ou");
	ck_assert_uint_eq(cfg.policy.supervision_depth, 3);
	ck_assert_uint_eq(cfg.timeout, 10);
	ck_assert_int_eq(cfg.tls, NTK_TLS_STARTTLS);
	ck_assert_str_eq(cfg.tls_cacert, cacert);
	ck_assert_str_eq(cfg.name_attribute, "sAMAccountName");
	ck_assert(!cfg.follow_changes);
	ck_assert_str_eq(cfg.staff_filter,
	    "(&(objectClass=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))");
	ck_assert_str_eq(cfg.socket, "/run/ntk-test/ntkd.sock");
	ck_assert_uint_eq(cfg.ntrusted_peers, 2);
	ck_assert_str_eq(cfg.trusted_peers[0], "postgres");
	ck_assert_str_eq(cfg.trusted_peers[1], "mysql");
	ck_assert_uint_eq(cfg.threads, 8);
	ck_assert_uint_eq(cfg.cache_ttl, 0);
	ck_assert_uint_eq(cfg.cache_negative_ttl, 30);
	ck_assert_uint_eq(cfg.cache_offline_grace, 604800);
	ck_assert(cfg.audit_allows);
	ck_assert_uint_eq(cfg.break_glass_minutes, 1440);
	ck_assert_uint_eq(cfg.audit_queue, 16);
	ck_assert_uint_eq(cfg.browsing_threshold, 10000);
	ck_assert_ptr_null(cfg.auditd_pid_file);
	ck_assert_str_eq(cfg.auditd_log_file, "/srv/audit.log");
	ck_assert_uint_eq(cfg.audit_confirm_ms, 60000);
	ck_assert_uint_eq(cfg.audit_budget, 0);
	ck_assert_uint_eq(cfg.audit_budget_interval, 86400);
	ck_assert_int_eq(cfg.visibility, NTK_VISIBILITY_ALL);
	ck_assert_uint_eq(cfg.case_gid_min, 300000);
	ck_assert_uint_eq(cfg.case_gid_max, 399999);
	ck_assert_uint_eq(cfg.system_gid_min, 290000);
	ck_assert_uint_eq(cfg.role_gid_min, 291000);
	ck_assert(cfg.enumerate);

	/* Roles in file order, with their flags. */
	ck_assert_uint_eq(cfg.policy.nroles, 5);
	ck_assert_str_eq(cfg.policy.roles[0].name, "social_worker");
	ck_assert_str_eq(cfg.policy.roles[4].name, "viewer");
	r = ntk_policy_find_role(&cfg.policy, "social_worker");
	ck_assert(r->scope == NTK_SCOPE_ASSIGNED && r->write && !r->closed && !r->sealed &&
	    !r->break_glass);
	r = ntk_policy_find_role(&cfg.policy, "supervisor");
	ck_assert(r->scope == NTK_SCOPE_SUPERVISED && r->write && !r->closed && !r->sealed &&
	    r->break_glass);
	r = ntk_policy_find_role(&cfg.policy, "legal");
	ck_assert(r->scope == NTK_SCOPE_ALL && r->write && r->closed && r->sealed && !r->break_glass &&
	    r->release);
	r = ntk_policy_find_role(&cfg.policy, "records");
	ck_assert(r->scope == NTK_SCOPE_ALL && !r->write && r->closed && !r->sealed &&
	    !r->break_glass && !r->release);
	r = ntk_policy_find_role(&cfg.policy, "viewer");
	ck_assert(r->scope == NTK_SCOPE_NONE && !r->write && !r->closed && !r->sealed &&
	    !r->break_glass);

	/* Systems as written (not lowercased), roles in `roles =` order. */
	ck_assert_uint_eq(cfg.policy.nsystems, 2);
	ck_assert_ptr_null(ntk_policy_find_system(&cfg.policy, "facts"));
	s = ntk_policy_find_system(&cfg.policy, "FACTS");
	ck_assert_ptr_eq(s, &cfg.policy.systems[0]);
	ck_assert_uint_eq(s->nroles, 4);
	ck_assert_str_eq(cfg.policy.roles[s->role_idx[0]].name, "social_worker");
	ck_assert_str_eq(cfg.policy.roles[s->role_idx[1]].name, "supervisor");
	ck_assert_str_eq(cfg.policy.roles[s->role_idx[2]].name, "legal");
	ck_assert_str_eq(cfg.policy.roles[s->role_idx[3]].name, "records");
	s = ntk_policy_find_system(&cfg.policy, "pg.main-1");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nroles, 1);
	ck_assert_str_eq(cfg.policy.roles[s->role_idx[0]].name, "records");

	ntk_config_clear(&cfg);
	ck_assert_ptr_null(cfg.bindpw);
	ck_assert_ptr_null(cfg.policy.roles);
	ntk_config_clear(&cfg);
	ntk_config_clear(NULL);
}
END_TEST

START_TEST(test_defaults)
{
	ck_assert_int_eq(load(LDAP_MIN), 0);
	ck_assert_uint_eq(cfg.nuris, 1);
	ck_assert_ptr_null(cfg.binddn);
	ck_assert_ptr_null(cfg.bindpw_file);
	ck_assert_ptr_null(cfg.bindpw);
	ck_assert_ptr_null(cfg.tls_cacert);
	ck_assert_str_eq(cfg.user_filter, "(&(objectClass=inetOrgPerson)(uid=%s))");
	ck_assert_str_eq(cfg.role_attribute, "ntkRole");
	ck_assert_str_eq(cfg.case_attribute, "ntkCaseAssignment");
	ck_assert_str_eq(cfg.manager_attribute, "manager");
	ck_assert_int_eq(cfg.role_source, NTK_ROLE_SOURCE_ATTRIBUTE);
	ck_assert_str_eq(cfg.role_group_filter, "(&(objectClass=groupOfNames)(member=%s))");
	ck_assert_str_eq(cfg.role_group_attribute, "cn");
	ck_assert_uint_eq(cfg.policy.supervision_depth, 2);
	ck_assert(cfg.follow_changes);
	ck_assert_uint_eq(cfg.timeout, 5);
	ck_assert_int_eq(cfg.tls, NTK_TLS_NONE);
	ck_assert_str_eq(cfg.name_attribute, "uid");
	ck_assert_str_eq(cfg.staff_filter, "(objectClass=inetOrgPerson)");
	ck_assert_str_eq(cfg.socket, "/run/ntk/ntkd.sock");
	ck_assert_uint_eq(cfg.ntrusted_peers, 0);
	ck_assert_uint_eq(cfg.threads, 4);
	ck_assert_uint_eq(cfg.cache_ttl, 300);
	ck_assert_uint_eq(cfg.cache_negative_ttl, 60);
	ck_assert_uint_eq(cfg.cache_offline_grace, 0);
	ck_assert(!cfg.audit_allows);
	ck_assert_uint_eq(cfg.break_glass_minutes, 60);
	ck_assert_uint_eq(cfg.audit_queue, 1024);
	ck_assert_uint_eq(cfg.browsing_threshold, 5);
	ck_assert_str_eq(cfg.auditd_pid_file, "/run/auditd.pid");
	ck_assert_str_eq(cfg.auditd_log_file, "");      /* auditd.conf's, read by ntkd */
	ck_assert_uint_eq(cfg.audit_confirm_ms, 2000);
	ck_assert_uint_eq(cfg.audit_budget, 100);
	ck_assert_uint_eq(cfg.audit_budget_interval, 60);
	ck_assert_int_eq(cfg.visibility, NTK_VISIBILITY_MEMBER);
	ck_assert_uint_eq(cfg.case_gid_min, 200000);
	ck_assert_uint_eq(cfg.case_gid_max, 299999);
	ck_assert_uint_eq(cfg.system_gid_min, 190000);
	ck_assert_uint_eq(cfg.role_gid_min, 191000);
	ck_assert(!cfg.enumerate);
	ck_assert_uint_eq(cfg.policy.nsystems, 0);
	ck_assert_uint_eq(cfg.policy.nroles, 0);
}
END_TEST

START_TEST(test_syntax_niceties)
{
	/* Key names are case-insensitive; quotes keep ';' inside a value. */
	ck_assert_int_eq(load("[LDAP]\nURI = ldap://localhost/\nBase = \"o=a;b\"\n[Role:Legal]\ncases = all\n"
	    "[SYSTEM:Facts]\nroles = Legal\n"), 0);
	ck_assert_str_eq(cfg.base, "o=a;b");
	ck_assert_str_eq(cfg.policy.roles[0].name, "Legal");
	ck_assert_str_eq(cfg.policy.systems[0].name, "Facts");
	ck_assert_ptr_nonnull(ntk_policy_find_system(&cfg.policy, "Facts"));
}
END_TEST

START_TEST(test_repeated_fixed_section)
{
	/* Settings appended to a file in a second [cache] merge with the first. */
	ck_assert_int_eq(load(LDAP_MIN "[cache]\nttl = 5\n" ROLES_MIN "[cache]\nnegative_ttl = 6\n"
	    "[LDAP]\ntimeout = 7\n"), 0);
	ck_assert_uint_eq(cfg.cache_ttl, 5);
	ck_assert_uint_eq(cfg.cache_negative_ttl, 6);
	ck_assert_uint_eq(cfg.timeout, 7);
	ck_assert_str_eq(cfg.base, "dc=example,dc=org");
}
END_TEST

/* conf/ntk.conf.sample loads as shipped, once bindpw_file points at a real file. */
START_TEST(test_shipped_sample)
{
	char line[1024], text[16384];
	size_t len = 0;
	FILE *fp = fopen(NTK_SAMPLE_CONF, "r");
	const struct ntk_system *s;

	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "bindpw_file =", 13) == 0)
			snprintf(line, sizeof(line), "bindpw_file = @DIR@/bindpw\n");
		ck_assert_uint_lt(len + strlen(line), sizeof(text));
		memcpy(text + len, line, strlen(line));
		len += strlen(line);
	}
	text[len] = '\0';
	fclose(fp);
	ck_assert_msg(load(text) == 0, "sample refused: %s", err);
	ck_assert_uint_eq(cfg.nuris, 2);
	ck_assert_int_eq(cfg.tls, NTK_TLS_STARTTLS);
	ck_assert_str_eq(cfg.name_attribute, "uid");
	ck_assert_str_eq(cfg.staff_filter, "(objectClass=inetOrgPerson)");
	ck_assert_str_eq(cfg.bindpw, "s3cret");
	ck_assert_uint_eq(cfg.ntrusted_peers, 2);
	s = ntk_policy_find_system(&cfg.policy, "FACTS");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nroles, 7);
	ck_assert_str_eq(cfg.policy.roles[s->role_idx[6]].name, "oncall");
	ck_assert(cfg.policy.roles[s->role_idx[6]].break_glass);
	ck_assert_ptr_nonnull(ntk_policy_find_system(&cfg.policy, "COURTS"));
	ck_assert_ptr_nonnull(ntk_policy_find_role(&cfg.policy, "hr"));
}
END_TEST

START_TEST(test_missing_file)
{
	char want[256];

	snprintf(want, sizeof(want), "%s/nope.conf: cannot open: No such file or directory", dir);
	snprintf(conf, sizeof(conf), "%s/nope.conf", dir);
	ck_assert_int_eq(ntk_config_load(conf, &cfg, err, sizeof(err)), NTK_ERR_CONFIG);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(cfg.path);
	/* No room for a message is not a crash. */
	ck_assert_int_eq(ntk_config_load(conf, &cfg, NULL, 0), NTK_ERR_CONFIG);
	ck_assert_int_eq(ntk_config_load(NULL, &cfg, err, sizeof(err)), NTK_ERR_CONFIG);
	ck_assert_int_eq(ntk_config_load(conf, NULL, err, sizeof(err)), NTK_ERR_CONFIG);
}
END_TEST

START_TEST(test_syntax_error)
{
	char want[512];

	/* The complaint names the line, in err, not on stderr. */
	ck_assert_int_eq(load(LDAP_MIN "noequals\n"), NTK_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: line 4: syntax error: 'noequals' (expected [section] or "
	    "key = value)", conf);
	ck_assert_str_eq(err, want);
	/* A continued line counts where it ends. */
	ck_assert_int_eq(load(LDAP_MIN "base2 \\\nstill\n"), NTK_ERR_CONFIG);
	snprintf(want, sizeof(want), "%s: line 5: syntax error: 'base2 still' (expected [section] or "
	    "key = value)", conf);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_structure_refusals)
{
	refused_exact(load(LDAP_MIN "[foo]\n"), "foo: unknown section");
	refused_exact(load(LDAP_MIN "[system]\nroles = x\n"), "system: unknown section");
	refused_exact(load(LDAP_MIN "urii = x\n"), "ldap:urii: unknown key");
	refused_exact(load(LDAP_MIN "[role:x]\ncases = all\nscope = all\n"),
	    "role:x:scope: unknown key");
	refused_exact(load("top = 1\n" LDAP_MIN), "top: key outside any section");
	refused_exact(load(LDAP_MIN "[cache]\nttl = 5\nTTL = 6\n"), "cache:ttl: key given twice");
	refused_exact(load(LDAP_MIN "[cache]\nttl = 5\n" ROLES_MIN "[cache]\nttl = 6\n"),
	    "cache:ttl: key given twice");
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:FACTS]\nroles = legal\n"),
	    "system:FACTS: duplicate section");
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:facts]\nroles = legal\n"),
	    "system:facts: duplicate section (names differing only in case are the same section)");
	refused_exact(load(LDAP_MIN ROLES_MIN "[role:legal]\ncases = all\n"),
	    "role:legal: duplicate section");
	refused_exact(load(LDAP_MIN "[system:FA/CTS]\nroles = x\n"),
	    "system:FA/CTS: name must be 1 to 64 of [A-Za-z0-9._-]");
	refused(load(LDAP_MIN "[role:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\n"
	    "cases = all\n"), "role:xxxxxxxx");
	ck_assert_ptr_nonnull(strstr(err, ": name must be 1 to 64 of [A-Za-z0-9._-]"));
	/* 64 characters is fine. */
	ck_assert_int_eq(load(LDAP_MIN "[role:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\n"
	    "cases = all\n"), 0);
}
END_TEST

/* [system:NAME] deny_message: text for a person; bounded, printable, UTF-8, errors name file, section, key. */
START_TEST(test_deny_message)
{
	char text[1200];

	ck_assert_int_eq(load(LDAP_MIN "[role:legal]\ncases = all\n[system:FACTS]\nroles = legal\n"
	    "deny_message = \"Requests for records outside your assignments go to the Legal "
	    "Division, ext. 4410; or call #4411\"\n[system:OTHER]\nroles = legal\n"), 0);
	ck_assert_str_eq(cfg.policy.systems[0].deny_message, "Requests for records outside your "
	    "assignments go to the Legal Division, ext. 4410; or call #4411");
	ck_assert_ptr_null(cfg.policy.systems[1].deny_message);
	ntk_config_clear(&cfg);
	/* Unquoted, UTF-8 kept; empty is the same as none. */
	ck_assert_int_eq(load(LDAP_MIN ROLES_MIN "deny_message = Demandes : Division juridique \xc3\xa9\n"
	    "[system:B]\nroles = legal\ndeny_message =\n"), 0);
	ck_assert_str_eq(cfg.policy.systems[0].deny_message, "Demandes : Division juridique \xc3\xa9");
	ck_assert_ptr_null(cfg.policy.systems[1].deny_message);
	ntk_config_clear(&cfg);
	/* 512 bytes is the most. */
	snprintf(text, sizeof(text), LDAP_MIN ROLES_MIN "deny_message = %0512d\n", 7);
	ck_assert_int_eq(load(text), 0);
	ck_assert_uint_eq(strlen(cfg.policy.systems[0].deny_message), 512);
	ntk_config_clear(&cfg);
	snprintf(text, sizeof(text), LDAP_MIN ROLES_MIN "deny_message = %0513d\n", 7);
	refused_exact(load(text), "system:FACTS:deny_message: longer than 512 bytes "
	    "(it is shown to people as one line of text)");
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = \"tab\there\"\n"),
	    "system:FACTS:deny_message: holds a control character "
	    "(it is shown to people as one line of text)");
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = clear \x1b[2J screen\n"),
	    "system:FACTS:deny_message: holds a control character "
	    "(it is shown to people as one line of text)");
	/* C1 controls (U+009B is a one-byte CSI to some terminals), and broken UTF-8. */
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = a \xc2\x9b b\n"),
	    "system:FACTS:deny_message: holds a control character "
	    "(it is shown to people as one line of text)");
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = latin1 \xe9t\xe9\n"),
	    "system:FACTS:deny_message: is not valid UTF-8 "
	    "(it is shown to people as one line of text)");
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = overlong \xc0\xaf\n"),
	    "system:FACTS:deny_message: is not valid UTF-8 "
	    "(it is shown to people as one line of text)");
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = surrogate \xed\xa0\x80\n"),
	    "system:FACTS:deny_message: is not valid UTF-8 "
	    "(it is shown to people as one line of text)");
	refused_exact(load(LDAP_MIN ROLES_MIN "deny_message = cut \xe2\x82\n"),
	    "system:FACTS:deny_message: is not valid UTF-8 "
	    "(it is shown to people as one line of text)");
	/* Only systems have one. */
	refused_exact(load(LDAP_MIN ROLES_MIN "[role:x]\ncases = all\ndeny_message = no\n"),
	    "role:x:deny_message: unknown key");
}
END_TEST

START_TEST(test_policy_refusals)
{
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:OTHER]\nroles = legal ghost\n"),
	    "system:OTHER:roles: role 'ghost' is not defined by a [role:ghost] section");
	/* Role names match ignoring case: the same role listed twice in two spellings. */
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:OTHER]\nroles = legal Legal\n"),
	    "system:OTHER:roles: role 'Legal' is listed twice");
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:OTHER]\nroles = legal legal\n"),
	    "system:OTHER:roles: role 'legal' is listed twice");
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:OTHER]\n"), "system:OTHER:roles: required");
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:OTHER]\nroles =\n"),
	    "system:OTHER:roles: must list at least one role");
	refused_exact(load(LDAP_MIN "[role:Legal]\nwrite = yes\n"), "role:Legal:cases: required");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = some\n"),
	    "role:Legal:cases: must be assigned, supervised, all or none");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = ALL\n"),
	    "role:Legal:cases: must be assigned, supervised, all or none");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = all\nwrite = maybe\n"),
	    "role:Legal:write: must be yes or no");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = all\nclosed = 2\n"),
	    "role:Legal:closed: must be yes or no");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = all\nsealed = y\n"),
	    "role:Legal:sealed: must be yes or no");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = all\nbreak_glass = on\n"),
	    "role:Legal:break_glass: must be yes or no");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = all\nrelease = always\n"),
	    "role:Legal:release: must be yes or no");
	refused_exact(load(LDAP_MIN "[role:Legal]\ncases = all\nwrite =\n"),
	    "role:Legal:write: must be yes or no");
}
END_TEST

START_TEST(test_ldap_refusals)
{
	refused_exact(load("[ldap]\nbase = o=x\n"), "ldap:uri: required");
	refused_exact(load("[cache]\nttl = 5\n"), "ldap:uri: required");
	refused_exact(load("[ldap]\nuri = ldap://h/\n"), "ldap:base: required");
	refused_exact(load("[ldap]\nuri = ldap://h/\nbase =\n"), "ldap:base: must not be empty");
	refused_exact(load("[ldap]\nuri =\nbase = o=x\n"),
	    "ldap:uri: must list at least one ldap://, ldaps:// or ldapi:// URI");
	refused_exact(load("[ldap]\nuri = ldap://h/ http://h/\nbase = o=x\n"),
	    "ldap:uri: 'http://h/' is not an ldap://, ldaps:// or ldapi:// URI");
	refused_exact(load(LDAP_MIN "binddn = cn=x\n"), "ldap:bindpw_file: required when binddn is set");
	refused_exact(load(LDAP_MIN "bindpw_file = @DIR@/bindpw\n"), "ldap:bindpw_file: set without binddn");
	refused_exact(load(LDAP_MIN "binddn = cn=x\nbindpw_file = bindpw\n"),
	    "ldap:bindpw_file: must be an absolute path");
	refused_exact(load(LDAP_MIN "user_filter = (uid=x)\n"),
	    "ldap:user_filter: must be a parenthesised filter with exactly one %s and no other %");
	refused(load(LDAP_MIN "user_filter = (|(uid=%s)(cn=%s))\n"), "ldap:user_filter: must be");
	refused(load(LDAP_MIN "user_filter = (uid=%d)\n"), "ldap:user_filter: must be");
	refused(load(LDAP_MIN "user_filter = (uid=%s%)\n"), "ldap:user_filter: must be");
	refused(load(LDAP_MIN "user_filter = uid=%s\n"), "ldap:user_filter: must be");
	refused(load(LDAP_MIN "role_group_filter = (member=%%s)\n"), "ldap:role_group_filter: must be");
	refused_exact(load(LDAP_MIN "role_attribute = ntk Role\n"),
	    "ldap:role_attribute: must be an LDAP attribute name");
	refused_exact(load(LDAP_MIN "case_attribute = 1.2.\n"),
	    "ldap:case_attribute: must be an LDAP attribute name");
	refused_exact(load(LDAP_MIN "manager_attribute = -manager\n"),
	    "ldap:manager_attribute: must be an LDAP attribute name");
	refused_exact(load(LDAP_MIN "role_group_attribute = c_n\n"),
	    "ldap:role_group_attribute: must be an LDAP attribute name");
	refused_exact(load(LDAP_MIN "role_source = groups\n"),
	    "ldap:role_source: must be attribute or group");
	refused_exact(load(LDAP_MIN "role_value = dn\n"),
	    "ldap:role_value: must be value or rdn");
	refused_exact(load(LDAP_MIN "group_nesting = 9\n"),
	    "ldap:group_nesting: must be an integer from 0 to 8");
	refused_exact(load(LDAP_MIN "group_nesting = -1\n"),
	    "ldap:group_nesting: must be an integer from 0 to 8");
	refused_exact(load(LDAP_MIN "tls = yes\n"), "ldap:tls: must be none or starttls");
	refused_exact(load(LDAP_MIN "tls_cacert = ca.pem\n"), "ldap:tls_cacert: must be an absolute path");
	refused(load(LDAP_MIN "tls_cacert = @DIR@/missing.pem\n"), "ldap:tls_cacert: cannot open ");
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	refused(load(LDAP_MIN "tls_cacert = @DIR@\n"), "ldap:tls_cacert: ");
	ck_assert_ptr_nonnull(strstr(err, "is not a regular file"));
	refused_exact(load(LDAP_MIN "supervision_depth = 11\n"),
	    "ldap:supervision_depth: must be an integer from 0 to 10");
	refused_exact(load(LDAP_MIN "timeout = 0\n"), "ldap:timeout: must be an integer from 1 to 300");
	refused_exact(load(LDAP_MIN "timeout = 301\n"), "ldap:timeout: must be an integer from 1 to 300");
}
END_TEST

#define WITH_BIND LDAP_MIN "binddn = cn=ntkd,dc=example,dc=org\nbindpw_file = @DIR@/bindpw\n"

/* bind_mech: each mechanism's keys, files guarded like the password, EXTERNAL only inside TLS. */
START_TEST(test_bind_mech)
{
	char keytab[160], cert[160], key[160];

	snprintf(keytab, sizeof(keytab), "%s/ntkd.keytab", dir);
	snprintf(cert, sizeof(cert), "%s/client.pem", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);
	write_file(keytab, "\x05\x02", 0600);
	write_file(cert, "-----BEGIN CERTIFICATE-----\n", 0644);
	write_file(key, "-----BEGIN PRIVATE KEY-----\n", 0600);

	ck_assert_int_eq(load(LDAP_MIN "bind_mech = GSSAPI\nkrb5_keytab = @DIR@/ntkd.keytab\n"
	    "krb5_principal = ntkd/host@NTK.TEST\n"), 0);
	ck_assert_int_eq(cfg.bind_mech, NTK_BIND_GSSAPI);
	ck_assert_str_eq(cfg.krb5_principal, "ntkd/host@NTK.TEST");
	ntk_config_clear(&cfg);
	refused_exact(load(LDAP_MIN "bind_mech = kerberos\n"),
	    "ldap:bind_mech: must be simple, GSSAPI or EXTERNAL");
	refused_exact(load(LDAP_MIN "bind_mech = GSSAPI\n"),
	    "ldap:krb5_keytab: required with bind_mech = GSSAPI");
	refused_exact(load(LDAP_MIN "krb5_keytab = @DIR@/ntkd.keytab\n"),
	    "ldap:krb5_keytab: only with bind_mech = GSSAPI");
	refused_exact(load(LDAP_MIN "bind_mech = GSSAPI\nkrb5_keytab = @DIR@/ntkd.keytab\n"
	    "krb5_principal = ntkd\n"), "ldap:krb5_principal: must name the realm (name@REALM)");
	refused_exact(load(WITH_BIND "bind_mech = GSSAPI\nkrb5_keytab = @DIR@/ntkd.keytab\n"),
	    "ldap:binddn: not used with bind_mech = GSSAPI (the identity comes from krb5_keytab)");
	/* A keytab others can read is a password others can read. */
	write_file(keytab, "\x05\x02", 0644);
	ck_assert_int_eq(load(LDAP_MIN "bind_mech = GSSAPI\nkrb5_keytab = @DIR@/ntkd.keytab\n"),
	    NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "ldap:krb5_keytab:"));
	ck_assert_ptr_nonnull(strstr(err, "readable or writable by group or others (mode 0644)"));

	ck_assert_int_eq(load(LDAP_MIN "tls = starttls\nbind_mech = EXTERNAL\n"
	    "tls_cert = @DIR@/client.pem\ntls_key = @DIR@/client.key\n"), 0);
	ck_assert_int_eq(cfg.bind_mech, NTK_BIND_EXTERNAL);
	ntk_config_clear(&cfg);
	refused_exact(load(LDAP_MIN "bind_mech = EXTERNAL\ntls_cert = @DIR@/client.pem\n"
	    "tls_key = @DIR@/client.key\n"), "ldap:bind_mech: EXTERNAL needs TLS: use tls = "
	    "starttls or ldaps:// for 'ldap://127.0.0.1:38900/'");
	refused_exact(load(LDAP_MIN "tls = starttls\nbind_mech = EXTERNAL\ntls_cert = @DIR@/client.pem\n"),
	    "ldap:tls_key: required with bind_mech = EXTERNAL");
	refused_exact(load(LDAP_MIN "tls_cert = @DIR@/client.pem\n"),
	    "ldap:tls_cert: only with bind_mech = EXTERNAL");
	write_file(key, "-----BEGIN PRIVATE KEY-----\n", 0640);
	ck_assert_int_eq(load(LDAP_MIN "tls = starttls\nbind_mech = EXTERNAL\n"
	    "tls_cert = @DIR@/client.pem\ntls_key = @DIR@/client.key\n"), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "ldap:tls_key:"));
	unlink(keytab);
	unlink(cert);
	unlink(key);
	/* A CA file others may write is a trust anchor others choose. */
	write_file(cacert, "-----BEGIN CERTIFICATE-----\n", 0666);
	ck_assert_int_eq(load(LDAP_MIN "tls_cacert = @DIR@/ca.pem\n"), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "ldap:tls_cacert:"));
	ck_assert_ptr_nonnull(strstr(err, "writable by group or others (mode 0666)"));
}
END_TEST

START_TEST(test_bindpw)
{
	char want[512];

	ck_assert_int_eq(load(WITH_BIND), 0);
	ck_assert_str_eq(cfg.bindpw, "s3cret");
	ntk_config_clear(&cfg);

	write_file(pwfile, "no newline", 0400);
	ck_assert_int_eq(load(WITH_BIND), 0);
	ck_assert_str_eq(cfg.bindpw, "no newline");
	ntk_config_clear(&cfg);

	write_file(pwfile, "crlf\r\n", 0600);
	ck_assert_int_eq(load(WITH_BIND), 0);
	ck_assert_str_eq(cfg.bindpw, "crlf");
	ntk_config_clear(&cfg);

	write_file(pwfile, "s3cret\n", 0644);
	snprintf(want, sizeof(want), "ldap:bindpw_file: %s is accessible by group or others "
	    "(mode 0644); it must be 0600 or 0400", pwfile);
	refused_exact(load(WITH_BIND), want);

	write_file(pwfile, "s3cret\n", 0604);
	refused(load(WITH_BIND), "ldap:bindpw_file: ");
	ck_assert_ptr_nonnull(strstr(err, "(mode 0604)"));
	write_file(pwfile, "s3cret\n", 0640);
	refused(load(WITH_BIND), "ldap:bindpw_file: ");
	ck_assert_ptr_nonnull(strstr(err, "(mode 0640)"));
	write_file(pwfile, "s3cret\n", 0620);
	refused(load(WITH_BIND), "ldap:bindpw_file: ");

	write_file(pwfile, "", 0600);
	snprintf(want, sizeof(want), "ldap:bindpw_file: %s is empty", pwfile);
	refused_exact(load(WITH_BIND), want);
	write_file(pwfile, "\n", 0600);
	refused_exact(load(WITH_BIND), want);

	write_file(pwfile, "one\ntwo\n", 0600);
	snprintf(want, sizeof(want), "ldap:bindpw_file: %s holds a NUL byte or more than one line",
	    pwfile);
	refused_exact(load(WITH_BIND), want);

	unlink(pwfile);
	snprintf(want, sizeof(want), "ldap:bindpw_file: cannot open %s: No such file or directory",
	    pwfile);
	refused_exact(load(WITH_BIND), want);

	ck_assert_int_eq(mkdir(pwfile, 0700), 0);
	snprintf(want, sizeof(want), "ldap:bindpw_file: %s is not a regular file", pwfile);
	refused_exact(load(WITH_BIND), want);
}
END_TEST

/* tls = none is refused with an ldap:// URI to anything but loopback. */
START_TEST(test_tls_plaintext)
{
	static const char *const refused_uris[] = { "ldap://ldap.example.org/",
		"ldap://10.0.0.1:389/", "ldap://128.0.0.1/", "ldap:///", "ldap://[::2]/",
		"ldap://127.1/", "ldap://localhost.evil.example/", "LDAP://Host/" };
	static const char *const fine_uris[] = { "ldap://127.0.0.1:38900/", "ldap://127.9.8.7",
		"ldap://localhost/", "ldap://LOCALHOST:389", "ldap://[::1]:389/", "ldaps://ldap.example.org/",
		"ldapi://%2Frun%2Fslapd%2Fldapi" };
	char text[512], want[512];
	size_t i;

	for (i = 0; i < sizeof(refused_uris) / sizeof(refused_uris[0]); i++) {
		snprintf(text, sizeof(text), "[ldap]\nuri = ldaps://ok.example.org/ %s\nbase = o=x\n",
		    refused_uris[i]);
		snprintf(want, sizeof(want), "ldap:tls: none sends '%s' plain text over the network: "
		    "use tls = starttls, or an ldaps:// URI (plain ldap:// only to localhost, "
		    "127.0.0.0/8 or [::1])", refused_uris[i]);
		refused_exact(load(text), want);
		/* The same URI with StartTLS is fine. */
		snprintf(text, sizeof(text), "[ldap]\nuri = %s\nbase = o=x\ntls = starttls\n",
		    refused_uris[i]);
		ck_assert_msg(load(text) == 0, "%s with starttls refused: %s", refused_uris[i], err);
		ntk_config_clear(&cfg);
	}
	for (i = 0; i < sizeof(fine_uris) / sizeof(fine_uris[0]); i++) {
		snprintf(text, sizeof(text), "[ldap]\nuri = %s\nbase = o=x\n", fine_uris[i]);
		ck_assert_msg(load(text) == 0, "%s refused: %s", fine_uris[i], err);
		ck_assert_int_eq(cfg.tls, NTK_TLS_NONE);
		ntk_config_clear(&cfg);
	}
	/* A comma would make libldap read a second, unchecked URI. */
	refused_exact(load("[ldap]\nuri = ldaps://a.example/,ldap://b.example/\nbase = o=x\n"),
	    "ldap:uri: 'ldaps://a.example/,ldap://b.example/' is not an ldap://, ldaps:// or "
	    "ldapi:// URI (no ',': separate URIs by blanks)");
}
END_TEST

/* bindpw_file owned by someone other than root or the loader's uid is refused. */
START_TEST(test_bindpw_owner)
{
	char want[512];
	uid_t other = geteuid() == 65534 ? 65533 : 65534;

	if (geteuid() != 0) {
		/* Only root can hand a file to another uid; CI runs as root. */
		fprintf(stderr, "check_config: not root, bindpw_file owner test not run\n");
		return;
	}
	ck_assert_int_eq(chown(pwfile, other, 0), 0);
	snprintf(want, sizeof(want), "ldap:bindpw_file: %s is owned by uid %u; it must be owned by "
	    "root or by uid 0, which runs ntkd", pwfile, (unsigned)other);
	refused_exact(load(WITH_BIND), want);
	ck_assert_int_eq(chown(pwfile, 0, 0), 0);
	ck_assert_int_eq(load(WITH_BIND), 0);
}
END_TEST

START_TEST(test_new_ldap_keys)
{
	refused_exact(load(LDAP_MIN "name_attribute = u id\n"),
	    "ldap:name_attribute: must be an LDAP attribute name");
	refused_exact(load(LDAP_MIN "name_attribute =\n"), "ldap:name_attribute: must not be empty");
	refused_exact(load(LDAP_MIN "staff_filter = objectClass=person\n"),
	    "ldap:staff_filter: must be one parenthesised filter without %");
	refused(load(LDAP_MIN "staff_filter = (uid=%s)\n"), "ldap:staff_filter: must be");
	refused(load(LDAP_MIN "staff_filter = (a=1)(b=2)\n"), "ldap:staff_filter: must be");
	refused(load(LDAP_MIN "staff_filter = (a=1))(|(b=2)\n"), "ldap:staff_filter: must be");
	refused(load(LDAP_MIN "staff_filter = ((a=1)\n"), "ldap:staff_filter: must be");
	ck_assert_int_eq(load(LDAP_MIN "name_attribute = 0.9.2342.19200300.100.1.1\n"
	    "staff_filter = (&(objectClass=inetOrgPerson)(!(description=disabled)))\n"), 0);
	ck_assert_str_eq(cfg.name_attribute, "0.9.2342.19200300.100.1.1");
	ck_assert_str_eq(cfg.staff_filter, "(&(objectClass=inetOrgPerson)(!(description=disabled)))");
}
END_TEST

START_TEST(test_bindpw_too_long)
{
	char big[5000];
	char want[512];

	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(pwfile, big, 0600);
	snprintf(want, sizeof(want), "ldap:bindpw_file: %s is longer than 4096 bytes", pwfile);
	refused_exact(load(WITH_BIND), want);
	big[4096] = '\0';
	write_file(pwfile, big, 0600);
	ck_assert_int_eq(load(WITH_BIND), 0);
	ck_assert_uint_eq(strlen(cfg.bindpw), 4096);
}
END_TEST

/* Values that must never pass as an integer. */
static const char *const bad_ints[] = {
	"010", "00", "-1", "+5", "0x10", "5s", "1e3", "5.0", "99999999999999999999999",
	"18446744073709551616", "86401", "\"\"",
};

START_TEST(test_bad_integers)
{
	char text[256];

	snprintf(text, sizeof(text), LDAP_MIN "[cache]\nttl = %s\n", bad_ints[_i]);
	refused_exact(load(text), "cache:ttl: must be an integer from 0 to 86400");
}
END_TEST

START_TEST(test_integer_ranges)
{
	ck_assert_int_eq(load(LDAP_MIN "[cache]\nttl = 86400\n"), 0);
	ck_assert_uint_eq(cfg.cache_ttl, 86400);
	ntk_config_clear(&cfg);
	refused_exact(load(LDAP_MIN "[cache]\nnegative_ttl = 86401\n"),
	    "cache:negative_ttl: must be an integer from 0 to 86400");
	refused_exact(load(LDAP_MIN "[cache]\noffline_grace = 604801\n"),
	    "cache:offline_grace: must be an integer from 0 to 604800");
	refused_exact(load(LDAP_MIN "[daemon]\nthreads = 0\n"),
	    "daemon:threads: must be an integer from 1 to 64");
	refused_exact(load(LDAP_MIN "[daemon]\nthreads = 65\n"),
	    "daemon:threads: must be an integer from 1 to 64");
	refused_exact(load(LDAP_MIN "[audit]\nbreak_glass_minutes = 0\n"),
	    "audit:break_glass_minutes: must be an integer from 1 to 1440");
	refused_exact(load(LDAP_MIN "[audit]\nbreak_glass_minutes = 1441\n"),
	    "audit:break_glass_minutes: must be an integer from 1 to 1440");
	refused_exact(load(LDAP_MIN "[audit]\nqueue = 15\n"),
	    "audit:queue: must be an integer from 16 to 65536");
	refused_exact(load(LDAP_MIN "[audit]\nqueue = 65537\n"),
	    "audit:queue: must be an integer from 16 to 65536");
	refused_exact(load(LDAP_MIN "[audit]\nbrowsing_threshold = 10001\n"),
	    "audit:browsing_threshold: must be an integer from 1 to 10000");
	refused_exact(load(LDAP_MIN "[audit]\nallows = sometimes\n"), "audit:allows: must be yes or no");
	refused_exact(load(LDAP_MIN "[audit]\nauditd_pid_file = run/auditd.pid\n"),
	    "audit:auditd_pid_file: must be an absolute path or none");
	refused_exact(load(LDAP_MIN "[audit]\nauditd_pid_file =\n"),
	    "audit:auditd_pid_file: must not be empty");
	refused_exact(load(LDAP_MIN "[audit]\nauditd_log_file = audit.log\n"),
	    "audit:auditd_log_file: must be an absolute path");
	refused_exact(load(LDAP_MIN "[audit]\nconfirm_ms = 9\n"),
	    "audit:confirm_ms: must be an integer from 10 to 60000");
	refused_exact(load(LDAP_MIN "[audit]\nbudget = 1000001\n"),
	    "audit:budget: must be an integer from 0 to 1000000");
	refused_exact(load(LDAP_MIN "[audit]\nbudget_interval = 0\n"),
	    "audit:budget_interval: must be an integer from 1 to 86400");
	refused_exact(load(LDAP_MIN "[nss]\nenumerate = nope\n"), "nss:enumerate: must be yes or no");
}
END_TEST

START_TEST(test_daemon_refusals)
{
	char text[512], path[200];

	refused_exact(load(LDAP_MIN "[daemon]\nsocket = run/ntkd.sock\n"),
	    "daemon:socket: must be an absolute path");
	/* sun_path holds 108 bytes with the NUL: 107 characters fit, 108 do not. */
	memset(path, 'x', sizeof(path));
	path[0] = '/';
	path[107] = '\0';
	snprintf(text, sizeof(text), LDAP_MIN "[daemon]\nsocket = %s\n", path);
	ck_assert_int_eq(load(text), 0);
	ck_assert_uint_eq(strlen(cfg.socket), 107);
	ntk_config_clear(&cfg);
	path[107] = 'x';
	path[108] = '\0';
	snprintf(text, sizeof(text), LDAP_MIN "[daemon]\nsocket = %s\n", path);
	refused_exact(load(text), "daemon:socket: must be shorter than 108 bytes");
	refused_exact(load(LDAP_MIN "[daemon]\ntrusted_peers = postgres pg/sql\n"),
	    "daemon:trusted_peers: 'pg/sql' is not a user name (1 to 64 of [A-Za-z0-9._-])");
	ck_assert_int_eq(load(LDAP_MIN "[daemon]\ntrusted_peers =\n"), 0);
	ck_assert_uint_eq(cfg.ntrusted_peers, 0);
}
END_TEST

/* The per-uid limits that keep one user from taking ntkd from the others. */
START_TEST(test_daemon_limits)
{
	ck_assert_int_eq(load(LDAP_MIN), 0);
	ck_assert_uint_eq(cfg.max_connections_per_uid, 64);
	ck_assert_uint_eq(cfg.untrusted_idle, 60);
	ck_assert_uint_eq(cfg.untrusted_rate, 1000);
	ntk_config_clear(&cfg);
	ck_assert_int_eq(load(LDAP_MIN "[daemon]\nmax_connections_per_uid = 1024\n"
	    "untrusted_idle = 86400\nuntrusted_rate = 1000000\n"), 0);
	ck_assert_uint_eq(cfg.max_connections_per_uid, 1024);
	ck_assert_uint_eq(cfg.untrusted_idle, 86400);
	ck_assert_uint_eq(cfg.untrusted_rate, 1000000);
	ntk_config_clear(&cfg);
	refused_exact(load(LDAP_MIN "[daemon]\nmax_connections_per_uid = 0\n"),
	    "daemon:max_connections_per_uid: must be an integer from 1 to 1024");
	refused_exact(load(LDAP_MIN "[daemon]\nmax_connections_per_uid = 1025\n"),
	    "daemon:max_connections_per_uid: must be an integer from 1 to 1024");
	refused_exact(load(LDAP_MIN "[daemon]\nuntrusted_idle = 0\n"),
	    "daemon:untrusted_idle: must be an integer from 1 to 86400");
	refused_exact(load(LDAP_MIN "[daemon]\nuntrusted_rate = 1000001\n"),
	    "daemon:untrusted_rate: must be an integer from 1 to 1000000");
}
END_TEST

START_TEST(test_nss_refusals)
{
	refused_exact(load(LDAP_MIN "[nss]\nvisibility = some\n"), "nss:visibility: must be member or all");
	refused_exact(load(LDAP_MIN "[nss]\ncase_gid_min = 1000\n"),
	    "nss:case_gid_min: must be an integer from 1001 to 4294967294");
	refused_exact(load(LDAP_MIN "[nss]\ncase_gid_max = 4294967295\n"),
	    "nss:case_gid_max: must be an integer from 1001 to 4294967294");
	refused_exact(load(LDAP_MIN "[nss]\nrole_gid_min = 0100000\n"),
	    "nss:role_gid_min: must be an integer from 1001 to 4294967294");
	refused_exact(load(LDAP_MIN "[nss]\ncase_gid_min = 5000\ncase_gid_max = 4999\n"),
	    "nss:case_gid_max: must not be below case_gid_min (5000)");
	refused_exact(load(LDAP_MIN "[nss]\nsystem_gid_min = 250000\n"),
	    "nss:system_gid_min: range 250000-250000 overlaps the case range 200000-299999");
	refused_exact(load(LDAP_MIN "[nss]\nrole_gid_min = 299999\n"),
	    "nss:role_gid_min: range 299999-299999 overlaps the case range 200000-299999");
	/* The system range grows with the number of systems. */
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:B]\nroles = legal\n"
	    "[nss]\nsystem_gid_min = 190999\n"),
	    "nss:role_gid_min: range 191000-191000 overlaps the system range 190999-191000");
	ck_assert_int_eq(load(LDAP_MIN ROLES_MIN "[nss]\nsystem_gid_min = 190999\n"), 0);
	ntk_config_clear(&cfg);
	refused_exact(load(LDAP_MIN ROLES_MIN "[system:B]\nroles = legal\n"
	    "[nss]\nsystem_gid_min = 4294967294\n"),
	    "nss:system_gid_min: range 4294967294-4294967295 runs past 4294967294");
	ck_assert_int_eq(load(LDAP_MIN "[nss]\ncase_gid_min = 1001\ncase_gid_max = 1001\n"
	    "system_gid_min = 4294967294\nrole_gid_min = 4294967293\n"), 0);
	ck_assert_uint_eq(cfg.system_gid_min, 4294967294U);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("ntk_config");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_sample);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_syntax_niceties);
	tcase_add_test(tc, test_repeated_fixed_section);
	tcase_add_test(tc, test_shipped_sample);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_syntax_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_structure_refusals);
	tcase_add_test(tc, test_policy_refusals);
	tcase_add_test(tc, test_ldap_refusals);
	tcase_add_test(tc, test_bindpw);
	tcase_add_test(tc, test_bind_mech);
	tcase_add_test(tc, test_bindpw_too_long);
	tcase_add_test(tc, test_bindpw_owner);
	tcase_add_test(tc, test_tls_plaintext);
	tcase_add_test(tc, test_new_ldap_keys);
	tcase_add_loop_test(tc, test_bad_integers, 0, (int)(sizeof(bad_ints) / sizeof(bad_ints[0])));
	tcase_add_test(tc, test_integer_ranges);
	tcase_add_test(tc, test_daemon_refusals);
	tcase_add_test(tc, test_deny_message);
	tcase_add_test(tc, test_daemon_limits);
	tcase_add_test(tc, test_nss_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
