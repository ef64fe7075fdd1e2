/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * config-default: tells whether a value written in the documentation
 * is the default config.c really applies.  Used by config-drift.sh.
 *
 *	config-default key value	value is the default
 *	config-default key none		the key has no default (unset, empty)
 *	config-default key required	a file without the key is refused
 *	config-default key known	config.c accepts the key at all
 *
 * Values are compared after config.c's own parser has read them, so
 * "1h" and "3600", or "256M" and "268435456", are the same value.
 * Exits 0 when the statement holds, 1 with one line on stderr when it
 * does not, 2 on a usage error.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lib/config.h"

enum field_kind {
	FIELD_STRING,
	FIELD_SIZE,
	FIELD_LONG,
	FIELD_INT,
	FIELD_LIST
};

struct field {
	const char	*key;
	enum field_kind	 kind;
	size_t		 offset;
};

/*
 * Where each key lands in struct config.  A key of config.c missing
 * here makes the check fail with a message saying so.
 */
static const struct field fields[] = {
	{ "issuer", FIELD_STRING, offsetof(struct config, issuer) },
	{ "db_path", FIELD_STRING, offsetof(struct config, db_path) },
	{ "db_map_size", FIELD_SIZE, offsetof(struct config, db_map_size) },
	{ "www_dir", FIELD_STRING, offsetof(struct config, www_dir) },
	{ "resource_name", FIELD_STRING,
	    offsetof(struct config, resource_name) },
	{ "access_token_lifetime", FIELD_LONG,
	    offsetof(struct config, access_token_lifetime) },
	{ "refresh_token_lifetime", FIELD_LONG,
	    offsetof(struct config, refresh_token_lifetime) },
	{ "refresh_retry_window", FIELD_LONG,
	    offsetof(struct config, refresh_retry_window) },
	{ "refresh_rate_limit", FIELD_LONG,
	    offsetof(struct config, refresh_rate_limit) },
	{ "grant_lifetime", FIELD_LONG,
	    offsetof(struct config, grant_lifetime) },
	{ "code_lifetime", FIELD_LONG,
	    offsetof(struct config, code_lifetime) },
	{ "session_lifetime", FIELD_LONG,
	    offsetof(struct config, session_lifetime) },
	{ "pending_lifetime", FIELD_LONG,
	    offsetof(struct config, pending_lifetime) },
	{ "scopes", FIELD_LIST, offsetof(struct config, scopes) },
	{ "default_scopes", FIELD_LIST,
	    offsetof(struct config, default_scopes) },
	{ "allowed_origins", FIELD_LIST,
	    offsetof(struct config, allowed_origins) },
	{ "allowed_hosts", FIELD_LIST, offsetof(struct config, allowed_hosts) },
	{ "registration", FIELD_INT, offsetof(struct config, registration) },
	{ "registration_rate_limit", FIELD_LONG,
	    offsetof(struct config, registration_rate_limit) },
	{ "registration_site_rate_limit", FIELD_LONG,
	    offsetof(struct config, registration_site_rate_limit) },
	{ "registration_unused_lifetime", FIELD_LONG,
	    offsetof(struct config, registration_unused_lifetime) },
	{ "authorize_rate_limit", FIELD_LONG,
	    offsetof(struct config, authorize_rate_limit) },
	{ "tool_write_rate_limit", FIELD_LONG,
	    offsetof(struct config, tool_write_rate_limit) },
	{ "login_max_failures", FIELD_LONG,
	    offsetof(struct config, login_max_failures) },
	{ "login_lockout", FIELD_LONG, offsetof(struct config, login_lockout) },
	{ "user_auth", FIELD_INT, offsetof(struct config, user_auth) },
	{ "mcp_max_body", FIELD_SIZE, offsetof(struct config, mcp_max_body) },
	{ "require_https", FIELD_INT, offsetof(struct config, require_https) },
	{ "token_validation", FIELD_INT,
	    offsetof(struct config, token_validation) },
	{ "access_token_format", FIELD_INT,
	    offsetof(struct config, access_token_format) },
	{ "authorization_server", FIELD_STRING,
	    offsetof(struct config, authorization_server) },
	{ "jwks_uri", FIELD_STRING, offsetof(struct config, jwks_uri) },
	{ "jwt_algorithms", FIELD_LIST,
	    offsetof(struct config, jwt_algorithms) },
	{ "jwt_allowed_typ", FIELD_LIST,
	    offsetof(struct config, jwt_allowed_typ) },
	{ "jwt_leeway", FIELD_LONG, offsetof(struct config, jwt_leeway) },
	{ "introspection_endpoint", FIELD_STRING,
	    offsetof(struct config, introspection_endpoint) },
	{ "introspection_client_id", FIELD_STRING,
	    offsetof(struct config, introspection_client_id) },
	{ "introspection_client_secret", FIELD_STRING,
	    offsetof(struct config, introspection_client_secret) },
	{ "http_ca_file", FIELD_STRING, offsetof(struct config, http_ca_file) },
	{ "cache_dir", FIELD_STRING, offsetof(struct config, cache_dir) },
	{ "cimd", FIELD_INT, offsetof(struct config, cimd) },
	{ "cimd_allowlist", FIELD_LIST,
	    offsetof(struct config, cimd_allowlist) },
	{ "cimd_test_allow_loopback", FIELD_INT,
	    offsetof(struct config, cimd_test_allow_loopback) },
	{ "cimd_fetch_rate_limit", FIELD_LONG,
	    offsetof(struct config, cimd_fetch_rate_limit) },
	{ "audit_max_age", FIELD_LONG, offsetof(struct config, audit_max_age) },
	{ "audit_max_events", FIELD_LONG,
	    offsetof(struct config, audit_max_events) },
	{ "admin_web", FIELD_INT, offsetof(struct config, admin_web) },
	{ "admin_reauth_after", FIELD_LONG,
	    offsetof(struct config, admin_reauth_after) },
};

#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

/* The two keys every file needs, with values that pass. */
static const char	 base_issuer[] = "issuer = https://mcp.example.com\n";
static const char	 base_db_path[] = "db_path = /var/lib/mcp-oauth\n";

/*
 * Parses the base file, less the line of the key named skip (NULL: none)
 * and plus "key = value" when key is set.
 */
static int
parse(const char *skip, const char *key, const char *value,
    struct config **out, char *err, size_t errsz)
{
	char	 text[4096];
	int	 n;

	n = snprintf(text, sizeof(text), "%s%s",
	    skip != NULL && strcmp(skip, "issuer") == 0 ? "" : base_issuer,
	    skip != NULL && strcmp(skip, "db_path") == 0 ? "" : base_db_path);
	if (key != NULL && n >= 0 && (size_t)n < sizeof(text) &&
	    strcmp(key, "issuer") != 0 && strcmp(key, "db_path") != 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		    "%s = %s\n", key, value);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		snprintf(err, errsz, "value too long");
		return CONFIG_ESYNTAX;
	}
	return config_parse("(check)", text, (size_t)n, out, err, errsz);
}

static void
list_text(const struct config_list *l, char *out, size_t outsz)
{
	size_t	 i, n = 0;

	out[0] = '\0';
	for (i = 0; i < l->len && n < outsz; i++)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s",
		    i > 0 ? " " : "", l->items[i]);
}

/* The field as text, for comparing and for the message. */
static void
field_text(const struct config *c, const struct field *f, char *out,
    size_t outsz)
{
	const void	*p = (const char *)c + f->offset;
	const char	*s;

	switch (f->kind) {
	case FIELD_STRING:
		s = *(char *const *)p;
		snprintf(out, outsz, "%s", s != NULL ? s : "");
		break;
	case FIELD_SIZE:
		snprintf(out, outsz, "%zu", *(const size_t *)p);
		break;
	case FIELD_LONG:
		snprintf(out, outsz, "%ld", *(const long *)p);
		break;
	case FIELD_INT:
		snprintf(out, outsz, "%d", *(const int *)p);
		break;
	case FIELD_LIST:
		list_text(p, out, outsz);
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct config		*def = NULL, *set = NULL;
	const struct field	*f = NULL;
	const char		*key, *value;
	char			 err[CONFIG_ERR_MAX], a[2048], b[2048];
	size_t			 i;
	int			 rc, status = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: config-default key value|none|"
		    "required|known\n");
		return 2;
	}
	key = argv[1];
	value = argv[2];
	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].key, key) == 0)
			f = &fields[i];
	if (f == NULL) {
		fprintf(stderr, "%s: not in the field table of "
		    "tests/config/config_default.c: add it there\n", key);
		return 1;
	}
	if (strcmp(value, "required") == 0) {
		rc = parse(key, NULL, NULL, &def, err, sizeof(err));
		if (rc == CONFIG_EMISSING && strstr(err, key) != NULL)
			status = 0;
		else
			fprintf(stderr, "%s: documented as required, but "
			    "config.c accepts a file without it\n", key);
		goto out;
	}
	if ((rc = parse(NULL, NULL, NULL, &def, err, sizeof(err))) !=
	    CONFIG_OK) {
		fprintf(stderr, "%s: the base file is refused: %s\n", key, err);
		goto out;
	}
	field_text(def, f, a, sizeof(a));
	if (strcmp(value, "known") == 0) {
		/* A value config.c refuses still proves the key is known. */
		rc = parse(NULL, key, "\x01", &set, err, sizeof(err));
		if (rc == CONFIG_EKEY && strstr(err, "unknown key") != NULL)
			fprintf(stderr, "%s: config.c does not know this key\n",
			    key);
		else
			status = 0;
		goto out;
	}
	if (strcmp(value, "none") == 0) {
		if (a[0] == '\0')
			status = 0;
		else
			fprintf(stderr, "%s: documented without a default, "
			    "but config.c's default is \"%s\"\n", key, a);
		goto out;
	}
	if ((rc = parse(NULL, key, value, &set, err, sizeof(err))) !=
	    CONFIG_OK) {
		fprintf(stderr, "%s: the documented default \"%s\" is "
		    "refused by config.c: %s\n", key, value, err);
		goto out;
	}
	field_text(set, f, b, sizeof(b));
	if (strcmp(a, b) == 0)
		status = 0;
	else
		fprintf(stderr, "%s: documented default \"%s\" (%s) is not "
		    "config.c's default (%s)\n", key, value, b, a);
out:
	config_free(def);
	config_free(set);
	return status;
}
