/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: the results, one line per check (or one JSON
 * document), and the exit status they add up to.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "doctor.h"

static const char *const status_words[] = { "PASS", "WARN", "FAIL" };

/*
 * Records one check's result.  An allocation failure loses the line
 * but is said: the exit status then reports a failure.
 */
void
dr_add(struct doctor *d, const char *name, enum dr_status status,
    const char *hint, const char *fmt, ...)
{
	struct dr_result	*r;
	struct buf		 msg;
	va_list			 ap;

	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	r = reallocarray(d->results, d->nresults + 1, sizeof(*r));
	if (r == NULL || buf_failed(&msg)) {
		if (r != NULL)
			d->results = r;
		buf_free(&msg);
		d->lost = 1;
		admin_err("out of memory recording the check %s", name);
		return;
	}
	d->results = r;
	r = &d->results[d->nresults];
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->name = strdup(name);
	r->message = strdup(buf_cstr(&msg));
	r->hint = hint != NULL ? strdup(hint) : NULL;
	buf_free(&msg);
	if (r->name == NULL || r->message == NULL ||
	    (hint != NULL && r->hint == NULL)) {
		free(r->name);
		free(r->message);
		free(r->hint);
		d->lost = 1;
		admin_err("out of memory recording the check %s", name);
		return;
	}
	d->nresults++;
}

static void
print_json(const struct doctor *d)
{
	struct json_object	*root, *checks, *o;
	size_t			 i;

	root = json_object_new_object();
	checks = json_object_new_array();
	json_object_object_add(root, "url", json_object_new_string(
	    d->mcp_url));
	json_object_object_add(root, "issuer", json_object_new_string(
	    d->base));
	for (i = 0; i < d->nresults; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "check",
		    json_object_new_string(d->results[i].name));
		json_object_object_add(o, "status", json_object_new_string(
		    status_words[d->results[i].status]));
		json_object_object_add(o, "message",
		    json_object_new_string(d->results[i].message));
		if (d->results[i].hint != NULL)
			json_object_object_add(o, "hint",
			    json_object_new_string(d->results[i].hint));
		json_object_array_add(checks, o);
	}
	json_object_object_add(root, "checks", checks);
	json_object_object_add(root, "exit_status",
	    json_object_new_int(dr_exit_status(d)));
	admin_json_print(root);	/* prints and releases it */
}

/*
 * Prints s with every byte that is not printable ASCII as '?': the
 * messages quote what the server sent, which must not drive the
 * terminal.  That is the C0 controls and DEL, and every byte from
 * 0x80 on: the C1 controls (CSI is 0x9b alone, or 0xc2 0x9b in UTF-8)
 * act in many terminals, and a byte of a UTF-8 sequence cannot be
 * told from them without decoding what may not be UTF-8 at all.
 */
static void
print_clean(const char *s)
{
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		putchar(c < 0x20 || c >= 0x7f ? '?' : c);
	}
}

/*
 * One line per check: "PASS name: message", and for a warning or a
 * failure the fix on an indented line below.
 */
void
dr_print(const struct doctor *d, int json)
{
	size_t	 i, pass = 0, warn = 0, fail = 0;

	if (json) {
		print_json(d);
		return;
	}
	for (i = 0; i < d->nresults; i++) {
		const struct dr_result	*r = &d->results[i];

		printf("%s %s: ", status_words[r->status], r->name);
		print_clean(r->message);
		putchar('\n');
		if (r->hint != NULL && r->status != DR_PASS) {
			fputs("     fix: ", stdout);
			print_clean(r->hint);
			putchar('\n');
		}
		if (r->status == DR_PASS)
			pass++;
		else if (r->status == DR_WARN)
			warn++;
		else
			fail++;
	}
	printf("%zu passed, %zu warnings, %zu failed\n", pass, warn, fail);
}

/* 0 all passed, 1 any failure, 3 warnings only. */
int
dr_exit_status(const struct doctor *d)
{
	size_t	 i;
	int	 warn = 0;

	if (d->nresults == 0 || d->lost)
		return DR_EXIT_FAIL;
	for (i = 0; i < d->nresults; i++) {
		if (d->results[i].status == DR_FAIL)
			return DR_EXIT_FAIL;
		if (d->results[i].status == DR_WARN)
			warn = 1;
	}
	return warn ? DR_EXIT_WARN : DR_EXIT_PASS;
}

void
dr_free(struct doctor *d)
{
	size_t	 i;

	for (i = 0; i < d->nresults; i++) {
		free(d->results[i].name);
		free(d->results[i].message);
		free(d->results[i].hint);
	}
	free(d->results);
	d->results = NULL;
	d->nresults = 0;
}
