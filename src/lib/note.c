/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "note.h"
#include "record.h"
#include "store.h"
#include "user.h"

#define NOTE_KEY_MAX	(USER_NAME_MAX + 1 + 8)

void
note_free(struct note *n)
{
	free(n->title);
	free(n->text);
	n->title = n->text = NULL;
}

static size_t
note_key(unsigned char *key, const char *user, uint64_t id)
{
	size_t	 n = strlen(user), i;

	memcpy(key, user, n);
	key[n] = '\0';
	for (i = 0; i < 8; i++)
		key[n + 1 + i] = (unsigned char)(id >> (56 - 8 * i));
	return n + 9;
}

/* Record: created i64, title string, text string. */
int
note_decode(const void *p, size_t n, struct note *note)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	note->created = rec_get_i64(&r);
	note->title = rec_get_str(&r);
	note->text = rec_get_str(&r);
	if (!rec_reader_ok(&r)) {
		note_free(note);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/*
 * Walks user's notes in order of number.  visit may stop the walk by
 * returning non-zero.  count receives how many were visited.
 */
int
store_note_list(struct store_txn *t, const char *user, note_visit visit,
    void *arg, size_t *count)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 key[NOTE_KEY_MAX];
	size_t			 ulen = strlen(user), n = 0;
	int			 rc, op;

	if (!user_name_valid(user))
		return STORE_NOTFOUND;
	if ((rc = store_cursor_open(t, DB_NOTES, &cur)) != STORE_OK)
		return rc;
	k.len = note_key(key, user, 0);
	k.data = key;
	for (op = STORE_SET_RANGE; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT) {
		struct note	 note;
		const unsigned char *kp = k.data;
		size_t		 i;

		if (k.len != ulen + 9 || memcmp(kp, user, ulen) != 0 ||
		    kp[ulen] != '\0')
			break;
		memset(&note, 0, sizeof(note));
		for (i = 0; i < 8; i++)
			note.id = note.id << 8 | kp[ulen + 1 + i];
		if (visit == NULL) {
			n++;
			continue;
		}
		if ((rc = note_decode(v.data, v.len, &note)) != STORE_OK) {
			store_cursor_close(cur);
			return rc;
		}
		n++;
		rc = visit(&note, arg);
		note_free(&note);
		if (rc != 0)
			break;
	}
	store_cursor_close(cur);
	if (count != NULL)
		*count = n;
	return STORE_OK;
}

static int
remember_last(const struct note *n, void *arg)
{
	*(uint64_t *)arg = n->id;
	return 0;
}

/* How many notes user has, and the highest number in use. */
int
store_note_count(struct store_txn *t, const char *user, size_t *count,
    uint64_t *last)
{
	uint64_t	 id = 0;
	int		 rc;

	rc = store_note_list(t, user, remember_last, &id, count);
	if (last != NULL)
		*last = id;
	return rc;
}

/*
 * The highest number user's notes have ever had is kept in the meta
 * database under "note-next:<user>" (big-endian u64), so that deleting
 * the newest note does not free its number: a client that retries
 * notes_delete, or reads a number it saw earlier, must never reach a
 * different note.
 */
static size_t
note_counter_key(char *key, size_t keysz, const char *user)
{
	int	 n;

	n = snprintf(key, keysz, "note-next:%s", user);
	return n < 0 || (size_t)n >= keysz ? 0 : (size_t)n;
}

/*
 * Picks the number of user's next note: above last (the highest in use,
 * from store_note_count()) and above every number used before, and
 * records it.  Call in the write transaction that stores the note.
 */
int
store_note_new_id(struct store_txn *t, const char *user, uint64_t last,
    uint64_t *id)
{
	char			 key[32 + USER_NAME_MAX];
	unsigned char		 be[8];
	struct store_val	 v;
	uint64_t		 used = 0;
	size_t			 klen, i;
	int			 rc;

	if (!user_name_valid(user) ||
	    (klen = note_counter_key(key, sizeof(key), user)) == 0)
		return STORE_NOTFOUND;
	rc = store_get(t, DB_META, key, klen, &v);
	if (rc == STORE_OK && v.len == 8)
		for (i = 0; i < 8; i++)
			used = used << 8 | ((const unsigned char *)v.data)[i];
	else if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	*id = (used > last ? used : last) + 1;
	for (i = 0; i < 8; i++)
		be[i] = (unsigned char)(*id >> (56 - 8 * i));
	return store_put(t, DB_META, key, klen, be, sizeof(be), 0);
}

/* Forgets user's note numbering (the user is being deleted). */
int
store_note_forget(struct store_txn *t, const char *user)
{
	char	 key[32 + USER_NAME_MAX];
	size_t	 klen;
	int	 rc;

	if ((klen = note_counter_key(key, sizeof(key), user)) == 0)
		return STORE_OK;
	rc = store_del(t, DB_META, key, klen, NULL, 0);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Stores note number id of user.  The caller picks the number with
 * store_note_count() and store_note_new_id() in the same write
 * transaction, which also enforces the per-user limit atomically.
 */
int
store_note_put(struct store_txn *t, const char *user, uint64_t id,
    const char *title, const char *text, int64_t now)
{
	unsigned char	 key[NOTE_KEY_MAX];
	struct buf	 b;
	int		 rc;

	if (!user_name_valid(user))
		return STORE_NOTFOUND;
	buf_init(&b);
	rec_begin(&b);
	rec_put_i64(&b, now);
	rec_put_str(&b, title);
	rec_put_str(&b, text);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_NOTES, key,
	    note_key(key, user, id), b.data, b.len, STORE_NOOVERWRITE);
	buf_free(&b);
	return rc;
}

int
store_note_get(struct store_txn *t, const char *user, uint64_t id,
    struct note *note)
{
	unsigned char		 key[NOTE_KEY_MAX];
	struct store_val	 v;
	int			 rc;

	memset(note, 0, sizeof(*note));
	if (!user_name_valid(user))
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_NOTES, key, note_key(key, user, id), &v)) !=
	    STORE_OK)
		return rc;
	note->id = id;
	return note_decode(v.data, v.len, note);
}

int
store_note_del(struct store_txn *t, const char *user, uint64_t id)
{
	unsigned char	 key[NOTE_KEY_MAX];

	if (!user_name_valid(user))
		return STORE_NOTFOUND;
	return store_del(t, DB_NOTES, key, note_key(key, user, id), NULL, 0);
}
