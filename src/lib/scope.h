/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Scopes: space-separated lists checked against the configured set.
 * A scope list is kept as a string in the configuration's order, so
 * equal sets are equal strings.
 *
 * Hierarchy (MCP 2026-07-28, basic/authorization: servers account
 * for scope hierarchies): "P:write" implies "P:read", at /mcp and on
 * the consent page alike (a P:write text should say it reads too).
 *
 * This header names struct config without including config.h: the
 * configuration checks its scope lists against the limits below, so
 * config.c includes this file, and the two must not include each other.
 */
#ifndef MCP_SCOPE_H
#define MCP_SCOPE_H

#include <stddef.h>

#include "buf.h"

/* The longest scope list a request may send, in bytes. */
#define SCOPE_MAX	1024
/* The longest scope name (RFC 6749 section 3.3 scope-token), in bytes. */
#define SCOPE_NAME_MAX	64

struct config;

enum scope_err {
	SCOPE_OK = 0,
	SCOPE_EUNKNOWN,		/* a scope the server does not know */
	SCOPE_ESYNTAX,		/* not a valid scope list */
	SCOPE_EWIDER,		/* asks for more than was granted */
	SCOPE_ENOMEM
};

int	 scope_normalise(const struct config *, const char *, struct buf *,
	    char *, size_t);
int	 scope_filter_known(const struct config *, const char *,
	    struct buf *);
int	 scope_has(const char *, const char *);
int	 scope_allows(const char *, const char *);
int	 scope_subset(const char *, const char *);
int	 scope_implied(const char *, const char *);
void	 scope_union(const struct config *, const char *, const char *,
	    struct buf *);
int	 scope_is_resource(const char *);
void	 scope_resource_union(const struct config *, const char *,
	    const char *, struct buf *);
void	 scope_limit(const struct config *, const char *, const char *,
	    struct buf *);
void	 scope_minus(const struct config *, const char *, const char *,
	    struct buf *);
const char *scope_base(const struct config *);

#endif
