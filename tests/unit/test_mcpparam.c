/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Tool parameters mirrored into Mcp-Param headers (mcpparam.c): the
 * rules for x-mcp-header in a tool's input schema, and the headers of
 * a tools/call against its arguments: plain and base64 values,
 * whitespace, integers and booleans, missing, mismatched and malformed
 * headers, and a tool with a bad annotation failing the preparation.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/mcp.h"
#include "../../src/lib/mcpparam.h"
#include "../../src/lib/tool.h"

/* A region (string), a count (integer), a flag and a nested zone. */
static const char *const SCHEMA = "{\"type\":\"object\",\"properties\":{"
    "\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
    "\"count\":{\"type\":\"integer\",\"x-mcp-header\":\"Count\"},"
    "\"verbose\":{\"type\":\"boolean\",\"x-mcp-header\":\"Verbose\"},"
    "\"where\":{\"type\":\"object\",\"properties\":{"
    "\"zone\":{\"type\":\"string\",\"x-mcp-header\":\"Zone-Name\"}}},"
    "\"query\":{\"type\":\"string\"}}}";

static int
schema_ok(const char *text, char *why, size_t whysz)
{
	struct json_object	*s = json_tokener_parse(text);
	int			 rc;

	cr_assert_not_null(s, "%s", text);
	why[0] = '\0';
	rc = mcp_param_check_schema(s, why, whysz);
	json_object_put(s);
	return rc;
}

/* Checks a call; why receives the message of a refusal. */
static int
call(const char *args, char **envp, char *why, size_t whysz)
{
	struct json_object	*s = json_tokener_parse(SCHEMA);
	struct json_object	*a = args != NULL ? json_tokener_parse(args) :
				    NULL;
	int			 rc;

	cr_assert_not_null(s);
	cr_assert(args == NULL || a != NULL, "%s", args);
	cr_assert_eq(mcp_param_check_schema(s, why, whysz), 0, "%s", why);
	why[0] = '\0';
	rc = mcp_param_check_call(s, a, envp, why, whysz);
	json_object_put(a);
	json_object_put(s);
	return rc;
}

Test(mcpparam, schema_valid)
{
	char	 why[256];

	cr_assert_eq(schema_ok(SCHEMA, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(schema_ok("{\"type\":\"object\"}", why, sizeof(why)), 0);
	/* A property named x-mcp-header is no annotation. */
	cr_assert_eq(schema_ok("{\"properties\":{\"x-mcp-header\":"
	    "{\"type\":\"string\"}}}", why, sizeof(why)), 0, "%s", why);
}

/* Annotations that break a rule, each in a property "a" unless shown. */
static const char *const bad_schemas[] = {
	"\"a\":{\"type\":\"string\",\"x-mcp-header\":\"\"}",
	"\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Bad Name\"}",
	"\"a\":{\"type\":\"string\",\"x-mcp-header\":\"A\\r\\nX: y\"}",
	"\"a\":{\"type\":\"string\",\"x-mcp-header\":\"under_score\"}",
	"\"a\":{\"type\":\"string\",\"x-mcp-header\":7}",
	"\"a\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
	    "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"REGION\"}",
	"\"a\":{\"type\":\"number\",\"x-mcp-header\":\"A\"}",
	"\"a\":{\"type\":\"object\",\"x-mcp-header\":\"A\"}",
	"\"a\":{\"x-mcp-header\":\"A\"}",
	"\"a\":{\"type\":\"array\",\"items\":{\"type\":\"string\","
	    "\"x-mcp-header\":\"A\"}}",
	"\"a\":{\"oneOf\":[{\"properties\":{\"b\":{\"type\":\"string\","
	    "\"x-mcp-header\":\"A\"}}}]}",
};

Test(mcpparam, schema_bad)
{
	char	 text[512], why[256];
	size_t	 i;

	for (i = 0; i < sizeof(bad_schemas) / sizeof(bad_schemas[0]); i++) {
		snprintf(text, sizeof(text), "{\"type\":\"object\","
		    "\"properties\":{%s}}", bad_schemas[i]);
		cr_assert_eq(schema_ok(text, why, sizeof(why)), -1, "%s", text);
		cr_assert(why[0] != '\0', "%s", text);
	}
	cr_assert_eq(schema_ok("{\"x-mcp-header\":\"Root\"}", why,
	    sizeof(why)), -1);
	cr_assert_eq(schema_ok("{\"properties\":{\"a\":{\"type\":\"string\","
	    "\"x-mcp-header\":\"Region\"},\"b\":{\"type\":\"string\","
	    "\"x-mcp-header\":\"REGION\"}}}", why, sizeof(why)), -1);
	cr_assert(strstr(why, "twice") != NULL, "%s", why);
}

Test(mcpparam, plain_values_match)
{
	char	*env[] = { "HTTP_MCP_PARAM_REGION=us-west1",
	    "HTTP_MCP_PARAM_COUNT=42", "HTTP_MCP_PARAM_VERBOSE=true",
	    "HTTP_MCP_PARAM_ZONE_NAME=b", NULL };
	char	 why[256];

	cr_assert_eq(call("{\"region\":\"us-west1\",\"count\":42,"
	    "\"verbose\":true,\"where\":{\"zone\":\"b\"},\"query\":\"q\"}",
	    env, why, sizeof(why)), 0, "%s", why);
}

Test(mcpparam, absent_arguments_need_no_header)
{
	char	*env[] = { NULL };
	char	 why[256];

	cr_assert_eq(call(NULL, env, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(call("{\"query\":\"q\",\"region\":null}", env, why,
	    sizeof(why)), 0, "%s", why);
}

Test(mcpparam, base64_and_whitespace)
{
	char	*b64[] = { "HTTP_MCP_PARAM_REGION==?base64?SGVsbG8=?=", NULL };
	char	*ows[] = { "HTTP_MCP_PARAM_REGION= \tHello  ", NULL };
	char	*lit[] = { "HTTP_MCP_PARAM_REGION==?base64?SGVsbG8=", NULL };
	char	*pad[] = { "HTTP_MCP_PARAM_REGION==?base64?IHBhZGRlZCA=?=",
	    NULL };
	char	 why[256];

	cr_assert_eq(call("{\"region\":\"Hello\"}", b64, why, sizeof(why)), 0,
	    "%s", why);
	cr_assert_eq(call("{\"region\":\"Hello\"}", ows, why, sizeof(why)), 0,
	    "%s", why);
	/* Without the suffix the value is literal. */
	cr_assert_eq(call("{\"region\":\"=?base64?SGVsbG8=\"}", lit, why,
	    sizeof(why)), 0, "%s", why);
	cr_assert_eq(call("{\"region\":\"Hello\"}", lit, why, sizeof(why)),
	    -1);
	cr_assert_eq(call("{\"region\":\" padded \"}", pad, why, sizeof(why)),
	    0, "%s", why);
}

Test(mcpparam, malformed_values_refused)
{
	char	*padding[] = { "HTTP_MCP_PARAM_REGION==?base64?SGVsbG8?=",
	    NULL };
	char	*alphabet[] = { "HTTP_MCP_PARAM_REGION==?base64?SGVs!!!bG8=?=",
	    NULL };
	char	*control[] = { "HTTP_MCP_PARAM_REGION=He\001llo", NULL };
	char	*utf8[] = { "HTTP_MCP_PARAM_REGION=H\xc3\xa9llo", NULL };
	char	 why[256];

	cr_assert_eq(call("{\"region\":\"Hello\"}", padding, why,
	    sizeof(why)), -1);
	cr_assert(strstr(why, "Mcp-Param-Region header value is malformed") !=
	    NULL, "%s", why);
	cr_assert_eq(call("{\"region\":\"Hello\"}", alphabet, why,
	    sizeof(why)), -1);
	cr_assert_eq(call("{\"region\":\"He\\u0001llo\"}", control, why,
	    sizeof(why)), -1);
	cr_assert_eq(call("{\"region\":\"H\\u00e9llo\"}", utf8, why,
	    sizeof(why)), -1);
}

Test(mcpparam, missing_and_mismatch)
{
	char	*none[] = { "HTTP_MCP_NAME=t", NULL };
	char	*other[] = { "HTTP_MCP_PARAM_REGION=eu-west1", NULL };
	char	*zone[] = { "HTTP_MCP_PARAM_ZONE_NAME=a", NULL };
	char	*extra[] = { "HTTP_MCP_PARAM_REGION=us", NULL };
	char	*empty[] = { "HTTP_MCP_PARAM_REGION=", NULL };
	char	 why[256];

	cr_assert_eq(call("{\"region\":\"us\"}", none, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "Header mismatch: the Mcp-Param-Region header "
	    "is required");
	cr_assert_eq(call("{\"region\":\"us\"}", other, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "Header mismatch: the Mcp-Param-Region header "
	    "does not match arguments.region");
	cr_assert_eq(call("{\"where\":{\"zone\":\"b\"}}", zone, why,
	    sizeof(why)), -1);
	cr_assert_eq(call("{\"where\":{\"zone\":\"b\"}}", none, why,
	    sizeof(why)), -1);
	/* A header for an argument that is not there says something else. */
	cr_assert_eq(call("{\"query\":\"q\"}", extra, why, sizeof(why)), -1);
	/* An empty string may come as an empty header or none at all. */
	cr_assert_eq(call("{\"region\":\"\"}", empty, why, sizeof(why)), 0,
	    "%s", why);
	cr_assert_eq(call("{\"region\":\"\"}", none, why, sizeof(why)), 0,
	    "%s", why);
	cr_assert_eq(call("{\"region\":\"us\"}", empty, why, sizeof(why)), -1);
}

Test(mcpparam, integers_and_booleans)
{
	char	*i42[] = { "HTTP_MCP_PARAM_COUNT=42.0", NULL };
	char	*neg[] = { "HTTP_MCP_PARAM_COUNT=-7", NULL };
	char	*junk[] = { "HTTP_MCP_PARAM_COUNT=42abc", NULL };
	char	*t[] = { "HTTP_MCP_PARAM_VERBOSE=true", NULL };
	char	*upper[] = { "HTTP_MCP_PARAM_VERBOSE=TRUE", NULL };
	char	 why[256];

	cr_assert_eq(call("{\"count\":42}", i42, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_eq(call("{\"count\":-7}", neg, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_eq(call("{\"count\":7}", neg, why, sizeof(why)), -1);
	cr_assert_eq(call("{\"count\":42}", junk, why, sizeof(why)), -1);
	cr_assert_eq(call("{\"verbose\":true}", t, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_eq(call("{\"verbose\":false}", t, why, sizeof(why)), -1);
	cr_assert_eq(call("{\"verbose\":true}", upper, why, sizeof(why)), -1);
}

/*
 * Only JSON's spelling of a number: strtod() would also take a sign, a
 * leading zero, hexadecimal or a number too small for a double.
 */
Test(mcpparam, numbers_in_json_grammar_only)
{
	static const char *const refused[] = {
		"HTTP_MCP_PARAM_COUNT=+42", "HTTP_MCP_PARAM_COUNT=042",
		"HTTP_MCP_PARAM_COUNT=0x2A", "HTTP_MCP_PARAM_COUNT=0x1.5p5",
		"HTTP_MCP_PARAM_COUNT=42.", "HTTP_MCP_PARAM_COUNT=.5e2",
		"HTTP_MCP_PARAM_COUNT=inf", "HTTP_MCP_PARAM_COUNT=4e",
	};
	char	*ok[] = { "HTTP_MCP_PARAM_COUNT=4.2e1", NULL };
	char	*tiny[] = { "HTTP_MCP_PARAM_COUNT=1e-400", NULL };
	char	*env[2] = { NULL, NULL };
	char	 why[256];
	size_t	 i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		env[0] = (char *)refused[i];
		cr_assert_eq(call("{\"count\":42}", env, why, sizeof(why)),
		    -1, "%s", refused[i]);
	}
	cr_assert_eq(call("{\"count\":42}", ok, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_eq(call("{\"count\":0}", tiny, why, sizeof(why)), -1);
}

/*
 * Two variables for one header (two spellings a web server mapped to
 * one name): which one a gateway read cannot be known, so the call is
 * refused.
 */
Test(mcpparam, two_headers_of_one_name_refused)
{
	char	*two[] = { "HTTP_MCP_PARAM_REGION=us",
	    "HTTP_MCP_PARAM_REGION=eu", NULL };
	char	*same[] = { "HTTP_MCP_PARAM_REGION=us",
	    "HTTP_MCP_PARAM_REGION=us", NULL };
	char	 why[256];

	cr_assert_eq(call("{\"region\":\"us\"}", two, why, sizeof(why)),
	    -1);
	cr_assert_eq(call("{\"region\":\"us\"}", same, why, sizeof(why)),
	    -1);
	cr_assert_not_null(strstr(why, "malformed"), "%s", why);
}

static enum tool_status
noop(struct tool_call *call)
{
	(void)call;
	return TOOL_OK;
}

/* A bad annotation fails the tools' preparation, naming the tool. */
Test(mcpparam, prepare_refuses_bad_annotation)
{
	static const struct tool good = {
		.name = "good",
		.input_schema = "{\"type\":\"object\",\"properties\":{\"r\":"
		    "{\"type\":\"string\",\"x-mcp-header\":\"R\"}}}",
		.handler = noop,
	};
	static const struct tool bad = {
		.name = "bad",
		.input_schema = "{\"type\":\"object\",\"properties\":{\"n\":"
		    "{\"type\":\"number\",\"x-mcp-header\":\"N\"}}}",
		.handler = noop,
	};
	const struct tool *const ok_tools[] = { &good };
	const struct tool *const bad_tools[] = { &good, &bad };
	struct mcp_server	 ok_srv = { .program = "t", .tools = ok_tools,
				    .ntools = 1 };
	struct mcp_server	 bad_srv = { .program = "t", .tools = bad_tools,
				    .ntools = 2 };
	char			 why[256];

	cr_assert_eq(mcp_tools_prepare(&ok_srv, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_not_null(mcp_tool_input_schema(&ok_srv, "good"));
	cr_assert_null(mcp_tool_input_schema(&ok_srv, "other"));
	cr_assert_eq(mcp_tools_prepare(&bad_srv, why, sizeof(why)), -1);
	cr_assert(strstr(why, "tool bad: property n") != NULL, "%s", why);
	cr_assert_null(mcp_tool_input_schema(&bad_srv, "good"));
	/* The good tools prepare again after the bad ones failed. */
	cr_assert_eq(mcp_tools_prepare(&ok_srv, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert_not_null(mcp_tool_input_schema(&ok_srv, "good"));
}
