/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The tools mcp.fcgi serves, in the order tools/list shows them.
 * Adding a tool: write src/tools/NAME.c with its descriptor, declare
 * it in tools.h, list it here and in src/tools/Makefile.inc.
 */
#include <stddef.h>

#include "tools.h"

const struct tool *const builtin_tools[] = {
	&tool_whoami,
	&tool_notes_list,
	&tool_notes_get,
	&tool_notes_add,
	&tool_notes_delete,
};

const size_t builtin_ntools = sizeof(builtin_tools) / sizeof(builtin_tools[0]);
