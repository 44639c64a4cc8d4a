/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String vectors: the (char **, count) lists the codec and the daemon pass around, and a growable one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_strv.h"

void
ntk_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
ntk_strlist_push(struct ntk_strlist *l, char *s)
{
	char **nv;
	size_t ncap;

	if (s == NULL)
		return NTK_ERR_NOMEM;
	if (l->n == l->cap) {
		ncap = l->cap ? l->cap * 2 : 8;
		if (ncap > SIZE_MAX / sizeof(*nv) || (nv = realloc(l->v, ncap * sizeof(*nv))) == NULL) {
			free(s);
			return NTK_ERR_NOMEM;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = s;
	return 0;
}

int
ntk_strlist_push_copy(struct ntk_strlist *l, const char *s)
{
	return ntk_strlist_push(l, strdup(s));
}

void
ntk_strlist_clear(struct ntk_strlist *l)
{
	if (l == NULL)
		return;
	ntk_strv_free(l->v, l->n);
	memset(l, 0, sizeof(*l));
}
