/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "dbstats.h"
#include "grant.h"
#include "purge.h"
#include "ratelimit.h"
#include "session.h"
#include "store.h"

/* Tallies one record of db: kinds, expiry and corruption. */
static void
tally(struct dbstats *s, enum store_db db, const struct store_val *v,
    int64_t now)
{
	struct token		 tok;
	struct code		 c;
	struct grant		 g;
	struct session		 se;
	struct pending		 p;
	struct ratelimit	 rl;
	struct client		 cl;
	int64_t			 e = 0;
	int			 rc = STORE_OK;

	switch (db) {
	case DB_TOKENS:
		if ((rc = token_decode(v->data, v->len, &tok)) != STORE_OK)
			break;
		if (token_index_kind(tok.kind) == INDEX_REFRESH)
			s->refresh_tokens++;
		else
			s->access_tokens++;
		e = tok.expires;
		token_free(&tok);
		break;
	case DB_CODES:
		if ((rc = code_decode(v->data, v->len, &c)) == STORE_OK) {
			e = c.expires;
			code_free(&c);
		}
		break;
	case DB_GRANTS:
		if ((rc = grant_decode(v->data, v->len, &g)) != STORE_OK)
			break;
		e = g.expires;
		if ((g.flags & GRANT_ACTIVE) && e > now)
			s->active_grants++;
		grant_free(&g);
		break;
	case DB_SESSIONS:
		if ((rc = session_decode(v->data, v->len, &se)) == STORE_OK) {
			e = se.expires;
			session_free(&se);
		}
		break;
	case DB_PENDING:
		if ((rc = pending_decode(v->data, v->len, &p)) == STORE_OK) {
			e = p.expires;
			pending_free(&p);
		}
		break;
	case DB_RATELIMIT:
		if ((rc = ratelimit_decode(v->data, v->len, &rl)) == STORE_OK)
			e = rl.expires;
		break;
	case DB_CLIENTS:
		/* Counted, never "expired": purge also asks the grants. */
		client_init(&cl);
		if ((rc = client_decode(v->data, v->len, &cl)) != STORE_OK) {
			s->corrupt++;
			return;
		}
		if (cl.flags & CLIENT_CIMD)
			s->cimd_clients++;
		else if (cl.flags & CLIENT_DYNAMIC)
			s->dynamic_clients++;
		client_free(&cl);
		return;
	default:
		return;
	}
	if (rc != STORE_OK)
		s->corrupt++;
	else if (e <= now)
		s->expired[db]++;
}

/* Fills s from one read-only transaction. */
int
dbstats_read(struct store *st, int64_t now, struct dbstats *s)
{
	struct store_txn	*t;
	struct store_cursor	*cur;
	struct store_space	 sp;
	struct store_readers	 r;
	struct store_val	 k, v;
	size_t			 i;
	int			 rc, op;

	memset(s, 0, sizeof(*s));
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	for (i = 0; i < DB__MAX; i++) {
		if ((rc = store_entries(t, i, &s->entries[i])) != STORE_OK)
			goto fail;
		if (i == DB_META || i >= DB_NOTES)
			continue;
		if (i == DB_USERS)
			continue;
		if ((rc = store_cursor_open(t, i, &cur)) != STORE_OK)
			goto fail;
		for (op = STORE_FIRST; (rc = store_cursor_get(cur, &k, &v,
		    op)) == STORE_OK; op = STORE_NEXT)
			tally(s, (enum store_db)i, &v, now);
		store_cursor_close(cur);
		if (rc != STORE_NOTFOUND)
			goto fail;
	}
	if ((rc = store_get(t, DB_META, "schema", 6, &v)) == STORE_OK &&
	    v.len == 4) {
		const unsigned char	*b = v.data;

		s->schema_version = (uint32_t)b[0] << 24 |
		    (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	}
	if ((rc = purge_last_completed(t, &s->last_purge)) == STORE_CORRUPT)
		s->last_purge = 0;	/* a damaged time reads as never */
	else if (rc != STORE_OK)
		goto fail;
	if ((rc = store_space(t, &sp)) != STORE_OK)
		goto fail;
	store_abort(t);

	store_readers(st, &r);
	s->stale_readers = r.stale;
	s->reader_slots = r.slots;
	s->readers_active = r.active;
	s->page_size = sp.page_size;
	s->map_size = sp.map_size;
	s->map_in_use = sp.map_in_use;
	s->max_readers = sp.max_readers;
	s->high_water = sp.high_water;
	s->free_bytes = sp.free_bytes;
	s->file_size = sp.file_size;
	s->used_bytes = s->high_water > s->free_bytes ?
	    s->high_water - s->free_bytes : 0;
	s->usage_percent = s->map_size > 0 ?
	    100.0 * (double)s->used_bytes / (double)s->map_size : 0;
	return STORE_OK;
fail:
	store_abort(t);
	return rc;
}
