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
#include "mcpfixture.h"

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
	mcpfixture_context(&ctx, &token, &server);
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
	    "{\"listChanged\":false},\"logging\":{}}"), "%s", r);
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

/* MCP 2026-07-28 at the same endpoint: the mirrored header values. */
Test(mcp, header_decode)
{
	char	 out[64], big[MCP_HEADER_VALUE_MAX + 2];
	size_t	 len;

	cr_assert_eq(mcp_header_decode("get_weather", out, sizeof(out), &len),
	    0);
	cr_assert_str_eq(out, "get_weather");
	cr_assert_eq(len, 11);
	cr_assert_eq(mcp_header_decode("=?base64?SGVsbG8sIOS4lueVjA==?=", out,
	    sizeof(out), &len), 0);
	cr_assert_str_eq(out, "Hello, \xe4\xb8\x96\xe7\x95\x8c");
	cr_assert_eq(mcp_header_decode("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=",
	    out, sizeof(out), &len), 0, "the sentinel, encoded");
	cr_assert_str_eq(out, "=?base64?literal?=");
	cr_assert_eq(mcp_header_decode("=?base64?" "?=", out, sizeof(out), &len),
	    0);
	cr_assert_eq(len, 0);
	/* Not base64, not canonical, a NUL, control characters. */
	cr_assert_eq(mcp_header_decode("=?base64?***?=", out, sizeof(out),
	    &len), -1);
	cr_assert_eq(mcp_header_decode("=?base64?SGk?=", out, sizeof(out),
	    &len), -1, "no padding");
	cr_assert_eq(mcp_header_decode("=?base64?SGm=?=", out, sizeof(out),
	    &len), -1, "non-zero trailing bits");
	cr_assert_eq(mcp_header_decode("=?base64?AA==?=", out, sizeof(out),
	    &len), -1, "a NUL byte");
	cr_assert_eq(mcp_header_decode("a\x01" "b", out, sizeof(out), &len),
	    -1);
	cr_assert_eq(mcp_header_decode("caf\xc3\xa9", out, sizeof(out), &len),
	    -1, "raw non-ASCII must come as base64");
	/* Length limits: the header's and the output buffer's. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(mcp_header_decode(big, out, sizeof(out), &len), -1);
	big[MCP_HEADER_VALUE_MAX] = '\0';
	cr_assert_eq(mcp_header_decode(big, out, sizeof(out), &len), -1,
	    "longer than the buffer");
	cr_assert_eq(mcp_header_decode("=?base64?YWJjZA==?=", out, 4, &len),
	    -1, "4 bytes do not fit in 4 with the NUL");
	cr_assert_eq(mcp_header_decode("=?base64?YWJj?=", out, 4, &len), 0);
	cr_assert_str_eq(out, "abc");
}

#define META	"\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":" \
	"\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}"

/* Which era a request is, and the refusals of mcp_classify(). */
Test(mcp, classify)
{
	static const struct {
		const char	*version, *method, *name;
		const char	*body;
		enum mcp_era	 era;
		int		 status, code;
	} cases[] = {
		/* Legacy: no claim, whatever else is sent. */
		{ "2025-11-25", NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"ping\"}", MCP_ERA_LEGACY, 0, 0 },
		{ NULL, "ping", "x", "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"ping\"}", MCP_ERA_LEGACY, 0, 0 },
		{ NULL, NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
		    "\"initialize\",\"params\":{\"protocolVersion\":"
		    "\"2025-11-25\"}}", MCP_ERA_LEGACY, 0, 0 },
		{ "2025-03-26", NULL, NULL, "[{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"ping\"}]", MCP_ERA_LEGACY, 0, 0 },
		{ NULL, NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
		    "{}}", MCP_ERA_LEGACY, 0, 0 },
		{ "2025-11-25", NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"ping\",\"params\":{\"_meta\":{\"a\":1}}}",
		    MCP_ERA_LEGACY, 0, 0 },
		/* Modern. */
		{ "2026-07-28", "server/discover", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"server/discover\",\"params\":{"
		    META "}}", MCP_ERA_MODERN, 0, 0 },
		{ "2026-07-28", "tools/call", "whoami", "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		    "\"whoami\"," META "}}", MCP_ERA_MODERN, 0, 0 },
		{ "2026-07-28", "tools/call", "=?base64?d2hvYW1p?=",
		    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
		    "\"params\":{\"name\":\"whoami\"," META "}}",
		    MCP_ERA_MODERN, 0, 0 },
		{ "2026-07-28", "initialize", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"initialize\",\"params\":{" META "}}",
		    MCP_ERA_MODERN, 0, 0 },
		{ NULL, NULL, NULL, "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"notifications/x\",\"params\":{" META "}}",
		    MCP_ERA_MODERN, 0, 0 },
		{ "2026-07-28", NULL, NULL, "{\"jsonrpc\":\"2.0\",\"method\":"
		    "\"notifications/x\"}", MCP_ERA_MODERN, 0, 0 },
		/* The version header: missing, or not the body's. */
		{ NULL, "tools/list", NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"tools/list\",\"params\":{" META "}}",
		    MCP_ERA_REFUSED, 400, -32020 },
		{ "2025-11-25", "tools/list", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/list\",\"params\":{" META "}}",
		    MCP_ERA_REFUSED, 400, -32020 },
		{ "2026-07-28", NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
		    "\"2025-11-25\"}}", MCP_ERA_REFUSED, 400, -32020 },
		/* Mcp-Method and Mcp-Name. */
		{ "2026-07-28", NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"tools/list\",\"params\":{" META "}}",
		    MCP_ERA_REFUSED, 400, -32020 },
		{ "2026-07-28", "tools/call", "whoami", "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/list\",\"params\":{" META "}}",
		    MCP_ERA_REFUSED, 400, -32020 },
		{ "2026-07-28", "tools/call", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
		    "\"whoami\"," META "}}", MCP_ERA_REFUSED, 400, -32020 },
		{ "2026-07-28", "tools/call", "notes_add", "{\"jsonrpc\":"
		    "\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
		    "\"name\":\"whoami\"," META "}}", MCP_ERA_REFUSED, 400,
		    -32020 },
		{ "2026-07-28", "tools/call", "=?base64?!!?=", "{\"jsonrpc\":"
		    "\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
		    "\"name\":\"whoami\"," META "}}", MCP_ERA_REFUSED, 400,
		    -32020 },
		{ "2026-07-28", "resources/read", "a:b", "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":"
		    "\"a:c\"," META "}}", MCP_ERA_REFUSED, 400, -32020 },
		/* Versions we do not speak. */
		{ "2027-01-01", "tools/list", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
		    "\"io.modelcontextprotocol/protocolVersion\":\"2027-01-01\","
		    "\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
		    MCP_ERA_REFUSED, 400, -32022 },
		{ "2025-11-25", "tools/list", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
		    "\"io.modelcontextprotocol/protocolVersion\":\"2025-11-25\","
		    "\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
		    MCP_ERA_LEGACY, 0, 0 },
		{ NULL, NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"initialize\",\"params\":{\"_meta\":{"
		    "\"io.modelcontextprotocol/protocolVersion\":\"2025-06-18\"}}}",
		    MCP_ERA_LEGACY, 0, 0 },
		{ "2025-06-18", "tools/list", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
		    "\"io.modelcontextprotocol/protocolVersion\":\"2025-11-25\"}}}",
		    MCP_ERA_REFUSED, 400, -32020 },
		{ "2024-11-05", "tools/list", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{"
		    "\"io.modelcontextprotocol/protocolVersion\":\"2024-11-05\","
		    "\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
		    MCP_ERA_REFUSED, 400, -32022 },
		/* _meta missing or incomplete. */
		{ "2026-07-28", "server/discover", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"server/discover\",\"params\":{}}",
		    MCP_ERA_REFUSED, 400, -32602 },
		{ "2026-07-28", "server/discover", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"server/discover\",\"params\":{"
		    "\"_meta\":{\"io.modelcontextprotocol/clientCapabilities\":"
		    "{}}}}", MCP_ERA_REFUSED, 400, -32602 },
		{ "2026-07-28", "server/discover", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"server/discover\",\"params\":{"
		    "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
		    "\"2026-07-28\"}}}", MCP_ERA_REFUSED, 400, -32602 },
		{ "2026-07-28", "server/discover", NULL, "{\"jsonrpc\":\"2.0\","
		    "\"id\":1,\"method\":\"server/discover\",\"params\":{"
		    "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":7,"
		    "\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
		    MCP_ERA_REFUSED, 400, -32602 },
		/* No batches, nothing but a request or a notification. */
		{ "2026-07-28", NULL, NULL, "[{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"tools/list\",\"params\":{" META "}}]",
		    MCP_ERA_REFUSED, 400, -32600 },
		{ NULL, NULL, NULL, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
		    "\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
		    "\"tools/list\",\"params\":{" META "}}]", MCP_ERA_REFUSED,
		    400, -32600 },
		{ "2026-07-28", NULL, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"result\":{}}", MCP_ERA_REFUSED, 400, -32600 },
		{ "2026-07-28", NULL, NULL, "17", MCP_ERA_REFUSED, 400,
		    -32600 },
	};
	struct mcp_headers	 h;
	struct mcp_refusal	 r;
	struct json_object	*body, *e, *v;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		h.protocol_version = cases[i].version;
		h.method = cases[i].method;
		h.name = cases[i].name;
		cr_assert_eq(json_parse_strict(cases[i].body,
		    strlen(cases[i].body), &body), JSONU_OK, "case %zu", i);
		memset(&r, 0, sizeof(r));
		cr_assert_eq(mcp_classify(&h, body, &r), cases[i].era,
		    "case %zu: %s", i, r.reply ? json_str(r.reply) : "-");
		if (cases[i].era == MCP_ERA_REFUSED) {
			cr_assert_eq(r.status, cases[i].status, "case %zu", i);
			cr_assert(json_object_object_get_ex(r.reply, "error",
			    &e));
			json_object_object_get_ex(e, "code", &v);
			cr_assert_eq(json_object_get_int(v), cases[i].code,
			    "case %zu: %s", i, json_str(r.reply));
			json_object_put(r.reply);
		} else
			cr_assert_null(r.reply, "case %zu", i);
		json_object_put(body);
	}
}

Test(mcp, classify_unsupported_version_names_both_eras)
{
	struct mcp_headers	 h = { "2027-01-01", "tools/list", NULL };
	struct mcp_refusal	 r;
	struct json_object	*body;
	const char		*text = "{\"jsonrpc\":\"2.0\",\"id\":\"a\","
	    "\"method\":\"tools/list\",\"params\":{\"_meta\":{"
	    "\"io.modelcontextprotocol/protocolVersion\":\"2027-01-01\"}}}";

	cr_assert_eq(json_parse_strict(text, strlen(text), &body), JSONU_OK);
	cr_assert_eq(mcp_classify(&h, body, &r), MCP_ERA_REFUSED);
	cr_assert_str_eq(json_str(r.reply), "{\"jsonrpc\":\"2.0\",\"id\":\"a\","
	    "\"error\":{\"code\":-32022,\"message\":\"Unsupported protocol "
	    "version\",\"data\":{\"supported\":[\"2026-07-28\",\"2025-11-25\","
	    "\"2025-06-18\",\"2025-03-26\"],\"requested\":\"2027-01-01\"}}}");
	json_object_put(r.reply);
	json_object_put(body);
}

static enum tool_status
samples(struct tool_call *call)
{
	tool_text(call, "sampled");
	return TOOL_OK;
}

static const struct tool t_samples = {
	.name = "samples", .description = "Needs sampling.",
	.input_schema = "{\"type\":\"object\"}", .client_capability = "sampling",
	.handler = samples,
};

/* The methods of the modern era and the shape of their results. */
Test(mcp, modern_methods)
{
	const struct tool *const	 tools[] = { &t_echo, &t_samples };
	struct mcp_server		 srv = { .program = "t", .name = "srv",
	    .instructions = "Be kind.", .tools = tools, .ntools = 2 };
	struct json_object		*caps, *msg, *r;
	const char			*text;
	size_t				 i;
	static const char *const	 gone[] = { "initialize", "ping",
	    "logging/setLevel", "resources/list", "prompts/get" };

	ctx.server = &srv;
	ctx.modern = 1;
	ctx.version = "2026-07-28";
	caps = json_object_new_object();
	ctx.client_caps = caps;
	cr_assert_str_eq(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"server/discover\",\"params\":{}}"), "{\"jsonrpc\":\"2.0\","
	    "\"id\":1,\"result\":{\"supportedVersions\":[\"2026-07-28\","
	    "\"2025-11-25\",\"2025-06-18\",\"2025-03-26\"],\"capabilities\":{"
	    "\"tools\":{},\"logging\":{}},\"instructions\":\"Be kind.\","
	    "\"resultType\":"
	    "\"complete\",\"_meta\":{\"io.modelcontextprotocol/serverInfo\":{"
	    "\"name\":\"srv\",\"version\":\"" PACKAGE_VERSION "\"}},\"ttlMs\":"
	    "300000,\"cacheScope\":\"public\"}}");
	text = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/list\",\"params\":{}}");
	cr_assert_not_null(strstr(text, "\"resultType\":\"complete\""), "%s",
	    text);
	cr_assert_not_null(strstr(text, "\"ttlMs\":300000,\"cacheScope\":"
	    "\"public\"}"), "%s", text);
	text = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/list\",\"params\":{}}");
	cr_assert_not_null(strstr(text, "\"ttlMs\":300000"), "the kept page");
	text = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{"
	    "\"word\":\"hi\"}}}");
	cr_assert_str_eq(text, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{"
	    "\"content\":[{\"type\":\"text\",\"text\":\"hello alice, hi\"}],"
	    "\"resultType\":\"complete\",\"_meta\":{"
	    "\"io.modelcontextprotocol/serverInfo\":{\"name\":\"srv\","
	    "\"version\":\"" PACKAGE_VERSION "\"}}}}");
	/* A capability the client did not declare: -32021, 400. */
	cr_assert_eq(handle("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":"
	    "\"tools/call\",\"params\":{\"name\":\"samples\"}}", &r),
	    MCP_REPLY);
	cr_assert_str_eq(json_str(r), "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{"
	    "\"code\":-32021,\"message\":\"The tool needs the client "
	    "capability sampling, which the request does not declare\","
	    "\"data\":{\"requiredCapabilities\":{\"sampling\":{}}}}}");
	cr_assert_eq(mcp_reply_status(r), 400);
	json_object_put(r);
	json_object_object_add(caps, "sampling", json_object_new_object());
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":4,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"samples\"}}"),
	    "sampled"));
	/* Removed and unknown methods: -32601, 404. */
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		char	 req[128];

		snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":5,"
		    "\"method\":\"%s\",\"params\":{}}", gone[i]);
		cr_assert_eq(json_parse_strict(req, strlen(req), &msg),
		    JSONU_OK);
		cr_assert_eq(mcp_handle_message(&ctx, msg, &r), MCP_REPLY);
		cr_assert_not_null(strstr(json_str(r), "-32601"), "%s",
		    gone[i]);
		cr_assert_eq(mcp_reply_status(r), 404);
		json_object_put(r);
		json_object_put(msg);
	}
	/* A legacy request never sees the modern method, nor -32021. */
	ctx.modern = 0;
	ctx.client_caps = NULL;
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"server/discover\"}"), "-32601"));
	text = reply_text("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
	    "\"tools/list\"}");
	cr_assert_null(strstr(text, "resultType"), "%s", text);
	cr_assert_null(strstr(text, "ttlMs"), "%s", text);
	cr_assert_not_null(strstr(reply_text("{\"jsonrpc\":\"2.0\",\"id\":4,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"samples\"}}"),
	    "sampled"));
	json_object_put(caps);
}

Test(mcp, reply_status)
{
	struct json_object	*r;

	r = jsonrpc_error(NULL, JSONRPC_INVALID_PARAMS, "x");
	cr_assert_eq(mcp_reply_status(r), 200, "in-band, as an unknown tool");
	json_object_put(r);
	r = jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, "x");
	cr_assert_eq(mcp_reply_status(r), 400);
	json_object_put(r);
	r = jsonrpc_error(NULL, JSONRPC_INTERNAL_ERROR, "x");
	cr_assert_eq(mcp_reply_status(r), 200);
	json_object_put(r);
}
