/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/uritmpl.h"

/* Templates of levels 1 and 2 we accept, and those we refuse. */
Test(uritmpl, check)
{
	static const char *const good[] = { "notes://{id}", "x", "",
	    "file:///{+path}", "doc://{id}{#section}", "a/{b}/c/{d}.txt",
	    "{only}", "{+x}", "{#x}" };
	static const char *const bad[] = { "{", "}", "a{b", "a}b", "{}",
	    "{+}", "{;x}", "{?x}", "{x,y}", "{a}{b}", "{#y}{x}", "{x*}",
	    "{x:3}", "{x}/{x}", "{a-b}", "a b/{x}", "{x\n}",
	    "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
	    "{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}" };
	char		 big[URITMPL_LEN_MAX + 2];
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect_eq(uritmpl_check(good[i]), 0, "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(uritmpl_check(bad[i]), -1, "%s", bad[i]);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect_eq(uritmpl_check(big), -1);
	big[URITMPL_LEN_MAX] = '\0';
	cr_expect_eq(uritmpl_check(big), 0);
}

/* RFC 6570 section 3.2 examples for levels 1 and 2. */
Test(uritmpl, expand)
{
	static const char *const names[] = { "var", "hello", "path", "empty",
	    "x" };
	static const char *const values[] = { "value", "Hello World!",
	    "/foo/bar", "", "caf\xc3\xa9" };
	static const struct { const char *t, *want; } cases[] = {
		{ "{var}", "value" },
		{ "{hello}", "Hello%20World%21" },
		{ "{+var}", "value" },
		{ "{+hello}", "Hello%20World!" },
		{ "{+path}/here", "/foo/bar/here" },
		{ "here?ref={+path}", "here?ref=/foo/bar" },
		{ "X{#var}", "X#value" },
		{ "X{#hello}", "X#Hello%20World!" },
		{ "{path}", "%2Ffoo%2Fbar" },
		{ "O{empty}X", "OX" },
		{ "O{undef}X", "OX" },
		{ "X{#undef}", "X" },
		{ "u/{x}", "u/caf%C3%A9" },
	};
	struct buf	 b;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b);
		cr_expect_eq(uritmpl_expand(cases[i].t, names, values, 5, &b),
		    0, "%s", cases[i].t);
		cr_expect_str_eq(buf_cstr(&b), cases[i].want, "%s",
		    cases[i].t);
		buf_free(&b);
	}
	buf_init(&b);
	cr_expect_eq(uritmpl_expand("{x}{y}", names, values, 5, &b), -1);
	buf_free(&b);
}

/* Matching recovers what expanding put in, decoded; else -1. */
Test(uritmpl, match)
{
	static const struct {
		const char	*t, *uri, *var, *want;
	} ok[] = {
		{ "notes://{id}", "notes://42", "id", "42" },
		{ "notes://{id}", "notes://", "id", "" },
		{ "notes://{id}.txt", "notes://a.b.txt", "id", "a.b" },
		{ "u/{x}", "u/caf%C3%A9", "x", "caf\xc3\xa9" },
		{ "file:///{+path}", "file:///a/b/c.txt", "path", "a/b/c.txt" },
		{ "doc://{id}/v{ver}", "doc://7/v2", "ver", "2" },
		{ "doc://{id}{#s}", "doc://7#intro", "s", "intro" },
		{ "doc://{id}{#s}", "doc://7", "s", "" },
		{ "a/{x}/b", "a/%2F/b", "x", "/" },
	};
	static const struct { const char *t, *uri; } no[] = {
		{ "notes://{id}", "note://1" },
		{ "notes://{id}", "notes://1/2" },
		{ "notes://{id}", "notes://a b" },
		{ "notes://{id}", "notes://%00" },
		{ "notes://{id}", "notes://%4" },
		{ "notes://{id}", "notes://%zz" },
		{ "notes://{id}.txt", "notes://1" },
		{ "notes://{id}", "notes://1#x" },
		{ "{a}{b}", "xy" },
		{ "x", "xy" },
		{ "xy", "x" },
	};
	struct uritmpl_vars	 v;
	char			 big[URITMPL_LEN_MAX + 16];
	size_t			 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_expect_eq(uritmpl_match(ok[i].t, ok[i].uri, &v), 0,
		    "%s %s", ok[i].t, ok[i].uri);
		cr_expect_str_eq(uritmpl_get(&v, ok[i].var), ok[i].want,
		    "%s %s", ok[i].t, ok[i].uri);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_expect_eq(uritmpl_match(no[i].t, no[i].uri, &v), -1,
		    "%s %s", no[i].t, no[i].uri);
	cr_expect_null(uritmpl_get(&v, "nosuch"));
	/* An oversized URI is refused before any matching. */
	memcpy(big, "file:///", 8);
	memset(big + 8, 'a', sizeof(big) - 9);
	big[sizeof(big) - 1] = '\0';
	cr_expect_eq(uritmpl_match("file:///{+path}", big, &v), -1);
	big[URITMPL_LEN_MAX] = '\0';
	cr_expect_eq(uritmpl_match("file:///{+path}", big, &v), 0);
	cr_expect_eq(strlen(uritmpl_get(&v, "path")), URITMPL_LEN_MAX - 8);
}
