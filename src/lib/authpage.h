/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What /authorize answers: the pages a person sees (login, consent and
 * the error pages, from the templates in www_dir) and the redirects
 * back to the client with the answer of RFC 6749 section 4.1.2 and the
 * issuer of RFC 9207.
 */
#ifndef MCP_AUTHPAGE_H
#define MCP_AUTHPAGE_H

#include <stddef.h>

#include "client.h"
#include "config.h"
#include "consent.h"
#include "form.h"
#include "http.h"
#include "session.h"

struct mcp_server;

/* The error pages with fixed words, one row each in authpage.c. */
enum authpage_error {
	AUTHPAGE_NO_REMOTE_USER,	/* the web server sent no user */
	AUTHPAGE_ANSWERED,		/* a second answer to one request */
	AUTHPAGE_FORM_INCOMPLETE,	/* no request id or CSRF token */
	AUTHPAGE_NO_COOKIE,		/* no browser binding cookie */
	AUTHPAGE_UNKNOWN_REQUEST,	/* no such pending request */
	AUTHPAGE_FOREIGN_FORM,		/* not this browser's page */
	AUTHPAGE_TOO_MANY_REQUESTS,	/* the address started too many */
	AUTHPAGE_NO_PASSWORD,		/* a login form with remote_user */
	AUTHPAGE_NOT_A_FORM,		/* POST without a web form type */
	AUTHPAGE_FORM_TOO_LARGE,
	AUTHPAGE_UNKNOWN_ACTION,
	AUTHPAGE_NOT_FOUND,
	AUTHPAGE_METHOD,		/* neither GET nor POST */
	AUTHPAGE__MAX
};

int	 authpage_read_form(const struct config *, struct http_request *,
	    const struct http_io *, const struct form_limits *, const char *,
	    struct form *, struct http_response *);
void	 authpage_error(const struct config *, struct http_response *,
	    enum authpage_error);
void	 authpage_no_redirect(const struct config *, struct http_response *,
	    const char *);
void	 authpage_request_error(const struct config *,
	    struct http_response *, const char *, const char *);
void	 authpage_server_error(const struct config *,
	    struct http_response *, int);
void	 authpage_login(const struct config *, struct http_response *, int,
	    const struct client *, const char *, const char *, const char *,
	    const char *);
void	 authpage_login_throttled(const struct config *,
	    struct http_response *, const struct client *, const char *,
	    const char *, const char *, long);
void	 authpage_after_login(const struct config *, struct http_response *,
	    const char *);
void	 authpage_consent(const struct config *, struct http_response *,
	    const struct client *, const struct pending *, const char *,
	    const char *, const char *, const struct consent_offer *,
	    const struct mcp_server *);
void	 authpage_scope_refused(const struct config *,
	    struct http_response *, const char *);
void	 authpage_device(const struct config *, struct http_response *,
	    int, const char *, const char *, const char *);
void	 authpage_device_done(const struct config *, struct http_response *,
	    const char *, const char *);
void	 authpage_redirect_host(const char *, char *, size_t, int *, int *);
void	 authpage_redirect(const struct config *, struct http_response *,
	    const char *, const char *const *, size_t);
void	 authpage_redirect_error(const struct config *,
	    struct http_response *, const char *, const char *, const char *,
	    const char *);

#endif
