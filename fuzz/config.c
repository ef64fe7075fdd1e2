/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The configuration file: config_parse().  Whatever it accepts is a
 * complete configuration: the required keys set, the values derived
 * from the issuer (with or without a path) consistent with it, and
 * every default scope known.
 * Whatever it refuses comes with one message naming the file.
 */
#include <string.h>

#include "../src/lib/config.h"
#include "fuzz.h"

static void
check_config(const struct config *c)
{
	char	 why[128];
	size_t	 i, n;

	FUZZ_CHECK(c->issuer != NULL && c->db_path != NULL);
	/* The issuer is an origin and the path of a subdirectory install. */
	FUZZ_CHECK(config_issuer_valid(c->issuer_origin, why, sizeof(why)));
	n = strlen(c->issuer_origin);
	FUZZ_CHECK(strncmp(c->issuer, c->issuer_origin, n) == 0 &&
	    strcmp(c->issuer + n, c->issuer_path) == 0);
	FUZZ_CHECK(c->issuer_path[0] == '\0' || (c->issuer_path[0] == '/' &&
	    c->issuer_path[strlen(c->issuer_path) - 1] != '/'));
	FUZZ_CHECK(c->db_path[0] == '/');
	n = strlen(c->issuer);
	FUZZ_CHECK(strncmp(c->mcp_url, c->issuer, n) == 0 &&
	    strcmp(c->mcp_url + n, "/mcp") == 0);
	FUZZ_CHECK(strncmp(c->prm_url, c->issuer, n) == 0);
	FUZZ_CHECK(c->issuer_https == (strncmp(c->issuer, "https://", 8) ==
	    0));
	FUZZ_CHECK(strcmp(c->issuer_authority,
	    c->issuer_origin + (c->issuer_https ? 8 : 7)) == 0);
	FUZZ_CHECK(c->scopes.len > 0 && c->default_scopes.len > 0);
	for (i = 0; i < c->default_scopes.len; i++)
		FUZZ_CHECK(config_has_scope(c, c->default_scopes.items[i]));
	FUZZ_CHECK(c->access_token_lifetime >= 60);
	FUZZ_CHECK(c->code_lifetime >= 10 && c->code_lifetime <= 600);
	FUZZ_CHECK(c->db_map_size >= 1024 * 1024);
	for (i = 0; i < c->nscope_texts; i++)
		FUZZ_CHECK(config_scope_text(c, c->scope_texts[i].scope) ==
		    c->scope_texts[i].text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*c;
	char		 err[CONFIG_ERR_MAX], tiny[8];
	int		 rc;

	err[0] = '\0';
	rc = config_parse("fuzz.conf", (const char *)data, size, &c, err,
	    sizeof(err));
	if (rc == CONFIG_OK) {
		FUZZ_CHECK(c != NULL);
		check_config(c);
		config_free(c);
	} else {
		FUZZ_CHECK(c == NULL);
		FUZZ_CHECK(strncmp(err, "fuzz.conf", 9) == 0);
	}
	/* A short or absent message buffer changes nothing. */
	FUZZ_CHECK(config_parse("fuzz.conf", (const char *)data, size, &c,
	    tiny, sizeof(tiny)) == rc);
	config_free(c);
	FUZZ_CHECK(config_parse("fuzz.conf", (const char *)data, size, &c,
	    NULL, 0) == rc);
	config_free(c);
	return 0;
}
