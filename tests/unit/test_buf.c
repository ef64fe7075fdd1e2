/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/buf.h"

Test(buf, starts_empty)
{
	struct buf	 b;

	buf_init(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(buf_cstr(&b), "");
	cr_assert_not(buf_failed(&b));
	buf_free(&b);
}

Test(buf, appends_and_grows)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "abc");
	cr_assert_eq(b.len, 3000);
	cr_assert_eq(strlen(buf_cstr(&b)), 3000);
	cr_assert_eq(strncmp(b.data + 2997, "abc", 3), 0);
	buf_free(&b);
}

Test(buf, printf_formats)
{
	struct buf	 b;

	buf_init(&b);
	buf_printf(&b, "%s=%d", "n", 42);
	buf_putc(&b, ';');
	buf_printf(&b, "%05.1f", 3.14159);
	cr_assert_str_eq(buf_cstr(&b), "n=42;003.1");
	buf_free(&b);
}

Test(buf, append_binary_keeps_nul)
{
	struct buf	 b;

	buf_init(&b);
	buf_append(&b, "a\0b", 3);
	cr_assert_eq(b.len, 3);
	cr_assert_eq(memcmp(b.data, "a\0b", 3), 0);
	cr_assert_eq(b.data[3], '\0');
	buf_free(&b);
}

Test(buf, reset_keeps_allocation)
{
	struct buf	 b;
	char		*p;

	buf_init(&b);
	buf_puts(&b, "hello");
	p = b.data;
	buf_reset(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(buf_cstr(&b), "");
	buf_puts(&b, "x");
	cr_assert_eq(b.data, p);
	buf_free(&b);
}

Test(buf, overflow_sets_sticky_error)
{
	struct buf	 b;

	buf_init(&b);
	buf_puts(&b, "x");
	buf_append(&b, "y", (size_t)-1 / 2);
	cr_assert(buf_failed(&b));
	buf_puts(&b, "z");
	cr_assert_eq(b.len, 1, "appends after a failure do nothing");
	buf_free(&b);
}
