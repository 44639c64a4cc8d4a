/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for the shared string helpers: growable lists, the string set and hash, the log escaper. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_strset.h"
#include "ntk_strv.h"

START_TEST(test_strlist)
{
	struct ntk_strlist l = { 0 };
	char name[16];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		ck_assert_int_eq(ntk_strlist_push_copy(&l, name), 0);
	}
	ck_assert_uint_eq(l.n, 1000);
	ck_assert_str_eq(l.v[0], "s0");
	ck_assert_str_eq(l.v[999], "s999");
	ck_assert_int_eq(ntk_strlist_push(&l, strdup("owned")), 0);
	ck_assert_str_eq(l.v[1000], "owned");
	/* A failed strdup arrives as NULL: an error, and the list unchanged. */
	ck_assert_int_eq(ntk_strlist_push(&l, NULL), NTK_ERR_NOMEM);
	ck_assert_uint_eq(l.n, 1001);
	ntk_strlist_clear(&l);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
	ntk_strlist_clear(&l);
	ntk_strlist_clear(NULL);
}
END_TEST

START_TEST(test_strset)
{
	struct ntk_strset set = { 0 };
	char name[16];
	int i;

	ck_assert(!ntk_strset_has(&set, "a"));
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "uid=%d", i);
		ck_assert_int_eq(ntk_strset_add(&set, name), 1);
	}
	/* Every one is found again, added only once, and nothing else is there. */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "uid=%d", i);
		ck_assert(ntk_strset_has(&set, name));
		ck_assert_int_eq(ntk_strset_add(&set, name), 0);
	}
	ck_assert_uint_eq(set.n, 5000);
	ck_assert(!ntk_strset_has(&set, "uid=5000"));
	ck_assert(!ntk_strset_has(&set, "UID=1"));
	ck_assert(!ntk_strset_has(&set, ""));
	ck_assert_int_eq(ntk_strset_add(&set, ""), 1);
	ck_assert(ntk_strset_has(&set, ""));
	/* Never more than half full. */
	ck_assert(set.n * 2 <= set.cap);
	ntk_strset_clear(&set);
	ck_assert_uint_eq(set.cap, 0);
	ck_assert(!ntk_strset_has(&set, "uid=1"));
	ntk_strset_clear(NULL);
}
END_TEST

START_TEST(test_str_hash)
{
	/* FNV-1a 64 reference values: the empty string is the offset basis. */
	ck_assert_uint_eq(ntk_str_hash(""), 0xcbf29ce484222325ULL);
	ck_assert_uint_eq(ntk_str_hash("a"), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(ntk_str_hash("foobar"), 0x85944171f73967e8ULL);
}
END_TEST

static const char *
esc(const char *in, size_t outlen)
{
	static char out[512];

	memset(out, 'Z', sizeof(out));
	ntk_escape_log_str(in, out, outlen);
	return out;
}

START_TEST(test_escape)
{
	char out[8], big[400];

	ck_assert_str_eq(esc("alice", 64), "alice");
	ck_assert_str_eq(esc("", 64), "");
	/* A newline cannot start a line; the backslash is escaped so nothing is ambiguous. */
	ck_assert_str_eq(esc("evil\nname", 64), "evil\\x0aname");
	ck_assert_str_eq(esc("a\\x0a", 64), "a\\x5cx0a");
	ck_assert_str_eq(esc("\x7f\xff\x01", 64), "\\x7f\\xff\\x01");
	/* Exactly fits, then one byte short: cut with "...", never mid-escape. */
	ck_assert_str_eq(esc("abcdef", 7), "abcdef");
	ck_assert_str_eq(esc("abcdefg", 7), "abc...");
	ck_assert_str_eq(esc("ab\ncdef", 9), "ab...");
	ck_assert_str_eq(esc("abcdefg", 4), "...");
	ck_assert_str_eq(esc("abc", 1), "");
	/* Long input: at most 128 characters shown, then "...". */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_uint_eq(strlen(esc(big, 512)), 131);
	ck_assert_str_eq(esc(big, 512) + 128, "...");
	/* An embedded NUL through the length form is escaped, not an end. */
	ntk_escape_log("a\0b", 3, out, sizeof(out));
	ck_assert_str_eq(out, "a\\x00b");
	/* outlen 0 writes nothing. */
	out[0] = 'Q';
	ntk_escape_log("abc", 3, out, 0);
	ck_assert_int_eq(out[0], 'Q');
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("strings");
	TCase *tc = tcase_create("strings");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_strlist);
	tcase_add_test(tc, test_strset);
	tcase_add_test(tc, test_str_hash);
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
