/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copying ntkd's answers into the caller's buffers the way the NSS contract wants them. */
#include "config.h"

#include <grp.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ntk_err.h"
#include "nss_ntk.h"

/* The group password field: no password, as sssd and nslcd report it. */
static const char group_passwd[] = "*";

/* Bytes needed once the buffer is aligned for the pointer array. */
static size_t
needed(const struct ntk_group *g)
{
	size_t n, i;

	n = (g->nmembers + 1) * sizeof(char *);
	n += strlen(g->name) + 1 + sizeof(group_passwd);
	for (i = 0; i < g->nmembers; i++)
		n += strlen(g->members[i]) + 1;
	return n;
}

size_t
ntk_nss_group_size(const struct ntk_group *g)
{
	/* Worst case: the caller's buffer is misaligned by alignof - 1. */
	return needed(g) + alignof(char *) - 1;
}

int
ntk_nss_pack_group(const struct ntk_group *g, struct group *gr, char *buf, size_t buflen)
{
	size_t pad, i, len;
	char **mem;
	char *p;

	if (g == NULL || g->name == NULL || gr == NULL || (buf == NULL && buflen > 0))
		return NTK_ERR_INTERNAL;
	pad = (alignof(char *) - ((uintptr_t)buf % alignof(char *))) % alignof(char *);
	if (buflen < pad || buflen - pad < needed(g))
		return NTK_ERR_TOO_LONG;

	mem = (char **)(void *)(buf + pad);
	p = (char *)(mem + g->nmembers + 1);
	for (i = 0; i < g->nmembers; i++) {
		len = strlen(g->members[i]) + 1;
		memcpy(p, g->members[i], len);
		mem[i] = p;
		p += len;
	}
	mem[g->nmembers] = NULL;
	len = strlen(g->name) + 1;
	memcpy(p, g->name, len);
	gr->gr_name = p;
	p += len;
	memcpy(p, group_passwd, sizeof(group_passwd));
	gr->gr_passwd = p;
	gr->gr_gid = (gid_t)g->gid;
	gr->gr_mem = mem;
	return 0;
}

long
ntk_nss_add_gids(const struct ntk_gid_list *l, gid_t skip, long *start, long *size,
    gid_t **groupsp, long limit)
{
	long added = 0, j, newsize;
	gid_t *ng, gid;
	size_t i;

	for (i = 0; i < l->ngids; i++) {
		gid = (gid_t)l->gids[i];
		if (gid == skip)
			continue;
		for (j = 0; j < *start; j++)
			if ((*groupsp)[j] == gid)
				break;
		if (j < *start)
			continue;
		if (*start >= *size) {
			/* Full: stop at the caller's limit, otherwise double. */
			if (limit > 0 && *size >= limit)
				break;
			newsize = *size > 0 ? 2 * *size : 16;
			if (limit > 0 && newsize > limit)
				newsize = limit;
			ng = realloc(*groupsp, (size_t)newsize * sizeof(gid_t));
			if (ng == NULL)
				return NTK_ERR_NOMEM;
			*groupsp = ng;
			*size = newsize;
		}
		(*groupsp)[(*start)++] = gid;
		added++;
	}
	return added;
}
