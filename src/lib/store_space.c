/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The environment as a whole: how it uses its map and its reader
 * slots (for "mcp-oauth-admin stats"), growing the map of this process
 * (see maproom.h), and copying it (backups) or writing it without
 * syncs (the benchmarks' bulk loads).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "store.h"
#include "store_impl.h"

/*
 * Fills sp from inside t.  The free pages are counted the way
 * mdb_stat -f does: the freelist (LMDB's database 0) holds page-number
 * lists whose first word is their length.
 */
int
store_space(struct store_txn *t, struct store_space *sp)
{
	struct store	*st = t->st;
	MDB_envinfo	 info;
	MDB_stat	 ms;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	struct stat	 sb;
	char		 path[4096];
	size_t		 free_pages = 0, n;
	int		 rc, op;

	memset(sp, 0, sizeof(*sp));
	sp->map_size = st->map_size;
	if ((rc = mdb_stat(t->txn, st->dbi[DB_META], &ms)) != MDB_SUCCESS)
		return store_map_err(rc);
	sp->page_size = ms.ms_psize;
	if ((rc = mdb_cursor_open(t->txn, 0, &cur)) != MDB_SUCCESS)
		return store_map_err(rc);
	for (op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) ==
	    MDB_SUCCESS; op = MDB_NEXT) {
		if (v.mv_size < sizeof(size_t))
			continue;
		memcpy(&n, v.mv_data, sizeof(n));
		free_pages += n;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_map_err(rc);
	if ((rc = mdb_env_info(st->env, &info)) != MDB_SUCCESS)
		return store_map_err(rc);
	sp->map_in_use = info.me_mapsize;
	sp->max_readers = info.me_maxreaders;
	sp->high_water = (info.me_last_pgno + 1) * sp->page_size;
	sp->free_bytes = free_pages * sp->page_size;
	snprintf(path, sizeof(path), "%s/data.mdb", st->path);
	if (stat(path, &sb) == 0)
		sp->file_size = (size_t)sb.st_size;
	return STORE_OK;
}

/* mdb_reader_list() callback: one line per reader slot of a live pid. */
static int
count_reader(const char *msg, void *arg)
{
	struct store_readers	*r = arg;
	unsigned long		 pid;
	char			 thr[64], txn[64];

	if (sscanf(msg, "%lu %63s %63s", &pid, thr, txn) != 3)
		return 0;	/* the header line */
	r->slots++;
	if (strcmp(txn, "-") != 0)
		r->active++;
	return 0;
}

/*
 * Clears the reader slots of dead processes and counts them with those
 * the open cleared, then counts the slots of live ones.
 */
void
store_readers(struct store *st, struct store_readers *r)
{
	int	 dead = 0;

	memset(r, 0, sizeof(*r));
	r->stale = st->stale_readers;
	if (mdb_reader_check(st->env, &dead) == MDB_SUCCESS)
		r->stale += dead;
	mdb_reader_list(st->env, count_reader, r);
}

/* The reader slots of dead processes that the open cleared. */
int
store_stale_readers(struct store *st)
{
	return st->stale_readers;
}

/* The map size the store was opened with: db_map_size. */
size_t
store_map_size(struct store *st)
{
	return st->map_size;
}

/* The map this process has now: more than db_map_size once grown. */
size_t
store_map_in_use(struct store *st)
{
	MDB_envinfo	 info;

	if (mdb_env_info(st->env, &info) != MDB_SUCCESS)
		return st->map_size;
	return info.me_mapsize;
}

/*
 * Grows the map of this process to want bytes; the caller has no
 * transaction open.  STORE_FULL if the map is that large already.
 */
int
store_map_grow(struct store *st, size_t want)
{
	MDB_envinfo	 info;
	int		 rc;

	/* The kept read transaction must not outlive the old map. */
	if (!st->rtxn.busy && st->rtxn.txn != NULL) {
		mdb_txn_abort(st->rtxn.txn);
		st->rtxn.txn = NULL;
	}
	if (mdb_env_info(st->env, &info) != MDB_SUCCESS)
		return STORE_ERROR;
	if (info.me_mapsize >= want)
		return STORE_FULL;
	if ((rc = mdb_env_set_mapsize(st->env, want)) != MDB_SUCCESS)
		return store_map_err(rc);
	return STORE_OK;
}

/*
 * With on, commits stop syncing to disk, for bulk loads that sync
 * once at the end with store_sync().
 */
int
store_set_nosync(struct store *st, int on)
{
	return store_map_err(mdb_env_set_flags(st->env, MDB_NOSYNC, on));
}

int
store_sync(struct store *st)
{
	return store_map_err(mdb_env_sync(st->env, 1));
}

/*
 * Writes a compacted copy of the database to fd, consistent as of one
 * moment.  On failure err says why.
 */
int
store_backup(struct store *st, int fd, char *err, size_t errsz)
{
	int	 rc;

	if ((rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) !=
	    MDB_SUCCESS) {
		snprintf(err, errsz, "%s", mdb_strerror(rc));
		return store_map_err(rc);
	}
	return STORE_OK;
}
