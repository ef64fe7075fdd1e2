/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes_get: one of the caller's notes, whole.
 */
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/note.h"
#include "tools.h"

static enum tool_status
notes_get(struct tool_call *call)
{
	struct store_txn	*t;
	struct note		 n;
	struct json_object	*o;
	int64_t			 id;
	char			 stamp[32];
	struct tm		 tm;
	time_t			 when;
	int			 rc;

	if (notes_id(call, &id) == -1)
		return TOOL_OK;
	if (notes_begin(call, 1, &t) == -1)
		return TOOL_OK;
	rc = store_note_get(t, call->caller->user, (uint64_t)id, &n);
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
	when = (time_t)n.created;
	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		stamp[0] = '\0';
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "title", json_object_new_string(n.title));
	json_object_object_add(o, "text", json_object_new_string(n.text));
	json_object_object_add(o, "created", json_object_new_string(stamp));
	tool_structured(call, o);
	note_free(&n);
	return TOOL_OK;
}

const struct tool tool_notes_get = {
	.name = "notes_get",
	.title = "Read a note",
	.description = "Returns one of your notes in full, by its number "
	    "(see notes_list).",
	.input_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"id\":{\"type\":\"integer\",\"minimum\":1,"
	    "\"description\":\"The note's number.\"}},"
	    "\"required\":[\"id\"],\"additionalProperties\":false}",
	.output_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},"
	    "\"text\":{\"type\":\"string\"},\"created\":{\"type\":\"string\"}},"
	    "\"required\":[\"id\",\"title\",\"text\",\"created\"]}",
	.annotations = "{\"readOnlyHint\":true,\"openWorldHint\":false}",
	.scope = "notes:read",
	.handler = notes_get,
};
