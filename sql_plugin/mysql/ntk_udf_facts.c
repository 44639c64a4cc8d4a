/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MariaDB UDFs' shared state: settings, a pool of ntkd connections, a short facts cache, and reports. */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "ntk_client.h"
#include "ntk_clock.h"
#include "ntk_err.h"
#include "ntk_udf.h"

/* Settings: written once when the library is loaded, read-only afterwards. */
static char settings_system[NTK_NAME_MAX + 1];
static char settings_socket[108];      /* sun_path */

/* The connection pool and the facts cache share one lock; neither is held across I/O. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ntk_conn *pool[NTK_UDF_POOL_MAX];
static size_t npool;
static struct ntk_udf_facts *cache[NTK_UDF_CACHE_SLOTS];

static atomic_uint_fast64_t statement_seq;

/*
 * ntkd unreachable or silent for this thread's statement: its other call
 * sites (the set view has dozens) fail at once with the same error, so a
 * statement pays one timeout, not one per call site. A statement runs on
 * one thread; the next statement asks again.
 */
static __thread struct {
	const void *thd;
	unsigned long long query_id;
	int err;
} ntkd_down;

/* At load (CREATE FUNCTION, or server start): before any thread can call in. */
__attribute__((constructor)) static void
settings_load(void)
{
	const char *s;

	/* secure_getenv: a setuid helper that happens to load us ignores the environment. */
	s = secure_getenv("NTK_SYSTEM");
	if (s != NULL && s[0] != '\0' && strlen(s) <= NTK_NAME_MAX)
		strcpy(settings_system, s);
	s = secure_getenv("NTK_SOCKET");
	if (s == NULL || s[0] == '\0')
		s = NTK_SOCKET_PATH;
	if (strlen(s) < sizeof(settings_socket))
		strcpy(settings_socket, s);
}

const char *
ntk_udf_system(void)
{
	return settings_system[0] != '\0' ? settings_system : NULL;
}

const char *
ntk_udf_socket(void)
{
	return settings_socket[0] != '\0' ? settings_socket : NULL;
}

/* An idle connection from the pool (unless `fresh`), or a new one. */
static int
conn_get(bool fresh, struct ntk_conn **out)
{
	struct ntk_conn *c = NULL;
	const char *path;

	*out = NULL;
	pthread_mutex_lock(&state_lock);
	while (!fresh && npool > 0 && c == NULL) {
		c = pool[--npool];
		/* mariadbd does not fork, but a connection inherited by a child is not ours. */
		if (ntk_conn_pid(c) != getpid()) {
			ntk_conn_close(c);
			c = NULL;
		}
	}
	pthread_mutex_unlock(&state_lock);
	if (c != NULL) {
		*out = c;
		return 0;
	}
	if ((path = ntk_udf_socket()) == NULL)
		return NTK_ERR_CONFIG;
	return ntk_conn_open(path, NTK_UDF_TIMEOUT_MS, out);
}

/* Return a connection after a call: kept when healthy and there is room, else closed. */
static void
conn_put(struct ntk_conn *c, int call_result)
{
	/* After an I/O error the stream may be out of step: never reuse it. */
	bool keep = call_result == 0 || call_result == NTK_ERR_DENIED ||
	    call_result == NTK_ERR_NOT_FOUND || call_result == NTK_ERR_BAD_VALUE ||
	    call_result == NTK_ERR_UNAVAILABLE;

	if (c == NULL)
		return;
	if (keep) {
		pthread_mutex_lock(&state_lock);
		if (npool < NTK_UDF_POOL_MAX) {
			pool[npool++] = c;
			c = NULL;
		}
		pthread_mutex_unlock(&state_lock);
	}
	ntk_conn_close(c);
}

static void
facts_free(struct ntk_udf_facts *f)
{
	if (f == NULL)
		return;
	free(f->user);
	ntk_facts_rep_clear(&f->rep);
	free(f);
}

void
ntk_udf_facts_release(struct ntk_udf_facts *f)
{
	bool last;

	if (f == NULL)
		return;
	pthread_mutex_lock(&state_lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&state_lock);
	if (last)
		facts_free(f);
}

/* Ask ntkd; one retry on a fresh connection when a pooled one went stale. */
static int
facts_fetch(const char *user, const char *system, struct ntk_udf_facts **out)
{
	struct ntk_facts_req req = { .user = (char *)user, .system = (char *)system };
	struct ntk_udf_facts *f;
	struct ntk_conn *c = NULL;
	int attempt, r = NTK_ERR_IO;
	uint32_t age;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL || (f->user = strdup(user)) == NULL) {
		facts_free(f);
		return NTK_ERR_NOMEM;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		/* The retry skips the pool: after an ntkd restart every idle connection is stale. */
		if ((r = conn_get(attempt > 0, &c)) != 0)
			break;
		r = ntk_client_facts(c, &req, &f->rep);
		conn_put(c, r);
		c = NULL;
		if (r != NTK_ERR_CLOSED && r != NTK_ERR_IO)
			break;
	}
	if (r != 0) {
		facts_free(f);
		return r;
	}
	age = f->rep.max_age < NTK_UDF_CACHE_SECONDS ? f->rep.max_age : NTK_UDF_CACHE_SECONDS;
	f->fetched_ms = ntk_mono_ms();
	f->expires_ms = f->fetched_ms + (int64_t)age * 1000;
	f->refs = 1;
	*out = f;
	return 0;
}

/*
 * Where to publish a user's new facts: their old entry, else an empty
 * slot, else an expired one, else the oldest. Called with the lock held.
 */
static size_t
cache_slot(const char *user, int64_t now)
{
	size_t i, empty = NTK_UDF_CACHE_SLOTS, expired = NTK_UDF_CACHE_SLOTS, oldest = 0;

	for (i = 0; i < NTK_UDF_CACHE_SLOTS; i++) {
		if (cache[i] == NULL) {
			if (empty == NTK_UDF_CACHE_SLOTS)
				empty = i;
			continue;
		}
		if (strcmp(cache[i]->user, user) == 0)
			return i;
		if (cache[i]->expires_ms <= now && expired == NTK_UDF_CACHE_SLOTS)
			expired = i;
		if (cache[oldest] == NULL || cache[i]->fetched_ms < cache[oldest]->fetched_ms)
			oldest = i;
	}
	if (empty != NTK_UDF_CACHE_SLOTS)
		return empty;
	return expired != NTK_UDF_CACHE_SLOTS ? expired : oldest;
}

int
ntk_udf_facts_get(const char *user, struct ntk_udf_facts **out)
{
	struct ntk_udf_facts *f = NULL, *old = NULL;
	unsigned long long qid;
	const void *thd;
	const char *system;
	int64_t now = ntk_mono_ms();
	size_t i, slot;
	int r;

	*out = NULL;
	if ((system = ntk_udf_system()) == NULL)
		return NTK_ERR_CONFIG;
	if (ntk_udf_statement(&thd, &qid) == 0 && ntkd_down.err != 0 && ntkd_down.thd == thd &&
	    ntkd_down.query_id == qid)
		return ntkd_down.err;
	pthread_mutex_lock(&state_lock);
	for (i = 0; i < NTK_UDF_CACHE_SLOTS; i++) {
		if (cache[i] != NULL && now < cache[i]->expires_ms &&
		    strcmp(cache[i]->user, user) == 0) {
			f = cache[i];
			f->refs++;
			break;
		}
	}
	pthread_mutex_unlock(&state_lock);
	if (f != NULL) {
		*out = f;
		return 0;
	}
	if ((r = facts_fetch(user, system, &f)) != 0) {
		if (r == NTK_ERR_TIMEOUT || r == NTK_ERR_IO || r == NTK_ERR_CLOSED ||
		    r == NTK_ERR_UNTRUSTED_PEER) {
			if (ntk_udf_statement(&thd, &qid) == 0) {
				ntkd_down.thd = thd;
				ntkd_down.query_id = qid;
				ntkd_down.err = r;
			}
		}
		return r;
	}
	pthread_mutex_lock(&state_lock);
	slot = cache_slot(user, now);
	old = cache[slot];
	if (old != NULL && --old->refs != 0)
		old = NULL;
	cache[slot] = f;
	f->refs++;              /* the cache's reference; the caller keeps the first */
	pthread_mutex_unlock(&state_lock);
	facts_free(old);
	*out = f;
	return 0;
}

void
ntk_udf_facts_forget(const char *user)
{
	struct ntk_udf_facts *old = NULL;
	size_t i;

	pthread_mutex_lock(&state_lock);
	for (i = 0; i < NTK_UDF_CACHE_SLOTS; i++) {
		if (cache[i] != NULL && strcmp(cache[i]->user, user) == 0) {
			old = cache[i];
			cache[i] = NULL;
			if (--old->refs != 0)
				old = NULL;     /* a statement still holds it; the last holder frees it */
			break;
		}
	}
	pthread_mutex_unlock(&state_lock);
	facts_free(old);
}

void
ntk_udf_clock(const struct ntk_udf_facts *f, struct ntk_clock *out)
{
	int64_t elapsed = (ntk_mono_ms() - f->fetched_ms) / 1000;

	*out = f->rep.clock;
	/*
	 * Facts outlive the fetch by a few seconds (a statement at most): move
	 * the clock on. The day stays the daemon's (its time zone; ntkd makes
	 * facts expire at its midnight).
	 */
	if (elapsed > 0)
		out->now += elapsed;
}

void
ntk_udf_decide(const struct ntk_udf_facts *f, const struct ntk_clock *clock,
    enum ntk_action action, const char *case_id, enum ntk_case_state state,
    struct ntk_decision *out)
{
	struct ntk_query q = {
		.system = ntk_udf_system(),
		.action = action,
		.case_id = case_id,
		.state = state,
	};

	memset(out, 0, sizeof(*out));
	if (f->rep.outcome != NTK_ALLOW_SYSTEM_ACCESS || q.system == NULL) {
		/* ntkd already refused the user on this system: every row is denied the same way. */
		out->outcome = ntk_outcome_allows(f->rep.outcome) ?
		    NTK_DENY_UNKNOWN_SYSTEM : f->rep.outcome;
		return;
	}
	ntk_policy_decide(&f->rep.policy, &f->rep.subject, &q, clock, out);
}

int
ntk_udf_report(const struct ntk_report_req *req)
{
	struct ntk_conn *c = NULL;
	int r;

	if ((r = conn_get(false, &c)) != 0)
		return r;
	r = ntk_client_report(c, req);
	if (r == NTK_ERR_CLOSED || r == NTK_ERR_IO) {
		conn_put(c, r);
		if ((r = conn_get(true, &c)) != 0)
			return r;
		r = ntk_client_report(c, req);
	}
	conn_put(c, r);
	return r;
}

void
ntk_udf_query_id(char *buf, size_t len)
{
	unsigned long long n = (unsigned long long)atomic_fetch_add(&statement_seq, 1) + 1;

	snprintf(buf, len, "mariadb:%ld:%llu", (long)getpid(), n);
}

/* Unloaded by DROP FUNCTION: leave no descriptor or memory behind. */
__attribute__((destructor)) static void
ntk_udf_unload(void)
{
	size_t i;

	pthread_mutex_lock(&state_lock);
	while (npool > 0)
		ntk_conn_close(pool[--npool]);
	for (i = 0; i < NTK_UDF_CACHE_SLOTS; i++) {
		if (cache[i] != NULL && --cache[i]->refs == 0)
			facts_free(cache[i]);
		cache[i] = NULL;
	}
	pthread_mutex_unlock(&state_lock);
}
