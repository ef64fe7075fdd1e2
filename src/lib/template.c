/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "template.h"

#define TMPL_DEPTH_MAX	8
#define TMPL_PARTIAL_MAX	64	/* the name in {{>name}} */

struct render {
	const struct tmpl_scope	*stack[TMPL_DEPTH_MAX];
	size_t			 depth;
	struct buf		*out;
	char			*err;
	size_t			 errsz;
};

static const struct tmpl_var *
lookup(const struct render *r, const char *name, size_t n)
{
	size_t	 d, i;

	for (d = r->depth; d > 0; d--) {
		const struct tmpl_scope	*s = r->stack[d - 1];

		for (i = 0; i < s->nvars; i++)
			if (strlen(s->vars[i].name) == n &&
			    strncmp(s->vars[i].name, name, n) == 0)
				return &s->vars[i];
	}
	return NULL;
}

/*
 * Finds the {{/name}} that closes the section opened just before p,
 * skipping nested sections of the same name.
 */
static const char *
section_end(const char *p, const char *name, size_t n, const char **after)
{
	int		 nest = 0;
	const char	*q;

	for (q = strstr(p, "{{"); q != NULL; q = strstr(q + 2, "{{")) {
		if ((q[2] == '#' || q[2] == '^') &&
		    strncmp(q + 3, name, n) == 0 && strncmp(q + 3 + n, "}}", 2)
		    == 0)
			nest++;
		else if (q[2] == '/' && strncmp(q + 3, name, n) == 0 &&
		    strncmp(q + 3 + n, "}}", 2) == 0) {
			if (nest-- == 0) {
				*after = q + 5 + n;
				return q;
			}
		}
	}
	return NULL;
}

static int
fail(struct render *r, int rc, const char *what, const char *name, size_t n)
{
	snprintf(r->err, r->errsz, "%s \"%.*s\"", what, (int)n, name);
	return rc;
}

/* Renders [p, end) with the current scope stack. */
static int
render_range(struct render *r, const char *p, const char *end)
{
	const char		*open, *close, *name, *body, *body_end, *after;
	const struct tmpl_var	*v;
	size_t			 n, i;
	char			 kind;
	int			 rc;

	while (p < end) {
		open = strstr(p, "{{");
		if (open == NULL || open >= end) {
			buf_append(r->out, p, (size_t)(end - p));
			break;
		}
		buf_append(r->out, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (close == NULL || close >= end)
			return fail(r, TMPL_ESYNTAX, "unclosed tag at", open,
			    strnlen(open, 20));
		kind = open[2];
		name = open + 2;
		if (kind == '#' || kind == '^' || kind == '/')
			name++;
		n = (size_t)(close - name);
		if (n == 0 || n > 64)
			return fail(r, TMPL_ESYNTAX, "bad tag", open,
			    strnlen(open, 20));
		if (kind == '/')
			return fail(r, TMPL_ESYNTAX, "unopened section", name,
			    n);
		v = lookup(r, name, n);
		if (v == NULL)
			return fail(r, TMPL_EUNKNOWN, "unknown name", name, n);
		if (kind != '#' && kind != '^') {
			if (v->type != TMPL_STR)
				return fail(r, TMPL_ESYNTAX,
				    "not a string:", name, n);
			if (v->str != NULL)
				html_escape(r->out, v->str);
			p = close + 2;
			continue;
		}
		body = close + 2;
		if ((body_end = section_end(body, name, n, &after)) == NULL ||
		    body_end > end)
			return fail(r, TMPL_ESYNTAX, "unclosed section", name,
			    n);
		if (kind == '^') {
			if ((v->type == TMPL_BOOL && !v->b) ||
			    (v->type == TMPL_LIST && v->nitems == 0) ||
			    (v->type == TMPL_STR && (v->str == NULL ||
			    v->str[0] == '\0'))) {
				if ((rc = render_range(r, body, body_end)) !=
				    TMPL_OK)
					return rc;
			}
		} else if (v->type == TMPL_LIST) {
			if (r->depth == TMPL_DEPTH_MAX)
				return fail(r, TMPL_ESYNTAX, "too deep:", name,
				    n);
			for (i = 0; i < v->nitems; i++) {
				r->stack[r->depth++] = &v->items[i];
				rc = render_range(r, body, body_end);
				r->depth--;
				if (rc != TMPL_OK)
					return rc;
			}
		} else if ((v->type == TMPL_BOOL && v->b) ||
		    (v->type == TMPL_STR && v->str != NULL &&
		    v->str[0] != '\0')) {
			if ((rc = render_range(r, body, body_end)) != TMPL_OK)
				return rc;
		}
		p = after;
	}
	return TMPL_OK;
}

/* Renders text with scope into out (appending). */
int
tmpl_render(const char *text, const struct tmpl_scope *scope,
    struct buf *out, char *err, size_t errsz)
{
	struct render	 r;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.stack[r.depth++] = scope;
	r.out = out;
	r.err = err;
	r.errsz = errsz;
	rc = render_range(&r, text, text + strlen(text));
	if (rc == TMPL_OK && buf_failed(out))
		rc = TMPL_ENOMEM;
	return rc;
}

static int
read_file(const char *path, char **out, char *err, size_t errsz)
{
	struct stat	 sb;
	char		*text;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return TMPL_EFILE;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > TEMPLATE_FILE_MAX) {
		snprintf(err, errsz, "%s: not a regular file of at most %d "
		    "bytes", path, TEMPLATE_FILE_MAX);
		close(fd);
		return TMPL_EFILE;
	}
	if ((text = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return TMPL_ENOMEM;
	}
	while (len < (size_t)sb.st_size &&
	    (n = read(fd, text + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	*out = text;
	return TMPL_OK;
}

/* The file of template name: dir/templates/name.html. */
static int
template_path(char *path, size_t pathsz, const char *dir, const char *name,
    char *err, size_t errsz)
{
	int	 n;

	n = snprintf(path, pathsz, "%s/templates/%s.html", dir, name);
	if (n < 0 || (size_t)n >= pathsz) {
		snprintf(err, errsz, "the path of template %.64s is too "
		    "long", name);
		return -1;
	}
	return 0;
}

/*
 * Loads dir/templates/name.html with its {{>partial}} inclusions (one
 * level deep) resolved.
 */
int
tmpl_load(const char *dir, const char *name, char **out, char *err,
    size_t errsz)
{
	struct buf	 b;
	char		 path[PATH_MAX], pname[TMPL_PARTIAL_MAX + 1];
	char		*text, *part;
	const char	*p, *open, *close;
	size_t		 n;
	int		 rc;

	*out = NULL;
	if (template_path(path, sizeof(path), dir, name, err, errsz) == -1)
		return TMPL_EFILE;
	if ((rc = read_file(path, &text, err, errsz)) != TMPL_OK)
		return rc;
	buf_init(&b);
	for (p = text; (open = strstr(p, "{{>")) != NULL; p = close + 2) {
		buf_append(&b, p, (size_t)(open - p));
		if ((close = strstr(open, "}}")) == NULL) {
			snprintf(err, errsz, "%s: unclosed partial", path);
			rc = TMPL_ESYNTAX;
			goto out;
		}
		n = (size_t)(close - open - 3);
		while (n > 0 && open[3] == ' ') {
			open++;
			n--;
		}
		if (n == 0 || n >= sizeof(pname) ||
		    strspn(open + 3, "abcdefghijklmnopqrstuvwxyz_-") < n) {
			snprintf(err, errsz, "%s: bad partial name", path);
			rc = TMPL_ESYNTAX;
			goto out;
		}
		memcpy(pname, open + 3, n);
		pname[n] = '\0';
		if (template_path(path, sizeof(path), dir, pname, err,
		    errsz) == -1) {
			rc = TMPL_EFILE;
			goto out;
		}
		if ((rc = read_file(path, &part, err, errsz)) != TMPL_OK)
			goto out;
		buf_puts(&b, part);
		free(part);
	}
	buf_puts(&b, p);
	if (buf_failed(&b)) {
		rc = TMPL_ENOMEM;
		goto out;
	}
	*out = b.data;
	b.data = NULL;
	rc = TMPL_OK;
out:
	free(text);
	buf_free(&b);
	return rc;
}
