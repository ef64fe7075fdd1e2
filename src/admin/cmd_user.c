/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/audit.h"
#include "../lib/buf.h"
#include "../lib/config.h"
#include "../lib/crypto.h"
#include "../lib/grant.h"
#include "../lib/scope.h"
#include "../lib/revocation.h"
#include "../lib/store.h"
#include "../lib/user.h"
#include "admin.h"

/* What user passwd ended or revoked, for its output. */
static void
passwd_print(struct admin *a, const char *name, int revoke_grants,
    const struct revoke_result *r)
{
	json_object	*o;

	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "password_changed",
		    json_object_new_boolean(1));
		if (revoke_grants)
			json_object_object_add(o, "revoked",
			    admin_revoke_json(r));
		else
			json_object_object_add(o, "sessions",
			    json_object_new_int64((int64_t)r->sessions));
		admin_json_print(o);
	} else if (revoke_grants) {
		printf("changed password of %s; revoked ", name);
		admin_revoke_print(r);
		fputs("\n", stdout);
	} else
		printf("changed password of %s; ended %lu sign-in session%s\n",
		    name, r->sessions, r->sessions == 1 ? "" : "s");
}

/*
 * Adds a user, or changes her password.  A password change ends her
 * sign-in sessions in the same transaction, so that whoever holds one
 * of her session cookies (a thief, the reason for the change) must
 * sign in again, with the new password.  Her grants, and the tokens
 * her MCP clients hold, stay unless revoke_grants: an administrator
 * who believes a client's tokens were stolen too says so, and they are
 * revoked as by "revoke --user".
 */
static int
user_add_or_passwd(struct admin *a, const char *name, int from_stdin,
    int create, int revoke_grants)
{
	struct revoke_result	 r;
	struct store_txn	*t;
	struct user		 u;
	unsigned long		 sessions = 0;
	char			 pw[USER_PASSWORD_MAX + 1];
	char			 hash[CRYPTO_PWHASH_MAX];
	int			 rc;

	if (!user_name_valid(name)) {
		admin_err("invalid user name \"%s\": use 1 to %d of "
		    "A-Z a-z 0-9 . _ @ + -", name, USER_NAME_MAX);
		return EXIT_USAGE;
	}
	/* Check before asking for a password the user would type in vain. */
	if (admin_begin(a, 1, &t) == -1)
		return EXIT_FAIL;
	rc = store_user_get(t, name, &u);
	store_abort(t);
	user_free(&u);
	if (create && rc == STORE_OK) {
		admin_err("user %s already exists", name);
		return EXIT_FAIL;
	}
	if (!create && rc == STORE_NOTFOUND) {
		admin_err("no such user: %s", name);
		return EXIT_FAIL;
	}
	if (admin_read_password(from_stdin, pw, sizeof(pw)) == -1)
		return EXIT_FAIL;
	rc = crypto_password_hash(pw, hash, sizeof(hash));
	crypto_wipe(pw, sizeof(pw));
	if (rc != CRYPTO_OK) {
		admin_err("cannot hash the password: %s", crypto_strerror(rc));
		return EXIT_FAIL;
	}

	if (admin_begin(a, 0, &t) == -1)
		return EXIT_FAIL;
	if ((rc = store_user_get(t, name, &u)) == STORE_OK && create) {
		user_free(&u);
		store_abort(t);
		admin_err("user %s already exists", name);
		return EXIT_FAIL;
	}
	if (rc == STORE_NOTFOUND && create) {
		memset(&u, 0, sizeof(u));
		snprintf(u.name, sizeof(u.name), "%s", name);
		u.created = time(NULL);
	} else if (rc != STORE_OK) {
		store_abort(t);
		admin_err("%s: %s", name, rc == STORE_NOTFOUND ?
		    "no such user" : store_strerror(rc));
		return EXIT_FAIL;
	}
	/* Only the hash changes: her scope limit stays. */
	free(u.password_hash);
	u.password_hash = hash;
	u.updated = time(NULL);
	rc = store_user_put(t, &u, create);
	u.password_hash = NULL;
	user_free(&u);
	if (rc == STORE_OK && !create)
		rc = revoke_sessions(t, name, &sessions);
	if (rc == STORE_OK && !create)
		rc = audit_record(t, a->cfg, AUDIT_PASSWORD_CHANGED, name,
		    NULL, NULL, AUDIT_BY_ADMIN_TOOL);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	crypto_wipe(hash, sizeof(hash));
	if (rc != STORE_OK)
		return admin_store_fail(a, create ? "cannot save the user" :
		    "cannot change the password (it is unchanged)", rc);
	if (create) {
		if (!a->json)
			printf("added user %s\n", name);
		else {
			json_object	*o = json_object_new_object();

			json_object_object_add(o, "user",
			    json_object_new_string(name));
			json_object_object_add(o, "added",
			    json_object_new_boolean(1));
			admin_json_print(o);
		}
		return EXIT_OK;
	}
	memset(&r, 0, sizeof(r));
	if (revoke_grants) {
		rc = revoke_user(a->store, name, &r);
		admin_map_warning(a);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return admin_store_fail(a, "changed the password and "
			    "ended her sign-in sessions, but revoking her "
			    "grants failed (what was revoked before the "
			    "failure stays revoked)", rc);
	}
	r.sessions += sessions;
	passwd_print(a, name, revoke_grants, &r);
	return EXIT_OK;
}

/*
 * Enables a user, or disables her and revokes everything she holds:
 * the flag and the grants change in one transaction, so no token of
 * hers works from the moment she cannot sign in.  With user_auth =
 * remote_user, a person without a record can be disabled too (she
 * gets a blocked record in the same transaction), and enabling one
 * without a record succeeds: nothing blocks her.
 */
static int
user_set_disabled(struct admin *a, const char *name, int disabled)
{
	struct revoke_result	 r;
	struct store_txn	*t;
	struct user		 u;
	struct json_object	*o;
	int			 rc;

	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	if (disabled && a->cfg->user_auth == USER_AUTH_REMOTE_USER)
		rc = revoke_user_block(a->store, name, admin_now(), &r);
	else if (disabled)
		rc = revoke_user_disable(a->store, name, admin_now(), &r);
	else if ((rc = store_begin(a->store, 0, &t)) == STORE_OK) {
		if ((rc = store_user_get(t, name, &u)) == STORE_OK) {
			u.flags &= ~(uint32_t)USER_DISABLED;
			u.updated = admin_now();
			rc = store_user_put(t, &u, 0);
			user_free(&u);
		}
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc == STORE_NOTFOUND && user_name_valid(name) &&
		    a->cfg->user_auth == USER_AUTH_REMOTE_USER)
			rc = STORE_OK;
	}
	admin_map_warning(a);
	if (rc == STORE_NOTFOUND) {
		admin_err("no such user: %s", name);
		return EXIT_FAIL;
	}
	if (rc != STORE_OK)
		return admin_store_fail(a, disabled ? "cannot disable the user"
		    : "cannot enable the user", rc);
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "disabled",
		    json_object_new_boolean(disabled));
		if (disabled)
			json_object_object_add(o, "revoked",
			    admin_revoke_json(&r));
		admin_json_print(o);
	} else if (disabled) {
		printf("disabled user %s; revoked ", name);
		admin_revoke_print(&r);
		fputs("\n", stdout);
	} else
		printf("enabled user %s\n", name);
	return EXIT_OK;
}

/* Deletes a user with her notes, grants, tokens and sessions. */
static int
user_del(struct admin *a, const char *name)
{
	struct revoke_result	 r;
	struct json_object	*o;
	int			 rc;

	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	memset(&r, 0, sizeof(r));
	rc = revoke_user_delete(a->store, name, &r);
	admin_map_warning(a);
	if (rc == STORE_NOTFOUND) {
		admin_err("no such user: %s", name);
		return EXIT_FAIL;
	}
	if (rc != STORE_OK)
		return admin_store_fail(a, "cannot delete the user", rc);
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "deleted",
		    json_object_new_boolean(1));
		json_object_object_add(o, "notes",
		    json_object_new_int64((int64_t)r.notes));
		json_object_object_add(o, "revoked", admin_revoke_json(&r));
		admin_json_print(o);
	} else {
		printf("deleted user %s and %lu note%s; revoked ", name,
		    r.notes, r.notes == 1 ? "" : "s");
		admin_revoke_print(&r);
		fputs("\n", stdout);
	}
	if (a->cfg->user_auth == USER_AUTH_REMOTE_USER)
		admin_err("note: with user_auth = remote_user the web server "
		    "still signs %s in; \"user disable %s\" blocks her",
		    name, name);
	return EXIT_OK;
}

/*
 * Limits the scopes a user may grant (scopes: argv's list, or none with
 * all set), and narrows what she granted already to them in the same
 * transaction: her live access tokens carry the narrower scope on their
 * next request at /mcp.  A grant that would lose the base scope is
 * revoked (grant_narrow()).  With user_auth = remote_user a person
 * without a record gets one (no password, not disabled) to hold it.
 */
static int
user_scopes(struct admin *a, const char *name, int argc, char **argv,
    int all)
{
	struct narrow_counts	 n;
	struct store_txn	*t;
	struct user		 u;
	struct buf		 req, limit;
	char			 none[] = "";
	char			 detail[AUDIT_DETAIL_MAX + 1];
	int			 i, rc, ret = EXIT_FAIL;

	if (!user_name_valid(name)) {
		admin_err("invalid user name \"%s\"", name);
		return EXIT_USAGE;
	}
	if (admin_load_config(a) == -1)
		return EXIT_FAIL;
	buf_init(&req);
	buf_init(&limit);
	for (i = 0; i < argc; i++) {
		if (!config_has_scope(a->cfg, argv[i])) {
			admin_err("unknown scope \"%s\": the configured "
			    "scopes are listed under scopes in the "
			    "configuration", argv[i]);
			ret = EXIT_USAGE;
			goto out;
		}
		buf_puts(&req, argv[i]);
		buf_putc(&req, ' ');
	}
	/*
	 * Without the base scope every grant of hers would be revoked and
	 * new ones would be made without it: say so instead.
	 */
	if (!all && scope_base(a->cfg) != NULL &&
	    !scope_has(buf_cstr(&req), scope_base(a->cfg))) {
		admin_err("the limit must include the base scope \"%s\" (the "
		    "first of default_scopes), which every client is given",
		    scope_base(a->cfg));
		ret = EXIT_USAGE;
		goto out;
	}
	if (!all)
		scope_union(a->cfg, buf_cstr(&req), "", &limit);
	if (buf_failed(&req) || buf_failed(&limit)) {
		admin_err("out of memory");
		goto out;
	}
	if (admin_begin(a, 0, &t) == -1)
		goto out;
	rc = store_user_get(t, name, &u);
	if (rc == STORE_NOTFOUND &&
	    a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		memset(&u, 0, sizeof(u));
		snprintf(u.name, sizeof(u.name), "%s", name);
		u.created = admin_now();
		if ((u.password_hash = strdup(none)) == NULL)
			rc = STORE_ENOMEM;
		else
			rc = STORE_OK;
	}
	if (rc == STORE_OK) {
		free(u.scopes);
		u.scopes = strdup(buf_cstr(&limit));
		u.updated = admin_now();
		rc = u.scopes == NULL ? STORE_ENOMEM :
		    store_user_put(t, &u, 0);
		user_free(&u);
	}
	if (rc == STORE_OK)
		rc = grant_narrow_user(t, a->cfg, name, buf_cstr(&limit), &n);
	/* Who set what, in the trail: the detail is cut to fit. */
	snprintf(detail, sizeof(detail), "%s: %s", AUDIT_BY_ADMIN_TOOL,
	    all ? "every scope" : buf_cstr(&limit));
	if (rc == STORE_OK)
		rc = audit_record(t, a->cfg, AUDIT_SCOPES_LIMITED, name, NULL,
		    NULL, detail);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	admin_map_warning(a);
	if (rc == STORE_NOTFOUND) {
		admin_err("no such user: %s", name);
		goto out;
	}
	if (rc != STORE_OK) {
		ret = admin_store_fail(a, "cannot set the user's scopes "
		    "(they are unchanged)", rc);
		goto out;
	}
	if (a->json) {
		json_object	*o = json_object_new_object();

		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "scopes", all ? NULL :
		    json_object_new_string(buf_cstr(&limit)));
		json_object_object_add(o, "grants_narrowed",
		    json_object_new_int64((int64_t)n.grants));
		json_object_object_add(o, "access_tokens_narrowed",
		    json_object_new_int64((int64_t)n.access_tokens));
		json_object_object_add(o, "grants_revoked",
		    json_object_new_int64((int64_t)n.revoked.grants));
		admin_json_print(o);
	} else if (all)
		printf("user %s may grant every scope\n", name);
	else
		printf("user %s may grant: %s; narrowed %lu grant%s and %lu "
		    "access token%s, revoked %lu grant%s\n", name,
		    buf_cstr(&limit), n.grants, n.grants == 1 ? "" : "s",
		    n.access_tokens, n.access_tokens == 1 ? "" : "s",
		    n.revoked.grants, n.revoked.grants == 1 ? "" : "s");
	ret = EXIT_OK;
out:
	buf_free(&req);
	buf_free(&limit);
	return ret;
}

/*
 * Reads every user in one read transaction into *users (*n of them),
 * so that nothing is printed while it lasts: output read slowly (user
 * list | less) must not pin a snapshot of the database.  Users are
 * added by the administrator, so they are few enough to hold.
 */
static int
user_read_all(struct admin *a, struct user **users, size_t *n)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct store_val	 k, v;
	struct user		*more;
	size_t			 cap = 0;
	char			 shown[USER_NAME_MAX + 1];
	int			 op, ret = 0;

	*users = NULL;
	*n = 0;
	if (admin_begin(a, 1, &t) == -1)
		return -1;
	if (store_cursor_open(t, DB_USERS, &c) != STORE_OK) {
		store_abort(t);
		admin_err("cannot read the users");
		return -1;
	}
	for (op = STORE_FIRST; store_cursor_get(c, &k, &v, op) == STORE_OK;
	    op = STORE_NEXT) {
		struct user	*u;

		if (k.len > USER_NAME_MAX)
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((more = reallocarray(*users, cap,
			    sizeof(**users))) == NULL) {
				admin_err("out of memory");
				ret = -1;
				break;
			}
			*users = more;
		}
		u = &(*users)[*n];
		memset(u, 0, sizeof(*u));
		if (user_decode(v.data, v.len, u) != STORE_OK) {
			memcpy(u->name, k.data, k.len);
			u->name[k.len] = '\0';
			admin_err("user %s: corrupt record",
			    admin_clean(u->name, shown, sizeof(shown)));
			user_free(u);
			continue;
		}
		/* The key is the name. */
		memcpy(u->name, k.data, k.len);
		u->name[k.len] = '\0';
		(*n)++;
	}
	store_cursor_close(c);
	store_abort(t);
	if (ret == -1) {
		while (*n > 0)
			user_free(&(*users)[--*n]);
		free(*users);
		*users = NULL;
	}
	return ret;
}

static int
user_list(struct admin *a)
{
	struct user	*users;
	json_object	*arr = NULL;
	size_t		 n, i;
	char		 shown[USER_NAME_MAX + 1];

	if (user_read_all(a, &users, &n) == -1)
		return EXIT_FAIL;
	if (a->json)
		arr = json_object_new_array();
	else
		printf("%-24s %-9s %-20s %-20s %s\n", "USER", "STATUS",
		    "CREATED", "UPDATED", "SCOPES");
	for (i = 0; i < n; i++) {
		struct user	*u = &users[i];

		if (a->json) {
			json_object	*o = json_object_new_object();

			json_object_object_add(o, "user",
			    json_object_new_string(u->name));
			json_object_object_add(o, "disabled",
			    json_object_new_boolean(u->flags & USER_DISABLED));
			json_object_object_add(o, "created",
			    json_object_new_int64(u->created));
			json_object_object_add(o, "updated",
			    json_object_new_int64(u->updated));
			/* null: no limit, every configured scope. */
			json_object_object_add(o, "scopes",
			    user_scope_limit(u)[0] != '\0' ?
			    json_object_new_string(u->scopes) : NULL);
			json_object_array_add(arr, o);
		} else {
			printf("%-24s %-9s ", admin_clean(u->name, shown,
			    sizeof(shown)), u->flags & USER_DISABLED ?
			    "disabled" : "active");
			admin_print_time(u->created);
			fputs(" ", stdout);
			admin_print_time(u->updated);
			fputs(" ", stdout);
			admin_put_clean(user_scope_limit(u)[0] != '\0' ?
			    u->scopes : "(all)");
			fputs("\n", stdout);
		}
		user_free(u);
	}
	free(users);
	if (arr != NULL)
		admin_json_print(arr);
	return EXIT_OK;
}

/*
 * user admin NAME on|off: gives or takes the administrator flag
 * (USER_ADMIN: the /admin pages), in one transaction.  Only a user with
 * a record: with user_auth = remote_user, "user add" makes one first.
 */
static int
user_admin(struct admin *a, const char *name, const char *onoff)
{
	struct store_txn	*t;
	struct json_object	*o;
	struct user		 u;
	int			 rc, on;

	if (strcmp(onoff, "on") == 0)
		on = 1;
	else if (strcmp(onoff, "off") == 0)
		on = 0;
	else
		return EXIT_USAGE;
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	if ((rc = store_begin(a->store, 0, &t)) != STORE_OK)
		return admin_store_fail(a, "cannot change the user", rc);
	if ((rc = store_user_get(t, name, &u)) == STORE_OK) {
		if (on)
			u.flags |= USER_ADMIN;
		else
			u.flags &= ~(uint32_t)USER_ADMIN;
		u.updated = admin_now();
		rc = store_user_put(t, &u, 0);
		user_free(&u);
	}
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc == STORE_NOTFOUND) {
		admin_err("no such user: %s", name);
		return EXIT_FAIL;
	}
	if (rc != STORE_OK)
		return admin_store_fail(a, "cannot change the user", rc);
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "admin", json_object_new_boolean(on));
		admin_json_print(o);
	} else
		printf("user %s %s an administrator\n", name,
		    on ? "is now" : "is no longer");
	return EXIT_OK;
}

/*
 * user add NAME [--password-stdin] | passwd NAME [--password-stdin]
 * [--revoke-grants] | list | disable NAME | enable NAME | del NAME |
 * scopes NAME SCOPE... | scopes NAME --all
 */
int
cmd_user(struct admin *a, int argc, char **argv)
{
	int	 from_stdin = 0, revoke_grants = 0, i;

	if (argc < 2)
		return EXIT_USAGE;
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return user_list(a);
	if (argc < 3 || argv[2][0] == '-')
		return EXIT_USAGE;
	if (strcmp(argv[1], "scopes") == 0) {
		if (argc == 4 && strcmp(argv[3], "--all") == 0)
			return user_scopes(a, argv[2], 0, NULL, 1);
		for (i = 3; i < argc; i++)
			if (argv[i][0] == '-')
				return EXIT_USAGE;
		if (argc < 4)
			return EXIT_USAGE;
		return user_scopes(a, argv[2], argc - 3, argv + 3, 0);
	}
	if (strcmp(argv[1], "admin") == 0)
		return argc == 4 ? user_admin(a, argv[2], argv[3]) : EXIT_USAGE;
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--password-stdin") == 0 && !from_stdin)
			from_stdin = 1;
		else if (strcmp(argv[i], "--revoke-grants") == 0 &&
		    !revoke_grants && strcmp(argv[1], "passwd") == 0)
			revoke_grants = 1;
		else
			return EXIT_USAGE;
	}
	if (strcmp(argv[1], "add") == 0)
		return user_add_or_passwd(a, argv[2], from_stdin, 1, 0);
	if (strcmp(argv[1], "passwd") == 0)
		return user_add_or_passwd(a, argv[2], from_stdin, 0,
		    revoke_grants);
	if (from_stdin)
		return EXIT_USAGE;
	if (strcmp(argv[1], "disable") == 0)
		return user_set_disabled(a, argv[2], 1);
	if (strcmp(argv[1], "enable") == 0)
		return user_set_disabled(a, argv[2], 0);
	if (strcmp(argv[1], "del") == 0)
		return user_del(a, argv[2]);
	return EXIT_USAGE;
}
