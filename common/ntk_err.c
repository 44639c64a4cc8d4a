/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Descriptions of the NTK_ERR_* codes. */
#include "ntk_err.h"

const char *
ntk_strerror(int err)
{
	switch (err) {
	case NTK_OK: return "success";
	case NTK_ERR_NOMEM: return "out of memory";
	case NTK_ERR_TRUNCATED: return "message truncated";
	case NTK_ERR_TOO_LONG: return "length over limit";
	case NTK_ERR_BAD_VALUE: return "invalid value";
	case NTK_ERR_EMBEDDED_NUL: return "string holds a NUL byte";
	case NTK_ERR_VERSION: return "unsupported protocol version";
	case NTK_ERR_BAD_TYPE: return "unknown message type";
	case NTK_ERR_IO: return "input/output error";
	case NTK_ERR_TIMEOUT: return "timed out";
	case NTK_ERR_CLOSED: return "connection closed";
	case NTK_ERR_DENIED: return "permission denied";
	case NTK_ERR_NOT_FOUND: return "not found";
	case NTK_ERR_UNAVAILABLE: return "directory unavailable";
	case NTK_ERR_CONFIG: return "configuration error";
	case NTK_ERR_INTERNAL: return "internal error";
	case NTK_ERR_TRAILING: return "trailing bytes after message";
	case NTK_ERR_UNTRUSTED_PEER: return "the socket is served by an untrusted uid";
	}
	return "unknown error";
}
