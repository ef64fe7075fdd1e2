/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Bearer tokens at the resource server (RFC 6750; MCP 2025-11-25,
 * basic/authorization, access token usage and scope challenges): the
 * Authorization header to a validated token context, in one read-only
 * transaction, and the WWW-Authenticate challenges for 401 and 403.
 */
#ifndef MCP_BEARER_H
#define MCP_BEARER_H

#include <stdint.h>

#include "config.h"
#include "crypto.h"
#include "grant.h"
#include "http.h"
#include "scope.h"
#include "store.h"
#include "user.h"

enum bearer_err {
	BEARER_OK = 0,
	BEARER_ENONE,		/* no Bearer token in the request */
	BEARER_EINVALID,	/* malformed, unknown, expired, revoked */
	BEARER_EAUDIENCE,	/* issued for another resource */
	BEARER_ESTORE,		/* the database failed */
	BEARER_EUNAVAILABLE	/* the provider cannot be asked (RS mode) */
};

/*
 * A validated token.  In resource-server mode the fields come from
 * another authorization server: a subject that is no user name of ours
 * is hashed to one (bearer_subject_key()), and a client_id or scope
 * that does not fit is refused, the scope at the same length as a
 * scope parameter sent to us.
 */
struct bearer {
	char		 user[USER_NAME_MAX + 1];
	char		 client_id[256];
	char		 grant_id[GRANT_ID_LEN + 1];
	char		 scope[SCOPE_MAX + 1];
	int64_t		 expires;
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	int		 store_rc;	/* with BEARER_ESTORE */
};

int	 bearer_validate(struct store *, const struct config *,
	    const struct http_request *, int64_t, struct bearer *);
void	 bearer_challenge(struct http_response *, const struct config *,
	    int, const char *);
void	 bearer_insufficient_scope(struct http_response *,
	    const struct config *, const char *, const char *);
const char *bearer_strerror(int);

#endif
