/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes://{id}: each of the caller's notes as a resource, the listing
 * of them for resources/list, and completion of the id.  The store
 * keys every note by its owner, so a URI naming another user's note
 * is simply not found.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../lib/buf.h"
#include "../lib/complete.h"
#include "../lib/note.h"
#include "tools.h"

#define NOTE_URI_MAX	32

static enum resource_status
notes_read(struct tool_call *call)
{
	struct store_txn	*t;
	struct note		 n;
	struct buf		 b;
	char			 uri[NOTE_URI_MAX];
	uint64_t		 id;
	int			 rc;

	if (notes_id_parse(tool_arg_string(call, "id"), &id) == -1)
		return RESOURCE_NOT_FOUND;
	if (notes_read_txn(call, &t) == -1)
		return RESOURCE_FAILED;
	rc = store_note_get(t, call->caller->user, id, &n);
	store_abort(t);
	if (rc == STORE_NOTFOUND)
		return RESOURCE_NOT_FOUND;
	if (rc != STORE_OK)
		return RESOURCE_FAILED;
	snprintf(uri, sizeof(uri), "notes://%" PRIu64, id);
	buf_init(&b);
	buf_printf(&b, "# %s\n\n%s\n", n.title, n.text);
	resource_text(call, uri, "text/markdown", buf_cstr(&b));
	buf_free(&b);
	note_free(&n);
	return RESOURCE_OK;
}

static int
list_one(const struct note *n, void *arg)
{
	struct tool_call	*call = arg;
	char			 uri[NOTE_URI_MAX], name[NOTE_URI_MAX];

	snprintf(uri, sizeof(uri), "notes://%" PRIu64, n->id);
	snprintf(name, sizeof(name), "note-%" PRIu64, n->id);
	resource_listed(call, uri, name,
	    n->title[0] != '\0' ? n->title : "(untitled)", "text/markdown");
	return 0;
}

static enum resource_status
notes_listing(struct tool_call *call)
{
	struct store_txn	*t;
	size_t			 count;
	int			 rc;

	if (notes_read_txn(call, &t) == -1)
		return RESOURCE_FAILED;
	rc = store_note_list(t, call->caller->user, list_one, call, &count);
	store_abort(t);
	return rc == STORE_OK ? RESOURCE_OK : RESOURCE_FAILED;
}

struct completing {
	struct tool_call	*call;
	const char		*prefix;
};

/* Offers a note's number if it or the note's title begins with prefix. */
static int
complete_one(const struct note *n, void *arg)
{
	struct completing	*c = arg;
	char			 id[NOTE_URI_MAX];

	snprintf(id, sizeof(id), "%" PRIu64, n->id);
	if (complete_prefix(id, c->prefix) ||
	    complete_prefix(n->title, c->prefix))
		complete_value(c->call, id);
	return 0;
}

/*
 * Completes a note number, for this template's id and for the prompt's
 * id argument alike.  Returns -1 if the notes cannot be read.
 */
int
notes_complete_id(struct tool_call *call, const char *prefix)
{
	struct completing	 c = { call, prefix };
	struct store_txn	*t;
	size_t			 count;
	int			 rc;

	if (notes_read_txn(call, &t) == -1)
		return -1;
	rc = store_note_list(t, call->caller->user, complete_one, &c, &count);
	store_abort(t);
	return rc == STORE_OK ? 0 : -1;
}

static enum resource_status
notes_complete(struct tool_call *call, const char *var, const char *prefix)
{
	if (strcmp(var, "id") != 0)
		return RESOURCE_OK;
	return notes_complete_id(call, prefix) == 0 ? RESOURCE_OK :
	    RESOURCE_FAILED;
}

const struct resource_template resource_notes = {
	.uri_template = "notes://{id}",
	.name = "note",
	.title = "A note",
	.description = "One of your notes, by its number, as Markdown: the "
	    "title as a heading, then the text.",
	.mime_type = "text/markdown",
	.annotations = "{\"audience\":[\"user\",\"assistant\"]}",
	.scope = "notes:read",
	.read = notes_read,
	.list = notes_listing,
	.complete = notes_complete,
};
