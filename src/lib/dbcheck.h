/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Consistency check of the database: every index entry points to a
 * record that points back, every record has its index entries, every
 * token and code belongs to a grant that exists, every grant to a user
 * and a client that exist, and every record decodes.  The one
 * exception: a grant_tokens entry whose token or code is gone is what
 * a purge leaves between its stages (src/lib/purge.c); nothing reads
 * it, the next purge removes it, and it is counted apart as stale.
 *
 * The check reads one snapshot (one read-only transaction), so it sees
 * the database as some moment left it, never half a write.  Repairs
 * then run in short write transactions, each re-checking its problem
 * first: what changed since the snapshot is left alone.
 */
#ifndef MCP_DBCHECK_H
#define MCP_DBCHECK_H

#include <stddef.h>

#include "store.h"

#define DBCHECK_KEY_MAX		128
#define DBCHECK_VAL_MAX		64
#define DBCHECK_TEXT_MAX	256
#define DBCHECK_BATCH		1000	/* repairs per transaction */

/* Flags of dbcheck_run(). */
#define DBCHECK_REPAIR		0x01	/* fix what can be fixed */
#define DBCHECK_REMOTE_USERS	0x02	/* users are not in the database */

enum dbcheck_kind {
	DBCHECK_CORRUPT = 0,	/* a record that does not decode */
	DBCHECK_DANGLING,	/* an index entry without its record */
	DBCHECK_MISMATCH,	/* an index entry the record contradicts */
	DBCHECK_UNINDEXED,	/* a record without its index entry */
	DBCHECK_ORPHAN,		/* a token or code whose grant is gone */
	DBCHECK_OWNERLESS,	/* a grant whose user or client is gone */
	DBCHECK__MAX
};

/* One problem and how to fix it. */
struct dbcheck_problem {
	enum dbcheck_kind	 kind;
	enum store_db		 db;	/* where the entry or record is */
	size_t			 keylen;
	unsigned char		 key[DBCHECK_KEY_MAX];
	size_t			 vallen;	/* index entries: the value */
	unsigned char		 val[DBCHECK_VAL_MAX];
	char			 text[DBCHECK_TEXT_MAX];
	int			 repaired;
};

struct dbcheck_result {
	unsigned long		 checked;	/* records and entries */
	unsigned long		 found[DBCHECK__MAX];
	unsigned long		 problems;
	unsigned long		 repaired;
	unsigned long		 stale;		/* left by a purge */
};

typedef void	(*dbcheck_report)(const struct dbcheck_problem *, void *);

extern const char *const dbcheck_kind_names[DBCHECK__MAX];

int	 dbcheck_run(struct store *, int, dbcheck_report, void *,
	    struct dbcheck_result *);

#endif
