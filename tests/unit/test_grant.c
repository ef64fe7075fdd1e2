/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The grant state machine against a real LMDB environment: codes
 * (single use, bound to client, redirect URI, PKCE challenge and
 * resource; RFC 7636 section 4.6, RFC 6749 sections 4.1.3 and 10.5,
 * RFC 8707, RFC 9700 sections 4.2 and 4.5), refresh rotation with a
 * retry window that converges and reuse detection (OAuth 2.1 section
 * 4.3.1, RFC 6749 section 6, RFC 9700 section 4.14), the records a
 * rotation leaves, the per-grant refresh rate limit, the grant's
 * absolute lifetime, revocation (RFC 7009) and remembered consent.
 * Times are passed in, so expiry is tested to the second.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/record.h"
#include "../../src/lib/store.h"
#include "testutil.h"

/* RFC 7636 Appendix B. */
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT	"http://127.0.0.1:9999/callback"
#define RESOURCE	"https://mcp.example.com/mcp"
#define T0		1700000000

static char		*dir;
static struct config	*cfg;
static struct store	*st;
static struct client	 pub, other, norefresh;

static void
make_client(struct client *c, const char *id, uint32_t grants)
{
	char	*uris[] = { REDIRECT, "https://app.example/cb" };
	char	 why[256];

	client_init(c);
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->auth_method = CLIENT_AUTH_NONE;
	c->grant_types = grants;
	c->response_types = CLIENT_RESPONSE_CODE;
	c->created = T0;
	cr_assert_eq(client_set_redirect_uris(c, uris, 2, why, sizeof(why)),
	    CLIENT_OK, "%s", why);
}

static void
setup(void)
{
	struct store_txn	*t;
	char			 text[512], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\ncode_lifetime = 60\naccess_token_lifetime = 600\n"
	    "refresh_token_lifetime = 3600\nrefresh_retry_window = 60\n"
	    "grant_lifetime = 2h\nrefresh_rate_limit = 20\n", dir);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(cfg->db_path, 1 << 22, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)), STORE_OK, "%s", err);
	make_client(&pub, "mcpc_public", CLIENT_GRANT_CODE |
	    CLIENT_GRANT_REFRESH);
	make_client(&other, "mcpc_other", CLIENT_GRANT_CODE |
	    CLIENT_GRANT_REFRESH);
	make_client(&norefresh, "mcpc_norefresh", CLIENT_GRANT_CODE);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &pub, 1), STORE_OK);
	cr_assert_eq(store_client_put(t, &other, 1), STORE_OK);
	cr_assert_eq(store_client_put(t, &norefresh, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
teardown(void)
{
	client_free(&pub);
	client_free(&other);
	client_free(&norefresh);
	store_close(st);
	st = NULL;
	config_free(cfg);
	cfg = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(grant, .init = setup, .fini = teardown);

/* Issues a code for client c at time now, as /authorize does. */
static void
issue(const struct client *c, const char *scope, int explicit_redirect,
    int64_t now, char *code, char *grant_id)
{
	struct store_txn	*t;
	struct code_request	 cr;

	memset(&cr, 0, sizeof(cr));
	cr.user = "alice";
	cr.client = c;
	cr.redirect_uri = REDIRECT;
	cr.redirect_explicit = explicit_redirect;
	cr.challenge = CHALLENGE;
	cr.scope = scope;
	cr.resource = RESOURCE;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_issue_code(t, cfg, &cr, now, code, TOKEN_MAX,
	    grant_id), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

/*
 * Runs one transaction the way token.c does: commit on success or when
 * the failure says so, abort otherwise.  Returns 0 or -1.
 */
static int
exchange(const struct client *c, const char *code, const char *redirect,
    const char *verifier, const char *resource, int64_t now,
    struct token_response *tr, struct oauth_error *e)
{
	struct store_txn	*t;
	int			 rc;

	memset(e, 0, sizeof(*e));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = grant_exchange_code(t, cfg, c, code, redirect, verifier,
	    resource, now, tr, e);
	if (rc == 0 || e->commit)
		cr_assert_eq(store_commit(t), STORE_OK);
	else
		store_abort(t);
	return rc;
}

static int
refresh(const struct client *c, const char *rt, const char *scope,
    const char *resource, int64_t now, struct token_response *tr,
    struct oauth_error *e)
{
	struct store_txn	*t;
	int			 rc;

	memset(e, 0, sizeof(*e));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = grant_refresh(t, cfg, c, rt, scope, resource, now, tr, e);
	if (rc == 0 || e->commit)
		cr_assert_eq(store_commit(t), STORE_OK);
	else
		store_abort(t);
	return rc;
}

/* Whether a token (access or refresh) is still stored. */
static int
token_alive(const char *tok)
{
	struct store_txn	*t;
	struct token		 rec;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	int			 rc;

	cr_assert_eq(crypto_sha256_str(tok, h), CRYPTO_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	rc = store_token_get(t, h, &rec);
	store_abort(t);
	token_free(&rec);
	cr_assert(rc == STORE_OK || rc == STORE_NOTFOUND);
	return rc == STORE_OK;
}

static int
grant_exists(const char *id)
{
	struct store_txn	*t;
	struct grant		 g;
	int			 rc;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	rc = store_grant_get(t, id, &g);
	store_abort(t);
	grant_free(&g);
	return rc == STORE_OK;
}

/* The number of index entries (tokens and codes) of a grant. */
static size_t
index_count(const char *grant_id)
{
	struct store_txn	*t;
	size_t			 n;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_dup_count(t, DB_GRANT_TOKENS, grant_id,
	    strlen(grant_id), &n), STORE_OK);
	store_abort(t);
	return n;
}

static int
index_has(enum store_db db, const char *key, const char *grant_id)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	rc = store_dup_exists(t, db, key, strlen(key), grant_id,
	    strlen(grant_id));
	store_abort(t);
	cr_assert(rc == STORE_OK || rc == STORE_NOTFOUND);
	return rc == STORE_OK;
}

/* Whether a stored value holds s anywhere. */
static int
holds(const struct store_val *v, const char *s)
{
	size_t	 i, n = strlen(s);

	for (i = 0; i + n <= v->len; i++)
		if (memcmp((const char *)v->data + i, s, n) == 0)
			return 1;
	return 0;
}

/* A code exchanged for a first pair at T0. */
static void
first_pair(const struct client *c, char *grant_id,
    struct token_response *tr)
{
	struct oauth_error	 e;
	char			 code[TOKEN_MAX];

	issue(c, "mcp notes:read", 1, T0, code, grant_id);
	cr_assert_eq(exchange(c, code, REDIRECT, VERIFIER, NULL, T0 + 1, tr,
	    &e), 0, "%s: %s", e.error, e.description);
}

Test(grant, code_shape_and_record)
{
	struct store_txn	*t;
	struct store_val	 v;
	struct code		 c;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(strncmp(code, "mcpac_", 6), 0, "%s", code);
	cr_assert_eq(strlen(code), 6 + CRYPTO_TOKEN_CHARS);
	cr_assert_eq(strlen(id), GRANT_ID_LEN);
	/*
	 * Stored under its hash only (secure token storage: MCP
	 * 2025-06-18, basic/authorization), bound to what it must be.
	 */
	cr_assert_eq(crypto_sha256_str(code, h), CRYPTO_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_CODES, code, strlen(code), &v),
	    STORE_NOTFOUND, "never stored in clear");
	cr_assert_eq(store_get(t, DB_CODES, h, sizeof(h), &v), STORE_OK);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(code_decode(v.data, v.len, &c), STORE_OK);
	store_abort(t);
	cr_assert_eq(c.used, 0);
	cr_assert_str_eq(c.client_id, "mcpc_public");
	cr_assert_str_eq(c.user, "alice");
	cr_assert_str_eq(c.redirect_uri, REDIRECT);
	cr_assert_str_eq(c.challenge, CHALLENGE);
	cr_assert_str_eq(c.resource, RESOURCE);
	cr_assert_str_eq(c.grant_id, id);
	cr_assert_eq(c.expires, T0 + 60);
	code_free(&c);
	/* Indexed from the user and the client (DESIGN.md, Data). */
	cr_assert(index_has(DB_USER_GRANTS, "alice", id));
	cr_assert(index_has(DB_CLIENT_GRANTS, "mcpc_public", id));
	cr_assert_eq(index_count(id), 1);
}

Test(grant, exchange_issues_access_and_refresh_tokens)
{
	struct store_txn	*t;
	struct token_response	 tr;
	struct token		 rec;
	struct grant		 g;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr);
	cr_assert_eq(strncmp(tr.access_token, "mcpat_", 6), 0);
	cr_assert_eq(strlen(tr.access_token), 6 + CRYPTO_TOKEN_CHARS);
	cr_assert(tr.has_refresh,
	    "refresh without offline_access (RFC 6749 section 6)");
	cr_assert_eq(strncmp(tr.refresh_token, "mcprt_", 6), 0);
	cr_assert_str_neq(tr.access_token + 6, tr.refresh_token + 6);
	cr_assert_eq(tr.expires_in, 600);
	cr_assert_str_eq(tr.scope, "mcp notes:read");
	cr_assert_str_eq(tr.grant_id, id);
	cr_assert_str_eq(tr.user, "alice");

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_token_get(t, tr.access_hash, &rec), STORE_OK);
	cr_assert_eq(rec.kind, TOKEN_ACCESS);
	cr_assert_str_eq(rec.user, "alice");
	cr_assert_str_eq(rec.client_id, "mcpc_public");
	cr_assert_str_eq(rec.resource, RESOURCE, "audience-bound (RFC 8707)");
	cr_assert_str_eq(rec.scope, "mcp notes:read");
	cr_assert_eq(rec.created, T0 + 1);
	cr_assert_eq(rec.expires, T0 + 1 + 600);
	token_free(&rec);
	cr_assert_eq(store_token_get(t, tr.refresh_hash, &rec), STORE_OK);
	cr_assert_eq(rec.kind, TOKEN_REFRESH);
	cr_assert_eq(rec.expires, T0 + 1 + 3600);
	token_free(&rec);
	cr_assert_eq(store_grant_get(t, id, &g), STORE_OK);
	cr_assert(g.flags & GRANT_ACTIVE);
	cr_assert(g.has_current);
	cr_assert_not(g.has_previous);
	cr_assert_eq(memcmp(g.refresh_current, tr.refresh_hash,
	    CRYPTO_SHA256_LEN), 0);
	cr_assert_eq(g.expires, T0 + 1 + 3600);
	grant_free(&g);
	store_abort(t);
	/* The code, the access token and the refresh token. */
	cr_assert_eq(index_count(id), 3);
}

Test(grant, client_without_refresh_grant_gets_no_refresh_token)
{
	struct token_response	 tr;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&norefresh, id, &tr);
	cr_assert_not(tr.has_refresh);
	cr_assert_str_eq(tr.refresh_token, "");
	cr_assert(token_alive(tr.access_token));
}

Test(grant, code_replay_revokes_the_grant)
{
	struct token_response	 tr, tr2;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 1,
	    &tr, &e), 0);
	cr_assert(token_alive(tr.access_token));
	/* RFC 6749 §4.1.2, RFC 9700 §4.2: single use, a replay revokes. */
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 2,
	    &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_eq(e.status, 400);
	cr_assert(e.commit, "the revocation must be committed");
	cr_assert_not(token_alive(tr.access_token));
	cr_assert_not(token_alive(tr.refresh_token));
	cr_assert_not(grant_exists(id));
	cr_assert_eq(index_count(id), 0);
	cr_assert_not(index_has(DB_USER_GRANTS, "alice", id));
	cr_assert_not(index_has(DB_CLIENT_GRANTS, "mcpc_public", id));
	/* A third attempt finds nothing at all. */
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 3,
	    &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit);
}

Test(grant, wrong_verifier_burns_the_code)
{
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	issue(&pub, "mcp", 1, T0, code, id);
	/* RFC 9700 §4.5: a code is bound to its PKCE challenge. */
	cr_assert_eq(exchange(&pub, code, REDIRECT,
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", NULL, T0 + 1, &tr,
	    &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert(e.commit);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 2,
	    &tr, &e), -1, "the right verifier comes too late");
	cr_assert_str_eq(e.error, "invalid_grant");
}

Test(grant, malformed_or_missing_verifier_burns_the_code)
{
	static const char *const bad[] = {
		"short",
		/* The right 43 characters plus one outside the ABNF. */
		VERIFIER "+",
		CHALLENGE,
		NULL,
	};
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];
	size_t			 i;

	/*
	 * RFC 7636 section 4.1 (43-128 of [A-Za-z0-9-._~]); a verifier
	 * without a bound challenge, or none for one, is a downgrade.
	 */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		issue(&pub, "mcp", 1, T0, code, id);
		cr_assert_eq(exchange(&pub, code, REDIRECT, bad[i], NULL,
		    T0 + 1, &tr, &e), -1);
		cr_assert_str_eq(e.error, "invalid_grant");
		cr_assert(e.commit);
		cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL,
		    T0 + 1, &tr, &e), -1, "verifier %zu did not burn", i);
	}
}

Test(grant, another_clients_attempt_does_not_burn)
{
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	issue(&pub, "mcp", 1, T0, code, id);
	/*
	 * RFC 6749 §4.1.3: bound to client_id; no denial of service
	 * either.
	 */
	cr_assert_eq(exchange(&other, code, REDIRECT, VERIFIER, NULL, T0 + 1,
	    &tr, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 1,
	    &tr, &e), 0, "%s", e.description);
}

Test(grant, redirect_uri_must_match_the_authorization_request)
{
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	/* RFC 6749 §4.1.3: another redirect URI burns the code. */
	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, "https://app.example/cb", VERIFIER,
	    NULL, T0 + 1, &tr, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert(e.commit);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 1,
	    &tr, &e), -1);

	/* Sent at /authorize: required at /token. */
	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, NULL, VERIFIER, NULL, T0 + 1, &tr,
	    &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");

	/* Not sent at /authorize (one registered URI): optional. */
	issue(&pub, "mcp", 0, T0, code, id);
	cr_assert_eq(exchange(&pub, code, NULL, VERIFIER, NULL, T0 + 1, &tr,
	    &e), 0, "%s", e.description);
	issue(&pub, "mcp", 0, T0, code, id);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 1,
	    &tr, &e), 0, "%s", e.description);
	/* A loopback URI with another port is another URI here. */
	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, "http://127.0.0.1:9998/callback",
	    VERIFIER, NULL, T0 + 1, &tr, &e), -1);
}

Test(grant, resource_must_match_the_bound_one)
{
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	/* RFC 8707 section 2: invalid_target. */
	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER,
	    "https://other.example/mcp", T0 + 1, &tr, &e), -1);
	cr_assert_str_eq(e.error, "invalid_target");
	cr_assert_eq(e.status, 400);
	cr_assert(e.commit, "burnt like any other failed attempt");
	/*
	 * Case of scheme and host, one trailing slash (RFC 3986 section
	 * 6.2.2 normalisation of the canonical MCP server URI).
	 */
	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER,
	    "HTTPS://MCP.example.com/mcp/", T0 + 1, &tr, &e), 0, "%s",
	    e.description);
}

Test(grant, code_expires_at_exactly_its_lifetime)
{
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 60,
	    &tr, &e), -1, "expired at T0 + code_lifetime");
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit);
	issue(&pub, "mcp", 1, T0, code, id);
	cr_assert_eq(exchange(&pub, code, REDIRECT, VERIFIER, NULL, T0 + 59,
	    &tr, &e), 0, "still valid a second before");
}

Test(grant, unknown_and_oversized_codes)
{
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 big[200];

	cr_assert_eq(exchange(&pub, "mcpac_nothing", REDIRECT, VERIFIER, NULL,
	    T0, &tr, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(exchange(&pub, big, REDIRECT, VERIFIER, NULL, T0, &tr,
	    &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
}

Test(grant, refresh_rotates)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	struct store_txn	*t;
	struct grant		 g;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0, "%s", e.description);
	cr_assert(tr2.has_refresh);
	cr_assert_str_neq(tr2.refresh_token, tr1.refresh_token);
	cr_assert_str_neq(tr2.access_token, tr1.access_token);
	cr_assert_str_eq(tr2.scope, "mcp notes:read");
	cr_assert_eq(tr2.expires_in, 600);
	/* The old access token lives on until it expires. */
	cr_assert(token_alive(tr1.access_token));
	cr_assert(token_alive(tr2.access_token));
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_grant_get(t, id, &g), STORE_OK);
	store_abort(t);
	cr_assert_eq(memcmp(g.refresh_current, tr2.refresh_hash,
	    CRYPTO_SHA256_LEN), 0);
	cr_assert(g.has_previous);
	cr_assert_eq(memcmp(g.refresh_previous, tr1.refresh_hash,
	    CRYPTO_SHA256_LEN), 0);
	cr_assert_eq(g.last_refresh, T0 + 10);
	cr_assert_eq(g.expires, T0 + 10 + 3600);
	grant_free(&g);
}

Test(grant, retry_within_the_window_gets_the_same_successor)
{
	struct token_response	 tr1, tr2, tr3, tr4, tr5;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0);
	cr_assert_not(tr2.retried);
	/*
	 * The client lost the response with tr2 (or sent a second
	 * refresh at the same time) and comes with tr1 again inside the
	 * window: the same successor, and a new access token.
	 */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL,
	    T0 + 10 + 59, &tr3, &e), 0, "%s", e.description);
	cr_assert_str_eq(tr3.refresh_token, tr2.refresh_token);
	cr_assert(tr3.retried);
	cr_assert_str_neq(tr3.access_token, tr2.access_token);
	cr_assert(token_alive(tr3.access_token));
	cr_assert(token_alive(tr2.access_token));
	cr_assert_eq(memcmp(tr3.refresh_hash, tr2.refresh_hash,
	    CRYPTO_SHA256_LEN), 0);
	/* A scope narrows the access token of a retry too. */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, "mcp", NULL, T0 + 12,
	    &tr4, &e), 0, "%s", e.description);
	cr_assert_str_eq(tr4.refresh_token, tr2.refresh_token);
	cr_assert_str_eq(tr4.scope, "mcp");
	/* The line goes on from the one successor. */
	cr_assert_eq(refresh(&pub, tr2.refresh_token, NULL, NULL, T0 + 13,
	    &tr5, &e), 0, "%s", e.description);
	cr_assert(grant_exists(id));
	/* tr1 is now two rotations old: reuse. */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 14,
	    &tr3, &e), -1);
	cr_assert(e.commit);
	cr_assert_not(grant_exists(id));
	cr_assert_not(token_alive(tr5.refresh_token));
}

Test(grant, previous_token_after_the_window_is_reuse)
{
	struct token_response	 tr1, tr2, tr3;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0);
	/* The window is [rotation, rotation + 60 s). */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL,
	    T0 + 10 + 60, &tr3, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert(e.commit, "the revocation is committed");
	cr_assert_not(grant_exists(id));
	cr_assert_not(token_alive(tr2.refresh_token));
	cr_assert_not(token_alive(tr2.access_token));
	cr_assert_eq(index_count(id), 0);
}

Test(grant, no_window_means_no_retry)
{
	struct token_response	 tr1, tr2, tr3;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	cfg->refresh_retry_window = 0;
	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr3, &e), -1);
	cr_assert(e.commit);
	cr_assert_not(grant_exists(id));
}

/*
 * What a rotation leaves in the database: the rotated-out token as a
 * 26-byte retired record (kind, grant id, expiry), and in the grant
 * the successor sealed under a key from the rotated-out token, which
 * neither the grant nor any record holds: the successor appears
 * nowhere in clear, and its hash opens nothing.
 */
Test(grant, rotation_leaves_a_retired_record_and_a_sealed_successor)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	struct store_txn	*t;
	struct store_val	 v;
	struct token		 rec;
	struct grant		 g;
	char			 id[GRANT_ID_LEN + 1], out[TOKEN_MAX];
	size_t			 n;

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_TOKENS, tr1.refresh_hash,
	    CRYPTO_SHA256_LEN, &v), STORE_OK);
	cr_assert_eq(v.len, 1 + 1 + GRANT_ID_LEN / 2 + 8);
	cr_assert_eq(((const unsigned char *)v.data)[0], RECORD_VERSION);
	cr_assert_eq(((const unsigned char *)v.data)[1], TOKEN_RETIRED);
	cr_assert_eq(token_decode(v.data, v.len, &rec), STORE_OK);
	cr_assert_eq(rec.kind, TOKEN_RETIRED);
	cr_assert_str_eq(rec.grant_id, id);
	cr_assert_eq(rec.expires, T0 + 1 + 3600, "the expiry it had");
	cr_assert_str_eq(rec.client_id, "");
	cr_assert_eq(token_index_kind(rec.kind), INDEX_REFRESH);
	token_free(&rec);
	/* Truncated or extended, it is corrupt. */
	cr_assert_eq(token_decode(v.data, v.len - 1, &rec), STORE_CORRUPT);

	cr_assert_eq(store_get(t, DB_GRANTS, id, GRANT_ID_LEN, &v),
	    STORE_OK);
	cr_assert_not(holds(&v, tr2.refresh_token + 6),
	    "no successor in clear");
	cr_assert_not(holds(&v, tr1.refresh_token + 6));
	cr_assert_eq(store_grant_get(t, id, &g), STORE_OK);
	store_abort(t);
	cr_assert_eq(g.rotated, T0 + 10);
	cr_assert_eq(g.sealed_len, strlen(tr2.refresh_token) +
	    CRYPTO_SEAL_OVERHEAD);
	cr_assert_eq(g.rate_start, T0 + 10);
	cr_assert_eq(g.rate_count, 1);
	/* Only the rotated-out token opens it. */
	cr_assert_eq(crypto_unseal(tr1.refresh_token,
	    "mcp-oauth refresh successor v1", id, GRANT_ID_LEN,
	    g.sealed_current, g.sealed_len, out, sizeof(out), &n), CRYPTO_OK);
	cr_assert_eq(n, strlen(tr2.refresh_token));
	cr_assert_eq(memcmp(out, tr2.refresh_token, n), 0);
	cr_assert_eq(crypto_unseal(tr2.refresh_token,
	    "mcp-oauth refresh successor v1", id, GRANT_ID_LEN,
	    g.sealed_current, g.sealed_len, out, sizeof(out), &n),
	    CRYPTO_MISMATCH);
	grant_free(&g);
	/* The retired token still counts for its grant's index. */
	cr_assert_eq(index_count(id), 5, "code, 2 access, 2 refresh");
}

/* A grant record written before the retry window decodes as before. */
Test(grant, an_older_grant_record_decodes)
{
	struct token_response	 tr1;
	struct store_txn	*t;
	struct store_val	 v;
	struct grant		 g;
	unsigned char		 old[512];
	char			 id[GRANT_ID_LEN + 1];
	size_t			 len;

	first_pair(&pub, id, &tr1);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_GRANTS, id, GRANT_ID_LEN, &v), STORE_OK);
	/*
	 * rotated 8, sealed length 1, rate_start 8, rate_count 4,
	 * last_used 8.
	 */
	len = v.len - (8 + 1 + 8 + 4 + 8);
	cr_assert_leq(len, sizeof(old));
	memcpy(old, v.data, len);
	store_abort(t);
	cr_assert_eq(grant_decode(old, len, &g), STORE_OK);
	cr_assert_eq(g.sealed_len, 0);
	cr_assert_eq(g.rotated, 0);
	cr_assert(g.has_current);
	grant_free(&g);
	cr_assert_eq(grant_decode(old, len + 3, &g), STORE_CORRUPT);
}

Test(grant, refresh_rate_limit_per_grant)
{
	struct token_response	 tr, tr2, other_tr;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1], id2[GRANT_ID_LEN + 1];
	int			 i;

	cfg->refresh_rate_limit = 3;
	first_pair(&pub, id, &tr);
	first_pair(&pub, id2, &other_tr);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(refresh(&pub, tr.refresh_token, NULL, NULL,
		    T0 + 10 + i, &tr2, &e), 0, "%s", e.description);
		tr = tr2;
	}
	cr_assert_eq(refresh(&pub, tr.refresh_token, NULL, NULL, T0 + 20,
	    &tr2, &e), -1);
	cr_assert_eq(e.status, 429);
	cr_assert_str_eq(e.error, "too_many_requests");
	cr_assert_not(e.commit, "a refused refresh writes nothing");
	cr_assert_eq(tr2.retry_after, 3600 - 10);
	cr_assert(token_alive(tr.refresh_token), "the token stays current");
	/* Retries count too: each one is an access token. */
	cr_assert_eq(refresh(&pub, tr.refresh_token, NULL, NULL, T0 + 21,
	    &tr2, &e), -1);
	cr_assert_eq(e.status, 429);
	/* Another grant has its own count. */
	cr_assert_eq(refresh(&pub, other_tr.refresh_token, NULL, NULL,
	    T0 + 20, &tr2, &e), 0, "%s", e.description);
	/* A new window, the same token. */
	cr_assert_eq(refresh(&pub, tr.refresh_token, NULL, NULL,
	    T0 + 10 + 3600, &tr2, &e), 0, "%s", e.description);
	cr_assert(grant_exists(id));
}

/*
 * A retry of the rotated-out token at the limit: refused with 429 it
 * would come back after the retry window and revoke the grant, so
 * retries get REFRESH_RETRY_ALLOWANCE beyond the limit.
 */
Test(grant, a_retry_at_the_rate_limit_is_not_turned_into_reuse)
{
	struct token_response	 tr1, tr2, tr3;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];
	int			 i;

	cfg->refresh_rate_limit = 1;
	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0, "%s", e.description);
	/* The answer was lost: the retry gets the same successor. */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 11,
	    &tr3, &e), 0, "%s", e.description);
	cr_assert_str_eq(tr3.refresh_token, tr2.refresh_token);
	for (i = 1; i < REFRESH_RETRY_ALLOWANCE; i++) {
		cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL,
		    T0 + 11 + i, &tr3, &e), 0, "retry %d: %s", i,
		    e.description);
		cr_assert_str_eq(tr3.refresh_token, tr2.refresh_token);
	}
	/* Beyond the allowance: 429, pointing at the newest token. */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 40,
	    &tr3, &e), -1);
	cr_assert_eq(e.status, 429);
	cr_assert_not(e.commit);
	cr_assert(strstr(e.description, "newest") != NULL, "%s",
	    e.description);
	cr_assert(grant_exists(id));
	cr_assert(token_alive(tr2.refresh_token), "the newest token lives");
}

Test(grant, grant_lifetime_ends_refresh)
{
	struct token_response	 tr1, tr2, tr3;
	struct oauth_error	 e;
	struct store_txn	*t;
	struct grant		 g;
	char			 id[GRANT_ID_LEN + 1];
	int64_t			 end = T0 + 7200;

	/* The code was issued at T0: the grant ends at T0 + 2 h. */
	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 3000,
	    &tr2, &e), 0, "%s", e.description);
	cr_assert_eq(refresh(&pub, tr2.refresh_token, NULL, NULL, end - 1800,
	    &tr3, &e), 0, "%s", e.description);
	cr_assert_eq(tr3.expires_in, 600);
	/* Both tokens stop at the end, not a lifetime later. */
	cr_assert_eq(refresh(&pub, tr3.refresh_token, NULL, NULL, end - 100,
	    &tr1, &e), 0, "%s", e.description);
	cr_assert_eq(tr1.expires_in, 100);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_grant_get(t, id, &g), STORE_OK);
	store_abort(t);
	cr_assert_eq(g.expires, end);
	cr_assert_eq(grant_end(cfg, &g), end);
	grant_free(&g);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, end - 1,
	    &tr2, &e), 0, "the last second: %s", e.description);
	cr_assert_eq(tr2.expires_in, 1);
	cr_assert_eq(refresh(&pub, tr2.refresh_token, NULL, NULL, end,
	    &tr3, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit, "the end is not theft");
	cr_assert(grant_exists(id));
}

Test(grant, reuse_of_an_older_token_revokes_the_family)
{
	struct token_response	 tr1, tr2, tr3, tr4;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0);
	cr_assert_eq(refresh(&pub, tr2.refresh_token, NULL, NULL, T0 + 20,
	    &tr3, &e), 0);
	/* tr1 is two rotations old: theft (RFC 9700 §4.14.2). */
	cr_assert(token_alive(tr1.refresh_token), "kept to recognise reuse");
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 30,
	    &tr4, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert(e.commit);
	cr_assert_not(grant_exists(id));
	cr_assert_not(token_alive(tr3.refresh_token));
	cr_assert_not(token_alive(tr3.access_token));
	cr_assert_not(token_alive(tr2.access_token));
	cr_assert_not(token_alive(tr1.access_token));
	cr_assert_eq(index_count(id), 0);
	/* The thief's next try, and the real client's, both fail. */
	cr_assert_eq(refresh(&pub, tr3.refresh_token, NULL, NULL, T0 + 31,
	    &tr4, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
}

Test(grant, previous_token_dies_once_the_current_one_is_used)
{
	struct token_response	 tr1, tr2, tr3, tr4;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), 0);
	cr_assert_eq(refresh(&pub, tr2.refresh_token, NULL, NULL, T0 + 11,
	    &tr3, &e), 0);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 12,
	    &tr4, &e), -1, "tr1's grace ended when tr2 was used");
	cr_assert(e.commit);
	cr_assert_not(token_alive(tr3.refresh_token));
}

Test(grant, refresh_is_bound_to_the_client)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&other, tr1.refresh_token, NULL, NULL, T0 + 10,
	    &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit, "another client's attempt changes nothing");
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL, T0 + 11,
	    &tr2, &e), 0, "%s", e.description);
}

Test(grant, an_access_token_is_not_a_refresh_token)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.access_token, NULL, NULL, T0 + 10,
	    &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit);
	cr_assert(grant_exists(id));
}

Test(grant, refresh_scope_narrows_never_widens)
{
	struct token_response	 tr1, tr2, tr3;
	struct oauth_error	 e;
	struct store_txn	*t;
	struct token		 rec;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, "notes:write mcp", NULL,
	    T0 + 10, &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_scope");
	cr_assert_not(e.commit);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, "bogus", NULL, T0 + 10,
	    &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_scope");
	cr_assert_eq(refresh(&pub, tr1.refresh_token, "mcp", NULL, T0 + 10,
	    &tr2, &e), 0, "%s", e.description);
	cr_assert_str_eq(tr2.scope, "mcp");
	/* The refresh token keeps the whole grant: narrowing is per call. */
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_token_get(t, tr2.access_hash, &rec), STORE_OK);
	cr_assert_str_eq(rec.scope, "mcp");
	token_free(&rec);
	cr_assert_eq(store_token_get(t, tr2.refresh_hash, &rec), STORE_OK);
	cr_assert_str_eq(rec.scope, "mcp notes:read");
	token_free(&rec);
	store_abort(t);
	cr_assert_eq(refresh(&pub, tr2.refresh_token, NULL, NULL, T0 + 11,
	    &tr3, &e), 0);
	cr_assert_str_eq(tr3.scope, "mcp notes:read");
}

Test(grant, refresh_with_only_offline_access_keeps_the_grant_scope)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	/*
	 * offline_access is accepted and dropped (clients that follow
	 * OpenID Connect ask for it to get a refresh token); asking
	 * for it alone must not mint a token that can do nothing.
	 */
	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, "offline_access", NULL,
	    T0 + 10, &tr2, &e), 0, "%s", e.description);
	cr_assert_str_eq(tr2.scope, "mcp notes:read");
}

Test(grant, refresh_resource_must_match)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL,
	    "https://other.example/mcp", T0 + 10, &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_target");
	cr_assert_not(e.commit);
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, RESOURCE "/",
	    T0 + 10, &tr2, &e), 0, "%s", e.description);
}

Test(grant, refresh_token_expires_at_exactly_its_lifetime)
{
	struct token_response	 tr1, tr2;
	struct oauth_error	 e;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr1);
	/* Issued at T0 + 1 with a lifetime of 3600 s. */
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL,
	    T0 + 1 + 3600, &tr2, &e), -1);
	cr_assert_str_eq(e.error, "invalid_grant");
	cr_assert_not(e.commit, "expiry is not theft");
	cr_assert(grant_exists(id));
	cr_assert_eq(refresh(&pub, tr1.refresh_token, NULL, NULL,
	    T0 + 3600, &tr2, &e), 0, "%s", e.description);
}

Test(grant, revoke_access_token_alone)
{
	struct store_txn	*t;
	struct token_response	 tr;
	struct revoke_counts	 n;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr);
	memset(&n, 0, sizeof(n));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(token_revoke(t, &pub, tr.access_token, &n), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n.access_tokens, 1);
	cr_assert_eq(n.grants, 0);
	cr_assert_not(token_alive(tr.access_token));
	cr_assert(token_alive(tr.refresh_token));
	cr_assert(grant_exists(id));
	cr_assert_eq(index_count(id), 2, "the code and the refresh token");
}

Test(grant, revoke_refresh_token_takes_the_grant)
{
	struct store_txn	*t;
	struct token_response	 tr, tr2;
	struct oauth_error	 e;
	struct revoke_counts	 n;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr);
	cr_assert_eq(refresh(&pub, tr.refresh_token, NULL, NULL, T0 + 5, &tr2,
	    &e), 0);
	memset(&n, 0, sizeof(n));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(token_revoke(t, &pub, tr2.refresh_token, &n), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n.grants, 1);
	cr_assert_eq(n.access_tokens, 2);
	cr_assert_eq(n.refresh_tokens, 2);
	cr_assert_eq(n.codes, 1);
	cr_assert_not(token_alive(tr.access_token));
	cr_assert_not(token_alive(tr2.access_token));
	cr_assert_not(grant_exists(id));
	cr_assert_not(index_has(DB_USER_GRANTS, "alice", id));
	cr_assert_not(index_has(DB_CLIENT_GRANTS, "mcpc_public", id));
}

Test(grant, revoke_by_another_client_or_unknown_changes_nothing)
{
	struct store_txn	*t;
	struct token_response	 tr;
	struct revoke_counts	 n;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr);
	memset(&n, 0, sizeof(n));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(token_revoke(t, &other, tr.refresh_token, &n),
	    STORE_NOTFOUND);
	cr_assert_eq(token_revoke(t, &other, tr.access_token, &n),
	    STORE_NOTFOUND);
	cr_assert_eq(token_revoke(t, &pub, "mcprt_unknown", &n),
	    STORE_NOTFOUND);
	store_abort(t);
	cr_assert_eq(n.grants + n.access_tokens + n.refresh_tokens, 0);
	cr_assert(token_alive(tr.access_token));
	cr_assert(token_alive(tr.refresh_token));
}

Test(grant, grant_revoke_of_nothing_is_notfound)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_revoke(t, "0123456789abcdef0123456789abcdef",
	    NULL), STORE_NOTFOUND);
	cr_assert_eq(grant_revoke(t, "short", NULL), STORE_NOTFOUND);
	store_abort(t);
}

Test(grant, drop_indexed_deletes_and_counts_by_kind)
{
	struct store_txn	*t;
	struct token_response	 tr;
	struct revoke_counts	 n;
	unsigned char		 val[INDEX_VALUE_LEN];
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr);
	memset(&n, 0, sizeof(n));
	cr_assert_eq(grant_index_db(INDEX_CODE), DB_CODES);
	cr_assert_eq(grant_index_db(INDEX_ACCESS), DB_TOKENS);
	cr_assert_eq(grant_index_db(INDEX_REFRESH), DB_TOKENS);

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	val[0] = INDEX_ACCESS;
	memcpy(val + 1, tr.access_hash, CRYPTO_SHA256_LEN);
	cr_assert_eq(grant_drop_indexed(t, val, &n), STORE_OK);
	val[0] = INDEX_REFRESH;
	memcpy(val + 1, tr.refresh_hash, CRYPTO_SHA256_LEN);
	cr_assert_eq(grant_drop_indexed(t, val, &n), STORE_OK);
	/* Gone already: neither an error nor counted. */
	cr_assert_eq(grant_drop_indexed(t, val, &n), STORE_OK);
	cr_assert_eq(grant_drop_indexed(t, val, NULL), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	cr_assert_eq(n.access_tokens, 1);
	cr_assert_eq(n.refresh_tokens, 1);
	cr_assert_eq(n.codes, 0);
	cr_assert_eq(n.grants, 0);
	cr_assert_not(token_alive(tr.access_token));
	cr_assert_not(token_alive(tr.refresh_token));
	/* The index entries are the caller's to delete. */
	cr_assert_eq(index_count(id), 3);
	cr_assert(grant_exists(id));
}

Test(grant, unindex_removes_the_entries_and_counts_the_owners)
{
	struct store_txn	*t;
	struct token_response	 tr;
	unsigned long		 owners = 0;
	char			 id[GRANT_ID_LEN + 1];

	first_pair(&pub, id, &tr);
	cr_assert(index_has(DB_USER_GRANTS, "alice", id));
	cr_assert(index_has(DB_CLIENT_GRANTS, "mcpc_public", id));

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_unindex(t, id, "alice", NULL, &owners), STORE_OK);
	cr_assert_eq(owners, 1);
	cr_assert_eq(grant_unindex(t, id, "alice", "mcpc_public", &owners),
	    STORE_OK, "entries gone already are skipped");
	cr_assert_eq(owners, 2);
	cr_assert_eq(grant_unindex(t, id, "alice", "mcpc_public", NULL),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	cr_assert_eq(index_count(id), 0);
	cr_assert_not(index_has(DB_USER_GRANTS, "alice", id));
	cr_assert_not(index_has(DB_CLIENT_GRANTS, "mcpc_public", id));
	/* The grant record and its tokens are not this function's. */
	cr_assert(grant_exists(id));
	cr_assert(token_alive(tr.access_token));
}

Test(grant, remembered_consent)
{
	struct store_txn	*t;
	struct token_response	 tr;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];

	/* An unredeemed code is not an approval to remember. */
	issue(&pub, "mcp notes:read", 1, T0, code, id);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_not(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp", RESOURCE, T0 + 1));
	store_abort(t);

	first_pair(&pub, id, &tr);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp notes:read", RESOURCE, T0 + 2));
	cr_assert(grant_has_active_consent(t, cfg, "alice", "mcpc_public", "mcp",
	    RESOURCE "/", T0 + 2));
	cr_assert_not(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp notes:write", RESOURCE, T0 + 2), "a wider scope asks again");
	cr_assert_not(grant_has_active_consent(t, cfg, "alice", "mcpc_other",
	    "mcp", RESOURCE, T0 + 2));
	cr_assert_not(grant_has_active_consent(t, cfg, "bob", "mcpc_public",
	    "mcp", RESOURCE, T0 + 2));
	cr_assert_not(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp", "https://other.example/mcp", T0 + 2));
	cr_assert(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp", RESOURCE, T0 + 3600), "the grant's last second");
	cr_assert_not(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp", RESOURCE, T0 + 1 + 3600), "expired with the grant");
	store_abort(t);
}

/*
 * A grant whose expiry lies beyond the end of its grant_lifetime (the
 * lifetime was lowered, or the grant predates it) is not a remembered
 * consent past that end.
 */
Test(grant, remembered_consent_ends_with_the_grant_lifetime)
{
	struct store_txn	*t;
	struct token_response	 tr;
	char			 id[GRANT_ID_LEN + 1];
	int64_t			 saved = cfg->grant_lifetime;

	first_pair(&pub, id, &tr);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp", RESOURCE, T0 + 600));
	/* The site lowers grant_lifetime to ten minutes. */
	cfg->grant_lifetime = 600;
	cr_assert_not(grant_has_active_consent(t, cfg, "alice",
	    "mcpc_public", "mcp", RESOURCE, T0 + 600));
	cr_assert(grant_has_active_consent(t, cfg, "alice", "mcpc_public",
	    "mcp", RESOURCE, T0 + 599));
	store_abort(t);
	cfg->grant_lifetime = saved;
}
