/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * One line per event on standard error, which the web server sends to
 * its error log.  A line is built field by field: string values are
 * quoted with control characters escaped, so a client cannot forge log
 * lines, and secrets can only be logged through log_hash(), which prints
 * the first eight hex digits of a SHA-256 hash and nothing else.
 */
#ifndef MCP_LOG_H
#define MCP_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX	1024
#define LOG_HASH_HEX	8

struct log_line {
	char	 text[LOG_LINE_MAX];
	size_t	 len;
};

void	 log_init(const char *);
const char *log_progname(void);
void	 log_begin(struct log_line *, const char *);
void	 log_str(struct log_line *, const char *, const char *);
void	 log_int(struct log_line *, const char *, long long);
void	 log_hash(struct log_line *, const char *, const unsigned char *);
void	 log_end(struct log_line *);
void	 log_msg(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
