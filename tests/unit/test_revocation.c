/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Revocation in bulk against a real LMDB environment: by user, client,
 * grant, token and everything; the two phases (the first alone kills,
 * the second cleans up in batches and never touches a newer grant);
 * disabling and deleting users and clients.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/dbcheck.h"
#include "../../src/lib/note.h"
#include "../../src/lib/revocation.h"
#include "../../src/lib/session.h"
#include "dbfixture.h"

TestSuite(revocation, .init = fx_setup, .fini = fx_teardown);

/* No problem of any kind in the whole database. */
static void
assert_consistent(void)
{
	struct dbcheck_result	 r;

	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &r), STORE_OK);
	cr_assert_eq(r.problems, 0, "%lu problems", r.problems);
}

static unsigned long
total(const struct revoke_result *r)
{
	return r->n.grants + r->n.access_tokens + r->n.refresh_tokens +
	    r->n.codes;
}

Test(revocation, user_takes_only_hers)
{
	struct fx_grant		 a1, a2, b1;
	struct revoke_result	 r;

	fx_grant("alice", &fx_app, FX_T0, 2, &a1);
	fx_grant("alice", &fx_other, FX_T0, 0, &a2);
	fx_grant("bob", &fx_app, FX_T0, 1, &b1);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_user(fx_st, "alice", &r), STORE_OK);
	cr_assert_eq(r.n.grants, 2);
	/* a1: 3 access, 3 refresh; a2: 1 and 1; one code each. */
	cr_assert_eq(r.n.access_tokens, 4);
	cr_assert_eq(r.n.refresh_tokens, 4);
	cr_assert_eq(r.n.codes, 2);
	cr_assert_not(fx_token_works(a1.access));
	cr_assert_not(fx_token_stored(a1.refresh));
	cr_assert_not(fx_token_stored(a2.access));
	cr_assert_not(fx_stored(DB_GRANTS, a1.id, GRANT_ID_LEN));
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "alice"), 0);
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, a1.id), 0);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, "mcpc_app"), 1);
	cr_assert(fx_token_works(b1.access));
	cr_assert(fx_token_works(b1.refresh));
	cr_assert_eq(fx_dups(DB_GRANT_TOKENS, b1.id), 5);
	assert_consistent();
}

Test(revocation, unknown_and_empty)
{
	struct revoke_result	 r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_user(fx_st, "nobody", &r), STORE_NOTFOUND);
	cr_assert_eq(revoke_client(fx_st, "mcpc_nobody", &r),
	    STORE_NOTFOUND);
	cr_assert_eq(revoke_grant(fx_st, "00000000000000000000000000000000",
	    &r), STORE_NOTFOUND);
	cr_assert_eq(revoke_grant(fx_st, "short", &r), STORE_NOTFOUND);
	/* Known, with nothing to revoke. */
	cr_assert_eq(revoke_user(fx_st, "bob", &r), STORE_OK);
	cr_assert_eq(revoke_client(fx_st, "mcpc_other", &r), STORE_OK);
	cr_assert_eq(total(&r), 0);
}

Test(revocation, client_and_grant)
{
	struct fx_grant		 a1, a2, b1;
	struct revoke_result	 r;

	fx_grant("alice", &fx_app, FX_T0, 0, &a1);
	fx_grant("alice", &fx_other, FX_T0, 0, &a2);
	fx_grant("bob", &fx_other, FX_T0, 0, &b1);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_client(fx_st, "mcpc_other", &r), STORE_OK);
	cr_assert_eq(r.n.grants, 2);
	cr_assert_not(fx_token_works(a2.access));
	cr_assert_not(fx_token_works(b1.refresh));
	cr_assert(fx_token_works(a1.access));
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "alice"), 1);
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "bob"), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_grant(fx_st, a1.id, &r), STORE_OK);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_eq(r.n.access_tokens, 1);
	cr_assert_eq(r.n.refresh_tokens, 1);
	cr_assert_eq(r.n.codes, 1);
	cr_assert_not(fx_token_works(a1.access));
	cr_assert_eq(fx_entries(DB_TOKENS), 0);
	cr_assert_eq(fx_entries(DB_GRANT_TOKENS), 0);
	cr_assert_eq(fx_entries(DB_USER_GRANTS), 0);
	cr_assert_eq(fx_entries(DB_CLIENT_GRANTS), 0);
	assert_consistent();
}

Test(revocation, by_token)
{
	struct fx_grant		 a, b;
	struct revoke_result	 r;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	int			 kind;

	fx_grant("alice", &fx_app, FX_T0, 1, &a);
	fx_grant("bob", &fx_app, FX_T0, 0, &b);

	/* An access token: only itself. */
	memset(&r, 0, sizeof(r));
	cr_assert_eq(crypto_sha256_str(a.access, h), CRYPTO_OK);
	cr_assert_eq(revoke_token_hash(fx_st, h, &kind, &r), STORE_OK);
	cr_assert_eq(kind, INDEX_ACCESS);
	cr_assert_eq(r.n.access_tokens, 1);
	cr_assert_eq(total(&r), 1);
	cr_assert_not(fx_token_stored(a.access));
	cr_assert(fx_token_works(a.refresh));
	cr_assert_eq(revoke_token_hash(fx_st, h, &kind, &r), STORE_NOTFOUND);

	/* A refresh token: its whole grant. */
	memset(&r, 0, sizeof(r));
	cr_assert_eq(crypto_sha256_str(a.refresh, h), CRYPTO_OK);
	cr_assert_eq(revoke_token_hash(fx_st, h, &kind, &r), STORE_OK);
	cr_assert_eq(kind, INDEX_REFRESH);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_eq(r.n.refresh_tokens, 2);
	cr_assert_eq(r.n.access_tokens, 1);
	cr_assert_not(fx_stored(DB_GRANTS, a.id, GRANT_ID_LEN));

	/* A code: its grant. */
	memset(&r, 0, sizeof(r));
	cr_assert_eq(crypto_sha256_str(b.code, h), CRYPTO_OK);
	cr_assert_eq(revoke_token_hash(fx_st, h, &kind, &r), STORE_OK);
	cr_assert_eq(kind, INDEX_CODE);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_not(fx_token_works(b.access));
	assert_consistent();
}

Test(revocation, everything)
{
	struct fx_grant		 a, b;
	struct revoke_result	 r;
	struct store_txn	*t;
	char			 cookie[SESSION_TOKEN_MAX];

	fx_grant("alice", &fx_app, FX_T0, 2, &a);
	fx_grant("bob", &fx_other, FX_T0, 0, &b);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", FX_T0, 600, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_all(fx_st, &r), STORE_OK);
	cr_assert_eq(r.n.grants, 2);
	cr_assert_eq(r.n.access_tokens, 4);
	cr_assert_eq(r.n.refresh_tokens, 4);
	cr_assert_eq(r.n.codes, 2);
	cr_assert_eq(r.sessions, 1);
	cr_assert_not(fx_token_works(a.access));
	cr_assert_not(fx_token_works(b.refresh));
	cr_assert_eq(fx_entries(DB_TOKENS) + fx_entries(DB_CODES) +
	    fx_entries(DB_GRANTS) + fx_entries(DB_GRANT_TOKENS) +
	    fx_entries(DB_USER_GRANTS) + fx_entries(DB_CLIENT_GRANTS) +
	    fx_entries(DB_SESSIONS), 0);
	cr_assert_eq(fx_entries(DB_USERS), 2);
	cr_assert_eq(fx_entries(DB_CLIENTS), 2);
	assert_consistent();
}

/*
 * The first phase alone kills every token (the bearer check needs the
 * grant); the second removes them in batches as small as one
 * deletion, and leaves a grant created in between alone.
 */
Test(revocation, two_phases)
{
	struct fx_grant		 a, later;
	struct revoke_list	 l;
	struct revoke_result	 r;
	struct store_txn	*t;
	struct dbcheck_result	 cr;

	fx_grant("alice", &fx_app, FX_T0, 20, &a);
	revoke_list_init(&l);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(revoke_kill_user(t, "alice", &l, &r.n), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(l.len, 1);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_not(fx_token_works(a.access));
	cr_assert_not(fx_token_works(a.refresh));
	cr_assert(fx_token_stored(a.access), "cleanup is the second phase");

	/* Meanwhile alice signs in again. */
	fx_grant("alice", &fx_app, FX_T0 + 1, 0, &later);

	/* Until then, check sees dead records. */
	cr_assert_eq(dbcheck_run(fx_st, 0, NULL, NULL, &cr), STORE_OK);
	cr_assert_gt(cr.found[DBCHECK_ORPHAN], 0);

	cr_assert_eq(revoke_cleanup(fx_st, &l, 1, &r.n), STORE_OK);
	revoke_list_free(&l);
	cr_assert_eq(r.n.access_tokens, 21);
	cr_assert_eq(r.n.refresh_tokens, 21);
	cr_assert_eq(r.n.codes, 1);
	cr_assert_not(fx_token_stored(a.access));
	cr_assert(fx_token_works(later.access));
	cr_assert_eq(fx_dups(DB_USER_GRANTS, "alice"), 1);
	assert_consistent();
}

Test(revocation, disable_user)
{
	struct fx_grant		 a, b;
	struct revoke_result	 r;
	struct store_txn	*t;
	struct user		 u;
	char			 cookie[SESSION_TOKEN_MAX];

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	fx_grant("bob", &fx_app, FX_T0, 0, &b);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", FX_T0, 600, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(session_create(t, "bob", FX_T0, 600, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_user_disable(fx_st, "alice", FX_T0 + 5, &r),
	    STORE_OK);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_eq(r.sessions, 1);
	cr_assert_not(fx_token_works(a.access));
	cr_assert(fx_token_works(b.access));
	cr_assert_eq(fx_entries(DB_SESSIONS), 1);
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "alice", &u), STORE_OK);
	store_abort(t);
	cr_assert(u.flags & USER_DISABLED);
	cr_assert_eq(u.updated, FX_T0 + 5);
	user_free(&u);
	cr_assert_eq(revoke_user_disable(fx_st, "carol", FX_T0, &r),
	    STORE_NOTFOUND);
}

/*
 * With user_auth = remote_user a person may have grants and no record:
 * blocking her writes a disabled record and revokes her grants and
 * sessions in one transaction; for one with a record it disables it.
 */
Test(revocation, block_user_without_a_record)
{
	struct fx_grant		 c, b;
	struct revoke_result	 r;
	struct store_txn	*t;
	struct user		 u;
	char			 cookie[SESSION_TOKEN_MAX];

	fx_grant("carol", &fx_app, FX_T0, 0, &c);
	fx_grant("bob", &fx_app, FX_T0, 0, &b);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "carol", FX_T0, 600, cookie,
	    sizeof(cookie)), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_user_block(fx_st, "carol", FX_T0 + 5, &r),
	    STORE_OK);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_eq(r.sessions, 1);
	cr_assert_not(fx_token_works(c.access));
	cr_assert(fx_token_works(b.access));
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "carol", &u), STORE_OK);
	store_abort(t);
	cr_assert(u.flags & USER_DISABLED);
	cr_assert_str_eq(u.password_hash, "");
	user_free(&u);
	/* Again, and for one with a record: she stays disabled. */
	cr_assert_eq(revoke_user_block(fx_st, "carol", FX_T0 + 6, &r),
	    STORE_OK);
	cr_assert_eq(revoke_user_block(fx_st, "bob", FX_T0 + 6, &r),
	    STORE_OK);
	cr_assert_not(fx_token_works(b.access));
	cr_assert_eq(revoke_user_block(fx_st, "not a name", FX_T0, &r),
	    STORE_NOTFOUND);
}

Test(revocation, delete_user_and_client)
{
	struct fx_grant		 a, b;
	struct revoke_result	 r;
	struct store_txn	*t;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	fx_grant("bob", &fx_other, FX_T0, 0, &b);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_note_put(t, "alice", 1, "t1", "x", FX_T0),
	    STORE_OK);
	cr_assert_eq(store_note_put(t, "alice", 2, "t2", "y", FX_T0),
	    STORE_OK);
	/* "alice2" shares a prefix: her notes must survive. */
	cr_assert_eq(store_note_put(t, "alice2", 1, "t", "z", FX_T0),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_user_delete(fx_st, "alice", &r), STORE_OK);
	cr_assert_eq(r.notes, 2);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_not(fx_stored(DB_USERS, "alice", 5));
	cr_assert_not(fx_token_works(a.access));
	cr_assert_eq(fx_entries(DB_NOTES), 1);
	cr_assert_eq(revoke_user_delete(fx_st, "alice", &r), STORE_NOTFOUND);

	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_client_delete(fx_st, "mcpc_other", &r),
	    STORE_OK);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_not(fx_token_works(b.access));
	cr_assert_not(fx_stored(DB_CLIENTS, "mcpc_other", 10));
	cr_assert_eq(revoke_client_delete(fx_st, "mcpc_other", &r),
	    STORE_NOTFOUND);
	assert_consistent();
}

/* Grants left in the index by a deleted user can still be revoked. */
Test(revocation, leftovers_of_a_deleted_user)
{
	struct fx_grant		 a;
	struct revoke_result	 r;
	struct store_txn	*t;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_del(t, "alice"), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(revoke_user(fx_st, "alice", &r), STORE_OK);
	cr_assert_eq(r.n.grants, 1);
	cr_assert_not(fx_token_works(a.access));
	assert_consistent();
}
