/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crypto.h"
#include "http.h"
#include "oauth.h"

/* Looks a CGI variable up; an empty value counts as absent. */
const char *
http_env(char **envp, const char *name)
{
	size_t	 n = strlen(name);

	if (envp == NULL)
		return NULL;
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return (*envp)[n + 1] != '\0' ? *envp + n + 1 : NULL;
	return NULL;
}

static const struct {
	const char		*name;
	enum http_method	 method;
} methods[] = {
	{ "GET", HTTP_GET },
	{ "HEAD", HTTP_HEAD },
	{ "POST", HTTP_POST },
	{ "PUT", HTTP_PUT },
	{ "DELETE", HTTP_DELETE },
	{ "OPTIONS", HTTP_OPTIONS },
	{ "PATCH", HTTP_PATCH },
};

/*
 * The CGI variables a request is made of, found in one pass over the
 * environment (looking each up with http_env() walked it once per
 * variable: a sixth of the instructions of a whole /mcp request).  As
 * with http_env(), the first occurrence counts and an empty value is
 * absent.
 */
enum {
	V_REQUEST_METHOD, V_REQUEST_URI, V_SCRIPT_NAME, V_PATH_INFO,
	V_QUERY_STRING, V_CONTENT_TYPE, V_HTTP_AUTHORIZATION,
	V_REDIRECT_HTTP_AUTHORIZATION, V_HTTP_COOKIE, V_HTTP_ORIGIN,
	V_HTTP_HOST, V_HTTP_ACCEPT, V_REMOTE_ADDR, V_REMOTE_USER,
	V_HTTP_MCP_PROTOCOL_VERSION, V_HTTP_ACCESS_CONTROL_REQUEST_METHOD,
	V_HTTPS, V_CONTENT_LENGTH, V__MAX
};

static const char *const request_vars[V__MAX] = {
	"REQUEST_METHOD", "REQUEST_URI", "SCRIPT_NAME", "PATH_INFO",
	"QUERY_STRING", "CONTENT_TYPE", "HTTP_AUTHORIZATION",
	"REDIRECT_HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_ORIGIN",
	"HTTP_HOST", "HTTP_ACCEPT", "REMOTE_ADDR", "REMOTE_USER",
	"HTTP_MCP_PROTOCOL_VERSION", "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
	"HTTPS", "CONTENT_LENGTH"
};

static void
request_vars_scan(char **envp, const char **val)
{
	static size_t	 len[V__MAX];
	unsigned char	 seen[V__MAX];
	const char	*e, *eq;
	size_t		 i, n;

	if (len[0] == 0)
		for (i = 0; i < V__MAX; i++)
			len[i] = strlen(request_vars[i]);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < V__MAX; i++)
		val[i] = NULL;
	if (envp == NULL)
		return;
	for (; *envp != NULL; envp++) {
		e = *envp;
		if ((eq = strchr(e, '=')) == NULL)
			continue;
		n = (size_t)(eq - e);
		for (i = 0; i < V__MAX; i++)
			if (len[i] == n && !seen[i] &&
			    memcmp(e, request_vars[i], n) == 0) {
				seen[i] = 1;
				val[i] = eq[1] != '\0' ? eq + 1 : NULL;
				break;
			}
	}
}

/*
 * Fills req from the CGI variables.  The path comes from REQUEST_URI,
 * the URL the client asked for, so that the programs answer the same
 * under lighttpd, under Apache's rewrites and as plain CGI.
 */
int
http_request_init(struct http_request *req, char **envp)
{
	const char	*uri, *q, *v;
	const char	*var[V__MAX];
	size_t		 i, n;
	char		*end;

	memset(req, 0, sizeof(*req));
	req->envp = envp;
	req->content_length = -1;
	request_vars_scan(envp, var);
	req->method_name = var[V_REQUEST_METHOD];
	if (req->method_name == NULL)
		req->method_name = "GET";
	req->method = HTTP_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, req->method_name) == 0)
			req->method = methods[i].method;

	if ((uri = var[V_REQUEST_URI]) != NULL) {
		q = strchr(uri, '?');
		n = q != NULL ? (size_t)(q - uri) : strlen(uri);
		req->path = strndup(uri, n);
	} else {
		const char	*script = var[V_SCRIPT_NAME];
		const char	*info = var[V_PATH_INFO];
		size_t		 len;

		len = (script ? strlen(script) : 0) + (info ? strlen(info) : 0);
		if ((req->path = malloc(len + 2)) != NULL)
			snprintf(req->path, len + 2, "%s%s",
			    script ? script : "", info ? info : "");
	}
	if (req->path == NULL)
		return HTTP_ENOMEM;
	if ((req->query = var[V_QUERY_STRING]) == NULL)
		req->query = "";
	req->content_type = var[V_CONTENT_TYPE];
	/*
	 * Apache's rewrite workaround for the Authorization header lands in
	 * REDIRECT_HTTP_AUTHORIZATION after an internal redirect.
	 */
	if ((req->authorization = var[V_HTTP_AUTHORIZATION]) == NULL)
		req->authorization = var[V_REDIRECT_HTTP_AUTHORIZATION];
	req->cookie = var[V_HTTP_COOKIE];
	req->origin = var[V_HTTP_ORIGIN];
	req->host = var[V_HTTP_HOST];
	req->accept = var[V_HTTP_ACCEPT];
	req->remote_addr = var[V_REMOTE_ADDR];
	req->remote_user = var[V_REMOTE_USER];
	req->protocol_version = var[V_HTTP_MCP_PROTOCOL_VERSION];
	req->access_control_request_method =
	    var[V_HTTP_ACCESS_CONTROL_REQUEST_METHOD];
	v = var[V_HTTPS];
	req->https = v != NULL && strcasecmp(v, "off") != 0;
	if ((v = var[V_CONTENT_LENGTH]) != NULL) {
		errno = 0;
		if (!isdigit((unsigned char)*v))
			req->content_length = -2;
		else {
			req->content_length = strtoll(v, &end, 10);
			if (*end != '\0' || errno != 0)
				req->content_length = -2;
		}
	}
	return HTTP_OK;
}

/*
 * The body is wiped before it is freed: passwords, client secrets,
 * codes and refresh tokens arrive in it, and freed memory is handed
 * out again to whatever the process allocates next.
 */
static void
body_free(struct http_request *req, size_t len)
{
	if (req->body != NULL)
		crypto_wipe(req->body, len);
	free(req->body);
	req->body = NULL;
	req->body_len = 0;
}

void
http_request_free(struct http_request *req)
{
	free(req->path);
	req->path = NULL;
	body_free(req, req->body_len);
}

/*
 * Reads a body whose length nobody told us, to the end of the input,
 * refusing it once it passes max bytes.  The buffer grows by doubling;
 * each old one is wiped before it is freed, as the body is.
 */
static int
read_body_to_end(struct http_request *req, const struct http_io *io,
    size_t max)
{
	char	*p, *grown;
	size_t	 cap = 4096, got = 0;
	ssize_t	 n;
	int	 rc = HTTP_OK;

	if ((p = malloc(cap + 1)) == NULL)
		return HTTP_ENOMEM;
	for (;;) {
		if (got == cap) {
			if (cap > max) {
				rc = HTTP_ETOOBIG;
				goto out;
			}
			if ((grown = malloc(cap * 2 + 1)) == NULL) {
				rc = HTTP_ENOMEM;
				goto out;
			}
			memcpy(grown, p, got);
			crypto_wipe(p, got);
			free(p);
			p = grown;
			cap *= 2;
		}
		if ((n = io->read(io->ctx, p + got, cap - got)) < 0) {
			rc = HTTP_EIO;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			rc = HTTP_ETOOBIG;
			goto out;
		}
	}
	p[got] = '\0';
	req->body = p;
	req->body_len = got;
	return HTTP_OK;
out:
	crypto_wipe(p, got);
	free(p);
	return rc;
}

/*
 * Reads the body announced by CONTENT_LENGTH, refusing more than max
 * bytes before reading any of it.  The body is NUL-terminated for the
 * parsers' convenience; body_len is its real length.
 *
 * A chunked request body comes without CONTENT_LENGTH when Apache runs
 * us as plain CGI (lighttpd and mod_fcgid count it first): the
 * Transfer-Encoding header, which Apache passes on as
 * HTTP_TRANSFER_ENCODING, says there is one, and it ends where the
 * input ends (RFC 3875 section 4.2 lets the server do so).  Without
 * either, there is no body.
 */
int
http_read_body(struct http_request *req, const struct http_io *io,
    size_t max)
{
	size_t	 len, got = 0;
	ssize_t	 n;

	if (req->content_length == -2)
		return HTTP_EBADLENGTH;
	if (req->content_length == -1 &&
	    http_env(req->envp, "HTTP_TRANSFER_ENCODING") != NULL)
		return read_body_to_end(req, io, max);
	len = req->content_length < 0 ? 0 : (size_t)req->content_length;
	if (req->content_length > (long long)max)
		return HTTP_ETOOBIG;
	if ((req->body = malloc(len + 1)) == NULL)
		return HTTP_ENOMEM;
	while (got < len) {
		n = io->read(io->ctx, req->body + got, len - got);
		if (n <= 0) {
			/* What was read is gone with the request. */
			body_free(req, got);
			return n < 0 ? HTTP_EIO : HTTP_ESHORT;
		}
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	return HTTP_OK;
}

/*
 * Compares the media type of Content-Type, ignoring case and any
 * parameters ("application/json; charset=utf-8").
 */
int
http_content_type_is(const struct http_request *req, const char *type)
{
	const char	*ct = req->content_type;
	size_t		 n = strlen(type);

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/*
 * Whether a posted form may come from one of our own pages, by what
 * the browser says of where the request comes from (Fetch Metadata,
 * Sec-Fetch-Site): yes for "same-origin" and for "none" (the person
 * typed or bookmarked it), no for "same-site", "cross-site" or
 * anything else.  Without the header (an older browser, or not a
 * browser) the form's CSRF token alone decides.
 *
 * The CSRF tokens already stop a page elsewhere; this also stops
 * another host of the same site, which can toss a cookie of its own
 * choosing at us (scoped to our path, it wins over ours) and so would
 * know the token that cookie is bound to.  The Origin header cannot
 * serve instead: our pages send no referrer, so their forms post with
 * "Origin: null".
 */
int
http_same_origin_post(const struct http_request *req)
{
	const char	*site = http_env(req->envp, "HTTP_SEC_FETCH_SITE");

	return site == NULL || strcmp(site, "same-origin") == 0 ||
	    strcmp(site, "none") == 0;
}

/*
 * Whether the Accept header allows the given media type: absent, the
 * type itself, "type/ *" or "* / *", with q > 0.
 */
int
http_accepts(const struct http_request *req, const char *type)
{
	const char	*p = req->accept, *slash, *e, *semi;
	size_t		 n, tlen = strlen(type);

	if (p == NULL)
		return 1;
	slash = strchr(type, '/');
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		if ((semi = memchr(p, ';', (size_t)(e - p))) == NULL)
			semi = e;
		n = (size_t)(semi - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == tlen && strncasecmp(p, type, n) == 0) ||
		    (n == 3 && strncmp(p, "*/*", 3) == 0) ||
		    (slash != NULL && n == (size_t)(slash - type) + 2 &&
		    strncasecmp(p, type, (size_t)(slash - type) + 1) == 0 &&
		    p[n - 1] == '*')) {
			/* A q=0 parameter means "not acceptable". */
			const char	*qp = semi;
			int		 refused = 0;

			while (qp < e) {
				while (qp < e && (*qp == ';' || *qp == ' '))
					qp++;
				if (e - qp >= 3 && (qp[0] == 'q' ||
				    qp[0] == 'Q') && qp[1] == '=') {
					const char	*d = qp + 2;

					refused = 1;
					while (d < e && *d != ';') {
						if (*d >= '1' && *d <= '9')
							refused = 0;
						d++;
					}
				}
				while (qp < e && *qp != ';')
					qp++;
			}
			if (!refused)
				return 1;
		}
		p = e;
	}
	return 0;
}

void
http_response_init(struct http_response *resp)
{
	resp->status = 200;
	resp->omit_body = 0;
	resp->sent = 0;
	buf_init(&resp->headers);
	buf_init(&resp->body);
}

void
http_response_reset(struct http_response *resp)
{
	resp->status = 200;
	resp->omit_body = 0;
	buf_reset(&resp->headers);
	buf_reset(&resp->body);
}

void
http_response_free(struct http_response *resp)
{
	buf_free(&resp->headers);
	buf_free(&resp->body);
}

void
http_status(struct http_response *resp, int status)
{
	resp->status = status;
}

/*
 * Adds one header.  A value containing CR, LF or NUL would let a
 * client split the response: such a header is refused (-1) and not
 * written.
 */
int
http_header(struct http_response *resp, const char *name, const char *value)
{
	const char	*p;

	for (p = value; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			return -1;
	buf_puts(&resp->headers, name);
	buf_append(&resp->headers, ": ", 2);
	buf_puts(&resp->headers, value);
	buf_append(&resp->headers, "\r\n", 2);
	return 0;
}

int
http_headerf(struct http_response *resp, const char *name,
    const char *fmt, ...)
{
	struct buf	 b;
	va_list		 ap;
	int		 rc;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rc = buf_failed(&b) ? -1 : http_header(resp, name, buf_cstr(&b));
	buf_free(&b);
	return rc;
}

void
http_body(struct http_response *resp, const char *p, size_t n)
{
	buf_append(&resp->body, p, n);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 409:
		return "Conflict";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	}
	return "Unknown";
}

/*
 * Writes the CGI response: a Status line, the headers, Content-Length
 * and the body.  If building the response ran out of memory, a bare 500
 * goes out instead.
 */
int
http_response_write(struct http_response *resp, const struct http_io *io)
{
	static const char oombody[] =
	    "{\"error\":\"server_error\",\"error_description\":"
	    "\"out of memory\"}\n";
	char	 head[128];
	int	 n;
	size_t	 blen;

	if (resp->sent)
		return 0;
	if (buf_failed(&resp->headers) || buf_failed(&resp->body)) {
		n = snprintf(head, sizeof(head), "Status: 500 Internal Server "
		    "Error\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n", sizeof(oombody) - 1);
		if (io->write(io->ctx, head, (size_t)n) == -1)
			return -1;
		return io->write(io->ctx, oombody, sizeof(oombody) - 1);
	}
	blen = resp->body.len;
	if (resp->status == 204 || resp->status == 304)
		blen = 0;
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n", resp->status,
	    http_reason(resp->status));
	if (io->write(io->ctx, head, (size_t)n) == -1 ||
	    io->write(io->ctx, buf_cstr(&resp->headers),
	    resp->headers.len) == -1)
		return -1;
	if (resp->status != 204 && resp->status != 304) {
		n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n",
		    blen);
		if (io->write(io->ctx, head, (size_t)n) == -1)
			return -1;
	}
	if (io->write(io->ctx, "\r\n", 2) == -1)
		return -1;
	if (blen > 0 && !resp->omit_body &&
	    io->write(io->ctx, buf_cstr(&resp->body), blen) == -1)
		return -1;
	return 0;
}

/* A JSON body (already serialised) with its Content-Type. */
void
http_json(struct http_response *resp, int status, const char *json)
{
	http_status(resp, status);
	http_header(resp, "Content-Type", "application/json");
	buf_reset(&resp->body);
	buf_puts(&resp->body, json);
	buf_putc(&resp->body, '\n');
}

/* The OAuth error shape: {"error": ..., "error_description": ...}. */
void
http_json_error(struct http_response *resp, int status, const char *error,
    const char *description)
{
	http_status(resp, status);
	http_header(resp, "Content-Type", "application/json");
	buf_reset(&resp->body);
	buf_puts(&resp->body, "{\"error\":\"");
	json_escape(&resp->body, error);
	buf_putc(&resp->body, '"');
	if (description != NULL) {
		buf_puts(&resp->body, ",\"error_description\":\"");
		/* RFC 6749 section 5.2's character set needs no escaping. */
		oauth_text_append(&resp->body, description);
		buf_putc(&resp->body, '"');
	}
	buf_puts(&resp->body, "}\n");
}
