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
#include "../lib/useradmin.h"
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

/* Says why ua's call failed (err), as the tool says it; EXIT_*. */
static int
useradmin_fail(struct admin *a, const struct useradmin *ua, int err,
    const char *name, const char *what)
{
	admin_map_warning(a);
	if (err == USERADMIN_NOTFOUND)
		admin_err("no such user: %s", name);
	else if (err == USERADMIN_EXISTS)
		admin_err("user %s already exists", name);
	else if (err == USERADMIN_STORE)
		return admin_store_fail(a, what, ua->store_rc);
	else
		admin_err("%s: %s", what, useradmin_strerror(err));
	return EXIT_FAIL;
}

/* A struct useradmin for the tool's own changes. */
static int
useradmin_open(struct admin *a, struct useradmin *ua)
{
	if (admin_open(a, 0) == -1)
		return -1;
	useradmin_init(ua, a->store, a->cfg, AUDIT_BY_ADMIN_TOOL, NULL);
	ua->now = admin_now();
	return 0;
}

/*
 * Adds a user (an administrator with admin), or changes her password.
 * A password change ends her sign-in sessions in the same transaction
 * (useradmin_set_password()).  Her grants, and the tokens her MCP
 * clients hold, stay unless revoke_grants: an administrator who
 * believes a client's tokens were stolen too says so, and they are
 * revoked as by "revoke --user".
 */
static int
user_add_or_passwd(struct admin *a, const char *name, int from_stdin,
    int create, int revoke_grants, int admin)
{
	struct useradmin	 ua;
	struct revoke_result	 r;
	struct store_txn	*t;
	struct user		 u;
	char			 pw[USER_PASSWORD_MAX + 1];
	int			 rc, err;

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
	if (useradmin_open(a, &ua) == -1) {
		crypto_wipe(pw, sizeof(pw));
		return EXIT_FAIL;
	}
	err = create ? useradmin_add(&ua, name, pw, admin) :
	    useradmin_set_password(&ua, name, pw);
	crypto_wipe(pw, sizeof(pw));
	if (err != USERADMIN_OK)
		return useradmin_fail(a, &ua, err, name, create ?
		    "cannot save the user" :
		    "cannot change the password (it is unchanged)");
	if (create) {
		if (!a->json)
			printf("added %suser %s\n", admin ?
			    "administrator " : "", name);
		else {
			json_object	*o = json_object_new_object();

			json_object_object_add(o, "user",
			    json_object_new_string(name));
			json_object_object_add(o, "added",
			    json_object_new_boolean(1));
			json_object_object_add(o, "admin",
			    json_object_new_boolean(admin));
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
	r.sessions += ua.revoked.sessions;
	passwd_print(a, name, revoke_grants, &r);
	return EXIT_OK;
}

/*
 * Enables a user, or disables her and revokes everything she holds
 * (useradmin_set_disabled()).
 */
static int
user_set_disabled(struct admin *a, const char *name, int disabled)
{
	struct useradmin	 ua;
	struct json_object	*o;
	int			 err;

	if (useradmin_open(a, &ua) == -1)
		return EXIT_FAIL;
	if ((err = useradmin_set_disabled(&ua, name, disabled)) !=
	    USERADMIN_OK)
		return useradmin_fail(a, &ua, err, name, disabled ?
		    "cannot disable the user" : "cannot enable the user");
	admin_map_warning(a);
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "disabled",
		    json_object_new_boolean(disabled));
		if (disabled)
			json_object_object_add(o, "revoked",
			    admin_revoke_json(&ua.revoked));
		admin_json_print(o);
	} else if (disabled) {
		printf("disabled user %s; revoked ", name);
		admin_revoke_print(&ua.revoked);
		fputs("\n", stdout);
	} else
		printf("enabled user %s\n", name);
	return EXIT_OK;
}

/* Deletes a user with her notes, grants, tokens and sessions. */
static int
user_del(struct admin *a, const char *name)
{
	struct useradmin	 ua;
	struct revoke_result	*r = &ua.revoked;
	struct json_object	*o;
	int			 err;

	if (useradmin_open(a, &ua) == -1)
		return EXIT_FAIL;
	if ((err = useradmin_delete(&ua, name)) != USERADMIN_OK)
		return useradmin_fail(a, &ua, err, name,
		    "cannot delete the user");
	admin_map_warning(a);
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "deleted",
		    json_object_new_boolean(1));
		json_object_object_add(o, "notes",
		    json_object_new_int64((int64_t)r->notes));
		json_object_object_add(o, "revoked", admin_revoke_json(r));
		admin_json_print(o);
	} else {
		printf("deleted user %s and %lu note%s; revoked ", name,
		    r->notes, r->notes == 1 ? "" : "s");
		admin_revoke_print(r);
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
 * all set), and narrows what she granted already to them
 * (useradmin_set_scopes()).
 */
static int
user_scopes(struct admin *a, const char *name, int argc, char **argv,
    int all)
{
	struct useradmin	 ua;
	struct narrow_counts	*n = &ua.narrowed;
	struct buf		 limit;
	int			 err, ret = EXIT_FAIL;

	if (!user_name_valid(name)) {
		admin_err("invalid user name \"%s\"", name);
		return EXIT_USAGE;
	}
	if (admin_load_config(a) == -1)
		return EXIT_FAIL;
	buf_init(&limit);
	/* The list is checked before the database is opened. */
	useradmin_init(&ua, NULL, a->cfg, AUDIT_BY_ADMIN_TOOL, NULL);
	err = all ? USERADMIN_OK :
	    useradmin_scope_limit(&ua, argv, (size_t)argc, &limit);
	if (err == USERADMIN_BADSCOPE) {
		admin_err("unknown scope \"%s\": the configured scopes are "
		    "listed under scopes in the configuration", ua.bad_scope);
		ret = EXIT_USAGE;
		goto out;
	}
	if (err == USERADMIN_NOBASE) {
		admin_err("the limit must include the base scope \"%s\" (the "
		    "first of default_scopes), which every client is given",
		    scope_base(a->cfg));
		ret = EXIT_USAGE;
		goto out;
	}
	if (err != USERADMIN_OK) {
		admin_err("out of memory");
		goto out;
	}
	if (useradmin_open(a, &ua) == -1)
		goto out;
	err = useradmin_set_scopes(&ua, name, all ? NULL : buf_cstr(&limit));
	if (err != USERADMIN_OK) {
		ret = useradmin_fail(a, &ua, err, name, "cannot set the "
		    "user's scopes (they are unchanged)");
		goto out;
	}
	if (a->json) {
		json_object	*o = json_object_new_object();

		json_object_object_add(o, "user", json_object_new_string(name));
		json_object_object_add(o, "scopes", all ? NULL :
		    json_object_new_string(buf_cstr(&limit)));
		json_object_object_add(o, "grants_narrowed",
		    json_object_new_int64((int64_t)n->grants));
		json_object_object_add(o, "access_tokens_narrowed",
		    json_object_new_int64((int64_t)n->access_tokens));
		json_object_object_add(o, "grants_revoked",
		    json_object_new_int64((int64_t)n->revoked.grants));
		admin_json_print(o);
	} else if (all)
		printf("user %s may grant every scope\n", name);
	else
		printf("user %s may grant: %s; narrowed %lu grant%s and %lu "
		    "access token%s, revoked %lu grant%s\n", name,
		    buf_cstr(&limit), n->grants, n->grants == 1 ? "" : "s",
		    n->access_tokens, n->access_tokens == 1 ? "" : "s",
		    n->revoked.grants, n->revoked.grants == 1 ? "" : "s");
	ret = EXIT_OK;
out:
	buf_free(&limit);
	return ret;
}

/*
 * Every user, read in one read transaction before anything is printed
 * (useradmin_list()): output read slowly (user list | less) must not
 * pin a snapshot of the database.  Users are added by the
 * administrator, so they are few enough to hold.
 */
static int
user_list(struct admin *a)
{
	struct useradmin_entry	*users;
	json_object		*arr = NULL;
	size_t			 n, i;
	int			 more, rc;
	char			 shown[USER_NAME_MAX + 1];

	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	if ((rc = useradmin_list(a->store, NULL, 0, 0, &users, &n, &more)) !=
	    STORE_OK)
		return admin_store_fail(a, "cannot read the users", rc);
	if (a->json)
		arr = json_object_new_array();
	else
		printf("%-24s %-9s %-5s %-20s %-20s %s\n", "USER", "STATUS",
		    "ADMIN", "CREATED", "UPDATED", "SCOPES");
	for (i = 0; i < n; i++) {
		struct user	*u = &users[i].u;

		if (users[i].corrupt) {
			admin_err("user %s: corrupt record",
			    admin_clean(u->name, shown, sizeof(shown)));
			continue;
		}
		if (a->json) {
			json_object	*o = json_object_new_object();

			json_object_object_add(o, "user",
			    json_object_new_string(u->name));
			json_object_object_add(o, "disabled",
			    json_object_new_boolean(u->flags & USER_DISABLED));
			json_object_object_add(o, "admin",
			    json_object_new_boolean(u->flags & USER_ADMIN));
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
			printf("%-24s %-9s %-5s ", admin_clean(u->name, shown,
			    sizeof(shown)), u->flags & USER_DISABLED ?
			    "disabled" : "active", u->flags & USER_ADMIN ?
			    "yes" : "no");
			admin_print_time(u->created);
			fputs(" ", stdout);
			admin_print_time(u->updated);
			fputs(" ", stdout);
			admin_put_clean(user_scope_limit(u)[0] != '\0' ?
			    u->scopes : "(all)");
			fputs("\n", stdout);
		}
	}
	useradmin_list_free(users, n);
	if (arr != NULL)
		admin_json_print(arr);
	return EXIT_OK;
}

/*
 * user admin NAME on|off: gives or takes the administrator flag
 * (USER_ADMIN: the /admin pages), audited (useradmin_set_admin()).
 * Only a user with a record: with user_auth = remote_user, "user add"
 * makes one first.
 */
static int
user_admin(struct admin *a, const char *name, const char *onoff)
{
	struct useradmin	 ua;
	struct json_object	*o;
	int			 err, on;

	if (strcmp(onoff, "on") == 0)
		on = 1;
	else if (strcmp(onoff, "off") == 0)
		on = 0;
	else
		return EXIT_USAGE;
	if (useradmin_open(a, &ua) == -1)
		return EXIT_FAIL;
	if ((err = useradmin_set_admin(&ua, name, on)) != USERADMIN_OK)
		return useradmin_fail(a, &ua, err, name,
		    "cannot change the user");
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
 * user add NAME [--password-stdin] [--admin] | passwd NAME
 * [--password-stdin] [--revoke-grants] | list | disable NAME | enable
 * NAME | del NAME | admin NAME on|off | scopes NAME SCOPE... | scopes
 * NAME --all
 */
int
cmd_user(struct admin *a, int argc, char **argv)
{
	int	 from_stdin = 0, revoke_grants = 0, admin = 0, i;

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
		else if (strcmp(argv[i], "--admin") == 0 && !admin &&
		    strcmp(argv[1], "add") == 0)
			admin = 1;
		else
			return EXIT_USAGE;
	}
	if (strcmp(argv[1], "add") == 0)
		return user_add_or_passwd(a, argv[2], from_stdin, 1, 0,
		    admin);
	if (strcmp(argv[1], "passwd") == 0)
		return user_add_or_passwd(a, argv[2], from_stdin, 0,
		    revoke_grants, 0);
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
