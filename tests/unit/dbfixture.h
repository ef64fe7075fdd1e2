/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * A real LMDB environment with clients, users and grants made through
 * the library as /authorize and /token make them, for the tests of
 * revocation, purge, check and stats.  Times are passed in.
 */
#ifndef MCP_DBFIXTURE_H
#define MCP_DBFIXTURE_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "testutil.h"

#define FX_VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define FX_CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define FX_REDIRECT	"http://127.0.0.1:9999/callback"
#define FX_T0		1700000000
/* Lifetimes: code 60 s, access 600 s, refresh (and grant) 3600 s. */
#define FX_CODE_LIFE	60
#define FX_ACCESS_LIFE	600
#define FX_REFRESH_LIFE	3600

static char		*fx_dir;
static struct config	*fx_cfg;
static struct store	*fx_st;
static struct client	 fx_app, fx_other;

/* What one grant handed out. */
struct fx_grant {
	char		 id[GRANT_ID_LEN + 1];
	char		 code[TOKEN_MAX];
	char		 access[TOKEN_MAX];	/* the latest */
	char		 refresh[TOKEN_MAX];	/* the latest */
};

static inline void
fx_client(struct client *c, const char *id)
{
	struct store_txn	*t;
	char			*uris[] = { FX_REDIRECT };
	char			 why[256];

	client_init(c);
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->auth_method = CLIENT_AUTH_NONE;
	c->grant_types = CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH;
	c->response_types = CLIENT_RESPONSE_CODE;
	c->created = FX_T0;
	cr_assert_eq(client_set_redirect_uris(c, uris, 1, why, sizeof(why)),
	    CLIENT_OK, "%s", why);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, c, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static inline void
fx_user(const char *name)
{
	struct store_txn	*t;
	struct user		 u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.password_hash = "not-a-hash";
	u.created = u.updated = FX_T0;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

/* Opens a fresh environment of map_size bytes with two clients. */
static inline void
fx_open(size_t map_size)
{
	char	 text[512], err[STORE_ERR_MAX];

	fx_dir = testutil_tmpdir();
	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\ncode_lifetime = %d\naccess_token_lifetime = %d\n"
	    "refresh_token_lifetime = %d\ndb_map_size = %zu\n", fx_dir,
	    FX_CODE_LIFE, FX_ACCESS_LIFE, FX_REFRESH_LIFE, map_size);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &fx_cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(fx_cfg->db_path, fx_cfg->db_map_size,
	    STORE_OPEN_CREATE, &fx_st, err, sizeof(err)), STORE_OK, "%s",
	    err);
	fx_client(&fx_app, "mcpc_app");
	fx_client(&fx_other, "mcpc_other");
	fx_user("alice");
	fx_user("bob");
}

static inline void
fx_setup(void)
{
	fx_open(16 * 1024 * 1024);
}

static inline void
fx_teardown(void)
{
	client_free(&fx_app);
	client_free(&fx_other);
	store_close(fx_st);
	fx_st = NULL;
	config_free(fx_cfg);
	fx_cfg = NULL;
	testutil_rmdir(fx_dir);
	fx_dir = NULL;
}

/*
 * A grant of user to client at now: a code and, unless code_only, its
 * exchange and refreshes refreshes (each one more access and refresh
 * token; the rotated ones stay until they expire).  Returns the store
 * error of the first failing step inside t (STORE_FULL on a full map).
 */
static inline int
fx_grant_in(struct store_txn *t, const char *user, const struct client *c,
    int64_t now, int refreshes, int code_only, struct fx_grant *g)
{
	struct code_request	 req;
	struct token_response	 tr;
	struct oauth_error	 e;
	char			 rt[TOKEN_MAX];
	int			 i, rc;

	memset(&req, 0, sizeof(req));
	memset(g, 0, sizeof(*g));
	req.user = user;
	req.client = c;
	req.redirect_uri = FX_REDIRECT;
	req.redirect_explicit = 1;
	req.challenge = FX_CHALLENGE;
	req.scope = "mcp";
	req.resource = fx_cfg->mcp_url;
	if ((rc = grant_issue_code(t, fx_cfg, &req, now, g->code,
	    sizeof(g->code), g->id)) != STORE_OK || code_only)
		return rc;
	memset(&e, 0, sizeof(e));
	if (grant_exchange_code(t, fx_cfg, c, g->code, FX_REDIRECT,
	    FX_VERIFIER, NULL, now, &tr, &e) != 0)
		return e.status == 503 ? STORE_FULL : STORE_ERROR;
	for (i = 0; i < refreshes; i++) {
		memcpy(rt, tr.refresh_token, sizeof(rt));
		if (grant_refresh(t, fx_cfg, c, rt, NULL, NULL, now, &tr,
		    &e) != 0)
			return e.status == 503 ? STORE_FULL : STORE_ERROR;
	}
	memcpy(g->access, tr.access_token, sizeof(g->access));
	memcpy(g->refresh, tr.refresh_token, sizeof(g->refresh));
	return STORE_OK;
}

static inline void
fx_grant(const char *user, const struct client *c, int64_t now,
    int refreshes, struct fx_grant *g)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(fx_grant_in(t, user, c, now, refreshes, 0, g),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

/*
 * Whether a raw token would pass at /mcp or /token now: its record
 * exists and so does its grant (what bearer.c and grant.c check).
 */
static inline int
fx_token_works(const char *tok)
{
	struct store_txn	*t;
	struct token		 rec;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	struct store_val	 v;
	int			 rc;

	cr_assert_eq(crypto_sha256_str(tok, h), CRYPTO_OK);
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	rc = store_token_get(t, h, &rec);
	if (rc == STORE_OK) {
		rc = store_get(t, DB_GRANTS, rec.grant_id,
		    strlen(rec.grant_id), &v);
		token_free(&rec);
	}
	store_abort(t);
	cr_assert(rc == STORE_OK || rc == STORE_NOTFOUND);
	return rc == STORE_OK;
}

/* Whether a record is stored at all (dead or alive). */
static inline int
fx_stored(enum store_db db, const void *key, size_t klen)
{
	struct store_txn	*t;
	struct store_val	 v;
	int			 rc;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	rc = store_get(t, db, key, klen, &v);
	store_abort(t);
	return rc == STORE_OK;
}

static inline int
fx_token_stored(const char *tok)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];

	cr_assert_eq(crypto_sha256_str(tok, h), CRYPTO_OK);
	return fx_stored(DB_TOKENS, h, sizeof(h));
}

static inline size_t
fx_entries(enum store_db db)
{
	struct store_txn	*t;
	size_t			 n;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_entries(t, db, &n), STORE_OK);
	store_abort(t);
	return n;
}

/* The number of duplicates under key in an index database. */
static inline size_t
fx_dups(enum store_db db, const char *key)
{
	struct store_txn	*t;
	size_t			 n;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_dup_count(t, db, key, strlen(key), &n), STORE_OK);
	store_abort(t);
	return n;
}

#endif
