/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A chained hash table with insertion-ordered lists (all, and per untrusted uid) for eviction, behind one mutex. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "nss_map.h"
#include "ntk_strset.h"
#include "ntk_err.h"

#define CACHE_BUCKETS 16384u
#define OWNER_BUCKETS 256u
#define UID_SHARE_DIVISOR 16            /* an untrusted uid holds at most max / 16 */
#define RECENT_DROPS 256u               /* keys remembered for fetches racing a drop */

/* Bumped by every drop; 0 is never a drop's. */
static atomic_uint_fast64_t drop_epoch = 1;

struct entry;

/* The entries one untrusted uid put, oldest first; exists while it has any. */
struct owner {
	uid_t uid;
	size_t count;
	struct entry *oldest, *newest;
	struct owner *next;             /* bucket chain */
};

struct entry {
	char *key;
	struct ntkd_cached *value;
	struct owner *owner;            /* NULL: shared */
	struct entry *next;             /* bucket chain */
	struct entry *older, *newer;    /* insertion order */
	struct entry *own_older, *own_newer;    /* insertion order within the owner */
};

struct ntkd_cache {
	pthread_mutex_t lock;
	struct entry *buckets[CACHE_BUCKETS];
	struct entry *oldest, *newest;
	struct owner *owners[OWNER_BUCKETS];
	size_t count, max, uid_max;
	atomic_ulong hits, misses;
	/* Recent drops, a ring: a value fetched before one of them is not cached. */
	struct {
		uint64_t hash;
		uint64_t epoch;
	} recent[RECENT_DROPS];
	size_t recent_next;
	uint64_t forgotten;             /* newest epoch the ring no longer holds */
	uint64_t all_dropped;           /* epoch of the last drop of everything */
	uint64_t last_drop;
};

static size_t
hash(const char *s)
{
	return (size_t)(ntk_str_hash(s) % CACHE_BUCKETS);
}

int
ntkd_cache_new(size_t max_entries, struct ntkd_cache **out)
{
	struct ntkd_cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NTK_ERR_NOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->max = max_entries > 0 ? max_entries : 1;
	c->uid_max = c->max / UID_SHARE_DIVISOR > 0 ? c->max / UID_SHARE_DIVISOR : 1;
	*out = c;
	return 0;
}

uint64_t
ntkd_cache_epoch(void)
{
	return atomic_load(&drop_epoch);
}

void
ntkd_cached_init(struct ntkd_cached *v, int64_t fetched, void (*destroy)(struct ntkd_cached *))
{
	atomic_init(&v->refs, 1);
	v->fetched = fetched;
	v->epoch = ntkd_cache_epoch();
	v->destroy = destroy;
}

void
ntkd_cached_since(struct ntkd_cached *v, uint64_t epoch)
{
	v->epoch = epoch;
}

/* Remember a drop of `key` (NULL: everything), lock held. */
static void
note_drop(struct ntkd_cache *c, const char *key)
{
	uint64_t e = atomic_fetch_add(&drop_epoch, 1) + 1;
	size_t i;

	c->last_drop = e;
	if (key == NULL) {
		c->all_dropped = e;
		return;
	}
	i = c->recent_next++ % RECENT_DROPS;
	if (c->recent[i].epoch > c->forgotten)
		c->forgotten = c->recent[i].epoch;
	c->recent[i].hash = ntk_str_hash(key);
	c->recent[i].epoch = e;
}

/* Was `key` (or everything) dropped after a fetch that began at `epoch`? Lock held. */
static bool
dropped_since(const struct ntkd_cache *c, const char *key, uint64_t epoch)
{
	size_t i;
	uint64_t h;

	if (c->last_drop <= epoch)
		return false;
	/* Past what the ring remembers: assume the worst. */
	if (c->all_dropped > epoch || c->forgotten > epoch)
		return true;
	h = ntk_str_hash(key);
	for (i = 0; i < RECENT_DROPS; i++)
		if (c->recent[i].epoch > epoch && c->recent[i].hash == h)
			return true;
	return false;
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

static struct owner *
owner_find(struct ntkd_cache *c, uid_t uid)
{
	struct owner *o;

	for (o = c->owners[uid % OWNER_BUCKETS]; o != NULL; o = o->next)
		if (o->uid == uid)
			return o;
	return NULL;
}

/* Take an entry off its owner's list; the owner goes with its last entry. */
static void
disown(struct ntkd_cache *c, struct entry *e)
{
	struct owner *o = e->owner, **pp;

	if (o == NULL)
		return;
	if (e->own_older != NULL)
		e->own_older->own_newer = e->own_newer;
	else
		o->oldest = e->own_newer;
	if (e->own_newer != NULL)
		e->own_newer->own_older = e->own_older;
	else
		o->newest = e->own_older;
	e->owner = NULL;
	if (--o->count > 0)
		return;
	for (pp = &c->owners[o->uid % OWNER_BUCKETS]; *pp != o; pp = &(*pp)->next)
		;
	*pp = o->next;
	free(o);
}

/* Append an entry to `uid`'s list (creating it); NTK_ERR_NOMEM leaves the entry shared. */
static int
own(struct ntkd_cache *c, struct entry *e, uid_t uid)
{
	struct owner *o;

	if ((o = owner_find(c, uid)) == NULL) {
		if ((o = calloc(1, sizeof(*o))) == NULL)
			return NTK_ERR_NOMEM;
		o->uid = uid;
		o->next = c->owners[uid % OWNER_BUCKETS];
		c->owners[uid % OWNER_BUCKETS] = o;
	}
	e->owner = o;
	e->own_older = o->newest;
	e->own_newer = NULL;
	if (o->newest != NULL)
		o->newest->own_newer = e;
	else
		o->oldest = e;
	o->newest = e;
	o->count++;
	return 0;
}

/* Unlink an entry from every structure (lock held); returns it for freeing. */
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
	disown(c, e);
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

/*
 * Which entry makes room for `owner`'s insert (lock held). *skip: none
 * may go, so the value is not cached.
 */
static struct entry *
victim(struct ntkd_cache *c, uid_t owner, int64_t stale_before, bool *skip)
{
	struct owner *o;

	*skip = false;
	if (owner == NTKD_CACHE_SHARED)
		return c->count >= c->max ? c->oldest : NULL;
	o = owner_find(c, owner);
	if (o != NULL && (o->count >= c->uid_max || c->count >= c->max))
		return o->oldest;
	if (c->count < c->max)
		return NULL;
	/* Full, nothing of its own: an expired entry is nobody's loss. */
	if (c->oldest != NULL && c->oldest->value->fetched < stale_before)
		return c->oldest;
	*skip = true;
	return NULL;
}

int
ntkd_cache_put_for(struct ntkd_cache *c, const char *key, struct ntkd_cached *v, uid_t owner,
    int64_t stale_before)
{
	struct entry *e, *old, *evict;
	bool skip;

	if ((e = calloc(1, sizeof(*e))) == NULL || (e->key = strdup(key)) == NULL) {
		free(e);
		return NTK_ERR_NOMEM;
	}
	e->value = ntkd_cached_ref(v);
	pthread_mutex_lock(&c->lock);
	/* Read before a change that was dropped meanwhile: answered, not cached. */
	if (dropped_since(c, key, v->epoch)) {
		pthread_mutex_unlock(&c->lock);
		free_entry(e);
		return 0;
	}
	if ((old = find(c, key)) != NULL) {
		/* Else a uid could adopt someone's entry by refreshing it, then evict it as its own. */
		owner = old->owner == NULL ? NTKD_CACHE_SHARED : old->owner->uid;
		unlink_entry(c, old);
	}
	if ((evict = victim(c, owner, stale_before, &skip)) != NULL)
		unlink_entry(c, evict);
	/* Out of memory for the owner record: not cached rather than cached unaccounted. */
	if (!skip && owner != NTKD_CACHE_SHARED && own(c, e, owner) != 0)
		skip = true;
	if (!skip) {
		e->next = c->buckets[hash(key)];
		c->buckets[hash(key)] = e;
		e->older = c->newest;
		if (c->newest != NULL)
			c->newest->newer = e;
		else
			c->oldest = e;
		c->newest = e;
		c->count++;
	}
	pthread_mutex_unlock(&c->lock);
	/* Free outside the lock: a destroy may be slow. */
	if (old != NULL)
		free_entry(old);
	if (evict != NULL)
		free_entry(evict);
	if (skip)
		free_entry(e);
	return 0;
}

int
ntkd_cache_put(struct ntkd_cache *c, const char *key, struct ntkd_cached *v)
{
	return ntkd_cache_put_for(c, key, v, NTKD_CACHE_SHARED, INT64_MIN);
}

size_t
ntkd_cache_drop(struct ntkd_cache *c, const char *key)
{
	struct entry *e, *list = NULL, *next;
	size_t n = 0;

	if (c == NULL)
		return 0;
	ntkd_nss_map_drop(key);         /* the published NSS map must not outlive what it mirrors */
	pthread_mutex_lock(&c->lock);
	note_drop(c, key);
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
