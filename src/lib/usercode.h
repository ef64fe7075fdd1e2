/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * User codes of the device authorization grant (RFC 8628 §6.1): eight
 * letters from an alphabet of 20 consonants that are hard to confuse
 * and spell no words (no vowels, no Y), shown as XXXX-XXXX.  20^8 is
 * about 2^34.6 codes; with the guessing limits of device.h a guess
 * at random almost never finds a live one.
 *
 * The canonical form is the eight upper-case letters without the
 * hyphen.  What a person types is normalised to it: case is ignored,
 * and hyphens and spaces anywhere are dropped.
 */
#ifndef MCP_USERCODE_H
#define MCP_USERCODE_H

#include <stddef.h>

#define USERCODE_ALPHABET	"BCDFGHJKLMNPQRSTVWXZ"
#define USERCODE_LEN		8	/* canonical, without the hyphen */
#define USERCODE_DISPLAY_LEN	9	/* XXXX-XXXX */
/* The longest input usercode_normalise() looks at. */
#define USERCODE_INPUT_MAX	64

int	 usercode_generate(char *);
int	 usercode_normalise(const char *, size_t, char *);
void	 usercode_display(const char *, char *);

#endif
