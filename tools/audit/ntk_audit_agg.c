/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Aggregation for --summary and --browsing: hash tables bounded by distinct keys, not records. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_strset.h"
#include "ntk_audit.h"

struct map;

struct entry {
	char *key;                     /* NULL: empty slot */
	uint64_t hash;
	unsigned long denied, allowed;
	unsigned long released;        /* of allowed: releases (disclosures), reviewed on their own */
	struct map *cases;             /* browsing: distinct denied case ids */
	bool truncated;                /* more cases than NTK_AUDIT_CASE_CAP */
	unsigned long rank;            /* --by case: the case's place by total */
};

struct map {
	struct entry *slots;
	size_t cap, n;                 /* cap a power of two, n < cap * 3/4 */
};

struct ntk_audit_agg {
	struct map users, systems, nodes, reasons;
	struct map browsers;
	struct map cases;              /* --by case: per case */
	struct map case_users;         /* --by case: per (case, user), key "LEN:CASEUSER" */
	bool any_node;                 /* records carried node=: the node group is shown */
};

static void map_clear(struct map *m);

static void
map_free(struct map *m)
{
	if (m == NULL)
		return;
	map_clear(m);
	free(m);
}

static void
map_clear(struct map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		map_free(m->slots[i].cases);
	}
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static int
map_grow(struct map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i, j;
	struct entry *s;

	if ((s = calloc(cap, sizeof(*s))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key == NULL)
			continue;
		for (j = m->slots[i].hash & (cap - 1); s[j].key != NULL; j = (j + 1) & (cap - 1))
			;
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

/* The entry for `key`, created (zeroed) when absent; *created tells which. */
static int
map_get(struct map *m, const char *key, struct entry **out, bool *created)
{
	uint64_t h = ntk_str_hash(key);
	size_t j;
	int r;

	if (created != NULL)
		*created = false;
	if ((m->n + 1) * 4 > m->cap * 3 && (r = map_grow(m)) != 0)
		return r;
	for (j = h & (m->cap - 1); m->slots[j].key != NULL; j = (j + 1) & (m->cap - 1)) {
		if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0) {
			*out = &m->slots[j];
			return 0;
		}
	}
	if ((m->slots[j].key = strdup(key)) == NULL)
		return NTK_ERR_NOMEM;
	m->slots[j].hash = h;
	m->n++;
	if (created != NULL)
		*created = true;
	*out = &m->slots[j];
	return 0;
}

/* The entry for `key`, or NULL; never grows the map (pointers into it stay valid). */
static struct entry *
map_find(const struct map *m, const char *key)
{
	uint64_t h = ntk_str_hash(key);
	size_t j;

	if (m->cap == 0)
		return NULL;
	for (j = h & (m->cap - 1); m->slots[j].key != NULL; j = (j + 1) & (m->cap - 1))
		if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0)
			return &m->slots[j];
	return NULL;
}

int
ntk_audit_agg_new(struct ntk_audit_agg **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return NTK_ERR_NOMEM;
	return 0;
}

void
ntk_audit_agg_free(struct ntk_audit_agg *a)
{
	if (a == NULL)
		return;
	map_clear(&a->users);
	map_clear(&a->systems);
	map_clear(&a->nodes);
	map_clear(&a->reasons);
	map_clear(&a->browsers);
	map_clear(&a->cases);
	map_clear(&a->case_users);
	free(a);
}

static int
count(struct map *m, const char *key, bool allowed, bool release)
{
	struct entry *e;
	int r;

	if ((r = map_get(m, key ? key : "", &e, NULL)) != 0)
		return r;
	if (allowed)
		e->allowed++;
	else
		e->denied++;
	if (allowed && release)
		e->released++;
	return 0;
}

static int
add_case(struct entry *u, const char *c, size_t n)
{
	struct entry *e;
	char *k;
	int r;

	if (u->cases == NULL && (u->cases = calloc(1, sizeof(*u->cases))) == NULL)
		return NTK_ERR_NOMEM;
	if (u->cases->n >= NTK_AUDIT_CASE_CAP) {
		u->truncated = true;   /* kept bounded; a new id is no longer counted */
		return 0;
	}
	if ((k = strndup(c, n)) == NULL)
		return NTK_ERR_NOMEM;
	r = map_get(u->cases, k, &e, NULL);
	free(k);
	return r;
}

/* One case of a record for --by case: its total, and its (case, user) row. */
static int
count_case(struct ntk_audit_agg *a, const struct ntk_audit_rec *rec, const char *c, size_t n,
    bool rel)
{
	const char *user = rec->user ? rec->user : "";
	char *k;
	int r;

	/* the case's length first, so any bytes in the case and the user stay apart */
	if (asprintf(&k, "%zu:%.*s%s", n, (int)n, c, user) < 0)
		return NTK_ERR_NOMEM;
	r = count(&a->case_users, k, rec->allowed, rel);
	free(k);
	if (r == 0 && (k = strndup(c, n)) == NULL)
		return NTK_ERR_NOMEM;
	if (r == 0) {
		r = count(&a->cases, k, rec->allowed, rel);
		free(k);
	}
	return r;
}

/* Count one record: the summary tables, the --by case tables, or the denied cases of its user. */
int
ntk_audit_agg_add(struct ntk_audit_agg *a, const struct ntk_audit_rec *rec,
    enum ntk_audit_view view, enum ntk_audit_by by)
{
	bool rel = rec->access != NULL && strcmp(rec->access, "release") == 0;
	struct entry *u;
	const char *p, *e;
	int r;

	if (view == NTK_AUDIT_SUMMARY && by == NTK_AUDIT_BY_CASE) {
		if (rec->case_id == NULL || rec->case_id[0] == '\0')
			return 0;              /* logins name no case */
		if (rec->op != NTK_AUDIT_OP_STATEMENT)
			return count_case(a, rec, rec->case_id, strlen(rec->case_id), rel);
		for (p = rec->case_id;; p = e + 1) {
			e = strchr(p, ',');
			if ((r = count_case(a, rec, p, e ? (size_t)(e - p) : strlen(p), rel)) != 0 ||
			    e == NULL)
				return r;
		}
	}
	if (view != NTK_AUDIT_BROWSING) {
		if ((r = count(&a->users, rec->user, rec->allowed, rel)) != 0 ||
		    (r = count(&a->systems, rec->system, rec->allowed, rel)) != 0 ||
		    (r = count(&a->nodes, rec->node, rec->allowed, rel)) != 0 ||
		    (r = count(&a->reasons, rec->reason, rec->allowed, rel)) != 0)
			return r;
		if (rec->node != NULL)
			a->any_node = true;
		return 0;
	}
	/* Browsing is about denied cases; logins name no case. */
	if (rec->allowed || rec->case_id == NULL || rec->case_id[0] == '\0')
		return 0;
	if ((r = map_get(&a->browsers, rec->user ? rec->user : "", &u, NULL)) != 0)
		return r;
	u->denied++;
	if (rec->op != NTK_AUDIT_OP_STATEMENT)
		return add_case(u, rec->case_id, strlen(rec->case_id));
	for (p = rec->case_id;; p = e + 1) {
		e = strchr(p, ',');
		if ((r = add_case(u, p, e ? (size_t)(e - p) : strlen(p))) != 0 || e == NULL)
			return r;
	}
}

/* The live entries of a map, as an array of pointers (caller frees). */
static int
entries(const struct map *m, struct entry ***out)
{
	struct entry **v;
	size_t i, n = 0;

	if ((v = calloc(m->n + 1, sizeof(*v))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			v[n++] = &m->slots[i];
	*out = v;
	return 0;
}

static int
cmp_total(const void *x, const void *y)
{
	const struct entry *a = *(const struct entry *const *)x, *b = *(const struct entry *const *)y;
	unsigned long ta = a->denied + a->allowed, tb = b->denied + b->allowed;

	if (ta != tb)
		return ta > tb ? -1 : 1;
	if (a->denied != b->denied)
		return a->denied > b->denied ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int
cmp_browser(const void *x, const void *y)
{
	const struct entry *a = *(const struct entry *const *)x, *b = *(const struct entry *const *)y;

	if (a->cases->n != b->cases->n)
		return a->cases->n > b->cases->n ? -1 : 1;
	if (a->denied != b->denied)
		return a->denied > b->denied ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int
cmp_key(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

const struct ntk_audit_col ntk_audit_summary_cols[] = {
	{ "group", NTK_AUDIT_COL_STR },
	{ "key", NTK_AUDIT_COL_STR },
	{ "denied", NTK_AUDIT_COL_NUM },
	{ "allowed", NTK_AUDIT_COL_NUM },
	{ "released", NTK_AUDIT_COL_NUM },
	{ "total", NTK_AUDIT_COL_NUM },
};
const size_t ntk_audit_summary_ncols = sizeof(ntk_audit_summary_cols) / sizeof(ntk_audit_summary_cols[0]);

/*
 * Rows: group user, then system, then node (when records carry one), then
 * reason; each by total (then denials) down, then key; `top` rows per group.
 */
int
ntk_audit_agg_summary(struct ntk_audit_agg *a, unsigned long top, struct ntk_audit_out *t)
{
	static const char *const names[] = { "user", "system", "node", "reason" };
	const struct map *maps[] = { &a->users, &a->systems, &a->nodes, &a->reasons };
	struct ntk_audit_cell cells[6];
	struct entry **v = NULL;
	char nd[24], na[24], nr[24], nt[24];
	size_t g, i;
	int r = 0;

	memset(cells, 0, sizeof(cells));
	for (g = 0; g < 4; g++) {
		if (g == 2 && !a->any_node)
			continue;
		if ((r = entries(maps[g], &v)) != 0)
			goto out;
		qsort(v, maps[g]->n, sizeof(*v), cmp_total);
		for (i = 0; i < maps[g]->n && (top == 0 || i < top); i++) {
			snprintf(nd, sizeof(nd), "%lu", v[i]->denied);
			snprintf(na, sizeof(na), "%lu", v[i]->allowed);
			snprintf(nr, sizeof(nr), "%lu", v[i]->released);
			snprintf(nt, sizeof(nt), "%lu", v[i]->denied + v[i]->allowed);
			cells[0].str = names[g];
			cells[1].str = v[i]->key;
			cells[2].str = nd;
			cells[3].str = na;
			cells[4].str = nr;
			cells[5].str = nt;
			if ((r = ntk_audit_out_row(t, cells)) != 0)
				goto out;
		}
		free(v);
		v = NULL;
	}
out:
	free(v);
	return r;
}

const struct ntk_audit_col ntk_audit_browsing_cols[] = {
	{ "user", NTK_AUDIT_COL_STR },
	{ "distinct_cases", NTK_AUDIT_COL_NUM },
	{ "denials", NTK_AUDIT_COL_NUM },
	{ "truncated", NTK_AUDIT_COL_BOOL },
	{ "cases", NTK_AUDIT_COL_LIST },
};
const size_t ntk_audit_browsing_ncols = sizeof(ntk_audit_browsing_cols) / sizeof(ntk_audit_browsing_cols[0]);

/* Users with at least `threshold` distinct denied cases, worst first (`top` of them), cases sorted. */
int
ntk_audit_agg_browsing(struct ntk_audit_agg *a, unsigned threshold, unsigned long top,
    struct ntk_audit_out *t)
{
	struct ntk_audit_cell cells[5];
	struct entry **v = NULL, **c = NULL;
	const char **keys = NULL;
	char nc[24], nd[24];
	size_t i, j, n = 0;
	int r;

	memset(cells, 0, sizeof(cells));
	if ((r = entries(&a->browsers, &v)) != 0)
		goto out;
	for (i = 0; i < a->browsers.n; i++)
		if (v[i]->cases != NULL && v[i]->cases->n >= threshold)
			v[n++] = v[i];
	qsort(v, n, sizeof(*v), cmp_browser);
	if (top != 0 && n > top)
		n = top;
	for (i = 0; i < n; i++) {
		if ((r = entries(v[i]->cases, &c)) != 0)
			goto out;
		if ((keys = calloc(v[i]->cases->n + 1, sizeof(*keys))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		for (j = 0; j < v[i]->cases->n; j++)
			keys[j] = c[j]->key;
		qsort(keys, v[i]->cases->n, sizeof(*keys), cmp_key);
		snprintf(nc, sizeof(nc), "%zu", v[i]->cases->n);
		snprintf(nd, sizeof(nd), "%lu", v[i]->denied);
		cells[0].str = v[i]->key;
		cells[1].str = nc;
		cells[2].str = nd;
		cells[3].str = v[i]->truncated ? "yes" : "no";
		cells[4].list = keys;
		cells[4].nlist = v[i]->cases->n;
		if ((r = ntk_audit_out_row(t, cells)) != 0)
			goto out;
		free(keys);
		keys = NULL;
		free(c);
		c = NULL;
	}
out:
	free(keys);
	free(c);
	free(v);
	return r;
}

const struct ntk_audit_col ntk_audit_by_case_cols[] = {
	{ "case", NTK_AUDIT_COL_STR },
	{ "user", NTK_AUDIT_COL_STR },
	{ "denied", NTK_AUDIT_COL_NUM },
	{ "allowed", NTK_AUDIT_COL_NUM },
	{ "released", NTK_AUDIT_COL_NUM },
	{ "total", NTK_AUDIT_COL_NUM },
};
const size_t ntk_audit_by_case_ncols = sizeof(ntk_audit_by_case_cols) / sizeof(ntk_audit_by_case_cols[0]);

/* A (case, user) entry's parts out of its "LEN:CASEUSER" key. */
static void
split_case_user(const char *key, size_t *clen, const char **c, const char **user)
{
	char *end;

	*clen = (size_t)strtoul(key, &end, 10);
	*c = end + 1;
	*user = *c + *clen;
}

struct case_rank {
	const struct entry *cu;        /* the (case, user) entry */
	const struct entry *c;         /* its case's totals */
	unsigned long rank;            /* the case's place, by total */
};

static int
cmp_case_rank(const void *x, const void *y)
{
	const struct case_rank *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return cmp_total(&a->cu, &b->cu);
}

/*
 * --by case: who touched each case, allowed and denied. Cases by their total
 * down (the first `top`), within a case its users by total down.
 */
int
ntk_audit_agg_by_case(struct ntk_audit_agg *a, unsigned long top, struct ntk_audit_out *t)
{
	struct ntk_audit_cell cells[6];
	struct entry **cases = NULL, **cu = NULL, *ce;
	struct case_rank *rows = NULL;
	char nd[24], na[24], nr[24], nt[24], *cname = NULL;
	const char *c, *user;
	size_t i, n = 0, clen;
	int r;

	memset(cells, 0, sizeof(cells));
	if ((r = entries(&a->cases, &cases)) != 0 || (r = entries(&a->case_users, &cu)) != 0)
		goto out;
	qsort(cases, a->cases.n, sizeof(*cases), cmp_total);
	for (i = 0; i < a->cases.n; i++)
		cases[i]->rank = i;
	if ((rows = calloc(a->case_users.n + 1, sizeof(*rows))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < a->case_users.n; i++) {
		split_case_user(cu[i]->key, &clen, &c, &user);
		free(cname);
		if ((cname = strndup(c, clen)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		if ((ce = map_find(&a->cases, cname)) == NULL) {
			r = NTK_ERR_INTERNAL;
			goto out;
		}
		if (top != 0 && ce->rank >= top)
			continue;
		rows[n].cu = cu[i];
		rows[n].c = ce;
		rows[n].rank = ce->rank;
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_case_rank);
	for (i = 0; i < n; i++) {
		split_case_user(rows[i].cu->key, &clen, &c, &user);
		snprintf(nd, sizeof(nd), "%lu", rows[i].cu->denied);
		snprintf(na, sizeof(na), "%lu", rows[i].cu->allowed);
		snprintf(nr, sizeof(nr), "%lu", rows[i].cu->released);
		snprintf(nt, sizeof(nt), "%lu", rows[i].cu->denied + rows[i].cu->allowed);
		cells[0].str = rows[i].c->key;
		cells[1].str = user;
		cells[2].str = nd;
		cells[3].str = na;
		cells[4].str = nr;
		cells[5].str = nt;
		if ((r = ntk_audit_out_row(t, cells)) != 0)
			goto out;
	}
out:
	free(cname);
	free(rows);
	free(cu);
	free(cases);
	return r;
}
