/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: the MCP URL given on the command line, and
 * whether a URL the server names is on that site.  The site is kept in
 * the form clients compare: scheme and host in lower case, no default
 * port (RFC 3986 section 6.2.3), so that "https://Example.com:443/mcp"
 * expects the issuer "https://example.com".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * A byte that may appear in a URI (RFC 3986 section 2): printable
 * ASCII but for the space and "<>\\^`{|}.
 */
static int
uri_char(int c)
{
	return c > ' ' && c < 0x7f && strchr("\"<>\\^`{|}", c) == NULL;
}

/* A host name or IPv4 address character (RFC 3986 reg-name, ASCII). */
static int
host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* An IPv6 literal's character, inside the brackets. */
static int
ipv6_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/*
 * The port of an authority (digits after the host's colon) as a
 * number: 0 when there is none or it is empty (the scheme's default),
 * -1 when it is not a port.
 */
static long
port_number(const char *p, size_t len)
{
	long	 v = 0;
	size_t	 i;

	if (len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (len > 0 && (v < 1 || v > 65535))
		return -1;
	return v;
}

/*
 * Whether the segment seg (len bytes) is "." or "..", also written
 * with %2e: a path with one means another path once normalised (RFC
 * 3986 section 5.2.4), and clients and servers may disagree on which.
 */
static int
dot_segment(const char *seg, size_t len)
{
	size_t	 i = 0, dots = 0;

	while (i < len) {
		if (seg[i] == '.')
			i++;
		else if (len - i >= 3 && seg[i] == '%' && seg[i + 1] == '2' &&
		    (seg[i + 2] == 'e' || seg[i + 2] == 'E'))
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

/*
 * Whether the path (len bytes, starting with '/') has an empty segment
 * ("//") or a dot segment: the issuer check of config.c refuses both,
 * so no server could be configured at such a URL.
 */
static int
path_segments_ok(const char *path, size_t len)
{
	const char	*seg, *end = path + len, *slash;

	for (seg = path + 1; seg <= end; seg = slash + 1) {
		if ((slash = memchr(seg, '/', (size_t)(end - seg))) == NULL)
			slash = end;
		if (slash == seg || dot_segment(seg, (size_t)(slash - seg)))
			return 0;
	}
	return 1;
}

/*
 * Splits the MCP URL into what it implies (d->site, base, prefix,
 * mcp_path, mcp_url, tls).  Returns 0, or -1 with the reason in err.
 * Refused: other schemes, control bytes, spaces, bytes that are not
 * ASCII and the others a URI cannot hold, user information, a query, a
 * fragment, a bad port, a path that does not end in /mcp or has an
 * empty or dot segment.  Whether
 * plain http goes to loopback is for the caller (it needs libcurl).
 */
int
dr_parse_url(struct doctor *d, const char *url, char *err, size_t errsz)
{
	const char	*auth, *path, *colon = NULL;
	size_t		 schemelen, authlen, pathlen, hostlen, i, len;
	long		 port, defport;
	char		 site[DR_URL_MAX];
	int		 n;

	len = strlen(url);
	if (len >= DR_URL_MAX) {
		snprintf(err, errsz, "the URL is too long");
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!uri_char((unsigned char)url[i])) {
			snprintf(err, errsz, "the URL has a control byte, a "
			    "space, a byte that is not ASCII or one of "
			    "\"<>\\^`{|} at offset %zu (percent-encode it; "
			    "an international host name in its xn-- form)", i);
			return -1;
		}
	d->tls = 0;
	if (strncasecmp(url, "https://", 8) == 0) {
		d->tls = 1;
		schemelen = 8;
		defport = 443;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		schemelen = 7;
		defport = 80;
	} else {
		snprintf(err, errsz, "%s: the URL must start with https://",
		    url);
		return -1;
	}
	auth = url + schemelen;
	authlen = strcspn(auth, "/?#");
	path = auth + authlen;
	pathlen = strcspn(path, "?#");
	if (authlen == 0 || memchr(auth, '@', authlen) != NULL ||
	    path[pathlen] != '\0') {
		snprintf(err, errsz, "%s: expected scheme://host[:port]/path, "
		    "with no user, query or fragment", url);
		return -1;
	}

	/* The host, and the colon before a port if there is one. */
	if (auth[0] == '[') {
		for (i = 1; i < authlen && ipv6_char(auth[i]); i++)
			continue;
		if (i == 1 || i >= authlen || auth[i] != ']')
			goto badhost;
		hostlen = i + 1;
	} else {
		for (i = 0; i < authlen && host_char(auth[i]); i++)
			continue;
		if (i == 0)
			goto badhost;
		hostlen = i;
	}
	if (hostlen < authlen) {
		if (auth[hostlen] != ':')
			goto badhost;
		colon = auth + hostlen;
	}
	port = colon == NULL ? 0 : port_number(colon + 1,
	    authlen - hostlen - 1);
	if (port < 0) {
		snprintf(err, errsz, "%s: the port must be a number from 1 "
		    "to 65535", url);
		return -1;
	}

	if (pathlen < 4 || strcmp(path + pathlen - 4, "/mcp") != 0) {
		snprintf(err, errsz, "%s: give the MCP endpoint's URL, ending "
		    "in /mcp (e.g. https://example.com/mcp)", url);
		return -1;
	}
	if (!path_segments_ok(path, pathlen)) {
		snprintf(err, errsz, "%s: the path has an empty segment (//) "
		    "or a dot segment (/./, /../): give the path the server "
		    "is configured with", url);
		return -1;
	}

	/* The scheme and host in lower case, as the issuer must be. */
	for (i = 0; i < schemelen + hostlen; i++)
		site[i] = (char)lower((unsigned char)url[i]);
	site[i] = '\0';
	if (port != 0 && port != defport)
		snprintf(site + i, sizeof(site) - i, ":%ld", port);
	memcpy(d->site, site, sizeof(d->site));
	memcpy(d->prefix, path, pathlen - 4);
	d->prefix[pathlen - 4] = '\0';
	n = snprintf(d->mcp_path, sizeof(d->mcp_path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(d->mcp_path))
		goto toolong;
	n = snprintf(d->base, sizeof(d->base), "%s%s", d->site, d->prefix);
	if (n < 0 || (size_t)n >= sizeof(d->base))
		goto toolong;
	n = snprintf(d->mcp_url, sizeof(d->mcp_url), "%s%s", d->site, path);
	if (n < 0 || (size_t)n >= sizeof(d->mcp_url))
		goto toolong;
	return 0;
badhost:
	snprintf(err, errsz, "%s: expected scheme://host[:port]/path, the "
	    "host a name, an IPv4 address or an [IPv6] address", url);
	return -1;
toolong:
	snprintf(err, errsz, "the URL is too long");
	return -1;
}

/*
 * Whether url, named by the server (an endpoint, a metadata URL), is
 * on the site doctor checks: the site's scheme and authority followed
 * by a path, and nothing doctor would refuse in a URL given to it.
 * Anything else is not fetched: a hostile or misconfigured server must
 * not send doctor (or, through doctor's report, the owner's clients)
 * to another host.
 */
int
dr_on_site(const struct doctor *d, const char *url)
{
	size_t	 n = strlen(d->site), i, len;

	if (url == NULL || d->site[0] == '\0')
		return 0;
	len = strlen(url);
	if (len >= DR_URL_MAX || len <= n ||
	    strncasecmp(url, d->site, n) != 0 || url[n] != '/')
		return 0;
	for (i = 0; i < len; i++)
		if (!uri_char((unsigned char)url[i]))
			return 0;
	return 1;
}
