/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: reading an answer's headers and body, the
 * parts that see what a (possibly hostile) server sent.
 */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>

#include "../../src/admin/doctor.h"

static void
resp_with(struct dr_resp *r, const char *headers, const char *body)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->headers);
	buf_init(&r->body);
	buf_init(&r->cert_pem);
	buf_puts(&r->headers, headers);
	buf_puts(&r->body, body);
}

Test(doctor, header_lookup_is_by_whole_name_in_any_case)
{
	struct dr_resp	 r;
	char		 v[64];

	resp_with(&r, "HTTP/1.1 401 Unauthorized\r\n"
	    "Dates: no\r\n"
	    "www-authenticate:  Bearer error=\"invalid_token\"  \r\n"
	    "\r\n", "");
	cr_assert_eq(dr_header(&r, "WWW-Authenticate", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "Bearer error=\"invalid_token\"");
	cr_assert_eq(dr_header(&r, "Date", v, sizeof(v)), 0);
	cr_assert_str_eq(v, "");
	dr_resp_free(&r);
}

Test(doctor, repeated_headers_are_joined)
{
	struct dr_resp	 r;
	char		 v[64];

	resp_with(&r, "HTTP/1.1 204 No Content\r\n"
	    "Access-Control-Expose-Headers: Mcp-Session-Id\r\n"
	    "Access-Control-Expose-Headers: WWW-Authenticate\r\n", "");
	cr_assert_eq(dr_header(&r, "access-control-expose-headers", v,
	    sizeof(v)), 1);
	cr_assert_str_eq(v, "Mcp-Session-Id, WWW-Authenticate");
	dr_resp_free(&r);
}

Test(doctor, header_values_are_cut_to_the_buffer)
{
	struct dr_resp	 r;
	char		 v[8];

	resp_with(&r, "X-Long: 0123456789\r\nX-Long: abcdef\r\n", "");
	cr_assert_eq(dr_header(&r, "X-Long", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "0123456");
	dr_resp_free(&r);
}

Test(doctor, json_bodies_must_be_objects)
{
	struct dr_resp		 r;
	struct json_object	*o;
	char			 deep[200];

	resp_with(&r, "", "{\"issuer\":\"https://a.example\",\"n\":1}");
	cr_assert_not_null(o = dr_json(&r));
	cr_assert_str_eq(dr_json_str(o, "issuer"), "https://a.example");
	cr_assert_null(dr_json_str(o, "n"));
	cr_assert_null(dr_json_str(o, "missing"));
	json_object_put(o);
	dr_resp_free(&r);

	resp_with(&r, "", "[\"not an object\"]");
	cr_assert_null(dr_json(&r));
	dr_resp_free(&r);
	resp_with(&r, "", "{\"a\":1} trailing");
	cr_assert_null(dr_json(&r));
	dr_resp_free(&r);

	/* Nesting beyond the parser's depth is refused, not recursed. */
	memset(deep, '[', 100);
	memset(deep + 100, ']', 99);
	deep[199] = '\0';
	resp_with(&r, "", deep);
	cr_assert_null(dr_json(&r));
	dr_resp_free(&r);
}
