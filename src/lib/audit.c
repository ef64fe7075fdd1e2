/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "buf.h"
#include "config.h"
#include "record.h"
#include "store.h"

/* The names the admin tool shows and takes; indexed by the kind. */
static const char *const kind_names[AUDIT__MAX] = {
	[AUDIT_SIGNIN] = "signin",
	[AUDIT_SIGNIN_FAILED] = "signin-failed",
	[AUDIT_CONSENT] = "consent",
	[AUDIT_CONSENT_DENIED] = "consent-denied",
	[AUDIT_TOKEN_ISSUED] = "token-issued",
	[AUDIT_TOKEN_REFRESHED] = "token-refreshed",
	[AUDIT_REFRESH_REUSE] = "refresh-reuse",
	[AUDIT_CODE_REPLAY] = "code-replay",
	[AUDIT_REVOKED] = "revoked",
	[AUDIT_CLIENT_REGISTERED] = "client-registered",
	[AUDIT_CLIENT_REMOVED] = "client-removed",
	[AUDIT_CONFIG_ERROR] = "config-error",
	[AUDIT_PASSWORD_CHANGED] = "password-changed",
	[AUDIT_SIGNED_OUT] = "signed-out",
	[AUDIT_SCOPES_LIMITED] = "scopes-limited",
	[AUDIT_USER_ADDED] = "user-added",
	[AUDIT_USER_DELETED] = "user-deleted",
	[AUDIT_USER_DISABLED] = "user-disabled",
	[AUDIT_USER_ENABLED] = "user-enabled",
	[AUDIT_ADMIN_CHANGED] = "admin-changed",
};

const char *
audit_kind_name(int kind)
{
	if (kind <= 0 || kind >= AUDIT__MAX)
		return "unknown";
	return kind_names[kind];
}

/* The kind named s, or 0. */
int
audit_kind_parse(const char *s)
{
	int	 i;

	for (i = 1; i < AUDIT__MAX; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return 0;
}

/* The configured bounds, or the defaults when cfg is NULL. */
void
audit_bounds_of(const struct config *cfg, struct audit_bounds *b)
{
	b->max_age = cfg != NULL ? cfg->audit_max_age : AUDIT_MAX_AGE_DEFAULT;
	b->max_events = cfg != NULL ? (size_t)cfg->audit_max_events :
	    (size_t)AUDIT_MAX_EVENTS_DEFAULT;
}

int64_t
audit_now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (int64_t)time(NULL) * 1000000;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Copies at most max bytes of src to dst (max + 1 bytes).  A cut never
 * splits a well-formed UTF-8 sequence, and control characters become
 * '?': every field is shown on a terminal by the admin tool.
 */
static void
field_copy(char *dst, size_t max, const char *src)
{
	size_t	 n, i;

	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	n = strnlen(src, max + 1);
	if (n > max) {
		n = max;
		/* A UTF-8 sequence has at most three continuation bytes. */
		while (n > 0 && max - n < 3 &&
		    ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)src[i];

		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	dst[n] = '\0';
}

/* Fills ev (time 0: the time of writing) from the call's fields. */
void
audit_event_set(struct audit_event *ev, int kind, const char *user,
    const char *client, const char *addr, const char *detail)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	field_copy(ev->user, AUDIT_USER_MAX, user);
	field_copy(ev->client, AUDIT_CLIENT_MAX, client);
	field_copy(ev->addr, AUDIT_ADDR_MAX, addr);
	field_copy(ev->detail, AUDIT_DETAIL_MAX, detail);
}

void
audit_key(int64_t time_us, unsigned char *key)
{
	uint64_t	 v = (uint64_t)time_us;
	int		 i;

	for (i = AUDIT_KEY_LEN - 1; i >= 0; i--) {
		key[i] = (unsigned char)v;
		v >>= 8;
	}
}

/* The time of a key, or -1 when it is not an audit key. */
int64_t
audit_key_time(const void *key, size_t len)
{
	const unsigned char	*p = key;
	uint64_t		 v = 0;
	size_t			 i;

	if (len != AUDIT_KEY_LEN)
		return -1;
	for (i = 0; i < AUDIT_KEY_LEN; i++)
		v = v << 8 | p[i];
	return v > INT64_MAX ? -1 : (int64_t)v;
}

void
audit_encode(const struct audit_event *ev, struct buf *b)
{
	rec_begin(b);
	rec_put_u8(b, (uint8_t)ev->kind);
	rec_put_str(b, ev->user);
	rec_put_str(b, ev->client);
	rec_put_str(b, ev->addr);
	rec_put_str(b, ev->detail);
}

/* Reads one string of at most max bytes into dst; 0 or -1. */
static int
field_get(struct rec_reader *r, char *dst, size_t max)
{
	char	*s;
	size_t	 n;

	if ((s = rec_get_str(r)) == NULL)
		return -1;
	if ((n = strlen(s)) > max) {
		free(s);
		return -1;
	}
	memcpy(dst, s, n + 1);
	free(s);
	return 0;
}

/*
 * Decodes the value v (vlen bytes) stored under key k.  STORE_CORRUPT
 * for anything but a well-formed event: a wrong key length, an unknown
 * kind, a field over its limit, bytes left over.
 */
int
audit_decode(const void *v, size_t vlen, const void *k, size_t klen,
    struct audit_event *ev)
{
	struct rec_reader	 r;

	memset(ev, 0, sizeof(*ev));
	if ((ev->time_us = audit_key_time(k, klen)) < 0)
		return STORE_CORRUPT;
	rec_reader_init(&r, v, vlen);
	ev->kind = rec_get_u8(&r);
	if (field_get(&r, ev->user, AUDIT_USER_MAX) == -1 ||
	    field_get(&r, ev->client, AUDIT_CLIENT_MAX) == -1 ||
	    field_get(&r, ev->addr, AUDIT_ADDR_MAX) == -1 ||
	    field_get(&r, ev->detail, AUDIT_DETAIL_MAX) == -1 ||
	    !rec_reader_ok(&r) || ev->kind <= 0 || ev->kind >= AUDIT__MAX) {
		memset(ev, 0, sizeof(*ev));
		return STORE_CORRUPT;
	}
	return STORE_OK;
}

/*
 * Deletes the oldest events while there are more than b's max_events
 * or the oldest is older than max_age at now_us, at most max_del of
 * them (0: no limit).  *deleted (if not NULL) is added to.
 */
int
audit_trim(struct store_txn *t, const struct audit_bounds *b,
    int64_t now_us, size_t max_del, size_t *deleted)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	size_t			 n, done = 0;
	int64_t			 when;
	int			 rc, old;

	if ((rc = store_entries(t, DB_AUDIT, &n)) != STORE_OK)
		return rc;
	if ((rc = store_cursor_open(t, DB_AUDIT, &cur)) != STORE_OK)
		return rc;
	while (max_del == 0 || done < max_del) {
		if ((rc = store_cursor_get(cur, &k, &v, STORE_FIRST)) !=
		    STORE_OK)
			break;
		when = audit_key_time(k.data, k.len);
		old = b->max_age > 0 &&
		    when < now_us - b->max_age * (int64_t)1000000;
		/* A key that is not an event's goes too: nothing reads it. */
		if (!old && when >= 0 &&
		    (b->max_events == 0 || n <= b->max_events))
			break;
		if ((rc = store_cursor_del(cur)) != STORE_OK)
			break;
		n--;
		done++;
	}
	store_cursor_close(cur);
	if (deleted != NULL)
		*deleted += done;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Deletes the newest events while their key is more than
 * AUDIT_FUTURE_SLACK_US after now_us, at most max_del of them (0: no
 * limit).  Such a key comes from a clock that was set forward and then
 * back: the age bound would keep it for years, and every later event
 * would be keyed after it (audit_put takes the last key plus one), so
 * that the trail would show new events at a wrong time until the clock
 * caught up.  A day of slack leaves clocks that differ a little alone.
 * *deleted (if not NULL) is added to.
 */
int
audit_trim_future(struct store_txn *t, int64_t now_us, size_t max_del,
    size_t *deleted)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	size_t			 done = 0;
	int64_t			 when;
	int			 rc;

	if ((rc = store_cursor_open(t, DB_AUDIT, &cur)) != STORE_OK)
		return rc;
	while (max_del == 0 || done < max_del) {
		if ((rc = store_cursor_get(cur, &k, &v, STORE_LAST)) !=
		    STORE_OK)
			break;
		when = audit_key_time(k.data, k.len);
		if (when >= 0 && when <= now_us + AUDIT_FUTURE_SLACK_US)
			break;
		if ((rc = store_cursor_del(cur)) != STORE_OK)
			break;
		done++;
	}
	store_cursor_close(cur);
	if (deleted != NULL)
		*deleted += done;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * The whole trim, for mcp-oauth-admin purge: events dated more than a
 * day in the future (audit_trim_future), then the bounds, in
 * transactions of at most batch deletions each, so that no writer
 * waits long.  *deleted (if not NULL) is added to.
 */
int
audit_purge(struct store *st, const struct config *cfg, size_t batch,
    size_t *deleted)
{
	struct store_txn	*t;
	struct audit_bounds	 b;
	size_t			 n;
	int64_t			 now = audit_now_us();
	int			 rc;

	audit_bounds_of(cfg, &b);
	do {
		n = 0;
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			return rc;
		if ((rc = audit_trim_future(t, now, batch, &n)) == STORE_OK &&
		    (batch == 0 || n < batch))
			rc = audit_trim(t, &b, now, batch == 0 ? 0 : batch - n,
			    &n);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (deleted != NULL && rc == STORE_OK)
			*deleted += n;
	} while (rc == STORE_OK && batch != 0 && n == batch);
	return rc;
}

/*
 * Writes ev in t under a key after every key there (its time_us, or
 * the time now when 0, is moved on to the last key plus one if it is
 * not later), then, unless b is NULL, trims up to AUDIT_TRIM_ON_INSERT
 * of the oldest events over the bounds.  b is NULL where the bounds
 * are not known (the purge: it trims at its end).
 */
int
audit_put(struct store_txn *t, const struct audit_bounds *b,
    struct audit_event *ev)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct buf		 rec;
	unsigned char		 key[AUDIT_KEY_LEN];
	int64_t			 last;
	int			 rc;

	if (ev->time_us <= 0)
		ev->time_us = audit_now_us();
	if ((rc = store_cursor_open(t, DB_AUDIT, &cur)) != STORE_OK)
		return rc;
	rc = store_cursor_get(cur, &k, &v, STORE_LAST);
	if (rc == STORE_OK && (last = audit_key_time(k.data, k.len)) >= 0 &&
	    last >= ev->time_us)
		ev->time_us = last + 1;
	store_cursor_close(cur);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	audit_key(ev->time_us, key);
	buf_init(&rec);
	audit_encode(ev, &rec);
	rc = buf_failed(&rec) ? STORE_ENOMEM : store_put(t, DB_AUDIT, key,
	    sizeof(key), rec.data, rec.len, STORE_NOOVERWRITE);
	buf_free(&rec);
	/*
	 * The age is measured with the clock, not with the key: after one
	 * event dated in the future (a clock that jumped forward, then
	 * back) every key is that one plus a little, and trimming by the
	 * key would delete real history as if it were old.
	 */
	if (rc == STORE_OK && b != NULL)
		rc = audit_trim(t, b, audit_now_us(), AUDIT_TRIM_ON_INSERT,
		    NULL);
	return rc;
}

/*
 * Records an event of kind, now, in t, bounded by cfg's audit_max_age
 * and audit_max_events (cfg NULL: not trimmed here).  Any field may be
 * NULL.  Returns a store code: the caller's transaction fails with it,
 * so that an action and its record are committed together or not at
 * all.
 */
int
audit_record(struct store_txn *t, const struct config *cfg, int kind,
    const char *user, const char *client, const char *addr,
    const char *detail)
{
	struct audit_event	 ev;
	struct audit_bounds	 b;

	audit_event_set(&ev, kind, user, client, addr, detail);
	audit_bounds_of(cfg, &b);
	return audit_put(t, cfg != NULL ? &b : NULL, &ev);
}

/*
 * Changes a failed sign-in of user, the event at time_us, to kind, and
 * its detail to detail unless that is NULL, keeping its other fields
 * (its address): a sign-in attempt is recorded as failed before its
 * password is checked (signin.c), and becomes a success (or a password
 * change, account.c) when it is accepted.  STORE_NOTFOUND when the
 * event is gone (trimmed in between) or is not a failed sign-in of
 * user, so that a stale or wrong time can never rewrite an unrelated
 * event.
 */
int
audit_amend(struct store_txn *t, int64_t time_us, const char *user,
    int kind, const char *detail)
{
	struct store_val	 v;
	struct audit_event	 ev;
	struct buf		 rec;
	unsigned char		 key[AUDIT_KEY_LEN];
	int			 rc;

	audit_key(time_us, key);
	if ((rc = store_get(t, DB_AUDIT, key, sizeof(key), &v)) != STORE_OK)
		return rc;
	if ((rc = audit_decode(v.data, v.len, key, sizeof(key), &ev)) !=
	    STORE_OK)
		return rc;
	if (ev.kind != AUDIT_SIGNIN_FAILED || user == NULL ||
	    strcmp(ev.user, user) != 0)
		return STORE_NOTFOUND;
	ev.kind = kind;
	if (detail != NULL)
		field_copy(ev.detail, AUDIT_DETAIL_MAX, detail);
	buf_init(&rec);
	audit_encode(&ev, &rec);
	rc = buf_failed(&rec) ? STORE_ENOMEM : store_put(t, DB_AUDIT, key,
	    sizeof(key), rec.data, rec.len, 0);
	buf_free(&rec);
	return rc;
}

/* audit_amend() of the kind alone. */
int
audit_rekind(struct store_txn *t, int64_t time_us, const char *user,
    int kind)
{
	return audit_amend(t, time_us, user, kind, NULL);
}

/*
 * A client record removed by the purge (an unused metadata document,
 * an unused registration): its id is the record's key, id_len bytes
 * and not NUL-terminated; why says which rule removed it.
 */
int
audit_client_removed(struct store_txn *t, const char *id, size_t id_len,
    const char *why)
{
	char	 client[AUDIT_CLIENT_MAX + 1];

	if (id_len > AUDIT_CLIENT_MAX)
		id_len = AUDIT_CLIENT_MAX;
	memcpy(client, id, id_len);
	client[id_len] = '\0';
	return audit_record(t, NULL, AUDIT_CLIENT_REMOVED, NULL, client,
	    NULL, why);
}

static int
matches(const struct audit_event *ev, const struct audit_filter *f)
{
	if (f->kind != 0 && ev->kind != f->kind)
		return 0;
	if (f->user != NULL && strcmp(ev->user, f->user) != 0)
		return 0;
	if (f->client != NULL && strcmp(ev->client, f->client) != 0)
		return 0;
	return 1;
}

/*
 * Puts cur on the newest event below before_us (0: the newest event).
 */
static int
list_start(struct store_cursor *cur, int64_t before_us,
    struct store_val *k, struct store_val *v)
{
	unsigned char	 key[AUDIT_KEY_LEN];
	int		 rc;

	if (before_us <= 0)
		return store_cursor_get(cur, k, v, STORE_LAST);
	audit_key(before_us, key);
	k->data = key;
	k->len = sizeof(key);
	rc = store_cursor_get(cur, k, v, STORE_SET_RANGE);
	if (rc == STORE_OK)
		return store_cursor_get(cur, k, v, STORE_PREV);
	if (rc == STORE_NOTFOUND)	/* every key is below before_us */
		return store_cursor_get(cur, k, v, STORE_LAST);
	return rc;
}

/*
 * Calls visit for each event that f lets through, newest first, until
 * f's limit, f's scan or a non-zero return from visit (which is
 * returned).  An event that fails to decode is skipped: "check"
 * reports it.  A long listing is read in parts, each in its own short
 * read transaction: the next part starts below the last event seen
 * (f->before_us), so that events written in between (all newer) are
 * neither repeated nor missed from the listing's moment on.
 */
int
audit_list(struct store_txn *t, const struct audit_filter *f,
    audit_visit visit, void *arg)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	struct audit_event	 ev;
	size_t			 n = 0, seen = 0;
	int			 rc, vr = 0;

	if ((rc = store_cursor_open(t, DB_AUDIT, &cur)) != STORE_OK)
		return rc;
	for (rc = list_start(cur, f->before_us, &k, &v); rc == STORE_OK;
	    rc = store_cursor_get(cur, &k, &v, STORE_PREV)) {
		if (f->scan != 0 && seen++ >= f->scan)
			break;
		if (audit_decode(v.data, v.len, k.data, k.len, &ev) !=
		    STORE_OK)
			continue;
		if (ev.time_us < f->since_us)
			break;
		if (!matches(&ev, f))
			continue;
		if ((vr = visit(&ev, arg)) != 0)
			break;
		if (f->limit != 0 && ++n >= f->limit)
			break;
	}
	store_cursor_close(cur);
	if (vr != 0)
		return vr;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

struct part {
	struct audit_event	*ev;
	size_t			 n;
};

static int
part_add(const struct audit_event *ev, void *arg)
{
	struct part	*p = arg;

	p->ev[p->n++] = *ev;
	return 0;
}

/*
 * audit_list() over the whole store st in parts of at most part events,
 * each read in its own read transaction that ends before visit sees
 * any of them: a listing read slowly (events | less) then pins no
 * snapshot of the database, whose freed pages LMDB could otherwise not
 * reuse while it lasts, so that the map would fill and every write
 * fail.  Each part resumes below the oldest event of the one before.
 */
int
audit_list_parts(struct store *st, const struct audit_filter *f,
    size_t part, audit_visit visit, void *arg)
{
	struct store_txn	*t;
	struct audit_filter	 pf = *f;
	struct part		 p;
	size_t			 left = f->limit, i;
	int			 rc = STORE_OK;

	if (part == 0)
		part = 1;
	if ((p.ev = calloc(part, sizeof(*p.ev))) == NULL)
		return STORE_ENOMEM;
	for (;;) {
		pf.limit = left != 0 && left < part ? left : part;
		p.n = 0;
		if ((rc = store_begin(st, 1, &t)) != STORE_OK)
			break;
		rc = audit_list(t, &pf, part_add, &p);
		store_abort(t);
		if (rc != STORE_OK)
			break;
		for (i = 0; i < p.n; i++)
			if ((rc = visit(&p.ev[i], arg)) != 0)
				goto out;
		if (p.n < pf.limit || p.ev[p.n - 1].time_us <= 0)
			break;
		if (left != 0 && (left -= p.n) == 0)
			break;
		pf.before_us = p.ev[p.n - 1].time_us;
	}
out:
	free(p.ev);
	return rc;
}
