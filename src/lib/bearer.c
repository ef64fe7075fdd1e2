/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "grant.h"
#include "http.h"
#include "oauth.h"
#include "scope.h"
#include "store.h"
#include "bearer.h"

/*
 * Validates the request's bearer token: only from the Authorization
 * header, never the query string (RFC 6750 section 2.1, OAuth 2.1
 * section 5.1.1), looked up by SHA-256, unexpired, its grant not
 * revoked, issued for this server's MCP URL (RFC 8707 section 2; MCP
 * 2025-06-18, basic/authorization, token audience validation, with
 * scheme and host compared without case).  Everything happens in one
 * read-only transaction, so a revocation committed by any process is
 * seen by the next request.
 */
int
bearer_validate(struct store *st, const struct config *cfg,
    const struct http_request *req, int64_t now, struct bearer *b)
{
	struct http_auth	 a;
	struct store_txn	*t;
	struct token		 tok;
	struct store_val	 v;
	int			 rc, ret;

	memset(b, 0, sizeof(*b));
	rc = http_auth_parse(req->authorization, &a);
	if (a.scheme != HTTP_AUTH_BEARER)
		return BEARER_ENONE;
	if (rc != HTTP_AUTH_OK || a.token_len > ACCESS_TOKEN_MAX)
		return BEARER_EINVALID;
	if (crypto_sha256(a.token, a.token_len, b->hash) != CRYPTO_OK)
		return BEARER_EINVALID;
	if ((rc = store_begin(st, 1, &t)) != STORE_OK) {
		b->store_rc = rc;
		return BEARER_ESTORE;
	}
	rc = store_token_get(t, b->hash, &tok);
	if (rc != STORE_OK) {
		store_abort(t);
		if (rc == STORE_NOTFOUND || rc == STORE_CORRUPT)
			return BEARER_EINVALID;
		b->store_rc = rc;
		return BEARER_ESTORE;
	}
	ret = BEARER_OK;
	if (tok.kind != TOKEN_ACCESS || tok.expires <= now)
		ret = BEARER_EINVALID;
	else if ((rc = store_get(t, DB_GRANTS, tok.grant_id,
	    strlen(tok.grant_id), &v)) != STORE_OK) {
		/* Its grant was revoked (or the lookup failed). */
		if (rc == STORE_NOTFOUND)
			ret = BEARER_EINVALID;
		else {
			b->store_rc = rc;
			ret = BEARER_ESTORE;
		}
	} else if (!resource_equal(tok.resource, cfg->mcp_url))
		ret = BEARER_EAUDIENCE;
	store_abort(t);
	if (ret == BEARER_OK) {
		snprintf(b->user, sizeof(b->user), "%s", tok.user);
		snprintf(b->client_id, sizeof(b->client_id), "%s",
		    tok.client_id);
		snprintf(b->grant_id, sizeof(b->grant_id), "%s", tok.grant_id);
		snprintf(b->scope, sizeof(b->scope), "%s", tok.scope);
		b->expires = tok.expires;
	}
	token_free(&tok);
	return ret;
}

const char *
bearer_strerror(int rc)
{
	switch (rc) {
	case BEARER_OK:
		return "valid";
	case BEARER_ENONE:
		return "no access token";
	case BEARER_EINVALID:
		return "the access token is invalid, expired or revoked";
	case BEARER_EAUDIENCE:
		return "the access token was issued for another resource";
	case BEARER_ESTORE:
		return "the token could not be checked";
	case BEARER_EUNAVAILABLE:
		return "the authorization server cannot be reached";
	}
	return "invalid token";
}

/* The default scopes a resource asks for, into an empty b. */
static void
default_scopes(const struct config *cfg, struct buf *b)
{
	size_t	 i;

	for (i = 0; i < cfg->default_scopes.len; i++) {
		if (!scope_is_resource(cfg->default_scopes.items[i]))
			continue;
		if (b->len > 0)
			buf_putc(b, ' ');
		buf_puts(b, cfg->default_scopes.items[i]);
	}
}

/*
 * The 401 challenge (RFC 9728 section 5.1, RFC 6750 section 3): one
 * header, "Bearer " then name="value" pairs, no empty values, no
 * quotes or backslashes inside, so the TypeScript SDK's parser reads
 * it.  error is
 * "invalid_token" when a token was presented, NULL when none was.
 */
void
bearer_challenge(struct http_response *resp, const struct config *cfg,
    int rc, const char *error)
{
	struct buf	 b, scope;

	buf_init(&b);
	buf_init(&scope);
	buf_puts(&b, "Bearer ");
	if (error != NULL)
		buf_printf(&b, "error=\"%s\", error_description=\"%s\", ",
		    error, bearer_strerror(rc));
	buf_printf(&b, "resource_metadata=\"%s\"", cfg->prm_url);
	default_scopes(cfg, &scope);
	if (scope.len > 0)
		buf_printf(&b, ", scope=\"%s\"", buf_cstr(&scope));
	http_header(resp, "WWW-Authenticate", buf_cstr(&b));
	buf_free(&scope);
	buf_free(&b);
	http_status(resp, 401);
	http_header(resp, "Cache-Control", "no-store");
	if (error != NULL)
		http_json_error(resp, 401, error, bearer_strerror(rc));
	else
		http_json_error(resp, 401, "invalid_request", "this endpoint "
		    "needs an OAuth access token in the Authorization header");
}

/*
 * The scope of a step-up challenge: the configured scopes the token has
 * or the operation needs, in the configuration's order, then any
 * needed scope the configuration does not list (a tool's mistake, but
 * the challenge must still name what is needed: RFC 6750 section 3.1).
 */
static void
challenge_scope(const struct config *cfg, const char *granted,
    const char *needed, struct buf *out)
{
	char	 name[SCOPE_MAX + 1];
	size_t	 len;

	scope_resource_union(cfg, granted, needed, out);
	while (*needed != '\0') {
		if (*needed == ' ') {
			needed++;
			continue;
		}
		len = strcspn(needed, " ");
		if (len < sizeof(name)) {
			memcpy(name, needed, len);
			name[len] = '\0';
			if (scope_is_resource(name) &&
			    !scope_has(buf_cstr(out), name)) {
				if (out->len > 0)
					buf_putc(out, ' ');
				buf_puts(out, name);
			}
		}
		needed += len;
	}
}

/*
 * The 403 step-up challenge (RFC 6750 section 3.1,
 * insufficient_scope): the scope is the union of what the token has
 * and what the operation needs, so that clients that replace their
 * scope do not lose what they had.  needed may
 * name several scopes (a batch).
 */
void
bearer_insufficient_scope(struct http_response *resp,
    const struct config *cfg, const char *granted, const char *needed)
{
	struct buf	 b, u;
	const char	*what;

	what = strchr(needed, ' ') != NULL ? "scopes" : "scope";
	buf_init(&b);
	buf_init(&u);
	challenge_scope(cfg, granted, needed, &u);
	buf_printf(&b, "Bearer error=\"insufficient_scope\", "
	    "error_description=\"this operation needs the %s %s\", "
	    "scope=\"%s\", resource_metadata=\"%s\"", what, needed,
	    buf_cstr(&u), cfg->prm_url);
	http_header(resp, "WWW-Authenticate", buf_cstr(&b));
	http_header(resp, "Cache-Control", "no-store");
	buf_reset(&b);
	buf_printf(&b, "this operation needs the %s %s", what, needed);
	http_json_error(resp, 403, "insufficient_scope", buf_cstr(&b));
	buf_free(&b);
	buf_free(&u);
}
