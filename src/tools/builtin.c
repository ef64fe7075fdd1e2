/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The tools, resource templates and prompts mcp.fcgi serves, in the
 * order the lists show them.
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
	&tool_notes_search,
};

const size_t builtin_ntools = sizeof(builtin_tools) / sizeof(builtin_tools[0]);

const struct resource_template *const builtin_templates[] = {
	&resource_notes,
};

const size_t builtin_ntemplates =
    sizeof(builtin_templates) / sizeof(builtin_templates[0]);

const struct prompt *const builtin_prompts[] = {
	&prompt_summarize_note,
};

const size_t builtin_nprompts =
    sizeof(builtin_prompts) / sizeof(builtin_prompts[0]);
