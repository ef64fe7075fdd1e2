/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/http.h"

static struct http_auth	 a;

Test(httpauth, none)
{
	cr_assert_eq(http_auth_parse(NULL, &a), HTTP_AUTH_OK);
	cr_assert_eq(a.scheme, HTTP_AUTH_NONE);
}

Test(httpauth, bearer)
{
	const char	*h = "Bearer mcpat_abc-DEF_123.~+/==";

	cr_assert_eq(http_auth_parse(h, &a), HTTP_AUTH_OK);
	cr_assert_eq(a.scheme, HTTP_AUTH_BEARER);
	cr_assert_eq(a.token_len, strlen("mcpat_abc-DEF_123.~+/=="));
	cr_assert_eq(strncmp(a.token, "mcpat_abc-DEF_123.~+/==", a.token_len),
	    0);
}

Test(httpauth, bearer_scheme_case_insensitive_and_spaces)
{
	cr_assert_eq(http_auth_parse("bEaReR   tok  ", &a), HTTP_AUTH_OK);
	cr_assert_eq(a.scheme, HTTP_AUTH_BEARER);
	cr_assert_eq(a.token_len, 3);
	cr_assert_eq(strncmp(a.token, "tok", 3), 0);
}

Test(httpauth, bearer_malformed)
{
	cr_assert_eq(http_auth_parse("Bearer ", &a), HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Bearer a b", &a), HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Bearer a=b", &a), HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Bearer =", &a), HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Bearer a\"b", &a), HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Bearer \xc3\xa9", &a),
	    HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Bearertoken", &a), HTTP_AUTH_OK);
	cr_assert_eq(a.scheme, HTTP_AUTH_OTHER, "no space: another scheme");
}

Test(httpauth, bearer_too_long)
{
	static char	 h[HTTP_AUTH_TOKEN_MAX + 16];

	memcpy(h, "Bearer ", 7);
	memset(h + 7, 'a', HTTP_AUTH_TOKEN_MAX);
	h[7 + HTTP_AUTH_TOKEN_MAX] = '\0';
	cr_assert_eq(http_auth_parse(h, &a), HTTP_AUTH_OK);
	h[7 + HTTP_AUTH_TOKEN_MAX] = 'a';
	h[8 + HTTP_AUTH_TOKEN_MAX] = '\0';
	cr_assert_eq(http_auth_parse(h, &a), HTTP_AUTH_ETOOLONG);
}

Test(httpauth, basic)
{
	/* base64("client1:s3cr:et") */
	cr_assert_eq(http_auth_parse("Basic Y2xpZW50MTpzM2NyOmV0", &a),
	    HTTP_AUTH_OK);
	cr_assert_eq(a.scheme, HTTP_AUTH_BASIC);
	cr_assert_str_eq(a.user, "client1");
	cr_assert_str_eq(a.password, "s3cr:et");
	http_auth_clear(&a);
	cr_assert_eq(a.password[0], '\0');
}

Test(httpauth, basic_form_decoding)
{
	/* base64("my%20client:p%2Bw+d") per RFC 6749 §2.3.1 */
	cr_assert_eq(http_auth_parse("Basic bXklMjBjbGllbnQ6cCUyQncrZA==", &a),
	    HTTP_AUTH_OK);
	cr_assert_str_eq(a.user, "my client");
	cr_assert_str_eq(a.password, "p+w d");
}

Test(httpauth, basic_malformed)
{
	cr_assert_eq(http_auth_parse("Basic !!!!", &a), HTTP_AUTH_EMALFORMED);
	/* base64("nocolon") */
	cr_assert_eq(http_auth_parse("Basic bm9jb2xvbg==", &a),
	    HTTP_AUTH_EMALFORMED);
	/* base64(":secret"): empty user */
	cr_assert_eq(http_auth_parse("Basic OnNlY3JldA==", &a),
	    HTTP_AUTH_EMALFORMED);
	/* base64("a%zz:b") */
	cr_assert_eq(http_auth_parse("Basic YSV6ejpi", &a),
	    HTTP_AUTH_EMALFORMED);
	/* base64("a\0b:c") */
	cr_assert_eq(http_auth_parse("Basic YQBiOmM=", &a),
	    HTTP_AUTH_EMALFORMED);
	cr_assert_eq(http_auth_parse("Basic ", &a), HTTP_AUTH_EMALFORMED);
}

Test(httpauth, other_scheme)
{
	cr_assert_eq(http_auth_parse("Digest username=x", &a), HTTP_AUTH_OK);
	cr_assert_eq(a.scheme, HTTP_AUTH_OTHER);
}
