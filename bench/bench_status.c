/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One counter from ntkd's STATUS text (key=value lines), shared by the benchmarks. */
#include <stdlib.h>
#include <string.h>

#include "bench_status.h"

long
ntk_bench_status_value(struct ntk_conn *c, const char *key)
{
	char *text = NULL, *p;
	size_t n = strlen(key);
	long v = -1;

	if (ntk_client_status(c, &text) != 0)
		return -1;
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			v = strtol(p + n + 1, NULL, 10);
	free(text);
	return v;
}
