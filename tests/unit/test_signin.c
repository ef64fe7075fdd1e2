/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Password sign-in against a real LMDB environment: every attempt is
 * counted before the password is checked, under the user name and the
 * address; a success takes its count back; unknown, malformed and
 * disabled users are refused like a wrong password; too many failures
 * throttle even the right password.  Times are passed in.
 */
#define _GNU_SOURCE	/* memmem */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/audit.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/ratelimit.h"
#include "../../src/lib/session.h"
#include "../../src/lib/signin.h"
#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "testutil.h"

#define T0		1700000000
#define IP		"203.0.113.9"
#define MAX_FAILURES	1
#define LOCKOUT		600
/* crypto_password_hash("right"), made once: hashing is slow on purpose. */
#define RIGHT_HASH	"$scrypt$ln=14,r=8,p=5$qpKM1tD72q21pbTnQX3MYg$" \
			"kpFel8YmchtUQ94FVaZLvxgw1Ga5NPXW5cjaV4Tjwxo"

static char		*dir;
static struct config	*cfg;
static struct store	*st;

static void
add_user(const char *name, uint32_t flags)
{
	struct store_txn	*t;
	struct user		 u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.password_hash = RIGHT_HASH;
	u.flags = flags;
	u.created = u.updated = T0;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
setup(void)
{
	char	 text[512], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\nlogin_max_failures = %d\nlogin_lockout = %d\n",
	    dir, MAX_FAILURES, LOCKOUT);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(cfg->db_path, 1 << 22, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)), STORE_OK, "%s", err);
	add_user("alice", 0);
	add_user("carol", USER_DISABLED);
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	config_free(cfg);
	cfg = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(signin, .init = setup, .fini = teardown);

static int
copy_event(const struct audit_event *ev, void *arg)
{
	*(struct audit_event *)arg = *ev;
	return 0;
}

/* How many events the counter kind:subject holds in its window at now. */
static long
counted(const char *kind, const char *subject, int64_t now)
{
	struct store_txn	*t;
	long			 n, wait;
	int			 rc;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	for (n = 0; n < 100; n++) {
		rc = ratelimit_check(t, kind, subject, now, n + 1, LOCKOUT,
		    &wait);
		cr_assert_neq(rc, -1);
		if (rc == 0)
			break;
	}
	store_abort(t);
	return n;
}

/* counted() of the per-name counter, whose subject is the name's hash. */
static long
counted_name(const char *name, int64_t now)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];
	char		 subject[CRYPTO_SHA256_LEN * 2 + 1];

	cr_assert_eq(crypto_sha256_str(name, h), CRYPTO_OK);
	hex_encode(h, sizeof(h), subject);
	return counted(SIGNIN_KIND_USER, subject, now);
}

static int
attempt(struct signin *s, const char *name, const char *pw, int64_t now)
{
	return signin_attempt(st, cfg, s, name, pw, IP, now);
}

/* Signs s in; the session's cookie value goes to cookie. */
static void
accept(const struct signin *s, struct pending *pd, char *cookie,
    size_t cookiesz)
{
	cr_assert_eq(signin_accept(st, s, 3600, "pending-id", pd, cookie,
	    cookiesz), STORE_OK);
}

Test(signin, the_right_password_is_counted_then_taken_back)
{
	struct signin		 s;
	struct store_txn	*t;
	struct session		 sess;
	char			 cookie[SESSION_TOKEN_MAX];

	cr_assert_eq(attempt(&s, "alice", "right", T0), SIGNIN_OK);
	cr_assert_eq(s.name_valid, 1);
	/* Counted and committed before the check. */
	cr_assert_eq(counted_name("alice", T0), 1);
	cr_assert_eq(counted(SIGNIN_KIND_IP, IP, T0), 1);
	accept(&s, NULL, cookie, sizeof(cookie));
	cr_assert_eq(counted_name("alice", T0), 0);
	cr_assert_eq(counted(SIGNIN_KIND_IP, IP, T0), 0);
	/* And the cookie names a session of alice. */
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(session_get(t, cookie, T0 + 1, &sess), STORE_OK);
	store_abort(t);
	cr_assert_str_eq(sess.user, "alice");
	session_free(&sess);
}

/* A pending request that asked for prompt=login has had its sign-in. */
Test(signin, the_sign_in_clears_prompt_login_of_the_pending_request)
{
	struct signin		 s;
	struct store_txn	*t;
	struct pending		 pd, got;
	char			 cookie[SESSION_TOKEN_MAX];
	char			 id[SESSION_TOKEN_MAX];
	unsigned char		 h[CRYPTO_SHA256_LEN];

	memset(&pd, 0, sizeof(pd));
	pd.client_id = "mcpc_app";
	pd.redirect_uri = "http://127.0.0.1:9999/cb";
	pd.state = "";
	pd.challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
	pd.scope = "mcp";
	pd.resource = "https://mcp.example.com/mcp";
	pd.prompt = PROMPT_LOGIN | PROMPT_CONSENT;
	pd.created = T0;
	pd.expires = T0 + 600;
	cr_assert_eq(pending_new_secret(id, sizeof(id), h), STORE_OK);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(pending_put(t, id, &pd), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	cr_assert_eq(attempt(&s, "alice", "right", T0), SIGNIN_OK);
	cr_assert_eq(signin_accept(st, &s, 3600, id, &pd, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(pd.prompt, PROMPT_CONSENT);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(pending_get(t, id, T0 + 1, &got), STORE_OK);
	store_abort(t);
	cr_assert_eq(got.prompt, PROMPT_CONSENT);
	pending_free(&got);
}

Test(signin, a_wrong_password_stays_counted)
{
	struct signin	 s;

	cr_assert_eq(attempt(&s, "alice", "wrong", T0), SIGNIN_REFUSED);
	cr_assert_eq(counted_name("alice", T0), 1);
	cr_assert_eq(counted(SIGNIN_KIND_IP, IP, T0), 1);
}

Test(signin, too_many_failures_throttle_even_the_right_password)
{
	struct signin	 s;
	int		 i;

	for (i = 0; i < MAX_FAILURES; i++)
		cr_assert_eq(attempt(&s, "alice", "wrong", T0 + i),
		    SIGNIN_REFUSED);
	cr_assert_eq(attempt(&s, "alice", "right", T0 + 10),
	    SIGNIN_THROTTLED);
	cr_assert(s.retry_after > 0 && s.retry_after <= LOCKOUT, "%ld",
	    s.retry_after);
	/* A throttled attempt is not counted. */
	cr_assert_eq(counted_name("alice", T0 + 10),
	    MAX_FAILURES);
	/* After the window the right password works again. */
	cr_assert_eq(attempt(&s, "alice", "right", T0 + LOCKOUT + 1),
	    SIGNIN_OK);
}

/* An address may fail four times as often, over any names. */
Test(signin, the_address_has_its_own_limit)
{
	struct signin	 s;
	char		 name[16];
	int		 i;

	for (i = 0; i < 4 * MAX_FAILURES; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		cr_assert_eq(attempt(&s, name, "wrong", T0), SIGNIN_REFUSED);
	}
	cr_assert_eq(attempt(&s, "alice", "right", T0), SIGNIN_THROTTLED);
	cr_assert_eq(counted_name("alice", T0), 0);
}

/* A success takes back its own count only. */
Test(signin, a_success_takes_back_one_count_of_the_address)
{
	struct signin	 s;
	char		 cookie[SESSION_TOKEN_MAX];

	cr_assert_eq(attempt(&s, "bob", "wrong", T0), SIGNIN_REFUSED);
	cr_assert_eq(attempt(&s, "alice", "right", T0), SIGNIN_OK);
	accept(&s, NULL, cookie, sizeof(cookie));
	cr_assert_eq(counted(SIGNIN_KIND_IP, IP, T0), 1);
	cr_assert_eq(counted_name("alice", T0), 0);
	cr_assert_eq(counted_name("bob", T0), 1);
}

/*
 * A user that does not exist is refused and counted like a wrong
 * password; a name that cannot be a user is counted under the address
 * only.
 */
Test(signin, unknown_and_malformed_names_are_refused_and_counted)
{
	static const struct {
		const char	*name;
		int		 valid;
	} cases[] = {
		{ "nobody", 1 },
		{ "no body", 0 },
	};
	struct signin	 s;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(attempt(&s, cases[i].name, "right", T0),
		    SIGNIN_REFUSED, "%s", cases[i].name);
		cr_assert_eq(s.name_valid, cases[i].valid);
		cr_assert_eq(counted_name(cases[i].name, T0),
		    cases[i].valid, "%s", cases[i].name);
		cr_assert_eq(counted(SIGNIN_KIND_IP, IP, T0), (long)i + 1);
	}
}

Test(signin, a_disabled_user_is_refused_with_the_right_password)
{
	struct signin	 s;

	cr_assert_eq(attempt(&s, "carol", "right", T0), SIGNIN_REFUSED);
}

Test(signin, the_dummy_hash_matches_no_password)
{
	cr_assert_eq(crypto_password_verify("right", RIGHT_HASH), CRYPTO_OK);
	cr_assert_eq(crypto_password_verify("", signin_dummy_hash),
	    CRYPTO_MISMATCH);
	cr_assert_eq(crypto_password_verify("right", signin_dummy_hash),
	    CRYPTO_MISMATCH);
}

static void
last_event(struct audit_event *out)
{
	struct store_txn	*t;
	struct audit_filter	 f;

	memset(&f, 0, sizeof(f));
	f.limit = 1;
	memset(out, 0, sizeof(*out));
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(audit_list(t, &f, copy_event, out), STORE_OK);
	store_abort(t);
}

/*
 * A name that is no user's may be a password typed into the wrong
 * field: the trail keeps the address, never the name.
 */
Test(signin, the_trail_keeps_only_a_known_user_name)
{
	struct signin		 s;
	struct audit_event	 ev;

	cr_assert_eq(signin_attempt(st, cfg, &s, "Hunter2secret", "wrong", IP,
	    T0), SIGNIN_REFUSED);
	last_event(&ev);
	cr_assert_eq(ev.kind, AUDIT_SIGNIN_FAILED);
	cr_assert_str_eq(ev.user, "");
	cr_assert_str_eq(ev.addr, IP);
	cr_assert_eq(signin_attempt(st, cfg, &s, "alice", "wrong", IP,
	    T0 + 1), SIGNIN_REFUSED);
	last_event(&ev);
	cr_assert_eq(ev.kind, AUDIT_SIGNIN_FAILED);
	cr_assert_str_eq(ev.user, "alice");
}

/*
 * A password typed into the name field is a valid-looking name: its
 * failures are counted under its hash, and no key of the rate-limit
 * database holds it.
 */
Test(signin, a_name_is_counted_by_its_hash)
{
	struct signin		 s;
	struct store_txn	*t;
	struct store_cursor	*cur;
	struct store_val	 k, v;
	const char		*typed = "correct-horse-battery";
	int			 rc, keys = 0;

	cr_assert_eq(attempt(&s, typed, "wrong", T0), SIGNIN_REFUSED);
	cr_assert_eq(counted_name(typed, T0), 1);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_cursor_open(t, DB_RATELIMIT, &cur), STORE_OK);
	for (rc = store_cursor_get(cur, &k, &v, STORE_FIRST); rc == STORE_OK;
	    rc = store_cursor_get(cur, &k, &v, STORE_NEXT)) {
		keys++;
		cr_assert_null(memmem(k.data, k.len, typed, strlen(typed)));
		cr_assert_null(memmem(v.data, v.len, typed, strlen(typed)));
	}
	cr_assert_eq(rc, STORE_NOTFOUND);
	store_cursor_close(cur);
	store_abort(t);
	cr_assert_geq(keys, 2, "the name's and the address's counters");
}
