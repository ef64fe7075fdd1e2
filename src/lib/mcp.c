/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "jsonutil.h"
#include "log.h"
#include "mcp.h"
#include "mcpparam.h"
#include "schema.h"
#include "scope.h"
#include "tool.h"
#include "uritmpl.h"

/*
 * Newest first: the first is the counter-offer to an initialize that
 * asks for a version we do not speak (MCP 2025-11-25,
 * basic/lifecycle, version negotiation).
 */
const char *const mcp_versions[] = {
	"2025-11-25",
	"2025-06-18",
	"2025-03-26",
	NULL
};

/*
 * Each tool's input schema, parsed once per process, and the
 * serialised tool list pages.
 */
static struct json_object	**schemas;
static const struct mcp_server	*prepared_for;

/*
 * The first page of tools/list is the same for every request (every
 * tool is listed whatever the token's scopes), so it is built once per
 * process and handed out by reference, with its text serialised once:
 * building it parsed each tool's schemas and allocated hundreds of
 * objects per request, most of the cost of the hot path.
 */
struct first_page {
	struct json_object	*page;
	const struct mcp_server	*server;
	const struct tool *const *tools;
	size_t			 ntools;
};

/* One per era: a modern page carries resultType and caching hints. */
static struct first_page	 first_pages[2];

/* Whether v is one of a NULL-terminated list of versions. */
int
mcp_version_listed(const char *const *list, const char *v)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

int
mcp_version_supported(const char *v)
{
	return mcp_version_listed(mcp_versions, v);
}

/* Appends the supported versions, newest first, separated by ", ". */
void
mcp_versions_text(struct buf *out)
{
	size_t	 i;

	for (i = 0; mcp_versions[i] != NULL; i++)
		buf_printf(out, "%s%s", i > 0 ? ", " : "", mcp_versions[i]);
}

/*
 * Parses the tools' schemas.  A schema that does not parse, or a name
 * outside the tool-name rules (MCP 2025-11-25, server/tools: 1 to 128
 * characters of A-Z, a-z, 0-9, "_", "-" and "."), or an x-mcp-header
 * annotation that breaks its rules (mcpparam.c), is a programming
 * error: reported once, and then every tools/ call fails with -32603.
 */
int
mcp_tools_prepare(const struct mcp_server *srv, char *why, size_t whysz)
{
	char	 bad[192];
	size_t	 i, n;

	if (prepared_for == srv)
		return 0;
	for (i = 0; i < 2; i++) {
		json_object_put(first_pages[i].page);
		memset(&first_pages[i], 0, sizeof(first_pages[i]));
	}
	/* The array ends in NULL, and a failed preparation left NULLs. */
	prepared_for = NULL;
	for (i = 0; schemas != NULL && schemas[i] != NULL; i++)
		json_object_put(schemas[i]);
	free(schemas);
	if ((schemas = calloc(srv->ntools + 1, sizeof(*schemas))) == NULL)
		return -1;
	for (i = 0; i < srv->ntools; i++) {
		const struct tool	*t = srv->tools[i];

		n = strlen(t->name);
		if (n == 0 || n > 64 || strspn(t->name, "ABCDEFGHIJKLMNOPQRSTUV"
		    "WXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n) {
			snprintf(why, whysz, "tool name \"%s\" is invalid",
			    t->name);
			return -1;
		}
		if (json_parse_strict(t->input_schema, strlen(t->input_schema),
		    &schemas[i]) != JSONU_OK ||
		    !json_object_is_type(schemas[i], json_type_object)) {
			snprintf(why, whysz, "tool %s: input_schema is not a "
			    "JSON object", t->name);
			return -1;
		}
		/* A bad x-mcp-header is a bad schema (streamable-http). */
		if (mcp_param_check_schema(schemas[i], bad, sizeof(bad)) ==
		    -1) {
			snprintf(why, whysz, "tool %s: %s", t->name, bad);
			return -1;
		}
	}
	prepared_for = srv;
	return 0;
}

/*
 * The parsed input schema of the tool called name, or NULL for no such
 * tool or tools that did not prepare.
 */
struct json_object *
mcp_tool_input_schema(const struct mcp_server *srv, const char *name)
{
	char	 why[256];
	size_t	 i;

	if (mcp_tools_prepare(srv, why, sizeof(why)) == -1)
		return NULL;
	for (i = 0; i < srv->ntools; i++)
		if (strcmp(srv->tools[i]->name, name) == 0)
			return schemas[i];
	return NULL;
}

/* A JSON-RPC error response for id (NULL for an unreadable id). */
struct json_object *
jsonrpc_error(struct json_object *id, int code, const char *message)
{
	struct json_object	*o, *e;

	o = json_object_new_object();
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", json_object_get(id));
	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(o, "error", e);
	return o;
}

static struct json_object *
jsonrpc_result(struct json_object *id, struct json_object *result)
{
	struct json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "id", json_object_get(id));
	json_object_object_add(o, "result", result);
	return o;
}

/* The server's name, title and version (schema: Implementation). */
static struct json_object *
server_info(const struct mcp_context *ctx)
{
	struct json_object	*info;

	info = json_object_new_object();
	json_object_object_add(info, "name",
	    json_object_new_string(ctx->server->name));
	if (ctx->server->title != NULL)
		json_object_object_add(info, "title",
		    json_object_new_string(ctx->server->title));
	json_object_object_add(info, "version",
	    json_object_new_string(PACKAGE_VERSION));
	return info;
}

/*
 * A modern result names its type and, as every result SHOULD, the
 * server (MCP 2026-07-28, basic/index: resultType, per-response
 * protocol fields).  A result that asks the client for input is
 * retyped by mcp_input_reply().
 */
static void
modern_result(const struct mcp_context *ctx, struct json_object *r)
{
	struct json_object	*meta;

	json_object_object_add(r, "resultType",
	    json_object_new_string("complete"));
	meta = json_object_new_object();
	json_object_object_add(meta, MCP_META_SERVER_INFO, server_info(ctx));
	json_object_object_add(r, "_meta", meta);
}

/*
 * The caching hints of a modern result (MCP 2026-07-28,
 * server/utilities/caching): "public" for what is the same for every
 * caller (every tool, prompt and template is listed whatever the
 * token's scopes), "private" for what depends on the user.
 */
void
mcp_cache_hints(struct json_object *r, const char *scope, int ttl_ms)
{
	json_object_object_add(r, "ttlMs", json_object_new_int(ttl_ms));
	json_object_object_add(r, "cacheScope",
	    json_object_new_string(scope));
}

/* A successful reply, dressed for the request's era. */
struct json_object *
mcp_reply_result(const struct mcp_context *ctx, struct json_object *id,
    struct json_object *r)
{
	if (ctx->modern)
		modern_result(ctx, r);
	return jsonrpc_result(id, r);
}

/*
 * An error whose message names something the client sent (a method or
 * tool name, valid UTF-8 since the parser checks it), cut to fit at a
 * character boundary: half a character would make the reply invalid
 * UTF-8, which strict clients refuse to parse.
 */
struct json_object *
mcp_errorf(struct json_object *id, int code, const char *fmt, const char *arg)
{
	char		 msg[256];
	size_t		 len = sizeof(msg) - 1, i, need;
	unsigned char	 c;
	int		 n;

	n = snprintf(msg, sizeof(msg), fmt, arg);
	if (n >= (int)sizeof(msg)) {
		/* Back over continuation bytes to the last lead byte. */
		for (i = len; i > 0 &&
		    ((unsigned char)msg[i - 1] & 0xc0) == 0x80; i--)
			continue;
		if (i > 0) {
			c = (unsigned char)msg[i - 1];
			if (c >= 0xf0)
				need = 4;
			else if (c >= 0xe0)
				need = 3;
			else if (c >= 0xc0)
				need = 2;
			else
				need = 1;
			if (len - (i - 1) < need)
				msg[i - 1] = '\0';
		}
	}
	return jsonrpc_error(id, code, msg);
}

/* Whether a prompt or template of the server completes arguments. */
static int
completes(const struct mcp_server *srv)
{
	size_t	 i;

	for (i = 0; i < srv->ntemplates; i++)
		if (srv->templates[i]->complete != NULL)
			return 1;
	for (i = 0; i < srv->nprompts; i++)
		if (srv->prompts[i]->complete != NULL)
			return 1;
	return 0;
}

/*
 * The capabilities we declare: tools always, resources, prompts and
 * completions only when the server has some (MCP 2025-11-25,
 * basic/lifecycle: capability negotiation).  None of the lists
 * changes while a client is connected, and nothing is subscribable.
 */
static struct json_object *
capabilities(const struct mcp_server *srv)
{
	struct json_object	*caps, *o;

	caps = json_object_new_object();
	json_object_object_add(caps, "tools", json_object_new_object());
	if (srv->nresources > 0 || srv->ntemplates > 0) {
		o = json_object_new_object();
		json_object_object_add(o, "subscribe",
		    json_object_new_boolean(0));
		json_object_object_add(o, "listChanged",
		    json_object_new_boolean(0));
		json_object_object_add(caps, "resources", o);
	}
	if (srv->nprompts > 0) {
		o = json_object_new_object();
		json_object_object_add(o, "listChanged",
		    json_object_new_boolean(0));
		json_object_object_add(caps, "prompts", o);
	}
	if (completes(srv))
		json_object_object_add(caps, "completions",
		    json_object_new_object());
	/* Any handler may log (tool_log(); MCP 2025-11-25, logging). */
	json_object_object_add(caps, "logging", json_object_new_object());
	return caps;
}

static struct json_object *
do_initialize(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	struct json_object	*r, *caps, *tools, *v;
	const char		*asked, *version;

	(void)outcome;
	if (ctx->in_batch)
		return jsonrpc_error(id, JSONRPC_INVALID_REQUEST,
		    "initialize must not be part of a batch");
	if (!json_object_object_get_ex(params, "protocolVersion", &v) ||
	    !json_object_is_type(v, json_type_string))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.protocolVersion must be a string");
	asked = json_object_get_string(v);
	version = mcp_version_supported(asked) ? asked : mcp_versions[0];
	r = json_object_new_object();
	json_object_object_add(r, "protocolVersion",
	    json_object_new_string(version));
	caps = capabilities(ctx->server);
	json_object_object_get_ex(caps, "tools", &tools);
	json_object_object_add(tools, "listChanged",
	    json_object_new_boolean(0));
	json_object_object_add(r, "capabilities", caps);
	json_object_object_add(r, "serverInfo", server_info(ctx));
	if (ctx->server->instructions != NULL)
		json_object_object_add(r, "instructions",
		    json_object_new_string(ctx->server->instructions));
	return jsonrpc_result(id, r);
}

static struct json_object *
do_ping(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	(void)ctx;
	(void)params;
	(void)outcome;
	return jsonrpc_result(id, json_object_new_object());
}

static struct json_object *
tool_json(const struct tool *t, struct json_object *schema)
{
	struct json_object	*o, *v;
	struct buf		 desc;

	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(t->name));
	if (t->title != NULL)
		json_object_object_add(o, "title",
		    json_object_new_string(t->title));
	/*
	 * Every tool is listed whatever the token's scopes; the scope it
	 * needs is part of its description, and calling it without that
	 * scope gets the 403 step-up challenge (MCP 2025-11-25,
	 * basic/authorization, scope challenge handling).
	 */
	buf_init(&desc);
	buf_puts(&desc, t->description);
	if (t->scope != NULL)
		buf_printf(&desc, " (Requires the OAuth scope %s.)", t->scope);
	json_object_object_add(o, "description",
	    json_object_new_string(buf_cstr(&desc)));
	buf_free(&desc);
	json_object_object_add(o, "inputSchema", json_object_get(schema));
	if (t->output_schema != NULL && json_parse_strict(t->output_schema,
	    strlen(t->output_schema), &v) == JSONU_OK && v != NULL)
		json_object_object_add(o, "outputSchema", v);
	if (t->annotations != NULL && json_parse_strict(t->annotations,
	    strlen(t->annotations), &v) == JSONU_OK && v != NULL)
		json_object_object_add(o, "annotations", v);
	if (t->scope != NULL) {
		v = json_object_new_object();
		json_object_object_add(v, "io.github.mcp-oauth-fcgi/scope",
		    json_object_new_string(t->scope));
		json_object_object_add(o, "_meta", v);
	}
	return o;
}

static void
first_page_keep(const struct mcp_context *ctx, struct json_object *r)
{
	struct first_page	*fp = &first_pages[ctx->modern != 0];
	char			*text;

	json_object_put(fp->page);
	memset(fp, 0, sizeof(*fp));
	if ((text = strdup(json_str(r))) == NULL)
		return;
	json_object_set_serializer(r, json_object_userdata_to_json_string,
	    text, json_object_free_userdata);
	fp->page = json_object_get(r);
	fp->server = ctx->server;
	fp->tools = ctx->server->tools;
	fp->ntools = ctx->server->ntools;
}

/*
 * The cursor of a paged list (MCP 2025-11-25, server/utilities/
 * pagination): the base64url of the next index, four bytes.  Returns
 * -1 for a cursor that is not one we could have made for a list of
 * total entries (the error is -32602); *start is 0 without a cursor.
 */
int
mcp_cursor_read(struct json_object *params, size_t total, size_t *start)
{
	struct json_object	*v;
	unsigned char		 raw[8];
	const char		*c;
	size_t			 len;

	*start = 0;
	if (params == NULL || !json_object_object_get_ex(params, "cursor",
	    &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	c = json_object_get_string(v);
	if (base64url_decode(c, strlen(c), raw, sizeof(raw), &len) !=
	    CRYPTO_OK || len != 4)
		return -1;
	*start = (size_t)raw[0] << 24 | (size_t)raw[1] << 16 |
	    (size_t)raw[2] << 8 | raw[3];
	if (*start == 0 || *start >= total)
		return -1;
	return 0;
}

/* Adds nextCursor, the cursor of the page that starts at index next. */
void
mcp_cursor_add(struct json_object *r, size_t next)
{
	unsigned char	 raw[4];
	char		 cursor[16];

	raw[0] = (unsigned char)(next >> 24);
	raw[1] = (unsigned char)(next >> 16);
	raw[2] = (unsigned char)(next >> 8);
	raw[3] = (unsigned char)next;
	base64url_encode(raw, 4, cursor, sizeof(cursor));
	json_object_object_add(r, "nextCursor", json_object_new_string(cursor));
}

/* tools/list, in the table's order, MCP_PAGE_SIZE per page. */
static struct json_object *
do_tools_list(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct first_page	*fp = &first_pages[ctx->modern != 0];
	struct json_object	*r, *list;
	size_t			 start = 0, i, n;

	(void)outcome;
	if (mcp_cursor_read(params, ctx->server->ntools, &start) == -1)
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "invalid cursor");
	if (start == 0 && fp->page != NULL && fp->server == ctx->server &&
	    fp->tools == ctx->server->tools &&
	    fp->ntools == ctx->server->ntools)
		return jsonrpc_result(id, json_object_get(fp->page));
	r = json_object_new_object();
	list = json_object_new_array();
	n = ctx->server->ntools - start;
	if (n > MCP_PAGE_SIZE)
		n = MCP_PAGE_SIZE;
	for (i = start; i < start + n; i++)
		json_object_array_add(list, tool_json(ctx->server->tools[i],
		    schemas[i]));
	json_object_object_add(r, "tools", list);
	if (start + n < ctx->server->ntools)
		mcp_cursor_add(r, start + n);
	if (ctx->modern) {
		modern_result(ctx, r);
		mcp_cache_hints(r, "public", MCP_CACHE_TTL_MS);
	}
	if (start == 0)
		first_page_keep(ctx, r);
	return jsonrpc_result(id, r);
}

/*
 * server/discover (MCP 2026-07-28, server/discover): the versions we
 * speak, both eras, so that the list agrees with the one an
 * unsupported-version error gives; our capabilities, who we are, the
 * instructions, and the caching hints every discover result carries.
 */
static struct json_object *
do_discover(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	struct json_object	*r, *caps;

	(void)params;
	(void)outcome;
	r = json_object_new_object();
	json_object_object_add(r, "supportedVersions",
	    mcp_all_versions_json());
	caps = capabilities(ctx->server);
	json_object_object_add(r, "capabilities", caps);
	if (ctx->server->instructions != NULL)
		json_object_object_add(r, "instructions",
		    json_object_new_string(ctx->server->instructions));
	modern_result(ctx, r);
	mcp_cache_hints(r, "public", MCP_CACHE_TTL_MS);
	return jsonrpc_result(id, r);
}

/*
 * A tool that needs a capability of the client the request does not
 * declare (MCP 2026-07-28, basic/index: a server must not rely on
 * capabilities the client has not declared; schema:
 * MissingRequiredClientCapabilityError).  A legacy client declared its
 * capabilities once, in an initialize we keep no record of, so only
 * a modern request is checked.
 */
static struct json_object *
missing_capability(struct json_object *id, const char *capability)
{
	struct json_object	*r, *e, *data, *caps;

	r = mcp_errorf(id, MCP_MISSING_CLIENT_CAPABILITY, "The tool needs the "
	    "client capability %s, which the request does not declare",
	    capability);
	caps = json_object_new_object();
	json_object_object_add(caps, capability, json_object_new_object());
	data = json_object_new_object();
	json_object_object_add(data, "requiredCapabilities", caps);
	json_object_object_get_ex(r, "error", &e);
	json_object_object_add(e, "data", data);
	return r;
}

static int
store_for_tool(void *ctx, struct store **out)
{
	return app_store(ctx, out);
}

/*
 * Prepares the request structure a handler receives (tool.h): the
 * caller from the token, the database on demand, args (a new
 * reference, or an empty object) and an empty content array.
 */
void
mcp_call_init(struct mcp_context *ctx, struct tool_call *call,
    struct tool_caller *caller, struct json_object *args)
{
	memset(call, 0, sizeof(*call));
	caller->user = ctx->token->user;
	caller->client_id = ctx->token->client_id;
	caller->scope = ctx->token->scope;
	caller->token_expires = ctx->token->expires;
	call->caller = caller;
	call->cfg = ctx->cfg;
	call->open_store = store_for_tool;
	call->open_store_ctx = ctx->app;
	call->args = args != NULL ? json_object_get(args) :
	    json_object_new_object();
	call->content = json_object_new_array();
	call->stream = ctx->in_batch ? NULL : ctx->stream;
}

/* Drops what mcp_call_init() and the handler left in call. */
void
mcp_call_free(struct tool_call *call)
{
	json_object_put(call->args);
	json_object_put(call->content);
	json_object_put(call->structured);
	mcp_input_free(call);
	memset(call, 0, sizeof(*call));
}

/*
 * Whether the token lacks scope; if so the request is answered with
 * the 403 step-up challenge naming it (MCP 2025-11-25,
 * basic/authorization, scope challenge handling).
 */
int
mcp_scope_refused(struct mcp_context *ctx, const char *scope,
    enum mcp_outcome *outcome)
{
	if (scope == NULL || scope_allows(ctx->token->scope, scope))
		return 0;
	ctx->needed_scope = scope;
	*outcome = MCP_FORBIDDEN;
	return 1;
}

/*
 * The client's progress token, a string or an integer (MCP 2025-11-25,
 * basic/utilities/progress), or NULL.  Borrowed from params.
 */
static struct json_object *
progress_token(struct json_object *params)
{
	struct json_object	*meta, *v;

	if (!json_object_object_get_ex(params, "_meta", &meta) ||
	    !json_object_is_type(meta, json_type_object) ||
	    !json_object_object_get_ex(meta, "progressToken", &v) ||
	    !(json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int)))
		return NULL;
	return v;
}

/*
 * One log line per tool call that reached its tool: who (user and
 * client), which tool, and how it ended.  Tool calls are not in the
 * audit trail (the /mcp path writes nothing for them): this line is
 * their record, for the site's log collector.  Never the arguments.
 */
static void
log_tool_call(const struct tool_call *call, const char *tool,
    const char *outcome)
{
	struct log_line	 l;

	log_begin(&l, "tool_call");
	log_str(&l, "user", call->caller->user);
	log_str(&l, "client", call->caller->client_id);
	log_str(&l, "tool", tool);
	log_str(&l, "outcome", outcome);
	log_end(&l);
}

static struct json_object *
do_tools_call(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, enum mcp_outcome *outcome)
{
	const struct tool	*t = NULL;
	struct tool_caller	 caller;
	struct tool_call	 call;
	struct json_object	*v, *args, *r;
	const char		*name;
	char			 why[256];
	size_t			 i;
	enum tool_status	 st;

	if (params == NULL || !json_object_object_get_ex(params, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.name must be a string");
	name = json_object_get_string(v);
	for (i = 0; i < ctx->server->ntools; i++)
		if (strcmp(ctx->server->tools[i]->name, name) == 0) {
			t = ctx->server->tools[i];
			break;
		}
	if (t == NULL)
		return mcp_errorf(id, JSONRPC_INVALID_PARAMS, "Unknown tool: %s",
		    name);
	if (mcp_scope_refused(ctx, t->scope, outcome))
		return NULL;
	if (ctx->modern && t->client_capability != NULL &&
	    (ctx->client_caps == NULL || !json_object_object_get_ex(
	    ctx->client_caps, t->client_capability, NULL)))
		return missing_capability(id, t->client_capability);
	if (!json_object_object_get_ex(params, "arguments", &args) ||
	    args == NULL)
		args = NULL;
	else if (!json_object_is_type(args, json_type_object))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.arguments must be an object");

	mcp_call_init(ctx, &call, &caller, args);
	call.progress_token = progress_token(params);
	if ((r = mcp_input_begin(ctx, id, params, "tools/call", t->name,
	    &call)) != NULL) {
		mcp_call_free(&call);
		return r;
	}

	/*
	 * Bad arguments are a tool error the model can correct, not a
	 * protocol error (MCP 2025-11-25, server/tools, error handling).
	 */
	if (schema_validate(schemas[i], call.args, why, sizeof(why)) == -1) {
		tool_error(&call, "Invalid arguments: %s", why);
		st = TOOL_OK;
	} else
		st = t->handler(&call);
	if (st != TOOL_OK) {
		log_tool_call(&call, t->name, "failed");
		mcp_call_free(&call);
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "the tool failed; see the server's error log");
	}
	if ((r = mcp_input_reply(ctx, id, "tools/call", t->name, &call)) !=
	    NULL) {
		log_tool_call(&call, t->name, "input_required");
		mcp_call_free(&call);
		return r;
	}
	log_tool_call(&call, t->name, call.is_error ? "tool_error" : "ok");
	mcp_input_free(&call);
	r = json_object_new_object();
	json_object_object_add(r, "content", call.content);
	if (call.structured != NULL)
		json_object_object_add(r, "structuredContent", call.structured);
	if (call.is_error)
		json_object_object_add(r, "isError",
		    json_object_new_boolean(1));
	json_object_put(call.args);
	return mcp_reply_result(ctx, id, r);
}

/*
 * A JSON-RPC id: a string or an integer, never null (MCP 2025-11-25,
 * basic, requests).
 */
static int
id_valid(struct json_object *id)
{
	int64_t	 v;

	if (json_object_is_type(id, json_type_string))
		return 1;
	if (!json_object_is_type(id, json_type_int))
		return 0;
	/*
	 * json-c clamps integers beyond 64 bits to the extremes; an id we
	 * cannot echo exactly is refused rather than echoed wrong.
	 */
	v = json_object_get_int64(id);
	return v != INT64_MAX && v != INT64_MIN;
}

/*
 * The scope a tools/call, resources/read, prompts/get or
 * completion/complete message needs, if the token lacks it: the checks
 * the handlers make before they answer MCP_FORBIDDEN, in the same
 * order, so that a batch is refused exactly when one of its messages
 * would be.
 */
static const char *
forbidden_scope(const struct mcp_context *ctx, struct json_object *msg)
{
	const struct mcp_server	*srv = ctx->server;
	const struct resource	*res;
	const struct resource_template *tmpl;
	const struct prompt	*p;
	struct uritmpl_vars	 vars;
	struct json_object	*v, *id, *params, *ref;
	const char		*method, *scope = NULL, *type;
	size_t			 i;

	if (!json_object_is_type(msg, json_type_object) ||
	    !json_object_object_get_ex(msg, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0 ||
	    !json_object_object_get_ex(msg, "method", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !json_object_object_get_ex(msg, "id", &id) || !id_valid(id) ||
	    !json_object_object_get_ex(msg, "params", &params) ||
	    !json_object_is_type(params, json_type_object))
		return NULL;
	method = json_object_get_string(v);
	if (strcmp(method, "completion/complete") == 0) {
		if (!json_object_object_get_ex(params, "ref", &ref) ||
		    !json_object_is_type(ref, json_type_object) ||
		    !json_object_object_get_ex(ref, "type", &v) ||
		    !json_object_is_type(v, json_type_string))
			return NULL;
		type = json_object_get_string(v);
		params = ref;
		method = strcmp(type, "ref/prompt") == 0 ? "prompts/get" :
		    strcmp(type, "ref/resource") == 0 ? "template" : "";
	}
	if (strcmp(method, "tools/call") == 0 ||
	    strcmp(method, "prompts/get") == 0) {
		if (!json_object_object_get_ex(params, "name", &v) ||
		    !json_object_is_type(v, json_type_string))
			return NULL;
		if (strcmp(method, "prompts/get") == 0) {
			p = mcp_prompt_find(srv, json_object_get_string(v));
			scope = p != NULL ? p->scope : NULL;
		} else
			for (i = 0; i < srv->ntools; i++)
				if (strcmp(srv->tools[i]->name,
				    json_object_get_string(v)) == 0) {
					scope = srv->tools[i]->scope;
					break;
				}
	} else if (strcmp(method, "resources/read") == 0) {
		if (!json_object_object_get_ex(params, "uri", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    mcp_resource_find(srv, json_object_get_string(v), &res,
		    &tmpl, &vars) == -1)
			return NULL;
		scope = res != NULL ? res->scope : tmpl->scope;
	} else if (strcmp(method, "template") == 0) {
		if (!json_object_object_get_ex(params, "uri", &v) ||
		    !json_object_is_type(v, json_type_string))
			return NULL;
		for (i = 0; i < srv->ntemplates; i++)
			if (strcmp(srv->templates[i]->uri_template,
			    json_object_get_string(v)) == 0) {
				scope = srv->templates[i]->scope;
				break;
			}
	}
	if (scope != NULL && !scope_allows(ctx->token->scope, scope))
		return scope;
	return NULL;
}

/*
 * Checks the scopes of every request of a 2025-03-26 batch
 * before any message runs: a refused one answers the whole batch with
 * 403, and the replies of messages already run (their writes
 * committed) would be lost.  Returns -1 if one is refused, with the
 * scopes the refused ones need, each once, in needed.
 */
int
mcp_batch_scopes(const struct mcp_context *ctx, struct json_object *batch,
    struct buf *needed)
{
	const char		*scope;
	char			 why[256];
	size_t			 i, n;

	buf_reset(needed);
	/* Misconfigured tools: every call is answered -32603 instead. */
	if (mcp_tools_prepare(ctx->server, why, sizeof(why)) == -1)
		return 0;
	n = json_object_array_length(batch);
	for (i = 0; i < n; i++) {
		scope = forbidden_scope(ctx, json_object_array_get_idx(batch,
		    i));
		if (scope == NULL || scope_has(buf_cstr(needed), scope))
			continue;
		if (needed->len > 0)
			buf_putc(needed, ' ');
		buf_puts(needed, scope);
	}
	return needed->len > 0 ? -1 : 0;
}

static void
unconfigured(const struct config *cfg, const char *what, const char *name,
    const char *scope)
{
	if (scope != NULL && !config_list_has(&cfg->scopes, scope))
		log_msg("tool_error", "%s %s needs the scope %s, which is not "
		    "in the configured scopes", what, name, scope);
}

/*
 * Logs a tool_error for every tool, resource, template and prompt
 * needing a scope that the configuration's scopes do not list: clients
 * cannot discover or request it, and this server never grants it.
 * Called once per configuration load.
 */
void
mcp_tools_check_scopes(const struct mcp_server *srv, const struct config *cfg)
{
	size_t			 i;

	for (i = 0; i < srv->ntools; i++)
		unconfigured(cfg, "tool", srv->tools[i]->name,
		    srv->tools[i]->scope);
	for (i = 0; i < srv->nresources; i++)
		unconfigured(cfg, "resource", srv->resources[i]->uri,
		    srv->resources[i]->scope);
	for (i = 0; i < srv->ntemplates; i++)
		unconfigured(cfg, "resource template",
		    srv->templates[i]->uri_template, srv->templates[i]->scope);
	for (i = 0; i < srv->nprompts; i++)
		unconfigured(cfg, "prompt", srv->prompts[i]->name,
		    srv->prompts[i]->scope);
}

/*
 * The requests we answer, each by one function that returns the
 * response and may set the outcome (tools/call sets MCP_FORBIDDEN).
 * The tools/ methods need the tools' schemas parsed first; the
 * resource, prompt and completion methods exist only on a server that
 * has what they serve, as the capabilities say (capabilities()).
 */
#define LEGACY	1
#define MODERN	2

#define NEEDS_TOOLS	1
#define NEEDS_RESOURCES	2
#define NEEDS_PROMPTS	4
#define NEEDS_COMPLETE	8

static const struct mcp_method {
	const char	*name;
	int		 eras;		/* LEGACY, MODERN or both */
	int		 needs;
	struct json_object *(*handle)(struct mcp_context *,
			    struct json_object *, struct json_object *,
			    enum mcp_outcome *);
} mcp_methods[] = {
	/* MCP 2026-07-28 removed initialize and ping (changelog). */
	{ "initialize",		LEGACY,		0, do_initialize },
	{ "ping",		LEGACY,		0, do_ping },
	{ "server/discover",	MODERN,		0, do_discover },
	{ "tools/list",	LEGACY | MODERN, NEEDS_TOOLS, do_tools_list },
	{ "tools/call",	LEGACY | MODERN, NEEDS_TOOLS, do_tools_call },
	{ "resources/list", LEGACY | MODERN, NEEDS_RESOURCES,
	    mcp_resources_list },
	{ "resources/templates/list", LEGACY | MODERN, NEEDS_RESOURCES,
	    mcp_resource_templates_list },
	{ "resources/read", LEGACY | MODERN, NEEDS_RESOURCES,
	    mcp_resources_read },
	{ "prompts/list", LEGACY | MODERN, NEEDS_PROMPTS, mcp_prompts_list },
	{ "prompts/get", LEGACY | MODERN, NEEDS_PROMPTS, mcp_prompts_get },
	{ "completion/complete", LEGACY | MODERN, NEEDS_COMPLETE,
	    mcp_complete },
	/* 2026-07-28 sets the level per request (logging). */
	{ "logging/setLevel",	LEGACY,		0, mcp_logging_set_level },
};

/* Whether the server has what a method with these needs serves. */
static int
server_has(const struct mcp_server *srv, int needs)
{
	if ((needs & NEEDS_RESOURCES) &&
	    srv->nresources == 0 && srv->ntemplates == 0)
		return 0;
	if ((needs & NEEDS_PROMPTS) && srv->nprompts == 0)
		return 0;
	if ((needs & NEEDS_COMPLETE) && !completes(srv))
		return 0;
	return 1;
}

/*
 * Handles one JSON-RPC message.  *reply receives the response for a
 * request (MCP_REPLY); notifications and client responses get none.
 */
enum mcp_outcome
mcp_handle_message(struct mcp_context *ctx, struct json_object *msg,
    struct json_object **reply)
{
	struct json_object	*v, *id = NULL, *params = NULL;
	const char		*method;
	const struct mcp_method	*m = NULL;
	enum mcp_outcome	 outcome = MCP_REPLY;
	size_t			 i;
	int			 has_id;
	char			 why[256];

	*reply = NULL;
	if (!json_object_is_type(msg, json_type_object)) {
		*reply = jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: a message must be a JSON object");
		return MCP_REPLY;
	}
	has_id = json_object_object_get_ex(msg, "id", &id);
	if (has_id && !id_valid(id))
		id = NULL;
	if (!json_object_object_get_ex(msg, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0) {
		*reply = jsonrpc_error(id, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: jsonrpc must be \"2.0\"");
		return MCP_REPLY;
	}
	if (!json_object_object_get_ex(msg, "method", &v)) {
		/*
		 * A response from the client: accepted, no reply (MCP
		 * 2025-11-25, basic/transports, sending messages).
		 */
		if (has_id && id != NULL &&
		    (json_object_object_get_ex(msg, "result", NULL) ||
		    json_object_object_get_ex(msg, "error", NULL)))
			return MCP_NO_REPLY;
		*reply = jsonrpc_error(id, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: method is required");
		return MCP_REPLY;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*reply = jsonrpc_error(id, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: method must be a string");
		return MCP_REPLY;
	}
	method = json_object_get_string(v);
	if (!has_id)
		return MCP_NO_REPLY;	/* a notification: never answered */
	if (id == NULL) {
		*reply = jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: id must be a string or an integer");
		return MCP_REPLY;
	}
	if (json_object_object_get_ex(msg, "params", &params) &&
	    params != NULL && !json_object_is_type(params, json_type_object)) {
		*reply = jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params must be an object");
		return MCP_REPLY;
	}
	for (i = 0; i < sizeof(mcp_methods) / sizeof(mcp_methods[0]); i++)
		if (strcmp(method, mcp_methods[i].name) == 0 &&
		    (mcp_methods[i].eras & (ctx->modern ? MODERN : LEGACY)) &&
		    server_has(ctx->server, mcp_methods[i].needs)) {
			m = &mcp_methods[i];
			break;
		}
	if (m == NULL)
		*reply = mcp_errorf(id, JSONRPC_METHOD_NOT_FOUND,
		    "Method not found: %s", method);
	else if ((m->needs & NEEDS_TOOLS) &&
	    mcp_tools_prepare(ctx->server, why, sizeof(why)) == -1) {
		log_msg("tool_error", "%s", why);
		*reply = jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "the server's tools are misconfigured");
	} else
		*reply = m->handle(ctx, id, params, &outcome);
	return outcome;
}
