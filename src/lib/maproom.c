/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stddef.h>

#include "maproom.h"
#include "store.h"

/*
 * How far beyond db_map_size a deleting command may grow the map: one
 * sixteenth, at least 2 MiB, at most 256 MiB.
 *
 * The trade-off: the pages used beyond db_map_size stay in data.mdb
 * (LMDB never shrinks the file), and every process that opens the
 * database afterwards maps at least what the file uses, so the
 * database may end up that much larger than configured.  Too little
 * headroom, and a purge of a full map cannot copy the pages of one
 * batch; the batches shrink on a full map, so a few megabytes
 * suffice unless a long-lived reader keeps every freed page busy.
 * Once the first batches commit, their freed pages are reused and the
 * file stops growing.
 */
size_t
maproom_headroom(size_t map_size)
{
	size_t	 h = map_size / 16;

	if (h < 2 * 1024 * 1024)
		h = 2 * 1024 * 1024;
	if (h > 256 * 1024 * 1024)
		h = 256 * 1024 * 1024;
	return h;
}

/*
 * Grows the map of this process by the headroom, once; the caller has
 * no transaction open.  Returns STORE_OK, or STORE_FULL if it grew
 * before (the caller then gives up or shrinks its batches).
 */
int
maproom_grow(struct store *st)
{
	size_t	 map_size = store_map_size(st);

	return store_map_grow(st, map_size + maproom_headroom(map_size));
}
