/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The JSON-RPC envelope and tool dispatch: mcp_handle_message(), as
 * mcp.fcgi calls it for one message or each message of a batch, with
 * a server of fixture tools, resources and prompts that need no
 * database.  Arguments reach a
 * handler only after schema_validate() accepted them, so the "echo"
 * handler checks that what its schema promises holds.  Then the era
 * of the same body under several MCP-Protocol-Version headers
 * (mcp_classify()), the modern path for what it accepts, and the
 * input as an Mcp-Name header value (mcp_header_decode()).
 */
#include <string.h>

#include <json-c/json.h>

#include "../src/lib/complete.h"
#include "../src/lib/config.h"
#include "../src/lib/jsonutil.h"
#include "../src/lib/mcp.h"
#include "../src/lib/tool.h"
#include "../src/tools/tools.h"
#include "fuzz.h"

static enum tool_status
echo(struct tool_call *call)
{
	struct json_object	*v;
	const char		*text;
	int64_t			 count = 1;
	size_t			 i, chars = 0;

	FUZZ_CHECK(json_object_is_type(call->args, json_type_object));
	FUZZ_CHECK((text = tool_arg_string(call, "text")) != NULL);
	for (i = 0; text[i] != '\0'; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			chars++;
	FUZZ_CHECK(chars >= 1 && chars <= 20);
	if (json_object_object_get_ex(call->args, "count", &v)) {
		FUZZ_CHECK(tool_arg_int(call, "count", &count) == 0);
		FUZZ_CHECK(count >= 1 && count <= 5);
	}
	if (json_object_object_get_ex(call->args, "mode", &v))
		FUZZ_CHECK(strcmp(json_object_get_string(v), "a") == 0 ||
		    strcmp(json_object_get_string(v), "b") == 0);
	if (json_object_object_get_ex(call->args, "tags", &v))
		FUZZ_CHECK(json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) <= 3);
	json_object_object_foreach(call->args, key, val) {
		(void)val;
		FUZZ_CHECK(strcmp(key, "text") == 0 ||
		    strcmp(key, "count") == 0 || strcmp(key, "mode") == 0 ||
		    strcmp(key, "tags") == 0 || strcmp(key, "opt") == 0);
	}
	tool_text(call, "%.*s", (int)count, text);
	return TOOL_OK;
}

static enum tool_status
fail(struct tool_call *call)
{
	(void)call;
	return TOOL_FAILED;
}

static const struct tool tool_echo = {
	.name = "echo",
	.description = "Says the text again.",
	.input_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":20},"
	    "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},"
	    "\"mode\":{\"enum\":[\"a\",\"b\"]},"
	    "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	    "\"maxItems\":3},"
	    "\"opt\":{\"anyOf\":[{\"type\":\"null\"},"
	    "{\"$ref\":\"#/$defs/positive\"}]}},"
	    "\"required\":[\"text\"],\"additionalProperties\":false,"
	    "\"$defs\":{\"positive\":{\"type\":\"number\","
	    "\"exclusiveMinimum\":0}}}",
	.scope = "mcp",
	.handler = echo,
};

static const struct tool tool_fail = {
	.name = "fail",
	.description = "Always fails.",
	.input_schema = "{\"type\":\"object\"}",
	.handler = fail,
};

static const struct tool tool_admin = {
	.name = "admin.only",
	.description = "Needs a scope the caller lacks.",
	.input_schema = "{\"type\":\"object\"}",
	.scope = "admin",
	.handler = fail,
};

static const struct tool *const tools[] = {
	&tool_whoami, &tool_echo, &tool_fail, &tool_admin
};

static enum resource_status
read_memo(struct tool_call *call)
{
	resource_blob(call, "memo://readme", "text/plain", "a\0b", 3);
	return RESOURCE_OK;
}

/* A template's variables reach the handler as strings, "path" always. */
static enum resource_status
read_file(struct tool_call *call)
{
	const char	*path = tool_arg_string(call, "path");

	FUZZ_CHECK(path != NULL);
	if (strcmp(path, "missing") == 0)
		return RESOURCE_NOT_FOUND;
	resource_text(call, "files:///x", "text/plain", path);
	return RESOURCE_OK;
}

static enum resource_status
list_files(struct tool_call *call)
{
	resource_listed(call, "files:///a", "a", NULL, "text/plain");
	return RESOURCE_OK;
}

static enum resource_status
complete_file(struct tool_call *call, const char *var, const char *prefix)
{
	(void)var;
	complete_value(call, prefix);
	return RESOURCE_OK;
}

/* A required argument is there, and a string, before the handler runs. */
static enum prompt_status
greet(struct tool_call *call)
{
	const char	*name = tool_arg_string(call, "name");

	FUZZ_CHECK(name != NULL);
	prompt_text(call, "user", "Greet %s.", name);
	prompt_resource(call, "assistant", "memo://readme", "text/plain", name);
	return PROMPT_OK;
}

static const struct resource memo = {
	.uri = "memo://readme", .name = "readme", .read = read_memo,
};
static const struct resource_template files = {
	.uri_template = "files:///{+path}{#frag}", .name = "file",
	.scope = "notes:read", .read = read_file, .list = list_files,
	.complete = complete_file,
};
static const struct prompt_argument greet_args[] = {
	{ .name = "name", .required = 1 }, { .name = "mood" },
};
static const struct prompt prompt_greet = {
	.name = "greet", .arguments = greet_args, .narguments = 2,
	.handler = greet,
};
static const struct prompt prompt_admin = {
	.name = "admin", .scope = "admin", .handler = greet,
};
static const struct resource *const resources[] = { &memo };
static const struct resource_template *const templates[] = { &files };
static const struct prompt *const prompts[] = { &prompt_greet,
    &prompt_admin };

static const struct mcp_server server = {
	.program = "fuzz-mcp",
	.name = "fuzz",
	.title = "Fuzz",
	.tools = tools,
	.ntools = sizeof(tools) / sizeof(tools[0]),
	.resources = resources,
	.nresources = 1,
	.templates = templates,
	.ntemplates = 1,
	.prompts = prompts,
	.nprompts = 2,
};

static struct config	*cfg;
static struct bearer	 token = {
	.user = "alice",
	.client_id = "mcpc_fuzz",
	.scope = "mcp notes:read",
	.expires = 2000000000,
};

/* A reply is a JSON-RPC 2.0 response with a result or an error. */
static void
check_reply(struct json_object *msg, struct json_object *reply)
{
	struct json_object	*v, *id, *e = NULL;

	FUZZ_CHECK(json_object_is_type(reply, json_type_object));
	FUZZ_CHECK(json_object_object_get_ex(reply, "jsonrpc", &v) &&
	    strcmp(json_object_get_string(v), "2.0") == 0);
	FUZZ_CHECK(json_object_object_get_ex(reply, "id", &id));
	FUZZ_CHECK(id == NULL || json_object_is_type(id, json_type_string) ||
	    json_object_is_type(id, json_type_int));
	if (id != NULL)
		FUZZ_CHECK(json_object_object_get_ex(msg, "id", &v) &&
		    json_object_equal(v, id));
	FUZZ_CHECK(json_object_object_get_ex(reply, "result", NULL) !=
	    json_object_object_get_ex(reply, "error", &e));
	if (e != NULL) {
		FUZZ_CHECK(json_object_object_get_ex(e, "code", &v) &&
		    json_object_is_type(v, json_type_int));
		FUZZ_CHECK(json_object_object_get_ex(e, "message", &v) &&
		    json_object_is_type(v, json_type_string));
	}
	FUZZ_CHECK(json_str(reply) != NULL);
}

static void
one(struct mcp_context *ctx, struct json_object *msg)
{
	struct json_object	*reply;
	enum mcp_outcome	 out;

	ctx->needed_scope = NULL;
	out = mcp_handle_message(ctx, msg, &reply);
	switch (out) {
	case MCP_REPLY:
		check_reply(msg, reply);
		break;
	case MCP_NO_REPLY:
		FUZZ_CHECK(reply == NULL);
		break;
	case MCP_FORBIDDEN:
		FUZZ_CHECK(reply == NULL);
		FUZZ_CHECK(ctx->needed_scope != NULL &&
		    strcmp(ctx->needed_scope, "admin") == 0);
		break;
	default:
		FUZZ_CHECK(!"an outcome");
	}
	json_object_put(reply);
}

/* The input as a header value: decoded, or refused, within bounds. */
static void
header(const uint8_t *data, size_t size)
{
	char	 in[MCP_HEADER_VALUE_MAX + 8], out[256];
	size_t	 len;

	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	if (mcp_header_decode(in, out, sizeof(out), &len) == 0) {
		FUZZ_CHECK(len < sizeof(out));
		FUZZ_CHECK(strlen(out) == len);
	}
}

/*
 * The era of body under each header set: a refusal is a 400 with an
 * error the spec defines for it; a modern message runs as such, and
 * its reply gets a status of the transport's.
 */
static void
era(struct mcp_context *ctx, struct json_object *body)
{
	static const char *const versions[] = { NULL, "2026-07-28",
	    "2025-11-25", "2027-01-01" };
	struct mcp_headers	 h;
	struct mcp_refusal	 r;
	struct json_object	*v, *params = NULL, *meta, *reply, *e;
	enum mcp_outcome	 out;
	size_t			 i;
	int			 code, status;

	memset(&h, 0, sizeof(h));
	if (json_object_object_get_ex(body, "method", &v) &&
	    json_object_is_type(v, json_type_string))
		h.method = json_object_get_string(v);
	if (json_object_object_get_ex(body, "params", &params) &&
	    json_object_object_get_ex(params, "name", &v) &&
	    json_object_is_type(v, json_type_string))
		h.name = json_object_get_string(v);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		h.protocol_version = versions[i];
		memset(&r, 0, sizeof(r));
		switch (mcp_classify(&h, body, &r)) {
		case MCP_ERA_LEGACY:
			FUZZ_CHECK(r.reply == NULL);
			break;
		case MCP_ERA_REFUSED:
			FUZZ_CHECK(r.status == 400);
			FUZZ_CHECK(json_object_object_get_ex(r.reply, "error",
			    &e) && json_object_object_get_ex(e, "code", &v));
			code = json_object_get_int(v);
			FUZZ_CHECK(code == -32600 || code == -32602 ||
			    code == -32020 || code == -32022);
			FUZZ_CHECK(json_str(r.reply) != NULL);
			json_object_put(r.reply);
			break;
		case MCP_ERA_MODERN:
			FUZZ_CHECK(r.reply == NULL);
			ctx->modern = 1;
			ctx->client_caps = NULL;
			if (json_object_object_get_ex(params, "_meta", &meta) &&
			    json_object_object_get_ex(meta,
			    "io.modelcontextprotocol/clientCapabilities", &v))
				ctx->client_caps = v;
			out = mcp_handle_message(ctx, body, &reply);
			FUZZ_CHECK(out != MCP_FORBIDDEN ||
			    strcmp(ctx->needed_scope, "admin") == 0);
			if (out == MCP_REPLY) {
				check_reply(body, reply);
				status = mcp_reply_status(reply);
				FUZZ_CHECK(status == 200 || status == 400 ||
				    status == 404);
			}
			json_object_put(reply);
			ctx->modern = 0;
			ctx->client_caps = NULL;
			break;
		default:
			FUZZ_CHECK(!"an era");
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_context	 ctx;
	struct json_object	*body;
	char			 err[CONFIG_ERR_MAX];
	size_t			 i, n;

	if (cfg == NULL) {
		static const char text[] = "issuer = https://mcp.example.com\n"
		    "db_path = /nonexistent\n";

		if (config_parse("fuzz.conf", text, strlen(text), &cfg, err,
		    sizeof(err)) != CONFIG_OK)
			abort();
	}
	header(data, size);
	if (json_parse_strict((const char *)data, size, &body) != JSONU_OK)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.server = &server;
	ctx.cfg = cfg;
	ctx.token = &token;
	ctx.version = "2025-03-26";
	if (json_object_is_type(body, json_type_array)) {
		n = json_object_array_length(body);
		ctx.in_batch = 1;
		for (i = 0; i < n && i < 64; i++)
			one(&ctx, json_object_array_get_idx(body, i));
	} else
		one(&ctx, body);
	ctx.in_batch = 0;
	era(&ctx, body);
	json_object_put(body);
	return 0;
}
