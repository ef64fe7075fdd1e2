/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * json-c helpers: one strict parse for every untrusted JSON body, and
 * serialisation without escaped slashes.
 */
#ifndef MCP_JSONUTIL_H
#define MCP_JSONUTIL_H

#include <stddef.h>

#include "buf.h"

struct json_object;

#define JSON_DEPTH_MAX	32

enum json_err {
	JSONU_OK = 0,
	JSONU_ESYNTAX,		/* not one complete, valid JSON value */
	JSONU_ENOMEM
};

int		 json_parse_strict(const char *, size_t,
		    struct json_object **);
const char	*json_str(struct json_object *);
void		 json_to_buf(struct json_object *, struct buf *);
const char	*json_get_string(struct json_object *, const char *);

#endif
