/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "form.h"
#include "http.h"

static int
is_b64token(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

/*
 * Decodes one form-urlencoded half of a Basic credential (RFC 6749
 * §2.3.1 encodes client_id and client_secret before base64).
 */
static int
basic_part(const char *s, size_t n, char *out)
{
	char	 tmp[HTTP_AUTH_CRED_MAX * 3 + 1];
	size_t	 len;
	int	 rc = HTTP_AUTH_OK;

	if (n > HTTP_AUTH_CRED_MAX * 3)
		return HTTP_AUTH_ETOOLONG;
	if (percent_decode(s, n, tmp, &len) != FORM_OK)
		rc = HTTP_AUTH_EMALFORMED;
	else if (len > HTTP_AUTH_CRED_MAX)
		rc = HTTP_AUTH_ETOOLONG;
	else
		memcpy(out, tmp, len + 1);
	/* Whatever happened, no copy of a secret stays on the stack. */
	crypto_wipe(tmp, sizeof(tmp));
	return rc;
}

/*
 * Parses an Authorization header: "Bearer <b64token>" (RFC 6750 §2.1)
 * or "Basic <base64(id:secret)>" (RFC 7617), schemes case-insensitive.
 * Any other scheme is HTTP_AUTH_OTHER.  A NULL header is
 * HTTP_AUTH_NONE.
 */
int
http_auth_parse(const char *h, struct http_auth *a)
{
	unsigned char	 raw[(HTTP_AUTH_CRED_MAX * 3) * 2 + 2];
	const char	*p, *colon;
	size_t		 n, rawlen, i;
	int		 rc;

	memset(a, 0, sizeof(*a));
	if (h == NULL)
		return HTTP_AUTH_OK;
	if (strncasecmp(h, "Bearer ", 7) == 0) {
		a->scheme = HTTP_AUTH_BEARER;
		p = h + 7;
	} else if (strncasecmp(h, "Basic ", 6) == 0) {
		a->scheme = HTTP_AUTH_BASIC;
		p = h + 6;
	} else {
		a->scheme = HTTP_AUTH_OTHER;
		return HTTP_AUTH_OK;
	}
	while (*p == ' ')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0)
		return HTTP_AUTH_EMALFORMED;

	if (a->scheme == HTTP_AUTH_BEARER) {
		if (n > HTTP_AUTH_TOKEN_MAX)
			return HTTP_AUTH_ETOOLONG;
		/* b64token = 1*( ALPHA / DIGIT / "-._~+/" ) *"=" */
		for (i = 0; i < n && is_b64token(p[i]); i++)
			continue;
		if (i == 0)
			return HTTP_AUTH_EMALFORMED;
		for (; i < n && p[i] == '='; i++)
			continue;
		if (i != n)
			return HTTP_AUTH_EMALFORMED;
		a->token = p;
		a->token_len = n;
		return HTTP_AUTH_OK;
	}

	if (n > ((sizeof(raw) - 2) / 3) * 4)
		return HTTP_AUTH_ETOOLONG;
	if (base64_decode(p, n, raw, sizeof(raw) - 1, &rawlen) != CRYPTO_OK)
		return HTTP_AUTH_EMALFORMED;
	if (memchr(raw, '\0', rawlen) != NULL ||
	    (colon = memchr(raw, ':', rawlen)) == NULL) {
		crypto_wipe(raw, sizeof(raw));
		return HTTP_AUTH_EMALFORMED;
	}
	if ((rc = basic_part((const char *)raw,
	    (size_t)(colon - (const char *)raw), a->user)) != HTTP_AUTH_OK ||
	    (rc = basic_part(colon + 1,
	    rawlen - (size_t)(colon - (const char *)raw) - 1,
	    a->password)) != HTTP_AUTH_OK) {
		crypto_wipe(raw, sizeof(raw));
		http_auth_clear(a);
		a->scheme = HTTP_AUTH_BASIC;
		return rc;
	}
	crypto_wipe(raw, sizeof(raw));
	if (a->user[0] == '\0')
		return HTTP_AUTH_EMALFORMED;
	return HTTP_AUTH_OK;
}

/* Wipes the decoded Basic password. */
void
http_auth_clear(struct http_auth *a)
{
	crypto_wipe(a->password, sizeof(a->password));
	crypto_wipe(a->user, sizeof(a->user));
}
