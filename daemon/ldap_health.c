/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether each LDAP server is worth asking, shared by every worker's connection. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldap_health.h"
#include "ntk_escape.h"
#include "log.h"
#include "ntk_clock.h"
#include "ntk_err.h"

#define HEALTH_ERROR_MAX 200      /* bytes of the last error kept for status */

struct ntkd_ldap_health {
	char *uri;
	bool down;
	bool probing;                   /* the one probe is out */
	unsigned backoff;               /* seconds; 0 while up */
	int64_t retry_ms;               /* monotonic: the next probe may go from then on */
	unsigned long failures;         /* in a row */
	char error[HEALTH_ERROR_MAX];   /* the last LDAP error, "" since an answer */
	struct ntkd_ldap_health *next;
};

/*
 * Process-wide, keyed by URI: every worker's handle (and the handles of a
 * reloaded config) must see the same verdict. A handful of URIs: a list.
 * The lock is never held across I/O.
 */
static pthread_mutex_t health_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ntkd_ldap_health *health_list;
static atomic_ulong health_timeouts, health_fast_fails;

int
ntkd_ldap_health_get(const char *uri, struct ntkd_ldap_health **out)
{
	struct ntkd_ldap_health *h;
	int r = 0;

	pthread_mutex_lock(&health_lock);
	for (h = health_list; h != NULL; h = h->next)
		if (strcmp(h->uri, uri) == 0)
			goto out;
	if ((h = calloc(1, sizeof(*h))) == NULL || (h->uri = strdup(uri)) == NULL) {
		free(h);
		h = NULL;
		r = NTK_ERR_NOMEM;
		goto out;
	}
	h->next = health_list;
	health_list = h;
 out:
	pthread_mutex_unlock(&health_lock);
	*out = h;
	return r;
}

bool
ntkd_ldap_health_admit(struct ntkd_ldap_health *h, bool *probe)
{
	bool ok = true;

	*probe = false;
	pthread_mutex_lock(&health_lock);
	if (h->down) {
		ok = !h->probing && ntk_mono_ms() >= h->retry_ms;
		if (ok)
			h->probing = *probe = true;
	}
	pthread_mutex_unlock(&health_lock);
	return ok;
}

bool
ntkd_ldap_health_usable(struct ntkd_ldap_health *h)
{
	bool ok;

	pthread_mutex_lock(&health_lock);
	ok = !h->down || (!h->probing && ntk_mono_ms() >= h->retry_ms);
	pthread_mutex_unlock(&health_lock);
	return ok;
}

void
ntkd_ldap_health_report(struct ntkd_ldap_health *h, bool probe, bool ok, bool timed_out)
{
	enum { SAY_NOTHING, SAY_BACK, SAY_DOWN } say = SAY_NOTHING;
	unsigned long failures;
	unsigned backoff;

	if (!ok && timed_out)
		atomic_fetch_add(&health_timeouts, 1);
	pthread_mutex_lock(&health_lock);
	if (probe)
		h->probing = false;
	failures = h->failures;
	if (ok) {
		h->error[0] = '\0';
		if (h->down)
			say = SAY_BACK;
		h->down = false;
		h->backoff = 0;
		h->failures = 0;
	} else if (!h->down || probe) {
		/*
		 * Operations that were already under way when the server went
		 * down fail too: only the first failure and the probes count,
		 * or one hang would push the backoff to its maximum at once.
		 */
		h->backoff = !h->down ? NTKD_LDAP_BACKOFF_MIN_SECS :
		    h->backoff >= NTKD_LDAP_BACKOFF_MAX_SECS / 2 ? NTKD_LDAP_BACKOFF_MAX_SECS :
		    h->backoff * 2;
		h->down = true;
		h->failures++;
		h->retry_ms = ntk_mono_ms() + (int64_t)h->backoff * 1000;
		say = SAY_DOWN;
		failures = h->failures;
	}
	backoff = h->backoff;
	pthread_mutex_unlock(&health_lock);
	/* Logged after the lock (the URI never changes): a stalled syslog must not hold every worker. */
	if (say == SAY_BACK)
		ntkd_log(LOG_INFO, "ldap %s: answering again after %lu failure%s", h->uri, failures,
		    failures == 1 ? "" : "s");
	else if (say == SAY_DOWN)
		ntkd_log(failures == 1 ? LOG_WARNING : LOG_INFO, "ldap %s: %s; down, next try in %u s",
		    h->uri, timed_out ? "no answer in time" : "unreachable", backoff);
}

void
ntkd_ldap_health_fast_fail(void)
{
	atomic_fetch_add(&health_fast_fails, 1);
}

void
ntkd_ldap_health_note_error(const char *uri, const char *text)
{
	struct ntkd_ldap_health *h;

	pthread_mutex_lock(&health_lock);
	for (h = health_list; h != NULL; h = h->next)
		if (strcmp(h->uri, uri) == 0) {
			ntk_escape_log_str(text, h->error, sizeof(h->error));
			break;
		}
	pthread_mutex_unlock(&health_lock);
}

void
ntkd_ldap_health_error(const char *uri, char *out, size_t outlen)
{
	struct ntkd_ldap_health *h;

	if (outlen == 0)
		return;
	out[0] = '\0';
	pthread_mutex_lock(&health_lock);
	for (h = health_list; h != NULL; h = h->next)
		if (strcmp(h->uri, uri) == 0) {
			snprintf(out, outlen, "%s", h->error);
			break;
		}
	pthread_mutex_unlock(&health_lock);
}

void
ntkd_ldap_health_print(FILE *f, char *const *uris, size_t nuris)
{
	struct ntkd_ldap_health *h;
	int64_t now = ntk_mono_ms();
	size_t i;

	const char *error = "none";

	fprintf(f, "ldap_timeouts=%lu\n", atomic_load(&health_timeouts));
	fprintf(f, "ldap_fast_fails=%lu\n", atomic_load(&health_fast_fails));
	pthread_mutex_lock(&health_lock);
	/* The first configured server's error that still stands: what a sysadmin fixes first. */
	for (i = 0; i < nuris && strcmp(error, "none") == 0; i++)
		for (h = health_list; h != NULL; h = h->next)
			if (strcmp(h->uri, uris[i]) == 0 && h->error[0] != '\0')
				error = h->error;
	fprintf(f, "ldap_error=%s\n", error);
	for (i = 0; i < nuris; i++) {
		for (h = health_list; h != NULL; h = h->next)
			if (strcmp(h->uri, uris[i]) == 0)
				break;
		fprintf(f, "ldap_uri%zu=%s ", i + 1, uris[i]);
		if (h == NULL || !h->down)
			fprintf(f, "up\n");
		else if (h->probing)
			fprintf(f, "down probing failures=%lu\n", h->failures);
		else
			fprintf(f, "down retry_in=%lld failures=%lu\n",
			    h->retry_ms > now ? (long long)((h->retry_ms - now + 999) / 1000) : 0LL,
			    h->failures);
	}
	pthread_mutex_unlock(&health_lock);
}
