/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why a client could not reach ntkd: one actionable sentence instead of stacked errno texts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ntk_conn_why.h"
#include "ntk_err.h"

#define NTK_HINT_RUNNING "(is ntkd running? systemctl status ntkd)"

const char *
ntk_conn_why(int rc, int err, char *buf, size_t len)
{
	const char *why;

	switch (rc) {
	case NTK_ERR_IO:
		switch (err) {
		case ENOENT: why = "no such socket " NTK_HINT_RUNNING; break;
		case ECONNREFUSED: why = "nobody listens on the socket " NTK_HINT_RUNNING; break;
		case EACCES:
		case EPERM: why = "permission denied on the socket or a directory above it"; break;
		case ENOTDIR: why = "a part of the path is not a directory (check [daemon] socket)"; break;
		default:
			snprintf(buf, len, "%s", strerror(err));
			return buf;
		}
		break;
	case NTK_ERR_TIMEOUT: why = "ntkd did not answer in time (is it overloaded? ntkctl status)"; break;
	case NTK_ERR_TOO_LONG: why = "the socket path is too long for a Unix socket"; break;
	case NTK_ERR_BAD_VALUE: why = "no socket path given"; break;
	default: why = ntk_strerror(rc); break;
	}
	snprintf(buf, len, "%s", why);
	return buf;
}
