/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The need-to-know decision (DESIGN.md "Rules"), enum names, and deep frees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_assignment.h"
#include "ntk_case_index.h"
#include "ntk_err.h"
#include "ntk_policy.h"

/* The counting roles of one request: rule 4's result, in system order. */
struct counting {
	const struct ntk_role **roles;
	size_t n;
};

/*
 * Role names match ignoring ASCII case, as the directory's cn and AD's
 * group names do (a role `Legal` in LDAP is the [role:legal] section).
 * ASCII only, never the locale: a plugin's host may run under tr_TR.
 */
bool
ntk_role_name_eq(const char *a, const char *b)
{
	unsigned char x, y;

	for (;; a++, b++) {
		x = (unsigned char)*a;
		y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
}

static bool
subject_has_role(const struct ntk_subject *subject, const char *name)
{
	size_t i;

	if (subject->roles == NULL)
		return false;
	for (i = 0; i < subject->nroles; i++) {
		if (subject->roles[i] != NULL && ntk_role_name_eq(subject->roles[i], name))
			return true;
	}
	return false;
}

/* The system's role at position i of its `roles =` list, or NULL if the index is bad. */
static const struct ntk_role *
system_role(const struct ntk_policy *policy, const struct ntk_system *sys, size_t i)
{
	if (sys->role_idx == NULL || sys->role_idx[i] >= policy->nroles ||
	    policy->roles == NULL || policy->roles[sys->role_idx[i]].name == NULL)
		return NULL;
	return &policy->roles[sys->role_idx[i]];
}

static bool
case_equal(const char *a, const char *b)
{
	return a[0] != '\0' && strcmp(a, b) == 0;
}

/*
 * The positions worth looking at for one case: the index's, or (no index)
 * every one, in the same ascending order, so both find the same first match.
 */
struct candidates {
	const uint32_t *at;     /* NULL: 0 .. n-1 */
	size_t n, k;
};

static void
candidates_own(const struct ntk_subject *s, const char *case_id, struct candidates *c)
{
	c->k = 0;
	if ((c->n = ntk_case_index_own(s, case_id, &c->at)) == NTK_CASE_INDEX_NONE) {
		c->at = NULL;
		c->n = s->assignments != NULL ? s->nassignments : 0;
	}
}

static void
candidates_supervised(const struct ntk_subject *s, const char *case_id, struct candidates *c)
{
	c->k = 0;
	if ((c->n = ntk_case_index_supervised(s, case_id, &c->at)) == NTK_CASE_INDEX_NONE) {
		c->at = NULL;
		c->n = s->supervised != NULL ? s->nsupervised : 0;
	}
}

static bool
candidates_next(struct candidates *c, size_t *i)
{
	if (c->k >= c->n)
		return false;
	*i = c->at != NULL ? c->at[c->k] : c->k;
	c->k++;
	return true;
}

/* The first own assignment for the case active today; writable ones only if asked. */
static const struct ntk_assignment *
own_active(const struct ntk_subject *s, const struct ntk_query *q, int32_t today,
    bool need_write)
{
	struct candidates c;
	size_t i;

	for (candidates_own(s, q->case_id, &c); candidates_next(&c, &i);) {
		const struct ntk_assignment *a = &s->assignments[i];

		if (case_equal(a->case_id, q->case_id) &&
		    ntk_assignment_active(a, q->system, today) &&
		    !(need_write && a->read_only))
			return a;
	}
	return NULL;
}

/* An own assignment for the case, on this system, whose `until` has passed. */
static const struct ntk_assignment *
own_expired(const struct ntk_subject *s, const struct ntk_query *q, int32_t today)
{
	struct candidates c;
	size_t i;

	for (candidates_own(s, q->case_id, &c); candidates_next(&c, &i);) {
		const struct ntk_assignment *a = &s->assignments[i];

		if (case_equal(a->case_id, q->case_id) &&
		    (a->system == NULL || strcmp(a->system, q->system) == 0) &&
		    a->until < today)
			return a;
	}
	return NULL;
}

static const struct ntk_supervised *
supervised_active(const struct ntk_subject *s, const struct ntk_query *q,
    int32_t today, unsigned max_depth, bool need_write)
{
	struct candidates c;
	size_t i;

	for (candidates_supervised(s, q->case_id, &c); candidates_next(&c, &i);) {
		const struct ntk_supervised *v = &s->supervised[i];

		if (v->depth >= 1 && v->depth <= max_depth &&
		    case_equal(v->assignment.case_id, q->case_id) &&
		    ntk_assignment_active(&v->assignment, q->system, today) &&
		    !(need_write && v->assignment.read_only))
			return v;
	}
	return NULL;
}

static const struct ntk_grant *
grant_active(const struct ntk_subject *s, const struct ntk_query *q, int64_t now)
{
	size_t i;

	for (i = 0; s->grants != NULL && i < s->ngrants; i++) {
		const struct ntk_grant *g = &s->grants[i];

		/* A grant is for one system: FACTS's emergency opens nothing on COURTS. */
		if (case_equal(g->case_id, q->case_id) && q->system != NULL &&
		    strcmp(g->system, q->system) == 0 && g->expires > now)
			return g;
	}
	return NULL;
}

/* What counting_find demands of a role's attributes. */
#define NEED_WRITE 0x01
#define NEED_BREAK_GLASS 0x02
#define NEED_RELEASE 0x04

/* The first counting role matching the filter; scope < 0 means any scope. */
static const struct ntk_role *
counting_find(const struct counting *c, int scope, unsigned need)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct ntk_role *r = c->roles[i];

		if ((scope < 0 || (int)r->scope == scope) &&
		    (!(need & NEED_WRITE) || r->write) &&
		    (!(need & NEED_BREAK_GLASS) || r->break_glass) &&
		    (!(need & NEED_RELEASE) || r->release))
			return r;
	}
	return NULL;
}

static bool
state_admits(const struct ntk_role *r, enum ntk_case_state state)
{
	switch (state) {
	case NTK_STATE_OPEN:
		return true;
	case NTK_STATE_CLOSED:
		return r->closed;
	case NTK_STATE_SEALED:
		return r->sealed;
	}
	return false;   /* a state we do not know admits no one */
}

/*
 * Release (rule 6b) by an own assignment: a non-read-only one under any
 * counting role, or a read-only one when a counting role says release = yes.
 */
static const struct ntk_assignment *
own_release(const struct ntk_subject *s, const struct ntk_query *q, int32_t today,
    const struct counting *c)
{
	const struct ntk_assignment *a;

	if ((a = own_active(s, q, today, true)) != NULL)
		return a;
	if (counting_find(c, -1, NEED_RELEASE) != NULL)
		return own_active(s, q, today, false);
	return NULL;
}

/*
 * Rule 5 for one action. A read takes the first basis in DESIGN order. A
 * write (departing from DESIGN rule 6, which looks only at the first basis)
 * takes the first basis in the same order that permits writing, so a
 * read-only assignment does not hide a writable role:all; only when bases
 * exist and none permits writing is it read-only. A release does the same
 * under rule 6b, where supervision and break-glass never count. Returns
 * true when a basis was found and fills out.
 */
static bool
find_basis(const struct ntk_policy *p, const struct ntk_subject *s,
    const struct ntk_query *q, const struct ntk_clock *clk,
    const struct counting *c, enum ntk_action action, struct ntk_decision *out)
{
	const struct ntk_assignment *a;
	const struct ntk_supervised *v;
	const struct ntk_role *r;
	const struct ntk_grant *g;
	bool write = action == NTK_ACTION_WRITE, release = action == NTK_ACTION_RELEASE;
	unsigned need = write ? NEED_WRITE : release ? NEED_RELEASE : 0;

	if (release)
		a = own_release(s, q, clk->today, c);
	else if ((a = own_active(s, q, clk->today, write)) != NULL && write &&
	    counting_find(c, -1, NEED_WRITE) == NULL)
		a = NULL;
	if (a != NULL) {
		out->outcome = NTK_ALLOW_ASSIGNED;
		out->assignment = a;
		return true;
	}
	if (!release &&
	    (v = supervised_active(s, q, clk->today, p->supervision_depth, write)) != NULL &&
	    counting_find(c, NTK_SCOPE_SUPERVISED, need) != NULL) {
		out->outcome = NTK_ALLOW_SUPERVISOR;
		out->via = v;
		return true;
	}
	if ((r = counting_find(c, NTK_SCOPE_ALL, need)) != NULL) {
		out->outcome = NTK_ALLOW_ROLE;
		out->role = r;
		return true;
	}
	/*
	 * A grant counts only while a counting role still allows break-glass:
	 * a role withdrawn, or a case since closed or sealed, ends it at once.
	 */
	if (!release && (g = grant_active(s, q, clk->now)) != NULL &&
	    counting_find(c, -1, need | NEED_BREAK_GLASS) != NULL) {
		out->outcome = NTK_ALLOW_BREAK_GLASS;
		out->grant = g;
		return true;
	}
	return false;
}

static void
decide(const struct ntk_policy *p, const struct ntk_subject *s,
    const struct ntk_query *q, const struct ntk_clock *clk,
    const struct ntk_role **buf, struct ntk_decision *out)
{
	const struct ntk_system *sys;
	const struct ntk_role *r;
	struct counting c = { buf, 0 };
	size_t i, listed = 0, unfiltered = 0;

	/* 0 */
	if (q->system == NULL || (sys = ntk_policy_find_system(p, q->system)) == NULL) {
		out->outcome = NTK_DENY_UNKNOWN_SYSTEM;
		return;
	}
	/* 1 */
	if (s == NULL || !s->found) {
		out->outcome = NTK_DENY_UNKNOWN_USER;
		return;
	}
	if (s->disabled) {
		out->outcome = NTK_DENY_ACCOUNT_DISABLED;
		return;
	}
	/* 2, and rule 4's counting roles gathered in the same pass. */
	for (i = 0; i < sys->nroles; i++) {
		if ((r = system_role(p, sys, i)) == NULL || !subject_has_role(s, r->name))
			continue;
		listed++;
		if (r->scope != NTK_SCOPE_ASSIGNED && r->scope != NTK_SCOPE_SUPERVISED &&
		    r->scope != NTK_SCOPE_ALL)
			continue;
		unfiltered++;
		if (state_admits(r, q->state))
			c.roles[c.n++] = r;
	}
	if (listed == 0) {
		out->outcome = NTK_DENY_SYSTEM_NOT_PERMITTED;
		return;
	}
	/* 3 */
	if (q->action == NTK_ACTION_LOGIN) {
		out->outcome = NTK_ALLOW_SYSTEM_ACCESS;
		return;
	}
	/* Past login a case is required, and an action we do not know gets nothing. */
	if ((q->action != NTK_ACTION_READ && q->action != NTK_ACTION_WRITE &&
	    q->action != NTK_ACTION_RELEASE) ||
	    q->case_id == NULL || !ntk_case_id_valid(q->case_id)) {
		out->outcome = NTK_DENY_NO_BUSINESS_REASON;
		return;
	}
	/* 4 */
	if (c.n == 0) {
		if (unfiltered > 0 && q->state == NTK_STATE_CLOSED)
			out->outcome = NTK_DENY_CASE_CLOSED;
		else if (unfiltered > 0 && q->state == NTK_STATE_SEALED)
			out->outcome = NTK_DENY_CASE_SEALED;
		else
			out->outcome = NTK_DENY_NO_BUSINESS_REASON;
		return;
	}
	/* Without a clock no assignment or grant can be shown to be current. */
	if (clk == NULL) {
		out->outcome = NTK_DENY_NO_BUSINESS_REASON;
		return;
	}
	/* 5, 6 and 6b */
	if (find_basis(p, s, q, clk, &c, q->action, out))
		return;
	if (q->action != NTK_ACTION_READ &&
	    find_basis(p, s, q, clk, &c, NTK_ACTION_READ, out)) {
		/* Keep the read basis's facts for --explain, but deny. */
		out->outcome = q->action == NTK_ACTION_WRITE ? NTK_DENY_READ_ONLY :
		    NTK_DENY_NOT_CASE_MANAGER;
		return;
	}
	/* 7 */
	out->assignment = own_expired(s, q, clk->today);
	out->outcome = out->assignment != NULL ? NTK_DENY_ASSIGNMENT_EXPIRED :
	    NTK_DENY_NO_BUSINESS_REASON;
	/* Break-glass never allows a release, so it is no way out of that denial. */
	out->break_glass_eligible = q->action != NTK_ACTION_RELEASE &&
	    counting_find(&c, -1, NEED_BREAK_GLASS) != NULL;
}

void
ntk_policy_decide(const struct ntk_policy *policy,
    const struct ntk_subject *subject, const struct ntk_query *query,
    const struct ntk_clock *clock, struct ntk_decision *out)
{
	const struct ntk_role *stackbuf[32], **buf = stackbuf;
	const struct ntk_system *sys;

	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	out->outcome = NTK_DENY_UNKNOWN_SYSTEM;
	if (policy == NULL || query == NULL)
		return;
	/* The counting roles are at most the system's list; avoid malloc for the usual size. */
	if (query->system != NULL &&
	    (sys = ntk_policy_find_system(policy, query->system)) != NULL &&
	    sys->nroles > sizeof(stackbuf) / sizeof(stackbuf[0])) {
		if ((buf = calloc(sys->nroles, sizeof(*buf))) == NULL) {
			/* No memory: deny, the decision can never be an allow by error. */
			out->outcome = NTK_DENY_NO_BUSINESS_REASON;
			return;
		}
	}
	decide(policy, subject, query, clock, buf, out);
	if (buf != stackbuf)
		free(buf);
}

bool
ntk_outcome_allows(enum ntk_outcome outcome)
{
	switch (outcome) {
	case NTK_ALLOW_SYSTEM_ACCESS:
	case NTK_ALLOW_ASSIGNED:
	case NTK_ALLOW_SUPERVISOR:
	case NTK_ALLOW_ROLE:
	case NTK_ALLOW_BREAK_GLASS:
		return true;
	default:
		return false;
	}
}

const char *
ntk_outcome_name(enum ntk_outcome outcome)
{
	switch (outcome) {
	case NTK_ALLOW_SYSTEM_ACCESS: return "system-access";
	case NTK_ALLOW_ASSIGNED: return "assigned";
	case NTK_ALLOW_SUPERVISOR: return "supervisor";
	case NTK_ALLOW_ROLE: return "role";
	case NTK_ALLOW_BREAK_GLASS: return "break-glass";
	case NTK_DENY_UNKNOWN_SYSTEM: return "unknown-system";
	case NTK_DENY_UNKNOWN_USER: return "unknown-user";
	case NTK_DENY_SYSTEM_NOT_PERMITTED: return "system-not-permitted";
	case NTK_DENY_CASE_CLOSED: return "case-closed";
	case NTK_DENY_CASE_SEALED: return "case-sealed";
	case NTK_DENY_NO_BUSINESS_REASON: return "no-business-reason";
	case NTK_DENY_READ_ONLY: return "read-only";
	case NTK_DENY_ASSIGNMENT_EXPIRED: return "assignment-expired";
	case NTK_DENY_DIRECTORY_UNAVAILABLE: return "directory-unavailable";
	case NTK_DENY_ACCOUNT_DISABLED: return "account-disabled";
	case NTK_DENY_NOT_CASE_MANAGER: return "not-case-manager";
	}
	return "unknown";
}

bool
ntk_outcome_valid(uint32_t value)
{
	return value <= NTK_ALLOW_BREAK_GLASS ||
	    (value >= NTK_DENY_UNKNOWN_SYSTEM && value <= NTK_DENY_NOT_CASE_MANAGER);
}

int
ntk_decision_format(const struct ntk_decision *decision, char *buf, size_t len)
{
	const char *name;
	int n;

	if (buf == NULL || len == 0)
		return NTK_ERR_TOO_LONG;
	buf[0] = '\0';
	if (decision == NULL || !ntk_outcome_valid((uint32_t)decision->outcome))
		return NTK_ERR_BAD_VALUE;
	name = ntk_outcome_name(decision->outcome);
	if (decision->outcome == NTK_ALLOW_ROLE && decision->role != NULL &&
	    decision->role->name != NULL)
		n = snprintf(buf, len, "ALLOW rule=role:%s", decision->role->name);
	else if (ntk_outcome_allows(decision->outcome))
		n = snprintf(buf, len, "ALLOW rule=%s", name);
	else
		n = snprintf(buf, len, "DENY reason=%s", name);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return NTK_ERR_TOO_LONG;
	}
	return 0;
}

const struct ntk_system *
ntk_policy_find_system(const struct ntk_policy *policy, const char *name)
{
	size_t i;

	if (policy == NULL || name == NULL || policy->systems == NULL)
		return NULL;
	/* Case-sensitive: FACTS and facts are different systems. */
	for (i = 0; i < policy->nsystems; i++) {
		if (policy->systems[i].name != NULL &&
		    strcmp(policy->systems[i].name, name) == 0)
			return &policy->systems[i];
	}
	return NULL;
}

const struct ntk_role *
ntk_policy_find_role(const struct ntk_policy *policy, const char *name)
{
	size_t i;

	if (policy == NULL || name == NULL || policy->roles == NULL)
		return NULL;
	for (i = 0; i < policy->nroles; i++) {
		if (policy->roles[i].name != NULL &&
		    ntk_role_name_eq(policy->roles[i].name, name))
			return &policy->roles[i];
	}
	return NULL;
}

static const char *const action_names[] = { "login", "read", "write", "release" };
static const char *const state_names[] = { "open", "closed", "sealed" };
static const char *const scope_names[] = { "none", "assigned", "supervised", "all" };

static const char *
name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "unknown";
}

static int
parse_name(const char *const *names, size_t n, const char *s, int *out)
{
	size_t i;

	if (s == NULL)
		return NTK_ERR_BAD_VALUE;
	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return NTK_ERR_BAD_VALUE;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
ntk_action_name(enum ntk_action action)
{
	return name_of(action_names, NELEM(action_names), (int)action);
}

const char *
ntk_state_name(enum ntk_case_state state)
{
	return name_of(state_names, NELEM(state_names), (int)state);
}

const char *
ntk_scope_name(enum ntk_scope scope)
{
	return name_of(scope_names, NELEM(scope_names), (int)scope);
}

int
ntk_action_parse(const char *s, enum ntk_action *out)
{
	int v, r;

	if (out == NULL)
		return NTK_ERR_BAD_VALUE;
	if ((r = parse_name(action_names, NELEM(action_names), s, &v)) == 0)
		*out = (enum ntk_action)v;
	return r;
}

int
ntk_state_parse(const char *s, enum ntk_case_state *out)
{
	int v, r;

	if (out == NULL)
		return NTK_ERR_BAD_VALUE;
	if ((r = parse_name(state_names, NELEM(state_names), s, &v)) == 0)
		*out = (enum ntk_case_state)v;
	return r;
}

int
ntk_scope_parse(const char *s, enum ntk_scope *out)
{
	int v, r;

	if (out == NULL)
		return NTK_ERR_BAD_VALUE;
	if ((r = parse_name(scope_names, NELEM(scope_names), s, &v)) == 0)
		*out = (enum ntk_scope)v;
	return r;
}

void
ntk_policy_clear(struct ntk_policy *policy)
{
	size_t i;

	if (policy == NULL)
		return;
	for (i = 0; policy->roles != NULL && i < policy->nroles; i++)
		free(policy->roles[i].name);
	free(policy->roles);
	for (i = 0; policy->systems != NULL && i < policy->nsystems; i++) {
		free(policy->systems[i].name);
		free(policy->systems[i].role_idx);
		free(policy->systems[i].deny_message);
	}
	free(policy->systems);
	memset(policy, 0, sizeof(*policy));
}

void
ntk_assignment_clear(struct ntk_assignment *assignment)
{
	if (assignment == NULL)
		return;
	free(assignment->system);
	memset(assignment, 0, sizeof(*assignment));
}

void
ntk_subject_clear(struct ntk_subject *subject)
{
	size_t i;

	if (subject == NULL)
		return;
	free(subject->name);
	for (i = 0; subject->roles != NULL && i < subject->nroles; i++)
		free(subject->roles[i]);
	free(subject->roles);
	for (i = 0; subject->assignments != NULL && i < subject->nassignments; i++)
		ntk_assignment_clear(&subject->assignments[i]);
	free(subject->assignments);
	for (i = 0; subject->supervised != NULL && i < subject->nsupervised; i++) {
		ntk_assignment_clear(&subject->supervised[i].assignment);
		free(subject->supervised[i].holder);
	}
	free(subject->supervised);
	free(subject->grants);
	ntk_case_index_free(subject->index);
	memset(subject, 0, sizeof(*subject));
}
