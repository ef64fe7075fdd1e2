#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/bearer.h"
#include "../../src/lib/config.h"
#include "../../src/lib/jsonutil.h"
#include "../../src/lib/rsverify.h"

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
	    "case of scheme and host, one trailing slash (A5.9)");
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
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1799999971,"
	    "\"sub\":\"a\"}", 1, &b), BEARER_OK);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1799999970,"
	    "\"sub\":\"a\"}", 1, &b), BEARER_EINVALID);
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"sub\":\"a\"}", 1, &b),
	    BEARER_EINVALID, "a JWT must expire");
	/* nbf and iat: not in the future beyond the leeway. */
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"nbf\":1800000030,\"sub\":\"a\"}", 1, &b), BEARER_OK);
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

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":"
	    "99999999999999999999,\"sub\":\"a\"}", 1, &b), BEARER_OK);
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
	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"sub\":\"auth0|5f1c\"}", 1, &b), BEARER_OK);
	cr_assert_eq(strncmp(b.user, "sub-", 4), 0, "%s", b.user);
	cr_assert_eq(strlen(b.user), 44);
}

Test(rsverify, okta_scp_array)
{
	struct bearer	 b;

	cr_assert_eq(claims("{" GOOD_ISS "," GOOD_AUD ",\"exp\":1800000100,"
	    "\"sub\":\"a\",\"scp\":[\"mcp\",\"notes:read\"]}", 1, &b),
	    BEARER_OK);
	cr_assert_str_eq(b.scope, "mcp notes:read");
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
