/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check tests for daemon/ldap_filter.c: RFC 4515 escaping and the filters ntkd builds. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ldap_filter.h"

static void
assert_escape(const char *in, const char *want)
{
	char *out = (char *)0x1;

	ck_assert_int_eq(ntkd_ldap_escape(in, &out), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	free(out);
}

START_TEST(escape_specials)
{
	assert_escape("*", "\\2a");
	assert_escape("(", "\\28");
	assert_escape(")", "\\29");
	assert_escape("\\", "\\5c");
	assert_escape("alice*", "alice\\2a");
	assert_escape(")(uid=*", "\\29\\28uid=\\2a");
	assert_escape("*)(|(objectClass=*", "\\2a\\29\\28|\\28objectClass=\\2a");
	assert_escape("a\\2a", "a\\5c2a");
}
END_TEST

START_TEST(escape_plain)
{
	assert_escape("", "");
	assert_escape("alice", "alice");
	assert_escape("o'neil-smith.jr_2", "o'neil-smith.jr_2");
	/* Space, =, & and | are plain characters inside an assertion value. */
	assert_escape("a b=c&d|e~f", "a b=c&d|e~f");
	assert_escape("uid=carol,ou=people,dc=agency,dc=example",
	    "uid=carol,ou=people,dc=agency,dc=example");
}
END_TEST

START_TEST(escape_bytes)
{
	/* Controls, DEL and every UTF-8 byte. */
	assert_escape("\x01\t\n\r\x1f\x7f", "\\01\\09\\0a\\0d\\1f\\7f");
	assert_escape("J\xc3\xbcrgen", "J\\c3\\bcrgen");
	assert_escape("\xe2\x82\xac", "\\e2\\82\\ac");
	assert_escape("\xff\x80", "\\ff\\80");
}
END_TEST

START_TEST(escape_every_byte)
{
	char in[2], *out;
	int c;

	/* Every byte but NUL: either itself (printable, not special) or \xx, lower-case hex. */
	for (c = 1; c < 256; c++) {
		in[0] = (char)c;
		in[1] = '\0';
		ck_assert_int_eq(ntkd_ldap_escape(in, &out), 0);
		if (c >= 0x20 && c < 0x7f && c != '*' && c != '(' && c != ')' && c != '\\') {
			ck_assert_int_eq(strlen(out), 1);
			ck_assert_int_eq((unsigned char)out[0], c);
		} else {
			char want[4];

			snprintf(want, sizeof(want), "\\%02x", c);
			ck_assert_str_eq(out, want);
		}
		free(out);
	}
}
END_TEST

START_TEST(fill_template)
{
	char *out;

	ck_assert_int_eq(ntkd_ldap_filter_fill("(&(objectClass=inetOrgPerson)(uid=%s))", "alice", &out), 0);
	ck_assert_str_eq(out, "(&(objectClass=inetOrgPerson)(uid=alice))");
	free(out);
	ck_assert_int_eq(ntkd_ldap_filter_fill("(&(objectClass=inetOrgPerson)(uid=%s))", ")(uid=*", &out), 0);
	ck_assert_str_eq(out, "(&(objectClass=inetOrgPerson)(uid=\\29\\28uid=\\2a))");
	free(out);
	ck_assert_int_eq(ntkd_ldap_filter_fill("(uid=%s)", "*", &out), 0);
	ck_assert_str_eq(out, "(uid=\\2a)");
	free(out);
	/* A DN as the value: its own backslash escapes are escaped again. */
	ck_assert_int_eq(ntkd_ldap_filter_fill("(&(objectClass=groupOfNames)(member=%s))",
	    "uid=o\\2Cneil,ou=people,dc=x", &out), 0);
	ck_assert_str_eq(out, "(&(objectClass=groupOfNames)(member=uid=o\\5c2Cneil,ou=people,dc=x))");
	free(out);
	/* %% is a literal percent sign; a %s in the value is not a template. */
	ck_assert_int_eq(ntkd_ldap_filter_fill("(&(cn=100%%)(uid=%s))", "%s%s", &out), 0);
	ck_assert_str_eq(out, "(&(cn=100%)(uid=%s%s))");
	free(out);
}
END_TEST

START_TEST(fill_bad_template)
{
	char *out = (char *)0x1;

	ck_assert_int_eq(ntkd_ldap_filter_fill("(uid=alice)", "x", &out), NTK_ERR_BAD_VALUE);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(ntkd_ldap_filter_fill("(|(uid=%s)(cn=%s))", "x", &out), NTK_ERR_BAD_VALUE);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(ntkd_ldap_filter_fill("(uid=%d)", "x", &out), NTK_ERR_BAD_VALUE);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(ntkd_ldap_filter_fill("(uid=%s)%", "x", &out), NTK_ERR_BAD_VALUE);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(ntkd_ldap_filter_fill(NULL, "x", &out), NTK_ERR_INTERNAL);
	ck_assert_int_eq(ntkd_ldap_filter_fill("(uid=%s)", NULL, &out), NTK_ERR_INTERNAL);
}
END_TEST

START_TEST(filter_eq)
{
	char *out;

	ck_assert_int_eq(ntkd_ldap_filter_eq("ntkRole", "legal", &out), 0);
	ck_assert_str_eq(out, "(ntkRole=legal)");
	free(out);
	ck_assert_int_eq(ntkd_ldap_filter_eq("ntkRole", "*", &out), 0);
	ck_assert_str_eq(out, "(ntkRole=\\2a)");
	free(out);
}
END_TEST

START_TEST(filter_any)
{
	const char *dns[] = { "uid=carol,ou=people,dc=agency,dc=example", "cn=a\\29b*,dc=x" };
	char *out = (char *)0x1;

	ck_assert_int_eq(ntkd_ldap_filter_any("manager", dns, 2, &out), 0);
	ck_assert_str_eq(out, "(|(manager=uid=carol,ou=people,dc=agency,dc=example)"
	    "(manager=cn=a\\5c29b\\2a,dc=x))");
	free(out);
	ck_assert_int_eq(ntkd_ldap_filter_any("manager", dns, 1, &out), 0);
	ck_assert_str_eq(out, "(|(manager=uid=carol,ou=people,dc=agency,dc=example))");
	free(out);
	ck_assert_int_eq(ntkd_ldap_filter_any("manager", dns, 0, &out), NTK_ERR_INTERNAL);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(filter_case)
{
	char *out;

	ck_assert_int_eq(ntkd_ldap_filter_case("ntkCaseAssignment", "1001", &out), 0);
	ck_assert_str_eq(out, "(|(ntkCaseAssignment=1001)(ntkCaseAssignment=1001;*))");
	free(out);
	/* The id is escaped; only our own ;* stays a wildcard. */
	ck_assert_int_eq(ntkd_ldap_filter_case("ntkCaseAssignment", "1*)(x=", &out), 0);
	ck_assert_str_eq(out, "(|(ntkCaseAssignment=1\\2a\\29\\28x=)(ntkCaseAssignment=1\\2a\\29\\28x=;*))");
	free(out);
}
END_TEST

static Suite *
filter_suite(void)
{
	Suite *s = suite_create("ldap_filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, escape_specials);
	tcase_add_test(tc, escape_plain);
	tcase_add_test(tc, escape_bytes);
	tcase_add_test(tc, escape_every_byte);
	tcase_add_test(tc, fill_template);
	tcase_add_test(tc, fill_bad_template);
	tcase_add_test(tc, filter_eq);
	tcase_add_test(tc, filter_any);
	tcase_add_test(tc, filter_case);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(filter_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
