/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * notes_search: the caller's notes whose title or text contains a
 * phrase (ASCII letters in any case).  It reports its progress at most
 * ten times over the whole search (once per note up to ten notes) to
 * a client that asked with a progress token (tool_progress()): the
 * demo of a streamed answer.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/note.h"
#include "tools.h"

/* How many progress notifications a search sends at most. */
#define SEARCH_PROGRESS_STEPS	10

struct search {
	struct tool_call	*call;
	const char		*phrase;
	struct json_object	*matches;
	size_t			 seen;
	size_t			 total;
	size_t			 step;
};

/* Whether phrase occurs in text, ASCII letters compared in any case. */
static int
contains(const char *text, const char *phrase)
{
	size_t	 n = strlen(phrase), i;

	for (; *text != '\0'; text++) {
		for (i = 0; i < n && text[i] != '\0' &&
		    tolower((unsigned char)text[i]) ==
		    tolower((unsigned char)phrase[i]); i++)
			continue;
		if (i == n)
			return 1;
	}
	return 0;
}

static int
visit(const struct note *n, void *arg)
{
	struct search		*s = arg;
	struct json_object	*o;

	if (contains(n->title, s->phrase) || contains(n->text, s->phrase)) {
		o = json_object_new_object();
		json_object_object_add(o, "id",
		    json_object_new_int64((int64_t)n->id));
		json_object_object_add(o, "title", json_object_new_string(
		    n->title[0] != '\0' ? n->title : "(untitled)"));
		json_object_array_add(s->matches, o);
	}
	s->seen++;
	if (s->seen % s->step == 0 || s->seen == s->total)
		tool_progress(s->call, (double)s->seen, (double)s->total,
		    "searching your notes");
	return 0;
}

static enum tool_status
notes_search(struct tool_call *call)
{
	struct store_txn	*t;
	struct search		 s;
	struct json_object	*o;
	size_t			 count;
	int			 rc;

	memset(&s, 0, sizeof(s));
	s.call = call;
	if ((s.phrase = tool_arg_string(call, "phrase")) == NULL) {
		tool_error(call, "phrase must be a string.");
		return TOOL_OK;
	}
	if (notes_begin(call, 1, &t) == -1)
		return TOOL_OK;
	if ((rc = store_note_count(t, call->caller->user, &s.total,
	    NULL)) != STORE_OK) {
		store_abort(t);
		notes_store_error(call, rc);
		return TOOL_OK;
	}
	s.step = (s.total + SEARCH_PROGRESS_STEPS - 1) / SEARCH_PROGRESS_STEPS;
	if (s.step == 0)
		s.step = 1;
	s.matches = json_object_new_array();
	rc = store_note_list(t, call->caller->user, visit, &s, &count);
	store_abort(t);
	if (rc != STORE_OK) {
		json_object_put(s.matches);
		notes_store_error(call, rc);
		return TOOL_OK;
	}
	tool_log(call, TOOL_LOG_INFO, "notes_search", "searched %zu notes, "
	    "%zu match", count, json_object_array_length(s.matches));
	o = json_object_new_object();
	json_object_object_add(o, "matches", s.matches);
	json_object_object_add(o, "searched", json_object_new_int64(
	    (int64_t)count));
	tool_structured(call, o);
	return TOOL_OK;
}

const struct tool tool_notes_search = {
	.name = "notes_search",
	.title = "Search my notes",
	.description = "Finds your notes whose title or text contains a "
	    "phrase (letters in any case), reporting its progress.",
	.input_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"phrase\":{\"type\":\"string\",\"minLength\":1,"
	    "\"maxLength\":200}},\"required\":[\"phrase\"],"
	    "\"additionalProperties\":false}",
	.output_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"matches\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
	    "\"properties\":{\"id\":{\"type\":\"integer\"},"
	    "\"title\":{\"type\":\"string\"}},"
	    "\"required\":[\"id\",\"title\"]}},"
	    "\"searched\":{\"type\":\"integer\"}},"
	    "\"required\":[\"matches\",\"searched\"]}",
	.annotations = "{\"readOnlyHint\":true,\"openWorldHint\":false}",
	.scope = "notes:read",
	.handler = notes_search,
};
