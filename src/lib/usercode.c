/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include "crypto.h"
#include "usercode.h"

#define ALPHABET_LEN	(sizeof(USERCODE_ALPHABET) - 1)
/*
 * The largest multiple of the alphabet's size that fits in a byte:
 * bytes at or above it are drawn again, so every letter is equally
 * likely (a plain modulo would favour the first sixteen).
 */
#define BYTE_LIMIT	(256 - 256 % ALPHABET_LEN)

/*
 * Fills out (USERCODE_LEN + 1 bytes) with a fresh canonical code from
 * RAND_bytes.  Returns 0, or -1 if the generator fails.
 */
int
usercode_generate(char *out)
{
	unsigned char	 rnd[32];
	size_t		 i, n = 0;

	while (n < USERCODE_LEN) {
		if (crypto_random(rnd, sizeof(rnd)) != CRYPTO_OK)
			return -1;
		for (i = 0; i < sizeof(rnd) && n < USERCODE_LEN; i++)
			if (rnd[i] < BYTE_LIMIT)
				out[n++] = USERCODE_ALPHABET[rnd[i] %
				    ALPHABET_LEN];
	}
	out[n] = '\0';
	crypto_wipe(rnd, sizeof(rnd));
	return 0;
}

/*
 * Normalises len bytes of what a person typed into out (USERCODE_LEN +
 * 1 bytes): letters are upper-cased, hyphens and spaces dropped.
 * Returns 0, or -1 if what remains is not exactly eight letters of the
 * alphabet (or the input is longer than USERCODE_INPUT_MAX).
 */
int
usercode_normalise(const char *in, size_t len, char *out)
{
	size_t	 i, n = 0;
	char	 ch;

	out[0] = '\0';
	if (len > USERCODE_INPUT_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		ch = in[i];
		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == '\0' || strchr(USERCODE_ALPHABET, ch) == NULL ||
		    n == USERCODE_LEN) {
			out[0] = '\0';
			return -1;
		}
		out[n++] = ch;
	}
	if (n != USERCODE_LEN) {
		out[0] = '\0';
		return -1;
	}
	out[n] = '\0';
	return 0;
}

/* The display form XXXX-XXXX of a canonical code, into out (10 bytes). */
void
usercode_display(const char *code, char *out)
{
	memcpy(out, code, 4);
	out[4] = '-';
	memcpy(out + 5, code + 4, 4);
	out[USERCODE_DISPLAY_LEN] = '\0';
}
