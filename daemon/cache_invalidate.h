/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Followed directory changes mapped to cache drops, through the mirror of each entry's last state. */
#ifndef NTKD_CACHE_INVALIDATE_H
#define NTKD_CACHE_INVALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <ldap.h>

#include "dir_mirror.h"
#include "ntk_config.h"

struct ntkd;

/*
 * A change is compared with what the entry said before (dir_mirror.h), and
 * drops (ntkd_cache_drop) exactly the cached answers either version feeds:
 * - facts: the user, and every supervisor up to supervision_depth above it
 *   along the old and the new manager chain;
 * - groups: the role and system groups of its old and new roles; when
 *   only assignment values changed, the case groups of the values added or
 *   removed (an `until` changed counts), else the case groups of all its
 *   old and new assignments and of everyone below it to supervision_depth
 *   (their supervisors are members);
 * - a group entry: its role and system groups, and each member added or
 *   removed (all members when anything else changed) as if that member's
 *   entry had changed, through group_nesting levels of groups in groups.
 * Used by the sync thread only: no locking.
 */

/*
 * Store `rec` (taken, also on error) in place of the entry's last state.
 * With `drop`, the caches of `d` lose what the change touches; *dropped
 * grows by the entries dropped. Without (a refresh from scratch, whose end
 * drops everything) only the mirror changes.
 */
int ntkd_invalidate_put(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    struct ntkd_mirror_rec *rec, bool drop, size_t *dropped);
/* The entry is gone (or left the subscription's scope). */
int ntkd_invalidate_delete(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    const struct berval *uuid, bool drop, size_t *dropped);

/* The end of a refresh's present phase: every entry not marked since unmark is gone. */
int ntkd_invalidate_sweep(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    size_t *dropped);

#endif /* NTKD_CACHE_INVALIDATE_H */
