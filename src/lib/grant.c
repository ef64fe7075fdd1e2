/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "client.h"
#include "config.h"
#include "crypto.h"
#include "grant.h"
#include "loglevel.h"
#include "log.h"
#include "oauth.h"
#include "record.h"
#include "scope.h"
#include "signkey.h"
#include "store.h"

#define CODE_PREFIX	"mcpac_"
#define ACCESS_PREFIX	"mcpat_"
#define REFRESH_PREFIX	"mcprt_"

void
grant_free(struct grant *g)
{
	free(g->user);
	free(g->client_id);
	free(g->scope);
	free(g->resource);
	memset(g, 0, sizeof(*g));
}

void
code_free(struct code *c)
{
	free(c->grant_id);
	free(c->client_id);
	free(c->user);
	free(c->redirect_uri);
	free(c->challenge);
	free(c->scope);
	free(c->resource);
	memset(c, 0, sizeof(*c));
}

void
token_free(struct token *t)
{
	free(t->grant_id);
	free(t->user);
	free(t->client_id);
	free(t->scope);
	free(t->resource);
	memset(t, 0, sizeof(*t));
}

/*
 * Grant record: flags u32, user, client_id, scope, resource strings,
 * created, last_refresh, expires i64, has_current u8, current hash,
 * has_previous u8, previous hash, rotated i64, sealed length u8, the
 * sealed current token, rate_start i64, rate_count u32, last_used
 * i64.  A grant written before the retry window existed ends after the
 * previous hash: it has nothing sealed, so its previous token is not
 * retried.  One written before last_used existed ends after
 * rate_count: it was last used at its last refresh, if any.
 */
int
grant_decode(const void *p, size_t n, struct grant *g)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	g->flags = rec_get_u32(&r);
	g->user = rec_get_str(&r);
	g->client_id = rec_get_str(&r);
	g->scope = rec_get_str(&r);
	g->resource = rec_get_str(&r);
	g->created = rec_get_i64(&r);
	g->last_refresh = rec_get_i64(&r);
	g->expires = rec_get_i64(&r);
	g->has_current = rec_get_u8(&r);
	rec_get_bytes(&r, g->refresh_current, CRYPTO_SHA256_LEN);
	g->has_previous = rec_get_u8(&r);
	rec_get_bytes(&r, g->refresh_previous, CRYPTO_SHA256_LEN);
	g->rotated = g->rate_start = 0;
	g->sealed_len = 0;
	g->rate_count = 0;
	if (rec_reader_left(&r) > 0) {
		g->rotated = rec_get_i64(&r);
		g->sealed_len = rec_get_u8(&r);
		if (g->sealed_len > GRANT_SEALED_MAX)
			r.err = 1;
		else
			rec_get_bytes(&r, g->sealed_current, g->sealed_len);
		g->rate_start = rec_get_i64(&r);
		g->rate_count = rec_get_u32(&r);
	}
	g->last_used = g->last_refresh;
	if (rec_reader_left(&r) > 0)
		g->last_used = rec_get_i64(&r);
	if (!rec_reader_ok(&r)) {
		grant_free(g);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/*
 * The flags of an encoded grant without decoding the rest (they come
 * first): for walks over many grants that want only the active ones.
 */
int
grant_peek_flags(const void *p, size_t n, uint32_t *flags)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	*flags = rec_get_u32(&r);
	return rec_reader_left(&r) > 0 ? STORE_OK : STORE_CORRUPT;
}

int
store_grant_get(struct store_txn *t, const char *id, struct grant *g)
{
	struct store_val	 v;
	int			 rc;

	memset(g, 0, sizeof(*g));
	if (strlen(id) != GRANT_ID_LEN)
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_GRANTS, id, GRANT_ID_LEN, &v)) != STORE_OK)
		return rc;
	memcpy(g->id, id, GRANT_ID_LEN + 1);
	return grant_decode(v.data, v.len, g);
}

int
store_grant_put(struct store_txn *t, const struct grant *g)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, g->flags);
	rec_put_str(&b, g->user);
	rec_put_str(&b, g->client_id);
	rec_put_str(&b, g->scope);
	rec_put_str(&b, g->resource);
	rec_put_i64(&b, g->created);
	rec_put_i64(&b, g->last_refresh);
	rec_put_i64(&b, g->expires);
	rec_put_u8(&b, (uint8_t)g->has_current);
	rec_put_bytes(&b, g->refresh_current, CRYPTO_SHA256_LEN);
	rec_put_u8(&b, (uint8_t)g->has_previous);
	rec_put_bytes(&b, g->refresh_previous, CRYPTO_SHA256_LEN);
	rec_put_i64(&b, g->rotated);
	rec_put_u8(&b, (uint8_t)g->sealed_len);
	rec_put_bytes(&b, g->sealed_current, g->sealed_len);
	rec_put_i64(&b, g->rate_start);
	rec_put_u32(&b, g->rate_count);
	rec_put_i64(&b, g->last_used);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_GRANTS, g->id,
	    GRANT_ID_LEN, b.data, b.len, 0);
	buf_free(&b);
	return rc;
}

/*
 * Code record: used u32, grant_id, client_id, user, redirect_uri
 * strings, redirect_explicit u32, challenge, scope, resource strings,
 * created, expires i64.
 */
int
code_decode(const void *p, size_t n, struct code *c)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	c->used = rec_get_u32(&r);
	c->grant_id = rec_get_str(&r);
	c->client_id = rec_get_str(&r);
	c->user = rec_get_str(&r);
	c->redirect_uri = rec_get_str(&r);
	c->redirect_explicit = rec_get_u32(&r);
	c->challenge = rec_get_str(&r);
	c->scope = rec_get_str(&r);
	c->resource = rec_get_str(&r);
	c->created = rec_get_i64(&r);
	c->expires = rec_get_i64(&r);
	if (!rec_reader_ok(&r)) {
		code_free(c);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

static int
code_put(struct store_txn *t, const unsigned char *hash, const struct code *c)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, c->used);
	rec_put_str(&b, c->grant_id);
	rec_put_str(&b, c->client_id);
	rec_put_str(&b, c->user);
	rec_put_str(&b, c->redirect_uri);
	rec_put_u32(&b, c->redirect_explicit);
	rec_put_str(&b, c->challenge);
	rec_put_str(&b, c->scope);
	rec_put_str(&b, c->resource);
	rec_put_i64(&b, c->created);
	rec_put_i64(&b, c->expires);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_CODES, hash,
	    CRYPTO_SHA256_LEN, b.data, b.len, 0);
	buf_free(&b);
	return rc;
}

/*
 * Token record: kind u8, grant_id, user, client_id, scope, resource
 * strings, created, expires i64.  A retired refresh token's record is
 * kind u8, the grant id's 16 bytes and expires i64: it is kept only to
 * recognise the token's reuse, and decodes with empty strings.
 */
static int
retired_decode(struct rec_reader *r, struct token *t)
{
	unsigned char	 raw[GRANT_ID_LEN / 2];

	rec_get_bytes(r, raw, sizeof(raw));
	t->expires = rec_get_i64(r);
	if (!rec_reader_ok(r) ||
	    (t->grant_id = malloc(GRANT_ID_LEN + 1)) == NULL ||
	    (t->user = strdup("")) == NULL ||
	    (t->client_id = strdup("")) == NULL ||
	    (t->scope = strdup("")) == NULL ||
	    (t->resource = strdup("")) == NULL) {
		token_free(t);
		return STORE_CORRUPT;
	}
	hex_encode(raw, sizeof(raw), t->grant_id);
	t->kind = TOKEN_RETIRED;
	return STORE_OK;
}

int
token_decode(const void *p, size_t n, struct token *t)
{
	struct rec_reader	 r;
	uint8_t			 kind;

	memset(t, 0, sizeof(*t));
	rec_reader_init(&r, p, n);
	kind = rec_get_u8(&r);
	if (kind == TOKEN_RETIRED)
		return retired_decode(&r, t);
	t->grant_id = rec_get_str(&r);
	t->user = rec_get_str(&r);
	t->client_id = rec_get_str(&r);
	t->scope = rec_get_str(&r);
	t->resource = rec_get_str(&r);
	t->created = rec_get_i64(&r);
	t->expires = rec_get_i64(&r);
	if (kind != TOKEN_ACCESS && kind != TOKEN_REFRESH)
		r.err = 1;
	t->kind = (enum token_kind)kind;
	if (!rec_reader_ok(&r)) {
		token_free(t);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/* The grant_tokens kind of a token: a retired one is a refresh token. */
int
token_index_kind(enum token_kind kind)
{
	return kind == TOKEN_ACCESS ? INDEX_ACCESS : INDEX_REFRESH;
}

int
store_token_get(struct store_txn *t, const unsigned char *hash,
    struct token *tok)
{
	struct store_val	 v;
	int			 rc;

	memset(tok, 0, sizeof(*tok));
	if ((rc = store_get(t, DB_TOKENS, hash, CRYPTO_SHA256_LEN, &v)) !=
	    STORE_OK)
		return rc;
	return token_decode(v.data, v.len, tok);
}

static int
index_add(struct store_txn *t, const char *grant_id, char kind,
    const unsigned char *hash)
{
	unsigned char	 v[INDEX_VALUE_LEN];

	v[0] = (unsigned char)kind;
	memcpy(v + 1, hash, CRYPTO_SHA256_LEN);
	return store_put(t, DB_GRANT_TOKENS, grant_id, GRANT_ID_LEN, v,
	    sizeof(v), STORE_NODUPDATA);
}

static int
index_del(struct store_txn *t, const char *grant_id, char kind,
    const unsigned char *hash)
{
	unsigned char	 v[INDEX_VALUE_LEN];
	int		 rc;

	v[0] = (unsigned char)kind;
	memcpy(v + 1, hash, CRYPTO_SHA256_LEN);
	rc = store_del(t, DB_GRANT_TOKENS, grant_id, GRANT_ID_LEN, v,
	    sizeof(v));
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Replaces a rotated-out refresh token's record by the retired form
 * (its grant and expiry, 26 bytes instead of about 150): just enough
 * to recognise its reuse until it would have expired, when the purge
 * removes it.  Its index entry stays, so that revoking the grant
 * removes it at once.
 */
static int
token_retire(struct store_txn *t, const unsigned char *hash,
    const char *grant_id, int64_t expires)
{
	unsigned char	 raw[GRANT_ID_LEN / 2];
	struct buf	 b;
	int		 rc;

	if (hex_decode(grant_id, raw, sizeof(raw)) == -1)
		return STORE_CORRUPT;
	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, TOKEN_RETIRED);
	rec_put_bytes(&b, raw, sizeof(raw));
	rec_put_i64(&b, expires);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_TOKENS, hash,
	    CRYPTO_SHA256_LEN, b.data, b.len, 0);
	buf_free(&b);
	return rc;
}

/* Writes an access or refresh token's record (flags: store_put's). */
static int
token_put(struct store_txn *t, const unsigned char *hash,
    const struct token *tok, unsigned int flags)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, (uint8_t)tok->kind);
	rec_put_str(&b, tok->grant_id);
	rec_put_str(&b, tok->user);
	rec_put_str(&b, tok->client_id);
	rec_put_str(&b, tok->scope);
	rec_put_str(&b, tok->resource);
	rec_put_i64(&b, tok->created);
	rec_put_i64(&b, tok->expires);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_TOKENS, hash,
	    CRYPTO_SHA256_LEN, b.data, b.len, flags);
	buf_free(&b);
	return rc;
}

/*
 * Mints a token of the given kind for grant g, stores its record under
 * its SHA-256 and indexes it.  out receives the token, hash its hash.
 */
static int
token_issue(struct store_txn *t, const struct config *cfg,
    const struct grant *g, enum token_kind kind, const char *scope,
    int64_t now, int64_t expires, char *out, size_t outsz,
    unsigned char *hash)
{
	struct jwt_claims	 jc;
	struct token		 tok;
	int			 rc;

	/*
	 * With access_token_format = jwt the access token is a signed
	 * JWT (RFC 9068) that other machines can check offline; it is
	 * stored by hash like an opaque one, so that this server still
	 * sees revocations at once.
	 */
	if (kind == TOKEN_ACCESS &&
	    cfg->access_token_format == TOKEN_FORMAT_JWT) {
		jc.subject = g->user;
		jc.client_id = g->client_id;
		jc.scope = scope;
		jc.audience = g->resource;
		jc.issued = now;
		jc.expires = expires;
		if ((rc = jwt_mint(t, cfg, &jc, out, outsz)) != STORE_OK)
			return rc;
	} else if (crypto_random_token(kind == TOKEN_ACCESS ? ACCESS_PREFIX :
	    REFRESH_PREFIX, 32, out, outsz) != CRYPTO_OK)
		return STORE_ERROR;
	if (crypto_sha256_str(out, hash) != CRYPTO_OK)
		return STORE_ERROR;
	tok.kind = kind;
	tok.grant_id = (char *)g->id;
	tok.user = g->user;
	tok.client_id = g->client_id;
	tok.scope = (char *)scope;
	tok.resource = g->resource;
	tok.created = now;
	tok.expires = expires;
	rc = token_put(t, hash, &tok, STORE_NOOVERWRITE);
	if (rc == STORE_OK)
		rc = index_add(t, g->id, kind == TOKEN_ACCESS ? INDEX_ACCESS :
		    INDEX_REFRESH, hash);
	return rc;
}

static int	issue_code(struct store_txn *, const struct config *,
		    const struct code_request *, const char *, int64_t, char *,
		    size_t, char *);

static int
grant_new_id(char *id)
{
	unsigned char	 raw[GRANT_ID_LEN / 2];

	if (crypto_random(raw, sizeof(raw)) != CRYPTO_OK)
		return -1;
	hex_encode(raw, sizeof(raw), id);
	return 0;
}

/*
 * Creates a grant (inactive until its code is redeemed, expiring with
 * the code) and its authorization code, and notes the client's use
 * (client_touch).  code receives the code, grant_id the new grant's id.
 * STORE_NOTFOUND: the client was deleted since req->client was read
 * (the caller aborts t, so nothing is issued).
 */
int
grant_issue_code(struct store_txn *t, const struct config *cfg,
    const struct code_request *req, int64_t now, char *code, size_t codesz,
    char *grant_id)
{
	struct user	 u;
	struct buf	 limited;
	int		 rc;

	/*
	 * The user's scope limit, read in this transaction: whatever the
	 * page offered, a grant never carries more than the administrator
	 * allows now (RFC 6749 section 3.3: the issued scope may differ).
	 */
	buf_init(&limited);
	if ((rc = store_user_get(t, req->user, &u)) == STORE_OK) {
		scope_limit(cfg, req->scope, user_scope_limit(&u), &limited);
		user_free(&u);
	} else if (rc == STORE_NOTFOUND)
		buf_puts(&limited, req->scope);	/* remote_user, no record */
	else
		return rc;
	if (buf_failed(&limited))
		rc = STORE_ENOMEM;
	else if (buf_cstr(&limited)[0] == '\0' && req->scope[0] != '\0')
		rc = GRANT_SCOPE_REFUSED;
	else
		rc = issue_code(t, cfg, req, buf_cstr(&limited), now, code,
		    codesz, grant_id);
	buf_free(&limited);
	return rc;
}

static int
issue_code(struct store_txn *t, const struct config *cfg,
    const struct code_request *req, const char *scope, int64_t now,
    char *code, size_t codesz, char *grant_id)
{
	struct grant	 g;
	struct code	 c;
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	long		 lifetime = req->lifetime > 0 ? req->lifetime :
			    cfg->code_lifetime;
	int		 rc;

	memset(&g, 0, sizeof(g));
	memset(&c, 0, sizeof(c));
	if (grant_new_id(g.id) == -1 ||
	    crypto_random_token(CODE_PREFIX, 32, code, codesz) != CRYPTO_OK ||
	    crypto_sha256_str(code, hash) != CRYPTO_OK)
		return STORE_ERROR;
	g.user = (char *)req->user;
	g.client_id = (char *)req->client->id;
	g.scope = (char *)scope;
	g.resource = (char *)req->resource;
	g.created = now;
	g.expires = now + lifetime;
	if ((rc = store_grant_put(t, &g)) != STORE_OK ||
	    (rc = store_put(t, DB_USER_GRANTS, g.user, strlen(g.user), g.id,
	    GRANT_ID_LEN, STORE_NODUPDATA)) != STORE_OK ||
	    (rc = store_put(t, DB_CLIENT_GRANTS, g.client_id,
	    strlen(g.client_id), g.id, GRANT_ID_LEN, STORE_NODUPDATA)) !=
	    STORE_OK)
		return rc;
	c.grant_id = g.id;
	c.client_id = g.client_id;
	c.user = g.user;
	c.redirect_uri = (char *)req->redirect_uri;
	c.redirect_explicit = req->redirect_explicit ? 1 : 0;
	c.challenge = (char *)req->challenge;
	c.scope = g.scope;
	c.resource = g.resource;
	c.created = now;
	c.expires = now + lifetime;
	if ((rc = code_put(t, hash, &c)) != STORE_OK ||
	    (rc = index_add(t, g.id, INDEX_CODE, hash)) != STORE_OK ||
	    (rc = client_touch(t, req->client, now)) != STORE_OK)
		return rc;
	memcpy(grant_id, g.id, GRANT_ID_LEN + 1);
	return STORE_OK;
}

/* The database a grant_tokens value points into: codes or tokens. */
enum store_db
grant_index_db(int kind)
{
	return kind == INDEX_CODE ? DB_CODES : DB_TOKENS;
}

/*
 * Deletes the code or token that one grant_tokens value (a kind byte
 * and a SHA-256) names, and counts it by kind.  One that is gone
 * already is neither an error nor counted: a purge or an earlier step
 * of a revocation may have removed it.  The grant_tokens entry itself
 * is the caller's to delete.
 */
int
grant_drop_indexed(struct store_txn *t, const unsigned char *val,
    struct revoke_counts *counts)
{
	int	 rc;

	rc = store_del(t, grant_index_db(val[0]), val + 1, CRYPTO_SHA256_LEN,
	    NULL, 0);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	if (counts != NULL) {
		if (val[0] == INDEX_CODE)
			counts->codes++;
		else if (val[0] == INDEX_ACCESS)
			counts->access_tokens++;
		else
			counts->refresh_tokens++;
	}
	return STORE_OK;
}

/*
 * Deletes the index entries of grant id: its grant_tokens key with all
 * its duplicates, and its entries under its user and its client (user
 * or client_id NULL when unknown).  Entries that are gone already are
 * skipped.  Adds the number of owner entries removed to *owners.
 */
int
grant_unindex(struct store_txn *t, const char *id, const char *user,
    const char *client_id, unsigned long *owners)
{
	int	 rc;

	rc = store_del(t, DB_GRANT_TOKENS, id, GRANT_ID_LEN, NULL, 0);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	if (user != NULL) {
		rc = store_del(t, DB_USER_GRANTS, user, strlen(user), id,
		    GRANT_ID_LEN);
		if (rc == STORE_OK && owners != NULL)
			(*owners)++;
		else if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return rc;
	}
	if (client_id != NULL) {
		rc = store_del(t, DB_CLIENT_GRANTS, client_id,
		    strlen(client_id), id, GRANT_ID_LEN);
		if (rc == STORE_OK && owners != NULL)
			(*owners)++;
		else if (rc != STORE_OK && rc != STORE_NOTFOUND)
			return rc;
	}
	return STORE_OK;
}

/*
 * Deletes a grant with everything that hangs off it: codes, access
 * and refresh tokens, and its index entries.  Adds what it removed to
 * counts.  STORE_NOTFOUND if there was nothing to revoke.
 */
int
grant_revoke(struct store_txn *t, const char *grant_id,
    struct revoke_counts *counts)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct grant		 g;
	unsigned char		 val[INDEX_VALUE_LEN];
	int			 rc, found = 0, op;

	if (strlen(grant_id) != GRANT_ID_LEN)
		return STORE_NOTFOUND;
	if ((rc = store_cursor_open(t, DB_GRANT_TOKENS, &cur)) != STORE_OK)
		return rc;
	k.data = grant_id;
	k.len = GRANT_ID_LEN;
	for (op = STORE_SET; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT_DUP) {
		found = 1;
		if (v.len != INDEX_VALUE_LEN)
			continue;
		memcpy(val, v.data, sizeof(val));
		if ((rc = grant_drop_indexed(t, val, counts)) != STORE_OK) {
			store_cursor_close(cur);
			return rc;
		}
	}
	store_cursor_close(cur);
	if (rc != STORE_NOTFOUND)
		return rc;

	rc = store_grant_get(t, grant_id, &g);
	if (rc == STORE_NOTFOUND) {
		if (!found)
			return STORE_NOTFOUND;
		return grant_unindex(t, grant_id, NULL, NULL, NULL);
	}
	if (rc != STORE_OK)
		return rc;
	if ((rc = grant_unindex(t, grant_id, g.user, g.client_id, NULL)) ==
	    STORE_OK && (rc = store_del(t, DB_GRANTS, grant_id, GRANT_ID_LEN,
	    NULL, 0)) == STORE_OK &&
	    (rc = store_log_level_forget(t, grant_id)) == STORE_OK &&
	    counts != NULL)
		counts->grants++;
	grant_free(&g);
	return rc;
}

/* Whether the grant has the client's refresh_token grant type. */
static int
wants_refresh(const struct client *c)
{
	return (c->grant_types & CLIENT_GRANT_REFRESH) != 0;
}

/*
 * The end of a grant: grant_lifetime after the consent that created
 * it.  Refreshes stop there and the user signs in again.
 */
int64_t
grant_end(const struct config *cfg, const struct grant *g)
{
	return g->created + cfg->grant_lifetime;
}

/* An expiry time cut to the grant's end. */
static int64_t
until_end(const struct config *cfg, const struct grant *g, int64_t t)
{
	int64_t	 end = grant_end(cfg, g);

	return t < end ? t : end;
}

/*
 * The label of the key that seals the current refresh token for
 * retries: keeps it apart from any other use of the previous token.
 */
#define SEAL_LABEL	"mcp-oauth refresh successor v1"

/*
 * Issues a new current refresh token into out.  presented, the token
 * it replaces (NULL for a code exchange), seals it, so that a retry
 * with presented can be given the same one; the grant id is bound to
 * the sealed bytes.
 */
static int
issue_refresh(struct store_txn *t, const struct config *cfg,
    struct grant *g, const char *presented, int64_t now,
    struct token_response *out)
{
	int64_t	 expires = until_end(cfg, g, now + cfg->refresh_token_lifetime);
	int	 rc;

	if ((rc = token_issue(t, cfg, g, TOKEN_REFRESH, g->scope, now,
	    expires, out->refresh_token, sizeof(out->refresh_token),
	    out->refresh_hash)) != STORE_OK)
		return rc;
	out->has_refresh = 1;
	g->has_current = 1;
	memcpy(g->refresh_current, out->refresh_hash, CRYPTO_SHA256_LEN);
	g->expires = expires;
	g->sealed_len = 0;
	if (presented != NULL && crypto_seal(presented, SEAL_LABEL, g->id,
	    GRANT_ID_LEN, out->refresh_token, strlen(out->refresh_token),
	    g->sealed_current, sizeof(g->sealed_current), &g->sealed_len) !=
	    CRYPTO_OK)
		return STORE_ERROR;
	return STORE_OK;
}

/*
 * The current refresh token again, for a retry with the previous one:
 * opened with the presented token and checked against the current
 * hash.  STORE_CORRUPT if it cannot be (a damaged grant record).
 */
static int
reissue_refresh(const struct grant *g, const char *presented,
    struct token_response *out)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];
	size_t		 n;

	if (crypto_unseal(presented, SEAL_LABEL, g->id, GRANT_ID_LEN,
	    g->sealed_current, g->sealed_len, out->refresh_token,
	    sizeof(out->refresh_token) - 1, &n) != CRYPTO_OK)
		return STORE_CORRUPT;
	out->refresh_token[n] = '\0';
	if (strlen(out->refresh_token) != n ||
	    crypto_sha256_str(out->refresh_token, h) != CRYPTO_OK ||
	    !crypto_equal(h, g->refresh_current, CRYPTO_SHA256_LEN)) {
		crypto_wipe(out->refresh_token, sizeof(out->refresh_token));
		return STORE_CORRUPT;
	}
	memcpy(out->refresh_hash, h, sizeof(h));
	out->has_refresh = 1;
	out->retried = 1;
	return STORE_OK;
}

/*
 * Issues the access token (with access_scope, living
 * access_token_lifetime but never past the grant's end), fills the
 * rest of out and saves the grant.
 */
static int
issue_access(struct store_txn *t, const struct config *cfg,
    struct grant *g, const char *access_scope, int64_t now,
    struct token_response *out)
{
	int64_t	 expires = until_end(cfg, g, now + cfg->access_token_lifetime);
	int	 rc;

	if ((rc = token_issue(t, cfg, g, TOKEN_ACCESS, access_scope, now,
	    expires, out->access_token, sizeof(out->access_token),
	    out->access_hash)) != STORE_OK)
		return rc;
	out->expires_in = (long)(expires - now);
	if (g->expires < expires)
		g->expires = expires;
	snprintf(out->scope, sizeof(out->scope), "%s", access_scope);
	snprintf(out->grant_id, sizeof(out->grant_id), "%s", g->id);
	snprintf(out->user, sizeof(out->user), "%s", g->user);
	return store_grant_put(t, g);
}

static int	exchange(struct store_txn *, const struct config *,
		    const struct client *, const unsigned char *, int,
		    const char *, const char *, const char *, int64_t,
		    struct token_response *, struct oauth_error *);

/* Logs a detected replay; the caller has revoked the grant. */
static void
log_replay(const char *what, const char *grant_id, const char *client_id,
    const unsigned char *hash, const struct revoke_counts *n)
{
	struct log_line	 l;

	log_begin(&l, what);
	log_str(&l, "grant", grant_id);
	log_str(&l, "client", client_id);
	log_hash(&l, "token", hash);
	log_int(&l, "revoked_access", (long long)n->access_tokens);
	log_int(&l, "revoked_refresh", (long long)n->refresh_tokens);
	log_end(&l);
}

/*
 * The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6,
 * RFC 8707).  redirect_uri, verifier and resource are the request's
 * parameters (NULL when absent).
 */
int
grant_exchange_code(struct store_txn *t, const struct config *cfg,
    const struct client *client, const char *code_str,
    const char *redirect_uri, const char *verifier, const char *resource,
    int64_t now, struct token_response *out, struct oauth_error *e)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];

	e->commit = 0;
	if (strlen(code_str) > TOKEN_MAX ||
	    crypto_sha256_str(code_str, hash) != CRYPTO_OK) {
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or used authorization code");
		return -1;
	}
	return exchange(t, cfg, client, hash, 0, redirect_uri, verifier,
	    resource, now, out, e);
}

/*
 * The code behind an approved device authorization (device.c), by its
 * hash: the device grant of RFC 8628 §3.4 has no redirect URI and no
 * PKCE, since the device code itself is the secret the client holds.
 * A code that has expired is expired_token (RFC 8628 §3.5).
 */
int
grant_exchange_device(struct store_txn *t, const struct config *cfg,
    const struct client *client, const unsigned char *hash,
    const char *resource, int64_t now, struct token_response *out,
    struct oauth_error *e)
{
	e->commit = 0;
	return exchange(t, cfg, client, hash, 1, NULL, NULL, resource, now,
	    out, e);
}

/*
 * Redeems the code whose hash is hash for client: a device code's
 * (device) or an authorization code's, checked against redirect_uri
 * and verifier.
 */
static int
exchange(struct store_txn *t, const struct config *cfg,
    const struct client *client, const unsigned char *hash, int device,
    const char *redirect_uri, const char *verifier, const char *resource,
    int64_t now, struct token_response *out, struct oauth_error *e)
{
	struct code		 c;
	struct grant		 g;
	struct revoke_counts	 n;
	struct store_val	 v;
	int			 rc;

	memset(&g, 0, sizeof(g));
	memset(&c, 0, sizeof(c));
	memset(&n, 0, sizeof(n));
	rc = store_get(t, DB_CODES, hash, CRYPTO_SHA256_LEN, &v);
	if (rc == STORE_OK)
		rc = code_decode(v.data, v.len, &c);
	if (rc == STORE_NOTFOUND) {
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or used authorization code");
		return -1;
	}
	if (rc != STORE_OK)
		goto store_fail;
	/* Another client's code: pretend it does not exist, keep it. */
	if (strcmp(c.client_id, client->id) != 0) {
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or used authorization code");
		goto fail;
	}
	if (c.used) {
		/*
		 * A second redemption: the code leaked.  Revoke what the
		 * first one produced (RFC 6749 §4.1.2, RFC 9700 §4.2).
		 */
		if ((rc = grant_revoke(t, c.grant_id, &n)) != STORE_OK &&
		    rc != STORE_NOTFOUND)
			goto store_fail;
		log_replay("code_reuse", c.grant_id, client->id, hash, &n);
		out->replay = AUDIT_CODE_REPLAY;
		snprintf(out->user, sizeof(out->user), "%s", c.user);
		oauth_error_set(e, 400, "invalid_grant",
		    "%s already used; the tokens issued for it are revoked",
		    device ? "device code" : "authorization code");
		e->commit = 1;
		goto fail;
	}
	if (c.expires <= now) {
		if (device)
			oauth_error_set(e, 400, "expired_token",
			    "the device code has expired: start again");
		else
			oauth_error_set(e, 400, "invalid_grant",
			    "unknown, expired or used authorization code");
		goto fail;
	}

	/* From here on every failure burns the code. */
	c.used = 1;
	if ((rc = code_put(t, hash, &c)) != STORE_OK)
		goto store_fail;
	e->commit = 1;
	/*
	 * RFC 6749 §4.1.3: redirect_uri is required if the authorization
	 * request had one, and must then be identical.
	 */
	if (device)
		;	/* nothing to check: see grant_exchange_device() */
	else if ((c.redirect_explicit && redirect_uri == NULL) ||
	    (redirect_uri != NULL && strcmp(redirect_uri, c.redirect_uri) !=
	    0)) {
		oauth_error_set(e, 400, "invalid_grant", "redirect_uri does "
		    "not match the authorization request");
		goto fail;
	}
	if (!device && verifier == NULL) {
		oauth_error_set(e, 400, "invalid_grant",
		    "code_verifier is required (PKCE)");
		goto fail;
	}
	if (!device && pkce_verify(verifier, c.challenge) != CRYPTO_OK) {
		oauth_error_set(e, 400, "invalid_grant",
		    "code_verifier does not match the code_challenge");
		goto fail;
	}
	if (resource != NULL && !resource_equal(resource, c.resource)) {
		oauth_error_set(e, 400, "invalid_target", "resource does not "
		    "match the authorization request");
		goto fail;
	}
	if ((rc = store_grant_get(t, c.grant_id, &g)) != STORE_OK) {
		if (rc != STORE_NOTFOUND)
			goto store_fail;
		oauth_error_set(e, 400, "invalid_grant",
		    "the authorization was revoked");
		goto fail;
	}
	g.flags |= GRANT_ACTIVE;
	g.last_used = now;
	memset(out, 0, sizeof(*out));
	if ((wants_refresh(client) &&
	    (rc = issue_refresh(t, cfg, &g, NULL, now, out)) != STORE_OK) ||
	    (rc = issue_access(t, cfg, &g, g.scope, now, out)) != STORE_OK)
		goto store_fail;
	e->commit = 0;
	code_free(&c);
	grant_free(&g);
	return 0;
store_fail:
	e->commit = 0;
	oauth_store_error(e, rc);
fail:
	code_free(&c);
	grant_free(&g);
	return -1;
}

/* What a presented refresh token is to its grant. */
enum refresh_role {
	ROLE_CURRENT,		/* rotates */
	ROLE_RETRY,		/* gets the current token again */
	ROLE_REUSE		/* revokes the grant */
};

static enum refresh_role
refresh_role(const struct config *cfg, const struct grant *g,
    const unsigned char *hash, int64_t now)
{
	if (g->has_current &&
	    crypto_equal(hash, g->refresh_current, CRYPTO_SHA256_LEN))
		return ROLE_CURRENT;
	if (g->has_previous &&
	    crypto_equal(hash, g->refresh_previous, CRYPTO_SHA256_LEN) &&
	    g->sealed_len > 0 && now < g->rotated + cfg->refresh_retry_window)
		return ROLE_RETRY;
	return ROLE_REUSE;
}

static void
log_throttled(const struct grant *g)
{
	struct log_line	 l;

	log_begin(&l, "refresh_throttled");
	log_str(&l, "grant", g->id);
	log_str(&l, "client", g->client_id);
	log_str(&l, "user", g->user);
	log_end(&l);
}

/*
 * refresh_rate_limit, counted in the grant in fixed windows of
 * REFRESH_RATE_WINDOW: whether one more refresh is over it (then
 * *retry_after receives the seconds until the window ends).  A retry
 * may go REFRESH_RETRY_ALLOWANCE beyond the limit (see grant.h).
 */
static int
refresh_throttled(const struct config *cfg, const struct grant *g,
    enum refresh_role role, int64_t now, long *retry_after)
{
	long	 limit = cfg->refresh_rate_limit;

	if (role == ROLE_RETRY)
		limit += REFRESH_RETRY_ALLOWANCE;
	if (cfg->refresh_rate_limit <= 0 ||
	    g->rate_start + REFRESH_RATE_WINDOW <= now ||
	    (long)g->rate_count < limit)
		return 0;
	*retry_after = (long)(g->rate_start + REFRESH_RATE_WINDOW - now);
	if (*retry_after < 1)
		*retry_after = 1;
	return 1;
}

static void
refresh_count(struct grant *g, int64_t now)
{
	if (g->rate_start + REFRESH_RATE_WINDOW <= now) {
		g->rate_start = now;
		g->rate_count = 0;
	}
	if (g->rate_count < UINT32_MAX)
		g->rate_count++;
}

/*
 * The refresh_token grant with rotation (RFC 6749 §6, RFC 9700
 * §4.14.2; the roles are described in grant.h).  scope narrows the
 * access token (never widens); resource must be the grant's if given.
 * Refused with 429 (out->retry_after set) over refresh_rate_limit.
 */
int
grant_refresh(struct store_txn *t, const struct config *cfg,
    const struct client *client, const char *refresh, const char *scope,
    const char *resource, int64_t now, struct token_response *out,
    struct oauth_error *e)
{
	struct token		 tok;
	struct grant		 g;
	struct revoke_counts	 n;
	struct buf		 want;
	enum refresh_role	 role;
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	char			 bad[SCOPE_NAME_MAX + 1];
	long			 retry = 0;
	int			 rc;

	memset(&tok, 0, sizeof(tok));
	memset(&g, 0, sizeof(g));
	memset(&n, 0, sizeof(n));
	memset(out, 0, sizeof(*out));
	buf_init(&want);
	e->commit = 0;
	if (strlen(refresh) > TOKEN_MAX ||
	    crypto_sha256_str(refresh, hash) != CRYPTO_OK ||
	    (rc = store_token_get(t, hash, &tok)) == STORE_NOTFOUND ||
	    (rc == STORE_OK && tok.kind == TOKEN_ACCESS)) {
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or revoked refresh token");
		goto fail;
	}
	if (rc != STORE_OK)
		goto store_fail;
	if (tok.expires <= now) {
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or revoked refresh token");
		goto fail;
	}
	if ((rc = store_grant_get(t, tok.grant_id, &g)) != STORE_OK) {
		if (rc != STORE_NOTFOUND)
			goto store_fail;
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or revoked refresh token");
		goto fail;
	}
	/* Another client's token: as if unknown, and nothing changes. */
	if (strcmp(g.client_id, client->id) != 0) {
		oauth_error_set(e, 400, "invalid_grant",
		    "unknown, expired or revoked refresh token");
		goto fail;
	}
	if (grant_end(cfg, &g) <= now) {
		oauth_error_set(e, 400, "invalid_grant", "this authorization "
		    "has reached the end of its lifetime; sign in again");
		goto fail;
	}
	if ((role = refresh_role(cfg, &g, hash, now)) == ROLE_REUSE) {
		/*
		 * An older token, or the previous one after its window:
		 * someone else holds the family (RFC 9700 §4.14.2).
		 */
		if ((rc = grant_revoke(t, g.id, &n)) != STORE_OK &&
		    rc != STORE_NOTFOUND)
			goto store_fail;
		log_replay("refresh_reuse", g.id, client->id, hash, &n);
		out->replay = AUDIT_REFRESH_REUSE;
		snprintf(out->user, sizeof(out->user), "%s", g.user);
		oauth_error_set(e, 400, "invalid_grant", "refresh token "
		    "already used; the authorization is revoked");
		e->commit = 1;
		goto fail;
	}
	if (scope != NULL) {
		rc = scope_normalise(cfg, scope, &want, bad, sizeof(bad));
		if (rc != SCOPE_OK || !scope_implied(buf_cstr(&want), g.scope)) {
			oauth_error_set(e, 400, "invalid_scope", "scope may "
			    "only narrow the granted scope (%s)", g.scope);
			goto fail;
		}
		/*
		 * "offline_access" alone normalises to nothing: treat it
		 * as no scope parameter rather than mint a token that can
		 * do nothing (RFC 6749 §6: omitted means as granted).
		 */
		if (want.len == 0)
			scope = NULL;
	}
	if (resource != NULL && !resource_equal(resource, g.resource)) {
		oauth_error_set(e, 400, "invalid_target",
		    "resource does not match the authorization");
		goto fail;
	}
	/* Counted only when it succeeds: a refused one writes nothing. */
	if (refresh_throttled(cfg, &g, role, now, &retry)) {
		log_throttled(&g);
		out->retry_after = retry;
		if (role == ROLE_RETRY)
			oauth_error_set(e, 429, "too_many_requests", "too "
			    "many refreshes of this authorization; try "
			    "again in %ld seconds with the newest refresh "
			    "token", retry);
		else
			oauth_error_set(e, 429, "too_many_requests", "too "
			    "many refreshes of this authorization; try "
			    "again in %ld seconds with the same refresh "
			    "token", retry);
		goto fail;
	}
	if (role == ROLE_CURRENT) {
		/* The presented token becomes the previous one. */
		if ((rc = token_retire(t, hash, g.id, tok.expires)) !=
		    STORE_OK)
			goto store_fail;
		g.has_previous = 1;
		memcpy(g.refresh_previous, hash, CRYPTO_SHA256_LEN);
		g.rotated = now;
		rc = issue_refresh(t, cfg, &g, refresh, now, out);
	} else
		rc = reissue_refresh(&g, refresh, out);
	g.last_refresh = g.last_used = now;
	refresh_count(&g, now);
	if (rc != STORE_OK || (rc = issue_access(t, cfg, &g, scope != NULL ?
	    buf_cstr(&want) : g.scope, now, out)) != STORE_OK)
		goto store_fail;
	token_free(&tok);
	grant_free(&g);
	buf_free(&want);
	return 0;
store_fail:
	crypto_wipe(out, sizeof(*out));
	e->commit = 0;
	oauth_store_error(e, rc);
fail:
	token_free(&tok);
	grant_free(&g);
	buf_free(&want);
	return -1;
}

/*
 * RFC 7009 revocation by the client that owns the token.  A refresh
 * token, current or rotated out, takes its whole grant with it; an
 * access token only itself.
 * Unknown tokens, and tokens of other clients, are left alone: the
 * endpoint answers 200 either way, so it reveals nothing.
 */
int
token_revoke(struct store_txn *t, const struct client *client,
    const char *token_str, struct revoke_counts *counts)
{
	struct token	 tok;
	struct grant	 g;
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	int		 rc;

	if (strlen(token_str) > ACCESS_TOKEN_MAX ||
	    crypto_sha256_str(token_str, hash) != CRYPTO_OK)
		return STORE_NOTFOUND;
	if ((rc = store_token_get(t, hash, &tok)) != STORE_OK)
		return rc;
	/* A retired token names no client: its grant does. */
	if (tok.kind == TOKEN_RETIRED) {
		if ((rc = store_grant_get(t, tok.grant_id, &g)) == STORE_OK) {
			rc = strcmp(g.client_id, client->id) == 0 ?
			    grant_revoke(t, tok.grant_id, counts) :
			    STORE_NOTFOUND;
			if (rc == STORE_OK && counts != NULL)
				snprintf(counts->user, sizeof(counts->user),
				    "%s", g.user);
			grant_free(&g);
		}
		token_free(&tok);
		return rc;
	}
	if (strcmp(tok.client_id, client->id) != 0) {
		token_free(&tok);
		return STORE_NOTFOUND;
	}
	if (counts != NULL)
		snprintf(counts->user, sizeof(counts->user), "%s", tok.user);
	if (tok.kind == TOKEN_REFRESH)
		rc = grant_revoke(t, tok.grant_id, counts);
	else {
		rc = store_del(t, DB_TOKENS, hash, sizeof(hash), NULL, 0);
		if (rc == STORE_OK)
			rc = index_del(t, tok.grant_id, INDEX_ACCESS, hash);
		if (rc == STORE_OK && counts != NULL)
			counts->access_tokens++;
	}
	token_free(&tok);
	return rc;
}

/*
 * Whether user already granted client (active, unexpired, before the
 * end of its grant_lifetime) at least scope for resource: /authorize
 * then need not ask again.  The lifetime is checked here as well as at
 * refresh, since a grant written before it was lowered (or before it
 * existed) can have an expiry beyond it.
 */
int
grant_has_active_consent(struct store_txn *t, const struct config *cfg,
    const char *user, const char *client_id, const char *scope,
    const char *resource, int64_t now)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	char			 id[GRANT_ID_LEN + 1];
	int			 op, found = 0;

	if (store_cursor_open(t, DB_USER_GRANTS, &cur) != STORE_OK)
		return 0;
	k.data = user;
	k.len = strlen(user);
	for (op = STORE_SET; !found && store_cursor_get(cur, &k, &v, op) ==
	    STORE_OK; op = STORE_NEXT_DUP) {
		struct grant	 g;

		if (v.len != GRANT_ID_LEN)
			continue;
		memcpy(id, v.data, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		if (store_grant_get(t, id, &g) != STORE_OK)
			continue;
		found = (g.flags & GRANT_ACTIVE) && g.expires > now &&
		    grant_end(cfg, &g) > now &&
		    strcmp(g.client_id, client_id) == 0 &&
		    scope_subset(scope, g.scope) &&
		    resource_equal(resource, g.resource);
		grant_free(&g);
	}
	store_cursor_close(cur);
	return found;
}

/*
 * The union of the scopes user has granted client for resource in
 * grants still active, in the configuration's order (the consent page
 * of a step-up lists them as granted already, and offers only what is
 * new).
 */
int
grant_active_scopes(struct store_txn *t, const struct config *cfg,
    const char *user, const char *client_id, const char *resource,
    int64_t now, struct buf *out)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct buf		 acc;
	char			 id[GRANT_ID_LEN + 1];
	int			 op, rc;

	buf_reset(out);
	if ((rc = store_cursor_open(t, DB_USER_GRANTS, &cur)) != STORE_OK)
		return rc;
	buf_init(&acc);
	k.data = user;
	k.len = strlen(user);
	for (op = STORE_SET; store_cursor_get(cur, &k, &v, op) == STORE_OK;
	    op = STORE_NEXT_DUP) {
		struct grant	 g;

		if (v.len != GRANT_ID_LEN)
			continue;
		memcpy(id, v.data, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		if (store_grant_get(t, id, &g) != STORE_OK)
			continue;
		if ((g.flags & GRANT_ACTIVE) && g.expires > now &&
		    grant_end(cfg, &g) > now &&
		    strcmp(g.client_id, client_id) == 0 &&
		    resource_equal(resource, g.resource)) {
			scope_union(cfg, buf_cstr(out), g.scope, &acc);
			buf_reset(out);
			buf_puts(out, buf_cstr(&acc));
		}
		grant_free(&g);
	}
	store_cursor_close(cur);
	rc = buf_failed(&acc) || buf_failed(out) ? STORE_ENOMEM : STORE_OK;
	buf_free(&acc);
	return rc;
}

/*
 * Narrows one code or token that a grant_tokens value names to the
 * scopes limit allows.  Retired refresh tokens carry no scope.
 */
static int
narrow_indexed(struct store_txn *t, const struct config *cfg,
    const unsigned char *val, const char *limit, struct buf *tmp,
    struct narrow_counts *n)
{
	struct store_val	 v;
	struct code		 c;
	struct token		 tok;
	char			*old;
	int			 rc;

	rc = store_get(t, grant_index_db(val[0]), val + 1, CRYPTO_SHA256_LEN,
	    &v);
	if (rc == STORE_NOTFOUND)
		return STORE_OK;
	if (rc != STORE_OK)
		return rc;
	if (val[0] == INDEX_CODE) {
		memset(&c, 0, sizeof(c));
		if ((rc = code_decode(v.data, v.len, &c)) != STORE_OK)
			return rc;
		scope_limit(cfg, c.scope, limit, tmp);
		if (strcmp(buf_cstr(tmp), c.scope) != 0) {
			old = c.scope;
			c.scope = (char *)buf_cstr(tmp);
			rc = code_put(t, val + 1, &c);
			c.scope = old;
			n->codes++;
		}
		code_free(&c);
		return rc;
	}
	if ((rc = token_decode(v.data, v.len, &tok)) != STORE_OK)
		return rc;
	if (tok.kind != TOKEN_RETIRED) {
		scope_limit(cfg, tok.scope, limit, tmp);
		if (strcmp(buf_cstr(tmp), tok.scope) != 0) {
			old = tok.scope;
			tok.scope = (char *)buf_cstr(tmp);
			rc = token_put(t, val + 1, &tok, 0);
			tok.scope = old;
			if (tok.kind == TOKEN_ACCESS)
				n->access_tokens++;
			else
				n->refresh_tokens++;
		}
	}
	token_free(&tok);
	return rc;
}

/*
 * Narrows grant id, with its code and tokens, to the scopes limit
 * allows, in the caller's transaction: /mcp reads the scope from the
 * access token's record, so the next request sees the narrower one
 * without any extra read.  A grant left without its base scope
 * (scope_base()), or with no scope at all, is revoked instead: its
 * client could do nothing useful with it.
 */
int
grant_narrow(struct store_txn *t, const struct config *cfg, const char *id,
    const char *limit, struct narrow_counts *n)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct grant		 g;
	struct buf		 want, tmp;
	unsigned char		 val[INDEX_VALUE_LEN];
	const char		*base = scope_base(cfg), *old;
	int			 rc, op;

	if ((rc = store_grant_get(t, id, &g)) != STORE_OK)
		return rc;
	buf_init(&want);
	buf_init(&tmp);
	scope_limit(cfg, g.scope, limit, &want);
	if (buf_failed(&want)) {
		rc = STORE_ENOMEM;
		goto out;
	}
	if (strcmp(buf_cstr(&want), g.scope) == 0)
		goto out;
	if (buf_cstr(&want)[0] == '\0' || (base != NULL &&
	    scope_has(g.scope, base) && !scope_has(buf_cstr(&want), base))) {
		if ((rc = grant_revoke(t, id, &n->revoked)) == STORE_NOTFOUND)
			rc = STORE_OK;
		goto out;
	}
	old = g.scope;
	g.scope = (char *)buf_cstr(&want);
	rc = store_grant_put(t, &g);
	g.scope = (char *)old;
	if (rc != STORE_OK)
		goto out;
	n->grants++;
	if ((rc = store_cursor_open(t, DB_GRANT_TOKENS, &cur)) != STORE_OK)
		goto out;
	k.data = id;
	k.len = GRANT_ID_LEN;
	for (op = STORE_SET; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT_DUP) {
		if (v.len != INDEX_VALUE_LEN)
			continue;
		memcpy(val, v.data, sizeof(val));
		if ((rc = narrow_indexed(t, cfg, val, limit, &tmp, n)) !=
		    STORE_OK)
			break;
		if (buf_failed(&tmp)) {
			rc = STORE_ENOMEM;
			break;
		}
	}
	store_cursor_close(cur);
	if (rc == STORE_NOTFOUND)
		rc = STORE_OK;
out:
	buf_free(&want);
	buf_free(&tmp);
	grant_free(&g);
	return rc;
}

/*
 * Narrows every grant of user to limit (grant_narrow()), in the
 * caller's transaction.  The work is bounded by the number of the
 * user's grants, each with its few codes and tokens.  The ids are
 * collected first, since revoking a grant deletes its entry under the
 * user.
 */
int
grant_narrow_user(struct store_txn *t, const struct config *cfg,
    const char *user, const char *limit, struct narrow_counts *n)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct buf		 ids;
	size_t			 i;
	int			 op, rc;

	memset(n, 0, sizeof(*n));
	if (limit[0] == '\0')
		return STORE_OK;
	if ((rc = store_cursor_open(t, DB_USER_GRANTS, &cur)) != STORE_OK)
		return rc;
	buf_init(&ids);
	k.data = user;
	k.len = strlen(user);
	for (op = STORE_SET; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT_DUP)
		if (v.len == GRANT_ID_LEN)
			buf_append(&ids, v.data, GRANT_ID_LEN);
	store_cursor_close(cur);
	if (rc != STORE_NOTFOUND)
		goto out;
	rc = buf_failed(&ids) ? STORE_ENOMEM : STORE_OK;
	for (i = 0; rc == STORE_OK && i + GRANT_ID_LEN <= ids.len;
	    i += GRANT_ID_LEN) {
		char	 id[GRANT_ID_LEN + 1];

		memcpy(id, (const char *)ids.data + i, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		rc = grant_narrow(t, cfg, id, limit, n);
		if (rc == STORE_NOTFOUND || rc == STORE_CORRUPT)
			rc = STORE_OK;
	}
out:
	buf_free(&ids);
	return rc;
}
