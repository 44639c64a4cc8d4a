/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Untrusted text made fit for one log line. */
#include <stdbool.h>
#include <string.h>

#include "ntk_escape.h"

#define ESCAPE_SHOWN_MAX 128    /* characters of output before the cut */

/* Printable ASCII but the backslash stands for itself; the rest takes \xHH. */
static size_t
escaped_len(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\' ? 1 : 4;
}

void
ntk_escape_log(const char *in, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, need, tail;
	bool fits;

	if (outlen == 0)
		return;
	/* Will it all fit? Then no room is kept for a cut. */
	for (i = 0, need = 0; i < len && need <= ESCAPE_SHOWN_MAX; i++)
		need += escaped_len((unsigned char)in[i]);
	fits = i == len && need <= ESCAPE_SHOWN_MAX && need < outlen;
	for (i = 0; i < len && o < ESCAPE_SHOWN_MAX; i++) {
		unsigned char c = (unsigned char)in[i];
		int plain = escaped_len(c) == 1;

		need = plain ? 1 : 4;
		/* Otherwise keep room for "...": a cut never splits an escape. */
		tail = fits ? 0 : 3;
		if (o + need + tail >= outlen)
			break;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	if (i < len && o + 3 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

void
ntk_escape_log_str(const char *in, char *out, size_t outlen)
{
	ntk_escape_log(in, strlen(in), out, outlen);
}
