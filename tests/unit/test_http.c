/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/http.h"
#include "testutil.h"

Test(http, request_from_env)
{
	char	*env[] = {
		"REQUEST_METHOD=POST",
		"REQUEST_URI=/token?x=1",
		"QUERY_STRING=x=1",
		"CONTENT_TYPE=application/x-www-form-urlencoded; charset=UTF-8",
		"CONTENT_LENGTH=12",
		"HTTP_AUTHORIZATION=Bearer abc",
		"HTTP_ORIGIN=https://claude.ai",
		"HTTP_HOST=mcp.example.com",
		"HTTP_MCP_PROTOCOL_VERSION=2025-06-18",
		"HTTPS=on",
		"REMOTE_ADDR=127.0.0.1",
		NULL
	};
	struct http_request	 r;

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(r.method, HTTP_POST);
	cr_assert_str_eq(r.path, "/token");
	cr_assert_str_eq(r.query, "x=1");
	cr_assert_str_eq(r.authorization, "Bearer abc");
	cr_assert_str_eq(r.origin, "https://claude.ai");
	cr_assert_str_eq(r.host, "mcp.example.com");
	cr_assert_str_eq(r.protocol_version, "2025-06-18");
	cr_assert_str_eq(r.remote_addr, "127.0.0.1");
	cr_assert(r.https);
	cr_assert_eq(r.content_length, 12);
	cr_assert(http_content_type_is(&r, "application/x-www-form-urlencoded"));
	cr_assert_not(http_content_type_is(&r, "application/json"));
	http_request_free(&r);
}

Test(http, request_defaults_and_fallbacks)
{
	char	*env[] = {
		"SCRIPT_NAME=/mcp.fcgi",
		"PATH_INFO=/x",
		"REDIRECT_HTTP_AUTHORIZATION=Bearer fromrewrite",
		"HTTP_AUTHORIZATION=",
		"HTTPS=off",
		NULL
	};
	struct http_request	 r;

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(r.method, HTTP_GET);
	cr_assert_str_eq(r.path, "/mcp.fcgi/x");
	cr_assert_str_eq(r.query, "");
	cr_assert_str_eq(r.authorization, "Bearer fromrewrite",
	    "an empty HTTP_AUTHORIZATION (Apache's rewrite with no header) "
	    "counts as absent");
	cr_assert_not(r.https);
	cr_assert_eq(r.content_length, -1);
	http_request_free(&r);
}

Test(http, unknown_method_and_bad_length)
{
	char	*env[] = { "REQUEST_METHOD=BREW", "REQUEST_URI=/",
	    "CONTENT_LENGTH=12x", NULL };
	struct http_request	 r;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(r.method, HTTP_OTHER);
	cr_assert_eq(http_read_body(&r, &io, 100), HTTP_EBADLENGTH);
	http_request_free(&r);
}

Test(http, body_read_in_chunks)
{
	char	*env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
	    "CONTENT_LENGTH=11", NULL };
	struct http_request	 r;
	struct memio		 m = { "hello world", 11, 0, 3, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, 100), HTTP_OK);
	cr_assert_eq(r.body_len, 11);
	cr_assert_str_eq(r.body, "hello world");
	http_request_free(&r);
}

Test(http, body_limits)
{
	char	*env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/",
	    "CONTENT_LENGTH=11", NULL };
	struct http_request	 r;
	struct memio		 m = { "hello", 5, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, 10), HTTP_ETOOBIG);
	http_request_free(&r);
	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, 100), HTTP_ESHORT);
	cr_assert_null(r.body, "what was read is gone with the failure");
	cr_assert_eq(r.body_len, 0);
	http_request_free(&r);
}

/*
 * Apache runs a plain CGI program with a chunked body and no
 * CONTENT_LENGTH: the body is what the input holds up to its end,
 * within the limit.
 */
Test(http, chunked_body_without_length)
{
	char	*env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/mcp",
	    "HTTP_TRANSFER_ENCODING=chunked", NULL };
	static char		 big[20000];
	struct http_request	 r;
	struct memio		 m = { "hello world", 11, 0, 3, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(r.content_length, -1);
	cr_assert_eq(http_read_body(&r, &io, 100), HTTP_OK);
	cr_assert_eq(r.body_len, 11, "the body is not taken as empty");
	cr_assert_str_eq(r.body, "hello world");
	http_request_free(&r);

	/* Exactly at the limit, across several buffer sizes. */
	memset(big, 'a', sizeof(big));
	m = (struct memio){ big, sizeof(big), 0, 1000, { 0 }, 0 };
	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, sizeof(big)), HTTP_OK);
	cr_assert_eq(r.body_len, sizeof(big));
	cr_assert_eq(r.body[sizeof(big)], '\0');
	http_request_free(&r);

	/* One byte over it. */
	m = (struct memio){ big, sizeof(big), 0, 0, { 0 }, 0 };
	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, sizeof(big) - 1), HTTP_ETOOBIG);
	cr_assert_null(r.body, "nothing of a refused body is kept");
	cr_assert_eq(r.body_len, 0);
	http_request_free(&r);

	/* An empty chunked body. */
	m = (struct memio){ "", 0, 0, 0, { 0 }, 0 };
	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, 100), HTTP_OK);
	cr_assert_eq(r.body_len, 0);
	cr_assert_str_eq(r.body, "");
	http_request_free(&r);
}

/* Without CONTENT_LENGTH or Transfer-Encoding the input is not read. */
Test(http, no_length_no_encoding_reads_nothing)
{
	char	*env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/", NULL };
	struct http_request	 r;
	struct memio		 m = { "unread", 6, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, 100), HTTP_OK);
	cr_assert_eq(r.body_len, 0);
	cr_assert_eq(m.inoff, 0);
	http_request_free(&r);
}

Test(http, no_body)
{
	char	*env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/", NULL };
	struct http_request	 r;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	cr_assert_eq(http_request_init(&r, env), HTTP_OK);
	cr_assert_eq(http_read_body(&r, &io, 0), HTTP_OK);
	cr_assert_eq(r.body_len, 0);
	cr_assert_str_eq(r.body, "");
	http_request_free(&r);
}

Test(http, response_written_as_cgi)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	http_response_init(&resp);
	/* RFC 6749 section 5.2's character set: no quote, no newline. */
	http_json_error(&resp, 400, "invalid_request", "bad \"x\"\n");
	cr_assert_eq(http_header(&resp, "X-Test", "1"), 0);
	cr_assert_eq(http_response_write(&resp, &io), 0);
	cr_assert_str_eq(buf_cstr(&m.out),
	    "Status: 400 Bad Request\r\n"
	    "Content-Type: application/json\r\n"
	    "X-Test: 1\r\n"
	    "Content-Length: 59\r\n"
	    "\r\n"
	    "{\"error\":\"invalid_request\",\"error_description\":\"bad "
	    "'x'?\"}\n");
	http_response_free(&resp);
	buf_free(&m.out);
}

Test(http, head_omits_body_keeps_length)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	http_response_init(&resp);
	resp.omit_body = 1;
	http_json(&resp, 200, "{}");
	cr_assert_eq(http_response_write(&resp, &io), 0);
	cr_assert_str_eq(buf_cstr(&m.out), "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\nContent-Length: 3\r\n\r\n");
	http_response_free(&resp);
	buf_free(&m.out);
}

Test(http, no_content_has_no_length)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };

	http_response_init(&resp);
	http_status(&resp, 204);
	http_body(&resp, "x", 1);
	cr_assert_eq(http_response_write(&resp, &io), 0);
	cr_assert_str_eq(buf_cstr(&m.out), "Status: 204 No Content\r\n\r\n");
	http_response_free(&resp);
	buf_free(&m.out);
}

Test(http, header_injection_refused)
{
	struct http_response	 resp;

	http_response_init(&resp);
	cr_assert_eq(http_header(&resp, "Location", "https://x/\r\nSet-Cookie: a"),
	    -1);
	cr_assert_eq(http_header(&resp, "Location", "https://x/\n"), -1);
	cr_assert_eq(resp.headers.len, 0);
	cr_assert_eq(http_headerf(&resp, "X-N", "%d", 5), 0);
	cr_assert_str_eq(buf_cstr(&resp.headers), "X-N: 5\r\n");
	http_response_free(&resp);
}

Test(http, write_failure_reported)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 1 };
	struct http_io		 io = { memio_read, memio_write, &m };

	http_response_init(&resp);
	http_json(&resp, 200, "{}");
	cr_assert_eq(http_response_write(&resp, &io), -1);
	http_response_free(&resp);
}

Test(http, out_of_memory_becomes_500)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };
	const char		*out, *body;

	http_response_init(&resp);
	http_json(&resp, 200, "{}");
	resp.body.failed = 1;
	cr_assert_eq(http_response_write(&resp, &io), 0);
	out = buf_cstr(&m.out);
	cr_assert_eq(strncmp(out, "Status: 500 ", 12), 0);
	body = strstr(out, "\r\n\r\n");
	cr_assert_not_null(body);
	cr_assert_not_null(strstr(out, "Content-Length: "));
	cr_assert_eq(atoi(strstr(out, "Content-Length: ") + 16),
	    (int)strlen(body + 4), "the length matches the body");
	http_response_free(&resp);
	buf_free(&m.out);
}

Test(http, accepts)
{
	struct http_request	 r;

	memset(&r, 0, sizeof(r));
	cr_assert(http_accepts(&r, "application/json"), "no Accept: anything");
	r.accept = "application/json, text/event-stream";
	cr_assert(http_accepts(&r, "application/json"));
	cr_assert(http_accepts(&r, "text/event-stream"));
	r.accept = "text/event-stream";
	cr_assert_not(http_accepts(&r, "application/json"));
	r.accept = "*/*";
	cr_assert(http_accepts(&r, "application/json"));
	r.accept = "application/*;q=0.5";
	cr_assert(http_accepts(&r, "application/json"));
	r.accept = "Application/JSON; charset=utf-8";
	cr_assert(http_accepts(&r, "application/json"));
	r.accept = "application/json;q=0, text/html";
	cr_assert_not(http_accepts(&r, "application/json"));
	r.accept = "application/json;q=0.0";
	cr_assert_not(http_accepts(&r, "application/json"));
	r.accept = "application/jsonx";
	cr_assert_not(http_accepts(&r, "application/json"));
	r.accept = "text/*";
	cr_assert_not(http_accepts(&r, "application/json"));
}

Test(http, same_origin_post)
{
	struct http_request	 r;
	char			*none[] = { NULL };
	char			*ok[] = { "HTTP_SEC_FETCH_SITE=same-origin",
				    "HTTP_SEC_FETCH_SITE=none", NULL };
	char			*bad[] = { "HTTP_SEC_FETCH_SITE=same-site",
				    "HTTP_SEC_FETCH_SITE=cross-site",
				    "HTTP_SEC_FETCH_SITE=Same-Origin",
				    "HTTP_SEC_FETCH_SITE=same-origin, none",
				    "HTTP_SEC_FETCH_SITE=nonsense", NULL };
	char			*env[2] = { NULL, NULL };
	size_t			 i;

	memset(&r, 0, sizeof(r));
	cr_assert(http_same_origin_post(&r), "no environment");
	r.envp = none;
	cr_assert(http_same_origin_post(&r), "no header: the token decides");
	r.envp = env;
	for (i = 0; ok[i] != NULL; i++) {
		env[0] = ok[i];
		cr_assert(http_same_origin_post(&r), "%s", ok[i]);
	}
	for (i = 0; bad[i] != NULL; i++) {
		env[0] = bad[i];
		cr_assert_not(http_same_origin_post(&r), "%s", bad[i]);
	}
}

Test(http, reasons)
{
	cr_assert_str_eq(http_reason(405), "Method Not Allowed");
	cr_assert_str_eq(http_reason(599), "Unknown");
}
