/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of strings (open addressing) and the string hash it and the daemon's caches use. */
#ifndef NTK_STRSET_H
#define NTK_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: fast on short names and ids, and not a security boundary here. */
uint64_t ntk_str_hash(const char *s);

/* Zero-initialise to start; the set keeps its own copies. */
struct ntk_strset {
	char **slot;
	size_t cap;             /* 0 or a power of two */
	size_t n;
};

/* 1: added, 0: already there, or a negative NTK_ERR_*. */
int ntk_strset_add(struct ntk_strset *set, const char *s);
bool ntk_strset_has(const struct ntk_strset *set, const char *s);
/* Free every copy and the table, and leave the set empty; accepts NULL. */
void ntk_strset_clear(struct ntk_strset *set);

#endif /* NTK_STRSET_H */
