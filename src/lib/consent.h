/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The consent step of /authorize: the pending request kept between the
 * pages (bound to the browser that started it, answered with a CSRF
 * token, RFC 9700 section 4.7), who may approve it, whether approval
 * is remembered, what the request needs next, and issuing its code.
 */
#ifndef MCP_CONSENT_H
#define MCP_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "config.h"
#include "form.h"
#include "http.h"
#include "scope.h"
#include "session.h"
#include "store.h"
#include "user.h"

/* Results besides the store's codes (which are not negative). */
#define CONSENT_THROTTLED	(-1)	/* the address started too many */
#define CONSENT_FOREIGN		(-2)	/* not this browser's page */
#define CONSENT_USER_REFUSED	(-3)	/* the user may not approve */
#define CONSENT_ANSWERED	(-4)	/* answered already */
#define CONSENT_CLIENT_GONE	(-5)	/* the client was deleted meanwhile */
#define CONSENT_TAMPERED	(-6)	/* a scope the page did not offer */

/*
 * The cookies' base names (cookie_name() adds the prefix): the sign-in
 * session, and the browser binding of pending requests.
 */
#define CONSENT_COOKIE_SESSION	"mcp_session"
#define CONSENT_COOKIE_BROWSER	"mcp_browser"
/* consent_browser_keyed()'s label for the key of the pages' form tokens. */
#define CONSENT_FORM_KEY_LABEL	"mcp-oauth form key v1:"

/* The window of authorize_rate_limit, in seconds. */
#define CONSENT_RATE_WINDOW	3600

/* Who this browser's person is, for a pending request (consent_who()). */
struct consent_who {
	char		 user[USER_NAME_MAX + 1];
	int		 signed_in;
	int		 remembered;
};

/* Room for a list of every configured scope. */
#define CONSENT_SCOPES_MAX	(CONFIG_LIST_MAX * (SCOPE_NAME_MAX + 1))

/*
 * What the consent page offers a user for a request (consent_offer()):
 * the requested scopes her administrator allows her (RFC 6749 section
 * 3.3: the issued scope may differ from the requested one), those it
 * does not, those of them she granted the client before (a step-up
 * shows only what is new), and the one that cannot be unticked.
 */
struct consent_offer {
	char	 offered[CONSENT_SCOPES_MAX];
	char	 refused[CONSENT_SCOPES_MAX];
	char	 granted[CONSENT_SCOPES_MAX];
	char	 fixed[SCOPE_NAME_MAX + 1];	/* "" when none */
};

/* The consent form's field that says it carries the ticked scopes. */
#define CONSENT_FIELD_CHOICE	"scopes_shown"
/* The prefix of the checkbox fields, one per offered scope. */
#define CONSENT_FIELD_SCOPE	"scope_"

/* What a pending request needs next (consent_next()). */
enum consent_step {
	CONSENT_SHOW_LOGIN,		/* not signed in: the login page */
	CONSENT_SHOW_CONSENT,		/* signed in: ask */
	CONSENT_REMEMBERED,		/* approved before: issue the code */
	CONSENT_ISSUE,			/* prompt=none, approved before */
	CONSENT_LOGIN_REQUIRED,		/* prompt=none, not signed in */
	CONSENT_CONSENT_REQUIRED,	/* prompt=none, not approved */
	CONSENT_NO_REMOTE_USER		/* the web server sent no user */
};

int	 consent_browser(const struct config *, const char *,
	    struct http_response *, int, unsigned char *);
int	 consent_browser_keyed(const struct config *, const char *,
	    struct http_response *, int, unsigned char *, unsigned char *);
int	 consent_current_user(struct store_txn *, const struct config *,
	    const char *, const char *, int64_t, char *, size_t);
int	 consent_who(struct store *, const struct config *, const char *,
	    const char *, const struct client *, const struct pending *,
	    int64_t, struct consent_who *);
void	 consent_log(const char *, const char *, const char *,
	    const char *);
int	 consent_user_allowed(struct store_txn *, const struct config *,
	    const char *);
int	 consent_remembered(struct store_txn *, const struct config *,
	    const struct client *, const struct pending *, const char *,
	    int64_t);
enum consent_step consent_next(const struct config *, uint32_t, int, int);
int	 consent_save(struct store *, const struct config *, const char *,
	    struct pending *, char *, size_t, int, char *, size_t, int64_t,
	    long *);
int	 consent_load(struct store *, const char *, const char *,
	    const unsigned char *, int64_t, struct pending *,
	    struct client *);
int	 consent_issue(struct store *, const struct config *,
	    const struct client *, const struct pending *, const char *,
	    const char *, const char *, int64_t, char *, size_t);
int	 consent_deny(struct store *, const struct config *, const char *,
	    const char *, const char *, const char *);
void	 consent_grant_end(const struct config *, int64_t, char *, size_t);
int	 consent_offer(struct store_txn *, const struct config *,
	    const char *, const char *, const struct pending *, int64_t,
	    struct consent_offer *);
int	 consent_offer_load(struct store *, const struct config *,
	    const char *, const char *, const struct pending *, int64_t,
	    struct consent_offer *);
int	 consent_refused(const struct consent_offer *,
	    const struct pending *);
int	 consent_choose(const struct config *, const struct consent_offer *,
	    const struct form *, char *, size_t);

#endif
