/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "redirect.h"

/*
 * Schemes a browser must never be sent to, in lower case: those of the
 * browser itself, of scripts and local files, and the handlers of the
 * operating system that an attacker can start with a link (search-ms:
 * and ms-msdt: on Windows ran code without a question).  Any scheme
 * without a dot is refused anyway (RFC 8252 section 7.1, below); the
 * list gives those the plainer reason, and is what refuses the few
 * handlers that do have a dot.
 */
static const char *const forbidden_schemes[] = {
	"javascript", "data", "file", "vbscript", "about", "blob",
	"filesystem", "view-source", "ws", "wss", "ftp", "mailto", "tel",
	"sms", "smb", "res", "search", "search-ms", "chrome",
	"chrome-extension", "jar", "intent",
	NULL
};

/* Beginnings of scheme names of operating-system handlers. */
static const char *const forbidden_prefixes[] = {
	"ms-", "x-apple.", "microsoft.",
	NULL
};

/*
 * The private-use redirect URIs of known MCP clients whose scheme is
 * not in reverse-domain form, each allowed only with this exact
 * authority: Cursor registers its callback together with its other
 * redirect URIs, and refusing one refuses its whole registration.  Its
 * other links (cursor://anysphere.cursor-deeplink/...) stay refused.
 */
static const struct {
	const char	*scheme;
	const char	*authority;
} known_app_redirects[] = {
	{ "cursor", "anysphere.cursor-mcp" },
	/* Older versions: .../oauth/user-<server name>/callback. */
	{ "cursor", "anysphere.cursor-retrieval" },
};

/*
 * RFC 3986 characters: unreserved, reserved and "%".  Everything else
 * (spaces, quotes, "<>\^`{|}", controls, non-ASCII) is refused, so a
 * stored URI is always safe to echo in a header or an HTML attribute.
 */
static int
uri_char(unsigned char c)
{
	return isalnum(c) || strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL;
}

static int
is_loopback(const char *host, size_t len)
{
	return (len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	    (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/*
 * Splits uri into its parts and checks the syntax that every use needs.
 * The policy checks (which schemes, which hosts) are in
 * redirect_uri_valid().
 */
int
redirect_parse(const char *uri, struct redirect_uri *r)
{
	const char	*p, *colon, *auth, *auth_end, *hp;
	size_t		 n, i;
	unsigned long	 port;

	memset(r, 0, sizeof(*r));
	n = strlen(uri);
	if (n > REDIRECT_URI_MAX)
		return REDIRECT_ETOOLONG;
	for (i = 0; i < n; i++)
		if (!uri_char((unsigned char)uri[i]))
			return REDIRECT_ECHAR;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if ((colon = strchr(uri, ':')) == NULL || colon == uri ||
	    !isalpha((unsigned char)uri[0]))
		return REDIRECT_ERELATIVE;
	for (p = uri; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' &&
		    *p != '.')
			return REDIRECT_ERELATIVE;
	if ((size_t)(colon - uri) >= sizeof(r->scheme))
		return REDIRECT_ESCHEME;
	for (i = 0; uri + i < colon; i++)
		r->scheme[i] = (char)tolower((unsigned char)uri[i]);
	r->scheme[i] = '\0';
	if (strchr(uri, '#') != NULL)
		return REDIRECT_EFRAGMENT;

	p = colon + 1;
	if (strncmp(p, "//", 2) != 0) {
		/* No authority: "com.example.app:/callback". */
		r->rest = p;
		return REDIRECT_OK;
	}
	auth = p + 2;
	auth_end = auth + strcspn(auth, "/?");
	r->authority = auth;
	r->authority_len = (size_t)(auth_end - auth);
	r->rest = auth_end;
	if (memchr(auth, '@', r->authority_len) != NULL)
		return REDIRECT_EUSERINFO;
	hp = auth;
	if (*hp == '[') {
		const char	*close = memchr(hp, ']', r->authority_len);

		if (close == NULL)
			return REDIRECT_EHOST;
		r->host = hp;
		r->host_len = (size_t)(close - hp) + 1;
		p = close + 1;
	} else {
		r->host = hp;
		r->host_len = strcspn(hp, ":/?");
		if (r->host_len > r->authority_len)
			r->host_len = r->authority_len;
		p = hp + r->host_len;
	}
	if (p < auth_end) {
		if (*p != ':')
			return REDIRECT_EHOST;
		r->port = p + 1;
		r->port_len = (size_t)(auth_end - r->port);
		if (r->port_len == 0 || r->port_len > 5)
			return REDIRECT_EHOST;
		port = 0;
		for (i = 0; i < r->port_len; i++) {
			if (!isdigit((unsigned char)r->port[i]))
				return REDIRECT_EHOST;
			port = port * 10 + (unsigned long)(r->port[i] - '0');
		}
		/*
		 * Five digits are not enough of a check: a browser refuses
		 * "http://localhost:99999/" and the code would be lost.
		 */
		if (port == 0 || port > 65535)
			return REDIRECT_EHOST;
	}
	/* Percent-encoded hosts have no business in a redirect URI. */
	if (memchr(r->host, '%', r->host_len) != NULL)
		return REDIRECT_EHOST;
	r->loopback = is_loopback(r->host, r->host_len);
	return REDIRECT_OK;
}

/* Whether the lowercased scheme is one a browser is never sent to. */
static int
scheme_forbidden(const char *scheme)
{
	size_t	 i;

	for (i = 0; forbidden_schemes[i] != NULL; i++)
		if (strcmp(scheme, forbidden_schemes[i]) == 0)
			return 1;
	for (i = 0; forbidden_prefixes[i] != NULL; i++)
		if (strncmp(scheme, forbidden_prefixes[i],
		    strlen(forbidden_prefixes[i])) == 0)
			return 1;
	return 0;
}

/*
 * Whether the lowercased scheme is in reverse-domain form (RFC 8252
 * section 7.1, RFC 7595 section 3.8): two or more labels joined by
 * dots, each letters, digits and inner hyphens ("com.example.app").
 */
static int
scheme_reverse_domain(const char *scheme)
{
	const char	*p = scheme;
	size_t		 n, i, labels = 0;

	for (;;) {
		n = strcspn(p, ".");
		if (n == 0 || p[0] == '-' || p[n - 1] == '-')
			return 0;
		for (i = 0; i < n; i++)
			if (!islower((unsigned char)p[i]) &&
			    !isdigit((unsigned char)p[i]) && p[i] != '-')
				return 0;
		labels++;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return labels >= 2;
}

/* Whether r is the redirect URI of a known client listed above. */
static int
known_app_redirect(const struct redirect_uri *r)
{
	size_t	 i, n;

	for (i = 0; i < sizeof(known_app_redirects) /
	    sizeof(known_app_redirects[0]); i++) {
		n = strlen(known_app_redirects[i].authority);
		if (strcmp(r->scheme, known_app_redirects[i].scheme) == 0 &&
		    r->authority != NULL && r->authority_len == n &&
		    strncmp(r->authority, known_app_redirects[i].authority,
		    n) == 0)
			return 1;
	}
	return 0;
}

/*
 * The registration policy, also applied to every redirect at
 * /authorize (redirect_uri_matches()), so that a client stored before
 * a rule was added cannot be redirected to either.  Returns REDIRECT_OK
 * or the reason the URI is refused (MCP 2025-11-25, basic/authorization:
 * redirect URIs are localhost or https; RFC 9700 §4.1; RFC 8252 §7.1).
 */
int
redirect_uri_valid(const char *uri)
{
	struct redirect_uri	 r;
	int			 rc;

	if ((rc = redirect_parse(uri, &r)) != REDIRECT_OK)
		return rc;
	if (scheme_forbidden(r.scheme))
		return REDIRECT_ESCHEME;
	if (strcmp(r.scheme, "https") == 0 || strcmp(r.scheme, "http") == 0) {
		if (r.authority == NULL || r.host_len == 0)
			return REDIRECT_EHOST;
		if (strcmp(r.scheme, "http") == 0 && !r.loopback)
			return REDIRECT_EHTTP;
		return REDIRECT_OK;
	}
	/* A private-use scheme still needs something after the colon. */
	if (strlen(uri) == strlen(r.scheme) + 1)
		return REDIRECT_ERELATIVE;
	if (!scheme_reverse_domain(r.scheme) && !known_app_redirect(&r))
		return REDIRECT_EPRIVATE;
	return REDIRECT_OK;
}

/*
 * Whether the requested URI matches a registered one: the same string,
 * or for loopback http(s) URIs the same string but for the port (RFC
 * 8252 §7.3).  localhost and 127.0.0.1 are different hosts here, as in
 * the TypeScript reference server.
 */
int
redirect_uri_matches(const char *registered, const char *requested)
{
	struct redirect_uri	 a, b;

	if (strcmp(registered, requested) == 0)
		return redirect_uri_valid(requested) == REDIRECT_OK;
	if (redirect_parse(registered, &a) != REDIRECT_OK ||
	    redirect_parse(requested, &b) != REDIRECT_OK)
		return 0;
	if (!a.loopback || !b.loopback || a.authority == NULL ||
	    b.authority == NULL)
		return 0;
	if (strcmp(a.scheme, "http") != 0 && strcmp(a.scheme, "https") != 0)
		return 0;
	/* Compare the scheme and host as written, then everything after. */
	if (strncmp(registered, requested,
	    (size_t)(a.host - registered) + a.host_len) != 0 ||
	    a.host - registered != b.host - requested ||
	    a.host_len != b.host_len)
		return 0;
	return strcmp(a.rest, b.rest) == 0 &&
	    redirect_uri_valid(requested) == REDIRECT_OK;
}

const char *
redirect_strerror(int rc)
{
	switch (rc) {
	case REDIRECT_OK:
		return "valid";
	case REDIRECT_ETOOLONG:
		return "longer than 2000 characters";
	case REDIRECT_ECHAR:
		return "contains a character not allowed in a URI";
	case REDIRECT_ERELATIVE:
		return "is not an absolute URI";
	case REDIRECT_ESCHEME:
		return "uses a scheme that is not allowed";
	case REDIRECT_EFRAGMENT:
		return "must not contain a fragment";
	case REDIRECT_EUSERINFO:
		return "must not contain userinfo";
	case REDIRECT_EHOST:
		return "has a missing or malformed host or port";
	case REDIRECT_EHTTP:
		return "must use https (http is allowed only for localhost, "
		    "127.0.0.1 and [::1])";
	case REDIRECT_EPRIVATE:
		return "uses a private-use scheme that is not in reverse-domain "
		    "form (com.example.app:/callback, RFC 8252 section 7.1)";
	}
	return "is invalid";
}
