/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Helpers shared by the unit tests: a temporary directory per test and
 * a memory-backed http_io.
 */
#ifndef MCP_TESTUTIL_H
#define MCP_TESTUTIL_H

#include <criterion/criterion.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/http.h"

static int
testutil_rm(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Creates a fresh directory; the caller removes it with testutil_rmdir. */
static inline char *
testutil_tmpdir(void)
{
	char	*d = strdup("/tmp/mcp-unit-XXXXXX");

	cr_assert_not_null(d);
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static inline void
testutil_rmdir(char *d)
{
	if (d != NULL)
		nftw(d, testutil_rm, 8, FTW_DEPTH | FTW_PHYS);
	free(d);
}

/* Writes text to dir/name and returns the path (malloc'd). */
static inline char *
testutil_write(const char *dir, const char *name, const char *text)
{
	size_t	 n = strlen(dir) + strlen(name) + 2;
	char	*path = malloc(n);
	FILE	*f;

	cr_assert_not_null(path);
	snprintf(path, n, "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

struct memio {
	const char	*in;
	size_t		 inlen;
	size_t		 inoff;
	size_t		 chunk;	/* most bytes per read, 0 for no limit */
	struct buf	 out;
	int		 fail_write;
};

static inline ssize_t
memio_read(void *ctx, char *p, size_t n)
{
	struct memio	*m = ctx;
	size_t		 left = m->inlen - m->inoff;

	if (n > left)
		n = left;
	if (m->chunk > 0 && n > m->chunk)
		n = m->chunk;
	memcpy(p, m->in + m->inoff, n);
	m->inoff += n;
	return (ssize_t)n;
}

static inline int
memio_write(void *ctx, const char *p, size_t n)
{
	struct memio	*m = ctx;

	if (m->fail_write)
		return -1;
	buf_append(&m->out, p, n);
	return 0;
}

#endif
