/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Randomness, hashing, encodings, sealing (authenticated encryption
 * under a key derived from a secret) and password hashing, all on top
 * of OpenSSL 3.  Algorithms are fetched once, on first use, so programs
 * that never hash (metadata.fcgi) never pay for OpenSSL's start-up.
 */
#ifndef MCP_CRYPTO_H
#define MCP_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_LEN	32
/* Base64url of 32 random bytes, without padding. */
#define CRYPTO_TOKEN_CHARS	43
/* The longest encoded password hash crypto_password_hash() writes. */
#define CRYPTO_PWHASH_MAX	160
/* What crypto_seal() adds to a plaintext: a GCM nonce and tag. */
#define CRYPTO_SEAL_NONCE	12
#define CRYPTO_SEAL_TAG		16
#define CRYPTO_SEAL_OVERHEAD	(CRYPTO_SEAL_NONCE + CRYPTO_SEAL_TAG)

enum crypto_err {
	CRYPTO_OK = 0,
	CRYPTO_ERANDOM,		/* RAND_bytes failed */
	CRYPTO_EDIGEST,		/* SHA-256 failed */
	CRYPTO_EKDF,		/* scrypt or HKDF failed */
	CRYPTO_ESPACE,		/* output buffer too small */
	CRYPTO_EFORMAT,		/* malformed stored hash */
	CRYPTO_ECIPHER,		/* AES-GCM failed */
	CRYPTO_MISMATCH		/* password or PKCE verifier does not match */
};

void	 crypto_init(void);
int	 crypto_random(unsigned char *, size_t);
int	 crypto_random_token(const char *, size_t, char *, size_t);
int	 crypto_sha256(const void *, size_t, unsigned char *);
int	 crypto_sha256_str(const char *, unsigned char *);
int	 crypto_equal(const void *, const void *, size_t);
int	 crypto_str_equal(const char *, const char *);

size_t	 base64url_encode(const unsigned char *, size_t, char *, size_t);
int	 base64url_decode(const char *, size_t, unsigned char *, size_t,
	    size_t *);
int	 base64_decode(const char *, size_t, unsigned char *, size_t,
	    size_t *);
void	 hex_encode(const unsigned char *, size_t, char *);
int	 hex_decode(const char *, unsigned char *, size_t);
int	 hex_value(char);

int	 pkce_verifier_valid(const char *);
int	 pkce_challenge_valid(const char *);
int	 pkce_verify(const char *, const char *);

int	 crypto_seal(const char *, const char *, const void *, size_t,
	    const void *, size_t, unsigned char *, size_t, size_t *);
int	 crypto_unseal(const char *, const char *, const void *, size_t,
	    const unsigned char *, size_t, void *, size_t, size_t *);

int	 crypto_password_hash(const char *, char *, size_t);
int	 crypto_password_verify(const char *, const char *);
void	 crypto_wipe(void *, size_t);
const char *crypto_strerror(int);

#endif
