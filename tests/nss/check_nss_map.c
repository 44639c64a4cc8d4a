/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map format: what ntkd writes reads back; damaged, truncated and randomly mutated maps never crash the reader. */
#include "config.h"

#include <check.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nss_map.h"
#include "nss_ntk.h"
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

static int
cmp_u32_test(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * Re-seal a modified image so the structural checks, not the checksums,
 * are what is tested: every record whose head still fits gets its check
 * word recomputed (records follow the indexes back to back).
 */
static void
reseal(unsigned char *img, size_t len)
{
	struct ntk_map_hdr h;
	uint32_t kind, rlen;
	uint64_t check;
	size_t off;

	if (len < sizeof(h))
		return;
	memcpy(&h, img, sizeof(h));
	off = sizeof(h) + ((size_t)h.n_by_name + h.n_by_gid + h.n_by_user) * sizeof(struct ntk_map_ent);
	off = (off + 7) & ~(size_t)7;
	while (off < len && len - off >= 16) {
		memcpy(&kind, img + off, 4);
		memcpy(&rlen, img + off + 4, 4);
		if (rlen < 16 || rlen % 8 != 0 || rlen > len - off)
			break;
		check = ntk_map_rec_check(img + off, kind, rlen);
		memcpy(img + off + 8, &check, sizeof(check));
		off += rlen;
	}
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
	/* The flag is outside every checksum: a retired map is still well-formed. */
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

/* Every answer an image gives, as text: "-" for a miss. */
static void
answers(const unsigned char *img, size_t len, char *out, size_t outlen)
{
	static const char *names[] = { "ntk-case-1001", "ntk-case-1004", "ntk-sys-FACTS", "x" };
	static const char *users[] = { "alice", "bob", "x" };
	static const uint32_t gids[] = { 201001, 201004, 190000, 7 };
	struct group gr;
	char buf[256];
	const uint32_t *gl;
	size_t i, n, k, at = 0;

	out[0] = '\0';
#define PUT(...) (at += (size_t)snprintf(out + at, outlen - at, __VA_ARGS__))
	for (i = 0; i < 8; i++) {
		int r = i < 4 ? ntk_map_group_by_name(img, len, names[i], NOW, &gr, buf, sizeof(buf)) :
		    ntk_map_group_by_gid(img, len, gids[i - 4], NOW, &gr, buf, sizeof(buf));

		if (r != 0) {
			PUT("- ");
			continue;
		}
		PUT("%s:%s:%u:", gr.gr_name, gr.gr_passwd, (unsigned)gr.gr_gid);
		for (k = 0; gr.gr_mem[k] != NULL; k++)
			PUT("%s,", gr.gr_mem[k]);
		PUT(" ");
	}
	for (i = 0; i < 3; i++) {
		if (ntk_map_initgroups(img, len, users[i], NOW - 1, &gl, &n) != 0) {
			PUT("- ");
			continue;
		}
		for (k = 0; k < n; k++)
			PUT("%u,", gl[k]);
		PUT(" ");
	}
#undef PUT
}

/*
 * Records are checked when used, not at open: a damaged record is a miss
 * while the rest of the map still answers; and whatever single bit is
 * flipped, every answer is either a miss or exactly the intact one.
 */
START_TEST(damaged_record_is_a_miss)
{
	struct group gr;
	char buf[512], good[1024], got[1024];
	const uint32_t *gids;
	size_t len, n, bit, misses = 0;
	unsigned char *img = sample(&len);
	unsigned char *at = memmem(img, len, "grace", 5);

	answers(img, len, good, sizeof(good));
	/* A member of ntk-case-1001 changed: that record is refused, the others are served. */
	ck_assert_ptr_nonnull(at);
	at[0] = 'G';
	ck_assert_int_eq(ntk_map_check(img, len), 0);
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1001", NOW, &gr, buf, sizeof(buf)),
	    NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntk_map_group_by_gid(img, len, 201001, NOW, &gr, buf, sizeof(buf)),
	    NTK_ERR_NOT_FOUND);
	ck_assert_int_eq(ntk_map_group_by_name(img, len, "ntk-case-1004", NOW, &gr, buf, sizeof(buf)), 0);
	ck_assert_int_eq(ntk_map_initgroups(img, len, "alice", NOW, &gids, &n), 0);
	at[0] = 'g';
	/* Every single-bit flip, the retired word aside (that one only retires the map). */
	for (bit = 0; bit < len * 8; bit++) {
		if (bit / 8 >= offsetof(struct ntk_map_hdr, retired) &&
		    bit / 8 < offsetof(struct ntk_map_hdr, retired) + 4)
			continue;
		img[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (ntk_map_check(img, len) == 0) {
			answers(img, len, got, sizeof(got));
			if (strcmp(got, good) != 0) {
				size_t i;
				const char *g = good, *b = got;

				/* Each answer: the same, or a miss. */
				for (i = 0; *g != '\0' && *b != '\0'; i++) {
					size_t gl = strcspn(g, " "), bl = strcspn(b, " ");

					ck_assert_msg((gl == bl && memcmp(g, b, gl) == 0) || (bl == 1 && *b == '-'),
					    "bit %zu: answer %zu '%.*s', intact '%.*s'", bit, i, (int)bl, b,
					    (int)gl, g);
					g += gl + (g[gl] == ' ');
					b += bl + (b[bl] == ' ');
				}
				ck_assert(*g == '\0' && *b == '\0');
				misses++;
			}
		}
		img[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	/* Otherwise no flip reached a record. */
	ck_assert_uint_gt(misses, len);
	free(img);
}
END_TEST

/*
 * The one-pass appender against the module's general one (ntk_nss_add_gids),
 * on random cases: ascending lists and not, duplicates, the skipped gid and
 * the caller's own gids inside, caller's limits. Same return, same list.
 */
START_TEST(add_gids_as_general)
{
	uint32_t list[40];
	gid_t *a, *b;
	long sa, sb, za, zb, ra, rb, start0, limit, k;
	size_t n, i, round;
	gid_t skip;

	srand(7);
	for (round = 0; round < 20000; round++) {
		n = (size_t)rand() % 40;
		for (i = 0; i < n; i++)
			list[i] = 100 + (uint32_t)(rand() % 60);
		if (rand() % 4 != 0) {
			/* ntkd's form, usually: ascending, each once. */
			qsort(list, n, sizeof(list[0]), cmp_u32_test);
			for (i = 1, k = n > 0 ? 1 : 0; i < n; i++)
				if (list[i] != list[k - 1])
					list[k++] = list[i];
			n = (size_t)k;
		}
		start0 = rand() % 5;
		za = zb = start0 + rand() % 8;
		if (za == 0)
			za = zb = 1;
		a = malloc((size_t)za * sizeof(gid_t));
		b = malloc((size_t)zb * sizeof(gid_t));
		for (k = 0; k < start0; k++)
			a[k] = b[k] = (gid_t)(rand() % 2 ? 100 + rand() % 60 : 5000 + k);
		skip = start0 > 0 && rand() % 2 ? a[0] : (gid_t)(100 + rand() % 60);
		limit = rand() % 3 == 0 ? za + rand() % 10 : 0;
		sa = sb = start0;
		ra = ntk_map_add_gids(list, n, skip, &sa, &za, &a, limit);
		{
			struct ntk_gid_list l = { list, n };

			rb = ntk_nss_add_gids(&l, skip, &sb, &zb, &b, limit);
		}
		ck_assert_int_eq(ra, rb);
		ck_assert_int_eq(sa, sb);
		ck_assert(sa <= za);
		for (k = 0; k < sa; k++)
			ck_assert_uint_eq(a[k], b[k]);
		free(a);
		free(b);
	}
}
END_TEST

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
	tcase_add_test(tc, damaged_record_is_a_miss);
	tcase_add_test(tc, fuzz_reader);
	tcase_add_test(tc, add_gids_as_general);
	tcase_add_test(tc, build_empty);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
