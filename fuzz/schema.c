/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Tool arguments against a JSON Schema: schema_validate(), fuzzing
 * both the schema and the value.  The input is a JSON array
 * [schema, value].  A refusal names where the value went wrong, and
 * the answer does not change when asked twice.
 */
#include <string.h>

#include <json-c/json.h>

#include "../src/lib/jsonutil.h"
#include "../src/lib/schema.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o, *schema, *value;
	char			 why[256], why2[256], tiny[4];
	int			 rc;

	if (json_parse_strict((const char *)data, size, &o) != JSONU_OK)
		return 0;
	if (!json_object_is_type(o, json_type_array) ||
	    json_object_array_length(o) != 2) {
		json_object_put(o);
		return 0;
	}
	schema = json_object_array_get_idx(o, 0);
	value = json_object_array_get_idx(o, 1);

	rc = schema_validate(schema, value, why, sizeof(why));
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	if (rc == -1)
		FUZZ_CHECK(strncmp(why, "arguments", 9) == 0);
	FUZZ_CHECK(schema_validate(schema, value, why2, sizeof(why2)) == rc);
	FUZZ_CHECK(strcmp(why, why2) == 0);
	/* A short buffer truncates the reason, nothing more. */
	FUZZ_CHECK(schema_validate(schema, value, tiny, sizeof(tiny)) == rc);
	FUZZ_CHECK(memchr(tiny, '\0', sizeof(tiny)) != NULL);
	/* The empty schema and true accept anything. */
	if (json_object_is_type(schema, json_type_object) &&
	    json_object_object_length(schema) == 0)
		FUZZ_CHECK(rc == 0);
	json_object_put(o);
	return 0;
}
