/* Check suite for ntkd's internal pieces: cache, grants, group names, audit record formats. */
#include "config.h"

#include <check.h>
#include <libaudit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "cache.h"
#include "grants.h"
#include "ntk_err.h"
#include "groups.h"
#include "ntkd.h"
#include "peer.h"

/* ---- cache ---------------------------------------------------------------- */

static int destroyed;

struct val {
	struct ntkd_cached base;
	int n;
};

static void
val_destroy(struct ntkd_cached *v)
{
	destroyed++;
	free(v);
}

static struct ntkd_cached *
val_new(int n)
{
	struct val *v = calloc(1, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	ntkd_cached_init(&v->base, 100, val_destroy);
	v->n = n;
	return &v->base;
}

START_TEST(cache_put_get_replace_evict)
{
	struct ntkd_cache *c;
	struct ntkd_cached *v, *got;
	size_t entries;
	unsigned long hits, misses;

	destroyed = 0;
	ck_assert_int_eq(ntkd_cache_new(2, &c), 0);
	v = val_new(1);
	ck_assert_int_eq(ntkd_cache_put(c, "alice", v), 0);
	ntkd_cached_unref(v);
	got = ntkd_cache_get(c, "alice");
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(((struct val *)got)->n, 1);
	ntkd_cached_unref(got);
	ck_assert_ptr_null(ntkd_cache_get(c, "bob"));

	/* Replacing frees the old value once nobody holds it. */
	got = ntkd_cache_get(c, "alice");
	v = val_new(2);
	ntkd_cache_put(c, "alice", v);
	ntkd_cached_unref(v);
	ck_assert_int_eq(destroyed, 0);     /* still held by `got` */
	ntkd_cached_unref(got);
	ck_assert_int_eq(destroyed, 1);

	/* Beyond max the oldest insert goes. */
	v = val_new(3);
	ntkd_cache_put(c, "bob", v);
	ntkd_cached_unref(v);
	v = val_new(4);
	ntkd_cache_put(c, "carol", v);
	ntkd_cached_unref(v);
	ck_assert_ptr_null(ntkd_cache_get(c, "alice"));
	ck_assert_int_eq(destroyed, 2);
	ntkd_cache_count(c, true);
	ntkd_cache_count(c, false);
	ntkd_cache_stats(c, &entries, &hits, &misses);
	ck_assert_uint_eq(entries, 2);
	ck_assert_uint_eq(hits, 1);
	ck_assert_uint_eq(misses, 1);

	ck_assert_uint_eq(ntkd_cache_drop(c, "nobody"), 0);
	ck_assert_uint_eq(ntkd_cache_drop(c, "bob"), 1);
	ck_assert_uint_eq(ntkd_cache_drop(c, NULL), 1);
	ck_assert_int_eq(destroyed, 4);
	ntkd_cache_free(c);
	ntkd_cache_free(NULL);
}
END_TEST

/* ---- grants --------------------------------------------------------------- */

START_TEST(grants_expire_and_replace)
{
	struct ntkd_grants *g;
	struct ntk_grant *v;
	size_t n;

	ck_assert_int_eq(ntkd_grants_new(&g), 0);
	ck_assert_int_eq(ntkd_grants_for(g, "oscar", 0, &v, &n), 0);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "FACTS", "1001", 1000), 0);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "FACTS", "1002", 2000), 0);
	ck_assert_int_eq(ntkd_grants_add(g, "alice", "FACTS", "1001", 2000), 0);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "FACTS", "1001", 3000), 0);   /* extends */
	ck_assert_int_eq(ntkd_grants_for(g, "oscar", 2500, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].case_id, "1001");
	ck_assert_str_eq(v[0].system, "FACTS");
	ck_assert_int_eq(v[0].expires, 3000);
	free(v);
	ck_assert_uint_eq(ntkd_grants_active(g, 2500), 1);
	ck_assert_uint_eq(ntkd_grants_active(g, 3000), 0);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "FACTS",
	    "0123456789012345678901234567890123456789012345678901234567890123456789", 1), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "", "1001", 1), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "FACTS", "", 1), NTK_ERR_BAD_VALUE);
	ntkd_grants_free(g);
}
END_TEST

/* A grant is stored per (user, system, case): one system's grant never extends or stands for another's. */
START_TEST(grants_per_system)
{
	struct ntkd_grants *g;
	struct ntk_grant *v;
	size_t n, i;
	int facts = 0, courts = 0;

	ck_assert_int_eq(ntkd_grants_new(&g), 0);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "FACTS", "1001", 1000), 0);
	ck_assert_int_eq(ntkd_grants_add(g, "oscar", "COURTS", "1001", 3000), 0);
	ck_assert_uint_eq(ntkd_grants_active(g, 0), 2);
	ck_assert_int_eq(ntkd_grants_for(g, "oscar", 0, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(v[i].case_id, "1001");
		if (strcmp(v[i].system, "FACTS") == 0 && v[i].expires == 1000)
			facts++;
		else if (strcmp(v[i].system, "COURTS") == 0 && v[i].expires == 3000)
			courts++;
	}
	ck_assert_int_eq(facts, 1);
	ck_assert_int_eq(courts, 1);
	free(v);
	/* FACTS's grant expired; COURTS's, added later, did not extend it. */
	ck_assert_int_eq(ntkd_grants_for(g, "oscar", 2000, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].system, "COURTS");
	free(v);
	ntkd_grants_free(g);
}
END_TEST

/* ---- group names and gids ------------------------------------------------- */

static struct ntk_config cfg;
static struct ntk_role roles[3] = { { .name = "social_worker" }, { .name = "supervisor" }, { .name = "legal" } };
static size_t facts_roles[] = { 0, 1, 2 }, courts_roles[] = { 2 };
static struct ntk_system systems[2] = {
	{ .name = "FACTS", .role_idx = facts_roles, .nroles = 3 },
	{ .name = "COURTS", .role_idx = courts_roles, .nroles = 1 },
};

static void
cfg_setup(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.policy.roles = roles;
	cfg.policy.nroles = 3;
	cfg.policy.systems = systems;
	cfg.policy.nsystems = 2;
	cfg.system_gid_min = 190000;
	cfg.role_gid_min = 191000;
	cfg.case_gid_min = 200000;
	cfg.case_gid_max = 299999;
}

START_TEST(group_names_and_gids)
{
	struct ntkd_group_id id;

	cfg_setup();
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-sys-COURTS", &id), 0);
	ck_assert_uint_eq(id.gid, 190001);
	ck_assert_int_eq(id.kind, NTKD_GROUP_SYSTEM);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-role-legal", &id), 0);
	ck_assert_uint_eq(id.gid, 191002);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-1001", &id), 0);
	ck_assert_uint_eq(id.gid, 201001);
	ck_assert_str_eq(id.case_id, "1001");
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-0", &id), 0);
	ck_assert_uint_eq(id.gid, 200000);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-99999", &id), 0);
	ck_assert_uint_eq(id.gid, 299999);
	ck_assert_str_eq(id.name, "ntk-case-99999");

	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-100000", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-01001", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-+1", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-1a", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-case-99999999999", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-sys-facts", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "ntk-role-", &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_name(&cfg, "wheel", &id), NTK_ERR_NOT_FOUND);

	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 190000, &id), 0);
	ck_assert_str_eq(id.name, "ntk-sys-FACTS");
	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 191001, &id), 0);
	ck_assert_str_eq(id.name, "ntk-role-supervisor");
	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 201001, &id), 0);
	ck_assert_str_eq(id.name, "ntk-case-1001");
	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 190002, &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 191003, &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 300000, &id), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntkd_group_by_gid(&cfg, 0, &id), NTK_ERR_NOT_FOUND);
}
END_TEST

/* ---- audit records -------------------------------------------------------- */

static struct ntkd_peer peer = { .uid = 0, .pid = 42, .exe = "/usr/bin/postgres" };

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

START_TEST(audit_hostile_values_stay_encoded)
{
	struct ntkd_audit_decision dec = {
		.user = "evil\" acct=root res=success", .system = "FACTS", .action = NTK_ACTION_READ,
		.case_id = "1001 x=1", .state = NTK_STATE_SEALED, .verdict = "DENY reason=unknown-user",
	};
	struct ntkd_audit_rec *rec = NULL;

	ck_assert_int_eq(ntkd_audit_rec_decision(&dec, &peer, &rec), 0);
	ck_assert_int_eq(rec->type, AUDIT_TRUSTED_APP);
	ck_assert_int_eq(rec->result, 0);
	ck_assert_uint_eq(count(rec->msg, " acct="), 1);
	ck_assert_ptr_null(strstr(rec->msg, "acct=root"));
	ck_assert_ptr_null(strstr(rec->msg, "res="));
	ck_assert_ptr_null(strstr(rec->msg, " x=1"));
	ck_assert_ptr_nonnull(strstr(rec->msg, "op=ntk-case acct=6576696C"));
	ck_assert_ptr_nonnull(strstr(rec->msg, "access=read state=sealed reason=unknown-user peer_exe=\"/usr/bin/postgres\" peer_pid=42 peer_uid=0"));
	ntkd_audit_rec_free(rec);
}
END_TEST

START_TEST(audit_login_host_and_tty)
{
	struct ntkd_audit_decision dec = {
		.user = "alice", .system = "FACTS", .action = NTK_ACTION_LOGIN, .case_id = "",
		.verdict = "ALLOW rule=system-access", .allowed = true,
		.rhost = "evil host res=success", .tty = "pts/1",
	};
	struct ntkd_audit_rec *rec = NULL;

	ck_assert_int_eq(ntkd_audit_rec_decision(&dec, &peer, &rec), 0);
	ck_assert_int_eq(rec->type, AUDIT_USER_ACCT);
	ck_assert_int_eq(rec->result, 1);
	ck_assert_str_eq(rec->msg, "op=ntk-login acct=\"alice\" system=\"FACTS\" rule=system-access "
	    "peer_exe=\"/usr/bin/postgres\" peer_pid=42 peer_uid=0");
	ck_assert_str_eq(rec->host, "evil?host?res?success");
	ck_assert_ptr_null(rec->addr);     /* not numeric: no DNS, libaudit gets "?" */
	ck_assert_str_eq(rec->tty, "pts/1");
	ntkd_audit_rec_free(rec);

	dec.rhost = "192.0.2.7";
	dec.tty = "";
	ck_assert_int_eq(ntkd_audit_rec_decision(&dec, &peer, &rec), 0);
	ck_assert_str_eq(rec->addr, "192.0.2.7");
	ck_assert_ptr_null(rec->tty);
	ntkd_audit_rec_free(rec);
}
END_TEST

/* A release is a case record with access=release, allowed ones a success. */
START_TEST(audit_release)
{
	struct ntkd_audit_decision dec = {
		.user = "erin", .system = "FACTS", .action = NTK_ACTION_RELEASE, .case_id = "1001",
		.state = NTK_STATE_SEALED, .verdict = "ALLOW rule=role:legal", .allowed = true,
	};
	struct ntkd_audit_rec *rec = NULL;

	ck_assert_int_eq(ntkd_audit_rec_decision(&dec, &peer, &rec), 0);
	ck_assert_int_eq(rec->type, AUDIT_TRUSTED_APP);
	ck_assert_int_eq(rec->result, 1);
	ck_assert_str_eq(rec->msg, "op=ntk-case acct=\"erin\" system=\"FACTS\" case=\"1001\" "
	    "access=release state=sealed rule=role:legal "
	    "peer_exe=\"/usr/bin/postgres\" peer_pid=42 peer_uid=0");
	ntkd_audit_rec_free(rec);
}
END_TEST

START_TEST(audit_break_glass_and_statement)
{
	struct ntkd_audit_decision dec = {
		.user = "oscar", .system = "FACTS", .action = NTK_ACTION_WRITE, .case_id = "1001",
		.state = NTK_STATE_OPEN, .verdict = "DENY reason=no-business-reason",
	};
	char *cases[] = { "1001", "1002", "A-3" };
	struct ntkd_audit_rec *rec = NULL;

	/* A value with a space is hex-encoded, as ausearch -i expects. */
	ck_assert_int_eq(ntkd_audit_rec_break_glass(&dec, "child at risk", 60, &peer, &rec), 0);
	ck_assert_int_eq(rec->result, 1);
	ck_assert_str_eq(rec->msg, "op=ntk-break-glass acct=\"oscar\" system=\"FACTS\" case=\"1001\" "
	    "access=write state=open rule=break-glass justification=6368696C64206174207269736B minutes=60 "
	    "peer_exe=\"/usr/bin/postgres\" peer_pid=42 peer_uid=0");
	ntkd_audit_rec_free(rec);

	ck_assert_int_eq(ntkd_audit_rec_statement("alice", "FACTS", NTK_ACTION_READ,
	    NTK_DENY_NO_BUSINESS_REASON, 7, cases, 3, "q 1", &peer, &rec), 0);
	ck_assert_int_eq(rec->result, 0);
	ck_assert_str_eq(rec->msg, "op=ntk-statement acct=\"alice\" system=\"FACTS\" access=read "
	    "reason=no-business-reason rows=7 cases=\"1001,1002,A-3\" query=712031 "
	    "peer_exe=\"/usr/bin/postgres\" peer_pid=42 peer_uid=0");
	ntkd_audit_rec_free(rec);

	/* The allowed rows of a release statement: a success with rule=. */
	ck_assert_int_eq(ntkd_audit_rec_statement("erin", "FACTS", NTK_ACTION_RELEASE,
	    NTK_ALLOW_ROLE, 2, cases, 2, "q2", &peer, &rec), 0);
	ck_assert_int_eq(rec->result, 1);
	ck_assert_str_eq(rec->msg, "op=ntk-statement acct=\"erin\" system=\"FACTS\" access=release "
	    "rule=role rows=2 cases=\"1001,1002\" query=\"q2\" "
	    "peer_exe=\"/usr/bin/postgres\" peer_pid=42 peer_uid=0");
	ntkd_audit_rec_free(rec);
}
END_TEST

START_TEST(sanitize_for_logs)
{
	char out[64];

	ntkd_sanitize("a\nb\\c\x7f", out, sizeof(out));
	ck_assert_str_eq(out, "a\\x0ab\\x5cc\\x7f");
	ntkd_sanitize("0123456789012345678901234567890123456789012345678901234567890123456789", out, sizeof(out));
	ck_assert_uint_lt(strlen(out), sizeof(out));
}
END_TEST

/* ---- auditd watch ----------------------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(auditd_running_from_pid_file)
{
	char dir[] = "/tmp/ntk-auditd-watch-XXXXXX", path[64], pid[32];
	int ready[2];
	pid_t child;
	char c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/auditd.pid", dir);
	ck_assert(!ntkd_auditd_running(path));          /* no pid file */
	write_file(path, "");
	ck_assert(!ntkd_auditd_running(path));
	write_file(path, "not a pid\n");
	ck_assert(!ntkd_auditd_running(path));
	write_file(path, "0\n");
	ck_assert(!ntkd_auditd_running(path));
	write_file(path, "-1\n");
	ck_assert(!ntkd_auditd_running(path));
	write_file(path, "99999999999999999999\n");
	ck_assert(!ntkd_auditd_running(path));
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid()); /* alive, but not auditd */
	write_file(path, pid);
	ck_assert(!ntkd_auditd_running(path));

	/* A live process named auditd, then the same pid once it is gone. */
	ck_assert_int_eq(pipe(ready), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "auditd", 0, 0, 0);
		(void)write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	snprintf(pid, sizeof(pid), "%ld\n", (long)child);
	write_file(path, pid);
	ck_assert(ntkd_auditd_running(path));
	snprintf(pid, sizeof(pid), "%ld", (long)child);     /* no newline */
	write_file(path, pid);
	ck_assert(ntkd_auditd_running(path));
	ck_assert_int_eq(kill(child, SIGKILL), 0);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	ck_assert(!ntkd_auditd_running(path));
	close(ready[0]);
	close(ready[1]);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ntkd");
	TCase *tc = tcase_create("units");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, cache_put_get_replace_evict);
	tcase_add_test(tc, grants_expire_and_replace);
	tcase_add_test(tc, grants_per_system);
	tcase_add_test(tc, group_names_and_gids);
	tcase_add_test(tc, audit_hostile_values_stay_encoded);
	tcase_add_test(tc, audit_login_host_and_tty);
	tcase_add_test(tc, audit_release);
	tcase_add_test(tc, audit_break_glass_and_statement);
	tcase_add_test(tc, sanitize_for_logs);
	tcase_add_test(tc, auditd_running_from_pid_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
