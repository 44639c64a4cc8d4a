/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --list for one --user: that user's records in time order, numbered by
 * session, with the idle gap before each session; the list's columns follow.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_audit.h"

#define NS 11

/* One record kept: the timeline is sorted at the end (files and nodes come in any order). */
struct item {
	time_t sec;
	unsigned msec;
	unsigned long serial;
	bool allowed;
	enum ntk_audit_op op;
	char *s[NS];                   /* the list's string columns, see src[] */
};

struct ntk_audit_timeline {
	struct item *v;
	size_t n, cap;
};

const struct ntk_audit_col ntk_audit_timeline_cols[] = {
	{ "session", NTK_AUDIT_COL_NUM },
	{ "idle_before", NTK_AUDIT_COL_TIME },
	{ "time", NTK_AUDIT_COL_TIME },
	{ "result", NTK_AUDIT_COL_STR },
	{ "op", NTK_AUDIT_COL_STR },
	{ "user", NTK_AUDIT_COL_STR },
	{ "system", NTK_AUDIT_COL_STR },
	{ "case", NTK_AUDIT_COL_STR },
	{ "access", NTK_AUDIT_COL_STR },
	{ "state", NTK_AUDIT_COL_STR },
	{ "reason", NTK_AUDIT_COL_STR },
	{ "peer", NTK_AUDIT_COL_STR },
	{ "peer_pid", NTK_AUDIT_COL_NUM },
	{ "peer_uid", NTK_AUDIT_COL_NUM },
	{ "host", NTK_AUDIT_COL_STR },
	{ "node", NTK_AUDIT_COL_STR },
	{ "serial", NTK_AUDIT_COL_NUM },
};
const size_t ntk_audit_timeline_ncols =
    sizeof(ntk_audit_timeline_cols) / sizeof(ntk_audit_timeline_cols[0]);

/* A number column holds a number or nothing (JSON prints it bare). */
static const char *
num_or_null(const char *s)
{
	if (s == NULL || s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return NULL;
	return s;
}

int
ntk_audit_timeline_new(struct ntk_audit_timeline **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return NTK_ERR_NOMEM;
	return 0;
}

void
ntk_audit_timeline_free(struct ntk_audit_timeline *tl)
{
	size_t i, j;

	if (tl == NULL)
		return;
	for (i = 0; i < tl->n; i++)
		for (j = 0; j < NS; j++)
			free(tl->v[i].s[j]);
	free(tl->v);
	free(tl);
}

int
ntk_audit_timeline_add(struct ntk_audit_timeline *tl, const struct ntk_audit_rec *r)
{
	const char *src[NS] = { r->user, r->system, r->case_id, r->access, r->state, r->reason,
		r->peer_exe, num_or_null(r->peer_pid), num_or_null(r->peer_uid), r->host, r->node };
	struct item *it, *nv;
	size_t j, cap;

	if (tl->n == tl->cap) {
		cap = tl->cap ? tl->cap * 2 : 256;
		if ((nv = realloc(tl->v, cap * sizeof(*nv))) == NULL)
			return NTK_ERR_NOMEM;
		tl->v = nv;
		tl->cap = cap;
	}
	it = &tl->v[tl->n];
	memset(it, 0, sizeof(*it));
	it->sec = r->sec;
	it->msec = r->msec;
	it->serial = r->serial;
	it->allowed = r->allowed;
	it->op = r->op;
	for (j = 0; j < NS; j++) {
		if (src[j] != NULL && (it->s[j] = strdup(src[j])) == NULL) {
			while (j-- > 0)
				free(it->s[j]);
			return NTK_ERR_NOMEM;
		}
	}
	tl->n++;
	return 0;
}

static int
cmp_item(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->msec != b->msec)
		return a->msec < b->msec ? -1 : 1;
	if (a->serial != b->serial)
		return a->serial < b->serial ? -1 : 1;
	return 0;
}

/* "3d04h", "2h05m", "31m" */
static void
span(long s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%ldm", s / 60);
}

/* A new session starts after `gap` seconds without a record; its first row says how long. */
int
ntk_audit_timeline_print(struct ntk_audit_timeline *tl, long gap, struct ntk_audit_out *t)
{
	struct ntk_audit_cell c[5 + NS + 1];
	char when[48], serial[24], session[24], idle[32];
	unsigned long sess = 0;
	size_t i, j;
	int r;

	if (tl->n > 0)                 /* qsort wants an array even for none */
		qsort(tl->v, tl->n, sizeof(*tl->v), cmp_item);
	for (i = 0; i < tl->n; i++) {
		struct item *it = &tl->v[i];

		memset(c, 0, sizeof(c));
		idle[0] = '\0';
		if (i == 0)
			sess = 1;
		else if (it->sec - tl->v[i - 1].sec >= gap) {
			sess++;
			span((long)(it->sec - tl->v[i - 1].sec), idle, sizeof(idle));
		}
		if ((r = ntk_audit_time_str(it->sec, it->msec, false, when, sizeof(when))) != 0)
			return r;
		snprintf(serial, sizeof(serial), "%lu", it->serial);
		snprintf(session, sizeof(session), "%lu", sess);
		c[0].str = session;
		c[1].str = idle[0] != '\0' ? idle : NULL;
		c[2].str = when;
		c[3].str = it->allowed ? "allowed" : "denied";
		c[4].str = ntk_audit_op_name(it->op);
		for (j = 0; j < NS; j++)
			c[5 + j].str = it->s[j];
		c[5 + NS].str = serial;
		if ((r = ntk_audit_out_row(t, c)) != 0)
			return r;
	}
	return 0;
}
