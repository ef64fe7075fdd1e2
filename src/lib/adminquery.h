/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The query strings of the /admin pages: their filters read, length
 * limited, and their links (a filter kept, the next part of a listing)
 * percent-encoded here, HTML-escaped by the template that prints them.
 */
#ifndef MCP_ADMINQUERY_H
#define MCP_ADMINQUERY_H

#include <stddef.h>

#include "buf.h"

struct form;

void	 adminquery_add(struct buf *, const char *, const char *);
const char *adminquery_field(const struct form *, const char *, size_t,
	    int *);

#endif
