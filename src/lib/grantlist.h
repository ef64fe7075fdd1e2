/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Listing grants and clients, for "mcp-oauth-admin grant list", "token
 * list" and "client list" and for the /admin pages of grants and
 * clients.
 *
 * Grants filtered by a user or a client are found through the
 * user_grants or client_grants index, so a listing costs what that
 * user or client holds, not what the database holds.  A listing can be
 * bounded (at most limit grants shown, at most scan entries looked at)
 * and resumed: it ends with the id to start after next time, which a
 * web page carries in its "next" link, so that no request walks a
 * large database whole.  Every function works inside the caller's
 * read transaction.
 */
#ifndef MCP_GRANTLIST_H
#define MCP_GRANTLIST_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "grant.h"
#include "store.h"

/* grantlist_known(): which name of the filter is unknown. */
enum grantlist_unknown {
	GRANTLIST_KNOWN = 0,
	GRANTLIST_NO_USER,
	GRANTLIST_NO_CLIENT
};

/* Which grants grantlist_each() visits: every field set must match. */
struct grantlist_filter {
	const char	*user;		/* NULL: any */
	const char	*client;	/* NULL: any */
	int		 active;	/* only active ones */
	int64_t		 now;
	/* Resume after this grant id (NULL or "": from the first). */
	const char	*after;
	size_t		 limit;		/* grants visited at most; 0: all */
	size_t		 scan;		/* entries looked at most; 0: all */
};

/*
 * Called for each grant selected, in grant id order: a store_err;
 * anything but STORE_OK ends the listing with it.
 */
typedef int	(*grantlist_visit)(struct store_txn *, const char *,
		    const struct grant *, void *);

const char	*grantlist_status(const struct grant *, int64_t);
int		 grantlist_known(struct store_txn *,
		    const struct grantlist_filter *, enum grantlist_unknown *);
int		 grantlist_each(struct store_txn *,
		    const struct grantlist_filter *, grantlist_visit, void *,
		    char *);
unsigned long	 grantlist_tokens(struct store_txn *, const char *);

/* One client as a listing shows it. */
struct clientlist_row {
	struct client	 c;		/* id set even when corrupt */
	int		 corrupt;	/* the record did not decode */
	long		 grants;	/* grants indexed under it; -1: unknown */
};

long		 clientlist_grants(struct store_txn *, const char *);
int		 clientlist_read(struct store_txn *, char *, size_t *,
		    struct clientlist_row *, size_t, size_t *);
void		 clientlist_free(struct clientlist_row *, size_t);

#endif
