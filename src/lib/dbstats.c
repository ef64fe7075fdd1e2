#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "dbstats.h"
#include "grant.h"
#include "ratelimit.h"
#include "session.h"
#include "store.h"

/* Tallies one record of db: kinds, expiry and corruption. */
static void
tally(struct dbstats *s, enum store_db db, const MDB_val *v, int64_t now)
{
	struct token		 tok;
	struct code		 c;
	struct grant		 g;
	struct session		 se;
	struct pending		 p;
	struct ratelimit	 rl;
	int64_t			 e = 0;
	int			 rc = STORE_OK;

	switch (db) {
	case DB_TOKENS:
		if ((rc = token_decode(v->mv_data, v->mv_size, &tok)) !=
		    STORE_OK)
			break;
		if (tok.kind == TOKEN_REFRESH)
			s->refresh_tokens++;
		else
			s->access_tokens++;
		e = tok.expires;
		token_free(&tok);
		break;
	case DB_CODES:
		if ((rc = code_decode(v->mv_data, v->mv_size, &c)) ==
		    STORE_OK) {
			e = c.expires;
			code_free(&c);
		}
		break;
	case DB_GRANTS:
		if ((rc = grant_decode(v->mv_data, v->mv_size, &g)) !=
		    STORE_OK)
			break;
		e = g.expires;
		if ((g.flags & GRANT_ACTIVE) && e > now)
			s->active_grants++;
		grant_free(&g);
		break;
	case DB_SESSIONS:
		if ((rc = session_decode(v->mv_data, v->mv_size, &se)) ==
		    STORE_OK) {
			e = se.expires;
			session_free(&se);
		}
		break;
	case DB_PENDING:
		if ((rc = pending_decode(v->mv_data, v->mv_size, &p)) ==
		    STORE_OK) {
			e = p.expires;
			pending_free(&p);
		}
		break;
	case DB_RATELIMIT:
		if ((rc = ratelimit_decode(v->mv_data, v->mv_size, &rl)) ==
		    STORE_OK)
			e = rl.expires;
		break;
	default:
		return;
	}
	if (rc != STORE_OK)
		s->corrupt++;
	else if (e <= now)
		s->expired[db]++;
}

/* mdb_reader_list() callback: one line per reader slot of a live pid. */
static int
count_reader(const char *msg, void *arg)
{
	struct dbstats	*s = arg;
	unsigned long	 pid;
	char		 thr[64], txn[64];

	if (sscanf(msg, "%lu %63s %63s", &pid, thr, txn) != 3)
		return 0;	/* the header line */
	s->reader_slots++;
	if (strcmp(txn, "-") != 0)
		s->readers_active++;
	return 0;
}

/*
 * Fills s.  The free pages are counted the way mdb_stat -f does: the
 * freelist (database 0) holds page-number lists whose first word is
 * their length.
 */
int
dbstats_read(struct store *st, int64_t now, struct dbstats *s)
{
	struct store_txn	 t;
	MDB_envinfo		 info;
	MDB_stat		 ms;
	MDB_cursor		*cur;
	MDB_val			 k, v;
	struct stat		 sb;
	char			 path[4096];
	size_t			 free_pages = 0, i;
	int			 rc, op, dead = 0;

	memset(s, 0, sizeof(*s));
	s->map_size = st->map_size;
	s->stale_readers = st->stale_readers;
	if (mdb_reader_check(st->env, &dead) == MDB_SUCCESS)
		s->stale_readers += dead;
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	for (i = 0; i < DB__MAX; i++) {
		if ((rc = mdb_stat(t.txn, st->dbi[i], &ms)) != MDB_SUCCESS)
			goto fail;
		s->entries[i] = ms.ms_entries;
		s->page_size = ms.ms_psize;
		if (i == DB_META || i >= DB_NOTES)
			continue;
		if (i == DB_USERS || i == DB_CLIENTS)
			continue;
		if ((rc = mdb_cursor_open(t.txn, st->dbi[i], &cur)) !=
		    MDB_SUCCESS)
			goto fail;
		for (op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) ==
		    MDB_SUCCESS; op = MDB_NEXT)
			tally(s, (enum store_db)i, &v, now);
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			goto fail;
	}
	if ((rc = store_get(&t, DB_META, "schema", 6, &v)) == STORE_OK &&
	    v.mv_size == 4) {
		const unsigned char	*b = v.mv_data;

		s->schema_version = (uint32_t)b[0] << 24 |
		    (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	}
	if ((rc = mdb_cursor_open(t.txn, 0, &cur)) != MDB_SUCCESS)
		goto fail;
	for (op = MDB_FIRST; (rc = mdb_cursor_get(cur, &k, &v, op)) ==
	    MDB_SUCCESS; op = MDB_NEXT) {
		size_t	 n;

		if (v.mv_size < sizeof(size_t))
			continue;
		memcpy(&n, v.mv_data, sizeof(n));
		free_pages += n;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		goto fail;
	if ((rc = mdb_env_info(st->env, &info)) != MDB_SUCCESS)
		goto fail;
	store_abort(&t);

	s->map_in_use = info.me_mapsize;
	s->max_readers = info.me_maxreaders;
	s->high_water = (info.me_last_pgno + 1) * s->page_size;
	s->free_bytes = free_pages * s->page_size;
	s->used_bytes = s->high_water > s->free_bytes ?
	    s->high_water - s->free_bytes : 0;
	s->usage_percent = s->map_size > 0 ?
	    100.0 * (double)s->used_bytes / (double)s->map_size : 0;
	snprintf(path, sizeof(path), "%s/data.mdb", st->path);
	if (stat(path, &sb) == 0)
		s->file_size = (size_t)sb.st_size;
	mdb_reader_list(st->env, count_reader, s);
	return STORE_OK;
fail:
	store_abort(&t);
	return store_map_err(rc);
}
