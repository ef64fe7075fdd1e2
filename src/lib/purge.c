/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "client.h"
#include "crypto.h"
#include "grant.h"
#include "loglevel.h"
#include "maproom.h"
#include "purge.h"
#include "ratelimit.h"
#include "session.h"
#include "store.h"

/*
 * The stages of a pass, each a walk of one database in key order.
 *
 * Tokens and codes are keyed by their hash, the grant_tokens index by
 * grant: deleting a token's index entry along with it would copy one
 * index page per token, scattered over the whole index, and a purge of
 * a million tokens would write gigabytes.  So the token and code
 * stages delete only the records, in key order (a page is copied once
 * for all its expired records), and the grant_tokens stage then walks
 * the index in its own order and drops the entries whose record is
 * gone.  In between, those entries point to nothing, which nothing
 * minds: every reader looks a token up by its hash, and the writers
 * that walk the index (grant_revoke) skip missing records.
 *
 * Grants come after their tokens: by the time a grant expires its
 * tokens normally have too, so the grant costs one deletion.
 */
static int	walk(struct store_txn *, int64_t, long, struct purge_pos *,
		    size_t, size_t, struct purge_counts *);

static const enum store_db stages[] = {
	DB_TOKENS,
	DB_CODES,
	DB_GRANT_TOKENS,
	DB_GRANTS,
	DB_SESSIONS,
	DB_PENDING,
	DB_RATELIMIT,
	DB_CLIENTS,	/* last: a saved position keeps its stage */
};

#define NSTAGES		((int)(sizeof(stages) / sizeof(stages[0])))

/* The key of the opportunistic purge's position in the meta database. */
#define POS_KEY		"purge_position"
/*
 * The key of the number of unused registered clients every purge has
 * removed so far (u64, big-endian), for "mcp-oauth-admin stats".
 */
#define UNUSED_KEY	"unused_clients_purged"
/*
 * The key of the time the last whole pass ended (i64, big-endian, Unix
 * seconds), for "mcp-oauth-admin stats" and the statistics page.
 */
#define LAST_KEY	"last_purge"

void
purge_pos_init(struct purge_pos *p)
{
	memset(p, 0, sizeof(*p));
}

void
purge_counts_add(struct purge_counts *to, const struct purge_counts *from)
{
	to->codes += from->codes;
	to->access_tokens += from->access_tokens;
	to->refresh_tokens += from->refresh_tokens;
	to->grants += from->grants;
	to->sessions += from->sessions;
	to->pending += from->pending;
	to->ratelimit += from->ratelimit;
	to->cimd_clients += from->cimd_clients;
	to->unused_clients += from->unused_clients;
	to->index_entries += from->index_entries;
	to->scanned += from->scanned;
}

/* Records removed, index entries not counted. */
unsigned long
purge_counts_total(const struct purge_counts *c)
{
	return c->codes + c->access_tokens + c->refresh_tokens + c->grants +
	    c->sessions + c->pending + c->ratelimit + c->cimd_clients +
	    c->unused_clients;
}

/*
 * The expiry of a record of stage db, or -1 if it does not decode (a
 * corrupt record is left for "check" to report, never deleted here).
 * For tokens and codes, *grant_id receives the grant (caller frees)
 * and *kind the index kind.
 */
static int64_t
expiry_of(enum store_db db, const struct store_val *v, char **grant_id,
    int *kind, struct grant *g)
{
	struct token		 tok;
	struct code		 code;
	struct session		 s;
	struct pending		 p;
	struct ratelimit	 rl;
	int64_t			 e = -1;

	*grant_id = NULL;
	switch (db) {
	case DB_TOKENS:
		if (token_decode(v->data, v->len, &tok) != STORE_OK)
			break;
		e = tok.expires;
		*kind = token_index_kind(tok.kind);
		*grant_id = tok.grant_id;
		tok.grant_id = NULL;
		token_free(&tok);
		break;
	case DB_CODES:
		if (code_decode(v->data, v->len, &code) != STORE_OK)
			break;
		e = code.expires;
		*kind = INDEX_CODE;
		*grant_id = code.grant_id;
		code.grant_id = NULL;
		code_free(&code);
		break;
	case DB_GRANTS:
		memset(g, 0, sizeof(*g));
		if (grant_decode(v->data, v->len, g) == STORE_OK)
			e = g->expires;
		break;
	case DB_SESSIONS:
		if (session_decode(v->data, v->len, &s) != STORE_OK)
			break;
		e = s.expires;
		session_free(&s);
		break;
	case DB_PENDING:
		if (pending_decode(v->data, v->len, &p) != STORE_OK)
			break;
		e = p.expires;
		pending_free(&p);
		break;
	case DB_RATELIMIT:
		if (ratelimit_decode(v->data, v->len, &rl) == STORE_OK)
			e = rl.expires;
		break;
	default:
		break;
	}
	return e;
}

/*
 * Whether the client record k/v may go, and why (*del): PURGE_CIMD for
 * a cached metadata document (fetched, not pinned by the
 * administrator) whose cache expiry is PURGE_CIMD_MARGIN past,
 * PURGE_REGISTERED for a dynamically registered client unused for
 * lifetime seconds (client_reapable), 0 to keep it.  Either only if no
 * grant of it is left in the by-client index (a grant, even an expired
 * one not yet purged, keeps it, so that revocation and "check" always
 * find its client).  A client the administrator added is never
 * purged, nor a record that does not decode (left for "check" to
 * report).
 */
#define PURGE_CIMD		1
#define PURGE_REGISTERED	2

static int
client_unused(struct store_txn *t, const struct store_val *k,
    const struct store_val *v, int64_t now, long lifetime, int *del)
{
	struct client		 cl;
	struct store_val	 gv;
	int			 rc, why = 0;

	*del = 0;
	client_init(&cl);
	if (client_decode(v->data, v->len, &cl) != STORE_OK)
		return STORE_OK;
	if ((cl.flags & CLIENT_CIMD) && !(cl.flags & CLIENT_PINNED) &&
	    cl.expires <= now - PURGE_CIMD_MARGIN)
		why = PURGE_CIMD;
	else if (client_reapable(&cl, now, lifetime))
		why = PURGE_REGISTERED;
	client_free(&cl);
	if (why == 0)
		return STORE_OK;
	rc = store_get(t, DB_CLIENT_GRANTS, k->data, k->len, &gv);
	if (rc == STORE_NOTFOUND) {
		*del = why;
		return STORE_OK;
	}
	return rc;
}

/*
 * The number of unused registered clients purged so far, by every
 * purge (0 before the first).
 */
int
purge_unused_clients_total(struct store_txn *t, uint64_t *n)
{
	struct store_val	 v;
	const unsigned char	*p;
	size_t			 i;
	int			 rc;

	*n = 0;
	rc = store_get(t, DB_META, UNUSED_KEY, strlen(UNUSED_KEY), &v);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	if (v.len != 8)
		return STORE_CORRUPT;
	p = v.data;
	for (i = 0; i < 8; i++)
		*n = *n << 8 | p[i];
	return STORE_OK;
}

/* When the last whole pass ended into *when (0: never). */
int
purge_last_completed(struct store_txn *t, int64_t *when)
{
	struct store_val	 v;
	const unsigned char	*p;
	uint64_t		 u = 0;
	size_t			 i;
	int			 rc;

	*when = 0;
	rc = store_get(t, DB_META, LAST_KEY, strlen(LAST_KEY), &v);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	if (v.len != 8)
		return STORE_CORRUPT;
	p = v.data;
	for (i = 0; i < 8; i++)
		u = u << 8 | p[i];
	*when = (int64_t)u;
	return STORE_OK;
}

/* Records now as the end of the last whole pass. */
static int
last_completed_set(struct store_txn *t, int64_t now)
{
	unsigned char	 b[8];
	size_t		 i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)now >> (56 - 8 * i));
	return store_put(t, DB_META, LAST_KEY, strlen(LAST_KEY), b,
	    sizeof(b), 0);
}

/* Adds n to the total of purge_unused_clients_total(). */
static int
unused_clients_add(struct store_txn *t, unsigned long n)
{
	unsigned char	 b[8];
	uint64_t	 total;
	size_t		 i;
	int		 rc;

	if (n == 0)
		return STORE_OK;
	rc = purge_unused_clients_total(t, &total);
	if (rc == STORE_CORRUPT)
		total = 0;	/* a damaged counter starts over */
	else if (rc != STORE_OK)
		return rc;
	total += n;
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(total >> (56 - 8 * i));
	return store_put(t, DB_META, UNUSED_KEY, strlen(UNUSED_KEY), b,
	    sizeof(b), 0);
}

/*
 * Deletes an expired grant: its remaining tokens and codes (within
 * *budget), then its index entries and record.  *done tells whether
 * the grant is gone; if not, the next step comes back to it.
 */
static int
drop_grant(struct store_txn *t, const char *id, const struct grant *g,
    size_t *budget, struct purge_counts *c, int *done)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 val[INDEX_VALUE_LEN];
	struct revoke_counts	 dropped;
	int			 rc;

	*done = 0;
	memset(&dropped, 0, sizeof(dropped));
	if ((rc = store_cursor_open(t, DB_GRANT_TOKENS, &cur)) != STORE_OK)
		return rc;
	for (;;) {
		if (*budget == 0) {
			store_cursor_close(cur);
			rc = STORE_OK;
			goto out;
		}
		k.data = id;
		k.len = GRANT_ID_LEN;
		if ((rc = store_cursor_get(cur, &k, &v, STORE_SET)) != STORE_OK)
			break;
		if (v.len == INDEX_VALUE_LEN) {
			memcpy(val, v.data, sizeof(val));
			if ((rc = grant_drop_indexed(t, val, &dropped)) !=
			    STORE_OK) {
				store_cursor_close(cur);
				goto out;
			}
		}
		if ((rc = store_cursor_del(cur)) != STORE_OK) {
			store_cursor_close(cur);
			goto out;
		}
		c->index_entries++;
		(*budget)--;
	}
	store_cursor_close(cur);
	if (rc != STORE_NOTFOUND)
		goto out;
	if (*budget == 0) {
		rc = STORE_OK;
		goto out;
	}
	if ((rc = grant_unindex(t, id, g->user, g->client_id,
	    &c->index_entries)) != STORE_OK ||
	    (rc = store_del(t, DB_GRANTS, id, GRANT_ID_LEN, NULL, 0)) !=
	    STORE_OK || (rc = store_log_level_forget(t, id)) != STORE_OK)
		goto out;
	c->grants++;
	(*budget)--;
	*done = 1;
out:
	c->codes += dropped.codes;
	c->access_tokens += dropped.access_tokens;
	c->refresh_tokens += dropped.refresh_tokens;
	return rc;
}

static void
count_removed(enum store_db db, int kind, struct purge_counts *c)
{
	switch (db) {
	case DB_TOKENS:
		if (kind == INDEX_REFRESH)
			c->refresh_tokens++;
		else
			c->access_tokens++;
		break;
	case DB_CODES:
		c->codes++;
		break;
	case DB_SESSIONS:
		c->sessions++;
		break;
	case DB_PENDING:
		c->pending++;
		break;
	case DB_RATELIMIT:
		c->ratelimit++;
		break;
	case DB_CLIENTS:
		if (kind == PURGE_REGISTERED)
			c->unused_clients++;
		else
			c->cimd_clients++;
		break;
	default:
		break;
	}
}

/* The record after the deleted one whose key is in p. */
static int
after_key(struct store_cursor *cur, const struct purge_pos *p,
    struct store_val *k, struct store_val *v)
{
	k->data = p->key;
	k->len = p->keylen;
	return store_cursor_get(cur, k, v, STORE_SET_RANGE);
}

/*
 * The grant_tokens entry at or after the position p (key and
 * duplicate): the first duplicate of that key not below p's, else the
 * first of the next key.
 */
static int
seek_dup(struct store_cursor *cur, const struct purge_pos *p,
    struct store_val *k, struct store_val *v)
{
	int	 rc;

	k->data = p->key;
	k->len = p->keylen;
	v->data = p->val;
	v->len = PURGE_VAL_LEN;
	if ((rc = store_cursor_get(cur, k, v, STORE_GET_BOTH_RANGE)) !=
	    STORE_NOTFOUND)
		return rc;
	k->data = p->key;
	k->len = p->keylen;
	if ((rc = store_cursor_get(cur, k, v, STORE_SET_RANGE)) != STORE_OK)
		return rc;
	if (k->len == p->keylen && memcmp(k->data, p->key,
	    p->keylen) == 0)
		rc = store_cursor_get(cur, k, v, STORE_NEXT_NODUP);
	return rc;
}

/*
 * One step of a pass: examines at most max_scan records and deletes at
 * most max_delete (a grant's tokens count one each) from position p
 * on, inside t.  Records expire when expires <= now, as everywhere
 * else; registered clients go after unused_lifetime seconds without
 * use (0: never).  Advances p; p->stage is PURGE_DONE once the pass
 * is over.
 */
int
purge_step(struct store_txn *t, int64_t now, long unused_lifetime,
    struct purge_pos *p, size_t max_scan, size_t max_delete,
    struct purge_counts *c)
{
	unsigned long		 reaped = c->unused_clients;
	int			 rc;

	if ((rc = walk(t, now, unused_lifetime, p, max_scan, max_delete,
	    c)) != STORE_OK)
		return rc;
	/* Whoever ends a pass, opportunistic or administrator's, says so. */
	if (p->stage == PURGE_DONE && (rc = last_completed_set(t, now)) !=
	    STORE_OK)
		return rc;
	return unused_clients_add(t, c->unused_clients - reaped);
}

/* purge_step() but for the running total of unused clients. */
static int
walk(struct store_txn *t, int64_t now, long unused_lifetime,
    struct purge_pos *p, size_t max_scan, size_t max_delete,
    struct purge_counts *c)
{
	struct store_cursor	*cur;
	struct store_val	 k, v, rec;
	struct grant		 g;
	enum store_db		 db;
	char			*grant_id;
	char			 id[GRANT_ID_LEN + 1];
	size_t			 budget = max_delete;
	int64_t			 e;
	int			 rc, kind, done, del;

	while (p->stage != PURGE_DONE) {
		db = stages[p->stage];
		if ((rc = store_cursor_open(t, db, &cur)) != STORE_OK)
			return rc;
		if (p->has_key && p->has_val)
			rc = seek_dup(cur, p, &k, &v);
		else {
			k.data = p->key;
			k.len = p->keylen;
			rc = store_cursor_get(cur, &k, &v, p->has_key ?
			    STORE_SET_RANGE : STORE_FIRST);
		}
		while (rc == STORE_OK) {
			if (k.len > PURGE_KEY_MAX) {
				/* No such keys here; never deleted. */
				rc = store_cursor_get(cur, &k, &v, STORE_NEXT);
				continue;
			}
			/* Where the next step starts: this record. */
			memcpy(p->key, k.data, k.len);
			p->keylen = k.len;
			p->has_key = 1;
			p->has_val = db == DB_GRANT_TOKENS &&
			    v.len == PURGE_VAL_LEN;
			if (p->has_val)
				memcpy(p->val, v.data, PURGE_VAL_LEN);
			if (max_scan == 0 || budget == 0)
				break;
			max_scan--;
			c->scanned++;
			del = 0;
			if (db == DB_GRANT_TOKENS) {
				/* An entry whose token or code is gone. */
				if (v.len == INDEX_VALUE_LEN) {
					const unsigned char *x = v.data;

					rc = store_get(t, grant_index_db(x[0]),
					    x + 1, CRYPTO_SHA256_LEN, &rec);
					if (rc != STORE_OK &&
					    rc != STORE_NOTFOUND) {
						store_cursor_close(cur);
						return rc;
					}
					del = rc == STORE_NOTFOUND;
				}
				if (del)
					c->index_entries++;
			} else if (db == DB_CLIENTS) {
				if ((rc = client_unused(t, &k, &v, now,
				    unused_lifetime, &del)) != STORE_OK) {
					store_cursor_close(cur);
					return rc;
				}
				if (del && (rc = audit_client_removed(t,
				    k.data, k.len, del == PURGE_REGISTERED ?
				    "purge: unused registration" :
				    "purge: unused metadata document")) !=
				    STORE_OK) {
					store_cursor_close(cur);
					return rc;
				}
				if (del)
					count_removed(db, del, c);
			} else {
				memset(&g, 0, sizeof(g));
				kind = 0;
				e = expiry_of(db, &v, &grant_id, &kind, &g);
				free(grant_id);
				del = e >= 0 && e <= now;
				if (del && db == DB_GRANTS) {
					if (k.len != GRANT_ID_LEN) {
						/* For "check" to report. */
						grant_free(&g);
						rc = store_cursor_get(cur, &k,
						    &v, STORE_NEXT);
						continue;
					}
					memcpy(id, k.data, GRANT_ID_LEN);
					id[GRANT_ID_LEN] = '\0';
					rc = drop_grant(t, id, &g, &budget, c,
					    &done);
					grant_free(&g);
					if (rc != STORE_OK) {
						store_cursor_close(cur);
						return rc;
					}
					if (!done)
						break;	/* out of budget */
					/* It deleted the record. */
					rc = after_key(cur, p, &k, &v);
					continue;
				}
				grant_free(&g);
				if (del)
					count_removed(db, kind, c);
			}
			if (!del) {
				rc = store_cursor_get(cur, &k, &v, STORE_NEXT);
				continue;
			}
			if ((rc = store_cursor_del(cur)) != STORE_OK) {
				store_cursor_close(cur);
				return rc;
			}
			budget--;
			/*
			 * Position anew after the deleted record rather
			 * than trust the cursor state a deletion leaves.
			 */
			rc = p->has_val ? seek_dup(cur, p, &k, &v) :
			    after_key(cur, p, &k, &v);
		}
		store_cursor_close(cur);
		if (rc == STORE_OK)
			return STORE_OK;	/* out of budget */
		if (rc != STORE_NOTFOUND)
			return rc;
		/* This stage is over. */
		p->has_key = 0;
		p->has_val = 0;
		p->keylen = 0;
		if (++p->stage == NSTAGES)
			p->stage = PURGE_DONE;
	}
	return STORE_OK;
}

/*
 * A small purge for write paths: continues the pass where the previous
 * caller (in any process) stopped, examining at most
 * max_records * PURGE_SCAN_FACTOR records and deleting at most
 * max_records, and saves the position in the meta database.  A pass
 * that ends starts over on the next call.
 */
int
purge_expired(struct store_txn *t, int64_t now, long unused_lifetime,
    size_t max_records, struct purge_counts *c)
{
	struct purge_pos	 p;
	struct store_val	 v;
	unsigned char		 buf[2 + PURGE_KEY_MAX + PURGE_VAL_LEN];
	size_t			 n, vlen;
	int			 rc;

	/* Saved as: stage, has_val, key, then the duplicate if any. */
	purge_pos_init(&p);
	rc = store_get(t, DB_META, POS_KEY, strlen(POS_KEY), &v);
	if (rc == STORE_OK && v.len >= 2 && v.len <= sizeof(buf)) {
		memcpy(buf, v.data, v.len);
		vlen = buf[1] ? PURGE_VAL_LEN : 0;
		if (buf[0] < NSTAGES && v.len >= 2 + vlen) {
			p.stage = buf[0];
			p.keylen = v.len - 2 - vlen;
			p.has_key = p.keylen > 0;
			p.has_val = p.has_key && vlen > 0;
			memcpy(p.key, buf + 2, p.keylen);
			memcpy(p.val, buf + 2 + p.keylen, vlen);
		}
	} else if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	if (max_records == 0)
		max_records = 1;
	if ((rc = purge_step(t, now, unused_lifetime, &p,
	    max_records * PURGE_SCAN_FACTOR, max_records, c)) != STORE_OK)
		return rc;
	if (p.stage == PURGE_DONE)
		purge_pos_init(&p);
	buf[0] = (unsigned char)p.stage;
	buf[1] = (unsigned char)(p.has_key && p.has_val);
	n = 2;
	if (p.has_key) {
		memcpy(buf + n, p.key, p.keylen);
		n += p.keylen;
		if (p.has_val) {
			memcpy(buf + n, p.val, PURGE_VAL_LEN);
			n += PURGE_VAL_LEN;
		}
	}
	return store_put(t, DB_META, POS_KEY, strlen(POS_KEY), buf, n, 0);
}

/*
 * A whole pass in transactions of at most batch deletions each, so
 * that no other process waits long for the write lock.  A batch that
 * finds the map full is retried once with more room (*grown is set),
 * then with smaller batches.  c receives what was removed.
 */
int
purge_run(struct store *st, int64_t now, long unused_lifetime, size_t batch,
    struct purge_counts *c, int *grown)
{
	struct store_txn	*t;
	struct purge_pos	 p, save;
	struct purge_counts	 step;
	int			 rc;

	if (batch == 0)
		batch = PURGE_BATCH;
	purge_pos_init(&p);
	while (p.stage != PURGE_DONE) {
		save = p;
		memset(&step, 0, sizeof(step));
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			return rc;
		rc = purge_step(t, now, unused_lifetime, &p,
		    batch * PURGE_SCAN_FACTOR, batch, &step);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc == STORE_FULL) {
			p = save;
			if (maproom_grow(st) == STORE_OK) {
				if (grown != NULL)
					*grown = 1;
				continue;
			}
			if (batch == 1)
				return STORE_FULL;
			batch /= 2;
			continue;
		}
		if (rc != STORE_OK)
			return rc;
		purge_counts_add(c, &step);
	}
	return STORE_OK;
}
