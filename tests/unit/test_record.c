/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/record.h"

Test(record, round_trip)
{
	struct buf		 b;
	struct rec_reader	 r;
	unsigned char		 bytes[4] = { 1, 2, 3, 4 }, got[4];
	char			*s, *e;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, 7);
	rec_put_u32(&b, 0xdeadbeef);
	rec_put_u64(&b, 0x0102030405060708ULL);
	rec_put_i64(&b, -42);
	rec_put_str(&b, "hello");
	rec_put_str(&b, NULL);
	rec_put_bytes(&b, bytes, 4);
	cr_assert_not(buf_failed(&b));
	cr_assert_eq((unsigned char)b.data[0], RECORD_VERSION);

	rec_reader_init(&r, b.data, b.len);
	cr_assert_eq(rec_get_u8(&r), 7);
	cr_assert_eq(rec_get_u32(&r), 0xdeadbeef);
	cr_assert_eq(rec_get_u64(&r), 0x0102030405060708ULL);
	cr_assert_eq(rec_get_i64(&r), -42);
	s = rec_get_str(&r);
	e = rec_get_str(&r);
	cr_assert_str_eq(s, "hello");
	cr_assert_str_eq(e, "");
	cr_assert_eq(rec_get_bytes(&r, got, 4), 0);
	cr_assert_eq(memcmp(got, bytes, 4), 0);
	cr_assert(rec_reader_ok(&r));
	free(s);
	free(e);
	buf_free(&b);
}

Test(record, big_endian_layout)
{
	struct buf	 b;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, 0x01020304);
	rec_put_str(&b, "ab");
	cr_assert_eq(b.len, 1 + 4 + 2 + 2);
	cr_assert_eq(memcmp(b.data, "\x01\x01\x02\x03\x04\x00\x02" "ab", 9), 0);
	buf_free(&b);
}

Test(record, wrong_version_refused)
{
	struct rec_reader	 r;

	rec_reader_init(&r, "\x02\x00", 2);
	cr_assert_not(rec_reader_ok(&r));
	rec_reader_init(&r, "", 0);
	cr_assert_not(rec_reader_ok(&r));
}

Test(record, truncation_is_sticky)
{
	struct rec_reader	 r;

	rec_reader_init(&r, "\x01\x00\x00", 3);
	cr_assert_eq(rec_get_u32(&r), 0);
	cr_assert_eq(rec_get_u8(&r), 0, "after an error every get is zero");
	cr_assert_null(rec_get_str(&r));
	cr_assert_not(rec_reader_ok(&r));
}

Test(record, string_length_past_end)
{
	struct rec_reader	 r;

	rec_reader_init(&r, "\x01\x00\x05" "abc", 6);
	cr_assert_null(rec_get_str(&r));
	cr_assert_not(rec_reader_ok(&r));
}

Test(record, embedded_nul_refused)
{
	struct rec_reader	 r;

	rec_reader_init(&r, "\x01\x00\x03" "a\0c", 6);
	cr_assert_null(rec_get_str(&r));
	cr_assert_not(rec_reader_ok(&r));
}

/* Fields added at the end of a format are read only when present. */
Test(record, left_tells_what_remains)
{
	struct rec_reader	 r;

	rec_reader_init(&r, "\x01\x05\x09\x0a", 4);
	cr_assert_eq(rec_reader_left(&r), 3);
	cr_assert_eq(rec_get_u8(&r), 5);
	cr_assert_eq(rec_reader_left(&r), 2);
	cr_assert_eq(rec_get_u32(&r), 0, "past the end");
	cr_assert_eq(rec_reader_left(&r), 0, "nothing after an error");
	cr_assert_not(rec_reader_ok(&r));
}

Test(record, trailing_bytes_refused)
{
	struct rec_reader	 r;

	rec_reader_init(&r, "\x01\x05\x09", 3);
	cr_assert_eq(rec_get_u8(&r), 5);
	cr_assert_not(rec_reader_ok(&r), "an unread byte means a wrong layout");
}

Test(record, oversize_string_fails_buffer)
{
	struct buf	 b;
	char		*s = malloc(RECORD_STR_MAX + 2);

	memset(s, 'a', RECORD_STR_MAX + 1);
	s[RECORD_STR_MAX + 1] = '\0';
	buf_init(&b);
	rec_begin(&b);
	rec_put_str(&b, s);
	cr_assert(buf_failed(&b));
	free(s);
	buf_free(&b);
}
