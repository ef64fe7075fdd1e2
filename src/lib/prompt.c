/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "prompt.h"

/* Appends a message (schema: PromptMessage) with one content block. */
static void
add_message(struct tool_call *call, const char *role,
    struct json_object *content)
{
	struct json_object	*m;

	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string(
	    strcmp(role, "assistant") == 0 ? "assistant" : "user"));
	json_object_object_add(m, "content", content);
	json_object_array_add(call->content, m);
}

void
prompt_text(struct tool_call *call, const char *role, const char *fmt, ...)
{
	struct json_object	*c;
	struct buf		 b;
	va_list			 ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c = json_object_new_object();
	json_object_object_add(c, "type", json_object_new_string("text"));
	json_object_object_add(c, "text", json_object_new_string(buf_cstr(&b)));
	add_message(call, role, c);
	buf_free(&b);
}

/* An image message: base64 data and its MIME type. */
void
prompt_image(struct tool_call *call, const char *role, const char *base64,
    const char *mime)
{
	struct json_object	*c;

	c = json_object_new_object();
	json_object_object_add(c, "type", json_object_new_string("image"));
	json_object_object_add(c, "data", json_object_new_string(base64));
	json_object_object_add(c, "mimeType", json_object_new_string(mime));
	add_message(call, role, c);
}

/* An embedded text resource (schema: EmbeddedResource). */
void
prompt_resource(struct tool_call *call, const char *role, const char *uri,
    const char *mime, const char *text)
{
	add_message(call, role, tool_embedded_text(uri, mime, text));
}

/* The prompt as prompts/list shows it (schema: Prompt). */
struct json_object *
prompt_json(const struct prompt *p)
{
	struct json_object	*o, *args, *a, *v;
	size_t			 i;

	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(p->name));
	if (p->title != NULL)
		json_object_object_add(o, "title",
		    json_object_new_string(p->title));
	if (p->description != NULL)
		json_object_object_add(o, "description",
		    json_object_new_string(p->description));
	args = json_object_new_array();
	for (i = 0; i < p->narguments; i++) {
		const struct prompt_argument	*pa = &p->arguments[i];

		a = json_object_new_object();
		json_object_object_add(a, "name",
		    json_object_new_string(pa->name));
		if (pa->title != NULL)
			json_object_object_add(a, "title",
			    json_object_new_string(pa->title));
		if (pa->description != NULL)
			json_object_object_add(a, "description",
			    json_object_new_string(pa->description));
		json_object_object_add(a, "required",
		    json_object_new_boolean(pa->required));
		json_object_array_add(args, a);
	}
	json_object_object_add(o, "arguments", args);
	if (p->scope != NULL) {
		v = json_object_new_object();
		json_object_object_add(v, "io.github.mcp-oauth-fcgi/scope",
		    json_object_new_string(p->scope));
		json_object_object_add(o, "_meta", v);
	}
	return o;
}

/*
 * Checks the arguments of a prompts/get (an object, or NULL for none):
 * every value a string of bounded length, every name one the prompt
 * declares, every required one present.  Returns -1 with the reason in
 * why, for the -32602 error's message.
 */
int
prompt_check_args(const struct prompt *p, struct json_object *args,
    char *why, size_t whysz)
{
	struct json_object_iterator	 it, end;
	struct json_object		*v;
	const char			*key;
	size_t				 i, n = 0;

	if (args != NULL) {
		it = json_object_iter_begin(args);
		end = json_object_iter_end(args);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it), n++) {
			key = json_object_iter_peek_name(&it);
			v = json_object_iter_peek_value(&it);
			for (i = 0; i < p->narguments; i++)
				if (strcmp(p->arguments[i].name, key) == 0)
					break;
			if (n >= PROMPT_ARGS_MAX || i == p->narguments) {
				snprintf(why, whysz, "the prompt has no "
				    "argument %.64s", key);
				return -1;
			}
			if (!json_object_is_type(v, json_type_string) ||
			    json_object_get_string_len(v) >
			    PROMPT_ARG_LEN_MAX) {
				snprintf(why, whysz, "argument %s must be a "
				    "string of at most %d bytes", key,
				    PROMPT_ARG_LEN_MAX);
				return -1;
			}
		}
	}
	for (i = 0; i < p->narguments; i++)
		if (p->arguments[i].required && (args == NULL ||
		    !json_object_object_get_ex(args, p->arguments[i].name,
		    NULL))) {
			snprintf(why, whysz, "missing required argument %s",
			    p->arguments[i].name);
			return -1;
		}
	return 0;
}
