/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Sealing and opening request state (reqstate.h).  Nothing in a state
 * is trusted until crypto_unseal() has authenticated all of it against
 * the binding the request being served computes for itself; the expiry
 * is read only after that.
 */
#include <stdint.h>
#include <string.h>

#include "crypto.h"
#include "reqstate.h"
#include "store.h"

/* The HKDF label: this key serves request state and nothing else. */
#define SEAL_LABEL	"mcp-oauth-fcgi request state v1"
/* The server key's record in the meta database. */
#define KEY_RECORD	"reqstate_key"

/*
 * The associated data: the version byte and the four bound strings,
 * each after its 16-bit length, so no two bindings encode alike.
 */
static int
bind_aad(const struct reqstate_bind *b, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	const char	*part[4] = { b->user, b->client_id, b->method,
			    b->name };
	size_t		 i, n, at = 0;

	if (outsz < 1)
		return -1;
	out[at++] = REQSTATE_VERSION;
	for (i = 0; i < 4; i++) {
		n = part[i] != NULL ? strlen(part[i]) : 0;
		if (n > REQSTATE_BIND_MAX || outsz - at < 2 + n)
			return -1;
		out[at++] = (unsigned char)(n >> 8);
		out[at++] = (unsigned char)n;
		if (n > 0)
			memcpy(out + at, part[i], n);
		at += n;
	}
	*outlen = at;
	return 0;
}

/* The key as the secret string crypto_seal() derives from. */
static void
key_secret(const unsigned char *key, char *secret)
{
	hex_encode(key, REQSTATE_KEY_LEN, secret);
}

/*
 * Seals payload (len bytes, at most REQSTATE_PAYLOAD_MAX) for the
 * binding b, valid until expires, and writes it NUL-terminated,
 * base64url-encoded, to out (outsz bytes: REQSTATE_ENCODED_MAX + 1 is
 * always enough).
 */
int
reqstate_seal(const unsigned char *key, const struct reqstate_bind *b,
    int64_t expires, const void *payload, size_t len, char *out,
    size_t outsz)
{
	unsigned char	 aad[1 + 4 * (2 + REQSTATE_BIND_MAX)];
	unsigned char	 plain[REQSTATE_HDR_LEN + REQSTATE_PAYLOAD_MAX];
	unsigned char	 raw[REQSTATE_RAW_MAX];
	char		 secret[2 * REQSTATE_KEY_LEN + 1];
	size_t		 aadlen, sealed, n;
	uint64_t	 e = (uint64_t)expires;
	int		 i, rc = REQSTATE_ECRYPTO;

	if (len > REQSTATE_PAYLOAD_MAX)
		return REQSTATE_ETOOBIG;
	if (bind_aad(b, aad, sizeof(aad), &aadlen) == -1)
		return REQSTATE_ETOOBIG;
	plain[0] = REQSTATE_VERSION;
	for (i = 0; i < 8; i++)
		plain[1 + i] = (unsigned char)(e >> (56 - 8 * i));
	if (len > 0)
		memcpy(plain + REQSTATE_HDR_LEN, payload, len);
	key_secret(key, secret);
	raw[0] = REQSTATE_VERSION;
	if (crypto_seal(secret, SEAL_LABEL, aad, aadlen, plain,
	    REQSTATE_HDR_LEN + len, raw + 1, sizeof(raw) - 1, &sealed) !=
	    CRYPTO_OK)
		goto out;
	n = base64url_encode(raw, 1 + sealed, out, outsz);
	rc = n == 0 ? REQSTATE_ETOOBIG : REQSTATE_OK;
out:
	crypto_wipe(plain, sizeof(plain));
	crypto_wipe(secret, sizeof(secret));
	return rc;
}

/*
 * Opens the encoded state in for the binding b at time now: its payload
 * to out (outsz bytes) and its length to *outlen.  Anything altered,
 * sealed under another key or for another binding is REQSTATE_EFORGED;
 * nothing of it reaches out.
 */
int
reqstate_open(const unsigned char *key, const struct reqstate_bind *b,
    int64_t now, const char *in, void *out, size_t outsz, size_t *outlen)
{
	unsigned char	 aad[1 + 4 * (2 + REQSTATE_BIND_MAX)];
	unsigned char	 plain[REQSTATE_HDR_LEN + REQSTATE_PAYLOAD_MAX];
	unsigned char	 raw[REQSTATE_RAW_MAX];
	char		 secret[2 * REQSTATE_KEY_LEN + 1];
	size_t		 inlen, rawlen, aadlen, plainlen;
	uint64_t	 e = 0;
	int		 i, rc;

	*outlen = 0;
	inlen = strlen(in);
	if (inlen > REQSTATE_ENCODED_MAX)
		return REQSTATE_ETOOBIG;
	if (base64url_decode(in, inlen, raw, sizeof(raw), &rawlen) != 0 ||
	    rawlen < 1 + CRYPTO_SEAL_OVERHEAD + REQSTATE_HDR_LEN ||
	    raw[0] != REQSTATE_VERSION)
		return REQSTATE_EMALFORMED;
	if (bind_aad(b, aad, sizeof(aad), &aadlen) == -1)
		return REQSTATE_EFORGED;
	key_secret(key, secret);
	rc = crypto_unseal(secret, SEAL_LABEL, aad, aadlen, raw + 1,
	    rawlen - 1, plain, sizeof(plain), &plainlen);
	crypto_wipe(secret, sizeof(secret));
	if (rc == CRYPTO_MISMATCH || rc == CRYPTO_ESPACE)
		return REQSTATE_EFORGED;
	if (rc != CRYPTO_OK)
		return REQSTATE_ECRYPTO;
	/* Authentic from here on: sealed by us, for this binding. */
	rc = REQSTATE_EMALFORMED;
	if (plainlen < REQSTATE_HDR_LEN || plain[0] != REQSTATE_VERSION)
		goto out;
	for (i = 0; i < 8; i++)
		e = e << 8 | plain[1 + i];
	rc = REQSTATE_EEXPIRED;
	if ((int64_t)e <= now)
		goto out;
	rc = REQSTATE_ETOOBIG;
	if (plainlen - REQSTATE_HDR_LEN > outsz)
		goto out;
	if (plainlen > REQSTATE_HDR_LEN)
		memcpy(out, plain + REQSTATE_HDR_LEN,
		    plainlen - REQSTATE_HDR_LEN);
	*outlen = plainlen - REQSTATE_HDR_LEN;
	rc = REQSTATE_OK;
out:
	crypto_wipe(plain, sizeof(plain));
	return rc;
}

/*
 * The server key, from the meta database; the first process that needs
 * it makes it (RAND_bytes), and a process that loses the race to store
 * it reads the winner's.  It lives as long as the database: deleting
 * the record (mcp-oauth-admin does not) would void every state issued.
 */
int
reqstate_key(struct store *st, unsigned char *key)
{
	struct store_txn	*t = NULL;
	struct store_val	 v;
	unsigned char		 fresh[REQSTATE_KEY_LEN];
	int			 rc, tries;

	for (tries = 0; tries < 2; tries++) {
		if (store_begin(st, 1, &t) != STORE_OK)
			return REQSTATE_ESTORE;
		rc = store_get(t, DB_META, KEY_RECORD, strlen(KEY_RECORD), &v);
		if (rc == STORE_OK && v.len == REQSTATE_KEY_LEN)
			memcpy(key, v.data, REQSTATE_KEY_LEN);
		store_abort(t);
		if (rc == STORE_OK)
			return v.len == REQSTATE_KEY_LEN ? REQSTATE_OK :
			    REQSTATE_ESTORE;
		if (rc != STORE_NOTFOUND || tries > 0)
			return REQSTATE_ESTORE;
		if (crypto_random(fresh, sizeof(fresh)) != CRYPTO_OK)
			return REQSTATE_ECRYPTO;
		if (store_begin(st, 0, &t) != STORE_OK)
			return REQSTATE_ESTORE;
		rc = store_put(t, DB_META, KEY_RECORD, strlen(KEY_RECORD),
		    fresh, sizeof(fresh), STORE_NOOVERWRITE);
		crypto_wipe(fresh, sizeof(fresh));
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc != STORE_OK && rc != STORE_EXISTS)
			return REQSTATE_ESTORE;
	}
	return REQSTATE_ESTORE;
}

const char *
reqstate_strerror(int rc)
{
	switch (rc) {
	case REQSTATE_OK:
		return "no error";
	case REQSTATE_EMALFORMED:
		return "malformed request state";
	case REQSTATE_ETOOBIG:
		return "request state too large";
	case REQSTATE_EFORGED:
		return "request state altered or bound to another request";
	case REQSTATE_EEXPIRED:
		return "request state expired";
	case REQSTATE_ECRYPTO:
		return "cipher or random source failed";
	case REQSTATE_ESTORE:
		return "server key unavailable";
	}
	return "unknown error";
}
