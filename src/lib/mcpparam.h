/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Tool parameters mirrored into Mcp-Param-{Name} request headers
 * (MCP 2026-07-28, basic/transports/streamable-http, custom headers
 * from tool parameters; server/tools, x-mcp-header).
 */
#ifndef MCPPARAM_H
#define MCPPARAM_H

#include <stddef.h>

struct buf;
struct json_object;
struct mcp_server;
struct mcp_refusal;

/* The longest x-mcp-header name we accept. */
#define MCP_PARAM_NAME_MAX	64

/* The most x-mcp-header annotations one input schema may carry. */
#define MCP_PARAM_MAX		16

int	 mcp_param_check_schema(struct json_object *, char *, size_t);
int	 mcp_param_check_call(struct json_object *, struct json_object *,
	    char **, char *, size_t);
void	 mcp_param_preflight(const char *, struct buf *);
int	 mcp_param_validate(const struct mcp_server *, char **,
	    struct json_object *, struct mcp_refusal *);

#endif /* MCPPARAM_H */
