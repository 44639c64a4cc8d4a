/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Following the directory: an RFC 4533 refreshAndPersist subscription that drops cached answers as entries change. */
#ifndef NTKD_DIR_SYNC_H
#define NTKD_DIR_SYNC_H

#include <stdbool.h>
#include <stdio.h>

#include <ldap.h>

#include "ntk_config.h"

struct ntkd;
struct ntkd_dir_sync;

/*
 * One thread with its own LDAP connection (the configured URIs in order,
 * with the workers' failover and health), never in a decision's way:
 * - it subscribes to every entry under base (refreshAndPersist, libldap's
 *   ldap_sync_* API) and hands each change to cache_invalidate.c;
 * - the cookie is kept: after a lost connection (or on the next URI) the
 *   refresh phase replays what changed meanwhile, deletions included;
 * - the first refresh (no cookie) only fills the mirror, then drops every
 *   cached answer, which may be older than the subscription;
 * - a server that refuses the subscription (no syncprov, AD) leaves ntkd
 *   on ttl alone, said in status; it is asked again every
 *   NTKD_DIR_SYNC_RETRY_SECS; follow_changes = no never asks.
 * A reload (new config generation) starts over from scratch.
 */
#define NTKD_DIR_SYNC_RETRY_SECS 300

int ntkd_dir_sync_start(struct ntkd *d, struct ntkd_dir_sync **out);
/* Stop and join the thread (interrupting a blocked read); accepts NULL. */
void ntkd_dir_sync_stop(struct ntkd_dir_sync *s);

/* The dir_sync* lines of ntkctl status (NULL: "dir_sync=off"). */
void ntkd_dir_sync_status(struct ntkd_dir_sync *s, FILE *f);

/*
 * Does the server `ld` is bound to offer content sync under base? A
 * refreshOnly sync search of the base entry alone. 0 with *offered set
 * (when not, the server's reason in why); NTK_ERR_UNAVAILABLE when it did
 * not answer (its reason in why).
 */
int ntkd_dir_sync_offered(LDAP *ld, const struct ntk_config *cf, bool *offered, char *why,
    size_t whylen);

#endif /* NTKD_DIR_SYNC_H */
