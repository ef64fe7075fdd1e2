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

/*
 * One request of mcp-oauth-admin doctor, which looks at a site from
 * outside: any method, request headers of its own, every status
 * answered (not only 200), the last response's header block kept
 * (bounded), and the server's certificate on request.  Redirects are
 * not followed.  Plain http only to loopback, as for httpc_fetch().
 */
struct httpc_exchange {
	const char		*method;	/* "GET", "POST", "OPTIONS" */
	const char		*url;
	const char		*ca_file;	/* NULL: the system's CAs */
	int			 insecure;	/* skip certificate checks */
	const char *const	*headers;	/* "Name: value", NULL-ended */
	const char		*body;		/* POST body, or NULL */
	size_t			 max_body;
	size_t			 max_headers;
	long			 timeout_ms;	/* 0: the default */
	int			 want_cert;	/* fill cert_pem */
	/* Filled by httpc_exchange(): */
	long			 status;
	int			 tls_failed;	/* the TLS handshake failed */
	struct buf		 resp_headers;	/* "Name: value\r\n" lines */
	struct buf		 resp_body;
	struct buf		 cert_pem;	/* the leaf certificate */
};

void		 httpc_exchange_init(struct httpc_exchange *);
void		 httpc_exchange_free(struct httpc_exchange *);
int		 httpc_exchange(struct httpc_exchange *, char *, size_t);

int		 httpc_url_allowed(const char *);
int		 httpc_fetch(const struct httpc_request *, struct buf *,
		    long *, char *, size_t);
const char	*httpc_strerror(int);
void		 httpc_cleanup(void);
int		 httpc_can_fetch(void);
int		 httpc_load(char *, size_t);

#endif
