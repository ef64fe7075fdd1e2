/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The LMDB database: one environment directory, one named database per
 * record kind, plus DUPSORT index databases.  A process opens the
 * environment once (after any fork) and then runs short transactions.
 *
 * This module is the one boundary to LMDB: only store.c, store_cursor.c
 * and store_space.c include LMDB's header.  Everything else gets and puts
 * records, walks a database or one key's duplicates with a cursor, and
 * asks for counts, all through the calls below.
 *
 * Schema version 1 (the "meta" database, key "schema"):
 *
 *   users          username          -> user record (user.c)
 *   clients        client_id         -> client record
 *   grants         grant_id          -> grant record
 *   codes          SHA-256(code)     -> code record
 *   tokens         SHA-256(token)    -> access or refresh token record
 *   sessions       SHA-256(cookie)   -> browser session record
 *   pending        SHA-256(id)       -> pending authorization request
 *   ratelimit      "kind:subject"    -> counter record
 *   notes          user NUL id(u64)  -> note record
 *   user_grants    username          => grant_id       (DUPSORT)
 *   client_grants  client_id         => grant_id       (DUPSORT)
 *   grant_tokens   grant_id          => kind, SHA-256 (DUPSORT; grant.h)
 *   keys           kid               -> JWT signing key (signkey.c)
 *   audit          time (us, u64)    -> security event (audit.c)
 */
#ifndef MCP_STORE_H
#define MCP_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION	1
#define STORE_ERR_MAX		512
#define STORE_MAX_READERS	1022

enum store_err {
	STORE_OK = 0,
	STORE_NOTFOUND,		/* no such record */
	STORE_EXISTS,		/* the key is taken */
	STORE_FULL,		/* the map is full: 503, purge or grow */
	STORE_CORRUPT,		/* a record fails to decode */
	STORE_SCHEMA,		/* unknown or newer schema version */
	STORE_ENOENT,		/* no database at db_path */
	STORE_EACCES,		/* permission denied */
	STORE_ENOMEM,
	STORE_ERROR		/* anything else LMDB reports */
};

enum store_db {
	DB_META = 0,
	DB_USERS,
	DB_CLIENTS,
	DB_GRANTS,
	DB_CODES,
	DB_TOKENS,
	DB_SESSIONS,
	DB_PENDING,
	DB_RATELIMIT,
	DB_NOTES,
	DB_USER_GRANTS,
	DB_CLIENT_GRANTS,
	DB_GRANT_TOKENS,
	DB_KEYS,
	DB_AUDIT,
	DB__MAX
};

/*
 * The handles are opaque, as the database engine's own are: callers
 * hold pointers.  A transaction handle lives from store_begin() to
 * store_commit() or store_abort(); a cursor from store_cursor_open()
 * to store_cursor_close(), inside its transaction.
 */
struct store;
struct store_txn;
struct store_cursor;

/*
 * A key or a value.  What store_get() and the cursors return points
 * into the database map: it is valid until the transaction ends or
 * writes, and must not be written to.
 */
struct store_val {
	const void	*data;
	size_t		 len;
};

/* store_put() flags */
#define STORE_NOOVERWRITE	0x01	/* STORE_EXISTS if the key is taken */
#define STORE_NODUPDATA		0x02	/* STORE_EXISTS if the duplicate is */

/* Cursor moves: what store_cursor_get() positions the cursor on. */
enum store_op {
	STORE_FIRST,		/* the first entry */
	STORE_NEXT,		/* the next entry */
	STORE_NEXT_DUP,		/* the next duplicate of this key */
	STORE_NEXT_NODUP,	/* the first entry of the next key */
	STORE_SET,		/* the first duplicate of exactly k */
	STORE_SET_RANGE,	/* the first entry whose key is >= k */
	STORE_GET_BOTH,		/* exactly k with duplicate v */
	STORE_GET_BOTH_RANGE,	/* key k, the first duplicate >= v */
	STORE_LAST,		/* the last entry */
	STORE_PREV		/* the previous entry */
};

/* How the environment uses its map and its reader slots. */
struct store_space {
	size_t		 page_size;
	size_t		 map_size;	/* configured: db_map_size */
	size_t		 map_in_use;	/* the map this process has */
	size_t		 file_size;	/* of data.mdb */
	size_t		 high_water;	/* pages ever used, in bytes */
	size_t		 free_bytes;	/* of those, free again */
	unsigned	 max_readers;
};

struct store_readers {
	unsigned	 slots;		/* taken by live processes */
	unsigned	 active;	/* of those, in a transaction */
	int		 stale;		/* cleared, of dead processes */
};

/* store_open() flags */
#define STORE_OPEN_CREATE	0x01	/* create and initialise (admin init) */
#define STORE_OPEN_RDONLY	0x02

extern const char *const store_db_names[DB__MAX];

int		 store_open(const char *, size_t, int, struct store **,
		    char *, size_t);
void		 store_close(struct store *);
int		 store_begin(struct store *, int, struct store_txn **);
int		 store_commit(struct store_txn *);
void		 store_abort(struct store_txn *);
int		 store_release_freed(struct store *);
int		 store_get(struct store_txn *, enum store_db, const void *,
		    size_t, struct store_val *);
int		 store_put(struct store_txn *, enum store_db, const void *,
		    size_t, const void *, size_t, unsigned);
int		 store_del(struct store_txn *, enum store_db, const void *,
		    size_t, const void *, size_t);
int		 store_entries(struct store_txn *, enum store_db, size_t *);
int		 store_drop(struct store_txn *, enum store_db);

int		 store_cursor_open(struct store_txn *, enum store_db,
		    struct store_cursor **);
void		 store_cursor_close(struct store_cursor *);
int		 store_cursor_get(struct store_cursor *, struct store_val *,
		    struct store_val *, enum store_op);
int		 store_cursor_del(struct store_cursor *);
int		 store_cursor_count(struct store_cursor *, size_t *);
int		 store_dup_count(struct store_txn *, enum store_db,
		    const void *, size_t, size_t *);
int		 store_dup_exists(struct store_txn *, enum store_db,
		    const void *, size_t, const void *, size_t);

int		 store_space(struct store_txn *, struct store_space *);
void		 store_readers(struct store *, struct store_readers *);
int		 store_stale_readers(struct store *);
size_t		 store_map_size(struct store *);
size_t		 store_map_in_use(struct store *);
int		 store_map_grow(struct store *, size_t);
int		 store_set_nosync(struct store *, int);
int		 store_sync(struct store *);
int		 store_backup(struct store *, int, char *, size_t);

const char	*store_strerror(int);
const char	*store_full_hint(void);

#endif
