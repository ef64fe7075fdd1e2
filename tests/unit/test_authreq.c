/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The authorization request checks of /authorize: errors before the
 * redirect URI is trusted are pages, later ones are redirects carrying
 * state (RFC 9700 section 4.1, RFC 6749 section 4.1.2.1), each
 * parameter is checked in a fixed order, and the accepted request is
 * completed with the defaults (redirect URI, scope, resource).  The
 * client lookup is a table here, not a database.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lib/authreq.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/form.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"

/* RFC 7636 Appendix B. */
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT	"http://127.0.0.1:9999/callback"
#define GOOD		"client_id=one&redirect_uri=" REDIRECT \
			"&response_type=code&code_challenge=" CHALLENGE \
			"&code_challenge_method=S256&state=xyz"

static struct config	*cfg;
static struct form	 f;
static struct authreq	 r;

static void
setup(void)
{
	static const char text[] = "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\n"
	    "scopes = mcp notes:read notes:write\n"
	    "default_scopes = mcp notes:read\n";
	char	 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	form_init(&f);
	authreq_init(&r);
}

static void
teardown(void)
{
	authreq_free(&r);
	form_free(&f);
	config_free(cfg);
	cfg = NULL;
}

TestSuite(authreq, .init = setup, .fini = teardown);

/*
 * Clients by id: "one" has one redirect URI, "two" has two, "scoped"
 * registered a scope, "old" a redirect URI now refused, "device" only
 * the device grant (with a redirect URI), "empty" no redirect URI,
 * "broken" cannot be read.
 */
static int
lookup(void *arg, const char *id, struct client *c)
{
	char	*one[] = { REDIRECT };
	char	*two[] = { REDIRECT, "https://app.example/cb" };
	char	 why[256];

	(void)arg;
	if (strcmp(id, "broken") == 0)
		return STORE_CORRUPT;
	c->grant_types = strcmp(id, "device") == 0 ? CLIENT_GRANT_DEVICE :
	    CLIENT_GRANT_CODE;
	if (strcmp(id, "empty") == 0) {
		snprintf(c->id, sizeof(c->id), "%s", id);
		return STORE_OK;
	}
	if (strcmp(id, "old") == 0) {
		/* As read from a record: no policy check on the way. */
		snprintf(c->id, sizeof(c->id), "%s", id);
		cr_assert_not_null(c->redirect_uris = calloc(1,
		    sizeof(char *)));
		cr_assert_not_null(c->redirect_uris[0] =
		    strdup("search-ms:query=x"));
		c->nredirect_uris = 1;
		return STORE_OK;
	}
	if (strcmp(id, "one") != 0 && strcmp(id, "two") != 0 &&
	    strcmp(id, "scoped") != 0 && strcmp(id, "device") != 0)
		return STORE_NOTFOUND;
	snprintf(c->id, sizeof(c->id), "%s", id);
	if (strcmp(id, "scoped") == 0)
		cr_assert_not_null(c->scope = strdup("notes:write"));
	cr_assert_eq(client_set_redirect_uris(c, strcmp(id, "two") == 0 ?
	    two : one, strcmp(id, "two") == 0 ? 2 : 1, why, sizeof(why)),
	    CLIENT_OK, "%s", why);
	return STORE_OK;
}

/* A fresh request and form, for tests that check several. */
static void
reset(void)
{
	authreq_free(&r);
	authreq_init(&r);
	form_free(&f);
	form_init(&f);
}

static int
check(const char *query)
{
	cr_assert_eq(form_parse(query, strlen(query), NULL, &f), FORM_OK,
	    "%s", query);
	return authreq_check(&r, cfg, &f, lookup, NULL);
}

/* Expects an error redirect with error and description. */
static void
expect_redirect(const char *query, const char *error, const char *desc)
{
	cr_assert_eq(check(query), AUTHREQ_REDIRECT, "%s", query);
	cr_assert_str_eq(r.redirect_uri, REDIRECT);
	cr_assert_str_eq(r.error, error, "%s", query);
	cr_assert_str_eq(r.description, desc, "%s", query);
}

Test(authreq, a_good_request_is_completed)
{
	cr_assert_eq(check(GOOD), AUTHREQ_OK);
	cr_assert_str_eq(r.client.id, "one");
	cr_assert_str_eq(r.redirect_uri, REDIRECT);
	cr_assert_eq(r.redirect_explicit, 1);
	cr_assert_str_eq(r.state, "xyz");
	cr_assert_str_eq(r.challenge, CHALLENGE);
	cr_assert_str_eq(buf_cstr(&r.scope), "mcp notes:read");
	cr_assert_str_eq(r.resource, "https://mcp.example.com/mcp");
	cr_assert_eq(r.prompt, 0);
}

Test(authreq, errors_before_the_redirect_uri_is_trusted_are_pages)
{
	static const struct {
		const char	*query;
		const char	*says;
	} cases[] = {
		{ "redirect_uri=" REDIRECT, "client_id is missing" },
		{ "client_id=nobody&redirect_uri=" REDIRECT,
		    "unknown client_id" },
		{ "client_id=one&redirect_uri=https://evil.example/cb",
		    "not one the application registered" },
		{ "client_id=two&response_type=code", "registered several" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		cr_assert_eq(check(cases[i].query), AUTHREQ_PAGE, "%zu", i);
		cr_assert_not_null(strstr(r.description, cases[i].says),
		    "%zu: %s", i, r.description);
	}
}

Test(authreq, a_client_that_cannot_be_read_is_a_server_error)
{
	cr_assert_eq(check("client_id=broken"), AUTHREQ_SERVER);
	cr_assert_eq(r.store_rc, STORE_CORRUPT);
}

Test(authreq, the_only_registered_redirect_uri_is_the_default)
{
	cr_assert_eq(check("client_id=one&response_type=code&code_challenge="
	    CHALLENGE "&code_challenge_method=S256"), AUTHREQ_OK);
	cr_assert_str_eq(r.redirect_uri, REDIRECT);
	cr_assert_eq(r.redirect_explicit, 0);
	cr_assert_null(r.state);
}

Test(authreq, a_state_too_long_is_refused_without_echoing_it)
{
	char	 q[AUTHREQ_STATE_MAX + 256];

	snprintf(q, sizeof(q), "client_id=one&state=%0*d",
	    AUTHREQ_STATE_MAX + 1, 0);
	expect_redirect(q, "invalid_request",
	    "state is longer than 1024 characters");
	cr_assert_null(r.state);
}

Test(authreq, response_type_is_required)
{
	expect_redirect("client_id=one&state=s", "invalid_request",
	    "response_type is required");
	cr_assert_str_eq(r.state, "s");
}

Test(authreq, only_the_code_flow)
{
	expect_redirect("client_id=one&state=s&response_type=token",
	    "unsupported_response_type",
	    "only response_type=code is supported");
	cr_assert_str_eq(r.state, "s");
}

Test(authreq, only_query_response_mode)
{
	expect_redirect("client_id=one&response_type=code&"
	    "response_mode=fragment", "invalid_request",
	    "only response_mode=query is supported");
}

Test(authreq, pkce_is_required)
{
	expect_redirect("client_id=one&response_type=code",
	    "invalid_request", "code_challenge is required (PKCE S256)");
}

/* The method is looked at before the challenge's form. */
Test(authreq, pkce_method_before_the_challenge_form)
{
	expect_redirect("client_id=one&response_type=code&code_challenge=x",
	    "invalid_request", "code_challenge_method must be S256");
}

Test(authreq, pkce_plain_is_refused)
{
	expect_redirect("client_id=one&response_type=code&code_challenge="
	    CHALLENGE "&code_challenge_method=plain", "invalid_request",
	    "code_challenge_method must be S256");
}

Test(authreq, pkce_challenge_form)
{
	expect_redirect("client_id=one&response_type=code&code_challenge=x&"
	    "code_challenge_method=S256", "invalid_request",
	    "code_challenge must be the base64url SHA-256 of the "
	    "code_verifier (43 characters)");
}

Test(authreq, prompt_values)
{
	uint32_t	 p;

	cr_assert_eq(authreq_prompt(NULL, &p), 0);
	cr_assert_eq(p, 0);
	cr_assert_eq(authreq_prompt(" login  consent select_account", &p), 0);
	cr_assert_eq(p, PROMPT_LOGIN | PROMPT_CONSENT);
	cr_assert_eq(authreq_prompt("none", &p), 0);
	cr_assert_eq(p, PROMPT_NONE);
	cr_assert_eq(authreq_prompt("none login", &p), -1);
	cr_assert_eq(authreq_prompt("nonee", &p), -1);
	cr_assert_eq(authreq_prompt("create", &p), -1);
}

Test(authreq, an_unknown_prompt_is_refused)
{
	expect_redirect(GOOD "&prompt=none%20consent", "invalid_request",
	    "unsupported prompt value");
	cr_assert_str_eq(r.state, "xyz");
}

Test(authreq, an_unknown_scope_is_named)
{
	expect_redirect(GOOD "&scope=mcp%20admin", "invalid_scope",
	    "unknown scope 'admin'");
}

/*
 * RFC 6749 section 4.1.2.1: error_description is %x20-21 / %x23-5B /
 * %x5D-7E.  Every description a request can produce, even one naming
 * what the request sent, stays inside it.
 */
Test(authreq, every_description_is_in_the_rfc_6749_character_set)
{
	static const char *const queries[] = {
		GOOD "&scope=mcp%20admin",
		GOOD "&scope=mcp%20it's~odd!",
		GOOD "&scope=a%22b",
		GOOD "&scope=a%5Cb",
		GOOD "&scope=caf%C3%A9",
		GOOD "&scope=a%01b",
		"client_id=one&redirect_uri=" REDIRECT "&response_type=%22x%5C",
		GOOD "&prompt=%22",
		GOOD "&resource=%22",
		GOOD "&response_mode=%5C",
		"client_id=one&redirect_uri=" REDIRECT,
		"client_id=one&redirect_uri=" REDIRECT "&response_type=code",
		"client_id=one&redirect_uri=" REDIRECT "&response_type=code"
		    "&code_challenge=" CHALLENGE,
		"client_id=one&redirect_uri=" REDIRECT "&response_type=code"
		    "&code_challenge=x&code_challenge_method=S256",
		"client_id=one&redirect_uri=" REDIRECT "&response_type=code"
		    "&code_challenge=x&code_challenge_method=plain",
	};
	size_t	 i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		reset();
		cr_assert_eq(check(queries[i]), AUTHREQ_REDIRECT, "%s",
		    queries[i]);
		cr_expect(oauth_text_valid(r.description), "%s: %s",
		    queries[i], r.description);
	}
}

/*
 * A client stored before its redirect URI's scheme was refused (RFC
 * 8252 section 7.1) keeps its record, but is never redirected to: the
 * person sees a page, whether the request names the URI or not.
 */
Test(authreq, a_stored_redirect_uri_that_is_now_refused_is_a_page)
{
	static const char *const queries[] = {
		"client_id=old&redirect_uri=search-ms:query%3Dx"
		    "&response_type=bogus",
		"client_id=old&response_type=bogus",
		"client_id=old&redirect_uri=search-ms:query%3Dx&" "response_type"
		    "=code&code_challenge=" CHALLENGE "&code_challenge_method="
		    "S256",
	};
	size_t	 i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		reset();
		cr_assert_eq(check(queries[i]), AUTHREQ_PAGE, "%s",
		    queries[i]);
		cr_assert_not_null(strstr(r.description,
		    "no longer redirects to"), "%s", r.description);
	}
}

Test(authreq, a_malformed_scope)
{
	expect_redirect(GOOD "&scope=a%22b", "invalid_scope",
	    "malformed scope");
}

/* The longest name the description can hold is named whole. */
Test(authreq, the_longest_unknown_scope_name_fits_the_description)
{
	char	 q[512], name[SCOPE_NAME_MAX + 1], want[AUTHREQ_TEXT_MAX];

	memset(name, 'x', SCOPE_NAME_MAX);
	name[SCOPE_NAME_MAX] = '\0';
	snprintf(q, sizeof(q), GOOD "&scope=%s", name);
	snprintf(want, sizeof(want), "unknown scope '%s'", name);
	expect_redirect(q, "invalid_scope", want);
}

Test(authreq, scope_from_the_request_then_the_client_then_the_defaults)
{
	cr_assert_eq(check(GOOD "&scope=notes:write%20mcp"), AUTHREQ_OK);
	cr_assert_str_eq(buf_cstr(&r.scope), "mcp notes:write");
	authreq_free(&r);
	authreq_init(&r);
	form_free(&f);
	form_init(&f);
	cr_assert_eq(check("client_id=scoped&response_type=code&"
	    "code_challenge=" CHALLENGE "&code_challenge_method=S256"),
	    AUTHREQ_OK);
	cr_assert_str_eq(buf_cstr(&r.scope), "notes:write");
	authreq_free(&r);
	authreq_init(&r);
	form_free(&f);
	form_init(&f);
	/* offline_access alone normalises to nothing: the defaults. */
	cr_assert_eq(check(GOOD "&scope=offline_access"), AUTHREQ_OK);
	cr_assert_str_eq(buf_cstr(&r.scope), "mcp notes:read");
}

Test(authreq, the_resource_must_be_this_server)
{
	expect_redirect(GOOD "&resource=https://other.example/mcp",
	    "invalid_target", "resource must be this server's MCP URL");
	cr_assert_str_eq(r.state, "xyz");
}

Test(authreq, an_equal_resource_is_replaced_by_the_canonical_one)
{
	cr_assert_eq(check(GOOD "&resource=HTTPS://MCP.example.com/mcp/"),
	    AUTHREQ_OK);
	cr_assert_str_eq(r.resource, "https://mcp.example.com/mcp");
}

/*
 * A client that registered only the device grant may not use the code
 * flow: unauthorized_client on a page, even with its redirect URI.
 */
Test(authreq, a_device_only_client_is_refused_on_a_page)
{
	cr_assert_eq(check("client_id=device&redirect_uri=" REDIRECT
	    "&response_type=code&code_challenge=" CHALLENGE
	    "&code_challenge_method=S256&state=xyz"), AUTHREQ_PAGE);
	cr_assert_str_eq(r.error, "unauthorized_client");
	cr_assert_not_null(strstr(r.description, "unauthorized_client"));
}

/* A client with no redirect URI hears that it registered none. */
Test(authreq, no_redirect_uri_registered_is_a_page)
{
	cr_assert_eq(check("client_id=empty&response_type=code"
	    "&code_challenge=" CHALLENGE "&code_challenge_method=S256"),
	    AUTHREQ_PAGE);
	cr_assert_not_null(strstr(r.description, "registered none"), "%s",
	    r.description);
}

/*
 * An unknown client_id is most often a registration the purge removed:
 * the page says after how many days, and how to register again.
 */
Test(authreq, an_unknown_client_is_told_how_to_register_again)
{
	cr_assert_eq(check("client_id=nobody&redirect_uri=" REDIRECT),
	    AUTHREQ_PAGE);
	cr_assert(strstr(r.description, "unknown client_id") != NULL);
	cr_assert(strstr(r.description, "Registrations unused for 30 days "
	    "are removed") != NULL, "%s", r.description);
	cr_assert(strstr(r.description, "remove this server from the "
	    "application and add it again") != NULL, "%s", r.description);
}
