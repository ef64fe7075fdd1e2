/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Outbound HTTPS, for fetching a provider's JWK Set and for token
 * introspection: libcurl with certificate verification on, no
 * redirects, short timeouts and a cap on the response size.  Plain
 * http is refused except to loopback addresses (tests).
 */
#ifndef MCP_HTTPCLIENT_H
#define MCP_HTTPCLIENT_H

#include <sys/socket.h>

#include <stddef.h>

#include "buf.h"

#define HTTPC_CONNECT_TIMEOUT_MS	3000
#define HTTPC_TIMEOUT_MS		5000

enum httpc_err {
	HTTPC_OK = 0,
	HTTPC_EURL,		/* not https (or loopback http) */
	HTTPC_ECONNECT,		/* DNS, connection, TLS or timeout */
	HTTPC_ESTATUS,		/* a status other than 200 */
	HTTPC_ETOOBIG,		/* the body exceeds the limit */
	HTTPC_ENOMEM,
	HTTPC_ENOCURL		/* built --without-curl: nothing is fetched */
};

/* Response headers a caller asks for (cache lifetimes). */
struct httpc_headers {
	char	 cache_control[256];
	char	 expires[64];
};

struct httpc_request {
	const char	*url;
	const char	*ca_file;	/* NULL: the system's CAs */
	const char	*form;		/* POST body (urlencoded), or NULL */
	const char	*user;		/* HTTP Basic, or NULL */
	const char	*password;
	size_t		 max_body;
	/*
	 * For URLs that someone else chose (cimdfetch.c): https only, no
	 * proxy, a handle of its own (no shared connections or DNS
	 * cache), and the connection only to one of the npin addresses
	 * of pin_addrs, those the caller resolved and checked;
	 * pin_resolve is the matching "host:port:addr1,addr2,..." for
	 * CURLOPT_RESOLVE.
	 */
	const struct sockaddr_storage *pin_addrs;
	size_t			 npin;
	const char		*pin_resolve;
	long			 connect_timeout_ms;	/* 0: the default */
	long			 timeout_ms;		/* 0: the default */
	struct httpc_headers	*headers;		/* NULL: not wanted */
};

int		 httpc_url_allowed(const char *);
int		 httpc_fetch(const struct httpc_request *, struct buf *,
		    long *, char *, size_t);
const char	*httpc_strerror(int);
void		 httpc_cleanup(void);
int		 httpc_can_fetch(void);

#endif
