/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * RFC 6749 error responses, shared by the OAuth endpoints, the one
 * path from a database failure to its log line and answer, and the
 * resource indicator rules of RFC 8707.
 */
#ifndef MCP_OAUTH_H
#define MCP_OAUTH_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "http.h"

/* The longest error_description sent, with its NUL. */
#define OAUTH_TEXT_MAX		200

struct oauth_error {
	int		 status;	/* 400, 401, 429, 500 or 503 */
	const char	*error;		/* RFC 6749 §5.2 / RFC 7591 code */
	char		 description[OAUTH_TEXT_MAX];
	int		 basic;		/* add WWW-Authenticate: Basic */
	int		 commit;	/* the transaction must still commit */
};

void	 oauth_error_set(struct oauth_error *, int, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
void	 oauth_error_respond(struct http_response *,
	    const struct oauth_error *);
void	 oauth_no_store(struct http_response *);
int	 oauth_text_valid(const char *);
void	 oauth_text_clean(char *, size_t, const char *);
void	 oauth_text_append(struct buf *, const char *);
/*
 * Seconds a client is asked to wait (Retry-After) when the database is
 * full: time for the opportunistic purge or the administrator to act.
 */
#define OAUTH_STORE_RETRY_AFTER	"60"

int	 oauth_store_log(int);
void	 oauth_store_error(struct oauth_error *, int);
void	 oauth_store_respond(struct http_response *, int);
void	 oauth_cors(struct http_response *);
int	 oauth_cors_preflight(const struct http_request *,
	    struct http_response *);
int	 oauth_post_endpoint(const struct http_request *,
	    struct http_response *, const char *, const char *);
int	 resource_equal(const char *, const char *);
int	 resource_valid(const char *);

#endif
