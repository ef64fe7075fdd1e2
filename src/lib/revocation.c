/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "client.h"
#include "crypto.h"
#include "grant.h"
#include "maproom.h"
#include "note.h"
#include "record.h"
#include "revocation.h"
#include "session.h"
#include "store.h"
#include "user.h"

void
revoke_list_init(struct revoke_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
revoke_list_free(struct revoke_list *l)
{
	size_t	 i;

	for (i = 0; i < l->len; i++) {
		free(l->items[i].user);
		free(l->items[i].client_id);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int
list_add(struct revoke_list *l, const char *id, const char *user,
    const char *client_id)
{
	struct revoke_item	*it;

	/*
	 * No check for duplicates: a list is filled from the values of
	 * one index key, which DUPSORT keeps distinct.
	 */
	if (l->len == l->cap) {
		size_t	 cap = l->cap == 0 ? 16 : l->cap * 2;

		if ((it = reallocarray(l->items, cap, sizeof(*it))) == NULL)
			return STORE_ENOMEM;
		l->items = it;
		l->cap = cap;
	}
	it = &l->items[l->len];
	memcpy(it->grant_id, id, GRANT_ID_LEN + 1);
	it->user = dup_or_null(user);
	it->client_id = dup_or_null(client_id);
	if ((user != NULL && it->user == NULL) ||
	    (client_id != NULL && it->client_id == NULL)) {
		free(it->user);
		free(it->client_id);
		return STORE_ENOMEM;
	}
	l->len++;
	return STORE_OK;
}

/*
 * Kills one grant: deletes its record and lists it.  owner_user or
 * owner_client is what the index entry that led here said, kept when
 * the record is missing so that the second phase can remove the entry.
 */
static int
kill_one(struct store_txn *t, const char *id, const char *owner_user,
    const char *owner_client, struct revoke_list *l,
    struct revoke_counts *n)
{
	struct grant	 g;
	int		 rc;

	rc = store_grant_get(t, id, &g);
	if (rc == STORE_NOTFOUND)
		return list_add(l, id, owner_user, owner_client);
	if (rc != STORE_OK)
		return rc;
	if ((rc = list_add(l, id, g.user, g.client_id)) == STORE_OK &&
	    (rc = store_del(t, DB_GRANTS, id, GRANT_ID_LEN, NULL, 0)) ==
	    STORE_OK && n != NULL)
		n->grants++;
	grant_free(&g);
	return rc;
}

/*
 * Kills every grant listed under key in index db (user_grants or
 * client_grants).  The grant ids are copied first: deleting records
 * while a cursor walks the index would be safe, but reading them all
 * first keeps the cursor logic obvious.
 */
static int
kill_indexed(struct store_txn *t, enum store_db db, const char *key,
    struct revoke_list *l, struct revoke_counts *n)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct revoke_list	 found;
	char			 id[GRANT_ID_LEN + 1];
	size_t			 i;
	int			 rc, err, op;

	revoke_list_init(&found);
	if ((rc = store_cursor_open(t, db, &cur)) != STORE_OK)
		return rc;
	k.data = key;
	k.len = strlen(key);
	err = STORE_OK;
	for (op = STORE_SET; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT_DUP) {
		if (v.len != GRANT_ID_LEN)
			continue;
		memcpy(id, v.data, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		if ((err = list_add(&found, id, NULL, NULL)) != STORE_OK)
			break;
	}
	store_cursor_close(cur);
	if (err == STORE_OK && rc != STORE_NOTFOUND)
		err = rc;
	if (err != STORE_OK) {
		revoke_list_free(&found);
		return err;
	}
	rc = STORE_OK;
	for (i = 0; i < found.len && rc == STORE_OK; i++)
		rc = kill_one(t, found.items[i].grant_id,
		    db == DB_USER_GRANTS ? key : NULL,
		    db == DB_CLIENT_GRANTS ? key : NULL, l, n);
	revoke_list_free(&found);
	return rc;
}

/*
 * First phase for a user: kills every grant of hers.  STORE_OK even
 * when she has none.
 */
int
revoke_kill_user(struct store_txn *t, const char *user,
    struct revoke_list *l, struct revoke_counts *n)
{
	return kill_indexed(t, DB_USER_GRANTS, user, l, n);
}

int
revoke_kill_client(struct store_txn *t, const char *client_id,
    struct revoke_list *l, struct revoke_counts *n)
{
	return kill_indexed(t, DB_CLIENT_GRANTS, client_id, l, n);
}

/*
 * First phase for one grant.  STORE_NOTFOUND if there is neither a
 * grant record nor anything indexed under its id.
 */
int
revoke_kill_grant(struct store_txn *t, const char *id,
    struct revoke_list *l, struct revoke_counts *n)
{
	struct store_val	 v;
	int			 rc;

	if (strlen(id) != GRANT_ID_LEN)
		return STORE_NOTFOUND;
	rc = store_get(t, DB_GRANTS, id, GRANT_ID_LEN, &v);
	if (rc == STORE_NOTFOUND)
		rc = store_get(t, DB_GRANT_TOKENS, id, GRANT_ID_LEN, &v);
	if (rc != STORE_OK)
		return rc;
	return kill_one(t, id, NULL, NULL, l, n);
}

/*
 * Ends the browser sign-in sessions of user (all of them with NULL).
 * Sessions have no index by user; they are few (one per browser that
 * signed in within session_lifetime), so a scan is cheap.
 */
int
revoke_sessions(struct store_txn *t, const char *user, unsigned long *count)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 key[CRYPTO_SHA256_LEN];
	int			 rc, op, del;

	if ((rc = store_cursor_open(t, DB_SESSIONS, &cur)) != STORE_OK)
		return rc;
	for (op = STORE_FIRST; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT) {
		struct session	 s;

		del = user == NULL;
		if (!del && session_decode(v.data, v.len, &s) == STORE_OK) {
			del = strcmp(s.user, user) == 0;
			session_free(&s);
		}
		if (!del || k.len != sizeof(key))
			continue;
		memcpy(key, k.data, sizeof(key));
		if ((rc = store_cursor_del(cur)) != STORE_OK)
			break;
		if (count != NULL)
			(*count)++;
		/* Carry on from the key after the deleted one. */
		k.data = key;
		k.len = sizeof(key);
		op = STORE_SET_RANGE;
	}
	store_cursor_close(cur);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* The token kind of a token record, from its first field. */
static int
token_kind_of(const struct store_val *v)
{
	struct rec_reader	 r;
	uint8_t			 kind;

	rec_reader_init(&r, v->data, v->len);
	kind = rec_get_u8(&r);
	return r.err ? 0 : kind;	/* the rest is not read */
}

/*
 * Revokes everything at once: empties the grants, their indexes, the
 * codes, the tokens, the sign-in sessions and the pending requests in
 * one transaction (store_drop frees whole pages, it does not delete
 * record by record).  Users and clients stay.
 */
int
revoke_everything(struct store_txn *t, struct revoke_counts *n,
    unsigned long *sessions)
{
	static const enum store_db drop[] = { DB_GRANTS, DB_CODES, DB_TOKENS,
	    DB_USER_GRANTS, DB_CLIENT_GRANTS, DB_GRANT_TOKENS, DB_SESSIONS,
	    DB_PENDING };
	struct store_cursor	*cur;
	struct store_val	 k, v;
	size_t			 i, entries;
	int			 rc, op;

	if ((rc = store_cursor_open(t, DB_TOKENS, &cur)) != STORE_OK)
		return rc;
	for (op = STORE_FIRST; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT) {
		if (n == NULL)
			continue;
		if (token_kind_of(&v) != TOKEN_ACCESS)
			n->refresh_tokens++;
		else
			n->access_tokens++;
	}
	store_cursor_close(cur);
	if (rc != STORE_NOTFOUND)
		return rc;
	if (n != NULL) {
		if ((rc = store_entries(t, DB_GRANTS, &entries)) != STORE_OK)
			return rc;
		n->grants += entries;
		if ((rc = store_entries(t, DB_CODES, &entries)) != STORE_OK)
			return rc;
		n->codes += entries;
	}
	if (sessions != NULL) {
		if ((rc = store_entries(t, DB_SESSIONS, &entries)) != STORE_OK)
			return rc;
		*sessions += entries;
	}
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if ((rc = store_drop(t, drop[i])) != STORE_OK)
			return rc;
	return STORE_OK;
}

/* A token or code to delete: its index value (kind and SHA-256). */
struct dead {
	unsigned char	 v[INDEX_VALUE_LEN];
};

struct dead_list {
	struct dead	*v;
	size_t		 len;
	size_t		 cap;
};

/*
 * Database order: codes before tokens, then by hash, which is the key
 * order of both databases.
 */
static int
dead_cmp(const void *a, const void *b)
{
	const struct dead	*x = a, *y = b;
	int			 xc = x->v[0] == INDEX_CODE;
	int			 yc = y->v[0] == INDEX_CODE;

	if (xc != yc)
		return yc - xc;
	return memcmp(x->v + 1, y->v + 1, CRYPTO_SHA256_LEN);
}

/* Reads the grant_tokens entries of the listed grants. */
static int
collect_dead(struct store *st, const struct revoke_list *l,
    struct dead_list *d)
{
	struct store_txn	*t;
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct dead		*p;
	size_t			 i;
	int			 rc = STORE_OK, op, err = STORE_OK;

	if ((err = store_begin(st, 1, &t)) != STORE_OK)
		return err;
	if ((rc = store_cursor_open(t, DB_GRANT_TOKENS, &cur)) != STORE_OK) {
		store_abort(t);
		return rc;
	}
	for (i = 0; i < l->len && err == STORE_OK; i++) {
		k.data = l->items[i].grant_id;
		k.len = GRANT_ID_LEN;
		for (op = STORE_SET; (rc = store_cursor_get(cur, &k, &v, op)) ==
		    STORE_OK; op = STORE_NEXT_DUP) {
			if (v.len != INDEX_VALUE_LEN)
				continue;
			if (d->len == d->cap) {
				size_t	 cap = d->cap == 0 ? 256 : d->cap * 2;

				if ((p = reallocarray(d->v, cap,
				    sizeof(*p))) == NULL) {
					err = STORE_ENOMEM;
					break;
				}
				d->v = p;
				d->cap = cap;
			}
			memcpy(d->v[d->len++].v, v.data, INDEX_VALUE_LEN);
		}
		if (err == STORE_OK && rc != STORE_NOTFOUND)
			err = rc;
	}
	store_cursor_close(cur);
	store_abort(t);
	return err;
}

/*
 * The j-th deletion of the second phase: the dead tokens and codes in
 * key order first, then the index entries of each grant.
 */
static int
cleanup_one(struct store_txn *t, const struct dead_list *d,
    const struct revoke_list *l, size_t j, struct revoke_counts *step)
{
	const struct revoke_item	*it;

	if (j < d->len)
		return grant_drop_indexed(t, d->v[j].v, step);
	it = &l->items[j - d->len];
	return grant_unindex(t, it->grant_id, it->user, it->client_id, NULL);
}

static void
counts_add(struct revoke_counts *to, const struct revoke_counts *from)
{
	if (to == NULL)
		return;
	to->grants += from->grants;
	to->access_tokens += from->access_tokens;
	to->refresh_tokens += from->refresh_tokens;
	to->codes += from->codes;
}

/*
 * Second phase: removes what hangs off the listed (already dead)
 * grants, at most batch deletions per transaction.
 *
 * Tokens are keyed by their hash, so one user's tokens lie scattered
 * over every page of the tokens database, and a batch of them in
 * index order would copy a page per token.  Deleting them in key order
 * instead confines each batch to a narrow key range: every page is
 * copied about once over the whole revocation, however small the
 * batches.  The index entries go last, a grant at a time (its
 * grant_tokens duplicates in one deletion); until then they point to
 * nothing, which is harmless.
 *
 * A batch that finds the map full is retried with more room, then
 * with smaller batches.
 */
int
revoke_cleanup(struct store *st, struct revoke_list *l, size_t batch,
    struct revoke_counts *n)
{
	struct store_txn	*t;
	struct revoke_counts	 step;
	struct dead_list	 d;
	size_t			 i, j, total;
	int			 rc = STORE_OK;

	if (batch == 0)
		batch = REVOKE_BATCH;
	memset(&d, 0, sizeof(d));
	if ((rc = collect_dead(st, l, &d)) != STORE_OK)
		goto out;
	if (d.len > 1)
		qsort(d.v, d.len, sizeof(d.v[0]), dead_cmp);
	total = d.len + l->len;
	for (i = 0; i < total; ) {
		memset(&step, 0, sizeof(step));
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			goto out;
		for (j = i; j < total && j - i < batch && rc == STORE_OK; j++)
			rc = cleanup_one(t, &d, l, j, &step);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc == STORE_OK) {
			counts_add(n, &step);
			i = j;
			continue;
		}
		if (rc != STORE_FULL)
			goto out;
		if (maproom_grow(st) == STORE_OK)
			continue;
		if (batch == 1)
			goto out;
		batch /= 2;
	}
	rc = STORE_OK;
out:
	free(d.v);
	return rc;
}

/* Deletes every note of user: one contiguous key range. */
static int
delete_notes(struct store_txn *t, const char *user, unsigned long *count)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	size_t			 len = strlen(user) + 1;
	int			 rc;

	if ((rc = store_cursor_open(t, DB_NOTES, &cur)) != STORE_OK)
		return rc;
	for (;;) {
		k.data = user;	/* with its NUL */
		k.len = len;
		if ((rc = store_cursor_get(cur, &k, &v, STORE_SET_RANGE)) !=
		    STORE_OK)
			break;
		if (k.len < len || memcmp(k.data, user, len) != 0) {
			rc = STORE_NOTFOUND;
			break;
		}
		if ((rc = store_cursor_del(cur)) != STORE_OK)
			break;
		(*count)++;
	}
	store_cursor_close(cur);
	if (rc != STORE_NOTFOUND)
		return rc;
	return store_note_forget(t, user);
}

enum kill_what {
	KILL_USER,
	KILL_CLIENT,
	KILL_GRANT,
	DISABLE_USER,
	BLOCK_USER,
	DELETE_USER,
	DELETE_CLIENT
};

/*
 * The kind of a revocation's event: a user or client removed or
 * disabled is its own event (the revocation is part of it).
 */
static int
audit_kind_of(enum kill_what what)
{
	switch (what) {
	case DISABLE_USER:
	case BLOCK_USER:
		return AUDIT_USER_DISABLED;
	case DELETE_USER:
		return AUDIT_USER_DELETED;
	case DELETE_CLIENT:
		return AUDIT_CLIENT_REMOVED;
	default:
		return AUDIT_REVOKED;
	}
}

/*
 * The audit event of a revocation: by r's actor, of what, named by
 * key (a user name, a client id or a grant id), in the transaction
 * that makes it.  A grant's event names its user and client.
 */
static int
audit_revocation(struct store_txn *t, enum kill_what what, const char *key,
    const struct revoke_list *l, const struct revoke_result *r)
{
	static const char *const whats[] = {
		[KILL_USER] = "user's grants",
		[KILL_CLIENT] = "client's grants",
		[KILL_GRANT] = "grant",
		[DISABLE_USER] = "user disabled",
		[BLOCK_USER] = "user blocked",
		[DELETE_USER] = "user deleted",
		[DELETE_CLIENT] = "client deleted",
	};
	const char	*user = NULL, *client = NULL;
	char		 detail[AUDIT_DETAIL_MAX + 1];

	snprintf(detail, sizeof(detail), "%s: %s%s%s", r->actor != NULL ?
	    r->actor : AUDIT_BY_ADMIN_TOOL, whats[what],
	    what == KILL_GRANT ? " " : "", what == KILL_GRANT ? key : "");
	if (what == KILL_GRANT) {
		if (l->len > 0) {
			user = l->items[0].user;
			client = l->items[0].client_id;
		}
	} else if (what == KILL_CLIENT || what == DELETE_CLIENT)
		client = key;
	else
		user = key;
	return audit_record(t, NULL, audit_kind_of(what), user, client,
	    r->addr, detail);
}

/*
 * The first phase of what, inside t: the change to the user or client
 * record if any, then the grants (and for users the sessions), and its
 * audit event.
 */
static int
first_phase(struct store_txn *t, enum kill_what what, const char *key,
    int64_t now, struct revoke_list *l, struct revoke_result *r)
{
	struct user		 u;
	struct store_val	 v;
	int			 rc, known = 0;

	switch (what) {
	case BLOCK_USER:
		/*
		 * A person the web server signs in who has no record
		 * gets a blocked one here, in the same transaction that
		 * revokes what she holds.
		 */
		rc = store_user_add_blocked(t, key, now);
		if (rc == STORE_OK) {
			known = 1;
			break;
		}
		if (rc != STORE_EXISTS)
			return rc;
		/* FALLTHROUGH */
	case DISABLE_USER:
		if ((rc = store_user_get(t, key, &u)) != STORE_OK)
			return rc;
		u.flags |= USER_DISABLED;
		u.updated = now;
		rc = store_user_put(t, &u, 0);
		user_free(&u);
		if (rc != STORE_OK)
			return rc;
		known = 1;
		break;
	case DELETE_USER:
		if ((rc = store_user_del(t, key)) != STORE_OK ||
		    (rc = delete_notes(t, key, &r->notes)) != STORE_OK)
			return rc;
		known = 1;
		break;
	case DELETE_CLIENT:
		if ((rc = store_client_del(t, key)) != STORE_OK)
			return rc;
		known = 1;
		break;
	case KILL_USER:
	case KILL_CLIENT:
		rc = store_get(t, what == KILL_USER ? DB_USERS : DB_CLIENTS,
		    key, strlen(key), &v);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return rc;
		known = rc == STORE_OK;
		break;
	case KILL_GRANT:
		return revoke_kill_grant(t, key, l, &r->n);
	}
	if (what == KILL_USER || what == DISABLE_USER || what == BLOCK_USER ||
	    what == DELETE_USER)
		rc = revoke_kill_user(t, key, l, &r->n);
	else
		rc = revoke_kill_client(t, key, l, &r->n);
	if (rc == STORE_OK && !known && l->len == 0)
		return STORE_NOTFOUND;
	if (rc == STORE_OK && (what == KILL_USER || what == DISABLE_USER ||
	    what == BLOCK_USER || what == DELETE_USER))
		rc = revoke_sessions(t, key, &r->sessions);
	return rc;
}

/*
 * Runs the first phase in its own transaction, retrying once with more
 * room on a full map, then the second phase.  r is added to only for
 * what was committed.
 */
static int
revoke_run(struct store *st, enum kill_what what, const char *key,
    int64_t now, struct revoke_result *r)
{
	struct store_txn	*t;
	struct revoke_list	 l;
	struct revoke_result	 first;
	int			 rc, tries;

	revoke_list_init(&l);
	for (tries = 0; tries < 2; tries++) {
		memset(&first, 0, sizeof(first));
		revoke_list_free(&l);
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			return rc;
		first.actor = r->actor;
		first.addr = r->addr;
		rc = first_phase(t, what, key, now, &l, &first);
		if (rc == STORE_OK)
			rc = audit_revocation(t, what, key, &l, &first);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc != STORE_FULL || maproom_grow(st) != STORE_OK)
			break;
	}
	if (rc == STORE_OK) {
		counts_add(&r->n, &first.n);
		r->sessions += first.sessions;
		r->notes += first.notes;
		rc = revoke_cleanup(st, &l, REVOKE_BATCH, &r->n);
	}
	revoke_list_free(&l);
	return rc;
}

/* Revokes every grant of user and ends her sign-in sessions. */
int
revoke_user(struct store *st, const char *user, struct revoke_result *r)
{
	return revoke_run(st, KILL_USER, user, 0, r);
}

int
revoke_client(struct store *st, const char *client_id,
    struct revoke_result *r)
{
	return revoke_run(st, KILL_CLIENT, client_id, 0, r);
}

int
revoke_grant(struct store *st, const char *grant_id, struct revoke_result *r)
{
	return revoke_run(st, KILL_GRANT, grant_id, 0, r);
}

/*
 * Marks user disabled (she can no longer sign in) and revokes
 * everything of hers, in the same first transaction.
 */
int
revoke_user_disable(struct store *st, const char *user, int64_t now,
    struct revoke_result *r)
{
	return revoke_run(st, DISABLE_USER, user, now, r);
}

/*
 * As revoke_user_disable(), but a user without a record (one the web
 * server signs in, with user_auth = remote_user) gets a blocked record
 * (store_user_add_blocked()) in the same transaction.
 */
int
revoke_user_block(struct store *st, const char *user, int64_t now,
    struct revoke_result *r)
{
	return revoke_run(st, BLOCK_USER, user, now, r);
}

/* Deletes user, her notes, grants and sessions. */
int
revoke_user_delete(struct store *st, const char *user,
    struct revoke_result *r)
{
	return revoke_run(st, DELETE_USER, user, 0, r);
}

/* Deletes a client and revokes its grants. */
int
revoke_client_delete(struct store *st, const char *client_id,
    struct revoke_result *r)
{
	return revoke_run(st, DELETE_CLIENT, client_id, 0, r);
}

/* Revokes everything (revoke_everything) in one transaction. */
int
revoke_all(struct store *st, struct revoke_result *r)
{
	struct store_txn	*t;
	struct revoke_result	 x;
	char			 detail[AUDIT_DETAIL_MAX + 1];
	int			 rc, tries;

	snprintf(detail, sizeof(detail), "%s: everything", r->actor != NULL ?
	    r->actor : AUDIT_BY_ADMIN_TOOL);
	for (tries = 0; tries < 2; tries++) {
		memset(&x, 0, sizeof(x));
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			return rc;
		rc = revoke_everything(t, &x.n, &x.sessions);
		if (rc == STORE_OK)
			rc = audit_record(t, NULL, AUDIT_REVOKED, NULL, NULL,
			    NULL, detail);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc != STORE_FULL || maproom_grow(st) != STORE_OK)
			break;
	}
	if (rc == STORE_OK) {
		counts_add(&r->n, &x.n);
		r->sessions += x.sessions;
	}
	return rc;
}

/*
 * Revokes by the SHA-256 of a raw token, whoever holds it: a refresh
 * token or a code takes its whole grant, an access token only itself
 * (as RFC 7009 §2.1 suggests).  *kind receives INDEX_ACCESS,
 * INDEX_REFRESH or INDEX_CODE.  STORE_NOTFOUND if no such token.
 */
int
revoke_token_hash(struct store *st, const unsigned char *hash, int *kind,
    struct revoke_result *r)
{
	struct store_txn	*t;
	struct token		 tok;
	struct code		 c;
	struct store_val	 v;
	unsigned char		 val[INDEX_VALUE_LEN];
	char			 grant_id[GRANT_ID_LEN + 1];
	int			 rc, tries;

	*kind = 0;
	for (tries = 0; tries < 2; tries++) {
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			return rc;
		rc = store_token_get(t, hash, &tok);
		if (rc == STORE_NOTFOUND) {
			/* A code: revoke the grant it belongs to. */
			if ((rc = store_get(t, DB_CODES, hash,
			    CRYPTO_SHA256_LEN, &v)) != STORE_OK ||
			    (rc = code_decode(v.data, v.len, &c)) != STORE_OK) {
				store_abort(t);
				return rc;
			}
			snprintf(grant_id, sizeof(grant_id), "%s",
			    c.grant_id);
			code_free(&c);
			store_abort(t);
			*kind = INDEX_CODE;
			return revoke_grant(st, grant_id, r);
		}
		if (rc != STORE_OK) {
			store_abort(t);
			return rc;
		}
		if (tok.kind != TOKEN_ACCESS) {
			snprintf(grant_id, sizeof(grant_id), "%s",
			    tok.grant_id);
			token_free(&tok);
			store_abort(t);
			*kind = INDEX_REFRESH;
			return revoke_grant(st, grant_id, r);
		}
		*kind = INDEX_ACCESS;
		val[0] = INDEX_ACCESS;
		memcpy(val + 1, hash, CRYPTO_SHA256_LEN);
		rc = store_del(t, DB_TOKENS, hash, CRYPTO_SHA256_LEN, NULL,
		    0);
		if (rc == STORE_OK) {
			rc = store_del(t, DB_GRANT_TOKENS, tok.grant_id,
			    strlen(tok.grant_id), val, sizeof(val));
			if (rc == STORE_NOTFOUND)
				rc = STORE_OK;
		}
		if (rc == STORE_OK)
			rc = audit_record(t, NULL, AUDIT_REVOKED, tok.user,
			    tok.client_id, NULL, r->actor != NULL &&
			    strcmp(r->actor, AUDIT_BY_ADMIN_WEB) == 0 ?
			    AUDIT_BY_ADMIN_WEB ": access token" :
			    AUDIT_BY_ADMIN_TOOL ": access token");
		token_free(&tok);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc == STORE_OK) {
			r->n.access_tokens++;
			return STORE_OK;
		}
		if (rc != STORE_FULL || maproom_grow(st) != STORE_OK)
			break;
	}
	return rc;
}
