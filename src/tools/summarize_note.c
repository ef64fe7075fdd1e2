/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * summarize_note: a prompt asking the model to summarise one of the
 * caller's notes, which it embeds as a resource.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../lib/complete.h"
#include "../lib/note.h"
#include "tools.h"

static enum prompt_status
summarize(struct tool_call *call)
{
	struct store_txn	*t;
	struct note		 n;
	const char		*length = tool_arg_string(call, "length");
	char			 uri[32];
	uint64_t		 id;
	int			 rc;

	if (notes_id_parse(tool_arg_string(call, "id"), &id) == -1)
		return PROMPT_INVALID;
	if (length != NULL && strcmp(length, "short") != 0 &&
	    strcmp(length, "long") != 0)
		return PROMPT_INVALID;
	if (notes_read_txn(call, &t) == -1)
		return PROMPT_FAILED;
	rc = store_note_get(t, call->caller->user, id, &n);
	store_abort(t);
	if (rc == STORE_NOTFOUND)
		return PROMPT_INVALID;
	if (rc != STORE_OK)
		return PROMPT_FAILED;
	snprintf(uri, sizeof(uri), "notes://%" PRIu64, id);
	prompt_text(call, "user", "Summarize my note \"%s\" %s.", n.title,
	    length != NULL && strcmp(length, "long") == 0 ?
	    "in a paragraph" : "in one sentence");
	prompt_resource(call, "user", uri, "text/plain", n.text);
	note_free(&n);
	return PROMPT_OK;
}

static enum prompt_status
complete(struct tool_call *call, const char *arg, const char *prefix)
{
	if (strcmp(arg, "id") == 0)
		return notes_complete_id(call, prefix) == 0 ? PROMPT_OK :
		    PROMPT_FAILED;
	if (strcmp(arg, "length") == 0) {
		if (complete_prefix("short", prefix))
			complete_value(call, "short");
		if (complete_prefix("long", prefix))
			complete_value(call, "long");
	}
	return PROMPT_OK;
}

static const struct prompt_argument arguments[] = {
	{ .name = "id", .title = "Note", .description = "The note's number "
	    "(see notes_list).", .required = 1 },
	{ .name = "length", .description = "short (the default) or long." },
};

const struct prompt prompt_summarize_note = {
	.name = "summarize_note",
	.title = "Summarize a note",
	.description = "Asks for a summary of one of your notes.",
	.arguments = arguments,
	.narguments = sizeof(arguments) / sizeof(arguments[0]),
	.scope = "notes:read",
	.handler = summarize,
	.complete = complete,
};
