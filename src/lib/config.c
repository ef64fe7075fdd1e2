/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "httpclient.h"
#include "scope.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/mcp-oauth"
#endif

enum key_type {
	KEY_ISSUER,
	KEY_STRING,
	KEY_PATH,
	KEY_SIZE,
	KEY_DURATION,
	KEY_COUNT,
	KEY_SCOPES,
	KEY_ORIGINS,
	KEY_HOSTS,
	KEY_CHOICE,
	KEY_URL,
	KEY_ALGORITHMS,
	KEY_TYPES,
	KEY_DOMAINS
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	int		 required;
	long long	 min;
	long long	 max;
	/* KEY_CHOICE: the words, in the order of the field's enum. */
	const char *const *choices;
};

static const char *const registration_words[] = { "open", "closed", NULL };
static const char *const user_auth_words[] = { "local", "remote_user", NULL };
static const char *const validation_words[] = { "local", "jwt",
    "introspection", NULL };
static const char *const format_words[] = { "opaque", "jwt", NULL };
static const char *const yes_no_words[] = { "no", "yes", NULL };
static const char *const cimd_words[] = { "open", "allowlist", "off", NULL };
static const char *const off_on_words[] = { "off", "on", NULL };

#define DAY	(24L * 60 * 60)

static const struct key keys[] = {
	{ "issuer", KEY_ISSUER, offsetof(struct config, issuer), 1, 0, 0, NULL },
	{ "db_path", KEY_PATH, offsetof(struct config, db_path), 1, 0, 0, NULL },
	{ "db_map_size", KEY_SIZE, offsetof(struct config, db_map_size), 0,
	    1024 * 1024, (long long)1 << 40, NULL },
	{ "www_dir", KEY_PATH, offsetof(struct config, www_dir), 0, 0, 0, NULL },
	{ "resource_name", KEY_STRING, offsetof(struct config, resource_name),
	    0, 1, 100, NULL },
	{ "access_token_lifetime", KEY_DURATION,
	    offsetof(struct config, access_token_lifetime), 0, 60, DAY, NULL },
	{ "refresh_token_lifetime", KEY_DURATION,
	    offsetof(struct config, refresh_token_lifetime), 0, 300,
	    365 * DAY, NULL },
	{ "refresh_retry_window", KEY_DURATION,
	    offsetof(struct config, refresh_retry_window), 0, 0, 300, NULL },
	{ "refresh_rate_limit", KEY_COUNT,
	    offsetof(struct config, refresh_rate_limit), 0, 0, 1000000, NULL },
	{ "grant_lifetime", KEY_DURATION,
	    offsetof(struct config, grant_lifetime), 0, 3600, 3650 * DAY,
	    NULL },
	{ "code_lifetime", KEY_DURATION,
	    offsetof(struct config, code_lifetime), 0, 10, 600, NULL },
	{ "session_lifetime", KEY_DURATION,
	    offsetof(struct config, session_lifetime), 0, 60, 30 * DAY, NULL },
	{ "pending_lifetime", KEY_DURATION,
	    offsetof(struct config, pending_lifetime), 0, 60, 3600, NULL },
	{ "scopes", KEY_SCOPES, offsetof(struct config, scopes), 0, 0, 0, NULL },
	{ "default_scopes", KEY_SCOPES,
	    offsetof(struct config, default_scopes), 0, 0, 0, NULL },
	{ "allowed_origins", KEY_ORIGINS,
	    offsetof(struct config, allowed_origins), 0, 0, 0, NULL },
	{ "allowed_hosts", KEY_HOSTS, offsetof(struct config, allowed_hosts),
	    0, 0, 0, NULL },
	{ "registration", KEY_CHOICE, offsetof(struct config, registration),
	    0, 0, 0, registration_words },
	{ "registration_rate_limit", KEY_COUNT,
	    offsetof(struct config, registration_rate_limit), 0, 0, 1000000, NULL },
	{ "registration_site_rate_limit", KEY_COUNT,
	    offsetof(struct config, registration_site_rate_limit), 0, 0,
	    1000000, NULL },
	{ "registration_unused_lifetime", KEY_DURATION,
	    offsetof(struct config, registration_unused_lifetime), 0, 0,
	    3650 * DAY, NULL },
	{ "authorize_rate_limit", KEY_COUNT,
	    offsetof(struct config, authorize_rate_limit), 0, 0, 1000000, NULL },
	{ "tool_write_rate_limit", KEY_COUNT,
	    offsetof(struct config, tool_write_rate_limit), 0, 0, 1000000,
	    NULL },
	{ "login_max_failures", KEY_COUNT,
	    offsetof(struct config, login_max_failures), 0, 1, 1000, NULL },
	{ "login_lockout", KEY_DURATION,
	    offsetof(struct config, login_lockout), 0, 1, DAY, NULL },
	{ "user_auth", KEY_CHOICE, offsetof(struct config, user_auth), 0, 0,
	    0, user_auth_words },
	{ "mcp_max_body", KEY_SIZE, offsetof(struct config, mcp_max_body), 0,
	    1024, 64 * 1024 * 1024, NULL },
	{ "require_https", KEY_CHOICE, offsetof(struct config, require_https),
	    0, 0, 0, yes_no_words },
	{ "token_validation", KEY_CHOICE,
	    offsetof(struct config, token_validation), 0, 0, 0,
	    validation_words },
	{ "access_token_format", KEY_CHOICE,
	    offsetof(struct config, access_token_format), 0, 0, 0,
	    format_words },
	{ "authorization_server", KEY_STRING,
	    offsetof(struct config, authorization_server), 0, 1, 1024, NULL },
	{ "jwks_uri", KEY_URL, offsetof(struct config, jwks_uri), 0, 0, 0, NULL },
	{ "jwt_algorithms", KEY_ALGORITHMS,
	    offsetof(struct config, jwt_algorithms), 0, 0, 0, NULL },
	{ "jwt_allowed_typ", KEY_TYPES,
	    offsetof(struct config, jwt_allowed_typ), 0, 0, 0, NULL },
	{ "jwt_leeway", KEY_DURATION, offsetof(struct config, jwt_leeway), 0,
	    0, 300, NULL },
	{ "introspection_endpoint", KEY_URL,
	    offsetof(struct config, introspection_endpoint), 0, 0, 0, NULL },
	{ "introspection_client_id", KEY_STRING,
	    offsetof(struct config, introspection_client_id), 0, 1, 255, NULL },
	{ "introspection_client_secret", KEY_STRING,
	    offsetof(struct config, introspection_client_secret), 0, 1, 255, NULL },
	{ "http_ca_file", KEY_PATH, offsetof(struct config, http_ca_file), 0,
	    0, 0, NULL },
	{ "cache_dir", KEY_PATH, offsetof(struct config, cache_dir), 0, 0, 0, NULL },
	{ "cimd", KEY_CHOICE, offsetof(struct config, cimd), 0, 0, 0,
	    cimd_words },
	{ "cimd_allowlist", KEY_DOMAINS,
	    offsetof(struct config, cimd_allowlist), 0, 0, 0, NULL },
	{ "cimd_test_allow_loopback", KEY_CHOICE,
	    offsetof(struct config, cimd_test_allow_loopback), 0, 0, 0,
	    yes_no_words },
	{ "cimd_fetch_rate_limit", KEY_COUNT,
	    offsetof(struct config, cimd_fetch_rate_limit), 0, 0, 1000000,
	    NULL },
	{ "audit_max_age", KEY_DURATION,
	    offsetof(struct config, audit_max_age), 0, 3600, 3650 * DAY, NULL },
	{ "audit_max_events", KEY_COUNT,
	    offsetof(struct config, audit_max_events), 0, 100, 10000000, NULL },
	{ "admin_web", KEY_CHOICE, offsetof(struct config, admin_web), 0, 0, 0,
	    off_on_words },
	{ "admin_reauth_after", KEY_DURATION,
	    offsetof(struct config, admin_reauth_after), 0, 30, DAY, NULL },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

const char *
config_default_path(void)
{
	return SYSCONFDIR "/mcp-oauth.conf";
}

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static void
list_free(struct config_list *l)
{
	size_t	 i;

	for (i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->len = 0;
}

void
config_free(struct config *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->issuer);
	free(c->issuer_authority);
	free(c->issuer_origin);
	free(c->issuer_path);
	free(c->mcp_url);
	free(c->prm_url);
	free(c->db_path);
	free(c->www_dir);
	free(c->resource_name);
	list_free(&c->scopes);
	list_free(&c->default_scopes);
	list_free(&c->allowed_origins);
	list_free(&c->allowed_hosts);
	list_free(&c->cimd_allowlist);
	list_free(&c->jwt_algorithms);
	list_free(&c->jwt_allowed_typ);
	free(c->authorization_server);
	free(c->jwks_uri);
	free(c->introspection_endpoint);
	free(c->introspection_client_id);
	if (c->introspection_client_secret != NULL) {
		explicit_bzero(c->introspection_client_secret,
		    strlen(c->introspection_client_secret));
		free(c->introspection_client_secret);
	}
	free(c->http_ca_file);
	free(c->cache_dir);
	for (i = 0; i < c->nscope_texts; i++) {
		free(c->scope_texts[i].scope);
		free(c->scope_texts[i].text);
	}
	free(c->scope_texts);
	free(c);
}

static int
is_loopback_host(const char *host, size_t len)
{
	return (len == 9 && strncmp(host, "localhost", 9) == 0) ||
	    (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	    (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/*
 * An issuer is an origin: "https://" host [":" port], lowercase, with no
 * path, query, fragment, userinfo or trailing slash, because clients
 * compare it byte for byte (RFC 8414 §3.3).  Plain http is allowed for
 * loopback hosts only, for development.  The issuer key may add the
 * path of a subdirectory install (issuer_key_valid() below).
 */
int
config_issuer_valid(const char *v, char *why, size_t whysz)
{
	const char	*host, *colon, *p;
	size_t		 hostlen;
	long		 port;
	char		*end;
	int		 https;

	if (strncmp(v, "https://", 8) == 0) {
		https = 1;
		host = v + 8;
	} else if (strncmp(v, "http://", 7) == 0) {
		https = 0;
		host = v + 7;
	} else {
		seterr(why, whysz, "must start with https:// "
		    "(http:// only for localhost)");
		return 0;
	}
	for (p = host; *p != '\0'; p++) {
		if (*p == '/') {
			seterr(why, whysz, "must be an origin without a path "
			    "or trailing slash (e.g. https://mcp.example.com)");
			return 0;
		}
		if (*p == '?' || *p == '#' || *p == '@') {
			seterr(why, whysz, "must not contain a query, "
			    "fragment or userinfo");
			return 0;
		}
		if (isupper((unsigned char)*p)) {
			seterr(why, whysz, "must be lowercase");
			return 0;
		}
		if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL) {
			seterr(why, whysz, "has an invalid character in the host");
			return 0;
		}
	}
	if (*host == '[')
		colon = strchr(host, ']') ? strchr(strchr(host, ']'), ':') : NULL;
	else
		colon = strchr(host, ':');
	hostlen = colon != NULL ? (size_t)(colon - host) : strlen(host);
	if (hostlen == 0) {
		seterr(why, whysz, "has no host");
		return 0;
	}
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 ||
		    port < 1 || port > 65535 || colon[1] == '0') {
			seterr(why, whysz, "has an invalid port");
			return 0;
		}
	}
	if (!https && !is_loopback_host(host, hostlen)) {
		seterr(why, whysz, "must use https:// (http:// is allowed only "
		    "for localhost, 127.0.0.1 and [::1])");
		return 0;
	}
	return 1;
}

/* The longest path an issuer may have ("/mcp-auth"). */
#define ISSUER_PATH_MAX	200

/*
 * The path of an issuer installed in a subdirectory ("/mcp-auth" of
 * https://example.com/mcp-auth): one or more segments of unreserved
 * characters (RFC 3986 section 2.3), none empty, "." or "..", and no
 * trailing slash, so that the issuer has one spelling (clients compare
 * it byte for byte) and the web server maps it as written.  The first
 * segment may not be ".well-known", whose URLs metadata.fcgi answers.
 * A path ending in "/mcp" is refused: it is the MCP URL, not the
 * issuer.
 */
static int
issuer_path_valid(const char *p, char *why, size_t whysz)
{
	const char	*seg;
	size_t		 len = strlen(p), n;

	if (len > ISSUER_PATH_MAX) {
		seterr(why, whysz, "has a path longer than %d characters",
		    ISSUER_PATH_MAX);
		return 0;
	}
	if (p[len - 1] == '/') {
		seterr(why, whysz, "must not end with a slash (e.g. "
		    "https://mcp.example.com or https://example.com/mcp-auth)");
		return 0;
	}
	for (seg = p + 1; ; seg += n + 1) {
		n = strcspn(seg, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			seterr(why, whysz, "has an empty, \".\" or \"..\" "
			    "segment in its path");
			return 0;
		}
		if (strspn(seg, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~") < n) {
			seterr(why, whysz, "has a path with a character other "
			    "than letters, digits, \"-\", \".\", \"_\" and "
			    "\"~\"");
			return 0;
		}
		if (seg == p + 1 && n == 11 &&
		    strncmp(seg, ".well-known", 11) == 0) {
			seterr(why, whysz, "has a path under /.well-known");
			return 0;
		}
		if (seg[n] == '\0')
			break;
	}
	if (strcmp(seg, "mcp") == 0) {
		seterr(why, whysz, "ends in /mcp: the issuer is the MCP URL "
		    "without its final /mcp");
		return 0;
	}
	return 1;
}

/*
 * The issuer key: an origin (config_issuer_valid()), or an origin and
 * the path of a subdirectory install (issuer_path_valid()).  A query or
 * fragment is refused wherever it is, before the origin is cut at the
 * first slash after the scheme.
 */
static int
issuer_key_valid(const char *v, char *why, size_t whysz)
{
	const char	*slash, *scheme_end;
	char		*origin;
	int		 ok;

	if ((scheme_end = strstr(v, "://")) == NULL ||
	    (slash = strchr(scheme_end + 3, '/')) == NULL)
		return config_issuer_valid(v, why, whysz);
	if (strcspn(v, "?#") < strlen(v)) {
		seterr(why, whysz, "must not contain a query, fragment or "
		    "userinfo");
		return 0;
	}
	if ((origin = strndup(v, (size_t)(slash - v))) == NULL) {
		seterr(why, whysz, "out of memory");
		return 0;
	}
	ok = config_issuer_valid(origin, why, whysz) &&
	    issuer_path_valid(slash, why, whysz);
	free(origin);
	return ok;
}

/* A number's unit suffix and what it multiplies by. */
struct unit {
	char		 suffix;
	long long	 mult;
};

/* "123", "45s", "10m", "12h", "30d". */
static const struct unit duration_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', DAY }, { '\0', 0 }
};

/* "1048576", "512K", "256M", "1G". */
static const struct unit size_units[] = {
	{ 'K', 1024 }, { 'k', 1024 }, { 'M', 1024 * 1024 },
	{ 'm', 1024 * 1024 }, { 'G', 1024 * 1024 * 1024 },
	{ 'g', 1024 * 1024 * 1024 }, { '\0', 0 }
};

/* A whole number with an optional unit suffix from units. */
static int
parse_number(const char *v, const struct unit *units, long long *out)
{
	char		*end;
	long long	 n, mult = 1;
	size_t		 i;

	if (!isdigit((unsigned char)*v))
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return 0;
	if (*end != '\0') {
		for (i = 0; units[i].suffix != '\0'; i++)
			if (units[i].suffix == *end)
				break;
		if (units[i].suffix == '\0' || end[1] != '\0')
			return 0;
		mult = units[i].mult;
	}
	if (n > LLONG_MAX / mult)
		return 0;
	*out = n * mult;
	return 1;
}

static int
parse_duration(const char *v, long long *out)
{
	return parse_number(v, duration_units, out);
}

static int
parse_size(const char *v, long long *out)
{
	return parse_number(v, size_units, out);
}

/* The length of a list written out with one space between items. */
static size_t
list_text_len(const struct config_list *l)
{
	size_t	 i, n = 0;

	for (i = 0; i < l->len; i++)
		n += strlen(l->items[i]) + (i > 0);
	return n;
}

/* RFC 6749 scope-token, narrowed to characters that need no escaping. */
static int
scope_token_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && strchr(":._-/", s[n]) == NULL)
			return 0;
	return n > 0 && n <= SCOPE_NAME_MAX;
}

static int
origin_valid(const char *s)
{
	char	 why[128];

	if (strcmp(s, "null") == 0)
		return 0;
	if (strncmp(s, "http://", 7) == 0) {
		/* Browser origins may be plain http (local tools). */
		const char	*h = s + 7;
		size_t		 i;

		for (i = 0; h[i] != '\0'; i++)
			if (!isalnum((unsigned char)h[i]) &&
			    strchr(".-:[]", h[i]) == NULL)
				return 0;
		return i > 0;
	}
	return config_issuer_valid(s, why, sizeof(why));
}

static int
host_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && strchr(".-:[]", s[n]) == NULL)
			return 0;
	return n > 0 && n <= 255;
}

/*
 * A domain of cimd_allowlist: a lower-case DNS name, or "*." and one
 * (a wildcard for the names under it).
 */
static int
domain_valid(const char *s)
{
	size_t	 n;

	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	for (n = 0; s[n] != '\0'; n++)
		if (!islower((unsigned char)s[n]) &&
		    !isdigit((unsigned char)s[n]) && strchr(".-", s[n]) == NULL)
			return 0;
	return n > 0 && n <= 253 && s[0] != '.' && s[n - 1] != '.' &&
	    strstr(s, "..") == NULL;
}

static int
algorithm_valid(const char *s)
{
	return strcmp(s, "RS256") == 0 || strcmp(s, "PS256") == 0 ||
	    strcmp(s, "ES256") == 0 || strcmp(s, "EdDSA") == 0;
}

/* A media type name as JOSE "typ" uses them ("at+jwt", "JWT"). */
static int
type_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && strchr("+-./", s[n]) == NULL)
			return 0;
	return n > 0 && n < 64;
}

/*
 * Outbound URLs: https, or http to a loopback address (tests), with
 * nothing that is not a plain URI character.  The loopback rule is the
 * fetcher's own (httpc_url_allowed), which parses the URL: a prefix
 * such as "http://localhost" would also pass
 * "http://localhost:x@evil.example/".
 */
static int
url_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f)
			return 0;
	if (n >= 1024)
		return 0;
	if (strncmp(s, "https://", 8) == 0)
		return 1;
	return strncmp(s, "http://", 7) == 0 && httpc_url_allowed(s);
}

/*
 * Splits a list on spaces and commas into l, checking each item.
 * Returns 0 on success or names the bad item in why.
 */
static int
parse_list(const char *v, struct config_list *l, int (*valid)(const char *),
    char *why, size_t whysz)
{
	const char	*p = v, *start;
	char		*item, **items;
	size_t		 n, i;

	list_free(l);
	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != ',' && *p != '\t')
			p++;
		n = (size_t)(p - start);
		if (l->len == CONFIG_LIST_MAX) {
			seterr(why, whysz, "more than %d items",
			    CONFIG_LIST_MAX);
			return -1;
		}
		if ((item = strndup(start, n)) == NULL) {
			seterr(why, whysz, "out of memory");
			return -1;
		}
		if (!valid(item)) {
			seterr(why, whysz, "invalid item \"%.100s\"", item);
			free(item);
			return -1;
		}
		for (i = 0; i < l->len; i++)
			if (strcmp(l->items[i], item) == 0)
				break;
		if (i < l->len) {
			free(item);
			continue;
		}
		items = reallocarray(l->items, l->len + 1, sizeof(char *));
		if (items == NULL) {
			free(item);
			seterr(why, whysz, "out of memory");
			return -1;
		}
		l->items = items;
		l->items[l->len++] = item;
	}
	return 0;
}

static int
set_string(char **dst, const char *v)
{
	char	*s;

	if ((s = strdup(v)) == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * One word of a short list, stored as its index: the field is an enum
 * whose values follow the list's order.  The message lists the words.
 */
static int
apply_choice(const struct key *k, void *field, const char *v, char *why,
    size_t whysz)
{
	size_t	 i, n;
	int	 len = 0;

	for (n = 0; k->choices[n] != NULL; n++)
		if (strcmp(k->choices[n], v) == 0) {
			*(int *)field = (int)n;
			return CONFIG_OK;
		}
	len = snprintf(why, whysz, "must be ");
	for (i = 0; i < n && len > 0 && (size_t)len < whysz; i++)
		len += snprintf(why + len, whysz - (size_t)len, "%s%s",
		    k->choices[i], i + 2 < n ? ", " : i + 1 < n ? " or " : "");
	return CONFIG_EVALUE;
}

/*
 * Applies one "key = value".  Returns a config_err and fills why with
 * the problem in words (the caller adds the file, line and key).
 */
static int
apply_key(struct config *c, const struct key *k, const char *v, char *why,
    size_t whysz)
{
	void		*field = (char *)c + k->offset;
	long long	 n;

	switch (k->type) {
	case KEY_ISSUER:
		if (!issuer_key_valid(v, why, whysz))
			return CONFIG_EVALUE;
		break;
	case KEY_STRING:
		if (strlen(v) < (size_t)k->min || strlen(v) > (size_t)k->max) {
			seterr(why, whysz, "must be %lld to %lld characters",
			    k->min, k->max);
			return CONFIG_EVALUE;
		}
		break;
	case KEY_PATH:
		if (v[0] != '/') {
			seterr(why, whysz, "must be an absolute path");
			return CONFIG_EVALUE;
		}
		if (strlen(v) > 1024) {
			seterr(why, whysz, "is too long");
			return CONFIG_EVALUE;
		}
		break;
	case KEY_SIZE:
	case KEY_DURATION:
	case KEY_COUNT:
		if (!(k->type == KEY_SIZE ? parse_size(v, &n) :
		    k->type == KEY_DURATION ? parse_duration(v, &n) :
		    parse_size(v, &n) && strspn(v, "0123456789") == strlen(v))) {
			seterr(why, whysz, k->type == KEY_SIZE ?
			    "must be a size such as 1048576, 512K or 256M" :
			    k->type == KEY_DURATION ?
			    "must be a duration such as 3600, 90s, 10m, 12h or 30d" :
			    "must be a whole number");
			return CONFIG_EVALUE;
		}
		if (n < k->min || n > k->max) {
			seterr(why, whysz, "must be between %lld and %lld",
			    k->min, k->max);
			return CONFIG_EVALUE;
		}
		if (k->type == KEY_SIZE)
			*(size_t *)field = (size_t)n;
		else
			*(long *)field = (long)n;
		return CONFIG_OK;
	case KEY_SCOPES:
		if (parse_list(v, field, scope_token_valid, why, whysz) == -1)
			return CONFIG_EVALUE;
		if (((struct config_list *)field)->len == 0) {
			seterr(why, whysz, "must name at least one scope");
			return CONFIG_EVALUE;
		}
		/*
		 * Every scope string a grant carries is a subset of this
		 * list and must fit the SCOPE_MAX a request may send.
		 */
		if (list_text_len(field) > SCOPE_MAX) {
			seterr(why, whysz, "the scopes together are longer "
			    "than %d characters", SCOPE_MAX);
			return CONFIG_EVALUE;
		}
		return CONFIG_OK;
	case KEY_ORIGINS:
		if (parse_list(v, field, origin_valid, why, whysz) == -1)
			return CONFIG_EVALUE;
		return CONFIG_OK;
	case KEY_HOSTS:
		if (parse_list(v, field, host_valid, why, whysz) == -1)
			return CONFIG_EVALUE;
		return CONFIG_OK;
	case KEY_DOMAINS:
		if (parse_list(v, field, domain_valid, why, whysz) == -1)
			return CONFIG_EVALUE;
		return CONFIG_OK;
	case KEY_ALGORITHMS:
	case KEY_TYPES:
		if (parse_list(v, field, k->type == KEY_ALGORITHMS ?
		    algorithm_valid : type_valid, why, whysz) == -1) {
			if (k->type == KEY_ALGORITHMS)
				snprintf(why, whysz, "must list some of RS256, "
				    "PS256, ES256, EdDSA (none and HMAC are "
				    "never allowed)");
			return CONFIG_EVALUE;
		}
		if (((struct config_list *)field)->len == 0) {
			seterr(why, whysz, "must not be empty");
			return CONFIG_EVALUE;
		}
		return CONFIG_OK;
	case KEY_URL:
		if (!url_valid(v)) {
			seterr(why, whysz, "must be an https URL (http only "
			    "to 127.0.0.1, localhost or [::1])");
			return CONFIG_EVALUE;
		}
		break;
	case KEY_CHOICE:
		return apply_choice(k, field, v, why, whysz);
	}
	if (set_string(field, v) == -1) {
		seterr(why, whysz, "out of memory");
		return CONFIG_ENOMEM;
	}
	return CONFIG_OK;
}

/* "scope.notes:read = Read your notes" sets the consent page text. */
static int
apply_scope_text(struct config *c, const char *scope, const char *v,
    char *why, size_t whysz)
{
	struct config_scope_text	*t;
	size_t				 i;

	if (!scope_token_valid(scope)) {
		seterr(why, whysz, "\"%.64s\" is not a valid scope name", scope);
		return CONFIG_EKEY;
	}
	if (strlen(v) > 200) {
		seterr(why, whysz, "must be at most 200 characters");
		return CONFIG_EVALUE;
	}
	for (i = 0; i < c->nscope_texts; i++)
		if (strcmp(c->scope_texts[i].scope, scope) == 0) {
			seterr(why, whysz, "is set twice");
			return CONFIG_EKEY;
		}
	t = reallocarray(c->scope_texts, c->nscope_texts + 1, sizeof(*t));
	if (t == NULL)
		return CONFIG_ENOMEM;
	c->scope_texts = t;
	t[c->nscope_texts].scope = strdup(scope);
	t[c->nscope_texts].text = strdup(v);
	c->nscope_texts++;
	if (t[c->nscope_texts - 1].scope == NULL ||
	    t[c->nscope_texts - 1].text == NULL)
		return CONFIG_ENOMEM;
	return CONFIG_OK;
}

static int
set_defaults(struct config *c)
{
	c->db_map_size = 256 * 1024 * 1024;
	c->access_token_lifetime = 3600;
	c->refresh_token_lifetime = 30 * DAY;
	c->refresh_retry_window = 60;
	c->refresh_rate_limit = 60;
	c->grant_lifetime = 90 * DAY;
	c->code_lifetime = 600;
	c->session_lifetime = 12 * 3600;
	c->pending_lifetime = 600;
	c->registration = REGISTRATION_OPEN;
	c->registration_rate_limit = 20;
	c->registration_site_rate_limit = 200;
	c->registration_unused_lifetime = 30 * DAY;
	c->cimd_fetch_rate_limit = 30;
	c->authorize_rate_limit = 300;
	c->tool_write_rate_limit = 600;
	c->login_max_failures = 5;
	c->login_lockout = 900;
	c->user_auth = USER_AUTH_LOCAL;
	c->mcp_max_body = 1024 * 1024;
	c->jwt_leeway = 60;
	c->require_https = 1;
	c->audit_max_age = 90 * DAY;
	c->audit_max_events = 100000;
	c->admin_reauth_after = 300;
	if (parse_list("RS256 PS256 ES256 EdDSA", &c->jwt_algorithms,
	    algorithm_valid, NULL, 0) == -1 ||
	    parse_list("at+jwt application/at+jwt", &c->jwt_allowed_typ,
	    type_valid, NULL, 0) == -1)
		return -1;
	if (set_string(&c->www_dir, PKGDATADIR "/www") == -1 ||
	    set_string(&c->resource_name, "MCP server") == -1 ||
	    parse_list("mcp notes:read notes:write", &c->scopes,
	    scope_token_valid, NULL, 0) == -1)
		return -1;
	return 0;
}

/*
 * The map room an audit event may take at most, with LMDB's page and
 * tree overhead: 100000 events of the longest fields measured 78.5 MiB.
 */
#define AUDIT_EVENT_ROOM	800

/*
 * The audit trail may take at most half the map (db_map_size), so that
 * a full trail leaves room for everything else.  A configured
 * audit_max_events over that is refused (naming both keys); the default
 * is lowered to what fits (a small map, as in tests, stays usable).
 */
static int
audit_room(struct config *c, int set, const char *file, char *err,
    size_t errsz)
{
	size_t	 fit = c->db_map_size / 2 / AUDIT_EVENT_ROOM;

	if ((size_t)c->audit_max_events <= fit)
		return CONFIG_OK;
	if (!set) {
		c->audit_max_events = fit < 100 ? 100 : (long)fit;
		return CONFIG_OK;
	}
	seterr(err, errsz, "%s: audit_max_events: %ld events may take %zu MiB "
	    "(%d bytes each), more than half of db_map_size (%zu MiB): set "
	    "audit_max_events to at most %zu or db_map_size to at least %zuM",
	    file, c->audit_max_events, (size_t)c->audit_max_events *
	    AUDIT_EVENT_ROOM >> 20, AUDIT_EVENT_ROOM, c->db_map_size >> 20,
	    fit, (((size_t)c->audit_max_events * AUDIT_EVENT_ROOM * 2) >> 20) +
	    1);
	return CONFIG_EVALUE;
}

/*
 * Fills the values derived from the issuer and checks the keys that
 * depend on each other.
 */
static int
finish(struct config *c, const char *file, char *err, size_t errsz)
{
	const char	*auth;
	size_t		 i, n;

	for (i = 0; i < NKEYS; i++) {
		if (!keys[i].required)
			continue;
		if (*(char **)((char *)c + keys[i].offset) == NULL) {
			seterr(err, errsz, "%s: %s: missing (required)", file,
			    keys[i].name);
			return CONFIG_EMISSING;
		}
	}
	for (i = 0; i < c->default_scopes.len; i++)
		if (!config_has_scope(c, c->default_scopes.items[i])) {
			seterr(err, errsz, "%s: default_scopes: \"%s\" is not "
			    "listed in scopes", file, c->default_scopes.items[i]);
			return CONFIG_EVALUE;
		}
	if (c->default_scopes.len == 0) {
		/* No default_scopes: a request without scope gets them all. */
		for (i = 0; i < c->scopes.len; i++) {
			char	**items, *s;

			items = reallocarray(c->default_scopes.items,
			    c->default_scopes.len + 1, sizeof(char *));
			if (items == NULL)
				return CONFIG_ENOMEM;
			c->default_scopes.items = items;
			if ((s = strdup(c->scopes.items[i])) == NULL)
				return CONFIG_ENOMEM;
			items[c->default_scopes.len++] = s;
		}
	}
	if (c->token_validation != TOKEN_VALIDATION_LOCAL &&
	    c->authorization_server == NULL) {
		seterr(err, errsz, "%s: authorization_server: required with "
		    "token_validation = %s", file, c->token_validation ==
		    TOKEN_VALIDATION_JWT ? "jwt" : "introspection");
		return CONFIG_EMISSING;
	}
	if (c->token_validation == TOKEN_VALIDATION_JWT && c->jwks_uri == NULL) {
		seterr(err, errsz, "%s: jwks_uri: required with "
		    "token_validation = jwt", file);
		return CONFIG_EMISSING;
	}
	if (c->token_validation == TOKEN_VALIDATION_INTROSPECTION &&
	    (c->introspection_endpoint == NULL ||
	    c->introspection_client_id == NULL ||
	    c->introspection_client_secret == NULL)) {
		seterr(err, errsz, "%s: introspection_endpoint, "
		    "introspection_client_id and introspection_client_secret: "
		    "required with token_validation = introspection", file);
		return CONFIG_EMISSING;
	}
	/*
	 * A client's last use is recorded once a day (client_touch): a
	 * lifetime under a day could remove a client while its person
	 * signs in.
	 */
	if (c->registration_unused_lifetime > 0 &&
	    c->registration_unused_lifetime < DAY) {
		seterr(err, errsz, "%s: registration_unused_lifetime: must be "
		    "0 (never remove) or at least 1d", file);
		return CONFIG_EVALUE;
	}
	if (c->cache_dir == NULL && (c->cache_dir = strdup(c->db_path)) == NULL)
		return CONFIG_ENOMEM;
	c->issuer_https = strncmp(c->issuer, "https://", 8) == 0;
	auth = c->issuer + (c->issuer_https ? 8 : 7);
	n = strlen(c->issuer);
	/* A subdirectory install's path ("" for an origin). */
	if ((c->issuer_path = strdup(auth + strcspn(auth, "/"))) == NULL ||
	    (c->issuer_authority = strndup(auth, strcspn(auth, "/"))) ==
	    NULL ||
	    (c->issuer_origin = strndup(c->issuer,
	    n - strlen(c->issuer_path))) == NULL ||
	    (c->mcp_url = malloc(n + 5)) == NULL ||
	    (c->prm_url = malloc(n + 42)) == NULL)
		return CONFIG_ENOMEM;
	snprintf(c->mcp_url, n + 5, "%s/mcp", c->issuer);
	snprintf(c->prm_url, n + 42,
	    "%s/.well-known/oauth-protected-resource/mcp", c->issuer);
	return CONFIG_OK;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Parses text (len bytes, the contents of file) into a new
 * configuration.  On error *out is NULL and err holds one message of
 * the form "file:line: key: problem".
 */
int
config_parse(const char *file, const char *text, size_t len,
    struct config **out, char *err, size_t errsz)
{
	struct config	*c;
	char		*copy = NULL, *line, *next, *eq, *key, *val;
	char		 why[256];
	unsigned char	 seen[NKEYS];
	size_t		 i, lineno = 0;
	int		 rc;

	*out = NULL;
	memset(seen, 0, sizeof(seen));
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(file)) == NULL || set_defaults(c) == -1 ||
	    (copy = malloc(len + 1)) == NULL) {
		rc = CONFIG_ENOMEM;
		seterr(err, errsz, "%s: out of memory", file);
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strlen(copy) != len) {
		rc = CONFIG_ESYNTAX;
		seterr(err, errsz, "%s: contains a NUL byte", file);
		goto out;
	}
	for (line = copy; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			rc = CONFIG_ESYNTAX;
			seterr(err, errsz, "%s:%zu: expected \"key = value\"",
			    file, lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (*key == '\0') {
			rc = CONFIG_ESYNTAX;
			seterr(err, errsz, "%s:%zu: missing key before \"=\"",
			    file, lineno);
			goto out;
		}
		if (strncmp(key, "scope.", 6) == 0) {
			if ((rc = apply_scope_text(c, key + 6, val, why,
			    sizeof(why))) != CONFIG_OK) {
				seterr(err, errsz, "%s:%zu: %.64s: %s", file,
				    lineno, key, why);
				goto out;
			}
			continue;
		}
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == NKEYS) {
			rc = CONFIG_EKEY;
			seterr(err, errsz, "%s:%zu: %.64s: unknown key", file,
			    lineno, key);
			goto out;
		}
		if (seen[i]) {
			rc = CONFIG_EKEY;
			seterr(err, errsz, "%s:%zu: %s: set twice", file,
			    lineno, key);
			goto out;
		}
		seen[i] = 1;
		if (*val == '\0') {
			rc = CONFIG_EVALUE;
			seterr(err, errsz, "%s:%zu: %s: empty value", file,
			    lineno, key);
			goto out;
		}
		if ((rc = apply_key(c, &keys[i], val, why, sizeof(why))) !=
		    CONFIG_OK) {
			seterr(err, errsz, "%s:%zu: %s: %s", file, lineno,
			    key, why);
			goto out;
		}
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, "audit_max_events") == 0)
			break;
	if ((rc = audit_room(c, i < NKEYS && seen[i], file, err, errsz)) !=
	    CONFIG_OK)
		goto out;
	if ((rc = finish(c, file, err, errsz)) != CONFIG_OK) {
		if (rc == CONFIG_ENOMEM)
			seterr(err, errsz, "%s: out of memory", file);
		goto out;
	}
	*out = c;
	c = NULL;
out:
	free(copy);
	config_free(c);
	return rc;
}

int
config_load(const char *file, struct config **out, char *err, size_t errsz)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, rc;

	*out = NULL;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		seterr(err, errsz, "%s: cannot open: %s", file,
		    strerror(errno));
		return CONFIG_ENOENT;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		seterr(err, errsz, "%s: not a regular file", file);
		close(fd);
		return CONFIG_ENOENT;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		seterr(err, errsz, "%s: larger than %d bytes", file,
		    CONFIG_FILE_MAX);
		close(fd);
		return CONFIG_ESYNTAX;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		close(fd);
		seterr(err, errsz, "%s: out of memory", file);
		return CONFIG_ENOMEM;
	}
	while ((n = read(fd, text + len, CONFIG_FILE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n == -1) {
		seterr(err, errsz, "%s: read: %s", file, strerror(errno));
		free(text);
		return CONFIG_ENOENT;
	}
	if (len > CONFIG_FILE_MAX) {
		seterr(err, errsz, "%s: larger than %d bytes", file,
		    CONFIG_FILE_MAX);
		free(text);
		return CONFIG_ESYNTAX;
	}
	rc = config_parse(file, text, len, out, err, errsz);
	free(text);
	if (rc == CONFIG_OK)
		(*out)->mtime = st.st_mtime;
	return rc;
}

int
config_list_has(const struct config_list *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->len; i++)
		if (strcmp(l->items[i], s) == 0)
			return 1;
	return 0;
}

int
config_has_scope(const struct config *c, const char *scope)
{
	return config_list_has(&c->scopes, scope);
}

/*
 * The consent page's description of a scope: the configured text, a
 * built-in one for the scopes the built-in tools use, or NULL.
 */
const char *
config_scope_text(const struct config *c, const char *scope)
{
	size_t	 i;

	for (i = 0; i < c->nscope_texts; i++)
		if (strcmp(c->scope_texts[i].scope, scope) == 0)
			return c->scope_texts[i].text;
	if (strcmp(scope, "mcp") == 0)
		return "Use this MCP server's tools and see who you are "
		    "signed in as";
	if (strcmp(scope, "notes:read") == 0)
		return "Read your notes";
	/* notes:write implies notes:read (scope.h): the page says so. */
	if (strcmp(scope, "notes:write") == 0)
		return "Read, create and delete your notes";
	return NULL;
}
