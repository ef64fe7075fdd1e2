/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Asking the client for input (mcpinput.c): what a handler may ask in
 * which era and with which declared capabilities, the input-required
 * reply, the answers on the retry, and malformed retries refused.
 * Sealed state needs the database and is tested in test_reqstate.c
 * and tests/http/mcp-input.test.mjs.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/jsonutil.h"
#include "../../src/lib/mcp.h"
#include "../../src/lib/tool.h"
#include "mcpfixture.h"

/* What the handler did: how often it ran, what its asking returned. */
static int	 runs;
static int	 asked_rc[6];

static enum tool_status
ask(struct tool_call *call)
{
	struct json_object	*c = tool_answer_accepted(call, "name");

	runs++;
	if (c != NULL) {
		tool_text(call, "Hello, %s.", json_get_string(c, "name"));
		return TOOL_OK;
	}
	asked_rc[0] = tool_ask_elicit(call, "name", "Your name?",
	    "{\"type\":\"object\",\"properties\":{\"name\":"
	    "{\"type\":\"string\"}}}");
	asked_rc[1] = tool_ask_sample(call, "greet", "Say hello", 10);
	asked_rc[2] = tool_ask_roots(call, "roots");
	/* A key taken, an unknown method, a key too long, bad schema. */
	asked_rc[3] = tool_ask_elicit(call, "name", "Again?", "{}");
	asked_rc[4] = tool_ask(call, "other", "tools/call", NULL) == -1 &&
	    tool_ask_roots(call, "k123456789012345678901234567890123456789"
	    "01234567890123456789012345") == -1 ? -1 : 0;
	asked_rc[5] = tool_ask_elicit(call, "bad", "Bad schema", "[1]");
	if (asked_rc[0] == -1 && asked_rc[1] == -1 && asked_rc[2] == -1)
		tool_text(call, "Nothing could be asked.");
	return TOOL_OK;
}

static const struct tool t_ask = {
	.name = "ask", .description = "Asks.",
	.input_schema = "{\"type\":\"object\"}", .handler = ask,
};

/* Keeps state without asking anything: only a modern request may. */
static int	 keep_rc;

static enum tool_status
keep(struct tool_call *call)
{
	keep_rc = tool_state_keep(call, "remembered");
	tool_text(call, "Kept: %d.", keep_rc);
	return TOOL_OK;
}

static const struct tool t_keep = {
	.name = "keep", .description = "Keeps state.",
	.input_schema = "{\"type\":\"object\"}", .handler = keep,
};
static const struct tool *const fixture[] = { &t_ask, &t_keep };
static struct mcp_server	 server = {
	.program = "test", .name = "test-server", .tools = fixture,
	.ntools = 2,
};
static struct bearer		 token;
static struct mcp_context	 ctx;
static struct json_object	*caps;

static void
setup(void)
{
	mcpfixture_context(&ctx, &token, &server);
	ctx.version = "2026-07-28";
	ctx.modern = 1;
	memset(asked_rc, 0, sizeof(asked_rc));
	runs = 0;
}

static void
teardown(void)
{
	json_object_put(caps);
	caps = NULL;
}

TestSuite(mcpinput, .init = setup, .fini = teardown);

static void
declare(const char *json)
{
	json_object_put(caps);
	caps = json_tokener_parse(json);
	ctx.client_caps = caps;
}

/* The reply to a tools/call of "ask" with extra params (JSON members). */
static struct json_object *
call(const char *extra)
{
	struct json_object	*msg, *reply;
	char			 text[1024];

	snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"id\":3,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"ask\"%s%s}}",
	    extra[0] != '\0' ? "," : "", extra);
	cr_assert_eq(json_parse_strict(text, strlen(text), &msg), JSONU_OK,
	    "%s", text);
	cr_assert_eq(mcp_handle_message(&ctx, msg, &reply), MCP_REPLY);
	json_object_put(msg);
	return reply;
}

static struct json_object *
at(struct json_object *o, const char *path)
{
	char			 key[64];
	const char		*p = path;
	size_t			 n;

	while (o != NULL && *p != '\0') {
		n = strcspn(p, ".");
		cr_assert_lt(n, sizeof(key));
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	return o;
}

Test(mcpinput, asks_only_what_the_client_declared)
{
	struct json_object	*r;

	declare("{\"elicitation\":{},\"roots\":{}}");
	r = call("");
	cr_assert_str_eq(json_get_string(at(r, "result"), "resultType"),
	    "input_required", "%s", json_str(r));
	cr_assert_str_eq(json_get_string(at(r, "result.inputRequests.name"),
	    "method"), "elicitation/create");
	cr_assert_str_eq(json_get_string(at(r,
	    "result.inputRequests.name.params"), "mode"), "form");
	cr_assert_str_eq(json_get_string(at(r, "result.inputRequests.roots"),
	    "method"), "roots/list");
	cr_assert_null(at(r, "result.inputRequests.greet"));
	cr_assert_null(at(r, "result.requestState"));
	cr_assert_null(at(r, "result.content"));
	cr_assert_not_null(at(r, "result._meta"));
	cr_assert_eq(asked_rc[0], 0);
	cr_assert_eq(asked_rc[1], -1);
	cr_assert_eq(asked_rc[2], 0);
	cr_assert_eq(asked_rc[3], -1);
	cr_assert_eq(asked_rc[4], -1);
	cr_assert_eq(asked_rc[5], -1);
	json_object_put(r);
}

Test(mcpinput, nothing_is_asked_without_capabilities_or_in_legacy)
{
	struct json_object	*r;

	declare("{}");
	r = call("");
	cr_assert_str_eq(json_get_string(at(r, "result"), "resultType"),
	    "complete");
	cr_assert_eq(asked_rc[0], -1);
	json_object_put(r);
	/* A legacy request cannot be asked anything, whatever it sends. */
	declare("{\"elicitation\":{},\"sampling\":{},\"roots\":{}}");
	ctx.modern = 0;
	ctx.version = "2025-11-25";
	r = call("\"inputResponses\":{\"name\":{\"action\":\"accept\","
	    "\"content\":{\"name\":\"Ada\"}}}");
	cr_assert_null(at(r, "result.resultType"));
	cr_assert_str_eq(json_str(at(r, "result.content")),
	    "[{\"type\":\"text\",\"text\":\"Nothing could be asked.\"}]");
	json_object_put(r);
}

/*
 * We elicit in form mode only: a client must have declared it, with an
 * empty elicitation object or one naming "form" (client/elicitation).
 */
Test(mcpinput, form_elicitation_only_to_clients_that_take_forms)
{
	static const struct {
		const char	*caps;
		int		 rc;
	} cases[] = {
		{ "{\"elicitation\":{}}", 0 },
		{ "{\"elicitation\":{\"form\":{}}}", 0 },
		{ "{\"elicitation\":{\"form\":{},\"url\":{}}}", 0 },
		{ "{\"elicitation\":{\"url\":{}}}", -1 },
		{ "{\"elicitation\":true}", -1 },
		{ "{\"elicitation\":null}", -1 },
	};
	struct json_object	*r;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		declare(cases[i].caps);
		asked_rc[0] = 7;
		r = call("");
		cr_assert_eq(asked_rc[0], cases[i].rc, "%s", cases[i].caps);
		json_object_put(r);
	}
}

/* A legacy client never gets an input-required result or a state. */
Test(mcpinput, no_state_is_kept_in_a_legacy_request)
{
	struct json_object	*msg, *r;
	const char		*text = "{\"jsonrpc\":\"2.0\",\"id\":4,"
				    "\"method\":\"tools/call\",\"params\":"
				    "{\"name\":\"keep\"}}";

	declare("{\"elicitation\":{}}");
	ctx.modern = 0;
	ctx.version = "2025-11-25";
	keep_rc = 7;
	cr_assert_eq(json_parse_strict(text, strlen(text), &msg), JSONU_OK);
	cr_assert_eq(mcp_handle_message(&ctx, msg, &r), MCP_REPLY);
	json_object_put(msg);
	cr_assert_eq(keep_rc, -1);
	cr_assert_null(at(r, "result.resultType"), "%s", json_str(r));
	cr_assert_null(at(r, "result.requestState"));
	cr_assert_str_eq(json_str(at(r, "result.content")),
	    "[{\"type\":\"text\",\"text\":\"Kept: -1.\"}]");
	json_object_put(r);
}

Test(mcpinput, the_retry_brings_the_answers)
{
	struct json_object	*r;

	declare("{\"elicitation\":{}}");
	r = call("\"inputResponses\":{\"name\":{\"action\":\"accept\","
	    "\"content\":{\"name\":\"Ada\"}},\"extra\":{\"x\":1}}");
	cr_assert_str_eq(json_get_string(at(r, "result"), "resultType"),
	    "complete");
	cr_assert_str_eq(json_str(at(r, "result.content")),
	    "[{\"type\":\"text\",\"text\":\"Hello, Ada.\"}]");
	json_object_put(r);
	/* Declined: not an accepted answer, so asked again. */
	r = call("\"inputResponses\":{\"name\":{\"action\":\"decline\"}}");
	cr_assert_str_eq(json_get_string(at(r, "result"), "resultType"),
	    "input_required");
	json_object_put(r);
}

Test(mcpinput, malformed_retries_are_refused)
{
	static const char *const bad[] = {
		"\"inputResponses\":null",
		"\"inputResponses\":[]",
		"\"inputResponses\":\"x\"",
		"\"inputResponses\":{\"name\":12345}",
		"\"inputResponses\":{\"name\":null}",
		"\"requestState\":12",
		"\"requestState\":null",
	};
	struct json_object	*r;
	size_t			 i;

	declare("{\"elicitation\":{}}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = call(bad[i]);
		cr_assert_eq(json_object_get_int(at(r, "error.code")), -32602,
		    "%s: %s", bad[i], json_str(r));
		cr_assert_null(at(r, "result"));
		json_object_put(r);
	}
	cr_assert_eq(runs, 0, "the handler ran");
}
