/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <strings.h>
#include <string.h>

#include <json-c/json.h>

#include "complete.h"

/* Offers one value; the server keeps the first COMPLETE_VALUES_MAX. */
void
complete_value(struct tool_call *call, const char *v)
{
	json_object_array_add(call->content, json_object_new_string(v));
}

/* Whether s begins with prefix, ignoring ASCII case. */
int
complete_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}
