/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-
 * document; MCP 2025-11-25 and 2026-07-28, basic/authorization): a
 * client_id that is an https URL names a JSON document, served by the
 * client's owner, holding its RFC 7591 metadata.  This module
 * recognises such URLs and turns a fetched document into a public
 * client; cimdfetch.c fetches and caches.
 */
#ifndef MCP_CIMD_H
#define MCP_CIMD_H

#include <stddef.h>

#include "client.h"
#include "config.h"

/* The longest client_id URL (an LMDB key holds 511 bytes). */
#define CIMD_URL_MAX		255
#define CIMD_HOST_MAX		253
/* The largest document fetched (the draft suggests 5 KB). */
#define CIMD_DOC_MAX		(5 * 1024)

enum cimd_err {
	CIMD_OK = 0,
	CIMD_EURL,		/* not a client ID metadata document URL */
	CIMD_EDOC,		/* the document is invalid */
	CIMD_EREDIRECT,		/* its redirect_uris break our policy */
	CIMD_ENOMEM
};

struct cimd_url {
	char		 host[CIMD_HOST_MAX + 1];	/* as in the URL */
	unsigned int	 port;				/* 443 if none */
};

int	 cimd_url_parse(const char *, struct cimd_url *);
int	 cimd_is_url(const char *);
int	 cimd_parse(const struct config *, const char *, const char *,
	    size_t, struct client *, char *, size_t);
int	 cimd_host_allowed(const struct config *, const char *);
int	 cimd_port_allowed(const struct config *, unsigned int);

#endif
