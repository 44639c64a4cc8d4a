/* At start, bind to the directory once, so a wrong password or TLS setup is logged before the first login. */
#ifndef NTKD_STARTUP_PROBE_H
#define NTKD_STARTUP_PROBE_H

#include <pthread.h>
#include <stdbool.h>

#include "snapshot.h"

struct ntkd_startup_probe {
	pthread_t thread;
	bool started;
	struct ntkd_snapshot *snap;     /* a reference for the thread */
};

/*
 * Start a thread that connects, binds and looks up base on the config's
 * servers in order, as a request would; failures are logged with LDAP's
 * reason, mark the server down (so status shows it) and start its backoff.
 * It never holds up serving. Join it before exit.
 */
void ntkd_startup_probe_start(struct ntkd_startup_probe *p, struct ntkd_snapshot *snap);
void ntkd_startup_probe_join(struct ntkd_startup_probe *p);

#endif /* NTKD_STARTUP_PROBE_H */
