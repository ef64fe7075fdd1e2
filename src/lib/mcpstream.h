/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The response stream of one /mcp POST (MCP 2025-11-25 and 2026-07-28,
 * basic/transports/streamable-http: a request may be answered with
 * Content-Type: text/event-stream, notifications first, then the
 * result).  The stream starts at the first notification a handler
 * sends: a request that sends none is answered with plain JSON as
 * before, and costs nothing more.  Each event is written and flushed
 * as it happens, so that the web server can pass it on at once.
 */
#ifndef MCP_MCPSTREAM_H
#define MCP_MCPSTREAM_H

#include "http.h"
#include "tool.h"

struct json_object;

/* No log message is sent (a modern request without a log level). */
#define MCP_LOG_NONE	(TOOL_LOG_EMERGENCY + 1)
/* Not yet known: looked up at the first log message (legacy era). */
#define MCP_LOG_UNKNOWN	(-1)

/* The level of a legacy client that never sent logging/setLevel. */
#define MCP_LOG_DEFAULT	TOOL_LOG_INFO

struct mcp_stream {
	const struct http_io	*out;
	int			(*flush)(void *);	/* or NULL */
	struct http_response	*resp;		/* its headers so far */
	int			 accepted;	/* the client accepts SSE */
	int			 started;
	int			 broken;	/* a write failed */
	int			 log_level;	/* or MCP_LOG_NONE, _UNKNOWN */
	/* Finds the legacy level (MCP_LOG_UNKNOWN), or NULL. */
	int			(*level_lookup)(void *, int *);
	void			*level_ctx;
};

void	 mcp_stream_init(struct mcp_stream *, const struct http_io *,
	    int (*)(void *), struct http_response *);
int	 mcp_stream_notify(struct mcp_stream *, struct json_object *);
int	 mcp_stream_finish(struct mcp_stream *, struct json_object *);
int	 mcp_stream_log_wanted(struct mcp_stream *, enum tool_log_level);
void	 mcp_sse_event(struct buf *, const char *, size_t);

#endif
