/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The MCP server: Streamable HTTP without sessions, JSON responses
 * (an event stream when a handler sends notifications first:
 * mcpstream.h), and tools from a table of descriptors (tool.h), in
 * two eras at one endpoint (MCP 2026-07-28, basic/versioning, backward
 * compatibility): the legacy revisions 2025-03-26 to 2025-11-25 with
 * their lifecycle (initialize, ping, notifications; 2025-03-26 batches
 * too), and the modern, stateless 2026-07-28, where every request
 * carries its version and the client's capabilities in params._meta
 * (mcpera.c tells the two apart).
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
#include "prompt.h"
#include "resource.h"
#include "tool.h"

struct json_object;
struct mcp_stream;
struct uritmpl_vars;

#define MCP_PAGE_SIZE	50

/* JSON-RPC 2.0 error codes (JSON-RPC 2.0 specification, section 5.1). */
#define JSONRPC_PARSE_ERROR	-32700
#define JSONRPC_INVALID_REQUEST	-32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS	-32602
#define JSONRPC_INTERNAL_ERROR	-32603
#define JSONRPC_SERVER_ERROR	-32000

/* The errors MCP 2026-07-28 defines (basic/index, error codes). */
#define MCP_HEADER_MISMATCH	-32020
#define MCP_MISSING_CLIENT_CAPABILITY -32021
#define MCP_UNSUPPORTED_VERSION	-32022

/* The reserved _meta keys of a modern request (basic/index, _meta). */
#define MCP_META_VERSION	"io.modelcontextprotocol/protocolVersion"
#define MCP_META_CAPABILITIES	"io.modelcontextprotocol/clientCapabilities"
#define MCP_META_SERVER_INFO	"io.modelcontextprotocol/serverInfo"
#define MCP_META_LOG_LEVEL	"io.modelcontextprotocol/logLevel"

/*
 * How long a client may keep a tools/list or server/discover result
 * (MCP 2026-07-28, server/utilities/caching): the list changes only
 * when the server is upgraded, and five minutes bounds how long a
 * client goes on with the old one.
 */
#define MCP_CACHE_TTL_MS	300000

/* The resource-not-found error of the 2025 revisions (server/resources). */
#define MCP_RESOURCE_NOT_FOUND	-32002

/* The longest Mcp-Name header value we decode (4 KiB of base64). */
#define MCP_HEADER_VALUE_MAX	4096

struct mcp_server {
	const char		*program;	/* in log lines: "mcp.fcgi" */
	const char		*name;		/* serverInfo.name */
	const char		*title;
	const char		*instructions;
	const struct tool *const *tools;
	size_t			 ntools;
	const struct resource *const *resources;
	size_t			 nresources;
	const struct resource_template *const *templates;
	size_t			 ntemplates;
	const struct prompt *const *prompts;
	size_t			 nprompts;
};

/* The outcome of one JSON-RPC message. */
enum mcp_outcome {
	MCP_REPLY,		/* *reply is the response object */
	MCP_NO_REPLY,		/* a notification or a client response */
	MCP_FORBIDDEN		/* the request needs a scope the token lacks */
};

struct mcp_context {
	const struct mcp_server	*server;
	const struct config	*cfg;
	struct app		*app;
	const struct bearer	*token;
	const char		*version;	/* effective protocol version */
	int			 in_batch;
	const char		*needed_scope;	/* with MCP_FORBIDDEN */
	int			 modern;	/* a 2026-07-28 request */
	struct json_object	*client_caps;	/* its clientCapabilities */
	/* The response stream of a single request (mcpstream.h), or NULL. */
	struct mcp_stream	*stream;
};

/* Which era a request belongs to (mcpera.c). */
enum mcp_era {
	MCP_ERA_LEGACY,		/* served as the 2025 revisions are */
	MCP_ERA_MODERN,		/* served statelessly as 2026-07-28 */
	MCP_ERA_REFUSED		/* answered with the refusal at once */
};

/* The mirrored request headers of MCP 2026-07-28 (streamable-http). */
struct mcp_headers {
	const char	*protocol_version;	/* MCP-Protocol-Version */
	const char	*method;		/* Mcp-Method */
	const char	*name;			/* Mcp-Name */
};

/* A request refused before it runs: its HTTP status and reply. */
struct mcp_refusal {
	int			 status;
	struct json_object	*reply;
};

extern const char *const mcp_versions[];
extern const char *const mcp_modern_versions[];

int	 mcp_version_listed(const char *const *, const char *);
int	 mcp_version_supported(const char *);
int	 mcp_modern_version_supported(const char *);
int	 mcp_version_is_modern_era(const char *);
struct json_object *mcp_all_versions_json(void);
enum mcp_era mcp_classify(const struct mcp_headers *, struct json_object *,
	    struct mcp_refusal *);
int	 mcp_header_decode(const char *, char *, size_t, size_t *);
int	 mcp_reply_status(struct json_object *);
void	 mcp_versions_text(struct buf *);
int	 mcp_tools_prepare(const struct mcp_server *, char *, size_t);
struct json_object *mcp_tool_input_schema(const struct mcp_server *,
	    const char *);
void	 mcp_tools_check_scopes(const struct mcp_server *,
	    const struct config *);
int	 mcp_batch_scopes(const struct mcp_context *, struct json_object *,
	    struct buf *);
enum mcp_outcome mcp_handle_message(struct mcp_context *,
	    struct json_object *, struct json_object **);
struct json_object *jsonrpc_error(struct json_object *, int, const char *);
int	 mcp_main(const struct mcp_server *);

/* Shared by the method handlers (mcp.c, mcpresource.c, mcpprompt.c). */
struct json_object *mcp_reply_result(const struct mcp_context *,
	    struct json_object *, struct json_object *);
struct json_object *mcp_errorf(struct json_object *, int, const char *,
	    const char *);
void	 mcp_cache_hints(struct json_object *, const char *, int);
int	 mcp_cursor_read(struct json_object *, size_t, size_t *);
void	 mcp_cursor_add(struct json_object *, size_t);
void	 mcp_call_init(struct mcp_context *, struct tool_call *,
	    struct tool_caller *, struct json_object *);
void	 mcp_call_free(struct tool_call *);
int	 mcp_scope_refused(struct mcp_context *, const char *,
	    enum mcp_outcome *);
const struct prompt *mcp_prompt_find(const struct mcp_server *,
	    const char *);
int	 mcp_resource_find(const struct mcp_server *, const char *,
	    const struct resource **, const struct resource_template **,
	    struct uritmpl_vars *);
struct json_object *mcp_resources_list(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
struct json_object *mcp_resource_templates_list(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
struct json_object *mcp_resources_read(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
struct json_object *mcp_prompts_list(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
struct json_object *mcp_prompts_get(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
struct json_object *mcp_complete(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
/* mcplog.c: logging/setLevel and the level in force for a request. */
struct json_object *mcp_logging_set_level(struct mcp_context *,
	    struct json_object *, struct json_object *, enum mcp_outcome *);
int	 mcp_stream_level(struct mcp_context *, struct json_object *,
	    struct mcp_stream *);
/* Input-required results (mcpinput.c). */
struct json_object *mcp_input_begin(struct mcp_context *,
	    struct json_object *, struct json_object *, const char *,
	    const char *, struct tool_call *);
struct json_object *mcp_input_reply(struct mcp_context *,
	    struct json_object *, const char *, const char *,
	    struct tool_call *);
void	 mcp_input_free(struct tool_call *);
void	 mcp_handle_http(struct app *, const struct mcp_server *,
	    struct http_request *, struct http_response *);

#endif
