/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Audit trail records (audit.c): the first eight input bytes are the
 * key, the rest the value.  A record the decoder accepts has a known
 * kind and every field within its limit, and comes out byte for byte
 * the same when encoded again.  The input, cut into the four fields,
 * also goes through audit_event_set(), which must cut each to its
 * limit on a character boundary and leave no control character.
 */
#include <string.h>

#include "../src/lib/audit.h"
#include "../src/lib/buf.h"
#include "../src/lib/store.h"
#include "fuzz.h"

static void
check_clean(const char *s, size_t max)
{
	size_t	 i, n = strlen(s);

	FUZZ_CHECK(n <= max);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void
check_set(const uint8_t *data, size_t size)
{
	struct audit_event	 ev;
	char			 text[1200];
	char			*f[4];
	size_t			 n = size < sizeof(text) - 1 ? size :
				    sizeof(text) - 1;
	int			 i;

	/* Four NUL-terminated fields from the input, split at '|'. */
	memcpy(text, data, n);
	text[n] = '\0';
	f[0] = text;
	for (i = 1; i < 4; i++) {
		char	*bar = f[i - 1] != NULL ? strchr(f[i - 1], '|') : NULL;

		if (bar != NULL)
			*bar++ = '\0';
		f[i] = bar;
	}
	audit_event_set(&ev, AUDIT_SIGNIN, f[0], f[1], f[2], f[3]);
	check_clean(ev.user, AUDIT_USER_MAX);
	check_clean(ev.client, AUDIT_CLIENT_MAX);
	check_clean(ev.addr, AUDIT_ADDR_MAX);
	check_clean(ev.detail, AUDIT_DETAIL_MAX);
	/* A cut keeps a prefix of the field. */
	FUZZ_CHECK(strlen(ev.user) == strlen(f[0]) ||
	    strlen(ev.user) >= AUDIT_USER_MAX - 3);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_event	 ev;
	struct buf		 b;

	check_set(data, size);
	if (size < AUDIT_KEY_LEN)
		return 0;
	if (audit_decode(data + AUDIT_KEY_LEN, size - AUDIT_KEY_LEN, data,
	    AUDIT_KEY_LEN, &ev) != STORE_OK)
		return 0;
	FUZZ_CHECK(ev.kind > 0 && ev.kind < AUDIT__MAX);
	FUZZ_CHECK(ev.time_us == audit_key_time(data, AUDIT_KEY_LEN));
	FUZZ_CHECK(strlen(ev.user) <= AUDIT_USER_MAX);
	FUZZ_CHECK(strlen(ev.client) <= AUDIT_CLIENT_MAX);
	FUZZ_CHECK(strlen(ev.addr) <= AUDIT_ADDR_MAX);
	FUZZ_CHECK(strlen(ev.detail) <= AUDIT_DETAIL_MAX);
	buf_init(&b);
	audit_encode(&ev, &b);
	FUZZ_CHECK(!buf_failed(&b));
	FUZZ_CHECK(b.len == size - AUDIT_KEY_LEN &&
	    memcmp(b.data, data + AUDIT_KEY_LEN, b.len) == 0);
	buf_free(&b);
	return 0;
}
