/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes_delete: deletes one of the caller's notes.
 */
#include <stdint.h>

#include <json-c/json.h>

#include "../lib/note.h"
#include "tools.h"

static enum tool_status
notes_delete(struct tool_call *call)
{
	struct store_txn	*t;
	struct json_object	*o;
	int64_t			 id;
	int			 rc;

	if (notes_id(call, &id) == -1)
		return TOOL_OK;
	if (notes_begin(call, 0, &t) == -1)
		return TOOL_OK;
	rc = store_note_del(t, call->caller->user, (uint64_t)id);
	if (rc == STORE_OK && notes_limit(call, t) == -1)
		return TOOL_OK;
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc == STORE_NOTFOUND) {
		tool_error(call, "You have no note number %lld.",
		    (long long)id);
		return TOOL_OK;
	}
	if (rc != STORE_OK) {
		notes_store_error(call, rc);
		return TOOL_OK;
	}
	o = json_object_new_object();
	json_object_object_add(o, "deleted", json_object_new_int64(id));
	tool_structured(call, o);
	return TOOL_OK;
}

const struct tool tool_notes_delete = {
	.name = "notes_delete",
	.title = "Delete a note",
	.description = "Deletes one of your notes by its number (see "
	    "notes_list).",
	.input_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"id\":{\"type\":\"integer\",\"minimum\":1,"
	    "\"description\":\"The note's number.\"}},"
	    "\"required\":[\"id\"],\"additionalProperties\":false}",
	.output_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"deleted\":{\"type\":\"integer\"}},\"required\":[\"deleted\"]}",
	.annotations = "{\"readOnlyHint\":false,\"destructiveHint\":true,"
	    "\"idempotentHint\":true,\"openWorldHint\":false}",
	.scope = "notes:write",
	.handler = notes_delete,
};
