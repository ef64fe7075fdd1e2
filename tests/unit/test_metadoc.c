/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include <json-c/json.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/config.h"
#include "../../src/lib/metadoc.h"

static struct config	*c;

static void
setup(void)
{
	static const char	 text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /x\nresource_name = Notes\n";
	char			 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("t", text, strlen(text), &c, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
}

static void
teardown(void)
{
	config_free(c);
}

TestSuite(metadoc, .init = setup, .fini = teardown);

static const char *
str(json_object *o, const char *key)
{
	json_object	*v;

	cr_assert(json_object_object_get_ex(o, key, &v), "missing %s", key);
	cr_assert(json_object_is_type(v, json_type_string), "%s type", key);
	return json_object_get_string(v);
}

static void
assert_array(json_object *o, const char *key, const char *const *want,
    size_t n)
{
	json_object	*v;
	size_t		 i;

	cr_assert(json_object_object_get_ex(o, key, &v), "missing %s", key);
	cr_assert(json_object_is_type(v, json_type_array));
	cr_assert_eq(json_object_array_length(v), n, "%s length", key);
	for (i = 0; i < n; i++)
		cr_assert_str_eq(json_object_get_string(
		    json_object_array_get_idx(v, i)), want[i]);
}

Test(metadoc, authorization_server)
{
	static const char *const code[] = { "code" };
	static const char *const query[] = { "query" };
	static const char *const grants[] = { "authorization_code",
	    "refresh_token", "urn:ietf:params:oauth:grant-type:device_code" };
	static const char *const s256[] = { "S256" };
	static const char *const methods[] = { "none", "client_secret_post",
	    "client_secret_basic" };
	static const char *const scopes[] = { "mcp", "notes:read",
	    "notes:write" };
	struct buf	 b;
	json_object	*o, *v;

	buf_init(&b);
	metadoc_authorization_server(c, &b);
	cr_assert_not(buf_failed(&b));
	cr_assert_null(strstr(b.data, "null"),
	    "never a JSON null: optional members are omitted");
	cr_assert_null(strstr(b.data, "\\/"), "slashes are not escaped");
	cr_assert_not_null(o = json_tokener_parse(b.data));
	cr_assert_str_eq(str(o, "issuer"), "https://mcp.example.com");
	cr_assert_str_eq(str(o, "authorization_endpoint"),
	    "https://mcp.example.com/authorize");
	cr_assert_str_eq(str(o, "token_endpoint"),
	    "https://mcp.example.com/token");
	cr_assert_str_eq(str(o, "registration_endpoint"),
	    "https://mcp.example.com/register");
	cr_assert_str_eq(str(o, "revocation_endpoint"),
	    "https://mcp.example.com/revoke");
	cr_assert_str_eq(str(o, "device_authorization_endpoint"),
	    "https://mcp.example.com/device_authorization");
	assert_array(o, "response_types_supported", code, 1);
	assert_array(o, "response_modes_supported", query, 1);
	assert_array(o, "grant_types_supported", grants, 3);
	assert_array(o, "code_challenge_methods_supported", s256, 1);
	assert_array(o, "token_endpoint_auth_methods_supported", methods, 3);
	assert_array(o, "scopes_supported", scopes, 3);
	cr_assert(json_object_object_get_ex(o,
	    "authorization_response_iss_parameter_supported", &v));
	cr_assert(json_object_get_boolean(v));
	json_object_put(o);
	buf_free(&b);
}

Test(metadoc, protected_resource)
{
	static const char *const as[] = { "https://mcp.example.com" };
	static const char *const header[] = { "header" };
	static const char *const scopes[] = { "mcp", "notes:read",
	    "notes:write" };
	struct buf	 b;
	json_object	*o;

	buf_init(&b);
	metadoc_protected_resource(c, &b);
	cr_assert_not_null(o = json_tokener_parse(b.data));
	cr_assert_str_eq(str(o, "resource"), "https://mcp.example.com/mcp");
	assert_array(o, "authorization_servers", as, 1);
	assert_array(o, "bearer_methods_supported", header, 1);
	assert_array(o, "scopes_supported", scopes, 3);
	cr_assert_str_eq(str(o, "resource_name"), "Notes");
	cr_assert_null(strstr(b.data, "offline_access"),
	    "MCP 2026-07-28: no offline_access in scopes_supported");
	json_object_put(o);
	buf_free(&b);
}

/*
 * A site that lists offline_access (for clients that ask its
 * authorization server for it) keeps it out of the protected resource
 * metadata (MCP 2026-07-28, basic/authorization, refresh tokens).
 */
Test(metadoc, offline_access_only_for_the_authorization_server)
{
	static const char text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /x\nscopes = mcp offline_access notes:read\n";
	static const char *const as_scopes[] = { "mcp", "offline_access",
	    "notes:read" };
	static const char *const rs_scopes[] = { "mcp", "notes:read" };
	struct config	*oc;
	struct buf	 b;
	json_object	*o;
	char		 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("t", text, strlen(text), &oc, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	buf_init(&b);
	metadoc_protected_resource(oc, &b);
	cr_assert_not_null(o = json_tokener_parse(b.data));
	assert_array(o, "scopes_supported", rs_scopes, 2);
	json_object_put(o);
	buf_reset(&b);
	metadoc_authorization_server(oc, &b);
	cr_assert_not_null(o = json_tokener_parse(b.data));
	assert_array(o, "scopes_supported", as_scopes, 3);
	json_object_put(o);
	buf_free(&b);
	config_free(oc);
}
