/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Listing grants and clients (grantlist.h): what the admin tool and
 * the /admin pages show of them, read in one place.
 */
#include <stdlib.h>
#include <string.h>

#include "grantlist.h"

/* "active" (its code redeemed), "pending" or "expired" at now. */
const char *
grantlist_status(const struct grant *g, int64_t now)
{
	if (g->expires <= now)
		return "expired";
	return (g->flags & GRANT_ACTIVE) ? "active" : "pending";
}

static int
wanted(const struct grantlist_filter *f, const struct grant *g)
{
	if (f->user != NULL && strcmp(g->user, f->user) != 0)
		return 0;
	if (f->client != NULL && strcmp(g->client_id, f->client) != 0)
		return 0;
	if (f->active && strcmp(grantlist_status(g, f->now), "active") != 0)
		return 0;
	return 1;
}

/*
 * Whether name is a user (client) to speak of: it has a record, or
 * grants indexed under it (left by a deleted one).  A store_err.
 */
static int
known(struct store_txn *t, enum store_db rec, enum store_db index,
    const char *name)
{
	struct store_val	 v;
	int			 rc;

	if ((rc = store_get(t, rec, name, strlen(name), &v)) != STORE_NOTFOUND)
		return rc;
	return store_get(t, index, name, strlen(name), &v);
}

/*
 * Checks the names f gives: *unknown says which one is neither a
 * record nor the key of indexed grants.  Returns a store_err other
 * than STORE_NOTFOUND, or STORE_OK.
 */
int
grantlist_known(struct store_txn *t, const struct grantlist_filter *f,
    enum grantlist_unknown *unknown)
{
	int	 rc;

	*unknown = GRANTLIST_KNOWN;
	if (f->user != NULL) {
		rc = known(t, DB_USERS, DB_USER_GRANTS, f->user);
		if (rc == STORE_NOTFOUND) {
			*unknown = GRANTLIST_NO_USER;
			return STORE_OK;
		}
		if (rc != STORE_OK)
			return rc;
	}
	if (f->client != NULL) {
		rc = known(t, DB_CLIENTS, DB_CLIENT_GRANTS, f->client);
		if (rc == STORE_NOTFOUND) {
			*unknown = GRANTLIST_NO_CLIENT;
			return STORE_OK;
		}
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/*
 * Calls visit for every grant that f selects, in grant id order:
 * through user_grants or client_grants when f names a user or a
 * client, else over all grants.  When f's limit or scan bound stops it
 * before the end, next (GRANT_ID_LEN + 1 bytes, or NULL) gets the id
 * to give as f->after to go on; else it is made empty.  Returns a
 * store_err.
 */
int
grantlist_each(struct store_txn *t, const struct grantlist_filter *f,
    grantlist_visit visit, void *arg, char *next)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct grant		 g;
	enum store_db		 index = DB_GRANTS;
	const char		*key = NULL;
	char			 id[GRANT_ID_LEN + 1];
	size_t			 seen = 0, shown = 0, alen = 0;
	int			 rc, err = STORE_OK, op, stopped = 0;

	if (next != NULL)
		next[0] = '\0';
	if (f->after != NULL)
		alen = strnlen(f->after, GRANT_ID_LEN + 1);
	if (f->user != NULL) {
		index = DB_USER_GRANTS;
		key = f->user;
	} else if (f->client != NULL) {
		index = DB_CLIENT_GRANTS;
		key = f->client;
	}
	if ((rc = store_cursor_open(t, index, &cur)) != STORE_OK)
		return rc;
	if (key != NULL) {
		k.data = key;
		k.len = strlen(key);
		op = STORE_SET;
		if (alen > 0) {
			v.data = f->after;
			v.len = alen;
			op = STORE_GET_BOTH_RANGE;
		}
	} else {
		op = STORE_FIRST;
		if (alen > 0) {
			k.data = f->after;
			k.len = alen;
			op = STORE_SET_RANGE;
		}
	}
	for (; err == STORE_OK && (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = key != NULL ? STORE_NEXT_DUP : STORE_NEXT) {
		const struct store_val	*idv = key != NULL ? &v : &k;

		if (idv->len != GRANT_ID_LEN)
			continue;
		memcpy(id, idv->data, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		/* The resume point itself was shown last time. */
		if (alen == GRANT_ID_LEN && memcmp(id, f->after,
		    GRANT_ID_LEN) == 0)
			continue;
		if ((f->limit > 0 && shown == f->limit) ||
		    (f->scan > 0 && seen == f->scan)) {
			/* There is more: resume after the last looked at. */
			stopped = 1;
			break;
		}
		seen++;
		if (next != NULL)
			memcpy(next, id, GRANT_ID_LEN + 1);
		if ((err = store_grant_get(t, id, &g)) == STORE_NOTFOUND ||
		    err == STORE_CORRUPT) {
			/* Revoked a moment ago, or for "check" to report. */
			err = STORE_OK;
			continue;
		}
		if (err != STORE_OK)
			break;
		if (wanted(f, &g)) {
			err = visit(t, id, &g, arg);
			shown++;
		}
		grant_free(&g);
	}
	store_cursor_close(cur);
	if (!stopped && next != NULL)
		next[0] = '\0';
	if (err != STORE_OK)
		return err;
	if (!stopped && rc != STORE_NOTFOUND)
		return rc;
	return STORE_OK;
}

/* The number of tokens and codes of grant id (0 if unreadable). */
unsigned long
grantlist_tokens(struct store_txn *t, const char *id)
{
	size_t	 n;

	if (store_dup_count(t, DB_GRANT_TOKENS, id, GRANT_ID_LEN, &n) !=
	    STORE_OK)
		return 0;
	return (unsigned long)n;
}

/* The number of grants indexed under a client, -1 if unknown. */
long
clientlist_grants(struct store_txn *t, const char *id)
{
	size_t	 n;

	if (store_dup_count(t, DB_CLIENT_GRANTS, id, strlen(id), &n) !=
	    STORE_OK)
		return -1;
	return (long)n;
}

/*
 * Reads up to max clients after the key resume (*resume_len bytes, at
 * most CLIENT_KEY_MAX; 0: from the first) into rows, in key order, and
 * moves resume on to the last one read.  *n is how many; fewer than
 * max means the end was reached.  A record that does not decode is
 * a row with its id and corrupt set.  The caller frees the rows with
 * clientlist_free().  Returns a store_err.
 */
int
clientlist_read(struct store_txn *t, char *resume, size_t *resume_len,
    struct clientlist_row *rows, size_t max, size_t *n)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	int			 op, rc;

	*n = 0;
	if ((rc = store_cursor_open(t, DB_CLIENTS, &cur)) != STORE_OK)
		return rc;
	op = STORE_FIRST;
	if (*resume_len > 0) {
		k.data = resume;
		k.len = *resume_len;
		op = STORE_SET_RANGE;
	}
	while (*n < max && (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK) {
		struct clientlist_row	*r = &rows[*n];

		op = STORE_NEXT;
		if (k.len == 0 || k.len > CLIENT_KEY_MAX ||
		    (k.len == *resume_len &&
		    memcmp(k.data, resume, k.len) == 0))
			continue;
		memcpy(resume, k.data, k.len);
		*resume_len = k.len;
		client_init(&r->c);
		memcpy(r->c.id, k.data, k.len);
		r->c.id[k.len] = '\0';
		r->corrupt = 0;
		if (client_decode(v.data, v.len, &r->c) != STORE_OK) {
			client_free(&r->c);
			client_init(&r->c);
			memcpy(r->c.id, k.data, k.len);
			r->c.id[k.len] = '\0';
			r->corrupt = 1;
		}
		r->grants = clientlist_grants(t, r->c.id);
		(*n)++;
	}
	store_cursor_close(cur);
	if (*n < max && rc != STORE_NOTFOUND && rc != STORE_OK)
		return rc;
	return STORE_OK;
}

void
clientlist_free(struct clientlist_row *rows, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		client_free(&rows[i].c);
}
