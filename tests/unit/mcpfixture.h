/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The request context the MCP unit tests give mcp_handle_message():
 * alice's token of client mcpc_x with the scope mcp, on server, in
 * revision 2025-11-25 (a test switches to the modern era itself).
 */
#ifndef MCP_MCPFIXTURE_H
#define MCP_MCPFIXTURE_H

#include <string.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/mcp.h"

static inline void
mcpfixture_context(struct mcp_context *ctx, struct bearer *token,
    const struct mcp_server *server)
{
	memset(token, 0, sizeof(*token));
	strcpy(token->user, "alice");
	strcpy(token->client_id, "mcpc_x");
	strcpy(token->scope, "mcp");
	memset(ctx, 0, sizeof(*ctx));
	ctx->server = server;
	ctx->token = token;
	ctx->version = "2025-11-25";
}

#endif
