/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Redirect URIs: the registration policy (MCP 2025-06-18,
 * basic/authorization: HTTPS or localhost only; RFC 9700 §4.1) and the
 * exact match at /authorize (MCP 2025-06-18, basic/authorization;
 * RFC 8252 §7.3 for loopback ports), each as a table.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/redirect.h"

struct policy_case {
	const char	*uri;
	int		 want;
};

static const struct policy_case policy[] = {
	/* https anywhere. */
	{ "https://client.example.com/cb", REDIRECT_OK },
	{ "https://client.example.com", REDIRECT_OK },
	{ "https://client.example.com:8443/cb?x=1&y=2", REDIRECT_OK },
	{ "https://claude.ai/api/mcp/auth_callback", REDIRECT_OK },
	{ "https://chatgpt.com/connector/oauth/abc123", REDIRECT_OK },
	{ "https://client.example.com/c%20b", REDIRECT_OK },
	{ "HTTPS://CLIENT.EXAMPLE.COM/cb", REDIRECT_OK },
	/* RFC 9700 §4.1: syntactically fine, only the match refuses it. */
	{ "https://attacker/.good.example", REDIRECT_OK },
	/* http only on loopback hosts (MCP basic/authorization). */
	{ "http://localhost/callback", REDIRECT_OK },
	{ "http://localhost:8787/callback", REDIRECT_OK },
	{ "http://127.0.0.1:33418/", REDIRECT_OK },
	{ "http://127.0.0.1/", REDIRECT_OK },
	{ "http://[::1]:1234/cb", REDIRECT_OK },
	{ "HTTP://LOCALHOST/cb", REDIRECT_OK },
	{ "http://localhost:65535/cb", REDIRECT_OK },
	{ "http://client.example.com/cb", REDIRECT_EHTTP },
	{ "http://localhost.evil.example/cb", REDIRECT_EHTTP },
	{ "http://127.0.0.1.nip.io/cb", REDIRECT_EHTTP },
	{ "http://127.0.0.2/cb", REDIRECT_EHTTP },
	{ "http://[::2]/cb", REDIRECT_EHTTP },
	{ "http://[::ffff:127.0.0.1]/cb", REDIRECT_EHTTP },
	{ "http://0.0.0.0:8080/cb", REDIRECT_EHTTP },
	/*
	 * Private-use schemes of native apps only in reverse-domain form
	 * (RFC 8252 §7.1), and Cursor's one callback.
	 */
	{ "com.example.app:/oauth2redirect", REDIRECT_OK },
	{ "com.example.app:/cb", REDIRECT_OK },
	{ "COM.Example.App:/cb", REDIRECT_OK },
	{ "com.example.app://callback/path", REDIRECT_OK },
	{ "io.github.some-user.tool:/cb", REDIRECT_OK },
	{ "cursor://anysphere.cursor-mcp/oauth/callback", REDIRECT_OK },
	{ "Cursor://anysphere.cursor-mcp/oauth/callback", REDIRECT_OK },
	{ "cursor://anysphere.cursor-retrieval/oauth/user-notes/callback",
	    REDIRECT_OK },
	{ "cursor://anysphere.cursor-deeplink/mcp/install?name=x",
	    REDIRECT_EPRIVATE },
	{ "cursor://anysphere.cursor-mcp@evil/cb", REDIRECT_EUSERINFO },
	{ "cursor://anysphere.cursor-mcp:1/cb", REDIRECT_EPRIVATE },
	{ "cursor:/oauth/callback", REDIRECT_EPRIVATE },
	{ "vscode://vscode.github-authentication/did-authenticate",
	    REDIRECT_EPRIVATE },
	{ "myapp://callback", REDIRECT_EPRIVATE },
	{ "myapp:/cb", REDIRECT_EPRIVATE },
	{ "myapp:", REDIRECT_ERELATIVE },
	{ "com.example.app:", REDIRECT_ERELATIVE },
	{ ".com.example:/cb", REDIRECT_ERELATIVE },
	{ "com..example:/cb", REDIRECT_EPRIVATE },
	{ "com.example.:/cb", REDIRECT_EPRIVATE },
	{ "com.exa+mple:/cb", REDIRECT_EPRIVATE },
	{ "com.-example:/cb", REDIRECT_EPRIVATE },
	/*
	 * Handlers of the operating system or the browser, in any case
	 * (the audit registered and was redirected to the first five).
	 */
	{ "search-ms:query=x&crumb=location:\\\\evil", REDIRECT_ECHAR },
	{ "search-ms:query=x", REDIRECT_ESCHEME },
	{ "SEARCH-MS:query=x", REDIRECT_ESCHEME },
	{ "Search-Ms:query=x", REDIRECT_ESCHEME },
	{ "search:query=x", REDIRECT_ESCHEME },
	{ "ms-msdt:/id%20PCWDiagnostic", REDIRECT_ESCHEME },
	{ "MS-MSDT:/id", REDIRECT_ESCHEME },
	{ "ms-settings:privacy", REDIRECT_ESCHEME },
	{ "ms-officecmd:x", REDIRECT_ESCHEME },
	{ "ms-appinstaller:?source=https://evil.example/x", REDIRECT_ESCHEME },
	{ "chrome://settings", REDIRECT_ESCHEME },
	{ "Chrome://settings", REDIRECT_ESCHEME },
	{ "CHROME://settings", REDIRECT_ESCHEME },
	{ "chrome-extension://abc/x", REDIRECT_ESCHEME },
	{ "jar:https://evil.example/x.jar!/", REDIRECT_ESCHEME },
	{ "JaR:https://evil.example/x.jar!/", REDIRECT_ESCHEME },
	{ "intent://scan/#Intent;scheme=zxing;end", REDIRECT_EFRAGMENT },
	{ "intent://scan/?x", REDIRECT_ESCHEME },
	{ "INTENT://scan/", REDIRECT_ESCHEME },
	{ "x-apple.systempreferences:com.apple.preference",
	    REDIRECT_ESCHEME },
	{ "X-Apple.SystemPreferences:x", REDIRECT_ESCHEME },
	{ "microsoft.windows.camera:x", REDIRECT_ESCHEME },
	{ "res://ieframe.dll/x", REDIRECT_ESCHEME },
	{ "smb://evil.example/share", REDIRECT_ESCHEME },
	{ "ftp://evil.example/x", REDIRECT_ESCHEME },
	{ "ws://localhost/cb", REDIRECT_ESCHEME },
	{ "wss://evil.example/cb", REDIRECT_ESCHEME },
	{ "mailto:x@evil.example", REDIRECT_ESCHEME },
	{ "tel:+1555", REDIRECT_ESCHEME },
	{ "sms:+1555", REDIRECT_ESCHEME },
	{ "view-source:https://evil.example/", REDIRECT_ESCHEME },
	/* Dangerous schemes, whatever their case. */
	{ "javascript:alert(1)", REDIRECT_ESCHEME },
	{ "JavaScript:alert(1)", REDIRECT_ESCHEME },
	{ "javascript://example.com/%0Aalert(1)", REDIRECT_ESCHEME },
	{ "data:text/html,hello", REDIRECT_ESCHEME },
	{ "file:///etc/passwd", REDIRECT_ESCHEME },
	{ "vbscript:msgbox(1)", REDIRECT_ESCHEME },
	{ "VBScript:msgbox(1)", REDIRECT_ESCHEME },
	{ "DATA:text/html,hello", REDIRECT_ESCHEME },
	{ "File:///etc/passwd", REDIRECT_ESCHEME },
	{ "about:blank", REDIRECT_ESCHEME },
	{ "ABOUT:blank", REDIRECT_ESCHEME },
	{ "blob:https://example.com/1", REDIRECT_ESCHEME },
	{ "Blob:https://example.com/1", REDIRECT_ESCHEME },
	{ "filesystem:https://example.com/temporary/x", REDIRECT_ESCHEME },
	{ "FileSystem:https://example.com/temporary/x", REDIRECT_ESCHEME },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:/x", REDIRECT_ESCHEME },
	/* Fragments (RFC 6749 §3.1.2). */
	{ "https://client.example.com/cb#frag", REDIRECT_EFRAGMENT },
	{ "https://client.example.com/cb#", REDIRECT_EFRAGMENT },
	{ "com.example.app:/cb#x", REDIRECT_EFRAGMENT },
	/* Userinfo (RFC 9700 §4.1). */
	{ "https://user@client.example.com/cb", REDIRECT_EUSERINFO },
	{ "https://user:pw@client.example.com/cb", REDIRECT_EUSERINFO },
	{ "https://good.example@attacker.example/cb", REDIRECT_EUSERINFO },
	{ "http://localhost@attacker.example/cb", REDIRECT_EUSERINFO },
	{ "http://127.0.0.1:80@attacker.example/cb", REDIRECT_EUSERINFO },
	/* Relative URIs. */
	{ "", REDIRECT_ERELATIVE },
	{ "/callback", REDIRECT_ERELATIVE },
	{ "//attacker.example/cb", REDIRECT_ERELATIVE },
	{ "callback", REDIRECT_ERELATIVE },
	{ ":foo", REDIRECT_ERELATIVE },
	{ "1abc:/x", REDIRECT_ERELATIVE },
	{ "ht_tp://x/cb", REDIRECT_ERELATIVE },
	/* Hosts and ports. */
	{ "https://", REDIRECT_EHOST },
	{ "https:///cb", REDIRECT_EHOST },
	{ "https:cb", REDIRECT_EHOST },
	{ "https://:443/cb", REDIRECT_EHOST },
	{ "https://client.example.com:/cb", REDIRECT_EHOST },
	{ "https://client.example.com:abc/cb", REDIRECT_EHOST },
	{ "https://client.example.com:123456/cb", REDIRECT_EHOST },
	{ "http://localhost:65536/cb", REDIRECT_EHOST },
	{ "http://localhost:99999/cb", REDIRECT_EHOST },
	{ "http://localhost:0/cb", REDIRECT_EHOST },
	{ "http://[::1/cb", REDIRECT_EHOST },
	{ "http://[::1]x/cb", REDIRECT_EHOST },
	{ "https://ex%61mple.com/cb", REDIRECT_EHOST },
	{ "http://%6Cocalhost/cb", REDIRECT_EHOST },
	/* Bytes that are not URI characters. */
	{ "https://client.example.com/c b", REDIRECT_ECHAR },
	{ "https://client.example.com/\"><script>", REDIRECT_ECHAR },
	{ "https://client.example.com/cb\n", REDIRECT_ECHAR },
	{ "https://client.example.com\\@attacker.example/", REDIRECT_ECHAR },
	{ "https://ex\xc3\xa4mple.com/cb", REDIRECT_ECHAR },
	{ "https://client.example.com/{x}", REDIRECT_ECHAR },
	{ "https://client.example.com/`", REDIRECT_ECHAR },
};

Test(redirect, registration_policy_table)
{
	size_t	 i;

	cr_assert_geq(sizeof(policy) / sizeof(policy[0]), 120);
	for (i = 0; i < sizeof(policy) / sizeof(policy[0]); i++) {
		int	 got = redirect_uri_valid(policy[i].uri);

		cr_expect_eq(got, policy[i].want,
		    "\"%s\": got %d (%s), want %d (%s)", policy[i].uri, got,
		    redirect_strerror(got), policy[i].want,
		    redirect_strerror(policy[i].want));
	}
}

Test(redirect, overlong_refused)
{
	char	 uri[REDIRECT_URI_MAX + 2];
	size_t	 n;

	strcpy(uri, "https://client.example.com/");
	n = strlen(uri);
	memset(uri + n, 'a', REDIRECT_URI_MAX - n);
	uri[REDIRECT_URI_MAX] = '\0';
	cr_assert_eq(redirect_uri_valid(uri), REDIRECT_OK, "2000 is the limit");
	cr_assert(redirect_uri_matches(uri, uri));
	uri[REDIRECT_URI_MAX] = 'a';
	uri[REDIRECT_URI_MAX + 1] = '\0';
	cr_assert_eq(redirect_uri_valid(uri), REDIRECT_ETOOLONG);
	cr_assert_not(redirect_uri_matches(uri, uri));
}

struct match_case {
	const char	*registered;
	const char	*requested;
	int		 want;
};

static const struct match_case matches[] = {
	/* Exact string match (RFC 9700 §4.1, MCP basic/authorization). */
	{ "https://good.example/cb", "https://good.example/cb", 1 },
	{ "https://good.example/cb", "https://good.example/cb/", 0 },
	{ "https://good.example/cb/", "https://good.example/cb", 0 },
	{ "https://good.example/cb", "https://GOOD.example/cb", 0 },
	{ "https://good.example/cb", "HTTPS://good.example/cb", 0 },
	{ "https://good.example/cb", "https://good.example/CB", 0 },
	{ "https://good.example/cb", "https://good.example/c%62", 0 },
	{ "https://good.example/c%62", "https://good.example/cb", 0 },
	{ "https://good.example/cb", "https://good.example/cb?x=1", 0 },
	{ "https://good.example/cb?a=1&b=2", "https://good.example/cb?b=2&a=1",
	    0 },
	{ "https://good.example/cb?a=1", "https://good.example/cb?a=1", 1 },
	{ "https://good.example/cb", "https://good.example/cb#x", 0 },
	{ "https://good.example/cb", "https://good.example/cb/../evil", 0 },
	{ "https://good.example/cb", "https://good.example/cb/..", 0 },
	{ "https://good.example/cb", "https://good.example/cb%2F..%2Fevil", 0 },
	{ "https://good.example/a/cb", "https://good.example/a/../a/cb", 0 },
	{ "https://good.example", "https://attacker/.good.example", 0 },
	{ "https://good.example/cb", "https://evil.good.example/cb", 0 },
	{ "https://good.example/cb", "https://good.example.evil/cb", 0 },
	{ "https://good.example/cb", "https://good.example@evil.example/cb",
	    0 },
	/* Non-loopback hosts keep their port. */
	{ "https://good.example/cb", "https://good.example:443/cb", 0 },
	{ "https://good.example/cb", "https://good.example:8443/cb", 0 },
	{ "https://good.example:8443/cb", "https://good.example:8444/cb", 0 },
	/* Loopback: any port (RFC 8252 §7.3; clients pick one per run). */
	{ "http://localhost/cb", "http://localhost:51234/cb", 1 },
	{ "http://localhost:3000/cb", "http://localhost:4000/cb", 1 },
	{ "http://localhost:3000/cb", "http://localhost/cb", 1 },
	{ "http://127.0.0.1/callback", "http://127.0.0.1:8080/callback", 1 },
	{ "http://127.0.0.1:33418/", "http://127.0.0.1:50000/", 1 },
	{ "http://[::1]/cb", "http://[::1]:1234/cb", 1 },
	{ "https://localhost/cb", "https://localhost:8443/cb", 1 },
	{ "http://localhost", "http://localhost:9", 1 },
	/* ... but nothing else differs. */
	{ "http://localhost/cb", "http://127.0.0.1:5000/cb", 0 },
	{ "http://127.0.0.1/cb", "http://localhost:5000/cb", 0 },
	{ "http://127.0.0.1/cb", "http://[::1]:5000/cb", 0 },
	{ "http://[::1]/cb", "http://127.0.0.1/cb", 0 },
	{ "http://localhost/cb", "http://LOCALHOST:5000/cb", 0 },
	{ "http://localhost/cb", "https://localhost:5000/cb", 0 },
	{ "https://localhost/cb", "http://localhost:5000/cb", 0 },
	{ "http://localhost/cb", "http://localhost:5000/cb/", 0 },
	{ "http://localhost/cb", "http://localhost:5000/other", 0 },
	{ "http://localhost/cb", "http://localhost:5000/cb?x=1", 0 },
	{ "http://localhost/cb?a=1", "http://localhost:5000/cb?a=2", 0 },
	{ "http://localhost/cb", "http://localhost:5000/cb#x", 0 },
	{ "http://localhost/cb", "http://localhost:5000@evil.example/cb", 0 },
	{ "http://localhost/cb", "http://localhost:abc/cb", 0 },
	{ "http://localhost/cb", "http://localhost:99999/cb", 0 },
	{ "http://localhost/cb", "http://localhost:/cb", 0 },
	{ "http://localhost/cb", "http://localhost.evil.example:5000/cb", 0 },
	{ "http://localhost/cb", "http://localhost:5000/%63b", 0 },
	/* Private-use schemes: exact, ports are not ignored. */
	{ "cursor://anysphere.cursor-mcp/oauth/callback",
	    "cursor://anysphere.cursor-mcp/oauth/callback", 1 },
	{ "cursor://anysphere.cursor-mcp/oauth/callback",
	    "cursor://anysphere.cursor-mcp/oauth/callback2", 0 },
	{ "com.example.app://localhost/cb", "com.example.app://localhost:1/cb",
	    0 },
	{ "com.example.app:/cb", "com.example.app:/cb", 1 },
	{ "com.example.app:/cb", "COM.EXAMPLE.APP:/cb", 0 },
	/*
	 * Something that should never have been registered never matches,
	 * so a client stored before a scheme was refused is refused at
	 * /authorize too.
	 */
	{ "javascript:alert(1)", "javascript:alert(1)", 0 },
	{ "search-ms:query=x", "search-ms:query=x", 0 },
	{ "ms-msdt:/id", "ms-msdt:/id", 0 },
	{ "chrome://settings", "chrome://settings", 0 },
	{ "myapp://callback", "myapp://callback", 0 },
	{ "https://good.example/cb#x", "https://good.example/cb#x", 0 },
	{ "http://good.example/cb", "http://good.example/cb", 0 },
	{ "/cb", "/cb", 0 },
};

Test(redirect, match_table)
{
	size_t	 i;

	cr_assert_geq(sizeof(matches) / sizeof(matches[0]), 40);
	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
		cr_expect_eq(redirect_uri_matches(matches[i].registered,
		    matches[i].requested), matches[i].want,
		    "registered \"%s\", requested \"%s\": want %d",
		    matches[i].registered, matches[i].requested,
		    matches[i].want);
}

Test(redirect, parse_parts)
{
	struct redirect_uri	 r;

	cr_assert_eq(redirect_parse("HTTP://[::1]:8080/cb?x=1", &r),
	    REDIRECT_OK);
	cr_assert_str_eq(r.scheme, "http");
	cr_assert_eq(r.host_len, 5);
	cr_assert_eq(strncmp(r.host, "[::1]", 5), 0);
	cr_assert_eq(r.port_len, 4);
	cr_assert_eq(strncmp(r.port, "8080", 4), 0);
	cr_assert_str_eq(r.rest, "/cb?x=1");
	cr_assert(r.loopback);

	cr_assert_eq(redirect_parse("com.example.app:/cb", &r), REDIRECT_OK);
	cr_assert_str_eq(r.scheme, "com.example.app");
	cr_assert_null(r.authority);
	cr_assert_str_eq(r.rest, "/cb");
	cr_assert_not(r.loopback);

	cr_assert_eq(redirect_parse("https://example.com?q", &r), REDIRECT_OK);
	cr_assert_eq(r.host_len, 11);
	cr_assert_null(r.port);
	cr_assert_str_eq(r.rest, "?q");
}

Test(redirect, every_error_has_a_message)
{
	int	 rc;

	for (rc = REDIRECT_OK; rc <= REDIRECT_EPRIVATE; rc++)
		cr_assert_str_neq(redirect_strerror(rc), "is invalid");
	cr_assert_str_eq(redirect_strerror(999), "is invalid");
}
