/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/form.h"

static struct form	 f;

static void
setup(void)
{
	form_init(&f);
}

static void
teardown(void)
{
	form_free(&f);
}

static int
parse(const char *s)
{
	return form_parse(s, strlen(s), NULL, &f);
}

TestSuite(form, .init = setup, .fini = teardown);

Test(form, simple_pairs)
{
	cr_assert_eq(parse("a=1&b=two&c=3"), FORM_OK);
	cr_assert_eq(f.len, 3);
	cr_assert_str_eq(form_get(&f, "a"), "1");
	cr_assert_str_eq(form_get(&f, "b"), "two");
	cr_assert_str_eq(form_get(&f, "c"), "3");
	cr_assert_null(form_get(&f, "d"));
}

Test(form, percent_and_plus)
{
	cr_assert_eq(parse("redirect_uri=https%3A%2F%2Fx.example%2Fcb%3Fa%3D1"
	    "&scope=notes%3Aread+mcp&sp=a%20b"), FORM_OK);
	cr_assert_str_eq(form_get(&f, "redirect_uri"),
	    "https://x.example/cb?a=1");
	cr_assert_str_eq(form_get(&f, "scope"), "notes:read mcp");
	cr_assert_str_eq(form_get(&f, "sp"), "a b");
}

Test(form, lowercase_hex_and_utf8)
{
	cr_assert_eq(parse("n=%c3%a9t%C3%A9"), FORM_OK);
	cr_assert_str_eq(form_get(&f, "n"), "\xc3\xa9t\xc3\xa9");
}

Test(form, encoded_names)
{
	cr_assert_eq(parse("grant%5Ftype=x"), FORM_OK);
	cr_assert_str_eq(form_get(&f, "grant_type"), "x");
}

Test(form, empty_value_is_omitted)
{
	cr_assert_eq(parse("a=&b&c=1"), FORM_OK);
	cr_assert_null(form_get(&f, "a"));
	cr_assert_null(form_get(&f, "b"));
	cr_assert_str_eq(form_get(&f, "c"), "1");
}

Test(form, empty_segments_skipped)
{
	cr_assert_eq(parse("&&a=1&&&b=2&"), FORM_OK);
	cr_assert_eq(f.len, 2);
}

Test(form, empty_input)
{
	cr_assert_eq(parse(""), FORM_OK);
	cr_assert_eq(f.len, 0);
}

Test(form, value_with_equals)
{
	cr_assert_eq(parse("state=a=b=c"), FORM_OK);
	cr_assert_str_eq(form_get(&f, "state"), "a=b=c");
}

Test(form, duplicate_refused)
{
	cr_assert_eq(parse("code=1&x=2&code=3"), FORM_EDUP);
	cr_assert_str_eq(f.bad_name, "code");
	cr_assert_eq(f.len, 0, "a failed parse leaves no fields");
}

Test(form, duplicate_through_encoding_refused)
{
	cr_assert_eq(parse("scope=a&sc%6Fpe=b"), FORM_EDUP);
	cr_assert_str_eq(f.bad_name, "scope");
}

Test(form, bad_escapes)
{
	cr_assert_eq(parse("a=%"), FORM_EESCAPE);
	cr_assert_eq(parse("a=%4"), FORM_EESCAPE);
	cr_assert_eq(parse("a=%zz"), FORM_EESCAPE);
	cr_assert_eq(parse("a=%4g"), FORM_EESCAPE);
	cr_assert_eq(parse("%=1"), FORM_EESCAPE);
	cr_assert_eq(parse("a=ok&b=%%41"), FORM_EESCAPE);
	cr_assert_str_eq(f.bad_name, "b");
}

Test(form, nul_refused)
{
	cr_assert_eq(parse("a=x%00y"), FORM_ENUL);
	cr_assert_eq(parse("a%00=1"), FORM_ENUL);
	cr_assert_eq(form_parse("a=x\0y", 5, NULL, &f), FORM_ENUL,
	    "a raw NUL byte is refused too");
}

Test(form, empty_name_refused)
{
	cr_assert_eq(parse("=1"), FORM_ENAME);
}

/* Limits with longer names still report at most FORM_NAME_MAX of one. */
Test(form, bad_name_is_cut_to_its_room)
{
	struct form_limits	 lim = { 1024, 8, 200, 10 };
	char			 in[300];

	memset(in, 'n', 150);
	memcpy(in + 150, "=01234567890", 13);
	cr_assert_eq(form_parse(in, strlen(in), &lim, &f), FORM_EVALUE);
	cr_assert_eq(strlen(f.bad_name), FORM_NAME_MAX);
	cr_assert_eq(strspn(f.bad_name, "n"), FORM_NAME_MAX);
	cr_assert_eq(form_default_limits.name, FORM_NAME_MAX);
}

Test(form, limits)
{
	struct form_limits	 lim = { 100, 3, 8, 10 };
	char			 big[200];

	cr_assert_eq(form_parse("a=1&b=2&c=3", 11, &lim, &f), FORM_OK);
	cr_assert_eq(form_parse("a=1&b=2&c=3&d=4", 15, &lim, &f), FORM_ECOUNT);
	cr_assert_eq(form_parse("abcdefghi=1", 11, &lim, &f), FORM_ENAME);
	cr_assert_eq(form_parse("abcdefgh=1", 10, &lim, &f), FORM_OK);
	cr_assert_eq(form_parse("a=01234567890", 13, &lim, &f), FORM_EVALUE);
	cr_assert_str_eq(f.bad_name, "a");
	cr_assert_eq(form_parse("a=0123456789", 12, &lim, &f), FORM_OK);
	/* The value limit applies after decoding: %41 is one byte. */
	cr_assert_eq(form_parse("a=%41%41%41%41%41%41%41%41%41%41", 32, &lim,
	    &f), FORM_OK);
	memset(big, 'a', sizeof(big));
	cr_assert_eq(form_parse(big, sizeof(big), &lim, &f), FORM_ETOTAL);
}

Test(form, default_limits_enforced)
{
	static char	 s[70 * 1024];

	memset(s, 'x', sizeof(s));
	memcpy(s, "a=", 2);
	cr_assert_eq(form_parse(s, sizeof(s), NULL, &f), FORM_ETOTAL);
	cr_assert_eq(form_parse(s, 9 * 1024, NULL, &f), FORM_EVALUE);
}

Test(form, strerror_covers_all)
{
	int	 i;

	for (i = FORM_OK; i <= FORM_EDUP; i++)
		cr_assert_str_neq(form_strerror(i), "unknown error");
}

Test(form, percent_decode_direct)
{
	char	 out[16];
	size_t	 n;

	cr_assert_eq(percent_decode("a%2Bb+c", 7, out, &n), FORM_OK);
	cr_assert_str_eq(out, "a+b c");
	cr_assert_eq(n, 5);
}
