/*
 * Bearer tokens at the resource server (RFC 6750; MCP 2025-06-18,
 * basic/authorization):
 * the Authorization header to a validated token context, in one
 * read-only transaction, and the WWW-Authenticate challenges for 401
 * and 403.
 */
#ifndef MCP_BEARER_H
#define MCP_BEARER_H

#include <stdint.h>

#include "config.h"
#include "http.h"
#include "store.h"

enum bearer_err {
	BEARER_OK = 0,
	BEARER_ENONE,		/* no Bearer token in the request */
	BEARER_EINVALID,	/* malformed, unknown, expired, revoked */
	BEARER_EAUDIENCE,	/* issued for another resource */
	BEARER_ESTORE,		/* the database failed */
	BEARER_EUNAVAILABLE	/* the provider cannot be asked (RS mode) */
};

struct bearer {
	char		 user[65];
	char		 client_id[256];
	char		 grant_id[33];
	char		 scope[1100];
	int64_t		 expires;
	unsigned char	 hash[32];
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
