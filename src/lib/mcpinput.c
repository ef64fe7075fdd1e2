/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Input-required results (MCP 2026-07-28, basic/patterns/mrtr): the
 * handler's side (tool.h: tool_ask_*(), tool_answer(), tool_state())
 * and the server's (mcp_input_begin() before a tools/call, prompts/get
 * or resources/read handler runs, mcp_input_reply() after).
 *
 * Everything a retry carries is the client's: the answers are taken as
 * the client's word, like arguments (checked only for shape: an object
 * of objects), and the request state is opened only if we sealed it,
 * for this user, client, method and name, and it has not expired
 * (reqstate.c).  A state that fails is refused with the same -32602
 * error whatever the reason, so the refusal teaches a forger nothing;
 * the reason goes to the error log.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "app.h"
#include "crypto.h"
#include "jsonutil.h"
#include "log.h"
#include "mcp.h"
#include "reqstate.h"
#include "tool.h"

/* The longest input key a handler may choose. */
#define INPUT_KEY_MAX	64

/* The client capability an input request needs (schema: InputRequest). */
static const char *
capability_of(const char *method)
{
	if (strcmp(method, "elicitation/create") == 0)
		return "elicitation";
	if (strcmp(method, "sampling/createMessage") == 0)
		return "sampling";
	if (strcmp(method, "roots/list") == 0)
		return "roots";
	return NULL;
}

/*
 * Whether the handler may ask for capability: only in a modern request
 * whose _meta declares it (MCP 2026-07-28, basic/patterns/mrtr: a
 * server must not send an input request the client has not declared).
 */
int
tool_can_ask(const struct tool_call *call, const char *capability)
{
	struct json_object	*cap;

	if (!call->input.modern || call->input.client_caps == NULL ||
	    !json_object_is_type(call->input.client_caps, json_type_object) ||
	    !json_object_object_get_ex(call->input.client_caps, capability,
	    &cap) || !json_object_is_type(cap, json_type_object))
		return 0;
	/*
	 * We ask only in form mode, which a client declares with an empty
	 * elicitation object or one naming "form"; a client that offers
	 * only "url" must not be sent a form (client/elicitation).
	 */
	if (strcmp(capability, "elicitation") == 0 &&
	    json_object_object_length(cap) > 0 &&
	    !json_object_object_get_ex(cap, "form", NULL))
		return 0;
	return 1;
}

/*
 * Adds the input request {method, params} under key.  params is taken
 * (put) whatever happens.  Returns -1 if the client cannot be asked
 * this, or the key is empty, too long or taken.
 */
int
tool_ask(struct tool_call *call, const char *key, const char *method,
    struct json_object *params)
{
	const char		*cap;
	struct json_object	*req;
	size_t			 n = strlen(key);

	cap = capability_of(method);
	if (cap == NULL || !tool_can_ask(call, cap) || n == 0 ||
	    n > INPUT_KEY_MAX || (call->input.asked != NULL &&
	    json_object_object_get_ex(call->input.asked, key, NULL))) {
		json_object_put(params);
		return -1;
	}
	if (call->input.asked == NULL)
		call->input.asked = json_object_new_object();
	req = json_object_new_object();
	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params != NULL ? params :
	    json_object_new_object());
	json_object_object_add(call->input.asked, key, req);
	return 0;
}

/*
 * A form elicitation (client/elicitation): message for the person and
 * the JSON text of the requested schema (a flat object of primitives).
 */
int
tool_ask_elicit(struct tool_call *call, const char *key, const char *message,
    const char *schema)
{
	struct json_object	*params, *s;

	if ((s = json_tokener_parse(schema)) == NULL ||
	    !json_object_is_type(s, json_type_object)) {
		json_object_put(s);
		return -1;
	}
	params = json_object_new_object();
	json_object_object_add(params, "mode", json_object_new_string("form"));
	json_object_object_add(params, "message",
	    json_object_new_string(message));
	json_object_object_add(params, "requestedSchema", s);
	return tool_ask(call, key, "elicitation/create", params);
}

/* One user text message for the client's model (client/sampling). */
int
tool_ask_sample(struct tool_call *call, const char *key, const char *text,
    int max_tokens)
{
	struct json_object	*params, *msgs, *m, *c;

	c = json_object_new_object();
	json_object_object_add(c, "type", json_object_new_string("text"));
	json_object_object_add(c, "text", json_object_new_string(text));
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content", c);
	msgs = json_object_new_array();
	json_object_array_add(msgs, m);
	params = json_object_new_object();
	json_object_object_add(params, "messages", msgs);
	json_object_object_add(params, "maxTokens",
	    json_object_new_int(max_tokens));
	return tool_ask(call, key, "sampling/createMessage", params);
}

/* The client's roots (client/roots). */
int
tool_ask_roots(struct tool_call *call, const char *key)
{
	return tool_ask(call, key, "roots/list", NULL);
}

/* The client's answer under key (an object), or NULL. */
struct json_object *
tool_answer(const struct tool_call *call, const char *key)
{
	struct json_object	*v;

	if (call->input.answers == NULL ||
	    !json_object_object_get_ex(call->input.answers, key, &v))
		return NULL;
	return v;
}

/*
 * The content of an accepted elicitation under key, or NULL when the
 * person declined or cancelled, or there is no such answer.
 */
struct json_object *
tool_answer_accepted(const struct tool_call *call, const char *key)
{
	struct json_object	*a, *v;
	const char		*action;

	if ((a = tool_answer(call, key)) == NULL ||
	    (action = json_get_string(a, "action")) == NULL ||
	    strcmp(action, "accept") != 0 ||
	    !json_object_object_get_ex(a, "content", &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* The state an earlier round kept, verified, or NULL. */
const char *
tool_state(const struct tool_call *call)
{
	return call->input.state;
}

/*
 * Keeps state (a string of at most REQSTATE_PAYLOAD_MAX bytes) for the
 * next round.  Returns -1 if it is too long, or out of memory.
 */
int
tool_state_keep(struct tool_call *call, const char *state)
{
	char	*s;

	if (!call->input.modern || strlen(state) > REQSTATE_PAYLOAD_MAX ||
	    (s = strdup(state)) == NULL)
		return -1;
	if (call->input.next_state != NULL) {
		crypto_wipe(call->input.next_state,
		    strlen(call->input.next_state));
		free(call->input.next_state);
	}
	call->input.next_state = s;
	return 0;
}

/*
 * What a state is bound to in this request: the user, the client, the
 * method, and in place of the name a digest of the name and the
 * arguments (written to subject, SUBJECT_LEN bytes), so that a state
 * answers only the request that produced it (basic/patterns/mrtr: the
 * method and a digest of its salient parameters).  The arguments are
 * hashed as the client sent them, in its order: a client repeats the
 * request as it was; one that reorders them is refused, which fails
 * closed.  The digest also keeps a long resource URI within the bound.
 */
#define SUBJECT_LEN	(2 * CRYPTO_SHA256_LEN + 1)

static int
binding(const struct mcp_context *ctx, const char *method, const char *name,
    const struct tool_call *call, char *subject, struct reqstate_bind *b)
{
	EVP_MD_CTX	*md;
	const char	*args;
	unsigned char	 digest[CRYPTO_SHA256_LEN];
	int		 ok;

	args = call->args != NULL ? json_object_to_json_string_ext(call->args,
	    JSON_C_TO_STRING_PLAIN) : "";
	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, name, strlen(name) + 1) == 1 &&
	    EVP_DigestUpdate(md, args, strlen(args)) == 1 &&
	    EVP_DigestFinal_ex(md, digest, NULL) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	hex_encode(digest, sizeof(digest), subject);
	b->user = ctx->token->user;
	b->client_id = ctx->token->client_id;
	b->method = method;
	b->name = subject;
	return 0;
}

static int
server_key(struct mcp_context *ctx, unsigned char *key)
{
	struct store	*st;

	if (app_store(ctx->app, &st) != 0)
		return REQSTATE_ESTORE;
	return reqstate_key(st, key);
}

/*
 * The refusal of a request state (schema: an InvalidParams error; the
 * reason as the TypeScript SDK gives it, so clients see one shape).
 */
static struct json_object *
state_refused(struct json_object *id)
{
	struct json_object	*r, *e, *data;

	r = jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
	    "Invalid or expired requestState");
	data = json_object_new_object();
	json_object_object_add(data, "reason",
	    json_object_new_string("invalid_request_state"));
	json_object_object_get_ex(r, "error", &e);
	json_object_object_add(e, "data", data);
	return r;
}

/* Opens params.requestState into call; NULL, or the refusal. */
static struct json_object *
open_state(struct mcp_context *ctx, struct json_object *id,
    struct json_object *v, const char *method, const char *name,
    struct tool_call *call)
{
	struct reqstate_bind	 b;
	unsigned char		 key[REQSTATE_KEY_LEN];
	char			 payload[REQSTATE_PAYLOAD_MAX + 1];
	char			 subject[SUBJECT_LEN];
	size_t			 len;
	int			 rc;

	if (!json_object_is_type(v, json_type_string))
		return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
		    "params.requestState must be a string");
	if ((rc = server_key(ctx, key)) != REQSTATE_OK) {
		log_msg("tool_error", "request state key: %s",
		    reqstate_strerror(rc));
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "the request state key is unavailable");
	}
	if (binding(ctx, method, name, call, subject, &b) == -1)
		rc = REQSTATE_ECRYPTO;
	else
		rc = reqstate_open(key, &b, (int64_t)time(NULL),
		    json_object_get_string(v), payload, sizeof(payload) - 1,
		    &len);
	crypto_wipe(key, sizeof(key));
	if (rc != REQSTATE_OK || memchr(payload, '\0', len) != NULL) {
		/* The reason first: the client ID may be long. */
		log_msg("request_state_refused", "%s: %s %s",
		    rc != REQSTATE_OK ? reqstate_strerror(rc) :
		    "NUL in payload", method, ctx->token->client_id);
		crypto_wipe(payload, sizeof(payload));
		return state_refused(id);
	}
	payload[len] = '\0';
	call->input.state = strdup(payload);
	crypto_wipe(payload, sizeof(payload));
	if (call->input.state == NULL)
		return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
		    "out of memory");
	return NULL;
}

/*
 * Before the handler of method (for the tool, prompt or resource name)
 * runs: the era, the client's capabilities, params.inputResponses and
 * params.requestState into call.  Returns NULL, or the error reply
 * (a malformed inputResponses is a protocol error, MCP 2026-07-28,
 * basic/patterns/mrtr, error handling).  A legacy request has neither.
 */
struct json_object *
mcp_input_begin(struct mcp_context *ctx, struct json_object *id,
    struct json_object *params, const char *method, const char *name,
    struct tool_call *call)
{
	struct json_object	*v;

	/*
	 * A state binds the user and the client: a token without either
	 * (an introspection answer may lack client_id) would give a state
	 * any client of that user could present, so nothing is asked.
	 */
	if (!ctx->modern || params == NULL || ctx->token->user[0] == '\0' ||
	    ctx->token->client_id[0] == '\0')
		return NULL;
	call->input.modern = 1;
	call->input.client_caps = ctx->client_caps;
	if (json_object_object_get_ex(params, "inputResponses", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return jsonrpc_error(id, JSONRPC_INVALID_PARAMS,
			    "params.inputResponses must be an object");
		json_object_object_foreach(v, key, answer) {
			if (!json_object_is_type(answer, json_type_object))
				return mcp_errorf(id, JSONRPC_INVALID_PARAMS,
				    "params.inputResponses.%s must be an "
				    "object", key);
		}
		call->input.answers = json_object_get(v);
	}
	if (json_object_object_get_ex(params, "requestState", &v))
		return open_state(ctx, id, v, method, name, call);
	return NULL;
}

/*
 * After the handler returned OK: NULL if it asked for nothing (its
 * result follows), else the reply, an input-required result with the
 * sealed state (or an internal error if it cannot be sealed).
 */
struct json_object *
mcp_input_reply(struct mcp_context *ctx, struct json_object *id,
    const char *method, const char *name, struct tool_call *call)
{
	struct reqstate_bind	 b;
	struct json_object	*r, *reply;
	unsigned char		 key[REQSTATE_KEY_LEN];
	char			 sealed[REQSTATE_ENCODED_MAX + 1];
	char			 subject[SUBJECT_LEN];
	int			 rc;

	/* Nothing is ever asked of a legacy request (tool_can_ask()). */
	if (!call->input.modern || (call->input.asked == NULL &&
	    call->input.next_state == NULL))
		return NULL;
	r = json_object_new_object();
	if (call->input.asked != NULL) {
		json_object_object_add(r, "inputRequests", call->input.asked);
		call->input.asked = NULL;
	}
	if (call->input.next_state != NULL) {
		if (binding(ctx, method, name, call, subject, &b) == -1)
			rc = REQSTATE_ECRYPTO;
		else if ((rc = server_key(ctx, key)) == REQSTATE_OK)
			rc = reqstate_seal(key, &b, (int64_t)time(NULL) +
			    REQSTATE_LIFETIME, call->input.next_state,
			    strlen(call->input.next_state), sealed,
			    sizeof(sealed));
		crypto_wipe(key, sizeof(key));
		if (rc != REQSTATE_OK) {
			log_msg("tool_error", "sealing request state: %s",
			    reqstate_strerror(rc));
			json_object_put(r);
			return jsonrpc_error(id, JSONRPC_INTERNAL_ERROR,
			    "the request state could not be sealed");
		}
		json_object_object_add(r, "requestState",
		    json_object_new_string(sealed));
	}
	/* The modern dressing (mcp_reply_result()), with this type. */
	reply = mcp_reply_result(ctx, id, r);
	json_object_object_add(r, "resultType",
	    json_object_new_string("input_required"));
	return reply;
}

/* Drops what mcp_input_begin(), the handler and the reply left. */
void
mcp_input_free(struct tool_call *call)
{
	json_object_put(call->input.answers);
	json_object_put(call->input.asked);
	if (call->input.state != NULL) {
		crypto_wipe(call->input.state, strlen(call->input.state));
		free(call->input.state);
	}
	if (call->input.next_state != NULL) {
		crypto_wipe(call->input.next_state,
		    strlen(call->input.next_state));
		free(call->input.next_state);
	}
	memset(&call->input, 0, sizeof(call->input));
}
