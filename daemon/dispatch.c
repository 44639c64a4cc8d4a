/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of permitted requests: from one framed request to its handler and one framed reply. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "handlers.h"
#include "local_day.h"
#include "log.h"
#include "ntk_err.h"
#include "ntk_proto.h"

enum who {
	ANY,                            /* per-user limits are checked by the handler */
	ROOT,                           /* uid 0 only */
};

static const struct {
	uint16_t type;
	const char *name;               /* as logs and error replies name the request */
	enum who who;
	int (*fn)(struct ntkd_req *);
} table[] = {
	{ NTK_MSG_PING, "PING", ANY, ntkd_handle_ping },
	{ NTK_MSG_CHECK, "CHECK", ANY, ntkd_handle_check },
	{ NTK_MSG_FACTS, "FACTS", ANY, ntkd_handle_facts },
	{ NTK_MSG_REPORT, "REPORT", ANY, ntkd_handle_report },
	{ NTK_MSG_GROUP_BY_NAME, "GROUP_BY_NAME", ANY, ntkd_handle_group_by_name },
	{ NTK_MSG_GROUP_BY_GID, "GROUP_BY_GID", ANY, ntkd_handle_group_by_gid },
	{ NTK_MSG_INITGROUPS, "INITGROUPS", ANY, ntkd_handle_initgroups },
	{ NTK_MSG_GROUP_LIST, "GROUP_LIST", ANY, ntkd_handle_group_list },
	{ NTK_MSG_STATUS, "STATUS", ANY, ntkd_handle_status },
	{ NTK_MSG_FLUSH, "FLUSH", ROOT, ntkd_handle_flush },
};

static int
error_reply(struct ntk_buf *out, int code, const char *msg)
{
	int rc;

	if ((rc = ntk_proto_begin(out, NTK_MSG_ERROR)) == 0 &&
	    (rc = ntk_proto_encode_error(out, code, msg != NULL ? msg : ntk_strerror(code))) == 0)
		rc = ntk_proto_end(out);
	return rc;
}

bool
ntkd_dispatch(struct ntkd_worker *w, struct ntkd_peer *peer, uint16_t type,
    const uint8_t *body, size_t len, struct ntk_buf *out)
{
	struct ntkd *d = w->d;
	struct ntkd_req r;
	struct ntk_buf view;
	struct timespec ts;
	size_t i;
	int rc = NTK_ERR_BAD_TYPE;

	memset(&r, 0, sizeof(r));
	ntk_buf_view(&view, body, len);
	clock_gettime(CLOCK_REALTIME, &ts);
	r.d = d;
	r.w = w;
	r.peer = peer;
	r.type = type;
	r.body = &view;
	r.out = out;
	r.now = ts.tv_sec;
	r.today = ntkd_local_day(ts.tv_sec, NULL);
	pthread_mutex_lock(&d->snap_lock);
	r.snap = ntkd_snapshot_ref(d->snap);
	pthread_mutex_unlock(&d->snap_lock);
	atomic_fetch_add(&d->requests, 1);
	/* Once per connection: the peer's name and executable, for trust and audit. */
	ntkd_peer_resolve(peer);

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].type != type)
			continue;
		if (table[i].who == ROOT && peer->uid != 0) {
			ntkd_log(LOG_WARNING, "refused: peer uid %lu pid %ld sent a root-only request (%s)",
			    (unsigned long)peer->uid, (long)peer->pid, table[i].name);
			rc = NTK_ERR_DENIED;
			r.errmsg = "root only";
			break;
		}
		rc = table[i].fn(&r);
		break;
	}
	if (i == sizeof(table) / sizeof(table[0]))
		r.close = true;
	if (rc != 0) {
		if (rc != NTK_ERR_DENIED && rc != NTK_ERR_NOT_FOUND)
			ntkd_log(LOG_DEBUG, "request %s from uid %lu: %s",
			    i < sizeof(table) / sizeof(table[0]) ? table[i].name : "of unknown type",
			    (unsigned long)peer->uid, ntk_strerror(rc));
		if (error_reply(out, rc, r.errmsg) != 0)
			r.close = true;
	}
	ntkd_snapshot_unref(r.snap);
	return r.close;
}
