/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interface of libnss_ntk: name filters, buffer packing, and where answers come from. */
#ifndef NSS_NTK_H
#define NSS_NTK_H

#include <grp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ntk_proto.h"

/* Group name prefixes; any other name is NOTFOUND without asking ntkd. */
#define NTK_NSS_PREFIX_SYS "ntk-sys-"
#define NTK_NSS_PREFIX_ROLE "ntk-role-"
#define NTK_NSS_PREFIX_CASE "ntk-case-"
/* Longest system or role name the module forwards (config names are short). */
#define NTK_NSS_NAME_MAX 64

/* How long one lookup may wait for ntkd, connect included: never hang a login. */
#define NTK_NSS_TIMEOUT_MS 2000

/*
 * Pre-filters, pure. A name is worth asking ntkd about only when it is
 * ntk-sys-NAME or ntk-role-NAME (NAME of [A-Za-z0-9._-], 1..NTK_NSS_NAME_MAX),
 * or ntk-case-N with N decimal, no leading zero, at most UINT32_MAX.
 * A gid is worth asking about only inside [gid_min, gid_max], the window
 * fixed at build time (--with-nss-gid-min/max).
 */
bool ntk_nss_name_ours(const char *name);
bool ntk_nss_gid_ours(uint32_t gid, uint32_t gid_min, uint32_t gid_max);

/* Is this executable path (a readlink of /proc/self/exe) nscd's? Pure, for ntk_nss_host_is_nscd. */
bool ntk_nss_exe_is_nscd(const char *path);

/*
 * Copy `g` into the caller's struct group and buffer: the member pointer
 * array first (aligned), then the strings. NTK_ERR_TOO_LONG when `buflen`
 * is too small (the caller answers ERANGE), leaving `gr` untouched.
 * ntk_nss_group_size gives the bytes needed, for tests.
 */
int ntk_nss_pack_group(const struct ntk_group *g, struct group *gr, char *buf, size_t buflen);
size_t ntk_nss_group_size(const struct ntk_group *g);

/*
 * Append the gids of `l` to a getgrouplist-style array: skip `skip` (the
 * primary group) and gids already present, grow *groupsp with realloc but
 * never past `limit` (when > 0). Returns the number of gids added, or
 * NTK_ERR_NOMEM (what was added so far stays added).
 */
long ntk_nss_add_gids(const struct ntk_gid_list *l, gid_t skip, long *start, long *size,
    gid_t **groupsp, long limit);

/*
 * True when the module is loaded into nscd (decided once per process).
 * nscd asks as root and serves its cache to every uid, so an answer given
 * there would undo visibility = member and outlive revocations by up to
 * nscd's positive-time-to-live: the fetch functions refuse inside it.
 */
bool ntk_nss_host_is_nscd(void);

/*
 * The map ntkd publishes (nss_ntk_map.c), asked first: 0 on a hit (the
 * group packed into the caller's buffer), NTK_ERR_TOO_LONG when the buffer
 * is too small, NTK_ERR_NOT_FOUND on anything else (a miss, no usable map,
 * inside nscd): then the socket answers. The initgroups variant returns the
 * number of gids added (as ntk_nss_add_gids) or a negative NTK_ERR_*.
 */
int ntk_nss_map_group_by_name(const char *name, struct group *gr, char *buf, size_t buflen);
int ntk_nss_map_group_by_gid(uint32_t gid, struct group *gr, char *buf, size_t buflen);
long ntk_nss_map_initgroups(const char *user, gid_t skip, long *start, long *size,
    gid_t **groupsp, long limit);

/*
 * Where answers come from when the map has none: one round trip to ntkd,
 * whose cache holds the answers.
 * Each returns 0 or a negative NTK_ERR_*: NOT_FOUND (no such group, or the
 * caller may not see it), DENIED (e.g. enumeration turned off, or inside
 * nscd, without asking ntkd), IO/CLOSED/
 * TIMEOUT (ntkd unreachable or not answering), others from the codec.
 */
int ntk_nss_fetch_by_name(const char *name, struct ntk_group *out);
int ntk_nss_fetch_by_gid(uint32_t gid, struct ntk_group *out);
int ntk_nss_fetch_initgroups(const char *user, struct ntk_gid_list *out);
int ntk_nss_fetch_group_list(struct ntk_group_list *out);

#endif /* NSS_NTK_H */
