/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The prompt API (MCP 2025-11-25 and 2026-07-28, server/prompts).  A
 * prompt is a static descriptor: its name, arguments (strings; the
 * required ones are checked before the handler runs, -32602 if one
 * is missing) and a handler that receives the same request structure
 * as tools (tool.h), the arguments in args, and appends messages with
 * prompt_text(), prompt_image() and prompt_resource().  An optional
 * complete handler offers values for an argument (complete.h).
 *
 *	static enum prompt_status
 *	greet(struct tool_call *call)
 *	{
 *		prompt_text(call, "user", "Greet %s warmly.",
 *		    tool_arg_string(call, "name"));
 *		return PROMPT_OK;
 *	}
 *
 *	static const struct prompt_argument greet_args[] = {
 *		{ .name = "name", .description = "Whom", .required = 1 },
 *	};
 *
 *	const struct prompt prompt_greet = {
 *		.name = "greet",
 *		.description = "A greeting.",
 *		.arguments = greet_args,
 *		.narguments = 1,
 *		.handler = greet,
 *	};
 */
#ifndef MCP_PROMPT_H
#define MCP_PROMPT_H

#include <stddef.h>

#include "tool.h"

#define PROMPT_ARGS_MAX		32	/* arguments a request may pass */
#define PROMPT_ARG_LEN_MAX	4096	/* bytes of one argument value */

enum prompt_status {
	PROMPT_OK = 0,		/* the messages are set */
	PROMPT_INVALID,		/* the arguments are wrong: -32602 */
	PROMPT_FAILED		/* an internal error: -32603 */
};

struct prompt_argument {
	const char	*name;
	const char	*title;
	const char	*description;
	int		 required;
};

struct prompt {
	const char	*name;
	const char	*title;
	const char	*description;
	const struct prompt_argument *arguments;
	size_t		 narguments;
	const char	*scope;		/* needed to get it, or NULL */
	enum prompt_status (*handler)(struct tool_call *);
	/* Optional: values for an argument; args has the others. */
	enum prompt_status (*complete)(struct tool_call *, const char *,
	    const char *);
};

void	 prompt_text(struct tool_call *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 prompt_image(struct tool_call *, const char *, const char *,
	    const char *);
void	 prompt_resource(struct tool_call *, const char *, const char *,
	    const char *, const char *);
struct json_object *prompt_json(const struct prompt *);
int	 prompt_check_args(const struct prompt *, struct json_object *,
	    char *, size_t);

#endif
