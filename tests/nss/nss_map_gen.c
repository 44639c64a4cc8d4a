/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes an NSS map file like ntkd's for the bench's instruction counts: benchw, its groups, and filler. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nss_map.h"
#include "nss_ntk_map.h"
#include "ntk_err.h"

/*
 * Usage: nss_map_gen OUT VIEW_UID NCASES NFILL
 *   benchw with the system group 190000, the role group 191000 and NCASES
 *   case groups ntk-case-3000.. (gids 203000..), each with benchw as member;
 *   ntk-case-1001 (alice, carol, dave, grace); NFILL more users (fillN, 20
 *   case gids each) and case groups (ntk-case-5000.., 20 members each), so
 *   a look-up searches a map of realistic size. VIEW_UID: a number, or
 *   "full". Records expire in an hour. The file is written mode 0644.
 */

#define FILL_GIDS 20

static char *fill_members[FILL_GIDS];

int
main(int argc, char **argv)
{
	struct ntkd_map_group *g = NULL, **gp = NULL;
	struct ntkd_map_init *in = NULL, **ip = NULL;
	static char *m1001[] = { "alice", "carol", "dave", "grace" };
	static char *mbench[] = { "benchw" };
	uint32_t *gids = NULL, *fgids = NULL, view;
	char **names = NULL, path[4096];
	unsigned char *img = NULL;
	size_t len, ng, ni, i, j, ncases, nfill;
	int64_t exp = (int64_t)time(NULL) + 3600;
	int fd, rc = 1;

	if (argc != 5)
		return 2;
	view = strcmp(argv[2], "full") == 0 ? NTK_MAP_FULL : (uint32_t)strtoul(argv[2], NULL, 10);
	ncases = strtoul(argv[3], NULL, 10);
	nfill = strtoul(argv[4], NULL, 10);
	if (ncases > 100000 || nfill > 100000)
		return 2;
	ng = 3 + ncases + nfill;
	ni = 1 + nfill;
	g = calloc(ng, sizeof(*g));
	gp = calloc(ng, sizeof(*gp));
	in = calloc(ni, sizeof(*in));
	ip = calloc(ni, sizeof(*ip));
	names = calloc(ng + ni, sizeof(*names));
	gids = calloc(ncases + 2, sizeof(*gids));
	fgids = calloc(FILL_GIDS * (nfill + 1), sizeof(*fgids));
	if (g == NULL || gp == NULL || in == NULL || ip == NULL || names == NULL || gids == NULL ||
	    fgids == NULL)
		goto out;
	for (i = 0; i < FILL_GIDS; i++)
		if (asprintf(&fill_members[i], "fill%zu", i) < 0)
			goto out;
	g[0] = (struct ntkd_map_group){ "ntk-sys-FACTS", 190000, mbench, 1, exp };
	g[1] = (struct ntkd_map_group){ "ntk-role-social_worker", 191000, mbench, 1, exp };
	g[2] = (struct ntkd_map_group){ "ntk-case-1001", 201001, m1001, 4, exp };
	gids[0] = 190000;
	gids[1] = 191000;
	for (i = 0; i < ncases; i++) {
		if (asprintf(&names[i], "ntk-case-%zu", 3000 + i) < 0)
			goto out;
		g[3 + i] = (struct ntkd_map_group){ names[i], (uint32_t)(203000 + i), mbench, 1, exp };
		gids[2 + i] = (uint32_t)(203000 + i);
	}
	in[0] = (struct ntkd_map_init){ "benchw", gids, ncases + 2, exp };
	for (i = 0; i < nfill; i++) {
		if (asprintf(&names[ncases + i], "ntk-case-%zu", 5000 + i) < 0 ||
		    asprintf(&names[ncases + nfill + i], "fill%zu", i) < 0)
			goto out;
		g[3 + ncases + i] = (struct ntkd_map_group){ names[ncases + i], (uint32_t)(205000 + i),
			fill_members, FILL_GIDS, exp };
		for (j = 0; j < FILL_GIDS; j++)
			fgids[i * FILL_GIDS + j] = (uint32_t)(205000 + (i * 7 + j) % (nfill + 1));
		in[1 + i] = (struct ntkd_map_init){ names[ncases + nfill + i], fgids + i * FILL_GIDS,
			FILL_GIDS, exp };
	}
	for (i = 0; i < ng; i++)
		gp[i] = &g[i];
	for (i = 0; i < ni; i++)
		ip[i] = &in[i];
	if (ntkd_nss_map_build((const struct ntkd_map_group *const *)gp, ng,
	    (const struct ntkd_map_init *const *)ip, ni, view, (int64_t)time(NULL), &img, &len) != 0)
		goto out;
	if (snprintf(path, sizeof(path), "%s.tmp", argv[1]) >= (int)sizeof(path) ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		goto out;
	if (write(fd, img, len) != (ssize_t)len || close(fd) != 0 || rename(path, argv[1]) != 0)
		goto out;
	rc = 0;
 out:
	if (rc != 0)
		fprintf(stderr, "nss_map_gen: could not write %s\n", argv[1]);
	for (i = 0; names != NULL && i < ng + ni; i++)
		free(names[i]);
	for (i = 0; i < FILL_GIDS; i++)
		free(fill_members[i]);
	free(img);
	free(g);
	free(gp);
	free(in);
	free(ip);
	free(names);
	free(gids);
	free(fgids);
	return rc;
}
