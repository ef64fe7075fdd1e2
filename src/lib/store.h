/*
 * The LMDB database: one environment directory, one named database per
 * record kind, plus DUPSORT index databases.  A process opens the
 * environment once (after any fork) and then runs short transactions.
 *
 * Schema version 1 (the "meta" database, key "schema"):
 *
 *   users          username          -> user record (store_user.c)
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
 *   grant_tokens   grant_id          => SHA-256 (DUPSORT; tokens and codes)
 *   keys           kid               -> JWT signing key (signkey.c)
 */
#ifndef MCP_STORE_H
#define MCP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

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
	DB__MAX
};

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[DB__MAX];
	MDB_txn		*rtxn;		/* kept for reset/renew */
	char		*path;
	size_t		 map_size;
	int		 rdonly;
	int		 stale_readers;	/* cleared by the open */
};

struct store_txn {
	struct store	*st;
	MDB_txn		*txn;
	int		 rdonly;
};

/* store_open() flags */
#define STORE_OPEN_CREATE	0x01	/* create and initialise (admin init) */
#define STORE_OPEN_RDONLY	0x02

extern const char *const store_db_names[DB__MAX];

int		 store_open(const char *, size_t, int, struct store **,
		    char *, size_t);
void		 store_close(struct store *);
int		 store_begin(struct store *, int, struct store_txn *);
int		 store_commit(struct store_txn *);
void		 store_abort(struct store_txn *);
int		 store_get(struct store_txn *, enum store_db, const void *,
		    size_t, MDB_val *);
int		 store_put(struct store_txn *, enum store_db, const void *,
		    size_t, const void *, size_t, unsigned);
int		 store_del(struct store_txn *, enum store_db, const void *,
		    size_t, const void *, size_t);
int		 store_map_err(int);
const char	*store_strerror(int);
const char	*store_full_hint(void);

#endif
