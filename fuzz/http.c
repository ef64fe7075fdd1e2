/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * One request as the web server hands it over: http_request_init()
 * from the CGI variables, http_read_body() from the input stream, and
 * the header parsers the endpoints call (Accept, Content-Type,
 * Authorization, the query string).  The input is "NAME=value" lines,
 * then an empty line, then the body, which is read in small pieces.
 */
#include <string.h>
#include <sys/types.h>

#include "../src/lib/form.h"
#include "../src/lib/http.h"
#include "fuzz.h"

#define MAX_VARS	32
#define MAX_BODY	4096

struct input {
	const char	*p;
	size_t		 len;
	size_t		 off;
	size_t		 chunk;
};

static ssize_t
input_read(void *ctx, char *out, size_t n)
{
	struct input	*in = ctx;

	if (n > in->len - in->off)
		n = in->len - in->off;
	if (n > in->chunk)
		n = in->chunk;
	memcpy(out, in->p + in->off, n);
	in->off += n;
	return (ssize_t)n;
}

static int
write_nothing(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		"application/json", "text/event-stream", "text/html",
		"application/x-www-form-urlencoded"
	};
	char			*text = fuzz_cstr(data, size), *line, *next;
	char			*envp[MAX_VARS + 1];
	struct http_request	 req;
	struct http_auth	 auth;
	struct form		 f;
	struct input		 in;
	struct http_io		 io;
	size_t			 nvars = 0, i;
	int			 rc, chunked;

	/* The variables, up to an empty line; the body after it. */
	for (line = text; line != NULL && nvars < MAX_VARS; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			break;
		envp[nvars++] = line;
	}
	envp[nvars] = NULL;
	in.p = next != NULL ? next : "";
	in.len = next != NULL ? size - (size_t)(next - text) : 0;
	in.off = 0;
	in.chunk = size % 7 + 1;
	io.read = input_read;
	io.write = write_nothing;
	io.ctx = &in;

	FUZZ_CHECK(http_request_init(&req, envp) == HTTP_OK);
	FUZZ_CHECK(req.path != NULL && req.query != NULL &&
	    req.method_name != NULL);
	FUZZ_CHECK(strchr(req.path, '?') == NULL ||
	    http_env(envp, "REQUEST_URI") == NULL);
	FUZZ_CHECK(req.content_length >= -2);
	chunked = req.content_length == -1 &&
	    http_env(envp, "HTTP_TRANSFER_ENCODING") != NULL;
	rc = http_read_body(&req, &io, MAX_BODY);
	switch (rc) {
	case HTTP_OK:
		FUZZ_CHECK(req.body != NULL && req.body[req.body_len] == '\0');
		/*
		 * No length but a Transfer-Encoding (a chunked body that
		 * the web server passes on dechunked, under CGI): all of
		 * the input is the body.
		 */
		if (req.content_length < 0 && chunked)
			FUZZ_CHECK(req.body_len == in.len);
		else
			FUZZ_CHECK(req.body_len == (req.content_length < 0 ?
			    0 : (size_t)req.content_length));
		FUZZ_CHECK(req.body_len <= MAX_BODY && req.body_len <= in.len);
		break;
	case HTTP_EBADLENGTH:
		FUZZ_CHECK(req.content_length == -2);
		break;
	case HTTP_ETOOBIG:
		FUZZ_CHECK(req.content_length > MAX_BODY ||
		    (req.content_length < 0 && chunked && in.len > MAX_BODY));
		break;
	case HTTP_ESHORT:
		FUZZ_CHECK(req.content_length > (long long)in.len);
		break;
	default:
		FUZZ_CHECK(!"a read result");
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		(void)http_content_type_is(&req, types[i]);
		rc = http_accepts(&req, types[i]);
		if (req.accept == NULL)
			FUZZ_CHECK(rc == 1);
	}
	(void)http_auth_parse(req.authorization, &auth);
	http_auth_clear(&auth);
	form_init(&f);
	(void)form_parse(req.query, strlen(req.query), NULL, &f);
	form_free(&f);
	http_request_free(&req);
	free(text);
	return 0;
}
