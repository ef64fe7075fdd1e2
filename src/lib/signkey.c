/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "jose.h"
#include "jsonutil.h"
#include "record.h"
#include "signkey.h"
#include "store.h"

void
signkey_free(struct signkey *k)
{
	if (k->pem != NULL) {
		crypto_wipe(k->pem, strlen(k->pem));
		free(k->pem);
	}
	memset(k, 0, sizeof(*k));
}

/* Record: alg u8, flags u32, created i64, retired i64, PEM string. */
int
signkey_decode(const void *p, size_t n, struct signkey *k)
{
	struct rec_reader	 r;
	uint8_t			 alg;

	rec_reader_init(&r, p, n);
	alg = rec_get_u8(&r);
	k->flags = rec_get_u32(&r);
	k->created = rec_get_i64(&r);
	k->retired = rec_get_i64(&r);
	k->pem = rec_get_str(&r);
	if (alg < JOSE_RS256 || alg > JOSE_EDDSA)
		r.err = 1;
	k->alg = (enum jose_alg)alg;
	if (!rec_reader_ok(&r)) {
		signkey_free(k);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

int
store_signkey_put(struct store_txn *t, const struct signkey *k)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, (uint8_t)k->alg);
	rec_put_u32(&b, k->flags);
	rec_put_i64(&b, k->created);
	rec_put_i64(&b, k->retired);
	rec_put_str(&b, k->pem);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_KEYS, k->kid,
	    strlen(k->kid), b.data, b.len, 0);
	crypto_wipe(b.data, b.len);
	buf_free(&b);
	return rc;
}

/* A new key pair for alg, with a random kid. */
int
signkey_generate(enum jose_alg alg, int64_t now, struct signkey *k)
{
	EVP_PKEY	*pkey = NULL;
	BIO		*bio = NULL;
	BUF_MEM		*mem;
	unsigned char	 raw[12];

	memset(k, 0, sizeof(*k));
	switch (alg) {
	case JOSE_RS256:
	case JOSE_PS256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case JOSE_ES256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case JOSE_EDDSA:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		return STORE_ERROR;
	}
	if (pkey == NULL || crypto_random(raw, sizeof(raw)) != CRYPTO_OK ||
	    (bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1)
		goto fail;
	BIO_get_mem_ptr(bio, &mem);
	if ((k->pem = strndup(mem->data, mem->length)) == NULL)
		goto fail;
	base64url_encode(raw, sizeof(raw), k->kid, sizeof(k->kid));
	k->alg = alg;
	k->flags = SIGNKEY_ACTIVE;
	k->created = now;
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return STORE_OK;
fail:
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	signkey_free(k);
	return STORE_ERROR;
}

EVP_PKEY *
signkey_pkey(const struct signkey *k)
{
	EVP_PKEY	*pkey;
	BIO		*bio;

	if ((bio = BIO_new_mem_buf(k->pem, -1)) == NULL)
		return NULL;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey != NULL && !jose_key_fits(pkey, k->alg)) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

/*
 * Visits every key record in kid order; stops early when visit returns
 * non-zero (and returns that), -1 if the database cannot be read.
 */
int
signkey_each(struct store_txn *t, int (*visit)(struct signkey *, void *),
    void *arg)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	int			 op, rc = 0;

	if (store_cursor_open(t, DB_KEYS, &cur) != STORE_OK)
		return -1;
	for (op = STORE_FIRST; rc == 0 && store_cursor_get(cur, &k, &v, op) ==
	    STORE_OK; op = STORE_NEXT) {
		struct signkey	 key;

		memset(&key, 0, sizeof(key));
		if (k.len > SIGNKEY_KID_LEN ||
		    signkey_decode(v.data, v.len, &key) != STORE_OK)
			continue;
		memcpy(key.kid, k.data, k.len);
		key.kid[k.len] = '\0';
		rc = visit(&key, arg);
		signkey_free(&key);
	}
	store_cursor_close(cur);
	return rc;
}

static int
take_active(struct signkey *k, void *arg)
{
	struct signkey	*out = arg;

	if (!(k->flags & SIGNKEY_ACTIVE))
		return 0;
	*out = *k;
	/* The caller owns the PEM now. */
	k->pem = NULL;
	return 1;
}

/* The active signing key; STORE_NOTFOUND if none was generated. */
int
signkey_active(struct store_txn *t, struct signkey *out)
{
	int	 rc;

	memset(out, 0, sizeof(*out));
	rc = signkey_each(t, take_active, out);
	if (rc < 0)
		return STORE_ERROR;
	return rc == 1 ? STORE_OK : STORE_NOTFOUND;
}

/*
 * Makes a new active key of alg and retires the current one (if any),
 * in the caller's write transaction.
 */
int
signkey_rotate(struct store_txn *t, enum jose_alg alg, int64_t now,
    struct signkey *out)
{
	struct signkey	 old;
	int		 rc;

	if ((rc = signkey_active(t, &old)) == STORE_OK) {
		old.flags &= ~(uint32_t)SIGNKEY_ACTIVE;
		old.retired = now;
		rc = store_signkey_put(t, &old);
		signkey_free(&old);
		if (rc != STORE_OK)
			return rc;
	} else if (rc != STORE_NOTFOUND)
		return rc;
	if ((rc = signkey_generate(alg, now, out)) != STORE_OK)
		return rc;
	return store_signkey_put(t, out);
}

/*
 * Whether a key is still published: active, or retired recently enough
 * that a token it signed may still be unexpired.
 */
int
signkey_published(const struct config *cfg, const struct signkey *k,
    int64_t now)
{
	return (k->flags & SIGNKEY_ACTIVE) ||
	    k->retired + cfg->access_token_lifetime + cfg->jwt_leeway > now;
}

struct publish {
	const struct config	*cfg;
	int64_t			 now;
	struct json_object	*keys;
};

static int
add_public(struct signkey *k, void *arg)
{
	struct publish		*p = arg;
	struct json_object	*jwk;
	EVP_PKEY		*pkey;

	if (!signkey_published(p->cfg, k, p->now) ||
	    (pkey = signkey_pkey(k)) == NULL)
		return 0;
	if ((jwk = jwk_public(pkey, k->alg, k->kid)) != NULL)
		json_object_array_add(p->keys, jwk);
	EVP_PKEY_free(pkey);
	return 0;
}

/* The published keys as a JWK Set (RFC 7517 §5), appended to out. */
int
signkey_jwks(struct store_txn *t, const struct config *cfg, int64_t now,
    struct buf *out)
{
	struct publish		 p = { cfg, now, json_object_new_array() };
	struct json_object	*o;

	if (signkey_each(t, add_public, &p) < 0) {
		json_object_put(p.keys);
		return STORE_ERROR;
	}
	o = json_object_new_object();
	json_object_object_add(o, "keys", p.keys);
	json_to_buf(o, out);
	json_object_put(o);
	return buf_failed(out) ? STORE_ENOMEM : STORE_OK;
}

/*
 * Signs an RFC 9068 access token with the active key: iss, sub, aud,
 * client_id, scope, iat, exp and a random jti.  out receives the
 * compact JWT.
 */
int
jwt_mint(struct store_txn *t, const struct config *cfg,
    const struct jwt_claims *c, char *out, size_t outsz)
{
	struct signkey		 k;
	struct json_object	*claims;
	struct buf		 b;
	EVP_PKEY		*pkey;
	char			 jti[32];
	int			 rc;

	if ((rc = signkey_active(t, &k)) != STORE_OK)
		return rc;
	if ((pkey = signkey_pkey(&k)) == NULL ||
	    crypto_random_token(NULL, 16, jti, sizeof(jti)) != CRYPTO_OK) {
		EVP_PKEY_free(pkey);
		signkey_free(&k);
		return STORE_ERROR;
	}
	claims = json_object_new_object();
	json_object_object_add(claims, "iss", json_object_new_string(cfg->issuer));
	json_object_object_add(claims, "sub", json_object_new_string(c->subject));
	json_object_object_add(claims, "aud",
	    json_object_new_string(c->audience));
	json_object_object_add(claims, "client_id",
	    json_object_new_string(c->client_id));
	json_object_object_add(claims, "scope", json_object_new_string(c->scope));
	json_object_object_add(claims, "iat", json_object_new_int64(c->issued));
	json_object_object_add(claims, "exp", json_object_new_int64(c->expires));
	json_object_object_add(claims, "jti", json_object_new_string(jti));
	buf_init(&b);
	rc = jws_sign(k.alg, pkey, k.kid, claims, &b);
	json_object_put(claims);
	EVP_PKEY_free(pkey);
	signkey_free(&k);
	if (rc != JOSE_OK || b.len + 1 > outsz) {
		buf_free(&b);
		return STORE_ERROR;
	}
	memcpy(out, b.data, b.len + 1);
	buf_free(&b);
	return STORE_OK;
}
