/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "form.h"

const struct form_limits form_default_limits = {
	64 * 1024,	/* total */
	64,		/* fields */
	FORM_NAME_MAX,	/* name */
	8 * 1024	/* value */
};

void
form_init(struct form *f)
{
	f->fields = NULL;
	f->len = 0;
	f->bad_name[0] = '\0';
}

/*
 * Names and values are wiped before they are freed: passwords, client
 * secrets, codes and refresh tokens arrive here, and freed memory is
 * handed out again to whatever the process allocates next.
 */
void
form_free(struct form *f)
{
	size_t	 i;

	for (i = 0; i < f->len; i++) {
		crypto_wipe(f->fields[i].name, strlen(f->fields[i].name));
		crypto_wipe(f->fields[i].value, f->fields[i].value_len);
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f->fields);
	form_init(f);
}

/*
 * Decodes n bytes of s into out (which has room for n + 1 bytes) and
 * NUL-terminates it.  "+" becomes a space.  Returns FORM_OK,
 * FORM_EESCAPE or FORM_ENUL.
 */
int
percent_decode(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3)
				return FORM_EESCAPE;
			if ((hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0)
				return FORM_EESCAPE;
			if (hi == 0 && lo == 0)
				return FORM_ENUL;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '\0')
			return FORM_ENUL;
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*outlen = o;
	return FORM_OK;
}

static void
set_bad(struct form *f, const char *name, size_t n)
{
	if (n > sizeof(f->bad_name) - 1)
		n = sizeof(f->bad_name) - 1;
	memcpy(f->bad_name, name, n);
	f->bad_name[n] = '\0';
}

int
form_parse(const char *s, size_t len, const struct form_limits *lim,
    struct form *f)
{
	const char		*p = s, *end = s + len, *amp, *eq;
	struct form_field	*fields;
	char			*name = NULL, *value = NULL;
	size_t			 nlen = 0, vlen = 0, dlen, i;
	int			 rc;

	if (lim == NULL)
		lim = &form_default_limits;
	form_free(f);
	if (len > lim->total)
		return FORM_ETOTAL;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		nlen = (size_t)(eq - p);
		vlen = eq < amp ? (size_t)(amp - eq - 1) : 0;
		if (nlen == 0 || nlen > lim->name * 3) {
			set_bad(f, p, nlen);
			rc = FORM_ENAME;
			goto fail;
		}
		if ((name = malloc(nlen + 1)) == NULL ||
		    (value = malloc(vlen + 1)) == NULL) {
			rc = FORM_ENOMEM;
			goto fail;
		}
		if ((rc = percent_decode(p, nlen, name, &dlen)) != FORM_OK) {
			set_bad(f, p, nlen);
			goto fail;
		}
		if (dlen == 0 || dlen > lim->name) {
			set_bad(f, name, dlen);
			rc = FORM_ENAME;
			goto fail;
		}
		if ((rc = percent_decode(eq < amp ? eq + 1 : eq, vlen, value,
		    &dlen)) != FORM_OK) {
			set_bad(f, name, strlen(name));
			goto fail;
		}
		if (dlen > lim->value) {
			set_bad(f, name, strlen(name));
			rc = FORM_EVALUE;
			goto fail;
		}
		for (i = 0; i < f->len; i++)
			if (strcmp(f->fields[i].name, name) == 0) {
				set_bad(f, name, strlen(name));
				rc = FORM_EDUP;
				goto fail;
			}
		if (f->len == lim->fields) {
			rc = FORM_ECOUNT;
			goto fail;
		}
		fields = realloc(f->fields, (f->len + 1) * sizeof(*fields));
		if (fields == NULL) {
			rc = FORM_ENOMEM;
			goto fail;
		}
		f->fields = fields;
		fields[f->len].name = name;
		fields[f->len].value = value;
		fields[f->len].value_len = dlen;
		f->len++;
		name = value = NULL;
		p = amp < end ? amp + 1 : end;
	}
	return FORM_OK;
fail:
	/* The field being decoded, whole: as in form_free(). */
	if (name != NULL)
		crypto_wipe(name, nlen + 1);
	if (value != NULL)
		crypto_wipe(value, vlen + 1);
	free(name);
	free(value);
	{
		char	 keep[sizeof(f->bad_name)];

		memcpy(keep, f->bad_name, sizeof(keep));
		form_free(f);
		memcpy(f->bad_name, keep, sizeof(keep));
	}
	return rc;
}

/* The value of a field, or NULL when absent or empty (RFC 6749 §3.1). */
const char *
form_get(const struct form *f, const char *name)
{
	size_t	 i;

	for (i = 0; i < f->len; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value[0] != '\0' ?
			    f->fields[i].value : NULL;
	return NULL;
}

const char *
form_strerror(int rc)
{
	switch (rc) {
	case FORM_OK:
		return "success";
	case FORM_ENOMEM:
		return "out of memory";
	case FORM_ETOTAL:
		return "request too large";
	case FORM_ECOUNT:
		return "too many parameters";
	case FORM_ENAME:
		return "invalid parameter name";
	case FORM_EVALUE:
		return "parameter value too long";
	case FORM_EESCAPE:
		return "malformed percent-encoding";
	case FORM_ENUL:
		return "NUL byte in parameter";
	case FORM_EDUP:
		return "parameter included more than once";
	}
	return "unknown error";
}
