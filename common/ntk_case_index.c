/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A subject's assignments by case id: a hash index built once per fetched subject, read by the policy. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_case_index.h"
#include "ntk_err.h"
#include "ntk_strset.h"

/* One distinct case id: its positions are pos[start .. start + nown + nsup), own first. */
struct case_group {
	const char *case_id;    /* points into the subject's arrays */
	uint32_t start, nown, nsup;
};

struct ntk_case_index {
	/* What it was built for: any other arrays, and the lookups decline. */
	const struct ntk_assignment *assignments;
	size_t nassignments;
	const struct ntk_supervised *supervised;
	size_t nsupervised;
	uint32_t *slot;         /* cap slots: 0 empty, else group number + 1 */
	size_t cap;             /* a power of two, at least 1.5 times the entries */
	struct case_group *group;
	size_t ngroups;
	uint32_t *pos;
};

void
ntk_case_index_free(struct ntk_case_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->slot);
	free(ix->group);
	free(ix->pos);
	free(ix);
}

/* The slot holding case_id, or the empty slot where it would go. */
static size_t
slot_of(const struct ntk_case_index *ix, const char *case_id)
{
	size_t j = ntk_str_hash(case_id) & (ix->cap - 1);

	while (ix->slot[j] != 0 && strcmp(ix->group[ix->slot[j] - 1].case_id, case_id) != 0)
		j = (j + 1) & (ix->cap - 1);
	return j;
}

/* The group of case_id, created when new; its number. */
static uint32_t
group_of(struct ntk_case_index *ix, const char *case_id)
{
	size_t j = slot_of(ix, case_id);

	if (ix->slot[j] == 0) {
		ix->group[ix->ngroups].case_id = case_id;
		ix->slot[j] = (uint32_t)++ix->ngroups;
	}
	return ix->slot[j] - 1;
}

int
ntk_case_index_build(struct ntk_subject *s)
{
	struct ntk_case_index *ix;
	size_t total = s->nassignments + s->nsupervised, i, next = 0;
	uint32_t *of = NULL, *cur = NULL, g;
	struct case_group *shrunk;
	int r = NTK_ERR_NOMEM;

	/* Positions are u32 and the table at most half full: far above NTK_LIST_MAX each. */
	if (total > UINT32_MAX / 4 || (ix = calloc(1, sizeof(*ix))) == NULL)
		return NTK_ERR_NOMEM;
	ix->assignments = s->assignments;
	ix->nassignments = s->nassignments;
	ix->supervised = s->supervised;
	ix->nsupervised = s->nsupervised;
	/* At most two thirds full however many ids repeat: probes stay short, the table small. */
	for (ix->cap = 16; ix->cap < total + total / 2; ix->cap *= 2)
		;
	if ((ix->slot = calloc(ix->cap, sizeof(*ix->slot))) == NULL ||
	    (total > 0 && ((ix->group = calloc(total, sizeof(*ix->group))) == NULL ||
	    (ix->pos = calloc(total, sizeof(*ix->pos))) == NULL ||
	    (of = calloc(total, sizeof(*of))) == NULL)))
		goto out;
	/* Count per case id; an empty id (never parsed) matches no query and is left out. */
	for (i = 0; i < s->nassignments; i++) {
		if (s->assignments[i].case_id[0] == '\0')
			continue;
		of[i] = g = group_of(ix, s->assignments[i].case_id);
		ix->group[g].nown++;
	}
	for (i = 0; i < s->nsupervised; i++) {
		if (s->supervised[i].assignment.case_id[0] == '\0')
			continue;
		of[s->nassignments + i] = g = group_of(ix, s->supervised[i].assignment.case_id);
		ix->group[g].nsup++;
	}
	if (ix->ngroups > 0 && (cur = calloc(ix->ngroups, sizeof(*cur))) == NULL)
		goto out;
	/* Cached for the entry's lifetime: give back what repeated ids left unused. */
	if (ix->ngroups > 0 && ix->ngroups < total &&
	    (shrunk = realloc(ix->group, ix->ngroups * sizeof(*ix->group))) != NULL)
		ix->group = shrunk;
	for (g = 0; g < ix->ngroups; g++) {
		ix->group[g].start = (uint32_t)next;
		next += ix->group[g].nown + ix->group[g].nsup;
	}
	/* Ascending within each group: own ones first (cursor ends at nown), then supervised. */
	for (i = 0; i < s->nassignments; i++)
		if (s->assignments[i].case_id[0] != '\0') {
			g = of[i];
			ix->pos[ix->group[g].start + cur[g]++] = (uint32_t)i;
		}
	for (i = 0; i < s->nsupervised; i++)
		if (s->supervised[i].assignment.case_id[0] != '\0') {
			g = of[s->nassignments + i];
			ix->pos[ix->group[g].start + cur[g]++] = (uint32_t)i;
		}
	ntk_case_index_free(s->index);
	s->index = ix;
	ix = NULL;
	r = 0;
 out:
	ntk_case_index_free(ix);
	free(of);
	free(cur);
	return r;
}

/* The group for case_id in s's index, or NULL; *usable false when the index does not fit s. */
static const struct case_group *
find(const struct ntk_subject *s, const char *case_id, bool *usable)
{
	const struct ntk_case_index *ix = s->index;
	size_t j;

	*usable = ix != NULL && ix->assignments == s->assignments &&
	    ix->nassignments == s->nassignments && ix->supervised == s->supervised &&
	    ix->nsupervised == s->nsupervised;
	if (!*usable || case_id == NULL || case_id[0] == '\0')
		return NULL;
	j = slot_of(ix, case_id);
	return ix->slot[j] != 0 ? &ix->group[ix->slot[j] - 1] : NULL;
}

size_t
ntk_case_index_own(const struct ntk_subject *s, const char *case_id, const uint32_t **at)
{
	const struct case_group *g;
	bool usable;

	*at = NULL;
	if ((g = find(s, case_id, &usable)) == NULL)
		return usable ? 0 : NTK_CASE_INDEX_NONE;
	*at = s->index->pos + g->start;
	return g->nown;
}

size_t
ntk_case_index_supervised(const struct ntk_subject *s, const char *case_id, const uint32_t **at)
{
	const struct case_group *g;
	bool usable;

	*at = NULL;
	if ((g = find(s, case_id, &usable)) == NULL)
		return usable ? 0 : NTK_CASE_INDEX_NONE;
	*at = s->index->pos + g->start + g->nown;
	return g->nsup;
}

size_t
ntk_case_index_bytes(const struct ntk_case_index *ix)
{
	if (ix == NULL)
		return 0;
	return sizeof(*ix) + ix->cap * sizeof(*ix->slot) + ix->ngroups * sizeof(*ix->group) +
	    (ix->nassignments + ix->nsupervised) * sizeof(*ix->pos);
}
