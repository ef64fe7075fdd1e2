/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * application/x-www-form-urlencoded parsing, for query strings and
 * request bodies.  Names and values are percent-decoded ("+" is a
 * space), an embedded NUL is refused, every size is limited, and a name
 * given twice is an error (RFC 6749 §3.1: parameters "MUST NOT be
 * included more than once").  Parameters with an empty value are
 * treated as omitted (RFC 6749 §3.1).
 */
#ifndef MCP_FORM_H
#define MCP_FORM_H

#include <stddef.h>

/* The longest parameter name of form_default_limits. */
#define FORM_NAME_MAX	64

enum form_err {
	FORM_OK = 0,
	FORM_ENOMEM,
	FORM_ETOTAL,		/* the whole input is too long */
	FORM_ECOUNT,		/* too many fields */
	FORM_ENAME,		/* a name is too long or empty */
	FORM_EVALUE,		/* a value is too long */
	FORM_EESCAPE,		/* bad percent-escape */
	FORM_ENUL,		/* %00 in a name or value */
	FORM_EDUP		/* a name appears twice */
};

struct form_limits {
	size_t	 total;
	size_t	 fields;
	size_t	 name;
	size_t	 value;
};

struct form_field {
	char	*name;
	char	*value;
	size_t	 value_len;
};

struct form {
	struct form_field	*fields;
	size_t			 len;
	/*
	 * After an error: the name of the offending field, if known, cut
	 * to FORM_NAME_MAX when the limits allow longer names.
	 */
	char			 bad_name[FORM_NAME_MAX + 1];
};

extern const struct form_limits form_default_limits;

void	 form_init(struct form *);
void	 form_free(struct form *);
int	 form_parse(const char *, size_t, const struct form_limits *,
	    struct form *);
const char *form_get(const struct form *, const char *);
const char *form_strerror(int);
int	 percent_decode(const char *, size_t, char *, size_t *);

#endif
