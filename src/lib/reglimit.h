/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The limits on dynamic client registration (/register): per client
 * address (registration_rate_limit) and for the whole site
 * (registration_site_rate_limit), each counted in fixed windows of an
 * hour in the ratelimit database.  The per-address limit stops one
 * host; the site limit bounds what many hosts together can make the
 * server store, whatever addresses they come from.  The site counter
 * runs even with its limit off, so that "mcp-oauth-admin stats" can
 * tell how many registrations the current hour has seen.
 */
#ifndef MCP_REGLIMIT_H
#define MCP_REGLIMIT_H

#include <stdint.h>

#include "config.h"
#include "store.h"

#define REGLIMIT_WINDOW		3600

enum reglimit_result {
	REGLIMIT_OK = 0,	/* counted */
	REGLIMIT_ADDRESS,	/* over registration_rate_limit */
	REGLIMIT_SITE		/* over registration_site_rate_limit */
};

int	 reglimit_take(struct store_txn *, const struct config *,
	    const char *, int64_t, enum reglimit_result *, long *);
int	 reglimit_site_count(struct store_txn *, int64_t, unsigned long *);

#endif
