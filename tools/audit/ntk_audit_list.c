/* --list: one row per needtoknow decision. */
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
	{ "serial", NTK_AUDIT_COL_NUM },
};
const size_t ntk_audit_list_ncols = sizeof(ntk_audit_list_cols) / sizeof(ntk_audit_list_cols[0]);

/* A number field is printed bare (JSON) only when it is one. */
static const char *
num_or_null(const char *s)
{
	if (s == NULL || s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
		return NULL;
	return s;
}

int
ntk_audit_list_row(struct ntk_audit_out *t, const struct ntk_audit_rec *r)
{
	struct ntk_audit_cell c[14];
	char when[48], serial[24];
	struct tm tm;
	size_t n;

	memset(c, 0, sizeof(c));
	if (localtime_r(&r->sec, &tm) == NULL)
		return NTK_ERR_INTERNAL;
	n = strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - n, ".%03u", r->msec % 1000);
	snprintf(serial, sizeof(serial), "%lu", r->serial);
	c[0].str = when;
	c[1].str = r->allowed ? "allowed" : "denied";
	c[2].str = ntk_audit_op_name(r->op);
	c[3].str = r->user;
	c[4].str = r->system;
	c[5].str = r->case_id;
	c[6].str = r->access;
	c[7].str = r->state;
	c[8].str = r->reason;
	c[9].str = r->peer_exe;
	c[10].str = num_or_null(r->peer_pid);
	c[11].str = num_or_null(r->peer_uid);
	c[12].str = r->host;
	c[13].str = serial;
	return ntk_audit_out_row(t, c);
}
