/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for common/ntk_assignment.c: case ids, ntkCaseAssignment values, dates. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_assignment.h"
#include "ntk_err.h"

static int32_t
date(const char *s)
{
	int32_t d = -1;

	ck_assert_int_eq(ntk_date_parse(s, &d), 0);
	return d;
}

START_TEST(test_case_id_valid)
{
	char id[80];

	ck_assert(ntk_case_id_valid("1234"));
	ck_assert(ntk_case_id_valid("a.b_c:d-E9"));
	ck_assert(!ntk_case_id_valid(NULL));
	ck_assert(!ntk_case_id_valid(""));
	ck_assert(!ntk_case_id_valid("12 34"));
	ck_assert(!ntk_case_id_valid("12/34"));
	ck_assert(!ntk_case_id_valid("12;34"));
	ck_assert(!ntk_case_id_valid("caf\xc3\xa9"));
	memset(id, 'x', 64);
	id[64] = '\0';
	ck_assert(ntk_case_id_valid(id));
	id[64] = 'x';
	id[65] = '\0';
	ck_assert(!ntk_case_id_valid(id));
}
END_TEST

START_TEST(test_parse_plain)
{
	struct ntk_assignment a;
	const char *why = "unset";

	ck_assert_int_eq(ntk_assignment_parse("C-1001", &a, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_str_eq(a.case_id, "C-1001");
	ck_assert_ptr_null(a.system);
	ck_assert_int_eq(a.until, NTK_NO_END);
	ck_assert(!a.read_only);
	ntk_assignment_clear(&a);
}
END_TEST

START_TEST(test_parse_all_params)
{
	struct ntk_assignment a;
	const char *why = NULL;

	ck_assert_int_eq(ntk_assignment_parse("1001;system=FACTS;until=2026-12-31;access=read",
	    &a, &why), 0);
	ck_assert_str_eq(a.case_id, "1001");
	ck_assert_str_eq(a.system, "FACTS");
	ck_assert_int_eq(a.until, date("2026-12-31"));
	ck_assert(a.read_only);
	ntk_assignment_clear(&a);
	ck_assert_ptr_null(a.system);

	/* Order of parameters does not matter. */
	ck_assert_int_eq(ntk_assignment_parse("1001;access=read;until=2024-02-29", &a, &why), 0);
	ck_assert_ptr_null(a.system);
	ck_assert_int_eq(a.until, date("2024-02-29"));
	ck_assert(a.read_only);
	ntk_assignment_clear(&a);

	/* NULL why is allowed. */
	ck_assert_int_eq(ntk_assignment_parse("1001;system=a.b_c-9", &a, NULL), 0);
	ck_assert_str_eq(a.system, "a.b_c-9");
	ntk_assignment_clear(&a);
}
END_TEST

/* Every malformed class: NTK_ERR_BAD_VALUE, a reason, and *out cleared. */
static const char *const bad_values[] = {
	"",
	";system=FACTS",
	"12/34",
	"12 34",
	" 1234",
	"1234 ",
	"1234;\tsystem=FACTS",
	"1234; until=2026-01-01",
	"caf\xc3\xa9",
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", /* 65 */
	"1234;",
	"1234;;system=FACTS",
	"1234;system=FACTS;",
	"1234;until=2026-02-30",
	"1234;until=2026-13-01",
	"1234;until=2026-00-10",
	"1234;until=2026-01-00",
	"1234;until=2026-01-32",
	"1234;until=2025-02-29",
	"1234;until=1900-02-29",
	"1234;until=26-01-01",
	"1234;until=2026-1-01",
	"1234;until=2026/01/01",
	"1234;until=2026-01-01x",
	"1234;until=+026-01-01",
	"1234;until=1969-12-31",
	"1234;until=",
	"1234;access=write",
	"1234;access=READ",
	"1234;access=",
	"1234;access=readx",
	"1234;system=",
	"1234;system=FA/CTS",
	"1234;system=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"1234;role=legal",
	"1234;System=FACTS",
	"1234;system",
	"1234;=FACTS",
	"1234;system=FACTS;system=FACTS",
	"1234;system=FACTS;system=OTHER",
	"1234;until=2026-01-01;until=2027-01-01",
	"1234;access=read;access=read",
};

START_TEST(test_parse_bad)
{
	struct ntk_assignment a;
	const char *why = NULL;
	const char *v = bad_values[_i];

	memset(&a, 0x5a, sizeof(a));
	ck_assert_msg(ntk_assignment_parse(v, &a, &why) == NTK_ERR_BAD_VALUE,
	    "accepted '%s'", v);
	ck_assert_ptr_nonnull(why);
	ck_assert(why[0] != '\0');
	ck_assert_str_eq(a.case_id, "");
	ck_assert_ptr_null(a.system);
	ck_assert(!a.read_only);
	ck_assert_int_eq(a.until, 0);
	/* A cleared assignment is active nowhere. */
	ck_assert(!ntk_assignment_active(&a, "FACTS", 0));
}
END_TEST

START_TEST(test_parse_reasons)
{
	struct ntk_assignment a;
	const char *why = NULL;

	ck_assert_int_eq(ntk_assignment_parse(NULL, &a, &why), NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "empty value");
	ck_assert_int_eq(ntk_assignment_parse("1;until=2026-01-01;until=2026-01-01", &a, &why),
	    NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "repeated parameter until");
	ck_assert_int_eq(ntk_assignment_parse("1;foo=bar", &a, &why), NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "unknown parameter");
	ck_assert_int_eq(ntk_assignment_parse("1;access=write", &a, &why), NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "access must be read");
	ck_assert_int_eq(ntk_assignment_parse("1;", &a, &why), NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "empty parameter (stray ';')");
	ck_assert_int_eq(ntk_assignment_parse("1 ", &a, &why), NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "value holds whitespace");
	ck_assert_int_eq(ntk_assignment_parse("1;until=2026-02-30", &a, &why), NTK_ERR_BAD_VALUE);
	ck_assert_str_eq(why, "until must be a date YYYY-MM-DD");
	ck_assert_int_eq(ntk_assignment_parse("1", NULL, &why), NTK_ERR_BAD_VALUE);
}
END_TEST

START_TEST(test_parse_failure_frees_system)
{
	struct ntk_assignment a;
	const char *why;

	/* system= is allocated before the bad parameter is seen; nothing may leak. */
	ck_assert_int_eq(ntk_assignment_parse("1;system=FACTS;bogus=1", &a, &why),
	    NTK_ERR_BAD_VALUE);
	ck_assert_ptr_null(a.system);
}
END_TEST

START_TEST(test_date_known_values)
{
	ck_assert_int_eq(date("1970-01-01"), 0);
	ck_assert_int_eq(date("1970-01-02"), 1);
	ck_assert_int_eq(date("1970-12-31"), 364);
	ck_assert_int_eq(date("1971-01-01"), 365);
	ck_assert_int_eq(date("1972-03-01"), 790);
	ck_assert_int_eq(date("2000-01-01"), 10957);
	ck_assert_int_eq(date("2000-02-29"), 11016);
	ck_assert_int_eq(date("2000-03-01"), 11017);
	ck_assert_int_eq(date("2024-02-29"), 19782);
	ck_assert_int_eq(date("2026-01-01"), 20454);
	ck_assert_int_eq(date("2100-03-01"), 47541);
	ck_assert_int_eq(date("9999-12-31"), 2932896);
}
END_TEST

START_TEST(test_date_bad)
{
	int32_t d = 42;

	ck_assert_int_eq(ntk_date_parse(NULL, &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("2026-01-01", NULL), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("2026-02-29", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("2100-02-29", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("2026-04-31", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("0000-01-01", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("2026-01-01 ", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("20260101", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_date_parse("2026-0a-01", &d), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(d, 42);
}
END_TEST

START_TEST(test_date_round_trip)
{
	char buf[11];
	int32_t d, back, max = date("9999-12-31"), dense = date("2401-01-01");

	/*
	 * Format then parse must give the day back: every day to 2400 (all
	 * the leap-year rules: 1972, 2000, 2100, 2400), then a prime stride
	 * to 9999, and the last day. Plain ifs keep this fast under ASan.
	 */
	for (d = 0; d <= max; d += d < dense ? 1 : 97) {
		ntk_date_format(d, buf);
		if (ntk_date_parse(buf, &back) != 0 || back != d)
			ck_abort_msg("day %d formats as %s which parses back as %d", d, buf, back);
	}
	ntk_date_format(max, buf);
	ck_assert_str_eq(buf, "9999-12-31");
	ntk_date_format(date("2024-02-29"), buf);
	ck_assert_str_eq(buf, "2024-02-29");
	ntk_date_format(date("2000-02-29"), buf);
	ck_assert_str_eq(buf, "2000-02-29");
	ntk_date_format(date("2024-02-29") + 1, buf);
	ck_assert_str_eq(buf, "2024-03-01");
	ntk_date_format(date("2100-02-28") + 1, buf);
	ck_assert_str_eq(buf, "2100-03-01");
	ntk_date_format(date("2025-12-31") + 1, buf);
	ck_assert_str_eq(buf, "2026-01-01");
	ntk_date_format(0, buf);
	ck_assert_str_eq(buf, "1970-01-01");
	ntk_date_format(NTK_NO_END, buf);
	ck_assert_str_eq(buf, "9999-12-31");
	ntk_date_format(-1, buf);
	ck_assert_str_eq(buf, "0000-00-00");
}
END_TEST

START_TEST(test_active)
{
	struct ntk_assignment a;
	int32_t until = date("2026-06-30");

	ck_assert_int_eq(ntk_assignment_parse("1001;until=2026-06-30", &a, NULL), 0);
	ck_assert(ntk_assignment_active(&a, "FACTS", until - 1));
	ck_assert(ntk_assignment_active(&a, "FACTS", until));       /* inclusive */
	ck_assert(!ntk_assignment_active(&a, "FACTS", until + 1));
	ck_assert(ntk_assignment_active(&a, NULL, until));
	ntk_assignment_clear(&a);

	ck_assert_int_eq(ntk_assignment_parse("1001;system=FACTS", &a, NULL), 0);
	ck_assert(ntk_assignment_active(&a, "FACTS", INT32_MAX));
	ck_assert(!ntk_assignment_active(&a, "facts", 0));
	ck_assert(!ntk_assignment_active(&a, "OTHER", 0));
	ck_assert(!ntk_assignment_active(&a, NULL, 0));
	ntk_assignment_clear(&a);
	ck_assert(!ntk_assignment_active(NULL, "FACTS", 0));
}
END_TEST

static Suite *
assignment_suite(void)
{
	Suite *s = suite_create("ntk_assignment");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_case_id_valid);
	tcase_add_test(tc, test_parse_plain);
	tcase_add_test(tc, test_parse_all_params);
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    (int)(sizeof(bad_values) / sizeof(bad_values[0])));
	tcase_add_test(tc, test_parse_reasons);
	tcase_add_test(tc, test_parse_failure_frees_system);
	tcase_add_test(tc, test_active);
	suite_add_tcase(s, tc);

	tc = tcase_create("date");
	tcase_set_timeout(tc, 60);     /* the round trip is long under valgrind */
	tcase_add_test(tc, test_date_known_values);
	tcase_add_test(tc, test_date_bad);
	tcase_add_test(tc, test_date_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(assignment_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
