/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Helpers shared by the commands that list, revoke and maintain:
 * option values, transactions and database failures, and listings that
 * stream (a listing of a million tokens is never held in memory).
 * They build on util.c; util.c needs nothing from here.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/crypto.h"
#include "../lib/maproom.h"
#include "../lib/revocation.h"
#include "../lib/store.h"
#include "admin.h"

int64_t
admin_now(void)
{
	return (int64_t)time(NULL);
}

/*
 * Whether argv[*i] is option name, and its value: "--name VALUE" or
 * "--name=VALUE".  Returns 1 with *val set, 0 if it is another
 * argument, -1 (after a message) if the value is missing.
 */
int
admin_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t	 n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		admin_err("%s needs a value", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

/*
 * One message for a failed database operation: what failed and why,
 * and on a full map what to do about it.
 */
int
admin_store_fail(struct admin *a, const char *what, int rc)
{
	if (rc == STORE_FULL)
		admin_err("%s: the database is full (db_map_size = %zu MiB): "
		    "raise db_map_size in %s (e.g. db_map_size = %zuM), then "
		    "run mcp-oauth-admin purge", what,
		    a->cfg->db_map_size >> 20, a->config_path,
		    (a->cfg->db_map_size >> 20) * 2);
	else
		admin_err("%s: %s", what, store_strerror(rc));
	return EXIT_FAIL;
}

/*
 * Opens the database (admin_open) and begins a transaction on it,
 * read-only if rdonly.  Says why not and returns -1 on failure.
 */
int
admin_begin(struct admin *a, int rdonly, struct store_txn **t)
{
	int	 rc;

	if (admin_open(a, 0) == -1)
		return -1;
	if ((rc = store_begin(a->store, rdonly, t)) != STORE_OK) {
		admin_store_fail(a, "cannot open a transaction", rc);
		return -1;
	}
	return 0;
}

/* A warning when a deleting command had to grow the map. */
void
admin_map_warning(struct admin *a)
{
	if (a->store == NULL ||
	    store_map_in_use(a->store) <= a->cfg->db_map_size)
		return;
	admin_err("warning: the database was full; this command used up to "
	    "%zu MiB beyond db_map_size to make room.  Raise db_map_size in "
	    "%s", maproom_headroom(a->cfg->db_map_size) >> 20,
	    a->config_path);
}

/* The first 12 hex digits of a hash: enough to tell, never the secret. */
void
admin_hash_prefix(const unsigned char *hash, char *out)
{
	char	 hex[2 * CRYPTO_SHA256_LEN + 1];

	hex_encode(hash, CRYPTO_SHA256_LEN, hex);
	memcpy(out, hex, ADMIN_HASH_PREFIX);
	out[ADMIN_HASH_PREFIX] = '\0';
}

/*
 * A JSON array printed element by element.  Each element is one
 * complete JSON value, released after printing.
 */
void
admin_list_begin(struct admin_list *l, int json)
{
	l->json = json;
	l->count = 0;
	if (json)
		fputs("[", stdout);
}

void
admin_list_add(struct admin_list *l, struct json_object *o)
{
	if (l->count++ > 0)
		fputs(",", stdout);
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
	json_object_put(o);
}

void
admin_list_end(struct admin_list *l)
{
	if (l->json)
		fputs("]\n", stdout);
}

/* The counts of a revocation as a JSON object. */
struct json_object *
admin_revoke_json(const struct revoke_result *r)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "grants",
	    json_object_new_int64((int64_t)r->n.grants));
	json_object_object_add(o, "access_tokens",
	    json_object_new_int64((int64_t)r->n.access_tokens));
	json_object_object_add(o, "refresh_tokens",
	    json_object_new_int64((int64_t)r->n.refresh_tokens));
	json_object_object_add(o, "codes",
	    json_object_new_int64((int64_t)r->n.codes));
	json_object_object_add(o, "sessions",
	    json_object_new_int64((int64_t)r->sessions));
	return o;
}

/* "2 grants, 3 access tokens, 2 refresh tokens, 0 codes, 1 session" */
void
admin_revoke_print(const struct revoke_result *r)
{
	printf("%lu grant%s, %lu access token%s, %lu refresh token%s, "
	    "%lu code%s, %lu sign-in session%s",
	    r->n.grants, r->n.grants == 1 ? "" : "s",
	    r->n.access_tokens, r->n.access_tokens == 1 ? "" : "s",
	    r->n.refresh_tokens, r->n.refresh_tokens == 1 ? "" : "s",
	    r->n.codes, r->n.codes == 1 ? "" : "s",
	    r->sessions, r->sessions == 1 ? "" : "s");
}
