/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/http.h"

Test(escape, html)
{
	struct buf	 b;

	buf_init(&b);
	html_escape(&b, "<script>alert('x') & \"y\"</script>");
	cr_assert_str_eq(buf_cstr(&b), "&lt;script&gt;alert(&#39;x&#39;) "
	    "&amp; &quot;y&quot;&lt;/script&gt;");
	buf_reset(&b);
	html_escape(&b, "plain \xc3\xa9");
	cr_assert_str_eq(buf_cstr(&b), "plain \xc3\xa9");
	buf_reset(&b);
	html_escape(&b, "");
	cr_assert_str_eq(buf_cstr(&b), "");
	buf_free(&b);
}

Test(escape, json)
{
	struct buf	 b;

	buf_init(&b);
	json_escape(&b, "a\"b\\c\nd\te\x01</x>");
	cr_assert_str_eq(buf_cstr(&b),
	    "a\\\"b\\\\c\\nd\\te\\u0001\\u003c/x\\u003e");
	buf_reset(&b);
	json_escape(&b, "\xe2\x82\xac");
	cr_assert_str_eq(buf_cstr(&b), "\xe2\x82\xac");
	buf_free(&b);
}

Test(escape, url)
{
	struct buf	 b;

	buf_init(&b);
	url_escape(&b, "a b&c=d/e?f~g-h.i_j%");
	cr_assert_str_eq(buf_cstr(&b), "a%20b%26c%3Dd%2Fe%3Ff~g-h.i_j%25");
	buf_reset(&b);
	url_escape(&b, "\xc3\xa9");
	cr_assert_str_eq(buf_cstr(&b), "%C3%A9");
	buf_free(&b);
}
