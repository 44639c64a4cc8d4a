/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bounded, thread-safe map from a name to a refcounted cached value (facts, groups). */
#ifndef NTKD_CACHE_H
#define NTKD_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The header every cached value starts with. The cache holds one
 * reference; ntkd_cache_get hands out another. `destroy` frees the
 * whole value when the last reference goes.
 */
struct ntkd_cached {
	atomic_uint refs;
	int64_t fetched;                /* unix seconds of the directory answer */
	uint64_t epoch;                 /* ntkd_cache_epoch() before the directory was asked */
	void (*destroy)(struct ntkd_cached *);
};

struct ntkd_cache;

/* An entry put for root or a trusted peer: shared, counted against no uid. */
#define NTKD_CACHE_SHARED ((uid_t)-1)

/*
 * A cache of at most max_entries values; the oldest insert is evicted
 * first. An untrusted uid's inserts are partitioned: it holds at most
 * max_entries / 16 and only ever evicts its own, so no uid can push
 * anyone else's entries out.
 */
int ntkd_cache_new(size_t max_entries, struct ntkd_cache **out);
void ntkd_cache_free(struct ntkd_cache *c);

/* Also takes the epoch: call it before asking the directory, or use ntkd_cached_since. */
void ntkd_cached_init(struct ntkd_cached *v, int64_t fetched, void (*destroy)(struct ntkd_cached *));
/*
 * Drops are counted process-wide. A value whose directory fetch began
 * before a drop of its key (or of everything) is answered but never
 * cached: a change followed from the directory (dir_sync.c) must not be
 * undone by a fetch that read the entry just before it changed.
 */
uint64_t ntkd_cache_epoch(void);
/* For a value built after its answer: the epoch read before asking. */
void ntkd_cached_since(struct ntkd_cached *v, uint64_t epoch);
struct ntkd_cached *ntkd_cached_ref(struct ntkd_cached *v);
void ntkd_cached_unref(struct ntkd_cached *v);

/* A new reference to the value for `key`, or NULL. Does not count hits. */
struct ntkd_cached *ntkd_cache_get(struct ntkd_cache *c, const char *key);
/* Insert or replace, shared; the cache takes its own reference. */
int ntkd_cache_put(struct ntkd_cache *c, const char *key, struct ntkd_cached *v);
/*
 * The same on behalf of `owner` (an untrusted uid, or NTKD_CACHE_SHARED).
 * Over its share, or with the cache full, the owner's oldest entry goes;
 * with the cache full and nothing of its own to give up, the oldest entry
 * goes only if it was fetched before `stale_before` (no use to anyone:
 * it would be fetched again), else the value is simply not cached (0).
 * A replaced entry keeps its owner (shared, or the uid that put it).
 */
int ntkd_cache_put_for(struct ntkd_cache *c, const char *key, struct ntkd_cached *v, uid_t owner,
    int64_t stale_before);
/*
 * Drop `key` (NULL: everything); returns the number of entries dropped.
 * Every invalidation goes through here (FLUSH, reload, followed changes),
 * so a fetch racing it is not cached either (see ntkd_cache_epoch).
 */
size_t ntkd_cache_drop(struct ntkd_cache *c, const char *key);

void ntkd_cache_count(struct ntkd_cache *c, bool hit);
void ntkd_cache_stats(struct ntkd_cache *c, size_t *entries, unsigned long *hits,
    unsigned long *misses);

#endif /* NTKD_CACHE_H */
