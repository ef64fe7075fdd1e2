/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * A small template language for the login, consent and error pages.
 * Every value is HTML-escaped: there is no way to print raw text, so
 * no client-supplied string can become markup.
 *
 *   {{name}}              the escaped value of name
 *   {{#name}}...{{/name}} repeated for each item of a list, or once if
 *                         name is true; items' names shadow outer ones
 *   {{^name}}...{{/name}} once if name is false, absent or an empty list
 *   {{>file}}             the template file.html, inserted at load time
 *
 * An unknown name is an error, not an empty string, so a typo in a
 * template fails its test instead of hiding a field.
 */
#ifndef MCP_TEMPLATE_H
#define MCP_TEMPLATE_H

#include <stddef.h>

#include "buf.h"

#define TEMPLATE_ERR_MAX	256
#define TEMPLATE_FILE_MAX	(64 * 1024)

enum tmpl_type {
	TMPL_STR,
	TMPL_BOOL,
	TMPL_LIST
};

struct tmpl_scope;

struct tmpl_var {
	const char		*name;
	enum tmpl_type		 type;
	const char		*str;
	int			 b;
	const struct tmpl_scope	*items;		/* TMPL_LIST */
	size_t			 nitems;
};

struct tmpl_scope {
	const struct tmpl_var	*vars;
	size_t			 nvars;
};

enum tmpl_err {
	TMPL_OK = 0,
	TMPL_ESYNTAX,
	TMPL_EUNKNOWN,
	TMPL_EFILE,
	TMPL_ENOMEM
};

int	 tmpl_render(const char *, const struct tmpl_scope *, struct buf *,
	    char *, size_t);
int	 tmpl_load(const char *, const char *, char **, char *, size_t);

#endif
