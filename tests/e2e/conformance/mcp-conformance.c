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
 * json-schema-2020-12.ts.  None needs a scope beyond a valid token.
 */
#include <json-c/json.h>

#include "lib/mcp.h"

/* A 1x1 red pixel, as a PNG. */
#define RED_PIXEL_PNG \
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHw" \
	"AFBQIAX8jx0gAAAABJRU5ErkJggg=="

/* The smallest WAV file: a RIFF header, 8 kHz mono, one silent sample. */
#define SILENT_WAV \
	"UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="

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
 * response carries no request of the server's own: this server asks
 * the client nothing, so it answers at once.  test_logging_tool,
 * called without a log level, must bring no log notification.
 */
static enum tool_status
streaming_elicitation(struct tool_call *call)
{
	tool_text(call, "Nothing to ask: this server sends no requests of "
	    "its own.");
	return TOOL_OK;
}

static enum tool_status
logging_tool(struct tool_call *call)
{
	tool_text(call, "Done, without a log message.");
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
};

static const struct mcp_server server = {
	.program = "mcp-conformance",
	.name = "mcp-oauth-fcgi-conformance",
	.title = "mcp-oauth-fcgi conformance fixtures",
	.tools = fixture_tools,
	.ntools = sizeof(fixture_tools) / sizeof(fixture_tools[0]),
};

int
main(void)
{
	return mcp_main(&server);
}
