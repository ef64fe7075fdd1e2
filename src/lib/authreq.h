/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The authorization request of /authorize (RFC 6749 section 4.1.1,
 * OAuth 2.1, RFC 7636, RFC 8707): its parameters are checked in a fixed
 * order, and the first one that fails decides the answer.
 *
 * client_id and redirect_uri come first: until both are known to be
 * good, an error is shown to the person and nothing is redirected
 * (RFC 9700 section 4.1).  Every later error goes back to the client
 * as an error redirect.  Those later parameters are checked from a
 * table, one row each, in the way config.c checks its keys.
 */
#ifndef MCP_AUTHREQ_H
#define MCP_AUTHREQ_H

#include <stdint.h>

#include "buf.h"
#include "client.h"
#include "config.h"
#include "form.h"
#include "scope.h"
#include "session.h"

/* The longest state parameter accepted, in bytes. */
#define AUTHREQ_STATE_MAX	1024

/* Room for the longest error_description authreq_check() builds. */
#define AUTHREQ_TEXT_MAX	(sizeof("unknown scope ''") + SCOPE_NAME_MAX)
/* Room for the unknown client page's text, with its number of days. */
#define AUTHREQ_UNKNOWN_MAX	384

enum authreq_result {
	AUTHREQ_OK = 0,
	AUTHREQ_PAGE,		/* show description; redirect nothing */
	AUTHREQ_REDIRECT,	/* send error and description to the client */
	AUTHREQ_SERVER		/* store_rc: the server cannot go on */
};

/*
 * Reads the client named by the request: returns STORE_OK with the
 * client filled, STORE_NOTFOUND, or another store error.
 */
typedef int	(*authreq_client_get)(void *, const char *, struct client *);

/*
 * A checked request.  The strings point into the form and the
 * configuration the request was checked with, and live as long as they
 * do; client and scope belong to the request (authreq_free()).
 */
struct authreq {
	struct client	 client;
	const char	*redirect_uri;
	int		 redirect_explicit;	/* sent in the request */
	const char	*state;			/* NULL when absent */
	const char	*challenge;
	struct buf	 scope;
	const char	*resource;		/* always this server's */
	uint32_t	 prompt;		/* PROMPT_* of session.h */

	/* The first failure (AUTHREQ_PAGE, _REDIRECT, _SERVER). */
	const char	*error;
	const char	*description;
	int		 store_rc;
	char		 text[AUTHREQ_TEXT_MAX];
	char		 unknown[AUTHREQ_UNKNOWN_MAX];
};

void	 authreq_init(struct authreq *);
void	 authreq_free(struct authreq *);
int	 authreq_check(struct authreq *, const struct config *,
	    const struct form *, authreq_client_get, void *);
int	 authreq_prompt(const char *, uint32_t *);
/* authreq_scope()'s results. */
#define AUTHREQ_SCOPE_OK	0
#define AUTHREQ_SCOPE_INVALID	1
#define AUTHREQ_SCOPE_ENOMEM	2
int	 authreq_scope(const struct config *, const char *, const char *,
	    struct buf *, char *, size_t);
void	 authreq_pending(const struct authreq *, int64_t, long,
	    struct pending *);

#endif
