/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "bearer.h"
#include "buf.h"
#include "config.h"
#include "http.h"
#include "jsonutil.h"
#include "log.h"
#include "mcp.h"
#include "mcpparam.h"
#include "mcpstream.h"
#include "oauth.h"
#include "rsverify.h"

/* The batch size limit of 2025-03-26 requests. */
#define MCP_BATCH_MAX	64

/*
 * An HTTP-level refusal with a JSON-RPC error body that has no id, as
 * the MCP TypeScript SDK's server answers (403 for a foreign Origin,
 * 400 for an unsupported MCP-Protocol-Version: MCP 2025-11-25,
 * basic/transports).
 */
static void
http_refuse(struct http_response *resp, int status, int code,
    const char *message)
{
	struct json_object	*e = jsonrpc_error(NULL, code, message);

	http_json(resp, status, json_str(e));
	json_object_put(e);
}

/* "https://host:port" from an Origin header compared to ours. */
static int
origin_allowed(const struct config *cfg, const char *origin)
{
	return strcasecmp(origin, cfg->issuer_origin) == 0 ||
	    config_list_has(&cfg->allowed_origins, origin);
}

/* Whether an authority names a port (a colon after any "[IPv6]"). */
static int
has_port(const char *authority)
{
	const char	*colon = strrchr(authority, ':');
	const char	*bracket = strrchr(authority, ']');

	return colon != NULL && (bracket == NULL || colon > bracket);
}

/*
 * The Host header against the issuer's authority or allowed_hosts, so
 * that a page on another site whose DNS points at this server cannot
 * talk to it (DNS rebinding: MCP 2025-11-25, basic/transports,
 * security warning).
 */
static int
host_allowed(const struct config *cfg, const char *host)
{
	const char	*auth = cfg->issuer_authority;
	size_t		 n = strlen(auth), i;

	if (strcasecmp(host, auth) == 0)
		return 1;
	/* The default port may be spelled out. */
	if (!has_port(auth) && strncasecmp(host, auth, n) == 0 &&
	    strcmp(host + n, cfg->issuer_https ? ":443" : ":80") == 0)
		return 1;
	for (i = 0; i < cfg->allowed_hosts.len; i++)
		if (strcasecmp(host, cfg->allowed_hosts.items[i]) == 0)
			return 1;
	return 0;
}

/* Whether s holds nothing but printable ASCII characters. */
static int
printable_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/*
 * The 400 of an unsupported MCP-Protocol-Version, naming the versions
 * we speak.  The header's bytes are echoed only when they are printable
 * ASCII: anything else could be half a UTF-8 character, or none, in the
 * JSON text of the reply.
 */
static void
refuse_version(struct http_response *resp, const char *version)
{
	struct buf	 msg;

	buf_init(&msg);
	buf_puts(&msg, "Bad Request: Unsupported protocol version");
	if (printable_ascii(version))
		buf_printf(&msg, ": %.40s", version);
	buf_puts(&msg, " (supported versions: ");
	mcp_versions_text(&msg);
	buf_puts(&msg, ")");
	http_refuse(resp, 400, JSONRPC_SERVER_ERROR, buf_failed(&msg) ?
	    "Bad Request: Unsupported protocol version" : buf_cstr(&msg));
	buf_free(&msg);
}

static void
cors_headers(const struct http_request *req, struct http_response *resp)
{
	if (req->origin == NULL)
		return;
	http_header(resp, "Access-Control-Allow-Origin", req->origin);
	http_header(resp, "Vary", "Origin");
	http_header(resp, "Access-Control-Expose-Headers",
	    "WWW-Authenticate, Mcp-Session-Id");
}

static void
log_rejected(const struct http_request *req, int rc, const struct bearer *b)
{
	struct log_line	 l;

	log_begin(&l, "bearer_rejected");
	log_str(&l, "reason", bearer_strerror(rc));
	log_hash(&l, "token", b->hash);
	log_str(&l, "ip", req->remote_addr);
	log_end(&l);
}

/* Serialises one or many replies as the response body. */
static void
reply_json(struct http_response *resp, struct json_object *o)
{
	http_status(resp, 200);
	http_header(resp, "Content-Type", "application/json");
	buf_reset(&resp->body);
	json_to_buf(o, &resp->body);
}

static void
forbidden(struct mcp_context *ctx, struct http_response *resp)
{
	bearer_insufficient_scope(resp, ctx->cfg, ctx->token->scope,
	    ctx->needed_scope);
}

/* A single message or a 2025-03-26 batch. */
static void
process(struct mcp_context *ctx, struct json_object *body,
    struct http_response *resp)
{
	struct json_object	*reply, *replies;
	struct buf		 needed;
	enum mcp_outcome	 out;
	size_t			 i, n;

	if (!json_object_is_type(body, json_type_array)) {
		mcp_stream_level(ctx, NULL, ctx->stream);
		out = mcp_handle_message(ctx, body, &reply);
		if (ctx->stream->started)
			mcp_stream_finish(ctx->stream, reply);
		else if (out == MCP_FORBIDDEN)
			forbidden(ctx, resp);
		else if (out == MCP_NO_REPLY)
			http_status(resp, 202);
		else
			reply_json(resp, reply);
		json_object_put(reply);
		return;
	}
	/*
	 * Batches exist only in 2025-03-26: 2025-06-18 removed them
	 * (MCP 2025-06-18, changelog).
	 */
	n = json_object_array_length(body);
	if (strcmp(ctx->version, "2025-03-26") != 0 || n == 0 ||
	    n > MCP_BATCH_MAX) {
		http_refuse(resp, 400, JSONRPC_INVALID_REQUEST, n == 0 ?
		    "Invalid Request: empty batch" : n > MCP_BATCH_MAX ?
		    "Invalid Request: batch too large" :
		    "Invalid Request: batches are not supported in this "
		    "protocol version");
		return;
	}
	/*
	 * A scope refusal answers the whole batch, so it comes before
	 * anything runs, naming every scope the batch needs in one
	 * challenge (MCP 2026-07-28, basic/authorization, scope
	 * challenge handling).
	 */
	buf_init(&needed);
	if (mcp_batch_scopes(ctx, body, &needed) == -1) {
		ctx->needed_scope = buf_cstr(&needed);
		forbidden(ctx, resp);
		buf_free(&needed);
		return;
	}
	buf_free(&needed);
	ctx->in_batch = 1;
	ctx->stream = NULL;
	replies = json_object_new_array();
	for (i = 0; i < n; i++) {
		out = mcp_handle_message(ctx, json_object_array_get_idx(body,
		    i), &reply);
		/* Not expected after mcp_batch_scopes(); kept closed. */
		if (out == MCP_FORBIDDEN) {
			json_object_put(replies);
			forbidden(ctx, resp);
			return;
		}
		if (out == MCP_REPLY)
			json_object_array_add(replies, reply);
	}
	if (json_object_array_length(replies) == 0)
		http_status(resp, 202);
	else
		reply_json(resp, replies);
	json_object_put(replies);
}

/*
 * One request or notification of MCP 2026-07-28, already classified
 * (mcp_classify()): stateless, its version and the client's
 * capabilities in its own _meta; a notification is accepted with 202
 * (basic/transports/streamable-http, sending messages), and an error
 * gets the status the transport gives it (mcp_reply_status()).
 */
static void
process_modern(struct mcp_context *ctx, struct json_object *body,
    struct http_response *resp)
{
	struct json_object	*reply, *params, *meta = NULL, *v, *id;

	ctx->modern = 1;
	if (json_object_object_get_ex(body, "params", &params) &&
	    json_object_object_get_ex(params, "_meta", &meta)) {
		if (json_object_object_get_ex(meta, MCP_META_VERSION, &v))
			ctx->version = json_object_get_string(v);
		if (json_object_object_get_ex(meta, MCP_META_CAPABILITIES,
		    &v))
			ctx->client_caps = v;
	}
	/* An unknown log level is invalid params (logging, errors). */
	if (mcp_stream_level(ctx, meta, ctx->stream) == -1) {
		json_object_object_get_ex(body, "id", &id);
		reply = jsonrpc_error(id, JSONRPC_INVALID_PARAMS, "Invalid "
		    "params: _meta " MCP_META_LOG_LEVEL " is not a log level");
		reply_json(resp, reply);
		http_status(resp, 400);
		json_object_put(reply);
		return;
	}
	switch (mcp_handle_message(ctx, body, &reply)) {
	case MCP_FORBIDDEN:
		forbidden(ctx, resp);
		break;
	case MCP_NO_REPLY:
		http_status(resp, 202);
		break;
	case MCP_REPLY:
		if (ctx->stream->started) {
			mcp_stream_finish(ctx->stream, reply);
			break;
		}
		reply_json(resp, reply);
		http_status(resp, mcp_reply_status(reply));
		break;
	}
	json_object_put(reply);
}

/*
 * The token, checked the configured way: our own database, the
 * provider's signing keys, or the provider's introspection endpoint
 * (token_validation).  The JWK Set cache lives as long as the process.
 */
static int
validate_token(struct app *a, const struct http_request *req,
    struct bearer *b)
{
	static struct jwkscache	 jwks;
	struct store		*st;
	time_t			 now = time(NULL);
	int			 rc;

	switch (a->cfg->token_validation) {
	case TOKEN_VALIDATION_JWT:
		return bearer_validate_jwt(a->cfg, req, now, &jwks, b);
	case TOKEN_VALIDATION_INTROSPECTION:
		return bearer_validate_introspection(a->cfg, a->cfg_gen, req,
		    now, b);
	case TOKEN_VALIDATION_LOCAL:
		break;
	}
	if ((rc = app_store(a, &st)) != STORE_OK) {
		memset(b, 0, sizeof(*b));
		b->store_rc = rc;
		return BEARER_ESTORE;
	}
	return bearer_validate(st, a->cfg, req, now, b);
}

/* The configuration generation whose tool scopes were checked. */
static unsigned long	 scopes_checked_gen;

/*
 * The /mcp endpoint.  Order matters: DNS-rebinding checks, then the
 * bearer token before anything else is parsed (MCP 2025-06-18,
 * basic/authorization, token handling: validate before processing the
 * request), then the transport rules, then JSON-RPC.
 */
void
mcp_handle_http(struct app *a, const struct mcp_server *srv,
    struct http_request *req, struct http_response *resp)
{
	struct mcp_context	 ctx;
	struct mcp_headers	 hdrs;
	struct mcp_refusal	 refusal;
	struct mcp_stream	 stream;
	struct bearer		 token;
	struct buf		 allow;
	struct json_object	*body = NULL;
	const struct config	*cfg = a->cfg;
	int			 rc;

	/*
	 * Said once per configuration: a tool needing a scope that is
	 * not configured can never be called with a token of ours.
	 */
	if (scopes_checked_gen != a->cfg_gen) {
		mcp_tools_check_scopes(srv, cfg);
		scopes_checked_gen = a->cfg_gen;
	}
	if (strcmp(req->path, "/mcp") != 0) {
		http_refuse(resp, 404, JSONRPC_SERVER_ERROR, "Not Found");
		return;
	}
	if ((req->origin != NULL && !origin_allowed(cfg, req->origin)) ||
	    (req->host != NULL && !host_allowed(cfg, req->host))) {
		http_refuse(resp, 403, JSONRPC_SERVER_ERROR,
		    "Forbidden: Origin or Host not allowed");
		return;
	}
	cors_headers(req, resp);
	if (req->method == HTTP_OPTIONS) {
		http_status(resp, 204);
		http_header(resp, "Access-Control-Allow-Methods",
		    "POST, GET, DELETE, OPTIONS");
		buf_init(&allow);
		buf_puts(&allow, "Authorization, Content-Type, "
		    "MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID, "
		    "Mcp-Method, Mcp-Name");
		mcp_param_preflight(http_env(req->envp,
		    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"), &allow);
		buf_putc(&allow, '\0');
		if (!buf_failed(&allow))
			http_header(resp, "Access-Control-Allow-Headers",
			    allow.data);
		buf_free(&allow);
		http_header(resp, "Access-Control-Max-Age", "86400");
		return;
	}

	rc = validate_token(a, req, &token);
	switch (rc) {
	case BEARER_OK:
		break;
	case BEARER_ENONE:
		bearer_challenge(resp, cfg, rc, NULL);
		return;
	case BEARER_ESTORE:
		/* 503 whatever failed: no other token would do better. */
		if (oauth_store_log(token.store_rc) == 503)
			http_header(resp, "Retry-After",
			    OAUTH_STORE_RETRY_AFTER);
		http_refuse(resp, 503, JSONRPC_INTERNAL_ERROR,
		    "Internal error: the server's database is unavailable");
		return;
	case BEARER_EUNAVAILABLE:
		/* Not the client's fault: no new token would help. */
		http_header(resp, "Retry-After", "30");
		http_refuse(resp, 503, JSONRPC_INTERNAL_ERROR, "Internal error: "
		    "the authorization server cannot be reached to check the "
		    "token");
		return;
	default:
		log_rejected(req, rc, &token);
		bearer_challenge(resp, cfg, rc, "invalid_token");
		return;
	}

	if (req->method != HTTP_POST) {
		/*
		 * No SSE stream (a GET may be answered 405: MCP
		 * 2025-06-18, basic/transports) and no sessions, so no
		 * DELETE either.
		 */
		http_header(resp, "Allow", "POST");
		http_refuse(resp, 405, JSONRPC_SERVER_ERROR,
		    "Method Not Allowed: this server answers POST only");
		return;
	}
	if (!http_accepts(req, "application/json")) {
		http_refuse(resp, 406, JSONRPC_SERVER_ERROR, "Not Acceptable: "
		    "the client must accept application/json");
		return;
	}
	if (!http_content_type_is(req, "application/json")) {
		http_refuse(resp, 415, JSONRPC_SERVER_ERROR, "Unsupported "
		    "Media Type: the body must be application/json");
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.version = req->protocol_version != NULL ? req->protocol_version :
	    "2025-03-26";
	/*
	 * A version of neither era is refused before the body is read,
	 * as a legacy server does; a modern one is checked against the
	 * body (mcp_classify()).
	 */
	if (!mcp_version_supported(ctx.version) &&
	    !mcp_version_is_modern_era(ctx.version)) {
		refuse_version(resp, ctx.version);
		return;
	}
	rc = http_read_body(req, a->in, cfg->mcp_max_body);
	if (rc == HTTP_ETOOBIG) {
		http_refuse(resp, 413, JSONRPC_SERVER_ERROR,
		    "Content Too Large: the request body exceeds mcp_max_body");
		return;
	}
	if (rc != HTTP_OK) {
		http_refuse(resp, 400, JSONRPC_PARSE_ERROR,
		    "Parse error: incomplete request body");
		return;
	}
	if (json_parse_strict(req->body, req->body_len, &body) != JSONU_OK) {
		http_refuse(resp, 400, JSONRPC_PARSE_ERROR,
		    "Parse error: the body is not valid JSON");
		return;
	}
	ctx.server = srv;
	ctx.cfg = cfg;
	ctx.app = a;
	ctx.token = &token;
	/*
	 * Notifications are streamed only to a client that accepts an
	 * event stream; for any other, the stream stays unused and the
	 * handlers' notifications are dropped (mcpstream.h).
	 */
	mcp_stream_init(&stream, a->out, a->flush, resp);
	stream.accepted = http_accepts(req, "text/event-stream");
	ctx.stream = &stream;
	hdrs.protocol_version = req->protocol_version;
	hdrs.method = http_env(req->envp, "HTTP_MCP_METHOD");
	hdrs.name = http_env(req->envp, "HTTP_MCP_NAME");
	switch (mcp_classify(&hdrs, body, &refusal)) {
	case MCP_ERA_LEGACY:
		process(&ctx, body, resp);
		break;
	case MCP_ERA_MODERN:
		/* The Mcp-Param headers of a tools/call (mcpparam.c). */
		if (mcp_param_validate(srv, req->envp, body, &refusal) == 0) {
			process_modern(&ctx, body, resp);
			break;
		}
		/* FALLTHROUGH */
	case MCP_ERA_REFUSED:
		reply_json(resp, refusal.reply);
		http_status(resp, refusal.status);
		json_object_put(refusal.reply);
		break;
	}
	json_object_put(body);
}

/* A broken configuration, as a JSON-RPC error without an id. */
static void
config_error(struct http_response *resp)
{
	http_refuse(resp, 500, JSONRPC_INTERNAL_ERROR, "Internal error: the "
	    "server configuration could not be loaded; see the web "
	    "server's error log");
}

static const struct mcp_server	*the_server;

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	mcp_handle_http(a, the_server, req, resp);
}

int
mcp_main(const struct mcp_server *srv)
{
	char	 why[256];

	the_server = srv;
	app_catch_term();
	if (mcp_tools_prepare(srv, why, sizeof(why)) == -1) {
		log_init(srv->program);
		log_msg("tool_error", "%s", why);
	}
	return app_main(srv->program, handle, config_error);
}
