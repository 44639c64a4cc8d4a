/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the NSS map: header checks and record look-ups, every offset and length bounded by the file size. */
#include "config.h"

#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "ntk_err.h"
#include "nss_ntk_map.h"

static const char group_passwd[] = "*";

/* The gid lists are copied into glibc's gid_t arrays as they are. */
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

static uint32_t
u32_at(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static int64_t
i64_at(const unsigned char *b, size_t off)
{
	int64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* An index [off, off + 8n) lies inside the file, after the header. */
static bool
index_fits(const struct ntk_map_hdr *h, size_t size, uint32_t off, uint32_t n)
{
	return off % 4 == 0 && off >= sizeof(*h) && off <= size &&
	    n <= (size - off) / sizeof(struct ntk_map_ent);
}

int
ntk_map_check(const void *base, size_t size)
{
	struct ntk_map_hdr h;

	if (base == NULL || size < sizeof(h) || size > NTK_MAP_MAX_SIZE)
		return NTK_ERR_BAD_VALUE;
	memcpy(&h, base, sizeof(h));
	if (memcmp(h.magic, NTK_MAP_MAGIC, sizeof(h.magic)) != 0 || h.version != NTK_MAP_VERSION ||
	    h.hdr_size != sizeof(h) || h.size != size ||
	    !index_fits(&h, size, h.off_by_name, h.n_by_name) ||
	    !index_fits(&h, size, h.off_by_gid, h.n_by_gid) ||
	    !index_fits(&h, size, h.off_by_user, h.n_by_user))
		return NTK_ERR_BAD_VALUE;
	return 0;
}

bool
ntk_map_retired(const void *base)
{
	const struct ntk_map_hdr *h = base;
	uint32_t v = __atomic_load_n(&h->retired, __ATOMIC_ACQUIRE);

	return v != 0;
}

/*
 * The first index entry whose key is >= key: a binary search of the index
 * alone (contiguous, no record touched). *n is the index length; 0 when
 * the index does not fit (checked at open, checked again so no path
 * depends on that alone).
 */
static uint32_t
index_lower(const unsigned char *b, size_t size, uint32_t off_idx, uint32_t *n, uint32_t key)
{
	uint32_t lo = 0, hi = *n, mid;

	if (size < sizeof(struct ntk_map_hdr) ||
	    !index_fits((const struct ntk_map_hdr *)(const void *)b, size, off_idx, hi)) {
		*n = 0;
		return 0;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (u32_at(b, off_idx + (size_t)mid * 8) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The common record head at `off`, bounded: kind as wanted, len inside the file and >= fixed. */
static bool
rec_at(const unsigned char *b, size_t size, uint32_t off, uint32_t kind, uint32_t fixed,
    uint32_t *len)
{
	if (off % 8 != 0 || off < sizeof(struct ntk_map_hdr) || off > size || size - off < fixed)
		return false;
	*len = u32_at(b, off + 4);
	return u32_at(b, off) == kind && *len >= fixed && *len <= size - off;
}

/* The record's own checksum: a damaged record is a miss, whatever else it says. */
static bool
rec_sound(const unsigned char *b, uint32_t off, uint32_t kind, uint32_t len)
{
	uint64_t check;

	memcpy(&check, b + off + 8, sizeof(check));
	return ntk_map_rec_check(b + off, kind, len) == check;
}

/* A group record, bounded (the strings are checked after the copy, in pack). */
struct grec {
	int64_t expires;
	uint32_t gid, nmembers, strings_len;
	const char *strings;            /* name\0 member\0 ... */
};

static bool
grec_at(const unsigned char *b, size_t size, uint32_t off, struct grec *g, uint32_t *len)
{
	if (!rec_at(b, size, off, NTK_MAP_REC_GROUP, NTK_MAP_GROUP_FIXED, len))
		return false;
	g->expires = i64_at(b, off + 16);
	g->gid = u32_at(b, off + 24);
	g->nmembers = u32_at(b, off + 28);
	g->strings_len = u32_at(b, off + 32);
	g->strings = (const char *)b + off + NTK_MAP_GROUP_FIXED;
	return g->strings_len <= *len - NTK_MAP_GROUP_FIXED && g->strings_len != 0 &&
	    g->nmembers < g->strings_len;
}

/* Does the NUL-terminated key (klen bytes with the \0) start the region s[0..avail)? */
static bool
key_is(const char *key, size_t klen, const char *s, size_t avail)
{
	return klen <= avail && memcmp(key, s, klen) == 0;
}

/* A group by name or gid: the index, then the one record whose key it is. */
static bool
find_group(const unsigned char *b, size_t size, bool by_gid, const char *name, uint32_t gid,
    struct grec *out)
{
	const struct ntk_map_hdr *h = (const void *)b;
	uint32_t off_idx, n, i, key, len, off;
	size_t klen = 0;

	if (size < sizeof(struct ntk_map_hdr))
		return false;
	off_idx = by_gid ? h->off_by_gid : h->off_by_name;
	n = by_gid ? h->n_by_gid : h->n_by_name;
	if (by_gid) {
		key = gid;
	} else {
		key = ntk_map_key(name);
		klen = strlen(name) + 1;
	}
	/* Equal keys (collisions of name hashes) are side by side: try each. */
	for (i = index_lower(b, size, off_idx, &n, key); i < n; i++) {
		if (u32_at(b, off_idx + (size_t)i * 8) != key)
			return false;
		off = u32_at(b, off_idx + (size_t)i * 8 + 4);
		if (!grec_at(b, size, off, out, &len))
			return false;
		if (by_gid ? out->gid == gid : key_is(name, klen, out->strings, out->strings_len))
			return rec_sound(b, off, NTK_MAP_REC_GROUP, len);
	}
	return false;
}

/*
 * Copy the strings into the caller's buffer first, then check them there:
 * exactly 1 + nmembers strings, the last ending at the region's end.
 */
static int
pack(const struct grec *g, const char *want_name, struct group *gr, char *buf, size_t buflen)
{
	size_t pad, need, i;
	const char *s, *end, *z;
	char **mem;
	char *p;

	pad = (alignof(char *) - ((uintptr_t)buf % alignof(char *))) % alignof(char *);
	need = ((size_t)g->nmembers + 1) * sizeof(char *) + g->strings_len + sizeof(group_passwd);
	if (buf == NULL || buflen < pad || buflen - pad < need)
		return NTK_ERR_TOO_LONG;
	mem = (char **)(void *)(buf + pad);
	p = (char *)(mem + g->nmembers + 1);
	memcpy(p, g->strings, g->strings_len);
	end = p + g->strings_len;
	if ((z = memchr(p, '\0', g->strings_len)) == NULL ||
	    (want_name != NULL && strcmp(p, want_name) != 0))
		return NTK_ERR_NOT_FOUND;
	gr->gr_name = p;
	s = z + 1;
	for (i = 0; i < g->nmembers; i++) {
		if (s >= end || (z = memchr(s, '\0', (size_t)(end - s))) == NULL)
			return NTK_ERR_NOT_FOUND;
		mem[i] = (char *)s;
		s = z + 1;
	}
	if (s != end)
		return NTK_ERR_NOT_FOUND;
	mem[g->nmembers] = NULL;
	memcpy(p + g->strings_len, group_passwd, sizeof(group_passwd));
	gr->gr_passwd = p + g->strings_len;
	gr->gr_gid = (gid_t)g->gid;
	gr->gr_mem = mem;
	return 0;
}

static int
group_common(const void *base, size_t size, bool by_gid, const char *name, uint32_t gid,
    int64_t now, struct group *gr, char *buf, size_t buflen)
{
	struct grec g;

	if (base == NULL || gr == NULL || (!by_gid && name == NULL))
		return NTK_ERR_NOT_FOUND;
	if (!find_group(base, size, by_gid, name, gid, &g) || g.expires <= now)
		return NTK_ERR_NOT_FOUND;
	return pack(&g, name, gr, buf, buflen);
}

int
ntk_map_group_by_name(const void *base, size_t size, const char *name, int64_t now,
    struct group *gr, char *buf, size_t buflen)
{
	return group_common(base, size, false, name, 0, now, gr, buf, buflen);
}

int
ntk_map_group_by_gid(const void *base, size_t size, uint32_t gid, int64_t now,
    struct group *gr, char *buf, size_t buflen)
{
	return group_common(base, size, true, NULL, gid, now, gr, buf, buflen);
}

/* An initgroups record, bounded: the gids and the name inside it. */
struct irec {
	int64_t expires;
	uint32_t ngids, name_len;
	const uint32_t *gids;
	const char *name;
};

static bool
irec_at(const unsigned char *b, size_t size, uint32_t off, struct irec *r, uint32_t *len)
{
	if (!rec_at(b, size, off, NTK_MAP_REC_INITGROUPS, NTK_MAP_INIT_FIXED, len))
		return false;
	r->expires = i64_at(b, off + 16);
	r->ngids = u32_at(b, off + 24);
	r->name_len = u32_at(b, off + 28);
	if (r->ngids > (*len - NTK_MAP_INIT_FIXED) / 4 || r->name_len == 0 ||
	    r->name_len > *len - NTK_MAP_INIT_FIXED - r->ngids * 4)
		return false;
	r->gids = (const uint32_t *)(const void *)(b + off + NTK_MAP_INIT_FIXED);
	r->name = (const char *)b + off + NTK_MAP_INIT_FIXED + (size_t)r->ngids * 4;
	return true;
}

int
ntk_map_initgroups(const void *base, size_t size, const char *user, int64_t now,
    const uint32_t **gids, size_t *ngids)
{
	const unsigned char *b = base;
	const struct ntk_map_hdr *h = base;
	uint32_t n, i, key, len, off;
	struct irec r;
	size_t klen;

	if (b == NULL || user == NULL || size < sizeof(struct ntk_map_hdr))
		return NTK_ERR_NOT_FOUND;
	key = ntk_map_key(user);
	klen = strlen(user) + 1;
	n = h->n_by_user;
	for (i = index_lower(b, size, h->off_by_user, &n, key); i < n; i++) {
		if (u32_at(b, h->off_by_user + (size_t)i * 8) != key)
			return NTK_ERR_NOT_FOUND;
		off = u32_at(b, h->off_by_user + (size_t)i * 8 + 4);
		if (!irec_at(b, size, off, &r, &len))
			return NTK_ERR_NOT_FOUND;
		if (r.name_len != klen || memcmp(user, r.name, klen) != 0)
			continue;
		if (r.expires <= now || !rec_sound(b, off, NTK_MAP_REC_INITGROUPS, len))
			return NTK_ERR_NOT_FOUND;
		*gids = r.gids;
		*ngids = r.ngids;
		return 0;
	}
	return NTK_ERR_NOT_FOUND;
}

/* One pass: see nss_ntk_map.h. */
long
ntk_map_add_gids(const uint32_t *g, size_t n, gid_t skip, long *start, long *size,
    gid_t **groupsp, long limit)
{
	long start0 = *start, s = *start, cap = *size, newsize, j, look = 0;
	gid_t *ng, *gl, gid, lo = (gid_t)-1, hi = 0, prev = 0;
	size_t i, fast;
	unsigned up;

	if (n > (size_t)(LONG_MAX / 2) - (size_t)start0)
		return NTK_ERR_NOMEM;
	if (start0 + (long)n > cap && !(limit > 0 && cap >= limit)) {
		newsize = start0 + (long)n;
		if (limit > 0 && newsize > limit)
			newsize = limit;
		if ((ng = realloc(*groupsp, (size_t)newsize * sizeof(gid_t))) == NULL)
			return NTK_ERR_NOMEM;
		*groupsp = ng;
		*size = cap = newsize;
	}
	gl = *groupsp;
	/* [lo, hi]: where a gid could be the caller's already, or `skip`. */
	for (j = 0; j < start0; j++) {
		lo = gl[j] < lo ? gl[j] : lo;
		hi = gl[j] > hi ? gl[j] : hi;
	}
	lo = skip < lo ? skip : lo;
	hi = skip > hi ? skip : hi;
	/*
	 * The usual case, one plain copy: what fits is ascending and lies wholly
	 * below or above [lo, hi]. (A branch-free pass the compiler can vectorise.)
	 */
	fast = n < (size_t)(cap - s) ? n : (size_t)(cap - s);
	for (i = 1, up = 1; i < fast; i++)
		up &= g[i] > g[i - 1];
	i = 0;
	if (fast > 0 && up && (g[0] > hi || g[fast - 1] < lo)) {
		memcpy(gl + s, g, fast * sizeof(*g));
		s += (long)fast;
		i = fast;
		prev = (gid_t)g[fast - 1];
	}
	for (; i < n && s < cap; i++) {
		gid = (gid_t)g[i];
		if (gid == skip)
			continue;
		/* Not ascending: from here on, compare with everything. */
		if (i > 0 && gid <= prev)
			look = -1;
		prev = gid;
		if (look < 0) {
			for (j = 0; j < s && gl[j] != gid; j++)
				;
			if (j < s)
				continue;
		} else if (gid >= lo && gid <= hi) {
			for (j = 0; j < start0 && gl[j] != gid; j++)
				;
			if (j < start0)
				continue;
		}
		gl[s++] = gid;
	}
	*start = s;
	return s - start0;
}
