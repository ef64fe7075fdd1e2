/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The Cookie header: cookie_get().  The input is "name\nheader"; each
 * name is looked up with a roomy and with a tight output buffer.
 */
#include <string.h>

#include "../src/lib/http.h"
#include "fuzz.h"

static void
check_value(const char *header, const char *name, size_t outsz)
{
	char	 out[80];
	size_t	 i, n;
	int	 rc;

	memset(out, 'X', sizeof(out));
	rc = cookie_get(header, name, out, outsz);
	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
	/* Nothing is written past the size given. */
	for (i = outsz; i < sizeof(out); i++)
		FUZZ_CHECK(out[i] == 'X');
	if (rc != 1)
		return;
	n = strnlen(out, outsz);
	FUZZ_CHECK(n < outsz);
	/* RFC 6265 §4.1.1 cookie-octets only. */
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)out[i] > 0x20 &&
		    (unsigned char)out[i] < 0x7f && out[i] != '"' &&
		    out[i] != ',' && out[i] != ';' && out[i] != '\\');
	FUZZ_CHECK(strstr(header, out) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*name, *header;

	fuzz_split(data, size, &name, &header);
	check_value(header, name, 64);
	check_value(header, name, 8);
	check_value(header, name, 1);
	FUZZ_CHECK(cookie_get(NULL, name, (char [8]){ 0 }, 8) == 0);
	free(name);
	free(header);
	return 0;
}
