/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Pinning a client ID metadata document: fetched now, as /authorize
 * would (cimdfetch.h), and stored with CLIENT_PINNED, so that requests
 * use it without fetching until it is pinned again or the client is
 * deleted.  For sites whose server cannot fetch at request time; from
 * "mcp-oauth-admin client pin" and the clients page of /admin.
 */
#ifndef MCP_CLIENTPIN_H
#define MCP_CLIENTPIN_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "config.h"
#include "store.h"

enum clientpin_err {
	CLIENTPIN_OK = 0,
	CLIENTPIN_EURL,		/* not a metadata document URL */
	CLIENTPIN_EFETCH,	/* refused or invalid: why says */
	CLIENTPIN_ESTORE	/* not stored: why says */
};

int	 clientpin(const struct config *, struct store *, const char *,
	    int64_t, const char *, const char *, struct client *, char *,
	    size_t);

#endif
