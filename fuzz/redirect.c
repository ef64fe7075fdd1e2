/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Redirect URIs: redirect_parse(), redirect_uri_valid() and
 * redirect_uri_matches().  The input is "registered\nrequested".
 * Besides memory safety the target checks the rules the rest of the
 * server relies on:
 *
 *  - a URI matches itself exactly when it is valid;
 *  - matching is symmetric, and only valid URIs match;
 *  - two different URIs match only if both are loopback http(s) URIs
 *    that differ in nothing but the port;
 *  - a valid URI has no fragment, no userinfo, no byte outside
 *    printable ASCII, a permitted scheme (http, https, a private-use
 *    scheme in reverse-domain form, or Cursor's callback; never a
 *    browser or operating-system handler), and plain http only on a
 *    loopback host;
 *  - the parts redirect_parse() returns put together give back the
 *    URI, and the URI with another port is as valid as before (but
 *    for Cursor's callback) and (loopback) still matches.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "../src/lib/buf.h"
#include "../src/lib/redirect.h"
#include "fuzz.h"

/* The URI with its port replaced by port ("" removes it). */
static char *
with_port(const char *uri, const struct redirect_uri *r, const char *port)
{
	struct buf	 b;
	const char	*host_end = r->host + r->host_len;

	buf_init(&b);
	buf_append(&b, uri, (size_t)(host_end - uri));
	if (*port != '\0') {
		buf_putc(&b, ':');
		buf_puts(&b, port);
	}
	buf_puts(&b, r->rest);
	FUZZ_CHECK(!buf_failed(&b));
	return b.data;
}

static void
check_parse(const char *uri)
{
	struct redirect_uri	 r;
	struct buf		 b;
	size_t			 n = strlen(uri), i;
	int			 rc;

	rc = redirect_parse(uri, &r);
	FUZZ_CHECK(redirect_strerror(rc) != NULL);
	if (rc != REDIRECT_OK)
		return;
	FUZZ_CHECK(n <= REDIRECT_URI_MAX);
	FUZZ_CHECK(strchr(uri, '#') == NULL);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)uri[i] > 0x20 &&
		    (unsigned char)uri[i] < 0x7f);
	FUZZ_CHECK(r.scheme[0] != '\0' &&
	    strncasecmp(uri, r.scheme, strlen(r.scheme)) == 0);
	for (i = 0; r.scheme[i] != '\0'; i++)
		FUZZ_CHECK(!isupper((unsigned char)r.scheme[i]));
	FUZZ_CHECK(r.rest >= uri && r.rest <= uri + n);
	/* The pieces put together are the URI. */
	buf_init(&b);
	buf_append(&b, uri, strlen(r.scheme));
	buf_putc(&b, ':');
	if (r.authority != NULL) {
		buf_puts(&b, "//");
		buf_append(&b, r.authority, r.authority_len);
		FUZZ_CHECK(memchr(r.authority, '@', r.authority_len) == NULL);
		FUZZ_CHECK(r.host == r.authority);
		FUZZ_CHECK(r.host_len <= r.authority_len);
		FUZZ_CHECK(memchr(r.host, '%', r.host_len) == NULL);
		if (r.port != NULL) {
			FUZZ_CHECK(r.port > r.host + r.host_len - 1 &&
			    r.port[-1] == ':');
			FUZZ_CHECK(r.port + r.port_len ==
			    r.authority + r.authority_len);
			FUZZ_CHECK(r.port_len >= 1 && r.port_len <= 5);
			FUZZ_CHECK(strtol(r.port, NULL, 10) >= 1 &&
			    strtol(r.port, NULL, 10) <= 65535);
		} else
			FUZZ_CHECK(r.host_len == r.authority_len);
		if (r.loopback)
			FUZZ_CHECK(r.host_len == 9 || r.host_len == 5);
	} else
		FUZZ_CHECK(!r.loopback && r.host == NULL);
	buf_puts(&b, r.rest);
	FUZZ_CHECK(!buf_failed(&b) && strcmp(b.data, uri) == 0);
	buf_free(&b);
}

/*
 * RFC 8252 section 7.1: a valid URI's scheme is http(s), or a
 * reverse-domain name (a dot, and no empty label), or Cursor's one
 * callback; never a handler of the browser or the operating system.
 */
static void
check_scheme(const struct redirect_uri *r)
{
	static const char *const never[] = {
		"javascript", "vbscript", "about", "blob", "filesystem",
		"search-ms", "ms-msdt", "chrome", "jar", "intent", NULL
	};
	size_t	 i, n = strlen(r->scheme);

	for (i = 0; never[i] != NULL; i++)
		FUZZ_CHECK(strcmp(r->scheme, never[i]) != 0);
	FUZZ_CHECK(strncmp(r->scheme, "ms-", 3) != 0);
	if (strcmp(r->scheme, "http") == 0 || strcmp(r->scheme, "https") == 0)
		return;
	if (strcmp(r->scheme, "cursor") == 0) {
		FUZZ_CHECK(r->authority != NULL &&
		    ((r->authority_len == 20 && strncmp(r->authority,
		    "anysphere.cursor-mcp", 20) == 0) ||
		    (r->authority_len == 26 && strncmp(r->authority,
		    "anysphere.cursor-retrieval", 26) == 0)));
		return;
	}
	FUZZ_CHECK(strchr(r->scheme, '.') != NULL);
	FUZZ_CHECK(strstr(r->scheme, "..") == NULL);
	FUZZ_CHECK(r->scheme[n - 1] != '.');
	FUZZ_CHECK(strchr(r->scheme, '+') == NULL);
}

static void
check_valid(const char *uri)
{
	struct redirect_uri	 r;
	char			*other;
	int			 rc;

	rc = redirect_uri_valid(uri);
	FUZZ_CHECK(redirect_uri_matches(uri, uri) == (rc == REDIRECT_OK));
	if (rc != REDIRECT_OK)
		return;
	FUZZ_CHECK(redirect_parse(uri, &r) == REDIRECT_OK);
	FUZZ_CHECK(strcmp(r.scheme, "javascript") != 0 &&
	    strcmp(r.scheme, "data") != 0 && strcmp(r.scheme, "file") != 0);
	check_scheme(&r);
	if (strcmp(r.scheme, "http") == 0)
		FUZZ_CHECK(r.loopback);
	if (strcmp(r.scheme, "http") == 0 || strcmp(r.scheme, "https") == 0)
		FUZZ_CHECK(r.authority != NULL && r.host_len > 0);
	if (r.authority == NULL || strlen(uri) + 6 > REDIRECT_URI_MAX)
		return;
	/*
	 * Another port: as valid as before (but for Cursor's callback,
	 * whose authority is exact), and a match on loopback.
	 */
	other = with_port(uri, &r, "61234");
	FUZZ_CHECK(redirect_uri_valid(other) == REDIRECT_OK ||
	    (strcmp(r.scheme, "cursor") == 0 && r.port == NULL));
	FUZZ_CHECK(redirect_uri_matches(uri, other) ==
	    (r.loopback && (strcmp(r.scheme, "http") == 0 ||
	    strcmp(r.scheme, "https") == 0)) || strcmp(uri, other) == 0);
	free(other);
	other = with_port(uri, &r, "");
	FUZZ_CHECK(redirect_uri_valid(other) == REDIRECT_OK);
	free(other);
}

static void
check_match(const char *a, const char *b)
{
	struct redirect_uri	 ra, rb;
	char			*sa, *sb;
	int			 m;

	m = redirect_uri_matches(a, b);
	FUZZ_CHECK(m == 0 || m == 1);
	FUZZ_CHECK(m == redirect_uri_matches(b, a));
	if (!m)
		return;
	FUZZ_CHECK(redirect_uri_valid(a) == REDIRECT_OK);
	FUZZ_CHECK(redirect_uri_valid(b) == REDIRECT_OK);
	if (strcmp(a, b) == 0)
		return;
	FUZZ_CHECK(redirect_parse(a, &ra) == REDIRECT_OK && ra.loopback);
	FUZZ_CHECK(redirect_parse(b, &rb) == REDIRECT_OK && rb.loopback);
	FUZZ_CHECK(strcmp(ra.scheme, "http") == 0 ||
	    strcmp(ra.scheme, "https") == 0);
	sa = with_port(a, &ra, "");
	sb = with_port(b, &rb, "");
	FUZZ_CHECK(strcmp(sa, sb) == 0);
	free(sa);
	free(sb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*a, *b;

	fuzz_split(data, size, &a, &b);
	check_parse(a);
	check_parse(b);
	check_valid(a);
	check_valid(b);
	check_match(a, b);
	free(a);
	free(b);
	return 0;
}
