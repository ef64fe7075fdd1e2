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
 *   access   COUNT active grants with one live access token each and
 *            nothing else (no code, no refresh token), written
 *            directly (access_seed() below): two to three times
 *            faster than "tokens", and half the database, for
 *            bench-validate.  OUT receives a sample
 *            of the tokens spread evenly over them, at most
 *            ACCESS_SAMPLE lines.
 *
 * CLIENT_ID must be registered (the benchmark registers one through
 * /register), except in access mode, which only writes it into the
 * records; USER is the grants' user (the tokens are checked against
 * neither).  The records are written in large transactions
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

#include "lib/buf.h"
#include "lib/client.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/grant.h"
#include "lib/oauth.h"
#include "lib/record.h"
#include "lib/store.h"

#define BENCH_VERIFIER	"bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
#define BATCH		100000
#define ACCESS_SAMPLE	65536
#define ACCESS_PREFIX	"mcpat_"	/* as grant.c mints them */

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench-fill: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/*
 * One active grant and its access token, with the records and indexes
 * an authorization code exchange leaves for them (grant.c:
 * grant_issue_code, token_issue), minus the used code and the refresh
 * token.  The token record is written here in grant.c's format, which
 * is private to grant.c: bench-validate checks every token it uses
 * with bearer_validate(), so a change of format shows at once.
 */
static int
access_seed(struct store_txn *t, const struct config *cfg, const char *user,
    const char *client_id, const char *scope, int64_t now, char *token,
    size_t tokensz)
{
	struct grant	 g;
	struct buf	 b;
	unsigned char	 raw[GRANT_ID_LEN / 2], h[CRYPTO_SHA256_LEN];
	unsigned char	 index[INDEX_VALUE_LEN];
	int64_t		 expires = now + cfg->access_token_lifetime;
	int		 rc;

	memset(&g, 0, sizeof(g));
	if (crypto_random(raw, sizeof(raw)) != CRYPTO_OK ||
	    crypto_random_token(ACCESS_PREFIX, 32, token, tokensz) !=
	    CRYPTO_OK || crypto_sha256_str(token, h) != CRYPTO_OK)
		return STORE_ERROR;
	hex_encode(raw, sizeof(raw), g.id);
	g.flags = GRANT_ACTIVE;
	g.user = (char *)user;
	g.client_id = (char *)client_id;
	g.scope = (char *)scope;
	g.resource = cfg->mcp_url;
	g.created = now;
	g.expires = expires;
	if ((rc = store_grant_put(t, &g)) != STORE_OK ||
	    (rc = store_put(t, DB_USER_GRANTS, user, strlen(user), g.id,
	    GRANT_ID_LEN, STORE_NODUPDATA)) != STORE_OK ||
	    (rc = store_put(t, DB_CLIENT_GRANTS, client_id, strlen(client_id),
	    g.id, GRANT_ID_LEN, STORE_NODUPDATA)) != STORE_OK)
		return rc;
	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, TOKEN_ACCESS);
	rec_put_str(&b, g.id);
	rec_put_str(&b, user);
	rec_put_str(&b, client_id);
	rec_put_str(&b, scope);
	rec_put_str(&b, cfg->mcp_url);
	rec_put_i64(&b, now);
	rec_put_i64(&b, expires);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_TOKENS, h,
	    CRYPTO_SHA256_LEN, b.data, b.len, STORE_NOOVERWRITE);
	buf_free(&b);
	if (rc != STORE_OK)
		return rc;
	index[0] = INDEX_ACCESS;
	memcpy(index + 1, h, CRYPTO_SHA256_LEN);
	return store_put(t, DB_GRANT_TOKENS, g.id, GRANT_ID_LEN, index,
	    sizeof(index), STORE_NODUPDATA);
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
	long			 count, i, stride = 1;
	int64_t			 now = (int64_t)time(NULL);
	int			 rc, redeem, access;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: bench-fill CONFIG CLIENT_ID USER "
		    "tokens|refresh|codes|access COUNT [OUT]\n");
		return 2;
	}
	mode = argv[4];
	count = strtol(argv[5], NULL, 10);
	if (strcmp(mode, "tokens") != 0 && strcmp(mode, "refresh") != 0 &&
	    strcmp(mode, "codes") != 0 && strcmp(mode, "access") != 0)
		die("unknown mode %s", mode);
	redeem = strcmp(mode, "codes") != 0;
	access = strcmp(mode, "access") == 0;
	if (access && count > ACCESS_SAMPLE)
		stride = (count + ACCESS_SAMPLE - 1) / ACCESS_SAMPLE;
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
	if (access) {
		for (i = 0; i < count; ) {
			long	 end = i + BATCH < count ? i + BATCH : count;

			if (store_begin(st, 0, &t) != STORE_OK)
				die("%s", "cannot begin a write transaction");
			for (; i < end; i++) {
				if ((rc = access_seed(t, cfg, argv[3], argv[2],
				    "mcp notes:read notes:write", now, code,
				    sizeof(code))) != STORE_OK)
					die("access token: %s",
					    store_strerror(rc));
				if (i % stride == 0)
					fprintf(fp, "%s\n", code);
			}
			if ((rc = store_commit(t)) != STORE_OK)
				die("commit: %s", store_strerror(rc));
		}
		goto done;
	}

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
done:
	if (store_sync(st) != STORE_OK)
		die("%s", "sync failed");
	if (fp != NULL && fclose(fp) != 0)
		die("cannot write %s", argv[6]);
	if (!access)
		client_free(&client);
	store_close(st);
	config_free(cfg);
	return 0;
}
