/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: reading an answer's headers and body, the
 * parts that see what a (possibly hostile) server sent; the URL given
 * and the URLs a server names; WWW-Authenticate; CORS lists; and
 * httpc_exchange() failing closed.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../src/admin/doctor.h"
#include "../../src/lib/httpclient.h"

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

Test(doctor, a_header_too_long_for_the_buffer_is_reported)
{
	struct dr_resp	 r;
	char		 v[8];

	resp_with(&r, "X-Long: 0123456789\r\nX-Long: abcdef\r\n"
	    "X-Fits: 0123456\r\nX-Join: 0123\r\nX-Join: 45\r\n"
	    "X-Sep: 012345\r\nX-Sep: 6\r\n", "");
	cr_assert_eq(dr_header(&r, "X-Long", v, sizeof(v)), -1);
	cr_assert_str_eq(v, "0123456");
	cr_assert_eq(dr_header(&r, "X-Fits", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "0123456");
	/* Joined, "0123, 45" is eight bytes: one too many. */
	cr_assert_eq(dr_header(&r, "X-Join", v, sizeof(v)), -1);
	/* No room even for the separator of the second line. */
	cr_assert_eq(dr_header(&r, "X-Sep", v, sizeof(v)), -1);
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

Test(doctor, strings_with_a_nul_byte_are_no_strings)
{
	struct dr_resp		 r;
	struct json_object	*o, *a;

	resp_with(&r, "", "{\"issuer\":\"https://a\\u0000evil\","
	    "\"m\":[\"S256\\u0000x\",\"plain\"]}");
	cr_assert_not_null(o = dr_json(&r));
	/* Cut at the NUL, it would equal "https://a". */
	cr_assert_null(dr_json_str(o, "issuer"));
	cr_assert(json_object_object_get_ex(o, "m", &a));
	cr_assert_null(dr_json_string(json_object_array_get_idx(a, 0)));
	cr_assert_str_eq(dr_json_string(json_object_array_get_idx(a, 1)),
	    "plain");
	json_object_put(o);
	dr_resp_free(&r);
}

static int
parse(struct doctor *d, const char *url)
{
	char	 err[512];

	memset(d, 0, sizeof(*d));
	return dr_parse_url(d, url, err, sizeof(err));
}

Test(doctor, parse_url_splits_and_normalises)
{
	struct doctor	 d;

	cr_assert_eq(parse(&d, "HTTPS://Example.COM/mcp"), 0);
	cr_assert_str_eq(d.site, "https://example.com");
	cr_assert_str_eq(d.base, "https://example.com");
	cr_assert_str_eq(d.prefix, "");
	cr_assert_str_eq(d.mcp_url, "https://example.com/mcp");
	cr_assert_eq(d.tls, 1);

	/* The default port is dropped, as clients serialise origins. */
	cr_assert_eq(parse(&d, "https://example.com:443/mcp-auth/mcp"), 0);
	cr_assert_str_eq(d.site, "https://example.com");
	cr_assert_str_eq(d.base, "https://example.com/mcp-auth");
	cr_assert_str_eq(d.prefix, "/mcp-auth");
	cr_assert_str_eq(d.mcp_path, "/mcp-auth/mcp");
	cr_assert_str_eq(d.mcp_url, "https://example.com/mcp-auth/mcp");
	cr_assert_eq(parse(&d, "http://127.0.0.1:80/mcp"), 0);
	cr_assert_str_eq(d.site, "http://127.0.0.1");
	cr_assert_eq(d.tls, 0);
	/* Dots inside a segment are no dot segment. */
	cr_assert_eq(parse(&d, "https://example.com/a.b/...x/mcp"), 0);
	cr_assert_eq(parse(&d, "https://example.com:/mcp"), 0);
	cr_assert_str_eq(d.site, "https://example.com");
	/* Another port stays, without its leading zeros. */
	cr_assert_eq(parse(&d, "https://example.com:08443/mcp"), 0);
	cr_assert_str_eq(d.site, "https://example.com:8443");
	cr_assert_eq(parse(&d, "https://example.com:80/mcp"), 0);
	cr_assert_str_eq(d.site, "https://example.com:80");
	cr_assert_eq(parse(&d, "https://[::1]:8443/mcp"), 0);
	cr_assert_str_eq(d.site, "https://[::1]:8443");
	cr_assert_eq(parse(&d, "https://[::1]:443/mcp"), 0);
	cr_assert_str_eq(d.site, "https://[::1]");
}

Test(doctor, parse_url_refuses)
{
	static const char *const bad[] = {
		"ftp://example.com/mcp",
		"https://example.com/",
		"https://example.com/mcp/",
		"https://user@example.com/mcp",
		"https://user:pw@example.com/mcp",
		"https://example.com/mcp#frag",
		"https://example.com/mcp?x=1",
		"https://example.com/m\x01/mcp",
		"https://example.com/\x7f/mcp",
		"https://example.com/\xc2\x9b/mcp",
		"https://exa mple.com/mcp",
		"https://example.com\\@evil.example/mcp",
		"https://example.com/\"/mcp",
		"https://example.com:0/mcp",
		"https://example.com:65536/mcp",
		"https://example.com:12x/mcp",
		"https://example.com:1:2/mcp",
		"https://[::1/mcp",
		"https://[]/mcp",
		"https:///mcp",
		"https://example.com//mcp",
		"https://example.com/a//mcp",
		"https://example.com/a/../mcp",
		"https://example.com/./mcp",
		"https://example.com/../mcp",
		"https://example.com/a/%2e%2E/mcp",
		"https://example.com/%2e/mcp",
		NULL
	};
	struct doctor	 d;
	char		 longurl[DR_URL_MAX + 8];
	size_t		 i;

	for (i = 0; bad[i] != NULL; i++)
		cr_assert_eq(parse(&d, bad[i]), -1, "%s accepted", bad[i]);
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "https://", 8);
	memcpy(longurl + sizeof(longurl) - 5, "/mcp", 4);
	cr_assert_eq(parse(&d, longurl), -1);
}

Test(doctor, on_site_is_the_origin_and_a_path)
{
	struct doctor	 d;

	cr_assert_eq(parse(&d, "https://example.com/sub/mcp"), 0);
	cr_assert(dr_on_site(&d, "https://example.com/sub/token"));
	cr_assert(dr_on_site(&d, "https://EXAMPLE.com/x"));
	cr_assert_not(dr_on_site(&d, "https://example.com"));
	cr_assert_not(dr_on_site(&d, "https://example.com.evil/x"));
	cr_assert_not(dr_on_site(&d, "https://example.com@evil/x"));
	cr_assert_not(dr_on_site(&d, "https://example.com:8443/x"));
	cr_assert_not(dr_on_site(&d, "http://example.com/x"));
	cr_assert_not(dr_on_site(&d, "https://evil.example/x"));
	cr_assert_not(dr_on_site(&d, "https://example.com/\r\nX: y"));
	cr_assert_not(dr_on_site(&d, NULL));
	cr_assert_eq(parse(&d, "http://127.0.0.1:8080/mcp"), 0);
	cr_assert(dr_on_site(&d, "http://127.0.0.1:8080/register"));
	cr_assert_not(dr_on_site(&d, "https://127.0.0.1:8080/register"));
}

static const char *
param(const char *h, const char *name)
{
	static char	 out[256];
	int		 rc;

	rc = dr_challenge_param(h, "Bearer", name, out, sizeof(out));
	if (rc == -1)
		return "(malformed)";
	return rc == 1 ? out : NULL;
}

Test(doctor, challenge_params_as_rfc_9110_has_them)
{
	/* Token or quoted-string, names and scheme in any case, BWS. */
	cr_assert_str_eq(param("Bearer resource_metadata=\"https://a/x\"",
	    "resource_metadata"), "https://a/x");
	cr_assert_str_eq(param("bearer Resource_Metadata = \"https://a/x\"",
	    "resource_metadata"), "https://a/x");
	cr_assert_str_eq(param("Bearer error=invalid_token", "error"),
	    "invalid_token");
	/* Commas and escapes inside quotes. */
	cr_assert_str_eq(param("Bearer realm=\"a, b=\\\"c\\\"\", "
	    "error=\"invalid_token\"", "error"), "invalid_token");
	cr_assert_str_eq(param("Bearer realm=\"a, b=\\\"c\\\\\"",
	    "realm"), "a, b=\"c\\");
	/* Several challenges, in one header or joined from several. */
	cr_assert_str_eq(param("Basic realm=\"x, Bearer error=y\", "
	    "Bearer error=\"invalid_token\"", "error"), "invalid_token");
	cr_assert_str_eq(param("Newauth realm=\"apps\", type=1, "
	    "title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\", "
	    "Bearer scope=\"a b\", resource_metadata=\"https://a/m\"",
	    "resource_metadata"), "https://a/m");
	cr_assert_str_eq(param("Negotiate abc==, Bearer error=e",
	    "error"), "e");
	cr_assert_str_eq(param(", ,Bearer ,error=e,", "error"), "e");
	/* Only the Bearer challenge's parameters count. */
	cr_assert_null(param("Basic error=\"invalid_token\"", "error"));
	cr_assert_null(param("Bearer", "error"));
	cr_assert_null(param("Bearer xerror=\"invalid_token\"", "error"));
	cr_assert_null(param("Bearer realm=\"error=invalid_token\"",
	    "error"));
	cr_assert_null(param("", "error"));
	/* A token68, not a parameter with an empty value. */
	cr_assert_null(param("Bearer error=", "error"));
}

Test(doctor, challenge_params_refuse_what_a_client_cannot_read)
{
	static const char *const bad[] = {
		"Bearer error=\"unterminated",
		"Bearer error=\"a\" junk",
		"Bearer error=\"x\", error=\"y\"",
		"Bearer error=\"x\", Bearer error=\"y\"",
		"error=\"x\"",
		"Bearer error=\"a\x01\"",
		"Bearer\terror=x",
		"Bearer error=a b",
		NULL
	};
	char	 small[4];
	size_t	 i;

	for (i = 0; bad[i] != NULL; i++)
		cr_assert_str_eq(param(bad[i], "error"), "(malformed)",
		    "%s", bad[i]);
	cr_assert_eq(dr_challenge_param("Bearer error=\"toolong\"", "Bearer",
	    "error", small, sizeof(small)), -1);
}

Test(doctor, cors_lists)
{
	const char	*l = "authorization,Content-Type , MCP-Protocol-Version";

	cr_assert(dr_cors_list_allows(l, "Authorization", 1));
	cr_assert(dr_cors_list_allows(l, "content-type", 1));
	cr_assert(dr_cors_list_allows(l, "Mcp-Protocol-Version", 1));
	cr_assert_not(dr_cors_list_allows(l, "Mcp-Session-Id", 1));
	cr_assert_not(dr_cors_list_allows("Content-Type-X", "Content-Type",
	    1));
	cr_assert_not(dr_cors_list_allows("", "POST", 1));
	/* "*" covers all but Authorization (Fetch standard). */
	cr_assert(dr_cors_list_allows("*", "Mcp-Session-Id", 1));
	cr_assert_not(dr_cors_list_allows("*", "Authorization", 1));
	cr_assert_not(dr_cors_list_allows("*", "Mcp-Session-Id", 0));
	cr_assert(dr_cors_list_allows("GET, *", "POST", 1));
	cr_assert_not(dr_cors_list_allows("GET, DELETE", "POST", 1));
}

#ifdef HAVE_CURL
/*
 * An option libcurl refuses (here a method over its 8 MB string limit,
 * CURLE_BAD_FUNCTION_ARGUMENT) stops the exchange before anything is
 * sent: no connection reaches the listening socket.  Without that,
 * the request went out with libcurl's defaults instead (a GET).
 */
Test(doctor, exchange_fails_closed_when_an_option_is_refused)
{
	struct httpc_exchange	 x;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 url[64], err[256], *method;
	size_t			 n = 8 * 1000 * 1000 + 16;
	int			 s, rc;

	cr_assert_geq(s = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(s, 4), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	cr_assert_eq(fcntl(s, F_SETFL, O_NONBLOCK), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/mcp",
	    ntohs(sin.sin_port));

	cr_assert_not_null(method = malloc(n + 1));
	memset(method, 'X', n);
	method[n] = '\0';
	httpc_exchange_init(&x);
	x.method = method;
	x.url = url;
	x.max_body = 1024;
	x.max_headers = 1024;
	x.timeout_ms = 1000;
	rc = httpc_exchange(&x, err, sizeof(err));
	cr_assert_neq(rc, HTTPC_OK);
	cr_assert_not_null(strstr(err, "libcurl refused "
	    "CURLOPT_CUSTOMREQUEST; nothing sent"), "%s", err);
	cr_assert_eq(accept(s, NULL, NULL), -1, "a request was sent");
	cr_assert(errno == EAGAIN || errno == EWOULDBLOCK);
	httpc_exchange_free(&x);
	free(method);
	close(s);
	httpc_cleanup();
}
#endif
