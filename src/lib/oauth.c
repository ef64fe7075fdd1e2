/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "oauth.h"
#include "store.h"

/*
 * What byte c becomes in an error_description: itself when RFC 6749
 * sections 4.1.2.1 and 5.2 allow it (%x20-21 / %x23-5B / %x5D-7E), a
 * single quote for a double quote (descriptions quote what they name),
 * and "?" for a backslash, a control or a byte outside ASCII.
 */
static char
text_char(unsigned char c)
{
	if (c == '"')
		return '\'';
	if (c < 0x20 || c > 0x7e || c == '\\')
		return '?';
	return (char)c;
}

/* Whether s may be sent as an error_description as it is. */
int
oauth_text_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if (text_char((unsigned char)*s) != *s)
			return 0;
	return 1;
}

/*
 * Copies src into dst (dstsz bytes, at least one; dst may be src),
 * truncated, with every byte outside the error_description character
 * set replaced (text_char()).  Every description the server sends,
 * in JSON, a redirect or a header, passes through here, so that one
 * built from client input cannot break the rule.
 */
void
oauth_text_clean(char *dst, size_t dstsz, const char *src)
{
	size_t	 i;

	for (i = 0; i + 1 < dstsz && src[i] != '\0'; i++)
		dst[i] = text_char((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Appends s to b as oauth_text_clean() would copy it. */
void
oauth_text_append(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_putc(b, text_char((unsigned char)*s));
}

void
oauth_error_set(struct oauth_error *e, int status, const char *error,
    const char *fmt, ...)
{
	va_list	 ap;

	e->status = status;
	e->error = error;
	e->basic = 0;
	va_start(ap, fmt);
	vsnprintf(e->description, sizeof(e->description), fmt, ap);
	va_end(ap);
	oauth_text_clean(e->description, sizeof(e->description),
	    e->description);
}

/* Responses with tokens or secrets must never be cached (RFC 6749 §5.1). */
void
oauth_no_store(struct http_response *resp)
{
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Pragma", "no-cache");
}

void
oauth_error_respond(struct http_response *resp, const struct oauth_error *e)
{
	if (e->basic)
		http_header(resp, "WWW-Authenticate",
		    "Basic realm=\"mcp-oauth\"");
	if (e->status == 503)
		http_header(resp, "Retry-After", OAUTH_STORE_RETRY_AFTER);
	oauth_no_store(resp);
	http_json_error(resp, e->status, e->error,
	    e->description[0] != '\0' ? e->description : NULL);
}

/*
 * The log line of a database failure, and the HTTP status of its
 * answer: a full map is a temporary condition (503; the administrator
 * can purge or raise db_map_size, which the line says), anything else
 * a server error (500).  The failures of opening the database (none
 * there, permission denied, a newer schema) are not repeated here:
 * app_store() logged them when they first happened, with the path and
 * the system's reason.  Every program answers a database failure
 * through this function, whatever the shape of its answer (OAuth
 * JSON, an HTML page, a JSON-RPC error).
 */
int
oauth_store_log(int rc)
{
	if (rc == STORE_FULL) {
		log_msg("database_full", "%s", store_full_hint());
		return 503;
	}
	if (rc != STORE_ENOENT && rc != STORE_EACCES && rc != STORE_SCHEMA)
		log_msg("database_error", "%s", store_strerror(rc));
	return 500;
}

/*
 * The OAuth error of a database failure, logged: 503
 * temporarily_unavailable for a full map (RFC 6749 section 5.2 and
 * section 4.1.2.1), 500 server_error otherwise.  The details are in the
 * log, never in the answer.
 */
void
oauth_store_error(struct oauth_error *e, int rc)
{
	if (oauth_store_log(rc) == 503)
		oauth_error_set(e, 503, "temporarily_unavailable",
		    "the server's database is full; try again later");
	else
		oauth_error_set(e, 500, "server_error",
		    "the server's database is unavailable; see the error log");
}

/*
 * The whole answer of an OAuth endpoint to a database failure: the log
 * line, the JSON error, Cache-Control: no-store, and Retry-After when
 * the failure is temporary.
 */
void
oauth_store_respond(struct http_response *resp, int rc)
{
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	oauth_store_error(&e, rc);
	oauth_error_respond(resp, &e);
}

/*
 * CORS for the token, registration and revocation endpoints: any
 * origin, no credentials (browser-based MCP clients such as the
 * Inspector call them directly).  Never used on /authorize.
 */
void
oauth_cors(struct http_response *resp)
{
	http_header(resp, "Access-Control-Allow-Origin", "*");
	http_header(resp, "Access-Control-Expose-Headers",
	    "WWW-Authenticate, Retry-After");
}

/* Answers an OPTIONS preflight; returns 1 if it was one. */
int
oauth_cors_preflight(const struct http_request *req,
    struct http_response *resp)
{
	if (req->method != HTTP_OPTIONS)
		return 0;
	http_status(resp, 204);
	http_header(resp, "Access-Control-Allow-Origin", "*");
	http_header(resp, "Access-Control-Allow-Methods", "POST, OPTIONS");
	http_header(resp, "Access-Control-Allow-Headers",
	    "Authorization, Content-Type, MCP-Protocol-Version");
	http_header(resp, "Access-Control-Max-Age", "86400");
	return 1;
}

/*
 * The length of the scheme and authority of an absolute URI
 * ("https://Host:8443" of "https://Host:8443/mcp"), or 0.
 */
static size_t
origin_len(const char *u)
{
	const char	*p = strstr(u, "://");

	if (p == NULL || p == u)
		return 0;
	p += 3;
	return (size_t)(p - u) + strcspn(p, "/?#");
}

/*
 * RFC 8707 resource comparison, tolerant as MCP 2025-06-18,
 * basic/authorization (canonical server URI) asks: the scheme and host
 * compare case-insensitively and one trailing slash is ignored; the
 * path compares exactly.
 */
int
resource_equal(const char *a, const char *b)
{
	size_t	 oa = origin_len(a), ob = origin_len(b), la, lb;

	if (oa == 0 || oa != ob || strncasecmp(a, b, oa) != 0)
		return 0;
	a += oa;
	b += ob;
	la = strlen(a);
	lb = strlen(b);
	if (la > 0 && a[la - 1] == '/')
		la--;
	if (lb > 0 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

/* An absolute URI with no fragment (RFC 8707 §2), of sane length. */
int
resource_valid(const char *r)
{
	size_t	 i, n = strlen(r);

	if (n == 0 || n > 2000 || origin_len(r) == 0 || strchr(r, '#'))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)r[i] <= 0x20 || (unsigned char)r[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * The gate of the POST-only OAuth endpoints (/token, /register,
 * /revoke): their exact path (the web server matches prefixes), the
 * CORS preflight, CORS on every other answer, and POST only.  Returns
 * 1 when the request is for the handler, 0 when the answer is set.
 */
int
oauth_post_endpoint(const struct http_request *req,
    struct http_response *resp, const char *path, const char *what)
{
	if (strcmp(req->path, path) != 0) {
		http_json_error(resp, 404, "not_found", "no such endpoint");
		return 0;
	}
	/* The preflight sets its own CORS headers, each exactly once. */
	if (oauth_cors_preflight(req, resp))
		return 0;
	oauth_cors(resp);
	if (req->method != HTTP_POST) {
		char	 msg[80];

		snprintf(msg, sizeof(msg), "the %s endpoint takes POST only",
		    what);
		http_header(resp, "Allow", "POST, OPTIONS");
		http_json_error(resp, 405, "invalid_request", msg);
		return 0;
	}
	return 1;
}
