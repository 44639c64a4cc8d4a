/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String vectors: the (char **, count) lists the codec and the daemon pass around, and a growable one. */
#ifndef NTK_STRV_H
#define NTK_STRV_H

#include <stddef.h>

/* Free each of the n strings and the array; accepts NULL. */
void ntk_strv_free(char **v, size_t n);

/* A list that grows as strings are pushed; zero-initialise it to start. */
struct ntk_strlist {
	char **v;
	size_t n;
	size_t cap;
};

/* Append s, which the list then owns (freed on failure too); NULL is NTK_ERR_NOMEM. */
int ntk_strlist_push(struct ntk_strlist *l, char *s);
/* Append a copy of s. */
int ntk_strlist_push_copy(struct ntk_strlist *l, const char *s);
/* Free every string and the array, and leave the list empty; accepts NULL. */
void ntk_strlist_clear(struct ntk_strlist *l);

#endif /* NTK_STRV_H */
