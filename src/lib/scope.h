/*
 * Scopes: space-separated lists checked against the configured set.
 * A scope list is kept as a string in the configuration's order, so
 * equal sets are equal strings.
 *
 * Hierarchy (requirement A5.10): "P:write" implies "P:read".
 */
#ifndef MCP_SCOPE_H
#define MCP_SCOPE_H

#include "buf.h"
#include "config.h"

#define SCOPE_MAX	1024
#define SCOPE_TOKEN_MAX	64	/* one scope name */

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

#endif
