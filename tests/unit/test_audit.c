/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The audit trail against a real LMDB environment: the record encoding
 * and its limits, keys in time order and unique, newest-first listing
 * with filters, the count and age bounds under a flood of inserts (a
 * bounded number of deletions per insert), the full trim, and the
 * database made by the first writer of an environment that predates it.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include <lmdb.h>

#include "../../src/admin/since.h"
#include "../../src/lib/audit.h"
#include "../../src/lib/buf.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/purge.h"
#include "../../src/lib/record.h"
#include "../../src/lib/store.h"
#include "testutil.h"

#define T0_US	((int64_t)1700000000 * 1000000)
#define DAY_US	((int64_t)86400 * 1000000)

static char		*dir;
static struct store	*st;

static void
setup(void)
{
	char	 path[512], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 24, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)), STORE_OK, "%s", err);
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(audit, .init = setup, .fini = teardown);

static void
put_at(int64_t us, int kind, const char *user, const char *client,
    const struct audit_bounds *b)
{
	struct store_txn	*t;
	struct audit_event	 ev;

	audit_event_set(&ev, kind, user, client, "192.0.2.7", "d");
	ev.time_us = us;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(audit_put(t, b, &ev), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static size_t
entries(void)
{
	struct store_txn	*t;
	size_t			 n;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_entries(t, DB_AUDIT, &n), STORE_OK);
	store_abort(t);
	return n;
}

struct seen {
	struct audit_event	 ev[64];
	size_t			 n;
};

static int
collect(const struct audit_event *ev, void *arg)
{
	struct seen	*s = arg;

	if (s->n < 64)
		s->ev[s->n++] = *ev;
	return 0;
}

static void
list(const struct audit_filter *f, struct seen *s)
{
	struct store_txn	*t;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(audit_list(t, f, collect, s), STORE_OK);
	store_abort(t);
}

Test(audit, kinds_have_names_both_ways)
{
	int	 k;

	for (k = 1; k < AUDIT__MAX; k++)
		cr_assert_eq(audit_kind_parse(audit_kind_name(k)), k);
	cr_assert_eq(audit_kind_parse("nonsense"), 0);
	cr_assert_str_eq(audit_kind_name(0), "unknown");
	cr_assert_str_eq(audit_kind_name(AUDIT__MAX), "unknown");
	/* Stored as one byte: the numbers never change. */
	cr_assert_eq(AUDIT_SIGNIN, 1);
	cr_assert_eq(AUDIT_CONFIG_ERROR, 12);
	cr_assert_eq(AUDIT_PASSWORD_CHANGED, 13);
	cr_assert_eq(AUDIT_SIGNED_OUT, 14);
	cr_assert_eq(AUDIT_SCOPES_LIMITED, 15);
	cr_assert_str_eq(audit_kind_name(AUDIT_SCOPES_LIMITED),
	    "scopes-limited");
	cr_assert_str_eq(audit_kind_name(AUDIT_PASSWORD_CHANGED),
	    "password-changed");
	cr_assert_str_eq(audit_kind_name(AUDIT_SIGNED_OUT), "signed-out");
}

Test(audit, an_event_encodes_and_decodes_to_itself)
{
	struct audit_event	 ev, back;
	struct buf		 b;
	unsigned char		 key[AUDIT_KEY_LEN];

	audit_event_set(&ev, AUDIT_REVOKED, "alice", "mcpc_x", "2001:db8::1",
	    AUDIT_BY_ENDPOINT ": grant");
	ev.time_us = T0_US + 123;
	audit_key(ev.time_us, key);
	buf_init(&b);
	audit_encode(&ev, &b);
	cr_assert_eq(audit_decode(b.data, b.len, key, sizeof(key), &back),
	    STORE_OK);
	cr_assert_eq(back.time_us, ev.time_us);
	cr_assert_eq(back.kind, AUDIT_REVOKED);
	cr_assert_str_eq(back.user, "alice");
	cr_assert_str_eq(back.client, "mcpc_x");
	cr_assert_str_eq(back.addr, "2001:db8::1");
	cr_assert_str_eq(back.detail, "revoke-endpoint: grant");
	/* A byte short, a byte over, a wrong key: refused. */
	cr_assert_eq(audit_decode(b.data, b.len - 1, key, sizeof(key),
	    &back), STORE_CORRUPT);
	buf_append(&b, "x", 1);
	cr_assert_eq(audit_decode(b.data, b.len, key, sizeof(key), &back),
	    STORE_CORRUPT);
	cr_assert_eq(audit_decode(b.data, b.len - 1, key, 7, &back),
	    STORE_CORRUPT);
	buf_free(&b);
}

Test(audit, every_field_is_cut_to_its_limit_and_cleaned)
{
	struct audit_event	 ev;
	char			 big[1024];
	char			 utf[AUDIT_USER_MAX + 2];
	size_t			 i;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	audit_event_set(&ev, AUDIT_SIGNIN, big, big, big, big);
	cr_assert_eq(strlen(ev.user), AUDIT_USER_MAX);
	cr_assert_eq(strlen(ev.client), AUDIT_CLIENT_MAX);
	cr_assert_eq(strlen(ev.addr), AUDIT_ADDR_MAX);
	cr_assert_eq(strlen(ev.detail), AUDIT_DETAIL_MAX);
	/* A two-byte character across the limit goes whole. */
	for (i = 0; i < AUDIT_USER_MAX - 1; i++)
		utf[i] = 'u';
	utf[AUDIT_USER_MAX - 1] = (char)0xc3;
	utf[AUDIT_USER_MAX] = (char)0xa9;
	utf[AUDIT_USER_MAX + 1] = '\0';
	audit_event_set(&ev, AUDIT_SIGNIN, utf, NULL, NULL, "a\nb\033c");
	cr_assert_eq(strlen(ev.user), AUDIT_USER_MAX - 1);
	cr_assert_str_eq(ev.client, "");
	cr_assert_str_eq(ev.detail, "a?b?c");
}

Test(audit, a_stored_field_over_its_limit_is_refused)
{
	struct audit_event	 ev;
	struct buf		 b;
	unsigned char		 key[AUDIT_KEY_LEN];
	char			 big[AUDIT_USER_MAX + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	audit_key(T0_US, key);
	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, AUDIT_SIGNIN);
	rec_put_str(&b, big);
	rec_put_str(&b, "");
	rec_put_str(&b, "");
	rec_put_str(&b, "");
	cr_assert_eq(audit_decode(b.data, b.len, key, sizeof(key), &ev),
	    STORE_CORRUPT);
	/* An unknown kind too. */
	rec_begin(&b);
	rec_put_u8(&b, AUDIT__MAX);
	rec_put_str(&b, "");
	rec_put_str(&b, "");
	rec_put_str(&b, "");
	rec_put_str(&b, "");
	cr_assert_eq(audit_decode(b.data, b.len, key, sizeof(key), &ev),
	    STORE_CORRUPT);
	buf_free(&b);
}

Test(audit, keys_are_unique_and_never_go_back)
{
	struct audit_filter	 f;
	struct seen		 s;

	/* Three at the same microsecond, then one from a clock behind. */
	put_at(T0_US, AUDIT_SIGNIN, "a", NULL, NULL);
	put_at(T0_US, AUDIT_SIGNIN, "b", NULL, NULL);
	put_at(T0_US, AUDIT_SIGNIN, "c", NULL, NULL);
	put_at(T0_US - 5, AUDIT_SIGNIN, "d", NULL, NULL);
	memset(&f, 0, sizeof(f));
	list(&f, &s);
	cr_assert_eq(s.n, 4);
	cr_assert_str_eq(s.ev[0].user, "d");
	cr_assert_eq(s.ev[0].time_us, T0_US + 3);
	cr_assert_str_eq(s.ev[3].user, "a");
	cr_assert_eq(s.ev[3].time_us, T0_US);
}

Test(audit, the_listing_is_newest_first_and_filtered)
{
	struct audit_filter	 f;
	struct seen		 s;

	put_at(T0_US, AUDIT_SIGNIN, "alice", NULL, NULL);
	put_at(T0_US + 10, AUDIT_TOKEN_ISSUED, "alice", "c1", NULL);
	put_at(T0_US + 20, AUDIT_TOKEN_ISSUED, "bob", "c2", NULL);
	put_at(T0_US + 30, AUDIT_TOKEN_REFRESHED, "alice", "c2", NULL);
	memset(&f, 0, sizeof(f));
	list(&f, &s);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.ev[0].kind, AUDIT_TOKEN_REFRESHED);
	cr_assert_eq(s.ev[3].kind, AUDIT_SIGNIN);

	f.user = "alice";
	list(&f, &s);
	cr_assert_eq(s.n, 3);
	f.client = "c2";
	list(&f, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ev[0].kind, AUDIT_TOKEN_REFRESHED);

	memset(&f, 0, sizeof(f));
	f.kind = AUDIT_TOKEN_ISSUED;
	list(&f, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.ev[0].user, "bob");

	memset(&f, 0, sizeof(f));
	f.since_us = T0_US + 15;
	list(&f, &s);
	cr_assert_eq(s.n, 2);

	memset(&f, 0, sizeof(f));
	f.limit = 1;
	list(&f, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.ev[0].user, "alice");

	/* scan bounds the events looked at, not the ones listed. */
	memset(&f, 0, sizeof(f));
	f.user = "alice";
	f.scan = 2;
	list(&f, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ev[0].kind, AUDIT_TOKEN_REFRESHED);
	f.scan = 3;
	list(&f, &s);
	cr_assert_eq(s.n, 2);
}

Test(audit, a_flood_keeps_the_count_bound)
{
	struct audit_bounds	 b = { .max_age = 0, .max_events = 50 };
	struct audit_filter	 f;
	struct seen		 s;
	int			 i;

	for (i = 0; i < 1000; i++)
		put_at(T0_US + i, AUDIT_SIGNIN_FAILED, "mallory", NULL, &b);
	cr_assert_eq(entries(), 50);
	/* The newest stayed. */
	memset(&f, 0, sizeof(f));
	f.limit = 1;
	list(&f, &s);
	cr_assert_eq(s.ev[0].time_us, T0_US + 999);
	/* A lower bound is reached two deletions per insert. */
	b.max_events = 40;
	for (i = 0; i < 10; i++)
		put_at(T0_US + 1000 + i, AUDIT_SIGNIN_FAILED, "m", NULL, &b);
	cr_assert_eq(entries(), 40);
}

Test(audit, old_events_go_on_insert_and_on_purge)
{
	struct audit_bounds	 b = { .max_age = 86400, .max_events = 0 };
	struct store_txn	*t;
	size_t			 n = 0;
	int			 i;

	/* Ten events ten days old, unbounded when written. */
	for (i = 0; i < 10; i++)
		put_at(T0_US - 10 * DAY_US + i, AUDIT_SIGNIN, "old", NULL,
		    NULL);
	/* Each new one takes two of them. */
	put_at(T0_US, AUDIT_SIGNIN, "new", NULL, &b);
	cr_assert_eq(entries(), 9);
	/* The full trim takes the rest, and nothing newer. */
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(audit_trim(t, &b, T0_US, 0, &n), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n, 8);
	cr_assert_eq(entries(), 1);
}

Test(audit, the_purge_trims_in_batches_to_the_configured_count)
{
	struct config	*cfg;
	char		 err[CONFIG_ERR_MAX];
	const char	*text = "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\naudit_max_events = 100\n";
	size_t		 n = 0;
	int		 i;

	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(cfg->audit_max_events, 100);
	cr_assert_eq(cfg->audit_max_age, 90L * 86400);
	for (i = 0; i < 250; i++)
		put_at(audit_now_us() - 1000 + i, AUDIT_SIGNIN, "x", NULL,
		    NULL);
	cr_assert_eq(audit_purge(st, cfg, 7, &n), STORE_OK);
	cr_assert_eq(n, 150);
	cr_assert_eq(entries(), 100);
	config_free(cfg);
}

Test(audit, a_failed_signin_becomes_a_success)
{
	struct store_txn	*t;
	struct audit_event	 ev;
	struct audit_filter	 f;
	struct seen		 s;

	audit_event_set(&ev, AUDIT_SIGNIN_FAILED, "alice", NULL, "192.0.2.1",
	    "password");
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(audit_put(t, NULL, &ev), STORE_OK);
	cr_assert_eq(audit_rekind(t, ev.time_us, "alice", AUDIT_SIGNIN),
	    STORE_OK);
	cr_assert_eq(audit_rekind(t, ev.time_us + 1, "alice", AUDIT_SIGNIN),
	    STORE_NOTFOUND);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&f, 0, sizeof(f));
	list(&f, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ev[0].kind, AUDIT_SIGNIN);
	cr_assert_str_eq(s.ev[0].addr, "192.0.2.1");
}

Test(audit, only_a_failed_signin_of_the_same_user_is_rekinded)
{
	struct store_txn	*t;
	struct audit_event	 failed, other;
	struct audit_filter	 f;
	struct seen		 s;

	audit_event_set(&failed, AUDIT_SIGNIN_FAILED, "alice", NULL,
	    "192.0.2.1", "password");
	audit_event_set(&other, AUDIT_TOKEN_ISSUED, "alice", "c1",
	    "192.0.2.1", NULL);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(audit_put(t, NULL, &failed), STORE_OK);
	cr_assert_eq(audit_put(t, NULL, &other), STORE_OK);
	/* Another user's failure, and an event of another kind, stay. */
	cr_assert_eq(audit_rekind(t, failed.time_us, "bob", AUDIT_SIGNIN),
	    STORE_NOTFOUND);
	cr_assert_eq(audit_rekind(t, failed.time_us, NULL, AUDIT_SIGNIN),
	    STORE_NOTFOUND);
	cr_assert_eq(audit_rekind(t, other.time_us, "alice", AUDIT_SIGNIN),
	    STORE_NOTFOUND);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&f, 0, sizeof(f));
	list(&f, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.ev[0].kind, AUDIT_TOKEN_ISSUED);
	cr_assert_eq(s.ev[1].kind, AUDIT_SIGNIN_FAILED);
}

Test(audit, a_future_dated_event_does_not_age_out_real_history)
{
	struct audit_bounds	 b = { .max_age = 86400, .max_events = 0 };
	int64_t			 now = audit_now_us();
	int			 i;

	/* Real history of the last hour, then one event ten years ahead. */
	for (i = 0; i < 5; i++)
		put_at(now - 3600 * (int64_t)1000000 + i, AUDIT_SIGNIN, "real",
		    NULL, NULL);
	put_at(now + 3650 * DAY_US, AUDIT_SIGNIN, "future", NULL, NULL);
	/* Ordinary inserts (keyed after it) must not take the hour's. */
	for (i = 0; i < 5; i++)
		put_at(0, AUDIT_SIGNIN, "later", NULL, &b);
	cr_assert_eq(entries(), 11);
}

Test(audit, the_purge_deletes_events_over_a_day_in_the_future)
{
	int64_t		 now = audit_now_us();
	size_t		 n = 0;

	put_at(now - 1000, AUDIT_SIGNIN, "real", NULL, NULL);
	put_at(now + 3600 * (int64_t)1000000, AUDIT_SIGNIN, "skew", NULL,
	    NULL);
	put_at(now + 3650 * DAY_US, AUDIT_SIGNIN, "future", NULL, NULL);
	put_at(now + 3650 * DAY_US + 1, AUDIT_SIGNIN, "future", NULL, NULL);
	cr_assert_eq(audit_purge(st, NULL, 1, &n), STORE_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(entries(), 2);
}

Test(audit, an_older_environment_gets_the_database_on_open)
{
	MDB_env		*env;
	MDB_txn		*txn;
	MDB_dbi		 dbi;
	char		 path[512], err[STORE_ERR_MAX];

	/* Delete the database: an environment made before it lacks it. */
	snprintf(path, sizeof(path), "%s/db", dir);
	store_close(st);
	st = NULL;
	cr_assert_eq(mdb_env_create(&env), 0);
	cr_assert_eq(mdb_env_set_maxdbs(env, DB__MAX), 0);
	cr_assert_eq(mdb_env_open(env, path, 0, 0600), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, "audit", 0, &dbi), 0);
	cr_assert_eq(mdb_drop(txn, dbi, 1), 0);
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	cr_assert_eq(store_open(path, 1 << 24, STORE_OPEN_RDONLY, &st, err,
	    sizeof(err)), STORE_ENOENT);
	cr_assert_eq(store_open(path, 1 << 24, 0, &st, err, sizeof(err)),
	    STORE_OK, "%s", err);
	put_at(T0_US, AUDIT_SIGNIN, "alice", NULL, NULL);
	cr_assert_eq(entries(), 1);
}

/* The purge's removal of an unused metadata document client. */
Test(audit, the_purge_records_a_client_it_removes)
{
	static const char	 url[] = "https://a.example/client.json";
	struct store_txn	*t;
	struct client		 c;
	struct purge_counts	 n;
	struct audit_filter	 f;
	struct seen		 s;
	char			*uris[] = { "https://a.example/cb" };
	char			 why[256];
	const int64_t		 t0 = 1700000000;

	client_init(&c);
	snprintf(c.id, sizeof(c.id), "%s", url);
	c.auth_method = CLIENT_AUTH_NONE;
	c.grant_types = CLIENT_GRANT_CODE;
	c.response_types = CLIENT_RESPONSE_CODE;
	c.created = c.fetched = t0;
	c.expires = t0 + 3600;
	c.flags |= CLIENT_CIMD;
	cr_assert_eq(client_set_redirect_uris(&c, uris, 1, why, sizeof(why)),
	    CLIENT_OK, "%s", why);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &c, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	client_free(&c);
	memset(&n, 0, sizeof(n));
	cr_assert_eq(purge_run(st, t0 + 3600 + PURGE_CIMD_MARGIN, 0, 0, &n,
	    NULL), STORE_OK);
	cr_assert_eq(n.cimd_clients, 1);
	memset(&f, 0, sizeof(f));
	f.kind = AUDIT_CLIENT_REMOVED;
	list(&f, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.ev[0].client, url);
	cr_assert_str_eq(s.ev[0].detail, "purge: unused metadata document");
}

struct chunked {
	struct audit_event	 ev[64];
	size_t			 n;
	int			 inserts;	/* newer events written meanwhile */
};

/* Collects, and writes a newer event as a concurrent writer would. */
static int
collect_and_insert(const struct audit_event *ev, void *arg)
{
	struct chunked	*c = arg;

	if (c->n < 64)
		c->ev[c->n++] = *ev;
	if (c->inserts-- > 0)
		put_at(0, AUDIT_TOKEN_ISSUED, "newer", NULL, NULL);
	return 0;
}

Test(audit, a_listing_in_parts_misses_and_repeats_nothing)
{
	struct audit_filter	 f;
	struct chunked		 c;
	int64_t			 now = audit_now_us() - 1000000;
	size_t			 i;

	/* 25 events of one microsecond: consecutive keys (audit_put). */
	for (i = 0; i < 25; i++)
		put_at(now, AUDIT_SIGNIN, "old", NULL, NULL);
	memset(&f, 0, sizeof(f));
	f.user = "old";
	memset(&c, 0, sizeof(c));
	c.inserts = 20;
	cr_assert_eq(audit_list_parts(st, &f, 10, collect_and_insert, &c),
	    STORE_OK);
	cr_assert_eq(c.n, 25);
	for (i = 1; i < c.n; i++)
		cr_assert_lt(c.ev[i].time_us, c.ev[i - 1].time_us,
		    "event %zu not older than the one before", i);
	cr_assert_eq(entries(), 25 + 20);

	/* The limit counts across parts; every kind of event is listed. */
	memset(&f, 0, sizeof(f));
	f.limit = 23;
	memset(&c, 0, sizeof(c));
	cr_assert_eq(audit_list_parts(st, &f, 10, collect_and_insert, &c),
	    STORE_OK);
	cr_assert_eq(c.n, 23);
	cr_assert_str_eq(c.ev[0].user, "newer");
	cr_assert_str_eq(c.ev[22].user, "old");

	/* A part the size of the whole, and a part of one. */
	memset(&f, 0, sizeof(f));
	f.user = "old";
	memset(&c, 0, sizeof(c));
	cr_assert_eq(audit_list_parts(st, &f, 25, collect_and_insert, &c),
	    STORE_OK);
	cr_assert_eq(c.n, 25);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(audit_list_parts(st, &f, 1, collect_and_insert, &c),
	    STORE_OK);
	cr_assert_eq(c.n, 25);
}

Test(audit, since_takes_ages_and_dates)
{
	int64_t	 t;

	cr_assert_eq(since_parse("7d", 1000000000, &t), 0);
	cr_assert_eq(t, 1000000000 - 7 * 86400);
	cr_assert_eq(since_parse("45s", 1000000000, &t), 0);
	cr_assert_eq(t, 1000000000 - 45);
	cr_assert_eq(since_parse("3650d", 1000000000, &t), 0);
	cr_assert_eq(since_parse("2026-12-01", 0, &t), 0);
	cr_assert_eq(t, 1796083200);
	cr_assert_eq(since_parse("2026-12-01T08:30:00Z", 0, &t), 0);
	cr_assert_eq(t, 1796083200 + 8 * 3600 + 30 * 60);
	cr_assert_eq(since_parse("2026-12-01T08:30:00", 0, &t), 0);
	cr_assert_eq(since_parse("2024-02-29", 0, &t), 0);
	cr_assert_eq(since_parse("2000-02-29", 0, &t), 0);
}

Test(audit, since_refuses)
{
	static const char *const bad[] = {
		"3651d", "87601h", "5256001m", "315360001s",
		"200000000d", "9223372036854775807d",
		"99999999999999999999999s", "d", "7", "-7d", "+7d", "7 d",
		"2026-+1-01", "2026- 1-01", "2026-1-01", "+026-01-01",
		"2026-01-+1", "2026-02-31", "2026-02-29", "1900-02-29",
		"2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
		"1969-12-31", "2026-12-01T24:00:00Z", "2026-12-01T08:60:00Z",
		"2026-12-01T08:30:61Z", "2026-12-01T8:30:00Z",
		"2026-12-01T08:30:00+01", "2026-12-01T08:30:00ZZ",
		"2026-12-01 08:30:00", "2026-12-01x", "",
		NULL
	};
	int64_t	 t;
	size_t	 i;

	for (i = 0; bad[i] != NULL; i++)
		cr_assert_eq(since_parse(bad[i], 1000000000, &t), -1,
		    "\"%s\" accepted", bad[i]);
}

Test(audit, an_amended_event_keeps_its_user_and_address)
{
	struct store_txn	*t;
	struct audit_event	 ev;
	struct audit_filter	 f;
	struct seen		 s;

	audit_event_set(&ev, AUDIT_SIGNIN_FAILED, "alice", NULL, "192.0.2.1",
	    "password");
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(audit_put(t, NULL, &ev), STORE_OK);
	cr_assert_eq(audit_amend(t, ev.time_us, "alice",
	    AUDIT_PASSWORD_CHANGED, AUDIT_BY_USER "\x01"), STORE_OK);
	cr_assert_eq(audit_amend(t, ev.time_us + 1, "alice", AUDIT_SIGNIN,
	    NULL), STORE_NOTFOUND);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&f, 0, sizeof(f));
	list(&f, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ev[0].kind, AUDIT_PASSWORD_CHANGED);
	cr_assert_eq(s.ev[0].time_us, ev.time_us);
	cr_assert_str_eq(s.ev[0].user, "alice");
	cr_assert_str_eq(s.ev[0].addr, "192.0.2.1");
	/* Cleaned as on writing. */
	cr_assert_str_eq(s.ev[0].detail, AUDIT_BY_USER "?");
}
