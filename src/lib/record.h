/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The byte encoding of LMDB records.  Every record starts with a
 * version byte; integers are big-endian; strings carry a 16-bit length.
 * The reader never reads past the end: any inconsistency sets a sticky
 * error and every later get returns zero or NULL, so a decoder checks
 * once at the end (rec_reader_ok) and a corrupt record is refused, not
 * trusted.
 */
#ifndef MCP_RECORD_H
#define MCP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define RECORD_VERSION	1
#define RECORD_STR_MAX	65535

struct rec_reader {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
	int			 err;
};

void	 rec_begin(struct buf *);
void	 rec_put_u8(struct buf *, uint8_t);
void	 rec_put_u32(struct buf *, uint32_t);
void	 rec_put_u64(struct buf *, uint64_t);
void	 rec_put_i64(struct buf *, int64_t);
void	 rec_put_str(struct buf *, const char *);
void	 rec_put_bytes(struct buf *, const void *, size_t);

void	 rec_reader_init(struct rec_reader *, const void *, size_t);
uint8_t	 rec_get_u8(struct rec_reader *);
uint32_t rec_get_u32(struct rec_reader *);
uint64_t rec_get_u64(struct rec_reader *);
int64_t	 rec_get_i64(struct rec_reader *);
char	*rec_get_str(struct rec_reader *);
int	 rec_get_bytes(struct rec_reader *, void *, size_t);
size_t	 rec_reader_left(const struct rec_reader *);
int	 rec_reader_ok(const struct rec_reader *);

#endif
