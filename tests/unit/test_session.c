/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The authorization endpoint's browser state: sign-in sessions and
 * pending requests, stored only as hashes (secure token storage, MCP 2025-06-18
 * basic/authorization), expiring
 * to the second; and the parsing of what the pages POST and the
 * cookies a browser sends back (RFC 9700 §4.7).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/crypto.h"
#include "../../src/lib/form.h"
#include "../../src/lib/http.h"
#include "../../src/lib/revocation.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"
#include "testutil.h"

#define T0	1700000000

static char		*dir;
static struct store	*st;

static void
setup(void)
{
	char	 path[300], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(session, .init = setup, .fini = teardown);

static int
is_base64url(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(s);
}

/* Whether the n bytes at p contain the string s. */
static int
contains(const void *p, size_t n, const char *s)
{
	const char	*b = p;
	size_t		 len = strlen(s), i;

	for (i = 0; i + len <= n; i++)
		if (memcmp(b + i, s, len) == 0)
			return 1;
	return 0;
}

static int
get_session(const char *cookie, int64_t now, struct session *s)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	rc = session_get(t, cookie, now, s);
	store_abort(t);
	return rc;
}

Test(session, create_and_find)
{
	struct store_txn	*t;
	struct session		 s;
	struct store_val	 v;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 cookie[SESSION_TOKEN_MAX];

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", T0, 3600, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(strlen(cookie), CRYPTO_TOKEN_CHARS, "256 random bits");
	cr_assert(is_base64url(cookie));
	cr_assert_eq(get_session(cookie, T0 + 10, &s), STORE_OK);
	cr_assert_str_eq(s.user, "alice");
	cr_assert_eq(s.created, T0);
	cr_assert_eq(s.expires, T0 + 3600);
	session_free(&s);
	/* Stored under the hash only. */
	cr_assert_eq(crypto_sha256_str(cookie, h), CRYPTO_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_SESSIONS, cookie, strlen(cookie), &v),
	    STORE_NOTFOUND);
	cr_assert_eq(store_get(t, DB_SESSIONS, h, sizeof(h), &v), STORE_OK);
	cr_assert_not(contains(v.data, v.len, cookie));
	store_abort(t);
}

Test(session, expires_at_exactly_its_lifetime)
{
	struct store_txn	*t;
	struct session		 s;
	char			 cookie[SESSION_TOKEN_MAX];

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", T0, 60, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(get_session(cookie, T0 + 59, &s), STORE_OK);
	session_free(&s);
	cr_assert_eq(get_session(cookie, T0 + 60, &s), STORE_NOTFOUND);
	cr_assert_null(s.user);
}

Test(session, malformed_cookies_are_not_looked_up)
{
	struct session	 s;
	char		 c[64];

	cr_assert_eq(get_session("", T0, &s), STORE_NOTFOUND);
	cr_assert_eq(get_session("short", T0, &s), STORE_NOTFOUND);
	memset(c, 'a', 44);
	c[44] = '\0';
	cr_assert_eq(get_session(c, T0, &s), STORE_NOTFOUND, "44 characters");
	c[43] = '\0';
	c[5] = '+';
	cr_assert_eq(get_session(c, T0, &s), STORE_NOTFOUND, "not base64url");
	c[5] = 'a';
	cr_assert_eq(get_session(c, T0, &s), STORE_NOTFOUND, "unknown");
}

Test(session, delete_signs_out)
{
	struct store_txn	*t;
	struct session		 s;
	char			 cookie[SESSION_TOKEN_MAX];

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", T0, 60, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(session_delete(t, cookie), STORE_OK);
	cr_assert_eq(session_delete(t, cookie), STORE_NOTFOUND);
	cr_assert_eq(session_delete(t, "bad"), STORE_NOTFOUND);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(get_session(cookie, T0, &s), STORE_NOTFOUND);
}

/*
 * A password change ends every sign-in session of that user and no
 * other (mcp-oauth-admin user passwd): revoke_sessions walks the
 * sessions database, deleting as it goes, and compares whole names,
 * so "ali" is not "alice".
 */
Test(session, a_users_sessions_end_together)
{
	struct store_txn	*t;
	struct session		 s;
	char			 c[8][SESSION_TOKEN_MAX];
	static const char *const who[8] = { "alice", "bob", "alice", "ali",
	    "alice", "bob", "alice2", "alice" };
	unsigned long		 n = 0;
	int			 i;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	for (i = 0; i < 8; i++)
		cr_assert_eq(session_create(t, who[i], T0, 3600, c[i],
		    sizeof(c[i])), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(revoke_sessions(t, "alice", &n), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n, 4);
	for (i = 0; i < 8; i++) {
		if (strcmp(who[i], "alice") == 0) {
			cr_assert_eq(get_session(c[i], T0 + 1, &s),
			    STORE_NOTFOUND, "session %d of alice ends", i);
			continue;
		}
		cr_assert_eq(get_session(c[i], T0 + 1, &s), STORE_OK,
		    "session %d of %s stays", i, who[i]);
		cr_assert_str_eq(s.user, who[i]);
		session_free(&s);
	}
	/* Nothing left to end. */
	n = 0;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(revoke_sessions(t, "alice", &n), STORE_OK);
	store_abort(t);
	cr_assert_eq(n, 0);
}

Test(session, secrets_are_random)
{
	char		 a[64], b[64];
	unsigned char	 ha[CRYPTO_SHA256_LEN], hb[CRYPTO_SHA256_LEN];
	unsigned char	 check[CRYPTO_SHA256_LEN];

	cr_assert_eq(pending_new_secret(a, sizeof(a), ha), STORE_OK);
	cr_assert_eq(pending_new_secret(b, sizeof(b), hb), STORE_OK);
	cr_assert_str_neq(a, b);
	cr_assert_eq(strlen(a), CRYPTO_TOKEN_CHARS);
	cr_assert_eq(crypto_sha256_str(a, check), CRYPTO_OK);
	cr_assert_eq(memcmp(check, ha, sizeof(check)), 0);
	cr_assert_eq(pending_new_secret(a, 10, ha), STORE_ERROR,
	    "buffer too small");
}

static void
fill_pending(struct pending *pd)
{
	memset(pd, 0, sizeof(*pd));
	pd->client_id = "mcpc_x";
	pd->redirect_uri = "http://127.0.0.1:5000/cb";
	pd->redirect_explicit = 1;
	pd->state = "st <&> \"'";
	pd->challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
	pd->scope = "mcp notes:read";
	pd->resource = "https://mcp.example.com/mcp";
	pd->prompt = PROMPT_LOGIN | PROMPT_CONSENT;
	pd->created = T0;
	pd->expires = T0 + 600;
	memset(pd->browser_hash, 0xab, sizeof(pd->browser_hash));
	memset(pd->csrf_hash, 0xcd, sizeof(pd->csrf_hash));
}

Test(session, pending_round_trip_and_expiry)
{
	struct store_txn	*t;
	struct pending		 pd, got;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 id[64];

	fill_pending(&pd);
	cr_assert_eq(pending_new_secret(id, sizeof(id), h), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(pending_put(t, id, &pd), STORE_OK);
	cr_assert_eq(pending_put(t, "not-an-id", &pd), STORE_ERROR);
	cr_assert_eq(store_commit(t), STORE_OK);

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(pending_get(t, id, T0 + 599, &got), STORE_OK);
	cr_assert_str_eq(got.client_id, "mcpc_x");
	cr_assert_str_eq(got.redirect_uri, "http://127.0.0.1:5000/cb");
	cr_assert_eq(got.redirect_explicit, 1);
	cr_assert_str_eq(got.state, "st <&> \"'", "state kept verbatim");
	cr_assert_str_eq(got.challenge, pd.challenge);
	cr_assert_str_eq(got.scope, "mcp notes:read");
	cr_assert_str_eq(got.resource, "https://mcp.example.com/mcp");
	cr_assert_eq(got.prompt, PROMPT_LOGIN | PROMPT_CONSENT);
	cr_assert_eq(memcmp(got.browser_hash, pd.browser_hash,
	    CRYPTO_SHA256_LEN), 0);
	cr_assert_eq(memcmp(got.csrf_hash, pd.csrf_hash, CRYPTO_SHA256_LEN),
	    0);
	pending_free(&got);
	cr_assert_eq(pending_get(t, id, T0 + 600, &got), STORE_NOTFOUND,
	    "expired at exactly created + lifetime");
	cr_assert_eq(pending_get(t, "x", T0, &got), STORE_NOTFOUND);
	store_abort(t);

	/* Replacing keeps one record; deleting makes it single use. */
	pd.prompt = 0;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(pending_put(t, id, &pd), STORE_OK);
	cr_assert_eq(pending_get(t, id, T0, &got), STORE_OK);
	cr_assert_eq(got.prompt, 0);
	pending_free(&got);
	cr_assert_eq(pending_delete(t, id), STORE_OK);
	cr_assert_eq(pending_get(t, id, T0, &got), STORE_NOTFOUND);
	cr_assert_eq(pending_delete(t, id), STORE_NOTFOUND);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(session, corrupt_records_are_refused)
{
	static const unsigned char junk[] = { 1, 0, 5, 'a' };
	struct session	 s;
	struct pending	 pd;

	memset(&s, 0, sizeof(s));
	memset(&pd, 0, sizeof(pd));
	cr_assert_eq(session_decode(junk, sizeof(junk), &s), STORE_CORRUPT);
	cr_assert_null(s.user);
	cr_assert_eq(pending_decode(junk, sizeof(junk), &pd), STORE_CORRUPT);
	cr_assert_null(pd.client_id);
}

/* The limits authorize.c applies to its POSTs. */
static const struct form_limits post_limits = { 16 * 1024, 16, 32, 2048 };

Test(session, login_post_as_a_browser_sends_it)
{
	struct form	 f;
	static const char body[] =
	    "request=abcDEF-_0123456789abcdefghijklmnopqrstuvw"
	    "&csrf=ZYX-_9876543210zyxwvutsrqponmlkjihgfedcbaZ"
	    "&action=login&username=alice%40example.com"
	    "&password=p%26ss+w%C3%B6rd%3D%25%2B";

	form_init(&f);
	cr_assert_eq(form_parse(body, strlen(body), &post_limits, &f),
	    FORM_OK);
	cr_assert_str_eq(form_get(&f, "request"),
	    "abcDEF-_0123456789abcdefghijklmnopqrstuvw");
	cr_assert_str_eq(form_get(&f, "csrf"),
	    "ZYX-_9876543210zyxwvutsrqponmlkjihgfedcbaZ");
	cr_assert_str_eq(form_get(&f, "action"), "login");
	cr_assert_str_eq(form_get(&f, "username"), "alice@example.com");
	cr_assert_str_eq(form_get(&f, "password"),
	    "p&ss w\xc3\xb6rd=%+");
	form_free(&f);
}

Test(session, consent_post_and_its_abuses)
{
	struct form	 f;
	char		 body[4096];
	size_t		 i;

	form_init(&f);
	cr_assert_eq(form_parse("request=r&csrf=c&action=approve", 31,
	    &post_limits, &f), FORM_OK);
	cr_assert_str_eq(form_get(&f, "action"), "approve");
	/* Two actions in one POST (a button plus an injected field). */
	cr_assert_eq(form_parse("request=r&csrf=c&action=deny&action=approve",
	    43, &post_limits, &f), FORM_EDUP);
	cr_assert_str_eq(f.bad_name, "action");
	cr_assert_eq(form_parse("csrf=a&csrf=b", 13, &post_limits, &f),
	    FORM_EDUP);
	/* An empty CSRF field counts as missing (RFC 6749 §3.1). */
	cr_assert_eq(form_parse("request=r&csrf=&action=approve", 30,
	    &post_limits, &f), FORM_OK);
	cr_assert_null(form_get(&f, "csrf"));
	cr_assert_eq(form_parse("request=r&csrf=%00&action=approve", 33,
	    &post_limits, &f), FORM_ENUL);
	/* Limits: 16 fields, 32-byte names, 2048-byte values. */
	body[0] = '\0';
	for (i = 0; i < 17; i++)
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
		    "%sf%zu=1", i ? "&" : "", i);
	cr_assert_eq(form_parse(body, strlen(body), &post_limits, &f),
	    FORM_ECOUNT);
	snprintf(body, sizeof(body), "%033d=1", 0);
	cr_assert_eq(form_parse(body, strlen(body), &post_limits, &f),
	    FORM_ENAME);
	strcpy(body, "password=");
	memset(body + 9, 'p', 2049);
	body[9 + 2049] = '\0';
	cr_assert_eq(form_parse(body, strlen(body), &post_limits, &f),
	    FORM_EVALUE);
	cr_assert_str_eq(f.bad_name, "password");
	body[9 + 2048] = '\0';
	cr_assert_eq(form_parse(body, strlen(body), &post_limits, &f),
	    FORM_OK);
	form_free(&f);
}

Test(session, cookies_a_browser_sends_back)
{
	char	 v[64];
	static const char hdr[] = "theme=dark; "
	    "mcp_session=plainvalue; "
	    "__Host-mcp_browser=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB; "
	    "__Host-mcp_session=SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS";

	cr_assert_eq(cookie_get(hdr, "__Host-mcp_session", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS");
	cr_assert_eq(cookie_get(hdr, "__Host-mcp_browser", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
	/* The unprefixed name is another cookie (a subdomain could set it). */
	cr_assert_eq(cookie_get(hdr, "mcp_session", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "plainvalue");
	cr_assert_eq(cookie_get("__host-mcp_session=x", "__Host-mcp_session",
	    v, sizeof(v)), 0);
	cr_assert_eq(cookie_get("x__Host-mcp_session=x", "__Host-mcp_session",
	    v, sizeof(v)), 0);
	/* A value too long for the session buffer is refused, not cut. */
	cr_assert_eq(cookie_get("__Host-mcp_session="
	    "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS",
	    "__Host-mcp_session", v, sizeof(v)), -1);
}
