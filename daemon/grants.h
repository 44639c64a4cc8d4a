/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The break-glass grant store: (user, system, case) until an expiry, in memory only. */
#ifndef NTKD_GRANTS_H
#define NTKD_GRANTS_H

#include <stddef.h>
#include <stdint.h>

#include "ntk_policy.h"

struct ntkd_grants;

int ntkd_grants_new(struct ntkd_grants **out);
void ntkd_grants_free(struct ntkd_grants *g);

/*
 * Grant `user` access to `case_id` on `system` only, until `expires`
 * (replacing an earlier grant for the same user, system and case).
 */
int ntkd_grants_add(struct ntkd_grants *g, const char *user, const char *system,
    const char *case_id, int64_t expires);

/*
 * The user's grants on every system still active at `now` (each names its
 * system; ntk_policy_decide counts only the asked one's), copied into a new array (*out,
 * free() it; NULL and 0 when none). Expired grants are pruned on the way.
 */
int ntkd_grants_for(struct ntkd_grants *g, const char *user, int64_t now,
    struct ntk_grant **out, size_t *n);

/* Grants active at `now` (STATUS). */
size_t ntkd_grants_active(struct ntkd_grants *g, int64_t now);

#endif /* NTKD_GRANTS_H */
