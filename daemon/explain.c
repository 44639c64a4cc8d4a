/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Explanation text for a decision: roles, counting roles, assignments, supervision, grants. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "ntk_escape.h"
#include "ntkd.h"
#include "ntk_assignment.h"

struct text {
	FILE *f;
	char *buf;
	size_t len;
};

static bool
role_listed(const struct ntk_system *sys, const struct ntk_policy *p, const char *name)
{
	size_t i;

	for (i = 0; sys != NULL && i < sys->nroles; i++)
		if (ntk_role_name_eq(p->roles[sys->role_idx[i]].name, name))
			return true;
	return false;
}

static bool
user_has(const struct ntk_subject *s, const char *role)
{
	size_t i;

	/* As the policy matches them: ignoring ASCII case. */
	for (i = 0; i < s->nroles; i++)
		if (ntk_role_name_eq(s->roles[i], role))
			return true;
	return false;
}

/* Does the role count for this query (scope and case state)? */
static const char *
role_counts(const struct ntk_role *role, const struct ntk_query *q)
{
	if (role->scope == NTK_SCOPE_NONE)
		return "cases = none";
	if (q->state == NTK_STATE_CLOSED && !role->closed)
		return "closed = no";
	if (q->state == NTK_STATE_SEALED && !role->sealed)
		return "sealed = no";
	return NULL;
}

static void
assignment_line(FILE *f, const char *prefix, const struct ntk_assignment *a,
    const struct ntk_query *q, const struct ntk_clock *clock)
{
	char date[11];

	if (a->until == NTK_NO_END)
		strcpy(date, "none");
	else
		ntk_date_format(a->until, date);
	fprintf(f, "\n%s%s (until %s, system %s, access %s): %s", prefix, a->case_id, date,
	    a->system != NULL ? a->system : "any", a->read_only ? "read" : "read/write",
	    ntk_assignment_active(a, q->system, clock->today) ? "active" :
	    (a->system != NULL && strcmp(a->system, q->system) != 0) ? "other system" : "expired");
}

static void
subject_lines(FILE *f, const struct ntkd_explain_in *in)
{
	const struct ntk_subject *s = in->subject;
	const struct ntk_query *q = in->query;
	const char *why;
	size_t i, n;

	fprintf(f, "\nfacts: from %s, %ld s old", ntkd_facts_source_name(in->source), in->age);
	if (!s->found) {
		fprintf(f, "\nuser %s: not in the directory", in->user);
		return;
	}
	if (s->disabled) {
		fprintf(f, "\nuser %s: in the directory, but the entry does not match staff_filter "
		    "(a disabled or departed account): nothing else counts", in->user);
		return;
	}
	fprintf(f, "\nroles:");
	for (i = 0; i < s->nroles; i++)
		fprintf(f, " %s", s->roles[i]);
	if (s->nroles == 0)
		fprintf(f, " none");
	fprintf(f, "\nroles listed for %s:", q->system);
	for (i = n = 0; i < s->nroles; i++)
		if (role_listed(in->system, in->policy, s->roles[i])) {
			fprintf(f, " %s", s->roles[i]);
			n++;
		}
	if (n == 0)
		fprintf(f, " none");
	if (q->action == NTK_ACTION_LOGIN)
		return;
	for (i = 0; i < in->system->nroles; i++) {
		const struct ntk_role *role = &in->policy->roles[in->system->role_idx[i]];

		if (!user_has(s, role->name))
			continue;
		why = role_counts(role, q);
		fprintf(f, "\nrole %s: cases=%s write=%s closed=%s sealed=%s break_glass=%s "
		    "release=%s: %s%s",
		    role->name, ntk_scope_name(role->scope), role->write ? "yes" : "no",
		    role->closed ? "yes" : "no", role->sealed ? "yes" : "no",
		    role->break_glass ? "yes" : "no", role->release ? "yes" : "no",
		    why != NULL ? "does not count, " : "counts", why != NULL ? why : "");
	}
	for (i = n = 0; i < s->nassignments; i++)
		if (strcmp(s->assignments[i].case_id, q->case_id) == 0) {
			assignment_line(f, "assignment ", &s->assignments[i], q, in->clock);
			n++;
		}
	if (n == 0)
		fprintf(f, "\nassignment for case %s: none", q->case_id);
	for (i = n = 0; i < s->nsupervised; i++)
		if (strcmp(s->supervised[i].assignment.case_id, q->case_id) == 0) {
			char prefix[NTK_NAME_MAX + 64];

			snprintf(prefix, sizeof(prefix), "supervision: %s (depth %u) holds ",
			    s->supervised[i].holder, s->supervised[i].depth);
			assignment_line(f, prefix, &s->supervised[i].assignment, q, in->clock);
			n++;
		}
	if (n == 0)
		fprintf(f, "\nsupervision: nobody below holds case %s (depth limit %u)",
		    q->case_id, in->policy->supervision_depth);
	for (i = n = 0; i < s->ngrants; i++)
		if (strcmp(s->grants[i].case_id, q->case_id) == 0 && s->grants[i].expires > in->clock->now) {
			/* A grant on another system is shown, but it does not count here. */
			fprintf(f, "\nbreak-glass grant for case %s on system %s: %lld s left%s",
			    q->case_id, s->grants[i].system,
			    (long long)(s->grants[i].expires - in->clock->now),
			    strcmp(s->grants[i].system, q->system) == 0 ? "" : " (another system: does not count)");
			n++;
		}
	if (n == 0)
		fprintf(f, "\nbreak-glass grant: none");
}

/*
 * Rule 6b for a release: which bases would allow it, so a refused worker
 * (or the supervisor who may read but not release) sees what is missing.
 */
static void
release_line(FILE *f, const struct ntkd_explain_in *in)
{
	const struct ntk_subject *s = in->subject;
	size_t i, n = 0;

	fprintf(f, "\nrelease: allowed by an own active assignment without access=read, or by a "
	    "counting role with release = yes (on its own when it reaches every case, else for "
	    "an own active assignment, read-only too); never by supervision or break-glass"
	    "\ncounting roles with release = yes:");
	for (i = 0; i < in->system->nroles; i++) {
		const struct ntk_role *role = &in->policy->roles[in->system->role_idx[i]];

		if (role->release && role_counts(role, in->query) == NULL &&
		    user_has(s, role->name)) {
			fprintf(f, " %s", role->name);
			n++;
		}
	}
	if (n == 0)
		fprintf(f, " none");
	if (in->decision->outcome == NTK_DENY_NOT_CASE_MANAGER)
		fprintf(f, "\nrelease: the basis below allows reading, not releasing");
}

/* What the decision rests on (the verdict line itself is printed by ntkctl). */
static void
basis_line(FILE *f, const struct ntkd_explain_in *in)
{
	const struct ntk_decision *d = in->decision;

	if (d->assignment != NULL)
		fprintf(f, "\nbasis: own assignment to case %s", d->assignment->case_id);
	else if (d->via != NULL)
		fprintf(f, "\nbasis: supervises %s (depth %u), assigned to case %s",
		    d->via->holder, d->via->depth, d->via->assignment.case_id);
	else if (d->outcome == NTK_ALLOW_ROLE && d->role != NULL)
		fprintf(f, "\nbasis: role %s covers every case", d->role->name);
	else if (d->grant != NULL)
		fprintf(f, "\nbasis: break-glass grant for case %s on system %s",
		    d->grant->case_id, d->grant->system);
	else if (d->outcome == NTK_ALLOW_SYSTEM_ACCESS)
		fprintf(f, "\nbasis: a role listed for the system");
	else
		fprintf(f, "\nbasis: none%s", d->break_glass_eligible ?
		    " (break-glass possible with --reason)" : "");
}

char *
ntkd_explain(const struct ntkd_explain_in *in)
{
	struct text t = { NULL, NULL, 0 };
	struct ntkd_explain_in clean = *in;
	struct ntk_query cq = *in->query;
	const struct ntk_query *q = &cq;
	char user[160], sys[160], cs[160];

	/* Names come from the peer: no control characters into a terminal. */
	ntk_escape_log_str(in->user, user, sizeof(user));
	ntk_escape_log_str(q->system, sys, sizeof(sys));
	ntk_escape_log_str(cq.case_id != NULL ? cq.case_id : "", cs, sizeof(cs));
	cq.case_id = cs;
	clean.user = user;
	clean.query = &cq;
	in = &clean;

	if ((t.f = open_memstream(&t.buf, &t.len)) == NULL)
		return NULL;
	fprintf(t.f, "request: user %s, system %s, action %s", user, sys,
	    ntk_action_name(q->action));
	if (q->action != NTK_ACTION_LOGIN)
		fprintf(t.f, ", case %s (%s)", q->case_id, ntk_state_name(q->state));
	if (in->system == NULL)
		fprintf(t.f, "\nsystem %s: not declared in the config", sys);
	else if (in->subject == NULL)
		fprintf(t.f, "\nfacts: directory unavailable and nothing usable cached");
	else
		subject_lines(t.f, in);
	if (q->action == NTK_ACTION_RELEASE && in->system != NULL && in->subject != NULL &&
	    in->subject->found && !in->subject->disabled)
		release_line(t.f, in);
	if (in->break_glass != NULL)
		fprintf(t.f, "\n%s", in->break_glass);
	basis_line(t.f, in);
	if (fclose(t.f) != 0) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}
