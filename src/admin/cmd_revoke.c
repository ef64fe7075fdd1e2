/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * revoke: kills tokens now, in every process (see revocation.h for the
 * two phases).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/crypto.h"
#include "../lib/grant.h"
#include "../lib/revocation.h"
#include "../lib/store.h"
#include "admin.h"

/*
 * Reads a token from standard input ("--token -"), so that it appears
 * in no process list and no shell history.  Returns 0, -1 when there
 * is none, or -2 when it is longer than outsz - 1 bytes.
 */
static int
read_token(char *out, size_t outsz)
{
	size_t	 n = 0;
	ssize_t	 r;
	char	 c;

	while ((r = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n') {
		if (n + 1 >= outsz)
			return -2;
		out[n++] = c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/*
 * The longest token worth looking up is a JWT access token
 * (access_token_format = jwt), stored like an opaque one under the
 * SHA-256 of the whole token: the limit is the one /mcp's bearer check
 * and /revoke apply, ACCESS_TOKEN_MAX.  Refresh tokens and codes are
 * much shorter.
 */
static void
too_long(void)
{
	admin_err("no such token: it is longer than %d bytes, the most an "
	    "access token may have", ACCESS_TOKEN_MAX);
}

static const char *
kind_name(int kind)
{
	return kind == INDEX_REFRESH ? "refresh token" : kind == INDEX_CODE ?
	    "authorization code" : "access token";
}

/*
 * revoke --token TOKEN|- | --grant ID | --user NAME | --client ID | --all
 */
int
cmd_revoke(struct admin *a, int argc, char **argv)
{
	struct revoke_result	 r;
	struct json_object	*o;
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	char			 token[ACCESS_TOKEN_MAX + 3];
	const char		*what = NULL, *val = NULL, *v, *cur;
	static const char *const opts[] = { "--token", "--grant", "--user",
	    "--client" };
	size_t			 j;
	int			 i, n, rc, kind = 0;

	for (i = 1; i < argc; i++) {
		cur = NULL;
		v = NULL;
		if (strcmp(argv[i], "--all") == 0)
			cur = "--all";
		for (j = 0; cur == NULL && j < sizeof(opts) / sizeof(opts[0]);
		    j++) {
			if ((n = admin_opt(argc, argv, &i, opts[j], &v)) < 0)
				return EXIT_USAGE;
			if (n > 0)
				cur = opts[j];
		}
		if (cur == NULL) {
			admin_err("unknown argument %s", argv[i]);
			return EXIT_USAGE;
		}
		if (what != NULL)
			goto twice;
		what = cur;
		val = v;
	}
	if (what == NULL) {
		admin_err("say what to revoke");
		return EXIT_USAGE;
	}
	if (strcmp(what, "--token") == 0) {
		if (strcmp(val, "-") == 0) {
			/*
			 * Room for a CR, and for one byte more than
			 * the limit to tell a token that is too long.
			 */
			rc = read_token(token, sizeof(token));
			if (rc == -2 || (rc == 0 &&
			    strlen(token) > ACCESS_TOKEN_MAX)) {
				crypto_wipe(token, sizeof(token));
				too_long();
				return EXIT_FAIL;
			}
			if (rc == -1) {
				admin_err("no token on standard input");
				return EXIT_FAIL;
			}
		} else if (strlen(val) > ACCESS_TOKEN_MAX) {
			too_long();
			return EXIT_FAIL;
		} else
			snprintf(token, sizeof(token), "%s", val);
		rc = crypto_sha256_str(token, hash);
		crypto_wipe(token, sizeof(token));
		if (rc != CRYPTO_OK) {
			admin_err("cannot hash the token");
			return EXIT_FAIL;
		}
	}
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;

	memset(&r, 0, sizeof(r));
	if (strcmp(what, "--token") == 0)
		rc = revoke_token_hash(a->store, hash, &kind, &r);
	else if (strcmp(what, "--grant") == 0)
		rc = revoke_grant(a->store, val, &r);
	else if (strcmp(what, "--user") == 0)
		rc = revoke_user(a->store, val, &r);
	else if (strcmp(what, "--client") == 0)
		rc = revoke_client(a->store, val, &r);
	else
		rc = revoke_all(a->store, &r);
	crypto_wipe(hash, sizeof(hash));
	admin_map_warning(a);
	if (rc == STORE_NOTFOUND) {
		if (strcmp(what, "--token") == 0)
			admin_err("no such token: it is unknown, expired and "
			    "purged, or already revoked");
		else
			admin_err("no such %s: %s", what + 2, val);
		return EXIT_FAIL;
	}
	if (rc != STORE_OK)
		return admin_store_fail(a, "revocation failed (what was "
		    "revoked before the failure stays revoked)", rc);
	if (a->json) {
		o = admin_revoke_json(&r);
		if (kind != 0)
			json_object_object_add(o, "token_kind",
			    json_object_new_string(kind == INDEX_REFRESH ?
			    "refresh" : kind == INDEX_CODE ? "code" :
			    "access"));
		admin_json_print(o);
		return EXIT_OK;
	}
	fputs("revoked ", stdout);
	if (kind != 0)
		printf("the %s: ", kind_name(kind));
	admin_revoke_print(&r);
	fputs("\n", stdout);
	return EXIT_OK;
twice:
	admin_err("revoke one thing at a time: --token, --grant, --user, "
	    "--client or --all");
	return EXIT_USAGE;
}
