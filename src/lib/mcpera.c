/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Which era of MCP a request at /mcp speaks, and the checks a modern
 * request must pass before it runs.
 *
 * MCP 2026-07-28 (basic/versioning, backward compatibility) lets a
 * server serve both eras at one endpoint: a request whose
 * params._meta carries io.modelcontextprotocol/protocolVersion is
 * modern and served statelessly; anything else, initialize first of
 * all, is legacy and served exactly as before.  The body decides; the
 * MCP-Protocol-Version header only has to agree with it.
 *
 * A modern request must also carry Mcp-Method, and Mcp-Name for the
 * methods that name a tool, prompt or resource, each equal to the
 * body's value (basic/transports/streamable-http, request metadata and
 * server validation).  Every refusal here is a 4xx with the request's
 * id: a modern client treats a 5xx as the end of the road.
 */
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "mcp.h"

/* Newest first; the legacy ones are mcp_versions[] (mcp.c). */
const char *const mcp_modern_versions[] = {
	"2026-07-28",
	NULL
};

/* The first modern revision: every later date is modern too. */
#define MCP_FIRST_MODERN	"2026-07-28"

/* The sentinel of a base64 header value (streamable-http, value encoding). */
#define B64_PREFIX	"=?base64?"
#define B64_SUFFIX	"?="

int
mcp_modern_version_supported(const char *v)
{
	return mcp_version_listed(mcp_modern_versions, v);
}

/*
 * Whether a version names the modern era, known to us or not: the
 * revisions are dates, and every one from 2026-07-28 on is modern.
 * Anything that sorts after it (a version of the future, or a name
 * that is no date at all) is treated as modern too, so that it gets
 * the modern error naming what we support.
 */
int
mcp_version_is_modern_era(const char *v)
{
	return strcmp(v, MCP_FIRST_MODERN) >= 0;
}

/* Every version we serve, modern first, each era newest first. */
struct json_object *
mcp_all_versions_json(void)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	for (i = 0; mcp_modern_versions[i] != NULL; i++)
		json_object_array_add(a,
		    json_object_new_string(mcp_modern_versions[i]));
	for (i = 0; mcp_versions[i] != NULL; i++)
		json_object_array_add(a,
		    json_object_new_string(mcp_versions[i]));
	return a;
}

/*
 * The HTTP status of a modern reply (streamable-http): an unknown
 * method is 404, the errors that say the client got the request wrong
 * are 400, everything else (results, and the errors a method answers
 * in-band, such as an unknown tool) is 200.
 */
int
mcp_reply_status(struct json_object *reply)
{
	struct json_object	*e, *c;

	if (!json_object_object_get_ex(reply, "error", &e) ||
	    !json_object_object_get_ex(e, "code", &c))
		return 200;
	switch (json_object_get_int(c)) {
	case JSONRPC_METHOD_NOT_FOUND:
		return 404;
	case JSONRPC_PARSE_ERROR:
	case JSONRPC_INVALID_REQUEST:
	case MCP_HEADER_MISMATCH:
	case MCP_MISSING_CLIENT_CAPABILITY:
	case MCP_UNSUPPORTED_VERSION:
		return 400;
	default:
		return 200;
	}
}

/*
 * Decodes a header value that may use the base64 sentinel
 * "=?base64?...?=" (streamable-http, value encoding) into out, at most
 * outsz - 1 bytes, NUL-terminated, its length in *outlen.  A plain
 * value must be visible ASCII, space or tab (RFC 9110, field values);
 * a sentinel must hold canonical, padded base64 of bytes without a NUL.
 * Returns 0, or -1 for a value too long, with invalid characters, or
 * with base64 that does not decode.
 */
int
mcp_header_decode(const char *value, char *out, size_t outsz, size_t *outlen)
{
	size_t		 n = strlen(value), i;
	size_t		 np = sizeof(B64_PREFIX) - 1, ns = sizeof(B64_SUFFIX) - 1;
	unsigned char	 c;

	if (n > MCP_HEADER_VALUE_MAX || outsz == 0)
		return -1;
	if (n >= np + ns && strncmp(value, B64_PREFIX, np) == 0 &&
	    strcmp(value + n - ns, B64_SUFFIX) == 0) {
		/*
		 * RFC 4648 base64 keeps its padding: "SGVsbG8" is refused
		 * (the SEP-2243 test cases of the conformance suite).
		 */
		if ((n - np - ns) % 4 != 0 || base64_decode(value + np, n - np - ns,
		    (unsigned char *)out, outsz - 1, outlen) != CRYPTO_OK ||
		    memchr(out, '\0', *outlen) != NULL)
			return -1;
		out[*outlen] = '\0';
		return 0;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c > 0x7e)
			return -1;
	}
	if (n >= outsz)
		return -1;
	memcpy(out, value, n + 1);
	*outlen = n;
	return 0;
}

/* Sets the refusal: HTTP status, and a JSON-RPC error for id. */
static enum mcp_era
refuse(struct mcp_refusal *r, int status, struct json_object *id, int code,
    const char *message)
{
	r->status = status;
	r->reply = jsonrpc_error(id, code, message);
	return MCP_ERA_REFUSED;
}

/* The unsupported-version error (schema: UnsupportedProtocolVersionError). */
static enum mcp_era
refuse_version(struct mcp_refusal *r, struct json_object *id,
    const char *requested)
{
	struct json_object	*e, *data;

	refuse(r, 400, id, MCP_UNSUPPORTED_VERSION,
	    "Unsupported protocol version");
	data = json_object_new_object();
	json_object_object_add(data, "supported", mcp_all_versions_json());
	json_object_object_add(data, "requested",
	    json_object_new_string(requested));
	json_object_object_get_ex(r->reply, "error", &e);
	json_object_object_add(e, "data", data);
	return MCP_ERA_REFUSED;
}

/*
 * The body field Mcp-Name mirrors, for the methods that have one
 * (streamable-http, standard request headers).
 */
static const char *
name_field(const char *method)
{
	if (strcmp(method, "tools/call") == 0 ||
	    strcmp(method, "prompts/get") == 0)
		return "name";
	if (strcmp(method, "resources/read") == 0)
		return "uri";
	return NULL;
}

/*
 * Mcp-Name against the body (streamable-http, server validation): a
 * request with a name in its body needs the header, a base64 value is
 * decoded before the comparison, and a malformed one is refused even
 * when the body has no name to compare it with.
 */
static enum mcp_era
check_name(const struct mcp_headers *h, const char *method,
    struct json_object *params, struct json_object *id,
    struct mcp_refusal *r)
{
	struct json_object	*v = NULL;
	const char		*field;
	char			 name[MCP_HEADER_VALUE_MAX];
	size_t			 len;
	int			 have;

	if ((field = name_field(method)) == NULL)
		return MCP_ERA_MODERN;
	have = params != NULL && json_object_object_get_ex(params, field, &v) &&
	    json_object_is_type(v, json_type_string);
	if (h->name == NULL)
		return have ? refuse(r, 400, id, MCP_HEADER_MISMATCH,
		    "Header mismatch: the Mcp-Name header is required") :
		    MCP_ERA_MODERN;
	if (mcp_header_decode(h->name, name, sizeof(name), &len) == -1)
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
		    "mismatch: the Mcp-Name header value is malformed");
	if (have && ((size_t)json_object_get_string_len(v) != len ||
	    memcmp(json_object_get_string(v), name, len) != 0))
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, strcmp(field,
		    "uri") == 0 ? "Header mismatch: the Mcp-Name header does "
		    "not match params.uri" : "Header mismatch: the Mcp-Name "
		    "header does not match params.name");
	return MCP_ERA_MODERN;
}

/*
 * A request that carries the modern claim.  The order of the checks
 * decides which error a request with several faults gets: the version
 * first (header, then whether we speak it, so that a client of the
 * future learns what we support), then the rest of _meta, then the
 * mirrored headers.
 */
static enum mcp_era
classify_modern(const struct mcp_headers *h, const char *method,
    struct json_object *params, struct json_object *meta,
    struct json_object *id, int is_request, struct mcp_refusal *r)
{
	struct json_object	*v;
	const char		*version;

	json_object_object_get_ex(meta, MCP_META_VERSION, &v);
	if (!json_object_is_type(v, json_type_string))
		return refuse(r, 400, id, JSONRPC_INVALID_PARAMS, "Invalid "
		    "params: _meta." MCP_META_VERSION " must be a string");
	version = json_object_get_string(v);
	/*
	 * A claim naming a 2025 revision is no modern request: that
	 * revision is served as it always was (as the TypeScript SDK's
	 * server does), once the header, if any, agrees.
	 */
	if (mcp_version_supported(version)) {
		if (h->protocol_version != NULL &&
		    strcmp(h->protocol_version, version) != 0)
			return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
			    "mismatch: the MCP-Protocol-Version header does not "
			    "match _meta." MCP_META_VERSION);
		return MCP_ERA_LEGACY;
	}
	if (h->protocol_version == NULL && is_request)
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
		    "mismatch: the MCP-Protocol-Version header is required");
	if (h->protocol_version != NULL &&
	    strcmp(h->protocol_version, version) != 0)
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
		    "mismatch: the MCP-Protocol-Version header does not match "
		    "_meta." MCP_META_VERSION);
	if (!is_request)
		return MCP_ERA_MODERN;	/* a notification: 202 */
	if (!mcp_modern_version_supported(version))
		return refuse_version(r, id, version);
	if (!json_object_object_get_ex(meta, MCP_META_CAPABILITIES, &v) ||
	    !json_object_is_type(v, json_type_object))
		return refuse(r, 400, id, JSONRPC_INVALID_PARAMS, "Invalid "
		    "params: _meta." MCP_META_CAPABILITIES " is required and "
		    "must be an object");
	if (h->method == NULL)
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
		    "mismatch: the Mcp-Method header is required");
	if (strcmp(h->method, method) != 0)
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
		    "mismatch: the Mcp-Method header does not match the "
		    "body's method");
	return check_name(h, method, params, id, r);
}

/*
 * Which era a parsed body belongs to.  MCP_ERA_REFUSED fills *r with
 * the status and the reply to send; the other two leave it untouched.
 */
enum mcp_era
mcp_classify(const struct mcp_headers *h, struct json_object *body,
    struct mcp_refusal *r)
{
	struct json_object	*id = NULL, *m, *params = NULL, *meta = NULL;
	struct json_object	*el, *p, *mt;
	const char		*method;
	size_t			 i, n;
	int			 header_modern, claim, is_request;

	header_modern = h->protocol_version != NULL &&
	    mcp_version_is_modern_era(h->protocol_version);
	if (json_object_is_type(body, json_type_array)) {
		/*
		 * A batch is legacy (2025-03-26); 2026-07-28 has none
		 * (streamable-http, sending messages: a single request).
		 */
		n = json_object_array_length(body);
		for (i = 0; i < n && !header_modern; i++) {
			el = json_object_array_get_idx(body, i);
			if (json_object_is_type(el, json_type_object) &&
			    json_object_object_get_ex(el, "params", &p) &&
			    json_object_is_type(p, json_type_object) &&
			    json_object_object_get_ex(p, "_meta", &mt) &&
			    json_object_is_type(mt, json_type_object) &&
			    json_object_object_get_ex(mt, MCP_META_VERSION,
			    NULL))
				break;
		}
		if (header_modern || i < n)
			return refuse(r, 400, NULL, JSONRPC_INVALID_REQUEST,
			    "Invalid Request: MCP 2026-07-28 has no batches; "
			    "send each request in a POST of its own");
		return MCP_ERA_LEGACY;
	}
	if (!json_object_is_type(body, json_type_object))
		return header_modern ? refuse(r, 400, NULL,
		    JSONRPC_INVALID_REQUEST, "Invalid Request: a message "
		    "must be a JSON object") : MCP_ERA_LEGACY;
	is_request = json_object_object_get_ex(body, "id", &id);
	if (!json_object_is_type(id, json_type_string) &&
	    !json_object_is_type(id, json_type_int))
		id = NULL;
	if (json_object_object_get_ex(body, "params", &params) &&
	    json_object_is_type(params, json_type_object) &&
	    json_object_object_get_ex(params, "_meta", &meta) &&
	    !json_object_is_type(meta, json_type_object))
		meta = NULL;
	if (!json_object_is_type(params, json_type_object))
		params = NULL;
	claim = meta != NULL &&
	    json_object_object_get_ex(meta, MCP_META_VERSION, NULL);
	if (!json_object_object_get_ex(body, "method", &m) ||
	    !json_object_is_type(m, json_type_string))
		return header_modern || claim ? refuse(r, 400, id,
		    JSONRPC_INVALID_REQUEST, "Invalid Request: MCP "
		    "2026-07-28 takes a request or a notification, with a "
		    "string method") : MCP_ERA_LEGACY;
	method = json_object_get_string(m);
	if (claim)
		return classify_modern(h, method, params, meta, id,
		    is_request, r);
	if (!header_modern)
		return MCP_ERA_LEGACY;
	/* The header says modern, the body does not. */
	if (strcmp(method, "initialize") == 0)
		return refuse(r, 400, id, MCP_HEADER_MISMATCH, "Header "
		    "mismatch: initialize (a legacy handshake) was sent with "
		    "a 2026-07-28 MCP-Protocol-Version header");
	if (!is_request)
		return MCP_ERA_MODERN;	/* a notification: 202 */
	return refuse(r, 400, id, JSONRPC_INVALID_PARAMS, "Invalid params: "
	    "the MCP-Protocol-Version header names a 2026-07-28 version, so "
	    "params._meta must carry " MCP_META_VERSION " and "
	    MCP_META_CAPABILITIES);
}
