/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "buf.h"
#include "record.h"
#include "store.h"
#include "store_impl.h"

const char *const store_db_names[DB__MAX] = {
	"meta",
	"users",
	"clients",
	"grants",
	"codes",
	"tokens",
	"sessions",
	"pending",
	"ratelimit",
	"notes",
	"user_grants",
	"client_grants",
	"grant_tokens",
	"keys",
	"audit",
};

/*
 * Databases added after schema version 1 was first released: an
 * environment made before has none, and its first writer to open it
 * creates it (create_late()) instead of refusing the environment.
 */
static const int store_db_late[DB__MAX] = {
	[DB_AUDIT] = 1,
};

static const unsigned store_db_flags[DB__MAX] = {
	[DB_USER_GRANTS] = MDB_DUPSORT,
	[DB_CLIENT_GRANTS] = MDB_DUPSORT,
	[DB_GRANT_TOKENS] = MDB_DUPSORT,
};

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Maps an LMDB or errno code to a store_err. */
int
store_map_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return STORE_OK;
	case MDB_NOTFOUND:
		return STORE_NOTFOUND;
	case MDB_KEYEXIST:
		return STORE_EXISTS;
	case MDB_MAP_FULL:
		return STORE_FULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_INCOMPATIBLE:
	case MDB_BAD_VALSIZE:
		return STORE_CORRUPT;
	case ENOENT:
		return STORE_ENOENT;
	case EACCES:
	case EPERM:
	case EROFS:
		return STORE_EACCES;
	case ENOMEM:
		return STORE_ENOMEM;
	}
	return STORE_ERROR;
}

const char *
store_strerror(int rc)
{
	switch (rc) {
	case STORE_OK:
		return "success";
	case STORE_NOTFOUND:
		return "not found";
	case STORE_EXISTS:
		return "already exists";
	case STORE_FULL:
		return "the database is full";
	case STORE_CORRUPT:
		return "the database is corrupt";
	case STORE_SCHEMA:
		return "unsupported database schema";
	case STORE_ENOENT:
		return "no database";
	case STORE_EACCES:
		return "permission denied";
	case STORE_ENOMEM:
		return "out of memory";
	case STORE_ERROR:
		return "database error";
	}
	return "unknown error";
}

const char *
store_full_hint(void)
{
	return "run mcp-oauth-admin purge, or raise db_map_size in the "
	    "configuration file";
}

/*
 * Creates the databases of store_db_late that check_schema() found
 * missing, in one write transaction.  A read-only open cannot: it
 * fails as for any missing database.
 */
static int
create_late(struct store *st, const int *missing, char *err, size_t errsz)
{
	MDB_txn		*txn = NULL;
	unsigned	 i;
	int		 rc;

	if (st->rdonly) {
		seterr(err, errsz, "%s: not initialised (a database is "
		    "missing): open it once for writing, or run "
		    "mcp-oauth-admin init", st->path);
		return STORE_ENOENT;
	}
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != MDB_SUCCESS)
		goto fail;
	for (i = 0; i < DB__MAX; i++) {
		if (!missing[i])
			continue;
		if ((rc = mdb_dbi_open(txn, store_db_names[i],
		    store_db_flags[i] | MDB_CREATE, &st->dbi[i])) !=
		    MDB_SUCCESS) {
			mdb_txn_abort(txn);
			goto fail;
		}
	}
	if ((rc = mdb_txn_commit(txn)) == MDB_SUCCESS)
		return STORE_OK;
fail:
	seterr(err, errsz, "%s: cannot create a database: %s", st->path,
	    mdb_strerror(rc));
	return store_map_err(rc);
}

static int
check_schema(struct store *st, int create, char *err, size_t errsz)
{
	int		 missing[DB__MAX] = { 0 }, late = 0;
	MDB_txn		*txn = NULL;
	MDB_val		 k, v;
	unsigned char	 ver[4];
	uint32_t	 version;
	unsigned	 i;
	int		 rc;

	rc = mdb_txn_begin(st->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc != MDB_SUCCESS) {
		seterr(err, errsz, "%s: cannot begin a transaction: %s",
		    st->path, mdb_strerror(rc));
		return store_map_err(rc);
	}
	for (i = 0; i < DB__MAX; i++) {
		rc = mdb_dbi_open(txn, store_db_names[i],
		    store_db_flags[i] | (create ? MDB_CREATE : 0),
		    &st->dbi[i]);
		if (rc == MDB_NOTFOUND && store_db_late[i]) {
			missing[i] = late = 1;
			continue;
		}
		if (rc == MDB_NOTFOUND) {
			seterr(err, errsz, "%s: not initialised (database "
			    "\"%s\" missing): run mcp-oauth-admin init",
			    st->path, store_db_names[i]);
			rc = STORE_ENOENT;
			goto fail;
		}
		if (rc != MDB_SUCCESS) {
			seterr(err, errsz, "%s: cannot open database \"%s\": "
			    "%s", st->path, store_db_names[i],
			    mdb_strerror(rc));
			rc = store_map_err(rc);
			goto fail;
		}
	}
	k.mv_data = "schema";
	k.mv_size = 6;
	rc = mdb_get(txn, st->dbi[DB_META], &k, &v);
	if (rc == MDB_NOTFOUND && create) {
		ver[0] = ver[1] = ver[2] = 0;
		ver[3] = STORE_SCHEMA_VERSION;
		v.mv_data = ver;
		v.mv_size = 4;
		if ((rc = mdb_put(txn, st->dbi[DB_META], &k, &v, 0)) !=
		    MDB_SUCCESS) {
			seterr(err, errsz, "%s: cannot write the schema "
			    "version: %s", st->path, mdb_strerror(rc));
			rc = store_map_err(rc);
			goto fail;
		}
	} else if (rc == MDB_NOTFOUND) {
		seterr(err, errsz, "%s: no schema version: run "
		    "mcp-oauth-admin init", st->path);
		rc = STORE_ENOENT;
		goto fail;
	} else if (rc != MDB_SUCCESS) {
		seterr(err, errsz, "%s: %s", st->path, mdb_strerror(rc));
		rc = store_map_err(rc);
		goto fail;
	} else {
		if (v.mv_size != 4) {
			seterr(err, errsz, "%s: malformed schema version",
			    st->path);
			rc = STORE_SCHEMA;
			goto fail;
		}
		memcpy(ver, v.mv_data, 4);
		version = (uint32_t)ver[0] << 24 | (uint32_t)ver[1] << 16 |
		    (uint32_t)ver[2] << 8 | ver[3];
		if (version != STORE_SCHEMA_VERSION) {
			seterr(err, errsz, "%s: database schema version %u "
			    "is not supported by this program (it knows "
			    "version %d)%s", st->path, version,
			    STORE_SCHEMA_VERSION, version > STORE_SCHEMA_VERSION
			    ? ": upgrade mcp-oauth-fcgi" : "");
			rc = STORE_SCHEMA;
			goto fail;
		}
	}
	if ((rc = mdb_txn_commit(txn)) != MDB_SUCCESS) {
		seterr(err, errsz, "%s: %s", st->path, mdb_strerror(rc));
		return store_map_err(rc);
	}
	return late ? create_late(st, missing, err, errsz) : STORE_OK;
fail:
	mdb_txn_abort(txn);
	return rc;
}

static const char perm_msg[] = "permission denied: the user running this "
    "program must be able to write the database directory and its files "
    "(even to read, LMDB writes lock.mdb)";

/*
 * Opens (or with STORE_OPEN_CREATE creates, mode 0700/0600) the
 * environment at path.  Every failure comes back with one message that
 * names the path and says what to do.
 */
int
store_open(const char *path, size_t map_size, int flags, struct store **out,
    char *err, size_t errsz)
{
	struct store	*st;
	struct stat	 sb;
	int		 rc, dead = 0;
	unsigned	 envflags = MDB_NOTLS;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		seterr(err, errsz, "out of memory");
		return STORE_ENOMEM;
	}
	st->map_size = map_size;
	st->rdonly = (flags & STORE_OPEN_RDONLY) != 0;
	if (flags & STORE_OPEN_CREATE) {
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			seterr(err, errsz, "%s: cannot create directory: %s",
			    path, strerror(errno));
			rc = store_map_err(errno);
			goto fail;
		}
	}
	if (stat(path, &sb) == -1) {
		rc = store_map_err(errno);
		if (errno == ENOENT)
			seterr(err, errsz, "%s: no database here: run "
			    "mcp-oauth-admin init", path);
		else if (rc == STORE_EACCES)
			seterr(err, errsz, "%s: %s", path, perm_msg);
		else
			seterr(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(sb.st_mode)) {
		seterr(err, errsz, "%s: not a directory", path);
		rc = STORE_ERROR;
		goto fail;
	}
	if (!(flags & STORE_OPEN_CREATE)) {
		char	 data[4096];

		snprintf(data, sizeof(data), "%s/data.mdb", path);
		if (stat(data, &sb) == -1 && errno == ENOENT) {
			seterr(err, errsz, "%s: no database here: run "
			    "mcp-oauth-admin init", path);
			rc = STORE_ENOENT;
			goto fail;
		}
	}
	if ((rc = mdb_env_create(&st->env)) != MDB_SUCCESS ||
	    (rc = mdb_env_set_maxdbs(st->env, DB__MAX)) != MDB_SUCCESS ||
	    (rc = mdb_env_set_maxreaders(st->env, STORE_MAX_READERS)) !=
	    MDB_SUCCESS ||
	    (rc = mdb_env_set_mapsize(st->env, map_size)) != MDB_SUCCESS) {
		seterr(err, errsz, "%s: %s", path, mdb_strerror(rc));
		rc = store_map_err(rc);
		goto fail;
	}
	if (st->rdonly)
		envflags |= MDB_RDONLY;
	if ((rc = mdb_env_open(st->env, path, envflags, 0600)) !=
	    MDB_SUCCESS) {
		if (rc == EACCES || rc == EPERM || rc == EROFS)
			seterr(err, errsz, "%s: %s", path, perm_msg);
		else
			seterr(err, errsz, "%s: cannot open the database: %s",
			    path, mdb_strerror(rc));
		rc = store_map_err(rc);
		goto fail;
	}
	/* Slots left by processes that died mid-transaction. */
	if (mdb_reader_check(st->env, &dead) == MDB_SUCCESS)
		st->stale_readers = dead;
	if ((rc = check_schema(st, (flags & STORE_OPEN_CREATE) != 0, err,
	    errsz)) != STORE_OK)
		goto fail;
	*out = st;
	return STORE_OK;
fail:
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	struct store_txn	*t;
	struct store_cursor	*c;

	if (st == NULL)
		return;
	if (st->rtxn.txn != NULL)
		mdb_txn_abort(st->rtxn.txn);
	while ((t = st->spare_txns) != NULL) {
		st->spare_txns = t->next;
		free(t);
	}
	while ((c = st->spare_cursors) != NULL) {
		st->spare_cursors = c->next;
		free(c);
	}
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st->path);
	free(st);
}

/*
 * A free transaction handle: the store's own read or write one, else a
 * spare (made on first need, kept until the store closes).
 */
static struct store_txn *
txn_handle(struct store *st, int rdonly)
{
	struct store_txn	*t;

	if (rdonly && !st->rtxn.busy)
		return &st->rtxn;
	if (!rdonly && !st->wtxn.busy)
		return &st->wtxn;
	for (t = st->spare_txns; t != NULL; t = t->next)
		if (!t->busy)
			return t;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->next = st->spare_txns;
	st->spare_txns = t;
	return t;
}

/*
 * Begins a transaction.  Read-only transactions on the store's read
 * handle reuse one LMDB transaction (reset/renew), which keeps the
 * validation path free of allocations.  If another process grew the
 * map, adopt the new size and retry.
 */
int
store_begin(struct store *st, int rdonly, struct store_txn **out)
{
	struct store_txn	*t;
	int			 rc, tries;

	*out = NULL;
	if ((t = txn_handle(st, rdonly)) == NULL)
		return STORE_ENOMEM;
	t->st = st;
	t->rdonly = rdonly;
	for (tries = 0; tries < 2; tries++) {
		if (t == &st->rtxn && t->txn != NULL) {
			if ((rc = mdb_txn_renew(t->txn)) == MDB_SUCCESS)
				break;
			mdb_txn_abort(t->txn);
			t->txn = NULL;
		} else if ((rc = mdb_txn_begin(st->env, NULL,
		    rdonly ? MDB_RDONLY : 0, &t->txn)) == MDB_SUCCESS)
			break;
		t->txn = NULL;
		if (rc != MDB_MAP_RESIZED)
			return store_map_err(rc);
		mdb_env_set_mapsize(st->env, 0);
	}
	if (rc != MDB_SUCCESS)
		return store_map_err(rc);
	t->busy = 1;
	*out = t;
	return STORE_OK;
}

int
store_commit(struct store_txn *t)
{
	int	 rc;

	if (t == NULL || !t->busy)
		return STORE_ERROR;
	if (t->rdonly) {
		store_abort(t);
		return STORE_OK;
	}
	rc = mdb_txn_commit(t->txn);
	t->txn = NULL;
	t->busy = 0;
	return store_map_err(rc);
}

/*
 * LMDB gives the pages a transaction freed to writers only from the
 * second transaction after it, since a reader may still see them until
 * then.  After a purge, one small write (the schema record, rewritten
 * as it is) makes what the purge freed usable by the very next writer:
 * on a full map, the difference between a 503 and an answer.  Best
 * effort: the write may itself find no room.
 */
int
store_release_freed(struct store *st)
{
	struct store_txn	*t;
	MDB_val			 k, v;
	unsigned char		 ver[4];
	int			 rc;

	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	k.mv_data = "schema";
	k.mv_size = 6;
	if ((rc = mdb_get(t->txn, st->dbi[DB_META], &k, &v)) ==
	    MDB_SUCCESS && v.mv_size == sizeof(ver)) {
		/* A copy: v points into the map, which the put changes. */
		memcpy(ver, v.mv_data, sizeof(ver));
		v.mv_data = ver;
		rc = mdb_put(t->txn, st->dbi[DB_META], &k, &v, 0);
	}
	if (rc != MDB_SUCCESS) {
		store_abort(t);
		return store_map_err(rc);
	}
	return store_commit(t);
}

/*
 * Ends a transaction without writing.  The store's read handle keeps
 * its LMDB transaction, reset, for the next store_begin().
 */
void
store_abort(struct store_txn *t)
{
	if (t == NULL || !t->busy)
		return;
	if (t == &t->st->rtxn)
		mdb_txn_reset(t->txn);
	else {
		mdb_txn_abort(t->txn);
		t->txn = NULL;
	}
	t->busy = 0;
}

int
store_get(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, struct store_val *out)
{
	MDB_val	 k, v;
	int	 rc;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	if ((rc = mdb_get(t->txn, t->st->dbi[db], &k, &v)) != MDB_SUCCESS)
		return store_map_err(rc);
	out->data = v.mv_data;
	out->len = v.mv_size;
	return STORE_OK;
}

int
store_put(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen, unsigned flags)
{
	MDB_val		 k, v;
	unsigned	 mflags = 0;

	if (flags & STORE_NOOVERWRITE)
		mflags |= MDB_NOOVERWRITE;
	if (flags & STORE_NODUPDATA)
		mflags |= MDB_NODUPDATA;
	k.mv_data = (void *)key;
	k.mv_size = klen;
	v.mv_data = (void *)val;
	v.mv_size = vlen;
	return store_map_err(mdb_put(t->txn, t->st->dbi[db], &k, &v,
	    mflags));
}

/* Deletes a key, or with val one duplicate of a DUPSORT key. */
int
store_del(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	MDB_val	 k, v;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	v.mv_data = (void *)val;
	v.mv_size = vlen;
	return store_map_err(mdb_del(t->txn, t->st->dbi[db], &k,
	    val != NULL ? &v : NULL));
}

/* The number of entries of db (duplicates count one each). */
int
store_entries(struct store_txn *t, enum store_db db, size_t *n)
{
	MDB_stat	 ms;
	int		 rc;

	*n = 0;
	if ((rc = mdb_stat(t->txn, t->st->dbi[db], &ms)) != MDB_SUCCESS)
		return store_map_err(rc);
	*n = ms.ms_entries;
	return STORE_OK;
}

/*
 * Empties db.  LMDB frees whole pages for this; it does not delete
 * record by record.
 */
int
store_drop(struct store_txn *t, enum store_db db)
{
	return store_map_err(mdb_drop(t->txn, t->st->dbi[db], 0));
}
