/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * bench-admin-scale: fills a database through the library, the way
 * /authorize and /token do it, for bench/admin-scale (which times the
 * admin tool on it).
 *
 *   bench-admin-scale CONFIG USERS GRANTS REFRESHES [AGE]
 *
 * Creates one client per 100 grants of a user, USERS users named u0,
 * u1, ..., and for each user GRANTS grants: an authorization code,
 * redeemed with its PKCE verifier (an access and a refresh token),
 * then refreshed REFRESHES times with the current refresh token (two
 * more tokens each; rotated tokens stay until they expire, as they do
 * on a real server).  A user thus holds GRANTS * (2 + 2 * REFRESHES)
 * tokens plus GRANTS used codes.
 *
 * With AGE (seconds), everything is issued AGE seconds ago: with an
 * AGE beyond the configured lifetimes, every record has expired (the
 * purge benchmark).
 *
 * The records are written without syncs in large transactions, for
 * speed, and synced once at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/client.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/grant.h"
#include "lib/oauth.h"
#include "lib/store.h"
#include "lib/user.h"

#define VERIFIER	"admin-scale-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
#define REDIRECT	"http://127.0.0.1:9999/callback"
#define SCOPE		"mcp notes:read notes:write"
#define PER_CLIENT	100
#define PER_TXN		100	/* grants per transaction */

static void
die(const char *what, int rc)
{
	fprintf(stderr, "bench-admin-scale: %s: %s\n", what,
	    store_strerror(rc));
	exit(1);
}

static void
make_client(struct store *st, const char *id)
{
	struct store_txn	*t;
	struct client		 c;
	char			*uris[] = { REDIRECT };
	char			 why[256];
	int			 rc;

	client_init(&c);
	snprintf(c.id, sizeof(c.id), "%s", id);
	c.auth_method = CLIENT_AUTH_NONE;
	c.grant_types = CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH;
	c.response_types = CLIENT_RESPONSE_CODE;
	c.created = time(NULL);
	if (client_set_redirect_uris(&c, uris, 1, why, sizeof(why)) !=
	    CLIENT_OK) {
		fprintf(stderr, "bench-admin-scale: %s\n", why);
		exit(1);
	}
	if ((rc = store_begin(st, 0, &t)) != STORE_OK ||
	    (rc = store_client_put(t, &c, 1)) != STORE_OK ||
	    (rc = store_commit(t)) != STORE_OK)
		die("client", rc);
	client_free(&c);
}

/* One grant: code, exchange, refreshes. */
static void
one_grant(struct store_txn *t, const struct config *cfg,
    const struct client *c, const char *user, const char *challenge,
    long refreshes, int64_t now)
{
	struct code_request	 req;
	struct token_response	 out;
	struct oauth_error	 e;
	char			 code[TOKEN_MAX], id[GRANT_ID_LEN + 1];
	char			 refresh[TOKEN_MAX];
	long			 r;
	int			 rc;

	memset(&req, 0, sizeof(req));
	req.user = user;
	req.client = c;
	req.redirect_uri = REDIRECT;
	req.redirect_explicit = 1;
	req.challenge = challenge;
	req.scope = SCOPE;
	req.resource = cfg->mcp_url;
	if ((rc = grant_issue_code(t, cfg, &req, now, code, sizeof(code),
	    id)) != STORE_OK)
		die("grant_issue_code", rc);
	if (grant_exchange_code(t, cfg, c, code, REDIRECT, VERIFIER, NULL,
	    now, &out, &e) != 0) {
		fprintf(stderr, "bench-admin-scale: exchange: %s\n",
		    e.description);
		exit(1);
	}
	for (r = 0; r < refreshes; r++) {
		memcpy(refresh, out.refresh_token, sizeof(refresh));
		if (grant_refresh(t, cfg, c, refresh, NULL, NULL, now, &out,
		    &e) != 0) {
			fprintf(stderr, "bench-admin-scale: refresh: %s\n",
			    e.description);
			exit(1);
		}
	}
}

int
main(int argc, char *argv[])
{
	struct config		*cfg;
	struct store		*st;
	struct store_txn	*t;
	struct client		 c;
	struct user		 u;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 err[CONFIG_ERR_MAX > STORE_ERR_MAX ?
				    CONFIG_ERR_MAX : STORE_ERR_MAX];
	char			 challenge[64], name[32], cid[32];
	long			 users, grants, refreshes, i, j;
	int64_t			 now = (int64_t)time(NULL);
	int			 rc;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: bench-admin-scale CONFIG USERS GRANTS "
		    "REFRESHES [AGE]\n");
		return 2;
	}
	users = strtol(argv[2], NULL, 10);
	grants = strtol(argv[3], NULL, 10);
	refreshes = strtol(argv[4], NULL, 10);
	if (argc == 6)
		now -= strtol(argv[5], NULL, 10);
	if (config_load(argv[1], &cfg, err, sizeof(err)) != CONFIG_OK ||
	    store_open(cfg->db_path, cfg->db_map_size, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "bench-admin-scale: %s\n", err);
		return 1;
	}
	if (store_set_nosync(st, 1) != STORE_OK) {
		fprintf(stderr, "bench-admin-scale: cannot turn off syncing\n");
		return 1;
	}
	if (crypto_sha256_str(VERIFIER, h) != CRYPTO_OK)
		return 1;
	base64url_encode(h, sizeof(h), challenge, sizeof(challenge));
	for (j = 0; j < (grants + PER_CLIENT - 1) / PER_CLIENT; j++) {
		snprintf(cid, sizeof(cid), "mcpc_bench%ld", j);
		make_client(st, cid);
	}
	for (i = 0; i < users; i++) {
		snprintf(name, sizeof(name), "u%ld", i);
		memset(&u, 0, sizeof(u));
		snprintf(u.name, sizeof(u.name), "%s", name);
		u.password_hash = "not-a-hash";
		u.created = u.updated = now;
		if ((rc = store_begin(st, 0, &t)) != STORE_OK ||
		    (rc = store_user_put(t, &u, 1)) != STORE_OK ||
		    (rc = store_commit(t)) != STORE_OK)
			die("user", rc);
		for (j = 0; j < grants; j++) {
			if (j % PER_CLIENT == 0) {
				snprintf(cid, sizeof(cid), "mcpc_bench%ld",
				    j / PER_CLIENT);
				client_init(&c);
				if ((rc = store_begin(st, 1, &t)) != STORE_OK ||
				    (rc = store_client_get(t, cid, &c)) !=
				    STORE_OK)
					die("client", rc);
				store_abort(t);
			}
			if (j % PER_TXN == 0 &&
			    (rc = store_begin(st, 0, &t)) != STORE_OK)
				die("begin", rc);
			one_grant(t, cfg, &c, name, challenge, refreshes,
			    now);
			if ((j % PER_TXN == PER_TXN - 1 || j == grants - 1) &&
			    (rc = store_commit(t)) != STORE_OK)
				die("commit", rc);
			if (j % PER_CLIENT == PER_CLIENT - 1 ||
			    j == grants - 1)
				client_free(&c);
		}
	}
	if (store_sync(st) != STORE_OK) {
		fprintf(stderr, "bench-admin-scale: sync failed\n");
		return 1;
	}
	store_close(st);
	config_free(cfg);
	return 0;
}
