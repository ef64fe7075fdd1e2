/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Notes: the per-user storage behind the built-in notes tools.  Keys
 * are the user name, a NUL and the note's number (big-endian u64), so
 * one user's notes are one contiguous key range and no lookup can
 * reach another user's notes.
 */
#ifndef MCP_NOTE_H
#define MCP_NOTE_H

#include <stdint.h>

#include "store.h"

#define NOTE_TEXT_MAX		4000
#define NOTE_TITLE_MAX		200
#define NOTES_PER_USER_MAX	1000

struct note {
	uint64_t	 id;
	int64_t		 created;
	char		*title;
	char		*text;
};

typedef int	(*note_visit)(const struct note *, void *);

void	 note_free(struct note *);
int	 note_decode(const void *, size_t, struct note *);
int	 store_note_put(struct store_txn *, const char *, uint64_t,
	    const char *, const char *, int64_t);
int	 store_note_get(struct store_txn *, const char *, uint64_t,
	    struct note *);
int	 store_note_del(struct store_txn *, const char *, uint64_t);
int	 store_note_list(struct store_txn *, const char *, note_visit, void *,
	    size_t *);
int	 store_note_count(struct store_txn *, const char *, size_t *,
	    uint64_t *);
int	 store_note_new_id(struct store_txn *, const char *, uint64_t,
	    uint64_t *);
int	 store_note_forget(struct store_txn *, const char *);

#endif
