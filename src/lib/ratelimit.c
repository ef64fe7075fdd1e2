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
	MDB_val	 v;
	int	 rc;

	memset(rl, 0, sizeof(*rl));
	rc = store_get(t, DB_RATELIMIT, key, klen, &v);
	if (rc == STORE_OK && ratelimit_decode(v.mv_data, v.mv_size, rl) !=
	    STORE_OK)
		rc = STORE_NOTFOUND;	/* a corrupt counter starts over */
	if (rc == STORE_NOTFOUND || rl->window_start + window <= now) {
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
	if (*retry_after < 1)
		*retry_after = 1;
	return 1;
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
	struct buf		 b;
	char			 key[RATELIMIT_KEY_MAX];
	size_t			 klen = make_key(key, kind, subject);
	int			 rc;

	if (load(t, key, klen, now, window, &rl) != STORE_OK)
		return -1;
	if (rl.count < UINT32_MAX)
		rl.count++;
	rl.expires = rl.window_start + window;
	buf_init(&b);
	rec_begin(&b);
	rec_put_i64(&b, rl.window_start);
	rec_put_u32(&b, rl.count);
	rec_put_i64(&b, rl.expires);
	rc = buf_failed(&b) ? STORE_ENOMEM : store_put(t, DB_RATELIMIT, key,
	    klen, b.data, b.len, 0);
	buf_free(&b);
	if (rc != STORE_OK)
		return -1;
	if ((long)rl.count <= limit)
		return 0;
	*retry_after = (long)(rl.expires - now);
	if (*retry_after < 1)
		*retry_after = 1;
	return 1;
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
