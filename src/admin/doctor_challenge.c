/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: reading a WWW-Authenticate header as a
 * client does (RFC 9110 section 11.2 and 11.6.1, which replaced
 * RFC 7235 section 2.1):
 *
 *   WWW-Authenticate = #challenge
 *   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 *
 * Several challenges may share one header (and several headers are
 * one list: dr_header() joins them with commas), a quoted-string may
 * hold commas and backslash escapes, and scheme and parameter names
 * are case-insensitive.  The list is split at the commas outside
 * quoted-strings: an element that is "token BWS =" continues the
 * current challenge; any other element starts a new one.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"

/* tchar, RFC 9110 section 5.6.2. */
static int
tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A token68 character before its trailing "=" (section 11.2). */
static int
t68char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("-._~+/", c) !=
	    NULL);
}

static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static size_t
token_len(const char *p)
{
	size_t	 n = 0;

	while (tchar((unsigned char)p[n]))
		n++;
	return n;
}

/*
 * Reads a token or a quoted-string (section 5.6.4: qdtext, and
 * quoted-pairs unescaped) at p into out when out is not NULL.  Returns
 * the end of the value, or NULL when there is none, it is not closed,
 * holds a control character, or does not fit out.
 */
static const char *
read_value(const char *p, char *out, size_t outsz)
{
	size_t		 used = 0;
	unsigned char	 c;

	if (*p != '"') {
		if ((used = token_len(p)) == 0)
			return NULL;
		if (out != NULL) {
			if (used >= outsz)
				return NULL;
			memcpy(out, p, used);
			out[used] = '\0';
		}
		return p + used;
	}
	for (p++; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		c = (unsigned char)*p;
		/* HTAB, SP, VCHAR and obs-text; nothing else, NUL included. */
		if (c != '\t' && (c < ' ' || c == 0x7f))
			return NULL;
		if (out != NULL) {
			if (used + 1 >= outsz)
				return NULL;
			out[used++] = (char)c;
		}
	}
	if (out != NULL)
		out[used] = '\0';
	return p + 1;
}

/*
 * An auth-param at p (token BWS "=" BWS value, then OWS and the end of
 * the list element).  Returns its end (at the "," or the NUL), or NULL
 * when p is not one.  *name and *namelen receive the name, *value the
 * start of the value.
 */
static const char *
auth_param(const char *p, const char **name, size_t *namelen,
    const char **value)
{
	const char	*q;
	size_t		 n;

	if ((n = token_len(p)) == 0)
		return NULL;
	q = skip_ows(p + n);
	if (*q != '=')
		return NULL;
	q = skip_ows(q + 1);
	*name = p;
	*namelen = n;
	*value = q;
	if ((q = read_value(q, NULL, 0)) == NULL)
		return NULL;
	q = skip_ows(q);
	return *q == ',' || *q == '\0' ? q : NULL;
}

/* A token68 at p, then OWS and the end of the element, or NULL. */
static const char *
token68(const char *p)
{
	const char	*q = p;

	while (t68char((unsigned char)*q))
		q++;
	if (q == p)
		return NULL;
	while (*q == '=')
		q++;
	q = skip_ows(q);
	return *q == ',' || *q == '\0' ? q : NULL;
}

/*
 * The value of the auth-param name in the challenge(s) of scheme in
 * the WWW-Authenticate value h, unescaped, into out.  Returns 1 when
 * found, 0 when not, -1 when h does not parse, the parameter appears
 * twice, or its value does not fit out: a client cannot rely on such
 * a header, so neither does doctor.
 */
int
dr_challenge_param(const char *h, const char *scheme, const char *name,
    char *out, size_t outsz)
{
	const char	*p = h, *q, *pname, *value;
	size_t		 n, pnamelen;
	int		 in_scheme = 0, in_challenge = 0, found = 0;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	for (;;) {
		/* The start of a list element; empty ones are allowed. */
		p = skip_ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		if ((q = auth_param(p, &pname, &pnamelen, &value)) != NULL) {
			/* A further auth-param of the current challenge. */
			if (!in_challenge)
				return -1;
		} else {
			/* A new challenge: its scheme, then 1*SP and more. */
			if ((n = token_len(p)) == 0)
				return -1;
			in_challenge = 1;
			in_scheme = n == strlen(scheme) &&
			    strncasecmp(p, scheme, n) == 0;
			q = p + n;
			if (*q == ',' || *q == '\0') {
				p = q;
				continue;
			}
			if (*q != ' ')
				return -1;
			q = skip_ows(q);
			if (*q == ',' || *q == '\0') {
				p = q;
				continue;
			}
			p = q;
			if ((q = auth_param(p, &pname, &pnamelen,
			    &value)) == NULL) {
				if ((q = token68(p)) == NULL)
					return -1;
				p = q;
				continue;
			}
		}
		if (in_scheme && pnamelen == strlen(name) &&
		    strncasecmp(pname, name, pnamelen) == 0) {
			if (found || read_value(value, out, outsz) == NULL)
				return -1;
			found = 1;
		}
		p = q;
	}
	return found;
}
