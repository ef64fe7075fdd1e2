/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The page templates: tmpl_render() with an arbitrary template and a
 * fixed scope whose values are full of markup.  Every value is
 * escaped, so a character of "<>\"'" that is not in the template is
 * never in the page.
 */
#include <string.h>

#include "../src/lib/buf.h"
#include "../src/lib/template.h"
#include "fuzz.h"

static const struct tmpl_var item1[] = {
	{ .name = "name", .type = TMPL_STR, .str = "<b>one</b>" },
	{ .name = "on", .type = TMPL_BOOL, .b = 1 },
};
static const struct tmpl_var item2[] = {
	{ .name = "name", .type = TMPL_STR, .str = "\"two\" & 'three'" },
	{ .name = "on", .type = TMPL_BOOL, .b = 0 },
};
static const struct tmpl_scope items[] = {
	{ item1, sizeof(item1) / sizeof(item1[0]) },
	{ item2, sizeof(item2) / sizeof(item2[0]) },
};
static const struct tmpl_var deep_vars[] = {
	{ .name = "inner", .type = TMPL_LIST, .items = items, .nitems = 2 },
};
static const struct tmpl_scope deep[] = {
	{ deep_vars, sizeof(deep_vars) / sizeof(deep_vars[0]) },
};
/* "self" lists the root scope again, to reach the nesting limit. */
static const struct tmpl_scope root;
static const struct tmpl_var root_vars[] = {
	{ .name = "title", .type = TMPL_STR,
	    .str = "<script>alert('x')</script>" },
	{ .name = "client", .type = TMPL_STR, .str = "Evil \"Client\" <co>" },
	{ .name = "empty", .type = TMPL_STR, .str = "" },
	{ .name = "none", .type = TMPL_STR, .str = NULL },
	{ .name = "yes", .type = TMPL_BOOL, .b = 1 },
	{ .name = "no", .type = TMPL_BOOL, .b = 0 },
	{ .name = "scopes", .type = TMPL_LIST, .items = items, .nitems = 2 },
	{ .name = "nothing", .type = TMPL_LIST, .items = NULL, .nitems = 0 },
	{ .name = "deep", .type = TMPL_LIST, .items = deep, .nitems = 1 },
	{ .name = "self", .type = TMPL_LIST, .items = &root, .nitems = 1 },
};
static const struct tmpl_scope root = {
	root_vars, sizeof(root_vars) / sizeof(root_vars[0])
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 out;
	char		*text = fuzz_cstr(data, size), err[TEMPLATE_ERR_MAX];
	const char	*c;
	int		 rc;

	buf_init(&out);
	err[0] = '\0';
	rc = tmpl_render(text, &root, &out, err, sizeof(err));
	FUZZ_CHECK(rc == TMPL_OK || rc == TMPL_ESYNTAX ||
	    rc == TMPL_EUNKNOWN || rc == TMPL_ENOMEM);
	if (rc != TMPL_OK)
		FUZZ_CHECK(err[0] != '\0' || rc == TMPL_ENOMEM);
	else
		for (c = "<>\"'"; *c != '\0'; c++)
			if (strchr(text, *c) == NULL)
				FUZZ_CHECK(strchr(buf_cstr(&out), *c) == NULL);
	buf_free(&out);
	free(text);
	return 0;
}
