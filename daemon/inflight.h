/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fetches in flight, by key: concurrent askers for one key wait for the first one's answer. */
#ifndef NTKD_INFLIGHT_H
#define NTKD_INFLIGHT_H

#include <pthread.h>
#include <stdint.h>

#include "cache.h"

struct ntkd_flight;

/* A table of fetches in flight; at most one per worker thread, so a list. */
struct ntkd_inflight {
	pthread_mutex_t lock;           /* never held across a fetch */
	struct ntkd_flight *list;
};

#define NTKD_INFLIGHT_INIT { PTHREAD_MUTEX_INITIALIZER, NULL }

/*
 * Join the fetch of `key` under config `generation`. When nobody is
 * fetching it, *lead is set: the caller fetches and must then call
 * ntkd_inflight_done. Otherwise (*lead NULL) the caller waits, at most
 * wait_ms, and gets the fetcher's result: 0 with a new reference in *value
 * (or NULL if it had none), its error, or NTK_ERR_UNAVAILABLE when the wait
 * ran out. NTK_ERR_NOMEM: neither.
 */
int ntkd_inflight_join(struct ntkd_inflight *t, const char *key, unsigned long generation,
    int64_t wait_ms, struct ntkd_flight **lead, struct ntkd_cached **value);

/* The fetch of `lead` ended: hand result and value (the table takes a reference) to its waiters. */
void ntkd_inflight_done(struct ntkd_inflight *t, struct ntkd_flight *lead, int result,
    struct ntkd_cached *value);

#endif /* NTKD_INFLIGHT_H */
