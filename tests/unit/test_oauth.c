/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * RFC 6749 §5.2 error responses, the answer to a database failure,
 * CORS on the OAuth endpoints (for browser-based clients) and RFC 8707
 * resource comparison (an absolute URI without fragment; scheme and
 * host case, one trailing slash and the origin form count as the same
 * resource).
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/buf.h"
#include "../../src/lib/http.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/store.h"

static struct http_response	 resp;

static void
setup(void)
{
	http_response_init(&resp);
}

static void
teardown(void)
{
	http_response_free(&resp);
}

TestSuite(oauth, .init = setup, .fini = teardown);

static const char *
headers(void)
{
	return buf_cstr(&resp.headers);
}

Test(oauth, error_response_shape)
{
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	oauth_error_set(&e, 400, "invalid_grant", "code %s %d", "used", 2);
	cr_assert_eq(e.status, 400);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_str_eq(e.description, "code used 2");
	oauth_error_respond(&resp, &e);
	cr_assert_eq(resp.status, 400);
	cr_assert_str_eq(buf_cstr(&resp.body), "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"code used 2\"}\n");
	cr_assert_str_eq(headers(), "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\nContent-Type: application/json\r\n");
}

/*
 * RFC 6749 sections 4.1.2.1 and 5.2: error_description is
 * %x20-21 / %x23-5B / %x5D-7E.  A description built from client input
 * (a field name, a redirect URI, a scope) may hold anything; what goes
 * out never holds a double quote, a backslash, a control or a byte
 * outside ASCII, whichever way it is written.
 */
static const struct {
	const char	*in;
	const char	*out;
} text_cases[] = {
	{ "plain words, digits 0-9 and ~!#$%&'()*+,-./:;<=>?@[]^_`{|}",
	    "plain words, digits 0-9 and ~!#$%&'()*+,-./:;<=>?@[]^_`{|}" },
	{ "unknown scope \"admin\"", "unknown scope 'admin'" },
	{ "back\\slash", "back?slash" },
	{ "tab\there, newline\nthere", "tab?here, newline?there" },
	{ "del\x7f", "del?" },
	{ "caf\xc3\xa9", "caf??" },
	{ "\x01\x1f", "??" },
	{ "", "" },
};

Test(oauth, description_character_set)
{
	char	 out[64];
	size_t	 i;
	int	 c;

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		cr_expect_eq(oauth_text_valid(text_cases[i].in),
		    strcmp(text_cases[i].in, text_cases[i].out) == 0, "%zu", i);
		oauth_text_clean(out, sizeof(out), text_cases[i].in);
		cr_expect_str_eq(out, text_cases[i].out, "%zu", i);
		cr_expect(oauth_text_valid(out), "%zu", i);
	}
	/* Every byte, alone: kept exactly when the RFC allows it. */
	for (c = 1; c < 256; c++) {
		char	 in[2] = { (char)c, '\0' };

		oauth_text_clean(out, sizeof(out), in);
		cr_expect_eq(out[0] == (char)c, c >= 0x20 && c <= 0x7e &&
		    c != '"' && c != '\\', "byte %#x", c);
		cr_expect(oauth_text_valid(out), "byte %#x", c);
	}
	/* Truncated, still terminated. */
	oauth_text_clean(out, 4, "abcdef");
	cr_assert_str_eq(out, "abc");
}

Test(oauth, every_written_description_is_in_the_set)
{
	struct oauth_error	 e;
	const char		*body;

	/* Through oauth_error_set(): a form field name, say. */
	memset(&e, 0, sizeof(e));
	oauth_error_set(&e, 400, "invalid_request", "%s: \"%s\"",
	    "parameter given twice", "a\\b\x01z");
	cr_assert_str_eq(e.description, "parameter given twice: 'a?b?z'");
	oauth_error_respond(&resp, &e);
	cr_assert_str_eq(buf_cstr(&resp.body), "{\"error\":\"invalid_request\","
	    "\"error_description\":\"parameter given twice: 'a?b?z'\"}\n");

	/* Straight through http_json_error(), as bearer.c and app.c do. */
	http_json_error(&resp, 401, "invalid_token", "say \"hi\"\n\\");
	body = buf_cstr(&resp.body);
	cr_assert_str_eq(body, "{\"error\":\"invalid_token\","
	    "\"error_description\":\"say 'hi'??\"}\n");
}

Test(oauth, the_bearer_challenge_descriptions_are_in_the_set)
{
	int	 rc;

	for (rc = BEARER_OK; rc <= BEARER_EUNAVAILABLE + 1; rc++)
		cr_expect(oauth_text_valid(bearer_strerror(rc)), "%d", rc);
}

Test(oauth, invalid_client_with_basic_challenges)
{
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	oauth_error_set(&e, 401, "invalid_client", "client authentication "
	    "failed");
	e.basic = 1;
	oauth_error_respond(&resp, &e);
	cr_assert_eq(resp.status, 401);
	cr_assert_not_null(strstr(headers(),
	    "WWW-Authenticate: Basic realm=\"mcp-oauth\"\r\n"), "%s",
	    headers());
}

Test(oauth, set_clears_an_earlier_basic_flag)
{
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	e.basic = 1;
	oauth_error_set(&e, 400, "invalid_request", "x");
	oauth_error_respond(&resp, &e);
	cr_assert_null(strstr(headers(), "WWW-Authenticate"));
}

Test(oauth, unavailable_says_when_to_retry)
{
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	oauth_error_set(&e, 503, "temporarily_unavailable", "%s", "full");
	oauth_error_respond(&resp, &e);
	cr_assert_eq(resp.status, 503);
	cr_assert_not_null(strstr(headers(), "Retry-After: 60\r\n"));
}

/*
 * Answers the store error rc with oauth_store_respond(), and puts what
 * it logged on standard error in logged (empty if nothing).
 */
static void
store_respond_logged(int rc, char *logged, size_t loggedsz)
{
	int	 fds[2], saved;
	ssize_t	 n;

	cr_assert_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	oauth_store_respond(&resp, rc);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], logged, loggedsz - 1);
	close(fds[0]);
	cr_assert_geq(n, 0);
	logged[n] = '\0';
}

Test(oauth, full_database_is_temporarily_unavailable)
{
	char	 logged[1024];

	store_respond_logged(STORE_FULL, logged, sizeof(logged));
	cr_assert_eq(resp.status, 503);
	cr_assert_str_eq(buf_cstr(&resp.body), "{\"error\":"
	    "\"temporarily_unavailable\",\"error_description\":\"the "
	    "server's database is full; try again later\"}\n");
	cr_assert_str_eq(headers(), "Retry-After: 60\r\n"
	    "Cache-Control: no-store\r\nPragma: no-cache\r\n"
	    "Content-Type: application/json\r\n");
	cr_assert_not_null(strstr(logged, "event=database_full "), "%s",
	    logged);
	cr_assert_not_null(strstr(logged, "db_map_size"), "%s", logged);
}

Test(oauth, other_database_failures_are_server_errors)
{
	char	 logged[1024];

	store_respond_logged(STORE_CORRUPT, logged, sizeof(logged));
	cr_assert_eq(resp.status, 500);
	cr_assert_str_eq(buf_cstr(&resp.body), "{\"error\":\"server_error\","
	    "\"error_description\":\"the server's database is unavailable; "
	    "see the error log\"}\n");
	cr_assert_str_eq(headers(), "Cache-Control: no-store\r\n"
	    "Pragma: no-cache\r\nContent-Type: application/json\r\n");
	cr_assert_not_null(strstr(logged, "event=database_error "
	    "msg=\"the database is corrupt\""), "%s", logged);
}

Test(oauth, open_failures_are_not_logged_again)
{
	static const int	 opened[] = { STORE_ENOENT, STORE_EACCES,
				    STORE_SCHEMA };
	char			 logged[1024];
	size_t			 i;

	for (i = 0; i < sizeof(opened) / sizeof(opened[0]); i++) {
		http_response_reset(&resp);
		store_respond_logged(opened[i], logged, sizeof(logged));
		cr_assert_eq(resp.status, 500);
		cr_assert_str_eq(logged, "", "app_store() logged it: %s",
		    logged);
	}
}

Test(oauth, store_error_fills_the_error_and_keeps_details_out)
{
	struct oauth_error	 e;
	int			 saved, null;

	/* The log lines are checked above; here they go nowhere. */
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY);
	dup2(null, STDERR_FILENO);
	memset(&e, 0, sizeof(e));
	e.basic = 1;
	e.commit = 1;
	oauth_store_error(&e, STORE_FULL);
	cr_assert_eq(e.status, 503);
	cr_assert_str_eq(e.error, "temporarily_unavailable");
	cr_assert_eq(e.basic, 0);
	cr_assert_eq(e.commit, 1, "the caller decides about its transaction");
	oauth_store_error(&e, STORE_ENOMEM);
	cr_assert_eq(e.status, 500);
	cr_assert_str_eq(e.error, "server_error");
	cr_assert_null(strstr(e.description, "memory"));
	cr_assert_eq(oauth_store_log(STORE_FULL), 503);
	cr_assert_eq(oauth_store_log(STORE_ERROR), 500);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
}

Test(oauth, empty_description_is_omitted)
{
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	oauth_error_set(&e, 400, "invalid_request", "%s", "");
	oauth_error_respond(&resp, &e);
	cr_assert_str_eq(buf_cstr(&resp.body),
	    "{\"error\":\"invalid_request\"}\n");
}

Test(oauth, long_description_is_cut_not_overflowed)
{
	struct oauth_error	 e;
	char			 big[500];

	memset(big, 'd', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	oauth_error_set(&e, 400, "invalid_request", "%s", big);
	cr_assert_eq(strlen(e.description), sizeof(e.description) - 1);
}

Test(oauth, cors_on_every_response)
{
	oauth_cors(&resp);
	cr_assert_str_eq(headers(), "Access-Control-Allow-Origin: *\r\n"
	    "Access-Control-Expose-Headers: WWW-Authenticate, Retry-After\r\n");
	cr_assert_null(strstr(headers(), "Allow-Credentials"),
	    "no credentials with a wildcard");
}

Test(oauth, cors_preflight)
{
	struct http_request	 req;

	memset(&req, 0, sizeof(req));
	req.method = HTTP_POST;
	cr_assert_eq(oauth_cors_preflight(&req, &resp), 0);
	cr_assert_str_eq(headers(), "");
	req.method = HTTP_OPTIONS;
	cr_assert_eq(oauth_cors_preflight(&req, &resp), 1);
	cr_assert_eq(resp.status, 204);
	cr_assert_not_null(strstr(headers(),
	    "Access-Control-Allow-Methods: POST, OPTIONS\r\n"));
	cr_assert_not_null(strstr(headers(), "Access-Control-Allow-Headers: "
	    "Authorization, Content-Type"));
	cr_assert_not_null(strstr(headers(), "Access-Control-Max-Age: "));
}

struct resource_case {
	const char	*a;
	const char	*b;
	int		 want;
};

static const struct resource_case resources[] = {
	{ "https://mcp.example.com/mcp", "https://mcp.example.com/mcp", 1 },
	/* One trailing slash (a WHATWG URL's href adds one to an origin). */
	{ "https://mcp.example.com/mcp/", "https://mcp.example.com/mcp", 1 },
	{ "https://mcp.example.com/mcp", "https://mcp.example.com/mcp/", 1 },
	{ "https://mcp.example.com/mcp//", "https://mcp.example.com/mcp", 0 },
	/* Scheme and host are case-insensitive; the path is not. */
	{ "HTTPS://MCP.Example.COM/mcp", "https://mcp.example.com/mcp", 1 },
	{ "https://mcp.example.com/MCP", "https://mcp.example.com/mcp", 0 },
	{ "https://mcp.example.com:8443/mcp", "https://mcp.example.com/mcp",
	    0 },
	{ "https://localhost:8443/mcp", "https://LOCALHOST:8443/mcp/", 1 },
	{ "http://mcp.example.com/mcp", "https://mcp.example.com/mcp", 0 },
	{ "https://mcp.example.com", "https://mcp.example.com/mcp", 0 },
	{ "https://mcp.example.com/mcp?x=1", "https://mcp.example.com/mcp",
	    0 },
	{ "https://mcp.example.com/mcpx", "https://mcp.example.com/mcp", 0 },
	{ "https://mcp.example.com.evil/mcp", "https://mcp.example.com/mcp",
	    0 },
	{ "https://evil.example/https://mcp.example.com/mcp",
	    "https://mcp.example.com/mcp", 0 },
	{ "mcp.example.com/mcp", "https://mcp.example.com/mcp", 0 },
	{ "", "https://mcp.example.com/mcp", 0 },
	{ "://x/mcp", "://x/mcp", 0 },
};

Test(oauth, resource_comparison_table)
{
	size_t	 i;

	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		cr_expect_eq(resource_equal(resources[i].a, resources[i].b),
		    resources[i].want, "\"%s\" vs \"%s\": want %d",
		    resources[i].a, resources[i].b, resources[i].want);
}

Test(oauth, resource_syntax)
{
	char	 big[2100];

	cr_assert(resource_valid("https://mcp.example.com/mcp"));
	cr_assert(resource_valid("https://mcp.example.com"));
	cr_assert_not(resource_valid(""));
	cr_assert_not(resource_valid("/mcp"));
	cr_assert_not(resource_valid("mcp"));
	cr_assert_not(resource_valid("https://mcp.example.com/mcp#frag"),
	    "RFC 8707 §2: no fragment");
	cr_assert_not(resource_valid("https://mcp.example.com/m cp"));
	cr_assert_not(resource_valid("https://mcp.example.com/\x01"));
	cr_assert_not(resource_valid("https://mcp.example.com/\xc3\xa9"));
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "https://x/", 10);
	big[sizeof(big) - 1] = '\0';
	cr_assert_not(resource_valid(big));
	big[2000] = '\0';
	cr_assert(resource_valid(big));
}
