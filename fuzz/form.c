/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Query strings and form-urlencoded bodies: form_parse() and
 * percent_decode().  The input is used as is, without a NUL, as the
 * endpoints pass a body.  An input starting with "!" is parsed with
 * small limits, so that every limit is reached often.
 */
#include <string.h>

#include "../src/lib/buf.h"
#include "../src/lib/form.h"
#include "../src/lib/http.h"
#include "fuzz.h"

static void
check_form(const struct form *f, const struct form_limits *lim, int rc)
{
	size_t	 i, j;

	if (rc != FORM_OK) {
		/* A failed parse keeps nothing but the offending name. */
		FUZZ_CHECK(f->len == 0 && f->fields == NULL);
		FUZZ_CHECK(memchr(f->bad_name, '\0', sizeof(f->bad_name)) !=
		    NULL);
		return;
	}
	FUZZ_CHECK(f->len <= lim->fields);
	for (i = 0; i < f->len; i++) {
		const struct form_field	*ff = &f->fields[i];
		const char		*got;

		FUZZ_CHECK(ff->name[0] != '\0');
		FUZZ_CHECK(strlen(ff->name) <= lim->name);
		FUZZ_CHECK(ff->value_len <= lim->value);
		FUZZ_CHECK(strlen(ff->value) == ff->value_len);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(f->fields[j].name, ff->name) != 0);
		got = form_get(f, ff->name);
		if (ff->value_len == 0)
			FUZZ_CHECK(got == NULL);
		else
			FUZZ_CHECK(got == ff->value);
	}
}

/* Decoding what url_escape() wrote gives back the original. */
static void
check_round_trip(const char *decoded, size_t len)
{
	struct buf	 b;
	char		*again;
	size_t		 n;

	buf_init(&b);
	url_escape(&b, decoded);
	FUZZ_CHECK(!buf_failed(&b));
	if ((again = malloc(b.len + 1)) == NULL)
		abort();
	FUZZ_CHECK(percent_decode(b.data, b.len, again, &n) == FORM_OK);
	FUZZ_CHECK(n == len && memcmp(again, decoded, n) == 0);
	free(again);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct form_limits	 small = { 256, 4, 8, 16 };
	const struct form_limits	*lim = &form_default_limits;
	const char			*s = (const char *)data;
	struct form			 f;
	char				*out;
	size_t				 n;
	int				 rc;

	if (size > 0 && data[0] == '!') {
		lim = &small;
		s++;
		size--;
	}
	form_init(&f);
	rc = form_parse(s, size, lim, &f);
	check_form(&f, lim, rc);
	FUZZ_CHECK(form_strerror(rc) != NULL);
	form_free(&f);
	FUZZ_CHECK(f.len == 0 && f.fields == NULL);

	if ((out = malloc(size + 1)) == NULL)
		abort();
	if (percent_decode(s, size, out, &n) == FORM_OK) {
		FUZZ_CHECK(n <= size);
		FUZZ_CHECK(strlen(out) == n);
		check_round_trip(out, n);
	}
	free(out);
	return 0;
}
