/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What handlers share about the request they answer: peer trust, the reply frame, the worker's directory handle. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "handlers.h"
#include "log.h"
#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_proto.h"

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
	ntk_escape_log_str(user, clean, sizeof(clean));
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
