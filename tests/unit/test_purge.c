/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Purge against a real LMDB environment: what expires goes (to the
 * second: expires <= now), what lives stays, index entries go with
 * their records, steps are bounded and resume, the opportunistic
 * purge keeps its position in the database, a rotated-out refresh
 * token's small record goes when the token would have expired, and a
 * full map is purged all the same.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/dbcheck.h"
#include "../../src/lib/dbstats.h"
#include "../../src/lib/purge.h"
#include "../../src/lib/ratelimit.h"
#include "../../src/lib/session.h"
#include "dbfixture.h"

TestSuite(purge, .init = fx_setup, .fini = fx_teardown);

static void
assert_consistent(void)
{
	struct dbcheck_result	 r;

	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 0, "%lu problems", r.problems);
}

static void
session_at(const char *user, int64_t now, long life)
{
	struct store_txn	*t;
	char			 cookie[SESSION_TOKEN_MAX];

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, user, now, life, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(purge, expired_go_live_stay)
{
	struct fx_grant		 old, young, unredeemed;
	struct purge_counts	 c;
	struct store_txn	*t;
	long			 retry;
	int			 grown = 0;
	int64_t			 now = FX_T0 + FX_REFRESH_LIFE;

	/* Expires exactly at now: gone. */
	fx_grant("alice", &fx_app, FX_T0, 1, &old);
	/* One second younger: its grant and refresh tokens stay. */
	fx_grant("bob", &fx_app, FX_T0 + 1, 0, &young);
	/* A code never redeemed: grant and code expire with the code. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(fx_grant_in(t, "bob", &fx_other, FX_T0, 0, 1,
	    &unredeemed), STORE_OK);
	cr_assert_eq(ratelimit_hit(t, "login-user", "alice", FX_T0, 5, 60,
	    &retry), 0);
	cr_assert_eq(store_commit(t), STORE_OK);
	session_at("alice", FX_T0, 60);
	session_at("bob", now, 60);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now, 0, 0, &c, &grown), STORE_OK);
	cr_assert_not(grown);
	cr_assert_eq(c.grants, 2);
	/* old: 2 access, 2 refresh, 1 code; young's access token too. */
	cr_assert_eq(c.access_tokens, 3);
	cr_assert_eq(c.refresh_tokens, 2);
	cr_assert_eq(c.codes, 3);
	cr_assert_eq(c.sessions, 1);
	cr_assert_eq(c.ratelimit, 1);
	cr_assert_eq(c.pending, 0);
	cr_assert_gt(c.scanned, 0);
	cr_assert_not(fx_stored(DB_GRANTS, old.id, GRANT_ID_LEN));
	cr_assert_not(fx_stored(DB_GRANTS, unredeemed.id, GRANT_ID_LEN));
	cr_assert(fx_token_works(young.refresh));
	cr_assert_not(fx_token_stored(young.access));
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, young.id), 1);
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "alice"), 0);
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "bob"), 1);
	cr_assert_eq(fx_entries(DB_SESSIONS), 1);
	cr_assert_eq(fx_entries(DB_GRANT_TOKENS), 1);
	assert_consistent();

	/* A second pass finds nothing. */
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now, 0, 0, &c, NULL), STORE_OK);
	cr_assert_eq(purge_counts_total(&c), 0);
}

/*
 * An expired grant whose tokens outlive it (lifetimes changed): the
 * grant takes them along, even when the budget ends inside it.
 */
Test(purge, grant_takes_its_tokens_in_steps)
{
	struct fx_grant		 g;
	struct purge_pos	 p;
	struct purge_counts	 c;
	struct store_txn	*t;
	struct grant		 rec;
	int			 steps = 0;

	fx_grant("alice", &fx_app, FX_T0, 4, &g);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_grant_get(t, g.id, &rec), STORE_OK);
	rec.expires = FX_T0 + 1;
	cr_assert_eq(store_grant_put(t, &rec), STORE_OK);
	grant_free(&rec);
	cr_assert_eq(store_commit(t), STORE_OK);

	purge_pos_init(&p);
	memset(&c, 0, sizeof(c));
	while (p.stage != PURGE_DONE) {
		cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
		cr_assert_eq(purge_step(t, FX_T0 + 1, 0, &p, 1000, 1, &c),
		    STORE_OK);
		cr_assert_eq(store_commit(t), STORE_OK);
		cr_assert_lt(++steps, 100);
	}
	/* 5 access + 5 refresh + 1 code + the grant, one per step. */
	cr_assert_geq(steps, 12);
	cr_assert_eq(c.grants, 1);
	cr_assert_eq(c.access_tokens, 5);
	cr_assert_eq(c.refresh_tokens, 5);
	cr_assert_eq(c.codes, 1);
	cr_assert_eq(fx_entries(DB_TOKENS), 0);
	assert_consistent();
}

Test(purge, scan_budget_bounds_a_step)
{
	struct fx_grant		 g;
	struct purge_pos	 p;
	struct purge_counts	 c;
	struct store_txn	*t;
	int			 i, steps = 0;

	for (i = 0; i < 5; i++)
		fx_grant("alice", &fx_app, FX_T0, 0, &g);
	purge_pos_init(&p);
	memset(&c, 0, sizeof(c));
	while (p.stage != PURGE_DONE) {
		cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
		cr_assert_eq(purge_step(t, FX_T0, 0, &p, 2, 100, &c), STORE_OK);
		store_abort(t);
		steps++;
	}
	/*
	 * 10 tokens, 5 codes, their 15 index entries, 5 grants and the
	 * 2 clients: 37, 2 per step.
	 */
	cr_assert_eq(c.scanned, 37);
	cr_assert_geq(steps, 18);
	cr_assert_eq(purge_counts_total(&c), 0);
}

/*
 * The opportunistic purge continues where the last call stopped, in
 * any process: the position lives in the meta database.
 */
Test(purge, opportunistic_resumes)
{
	struct purge_counts	 c;
	struct store_txn	*t;
	struct store_val	 v;
	int			 i;

	for (i = 0; i < 10; i++)
		session_at("alice", FX_T0, 60);
	memset(&c, 0, sizeof(c));
	for (i = 0; i < 4; i++) {
		cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
		cr_assert_eq(purge_expired(t, FX_T0 + 60, 0, 3, &c), STORE_OK);
		cr_assert_eq(store_get(t, DB_META, "purge_position", 14, &v),
		    STORE_OK);
		cr_assert_eq(store_commit(t), STORE_OK);
		cr_assert_leq(c.sessions, (unsigned long)(3 * (i + 1)));
	}
	cr_assert_eq(c.sessions, 10);
	cr_assert_eq(fx_entries(DB_SESSIONS), 0);
}

/*
 * A full map: the grants that fill it expire, and purge makes room
 * even though LMDB needs free pages to delete.  Afterwards the server
 * can write again.
 */
TestSuite(purge_full, .fini = fx_teardown);

Test(purge_full, full_map)
{
	struct fx_grant		 g;
	struct purge_counts	 c;
	struct store_txn	*t;
	struct dbstats		 s;
	int			 rc, n = 0, grown = 0;

	fx_open(1024 * 1024);
	for (;;) {
		cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
		rc = fx_grant_in(t, "alice", &fx_app, FX_T0, 3, 0, &g);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc == STORE_FULL)
			break;
		cr_assert_eq(rc, STORE_OK);
		cr_assert_lt(++n, 100000);
	}
	cr_assert_gt(n, 100);
	cr_assert_eq(dbstats_read(fx_st, FX_T0, &s), STORE_OK);
	cr_assert_gt(s.usage_percent, 50.0, "%f", s.usage_percent);
	cr_assert_eq(s.entries[DB_GRANTS], (size_t)n);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, FX_T0 + FX_REFRESH_LIFE, 0, 0, &c,
	    &grown), STORE_OK);
	cr_assert_eq(c.grants, (unsigned long)n);
	cr_assert_eq(fx_entries(DB_TOKENS), 0);
	fx_grant("bob", &fx_app, FX_T0 + FX_REFRESH_LIFE, 0, &g);
	cr_assert(fx_token_works(g.access));
	assert_consistent();
}

/*
 * Index entries of purged records go, those of live ones stay, across
 * many grants whose entries interleave, in batches of one deletion.
 */
Test(purge, index_follows_records)
{
	struct fx_grant		 g[30];
	struct purge_counts	 c;
	int			 i;
	int64_t			 now = FX_T0 + FX_ACCESS_LIFE + 1500;

	for (i = 0; i < 30; i++)
		fx_grant(i % 2 ? "alice" : "bob", i % 3 ? &fx_app : &fx_other,
		    FX_T0 + i * 100, 2, &g[i]);
	cr_assert_eq(fx_entries(DB_GRANT_TOKENS), 210);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now, 0, 1, &c, NULL), STORE_OK);
	/* Access tokens of grants 0..15, codes of grants 0..20. */
	cr_assert_eq(c.access_tokens, 16 * 3);
	cr_assert_eq(c.codes, 21);
	cr_assert_eq(c.refresh_tokens, 0);
	cr_assert_eq(c.grants, 0);
	cr_assert_eq(c.index_entries, 16 * 3 + 21);
	cr_assert_eq(fx_entries(DB_GRANT_TOKENS), 210 - 16 * 3 - 21);
	for (i = 0; i < 30; i++) {
		cr_assert_eq(fx_token_stored(g[i].access), i > 15);
		cr_assert(fx_token_works(g[i].refresh));
	}
	assert_consistent();
}

/* One refresh of token at now, committed; the new refresh token. */
static void
refresh_at(const char *token, int64_t now, char *out)
{
	struct store_txn	*t;
	struct token_response	 tr;
	struct oauth_error	 e;

	memset(&e, 0, sizeof(e));
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(grant_refresh(t, fx_cfg, &fx_app, token, NULL, NULL, now,
	    &tr, &e), 0, "%s", e.description);
	cr_assert_eq(store_commit(t), STORE_OK);
	memcpy(out, tr.refresh_token, TOKEN_MAX);
}

/*
 * A rotation keeps of the rotated-out refresh token only a 26-byte
 * record, indexed under its grant; the purge removes it, with its
 * index entry, when the token would have expired, and leaves the
 * younger ones (which still reveal a reuse) and the grant.
 */
Test(purge, rotated_out_refresh_tokens_go_when_they_expire)
{
	struct fx_grant		 g;
	struct purge_counts	 c;
	struct store_val	 v;
	struct store_txn	*t;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 r2[TOKEN_MAX], r3[TOKEN_MAX];

	fx_grant("alice", &fx_app, FX_T0, 0, &g);
	refresh_at(g.refresh, FX_T0 + 100, r2);
	refresh_at(r2, FX_T0 + 200, r3);
	/* Three refresh tokens, two access tokens more, a code. */
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, g.id), 1 + 3 + 3);
	cr_assert_eq(crypto_sha256_str(g.refresh, h), CRYPTO_OK);
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_TOKENS, h, sizeof(h), &v), STORE_OK);
	cr_assert_eq(v.len, 26, "version, kind, grant id, expiry");
	store_abort(t);

	/* The first refresh token expires at FX_T0 + its lifetime. */
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, FX_T0 + FX_REFRESH_LIFE, 0, 0, &c,
	    NULL), STORE_OK);
	cr_assert_eq(c.refresh_tokens, 1);
	cr_assert_eq(c.access_tokens, 3);
	cr_assert_eq(c.codes, 1);
	cr_assert_eq(c.grants, 0);
	cr_assert_not(fx_token_stored(g.refresh));
	cr_assert(fx_token_stored(r2), "kept until it would expire");
	cr_assert(fx_token_works(r3));
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, g.id), 2);
	assert_consistent();

	/* The second one, a rotation later. */
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, FX_T0 + 100 + FX_REFRESH_LIFE, 0, 0, &c,
	    NULL), STORE_OK);
	cr_assert_eq(c.refresh_tokens, 1);
	cr_assert_not(fx_token_stored(r2));
	cr_assert(fx_token_works(r3));
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, g.id), 1);
	assert_consistent();
}

/* A CIMD client record fetched at FX_T0, cached for an hour. */
static void
cimd_client(struct client *c, const char *url, uint32_t flags)
{
	struct store_txn	*t;

	fx_client(c, url);
	c->flags |= CLIENT_CIMD | flags;
	c->fetched = FX_T0;
	c->expires = FX_T0 + 3600;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, c, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static int
client_there(const char *id)
{
	struct store_txn	*t;
	struct client		 c;
	int			 rc;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	rc = store_client_get(t, id, &c);
	store_abort(t);
	if (rc == STORE_OK)
		client_free(&c);
	cr_assert(rc == STORE_OK || rc == STORE_NOTFOUND);
	return rc == STORE_OK;
}

/*
 * A CIMD client record goes once its cache expiry is PURGE_CIMD_MARGIN
 * past, unless the administrator pinned it or a grant refers to it; a
 * registered client never goes.
 */
Test(purge, unused_cimd_clients_go)
{
	struct client		 unused, used, pinned;
	struct fx_grant		 g;
	struct purge_counts	 c;
	const int64_t		 gone = FX_T0 + 3600 + PURGE_CIMD_MARGIN;

	cimd_client(&unused, "https://a.example/unused.json", 0);
	cimd_client(&used, "https://a.example/used.json", 0);
	cimd_client(&pinned, "https://a.example/pinned.json",
	    CLIENT_PINNED);
	/* A grant that outlives both passes. */
	fx_grant("alice", &used, gone, 0, &g);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, gone - 1, 0, 0, &c, NULL), STORE_OK);
	cr_assert_eq(c.cimd_clients, 0);
	cr_assert(client_there("https://a.example/unused.json"));
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, gone, 0, 0, &c, NULL), STORE_OK);
	cr_assert_eq(c.cimd_clients, 1);
	cr_assert_not(client_there("https://a.example/unused.json"));
	cr_assert(client_there("https://a.example/used.json"));
	cr_assert(client_there("https://a.example/pinned.json"));
	cr_assert(client_there("mcpc_app"));
	client_free(&unused);
	client_free(&used);
	client_free(&pinned);
}

/*
 * The end of the last whole pass is kept (the statistics page and
 * "stats" show it): none before the first, then the time of the pass
 * that ended, whether the administrator's or the opportunistic one.
 */
Test(purge, last_completed_pass)
{
	struct purge_counts	 c;
	struct dbstats		 s;
	struct store_txn	*t;
	int64_t			 when = -1;

	cr_assert_eq(dbstats_read(fx_st, FX_T0, &s), STORE_OK);
	cr_assert_eq(s.last_purge, 0);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, FX_T0 + 10, 0, 0, &c, NULL), STORE_OK);
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(purge_last_completed(t, &when), STORE_OK);
	store_abort(t);
	cr_assert_eq(when, FX_T0 + 10);
	/* An opportunistic step that ends a pass says so too. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(purge_expired(t, FX_T0 + 20, 0, 1000, &c), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(dbstats_read(fx_st, FX_T0 + 20, &s), STORE_OK);
	cr_assert_eq(s.last_purge, FX_T0 + 20);
}
