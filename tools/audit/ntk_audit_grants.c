/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --break-glass: every grant with its case accesses and its reviews. Grants,
 * accesses under break-glass and reviews are kept (they are rare) and matched
 * at the end, so files may come in any order.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_audit.h"

struct grant {
	char *node, *grant_id, *user, *system, *case_id, *why;
	unsigned long serial;
	time_t sec, expires;
	unsigned msec;
};

struct access {
	char *node, *user, *system, *case_id, *access;
	time_t sec;
	unsigned msec;
};

struct review {
	char *grant_id, *grant_node, *grant_serial, *grant_time, *reviewer, *note;
	time_t sec;
	unsigned msec;
};

struct ntk_audit_grants {
	struct grant *g;
	size_t ng, capg;
	struct access *a;
	size_t na, capa;
	struct review *r;
	size_t nr, capr;
};

const struct ntk_audit_col ntk_audit_grant_cols[] = {
	{ "node", NTK_AUDIT_COL_STR },
	{ "serial", NTK_AUDIT_COL_NUM },
	{ "time", NTK_AUDIT_COL_TIME },
	{ "expires", NTK_AUDIT_COL_TIME },
	{ "user", NTK_AUDIT_COL_STR },
	{ "system", NTK_AUDIT_COL_STR },
	{ "case", NTK_AUDIT_COL_STR },
	{ "reason", NTK_AUDIT_COL_STR },
	{ "accesses", NTK_AUDIT_COL_NUM },
	{ "access_list", NTK_AUDIT_COL_LIST },
	{ "reviewed", NTK_AUDIT_COL_BOOL },
	{ "reviewer", NTK_AUDIT_COL_STR },
	{ "reviewed_at", NTK_AUDIT_COL_TIME },
	{ "note", NTK_AUDIT_COL_STR },
	{ "grant_id", NTK_AUDIT_COL_STR },
};
const size_t ntk_audit_grant_ncols = sizeof(ntk_audit_grant_cols) / sizeof(ntk_audit_grant_cols[0]);

int
ntk_audit_grants_new(struct ntk_audit_grants **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return NTK_ERR_NOMEM;
	return 0;
}

void
ntk_audit_grants_free(struct ntk_audit_grants *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->ng; i++) {
		free(g->g[i].node);
		free(g->g[i].grant_id);
		free(g->g[i].user);
		free(g->g[i].system);
		free(g->g[i].case_id);
		free(g->g[i].why);
	}
	for (i = 0; i < g->na; i++) {
		free(g->a[i].node);
		free(g->a[i].user);
		free(g->a[i].system);
		free(g->a[i].case_id);
		free(g->a[i].access);
	}
	for (i = 0; i < g->nr; i++) {
		free(g->r[i].grant_id);
		free(g->r[i].grant_node);
		free(g->r[i].grant_serial);
		free(g->r[i].grant_time);
		free(g->r[i].reviewer);
		free(g->r[i].note);
	}
	free(g->g);
	free(g->a);
	free(g->r);
	free(g);
}

/* Make room for one more element of `size` bytes in *v. */
static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	if ((nv = realloc(*v, c * size)) == NULL)
		return NTK_ERR_NOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

/* strdup of NULL is NULL; *fail remembers an allocation failure. */
static char *
sdup(const char *s, bool *fail)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*fail = true;
	return d;
}

static long
minutes_of(const char *s)
{
	long v = 0;

	if (s == NULL || s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return 0;
	for (; *s != '\0'; s++)
		v = v * 10 + (*s - '0');
	return v;
}

int
ntk_audit_grants_add(struct ntk_audit_grants *g, const struct ntk_audit_rec *r,
    const struct ntk_audit_opts *o)
{
	struct grant *x;
	struct access *y;
	struct review *z;
	bool fail = false;
	int rc;

	if (r->op == NTK_AUDIT_OP_BREAK_GLASS) {
		/* the window picks grants (the reader let everything through for this view) */
		if ((o->have_since && r->sec < o->since) || (o->have_until && r->sec > o->until))
			return 0;
		if ((rc = grow((void **)&g->g, &g->capg, g->ng, sizeof(*g->g))) != 0)
			return rc;
		x = &g->g[g->ng++];
		memset(x, 0, sizeof(*x));
		x->node = sdup(r->node, &fail);
		x->grant_id = sdup(r->grant_id, &fail);
		x->user = sdup(r->user, &fail);
		x->system = sdup(r->system, &fail);
		x->case_id = sdup(r->case_id, &fail);
		x->why = sdup(r->justification, &fail);
		x->serial = r->serial;
		x->sec = r->sec;
		x->msec = r->msec;
		x->expires = r->sec + minutes_of(r->minutes) * 60;
	} else if (r->op == NTK_AUDIT_OP_CASE && r->allowed && r->reason != NULL &&
	    strcmp(r->reason, "break-glass") == 0) {
		if ((rc = grow((void **)&g->a, &g->capa, g->na, sizeof(*g->a))) != 0)
			return rc;
		y = &g->a[g->na++];
		memset(y, 0, sizeof(*y));
		y->node = sdup(r->node, &fail);
		y->user = sdup(r->user, &fail);
		y->system = sdup(r->system, &fail);
		y->case_id = sdup(r->case_id, &fail);
		y->access = sdup(r->access, &fail);
		y->sec = r->sec;
		y->msec = r->msec;
	} else if (r->op == NTK_AUDIT_OP_REVIEW) {
		if ((rc = grow((void **)&g->r, &g->capr, g->nr, sizeof(*g->r))) != 0)
			return rc;
		z = &g->r[g->nr++];
		memset(z, 0, sizeof(*z));
		z->grant_id = sdup(r->grant_id, &fail);
		z->grant_node = sdup(r->grant_node, &fail);
		z->grant_serial = sdup(r->grant_serial, &fail);
		z->grant_time = sdup(r->grant_time, &fail);
		z->reviewer = sdup(r->reviewer, &fail);
		z->note = sdup(r->note, &fail);
		z->sec = r->sec;
		z->msec = r->msec;
	}
	return fail ? NTK_ERR_NOMEM : 0;
}

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* A review names its grant by grant_id, or (older grants without one) by node, serial and time. */
static bool
reviews(const struct review *rv, const struct grant *gr)
{
	char serial[24], when[48];

	if (gr->grant_id != NULL)
		return same(rv->grant_id, gr->grant_id);
	snprintf(serial, sizeof(serial), "%lu", gr->serial);
	snprintf(when, sizeof(when), "%lld.%03u", (long long)gr->sec, gr->msec);
	return rv->grant_id == NULL && same(rv->grant_node ? rv->grant_node : NULL, gr->node) &&
	    same(rv->grant_serial, serial) && same(rv->grant_time, when);
}

static bool
under(const struct access *ac, const struct grant *gr)
{
	return same(ac->node, gr->node) && same(ac->user, gr->user) &&
	    same(ac->system, gr->system) && same(ac->case_id, gr->case_id) &&
	    ac->sec >= gr->sec && ac->sec <= gr->expires;
}

static int
cmp_grant(const void *x, const void *y)
{
	const struct grant *a = x, *b = y;

	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->msec != b->msec)
		return a->msec < b->msec ? -1 : 1;
	return a->serial < b->serial ? -1 : a->serial > b->serial;
}

static int
cmp_access(const void *x, const void *y)
{
	const struct access *a = x, *b = y;

	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->msec < b->msec ? -1 : a->msec > b->msec;
}

/* One grant's row: its accesses ("time access") and its latest review. */
static int
grant_row(struct ntk_audit_grants *g, const struct grant *gr, bool unreviewed,
    struct ntk_audit_out *t)
{
	struct ntk_audit_cell c[15];
	char when[48], exp[48], serial[24], nacc[24], rwhen[48];
	const struct review *last = NULL;
	char **items = NULL;
	size_t i, n = 0, total = 0;
	int r = 0;

	for (i = 0; i < g->nr; i++)
		if (reviews(&g->r[i], gr) && (last == NULL || g->r[i].sec >= last->sec))
			last = &g->r[i];
	if (unreviewed && last != NULL)
		return 0;
	if ((items = calloc(NTK_AUDIT_GRANT_ACCESS_CAP + 1, sizeof(*items))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < g->na; i++) {
		if (!under(&g->a[i], gr))
			continue;
		total++;
		if (n >= NTK_AUDIT_GRANT_ACCESS_CAP)
			continue;
		if ((r = ntk_audit_time_str(g->a[i].sec, g->a[i].msec, false, when, sizeof(when))) != 0)
			goto out;
		if (asprintf(&items[n], "%s %s", when, g->a[i].access ? g->a[i].access : "?") < 0) {
			items[n] = NULL;
			r = NTK_ERR_NOMEM;
			goto out;
		}
		n++;
	}
	memset(c, 0, sizeof(c));
	if ((r = ntk_audit_time_str(gr->sec, gr->msec, false, when, sizeof(when))) != 0 ||
	    (r = ntk_audit_time_str(gr->expires, gr->msec, false, exp, sizeof(exp))) != 0 ||
	    (last != NULL &&
	    (r = ntk_audit_time_str(last->sec, last->msec, false, rwhen, sizeof(rwhen))) != 0))
		goto out;
	snprintf(serial, sizeof(serial), "%lu", gr->serial);
	snprintf(nacc, sizeof(nacc), "%zu", total);
	c[0].str = gr->node;
	c[1].str = serial;
	c[2].str = when;
	c[3].str = exp;
	c[4].str = gr->user;
	c[5].str = gr->system;
	c[6].str = gr->case_id;
	c[7].str = gr->why;
	c[8].str = nacc;
	c[9].list = (const char *const *)items;
	c[9].nlist = n;
	c[10].str = last != NULL ? "yes" : "no";
	c[11].str = last != NULL ? last->reviewer : NULL;
	c[12].str = last != NULL ? rwhen : NULL;
	c[13].str = last != NULL ? last->note : NULL;
	c[14].str = gr->grant_id;
	r = ntk_audit_out_row(t, c);
out:
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return r;
}

/* Grants in time order; `unreviewed`: only those no review names. */
int
ntk_audit_grants_print(struct ntk_audit_grants *g, bool unreviewed, struct ntk_audit_out *t)
{
	size_t i;
	int r;

	/* qsort wants an array even for none */
	if (g->ng > 0)
		qsort(g->g, g->ng, sizeof(*g->g), cmp_grant);
	if (g->na > 0)
		qsort(g->a, g->na, sizeof(*g->a), cmp_access);
	for (i = 0; i < g->ng; i++)
		if ((r = grant_row(g, &g->g[i], unreviewed, t)) != 0)
			return r;
	return 0;
}

void
ntk_audit_grant_ref_clear(struct ntk_audit_grant_ref *ref)
{
	free(ref->node);
	free(ref->grant_id);
	free(ref->user);
	free(ref->system);
	free(ref->case_id);
	memset(ref, 0, sizeof(*ref));
}

int
ntk_audit_grants_find(struct ntk_audit_grants *g, unsigned long serial,
    struct ntk_audit_grant_ref *out, size_t *nfound)
{
	const struct grant *hit = NULL;
	bool fail = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	*nfound = 0;
	for (i = 0; i < g->ng; i++) {
		if (g->g[i].serial != serial)
			continue;
		(*nfound)++;
		hit = &g->g[i];
	}
	if (*nfound != 1)
		return *nfound == 0 ? NTK_ERR_NOT_FOUND : NTK_ERR_BAD_VALUE;
	out->node = sdup(hit->node, &fail);
	out->grant_id = sdup(hit->grant_id, &fail);
	out->user = sdup(hit->user, &fail);
	out->system = sdup(hit->system, &fail);
	out->case_id = sdup(hit->case_id, &fail);
	out->serial = hit->serial;
	out->sec = hit->sec;
	out->msec = hit->msec;
	if (fail) {
		ntk_audit_grant_ref_clear(out);
		return NTK_ERR_NOMEM;
	}
	return 0;
}
