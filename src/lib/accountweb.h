/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * /account, served by authorize.fcgi: the program that already owns
 * the sign-in page, the sessions, the browser binding cookie and the
 * CSRF checks of /authorize, so the account page shares them instead
 * of copying them into another program (and another route to keep in
 * step).
 *
 * GET shows the page to a signed-in person, her recent activity from
 * the audit trail included (activity.h).  Anyone else gets the
 * sign-in form, through a pending request of this browser with
 * PENDING_ACCOUNT_SIGNIN: the form posts to /authorize, whose sign-in
 * (signin.c) counts and limits it together with the login page, and
 * after the sign-in comes back here (accountweb_after_signin()).
 *
 * POST takes one action, from a browser that does not say the form
 * comes from another origin (http_same_origin_post()), with the page's
 * CSRF token (account_form_token(): bound to this browser's binding
 * cookie and to the user): revoke an application, sign one session or
 * all of them out, or change the password, each recorded in the audit
 * trail in the transaction of the action.  Each answers 303 back to
 * the page (post/redirect/get) with a fixed notice, or shows the page
 * again with what went wrong.
 */
#ifndef MCP_ACCOUNTWEB_H
#define MCP_ACCOUNTWEB_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "http.h"

void	 accountweb_handle(struct app *, struct http_request *,
	    struct http_response *);
void	 accountweb_after_signin(struct app *, struct http_response *,
	    const char *);
void	 accountweb_pending_done(struct app *, const char *);
void	 accountweb_signin(struct app *, const struct http_request *,
	    struct http_response *, const unsigned char *, uint32_t);
int	 accountweb_session_cookie(const struct app *,
	    const struct http_request *, char *, size_t);

#endif
