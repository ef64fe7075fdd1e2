/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "jsonutil.h"

/*
 * RFC 8259 §6: number = [ "-" ] int [ frac ] [ exp ].  json-c keeps the
 * text of each number it parsed as a double, which is checked here:
 * even in strict mode it takes NaN, Infinity and "1.".
 */
static int
number_valid(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (isdigit((unsigned char)*s))
		while (isdigit((unsigned char)*s))
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		if (*++s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

/* Whether every number in o is finite and written as RFC 8259 says. */
static int
numbers_valid(struct json_object *o)
{
	size_t	 i;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o)) &&
		    number_valid(json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN));
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if (!numbers_valid(json_object_array_get_idx(o, i)))
				return 0;
		return 1;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (!numbers_valid(val))
				return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

/*
 * Whether the text has a \u0000 escape.  A backslash can only be in a
 * string, and the text has parsed, so every escape is complete.
 */
static int
has_nul_escape(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i + 1 < n; i++)
		if (p[i] == '\\') {
			if (p[i + 1] == 'u' && n - i >= 6 &&
			    memcmp(p + i + 2, "0000", 4) == 0)
				return 1;
			i++;
		}
	return 0;
}

/*
 * Parses exactly one JSON value from p (n bytes): strict RFC 8259
 * syntax, valid UTF-8, at most JSON_DEPTH_MAX levels, nothing but
 * whitespace after it, and no NUL byte anywhere, not even as "\u0000"
 * in a string: every consumer of a string is C, and json-c itself cuts
 * an object key at the first NUL, so that {"a\u0000b":1} would be
 * {"a":1}.  Numbers must be finite.  A literal null gives JSONU_OK with
 * *out NULL (json-c's null); callers check types.
 */
int
json_parse_strict(const char *p, size_t n, struct json_object **out)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	size_t			 end;

	*out = NULL;
	if (n > 0x7fffffff || memchr(p, '\0', n) != NULL)
		return JSONU_ESYNTAX;
	if ((tok = json_tokener_new_ex(JSON_DEPTH_MAX)) == NULL)
		return JSONU_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, p, (int)n);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL && json_tokener_get_error(tok) == json_tokener_continue) {
		/*
		 * A bare number may go on: a NUL byte tells the tokener
		 * the input has ended.  Everything was consumed.
		 */
		o = json_tokener_parse_ex(tok, "", 1);
		end = n;
	}
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		json_tokener_free(tok);
		return JSONU_ESYNTAX;
	}
	json_tokener_free(tok);
	for (; end < n; end++)
		if (strchr(" \t\r\n", p[end]) == NULL) {
			json_object_put(o);
			return JSONU_ESYNTAX;
		}
	if (!numbers_valid(o) || has_nul_escape(p, n)) {
		json_object_put(o);
		return JSONU_ESYNTAX;
	}
	*out = o;
	return JSONU_OK;
}

/* The compact text of o, valid until o changes or is freed. */
const char *
json_str(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

void
json_to_buf(struct json_object *o, struct buf *b)
{
	const char	*s = json_str(o);

	if (s == NULL)
		b->failed = 1;
	else
		buf_puts(b, s);
}

/* The string member key of object o, or NULL if absent or not a string. */
const char *
json_get_string(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
