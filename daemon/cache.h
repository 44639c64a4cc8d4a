/* A bounded, thread-safe map from a name to a refcounted cached value (facts, groups). */
#ifndef NTKD_CACHE_H
#define NTKD_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The header every cached value starts with. The cache holds one
 * reference; ntkd_cache_get hands out another. `destroy` frees the
 * whole value when the last reference goes.
 */
struct ntkd_cached {
	atomic_uint refs;
	int64_t fetched;                /* unix seconds of the directory answer */
	void (*destroy)(struct ntkd_cached *);
};

struct ntkd_cache;

/* A cache of at most max_entries values; the oldest insert is evicted first. */
int ntkd_cache_new(size_t max_entries, struct ntkd_cache **out);
void ntkd_cache_free(struct ntkd_cache *c);

void ntkd_cached_init(struct ntkd_cached *v, int64_t fetched, void (*destroy)(struct ntkd_cached *));
struct ntkd_cached *ntkd_cached_ref(struct ntkd_cached *v);
void ntkd_cached_unref(struct ntkd_cached *v);

/* A new reference to the value for `key`, or NULL. Does not count hits. */
struct ntkd_cached *ntkd_cache_get(struct ntkd_cache *c, const char *key);
/* Insert or replace; the cache takes its own reference. */
int ntkd_cache_put(struct ntkd_cache *c, const char *key, struct ntkd_cached *v);
/* Drop `key` (NULL: everything); returns the number of entries dropped. */
size_t ntkd_cache_drop(struct ntkd_cache *c, const char *key);

void ntkd_cache_count(struct ntkd_cache *c, bool hit);
void ntkd_cache_stats(struct ntkd_cache *c, size_t *entries, unsigned long *hits,
    unsigned long *misses);

#endif /* NTKD_CACHE_H */
