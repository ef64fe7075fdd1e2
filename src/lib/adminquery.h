/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The query strings of the /admin pages' links (a filter kept, the
 * next part of a listing): percent-encoded here, HTML-escaped by the
 * template that prints them.
 */
#ifndef MCP_ADMINQUERY_H
#define MCP_ADMINQUERY_H

#include "buf.h"

void	 adminquery_add(struct buf *, const char *, const char *);

#endif
