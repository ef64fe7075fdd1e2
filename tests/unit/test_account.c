/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The account page's data against a real LMDB environment: the
 * connected apps (active grants of the user only, with the grant's
 * last use, which old grant records without the field still give),
 * revocation of her own grants only, her sessions (listed, one ended,
 * all but this one, all), the forms' CSRF token, the password
 * change, and the recent activity (her events only, in words).
 * Times are passed in.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/lib/account.h"
#include "../../src/lib/activity.h"
#include "../../src/lib/audit.h"
#include "../../src/lib/session.h"
#include "dbfixture.h"

TestSuite(account, .init = fx_setup, .fini = fx_teardown);

static size_t
apps_of(const char *user, int64_t now, struct account_app *apps)
{
	struct store_txn	*t;
	size_t			 n = 0;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(account_apps(t, fx_cfg, user, now, apps,
	    ACCOUNT_APPS_MAX, &n), STORE_OK);
	store_abort(t);
	return n;
}

Test(account, apps_are_her_active_grants)
{
	struct account_app	 apps[ACCOUNT_APPS_MAX];
	struct fx_grant		 a, pending, b;
	struct store_txn	*t;
	size_t			 n;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	fx_grant("bob", &fx_other, FX_T0, 0, &b);
	/* A code not yet exchanged is no connected app. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(fx_grant_in(t, "alice", &fx_other, FX_T0, 0, 1,
	    &pending), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	n = apps_of("alice", FX_T0 + 10, apps);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(apps[0].grant_id, a.id);
	cr_assert_str_eq(apps[0].client_id, "mcpc_app");
	cr_assert_str_eq(apps[0].redirect_uri, FX_REDIRECT);
	cr_assert_str_eq(apps[0].scope, "mcp");
	cr_assert_eq(apps[0].created, FX_T0);
	cr_assert_eq(apps[0].last_used, FX_T0);
	cr_assert_eq(apps[0].expires, FX_T0 + FX_REFRESH_LIFE);
	cr_assert(apps[0].renews);
	account_apps_free(apps, n);

	/* Expired: listed no more. */
	cr_assert_eq(apps_of("alice", FX_T0 + FX_REFRESH_LIFE, apps), 0);
	cr_assert_eq(apps_of("carol", FX_T0, apps), 0);
}

Test(account, last_used_follows_refresh)
{
	struct account_app	 apps[ACCOUNT_APPS_MAX];
	struct token_response	 tr;
	struct oauth_error	 e;
	struct fx_grant		 a;
	struct store_txn	*t;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	memset(&e, 0, sizeof(e));
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(grant_refresh(t, fx_cfg, &fx_app, a.refresh, NULL, NULL,
	    FX_T0 + 100, &tr, &e), 0);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(apps_of("alice", FX_T0 + 200, apps), 1);
	cr_assert_eq(apps[0].last_used, FX_T0 + 100);
	account_apps_free(apps, 1);
}

/* A grant record written before last_used existed still reads. */
Test(account, old_grant_record_reads)
{
	struct fx_grant		 a;
	struct store_txn	*t;
	struct store_val	 v;
	struct grant		 g;
	unsigned char		 old[1024];
	size_t			 len;

	fx_grant("alice", &fx_app, FX_T0, 1, &a);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_GRANTS, a.id, GRANT_ID_LEN, &v),
	    STORE_OK);
	cr_assert(v.len > 8 && v.len <= sizeof(old));
	len = v.len - 8;	/* without the last_used i64 */
	memcpy(old, v.data, len);
	cr_assert_eq(store_put(t, DB_GRANTS, a.id, GRANT_ID_LEN, old, len, 0),
	    STORE_OK);
	cr_assert_eq(store_grant_get(t, a.id, &g), STORE_OK);
	cr_assert_eq(g.last_used, g.last_refresh);
	cr_assert_eq(g.last_refresh, FX_T0);
	/* Written again, it gains the field. */
	g.last_used = FX_T0 + 5;
	cr_assert_eq(store_grant_put(t, &g), STORE_OK);
	grant_free(&g);
	cr_assert_eq(store_grant_get(t, a.id, &g), STORE_OK);
	cr_assert_eq(g.last_used, FX_T0 + 5);
	grant_free(&g);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert(fx_token_works(a.access));
}

static size_t	activity_of(const char *, int64_t, struct activity_line *,
		    size_t);

Test(account, revokes_her_grants_only)
{
	struct activity_line	 l[ACTIVITY_MAX];
	struct revoke_result	 r;
	struct fx_grant		 a;

	fx_grant("alice", &fx_app, FX_T0, 0, &a);
	cr_assert_eq(account_revoke(fx_st, "bob", a.id, NULL, &r),
	    STORE_NOTFOUND);
	cr_assert(fx_token_works(a.access));
	cr_assert_eq(account_revoke(fx_st, "alice", a.id, "192.0.2.1", &r),
	    STORE_OK);
	cr_assert_eq(r.n.grants, 1);
	cr_assert(!fx_token_works(a.access));
	cr_assert(!fx_token_works(a.refresh));
	cr_assert_eq(account_revoke(fx_st, "alice", a.id, "192.0.2.1", &r),
	    STORE_NOTFOUND);
	/* Recorded as hers, from her address, in the same transaction. */
	cr_assert_eq(activity_of("alice", FX_T0, l, ACTIVITY_MAX), 1);
	cr_assert_eq(l[0].kind, AUDIT_REVOKED);
	cr_assert_str_eq(l[0].client, "mcpc_app");
	cr_assert_str_eq(l[0].addr, "192.0.2.1");
	cr_assert(strncmp(l[0].detail, AUDIT_BY_USER ": ",
	    strlen(AUDIT_BY_USER ": ")) == 0, "%s", l[0].detail);
	activity_free(l, 1);
}

static void
new_session(const char *user, char *cookie)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, user, FX_T0, 3600, cookie,
	    SESSION_TOKEN_MAX), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static size_t
sessions_of(const char *user, const char *cookie,
    struct account_session *out)
{
	struct store_txn	*t;
	size_t			 n;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(account_sessions(t, user, cookie, FX_T0 + 1, out,
	    ACCOUNT_SESSIONS_MAX, &n), STORE_OK);
	store_abort(t);
	return n;
}

static int
session_alive(const char *cookie)
{
	struct store_txn	*t;
	struct session		 s;
	int			 rc;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	rc = session_get(t, cookie, FX_T0 + 1, &s);
	store_abort(t);
	session_free(&s);
	return rc == STORE_OK;
}

Test(account, sessions_listed_and_ended)
{
	struct account_session	 ss[ACCOUNT_SESSIONS_MAX];
	struct store_txn	*t;
	char			 a1[SESSION_TOKEN_MAX], a2[SESSION_TOKEN_MAX];
	char			 a3[SESSION_TOKEN_MAX], b1[SESSION_TOKEN_MAX];
	char			 bob_id[ACCOUNT_SESSION_ID_LEN + 1];
	unsigned long		 ended = 0;
	size_t			 n, i, current = 0, other = 0;

	new_session("alice", a1);
	new_session("alice", a2);
	new_session("alice", a3);
	new_session("bob", b1);
	cr_assert_eq(sessions_of("bob", b1, ss), 1);
	memcpy(bob_id, ss[0].id, sizeof(bob_id));

	n = sessions_of("alice", a1, ss);
	cr_assert_eq(n, 3);
	for (i = 0; i < n; i++) {
		cr_assert_eq(strlen(ss[i].id), ACCOUNT_SESSION_ID_LEN);
		cr_assert_eq(ss[i].created, FX_T0);
		cr_assert_eq(ss[i].expires, FX_T0 + 3600);
		if (ss[i].current)
			current++;
		else
			other = i;
	}
	cr_assert_eq(current, 1);

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	/* Not hers, and not an id at all. */
	cr_assert_eq(account_end_session(t, "alice", bob_id), STORE_NOTFOUND);
	cr_assert_eq(account_end_session(t, "alice", "x"), STORE_NOTFOUND);
	cr_assert_eq(account_end_session(t, "alice", ss[other].id), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(sessions_of("alice", a1, ss), 2);
	cr_assert(session_alive(a1));
	cr_assert(session_alive(b1));

	/* All but this one, then all. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(account_end_sessions(t, "alice", a1, &ended), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(ended, 1);
	cr_assert(session_alive(a1));
	cr_assert(!session_alive(a2) && !session_alive(a3));
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(account_end_sessions(t, "alice", NULL, &ended), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(ended, 2);
	cr_assert(!session_alive(a1));
	cr_assert(session_alive(b1));
}

Test(account, form_token)
{
	unsigned char	 b1[CRYPTO_SHA256_LEN], b2[CRYPTO_SHA256_LEN];
	char		 t1[ACCOUNT_FORM_TOKEN_LEN + 1];
	char		 t2[ACCOUNT_FORM_TOKEN_LEN + 1];

	memset(b1, 1, sizeof(b1));
	memset(b2, 2, sizeof(b2));
	cr_assert_eq(account_form_token(b1, "alice", t1), 0);
	cr_assert_eq(strlen(t1), ACCOUNT_FORM_TOKEN_LEN);
	cr_assert(account_form_token_ok(b1, "alice", t1));
	/* Another browser, another user. */
	cr_assert_eq(account_form_token(b2, "alice", t2), 0);
	cr_assert_str_neq(t1, t2);
	cr_assert(!account_form_token_ok(b2, "alice", t1));
	cr_assert(!account_form_token_ok(b1, "bob", t1));
	cr_assert(!account_form_token_ok(b1, "alice", NULL));
	cr_assert(!account_form_token_ok(b1, "alice", ""));
	t1[10] ^= 1;
	cr_assert(!account_form_token_ok(b1, "alice", t1));
}

/*
 * The administration pages' token: bound to browser and user as the
 * account page's is, and never equal to it (its own label), so that a
 * token from /account cannot act on /admin.
 */
Test(account, admin_form_token)
{
	unsigned char	 b1[CRYPTO_SHA256_LEN], b2[CRYPTO_SHA256_LEN];
	char		 t1[ACCOUNT_FORM_TOKEN_LEN + 1];
	char		 t2[ACCOUNT_FORM_TOKEN_LEN + 1];
	char		 acc[ACCOUNT_FORM_TOKEN_LEN + 1];

	memset(b1, 1, sizeof(b1));
	memset(b2, 2, sizeof(b2));
	cr_assert_eq(account_admin_form_token(b1, "root", t1), 0);
	cr_assert_eq(strlen(t1), ACCOUNT_FORM_TOKEN_LEN);
	cr_assert(account_admin_form_token_ok(b1, "root", t1));
	cr_assert_eq(account_form_token(b1, "root", acc), 0);
	cr_assert_str_neq(t1, acc);
	cr_assert(!account_admin_form_token_ok(b1, "root", acc));
	cr_assert(!account_form_token_ok(b1, "root", t1));
	cr_assert_eq(account_admin_form_token(b2, "root", t2), 0);
	cr_assert_str_neq(t1, t2);
	cr_assert(!account_admin_form_token_ok(b2, "root", t1));
	cr_assert(!account_admin_form_token_ok(b1, "rooty", t1));
	cr_assert(!account_admin_form_token_ok(b1, "root", NULL));
	cr_assert(!account_admin_form_token_ok(b1, "root", ""));
	t1[0] ^= 1;
	cr_assert(!account_admin_form_token_ok(b1, "root", t1));
}

Test(account, password_policy)
{
	char	*long_pw = malloc(USER_PASSWORD_MAX + 2);

	cr_assert_not_null(long_pw);
	memset(long_pw, 'a', USER_PASSWORD_MAX + 1);
	long_pw[USER_PASSWORD_MAX + 1] = '\0';
	cr_assert_eq(account_password_check(NULL, NULL),
	    ACCOUNT_BAD_PASSWORD);
	cr_assert_eq(account_password_check("", ""), ACCOUNT_BAD_PASSWORD);
	cr_assert_eq(account_password_check(long_pw, long_pw),
	    ACCOUNT_BAD_PASSWORD);
	long_pw[USER_PASSWORD_MAX] = '\0';
	cr_assert_eq(account_password_check(long_pw, long_pw), 0);
	cr_assert_eq(account_password_check("new pw", "new pW"),
	    ACCOUNT_MISMATCH);
	cr_assert_eq(account_password_check("new pw", NULL), ACCOUNT_MISMATCH);
	cr_assert_eq(account_password_check("new pw", "new pw"), 0);
	free(long_pw);
}

Test(account, password_change)
{
	struct activity_line	 l[ACTIVITY_MAX];
	struct store_txn	*t;
	struct user		 u;
	char			 hash[CRYPTO_PWHASH_MAX];
	char			 here[SESSION_TOKEN_MAX];
	char			 there[SESSION_TOKEN_MAX];
	char			 fresh[SESSION_TOKEN_MAX];
	unsigned long		 ended = 0;
	long			 retry = 0;
	size_t			 n;

	cr_assert_eq(crypto_password_hash("old pw", hash, sizeof(hash)),
	    CRYPTO_OK);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "alice", &u), STORE_OK);
	free(u.password_hash);
	u.password_hash = hash;
	cr_assert_eq(store_user_put(t, &u, 0), STORE_OK);
	u.password_hash = NULL;
	user_free(&u);
	cr_assert_eq(store_commit(t), STORE_OK);
	new_session("alice", here);
	new_session("alice", there);

	cr_assert_eq(account_password_change(fx_st, fx_cfg, "alice", "wrong",
	    "new pw", "192.0.2.1", here, FX_T0 + 1, fresh, sizeof(fresh),
	    &retry, &ended), ACCOUNT_WRONG_PASSWORD);
	cr_assert(session_alive(there));
	cr_assert(session_alive(here));
	cr_assert_eq(account_password_change(fx_st, fx_cfg, "alice", "old pw",
	    "new pw", "192.0.2.1", here, FX_T0 + 1, fresh, sizeof(fresh),
	    &retry, &ended), STORE_OK);
	cr_assert_eq(ended, 1);
	/* This browser goes on in a new session; its old cookie ends. */
	cr_assert(!session_alive(here));
	cr_assert(session_alive(fresh));
	cr_assert_str_neq(fresh, here);
	cr_assert(!session_alive(there));

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "alice", &u), STORE_OK);
	store_abort(t);
	cr_assert_eq(crypto_password_verify("new pw", u.password_hash),
	    CRYPTO_OK);
	cr_assert_neq(crypto_password_verify("old pw", u.password_hash),
	    CRYPTO_OK);
	cr_assert_eq(u.updated, FX_T0 + 1);
	user_free(&u);

	/*
	 * The audit trail: the wrong current password is a failed
	 * sign-in; the right one's check became the change itself.
	 */
	n = activity_of("alice", FX_T0 + 2, l, ACTIVITY_MAX);
	cr_assert_eq(n, 2);
	cr_assert_eq(l[0].kind, AUDIT_PASSWORD_CHANGED);
	cr_assert_str_eq(l[0].detail, AUDIT_BY_USER);
	cr_assert_str_eq(l[0].addr, "192.0.2.1");
	cr_assert_eq(l[1].kind, AUDIT_SIGNIN_FAILED);
	activity_free(l, n);
}

/* The words of an event of kind with detail, as the page shows them. */
static void
said(int kind, const char *client, const char *detail, const char *want)
{
	struct activity_line	 l;
	struct activity_words	 w;
	char			 got[512];

	memset(&l, 0, sizeof(l));
	l.kind = kind;
	l.count = 1;
	snprintf(l.client, sizeof(l.client), "%s", client);
	snprintf(l.detail, sizeof(l.detail), "%s", detail);
	activity_words(&l, &w);
	snprintf(got, sizeof(got), "%s%s%s", w.before,
	    w.names_client ? "<App>" : "", w.after);
	cr_assert_str_eq(got, want, "%s %s", audit_kind_name(kind), detail);
}

Test(account, activity_in_words)
{
	said(AUDIT_SIGNIN, "", "password", "Signed in");
	said(AUDIT_SIGNIN_FAILED, "", "password", "Sign-in failed");
	said(AUDIT_CONSENT, "c", "mcp", "Allowed <App>");
	said(AUDIT_CONSENT, "c", "device", "Allowed <App> on a device");
	said(AUDIT_CONSENT_DENIED, "c", "", "Refused <App>");
	said(AUDIT_TOKEN_ISSUED, "c", "authorization_code",
	    "Token issued to <App>");
	said(AUDIT_TOKEN_REFRESHED, "c", "refresh_token",
	    "Access renewed for <App>");
	said(AUDIT_REFRESH_REUSE, "c", "grant revoked",
	    "Reused refresh token detected: access of <App> ended");
	said(AUDIT_CODE_REPLAY, "c", "grant revoked",
	    "Authorization code used twice: access of <App> ended");
	said(AUDIT_REVOKED, "c", AUDIT_BY_USER ": grant 0123",
	    "Access of <App> revoked by you");
	said(AUDIT_REVOKED, "c", AUDIT_BY_ADMIN_WEB ": grant 0123",
	    "Access of <App> revoked by the administrator");
	said(AUDIT_REVOKED, "c", AUDIT_BY_ADMIN_TOOL ": client's grants",
	    "Access of <App> revoked by the administrator");
	said(AUDIT_REVOKED, "c", AUDIT_BY_ENDPOINT ": grant",
	    "Access of <App> revoked by the application");
	said(AUDIT_REVOKED, "c", AUDIT_BY_ENDPOINT ": access token",
	    "An access token of <App> revoked by the application");
	said(AUDIT_REVOKED, "", AUDIT_BY_ADMIN_TOOL ": user's grants",
	    "Access of all your apps revoked by the administrator");
	said(AUDIT_REVOKED, "", AUDIT_BY_ADMIN_TOOL ": user disabled",
	    "Account disabled and the access of all your apps ended by the "
	    "administrator");
	/* An actor's name is matched whole, not as a prefix. */
	said(AUDIT_REVOKED, "c", "username: grant", "Access of <App> revoked");
	said(AUDIT_PASSWORD_CHANGED, "", AUDIT_BY_USER, "Password changed");
	said(AUDIT_PASSWORD_CHANGED, "", AUDIT_BY_ADMIN_TOOL,
	    "Password changed by the administrator");
	said(AUDIT_SIGNED_OUT, "", AUDIT_BY_USER ": everywhere, 3 sessions",
	    "Signed out everywhere");
	said(AUDIT_SIGNED_OUT, "", AUDIT_BY_USER ": one session",
	    "Signed out one session");
	said(AUDIT_CONFIG_ERROR, "", "x", "config-error");
}

#define S	1000000		/* a second in the trail's microseconds */

/* Records an event at time_us directly. */
static void
event_at(int64_t time_us, int kind, const char *user, const char *client,
    const char *addr)
{
	struct store_txn	*t;
	struct audit_event	 ev;

	audit_event_set(&ev, kind, user, client, addr, NULL);
	ev.time_us = time_us;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(audit_put(t, NULL, &ev), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static size_t
activity_of(const char *user, int64_t now, struct activity_line *lines,
    size_t max)
{
	struct store_txn	*t;
	size_t			 n = 0;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(activity_list(t, fx_cfg, user, now, lines, max, &n),
	    STORE_OK);
	store_abort(t);
	return n;
}

Test(account, activity_is_hers_newest_first_with_runs_collapsed)
{
	struct activity_line	 l[ACTIVITY_MAX];
	struct store_txn	*t;
	struct client		 named;
	int64_t			 us = (int64_t)FX_T0 * S;
	size_t			 n;

	fx_client(&named, "mcpc_named");
	named.name = strdup("Named <app>");
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &named, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	client_free(&named);

	event_at(us + 1 * S, AUDIT_SIGNIN, "alice", NULL, "192.0.2.1");
	event_at(us + 2 * S, AUDIT_TOKEN_ISSUED, "alice", "mcpc_named",
	    "192.0.2.1");
	event_at(us + 3 * S, AUDIT_TOKEN_REFRESHED, "alice", "mcpc_named",
	    "192.0.2.1");
	event_at(us + 4 * S, AUDIT_SIGNIN, "bob", NULL, "192.0.2.9");
	event_at(us + 5 * S, AUDIT_TOKEN_REFRESHED, "alice", "mcpc_named",
	    "192.0.2.1");
	event_at(us + 6 * S, AUDIT_TOKEN_REFRESHED, "alice", "mcpc_named",
	    "192.0.2.1");
	/* Another address starts another line. */
	event_at(us + 7 * S, AUDIT_TOKEN_REFRESHED, "alice", "mcpc_named",
	    "192.0.2.2");
	event_at(us + 8 * S, AUDIT_TOKEN_REFRESHED, "alice", "mcpc_gone",
	    "192.0.2.2");

	n = activity_of("alice", FX_T0 + 10, l, ACTIVITY_MAX);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(l[0].client, "mcpc_gone");
	cr_assert_null(l[0].client_name);
	cr_assert_str_eq(l[1].addr, "192.0.2.2");
	cr_assert_eq(l[1].count, 1);
	/* Bob's sign-in in between is not hers: the run goes on. */
	cr_assert_eq(l[2].count, 3);
	cr_assert_eq(l[2].time_us, us + 6 * S);
	cr_assert_eq(l[2].first_us, us + 3 * S);
	cr_assert_str_eq(l[2].client_name, "Named <app>");
	cr_assert_eq(l[3].kind, AUDIT_TOKEN_ISSUED);
	cr_assert_eq(l[4].kind, AUDIT_SIGNIN);
	activity_free(l, n);

	/* The limit counts lines, and a run at the end is whole. */
	n = activity_of("alice", FX_T0 + 10, l, 3);
	cr_assert_eq(n, 3);
	cr_assert_eq(l[2].count, 3);
	activity_free(l, n);

	cr_assert_eq(activity_of("bob", FX_T0 + 10, l, ACTIVITY_MAX), 1);
	activity_free(l, 1);
	cr_assert_eq(activity_of("carol", FX_T0 + 10, l, ACTIVITY_MAX), 0);

	/* Older than audit_max_age: not shown, purged or not. */
	n = activity_of("alice", FX_T0 + fx_cfg->audit_max_age + 5, l,
	    ACTIVITY_MAX);
	cr_assert_eq(n, 3);
	cr_assert_eq(l[2].count, 2);
	cr_assert_eq(l[2].first_us, us + 5 * S);
	activity_free(l, n);
}

/*
 * A name deleted and given to someone new: the new account's page shows
 * nothing from before it was made.
 */
Test(account, activity_starts_when_the_account_was_made)
{
	struct activity_line	 l[ACTIVITY_MAX];
	struct store_txn	*t;
	struct user		 u;
	int64_t			 us = (int64_t)FX_T0 * S;
	size_t			 n;

	event_at(us + 50 * S, AUDIT_SIGNIN_FAILED, "carol", NULL,
	    "192.0.2.7");
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "carol");
	u.password_hash = "not-a-hash";
	u.created = u.updated = FX_T0 + 100;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	event_at(us + 150 * S, AUDIT_SIGNIN, "carol", NULL, "192.0.2.8");

	n = activity_of("carol", FX_T0 + 200, l, ACTIVITY_MAX);
	cr_assert_eq(n, 1);
	cr_assert_eq(l[0].kind, AUDIT_SIGNIN);
	activity_free(l, n);
}
