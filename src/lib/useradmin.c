/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "grant.h"
#include "revocation.h"
#include "scope.h"
#include "store.h"
#include "user.h"
#include "useradmin.h"

void
useradmin_init(struct useradmin *ua, struct store *st,
    const struct config *cfg, const char *actor, const char *addr)
{
	memset(ua, 0, sizeof(*ua));
	ua->st = st;
	ua->cfg = cfg;
	ua->actor = actor;
	ua->addr = addr;
	ua->now = time(NULL);
}

const char *
useradmin_strerror(int err)
{
	switch (err) {
	case USERADMIN_OK:
		return "done";
	case USERADMIN_BADNAME:
		return "invalid user name";
	case USERADMIN_EXISTS:
		return "the user already exists";
	case USERADMIN_NOTFOUND:
		return "no such user";
	case USERADMIN_BADSCOPE:
		return "unknown scope";
	case USERADMIN_NOBASE:
		return "the limit must include the base scope";
	case USERADMIN_LASTADMIN:
		return "no enabled administrator would be left";
	case USERADMIN_SELF:
		return "an administrator cannot do this to herself";
	case USERADMIN_CRYPTO:
		return "cannot hash or generate the password";
	default:
		return "the database failed";
	}
}

/* Maps a store result to ours, keeping it for the caller's message. */
static int
store_fail(struct useradmin *ua, int rc)
{
	if (rc == STORE_OK)
		return USERADMIN_OK;
	if (rc == STORE_NOTFOUND)
		return USERADMIN_NOTFOUND;
	ua->store_rc = rc;
	return USERADMIN_STORE;
}

/* Clears what the last call reported. */
static void
reset(struct useradmin *ua)
{
	ua->store_rc = STORE_OK;
	ua->bad_scope = NULL;
	memset(&ua->revoked, 0, sizeof(ua->revoked));
	memset(&ua->narrowed, 0, sizeof(ua->narrowed));
	ua->revoked.actor = ua->actor;
	ua->revoked.addr = ua->addr;
}

/* Commits t when rc is STORE_OK, else aborts it; the outcome. */
static int
finish(struct store_txn *t, int rc)
{
	if (rc == STORE_OK)
		return store_commit(t);
	store_abort(t);
	return rc;
}

/* The audit event of a change to user, by ua's actor (and what). */
static int
audit(struct useradmin *ua, struct store_txn *t, int kind, const char *user,
    const char *what)
{
	char	 detail[AUDIT_DETAIL_MAX + 1];

	/* The detail is cut to fit: the actor comes first. */
	if (what != NULL)
		snprintf(detail, sizeof(detail), "%s: %s", ua->actor, what);
	else
		snprintf(detail, sizeof(detail), "%s", ua->actor);
	return audit_record(t, ua->cfg, kind, user, NULL, ua->addr, detail);
}

/*
 * A password the administrator hands on once (the web's add and
 * reset): base64url of USERADMIN_PASSWORD_BYTES random bytes, out of
 * at least USERADMIN_PASSWORD_LEN + 1 bytes.
 */
int
useradmin_generate_password(char *out, size_t outsz)
{
	if (outsz < USERADMIN_PASSWORD_LEN + 1 ||
	    crypto_random_token(NULL, USERADMIN_PASSWORD_BYTES, out,
	    outsz) != CRYPTO_OK)
		return USERADMIN_CRYPTO;
	return USERADMIN_OK;
}

/* How many users are administrators and not disabled, in *n. */
int
useradmin_enabled_admins(struct store_txn *t, size_t *n)
{
	struct store_cursor	*c;
	struct store_val	 k, v;
	struct user		 u;
	int			 op, rc;

	*n = 0;
	if ((rc = store_cursor_open(t, DB_USERS, &c)) != STORE_OK)
		return rc;
	for (op = STORE_FIRST; (rc = store_cursor_get(c, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT) {
		memset(&u, 0, sizeof(u));
		if (user_decode(v.data, v.len, &u) != STORE_OK)
			continue;
		if ((u.flags & (USER_ADMIN | USER_DISABLED)) == USER_ADMIN)
			(*n)++;
		user_free(&u);
	}
	store_cursor_close(c);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * The guards of a change that takes name's administrator rights away
 * (disabling, deleting or the flag off), inside the write transaction
 * t: not on herself when self is set, and never the last enabled
 * administrator when keep_an_admin is.  u is her record.
 */
static int
guard(struct useradmin *ua, struct store_txn *t, const struct user *u)
{
	size_t	 n;
	int	 rc;

	if (ua->self != NULL && strcmp(ua->self, u->name) == 0)
		return USERADMIN_SELF;
	if (!ua->keep_an_admin ||
	    (u->flags & (USER_ADMIN | USER_DISABLED)) != USER_ADMIN)
		return USERADMIN_OK;
	if ((rc = useradmin_enabled_admins(t, &n)) != STORE_OK)
		return store_fail(ua, rc);
	return n <= 1 ? USERADMIN_LASTADMIN : USERADMIN_OK;
}

/*
 * Before disabling or deleting name (which run their own transactions
 * in revocation.c): the guards, and, when she is an enabled
 * administrator, her disabled flag set in the same write transaction,
 * so that two administrators removing each other at once cannot both
 * pass the last-administrator check (LMDB has one writer at a time).
 */
static int
guarded_disable(struct useradmin *ua, const char *name)
{
	struct store_txn	*t;
	struct user		 u;
	int			 rc, err;

	if (ua->self == NULL && !ua->keep_an_admin)
		return USERADMIN_OK;
	if ((rc = store_begin(ua->st, 0, &t)) != STORE_OK)
		return store_fail(ua, rc);
	if ((rc = store_user_get(t, name, &u)) != STORE_OK) {
		store_abort(t);
		/* No record: revocation.c says what that means. */
		return rc == STORE_NOTFOUND ? USERADMIN_OK :
		    store_fail(ua, rc);
	}
	err = guard(ua, t, &u);
	if (err == USERADMIN_OK &&
	    (u.flags & (USER_ADMIN | USER_DISABLED)) == USER_ADMIN) {
		u.flags |= USER_DISABLED;
		u.updated = ua->now;
		err = store_fail(ua, finish(t, store_user_put(t, &u, 0)));
		t = NULL;
	}
	if (t != NULL)
		store_abort(t);
	user_free(&u);
	return err;
}

/*
 * The start of a change of password (adding a user or setting hers):
 * name checked, pw hashed into hash (CRYPTO_PWHASH_MAX bytes) before
 * any transaction, since hashing takes long on purpose.
 */
static int
hash_password(struct useradmin *ua, const char *name, const char *pw,
    char *hash)
{
	reset(ua);
	if (!user_name_valid(name))
		return USERADMIN_BADNAME;
	if (crypto_password_hash(pw, hash, CRYPTO_PWHASH_MAX) != CRYPTO_OK)
		return USERADMIN_CRYPTO;
	return USERADMIN_OK;
}

/*
 * Adds the user name with the password pw, an administrator if admin.
 * Her scopes are not limited.
 */
int
useradmin_add(struct useradmin *ua, const char *name, const char *pw,
    int admin)
{
	struct store_txn	*t;
	struct user		 u;
	char			 hash[CRYPTO_PWHASH_MAX];
	int			 rc, err;

	if ((err = hash_password(ua, name, pw, hash)) != USERADMIN_OK)
		return err;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.password_hash = hash;
	u.flags = admin ? USER_ADMIN : 0;
	u.created = u.updated = ua->now;
	if ((rc = store_begin(ua->st, 0, &t)) != STORE_OK)
		goto out;
	rc = store_user_put(t, &u, 1);
	if (rc == STORE_OK)
		rc = audit(ua, t, AUDIT_USER_ADDED, name,
		    admin ? "administrator" : NULL);
	rc = finish(t, rc);
out:
	crypto_wipe(hash, sizeof(hash));
	if (rc == STORE_EXISTS)
		return USERADMIN_EXISTS;
	return store_fail(ua, rc);
}

/*
 * Sets name's password to pw and ends her sign-in sessions in the same
 * transaction, so that whoever holds one of her session cookies (a
 * thief, the reason for the change) must sign in again, with the new
 * password.  Her grants stay.  ua->revoked.sessions: how many ended.
 */
int
useradmin_set_password(struct useradmin *ua, const char *name,
    const char *pw)
{
	struct store_txn	*t;
	struct user		 u;
	char			 hash[CRYPTO_PWHASH_MAX];
	int			 rc, err;

	if ((err = hash_password(ua, name, pw, hash)) != USERADMIN_OK)
		return err;
	if ((rc = store_begin(ua->st, 0, &t)) != STORE_OK)
		goto out;
	if ((rc = store_user_get(t, name, &u)) == STORE_OK) {
		/* Only the hash changes: her flags and scope limit stay. */
		free(u.password_hash);
		u.password_hash = hash;
		u.updated = ua->now;
		rc = store_user_put(t, &u, 0);
		u.password_hash = NULL;
		user_free(&u);
	}
	if (rc == STORE_OK)
		rc = revoke_sessions(t, name, &ua->revoked.sessions);
	if (rc == STORE_OK)
		rc = audit(ua, t, AUDIT_PASSWORD_CHANGED, name, NULL);
	if ((rc = finish(t, rc)) != STORE_OK)
		ua->revoked.sessions = 0;
out:
	crypto_wipe(hash, sizeof(hash));
	return store_fail(ua, rc);
}

/* Clears name's disabled flag, with its audit event. */
static int
enable(struct useradmin *ua, const char *name)
{
	struct store_txn	*t;
	struct user		 u;
	int			 rc;

	if ((rc = store_begin(ua->st, 0, &t)) != STORE_OK)
		return store_fail(ua, rc);
	if ((rc = store_user_get(t, name, &u)) == STORE_OK) {
		u.flags &= ~(uint32_t)USER_DISABLED;
		u.updated = ua->now;
		rc = store_user_put(t, &u, 0);
		user_free(&u);
	}
	if (rc == STORE_OK)
		rc = audit(ua, t, AUDIT_USER_ENABLED, name, NULL);
	rc = finish(t, rc);
	/*
	 * With user_auth = remote_user a person without a record is not
	 * blocked: enabling her succeeds with nothing to change.
	 */
	if (rc == STORE_NOTFOUND && user_name_valid(name) &&
	    ua->cfg->user_auth == USER_AUTH_REMOTE_USER)
		rc = STORE_OK;
	return store_fail(ua, rc);
}

/*
 * Enables a user, or disables her and revokes everything she holds:
 * the flag and the grants change in one transaction (revocation.c), so
 * no token of hers works from the moment she cannot sign in.  With
 * user_auth = remote_user, a person without a record can be disabled
 * too: she gets a blocked record in the same transaction.
 */
int
useradmin_set_disabled(struct useradmin *ua, const char *name, int disabled)
{
	int	 err, rc;

	reset(ua);
	if (!disabled)
		return enable(ua, name);
	if ((err = guarded_disable(ua, name)) != USERADMIN_OK)
		return err;
	if (ua->cfg->user_auth == USER_AUTH_REMOTE_USER)
		rc = revoke_user_block(ua->st, name, ua->now, &ua->revoked);
	else
		rc = revoke_user_disable(ua->st, name, ua->now, &ua->revoked);
	return store_fail(ua, rc);
}

/* Deletes name with her notes, grants, tokens and sessions. */
int
useradmin_delete(struct useradmin *ua, const char *name)
{
	int	 err;

	reset(ua);
	if ((err = guarded_disable(ua, name)) != USERADMIN_OK)
		return err;
	return store_fail(ua, revoke_user_delete(ua->st, name, &ua->revoked));
}

/* Gives name the administrator flag (on) or takes it away. */
int
useradmin_set_admin(struct useradmin *ua, const char *name, int on)
{
	struct store_txn	*t;
	struct user		 u;
	int			 rc, err = USERADMIN_OK;

	reset(ua);
	if ((rc = store_begin(ua->st, 0, &t)) != STORE_OK)
		return store_fail(ua, rc);
	if ((rc = store_user_get(t, name, &u)) != STORE_OK) {
		store_abort(t);
		return store_fail(ua, rc);
	}
	if (!on)
		err = guard(ua, t, &u);
	if (err == USERADMIN_OK) {
		if (on)
			u.flags |= USER_ADMIN;
		else
			u.flags &= ~(uint32_t)USER_ADMIN;
		u.updated = ua->now;
		rc = store_user_put(t, &u, 0);
		if (rc == STORE_OK)
			rc = audit(ua, t, AUDIT_ADMIN_CHANGED, name,
			    on ? "administrator on" : "administrator off");
		err = store_fail(ua, finish(t, rc));
	} else
		store_abort(t);
	user_free(&u);
	return err;
}

/*
 * The limit made of the n scopes (each configured, the base scope
 * among them) into limit, in the configuration's order, for
 * useradmin_set_scopes().
 */
int
useradmin_scope_limit(struct useradmin *ua, char *const *scopes, size_t n,
    struct buf *limit)
{
	struct buf	 req;
	size_t		 i;
	int		 err = USERADMIN_OK;

	reset(ua);
	buf_init(&req);
	for (i = 0; i < n; i++) {
		if (!config_has_scope(ua->cfg, scopes[i])) {
			ua->bad_scope = scopes[i];
			err = USERADMIN_BADSCOPE;
			goto out;
		}
		buf_puts(&req, scopes[i]);
		buf_putc(&req, ' ');
	}
	/*
	 * Without the base scope every grant of hers would be revoked and
	 * new ones would be made without it: say so instead.
	 */
	if (scope_base(ua->cfg) != NULL &&
	    !scope_has(buf_cstr(&req), scope_base(ua->cfg))) {
		err = USERADMIN_NOBASE;
		goto out;
	}
	scope_union(ua->cfg, buf_cstr(&req), "", limit);
	if (buf_failed(&req) || buf_failed(limit)) {
		ua->store_rc = STORE_ENOMEM;
		err = USERADMIN_STORE;
	}
out:
	buf_free(&req);
	return err;
}

/* Her record, or with user_auth = remote_user a new one without one. */
static int
user_or_remote(struct useradmin *ua, struct store_txn *t, const char *name,
    struct user *u)
{
	int	 rc;

	rc = store_user_get(t, name, u);
	if (rc != STORE_NOTFOUND ||
	    ua->cfg->user_auth != USER_AUTH_REMOTE_USER)
		return rc;
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->created = ua->now;
	/* No password: the web server signs her in. */
	if ((u->password_hash = strdup("")) == NULL)
		return STORE_ENOMEM;
	return STORE_OK;
}

/*
 * Limits the scopes name may grant to limit (useradmin_scope_limit()),
 * or none with limit NULL, and narrows what she
 * granted already to them in the same transaction: her live access
 * tokens carry the narrower scope on their next request at /mcp.  A
 * grant that would lose the base scope is revoked (grant_narrow()).
 * With user_auth = remote_user a person without a record gets one (no
 * password, not disabled) to hold it.  ua->narrowed: what changed.
 */
int
useradmin_set_scopes(struct useradmin *ua, const char *name,
    const char *limit)
{
	struct store_txn	*t;
	struct user		 u;
	int			 rc;

	reset(ua);
	if (!user_name_valid(name))
		return USERADMIN_BADNAME;
	if (limit == NULL)
		limit = "";
	if ((rc = store_begin(ua->st, 0, &t)) != STORE_OK)
		return store_fail(ua, rc);
	if ((rc = user_or_remote(ua, t, name, &u)) == STORE_OK) {
		free(u.scopes);
		u.scopes = strdup(limit);
		u.updated = ua->now;
		rc = u.scopes == NULL ? STORE_ENOMEM :
		    store_user_put(t, &u, 0);
		user_free(&u);
	}
	if (rc == STORE_OK)
		rc = grant_narrow_user(t, ua->cfg, name, limit,
		    &ua->narrowed);
	if (rc == STORE_OK)
		rc = audit(ua, t, AUDIT_SCOPES_LIMITED, name,
		    limit[0] == '\0' ? "every scope" : limit);
	if ((rc = finish(t, rc)) != STORE_OK)
		memset(&ua->narrowed, 0, sizeof(ua->narrowed));
	return store_fail(ua, rc);
}

void
useradmin_list_free(struct useradmin_entry *e, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		user_free(&e[i].u);
	free(e);
}

/* Reads the entry under key k (value v) into e. */
static void
list_entry(struct store_txn *t, const struct store_val *k,
    const struct store_val *v, int count, struct useradmin_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (user_decode(v->data, v->len, &e->u) != STORE_OK) {
		user_free(&e->u);
		memset(&e->u, 0, sizeof(e->u));
		e->corrupt = 1;
	}
	/* The key is the name. */
	memcpy(e->u.name, k->data, k->len);
	e->u.name[k->len] = '\0';
	if (count && !e->corrupt && store_dup_count(t, DB_USER_GRANTS,
	    e->u.name, k->len, &e->grants) != STORE_OK)
		e->grants = 0;
}

/* The user name alone, counted, as useradmin_list() lists her. */
int
useradmin_one(struct store *st, const char *name,
    struct useradmin_entry **out)
{
	struct store_txn	*t;
	struct store_val	 k, v;
	int			 rc;

	*out = NULL;
	if (!user_name_valid(name))
		return STORE_NOTFOUND;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return STORE_ENOMEM;
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		goto out;
	k.data = name;
	k.len = strlen(name);
	if ((rc = store_get(t, DB_USERS, k.data, k.len, &v)) == STORE_OK)
		list_entry(t, &k, &v, 1, *out);
	store_abort(t);
out:
	if (rc != STORE_OK) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int
useradmin_list(struct store *st, const char *after, size_t max, int count,
    struct useradmin_entry **out, size_t *n, int *more)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct store_val	 k, v;
	struct useradmin_entry	*list = NULL, *bigger;
	size_t			 cap = 0;
	int			 op, rc;

	*out = NULL;
	*n = 0;
	*more = 0;
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	if ((rc = store_cursor_open(t, DB_USERS, &c)) != STORE_OK) {
		store_abort(t);
		return rc;
	}
	op = STORE_FIRST;
	if (after != NULL && after[0] != '\0') {
		k.data = after;
		k.len = strlen(after);
		op = STORE_SET_RANGE;
	}
	for (; (rc = store_cursor_get(c, &k, &v, op)) == STORE_OK;
	    op = STORE_NEXT) {
		if (k.len > USER_NAME_MAX)
			continue;
		/* The cursor is the last name shown: start past it. */
		if (after != NULL && k.len == strlen(after) &&
		    memcmp(k.data, after, k.len) == 0)
			continue;
		if (max > 0 && *n == max) {
			*more = 1;
			break;
		}
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((bigger = reallocarray(list, cap,
			    sizeof(*list))) == NULL) {
				rc = STORE_ENOMEM;
				break;
			}
			list = bigger;
		}
		list_entry(t, &k, &v, count, &list[(*n)++]);
	}
	store_cursor_close(c);
	store_abort(t);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		useradmin_list_free(list, *n);
		*n = 0;
		return rc;
	}
	*out = list;
	return STORE_OK;
}
