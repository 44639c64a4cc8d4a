/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* At start, bind to the directory until it answers, so a wrong password or TLS setup is logged before the first login. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "directory.h"
#include "ldap_health.h"
#include "log.h"
#include "notify.h"
#include "ntk_err.h"
#include "startup_probe.h"

/* One try: open, bind and find base, as a request's lookup would. */
static int
probe_once(const struct ntk_config *cf, bool first)
{
	struct ntkd_directory *d = NULL;
	int r;

	if ((r = ntkd_directory_open(cf, &d)) == 0)
		r = ntkd_directory_probe_base(d);
	if (r == 0)
		ntkd_log(LOG_INFO, "ldap: startup check: bound to %s, base \"%s\" exists",
		    ntkd_directory_server(d) != NULL ? ntkd_directory_server(d) : "?", cf->base);
	else if (r == NTK_ERR_NOT_FOUND)
		ntkd_log(first ? LOG_ERR : LOG_INFO, "ldap: startup check: base \"%s\" does not "
		    "exist: every lookup fails (directory-unavailable)", cf->base);
	else
		ntkd_log(first ? LOG_ERR : LOG_INFO, "ldap: startup check: no server could be "
		    "bound (%s); decisions are directory-unavailable until one can", ntk_strerror(r));
	ntkd_directory_close(d);
	return r;
}

static void *
probe_main(void *arg)
{
	struct ntkd_startup_probe *p = arg;
	struct timespec until;
	unsigned backoff = NTKD_LDAP_BACKOFF_MIN_SECS;
	bool first = true, stop = false;
	int r;

	while (!stop) {
		r = probe_once(&p->snap->config, first);
		/* The socket listens (main) and the first bind was tried: ready for systemd. */
		if (first)
			ntkd_notify(r == 0 ? "READY=1\nSTATUS=serving; LDAP bound" :
			    "READY=1\nSTATUS=serving; no LDAP server bound yet (see the log)");
		if (r == 0)
			break;
		first = false;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += backoff;
		pthread_mutex_lock(&p->lock);
		while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT)
			;
		stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		backoff = backoff * 2 > NTKD_LDAP_BACKOFF_MAX_SECS ? NTKD_LDAP_BACKOFF_MAX_SECS :
		    backoff * 2;
	}
	return NULL;
}

void
ntkd_startup_probe_start(struct ntkd_startup_probe *p, struct ntkd_snapshot *snap)
{
	p->stop = false;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->snap = ntkd_snapshot_ref(snap);
	p->started = pthread_create(&p->thread, NULL, probe_main, p) == 0;
	if (!p->started) {
		ntkd_log(LOG_WARNING, "ldap: startup check not run (no thread)");
		ntkd_notify("READY=1\nSTATUS=serving; LDAP startup check not run");
		ntkd_snapshot_unref(p->snap);
		p->snap = NULL;
	}
}

void
ntkd_startup_probe_join(struct ntkd_startup_probe *p)
{
	if (!p->started)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->started = false;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	ntkd_snapshot_unref(p->snap);
	p->snap = NULL;
}
