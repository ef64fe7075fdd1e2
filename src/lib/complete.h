/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Completion (MCP 2025-11-25 and 2026-07-28, server/utilities/
 * completion): a prompt's or a resource template's complete handler
 * offers values for one argument with complete_value(); the server
 * answers with at most COMPLETE_VALUES_MAX of them, the total and
 * whether there were more.
 */
#ifndef MCP_COMPLETE_H
#define MCP_COMPLETE_H

#include "tool.h"

#define COMPLETE_VALUES_MAX	100	/* the spec's limit per response */

void	 complete_value(struct tool_call *, const char *);
int	 complete_prefix(const char *, const char *);

#endif
