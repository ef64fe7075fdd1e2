/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "record.h"
#include "session.h"
#include "store.h"

void
session_free(struct session *s)
{
	free(s->user);
	memset(s, 0, sizeof(*s));
}

void
pending_free(struct pending *p)
{
	free(p->client_id);
	free(p->redirect_uri);
	free(p->state);
	free(p->challenge);
	free(p->scope);
	free(p->resource);
	memset(p, 0, sizeof(*p));
}

/*
 * A random value for the browser (a cookie, a request id or a CSRF
 * token) and its SHA-256, which is all we store.
 */
int
pending_new_secret(char *out, size_t outsz, unsigned char *hash)
{
	if (crypto_random_token(NULL, 32, out, outsz) != CRYPTO_OK ||
	    crypto_sha256_str(out, hash) != CRYPTO_OK)
		return STORE_ERROR;
	return STORE_OK;
}

/* A browser-held secret: base64url characters of the right length. */
static int
secret_hash(const char *s, unsigned char *hash)
{
	if (strlen(s) != CRYPTO_TOKEN_CHARS ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") != CRYPTO_TOKEN_CHARS)
		return -1;
	return crypto_sha256_str(s, hash) == CRYPTO_OK ? 0 : -1;
}

/*
 * The key of the session whose cookie is cookie (its SHA-256), for
 * callers that walk the sessions: 0, or -1 for a value that is no
 * cookie of ours.
 */
int
session_cookie_hash(const char *cookie, unsigned char *hash)
{
	return secret_hash(cookie, hash);
}

/* Session record: user string, created, expires i64. */
int
session_decode(const void *p, size_t n, struct session *s)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	s->user = rec_get_str(&r);
	s->created = rec_get_i64(&r);
	s->expires = rec_get_i64(&r);
	if (!rec_reader_ok(&r)) {
		session_free(s);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/*
 * Starts a session for user; cookie receives the value to send to the
 * browser.
 */
int
session_create(struct store_txn *t, const char *user, int64_t now,
    int64_t lifetime, char *cookie, size_t cookiesz)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	struct buf	 b;
	int		 rc;

	if ((rc = pending_new_secret(cookie, cookiesz, hash)) != STORE_OK)
		return rc;
	buf_init(&b);
	rec_begin(&b);
	rec_put_str(&b, user);
	rec_put_i64(&b, now);
	rec_put_i64(&b, now + lifetime);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_SESSIONS, hash,
	    sizeof(hash), b.data, b.len, STORE_NOOVERWRITE);
	buf_free(&b);
	return rc;
}

/* The live session of a cookie value; expired ones are not found. */
int
session_get(struct store_txn *t, const char *cookie, int64_t now,
    struct session *s)
{
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	struct store_val	 v;
	int			 rc;

	memset(s, 0, sizeof(*s));
	if (secret_hash(cookie, hash) == -1)
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_SESSIONS, hash, sizeof(hash), &v)) !=
	    STORE_OK)
		return rc;
	if ((rc = session_decode(v.data, v.len, s)) != STORE_OK)
		return rc;
	if (s->expires <= now) {
		session_free(s);
		return STORE_NOTFOUND;
	}
	return STORE_OK;
}

int
session_delete(struct store_txn *t, const char *cookie)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];

	if (secret_hash(cookie, hash) == -1)
		return STORE_NOTFOUND;
	return store_del(t, DB_SESSIONS, hash, sizeof(hash), NULL, 0);
}

/*
 * Pending record: client_id, redirect_uri strings, redirect_explicit
 * u32, state, challenge, scope, resource strings, prompt u32, created,
 * expires i64, browser hash, CSRF hash.  A device authorization
 * (PENDING_DEVICE_RECORD in prompt, device.c) is a pending record with
 * its own fields after these: pending_decode() reads the common part,
 * which is all that the purge and "check" need.
 */
void
pending_read(struct rec_reader *r, struct pending *pd)
{
	pd->client_id = rec_get_str(r);
	pd->redirect_uri = rec_get_str(r);
	pd->redirect_explicit = rec_get_u32(r);
	pd->state = rec_get_str(r);
	pd->challenge = rec_get_str(r);
	pd->scope = rec_get_str(r);
	pd->resource = rec_get_str(r);
	pd->prompt = rec_get_u32(r);
	pd->created = rec_get_i64(r);
	pd->expires = rec_get_i64(r);
	rec_get_bytes(r, pd->browser_hash, CRYPTO_SHA256_LEN);
	rec_get_bytes(r, pd->csrf_hash, CRYPTO_SHA256_LEN);
}

void
pending_write(struct buf *b, const struct pending *pd)
{
	rec_begin(b);
	rec_put_str(b, pd->client_id);
	rec_put_str(b, pd->redirect_uri);
	rec_put_u32(b, pd->redirect_explicit);
	rec_put_str(b, pd->state);
	rec_put_str(b, pd->challenge);
	rec_put_str(b, pd->scope);
	rec_put_str(b, pd->resource);
	rec_put_u32(b, pd->prompt);
	rec_put_i64(b, pd->created);
	rec_put_i64(b, pd->expires);
	rec_put_bytes(b, pd->browser_hash, CRYPTO_SHA256_LEN);
	rec_put_bytes(b, pd->csrf_hash, CRYPTO_SHA256_LEN);
}

int
pending_decode(const void *p, size_t n, struct pending *pd)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	pending_read(&r, pd);
	/* The device fields are device.c's to check. */
	if (!r.err && (pd->prompt & PENDING_DEVICE_RECORD))
		r.off = r.len;
	if (!rec_reader_ok(&r)) {
		pending_free(pd);
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/* Stores (or replaces) the pending request whose id is id. */
int
pending_put(struct store_txn *t, const char *id, const struct pending *pd)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	struct buf	 b;
	int		 rc;

	if (secret_hash(id, hash) == -1)
		return STORE_ERROR;
	buf_init(&b);
	pending_write(&b, pd);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_PENDING, hash,
	    sizeof(hash), b.data, b.len, 0);
	buf_free(&b);
	return rc;
}

int
pending_get(struct store_txn *t, const char *id, int64_t now,
    struct pending *pd)
{
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	struct store_val	 v;
	int			 rc;

	memset(pd, 0, sizeof(*pd));
	if (secret_hash(id, hash) == -1)
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_PENDING, hash, sizeof(hash), &v)) != STORE_OK)
		return rc;
	if ((rc = pending_decode(v.data, v.len, pd)) != STORE_OK)
		return rc;
	if (pd->expires <= now) {
		pending_free(pd);
		return STORE_NOTFOUND;
	}
	return STORE_OK;
}

int
pending_delete(struct store_txn *t, const char *id)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];

	if (secret_hash(id, hash) == -1)
		return STORE_NOTFOUND;
	return store_del(t, DB_PENDING, hash, sizeof(hash), NULL, 0);
}
