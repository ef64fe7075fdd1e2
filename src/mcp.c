/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp.fcgi: /mcp, the MCP endpoint, serving the built-in tools
 * (src/tools/) to the holders of valid access tokens.
 */
#include "lib/mcp.h"
#include "tools/tools.h"

static struct mcp_server server = {
	.program = "mcp.fcgi",
	.name = "mcp-oauth-fcgi",
	.title = "mcp-oauth-fcgi notes",
	.instructions = "Personal notes of the signed-in user: list, read, "
	    "add and delete them. whoami tells who is signed in.",
};

int
main(void)
{
	server.tools = builtin_tools;
	server.ntools = builtin_ntools;
	return mcp_main(&server);
}
