/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/jose.h"
#include "../../src/lib/jsonutil.h"

static EVP_PKEY *
keygen(enum jose_alg alg)
{
	switch (alg) {
	case JOSE_RS256:
	case JOSE_PS256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case JOSE_ES256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case JOSE_EDDSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	default:
		return NULL;
	}
}

static struct json_object *
claims(void)
{
	struct json_object	*c = json_object_new_object();

	json_object_object_add(c, "iss", json_object_new_string("https://as"));
	json_object_object_add(c, "sub", json_object_new_string("alice"));
	json_object_object_add(c, "exp", json_object_new_int64(2000000000));
	return c;
}

/* The dots of a compact JWS: before the payload and the signature. */
static void
dots(const struct buf *tok, char **d1, char **d2)
{
	cr_assert_not_null(*d1 = memchr(tok->data, '.', tok->len));
	cr_assert_not_null(*d2 = memchr(*d1 + 1, '.',
	    tok->len - (size_t)(*d1 + 1 - tok->data)));
	cr_assert_lt((size_t)(*d2 + 1 - tok->data), tok->len);
}

/*
 * Writes to out the token with its payload replaced by other claims
 * (subject "mallory"), keeping its header and signature.
 */
static void
swap_payload(const struct buf *tok, struct buf *out)
{
	static const char	 payload[] = "{\"iss\":\"https://as\","
	    "\"sub\":\"mallory\",\"exp\":2000000000}";
	char			 enc[256];
	char			*d1, *d2;

	dots(tok, &d1, &d2);
	base64url_encode((const unsigned char *)payload, strlen(payload),
	    enc, sizeof(enc));
	buf_init(out);
	buf_append(out, tok->data, (size_t)(d1 + 1 - tok->data));
	buf_puts(out, enc);
	buf_append(out, d2, tok->len - (size_t)(d2 - tok->data));
	cr_assert_not(buf_failed(out));
}

/* Signs with key, then parses and verifies through a published JWKS. */
static void
round_trip(enum jose_alg alg)
{
	EVP_PKEY		*key = keygen(alg);
	struct json_object	*c = claims(), *set, *arr;
	struct buf		 tok, forged;
	struct jws		 j;
	struct jwks		 keys;
	const struct jwk	*k;
	char			 why[128], saved;
	char			*d1, *sig;
	const char		*text;

	cr_assert_not_null(key);
	buf_init(&tok);
	cr_assert_eq(jws_sign(alg, key, "k1", c, &tok), JOSE_OK);
	cr_assert_eq(jws_parse(tok.data, tok.len, &j), JOSE_OK);
	cr_assert_eq(j.alg, alg);
	cr_assert_str_eq(j.kid, "k1");
	cr_assert_str_eq(j.typ, "at+jwt");
	cr_assert_str_eq(json_get_string(j.claims, "sub"), "alice");

	set = json_object_new_object();
	arr = json_object_new_array();
	json_object_array_add(arr, jwk_public(key, alg, "k1"));
	json_object_object_add(set, "keys", arr);
	text = json_str(set);
	cr_assert_null(strstr(text, "\"d\""), "no private part: %s", text);
	cr_assert_eq(jwks_parse(text, strlen(text), &keys, why, sizeof(why)),
	    JOSE_OK, "%s", why);
	cr_assert_not_null(k = jwks_select(&keys, &j));
	cr_assert_eq(jws_verify(&j, k->pkey), JOSE_OK, "%s",
	    jose_alg_name(alg));
	jws_free(&j);

	/*
	 * A token whose signature is altered still parses (only its
	 * signature is wrong) and must not verify.  The first character
	 * of the signature holds the top six bits of its first byte, so
	 * another letter there still decodes; the last character might
	 * carry only unused bits.
	 */
	dots(&tok, &d1, &sig);
	saved = sig[1];
	sig[1] = saved == 'A' ? 'B' : 'A';
	cr_assert_eq(jws_parse(tok.data, tok.len, &j), JOSE_OK);
	cr_assert_eq(jws_verify(&j, k->pkey), JOSE_ESIG, "%s: altered "
	    "signature", jose_alg_name(alg));
	jws_free(&j);
	sig[1] = saved;

	/*
	 * The original signature over other claims: the payload is
	 * replaced by a well-formed one naming another subject.
	 */
	swap_payload(&tok, &forged);
	cr_assert_eq(jws_parse(forged.data, forged.len, &j), JOSE_OK);
	cr_assert_str_eq(json_get_string(j.claims, "sub"), "mallory");
	cr_assert_eq(jws_verify(&j, k->pkey), JOSE_ESIG, "%s: altered "
	    "payload", jose_alg_name(alg));
	jws_free(&j);
	buf_free(&forged);
	jwks_free(&keys);
	json_object_put(set);
	json_object_put(c);
	buf_free(&tok);
	EVP_PKEY_free(key);
}

Test(jose, rs256)
{
	round_trip(JOSE_RS256);
}

Test(jose, ps256)
{
	round_trip(JOSE_PS256);
}

Test(jose, es256)
{
	round_trip(JOSE_ES256);
}

Test(jose, eddsa)
{
	round_trip(JOSE_EDDSA);
}

static char *
b64(const char *s)
{
	static char	 out[4][2048];
	static int	 i;
	char		*o = out[i++ % 4];

	base64url_encode((const unsigned char *)s, strlen(s), o, 2048);
	return o;
}

static int
parse_text(const char *header, const char *payload, const char *sig,
    struct jws *j)
{
	char	 tok[4096];

	snprintf(tok, sizeof(tok), "%s.%s.%s", b64(header), b64(payload),
	    sig);
	return jws_parse(tok, strlen(tok), j);
}

Test(jose, none_and_hmac_are_unknown)
{
	struct jws	 j;

	cr_assert_eq(parse_text("{\"alg\":\"none\"}", "{}", "AA", &j),
	    JOSE_EALG);
	cr_assert_eq(parse_text("{\"alg\":\"HS256\"}", "{}", "AA", &j),
	    JOSE_EALG);
	cr_assert_eq(parse_text("{\"alg\":\"RS512\"}", "{}", "AA", &j),
	    JOSE_EALG);
	cr_assert_eq(jose_alg_parse("none"), JOSE_ALG_UNKNOWN);
	cr_assert_eq(jose_alg_parse("HS256"), JOSE_ALG_UNKNOWN);
	cr_assert_eq(jose_alg_parse("es256"), JOSE_ALG_UNKNOWN,
	    "names are case-sensitive");
}

Test(jose, malformed)
{
	struct jws	 j;

	cr_assert_eq(jws_parse("a.b", 3, &j), JOSE_EFORMAT);
	cr_assert_eq(jws_parse("a.b.c.d", 7, &j), JOSE_EFORMAT);
	cr_assert_eq(jws_parse("", 0, &j), JOSE_EFORMAT);
	cr_assert_eq(parse_text("{\"alg\":\"ES256\"}", "{}", "", &j),
	    JOSE_EFORMAT, "empty signature");
	cr_assert_eq(parse_text("[1]", "{}", "AA", &j), JOSE_EFORMAT);
	cr_assert_eq(parse_text("{\"alg\":\"ES256\"}", "[]", "AA", &j),
	    JOSE_EFORMAT);
	cr_assert_eq(parse_text("{\"alg\":\"ES256\",\"crit\":[\"x\"]}", "{}",
	    "AA", &j), JOSE_EFORMAT, "crit is refused");
	cr_assert_eq(parse_text("{\"alg\":5}", "{}", "AA", &j), JOSE_EFORMAT);
	cr_assert_eq(parse_text("{\"alg\":\"ES256\",\"kid\":7}", "{}", "AA",
	    &j), JOSE_EFORMAT);
	cr_assert_eq(jws_parse("e30=.e30.AA", 11, &j), JOSE_EFORMAT,
	    "padding is not base64url");
}

Test(jose, oversized)
{
	static char	 tok[JOSE_TOKEN_MAX + 2];
	struct jws	 j;

	memset(tok, 'A', sizeof(tok) - 1);
	tok[10] = '.';
	tok[20] = '.';
	cr_assert_eq(jws_parse(tok, sizeof(tok) - 1, &j), JOSE_EFORMAT);
}

/*
 * The classic confusion: an RS256 public key used as an HMAC secret.
 * HS256 is unknown here, so such a token never even reaches a key.
 */
Test(jose, key_type_must_fit_alg)
{
	EVP_PKEY	*ec = keygen(JOSE_ES256), *rsa = keygen(JOSE_RS256);
	EVP_PKEY	*ed = keygen(JOSE_EDDSA), *small;

	cr_assert(jose_key_fits(ec, JOSE_ES256));
	cr_assert_not(jose_key_fits(ec, JOSE_RS256));
	cr_assert(jose_key_fits(rsa, JOSE_PS256));
	cr_assert_not(jose_key_fits(rsa, JOSE_EDDSA));
	cr_assert(jose_key_fits(ed, JOSE_EDDSA));
	cr_assert_not(jose_key_fits(ed, JOSE_ES256));
	small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	cr_assert_not(jose_key_fits(small, JOSE_RS256), "RSA under 2048 bits");
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(small);
}

Test(jose, kid_selection)
{
	EVP_PKEY		*a = keygen(JOSE_ES256), *b = keygen(JOSE_ES256);
	struct json_object	*set, *arr, *c = claims();
	struct jwks		 keys;
	struct buf		 tok;
	struct jws		 j;
	char			 why[128];
	const char		*text;

	set = json_object_new_object();
	arr = json_object_new_array();
	json_object_array_add(arr, jwk_public(a, JOSE_ES256, "a"));
	json_object_array_add(arr, jwk_public(b, JOSE_ES256, "b"));
	json_object_object_add(set, "keys", arr);
	text = json_str(set);
	cr_assert_eq(jwks_parse(text, strlen(text), &keys, why, sizeof(why)),
	    JOSE_OK);
	cr_assert_eq(keys.n, 2);

	buf_init(&tok);
	cr_assert_eq(jws_sign(JOSE_ES256, b, "b", c, &tok), JOSE_OK);
	cr_assert_eq(jws_parse(tok.data, tok.len, &j), JOSE_OK);
	cr_assert_str_eq(jwks_select(&keys, &j)->kid, "b");
	cr_assert_eq(jws_verify(&j, jwks_select(&keys, &j)->pkey), JOSE_OK);
	cr_assert_neq(jws_verify(&j, keys.keys[0].pkey), JOSE_OK,
	    "the other key does not verify it");
	strcpy(j.kid, "zzz");
	cr_assert_null(jwks_select(&keys, &j), "unknown kid");
	j.kid[0] = '\0';
	cr_assert_null(jwks_select(&keys, &j),
	    "several keys: a kid is required");
	jws_free(&j);
	jwks_free(&keys);
	json_object_put(set);
	json_object_put(c);
	buf_free(&tok);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

Test(jose, jwks_skips_unusable_keys)
{
	static const char	 set[] = "{\"keys\":["
	    "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
	    "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"HS256\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ok\","
	    "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
	struct jwks		 keys;
	char			 why[128];

	cr_assert_eq(jwks_parse(set, strlen(set), &keys, why, sizeof(why)),
	    JOSE_OK, "%s", why);
	cr_assert_eq(keys.n, 1);
	cr_assert_str_eq(keys.keys[0].kid, "ok");
	jwks_free(&keys);
	cr_assert_eq(jwks_parse("{\"keys\":[]}", 11, &keys, why, sizeof(why)),
	    JOSE_EKEY);
	cr_assert_eq(jwks_parse("{}", 2, &keys, why, sizeof(why)),
	    JOSE_EFORMAT);
}

/*
 * RFC 8037 Appendix A.4: the RFC's own Ed25519 signature verifies with
 * the RFC's public key, and not once altered.  (Its payload is not
 * JSON, so jws_parse() would refuse the token: the structure is filled
 * by hand to test the signature path alone.)
 */
Test(jose, rfc8037_ed25519_vector)
{
	static const char	 set[] = "{\"keys\":[{\"kty\":\"OKP\","
	    "\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
	static const char	 input[] = "eyJhbGciOiJFZERTQSJ9."
	    "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
	static const char	 sig[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3A"
	    "IbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
	struct jwks		 keys;
	struct jws		 j;
	char			 why[128];

	cr_assert_eq(jwks_parse(set, strlen(set), &keys, why, sizeof(why)),
	    JOSE_OK);
	memset(&j, 0, sizeof(j));
	j.alg = JOSE_EDDSA;
	j.input = input;
	j.input_len = strlen(input);
	cr_assert_eq(base64url_decode(sig, strlen(sig), j.sig, sizeof(j.sig),
	    &j.sig_len), CRYPTO_OK);
	cr_assert_eq(jws_verify(&j, keys.keys[0].pkey), JOSE_OK);
	j.sig[10] ^= 1;
	cr_assert_eq(jws_verify(&j, keys.keys[0].pkey), JOSE_ESIG);
	j.sig[10] ^= 1;
	j.input_len--;
	cr_assert_eq(jws_verify(&j, keys.keys[0].pkey), JOSE_ESIG);
	jwks_free(&keys);
	cr_assert_eq(parse_text("{\"alg\":\"EdDSA\"}", "not json", sig, &j),
	    JOSE_EFORMAT);
}
