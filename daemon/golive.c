/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd -t: check a config against the live directory before go-live. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dir_session.h"
#include "dir_sync.h"
#include "directory.h"
#include "golive.h"
#include "ldap_health.h"
#include "local_day.h"
#include "ntk_config_perm.h"
#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_policy.h"
#include "ntk_strv.h"
#include "snapshot.h"

#define SHOWN_INFO_MAX 20       /* "no such role" notes for other groups, before a count */

enum level { L_OK, L_INFO, L_WARNING, L_ERROR };

struct report {
	enum level worst;
	unsigned infos;
};

static void say(struct report *rep, enum level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct report *rep, enum level lv, const char *fmt, ...)
{
	static const char *const names[] = { "ok", "info", "warning", "error" };
	va_list ap;

	if (lv > rep->worst)
		rep->worst = lv;
	printf("%s: ", names[lv]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A name reduced to lower-case letters and digits: "FACTS_caseworkers" ~ "facts-Caseworkers". */
static void
squash(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in != '\0' && o + 1 < outlen; in++)
		if (isalnum((unsigned char)*in) && (unsigned char)*in < 0x80)
			out[o++] = (char)tolower((unsigned char)*in);
	out[o] = '\0';
}

static const struct ntk_role *
near_miss(const struct ntk_policy *p, const char *value)
{
	char a[NTK_NAME_MAX + 1], b[NTK_NAME_MAX + 1];
	size_t i;

	squash(value, a, sizeof(a));
	for (i = 0; i < p->nroles; i++) {
		squash(p->roles[i].name, b, sizeof(b));
		if (a[0] != '\0' && strcmp(a, b) == 0)
			return &p->roles[i];
	}
	return NULL;
}

/* Who ntkd binds as, in the words of the config. */
static const char *
bound_as(const struct ntk_config *cf)
{
	if (cf->bind_mech == NTK_BIND_GSSAPI)
		return cf->krb5_principal != NULL ? cf->krb5_principal : "the keytab's first principal";
	if (cf->bind_mech == NTK_BIND_EXTERNAL)
		return "the TLS client certificate";
	return cf->binddn != NULL ? cf->binddn : "anonymous";
}

/* Whether changes reach decisions at once (a content sync subscription) or within ttl. */
static void
check_sync(struct report *rep, const struct ntk_config *cf, const char *uri, struct ntkd_directory *d)
{
	LDAP *ld = ntkd_ldap_conn_ld(d->conn);
	char why[200];
	bool offered;
	int r;

	if (!cf->follow_changes || ld == NULL)
		return;
	r = ntkd_dir_sync_offered(ld, cf, &offered, why, sizeof(why));
	if (r == 0 && offered)
		say(rep, L_OK, "%s: offers content sync (RFC 4533): ntkd follows directory changes "
		    "as they happen", uri);
	else if (r == 0)
		say(rep, L_INFO, "%s: offers no content sync (RFC 4533; %s): changes reach decisions "
		    "within ttl (%u s)", uri, why, cf->cache_ttl);
	else
		say(rep, L_WARNING, "%s: content sync not checked: %s", uri,
		    why[0] != '\0' ? why : ntk_strerror(r));
}

/*
 * Each URI alone: connect, bind (TLS as configured), and find base. The
 * first good handle is kept; ones[i] is its one-URI config and must
 * outlive it.
 */
static struct ntkd_directory *
check_uris(struct report *rep, const struct ntk_config *cf, struct ntk_config *ones)
{
	struct ntkd_directory *d, *keep = NULL;
	char why[256];
	size_t i;
	int r;

	for (i = 0; i < cf->nuris; i++) {
		ones[i] = *cf;
		ones[i].uris = &cf->uris[i];
		ones[i].nuris = 1;
		if (ntkd_directory_open(&ones[i], &d) != 0) {
			say(rep, L_ERROR, "%s: cannot set up a connection", cf->uris[i]);
			continue;
		}
		r = ntkd_directory_probe_base(d);
		if (r == 0) {
			say(rep, L_OK, "%s: connected, bound as %s, base \"%s\" exists", cf->uris[i],
			    bound_as(cf), cf->base);
			check_sync(rep, cf, cf->uris[i], d);
		}
		else if (r == NTK_ERR_NOT_FOUND)
			say(rep, L_ERROR, "%s: base \"%s\" does not exist (noSuchObject)",
			    cf->uris[i], cf->base);
		else {
			ntkd_ldap_health_error(cf->uris[i], why, sizeof(why));
			say(rep, L_ERROR, "%s: cannot connect, start TLS or bind: %s", cf->uris[i],
			    why[0] != '\0' ? why : ntk_strerror(r));
		}
		if (r == 0 && keep == NULL)
			keep = d;
		else
			ntkd_directory_close(d);
	}
	return keep;
}

/* What the sample user would get: found, staff, roles known, and each system's login verdict. */
static void
check_user(struct report *rep, struct ntkd_directory *d, const struct ntk_config *cf,
    const char *user)
{
	const struct ntk_policy *p = &cf->policy;
	struct ntk_subject s;
	struct ntk_decision dec;
	struct ntk_query q = { 0 };
	struct ntk_clock clk;
	char safe[160], line[160];
	size_t i;
	int r;

	ntk_escape_log_str(user, safe, sizeof(safe));
	if ((r = ntkd_directory_subject(d, user, &s)) != 0) {
		say(rep, L_ERROR, "user \"%s\": lookup failed: %s", safe, ntk_strerror(r));
		return;
	}
	if (!s.found) {
		say(rep, L_ERROR, "user \"%s\": user_filter finds no single entry whose %s is exactly "
		    "that name", safe, cf->name_attribute);
		goto out;
	}
	if (s.disabled) {
		say(rep, L_WARNING, "user \"%s\": found, but the entry does not match staff_filter: "
		    "every decision would be account-disabled", safe);
		goto out;
	}
	say(rep, L_OK, "user \"%s\": found; %zu role(s), %zu assignment(s), %zu supervised "
	    "assignment(s)", safe, s.nroles, s.nassignments, s.nsupervised);
	for (i = 0; i < s.nroles; i++) {
		ntk_escape_log_str(s.roles[i], line, sizeof(line));
		if (ntk_policy_find_role(p, s.roles[i]) == NULL)
			say(rep, L_INFO, "user \"%s\": role \"%s\" has no [role:] section", safe, line);
		else
			say(rep, L_OK, "user \"%s\": role \"%s\"", safe, line);
	}
	clk.now = (int64_t)time(NULL);
	clk.today = ntkd_local_day(clk.now, NULL);
	q.action = NTK_ACTION_LOGIN;
	for (i = 0; i < p->nsystems; i++) {
		q.system = p->systems[i].name;
		ntk_policy_decide(p, &s, &q, &clk, &dec);
		if (ntk_decision_format(&dec, line, sizeof(line)) != 0)
			strcpy(line, "?");
		say(rep, L_INFO, "user \"%s\" on %s: %s", safe, q.system, line);
	}
out:
	ntk_subject_clear(&s);
}

/* Role names the directory holds that match no [role:] section, and sections nobody holds. */
static void
check_roles(struct report *rep, struct ntkd_directory *d, const struct ntk_config *cf)
{
	const struct ntk_policy *p = &cf->policy;
	const struct ntk_role *near;
	char **values = NULL, safe[160];
	size_t n = 0, i, k, hidden = 0;
	bool held, plain = cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE &&
	    cf->role_value == NTK_ROLE_VALUE_VALUE;
	int r;

	if ((r = ntkd_directory_role_values(d, &values, &n)) != 0) {
		say(rep, L_ERROR, "role names in the directory: search failed: %s", ntk_strerror(r));
		return;
	}
	for (i = 0; i < n; i++) {
		if (ntk_policy_find_role(p, values[i]) != NULL)
			continue;
		ntk_escape_log_str(values[i], safe, sizeof(safe));
		if ((near = near_miss(p, values[i])) != NULL)
			say(rep, L_WARNING, "role \"%s\" in the directory matches no [role:] section; "
			    "did you mean [role:%s]?", safe, near->name);
		else if (plain)
			/* ntkRole-style values are meant as roles: an unknown one is a typo or a gap. */
			say(rep, L_WARNING, "role \"%s\" in the directory matches no [role:] section", safe);
		else if (rep->infos++ < SHOWN_INFO_MAX)
			/* Groups are many, and most are not roles. */
			say(rep, L_INFO, "group \"%s\" in the directory is not a role", safe);
		else
			hidden++;
	}
	if (hidden > 0)
		say(rep, L_INFO, "%zu more groups in the directory are not roles", hidden);
	for (k = 0; k < p->nroles; k++) {
		for (i = 0, held = false; i < n && !held; i++)
			held = ntk_role_name_eq(values[i], p->roles[k].name);
		if (!held)
			say(rep, L_WARNING, "[role:%s]: no entry in the directory holds it",
			    p->roles[k].name);
	}
	if (n > 0 || p->nroles > 0)
		say(rep, L_OK, "%zu role name(s) found in the directory, %zu [role:] section(s)",
		    n, p->nroles);
	ntk_strv_free(values, n);
}

int
ntkd_golive(const char *path, const char *user)
{
	struct report rep = { L_OK, 0 };
	struct ntkd_snapshot *snap = NULL;
	struct ntkd_directory *d = NULL;
	struct ntk_config *ones = NULL;
	char err[1024];

	if (ntk_config_perm_check(path, err, sizeof(err)) != 0 ||
	    ntkd_snapshot_load(path, 1, &snap, err, sizeof(err)) != 0) {
		say(&rep, L_ERROR, "%s", err);
		return 2;
	}
	say(&rep, L_OK, "%s: %zu system(s), %zu role(s), %zu LDAP URI(s)", path,
	    snap->config.policy.nsystems, snap->config.policy.nroles, snap->config.nuris);
	if (!snap->config.follow_changes)
		say(&rep, L_INFO, "follow_changes = no: directory changes reach decisions within ttl "
		    "(%u s)", snap->config.cache_ttl);
	if ((ones = calloc(snap->config.nuris, sizeof(*ones))) == NULL) {
		say(&rep, L_ERROR, "out of memory");
		goto out;
	}
	if ((d = check_uris(&rep, &snap->config, ones)) == NULL) {
		say(&rep, L_ERROR, "no LDAP server usable: nothing more can be checked");
		goto out;
	}
	if (user != NULL)
		check_user(&rep, d, &snap->config, user);
	check_roles(&rep, d, &snap->config);
out:
	ntkd_directory_close(d);
	free(ones);
	ntkd_snapshot_unref(snap);
	return rep.worst == L_ERROR ? 2 : rep.worst == L_WARNING ? 1 : 0;
}
