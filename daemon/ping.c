/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PING: an empty request answered with an empty reply, for liveness checks. */
#include "config.h"

#include "handlers.h"
#include "ntk_err.h"
#include "ntk_proto.h"

int
ntkd_handle_ping(struct ntkd_req *r)
{
	int rc;

	if (ntk_buf_remaining(r->body) != 0) {
		r->close = true;
		return NTK_ERR_TRAILING;
	}
	if ((rc = ntkd_reply_begin(r)) != 0)
		return rc;
	return ntk_proto_end(r->out);
}
