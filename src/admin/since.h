/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The time of "events --since": an age or an ISO 8601 UTC date.  Its
 * own file so that the unit tests link it without the admin tool.
 */
#ifndef MCP_ADMIN_SINCE_H
#define MCP_ADMIN_SINCE_H

#include <stdint.h>

/* The oldest age --since takes, in seconds: ten years. */
#define SINCE_AGE_MAX	(3650LL * 86400)

int	 since_parse(const char *, int64_t, int64_t *);

#endif
