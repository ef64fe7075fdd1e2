/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Query strings of the /admin pages (adminquery.h).
 */
#include <string.h>

#include "adminquery.h"
#include "form.h"

/*
 * Appends "name=value" to q, after a "&" unless q is empty, the value
 * percent-encoded (RFC 3986 §2.1): everything but the unreserved
 * characters, so that a client id with "&", "#" or "/" comes back as
 * it was.  A NULL or empty value appends nothing.
 */
void
adminquery_add(struct buf *q, const char *name, const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	if (value == NULL || *value == '\0')
		return;
	if (q->len > 0)
		buf_putc(q, '&');
	buf_printf(q, "%s=", name);
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_putc(q, (char)*p);
		else {
			buf_putc(q, '%');
			buf_putc(q, hex[*p >> 4]);
			buf_putc(q, hex[*p & 0x0f]);
		}
	}
}

/*
 * The field name of form f (the query or the posted form), or NULL when
 * absent or empty, or when longer than max bytes: then *toolong is set,
 * for the page to say that it left it out.
 */
const char *
adminquery_field(const struct form *f, const char *name, size_t max,
    int *toolong)
{
	const char	*v = f != NULL ? form_get(f, name) : NULL;

	if (v == NULL || *v == '\0')
		return NULL;
	if (strlen(v) > max) {
		*toolong = 1;
		return NULL;
	}
	return v;
}
