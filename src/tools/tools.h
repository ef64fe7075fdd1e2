/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The built-in tools, one per file in this directory.
 */
#ifndef MCP_TOOLS_H
#define MCP_TOOLS_H

#include <stdint.h>

#include "../lib/prompt.h"
#include "../lib/resource.h"
#include "../lib/tool.h"

extern const struct tool tool_whoami;
extern const struct tool tool_notes_list;
extern const struct tool tool_notes_get;
extern const struct tool tool_notes_add;
extern const struct tool tool_notes_delete;
extern const struct tool tool_notes_search;

extern const struct resource_template resource_notes;
extern const struct prompt prompt_summarize_note;

extern const struct tool *const builtin_tools[];
extern const size_t builtin_ntools;
extern const struct resource_template *const builtin_templates[];
extern const size_t builtin_ntemplates;
extern const struct prompt *const builtin_prompts[];
extern const size_t builtin_nprompts;

/* notes_common.c: the shared parts of the notes tools. */
int	 notes_begin(struct tool_call *, int, struct store_txn **);
void	 notes_store_error(struct tool_call *, int);
int	 notes_id(struct tool_call *, int64_t *);
int	 notes_limit(struct tool_call *, struct store_txn *);
int	 notes_read_txn(struct tool_call *, struct store_txn **);
int	 notes_id_parse(const char *, uint64_t *);
int	 notes_complete_id(struct tool_call *, const char *);

#endif
