/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/config.h"
#include "../../src/lib/jsonutil.h"
#include "../../src/lib/jwkscache.h"
#include "../../src/lib/rsverify.h"
#include "testutil.h"

#define NOW	1800000000

static struct config	*cfg;

static void
setup(void)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\ntoken_validation = jwt\n"
	    "authorization_server = https://idp.example.com/realms/r\n"
	    "jwks_uri = https://idp.example.com/jwks\njwt_leeway = 30\n";
	char			 err[256];

	cr_assert_eq(config_parse("t", text, sizeof(text) - 1, &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
}

static void
teardown(void)
{
	config_free(cfg);
}

TestSuite(rsverify, .init = setup, .fini = teardown);

static int
claims(const char *json, int need_iss, struct bearer *b)
{
	struct json_object	*o;
	int			 rc;

	memset(b, 0, sizeof(*b));
	cr_assert_eq(json_parse_strict(json, strlen(json), &o), JSONU_OK,
	    "%s", json);
	rc = bearer_from_claims(cfg, o, NOW, need_iss, b);
	json_object_put(o);
	return rc;
}

#define GOOD_ISS "\"iss\":\"https://idp.example.com/realms/r\""
#define GOOD_AUD "\"aud\":\"https://mcp.example.com/mcp\""
#define GOOD_CID "\"client_id\":\"c1\""

Test(rsverify, good_claims)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"iat\":1800000000,\"nbf\":1800000000,\"sub\":\"alice\","
	    "\"client_id\":\"c1\",\"scope\":\"mcp notes:read\"}", 1, &b),
	    BEARER_OK);
	cr_assert_str_eq(b.user, "alice");
	cr_assert_str_eq(b.client_id, "c1");
	cr_assert_str_eq(b.scope, "mcp notes:read");
	cr_assert_eq(b.expires, 1800000100);
}

Test(rsverify, audience_forms)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS ",\"aud\":[\"account\","
	    "\"HTTPS://MCP.example.com/mcp/\"],\"exp\":1800000100,"
	    "\"sub\":\"a\",\"azp\":\"kc\"}", 1, &b), BEARER_OK,
	    "case of scheme and host (MCP 2025-06-18, basic/authorization), "
	    "one trailing slash");
	cr_assert_str_eq(b.client_id, "kc", "azp stands in for client_id");
	cr_assert_eq(claims("{" GOOD_ISS ",\"aud\":\"https://mcp.example.com"
	    "\",\"exp\":1800000100,\"sub\":\"a\"}", 1, &b), BEARER_EAUDIENCE);
	cr_assert_eq(claims("{" GOOD_ISS ",\"aud\":\"https://mcp.example.com/"
	    "mcp2\",\"exp\":1800000100,\"sub\":\"a\"}", 1, &b),
	    BEARER_EAUDIENCE);
	cr_assert_eq(claims("{" GOOD_ISS ",\"exp\":1800000100,\"sub\":\"a\"}",
	    1, &b), BEARER_EAUDIENCE, "no aud at all");
	cr_assert_eq(claims("{" GOOD_ISS ",\"aud\":[],\"exp\":1800000100,"
	    "\"sub\":\"a\"}", 1, &b), BEARER_EAUDIENCE);
}

Test(rsverify, issuer_is_exact)
{
	struct bearer	 b;

	cr_assert_eq(claims("{\"iss\":\"https://idp.example.com/realms/r/\","
	    GOOD_AUD ",\"exp\":1800000100,\"sub\":\"a\"}", 1, &b),
	    BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_AUD ",\"exp\":1800000100,\"sub\":\"a\"}",
	    1, &b), BEARER_EINVALID, "a JWT must name its issuer");
	cr_assert_eq(claims("{" GOOD_AUD ",\"exp\":1800000100,\"sub\":\"a\"}",
	    0, &b), BEARER_OK, "introspection answers may omit iss");
}

Test(rsverify, times_with_leeway)
{
	struct bearer	 b;

	/* exp: valid until exp + 30 s of leeway. */
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD "," GOOD_CID
	    ",\"exp\":1799999971,\"sub\":\"a\"}", 1, &b), BEARER_OK);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1799999970,"
	    "\"sub\":\"a\"}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"sub\":\"a\"}", 1, &b),
	    BEARER_EINVALID, "a JWT must expire");
	/* nbf and iat: not in the future beyond the leeway. */
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD "," GOOD_CID
	    ",\"exp\":1800000100,\"nbf\":1800000030,\"sub\":\"a\"}", 1, &b),
	    BEARER_OK);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"nbf\":1800000031,\"sub\":\"a\"}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"iat\":1800000031,\"sub\":\"a\"}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":\"soon\","
	    "\"sub\":\"a\"}", 1, &b), BEARER_EINVALID);
}

/* Found by fuzz/jose.c: exp + leeway overflowed for a huge exp. */
Test(rsverify, huge_times_do_not_overflow)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD "," GOOD_CID
	    ",\"exp\":99999999999999999999,\"sub\":\"a\"}", 1, &b),
	    BEARER_OK);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":"
	    "-99999999999999999999,\"sub\":\"a\"}", 1, &b),
	    BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"nbf\":99999999999999999999,\"sub\":\"a\"}", 1, &b),
	    BEARER_EINVALID);
}

Test(rsverify, subject_required_and_keyed)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100}",
	    1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"sub\":\"\"}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD "," GOOD_CID
	    ",\"exp\":1800000100,\"sub\":\"auth0|5f1c\"}", 1, &b),
	    BEARER_OK);
	cr_assert_eq(strncmp(b.user, "sub-", 4), 0, "%s", b.user);
	cr_assert_eq(strlen(b.user), 44);
}

/*
 * RFC 9068 §2.2 requires client_id in a JWT access token (OpenID
 * providers' azp stands in); without either it is no access token of
 * ours to accept (MCP 2025-06-18, basic/authorization: validate as
 * OAuth 2.1 section 5.2 says).  An introspection answer may omit it.
 */
Test(rsverify, jwt_requires_client_id)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"sub\":\"a\"}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"sub\":\"a\",\"client_id\":null}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"sub\":\"a\"}", 0, &b), BEARER_OK);
	cr_assert_str_eq(b.client_id, "");
}

Test(rsverify, okta_scp_array)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD "," GOOD_CID
	    ",\"exp\":1800000100,\"sub\":\"a\",\"scp\":[\"mcp\","
	    "\"notes:read\"]}", 1, &b), BEARER_OK);
	cr_assert_str_eq(b.scope, "mcp notes:read");
}

/*
 * An introspection endpoint's refusal of the token is a 401 for the
 * client (RFC 7662 section 2.3, RFC 6750 section 3.1); a refusal of
 * our credentials, a wrong endpoint, a throttle or the provider's
 * fault is a 503.
 */
Test(rsverify, introspection_refusals)
{
	static const char	 unsupported[] =
	    "{\"error\":\"unsupported_token_type\"}";
	static const char	 badclient[] = "{\"error\":\"invalid_client\"}";
	static const char	 unauthorized[] =
	    "{\"error\":\"unauthorized_client\"}";

	cr_assert_eq(introspection_refusal(400, unsupported,
	    sizeof(unsupported) - 1), INTROSPECT_TOKEN_REFUSED);
	cr_assert_eq(introspection_refusal(400, "", 0),
	    INTROSPECT_TOKEN_REFUSED);
	cr_assert_eq(introspection_refusal(400, "<html>", 6),
	    INTROSPECT_TOKEN_REFUSED);
	cr_assert_eq(introspection_refusal(400, NULL, 0),
	    INTROSPECT_TOKEN_REFUSED);
	cr_assert_eq(introspection_refusal(422, "", 0),
	    INTROSPECT_TOKEN_REFUSED);
	cr_assert_eq(introspection_refusal(400, badclient,
	    sizeof(badclient) - 1), INTROSPECT_CREDENTIALS_REFUSED);
	cr_assert_eq(introspection_refusal(400, unauthorized,
	    sizeof(unauthorized) - 1), INTROSPECT_CREDENTIALS_REFUSED);
	cr_assert_eq(introspection_refusal(401, badclient,
	    sizeof(badclient) - 1), INTROSPECT_CREDENTIALS_REFUSED);
	cr_assert_eq(introspection_refusal(401, unsupported,
	    sizeof(unsupported) - 1), INTROSPECT_CREDENTIALS_REFUSED);
	cr_assert_eq(introspection_refusal(403, "", 0),
	    INTROSPECT_CREDENTIALS_REFUSED);
	cr_assert_eq(introspection_refusal(404, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(405, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(408, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(429, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(500, unsupported,
	    sizeof(unsupported) - 1), INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(503, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(302, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
	cr_assert_eq(introspection_refusal(204, "", 0),
	    INTROSPECT_PROVIDER_FAILED);
}

Test(rsverify, config_requirements)
{
	struct config	*c;
	char		 err[256];
	static const char jwt_no_uri[] = "issuer = https://a.example\n"
	    "db_path = /x\ntoken_validation = jwt\n"
	    "authorization_server = https://b\n";
	static const char intro[] = "issuer = https://a.example\n"
	    "db_path = /x\ntoken_validation = introspection\n"
	    "authorization_server = https://b\n"
	    "introspection_endpoint = http://evil.example/i\n";
	static const char algs[] = "issuer = https://a.example\n"
	    "db_path = /x\njwt_algorithms = RS256 HS256\n";

	cr_assert_neq(config_parse("t", jwt_no_uri, sizeof(jwt_no_uri) - 1,
	    &c, err, sizeof(err)), CONFIG_OK);
	cr_assert_not_null(strstr(err, "jwks_uri: required"), "%s", err);
	cr_assert_neq(config_parse("t", intro, sizeof(intro) - 1, &c, err,
	    sizeof(err)), CONFIG_OK);
	cr_assert_not_null(strstr(err, "introspection_endpoint: must be an "
	    "https URL"), "%s", err);
	cr_assert_neq(config_parse("t", algs, sizeof(algs) - 1, &c, err,
	    sizeof(err)), CONFIG_OK);
	cr_assert_not_null(strstr(err, "none and HMAC are never allowed"),
	    "%s", err);
}

/*
 * The shared JWK Set cache file.  The provider is unreachable
 * (127.0.0.1 port 1): a test sees exactly what the file, and what is
 * in memory, make of a request.
 */
#define URI_A	"http://127.0.0.1:1/jwks-a"
#define URI_B	"http://127.0.0.1:1/jwks-b"
/* RFC 8037 Appendix A.2's public key, as kid "k1". */
#define KEYSET	"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," \
	"\"kid\":\"k1\"," \
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}"

static char		*dir;
static struct config	*cfg_a, *cfg_b;

static struct config *
jwt_config(const char *uri)
{
	struct config	*c;
	char		 text[1024], err[256];

	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = /unused\ntoken_validation = jwt\n"
	    "authorization_server = https://idp.example.com\n"
	    "jwks_uri = %s\ncache_dir = %s\n", uri, dir);
	cr_assert_eq(config_parse("t", text, strlen(text), &c, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	return c;
}

static void
cache_setup(void)
{
	dir = testutil_tmpdir();
	cfg_a = jwt_config(URI_A);
	cfg_b = jwt_config(URI_B);
}

static void
cache_teardown(void)
{
	config_free(cfg_a);
	config_free(cfg_b);
	testutil_rmdir(dir);
}

TestSuite(jwkscache, .init = cache_setup, .fini = cache_teardown);

/* The cache file's path in dir. */
static const char *
cache_file(void)
{
	static char	 path[1200];

	snprintf(path, sizeof(path), "%s/jwks-cache.json", dir);
	return path;
}

/*
 * Writes a cache file at path (replacing what is there) as another
 * process would, with the key set or without (a failed cold fetch).
 */
static void
plant(const char *path, const char *uri, long long fetched,
    long long attempted, int keys, mode_t mode)
{
	char	 text[1024];
	int	 fd;

	snprintf(text, sizeof(text), "{\"url\":\"%s\",\"fetched_at\":%lld,"
	    "\"attempted_at\":%lld%s}", uri, fetched, attempted,
	    keys ? ",\"jwks\":" KEYSET : "");
	unlink(path);
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600), -1);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* What a fresh process makes of the cache for kid at now. */
static int
fresh_process(const struct config *conf, const char *kid, time_t now)
{
	struct jwkscache	 c;
	const struct jwks	*keys;
	int			 rc;

	memset(&c, 0, sizeof(c));
	rc = jwkscache_keys(&c, conf, kid, now, &keys);
	cr_assert(rc != JWKSCACHE_OK || keys->n == 1);
	jwkscache_free(&c);
	return rc;
}

Test(jwkscache, serves_a_cache_file_of_its_own)
{
	plant(cache_file(), URI_A, NOW, NOW, 1, 0600);
	cr_assert_eq(fresh_process(cfg_a, "k1", NOW + 5), JWKSCACHE_OK);
	cr_assert_eq(fresh_process(cfg_a, NULL, NOW + 5), JWKSCACHE_OK);
}

/*
 * A cache file another local user could have written is no source of
 * keys: they would sign tokens with a key of their own.  Such a file
 * is ignored (the keys are fetched, and here the provider is down),
 * and what this process writes in its place is a file of its own that
 * only it can write.  The last case, a file owned by another user, runs
 * only as root (only root can make one), as the name says.
 */
Test(jwkscache, ignores_a_cache_file_others_can_write_and_as_root_another_users)
{
	struct stat	 sb;
	char		 real[1200];

	plant(cache_file(), URI_A, NOW, NOW, 1, 0666);
	cr_assert_eq(fresh_process(cfg_a, "k1", NOW + 5),
	    JWKSCACHE_EUNAVAILABLE, "world-writable");
	cr_assert_eq(lstat(cache_file(), &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));
	cr_assert_eq(sb.st_mode & 077, 0, "replaced by a file of mode 0600");
	cr_assert_eq(sb.st_uid, geteuid());

	plant(cache_file(), URI_A, NOW, NOW, 1, 0620);
	cr_assert_eq(fresh_process(cfg_a, "k1", NOW + 5),
	    JWKSCACHE_EUNAVAILABLE, "group-writable");

	/* A symbolic link, even to a good file, is not followed. */
	snprintf(real, sizeof(real), "%s/elsewhere.json", dir);
	plant(real, URI_A, NOW, NOW, 1, 0600);
	unlink(cache_file());
	cr_assert_eq(symlink(real, cache_file()), 0);
	cr_assert_eq(fresh_process(cfg_a, "k1", NOW + 5),
	    JWKSCACHE_EUNAVAILABLE, "symbolic link");

	/* Another user's file (only root can make one here). */
	if (geteuid() == 0) {
		plant(cache_file(), URI_A, NOW, NOW, 1, 0600);
		cr_assert_eq(chown(cache_file(), 65534, 65534), 0);
		cr_assert_eq(fresh_process(cfg_a, "k1", NOW + 5),
		    JWKSCACHE_EUNAVAILABLE, "owned by another user");
	}
}

/*
 * A reloaded configuration naming another jwks_uri: the keys held for
 * the old one verify nothing for the new one, and are not written to
 * the file under the new one's name for other processes to read.
 */
Test(jwkscache, forgets_the_keys_of_another_jwks_uri)
{
	struct jwkscache	 c;
	const struct jwks	*keys;

	plant(cache_file(), URI_A, NOW, NOW, 1, 0600);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(jwkscache_keys(&c, cfg_a, "k1", NOW + 5, &keys),
	    JWKSCACHE_OK);
	/* An unknown kid makes it try a fetch (and save) for URI_B. */
	cr_assert_eq(jwkscache_keys(&c, cfg_b, "k2", NOW + 40, &keys),
	    JWKSCACHE_EUNAVAILABLE);
	cr_assert_eq(jwkscache_keys(&c, cfg_b, "k1", NOW + 41, &keys),
	    JWKSCACHE_EUNAVAILABLE);
	jwkscache_free(&c);
	cr_assert_eq(fresh_process(cfg_b, "k1", NOW + 42),
	    JWKSCACHE_EUNAVAILABLE, "URI_A's keys saved as URI_B's");
}

/*
 * After a failed cold fetch the file holds no keys, only the time of
 * the attempt: every process must keep the 30 second cooldown from it
 * rather than ask the provider again.
 */
Test(jwkscache, shares_the_cooldown_of_a_failed_cold_fetch)
{
	struct jwkscache	 c;
	const struct jwks	*keys;
	struct json_object	*o, *v;
	char			 text[1024];
	FILE			*f;
	size_t			 n;

	plant(cache_file(), URI_A, 0, NOW, 0, 0600);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(jwkscache_keys(&c, cfg_a, "k1", NOW + 5, &keys),
	    JWKSCACHE_EUNAVAILABLE);
	cr_assert_eq(c.attempted_at, NOW, "no new attempt within 30 s");
	jwkscache_free(&c);
	cr_assert_not_null(f = fopen(cache_file(), "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	cr_assert_eq(json_parse_strict(text, n, &o), JSONU_OK, "%s", text);
	cr_assert(json_object_object_get_ex(o, "attempted_at", &v));
	cr_assert_eq(json_object_get_int64(v), NOW, "%s", text);
	json_object_put(o);
}
