/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes_list: the caller's notes, newest last, with their numbers and
 * titles.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/note.h"
#include "tools.h"

static int
add_note(const struct note *n, void *arg)
{
	struct json_object	*list = arg, *o;
	char			 stamp[32];
	struct tm		 tm;
	time_t			 t = (time_t)n->created;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		stamp[0] = '\0';
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64((int64_t)n->id));
	json_object_object_add(o, "title", json_object_new_string(
	    n->title[0] != '\0' ? n->title : "(untitled)"));
	json_object_object_add(o, "created", json_object_new_string(stamp));
	json_object_object_add(o, "length",
	    json_object_new_int64((int64_t)strlen(n->text)));
	json_object_array_add(list, o);
	return 0;
}

static enum tool_status
notes_list(struct tool_call *call)
{
	struct store_txn	*t;
	struct json_object	*o, *list;
	size_t			 count;
	int			 rc;

	if (notes_begin(call, 1, &t) == -1)
		return TOOL_OK;
	list = json_object_new_array();
	rc = store_note_list(t, call->caller->user, add_note, list, &count);
	store_abort(t);
	if (rc != STORE_OK) {
		json_object_put(list);
		notes_store_error(call, rc);
		return TOOL_OK;
	}
	o = json_object_new_object();
	json_object_object_add(o, "notes", list);
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)count));
	tool_structured(call, o);
	return TOOL_OK;
}

const struct tool tool_notes_list = {
	.name = "notes_list",
	.title = "List my notes",
	.description = "Lists your notes: number, title, creation time and "
	    "length. Read one with notes_get.",
	.input_schema = "{\"type\":\"object\",\"properties\":{},"
	    "\"additionalProperties\":false}",
	.output_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"notes\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	    "\"properties\":{\"id\":{\"type\":\"integer\"},"
	    "\"title\":{\"type\":\"string\"},"
	    "\"created\":{\"type\":\"string\"},"
	    "\"length\":{\"type\":\"integer\"}},"
	    "\"required\":[\"id\",\"title\",\"created\",\"length\"]}},"
	    "\"count\":{\"type\":\"integer\"}},"
	    "\"required\":[\"notes\",\"count\"]}",
	.annotations = "{\"readOnlyHint\":true,\"openWorldHint\":false}",
	.scope = "notes:read",
	.handler = notes_list,
};
