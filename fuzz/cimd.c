/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Client ID metadata documents: cimd_url_parse() and cimd_parse().
 * The input is "URL\nDOCUMENT".  Besides memory safety the target
 * checks what the rest of the server relies on:
 *
 *  - an accepted URL is https, at most CIMD_URL_MAX bytes, with a
 *    lower-case host, a path longer than "/", and no userinfo, query,
 *    fragment, backslash or "." / ".." segment;
 *  - an accepted document belongs to an accepted URL, names it as
 *    its client_id exactly, is a public client (auth method none)
 *    flagged CLIENT_CIMD, and its redirect URIs obey the registration
 *    policy;
 *  - a refusal says why and keeps nothing.
 */
#include <ctype.h>
#include <string.h>

#include "../src/lib/cimd.h"
#include "../src/lib/client.h"
#include "../src/lib/config.h"
#include "../src/lib/redirect.h"
#include "fuzz.h"

static struct config	*cfg;

static void
check_url(const char *url, const struct cimd_url *u)
{
	const char	*path, *seg;
	size_t		 i, len;

	FUZZ_CHECK(strlen(url) <= CIMD_URL_MAX);
	FUZZ_CHECK(strncmp(url, "https://", 8) == 0);
	FUZZ_CHECK(strpbrk(url, "?#@\\ ") == NULL);
	FUZZ_CHECK(u->port >= 1 && u->port <= 65535);
	FUZZ_CHECK(u->host[0] != '\0' &&
	    strncmp(url + 8, u->host, strlen(u->host)) == 0);
	for (i = 0; u->host[i] != '\0'; i++)
		FUZZ_CHECK(islower((unsigned char)u->host[i]) ||
		    isdigit((unsigned char)u->host[i]) ||
		    u->host[i] == '-' || u->host[i] == '.');
	path = strchr(url + 8, '/');
	FUZZ_CHECK(path != NULL && path[1] != '\0');
	for (seg = path + 1; ; seg += len + 1) {
		len = strcspn(seg, "/");
		FUZZ_CHECK(!(len == 1 && seg[0] == '.'));
		FUZZ_CHECK(!(len == 2 && seg[0] == '.' && seg[1] == '.'));
		if (seg[len] == '\0')
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cimd_url	 u;
	struct client	 c;
	char		*url, *doc, why[256];
	size_t		 i;
	int		 rc, url_ok;

	if (cfg == NULL)
		cfg = fuzz_config("issuer = https://mcp.example.com\n"
		    "db_path = /nonexistent\n");
	fuzz_split(data, size, &url, &doc);
	url_ok = cimd_url_parse(url, &u) == CIMD_OK;
	if (url_ok)
		check_url(url, &u);
	FUZZ_CHECK(cimd_is_url(url) == url_ok);
	why[0] = '\0';
	rc = cimd_parse(cfg, url, doc, strlen(doc), &c, why, sizeof(why));
	if (rc != CIMD_OK) {
		FUZZ_CHECK(rc == CIMD_EURL || rc == CIMD_EDOC ||
		    rc == CIMD_EREDIRECT || rc == CIMD_ENOMEM);
		FUZZ_CHECK(why[0] != '\0' || rc == CIMD_ENOMEM);
		FUZZ_CHECK(c.nredirect_uris == 0 && c.name == NULL);
		goto out;
	}
	FUZZ_CHECK(url_ok);
	FUZZ_CHECK(strcmp(c.id, url) == 0);
	FUZZ_CHECK(c.auth_method == CLIENT_AUTH_NONE && !c.has_secret);
	FUZZ_CHECK(c.flags == CLIENT_CIMD);
	FUZZ_CHECK(c.nredirect_uris >= 1 &&
	    c.nredirect_uris <= CLIENT_REDIRECTS_MAX);
	for (i = 0; i < c.nredirect_uris; i++)
		FUZZ_CHECK(redirect_uri_valid(c.redirect_uris[i]) ==
		    REDIRECT_OK);
	client_free(&c);
out:
	free(url);
	free(doc);
	return 0;
}
