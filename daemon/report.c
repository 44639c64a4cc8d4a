/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* REPORT: a SQL plugin's summary of one filtering statement, as one ntk-statement record. */
#include "config.h"

#include <string.h>

#include "audit.h"
#include "handlers.h"
#include "ntk_err.h"
#include "ntk_proto.h"

int
ntkd_handle_report(struct ntkd_req *r)
{
	struct ntk_report_req q;
	struct ntkd_audit_rec *rec = NULL;
	struct ntkd_audit_asker who;
	size_t ncases;
	int rc;

	if ((rc = ntk_proto_decode_report_req(r->body, &q)) != 0) {
		r->close = true;
		return rc;
	}
	if ((rc = ntkd_req_may_ask(r, q.user)) != 0)
		goto out;
	/* Allowed rows are summarised only for a release, the one action audited when allowed. */
	if (ntk_outcome_allows(q.outcome) && q.action != NTK_ACTION_RELEASE) {
		r->errmsg = "an allowed outcome is reported only for a release";
		rc = NTK_ERR_BAD_VALUE;
		goto out;
	}
	ntkd_peer_resolve(r->peer);
	ncases = q.ncases > NTK_REPORT_CASES_MAX ? NTK_REPORT_CASES_MAX : q.ncases;
	if ((rc = ntkd_audit_rec_statement(q.user, q.system, q.action, q.outcome, q.rows,
	    q.cases, ncases, q.query_id, r->peer, &rec)) != 0)
		goto out;
	/* An untrusted uid may report about itself: its records count against its budget. */
	ntkd_audit_submit_for(r->d->audit, ntkd_audit_asker(r, q.user, q.system,
	    ncases > 0 ? q.cases[0] : NULL, q.action, q.outcome, &who), rec);
	if ((rc = ntkd_reply_begin(r)) == 0)
		rc = ntk_proto_end(r->out);
 out:
	ntk_report_req_clear(&q);
	return rc;
}
