/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The socket, the epoll loop and the worker pool. */
#ifndef NTKD_SERVER_H
#define NTKD_SERVER_H

#include "ntkd.h"

#define NTKD_MAX_CONNECTIONS 1024       /* lowered to fit RLIMIT_NOFILE when it is smaller */
#define NTKD_RESERVED_CONNECTIONS 64    /* of those, only for root and trusted_peers */
#define NTKD_READ_DEADLINE_MS 5000      /* a started message must complete within */
#define NTKD_WRITE_DEADLINE_MS 5000     /* a reply must be taken within */
#define NTKD_IDLE_CLOSE_MS (900 * 1000) /* an idle connection is closed after */
/* Untrusted peers: [daemon] max_connections_per_uid each, idle after untrusted_idle. */

/*
 * Create the listening socket at `path`: its directory when missing
 * (0755), a stale socket removed (a live daemon on it is an error), mode
 * 0666 (trust comes from SO_PEERCRED, not the file mode). Returns the fd
 * or a negative NTK_ERR_*; *why says what failed.
 */
int ntkd_server_listen(const char *path, const char **why);

/*
 * Serve on `lfd` with `nthreads` workers until SIGTERM/SIGINT arrive on
 * `sigfd` (a signalfd); SIGHUP reloads the config. Returns 0 after a clean
 * stop, with every worker joined and every connection closed.
 *
 * Fairness: each turn a connection gets one request answered, then goes
 * to the back of the ready list; one untrusted uid never has more than
 * nthreads - 1 workers at once (its other ready connections wait).
 */
int ntkd_server_run(struct ntkd *d, int lfd, int sigfd, unsigned nthreads);

/* Reload the config (reload.c): keep the old one when the new one is refused. */
void ntkd_reload(struct ntkd *d);

#endif /* NTKD_SERVER_H */
