/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Shared by the libFuzzer targets in this directory.  Each target is
 * one file with LLVMFuzzerTestOneInput() feeding one parser the bytes
 * libFuzzer chose, then checking what the parser promises about its
 * result.  A broken promise aborts, which libFuzzer reports as a crash
 * and saves the input, exactly as for a memory error that AddressSanitizer
 * or UBSan finds.
 */
#ifndef MCP_FUZZ_H
#define MCP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/lib/config.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An invariant: when it does not hold, say which and abort. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated copy of the input, for parsers of C strings. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Splits the input at its first newline into two NUL-terminated
 * strings (the second empty if there is none), each allocated on its
 * own so that AddressSanitizer sees a read past the end of either.
 */
static inline void
fuzz_split(const uint8_t *data, size_t size, char **a, char **b)
{
	const uint8_t	*nl;
	size_t		 n;

	if ((nl = memchr(data, '\n', size)) == NULL) {
		*a = fuzz_cstr(data, size);
		*b = fuzz_cstr(data, 0);
		return;
	}
	n = (size_t)(nl - data);
	*a = fuzz_cstr(data, n);
	*b = fuzz_cstr(nl + 1, size - n - 1);
}

/* A configuration from text, for targets that need one; aborts if bad. */
static inline struct config *
fuzz_config(const char *text)
{
	struct config	*cfg;
	char		 err[CONFIG_ERR_MAX];

	if (config_parse("fuzz.conf", text, strlen(text), &cfg, err,
	    sizeof(err)) != CONFIG_OK) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	return cfg;
}

#endif
