/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes_delete: deletes one of the caller's notes.  A modern client
 * that declares elicitation is asked to confirm first (MCP 2026-07-28,
 * basic/patterns/mrtr): the first call answers with the question and
 * the note's number kept in the request state; the retry deletes only
 * if the person accepted and the state names the same note.  Other
 * clients delete at once, as before.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/note.h"
#include "tools.h"

#define CONFIRM_SCHEMA "{\"type\":\"object\",\"properties\":" \
	"{\"confirm\":{\"type\":\"boolean\",\"title\":\"Delete it\"}}," \
	"\"required\":[\"confirm\"]}"

/*
 * Whether the note may be deleted now: 1 yes, 0 not (the reply is set:
 * the question, or that the person said no).
 */
static int
confirmed(struct tool_call *call, int64_t id)
{
	struct json_object	*content, *v;
	char			 want[24], msg[96];

	if (!tool_can_ask(call, "elicitation"))
		return 1;
	snprintf(want, sizeof(want), "%" PRId64, id);
	if (tool_state(call) != NULL && strcmp(tool_state(call), want) == 0 &&
	    tool_answer(call, "confirm") != NULL) {
		content = tool_answer_accepted(call, "confirm");
		if (content != NULL &&
		    json_object_object_get_ex(content, "confirm", &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v))
			return 1;
		tool_error(call, "Note %s was not deleted: you did not "
		    "confirm.", want);
		return 0;
	}
	snprintf(msg, sizeof(msg), "Delete your note number %s? This cannot "
	    "be undone.", want);
	if (tool_ask_elicit(call, "confirm", msg, CONFIRM_SCHEMA) == -1 ||
	    tool_state_keep(call, want) == -1) {
		tool_error(call, "The confirmation could not be asked.");
		return 0;
	}
	return 0;
}

static enum tool_status
notes_delete(struct tool_call *call)
{
	struct store_txn	*t;
	struct json_object	*o;
	int64_t			 id;
	int			 rc;

	if (notes_id(call, &id) == -1 || !confirmed(call, id))
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
	    "notes_list).  A client that can ask you (elicitation) asks you "
	    "to confirm first.",
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
