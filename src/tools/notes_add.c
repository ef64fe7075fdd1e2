/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes_add: saves a note for the caller.  A user has at most
 * NOTES_PER_USER_MAX notes of at most NOTE_TEXT_MAX characters.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/note.h"
#include "tools.h"

static enum tool_status
notes_add(struct tool_call *call)
{
	struct store_txn	*t;
	struct json_object	*o;
	const char		*text = tool_arg_string(call, "text");
	const char		*title = tool_arg_string(call, "title");
	uint64_t		 last, id;
	size_t			 count;
	int			 rc;

	if (text == NULL || text[0] == '\0') {
		tool_error(call, "text must not be empty.");
		return TOOL_OK;
	}
	if (notes_begin(call, 0, &t) == -1)
		return TOOL_OK;
	if ((rc = store_note_count(t, call->caller->user, &count, &last)) !=
	    STORE_OK)
		goto fail;
	if (count >= NOTES_PER_USER_MAX) {
		store_abort(t);
		tool_error(call, "You already have %d notes, the most this "
		    "server keeps per user. Delete some with notes_delete "
		    "first.", NOTES_PER_USER_MAX);
		return TOOL_OK;
	}
	if ((rc = store_note_new_id(t, call->caller->user, last, &id)) !=
	    STORE_OK || (rc = store_note_put(t, call->caller->user, id,
	    title != NULL ? title : "", text, time(NULL))) != STORE_OK)
		goto fail;
	if (notes_limit(call, t) == -1)
		return TOOL_OK;
	if ((rc = store_commit(t)) != STORE_OK) {
		notes_store_error(call, rc);
		return TOOL_OK;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64((int64_t)id));
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)count + 1));
	tool_structured(call, o);
	return TOOL_OK;
fail:
	store_abort(t);
	notes_store_error(call, rc);
	return TOOL_OK;
}

const struct tool tool_notes_add = {
	.name = "notes_add",
	.title = "Add a note",
	.description = "Saves a note (up to 4000 characters, with an "
	    "optional title of up to 200) and returns its number. You can "
	    "keep up to 1000 notes.",
	.input_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"text\":{\"type\":\"string\",\"minLength\":1,"
	    "\"maxLength\":4000,\"description\":\"The note.\"},"
	    "\"title\":{\"type\":\"string\",\"maxLength\":200,"
	    "\"description\":\"A short title.\"}},"
	    "\"required\":[\"text\"],\"additionalProperties\":false}",
	.output_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"id\":{\"type\":\"integer\"},\"count\":{\"type\":\"integer\"}},"
	    "\"required\":[\"id\",\"count\"]}",
	.annotations = "{\"readOnlyHint\":false,\"destructiveHint\":false,"
	    "\"idempotentHint\":false,\"openWorldHint\":false}",
	.scope = "notes:write",
	.handler = notes_add,
};
