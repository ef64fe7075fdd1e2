/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Purge: removes expired codes, tokens, grants (with what still hangs
 * off them), sign-in sessions, pending authorization requests and
 * rate-limit counters, cached metadata documents nobody uses, and
 * dynamically registered clients that hold no grant and were not used
 * for registration_unused_lifetime (the caller passes it; 0 keeps
 * them).
 *
 * Nothing indexes records by expiry, so a purge walks the databases in
 * key order.  It does so in steps: each step examines a bounded number
 * of records and deletes a bounded number, inside the caller's write
 * transaction, and remembers where it stopped in a struct purge_pos.
 * purge_run() drives whole passes of short transactions (the admin
 * tool); purge_expired() takes one small step from where the previous
 * caller stopped, keeping the position in the database, so that write
 * paths can purge a little as they go.
 */
#ifndef MCP_PURGE_H
#define MCP_PURGE_H

#include <stddef.h>
#include <stdint.h>

#include "grant.h"
#include "store.h"

/* The longest key purged: a CIMD client's URL (CIMD_URL_MAX). */
#define PURGE_KEY_MAX		256
#define PURGE_VAL_LEN		INDEX_VALUE_LEN	/* a grant_tokens value */
#define PURGE_BATCH		10000	/* deletions per transaction */
#define PURGE_SCAN_FACTOR	2	/* records examined per deletion */
/*
 * How long after its cache expiry an unused, unpinned CIMD client
 * record is kept: a client that comes back within a day finds its
 * stale document to serve while it is fetched anew.
 */
#define PURGE_CIMD_MARGIN	(24 * 3600)

struct purge_counts {
	unsigned long	 codes;
	unsigned long	 access_tokens;
	unsigned long	 refresh_tokens;
	unsigned long	 grants;
	unsigned long	 sessions;
	unsigned long	 pending;
	unsigned long	 ratelimit;
	unsigned long	 cimd_clients;	/* unused, expired CIMD clients */
	unsigned long	 unused_clients; /* registered, unused, no grant */
	unsigned long	 index_entries;	/* of the records above */
	unsigned long	 scanned;
};

/* Where a pass stands: a stage (one database) and the next key. */
struct purge_pos {
	int		 stage;		/* PURGE_DONE after a whole pass */
	int		 has_key;
	size_t		 keylen;
	unsigned char	 key[PURGE_KEY_MAX];
	int		 has_val;	/* grant_tokens: the duplicate */
	unsigned char	 val[PURGE_VAL_LEN];
};

#define PURGE_DONE	(-1)

void	 purge_pos_init(struct purge_pos *);
int	 purge_step(struct store_txn *, int64_t, long, struct purge_pos *,
	    size_t, size_t, struct purge_counts *);
int	 purge_expired(struct store_txn *, int64_t, long, size_t,
	    struct purge_counts *);
int	 purge_run(struct store *, int64_t, long, size_t,
	    struct purge_counts *, int *);
int	 purge_unused_clients_total(struct store_txn *, uint64_t *);
int	 purge_last_completed(struct store_txn *, int64_t *);
void	 purge_counts_add(struct purge_counts *, const struct purge_counts *);
unsigned long purge_counts_total(const struct purge_counts *);

#endif
