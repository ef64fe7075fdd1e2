/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Tokens this server did not issue (resource-server mode):
 * RFC 9068 JWT access tokens checked against the provider's JWK Set,
 * or opaque tokens checked by RFC 7662 introspection.  Both fill the
 * same struct bearer as the local lookup, so /mcp behaves the same
 * whichever validates.
 */
#ifndef MCP_RSVERIFY_H
#define MCP_RSVERIFY_H

#include <time.h>

#include "bearer.h"
#include "config.h"
#include "http.h"
#include "jwkscache.h"

#define INTROSPECT_CACHE	256
#define INTROSPECT_TTL_MAX	60
#define INTROSPECT_NEG_CACHE	256
#define INTROSPECT_NEG_TTL	30
#define INTROSPECT_BODY_MAX	(16 * 1024)

/* What an introspection endpoint's answer other than 200 means. */
enum introspect_refusal {
	INTROSPECT_TOKEN_REFUSED,	/* the token is no good: 401 */
	INTROSPECT_CREDENTIALS_REFUSED,	/* our client authentication: 503 */
	INTROSPECT_PROVIDER_FAILED	/* the provider's fault: 503 */
};

enum introspect_refusal
	 introspection_refusal(long, const char *, size_t);
int	 bearer_validate_jwt(const struct config *, const struct http_request *,
	    time_t, struct jwkscache *, struct bearer *);
int	 bearer_validate_introspection(const struct config *, unsigned long,
	    const struct http_request *, time_t, struct bearer *);
int	 bearer_from_claims(const struct config *, struct json_object *,
	    time_t, int, struct bearer *);
void	 bearer_subject_key(const char *, char *, size_t);

#endif
