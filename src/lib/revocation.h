/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Revocation in bulk: every grant of a user, every grant of a client,
 * one grant, or everything, while the server runs.
 *
 * A token is valid only while its grant record exists (bearer.c and
 * grant.c look the grant up on every use), so revocation takes two
 * phases.  The first deletes the grant records, in one short write
 * transaction: from its commit on, every token, refresh token and code
 * of those grants is dead in every process.  The second removes the
 * dead tokens, codes and index entries in batches of short write
 * transactions, so that token.fcgi and authorize.fcgi never wait long
 * for the write lock however many tokens a grant holds.  The first
 * phase returns the list of grants it killed; the second works from
 * that list, not from the indexes, so it never touches a grant created
 * in between.  Should the second phase not finish (a crash, a full
 * disk), what it left is dead and "mcp-oauth-admin check --repair" or
 * purge removes it.
 */
#ifndef MCP_REVOCATION_H
#define MCP_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "grant.h"
#include "store.h"

/* Deletions per transaction in the second phase. */
#define REVOKE_BATCH		10000

struct revoke_item {
	char		 grant_id[GRANT_ID_LEN + 1];
	char		*user;		/* NULL when the grant was missing */
	char		*client_id;	/* likewise */
};

/* The grants killed by the first phase, for the second. */
struct revoke_list {
	struct revoke_item	*items;
	size_t			 len;
	size_t			 cap;
};

void	 revoke_list_init(struct revoke_list *);
void	 revoke_list_free(struct revoke_list *);

/* First phase, inside the caller's write transaction. */
int	 revoke_kill_user(struct store_txn *, const char *,
	    struct revoke_list *, struct revoke_counts *);
int	 revoke_kill_client(struct store_txn *, const char *,
	    struct revoke_list *, struct revoke_counts *);
int	 revoke_kill_grant(struct store_txn *, const char *,
	    struct revoke_list *, struct revoke_counts *);
int	 revoke_sessions(struct store_txn *, const char *, unsigned long *);
int	 revoke_everything(struct store_txn *, struct revoke_counts *,
	    unsigned long *);

/* Second phase, in its own transactions. */
int	 revoke_cleanup(struct store *, struct revoke_list *, size_t,
	    struct revoke_counts *);

/* What a revocation removed. */
struct revoke_result {
	struct revoke_counts	 n;		/* grants, tokens, codes */
	unsigned long		 sessions;	/* sign-in sessions ended */
	unsigned long		 notes;		/* a deleted user's notes */
	/*
	 * Who asks, for the audit trail: one of audit.h's AUDIT_BY_*
	 * (NULL: the admin tool).  Set by the caller, never changed.
	 */
	const char		*actor;
	/* The asker's network address for the audit trail, or NULL. */
	const char		*addr;
};

/*
 * Both phases.  STORE_NOTFOUND when there is nothing of that name: no
 * user (client) record and no grant indexed under the name.
 */
int	 revoke_user(struct store *, const char *, struct revoke_result *);
int	 revoke_client(struct store *, const char *, struct revoke_result *);
int	 revoke_grant(struct store *, const char *, struct revoke_result *);
int	 revoke_token_hash(struct store *, const unsigned char *, int *,
	    struct revoke_result *);
int	 revoke_all(struct store *, struct revoke_result *);

/* Disable or delete a user or client and revoke in one go. */
int	 revoke_user_disable(struct store *, const char *, int64_t,
	    struct revoke_result *);
int	 revoke_user_block(struct store *, const char *, int64_t,
	    struct revoke_result *);
int	 revoke_user_delete(struct store *, const char *,
	    struct revoke_result *);
int	 revoke_client_delete(struct store *, const char *,
	    struct revoke_result *);

#endif
