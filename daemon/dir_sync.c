/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The change subscription's thread: connect, refresh (with the cookie when there is one), persist, and start over when the connection goes. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "cache_invalidate.h"
#include "dir_sync.h"
#include "dir_sync_msg.h"
#include "ldap_conn.h"
#include "ntk_clock.h"
#include "log.h"
#include "ntk_err.h"
#include "ntkd.h"

#define BACKOFF_MAX_SECS 30
#define KEEPALIVE_SECS 10       /* a quiet subscription asks the server something this often */
#define FAILBACK_SECS 60        /* following a later URI: try the first again this often */

enum state { ST_OFF, ST_CONNECTING, ST_DOWN, ST_REFRESHING, ST_FOLLOWING, ST_TTL };
static const char *const state_names[] = {
	"off", "connecting", "down", "refreshing", "following", "ttl",
};

/* How a session ended. */
enum ending {
	END_STOP,               /* the daemon is stopping */
	END_RESTART,            /* at once: a new config, or the cookie is no good */
	END_LOST,               /* the connection went after working */
	END_DOWN,               /* no server answered */
	END_TTL,                /* the server refuses the subscription */
};

struct ntkd_dir_sync {
	struct ntkd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;                      /* under lock */

	/* For status, under lock. */
	enum state state;
	char why[256];
	char server[512];
	size_t entries;
	unsigned long changes, dropped, resumed;

	/* The thread's own. */
	struct ntkd_mirror *mirror;
	struct berval *cookie;          /* where the last session got to, or NULL */
	unsigned long generation;       /* the config the mirror and cookie belong to */
	const struct ntk_config *cf;    /* of the running session */
	bool full;                      /* this refresh began without a cookie */
	bool following;                 /* this session's refresh is done */
	bool restart_full;              /* the refresh cannot be trusted: start from scratch */
	size_t marks;                   /* entries named in the current refresh phase */
	unsigned long pending_changes;
	size_t pending_dropped;
};

static void
set_state(struct ntkd_dir_sync *s, enum state st, const char *why, const char *server)
{
	pthread_mutex_lock(&s->lock);
	s->state = st;
	snprintf(s->why, sizeof(s->why), "%s", why != NULL ? why : "");
	if (server != NULL)
		snprintf(s->server, sizeof(s->server), "%s", server);
	pthread_mutex_unlock(&s->lock);
}

/* Publish the counters the callbacks gathered. */
static void
publish(struct ntkd_dir_sync *s)
{
	pthread_mutex_lock(&s->lock);
	s->changes += s->pending_changes;
	s->dropped += s->pending_dropped;
	s->entries = ntkd_mirror_count(s->mirror);
	pthread_mutex_unlock(&s->lock);
	s->pending_changes = 0;
	s->pending_dropped = 0;
}

static bool
stopping(struct ntkd_dir_sync *s)
{
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static unsigned long
current_generation(struct ntkd *d)
{
	unsigned long g;

	pthread_mutex_lock(&d->snap_lock);
	g = d->snap->generation;
	pthread_mutex_unlock(&d->snap_lock);
	return g;
}

/* Sleep up to `secs`, waking for stop or a new config; true when stopping. */
static bool
pause_for(struct ntkd_dir_sync *s, unsigned secs)
{
	struct timespec until;
	unsigned i;
	bool stop = false;

	for (i = 0; i < secs && !stop; i++) {
		if (current_generation(s->d) != s->generation)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&s->lock);
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
			;
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
	}
	return stop;
}

static void
take_cookie(struct ntkd_dir_sync *s, struct berval *cookie)
{
	if (cookie == NULL)
		return;
	ber_bvfree(s->cookie);
	s->cookie = cookie;
}

/* A change the callbacks could not map: nothing cached may outlive it. */
static void
drop_everything(struct ntkd_dir_sync *s)
{
	s->pending_dropped += ntkd_cache_drop(s->d->facts, NULL) + ntkd_cache_drop(s->d->groups, NULL);
}

static void
on_entry(struct ntkd_dir_sync *s, LDAP *ld, LDAPMessage *msg)
{
	struct ntkd_mirror_rec *rec = NULL;
	struct berval *uuid = NULL, *cookie = NULL;
	int state, r = 0;

	if (ntkd_sync_entry_state(ld, msg, &state, &uuid, &cookie) != 0) {
		ntkd_log(LOG_WARNING, "dir_sync: an entry without a usable sync state: caches dropped");
		drop_everything(s);
		return;
	}
	switch (state) {
	case LDAP_SYNC_PRESENT:
		ntkd_mirror_present(s->mirror, uuid);
		s->marks++;
		break;
	case LDAP_SYNC_ADD:
	case LDAP_SYNC_MODIFY:
		if ((r = ntkd_mirror_rec_from_entry(s->cf, ld, msg, uuid, &rec)) == 0)
			r = ntkd_invalidate_put(s->mirror, s->d, s->cf, rec, !s->full, &s->pending_dropped);
		s->marks++;
		break;
	case LDAP_SYNC_DELETE:
		r = ntkd_invalidate_delete(s->mirror, s->d, s->cf, uuid, !s->full, &s->pending_dropped);
		break;
	}
	if (r != 0) {
		ntkd_log(LOG_ERR, "dir_sync: a change could not be followed (%s): caches dropped",
		    ntk_strerror(r));
		drop_everything(s);
	}
	if (!s->full && state != LDAP_SYNC_PRESENT)
		s->pending_changes++;
	take_cookie(s, cookie);
	ber_bvfree(uuid);
}

/* The refresh is over: from here on every change is followed as it happens. */
static void
refresh_done(struct ntkd_dir_sync *s, const char *server)
{
	/* Answers cached before the subscription began may predate changes it never showed us. */
	if (s->full) {
		drop_everything(s);
	} else {
		pthread_mutex_lock(&s->lock);
		s->resumed++;
		pthread_mutex_unlock(&s->lock);
	}
	ntkd_log(LOG_INFO, "dir_sync: following changes on %s (%zu entries, %s)", server,
	    ntkd_mirror_count(s->mirror), s->full ? "full refresh" : "resumed with the cookie");
	s->full = false;
	s->following = true;
	set_state(s, ST_FOLLOWING, NULL, server);
}

static void
on_info(struct ntkd_dir_sync *s, LDAP *ld, LDAPMessage *msg, const char *server)
{
	struct ntkd_sync_info info;
	size_t i;
	int r = 0;

	if (ntkd_sync_info_parse(ld, msg, &info) != 0)
		return;         /* another intermediate response: not ours to read */
	switch (info.kind) {
	case NTKD_SYNC_NEW_COOKIE:
		break;
	case NTKD_SYNC_ID_SET:
		for (i = 0; info.uuids != NULL && info.uuids[i].bv_val != NULL && r == 0; i++) {
			if (info.refresh_deletes) {
				r = ntkd_invalidate_delete(s->mirror, s->d, s->cf, &info.uuids[i], !s->full,
				    &s->pending_dropped);
				s->pending_changes++;
			} else {
				ntkd_mirror_present(s->mirror, &info.uuids[i]);
				s->marks++;
			}
		}
		break;
	case NTKD_SYNC_REFRESH_PRESENT:
		/* The present phase names every entry that stayed: the rest are gone. */
		if (!s->full && s->marks == 0 && ntkd_mirror_count(s->mirror) > 0) {
			/* Nothing named at all: more likely a server that skipped the phase. */
			ntkd_log(LOG_WARNING, "dir_sync: an empty present phase: starting from scratch");
			drop_everything(s);
			s->restart_full = true;
		} else if (!s->full) {
			r = ntkd_invalidate_sweep(s->mirror, s->d, s->cf, &s->pending_dropped);
		}
		ntkd_mirror_unmark(s->mirror);
		s->marks = 0;
		if (info.refresh_done && !s->restart_full)
			refresh_done(s, server);
		break;
	case NTKD_SYNC_REFRESH_DELETE:
		ntkd_mirror_unmark(s->mirror);
		s->marks = 0;
		if (info.refresh_done)
			refresh_done(s, server);
		break;
	}
	if (r != 0)
		drop_everything(s);
	take_cookie(s, info.cookie);
	info.cookie = NULL;
	ntkd_sync_info_clear(&info);
}

/* Codes meaning "this server will not serve the subscription", as opposed to "it went away". */
static bool
code_refuses(int code)
{
	switch (code) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
	case LDAP_SUCCESS:              /* the server ended the search: shutting down */
	case LDAP_OTHER:
		return false;
	default:
		return true;
	}
}

static enum ending
on_done(struct ntkd_dir_sync *s, LDAP *ld, LDAPMessage *msg, const char *server)
{
	struct berval *cookie = NULL;
	char why[200];
	int code;

	ntkd_sync_done_parse(ld, msg, &code, &cookie);
	take_cookie(s, cookie);
	if (code == LDAP_SYNC_REFRESH_REQUIRED) {
		ntkd_log(LOG_INFO, "dir_sync: %s wants a refresh from scratch", server);
		s->restart_full = true;
		return END_RESTART;
	}
	if (!code_refuses(code)) {
		ntkd_log(LOG_WARNING, "dir_sync: %s ended the subscription: %s", server,
		    ldap_err2string(code));
		return END_LOST;
	}
	snprintf(why, sizeof(why), "%s refuses content sync: %s", server, ldap_err2string(code));
	ntkd_log(LOG_WARNING, "dir_sync: %s; decisions follow the directory within ttl (%u s)",
	    why, s->cf->cache_ttl);
	set_state(s, ST_TTL, why, server);
	return END_TTL;
}

/*
 * A frozen server keeps the connection open and says nothing, which looks
 * like a quiet directory: every KEEPALIVE_SECS a base search of the root
 * DSE must be answered within `timeout`. 0, or NTK_ERR_TIMEOUT when the
 * server is to be given up.
 */
struct keepalive {
	int msgid;                      /* outstanding, or -1 */
	int64_t next_ms, deadline_ms;
};

static int
keepalive(LDAP *ld, const struct ntk_config *cf, struct keepalive *k)
{
	char *attrs[] = { "1.1", NULL };
	struct timeval zero = { 0, 0 };
	LDAPMessage *res = NULL;
	int64_t now = ntk_mono_ms();
	int rc;

	if (k->msgid < 0) {
		if (now < k->next_ms)
			return 0;
		if (ldap_search_ext(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL,
		    NULL, 1, &k->msgid) != LDAP_SUCCESS)
			return NTK_ERR_TIMEOUT;
		k->deadline_ms = now + (int64_t)cf->timeout * 1000;
		return 0;
	}
	rc = ldap_result(ld, k->msgid, LDAP_MSG_ALL, &zero, &res);
	ldap_msgfree(res);
	if (rc < 0)
		return NTK_ERR_TIMEOUT;
	if (rc > 0) {
		k->msgid = -1;
		k->next_ms = now + KEEPALIVE_SECS * 1000;
		return 0;
	}
	return now > k->deadline_ms ? NTK_ERR_TIMEOUT : 0;
}

/* One connection: subscribe, refresh, follow until it goes. */
static enum ending
session(struct ntkd_dir_sync *s, const struct ntk_config *cf)
{
	char *probe_attrs[] = { "1.1", NULL };
	char *attrs[] = { "*", cf->role_attribute, NULL };
	struct ntkd_ldap_search q = {
		.base = "", .scope = LDAP_SCOPE_BASE, .filter = "(objectClass=*)",
		.attrs = probe_attrs, .sizelimit = 1,
	};
	struct ntkd_ldap_conn *conn = NULL;
	LDAPControl *ctrl = NULL, *ctrls[2] = { NULL, NULL };
	LDAPMessage *msg = NULL;
	struct timeval tv;
	const char *server;
	LDAP *ld;
	enum ending end = END_LOST;
	struct keepalive ka = { -1, ntk_mono_ms() + KEEPALIVE_SECS * 1000, 0 };
	int64_t failback_ms = ntk_mono_ms() + FAILBACK_SECS * 1000;
	bool preferred;
	int msgid, rc, err;

	s->cf = cf;
	set_state(s, ST_CONNECTING, NULL, NULL);
	/* The workers' connection logic: URIs in order, failover, shared server health. */
	if (ntkd_ldap_conn_open(cf, &conn) != 0 || ntkd_ldap_conn_search(conn, &q, 1) != 0) {
		ntkd_ldap_search_clear(&q, 1);
		set_state(s, ST_DOWN, "no server answered", "none");
		end = END_DOWN;
		goto out;
	}
	ntkd_ldap_search_clear(&q, 1);
	ld = ntkd_ldap_conn_ld(conn);
	server = ntkd_ldap_conn_server(conn);
	/* The first URI is the nearest replica: away from it, come back when it answers again. */
	preferred = cf->nuris == 0 || strcmp(server, cf->uris[0]) == 0;
	s->following = false;
	s->full = s->cookie == NULL;
	if (s->full)
		ntkd_mirror_clear(s->mirror);
	ntkd_mirror_unmark(s->mirror);
	s->marks = 0;
	if (ntkd_sync_control(LDAP_SYNC_REFRESH_AND_PERSIST, s->cookie, &ctrl) != 0)
		goto out;
	ctrls[0] = ctrl;
	if ((rc = ldap_search_ext(ld, cf->base, LDAP_SCOPE_SUBTREE, "(objectClass=*)", attrs, 0, ctrls,
	    NULL, NULL, 0, &msgid)) != LDAP_SUCCESS) {
		ntkd_log(LOG_WARNING, "dir_sync: %s: %s", server, ldap_err2string(rc));
		goto out;
	}
	set_state(s, ST_REFRESHING, NULL, server);
	for (;;) {
		if (stopping(s)) {
			end = END_STOP;
			break;
		}
		if (current_generation(s->d) != s->generation || s->restart_full) {
			end = END_RESTART;
			break;
		}
		if (!preferred && s->following && ntk_mono_ms() >= failback_ms) {
			ntkd_log(LOG_INFO, "dir_sync: trying %s again after %d s on %s", cf->uris[0],
			    FAILBACK_SECS, server);
			end = END_RESTART;
			break;
		}
		if (keepalive(ld, cf, &ka) != 0) {
			ntkd_log(LOG_WARNING, "dir_sync: %s did not answer a keepalive within %u s: "
			    "giving it up", server, cf->timeout);
			break;
		}
		tv.tv_sec = 1;
		tv.tv_usec = 0;
		/* One message at a time: each change is applied before the next is read. */
		rc = ldap_result(ld, msgid, LDAP_MSG_ONE, &tv, &msg);
		if (rc == 0)
			continue;
		if (rc < 0) {
			err = LDAP_SERVER_DOWN;
			ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
			ntkd_log(LOG_WARNING, "dir_sync: lost %s: %s", server, ldap_err2string(err));
			break;
		}
		switch (ldap_msgtype(msg)) {
		case LDAP_RES_SEARCH_ENTRY:
			on_entry(s, ld, msg);
			break;
		case LDAP_RES_INTERMEDIATE:
			on_info(s, ld, msg, server);
			break;
		case LDAP_RES_SEARCH_RESULT:
			end = on_done(s, ld, msg, server);
			break;
		default:
			break;
		}
		ldap_msgfree(msg);
		msg = NULL;
		publish(s);
		if (rc == LDAP_RES_SEARCH_RESULT)
			break;
	}
out:
	publish(s);
	ldap_control_free(ctrl);
	ntkd_ldap_conn_close(conn);
	s->cf = NULL;
	return end;
}

static void *
sync_main(void *arg)
{
	struct ntkd_dir_sync *s = arg;
	struct ntkd_snapshot *snap;
	enum ending end;
	unsigned backoff = 1, wait;

	while (!stopping(s)) {
		pthread_mutex_lock(&s->d->snap_lock);
		snap = ntkd_snapshot_ref(s->d->snap);
		pthread_mutex_unlock(&s->d->snap_lock);
		/* A new config may map entries differently: start from nothing. */
		if (snap->generation != s->generation || s->restart_full) {
			ntkd_mirror_clear(s->mirror);
			ber_bvfree(s->cookie);
			s->cookie = NULL;
			s->generation = snap->generation;
			s->restart_full = false;
		}
		if (!snap->config.follow_changes) {
			set_state(s, ST_OFF, "follow_changes = no", "none");
			ntkd_snapshot_unref(snap);
			pause_for(s, 5);
			continue;
		}
		end = session(s, &snap->config);
		ntkd_snapshot_unref(snap);
		switch (end) {
		case END_STOP:
			return NULL;
		case END_RESTART:
			backoff = 1;
			continue;
		case END_TTL:
			wait = NTKD_DIR_SYNC_RETRY_SECS;
			backoff = 1;
			break;
		case END_LOST:
			/* Straight back, as the workers' failover would; then slower. */
			pthread_mutex_lock(&s->lock);
			wait = s->state == ST_FOLLOWING ? 0 : backoff;
			pthread_mutex_unlock(&s->lock);
			set_state(s, ST_DOWN, "connection lost", NULL);
			backoff = wait == 0 ? 1 : backoff * 2;
			break;
		case END_DOWN:
		default:
			wait = backoff;
			backoff *= 2;
			break;
		}
		if (backoff > BACKOFF_MAX_SECS)
			backoff = BACKOFF_MAX_SECS;
		if (wait > 0 && pause_for(s, wait))
			break;
	}
	return NULL;
}

int
ntkd_dir_sync_start(struct ntkd *d, struct ntkd_dir_sync **out)
{
	struct ntkd_dir_sync *s;
	pthread_condattr_t ca;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NTK_ERR_NOMEM;
	s->d = d;
	snprintf(s->server, sizeof(s->server), "none");
	if ((r = ntkd_mirror_new(&s->mirror)) != 0) {
		free(s);
		return r;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, sync_main, s) != 0) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		ntkd_mirror_free(s->mirror);
		free(s);
		return NTK_ERR_NOMEM;
	}
	*out = s;
	return 0;
}

void
ntkd_dir_sync_stop(struct ntkd_dir_sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	ntkd_mirror_free(s->mirror);
	ber_bvfree(s->cookie);
	free(s);
}

void
ntkd_dir_sync_status(struct ntkd_dir_sync *s, FILE *f)
{
	if (s == NULL) {
		fprintf(f, "dir_sync=off\n");
		return;
	}
	pthread_mutex_lock(&s->lock);
	fprintf(f, "dir_sync=%s\n", state_names[s->state]);
	if (s->why[0] != '\0')
		fprintf(f, "dir_sync_reason=%s\n", s->why);
	fprintf(f, "dir_sync_server=%s\n", s->server);
	fprintf(f, "dir_sync_entries=%zu\n", s->entries);
	fprintf(f, "dir_sync_changes=%lu\n", s->changes);
	fprintf(f, "dir_sync_dropped=%lu\n", s->dropped);
	fprintf(f, "dir_sync_resumed=%lu\n", s->resumed);
	pthread_mutex_unlock(&s->lock);
}

int
ntkd_dir_sync_offered(LDAP *ld, const struct ntk_config *cf, bool *offered, char *why,
    size_t whylen)
{
	char *attrs[] = { "1.1", NULL };
	LDAPControl *ctrl = NULL, *ctrls[2] = { NULL, NULL };
	LDAPMessage *res = NULL;
	struct timeval tv = { .tv_sec = (time_t)cf->timeout, .tv_usec = 0 };
	int rc;

	*offered = false;
	snprintf(why, whylen, "%s", "");
	if (ntkd_sync_control(LDAP_SYNC_REFRESH_ONLY, NULL, &ctrl) != 0)
		return NTK_ERR_NOMEM;
	ctrls[0] = ctrl;
	/* The base entry alone, refreshOnly: cheap, and refused exactly as the subscription would be. */
	rc = ldap_search_ext_s(ld, cf->base, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, ctrls, NULL,
	    &tv, 1, &res);
	ldap_msgfree(res);
	ldap_control_free(ctrl);
	*offered = rc == LDAP_SUCCESS;
	if (rc != LDAP_SUCCESS)
		snprintf(why, whylen, "%s", ldap_err2string(rc));
	return rc == LDAP_SUCCESS || code_refuses(rc) ? 0 : NTK_ERR_UNAVAILABLE;
}
