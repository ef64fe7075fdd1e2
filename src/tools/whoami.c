/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * whoami: who the token belongs to, which client holds it, its scopes
 * and when it expires.
 */
#include <time.h>

#include <json-c/json.h>

#include "tools.h"

static enum tool_status
whoami(struct tool_call *call)
{
	struct json_object	*o, *scopes;
	const struct tool_caller *c = call->caller;
	const char		*p;
	char			 stamp[32];
	struct tm		 tm;
	time_t			 t = (time_t)c->token_expires;
	size_t			 n;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		stamp[0] = '\0';
	scopes = json_object_new_array();
	for (p = c->scope; *p != '\0'; p += n) {
		if (*p == ' ') {
			n = 1;
			continue;
		}
		for (n = 0; p[n] != '\0' && p[n] != ' '; n++)
			continue;
		json_object_array_add(scopes, json_object_new_string_len(p,
		    (int)n));
	}
	o = json_object_new_object();
	json_object_object_add(o, "user", json_object_new_string(c->user));
	json_object_object_add(o, "client_id",
	    json_object_new_string(c->client_id));
	json_object_object_add(o, "scopes", scopes);
	json_object_object_add(o, "token_expires_at",
	    json_object_new_string(stamp));
	json_object_object_add(o, "token_expires_in",
	    json_object_new_int64(c->token_expires - (int64_t)time(NULL)));
	tool_structured(call, o);
	return TOOL_OK;
}

const struct tool tool_whoami = {
	.name = "whoami",
	.title = "Who am I?",
	.description = "Tells who you are signed in as on this server: the "
	    "user, the client application holding the access token, the "
	    "token's scopes and when it expires.",
	.input_schema = "{\"type\":\"object\",\"properties\":{},"
	    "\"additionalProperties\":false}",
	.output_schema = "{\"type\":\"object\",\"properties\":{"
	    "\"user\":{\"type\":\"string\"},"
	    "\"client_id\":{\"type\":\"string\"},"
	    "\"scopes\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	    "\"token_expires_at\":{\"type\":\"string\","
	    "\"format\":\"date-time\"},"
	    "\"token_expires_in\":{\"type\":\"integer\"}},"
	    "\"required\":[\"user\",\"client_id\",\"scopes\","
	    "\"token_expires_at\",\"token_expires_in\"]}",
	.annotations = "{\"readOnlyHint\":true,\"openWorldHint\":false}",
	.scope = "mcp",
	.handler = whoami,
};
