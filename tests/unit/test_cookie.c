/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include "../../src/lib/http.h"

Test(cookie, finds_value)
{
	char	 v[64];

	cr_assert_eq(cookie_get("a=1; __Host-mcp_session=abc_DEF-9; b=2",
	    "__Host-mcp_session", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "abc_DEF-9");
	cr_assert_eq(cookie_get("a=1;b=2", "b", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "2");
}

Test(cookie, absent)
{
	char	 v[64];

	cr_assert_eq(cookie_get(NULL, "a", v, sizeof(v)), 0);
	cr_assert_eq(cookie_get("", "a", v, sizeof(v)), 0);
	cr_assert_eq(cookie_get("ab=1; xa=2", "a", v, sizeof(v)), 0,
	    "names must match exactly, not as prefix or suffix");
	cr_assert_eq(cookie_get("a", "a", v, sizeof(v)), 0);
}

Test(cookie, quoted_and_empty)
{
	char	 v[64];

	cr_assert_eq(cookie_get("a=\"xyz\"", "a", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "xyz");
	cr_assert_eq(cookie_get("a=; b=1", "a", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "");
}

/* Two cookies of one name: one was tossed by another host; take none. */
Test(cookie, duplicates_are_refused)
{
	char	 v[64];

	cr_assert_eq(cookie_get("s=first; s=second", "s", v, sizeof(v)), -1);
	cr_assert_eq(cookie_get("s=one; t=x; s=one", "s", v, sizeof(v)), -1);
	cr_assert_eq(cookie_get("s=one; ss=x; xs=y", "s", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "one");
}

Test(cookie, too_long_or_bad_bytes)
{
	char	 v[4];

	cr_assert_eq(cookie_get("a=abcd", "a", v, sizeof(v)), -1);
	cr_assert_eq(cookie_get("a=abc", "a", v, sizeof(v)), 1);
	cr_assert_eq(cookie_get("a=a\\b", "a", v, sizeof(v)), -1);
	cr_assert_eq(cookie_get("a=a\x01", "a", v, sizeof(v)), -1);
	cr_assert_eq(cookie_get("a=\xc3\xa9", "a", v, sizeof(v)), -1);
}

Test(cookie, whitespace_tolerated)
{
	char	 v[16];

	cr_assert_eq(cookie_get("  a=1 ;\tb=2  ", "b", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "2");
}
