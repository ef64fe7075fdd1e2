/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <json-c/json.h>

#include "buf.h"
#include "config.h"
#include "httpclient.h"
#include "metadoc.h"
#include "scope.h"

static json_object *
string_array(const char *const *items, size_t n)
{
	json_object	*a;
	size_t		 i;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(items[i]));
	return a;
}

/* The configured scopes that scope_is_resource() lets through. */
static json_object *
resource_scopes(const struct config *cfg)
{
	json_object	*a;
	size_t		 i;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < cfg->scopes.len; i++)
		if (scope_is_resource(cfg->scopes.items[i]))
			json_object_array_add(a,
			    json_object_new_string(cfg->scopes.items[i]));
	return a;
}

static void
add_url(json_object *o, const char *key, const char *issuer,
    const char *path)
{
	struct buf	 b;

	buf_init(&b);
	buf_printf(&b, "%s%s", issuer, path);
	json_object_object_add(o, key, json_object_new_string(buf_cstr(&b)));
	buf_free(&b);
}

static void
serialise(json_object *o, struct buf *out)
{
	const char	*s;

	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		out->failed = 1;
	else {
		buf_puts(out, s);
		buf_putc(out, '\n');
	}
}

/*
 * RFC 8414 metadata (MCP 2025-11-25, basic/authorization, authorization
 * server metadata discovery): the issuer byte-identical to
 * the configuration, every endpoint at the origin root, PKCE S256 only.
 */
void
metadoc_authorization_server(const struct config *cfg, struct buf *out)
{
	static const char *const response_types[] = { "code" };
	static const char *const response_modes[] = { "query" };
	static const char *const grant_types[] = {
		"authorization_code", "refresh_token",
		"urn:ietf:params:oauth:grant-type:device_code"
	};
	static const char *const pkce[] = { "S256" };
	static const char *const auth_methods[] = {
		"none", "client_secret_post", "client_secret_basic"
	};
	json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		out->failed = 1;
		return;
	}
	json_object_object_add(o, "issuer", json_object_new_string(cfg->issuer));
	add_url(o, "authorization_endpoint", cfg->issuer, "/authorize");
	add_url(o, "token_endpoint", cfg->issuer, "/token");
	/*
	 * Closed registration: clients must not try it (RFC 8414 section
	 * 2: registration_endpoint only where registration is offered).
	 */
	if (cfg->registration == REGISTRATION_OPEN)
		add_url(o, "registration_endpoint", cfg->issuer, "/register");
	add_url(o, "revocation_endpoint", cfg->issuer, "/revoke");
	/* RFC 8628 §4: the device authorization endpoint. */
	add_url(o, "device_authorization_endpoint", cfg->issuer,
	    "/device_authorization");
	json_object_object_add(o, "response_types_supported",
	    string_array(response_types, 1));
	json_object_object_add(o, "response_modes_supported",
	    string_array(response_modes, 1));
	json_object_object_add(o, "grant_types_supported",
	    string_array(grant_types, 3));
	json_object_object_add(o, "code_challenge_methods_supported",
	    string_array(pkce, 1));
	json_object_object_add(o, "token_endpoint_auth_methods_supported",
	    string_array(auth_methods, 3));
	json_object_object_add(o, "revocation_endpoint_auth_methods_supported",
	    string_array(auth_methods, 3));
	json_object_object_add(o, "scopes_supported",
	    string_array((const char *const *)cfg->scopes.items,
	    cfg->scopes.len));
	json_object_object_add(o,
	    "authorization_response_iss_parameter_supported",
	    json_object_new_boolean(1));
	/*
	 * Clients may use the URL of their metadata document as client_id
	 * (draft-ietf-oauth-client-id-metadata-document, section 5; MCP
	 * 2025-11-25, basic/authorization).  They authenticate with
	 * "none", listed above.  A build without libcurl cannot fetch
	 * them and does not offer them.
	 */
	if (cfg->cimd != CONFIG_CIMD_OFF && httpc_can_fetch())
		json_object_object_add(o,
		    "client_id_metadata_document_supported",
		    json_object_new_boolean(1));
	/* JWT access tokens can be checked offline with these keys. */
	if (cfg->access_token_format == TOKEN_FORMAT_JWT)
		add_url(o, "jwks_uri", cfg->issuer, "/.well-known/jwks.json");
	serialise(o, out);
	json_object_put(o);
}

/*
 * RFC 9728 metadata for /mcp (MCP 2025-11-25, basic/authorization,
 * protected resource metadata): the resource is the canonical MCP URL
 * without a trailing slash; offline_access is not among the scopes
 * (MCP 2026-07-28, basic/authorization: servers should not list it).
 */
void
metadoc_protected_resource(const struct config *cfg, struct buf *out)
{
	static const char *const bearer[] = { "header" };
	json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		out->failed = 1;
		return;
	}
	json_object_object_add(o, "resource",
	    json_object_new_string(cfg->mcp_url));
	/*
	 * With token_validation = jwt or introspection the tokens come
	 * from an external authorization server, which the document
	 * must name (RFC 9728 section 2, authorization_servers).
	 */
	json_object_object_add(o, "authorization_servers", string_array(
	    (const char *const *)(cfg->token_validation ==
	    TOKEN_VALIDATION_LOCAL ? &cfg->issuer : &cfg->authorization_server),
	    1));
	json_object_object_add(o, "scopes_supported", resource_scopes(cfg));
	json_object_object_add(o, "bearer_methods_supported",
	    string_array(bearer, 1));
	json_object_object_add(o, "resource_name",
	    json_object_new_string(cfg->resource_name));
	serialise(o, out);
	json_object_put(o);
}
