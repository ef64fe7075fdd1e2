/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The configuration file: "key = value" lines, "#" starting a comment
 * line.  config_load() either returns a complete, validated
 * configuration or one message naming the file, the line and the key.
 */
#ifndef MCP_CONFIG_H
#define MCP_CONFIG_H

#include <stddef.h>
#include <time.h>

#define CONFIG_ERR_MAX		512
#define CONFIG_FILE_MAX		(64 * 1024)
#define CONFIG_LIST_MAX		64

enum config_err {
	CONFIG_OK = 0,
	CONFIG_ENOENT,		/* the file cannot be opened */
	CONFIG_ESYNTAX,		/* a line is not "key = value" */
	CONFIG_EKEY,		/* unknown or repeated key */
	CONFIG_EVALUE,		/* a value is out of range or malformed */
	CONFIG_EMISSING,	/* a required key is absent */
	CONFIG_ENOMEM
};

enum config_registration {
	REGISTRATION_OPEN = 0,
	REGISTRATION_CLOSED
};

enum config_user_auth {
	USER_AUTH_LOCAL = 0,
	USER_AUTH_REMOTE_USER
};

enum config_token_validation {
	TOKEN_VALIDATION_LOCAL = 0,	/* our own LMDB lookup */
	TOKEN_VALIDATION_JWT,		/* RFC 9068 with a JWK Set */
	TOKEN_VALIDATION_INTROSPECTION	/* RFC 7662 */
};

enum config_token_format {
	TOKEN_FORMAT_OPAQUE = 0,
	TOKEN_FORMAT_JWT
};

/* Client ID metadata documents (cimd.h). */
enum config_cimd {
	CONFIG_CIMD_OPEN = 0,		/* any domain */
	CONFIG_CIMD_ALLOWLIST,		/* the domains in cimd_allowlist */
	CONFIG_CIMD_OFF
};

struct config_list {
	char	**items;
	size_t	  len;
};

struct config_scope_text {
	char	*scope;
	char	*text;
};

struct config {
	char			*path;
	char			*issuer;	/* "https://host[:port][/path]" */
	char			*issuer_authority; /* "host[:port]" */
	char			*issuer_origin;	/* "https://host[:port]" */
	char			*issuer_path;	/* "/path", "" for an origin */
	int			 issuer_https;
	char			*mcp_url;	/* issuer + "/mcp" */
	char			*prm_url;	/* PRM document for /mcp */
	char			*db_path;
	size_t			 db_map_size;
	char			*www_dir;
	char			*resource_name;
	long			 access_token_lifetime;
	long			 refresh_token_lifetime;
	long			 refresh_retry_window;	/* of a rotated-out token */
	long			 refresh_rate_limit;	/* per grant an hour */
	long			 grant_lifetime;	/* absolute, from consent */
	long			 code_lifetime;
	long			 session_lifetime;
	long			 pending_lifetime;
	struct config_list	 scopes;
	struct config_list	 default_scopes;
	struct config_list	 allowed_origins;
	struct config_list	 allowed_hosts;
	struct config_scope_text *scope_texts;
	size_t			 nscope_texts;
	enum config_registration registration;
	long			 registration_rate_limit;
	long			 registration_site_rate_limit; /* an hour */
	long			 registration_unused_lifetime; /* 0: never */
	long			 authorize_rate_limit;	/* per IP an hour */
	long			 tool_write_rate_limit;	/* per user a minute */
	long			 login_max_failures;
	long			 login_lockout;
	enum config_user_auth	 user_auth;
	size_t			 mcp_max_body;
	int			 require_https;	/* refuse requests without TLS */
	enum config_token_validation token_validation;
	enum config_token_format access_token_format;
	char			*authorization_server;	/* external issuer */
	char			*jwks_uri;
	struct config_list	 jwt_algorithms;
	struct config_list	 jwt_allowed_typ;
	long			 jwt_leeway;
	char			*introspection_endpoint;
	char			*introspection_client_id;
	char			*introspection_client_secret;
	char			*http_ca_file;
	char			*cache_dir;
	enum config_cimd	 cimd;
	struct config_list	 cimd_allowlist;
	int			 cimd_test_allow_loopback; /* tests only */
	long			 cimd_fetch_rate_limit;	/* per IP an hour */
	long			 audit_max_age;		/* of an event */
	long			 audit_max_events;
	int			 admin_web;	/* the /admin pages: 0 off */
	long			 admin_reauth_after; /* password asked again */
	time_t			 mtime;		/* of the file when loaded */
};

const char	*config_default_path(void);
int		 config_load(const char *, struct config **, char *, size_t);
int		 config_parse(const char *, const char *, size_t,
		    struct config **, char *, size_t);
void		 config_free(struct config *);
int		 config_has_scope(const struct config *, const char *);
const char	*config_scope_text(const struct config *, const char *);
int		 config_list_has(const struct config_list *, const char *);
int		 config_issuer_valid(const char *, char *, size_t);

#endif
