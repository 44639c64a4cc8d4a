/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for common/ntk_policy.c: every rule, outcome and ordering of the decision. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_assignment.h"
#include "ntk_case_index.h"
#include "ntk_err.h"
#include "ntk_policy.h"

/* Second pass: every decision through the case index, which must change no outcome. */
static bool indexed;

enum {
	R_SOCIAL, R_SUPERVISOR, R_LEGAL, R_RECORDS, R_EMERGENCY, R_VIEWER,
	R_COURT, R_ARCHIVIST, R_BGREADER, R_TEAMLEAD, R_SEALEDNONE,
	R_DISCLOSER, R_SUPRELEASE, R_BGRELEASE, NROLES
};

/* name, scope, write, closed, sealed, break_glass, release */
static struct ntk_role roles[NROLES] = {
	[R_SOCIAL] = { (char *)"social_worker", NTK_SCOPE_ASSIGNED, true, false, false, false, false },
	[R_SUPERVISOR] = { (char *)"supervisor", NTK_SCOPE_SUPERVISED, true, false, false, false, false },
	[R_LEGAL] = { (char *)"legal", NTK_SCOPE_ALL, true, true, true, false, true },
	[R_RECORDS] = { (char *)"records", NTK_SCOPE_ALL, false, true, false, false, false },
	[R_EMERGENCY] = { (char *)"emergency", NTK_SCOPE_ASSIGNED, true, false, false, true, false },
	[R_VIEWER] = { (char *)"viewer", NTK_SCOPE_NONE, true, true, true, true, false },
	[R_COURT] = { (char *)"court", NTK_SCOPE_ASSIGNED, false, false, false, false, false },
	[R_ARCHIVIST] = { (char *)"archivist", NTK_SCOPE_ASSIGNED, true, true, false, false, false },
	[R_BGREADER] = { (char *)"bg_reader", NTK_SCOPE_ASSIGNED, false, false, false, true, false },
	[R_TEAMLEAD] = { (char *)"team_lead", NTK_SCOPE_SUPERVISED, false, false, false, false, false },
	[R_SEALEDNONE] = { (char *)"sealed_none", NTK_SCOPE_NONE, true, true, true, false, false },
	/* release = yes on each basis that is not the case manager's own */
	[R_DISCLOSER] = { (char *)"discloser", NTK_SCOPE_ASSIGNED, false, false, false, false, true },
	[R_SUPRELEASE] = { (char *)"sup_release", NTK_SCOPE_SUPERVISED, true, false, false, false, true },
	[R_BGRELEASE] = { (char *)"bg_release", NTK_SCOPE_ASSIGNED, true, false, false, true, true },
};

static size_t facts_roles[] = { R_SOCIAL, R_SUPERVISOR, R_LEGAL, R_RECORDS, R_EMERGENCY,
	R_VIEWER, R_COURT, R_ARCHIVIST, R_BGREADER, R_TEAMLEAD, R_SEALEDNONE,
	R_DISCLOSER, R_SUPRELEASE, R_BGRELEASE };
static size_t other_roles[] = { R_SOCIAL };
static size_t order_roles[] = { R_RECORDS, R_LEGAL };   /* records first */
static size_t order2_roles[] = { R_LEGAL, R_RECORDS };  /* legal first */
static size_t er_roles[] = { R_EMERGENCY };             /* break-glass on a second system */

static struct ntk_system systems[] = {
	{ (char *)"FACTS", facts_roles, sizeof(facts_roles) / sizeof(size_t), NULL },
	{ (char *)"OTHER", other_roles, 1, NULL },
	{ (char *)"ORDER", order_roles, 2, NULL },
	{ (char *)"ORDER2", order2_roles, 2, NULL },
	{ (char *)"ER", er_roles, 1, NULL },
};

static struct ntk_policy policy = { roles, NROLES, systems, 5, 2 };

#define NOW ((int64_t)1781500000)
static struct ntk_clock clk;
static struct ntk_subject subj;
static struct ntk_decision d;

static int32_t
day(const char *s)
{
	int32_t v;

	ck_assert_int_eq(ntk_date_parse(s, &v), 0);
	return v;
}

static void
setup(void)
{
	memset(&subj, 0, sizeof(subj));
	memset(&d, 0, sizeof(d));
	subj.found = true;
	subj.name = strdup("alice");
	ck_assert_ptr_nonnull(subj.name);
	clk.today = day("2026-06-15");
	clk.now = NOW;
	policy.supervision_depth = 2;
}

static void
teardown(void)
{
	ntk_subject_clear(&subj);
}

static void
add_role(const char *name)
{
	subj.roles = realloc(subj.roles, (subj.nroles + 1) * sizeof(*subj.roles));
	ck_assert_ptr_nonnull(subj.roles);
	subj.roles[subj.nroles] = strdup(name);
	ck_assert_ptr_nonnull(subj.roles[subj.nroles]);
	subj.nroles++;
}

static void
add_assign(const char *value)
{
	const char *why;

	subj.assignments = realloc(subj.assignments,
	    (subj.nassignments + 1) * sizeof(*subj.assignments));
	ck_assert_ptr_nonnull(subj.assignments);
	ck_assert_int_eq(ntk_assignment_parse(value, &subj.assignments[subj.nassignments], &why), 0);
	subj.nassignments++;
}

static void
add_sup(const char *value, const char *holder, unsigned depth)
{
	struct ntk_supervised *v;

	subj.supervised = realloc(subj.supervised,
	    (subj.nsupervised + 1) * sizeof(*subj.supervised));
	ck_assert_ptr_nonnull(subj.supervised);
	v = &subj.supervised[subj.nsupervised++];
	ck_assert_int_eq(ntk_assignment_parse(value, &v->assignment, NULL), 0);
	v->holder = strdup(holder);
	v->depth = depth;
}

static void
add_grant_on(const char *system, const char *case_id, int64_t expires)
{
	struct ntk_grant *g;

	subj.grants = realloc(subj.grants, (subj.ngrants + 1) * sizeof(*subj.grants));
	ck_assert_ptr_nonnull(subj.grants);
	g = &subj.grants[subj.ngrants++];
	memset(g, 0, sizeof(*g));
	strcpy(g->case_id, case_id);
	strcpy(g->system, system);
	g->expires = expires;
}

/* A grant given on FACTS, the system rd() and wr() ask about. */
static void
add_grant(const char *case_id, int64_t expires)
{
	add_grant_on("FACTS", case_id, expires);
}

static enum ntk_outcome
decide(const char *system, enum ntk_action action, const char *case_id,
    enum ntk_case_state state)
{
	struct ntk_query q = { system, action, case_id, state };

	memset(&d, 0xa5, sizeof(d));    /* decide must set every field */
	if (indexed)
		ck_assert_int_eq(ntk_case_index_build(&subj), 0);
	ntk_policy_decide(&policy, &subj, &q, &clk, &d);
	return d.outcome;
}

static enum ntk_outcome
rd(const char *case_id)
{
	return decide("FACTS", NTK_ACTION_READ, case_id, NTK_STATE_OPEN);
}

static enum ntk_outcome
wr(const char *case_id)
{
	return decide("FACTS", NTK_ACTION_WRITE, case_id, NTK_STATE_OPEN);
}

static enum ntk_outcome
rel(const char *case_id)
{
	return decide("FACTS", NTK_ACTION_RELEASE, case_id, NTK_STATE_OPEN);
}

/* An allow or deny with no facts attached. */
static void
assert_bare(void)
{
	ck_assert_ptr_null(d.role);
	ck_assert_ptr_null(d.assignment);
	ck_assert_ptr_null(d.via);
	ck_assert_ptr_null(d.grant);
	ck_assert(!d.break_glass_eligible);
}

/* ---- rules 0 to 3 ------------------------------------------------------ */

START_TEST(test_rule0_unknown_system)
{
	add_role("legal");
	ck_assert_int_eq(decide("NOPE", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_SYSTEM);
	assert_bare();
	/* System names are case-sensitive. */
	ck_assert_int_eq(decide("facts", NTK_ACTION_READ, "1001", NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_SYSTEM);
	ck_assert_int_eq(decide(NULL, NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_SYSTEM);
	/* Rule 0 comes before rule 1. */
	subj.found = false;
	ck_assert_int_eq(decide("NOPE", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_SYSTEM);
}
END_TEST

START_TEST(test_rule1_unknown_user)
{
	struct ntk_query q = { "FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN };

	add_role("legal");
	subj.found = false;
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_USER);
	assert_bare();
	ck_assert_int_eq(rd("1001"), NTK_DENY_UNKNOWN_USER);
	ntk_policy_decide(&policy, NULL, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_UNKNOWN_USER);
}
END_TEST

/* A disabled account (entry outside staff_filter) comes right after unknown-user, before any fact. */
START_TEST(test_rule1_account_disabled)
{
	add_role("legal");
	add_role("social_worker");
	add_assign("1001");
	add_sup("1002", "bob", 1);
	add_grant("1003", NOW + 60);
	subj.disabled = true;
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_ACCOUNT_DISABLED);
	assert_bare();
	ck_assert_int_eq(rd("1001"), NTK_DENY_ACCOUNT_DISABLED);
	ck_assert_int_eq(wr("1001"), NTK_DENY_ACCOUNT_DISABLED);
	ck_assert_int_eq(rd("1002"), NTK_DENY_ACCOUNT_DISABLED);
	ck_assert_int_eq(rd("1003"), NTK_DENY_ACCOUNT_DISABLED);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_SEALED),
	    NTK_DENY_ACCOUNT_DISABLED);
	/* Rules 0 and 1 still come first. */
	ck_assert_int_eq(decide("NOPE", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_SYSTEM);
	subj.found = false;
	ck_assert_int_eq(rd("1001"), NTK_DENY_UNKNOWN_USER);
	/* The same facts, enabled: allowed. */
	subj.found = true;
	subj.disabled = false;
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
}
END_TEST

START_TEST(test_role_name_case)
{
	ck_assert(ntk_role_name_eq("legal", "LEGAL"));
	ck_assert(ntk_role_name_eq("FACTS-Caseworkers", "facts-caseworkers"));
	ck_assert(ntk_role_name_eq("", ""));
	ck_assert(!ntk_role_name_eq("legal", "legal2"));
	ck_assert(!ntk_role_name_eq("legal", "lega"));
	/* ASCII only: no dotless or dotted i games, whatever the locale. */
	ck_assert(!ntk_role_name_eq("social_worker", "soc\xc4\xb1" "al_worker"));
	ck_assert(!ntk_role_name_eq("a", "\xc1"));
	ck_assert_ptr_eq(ntk_policy_find_role(&policy, "Legal"), &roles[R_LEGAL]);
	ck_assert_ptr_eq(ntk_policy_find_role(&policy, "LEGAL"), &roles[R_LEGAL]);
}
END_TEST

START_TEST(test_rule2_system_not_permitted)
{
	/* No roles at all. */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_SYSTEM_NOT_PERMITTED);
	assert_bare();
	/* Roles, but none listed for the system. */
	add_role("janitor");
	add_role("legalx");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_SYSTEM_NOT_PERMITTED);
	add_role("LEGAL");      /* role names match ignoring ASCII case, as LDAP's cn does */
	ck_assert_int_eq(decide("OTHER", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_DENY_SYSTEM_NOT_PERMITTED);
	ck_assert_int_eq(decide("OTHER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN),
	    NTK_DENY_SYSTEM_NOT_PERMITTED);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_ALLOW_SYSTEM_ACCESS);
}
END_TEST

START_TEST(test_rule3_login)
{
	add_role("viewer");     /* cases = none may still log in */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, NULL, NTK_STATE_OPEN),
	    NTK_ALLOW_SYSTEM_ACCESS);
	assert_bare();
	ck_assert(ntk_outcome_allows(d.outcome));
	/* Login ignores case and state entirely. */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, "no such case", NTK_STATE_SEALED),
	    NTK_ALLOW_SYSTEM_ACCESS);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_LOGIN, "", 99), NTK_ALLOW_SYSTEM_ACCESS);
	/* ... but nothing more. */
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	assert_bare();
}
END_TEST

START_TEST(test_case_required)
{
	add_role("legal");
	ck_assert_int_eq(rd(NULL), NTK_DENY_NO_BUSINESS_REASON);
	assert_bare();
	ck_assert_int_eq(rd(""), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(wr(""), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(rd("10 01"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ROLE);
}
END_TEST

START_TEST(test_unknown_action_and_state)
{
	add_role("legal");
	add_assign("1001");
	ck_assert_int_eq(decide("FACTS", (enum ntk_action)7, "1001", NTK_STATE_OPEN),
	    NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", (enum ntk_case_state)7),
	    NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

/* ---- rule 4: counting roles and case state ------------------------------ */

START_TEST(test_rule4_scope_none_counts_nothing)
{
	add_role("viewer");
	add_role("sealed_none");
	add_assign("1001");
	add_grant("1001", NOW + 60);
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	assert_bare();  /* no counting role: not even break-glass eligible */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_SEALED),
	    NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_rule4_closed)
{
	add_role("social_worker");
	add_role("emergency");
	add_assign("1001");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_CASE_CLOSED);
	assert_bare();
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_WRITE, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_CASE_CLOSED);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	/* A role with closed = yes makes the assignment count again. */
	add_role("archivist");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_WRITE, "1001", NTK_STATE_CLOSED),
	    NTK_ALLOW_ASSIGNED);
	/* archivist has sealed = no. */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_SEALED),
	    NTK_DENY_CASE_SEALED);
}
END_TEST

START_TEST(test_rule4_sealed)
{
	add_role("records");    /* closed = yes, sealed = no */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_CLOSED),
	    NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "records");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_SEALED),
	    NTK_DENY_CASE_SEALED);
	assert_bare();
	add_role("legal");      /* sealed = yes */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_SEALED),
	    NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_WRITE, "1001", NTK_STATE_SEALED),
	    NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
}
END_TEST

START_TEST(test_rule4_filter_changes_basis)
{
	/*
	 * On a closed case social_worker drops out but records (closed = yes)
	 * counts, and an own assignment is a basis under any counting role.
	 */
	add_role("social_worker");
	add_role("records");
	add_assign("1001");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_CLOSED),
	    NTK_ALLOW_ASSIGNED);
	/* Writing needs a counting role with write = yes: records has none. */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_WRITE, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_ASSIGNED);
}
END_TEST

/* ---- rule 5: bases and their order --------------------------------------- */

START_TEST(test_basis_assigned)
{
	add_role("social_worker");
	add_assign("2002");
	add_assign("1001;until=2026-12-31");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[1]);
	ck_assert_ptr_null(d.role);
	ck_assert_ptr_null(d.via);
	ck_assert_ptr_null(d.grant);
	ck_assert(!d.break_glass_eligible);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(rd("3003"), NTK_DENY_NO_BUSINESS_REASON);
	/* Case ids match exactly, case-sensitively. */
	add_assign("C-7");
	ck_assert_int_eq(rd("C-7"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(rd("c-7"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(rd("C-77"), NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_basis_assigned_any_counting_role)
{
	/* An own assignment counts under a role of any scope but none. */
	add_role("legal");
	add_assign("1001");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);       /* beats role:legal */
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	ck_assert_ptr_null(d.role);
	ck_assert_int_eq(rd("2002"), NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
}
END_TEST

START_TEST(test_basis_assigned_until_inclusive)
{
	add_role("social_worker");
	add_assign("1001;until=2026-06-15");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	clk.today++;
	ck_assert_int_eq(rd("1001"), NTK_DENY_ASSIGNMENT_EXPIRED);
}
END_TEST

START_TEST(test_basis_system_restriction)
{
	add_role("social_worker");
	add_assign("1001;system=OTHER");
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	assert_bare();
	ck_assert_int_eq(decide("OTHER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN),
	    NTK_ALLOW_ASSIGNED);
	add_assign("2002;system=FACTS");
	ck_assert_int_eq(rd("2002"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(decide("OTHER", NTK_ACTION_READ, "2002", NTK_STATE_OPEN),
	    NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_basis_supervisor)
{
	add_role("supervisor");
	add_sup("1001", "bob", 1);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_ptr_eq(d.via, &subj.supervised[0]);
	ck_assert_str_eq(d.via->holder, "bob");
	ck_assert_ptr_null(d.assignment);
	ck_assert_ptr_null(d.role);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(rd("2002"), NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_basis_supervisor_depth)
{
	add_role("supervisor");
	add_sup("1001", "bob", 1);
	add_sup("2002", "carol", 2);    /* bob's report */
	add_sup("3003", "dave", 3);     /* carol's report */
	add_sup("4004", "erin", 0);     /* depth 0 is not below anyone */
	ck_assert_int_eq(rd("2002"), NTK_ALLOW_SUPERVISOR);
	ck_assert_str_eq(d.via->holder, "carol");
	ck_assert_int_eq(rd("3003"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(rd("4004"), NTK_DENY_NO_BUSINESS_REASON);
	policy.supervision_depth = 3;
	ck_assert_int_eq(rd("3003"), NTK_ALLOW_SUPERVISOR);
	policy.supervision_depth = 1;
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(rd("2002"), NTK_DENY_NO_BUSINESS_REASON);
	policy.supervision_depth = 0;
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_basis_supervisor_needs_supervised_role)
{
	/* social_worker and legal count, but neither has cases = supervised. */
	add_role("social_worker");
	add_sup("1001", "bob", 1);
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	add_role("supervisor");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	/* supervisor has closed = no: on a closed case it does not count. */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_CASE_CLOSED);
}
END_TEST

START_TEST(test_basis_supervisor_assignment_limits)
{
	add_role("supervisor");
	add_sup("1001;until=2026-06-14", "bob", 1);
	add_sup("2002;system=OTHER", "bob", 1);
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON); /* not -expired: not hers */
	assert_bare();
	ck_assert_int_eq(rd("2002"), NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_basis_role_order)
{
	add_role("legal");
	add_role("records");
	/* ORDER lists records before legal, ORDER2 the other way round. */
	ck_assert_int_eq(decide("ORDER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN), NTK_ALLOW_ROLE);
	ck_assert_ptr_eq(d.role, &roles[R_RECORDS]);
	ck_assert_int_eq(decide("ORDER2", NTK_ACTION_READ, "1001", NTK_STATE_OPEN), NTK_ALLOW_ROLE);
	ck_assert_ptr_eq(d.role, &roles[R_LEGAL]);
	/* A write takes the first role that may write. */
	ck_assert_int_eq(decide("ORDER", NTK_ACTION_WRITE, "1001", NTK_STATE_OPEN), NTK_ALLOW_ROLE);
	ck_assert_ptr_eq(d.role, &roles[R_LEGAL]);
	/* Sealed: records drops out, legal stays. */
	ck_assert_int_eq(decide("ORDER", NTK_ACTION_READ, "1001", NTK_STATE_SEALED), NTK_ALLOW_ROLE);
	ck_assert_ptr_eq(d.role, &roles[R_LEGAL]);
	ck_assert_ptr_null(d.assignment);
	ck_assert_ptr_null(d.via);
	ck_assert_ptr_null(d.grant);
}
END_TEST

START_TEST(test_basis_break_glass)
{
	add_role("emergency");
	add_grant("2002", NOW + 3600);
	add_grant("1001", NOW + 1);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_ptr_eq(d.grant, &subj.grants[1]);
	ck_assert(!d.break_glass_eligible);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_int_eq(rd("3003"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert(d.break_glass_eligible);
	/* Expired at exactly `expires`. */
	clk.now = NOW + 1;
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_ptr_null(d.grant);
	ck_assert(d.break_glass_eligible);
}
END_TEST

START_TEST(test_break_glass_one_system)
{
	/* emergency may break glass on FACTS and on ER; a grant is for one of them. */
	add_role("emergency");
	add_grant("1001", NOW + 3600);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_int_eq(decide("ER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN),
	    NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_ptr_null(d.grant);
	ck_assert(d.break_glass_eligible);
	ck_assert_int_eq(decide("ER", NTK_ACTION_WRITE, "1001", NTK_STATE_OPEN),
	    NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_ptr_null(d.grant);
	/* A system named like it but not equal does not match either. */
	add_grant_on("er", "1001", NOW + 3600);
	add_grant_on("FACTS2", "1001", NOW + 3600);
	ck_assert_int_eq(decide("ER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN),
	    NTK_DENY_NO_BUSINESS_REASON);
	/* A grant on ER counts there, and is the one reported. */
	add_grant_on("ER", "1001", NOW + 60);
	ck_assert_int_eq(decide("ER", NTK_ACTION_WRITE, "1001", NTK_STATE_OPEN),
	    NTK_ALLOW_BREAK_GLASS);
	ck_assert_ptr_eq(d.grant, &subj.grants[3]);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_ptr_eq(d.grant, &subj.grants[0]);
	/* A grant with no system counts nowhere. */
	ntk_subject_clear(&subj);
	setup();
	add_role("emergency");
	add_grant_on("", "1001", NOW + 3600);
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_break_glass_needs_eligible_role)
{
	/* A grant left over after the role was withdrawn gives nothing. */
	add_role("social_worker");
	add_grant("1001", NOW + 3600);
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert(!d.break_glass_eligible);
	/* Nor does one on a case since closed, for a role without closed = yes. */
	add_role("emergency");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_CASE_CLOSED);
	ck_assert(!d.break_glass_eligible);
}
END_TEST

START_TEST(test_basis_order_full)
{
	/* Every basis present: each is taken only when the earlier ones go. */
	add_role("social_worker");
	add_role("supervisor");
	add_role("legal");
	add_role("emergency");
	add_assign("1001");
	add_sup("1001", "bob", 1);
	add_grant("1001", NOW + 60);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ntk_assignment_clear(&subj.assignments[0]);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ntk_assignment_clear(&subj.supervised[0].assignment);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
	free(subj.roles[2]);
	subj.roles[2] = strdup("nobody");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	subj.grants[0].expires = NOW - 1;
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert(d.break_glass_eligible);
}
END_TEST

/* ---- rule 6: writes ------------------------------------------------------ */

START_TEST(test_readonly_assignment)
{
	add_role("social_worker");
	add_assign("1001;access=read");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(wr("1001"), NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	ck_assert(!d.break_glass_eligible);
	/* A second, writable assignment for the same case is used for the write. */
	add_assign("1001;until=2026-12-31");
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[1]);
}
END_TEST

START_TEST(test_readonly_role_behind_assignment)
{
	add_role("court");      /* assigned, write = no */
	add_assign("1001");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(wr("1001"), NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	add_role("social_worker");
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_ASSIGNED);
}
END_TEST

START_TEST(test_readonly_supervisor)
{
	add_role("team_lead");  /* supervised, write = no */
	add_sup("1001", "bob", 1);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(wr("1001"), NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.via, &subj.supervised[0]);
	add_role("supervisor");
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_SUPERVISOR);
	/* The subordinate's access=read carries over to the supervisor. */
	add_sup("2002;access=read", "carol", 2);
	ck_assert_int_eq(rd("2002"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(wr("2002"), NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.via, &subj.supervised[1]);
}
END_TEST

START_TEST(test_readonly_role)
{
	add_role("records");    /* all, write = no */
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ROLE);
	ck_assert_int_eq(wr("1001"), NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.role, &roles[R_RECORDS]);
	ck_assert(!d.break_glass_eligible);
}
END_TEST

START_TEST(test_readonly_break_glass)
{
	add_role("bg_reader");  /* break_glass = yes, write = no */
	add_grant("1001", NOW + 60);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_int_eq(wr("1001"), NTK_DENY_READ_ONLY);
	ck_assert_ptr_eq(d.grant, &subj.grants[0]);
	/* emergency may break glass and write. */
	add_role("emergency");
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_BREAK_GLASS);
}
END_TEST

START_TEST(test_write_falls_through_bases)
{
	/* A read-only assignment does not hide a later basis that may write. */
	add_role("social_worker");
	add_role("legal");
	add_assign("1001;access=read");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
	ck_assert_ptr_null(d.assignment);

	/* Read-only supervision falls through to break-glass. */
	ntk_subject_clear(&subj);
	setup();
	add_role("team_lead");
	add_role("emergency");
	add_sup("1001", "bob", 1);
	add_grant("1001", NOW + 60);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_ptr_null(d.via);

	/* An own read-only assignment falls through to supervision. */
	add_role("supervisor");
	add_assign("1001;access=read");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_SUPERVISOR);
}
END_TEST

/* ---- rule 7: no basis ---------------------------------------------------- */

START_TEST(test_expired)
{
	add_role("social_worker");
	add_assign("1001;until=2026-06-14");
	ck_assert_int_eq(rd("1001"), NTK_DENY_ASSIGNMENT_EXPIRED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	ck_assert(!d.break_glass_eligible);
	ck_assert_int_eq(wr("1001"), NTK_DENY_ASSIGNMENT_EXPIRED);
	/* Never assigned to that case. */
	ck_assert_int_eq(rd("2002"), NTK_DENY_NO_BUSINESS_REASON);
	assert_bare();
	/* A current assignment beside the expired one wins. */
	add_assign("1001;until=2026-06-15");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[1]);
}
END_TEST

START_TEST(test_expired_other_system)
{
	add_role("social_worker");
	add_assign("1001;system=OTHER;until=2026-01-01");
	ck_assert_int_eq(rd("1001"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_ptr_null(d.assignment);
	ck_assert_int_eq(decide("OTHER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN),
	    NTK_DENY_ASSIGNMENT_EXPIRED);
}
END_TEST

START_TEST(test_eligibility)
{
	add_role("emergency");
	add_assign("1001;until=2026-01-01");
	ck_assert_int_eq(rd("2002"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert(d.break_glass_eligible);
	ck_assert_int_eq(rd("1001"), NTK_DENY_ASSIGNMENT_EXPIRED);
	ck_assert(d.break_glass_eligible);
	/* Closed filters emergency out: case-closed, not eligible. */
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_READ, "2002", NTK_STATE_CLOSED),
	    NTK_DENY_CASE_CLOSED);
	ck_assert(!d.break_glass_eligible);
	/* viewer has break_glass = yes but cases = none: it does not count. */
	ntk_subject_clear(&subj);
	setup();
	add_role("viewer");
	add_role("social_worker");
	ck_assert_int_eq(rd("2002"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert(!d.break_glass_eligible);
}
END_TEST

/* ---- rule 6b: release ----------------------------------------------- */

START_TEST(test_release_assigned)
{
	add_role("social_worker");
	add_assign("1001");
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	/* An assignment for another case is no basis at all. */
	ck_assert_int_eq(rel("2002"), NTK_DENY_NO_BUSINESS_REASON);
	assert_bare();
	/* A role that may not write still releases its own case: release is not write. */
	ntk_subject_clear(&subj);
	setup();
	add_role("court");
	add_assign("1001");
	ck_assert_int_eq(wr("1001"), NTK_DENY_READ_ONLY);
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ASSIGNED);
}
END_TEST

START_TEST(test_release_assigned_read_only)
{
	add_role("social_worker");
	add_assign("1001;access=read");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
	/* The read basis stays for --explain; break-glass is no way out. */
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	ck_assert(!d.break_glass_eligible);
	/* A second, writable assignment for the case is found past the first. */
	add_assign("1001;system=FACTS");
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[1]);
	/* A read-only assignment under a counting role with release = yes may. */
	ntk_subject_clear(&subj);
	setup();
	add_role("discloser");
	add_assign("1001;access=read");
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
}
END_TEST

START_TEST(test_release_supervisor)
{
	add_role("supervisor");
	add_sup("1001", "bob", 1);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(wr("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
	ck_assert_ptr_eq(d.via, &subj.supervised[0]);
	/* Not even under a supervised role with release = yes. */
	ntk_subject_clear(&subj);
	setup();
	add_role("sup_release");
	add_sup("1001", "bob", 1);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_SUPERVISOR);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
	/* The supervisor's own assignment is the case manager's. */
	add_assign("1001");
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ASSIGNED);
}
END_TEST

START_TEST(test_release_role)
{
	/* legal: cases = all, release = yes. */
	add_role("legal");
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
	/* records: cases = all, release = no: reads, does not release. */
	ntk_subject_clear(&subj);
	setup();
	add_role("records");
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_ROLE);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
	ck_assert_str_eq(d.role->name, "records");
	/* The first role that may release, not the first basis (ORDER lists records first). */
	add_role("legal");
	ck_assert_int_eq(decide("ORDER", NTK_ACTION_READ, "1001", NTK_STATE_OPEN), NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "records");
	ck_assert_int_eq(decide("ORDER", NTK_ACTION_RELEASE, "1001", NTK_STATE_OPEN),
	    NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
	/* legal's release = yes also stands behind a read-only assignment, the first basis. */
	add_role("social_worker");
	add_assign("1001;access=read");
	ck_assert_int_eq(rel("1001"), NTK_ALLOW_ASSIGNED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	/* release = yes on an assigned-scope role is no basis without an assignment. */
	ntk_subject_clear(&subj);
	setup();
	add_role("discloser");
	ck_assert_int_eq(rel("1001"), NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_release_break_glass)
{
	add_role("emergency");
	add_grant("1001", NOW + 60);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
	ck_assert_ptr_eq(d.grant, &subj.grants[0]);
	ck_assert(!d.break_glass_eligible);
	/* Not even when the break-glass role says release = yes. */
	ntk_subject_clear(&subj);
	setup();
	add_role("bg_release");
	add_grant("1001", NOW + 60);
	ck_assert_int_eq(rd("1001"), NTK_ALLOW_BREAK_GLASS);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
	/* Without a grant: no basis, and break-glass would not help a release. */
	ck_assert_int_eq(rel("2002"), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert(!d.break_glass_eligible);
}
END_TEST

START_TEST(test_release_expired)
{
	add_role("social_worker");
	add_assign("1001;until=2026-06-14");
	ck_assert_int_eq(rel("1001"), NTK_DENY_ASSIGNMENT_EXPIRED);
	ck_assert_ptr_eq(d.assignment, &subj.assignments[0]);
	/* The last day still counts. */
	add_assign("1002;until=2026-06-15");
	ck_assert_int_eq(rel("1002"), NTK_ALLOW_ASSIGNED);
	/* Rule 6b comes before 7: a supervisor basis that may not release wins over expiry. */
	add_role("supervisor");
	add_sup("1001", "bob", 1);
	ck_assert_int_eq(rel("1001"), NTK_DENY_NOT_CASE_MANAGER);
}
END_TEST

START_TEST(test_release_closed_sealed)
{
	add_role("social_worker");
	add_assign("1001");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_RELEASE, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_CASE_CLOSED);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_RELEASE, "1001", NTK_STATE_SEALED),
	    NTK_DENY_CASE_SEALED);
	/* archivist counts for closed cases: its own assignment releases them. */
	add_role("archivist");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_RELEASE, "1001", NTK_STATE_CLOSED),
	    NTK_ALLOW_ASSIGNED);
	/* records counts for closed cases but may not release; legal does, sealed too. */
	ntk_subject_clear(&subj);
	setup();
	add_role("records");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_RELEASE, "1001", NTK_STATE_CLOSED),
	    NTK_DENY_NOT_CASE_MANAGER);
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_RELEASE, "1001", NTK_STATE_SEALED),
	    NTK_DENY_CASE_SEALED);
	add_role("legal");
	ck_assert_int_eq(decide("FACTS", NTK_ACTION_RELEASE, "1001", NTK_STATE_SEALED),
	    NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "legal");
}
END_TEST

START_TEST(test_release_early_rules)
{
	/* Rules 0 to 2 decide a release as they decide a read. */
	add_role("legal");
	ck_assert_int_eq(decide("NOPE", NTK_ACTION_RELEASE, "1001", NTK_STATE_OPEN),
	    NTK_DENY_UNKNOWN_SYSTEM);
	ck_assert_int_eq(decide("OTHER", NTK_ACTION_RELEASE, "1001", NTK_STATE_OPEN),
	    NTK_DENY_SYSTEM_NOT_PERMITTED);
	subj.disabled = true;
	ck_assert_int_eq(rel("1001"), NTK_DENY_ACCOUNT_DISABLED);
	subj.disabled = false;
	/* A release needs a valid case id. */
	ck_assert_int_eq(rel(""), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(rel(NULL), NTK_DENY_NO_BUSINESS_REASON);
	ck_assert_int_eq(rel("bad id"), NTK_DENY_NO_BUSINESS_REASON);
	/* Past the last action nothing is allowed. */
	ck_assert_int_eq(decide("FACTS", (enum ntk_action)4, "1001", NTK_STATE_OPEN),
	    NTK_DENY_NO_BUSINESS_REASON);
}
END_TEST

START_TEST(test_no_clock)
{
	struct ntk_query q = { "FACTS", NTK_ACTION_READ, "1001", NTK_STATE_OPEN };

	add_role("legal");
	add_assign("1001");
	ntk_policy_decide(&policy, &subj, &q, NULL, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_NO_BUSINESS_REASON);
	q.action = NTK_ACTION_LOGIN;
	ntk_policy_decide(&policy, &subj, &q, NULL, &d);
	ck_assert_int_eq(d.outcome, NTK_ALLOW_SYSTEM_ACCESS);
	ntk_policy_decide(NULL, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_UNKNOWN_SYSTEM);
	ntk_policy_decide(&policy, &subj, NULL, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_DENY_UNKNOWN_SYSTEM);
	ntk_policy_decide(&policy, &subj, &q, &clk, NULL);
}
END_TEST

START_TEST(test_many_roles)
{
	/* A system listing more roles than fit on the stack buffer. */
	enum { N = 40 };
	struct ntk_role many[N];
	size_t idx[N];
	char names[N][16];
	struct ntk_system sys = { (char *)"BIG", idx, N, NULL };
	struct ntk_policy p = { many, N, &sys, 1, 2 };
	struct ntk_query q = { "BIG", NTK_ACTION_WRITE, "1001", NTK_STATE_OPEN };
	size_t i;

	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "r%zu", i);
		many[i] = (struct ntk_role){ names[i], NTK_SCOPE_ALL, i == N - 1, false, false, false,
		    false };
		idx[i] = i;
		add_role(names[i]);
	}
	ntk_policy_decide(&p, &subj, &q, &clk, &d);
	ck_assert_int_eq(d.outcome, NTK_ALLOW_ROLE);
	ck_assert_str_eq(d.role->name, "r39");
	q.action = NTK_ACTION_READ;
	ntk_policy_decide(&p, &subj, &q, &clk, &d);
	ck_assert_str_eq(d.role->name, "r0");
	/* A corrupt index is skipped, never followed. */
	idx[0] = 1000;
	ntk_policy_decide(&p, &subj, &q, &clk, &d);
	ck_assert_str_eq(d.role->name, "r1");
}
END_TEST

/* ---- names, formatting, frees ------------------------------------------- */

static const struct {
	enum ntk_outcome o;
	const char *line;
} formats[] = {
	{ NTK_ALLOW_SYSTEM_ACCESS, "ALLOW rule=system-access" },
	{ NTK_ALLOW_ASSIGNED, "ALLOW rule=assigned" },
	{ NTK_ALLOW_SUPERVISOR, "ALLOW rule=supervisor" },
	{ NTK_ALLOW_ROLE, "ALLOW rule=role:legal" },
	{ NTK_ALLOW_BREAK_GLASS, "ALLOW rule=break-glass" },
	{ NTK_DENY_UNKNOWN_SYSTEM, "DENY reason=unknown-system" },
	{ NTK_DENY_UNKNOWN_USER, "DENY reason=unknown-user" },
	{ NTK_DENY_SYSTEM_NOT_PERMITTED, "DENY reason=system-not-permitted" },
	{ NTK_DENY_CASE_CLOSED, "DENY reason=case-closed" },
	{ NTK_DENY_CASE_SEALED, "DENY reason=case-sealed" },
	{ NTK_DENY_NO_BUSINESS_REASON, "DENY reason=no-business-reason" },
	{ NTK_DENY_READ_ONLY, "DENY reason=read-only" },
	{ NTK_DENY_ASSIGNMENT_EXPIRED, "DENY reason=assignment-expired" },
	{ NTK_DENY_DIRECTORY_UNAVAILABLE, "DENY reason=directory-unavailable" },
	{ NTK_DENY_ACCOUNT_DISABLED, "DENY reason=account-disabled" },
};

START_TEST(test_format)
{
	struct ntk_decision dec;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		memset(&dec, 0, sizeof(dec));
		dec.outcome = formats[i].o;
		dec.role = &roles[R_LEGAL];
		ck_assert_int_eq(ntk_decision_format(&dec, buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, formats[i].line);
		ck_assert_int_eq(ntk_outcome_allows(dec.outcome), formats[i].line[0] == 'A');
		ck_assert(ntk_outcome_valid((uint32_t)dec.outcome));
	}
	memset(&dec, 0, sizeof(dec));
	dec.outcome = NTK_ALLOW_ROLE;
	ck_assert_int_eq(ntk_decision_format(&dec, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "ALLOW rule=role");
	dec.outcome = NTK_DENY_NO_BUSINESS_REASON;
	/* Exactly fits, then one byte short. */
	ck_assert_int_eq(ntk_decision_format(&dec, buf, 31), 0);
	ck_assert_int_eq(ntk_decision_format(&dec, buf, 30), NTK_ERR_TOO_LONG);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(ntk_decision_format(&dec, buf, 0), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_decision_format(&dec, NULL, 10), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_decision_format(NULL, buf, sizeof(buf)), NTK_ERR_BAD_VALUE);
	dec.outcome = (enum ntk_outcome)5;
	ck_assert_int_eq(ntk_decision_format(&dec, buf, sizeof(buf)), NTK_ERR_BAD_VALUE);
}
END_TEST

START_TEST(test_format_decided)
{
	char buf[64];

	add_role("legal");
	rd("1001");
	ck_assert_int_eq(ntk_decision_format(&d, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "ALLOW rule=role:legal");
	decide("FACTS", NTK_ACTION_WRITE, "1001", NTK_STATE_CLOSED);
	ck_assert_int_eq(ntk_decision_format(&d, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "ALLOW rule=role:legal");
	subj.found = false;
	rd("1001");
	ck_assert_int_eq(ntk_decision_format(&d, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "DENY reason=unknown-user");
}
END_TEST

START_TEST(test_outcome_valid)
{
	uint32_t v;

	for (v = 0; v < 64; v++)
		ck_assert_int_eq(ntk_outcome_valid(v), v <= 4 || (v >= 16 && v <= 26));
	ck_assert(!ntk_outcome_valid(UINT32_MAX));
	ck_assert_str_eq(ntk_outcome_name(NTK_ALLOW_ROLE), "role");
	ck_assert_str_eq(ntk_outcome_name((enum ntk_outcome)99), "unknown");
	ck_assert(!ntk_outcome_allows((enum ntk_outcome)99));
}
END_TEST

START_TEST(test_enum_names)
{
	enum ntk_action a;
	enum ntk_case_state s;
	enum ntk_scope c;

	ck_assert_str_eq(ntk_action_name(NTK_ACTION_LOGIN), "login");
	ck_assert_str_eq(ntk_action_name(NTK_ACTION_READ), "read");
	ck_assert_str_eq(ntk_action_name(NTK_ACTION_WRITE), "write");
	ck_assert_str_eq(ntk_action_name(NTK_ACTION_RELEASE), "release");
	ck_assert_str_eq(ntk_action_name((enum ntk_action)4), "unknown");
	ck_assert_str_eq(ntk_state_name(NTK_STATE_OPEN), "open");
	ck_assert_str_eq(ntk_state_name(NTK_STATE_CLOSED), "closed");
	ck_assert_str_eq(ntk_state_name(NTK_STATE_SEALED), "sealed");
	ck_assert_str_eq(ntk_state_name((enum ntk_case_state)-1), "unknown");
	ck_assert_str_eq(ntk_scope_name(NTK_SCOPE_NONE), "none");
	ck_assert_str_eq(ntk_scope_name(NTK_SCOPE_ASSIGNED), "assigned");
	ck_assert_str_eq(ntk_scope_name(NTK_SCOPE_SUPERVISED), "supervised");
	ck_assert_str_eq(ntk_scope_name(NTK_SCOPE_ALL), "all");

	ck_assert_int_eq(ntk_action_parse("write", &a), 0);
	ck_assert_int_eq(a, NTK_ACTION_WRITE);
	ck_assert_int_eq(ntk_action_parse("release", &a), 0);
	ck_assert_int_eq(a, NTK_ACTION_RELEASE);
	ck_assert_int_eq(ntk_action_parse("login", &a), 0);
	ck_assert_int_eq(a, NTK_ACTION_LOGIN);
	ck_assert_int_eq(ntk_action_parse("Write", &a), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_action_parse("", &a), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_action_parse(NULL, &a), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(a, NTK_ACTION_LOGIN);
	ck_assert_int_eq(ntk_state_parse("sealed", &s), 0);
	ck_assert_int_eq(s, NTK_STATE_SEALED);
	ck_assert_int_eq(ntk_state_parse("closed", &s), 0);
	ck_assert_int_eq(s, NTK_STATE_CLOSED);
	ck_assert_int_eq(ntk_state_parse("opened", &s), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_scope_parse("supervised", &c), 0);
	ck_assert_int_eq(c, NTK_SCOPE_SUPERVISED);
	ck_assert_int_eq(ntk_scope_parse("none", &c), 0);
	ck_assert_int_eq(c, NTK_SCOPE_NONE);
	ck_assert_int_eq(ntk_scope_parse("any", &c), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_scope_parse("all", NULL), NTK_ERR_BAD_VALUE);
}
END_TEST

START_TEST(test_find)
{
	ck_assert_ptr_eq(ntk_policy_find_system(&policy, "OTHER"), &systems[1]);
	ck_assert_ptr_null(ntk_policy_find_system(&policy, "other"));
	ck_assert_ptr_null(ntk_policy_find_system(&policy, NULL));
	ck_assert_ptr_null(ntk_policy_find_system(NULL, "OTHER"));
	ck_assert_ptr_eq(ntk_policy_find_role(&policy, "legal"), &roles[R_LEGAL]);
	ck_assert_ptr_eq(ntk_policy_find_role(&policy, "LEGAL"), &roles[R_LEGAL]);
	ck_assert_ptr_null(ntk_policy_find_role(&policy, "legal "));
	ck_assert_ptr_null(ntk_policy_find_role(NULL, "legal"));
}
END_TEST

START_TEST(test_clear)
{
	struct ntk_policy p;

	ntk_policy_clear(NULL);
	ntk_subject_clear(NULL);
	ntk_assignment_clear(NULL);

	memset(&p, 0, sizeof(p));
	p.roles = calloc(2, sizeof(*p.roles));
	p.nroles = 2;
	p.roles[0].name = strdup("a");
	p.roles[1].name = strdup("b");
	p.systems = calloc(1, sizeof(*p.systems));
	p.nsystems = 1;
	p.systems[0].name = strdup("S");
	p.systems[0].role_idx = calloc(2, sizeof(size_t));
	p.systems[0].nroles = 2;
	ntk_policy_clear(&p);
	ck_assert_ptr_null(p.roles);
	ck_assert_ptr_null(p.systems);
	ck_assert_uint_eq(p.nroles, 0);
	ntk_policy_clear(&p);   /* twice is harmless */

	add_role("legal");
	add_assign("1;system=FACTS");
	add_sup("2;system=FACTS", "bob", 1);
	add_grant("3", NOW);
	ntk_subject_clear(&subj);
	ck_assert_ptr_null(subj.name);
	ck_assert_ptr_null(subj.roles);
	ck_assert_uint_eq(subj.nassignments, 0);
	ck_assert(!subj.found);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("ntk_policy");
	TCase *tc;

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rule0_unknown_system);
	tcase_add_test(tc, test_rule1_unknown_user);
	tcase_add_test(tc, test_rule1_account_disabled);
	tcase_add_test(tc, test_role_name_case);
	tcase_add_test(tc, test_rule2_system_not_permitted);
	tcase_add_test(tc, test_rule3_login);
	tcase_add_test(tc, test_case_required);
	tcase_add_test(tc, test_unknown_action_and_state);
	tcase_add_test(tc, test_rule4_scope_none_counts_nothing);
	tcase_add_test(tc, test_rule4_closed);
	tcase_add_test(tc, test_rule4_sealed);
	tcase_add_test(tc, test_rule4_filter_changes_basis);
	tcase_add_test(tc, test_no_clock);
	suite_add_tcase(s, tc);

	tc = tcase_create("bases");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_basis_assigned);
	tcase_add_test(tc, test_basis_assigned_any_counting_role);
	tcase_add_test(tc, test_basis_assigned_until_inclusive);
	tcase_add_test(tc, test_basis_system_restriction);
	tcase_add_test(tc, test_basis_supervisor);
	tcase_add_test(tc, test_basis_supervisor_depth);
	tcase_add_test(tc, test_basis_supervisor_needs_supervised_role);
	tcase_add_test(tc, test_basis_supervisor_assignment_limits);
	tcase_add_test(tc, test_basis_role_order);
	tcase_add_test(tc, test_basis_break_glass);
	tcase_add_test(tc, test_break_glass_one_system);
	tcase_add_test(tc, test_break_glass_needs_eligible_role);
	tcase_add_test(tc, test_basis_order_full);
	tcase_add_test(tc, test_many_roles);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_readonly_assignment);
	tcase_add_test(tc, test_readonly_role_behind_assignment);
	tcase_add_test(tc, test_readonly_supervisor);
	tcase_add_test(tc, test_readonly_role);
	tcase_add_test(tc, test_readonly_break_glass);
	tcase_add_test(tc, test_write_falls_through_bases);
	suite_add_tcase(s, tc);

	tc = tcase_create("release");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_release_assigned);
	tcase_add_test(tc, test_release_assigned_read_only);
	tcase_add_test(tc, test_release_supervisor);
	tcase_add_test(tc, test_release_role);
	tcase_add_test(tc, test_release_break_glass);
	tcase_add_test(tc, test_release_expired);
	tcase_add_test(tc, test_release_closed_sealed);
	tcase_add_test(tc, test_release_early_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("no-basis");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_expired_other_system);
	tcase_add_test(tc, test_eligibility);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_decided);
	tcase_add_test(tc, test_outcome_valid);
	tcase_add_test(tc, test_enum_names);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_clear);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed = 0, pass;

	/* Every test twice: scanning the subject, then through its case index. */
	for (pass = 0; pass < 2; pass++) {
		indexed = pass == 1;
		sr = srunner_create(policy_suite());
		srunner_run_all(sr, CK_NORMAL);
		failed += srunner_ntests_failed(sr);
		srunner_free(sr);
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
