/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set of strings (open addressing) and the string hash it and the daemon's caches use. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_strset.h"

uint64_t
ntk_str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;    /* FNV-1a 64 offset basis */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t
slot_of(const struct ntk_strset *set, const char *s)
{
	size_t j = ntk_str_hash(s) & (set->cap - 1);

	while (set->slot[j] != NULL && strcmp(set->slot[j], s) != 0)
		j = (j + 1) & (set->cap - 1);
	return j;
}

static int
grow(struct ntk_strset *set)
{
	struct ntk_strset bigger = { 0 };
	size_t i;

	bigger.cap = set->cap ? set->cap * 2 : 64;
	if (bigger.cap > SIZE_MAX / sizeof(*bigger.slot) ||
	    (bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < set->cap; i++)
		if (set->slot[i] != NULL)
			bigger.slot[slot_of(&bigger, set->slot[i])] = set->slot[i];
	bigger.n = set->n;
	free(set->slot);
	*set = bigger;
	return 0;
}

int
ntk_strset_add(struct ntk_strset *set, const char *s)
{
	size_t j;
	int r;

	/* At most half full, so probes stay short. */
	if ((set->n + 1) * 2 > set->cap && (r = grow(set)) != 0)
		return r;
	j = slot_of(set, s);
	if (set->slot[j] != NULL)
		return 0;
	if ((set->slot[j] = strdup(s)) == NULL)
		return NTK_ERR_NOMEM;
	set->n++;
	return 1;
}

bool
ntk_strset_has(const struct ntk_strset *set, const char *s)
{
	return set->cap != 0 && set->slot[slot_of(set, s)] != NULL;
}

void
ntk_strset_clear(struct ntk_strset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}
