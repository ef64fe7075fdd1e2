/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * OAuth clients: RFC 7591 registration metadata (RFC 7591 §2 and §3.2,
 * application_type from MCP 2026-07-28, basic/authorization; every
 * field, its default, null members, unknown members, and an error that
 * names the field for every invalid case), the record's round trip,
 * and client authentication at /token and /revoke (RFC 6749 §2.3 and
 * §5.2: exactly the registered method, 401 invalid_client with Basic).
 */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/form.h"
#include "../../src/lib/http.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/store.h"
#include "testutil.h"

static struct config	*cfg;
static struct client	 c;
static char		 why[256];

static void
setup(void)
{
	static const char text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\n";
	char	 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	client_init(&c);
	why[0] = '\0';
}

static void
teardown(void)
{
	client_free(&c);
	config_free(cfg);
	cfg = NULL;
}

TestSuite(client, .init = setup, .fini = teardown);

static int
parse(const char *json)
{
	client_free(&c);
	why[0] = '\0';
	return client_from_json(cfg, json, strlen(json), &c, why, sizeof(why));
}

Test(client, minimal_registration_takes_the_rfc_defaults)
{
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"]}"),
	    CLIENT_OK, "%s", why);
	cr_assert_eq(c.nredirect_uris, 1);
	cr_assert_str_eq(c.redirect_uris[0], "https://a.example/cb");
	/* RFC 7591 §2: client_secret_basic, authorization_code, code. */
	cr_assert_eq(c.auth_method, CLIENT_AUTH_BASIC);
	cr_assert_eq(c.grant_types, CLIENT_GRANT_CODE);
	cr_assert_eq(c.response_types, CLIENT_RESPONSE_CODE);
	cr_assert_null(c.name);
	cr_assert_null(c.uri);
	cr_assert_null(c.scope);
	cr_assert_null(c.software_id);
	cr_assert_null(c.software_version);
	cr_assert_null(c.application_type);
	cr_assert_eq(c.flags, 0);
	cr_assert_not(c.has_secret, "the endpoint makes the secret");
}

Test(client, every_field)
{
	cr_assert_eq(parse("{"
	    "\"redirect_uris\":["
	    "\"cursor://anysphere.cursor-mcp/oauth/callback\","
	    "\"https://www.cursor.com/agents/mcp/oauth/callback\","
	    "\"http://localhost:8787/callback\"],"
	    "\"token_endpoint_auth_method\":\"none\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
	    "\"response_types\":[\"code\"],"
	    "\"client_name\":\"Cursor \xc3\xa9\","
	    "\"client_uri\":\"https://cursor.com\","
	    "\"scope\":\"notes:write bogus mcp\","
	    "\"software_id\":\"cursor\","
	    "\"software_version\":\"1.2.3\","
	    "\"application_type\":\"native\"}"), CLIENT_OK, "%s", why);
	/* The three redirect URIs Cursor registers, all accepted. */
	cr_assert_eq(c.nredirect_uris, 3);
	cr_assert_str_eq(c.redirect_uris[2], "http://localhost:8787/callback");
	cr_assert_eq(c.auth_method, CLIENT_AUTH_NONE);
	cr_assert_eq(c.grant_types, CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH);
	cr_assert_str_eq(c.name, "Cursor \xc3\xa9");
	cr_assert_str_eq(c.uri, "https://cursor.com");
	cr_assert_str_eq(c.scope, "mcp notes:write", "unknown scopes dropped, "
	    "canonical order");
	cr_assert_str_eq(c.software_id, "cursor");
	cr_assert_str_eq(c.software_version, "1.2.3");
	cr_assert_str_eq(c.application_type, "native");
}

Test(client, auth_methods)
{
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":\"client_secret_post\"}"),
	    CLIENT_OK);
	cr_assert_eq(c.auth_method, CLIENT_AUTH_POST);
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":\"client_secret_basic\"}"),
	    CLIENT_OK);
	cr_assert_eq(c.auth_method, CLIENT_AUTH_BASIC);
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"application_type\":\"web\"}"), CLIENT_OK);
	cr_assert_str_eq(c.application_type, "web");
}

Test(client, null_members_are_absent)
{
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":null,\"grant_types\":null,"
	    "\"response_types\":null,\"client_name\":null,\"client_uri\":null,"
	    "\"scope\":null,\"software_id\":null,\"software_version\":null,"
	    "\"application_type\":null}"), CLIENT_OK, "%s", why);
	cr_assert_eq(c.auth_method, CLIENT_AUTH_BASIC);
	cr_assert_eq(c.grant_types, CLIENT_GRANT_CODE);
	cr_assert_null(c.name);
	cr_assert_null(c.scope);
	cr_assert_null(c.application_type);
}

Test(client, unknown_members_are_ignored)
{
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"logo_uri\":\"https://a.example/l.png\",\"contacts\":[\"a@b\"],"
	    "\"jwks\":{\"keys\":[]},\"tos_uri\":7,\"x\":null,"
	    "\"client_id\":\"mcpc_chosen\",\"client_secret\":\"mine\"}"),
	    CLIENT_OK, "%s", why);
	/* RFC 9700 §4.15: the client cannot pick its own id or secret. */
	cr_assert_str_eq(c.id, "");
	cr_assert_not(c.has_secret);
}

Test(client, scope_of_only_unknown_names_is_absent)
{
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"scope\":\"admin root\"}"), CLIENT_OK);
	cr_assert_null(c.scope);
}

struct bad_case {
	const char	*json;
	int		 want;
	const char	*field;		/* the start of the description */
};

#define R	"\"redirect_uris\":[\"https://a.example/cb\"]"

static const struct bad_case bad[] = {
	{ "", CLIENT_EMETADATA, "the body is not valid JSON" },
	{ "{", CLIENT_EMETADATA, "the body is not valid JSON" },
	{ "{" R ",}", CLIENT_EMETADATA, "the body is not valid JSON" },
	{ "{" R "} x", CLIENT_EMETADATA, "the body is not valid JSON" },
	{ "[]", CLIENT_EMETADATA, "the body must be a JSON object" },
	{ "null", CLIENT_EMETADATA, "the body must be a JSON object" },
	{ "{}", CLIENT_EREDIRECT, "redirect_uris: required" },
	{ "{\"redirect_uris\":null}", CLIENT_EREDIRECT, "redirect_uris:" },
	{ "{\"redirect_uris\":\"https://a.example/cb\"}", CLIENT_EREDIRECT,
	    "redirect_uris:" },
	{ "{\"redirect_uris\":[]}", CLIENT_EREDIRECT, "redirect_uris:" },
	{ "{\"redirect_uris\":[1]}", CLIENT_EREDIRECT, "redirect_uris:" },
	{ "{\"redirect_uris\":[\"https://a.example/cb\",null]}",
	    CLIENT_EREDIRECT, "redirect_uris:" },
	{ "{\"redirect_uris\":[\"javascript:alert(1)\"]}", CLIENT_EREDIRECT,
	    "redirect_uris: \"javascript:alert(1)\" uses a scheme" },
	{ "{\"redirect_uris\":[\"https://a.example/cb\","
	    "\"http://evil.example/cb\"]}", CLIENT_EREDIRECT,
	    "redirect_uris: \"http://evil.example/cb\" must use https" },
	{ "{\"redirect_uris\":[\"https://a.example/cb#x\"]}", CLIENT_EREDIRECT,
	    "redirect_uris:" },
	{ "{\"redirect_uris\":[\"https://u@a.example/cb\"]}", CLIENT_EREDIRECT,
	    "redirect_uris:" },
	{ "{\"redirect_uris\":[\"/cb\"]}", CLIENT_EREDIRECT, "redirect_uris:" },
	{ "{\"redirect_uris\":[\"a:1\",\"a:2\",\"a:3\",\"a:4\",\"a:5\","
	    "\"a:6\",\"a:7\",\"a:8\",\"a:9\",\"a:10\",\"a:11\"]}",
	    CLIENT_EREDIRECT, "redirect_uris: at most 10" },
	{ "{" R ",\"token_endpoint_auth_method\":\"private_key_jwt\"}",
	    CLIENT_EMETADATA, "token_endpoint_auth_method:" },
	{ "{" R ",\"token_endpoint_auth_method\":5}", CLIENT_EMETADATA,
	    "token_endpoint_auth_method: must be a string" },
	{ "{" R ",\"token_endpoint_auth_method\":\"\"}", CLIENT_EMETADATA,
	    "token_endpoint_auth_method:" },
	{ "{" R ",\"grant_types\":\"authorization_code\"}", CLIENT_EMETADATA,
	    "grant_types:" },
	{ "{" R ",\"grant_types\":[]}", CLIENT_EMETADATA, "grant_types:" },
	{ "{" R ",\"grant_types\":[\"implicit\"]}", CLIENT_EMETADATA,
	    "grant_types: \"implicit\" is not supported" },
	{ "{" R ",\"grant_types\":[\"authorization_code\","
	    "\"client_credentials\"]}", CLIENT_EMETADATA, "grant_types:" },
	{ "{" R ",\"grant_types\":[\"refresh_token\"]}", CLIENT_EMETADATA,
	    "grant_types: must include authorization_code" },
	{ "{" R ",\"grant_types\":[true]}", CLIENT_EMETADATA, "grant_types:" },
	{ "{" R ",\"response_types\":[\"token\"]}", CLIENT_EMETADATA,
	    "response_types:" },
	{ "{" R ",\"response_types\":{}}", CLIENT_EMETADATA,
	    "response_types:" },
	{ "{" R ",\"client_name\":\"\"}", CLIENT_EMETADATA, "client_name:" },
	{ "{" R ",\"client_name\":42}", CLIENT_EMETADATA,
	    "client_name: must be a string" },
	{ "{" R ",\"client_name\":\"a\\nb\"}", CLIENT_EMETADATA,
	    "client_name: contains a control character" },
	{ "{" R ",\"client_name\":\"a\\u007fb\"}", CLIENT_EMETADATA,
	    "client_name:" },
	{ "{" R ",\"client_uri\":\"javascript:alert(1)\"}", CLIENT_EMETADATA,
	    "client_uri:" },
	{ "{" R ",\"client_uri\":\"https://a.example/ x\"}", CLIENT_EMETADATA,
	    "client_uri:" },
	{ "{" R ",\"client_uri\":[]}", CLIENT_EMETADATA, "client_uri:" },
	{ "{" R ",\"scope\":[\"mcp\"]}", CLIENT_EMETADATA, "scope:" },
	{ "{" R ",\"software_id\":{}}", CLIENT_EMETADATA, "software_id:" },
	{ "{" R ",\"software_version\":1.5}", CLIENT_EMETADATA,
	    "software_version:" },
	{ "{" R ",\"application_type\":\"desktop\"}", CLIENT_EMETADATA,
	    "application_type: must be web or native" },
	{ "{" R ",\"application_type\":\"aaaaaaaaaaaaaaaaa\"}",
	    CLIENT_EMETADATA, "application_type:" },
};

Test(client, every_invalid_case_names_the_field)
{
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int	 rc = parse(bad[i].json);

		cr_expect_eq(rc, bad[i].want, "%s: got %d (%s)", bad[i].json,
		    rc, why);
		cr_expect_eq(strncmp(why, bad[i].field, strlen(bad[i].field)),
		    0, "%s: \"%s\" does not start with \"%s\"", bad[i].json,
		    why, bad[i].field);
		cr_expect_eq(c.nredirect_uris, 0, "nothing kept on failure");
	}
}

Test(client, string_limits)
{
	char	 json[1024], name[CLIENT_STRING_MAX + 2];

	memset(name, 'n', CLIENT_STRING_MAX);
	name[CLIENT_STRING_MAX] = '\0';
	snprintf(json, sizeof(json), "{" R ",\"client_name\":\"%s\"}", name);
	cr_assert_eq(parse(json), CLIENT_OK, "%s", why);
	cr_assert_eq(strlen(c.name), CLIENT_STRING_MAX);
	name[CLIENT_STRING_MAX] = 'n';
	name[CLIENT_STRING_MAX + 1] = '\0';
	snprintf(json, sizeof(json), "{" R ",\"client_name\":\"%s\"}", name);
	cr_assert_eq(parse(json), CLIENT_EMETADATA);
	cr_assert_str_eq(why, "client_name: must be 1 to 200 characters");
}

Test(client, oversized_body)
{
	size_t	 n = CLIENT_METADATA_MAX + 1;
	char	*big = malloc(n + 1);

	cr_assert_not_null(big);
	memset(big, ' ', n);
	memcpy(big, "{" R "}", strlen("{" R "}"));
	big[n] = '\0';
	cr_assert_eq(client_from_json(cfg, big, n, &c, why, sizeof(why)),
	    CLIENT_EMETADATA);
	cr_assert_not_null(strstr(why, "larger than"), "%s", why);
	cr_assert_eq(client_from_json(cfg, big, n - 1, &c, why, sizeof(why)),
	    CLIENT_OK, "%s", why);
	free(big);
}

Test(client, nul_byte_refused)
{
	static const char j[] = "{\"redirect_uris\":[\"https://a.example/cb\"]"
	    ",\"client_name\":\"a\0b\"}";

	cr_assert_eq(client_from_json(cfg, j, sizeof(j) - 1, &c, why,
	    sizeof(why)), CLIENT_EMETADATA);
}

Test(client, to_json_echoes_every_field_and_no_null)
{
	struct json_object	*o, *v;
	const char		*text;

	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":\"none\",\"client_name\":\"A\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"]}"),
	    CLIENT_OK);
	snprintf(c.id, sizeof(c.id), "mcpc_x");
	c.created = 1700000000;
	o = client_to_json(&c);
	cr_assert_not_null(o);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	cr_assert_null(strstr(text, "null"), "%s", text);
	cr_assert_str_eq(text, "{\"client_id\":\"mcpc_x\","
	    "\"client_id_issued_at\":1700000000,"
	    "\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"token_endpoint_auth_method\":\"none\","
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
	    "\"response_types\":[\"code\"],\"client_name\":\"A\"}");
	cr_assert_not(json_object_object_get_ex(o, "client_secret", &v),
	    "the record has only the hash");
	json_object_put(o);
}

Test(client, record_round_trip)
{
	struct store		*st;
	struct store_txn	*t;
	struct client		 got;
	char			*dir = testutil_tmpdir(), path[300];
	char			 err[STORE_ERR_MAX], secret[TOKEN_SECRET_MAX];

	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 20, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\","
	    "\"http://127.0.0.1/cb\"],\"client_name\":\"<b>A</b>\","
	    "\"software_id\":\"s\",\"scope\":\"mcp\"}"), CLIENT_OK);
	cr_assert_eq(client_new_id(c.id, sizeof(c.id)), CRYPTO_OK);
	cr_assert_eq(strncmp(c.id, "mcpc_", 5), 0);
	cr_assert(client_id_valid(c.id));
	cr_assert_eq(client_new_secret(&c, secret, sizeof(secret)), CRYPTO_OK);
	cr_assert_eq(strncmp(secret, "mcpcs_", 6), 0);
	c.flags = CLIENT_DYNAMIC;
	c.created = 42;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &c, 1), STORE_OK);
	cr_assert_eq(store_client_put(t, &c, 1), STORE_EXISTS,
	    "create never overwrites");
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_client_get(t, "mcpc_unknown", &got),
	    STORE_NOTFOUND);
	cr_assert_eq(store_client_get(t, "bad id!", &got), STORE_NOTFOUND);
	cr_assert_eq(store_client_get(t, c.id, &got), STORE_OK);
	store_abort(t);
	cr_assert_str_eq(got.id, c.id);
	cr_assert_eq(got.flags, CLIENT_DYNAMIC);
	cr_assert_eq(got.created, 42);
	cr_assert_eq(got.auth_method, CLIENT_AUTH_BASIC);
	cr_assert(got.has_secret);
	cr_assert_eq(memcmp(got.secret_hash, c.secret_hash,
	    CRYPTO_SHA256_LEN), 0);
	cr_assert_eq(got.nredirect_uris, 2);
	cr_assert_str_eq(got.redirect_uris[1], "http://127.0.0.1/cb");
	cr_assert_str_eq(got.name, "<b>A</b>");
	cr_assert_str_eq(got.software_id, "s");
	cr_assert_str_eq(got.scope, "mcp");
	cr_assert_null(got.uri, "absent stays absent, not \"\"");
	cr_assert_null(got.application_type);
	cr_assert(client_has_redirect(&got, "https://a.example/cb"));
	cr_assert_not(client_has_redirect(&got, "https://a.example/cb/"));
	client_free(&got);
	crypto_wipe(secret, sizeof(secret));
	store_close(st);
	testutil_rmdir(dir);
}

Test(client, corrupt_records_are_refused)
{
	static const unsigned char junk[] = { 1, 0, 0 };
	struct client	 got;

	client_init(&got);
	cr_assert_eq(client_decode(junk, sizeof(junk), &got), STORE_CORRUPT);
	cr_assert_null(got.name);
	cr_assert_eq(got.nredirect_uris, 0);
}

/*
 * Bidirectional controls could make the consent page show a client
 * name that reads differently from what was registered.
 */
Test(client, bidi_controls_refused)
{
	static const char *const names[] = {
		"Evil\xe2\x80\xae" "ppA detsurT",	/* U+202E */
		"a\xe2\x80\x8f" "b",		/* U+200F */
		"a\xe2\x81\xa6" "b",		/* U+2066 */
		"a\xe2\x81\xa9" "b",		/* U+2069 */
		"a\xd8\x9c" "b",			/* U+061C */
	};
	char	 json[256];
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(json, sizeof(json), "{\"redirect_uris\":"
		    "[\"https://a.example/cb\"],\"client_name\":\"%s\"}",
		    names[i]);
		cr_assert_eq(parse(json), CLIENT_EMETADATA, "case %zu", i);
		cr_assert_str_eq(why, "client_name: contains a control "
		    "character");
	}
	/* Other non-ASCII text is fine: "Café – 日本". */
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"client_name\":\"Caf\xc3\xa9 \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac\"}"),
	    CLIENT_OK, "%s", why);
	client_free(&c);
}

/* C1 controls act on a terminal, where the admin tool shows names. */
Test(client, c1_controls_refused)
{
	static const char *const names[] = {
		"a\xc2\x85" "b",		/* U+0085, NEL */
		"a\xc2\x9b" "31m",		/* U+009B, CSI */
		"\xc2\x80",			/* U+0080 */
		"a\xc2\x9f",			/* U+009F */
	};
	char	 json[256];
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(json, sizeof(json), "{\"redirect_uris\":"
		    "[\"https://a.example/cb\"],\"client_name\":\"%s\"}",
		    names[i]);
		cr_assert_eq(parse(json), CLIENT_EMETADATA, "case %zu", i);
		cr_assert_str_eq(why, "client_name: contains a control "
		    "character");
	}
	/* U+00A0 and U+00E9 (c2 a0, c3 a9) are text. */
	cr_assert_eq(parse("{\"redirect_uris\":[\"https://a.example/cb\"],"
	    "\"client_name\":\"a\xc2\xa0" "b\xc3\xa9\"}"), CLIENT_OK, "%s",
	    why);
	client_free(&c);
}

Test(client, id_syntax)
{
	cr_assert(client_id_valid("mcpc_abcDEF-_.9"));
	cr_assert_not(client_id_valid(""));
	cr_assert_not(client_id_valid("a b"));
	cr_assert_not(client_id_valid("a/b"));
	cr_assert_not(client_id_valid("<script>"));
	cr_assert_not(client_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "65 characters");
}

Test(client, auth_method_names)
{
	enum client_auth_method	 m;

	cr_assert_eq(client_auth_method_parse("none", &m), 0);
	cr_assert_eq(m, CLIENT_AUTH_NONE);
	cr_assert_eq(client_auth_method_parse("client_secret_post", &m), 0);
	cr_assert_eq(m, CLIENT_AUTH_POST);
	cr_assert_eq(client_auth_method_parse("client_secret_basic", &m), 0);
	cr_assert_eq(m, CLIENT_AUTH_BASIC);
	cr_assert_eq(client_auth_method_parse("Client_Secret_Basic", &m), -1);
	cr_assert_str_eq(client_auth_method_name(CLIENT_AUTH_POST),
	    "client_secret_post");
}

/*
 * client_authenticate with a real store holding three clients, one per
 * method.
 */
static char		*adir;
static struct store	*ast;
static char		 post_secret[TOKEN_SECRET_MAX];
static char		 basic_secret[TOKEN_SECRET_MAX];

static void
put_client(const char *id, enum client_auth_method m, char *secret)
{
	struct store_txn	*t;
	struct client		 k;
	char			*uris[] = { "https://a.example/cb" };

	client_init(&k);
	snprintf(k.id, sizeof(k.id), "%s", id);
	k.auth_method = m;
	k.grant_types = CLIENT_GRANT_CODE;
	cr_assert_eq(client_set_redirect_uris(&k, uris, 1, why, sizeof(why)),
	    CLIENT_OK);
	if (secret != NULL)
		cr_assert_eq(client_new_secret(&k, secret, TOKEN_SECRET_MAX),
		    CRYPTO_OK);
	cr_assert_eq(store_begin(ast, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &k, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	client_free(&k);
}

static void
auth_setup(void)
{
	char	 path[300], err[STORE_ERR_MAX];

	setup();
	adir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/db", adir);
	cr_assert_eq(store_open(path, 1 << 20, STORE_OPEN_CREATE, &ast, err,
	    sizeof(err)), STORE_OK, "%s", err);
	put_client("mcpc_none", CLIENT_AUTH_NONE, NULL);
	put_client("mcpc_post", CLIENT_AUTH_POST, post_secret);
	put_client("mcpc_basic", CLIENT_AUTH_BASIC, basic_secret);
}

static void
auth_teardown(void)
{
	store_close(ast);
	ast = NULL;
	testutil_rmdir(adir);
	adir = NULL;
	teardown();
}

/* "Basic base64(id:secret)" */
static void
basic(char *out, size_t outsz, const char *id, const char *secret)
{
	char		 pair[300];
	unsigned char	 enc[420];

	snprintf(pair, sizeof(pair), "%s:%s", id, secret);
	EVP_EncodeBlock(enc, (unsigned char *)pair, (int)strlen(pair));
	snprintf(out, outsz, "Basic %s", enc);
}

/* Runs client_authenticate for a form body and Authorization header. */
static int
authenticate(const char *authorization, const char *body,
    struct oauth_error *e)
{
	struct http_request	 req;
	struct store_txn	*t;
	struct form		 f;
	int			 rc;

	memset(&req, 0, sizeof(req));
	req.authorization = authorization;
	form_init(&f);
	cr_assert_eq(form_parse(body, strlen(body), NULL, &f), FORM_OK);
	cr_assert_eq(store_begin(ast, 1, &t), STORE_OK);
	client_free(&c);
	rc = client_authenticate(t, &req, &f, &c, e);
	store_abort(t);
	form_free(&f);
	if (rc == -1)
		cr_assert_str_eq(c.id, "", "no client kept on failure");
	return rc;
}

TestSuite(client_auth, .init = auth_setup, .fini = auth_teardown);

Test(client_auth, public_client_sends_its_id)
{
	struct oauth_error	 e;

	cr_assert_eq(authenticate(NULL, "client_id=mcpc_none", &e), 0,
	    "%s", e.description);
	cr_assert_str_eq(c.id, "mcpc_none");
}

Test(client_auth, public_client_with_a_secret_is_refused)
{
	struct oauth_error	 e;
	char			 h[512];

	cr_assert_eq(authenticate(NULL, "client_id=mcpc_none&client_secret=x",
	    &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_str_eq(e.error, "invalid_client");
	cr_assert_not(e.basic);
	basic(h, sizeof(h), "mcpc_none", "x");
	cr_assert_eq(authenticate(h, "", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert(e.basic, "WWW-Authenticate: Basic when Basic was tried");
}

Test(client_auth, client_secret_post)
{
	struct oauth_error	 e;
	char			 body[200], h[512];

	snprintf(body, sizeof(body), "client_id=mcpc_post&client_secret=%s",
	    post_secret);
	cr_assert_eq(authenticate(NULL, body, &e), 0, "%s", e.description);
	cr_assert_str_eq(c.id, "mcpc_post");
	/* Wrong secret, the other client's secret, no secret. */
	cr_assert_eq(authenticate(NULL,
	    "client_id=mcpc_post&client_secret=mcpcs_wrong", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_str_eq(e.error, "invalid_client");
	snprintf(body, sizeof(body), "client_id=mcpc_post&client_secret=%s",
	    basic_secret);
	cr_assert_eq(authenticate(NULL, body, &e), -1);
	cr_assert_eq(authenticate(NULL, "client_id=mcpc_post", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_not_null(strstr(e.description, "client_secret_post"));
	/*
	 * The right secret with the wrong method (RFC 6749 §5.2): a
	 * client must use the token_endpoint_auth_method it registered.
	 */
	basic(h, sizeof(h), "mcpc_post", post_secret);
	cr_assert_eq(authenticate(h, "", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert(e.basic);
}

Test(client_auth, client_secret_basic)
{
	struct oauth_error	 e;
	char			 body[200], h[512];

	basic(h, sizeof(h), "mcpc_basic", basic_secret);
	cr_assert_eq(authenticate(h, "grant_type=x", &e), 0, "%s",
	    e.description);
	cr_assert_str_eq(c.id, "mcpc_basic");
	cr_assert_eq(authenticate(h, "client_id=mcpc_basic", &e), 0,
	    "a matching client_id in the body is fine");
	basic(h, sizeof(h), "mcpc_basic", "mcpcs_wrong");
	cr_assert_eq(authenticate(h, "", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_str_eq(e.error, "invalid_client");
	cr_assert(e.basic);
	basic(h, sizeof(h), "mcpc_unknown", basic_secret);
	cr_assert_eq(authenticate(h, "", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert(e.basic);
	/* The right secret in the body is the wrong method. */
	snprintf(body, sizeof(body), "client_id=mcpc_basic&client_secret=%s",
	    basic_secret);
	cr_assert_eq(authenticate(NULL, body, &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_not(e.basic);
}

Test(client_auth, two_methods_at_once_is_a_bad_request)
{
	struct oauth_error	 e;
	char			 body[200], h[512];

	basic(h, sizeof(h), "mcpc_basic", basic_secret);
	snprintf(body, sizeof(body), "client_secret=%s", basic_secret);
	cr_assert_eq(authenticate(h, body, &e), -1);
	cr_assert_eq(e.status, 400);
	cr_assert_str_eq(e.error, "invalid_request");
	cr_assert_eq(authenticate(h, "client_id=mcpc_post", &e), -1);
	cr_assert_eq(e.status, 400);
	cr_assert_str_eq(e.error, "invalid_request");
}

Test(client_auth, malformed_basic_and_missing_client)
{
	struct oauth_error	 e;

	cr_assert_eq(authenticate("Basic !!!notbase64", "", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert(e.basic);
	cr_assert_eq(authenticate(NULL, "", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_str_eq(e.error, "invalid_client");
	cr_assert_eq(authenticate(NULL, "client_id=mcpc_unknown", &e), -1);
	cr_assert_eq(e.status, 401);
	cr_assert_not(e.basic);
	/* A Bearer header is not client authentication. */
	cr_assert_eq(authenticate("Bearer abc", "client_id=mcpc_none", &e), 0);
}
