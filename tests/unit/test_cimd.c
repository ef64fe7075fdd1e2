/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Client ID metadata documents (draft-ietf-oauth-client-id-metadata-
 * document): which client_ids are document URLs (section 3), what a
 * document must say (section 4), the cache lifetime bounds, the
 * allowlist, and the client record's CIMD fields.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/cimd.h"
#include "../../src/lib/cimdfetch.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "dbfixture.h"

struct url_case {
	const char	*url;
	int		 ok;
};

static const struct url_case urls[] = {
	{ "https://app.example.com/client.json", 1 },
	{ "https://app.example.com/oauth/client-metadata.json", 1 },
	{ "https://app.example.com:8443/c", 1 },
	{ "https://127.0.0.1:8443/c", 1 },
	{ "https://a.example/x/y/z", 1 },
	{ "https://a.example/.well-known/c", 1 },
	{ "https://a.example/c..d", 1 },
	/* Section 3: https, a path, no fragment, userinfo, dot segments. */
	{ "http://app.example.com/client.json", 0 },
	{ "HTTPS://app.example.com/client.json", 0 },
	{ "https://app.example.com", 0 },
	{ "https://app.example.com/", 0 },
	{ "https://app.example.com/c#frag", 0 },
	{ "https://app.example.com/c#", 0 },
	{ "https://user@app.example.com/c", 0 },
	{ "https://user:pw@app.example.com/c", 0 },
	{ "https://app.example.com/a@b/c", 0 },
	{ "https://app.example.com/./c", 0 },
	{ "https://app.example.com/../c", 0 },
	{ "https://app.example.com/a/..", 0 },
	{ "https://app.example.com/a/.", 0 },
	{ "https://app.example.com/%2e/c", 0 },
	{ "https://app.example.com/%2E%2e/c", 0 },
	{ "https://app.example.com/.%2e/c", 0 },
	/* Ours: no query, one spelling of the host, a sane port. */
	{ "https://app.example.com/c?x=1", 0 },
	{ "https://app.example.com/c?", 0 },
	{ "https://App.example.com/c", 0 },
	{ "https://app.example.com./c", 0 },
	{ "https://.app.example.com/c", 0 },
	{ "https://app..example.com/c", 0 },
	{ "https://-app.example.com/c", 0 },
	{ "https://[::1]/c", 0 },
	{ "https://app.example.com:/c", 0 },
	{ "https://app.example.com:0/c", 0 },
	{ "https://app.example.com:65536/c", 0 },
	{ "https://app.example.com:08443/c", 0 },
	{ "https://app.example.com:443x/c", 0 },
	{ "https:///c", 0 },
	{ "https://app.example.com\\@evil.example/c", 0 },
	{ "https://app.example.com/c d", 0 },
	{ "https://app.example.com/c\"", 0 },
	{ "https://app.example.com/caf\xc3\xa9", 0 },
	{ "mcpc_abc", 0 },
	{ "", 0 },
};

Test(cimd, url_table)
{
	struct cimd_url	 u;
	size_t		 i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		cr_expect_eq(cimd_url_parse(urls[i].url, &u) == CIMD_OK,
		    urls[i].ok, "%s", urls[i].url);
}

Test(cimd, url_parts)
{
	struct cimd_url	 u;
	char		 longurl[CIMD_URL_MAX + 2];

	cr_assert_eq(cimd_url_parse("https://a.example:8443/c", &u), CIMD_OK);
	cr_expect_str_eq(u.host, "a.example");
	cr_expect_eq(u.port, 8443);
	cr_assert_eq(cimd_url_parse("https://a.example/c", &u), CIMD_OK);
	cr_expect_eq(u.port, 443);
	/* At most CIMD_URL_MAX bytes. */
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "https://a.example/", 18);
	cr_expect_neq(cimd_url_parse(longurl, &u), CIMD_OK);
	longurl[CIMD_URL_MAX] = '\0';
	cr_expect_eq(cimd_url_parse(longurl, &u), CIMD_OK);
}

/* Our own client IDs and document URLs are both valid client IDs. */
Test(cimd, client_id_valid)
{
	cr_expect(client_id_valid("mcpc_abcDEF-_"));
	cr_expect(client_id_valid("https://a.example/c"));
	cr_expect_not(client_id_valid("https://a.example/c?x"));
	cr_expect_not(client_id_valid("http://a.example/c"));
}

static struct config *
config_with(const char *extra)
{
	struct config	*cfg;
	char		 text[1024], err[CONFIG_ERR_MAX];

	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\n%s", extra);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	return cfg;
}

#define URL	"https://app.example.com/client.json"

static int
parse(const char *doc, struct client *c, char *why, size_t whysz)
{
	struct config	*cfg = config_with("");
	int		 rc;

	rc = cimd_parse(cfg, URL, doc, strlen(doc), c, why, whysz);
	config_free(cfg);
	return rc;
}

Test(cimd, document_valid)
{
	struct client	 c;
	char		 why[256] = "";

	cr_assert_eq(parse("{\"client_id\":\"" URL "\","
	    "\"client_name\":\"Example App\","
	    "\"redirect_uris\":[\"http://127.0.0.1/cb\","
	    "\"https://app.example.com/cb\"],"
	    "\"grant_types\":[\"authorization_code\",\"refresh_token\"],"
	    "\"token_endpoint_auth_method\":\"none\"}", &c, why,
	    sizeof(why)), CIMD_OK, "%s", why);
	cr_expect_str_eq(c.id, URL);
	cr_expect_str_eq(c.name, "Example App");
	cr_expect_eq(c.auth_method, CLIENT_AUTH_NONE);
	cr_expect_eq(c.flags, CLIENT_CIMD);
	cr_expect_eq(c.nredirect_uris, 2);
	cr_expect(c.grant_types & CLIENT_GRANT_REFRESH);
	client_free(&c);
}

/* Without token_endpoint_auth_method the client is public (none). */
Test(cimd, document_default_method_none)
{
	struct client	 c;
	char		 why[256] = "";

	cr_assert_eq(parse("{\"client_id\":\"" URL "\","
	    "\"redirect_uris\":[\"https://app.example.com/cb\"]}", &c, why,
	    sizeof(why)), CIMD_OK, "%s", why);
	cr_expect_eq(c.auth_method, CLIENT_AUTH_NONE);
	client_free(&c);
}

struct doc_case {
	const char	*doc;
	int		 want;
	const char	*why;	/* a part of the reason */
};

static const struct doc_case bad_docs[] = {
	{ "", CIMD_EDOC, "JSON" },
	{ "not json", CIMD_EDOC, "JSON" },
	{ "{\"client_id\":\"" URL "\"", CIMD_EDOC, "JSON" },
	{ "[]", CIMD_EDOC, "object" },
	{ "{\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "client_id" },
	{ "{\"client_id\":\"" URL "/\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", CIMD_EDOC, "client_id" },
	{ "{\"client_id\":\"https://APP.example.com/client.json\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "client_id" },
	{ "{\"client_id\":7,\"redirect_uris\":[\"https://a.example/cb\"]}",
	    CIMD_EDOC, "client_id" },
	{ "{\"client_id\":\"" URL "\",\"client_secret\":\"s\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "secret" },
	{ "{\"client_id\":\"" URL "\",\"client_secret_expires_at\":0,"
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "secret" },
	{ "{\"client_id\":\"" URL "\","
	    "\"token_endpoint_auth_method\":\"client_secret_basic\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "only none" },
	{ "{\"client_id\":\"" URL "\","
	    "\"token_endpoint_auth_method\":\"client_secret_post\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "only none" },
	{ "{\"client_id\":\"" URL "\","
	    "\"token_endpoint_auth_method\":\"private_key_jwt\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "only none" },
	{ "{\"client_id\":\"" URL "\","
	    "\"token_endpoint_auth_method\":[\"none\"],"
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "only none" },
	{ "{\"client_id\":\"" URL "\"}", CIMD_EREDIRECT, "redirect_uris" },
	{ "{\"client_id\":\"" URL "\",\"redirect_uris\":"
	    "[\"http://evil.example/cb\"]}", CIMD_EREDIRECT, "" },
	{ "{\"client_id\":\"" URL "\",\"redirect_uris\":"
	    "[\"javascript:alert(1)\"]}", CIMD_EREDIRECT, "" },
	{ "{\"client_id\":\"" URL "\",\"client_name\":\"a\\u0007b\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "control" },
	{ "{\"client_id\":\"" URL "\",\"client_name\":\"\\u202eppA\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}", CIMD_EDOC,
	    "control" },
};

Test(cimd, document_refusals)
{
	struct client	 c;
	char		 why[256];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
		why[0] = '\0';
		rc = parse(bad_docs[i].doc, &c, why, sizeof(why));
		cr_expect_eq(rc, bad_docs[i].want, "%s: got %d (%s)",
		    bad_docs[i].doc, rc, why);
		cr_expect_neq(why[0], '\0', "%s", bad_docs[i].doc);
		cr_expect_not_null(strstr(why, bad_docs[i].why), "%s: %s",
		    bad_docs[i].doc, why);
		cr_expect_null(c.name);
		cr_expect_eq(c.nredirect_uris, 0);
	}
}

Test(cimd, document_too_long_name)
{
	struct client	 c;
	char		 doc[1024], why[256];

	snprintf(doc, sizeof(doc), "{\"client_id\":\"" URL "\","
	    "\"client_name\":\"%0*d\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}", CLIENT_STRING_MAX + 1, 0);
	cr_expect_eq(parse(doc, &c, why, sizeof(why)), CIMD_EDOC);
}

Test(cimd, document_size_limit)
{
	struct client	 c;
	struct config	*cfg = config_with("");
	char		 doc[CIMD_DOC_MAX + 64], why[256];
	int		 n;

	n = snprintf(doc, sizeof(doc), "{\"client_id\":\"" URL "\","
	    "\"redirect_uris\":[\"https://a.example/cb\"],\"x\":\"");
	memset(doc + n, 'a', sizeof(doc) - (size_t)n - 3);
	memcpy(doc + sizeof(doc) - 3, "\"}", 3);
	cr_expect_eq(cimd_parse(cfg, URL, doc, strlen(doc), &c, why,
	    sizeof(why)), CIMD_EDOC);
	cr_expect_not_null(strstr(why, "larger"));
	config_free(cfg);
}

/* The document's URL must itself be a document URL. */
Test(cimd, document_bad_url)
{
	struct client	 c;
	struct config	*cfg = config_with("");
	const char	*doc = "{\"client_id\":\"http://a.example/c\","
	    "\"redirect_uris\":[\"https://a.example/cb\"]}";
	char		 why[256];

	cr_expect_eq(cimd_parse(cfg, "http://a.example/c", doc, strlen(doc),
	    &c, why, sizeof(why)), CIMD_EURL);
	config_free(cfg);
}

Test(cimd, ttl_bounds)
{
	const int64_t	 now = 1700000000;

	cr_expect_eq(cimd_ttl("", "", now), CIMD_TTL_DEFAULT);
	cr_expect_eq(cimd_ttl(NULL, NULL, now), CIMD_TTL_DEFAULT);
	cr_expect_eq(cimd_ttl("max-age=7200", "", now), 7200);
	cr_expect_eq(cimd_ttl("public, max-age=600", "", now), 600);
	cr_expect_eq(cimd_ttl("max-age=10", "", now), CIMD_TTL_MIN);
	cr_expect_eq(cimd_ttl("max-age=0", "", now), CIMD_TTL_MIN);
	cr_expect_eq(cimd_ttl("max-age=9999999", "", now), CIMD_TTL_MAX);
	cr_expect_eq(cimd_ttl("no-store", "", now), CIMD_TTL_MIN);
	cr_expect_eq(cimd_ttl("no-cache, max-age=9000", "", now),
	    CIMD_TTL_MIN);
	cr_expect_eq(cimd_ttl("max-age=abc", "", now), CIMD_TTL_DEFAULT);
	cr_expect_eq(cimd_ttl("max-age=100x", "", now), CIMD_TTL_DEFAULT);
	/* Expires: 2023-11-14 22:13:20 GMT is now; +2 h. */
	cr_expect_eq(cimd_ttl("", "Wed, 15 Nov 2023 00:13:20 GMT", now), 7200);
	/* max-age wins over Expires. */
	cr_expect_eq(cimd_ttl("max-age=900", "Wed, 15 Nov 2023 00:13:20 GMT",
	    now), 900);
	/* A past or invalid date: the minimum. */
	cr_expect_eq(cimd_ttl("", "Thu, 01 Jan 1970 00:00:00 GMT", now),
	    CIMD_TTL_MIN);
	cr_expect_eq(cimd_ttl("", "0", now), CIMD_TTL_MIN);
	cr_expect_eq(cimd_ttl("", "Sat, 01 Jan 2050 00:00:00 GMT", now),
	    CIMD_TTL_MAX);
}

Test(cimd, host_policy)
{
	struct config	*cfg;

	cfg = config_with("");
	cr_expect_eq(cfg->cimd, CONFIG_CIMD_OPEN);
	cr_expect(cimd_host_allowed(cfg, "anything.example"));
	config_free(cfg);

	cfg = config_with("cimd = off\n");
	cr_expect_not(cimd_host_allowed(cfg, "anything.example"));
	config_free(cfg);

	cfg = config_with("cimd = allowlist\n"
	    "cimd_allowlist = vscode.dev *.example.org\n");
	cr_expect(cimd_host_allowed(cfg, "vscode.dev"));
	cr_expect_not(cimd_host_allowed(cfg, "insiders.vscode.dev"));
	cr_expect_not(cimd_host_allowed(cfg, "evilvscode.dev"));
	cr_expect(cimd_host_allowed(cfg, "a.example.org"));
	cr_expect(cimd_host_allowed(cfg, "a.b.example.org"));
	cr_expect_not(cimd_host_allowed(cfg, "example.org"));
	cr_expect_not(cimd_host_allowed(cfg, "badexample.org"));
	cr_expect_not(cimd_host_allowed(cfg, "example.org.evil.example"));
	config_free(cfg);
}

Test(cimd, config_refusals)
{
	static const char *const bad[] = {
		"cimd = maybe\n",
		"cimd_allowlist = Example.com\n",
		"cimd_allowlist = *\n",
		"cimd_allowlist = a.*.example\n",
		"cimd_allowlist = https://a.example\n",
		"cimd_allowlist = .example.org\n",
		"cimd_test_allow_loopback = sometimes\n",
	};
	struct config	*cfg;
	char		 text[512], err[CONFIG_ERR_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
		    "db_path = /nonexistent\n%s", bad[i]);
		cr_expect_neq(config_parse("/t.conf", text, strlen(text), &cfg,
		    err, sizeof(err)), CONFIG_OK, "%s", bad[i]);
	}
}

/* The CIMD fields survive the record; other clients have none. */
Test(cimd, record_round_trip, .init = fx_setup, .fini = fx_teardown)
{
	struct store_txn	*t;
	struct client		 c, got;
	char			 why[256];
	const char		*doc = "{\"client_id\":\"" URL "\","
	    "\"client_name\":\"Example\",\"redirect_uris\":"
	    "[\"https://a.example/cb\"]}";

	cr_assert_eq(cimd_parse(fx_cfg, URL, doc, strlen(doc), &c, why,
	    sizeof(why)), CIMD_OK, "%s", why);
	c.fetched = FX_T0;
	c.expires = FX_T0 + 3600;
	memset(c.doc_hash, 0xab, sizeof(c.doc_hash));
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &c, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_client_get(t, URL, &got), STORE_OK);
	store_abort(t);
	cr_expect_str_eq(got.id, URL);
	cr_expect_eq(got.flags, CLIENT_CIMD);
	cr_expect_eq(got.fetched, FX_T0);
	cr_expect_eq(got.expires, FX_T0 + 3600);
	cr_expect_eq(memcmp(got.doc_hash, c.doc_hash, sizeof(c.doc_hash)), 0);
	cr_expect_str_eq(got.name, "Example");
	client_free(&got);
	client_free(&c);
}

/* cimd_ensure() leaves other client IDs alone and obeys cimd = off. */
Test(cimd, ensure_policy, .init = fx_setup, .fini = fx_teardown)
{
	struct config	*off = config_with("cimd = off\n");
	char		 why[256];

	cr_expect_eq(cimd_ensure(fx_cfg, fx_st, "mcpc_x", NULL, FX_T0, why,
	    sizeof(why)), CIMDF_OK);
	cr_expect_eq(cimd_ensure(fx_cfg, fx_st, NULL, NULL, FX_T0, why,
	    sizeof(why)), CIMDF_OK);
	cr_expect_eq(cimd_ensure(off, fx_st, URL, NULL, FX_T0, why,
	    sizeof(why)), CIMDF_EOFF);
	cr_expect_not_null(strstr(why, "does not accept"));
	config_free(off);
}

/* The name of a host that resolves to loopback is refused unresolved. */
Test(cimd, fetch_refuses_loopback_name)
{
	struct config	*cfg = config_with("");
	struct client	 c;
	char		 why[256];

	cr_expect_eq(cimd_fetch_client(cfg, "https://localhost/c", FX_T0, &c,
	    why, sizeof(why)), CIMDF_EADDR);
	/* The person learns only that it cannot be reached. */
	cr_expect_not_null(strstr(why, "cannot be reached"), "%s", why);
	cr_expect_null(strstr(why, "special-use"), "%s", why);
	cr_expect_eq(cimd_fetch_client(cfg, "https://127.0.0.1/c", FX_T0, &c,
	    why, sizeof(why)), CIMDF_EADDR);
	cr_expect_eq(cimd_fetch_client(cfg, "https://10.1.2.3/c", FX_T0, &c,
	    why, sizeof(why)), CIMDF_EADDR);
	cr_expect_eq(cimd_fetch_client(cfg, "https://169.254.169.254/c",
	    FX_T0, &c, why, sizeof(why)), CIMDF_EADDR);
	config_free(cfg);
	/* The test-only key allows loopback, nothing else. */
	cfg = config_with("cimd_test_allow_loopback = yes\n");
	cr_expect_eq(cimd_fetch_client(cfg, "https://10.1.2.3/c", FX_T0, &c,
	    why, sizeof(why)), CIMDF_EADDR);
	cr_expect_eq(cimd_fetch_client(cfg, "https://192.168.1.1/c", FX_T0,
	    &c, why, sizeof(why)), CIMDF_EADDR);
	config_free(cfg);
}

/*
 * Documents are fetched from port 443 only, written or implied; the
 * test-only key lifts that, so that tests can use a free port.
 */
Test(cimd, port_policy, .init = fx_setup, .fini = fx_teardown)
{
	struct config	*cfg = config_with("");
	struct config	*test = config_with("cimd_test_allow_loopback = yes\n");
	struct client	 c;
	char		 why[256];

	cr_expect(cimd_port_allowed(cfg, 443));
	cr_expect_not(cimd_port_allowed(cfg, 8443));
	cr_expect_not(cimd_port_allowed(cfg, 80));
	cr_expect_not(cimd_port_allowed(cfg, 22));
	cr_expect(cimd_port_allowed(test, 8443));

	/* Refused before any name is resolved or any lease taken. */
	cr_expect_eq(cimd_fetch_client(cfg, "https://app.example.com:8443/c",
	    FX_T0, &c, why, sizeof(why)), CIMDF_EURL);
	cr_expect_not_null(strstr(why, "port 443, not 8443"), "%s", why);
	cr_expect_eq(cimd_fetch_client(cfg, "https://app.example.com:22/c",
	    FX_T0, &c, why, sizeof(why)), CIMDF_EURL);
	cr_expect_eq(cimd_ensure(cfg, fx_st, "https://app.example.com:8443/c",
	    NULL, FX_T0, why, sizeof(why)), CIMDF_EURL);
	cr_expect_not_null(strstr(why, "port 443, not 8443"), "%s", why);
	/* An explicit :443 is the same port: it goes on to resolving. */
	cr_expect_eq(cimd_fetch_client(cfg, "https://127.0.0.1:443/c", FX_T0,
	    &c, why, sizeof(why)), CIMDF_EADDR);
	/* With the test key another port goes on to resolving too. */
	cr_expect_eq(cimd_fetch_client(test, "https://10.1.2.3:8443/c", FX_T0,
	    &c, why, sizeof(why)), CIMDF_EADDR);
	config_free(test);
	config_free(cfg);
}
