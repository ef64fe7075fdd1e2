/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * JWT access tokens of resource-server mode: the compact JWS parser
 * (jws_parse), the JWK Set parser (jwks_parse), the claims check
 * (bearer_from_claims) and the whole check of a signed token
 * (bearer_validate_jwt), chosen by the first byte.  Promises checked:
 * a parsed token names a known algorithm and has a signature; a token
 * never verifies with a key that does not fit its algorithm; every key
 * of a parsed set has a public key; accepted claims name a subject
 * that is safe as a user key.
 *
 * Random bytes never carry a valid signature, so the "signed" mode
 * signs what the fuzzer chose: the input after the mode byte is one
 * byte that picks a key and a kid, then the claims as JSON.  They are
 * signed with one of the fixed keys of josekeys.h, whose public halves
 * are the provider's JWK Set, and the token goes through
 * bearer_validate_jwt() as /mcp would check it.  A token signed with
 * the key its kid names must pass the signature and be judged by its
 * claims alone, exactly as bearer_from_claims() judges them; the same
 * token with its signature altered, or naming another key or none,
 * must be refused.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../src/lib/bearer.h"
#include "../src/lib/config.h"
#include "../src/lib/jose.h"
#include "../src/lib/jsonutil.h"
#include "../src/lib/rsverify.h"
#include "../src/lib/user.h"
#include "fuzz.h"
#include "josekeys.h"

/* The time the claims are judged at, as in the claims mode. */
#define NOW	1800000000

/* The fixed keys; RS256 and PS256 share the RSA key under two kids. */
static struct signer {
	enum jose_alg	 alg;
	const char	*kid;
	const char	*pem;
	EVP_PKEY	*pkey;
} signers[] = {
	{ JOSE_RS256, "rs", fuzz_rsa_pem, NULL },
	{ JOSE_PS256, "ps", fuzz_rsa_pem, NULL },
	{ JOSE_ES256, "ec", fuzz_ec_pem, NULL },
	{ JOSE_EDDSA, "ed", fuzz_ed_pem, NULL },
};
#define NSIGNERS	(sizeof(signers) / sizeof(signers[0]))

static struct config	*cfg;
static EVP_PKEY		*ec_key;
static struct jwkscache	 cache;
static int		 devnull = -1, quiet;

static EVP_PKEY *
read_key(const char *pem)
{
	EVP_PKEY	*pkey;
	BIO		*bio;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		abort();
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL)
		abort();
	return pkey;
}

/*
 * The provider: the fixed keys, their public halves as its JWK Set,
 * and a cache that holds that set, fetched at NOW.  With the last
 * fetch attempt at NOW too, an unknown kid never makes it fetch
 * (JWKS_COOLDOWN), so nothing here touches the network or cache_dir.
 * Log lines of refused tokens go to /dev/null unless MCP_FUZZ_LOG is
 * set, which also shows a sanitizer's report of a crash inside
 * bearer_validate_jwt() when an input is replayed.
 */
static void
setup_provider(void)
{
	struct json_object	*set, *arr, *k;
	char			 why[128];
	const char		*text;
	size_t			 i;

	set = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < NSIGNERS; i++) {
		signers[i].pkey = read_key(signers[i].pem);
		if ((k = jwk_public(signers[i].pkey, signers[i].alg,
		    signers[i].kid)) == NULL)
			abort();
		json_object_array_add(arr, k);
	}
	json_object_object_add(set, "keys", arr);
	text = json_str(set);
	if (jwks_parse(text, strlen(text), &cache.keys, why, sizeof(why)) !=
	    JOSE_OK || cache.keys.n != NSIGNERS)
		abort();
	json_object_put(set);
	cache.have = 1;
	cache.fetched_at = NOW;
	cache.attempted_at = NOW;
	snprintf(cache.url, sizeof(cache.url), "%s", cfg->jwks_uri);
	quiet = getenv("MCP_FUZZ_LOG") == NULL;
	if (quiet && (devnull = open("/dev/null", O_WRONLY)) == -1)
		abort();
}

static void
setup(void)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\ntoken_validation = jwt\n"
	    "authorization_server = https://idp.example.com\n"
	    "jwks_uri = https://idp.example.com/jwks\n"
	    "cache_dir = /nonexistent/mcp-oauth-fuzz\n";
	char			 err[256];

	if (cfg != NULL)
		return;
	if (config_parse("fuzz", text, sizeof(text) - 1, &cfg, err,
	    sizeof(err)) != CONFIG_OK)
		abort();
	if ((ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		abort();
	setup_provider();
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

/* The Authorization header that presents token. */
static void
bearer_header(const char *token, struct buf *header)
{
	buf_init(header);
	buf_puts(header, "Bearer ");
	buf_puts(header, token);
	FUZZ_CHECK(!buf_failed(header));
}

/* bearer_validate_jwt() on "Bearer token", its log lines silenced. */
static int
validate(const char *token, struct bearer *b)
{
	struct http_request	 req;
	struct buf		 header;
	int			 saved = -1, rc;

	bearer_header(token, &header);
	memset(&req, 0, sizeof(req));
	req.authorization = buf_cstr(&header);
	if (quiet) {
		FUZZ_CHECK((saved = dup(STDERR_FILENO)) != -1);
		FUZZ_CHECK(dup2(devnull, STDERR_FILENO) != -1);
	}
	rc = bearer_validate_jwt(cfg, &req, NOW, &cache, b);
	if (quiet) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	buf_free(&header);
	return rc;
}

/*
 * What bearer_validate_jwt() must answer for a token signed by the key
 * its kid names: the judgement of its claims, once the token is one
 * the parsers take at all.
 */
static int
expected(const char *token, size_t len, struct bearer *b)
{
	struct http_auth	 a;
	struct jws		 j;
	struct buf		 header;
	int			 rc;

	memset(b, 0, sizeof(*b));
	bearer_header(token, &header);
	rc = http_auth_parse(buf_cstr(&header), &a);
	buf_free(&header);
	if (rc != HTTP_AUTH_OK || a.scheme != HTTP_AUTH_BEARER)
		return BEARER_EINVALID;
	if (jws_parse(token, len, &j) != JOSE_OK)
		return BEARER_EINVALID;
	rc = bearer_from_claims(cfg, j.claims, NOW, 1, b);
	jws_free(&j);
	return rc;
}

static void
fuzz_signed(const uint8_t *p, size_t n)
{
	struct json_object	*claims;
	const struct signer	*s, *other;
	struct bearer		 b, want;
	struct buf		 tok;
	const char		*kid;
	size_t			 i;
	int			 rc;

	if (n < 1)
		return;
	/*
	 * The next signer's key is of another type, or the same RSA key
	 * published for the other algorithm: either must refuse it.
	 */
	s = &signers[p[0] % NSIGNERS];
	other = &signers[(p[0] + 1) % NSIGNERS];
	/* Its own kid, another key's, or none (several keys: refused). */
	switch (p[0] / NSIGNERS % 4) {
	case 0:
	case 1:
		kid = s->kid;
		break;
	case 2:
		kid = other->kid;
		break;
	default:
		kid = "";
		break;
	}
	if (json_parse_strict((const char *)p + 1, n - 1, &claims) !=
	    JSONU_OK || claims == NULL)
		return;
	if (!json_object_is_type(claims, json_type_object)) {
		json_object_put(claims);
		return;
	}
	buf_init(&tok);
	FUZZ_CHECK(jws_sign(s->alg, s->pkey, kid, claims, &tok) == JOSE_OK);
	json_object_put(claims);

	rc = validate(buf_cstr(&tok), &b);
	memset(&want, 0, sizeof(want));
	if (kid == s->kid)
		FUZZ_CHECK(rc == expected(buf_cstr(&tok), tok.len, &want));
	else
		FUZZ_CHECK(rc != BEARER_OK);
	if (rc == BEARER_OK) {
		FUZZ_CHECK(user_name_valid(b.user));
		FUZZ_CHECK(b.expires != 0);
		FUZZ_CHECK(strcmp(b.user, want.user) == 0);
		FUZZ_CHECK(strcmp(b.client_id, want.client_id) == 0);
		FUZZ_CHECK(strcmp(b.scope, want.scope) == 0);
		FUZZ_CHECK(b.expires == want.expires);

		/* The first signature character, changed, still decodes. */
		for (i = tok.len; i > 0 && tok.data[i - 1] != '.'; i--)
			continue;
		FUZZ_CHECK(i > 0 && i < tok.len);
		tok.data[i] = tok.data[i] == 'A' ? 'B' : 'A';
		FUZZ_CHECK(validate(buf_cstr(&tok), &b) == BEARER_EINVALID);
	}
	buf_free(&tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data + 1;

	setup();
	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_jws(p, size - 1);
		break;
	case 1:
		fuzz_jwks(p, size - 1);
		break;
	case 2:
	case 3:
		fuzz_claims(p, size - 1, data[0] % 5 == 2);
		break;
	default:
		fuzz_signed(data + 1, size - 1);
		break;
	}
	return 0;
}
