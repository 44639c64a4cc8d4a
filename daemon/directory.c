/* ntkd's view of the LDAP directory: users, roles, assignments, supervision chains, case people, role members. */
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
#include "ntk_proto.h"
#include "ntk_strset.h"
#include "ntk_strv.h"
#include "directory.h"
#include "ldap_conn.h"
#include "ldap_filter.h"
#include "log.h"

/*
 * Limits and fixed names. name_attribute names a subordinate, holder,
 * supervisor or role member, and staff_filter says who counts as one;
 * role groups list their members in `member` (groupOfNames) or
 * `uniqueMember` (groupOfUniqueNames), read as plain DNs, not nested.
 */
#define DIR_LEVEL_CAP 10000     /* entries per supervision level, holders, members */
#define DIR_FILTER_DNS 200      /* DNs per (|(manager=...)...) filter */
#define DIR_BATCH 64            /* searches outstanding at once (slapd queues 100 per anonymous connection) */
#define DIR_VALUE_MAX 1024      /* longest attribute value we take */
/*
 * Assignments kept per subject, own and supervised each: what one FACTS
 * list carries (NTK_LIST_MAX). About 100 bytes each in the cache, so one
 * user's facts stay under ~200 MiB however large the directory's entries.
 */
#define DIR_ASSIGNMENTS_MAX NTK_LIST_MAX

struct ntkd_directory {
	const struct ntk_config *config;
	struct ntkd_ldap_conn *conn;
};

/* ------------------------------------------------------------------ */
/* reading entries                                                     */

/* The value as a C string, or NULL (and a log line) when it is empty, too long or holds a NUL. */
static char *
value_str(const struct berval *bv, const char *dn, const char *attr)
{
	char safe[128];
	char *s;

	if (bv->bv_len == 0 || bv->bv_len > DIR_VALUE_MAX || memchr(bv->bv_val, '\0', bv->bv_len) != NULL) {
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
static int
entry_strings(LDAP *ld, LDAPMessage *e, const char *dn, const char *attr, struct ntk_strlist *sv,
    size_t max_len)
{
	struct berval **vals;
	char *s;
	size_t i;
	int r = 0;

	if ((vals = ldap_get_values_len(ld, e, attr)) == NULL)
		return 0;
	for (i = 0; vals[i] != NULL && sv->n < DIR_LEVEL_CAP; i++) {
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
static char *
entry_uid(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn, int *r)
{
	struct ntk_strlist sv = { 0 };
	char *uid = NULL;

	*r = entry_strings(ld, e, dn, cf->name_attribute, &sv, NTK_NAME_MAX);
	if (*r == 0 && sv.n > 0) {
		uid = sv.v[0];
		sv.v[0] = NULL;
	}
	ntk_strlist_clear(&sv);
	return uid;
}

struct alist {
	struct ntk_assignment *v;
	size_t n;
	size_t cap;
};

static void
alist_clear(struct alist *al)
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
static int
entry_assignments(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e, const char *dn,
    const char *only_case, struct alist *al)
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
		if (al->n >= DIR_ASSIGNMENTS_MAX) {
			/* Fewer assignments only ever deny: the cap fails closed. */
			ntkd_log(LOG_WARNING, "ldap: %s of %s: more than %u values, the rest ignored",
			    cf->case_attribute, dn, (unsigned)DIR_ASSIGNMENTS_MAX);
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

/*
 * Called for each entry of search `idx`; returns 0 to go on, 1 to stop
 * reading this search, or an error.
 */
typedef int (*dir_entry_fn)(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn,
    size_t idx, void *arg);

/*
 * Run the searches, DIR_BATCH at a time (a batch is one round trip), and
 * hand every entry to fn while its connection is still the one it came on.
 */
static int
dir_search(struct ntkd_directory *d, struct ntkd_ldap_search *s, size_t n, dir_entry_fn fn,
    void *arg)
{
	LDAP *ld;
	LDAPMessage *e;
	size_t from, m, i;
	char *dn;
	int r = 0;

	for (from = 0; from < n; from += m) {
		m = n - from < DIR_BATCH ? n - from : DIR_BATCH;
		if ((r = ntkd_ldap_conn_search(d->conn, s + from, m)) != 0)
			return r;
		ld = ntkd_ldap_conn_ld(d->conn);
		for (i = from; i < from + m && r == 0; i++) {
			if (s[i].truncated)
				ntkd_log(LOG_WARNING, "ldap: search base=\"%s\" filter=\"%s\" cut at %d entries",
				    s[i].base, s[i].filter, s[i].sizelimit);
			for (e = ldap_first_entry(ld, s[i].result); e != NULL && r == 0;
			    e = ldap_next_entry(ld, e)) {
				if ((dn = entry_dn(ld, e)) == NULL) {
					r = NTK_ERR_NOMEM;
					break;
				}
				r = fn(d, ld, e, dn, i, arg);
				free(dn);
			}
			if (r > 0)
				r = 0;
		}
		ntkd_ldap_search_clear(s + from, m);
		if (r != 0)
			break;
	}
	ntkd_ldap_search_clear(s, n);
	return r;
}

/* (&STAFF INNER): the search limited to entries staff_filter accepts. */
static int
staff_and(const struct ntk_config *cf, const char *inner, char **out)
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
static bool
dn_under_base(const char *dn, const char *base)
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

static void
filters_free(char **filters, size_t n)
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

struct group_roles_ctx {
	struct ntk_strlist *roles;     /* one list per DN asked about */
};

static int
group_roles_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx,
    void *arg)
{
	struct group_roles_ctx *ctx = arg;

	return entry_strings(ld, e, dn, d->config->role_group_attribute, &ctx->roles[idx], NTK_NAME_MAX);
}

/* For role_source = group: the roles of each of the n DNs, in one round trip per DIR_BATCH DNs. */
static int
group_roles(struct ntkd_directory *d, char *const *dns, size_t n, struct ntk_strlist *roles)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search *s = NULL;
	struct group_roles_ctx ctx = { roles };
	char *attrs[] = { cf->role_group_attribute, NULL };
	char **filters = NULL;
	size_t i;
	int r;

	if (n == 0)
		return 0;
	if ((s = calloc(n, sizeof(*s))) == NULL || (filters = calloc(n, sizeof(*filters))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = ntkd_ldap_filter_fill(cf->role_group_filter, dns[i], &filters[i])) != 0)
			goto out;
		s[i].base = cf->base;
		s[i].scope = LDAP_SCOPE_SUBTREE;
		s[i].filter = filters[i];
		s[i].attrs = attrs;
		s[i].sizelimit = DIR_LEVEL_CAP;
	}
	r = dir_search(d, s, n, group_roles_entry, &ctx);
out:
	filters_free(filters, n);
	free(s);
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

/* ------------------------------------------------------------------ */
/* subject                                                             */

/* Search 0 reads the user's entry; search 1 asks which entries of that name staff_filter accepts. */
enum { USER_SEARCH = 0, USER_STAFF_SEARCH = 1 };

struct user_ctx {
	const char *user;       /* as asked */
	size_t count;
	bool exact;             /* the entry holds the name byte for byte */
	char *dn;
	struct ntk_strlist staff_dns;  /* entries of that name that staff_filter accepts */
	struct ntk_strlist roles;
	struct alist assignments;
};

static int
user_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	struct user_ctx *ctx = arg;
	struct berval **vals;
	size_t i, len = strlen(ctx->user);
	int r;

	if (idx == USER_STAFF_SEARCH)
		return ntk_strlist_push_copy(&ctx->staff_dns, dn);
	/* Only a single match counts; the rest is read only when there is one. */
	if (++ctx->count > 1)
		return 1;
	/*
	 * LDAP matching ignores case and spaces, so "ALICE" or "alice " finds
	 * alice's entry: only a value equal byte for byte makes it this user's.
	 */
	if ((vals = ldap_get_values_len(ld, e, d->config->name_attribute)) != NULL) {
		for (i = 0; vals[i] != NULL && !ctx->exact; i++)
			ctx->exact = vals[i]->bv_len == len && memcmp(vals[i]->bv_val, ctx->user, len) == 0;
		ldap_value_free_len(vals);
	}
	if (!ctx->exact)
		return 0;
	if ((ctx->dn = strdup(dn)) == NULL)
		return NTK_ERR_NOMEM;
	if (d->config->role_source == NTK_ROLE_SOURCE_ATTRIBUTE &&
	    (r = entry_strings(ld, e, dn, d->config->role_attribute, &ctx->roles, NTK_NAME_MAX)) != 0)
		return r;
	return entry_assignments(d->config, ld, e, dn, NULL, &ctx->assignments);
}

struct level_ctx {
	struct ntk_strset *seen;
	struct ntk_strlist *next;      /* DNs found on this level */
	struct ntk_subject *out;
	size_t cap_sup;
	unsigned depth;
	size_t count;
	bool cut;
};

static int
level_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	struct level_ctx *ctx = arg;
	struct alist al = { 0 };
	struct ntk_supervised *ns;
	char *holder = NULL;
	size_t i, ncap;
	int r;

	if (ctx->count >= DIR_LEVEL_CAP) {
		ctx->cut = true;
		return 1;
	}
	/* Cycles and the subject himself: each DN counts once, at its smallest depth. */
	if ((r = ntk_strset_add(ctx->seen, dn)) <= 0)
		return r;
	ctx->count++;
	if ((r = ntk_strlist_push_copy(ctx->next, dn)) != 0)
		return r;
	if ((r = entry_assignments(d->config, ld, e, dn, NULL, &al)) != 0)
		goto out;
	if (al.n == 0)
		goto out;
	if ((holder = entry_uid(d->config, ld, e, dn, &r)) == NULL) {
		if (r != 0)
			goto out;
		/* No uid: name the holder by DN rather than lose the supervisor's reason. */
		if ((holder = strdup(dn)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
	}
	for (i = 0; i < al.n; i++) {
		if (ctx->out->nsupervised >= DIR_ASSIGNMENTS_MAX) {
			ctx->cut = true;
			break;
		}
		if (ctx->out->nsupervised == ctx->cap_sup) {
			ncap = ctx->cap_sup ? ctx->cap_sup * 2 : 8;
			if ((ns = realloc(ctx->out->supervised, ncap * sizeof(*ns))) == NULL) {
				r = NTK_ERR_NOMEM;
				goto out;
			}
			ctx->out->supervised = ns;
			ctx->cap_sup = ncap;
		}
		ns = &ctx->out->supervised[ctx->out->nsupervised];
		memset(ns, 0, sizeof(*ns));
		if ((ns->holder = strdup(holder)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		ns->assignment = al.v[i];
		memset(&al.v[i], 0, sizeof(al.v[i]));
		ns->depth = ctx->depth;
		ctx->out->nsupervised++;
	}
out:
	free(holder);
	alist_clear(&al);
	return r;
}

/* Everyone below `dn` in the manager chain, one search per level (per DIR_FILTER_DNS managers). */
static int
subject_supervised(struct ntkd_directory *d, const char *dn, struct ntk_subject *out)
{
	const struct ntk_config *cf = d->config;
	struct ntk_strset seen = { 0 };
	struct ntk_strlist frontier = { 0 }, next = { 0 };
	struct ntkd_ldap_search *s = NULL;
	struct level_ctx ctx = { 0 };
	char *attrs[] = { cf->name_attribute, cf->case_attribute, NULL };
	char **filters = NULL, *any = NULL;
	size_t nf = 0, i, m;
	unsigned level;
	int r;

	if ((r = ntk_strset_add(&seen, dn)) < 0 || (r = ntk_strlist_push_copy(&frontier, dn)) != 0)
		goto out;
	ctx.seen = &seen;
	ctx.out = out;
	for (level = 1; level <= cf->policy.supervision_depth && frontier.n > 0; level++) {
		nf = (frontier.n + DIR_FILTER_DNS - 1) / DIR_FILTER_DNS;
		if ((s = calloc(nf, sizeof(*s))) == NULL || (filters = calloc(nf, sizeof(*filters))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < nf; i++) {
			m = frontier.n - i * DIR_FILTER_DNS;
			if (m > DIR_FILTER_DNS)
				m = DIR_FILTER_DNS;
			if ((r = ntkd_ldap_filter_any(cf->manager_attribute,
			    (const char *const *)frontier.v + i * DIR_FILTER_DNS, m, &any)) != 0 ||
			    (r = staff_and(cf, any, &filters[i])) != 0)
				goto out;
			free(any);
			any = NULL;
			s[i].base = cf->base;
			s[i].scope = LDAP_SCOPE_SUBTREE;
			s[i].filter = filters[i];
			s[i].attrs = attrs;
			s[i].sizelimit = DIR_LEVEL_CAP;
		}
		ctx.next = &next;
		ctx.depth = level;
		ctx.count = 0;
		ctx.cut = false;
		if ((r = dir_search(d, s, nf, level_entry, &ctx)) != 0)
			goto out;
		if (ctx.cut)
			ntkd_log(LOG_WARNING, "ldap: supervision level %u below %s cut at %d entries "
			    "or %u assignments", level, dn, DIR_LEVEL_CAP, (unsigned)DIR_ASSIGNMENTS_MAX);
		filters_free(filters, nf);
		filters = NULL;
		free(s);
		s = NULL;
		ntk_strlist_clear(&frontier);
		frontier = next;
		memset(&next, 0, sizeof(next));
	}
	r = 0;
out:
	free(any);
	filters_free(filters, nf);
	free(s);
	ntk_strlist_clear(&frontier);
	ntk_strlist_clear(&next);
	ntk_strset_clear(&seen);
	return r;
}

static bool
subject_supervises(const struct ntk_config *cf, const struct ntk_subject *sub)
{
	const struct ntk_role *role;
	size_t i;

	for (i = 0; i < sub->nroles; i++) {
		role = ntk_policy_find_role(&cf->policy, sub->roles[i]);
		if (role != NULL && role->scope == NTK_SCOPE_SUPERVISED)
			return true;
	}
	return false;
}

/* Whether staff_filter accepted the user's own entry: a disabled or departed account is not. */
static bool
user_is_staff(const struct user_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->staff_dns.n; i++)
		if (strcmp(ctx->staff_dns.v[i], ctx->dn) == 0)
			return true;
	return false;
}

int
ntkd_directory_subject(struct ntkd_directory *d, const char *user, struct ntk_subject *out)
{
	const struct ntk_config *cf;
	struct ntkd_ldap_search s[2];
	struct user_ctx ctx = { 0 };
	struct ntk_strlist group = { 0 };
	char *attrs[4] = { NULL, NULL, NULL, NULL }, *no_attrs[] = { LDAP_NO_ATTRS, NULL };
	char *filter = NULL, *staff = NULL, safe[NTK_NAME_MAX + 4];
	size_t i;
	int r;

	if (out == NULL)
		return NTK_ERR_INTERNAL;
	memset(out, 0, sizeof(*out));
	if (d == NULL || user == NULL)
		return NTK_ERR_INTERNAL;
	cf = d->config;
	if ((out->name = strdup(user)) == NULL)
		return NTK_ERR_NOMEM;
	/* Names no entry can have: not found, without asking. */
	if (*user == '\0' || strlen(user) > NTK_NAME_MAX)
		return 0;
	if ((r = ntkd_ldap_filter_fill(cf->user_filter, user, &filter)) != 0 ||
	    (r = staff_and(cf, filter, &staff)) != 0)
		goto out;
	ctx.user = user;
	attrs[0] = cf->case_attribute;
	attrs[1] = cf->name_attribute;
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE)
		attrs[2] = cf->role_attribute;
	/* Both searches go out together: staff_filter costs no extra round trip. */
	memset(s, 0, sizeof(s));
	s[USER_SEARCH].filter = filter;
	s[USER_SEARCH].attrs = attrs;
	s[USER_STAFF_SEARCH].filter = staff;
	s[USER_STAFF_SEARCH].attrs = no_attrs;
	for (i = 0; i < 2; i++) {
		s[i].base = cf->base;
		s[i].scope = LDAP_SCOPE_SUBTREE;
		s[i].sizelimit = 2;     /* enough to see that a name is ambiguous */
	}
	if ((r = dir_search(d, s, 2, user_entry, &ctx)) != 0)
		goto out;
	if (ctx.count != 1) {
		if (ctx.count > 1) {
			ntk_escape_log(user, strlen(user), safe, sizeof(safe));
			ntkd_log(LOG_WARNING, "ldap: user \"%s\" matches more than one entry: "
			    "treated as unknown", safe);
		}
		r = 0;
		goto out;
	}
	if (!ctx.exact) {
		ntk_escape_log(user, strlen(user), safe, sizeof(safe));
		ntkd_log(LOG_NOTICE, "ldap: user \"%s\" matches an entry whose %s is not exactly "
		    "that name: treated as unknown", safe, cf->name_attribute);
		r = 0;
		goto out;
	}
	out->found = true;
	if (!user_is_staff(&ctx)) {
		/* Known but not staff: nothing else about the entry may count. */
		out->disabled = true;
		r = 0;
		goto out;
	}
	if (cf->role_source == NTK_ROLE_SOURCE_GROUP) {
		if ((r = group_roles(d, &ctx.dn, 1, &group)) != 0)
			goto out;
		ctx.roles = group;
		memset(&group, 0, sizeof(group));
	}
	out->roles = ctx.roles.v;
	out->nroles = ctx.roles.n;
	memset(&ctx.roles, 0, sizeof(ctx.roles));
	out->assignments = ctx.assignments.v;
	out->nassignments = ctx.assignments.n;
	memset(&ctx.assignments, 0, sizeof(ctx.assignments));
	if (subject_supervises(cf, out) && (r = subject_supervised(d, ctx.dn, out)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0)
		ntk_subject_clear(out);
	free(filter);
	free(staff);
	free(ctx.dn);
	ntk_strlist_clear(&ctx.staff_dns);
	ntk_strlist_clear(&ctx.roles);
	ntk_strlist_clear(&group);
	alist_clear(&ctx.assignments);
	return r;
}

/* ------------------------------------------------------------------ */
/* case people                                                         */

struct people {
	struct ntkd_person *v;
	size_t n;
	size_t cap;
};

static void
person_clear(struct ntkd_person *p)
{
	size_t i;

	free(p->uid);
	free(p->dn);
	ntk_strv_free(p->roles, p->nroles);
	for (i = 0; i < p->nassignments; i++)
		ntk_assignment_clear(&p->assignments[i]);
	free(p->assignments);
	memset(p, 0, sizeof(*p));
}

void
ntkd_person_free_array(struct ntkd_person *people, size_t n)
{
	size_t i;

	if (people == NULL)
		return;
	for (i = 0; i < n; i++)
		person_clear(&people[i]);
	free(people);
}

/* Append a person built from an entry; takes uid, dn and the assignments. */
static int
people_push(struct people *pl, char *uid, char *dn, struct ntk_strlist *roles, struct alist *al, unsigned depth)
{
	struct ntkd_person *nv, *p;
	size_t ncap;

	if (pl->n == pl->cap) {
		ncap = pl->cap ? pl->cap * 2 : 8;
		if ((nv = realloc(pl->v, ncap * sizeof(*nv))) == NULL) {
			free(uid);
			free(dn);
			return NTK_ERR_NOMEM;
		}
		pl->v = nv;
		pl->cap = ncap;
	}
	p = &pl->v[pl->n++];
	memset(p, 0, sizeof(*p));
	p->uid = uid;
	p->dn = dn;
	p->roles = roles->v;
	p->nroles = roles->n;
	memset(roles, 0, sizeof(*roles));
	if (al != NULL) {
		p->assignments = al->v;
		p->nassignments = al->n;
		memset(al, 0, sizeof(*al));
	}
	p->depth = depth;
	return 0;
}

struct people_ctx {
	const char *case_id;    /* holders: the case; supervisors: NULL */
	unsigned depth;
	struct people *pl;
	struct ntk_strset *listed;  /* this list's DNs (as the server returns them) */
	struct ntk_strset *above;   /* supervisors' DNs: not asked for again */
	struct ntk_strset *queued;  /* manager DNs asked for (as manager values name them) */
	struct ntk_strlist *managers;  /* the next level up */
	size_t count;
	bool cut;
};

static int
people_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	const struct ntk_config *cf = d->config;
	struct people_ctx *ctx = arg;
	struct alist al = { 0 };
	struct ntk_strlist roles = { 0 }, mgr = { 0 };
	char *uid = NULL, *pdn = NULL;
	size_t i;
	int r;

	if (ctx->count >= DIR_LEVEL_CAP) {
		ctx->cut = true;
		return 1;
	}
	if (ctx->case_id != NULL) {
		/* The filter matched a value; only a well-formed one for exactly this case counts. */
		if ((r = entry_assignments(cf, ld, e, dn, ctx->case_id, &al)) != 0 || al.n == 0)
			goto out;
	}
	/*
	 * Each entry once per list, supervisors at their smallest depth. A
	 * holder may also be listed above another holder: his own assignment
	 * may have run out while he still supervises an active one.
	 */
	if ((r = ntk_strset_add(ctx->listed, dn)) <= 0)
		goto out;
	ctx->count++;
	/* The chain goes on through people without a uid; only those with one are listed. */
	if ((r = entry_strings(ld, e, dn, cf->manager_attribute, &mgr, DIR_VALUE_MAX)) != 0)
		goto out;
	for (i = 0; i < mgr.n; i++) {
		if (ntk_strset_has(ctx->above, mgr.v[i]))
			continue;
		if ((r = ntk_strset_add(ctx->queued, mgr.v[i])) < 0)
			goto out;
		/* A base search reaches any DN: follow only managers inside the configured tree. */
		if (r == 1 && !dn_under_base(mgr.v[i], cf->base)) {
			ntkd_log(LOG_NOTICE, "ldap: %s of %s names %s, outside base: not followed",
			    cf->manager_attribute, dn, mgr.v[i]);
			continue;
		}
		if (r == 1 && (r = ntk_strlist_push_copy(ctx->managers, mgr.v[i])) != 0)
			goto out;
	}
	if ((uid = entry_uid(cf, ld, e, dn, &r)) == NULL) {
		if (r == 0)
			ntkd_log(LOG_DEBUG, "ldap: %s has no %s: not listed", dn, cf->name_attribute);
		goto out;
	}
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE &&
	    (r = entry_strings(ld, e, dn, cf->role_attribute, &roles, NTK_NAME_MAX)) != 0)
		goto out;
	if ((pdn = strdup(dn)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	r = people_push(ctx->pl, uid, pdn, &roles, ctx->case_id != NULL ? &al : NULL, ctx->depth);
	uid = pdn = NULL;
out:
	free(uid);
	free(pdn);
	ntk_strlist_clear(&roles);
	ntk_strlist_clear(&mgr);
	alist_clear(&al);
	return r < 0 ? r : 0;
}

/* role_source = group: fill in the roles of people[from..]. */
static int
people_group_roles(struct ntkd_directory *d, struct people *pl, size_t from)
{
	struct ntk_strlist *roles = NULL;
	char **dns = NULL;
	size_t n = pl->n - from, i;
	int r;

	if (d->config->role_source != NTK_ROLE_SOURCE_GROUP || n == 0)
		return 0;
	if ((roles = calloc(n, sizeof(*roles))) == NULL || (dns = calloc(n, sizeof(*dns))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		dns[i] = pl->v[from + i].dn;
	if ((r = group_roles(d, dns, n, roles)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		pl->v[from + i].roles = roles[i].v;
		pl->v[from + i].nroles = roles[i].n;
		memset(&roles[i], 0, sizeof(roles[i]));
	}
out:
	for (i = 0; roles != NULL && i < n; i++)
		ntk_strlist_clear(&roles[i]);
	free(roles);
	free(dns);
	return r;
}

int
ntkd_directory_case_people(struct ntkd_directory *d, const char *case_id, unsigned depth,
    struct ntkd_person **holders, size_t *nholders,
    struct ntkd_person **supervisors, size_t *nsupervisors)
{
	const struct ntk_config *cf;
	struct people hl = { 0 }, sl = { 0 };
	struct ntk_strset listed = { 0 }, above = { 0 }, queued = { 0 };
	struct ntk_strlist frontier = { 0 }, next = { 0 };
	struct ntkd_ldap_search *s = NULL;
	struct people_ctx ctx = { 0 };
	char *attrs[5] = { NULL, NULL, NULL, NULL, NULL };
	char *filter = NULL, *held = NULL;
	size_t nlevel = 0, i, from;
	unsigned level;
	int r;

	if (holders == NULL || nholders == NULL || supervisors == NULL || nsupervisors == NULL)
		return NTK_ERR_INTERNAL;
	*holders = *supervisors = NULL;
	*nholders = *nsupervisors = 0;
	if (d == NULL || case_id == NULL)
		return NTK_ERR_INTERNAL;
	cf = d->config;
	/* No value for an impossible id can be well-formed: nobody holds it. */
	if (!ntk_case_id_valid(case_id))
		return 0;
	attrs[0] = cf->name_attribute;
	attrs[1] = cf->manager_attribute;
	attrs[2] = cf->case_attribute;
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE)
		attrs[3] = cf->role_attribute;
	if ((r = ntkd_ldap_filter_case(cf->case_attribute, case_id, &held)) != 0 ||
	    (r = staff_and(cf, held, &filter)) != 0)
		goto out;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	s->base = cf->base;
	s->scope = LDAP_SCOPE_SUBTREE;
	s->filter = filter;
	s->attrs = attrs;
	s->sizelimit = DIR_LEVEL_CAP;
	ctx.case_id = case_id;
	ctx.pl = &hl;
	ctx.listed = &listed;
	ctx.above = &above;
	ctx.queued = &queued;
	ctx.managers = &frontier;
	if ((r = dir_search(d, s, 1, people_entry, &ctx)) != 0)
		goto out;
	if ((r = people_group_roles(d, &hl, 0)) != 0)
		goto out;
	free(s);
	s = NULL;

	/* Upward: the managers of the level below, one base search each, a level per batch. */
	attrs[2] = attrs[3];
	attrs[3] = NULL;
	for (level = 1; level <= depth && frontier.n > 0; level++) {
		nlevel = frontier.n < DIR_LEVEL_CAP ? frontier.n : DIR_LEVEL_CAP;
		if ((s = calloc(nlevel, sizeof(*s))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		for (i = 0; i < nlevel; i++) {
			s[i].base = frontier.v[i];
			s[i].scope = LDAP_SCOPE_BASE;
			s[i].filter = cf->staff_filter;
			s[i].attrs = attrs;
			s[i].sizelimit = 1;
		}
		ctx.case_id = NULL;
		ctx.depth = level;
		ctx.pl = &sl;
		ctx.listed = &above;
		ctx.managers = &next;
		ctx.count = 0;
		ctx.cut = false;
		from = sl.n;
		if ((r = dir_search(d, s, nlevel, people_entry, &ctx)) != 0)
			goto out;
		if ((r = people_group_roles(d, &sl, from)) != 0)
			goto out;
		free(s);
		s = NULL;
		ntk_strlist_clear(&frontier);
		frontier = next;
		memset(&next, 0, sizeof(next));
	}
	*holders = hl.v;
	*nholders = hl.n;
	*supervisors = sl.v;
	*nsupervisors = sl.n;
	memset(&hl, 0, sizeof(hl));
	memset(&sl, 0, sizeof(sl));
	r = 0;
out:
	ntkd_person_free_array(hl.v, hl.n);
	ntkd_person_free_array(sl.v, sl.n);
	free(s);
	free(filter);
	free(held);
	ntk_strlist_clear(&frontier);
	ntk_strlist_clear(&next);
	ntk_strset_clear(&listed);
	ntk_strset_clear(&above);
	ntk_strset_clear(&queued);
	return r;
}

/* ------------------------------------------------------------------ */
/* role members                                                        */

struct members_ctx {
	struct ntk_strset *seen;
	struct ntk_strlist *out;       /* uids, or member DNs */
	bool dns;               /* collecting member DNs of groups */
	bool cut;
};

static int
members_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	static const char *const member_attrs[] = { "member", "uniqueMember" };
	struct members_ctx *ctx = arg;
	struct ntk_strlist vals = { 0 };
	char *uid;
	size_t i, k;
	int r = 0;

	if (ctx->out->n >= DIR_LEVEL_CAP) {
		ctx->cut = true;
		return 1;
	}
	if (!ctx->dns) {
		if ((uid = entry_uid(d->config, ld, e, dn, &r)) == NULL)
			return r;
		if ((r = ntk_strset_add(ctx->seen, uid)) == 1)
			return ntk_strlist_push(ctx->out, uid);
		free(uid);
		return r < 0 ? r : 0;
	}
	for (k = 0; k < 2 && r == 0; k++) {
		if ((r = entry_strings(ld, e, dn, member_attrs[k], &vals, DIR_VALUE_MAX)) != 0)
			break;
		for (i = 0; i < vals.n && ctx->out->n < DIR_LEVEL_CAP; i++) {
			/* A member outside the configured tree is nobody's staff. */
			if (!dn_under_base(vals.v[i], d->config->base))
				continue;
			if ((r = ntk_strset_add(ctx->seen, vals.v[i])) < 0)
				break;
			if (r == 1 && (r = ntk_strlist_push_copy(ctx->out, vals.v[i])) != 0)
				break;
			r = 0;
		}
		ntk_strlist_clear(&vals);
	}
	ntk_strlist_clear(&vals);
	return r;
}

int
ntkd_directory_role_members(struct ntkd_directory *d, const char *role, char ***uids, size_t *nuids)
{
	const struct ntk_config *cf;
	struct ntkd_ldap_search *s = NULL;
	struct ntk_strset seen = { 0 }, seen_uid = { 0 };
	struct ntk_strlist out = { 0 }, dns = { 0 };
	struct members_ctx ctx = { 0 };
	char *attrs[3] = { NULL, NULL, NULL };
	char *filter = NULL, *eq = NULL;
	size_t i, len;
	int r;

	if (uids == NULL || nuids == NULL)
		return NTK_ERR_INTERNAL;
	*uids = NULL;
	*nuids = 0;
	if (d == NULL || role == NULL)
		return NTK_ERR_INTERNAL;
	cf = d->config;
	if (*role == '\0' || strlen(role) > NTK_NAME_MAX)
		return 0;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	s->base = cf->base;
	s->scope = LDAP_SCOPE_SUBTREE;
	s->attrs = attrs;
	s->sizelimit = DIR_LEVEL_CAP;
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE) {
		if ((r = ntkd_ldap_filter_eq(cf->role_attribute, role, &eq)) != 0 ||
		    (r = staff_and(cf, eq, &filter)) != 0)
			goto out;
		attrs[0] = cf->name_attribute;
		s->filter = filter;
		ctx.seen = &seen_uid;
		ctx.out = &out;
		if ((r = dir_search(d, s, 1, members_entry, &ctx)) != 0)
			goto out;
	} else {
		if ((r = ntkd_ldap_filter_eq(cf->role_group_attribute, role, &eq)) != 0)
			goto out;
		len = strlen(eq) + sizeof("(&(objectClass=*))");
		if ((filter = malloc(len)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		snprintf(filter, len, "(&(objectClass=*)%s)", eq);
		attrs[0] = "member";
		attrs[1] = "uniqueMember";
		s->filter = filter;
		ctx.seen = &seen;
		ctx.out = &dns;
		ctx.dns = true;
		if ((r = dir_search(d, s, 1, members_entry, &ctx)) != 0)
			goto out;
		free(s);
		s = NULL;
		if (dns.n > 0) {
			/* Each member DN to its uid: base searches, DIR_BATCH per round trip. */
			if ((s = calloc(dns.n, sizeof(*s))) == NULL) {
				r = NTK_ERR_NOMEM;
				goto out;
			}
			attrs[0] = cf->name_attribute;
			attrs[1] = NULL;
			for (i = 0; i < dns.n; i++) {
				s[i].base = dns.v[i];
				s[i].scope = LDAP_SCOPE_BASE;
				s[i].filter = cf->staff_filter;
				s[i].attrs = attrs;
				s[i].sizelimit = 1;
			}
			ctx.seen = &seen_uid;
			ctx.out = &out;
			ctx.dns = false;
			if ((r = dir_search(d, s, dns.n, members_entry, &ctx)) != 0)
				goto out;
		}
	}
	if (ctx.cut) {
		char safe[NTK_NAME_MAX + 4];

		ntk_escape_log(role, strlen(role), safe, sizeof(safe));
		ntkd_log(LOG_WARNING, "ldap: members of role \"%s\" cut at %d", safe, DIR_LEVEL_CAP);
	}
	*uids = out.v;
	*nuids = out.n;
	memset(&out, 0, sizeof(out));
	r = 0;
out:
	free(s);
	free(filter);
	free(eq);
	ntk_strlist_clear(&out);
	ntk_strlist_clear(&dns);
	ntk_strset_clear(&seen);
	ntk_strset_clear(&seen_uid);
	return r;
}
