/* Followed directory changes mapped to cache drops, through a mirror of what each entry said last. */
#ifndef NTKD_CACHE_INVALIDATE_H
#define NTKD_CACHE_INVALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <ldap.h>

#include "ntk_config.h"

struct ntkd;

/*
 * The mirror keeps, per entry under base (by entryUUID, as RFC 4533 names
 * deleted entries by it alone): its DN, name_attribute, manager, case ids,
 * roles, group members and a digest of everything else. A change is
 * compared with what the entry said before, and drops (ntkd_cache_drop)
 * exactly the cached answers either version feeds:
 * - facts: the user, and every supervisor up to supervision_depth above it
 *   along the old and the new manager chain;
 * - groups: the case groups of its old and new assignments, the role and
 *   system groups of its old and new roles, and, unless only assignments
 *   changed, the case groups of everyone below it to supervision_depth
 *   (their supervisors are members);
 * - a group entry: its role and system groups, and each member added or
 *   removed (all members when anything else changed) as if that member's
 *   entry had changed, through group_nesting levels of groups in groups.
 * Used by the sync thread only: no locking.
 */
struct ntkd_mirror;
struct ntkd_mirror_rec;

int ntkd_mirror_new(struct ntkd_mirror **out);
void ntkd_mirror_free(struct ntkd_mirror *m);
/* Forget every entry (a new config, or a refresh from scratch). */
void ntkd_mirror_clear(struct ntkd_mirror *m);
size_t ntkd_mirror_count(const struct ntkd_mirror *m);

/* What a sync entry message says now (a new record in *out). */
int ntkd_mirror_rec_from_entry(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e,
    const struct berval *uuid, struct ntkd_mirror_rec **out);
void ntkd_mirror_rec_free(struct ntkd_mirror_rec *r);

/*
 * Store `rec` (taken, also on error) in place of the entry's last state.
 * With `drop`, the caches of `d` lose what the change touches; *dropped
 * grows by the entries dropped. Without (a refresh from scratch, whose end
 * drops everything) only the mirror changes.
 */
int ntkd_mirror_put(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    struct ntkd_mirror_rec *rec, bool drop, size_t *dropped);
/* The entry is gone (or left the subscription's scope). */
int ntkd_mirror_delete(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    const struct berval *uuid, bool drop, size_t *dropped);

/*
 * The present phase of a refresh: unmark everything first, mark each entry
 * the server says is unchanged (stored ones are marked by put), then sweep
 * deletes every unmarked entry.
 */
void ntkd_mirror_unmark(struct ntkd_mirror *m);
void ntkd_mirror_present(struct ntkd_mirror *m, const struct berval *uuid);
int ntkd_mirror_sweep(struct ntkd_mirror *m, struct ntkd *d, const struct ntk_config *cf,
    size_t *dropped);

#endif /* NTKD_CACHE_INVALIDATE_H */
