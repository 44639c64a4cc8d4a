/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for common/ntk_case_index.c: lookups, duplicates, cycles, expiry, and decisions equal to a scan. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_assignment.h"
#include "ntk_case_index.h"
#include "ntk_err.h"
#include "ntk_policy.h"

static struct ntk_role roles[] = {
	{ (char *)"social_worker", NTK_SCOPE_ASSIGNED, true, false, false, false, false },
	{ (char *)"supervisor", NTK_SCOPE_SUPERVISED, true, false, false, false, false },
};
static size_t sys_roles[] = { 0, 1 };
static struct ntk_system systems[] = {
	{ (char *)"FACTS", sys_roles, 2, NULL },
	{ (char *)"COURTS", sys_roles, 2, NULL },
};
static struct ntk_policy policy = { roles, 2, systems, 2, 2 };

static struct ntk_subject subj;

static void
setup(void)
{
	memset(&subj, 0, sizeof(subj));
	subj.found = true;
	subj.name = strdup("boss");
	subj.roles = calloc(2, sizeof(*subj.roles));
	ck_assert_ptr_nonnull(subj.roles);
	subj.roles[0] = strdup("social_worker");
	subj.roles[1] = strdup("supervisor");
	subj.nroles = 2;
}

static void
teardown(void)
{
	ntk_subject_clear(&subj);
	ck_assert_ptr_null(subj.index);
}

static void
add_own(const char *value)
{
	subj.assignments = realloc(subj.assignments, (subj.nassignments + 1) * sizeof(*subj.assignments));
	ck_assert_ptr_nonnull(subj.assignments);
	ck_assert_int_eq(ntk_assignment_parse(value, &subj.assignments[subj.nassignments], NULL), 0);
	subj.nassignments++;
}

static void
add_sup(const char *value, const char *holder, unsigned depth)
{
	struct ntk_supervised *v;

	subj.supervised = realloc(subj.supervised, (subj.nsupervised + 1) * sizeof(*subj.supervised));
	ck_assert_ptr_nonnull(subj.supervised);
	v = &subj.supervised[subj.nsupervised++];
	memset(v, 0, sizeof(*v));
	ck_assert_int_eq(ntk_assignment_parse(value, &v->assignment, NULL), 0);
	v->holder = strdup(holder);
	v->depth = depth;
}

/* The positions the index gives for case_id, as "0,3,7" (own) and the same for supervised. */
static void
positions(const char *case_id, char *own, char *sup)
{
	const uint32_t *at;
	size_t n, i;
	int k;

	n = ntk_case_index_own(&subj, case_id, &at);
	ck_assert_uint_ne(n, NTK_CASE_INDEX_NONE);
	for (own[0] = '\0', i = 0; i < n; i++) {
		k = (int)strlen(own);
		snprintf(own + k, 64 - (size_t)k, "%s%u", i > 0 ? "," : "", at[i]);
	}
	n = ntk_case_index_supervised(&subj, case_id, &at);
	ck_assert_uint_ne(n, NTK_CASE_INDEX_NONE);
	for (sup[0] = '\0', i = 0; i < n; i++) {
		k = (int)strlen(sup);
		snprintf(sup + k, 64 - (size_t)k, "%s%u", i > 0 ? "," : "", at[i]);
	}
}

START_TEST(test_duplicates_keep_order)
{
	char own[64], sup[64];

	add_own("7");
	add_own("8");
	add_own("7;system=COURTS");
	add_sup("9", "w1", 1);
	add_sup("7", "w1", 1);
	add_sup("7", "w2", 2);          /* the same case under another holder */
	add_sup("7", "w1", 1);          /* and the same holder twice */
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	positions("7", own, sup);
	ck_assert_str_eq(own, "0,2");
	ck_assert_str_eq(sup, "1,2,3");
	positions("8", own, sup);
	ck_assert_str_eq(own, "1");
	ck_assert_str_eq(sup, "");
	positions("9", own, sup);
	ck_assert_str_eq(own, "");
	ck_assert_str_eq(sup, "0");
	/* Exact ids only: no prefix, no other spelling. */
	positions("70", own, sup);
	ck_assert_str_eq(own, "");
	ck_assert_str_eq(sup, "");
	positions("07", own, sup);
	ck_assert_str_eq(own, "");
	/* Built twice: the first index is replaced, not leaked (ASan/valgrind). */
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	positions("7", own, sup);
	ck_assert_str_eq(sup, "1,2,3");
	ck_assert_uint_gt(ntk_case_index_bytes(subj.index), 0);
}
END_TEST

START_TEST(test_empty_subject)
{
	const uint32_t *at;

	/* No index: the caller is told to scan. */
	ck_assert_uint_eq(ntk_case_index_own(&subj, "1", &at), NTK_CASE_INDEX_NONE);
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	ck_assert_uint_eq(ntk_case_index_own(&subj, "1", &at), 0);
	ck_assert_uint_eq(ntk_case_index_supervised(&subj, "1", &at), 0);
	ck_assert_uint_eq(ntk_case_index_own(&subj, "", &at), 0);
	ck_assert_uint_eq(ntk_case_index_own(&subj, NULL, &at), 0);
}
END_TEST

START_TEST(test_stale_index_ignored)
{
	struct ntk_query q = { "FACTS", NTK_ACTION_READ, "5", NTK_STATE_OPEN };
	struct ntk_clock clk = { 20000, 20000LL * 86400 };
	struct ntk_decision d;
	const uint32_t *at;

	add_own("4");
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	/* The arrays changed after the build: the index no longer describes them. */
	add_own("5");
	add_sup("6", "w1", 1);
	ck_assert_uint_eq(ntk_case_index_own(&subj, "5", &at), NTK_CASE_INDEX_NONE);
	ck_assert_uint_eq(ntk_case_index_supervised(&subj, "6", &at), NTK_CASE_INDEX_NONE);
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[1]);
	q.case_id = "6";
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_ALLOW_SUPERVISOR);
}
END_TEST

/*
 * A manager cycle as the directory layer hands it over: the same holders
 * again at other depths and the subject himself among them. The index
 * keeps every entry; the policy's depth limit picks, as a scan would.
 */
START_TEST(test_cycle_in_manager_tree)
{
	struct ntk_query q = { "FACTS", NTK_ACTION_READ, "11", NTK_STATE_OPEN };
	struct ntk_clock clk = { 20000, 20000LL * 86400 };
	struct ntk_decision d;
	char own[64], sup[64];

	add_sup("11", "boss", 3);       /* boss -> w1 -> w2 -> boss */
	add_sup("11", "w2", 3);
	add_sup("12", "w1", 1);
	add_sup("11", "w2", 2);
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	positions("11", own, sup);
	ck_assert_str_eq(sup, "0,1,3");
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_ALLOW_SUPERVISOR);
	ck_assert_ptr_eq(d.via, &subj.supervised[3]);   /* the first within depth 2 */
	policy.supervision_depth = 1;
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	policy.supervision_depth = 2;
	ck_assert_int_eq(d.outcome, NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_expired_assignments)
{
	struct ntk_query q = { "FACTS", NTK_ACTION_READ, "21", NTK_STATE_OPEN };
	struct ntk_clock clk;
	struct ntk_decision d;

	ck_assert_int_eq(ntk_date_parse("2026-06-15", &clk.today), 0);
	clk.now = (int64_t)clk.today * 86400;
	add_own("21;until=2026-06-14");                 /* expired yesterday */
	add_own("21;system=COURTS;until=2026-06-01");
	add_sup("21;until=2026-06-14", "w1", 1);        /* a subordinate's, expired too */
	add_sup("22;until=2026-06-15", "w1", 1);        /* active through today */
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_ASSIGNMENT_EXPIRED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	q.system = "COURTS";
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_ASSIGNMENT_EXPIRED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	q.case_id = "22";
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_ALLOW_SUPERVISOR);
	clk.today++;
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

/* Small deterministic generator, so a failure replays. */
static uint32_t rng_state = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static void
random_value(char *buf, size_t len)
{
	static const char *const until[] = { "", ";until=2026-06-14", ";until=2026-06-15", ";until=2027-01-01" };
	static const char *const sys[] = { "", ";system=FACTS", ";system=COURTS" };

	snprintf(buf, len, "%u%s%s%s", 100 + rnd(40), until[rnd(4)], sys[rnd(3)],
	    rnd(4) == 0 ? ";access=read" : "");
}

/* Many random subjects and queries: the indexed decision equals the scan, pointers included. */
START_TEST(test_same_as_scan)
{
	static const enum ntk_action acts[] = { NTK_ACTION_READ, NTK_ACTION_WRITE, NTK_ACTION_RELEASE };
	struct ntk_clock clk;
	struct ntk_decision a, b;
	struct ntk_query q;
	struct ntk_case_index *ix;
	char value[96], id[16];
	int round, k, n;

	ck_assert_int_eq(ntk_date_parse("2026-06-15", &clk.today), 0);
	clk.now = (int64_t)clk.today * 86400;
	for (round = 0; round < 200; round++) {
		ntk_subject_clear(&subj);
		setup();
		n = (int)rnd(30);
		for (k = 0; k < n; k++) {
			random_value(value, sizeof(value));
			add_own(value);
		}
		n = (int)rnd(200);
		for (k = 0; k < n; k++) {
			random_value(value, sizeof(value));
			add_sup(value, rnd(2) ? "w1" : "w2", rnd(5));
		}
		for (k = 0; k < 60; k++) {
			snprintf(id, sizeof(id), "%u", 100 + rnd(45));
			q.system = rnd(2) ? "FACTS" : "COURTS";
			q.action = acts[rnd(3)];
			q.case_id = id;
			q.state = NTK_STATE_OPEN;
			policy.supervision_depth = rnd(4);
			ntk_policy_decide(&policy, &subj, &q, &clk, &a);
			ck_assert_int_eq(ntk_case_index_build(&subj), 0);
			ntk_policy_decide(&policy, &subj, &q, &clk, &b);
			ck_assert_int_eq(a.outcome, b.outcome);
			ck_assert_ptr_eq(a.assignment, b.assignment);
			ck_assert_ptr_eq(a.via, b.via);
			ck_assert_int_eq(a.break_glass_eligible, b.break_glass_eligible);
			/* Detach it again for the next scan. */
			ix = subj.index;
			subj.index = NULL;
			ntk_case_index_free(ix);
		}
	}
	policy.supervision_depth = 2;
}
END_TEST

/* A supervisor's scale: 100,000 supervised entries over 10,000 cases, each found with its 10. */
START_TEST(test_large)
{
	const uint32_t *at;
	char value[32];
	size_t n;
	int i;

	subj.supervised = calloc(100000, sizeof(*subj.supervised));
	ck_assert_ptr_nonnull(subj.supervised);
	for (i = 0; i < 100000; i++) {
		snprintf(value, sizeof(value), "%d", 500000 + i % 10000);
		ck_assert_int_eq(ntk_assignment_parse(value, &subj.supervised[i].assignment, NULL), 0);
		subj.supervised[i].depth = 1;
		subj.nsupervised++;
	}
	ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	for (i = 0; i < 10000; i += 997) {
		snprintf(value, sizeof(value), "%d", 500000 + i);
		n = ntk_case_index_supervised(&subj, value, &at);
		ck_assert_uint_eq(n, 10);
		ck_assert_uint_eq(at[0], (uint32_t)i);
		ck_assert_uint_eq(at[9], (uint32_t)(i + 90000));
	}
	ck_assert_uint_eq(ntk_case_index_supervised(&subj, "510000", &at), 0);
}
END_TEST

static Suite *
index_suite(void)
{
	Suite *s = suite_create("ntk_case_index");
	TCase *tc = tcase_create("index");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_duplicates_keep_order);
	tcase_add_test(tc, test_empty_subject);
	tcase_add_test(tc, test_stale_index_ignored);
	tcase_add_test(tc, test_cycle_in_manager_tree);
	tcase_add_test(tc, test_expired_assignments);
	tcase_add_test(tc, test_same_as_scan);
	tcase_add_test(tc, test_large);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(index_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
