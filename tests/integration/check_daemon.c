/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_budget.h"
#include "cache.h"
#include "grants.h"
#include "local_day.h"
#include "ntk_err.h"
#include "ntk_escape.h"
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

/* `until=` days are local: one instant is three different dates in three zones. */
START_TEST(local_day_follows_the_zone)
{
	const int64_t t = 1781500000;   /* 2026-06-15 05:06:40 UTC */
	const int32_t jun15 = 20619;    /* days since 1970-01-01 */
	int64_t left;

	setenv("TZ", "UTC", 1);
	tzset();
	ntkd_local_day_forget();
	ck_assert_int_eq(ntkd_local_day(t, &left), jun15);
	ck_assert_int_eq(left, 86400 - (5 * 3600 + 6 * 60 + 40));
	setenv("TZ", "Pacific/Kiritimati", 1);  /* UTC+14: 19:06:40 the same day */
	tzset();
	ntkd_local_day_forget();
	ck_assert_int_eq(ntkd_local_day(t, &left), jun15);
	ck_assert_int_eq(left, 4 * 3600 + 53 * 60 + 20);
	setenv("TZ", "Pacific/Pago_Pago", 1);   /* UTC-11: 18:06:40 the day before */
	tzset();
	ntkd_local_day_forget();
	ck_assert_int_eq(ntkd_local_day(t, &left), jun15 - 1);
	ck_assert_int_eq(left, 5 * 3600 + 53 * 60 + 20);
	/* The spring-forward day in New York is 23 hours long. */
	setenv("TZ", "America/New_York", 1);
	tzset();
	ntkd_local_day_forget();
	ck_assert_int_eq(ntkd_local_day(1772953200, &left), 20520);     /* 2026-03-08 03:00 EDT */
	ck_assert_int_eq(left, 21 * 3600);
	/* The kept day is the zone's: a second instant of the same day costs no conversion. */
	ck_assert_int_eq(ntkd_local_day(1772953200 + 3600, &left), 20520);
	ck_assert_int_eq(left, 20 * 3600);
	unsetenv("TZ");
	tzset();
	ntkd_local_day_forget();
}
END_TEST

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

/* Is `key` cached? (Takes and drops a reference.) */
static bool
cached(struct ntkd_cache *c, const char *key)
{
	struct ntkd_cached *v = ntkd_cache_get(c, key);

	ntkd_cached_unref(v);
	return v != NULL;
}

static void
put_n(struct ntkd_cache *c, const char *prefix, int from, int to, uid_t owner)
{
	struct ntkd_cached *v;
	char key[32];
	int i;

	for (i = from; i < to; i++) {
		snprintf(key, sizeof(key), "%s%d", prefix, i);
		v = val_new(i);
		ck_assert_int_eq(ntkd_cache_put_for(c, key, v, owner, 0), 0);
		ntkd_cached_unref(v);
	}
}

/* A fetch that read the directory before a change was dropped must not cache what it read. */
START_TEST(cache_fetch_racing_a_drop_is_not_cached)
{
	struct ntkd_cache *c;
	struct ntkd_cached *v, *w, *got;
	uint64_t before;
	char key[32];
	int i;

	ck_assert_int_eq(ntkd_cache_new(16, &c), 0);
	/* Fetches of alice and bob begin (init takes the epoch); a change drops alice. */
	v = val_new(1);
	w = val_new(2);
	ck_assert_uint_eq(ntkd_cache_drop(c, "alice"), 0);
	ck_assert_int_eq(ntkd_cache_put(c, "alice", v), 0);
	ck_assert_ptr_null(ntkd_cache_get(c, "alice"));
	/* Another key's drop does not hold bob's answer back. */
	ck_assert_int_eq(ntkd_cache_put(c, "bob", w), 0);
	got = ntkd_cache_get(c, "bob");
	ck_assert_ptr_nonnull(got);
	ntkd_cached_unref(got);
	ntkd_cached_unref(v);
	ntkd_cached_unref(w);
	/* A fetch that began after the drop is cached. */
	v = val_new(3);
	ck_assert_int_eq(ntkd_cache_put(c, "alice", v), 0);
	ntkd_cached_unref(v);
	got = ntkd_cache_get(c, "alice");
	ck_assert_ptr_nonnull(got);
	ntkd_cached_unref(got);
	/* A value built after its answer carries the epoch read before asking. */
	before = ntkd_cache_epoch();
	ntkd_cache_drop(c, "carol");
	v = val_new(4);
	ntkd_cached_since(v, before);
	ck_assert_int_eq(ntkd_cache_put(c, "carol", v), 0);
	ntkd_cached_unref(v);
	ck_assert_ptr_null(ntkd_cache_get(c, "carol"));
	/* Dropping everything stops every fetch that began before it. */
	v = val_new(5);
	ck_assert_uint_eq(ntkd_cache_drop(c, NULL), 2);
	ck_assert_int_eq(ntkd_cache_put(c, "dave", v), 0);
	ntkd_cached_unref(v);
	ck_assert_ptr_null(ntkd_cache_get(c, "dave"));
	/* More drops than the cache remembers: assume the worst. */
	v = val_new(6);
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ntkd_cache_drop(c, key);
	}
	ck_assert_int_eq(ntkd_cache_put(c, "erin", v), 0);
	ntkd_cached_unref(v);
	ck_assert_ptr_null(ntkd_cache_get(c, "erin"));
	ntkd_cache_free(c);
}
END_TEST

START_TEST(cache_untrusted_uid_evicts_only_its_own)
{
	struct ntkd_cache *c;
	char key[32];
	size_t entries;
	unsigned long hits, misses;
	int i;

	/* 32 slots: an untrusted uid may hold a sixteenth (2), and evicts nobody else's. */
	ck_assert_int_eq(ntkd_cache_new(32, &c), 0);
	put_n(c, "shared", 0, 20, NTKD_CACHE_SHARED);
	put_n(c, "flood", 0, 1000, 65534);
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "shared%d", i);
		ck_assert_msg(cached(c, key), "%s evicted by the flood", key);
	}
	ck_assert(cached(c, "flood999") && cached(c, "flood998") && !cached(c, "flood0"));
	ntkd_cache_stats(c, &entries, &hits, &misses);
	ck_assert_uint_eq(entries, 22);

	/* Full: a uid with nothing of its own to give up caches nothing. */
	put_n(c, "shared", 20, 30, NTKD_CACHE_SHARED);
	put_n(c, "other", 0, 5, 1000);
	ck_assert(!cached(c, "other4"));
	ck_assert(cached(c, "shared0") && cached(c, "flood999"));

	/* A shared entry refreshed by an untrusted uid stays shared: its flood cannot take it. */
	put_n(c, "shared", 0, 1, 65534);
	put_n(c, "flood", 1000, 1100, 65534);
	ck_assert(cached(c, "shared0"));
	/* Nor can a uid adopt another uid's entry by refreshing it, then evict it as its own. */
	put_n(c, "flood", 1099, 1100, 1000);
	put_n(c, "other", 10, 12, 1000);
	ck_assert(cached(c, "flood1099"));
	/* Full and nothing of its own: an expired entry (fetched before the bound) makes room. */
	{
		struct ntkd_cached *v = val_new(7);

		ck_assert_int_eq(ntkd_cache_put_for(c, "late", v, 1000, 101), 0);
		ntkd_cached_unref(v);
	}
	ck_assert(cached(c, "late"));

	/* Root and trusted peers still evict the oldest of anyone's when full. */
	put_n(c, "root", 0, 1, NTKD_CACHE_SHARED);
	ck_assert(cached(c, "root0"));
	ntkd_cache_stats(c, &entries, &hits, &misses);
	ck_assert_uint_eq(entries, 32);
	ck_assert_uint_eq(ntkd_cache_drop(c, NULL), 32);
	/* Emptied: the uid's quota starts again from nothing. */
	put_n(c, "flood", 0, 3, 65534);
	ck_assert(cached(c, "flood2") && cached(c, "flood1") && !cached(c, "flood0"));
	ntkd_cache_free(c);
}
END_TEST

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

	ntk_escape_log_str("a\nb\\c\x7f", out, sizeof(out));
	ck_assert_str_eq(out, "a\\x0ab\\x5cc\\x7f");
	ntk_escape_log_str("0123456789012345678901234567890123456789012345678901234567890123456789", out, sizeof(out));
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

/* The log follower: only what comes after the mark, across reads and a rotation. */
START_TEST(auditlog_follows_after_mark_and_rotation)
{
	char dir[] = "/tmp/ntk-auditlog-XXXXXX", path[64], old[80], big[70000];
	struct ntkd_auditlog log;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	snprintf(old, sizeof(old), "%s.1", path);
	ck_assert_int_eq(ntkd_auditlog_mark(path, &log), NTK_ERR_IO);   /* no file */
	write_file(path, "msg='op=x grant_id=before'\n");
	ck_assert_int_eq(ntkd_auditlog_mark(path, &log), 0);
	ck_assert_int_eq(ntkd_auditlog_seen(&log, "grant_id=before"), 0); /* ahead of the mark */
	/* A needle straddling two reads of the 64 KiB buffer. */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fwrite(big, 1, 65536 - 12, f);
	fputs(" grant_id=straddle\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(ntkd_auditlog_seen(&log, "grant_id=straddle"), 1);
	ck_assert_int_eq(ntkd_auditlog_seen(&log, "grant_id=later"), 0);
	/* auditd rotates: the record is in the new file. */
	ck_assert_int_eq(rename(path, old), 0);
	write_file(path, "msg='op=y grant_id=later'\n");
	ck_assert_int_eq(ntkd_auditlog_seen(&log, "grant_id=later"), 1);
	ntkd_auditlog_close(&log);
	ntkd_auditlog_close(&log);                       /* twice is harmless */
	unlink(old);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(auditd_conf_log_file)
{
	char dir[] = "/tmp/ntk-auditconf-XXXXXX", path[64], out[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/auditd.conf", dir);
	ck_assert_int_eq(ntkd_auditd_log_file(path, out, sizeof(out)), 0);  /* none: default */
	ck_assert_str_eq(out, "/var/log/audit/audit.log");
	write_file(path, "# log_file = /nope\nlog_format = ENRICHED\n  log_file=  /srv/a.log  \r\n"
	    "log_file_x = /nope\nlog_file = relative\n");
	ck_assert_int_eq(ntkd_auditd_log_file(path, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/srv/a.log");
	unlink(path);
	rmdir(dir);
}
END_TEST

static unsigned long summarised, summaries;
static char summary_cases[256];

static void
collect(void *arg, const struct ntkd_budget_summary *sum)
{
	size_t i;

	(void)arg;
	summaries++;
	summarised += sum->count;
	ck_assert_uint_eq(sum->uid, 65534);
	ck_assert_str_eq(sum->user, "nobody");
	summary_cases[0] = '\0';
	for (i = 0; i < sum->ncases; i++) {
		strcat(summary_cases, sum->cases[i]);
		strcat(summary_cases, " ");
	}
}

/* Budget: the first N written, the rest counted exactly, one summary per closed window. */
START_TEST(budget_counts_exactly)
{
	struct ntkd_audit_asker who = { .uid = 65534, .budget = 3, .interval = 10,
	    .user = "nobody", .system = "FACTS" };
	struct ntkd_audit_asker other = who;
	struct ntkd_budget *b;
	char id[16];
	int i, written = 0;

	other.uid = 1000;
	ck_assert_int_eq(ntkd_budget_new(&b), 0);
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "%d", i % 20);  /* 20 distinct cases, each twice */
		who.case_id = id;
		written += ntkd_budget_take(b, &who, true, 100 + i / 8);
	}
	ck_assert_int_eq(written, 3);
	ck_assert(ntkd_budget_take(b, &other, true, 104));      /* another uid, its own budget */
	ntkd_budget_expire(b, 109, collect, NULL);              /* not ended yet */
	ck_assert_uint_eq(summaries, 0);
	ntkd_budget_expire(b, 110, collect, NULL);
	ck_assert_uint_eq(summaries, 1);
	ck_assert_uint_eq(summarised, 37);
	/* 16 distinct cases listed, the first ones held back. */
	ck_assert_str_eq(summary_cases, "3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 ");
	/* A new window after the old one closed. */
	ck_assert(ntkd_budget_take(b, &who, true, 111));
	ntkd_budget_free(b);
}
END_TEST

START_TEST(audit_suppressed_record)
{
	char *cases[] = { "1001", "x\" y" };
	struct ntkd_audit_rec *rec = NULL;

	ck_assert_int_eq(ntkd_audit_rec_suppressed(65534, "nobody", "FACTS", 37, 30, 60, cases, 2,
	    &rec), 0);
	ck_assert_str_eq(rec->msg, "op=ntk-suppressed acct=\"nobody\" system=\"FACTS\" "
	    "suppressed=37 denied=30 interval=60 cases=313030312C78222079 peer_uid=65534");
	ck_assert_int_eq(rec->result, 0);
	ck_assert_int_eq(rec->type, AUDIT_TRUSTED_APP);
	ntkd_audit_rec_free(rec);
	ck_assert_int_eq(ntkd_audit_rec_suppressed(1000, "a", "S", 2, 0, 60, NULL, 0, &rec), 0);
	ck_assert_int_eq(rec->result, 1);                        /* only allows held back */
	ntkd_audit_rec_free(rec);
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
	tcase_add_test(tc, cache_untrusted_uid_evicts_only_its_own);
	tcase_add_test(tc, cache_fetch_racing_a_drop_is_not_cached);
	tcase_add_test(tc, grants_expire_and_replace);
	tcase_add_test(tc, grants_per_system);
	tcase_add_test(tc, group_names_and_gids);
	tcase_add_test(tc, audit_hostile_values_stay_encoded);
	tcase_add_test(tc, audit_login_host_and_tty);
	tcase_add_test(tc, audit_release);
	tcase_add_test(tc, audit_break_glass_and_statement);
	tcase_add_test(tc, sanitize_for_logs);
	tcase_add_test(tc, auditd_running_from_pid_file);
	tcase_add_test(tc, local_day_follows_the_zone);
	tcase_add_test(tc, auditlog_follows_after_mark_and_rotation);
	tcase_add_test(tc, auditd_conf_log_file);
	tcase_add_test(tc, budget_counts_exactly);
	tcase_add_test(tc, audit_suppressed_record);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
