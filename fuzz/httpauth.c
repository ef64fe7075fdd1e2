/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The Authorization header: http_auth_parse(), for Bearer tokens (RFC
 * 6750) and Basic client credentials (RFC 7617, with the form-encoding
 * of RFC 6749 §2.3.1).  A parsed Basic credential must survive being
 * encoded again and parsed a second time.
 */
#include <string.h>

#include "../src/lib/buf.h"
#include "../src/lib/crypto.h"
#include "../src/lib/http.h"
#include "fuzz.h"

static int
b64token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("-._~+/=", c) != NULL;
}

/* Standard base64 with padding, from the base64url encoder. */
static void
base64_std(const char *in, size_t n, struct buf *out)
{
	char	*enc;
	size_t	 len, i;

	if ((enc = malloc(n / 3 * 4 + 8)) == NULL)
		abort();
	len = base64url_encode((const unsigned char *)in, n, enc,
	    n / 3 * 4 + 8);
	for (i = 0; i < len; i++)
		if (enc[i] == '-')
			enc[i] = '+';
		else if (enc[i] == '_')
			enc[i] = '/';
	buf_append(out, enc, len);
	for (; len % 4 != 0; len++)
		buf_putc(out, '=');
	free(enc);
}

static void
check_basic_round_trip(const struct http_auth *a)
{
	struct buf		 plain, header;
	struct http_auth	 again;

	buf_init(&plain);
	buf_init(&header);
	url_escape(&plain, a->user);
	buf_putc(&plain, ':');
	url_escape(&plain, a->password);
	buf_puts(&header, "Basic ");
	base64_std(plain.data, plain.len, &header);
	FUZZ_CHECK(!buf_failed(&plain) && !buf_failed(&header));
	if (http_auth_parse(header.data, &again) == HTTP_AUTH_OK) {
		FUZZ_CHECK(again.scheme == HTTP_AUTH_BASIC);
		FUZZ_CHECK(strcmp(again.user, a->user) == 0);
		FUZZ_CHECK(strcmp(again.password, a->password) == 0);
	} else
		/* Only when escaping made the whole too long to accept. */
		FUZZ_CHECK(plain.len > HTTP_AUTH_CRED_MAX * 3 * 2);
	http_auth_clear(&again);
	buf_free(&plain);
	buf_free(&header);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_auth	 a;
	char			*h = fuzz_cstr(data, size);
	size_t			 i;
	int			 rc;

	rc = http_auth_parse(h, &a);
	FUZZ_CHECK(rc == HTTP_AUTH_OK || rc == HTTP_AUTH_EMALFORMED ||
	    rc == HTTP_AUTH_ETOOLONG);
	FUZZ_CHECK(memchr(a.user, '\0', sizeof(a.user)) != NULL);
	FUZZ_CHECK(memchr(a.password, '\0', sizeof(a.password)) != NULL);
	if (rc == HTTP_AUTH_OK && a.scheme == HTTP_AUTH_BEARER) {
		FUZZ_CHECK(a.token >= h && a.token + a.token_len <= h + size);
		FUZZ_CHECK(a.token_len > 0 &&
		    a.token_len <= HTTP_AUTH_TOKEN_MAX);
		FUZZ_CHECK(a.token[0] != '=');
		for (i = 0; i < a.token_len; i++)
			FUZZ_CHECK(b64token_char(a.token[i]));
	}
	if (rc == HTTP_AUTH_OK && a.scheme == HTTP_AUTH_BASIC) {
		FUZZ_CHECK(a.user[0] != '\0');
		check_basic_round_trip(&a);
	}
	if (rc != HTTP_AUTH_OK)
		FUZZ_CHECK(a.scheme == HTTP_AUTH_BEARER ||
		    a.scheme == HTTP_AUTH_BASIC);
	http_auth_clear(&a);
	for (i = 0; i < sizeof(a.password); i++)
		FUZZ_CHECK(a.password[i] == '\0' && a.user[i] == '\0');
	free(h);
	return 0;
}
