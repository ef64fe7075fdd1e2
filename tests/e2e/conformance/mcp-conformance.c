/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-conformance: a test-only MCP endpoint serving the fixture tools
 * of the MCP conformance suite (@modelcontextprotocol/conformance),
 * built from the same library as mcp.fcgi and registered through the
 * same tool API (src/lib/tool.h).  tests/e2e/conformance.test.mjs
 * runs it at /mcp under lighttpd, behind the real bearer validation.
 *
 * The fixtures follow the suite's scenario descriptions and its
 * example "everything" server: src/scenarios/server/tools.ts and
 * json-schema-2020-12.ts, and the resources, resource template and
 * prompts of its resources-*, prompts-* and completion-complete
 * scenarios.  None needs a scope beyond a valid token.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/complete.h"
#include "lib/jsonutil.h"
#include "lib/mcp.h"
#include "lib/prompt.h"
#include "lib/resource.h"

/* A 1x1 red pixel, as a PNG. */
#define RED_PIXEL_PNG \
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHw" \
	"AFBQIAX8jx0gAAAABJRU5ErkJggg=="

/* The smallest WAV file: a RIFF header, 8 kHz mono, one silent sample. */
#define SILENT_WAV \
	"UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="

/* The same pixel as bytes, for resource_blob(), which encodes it. */
static const unsigned char red_pixel_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0,
	0x1f, 0x00, 0x05, 0x05, 0x02, 0x00, 0x5f, 0xc8, 0xf1, 0xd2, 0x00, 0x00,
	0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

/* The longest id the template's read handler accepts. */
#define TEMPLATE_ID_MAX	64

#define NO_ARGUMENTS	"{\"type\":\"object\",\"properties\":{}}"

static enum tool_status
simple_text(struct tool_call *call)
{
	tool_text(call, "This is a simple text response for testing.");
	return TOOL_OK;
}

static enum tool_status
image_content(struct tool_call *call)
{
	tool_image(call, RED_PIXEL_PNG, "image/png");
	return TOOL_OK;
}

static enum tool_status
audio_content(struct tool_call *call)
{
	tool_audio(call, SILENT_WAV, "audio/wav");
	return TOOL_OK;
}

static enum tool_status
embedded_resource(struct tool_call *call)
{
	tool_resource_text(call, "test://embedded-resource", "text/plain",
	    "This is an embedded resource content.");
	return TOOL_OK;
}

static enum tool_status
multiple_content_types(struct tool_call *call)
{
	tool_text(call, "Multiple content types test:");
	tool_image(call, RED_PIXEL_PNG, "image/png");
	tool_resource_text(call, "test://mixed-content-resource",
	    "application/json", "{\"test\":\"data\",\"value\":123}");
	return TOOL_OK;
}

static enum tool_status
error_handling(struct tool_call *call)
{
	tool_error(call, "This tool intentionally returns an error for "
	    "testing");
	return TOOL_OK;
}

/*
 * Reached only when the request declares sampling; the library refuses
 * a modern request that does not with -32021 (server-stateless).
 */
static enum tool_status
missing_capability(struct tool_call *call)
{
	tool_text(call, "The client declares the sampling capability.");
	return TOOL_OK;
}

/*
 * Two more diagnostic tools of server-stateless.  The suite calls
 * test_streaming_elicitation declaring elicitation and checks that the
 * response carries no request of the server's own: this server never
 * sends one on a stream (it asks through input-required results), so
 * it answers at once.  test_logging_tool,
 * called without a log level, must bring no log notification.
 */
static enum tool_status
streaming_elicitation(struct tool_call *call)
{
	tool_text(call, "Nothing to ask: this server sends no requests of "
	    "its own on a stream.");
	return TOOL_OK;
}

static enum tool_status
logging_tool(struct tool_call *call)
{
	tool_log(call, TOOL_LOG_INFO, "conformance", "Logged only when the "
	    "request sets a log level");
	tool_text(call, "Done.");
	return TOOL_OK;
}

/* The pause the suite's progress and logging scenarios describe. */
static void
pause_50ms(void)
{
	struct timespec	 ts = { 0, 50 * 1000 * 1000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * tools-call-with-progress: 0, 50 and 100 of 100, 50 ms apart, each
 * sent as it happens when the request carries a progress token.
 */
static enum tool_status
tool_with_progress(struct tool_call *call)
{
	tool_progress(call, 0, 100, NULL);
	pause_50ms();
	tool_progress(call, 50, 100, NULL);
	pause_50ms();
	tool_progress(call, 100, 100, NULL);
	tool_text(call, "Progress reported.");
	return TOOL_OK;
}

/* tools-call-with-logging: three messages at info, 50 ms apart. */
static enum tool_status
tool_with_logging(struct tool_call *call)
{
	tool_log(call, TOOL_LOG_INFO, "conformance", "Tool execution started");
	pause_50ms();
	tool_log(call, TOOL_LOG_INFO, "conformance", "Tool processing data");
	pause_50ms();
	tool_log(call, TOOL_LOG_INFO, "conformance",
	    "Tool execution completed");
	tool_text(call, "Logging done.");
	return TOOL_OK;
}

/*
 * Not the suite's: the proof that a notification reaches the client
 * while the tool still runs (tests/http/stream.test.mjs).  It reports
 * progress, then waits until the test writes to the FIFO named by
 * MCP_TEST_RELEASE_FIFO, so the client can only have the notification
 * before the result if the web server passed it on at once.  The wait
 * is bounded (RELEASE_WAIT_MS), so a test that fails never leaves the
 * process blocked; without the variable the tool refuses at once.
 */
#define RELEASE_WAIT_MS	60000

static enum tool_status
progress_then_wait(struct tool_call *call)
{
	struct pollfd	 pfd;
	const char	*fifo = getenv("MCP_TEST_RELEASE_FIFO");
	char		 got[16];
	int		 rc;

	if (fifo == NULL || *fifo == '\0') {
		tool_error(call, "MCP_TEST_RELEASE_FIFO is not set");
		return TOOL_OK;
	}
	/* Opened without blocking: poll() then waits for the writer. */
	if ((pfd.fd = open(fifo, O_RDONLY | O_NONBLOCK)) == -1) {
		tool_error(call, "cannot open the release FIFO");
		return TOOL_OK;
	}
	tool_progress(call, 1, 2, "waiting for the test");
	pfd.events = POLLIN;
	do
		rc = poll(&pfd, 1, RELEASE_WAIT_MS);
	while (rc == -1 && errno == EINTR);
	if (rc == 1 && read(pfd.fd, got, sizeof(got)) > 0)
		tool_text(call, "Released.");
	else
		tool_error(call, "Not released within %d ms.", RELEASE_WAIT_MS);
	close(pfd.fd);
	return TOOL_OK;
}

/* Echoes the arguments, which the schema below has already checked. */
static enum tool_status
json_schema_2020_12(struct tool_call *call)
{
	tool_text(call, "Received: %s", json_object_to_json_string_ext(
	    call->args, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	return TOOL_OK;
}

static const struct tool test_simple_text = {
	.name = "test_simple_text",
	.description = "Tests simple text content response",
	.input_schema = NO_ARGUMENTS,
	.handler = simple_text,
};

static const struct tool test_image_content = {
	.name = "test_image_content",
	.description = "Tests image content response",
	.input_schema = NO_ARGUMENTS,
	.handler = image_content,
};

static const struct tool test_audio_content = {
	.name = "test_audio_content",
	.description = "Tests audio content response",
	.input_schema = NO_ARGUMENTS,
	.handler = audio_content,
};

static const struct tool test_embedded_resource = {
	.name = "test_embedded_resource",
	.description = "Tests embedded resource content response",
	.input_schema = NO_ARGUMENTS,
	.handler = embedded_resource,
};

static const struct tool test_multiple_content_types = {
	.name = "test_multiple_content_types",
	.description = "Tests response with multiple content types (text, "
	    "image, resource)",
	.input_schema = NO_ARGUMENTS,
	.handler = multiple_content_types,
};

static const struct tool test_error_handling = {
	.name = "test_error_handling",
	.description = "Tests error response handling",
	.input_schema = NO_ARGUMENTS,
	.handler = error_handling,
};

static const struct tool test_missing_capability = {
	.name = "test_missing_capability",
	.description = "Tests the refusal of a request that does not declare "
	    "a client capability the tool needs (sampling)",
	.input_schema = NO_ARGUMENTS,
	.client_capability = "sampling",
	.handler = missing_capability,
};

static const struct tool test_streaming_elicitation = {
	.name = "test_streaming_elicitation",
	.description = "Tests that a response carries no request of the "
	    "server's own (elicitation)",
	.input_schema = NO_ARGUMENTS,
	.client_capability = "elicitation",
	.handler = streaming_elicitation,
};

static const struct tool test_logging_tool = {
	.name = "test_logging_tool",
	.description = "Tests that no log message comes without a log level",
	.input_schema = NO_ARGUMENTS,
	.handler = logging_tool,
};

static const struct tool test_tool_with_progress = {
	.name = "test_tool_with_progress",
	.description = "Tests progress notifications",
	.input_schema = NO_ARGUMENTS,
	.handler = tool_with_progress,
};

static const struct tool test_tool_with_logging = {
	.name = "test_tool_with_logging",
	.description = "Tests log message notifications",
	.input_schema = NO_ARGUMENTS,
	.handler = tool_with_logging,
};

static const struct tool test_progress_then_wait = {
	.name = "test_progress_then_wait",
	.description = "Reports progress, then waits for the test to release "
	    "it (tests/http/stream.test.mjs)",
	.input_schema = NO_ARGUMENTS,
	.handler = progress_then_wait,
};

/*
 * The suite's fixture schema, keyword for keyword: tools/list must
 * return $schema, $defs (with $anchor), the composition and the
 * conditional keywords unchanged (SEP-1613, SEP-2106).
 */
static const struct tool json_schema_2020_12_tool = {
	.name = "json_schema_2020_12_tool",
	.description = "Tool with JSON Schema 2020-12 features",
	.input_schema = "{"
	    "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
	    "\"type\":\"object\","
	    "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\","
	    "\"type\":\"object\",\"properties\":{"
	    "\"street\":{\"type\":\"string\"},"
	    "\"city\":{\"type\":\"string\"}}}},"
	    "\"properties\":{"
	    "\"name\":{\"type\":\"string\"},"
	    "\"address\":{\"$ref\":\"#/$defs/address\"},"
	    "\"contactMethod\":{\"type\":\"string\","
	    "\"enum\":[\"phone\",\"email\"]},"
	    "\"phone\":{\"type\":\"string\"},"
	    "\"email\":{\"type\":\"string\"}},"
	    "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},"
	    "{\"required\":[\"email\"]}]}],"
	    "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},"
	    "\"required\":[\"contactMethod\"]},"
	    "\"then\":{\"required\":[\"phone\"]},"
	    "\"else\":{\"required\":[\"email\"]},"
	    "\"additionalProperties\":false}",
	.handler = json_schema_2020_12,
};

/*
 * The input-required fixtures (MCP 2026-07-28, basic/patterns/mrtr;
 * the suite's input-required-result-* scenarios).  Each asks through
 * the library (tool_ask_*()) and finishes once the retry brings the
 * answers; those that keep state check it came back.
 */

/* The answer's content member name as a string, or "". */
static const char *
accepted_string(const struct tool_call *call, const char *key,
    const char *name)
{
	struct json_object	*c = tool_answer_accepted(call, key);
	const char		*s = c != NULL ? json_get_string(c, name) :
				    NULL;

	return s != NULL ? s : "";
}

/* The text of a sampling answer, or "". */
static const char *
sampled_text(const struct tool_call *call, const char *key)
{
	struct json_object	*a = tool_answer(call, key), *c;
	const char		*s;

	if (a == NULL || !json_object_object_get_ex(a, "content", &c) ||
	    (s = json_get_string(c, "text")) == NULL)
		return "";
	return s;
}

/* The first root's URI of a roots answer, or NULL. */
static const char *
first_root(const struct tool_call *call, const char *key)
{
	struct json_object	*a = tool_answer(call, key), *roots;

	if (a == NULL || !json_object_object_get_ex(a, "roots", &roots) ||
	    !json_object_is_type(roots, json_type_array) ||
	    json_object_array_length(roots) == 0)
		return NULL;
	return json_get_string(json_object_array_get_idx(roots, 0), "uri");
}

#define NAME_SCHEMA "{\"type\":\"object\",\"properties\":{\"name\":" \
	"{\"type\":\"string\"}},\"required\":[\"name\"]}"
#define OK_SCHEMA "{\"type\":\"object\",\"properties\":{\"ok\":" \
	"{\"type\":\"boolean\"}},\"required\":[\"ok\"]}"

/* What a handler does when the client cannot be asked. */
static enum tool_status
cannot_ask(struct tool_call *call, const char *what)
{
	tool_error(call, "This tool needs %s, asked for only in a "
	    "2026-07-28 request that declares it.", what);
	return TOOL_OK;
}

static enum tool_status
ir_elicitation(struct tool_call *call)
{
	if (tool_answer_accepted(call, "user_name") != NULL) {
		tool_text(call, "Hello, %s!",
		    accepted_string(call, "user_name", "name"));
		return TOOL_OK;
	}
	if (tool_ask_elicit(call, "user_name", "What is your name?",
	    NAME_SCHEMA) == -1)
		return cannot_ask(call, "elicitation");
	return TOOL_OK;
}

static enum tool_status
ir_sampling(struct tool_call *call)
{
	if (tool_answer(call, "capital_question") != NULL) {
		tool_text(call, "The model said: %s",
		    sampled_text(call, "capital_question"));
		return TOOL_OK;
	}
	if (tool_ask_sample(call, "capital_question",
	    "What is the capital of France?", 100) == -1)
		return cannot_ask(call, "sampling");
	return TOOL_OK;
}

static enum tool_status
ir_list_roots(struct tool_call *call)
{
	const char	*root;

	if (tool_answer(call, "client_roots") != NULL) {
		root = first_root(call, "client_roots");
		tool_text(call, "The client's first root: %s",
		    root != NULL ? root : "(none)");
		return TOOL_OK;
	}
	if (tool_ask_roots(call, "client_roots") == -1)
		return cannot_ask(call, "roots");
	return TOOL_OK;
}

static enum tool_status
ir_request_state(struct tool_call *call)
{
	const char	*st = tool_state(call);

	if (st != NULL && strcmp(st, "confirm-pending") == 0 &&
	    tool_answer(call, "confirm") != NULL) {
		tool_text(call, "state-ok: the request state came back "
		    "intact.");
		return TOOL_OK;
	}
	if (tool_ask_elicit(call, "confirm", "Please confirm",
	    OK_SCHEMA) == -1)
		return cannot_ask(call, "elicitation");
	tool_state_keep(call, "confirm-pending");
	return TOOL_OK;
}

static enum tool_status
ir_multiple_inputs(struct tool_call *call)
{
	const char	*st = tool_state(call);

	if (st != NULL && strcmp(st, "three-asked") == 0 &&
	    tool_answer_accepted(call, "user_name") != NULL &&
	    tool_answer(call, "greeting") != NULL &&
	    first_root(call, "client_roots") != NULL) {
		tool_text(call, "%s, %s (root %s)",
		    sampled_text(call, "greeting"),
		    accepted_string(call, "user_name", "name"),
		    first_root(call, "client_roots"));
		return TOOL_OK;
	}
	if (tool_ask_elicit(call, "user_name", "What is your name?",
	    NAME_SCHEMA) == -1 ||
	    tool_ask_sample(call, "greeting", "Generate a greeting", 50) == -1 ||
	    tool_ask_roots(call, "client_roots") == -1)
		return cannot_ask(call, "elicitation, sampling and roots");
	tool_state_keep(call, "three-asked");
	return TOOL_OK;
}

/*
 * Three rounds: the name, then the colour, then the answer.  The state
 * carries the round and the name learnt in round two, as JSON.
 */
static enum tool_status
ir_multi_round(struct tool_call *call)
{
	struct json_object	*st = NULL, *next;
	const char		*round = NULL;
	enum tool_status	 rc = TOOL_OK;

	if (tool_state(call) != NULL &&
	    (st = json_tokener_parse(tool_state(call))) != NULL)
		round = json_get_string(st, "round");
	if (round != NULL && strcmp(round, "2") == 0 &&
	    tool_answer_accepted(call, "step2") != NULL) {
		tool_text(call, "%s likes %s.", json_get_string(st, "name"),
		    accepted_string(call, "step2", "color"));
		goto out;
	}
	next = json_object_new_object();
	if (round != NULL && strcmp(round, "1") == 0 &&
	    tool_answer_accepted(call, "step1") != NULL) {
		json_object_object_add(next, "round",
		    json_object_new_string("2"));
		json_object_object_add(next, "name", json_object_new_string(
		    accepted_string(call, "step1", "name")));
		if (tool_ask_elicit(call, "step2", "Step 2: What is your "
		    "favorite color?", "{\"type\":\"object\",\"properties\":"
		    "{\"color\":{\"type\":\"string\"}},\"required\":"
		    "[\"color\"]}") == -1)
			rc = cannot_ask(call, "elicitation");
	} else {
		json_object_object_add(next, "round",
		    json_object_new_string("1"));
		if (tool_ask_elicit(call, "step1", "Step 1: What is your "
		    "name?", NAME_SCHEMA) == -1)
			rc = cannot_ask(call, "elicitation");
	}
	if (tool_state_keep(call, json_object_to_json_string(next)) == -1)
		tool_error(call, "The name is too long to keep.");
	json_object_put(next);
out:
	json_object_put(st);
	return rc;
}

static enum tool_status
ir_tampered_state(struct tool_call *call)
{
	const char	*st = tool_state(call);

	if (st != NULL && strcmp(st, "tamper-check") == 0) {
		tool_text(call, "The request state verified.");
		return TOOL_OK;
	}
	if (tool_ask_elicit(call, "confirm", "Please confirm", OK_SCHEMA) ==
	    -1)
		return cannot_ask(call, "elicitation");
	tool_state_keep(call, "tamper-check");
	return TOOL_OK;
}

/* Asks only what the client declared it can answer. */
static enum tool_status
ir_capabilities(struct tool_call *call)
{
	int	 asked = 0;

	if (tool_answer(call, "question") != NULL ||
	    tool_answer(call, "sample") != NULL ||
	    tool_answer(call, "roots") != NULL) {
		tool_text(call, "Thank you for the answers.");
		return TOOL_OK;
	}
	asked += tool_ask_elicit(call, "question", "What is your name?",
	    NAME_SCHEMA) == 0;
	asked += tool_ask_sample(call, "sample", "Say hello", 20) == 0;
	asked += tool_ask_roots(call, "roots") == 0;
	if (asked == 0)
		return cannot_ask(call, "elicitation, sampling or roots");
	return TOOL_OK;
}

static const struct tool test_input_required_result_elicitation = {
	.name = "test_input_required_result_elicitation",
	.description = "Asks the person's name (elicitation)",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_elicitation,
};

static const struct tool test_input_required_result_sampling = {
	.name = "test_input_required_result_sampling",
	.description = "Asks the client's model a question (sampling)",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_sampling,
};

static const struct tool test_input_required_result_list_roots = {
	.name = "test_input_required_result_list_roots",
	.description = "Asks the client's roots",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_list_roots,
};

static const struct tool test_input_required_result_request_state = {
	.name = "test_input_required_result_request_state",
	.description = "Asks a confirmation and keeps request state",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_request_state,
};

static const struct tool test_input_required_result_multiple_inputs = {
	.name = "test_input_required_result_multiple_inputs",
	.description = "Asks three things at once",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_multiple_inputs,
};

static const struct tool test_input_required_result_multi_round = {
	.name = "test_input_required_result_multi_round",
	.description = "Asks in two rounds, keeping state between them",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_multi_round,
};

static const struct tool test_input_required_result_tampered_state = {
	.name = "test_input_required_result_tampered_state",
	.description = "Keeps request state that must come back unaltered",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_tampered_state,
};

static const struct tool test_input_required_result_capabilities = {
	.name = "test_input_required_result_capabilities",
	.description = "Asks only what the client declared",
	.input_schema = NO_ARGUMENTS,
	.handler = ir_capabilities,
};

/* prompts/get asks too (input-required-result-non-tool-request). */
static enum prompt_status
ir_prompt(struct tool_call *call)
{
	if (tool_answer_accepted(call, "user_context") != NULL) {
		prompt_text(call, "user", "Use this context: %s",
		    accepted_string(call, "user_context", "context"));
		return PROMPT_OK;
	}
	if (tool_ask_elicit(call, "user_context", "What context should the "
	    "prompt use?", "{\"type\":\"object\",\"properties\":"
	    "{\"context\":{\"type\":\"string\"}},\"required\":"
	    "[\"context\"]}") == -1)
		return PROMPT_INVALID;
	return PROMPT_OK;
}

static const struct prompt test_input_required_result_prompt = {
	.name = "test_input_required_result_prompt",
	.description = "A prompt that asks the person for its context",
	.handler = ir_prompt,
};

/*
 * Parameters mirrored into Mcp-Param headers (http-custom-header-server-
 * validation; MCP 2026-07-28, basic/transports/streamable-http): the
 * scenario calls the first tool with an x-mcp-header on a string.
 */
static const struct tool test_custom_header = {
	.name = "test_custom_header",
	.description = "Echoes its arguments; region, count and verbose "
	    "travel as Mcp-Param headers too",
	.input_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
	    "\"count\":{\"type\":\"integer\",\"x-mcp-header\":\"Count\"},"
	    "\"verbose\":{\"type\":\"boolean\",\"x-mcp-header\":\"Verbose\"},"
	    "\"query\":{\"type\":\"string\"}},"
	    "\"required\":[\"region\"]}",
	.handler = json_schema_2020_12,
};

static const struct tool *const fixture_tools[] = {
	&test_simple_text,
	&test_image_content,
	&test_audio_content,
	&test_embedded_resource,
	&test_multiple_content_types,
	&test_error_handling,
	&json_schema_2020_12_tool,
	&test_missing_capability,
	&test_streaming_elicitation,
	&test_logging_tool,
	&test_tool_with_progress,
	&test_tool_with_logging,
	&test_progress_then_wait,
	&test_input_required_result_elicitation,
	&test_input_required_result_sampling,
	&test_input_required_result_list_roots,
	&test_input_required_result_request_state,
	&test_input_required_result_multiple_inputs,
	&test_input_required_result_multi_round,
	&test_input_required_result_tampered_state,
	&test_input_required_result_capabilities,
	&test_custom_header,
};

/*
 * The resources of resources-list, resources-read-text,
 * resources-read-binary and resources-templates-read.
 */
static enum resource_status
read_static_text(struct tool_call *call)
{
	resource_text(call, "test://static-text", "text/plain",
	    "This is the content of the static text resource.");
	return RESOURCE_OK;
}

static enum resource_status
read_static_binary(struct tool_call *call)
{
	resource_blob(call, "test://static-binary", "image/png",
	    red_pixel_png, sizeof(red_pixel_png));
	return RESOURCE_OK;
}

/*
 * test://template/{id}/data.  The id is echoed in the URI and the
 * JSON text, so only a short one of letters, digits, '-' and '_' is
 * served: it needs no escaping in either.
 */
static enum resource_status
read_template_data(struct tool_call *call)
{
	const char		*id = tool_arg_string(call, "id");
	char			 uri[sizeof("test://template//data") +
				    TEMPLATE_ID_MAX];
	char			 text[128 + 2 * TEMPLATE_ID_MAX];
	size_t			 i, len;

	if (id == NULL || (len = strlen(id)) == 0 || len > TEMPLATE_ID_MAX)
		return RESOURCE_NOT_FOUND;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' &&
		    id[i] != '_')
			return RESOURCE_NOT_FOUND;
	snprintf(uri, sizeof(uri), "test://template/%s/data", id);
	snprintf(text, sizeof(text), "{\"id\":\"%s\",\"templateTest\":true,"
	    "\"data\":\"Data for ID: %s\"}", id, id);
	resource_text(call, uri, "application/json", text);
	return RESOURCE_OK;
}

static const struct resource static_text_resource = {
	.uri = "test://static-text",
	.name = "static-text",
	.description = "A static text resource for testing",
	.mime_type = "text/plain",
	.read = read_static_text,
};

static const struct resource static_binary_resource = {
	.uri = "test://static-binary",
	.name = "static-binary",
	.description = "A static binary resource (a 1x1 PNG) for testing",
	.mime_type = "image/png",
	.read = read_static_binary,
};

static const struct resource *const fixture_resources[] = {
	&static_text_resource,
	&static_binary_resource,
};

static const struct resource_template template_data = {
	.uri_template = "test://template/{id}/data",
	.name = "template-data",
	.description = "A resource template with an id parameter",
	.mime_type = "application/json",
	.read = read_template_data,
};

static const struct resource_template *const fixture_templates[] = {
	&template_data,
};

/*
 * The prompts of prompts-list, prompts-get-simple,
 * prompts-get-with-args, prompts-get-embedded-resource,
 * prompts-get-with-image and completion-complete.
 */
static enum prompt_status
simple_prompt(struct tool_call *call)
{
	prompt_text(call, "user", "This is a simple prompt for testing.");
	return PROMPT_OK;
}

static enum prompt_status
prompt_with_arguments(struct tool_call *call)
{
	prompt_text(call, "user", "Prompt with arguments: arg1='%s', "
	    "arg2='%s'", tool_arg_string(call, "arg1"),
	    tool_arg_string(call, "arg2"));
	return PROMPT_OK;
}

/* Offers a few words for arg1, those that start with what was typed. */
static enum prompt_status
complete_arguments(struct tool_call *call, const char *arg,
    const char *prefix)
{
	static const char *const words[] = {
		"paris", "park", "party", "test", "testing",
	};
	size_t			 i;

	if (strcmp(arg, "arg1") != 0)
		return PROMPT_OK;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (complete_prefix(words[i], prefix))
			complete_value(call, words[i]);
	return PROMPT_OK;
}

static enum prompt_status
prompt_with_embedded_resource(struct tool_call *call)
{
	prompt_resource(call, "user", tool_arg_string(call, "resourceUri"),
	    "text/plain", "Embedded resource content for testing.");
	prompt_text(call, "user", "Please process the embedded resource "
	    "above.");
	return PROMPT_OK;
}

static enum prompt_status
prompt_with_image(struct tool_call *call)
{
	prompt_image(call, "user", RED_PIXEL_PNG, "image/png");
	prompt_text(call, "user", "Please analyze the image above.");
	return PROMPT_OK;
}

static const struct prompt test_simple_prompt = {
	.name = "test_simple_prompt",
	.description = "A simple prompt without arguments",
	.handler = simple_prompt,
};

static const struct prompt_argument two_arguments[] = {
	{ .name = "arg1", .description = "First test argument",
	    .required = 1 },
	{ .name = "arg2", .description = "Second test argument",
	    .required = 1 },
};

static const struct prompt test_prompt_with_arguments = {
	.name = "test_prompt_with_arguments",
	.description = "A prompt with two required arguments",
	.arguments = two_arguments,
	.narguments = sizeof(two_arguments) / sizeof(two_arguments[0]),
	.handler = prompt_with_arguments,
	.complete = complete_arguments,
};

static const struct prompt_argument resource_uri_argument[] = {
	{ .name = "resourceUri", .description = "URI of the resource to "
	    "embed", .required = 1 },
};

static const struct prompt test_prompt_with_embedded_resource = {
	.name = "test_prompt_with_embedded_resource",
	.description = "A prompt with an embedded resource",
	.arguments = resource_uri_argument,
	.narguments = 1,
	.handler = prompt_with_embedded_resource,
};

static const struct prompt test_prompt_with_image = {
	.name = "test_prompt_with_image",
	.description = "A prompt with an image",
	.handler = prompt_with_image,
};

static const struct prompt *const fixture_prompts[] = {
	&test_simple_prompt,
	&test_prompt_with_arguments,
	&test_prompt_with_embedded_resource,
	&test_prompt_with_image,
	&test_input_required_result_prompt,
};

static const struct mcp_server server = {
	.program = "mcp-conformance",
	.name = "mcp-oauth-fcgi-conformance",
	.title = "mcp-oauth-fcgi conformance fixtures",
	.tools = fixture_tools,
	.ntools = sizeof(fixture_tools) / sizeof(fixture_tools[0]),
	.resources = fixture_resources,
	.nresources = sizeof(fixture_resources) /
	    sizeof(fixture_resources[0]),
	.templates = fixture_templates,
	.ntemplates = sizeof(fixture_templates) /
	    sizeof(fixture_templates[0]),
	.prompts = fixture_prompts,
	.nprompts = sizeof(fixture_prompts) / sizeof(fixture_prompts[0]),
};

int
main(void)
{
	return mcp_main(&server);
}
