/* The dispatch table, per-request context, peer trust, and PING. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "directory.h"
#include "dispatch.h"
#include "handlers.h"
#include "log.h"
#include "ntk_err.h"
#include "ntk_proto.h"

enum who {
	ANY,                            /* per-user limits are checked by the handler */
	ROOT,                           /* uid 0 only */
};

static const struct {
	uint16_t type;
	enum who who;
	int (*fn)(struct ntkd_req *);
} table[] = {
	{ NTK_MSG_PING, ANY, ntkd_handle_ping },
	{ NTK_MSG_CHECK, ANY, ntkd_handle_check },
	{ NTK_MSG_FACTS, ANY, ntkd_handle_facts },
	{ NTK_MSG_REPORT, ANY, ntkd_handle_report },
	{ NTK_MSG_GROUP_BY_NAME, ANY, ntkd_handle_group_by_name },
	{ NTK_MSG_GROUP_BY_GID, ANY, ntkd_handle_group_by_gid },
	{ NTK_MSG_INITGROUPS, ANY, ntkd_handle_initgroups },
	{ NTK_MSG_GROUP_LIST, ANY, ntkd_handle_group_list },
	{ NTK_MSG_STATUS, ANY, ntkd_handle_status },
	{ NTK_MSG_FLUSH, ROOT, ntkd_handle_flush },
};

void
ntkd_sanitize(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < outlen && o < 128; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (*s != '\0' && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

bool
ntkd_req_trusted(const struct ntkd_req *r)
{
	return ntkd_peer_trusted(r->snap, r->peer->uid);
}

int
ntkd_req_may_ask(struct ntkd_req *r, const char *user)
{
	char clean[160];

	if (ntkd_req_trusted(r))
		return 0;
	ntkd_peer_resolve(r->peer);
	if (r->peer->has_name && strcmp(r->peer->name, user) == 0)
		return 0;
	ntkd_sanitize(user, clean, sizeof(clean));
	ntkd_log(LOG_WARNING, "refused: peer uid %lu pid %ld (%s) asked about user \"%s\"",
	    (unsigned long)r->peer->uid, (long)r->peer->pid, r->peer->exe, clean);
	r->errmsg = "an untrusted peer may only ask about its own user";
	return NTK_ERR_DENIED;
}

int
ntkd_reply_begin(struct ntkd_req *r)
{
	return ntk_proto_begin(r->out, (uint16_t)(r->type | NTK_MSG_REPLY));
}

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

int
ntkd_worker_directory(struct ntkd_req *r, struct ntkd_directory **out)
{
	struct ntkd_worker *w = r->w;
	int rc;

	/* A reload replaced the config: the handle was opened with the old one. */
	if (w->dir != NULL && w->dir_snap != r->snap) {
		ntkd_directory_close(w->dir);
		ntkd_snapshot_unref(w->dir_snap);
		w->dir = NULL;
		w->dir_snap = NULL;
		w->dir_trips = 0;
	}
	if (w->dir == NULL) {
		if ((rc = ntkd_directory_open(&r->snap->config, &w->dir)) != 0) {
			w->dir = NULL;
			return rc;
		}
		w->dir_snap = ntkd_snapshot_ref(r->snap);
		w->dir_trips = 0;
	}
	*out = w->dir;
	return 0;
}

void
ntkd_worker_directory_done(struct ntkd_req *r, int result)
{
	struct ntkd_worker *w = r->w;
	struct ntkd *d = r->d;
	unsigned long trips;
	const char *server;

	if (w->dir == NULL)
		return;
	trips = ntkd_directory_round_trips(w->dir);
	atomic_fetch_add(&d->ldap_round_trips, trips - w->dir_trips);
	w->dir_trips = trips;
	server = ntkd_directory_server(w->dir);
	pthread_mutex_lock(&d->ldap_lock);
	d->ldap_up = result != NTK_ERR_UNAVAILABLE;
	d->ldap_tried = true;
	if (server != NULL && (d->ldap_server == NULL || strcmp(d->ldap_server, server) != 0)) {
		free(d->ldap_server);
		d->ldap_server = strdup(server);
	}
	pthread_mutex_unlock(&d->ldap_lock);
}

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
	r.today = (int32_t)(ts.tv_sec / 86400);
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
			ntkd_log(LOG_WARNING, "refused: peer uid %lu pid %ld sent a root-only request (type %u)",
			    (unsigned long)peer->uid, (long)peer->pid, type);
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
			ntkd_log(LOG_DEBUG, "request type %u from uid %lu: %s", type,
			    (unsigned long)peer->uid, ntk_strerror(rc));
		if (error_reply(out, rc, r.errmsg) != 0)
			r.close = true;
	}
	ntkd_snapshot_unref(r.snap);
	return r.close;
}
