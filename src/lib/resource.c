/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "jsonutil.h"
#include "resource.h"

static void
add_str(struct json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

/* Appends text contents (schema: TextResourceContents). */
void
resource_text(struct tool_call *call, const char *uri, const char *mime,
    const char *text)
{
	struct json_object	*o;

	o = json_object_new_object();
	add_str(o, "uri", uri);
	add_str(o, "mimeType", mime);
	add_str(o, "text", text);
	json_object_array_add(call->content, o);
}

/*
 * Appends binary contents, base64-encoded as the schema's
 * BlobResourceContents requires (standard alphabet, padded).
 */
void
resource_blob(struct tool_call *call, const char *uri, const char *mime,
    const void *data, size_t len)
{
	struct json_object	*o;
	char			*b64;
	size_t			 sz = 4 * ((len + 2) / 3) + 1;

	if (len > RESOURCE_BLOB_MAX || (b64 = malloc(sz)) == NULL)
		return;
	EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
	o = json_object_new_object();
	add_str(o, "uri", uri);
	add_str(o, "mimeType", mime);
	add_str(o, "blob", b64);
	json_object_array_add(call->content, o);
	free(b64);
}

/* Names one of the caller's resources in a template's listing. */
void
resource_listed(struct tool_call *call, const char *uri, const char *name,
    const char *title, const char *mime)
{
	struct json_object	*o;

	o = json_object_new_object();
	add_str(o, "uri", uri);
	add_str(o, "name", name);
	add_str(o, "title", title);
	add_str(o, "mimeType", mime);
	json_object_array_add(call->content, o);
}

/*
 * The common fields of a listed resource or template: annotations as
 * the descriptor gives them, and the scope it needs in _meta, as tools
 * show theirs.
 */
static void
add_common(struct json_object *o, const char *title, const char *desc,
    const char *mime, const char *annotations, const char *scope)
{
	struct json_object	*v;

	add_str(o, "title", title);
	add_str(o, "description", desc);
	add_str(o, "mimeType", mime);
	if (annotations != NULL && json_parse_strict(annotations,
	    strlen(annotations), &v) == JSONU_OK && v != NULL)
		json_object_object_add(o, "annotations", v);
	if (scope != NULL) {
		v = json_object_new_object();
		json_object_object_add(v, "io.github.mcp-oauth-fcgi/scope",
		    json_object_new_string(scope));
		json_object_object_add(o, "_meta", v);
	}
}

struct json_object *
resource_json(const struct resource *r)
{
	struct json_object	*o;

	o = json_object_new_object();
	add_str(o, "uri", r->uri);
	add_str(o, "name", r->name);
	add_common(o, r->title, r->description, r->mime_type, r->annotations,
	    r->scope);
	return o;
}

struct json_object *
resource_template_json(const struct resource_template *r)
{
	struct json_object	*o;

	o = json_object_new_object();
	add_str(o, "uriTemplate", r->uri_template);
	add_str(o, "name", r->name);
	add_common(o, r->title, r->description, r->mime_type, r->annotations,
	    r->scope);
	return o;
}
