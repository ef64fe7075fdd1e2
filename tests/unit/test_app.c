/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../src/lib/app.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"
#include "testutil.h"

/*
 * The write paths purge a little as they go: expired records disappear
 * without the administrator's purge, and live ones stay.
 */
Test(app, write_paths_purge_expired_records)
{
	struct app		 a;
	struct store		*st;
	struct store_txn	*t;
	struct session		 s;
	char			*dir = testutil_tmpdir();
	char			 text[512], err[512], dead[64], live[64];
	int64_t			 now = time(NULL);
	int			 i;

	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\n", dir);
	memset(&a, 0, sizeof(a));
	cr_assert_eq(config_parse("t", text, strlen(text), &a.cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(a.cfg->db_path, a.cfg->db_map_size,
	    STORE_OPEN_CREATE, &st, err, sizeof(err)), STORE_OK, "%s", err);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", now - 7200, 3600, dead,
	    sizeof(dead)), STORE_OK);
	cr_assert_eq(session_create(t, "alice", now, 3600, live,
	    sizeof(live)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	store_close(st);

	/* Enough writes for several purge steps through every database. */
	for (i = 0; i < APP_PURGE_EVERY * 40; i++)
		app_purge_some(&a);
	cr_assert_not_null(a.store, "the store was opened on demand");
	cr_assert_eq(store_begin(a.store, 1, &t), STORE_OK);
	{
		struct store_val	 v;
		unsigned char h[32];

		crypto_sha256_str(dead, h);
		cr_assert_eq(store_get(t, DB_SESSIONS, h, 32, &v),
		    STORE_NOTFOUND, "the expired session is gone");
	}
	cr_assert_eq(session_get(t, live, now, &s), STORE_OK,
	    "the live one stays");
	session_free(&s);
	store_abort(t);
	app_free(&a);
	testutil_rmdir(dir);
}

static char	 seen_issuer[128];

static void
record_issuer(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	(void)req;
	snprintf(seen_issuer, sizeof(seen_issuer), "%s", a->cfg->issuer);
	http_json(resp, 200, "{}");
}

/*
 * The configuration named by the request (Apache's SetEnv reaches a
 * FastCGI program only as a request parameter) wins over the
 * program's environment, and a change of name reloads.
 */
Test(app, config_path_from_the_request)
{
	struct app		 a;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };
	char			*dir = testutil_tmpdir();
	char			*one, *two, var1[512], var2[512];
	char			*env1[] = { "REQUEST_URI=/x", "HTTPS=on", var1,
				    NULL };
	char			*env2[] = { "REQUEST_URI=/x", "HTTPS=on", var2,
				    NULL };
	char			*none[] = { "REQUEST_URI=/x", "HTTPS=on", NULL };

	one = testutil_write(dir, "one.conf", "issuer = https://one.example\n"
	    "db_path = /x\n");
	two = testutil_write(dir, "two.conf", "issuer = https://two.example\n"
	    "db_path = /x\n");
	snprintf(var1, sizeof(var1), "MCP_OAUTH_CONFIG=%s", one);
	snprintf(var2, sizeof(var2), "MCP_OAUTH_CONFIG=%s", two);
	memset(&a, 0, sizeof(a));
	a.config_path = two;
	cr_assert_eq(app_serve(&a, env1, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "https://one.example");
	cr_assert_eq(app_serve(&a, env2, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "https://two.example");
	cr_assert_eq(app_serve(&a, env1, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "https://one.example");
	cr_assert_eq(app_serve(&a, none, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "https://two.example",
	    "without one, the program's own");
	app_free(&a);
	buf_free(&m.out);
	free(one);
	free(two);
	testutil_rmdir(dir);
}

/*
 * An https site answers nothing that arrived without TLS, before any
 * handler runs (OAuth 2.1 section 1.5: every endpoint over TLS); a
 * development site on http://localhost does.
 */
Test(app, plain_http_is_refused_on_an_https_site)
{
	struct app		 a;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };
	char			*dir = testutil_tmpdir();
	char			*secure, *dev, *lenient, var[512];
	char			*plain[] = { "REQUEST_URI=/token", var, NULL };
	char			*off[] = { "REQUEST_URI=/token", "HTTPS=off", var,
				    NULL };
	char			*tls[] = { "REQUEST_URI=/token", "HTTPS=on", var,
				    NULL };

	secure = testutil_write(dir, "s.conf",
	    "issuer = https://mcp.example.com\ndb_path = /x\n");
	dev = testutil_write(dir, "d.conf",
	    "issuer = http://localhost:8080\ndb_path = /x\n");
	snprintf(var, sizeof(var), "MCP_OAUTH_CONFIG=%s", secure);
	memset(&a, 0, sizeof(a));
	a.config_path = secure;
	seen_issuer[0] = '\0';
	cr_assert_eq(app_serve(&a, plain, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "", "no handler ran");
	cr_assert_not_null(strstr(buf_cstr(&m.out), "Status: 403"));
	cr_assert_not_null(strstr(buf_cstr(&m.out),
	    "answers only over https"));
	cr_assert_eq(app_serve(&a, off, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "");
	cr_assert_eq(app_serve(&a, tls, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "https://mcp.example.com");

	snprintf(var, sizeof(var), "MCP_OAUTH_CONFIG=%s", dev);
	seen_issuer[0] = '\0';
	cr_assert_eq(app_serve(&a, plain, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "http://localhost:8080");

	/* The escape hatch, for a proxy that cannot say HTTPS=on. */
	lenient = testutil_write(dir, "l.conf",
	    "issuer = https://mcp.example.com\ndb_path = /x\n"
	    "require_https = no\n");
	snprintf(var, sizeof(var), "MCP_OAUTH_CONFIG=%s", lenient);
	seen_issuer[0] = '\0';
	cr_assert_eq(app_serve(&a, plain, &io, &io, record_issuer), 0);
	cr_assert_str_eq(seen_issuer, "https://mcp.example.com");
	app_free(&a);
	buf_free(&m.out);
	free(secure);
	free(dev);
	free(lenient);
	testutil_rmdir(dir);
}

static unsigned long	 seen_gen;
static const void	*seen_cfg;

static void
record_gen(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	(void)req;
	seen_gen = a->cfg_gen;
	seen_cfg = a->cfg;
	http_json(resp, 200, "{}");
}

/*
 * Every successful load of the configuration is a new generation, and
 * only a load is: per-process caches (metadata.fcgi's documents, the
 * introspection results) are keyed on it, not on the cfg pointer,
 * which a failed and then successful reload may give back unchanged.
 */
Test(app, every_load_is_a_new_generation)
{
	struct app		 a;
	struct memio		 m = { "", 0, 0, 0, { 0 }, 0 };
	struct http_io		 io = { memio_read, memio_write, &m };
	char			*dir = testutil_tmpdir();
	char			*path;
	char			*env[] = { "REQUEST_URI=/x", "HTTPS=on", NULL };
	unsigned long		 first;

	path = testutil_write(dir, "c.conf", "issuer = https://one.example\n"
	    "db_path = /x\n");
	memset(&a, 0, sizeof(a));
	a.config_path = path;
	cr_assert_eq(app_serve(&a, env, &io, &io, record_gen), 0);
	first = seen_gen;
	cr_assert_gt(first, 0);
	cr_assert_eq(app_serve(&a, env, &io, &io, record_gen), 0);
	cr_assert_eq(seen_gen, first, "an unchanged file is no new load");

	free(testutil_write(dir, "c.conf", "no_such_key = 1\n"));
	seen_cfg = NULL;
	cr_assert_eq(app_serve(&a, env, &io, &io, record_gen), 0);
	cr_assert_null(seen_cfg, "no handler without a configuration");
	cr_assert_null(a.cfg);

	free(testutil_write(dir, "c.conf", "issuer = https://two.example\n"
	    "db_path = /x\n"));
	cr_assert_eq(app_serve(&a, env, &io, &io, record_gen), 0);
	cr_assert_not_null(seen_cfg);
	cr_assert_gt(seen_gen, first, "whatever address it was given");
	app_free(&a);
	buf_free(&m.out);
	free(path);
	testutil_rmdir(dir);
}

/*
 * With token_validation = jwt the built-in authorization server's
 * programs answer 404 naming the other server; with local, nothing.
 */
Test(app, resource_server_mode_turns_the_authorization_server_off)
{
	static const char	 rs[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\ntoken_validation = jwt\n"
	    "authorization_server = https://id.example.com\n"
	    "jwks_uri = https://id.example.com/jwks\n";
	static const char	 local[] = "issuer = https://mcp.example.com\n"
	    "db_path = /unused\n";
	struct http_response	 resp;
	struct app		 a;
	char			 err[512];

	memset(&a, 0, sizeof(a));
	cr_assert_eq(config_parse("t", rs, strlen(rs), &a.cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	http_response_init(&resp);
	cr_assert_eq(app_resource_server_only(&a, &resp, APP_ANSWER_JSON), 1);
	cr_assert_eq(resp.status, 404);
	cr_assert_not_null(strstr(buf_cstr(&resp.body),
	    "\"error\":\"not_found\""));
	cr_assert_not_null(strstr(buf_cstr(&resp.body),
	    "its authorization server is https://id.example.com\""));
	cr_assert_not_null(strstr(buf_cstr(&resp.headers),
	    "Cache-Control: no-store\r\n"));
	http_response_free(&resp);
	config_free(a.cfg);

	cr_assert_eq(config_parse("t", local, strlen(local), &a.cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	http_response_init(&resp);
	cr_assert_eq(app_resource_server_only(&a, &resp, APP_ANSWER_JSON), 0);
	cr_assert_eq(resp.body.len, 0);
	http_response_free(&resp);
	config_free(a.cfg);
}

/*
 * A subdirectory install: paths under the issuer's path lose it, the
 * two root metadata URLs (RFC 8414 and RFC 9728 path insertion) become
 * the documents' paths under the issuer, and everything else is
 * outside.  An origin issuer changes nothing.
 */
Test(app, issuer_path_is_stripped_before_routing)
{
	struct config	*cfg;
	char		 err[CONFIG_ERR_MAX], p[128];
	const char	*sub = "issuer = https://example.com/mcp-auth\n"
			    "db_path = /x\n";
	const char	*origin = "issuer = https://example.com\n"
			    "db_path = /x\n";
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: outside the issuer */
	} cases[] = {
		{ "/mcp-auth/authorize", "/authorize" },
		{ "/mcp-auth/mcp", "/mcp" },
		{ "/mcp-auth", "/" },
		{ "/mcp-auth/", "/" },
		{ "/mcp-auth/.well-known/oauth-authorization-server",
		    "/.well-known/oauth-authorization-server" },
		{ "/.well-known/oauth-authorization-server/mcp-auth",
		    "/.well-known/oauth-authorization-server" },
		{ "/.well-known/oauth-protected-resource/mcp-auth/mcp",
		    "/.well-known/oauth-protected-resource/mcp" },
		{ "/mcp-authX/authorize", NULL },
		{ "/mcp-authorize", NULL },
		{ "/authorize", NULL },
		{ "/mcp", NULL },
		{ "/", NULL },
		{ "/.well-known/oauth-authorization-server", NULL },
		{ "/.well-known/oauth-authorization-server/mcp-authX", NULL },
		{ "/.well-known/oauth-authorization-server/mcp-auth/", NULL },
		{ "/.well-known/oauth-protected-resource/mcp-auth", NULL },
		{ "/.well-known/oauth-protected-resource/mcp-authX/mcp", NULL },
		{ "/.well-known/openid-configuration/mcp-auth", NULL },
	};
	size_t		 i;

	cr_assert_eq(config_parse("/t.conf", sub, strlen(sub), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(p, sizeof(p), "%s", cases[i].in);
		if (cases[i].out == NULL)
			cr_assert_eq(app_issuer_path(cfg, p), -1, "%s",
			    cases[i].in);
		else {
			cr_assert_eq(app_issuer_path(cfg, p), 0, "%s",
			    cases[i].in);
			cr_assert_str_eq(p, cases[i].out, "%s", cases[i].in);
		}
	}
	config_free(cfg);

	cr_assert_eq(config_parse("/t.conf", origin, strlen(origin), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	snprintf(p, sizeof(p), "/mcp-auth/authorize");
	cr_assert_eq(app_issuer_path(cfg, p), 0);
	cr_assert_str_eq(p, "/mcp-auth/authorize", "an origin changes nothing");
	config_free(cfg);
}
