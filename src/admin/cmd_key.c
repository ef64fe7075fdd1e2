/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * key generate|rotate|list: the JWT signing keys of the built-in
 * authorization server (access_token_format = jwt).  No command ever
 * prints a private key: it never leaves the database.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/jose.h"
#include "../lib/signkey.h"
#include "../lib/store.h"
#include "admin.h"

static int
parse_alg(int argc, char **argv, enum jose_alg *alg)
{
	*alg = JOSE_ES256;
	if (argc == 2)
		return 0;
	if (argc == 4 && strcmp(argv[2], "--alg") == 0) {
		*alg = jose_alg_parse(argv[3]);
		if (*alg == JOSE_ALG_UNKNOWN) {
			admin_err("unknown algorithm %s: use ES256, EdDSA, "
			    "RS256 or PS256", argv[3]);
			return -1;
		}
		return 0;
	}
	return -1;
}

static int
key_new(struct admin *a, enum jose_alg alg, int rotate)
{
	struct store_txn	*t;
	struct signkey		 k, old;
	int			 rc, had;

	if (admin_begin(a, 0, &t) == -1)
		return EXIT_FAIL;
	had = signkey_active(t, &old) == STORE_OK;
	if (had && !rotate) {
		store_abort(t);
		admin_err("a signing key already exists (%s): use key rotate",
		    old.kid);
		signkey_free(&old);
		return EXIT_FAIL;
	}
	if (had && rotate && alg == JOSE_ALG_UNKNOWN)
		alg = old.alg;
	if (had)
		signkey_free(&old);
	if (alg == JOSE_ALG_UNKNOWN)
		alg = JOSE_ES256;
	rc = signkey_rotate(t, alg, time(NULL), &k);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc != STORE_OK)
		return admin_store_fail(a, "cannot store the key", rc);
	if (a->json) {
		json_object	*o = json_object_new_object();

		json_object_object_add(o, "kid", json_object_new_string(k.kid));
		json_object_object_add(o, "alg",
		    json_object_new_string(jose_alg_name(k.alg)));
		json_object_object_add(o, "rotated",
		    json_object_new_boolean(had));
		admin_json_print(o);
	} else
		printf("%s signing key %s (%s)%s\n", had ? "rotated to" :
		    "generated", k.kid, jose_alg_name(k.alg), had ?
		    "; the previous key stays published until its tokens "
		    "expire" : "");
	signkey_free(&k);
	return EXIT_OK;
}

struct listing {
	struct admin	*a;
	json_object	*arr;
	time_t		 now;
};

static int
list_one(struct signkey *key, void *arg)
{
	struct listing	*l = arg;
	const char	*status;

	status = (key->flags & SIGNKEY_ACTIVE) ? "active" :
	    signkey_published(l->a->cfg, key, l->now) ? "published" :
	    "expired";
	if (l->arr != NULL) {
		json_object	*o = json_object_new_object();

		json_object_object_add(o, "kid", json_object_new_string(key->kid));
		json_object_object_add(o, "alg",
		    json_object_new_string(jose_alg_name(key->alg)));
		json_object_object_add(o, "status",
		    json_object_new_string(status));
		json_object_object_add(o, "created",
		    json_object_new_int64(key->created));
		json_object_object_add(o, "retired",
		    json_object_new_int64(key->retired));
		json_object_array_add(l->arr, o);
		return 0;
	}
	printf("%-18s %-6s %-10s ", key->kid, jose_alg_name(key->alg), status);
	admin_print_time(key->created);
	fputs(" ", stdout);
	admin_print_time(key->retired);
	fputs("\n", stdout);
	return 0;
}

static int
key_list(struct admin *a)
{
	struct store_txn	*t;
	struct listing		 l = { a, NULL, time(NULL) };
	int			 rc;

	if (admin_begin(a, 1, &t) == -1)
		return EXIT_FAIL;
	if (a->json)
		l.arr = json_object_new_array();
	else
		printf("%-18s %-6s %-10s %-20s %s\n", "KID", "ALG", "STATUS",
		    "CREATED", "RETIRED");
	rc = signkey_each(t, list_one, &l);
	store_abort(t);
	if (rc < 0) {
		json_object_put(l.arr);
		admin_err("cannot read the keys");
		return EXIT_FAIL;
	}
	if (a->json)
		admin_json_print(l.arr);
	return EXIT_OK;
}

/* key generate [--alg ALG] | key rotate [--alg ALG] | key list */
int
cmd_key(struct admin *a, int argc, char **argv)
{
	enum jose_alg	 alg;

	if (argc < 2)
		return EXIT_USAGE;
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return key_list(a);
	if (strcmp(argv[1], "generate") == 0 || strcmp(argv[1], "rotate") == 0) {
		if (parse_alg(argc, argv, &alg) == -1)
			return EXIT_USAGE;
		if (argc == 2 && strcmp(argv[1], "rotate") == 0)
			alg = JOSE_ALG_UNKNOWN;	/* keep the current one's */
		return key_new(a, alg, strcmp(argv[1], "rotate") == 0);
	}
	return EXIT_USAGE;
}
