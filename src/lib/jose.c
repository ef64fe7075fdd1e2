/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "buf.h"
#include "crypto.h"
#include "jose.h"
#include "jsonutil.h"

#define JWKS_KEYS_MAX	32
#define RSA_BITS_MIN	2048
/* The largest RSA modulus (8192 bits) or exponent read or written. */
#define RSA_BYTES_MAX	1024
/*
 * A P-256 coordinate, and each half of an ES256 signature (RFC 7518
 * section 3.4).
 */
#define P256_BYTES	32
/* An Ed25519 public key (RFC 8037 section 2). */
#define ED25519_BYTES	32
/* The base64url of RSA_BYTES_MAX bytes, unpadded, and its NUL. */
#define B64_RSA_MAX	((RSA_BYTES_MAX + 2) / 3 * 4 + 1)

static const struct {
	const char	*name;
	enum jose_alg	 alg;
} algs[] = {
	{ "RS256", JOSE_RS256 },
	{ "PS256", JOSE_PS256 },
	{ "ES256", JOSE_ES256 },
	{ "EdDSA", JOSE_EDDSA },
};

/* Every other name, "none" and "HS256" included, is unknown. */
enum jose_alg
jose_alg_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, s) == 0)
			return algs[i].alg;
	return JOSE_ALG_UNKNOWN;
}

const char *
jose_alg_name(enum jose_alg alg)
{
	size_t	 i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].alg == alg)
			return algs[i].name;
	return "unknown";
}

const char *
jose_strerror(int rc)
{
	switch (rc) {
	case JOSE_OK:
		return "valid";
	case JOSE_EFORMAT:
		return "malformed token";
	case JOSE_EALG:
		return "algorithm not allowed";
	case JOSE_EKEY:
		return "no matching signing key";
	case JOSE_ESIG:
		return "bad signature";
	case JOSE_ENOMEM:
		return "out of memory";
	}
	return "invalid token";
}

/*
 * Whether pkey is the right kind of key for alg: RSA of at least 2048
 * bits for RS256 and PS256, P-256 for ES256, Ed25519 for EdDSA.
 */
int
jose_key_fits(EVP_PKEY *pkey, enum jose_alg alg)
{
	/* Room for the one name that fits; a longer one does not fit. */
	char	 group[sizeof("prime256v1")];
	size_t	 len;

	switch (alg) {
	case JOSE_RS256:
	case JOSE_PS256:
		return EVP_PKEY_is_a(pkey, "RSA") &&
		    EVP_PKEY_get_bits(pkey) >= RSA_BITS_MIN;
	case JOSE_ES256:
		return EVP_PKEY_is_a(pkey, "EC") &&
		    EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) &&
		    strcmp(group, "prime256v1") == 0;
	case JOSE_EDDSA:
		return EVP_PKEY_is_a(pkey, "ED25519");
	default:
		return 0;
	}
}

static int
b64_json(const char *p, size_t n, struct json_object **out)
{
	unsigned char	*raw;
	size_t		 len;
	int		 rc = JOSE_EFORMAT;

	*out = NULL;
	if ((raw = malloc(n)) == NULL)
		return JOSE_ENOMEM;
	if (base64url_decode(p, n, raw, n, &len) == CRYPTO_OK &&
	    json_parse_strict((const char *)raw, len, out) == JSONU_OK &&
	    json_object_is_type(*out, json_type_object))
		rc = JOSE_OK;
	else {
		json_object_put(*out);
		*out = NULL;
	}
	free(raw);
	return rc;
}

void
jws_free(struct jws *j)
{
	json_object_put(j->header);
	json_object_put(j->claims);
	j->header = j->claims = NULL;
}

/*
 * Splits and decodes a compact JWS.  The header must name an algorithm
 * we know; "crit" extensions are refused because we implement none,
 * and keys embedded in the header (jwk, jku, x5u) are never used.
 */
int
jws_parse(const char *tok, size_t len, struct jws *j)
{
	const char		*d1, *d2;
	const char		*s;
	struct json_object	*v;
	int			 rc;

	memset(j, 0, sizeof(*j));
	if (len == 0 || len > JOSE_TOKEN_MAX ||
	    (d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		return JOSE_EFORMAT;
	if ((rc = b64_json(tok, (size_t)(d1 - tok), &j->header)) != JOSE_OK ||
	    (rc = b64_json(d1 + 1, (size_t)(d2 - d1 - 1), &j->claims)) !=
	    JOSE_OK)
		goto fail;
	if (base64url_decode(d2 + 1, len - (size_t)(d2 + 1 - tok), j->sig,
	    sizeof(j->sig), &j->sig_len) != CRYPTO_OK || j->sig_len == 0) {
		rc = JOSE_EFORMAT;
		goto fail;
	}
	j->input = tok;
	j->input_len = (size_t)(d2 - tok);
	if ((s = json_get_string(j->header, "alg")) == NULL) {
		rc = JOSE_EFORMAT;
		goto fail;
	}
	if ((j->alg = jose_alg_parse(s)) == JOSE_ALG_UNKNOWN) {
		rc = JOSE_EALG;
		goto fail;
	}
	if (json_object_object_get_ex(j->header, "crit", &v)) {
		rc = JOSE_EFORMAT;
		goto fail;
	}
	if (json_object_object_get_ex(j->header, "kid", &v)) {
		if ((s = json_get_string(j->header, "kid")) == NULL ||
		    strlen(s) > JOSE_KID_MAX) {
			rc = JOSE_EFORMAT;
			goto fail;
		}
		snprintf(j->kid, sizeof(j->kid), "%s", s);
	}
	if (json_object_object_get_ex(j->header, "typ", &v)) {
		if ((s = json_get_string(j->header, "typ")) == NULL ||
		    strlen(s) >= sizeof(j->typ)) {
			rc = JOSE_EFORMAT;
			goto fail;
		}
		snprintf(j->typ, sizeof(j->typ), "%s", s);
	}
	return JOSE_OK;
fail:
	jws_free(j);
	return rc;
}

/* JWS ES256 signatures are r || s; OpenSSL wants DER. */
static int
ecdsa_raw_to_der(const unsigned char *raw, size_t n, unsigned char **der,
    size_t *derlen)
{
	ECDSA_SIG	*sig;
	BIGNUM		*r, *s;
	int		 len;

	if (n != 2 * P256_BYTES)
		return -1;
	if ((sig = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(raw, P256_BYTES, NULL);
	s = BN_bin2bn(raw + P256_BYTES, P256_BYTES, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -1;
	}
	*der = NULL;
	len = i2d_ECDSA_SIG(sig, der);
	ECDSA_SIG_free(sig);
	if (len <= 0)
		return -1;
	*derlen = (size_t)len;
	return 0;
}

static int
ecdsa_der_to_raw(const unsigned char *der, size_t n, unsigned char *raw)
{
	ECDSA_SIG	*sig;
	const BIGNUM	*r, *s;
	int		 ok;

	if ((sig = d2i_ECDSA_SIG(NULL, &der, (long)n)) == NULL)
		return -1;
	ECDSA_SIG_get0(sig, &r, &s);
	ok = BN_bn2binpad(r, raw, P256_BYTES) == P256_BYTES &&
	    BN_bn2binpad(s, raw + P256_BYTES, P256_BYTES) == P256_BYTES;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -1;
}

/* Sets up ctx for alg with pkey, to sign (sign=1) or verify. */
static int
digest_init(EVP_MD_CTX *ctx, enum jose_alg alg, EVP_PKEY *pkey, int sign)
{
	EVP_PKEY_CTX	*pctx = NULL;
	const char	*md = alg == JOSE_EDDSA ? NULL : "SHA256";
	int		 rc;

	rc = sign ? EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, pkey,
	    NULL) : EVP_DigestVerifyInit_ex(ctx, &pctx, md, NULL, NULL, pkey,
	    NULL);
	if (rc != 1)
		return -1;
	if (alg == JOSE_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		return -1;
	return 0;
}

/* Verifies the signature of j with pkey, which must fit j's algorithm. */
int
jws_verify(const struct jws *j, EVP_PKEY *pkey)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*der = NULL;
	const unsigned char *sig = j->sig;
	size_t		 siglen = j->sig_len;
	int		 rc = JOSE_ESIG;

	if (!jose_key_fits(pkey, j->alg))
		return JOSE_EKEY;
	if (j->alg == JOSE_ES256) {
		if (ecdsa_raw_to_der(j->sig, j->sig_len, &der, &siglen) == -1)
			return JOSE_ESIG;
		sig = der;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		OPENSSL_free(der);
		return JOSE_ENOMEM;
	}
	if (digest_init(ctx, j->alg, pkey, 0) == 0 &&
	    EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)j->input, j->input_len) == 1)
		rc = JOSE_OK;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return rc;
}

static void
b64_append(struct buf *out, const unsigned char *p, size_t n)
{
	char	*enc;
	size_t	 sz = n / 3 * 4 + 5;

	if ((enc = malloc(sz)) == NULL) {
		out->failed = 1;
		return;
	}
	base64url_encode(p, n, enc, sz);
	buf_puts(out, enc);
	free(enc);
}

/*
 * Signs claims as a JWT access token (header alg, typ "at+jwt", kid)
 * and appends the compact form to out.
 */
int
jws_sign(enum jose_alg alg, EVP_PKEY *pkey, const char *kid,
    struct json_object *claims, struct buf *out)
{
	struct json_object	*h;
	EVP_MD_CTX		*ctx = NULL;
	unsigned char		*sig = NULL, raw[2 * P256_BYTES];
	const char		*text;
	size_t			 start = out->len, siglen = 0;
	int			 rc = JOSE_ESIG;

	if (!jose_key_fits(pkey, alg))
		return JOSE_EKEY;
	h = json_object_new_object();
	json_object_object_add(h, "alg",
	    json_object_new_string(jose_alg_name(alg)));
	json_object_object_add(h, "typ", json_object_new_string("at+jwt"));
	json_object_object_add(h, "kid", json_object_new_string(kid));
	text = json_str(h);
	b64_append(out, (const unsigned char *)text, strlen(text));
	json_object_put(h);
	buf_putc(out, '.');
	text = json_str(claims);
	b64_append(out, (const unsigned char *)text, strlen(text));
	if (buf_failed(out))
		return JOSE_ENOMEM;
	if ((ctx = EVP_MD_CTX_new()) == NULL || digest_init(ctx, alg, pkey,
	    1) != 0 || EVP_DigestSign(ctx, NULL, &siglen,
	    (unsigned char *)out->data + start, out->len - start) != 1 ||
	    (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(ctx, sig, &siglen,
	    (unsigned char *)out->data + start, out->len - start) != 1)
		goto done;
	buf_putc(out, '.');
	if (alg == JOSE_ES256) {
		if (ecdsa_der_to_raw(sig, siglen, raw) == -1)
			goto done;
		b64_append(out, raw, sizeof(raw));
	} else
		b64_append(out, sig, siglen);
	rc = buf_failed(out) ? JOSE_ENOMEM : JOSE_OK;
done:
	EVP_MD_CTX_free(ctx);
	free(sig);
	return rc;
}

static int
jwk_bytes(struct json_object *k, const char *name, unsigned char *out,
    size_t outsz, size_t *len)
{
	const char	*s = json_get_string(k, name);

	if (s == NULL)
		return -1;
	return base64url_decode(s, strlen(s), out, outsz, len) == CRYPTO_OK &&
	    *len > 0 ? 0 : -1;
}

static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY_CTX	*ctx = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* The public key of one JWK, or NULL if it is not one we can use. */
static EVP_PKEY *
jwk_pkey(struct json_object *k)
{
	OSSL_PARAM_BLD	*bld = NULL;
	BIGNUM		*n = NULL, *e = NULL;
	EVP_PKEY	*pkey = NULL;
	unsigned char	 a[RSA_BYTES_MAX], b[RSA_BYTES_MAX];
	/* An uncompressed P-256 point: 0x04, x, y. */
	unsigned char	 point[1 + 2 * P256_BYTES];
	size_t		 alen, blen;
	const char	*kty = json_get_string(k, "kty");
	const char	*crv = json_get_string(k, "crv");

	if (kty == NULL)
		return NULL;
	if (strcmp(kty, "OKP") == 0) {
		if (crv == NULL || strcmp(crv, "Ed25519") != 0 ||
		    jwk_bytes(k, "x", a, sizeof(a), &alen) == -1 ||
		    alen != ED25519_BYTES)
			return NULL;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a,
		    alen);
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (strcmp(kty, "RSA") == 0) {
		if (jwk_bytes(k, "n", a, sizeof(a), &alen) == -1 ||
		    jwk_bytes(k, "e", b, sizeof(b), &blen) == -1 ||
		    (n = BN_bin2bn(a, (int)alen, NULL)) == NULL ||
		    (e = BN_bin2bn(b, (int)blen, NULL)) == NULL ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
			goto out;
		pkey = pkey_fromdata("RSA", bld);
	} else if (strcmp(kty, "EC") == 0) {
		if (crv == NULL || strcmp(crv, "P-256") != 0 ||
		    jwk_bytes(k, "x", a, sizeof(a), &alen) == -1 ||
		    jwk_bytes(k, "y", b, sizeof(b), &blen) == -1 ||
		    alen != P256_BYTES || blen != P256_BYTES)
			goto out;
		point[0] = 0x04;
		memcpy(point + 1, a, P256_BYTES);
		memcpy(point + 1 + P256_BYTES, b, P256_BYTES);
		if (OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
		    OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) != 1)
			goto out;
		pkey = pkey_fromdata("EC", bld);
	}
out:
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

void
jwks_free(struct jwks *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		EVP_PKEY_free(s->keys[i].pkey);
	free(s->keys);
	s->keys = NULL;
	s->n = 0;
}

/*
 * Parses a JWK Set, keeping the signature keys we can use (RSA, P-256,
 * Ed25519; "use" absent or "sig"; "alg" absent or one we know).  Keys
 * we cannot use are skipped, not errors: a provider may publish
 * encryption keys beside its signing keys.
 */
int
jwks_parse(const char *text, size_t len, struct jwks *s, char *why,
    size_t whysz)
{
	struct json_object	*o, *keys;
	size_t			 i, n;
	int			 rc = JOSE_EFORMAT;

	memset(s, 0, sizeof(*s));
	if (json_parse_strict(text, len, &o) != JSONU_OK ||
	    !json_object_object_get_ex(o, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		snprintf(why, whysz, "not a JWK Set");
		json_object_put(o);
		return JOSE_EFORMAT;
	}
	n = json_object_array_length(keys);
	if ((s->keys = calloc(JWKS_KEYS_MAX, sizeof(*s->keys))) == NULL) {
		json_object_put(o);
		return JOSE_ENOMEM;
	}
	for (i = 0; i < n && s->n < JWKS_KEYS_MAX; i++) {
		struct json_object	*k = json_object_array_get_idx(keys, i);
		const char		*use = json_get_string(k, "use");
		const char		*alg = json_get_string(k, "alg");
		const char		*kid = json_get_string(k, "kid");
		struct jwk		*out = &s->keys[s->n];

		if (use != NULL && strcmp(use, "sig") != 0)
			continue;
		if (kid != NULL && strlen(kid) > JOSE_KID_MAX)
			continue;
		out->alg = alg != NULL ? jose_alg_parse(alg) :
		    JOSE_ALG_UNKNOWN;
		if (alg != NULL && out->alg == JOSE_ALG_UNKNOWN)
			continue;
		if ((out->pkey = jwk_pkey(k)) == NULL)
			continue;
		snprintf(out->kid, sizeof(out->kid), "%s",
		    kid != NULL ? kid : "");
		s->n++;
	}
	json_object_put(o);
	if (s->n == 0) {
		snprintf(why, whysz, "no usable signature key in the JWK Set");
		jwks_free(s);
		return JOSE_EKEY;
	}
	rc = JOSE_OK;
	return rc;
}

/*
 * The key for j: the one with j's kid; without a kid, the only key of
 * the set (a set of several keys requires a kid).  The key's own alg,
 * if it names one, must be j's.
 */
const struct jwk *
jwks_select(const struct jwks *s, const struct jws *j)
{
	const struct jwk	*k = NULL;
	size_t			 i;

	if (j->kid[0] != '\0') {
		for (i = 0; i < s->n; i++)
			if (strcmp(s->keys[i].kid, j->kid) == 0) {
				k = &s->keys[i];
				break;
			}
	} else if (s->n == 1)
		k = &s->keys[0];
	if (k == NULL || (k->alg != JOSE_ALG_UNKNOWN && k->alg != j->alg) ||
	    !jose_key_fits(k->pkey, j->alg))
		return NULL;
	return k;
}

static void
add_b64(struct json_object *o, const char *name, const unsigned char *p,
    size_t n)
{
	char	 enc[B64_RSA_MAX];

	if (n > RSA_BYTES_MAX)
		return;
	base64url_encode(p, n, enc, sizeof(enc));
	json_object_object_add(o, name, json_object_new_string(enc));
}

static void
add_bn(struct json_object *o, const char *name, EVP_PKEY *pkey,
    const char *param, int pad)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[RSA_BYTES_MAX];
	int		 n;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
		return;
	/* BN_bn2bin() writes the whole number, however long. */
	if (BN_num_bytes(bn) > (int)sizeof(buf) || pad > (int)sizeof(buf)) {
		BN_free(bn);
		return;
	}
	n = pad > 0 ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	if (n > 0)
		add_b64(o, name, buf, (size_t)n);
	BN_free(bn);
}

/* The public JWK of pkey (for /.well-known/jwks.json). */
struct json_object *
jwk_public(EVP_PKEY *pkey, enum jose_alg alg, const char *kid)
{
	struct json_object	*o;
	unsigned char		 raw[ED25519_BYTES];
	size_t			 len = sizeof(raw);

	if (!jose_key_fits(pkey, alg))
		return NULL;
	o = json_object_new_object();
	switch (alg) {
	case JOSE_RS256:
	case JOSE_PS256:
		json_object_object_add(o, "kty", json_object_new_string("RSA"));
		add_bn(o, "n", pkey, OSSL_PKEY_PARAM_RSA_N, 0);
		add_bn(o, "e", pkey, OSSL_PKEY_PARAM_RSA_E, 0);
		break;
	case JOSE_ES256:
		json_object_object_add(o, "kty", json_object_new_string("EC"));
		json_object_object_add(o, "crv", json_object_new_string("P-256"));
		add_bn(o, "x", pkey, OSSL_PKEY_PARAM_EC_PUB_X, P256_BYTES);
		add_bn(o, "y", pkey, OSSL_PKEY_PARAM_EC_PUB_Y, P256_BYTES);
		break;
	case JOSE_EDDSA:
		json_object_object_add(o, "kty", json_object_new_string("OKP"));
		json_object_object_add(o, "crv",
		    json_object_new_string("Ed25519"));
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) == 1)
			add_b64(o, "x", raw, len);
		break;
	default:
		break;
	}
	json_object_object_add(o, "use", json_object_new_string("sig"));
	json_object_object_add(o, "alg",
	    json_object_new_string(jose_alg_name(alg)));
	json_object_object_add(o, "kid", json_object_new_string(kid));
	return o;
}
