/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for libnss_ntk's pure parts: name and gid filters, buffer packing, gid list merging. */
#include "config.h"

#include <check.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "nss_ntk.h"

START_TEST(names_forwarded)
{
	ck_assert(ntk_nss_name_ours("ntk-case-1001"));
	ck_assert(ntk_nss_name_ours("ntk-case-0"));
	ck_assert(ntk_nss_name_ours("ntk-case-4294967295"));
	ck_assert(ntk_nss_name_ours("ntk-sys-FACTS"));
	ck_assert(ntk_nss_name_ours("ntk-role-social_worker"));
	ck_assert(ntk_nss_name_ours("ntk-role-a.b-c"));
}
END_TEST

START_TEST(names_refused)
{
	static const char *bad[] = {
		"", "root", "ntk-", "ntk-case-", "ntk-case-01", "ntk-case-00",
		"ntk-case-4294967296", "ntk-case-99999999999", "ntk-case--1",
		"ntk-case-+1", "ntk-case-1a", "ntk-case-1 ", "ntk-case-*",
		"ntk-sys-", "ntk-sys-*", "ntk-sys-FA(CTS", "ntk-role-a)",
		"ntk-role-a b", "ntk-role-a/b", "ntk-role-a\\2a", "ntk-role-é",
		"ntk-role-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"NTK-case-1", "ntk-cases-1", "xntk-case-1",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!ntk_nss_name_ours(bad[i]), "forwarded: %s", bad[i]);
	ck_assert(!ntk_nss_name_ours(NULL));
	/* 64 characters is the longest forwarded. */
	ck_assert(ntk_nss_name_ours(
	    "ntk-role-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

START_TEST(exe_nscd)
{
	ck_assert(ntk_nss_exe_is_nscd("/usr/sbin/nscd"));
	ck_assert(ntk_nss_exe_is_nscd("/usr/sbin/nscd (deleted)"));
	ck_assert(ntk_nss_exe_is_nscd("nscd"));
	ck_assert(!ntk_nss_exe_is_nscd("/usr/sbin/nscdx"));
	ck_assert(!ntk_nss_exe_is_nscd("/usr/bin/unscd-helper"));
	ck_assert(!ntk_nss_exe_is_nscd("/usr/sbin/xnscd"));
	ck_assert(!ntk_nss_exe_is_nscd("/usr/sbin/nscd/"));
	ck_assert(!ntk_nss_exe_is_nscd(" (deleted)"));
	ck_assert(!ntk_nss_exe_is_nscd("/nscd/getent"));
	ck_assert(!ntk_nss_exe_is_nscd(""));
	ck_assert(!ntk_nss_exe_is_nscd(NULL));
}
END_TEST

START_TEST(gids)
{
	ck_assert(ntk_nss_gid_ours(190000, 190000, 299999));
	ck_assert(ntk_nss_gid_ours(299999, 190000, 299999));
	ck_assert(!ntk_nss_gid_ours(189999, 190000, 299999));
	ck_assert(!ntk_nss_gid_ours(300000, 190000, 299999));
	ck_assert(!ntk_nss_gid_ours(0, 190000, 299999));
	ck_assert(!ntk_nss_gid_ours(UINT32_MAX, 190000, 299999));
}
END_TEST

static char *members3[] = { "alice", "carol", "dave" };

START_TEST(pack_every_size)
{
	struct ntk_group g = { .name = "ntk-case-1001", .gid = 201001,
	    .members = members3, .nmembers = 3 };
	struct group gr;
	char *buf;
	size_t need, len, off;
	int ok = 0;

	need = ntk_nss_group_size(&g);
	buf = malloc(need + 16);
	ck_assert_ptr_nonnull(buf);
	/* Every length and alignment: too small is TOO_LONG and leaves gr alone, else exact. */
	for (off = 0; off < 8; off++) {
		for (len = 0; len <= need; len++) {
			memset(&gr, 0, sizeof(gr));
			if (ntk_nss_pack_group(&g, &gr, buf + off, len) != 0) {
				ck_assert_ptr_null(gr.gr_name);
				continue;
			}
			ok++;
			ck_assert_str_eq(gr.gr_name, "ntk-case-1001");
			ck_assert_str_eq(gr.gr_passwd, "*");
			ck_assert_uint_eq(gr.gr_gid, 201001);
			ck_assert_str_eq(gr.gr_mem[0], "alice");
			ck_assert_str_eq(gr.gr_mem[2], "dave");
			ck_assert_ptr_null(gr.gr_mem[3]);
			ck_assert((uintptr_t)gr.gr_mem % sizeof(char *) == 0);
			/* Everything inside the caller's buffer. */
			ck_assert((char *)gr.gr_mem >= buf + off);
			ck_assert(gr.gr_mem[2] + strlen("dave") < buf + off + len);
			ck_assert(gr.gr_passwd + 1 < buf + off + len);
		}
		/* The advertised size always suffices. */
		ck_assert_int_eq(ntk_nss_pack_group(&g, &gr, buf + off, need), 0);
	}
	ck_assert_int_gt(ok, 0);
	free(buf);
}
END_TEST

START_TEST(pack_empty_group)
{
	struct ntk_group g = { .name = "ntk-case-1004", .gid = 201004 };
	struct group gr;
	char buf[64];

	ck_assert_int_eq(ntk_nss_pack_group(&g, &gr, buf, sizeof(buf)), 0);
	ck_assert_ptr_null(gr.gr_mem[0]);
	ck_assert_int_eq(ntk_nss_pack_group(&g, &gr, NULL, 0), NTK_ERR_TOO_LONG);
}
END_TEST

START_TEST(add_gids_merge)
{
	uint32_t in[] = { 190000, 5001, 201001, 190000, 201002 };
	struct ntk_gid_list l = { .gids = in, .ngids = 5 };
	gid_t *groups = malloc(2 * sizeof(gid_t));
	long start = 1, size = 2;

	ck_assert_ptr_nonnull(groups);
	groups[0] = 5001;
	/* 5001 is the primary group, 190000 repeats: three added, array grown. */
	ck_assert_int_eq(ntk_nss_add_gids(&l, 5001, &start, &size, &groups, 0), 3);
	ck_assert_int_eq(start, 4);
	ck_assert_int_ge(size, 4);
	ck_assert_uint_eq(groups[1], 190000);
	ck_assert_uint_eq(groups[2], 201001);
	ck_assert_uint_eq(groups[3], 201002);
	/* Asked again: nothing new. */
	ck_assert_int_eq(ntk_nss_add_gids(&l, 5001, &start, &size, &groups, 0), 0);
	free(groups);
}
END_TEST

START_TEST(add_gids_limit)
{
	uint32_t in[] = { 1, 2, 3, 4, 5, 6 };
	struct ntk_gid_list l = { .gids = in, .ngids = 6 };
	gid_t *groups = malloc(sizeof(gid_t));
	long start = 1, size = 1;

	ck_assert_ptr_nonnull(groups);
	groups[0] = 100;
	ck_assert_int_eq(ntk_nss_add_gids(&l, 100, &start, &size, &groups, 3), 2);
	ck_assert_int_eq(start, 3);
	ck_assert_int_eq(size, 3);
	free(groups);
}
END_TEST

static Suite *
nss_suite(void)
{
	Suite *s = suite_create("nss");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, names_forwarded);
	tcase_add_test(tc, names_refused);
	tcase_add_test(tc, gids);
	tcase_add_test(tc, exe_nscd);
	tcase_add_test(tc, pack_every_size);
	tcase_add_test(tc, pack_empty_group);
	tcase_add_test(tc, add_gids_merge);
	tcase_add_test(tc, add_gids_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(nss_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
