/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Scope lists from requests: scope_normalise() (the scope parameter
 * of /authorize and /token), scope_filter_known() (registration) and
 * the set operations on stored lists.  The input is "first\nsecond".
 * A normalised list is canonical: normalising it again changes
 * nothing, and it holds only configured scopes, each once.
 */
#include <string.h>

#include "../src/lib/buf.h"
#include "../src/lib/config.h"
#include "../src/lib/scope.h"
#include "fuzz.h"

static struct config	*cfg;

/*
 * A canonical list: configured scopes in the configuration's order
 * (so each at most once), one space apart, and normalising it again
 * changes nothing.
 */
static void
check_canonical(const char *s)
{
	struct buf	 again;
	const char	*p = s;
	size_t		 len, i, last = 0;
	int		 first = 1;

	while (*p != '\0') {
		len = strcspn(p, " ");
		FUZZ_CHECK(len > 0);
		for (i = 0; i < cfg->scopes.len; i++)
			if (strlen(cfg->scopes.items[i]) == len &&
			    strncmp(cfg->scopes.items[i], p, len) == 0)
				break;
		FUZZ_CHECK(i < cfg->scopes.len);
		FUZZ_CHECK(first || i > last);
		first = 0;
		last = i;
		p += len;
		if (*p == ' ')
			FUZZ_CHECK(*++p != '\0');
	}
	FUZZ_CHECK(scope_subset(s, s));
	buf_init(&again);
	FUZZ_CHECK(scope_normalise(cfg, s, &again, NULL, 0) == SCOPE_OK);
	FUZZ_CHECK(strcmp(buf_cstr(&again), s) == 0);
	buf_free(&again);
}

static void
check_one(const char *s)
{
	struct buf	 out, known;
	char		 bad[16];
	int		 rc;

	buf_init(&out);
	buf_init(&known);
	bad[0] = '\0';
	rc = scope_normalise(cfg, s, &out, bad, sizeof(bad));
	FUZZ_CHECK(rc == SCOPE_OK || rc == SCOPE_EUNKNOWN ||
	    rc == SCOPE_ESYNTAX);
	FUZZ_CHECK(scope_filter_known(cfg, s, &known) == SCOPE_OK);
	check_canonical(buf_cstr(&known));
	if (rc == SCOPE_OK) {
		check_canonical(buf_cstr(&out));
		/* Nothing known was dropped, nothing unknown added. */
		FUZZ_CHECK(strcmp(buf_cstr(&out), buf_cstr(&known)) == 0);
		FUZZ_CHECK(scope_subset(buf_cstr(&out), s));
	}
	if (rc == SCOPE_EUNKNOWN)
		FUZZ_CHECK(bad[0] != '\0' && strlen(bad) < sizeof(bad));
	buf_free(&out);
	buf_free(&known);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 u;
	char		*a, *b;
	size_t		 i;

	if (cfg == NULL) {
		static const char text[] = "issuer = https://mcp.example.com\n"
		    "db_path = /nonexistent\n"
		    "scopes = mcp notes:read notes:write files:read a\n";
		char	 err[CONFIG_ERR_MAX];

		if (config_parse("fuzz.conf", text, strlen(text), &cfg, err,
		    sizeof(err)) != CONFIG_OK)
			abort();
	}
	fuzz_split(data, size, &a, &b);
	check_one(a);
	check_one(b);
	/* The union holds every configured scope of either, and only them. */
	buf_init(&u);
	scope_union(cfg, a, b, &u);
	FUZZ_CHECK(!buf_failed(&u));
	check_canonical(buf_cstr(&u));
	for (i = 0; i < cfg->scopes.len; i++)
		FUZZ_CHECK(scope_has(buf_cstr(&u), cfg->scopes.items[i]) ==
		    (scope_has(a, cfg->scopes.items[i]) ||
		    scope_has(b, cfg->scopes.items[i])));
	/* A scope implies itself, and write implies read. */
	if (scope_has(a, "notes:write"))
		FUZZ_CHECK(scope_allows(a, "notes:read"));
	FUZZ_CHECK(!scope_has(b, "mcp") || scope_allows(b, "mcp"));
	(void)scope_allows(a, b);
	(void)scope_subset(a, b);
	buf_free(&u);
	free(a);
	free(b);
	return 0;
}
