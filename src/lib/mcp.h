/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The MCP server: Streamable HTTP without sessions, JSON responses
 * only (MCP 2025-11-25, basic/transports; 2025-03-26 batches too), the
 * lifecycle of the 2025 revisions (initialize, ping, notifications;
 * basic/lifecycle), and tools from a table of descriptors (tool.h).
 *
 * mcp_main() is the whole program: mcp.fcgi passes the built-in tools,
 * the conformance test program passes the suite's fixture tools.
 */
#ifndef MCP_MCP_H
#define MCP_MCP_H

#include <stddef.h>

#include "app.h"
#include "bearer.h"
#include "buf.h"
#include "config.h"
#include "tool.h"

struct json_object;

#define MCP_PAGE_SIZE	50

/* JSON-RPC 2.0 error codes (JSON-RPC 2.0 specification, section 5.1). */
#define JSONRPC_PARSE_ERROR	-32700
#define JSONRPC_INVALID_REQUEST	-32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS	-32602
#define JSONRPC_INTERNAL_ERROR	-32603
#define JSONRPC_SERVER_ERROR	-32000

struct mcp_server {
	const char		*program;	/* in log lines: "mcp.fcgi" */
	const char		*name;		/* serverInfo.name */
	const char		*title;
	const char		*instructions;
	const struct tool *const *tools;
	size_t			 ntools;
};

/* The outcome of one JSON-RPC message. */
enum mcp_outcome {
	MCP_REPLY,		/* *reply is the response object */
	MCP_NO_REPLY,		/* a notification or a client response */
	MCP_FORBIDDEN		/* a tool needs a scope the token lacks */
};

struct mcp_context {
	const struct mcp_server	*server;
	const struct config	*cfg;
	struct app		*app;
	const struct bearer	*token;
	const char		*version;	/* effective protocol version */
	int			 in_batch;
	const char		*needed_scope;	/* with MCP_FORBIDDEN */
};

extern const char *const mcp_versions[];

int	 mcp_version_supported(const char *);
void	 mcp_versions_text(struct buf *);
int	 mcp_tools_prepare(const struct mcp_server *, char *, size_t);
void	 mcp_tools_check_scopes(const struct mcp_server *,
	    const struct config *);
int	 mcp_batch_scopes(const struct mcp_context *, struct json_object *,
	    struct buf *);
enum mcp_outcome mcp_handle_message(struct mcp_context *,
	    struct json_object *, struct json_object **);
struct json_object *jsonrpc_error(struct json_object *, int, const char *);
int	 mcp_main(const struct mcp_server *);
void	 mcp_handle_http(struct app *, const struct mcp_server *,
	    struct http_request *, struct http_response *);

#endif
