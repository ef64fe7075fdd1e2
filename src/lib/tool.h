/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The tool API.  A tool is a static descriptor in a file of its own
 * under src/tools/: its name, title, description, input schema (JSON
 * text), optional output schema, the scope it needs, and a handler.
 * The handler receives the authenticated caller, its arguments
 * (already checked against the input schema) and a result builder.
 *
 *	static enum tool_status
 *	hello(struct tool_call *call)
 *	{
 *		tool_text(call, "Hello, %s.", call->caller->user);
 *		return TOOL_OK;
 *	}
 *
 *	const struct tool tool_hello = {
 *		.name = "hello",
 *		.description = "Greets the caller.",
 *		.input_schema = "{\"type\":\"object\","
 *		    "\"additionalProperties\":false}",
 *		.scope = "mcp",
 *		.handler = hello,
 *	};
 *
 * Adding a tool is this file plus one line in the program's table
 * (src/tools/builtin.c).  Resource and prompt handlers (resource.h,
 * prompt.h) receive the same struct tool_call, their arguments in
 * args and what they build in content.
 */
#ifndef MCP_TOOL_H
#define MCP_TOOL_H

#include <stdint.h>

#include "config.h"
#include "store.h"

struct json_object;
struct mcp_stream;

enum tool_status {
	TOOL_OK = 0,		/* a result (possibly with isError) */
	TOOL_FAILED		/* an internal error: JSON-RPC -32603 */
};

/* Who is calling: from the validated access token. */
struct tool_caller {
	const char	*user;
	const char	*client_id;
	const char	*scope;
	int64_t		 token_expires;
};

struct tool_call {
	const struct tool_caller *caller;
	const struct config	*cfg;
	struct store		*store;		/* opened on demand */
	struct json_object	*args;		/* validated object */
	struct json_object	*content;	/* result content array */
	struct json_object	*structured;	/* structuredContent */
	int			 is_error;
	int			 (*open_store)(void *, struct store **);
	void			*open_store_ctx;
	/*
	 * Notifications before the result (tool_progress(), tool_log();
	 * mcpstream.c): the response stream of this request, or NULL
	 * when nothing can be sent (a batch, a client that does not
	 * accept text/event-stream), and the client's progress token
	 * (params._meta.progressToken), or NULL.
	 */
	struct mcp_stream	*stream;
	struct json_object	*progress_token;
	struct tool_input {	/* asking the client for input: mcpinput.c */
		int		 modern;	/* a 2026-07-28 request */
		struct json_object *client_caps; /* its capabilities */
		struct json_object *answers;	/* params.inputResponses */
		char		*state;		/* opened requestState */
		struct json_object *asked;	/* inputRequests to send */
		char		*next_state;	/* to seal into the reply */
	}			 input;
};

struct tool {
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*input_schema;
	const char	*output_schema;
	const char	*annotations;	/* JSON object text, or NULL */
	const char	*scope;		/* needed to call it, or NULL */
	/*
	 * A capability the client must declare to call it ("sampling",
	 * "elicitation"), or NULL: a modern request without it is refused
	 * with -32021.
	 */
	const char	*client_capability;
	enum tool_status (*handler)(struct tool_call *);
};

void	 tool_text(struct tool_call *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 tool_error(struct tool_call *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 tool_image(struct tool_call *, const char *, const char *);
void	 tool_audio(struct tool_call *, const char *, const char *);
void	 tool_resource_text(struct tool_call *, const char *, const char *,
	    const char *);
struct json_object *tool_embedded_text(const char *, const char *,
	    const char *);
void	 tool_structured(struct tool_call *, struct json_object *);
int	 tool_store(struct tool_call *, struct store **);

/*
 * The log levels of RFC 5424 as MCP names them (server/utilities/
 * logging), least severe first.
 */
enum tool_log_level {
	TOOL_LOG_DEBUG = 0,
	TOOL_LOG_INFO,
	TOOL_LOG_NOTICE,
	TOOL_LOG_WARNING,
	TOOL_LOG_ERROR,
	TOOL_LOG_CRITICAL,
	TOOL_LOG_ALERT,
	TOOL_LOG_EMERGENCY
};

/*
 * Streamed to the client before the result (mcpstream.c).  Progress
 * is sent only when the client gave a progress token, and must grow
 * with each call; total is 0 when unknown, message may be NULL.  A log
 * message is sent only at or above the level in force for the request
 * (logging/setLevel in the legacy era, the request's own _meta in
 * 2026-07-28).  Both return 0, or -1 when the client has gone away:
 * a long tool may then stop early.
 */
int	 tool_progress(struct tool_call *, double, double, const char *);
int	 tool_log(struct tool_call *, enum tool_log_level, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));

const char	*tool_arg_string(const struct tool_call *, const char *);
int		 tool_arg_int(const struct tool_call *, const char *,
		    int64_t *);

/*
 * Asking the client for input (MCP 2026-07-28, basic/patterns/mrtr).
 * A handler that needs the person's answer, a model's reply or the
 * client's roots asks with tool_ask_*() and returns TOOL_OK: the reply
 * is then an input-required result, whatever else the handler built.
 * The client repeats the request with the answers, which the handler
 * finds with tool_answer() under the keys it chose.  Only a modern
 * request whose client declared the capability can be asked: the
 * tool_ask_*() calls return -1 otherwise (legacy requests included:
 * see docs/design.md), and the handler answers as best it can.
 *
 * State a later round needs (what round one learnt) goes in
 * tool_state_keep(): it travels sealed and bound to the user, client,
 * method, name and arguments (a digest of them as sent), and comes back
 * as tool_state(), or the retry is refused.  Answers are the client's
 * word, like arguments; state is ours.  Keeping state without asking
 * anything asks the client to repeat the request as it was; keeping it
 * in a request that cannot be asked (legacy) fails.
 */
int	 tool_can_ask(const struct tool_call *, const char *);
int	 tool_ask(struct tool_call *, const char *, const char *,
	    struct json_object *);
int	 tool_ask_elicit(struct tool_call *, const char *, const char *,
	    const char *);
int	 tool_ask_sample(struct tool_call *, const char *, const char *, int);
int	 tool_ask_roots(struct tool_call *, const char *);
struct json_object *tool_answer(const struct tool_call *, const char *);
struct json_object *tool_answer_accepted(const struct tool_call *,
	    const char *);
const char	*tool_state(const struct tool_call *);
int		 tool_state_keep(struct tool_call *, const char *);

#endif
