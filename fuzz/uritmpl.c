/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * URI templates: the input is a template, a newline and a URI, as a
 * resources/read request pairs a client's URI with a server's template
 * (the template is ours, but the matcher must not trust it either).
 * uritmpl_match() answers 0 or -1; a match has at most
 * URITMPL_VARS_MAX variables, each named in the template, whose values
 * together are no longer than the URI; and the matched values expand
 * again without error.
 */
#include <string.h>

#include "../src/lib/buf.h"
#include "../src/lib/uritmpl.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uritmpl_vars	 vars;
	struct buf		 out;
	char			*text = fuzz_cstr(data, size), *uri;
	size_t			 i, total = 0;
	int			 rc;

	if ((uri = strchr(text, '\n')) == NULL)
		uri = text + strlen(text);
	else
		*uri++ = '\0';
	rc = uritmpl_match(text, uri, &vars);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		FUZZ_CHECK(uritmpl_check(text) == 0);
		FUZZ_CHECK(vars.n <= URITMPL_VARS_MAX);
		for (i = 0; i < vars.n; i++) {
			FUZZ_CHECK(strstr(text, vars.name[i]) != NULL);
			FUZZ_CHECK(uritmpl_get(&vars, vars.name[i]) ==
			    vars.value[i]);
			total += strlen(vars.value[i]);
		}
		FUZZ_CHECK(total <= strlen(uri));
		buf_init(&out);
		FUZZ_CHECK(uritmpl_expand(text, vars.name, vars.value, vars.n,
		    &out) == 0);
		buf_free(&out);
	}
	free(text);
	return 0;
}
