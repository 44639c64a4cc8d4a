/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Error codes shared by every needtoknow component. */
#ifndef NTK_ERR_H
#define NTK_ERR_H

/*
 * Functions return 0 on success or one of these negative codes; callers
 * write `if ((r = f(...)) != 0)`. What an error means to the caller (deny,
 * PAM_AUTHINFO_UNAVAIL, NSS_STATUS_UNAVAIL, ...) is the caller's decision.
 */
enum ntk_err {
	NTK_OK = 0,
	NTK_ERR_NOMEM = -1,       /* allocation failed */
	NTK_ERR_TRUNCATED = -2,   /* a message or field ends early */
	NTK_ERR_TOO_LONG = -3,    /* a length over its limit */
	NTK_ERR_BAD_VALUE = -4,   /* a value that does not parse or is out of range */
	NTK_ERR_EMBEDDED_NUL = -5, /* a string holding a NUL before its end */
	NTK_ERR_VERSION = -6,     /* a protocol version we do not speak */
	NTK_ERR_BAD_TYPE = -7,    /* an unknown message type */
	NTK_ERR_IO = -8,          /* read/write/connect failed (see errno) */
	NTK_ERR_TIMEOUT = -9,     /* the peer did not answer in time */
	NTK_ERR_CLOSED = -10,     /* the peer closed the connection */
	NTK_ERR_DENIED = -11,     /* the peer is not allowed to ask this */
	NTK_ERR_NOT_FOUND = -12,  /* no such user, group or key */
	NTK_ERR_UNAVAILABLE = -13, /* the directory cannot be reached */
	NTK_ERR_CONFIG = -14,     /* configuration refused */
	NTK_ERR_INTERNAL = -15,   /* a bug or an impossible state */
	NTK_ERR_TRAILING = -16,   /* bytes left over after a complete message */
	NTK_ERR_UNTRUSTED_PEER = -17, /* the socket is served by a uid we do not trust */
};

/* A short English description, never NULL. */
const char *ntk_strerror(int err);

#endif /* NTK_ERR_H */
