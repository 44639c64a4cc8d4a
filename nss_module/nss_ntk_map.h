/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map: the file layout ntkd writes and libnss_ntk reads, and the reader's pure checks. */
#ifndef NSS_NTK_MAP_H
#define NSS_NTK_MAP_H

#include <grp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One map file is an immutable snapshot: ntkd writes it whole under a
 * temporary name and renames it into place, so a reader that maps it never
 * sees a half-written record. The one word ever changed afterwards is
 * `retired`, set by ntkd (pwrite of one aligned word) when the snapshot
 * stops being true: a cache entry was dropped, a newer file replaced it,
 * ntkd stopped or restarted. A reader checks it before and after copying
 * a record out and treats a retired file as absent.
 *
 * Integers are native (the file never leaves the host). The header is
 * followed by three indexes of 8-byte entries {u32 key, u32 record offset},
 * each sorted by key: groups by ntk_map_key(name), groups by gid, initgroups
 * by ntk_map_key(user); equal keys (hash collisions) sit side by side. A
 * look-up searches the index alone and touches one record.
 * Every record starts 8-aligned, with a checksum of its own:
 *   common:     u32 kind, u32 len, u64 check (ntk_map_rec_check), i64 expires
 *   group:      then u32 gid, u32 nmembers, u32 strings_len, then
 *               strings_len bytes: name\0 member\0...
 *   initgroups: then u32 ngids, u32 name_len (with the \0), then ngids u32
 *               (ascending, each once), then name\0.
 * `expires` is unix seconds: a record at or past it is a miss. A record is
 * checked (bounds, checksum, strings) when it is about to be used, so
 * opening a map costs the same whatever its size.
 */
#define NTK_MAP_MAGIC "NTKNSSM\1"
#define NTK_MAP_VERSION 2u
#define NTK_MAP_REC_GROUP 1u
#define NTK_MAP_REC_INITGROUPS 2u
/* Refuse anything larger: a map is a cache of answers, not a directory dump. */
#define NTK_MAP_MAX_SIZE (256u << 20)
/* The view uid of the full map. */
#define NTK_MAP_FULL 0xffffffffu

struct ntk_map_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;              /* sizeof(struct ntk_map_hdr) */
	uint64_t size;                  /* the whole file */
	uint32_t retired;               /* 0 while the snapshot holds */
	uint32_t view_uid;              /* NTK_MAP_FULL, or the one uid this view is for */
	int64_t created;
	uint32_t off_by_name, n_by_name;
	uint32_t off_by_gid, n_by_gid;
	uint32_t off_by_user, n_by_user;
};

struct ntk_map_ent {
	uint32_t key;
	uint32_t off;
};

#define NTK_MAP_REC_CHECK_FROM 16u     /* the checksum covers [16, len) of a record */
#define NTK_MAP_GROUP_FIXED 36u        /* kind, len, check, expires, gid, nmembers, strings_len */
#define NTK_MAP_INIT_FIXED 32u         /* kind, len, check, expires, ngids, name_len */

static inline uint64_t
ntk_map_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/*
 * A Fletcher-style sum over 8-byte words (then the tail bytes), seeded:
 * catches a damaged record when it is used (any changed word changes the
 * first sum, moved words the second) at two additions a word. Not a
 * security boundary (ownership is).
 */
static inline uint64_t
ntk_map_checksum(uint64_t seed, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t a = seed ^ 0xcbf29ce484222325ull, b = n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__builtin_memcpy(&w, s + i, sizeof(w));
		a += w;
		b += a;
	}
	for (; i < n; i++) {
		a += s[i];
		b += a;
	}
	/* A bijective mix (MurmurHash3's finaliser) of each sum, so no difference cancels out. */
	return ntk_map_mix(a ^ ntk_map_mix(b));
}

/* The check word of a record of `len` bytes at `rec`: its kind and length, then bytes [16, len). */
static inline uint64_t
ntk_map_rec_check(const unsigned char *rec, uint32_t kind, uint32_t len)
{
	return ntk_map_checksum(((uint64_t)len << 32) | kind, rec + NTK_MAP_REC_CHECK_FROM,
	    len - NTK_MAP_REC_CHECK_FROM);
}

/* The index key of a group or user name: FNV-1a 32 of its bytes. */
static inline uint32_t
ntk_map_key(const char *s)
{
	uint32_t h = 0x811c9dc5u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x01000193u;
	return h;
}

/*
 * Is base[0..size) a well-formed map header whose indexes fit? 0, or
 * NTK_ERR_BAD_VALUE. O(1): records are checked one by one when they are
 * used (every offset and length bounded by `size`, then the checksum).
 */
int ntk_map_check(const void *base, size_t size);

/* The retired word, read with acquire ordering (it pairs with ntkd's pwrite). */
bool ntk_map_retired(const void *base);

/*
 * Find a group by name or gid and pack it into the caller's struct group
 * and buffer as ntk_nss_pack_group does. 0; NTK_ERR_NOT_FOUND when absent,
 * expired (expires <= now), damaged (checksum) or malformed;
 * NTK_ERR_TOO_LONG when the buffer is too small. The strings are checked
 * in the caller's buffer, after the copy: a view its owner rewrites while
 * it is read can mislead, not overrun.
 */
int ntk_map_group_by_name(const void *base, size_t size, const char *name, int64_t now,
    struct group *gr, char *buf, size_t buflen);
int ntk_map_group_by_gid(const void *base, size_t size, uint32_t gid, int64_t now,
    struct group *gr, char *buf, size_t buflen);

/*
 * The initgroups gids of `user`: *gids points into the map (u32, *ngids of
 * them; ntkd writes them ascending, each once, but nothing here relies
 * on it). 0 or NTK_ERR_NOT_FOUND as above.
 */
int ntk_map_initgroups(const void *base, size_t size, const char *user, int64_t now,
    const uint32_t **gids, size_t *ngids);

/*
 * Append the map's gids to an initgroups_dyn list, as ntk_nss_add_gids does
 * (skip `skip` and any gid already there; grow *groupsp up to `limit`), in
 * one pass: with the list ascending, a gid only has to be looked for among
 * what the caller had before (the primary group, nss_files' groups), and
 * only when it lies within their range; the array grows once. Should a
 * list not be ascending after all, each gid from there on is looked for in
 * the whole list. The number added, or NTK_ERR_NOMEM.
 */
long ntk_map_add_gids(const uint32_t *g, size_t n, gid_t skip, long *start, long *size,
    gid_t **groupsp, long limit);

#endif /* NSS_NTK_MAP_H */
