/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"
#include "store.h"
#include "user.h"

/* 1 to 64 of [A-Za-z0-9._@+-]: safe in logs, URLs and HTML. */
int
user_name_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++) {
		if (n == USER_NAME_MAX)
			return 0;
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '.' || s[n] == '_' || s[n] == '@' ||
		    s[n] == '+' || s[n] == '-'))
			return 0;
	}
	return n > 0;
}

void
user_free(struct user *u)
{
	free(u->password_hash);
	u->password_hash = NULL;
	free(u->scopes);
	u->scopes = NULL;
}

/*
 * Record: flags u32, created i64, updated i64, password hash str, then
 * the scopes the user may grant, only when there is a limit (a record
 * without one, or written before the limit existed, ends after the
 * hash).  A present but empty list is never written, and is refused, so
 * that every record has one encoding.
 */
int
user_decode(const void *p, size_t n, struct user *u)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	u->flags = rec_get_u32(&r);
	u->created = rec_get_i64(&r);
	u->updated = rec_get_i64(&r);
	u->password_hash = rec_get_str(&r);
	u->scopes = NULL;
	if (rec_reader_left(&r) > 0)
		u->scopes = rec_get_str(&r);
	if (!rec_reader_ok(&r) || (u->scopes != NULL && u->scopes[0] == '\0')) {
		user_free(u);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

int
store_user_get(struct store_txn *t, const char *name, struct user *u)
{
	struct store_val	 v;
	int			 rc;

	memset(u, 0, sizeof(*u));
	if (!user_name_valid(name))
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_USERS, name, strlen(name), &v)) != STORE_OK)
		return rc;
	strcpy(u->name, name);
	return user_decode(v.data, v.len, u);
}

/* With create set, an existing user is STORE_EXISTS. */
int
store_user_put(struct store_txn *t, const struct user *u, int create)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, u->flags);
	rec_put_i64(&b, u->created);
	rec_put_i64(&b, u->updated);
	rec_put_str(&b, u->password_hash);
	/* Older records stay as they were until a limit is set. */
	if (u->scopes != NULL && u->scopes[0] != '\0')
		rec_put_str(&b, u->scopes);
	if (buf_failed(&b))
		rc = STORE_ENOMEM;
	else
		rc = store_put(t, DB_USERS, u->name, strlen(u->name), b.data,
		    b.len, create ? STORE_NOOVERWRITE : 0);
	buf_free(&b);
	return rc;
}

/*
 * With user_auth = remote_user the web server knows the people, and
 * the database holds no record of most of them.  To block one, the
 * administrator gives her a record that is disabled and has no
 * password: an empty hash, which no password matches
 * (crypto_password_verify() refuses it as malformed), so the record
 * lets no one in even if the site goes back to user_auth = local.
 * Returns STORE_EXISTS when she has a record already.
 */
int
store_user_add_blocked(struct store_txn *t, const char *name, int64_t now)
{
	struct user	 u;
	char		 none[] = "";

	if (!user_name_valid(name))
		return STORE_NOTFOUND;
	memset(&u, 0, sizeof(u));
	strcpy(u.name, name);
	u.flags = USER_DISABLED;
	u.created = u.updated = now;
	u.password_hash = none;
	return store_user_put(t, &u, 1);
}

int
store_user_del(struct store_txn *t, const char *name)
{
	return store_del(t, DB_USERS, name, strlen(name), NULL, 0);
}

/* The user's scope limit for scope_limit(): "" when there is none. */
const char *
user_scope_limit(const struct user *u)
{
	return u->scopes != NULL ? u->scopes : "";
}
