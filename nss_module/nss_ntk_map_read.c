/* Reading the NSS map: header checks and record look-ups, every offset and length bounded by the file size. */
#include "config.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "ntk_err.h"
#include "nss_ntk_map.h"

static const char group_passwd[] = "*";

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

/* An index array [off, off + 4n) lies inside the file, after the header. */
static bool
index_fits(const struct ntk_map_hdr *h, size_t size, uint32_t off, uint32_t n)
{
	return off % 4 == 0 && off >= sizeof(*h) && off <= size && n <= (size - off) / 4;
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
	if (ntk_map_checksum((const unsigned char *)base + sizeof(h), size - sizeof(h)) != h.checksum)
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

/* A group record, its strings checked: name and members all end inside it. */
struct grec {
	int64_t expires;
	uint32_t gid, nmembers, strings_len;
	const char *strings;            /* name\0 member\0 ... */
};

static bool
grec_at(const unsigned char *b, size_t size, uint32_t off, struct grec *g)
{
	const char *p, *end, *z;
	uint32_t len, i;

	if (off % 8 != 0 || off < sizeof(struct ntk_map_hdr) || off > size ||
	    size - off < NTK_MAP_GROUP_FIXED)
		return false;
	len = u32_at(b, off + 4);
	g->expires = i64_at(b, off + 8);
	g->gid = u32_at(b, off + 16);
	g->nmembers = u32_at(b, off + 20);
	g->strings_len = u32_at(b, off + 24);
	if (u32_at(b, off) != NTK_MAP_REC_GROUP || len > size - off ||
	    len < NTK_MAP_GROUP_FIXED || g->strings_len > len - NTK_MAP_GROUP_FIXED ||
	    g->strings_len == 0 || g->nmembers >= g->strings_len)
		return false;
	p = g->strings = (const char *)b + off + NTK_MAP_GROUP_FIXED;
	end = p + g->strings_len;
	/* Exactly 1 + nmembers strings, the last ending at the region's end. */
	for (i = 0; i <= g->nmembers; i++) {
		if ((z = memchr(p, '\0', (size_t)(end - p))) == NULL)
			return false;
		p = z + 1;
	}
	return p == end;
}

/* An initgroups record, bounded the same way. */
struct irec {
	int64_t expires;
	uint32_t ngids;
	const uint32_t *gids;
	const char *name;
};

static bool
irec_at(const unsigned char *b, size_t size, uint32_t off, struct irec *r)
{
	uint32_t len, name_len;
	size_t need;

	if (off % 8 != 0 || off < sizeof(struct ntk_map_hdr) || off > size ||
	    size - off < NTK_MAP_INIT_FIXED)
		return false;
	len = u32_at(b, off + 4);
	r->expires = i64_at(b, off + 8);
	r->ngids = u32_at(b, off + 16);
	name_len = u32_at(b, off + 20);
	if (u32_at(b, off) != NTK_MAP_REC_INITGROUPS || len > size - off || name_len == 0 ||
	    r->ngids > (len / 4))
		return false;
	need = (size_t)NTK_MAP_INIT_FIXED + (size_t)r->ngids * 4 + name_len;
	if (need > len)
		return false;
	r->gids = (const uint32_t *)(const void *)(b + off + NTK_MAP_INIT_FIXED);
	r->name = (const char *)b + off + NTK_MAP_INIT_FIXED + (size_t)r->ngids * 4;
	/* The name is exactly name_len bytes with its \0 last. */
	return memchr(r->name, '\0', name_len) == r->name + name_len - 1;
}

static const struct ntk_map_hdr *
hdr(const void *base)
{
	return base;
}

/* Binary search of a group index; a malformed record on the way ends it. */
static bool
find_group(const unsigned char *b, size_t size, bool by_gid, const char *name, uint32_t gid,
    struct grec *out)
{
	uint32_t off_idx = by_gid ? hdr(b)->off_by_gid : hdr(b)->off_by_name;
	uint32_t lo = 0, hi = by_gid ? hdr(b)->n_by_gid : hdr(b)->n_by_name, mid;
	int c;

	/* ntk_map_check passed at open; checked again so no path depends on that alone. */
	if (size < sizeof(struct ntk_map_hdr) || !index_fits(hdr(b), size, off_idx, hi))
		return false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (!grec_at(b, size, u32_at(b, off_idx + (size_t)mid * 4), out))
			return false;
		if (by_gid)
			c = gid < out->gid ? -1 : gid > out->gid;
		else
			c = strcmp(name, out->strings);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static int
pack(const struct grec *g, struct group *gr, char *buf, size_t buflen)
{
	size_t pad, need, i;
	const char *s;
	char **mem;
	char *p;

	pad = (alignof(char *) - ((uintptr_t)buf % alignof(char *))) % alignof(char *);
	need = ((size_t)g->nmembers + 1) * sizeof(char *) + g->strings_len + sizeof(group_passwd);
	if (buf == NULL || buflen < pad || buflen - pad < need)
		return NTK_ERR_TOO_LONG;
	mem = (char **)(void *)(buf + pad);
	p = (char *)(mem + g->nmembers + 1);
	/* One copy of the whole string region, then pointers into the copy. */
	memcpy(p, g->strings, g->strings_len);
	gr->gr_name = p;
	s = p + strlen(p) + 1;
	for (i = 0; i < g->nmembers; i++) {
		mem[i] = (char *)s;
		s += strlen(s) + 1;
	}
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
	return pack(&g, gr, buf, buflen);
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

int
ntk_map_initgroups(const void *base, size_t size, const char *user, int64_t now,
    const uint32_t **gids, size_t *ngids)
{
	const unsigned char *b = base;
	uint32_t lo = 0, hi, mid, off_idx;
	struct irec r;
	int c;

	if (b == NULL || user == NULL || size < sizeof(struct ntk_map_hdr))
		return NTK_ERR_NOT_FOUND;
	off_idx = hdr(b)->off_by_user;
	hi = hdr(b)->n_by_user;
	if (!index_fits(hdr(b), size, off_idx, hi))
		return NTK_ERR_NOT_FOUND;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (!irec_at(b, size, u32_at(b, off_idx + (size_t)mid * 4), &r))
			return NTK_ERR_NOT_FOUND;
		if ((c = strcmp(user, r.name)) == 0) {
			if (r.expires <= now)
				return NTK_ERR_NOT_FOUND;
			*gids = r.gids;
			*ngids = r.ngids;
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NTK_ERR_NOT_FOUND;
}
