/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * metadata.fcgi: the discovery documents.
 *
 *   /.well-known/oauth-authorization-server       RFC 8414
 *   /.well-known/oauth-protected-resource         RFC 9728
 *   /.well-known/oauth-protected-resource/mcp     RFC 9728
 *
 * For an issuer with a path (a subdirectory install, issuer
 * https://example.com/mcp-auth) the same paths sit under it
 * (/mcp-auth/.well-known/...), and app.c hands this program the two
 * root URLs of RFC 8414 and RFC 9728 path insertion
 * (/.well-known/oauth-authorization-server/mcp-auth and
 * /.well-known/oauth-protected-resource/mcp-auth/mcp, reached through
 * the rule in the site's root .htaccess) as the paths above.
 *
 * The documents are built from the configuration once per load and
 * served from memory.  Everything else under /.well-known/ is a JSON
 * 404, /.well-known/openid-configuration included: we do not serve an
 * OpenID Connect document, and an incomplete one (without jwks_uri,
 * subject_types_supported, id_token_signing_alg_values_supported) makes
 * the MCP TypeScript SDK's client throw.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/app.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/http.h"
#include "lib/metadoc.h"
#include "lib/oauth.h"
#include "lib/signkey.h"
#include "lib/store.h"

/* The documents, and the configuration generation they were built for. */
static unsigned long	 built_gen;
static struct buf	 as_doc, prm_doc;

static void
rebuild(const struct app *a)
{
	buf_reset(&as_doc);
	buf_reset(&prm_doc);
	metadoc_authorization_server(a->cfg, &as_doc);
	metadoc_protected_resource(a->cfg, &prm_doc);
	built_gen = a->cfg_gen;
}

/*
 * /.well-known/jwks.json: the public halves of the JWT signing keys
 * still in use, read from the database on each request so that a
 * rotation shows at once (access_token_format = jwt only).
 */
static void
serve_jwks(struct app *a, struct http_response *resp)
{
	struct store		*st;
	struct store_txn	*t;
	int			 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK) {
		oauth_store_respond(resp, rc);
		return;
	}
	buf_reset(&resp->body);
	rc = signkey_jwks(t, a->cfg, time(NULL), &resp->body);
	store_abort(t);
	if (rc != STORE_OK) {
		oauth_store_respond(resp, rc);
		return;
	}
	buf_putc(&resp->body, '\n');
	http_status(resp, 200);
	http_header(resp, "Content-Type", "application/jwk-set+json");
	http_header(resp, "Cache-Control", "public, max-age=300");
	http_header(resp, "X-Content-Type-Options", "nosniff");
}

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	const struct buf	*doc = NULL;
	int			 jwks = 0;

	if (strcmp(req->path, "/.well-known/oauth-authorization-server") ==
	    0) {
		/* A resource server only publishes no such document. */
		if (app_resource_server_only(a, resp, APP_ANSWER_JSON))
			return;
		doc = &as_doc;
	} else if (strcmp(req->path,
	    "/.well-known/oauth-protected-resource") == 0 ||
	    strcmp(req->path,
	    "/.well-known/oauth-protected-resource/mcp") == 0)
		doc = &prm_doc;
	else if (strcmp(req->path, "/.well-known/jwks.json") == 0 &&
	    a->cfg->access_token_format == TOKEN_FORMAT_JWT &&
	    a->cfg->token_validation == TOKEN_VALIDATION_LOCAL)
		jwks = 1;
	else {
		http_header(resp, "Access-Control-Allow-Origin", "*");
		http_json_error(resp, 404, "not_found",
		    "no such metadata document");
		return;
	}

	/* Discovery is public: any origin may read it (browser clients). */
	http_header(resp, "Access-Control-Allow-Origin", "*");
	switch (req->method) {
	case HTTP_OPTIONS:
		http_status(resp, 204);
		http_header(resp, "Access-Control-Allow-Methods",
		    "GET, HEAD, OPTIONS");
		http_header(resp, "Access-Control-Allow-Headers",
		    "MCP-Protocol-Version");
		http_header(resp, "Access-Control-Max-Age", "86400");
		return;
	case HTTP_GET:
	case HTTP_HEAD:
		break;
	default:
		http_header(resp, "Allow", "GET, HEAD, OPTIONS");
		http_json_error(resp, 405, "invalid_request",
		    "method not allowed");
		return;
	}
	if (jwks) {
		serve_jwks(a, resp);
		return;
	}
	if (built_gen != a->cfg_gen)
		rebuild(a);
	if (buf_failed(doc)) {
		http_json_error(resp, 500, "server_error", "out of memory");
		return;
	}
	http_status(resp, 200);
	http_header(resp, "Content-Type", "application/json");
	http_header(resp, "Cache-Control", "public, max-age=300");
	http_header(resp, "X-Content-Type-Options", "nosniff");
	http_body(resp, doc->data, doc->len);
}

int
main(void)
{
	return app_main("metadata.fcgi", handle, NULL);
}
