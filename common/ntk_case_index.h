/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A subject's assignments by case id: a hash index built once per fetched subject, read by the policy. */
#ifndef NTK_CASE_INDEX_H
#define NTK_CASE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ntk_policy.h"

/*
 * Build the index of s's own and supervised assignments and attach it to
 * s->index (replacing any earlier one). The subject owns it from then on:
 * ntk_subject_clear frees it. Pure: no I/O, no globals, no clock; the
 * arrays of s must not change afterwards (an index built for other arrays
 * is ignored by the lookups below). 0 or NTK_ERR_NOMEM (s unchanged: the
 * policy then scans, with the same outcomes).
 */
int ntk_case_index_build(struct ntk_subject *s);

void ntk_case_index_free(struct ntk_case_index *ix);

/*
 * Positions in s->assignments (own) or s->supervised (supervised) whose
 * case id is exactly `case_id`, ascending, so "the first that matches"
 * is the one a scan would find. Returns how many; *at points into the
 * index. Returns (size_t)-1 when s has no index that fits its arrays:
 * the caller scans.
 */
#define NTK_CASE_INDEX_NONE ((size_t)-1)
size_t ntk_case_index_own(const struct ntk_subject *s, const char *case_id, const uint32_t **at);
size_t ntk_case_index_supervised(const struct ntk_subject *s, const char *case_id,
    const uint32_t **at);

/* Bytes the index holds (for the memory figures of ntkctl status and the bench). */
size_t ntk_case_index_bytes(const struct ntk_case_index *ix);

#endif /* NTK_CASE_INDEX_H */
