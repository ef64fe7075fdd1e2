/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The resource methods of /mcp (MCP 2025-11-25 and 2026-07-28,
 * server/resources): resources/list, resources/templates/list and
 * resources/read over the server's static resources and templates.
 */
#include <string.h>

#include <json-c/json.h>

#include "log.h"
#include "mcp.h"
#include "resource.h"
#include "scope.h"
#include "uritmpl.h"

/*
 * Finds what uri names: a static resource with that exact URI, else
 * the first template that matches it, with its variables in *vars.
 * Returns -1 if nothing does.
 */
int
mcp_resource_find(const struct mcp_server *srv, const char *uri,
    const struct resource **res, const struct resource_template **tmpl,
    struct uritmpl_vars *vars)
{
	size_t	 i;

	*res = NULL;
	*tmpl = NULL;
	for (i = 0; i < srv->nresources; i++)
		if (strcmp(srv->resources[i]->uri, uri) == 0) {
			*res = srv->resources[i];
			return 0;
		}
	for (i = 0; i < srv->ntemplates; i++)
		if (uritmpl_match(srv->templates[i]->uri_template, uri,
		    vars) == 0) {
			*tmpl = srv->templates[i];
			return 0;
		}
	return -1;
}

/*
 * resources/list: the static resources, then each template's listing
 * of the caller's resources (a template whose scope the token lacks
 * lists nothing: its resources are the user's data), MCP_PAGE_SIZE per
 * page.  The listing depends on the user, so a modern result is
 * private and stale at once (server/utilities/caching).
 */
struct json_object *
mcp_resources_list(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct mcp_server	*srv = ctx->server;
	const struct resource_template *t;
	struct tool_caller	 caller;
	struct tool_call	 call;
	struct json_object	*all, *page, *r;
	size_t			 i, j, n, start, total;
	enum resource_status	 st;

	(void)outcome;
	all = json_object_new_array();
	for (i = 0; i < srv->nresources; i++)
		json_object_array_add(all, resource_json(srv->resources[i]));
	for (i = 0; i < srv->ntemplates; i++) {
		t = srv->templates[i];
		if (t->list == NULL || (t->scope != NULL &&
		    !scope_allows(ctx->token->scope, t->scope)))
			continue;
		mcp_call_init(ctx, &call, &caller, NULL);
		st = t->list(&call);
		if (st == RESOURCE_FAILED) {
			mcp_call_free(&call);
			json_object_put(all);
			return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
			    "listing the resources failed; see the server's "
			    "error log");
		}
		n = json_object_array_length(call.content);
		for (j = 0; j < n; j++)
			json_object_array_add(all, json_object_get(
			    json_object_array_get_idx(call.content, j)));
		mcp_call_free(&call);
	}
	total = json_object_array_length(all);
	if (mcp_cursor_read(params, total, &start) == -1) {
		json_object_put(all);
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "invalid cursor");
	}
	page = json_object_new_array();
	for (i = start; i < total && i < start + MCP_PAGE_SIZE; i++)
		json_object_array_add(page,
		    json_object_get(json_object_array_get_idx(all, i)));
	json_object_put(all);
	r = json_object_new_object();
	json_object_object_add(r, "resources", page);
	if (i < total)
		mcp_cursor_add(r, i);
	if (ctx->modern)
		mcp_cache_hints(r, "private", 0);
	return mcp_reply_result(ctx, id, r);
}

/*
 * resources/templates/list: every template whatever the token's
 * scopes, as tools are listed, so a modern result is public.
 */
struct json_object *
mcp_resource_templates_list(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct mcp_server	*srv = ctx->server;
	struct json_object	*list, *r;
	size_t			 i, start;

	(void)outcome;
	if (mcp_cursor_read(params, srv->ntemplates, &start) == -1)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "invalid cursor");
	list = json_object_new_array();
	for (i = start; i < srv->ntemplates && i < start + MCP_PAGE_SIZE; i++)
		json_object_array_add(list,
		    resource_template_json(srv->templates[i]));
	r = json_object_new_object();
	json_object_object_add(r, "resourceTemplates", list);
	if (i < srv->ntemplates)
		mcp_cursor_add(r, i);
	if (ctx->modern)
		mcp_cache_hints(r, "public", MCP_CACHE_TTL_MS);
	return mcp_reply_result(ctx, id, r);
}

/*
 * The resource-not-found error: -32002 in the 2025 revisions
 * (2025-11-25, server/resources, error handling), -32602 from
 * 2026-07-28 on, which clients also accept for the old code.  It
 * carries the URI asked for, as both revisions' example does.
 */
static struct json_object *
not_found(const struct mcp_context *ctx, struct json_object *id,
    const char *uri)
{
	struct json_object	*r, *e, *data;

	r = jsonrpc_error(id, ctx->modern ? JSONRPC_INVALID_PARAMS :
	    MCP_RESOURCE_NOT_FOUND, "Resource not found");
	data = json_object_new_object();
	json_object_object_add(data, "uri", json_object_new_string(uri));
	json_object_object_get_ex(r, "error", &e);
	json_object_object_add(e, "data", data);
	return r;
}

/*
 * resources/read.  A template's variables reach the handler as the
 * string arguments of call->args.  Whether a URI names something is
 * decided before its scope is checked, so a token without the scope
 * learns only that the server has such a template, which its listing
 * says anyway.
 */
struct json_object *
mcp_resources_read(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct mcp_server	*srv = ctx->server;
	const struct resource	*res;
	const struct resource_template *tmpl;
	struct uritmpl_vars	 vars;
	struct tool_caller	 caller;
	struct tool_call	 call;
	struct json_object	*v, *args, *r;
	const char		*uri, *scope;
	size_t			 i;
	enum resource_status	 st;

	if (params == NULL || !json_object_object_get_ex(params, "uri", &v) ||
	    !json_object_is_type(v, json_type_string))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.uri must be a string");
	uri = json_object_get_string(v);
	if (strlen(uri) > URITMPL_LEN_MAX)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.uri is too long");
	if (mcp_resource_find(srv, uri, &res, &tmpl, &vars) == -1)
		return not_found(ctx, id, uri);
	scope = res != NULL ? res->scope : tmpl->scope;
	if (mcp_scope_refused(ctx, scope, outcome))
		return NULL;
	args = json_object_new_object();
	if (tmpl != NULL)
		for (i = 0; i < vars.n; i++)
			json_object_object_add(args, vars.name[i],
			    json_object_new_string(vars.value[i]));
	mcp_call_init(ctx, &call, &caller, args);
	json_object_put(args);
	if ((r = mcp_input_begin(ctx, id, params, "resources/read", uri,
	    &call)) != NULL) {
		mcp_call_free(&call);
		return r;
	}
	st = res != NULL ? res->read(&call) : tmpl->read(&call);
	if (st == RESOURCE_OK && (r = mcp_input_reply(ctx, id,
	    "resources/read", uri, &call)) != NULL) {
		mcp_call_free(&call);
		return r;
	}
	if (st == RESOURCE_NOT_FOUND) {
		mcp_call_free(&call);
		return not_found(ctx, id, uri);
	}
	if (st != RESOURCE_OK) {
		mcp_call_free(&call);
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "reading the resource failed; see the server's error log");
	}
	r = json_object_new_object();
	json_object_object_add(r, "contents", json_object_get(call.content));
	mcp_call_free(&call);
	if (ctx->modern)
		mcp_cache_hints(r, "private", 0);
	return mcp_reply_result(ctx, id, r);
}
