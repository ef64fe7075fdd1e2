/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/crypto.h"
#include "../../src/lib/signin.h"

/* RFC 7636 Appendix B. */
#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC7636_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

Test(crypto, pkce_rfc7636_appendix_b)
{
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER, RFC7636_CHALLENGE),
	    CRYPTO_OK);
	cr_assert(pkce_challenge_valid(RFC7636_CHALLENGE));
}

Test(crypto, pkce_mismatch)
{
	cr_assert_eq(pkce_verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
	    RFC7636_CHALLENGE), CRYPTO_MISMATCH);
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER,
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"), CRYPTO_MISMATCH);
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER, "short"), CRYPTO_MISMATCH);
	/* plain: the verifier as its own challenge never matches S256. */
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER, RFC7636_VERIFIER),
	    CRYPTO_MISMATCH);
}

Test(crypto, pkce_verifier_abnf)
{
	char	 v[130];

	memset(v, 'a', 42);
	v[42] = '\0';
	cr_assert_not(pkce_verifier_valid(v), "42 characters is too short");
	v[42] = 'a';
	v[43] = '\0';
	cr_assert(pkce_verifier_valid(v));
	memset(v, 'Z', 128);
	v[128] = '\0';
	cr_assert(pkce_verifier_valid(v));
	v[128] = 'Z';
	v[129] = '\0';
	cr_assert_not(pkce_verifier_valid(v), "129 characters is too long");
	cr_assert(pkce_verifier_valid(
	    "-._~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"));
	cr_assert_not(pkce_verifier_valid(
	    "+123456789012345678901234567890123456789012345"));
	cr_assert_not(pkce_verifier_valid(
	    "a12345678901234567890123456789012345678901 4"));
	cr_assert_not(pkce_verifier_valid(""));
}

Test(crypto, pkce_challenge_shape)
{
	cr_assert_not(pkce_challenge_valid(""));
	cr_assert_not(pkce_challenge_valid(
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="));
	cr_assert_not(pkce_challenge_valid(
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMM"));
	/* Non-zero trailing bits are not a canonical encoding. */
	cr_assert_not(pkce_challenge_valid(
	    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"));
}

Test(crypto, sha256_known_answer)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];
	char		 hex[65];

	cr_assert_eq(crypto_sha256_str("abc", h), CRYPTO_OK);
	hex_encode(h, sizeof(h), hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	cr_assert_eq(crypto_sha256("", 0, h), CRYPTO_OK);
	hex_encode(h, sizeof(h), hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

Test(crypto, random_tokens_differ_and_have_prefix)
{
	char	 a[64], b[64];

	cr_assert_eq(crypto_random_token("mcpat_", 32, a, sizeof(a)),
	    CRYPTO_OK);
	cr_assert_eq(crypto_random_token("mcpat_", 32, b, sizeof(b)),
	    CRYPTO_OK);
	cr_assert_eq(strlen(a), 6 + CRYPTO_TOKEN_CHARS);
	cr_assert_eq(strncmp(a, "mcpat_", 6), 0);
	cr_assert_str_neq(a, b);
	cr_assert_eq(strspn(a + 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_"), CRYPTO_TOKEN_CHARS);
	cr_assert_eq(crypto_random_token("mcpat_", 32, a, 49), CRYPTO_ESPACE);
	cr_assert_eq(crypto_random_token("mcpat_", 32, a, 50), CRYPTO_OK);
}

Test(crypto, base64url_round_trip)
{
	unsigned char	 in[40], out[40];
	char		 enc[64];
	size_t		 n, len;

	for (n = 0; n <= sizeof(in); n++) {
		memset(in, 0, sizeof(in));
		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)(i * 37 + n);
		len = base64url_encode(in, n, enc, sizeof(enc));
		cr_assert_eq(len, strlen(enc));
		cr_assert_null(strchr(enc, '='));
		cr_assert_eq(base64url_decode(enc, len, out, sizeof(out), &len),
		    CRYPTO_OK);
		cr_assert_eq(len, n);
		cr_assert_eq(memcmp(in, out, n), 0);
	}
}

Test(crypto, base64url_vectors)
{
	char		 enc[16];
	unsigned char	 out[16];
	size_t		 n;

	base64url_encode((const unsigned char *)"\xfb\xff", 2, enc, sizeof(enc));
	cr_assert_str_eq(enc, "-_8");
	cr_assert_eq(base64url_encode((const unsigned char *)"abc", 3, enc, 4),
	    0, "no room for the NUL");
	cr_assert_eq(base64url_decode("-_8", 3, out, sizeof(out), &n),
	    CRYPTO_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(base64url_decode("+/8", 3, out, sizeof(out), &n),
	    CRYPTO_EFORMAT, "standard alphabet is refused");
	cr_assert_eq(base64url_decode("YQ==", 4, out, sizeof(out), &n),
	    CRYPTO_EFORMAT, "padding is refused");
	cr_assert_eq(base64url_decode("Y", 1, out, sizeof(out), &n),
	    CRYPTO_EFORMAT);
	cr_assert_eq(base64url_decode("YR", 2, out, sizeof(out), &n),
	    CRYPTO_EFORMAT, "non-zero trailing bits");
	cr_assert_eq(base64url_decode("YWJj", 4, out, 2, &n), CRYPTO_ESPACE);
}

Test(crypto, base64_standard_with_padding)
{
	unsigned char	 out[32];
	size_t		 n;

	cr_assert_eq(base64_decode("dXNlcjpwYXNz", 12, out, sizeof(out), &n),
	    CRYPTO_OK);
	cr_assert_eq(n, 9);
	cr_assert_eq(memcmp(out, "user:pass", 9), 0);
	cr_assert_eq(base64_decode("YQ==", 4, out, sizeof(out), &n), CRYPTO_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(base64_decode("YWI=", 4, out, sizeof(out), &n), CRYPTO_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(base64_decode("YQ", 2, out, sizeof(out), &n), CRYPTO_OK,
	    "unpadded is accepted");
	cr_assert_eq(base64_decode("Y===", 4, out, sizeof(out), &n),
	    CRYPTO_EFORMAT);
	cr_assert_eq(base64_decode("YQ=", 3, out, sizeof(out), &n),
	    CRYPTO_EFORMAT);
	cr_assert_eq(base64_decode("Y=Q=", 4, out, sizeof(out), &n),
	    CRYPTO_EFORMAT);
	cr_assert_eq(base64_decode("+/+/", 4, out, sizeof(out), &n), CRYPTO_OK);
	cr_assert_eq(base64_decode("-_-_", 4, out, sizeof(out), &n),
	    CRYPTO_EFORMAT);
}

Test(crypto, hex)
{
	unsigned char	 b[3];
	char		 s[7];

	cr_assert_eq(hex_decode("00fFa1", b, 3), 0);
	hex_encode(b, 3, s);
	cr_assert_str_eq(s, "00ffa1");
	cr_assert_eq(hex_decode("00ff", b, 3), -1);
	cr_assert_eq(hex_decode("00ffg1", b, 3), -1);
}

Test(crypto, constant_time_compare)
{
	cr_assert(crypto_equal("abcd", "abcd", 4));
	cr_assert_not(crypto_equal("abcd", "abce", 4));
	cr_assert(crypto_str_equal("secret", "secret"));
	cr_assert_not(crypto_str_equal("secret", "secre"));
	cr_assert_not(crypto_str_equal("secret", "secreT"));
	cr_assert(crypto_str_equal("", ""));
}

Test(crypto, password_hash_and_verify)
{
	char	 h1[CRYPTO_PWHASH_MAX], h2[CRYPTO_PWHASH_MAX];

	cr_assert_eq(crypto_password_hash("correct horse", h1, sizeof(h1)),
	    CRYPTO_OK);
	cr_assert_eq(strncmp(h1, "$scrypt$ln=14,r=8,p=5$", 22), 0);
	cr_assert_eq(crypto_password_verify("correct horse", h1), CRYPTO_OK);
	cr_assert_eq(crypto_password_verify("correct horsE", h1),
	    CRYPTO_MISMATCH);
	cr_assert_eq(crypto_password_verify("", h1), CRYPTO_MISMATCH);
	cr_assert_eq(crypto_password_hash("correct horse", h2, sizeof(h2)),
	    CRYPTO_OK);
	cr_assert_str_neq(h1, h2, "salts differ");
	cr_assert_eq(crypto_password_hash("x", h1, 20), CRYPTO_ESPACE);
}

/*
 * RFC 7914 §12's scrypt vector (N=1024, r=8, p=16) in our stored form:
 * verification must use the parameters of the hash, not the defaults.
 */
Test(crypto, password_parameters_are_read_from_the_hash)
{
	static const char	 rfc7914[] = "$scrypt$ln=10,r=8,p=16$TmFDbA$"
	    "_bq-HJ00cgB4VucZDQHp_nxq18vII3gw53N2Y0s3MWIurzDZLiKjiG_xCSedmDDa"
	    "xyevuUqD7m2DYMvfoswGQA";

	cr_assert_eq(crypto_password_verify("password", rfc7914), CRYPTO_OK);
	cr_assert_eq(crypto_password_verify("passwore", rfc7914),
	    CRYPTO_MISMATCH);
}

Test(crypto, malformed_stored_hashes)
{
	static const char *const bad[] = {
		"",
		"$argon2id$v=19$m=65536$abc$def",
		"$scrypt$ln=14,r=8,p=5$AAAA",
		"$scrypt$ln=14,r=8,p=5$AAAA$",
		"$scrypt$ln=99,r=8,p=5$AAAAAAAAAAAAAAAAAAAAAA$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=14,r=0,p=5$AAAAAAAAAAAAAAAAAAAAAA$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$scrypt$ln=14,r=8,p=5$AAAAAAAAAAAAAAAAAAAAAA$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA trailing",
		"$scrypt$ln=14,r=8,p=5$AAAAAAAAAAAAAAAAAAAAAA$AAAA",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(crypto_password_verify("pw", bad[i]),
		    CRYPTO_EFORMAT, "case %zu", i);
}

/*
 * The sign-in verifies against signin_dummy_hash when the user does not
 * exist, so that an unknown user costs the same scrypt as a wrong
 * password (the login error does not reveal whether the user exists).
 * It must be well-formed (a malformed one fails at once) and use the
 * parameters of real hashes.
 */
Test(crypto, login_dummy_hash_costs_a_real_scrypt)
{
	char	 real[CRYPTO_PWHASH_MAX];
	size_t	 params;

	cr_assert_eq(crypto_password_verify("anything", signin_dummy_hash),
	    CRYPTO_MISMATCH);
	cr_assert_eq(crypto_password_hash("x", real, sizeof(real)), CRYPTO_OK);
	/* "$scrypt$ln=14,r=8,p=5$": up to the salt. */
	params = strlen("$scrypt$ln=14,r=8,p=5$");
	cr_assert_eq(strncmp(real, signin_dummy_hash, params), 0, "%s", real);
	cr_assert_eq(strlen(real), strlen(signin_dummy_hash), "%s", real);
}

/*
 * The code_verifier ABNF of RFC 7636 section 4.1 at the verification
 * step too, not only at the syntax check.
 */
Test(crypto, pkce_verify_enforces_the_verifier_abnf)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];
	char		 v[130], c[CRYPTO_TOKEN_CHARS + 1];

	/* A 128-character verifier with its own challenge: fine. */
	memset(v, 'a', 128);
	v[128] = '\0';
	cr_assert_eq(crypto_sha256_str(v, h), CRYPTO_OK);
	base64url_encode(h, sizeof(h), c, sizeof(c));
	cr_assert_eq(pkce_verify(v, c), CRYPTO_OK);
	/* 129 characters, even with the matching challenge: refused. */
	v[128] = 'a';
	v[129] = '\0';
	cr_assert_eq(crypto_sha256_str(v, h), CRYPTO_OK);
	base64url_encode(h, sizeof(h), c, sizeof(c));
	cr_assert_eq(pkce_verify(v, c), CRYPTO_MISMATCH);
	/* A character outside [A-Za-z0-9-._~], with its own challenge. */
	memset(v, 'a', 43);
	v[20] = '/';
	v[43] = '\0';
	cr_assert_eq(crypto_sha256_str(v, h), CRYPTO_OK);
	base64url_encode(h, sizeof(h), c, sizeof(c));
	cr_assert_eq(pkce_verify(v, c), CRYPTO_MISMATCH);
	/* The challenge compares exactly, case included. */
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER,
	    "e9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), CRYPTO_MISMATCH);
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER, RFC7636_CHALLENGE "="),
	    CRYPTO_MISMATCH, "padding is not base64url");
	cr_assert_eq(pkce_verify(RFC7636_VERIFIER, ""), CRYPTO_MISMATCH);
}

/*
 * crypto_seal(): AES-256-GCM under HKDF-SHA-256(secret, label).  Only
 * the same secret, label and associated data open it; any changed
 * byte is refused and leaves nothing in the output.
 */
Test(crypto, seal_opens_only_with_the_same_secret_label_and_aad)
{
	static const char	 msg[] = "mcprt_the-successor-token";
	unsigned char		 box[sizeof(msg) + CRYPTO_SEAL_OVERHEAD];
	unsigned char		 box2[sizeof(box)];
	char			 out[sizeof(msg)];
	size_t			 n, m;

	cr_assert_eq(crypto_seal("secret-1", "label", "aad", 3, msg,
	    strlen(msg), box, sizeof(box), &n), CRYPTO_OK);
	cr_assert_eq(n, strlen(msg) + CRYPTO_SEAL_OVERHEAD);
	cr_assert_eq(crypto_unseal("secret-1", "label", "aad", 3, box, n,
	    out, sizeof(out), &m), CRYPTO_OK);
	cr_assert_eq(m, strlen(msg));
	cr_assert_eq(memcmp(out, msg, m), 0);
	/* A fresh nonce each time: the same message seals differently. */
	cr_assert_eq(crypto_seal("secret-1", "label", "aad", 3, msg,
	    strlen(msg), box2, sizeof(box2), &m), CRYPTO_OK);
	cr_assert_neq(memcmp(box, box2, n), 0);
	/* Nothing of the message shows in the sealed bytes. */
	for (m = 0; m + 6 <= n; m++)
		cr_assert_neq(memcmp(box + m, "mcprt_", 6), 0);

	cr_assert_eq(crypto_unseal("secret-2", "label", "aad", 3, box, n,
	    out, sizeof(out), &m), CRYPTO_MISMATCH);
	cr_assert_eq(crypto_unseal("secret-1", "label2", "aad", 3, box, n,
	    out, sizeof(out), &m), CRYPTO_MISMATCH);
	cr_assert_eq(crypto_unseal("secret-1", "label", "aaX", 3, box, n,
	    out, sizeof(out), &m), CRYPTO_MISMATCH);
	cr_assert_eq(crypto_unseal("secret-1", "label", "aad", 3, box, n - 1,
	    out, sizeof(out), &m), CRYPTO_MISMATCH, "a cut tag");
	for (m = 0; m < n; m++) {
		size_t	 k;

		box[m] ^= 0x01;
		memset(out, 'x', sizeof(out));
		cr_assert_eq(crypto_unseal("secret-1", "label", "aad", 3,
		    box, n, out, sizeof(out), &k), CRYPTO_MISMATCH,
		    "byte %zu changed", m);
		for (k = 0; k < strlen(msg); k++)
			cr_assert_eq(out[k], 0, "wiped after a failure");
		box[m] ^= 0x01;
	}
	cr_assert_eq(crypto_unseal("secret-1", "label", "aad", 3, box, 5,
	    out, sizeof(out), &m), CRYPTO_MISMATCH, "shorter than a nonce");
	cr_assert_eq(crypto_unseal("secret-1", "label", "aad", 3, box, n,
	    out, 4, &m), CRYPTO_ESPACE);
	cr_assert_eq(crypto_seal("secret-1", "label", "aad", 3, msg,
	    strlen(msg), box, strlen(msg) + 10, &m), CRYPTO_ESPACE);
}
