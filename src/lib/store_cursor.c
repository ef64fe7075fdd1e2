/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Cursors over one database of the store, and the questions about
 * duplicates that the index databases (DUPSORT) answer.
 */
#include <stdlib.h>

#include <lmdb.h>

#include "store.h"
#include "store_impl.h"

static const MDB_cursor_op cursor_ops[] = {
	[STORE_FIRST] = MDB_FIRST,
	[STORE_NEXT] = MDB_NEXT,
	[STORE_NEXT_DUP] = MDB_NEXT_DUP,
	[STORE_NEXT_NODUP] = MDB_NEXT_NODUP,
	[STORE_SET] = MDB_SET,
	[STORE_SET_RANGE] = MDB_SET_RANGE,
	[STORE_GET_BOTH] = MDB_GET_BOTH,
	[STORE_GET_BOTH_RANGE] = MDB_GET_BOTH_RANGE,
	[STORE_LAST] = MDB_LAST,
	[STORE_PREV] = MDB_PREV,
};

/*
 * Opens a cursor on db inside t.  The handle comes from the store's
 * spares when there is one, so only LMDB's own cursor is allocated.
 */
int
store_cursor_open(struct store_txn *t, enum store_db db,
    struct store_cursor **out)
{
	struct store		*st = t->st;
	struct store_cursor	*c;
	int			 rc;

	*out = NULL;
	if ((c = st->spare_cursors) != NULL)
		st->spare_cursors = c->next;
	else if ((c = calloc(1, sizeof(*c))) == NULL)
		return STORE_ENOMEM;
	if ((rc = mdb_cursor_open(t->txn, st->dbi[db], &c->mc)) !=
	    MDB_SUCCESS) {
		c->next = st->spare_cursors;
		st->spare_cursors = c;
		return store_map_err(rc);
	}
	c->t = t;
	*out = c;
	return STORE_OK;
}

void
store_cursor_close(struct store_cursor *c)
{
	struct store	*st;

	if (c == NULL)
		return;
	st = c->t->st;
	mdb_cursor_close(c->mc);
	c->mc = NULL;
	c->t = NULL;
	c->next = st->spare_cursors;
	st->spare_cursors = c;
}

/*
 * Moves the cursor as op says and returns the entry there in k and v
 * (either may be NULL when op needs no input from it).  As with LMDB,
 * k (and for the GET_BOTH moves v) carries the key sought in, and the
 * entry found out.  STORE_NOTFOUND when there is no such entry.
 */
int
store_cursor_get(struct store_cursor *c, struct store_val *k,
    struct store_val *v, enum store_op op)
{
	MDB_val	 mk, mv;
	int	 rc;

	mk.mv_data = k != NULL ? (void *)k->data : NULL;
	mk.mv_size = k != NULL ? k->len : 0;
	mv.mv_data = v != NULL ? (void *)v->data : NULL;
	mv.mv_size = v != NULL ? v->len : 0;
	if ((rc = mdb_cursor_get(c->mc, &mk, &mv, cursor_ops[op])) !=
	    MDB_SUCCESS)
		return store_map_err(rc);
	if (k != NULL) {
		k->data = mk.mv_data;
		k->len = mk.mv_size;
	}
	if (v != NULL) {
		v->data = mv.mv_data;
		v->len = mv.mv_size;
	}
	return STORE_OK;
}

/* Deletes the entry under the cursor (one duplicate of a DUPSORT key). */
int
store_cursor_del(struct store_cursor *c)
{
	return store_map_err(mdb_cursor_del(c->mc, 0));
}

/* The number of duplicates of the key under the cursor. */
int
store_cursor_count(struct store_cursor *c, size_t *n)
{
	int	 rc;

	*n = 0;
	if ((rc = mdb_cursor_count(c->mc, n)) != MDB_SUCCESS)
		return store_map_err(rc);
	return STORE_OK;
}

/* The number of duplicates under key in db: 0 if there is no key. */
int
store_dup_count(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, size_t *n)
{
	struct store_cursor	*c;
	struct store_val	 k;
	int			 rc;

	*n = 0;
	if ((rc = store_cursor_open(t, db, &c)) != STORE_OK)
		return rc;
	k.data = key;
	k.len = klen;
	if ((rc = store_cursor_get(c, &k, NULL, STORE_SET)) == STORE_OK)
		rc = store_cursor_count(c, n);
	else if (rc == STORE_NOTFOUND)
		rc = STORE_OK;
	store_cursor_close(c);
	return rc;
}

/*
 * Whether db holds the duplicate (key, val): STORE_OK if it does,
 * STORE_NOTFOUND if not.
 */
int
store_dup_exists(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	struct store_cursor	*c;
	struct store_val	 k, v;
	int			 rc;

	if ((rc = store_cursor_open(t, db, &c)) != STORE_OK)
		return rc;
	k.data = key;
	k.len = klen;
	v.data = val;
	v.len = vlen;
	rc = store_cursor_get(c, &k, &v, STORE_GET_BOTH);
	store_cursor_close(c);
	return rc;
}
