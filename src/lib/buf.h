/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * A growable byte buffer, always NUL-terminated.
 *
 * Appends never fail loudly: the first allocation failure sets the
 * sticky error flag and later appends do nothing, so a caller builds a
 * whole response and checks buf_failed() once at the end.
 */
#ifndef MCP_BUF_H
#define MCP_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
int	 buf_failed(const struct buf *);
const char *buf_cstr(const struct buf *);

#endif
