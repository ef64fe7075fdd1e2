/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Password sign-in on the login page of /authorize, with failure
 * counters per user name (login_max_failures in login_lockout seconds)
 * and per network address (four times as many).
 *
 * The attempt is counted, and committed, before the password is
 * checked; a success takes its count back when signin_accept() signs
 * the person in.  A user
 * that does not exist costs the same password check as a wrong
 * password, against signin_dummy_hash, so the time taken does not tell
 * whether the user exists (the message never does).
 */
#ifndef MCP_SIGNIN_H
#define MCP_SIGNIN_H

#include <stdint.h>

#include "config.h"
#include "crypto.h"
#include "ratelimit.h"
#include "session.h"
#include "store.h"

/* The counters' kinds in the ratelimit database. */
#define SIGNIN_KIND_USER	"login-user"
#define SIGNIN_KIND_IP		"login-ip"

enum signin_result {
	SIGNIN_OK = 0,		/* right: go on with signin_accept() */
	SIGNIN_REFUSED,		/* wrong name or password, or disabled */
	SIGNIN_THROTTLED,	/* too many failures: retry_after seconds */
	SIGNIN_ERROR		/* store_rc: the attempt was not counted */
};

/* One attempt, from signin_attempt() to signin_accept(). */
struct signin {
	const char	*name;
	int		 name_valid;	/* counted and logged by name */
	/*
	 * The name's failures are counted under the SHA-256 of the name
	 * (hex), not the name: a password typed into the name field
	 * would otherwise stay readable in the database for the lockout
	 * window.
	 */
	char		 name_subject[CRYPTO_SHA256_LEN * 2 + 1];
	/* The address as it is counted (ratelimit_ip_subject()). */
	char		 ip[RATELIMIT_IP_MAX];
	int64_t		 now;
	long		 window;
	long		 retry_after;	/* SIGNIN_THROTTLED */
	int		 store_rc;	/* SIGNIN_ERROR */
	/* The attempt's audit event, failed until signin_accept(). */
	int64_t		 audit_us;
	/*
	 * A session cookie the new session replaces, or NULL: set by the
	 * caller between signin_attempt() and signin_accept(), which
	 * deletes it in the transaction that makes the new one, so that
	 * the old cookie never outlives the rotation.
	 */
	const char	*replaces;
};

extern const char	 signin_dummy_hash[];

int	 signin_attempt(struct store *, const struct config *,
	    struct signin *, const char *, const char *, const char *,
	    int64_t);
int	 signin_accept(struct store *, const struct signin *, long,
	    const char *, struct pending *, char *, size_t);

#endif
