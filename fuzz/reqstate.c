/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The request-state decoder: reqstate_open() of what a client sends as
 * params.requestState (MCP 2026-07-28, basic/patterns/mrtr).  Whatever
 * the bytes, it answers one of its errors or opens a state; a state it
 * opens was sealed under the key and binding below (the seed corpus
 * holds some), and sealing its payload again opens to the same bytes.
 * Nothing reaches the output of a refused state.
 */
#include <string.h>

#include "../src/lib/reqstate.h"
#include "fuzz.h"

#define NOW	1700000000

static const unsigned char key[REQSTATE_KEY_LEN] = {
	0x6d, 0x63, 0x70, 0x2d, 0x6f, 0x61, 0x75, 0x74,
	0x68, 0x2d, 0x66, 0x63, 0x67, 0x69, 0x20, 0x66,
	0x75, 0x7a, 0x7a, 0x20, 0x72, 0x65, 0x71, 0x73,
	0x74, 0x61, 0x74, 0x65, 0x20, 0x6b, 0x65, 0x79,
};
static const struct reqstate_bind binding = {
	"alice", "client-a", "tools/call", "notes_delete"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s = fuzz_cstr(data, size);
	char		 out[REQSTATE_PAYLOAD_MAX], again[REQSTATE_PAYLOAD_MAX];
	char		 sealed[REQSTATE_ENCODED_MAX + 1];
	size_t		 len = 99, len2;
	int		 rc;

	rc = reqstate_open(key, &binding, NOW, s, out, sizeof(out), &len);
	FUZZ_CHECK(rc == REQSTATE_OK || rc == REQSTATE_EMALFORMED ||
	    rc == REQSTATE_ETOOBIG || rc == REQSTATE_EFORGED ||
	    rc == REQSTATE_EEXPIRED);
	if (rc != REQSTATE_OK)
		FUZZ_CHECK(len == 0);
	else {
		FUZZ_CHECK(len <= REQSTATE_PAYLOAD_MAX);
		FUZZ_CHECK(reqstate_seal(key, &binding, NOW + 60, out, len,
		    sealed, sizeof(sealed)) == REQSTATE_OK);
		FUZZ_CHECK(reqstate_open(key, &binding, NOW, sealed, again,
		    sizeof(again), &len2) == REQSTATE_OK);
		FUZZ_CHECK(len2 == len && memcmp(out, again, len) == 0);
	}
	free(s);
	return 0;
}
