/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "schema.h"

#define SCHEMA_DEPTH_MAX	32
/*
 * Subschemas checked per validation.  Without a bound, anyOf over a
 * few "$ref": "#" takes exponential time within the depth limit.
 */
#define SCHEMA_STEPS_MAX	100000

struct check {
	struct json_object	*root;
	char			*why;
	size_t			 whysz;
	int			 depth;
	unsigned long		 steps;
	char			 path[256];
};

static int	validate(struct check *, struct json_object *,
		    struct json_object *);

static int
failf(struct check *c, const char *fmt, const char *detail)
{
	char	 msg[200];

	snprintf(msg, sizeof(msg), fmt, detail);
	snprintf(c->why, c->whysz, "%s: %s", c->path, msg);
	return -1;
}

static struct json_object *
member(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int
is_integer(struct json_object *v)
{
	double	 d;

	if (json_object_is_type(v, json_type_int))
		return 1;
	if (!json_object_is_type(v, json_type_double))
		return 0;
	d = json_object_get_double(v);
	return isfinite(d) && d == floor(d);
}

static int
type_matches(const char *type, struct json_object *v)
{
	/* A null in a list of types constrains nothing, as unknown names. */
	if (type == NULL)
		return 1;
	if (strcmp(type, "object") == 0)
		return json_object_is_type(v, json_type_object);
	if (strcmp(type, "array") == 0)
		return json_object_is_type(v, json_type_array);
	if (strcmp(type, "string") == 0)
		return json_object_is_type(v, json_type_string);
	if (strcmp(type, "boolean") == 0)
		return json_object_is_type(v, json_type_boolean);
	if (strcmp(type, "null") == 0)
		return v == NULL || json_object_is_type(v, json_type_null);
	if (strcmp(type, "integer") == 0)
		return is_integer(v);
	if (strcmp(type, "number") == 0)
		return json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double);
	return 1;
}

/* The number of Unicode code points of a UTF-8 string. */
static size_t
utf8_len(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Deep equality of two JSON values (enum and const). */
static int
json_equal(struct json_object *a, struct json_object *b)
{
	return json_object_equal(a, b);
}

/* Resolves "#/a/b" against the root schema (RFC 6901, no escapes). */
static struct json_object *
resolve_ref(struct check *c, const char *ref)
{
	struct json_object	*o = c->root;
	char			 part[128];
	const char		*p;
	size_t			 n;

	if (strncmp(ref, "#", 1) != 0)
		return NULL;
	p = ref + 1;
	while (*p == '/') {
		p++;
		n = strcspn(p, "/");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		if ((o = member(o, part)) == NULL)
			return NULL;
		p += n;
	}
	return *p == '\0' ? o : NULL;
}

static int
validate_object(struct check *c, struct json_object *s, struct json_object *v)
{
	struct json_object	*props, *req, *addl, *ps;
	size_t			 i, plen;
	int			 rc;

	props = member(s, "properties");
	if ((req = member(s, "required")) != NULL &&
	    json_object_is_type(req, json_type_array)) {
		for (i = 0; i < json_object_array_length(req); i++) {
			const char	*k = json_object_get_string(
			    json_object_array_get_idx(req, i));

			if (k != NULL && member(v, k) == NULL)
				return failf(c, "\"%s\" is required", k);
		}
	}
	addl = member(s, "additionalProperties");
	plen = strlen(c->path);
	json_object_object_foreach(v, key, val) {
		ps = props != NULL ? member(props, key) : NULL;
		if (ps == NULL && addl == NULL)
			continue;
		if (ps == NULL && json_object_is_type(addl, json_type_boolean)) {
			if (!json_object_get_boolean(addl))
				return failf(c, "unexpected property \"%s\"",
				    key);
			continue;
		}
		snprintf(c->path + plen, sizeof(c->path) - plen, ".%s", key);
		rc = validate(c, ps != NULL ? ps : addl, val);
		c->path[plen] = '\0';
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
validate_array(struct check *c, struct json_object *s, struct json_object *v)
{
	struct json_object	*items, *k;
	size_t			 i, n = json_object_array_length(v), plen;

	if ((k = member(s, "minItems")) != NULL && is_integer(k) &&
	    (int64_t)n < json_object_get_int64(k))
		return failf(c, "%s", "has too few items");
	if ((k = member(s, "maxItems")) != NULL && is_integer(k) &&
	    (int64_t)n > json_object_get_int64(k))
		return failf(c, "%s", "has too many items");
	if ((items = member(s, "items")) == NULL ||
	    !json_object_is_type(items, json_type_object))
		return 0;
	plen = strlen(c->path);
	for (i = 0; i < n; i++) {
		int	 rc;

		snprintf(c->path + plen, sizeof(c->path) - plen, "[%zu]", i);
		rc = validate(c, items, json_object_array_get_idx(v, i));
		c->path[plen] = '\0';
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
validate_number(struct check *c, struct json_object *s, struct json_object *v)
{
	struct json_object	*k;
	double			 d = json_object_get_double(v);

	if ((k = member(s, "minimum")) != NULL &&
	    d < json_object_get_double(k))
		return failf(c, "must be at least %s",
		    json_object_get_string(k));
	if ((k = member(s, "maximum")) != NULL &&
	    d > json_object_get_double(k))
		return failf(c, "must be at most %s",
		    json_object_get_string(k));
	if ((k = member(s, "exclusiveMinimum")) != NULL &&
	    d <= json_object_get_double(k))
		return failf(c, "must be more than %s",
		    json_object_get_string(k));
	if ((k = member(s, "exclusiveMaximum")) != NULL &&
	    d >= json_object_get_double(k))
		return failf(c, "must be less than %s",
		    json_object_get_string(k));
	return 0;
}

/* Validates v against a list of subschemas; returns how many match. */
static int
count_matches(struct check *c, struct json_object *list, struct json_object *v)
{
	char	 saved[sizeof(c->path)], why[8];
	char	*w = c->why;
	size_t	 i, wsz = c->whysz;
	int	 n = 0;

	memcpy(saved, c->path, sizeof(saved));
	c->why = why;
	c->whysz = sizeof(why);
	for (i = 0; i < json_object_array_length(list); i++) {
		if (validate(c, json_object_array_get_idx(list, i), v) == 0)
			n++;
		memcpy(c->path, saved, sizeof(saved));
	}
	c->why = w;
	c->whysz = wsz;
	return n;
}

static int
validate(struct check *c, struct json_object *s, struct json_object *v)
{
	struct json_object	*k, *t;
	size_t			 i;
	int			 ok, rc = 0;

	if (json_object_is_type(s, json_type_boolean))
		return json_object_get_boolean(s) ? 0 :
		    failf(c, "%s", "is not allowed");
	if (!json_object_is_type(s, json_type_object))
		return 0;
	if (++c->steps > SCHEMA_STEPS_MAX)
		return failf(c, "%s", "is too complex to check");
	if (++c->depth > SCHEMA_DEPTH_MAX) {
		c->depth--;
		return failf(c, "%s", "is nested too deeply");
	}
	if ((k = member(s, "$ref")) != NULL &&
	    json_object_is_type(k, json_type_string)) {
		struct json_object	*target;

		if ((target = resolve_ref(c, json_object_get_string(k))) !=
		    NULL && validate(c, target, v) == -1)
			goto fail;
	}
	if ((t = member(s, "type")) != NULL) {
		if (json_object_is_type(t, json_type_string))
			ok = type_matches(json_object_get_string(t), v);
		else if (json_object_is_type(t, json_type_array)) {
			ok = 0;
			for (i = 0; i < json_object_array_length(t); i++)
				if (type_matches(json_object_get_string(
				    json_object_array_get_idx(t, i)), v))
					ok = 1;
		} else
			ok = 1;
		if (!ok) {
			failf(c, "must be of type %s",
			    json_object_get_string(t));
			goto fail;
		}
	}
	if ((k = member(s, "enum")) != NULL &&
	    json_object_is_type(k, json_type_array)) {
		for (ok = 0, i = 0; i < json_object_array_length(k); i++)
			if (json_equal(json_object_array_get_idx(k, i), v))
				ok = 1;
		if (!ok) {
			failf(c, "must be one of %s", json_object_get_string(k));
			goto fail;
		}
	}
	if (json_object_object_get_ex(s, "const", &k) && !json_equal(k, v)) {
		failf(c, "must be %s", json_object_get_string(k));
		goto fail;
	}
	if (json_object_is_type(v, json_type_string)) {
		size_t	 n = utf8_len(json_object_get_string(v));

		if ((k = member(s, "minLength")) != NULL && is_integer(k) &&
		    (int64_t)n < json_object_get_int64(k)) {
			failf(c, "must be at least %s characters long",
			    json_object_get_string(k));
			goto fail;
		}
		if ((k = member(s, "maxLength")) != NULL && is_integer(k) &&
		    (int64_t)n > json_object_get_int64(k)) {
			failf(c, "must be at most %s characters long",
			    json_object_get_string(k));
			goto fail;
		}
	}
	if ((json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) &&
	    validate_number(c, s, v) == -1)
		goto fail;
	if (json_object_is_type(v, json_type_object) &&
	    validate_object(c, s, v) == -1)
		goto fail;
	if (json_object_is_type(v, json_type_array) &&
	    validate_array(c, s, v) == -1)
		goto fail;
	if ((k = member(s, "allOf")) != NULL &&
	    json_object_is_type(k, json_type_array)) {
		for (i = 0; i < json_object_array_length(k); i++)
			if (validate(c, json_object_array_get_idx(k, i), v) == -1)
				goto fail;
	}
	if ((k = member(s, "anyOf")) != NULL &&
	    json_object_is_type(k, json_type_array) &&
	    count_matches(c, k, v) == 0) {
		failf(c, "%s", "matches none of the allowed forms (anyOf)");
		goto fail;
	}
	if ((k = member(s, "oneOf")) != NULL &&
	    json_object_is_type(k, json_type_array) &&
	    count_matches(c, k, v) != 1) {
		failf(c, "%s", "must match exactly one form (oneOf)");
		goto fail;
	}
	if ((k = member(s, "not")) != NULL) {
		struct json_object	*one = json_object_new_array();

		json_object_array_add(one, json_object_get(k));
		ok = count_matches(c, one, v) == 0;
		json_object_put(one);
		if (!ok) {
			failf(c, "%s", "is not allowed (not)");
			goto fail;
		}
	}
	if ((k = member(s, "if")) != NULL) {
		struct json_object	*one = json_object_new_array();
		struct json_object	*branch;

		json_object_array_add(one, json_object_get(k));
		branch = member(s, count_matches(c, one, v) == 1 ? "then" :
		    "else");
		json_object_put(one);
		if (branch != NULL && validate(c, branch, v) == -1)
			goto fail;
	}
	c->depth--;
	return rc;
fail:
	c->depth--;
	return -1;
}

/*
 * Checks value against schema; on failure returns -1 and why names the
 * offending property ("arguments.text: must be at most 4000 characters
 * long").
 */
int
schema_validate(struct json_object *schema, struct json_object *value,
    char *why, size_t whysz)
{
	struct check	 c;

	memset(&c, 0, sizeof(c));
	c.root = schema;
	c.why = why;
	c.whysz = whysz;
	snprintf(c.path, sizeof(c.path), "arguments");
	snprintf(why, whysz, "invalid");
	if (validate(&c, schema, value) == 0 && c.steps <= SCHEMA_STEPS_MAX)
		return 0;
	/* Past the bound a "not" may have passed: refuse it all. */
	if (c.steps > SCHEMA_STEPS_MAX)
		snprintf(why, whysz, "arguments: is too complex to check");
	return -1;
}
