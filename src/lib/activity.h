/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The "Recent activity" of the account page: the signed-in user's own
 * security events from the audit trail (audit.h), newest first, and
 * what each says in plain words.
 *
 * Only events whose user is hers are read (audit_list() with a user
 * filter), only those within the trail's max_age (older ones may wait
 * for the purge), and at most ACTIVITY_SCAN events are looked at
 * whoever they are of: the trail has no index by user, and a page any
 * signed-in person may load as often as she likes must not walk a
 * trail of any size at each load.  ACTIVITY_SCAN is the default
 * audit_max_events, so a trail of the default size is searched whole;
 * in a larger one, a user whose events are further back than that
 * sees fewer of them.
 *
 * A client renews its access (a refresh) every access token lifetime,
 * so consecutive refreshes of one client from one address make one
 * line with their count, as do consecutive failed sign-ins from one
 * address: the page stays a list of what happened, not of how often.
 */
#ifndef MCP_ACTIVITY_H
#define MCP_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "config.h"
#include "store.h"

/* The most lines the page shows, and the most events looked at. */
#define ACTIVITY_MAX		20
#define ACTIVITY_SCAN		((size_t)AUDIT_MAX_EVENTS_DEFAULT)

/* One line: one event, or a run of events collapsed into it. */
struct activity_line {
	int64_t		 time_us;	/* the newest event's */
	int64_t		 first_us;	/* the oldest event's of a run */
	unsigned long	 count;		/* events in the line */
	int		 kind;		/* enum audit_kind */
	char		 client[AUDIT_CLIENT_MAX + 1];	/* its id */
	char		*client_name;	/* NULL: none, or client gone */
	char		 addr[AUDIT_ADDR_MAX + 1];
	char		 detail[AUDIT_DETAIL_MAX + 1];
};

/*
 * A line in words: before, then the client's name (or its id) when
 * names_client, then after.  The name is kept apart so that the page
 * can escape and mark it: it is the client's own text.
 */
struct activity_words {
	const char	*before;
	int		 names_client;
	const char	*after;
};

int	 activity_list(struct store_txn *, const struct config *,
	    const char *, int64_t, struct activity_line *, size_t, size_t *);
void	 activity_free(struct activity_line *, size_t);
void	 activity_words(const struct activity_line *,
	    struct activity_words *);

#endif
