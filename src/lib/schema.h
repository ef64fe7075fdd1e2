/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Tool arguments checked against the tool's JSON Schema (2020-12).
 * The validator covers the keywords that constrain plain data: type,
 * enum, const, properties, required, additionalProperties, items,
 * minItems, maxItems, minLength, maxLength, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, allOf, anyOf, oneOf, not,
 * if/then/else and local $ref ("#/$defs/...").  Other keywords
 * (pattern, format, ...) are accepted and not enforced: the handlers
 * check what they rely on.
 */
#ifndef MCP_SCHEMA_H
#define MCP_SCHEMA_H

#include <stddef.h>

struct json_object;

int	 schema_validate(struct json_object *, struct json_object *, char *,
	    size_t);

#endif
