/* The NSS map's file image: sorted indexes and 8-aligned records, checksummed; pure, for ntkd and the tests. */
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

static int
cmp_group_name(const void *a, const void *b)
{
	return strcmp((*(const struct ntkd_map_group *const *)a)->name,
	    (*(const struct ntkd_map_group *const *)b)->name);
}

static int
cmp_group_gid(const void *a, const void *b)
{
	uint32_t x = (*(const struct ntkd_map_group *const *)a)->gid;
	uint32_t y = (*(const struct ntkd_map_group *const *)b)->gid;

	return x < y ? -1 : x > y;
}

static int
cmp_init_user(const void *a, const void *b)
{
	return strcmp((*(const struct ntkd_map_init *const *)a)->user,
	    (*(const struct ntkd_map_init *const *)b)->user);
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

/* One group record at `off`; returns its length. */
static size_t
write_group(unsigned char *b, size_t off, const struct ntkd_map_group *g)
{
	size_t slen = group_len(g), len = align8(NTK_MAP_GROUP_FIXED + slen), p, i, l;

	put32(b, off, NTK_MAP_REC_GROUP);
	put32(b, off + 4, (uint32_t)len);
	put64(b, off + 8, g->expires);
	put32(b, off + 16, g->gid);
	put32(b, off + 20, (uint32_t)g->nmembers);
	put32(b, off + 24, (uint32_t)slen);
	p = off + NTK_MAP_GROUP_FIXED;
	l = strlen(g->name) + 1;
	memcpy(b + p, g->name, l);
	p += l;
	for (i = 0; i < g->nmembers; i++) {
		l = strlen(g->members[i]) + 1;
		memcpy(b + p, g->members[i], l);
		p += l;
	}
	return len;
}

static size_t
write_init(unsigned char *b, size_t off, const struct ntkd_map_init *in)
{
	size_t nl = strlen(in->user) + 1;
	size_t len = align8(NTK_MAP_INIT_FIXED + in->ngids * 4 + nl);

	put32(b, off, NTK_MAP_REC_INITGROUPS);
	put32(b, off + 4, (uint32_t)len);
	put64(b, off + 8, in->expires);
	put32(b, off + 16, (uint32_t)in->ngids);
	put32(b, off + 20, (uint32_t)nl);
	if (in->ngids > 0)
		memcpy(b + off + NTK_MAP_INIT_FIXED, in->gids, in->ngids * 4);
	memcpy(b + off + NTK_MAP_INIT_FIXED + in->ngids * 4, in->user, nl);
	return len;
}

int
ntkd_nss_map_build(const struct ntkd_map_group *const *groups, size_t ngroups,
    const struct ntkd_map_init *const *inits, size_t ninits, uint32_t view_uid,
    int64_t created, unsigned char **out, size_t *outlen)
{
	const struct ntkd_map_group **by_name = NULL, **by_gid = NULL;
	const struct ntkd_map_init **by_user = NULL;
	struct ntk_map_hdr h;
	unsigned char *b = NULL;
	size_t size, off, i, j, *goff = NULL;
	int rc = NTK_ERR_NOMEM;

	*out = NULL;
	*outlen = 0;
	if ((by_name = calloc(ngroups + 1, sizeof(*by_name))) == NULL ||
	    (by_gid = calloc(ngroups + 1, sizeof(*by_gid))) == NULL ||
	    (goff = calloc(ngroups + 1, sizeof(*goff))) == NULL ||
	    (by_user = calloc(ninits + 1, sizeof(*by_user))) == NULL)
		goto out;
	if (ngroups > 0) {
		memcpy(by_name, groups, ngroups * sizeof(*by_name));
		qsort(by_name, ngroups, sizeof(*by_name), cmp_group_name);
	}
	if (ninits > 0) {
		memcpy(by_user, inits, ninits * sizeof(*by_user));
		qsort(by_user, ninits, sizeof(*by_user), cmp_init_user);
	}
	/* Sizes first: header, three indexes, then the records. */
	size = align8(sizeof(h) + (2 * ngroups + ninits) * 4);
	for (i = 0; i < ngroups; i++)
		size += align8(NTK_MAP_GROUP_FIXED + group_len(by_name[i]));
	for (i = 0; i < ninits; i++)
		size += align8(NTK_MAP_INIT_FIXED + by_user[i]->ngids * 4 + strlen(by_user[i]->user) + 1);
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
	h.off_by_gid = (uint32_t)(sizeof(h) + ngroups * 4);
	h.n_by_gid = (uint32_t)ngroups;
	h.off_by_user = (uint32_t)(sizeof(h) + 2 * ngroups * 4);
	h.n_by_user = (uint32_t)ninits;
	off = align8(sizeof(h) + (2 * ngroups + ninits) * 4);
	for (i = 0; i < ngroups; i++) {
		goff[i] = off;
		put32(b, h.off_by_name + i * 4, (uint32_t)off);
		off += write_group(b, off, by_name[i]);
	}
	for (i = 0; i < ninits; i++) {
		put32(b, h.off_by_user + i * 4, (uint32_t)off);
		off += write_init(b, off, by_user[i]);
	}
	/* The gid index points at the same records: sort (name position) pairs by gid. */
	for (i = 0; i < ngroups; i++)
		by_gid[i] = by_name[i];
	if (ngroups > 0)
		qsort(by_gid, ngroups, sizeof(*by_gid), cmp_group_gid);
	for (i = 0; i < ngroups; i++) {
		/* by_name is sorted: find the record of by_gid[i] by its name. */
		const struct ntkd_map_group **hit = bsearch(&by_gid[i], by_name, ngroups,
		    sizeof(*by_name), cmp_group_name);

		j = (size_t)(hit - by_name);
		put32(b, h.off_by_gid + i * 4, (uint32_t)goff[j]);
	}
	h.checksum = ntk_map_checksum(b + sizeof(h), size - sizeof(h));
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
	free(goff);
	return rc;
}
