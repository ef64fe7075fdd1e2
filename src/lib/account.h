/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What the account page (/account, served by authorize.fcgi) reads and
 * changes for the signed-in user: her connected applications (active
 * grants) and their revocation, her sign-in sessions, and her
 * password.  The page itself is in accountpage.c.
 *
 * Sessions have no index by user (see revocation.c): they are few, one
 * per browser that signed in within session_lifetime, and purged when
 * they expire, so the page walks them.  The page names a session by an
 * id derived from its key (account_session_id()), never by the key or
 * the cookie.
 */
#ifndef MCP_ACCOUNT_H
#define MCP_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "crypto.h"
#include "grant.h"
#include "revocation.h"
#include "store.h"

/* The most applications and sessions the page lists. */
#define ACCOUNT_APPS_MAX	100
#define ACCOUNT_SESSIONS_MAX	50

/* A session's id on the page: hex of 16 bytes. */
#define ACCOUNT_SESSION_ID_LEN	32
/* The forms' CSRF token: hex of a SHA-256. */
#define ACCOUNT_FORM_TOKEN_LEN	(2 * CRYPTO_SHA256_LEN)

/* Results besides the store's codes (which are not negative). */
#define ACCOUNT_WRONG_PASSWORD	(-1)	/* the current password is wrong */
#define ACCOUNT_THROTTLED	(-2)	/* too many wrong passwords */
#define ACCOUNT_MISMATCH	(-3)	/* the new password twice differs */
#define ACCOUNT_BAD_PASSWORD	(-4)	/* empty or too long */

/* One connected application: an active grant of the user. */
struct account_app {
	char		 grant_id[GRANT_ID_LEN + 1];
	char		*client_id;
	char		*client_name;		/* NULL: none given */
	uint32_t	 client_flags;
	char		*redirect_uri;		/* the first registered */
	char		*scope;
	int64_t		 created;
	int64_t		 last_used;		/* 0: not known */
	int64_t		 expires;		/* unless used again */
	int64_t		 ends;			/* however often it is used */
	int		 renews;		/* a use pushes expires on */
};

struct account_session {
	char		 id[ACCOUNT_SESSION_ID_LEN + 1];
	int64_t		 created;
	int64_t		 expires;
	int		 current;		/* this browser's */
};

int	 account_apps(struct store_txn *, const struct config *,
	    const char *, int64_t, struct account_app *, size_t, size_t *);
void	 account_apps_free(struct account_app *, size_t);
int	 account_revoke(struct store *, const char *, const char *,
	    const char *, struct revoke_result *);

int	 account_sessions(struct store_txn *, const char *, const char *,
	    int64_t, struct account_session *, size_t, size_t *);
int	 account_end_session(struct store_txn *, const char *, const char *);
int	 account_end_sessions(struct store_txn *, const char *, const char *,
	    unsigned long *);

int	 account_form_token(const unsigned char *, const char *, char *);
int	 account_admin_form_token(const unsigned char *, const char *,
	    char *);
int	 account_admin_form_token_ok(const unsigned char *, const char *,
	    const char *);
int	 account_form_token_ok(const unsigned char *, const char *,
	    const char *);

int	 account_password_check(const char *, const char *);
int	 account_password_change(struct store *, const struct config *,
	    const char *, const char *, const char *, const char *,
	    const char *, int64_t, char *, size_t, long *, unsigned long *);

#endif
