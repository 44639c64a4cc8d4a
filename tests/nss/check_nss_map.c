/* The NSS map format: what ntkd writes reads back; damaged, truncated and randomly mutated maps never crash the reader. */
#include "config.h"

#include <check.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nss_map.h"
#include "nss_ntk_map.h"
#include "ntk_err.h"

#define NOW 1000000
#define FUZZ_ROUNDS 20000

static char *m1001[] = { "alice", "carol", "dave", "grace" };
static char *m1004[] = { NULL };
static uint32_t gids_alice[] = { 190000, 191000, 201001, 201002 };
static uint32_t gids_bob[] = { 190000, 191000, 201003 };

static const struct ntkd_map_group g1001 = { "ntk-case-1001", 201001, m1001, 4, NOW + 60 };
static const struct ntkd_map_group g1004 = { "ntk-case-1004", 201004, m1004, 0, NOW + 60 };
static const struct ntkd_map_group gsys = { "ntk-sys-FACTS", 190000, m1001, 2, NOW - 1 };
static const struct ntkd_map_init ialice = { "alice", gids_alice, 4, NOW + 60 };
static const struct ntkd_map_init ibob = { "bob", gids_bob, 3, NOW };

static unsigned char *
sample(size_t *len)
{
	const struct ntkd_map_group *g[] = { &g1004, &gsys, &g1001 };
	const struct ntkd_map_init *in[] = { &ibob, &ialice };
	unsigned char *img;

	ck_assert_int_eq(ntkd_nss_map_build(g, 3, in, 2, NTK_MAP_FULL, NOW, &img, len), 0);
	return img;
}

/* Re-seal a modified image so the structural checks, not the checksum, are what is tested. */
static void
reseal(unsigned char *img, size_t len)
{
	struct ntk_map_hdr h;

	if (len < sizeof(h))
		return;
	memcpy(&h, img, sizeof(h));
	h.checksum = ntk_map_checksum(img + sizeof(h), len - sizeof(h));
	memcpy(img, &h, sizeof(h));
}

START_TEST(roundtrip)
{
	struct group gr;
	char buf[512];
	const uint32_t *gids;
	size_t len, n;
	unsigned char *img = sample(&len);

	ck_assert_int_eq(ntk_map_check(img, len), 0);
	ck_assert(!ntk_map_retired(img));
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1001", NOW, &gr, buf, sizeof(buf)), 0);
	ck_assert_str_eq(gr.gr_name, "ntk-case-1001");
	ck_assert_str_eq(gr.gr_passwd, "*");
	ck_assert_int_eq(gr.gr_gid, 201001);
	ck_assert_str_eq(gr.gr_mem[0], "alice");
	ck_assert_str_eq(gr.gr_mem[3], "grace");
	ck_assert_ptr_null(gr.gr_mem[4]);
	ck_assert_int_eq(ntk_map_group_by_gid(img, len, 201004, NOW, &gr, buf, sizeof(buf)), 0);
	ck_assert_str_eq(gr.gr_name, "ntk-case-1004");
	ck_assert_ptr_null(gr.gr_mem[0]);
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1002", NOW, &gr, buf, sizeof(buf)),
	    NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntk_map_group_by_gid(img, len, 201002, NOW, &gr, buf, sizeof(buf)),
	    NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntk_map_initgroups(img, len, "alice", NOW, &gids, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(gids[3], 201002);
	ck_assert_int_eq(ntk_map_initgroups(img, len, "carol", NOW, &gids, &n), NTK_ERR_NOT_FOUND);
	free(img);
}
END_TEST

START_TEST(expired_and_small_buffer)
{
	struct group gr;
	char buf[512];
	const uint32_t *gids;
	size_t len, n;
	unsigned char *img = sample(&len);

	/* Expired records are misses: expires <= now. */
	ck_assert_int_eq(ntk_map_group_by_gid(img, len, 190000, NOW, &gr, buf, sizeof(buf)),
	    NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntk_map_initgroups(img, len, "bob", NOW, &gids, &n), NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntk_map_initgroups(img, len, "bob", NOW - 1, &gids, &n), 0);
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1001", NOW + 60, &gr, buf,
	    sizeof(buf)), NTK_ERR_NOT_FOUND);
	/* ERANGE: too small a buffer, whatever its alignment. */
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1001", NOW, &gr, buf + 1, 40),
	    NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1001", NOW, &gr, NULL, 0),
	    NTK_ERR_TOO_LONG);
	free(img);
}
END_TEST

START_TEST(retired_flag)
{
	size_t len;
	unsigned char *img = sample(&len);
	uint32_t one = 1;

	memcpy(img + offsetof(struct ntk_map_hdr, retired), &one, sizeof(one));
	ck_assert(ntk_map_retired(img));
	/* The flag is outside the checksum: a retired map is still well-formed. */
	ck_assert_int_eq(ntk_map_check(img, len), 0);
	free(img);
}
END_TEST

START_TEST(damaged_refused)
{
	size_t len, cut;
	unsigned char *img = sample(&len), *part;

	/* Every truncation, each in a buffer of exactly that size (ASan sees any overread). */
	for (cut = 0; cut < len; cut++) {
		part = malloc(cut + 1);
		memcpy(part, img, cut);
		ck_assert_int_eq(ntk_map_check(part, cut), NTK_ERR_BAD_VALUE);
		free(part);
	}
	/* One flipped bit anywhere in the body: the checksum. */
	img[len - 9] ^= 0x10;
	ck_assert_int_eq(ntk_map_check(img, len), NTK_ERR_BAD_VALUE);
	img[len - 9] ^= 0x10;
	/* Wrong magic, version, size. */
	img[0] ^= 1;
	ck_assert_int_eq(ntk_map_check(img, len), NTK_ERR_BAD_VALUE);
	img[0] ^= 1;
	img[8] ^= 1;
	ck_assert_int_eq(ntk_map_check(img, len), NTK_ERR_BAD_VALUE);
	img[8] ^= 1;
	ck_assert_int_eq(ntk_map_check(img, len - 8), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_map_check(NULL, len), NTK_ERR_BAD_VALUE);
	free(img);
}
END_TEST

/* Every look-up on a map that passed ntk_map_check; results may be anything but a crash. */
static void
probe_all(const unsigned char *img, size_t len)
{
	static const char *names[] = { "ntk-case-1001", "ntk-case-1004", "ntk-sys-FACTS", "",
		"zzzz", "ntk-case-1" };
	static const char *users[] = { "alice", "bob", "", "carol", "zzz" };
	static const uint32_t gids[] = { 201001, 201004, 190000, 0, 0xffffffffu };
	struct group gr;
	char buf[256];
	const uint32_t *gl;
	size_t i, n, k;
	volatile uint32_t sink = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ntk_map_group_by_name(img, len, names[i], NOW, &gr, buf, sizeof(buf)) == 0)
			for (k = 0; gr.gr_mem[k] != NULL; k++)
				sink += (uint32_t)strlen(gr.gr_mem[k]);
	for (i = 0; i < sizeof(gids) / sizeof(gids[0]); i++)
		if (ntk_map_group_by_gid(img, len, gids[i], NOW, &gr, buf, sizeof(buf)) == 0)
			sink += (uint32_t)strlen(gr.gr_name);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (ntk_map_initgroups(img, len, users[i], NOW, &gl, &n) == 0)
			for (k = 0; k < n; k++)
				sink += gl[k];
	(void)sink;
}

/*
 * Random mutation fuzzing, bounded and seeded (the seed is printed so a
 * failure can be replayed with NTK_FUZZ_SEED): a few random bytes or words
 * set to edge values, re-sealed, sometimes truncated, each image in a
 * buffer of exactly its size.
 */
START_TEST(fuzz_reader)
{
	static const uint32_t edges[] = { 0, 1, 7, 8, 0x7fffffffu, 0x80000000u, 0xffffffffu,
		0xfffffff8u, 24, 28, 64, 65 };
	const char *env = getenv("NTK_FUZZ_SEED");
	unsigned seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) : 16u;
	size_t len, mlen, i, k, nmut, pos, accepted = 0;
	unsigned char *img = sample(&len), *mut;
	uint32_t v;

	srand(seed);
	fprintf(stderr, "fuzz_reader: seed %u, %d rounds\n", seed, FUZZ_ROUNDS);
	for (i = 0; i < FUZZ_ROUNDS; i++) {
		mlen = (rand() % 8 == 0) ? (size_t)rand() % (len + 1) : len;
		mut = malloc(mlen + 1);
		memcpy(mut, img, mlen);
		nmut = 1 + (size_t)rand() % 4;
		for (k = 0; k < nmut && mlen >= 4; k++) {
			pos = (size_t)rand() % (mlen - 3);
			if (rand() % 2) {
				mut[pos] = (unsigned char)rand();
			} else {
				v = edges[(size_t)rand() % (sizeof(edges) / sizeof(edges[0]))];
				pos &= ~(size_t)3;
				memcpy(mut + pos, &v, sizeof(v));
			}
		}
		if (rand() % 8 != 0)
			reseal(mut, mlen);
		/* The header's own size field follows truncation half the time, so deeper checks run. */
		if (mlen >= sizeof(struct ntk_map_hdr) && mlen != len && rand() % 2) {
			uint64_t s = mlen;

			memcpy(mut + offsetof(struct ntk_map_hdr, size), &s, sizeof(s));
			reseal(mut, mlen);
		}
		if (ntk_map_check(mut, mlen) == 0) {
			accepted++;
			probe_all(mut, mlen);
		}
		free(mut);
	}
	fprintf(stderr, "fuzz_reader: %zu of %d mutated maps passed the header check and were probed\n",
	    accepted, FUZZ_ROUNDS);
	/* Otherwise the fuzz only ever tested the header check. */
	ck_assert_uint_gt(accepted, FUZZ_ROUNDS / 10);
	free(img);
}
END_TEST

START_TEST(build_empty)
{
	struct group gr;
	char buf[64];
	size_t len;
	unsigned char *img;

	ck_assert_int_eq(ntkd_nss_map_build(NULL, 0, NULL, 0, 1001, NOW, &img, &len), 0);
	ck_assert_int_eq(ntk_map_check(img, len), 0);
	ck_assert_uint_eq(((struct ntk_map_hdr *)(void *)img)->view_uid, 1001);
	ck_assert_int_eq(ntk_map_group_by_gid(img, len, 201001, NOW, &gr, buf, sizeof(buf)),
	    NTK_ERR_NOT_FOUND);
	free(img);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nss_map");
	TCase *tc = tcase_create("format");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, roundtrip);
	tcase_add_test(tc, expired_and_small_buffer);
	tcase_add_test(tc, retired_flag);
	tcase_add_test(tc, damaged_refused);
	tcase_add_test(tc, fuzz_reader);
	tcase_add_test(tc, build_empty);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
