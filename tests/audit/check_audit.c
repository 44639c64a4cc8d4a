/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check unit tests for `ntkctl audit`: time words, argument rules, and value escaping per format. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntk_audit.h"

/* 2026-11-21 10:20:30 UTC, a Saturday */
#define NOW ((time_t)1795256430)

static time_t
at(const char *word, const char *clock)
{
	time_t t = 0;

	ck_assert_int_eq(ntk_audit_parse_time(word, clock, NOW, &t), 0);
	return t;
}

START_TEST(time_words)
{
	ck_assert_int_eq(at("now", NULL), NOW);
	ck_assert_int_eq(at("recent", NULL), NOW - 600);
	ck_assert_int_eq(at("this-hour", NULL), 1795255200);
	ck_assert_int_eq(at("today", NULL), 1795219200);             /* 2026-11-21 00:00 */
	ck_assert_int_eq(at("yesterday", NULL), 1795219200 - 86400);
	ck_assert_int_eq(at("this-week", NULL), 1795219200 - 6 * 86400); /* Sunday 11-15 */
	ck_assert_int_eq(at("week-ago", NULL), 1795219200 - 7 * 86400);
	ck_assert_int_eq(at("this-month", NULL), 1793491200);         /* 2026-11-01 */
	ck_assert_int_eq(at("this-year", NULL), 1767225600);          /* 2026-01-01 */
	ck_assert_int_eq(at("@12345", NULL), 12345);
}
END_TEST

START_TEST(time_dates)
{
	ck_assert_int_eq(at("2026-11-21", NULL), 1795219200);
	ck_assert_int_eq(at("2026-11-21", "07:44:30"), 1795219200 + 7 * 3600 + 44 * 60 + 30);
	ck_assert_int_eq(at("2026-11-21 07:44:30", NULL), 1795247070);
	ck_assert_int_eq(at("2026-11-21T07:44", NULL), 1795247040);
	ck_assert_int_eq(at("11/21/2026", "07:44:30"), 1795247070);
	ck_assert_int_eq(at("11/21/26", "07:44:30"), 1795247070);
	ck_assert_int_eq(at("07:44:30", NULL), 1795247070);          /* today */
	ck_assert_int_eq(at("today", "07:44:30"), 1795247070);
}
END_TEST

START_TEST(time_bad)
{
	static const char *const bad[] = { "", "tomorrow", "TODAY", "2026-13-01", "2026-02-30",
		"02/29/2026", "2026-11-21 24:00", "2026-11-21 7:44", "11/21/1969", "@", "@-1",
		"@12x", "1795247070", "2026-11-21x", "10:61", NULL };
	time_t t;
	size_t i;

	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(ntk_audit_parse_time(bad[i], NULL, NOW, &t) != 0, "accepted '%s'", bad[i]);
	ck_assert_int_ne(ntk_audit_parse_time("now", "10:00", NOW, &t), 0);
	ck_assert_int_ne(ntk_audit_parse_time("2026-11-21 07:00", "08:00", NOW, &t), 0);
}
END_TEST

/* ISO 8601 with a zone is absolute: the same instant whatever TZ says. */
START_TEST(time_iso_zoned)
{
	static const char *const bad[] = { "2026-11-21T07:44:30+25:00", "2026-11-21T07:44:30+01:0",
		"2026-02-30T00:00:00Z", "2026-11-21T07:44:30ZZ", "2026-11-21T07:44:30+01:60",
		"2026-11-21T7:44:30Z", "2026-11-21T07:44:30.Z", NULL };
	time_t t;
	size_t i;

	ck_assert_int_eq(at("2026-11-21T07:44:30Z", NULL), 1795247070);
	ck_assert_int_eq(at("2026-11-21T08:44:30+01:00", NULL), 1795247070);
	ck_assert_int_eq(at("2026-11-21T02:44:30-0500", NULL), 1795247070);
	ck_assert_int_eq(at("2026-11-21T13:14:30+05:30", NULL), 1795247070);
	ck_assert_int_eq(at("2026-11-21T07:44:30.250Z", NULL), 1795247070);
	ck_assert_int_eq(at("2026-11-21 07:44Z", NULL), 1795247040);
	ck_assert_int_eq(at("2026-11-21T10:44:30+03", NULL), 1795247070);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(ntk_audit_parse_time(bad[i], NULL, NOW, &t) != 0, "accepted '%s'", bad[i]);
}
END_TEST

static int
parse(struct ntk_audit_opts *o, const char *const *args)
{
	char *argv[32];
	int argc = 0, r;

	argv[argc++] = (char *)"audit";
	for (; *args != NULL; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	r = ntk_audit_parse_args(argc, argv, o, NOW);
	return r;
}

START_TEST(args_rules)
{
	struct ntk_audit_opts o;
	const char *two_word[] = { "--since", "11/21/2026", "07:44:30", "--list", NULL };
	const char *inputs[] = { "--input", "a", "b", "c", "--browsing", NULL };
	const char *both[] = { "--denied", "--allowed", NULL };
	const char *views[] = { "--list", "--browsing", NULL };
	const char *stray[] = { "--list", "extra", NULL };
	const char *mixed[] = { "--input", "-", "file", NULL };
	const char *users[] = { "--user", "a b", "--user", "c", NULL };

	FILE *devnull = freopen("/dev/null", "w", stderr);
	ck_assert_ptr_nonnull(devnull);
	ck_assert_int_eq(parse(&o, two_word), 0);
	ck_assert(o.have_since);
	ck_assert_int_eq(o.since, 1795247070);
	ck_assert_int_eq(o.view, NTK_AUDIT_LIST);
	free(o.inputs);
	ck_assert_int_eq(parse(&o, inputs), 0);
	ck_assert_uint_eq(o.ninputs, 3);
	ck_assert_str_eq(o.inputs[2], "c");
	ck_assert_int_eq(o.view, NTK_AUDIT_BROWSING);
	free(o.inputs);
	ck_assert_int_eq(parse(&o, users), 0);
	ck_assert_uint_eq(o.nusers, 2);
	ck_assert_str_eq(o.users[0], "a b");
	ck_assert_int_ne(parse(&o, both), 0);
	ck_assert_int_ne(parse(&o, views), 0);
	ck_assert_int_ne(parse(&o, stray), 0);
	ck_assert_int_ne(parse(&o, mixed), 0);
}
END_TEST

static const struct ntk_audit_col cols[] = {
	{ "name", NTK_AUDIT_COL_STR },
	{ "n", NTK_AUDIT_COL_NUM },
	{ "ok", NTK_AUDIT_COL_BOOL },
	{ "items", NTK_AUDIT_COL_LIST },
};

/* One row through one format, as a string. */
static char *
render(enum ntk_audit_format fmt, const char *name, const char *const *items, size_t nitems)
{
	struct ntk_audit_cell c[4];
	struct ntk_audit_out *t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	memset(c, 0, sizeof(c));
	c[0].str = name;
	c[1].str = "7";
	c[2].str = "yes";
	c[3].list = items;
	c[3].nlist = nitems;
	ck_assert_int_eq(ntk_audit_out_begin(f, fmt, cols, 4, &t), 0);
	ck_assert_int_eq(ntk_audit_out_row(t, c), 0);
	ck_assert_int_eq(ntk_audit_out_end(t), 1);
	fclose(f);
	return buf;
}

START_TEST(args_new_views)
{
	struct ntk_audit_opts o;
	const char *unrev[] = { "--unreviewed", NULL };
	const char *unrev_list[] = { "--unreviewed", "--list", NULL };
	const char *bycase[] = { "--by", "case", "--top", "3", "--format", "ndjson", "--node", "a",
		NULL };
	const char *bycase_list[] = { "--by", "case", "--list", NULL };
	const char *byuser[] = { "--by", "user", NULL };
	const char *top0[] = { "--top", "0", NULL };
	const char *gap[] = { "--gap", "45", "--list", NULL };

	FILE *devnull = freopen("/dev/null", "w", stderr);
	ck_assert_ptr_nonnull(devnull);
	ck_assert_int_eq(parse(&o, unrev), 0);
	ck_assert_int_eq(o.view, NTK_AUDIT_BREAK_GLASS);
	ck_assert(o.unreviewed);
	ck_assert_int_ne(parse(&o, unrev_list), 0);
	ck_assert_int_eq(parse(&o, bycase), 0);
	ck_assert_int_eq(o.by, NTK_AUDIT_BY_CASE);
	ck_assert_uint_eq(o.top, 3);
	ck_assert_int_eq(o.format, NTK_AUDIT_NDJSON);
	ck_assert_uint_eq(o.nnodes, 1);
	ck_assert_int_ne(parse(&o, bycase_list), 0);
	ck_assert_int_ne(parse(&o, byuser), 0);
	ck_assert_int_ne(parse(&o, top0), 0);
	ck_assert_int_eq(parse(&o, gap), 0);
	ck_assert_int_eq(o.gap, 45 * 60);
}
END_TEST

START_TEST(escape_text)
{
	const char *items[] = { "1001", "10,01", "a\"b" };
	char *s;

	s = render(NTK_AUDIT_TEXT, "plain", items, 3);
	ck_assert_str_eq(s, "NAME   N  OK   ITEMS\nplain  7  yes  1001,\"10,01\",\"a\\\"b\"\n");
	free(s);
	s = render(NTK_AUDIT_TEXT, "a b\n\x1b[2J\\\xff\xc2\x9b" "z\xc3\xa9", items, 0);
	ck_assert_str_eq(s, "NAME" "                            N  OK   ITEMS\n"
	    "\"a b\\n\\x1B[2J\\\\\\xFF\\xC2\\x9Bz\xc3\xa9\"  7  yes  -\n");
	free(s);
	s = render(NTK_AUDIT_TEXT, "ab\xe2\x80\xae" "cd", items, 0);   /* RIGHT-TO-LEFT OVERRIDE */
	ck_assert_str_eq(s, "NAME" "                N  OK   ITEMS\n\"ab\\xE2\\x80\\xAEcd\"  7  yes  -\n");
	free(s);
}
END_TEST

START_TEST(escape_csv)
{
	const char *items[] = { "=1", "x" };
	char *s;

	/* a newline is escaped as in text: a CSV row stays one line */
	s = render(NTK_AUDIT_CSV, "a,\"b\"\nc", items, 2);
	ck_assert_str_eq(s, "name,n,ok,items\n\"a,\"\"b\"\"\\nc\",7,yes,\"'=1,x\"\n");
	free(s);
	/* control bytes, a terminal escape, a bidi override, a bad byte and a backslash */
	s = render(NTK_AUDIT_CSV, "x\r\x1b[2J\x01\\\xe2\x80\xae\xff", items, 0);
	ck_assert_str_eq(s, "name,n,ok,items\nx\\r\\x1B[2J\\x01\\\\\\xE2\\x80\\xAE\\xFF,7,yes,\n");
	free(s);
	/* a leading TAB is both escaped and still neutralised */
	s = render(NTK_AUDIT_CSV, "\t=cmd", items, 0);
	ck_assert_str_eq(s, "name,n,ok,items\n'\\t=cmd,7,yes,\n");
	free(s);
	s = render(NTK_AUDIT_CSV, "-2+3", items, 0);
	ck_assert_str_eq(s, "name,n,ok,items\n'-2+3,7,yes,\n");
	free(s);
	s = render(NTK_AUDIT_CSV, "@SUM(1)", items, 0);
	ck_assert_str_eq(s, "name,n,ok,items\n'@SUM(1),7,yes,\n");
	free(s);
}
END_TEST

START_TEST(escape_json)
{
	const char *items[] = { "q\"", "\\" };
	char *s;

	s = render(NTK_AUDIT_JSON, "a\"\\\n\t\x01\x7f\xff\xc3\xa9", items, 2);
	ck_assert_str_eq(s, "[\n  {\"name\": \"a\\\"\\\\\\n\\t\\u0001\\u007f\\ufffd\xc3\xa9\", \"n\": 7, "
	    "\"ok\": true, \"items\": [\"q\\\"\", \"\\\\\"]}\n]\n");
	free(s);
}
END_TEST

START_TEST(ndjson_rows)
{
	const char *items[] = { "a" };
	char *s;

	/* one object per line, no array around them, nothing for an empty table */
	s = render(NTK_AUDIT_NDJSON, "x\ny", items, 1);
	ck_assert_str_eq(s, "{\"name\": \"x\\ny\", \"n\": 7, \"ok\": true, \"items\": [\"a\"]}\n");
	free(s);
}
END_TEST

START_TEST(empty_tables)
{
	struct ntk_audit_out *t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(ntk_audit_out_begin(f, NTK_AUDIT_JSON, cols, 4, &t), 0);
	ck_assert_int_eq(ntk_audit_out_end(t), 0);
	fflush(f);
	ck_assert_str_eq(buf, "[]\n");
	rewind(f);
	ck_assert_int_eq(ntk_audit_out_begin(f, NTK_AUDIT_TEXT, cols, 4, &t), 0);
	ck_assert_int_eq(ntk_audit_out_end(t), 0);
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, time_words);
	tcase_add_test(tc, time_dates);
	tcase_add_test(tc, time_bad);
	tcase_add_test(tc, time_iso_zoned);
	tcase_add_test(tc, args_new_views);
	tcase_add_test(tc, ndjson_rows);
	tcase_add_test(tc, args_rules);
	tcase_add_test(tc, escape_text);
	tcase_add_test(tc, escape_csv);
	tcase_add_test(tc, escape_json);
	tcase_add_test(tc, empty_tables);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	setenv("TZ", "UTC", 1);
	tzset();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
