/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Resources, prompts and completion through mcp_handle_message(), with
 * a fixture server that needs no database.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/buf.h"
#include "../../src/lib/complete.h"
#include "../../src/lib/config.h"
#include "../../src/lib/jsonutil.h"
#include "../../src/lib/mcp.h"
#include "mcpfixture.h"

static enum resource_status
read_readme(struct tool_call *call)
{
	resource_text(call, "memo://readme", "text/plain", "Read me.");
	return RESOURCE_OK;
}

static enum resource_status
read_logo(struct tool_call *call)
{
	static const unsigned char	 png[] = { 0x89, 'P', 'N', 'G', 0, 0xff };

	resource_blob(call, "memo://logo", "image/png", png, sizeof(png));
	return RESOURCE_OK;
}

static enum resource_status
read_file(struct tool_call *call)
{
	const char	*path = tool_arg_string(call, "path");
	char		 uri[256];

	if (strcmp(path, "missing") == 0)
		return RESOURCE_NOT_FOUND;
	if (strcmp(path, "broken") == 0)
		return RESOURCE_FAILED;
	snprintf(uri, sizeof(uri), "files:///%s", path);
	resource_text(call, uri, "text/plain", path);
	return RESOURCE_OK;
}

/* 120 items, so that resources/list needs three pages. */
static enum resource_status
list_items(struct tool_call *call)
{
	char	 uri[32], name[32];
	int	 i;

	for (i = 1; i <= 120; i++) {
		snprintf(uri, sizeof(uri), "item://%d", i);
		snprintf(name, sizeof(name), "item-%d", i);
		resource_listed(call, uri, name, NULL, "text/plain");
	}
	return RESOURCE_OK;
}

static enum resource_status
read_item(struct tool_call *call)
{
	resource_text(call, "item://x", "text/plain",
	    tool_arg_string(call, "n"));
	return RESOURCE_OK;
}

static enum resource_status
complete_item(struct tool_call *call, const char *var, const char *prefix)
{
	char	 v[16];
	int	 i;

	(void)var;
	for (i = 1; i <= 150; i++) {
		snprintf(v, sizeof(v), "%d", i);
		if (complete_prefix(v, prefix))
			complete_value(call, v);
	}
	return RESOURCE_OK;
}

static const struct resource r_readme = {
	.uri = "memo://readme", .name = "readme", .mime_type = "text/plain",
	.annotations = "{\"priority\":0.5}", .read = read_readme,
};
static const struct resource r_logo = {
	.uri = "memo://logo", .name = "logo", .mime_type = "image/png",
	.scope = "mcp", .read = read_logo,
};
static const struct resource_template t_files = {
	.uri_template = "files:///{+path}", .name = "file",
	.scope = "files:read", .read = read_file,
};
static const struct resource_template t_items = {
	.uri_template = "item://{n}", .name = "item", .scope = "mcp",
	.read = read_item, .list = list_items, .complete = complete_item,
};

static enum prompt_status
greet(struct tool_call *call)
{
	const char	*mood = tool_arg_string(call, "mood");

	if (mood != NULL && strcmp(mood, "grumpy") == 0)
		return PROMPT_INVALID;
	prompt_text(call, "user", "Greet %s.", tool_arg_string(call, "name"));
	prompt_image(call, "assistant", "iVBORw0KGgo=", "image/png");
	prompt_resource(call, "user", "memo://readme", "text/plain",
	    "Read me.");
	return PROMPT_OK;
}

static enum prompt_status
complete_greet(struct tool_call *call, const char *arg, const char *prefix)
{
	const char	*name = tool_arg_string(call, "name");

	if (strcmp(arg, "mood") == 0 && complete_prefix("happy", prefix))
		complete_value(call, name != NULL ? name : "happy");
	return PROMPT_OK;
}

static const struct prompt_argument greet_args[] = {
	{ .name = "name", .description = "Whom.", .required = 1 },
	{ .name = "mood" },
};
static const struct prompt p_greet = {
	.name = "greet", .description = "A greeting.",
	.arguments = greet_args, .narguments = 2, .handler = greet,
	.complete = complete_greet,
};
static const struct prompt p_secret = {
	.name = "secret", .scope = "admin:all", .handler = greet,
};

static const struct resource *const resources[] = { &r_readme, &r_logo };
static const struct resource_template *const templates[] = { &t_files,
    &t_items };
static const struct prompt *const prompts[] = { &p_greet, &p_secret };

static struct mcp_server	 server = {
	.program = "test", .name = "res", .resources = resources,
	.nresources = 2, .templates = templates, .ntemplates = 2,
	.prompts = prompts, .nprompts = 2,
};
static struct bearer		 token;
static struct mcp_context	 ctx;

static void
setup(void)
{
	mcpfixture_context(&ctx, &token, &server);
}

TestSuite(resource, .init = setup);

static enum mcp_outcome
handle(const char *text, struct json_object **reply)
{
	struct json_object	*msg;
	enum mcp_outcome	 out;

	cr_assert_eq(json_parse_strict(text, strlen(text), &msg), JSONU_OK,
	    "%s", text);
	out = mcp_handle_message(&ctx, msg, reply);
	json_object_put(msg);
	return out;
}

/* The reply to method with params (JSON text), as text. */
static const char *
call(const char *method, const char *params)
{
	static char		 buf[65536];
	struct json_object	*r;
	char			 req[4096];

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"%s\",\"params\":%s}", method, params);
	cr_assert_eq(handle(req, &r), MCP_REPLY, "%s", req);
	snprintf(buf, sizeof(buf), "%s", json_str(r));
	json_object_put(r);
	return buf;
}

#define HAS(text, s)	cr_expect_not_null(strstr((text), (s)), "%s", (text))

Test(resource, capabilities_declared)
{
	const char	*t = call("initialize", "{\"protocolVersion\":"
	    "\"2025-11-25\"}");

	HAS(t, "\"capabilities\":{\"tools\":{\"listChanged\":false},"
	    "\"resources\":{\"subscribe\":false,\"listChanged\":false},"
	    "\"prompts\":{\"listChanged\":false},\"completions\":{},"
	    "\"logging\":{}}");
}

/*
 * Three pages of 50, 50 and 22; a cursor we did not make, or one past
 * the end, is -32602 (2025-11-25, server/utilities/pagination).
 */
Test(resource, list_pages_and_bad_cursors)
{
	static const char *const bad[] = { "\"AAAAAA\"", "\"!!!!\"", "\"\"",
	    "\"AAAAew\"", "\"AAAAeg\"", "\"AAAAAAAA\"", "12", "{}",
	    "\"AAAAMg==\"" };
	struct json_object	*r, *res, *list, *v;
	char			 params[128];
	const char		*t;
	size_t			 i, total = 0;

	cr_assert_eq(json_parse_strict(call("resources/list", "{}"),
	    strlen(call("resources/list", "{}")), &r), JSONU_OK);
	json_object_object_get_ex(r, "result", &res);
	json_object_object_get_ex(res, "resources", &list);
	cr_expect_eq(json_object_array_length(list), 50);
	cr_expect_str_eq(json_str(json_object_array_get_idx(list, 0)),
	    "{\"uri\":\"memo://readme\",\"name\":\"readme\",\"mimeType\":"
	    "\"text/plain\",\"annotations\":{\"priority\":0.5}}");
	HAS(json_str(json_object_array_get_idx(list, 1)),
	    "\"_meta\":{\"io.github.mcp-oauth-fcgi/scope\":\"mcp\"}");
	total += json_object_array_length(list);
	while (json_object_object_get_ex(res, "nextCursor", &v)) {
		snprintf(params, sizeof(params), "{\"cursor\":\"%s\"}",
		    json_object_get_string(v));
		json_object_put(r);
		t = call("resources/list", params);
		cr_assert_eq(json_parse_strict(t, strlen(t), &r), JSONU_OK);
		json_object_object_get_ex(r, "result", &res);
		json_object_object_get_ex(res, "resources", &list);
		total += json_object_array_length(list);
	}
	json_object_put(r);
	cr_expect_eq(total, 122);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(params, sizeof(params), "{\"cursor\":%s}", bad[i]);
		cr_expect_str_eq(call("resources/list", params),
		    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,"
		    "\"message\":\"invalid cursor\"}}", "%s", bad[i]);
		cr_expect_str_eq(call("prompts/list", params),
		    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,"
		    "\"message\":\"invalid cursor\"}}", "%s", bad[i]);
		cr_expect_str_eq(call("resources/templates/list", params),
		    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,"
		    "\"message\":\"invalid cursor\"}}", "%s", bad[i]);
	}
}

/* Without the template's scope its listing is left out. */
Test(resource, listing_needs_the_scope)
{
	strcpy(token.scope, "files:read");
	cr_expect_str_eq(call("resources/list", "{}"), "{\"jsonrpc\":\"2.0\","
	    "\"id\":1,\"result\":{\"resources\":[{\"uri\":\"memo://readme\","
	    "\"name\":\"readme\",\"mimeType\":\"text/plain\",\"annotations\":"
	    "{\"priority\":0.5}},{\"uri\":\"memo://logo\",\"name\":\"logo\","
	    "\"mimeType\":\"image/png\",\"_meta\":{"
	    "\"io.github.mcp-oauth-fcgi/scope\":\"mcp\"}}]}}");
}

Test(resource, templates_list)
{
	cr_expect_str_eq(call("resources/templates/list", "{}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"resourceTemplates\":"
	    "[{\"uriTemplate\":\"files:///{+path}\",\"name\":\"file\","
	    "\"_meta\":{\"io.github.mcp-oauth-fcgi/scope\":\"files:read\"}},"
	    "{\"uriTemplate\":\"item://{n}\",\"name\":\"item\",\"_meta\":{"
	    "\"io.github.mcp-oauth-fcgi/scope\":\"mcp\"}}]}}");
}

Test(resource, read_text_blob_and_template)
{
	enum mcp_outcome	 out;
	struct json_object	*r;

	cr_expect_str_eq(call("resources/read", "{\"uri\":\"memo://readme\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"contents\":[{\"uri\":"
	    "\"memo://readme\",\"mimeType\":\"text/plain\",\"text\":"
	    "\"Read me.\"}]}}");
	cr_expect_str_eq(call("resources/read", "{\"uri\":\"memo://logo\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"contents\":[{\"uri\":"
	    "\"memo://logo\",\"mimeType\":\"image/png\",\"blob\":"
	    "\"iVBORwD/\"}]}}");
	cr_expect_str_eq(call("resources/read", "{\"uri\":\"item://7\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"contents\":[{\"uri\":"
	    "\"item://x\",\"mimeType\":\"text/plain\",\"text\":\"7\"}]}}");
	/* The files template needs files:read: the 403 challenge. */
	out = handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"resources/read\",\"params\":{\"uri\":\"files:///a/b\"}}", &r);
	cr_expect_eq(out, MCP_FORBIDDEN);
	cr_expect_null(r);
	cr_expect_str_eq(ctx.needed_scope, "files:read");
	strcpy(token.scope, "mcp files:read");
	cr_expect_str_eq(call("resources/read", "{\"uri\":\"files:///a/b\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"contents\":[{\"uri\":"
	    "\"files:///a/b\",\"mimeType\":\"text/plain\",\"text\":\"a/b\"}]}}");
	cr_expect_str_eq(call("resources/read", "{\"uri\":\"files:///broken\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,"
	    "\"message\":\"reading the resource failed; see the server's "
	    "error log\"}}");
	cr_expect_str_eq(call("resources/read", "{}"), "{\"jsonrpc\":\"2.0\","
	    "\"id\":1,\"error\":{\"code\":-32602,\"message\":"
	    "\"params.uri must be a string\"}}");
}

/*
 * Not found: -32002 with data.uri in the 2025 revisions, -32602 in
 * 2026-07-28 (server/resources, error handling), whether no template
 * matches or the handler finds nothing.
 */
Test(resource, not_found_in_both_eras)
{
	strcpy(token.scope, "mcp files:read");
	cr_expect_str_eq(call("resources/read", "{\"uri\":\"nope://x\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32002,"
	    "\"message\":\"Resource not found\",\"data\":{\"uri\":"
	    "\"nope://x\"}}}");
	cr_expect_str_eq(call("resources/read",
	    "{\"uri\":\"files:///missing\"}"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"error\":{\"code\":-32002,\"message\":\"Resource not found\","
	    "\"data\":{\"uri\":\"files:///missing\"}}}");
	ctx.modern = 1;
	ctx.version = "2026-07-28";
	cr_expect_str_eq(call("resources/read", "{\"uri\":\"nope://x\"}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,"
	    "\"message\":\"Resource not found\",\"data\":{\"uri\":"
	    "\"nope://x\"}}}");
	HAS(call("resources/read", "{\"uri\":\"memo://readme\"}"),
	    "\"resultType\":\"complete\"");
	HAS(call("resources/read", "{\"uri\":\"memo://readme\"}"),
	    "\"ttlMs\":0,\"cacheScope\":\"private\"");
	HAS(call("resources/list", "{}"),
	    "\"ttlMs\":0,\"cacheScope\":\"private\"");
	HAS(call("resources/templates/list", "{}"),
	    "\"ttlMs\":300000,\"cacheScope\":\"public\"");
	HAS(call("prompts/list", "{}"),
	    "\"ttlMs\":300000,\"cacheScope\":\"public\"");
	HAS(call("server/discover", "{}"), "\"capabilities\":{\"tools\":{},"
	    "\"resources\":{\"subscribe\":false,\"listChanged\":false},"
	    "\"prompts\":{\"listChanged\":false},\"completions\":{},"
	    "\"logging\":{}}");
}

/* Required arguments checked, strings only, no unknown ones: -32602. */
Test(resource, prompt_arguments)
{
	static const struct { const char *params, *message; } bad[] = {
		{ "{\"name\":\"greet\"}",
		    "Invalid arguments: missing required argument name" },
		{ "{\"name\":\"greet\",\"arguments\":{}}",
		    "Invalid arguments: missing required argument name" },
		{ "{\"name\":\"greet\",\"arguments\":{\"mood\":\"ok\"}}",
		    "Invalid arguments: missing required argument name" },
		{ "{\"name\":\"greet\",\"arguments\":{\"name\":1}}",
		    "Invalid arguments: argument name must be a string of at "
		    "most 4096 bytes" },
		{ "{\"name\":\"greet\",\"arguments\":{\"name\":\"a\","
		    "\"age\":\"3\"}}",
		    "Invalid arguments: the prompt has no argument age" },
		{ "{\"name\":\"greet\",\"arguments\":[]}",
		    "params.arguments must be an object" },
		{ "{\"name\":\"greet\",\"arguments\":{\"name\":\"a\","
		    "\"mood\":\"grumpy\"}}",
		    "Invalid arguments for the prompt greet" },
		{ "{\"name\":\"nosuch\"}", "Unknown prompt: nosuch" },
		{ "{}", "params.name must be a string" },
	};
	char		 want[512];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"error\":{\"code\":-32602,\"message\":\"%s\"}}",
		    bad[i].message);
		cr_expect_str_eq(call("prompts/get", bad[i].params), want,
		    "%s", bad[i].params);
	}
	cr_expect_str_eq(call("prompts/get", "{\"name\":\"greet\","
	    "\"arguments\":{\"name\":\"Bob\"}}"), "{\"jsonrpc\":\"2.0\","
	    "\"id\":1,\"result\":{\"description\":\"A greeting.\",\"messages\":"
	    "[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":"
	    "\"Greet Bob.\"}},{\"role\":\"assistant\",\"content\":{\"type\":"
	    "\"image\",\"data\":\"iVBORw0KGgo=\",\"mimeType\":\"image/png\"}},"
	    "{\"role\":\"user\",\"content\":{\"type\":\"resource\","
	    "\"resource\":{\"uri\":\"memo://readme\",\"mimeType\":"
	    "\"text/plain\",\"text\":\"Read me.\"}}}]}}");
	HAS(call("prompts/list", "{}"), "{\"name\":\"greet\",\"description\":"
	    "\"A greeting.\",\"arguments\":[{\"name\":\"name\",\"description\":"
	    "\"Whom.\",\"required\":true},{\"name\":\"mood\",\"required\":"
	    "false}]}");
}

Test(resource, prompt_scope_is_checked)
{
	struct json_object	*r;

	cr_expect_eq(handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"prompts/get\",\"params\":{\"name\":\"secret\"}}", &r),
	    MCP_FORBIDDEN);
	cr_expect_str_eq(ctx.needed_scope, "admin:all");
}

Test(resource, completion)
{
	cr_expect_str_eq(call("completion/complete", "{\"ref\":{\"type\":"
	    "\"ref/resource\",\"uri\":\"item://{n}\"},\"argument\":{\"name\":"
	    "\"n\",\"value\":\"14\"}}"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"result\":{\"completion\":{\"values\":[\"14\",\"140\",\"141\","
	    "\"142\",\"143\",\"144\",\"145\",\"146\",\"147\",\"148\",\"149\"],"
	    "\"total\":11,\"hasMore\":false}}}");
	/* 150 candidates: the first 100, and hasMore. */
	HAS(call("completion/complete", "{\"ref\":{\"type\":\"ref/resource\","
	    "\"uri\":\"item://{n}\"},\"argument\":{\"name\":\"n\",\"value\":"
	    "\"\"}}"), "\"total\":150,\"hasMore\":true}");
	/* The other arguments reach the handler in args. */
	cr_expect_str_eq(call("completion/complete", "{\"ref\":{\"type\":"
	    "\"ref/prompt\",\"name\":\"greet\"},\"argument\":{\"name\":"
	    "\"mood\",\"value\":\"h\"},\"context\":{\"arguments\":{\"name\":"
	    "\"Bob\"}}}"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{"
	    "\"completion\":{\"values\":[\"Bob\"],\"total\":1,\"hasMore\":"
	    "false}}}");
	cr_expect_str_eq(call("completion/complete", "{\"ref\":{\"type\":"
	    "\"ref/prompt\",\"name\":\"nosuch\"},\"argument\":{\"name\":\"a\","
	    "\"value\":\"\"}}"), "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{"
	    "\"code\":-32602,\"message\":\"Unknown prompt\"}}");
	HAS(call("completion/complete", "{\"ref\":{\"type\":\"ref/x\"},"
	    "\"argument\":{\"name\":\"a\",\"value\":\"\"}}"), "-32602");
	HAS(call("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\","
	    "\"name\":\"greet\"}}"), "-32602");
}

/* A 2025-03-26 batch is refused whole if a read needs a missing scope. */
Test(resource, batch_scopes_cover_reads_and_prompts)
{
	static const char	 batch_text[] = "[{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"resources/read\",\"params\":{\"uri\":"
	    "\"files:///x\"}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
	    "\"prompts/get\",\"params\":{\"name\":\"secret\"}},"
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\","
	    "\"params\":{\"uri\":\"memo://readme\"}}]";
	struct json_object	*batch;
	struct buf		 needed;

	buf_init(&needed);
	cr_assert_eq(json_parse_strict(batch_text, strlen(batch_text),
	    &batch), JSONU_OK);
	cr_expect_eq(mcp_batch_scopes(&ctx, batch, &needed), -1);
	cr_expect_str_eq(buf_cstr(&needed), "files:read admin:all");
	json_object_put(batch);
	buf_free(&needed);
}

/* A server without resources or prompts does not have the methods. */
Test(resource, absent_without_descriptors)
{
	struct mcp_server	 bare = { .program = "t", .name = "bare" };

	ctx.server = &bare;
	HAS(call("resources/list", "{}"), "-32601");
	HAS(call("prompts/list", "{}"), "-32601");
	HAS(call("initialize", "{\"protocolVersion\":\"2025-11-25\"}"),
	    "\"capabilities\":{\"tools\":{\"listChanged\":false},"
	    "\"logging\":{}}");
}

/*
 * A resource template or prompt needing a scope the configuration does
 * not list is logged as tools are; one with a listed scope is not.
 */
Test(resource, unconfigured_scopes_are_logged)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\nscopes = mcp\n";
	struct config		*c;
	char			 err[256], out[2048];
	int			 fds[2], saved;
	ssize_t			 n;

	cr_assert_eq(config_parse("t", text, strlen(text), &c, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	mcp_tools_check_scopes(&server, c);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	cr_assert_gt(n, 0);
	out[n] = '\0';
	HAS(out, "msg=\"resource template files:///{+path} needs the scope "
	    "files:read, which is not in the configured scopes\"");
	HAS(out, "msg=\"prompt secret needs the scope admin:all");
	cr_expect_null(strstr(out, "item://"), "%s", out);
	cr_expect_null(strstr(out, "memo://"), "%s", out);
	config_free(c);
}
