/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include "http.h"

/*
 * Finds the cookie called name in a Cookie header ("a=1; b=2") and
 * copies its value, without surrounding quotes, into out.  Returns 1 if
 * found, 0 if absent, -1 if the value does not fit or has a byte that a
 * cookie value may not contain, or if the name appears more than once.
 * Our cookies are host-only, so two of one name mean that another
 * host of the site set one for its whole domain (cookie tossing: a
 * __Secure- cookie may carry Domain, and under a subdirectory install
 * ours are __Secure-, not __Host-).  Taking either could bind the
 * consent form's CSRF check or the sign-in to a value the other host
 * chose, so neither is taken.
 */
int
cookie_get(const char *header, const char *name, char *out, size_t outsz)
{
	const char	*p = header, *end, *v;
	size_t		 nlen = strlen(name), vlen, i;
	int		 found = 0;

	if (header == NULL)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			v = p + nlen + 1;
			vlen = (size_t)(end - v);
			while (vlen > 0 && (v[vlen - 1] == ' ' ||
			    v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (found || vlen + 1 > outsz)
				return -1;
			for (i = 0; i < vlen; i++)
				if ((unsigned char)v[i] <= 0x20 || v[i] == '"' ||
				    v[i] == ',' || v[i] == '\\' ||
				    (unsigned char)v[i] >= 0x7f)
					return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			found = 1;
		}
		p = end;
	}
	return found;
}
