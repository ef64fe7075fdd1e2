/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include "buf.h"
#include "config.h"
#include "scope.h"

/* Whether the list s (space-separated) contains the scope name. */
int
scope_has(const char *s, const char *name)
{
	size_t	 n = strlen(name), len;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		len = strcspn(s, " ");
		if (len == n && strncmp(s, name, n) == 0)
			return 1;
		s += len;
	}
	return 0;
}

/*
 * Whether a token with scope list granted may use a feature that needs
 * the scope need: the scope itself, or a broader one ("notes:write"
 * implies "notes:read").
 */
int
scope_allows(const char *granted, const char *need)
{
	char	 broader[128];
	size_t	 n = strlen(need);

	if (scope_has(granted, need))
		return 1;
	if (n > 5 && n - 5 + sizeof(":write") <= sizeof(broader) &&
	    strcmp(need + n - 5, ":read") == 0) {
		memcpy(broader, need, n - 5);
		memcpy(broader + n - 5, ":write", 7);
		return scope_has(granted, broader);
	}
	return 0;
}

static int
token_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > SCOPE_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)s[i];

		/* RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E */
		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/*
 * Checks a requested scope list and writes it in canonical form (the
 * configuration's order, no duplicates) to out.  "offline_access" is
 * dropped: refresh tokens do not depend on it here, and clients that
 * follow OpenID Connect ask for it to get one.  On SCOPE_EUNKNOWN, bad
 * names the first unknown scope.
 */
int
scope_normalise(const struct config *cfg, const char *req, struct buf *out,
    char *bad, size_t badsz)
{
	const char	*p = req;
	size_t		 len, i;

	if (strlen(req) > SCOPE_MAX)
		return SCOPE_ESYNTAX;
	while (*p != '\0') {
		if (*p == ' ') {
			p++;
			continue;
		}
		len = strcspn(p, " ");
		if (!token_ok(p, len))
			return SCOPE_ESYNTAX;
		for (i = 0; i < cfg->scopes.len; i++)
			if (strlen(cfg->scopes.items[i]) == len &&
			    strncmp(cfg->scopes.items[i], p, len) == 0)
				break;
		if (i == cfg->scopes.len &&
		    !(len == 14 && strncmp(p, "offline_access", 14) == 0)) {
			if (bad != NULL && badsz > 0) {
				if (len >= badsz)
					len = badsz - 1;
				memcpy(bad, p, len);
				bad[len] = '\0';
			}
			return SCOPE_EUNKNOWN;
		}
		p += len;
	}
	scope_union(cfg, req, "", out);
	return buf_failed(out) ? SCOPE_ENOMEM : SCOPE_OK;
}

/*
 * The known scopes of req, in canonical form, silently dropping the
 * others (client registration: RFC 7591 lets the server replace
 * requested metadata).
 */
int
scope_filter_known(const struct config *cfg, const char *req,
    struct buf *out)
{
	scope_union(cfg, req, "", out);
	return buf_failed(out) ? SCOPE_ENOMEM : SCOPE_OK;
}

/*
 * Whether every scope of a is in b: literally (implied = 0), or through
 * the hierarchy of scope_allows() (implied = 1).
 */
static int
covered(const char *a, const char *b, int implied)
{
	char	 name[SCOPE_NAME_MAX + 1];
	size_t	 len;

	while (*a != '\0') {
		if (*a == ' ') {
			a++;
			continue;
		}
		len = strcspn(a, " ");
		if (len >= sizeof(name))
			return 0;
		memcpy(name, a, len);
		name[len] = '\0';
		if (!(implied ? scope_allows(b, name) : scope_has(b, name)))
			return 0;
		a += len;
	}
	return 1;
}

/* Whether every scope of a is in b. */
int
scope_subset(const char *a, const char *b)
{
	return covered(a, b, 0);
}

/*
 * Whether name belongs in what the resource server says about scopes
 * (its metadata's scopes_supported, its challenges): every scope but
 * "offline_access", which asks an authorization server for a refresh
 * token and is no requirement of the resource (MCP 2026-07-28,
 * basic/authorization, refresh tokens).  A site may still list it in
 * scopes, for its authorization server's metadata.
 */
int
scope_is_resource(const char *name)
{
	return strcmp(name, "offline_access") != 0;
}

static void
union_of(const struct config *cfg, const char *a, const char *b,
    int resource_only, struct buf *out)
{
	size_t	 i;

	buf_reset(out);
	for (i = 0; i < cfg->scopes.len; i++) {
		if (!scope_has(a, cfg->scopes.items[i]) &&
		    !scope_has(b, cfg->scopes.items[i]))
			continue;
		if (resource_only && !scope_is_resource(cfg->scopes.items[i]))
			continue;
		if (out->len > 0)
			buf_putc(out, ' ');
		buf_puts(out, cfg->scopes.items[i]);
	}
}

/* The scopes in a or b, in the configuration's order. */
void
scope_union(const struct config *cfg, const char *a, const char *b,
    struct buf *out)
{
	union_of(cfg, a, b, 0, out);
}

/* The same without the scopes scope_is_resource() leaves out. */
void
scope_resource_union(const struct config *cfg, const char *a, const char *b,
    struct buf *out)
{
	union_of(cfg, a, b, 1, out);
}

/*
 * Whether every scope of a is granted by b, directly or through the
 * hierarchy (a "notes:write" grant covers "notes:read").
 */
int
scope_implied(const char *a, const char *b)
{
	return covered(a, b, 1);
}

/*
 * The scopes of a that the limit allows (directly or through the
 * hierarchy: a "notes:write" limit allows "notes:read"), in the
 * configuration's order.  An empty limit is no limit.  RFC 6749
 * section 3.3 lets the issued scope differ from the requested one.
 */
void
scope_limit(const struct config *cfg, const char *a, const char *limit,
    struct buf *out)
{
	size_t	 i;

	buf_reset(out);
	for (i = 0; i < cfg->scopes.len; i++) {
		if (!scope_has(a, cfg->scopes.items[i]))
			continue;
		if (limit[0] != '\0' &&
		    !scope_allows(limit, cfg->scopes.items[i]))
			continue;
		if (out->len > 0)
			buf_putc(out, ' ');
		buf_puts(out, cfg->scopes.items[i]);
	}
}

/*
 * The scopes of a that are not in b, in the configuration's order: what
 * a limit took away, or what a step-up adds to an earlier grant.
 */
void
scope_minus(const struct config *cfg, const char *a, const char *b,
    struct buf *out)
{
	size_t	 i;

	buf_reset(out);
	for (i = 0; i < cfg->scopes.len; i++) {
		if (!scope_has(a, cfg->scopes.items[i]) ||
		    scope_has(b, cfg->scopes.items[i]))
			continue;
		if (out->len > 0)
			buf_putc(out, ' ');
		buf_puts(out, cfg->scopes.items[i]);
	}
}

/*
 * The base scope: the one the consent page keeps and a narrowed grant
 * cannot lose without being revoked.  There is no separate setting: it
 * is the first of default_scopes (which the configuration fills with
 * every scope when it names none), or NULL on a server without scopes.
 */
const char *
scope_base(const struct config *cfg)
{
	return cfg->default_scopes.len > 0 ? cfg->default_scopes.items[0] :
	    NULL;
}
