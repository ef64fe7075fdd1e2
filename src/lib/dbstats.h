/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What the database holds and how full it is, for "mcp-oauth-admin
 * stats".  Everything is read in one read-only transaction, which
 * needs no free page: it works on a full map.
 */
#ifndef MCP_DBSTATS_H
#define MCP_DBSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct dbstats {
	size_t		 entries[DB__MAX];	/* records per database */
	unsigned long	 access_tokens;
	unsigned long	 refresh_tokens;
	unsigned long	 active_grants;		/* code redeemed, unexpired */
	unsigned long	 cimd_clients;		/* from metadata documents */
	unsigned long	 dynamic_clients;	/* registered through /register */
	int64_t		 last_purge;		/* end of the last pass, 0 never */
	unsigned long	 expired[DB__MAX];	/* awaiting purge */
	unsigned long	 corrupt;		/* records that do not decode */
	uint32_t	 schema_version;
	size_t		 page_size;
	size_t		 map_size;		/* db_map_size */
	size_t		 map_in_use;		/* the map this process has */
	size_t		 file_size;		/* of data.mdb */
	size_t		 high_water;		/* pages ever used, in bytes */
	size_t		 free_bytes;		/* of those, free again */
	size_t		 used_bytes;		/* high_water - free_bytes */
	double		 usage_percent;		/* used_bytes of map_size */
	unsigned	 max_readers;
	unsigned	 reader_slots;		/* taken by live processes */
	unsigned	 readers_active;	/* of those, in a transaction */
	int		 stale_readers;		/* cleared, dead processes */
};

int	 dbstats_read(struct store *, int64_t, struct dbstats *);

#endif
