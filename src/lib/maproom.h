/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Room to delete on a full map.
 *
 * LMDB never writes a page in place: a transaction that deletes records
 * copies every page it changes to a free page, and frees the old ones
 * only when it commits.  On a full map there may be no free page, so
 * even a purge fails with STORE_FULL.  The commands that delete
 * (purge, revoke, user del, check --repair) then grow the map of their
 * own process a little beyond db_map_size and try again.
 */
#ifndef MCP_MAPROOM_H
#define MCP_MAPROOM_H

#include <stddef.h>

#include "store.h"

int	 maproom_grow(struct store *);
size_t	 maproom_headroom(size_t);

#endif
