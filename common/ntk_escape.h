/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Untrusted text made fit for one log line. */
#ifndef NTK_ESCAPE_H
#define NTK_ESCAPE_H

#include <stddef.h>

/*
 * Copy len bytes of `in` into out (outlen bytes, always terminated when
 * outlen > 0): printable ASCII as is, every other byte and the backslash
 * as \xHH, so a newline cannot forge a line and the escape is unambiguous.
 * Output is cut at 128 characters or what fits; a cut ends in "...".
 */
void ntk_escape_log(const char *in, size_t len, char *out, size_t outlen);

/* The whole C string `in`. */
void ntk_escape_log_str(const char *in, char *out, size_t outlen);

#endif /* NTK_ESCAPE_H */
