/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One LDAP connection with failover across the configured URIs, and batches of bounded searches over it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ldap.h>

#include "ntk_clock.h"
#include "ntk_err.h"
#include "log.h"
#include "ldap_conn.h"
#include "ldap_sasl.h"
#include "ldap_health.h"

struct ntkd_ldap_conn {
	const struct ntk_config *config;
	LDAP *ld;               /* NULL: not connected */
	size_t cur;             /* URI connected to, or to start from */
	bool have_server;
	size_t server;          /* URI last used successfully */
	time_t failback_at;     /* monotonic seconds: retry URI 0 from then on */
	unsigned long round_trips;
	struct ntkd_ldap_health **health;       /* per URI, shared with every other handle */
};

/* What one attempt on one server came to. */
enum attempt {
	ATTEMPT_OK = 0,
	ATTEMPT_DEAD,           /* the server is gone: fail over */
	ATTEMPT_TIMEOUT,        /* the server did not answer in time: fail over */
};

/* Result codes meaning "this server cannot serve us now", as opposed to "this request is wrong". */
static bool
code_is_dead(int code)
{
	switch (code) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
	case LDAP_TIMELIMIT_EXCEEDED:
		return true;
	default:
		return false;
	}
}

static const char *
uri_of(const struct ntkd_ldap_conn *c, size_t idx)
{
	return c->config->uris[idx];
}

static void
conn_drop(struct ntkd_ldap_conn *c)
{
	if (c->ld == NULL)
		return;
	ldap_unbind_ext_s(c->ld, NULL, NULL);
	c->ld = NULL;
}

static void
log_ld_error(int priority, LDAP *ld, const char *uri, const char *what, int code)
{
	char *diag = NULL, text[200];

	if (ld != NULL)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);

	snprintf(text, sizeof(text), "%s: %s%s%s", what, ldap_err2string(code),
	    diag != NULL && *diag != '\0' ? ": " : "", diag != NULL ? diag : "");
	ntkd_log(priority, "ldap %s: %s", uri, text);
	ntkd_ldap_health_note_error(uri, text);
	ldap_memfree(diag);
}

/* Open, secure and bind one URI; c->ld is set only on success. */
static enum attempt
conn_connect(struct ntkd_ldap_conn *c, size_t idx)
{
	const struct ntk_config *cf = c->config;
	const char *uri = uri_of(c, idx);
	struct timeval tv = { .tv_sec = (time_t)cf->timeout, .tv_usec = 0 };
	struct berval cred = { 0, NULL };
	LDAP *ld = NULL;
	bool ldaps = strncasecmp(uri, "ldaps://", 8) == 0;
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, client = 0;
	int rc;
	const char *step = "bind";
	enum attempt ret = ATTEMPT_DEAD;

	if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS) {
		log_ld_error(LOG_ERR, NULL, uri, "initialize", rc);
		goto out;
	}
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    /*
	     * libldap 2.5 bounds the TLS handshake by the network timeout only
	     * on an asynchronous connect; otherwise a hung ldaps:// server makes
	     * ldap_int_tls_start spin on its non-blocking socket for ever.
	     */
	    ldap_set_option(ld, LDAP_OPT_CONNECT_ASYNC, LDAP_OPT_ON) != LDAP_OPT_SUCCESS) {
		ntkd_log(LOG_ERR, "ldap %s: cannot set connection options", uri);
		goto out;
	}
	if (ldaps || cf->tls == NTK_TLS_STARTTLS) {
		/* A TLS context of this handle's own, so tls_cacert applies here only. */
		if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
		    (cf->tls_cacert != NULL &&
		    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, cf->tls_cacert) != LDAP_OPT_SUCCESS) ||
		    /* bind_mech = EXTERNAL: the client certificate is ntkd's identity. */
		    (cf->tls_cert != NULL &&
		    ldap_set_option(ld, LDAP_OPT_X_TLS_CERTFILE, cf->tls_cert) != LDAP_OPT_SUCCESS) ||
		    (cf->tls_key != NULL &&
		    ldap_set_option(ld, LDAP_OPT_X_TLS_KEYFILE, cf->tls_key) != LDAP_OPT_SUCCESS) ||
		    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &client) != LDAP_OPT_SUCCESS) {
			ntkd_log(LOG_ERR, "ldap %s: cannot set up TLS (tls_cacert %s)", uri,
			    cf->tls_cacert != NULL ? cf->tls_cacert : "unset");
			goto out;
		}
	}
	if (cf->tls == NTK_TLS_STARTTLS && !ldaps) {
		c->round_trips++;
		if ((rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
			/* Never fall back to a plain connection. */
			log_ld_error(LOG_ERR, ld, uri, "StartTLS", rc);
			if (rc == LDAP_TIMEOUT)
				ret = ATTEMPT_TIMEOUT;
			goto out;
		}
	}
	if (cf->binddn != NULL && cf->bindpw != NULL) {
		cred.bv_val = cf->bindpw;
		cred.bv_len = strlen(cf->bindpw);
	}
	c->round_trips++;
	if (cf->bind_mech == NTK_BIND_SIMPLE)
		rc = ldap_sasl_bind_s(ld, cf->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	else
		rc = ntkd_ldap_sasl_bind(ld, cf, &step);
	if (rc != LDAP_SUCCESS) {
		log_ld_error(code_is_dead(rc) ? LOG_WARNING : LOG_ERR, ld, uri, step, rc);
		if (rc == LDAP_TIMEOUT)
			ret = ATTEMPT_TIMEOUT;
		goto out;
	}
	ntkd_log(LOG_DEBUG, "ldap %s: connected", uri);
	c->ld = ld;
	ld = NULL;
	ret = ATTEMPT_OK;
out:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return ret;
}

void
ntkd_ldap_search_clear(struct ntkd_ldap_search *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++) {
		ldap_msgfree(s[i].result);
		s[i].result = NULL;
		s[i].truncated = false;
		s[i].missing = false;
		ber_bvfree(s[i].next);
		s[i].next = NULL;
		s[i].msgid = -1;
	}
}

/* Give up on the searches still outstanding, so their answers do not pile up. */
static void
batch_abandon(LDAP *ld, struct ntkd_ldap_search *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].msgid >= 0 && s[i].result == NULL)
			ldap_abandon_ext(ld, s[i].msgid, NULL, NULL);
	}
}

/* A paged search's response control: the cookie of the next page, if one follows. */
static void
page_next(struct ntkd_ldap_conn *c, struct ntkd_ldap_search *s, LDAPControl **ctrls)
{
	LDAPControl *ctrl;
	struct berval cookie = { 0, NULL };
	ber_int_t estimate = 0;

	ber_bvfree(s->next);
	s->next = NULL;
	if (ctrls == NULL || (ctrl = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls, NULL)) == NULL)
		return;
	if (ldap_parse_pageresponse_control(c->ld, ctrl, &estimate, &cookie) != LDAP_SUCCESS)
		return;
	/* An empty cookie is the last page; a copy outlives the result it came in. */
	if (cookie.bv_len > 0)
		s->next = ber_bvdup(&cookie);
	ber_memfree(cookie.bv_val);
}

/* The page request for a subtree search, or NULL (base searches return one entry). */
static int
page_control(struct ntkd_ldap_conn *c, const struct ntkd_ldap_search *s, LDAPControl **out)
{
	*out = NULL;
	if (s->scope != LDAP_SCOPE_SUBTREE)
		return LDAP_SUCCESS;
	return ldap_create_page_control(c->ld, NTKD_LDAP_PAGE_SIZE, s->cookie, 0, out);
}

/* The final message of one search: its result code decides. */
static int
batch_check(struct ntkd_ldap_conn *c, struct ntkd_ldap_search *s, enum attempt *att)
{
	LDAPMessage *m;
	LDAPControl **ctrls = NULL;
	char *errmsg = NULL;
	int code = LDAP_OTHER, rc, ret = 0;

	for (m = ldap_first_message(c->ld, s->result); m != NULL; m = ldap_next_message(c->ld, m)) {
		if (ldap_msgtype(m) == LDAP_RES_SEARCH_RESULT)
			break;
	}
	if (m == NULL) {
		ntkd_log(LOG_ERR, "ldap %s: search answer without a result", uri_of(c, c->cur));
		return NTK_ERR_INTERNAL;
	}
	rc = ldap_parse_result(c->ld, m, &code, NULL, &errmsg, NULL, &ctrls, 0);
	if (rc != LDAP_SUCCESS)
		code = rc;
	else
		page_next(c, s, ctrls);
	ldap_controls_free(ctrls);
	switch (code) {
	case LDAP_SUCCESS:
		break;
	case LDAP_SIZELIMIT_EXCEEDED:
	case LDAP_ADMINLIMIT_EXCEEDED:
		s->truncated = true;
		break;
	case LDAP_NO_SUCH_OBJECT:
		if (s->scope != LDAP_SCOPE_BASE) {
			/*
			 * base itself is missing: every answer would be "nobody".
			 * A directory error (directory-unavailable, never cached
			 * as an unknown user), with the server still up.
			 */
			ntkd_log(LOG_ERR, "ldap %s: base \"%s\" does not exist", uri_of(c, c->cur),
			    s->base);
			ret = NTK_ERR_UNAVAILABLE;
			break;
		}
		s->missing = true;
		break;
	case LDAP_REFERRAL:
	case LDAP_INSUFFICIENT_ACCESS:
		/*
		 * One member or manager DN that is a referral object (never
		 * chased) or that the bind may not read: that entry is skipped,
		 * not the whole group. A search below base keeps failing.
		 */
		if (s->scope != LDAP_SCOPE_BASE)
			goto failed;
		ntkd_log(LOG_NOTICE, "ldap %s: entry \"%s\" skipped: %s", uri_of(c, c->cur),
		    s->base, ldap_err2string(code));
		s->missing = true;
		break;
	default:
	failed:
		ntkd_log(code_is_dead(code) ? LOG_WARNING : LOG_ERR,
		    "ldap %s: search base=\"%s\" filter=\"%s\": %s%s%s", uri_of(c, c->cur),
		    s->base, s->filter, ldap_err2string(code),
		    errmsg != NULL && *errmsg != '\0' ? ": " : "", errmsg != NULL ? errmsg : "");
		if (code_is_dead(code))
			*att = code == LDAP_TIMELIMIT_EXCEEDED ? ATTEMPT_TIMEOUT : ATTEMPT_DEAD;
		ret = NTK_ERR_INTERNAL;
		break;
	}
	ldap_memfree(errmsg);
	return ret;
}

/*
 * Send every search, then collect each answer under one deadline. Returns
 * 0, or an error with *att saying whether the server is to blame.
 */
static int
batch_run(struct ntkd_ldap_conn *c, struct ntkd_ldap_search *s, size_t n, enum attempt *att)
{
	struct timeval tv = { .tv_sec = (time_t)c->config->timeout, .tv_usec = 0 };
	struct timeval left;
	double deadline, rest;
	size_t i;
	int rc, r, code;

	*att = ATTEMPT_OK;
	for (i = 0; i < n; i++) {
		LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL };

		if ((rc = page_control(c, &s[i], &page)) == LDAP_SUCCESS) {
			ctrls[0] = page;
			/* tv is also the server's time limit for the search. */
			rc = ldap_search_ext(c->ld, s[i].base, s[i].scope, s[i].filter, s[i].attrs, 0,
			    ctrls, NULL, &tv, s[i].sizelimit, &s[i].msgid);
		}
		ldap_control_free(page);
		if (i == 0)
			c->round_trips++;
		if (rc != LDAP_SUCCESS) {
			s[i].msgid = -1;
			log_ld_error(code_is_dead(rc) ? LOG_WARNING : LOG_ERR, c->ld,
			    uri_of(c, c->cur), "search", rc);
			if (code_is_dead(rc))
				*att = rc == LDAP_TIMEOUT ? ATTEMPT_TIMEOUT : ATTEMPT_DEAD;
			r = rc == LDAP_NO_MEMORY ? NTK_ERR_NOMEM : NTK_ERR_INTERNAL;
			goto fail;
		}
	}
	deadline = (double)ntk_mono_ms() / 1000.0 + (double)c->config->timeout;
	for (i = 0; i < n; i++) {
		rest = deadline - (double)ntk_mono_ms() / 1000.0;
		if (rest < 0)
			rest = 0;
		left.tv_sec = (time_t)rest;
		left.tv_usec = (suseconds_t)((rest - (double)left.tv_sec) * 1e6);
		rc = ldap_result(c->ld, s[i].msgid, LDAP_MSG_ALL, &left, &s[i].result);
		if (rc == 0) {
			ldap_msgfree(s[i].result);
			s[i].result = NULL;
			ntkd_log(LOG_WARNING, "ldap %s: no answer within %u s", uri_of(c, c->cur),
			    c->config->timeout);
			*att = ATTEMPT_TIMEOUT;
			r = NTK_ERR_UNAVAILABLE;
			goto fail;
		}
		if (rc < 0) {
			ldap_msgfree(s[i].result);
			s[i].result = NULL;
			code = LDAP_OTHER;
			ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &code);
			log_ld_error(code_is_dead(code) ? LOG_WARNING : LOG_ERR, c->ld,
			    uri_of(c, c->cur), "search result", code);
			if (code_is_dead(code))
				*att = code == LDAP_TIMEOUT ? ATTEMPT_TIMEOUT : ATTEMPT_DEAD;
			r = code == LDAP_NO_MEMORY ? NTK_ERR_NOMEM : NTK_ERR_INTERNAL;
			goto fail;
		}
		if ((r = batch_check(c, &s[i], att)) != 0)
			goto fail;
	}
	return 0;
fail:
	if (c->ld != NULL)
		batch_abandon(c->ld, s, n);
	ntkd_ldap_search_clear(s, n);
	return r;
}

int
ntkd_ldap_conn_search(struct ntkd_ldap_conn *c, struct ntkd_ldap_search *s, size_t n)
{
	size_t nuris = c->config->nuris, idx, tried = 0;
	bool fresh, stale_retried = false, admitted = false, probe = false, attempted = false;
	enum attempt att;
	time_t now = (time_t)(ntk_mono_ms() / 1000);
	int r;

	if (n == 0)
		return 0;
	for (idx = 0; idx < n; idx++) {
		s[idx].result = NULL;
		s[idx].truncated = s[idx].missing = false;
		s[idx].msgid = -1;
		if (s[idx].sizelimit <= 0)
			return NTK_ERR_INTERNAL;
	}
	if (nuris == 0)
		return NTK_ERR_UNAVAILABLE;
	/*
	 * Failback: the first URI is the preferred one; give it another chance
	 * now and then, unless it is down and waiting out its backoff.
	 */
	if (c->cur != 0 && now >= c->failback_at && ntkd_ldap_health_usable(c->health[0])) {
		if (c->ld != NULL)
			ntkd_log(LOG_INFO, "ldap: trying %s again after %d s on %s",
			    uri_of(c, 0), NTKD_LDAP_FAILBACK_SECS, uri_of(c, c->cur));
		conn_drop(c);
		c->cur = 0;
	}
	idx = c->cur;
	while (tried < nuris) {
		/* A server marked down by any worker is skipped without I/O until its probe is due. */
		if (!admitted && !ntkd_ldap_health_admit(c->health[idx], &probe)) {
			if (c->ld != NULL && c->cur == idx)
				conn_drop(c);
			tried++;
			idx = (idx + 1) % nuris;
			continue;
		}
		admitted = false;
		attempted = true;
		fresh = false;
		if (c->ld == NULL) {
			c->cur = idx;
			if ((att = conn_connect(c, idx)) != ATTEMPT_OK) {
				ntkd_ldap_health_report(c->health[idx], probe, false, att == ATTEMPT_TIMEOUT);
				tried++;
				idx = (idx + 1) % nuris;
				continue;
			}
			fresh = true;
		}
		r = batch_run(c, s, n, &att);
		if (r == 0 || att == ATTEMPT_OK) {
			/* An answer, even a refusal of the request, shows the server alive. */
			ntkd_ldap_health_report(c->health[idx], probe, true, false);
			if (r == NTK_ERR_UNAVAILABLE)   /* alive, but base is missing: say so in status */
				ntkd_ldap_health_note_error(uri_of(c, idx), "base does not exist (noSuchObject)");
			if (r != 0)
				return r;
			/* Away from the preferred URI: ask it again in a while, not on every call. */
			if (idx != 0 && c->failback_at <= now)
				c->failback_at = now + NTKD_LDAP_FAILBACK_SECS;
			c->have_server = true;
			c->server = idx;
			return 0;
		}
		conn_drop(c);
		/* An idle connection the server closed deserves one fresh try; a hung server does not. */
		if (!fresh && !stale_retried && att == ATTEMPT_DEAD) {
			stale_retried = true;
			admitted = true;        /* same server, same admission (and probe) */
			continue;
		}
		ntkd_ldap_health_report(c->health[idx], probe, false, att == ATTEMPT_TIMEOUT);
		tried++;
		idx = (idx + 1) % nuris;
	}
	c->cur = 0;
	if (!attempted) {
		/* Every server is in its backoff: fail fast, and quietly (the failure was logged once). */
		ntkd_ldap_health_fast_fail();
		ntkd_log(LOG_DEBUG, "ldap: every server is down, not trying");
		return NTK_ERR_UNAVAILABLE;
	}
	ntkd_log(LOG_ERR, "ldap: no server answered (%zu URI%s tried)", nuris, nuris == 1 ? "" : "s");
	return NTK_ERR_UNAVAILABLE;
}

int
ntkd_ldap_conn_open(const struct ntk_config *config, struct ntkd_ldap_conn **out)
{
	struct ntkd_ldap_conn *c = NULL;
	size_t i;
	int r;

	*out = NULL;
	if (config == NULL)
		return NTK_ERR_INTERNAL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->health = calloc(config->nuris + 1, sizeof(*c->health))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto fail;
	}
	c->config = config;
	for (i = 0; i < config->nuris; i++)
		if ((r = ntkd_ldap_health_get(config->uris[i], &c->health[i])) != 0)
			goto fail;
	*out = c;
	return 0;
 fail:
	ntkd_ldap_conn_close(c);
	return r;
}

void
ntkd_ldap_conn_close(struct ntkd_ldap_conn *c)
{
	if (c == NULL)
		return;
	conn_drop(c);
	free(c->health);
	free(c);
}

LDAP *
ntkd_ldap_conn_ld(struct ntkd_ldap_conn *c)
{
	return c->ld;
}

const char *
ntkd_ldap_conn_server(const struct ntkd_ldap_conn *c)
{
	if (c == NULL || !c->have_server)
		return NULL;
	return uri_of(c, c->server);
}

unsigned long
ntkd_ldap_conn_round_trips(const struct ntkd_ldap_conn *c)
{
	return c != NULL ? c->round_trips : 0;
}
