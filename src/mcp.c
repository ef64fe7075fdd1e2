/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp.fcgi: /mcp, the MCP endpoint, serving the built-in tools, the
 * notes as resources and a prompt over them (src/tools/) to the
 * holders of valid access tokens.
 */
#include "lib/mcp.h"
#include "tools/tools.h"

static struct mcp_server server = {
	.program = "mcp.fcgi",
	.name = "mcp-oauth-fcgi",
	.title = "mcp-oauth-fcgi notes",
	.instructions = "Personal notes of the signed-in user: list, read, "
	    "add and delete them. whoami tells who is signed in. Each note "
	    "is also the resource notes://ID, and the prompt summarize_note "
	    "asks for a summary of one.",
};

int
main(void)
{
	server.tools = builtin_tools;
	server.ntools = builtin_ntools;
	server.templates = builtin_templates;
	server.ntemplates = builtin_ntemplates;
	server.prompts = builtin_prompts;
	server.nprompts = builtin_nprompts;
	return mcp_main(&server);
}
