/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Inside the store module: the handles that store.h leaves opaque.
 * Only store.c, store_cursor.c and store_space.c include this file;
 * nothing else in the tree sees LMDB.
 */
#ifndef MCP_STORE_IMPL_H
#define MCP_STORE_IMPL_H

#include <lmdb.h>

#include "store.h"

/*
 * A transaction handle.  The store keeps one for reading and one for
 * writing, and spares for callers that hold more than one at a time,
 * so that beginning a transaction allocates nothing once warm.  busy
 * tells whether a handle is in use: ending one that is not is a no-op,
 * as ending a transaction twice was when callers held them by value.
 */
struct store_txn {
	struct store		*st;
	MDB_txn			*txn;
	int			 rdonly;
	int			 busy;
	struct store_txn	*next;		/* on the list of spares */
};

/* A cursor handle; closed ones wait on the store's list of spares. */
struct store_cursor {
	struct store_txn	*t;
	MDB_cursor		*mc;
	struct store_cursor	*next;
};

struct store {
	MDB_env			*env;
	MDB_dbi			 dbi[DB__MAX];
	/*
	 * The read transaction handle: its LMDB transaction is kept
	 * reset between uses and renewed, which keeps the validation
	 * path free of allocations.
	 */
	struct store_txn	 rtxn;
	struct store_txn	 wtxn;
	struct store_txn	*spare_txns;
	struct store_cursor	*spare_cursors;
	char			*path;
	size_t			 map_size;
	int			 rdonly;
	int			 stale_readers;	/* cleared by the open */
};

int	 store_map_err(int);

#endif
