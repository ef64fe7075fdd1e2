/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The consistency check and the statistics against a real LMDB
 * environment: a clean database has no problem; every kind of drift
 * is found, named and (but for corrupt records) repaired; a repair
 * leaves a clean database; the counts add up.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/dbcheck.h"
#include "../../src/lib/dbstats.h"
#include "../../src/lib/purge.h"
#include "dbfixture.h"

TestSuite(dbcheck, .init = fx_setup, .fini = fx_teardown);

struct seen {
	int		 n;
	char		 text[16][2 * DBCHECK_TEXT_MAX];
	int		 repaired[16];
};

static void
collect(const struct dbcheck_problem *p, void *arg)
{
	struct seen	*s = arg;

	if (s->n < 16) {
		snprintf(s->text[s->n], sizeof(s->text[0]), "%s %s",
		    dbcheck_kind_names[p->kind], p->text);
		s->repaired[s->n] = p->repaired;
	}
	s->n++;
}

static int
seen_has(const struct seen *s, const char *needle)
{
	int	 i;

	for (i = 0; i < s->n && i < 16; i++)
		if (strstr(s->text[i], needle) != NULL)
			return 1;
	return 0;
}

static void
raw_put(enum store_db db, const void *k, size_t kl, const void *v, size_t vl)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_put(t, db, k, kl, v, vl, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
raw_del(enum store_db db, const void *k, size_t kl, const void *v, size_t vl)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_del(t, db, k, kl, v, vl), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(dbcheck, clean)
{
	struct fx_grant		 g;
	struct dbcheck_result	 r;

	fx_grant("alice", &fx_app, FX_T0, 2, &g);
	fx_grant("bob", &fx_other, FX_T0, 0, &g);
	cr_assert_eq(dbcheck_run(fx_st, DBCHECK_REPAIR, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 0);
	cr_assert_eq(r.repaired, 0);
	/* 4 users/clients, 2 grants, 4 owner entries, 10 index entries,
	 * 8 tokens, 2 codes. */
	cr_assert_eq(r.checked, 30);
}

Test(dbcheck, finds_and_repairs_drift)
{
	struct fx_grant		 a, b, c, d;
	struct dbcheck_result	 r;
	struct seen		 s;
	unsigned char		 h[CRYPTO_SHA256_LEN], val[INDEX_VALUE_LEN];
	char			 ghost[] = "ffffffffffffffffffffffffffffffff";

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	fx_grant("bob", &fx_app, FX_T0, 0, &b);
	fx_grant("bob", &fx_other, FX_T0, 0, &c);
	fx_grant("alice", &fx_other, FX_T0, 0, &d);

	/* 1. a's user_grants entry lost: unindexed. */
	raw_del(DB_USER_GRANTS, "alice", 5, a.id, GRANT_ID_LEN);
	/* 2. An entry for a grant that never was: dangling. */
	raw_put(DB_USER_GRANTS, "bob", 3, ghost, GRANT_ID_LEN);
	/* 3. b's client entry filed under the other client: mismatch
	 *    (and b itself unindexed there). */
	raw_del(DB_CLIENT_GRANTS, "mcpc_app", 8, b.id, GRANT_ID_LEN);
	raw_put(DB_CLIENT_GRANTS, "mcpc_other", 10, b.id, GRANT_ID_LEN);
	/* 4. c's access token lost its index entry: unindexed. */
	cr_assert_eq(crypto_sha256_str(c.access, h), CRYPTO_OK);
	val[0] = INDEX_ACCESS;
	memcpy(val + 1, h, sizeof(h));
	raw_del(DB_GRANT_TOKENS, c.id, GRANT_ID_LEN, val, sizeof(val));
	/* 5. d's grant record vanished: orphans and dangling entries. */
	raw_del(DB_GRANTS, d.id, GRANT_ID_LEN, NULL, 0);
	/* 6. A session that does not decode: corrupt. */
	memset(h, 7, sizeof(h));
	raw_put(DB_SESSIONS, h, sizeof(h), "junk", 4);

	memset(&s, 0, sizeof(s));
	cr_assert_eq(dbcheck_run(fx_st, 0, collect, &s, &r), STORE_OK);
	cr_assert_eq(r.repaired, 0);
	cr_assert_eq(r.found[DBCHECK_UNINDEXED], 3, "%lu",
	    r.found[DBCHECK_UNINDEXED]);
	/* ghost, and d under alice and under mcpc_other. */
	cr_assert_eq(r.found[DBCHECK_DANGLING], 3, "%lu",
	    r.found[DBCHECK_DANGLING]);
	cr_assert_eq(r.found[DBCHECK_MISMATCH], 1);
	/* d's access and refresh tokens and its code. */
	cr_assert_eq(r.found[DBCHECK_ORPHAN], 3);
	cr_assert_eq(r.found[DBCHECK_CORRUPT], 1);
	cr_assert_eq(r.found[DBCHECK_OWNERLESS], 0);
	cr_assert_eq(s.n, (int)r.problems);
	cr_assert(seen_has(&s, "unindexed grant"));
	cr_assert(seen_has(&s, "no such grant"));
	cr_assert(seen_has(&s, "belongs to someone else"));
	cr_assert(seen_has(&s, "does not decode"));
	/* A token's key is shown as a 12-digit hash prefix only. */
	cr_assert_not(seen_has(&s, "mcpat_"));

	memset(&s, 0, sizeof(s));
	cr_assert_eq(dbcheck_run(fx_st, DBCHECK_REPAIR, collect, &s, &r), STORE_OK);
	cr_assert_eq(r.repaired, r.problems - 1);
	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 1);
	cr_assert_eq(r.found[DBCHECK_CORRUPT], 1);
	cr_assert(fx_token_works(a.access));
	cr_assert(fx_token_works(c.access));
	cr_assert_not(fx_token_stored(d.access));
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "alice"), 1);
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "bob"), 2);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, "mcpc_app"), 2);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, "mcpc_other"), 1);
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, c.id), 3);
}

/* A grant whose user is gone still opens /mcp: check revokes it. */
Test(dbcheck, ownerless_grant)
{
	struct fx_grant		 a;
	struct dbcheck_result	 r;
	struct seen		 s;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	raw_del(DB_USERS, "alice", 5, NULL, 0);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(dbcheck_run(fx_st, 0, collect, &s, &r), STORE_OK);
	cr_assert_eq(r.problems, 1);
	cr_assert_eq(r.found[DBCHECK_OWNERLESS], 1);
	cr_assert(seen_has(&s, "its user alice does not exist"));
	cr_assert(fx_token_works(a.access));
	cr_assert_eq(dbcheck_run(fx_st, DBCHECK_REPAIR, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.repaired, 1);
	cr_assert_not(fx_token_works(a.access));
	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 0);
}

/*
 * With user_auth = remote_user the users live in the web server, not
 * here: their grants are not ownerless, and a repair must not revoke
 * them (it would sign everyone out).  A missing client still counts.
 */
Test(dbcheck, remote_users_are_not_missing)
{
	struct fx_grant		 a;
	struct dbcheck_result	 r;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	raw_del(DB_USERS, "alice", 5, NULL, 0);
	cr_assert_eq(dbcheck_run(fx_st, DBCHECK_REMOTE_USERS, NULL, NULL, &r),
	    STORE_OK);
	cr_assert_eq(r.problems, 0);
	cr_assert_eq(dbcheck_run(fx_st, DBCHECK_REPAIR | DBCHECK_REMOTE_USERS,
	    NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.repaired, 0);
	cr_assert(fx_token_works(a.access));
	raw_del(DB_CLIENTS, fx_app.id, strlen(fx_app.id), NULL, 0);
	cr_assert_eq(dbcheck_run(fx_st, DBCHECK_REMOTE_USERS, NULL, NULL, &r),
	    STORE_OK);
	cr_assert_eq(r.found[DBCHECK_OWNERLESS], 1);
}

Test(dbcheck, stats)
{
	struct fx_grant		 g;
	struct dbstats		 s;

	fx_grant("alice", &fx_app, FX_T0, 2, &g);
	fx_grant("bob", &fx_other, FX_T0 + 1000, 0, &g);
	cr_assert_eq(dbstats_read(fx_st, FX_T0 + 700, &s), STORE_OK);
	cr_assert_eq(s.schema_version, STORE_SCHEMA_VERSION);
	cr_assert_eq(s.entries[DB_USERS], 2);
	cr_assert_eq(s.entries[DB_CLIENTS], 2);
	cr_assert_eq(s.entries[DB_GRANTS], 2);
	cr_assert_eq(s.active_grants, 2);
	cr_assert_eq(s.access_tokens, 4);
	cr_assert_eq(s.refresh_tokens, 4);
	/* alice's 3 access tokens (600 s) and her code (60 s). */
	cr_assert_eq(s.expired[DB_TOKENS], 3);
	cr_assert_eq(s.expired[DB_CODES], 1);
	cr_assert_eq(s.corrupt, 0);
	cr_assert_eq(s.page_size, 4096);
	cr_assert_eq(s.map_size, 16 * 1024 * 1024);
	cr_assert_gt(s.used_bytes, 0);
	cr_assert_leq(s.used_bytes, s.high_water);
	cr_assert_gt(s.usage_percent, 0);
	cr_assert_lt(s.usage_percent, 5);
	cr_assert_eq(s.max_readers, STORE_MAX_READERS);
	cr_assert_geq(s.reader_slots, 1);
}

/*
 * The opportunistic purge removes expired tokens and codes first and
 * their grant_tokens entries in a later stage, maybe in another
 * request (src/lib/purge.c): in between, those entries point to
 * nothing, which nothing minds.  check counts them apart, as stale,
 * not as problems, and a whole purge leaves none.
 */
Test(dbcheck, entries_a_purge_left_behind_are_no_problem)
{
	struct fx_grant		 a;
	struct dbcheck_result	 r;
	struct purge_counts	 c;
	struct store_txn	*t;
	int			 grown = 0;
	int64_t			 now = FX_T0 + FX_ACCESS_LIFE;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(purge_expired(t, now, 0, 1, &c), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(c.access_tokens, 1, "the token stage ran, no further");
	cr_assert_eq(c.index_entries, 0);
	cr_assert_not(fx_token_stored(a.access));

	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 0);
	cr_assert_eq(r.stale, 1);
	cr_assert(fx_token_works(a.refresh));

	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now, 0, 0, &c, &grown), STORE_OK);
	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 0);
	cr_assert_eq(r.stale, 0);
}
