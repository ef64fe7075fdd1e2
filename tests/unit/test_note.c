/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/note.h"
#include "../../src/lib/store.h"
#include "testutil.h"

static char		*dir;
static struct store	*st;

static void
setup(void)
{
	char	 err[512], path[300];

	dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 22, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
}

static void
teardown(void)
{
	store_close(st);
	testutil_rmdir(dir);
}

TestSuite(note, .init = setup, .fini = teardown);

static void
add(const char *user, const char *text)
{
	struct store_txn	*t;
	uint64_t		 last, id;
	size_t			 count;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_note_count(t, user, &count, &last), STORE_OK);
	cr_assert_eq(store_note_new_id(t, user, last, &id), STORE_OK);
	cr_assert_eq(store_note_put(t, user, id, "", text, 100), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

struct seen {
	char	 text[16][32];
	size_t	 n;
};

static int
collect(const struct note *n, void *arg)
{
	struct seen	*s = arg;

	snprintf(s->text[s->n++], 32, "%llu:%s", (unsigned long long)n->id,
	    n->text);
	return 0;
}

Test(note, users_never_see_each_other)
{
	struct store_txn	*t;
	struct seen		 s;
	struct note		 n;
	size_t			 count;

	/* "a" is a prefix of "ab": the key layout must keep them apart. */
	add("a", "a1");
	add("ab", "ab1");
	add("a", "a2");
	add("a.b", "a.b1");
	memset(&s, 0, sizeof(s));
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_note_list(t, "a", collect, &s, &count), STORE_OK);
	cr_assert_eq(count, 2);
	cr_assert_str_eq(s.text[0], "1:a1");
	cr_assert_str_eq(s.text[1], "2:a2");
	memset(&s, 0, sizeof(s));
	cr_assert_eq(store_note_list(t, "ab", collect, &s, &count), STORE_OK);
	cr_assert_eq(count, 1);
	cr_assert_str_eq(s.text[0], "1:ab1");
	cr_assert_eq(store_note_get(t, "ab", 2, &n), STORE_NOTFOUND);
	cr_assert_eq(store_note_get(t, "a", 2, &n), STORE_OK);
	cr_assert_str_eq(n.text, "a2");
	note_free(&n);
	cr_assert_eq(store_note_list(t, "nobody", collect, &s, &count),
	    STORE_OK);
	cr_assert_eq(count, 0);
	cr_assert_eq(store_note_list(t, "bad user", collect, &s, &count),
	    STORE_NOTFOUND);
	store_abort(t);
}

Test(note, numbers_continue_after_delete)
{
	struct store_txn	*t;
	uint64_t		 last;
	size_t			 count;

	add("u", "1");
	add("u", "2");
	add("u", "3");
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_note_del(t, "u", 2), STORE_OK);
	cr_assert_eq(store_note_del(t, "u", 2), STORE_NOTFOUND);
	cr_assert_eq(store_note_count(t, "u", &count, &last), STORE_OK);
	cr_assert_eq(count, 2);
	cr_assert_eq(last, 3);
	cr_assert_eq(store_note_put(t, "u", 3, "", "dup", 1), STORE_EXISTS,
	    "a number is never reused while taken");
	store_abort(t);
}

/*
 * Deleting the newest note does not free its number: a retried
 * notes_delete (idempotentHint) or an old number must never reach a
 * newer note.
 */
Test(note, numbers_are_never_reused)
{
	struct store_txn	*t;
	struct note		 n;
	uint64_t		 last, id;
	size_t			 count;

	add("u", "1");
	add("u", "2");
	add("v", "other user");
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_note_del(t, "u", 2), STORE_OK);
	cr_assert_eq(store_note_count(t, "u", &count, &last), STORE_OK);
	cr_assert_eq(last, 1);
	cr_assert_eq(store_note_new_id(t, "u", last, &id), STORE_OK);
	cr_assert_eq(id, 3);
	cr_assert_eq(store_note_put(t, "u", id, "", "3", 1), STORE_OK);
	cr_assert_eq(store_note_get(t, "u", 2, &n), STORE_NOTFOUND);
	/* Each user counts on their own. */
	cr_assert_eq(store_note_count(t, "v", &count, &last), STORE_OK);
	cr_assert_eq(store_note_new_id(t, "v", last, &id), STORE_OK);
	cr_assert_eq(id, 2);
	/* A user deleted and created again starts over. */
	cr_assert_eq(store_note_forget(t, "u"), STORE_OK);
	cr_assert_eq(store_note_new_id(t, "u", 0, &id), STORE_OK);
	cr_assert_eq(id, 1);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(note, corrupt_record)
{
	struct store_txn	*t;
	struct note		 n;
	unsigned char		 key[] = { 'u', 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_put(t, DB_NOTES, key, sizeof(key), "\x01", 1, 0),
	    STORE_OK);
	cr_assert_eq(store_note_get(t, "u", 1, &n), STORE_CORRUPT);
	store_abort(t);
}
