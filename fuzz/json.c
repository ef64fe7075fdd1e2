/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The one JSON parser for untrusted bodies: json_parse_strict() (RFC
 * 8259, UTF-8 checked, depth-limited, nothing after the value, no NUL).
 * What it accepts, json-c's lenient parser reads the same way, and the
 * serialisation we send back parses strictly to an equal value.  No
 * string has a NUL in it, and every number is finite.
 */
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "../src/lib/jsonutil.h"
#include "fuzz.h"

/*
 * How deep o nests; strings must have no NUL and numbers must be
 * finite, or the depth is reported as too deep.
 */
static int
depth(struct json_object *o)
{
	int	 d = 0, sub;
	size_t	 i;

	if (json_object_is_type(o, json_type_string) &&
	    strlen(json_object_get_string(o)) !=
	    (size_t)json_object_get_string_len(o))
		return JSON_DEPTH_MAX + 1;
	if (json_object_is_type(o, json_type_double) &&
	    !isfinite(json_object_get_double(o)))
		return JSON_DEPTH_MAX + 1;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			if ((sub = depth(json_object_array_get_idx(o, i))) > d)
				d = sub;
		return d + 1;
	}
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if ((sub = depth(val)) > d)
				d = sub;
		}
		return d + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o, *again, *lax;
	const char		*text;
	char			*copy;

	if (json_parse_strict((const char *)data, size, &o) != JSONU_OK)
		return 0;
	FUZZ_CHECK(memchr(data, '\0', size) == NULL);
	FUZZ_CHECK(depth(o) <= JSON_DEPTH_MAX);

	/* json-c's own parser agrees on what the text means. */
	copy = fuzz_cstr(data, size);
	lax = json_tokener_parse(copy);
	FUZZ_CHECK(json_object_equal(o, lax));
	json_object_put(lax);
	free(copy);

	/* Our serialisation reads back strictly as the same value. */
	text = o != NULL ? json_str(o) : "null";
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(json_parse_strict(text, strlen(text), &again) == JSONU_OK);
	FUZZ_CHECK(json_object_equal(o, again));
	json_object_put(again);
	json_object_put(o);
	return 0;
}
