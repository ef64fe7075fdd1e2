/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "uritmpl.h"

/* One expression of a template: its operator and variable name. */
struct expr {
	char		 op;		/* '\0', '+' or '#' */
	const char	*name;
	size_t		 namelen;
	const char	*end;		/* just past the closing brace */
};

static const char unreserved[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz0123456789-._~";
static const char reserved[] = ":/?#[]@!$&'()*+,;=";

/*
 * Reads the expression that starts at p ('{').  Variable names are
 * ASCII letters, digits and "_" (RFC 6570 section 2.3 allows more; a
 * resource template needs no more), at most URITMPL_NAME_MAX of them.
 */
static int
read_expr(const char *p, struct expr *e)
{
	size_t	 n;

	p++;
	e->op = '\0';
	if (*p == '+' || *p == '#')
		e->op = *p++;
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_");
	if (n == 0 || n > URITMPL_NAME_MAX || p[n] != '}')
		return -1;
	e->name = p;
	e->namelen = n;
	e->end = p + n + 1;
	return 0;
}

/*
 * Whether t is a template we can expand and match: bounded in length
 * and in expressions, every brace part of a well-formed expression of
 * level 1 or 2, each name used once, and literal text between any two
 * expressions, unless the second is a fragment: its "#" ends the first.
 */
int
uritmpl_check(const char *t)
{
	struct expr	 e, seen[URITMPL_VARS_MAX];
	const char	*p;
	size_t		 n = 0, i;
	int		 after_expr = 0;

	if (strlen(t) > URITMPL_LEN_MAX)
		return -1;
	for (p = t; *p != '\0'; ) {
		if (*p == '}')
			return -1;
		if (*p != '{') {
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				return -1;
			after_expr = 0;
			p++;
			continue;
		}
		if (n == URITMPL_VARS_MAX || read_expr(p, &e) == -1 ||
		    (after_expr && e.op != '#'))
			return -1;
		for (i = 0; i < n; i++)
			if (seen[i].namelen == e.namelen &&
			    memcmp(seen[i].name, e.name, e.namelen) == 0)
				return -1;
		seen[n++] = e;
		after_expr = 1;
		p = e.end;
	}
	return 0;
}

/*
 * Appends value as RFC 6570 section 3.2.1 does: unreserved characters
 * as they are, reserved ones and existing %XX triplets as they are too
 * for "+" and "#", everything else percent-encoded as UTF-8 octets.
 */
static void
put_value(struct buf *out, const char *v, int allow_reserved)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	for (; *v != '\0'; v++) {
		c = (unsigned char)*v;
		if (strchr(unreserved, c) != NULL ||
		    (allow_reserved && strchr(reserved, c) != NULL) ||
		    (allow_reserved && c == '%' && hex_value(v[1]) >= 0 &&
		    hex_value(v[2]) >= 0)) {
			buf_putc(out, (char)c);
			continue;
		}
		buf_putc(out, '%');
		buf_putc(out, hex[c >> 4]);
		buf_putc(out, hex[c & 15]);
	}
}

/*
 * Expands t with n variables (names and values); an undefined variable
 * expands to nothing, its "#" included (RFC 6570 section 3.2.1).
 */
int
uritmpl_expand(const char *t, const char *const *names,
    const char *const *values, size_t n, struct buf *out)
{
	struct expr	 e;
	const char	*p, *v;
	size_t		 i;

	if (uritmpl_check(t) == -1)
		return -1;
	for (p = t; *p != '\0'; ) {
		if (*p != '{') {
			buf_putc(out, *p++);
			continue;
		}
		read_expr(p, &e);
		p = e.end;
		for (v = NULL, i = 0; i < n && v == NULL; i++)
			if (strlen(names[i]) == e.namelen &&
			    memcmp(names[i], e.name, e.namelen) == 0)
				v = values[i];
		if (v == NULL)
			continue;
		if (e.op == '#')
			buf_putc(out, '#');
		put_value(out, v, e.op != '\0');
	}
	return buf_failed(out) ? -1 : 0;
}

/*
 * Decodes the n bytes of a matched value into *dst, checking that
 * they could be the expansion of op: only unreserved characters and
 * %XX triplets for a simple expression, reserved characters too for
 * "+" and "#".  A decoded NUL is refused: values are C strings.
 */
static int
take_value(const char *s, size_t n, char op, char **dst)
{
	char	*d = *dst;
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0 || (hi | lo) == 0)
				return -1;
			*d++ = (char)(hi << 4 | lo);
			i += 2;
			continue;
		}
		if (strchr(unreserved, s[i]) == NULL &&
		    (op == '\0' || strchr(reserved, s[i]) == NULL))
			return -1;
		*d++ = s[i];
	}
	*d++ = '\0';
	*dst = d;
	return 0;
}

/*
 * Matches uri against template t; on success vars holds each
 * expression's decoded value (empty if the expression matched
 * nothing).  Returns -1 if the template is invalid, the URI too long,
 * or the URI not an expansion of the template.
 */
int
uritmpl_match(const char *t, const char *uri, struct uritmpl_vars *vars)
{
	struct expr	 e;
	const char	*p, *u = uri, *lit, *stop;
	char		*d = vars->space;
	size_t		 litlen;

	vars->n = 0;
	if (uritmpl_check(t) == -1 || strlen(uri) > URITMPL_LEN_MAX)
		return -1;
	for (p = t; *p != '\0'; ) {
		if (*p != '{') {
			if (*u++ != *p++)
				return -1;
			continue;
		}
		read_expr(p, &e);
		p = e.end;
		memcpy(d, e.name, e.namelen);
		d[e.namelen] = '\0';
		vars->name[vars->n] = d;
		d += e.namelen + 1;
		vars->value[vars->n] = d;
		vars->n++;
		/* The literal after the expression: up to "{" or the end. */
		lit = p;
		litlen = strcspn(lit, "{");
		if (e.op == '#') {
			if (*u != '#') {
				*d++ = '\0';
				continue;
			}
			u++;
		}
		if (litlen == 0 && lit[0] == '{' && lit[1] == '#') {
			if ((stop = strchr(u, '#')) == NULL)
				stop = u + strlen(u);
		} else if (litlen == 0)
			stop = u + strlen(u);
		else {
			char	 first[2] = { lit[0], '\0' };

			/* The first occurrence of the whole literal. */
			for (stop = u; *stop != '\0'; stop++) {
				stop += strcspn(stop, first);
				if (*stop == '\0' ||
				    strncmp(stop, lit, litlen) == 0)
					break;
			}
			if (*stop == '\0')
				return -1;
		}
		if (take_value(u, (size_t)(stop - u), e.op, &d) == -1)
			return -1;
		u = stop;
	}
	return *u == '\0' ? 0 : -1;
}

/* The value of a matched variable, or NULL. */
const char *
uritmpl_get(const struct uritmpl_vars *vars, const char *name)
{
	size_t	 i;

	for (i = 0; i < vars->n; i++)
		if (strcmp(vars->name[i], name) == 0)
			return vars->value[i];
	return NULL;
}
