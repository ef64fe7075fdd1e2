/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <string.h>
#include <time.h>

#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "testutil.h"

static char		*dir;
static struct store	*st;
static char		 err[STORE_ERR_MAX];

static void
setup(void)
{
	dir = testutil_tmpdir();
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	testutil_rmdir(dir);
}

TestSuite(store, .init = setup, .fini = teardown);

static char *
dbdir(void)
{
	static char	 path[256];

	snprintf(path, sizeof(path), "%s/db", dir);
	return path;
}

Test(store, create_with_safe_permissions)
{
	struct stat	 sb;
	char		 f[300];

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	cr_assert_eq(stat(dbdir(), &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0700);
	snprintf(f, sizeof(f), "%s/data.mdb", dbdir());
	cr_assert_eq(stat(f, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
}

Test(store, open_missing_says_run_init)
{
	cr_assert_eq(store_open(dbdir(), 1 << 20, 0, &st, err, sizeof(err)),
	    STORE_ENOENT);
	cr_assert_null(st);
	cr_assert_not_null(strstr(err, "mcp-oauth-admin init"), "%s", err);
	cr_assert_not_null(strstr(err, dbdir()));
	/* An empty directory is not a database either. */
	mkdir(dbdir(), 0700);
	cr_assert_eq(store_open(dbdir(), 1 << 20, 0, &st, err, sizeof(err)),
	    STORE_ENOENT);
	cr_assert_not_null(strstr(err, "mcp-oauth-admin init"), "%s", err);
}

Test(store, reopen_and_read)
{
	struct store_txn	*t;
	struct user		 u, got;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	memset(&u, 0, sizeof(u));
	strcpy(u.name, "alice");
	u.password_hash = "$scrypt$x";
	u.created = 1000;
	u.updated = 2000;
	u.flags = USER_DISABLED;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 1), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 1), STORE_EXISTS);
	cr_assert_eq(store_commit(t), STORE_OK);
	store_close(st);

	cr_assert_eq(store_open(dbdir(), 1 << 20, 0, &st, err, sizeof(err)),
	    STORE_OK, "%s", err);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "alice", &got), STORE_OK);
	cr_assert_str_eq(got.name, "alice");
	cr_assert_str_eq(got.password_hash, "$scrypt$x");
	cr_assert_eq(got.created, 1000);
	cr_assert_eq(got.updated, 2000);
	cr_assert_eq(got.flags, USER_DISABLED);
	user_free(&got);
	cr_assert_eq(store_user_get(t, "bob", &got), STORE_NOTFOUND);
	cr_assert_eq(store_user_get(t, "bad name", &got), STORE_NOTFOUND);
	store_abort(t);

	/* The reused read transaction sees later commits. */
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_del(t, "alice"), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "alice", &got), STORE_NOTFOUND);
	store_abort(t);
}

/*
 * Two read transactions at once get two handles, each with its own
 * snapshot; ending a transaction a second time changes nothing.
 */
Test(store, transaction_handles)
{
	struct store_txn	*r1, *r2, *w;
	struct store_val	 v;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	cr_assert_eq(store_begin(st, 1, &r1), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &w), STORE_OK);
	cr_assert_eq(store_put(w, DB_RATELIMIT, "k", 1, "v", 1, 0), STORE_OK);
	cr_assert_eq(store_commit(w), STORE_OK);
	cr_assert_eq(store_begin(st, 1, &r2), STORE_OK);
	cr_assert_neq(r1, r2);
	cr_assert_eq(store_get(r1, DB_RATELIMIT, "k", 1, &v), STORE_NOTFOUND,
	    "the older snapshot");
	cr_assert_eq(store_get(r2, DB_RATELIMIT, "k", 1, &v), STORE_OK);
	store_abort(r1);
	store_abort(r1);
	store_abort(r2);
	cr_assert_eq(store_commit(r2), STORE_ERROR, "ended already");
	store_abort(NULL);
	/* The handles come back. */
	cr_assert_eq(store_begin(st, 1, &r2), STORE_OK);
	cr_assert_eq(store_get(r2, DB_RATELIMIT, "k", 1, &v), STORE_OK);
	store_abort(r2);
}

/*
 * Cursors: a whole database in key order, a key range, one key's
 * duplicates and their count, one duplicate, deletion under the
 * cursor, and counting and emptying a database.
 */
Test(store, cursors)
{
	static const char *const ids[] = { "g1", "g2", "g3" };
	struct store_txn	*t;
	struct store_cursor	*c;
	struct store_val	 k, v;
	size_t			 i, n;
	int			 op;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	for (i = 0; i < 3; i++)
		cr_assert_eq(store_put(t, DB_USER_GRANTS, "bob", 3, ids[i], 2,
		    STORE_NODUPDATA), STORE_OK);
	cr_assert_eq(store_put(t, DB_USER_GRANTS, "alice", 5, "g9", 2, 0),
	    STORE_OK);

	/* alice, then bob's three in order. */
	cr_assert_eq(store_cursor_open(t, DB_USER_GRANTS, &c), STORE_OK);
	n = 0;
	for (op = STORE_FIRST; store_cursor_get(c, &k, &v, op) == STORE_OK;
	    op = STORE_NEXT)
		n++;
	cr_assert_eq(n, 4);
	k.data = "b";
	k.len = 1;
	cr_assert_eq(store_cursor_get(c, &k, &v, STORE_SET_RANGE), STORE_OK);
	cr_assert_eq(k.len, 3);
	cr_assert_eq(memcmp(k.data, "bob", 3), 0);
	cr_assert_eq(memcmp(v.data, "g1", 2), 0);
	cr_assert_eq(store_cursor_count(c, &n), STORE_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(store_cursor_get(c, &k, &v, STORE_NEXT_DUP), STORE_OK);
	cr_assert_eq(memcmp(v.data, "g2", 2), 0);
	cr_assert_eq(store_cursor_del(c), STORE_OK);
	cr_assert_eq(store_cursor_get(c, &k, &v, STORE_NEXT_NODUP),
	    STORE_NOTFOUND, "bob is the last key");
	k.data = "carol";
	k.len = 5;
	cr_assert_eq(store_cursor_get(c, &k, &v, STORE_SET), STORE_NOTFOUND);
	store_cursor_close(c);

	cr_assert_eq(store_dup_count(t, DB_USER_GRANTS, "bob", 3, &n),
	    STORE_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(store_dup_count(t, DB_USER_GRANTS, "carol", 5, &n),
	    STORE_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_dup_exists(t, DB_USER_GRANTS, "bob", 3, "g3", 2),
	    STORE_OK);
	cr_assert_eq(store_dup_exists(t, DB_USER_GRANTS, "bob", 3, "g2", 2),
	    STORE_NOTFOUND);
	cr_assert_eq(store_entries(t, DB_USER_GRANTS, &n), STORE_OK);
	cr_assert_eq(n, 3);
	cr_assert_eq(store_drop(t, DB_USER_GRANTS), STORE_OK);
	cr_assert_eq(store_entries(t, DB_USER_GRANTS, &n), STORE_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(store, newer_schema_refused)
{
	struct store_txn	*t;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_put(t, DB_META, "schema", 6, "\0\0\0\x09", 4, 0),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open(dbdir(), 1 << 20, 0, &st, err, sizeof(err)),
	    STORE_SCHEMA);
	cr_assert_not_null(strstr(err, "schema version 9"), "%s", err);
	cr_assert_not_null(strstr(err, "upgrade"), "%s", err);
	/* Creating does not overwrite a newer schema either. */
	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_SCHEMA);
}

Test(store, malformed_schema_refused)
{
	struct store_txn	*t;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_put(t, DB_META, "schema", 6, "x", 1, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open(dbdir(), 1 << 20, 0, &st, err, sizeof(err)),
	    STORE_SCHEMA);
}

Test(store, map_full_is_reported)
{
	struct store_txn	*t;
	char			 key[32], val[4000];
	int			 i, rc = STORE_OK;

	memset(val, 'v', sizeof(val));
	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK);
	for (i = 0; i < 1000 && rc == STORE_OK; i++) {
		cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
		snprintf(key, sizeof(key), "k%06d", i);
		rc = store_put(t, DB_RATELIMIT, key, strlen(key), val,
		    sizeof(val), 0);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
	}
	cr_assert_eq(rc, STORE_FULL);
	/* Reading still works. */
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	{
		struct store_val	 v;

		cr_assert_eq(store_get(t, DB_RATELIMIT, "k000000", 7, &v),
		    STORE_OK);
		cr_assert_eq(v.len, sizeof(val));
	}
	store_abort(t);
	cr_assert_not_null(strstr(store_full_hint(), "db_map_size"));
}

/*
 * A database the process may not write (not even lock.mdb) gets a
 * message that says so.  As root, the check runs in a child that has
 * dropped to "nobody"; otherwise the directory is made read-only.
 */
Test(store, unwritable_directory_is_clear)
{
	pid_t	 pid;
	int	 status;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK);
	store_close(st);
	st = NULL;
	if (geteuid() != 0) {
		chmod(dbdir(), 0500);
		chmod(dir, 0500);
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (geteuid() == 0 && (setgid(65534) != 0 ||
		    setuid(65534) != 0))
			_exit(3);
		if (store_open(dbdir(), 1 << 20, 0, &st, err, sizeof(err)) !=
		    STORE_EACCES)
			_exit(1);
		_exit(strstr(err, "permission denied") != NULL ? 0 : 2);
	}
	cr_assert_gt(pid, 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	chmod(dir, 0700);
	chmod(dbdir(), 0700);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "child status %d",
	    WEXITSTATUS(status));
}

Test(store, strerror_covers_all)
{
	int	 i;

	for (i = STORE_OK; i <= STORE_ERROR; i++)
		cr_assert_str_neq(store_strerror(i), "unknown error");
}

/*
 * The engine's errors reach callers as store errors: a missing key, a
 * taken key or duplicate, and a key the engine cannot store (longer
 * than its maximum), which is reported as corruption.  A full map is
 * map_full_is_reported.
 */
Test(store, engine_errors_are_mapped)
{
	struct store_txn	*t;
	struct store_val	 v;
	char			 big[1024];

	memset(big, 'k', sizeof(big));
	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_USERS, "nobody", 6, &v), STORE_NOTFOUND);
	cr_assert_eq(store_del(t, DB_USERS, "nobody", 6, NULL, 0),
	    STORE_NOTFOUND);
	cr_assert_eq(store_put(t, DB_USERS, "k", 1, "v", 1, 0), STORE_OK);
	cr_assert_eq(store_put(t, DB_USERS, "k", 1, "w", 1,
	    STORE_NOOVERWRITE), STORE_EXISTS);
	cr_assert_eq(store_put(t, DB_USER_GRANTS, "k", 1, "v", 1, 0),
	    STORE_OK);
	cr_assert_eq(store_put(t, DB_USER_GRANTS, "k", 1, "v", 1,
	    STORE_NODUPDATA), STORE_EXISTS);
	cr_assert_eq(store_put(t, DB_USERS, big, sizeof(big), "v", 1, 0),
	    STORE_CORRUPT);
	store_abort(t);
}

Test(store, user_names)
{
	cr_assert(user_name_valid("alice"));
	cr_assert(user_name_valid("a.b_c@d+e-f"));
	cr_assert_not(user_name_valid(""));
	cr_assert_not(user_name_valid("a b"));
	cr_assert_not(user_name_valid("a/b"));
	cr_assert_not(user_name_valid("<script>"));
	cr_assert(user_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaa"));
	cr_assert_not(user_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaa"));
}

Test(store, corrupt_user_record)
{
	struct store_txn	*t;
	struct user		 u;

	cr_assert_eq(store_open(dbdir(), 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_put(t, DB_USERS, "eve", 3, "\x01\x00", 2, 0),
	    STORE_OK);
	cr_assert_eq(store_user_get(t, "eve", &u), STORE_CORRUPT);
	cr_assert_null(u.password_hash);
	store_abort(t);
}
