/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check tests for ntk_buf: bounds, truncation, strings, growth and borrowed views. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ntk_buf.h"
#include "ntk_err.h"

/* Lives in read-only memory: a write through a view would crash the test. */
static const uint8_t ro_bytes[] = { 0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', 0x7f };

START_TEST(test_ints_round_trip)
{
	struct ntk_buf b;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	int32_t i32;
	int64_t i64;

	ntk_buf_init(&b, 1024);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 0xab), 0);
	ck_assert_int_eq(ntk_buf_put_u16(&b, 0x1234), 0);
	ck_assert_int_eq(ntk_buf_put_u32(&b, 0xdeadbeef), 0);
	ck_assert_int_eq(ntk_buf_put_i32(&b, INT32_MIN), 0);
	ck_assert_int_eq(ntk_buf_put_i32(&b, -1), 0);
	ck_assert_int_eq(ntk_buf_put_i64(&b, INT64_MIN), 0);
	ck_assert_int_eq(ntk_buf_put_i64(&b, -2), 0);
	ck_assert_int_eq(ntk_buf_put_i64(&b, INT64_MAX), 0);
	ck_assert_uint_eq(b.len, 1 + 2 + 4 + 4 + 4 + 8 + 8 + 8);
	/* Big-endian on the wire. */
	ck_assert_uint_eq(b.data[1], 0x12);
	ck_assert_uint_eq(b.data[2], 0x34);
	ck_assert_uint_eq(b.data[3], 0xde);
	ck_assert_uint_eq(b.data[6], 0xef);

	ck_assert_int_eq(ntk_buf_get_u8(&b, &u8), 0);
	ck_assert_uint_eq(u8, 0xab);
	ck_assert_int_eq(ntk_buf_get_u16(&b, &u16), 0);
	ck_assert_uint_eq(u16, 0x1234);
	ck_assert_int_eq(ntk_buf_get_u32(&b, &u32), 0);
	ck_assert_uint_eq(u32, 0xdeadbeef);
	ck_assert_int_eq(ntk_buf_get_i32(&b, &i32), 0);
	ck_assert_int_eq(i32, INT32_MIN);
	ck_assert_int_eq(ntk_buf_get_i32(&b, &i32), 0);
	ck_assert_int_eq(i32, -1);
	ck_assert_int_eq(ntk_buf_get_i64(&b, &i64), 0);
	ck_assert(i64 == INT64_MIN);
	ck_assert_int_eq(ntk_buf_get_i64(&b, &i64), 0);
	ck_assert(i64 == -2);
	ck_assert_int_eq(ntk_buf_get_i64(&b, &i64), 0);
	ck_assert(i64 == INT64_MAX);
	ck_assert_uint_eq(ntk_buf_remaining(&b), 0);
	ck_assert_int_eq(ntk_buf_get_u8(&b, &u8), NTK_ERR_TRUNCATED);
	ntk_buf_free(&b);
}
END_TEST

/* Every getter, on every prefix too short for it: TRUNCATED, offset kept. */
START_TEST(test_getters_truncated)
{
	static const uint8_t src[16] = {
		0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	};
	struct ntk_buf b;
	uint8_t u8, bytes[16];
	uint16_t u16;
	uint32_t u32;
	int32_t i32;
	int64_t i64;
	char *s, into[32];
	size_t n;

	for (n = 0; n < 8; n++) {
		ntk_buf_view(&b, src, n);
		if (n < 1)
			ck_assert_int_eq(ntk_buf_get_u8(&b, &u8), NTK_ERR_TRUNCATED);
		if (n < 2)
			ck_assert_int_eq(ntk_buf_get_u16(&b, &u16), NTK_ERR_TRUNCATED);
		if (n < 4) {
			ck_assert_int_eq(ntk_buf_get_u32(&b, &u32), NTK_ERR_TRUNCATED);
			ck_assert_int_eq(ntk_buf_get_i32(&b, &i32), NTK_ERR_TRUNCATED);
		}
		ck_assert_int_eq(ntk_buf_get_i64(&b, &i64), NTK_ERR_TRUNCATED);
		ck_assert_int_eq(ntk_buf_get_bytes(&b, bytes, n + 1), NTK_ERR_TRUNCATED);
		/* The string claims 9 bytes; at most 4 are there. */
		ck_assert_int_eq(ntk_buf_get_str(&b, &s, 100), NTK_ERR_TRUNCATED);
		ck_assert_ptr_null(s);
		ck_assert_int_eq(ntk_buf_get_str_into(&b, into, sizeof(into)), NTK_ERR_TRUNCATED);
		ck_assert_str_eq(into, "");
		ck_assert_uint_eq(b.off, 0);
		ck_assert_uint_eq(ntk_buf_remaining(&b), n);
	}
	/* After a partial read the offset stays where the good reads left it. */
	ntk_buf_view(&b, src, 6);
	ck_assert_int_eq(ntk_buf_get_u32(&b, &u32), 0);
	ck_assert_int_eq(ntk_buf_get_u32(&b, &u32), NTK_ERR_TRUNCATED);
	ck_assert_uint_eq(b.off, 4);
	ck_assert_int_eq(ntk_buf_get_u16(&b, &u16), 0);
	ck_assert_uint_eq(u16, 0x0102);
}
END_TEST

START_TEST(test_str_round_trip)
{
	struct ntk_buf b;
	char *s = NULL, into[8];

	ntk_buf_init(&b, 1024);
	ck_assert_int_eq(ntk_buf_put_str(&b, "hello", 5), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, NULL, 5), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "", 0), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "1234567", 7), 0);
	ck_assert_uint_eq(b.len, 4 + 5 + 4 + 4 + 4 + 7);
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 5), 0);
	ck_assert_str_eq(s, "hello");
	free(s);
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 5), 0);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(ntk_buf_get_str_into(&b, into, 1), 0);
	ck_assert_str_eq(into, "");
	ck_assert_int_eq(ntk_buf_get_str_into(&b, into, sizeof(into)), 0);
	ck_assert_str_eq(into, "1234567");
	ck_assert_uint_eq(ntk_buf_remaining(&b), 0);
	ck_assert_int_eq(ntk_buf_get_str_into(&b, into, 0), NTK_ERR_BAD_VALUE);
	ntk_buf_free(&b);
}
END_TEST

START_TEST(test_str_too_long)
{
	struct ntk_buf b;
	char *s = (char *)1, into[4];
	size_t len;

	ntk_buf_init(&b, 1024);
	/* Put: refused whole, nothing written. */
	ck_assert_int_eq(ntk_buf_put_str(&b, "abcdef", 5), NTK_ERR_TOO_LONG);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "abcdef", 6), 0);
	len = b.len;
	/* Get: over max_len, refused before allocating; offset kept. */
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 5), NTK_ERR_TOO_LONG);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(b.off, 0);
	ck_assert_int_eq(ntk_buf_get_str_into(&b, into, sizeof(into)), NTK_ERR_TOO_LONG);
	ck_assert_str_eq(into, "");
	ck_assert_uint_eq(b.off, 0);
	ck_assert_uint_eq(b.len, len);
	ntk_buf_free(&b);
}
END_TEST

/* A length of 0xFFFFFFFF must not turn into a 4 GiB allocation. */
START_TEST(test_str_hostile_length)
{
	static const uint8_t src[] = { 0xff, 0xff, 0xff, 0xff, 'x' };
	static const uint8_t src2[] = { 0xff, 0xff, 0xff, 0xfc, 'x' };
	struct ntk_buf b;
	char *s;

	ntk_buf_view(&b, src, sizeof(src));
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, SIZE_MAX), NTK_ERR_TRUNCATED);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 4096), NTK_ERR_TOO_LONG);
	/* Near the top of the range, where len + 4 would wrap a 32-bit sum. */
	ntk_buf_view(&b, src2, sizeof(src2));
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, SIZE_MAX), NTK_ERR_TRUNCATED);
	ck_assert_uint_eq(b.off, 0);
}
END_TEST

START_TEST(test_str_embedded_nul)
{
	static const uint8_t mid[] = { 0, 0, 0, 3, 'a', 0, 'b' };
	static const uint8_t end[] = { 0, 0, 0, 3, 'a', 'b', 0 };
	static const uint8_t first[] = { 0, 0, 0, 1, 0 };
	struct ntk_buf b;
	char *s, into[8];

	ntk_buf_view(&b, mid, sizeof(mid));
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 10), NTK_ERR_EMBEDDED_NUL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(ntk_buf_get_str_into(&b, into, sizeof(into)), NTK_ERR_EMBEDDED_NUL);
	ck_assert_uint_eq(b.off, 0);
	/* No terminator travels on the wire, so a trailing NUL is embedded too. */
	ntk_buf_view(&b, end, sizeof(end));
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 10), NTK_ERR_EMBEDDED_NUL);
	ntk_buf_view(&b, first, sizeof(first));
	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 10), NTK_ERR_EMBEDDED_NUL);
}
END_TEST

START_TEST(test_max_enforced)
{
	struct ntk_buf b;
	uint8_t *p;

	ntk_buf_init(&b, 10);
	ck_assert_int_eq(ntk_buf_put_bytes(&b, "0123456789", 10), 0);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 1), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_buf_put_u16(&b, 1), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_buf_put_u32(&b, 1), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_buf_put_i64(&b, 1), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(ntk_buf_put_str(&b, "", 10), NTK_ERR_TOO_LONG);
	ck_assert_ptr_null(ntk_buf_reserve(&b, 1));
	ck_assert_ptr_null(ntk_buf_reserve(&b, SIZE_MAX));
	ck_assert_uint_eq(b.len, 10);
	ck_assert_uint_le(b.cap, 10);
	ck_assert_int_eq(memcmp(b.data, "0123456789", 10), 0);

	/* A string that does not fit whole writes nothing. */
	ntk_buf_reset(&b);
	ck_assert_int_eq(ntk_buf_put_u32(&b, 7), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "abc", 10), NTK_ERR_TOO_LONG);
	ck_assert_uint_eq(b.len, 4);

	/* Reserve and commit: only what was reserved is committed. */
	ntk_buf_reset(&b);
	ck_assert_ptr_nonnull(p = ntk_buf_reserve(&b, 4));
	memcpy(p, "wxyz", 4);
	ntk_buf_commit(&b, 4);
	ck_assert_uint_eq(b.len, 4);
	ntk_buf_commit(&b, SIZE_MAX);
	ck_assert_uint_eq(b.len, 4);
	ntk_buf_free(&b);
	ck_assert_uint_eq(b.max, 10);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);

	/* A zero max holds nothing at all. */
	ntk_buf_init(&b, 0);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 1), NTK_ERR_TOO_LONG);
	ntk_buf_free(&b);
}
END_TEST

START_TEST(test_growth)
{
	struct ntk_buf b;
	uint32_t i, v;

	ntk_buf_init(&b, 4 * 100000);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(ntk_buf_put_u32(&b, i * 2654435761u), 0);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 0), NTK_ERR_TOO_LONG);
	ck_assert_uint_le(b.cap, b.max);
	ck_assert_uint_eq(b.len, 400000);
	for (i = 0; i < 100000; i++) {
		ck_assert_int_eq(ntk_buf_get_u32(&b, &v), 0);
		ck_assert_uint_eq(v, i * 2654435761u);
	}
	/* Reset keeps the storage. */
	ntk_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.off, 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 5), 0);
	ntk_buf_free(&b);
	ntk_buf_free(NULL);
}
END_TEST

START_TEST(test_view)
{
	struct ntk_buf b;
	char *s;
	uint8_t u8;

	ntk_buf_view(&b, ro_bytes, sizeof(ro_bytes));
	ck_assert_uint_eq(ntk_buf_remaining(&b), sizeof(ro_bytes));
	ck_assert_ptr_eq(ntk_buf_ptr(&b), ro_bytes);
	/* Never written: every put and reserve is refused. */
	ck_assert_int_ne(ntk_buf_put_u8(&b, 1), 0);
	ck_assert_int_ne(ntk_buf_put_str(&b, "x", 10), 0);
	ck_assert_ptr_null(ntk_buf_reserve(&b, 1));
	ck_assert_ptr_null(ntk_buf_reserve(&b, 0));
	ntk_buf_commit(&b, 1);
	ck_assert_uint_eq(b.len, sizeof(ro_bytes));

	ck_assert_int_eq(ntk_buf_get_str(&b, &s, 3), 0);
	ck_assert_str_eq(s, "abc");
	free(s);
	ck_assert_ptr_eq(ntk_buf_ptr(&b), ro_bytes + 7);
	ck_assert_int_eq(ntk_buf_get_u8(&b, &u8), 0);
	ck_assert_uint_eq(u8, 0x7f);

	/* Never freed: free and reset leave the caller's memory alone. */
	ntk_buf_free(&b);
	ck_assert_ptr_null(b.data);
	ntk_buf_view(&b, ro_bytes, sizeof(ro_bytes));
	ntk_buf_reset(&b);
	ck_assert_uint_eq(ntk_buf_remaining(&b), 0);
	ck_assert_int_ne(ntk_buf_put_u8(&b, 1), 0);
	ntk_buf_free(&b);

	ntk_buf_view(&b, NULL, 0);
	ck_assert_uint_eq(ntk_buf_remaining(&b), 0);
	ck_assert_ptr_null(ntk_buf_ptr(&b));
	ck_assert_int_eq(ntk_buf_get_u8(&b, &u8), NTK_ERR_TRUNCATED);
	ntk_buf_free(&b);
}
END_TEST

/* Reading a socket into the buffer and consuming from the front, as ntkd's connections do. */
START_TEST(test_recv_consume)
{
	struct ntk_buf b, v;
	size_t got;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ntk_buf_init(&b, 8);
	/* Nothing yet: 0 bytes, not an error. */
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 4, &got), 0);
	ck_assert_uint_eq(got, 0);
	ck_assert_int_eq(write(sv[1], "abcdefghij", 10), 10);
	/* At most `want`, then never past max. */
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 4, &got), 0);
	ck_assert_uint_eq(got, 4);
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 100, &got), 0);
	ck_assert_uint_eq(got, 4);
	ck_assert_uint_eq(ntk_buf_remaining(&b), 8);
	ck_assert_int_eq(memcmp(ntk_buf_ptr(&b), "abcdefgh", 8), 0);
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 4, &got), NTK_ERR_TOO_LONG);
	/* Consuming makes room again at the end. */
	ck_assert_int_eq(ntk_buf_consume(&b, 9), NTK_ERR_TRUNCATED);
	ck_assert_int_eq(ntk_buf_consume(&b, 6), 0);
	ck_assert_int_eq(memcmp(ntk_buf_ptr(&b), "gh", 2), 0);
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 100, &got), 0);
	ck_assert_uint_eq(got, 2);
	ck_assert_uint_eq(ntk_buf_remaining(&b), 4);
	ck_assert_int_eq(memcmp(ntk_buf_ptr(&b), "ghij", 4), 0);
	ck_assert_int_eq(ntk_buf_consume(&b, 4), 0);
	ck_assert_uint_eq(ntk_buf_remaining(&b), 0);
	/* The peer hung up. */
	close(sv[1]);
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 4, &got), NTK_ERR_CLOSED);
	/* A closed fd is an I/O error; a view is never written. */
	close(sv[0]);
	ck_assert_int_eq(ntk_buf_recv(&b, sv[0], 4, &got), NTK_ERR_IO);
	ntk_buf_view(&v, ro_bytes, sizeof(ro_bytes));
	ck_assert_int_eq(ntk_buf_recv(&v, sv[0], 4, &got), NTK_ERR_INTERNAL);
	ck_assert_int_eq(ntk_buf_consume(&v, 2), 0);
	ck_assert_ptr_eq(ntk_buf_ptr(&v), ro_bytes + 2);
	ntk_buf_free(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("ntk_buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ints_round_trip);
	tcase_add_test(tc, test_getters_truncated);
	tcase_add_test(tc, test_str_round_trip);
	tcase_add_test(tc, test_str_too_long);
	tcase_add_test(tc, test_str_hostile_length);
	tcase_add_test(tc, test_str_embedded_nul);
	tcase_add_test(tc, test_max_enforced);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_view);
	tcase_add_test(tc, test_recv_consume);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(buf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
