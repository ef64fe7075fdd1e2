/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The resource API (MCP 2025-11-25 and 2026-07-28, server/resources).
 * A resource is a static descriptor with a fixed URI, or a template
 * (RFC 6570 levels 1 and 2, uritmpl.h) standing for many.  Handlers
 * receive the same request structure as tools (tool.h): the caller,
 * the configuration, the database on demand, and in args the
 * template's variables as strings.  A read handler appends contents
 * with resource_text() or resource_blob(); a template's list handler
 * names the caller's concrete resources with resource_listed(); its
 * complete handler offers values of a variable with complete_value()
 * (complete.h).
 *
 *	static enum resource_status
 *	read_motd(struct tool_call *call)
 *	{
 *		resource_text(call, "motd://today", "text/plain", "Hi.");
 *		return RESOURCE_OK;
 *	}
 *
 *	const struct resource resource_motd = {
 *		.uri = "motd://today",
 *		.name = "motd",
 *		.mime_type = "text/plain",
 *		.scope = "mcp",
 *		.read = read_motd,
 *	};
 */
#ifndef MCP_RESOURCE_H
#define MCP_RESOURCE_H

#include <stddef.h>

#include "tool.h"

/* The largest binary contents resource_blob() encodes. */
#define RESOURCE_BLOB_MAX	(16 * 1024 * 1024)

enum resource_status {
	RESOURCE_OK = 0,	/* the contents are set */
	RESOURCE_NOT_FOUND,	/* no such resource (for this caller) */
	RESOURCE_FAILED		/* an internal error: JSON-RPC -32603 */
};

struct resource {
	const char	*uri;
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*mime_type;
	const char	*annotations;	/* JSON object text, or NULL */
	const char	*scope;		/* needed to read it, or NULL */
	enum resource_status (*read)(struct tool_call *);
};

struct resource_template {
	const char	*uri_template;
	const char	*name;
	const char	*title;
	const char	*description;
	const char	*mime_type;
	const char	*annotations;
	const char	*scope;		/* to read, list or complete */
	enum resource_status (*read)(struct tool_call *);
	/* Optional: the caller's resources for resources/list. */
	enum resource_status (*list)(struct tool_call *);
	/* Optional: values for a variable; args has the others. */
	enum resource_status (*complete)(struct tool_call *, const char *,
	    const char *);
};

void	 resource_text(struct tool_call *, const char *, const char *,
	    const char *);
void	 resource_blob(struct tool_call *, const char *, const char *,
	    const void *, size_t);
void	 resource_listed(struct tool_call *, const char *, const char *,
	    const char *, const char *);
struct json_object *resource_json(const struct resource *);
struct json_object *resource_template_json(const struct resource_template *);

#endif
