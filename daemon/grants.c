/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Break-glass grants: a small array behind a mutex, pruned as grants expire. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "grants.h"
#include "ntk_err.h"

struct grant {
	char *user;
	struct ntk_grant g;
};

struct ntkd_grants {
	pthread_mutex_t lock;
	struct grant *v;
	size_t n, cap;
	atomic_size_t live;             /* lets the common no-grant path skip the lock */
};

int
ntkd_grants_new(struct ntkd_grants **out)
{
	struct ntkd_grants *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NTK_ERR_NOMEM;
	pthread_mutex_init(&g->lock, NULL);
	*out = g;
	return 0;
}

void
ntkd_grants_free(struct ntkd_grants *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		free(g->v[i].user);
	free(g->v);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* Drop expired grants (lock held). */
static void
prune(struct ntkd_grants *g, int64_t now)
{
	size_t i = 0;

	while (i < g->n) {
		if (g->v[i].g.expires <= now) {
			free(g->v[i].user);
			g->v[i] = g->v[--g->n];
		} else {
			i++;
		}
	}
	atomic_store(&g->live, g->n);
}

int
ntkd_grants_add(struct ntkd_grants *g, const char *user, const char *system,
    const char *case_id, int64_t expires)
{
	struct grant *nv;
	size_t i;
	int r = 0;

	if (case_id[0] == '\0' || system[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	if (strlen(case_id) > NTK_CASE_ID_MAX || strlen(system) > NTK_NAME_MAX)
		return NTK_ERR_TOO_LONG;
	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->n; i++) {
		if (strcmp(g->v[i].user, user) == 0 && strcmp(g->v[i].g.system, system) == 0 &&
		    strcmp(g->v[i].g.case_id, case_id) == 0) {
			g->v[i].g.expires = expires;
			goto out;
		}
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;

		if ((nv = realloc(g->v, cap * sizeof(*nv))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		g->v = nv;
		g->cap = cap;
	}
	if ((g->v[g->n].user = strdup(user)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	memset(&g->v[g->n].g, 0, sizeof(g->v[g->n].g));
	strcpy(g->v[g->n].g.case_id, case_id);
	strcpy(g->v[g->n].g.system, system);
	g->v[g->n].g.expires = expires;
	g->n++;
	atomic_store(&g->live, g->n);
 out:
	pthread_mutex_unlock(&g->lock);
	return r;
}

int
ntkd_grants_for(struct ntkd_grants *g, const char *user, int64_t now,
    struct ntk_grant **out, size_t *n)
{
	struct ntk_grant *v = NULL;
	size_t i, k = 0;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (atomic_load(&g->live) == 0)
		return 0;
	pthread_mutex_lock(&g->lock);
	prune(g, now);
	for (i = 0; i < g->n; i++) {
		if (strcmp(g->v[i].user, user) != 0)
			continue;
		if (v == NULL && (v = calloc(g->n, sizeof(*v))) == NULL) {
			r = NTK_ERR_NOMEM;
			break;
		}
		v[k++] = g->v[i].g;
	}
	pthread_mutex_unlock(&g->lock);
	if (r != 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = k;
	return 0;
}

size_t
ntkd_grants_active(struct ntkd_grants *g, int64_t now)
{
	size_t n;

	pthread_mutex_lock(&g->lock);
	prune(g, now);
	n = g->n;
	pthread_mutex_unlock(&g->lock);
	return n;
}
