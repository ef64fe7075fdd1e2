/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Counters in fixed windows, kept in the ratelimit database under
 * "kind:subject" keys (e.g. "register:203.0.113.9",
 * "login-user:alice").  Used for dynamic registration and for failed
 * sign-ins.
 */
#ifndef MCP_RATELIMIT_H
#define MCP_RATELIMIT_H

#include <stdint.h>

#include "store.h"

#define RATELIMIT_KEY_MAX	128
/* Room for ratelimit_ip_subject(): an IPv6 address and "/64". */
#define RATELIMIT_IP_MAX	64

struct ratelimit {
	int64_t		 window_start;
	uint32_t	 count;
	int64_t		 expires;	/* when the record may be purged */
};

int	 ratelimit_decode(const void *, size_t, struct ratelimit *);
int	 ratelimit_hit(struct store_txn *, const char *, const char *,
	    int64_t, long, long, long *);
int	 ratelimit_check(struct store_txn *, const char *, const char *,
	    int64_t, long, long, long *);
int	 ratelimit_count(struct store_txn *, const char *, const char *,
	    int64_t, long);
int	 ratelimit_current(struct store_txn *, const char *, const char *,
	    int64_t, long, uint32_t *);
int	 ratelimit_reset(struct store_txn *, const char *, const char *);
int	 ratelimit_reset_window(struct store_txn *, const char *,
	    const char *, int64_t);
int	 ratelimit_undo(struct store_txn *, const char *, const char *,
	    int64_t, long);
void	 ratelimit_ip_subject(const char *, char *, size_t);

#endif
