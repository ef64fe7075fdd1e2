/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The RFC 8414 and RFC 9728 documents, built from the configuration.
 * They live in the library so that the unit tests can check them
 * without a web server.
 */
#ifndef MCP_METADOC_H
#define MCP_METADOC_H

#include "buf.h"
#include "config.h"

void	 metadoc_authorization_server(const struct config *, struct buf *);
void	 metadoc_protected_resource(const struct config *, struct buf *);

#endif
