/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cached directory lookups of a user's facts, with the offline fallback. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "facts.h"
#include "inflight.h"
#include "log.h"
#include "ntk_case_index.h"
#include "ntk_err.h"

/*
 * Users being fetched right now: a burst of misses for one user (a login
 * touching PAM, NSS and SQL at once) makes one LDAP lookup, not one per
 * worker. One table per process, as there is one daemon.
 */
static struct ntkd_inflight facts_inflight = NTKD_INFLIGHT_INIT;

static void
facts_destroy(struct ntkd_cached *v)
{
	struct ntkd_facts *f = (struct ntkd_facts *)v;

	ntkd_facts_gids_free(atomic_load(&f->gids));
	ntk_subject_clear(&f->subject);
	free(f);
}

void
ntkd_facts_gids_free(struct ntkd_facts_gids *g)
{
	if (g == NULL)
		return;
	ntk_buf_free(&g->body);
	free(g->list.gids);
	free(g);
}

void
ntkd_facts_unref(struct ntkd_facts *f)
{
	if (f != NULL)
		ntkd_cached_unref(&f->base);
}

const char *
ntkd_facts_source_name(enum ntkd_facts_source s)
{
	switch (s) {
	case NTKD_FACTS_CACHE: return "cache";
	case NTKD_FACTS_LDAP: return "ldap";
	case NTKD_FACTS_OFFLINE: return "cache (directory unavailable)";
	}
	return "?";
}

/* Seconds an entry stays fresh. */
static int64_t
lifetime(const struct ntk_config *c, const struct ntkd_facts *f)
{
	return f->subject.found ? c->cache_ttl : c->cache_negative_ttl;
}

/* The cached entry for `user` when it may be used as is (a new reference), else NULL. */
static struct ntkd_facts *
fresh(struct ntkd_req *r, const char *user)
{
	const struct ntk_config *c = &r->snap->config;
	struct ntkd_facts *f = (struct ntkd_facts *)ntkd_cache_get(r->d->facts, user);

	/* Facts fetched under an older config (attribute mapping, depth) are not fresh. */
	if (f != NULL && f->generation == r->snap->generation &&
	    r->now - f->base.fetched < lifetime(c, f) && f->base.fetched <= r->now)
		return f;
	ntkd_facts_unref(f);
	return NULL;
}

/* Ask the directory about `user` and cache the answer (a new reference in *out). */
static int
fetch(struct ntkd_req *r, const char *user, struct ntkd_facts **out)
{
	struct ntkd_directory *dir;
	struct ntkd_facts *f;
	int rc;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NTK_ERR_NOMEM;
	ntkd_cached_init(&f->base, r->now, facts_destroy);
	f->generation = r->snap->generation;
	if ((rc = ntkd_worker_directory(r, &dir)) == 0) {
		rc = ntkd_directory_subject(dir, user, &f->subject);
		ntkd_worker_directory_done(r, rc);
	}
	if (rc == NTK_ERR_NOT_FOUND) {
		/* The directory said "no such user": the same as found = false. */
		ntk_subject_clear(&f->subject);
		f->subject.found = false;
		rc = 0;
	}
	if (rc != 0) {
		ntkd_cached_unref(&f->base);
		return rc;
	}
	/* Built once here, so a warm decision reads the asked case's entries only; without it, a scan. */
	if (ntk_case_index_build(&f->subject) != 0)
		ntkd_log(LOG_WARNING, "facts: out of memory for the case index, decisions scan");
	if (ntkd_cache_put(r->d->facts, user, &f->base) != 0)
		ntkd_log(LOG_WARNING, "facts cache: out of memory, answer not cached");
	*out = f;
	return 0;
}

int
ntkd_facts_get(struct ntkd_req *r, const char *user, struct ntkd_facts **out,
    enum ntkd_facts_source *source)
{
	const struct ntk_config *c = &r->snap->config;
	struct ntkd_facts *old, *f = NULL;
	struct ntkd_flight *lead;
	struct ntkd_cached *shared;
	int rc;

	*out = NULL;
	/* No directory holds such a name: answer "unknown" without LDAP or a cache slot. */
	if (strlen(user) > NTK_NAME_MAX) {
		if ((f = calloc(1, sizeof(*f))) == NULL)
			return NTK_ERR_NOMEM;
		ntkd_cached_init(&f->base, r->now, facts_destroy);
		*source = NTKD_FACTS_LDAP;
		*out = f;
		return 0;
	}
	if ((f = fresh(r, user)) != NULL) {
		ntkd_cache_count(r->d->facts, true);
		*source = NTKD_FACTS_CACHE;
		*out = f;
		return 0;
	}
	ntkd_cache_count(r->d->facts, false);
	old = (struct ntkd_facts *)ntkd_cache_get(r->d->facts, user);

	/*
	 * Another request fetching this user: wait for its answer, no longer
	 * than its searches may take (the user's entry, its role groups, one
	 * per supervision level), each up to timeout per URI.
	 */
	rc = ntkd_inflight_join(&facts_inflight, user, r->snap->generation,
	    (int64_t)c->timeout * 1000 * (int64_t)(c->nuris > 0 ? c->nuris : 1) *
	    (2 + (int64_t)c->policy.supervision_depth), &lead, &shared);
	if (lead != NULL) {
		/*
		 * A fetch that ended between our cache miss and the join has
		 * already put its answer (put comes before done): use it.
		 */
		if ((f = fresh(r, user)) == NULL)
			rc = fetch(r, user, &f);
		ntkd_inflight_done(&facts_inflight, lead, rc, f != NULL ? &f->base : NULL);
	} else {
		f = (struct ntkd_facts *)shared;
	}
	if (rc == 0 && f != NULL) {
		*source = NTKD_FACTS_LDAP;
		*out = f;
		f = NULL;
		goto out;
	}
	if (rc == 0)
		rc = NTK_ERR_INTERNAL;  /* cannot happen: a fetch that succeeded has facts */
	if (rc == NTK_ERR_UNAVAILABLE && old != NULL &&
	    r->now - old->base.fetched < lifetime(c, old) + (int64_t)c->cache_offline_grace) {
		*source = NTKD_FACTS_OFFLINE;
		*out = old;
		old = NULL;
		rc = 0;
	}
 out:
	if (f != NULL)
		ntkd_cached_unref(&f->base);
	ntkd_facts_unref(old);
	return rc;
}
