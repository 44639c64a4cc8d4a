/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map's file image: sorted key indexes and 8-aligned records, each checksummed; pure, for ntkd and the tests. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "nss_map.h"
#include "nss_ntk_map.h"

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static size_t
group_len(const struct ntkd_map_group *g)
{
	size_t n = strlen(g->name) + 1, i;

	for (i = 0; i < g->nmembers; i++)
		n += strlen(g->members[i]) + 1;
	return n;
}

static void
put32(unsigned char *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void
put64(unsigned char *b, size_t off, int64_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

/* The record's checksum, once its bytes are all written (padding included: calloc'd zeros). */
static void
seal(unsigned char *b, size_t off, uint32_t kind, size_t len)
{
	uint64_t check = ntk_map_rec_check(b + off, kind, (uint32_t)len);

	memcpy(b + off + 8, &check, sizeof(check));
}

/* One group record at `off`; returns its length. */
static size_t
write_group(unsigned char *b, size_t off, const struct ntkd_map_group *g)
{
	size_t slen = group_len(g), len = align8(NTK_MAP_GROUP_FIXED + slen), p, i, l;

	put32(b, off, NTK_MAP_REC_GROUP);
	put32(b, off + 4, (uint32_t)len);
	put64(b, off + 16, g->expires);
	put32(b, off + 24, g->gid);
	put32(b, off + 28, (uint32_t)g->nmembers);
	put32(b, off + 32, (uint32_t)slen);
	p = off + NTK_MAP_GROUP_FIXED;
	l = strlen(g->name) + 1;
	memcpy(b + p, g->name, l);
	p += l;
	for (i = 0; i < g->nmembers; i++) {
		l = strlen(g->members[i]) + 1;
		memcpy(b + p, g->members[i], l);
		p += l;
	}
	seal(b, off, NTK_MAP_REC_GROUP, len);
	return len;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The gids ascending and each once, as the reader requires; returns how many. */
static size_t
write_gids(unsigned char *b, size_t off, const struct ntkd_map_init *in)
{
	uint32_t *g = (uint32_t *)(void *)(b + off);
	size_t i, n = 0;

	if (in->ngids == 0)
		return 0;
	memcpy(g, in->gids, in->ngids * 4);
	qsort(g, in->ngids, 4, cmp_u32);
	for (i = 0; i < in->ngids; i++)
		if (n == 0 || g[n - 1] != g[i])
			g[n++] = g[i];
	return n;
}

static size_t
write_init(unsigned char *b, size_t off, const struct ntkd_map_init *in)
{
	size_t nl = strlen(in->user) + 1;
	size_t len = align8(NTK_MAP_INIT_FIXED + in->ngids * 4 + nl), n;

	put32(b, off, NTK_MAP_REC_INITGROUPS);
	put32(b, off + 4, (uint32_t)len);
	put64(b, off + 16, in->expires);
	n = write_gids(b, off + NTK_MAP_INIT_FIXED, in);
	put32(b, off + 24, (uint32_t)n);
	put32(b, off + 28, (uint32_t)nl);
	memcpy(b + off + NTK_MAP_INIT_FIXED + n * 4, in->user, nl);
	/* Duplicates dropped: the name moved up; clear what it leaves behind (covered by the checksum). */
	memset(b + off + NTK_MAP_INIT_FIXED + n * 4 + nl, 0, len - NTK_MAP_INIT_FIXED - n * 4 - nl);
	seal(b, off, NTK_MAP_REC_INITGROUPS, len);
	return len;
}

static int
cmp_ent(const void *a, const void *b)
{
	const struct ntk_map_ent *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* An index of n entries at `at`, sorted by key. */
static void
write_index(unsigned char *b, size_t at, struct ntk_map_ent *e, size_t n)
{
	if (n > 0) {
		qsort(e, n, sizeof(*e), cmp_ent);
		memcpy(b + at, e, n * sizeof(*e));
	}
}

int
ntkd_nss_map_build(const struct ntkd_map_group *const *groups, size_t ngroups,
    const struct ntkd_map_init *const *inits, size_t ninits, uint32_t view_uid,
    int64_t created, unsigned char **out, size_t *outlen)
{
	struct ntk_map_ent *by_name = NULL, *by_gid = NULL, *by_user = NULL;
	struct ntk_map_hdr h;
	unsigned char *b = NULL;
	size_t size, off, i;
	int rc = NTK_ERR_NOMEM;

	*out = NULL;
	*outlen = 0;
	if ((by_name = calloc(ngroups + 1, sizeof(*by_name))) == NULL ||
	    (by_gid = calloc(ngroups + 1, sizeof(*by_gid))) == NULL ||
	    (by_user = calloc(ninits + 1, sizeof(*by_user))) == NULL)
		goto out;
	/* Sizes first: header, three indexes, then the records. */
	size = align8(sizeof(h) + (2 * ngroups + ninits) * sizeof(struct ntk_map_ent));
	for (i = 0; i < ngroups; i++)
		size += align8(NTK_MAP_GROUP_FIXED + group_len(groups[i]));
	for (i = 0; i < ninits; i++)
		size += align8(NTK_MAP_INIT_FIXED + inits[i]->ngids * 4 + strlen(inits[i]->user) + 1);
	if (size > NTK_MAP_MAX_SIZE) {
		rc = NTK_ERR_TOO_LONG;
		goto out;
	}
	if ((b = calloc(1, size)) == NULL)
		goto out;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, NTK_MAP_MAGIC, sizeof(h.magic));
	h.version = NTK_MAP_VERSION;
	h.hdr_size = sizeof(h);
	h.size = size;
	h.view_uid = view_uid;
	h.created = created;
	h.off_by_name = sizeof(h);
	h.n_by_name = (uint32_t)ngroups;
	h.off_by_gid = (uint32_t)(sizeof(h) + ngroups * sizeof(struct ntk_map_ent));
	h.n_by_gid = (uint32_t)ngroups;
	h.off_by_user = (uint32_t)(sizeof(h) + 2 * ngroups * sizeof(struct ntk_map_ent));
	h.n_by_user = (uint32_t)ninits;
	off = align8(sizeof(h) + (2 * ngroups + ninits) * sizeof(struct ntk_map_ent));
	for (i = 0; i < ngroups; i++) {
		by_name[i] = (struct ntk_map_ent){ ntk_map_key(groups[i]->name), (uint32_t)off };
		by_gid[i] = (struct ntk_map_ent){ groups[i]->gid, (uint32_t)off };
		off += write_group(b, off, groups[i]);
	}
	for (i = 0; i < ninits; i++) {
		by_user[i] = (struct ntk_map_ent){ ntk_map_key(inits[i]->user), (uint32_t)off };
		off += write_init(b, off, inits[i]);
	}
	write_index(b, h.off_by_name, by_name, ngroups);
	write_index(b, h.off_by_gid, by_gid, ngroups);
	write_index(b, h.off_by_user, by_user, ninits);
	memcpy(b, &h, sizeof(h));
	*out = b;
	*outlen = size;
	b = NULL;
	rc = 0;
 out:
	free(b);
	free(by_name);
	free(by_gid);
	free(by_user);
	return rc;
}
