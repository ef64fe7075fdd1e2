/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What /authorize answers, rendered with the real templates of www/:
 * each error page with its status and words, the login and consent
 * pages, and the redirects back to the client with iss (RFC 9207),
 * 302 and never 307 (RFC 9700 section 4.12), with error, description
 * and state (RFC 6749 section 4.1.2.1).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/authpage.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/http.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"

static struct config		*cfg;
static struct http_response	 resp;
static struct client		 c;

static void
setup(void)
{
	char	 text[512], err[CONFIG_ERR_MAX];

	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\nwww_dir = %s/www\n"
	    "scopes = mcp notes:read\n"
	    "scope.notes:read = Read your notes\n", TOP_SRCDIR);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	http_response_init(&resp);
	client_init(&c);
	snprintf(c.id, sizeof(c.id), "mcpc_app");
	c.flags = CLIENT_DYNAMIC;
}

static void
teardown(void)
{
	client_free(&c);
	http_response_free(&resp);
	config_free(cfg);
	cfg = NULL;
}

TestSuite(authpage, .init = setup, .fini = teardown);

static const char *
headers(void)
{
	return buf_cstr(&resp.headers);
}

static const char *
body(void)
{
	return buf_cstr(&resp.body);
}

static void
assert_header(const char *line)
{
	cr_assert_not_null(strstr(headers(), line), "want %s in\n%s", line,
	    headers());
}

Test(authpage, every_error_page_has_a_status_and_a_title)
{
	static const int	 want[AUTHPAGE__MAX] = {
		[AUTHPAGE_NO_REMOTE_USER] = 403,
		[AUTHPAGE_ANSWERED] = 400,
		[AUTHPAGE_FORM_INCOMPLETE] = 400,
		[AUTHPAGE_NO_COOKIE] = 400,
		[AUTHPAGE_UNKNOWN_REQUEST] = 400,
		[AUTHPAGE_FOREIGN_FORM] = 403,
		[AUTHPAGE_TOO_MANY_REQUESTS] = 429,
		[AUTHPAGE_NO_PASSWORD] = 400,
		[AUTHPAGE_NOT_A_FORM] = 415,
		[AUTHPAGE_FORM_TOO_LARGE] = 413,
		[AUTHPAGE_UNKNOWN_ACTION] = 400,
		[AUTHPAGE_NOT_FOUND] = 404,
		[AUTHPAGE_METHOD] = 405,
	};
	int	 i;

	for (i = 0; i < AUTHPAGE__MAX; i++) {
		http_response_reset(&resp);
		authpage_error(cfg, &resp, i);
		cr_assert_eq(resp.status, want[i], "page %d", i);
		cr_assert_not_null(strstr(body(), "<h1>"), "page %d: %s", i,
		    body());
		assert_header("Cache-Control: no-store\r\n");
	}
}

Test(authpage, a_second_answer_says_so)
{
	authpage_error(cfg, &resp, AUTHPAGE_ANSWERED);
	cr_assert_not_null(strstr(body(), "already been answered"), "%s",
	    body());
}

Test(authpage, errors_before_the_redirect_say_nothing_was_sent)
{
	authpage_no_redirect(cfg, &resp, "The request names <no> app.");
	cr_assert_eq(resp.status, 400);
	cr_assert_not_null(strstr(body(), "The request names &lt;no&gt; app."),
	    "%s", body());
	cr_assert_not_null(strstr(body(), "Nothing was sent to the "
	    "application."));
}

Test(authpage, a_full_database_is_503_anything_else_500)
{
	authpage_server_error(cfg, &resp, STORE_FULL);
	cr_assert_eq(resp.status, 503);
	http_response_reset(&resp);
	authpage_server_error(cfg, &resp, STORE_ERROR);
	cr_assert_eq(resp.status, 500);
}

Test(authpage, the_login_page_keeps_the_request_and_the_name)
{
	authpage_login(cfg, &resp, 403, &c, "REQ", "CSRF", "alice",
	    "Wrong user name or password.");
	cr_assert_eq(resp.status, 403);
	cr_assert_not_null(strstr(body(), "mcpc_app"), "%s", body());
	cr_assert_not_null(strstr(body(), "\"REQ\""), "%s", body());
	cr_assert_not_null(strstr(body(), "\"CSRF\""), "%s", body());
	cr_assert_not_null(strstr(body(), "\"alice\""), "%s", body());
	cr_assert_not_null(strstr(body(), "Wrong user name or password."));
}

Test(authpage, the_throttled_login_page_says_how_long)
{
	authpage_login_throttled(cfg, &resp, &c, "REQ", "CSRF", "alice", 61);
	cr_assert_eq(resp.status, 429);
	assert_header("Retry-After: 61\r\n");
	cr_assert_not_null(strstr(body(), "Try again in 2 minutes."), "%s",
	    body());
	http_response_reset(&resp);
	authpage_login_throttled(cfg, &resp, &c, "REQ", "CSRF", NULL, 60);
	cr_assert_not_null(strstr(body(), "Try again in 1 minute."), "%s",
	    body());
}

Test(authpage, the_consent_page_names_scopes_and_destination)
{
	static struct consent_offer	 o;
	struct pending			 pd;

	memset(&pd, 0, sizeof(pd));
	memset(&o, 0, sizeof(o));
	pd.redirect_uri = "http://127.0.0.1:9999/callback";
	pd.scope = "mcp notes:read";
	snprintf(o.offered, sizeof(o.offered), "%s", pd.scope);
	snprintf(o.fixed, sizeof(o.fixed), "mcp");
	authpage_consent(cfg, &resp, &c, &pd, "alice", "REQ", "CSRF", &o,
	    NULL);
	cr_assert_eq(resp.status, 200);
	cr_assert_not_null(strstr(body(), "Read your notes"), "%s", body());
	cr_assert_not_null(strstr(body(), "127.0.0.1:9999"), "%s", body());
	cr_assert_not_null(strstr(body(), "runs on your own computer"));
	cr_assert_not_null(strstr(body(), "\"CSRF\""));
}

Test(authpage, the_host_of_a_redirect_uri)
{
	static const struct {
		const char	*uri;
		const char	*host;
		int		 loopback, custom;
	} cases[] = {
		{ "https://app.example:8443/cb?x=1", "app.example:8443", 0, 0 },
		{ "http://127.0.0.1:9999/callback", "127.0.0.1:9999", 1, 0 },
		{ "com.example.app:/oauth", "com.example.app:", 0, 1 },
		{ "myapp://host/path", "myapp://host", 0, 1 },
	};
	char	 host[64];
	size_t	 i;
	int	 loopback, custom;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		authpage_redirect_host(cases[i].uri, host, sizeof(host),
		    &loopback, &custom);
		cr_assert_str_eq(host, cases[i].host, "%s", cases[i].uri);
		cr_assert_eq(loopback, cases[i].loopback, "%s", cases[i].uri);
		cr_assert_eq(custom, cases[i].custom, "%s", cases[i].uri);
	}
}

Test(authpage, a_redirect_carries_its_values_and_iss)
{
	const char	*params[] = {
		"code", "a b&c",
		"state", NULL,
	};

	authpage_redirect(cfg, &resp, "https://app.example/cb?x=1", params,
	    sizeof(params) / sizeof(params[0]));
	cr_assert_eq(resp.status, 302);
	assert_header("Location: https://app.example/cb?x=1&code=a%20b%26c&"
	    "iss=https%3A%2F%2Fmcp.example.com\r\n");
	assert_header("Cache-Control: no-store\r\n");
	assert_header("Referrer-Policy: no-referrer\r\n");
}

Test(authpage, an_error_redirect)
{
	authpage_redirect_error(cfg, &resp, "https://app.example/cb", "s 1",
	    "access_denied", "the user denied the request");
	cr_assert_eq(resp.status, 302);
	assert_header("Location: https://app.example/cb?error=access_denied&"
	    "error_description=the%20user%20denied%20the%20request&"
	    "state=s%201&iss=https%3A%2F%2Fmcp.example.com\r\n");
}

Test(authpage, after_login_the_next_page_is_a_get)
{
	authpage_after_login(cfg, &resp, "REQ");
	cr_assert_eq(resp.status, 303);
	assert_header("Location: /authorize?request=REQ\r\n");
	assert_header("Cache-Control: no-store\r\n");
}
