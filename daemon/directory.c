/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The session layer under ntkd's directory queries: the handle, batched searches, and reading entries. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "ntk_assignment.h"
#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_strset.h"
#include "dir_session.h"
#include "ldap_filter.h"
#include "log.h"

/* ------------------------------------------------------------------ */
/* reading entries                                                     */

/* The value as a C string, or NULL (and a log line) when it is empty, too long or holds a NUL. */
static char *
value_str(const struct berval *bv, const char *dn, const char *attr)
{
	char safe[128];
	char *s;

	if (bv->bv_len == 0 || bv->bv_len > NTKD_DIR_VALUE_MAX || memchr(bv->bv_val, '\0', bv->bv_len) != NULL) {
		ntk_escape_log(bv->bv_val, bv->bv_len, safe, sizeof(safe));
		ntkd_log(LOG_WARNING, "ldap: %s of %s: unusable value \"%s\" skipped", attr, dn, safe);
		return NULL;
	}
	if ((s = malloc(bv->bv_len + 1)) == NULL)
		return NULL;
	memcpy(s, bv->bv_val, bv->bv_len);
	s[bv->bv_len] = '\0';
	return s;
}

/* The entry's DN as the server returned it (malloc'd), or NULL on failure. */
static char *
entry_dn(LDAP *ld, LDAPMessage *e)
{
	char *ldn, *dn;

	if ((ldn = ldap_get_dn(ld, e)) == NULL)
		return NULL;
	dn = strdup(ldn);
	ldap_memfree(ldn);
	return dn;
}

/* Append every usable value of attr to sv (at most `max` values kept in total). */
int
ntkd_dir_entry_strings(LDAP *ld, LDAPMessage *e, const char *dn, const char *attr, struct ntk_strlist *sv,
    size_t max_len)
{
	struct berval **vals;
	char *s;
	size_t i;
	int r = 0;

	if ((vals = ldap_get_values_len(ld, e, attr)) == NULL)
		return 0;
	for (i = 0; vals[i] != NULL && sv->n < NTKD_DIR_LEVEL_CAP; i++) {
		if (vals[i]->bv_len > max_len) {
			ntkd_log(LOG_WARNING, "ldap: %s of %s: value too long, skipped", attr, dn);
			continue;
		}
		if ((s = value_str(vals[i], dn, attr)) == NULL)
			continue;
		if ((r = ntk_strlist_push(sv, s)) != 0)
			break;
	}
	ldap_value_free_len(vals);
	return r;
}

/* The entry's first name_attribute value, malloc'd, or NULL when it has none (or on NOMEM: *r says). */
char *
ntkd_dir_entry_uid(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn, int *r)
{
	struct ntk_strlist sv = { 0 };
	char *uid = NULL;

	*r = ntkd_dir_entry_strings(ld, e, dn, cf->name_attribute, &sv, NTK_NAME_MAX);
	if (*r == 0 && sv.n > 0) {
		uid = sv.v[0];
		sv.v[0] = NULL;
	}
	ntk_strlist_clear(&sv);
	return uid;
}

void
ntkd_dir_alist_clear(struct ntkd_dir_alist *al)
{
	size_t i;

	for (i = 0; i < al->n; i++)
		ntk_assignment_clear(&al->v[i]);
	free(al->v);
	memset(al, 0, sizeof(*al));
}

/*
 * Parse the case assignment values of an entry. Malformed ones are logged
 * and skipped; with only_case set, only assignments for that exact case id
 * are kept.
 */
int
ntkd_dir_entry_assignments(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn,
    const char *only_case, struct ntkd_dir_alist *al)
{
	struct berval **vals;
	struct ntk_assignment a, *na;
	const char *why;
	char safe[160], *s;
	size_t i, ncap;
	int r = 0;

	if ((vals = ldap_get_values_len(ld, e, cf->case_attribute)) == NULL)
		return 0;
	for (i = 0; vals[i] != NULL; i++) {
		if (al->n >= NTKD_DIR_ASSIGNMENTS_MAX) {
			/* Fewer assignments only ever deny: the cap fails closed. */
			ntkd_log(LOG_WARNING, "ldap: %s of %s: more than %u values, the rest ignored",
			    cf->case_attribute, dn, (unsigned)NTKD_DIR_ASSIGNMENTS_MAX);
			break;
		}
		if ((s = value_str(vals[i], dn, cf->case_attribute)) == NULL)
			continue;
		memset(&a, 0, sizeof(a));
		why = NULL;
		if (ntk_assignment_parse(s, &a, &why) != 0) {
			ntk_escape_log(s, strlen(s), safe, sizeof(safe));
			ntkd_log(LOG_WARNING, "ldap: %s of %s: malformed value \"%s\" ignored: %s",
			    cf->case_attribute, dn, safe, why != NULL ? why : "invalid");
			free(s);
			continue;
		}
		free(s);
		if (only_case != NULL && strcmp(a.case_id, only_case) != 0) {
			ntk_assignment_clear(&a);
			continue;
		}
		if (al->n == al->cap) {
			ncap = al->cap ? al->cap * 2 : 4;
			if ((na = realloc(al->v, ncap * sizeof(*na))) == NULL) {
				ntk_assignment_clear(&a);
				r = NTK_ERR_NOMEM;
				break;
			}
			al->v = na;
			al->cap = ncap;
		}
		al->v[al->n++] = a;
	}
	ldap_value_free_len(vals);
	return r;
}

/* ------------------------------------------------------------------ */
/* running searches                                                    */

/* Pages one search may take: NTKD_DIR_LEVEL_CAP entries, and a margin; a server that pages on is cut. */
#define DIR_PAGES_MAX (NTKD_DIR_LEVEL_CAP / NTKD_LDAP_PAGE_SIZE + 8)

/* One batch of the searches listed in `batch`: entries to fn; those with another page go to `again`. */
static int
dir_batch(struct ntkd_directory *d, struct ntkd_ldap_search *s, const size_t *batch, size_t m,
    struct ntkd_ldap_search *sb, size_t *again, size_t *nagain, ntkd_dir_entry_fn fn, void *arg)
{
	LDAP *ld;
	LDAPMessage *e;
	size_t k, i;
	bool stopped;
	char *dn;
	int r;

	for (k = 0; k < m; k++) {
		sb[k] = s[batch[k]];
		sb[k].result = NULL;
		sb[k].next = NULL;
	}
	if ((r = ntkd_ldap_conn_search(d->conn, sb, m)) != 0)
		return r;
	ld = ntkd_ldap_conn_ld(d->conn);
	for (k = 0; k < m && r == 0; k++) {
		i = batch[k];
		stopped = false;
		if (sb[k].truncated)
			ntkd_log(LOG_WARNING, "ldap: search base=\"%s\" filter=\"%s\" cut at %d entries",
			    sb[k].base, sb[k].filter, sb[k].sizelimit);
		for (e = ldap_first_entry(ld, sb[k].result); e != NULL && r == 0 && !stopped;
		    e = ldap_next_entry(ld, e)) {
			if ((dn = entry_dn(ld, e)) == NULL) {
				r = NTK_ERR_NOMEM;
				break;
			}
			/* 1: the caller has read enough of this search, pages included. */
			if ((r = fn(d, ld, e, dn, i, arg)) > 0) {
				stopped = true;
				r = 0;
			}
			free(dn);
		}
		if (r == 0 && !stopped && sb[k].next != NULL) {
			ber_bvfree(s[i].cookie);
			s[i].cookie = sb[k].next;
			sb[k].next = NULL;
			again[(*nagain)++] = i;
		}
	}
	ntkd_ldap_search_clear(sb, m);
	return r;
}

/*
 * Run the searches, NTKD_DIR_BATCH at a time (a batch is one round trip),
 * and hand every entry to fn while its connection is still the one it came
 * on. Subtree searches come in pages (RFC 2696), so a server's size limit
 * neither cuts nor fails them: the searches with another page go again,
 * batched, until none has one.
 */
int
ntkd_dir_search(struct ntkd_directory *d, struct ntkd_ldap_search *s, size_t n, ntkd_dir_entry_fn fn,
    void *arg)
{
	struct ntkd_ldap_search *sb = NULL;
	size_t *pending = NULL, *again = NULL, *t, npending = n, nagain, from, m, i;
	unsigned round;
	int r = 0;

	if (n == 0)
		return 0;
	if ((pending = calloc(n, sizeof(*pending))) == NULL || (again = calloc(n, sizeof(*again))) == NULL ||
	    (sb = calloc(n < NTKD_DIR_BATCH ? n : NTKD_DIR_BATCH, sizeof(*sb))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		pending[i] = i;
	for (round = 0; npending > 0 && r == 0; round++) {
		if (round == DIR_PAGES_MAX) {
			ntkd_log(LOG_WARNING, "ldap: search base=\"%s\" filter=\"%s\": more than %d pages, "
			    "the rest not read", s[pending[0]].base, s[pending[0]].filter, DIR_PAGES_MAX);
			break;
		}
		nagain = 0;
		for (from = 0; from < npending && r == 0; from += m) {
			m = npending - from < NTKD_DIR_BATCH ? npending - from : NTKD_DIR_BATCH;
			r = dir_batch(d, s, pending + from, m, sb, again, &nagain, fn, arg);
		}
		t = pending;
		pending = again;
		again = t;
		npending = nagain;
	}
out:
	/* The searches may be run again by the caller: no cookie of this run is kept. */
	for (i = 0; i < n; i++) {
		ber_bvfree(s[i].cookie);
		s[i].cookie = NULL;
	}
	free(sb);
	free(pending);
	free(again);
	return r;
}

/* (&STAFF INNER): the search limited to entries staff_filter accepts. */
int
ntkd_dir_staff_and(const struct ntk_config *cf, const char *inner, char **out)
{
	size_t len = strlen(cf->staff_filter) + strlen(inner) + sizeof("(&)");

	if ((*out = malloc(len)) == NULL)
		return NTK_ERR_NOMEM;
	snprintf(*out, len, "(&%s%s)", cf->staff_filter, inner);
	return 0;
}

/* Two AVA parts equal ignoring ASCII case (fail closed: no schema-aware matching). */
static bool
bv_caseeq(const struct berval *a, const struct berval *b)
{
	size_t i;

	if (a->bv_len != b->bv_len)
		return false;
	for (i = 0; i < a->bv_len; i++) {
		unsigned char x = (unsigned char)a->bv_val[i], y = (unsigned char)b->bv_val[i];

		if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
			return false;
	}
	return true;
}

/*
 * Whether dn lies at or below base: its last RDNs are base's, compared
 * parsed (type and value, ASCII case ignored). Anything unparsable is not.
 */
bool
ntkd_dir_dn_under_base(const char *dn, const char *base)
{
	LDAPDN pdn = NULL, pbase = NULL;
	size_t nd = 0, nb = 0, i, k;
	bool under = false;

	if (ldap_str2dn(dn, &pdn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    ldap_str2dn(base, &pbase, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		goto out;
	while (pdn != NULL && pdn[nd] != NULL)
		nd++;
	while (pbase != NULL && pbase[nb] != NULL)
		nb++;
	if (nd < nb)
		goto out;
	for (i = 0; i < nb; i++) {
		LDAPRDN rd = pdn[nd - nb + i], rb = pbase[i];

		for (k = 0; rd[k] != NULL && rb[k] != NULL; k++) {
			if (!bv_caseeq(&rd[k]->la_attr, &rb[k]->la_attr) ||
			    !bv_caseeq(&rd[k]->la_value, &rb[k]->la_value))
				goto out;
		}
		if (rd[k] != NULL || rb[k] != NULL)
			goto out;
	}
	under = true;
out:
	ldap_dnfree(pdn);
	ldap_dnfree(pbase);
	return under;
}

void
ntkd_dir_filters_free(char **filters, size_t n)
{
	size_t i;

	if (filters == NULL)
		return;
	for (i = 0; i < n; i++)
		free(filters[i]);
	free(filters);
}

/* ------------------------------------------------------------------ */
/* role groups                                                         */

/* One search of a level: whose roles it gathers, and the member it asks about. */
struct group_query {
	size_t origin;          /* index into the DNs first asked about */
	char *member;           /* the DN whose groups are searched */
};

struct group_roles_ctx {
	struct ntk_strlist *roles;      /* one list per DN first asked about */
	struct group_query *queries;    /* this level's searches */
	struct ntk_strset seen;         /* "origin\nGROUP DN": each group once per origin (cycles) */
	struct group_query *next;       /* the groups found: members on the next level */
	size_t nnext, capnext;
	bool nested;                    /* another level follows: collect the groups */
};

static int
group_roles_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx,
    void *arg)
{
	struct group_roles_ctx *ctx = arg;
	size_t origin = ctx->queries[idx].origin, len;
	struct group_query *nq;
	char *key;
	int r;

	len = strlen(dn) + 24;
	if ((key = malloc(len)) == NULL)
		return NTK_ERR_NOMEM;
	snprintf(key, len, "%zu\n%s", origin, dn);
	r = ntk_strset_add(&ctx->seen, key);
	free(key);
	if (r <= 0)
		return r;       /* a group met again (a cycle, or two paths): counted once */
	if ((r = ntkd_dir_entry_strings(ld, e, dn, d->config->role_group_attribute,
	    &ctx->roles[origin], NTK_NAME_MAX)) != 0 || !ctx->nested)
		return r;
	if (ctx->nnext == ctx->capnext) {
		ctx->capnext = ctx->capnext ? ctx->capnext * 2 : 16;
		if ((nq = realloc(ctx->next, ctx->capnext * sizeof(*nq))) == NULL)
			return NTK_ERR_NOMEM;
		ctx->next = nq;
	}
	if ((ctx->next[ctx->nnext].member = strdup(dn)) == NULL)
		return NTK_ERR_NOMEM;
	ctx->next[ctx->nnext++].origin = origin;
	return 0;
}

static void
group_queries_free(struct group_query *q, size_t n)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < n; i++)
		free(q[i].member);
	free(q);
}

/* One level: the groups each query's member belongs to, NTKD_DIR_BATCH searches per round trip. */
static int
group_level(struct ntkd_directory *d, struct group_roles_ctx *ctx, size_t n)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search *s = NULL;
	char *attrs[] = { cf->role_group_attribute, NULL };
	char **filters = NULL;
	size_t i;
	int r;

	if ((s = calloc(n, sizeof(*s))) == NULL || (filters = calloc(n, sizeof(*filters))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = ntkd_ldap_filter_fill(cf->role_group_filter, ctx->queries[i].member,
		    &filters[i])) != 0)
			goto out;
		s[i].base = cf->base;
		s[i].scope = LDAP_SCOPE_SUBTREE;
		s[i].filter = filters[i];
		s[i].attrs = attrs;
		s[i].sizelimit = NTKD_DIR_LEVEL_CAP;
	}
	r = ntkd_dir_search(d, s, n, group_roles_entry, ctx);
out:
	ntkd_dir_filters_free(filters, n);
	free(s);
	return r;
}

/*
 * For role_source = group: the roles of each of the n DNs, one round trip
 * per NTKD_DIR_BATCH DNs, then group_nesting more levels for the groups
 * found (groups within groups), each group counted once per DN.
 */
int
ntkd_dir_group_roles(struct ntkd_directory *d, char *const *dns, size_t n, struct ntk_strlist *roles)
{
	struct group_roles_ctx ctx = { 0 };
	size_t i, nq, nrun;
	unsigned level;
	int r = 0;

	if (n == 0)
		return 0;
	ctx.roles = roles;
	if ((ctx.queries = calloc(n, sizeof(*ctx.queries))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		ctx.queries[i].origin = i;
		if ((ctx.queries[i].member = strdup(dns[i])) == NULL) {
			nq = i;
			r = NTK_ERR_NOMEM;
			goto out;
		}
	}
	nq = n;
	for (level = 0; level <= d->config->group_nesting && nq > 0; level++) {
		ctx.nested = level < d->config->group_nesting;
		nrun = nq;
		if (nrun > NTKD_DIR_LEVEL_CAP) {
			ntkd_log(LOG_WARNING, "ldap: nested role groups cut at %d on level %u",
			    NTKD_DIR_LEVEL_CAP, level);
			nrun = NTKD_DIR_LEVEL_CAP;
		}
		if ((r = group_level(d, &ctx, nrun)) != 0)
			goto out;
		group_queries_free(ctx.queries, nq);
		ctx.queries = ctx.next;
		nq = ctx.nnext;
		ctx.next = NULL;
		ctx.nnext = ctx.capnext = 0;
	}
out:
	group_queries_free(ctx.queries, nq);
	group_queries_free(ctx.next, ctx.nnext);
	ntk_strset_clear(&ctx.seen);
	return r;
}

/*
 * The roles named by the entry's role_attribute: each value, or with
 * role_value = rdn each value read as a group DN and named by the value
 * of its first RDN (memberOf: CN=FACTS-Caseworkers,OU=Groups,... is
 * FACTS-Caseworkers). A value that is not a DN is logged and skipped.
 */
int
ntkd_dir_entry_roles(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn,
    struct ntk_strlist *roles)
{
	struct ntk_strlist vals = { 0 };
	LDAPDN parsed;
	char safe[128], *name;
	size_t i;
	int r;

	if (cf->role_value == NTK_ROLE_VALUE_VALUE)
		return ntkd_dir_entry_strings(ld, e, dn, cf->role_attribute, roles, NTK_NAME_MAX);
	if ((r = ntkd_dir_entry_strings(ld, e, dn, cf->role_attribute, &vals,
	    NTKD_DIR_VALUE_MAX)) != 0)
		goto out;
	for (i = 0; i < vals.n && r == 0; i++) {
		parsed = NULL;
		if (ldap_str2dn(vals.v[i], &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
		    parsed == NULL || parsed[0] == NULL || parsed[0][0] == NULL ||
		    parsed[0][0]->la_value.bv_len == 0 ||
		    parsed[0][0]->la_value.bv_len > NTK_NAME_MAX ||
		    memchr(parsed[0][0]->la_value.bv_val, '\0', parsed[0][0]->la_value.bv_len) != NULL) {
			ntk_escape_log_str(vals.v[i], safe, sizeof(safe));
			ntkd_log(LOG_WARNING, "ldap: %s of %s: \"%s\" is not a DN with a usable RDN: "
			    "skipped", cf->role_attribute, dn, safe);
			ldap_dnfree(parsed);
			continue;
		}
		name = strndup(parsed[0][0]->la_value.bv_val, parsed[0][0]->la_value.bv_len);
		ldap_dnfree(parsed);
		r = ntk_strlist_push(roles, name);
	}
out:
	ntk_strlist_clear(&vals);
	return r;
}

/* ------------------------------------------------------------------ */
/* open / close                                                        */

int
ntkd_directory_open(const struct ntk_config *config, struct ntkd_directory **out)
{
	struct ntkd_directory *d;
	int r;

	*out = NULL;
	if (config == NULL)
		return NTK_ERR_INTERNAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NTK_ERR_NOMEM;
	d->config = config;
	if ((r = ntkd_ldap_conn_open(config, &d->conn)) != 0) {
		free(d);
		return r;
	}
	*out = d;
	return 0;
}

void
ntkd_directory_close(struct ntkd_directory *d)
{
	if (d == NULL)
		return;
	ntkd_ldap_conn_close(d->conn);
	free(d);
}

const char *
ntkd_directory_server(const struct ntkd_directory *d)
{
	return d != NULL ? ntkd_ldap_conn_server(d->conn) : NULL;
}

unsigned long
ntkd_directory_round_trips(const struct ntkd_directory *d)
{
	return d != NULL ? ntkd_ldap_conn_round_trips(d->conn) : 0;
}
