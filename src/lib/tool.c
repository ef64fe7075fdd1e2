/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdarg.h>
#include <stdio.h>

#include <json-c/json.h>

#include "buf.h"
#include "tool.h"

static void
add_text(struct tool_call *call, const char *fmt, va_list ap)
{
	struct json_object	*o;
	struct buf		 b;

	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("text"));
	json_object_object_add(o, "text", json_object_new_string(buf_cstr(&b)));
	json_object_array_add(call->content, o);
	buf_free(&b);
}

/* Appends a text content block. */
void
tool_text(struct tool_call *call, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	add_text(call, fmt, ap);
	va_end(ap);
}

/*
 * Appends a text block explaining the error and marks the result
 * isError: the model sees it and can correct itself (MCP 2025-11-25,
 * server/tools, error handling: tool execution errors).
 */
void
tool_error(struct tool_call *call, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	add_text(call, fmt, ap);
	va_end(ap);
	call->is_error = 1;
}

static void
add_binary(struct tool_call *call, const char *type, const char *base64,
    const char *mime)
{
	struct json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "data", json_object_new_string(base64));
	json_object_object_add(o, "mimeType", json_object_new_string(mime));
	json_object_array_add(call->content, o);
}

void
tool_image(struct tool_call *call, const char *base64, const char *mime)
{
	add_binary(call, "image", base64, mime);
}

void
tool_audio(struct tool_call *call, const char *base64, const char *mime)
{
	add_binary(call, "audio", base64, mime);
}

/*
 * An embedded text resource content block (schema: EmbeddedResource),
 * for tool results and prompt messages alike.
 */
struct json_object *
tool_embedded_text(const char *uri, const char *mime, const char *text)
{
	struct json_object	*o, *r;

	r = json_object_new_object();
	json_object_object_add(r, "uri", json_object_new_string(uri));
	json_object_object_add(r, "mimeType", json_object_new_string(mime));
	json_object_object_add(r, "text", json_object_new_string(text));
	o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("resource"));
	json_object_object_add(o, "resource", r);
	return o;
}

/* Appends an embedded text resource. */
void
tool_resource_text(struct tool_call *call, const char *uri, const char *mime,
    const char *text)
{
	json_object_array_add(call->content, tool_embedded_text(uri, mime,
	    text));
}

/*
 * Sets structuredContent (taking the reference) and also appends its
 * serialisation as a text block, for clients that read only the text
 * (MCP 2025-11-25, server/tools, structured content).
 */
void
tool_structured(struct tool_call *call, struct json_object *o)
{
	json_object_put(call->structured);
	call->structured = o;
	tool_text(call, "%s", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The database, opened on first use by the program. */
int
tool_store(struct tool_call *call, struct store **out)
{
	int	 rc;

	if (call->store != NULL) {
		*out = call->store;
		return STORE_OK;
	}
	rc = call->open_store(call->open_store_ctx, &call->store);
	*out = call->store;
	return rc;
}

/* A string argument, or NULL if absent (the schema checked the type). */
const char *
tool_arg_string(const struct tool_call *call, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(call->args, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer argument; -1 if absent or not an integer. */
int
tool_arg_int(const struct tool_call *call, const char *key, int64_t *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(call->args, key, &v))
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_double)) {
		double	 d = json_object_get_double(v);

		if (d >= -9.0e15 && d <= 9.0e15 && d == (double)(int64_t)d) {
			*out = (int64_t)d;
			return 0;
		}
	}
	return -1;
}
