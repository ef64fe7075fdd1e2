/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Grants, authorization codes and tokens: the state machine of the
 * authorization server.
 *
 * A grant is one user's approval of one client for some scopes and one
 * resource.  Its code, its access tokens and its refresh-token family
 * hang off it through the grant_tokens index; revoking the grant
 * deletes them all, so a revoked token is simply not found.
 *
 * Codes are single use: redeeming one marks it used (the record stays
 * until it expires) and presenting it again revokes the grant it
 * produced.  Refresh tokens rotate on every use; the grant remembers
 * the current one and the one before it (RFC 9700 §4.14.2):
 *
 *  - the current token gets a new one, which becomes current;
 *  - the previous token, within refresh_retry_window of its rotation,
 *    gets that same current token again (with a new access token): a
 *    client that lost a response, or sent several refreshes at once,
 *    ends on the one line of the family.  The grant keeps the current
 *    token sealed under a key derived from the previous one, which
 *    the database does not hold, so a copy of it reveals nothing;
 *  - any other token of the family, or the previous one after its
 *    window, is reuse and revokes the grant.
 *
 * A rotated-out token keeps only a small record (TOKEN_RETIRED: its
 * hash, its grant and its expiry) so that its reuse is recognised.  A
 * grant ends grant_lifetime after the consent that created it, whatever
 * its refreshes.
 *
 * Every function here works inside the caller's transaction.  When one
 * fails with oauth_error.commit set (a replay that revoked a grant, a
 * code burnt by a wrong verifier), the caller must still commit.
 */
#ifndef MCP_GRANT_H
#define MCP_GRANT_H

#include <stdint.h>

#include "client.h"
#include "config.h"
#include "crypto.h"
#include "oauth.h"
#include "scope.h"
#include "store.h"
#include "user.h"

#define GRANT_ID_LEN		32	/* hex of 16 random bytes */
#define TOKEN_MAX		64	/* prefix + 43 characters + NUL */
#define ACCESS_TOKEN_MAX	4096	/* room for a JWT access token */

#define GRANT_ACTIVE		0x01	/* its code was redeemed */

/*
 * grant_issue_code(): the user's scope limit leaves nothing of the
 * request (store codes are not negative; consent.h's are -1 to -9).
 */
#define GRANT_SCOPE_REFUSED	(-10)

enum token_kind {
	TOKEN_ACCESS = 1,
	TOKEN_REFRESH = 2,
	TOKEN_RETIRED = 3	/* a rotated-out refresh token */
};

/* grant_tokens index values: a kind byte and the SHA-256. */
#define INDEX_CODE		'c'
#define INDEX_ACCESS		'a'
#define INDEX_REFRESH		'r'
#define INDEX_VALUE_LEN		(1 + CRYPTO_SHA256_LEN)

/* The current refresh token sealed by crypto_seal(). */
#define GRANT_SEALED_MAX	(TOKEN_MAX + CRYPTO_SEAL_OVERHEAD)
/* The window of refresh_rate_limit. */
#define REFRESH_RATE_WINDOW	3600
/*
 * Retries of the rotated-out token allowed beyond refresh_rate_limit
 * in one window.  A retry refused with 429 would come back after the
 * retry window and count as reuse, revoking the grant; this allowance
 * lets the usual burst (a lost answer, parallel requests that all saw
 * a 401) through at the limit while keeping the number of access
 * tokens a grant can mint bounded.
 */
#define REFRESH_RETRY_ALLOWANCE	16

struct grant {
	char		 id[GRANT_ID_LEN + 1];
	uint32_t	 flags;
	char		*user;
	char		*client_id;
	char		*scope;
	char		*resource;
	int64_t		 created;
	int64_t		 last_refresh;
	int64_t		 expires;
	int		 has_current;
	unsigned char	 refresh_current[CRYPTO_SHA256_LEN];
	int		 has_previous;
	unsigned char	 refresh_previous[CRYPTO_SHA256_LEN];
	int64_t		 rotated;	/* when previous gave way to current */
	size_t		 sealed_len;	/* 0: nothing sealed */
	unsigned char	 sealed_current[GRANT_SEALED_MAX];
	int64_t		 rate_start;	/* refresh_rate_limit's window */
	uint32_t	 rate_count;	/* refreshes in it */
	/*
	 * The grant's last code exchange or refresh, for the account
	 * page (0: none since this was recorded).  Written with the
	 * grant at those moments only, never on the /mcp path.
	 */
	int64_t		 last_used;
};

struct code {
	uint32_t	 used;
	char		*grant_id;
	char		*client_id;
	char		*user;
	char		*redirect_uri;
	uint32_t	 redirect_explicit;
	char		*challenge;
	char		*scope;
	char		*resource;
	int64_t		 created;
	int64_t		 expires;
};

struct token {
	enum token_kind	 kind;
	char		*grant_id;
	char		*user;
	char		*client_id;
	char		*scope;
	char		*resource;
	int64_t		 created;
	int64_t		 expires;
};

/* What /authorize binds a new code to. */
struct code_request {
	const char	*user;
	const struct client *client;
	const char	*redirect_uri;
	int		 redirect_explicit;
	const char	*challenge;
	const char	*scope;
	const char	*resource;
	long		 lifetime;	/* seconds; 0: code_lifetime */
};

/* What /token hands back. */
struct token_response {
	char		 access_token[ACCESS_TOKEN_MAX];
	char		 refresh_token[TOKEN_MAX];
	int		 has_refresh;
	long		 expires_in;
	char		 scope[SCOPE_MAX + 1];
	char		 grant_id[GRANT_ID_LEN + 1];
	char		 user[USER_NAME_MAX + 1];
	unsigned char	 access_hash[CRYPTO_SHA256_LEN];
	unsigned char	 refresh_hash[CRYPTO_SHA256_LEN];
	int		 retried;	/* the previous token's successor again */
	long		 retry_after;	/* with a 429: seconds to wait */
	/* With e->commit: AUDIT_CODE_REPLAY or AUDIT_REFRESH_REUSE. */
	int		 replay;
};

/* Counts of what a revocation removed. */
struct revoke_counts {
	unsigned long	 grants;
	unsigned long	 access_tokens;
	unsigned long	 refresh_tokens;
	unsigned long	 codes;
	/* token_revoke(): whose token it was, for the audit trail. */
	char		 user[USER_NAME_MAX + 1];
};

/* What narrowing a user's grants to a scope limit changed. */
struct narrow_counts {
	unsigned long	 grants;		/* narrowed */
	unsigned long	 codes;
	unsigned long	 access_tokens;
	unsigned long	 refresh_tokens;
	struct revoke_counts revoked;		/* left without their base */
};

void	 grant_free(struct grant *);
void	 code_free(struct code *);
void	 token_free(struct token *);
int	 token_index_kind(enum token_kind);
int	 grant_decode(const void *, size_t, struct grant *);
int	 grant_peek_flags(const void *, size_t, uint32_t *);
int	 code_decode(const void *, size_t, struct code *);
int	 token_decode(const void *, size_t, struct token *);
int	 store_grant_get(struct store_txn *, const char *, struct grant *);
int	 store_grant_put(struct store_txn *, const struct grant *);
int	 store_token_get(struct store_txn *, const unsigned char *,
	    struct token *);

int	 grant_issue_code(struct store_txn *, const struct config *,
	    const struct code_request *, int64_t, char *, size_t,
	    char *);
int	 grant_exchange_code(struct store_txn *, const struct config *,
	    const struct client *, const char *, const char *, const char *,
	    const char *, int64_t, struct token_response *,
	    struct oauth_error *);
int	 grant_exchange_device(struct store_txn *, const struct config *,
	    const struct client *, const unsigned char *, const char *,
	    int64_t, struct token_response *, struct oauth_error *);
int	 grant_refresh(struct store_txn *, const struct config *,
	    const struct client *, const char *, const char *, const char *,
	    int64_t, struct token_response *, struct oauth_error *);
int	 grant_revoke(struct store_txn *, const char *,
	    struct revoke_counts *);
enum store_db grant_index_db(int);
int	 grant_drop_indexed(struct store_txn *, const unsigned char *,
	    struct revoke_counts *);
int	 grant_unindex(struct store_txn *, const char *, const char *,
	    const char *, unsigned long *);
int	 token_revoke(struct store_txn *, const struct client *,
	    const char *, struct revoke_counts *);
int64_t	 grant_end(const struct config *, const struct grant *);
int	 grant_has_active_consent(struct store_txn *, const struct config *,
	    const char *, const char *, const char *, const char *, int64_t);
int	 grant_active_scopes(struct store_txn *, const struct config *,
	    const char *, const char *, const char *, int64_t, struct buf *);
int	 grant_narrow(struct store_txn *, const struct config *,
	    const char *, const char *, struct narrow_counts *);
int	 grant_narrow_user(struct store_txn *, const struct config *,
	    const char *, const char *, struct narrow_counts *);

#endif
