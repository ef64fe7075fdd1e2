/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "log.h"
#include "loglevel.h"
#include "mcp.h"
#include "mcpstream.h"

/*
 * logging/setLevel of the legacy era (MCP 2025-11-25,
 * server/utilities/logging): the lowest level of the log messages the
 * client wants from now on, kept for the grant of its access token
 * (loglevel.h), so that every process serving its later requests
 * knows it.  Tokens of another authorization server (token_validation
 * = jwt or introspection) belong to no grant of ours: the level is
 * then refused with -32603 rather than accepted and forgotten.
 */
struct json_object *
mcp_logging_set_level(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	struct store		*st;
	struct store_txn	*t;
	struct json_object	*v;
	int			 level, rc;

	(void)outcome;
	if (params == NULL || !json_object_object_get_ex(params, "level",
	    &v) || !json_object_is_type(v, json_type_string) ||
	    (level = log_level_parse(json_object_get_string(v))) == -1)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.level must be one of debug, info, notice, "
		    "warning, error, critical, alert, emergency");
	if (ctx->token->grant_id[0] == '\0')
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR, "the log "
		    "level cannot be kept for a token of another "
		    "authorization server");
	if ((rc = app_store(ctx->app, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK)
		goto fail;
	if ((rc = store_log_level_put(t, ctx->token->grant_id, level)) !=
	    STORE_OK) {
		store_abort(t);
		goto fail;
	}
	if ((rc = store_commit(t)) != STORE_OK)
		goto fail;
	return mcp_reply_result(ctx, id, json_object_new_object());
fail:
	log_msg("store_error", "logging/setLevel: %s", store_strerror(rc));
	return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
	    "the log level could not be stored");
}

static int
legacy_level(void *arg, int *level)
{
	struct mcp_context	*ctx = arg;
	struct store		*st;

	if (ctx->token->grant_id[0] == '\0' ||
	    app_store(ctx->app, &st) != STORE_OK)
		return -1;
	return store_log_level_get(st, ctx->token->grant_id, level);
}

/*
 * The log level in force for a request.  Legacy: the one stored by
 * logging/setLevel, looked up only when a handler first logs
 * (legacy_level()), so that requests that log nothing never read it.
 * Modern: the request's own _meta "io.modelcontextprotocol/logLevel",
 * and without it no log message at all (MCP 2026-07-28,
 * server/utilities/logging).  Returns -1 for a level that is not one.
 */
int
mcp_stream_level(struct mcp_context *ctx, struct json_object *meta,
    struct mcp_stream *s)
{
	struct json_object	*v;

	if (!ctx->modern) {
		s->log_level = MCP_LOG_UNKNOWN;
		s->level_lookup = legacy_level;
		s->level_ctx = ctx;
		return 0;
	}
	s->log_level = MCP_LOG_NONE;
	if (meta == NULL || !json_object_object_get_ex(meta,
	    MCP_META_LOG_LEVEL, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    (s->log_level = log_level_parse(json_object_get_string(v))) == -1) {
		s->log_level = MCP_LOG_NONE;
		return -1;
	}
	return 0;
}
