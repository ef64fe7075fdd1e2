/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/config.h"
#include "testutil.h"

static struct config	*c;
static char		 err[CONFIG_ERR_MAX];

static int
parse(const char *text)
{
	config_free(c);
	c = NULL;
	err[0] = '\0';
	return config_parse("/etc/mcp.conf", text, strlen(text), &c, err,
	    sizeof(err));
}

static void
teardown(void)
{
	config_free(c);
	c = NULL;
}

TestSuite(config, .fini = teardown);

#define BASE	"issuer = https://mcp.example.com\ndb_path = /var/lib/mcp\n"

Test(config, minimal_with_defaults)
{
	cr_assert_eq(parse(BASE), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c->issuer, "https://mcp.example.com");
	cr_assert_str_eq(c->mcp_url, "https://mcp.example.com/mcp");
	cr_assert_str_eq(c->prm_url, "https://mcp.example.com/.well-known/"
	    "oauth-protected-resource/mcp");
	cr_assert_str_eq(c->issuer_authority, "mcp.example.com");
	cr_assert(c->issuer_https);
	cr_assert_str_eq(c->db_path, "/var/lib/mcp");
	cr_assert_eq(c->db_map_size, 256u * 1024 * 1024);
	cr_assert_eq(c->access_token_lifetime, 3600);
	cr_assert_eq(c->refresh_token_lifetime, 30L * 86400);
	cr_assert_eq(c->code_lifetime, 600);
	cr_assert_eq(c->session_lifetime, 12 * 3600);
	cr_assert_eq(c->scopes.len, 3);
	cr_assert_str_eq(c->scopes.items[0], "mcp");
	cr_assert_eq(c->default_scopes.len, 3, "defaults to every scope");
	cr_assert_eq(c->registration, REGISTRATION_OPEN);
	cr_assert_eq(c->registration_rate_limit, 20);
	cr_assert_eq(c->tool_write_rate_limit, 600);
	cr_assert_eq(c->user_auth, USER_AUTH_LOCAL);
	cr_assert_eq(c->mcp_max_body, 1024 * 1024);
	cr_assert_eq(c->allowed_origins.len, 0);
}

/*
 * A subdirectory install: the issuer has a path, every URL derived
 * from it sits under it, and the authority and origin leave it out.
 */
Test(config, issuer_with_a_path)
{
	cr_assert_eq(parse("issuer = https://example.com/mcp-auth\n"
	    "db_path = /x\n"), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c->issuer, "https://example.com/mcp-auth");
	cr_assert_str_eq(c->issuer_path, "/mcp-auth");
	cr_assert_str_eq(c->issuer_origin, "https://example.com");
	cr_assert_str_eq(c->issuer_authority, "example.com");
	cr_assert_str_eq(c->mcp_url, "https://example.com/mcp-auth/mcp");
	cr_assert_str_eq(c->prm_url, "https://example.com/mcp-auth/"
	    ".well-known/oauth-protected-resource/mcp");
	config_free(c);
	c = NULL;
	cr_assert_eq(parse("issuer = http://localhost:8443/a/b-c.d_e~f\n"
	    "db_path = /x\n"), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c->issuer_path, "/a/b-c.d_e~f");
	cr_assert_str_eq(c->issuer_origin, "http://localhost:8443");
	cr_assert_str_eq(c->issuer_authority, "localhost:8443");
}

/* The origin case keeps an empty path. */
Test(config, issuer_origin_has_no_path)
{
	cr_assert_eq(parse(BASE), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c->issuer_path, "");
	cr_assert_str_eq(c->issuer_origin, "https://mcp.example.com");
}

Test(config, every_key)
{
	cr_assert_eq(parse(
	    "# comment\n"
	    "   # indented comment\n"
	    "\n"
	    "issuer=http://localhost:8443\n"
	    "db_path = /tmp/db\r\n"
	    "db_map_size = 64M\n"
	    "www_dir = /srv/www\n"
	    "resource_name = My notes # not a comment\n"
	    "access_token_lifetime = 10m\n"
	    "refresh_token_lifetime = 7d\n"
	    "code_lifetime = 90s\n"
	    "session_lifetime = 2h\n"
	    "pending_lifetime = 300\n"
	    "scopes = mcp, a:b  c\n"
	    "default_scopes = mcp\n"
	    "allowed_origins = http://localhost:6274 https://claude.ai\n"
	    "allowed_hosts = localhost:8443 127.0.0.1:8443\n"
	    "registration = closed\n"
	    "registration_rate_limit = 0\n"
	    "tool_write_rate_limit = 0\n"
	    "login_max_failures = 3\n"
	    "login_lockout = 1m\n"
	    "user_auth = remote_user\n"
	    "mcp_max_body = 512K\n"
	    "scope.a:b = Do the A thing\n"), CONFIG_OK, "%s", err);
	cr_assert_str_eq(c->issuer, "http://localhost:8443");
	cr_assert_not(c->issuer_https);
	cr_assert_str_eq(c->issuer_authority, "localhost:8443");
	cr_assert_eq(c->db_map_size, 64u * 1024 * 1024);
	cr_assert_str_eq(c->resource_name, "My notes # not a comment");
	cr_assert_eq(c->access_token_lifetime, 600);
	cr_assert_eq(c->refresh_token_lifetime, 7 * 86400);
	cr_assert_eq(c->code_lifetime, 90);
	cr_assert_eq(c->session_lifetime, 7200);
	cr_assert_eq(c->pending_lifetime, 300);
	cr_assert_eq(c->scopes.len, 3);
	cr_assert_str_eq(c->scopes.items[1], "a:b");
	cr_assert_eq(c->default_scopes.len, 1);
	cr_assert(config_list_has(&c->allowed_origins, "https://claude.ai"));
	cr_assert(config_list_has(&c->allowed_hosts, "127.0.0.1:8443"));
	cr_assert_eq(c->registration, REGISTRATION_CLOSED);
	cr_assert_eq(c->registration_rate_limit, 0);
	cr_assert_eq(c->tool_write_rate_limit, 0);
	cr_assert_eq(c->login_max_failures, 3);
	cr_assert_eq(c->login_lockout, 60);
	cr_assert_eq(c->user_auth, USER_AUTH_REMOTE_USER);
	cr_assert_eq(c->mcp_max_body, 512 * 1024);
	cr_assert_str_eq(config_scope_text(c, "a:b"), "Do the A thing");
	cr_assert_not_null(config_scope_text(c, "mcp"), "built-in text");
	cr_assert_null(config_scope_text(c, "c"));
	cr_assert(config_has_scope(c, "c"));
	cr_assert_not(config_has_scope(c, "d"));
}

struct bad_case {
	const char	*text;
	const char	*message;
};

Test(config, bad_files_name_file_line_and_key)
{
	static const struct bad_case cases[] = {
		{ "issuer = https://x.example\n",
		    "/etc/mcp.conf: db_path: missing (required)" },
		{ "db_path = /x\n",
		    "/etc/mcp.conf: issuer: missing (required)" },
		{ BASE "bogus = 1\n", "/etc/mcp.conf:3: bogus: unknown key" },
		{ BASE "no equals sign\n",
		    "/etc/mcp.conf:3: expected \"key = value\"" },
		{ BASE " = 3\n", "/etc/mcp.conf:3: missing key" },
		{ BASE "issuer = https://y.example\n",
		    "/etc/mcp.conf:3: issuer: set twice" },
		{ BASE "code_lifetime =\n",
		    "/etc/mcp.conf:3: code_lifetime: empty value" },
		{ "issuer = https://mcp.example.com/\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must not end with a slash" },
		{ "issuer = https://mcp.example.com/mcp\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: ends in /mcp" },
		{ "issuer = https://example.com/sub/\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must not end with a slash" },
		{ "issuer = https://example.com/sub?x\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must not contain a query" },
		{ "issuer = https://example.com/sub#x\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must not contain a query" },
		{ "issuer = https://example.com/a//b\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has an empty" },
		{ "issuer = https://example.com/a/../b\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has an empty" },
		{ "issuer = https://example.com/./b\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has an empty" },
		{ "issuer = https://example.com/a%20b\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has a path with a character" },
		{ "issuer = https://example.com/.well-known/x\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has a path under /.well-known" },
		{ "issuer = https://Example.com/sub\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must be lowercase" },
		{ "issuer = http://mcp.example.com\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must use https://" },
		{ "issuer = ftp://mcp.example.com\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must start with https://" },
		{ "issuer = https://MCP.example.com\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must be lowercase" },
		{ "issuer = https://mcp.example.com?x\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must not contain" },
		{ "issuer = https://u@mcp.example.com\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: must not contain" },
		{ "issuer = https://mcp.example.com:0\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has an invalid port" },
		{ "issuer = https://mcp.example.com:99999\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has an invalid port" },
		{ "issuer = https://\ndb_path = /x\n",
		    "/etc/mcp.conf:1: issuer: has no host" },
		{ "issuer = https://x.example\ndb_path = relative/db\n",
		    "/etc/mcp.conf:2: db_path: must be an absolute path" },
		{ BASE "db_map_size = 12Q\n",
		    "/etc/mcp.conf:3: db_map_size: must be a size" },
		{ BASE "db_map_size = 1K\n",
		    "/etc/mcp.conf:3: db_map_size: must be between" },
		{ BASE "access_token_lifetime = -5\n",
		    "/etc/mcp.conf:3: access_token_lifetime: must be a duration" },
		{ BASE "access_token_lifetime = 5y\n",
		    "/etc/mcp.conf:3: access_token_lifetime: must be a duration" },
		{ BASE "access_token_lifetime = 2d\n",
		    "/etc/mcp.conf:3: access_token_lifetime: must be between" },
		{ BASE "code_lifetime = 99999999999999999999\n",
		    "/etc/mcp.conf:3: code_lifetime: must be a duration" },
		{ BASE "registration_rate_limit = 5M\n",
		    "/etc/mcp.conf:3: registration_rate_limit: must be a whole" },
		{ BASE "scopes = mcp bad\"scope\n",
		    "/etc/mcp.conf:3: scopes: invalid item" },
		{ BASE "scopes = , ,\n",
		    "/etc/mcp.conf:3: scopes: must name at least one scope" },
		{ BASE "default_scopes = nope\n",
		    "/etc/mcp.conf: default_scopes: \"nope\" is not listed" },
		{ BASE "allowed_origins = https://ok.example null\n",
		    "/etc/mcp.conf:3: allowed_origins: invalid item \"null\"" },
		{ BASE "allowed_origins = https://x.example/path\n",
		    "/etc/mcp.conf:3: allowed_origins: invalid item" },
		{ BASE "allowed_hosts = a/b\n",
		    "/etc/mcp.conf:3: allowed_hosts: invalid item" },
		{ BASE "registration = maybe\n",
		    "/etc/mcp.conf:3: registration: must be open or closed" },
		{ BASE "user_auth = ldap\n",
		    "/etc/mcp.conf:3: user_auth: must be local or remote_user" },
		{ BASE "scope.bad scope = x\n",
		    "/etc/mcp.conf:3: scope.bad scope: \"bad scope\" is not" },
		{ BASE "scope.mcp = a\nscope.mcp = b\n",
		    "/etc/mcp.conf:4: scope.mcp: is set twice" },
		{ BASE "resource_name = "
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		    "/etc/mcp.conf:3: resource_name: must be 1 to 100" },
		{ BASE "registration_unused_lifetime = 23h\n",
		    "/etc/mcp.conf: registration_unused_lifetime: must be 0 "
		    "(never remove) or at least 1d" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_neq(parse(cases[i].text), CONFIG_OK, "case %zu", i);
		cr_assert_null(c);
		cr_assert_eq(strncmp(err, cases[i].message,
		    strlen(cases[i].message)), 0,
		    "case %zu: got \"%s\", want \"%s...\"", i, err,
		    cases[i].message);
	}
}

/*
 * Every scope string a grant carries must fit SCOPE_MAX (1024), the
 * most a request may send: a list of scopes longer than that together
 * is refused where it is set.  16 names of 63 characters and the 15
 * spaces between them are 1023 characters; one more character is 1024,
 * still allowed; a seventeenth name is too much.
 */
/* registration_unused_lifetime: 0, or a day and more. */
Test(config, unused_lifetime_is_zero_or_a_day_at_least)
{
	cr_assert_eq(parse(BASE "registration_unused_lifetime = 0\n"),
	    CONFIG_OK, "%s", err);
	cr_assert_eq(c->registration_unused_lifetime, 0);
	cr_assert_eq(parse(BASE "registration_unused_lifetime = 1d\n"),
	    CONFIG_OK, "%s", err);
	cr_assert_eq(c->registration_unused_lifetime, 24 * 3600);
	cr_assert_neq(parse(BASE "registration_unused_lifetime = 86399\n"),
	    CONFIG_OK);
}

Test(config, scopes_together_fit_a_request)
{
	char	 text[2048], name[64];
	size_t	 i, n;

	memset(name, 'a', 63);
	name[63] = '\0';
	n = (size_t)snprintf(text, sizeof(text), "%sscopes =", BASE);
	for (i = 0; i < 16; i++) {
		name[0] = (char)('a' + i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s", name);
	}
	cr_assert_eq(parse(text), CONFIG_OK, "%s", err);
	cr_assert_eq(c->scopes.len, 16);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "b");
	cr_assert_eq(parse(text), CONFIG_OK, "%s", err);
	n += (size_t)snprintf(text + n, sizeof(text) - n, " q\n");
	cr_assert_neq(parse(text), CONFIG_OK);
	cr_assert_str_eq(err, "/etc/mcp.conf:3: scopes: the scopes together "
	    "are longer than 1024 characters");
}

Test(config, nul_byte_refused)
{
	cr_assert_eq(config_parse("/x", BASE "a\0b", sizeof(BASE) + 2, &c, err,
	    sizeof(err)), CONFIG_ESYNTAX);
	cr_assert_not_null(strstr(err, "NUL"));
}

Test(config, issuer_loopback_forms)
{
	char	 why[128];

	cr_assert(config_issuer_valid("http://localhost", why, sizeof(why)));
	cr_assert(config_issuer_valid("http://127.0.0.1:9", why, sizeof(why)));
	cr_assert(config_issuer_valid("http://[::1]:8080", why, sizeof(why)));
	cr_assert(config_issuer_valid("https://[2001:db8::1]:8443", why,
	    sizeof(why)));
	cr_assert_not(config_issuer_valid("http://localhost.evil.example", why,
	    sizeof(why)));
	cr_assert_not(config_issuer_valid("http://127.0.0.1.nip.io", why,
	    sizeof(why)));
	cr_assert_not(config_issuer_valid("https://a b", why, sizeof(why)));
}

/*
 * Plain http is fetched from loopback only: the URL is parsed, and the
 * host must be exactly localhost, 127.0.0.1 or [::1], with no userinfo
 * in front of another host.
 */
Test(config, outbound_http_only_to_loopback)
{
	static const char *const good[] = {
		"https://idp.example.com/jwks",
		"https://user@idp.example.com/jwks",
		"http://localhost/jwks",
		"http://localhost:8080/jwks",
		"http://LocalHost:8080/jwks",
		"http://127.0.0.1:9/jwks",
		"http://[::1]:9/jwks",
		"http://localhost",
	};
	static const char *const bad[] = {
		"http://localhost:x@evil.example/jwks",
		"http://localhost@evil.example/jwks",
		"http://LOCALHOST:x@evil.example/jwks",
		"http://LocalHost@evil.example/jwks",
		"http://127.0.0.1:x@evil.example/jwks",
		"http://127.0.0.1@evil.example/jwks",
		"http://[::1]:x@evil.example/jwks",
		"http://localhost:8080@evil.example/jwks",
		"http://user:pw@localhost/jwks",
		"http://localhost.evil.example/jwks",
		"http://127.0.0.1.nip.io/jwks",
		"http://localhostevil.example/jwks",
		"http://evil.example/jwks",
		"http://evil.example/http://localhost/",
		"ftp://localhost/jwks",
		"file:///etc/passwd",
	};
	char	 text[512];
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "%sjwks_uri = %s\n", BASE,
		    good[i]);
		cr_assert_eq(parse(text), CONFIG_OK, "%s: %s", good[i], err);
		snprintf(text, sizeof(text), "%sintrospection_endpoint = %s\n",
		    BASE, good[i]);
		cr_assert_eq(parse(text), CONFIG_OK, "%s: %s", good[i], err);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%sjwks_uri = %s\n", BASE,
		    bad[i]);
		cr_assert_neq(parse(text), CONFIG_OK, "%s accepted", bad[i]);
		cr_assert(strstr(err, "jwks_uri") != NULL, "%s", err);
		snprintf(text, sizeof(text), "%sintrospection_endpoint = %s\n",
		    BASE, bad[i]);
		cr_assert_neq(parse(text), CONFIG_OK, "%s accepted", bad[i]);
	}
}

Test(config, load_from_file)
{
	char	*dir = testutil_tmpdir();
	char	*path = testutil_write(dir, "mcp.conf", BASE);

	cr_assert_eq(config_load(path, &c, err, sizeof(err)), CONFIG_OK, "%s",
	    err);
	cr_assert_str_eq(c->path, path);
	cr_assert_gt(c->mtime, 0);
	free(path);
	testutil_rmdir(dir);
}

Test(config, load_missing_or_directory)
{
	char	*dir = testutil_tmpdir();

	cr_assert_eq(config_load("/nonexistent/mcp.conf", &c, err,
	    sizeof(err)), CONFIG_ENOENT);
	cr_assert_str_eq(err, "/nonexistent/mcp.conf: cannot open: "
	    "No such file or directory");
	cr_assert_eq(config_load(dir, &c, err, sizeof(err)), CONFIG_ENOENT);
	cr_assert_not_null(strstr(err, "not a regular file"));
	testutil_rmdir(dir);
}

Test(config, load_too_large)
{
	char	*dir = testutil_tmpdir();
	char	*big = malloc(CONFIG_FILE_MAX + 10);
	char	*path;

	memset(big, '#', CONFIG_FILE_MAX + 9);
	big[CONFIG_FILE_MAX + 9] = '\0';
	path = testutil_write(dir, "big.conf", big);
	cr_assert_eq(config_load(path, &c, err, sizeof(err)), CONFIG_ESYNTAX);
	cr_assert_not_null(strstr(err, "larger than"));
	free(big);
	free(path);
	testutil_rmdir(dir);
}

/*
 * The audit trail may take at most half the map, at 800 bytes an event:
 * 256 MiB holds 167772 events, 1 MiB 655.
 */
Test(config, audit_max_events_must_fit_in_half_the_map)
{
	const char	*base = "issuer = https://mcp.example.com\n"
	    "db_path = /var/db/mcp\n";
	char		 text[512];

	snprintf(text, sizeof(text), "%saudit_max_events = 167772\n", base);
	cr_assert_eq(parse(text), CONFIG_OK, "%s", err);
	cr_assert_eq(c->audit_max_events, 167772);
	snprintf(text, sizeof(text), "%saudit_max_events = 167773\n", base);
	cr_assert_eq(parse(text), CONFIG_EVALUE);
	cr_assert_not_null(strstr(err, "audit_max_events"), "%s", err);
	cr_assert_not_null(strstr(err, "db_map_size (256 MiB)"), "%s", err);
	snprintf(text, sizeof(text), "%saudit_max_events = 10000000\n", base);
	cr_assert_eq(parse(text), CONFIG_EVALUE);
	snprintf(text, sizeof(text), "%sdb_map_size = 16G\n"
	    "audit_max_events = 10000000\n", base);
	cr_assert_eq(parse(text), CONFIG_OK, "%s", err);
	snprintf(text, sizeof(text), "%sdb_map_size = 1M\n"
	    "audit_max_events = 1000\n", base);
	cr_assert_eq(parse(text), CONFIG_EVALUE);
	/* Not set: the default is lowered to what fits. */
	snprintf(text, sizeof(text), "%sdb_map_size = 1M\n", base);
	cr_assert_eq(parse(text), CONFIG_OK, "%s", err);
	cr_assert_eq(c->audit_max_events, 655);
	cr_assert_eq(parse(base), CONFIG_OK, "%s", err);
	cr_assert_eq(c->audit_max_events, 100000);
}

Test(config, admin_web)
{
	cr_assert_eq(parse(BASE), CONFIG_OK, "%s", err);
	cr_assert_eq(c->admin_web, 0, "off unless asked for");
	cr_assert_eq(c->admin_reauth_after, 300);
	cr_assert_eq(parse(BASE "admin_web = on\nadmin_reauth_after = 10m\n"),
	    CONFIG_OK, "%s", err);
	cr_assert_eq(c->admin_web, 1);
	cr_assert_eq(c->admin_reauth_after, 600);
	cr_assert_eq(parse(BASE "admin_web = yes\n"), CONFIG_EVALUE);
	cr_assert_not_null(strstr(err, "admin_web: must be off or on"), "%s",
	    err);
	cr_assert_neq(parse(BASE "admin_reauth_after = 29s\n"), CONFIG_OK);
	cr_assert_not_null(strstr(err, "admin_reauth_after"), "%s", err);
	cr_assert_neq(parse(BASE "admin_reauth_after = 2d\n"), CONFIG_OK);
	cr_assert_eq(parse(BASE "admin_reauth_after = 1d\n"), CONFIG_OK,
	    "%s", err);
}
