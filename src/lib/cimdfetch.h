/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Fetching and caching client ID metadata documents.  The host of the
 * client_id URL is resolved here, every address it has must be a
 * globally reachable unicast one (netpolicy.h), and libcurl connects
 * to exactly the address checked, so that DNS cannot answer
 * differently between the check and the connection.  https only,
 * certificate verified, no redirects, no proxy, CIMD_DOC_MAX bytes,
 * short timeouts, only a 200 counts.
 *
 * A valid document is stored as a client record (CLIENT_CIMD) in the
 * clients database, keyed by its URL, until the time its
 * Cache-Control max-age or Expires header gives, bounded to
 * CIMD_TTL_MIN..CIMD_TTL_MAX (CIMD_TTL_DEFAULT without either).  An
 * error or an invalid document is never stored.  One process fetches
 * a URL at a time: a short lease in the ratelimit database.  A client
 * address makes the server fetch at most cimd_fetch_rate_limit
 * documents at URLs not yet stored an hour (CIMD_FETCH_WINDOW).
 */
#ifndef MCP_CIMDFETCH_H
#define MCP_CIMDFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "config.h"
#include "store.h"

struct oauth_error;

#define CIMD_TTL_MIN		300
#define CIMD_TTL_MAX		(24 * 3600)
#define CIMD_TTL_DEFAULT	3600
/*
 * A fetch's deadlines: the name lookup (getaddrinfo_a(), whose helper
 * thread is left to finish on its own when it misses the deadline),
 * then the connection, and the whole transfer, connection included.
 * CIMD_FETCH_WORST_MS, their sum, bounds a fetch with room to spare.
 */
#define CIMD_DNS_TIMEOUT_MS	3000
#define CIMD_CONNECT_TIMEOUT_MS	2000
#define CIMD_TIMEOUT_MS		4000
#define CIMD_FETCH_WORST_MS	(CIMD_DNS_TIMEOUT_MS + \
				    CIMD_CONNECT_TIMEOUT_MS + CIMD_TIMEOUT_MS)
/*
 * How long the fetch lease of one URL lasts, in seconds: above the
 * worst fetch (9 s) with room for a slow database and a busy machine,
 * so that no other process fetches the same URL meanwhile, yet short
 * enough that a process that died holding it blocks new fetches of
 * that URL only briefly (others wait at most CIMD_FETCH_WORST_MS,
 * then are told to try again).  A late process releases only a lease
 * it still holds.
 */
#define CIMD_LEASE		30
/* Addresses of a name libcurl may try, in the resolver's order. */
#define CIMD_PIN_MAX		8
#define CIMD_FETCH_WINDOW	3600

enum cimdfetch_err {
	CIMDF_OK = 0,
	CIMDF_EOFF,		/* cimd = off, or the host is not allowed */
	CIMDF_EURL,		/* not a metadata document URL */
	CIMDF_EADDR,		/* the host resolves to a special address */
	CIMDF_EFETCH,		/* DNS, connection, TLS, status, size */
	CIMDF_EDOC,		/* the document is invalid */
	CIMDF_EBUSY,		/* another process is fetching it */
	CIMDF_ELIMIT,		/* cimd_fetch_rate_limit reached */
	CIMDF_ESTORE,
	CIMDF_ENOMEM
};

int	 cimd_ensure(const struct config *, struct store *, const char *,
	    const char *, int64_t, char *, size_t);
int	 cimd_ensure_oauth(const struct config *, struct store *,
	    const char *, const char *, int64_t, struct oauth_error *);
int	 cimd_fetch_client(const struct config *, const char *, int64_t,
	    struct client *, char *, size_t);
int64_t	 cimd_ttl(const char *, const char *, int64_t);
const char *cimdfetch_strerror(int);

#endif
