/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * User codes of the device grant (RFC 8628 §6.1): generation from the
 * unambiguous alphabet, the display form, and the normaliser that
 * reads what a person types.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/usercode.h"

static int
in_alphabet(const char *s)
{
	return strspn(s, USERCODE_ALPHABET) == strlen(s);
}

Test(usercode, generated_codes_are_canonical)
{
	char	 a[USERCODE_LEN + 1], b[USERCODE_LEN + 1];
	char	 again[USERCODE_LEN + 1];

	cr_assert_eq(usercode_generate(a), 0);
	cr_assert_eq(usercode_generate(b), 0);
	cr_assert_eq(strlen(a), USERCODE_LEN);
	cr_assert(in_alphabet(a), "%s", a);
	cr_assert_str_neq(a, b);
	cr_assert_eq(usercode_normalise(a, strlen(a), again), 0);
	cr_assert_str_eq(again, a);
}

Test(usercode, every_letter_appears_and_no_other)
{
	char	 code[USERCODE_LEN + 1];
	int	 seen[256] = { 0 };
	size_t	 i, j;

	for (i = 0; i < 400; i++) {
		cr_assert_eq(usercode_generate(code), 0);
		for (j = 0; j < USERCODE_LEN; j++)
			seen[(unsigned char)code[j]]++;
	}
	for (i = 0; i < 256; i++) {
		if (i != 0 && strchr(USERCODE_ALPHABET, (int)i) != NULL)
			cr_assert(seen[i] > 0, "%c never drawn", (int)i);
		else
			cr_assert_eq(seen[i], 0, "%d drawn", (int)i);
	}
}

Test(usercode, alphabet_has_no_vowels_or_lookalikes)
{
	cr_assert_eq(strlen(USERCODE_ALPHABET), 20);
	cr_assert_eq(strpbrk(USERCODE_ALPHABET, "AEIOUY01"), NULL);
}

Test(usercode, display_form)
{
	char	 shown[USERCODE_DISPLAY_LEN + 1];

	usercode_display("BCDFGHJK", shown);
	cr_assert_str_eq(shown, "BCDF-GHJK");
}

Test(usercode, normalises_case_hyphens_and_spaces)
{
	static const char *const ok[] = {
		"BCDF-GHJK", "bcdf-ghjk", "BCDFGHJK", "bcdf ghjk",
		"  BcDf--GhJk  ", "B C D F G H J K", "-BCDFGHJK-",
	};
	char	 out[USERCODE_LEN + 1];
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(usercode_normalise(ok[i], strlen(ok[i]), out), 0,
		    "%s", ok[i]);
		cr_assert_str_eq(out, "BCDFGHJK", "%s", ok[i]);
	}
}

Test(usercode, refuses_what_is_not_a_code)
{
	static const char *const bad[] = {
		"", "BCDF-GHJ", "BCDF-GHJKL", "ABCD-EFGH", "BCDF_GHJK",
		"BCDF-GHJ1", "BCDF\tGHJK", "BCDF-GHJÄ", "--------",
	};
	char	 out[USERCODE_LEN + 1];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(out, "XXXXXXXX", sizeof(out));
		cr_assert_eq(usercode_normalise(bad[i], strlen(bad[i]), out),
		    -1, "%s", bad[i]);
		cr_assert_str_eq(out, "", "%s", bad[i]);
	}
}

Test(usercode, refuses_a_nul_inside_and_overlong_input)
{
	char	 out[USERCODE_LEN + 1];
	char	 longer[USERCODE_INPUT_MAX + 2];

	cr_assert_eq(usercode_normalise("BCDF\0GHJK", 9, out), -1);
	memset(longer, ' ', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "BCDFGHJK", USERCODE_LEN);
	cr_assert_eq(usercode_normalise(longer, USERCODE_INPUT_MAX, out), 0);
	cr_assert_eq(usercode_normalise(longer, USERCODE_INPUT_MAX + 1, out),
	    -1);
}
