/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/http.h"
#include "../../src/lib/store.h"
#include "testutil.h"

#define NOW	1800000000

static char		*dir;
static struct store	*st;
static struct config	*cfg;
static struct client	 cl;
static struct token_response tr;

/*
 * A database with one public client, one user's grant and a token
 * pair issued at NOW through the real code exchange.
 */
static void
setup(void)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\n";
	struct store_txn	*t;
	struct code_request	 cr;
	struct oauth_error	 e;
	char			 err[512], path[300], code[TOKEN_MAX];
	char			 grant[GRANT_ID_LEN + 1];
	const char		*verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
	static char		*uris[] = { "http://127.0.0.1/cb" };

	dir = testutil_tmpdir();
	cr_assert_eq(config_parse("t", text, sizeof(text) - 1, &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 22, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	client_init(&cl);
	strcpy(cl.id, "mcpc_test");
	cl.grant_types = CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH;
	cr_assert_eq(client_set_redirect_uris(&cl, uris, 1, err, sizeof(err)),
	    CLIENT_OK);
	cr.user = "alice";
	cr.client = &cl;
	cr.redirect_uri = uris[0];
	cr.redirect_explicit = 1;
	cr.challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
	cr.scope = "mcp notes:read";
	cr.resource = cfg->mcp_url;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &cl, 1), STORE_OK);
	cr_assert_eq(grant_issue_code(t, cfg, &cr, NOW, code, sizeof(code),
	    grant), STORE_OK);
	cr_assert_eq(grant_exchange_code(t, cfg, &cl, code, uris[0], verifier,
	    NULL, NOW, &tr, &e), 0, "%s", e.description);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
teardown(void)
{
	client_free(&cl);
	config_free(cfg);
	store_close(st);
	testutil_rmdir(dir);
}

TestSuite(bearer, .init = setup, .fini = teardown);

static int
validate(const char *authorization, int64_t now, struct bearer *b)
{
	char			 header[ACCESS_TOKEN_MAX + 64];
	char			*env[] = { header, NULL };
	struct http_request	 req;
	int			 rc;

	if (authorization != NULL)
		snprintf(header, sizeof(header), "HTTP_AUTHORIZATION=%s",
		    authorization);
	else
		strcpy(header, "X=1");
	cr_assert_eq(http_request_init(&req, env), HTTP_OK);
	rc = bearer_validate(st, cfg, &req, now, b);
	http_request_free(&req);
	return rc;
}

Test(bearer, valid_token)
{
	struct bearer	 b;
	char		 h[ACCESS_TOKEN_MAX + 16];

	snprintf(h, sizeof(h), "Bearer %s", tr.access_token);
	cr_assert_eq(validate(h, NOW + 1, &b), BEARER_OK);
	cr_assert_str_eq(b.user, "alice");
	cr_assert_str_eq(b.client_id, "mcpc_test");
	cr_assert_str_eq(b.scope, "mcp notes:read");
	cr_assert_eq(b.expires, NOW + cfg->access_token_lifetime);
}

Test(bearer, expiry_at_the_exact_second)
{
	struct bearer	 b;
	char		 h[ACCESS_TOKEN_MAX + 16];
	int64_t		 exp = NOW + cfg->access_token_lifetime;

	snprintf(h, sizeof(h), "Bearer %s", tr.access_token);
	cr_assert_eq(validate(h, exp - 1, &b), BEARER_OK);
	cr_assert_eq(validate(h, exp, &b), BEARER_EINVALID,
	    "a token is dead at its expiry second");
	cr_assert_eq(validate(h, exp + 1, &b), BEARER_EINVALID);
}

Test(bearer, no_or_other_scheme)
{
	struct bearer	 b;

	cr_assert_eq(validate(NULL, NOW, &b), BEARER_ENONE);
	cr_assert_eq(validate("Basic YTpi", NOW, &b), BEARER_ENONE);
	cr_assert_eq(validate("Bearer a b", NOW, &b), BEARER_EINVALID);
	cr_assert_eq(validate("Bearer mcpat_unknown", NOW, &b),
	    BEARER_EINVALID);
}

Test(bearer, refresh_token_is_not_an_access_token)
{
	struct bearer	 b;
	char		 h[ACCESS_TOKEN_MAX + 16];

	snprintf(h, sizeof(h), "Bearer %s", tr.refresh_token);
	cr_assert_eq(validate(h, NOW + 1, &b), BEARER_EINVALID);
}

Test(bearer, revoked_grant)
{
	struct store_txn	*t;
	struct bearer		 b;
	struct revoke_counts	 n;
	char			 h[ACCESS_TOKEN_MAX + 16];

	memset(&n, 0, sizeof(n));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_revoke(t, tr.grant_id, &n), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n.access_tokens, 1);
	cr_assert_eq(n.refresh_tokens, 1);
	snprintf(h, sizeof(h), "Bearer %s", tr.access_token);
	cr_assert_eq(validate(h, NOW + 1, &b), BEARER_EINVALID);
}

Test(bearer, foreign_audience)
{
	struct bearer	 b;
	struct config	*other;
	char		 h[ACCESS_TOKEN_MAX + 16], err[256];
	static const char text[] = "issuer = https://other.example.com\n"
	    "db_path = /unused\n";

	cr_assert_eq(config_parse("t", text, sizeof(text) - 1, &other, err,
	    sizeof(err)), CONFIG_OK);
	snprintf(h, sizeof(h), "Bearer %s", tr.access_token);
	{
		char			 header[ACCESS_TOKEN_MAX + 64];
		char			*env[] = { header, NULL };
		struct http_request	 req;

		snprintf(header, sizeof(header), "HTTP_AUTHORIZATION=%s", h);
		cr_assert_eq(http_request_init(&req, env), HTTP_OK);
		cr_assert_eq(bearer_validate(st, other, &req, NOW + 1, &b),
		    BEARER_EAUDIENCE);
		http_request_free(&req);
	}
	config_free(other);
}

Test(bearer, challenges)
{
	struct http_response	 resp;

	http_response_init(&resp);
	bearer_challenge(&resp, cfg, BEARER_ENONE, NULL);
	cr_assert_eq(resp.status, 401);
	cr_assert_not_null(strstr(buf_cstr(&resp.headers), "WWW-Authenticate: "
	    "Bearer resource_metadata=\"https://mcp.example.com/.well-known/"
	    "oauth-protected-resource/mcp\", scope=\"mcp notes:read "
	    "notes:write\"\r\n"));
	http_response_free(&resp);

	http_response_init(&resp);
	bearer_insufficient_scope(&resp, cfg, "mcp", "notes:write");
	cr_assert_eq(resp.status, 403);
	cr_assert_not_null(strstr(buf_cstr(&resp.headers),
	    "error=\"insufficient_scope\""));
	cr_assert_not_null(strstr(buf_cstr(&resp.headers),
	    "scope=\"mcp notes:write\""));
	http_response_free(&resp);
}

/*
 * The step-up challenge names every scope the operation needs (RFC 6750
 * §3.1; MCP 2025-11-25, basic/authorization, scope challenges),
 * even one the configuration does not list (a tool's mistake, logged
 * as tool_error by mcp.fcgi): scope="" would tell the client nothing.
 */
Test(bearer, step_up_names_unconfigured_scopes)
{
	struct http_response	 resp;
	const char		*h;

	http_response_init(&resp);
	bearer_insufficient_scope(&resp, cfg, "mcp", "admin:all");
	h = buf_cstr(&resp.headers);
	cr_assert_eq(resp.status, 403);
	cr_assert_not_null(strstr(h, "scope=\"mcp admin:all\""), "%s", h);
	http_response_free(&resp);

	http_response_init(&resp);
	bearer_insufficient_scope(&resp, cfg, "notes:read",
	    "admin:all notes:write");
	h = buf_cstr(&resp.headers);
	cr_assert_not_null(strstr(h, "error_description=\"this operation "
	    "needs the scopes admin:all notes:write\""), "%s", h);
	cr_assert_not_null(strstr(h, "scope=\"notes:read notes:write "
	    "admin:all\""), "%s", h);
	http_response_free(&resp);
}

/*
 * Neither challenge names offline_access, even on a site that lists it
 * and for a token that carries it (MCP 2026-07-28, basic/authorization,
 * refresh tokens); a default scope list of nothing else leaves the
 * scope parameter out rather than empty.
 */
Test(bearer, challenges_leave_out_offline_access)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\nscopes = mcp offline_access notes:write\n";
	static const char	 only[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\nscopes = mcp offline_access\n"
	    "default_scopes = offline_access\n";
	struct http_response	 resp;
	struct config		*oc;
	const char		*h;
	char			 err[512];

	cr_assert_eq(config_parse("t", text, sizeof(text) - 1, &oc, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	http_response_init(&resp);
	bearer_challenge(&resp, oc, BEARER_ENONE, NULL);
	h = buf_cstr(&resp.headers);
	cr_assert_not_null(strstr(h, "scope=\"mcp notes:write\"\r\n"), "%s", h);
	http_response_free(&resp);

	http_response_init(&resp);
	bearer_insufficient_scope(&resp, oc, "mcp offline_access",
	    "notes:write");
	h = buf_cstr(&resp.headers);
	cr_assert_not_null(strstr(h, "scope=\"mcp notes:write\""), "%s", h);
	cr_assert_null(strstr(h, "offline_access"), "%s", h);
	http_response_free(&resp);
	config_free(oc);

	cr_assert_eq(config_parse("t", only, sizeof(only) - 1, &oc, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	http_response_init(&resp);
	bearer_challenge(&resp, oc, BEARER_ENONE, NULL);
	h = buf_cstr(&resp.headers);
	cr_assert_null(strstr(h, "scope="), "%s", h);
	cr_assert_not_null(strstr(h, "oauth-protected-resource/mcp\"\r\n"),
	    "%s", h);
	http_response_free(&resp);
	config_free(oc);
}
