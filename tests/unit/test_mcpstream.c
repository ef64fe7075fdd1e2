/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/loglevel.h"
#include "../../src/lib/mcpstream.h"
#include "../../src/lib/tool.h"
#include "dbfixture.h"
#include "testutil.h"

static void
event_is(const char *data, const char *want)
{
	struct buf	 b;

	buf_init(&b);
	mcp_sse_event(&b, data, strlen(data));
	cr_assert_str_eq(buf_cstr(&b), want, "for \"%s\"", data);
	buf_free(&b);
}

Test(mcpstream, sse_framing)
{
	event_is("{\"a\":1}", "event: message\ndata: {\"a\":1}\n\n");
	event_is("", "event: message\ndata: \n\n");
	/* Every kind of line break starts a data line of its own. */
	event_is("a\nb", "event: message\ndata: a\ndata: b\n\n");
	event_is("a\r\nb", "event: message\ndata: a\ndata: b\n\n");
	event_is("a\rb", "event: message\ndata: a\ndata: b\n\n");
	event_is("a\n\nb", "event: message\ndata: a\ndata: \ndata: b\n\n");
	event_is("a\n", "event: message\ndata: a\ndata: \n\n");
	/* An injected field or blank line stays data. */
	event_is("x\n\nevent: evil\ndata: y",
	    "event: message\ndata: x\ndata: \ndata: event: evil\n"
	    "data: data: y\n\n");
}

Test(mcpstream, level_names)
{
	static const char *const names[] = { "debug", "info", "notice",
	    "warning", "error", "critical", "alert", "emergency" };
	size_t	 i;

	for (i = 0; i < 8; i++) {
		cr_assert_eq(log_level_parse(names[i]), (int)i);
		cr_assert_str_eq(log_level_name((enum tool_log_level)i),
		    names[i]);
	}
	cr_assert_eq(log_level_parse("INFO"), -1);
	cr_assert_eq(log_level_parse("warn"), -1);
	cr_assert_eq(log_level_parse(""), -1);
}

static int
lookup_notice(void *ctx, int *level)
{
	(*(int *)ctx)++;
	*level = TOOL_LOG_NOTICE;
	return 0;
}

static int
lookup_none(void *ctx, int *level)
{
	(void)level;
	(*(int *)ctx)++;
	return -1;
}

Test(mcpstream, level_filter)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };
	struct mcp_stream	 s;
	int			 calls = 0;

	http_response_init(&resp);
	mcp_stream_init(&s, &io, NULL, &resp);
	/* Not accepted by the client: nothing, at any level. */
	s.log_level = TOOL_LOG_DEBUG;
	cr_assert_not(mcp_stream_log_wanted(&s, TOOL_LOG_EMERGENCY));
	s.accepted = 1;
	cr_assert(mcp_stream_log_wanted(&s, TOOL_LOG_DEBUG));
	s.log_level = TOOL_LOG_WARNING;
	cr_assert_not(mcp_stream_log_wanted(&s, TOOL_LOG_NOTICE));
	cr_assert(mcp_stream_log_wanted(&s, TOOL_LOG_WARNING));
	cr_assert(mcp_stream_log_wanted(&s, TOOL_LOG_ERROR));
	s.log_level = MCP_LOG_NONE;
	cr_assert_not(mcp_stream_log_wanted(&s, TOOL_LOG_EMERGENCY));
	/* A legacy level is looked up once, at the first message. */
	s.log_level = MCP_LOG_UNKNOWN;
	s.level_lookup = lookup_notice;
	s.level_ctx = &calls;
	cr_assert_not(mcp_stream_log_wanted(&s, TOOL_LOG_INFO));
	cr_assert(mcp_stream_log_wanted(&s, TOOL_LOG_NOTICE));
	cr_assert_eq(calls, 1);
	/* None stored: the default, info. */
	calls = 0;
	s.log_level = MCP_LOG_UNKNOWN;
	s.level_lookup = lookup_none;
	cr_assert_not(mcp_stream_log_wanted(&s, TOOL_LOG_DEBUG));
	cr_assert(mcp_stream_log_wanted(&s, TOOL_LOG_INFO));
	cr_assert_eq(calls, 1);
	cr_assert_eq(m.out.len, 0);
	http_response_free(&resp);
	buf_free(&m.out);
}

/* The head once, each event as sent, then the result; nothing else. */
Test(mcpstream, stream_writes_head_events_and_result)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };
	struct mcp_stream	 s;
	struct tool_call	 call;
	struct json_object	*token, *reply;

	http_response_init(&resp);
	http_header(&resp, "Vary", "Origin");
	mcp_stream_init(&s, &io, NULL, &resp);
	s.accepted = 1;
	s.log_level = TOOL_LOG_INFO;
	memset(&call, 0, sizeof(call));
	call.stream = &s;
	/* No progress token: no progress. */
	cr_assert_eq(tool_progress(&call, 1, 2, NULL), 0);
	cr_assert_eq(tool_log(&call, TOOL_LOG_DEBUG, "t", "hidden"), 0);
	cr_assert_eq(m.out.len, 0);
	cr_assert_not(s.started);
	token = json_object_new_string("tok");
	call.progress_token = token;
	cr_assert_eq(tool_progress(&call, 1, 2, "half\nway"), 0);
	cr_assert_eq(tool_log(&call, TOOL_LOG_ERROR, NULL, "n=%d", 3), 0);
	reply = json_object_new_object();
	json_object_object_add(reply, "id", json_object_new_int(9));
	cr_assert_eq(mcp_stream_finish(&s, reply), 0);
	cr_assert(resp.sent);
	cr_assert_str_eq(buf_cstr(&m.out),
	    "Status: 200 OK\r\n"
	    "Vary: Origin\r\n"
	    "Content-Type: text/event-stream\r\n"
	    "Cache-Control: no-cache\r\n"
	    "X-Accel-Buffering: no\r\n\r\n"
	    "event: message\n"
	    "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
	    "\"params\":{\"progressToken\":\"tok\",\"progress\":1.0,"
	    "\"total\":2.0,\"message\":\"half\\nway\"}}\n\n"
	    "event: message\n"
	    "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\","
	    "\"params\":{\"level\":\"error\",\"data\":\"n=3\"}}\n\n"
	    "event: message\n"
	    "data: {\"id\":9}\n\n");
	/* The request loop writes nothing more. */
	cr_assert_eq(http_response_write(&resp, &io), 0);
	cr_assert_eq(m.out.len, strlen(buf_cstr(&m.out)));
	json_object_put(reply);
	json_object_put(token);
	http_response_free(&resp);
	buf_free(&m.out);
}

/* A client gone: -1 from then on, so that a long tool can stop. */
Test(mcpstream, broken_stream)
{
	struct http_response	 resp;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 1 };
	struct http_io		 io = { memio_read, memio_write, &m };
	struct mcp_stream	 s;
	struct tool_call	 call;
	struct json_object	*token = json_object_new_int(1);

	http_response_init(&resp);
	mcp_stream_init(&s, &io, NULL, &resp);
	s.accepted = 1;
	s.log_level = TOOL_LOG_DEBUG;
	memset(&call, 0, sizeof(call));
	call.stream = &s;
	call.progress_token = token;
	cr_assert_eq(tool_progress(&call, 1, 0, NULL), -1);
	cr_assert(s.broken);
	cr_assert_eq(tool_progress(&call, 2, 0, NULL), -1);
	cr_assert_eq(tool_log(&call, TOOL_LOG_ERROR, "t", "x"), -1);
	json_object_put(token);
	http_response_free(&resp);
	buf_free(&m.out);
}

/*
 * The level a legacy client set lives with its grant: read back by any
 * process, refused when it is no level, gone with the grant, whether
 * revoked or purged.
 */
Test(mcpstream, level_record_follows_the_grant, .init = fx_setup,
    .fini = fx_teardown)
{
	struct fx_grant		 g, h;
	struct store_txn	*t;
	int			 level = -1;

	fx_grant("alice", &fx_app, FX_T0, 0, &g);
	fx_grant("bob", &fx_app, FX_T0, 0, &h);
	cr_assert_eq(store_log_level_get(fx_st, g.id, &level), -1);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_log_level_put(t, g.id, TOOL_LOG_WARNING), STORE_OK);
	cr_assert_eq(store_log_level_put(t, h.id, TOOL_LOG_DEBUG), STORE_OK);
	cr_assert_neq(store_log_level_put(t, g.id, 8), STORE_OK);
	cr_assert_neq(store_log_level_put(t, "short", TOOL_LOG_INFO),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(store_log_level_get(fx_st, g.id, &level), 0);
	cr_assert_eq(level, TOOL_LOG_WARNING);
	cr_assert_eq(store_log_level_get(fx_st, h.id, &level), 0);
	cr_assert_eq(level, TOOL_LOG_DEBUG);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(grant_revoke(t, g.id, NULL), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(store_log_level_get(fx_st, g.id, &level), -1);
	cr_assert_eq(store_log_level_get(fx_st, h.id, &level), 0,
	    "only the revoked grant's level goes");
}
