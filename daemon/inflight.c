/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fetches in flight, by key: concurrent askers for one key wait for the first one's answer. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inflight.h"
#include "ntk_err.h"

struct ntkd_flight {
	char *key;
	unsigned long generation;
	pthread_cond_t cond;            /* signalled once, when done */
	bool done;
	int result;
	struct ntkd_cached *value;      /* a reference, or NULL */
	unsigned users;                 /* the fetcher and the waiters still holding it */
	struct ntkd_flight *next;
};

/* Let go of a flight (lock held); the last user frees it. */
static void
flight_release(struct ntkd_flight *f)
{
	if (--f->users > 0)
		return;
	if (f->value != NULL)
		ntkd_cached_unref(f->value);
	pthread_cond_destroy(&f->cond);
	free(f->key);
	free(f);
}

static int
flight_new(const char *key, unsigned long generation, struct ntkd_flight **out)
{
	struct ntkd_flight *f;
	pthread_condattr_t attr;
	int r = NTK_ERR_NOMEM;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL || (f->key = strdup(key)) == NULL)
		goto fail;
	/* Waits are bounded on the monotonic clock, like every other deadline. */
	if (pthread_condattr_init(&attr) != 0)
		goto fail;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&f->cond, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		r = NTK_ERR_INTERNAL;
		goto fail;
	}
	pthread_condattr_destroy(&attr);
	f->generation = generation;
	f->users = 1;
	*out = f;
	return 0;
 fail:
	if (f != NULL)
		free(f->key);
	free(f);
	return r;
}

int
ntkd_inflight_join(struct ntkd_inflight *t, const char *key, unsigned long generation,
    int64_t wait_ms, struct ntkd_flight **lead, struct ntkd_cached **value)
{
	struct ntkd_flight *f;
	struct timespec until;
	int r = 0;

	*lead = NULL;
	*value = NULL;
	pthread_mutex_lock(&t->lock);
	/* A fetch under another config generation may map attributes differently: not ours. */
	for (f = t->list; f != NULL; f = f->next)
		if (f->generation == generation && strcmp(f->key, key) == 0)
			break;
	if (f == NULL) {
		if ((r = flight_new(key, generation, &f)) == 0) {
			f->next = t->list;
			t->list = f;
			*lead = f;
		}
		goto out;
	}
	f->users++;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(wait_ms / 1000);
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!f->done) {
		if (pthread_cond_timedwait(&f->cond, &t->lock, &until) == ETIMEDOUT)
			break;
	}
	if (!f->done)
		r = NTK_ERR_UNAVAILABLE;
	else if ((r = f->result) == 0 && f->value != NULL)
		*value = ntkd_cached_ref(f->value);
	flight_release(f);
 out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

void
ntkd_inflight_done(struct ntkd_inflight *t, struct ntkd_flight *lead, int result,
    struct ntkd_cached *value)
{
	struct ntkd_flight **p;

	if (lead == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	/* Unlinked first: whoever asks from now on finds the cache, or starts a fetch of its own. */
	for (p = &t->list; *p != NULL; p = &(*p)->next) {
		if (*p == lead) {
			*p = lead->next;
			break;
		}
	}
	lead->done = true;
	lead->result = result;
	lead->value = value != NULL ? ntkd_cached_ref(value) : NULL;
	pthread_cond_broadcast(&lead->cond);
	flight_release(lead);
	pthread_mutex_unlock(&t->lock);
}
