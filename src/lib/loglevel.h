/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The MCP log levels (server/utilities/logging) and the level a legacy
 * client chose with logging/setLevel.  Our processes share nothing but
 * the database, and the next request of the same client may reach
 * another process, so the level is a record keyed by the grant the
 * access token belongs to: written only by logging/setLevel, read only
 * when a handler sends its first log message, and deleted with the
 * grant.
 */
#ifndef MCP_LOGLEVEL_H
#define MCP_LOGLEVEL_H

#include "store.h"
#include "tool.h"

int	 log_level_parse(const char *);
const char *log_level_name(enum tool_log_level);
int	 store_log_level_get(struct store *, const char *, int *);
int	 store_log_level_put(struct store_txn *, const char *, int);
int	 store_log_level_forget(struct store_txn *, const char *);

#endif
