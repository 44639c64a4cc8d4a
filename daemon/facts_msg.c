/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FACTS: the facts a SQL plugin needs to decide rows in-process, for one system. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "grants.h"
#include "handlers.h"
#include "local_day.h"
#include "ntk_err.h"
#include "ntk_proto.h"

/* Most seconds a plugin may reuse facts, whatever the cache ttl. */
#define FACTS_MAX_AGE 60

static int
send_facts(struct ntkd_req *r, const struct ntk_facts_rep *rep)
{
	int rc;

	if ((rc = ntkd_reply_begin(r)) == 0 &&
	    (rc = ntk_proto_encode_facts_rep(r->out, rep)) == 0)
		rc = ntk_proto_end(r->out);
	return rc;
}

int
ntkd_handle_facts(struct ntkd_req *r)
{
	const struct ntk_policy *policy = &r->snap->config.policy;
	const struct ntk_system *sys;
	struct ntk_facts_req q;
	struct ntk_facts_rep rep;
	struct ntkd_facts *facts = NULL;
	enum ntkd_facts_source source;
	struct ntk_decision dec;
	struct ntk_query login;
	struct ntk_role *roles = NULL;
	struct ntk_system subsys;
	size_t *idx = NULL, i;
	int64_t left, to_midnight;
	int rc;

	memset(&rep, 0, sizeof(rep));
	memset(&subsys, 0, sizeof(subsys));
	if ((rc = ntk_proto_decode_facts_req(r->body, &q)) != 0) {
		r->close = true;
		return rc;
	}
	if (q.user[0] == '\0' || q.system[0] == '\0') {
		r->errmsg = "user and system are required";
		rc = NTK_ERR_BAD_VALUE;
		goto out;
	}
	if ((rc = ntkd_req_may_ask(r, q.user)) != 0)
		goto out;
	rep.clock.today = r->today;
	rep.clock.now = r->now;
	if ((sys = ntk_policy_find_system(policy, q.system)) == NULL) {
		rep.outcome = NTK_DENY_UNKNOWN_SYSTEM;
		goto send;
	}
	/* With every outcome: the plugin shows it to whoever its rows or checks deny. */
	rep.deny_message = sys->deny_message;
	if ((rc = ntkd_facts_get(r, q.user, &facts, &source)) == NTK_ERR_UNAVAILABLE) {
		rep.outcome = NTK_DENY_DIRECTORY_UNAVAILABLE;
		goto send;
	} else if (rc != 0) {
		goto out;
	}
	rep.subject = facts->subject;
	if ((rc = ntkd_grants_for(r->d->grants, q.user, r->now, &rep.subject.grants,
	    &rep.subject.ngrants)) != 0)
		goto out;
	memset(&login, 0, sizeof(login));
	login.system = q.system;
	login.action = NTK_ACTION_LOGIN;
	ntk_policy_decide(policy, &rep.subject, &login, &rep.clock, &dec);
	if (dec.outcome != NTK_ALLOW_SYSTEM_ACCESS) {
		free(rep.subject.grants);
		memset(&rep.subject, 0, sizeof(rep.subject));
		rep.outcome = dec.outcome;
		goto send;
	}
	/* Only the asked system and its roles, re-indexed from 0. */
	if (sys->nroles > 0 && ((roles = calloc(sys->nroles, sizeof(*roles))) == NULL ||
	    (idx = calloc(sys->nroles, sizeof(*idx))) == NULL)) {
		rc = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < sys->nroles; i++) {
		roles[i] = policy->roles[sys->role_idx[i]];
		idx[i] = i;
	}
	subsys.name = sys->name;
	subsys.role_idx = idx;
	subsys.nroles = sys->nroles;
	rep.policy.roles = roles;
	rep.policy.nroles = sys->nroles;
	rep.policy.systems = &subsys;
	rep.policy.nsystems = 1;
	rep.policy.supervision_depth = policy->supervision_depth;
	rep.outcome = NTK_ALLOW_SYSTEM_ACCESS;
	left = facts->base.fetched + (int64_t)r->snap->config.cache_ttl - r->now;
	/* Never past the local midnight: the caller's `today` is ours and does not move. */
	(void)ntkd_local_day(r->now, &to_midnight);
	if (left > to_midnight)
		left = to_midnight;
	rep.max_age = left <= 0 ? 0 : left > FACTS_MAX_AGE ? FACTS_MAX_AGE : (uint32_t)left;
 send:
	rc = send_facts(r, &rep);
 out:
	free(rep.subject.grants);
	free(roles);
	free(idx);
	ntkd_facts_unref(facts);
	ntk_facts_req_clear(&q);
	return rc;
}
