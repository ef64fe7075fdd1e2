/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * User codes as a person types them on the device verification page:
 * usercode_normalise().  What it accepts is canonical (eight letters
 * of the alphabet), normalising the canonical form or its display form
 * gives it back, and anything else is refused with an empty output.
 */
#include <string.h>

#include "../src/lib/usercode.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 out[USERCODE_LEN + 1], again[USERCODE_LEN + 1];
	char	 shown[USERCODE_DISPLAY_LEN + 1];
	size_t	 i, letters = 0;
	int	 rc;

	memset(out, 'x', sizeof(out));
	rc = usercode_normalise((const char *)data, size, out);
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == -1) {
		FUZZ_CHECK(out[0] == '\0');
		return 0;
	}
	FUZZ_CHECK(size <= USERCODE_INPUT_MAX);
	FUZZ_CHECK(strlen(out) == USERCODE_LEN);
	for (i = 0; i < USERCODE_LEN; i++)
		FUZZ_CHECK(strchr(USERCODE_ALPHABET, out[i]) != NULL);
	/* Every byte of the input was a letter, a hyphen or a space. */
	for (i = 0; i < size; i++) {
		if (data[i] == '-' || data[i] == ' ')
			continue;
		FUZZ_CHECK(strchr(USERCODE_ALPHABET, data[i] & ~0x20) != NULL);
		letters++;
	}
	FUZZ_CHECK(letters == USERCODE_LEN);
	FUZZ_CHECK(usercode_normalise(out, strlen(out), again) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	usercode_display(out, shown);
	FUZZ_CHECK(usercode_normalise(shown, strlen(shown), again) == 0);
	FUZZ_CHECK(strcmp(out, again) == 0);
	return 0;
}
