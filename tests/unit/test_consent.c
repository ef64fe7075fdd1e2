/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The consent step of /authorize against a real LMDB environment: what
 * a pending request needs next, the pending request bound to its
 * browser and CSRF token (RFC 9700 section 4.7) with the per-address
 * limit on new ones, who is signed in, remembered approval (only for
 * confidential clients, RFC 8252 section 8.6), and issuing the code
 * exactly once.  Times are passed in.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/consent.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/http.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "testutil.h"

/* RFC 7636 Appendix B. */
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT	"http://127.0.0.1:9999/callback"
#define T0		1700000000
#define IP		"203.0.113.9"
#define RATE_LIMIT	2

static char		*dir;
static struct config	*cfg;
static struct store	*st;
static struct client	 pub, conf;
static struct pending	 pd;
static unsigned char	 browser[CRYPTO_SHA256_LEN];

static void
make_client(struct client *c, const char *id, int auth)
{
	struct store_txn	*t;
	char			*uris[] = { REDIRECT };
	char			 why[256];

	client_init(c);
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->auth_method = auth;
	c->grant_types = CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH;
	c->response_types = CLIENT_RESPONSE_CODE;
	c->created = T0;
	cr_assert_eq(client_set_redirect_uris(c, uris, 1, why, sizeof(why)),
	    CLIENT_OK, "%s", why);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, c, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
add_user(const char *name, uint32_t flags)
{
	struct store_txn	*t;
	struct user		 u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.password_hash = "not-a-hash";
	u.flags = flags;
	u.created = u.updated = T0;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
open_with(const char *extra)
{
	char	 text[1024], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\nauthorize_rate_limit = %d\nscopes = mcp\n%s",
	    dir, RATE_LIMIT, extra);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(cfg->db_path, 1 << 22, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)), STORE_OK, "%s", err);
	make_client(&pub, "mcpc_public", CLIENT_AUTH_NONE);
	make_client(&conf, "mcpc_confidential", CLIENT_AUTH_BASIC);
	add_user("alice", 0);
	add_user("carol", USER_DISABLED);
	memset(&pd, 0, sizeof(pd));
	pd.client_id = pub.id;
	pd.redirect_uri = REDIRECT;
	pd.redirect_explicit = 1;
	pd.state = "xyz";
	pd.challenge = CHALLENGE;
	pd.scope = "mcp";
	pd.resource = cfg->mcp_url;
	pd.created = T0;
	pd.expires = T0 + 600;
	memset(browser, 0xb1, sizeof(browser));
	memcpy(pd.browser_hash, browser, sizeof(browser));
}

static void
setup(void)
{
	open_with("");
}

static void
teardown(void)
{
	client_free(&pub);
	client_free(&conf);
	store_close(st);
	st = NULL;
	config_free(cfg);
	cfg = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

/* The suite's setup has run: start again with user_auth = remote_user. */
static void
reopen_remote_user(void)
{
	teardown();
	open_with("user_auth = remote_user\n");
}

TestSuite(consent, .init = setup, .fini = teardown);

/* Saves pd under a fresh id; id and csrf receive the browser's values. */
static int
save_fresh(char *id, char *csrf, int64_t now, long *retry_after)
{
	return consent_save(st, cfg, IP, &pd, id, SESSION_TOKEN_MAX, 1, csrf,
	    SESSION_TOKEN_MAX, now, retry_after);
}

Test(consent, the_next_step)
{
	static const struct {
		uint32_t		 prompt;
		int			 signed_in, remembered;
		enum consent_step	 want;
	} cases[] = {
		{ 0, 0, 0, CONSENT_SHOW_LOGIN },
		{ 0, 1, 0, CONSENT_SHOW_CONSENT },
		{ 0, 1, 1, CONSENT_REMEMBERED },
		{ PROMPT_CONSENT, 1, 0, CONSENT_SHOW_CONSENT },
		{ PROMPT_NONE, 0, 0, CONSENT_LOGIN_REQUIRED },
		{ PROMPT_NONE, 1, 0, CONSENT_CONSENT_REQUIRED },
		{ PROMPT_NONE, 1, 1, CONSENT_ISSUE },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(consent_next(cfg, cases[i].prompt,
		    cases[i].signed_in, cases[i].remembered), cases[i].want,
		    "case %zu", i);
}

Test(consent, remote_user_has_no_login_page)
{
	reopen_remote_user();
	cr_assert_eq(consent_next(cfg, 0, 0, 0), CONSENT_NO_REMOTE_USER);
	cr_assert_eq(consent_next(cfg, PROMPT_NONE, 0, 0),
	    CONSENT_LOGIN_REQUIRED);
}

Test(consent, a_saved_request_loads_in_its_browser_with_its_token)
{
	struct pending	 got;
	struct client	 c;
	char		 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	long		 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(strlen(id), CRYPTO_TOKEN_CHARS);
	cr_assert_eq(strlen(csrf), CRYPTO_TOKEN_CHARS);
	cr_assert_eq(consent_load(st, id, csrf, browser, T0 + 1, &got, &c),
	    STORE_OK);
	cr_assert_str_eq(got.state, "xyz");
	cr_assert_str_eq(c.id, pub.id);
	pending_free(&got);
	client_free(&c);
	/* Without a CSRF token to check (the GET that shows the page). */
	cr_assert_eq(consent_load(st, id, NULL, browser, T0 + 1, &got, &c),
	    STORE_OK);
	pending_free(&got);
	client_free(&c);
}

Test(consent, another_browser_or_token_is_foreign)
{
	struct pending	 got;
	struct client	 c;
	unsigned char	 other[CRYPTO_SHA256_LEN];
	char		 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	char		 forged[SESSION_TOKEN_MAX];
	long		 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	memset(other, 0xb2, sizeof(other));
	cr_assert_eq(consent_load(st, id, csrf, other, T0 + 1, &got, &c),
	    CONSENT_FOREIGN);
	/* The client is named for the log. */
	cr_assert_str_eq(got.client_id, pub.id);
	pending_free(&got);
	client_free(&c);
	memcpy(forged, csrf, sizeof(forged));
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	cr_assert_eq(consent_load(st, id, forged, browser, T0 + 1, &got, &c),
	    CONSENT_FOREIGN);
	pending_free(&got);
	client_free(&c);
	cr_assert_eq(consent_load(st, id, "short", browser, T0 + 1, &got, &c),
	    CONSENT_FOREIGN);
	pending_free(&got);
	client_free(&c);
}

Test(consent, an_unknown_or_expired_request_is_not_found)
{
	struct pending	 got;
	struct client	 c;
	char		 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	long		 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(consent_load(st, id, csrf, browser, T0 + 601, &got, &c),
	    STORE_NOTFOUND);
	pending_free(&got);
	client_free(&c);
	memset(id, 'A', CRYPTO_TOKEN_CHARS);
	id[CRYPTO_TOKEN_CHARS] = '\0';
	cr_assert_eq(consent_load(st, id, csrf, browser, T0 + 1, &got, &c),
	    STORE_NOTFOUND);
	pending_free(&got);
	client_free(&c);
}

/* New requests are limited per address; saving one again is not new. */
Test(consent, new_requests_are_limited_per_address)
{
	char	 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	long	 wait = 0;
	int	 i;

	for (i = 0; i < RATE_LIMIT; i++)
		cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(consent_save(st, cfg, IP, &pd, id, sizeof(id), 0, csrf,
	    sizeof(csrf), T0, &wait), STORE_OK);
	cr_assert_eq(save_fresh(id, csrf, T0 + 10, &wait), CONSENT_THROTTLED);
	cr_assert(wait > 0 && wait <= CONSENT_RATE_WINDOW, "%ld", wait);
	cr_assert_eq(save_fresh(id, csrf, T0 + CONSENT_RATE_WINDOW + 1,
	    &wait), STORE_OK);
}

Test(consent, a_code_is_issued_once_per_request)
{
	char	 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	char	 code[TOKEN_MAX];
	long	 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(consent_issue(st, cfg, &pub, &pd, "alice", id, NULL,
	    T0 + 1, code, sizeof(code)), STORE_OK);
	cr_assert(strlen(code) > CRYPTO_TOKEN_CHARS, "%s", code);
	cr_assert_eq(consent_issue(st, cfg, &pub, &pd, "alice", id, NULL,
	    T0 + 2, code, sizeof(code)), CONSENT_ANSWERED);
	/* Without a pending request (remembered approval): no such check. */
	cr_assert_eq(consent_issue(st, cfg, &pub, &pd, "alice", NULL, NULL,
	    T0 + 2, code, sizeof(code)), STORE_OK);
}

Test(consent, a_disabled_or_unknown_user_cannot_approve)
{
	char	 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	char	 code[TOKEN_MAX];
	long	 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(consent_issue(st, cfg, &pub, &pd, "carol", id, NULL,
	    T0 + 1, code, sizeof(code)), CONSENT_USER_REFUSED);
	cr_assert_eq(consent_issue(st, cfg, &pub, &pd, "nobody", NULL,
	    NULL, T0 + 1, code, sizeof(code)), CONSENT_USER_REFUSED);
}

/* With remote_user the web server vouches for a person without record. */
Test(consent, remote_user_needs_no_record)
{
	struct store_txn	*t;

	reopen_remote_user();
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(consent_user_allowed(t, cfg, "nobody"), 0);
	cr_assert_eq(consent_user_allowed(t, cfg, "carol"), -1);
	store_abort(t);
}

Test(consent, a_denial_deletes_the_request_once)
{
	char	 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	long	 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(consent_deny(st, cfg, id, "alice", "c", "192.0.2.1"),
	    STORE_OK);
	cr_assert_eq(consent_deny(st, cfg, id, "alice", "c", "192.0.2.1"),
	    CONSENT_ANSWERED);
}

Test(consent, the_session_cookie_signs_in_unless_prompt_login)
{
	struct store_txn	*t;
	struct consent_who	 w;
	char			 value[SESSION_TOKEN_MAX], cookie[256];

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", T0, 3600, value,
	    sizeof(value)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	snprintf(cookie, sizeof(cookie), "other=1; __Host-%s=%s",
	    CONSENT_COOKIE_SESSION, value);
	cr_assert_eq(consent_who(st, cfg, NULL, cookie, &pub, &pd, T0 + 1,
	    &w), STORE_OK);
	cr_assert_eq(w.signed_in, 1);
	cr_assert_str_eq(w.user, "alice");
	cr_assert_eq(w.remembered, 0);
	pd.prompt = PROMPT_LOGIN;
	cr_assert_eq(consent_who(st, cfg, NULL, cookie, &pub, &pd, T0 + 1,
	    &w), STORE_OK);
	cr_assert_eq(w.signed_in, 0);
	pd.prompt = 0;
	/* REMOTE_USER counts only with user_auth = remote_user. */
	cr_assert_eq(consent_who(st, cfg, "alice", NULL, &pub, &pd, T0 + 1,
	    &w), STORE_OK);
	cr_assert_eq(w.signed_in, 0);
	/* An expired session signs no one in. */
	cr_assert_eq(consent_who(st, cfg, NULL, cookie, &pub, &pd, T0 + 3601,
	    &w), STORE_OK);
	cr_assert_eq(w.signed_in, 0);
}

Test(consent, remote_user_signs_in)
{
	struct consent_who	 w;

	reopen_remote_user();
	cr_assert_eq(consent_who(st, cfg, "bob", NULL, &pub, &pd, T0, &w),
	    STORE_OK);
	cr_assert_eq(w.signed_in, 1);
	cr_assert_str_eq(w.user, "bob");
	cr_assert_eq(consent_who(st, cfg, "carol", NULL, &pub, &pd, T0, &w),
	    STORE_OK);
	cr_assert_eq(w.signed_in, 0);
	cr_assert_eq(consent_who(st, cfg, "not a name", NULL, &pub, &pd, T0,
	    &w), STORE_OK);
	cr_assert_eq(w.signed_in, 0);
}

/*
 * Approval is remembered for a confidential client with an active
 * grant for the scopes, never for a public one, never with
 * prompt=consent.
 */
Test(consent, approval_is_remembered_for_confidential_clients_only)
{
	struct store_txn	*t;
	struct code_request	 cr;
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX];
	char			 grant_id[GRANT_ID_LEN + 1];

	memset(&cr, 0, sizeof(cr));
	memset(&e, 0, sizeof(e));
	cr.user = "alice";
	cr.client = &conf;
	cr.redirect_uri = REDIRECT;
	cr.redirect_explicit = 1;
	cr.challenge = CHALLENGE;
	cr.scope = "mcp";
	cr.resource = cfg->mcp_url;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_issue_code(t, cfg, &cr, T0, code, sizeof(code),
	    grant_id), STORE_OK);
	cr_assert_eq(grant_exchange_code(t, cfg, &conf, code, REDIRECT,
	    VERIFIER, NULL, T0, &tr, &e), 0, "%s", e.description);
	cr_assert_eq(store_commit(t), STORE_OK);

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	pd.client_id = conf.id;
	cr_assert_eq(consent_remembered(t, cfg, &conf, &pd, "alice", T0 + 1), 1);
	pd.prompt = PROMPT_CONSENT;
	cr_assert_eq(consent_remembered(t, cfg, &conf, &pd, "alice", T0 + 1), 0);
	pd.prompt = 0;
	cr_assert_eq(consent_remembered(t, cfg, &pub, &pd, "alice", T0 + 1), 0);
	store_abort(t);
}

Test(consent, the_browser_cookie_is_made_once_and_read_back)
{
	struct http_response	 resp;
	unsigned char		 made[CRYPTO_SHA256_LEN];
	unsigned char		 read[CRYPTO_SHA256_LEN];
	char			 cookie[256];
	const char		*h, *v;

	http_response_init(&resp);
	cr_assert_eq(consent_browser(cfg, NULL, &resp, 0, made), -1);
	cr_assert_eq(consent_browser(cfg, NULL, &resp, 1, made), 0);
	h = buf_cstr(&resp.headers);
	cr_assert_not_null(v = strstr(h, "__Host-mcp_browser="), "%s", h);
	v += strlen("__Host-mcp_browser=");
	snprintf(cookie, sizeof(cookie), "__Host-mcp_browser=%.*s",
	    CRYPTO_TOKEN_CHARS, v);
	cr_assert_eq(consent_browser(cfg, cookie, &resp, 0, read), 0);
	cr_assert_eq(memcmp(made, read, sizeof(made)), 0);
	http_response_free(&resp);
}

/*
 * The key of the pages' form tokens is a hash of the cookie itself,
 * not of the hash pending requests store: whoever reads a copy of the
 * database cannot compute a page's CSRF token from it.
 */
Test(consent, the_form_key_is_not_the_stored_hash)
{
	struct http_response	 resp;
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	unsigned char		 key[CRYPTO_SHA256_LEN], again[CRYPTO_SHA256_LEN];
	unsigned char		 want[CRYPTO_SHA256_LEN];
	char			 value[CRYPTO_TOKEN_CHARS + 1], cookie[256];
	char			 keyed[256];

	memset(value, 'A', CRYPTO_TOKEN_CHARS);
	value[CRYPTO_TOKEN_CHARS] = '\0';
	snprintf(cookie, sizeof(cookie), "__Host-mcp_browser=%s", value);
	http_response_init(&resp);
	cr_assert_eq(consent_browser_keyed(cfg, cookie, &resp, 0, hash, key),
	    0);
	cr_assert_eq(crypto_sha256_str(value, want), CRYPTO_OK);
	cr_assert_eq(memcmp(hash, want, sizeof(want)), 0);
	cr_assert_neq(memcmp(key, hash, sizeof(key)), 0);
	snprintf(keyed, sizeof(keyed), "%s%s", CONSENT_FORM_KEY_LABEL, value);
	cr_assert_eq(crypto_sha256_str(keyed, want), CRYPTO_OK);
	cr_assert_eq(memcmp(key, want, sizeof(want)), 0);
	/* A browser without the cookie gets one, and its key with it. */
	cr_assert_eq(consent_browser_keyed(cfg, NULL, &resp, 0, hash, key),
	    -1);
	cr_assert_eq(consent_browser_keyed(cfg, NULL, &resp, 1, hash, again),
	    0);
	cr_assert_neq(memcmp(key, again, sizeof(key)), 0);
	http_response_free(&resp);
}

/*
 * The client deleted between the read of the pending request and the
 * approval (the purge of unused registrations, or the administrator):
 * no grant and no code, and the pending request is left to expire.
 */
Test(consent, a_client_deleted_meanwhile_gets_nothing)
{
	struct store_txn	*t;
	struct store_val	 v;
	struct pending		 got;
	struct client		 c;
	char			 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	char			 code[TOKEN_MAX];
	long			 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0, &wait), STORE_OK);
	cr_assert_eq(consent_load(st, id, csrf, browser, T0 + 1, &got, &c),
	    STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_del(t, pub.id), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	code[0] = '\0';
	cr_assert_eq(consent_issue(st, cfg, &c, &got, "alice", id, NULL,
	    T0 + 2, code, sizeof(code)), CONSENT_CLIENT_GONE);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_CLIENT_GRANTS, pub.id, strlen(pub.id),
	    &v), STORE_NOTFOUND);
	cr_assert_eq(store_get(t, DB_USER_GRANTS, "alice", 5, &v),
	    STORE_NOTFOUND);
	store_abort(t);
	pending_free(&got);
	client_free(&c);
	/* Loaded again, the request says its client is gone. */
	cr_assert_eq(consent_load(st, id, csrf, browser, T0 + 3, &got, &c),
	    CONSENT_CLIENT_GONE);
	cr_assert_str_eq(got.client_id, pub.id);
	pending_free(&got);
	client_free(&c);
}

/*
 * Saving a request is a use of its client (once a day), so that the
 * purge of unused registrations leaves it while the person signs in.
 */
Test(consent, saving_a_request_notes_the_clients_use)
{
	struct store_txn	*t;
	struct client		 c;
	char			 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	long			 wait = 0;

	cr_assert_eq(save_fresh(id, csrf, T0 + 50, &wait), STORE_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_client_get(t, pub.id, &c), STORE_OK);
	store_abort(t);
	cr_assert_eq(c.last_used, T0 + 50);
	client_free(&c);
}
