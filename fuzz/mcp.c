/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The JSON-RPC envelope and tool dispatch: mcp_handle_message(), as
 * mcp.fcgi calls it for one message or each message of a batch, with
 * a server of fixture tools that need no database.  Arguments reach a
 * handler only after schema_validate() accepted them, so the "echo"
 * handler checks that what its schema promises holds.
 */
#include <string.h>

#include <json-c/json.h>

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

static const struct mcp_server server = {
	.program = "fuzz-mcp",
	.name = "fuzz",
	.title = "Fuzz",
	.tools = tools,
	.ntools = sizeof(tools) / sizeof(tools[0]),
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
	json_object_put(body);
	return 0;
}
