/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CHECK: one decision, break-glass, its audit record and its explanation. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "explain.h"
#include "facts.h"
#include "grants.h"
#include "handlers.h"
#include "log.h"
#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_proto.h"

struct check {
	struct ntkd_req *r;
	const struct ntk_check_req *q;
	const struct ntk_policy *policy;
	const struct ntk_system *sys;
	struct ntkd_facts *facts;
	enum ntkd_facts_source source;
	struct ntk_subject subject;             /* shallow copy of facts + grants */
	struct ntk_grant *grants;               /* owned; one spare slot for break-glass */
	size_t ngrants;
	struct ntk_query query;
	struct ntk_clock clock;
	struct ntk_decision dec;
	const char *bg_note;
	char verdict[NTK_NAME_MAX + 64];
};

/* Load the user's grants into the subject copy, leaving a spare slot. */
static int
load_grants(struct check *c)
{
	struct ntk_grant *g, *ng;
	size_t n;
	int rc;

	if ((rc = ntkd_grants_for(c->r->d->grants, c->q->user, c->r->now, &g, &n)) != 0)
		return rc;
	if ((ng = realloc(g, (n + 1) * sizeof(*ng))) == NULL) {
		free(g);
		return NTK_ERR_NOMEM;
	}
	free(c->grants);
	c->grants = ng;
	c->ngrants = n;
	c->subject.grants = n > 0 ? c->grants : NULL;
	c->subject.ngrants = n;
	return 0;
}

static void
decide(struct check *c)
{
	ntk_policy_decide(c->policy, &c->subject, &c->query, &c->clock, &c->dec);
}

static void
audit_fields(struct check *c, struct ntkd_audit_decision *a)
{
	memset(a, 0, sizeof(*a));
	a->user = c->q->user;
	a->system = c->q->system;
	a->action = c->q->action;
	a->case_id = c->q->case_id;
	a->state = c->q->state;
	a->verdict = c->verdict;
	a->allowed = ntk_outcome_allows(c->dec.outcome);
	a->rhost = c->q->rhost;
	a->tty = c->q->tty;
}

/*
 * A stated emergency on a denied case the user's role may break glass
 * for. The grant exists only once its audit record is written.
 */
static int
break_glass(struct check *c)
{
	unsigned minutes = c->r->snap->config.break_glass_minutes;
	struct ntkd_audit_decision a;
	struct ntkd_audit_rec *rec = NULL;
	struct ntk_grant *g = &c->grants[c->ngrants];
	enum ntkd_bg_refusal why = NTKD_BG_WRITE_FAILED;
	int rc;

	memset(g, 0, sizeof(*g));
	if (strlen(c->q->case_id) > NTK_CASE_ID_MAX || strlen(c->q->system) > NTK_NAME_MAX)
		return 0;
	strcpy(g->case_id, c->q->case_id);
	strcpy(g->system, c->q->system);
	g->expires = c->r->now + (int64_t)minutes * 60;
	if (c->q->flags & NTK_CHECK_DRY_RUN) {
		c->subject.grants = c->grants;
		c->subject.ngrants = c->ngrants + 1;
		decide(c);
		c->bg_note = "break-glass: would be granted (dry run: nothing granted, nothing audited)";
		return 0;
	}
	audit_fields(c, &a);
	/* Granted only once the record is in auditd's log: the kernel may take it and drop it. */
	if ((rc = ntkd_audit_rec_break_glass(&a, c->q->reason, minutes, c->r->peer, &rec)) != 0 ||
	    (rc = ntkd_audit_write_confirmed(c->r->d->audit, rec, c->r->snap->config.auditd_log_file,
	    c->r->snap->config.audit_confirm_ms, &why)) != 0) {
		ntkd_log(LOG_WARNING, "break-glass refused for peer uid %lu: audit record not in "
		    "auditd's log (%s)", (unsigned long)c->r->peer->uid, ntkd_bg_refusal_name(why));
		c->bg_note = "break-glass: refused, its audit record did not reach auditd's log "
		    "(ntkctl status: break_glass_last_refusal)";
		return 0;
	}
	if ((rc = ntkd_grants_add(c->r->d->grants, c->q->user, c->q->system,
	    c->q->case_id, g->expires)) != 0)
		return rc;
	if ((rc = load_grants(c)) != 0)
		return rc;
	decide(c);
	c->bg_note = "break-glass: granted and audited";
	return 0;
}

static void
audit_decision(struct check *c)
{
	struct ntkd_audit_decision a;
	struct ntkd_audit_asker who;
	struct ntkd_audit_rec *rec = NULL;
	bool allowed = ntk_outcome_allows(c->dec.outcome);

	if (c->q->flags & NTK_CHECK_DRY_RUN)
		return;
	/*
	 * Logins and denials always; case allows on request, but break-glass
	 * and releases always: a disclosure is what security reviews.
	 */
	if (c->q->action != NTK_ACTION_LOGIN && allowed && !c->r->snap->config.audit_allows &&
	    c->dec.outcome != NTK_ALLOW_BREAK_GLASS && c->q->action != NTK_ACTION_RELEASE)
		return;
	audit_fields(c, &a);
	if (ntkd_audit_rec_decision(&a, c->r->peer, &rec) != 0) {
		ntkd_log(LOG_ERR, "audit record could not be formatted: %s", c->verdict);
		return;
	}
	ntkd_audit_submit_for(c->r->d->audit, ntkd_audit_asker(c->r, c->q->user, c->q->system,
	    c->q->action != NTK_ACTION_LOGIN ? c->q->case_id : NULL, c->q->action, c->dec.outcome,
	    &who), rec);
}

/*
 * The end of the grant a break-glass allow rests on: made by this request
 * or earlier, never the one a dry run only imagined (the spare slot).
 */
static int64_t
grant_expires(const struct check *c)
{
	size_t i;

	if (c->dec.outcome != NTK_ALLOW_BREAK_GLASS || c->sys == NULL)
		return 0;
	for (i = 0; i < c->ngrants; i++)
		if (strcmp(c->grants[i].case_id, c->q->case_id) == 0 &&
		    strcmp(c->grants[i].system, c->sys->name) == 0)
			return c->grants[i].expires > 0 ? c->grants[i].expires : 0;
	return 0;
}

static int
reply(struct check *c)
{
	struct ntk_check_rep rep = { .outcome = c->dec.outcome, .verdict = c->verdict };
	struct ntkd_explain_in in;
	int rc;

	rep.explain = NULL;
	rep.grant_expires = grant_expires(c);
	/* What the person denied is told, from the system's config; an allow needs no advice. */
	rep.deny_message = !ntk_outcome_allows(c->dec.outcome) && c->sys != NULL ?
	    c->sys->deny_message : NULL;
	if (c->q->flags & NTK_CHECK_EXPLAIN) {
		memset(&in, 0, sizeof(in));
		in.policy = c->policy;
		in.system = c->sys;
		in.query = &c->query;
		in.clock = &c->clock;
		in.subject = c->facts != NULL ? &c->subject : NULL;
		in.source = c->source;
		in.age = c->facts != NULL ? (long)(c->r->now - c->facts->base.fetched) : 0;
		in.user = c->q->user;
		in.break_glass = c->bg_note;
		in.verdict = c->verdict;
		in.decision = &c->dec;
		if ((rep.explain = ntkd_explain(&in)) == NULL)
			return NTK_ERR_NOMEM;
	}
	if ((rc = ntkd_reply_begin(c->r)) == 0 &&
	    (rc = ntk_proto_encode_check_rep(c->r->out, &rep)) == 0)
		rc = ntk_proto_end(c->r->out);
	free(rep.explain);
	return rc;
}

int
ntkd_handle_check(struct ntkd_req *r)
{
	struct ntk_check_req q;
	struct check c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = ntk_proto_decode_check_req(r->body, &q)) != 0) {
		r->close = true;
		return rc;
	}
	c.r = r;
	c.q = &q;
	if (q.user[0] == '\0' || q.system[0] == '\0' ||
	    (q.action != NTK_ACTION_LOGIN && q.case_id[0] == '\0')) {
		r->errmsg = "user, system and (past login) case are required";
		rc = NTK_ERR_BAD_VALUE;
		goto out;
	}
	if ((rc = ntkd_req_may_ask(r, q.user)) != 0)
		goto out;
	c.policy = &r->snap->config.policy;
	c.query.system = q.system;
	c.query.action = q.action;
	c.query.case_id = q.action == NTK_ACTION_LOGIN ? NULL : q.case_id;
	c.query.state = q.state;
	c.clock.today = r->today;
	c.clock.now = r->now;

	/* An undeclared system is decided without touching LDAP. */
	if ((c.sys = ntk_policy_find_system(c.policy, q.system)) == NULL) {
		c.dec.outcome = NTK_DENY_UNKNOWN_SYSTEM;
	} else if ((rc = ntkd_facts_get(r, q.user, &c.facts, &c.source)) == NTK_ERR_UNAVAILABLE) {
		c.dec.outcome = NTK_DENY_DIRECTORY_UNAVAILABLE;
	} else if (rc != 0) {
		goto out;
	} else {
		c.subject = c.facts->subject;
		if ((rc = load_grants(&c)) != 0)
			goto out;
		decide(&c);
		if (q.reason[0] != '\0' && !ntk_outcome_allows(c.dec.outcome) &&
		    c.dec.break_glass_eligible && q.action != NTK_ACTION_LOGIN &&
		    (rc = break_glass(&c)) != 0)
			goto out;
	}
	rc = 0;
	if ((rc = ntk_decision_format(&c.dec, c.verdict, sizeof(c.verdict))) != 0)
		goto out;
	audit_decision(&c);
	if (ntkd_log_debugging()) {
		char u[160], cs[160];

		ntk_escape_log_str(q.user, u, sizeof(u));
		ntk_escape_log_str(q.case_id, cs, sizeof(cs));
		ntkd_log(LOG_DEBUG, "check from uid %lu: user \"%s\" %s %s case \"%s\": %s%s",
		    (unsigned long)r->peer->uid, u, c.sys != NULL ? c.sys->name : "(unknown system)",
		    ntk_action_name(q.action), cs, c.verdict,
		    (q.flags & NTK_CHECK_DRY_RUN) ? " (dry run)" : "");
	}
	rc = reply(&c);
 out:
	ntkd_facts_unref(c.facts);
	free(c.grants);
	ntk_check_req_clear(&q);
	return rc;
}
