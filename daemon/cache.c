/* A chained hash table with an insertion-ordered list for eviction, behind one mutex. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "ntk_err.h"

#define CACHE_BUCKETS 16384u

struct entry {
	char *key;
	struct ntkd_cached *value;
	struct entry *next;             /* bucket chain */
	struct entry *older, *newer;    /* insertion order */
};

struct ntkd_cache {
	pthread_mutex_t lock;
	struct entry *buckets[CACHE_BUCKETS];
	struct entry *oldest, *newest;
	size_t count, max;
	atomic_ulong hits, misses;
};

static size_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h % CACHE_BUCKETS);
}

int
ntkd_cache_new(size_t max_entries, struct ntkd_cache **out)
{
	struct ntkd_cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NTK_ERR_NOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->max = max_entries > 0 ? max_entries : 1;
	*out = c;
	return 0;
}

void
ntkd_cached_init(struct ntkd_cached *v, int64_t fetched, void (*destroy)(struct ntkd_cached *))
{
	atomic_init(&v->refs, 1);
	v->fetched = fetched;
	v->destroy = destroy;
}

struct ntkd_cached *
ntkd_cached_ref(struct ntkd_cached *v)
{
	atomic_fetch_add(&v->refs, 1);
	return v;
}

void
ntkd_cached_unref(struct ntkd_cached *v)
{
	if (v != NULL && atomic_fetch_sub(&v->refs, 1) == 1)
		v->destroy(v);
}

/* Unlink an entry from both structures (lock held); returns it for freeing. */
static void
unlink_entry(struct ntkd_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[hash(e->key)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	c->count--;
}

static void
free_entry(struct entry *e)
{
	ntkd_cached_unref(e->value);
	free(e->key);
	free(e);
}

static struct entry *
find(struct ntkd_cache *c, const char *key)
{
	struct entry *e;

	for (e = c->buckets[hash(key)]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

struct ntkd_cached *
ntkd_cache_get(struct ntkd_cache *c, const char *key)
{
	struct entry *e;
	struct ntkd_cached *v = NULL;

	pthread_mutex_lock(&c->lock);
	if ((e = find(c, key)) != NULL)
		v = ntkd_cached_ref(e->value);
	pthread_mutex_unlock(&c->lock);
	return v;
}

int
ntkd_cache_put(struct ntkd_cache *c, const char *key, struct ntkd_cached *v)
{
	struct entry *e, *old, *evict = NULL;

	if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = strdup(key)) == NULL) {
		free(e);
		return NTK_ERR_NOMEM;
	}
	e->value = ntkd_cached_ref(v);
	pthread_mutex_lock(&c->lock);
	if ((old = find(c, key)) != NULL)
		unlink_entry(c, old);
	else if (c->count >= c->max && (evict = c->oldest) != NULL)
		unlink_entry(c, evict);
	e->next = c->buckets[hash(key)];
	c->buckets[hash(key)] = e;
	e->older = c->newest;
	if (c->newest != NULL)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->count++;
	pthread_mutex_unlock(&c->lock);
	/* Free outside the lock: a destroy may be slow. */
	if (old != NULL)
		free_entry(old);
	if (evict != NULL)
		free_entry(evict);
	return 0;
}

size_t
ntkd_cache_drop(struct ntkd_cache *c, const char *key)
{
	struct entry *e, *list = NULL, *next;
	size_t n = 0;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	if (key != NULL) {
		if ((e = find(c, key)) != NULL) {
			unlink_entry(c, e);
			e->next = list;
			list = e;
		}
	} else {
		while ((e = c->oldest) != NULL) {
			unlink_entry(c, e);
			e->next = list;
			list = e;
		}
	}
	pthread_mutex_unlock(&c->lock);
	for (e = list; e != NULL; e = next) {
		next = e->next;
		free_entry(e);
		n++;
	}
	return n;
}

void
ntkd_cache_count(struct ntkd_cache *c, bool hit)
{
	atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
}

void
ntkd_cache_stats(struct ntkd_cache *c, size_t *entries, unsigned long *hits,
    unsigned long *misses)
{
	pthread_mutex_lock(&c->lock);
	*entries = c->count;
	pthread_mutex_unlock(&c->lock);
	*hits = atomic_load(&c->hits);
	*misses = atomic_load(&c->misses);
}

void
ntkd_cache_free(struct ntkd_cache *c)
{
	if (c == NULL)
		return;
	ntkd_cache_drop(c, NULL);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
