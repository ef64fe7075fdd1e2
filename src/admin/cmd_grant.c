/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * grant list and token list: what the server has handed out.  With
 * --user or --client the listings go through the index databases, so
 * they cost what that user or client holds, not what the database
 * holds.  Tokens are shown by a prefix of their SHA-256, never
 * themselves (the database does not have them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/client.h"
#include "../lib/crypto.h"
#include "../lib/grant.h"
#include "../lib/grantlist.h"
#include "../lib/store.h"
#include "admin.h"

/* Reports what grantlist_each() returned; EXIT_OK for STORE_OK. */
static int
each_grant_result(struct admin *a, int rc)
{
	if (rc == STORE_OK)
		return EXIT_OK;
	return admin_store_fail(a, "cannot read the grants", rc);
}

/* What "grant list" and "token list" print into. */
struct list_out {
	struct admin		*a;
	struct admin_list	 list;
	int64_t			 now;
};

static int
print_grant(struct store_txn *t, const char *id, const struct grant *g,
    void *arg)
{
	struct list_out		*out = arg;
	struct admin		*a = out->a;
	struct json_object	*o;
	unsigned long		 ntok = grantlist_tokens(t, id);
	char			 c[ADMIN_TIME_MAX], r[ADMIN_TIME_MAX];
	char			 e[ADMIN_TIME_MAX], u[USER_NAME_MAX + 1];
	char			 cl[CLIENT_KEY_MAX + 1];

	/* Stored strings are cleaned for a terminal (admin_clean). */
	if (!a->json) {
		printf("%s %-16s %-24s %-7s %s %s %s %6lu ", id,
		    admin_clean(g->user, u, sizeof(u)),
		    admin_clean(g->client_id, cl, sizeof(cl)),
		    grantlist_status(g, out->now),
		    admin_time_str(g->created, c, sizeof(c)),
		    admin_time_str(g->last_refresh, r, sizeof(r)),
		    admin_time_str(g->expires, e, sizeof(e)), ntok);
		admin_put_clean(*g->scope != '\0' ? g->scope : "-");
		fputs(" ", stdout);
		admin_put_clean(g->resource);
		fputs("\n", stdout);
		out->list.count++;
		return STORE_OK;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "user", json_object_new_string(g->user));
	json_object_object_add(o, "client_id",
	    json_object_new_string(g->client_id));
	json_object_object_add(o, "scope", json_object_new_string(g->scope));
	json_object_object_add(o, "resource",
	    json_object_new_string(g->resource));
	json_object_object_add(o, "status",
	    json_object_new_string(grantlist_status(g, out->now)));
	json_object_object_add(o, "created", json_object_new_int64(g->created));
	json_object_object_add(o, "last_refresh",
	    json_object_new_int64(g->last_refresh));
	json_object_object_add(o, "expires", json_object_new_int64(g->expires));
	json_object_object_add(o, "tokens",
	    json_object_new_int64((int64_t)ntok));
	admin_list_add(&out->list, o);
	return STORE_OK;
}

/* Parses [--user U] [--client C] [--active] from argv[first] on. */
static int
parse_filter(int argc, char **argv, int first, int allow_active,
    struct grantlist_filter *f)
{
	int	 i, r;

	memset(f, 0, sizeof(*f));
	f->now = admin_now();
	for (i = first; i < argc; i++) {
		if ((r = admin_opt(argc, argv, &i, "--user", &f->user)) != 0 ||
		    (r = admin_opt(argc, argv, &i, "--client",
		    &f->client)) != 0) {
			if (r < 0)
				return -1;
		} else if (allow_active && strcmp(argv[i], "--active") == 0)
			f->active = 1;
		else {
			admin_err("unknown argument %s", argv[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * The start of "grant list" and "token list": the "list" word and the
 * filter, a read transaction t in which the filter's user and client
 * exist, and the listing begun.  Returns EXIT_OK, or the exit status
 * after saying what is wrong.
 */
static int
list_start(struct admin *a, int argc, char **argv, int allow_active,
    struct store_txn **t, struct grantlist_filter *f, struct list_out *out)
{
	enum grantlist_unknown	 unknown;
	int			 rc;

	if (argc < 2 || strcmp(argv[1], "list") != 0 ||
	    parse_filter(argc, argv, 2, allow_active, f) == -1)
		return EXIT_USAGE;
	if (admin_begin(a, 1, t) == -1)
		return EXIT_FAIL;
	if ((rc = grantlist_known(*t, f, &unknown)) != STORE_OK ||
	    unknown != GRANTLIST_KNOWN) {
		store_abort(*t);
		if (unknown == GRANTLIST_NO_USER)
			admin_err("no such user: %s", f->user);
		else if (unknown == GRANTLIST_NO_CLIENT)
			admin_err("no such client: %s", f->client);
		else
			return each_grant_result(a, rc);
		return EXIT_FAIL;
	}
	out->a = a;
	out->now = f->now;
	admin_list_begin(&out->list, a->json);
	return EXIT_OK;
}

/* The end of a listing that list_start() began; rc: how it went. */
static int
list_finish(struct admin *a, struct store_txn *t, struct list_out *out,
    int rc)
{
	store_abort(t);
	admin_list_end(&out->list);
	return each_grant_result(a, rc);
}

/* grant list [--user U] [--client C] [--active] */
int
cmd_grant(struct admin *a, int argc, char **argv)
{
	struct store_txn	*t;
	struct grantlist_filter	 f;
	struct list_out		 out;
	int			 rc;

	if ((rc = list_start(a, argc, argv, 1, &t, &f, &out)) != EXIT_OK)
		return rc;
	if (!a->json)
		printf("%-32s %-16s %-24s %-7s %-20s %-20s %-20s %6s %s %s\n",
		    "GRANT", "USER", "CLIENT", "STATUS", "CREATED",
		    "LAST-REFRESH", "EXPIRES", "TOKENS", "SCOPE", "RESOURCE");
	rc = grantlist_each(t, &f, print_grant, &out, NULL);
	return list_finish(a, t, &out, rc);
}

static const char *
kind_name(int kind)
{
	switch (kind) {
	case INDEX_CODE:
		return "code";
	case INDEX_ACCESS:
		return "access";
	case INDEX_REFRESH:
		return "refresh";
	}
	return "?";
}

struct token_row {
	int		 kind;
	const unsigned char *hash;
	const char	*grant_id;
	const char	*user;
	const char	*client_id;
	const char	*scope;
	int64_t		 created;
	int64_t		 expires;
	int		 used;		/* codes */
	int		 rotated;	/* a retired refresh token */
};

static void
print_token_row(struct admin *a, struct admin_list *l,
    const struct token_row *r, int64_t now)
{
	struct json_object	*o;
	char			 prefix[ADMIN_HASH_PREFIX + 1];
	char			 c[ADMIN_TIME_MAX], e[ADMIN_TIME_MAX];
	const char		*status;
	char			 u[USER_NAME_MAX + 1], cl[CLIENT_KEY_MAX + 1];

	admin_hash_prefix(r->hash, prefix);
	status = r->expires <= now ? "expired" : r->used ? "used" :
	    r->rotated ? "rotated" : "live";
	if (!a->json) {
		printf("%-7s %-12s %-32s %-16s %-24s %-7s %s %s %s\n",
		    kind_name(r->kind), prefix, r->grant_id,
		    admin_clean(r->user, u, sizeof(u)),
		    admin_clean(r->client_id, cl, sizeof(cl)), status,
		    admin_time_str(r->created, c,
		    sizeof(c)), admin_time_str(r->expires, e, sizeof(e)),
		    *r->scope != '\0' ? r->scope : "-");
		l->count++;
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "kind",
	    json_object_new_string(kind_name(r->kind)));
	json_object_object_add(o, "hash_prefix",
	    json_object_new_string(prefix));
	json_object_object_add(o, "grant", json_object_new_string(r->grant_id));
	json_object_object_add(o, "user", json_object_new_string(r->user));
	json_object_object_add(o, "client_id",
	    json_object_new_string(r->client_id));
	json_object_object_add(o, "scope", json_object_new_string(r->scope));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "created", json_object_new_int64(r->created));
	json_object_object_add(o, "expires", json_object_new_int64(r->expires));
	admin_list_add(l, o);
}

/* Prints the token or code stored under hash in db; skips it if gone. */
static int
print_record(struct admin *a, struct store_txn *t, struct admin_list *l,
    enum store_db db, const unsigned char *hash, int64_t now)
{
	struct token_row	 r;
	struct token		 tok;
	struct code		 c;
	struct store_val	 v;
	int			 rc;

	memset(&r, 0, sizeof(r));
	r.hash = hash;
	if ((rc = store_get(t, db, hash, CRYPTO_SHA256_LEN, &v)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	if (db == DB_CODES) {
		if (code_decode(v.data, v.len, &c) != STORE_OK)
			return STORE_OK;
		r.kind = INDEX_CODE;
		r.grant_id = c.grant_id;
		r.user = c.user;
		r.client_id = c.client_id;
		r.scope = c.scope;
		r.created = c.created;
		r.expires = c.expires;
		r.used = c.used != 0;
		print_token_row(a, l, &r, now);
		code_free(&c);
		return STORE_OK;
	}
	if (token_decode(v.data, v.len, &tok) != STORE_OK)
		return STORE_OK;
	r.kind = token_index_kind(tok.kind);
	r.grant_id = tok.grant_id;
	r.user = tok.user;
	r.client_id = tok.client_id;
	r.scope = tok.scope;
	/* Kept only to recognise its reuse: its grant says whose it was. */
	r.rotated = tok.kind == TOKEN_RETIRED;
	r.created = tok.created;
	r.expires = tok.expires;
	print_token_row(a, l, &r, now);
	token_free(&tok);
	return STORE_OK;
}

/* The tokens and codes of one grant, through grant_tokens. */
static int
print_grant_tokens(struct store_txn *t, const char *id,
    const struct grant *g, void *arg)
{
	struct list_out		*out = arg;
	struct admin		*a = out->a;
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 val[INDEX_VALUE_LEN];
	int			 rc, err = STORE_OK, op;

	(void)g;
	if ((rc = store_cursor_open(t, DB_GRANT_TOKENS, &cur)) != STORE_OK)
		return rc;
	k.data = id;
	k.len = GRANT_ID_LEN;
	for (op = STORE_SET; err == STORE_OK &&
	    (rc = store_cursor_get(cur, &k, &v, op)) == STORE_OK;
	    op = STORE_NEXT_DUP) {
		if (v.len != INDEX_VALUE_LEN)
			continue;
		memcpy(val, v.data, sizeof(val));
		err = print_record(a, t, &out->list, val[0] == INDEX_CODE ?
		    DB_CODES : DB_TOKENS, val + 1, out->now);
	}
	store_cursor_close(cur);
	if (err != STORE_OK)
		return err;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* Every token and code, straight from their databases. */
static int
print_all_tokens(struct admin *a, struct store_txn *t, struct list_out *out)
{
	static const enum store_db	 dbs[] = { DB_CODES, DB_TOKENS };
	struct store_cursor		*cur;
	struct store_val		 k, v;
	size_t				 i;
	int				 rc, err = STORE_OK, op;

	for (i = 0; i < 2 && err == STORE_OK; i++) {
		if ((rc = store_cursor_open(t, dbs[i], &cur)) != STORE_OK)
			return rc;
		for (op = STORE_FIRST; err == STORE_OK &&
		    (rc = store_cursor_get(cur, &k, &v, op)) == STORE_OK;
		    op = STORE_NEXT)
			if (k.len == CRYPTO_SHA256_LEN)
				err = print_record(a, t, &out->list, dbs[i],
				    k.data, out->now);
		store_cursor_close(cur);
		if (err == STORE_OK && rc != STORE_NOTFOUND)
			err = rc;
	}
	return err;
}

/* token list [--user U] [--client C] */
int
cmd_token(struct admin *a, int argc, char **argv)
{
	struct store_txn	*t;
	struct grantlist_filter	 f;
	struct list_out		 out;
	int			 rc;

	if ((rc = list_start(a, argc, argv, 0, &t, &f, &out)) != EXIT_OK)
		return rc;
	if (!a->json)
		printf("%-7s %-12s %-32s %-16s %-24s %-7s %-20s %-20s %s\n",
		    "KIND", "HASH", "GRANT", "USER", "CLIENT", "STATUS",
		    "CREATED", "EXPIRES", "SCOPE");
	if (f.user == NULL && f.client == NULL)
		rc = print_all_tokens(a, t, &out);
	else
		rc = grantlist_each(t, &f, print_grant_tokens, &out, NULL);
	return list_finish(a, t, &out, rc);
}
