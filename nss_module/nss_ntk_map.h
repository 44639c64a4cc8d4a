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
 * followed by three index arrays of u32 record offsets (groups sorted by
 * name, groups sorted by gid, initgroups sorted by user) and the records.
 * Every record starts 8-aligned:
 *   group:      u32 kind=1, u32 len, i64 expires, u32 gid, u32 nmembers,
 *               u32 strings_len, then strings_len bytes: name\0 member\0...
 *   initgroups: u32 kind=2, u32 len, i64 expires, u32 ngids, u32 name_len
 *               (with the \0), then ngids u32, then name\0.
 * `expires` is unix seconds: a record at or past it is a miss.
 */
#define NTK_MAP_MAGIC "NTKNSSM\1"
#define NTK_MAP_VERSION 1u
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
	uint64_t checksum;              /* FNV-1a 64 of bytes [hdr_size, size) */
	int64_t created;
	uint32_t off_by_name, n_by_name;
	uint32_t off_by_gid, n_by_gid;
	uint32_t off_by_user, n_by_user;
};

#define NTK_MAP_GROUP_FIXED 28u        /* kind, len, expires, gid, nmembers, strings_len */
#define NTK_MAP_INIT_FIXED 24u         /* kind, len, expires, ngids, name_len */

/*
 * FNV-1a 64 over 8-byte words (then the tail bytes): catches a damaged file
 * at open, at a few GB/s. Not a security boundary (ownership is).
 */
static inline uint64_t
ntk_map_checksum(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__builtin_memcpy(&w, s + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/*
 * Is base[0..size) a well-formed map header whose index arrays fit and
 * whose checksum matches? 0, or NTK_ERR_BAD_VALUE. Records are checked one
 * by one when they are used: every offset and length is bounded by `size`.
 */
int ntk_map_check(const void *base, size_t size);

/* The retired word, read with acquire ordering (it pairs with ntkd's pwrite). */
bool ntk_map_retired(const void *base);

/*
 * Find a group by name or gid and pack it into the caller's struct group
 * and buffer as ntk_nss_pack_group does. 0; NTK_ERR_NOT_FOUND when absent,
 * expired (expires <= now) or malformed; NTK_ERR_TOO_LONG when the buffer
 * is too small.
 */
int ntk_map_group_by_name(const void *base, size_t size, const char *name, int64_t now,
    struct group *gr, char *buf, size_t buflen);
int ntk_map_group_by_gid(const void *base, size_t size, uint32_t gid, int64_t now,
    struct group *gr, char *buf, size_t buflen);

/*
 * The initgroups gids of `user`: *gids points into the map (u32, *ngids of
 * them). 0 or NTK_ERR_NOT_FOUND as above.
 */
int ntk_map_initgroups(const void *base, size_t size, const char *user, int64_t now,
    const uint32_t **gids, size_t *ngids);

#endif /* NSS_NTK_MAP_H */
