/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: its requests (through the library's libcurl
 * client, bounded in size and time), and reading their answers: the
 * headers, the JSON bodies, the CORS lists.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/httpclient.h"
#include "doctor.h"

void
dr_resp_free(struct dr_resp *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	buf_free(&r->cert_pem);
	memset(r, 0, sizeof(*r));
}

/*
 * An HTTP date (RFC 9110 section 5.6.7, the IMF-fixdate form every
 * server sends) as a time, or 0.
 */
static time_t
http_date(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return 0;
	return timegm(&tm);
}

/*
 * Sends one request: method to url with the extra request headers
 * and body.  Returns 0 when the server answered (whatever the status),
 * -1 when it did not (r->err says why, r->tls_failed if TLS was the
 * reason).  The first Date header seen is kept for the clock check.
 */
int
dr_request(struct doctor *d, const char *method, const char *url,
    const char *const *headers, const char *body, int want_cert,
    struct dr_resp *r)
{
	struct httpc_exchange	 x;
	char			 date[128];
	int			 rc;

	memset(r, 0, sizeof(*r));
	buf_init(&r->headers);
	buf_init(&r->body);
	buf_init(&r->cert_pem);
	httpc_exchange_init(&x);
	x.method = method;
	x.url = url;
	x.ca_file = d->ca_file;
	x.insecure = d->insecure;
	x.headers = headers;
	x.body = body;
	x.max_body = DR_MAX_BODY;
	x.max_headers = DR_MAX_HEADERS;
	x.timeout_ms = DR_TIMEOUT_MS;
	x.want_cert = want_cert;
	rc = httpc_exchange(&x, r->err, sizeof(r->err));
	r->status = x.status;
	r->tls_failed = x.tls_failed;
	/* The buffers change hands: r frees them. */
	r->headers = x.resp_headers;
	r->body = x.resp_body;
	r->cert_pem = x.cert_pem;
	if (rc != HTTPC_OK)
		return -1;
	if (d->server_date == 0 &&
	    dr_header(r, "Date", date, sizeof(date)) == 1) {
		d->server_date = http_date(date);
		d->local_date = time(NULL);
	}
	return 0;
}

/*
 * The value of the response header name (every line of that name,
 * joined with ", " as RFC 9110 section 5.3 allows), trimmed, into
 * out.  Returns 1 when there is one, 0 when not, and -1 when the value
 * does not fit in out: a cut list could drop the very item a check
 * looks for, or keep half of one, so the caller reports it instead of
 * judging the cut value (out then holds what fitted).
 */
int
dr_header(const struct dr_resp *r, const char *name, char *out,
    size_t outsz)
{
	const char	*p = buf_cstr(&r->headers), *eol, *v;
	size_t		 n = strlen(name), len, used = 0;
	int		 found = 0, cut = 0;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	for (; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) <= n || p[n] != ':' ||
		    strncasecmp(p, name, n) != 0)
			continue;
		v = p + n + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		len = (size_t)(eol - v);
		while (len > 0 && isspace((unsigned char)v[len - 1]))
			len--;
		if (found && used + 2 < outsz) {
			memcpy(out + used, ", ", 2);
			used += 2;
		} else if (found)
			cut = 1;
		if (used + len >= outsz) {
			len = outsz - used - 1;
			cut = 1;
		}
		memcpy(out + used, v, len);
		used += len;
		out[used] = '\0';
		found = 1;
	}
	return cut ? -1 : found;
}

/*
 * The body as a JSON object, or NULL (caller puts it): one JSON text
 * (RFC 8259 section 2), nothing but white space after it, at most 32
 * levels deep.
 */
struct json_object *
dr_json(const struct dr_resp *r)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	const char		*text = buf_cstr(&r->body);
	size_t			 end;

	if ((tok = json_tokener_new_ex(32)) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)r->body.len);
	end = json_tokener_get_parse_end(tok);
	if (end < r->body.len)
		end += strspn(text + end, " \t\r\n");
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    end != r->body.len ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * The string v, or NULL when it is not one or holds a NUL byte: json-c
 * keeps "\u0000" in a string, and a C comparison would stop there
 * ("https://a\u0000evil" would equal "https://a").
 */
const char *
dr_json_string(struct json_object *v)
{
	const char	*s;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

/* The string member key of o (as dr_json_string()), or NULL. */
const char *
dr_json_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return dr_json_string(v);
}

/*
 * Whether a CORS list header (Access-Control-Allow-Headers, -Methods
 * or -Expose-Headers: comma-separated, any case, OWS around items)
 * names item.  With star_ok, "*" names every item but Authorization,
 * as for a request without credentials (Fetch standard, CORS-preflight
 * fetch: "*" is a wildcard only then, and never covers Authorization).
 */
int
dr_cors_list_allows(const char *list, const char *item, int star_ok)
{
	const char	*p = list, *q;
	size_t		 n = strlen(item), len;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		q = p + strcspn(p, ",");
		len = (size_t)(q - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && strncasecmp(p, item, n) == 0)
			return 1;
		if (star_ok && len == 1 && *p == '*' &&
		    strcasecmp(item, "Authorization") != 0)
			return 1;
		p = q;
	}
	return 0;
}
