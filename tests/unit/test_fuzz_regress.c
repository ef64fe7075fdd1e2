/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Regression tests for what the fuzzers (fuzz/) found.  Each test
 * replays the input that failed, which is also kept in the target's
 * seed corpus, and checks the fixed behaviour.
 */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/jsonutil.h"
#include "../../src/lib/schema.h"
#include "../../src/lib/scope.h"

static int
parse(const char *text, struct json_object **o)
{
	return json_parse_strict(text, strlen(text), o);
}

/*
 * fuzz/json: json-c's strict mode still reads NaN, Infinity and "1.",
 * which json-c then writes back as they came: not JSON to any other
 * parser, and NaN is not even equal to itself.
 */
Test(fuzz_regress, json_refuses_non_numbers)
{
	static const char *const bad[] = {
		"NaN", "[NaN]", "Infinity", "-Infinity", "{\"a\":-Infinity}",
		"1.", "[1.,2]", "1.e5", "1e999", "-1e999", "[1E]"
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = NULL;
		cr_expect_eq(parse(bad[i], &o), JSONU_ESYNTAX, "%s", bad[i]);
		cr_expect_null(o, "%s", bad[i]);
	}
}

Test(fuzz_regress, json_still_reads_numbers)
{
	static const char *const good[] = {
		"0", "-0", "1.5", "-0.5e-3", "1E+2", "[1e308,2]",
		"9223372036854775807", "{\"a\":[0.25]}"
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_expect_eq(parse(good[i], &o), JSONU_OK, "%s", good[i]);
		json_object_put(o);
	}
}

/*
 * A "\u0000" escape would be cut short by every C consumer, and json-c
 * cuts object keys itself: {"a\u0000b":1} came out as {"a":1}, so a
 * second, hidden "redirect_uris" could replace the first.
 */
Test(fuzz_regress, json_refuses_nul_escapes)
{
	struct json_object	*o;

	cr_expect_eq(parse("\"\\u0000\"", &o), JSONU_ESYNTAX);
	cr_expect_eq(parse("[\"a\\u0000b\"]", &o), JSONU_ESYNTAX);
	cr_expect_eq(parse("{\"a\\u0000b\":1}", &o), JSONU_ESYNTAX);
	cr_expect_eq(parse("{\"redirect_uris\":[\"https://a.example/\"],"
	    "\"redirect_uris\\u0000\":[\"https://b.example/\"]}", &o),
	    JSONU_ESYNTAX);
	/* An escaped backslash before "u0000" is just text. */
	cr_assert_eq(parse("\"\\\\u0000\"", &o), JSONU_OK);
	cr_expect_str_eq(json_object_get_string(o), "\\u0000");
	json_object_put(o);
	cr_assert_eq(parse("\"\\u00e9\\u0001\"", &o), JSONU_OK);
	cr_expect_eq(json_object_get_string_len(o), 3);
	json_object_put(o);
}

static int
validate(const char *pair, char *why, size_t whysz)
{
	struct json_object	*o;
	int			 rc;

	cr_assert_eq(parse(pair, &o), JSONU_OK, "%s", pair);
	rc = schema_validate(json_object_array_get_idx(o, 0),
	    json_object_array_get_idx(o, 1), why, whysz);
	json_object_put(o);
	return rc;
}

/* fuzz/schema: a null in a list of types was passed to strcmp(). */
Test(fuzz_regress, schema_null_in_type_list)
{
	char	 why[256];

	cr_expect_eq(validate("[{\"type\":[null]},1]", why, sizeof(why)), 0);
	cr_expect_eq(validate("[{\"type\":[null,\"string\"]},\"x\"]", why,
	    sizeof(why)), 0);
	cr_expect_eq(validate("[{\"type\":[\"string\"]},1]", why,
	    sizeof(why)), -1);
}

/*
 * fuzz/schema: anyOf over three "$ref": "#" is 3^16 subschemas within
 * the depth limit.  Now a bounded number are checked, and going past
 * the bound refuses the value, also where a "not" would have let it
 * through.
 */
Test(fuzz_regress, schema_exponential_refs, .timeout = 20)
{
	char	 why[256];

	cr_expect_eq(validate("[{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#\"},"
	    "{\"$ref\":\"#\"}]},1]", why, sizeof(why)), -1);
	cr_expect_str_eq(why, "arguments: is too complex to check");
	cr_expect_eq(validate("[{\"not\":{\"anyOf\":[{\"$ref\":\"#\"},"
	    "{\"$ref\":\"#\"},{\"$ref\":\"#\"}]}},1]", why, sizeof(why)), -1);
	cr_expect_str_eq(why, "arguments: is too complex to check");
	/* A recursive schema that ends is still checked. */
	cr_expect_eq(validate("[{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}},"
	    "[[[]],[]]]", why, sizeof(why)), 0);
}

/*
 * fuzz/scope: scope_allows() built "P:write" from a needed "P:read" in
 * a 128-byte buffer after checking only that "P:read" fitted, so a
 * 127-character need wrote two bytes past its end.
 */
Test(fuzz_regress, scope_allows_long_read_scope)
{
	char	 need[128], granted[128];

	memset(need, 'a', sizeof(need));
	memcpy(need + 122, ":read", 6);
	cr_expect_eq(strlen(need), 127);
	cr_expect_eq(scope_allows("mcp", need), 0);
	cr_expect_eq(scope_allows(need, need), 1);
	/* The longest need whose write scope fits still works. */
	memcpy(need + 121, ":read", 6);
	memset(granted, 'a', sizeof(granted));
	memcpy(granted + 121, ":write", 7);
	cr_expect_eq(strlen(need), 126);
	cr_expect_eq(scope_allows(granted, need), 1);
}
