/*
 * JWT access tokens of resource-server mode: the compact JWS parser
 * (jws_parse), the JWK Set parser (jwks_parse) and the claims check
 * (bearer_from_claims), chosen by the first byte.  Promises checked:
 * a parsed token names a known algorithm and has a signature; a token
 * never verifies with a key that does not fit its algorithm; every key
 * of a parsed set has a public key; accepted claims name a subject
 * that is safe as a user key.
 */
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "../src/lib/bearer.h"
#include "../src/lib/config.h"
#include "../src/lib/jose.h"
#include "../src/lib/jsonutil.h"
#include "../src/lib/rsverify.h"
#include "../src/lib/user.h"
#include "fuzz.h"

static struct config	*cfg;
static EVP_PKEY		*ec_key;

static void
setup(void)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\ntoken_validation = jwt\n"
	    "authorization_server = https://idp.example.com\n"
	    "jwks_uri = https://idp.example.com/jwks\n";
	char			 err[256];

	if (cfg != NULL)
		return;
	if (config_parse("fuzz", text, sizeof(text) - 1, &cfg, err,
	    sizeof(err)) != CONFIG_OK)
		abort();
	if ((ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		abort();
}

static void
fuzz_jws(const char *p, size_t n)
{
	struct jws	 j;

	if (jws_parse(p, n, &j) != JOSE_OK)
		return;
	FUZZ_CHECK(j.alg != JOSE_ALG_UNKNOWN);
	FUZZ_CHECK(j.sig_len > 0);
	FUZZ_CHECK(j.header != NULL && j.claims != NULL);
	FUZZ_CHECK(j.input_len < n);
	if (j.alg != JOSE_ES256)
		FUZZ_CHECK(jws_verify(&j, ec_key) == JOSE_EKEY);
	else
		FUZZ_CHECK(jws_verify(&j, ec_key) != JOSE_OK);
	jws_free(&j);
}

static void
fuzz_jwks(const char *p, size_t n)
{
	struct jwks	 s;
	char		 why[128];
	size_t		 i;

	if (jwks_parse(p, n, &s, why, sizeof(why)) != JOSE_OK)
		return;
	FUZZ_CHECK(s.n > 0);
	for (i = 0; i < s.n; i++) {
		FUZZ_CHECK(s.keys[i].pkey != NULL);
		FUZZ_CHECK(strlen(s.keys[i].kid) <= JOSE_KID_MAX);
	}
	jwks_free(&s);
}

static void
fuzz_claims(const char *p, size_t n, int need_iss)
{
	struct json_object	*o;
	struct bearer		 b;

	if (json_parse_strict(p, n, &o) != JSONU_OK || o == NULL)
		return;
	if (json_object_is_type(o, json_type_object) &&
	    bearer_from_claims(cfg, o, 1800000000, need_iss, &b) ==
	    BEARER_OK) {
		FUZZ_CHECK(user_name_valid(b.user));
		FUZZ_CHECK(b.expires != 0);
	}
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data + 1;

	setup();
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_jws(p, size - 1);
		break;
	case 1:
		fuzz_jwks(p, size - 1);
		break;
	default:
		fuzz_claims(p, size - 1, data[0] % 4 == 2);
		break;
	}
	return 0;
}
