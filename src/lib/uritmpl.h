/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * URI templates (RFC 6570) of levels 1 and 2, as MCP resource
 * templates use them: simple expansion {var}, reserved expansion
 * {+var} and fragment expansion {#var}, one variable per expression.
 * Besides expanding, a template is matched against a URI to recover
 * the variables: each expression takes the text up to the first
 * occurrence of the literal that follows it (the end for the last),
 * or up to the "#" of a fragment expression that follows it, so a
 * template whose expressions are not separated by either is refused as
 * ambiguous.  Values are percent-decoded; one that decodes to a NUL is
 * refused, as is a URI or template longer than URITMPL_LEN_MAX.
 */
#ifndef MCP_URITMPL_H
#define MCP_URITMPL_H

#include <stddef.h>

#include "buf.h"

#define URITMPL_LEN_MAX		2048	/* a template or a URI */
#define URITMPL_VARS_MAX	8
#define URITMPL_NAME_MAX	32

/* The variables of a match: names and decoded values, NUL-terminated. */
struct uritmpl_vars {
	size_t		 n;
	const char	*name[URITMPL_VARS_MAX];
	const char	*value[URITMPL_VARS_MAX];
	char		 space[2 * URITMPL_LEN_MAX + 2 * URITMPL_VARS_MAX];
};

int	 uritmpl_check(const char *);
int	 uritmpl_expand(const char *, const char *const *, const char *const *,
	    size_t, struct buf *);
int	 uritmpl_match(const char *, const char *, struct uritmpl_vars *);
const char *uritmpl_get(const struct uritmpl_vars *, const char *);

#endif
