/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The encodings under the credentials: base64url_decode() (tokens,
 * cursors), base64_decode() (HTTP Basic), hex_decode(), and the PKCE
 * checks (RFC 7636).  Every decoded value has exactly one encoding, so
 * encoding it again must give back the input.
 */
#include <string.h>

#include "../src/lib/crypto.h"
#include "fuzz.h"

static void
check_base64url(const char *in, size_t n)
{
	unsigned char	*out;
	char		*enc;
	size_t		 len, outsz = n, elen;
	int		 rc;

	if ((out = malloc(outsz + 1)) == NULL ||
	    (enc = malloc(n + 2)) == NULL)
		abort();
	rc = base64url_decode(in, n, out, outsz, &len);
	if (rc == CRYPTO_OK) {
		FUZZ_CHECK(len <= n / 4 * 3 + 2);
		elen = base64url_encode(out, len, enc, n + 2);
		FUZZ_CHECK(elen == n && memcmp(enc, in, n) == 0);
		/* One byte less room is too little, unless empty. */
		if (len > 0)
			FUZZ_CHECK(base64url_decode(in, n, out, len - 1,
			    &len) == CRYPTO_ESPACE);
	} else
		FUZZ_CHECK(rc == CRYPTO_EFORMAT);
	free(out);
	free(enc);
}

static void
check_base64(const char *in, size_t n)
{
	unsigned char	*out;
	char		*enc;
	size_t		 len, elen, i, bare = n;
	int		 rc;

	if ((out = malloc(n + 1)) == NULL || (enc = malloc(n + 2)) == NULL)
		abort();
	rc = base64_decode(in, n, out, n, &len);
	if (rc == CRYPTO_OK) {
		while (bare > 0 && in[bare - 1] == '=')
			bare--;
		FUZZ_CHECK(n - bare <= 2);
		elen = base64url_encode(out, len, enc, n + 2);
		for (i = 0; i < elen; i++)
			if (enc[i] == '-')
				enc[i] = '+';
			else if (enc[i] == '_')
				enc[i] = '/';
		FUZZ_CHECK(elen == bare && memcmp(enc, in, bare) == 0);
		if (bare != n)
			FUZZ_CHECK(n % 4 == 0);
	} else
		FUZZ_CHECK(rc == CRYPTO_EFORMAT);
	free(out);
	free(enc);
}

static void
check_pkce(const char *v)
{
	unsigned char	 hash[CRYPTO_SHA256_LEN], raw[64];
	char		 challenge[CRYPTO_TOKEN_CHARS + 1];
	size_t		 n = strlen(v);

	(void)pkce_challenge_valid(v);
	(void)hex_decode(v, raw, n / 2 < sizeof(raw) ? n / 2 : sizeof(raw));
	if (!pkce_verifier_valid(v)) {
		FUZZ_CHECK(pkce_verify(v, v) == CRYPTO_MISMATCH);
		return;
	}
	FUZZ_CHECK(n >= 43 && n <= 128);
	FUZZ_CHECK(crypto_sha256_str(v, hash) == CRYPTO_OK);
	FUZZ_CHECK(base64url_encode(hash, sizeof(hash), challenge,
	    sizeof(challenge)) == CRYPTO_TOKEN_CHARS);
	FUZZ_CHECK(pkce_challenge_valid(challenge));
	FUZZ_CHECK(pkce_verify(v, challenge) == CRYPTO_OK);
	FUZZ_CHECK(pkce_verify(v, v) == CRYPTO_MISMATCH);
	challenge[0] = challenge[0] == 'A' ? 'B' : 'A';
	FUZZ_CHECK(pkce_verify(v, challenge) == CRYPTO_MISMATCH);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	check_base64url((const char *)data, size);
	check_base64((const char *)data, size);
	s = fuzz_cstr(data, size);
	check_pkce(s);
	free(s);
	return 0;
}
