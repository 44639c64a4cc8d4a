/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* At start, bind to the directory until it answers, so a wrong password or TLS setup is logged before the first login. */
#ifndef NTKD_STARTUP_PROBE_H
#define NTKD_STARTUP_PROBE_H

#include <pthread.h>
#include <stdbool.h>

#include "snapshot.h"

struct ntkd_startup_probe {
	pthread_t thread;
	bool started;
	bool stop;                      /* under lock: the daemon is stopping */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct ntkd_snapshot *snap;     /* a reference for the thread */
};

/*
 * Start a thread that connects, binds and looks up base on the config's
 * servers in order, as a request would, and tries again with a backoff
 * (1 s doubling to 30 s) until it succeeds: failures are logged with
 * LDAP's reason (the first at error level), mark the server down so status
 * shows it, and never hold up serving. After the first try, pass or fail,
 * it tells systemd READY=1 (ntkd_notify): call it once the socket listens.
 * Stop and join it before exit.
 */
void ntkd_startup_probe_start(struct ntkd_startup_probe *p, struct ntkd_snapshot *snap);
void ntkd_startup_probe_join(struct ntkd_startup_probe *p);

#endif /* NTKD_STARTUP_PROBE_H */
