/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/jsonutil.h"
#include "../../src/lib/schema.h"

static int
check(const char *schema_text, const char *value_text, char *why,
    size_t whysz)
{
	struct json_object	*schema, *value;
	int			 rc;

	cr_assert_eq(json_parse_strict(schema_text, strlen(schema_text),
	    &schema), JSONU_OK, "schema: %s", schema_text);
	cr_assert_eq(json_parse_strict(value_text, strlen(value_text),
	    &value), JSONU_OK, "value: %s", value_text);
	rc = schema_validate(schema, value, why, whysz);
	json_object_put(schema);
	json_object_put(value);
	return rc;
}

struct schema_case {
	const char	*schema;
	const char	*value;
	int		 ok;
	const char	*why;	/* the message starts with this */
};

static const struct schema_case cases[] = {
	/* type */
	{ "{\"type\":\"object\"}", "{}", 1, NULL },
	{ "{\"type\":\"object\"}", "[]", 0, "arguments: must be of type object" },
	{ "{\"type\":\"string\"}", "\"x\"", 1, NULL },
	{ "{\"type\":\"string\"}", "1", 0, "arguments: must be of type string" },
	{ "{\"type\":\"integer\"}", "3", 1, NULL },
	{ "{\"type\":\"integer\"}", "3.0", 1, NULL },
	{ "{\"type\":\"integer\"}", "3.5", 0, "arguments: must be of type" },
	{ "{\"type\":\"number\"}", "3.5", 1, NULL },
	{ "{\"type\":\"number\"}", "\"3\"", 0, "arguments: must be of type" },
	{ "{\"type\":\"boolean\"}", "false", 1, NULL },
	{ "{\"type\":\"boolean\"}", "0", 0, "arguments: must be of type" },
	{ "{\"type\":\"null\"}", "null", 1, NULL },
	{ "{\"type\":\"array\"}", "[1]", 1, NULL },
	{ "{\"type\":[\"string\",\"null\"]}", "null", 1, NULL },
	{ "{\"type\":[\"string\",\"null\"]}", "2", 0, "arguments: must be" },
	/* properties, required, additionalProperties */
	{ "{\"type\":\"object\",\"required\":[\"a\"]}", "{}", 0,
	    "arguments: \"a\" is required" },
	{ "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}",
	    "{\"a\":1}", 0, "arguments.a: must be of type string" },
	{ "{\"type\":\"object\",\"properties\":{\"a\":{}},"
	    "\"additionalProperties\":false}", "{\"a\":1,\"b\":2}", 0,
	    "arguments: unexpected property \"b\"" },
	{ "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}",
	    "{\"x\":1,\"y\":\"2\"}", 0, "arguments.y: must be of type" },
	{ "{\"type\":\"object\",\"properties\":{\"o\":{\"type\":\"object\","
	    "\"properties\":{\"p\":{\"maxLength\":2}}}}}",
	    "{\"o\":{\"p\":\"abc\"}}", 0,
	    "arguments.o.p: must be at most 2 characters long" },
	/* strings: lengths count characters, not bytes */
	{ "{\"maxLength\":2}", "\"\\u00e9\\u00e9\"", 1, NULL },
	{ "{\"maxLength\":2}", "\"\\u00e9\\u00e9\\u00e9\"", 0,
	    "arguments: must be at most 2" },
	{ "{\"minLength\":1}", "\"\"", 0, "arguments: must be at least 1" },
	/* numbers */
	{ "{\"minimum\":1}", "0", 0, "arguments: must be at least 1" },
	{ "{\"maximum\":1}", "1", 1, NULL },
	{ "{\"exclusiveMaximum\":1}", "1", 0, "arguments: must be less than 1" },
	{ "{\"exclusiveMinimum\":1}", "1.5", 1, NULL },
	/* enum and const */
	{ "{\"enum\":[\"a\",1,null]}", "1", 1, NULL },
	{ "{\"enum\":[\"a\",1,null]}", "\"b\"", 0, "arguments: must be one of" },
	{ "{\"const\":{\"a\":[1]}}", "{\"a\":[1]}", 1, NULL },
	{ "{\"const\":5}", "6", 0, "arguments: must be 5" },
	/* arrays */
	{ "{\"items\":{\"type\":\"integer\"}}", "[1,2,\"x\"]", 0,
	    "arguments[2]: must be of type" },
	{ "{\"minItems\":2}", "[1]", 0, "arguments: has too few items" },
	{ "{\"maxItems\":1}", "[1,2]", 0, "arguments: has too many items" },
	/* composition */
	{ "{\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}",
	    "{\"b\":1}", 1, NULL },
	{ "{\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}",
	    "{}", 0, "arguments: matches none" },
	{ "{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\"}]}", "1", 0,
	    "arguments: must match exactly one" },
	{ "{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\"}]}", "1.5",
	    1, NULL },
	{ "{\"allOf\":[{\"minimum\":1},{\"maximum\":3}]}", "4", 0,
	    "arguments: must be at most 3" },
	{ "{\"not\":{\"type\":\"string\"}}", "\"s\"", 0,
	    "arguments: is not allowed" },
	{ "{\"if\":{\"properties\":{\"k\":{\"const\":\"phone\"}},"
	    "\"required\":[\"k\"]},\"then\":{\"required\":[\"phone\"]},"
	    "\"else\":{\"required\":[\"email\"]}}", "{\"k\":\"phone\"}", 0,
	    "arguments: \"phone\" is required" },
	{ "{\"if\":{\"properties\":{\"k\":{\"const\":\"phone\"}},"
	    "\"required\":[\"k\"]},\"then\":{\"required\":[\"phone\"]},"
	    "\"else\":{\"required\":[\"email\"]}}", "{\"email\":\"e\"}", 1,
	    NULL },
	/* local references */
	{ "{\"$defs\":{\"a\":{\"type\":\"string\"}},\"properties\":"
	    "{\"x\":{\"$ref\":\"#/$defs/a\"}}}", "{\"x\":2}", 0,
	    "arguments.x: must be of type string" },
	{ "{\"properties\":{\"x\":{\"$ref\":\"#/$defs/missing\"}}}",
	    "{\"x\":2}", 1, NULL },
	/* boolean schemas and unknown keywords */
	{ "{\"properties\":{\"x\":false}}", "{\"x\":1}", 0,
	    "arguments.x: is not allowed" },
	{ "true", "{\"anything\":[1]}", 1, NULL },
	{ "{\"pattern\":\"^a$\",\"format\":\"email\",\"x-custom\":1}",
	    "\"zzz\"", 1, NULL },
};

Test(schema, table)
{
	char	 why[256];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 rc = check(cases[i].schema, cases[i].value, why,
		    sizeof(why));

		cr_assert_eq(rc, cases[i].ok ? 0 : -1, "case %zu (%s on %s): %s",
		    i, cases[i].schema, cases[i].value, why);
		if (!cases[i].ok)
			cr_assert_eq(strncmp(why, cases[i].why,
			    strlen(cases[i].why)), 0,
			    "case %zu: got \"%s\", want \"%s...\"", i, why,
			    cases[i].why);
	}
}

Test(schema, conformance_fixture_2020_12)
{
	static const char	 fixture[] = "{\"$schema\":"
	    "\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
	    "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\","
	    "\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":"
	    "\"string\"}}}},\"properties\":{\"name\":{\"type\":\"string\"},"
	    "\"address\":{\"$ref\":\"#/$defs/address\"},\"contactMethod\":{"
	    "\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},\"phone\":{"
	    "\"type\":\"string\"},\"email\":{\"type\":\"string\"}},\"allOf\":[{"
	    "\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
	    "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},"
	    "\"required\":[\"contactMethod\"]},\"then\":{\"required\":[\"phone\"]},"
	    "\"else\":{\"required\":[\"email\"]},\"additionalProperties\":false}";
	char	 why[256];

	cr_assert_eq(check(fixture, "{\"name\":\"n\",\"contactMethod\":\"phone\","
	    "\"phone\":\"1\"}", why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(check(fixture, "{\"contactMethod\":\"phone\","
	    "\"email\":\"e\"}", why, sizeof(why)), -1);
	cr_assert_eq(check(fixture, "{\"email\":\"e\",\"address\":{\"city\":1}}",
	    why, sizeof(why)), -1);
	cr_assert_str_eq(why, "arguments.address.city: must be of type string");
	cr_assert_eq(check(fixture, "{\"email\":\"e\",\"x\":1}", why,
	    sizeof(why)), -1);
	cr_assert_eq(check(fixture, "{}", why, sizeof(why)), -1);
}

/*
 * The parser already stops at JSON_DEPTH_MAX levels; within that, deep
 * schemas validate normally, and a failure deep down names its path.
 */
Test(schema, deep_nesting)
{
	char	 schema[4096], value[4096], why[256];
	size_t	 i;

	strcpy(schema, "");
	strcpy(value, "");
	for (i = 0; i < 30; i++) {
		strcat(schema, "{\"items\":");
		strcat(value, "[");
	}
	strcat(schema, "{\"type\":\"integer\"}");
	strcat(value, "\"x\"");
	for (i = 0; i < 30; i++) {
		strcat(schema, "}");
		strcat(value, "]");
	}
	cr_assert_eq(check(schema, value, why, sizeof(why)), -1);
	cr_assert_eq(strncmp(why, "arguments[0][0][0]", 18), 0, "%s", why);
	cr_assert_not_null(strstr(why, "must be of type integer"), "%s", why);
}

Test(schema, self_reference_terminates)
{
	char	 why[256];

	cr_assert_eq(check("{\"$ref\":\"#\"}", "{}", why, sizeof(why)), -1);
	cr_assert_not_null(strstr(why, "nested too deeply"), "%s", why);
}
