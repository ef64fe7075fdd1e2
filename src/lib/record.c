/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"

void
rec_begin(struct buf *b)
{
	buf_reset(b);
	rec_put_u8(b, RECORD_VERSION);
}

void
rec_put_u8(struct buf *b, uint8_t v)
{
	buf_append(b, &v, 1);
}

void
rec_put_u32(struct buf *b, uint32_t v)
{
	unsigned char	 x[4];

	x[0] = (unsigned char)(v >> 24);
	x[1] = (unsigned char)(v >> 16);
	x[2] = (unsigned char)(v >> 8);
	x[3] = (unsigned char)v;
	buf_append(b, x, 4);
}

void
rec_put_u64(struct buf *b, uint64_t v)
{
	rec_put_u32(b, (uint32_t)(v >> 32));
	rec_put_u32(b, (uint32_t)v);
}

void
rec_put_i64(struct buf *b, int64_t v)
{
	rec_put_u64(b, (uint64_t)v);
}

/*
 * A NULL string is stored as an empty one.  Longer strings than
 * RECORD_STR_MAX never reach here (every input is limited far below);
 * if one did, the buffer is marked failed rather than truncated.
 */
void
rec_put_str(struct buf *b, const char *s)
{
	size_t		 n = s != NULL ? strlen(s) : 0;
	unsigned char	 x[2];

	if (n > RECORD_STR_MAX) {
		b->failed = 1;
		return;
	}
	x[0] = (unsigned char)(n >> 8);
	x[1] = (unsigned char)n;
	buf_append(b, x, 2);
	if (n > 0)
		buf_append(b, s, n);
}

void
rec_put_bytes(struct buf *b, const void *p, size_t n)
{
	buf_append(b, p, n);
}

/* Starts reading; a wrong version byte is an error straight away. */
void
rec_reader_init(struct rec_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
	if (rec_get_u8(r) != RECORD_VERSION)
		r->err = 1;
}

static const unsigned char *
take(struct rec_reader *r, size_t n)
{
	const unsigned char	*p;

	if (r->err || n > r->len - r->off) {
		r->err = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t
rec_get_u8(struct rec_reader *r)
{
	const unsigned char	*p;

	return (p = take(r, 1)) != NULL ? p[0] : 0;
}

uint32_t
rec_get_u32(struct rec_reader *r)
{
	const unsigned char	*p;

	if ((p = take(r, 4)) == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
rec_get_u64(struct rec_reader *r)
{
	uint64_t	 hi;

	hi = rec_get_u32(r);
	return hi << 32 | rec_get_u32(r);
}

int64_t
rec_get_i64(struct rec_reader *r)
{
	return (int64_t)rec_get_u64(r);
}

/*
 * A newly allocated NUL-terminated copy, or NULL on error.  An embedded
 * NUL is an error: no stored string may contain one.
 */
char *
rec_get_str(struct rec_reader *r)
{
	const unsigned char	*lp, *p;
	size_t			 n;
	char			*s;

	if ((lp = take(r, 2)) == NULL)
		return NULL;
	n = (size_t)lp[0] << 8 | lp[1];
	if ((p = take(r, n)) == NULL)
		return NULL;
	if (memchr(p, '\0', n) != NULL || (s = malloc(n + 1)) == NULL) {
		r->err = 1;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int
rec_get_bytes(struct rec_reader *r, void *out, size_t n)
{
	const unsigned char	*p;

	if ((p = take(r, n)) == NULL) {
		memset(out, 0, n);
		return -1;
	}
	memcpy(out, p, n);
	return 0;
}

/*
 * The bytes not read yet (0 after an error): fields added to the end
 * of a record format are read only when an older record has them.
 */
size_t
rec_reader_left(const struct rec_reader *r)
{
	return r->err ? 0 : r->len - r->off;
}

/* True when every get succeeded and the record was read to its end. */
int
rec_reader_ok(const struct rec_reader *r)
{
	return !r->err && r->off == r->len;
}
