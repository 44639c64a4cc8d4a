/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd's shared state: the daemon object, a worker's context and one request's context. */
#ifndef NTKD_NTKD_H
#define NTKD_NTKD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ntk_buf.h"
#include "ntk_config.h"
#include "peer.h"
#include "snapshot.h"

struct ntkd_cache;
struct ntkd_grants;
struct ntkd_audit;
struct ntkd_directory;
struct ntkd_dir_sync;

struct ntkd {
	const char *config_path;
	int64_t started;                /* unix seconds */

	pthread_mutex_t snap_lock;      /* guards snap: requests take a reference */
	struct ntkd_snapshot *snap;

	struct ntkd_cache *facts;       /* user name -> struct ntkd_facts */
	struct ntkd_cache *groups;      /* group name -> struct ntkd_group_entry */
	struct ntkd_grants *grants;
	struct ntkd_audit *audit;
	struct ntkd_dir_sync *sync;     /* the change subscription, or NULL */

	/* For STATUS. */
	pthread_mutex_t ldap_lock;
	char *ldap_server;              /* last server used, or NULL */
	bool ldap_up;
	bool ldap_tried;                /* any LDAP operation yet */
	atomic_ulong ldap_round_trips;
	atomic_ulong requests;
	atomic_uint connections;
};

/* One worker thread: its own directory handle (libldap handles are per thread). */
struct ntkd_worker {
	struct ntkd *d;
	pthread_t thread;
	struct ntkd_directory *dir;
	struct ntkd_snapshot *dir_snap; /* the config dir was opened with */
	unsigned long dir_trips;        /* round trips already added to d->ldap_round_trips */
};

/* One request being answered. */
struct ntkd_req {
	struct ntkd *d;
	struct ntkd_worker *w;
	struct ntkd_snapshot *snap;     /* a reference held for the request */
	struct ntkd_peer *peer;
	uint16_t type;
	struct ntk_buf *body;           /* a view of the request body */
	struct ntk_buf *out;            /* the framed reply, written by the handler */
	const char *errmsg;             /* for an error reply; static text */
	bool close;                     /* drop the connection after replying */
	int64_t now;
	int32_t today;
};

/* The worker's directory handle for the request's config, (re)opened as needed. */
int ntkd_worker_directory(struct ntkd_req *r, struct ntkd_directory **out);
/* After a directory call: account round trips and the server's state. */
void ntkd_worker_directory_done(struct ntkd_req *r, int result);

/* True when the peer may ask about any user (root or a trusted_peers uid). */
bool ntkd_req_trusted(const struct ntkd_req *r);
/*
 * May this peer ask about `user`? Trusted peers: always; others only
 * about their own user name. A refusal is logged with the peer and the
 * (sanitised) name, and returns NTK_ERR_DENIED.
 */
int ntkd_req_may_ask(struct ntkd_req *r, const char *user);


#endif /* NTKD_NTKD_H */
