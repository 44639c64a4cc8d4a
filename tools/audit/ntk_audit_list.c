/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --list: one row per needtoknow decision; ndjson rows carry ISO 8601 time and epoch for a SIEM. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ntk_err.h"
#include "ntk_audit.h"

const struct ntk_audit_col ntk_audit_list_cols[] = {
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
const size_t ntk_audit_list_ncols = sizeof(ntk_audit_list_cols) / sizeof(ntk_audit_list_cols[0]);

/* The fields Splunk, Elastic and Graylog take first: time with its offset, epoch, node. */
const struct ntk_audit_col ntk_audit_ndjson_cols[] = {
	{ "time", NTK_AUDIT_COL_TIME },
	{ "epoch", NTK_AUDIT_COL_NUM },
	{ "node", NTK_AUDIT_COL_STR },
	{ "serial", NTK_AUDIT_COL_NUM },
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
};
const size_t ntk_audit_ndjson_ncols = sizeof(ntk_audit_ndjson_cols) / sizeof(ntk_audit_ndjson_cols[0]);

/* A number field is printed bare (JSON) only when it is one. */
static const char *
num_or_null(const char *s)
{
	if (s == NULL || s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return NULL;
	return s;
}

/* Local time with milliseconds: "YYYY-MM-DD HH:MM:SS.mmm", or ISO 8601 "...THH:MM:SS.mmm+01:00". */
int
ntk_audit_time_str(time_t sec, unsigned msec, bool iso, char *buf, size_t len)
{
	char zone[8];
	struct tm tm;
	size_t n;

	if (localtime_r(&sec, &tm) == NULL)
		return NTK_ERR_INTERNAL;
	n = strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
	if (n == 0)
		return NTK_ERR_INTERNAL;
	if (!iso) {
		snprintf(buf + n, len - n, ".%03u", msec % 1000);
		return 0;
	}
	/* %z is +hhmm; ISO 8601's extended form wants +hh:mm */
	if (strftime(zone, sizeof(zone), "%z", &tm) != 5)
		return NTK_ERR_INTERNAL;
	snprintf(buf + n, len - n, ".%03u%.3s:%.2s", msec % 1000, zone, zone + 3);
	return 0;
}

int
ntk_audit_list_row(struct ntk_audit_out *t, enum ntk_audit_format fmt, const struct ntk_audit_rec *r)
{
	struct ntk_audit_cell c[16];
	char when[48], serial[24], epoch[32];
	const char *v[16];
	size_t i, n;
	int rc;

	memset(c, 0, sizeof(c));
	if ((rc = ntk_audit_time_str(r->sec, r->msec, fmt == NTK_AUDIT_NDJSON, when, sizeof(when))) != 0)
		return rc;
	snprintf(serial, sizeof(serial), "%lu", r->serial);
	snprintf(epoch, sizeof(epoch), "%lld.%03u", (long long)r->sec, r->msec % 1000);
	if (fmt == NTK_AUDIT_NDJSON) {
		const char *nd[] = { when, epoch, r->node, serial, r->allowed ? "allowed" : "denied",
			ntk_audit_op_name(r->op), r->user, r->system, r->case_id, r->access, r->state,
			r->reason, r->peer_exe, num_or_null(r->peer_pid), num_or_null(r->peer_uid),
			r->host };
		n = ntk_audit_ndjson_ncols;
		memcpy(v, nd, sizeof(nd));
	} else {
		const char *ls[] = { when, r->allowed ? "allowed" : "denied", ntk_audit_op_name(r->op),
			r->user, r->system, r->case_id, r->access, r->state, r->reason, r->peer_exe,
			num_or_null(r->peer_pid), num_or_null(r->peer_uid), r->host, r->node, serial };
		n = ntk_audit_list_ncols;
		memcpy(v, ls, sizeof(ls));
	}
	for (i = 0; i < n; i++)
		c[i].str = v[i];
	return ntk_audit_out_row(t, c);
}
