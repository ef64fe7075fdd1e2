/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "http.h"
#include "jsonutil.h"
#include "loglevel.h"
#include "mcpstream.h"
#include "tool.h"

/* The longest log message text a tool may send, in bytes. */
#define MCP_LOG_TEXT_MAX	8192

void
mcp_stream_init(struct mcp_stream *s, const struct http_io *out,
    int (*flush)(void *), struct http_response *resp)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->flush = flush;
	s->resp = resp;
	s->log_level = MCP_LOG_NONE;
}

/*
 * Appends one SSE event carrying data (HTML Living Standard, server-
 * sent events: event stream interpretation).  A line break inside data
 * would end the data line early, so every line of it, whichever of
 * CR LF, LF or CR ends it, gets a "data:" line of its own; the client
 * joins them with LF.  Serialised JSON has no raw line breaks, but the
 * framing must not depend on that.
 */
void
mcp_sse_event(struct buf *b, const char *data, size_t len)
{
	size_t	 i, start = 0;

	buf_puts(b, "event: message\n");
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n' && data[i] != '\r')
			continue;
		buf_puts(b, "data: ");
		buf_append(b, data + start, i - start);
		buf_putc(b, '\n');
		if (i + 1 < len && data[i] == '\r' && data[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	buf_putc(b, '\n');
}

static int
stream_write(struct mcp_stream *s, const struct buf *b)
{
	if (s->broken)
		return -1;
	if (buf_failed(b) || s->out->write(s->out->ctx, buf_cstr(b),
	    b->len) == -1 || (s->flush != NULL &&
	    s->flush(s->out->ctx) == -1)) {
		s->broken = 1;
		return -1;
	}
	return 0;
}

/*
 * Writes the response head once: 200, the headers set so far (CORS),
 * and those of an event stream.  No Content-Length: the web server
 * ends the response with chunked encoding or by closing.  Proxies are
 * asked not to buffer (MCP 2026-07-28, basic/transports/streamable-
 * http: X-Accel-Buffering).  The response itself is then spent, so
 * that the request loop writes nothing more (http_response_write()).
 */
static int
stream_start(struct mcp_stream *s, struct buf *b)
{
	struct http_response	*resp = s->resp;

	s->started = 1;
	buf_printf(b, "Status: 200 %s\r\n", http_reason(200));
	buf_append(b, buf_cstr(&resp->headers), resp->headers.len);
	buf_puts(b, "Content-Type: text/event-stream\r\n"
	    "Cache-Control: no-cache\r\n"
	    "X-Accel-Buffering: no\r\n\r\n");
	resp->sent = 1;
	return 0;
}

static int
stream_send(struct mcp_stream *s, struct json_object *msg)
{
	struct buf	 b, text;
	int		 rc;

	buf_init(&b);
	buf_init(&text);
	if (!s->started)
		stream_start(s, &b);
	json_to_buf(msg, &text);
	mcp_sse_event(&b, buf_cstr(&text), text.len);
	rc = buf_failed(&text) ? -1 : stream_write(s, &b);
	buf_free(&text);
	buf_free(&b);
	return rc;
}

/* Sends a notification (and takes the reference to it). */
int
mcp_stream_notify(struct mcp_stream *s, struct json_object *n)
{
	int	 rc;

	rc = s == NULL ? -1 : stream_send(s, n);
	json_object_put(n);
	return rc;
}

/*
 * Ends a started stream with the JSON-RPC response as its last event
 * (the final response terminates the stream: MCP 2026-07-28,
 * basic/transports/streamable-http).
 */
int
mcp_stream_finish(struct mcp_stream *s, struct json_object *reply)
{
	return stream_send(s, reply);
}

/* Whether a log message of this level is to be sent. */
int
mcp_stream_log_wanted(struct mcp_stream *s, enum tool_log_level level)
{
	int	 found;

	if (s == NULL || !s->accepted || s->broken)
		return 0;
	if (s->log_level == MCP_LOG_UNKNOWN) {
		if (s->level_lookup == NULL ||
		    s->level_lookup(s->level_ctx, &found) == -1)
			found = MCP_LOG_DEFAULT;
		s->log_level = found;
	}
	return (int)level >= s->log_level;
}

/*
 * The length of s cut to at most max bytes at a character boundary:
 * half a UTF-8 character would make the event invalid UTF-8.
 */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static struct json_object *
notification(const char *method, struct json_object *params)
{
	struct json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "params", params);
	return o;
}

/*
 * notifications/progress (MCP 2025-11-25, basic/utilities/progress),
 * only for a request that asked with a progress token.
 */
int
tool_progress(struct tool_call *call, double progress, double total,
    const char *message)
{
	struct json_object	*p;

	if (call->stream == NULL || !call->stream->accepted ||
	    call->progress_token == NULL)
		return call->stream != NULL && call->stream->broken ? -1 : 0;
	/* JSON has no NaN or infinity: such a notification is not sent. */
	if (!isfinite(progress) || !isfinite(total))
		return call->stream->broken ? -1 : 0;
	p = json_object_new_object();
	json_object_object_add(p, "progressToken",
	    json_object_get(call->progress_token));
	json_object_object_add(p, "progress", json_object_new_double(
	    progress));
	if (total > 0)
		json_object_object_add(p, "total",
		    json_object_new_double(total));
	if (message != NULL)
		json_object_object_add(p, "message",
		    json_object_new_string(message));
	return mcp_stream_notify(call->stream,
	    notification("notifications/progress", p));
}

/*
 * notifications/message (MCP 2025-11-25, server/utilities/logging):
 * the formatted text as its data, cut at MCP_LOG_TEXT_MAX bytes.
 */
int
tool_log(struct tool_call *call, enum tool_log_level level,
    const char *logger, const char *fmt, ...)
{
	struct json_object	*p;
	struct buf		 text;
	va_list			 ap;

	if ((int)level < TOOL_LOG_DEBUG || level > TOOL_LOG_EMERGENCY)
		return 0;
	if (!mcp_stream_log_wanted(call->stream, level))
		return call->stream != NULL && call->stream->broken ? -1 : 0;
	buf_init(&text);
	va_start(ap, fmt);
	buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (buf_failed(&text)) {
		buf_free(&text);
		return 0;
	}
	p = json_object_new_object();
	json_object_object_add(p, "level",
	    json_object_new_string(log_level_name(level)));
	if (logger != NULL)
		json_object_object_add(p, "logger",
		    json_object_new_string(logger));
	json_object_object_add(p, "data", json_object_new_string_len(
	    buf_cstr(&text), (int)utf8_cut(buf_cstr(&text), text.len,
	    MCP_LOG_TEXT_MAX)));
	buf_free(&text);
	return mcp_stream_notify(call->stream,
	    notification("notifications/message", p));
}
