/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/buf.h"
#include "../../src/lib/config.h"
#include "../../src/lib/jsonutil.h"
#include "../../src/lib/mcp.h"
#include "../../src/lib/tool.h"

static enum tool_status
echo(struct tool_call *call)
{
	tool_text(call, "hello %s, %s", call->caller->user,
	    tool_arg_string(call, "word"));
	return TOOL_OK;
}

static enum tool_status
broken(struct tool_call *call)
{
	(void)call;
	return TOOL_FAILED;
}

static enum tool_status
refuses(struct tool_call *call)
{
	tool_error(call, "no %d", 42);
	return TOOL_OK;
}

static const struct tool t_echo = {
	.name = "echo", .description = "Echoes.",
	.input_schema = "{\"type\":\"object\",\"properties\":{\"word\":"
	    "{\"type\":\"string\",\"maxLength\":5}},\"required\":[\"word\"]}",
	.scope = "mcp", .handler = echo,
};
static const struct tool t_broken = {
	.name = "broken", .description = "Fails.",
	.input_schema = "{\"type\":\"object\"}", .handler = broken,
};
static const struct tool t_refuses = {
	.name = "refuses", .description = "Tool error.",
	.input_schema = "{\"type\":\"object\"}", .scope = "admin:all",
	.handler = refuses,
};
static const struct tool *const fixture[] = { &t_echo, &t_broken,
    &t_refuses };

static struct mcp_server	 server = {
	.program = "test", .name = "test-server", .tools = fixture,
	.ntools = 3,
};
static struct bearer		 token;
static struct mcp_context	 ctx;

static void
setup(void)
{
	memset(&token, 0, sizeof(token));
	strcpy(token.user, "alice");
	strcpy(token.client_id, "mcpc_x");
	strcpy(token.scope, "mcp");
	memset(&ctx, 0, sizeof(ctx));
	ctx.server = &server;
	ctx.token = &token;
	ctx.version = "2025-11-25";
}

TestSuite(mcp, .init = setup);

/* Handles text as one message; returns the outcome, *reply the answer. */
static enum mcp_outcome
handle(const char *text, struct json_object **reply)
{
	struct json_object	*msg;
	enum mcp_outcome	 out;

	cr_assert_eq(json_parse_strict(text, strlen(text), &msg), JSONU_OK);
	out = mcp_handle_message(&ctx, msg, reply);
	json_object_put(msg);
	return out;
}

static const char *
reply_text(const char *request)
{
	static char		 buf[8192];
	struct json_object	*r;

	cr_assert_eq(handle(request, &r), MCP_REPLY, "%s", request);
	snprintf(buf, sizeof(buf), "%s", json_str(r));
	json_object_put(r);
	return buf;
}

Test(mcp, ping_and_unknown)
{
	cr_assert_str_eq(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\"}"), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"result\":{}}");
	cr_assert_str_eq(reply_text("{\"jsonrpc\":\"2.0\",\"id\":\"a\","
	    "\"method\":\"resources/list\"}"), "{\"jsonrpc\":\"2.0\","
	    "\"id\":\"a\",\"error\":{\"code\":-32601,\"message\":"
	    "\"Method not found: resources/list\"}}");
}

Test(mcp, notifications_and_responses_get_no_reply)
{
	struct json_object	*r;

	cr_assert_eq(handle("{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}", &r), MCP_NO_REPLY);
	cr_assert_null(r);
	cr_assert_eq(handle("{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\"}",
	    &r), MCP_NO_REPLY, "a notification never runs a method");
	cr_assert_eq(handle("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}", &r),
	    MCP_NO_REPLY);
}

Test(mcp, initialize_negotiates)
{
	const char	*r;

	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
	cr_assert_not_null(strstr(r, "\"protocolVersion\":\"2025-06-18\""), "%s",
	    r);
	cr_assert_not_null(strstr(r, "\"capabilities\":{\"tools\":"
	    "{\"listChanged\":false}}"), "%s", r);
	cr_assert_not_null(strstr(r, "\"name\":\"test-server\""));
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2030-01-01\"}}");
	cr_assert_not_null(strstr(r, "\"protocolVersion\":\"2025-11-25\""));
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":7}}");
	cr_assert_not_null(strstr(r, "-32602"));
	ctx.in_batch = 1;
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-03-26\"}}");
	cr_assert_not_null(strstr(r, "-32600"));
}

Test(mcp, versions)
{
	cr_assert(mcp_version_supported("2025-11-25"));
	cr_assert(mcp_version_supported("2025-06-18"));
	cr_assert(mcp_version_supported("2025-03-26"));
	cr_assert_not(mcp_version_supported("2024-11-05"));
	cr_assert_not(mcp_version_supported("2026-07-28"));
	cr_assert_not(mcp_version_supported(""));
}

Test(mcp, versions_text_is_the_table)
{
	struct buf	 b;

	buf_init(&b);
	buf_puts(&b, "(");
	mcp_versions_text(&b);
	buf_puts(&b, ")");
	cr_assert_str_eq(buf_cstr(&b), "(2025-11-25, 2025-06-18, 2025-03-26)");
	buf_free(&b);
}

/* Every method of the dispatch table, and what is not in it. */
Test(mcp, methods_dispatch)
{
	const char	*r;

	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/list\"}");
	cr_assert_not_null(strstr(r, "\"tools\":["), "%s", r);
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":"
	    "{\"word\":\"hi\"}}}");
	cr_assert_not_null(strstr(r, "\"result\":{\"content\":"), "%s", r);
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/lisp\"}");
	cr_assert_not_null(strstr(r, "Method not found: tools/lisp"), "%s", r);
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/\"}");
	cr_assert_not_null(strstr(r, "Method not found: tools/"), "%s", r);
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"PING\"}");
	cr_assert_not_null(strstr(r, "-32601"), "%s", r);
}

Test(mcp, envelope_errors)
{
	static const struct {
		const char	*in;
		const char	*out;
	} cases[] = {
		{ "[1]", "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
		    "-32600" },
		{ "{\"id\":1,\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
		    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
		    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}",
		    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,"
		    "\"method\":\"ping\"}", "{\"jsonrpc\":\"2.0\",\"id\":null,"
		    "\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":2}", "{\"jsonrpc\":\"2.0\","
		    "\"id\":2,\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":[]}",
		    "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32600" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\","
		    "\"params\":\"x\"}", "{\"jsonrpc\":\"2.0\",\"id\":3,"
		    "\"error\":{\"code\":-32602" },
	};
	struct json_object	*msg, *r;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(json_parse_strict(cases[i].in,
		    strlen(cases[i].in), &msg), JSONU_OK);
		if (json_object_is_type(msg, json_type_array)) {
			struct json_object	*e = json_object_get(
			    json_object_array_get_idx(msg, 0));

			json_object_put(msg);
			msg = e;
		}
		cr_assert_eq(mcp_handle_message(&ctx, msg, &r), MCP_REPLY);
		cr_assert_eq(strncmp(json_str(r), cases[i].out,
		    strlen(cases[i].out)), 0, "case %zu: %s", i, json_str(r));
		json_object_put(r);
		json_object_put(msg);
	}
}

Test(mcp, tools_call)
{
	const char	*r;

	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"echo\",\"arguments\":{\"word\":\"hi\"}}}");
	cr_assert_str_eq(r, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{"
	    "\"content\":[{\"type\":\"text\",\"text\":\"hello alice, hi\"}]}}");
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"echo\",\"arguments\":{\"word\":\"toolong\"}}}");
	cr_assert_not_null(strstr(r, "\"isError\":true"), "%s", r);
	cr_assert_not_null(strstr(r, "Invalid arguments: arguments.word: must "
	    "be at most 5 characters long"), "%s", r);
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"echo\"}}");
	cr_assert_not_null(strstr(r, "\\\"word\\\" is required"), "%s", r);
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"broken\"}}");
	cr_assert_str_eq(r, "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":"
	    "-32603,\"message\":\"the tool failed; see the server's error "
	    "log\"}}");
	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"missing\"}}");
	cr_assert_not_null(strstr(r, "-32602,\"message\":\"Unknown tool: "
	    "missing\""), "%s", r);
}

Test(mcp, scope_check_asks_for_step_up)
{
	struct json_object	*r;

	cr_assert_eq(handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"refuses\"}}", &r),
	    MCP_FORBIDDEN);
	cr_assert_null(r);
	cr_assert_str_eq(ctx.needed_scope, "admin:all");
	strcpy(token.scope, "mcp admin:all");
	cr_assert_str_eq(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"refuses\"}}"),
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":"
	    "\"text\",\"text\":\"no 42\"}],\"isError\":true}}");
}

Test(mcp, tools_list_shows_scope)
{
	const char	*r;

	r = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	cr_assert_not_null(strstr(r, "\"name\":\"echo\",\"description\":"
	    "\"Echoes. (Requires the OAuth scope mcp.)\""), "%s", r);
	cr_assert_not_null(strstr(r, "\"name\":\"broken\",\"description\":"
	    "\"Fails.\",\"inputSchema\":{\"type\":\"object\"}}"), "%s", r);
	cr_assert_null(strstr(r, "nextCursor"));
}

static struct tool	many[120];
static const struct tool *many_ptrs[120];
static char		many_names[120][8];

Test(mcp, tools_list_paginates)
{
	struct mcp_server	 big = { .program = "t", .name = "t",
	    .tools = many_ptrs, .ntools = 120 };
	struct json_object	*msg, *r, *result, *tools, *cur;
	char			 req[256], cursor[32];
	size_t			 i, seen = 0, pages = 0;

	for (i = 0; i < 120; i++) {
		snprintf(many_names[i], sizeof(many_names[i]), "t%03zu", i);
		many[i].name = many_names[i];
		many[i].description = "d";
		many[i].input_schema = "{\"type\":\"object\"}";
		many[i].handler = echo;
		many_ptrs[i] = &many[i];
	}
	ctx.server = &big;
	cursor[0] = '\0';
	do {
		if (cursor[0] == '\0')
			snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"tools/list\"}");
		else
			snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,"
			    "\"method\":\"tools/list\",\"params\":{\"cursor\":"
			    "\"%s\"}}", cursor);
		cr_assert_eq(json_parse_strict(req, strlen(req), &msg),
		    JSONU_OK);
		cr_assert_eq(mcp_handle_message(&ctx, msg, &r), MCP_REPLY);
		cr_assert(json_object_object_get_ex(r, "result", &result),
		    "%s", json_str(r));
		cr_assert(json_object_object_get_ex(result, "tools", &tools));
		for (i = 0; i < json_object_array_length(tools); i++) {
			struct json_object	*t, *name;

			t = json_object_array_get_idx(tools, i);
			json_object_object_get_ex(t, "name", &name);
			cr_assert_str_eq(json_object_get_string(name),
			    many_names[seen], "order is fixed");
			seen++;
		}
		if (json_object_object_get_ex(result, "nextCursor", &cur))
			snprintf(cursor, sizeof(cursor), "%s",
			    json_object_get_string(cur));
		else
			cursor[0] = '\0';
		json_object_put(r);
		json_object_put(msg);
		pages++;
	} while (cursor[0] != '\0' && pages < 10);
	cr_assert_eq(seen, 120);
	cr_assert_eq(pages, 3);
	/* A cursor past the end, or garbage, is -32602. */
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/list\",\"params\":{\"cursor\":\"AAAAeA\"}}"),
	    "-32602"));
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/list\",\"params\":{\"cursor\":\"AAAAAA\"}}"),
	    "-32602"), "cursor 0 is not one we hand out");
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/list\",\"params\":{\"cursor\":5}}"), "-32602"));
}

static const struct tool t_badname = {
	.name = "bad name", .description = "x",
	.input_schema = "{\"type\":\"object\"}", .handler = echo,
};
static const struct tool t_badschema = {
	.name = "ok", .description = "x", .input_schema = "{\"type\":",
	.handler = echo,
};

Test(mcp, misconfigured_tools_fail_closed)
{
	const struct tool *const	 a[] = { &t_badname };
	const struct tool *const	 b[] = { &t_badschema };
	struct mcp_server		 sa = { .program = "t", .name = "t",
	    .tools = a, .ntools = 1 };
	struct mcp_server		 sb = { .program = "t", .name = "t",
	    .tools = b, .ntools = 1 };
	char				 why[256];

	cr_assert_eq(mcp_tools_prepare(&sa, why, sizeof(why)), -1);
	cr_assert_not_null(strstr(why, "bad name"));
	cr_assert_eq(mcp_tools_prepare(&sb, why, sizeof(why)), -1);
	cr_assert_not_null(strstr(why, "input_schema"));
	ctx.server = &sb;
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/list\"}"), "-32603"));
}

/* Whether the n bytes at s are valid UTF-8 (RFC 3629). */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t	 i = 0, len, k;

	while (i < n) {
		if (s[i] < 0x80)
			len = 1;
		else if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

/* The error message of the reply to a message naming a method. */
static size_t
error_message(const char *request, char *out, size_t outsz)
{
	struct json_object	*r, *e, *m;

	cr_assert_eq(handle(request, &r), MCP_REPLY);
	cr_assert(json_object_object_get_ex(r, "error", &e), "%s", json_str(r));
	cr_assert(json_object_object_get_ex(e, "message", &m));
	snprintf(out, outsz, "%s", json_object_get_string(m));
	json_object_put(r);
	return strlen(out);
}

/*
 * An error message naming a long method or tool is cut to fit, at a
 * character boundary: half a UTF-8 character would make the reply
 * invalid JSON text (RFC 8259 §8.1: JSON text is UTF-8).
 */
Test(mcp, long_names_are_cut_at_a_character_boundary)
{
	struct buf	 req;
	char		 msg[512];
	size_t		 i, n;

	/* "Method not found: " is 18 bytes: an "é" would straddle 255. */
	buf_init(&req);
	buf_puts(&req, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"");
	for (i = 0; i < 200; i++)
		buf_puts(&req, "\xc3\xa9");
	buf_puts(&req, "\"}");
	n = error_message(buf_cstr(&req), msg, sizeof(msg));
	cr_assert(utf8_valid((unsigned char *)msg, n), "%s", msg);
	cr_assert_eq(n, 254);
	cr_assert_eq(strncmp(msg, "Method not found: \xc3\xa9", 20), 0);

	/* "Unknown tool: " and a three-byte character cut after one. */
	buf_reset(&req);
	buf_puts(&req, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"ab");
	for (i = 0; i < 100; i++)
		buf_puts(&req, "\xe2\x82\xac");
	buf_puts(&req, "\"}}");
	n = error_message(buf_cstr(&req), msg, sizeof(msg));
	cr_assert(utf8_valid((unsigned char *)msg, n), "%s", msg);
	cr_assert_eq(n, 253);
	buf_free(&req);

	/* A message that fits is whole. */
	n = error_message("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"\xc3\xa9t\xc3\xa9\"}", msg, sizeof(msg));
	cr_assert_str_eq(msg, "Method not found: \xc3\xa9t\xc3\xa9");
}

/*
 * A 2025-03-26 batch is checked for scopes before any of it runs (MCP
 * 2026-07-28, basic/authorization: one challenge names every scope the
 * operation needs): every scope a refused call needs, once; messages
 * that would not reach the scope check (notifications, bad ids,
 * unknown tools) do not count.
 */
Test(mcp, batch_scopes_checked_before_anything_runs)
{
	static const char	 refused[] = "[{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
	    "\"arguments\":{\"word\":\"x\"}}},"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"refuses\"}},"
	    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"refuses\"}}]";
	static const char	 allowed[] = "[{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"refuses\"}},"
	    "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"refuses\"}},"
	    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"nosuch\"}},"
	    "{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"refuses\"}}]";
	struct json_object	*batch;
	struct buf		 needed;

	buf_init(&needed);
	cr_assert_eq(json_parse_strict(refused, strlen(refused), &batch),
	    JSONU_OK);
	cr_assert_eq(mcp_batch_scopes(&ctx, batch, &needed), -1);
	cr_assert_str_eq(buf_cstr(&needed), "admin:all");
	json_object_put(batch);
	cr_assert_eq(json_parse_strict(allowed, strlen(allowed), &batch),
	    JSONU_OK);
	cr_assert_eq(mcp_batch_scopes(&ctx, batch, &needed), 0);
	cr_assert_eq(needed.len, 0);
	json_object_put(batch);
	buf_free(&needed);
}

static const char	*check_text = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\nscopes = mcp notes:read\n";

/*
 * A tool needing a scope the configuration does not list is a
 * tool_error in the log, once for each such tool.
 */
Test(mcp, unconfigured_tool_scope_is_logged)
{
	struct config	*c;
	char		 err[256], out[2048];
	int		 fds[2], saved;
	ssize_t		 n;

	cr_assert_eq(config_parse("t", check_text, strlen(check_text), &c,
	    err, sizeof(err)), CONFIG_OK, "%s", err);
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
	cr_assert_not_null(strstr(out, "event=tool_error msg=\"tool refuses "
	    "needs the scope admin:all, which is not in the configured "
	    "scopes\""), "%s", out);
	cr_assert_null(strstr(out, "tool echo"), "%s", out);
	cr_assert(strchr(out, '\n') != NULL &&
	    strchr(out, '\n')[1] == '\0', "one line: %s", out);
	config_free(c);
}
