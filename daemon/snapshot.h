/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A loaded configuration, shared by reference so SIGHUP can swap it under running requests. */
#ifndef NTKD_SNAPSHOT_H
#define NTKD_SNAPSHOT_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "ntk_config.h"

struct ntkd_snapshot {
	atomic_uint refs;
	unsigned long generation;       /* 1 for the first load, +1 per reload */
	struct ntk_config config;
	uid_t *trusted_uids;            /* trusted_peers resolved at load */
	size_t ntrusted;
};

/*
 * Load and validate `path` into a new snapshot with one reference. On
 * failure returns the error and writes "file:key: reason" into err.
 */
int ntkd_snapshot_load(const char *path, unsigned long generation,
    struct ntkd_snapshot **out, char *err, size_t errlen);

struct ntkd_snapshot *ntkd_snapshot_ref(struct ntkd_snapshot *s);
/* Drop a reference; the last one frees. Accepts NULL. */
void ntkd_snapshot_unref(struct ntkd_snapshot *s);

#endif /* NTKD_SNAPSHOT_H */
