/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * HTML pages for people: the security headers every page carries, and
 * rendering a template from the configured www_dir.
 */
#ifndef MCP_PAGE_H
#define MCP_PAGE_H

#include "config.h"
#include "http.h"
#include "template.h"

/*
 * Room for a cookie's full name: the "__Host-" or "__Secure-" prefix
 * cookie_name() adds and a base name such as "mcp_session", with a NUL.
 */
#define PAGE_COOKIE_NAME_MAX	64

void	 page_headers(struct http_response *);
void	 page_config_error(struct http_response *);
int	 page_render(const struct config *, struct http_response *, int,
	    const char *, const char *, const struct tmpl_var *, size_t);
void	 page_error(const struct config *, struct http_response *, int,
	    const char *, const char *, const char *);
void	 cookie_set(struct http_response *, const struct config *,
	    const char *, const char *, long);
void	 cookie_name(const struct config *, const char *, char *, size_t);

#endif
