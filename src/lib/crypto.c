/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* For SHA256_Init() and friends: see crypto_sha256(). */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "crypto.h"

/*
 * scrypt parameters for new password hashes: OWASP's N=2^14, r=8, p=5
 * (16 MiB, about 0.2 s here).  They are stored in every hash, so they
 * can be raised later without invalidating existing passwords.
 */
#define SCRYPT_LOG2_N	14
#define SCRYPT_R	8
#define SCRYPT_P	5
#define SCRYPT_SALT	16
#define SCRYPT_KEY	32
/* Refuse to verify stored hashes that would take more than this. */
#define SCRYPT_MAX_LOG2_N 20
#define SCRYPT_MAX_MEM	((uint64_t)1 << 30)

/*
 * Called first thing by every program.  The static bundle
 * (scripts/bundle, built with -DMCP_OAUTH_STATIC) carries its own
 * OpenSSL: the host's openssl.cnf, written for the host's OpenSSL, may
 * load providers or engines with dlopen(), which a static program must
 * not do, so it reads none.  The built-in default provider has every
 * algorithm the programs use.  A build from source keeps OpenSSL's own
 * behaviour (the system's configuration, e.g. its FIPS policy).
 */
void
crypto_init(void)
{
#ifdef MCP_OAUTH_STATIC
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
#endif
}

int
crypto_random(unsigned char *p, size_t n)
{
	if (n > 0x7fffffff || RAND_bytes(p, (int)n) != 1)
		return CRYPTO_ERANDOM;
	return CRYPTO_OK;
}

/*
 * A fresh secret: nbytes random bytes, base64url-encoded after an
 * optional prefix ("mcpat_", ...), NUL-terminated.
 */
int
crypto_random_token(const char *prefix, size_t nbytes, char *out,
    size_t outsz)
{
	unsigned char	 raw[64];
	size_t		 plen, need;
	int		 rc;

	plen = prefix != NULL ? strlen(prefix) : 0;
	need = plen + (nbytes * 4 + 2) / 3 + 1;
	if (nbytes > sizeof(raw) || need > outsz)
		return CRYPTO_ESPACE;
	if ((rc = crypto_random(raw, nbytes)) != CRYPTO_OK)
		return rc;
	memcpy(out, prefix != NULL ? prefix : "", plen);
	base64url_encode(raw, nbytes, out + plen, outsz - plen);
	crypto_wipe(raw, sizeof(raw));
	return CRYPTO_OK;
}

/*
 * SHA-256 through OpenSSL's low-level interface (deprecated in 3.0, but
 * the same code as the EVP one, assembly included).  The EVP interface
 * would initialise OpenSSL 3 on first use (load its configuration file,
 * build the provider and algorithm tables): 5.3 million instructions,
 * more than half of the cold start of mcp.fcgi, which hashes a bearer
 * token and nothing else; EVP_Digest() then costs a third more per hash.
 */
int
crypto_sha256(const void *p, size_t n, unsigned char *out)
{
	SHA256_CTX	 c;

	if (SHA256_Init(&c) != 1 || SHA256_Update(&c, p, n) != 1 ||
	    SHA256_Final(out, &c) != 1)
		return CRYPTO_EDIGEST;
	OPENSSL_cleanse(&c, sizeof(c));
	return CRYPTO_OK;
}

int
crypto_sha256_str(const char *s, unsigned char *out)
{
	return crypto_sha256(s, strlen(s), out);
}

/* Returns 1 when equal; the time taken depends only on n. */
int
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/*
 * Constant time in the contents; the lengths are not secret (every
 * secret we compare has a fixed, public length).
 */
int
crypto_str_equal(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Base64url without padding.  Returns the encoded length, or 0 if out
 * cannot hold it and its NUL.
 */
size_t
base64url_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t		 i, o = 0, need;
	unsigned long	 v;

	need = (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0);
	if (need + 1 > outsz)
		return 0;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(const char *alphabet, char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

/*
 * The common decoder.  Padding is accepted only when pad is set and
 * then only as the final one or two characters of a length that is a
 * multiple of four.  Non-zero trailing bits are refused, so every
 * decoded value has exactly one encoding.
 */
static int
b64_decode(const char *alphabet, int pad, const char *in, size_t n,
    unsigned char *out, size_t outsz, size_t *outlen)
{
	size_t		 i, o = 0, npad = 0;
	unsigned long	 acc = 0;
	int		 v, bits = 0;

	if (pad && n % 4 == 0 && n > 0) {
		if (in[n - 1] == '=')
			npad++;
		if (npad && in[n - 2] == '=')
			npad++;
		n -= npad;
	}
	if (n % 4 == 1)
		return CRYPTO_EFORMAT;
	for (i = 0; i < n; i++) {
		if ((v = b64_value(alphabet, in[i])) < 0)
			return CRYPTO_EFORMAT;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return CRYPTO_ESPACE;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (bits > 0 && (acc & ((1UL << bits) - 1)) != 0)
		return CRYPTO_EFORMAT;
	if (npad && (n + npad) % 4 != 0)
		return CRYPTO_EFORMAT;
	*outlen = o;
	return CRYPTO_OK;
}

int
base64url_decode(const char *in, size_t n, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	return b64_decode(b64url, 0, in, n, out, outsz, outlen);
}

/* Standard base64 with optional padding (HTTP Basic credentials). */
int
base64_decode(const char *in, size_t n, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	return b64_decode(b64std, 1, in, n, out, outsz, outlen);
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The value of one hex digit, either case, or -1. */
int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes exactly n bytes from 2n hex digits; 0 on success. */
int
hex_decode(const char *in, unsigned char *out, size_t n)
{
	size_t	 i;
	int	 hi, lo;

	if (strlen(in) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if ((hi = hex_value(in[2 * i])) < 0 ||
		    (lo = hex_value(in[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* RFC 7636 §4.1: code-verifier = 43*128unreserved. */
int
pkce_verifier_valid(const char *v)
{
	size_t	 n;

	for (n = 0; v[n] != '\0'; n++) {
		if (n == 128)
			return 0;
		if (!((v[n] >= 'A' && v[n] <= 'Z') ||
		    (v[n] >= 'a' && v[n] <= 'z') ||
		    (v[n] >= '0' && v[n] <= '9') ||
		    v[n] == '-' || v[n] == '.' || v[n] == '_' || v[n] == '~'))
			return 0;
	}
	return n >= 43;
}

/* An S256 challenge is the base64url of a SHA-256: 43 characters. */
int
pkce_challenge_valid(const char *c)
{
	unsigned char	 raw[CRYPTO_SHA256_LEN];
	size_t		 n;

	if (strlen(c) != CRYPTO_TOKEN_CHARS)
		return 0;
	return base64url_decode(c, CRYPTO_TOKEN_CHARS, raw, sizeof(raw), &n) ==
	    CRYPTO_OK && n == sizeof(raw);
}

/* Checks BASE64URL(SHA256(verifier)) == challenge, in constant time. */
int
pkce_verify(const char *verifier, const char *challenge)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	char		 enc[CRYPTO_TOKEN_CHARS + 1];
	int		 rc;

	if (!pkce_verifier_valid(verifier))
		return CRYPTO_MISMATCH;
	if ((rc = crypto_sha256_str(verifier, hash)) != CRYPTO_OK)
		return rc;
	base64url_encode(hash, sizeof(hash), enc, sizeof(enc));
	if (strlen(challenge) != CRYPTO_TOKEN_CHARS ||
	    !crypto_equal(enc, challenge, CRYPTO_TOKEN_CHARS))
		return CRYPTO_MISMATCH;
	return CRYPTO_OK;
}

/* One derivation with the OpenSSL KDF called name ("HKDF", "SCRYPT"). */
static int
kdf_derive(const char *name, const OSSL_PARAM *params, unsigned char *key,
    size_t keylen)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*ctx = NULL;
	int		 rc = CRYPTO_EKDF;

	if ((kdf = EVP_KDF_fetch(NULL, name, NULL)) != NULL &&
	    (ctx = EVP_KDF_CTX_new(kdf)) != NULL &&
	    EVP_KDF_derive(ctx, key, keylen, params) == 1)
		rc = CRYPTO_OK;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

/*
 * The AES-256 key of crypto_seal(): HKDF-SHA-256 (RFC 5869) of the
 * secret, with label as its "info".  The label keeps the key apart
 * from every other use of the same secret: the database stores
 * SHA-256(secret), from which this key cannot be computed.
 */
static int
seal_key(const char *secret, const char *label, unsigned char *key,
    size_t keylen)
{
	OSSL_PARAM	 params[4], *q = params;

	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)secret, strlen(secret));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)label, strlen(label));
	*q = OSSL_PARAM_construct_end();
	return kdf_derive("HKDF", params, key, keylen);
}

/*
 * One AES-256-GCM pass: encrypts (enc 1) or decrypts in to out, with
 * aad authenticated.  tag is written when encrypting and checked when
 * decrypting (CRYPTO_MISMATCH when it does not match).
 */
static int
gcm(int enc, const unsigned char *key, const unsigned char *nonce,
    const void *aad, size_t aadlen, const unsigned char *in, size_t inlen,
    unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, rc = CRYPTO_ECIPHER;

	if (inlen > INT_MAX || aadlen > INT_MAX ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return CRYPTO_ECIPHER;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
	    CRYPTO_SEAL_NONCE, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)inlen) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    CRYPTO_SEAL_TAG, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1) {
		rc = enc ? CRYPTO_ECIPHER : CRYPTO_MISMATCH;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    CRYPTO_SEAL_TAG, tag) != 1)
		goto out;
	rc = CRYPTO_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/*
 * Seals in (inlen bytes) so that only a holder of secret can read it:
 * AES-256-GCM under a key derived from secret and label, aad bound to
 * the result.  out receives nonce, ciphertext and tag
 * (inlen + CRYPTO_SEAL_OVERHEAD bytes, *outlen).  A fresh random nonce
 * each time, so one secret may seal more than once.
 */
int
crypto_seal(const char *secret, const char *label, const void *aad,
    size_t aadlen, const void *in, size_t inlen, unsigned char *out,
    size_t outsz, size_t *outlen)
{
	unsigned char	 key[32];
	int		 rc;

	if (inlen > outsz || outsz - inlen < CRYPTO_SEAL_OVERHEAD)
		return CRYPTO_ESPACE;
	if ((rc = crypto_random(out, CRYPTO_SEAL_NONCE)) != CRYPTO_OK ||
	    (rc = seal_key(secret, label, key, sizeof(key))) != CRYPTO_OK)
		return rc;
	rc = gcm(1, key, out, aad, aadlen, in, inlen, out + CRYPTO_SEAL_NONCE,
	    out + CRYPTO_SEAL_NONCE + inlen);
	crypto_wipe(key, sizeof(key));
	if (rc == CRYPTO_OK)
		*outlen = inlen + CRYPTO_SEAL_OVERHEAD;
	return rc;
}

/*
 * Opens what crypto_seal() sealed with the same secret, label and aad:
 * out receives the plaintext (*outlen bytes).  CRYPTO_MISMATCH when
 * anything differs or the sealed bytes were changed; out is then
 * wiped.
 */
int
crypto_unseal(const char *secret, const char *label, const void *aad,
    size_t aadlen, const unsigned char *in, size_t inlen, void *out,
    size_t outsz, size_t *outlen)
{
	unsigned char	 key[32], tag[CRYPTO_SEAL_TAG];
	size_t		 n;
	int		 rc;

	if (inlen < CRYPTO_SEAL_OVERHEAD)
		return CRYPTO_MISMATCH;
	n = inlen - CRYPTO_SEAL_OVERHEAD;
	if (n > outsz)
		return CRYPTO_ESPACE;
	if ((rc = seal_key(secret, label, key, sizeof(key))) != CRYPTO_OK)
		return rc;
	memcpy(tag, in + CRYPTO_SEAL_NONCE + n, sizeof(tag));
	rc = gcm(0, key, in, aad, aadlen, in + CRYPTO_SEAL_NONCE, n, out,
	    tag);
	crypto_wipe(key, sizeof(key));
	if (rc != CRYPTO_OK)
		crypto_wipe(out, n);
	else
		*outlen = n;
	return rc;
}

static int
scrypt_derive(const char *pw, const unsigned char *salt, size_t saltlen,
    unsigned log2n, unsigned r, unsigned p, unsigned char *key,
    size_t keylen)
{
	OSSL_PARAM	 params[7], *q = params;
	uint64_t	 n = (uint64_t)1 << log2n, maxmem = SCRYPT_MAX_MEM;
	uint32_t	 r32 = r, p32 = p;

	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)pw, strlen(pw));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	*q = OSSL_PARAM_construct_end();
	return kdf_derive("SCRYPT", params, key, keylen);
}

/*
 * Stored form: "$scrypt$ln=14,r=8,p=5$<salt b64url>$<key b64url>".
 */
int
crypto_password_hash(const char *pw, char *out, size_t outsz)
{
	unsigned char	 salt[SCRYPT_SALT], key[SCRYPT_KEY];
	char		 esalt[32], ekey[48];
	int		 rc, n;

	if ((rc = crypto_random(salt, sizeof(salt))) != CRYPTO_OK)
		return rc;
	if ((rc = scrypt_derive(pw, salt, sizeof(salt), SCRYPT_LOG2_N,
	    SCRYPT_R, SCRYPT_P, key, sizeof(key))) != CRYPTO_OK)
		return rc;
	base64url_encode(salt, sizeof(salt), esalt, sizeof(esalt));
	base64url_encode(key, sizeof(key), ekey, sizeof(ekey));
	crypto_wipe(key, sizeof(key));
	n = snprintf(out, outsz, "$scrypt$ln=%d,r=%d,p=%d$%s$%s",
	    SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, esalt, ekey);
	if (n < 0 || (size_t)n >= outsz)
		return CRYPTO_ESPACE;
	return CRYPTO_OK;
}

int
crypto_password_verify(const char *pw, const char *stored)
{
	unsigned char	 salt[64], want[64], got[64];
	char		 esalt[96], ekey[96];
	unsigned	 log2n, r, p;
	size_t		 saltlen, keylen;
	int		 rc, used = 0;

	if (sscanf(stored, "$scrypt$ln=%u,r=%u,p=%u$%95[A-Za-z0-9_-]$"
	    "%95[A-Za-z0-9_-]%n", &log2n, &r, &p, esalt, ekey, &used) != 5 ||
	    stored[used] != '\0')
		return CRYPTO_EFORMAT;
	if (log2n < 1 || log2n > SCRYPT_MAX_LOG2_N || r < 1 || r > 32 ||
	    p < 1 || p > 16)
		return CRYPTO_EFORMAT;
	if (base64url_decode(esalt, strlen(esalt), salt, sizeof(salt),
	    &saltlen) != CRYPTO_OK ||
	    base64url_decode(ekey, strlen(ekey), want, sizeof(want),
	    &keylen) != CRYPTO_OK || keylen < 16)
		return CRYPTO_EFORMAT;
	if ((rc = scrypt_derive(pw, salt, saltlen, log2n, r, p, got,
	    keylen)) != CRYPTO_OK)
		return rc;
	rc = crypto_equal(got, want, keylen) ? CRYPTO_OK : CRYPTO_MISMATCH;
	crypto_wipe(got, sizeof(got));
	return rc;
}

void
crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

const char *
crypto_strerror(int rc)
{
	switch (rc) {
	case CRYPTO_OK:
		return "success";
	case CRYPTO_ERANDOM:
		return "the random number generator failed";
	case CRYPTO_EDIGEST:
		return "SHA-256 failed";
	case CRYPTO_EKDF:
		return "scrypt or HKDF failed";
	case CRYPTO_ESPACE:
		return "output buffer too small";
	case CRYPTO_EFORMAT:
		return "malformed value";
	case CRYPTO_MISMATCH:
		return "mismatch";
	case CRYPTO_ECIPHER:
		return "AES-GCM failed";
	}
	return "unknown error";
}
