/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The prompt methods of /mcp (MCP 2025-11-25 and 2026-07-28,
 * server/prompts), prompts/list and prompts/get, and
 * completion/complete (server/utilities/completion) for prompt
 * arguments and resource-template variables.
 */
#include <string.h>

#include <json-c/json.h>

#include "complete.h"
#include "mcp.h"
#include "prompt.h"
#include "resource.h"

const struct prompt *
mcp_prompt_find(const struct mcp_server *srv, const char *name)
{
	size_t	 i;

	for (i = 0; i < srv->nprompts; i++)
		if (strcmp(srv->prompts[i]->name, name) == 0)
			return srv->prompts[i];
	return NULL;
}

/*
 * prompts/list: every prompt whatever the token's scopes, as tools
 * are listed, so a modern result is public.
 */
struct json_object *
mcp_prompts_list(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct mcp_server	*srv = ctx->server;
	struct json_object	*list, *r;
	size_t			 i, start;

	(void)outcome;
	if (mcp_cursor_read(params, srv->nprompts, &start) == -1)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "invalid cursor");
	list = json_object_new_array();
	for (i = start; i < srv->nprompts && i < start + MCP_PAGE_SIZE; i++)
		json_object_array_add(list, prompt_json(srv->prompts[i]));
	r = json_object_new_object();
	json_object_object_add(r, "prompts", list);
	if (i < srv->nprompts)
		mcp_cursor_add(r, i);
	if (ctx->modern)
		mcp_cache_hints(r, "public", MCP_CACHE_TTL_MS);
	return mcp_reply_result(ctx, id, r);
}

/* params.arguments: an object, or absent; -1 for anything else. */
static int
arguments(struct json_object *params, struct json_object **args)
{
	*args = NULL;
	if (params == NULL || !json_object_object_get_ex(params, "arguments",
	    args) || *args == NULL)
		return 0;
	return json_object_is_type(*args, json_type_object) ? 0 : -1;
}

/*
 * prompts/get.  An unknown prompt and wrong arguments are -32602
 * (2025-11-25, server/prompts, error handling).
 */
struct json_object *
mcp_prompts_get(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct prompt	*p;
	struct tool_caller	 caller;
	struct tool_call	 call;
	struct json_object	*v, *args, *r;
	char			 why[160];
	enum prompt_status	 st;

	if (params == NULL || !json_object_object_get_ex(params, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.name must be a string");
	if ((p = mcp_prompt_find(ctx->server, json_object_get_string(v))) ==
	    NULL)
		return mcp_errorf(id, JSONRPC_INVALID_PARAMS,
		    "Unknown prompt: %s", json_object_get_string(v));
	if (mcp_scope_refused(ctx, p->scope, outcome))
		return NULL;
	if (arguments(params, &args) == -1)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.arguments must be an object");
	if (prompt_check_args(p, args, why, sizeof(why)) == -1)
		return mcp_errorf(id, JSONRPC_INVALID_PARAMS,
		    "Invalid arguments: %s", why);
	mcp_call_init(ctx, &call, &caller, args);
	if ((r = mcp_input_begin(ctx, id, params, "prompts/get", p->name,
	    &call)) != NULL) {
		mcp_call_free(&call);
		return r;
	}
	st = p->handler(&call);
	if (st == PROMPT_OK && (r = mcp_input_reply(ctx, id, "prompts/get",
	    p->name, &call)) != NULL) {
		mcp_call_free(&call);
		return r;
	}
	if (st == PROMPT_INVALID) {
		mcp_call_free(&call);
		return mcp_errorf(id, JSONRPC_INVALID_PARAMS,
		    "Invalid arguments for the prompt %s", p->name);
	}
	if (st != PROMPT_OK) {
		mcp_call_free(&call);
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "the prompt failed; see the server's error log");
	}
	r = json_object_new_object();
	if (p->description != NULL)
		json_object_object_add(r, "description",
		    json_object_new_string(p->description));
	json_object_object_add(r, "messages", json_object_get(call.content));
	mcp_call_free(&call);
	return mcp_reply_result(ctx, id, r);
}

/* A string member of o, or NULL. */
static const char *
member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/*
 * completion/complete: params.ref names a prompt (ref/prompt, name)
 * or a resource template (ref/resource, uri: the template itself),
 * params.argument the name and the partial value, and
 * params.context.arguments the values already chosen, which reach the
 * handler in call->args.  At most COMPLETE_VALUES_MAX values, the
 * total and hasMore (server/utilities/completion).
 */
struct json_object *
mcp_complete(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct mcp_server	*srv = ctx->server;
	const struct prompt	*p = NULL;
	const struct resource_template *t = NULL;
	struct tool_caller	 caller;
	struct tool_call	 call;
	struct json_object	*ref = NULL, *arg = NULL, *cx = NULL, *args;
	struct json_object	*values, *c, *r;
	const char		*type, *name, *value, *scope;
	size_t			 i, n;
	int			 failed = 0;

	if (params != NULL) {
		json_object_object_get_ex(params, "ref", &ref);
		json_object_object_get_ex(params, "argument", &arg);
		json_object_object_get_ex(params, "context", &cx);
	}
	type = member(ref, "type");
	name = member(arg, "name");
	value = member(arg, "value");
	if (type == NULL || name == NULL || value == NULL)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS, "params.ref."
		    "type, params.argument.name and .value must be strings");
	if (strlen(value) > PROMPT_ARG_LEN_MAX)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.argument.value is too long");
	if (strcmp(type, "ref/prompt") == 0) {
		if (member(ref, "name") == NULL || (p = mcp_prompt_find(srv,
		    member(ref, "name"))) == NULL)
			return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
			    "Unknown prompt");
		scope = p->scope;
	} else if (strcmp(type, "ref/resource") == 0) {
		for (i = 0; member(ref, "uri") != NULL &&
		    i < srv->ntemplates; i++)
			if (strcmp(srv->templates[i]->uri_template,
			    member(ref, "uri")) == 0)
				t = srv->templates[i];
		if (t == NULL)
			return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
			    "Unknown resource template");
		scope = t->scope;
	} else
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.ref.type must be ref/prompt or ref/resource");
	if (mcp_scope_refused(ctx, scope, outcome))
		return NULL;
	args = NULL;
	if (cx != NULL && json_object_is_type(cx, json_type_object))
		json_object_object_get_ex(cx, "arguments", &args);
	if (args != NULL && !json_object_is_type(args, json_type_object))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.context.arguments must be an object");
	mcp_call_init(ctx, &call, &caller, args);
	if (p != NULL && p->complete != NULL)
		failed = p->complete(&call, name, value) != PROMPT_OK;
	else if (t != NULL && t->complete != NULL)
		failed = t->complete(&call, name, value) != RESOURCE_OK;
	if (failed) {
		mcp_call_free(&call);
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "completion failed; see the server's error log");
	}
	n = json_object_array_length(call.content);
	values = json_object_new_array();
	for (i = 0; i < n && i < COMPLETE_VALUES_MAX; i++)
		json_object_array_add(values, json_object_get(
		    json_object_array_get_idx(call.content, i)));
	mcp_call_free(&call);
	c = json_object_new_object();
	json_object_object_add(c, "values", values);
	json_object_object_add(c, "total", json_object_new_int64((int64_t)n));
	json_object_object_add(c, "hasMore",
	    json_object_new_boolean(n > COMPLETE_VALUES_MAX));
	r = json_object_new_object();
	json_object_object_add(r, "completion", c);
	return mcp_reply_result(ctx, id, r);
}
