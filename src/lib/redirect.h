/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Redirect URIs: the registration policy and the match at /authorize
 * (RFC 9700 §4.1, RFC 8252 §7.3, OAuth 2.1 section 7.12.2; MCP
 * 2025-11-25, basic/authorization, open redirection).
 *
 * Registration accepts https URIs, http URIs on loopback hosts only,
 * and private-use schemes of native apps in reverse-domain form
 * (com.example.app:/callback, RFC 8252 section 7.1; Cursor's one
 * callback is the exception), and refuses the schemes of browsers,
 * scripts and operating-system handlers in any case, fragments,
 * userinfo, relative URIs and anything that is not plain printable
 * ASCII.  The match is an exact string
 * comparison, except that for loopback http(s) URIs the port is
 * ignored (clients pick an ephemeral port at run time).
 */
#ifndef MCP_REDIRECT_H
#define MCP_REDIRECT_H

#include <stddef.h>

#define REDIRECT_URI_MAX	2000

enum redirect_err {
	REDIRECT_OK = 0,
	REDIRECT_ETOOLONG,
	REDIRECT_ECHAR,		/* a byte outside the URI character set */
	REDIRECT_ERELATIVE,	/* no scheme */
	REDIRECT_ESCHEME,	/* a scheme we never redirect to */
	REDIRECT_EFRAGMENT,
	REDIRECT_EUSERINFO,
	REDIRECT_EHOST,		/* https without a host, or a bad port */
	REDIRECT_EHTTP,		/* plain http to a non-loopback host */
	REDIRECT_EPRIVATE	/* a private-use scheme not reverse-domain */
};

struct redirect_uri {
	char		 scheme[32];	/* lowercased */
	const char	*authority;	/* into the string; NULL if none */
	size_t		 authority_len;
	const char	*host;		/* into the string */
	size_t		 host_len;
	const char	*port;		/* digits after ':', or NULL */
	size_t		 port_len;
	const char	*rest;		/* path and query, after authority */
	int		 loopback;	/* host is localhost/127.0.0.1/[::1] */
};

int	 redirect_parse(const char *, struct redirect_uri *);
int	 redirect_uri_valid(const char *);
int	 redirect_uri_matches(const char *, const char *);
const char *redirect_strerror(int);

#endif
