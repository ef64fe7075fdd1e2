/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ratelimit.h"
#include "record.h"
#include "store.h"

static size_t
make_key(char *key, const char *kind, const char *subject)
{
	int	 n;

	n = snprintf(key, RATELIMIT_KEY_MAX, "%s:%s", kind,
	    subject != NULL ? subject : "-");
	if (n < 0)
		return 0;
	return (size_t)n < RATELIMIT_KEY_MAX ? (size_t)n :
	    RATELIMIT_KEY_MAX - 1;
}

/* Record: window_start i64, count u32, expires i64. */
int
ratelimit_decode(const void *p, size_t n, struct ratelimit *rl)
{
	struct rec_reader	 r;

	rec_reader_init(&r, p, n);
	rl->window_start = rec_get_i64(&r);
	rl->count = rec_get_u32(&r);
	rl->expires = rec_get_i64(&r);
	return rec_reader_ok(&r) ? STORE_OK : STORE_CORRUPT;
}

static int
load(struct store_txn *t, const char *key, size_t klen, int64_t now,
    long window, struct ratelimit *rl)
{
	struct store_val	 v;
	int			 rc;

	memset(rl, 0, sizeof(*rl));
	rc = store_get(t, DB_RATELIMIT, key, klen, &v);
	if (rc == STORE_OK && ratelimit_decode(v.data, v.len, rl) != STORE_OK)
		rc = STORE_NOTFOUND;	/* a corrupt counter starts over */
	/*
	 * A window that has ended starts over; so does one that starts
	 * after now (the clock was stepped back), which would otherwise
	 * hold its count, and a Retry-After longer than the window,
	 * until the clock caught up.
	 */
	if (rc == STORE_NOTFOUND || rl->window_start + window <= now ||
	    rl->window_start > now) {
		rl->window_start = now;
		rl->count = 0;
		rc = STORE_OK;
	}
	return rc;
}

/*
 * Whether subject is over limit events in the current window, without
 * counting: returns 1 if over (retry_after receives the seconds until
 * the window ends), 0 if not, -1 on a database error.
 */
int
ratelimit_check(struct store_txn *t, const char *kind, const char *subject,
    int64_t now, long limit, long window, long *retry_after)
{
	struct ratelimit	 rl;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);

	if (load(t, key, klen, now, window, &rl) != STORE_OK)
		return -1;
	if ((long)rl.count < limit)
		return 0;
	*retry_after = (long)(rl.window_start + window - now);
	if (*retry_after > window)
		*retry_after = window;
	if (*retry_after < 1)
		*retry_after = 1;
	return 1;
}

/* Writes rl under key, its record expiring at the end of its window. */
static int
save(struct store_txn *t, const char *key, size_t klen,
    const struct ratelimit *rl)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_i64(&b, rl->window_start);
	rec_put_u32(&b, rl->count);
	rec_put_i64(&b, rl->expires);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_RATELIMIT, key,
	    klen, b.data, b.len, 0);
	buf_free(&b);
	return rc;
}

/* Counts one event under key; rl receives the counter as written. */
static int
count_one(struct store_txn *t, const char *key, size_t klen, int64_t now,
    long window, struct ratelimit *rl)
{
	int	 rc;

	if ((rc = load(t, key, klen, now, window, rl)) != STORE_OK)
		return rc;
	if (rl->count < UINT32_MAX)
		rl->count++;
	rl->expires = rl->window_start + window;
	return save(t, key, klen, rl);
}

/*
 * Counts one event for subject; returns 1 if this event is over the
 * limit (it is still counted), 0 if within, -1 on a database error.
 */
int
ratelimit_hit(struct store_txn *t, const char *kind, const char *subject,
    int64_t now, long limit, long window, long *retry_after)
{
	struct ratelimit	 rl;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);

	if (count_one(t, key, klen, now, window, &rl) != STORE_OK)
		return -1;
	if ((long)rl.count <= limit)
		return 0;
	*retry_after = (long)(rl.expires - now);
	if (*retry_after > window)
		*retry_after = window;
	if (*retry_after < 1)
		*retry_after = 1;
	return 1;
}

/*
 * Counts one event for subject after ratelimit_check() said there is
 * room; returns the store's answer, so that a full map can be told from
 * other failures.
 */
int
ratelimit_count(struct store_txn *t, const char *kind, const char *subject,
    int64_t now, long window)
{
	struct ratelimit	 rl;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);

	return count_one(t, key, klen, now, window, &rl);
}

/*
 * The events counted for subject in the window that is current at now
 * (0 when it has ended or there is none), without counting: for
 * reports such as "mcp-oauth-admin stats".
 */
int
ratelimit_current(struct store_txn *t, const char *kind,
    const char *subject, int64_t now, long window, uint32_t *count)
{
	struct ratelimit	 rl;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);
	int			 rc;

	*count = 0;
	if ((rc = load(t, key, klen, now, window, &rl)) == STORE_OK)
		*count = rl.count;
	return rc;
}

int
ratelimit_reset(struct store_txn *t, const char *kind, const char *subject)
{
	char	 key[RATELIMIT_KEY_MAX];
	size_t	 klen = make_key(key, kind, subject);
	int	 rc;

	rc = store_del(t, DB_RATELIMIT, key, klen, NULL, 0);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * The counter stored under key: STORE_OK with rl filled, STORE_NOTFOUND
 * if there is none or it does not decode, or a store error.
 */
static int
stored(struct store_txn *t, const char *key, size_t klen,
    struct ratelimit *rl)
{
	struct store_val	 v;
	int			 rc;

	if ((rc = store_get(t, DB_RATELIMIT, key, klen, &v)) != STORE_OK)
		return rc;
	return ratelimit_decode(v.data, v.len, rl) == STORE_OK ? STORE_OK :
	    STORE_NOTFOUND;
}

/*
 * ratelimit_reset() only if the counter's window still starts at
 * window_start: a lease (a limit of one in a window) is released only
 * by the process that took it, never after it expired and another
 * process took it anew (its window starts later).
 */
int
ratelimit_reset_window(struct store_txn *t, const char *kind,
    const char *subject, int64_t window_start)
{
	struct ratelimit	 rl;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);
	int			 rc;

	if ((rc = stored(t, key, klen, &rl)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	if (rl.window_start != window_start)
		return STORE_OK;
	rc = store_del(t, DB_RATELIMIT, key, klen, NULL, 0);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Takes back one event counted by ratelimit_count() in the current
 * window: a sign-in is counted before the password is checked, so that
 * parallel attempts cannot pass the check together, and a success takes
 * its count back.  A window that has ended is left alone.
 */
int
ratelimit_undo(struct store_txn *t, const char *kind, const char *subject,
    int64_t now, long window)
{
	struct ratelimit	 rl;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);
	int			 rc;

	if ((rc = stored(t, key, klen, &rl)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	if (rl.window_start + window <= now || rl.count == 0)
		return STORE_OK;
	rl.count--;
	return save(t, key, klen, &rl);
}

/*
 * The subject under which a client address is counted: an IPv4 address
 * as it is, an IPv6 address by its /64 network, since one host commonly
 * holds a whole /64 and could otherwise take a fresh counter for every
 * request.  Anything else (a name, garbage) is counted as it is.
 */
void
ratelimit_ip_subject(const char *addr, char *out, size_t outsz)
{
	struct in6_addr	 a6;
	char		 text[INET6_ADDRSTRLEN];

	if (addr == NULL) {
		snprintf(out, outsz, "-");
		return;
	}
	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, &a6) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&a6)) {
		memset(&a6.s6_addr[8], 0, 8);
		if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL) {
			snprintf(out, outsz, "%s/64", text);
			return;
		}
	}
	snprintf(out, outsz, "%s", addr);
}
