/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map ntkd publishes for libnss_ntk: what it holds, when it is written, and the file format writer. */
#ifndef NTKD_NSS_MAP_H
#define NTKD_NSS_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ntk_proto.h"

struct ntkd_req;

/*
 * Start publishing next to `socket` (SOCKET.map, SOCKET.map.UID): files a
 * previous ntkd left there are retired and removed first. Until started,
 * and after ntkd_nss_map_stop (which retires and removes every file), the
 * functions below do nothing.
 */
int ntkd_nss_map_start(const char *socket);
void ntkd_nss_map_stop(void);

/*
 * An answer ntkd just gave over the socket (fetched: when its facts came
 * from the directory), put in the map for later readers. The request says
 * who asked: an untrusted peer gets a view file of its own.
 */
void ntkd_nss_map_group(struct ntkd_req *r, const struct ntk_group *g, int64_t fetched);
void ntkd_nss_map_initgroups(struct ntkd_req *r, const char *user,
    const struct ntk_gid_list *l, int64_t fetched);

/*
 * A cache entry was dropped (key NULL: all): every published file is
 * retired at once, before this returns, and the records of `key` (group
 * or user name) go; the rest is published again shortly.
 */
void ntkd_nss_map_drop(const char *key);

/* One record source for the writer (nss_map_write.c, pure). */
struct ntkd_map_group {
	const char *name;
	uint32_t gid;
	char *const *members;
	size_t nmembers;
	int64_t expires;
};

struct ntkd_map_init {
	const char *user;
	const uint32_t *gids;
	size_t ngids;
	int64_t expires;
};

/*
 * Serialise a map (layout in nss_module/nss_ntk_map.h) into a new malloc'd
 * buffer. Names must be unique within each list. 0, NTK_ERR_NOMEM, or
 * NTK_ERR_TOO_LONG past NTK_MAP_MAX_SIZE.
 */
int ntkd_nss_map_build(const struct ntkd_map_group *const *groups, size_t ngroups,
    const struct ntkd_map_init *const *inits, size_t ninits, uint32_t view_uid,
    int64_t created, unsigned char **out, size_t *outlen);

#endif /* NTKD_NSS_MAP_H */
