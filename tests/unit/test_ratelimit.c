/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Fixed-window counters for registrations per IP (RFC 7591 /register:
 * 20 an hour by default) and failed sign-ins per user and per IP (the
 * brute-force protection of the login page), against
 * a real LMDB environment, with times passed in.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/ratelimit.h"
#include "../../src/lib/store.h"
#include "testutil.h"

#define T0	1700000000

static char		*dir;
static struct store	*st;

static void
setup(void)
{
	char	 path[300], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(path, sizeof(path), "%s/db", dir);
	cr_assert_eq(store_open(path, 1 << 20, STORE_OPEN_CREATE, &st, err,
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

TestSuite(ratelimit, .init = setup, .fini = teardown);

static int
hit(const char *kind, const char *subject, int64_t now, long limit,
    long window, long *retry)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = ratelimit_hit(t, kind, subject, now, limit, window, retry);
	cr_assert_eq(store_commit(t), STORE_OK);
	return rc;
}

static int
check(const char *kind, const char *subject, int64_t now, long limit,
    long window, long *retry)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	rc = ratelimit_check(t, kind, subject, now, limit, window, retry);
	store_abort(t);
	return rc;
}

Test(ratelimit, limit_events_pass_then_the_next_is_over)
{
	long	 retry = -1;

	cr_assert_eq(hit("register", "192.0.2.1", T0, 2, 3600, &retry), 0);
	cr_assert_eq(hit("register", "192.0.2.1", T0 + 1, 2, 3600, &retry),
	    0);
	cr_assert_eq(retry, -1, "untouched while within the limit");
	cr_assert_eq(hit("register", "192.0.2.1", T0 + 10, 2, 3600, &retry),
	    1);
	cr_assert_eq(retry, 3590, "seconds until the window ends");
	cr_assert_eq(hit("register", "192.0.2.1", T0 + 11, 2, 3600, &retry),
	    1, "still counted and still over");
}

Test(ratelimit, check_does_not_count)
{
	long	 retry = -1;
	int	 i;

	for (i = 0; i < 5; i++)
		cr_assert_eq(check("login-user", "alice", T0, 3, 60, &retry),
		    0);
	for (i = 0; i < 3; i++)
		cr_assert_eq(hit("login-user", "alice", T0 + i, 3, 60, &retry),
		    0);
	/* Three failures of three allowed: the fourth try is refused. */
	cr_assert_eq(check("login-user", "alice", T0 + 5, 3, 60, &retry), 1);
	cr_assert_eq(retry, 55);
}

Test(ratelimit, window_ends_at_exactly_its_length)
{
	long	 retry = 0;

	cr_assert_eq(hit("k", "s", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0 + 59, 1, 60, &retry), 1);
	cr_assert_eq(retry, 1);
	cr_assert_eq(check("k", "s", T0 + 59, 1, 60, &retry), 1);
	cr_assert_eq(check("k", "s", T0 + 60, 1, 60, &retry), 0,
	    "a new window");
	cr_assert_eq(hit("k", "s", T0 + 60, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0 + 61, 1, 60, &retry), 1);
	cr_assert_eq(retry, 59, "counted from the new window's start");
}

Test(ratelimit, retry_after_is_at_least_one_second)
{
	long	 retry = 0;

	/* A limit of 0 refuses everything; the last second says 1. */
	cr_assert_eq(hit("k", "s", T0, 0, 10, &retry), 1);
	cr_assert_eq(retry, 10);
	cr_assert_eq(check("k", "s", T0 + 9, 0, 10, &retry), 1);
	cr_assert_eq(retry, 1);
}

/*
 * The clock stepped back (an NTP correction, a restored snapshot): a
 * window that starts in the future is reset at the first look, rather
 * than holding its count, and its Retry-After, for longer than its
 * length; Retry-After never exceeds the window.
 */
Test(ratelimit, a_window_in_the_future_is_reset)
{
	long	 retry = 0;

	cr_assert_eq(hit("k", "s", T0 + 1000, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0 + 1001, 1, 60, &retry), 1);
	/* 1000 seconds back: a new window from now. */
	cr_assert_eq(check("k", "s", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0 + 1, 1, 60, &retry), 1);
	cr_assert_eq(retry, 59);
	cr_assert_eq(check("k", "s", T0 + 1, 1, 60, &retry), 1);
	cr_assert(retry >= 1 && retry <= 60, "%ld", retry);
	/* Even a start one second ahead is reset. */
	cr_assert_eq(check("k", "s", T0 - 1, 1, 60, &retry), 0,
	    "a start one second ahead is reset too");
}

Test(ratelimit, kinds_and_subjects_are_separate)
{
	long	 retry;

	cr_assert_eq(hit("login-user", "alice", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("login-user", "alice", T0, 1, 60, &retry), 1);
	cr_assert_eq(hit("login-user", "bob", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("login-ip", "alice", T0, 1, 60, &retry), 0);
	cr_assert_eq(check("login-user", "alic", T0, 1, 60, &retry), 0);
	cr_assert_eq(check("login-user", "alice2", T0, 1, 60, &retry), 0);
	/* No address (CGI without REMOTE_ADDR) is one subject, "-". */
	cr_assert_eq(hit("register", NULL, T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("register", NULL, T0, 1, 60, &retry), 1);
	cr_assert_eq(check("register", "-", T0, 1, 60, &retry), 1);
}

Test(ratelimit, reset_after_a_good_sign_in)
{
	struct store_txn	*t;
	long			 retry;

	cr_assert_eq(hit("login-user", "alice", T0, 1, 60, &retry), 0);
	cr_assert_eq(check("login-user", "alice", T0, 1, 60, &retry), 1);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(ratelimit_reset(t, "login-user", "alice"), STORE_OK);
	cr_assert_eq(ratelimit_reset(t, "login-user", "nobody"), STORE_OK,
	    "resetting nothing is fine");
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(check("login-user", "alice", T0, 1, 60, &retry), 0);
}

/*
 * A CIMD fetch lease (a limit of one in a window) that expired while
 * its process was still fetching, and that another process took anew,
 * is not released by the first process's late release.
 */
Test(ratelimit, late_release_keeps_anothers_lease)
{
	struct store_txn	*t;
	long			 retry;

	cr_assert_eq(hit("cimd-fetch", "u", T0, 1, 40, &retry), 0);
	/* The lease expires; another process takes it. */
	cr_assert_eq(hit("cimd-fetch", "u", T0 + 40, 1, 40, &retry), 0);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(ratelimit_reset_window(t, "cimd-fetch", "u", T0),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(check("cimd-fetch", "u", T0 + 41, 1, 40, &retry), 1,
	    "the second process still holds its lease");
	/* Its own release frees it. */
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(ratelimit_reset_window(t, "cimd-fetch", "u", T0 + 40),
	    STORE_OK);
	cr_assert_eq(ratelimit_reset_window(t, "cimd-fetch", "none", T0),
	    STORE_OK, "releasing nothing is fine");
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(check("cimd-fetch", "u", T0 + 41, 1, 40, &retry), 0);
}

Test(ratelimit, long_subjects_are_cut_safely)
{
	char	 subject[400];
	long	 retry;

	memset(subject, 'x', sizeof(subject) - 1);
	subject[sizeof(subject) - 1] = '\0';
	cr_assert_eq(hit("login-user", subject, T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("login-user", subject, T0, 1, 60, &retry), 1);
}

Test(ratelimit, corrupt_counter_starts_over)
{
	struct store_txn	*t;
	long			 retry;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_put(t, DB_RATELIMIT, "k:s", 3, "junk", 4, 0),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(check("k", "s", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0, 1, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0, 1, 60, &retry), 1);
}

Test(ratelimit, record_decodes)
{
	struct store_txn	*t;
	struct ratelimit	 rl;
	struct store_val	 v;
	long			 retry;

	cr_assert_eq(hit("k", "s", T0, 5, 60, &retry), 0);
	cr_assert_eq(hit("k", "s", T0 + 3, 5, 60, &retry), 0);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_RATELIMIT, "k:s", 3, &v), STORE_OK);
	cr_assert_eq(ratelimit_decode(v.data, v.len, &rl), STORE_OK);
	store_abort(t);
	cr_assert_eq(rl.window_start, T0);
	cr_assert_eq(rl.count, 2);
	cr_assert_eq(rl.expires, T0 + 60, "purgeable when the window ends");
}

static int
count(const char *kind, const char *subject, int64_t now, long window)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = ratelimit_count(t, kind, subject, now, window);
	cr_assert_eq(store_commit(t), STORE_OK);
	return rc;
}

static int
undo(const char *kind, const char *subject, int64_t now, long window)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = ratelimit_undo(t, kind, subject, now, window);
	cr_assert_eq(store_commit(t), STORE_OK);
	return rc;
}

/*
 * A sign-in is counted before its password is checked, so that
 * parallel guesses cannot all pass the check before any is counted.
 */
Test(ratelimit, count_then_check_sees_the_count)
{
	long	 retry = 0;

	cr_assert_eq(count("login-user", "alice", T0, 60), STORE_OK);
	cr_assert_eq(count("login-user", "alice", T0 + 1, 60), STORE_OK);
	cr_assert_eq(check("login-user", "alice", T0 + 2, 3, 60, &retry), 0);
	cr_assert_eq(count("login-user", "alice", T0 + 2, 60), STORE_OK);
	cr_assert_eq(check("login-user", "alice", T0 + 3, 3, 60, &retry), 1);
	cr_assert_eq(retry, 57);
}

/* A good sign-in takes its count back from the address. */
Test(ratelimit, undo_takes_one_event_back)
{
	long	 retry = 0;

	cr_assert_eq(count("login-ip", "192.0.2.1", T0, 60), STORE_OK);
	cr_assert_eq(count("login-ip", "192.0.2.1", T0, 60), STORE_OK);
	cr_assert_eq(check("login-ip", "192.0.2.1", T0, 2, 60, &retry), 1);
	cr_assert_eq(undo("login-ip", "192.0.2.1", T0 + 1, 60), STORE_OK);
	cr_assert_eq(check("login-ip", "192.0.2.1", T0 + 1, 2, 60, &retry), 0);
	/* Never below zero, and nothing to undo is no error. */
	cr_assert_eq(undo("login-ip", "192.0.2.1", T0 + 1, 60), STORE_OK);
	cr_assert_eq(undo("login-ip", "192.0.2.1", T0 + 1, 60), STORE_OK);
	cr_assert_eq(undo("login-ip", "192.0.2.9", T0 + 1, 60), STORE_OK);
	cr_assert_eq(count("login-ip", "192.0.2.1", T0 + 2, 60), STORE_OK);
	cr_assert_eq(check("login-ip", "192.0.2.1", T0 + 2, 1, 60, &retry), 1);
}

/* An ended window is not touched: the next count starts a new one. */
Test(ratelimit, undo_leaves_an_ended_window_alone)
{
	long	 retry = 0;

	cr_assert_eq(count("login-ip", "192.0.2.2", T0, 60), STORE_OK);
	cr_assert_eq(undo("login-ip", "192.0.2.2", T0 + 60, 60), STORE_OK);
	cr_assert_eq(count("login-ip", "192.0.2.2", T0 + 61, 60), STORE_OK);
	cr_assert_eq(check("login-ip", "192.0.2.2", T0 + 61, 1, 60, &retry),
	    1);
	cr_assert_eq(retry, 60);
}

/* IPv6 clients are counted per /64; everything else as it is. */
Test(ratelimit, ip_subjects)
{
	static const struct {
		const char	*addr, *subject;
	} cases[] = {
		{ "192.0.2.7", "192.0.2.7" },
		{ "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2::1", "2001:db8:1:2::/64" },
		{ "2001:DB8:1:2:0:0:0:ffff", "2001:db8:1:2::/64" },
		{ "2001:db8:1:3::1", "2001:db8:1:3::/64" },
		{ "::1", "::/64" },
		{ "::ffff:192.0.2.7", "::ffff:192.0.2.7" },
		{ "not an address", "not an address" },
		{ "fe80::1%eth0", "fe80::1%eth0" },
	};
	char	 out[RATELIMIT_IP_MAX];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ratelimit_ip_subject(cases[i].addr, out, sizeof(out));
		cr_assert_str_eq(out, cases[i].subject, "%s", cases[i].addr);
	}
	ratelimit_ip_subject(NULL, out, sizeof(out));
	cr_assert_str_eq(out, "-");
}
