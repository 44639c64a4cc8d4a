/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map's records in ntkd: the answers given so far, who gets a view, and what a drop takes back. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "local_day.h"
#include "log.h"
#include "nss_map.h"
#include "nss_map_state.h"
#include "nss_ntk_map.h"
#include "ntk_err.h"
#include "ntk_strset.h"
#include "ntkd.h"

struct ntkd_nss_map_state ntkd_nss_map_m = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};
static struct ntkd_nss_map_state *const m = &ntkd_nss_map_m;

void
ntkd_nss_map_group_free(struct ntkd_nss_mgroup *g)
{
	size_t i;

	for (i = 0; i < g->m.nmembers; i++)
		free(g->m.members[i]);
	free((void *)(uintptr_t)g->m.members);
	free((void *)(uintptr_t)g->m.name);
	free(g);
}

void
ntkd_nss_map_init_free(struct ntkd_nss_minit *in)
{
	free((void *)(uintptr_t)in->m.gids);
	free((void *)(uintptr_t)in->m.user);
	free(in);
}

static struct ntkd_nss_mgroup **
group_slot(const char *name)
{
	struct ntkd_nss_mgroup **pp = &m->groups[ntk_str_hash(name) % NTKD_NSS_MAP_BUCKETS];

	while (*pp != NULL && strcmp((*pp)->m.name, name) != 0)
		pp = &(*pp)->next;
	return pp;
}

struct ntkd_nss_minit **
ntkd_nss_map_init_slot(const char *user)
{
	struct ntkd_nss_minit **pp = &m->inits[ntk_str_hash(user) % NTKD_NSS_MAP_BUCKETS];

	while (*pp != NULL && strcmp((*pp)->m.user, user) != 0)
		pp = &(*pp)->next;
	return pp;
}

int
ntkd_nss_map_cmp_gid(const void *a, const void *b)
{
	uint32_t x = (*(const struct ntkd_map_group *const *)a)->gid;
	uint32_t y = (*(const struct ntkd_map_group *const *)b)->gid;

	return x < y ? -1 : x > y;
}

static struct ntkd_nss_mview *
view_find(uid_t uid)
{
	struct ntkd_nss_mview *v;

	for (v = m->views[uid % NTKD_NSS_MAP_BUCKETS]; v != NULL; v = v->next)
		if (v->uid == uid)
			return v;
	return NULL;
}

static void
views_dirty_for(const char *name)
{
	struct ntkd_nss_mview *v;
	size_t b;

	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
		for (v = m->views[b]; v != NULL; v = v->next)
			if (v->full || (name == NULL || strcmp(v->name, name) == 0))
				v->dirty = true;
}

bool
ntkd_nss_map_is_member(const struct ntkd_map_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nmembers; i++)
		if (strcmp(g->members[i], name) == 0)
			return true;
	return false;
}

/* The views a group's change shows in: its members' and the full ones. */
static void
views_dirty_group(const struct ntkd_map_group *g)
{
	struct ntkd_nss_mview *v;
	size_t b;

	for (b = 0; b < NTKD_NSS_MAP_BUCKETS && m->nviews > 0; b++)
		for (v = m->views[b]; v != NULL; v = v->next)
			if (v->full || ntkd_nss_map_is_member(g, v->name))
				v->dirty = true;
}

/*
 * Keys dropped from ntkd's caches, and when. A request that read a cache
 * entry just before the drop may still try to put it in the map after:
 * an answer fetched before the drop of its key (or of everything) is
 * refused, so a drop is never undone by a late put.
 */
struct mdrop {
	struct mdrop *next;
	char *key;
	int64_t at;
};

static struct mdrop *drops[NTKD_NSS_MAP_BUCKETS];
static int64_t dropped_all;             /* the last drop of everything */

static bool
dropped_since(const char *key, int64_t fetched)
{
	struct mdrop *d;

	if (fetched < dropped_all)
		return true;
	for (d = drops[ntk_str_hash(key) % NTKD_NSS_MAP_BUCKETS]; d != NULL; d = d->next)
		if (strcmp(d->key, key) == 0)
			return fetched < d->at;
	return false;
}

static void
drop_note(const char *key, int64_t now)
{
	struct mdrop *d, **pp;
	size_t b;

	if (key == NULL) {
		dropped_all = now;
		/* Everything older is covered by dropped_all. */
		for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
			while ((d = drops[b]) != NULL) {
				drops[b] = d->next;
				free(d->key);
				free(d);
			}
		return;
	}
	for (pp = &drops[ntk_str_hash(key) % NTKD_NSS_MAP_BUCKETS]; (d = *pp) != NULL; pp = &d->next)
		if (strcmp(d->key, key) == 0) {
			d->at = now;
			return;
		}
	if ((d = calloc(1, sizeof(*d))) == NULL || (d->key = strdup(key)) == NULL) {
		/* Cannot remember this key: forget everything older instead (safe). */
		free(d);
		dropped_all = now;
		return;
	}
	d->at = now;
	d->next = drops[ntk_str_hash(key) % NTKD_NSS_MAP_BUCKETS];
	drops[ntk_str_hash(key) % NTKD_NSS_MAP_BUCKETS] = d;
}

/* Drop notes older than the ttl: no answer that old is ever put again (expiry). */
void
ntkd_nss_map_drops_prune(int64_t now)
{
	struct mdrop *d, **pp;
	size_t b;

	if (m->ttl == 0)
		return;
	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
		for (pp = &drops[b]; (d = *pp) != NULL;) {
			if (d->at < now - (int64_t)m->ttl - 1) {
				*pp = d->next;
				free(d->key);
				free(d);
				continue;
			}
			pp = &d->next;
		}
}

/* How long an answer given now may be served from the map: the cache's ttl, and never past midnight. */
static int64_t
expiry(const struct ntkd_req *r, int64_t fetched)
{
	int64_t to_midnight = 0, e = fetched + (int64_t)r->snap->config.cache_ttl;

	(void)ntkd_local_day(r->now, &to_midnight);
	if (e > r->now + to_midnight)
		e = r->now + to_midnight;
	return e;
}

/*
 * The peer's view (lock held): untrusted peers and trusted ones other than
 * root. A new view wakes the publisher itself: the answer that brought the
 * peer may be one the map already holds (root asked first), which changes
 * nothing else and would leave the view unwritten until the next change.
 */
static void
view_register(struct ntkd_req *r)
{
	struct ntkd_nss_mview *v;
	bool trusted = ntkd_req_trusted(r);

	if (m->vis_all || r->peer->uid == 0 || (!trusted && !r->peer->has_name) ||
	    view_find(r->peer->uid) != NULL)
		return;
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->name = strdup(r->peer->has_name ? r->peer->name : "")) == NULL) {
		free(v);
		return;
	}
	v->uid = r->peer->uid;
	v->full = trusted;
	v->dirty = true;
	v->next = m->views[v->uid % NTKD_NSS_MAP_BUCKETS];
	m->views[v->uid % NTKD_NSS_MAP_BUCKETS] = v;
	m->nviews++;
	pthread_cond_signal(&m->cond);
}

static bool
enabled(struct ntkd_req *r)
{
	return m->started && r->snap->config.nss_map;
}

void
ntkd_nss_map_group(struct ntkd_req *r, const struct ntk_group *g, int64_t fetched)
{
	struct ntkd_nss_mgroup *n, **slot;
	int64_t exp;
	size_t i;

	if (!enabled(r) || (exp = expiry(r, fetched)) <= r->now)
		return;
	pthread_mutex_lock(&m->lock);
	m->vis_all = r->snap->config.visibility == NTK_VISIBILITY_ALL;
	m->ttl = r->snap->config.cache_ttl;
	view_register(r);
	if (dropped_since(g->name, fetched))
		goto out;
	slot = group_slot(g->name);
	/* The same answer again (a cache hit): nothing to write. */
	if (*slot != NULL && (*slot)->m.expires == exp && (*slot)->m.gid == g->gid)
		goto out;
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->m.name = strdup(g->name)) == NULL ||
	    (n->m.members = calloc(g->nmembers + 1, sizeof(char *))) == NULL)
		goto fail;
	for (i = 0; i < g->nmembers; i++) {
		if ((((char **)(uintptr_t)n->m.members)[i] = strdup(g->members[i])) == NULL)
			goto fail;
		n->m.nmembers++;
	}
	n->m.gid = g->gid;
	n->m.expires = exp;
	if (*slot != NULL) {
		n->next = (*slot)->next;
		ntkd_nss_map_group_free(*slot);
	} else {
		m->ngroups++;
	}
	*slot = n;
	m->dirty = true;
	views_dirty_group(&n->m);
	pthread_cond_signal(&m->cond);
	goto out;
 fail:
	if (n != NULL)
		ntkd_nss_map_group_free(n);
 out:
	pthread_mutex_unlock(&m->lock);
}

void
ntkd_nss_map_initgroups(struct ntkd_req *r, const char *user, const struct ntk_gid_list *l,
    int64_t fetched)
{
	struct ntkd_nss_minit *n, **slot;
	int64_t exp;

	/* No gids: the socket says NOTFOUND as cheaply, and negative answers have their own ttl. */
	if (!enabled(r) || l->ngids == 0 || (exp = expiry(r, fetched)) <= r->now)
		return;
	pthread_mutex_lock(&m->lock);
	m->vis_all = r->snap->config.visibility == NTK_VISIBILITY_ALL;
	view_register(r);
	if (dropped_since(user, fetched))
		goto out;
	slot = ntkd_nss_map_init_slot(user);
	if (*slot != NULL && (*slot)->m.expires == exp && (*slot)->m.ngids == l->ngids &&
	    memcmp((*slot)->m.gids, l->gids, l->ngids * 4) == 0)
		goto out;
	if ((n = calloc(1, sizeof(*n))) == NULL || (n->m.user = strdup(user)) == NULL ||
	    (n->m.gids = malloc(l->ngids * 4)) == NULL) {
		if (n != NULL)
			ntkd_nss_map_init_free(n);
		goto out;
	}
	memcpy((void *)(uintptr_t)n->m.gids, l->gids, l->ngids * 4);
	n->m.ngids = l->ngids;
	n->m.expires = exp;
	if (*slot != NULL) {
		n->next = (*slot)->next;
		ntkd_nss_map_init_free(*slot);
	} else {
		m->ninits++;
	}
	*slot = n;
	m->dirty = true;
	views_dirty_for(user);
	pthread_cond_signal(&m->cond);
 out:
	pthread_mutex_unlock(&m->lock);
}

void
ntkd_nss_map_clear_records(void)
{
	struct ntkd_nss_mgroup *g;
	struct ntkd_nss_minit *in;
	size_t b;

	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++) {
		while ((g = m->groups[b]) != NULL) {
			m->groups[b] = g->next;
			ntkd_nss_map_group_free(g);
		}
		while ((in = m->inits[b]) != NULL) {
			m->inits[b] = in->next;
			ntkd_nss_map_init_free(in);
		}
	}
	m->ngroups = m->ninits = 0;
}

/*
 * Forget every view (files already removed). After a reload a uid may no
 * longer be trusted, or its name may have changed: views are registered
 * afresh by the next request, under the config of that request.
 */
static void
views_clear(void)
{
	struct ntkd_nss_mview *v;
	size_t b;

	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
		while ((v = m->views[b]) != NULL) {
			m->views[b] = v->next;
			free(v->name);
			free(v);
		}
	m->nviews = 0;
}

void
ntkd_nss_map_drop(const char *key)
{
	struct ntkd_nss_mgroup **gs, *g;
	struct ntkd_nss_minit **is, *in;

	if (!m->started)
		return;
	pthread_mutex_lock(&m->lock);
	/* First: from here on no reader believes what was published. */
	ntkd_nss_map_retire_all(key == NULL);
	drop_note(key, (int64_t)time(NULL));
	if (key == NULL) {
		ntkd_nss_map_clear_records();
		views_clear();
	} else {
		if (*(gs = group_slot(key)) != NULL) {
			g = *gs;
			*gs = g->next;
			ntkd_nss_map_group_free(g);
			m->ngroups--;
		}
		if (*(is = ntkd_nss_map_init_slot(key)) != NULL) {
			in = *is;
			*is = in->next;
			ntkd_nss_map_init_free(in);
			m->ninits--;
		}
	}
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

int
ntkd_nss_map_start(const char *socket)
{
	if (m->started)
		return 0;
	if (asprintf(&m->path, "%s.map", socket) < 0) {
		m->path = NULL;
		return NTK_ERR_NOMEM;
	}
	ntkd_nss_map_remove_stale();
	m->stop = false;
	if (pthread_create(&m->thread, NULL, ntkd_nss_map_publisher, NULL) != 0) {
		free(m->path);
		m->path = NULL;
		return NTK_ERR_NOMEM;
	}
	m->started = true;
	return 0;
}

void
ntkd_nss_map_stop(void)
{
	if (!m->started)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_mutex_lock(&m->lock);
	ntkd_nss_map_retire_all(true);
	ntkd_nss_map_remove_stale();
	ntkd_nss_map_clear_records();
	views_clear();
	drop_note(NULL, 0);             /* frees the drop notes */
	m->started = false;
	pthread_mutex_unlock(&m->lock);
	free(m->path);
	m->path = NULL;
}
