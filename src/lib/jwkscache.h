/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * A provider's JWK Set, cached in a file that every process shares
 * (as jose's createRemoteJWKSet does in memory): fresh for 10 minutes,
 * refetched at most every 30 seconds when a token names an unknown
 * kid, and served stale, with a log line, while the provider is down.
 */
#ifndef MCP_JWKSCACHE_H
#define MCP_JWKSCACHE_H

#include <sys/types.h>

#include <time.h>

#include "config.h"
#include "jose.h"

#define JWKS_MAX_AGE		600
#define JWKS_COOLDOWN		30
#define JWKS_BODY_MAX		(64 * 1024)

enum jwkscache_err {
	JWKSCACHE_OK = 0,
	JWKSCACHE_EUNAVAILABLE	/* no keys: cold cache and provider down */
};

struct jwkscache {
	struct jwks	 keys;
	char		*raw;		/* the JWK Set as fetched */
	int		 have;
	time_t		 fetched_at;	/* when the keys were fetched */
	time_t		 attempted_at;	/* last fetch attempt, any process */
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtime;
	off_t		 size;
	char		 url[1024];	/* the jwks_uri all this is for */
	int		 distrust_logged;
};

int	 jwkscache_keys(struct jwkscache *, const struct config *,
	    const char *, time_t, const struct jwks **);
void	 jwkscache_free(struct jwkscache *);
int	 jwkscache_path(const struct config *, const char *, char *, size_t);

#endif
