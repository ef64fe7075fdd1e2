/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Device authorizations (RFC 8628) against a real LMDB environment,
 * with times passed in: the record codec (a pending record with the
 * device's fields after it), starting, the guessing limits of the
 * verification page, answering, and every poll result.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/consent.h"
#include "../../src/lib/device.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/purge.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "testutil.h"

#define T0	1700000000

static char		*dir;
static struct config	*cfg;
static struct store	*st;
static struct client	 dev, web;

static void
make_client(struct client *c, const char *id, uint32_t grants)
{
	struct store_txn	*t;

	client_init(c);
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->auth_method = CLIENT_AUTH_NONE;
	c->grant_types = grants;
	c->created = T0;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, c, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
add_user(const char *name)
{
	struct store_txn	*t;
	struct user		 u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.password_hash = "not-a-hash";
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
	    "db_path = %s/db\ncode_lifetime = 600\n", dir);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(cfg->db_path, 1 << 26, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)), STORE_OK, "%s", err);
	make_client(&dev, "mcpc_device", CLIENT_GRANT_DEVICE |
	    CLIENT_GRANT_REFRESH);
	make_client(&web, "mcpc_web", CLIENT_GRANT_DEVICE);
	add_user("alice");
}

static void
teardown(void)
{
	client_free(&dev);
	client_free(&web);
	store_close(st);
	st = NULL;
	config_free(cfg);
	cfg = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(device, .init = setup, .fini = teardown);

static void
start(const struct client *c, const char *ip, int64_t now,
    struct device_start *ds)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(device_start(t, c, "mcp", cfg->mcp_url, ip, now, ds),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static int
lookup_as(const char *user, const char *ip, const char *typed, int64_t now)
{
	struct store_txn	*t;
	struct device		 d;
	long			 retry = 0;
	int			 rc;

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = device_lookup(t, ip, user, typed, now, &d, &retry);
	cr_assert_eq(store_commit(t), STORE_OK);
	if (rc == DEVICE_THROTTLED)
		cr_assert(retry > 0);
	device_free(&d);
	return rc;
}

static int
lookup(const char *ip, const char *typed, int64_t now)
{
	return lookup_as("alice", ip, typed, now);
}

/* The device code hash the verification page keeps for shown. */
static void
hash_of(const char *shown, char *hex)
{
	struct store_txn	*t;
	struct device		 d;
	char			 canon[USERCODE_LEN + 1];

	cr_assert_eq(usercode_normalise(shown, strlen(shown), canon), 0);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(device_get(t, canon, &d), STORE_OK);
	device_code_hash_hex(&d, hex);
	device_free(&d);
	store_abort(t);
}

static int
answer_hash(const struct client *c, const char *shown, const char *hex,
    int approve, int64_t now)
{
	struct store_txn	*t;
	char			 canon[USERCODE_LEN + 1];
	int			 rc;

	cr_assert_eq(usercode_normalise(shown, strlen(shown), canon), 0);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = device_answer(t, cfg, c, canon, hex, "alice", NULL, approve,
	    now);
	if (rc == STORE_OK)
		cr_assert_eq(store_commit(t), STORE_OK);
	else
		store_abort(t);
	return rc;
}

static int
answer(const struct client *c, const char *shown, int approve, int64_t now)
{
	char	 hex[2 * CRYPTO_SHA256_LEN + 1];

	hash_of(shown, hex);
	return answer_hash(c, shown, hex, approve, now);
}

/* One poll; returns the OAuth error, or "" with the tokens. */
static const char *
poll(const struct client *c, const char *code, int64_t now,
    struct token_response *tr)
{
	static struct oauth_error	 e;
	struct store_txn		*t;
	int				 rc;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	rc = device_poll(t, cfg, c, code, NULL, now, tr, &e);
	if (rc == 0 || e.commit)
		cr_assert_eq(store_commit(t), STORE_OK);
	else
		store_abort(t);
	return rc == 0 ? "" : e.error;
}

Test(device, record_round_trip_and_pending_view)
{
	struct device	 d, back;
	struct pending	 pd;
	struct buf	 b;

	memset(&d, 0, sizeof(d));
	d.pd.client_id = "mcpc_device";
	d.pd.redirect_uri = d.pd.challenge = "";
	d.pd.scope = "mcp";
	d.pd.resource = "https://mcp.example.com/mcp";
	d.pd.created = T0;
	d.pd.expires = T0 + 600;
	memset(d.pd.csrf_hash, 0xab, sizeof(d.pd.csrf_hash));
	memcpy(d.user_code, "BCDFGHJK", sizeof(d.user_code));
	d.status = DEVICE_APPROVED;
	d.interval = 10;
	d.last_poll = T0 + 5;
	d.user = "alice";
	memset(d.code_hash, 0xcd, sizeof(d.code_hash));
	buf_init(&b);
	cr_assert_eq(device_encode(&d, &b), STORE_OK);
	cr_assert_eq(b.data[0], 1, "version byte");
	cr_assert_eq(device_decode(b.data, b.len, &back), STORE_OK);
	cr_assert_str_eq(back.user_code, "BCDFGHJK");
	cr_assert_str_eq(back.pd.client_id, "mcpc_device");
	cr_assert_str_eq(back.pd.scope, "mcp");
	cr_assert_eq(back.status, DEVICE_APPROVED);
	cr_assert_eq(back.interval, 10);
	cr_assert_eq(back.last_poll, T0 + 5);
	cr_assert_str_eq(back.user, "alice");
	cr_assert_eq(memcmp(back.code_hash, d.code_hash, 32), 0);
	cr_assert_eq(memcmp(back.pd.csrf_hash, d.pd.csrf_hash, 32), 0);
	device_free(&back);
	/* The purge and "check" read it as a pending record. */
	cr_assert_eq(pending_decode(b.data, b.len, &pd), STORE_OK);
	cr_assert_eq(pd.expires, T0 + 600);
	cr_assert(pd.prompt & PENDING_DEVICE_RECORD);
	pending_free(&pd);
	/* Any cut is refused, not trusted. */
	for (size_t n = 0; n < b.len; n++)
		cr_assert_eq(device_decode(b.data, n, &back), STORE_CORRUPT,
		    "cut at %zu", n);
	buf_free(&b);
}

Test(device, refuses_a_bad_user_code_or_status)
{
	struct device	 d, back;
	struct buf	 b;

	memset(&d, 0, sizeof(d));
	d.pd.client_id = d.pd.redirect_uri = d.pd.challenge = "";
	d.pd.scope = d.pd.resource = "";
	d.user = "";
	memcpy(d.user_code, "AEIOUAEI", sizeof(d.user_code));
	buf_init(&b);
	cr_assert_eq(device_encode(&d, &b), STORE_OK);
	cr_assert_eq(device_decode(b.data, b.len, &back), STORE_CORRUPT);
	buf_free(&b);
	memcpy(d.user_code, "BCDFGHJK", sizeof(d.user_code));
	d.status = 7;
	buf_init(&b);
	cr_assert_eq(device_encode(&d, &b), STORE_OK);
	cr_assert_eq(device_decode(b.data, b.len, &back), STORE_CORRUPT);
	buf_free(&b);
}

Test(device, start_answers_codes_that_match)
{
	struct device_start	 ds;
	char			 canon[USERCODE_LEN + 1];

	start(&dev, "192.0.2.1", T0, &ds);
	cr_assert_eq(strlen(ds.user_code), USERCODE_DISPLAY_LEN);
	cr_assert_eq(usercode_normalise(ds.user_code, strlen(ds.user_code),
	    canon), 0);
	cr_assert_eq(strncmp(ds.device_code, "mcpdc_", 6), 0);
	cr_assert_eq(strncmp(ds.device_code + 6, canon, USERCODE_LEN), 0);
	cr_assert_eq(ds.expires_in, DEVICE_LIFETIME);
	cr_assert_eq(ds.interval, DEVICE_INTERVAL);
	cr_assert_eq(lookup("192.0.2.1", ds.user_code, T0 + 1), STORE_OK);
}

Test(device, start_limits_per_address_and_client)
{
	struct store_txn	*t;
	struct device_start	 ds;
	int			 i;

	for (i = 0; i < DEVICE_START_IP_MAX; i++)
		start(&dev, "2001:db8::1", T0, &ds);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	/* The same /64 is the same address. */
	cr_assert_eq(device_start(t, &dev, "mcp", cfg->mcp_url,
	    "2001:db8::ffff", T0, &ds), DEVICE_THROTTLED);
	cr_assert(ds.retry_after > 0);
	store_abort(t);
	/* One transaction: the client's limit is high (a public id). */
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	for (i = DEVICE_START_IP_MAX; i < DEVICE_START_CLIENT_MAX; i++) {
		char	 ip[32];

		snprintf(ip, sizeof(ip), "198.%d.%d.1", i / 250, i % 250);
		cr_assert_eq(device_start(t, &dev, "mcp", cfg->mcp_url, ip,
		    T0, &ds), STORE_OK);
	}
	cr_assert_eq(device_start(t, &dev, "mcp", cfg->mcp_url,
	    "203.0.113.9", T0, &ds), DEVICE_THROTTLED);
	store_abort(t);
	/* Another client is counted apart; a new window starts over. */
	start(&web, "203.0.113.9", T0, &ds);
	start(&dev, "2001:db8::1", T0 + DEVICE_LIFETIME, &ds);
}

Test(device, guessing_is_limited_per_account_address_and_server)
{
	struct store_txn	*t;
	struct device_start	 ds;
	struct device		 d;
	char			 ip[32], user[32];
	long			 retry;
	int			 i, n;

	start(&dev, "192.0.2.1", T0, &ds);
	/* Per account, from any number of addresses. */
	for (i = 0; i < DEVICE_GUESS_USER_MAX; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		cr_assert_eq(lookup_as("mallory", ip, i % 2 ? "BCDF-GHJK" :
		    "junk", T0), STORE_NOTFOUND);
	}
	/* Over: even the right code is not looked up, from anywhere. */
	cr_assert_eq(lookup_as("mallory", "192.0.2.50", ds.user_code, T0),
	    DEVICE_THROTTLED);
	/* Someone else, at that address, is not held back. */
	cr_assert_eq(lookup_as("alice", "192.0.2.50", ds.user_code, T0),
	    STORE_OK);
	/* Per address (IPv6 per /64), whatever the accounts. */
	for (i = 0; i < DEVICE_GUESS_IP_MAX; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		cr_assert_eq(lookup_as(user, "2001:db8::7", "BCDF-GHJK", T0),
		    STORE_NOTFOUND);
	}
	cr_assert_eq(lookup_as("bob", "2001:db8::ffff", ds.user_code, T0),
	    DEVICE_THROTTLED);
	cr_assert_eq(lookup_as("bob", "2001:db8:1::7", ds.user_code, T0),
	    STORE_OK);
	/*
	 * The server-wide limit takes hundreds of accounts and addresses:
	 * up to just below it, a person with the right code gets through.
	 */
	n = DEVICE_GUESS_USER_MAX + DEVICE_GUESS_IP_MAX;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	for (i = n; i < DEVICE_GUESS_ALL_MAX; i++) {
		snprintf(user, sizeof(user), "g%d", i / DEVICE_GUESS_USER_MAX);
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 2500,
		    i / DEVICE_GUESS_IP_MAX % 250);
		cr_assert_eq(device_lookup(t, ip, user, "BCDF-GHJK", T0, &d,
		    &retry), STORE_NOTFOUND, "guess %d", i);
		if (i == DEVICE_GUESS_ALL_MAX - 2) {
			cr_assert_eq(device_lookup(t, "192.0.2.9", "carol",
			    ds.user_code, T0, &d, &retry), STORE_OK);
			device_free(&d);
		}
	}
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(lookup_as("carol", "192.0.2.9", ds.user_code, T0),
	    DEVICE_THROTTLED);
	/* The next window (by then the code has expired). */
	cr_assert_eq(lookup_as("mallory", "192.0.2.7", ds.user_code,
	    T0 + DEVICE_GUESS_WINDOW), DEVICE_EXPIRED);
}

Test(device, polls_pending_slow_down_tokens_and_reuse)
{
	struct device_start	 ds;
	struct token_response	 tr;

	start(&dev, "192.0.2.1", T0, &ds);
	cr_assert_str_eq(poll(&dev, ds.device_code, T0, &tr),
	    "authorization_pending");
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 4, &tr),
	    "slow_down");
	/* The interval is now 10 s from the last poll. */
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 13, &tr),
	    "slow_down");
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 28, &tr),
	    "authorization_pending");
	cr_assert_str_eq(poll(&web, ds.device_code, T0 + 60, &tr),
	    "invalid_grant");
	cr_assert_eq(lookup("192.0.2.1", ds.user_code, T0 + 30), STORE_OK);
	cr_assert_eq(answer(&web, ds.user_code, 1, T0 + 30), STORE_NOTFOUND);
	cr_assert_eq(answer(&dev, ds.user_code, 1, T0 + 30), STORE_OK);
	cr_assert_eq(answer(&dev, ds.user_code, 0, T0 + 31), DEVICE_ANSWERED);
	cr_assert_eq(lookup("192.0.2.1", ds.user_code, T0 + 31),
	    DEVICE_ANSWERED);
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 60, &tr), "");
	cr_assert(tr.has_refresh);
	cr_assert_str_eq(tr.user, "alice");
	cr_assert_str_eq(tr.scope, "mcp");
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 70, &tr),
	    "invalid_grant");
}

Test(device, denied_and_expired)
{
	struct device_start	 a, b;
	struct token_response	 tr;

	start(&dev, "192.0.2.1", T0, &a);
	start(&dev, "192.0.2.1", T0, &b);
	cr_assert_eq(answer(&dev, a.user_code, 0, T0 + 10), STORE_OK);
	cr_assert_str_eq(poll(&dev, a.device_code, T0 + 20, &tr),
	    "access_denied");
	cr_assert_eq(lookup("192.0.2.1", b.user_code, T0 + DEVICE_LIFETIME),
	    DEVICE_EXPIRED);
	cr_assert_eq(answer(&dev, b.user_code, 1, T0 + DEVICE_LIFETIME),
	    DEVICE_EXPIRED);
	cr_assert_str_eq(poll(&dev, b.device_code, T0 + DEVICE_LIFETIME, &tr),
	    "expired_token");
}

Test(device, malformed_device_codes)
{
	struct device_start	 ds;
	struct token_response	 tr;
	char			 forged[TOKEN_MAX];

	start(&dev, "192.0.2.1", T0, &ds);
	snprintf(forged, sizeof(forged), "%s", ds.device_code);
	forged[strlen(forged) - 1] ^= 1;
	cr_assert_str_eq(poll(&dev, forged, T0, &tr), "invalid_grant");
	cr_assert_str_eq(poll(&dev, "", T0, &tr), "invalid_grant");
	cr_assert_str_eq(poll(&dev, "mcpdc_bcdfghjk_x", T0, &tr),
	    "invalid_grant");
	forged[6] = 'b';
	cr_assert_str_eq(poll(&dev, forged, T0, &tr), "invalid_grant");
}

Test(device, purge_removes_expired_ones_but_not_an_approved_one)
{
	struct device_start	 a, b;
	struct purge_counts	 c;
	struct token_response	 tr;

	start(&dev, "192.0.2.1", T0, &a);
	start(&dev, "192.0.2.1", T0, &b);
	/* Approved just before its end: it waits for the late poll. */
	cr_assert_eq(answer(&dev, b.user_code, 1, T0 + DEVICE_LIFETIME - 1),
	    STORE_OK);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(st, T0 + DEVICE_LIFETIME, 0, 0, &c, NULL),
	    STORE_OK);
	cr_assert_eq(c.pending, 1);
	cr_assert_str_eq(poll(&dev, a.device_code, T0 + DEVICE_LIFETIME, &tr),
	    "invalid_grant");
	cr_assert_str_eq(poll(&dev, b.device_code, T0 + DEVICE_LIFETIME + 5,
	    &tr), "");
}

/* Far more starts than one address may make are not a client's limit. */
Test(device, client_limit_needs_hundreds_of_addresses)
{
	cr_assert_geq(DEVICE_START_CLIENT_MAX / DEVICE_START_IP_MAX, 300);
}

/*
 * The verification page's answer names the device code's hash: one
 * for another authorization (a later one holding the same user code)
 * answers nothing.
 */
Test(device, answer_binds_to_the_device_code_hash)
{
	struct device_start	 ds;
	struct token_response	 tr;
	char			 hex[2 * CRYPTO_SHA256_LEN + 1];

	start(&dev, "192.0.2.1", T0, &ds);
	hash_of(ds.user_code, hex);
	hex[0] = hex[0] == '0' ? '1' : '0';
	cr_assert_eq(answer_hash(&dev, ds.user_code, hex, 1, T0 + 1),
	    STORE_NOTFOUND);
	cr_assert_eq(answer_hash(&dev, ds.user_code, "", 1, T0 + 1),
	    STORE_NOTFOUND);
	cr_assert_eq(answer_hash(&dev, ds.user_code, NULL, 1, T0 + 1),
	    STORE_NOTFOUND);
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 6, &tr),
	    "authorization_pending");
	hash_of(ds.user_code, hex);
	cr_assert_eq(answer_hash(&dev, ds.user_code, hex, 1, T0 + 7),
	    STORE_OK);
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 12, &tr), "");
}

/*
 * With a code_lifetime shorter than the polling interval, the code
 * issued on approval still waits for the device's next poll.
 */
Test(device, approval_outlives_a_short_code_lifetime)
{
	struct device_start	 ds;
	struct token_response	 tr;

	cfg->code_lifetime = 10;
	start(&dev, "192.0.2.1", T0, &ds);
	/* Polling too fast raises the interval to 15 s. */
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 1, &tr),
	    "authorization_pending");
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 2, &tr),
	    "slow_down");
	cr_assert_str_eq(poll(&dev, ds.device_code, T0 + 3, &tr),
	    "slow_down");
	cr_assert_eq(answer(&dev, ds.user_code, 1, T0 + 4), STORE_OK);
	/* Past code_lifetime, within interval and margin. */
	cr_assert_str_eq(poll(&dev, ds.device_code,
	    T0 + 4 + 15 + DEVICE_POLL_MARGIN - 1, &tr), "");
}

/*
 * Starting a device authorization is a use of its client; a client
 * deleted before the person approves gets no grant and no code.
 */
Test(device, start_touches_and_a_deleted_client_gets_nothing)
{
	struct store_txn	*t;
	struct store_val	 v;
	struct client		 c;
	struct device_start	 ds;

	start(&dev, "192.0.2.1", T0 + 40, &ds);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_get(t, dev.id, &c), STORE_OK);
	cr_assert_eq(c.last_used, T0 + 40);
	client_free(&c);
	cr_assert_eq(store_client_del(t, dev.id), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(answer(&dev, ds.user_code, 1, T0 + 41),
	    CONSENT_CLIENT_GONE);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_CLIENT_GRANTS, dev.id, strlen(dev.id),
	    &v), STORE_NOTFOUND);
	store_abort(t);
}
