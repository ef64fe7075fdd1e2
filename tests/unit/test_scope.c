/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Scope lists: normalisation against the configured set (an unknown
 * scope is invalid_scope, RFC 6749 section 4.1.2.1; offline_access is
 * accepted and dropped, since refresh tokens do not depend on it here),
 * narrowing on refresh (RFC 6749 section 6) and the hierarchy
 * notes:write => notes:read (MCP 2026-07-28, basic/authorization:
 * a broader scope implies narrower ones).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/config.h"
#include "../../src/lib/scope.h"

static struct config	*cfg;
static struct buf	 out;

static void
setup(void)
{
	static const char text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\n"
	    "scopes = mcp notes:read notes:write files:write\n";
	char	 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	buf_init(&out);
}

static void
teardown(void)
{
	config_free(cfg);
	cfg = NULL;
	buf_free(&out);
}

TestSuite(scope, .init = setup, .fini = teardown);

static int
norm(const char *req, char *bad, size_t badsz)
{
	return scope_normalise(cfg, req, &out, bad, badsz);
}

Test(scope, normalise_to_configuration_order)
{
	cr_assert_eq(norm("notes:write mcp", NULL, 0), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "mcp notes:write");
	cr_assert_eq(norm("files:write notes:read notes:write mcp", NULL, 0),
	    SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out),
	    "mcp notes:read notes:write files:write");
}

Test(scope, duplicates_and_extra_spaces_collapse)
{
	cr_assert_eq(norm("  mcp   mcp notes:read  ", NULL, 0), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "mcp notes:read");
	cr_assert_eq(norm("", NULL, 0), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "");
	cr_assert_eq(norm("   ", NULL, 0), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "");
}

Test(scope, offline_access_is_accepted_and_dropped)
{
	/* Refresh tokens do not depend on offline_access: it is dropped. */
	cr_assert_eq(norm("mcp offline_access", NULL, 0), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "mcp");
	cr_assert_eq(norm("offline_access", NULL, 0), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "");
}

Test(scope, unknown_scope_is_named)
{
	char	 bad[65];

	buf_puts(&out, "untouched");
	cr_assert_eq(norm("mcp admin notes:read", bad, sizeof(bad)),
	    SCOPE_EUNKNOWN);
	cr_assert_str_eq(bad, "admin");
	cr_assert_str_eq(buf_cstr(&out), "untouched",
	    "the output is not written on failure");
	/* Prefixes and case variants of known scopes are unknown. */
	cr_assert_eq(norm("MCP", bad, sizeof(bad)), SCOPE_EUNKNOWN);
	cr_assert_str_eq(bad, "MCP");
	cr_assert_eq(norm("notes", bad, sizeof(bad)), SCOPE_EUNKNOWN);
	cr_assert_eq(norm("notes:read:x", bad, sizeof(bad)), SCOPE_EUNKNOWN);
	cr_assert_eq(norm("mc", NULL, 0), SCOPE_EUNKNOWN, "no bad buffer");
}

Test(scope, unknown_name_truncated_to_the_buffer)
{
	char	 bad[5];

	cr_assert_eq(norm("abcdefghij", bad, sizeof(bad)), SCOPE_EUNKNOWN);
	cr_assert_str_eq(bad, "abcd");
}

Test(scope, syntax_errors)
{
	char	 big[SCOPE_MAX + 2], tok[70];

	/* RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E. */
	cr_assert_eq(norm("mcp \"x\"", NULL, 0), SCOPE_ESYNTAX);
	cr_assert_eq(norm("a\\b", NULL, 0), SCOPE_ESYNTAX);
	cr_assert_eq(norm("mcp\tnotes:read", NULL, 0), SCOPE_ESYNTAX);
	cr_assert_eq(norm("mcp\n", NULL, 0), SCOPE_ESYNTAX);
	cr_assert_eq(norm("caf\xc3\xa9", NULL, 0), SCOPE_ESYNTAX);
	cr_assert_eq(norm("a\x7f", NULL, 0), SCOPE_ESYNTAX);
	memset(tok, 'a', 65);
	tok[65] = '\0';
	cr_assert_eq(norm(tok, NULL, 0), SCOPE_ESYNTAX, "65-character token");
	memset(big, ' ', SCOPE_MAX + 1);
	memcpy(big, "mcp", 3);
	big[SCOPE_MAX + 1] = '\0';
	cr_assert_eq(norm(big, NULL, 0), SCOPE_ESYNTAX, "longer than 1024");
	big[SCOPE_MAX] = '\0';
	cr_assert_eq(norm(big, NULL, 0), SCOPE_OK, "1024 is the limit");
}

Test(scope, filter_known_drops_the_rest)
{
	/* Registration: RFC 7591 §2 lets the server replace the scope. */
	cr_assert_eq(scope_filter_known(cfg, "admin notes:write mcp x y",
	    &out), SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "mcp notes:write");
	cr_assert_eq(scope_filter_known(cfg, "nothing known", &out),
	    SCOPE_OK);
	cr_assert_str_eq(buf_cstr(&out), "");
}

Test(scope, has_is_whole_word)
{
	cr_assert(scope_has("mcp notes:read", "mcp"));
	cr_assert(scope_has("mcp notes:read", "notes:read"));
	cr_assert(scope_has("  mcp  ", "mcp"));
	cr_assert_not(scope_has("mcp notes:read", "notes"));
	cr_assert_not(scope_has("mcp notes:read", "notes:rea"));
	cr_assert_not(scope_has("mcpx", "mcp"));
	cr_assert_not(scope_has("", "mcp"));
}

Test(scope, write_implies_read)
{
	cr_assert(scope_allows("notes:write", "notes:read"));
	cr_assert(scope_allows("notes:write", "notes:write"));
	cr_assert(scope_allows("mcp notes:read", "notes:read"));
	cr_assert_not(scope_allows("notes:read", "notes:write"),
	    "read never implies write");
	cr_assert_not(scope_allows("files:write", "notes:read"),
	    "only the same prefix");
	cr_assert_not(scope_allows("notes:write", "notes:readx"));
	cr_assert_not(scope_allows("notes:write", "mcp"));
	cr_assert_not(scope_allows("write", ":read"));
	cr_assert_not(scope_allows("", "notes:read"));
}

Test(scope, subset_for_narrowing)
{
	cr_assert(scope_subset("mcp", "mcp notes:read"));
	cr_assert(scope_subset("", "mcp"), "the empty set narrows anything");
	cr_assert(scope_subset("notes:read mcp", "mcp notes:read"));
	cr_assert(scope_subset("mcp  mcp", "mcp"));
	cr_assert_not(scope_subset("mcp notes:write", "mcp notes:read"),
	    "widening");
	cr_assert_not(scope_subset("mcp", ""));
	cr_assert_not(scope_subset("notes", "notes:read"));
}

Test(scope, union_in_configuration_order)
{
	scope_union(cfg, "notes:write", "mcp files:write", &out);
	cr_assert_str_eq(buf_cstr(&out), "mcp notes:write files:write");
	scope_union(cfg, "mcp", "mcp unknown", &out);
	cr_assert_str_eq(buf_cstr(&out), "mcp");
	scope_union(cfg, "", "", &out);
	cr_assert_str_eq(buf_cstr(&out), "");
}

Test(scope, implied_for_narrowing_through_the_hierarchy)
{
	cr_assert(scope_implied("notes:read", "mcp notes:write"));
	cr_assert(scope_implied("notes:read notes:write", "notes:write"));
	cr_assert(scope_implied("", "mcp"));
	cr_assert_not(scope_implied("notes:write", "notes:read"),
	    "read does not imply write");
	cr_assert_not(scope_implied("mcp", "notes:write"));
}

/*
 * What the resource says about scopes leaves out offline_access, even
 * where a site lists it (MCP 2026-07-28, basic/authorization: refresh
 * tokens are no resource requirement).
 */
Test(scope, resource_union_leaves_out_offline_access)
{
	static const char text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\n"
	    "scopes = mcp offline_access notes:read\n";
	struct config	*c;
	char		 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &c, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_not(scope_is_resource("offline_access"));
	cr_assert(scope_is_resource("notes:read"));
	scope_resource_union(c, "mcp offline_access", "notes:read", &out);
	cr_assert_str_eq(buf_cstr(&out), "mcp notes:read");
	scope_union(c, "mcp offline_access", "notes:read", &out);
	cr_assert_str_eq(buf_cstr(&out), "mcp offline_access notes:read",
	    "a grant keeps what the site configured");
	config_free(c);
}
