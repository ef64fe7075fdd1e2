/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The request-state codec (reqstate.c): what one binding seals only the
 * same binding opens, before its expiry, unaltered, and the server key
 * is made once and kept in the database.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/crypto.h"
#include "../../src/lib/reqstate.h"
#include "../../src/lib/store.h"
#include "testutil.h"

#define T0	1700000000
#define PAYLOAD	"{\"round\":\"2\",\"name\":\"Alice\"}"

static const unsigned char key[REQSTATE_KEY_LEN] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};
static const struct reqstate_bind alice = {
	"alice", "client-a", "tools/call", "notes_delete"
};

static void
seal(const struct reqstate_bind *b, int64_t expires, const char *payload,
    char *out)
{
	cr_assert_eq(reqstate_seal(key, b, expires, payload, strlen(payload),
	    out, REQSTATE_ENCODED_MAX + 1), REQSTATE_OK);
}

static int
open_as(const struct reqstate_bind *b, int64_t now, const char *in,
    char *out, size_t *len)
{
	return reqstate_open(key, b, now, in, out, REQSTATE_PAYLOAD_MAX, len);
}

/* Whether the n bytes at p hold the string s anywhere. */
static int
contains(const unsigned char *p, size_t n, const char *s)
{
	size_t	 i, len = strlen(s);

	for (i = 0; i + len <= n; i++)
		if (memcmp(p + i, s, len) == 0)
			return 1;
	return 0;
}

Test(reqstate, round_trip)
{
	char	 s[REQSTATE_ENCODED_MAX + 1], out[REQSTATE_PAYLOAD_MAX];
	char	 again[REQSTATE_ENCODED_MAX + 1];
	unsigned char raw[REQSTATE_RAW_MAX];
	size_t	 len, rawlen;

	seal(&alice, T0 + 600, PAYLOAD, s);
	cr_assert_eq(open_as(&alice, T0, s, out, &len), REQSTATE_OK);
	cr_assert_eq(len, strlen(PAYLOAD));
	cr_assert_eq(memcmp(out, PAYLOAD, len), 0);
	/* The payload is encrypted, not only authenticated. */
	cr_assert_eq(base64url_decode(s, strlen(s), raw, sizeof(raw),
	    &rawlen), 0);
	cr_assert_not(contains(raw, rawlen, PAYLOAD));
	/* A fresh nonce each time: the same state seals differently. */
	seal(&alice, T0 + 600, PAYLOAD, again);
	cr_assert_str_neq(s, again);
	/* An empty payload is a state too. */
	seal(&alice, T0 + 600, "", s);
	cr_assert_eq(open_as(&alice, T0, s, out, &len), REQSTATE_OK);
	cr_assert_eq(len, 0);
}

Test(reqstate, every_single_bit_flip_is_refused)
{
	char		 s[REQSTATE_ENCODED_MAX + 1], out[REQSTATE_PAYLOAD_MAX];
	char		 flipped[REQSTATE_ENCODED_MAX + 1];
	unsigned char	 raw[REQSTATE_RAW_MAX];
	size_t		 rawlen, i, len;
	int		 bit, rc;

	seal(&alice, T0 + 600, PAYLOAD, s);
	cr_assert_eq(base64url_decode(s, strlen(s), raw, sizeof(raw),
	    &rawlen), 0);
	for (i = 0; i < rawlen; i++)
		for (bit = 0; bit < 8; bit++) {
			raw[i] ^= (unsigned char)(1 << bit);
			cr_assert_neq(base64url_encode(raw, rawlen, flipped,
			    sizeof(flipped)), 0);
			rc = open_as(&alice, T0, flipped, out, &len);
			cr_assert(rc == REQSTATE_EFORGED ||
			    (i == 0 && rc == REQSTATE_EMALFORMED),
			    "byte %zu bit %d: %s", i, bit,
			    reqstate_strerror(rc));
			cr_assert_eq(len, 0);
			raw[i] ^= (unsigned char)(1 << bit);
		}
	/* And every character of the encoding changed to another. */
	for (i = 0; s[i] != '\0'; i++) {
		memcpy(flipped, s, strlen(s) + 1);
		flipped[i] = s[i] == 'A' ? 'B' : 'A';
		rc = open_as(&alice, T0, flipped, out, &len);
		cr_assert_neq(rc, REQSTATE_OK, "character %zu", i);
	}
}

Test(reqstate, expiry)
{
	char	 s[REQSTATE_ENCODED_MAX + 1], out[REQSTATE_PAYLOAD_MAX];
	size_t	 len;

	seal(&alice, T0 + 600, PAYLOAD, s);
	cr_assert_eq(open_as(&alice, T0 + 599, s, out, &len), REQSTATE_OK);
	cr_assert_eq(open_as(&alice, T0 + 600, s, out, &len),
	    REQSTATE_EEXPIRED);
	cr_assert_eq(len, 0);
	cr_assert_eq(open_as(&alice, T0 + 100000, s, out, &len),
	    REQSTATE_EEXPIRED);
}

Test(reqstate, bound_to_user_client_method_and_name)
{
	const struct reqstate_bind others[] = {
		{ "bob", "client-a", "tools/call", "notes_delete" },
		{ "alice", "client-b", "tools/call", "notes_delete" },
		{ "alice", "client-a", "prompts/get", "notes_delete" },
		{ "alice", "client-a", "tools/call", "notes_add" },
		/* The boundaries between the parts count too. */
		{ "alicec", "lient-a", "tools/call", "notes_delete" },
		{ "alice", "client-a", "tools/call", "" },
	};
	char	 s[REQSTATE_ENCODED_MAX + 1], out[REQSTATE_PAYLOAD_MAX];
	size_t	 i, len;

	seal(&alice, T0 + 600, PAYLOAD, s);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		cr_assert_eq(open_as(&others[i], T0, s, out, &len),
		    REQSTATE_EFORGED, "binding %zu", i);
		cr_assert_eq(len, 0);
	}
}

Test(reqstate, another_key_is_refused)
{
	unsigned char	 other[REQSTATE_KEY_LEN];
	char		 s[REQSTATE_ENCODED_MAX + 1];
	char		 out[REQSTATE_PAYLOAD_MAX];
	size_t		 len;

	seal(&alice, T0 + 600, PAYLOAD, s);
	memcpy(other, key, sizeof(other));
	other[31] ^= 1;
	cr_assert_eq(reqstate_open(other, &alice, T0, s, out, sizeof(out),
	    &len), REQSTATE_EFORGED);
}

Test(reqstate, oversized)
{
	static char	 big[REQSTATE_PAYLOAD_MAX + 2];
	static char	 s[2 * REQSTATE_ENCODED_MAX + 1];
	char		 out[REQSTATE_PAYLOAD_MAX];
	size_t		 len;

	/* The largest payload seals and opens; one byte more does not. */
	memset(big, 'x', REQSTATE_PAYLOAD_MAX);
	seal(&alice, T0 + 600, big, s);
	cr_assert_leq(strlen(s), REQSTATE_ENCODED_MAX);
	cr_assert_eq(open_as(&alice, T0, s, out, &len), REQSTATE_OK);
	cr_assert_eq(len, REQSTATE_PAYLOAD_MAX);
	big[REQSTATE_PAYLOAD_MAX] = 'x';
	cr_assert_eq(reqstate_seal(key, &alice, T0 + 600, big, strlen(big),
	    s, sizeof(s)), REQSTATE_ETOOBIG);
	/* Anything longer than a state we issue is refused unread. */
	memset(s, 'A', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	cr_assert_eq(open_as(&alice, T0, s, out, &len), REQSTATE_ETOOBIG);
	s[REQSTATE_ENCODED_MAX + 1] = '\0';
	cr_assert_eq(open_as(&alice, T0, s, out, &len), REQSTATE_ETOOBIG);
	/* A payload larger than the caller's buffer is refused too. */
	seal(&alice, T0 + 600, PAYLOAD, s);
	cr_assert_eq(reqstate_open(key, &alice, T0, s, out, 4, &len),
	    REQSTATE_ETOOBIG);
	/* A binding too long to seal. */
	memset(big, 'u', REQSTATE_BIND_MAX + 1);
	big[REQSTATE_BIND_MAX + 1] = '\0';
	{
		struct reqstate_bind b = alice;

		b.user = big;
		cr_assert_eq(reqstate_seal(key, &b, T0 + 600, "x", 1, s,
		    sizeof(s)), REQSTATE_ETOOBIG);
	}
}

Test(reqstate, truncated_and_malformed)
{
	char	 s[REQSTATE_ENCODED_MAX + 1], out[REQSTATE_PAYLOAD_MAX];
	size_t	 n, len;
	int	 rc;

	seal(&alice, T0 + 600, PAYLOAD, s);
	for (n = strlen(s); n-- > 0;) {
		s[n] = '\0';
		rc = open_as(&alice, T0, s, out, &len);
		cr_assert(rc == REQSTATE_EMALFORMED || rc == REQSTATE_EFORGED,
		    "%zu characters: %s", n, reqstate_strerror(rc));
	}
	cr_assert_eq(open_as(&alice, T0, "", out, &len), REQSTATE_EMALFORMED);
	cr_assert_eq(open_as(&alice, T0, "not base64!", out, &len),
	    REQSTATE_EMALFORMED);
	cr_assert_eq(open_as(&alice, T0, "AAAA=", out, &len),
	    REQSTATE_EMALFORMED);
	/* A later version byte is not ours to read. */
	seal(&alice, T0 + 600, PAYLOAD, s);
	s[0] = s[0] == 'A' ? 'B' : 'A';
	cr_assert_eq(open_as(&alice, T0, s, out, &len), REQSTATE_EMALFORMED);
}

Test(reqstate, server_key_is_made_once_and_kept)
{
	struct store	*st;
	unsigned char	 k1[REQSTATE_KEY_LEN], k2[REQSTATE_KEY_LEN];
	char		 err[512], path[300], *dir;

	dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 22, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
	cr_assert_eq(reqstate_key(st, k1), REQSTATE_OK);
	cr_assert_eq(reqstate_key(st, k2), REQSTATE_OK);
	cr_assert_eq(memcmp(k1, k2, sizeof(k1)), 0);
	store_close(st);
	/* Another process (a reopened environment) reads the same key. */
	cr_assert_eq(store_open(path, 1 << 22, 0, &st, err, sizeof(err)),
	    STORE_OK, "%s", err);
	cr_assert_eq(reqstate_key(st, k2), REQSTATE_OK);
	cr_assert_eq(memcmp(k1, k2, sizeof(k1)), 0);
	store_close(st);
	testutil_rmdir(dir);
}
