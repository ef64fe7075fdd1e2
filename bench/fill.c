/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * bench-fill: fills a database through the library (not through HTTP)
 * for the benchmarks.
 *
 *   bench-fill CONFIG CLIENT_ID USER MODE COUNT [OUT]
 *
 * MODE is one of:
 *
 *   tokens   COUNT grants, each created and redeemed exactly as
 *            /authorize and /token do it (grant_issue_code, then
 *            grant_exchange_code with the PKCE verifier): one live
 *            access token and, for a client that registered the
 *            refresh_token grant, one refresh token per grant.
 *   refresh  the same, and writes each grant's refresh token to OUT,
 *            one a line (fresh refresh tokens for the /token benchmark).
 *   codes    COUNT authorization codes, not redeemed, written to OUT one
 *            a line; each was issued with the challenge of the verifier
 *            BENCH_VERIFIER below and the client's first redirect URI.
 *
 * CLIENT_ID must be registered (the benchmark registers one through
 * /register) and USER is the grants' user (the tokens are checked
 * against neither).  The records are written in large transactions
 * without syncing each commit (store_set_nosync), for speed: the
 * environment is synced once at the end (store_sync), so the database
 * is durable when the program exits.
 * The servers' own writes are unaffected: the flag belongs to this
 * process's environment handle only.
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

#define BENCH_VERIFIER	"bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
#define BATCH		100000

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench-fill: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct config		*cfg;
	struct store		*st;
	struct store_txn	*t;
	struct client		 client;
	struct code_request	 req;
	struct token_response	 out;
	struct oauth_error	 e;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 err[CONFIG_ERR_MAX > STORE_ERR_MAX ?
				    CONFIG_ERR_MAX : STORE_ERR_MAX];
	char			 challenge[64], code[TOKEN_MAX];
	char			 grant_id[GRANT_ID_LEN + 1];
	const char		*mode;
	FILE			*fp = NULL;
	long			 count, i;
	int64_t			 now = (int64_t)time(NULL);
	int			 rc, redeem;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: bench-fill CONFIG CLIENT_ID USER "
		    "tokens|refresh|codes COUNT [OUT]\n");
		return 2;
	}
	mode = argv[4];
	count = strtol(argv[5], NULL, 10);
	if (strcmp(mode, "tokens") != 0 && strcmp(mode, "refresh") != 0 &&
	    strcmp(mode, "codes") != 0)
		die("unknown mode %s", mode);
	redeem = strcmp(mode, "codes") != 0;
	if (strcmp(mode, "tokens") != 0) {
		if (argc != 7)
			die("mode %s needs an output file", mode);
		if ((fp = fopen(argv[6], "w")) == NULL)
			die("cannot write %s", argv[6]);
	}
	if (config_load(argv[1], &cfg, err, sizeof(err)) != CONFIG_OK)
		die("%s", err);
	if (store_open(cfg->db_path, cfg->db_map_size, 0, &st, err,
	    sizeof(err)) != STORE_OK)
		die("%s", err);
	if (store_set_nosync(st, 1) != STORE_OK)
		die("%s", "cannot turn off syncing");

	client_init(&client);
	if (store_begin(st, 1, &t) != STORE_OK ||
	    store_client_get(t, argv[2], &client) != STORE_OK)
		die("no client %s", argv[2]);
	store_abort(t);
	if (client.nredirect_uris == 0)
		die("client %s has no redirect URI", argv[2]);

	if (crypto_sha256_str(BENCH_VERIFIER, h) != CRYPTO_OK)
		die("%s", "SHA-256 failed");
	base64url_encode(h, sizeof(h), challenge, sizeof(challenge));
	memset(&req, 0, sizeof(req));
	req.user = argv[3];
	req.client = &client;
	req.redirect_uri = client.redirect_uris[0];
	req.redirect_explicit = 1;
	req.challenge = challenge;
	req.scope = client.scope != NULL && *client.scope != '\0' ?
	    client.scope : "mcp notes:read notes:write";
	req.resource = cfg->mcp_url;

	for (i = 0; i < count; ) {
		long	 end = i + BATCH < count ? i + BATCH : count;

		if (store_begin(st, 0, &t) != STORE_OK)
			die("%s", "cannot begin a write transaction");
		for (; i < end; i++) {
			rc = grant_issue_code(t, cfg, &req, now, code,
			    sizeof(code), grant_id);
			if (rc != STORE_OK)
				die("grant_issue_code: %s",
				    store_strerror(rc));
			if (!redeem) {
				fprintf(fp, "%s\n", code);
				continue;
			}
			if (grant_exchange_code(t, cfg, &client, code,
			    req.redirect_uri, BENCH_VERIFIER, NULL, now, &out,
			    &e) != 0)
				die("grant_exchange_code: %s", e.description);
			if (fp != NULL) {
				if (!out.has_refresh)
					die("client %s has no refresh_token "
					    "grant", argv[2]);
				fprintf(fp, "%s\n", out.refresh_token);
			}
		}
		if ((rc = store_commit(t)) != STORE_OK)
			die("commit: %s", store_strerror(rc));
	}
	if (store_sync(st) != STORE_OK)
		die("%s", "sync failed");
	if (fp != NULL && fclose(fp) != 0)
		die("cannot write %s", argv[6]);
	client_free(&client);
	store_close(st);
	config_free(cfg);
	return 0;
}
