/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Dynamic client registration: client_from_json() turns an RFC 7591
 * request body into client metadata.  What it accepts must obey the
 * registration policy, and must survive the trip through
 * client_to_json() (the registration response) and back unchanged.
 */
#include <string.h>

#include <json-c/json.h>

#include "../src/lib/client.h"
#include "../src/lib/config.h"
#include "../src/lib/jsonutil.h"
#include "../src/lib/redirect.h"
#include "../src/lib/scope.h"
#include "fuzz.h"

static struct config	*cfg;

static void
check_string(const char *s, size_t max)
{
	size_t	 i, n;

	if (s == NULL)
		return;
	n = strlen(s);
	FUZZ_CHECK(n > 0 && n <= max);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static int
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_client(const struct client *c)
{
	size_t	 i;

	FUZZ_CHECK(c->nredirect_uris >= 1 &&
	    c->nredirect_uris <= CLIENT_REDIRECTS_MAX);
	for (i = 0; i < c->nredirect_uris; i++)
		FUZZ_CHECK(redirect_uri_valid(c->redirect_uris[i]) ==
		    REDIRECT_OK);
	FUZZ_CHECK(c->auth_method == CLIENT_AUTH_NONE ||
	    c->auth_method == CLIENT_AUTH_POST ||
	    c->auth_method == CLIENT_AUTH_BASIC);
	FUZZ_CHECK(c->grant_types & CLIENT_GRANT_CODE);
	FUZZ_CHECK((c->grant_types & ~(uint32_t)(CLIENT_GRANT_CODE |
	    CLIENT_GRANT_REFRESH)) == 0);
	FUZZ_CHECK(c->response_types == CLIENT_RESPONSE_CODE);
	check_string(c->name, CLIENT_STRING_MAX);
	check_string(c->uri, REDIRECT_URI_MAX);
	check_string(c->scope, SCOPE_MAX);
	check_string(c->software_id, CLIENT_STRING_MAX);
	check_string(c->software_version, CLIENT_STRING_MAX);
	FUZZ_CHECK(c->application_type == NULL ||
	    strcmp(c->application_type, "web") == 0 ||
	    strcmp(c->application_type, "native") == 0);
	if (c->uri != NULL)
		FUZZ_CHECK(strncmp(c->uri, "https://", 8) == 0 ||
		    strncmp(c->uri, "http://", 7) == 0);
	/* Only scopes the server knows are kept. */
	if (c->scope != NULL) {
		struct buf	 b;

		buf_init(&b);
		FUZZ_CHECK(scope_filter_known(cfg, c->scope, &b) == SCOPE_OK);
		FUZZ_CHECK(strcmp(buf_cstr(&b), c->scope) == 0);
		buf_free(&b);
	}
}

/* The registration response, read back as a request, is the same. */
static void
check_round_trip(const struct client *c)
{
	struct json_object	*o;
	struct client		 again;
	const char		*text;
	char			 why[256];
	size_t			 i;

	FUZZ_CHECK((o = client_to_json(c)) != NULL);
	FUZZ_CHECK((text = json_str(o)) != NULL);
	if (client_from_json(cfg, text, strlen(text), &again, why,
	    sizeof(why)) != CLIENT_OK) {
		fprintf(stderr, "%s\n%s\n", text, why);
		abort();
	}
	FUZZ_CHECK(again.auth_method == c->auth_method);
	FUZZ_CHECK(again.grant_types == c->grant_types);
	FUZZ_CHECK(again.response_types == c->response_types);
	FUZZ_CHECK(same_string(again.name, c->name));
	FUZZ_CHECK(same_string(again.uri, c->uri));
	FUZZ_CHECK(same_string(again.scope, c->scope));
	FUZZ_CHECK(same_string(again.software_id, c->software_id));
	FUZZ_CHECK(same_string(again.software_version, c->software_version));
	FUZZ_CHECK(same_string(again.application_type, c->application_type));
	FUZZ_CHECK(again.nredirect_uris == c->nredirect_uris);
	for (i = 0; i < c->nredirect_uris; i++)
		FUZZ_CHECK(strcmp(again.redirect_uris[i],
		    c->redirect_uris[i]) == 0);
	client_free(&again);
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client	 c;
	char		 why[256];
	int		 rc;

	if (cfg == NULL)
		cfg = fuzz_config("issuer = https://mcp.example.com\n"
		    "db_path = /nonexistent\n"
		    "scopes = mcp notes:read notes:write files:read\n");
	why[0] = '\0';
	rc = client_from_json(cfg, (const char *)data, size, &c, why,
	    sizeof(why));
	if (rc != CLIENT_OK) {
		FUZZ_CHECK(rc == CLIENT_EMETADATA || rc == CLIENT_EREDIRECT ||
		    rc == CLIENT_ENOMEM);
		/* Every refusal says why, and keeps nothing. */
		FUZZ_CHECK(why[0] != '\0' || rc == CLIENT_ENOMEM);
		FUZZ_CHECK(c.nredirect_uris == 0 && c.name == NULL);
		return 0;
	}
	check_client(&c);
	check_round_trip(&c);
	client_free(&c);
	return 0;
}
