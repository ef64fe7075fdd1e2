/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * useradmin.c: what the admin tool and the users page of /admin do to
 * users, each change with its audit event, and the guards that keep
 * the site an enabled administrator.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/lib/audit.h"
#include "../../src/lib/buf.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/session.h"
#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "../../src/lib/useradmin.h"
#include "testutil.h"

#define T0		1700000000
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT	"http://127.0.0.1:9999/callback"
#define RESOURCE	"https://mcp.example.com/mcp"
#define ADDR		"192.0.2.7"

static char		*dir;
static struct config	*cfg;
static struct store	*st;
static struct client	 pub;
static struct useradmin	 ua;

static void
setup(void)
{
	struct store_txn	*t;
	char			 text[512], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\nscopes = mcp notes:read notes:write\n", dir);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(cfg->db_path, 1 << 23, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)), STORE_OK, "%s", err);
	client_init(&pub);
	snprintf(pub.id, sizeof(pub.id), "mcpc_public");
	pub.auth_method = CLIENT_AUTH_NONE;
	pub.grant_types = CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &pub, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	useradmin_init(&ua, st, cfg, AUDIT_BY_ADMIN_WEB, ADDR);
	ua.now = T0;
}

static void
teardown(void)
{
	client_free(&pub);
	store_close(st);
	st = NULL;
	config_free(cfg);
	cfg = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(useradmin, .init = setup, .fini = teardown);

static void
get_user(const char *name, struct user *u)
{
	struct store_txn	*t;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, name, u), STORE_OK, "%s", name);
	store_abort(t);
}

/*
 * The newest audit event of kind about user, which must exist (with
 * count NULL), and how many there are.  audit_list() goes newest first.
 */
struct last {
	int			 kind;
	int			 seen;
	struct audit_event	 ev;
};

static int
visit(const struct audit_event *ev, void *arg)
{
	struct last	*l = arg;

	if (ev->kind == l->kind && l->seen++ == 0)
		l->ev = *ev;
	return 0;
}

static struct audit_event
last_event(int kind, const char *user, int *count)
{
	struct store_txn	*t;
	struct audit_filter	 f;
	struct last		 l;

	memset(&f, 0, sizeof(f));
	memset(&l, 0, sizeof(l));
	f.user = user;
	l.kind = kind;
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(audit_list(t, &f, visit, &l), STORE_OK);
	store_abort(t);
	if (count != NULL)
		*count = l.seen;
	else
		cr_assert_gt(l.seen, 0, "no %s event for %s",
		    audit_kind_name(kind), user);
	return l.ev;
}

static void
add(const char *name, int admin)
{
	cr_assert_eq(useradmin_add(&ua, name, "correct horse", admin),
	    USERADMIN_OK, "%s", name);
}

Test(useradmin, add_hashes_the_password_and_records_who_added)
{
	struct audit_event	 ev;
	struct user		 u;

	add("alice", 0);
	add("root", 1);
	get_user("alice", &u);
	cr_assert_eq(crypto_password_verify("correct horse", u.password_hash),
	    CRYPTO_OK);
	cr_assert_null(strstr(u.password_hash, "correct"));
	cr_assert_eq(u.flags, 0);
	cr_assert_eq(u.created, T0);
	cr_assert_str_eq(user_scope_limit(&u), "");
	user_free(&u);
	get_user("root", &u);
	cr_assert_eq(u.flags, USER_ADMIN);
	user_free(&u);
	ev = last_event(AUDIT_USER_ADDED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB);
	cr_assert_str_eq(ev.addr, ADDR);
	ev = last_event(AUDIT_USER_ADDED, "root", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB ": administrator");
	cr_assert_str_eq(audit_kind_name(AUDIT_USER_ADDED), "user-added");
	cr_assert_eq(audit_kind_parse("admin-changed"), AUDIT_ADMIN_CHANGED);
}

Test(useradmin, add_refuses_a_taken_or_invalid_name)
{
	int	 n;

	add("alice", 0);
	cr_assert_eq(useradmin_add(&ua, "alice", "other", 1),
	    USERADMIN_EXISTS);
	cr_assert_eq(useradmin_add(&ua, "<script>", "pw", 0),
	    USERADMIN_BADNAME);
	cr_assert_eq(useradmin_add(&ua, "", "pw", 0), USERADMIN_BADNAME);
	/* The first one is untouched and added once. */
	last_event(AUDIT_USER_ADDED, "alice", &n);
	cr_assert_eq(n, 1);
	cr_assert_str_neq(useradmin_strerror(USERADMIN_EXISTS), "");
}

Test(useradmin, a_password_change_ends_her_sessions_and_is_audited)
{
	struct store_txn	*t;
	struct audit_event	 ev;
	struct session		 s;
	struct user		 u;
	char			 c1[SESSION_TOKEN_MAX], c2[SESSION_TOKEN_MAX];

	add("alice", 0);
	add("bob", 0);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(session_create(t, "alice", T0, 3600, c1, sizeof(c1)),
	    STORE_OK);
	cr_assert_eq(session_create(t, "bob", T0, 3600, c2, sizeof(c2)),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	cr_assert_eq(useradmin_set_password(&ua, "alice", "new secret"),
	    USERADMIN_OK);
	cr_assert_eq(ua.revoked.sessions, 1);
	get_user("alice", &u);
	cr_assert_eq(crypto_password_verify("new secret", u.password_hash),
	    CRYPTO_OK);
	cr_assert_neq(crypto_password_verify("correct horse",
	    u.password_hash), CRYPTO_OK);
	user_free(&u);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(session_get(t, c1, T0 + 1, &s), STORE_NOTFOUND);
	cr_assert_eq(session_get(t, c2, T0 + 1, &s), STORE_OK,
	    "another user's session stays");
	session_free(&s);
	store_abort(t);
	ev = last_event(AUDIT_PASSWORD_CHANGED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB);
	cr_assert_str_eq(ev.addr, ADDR);
	cr_assert_eq(useradmin_set_password(&ua, "nobody", "x"),
	    USERADMIN_NOTFOUND);
}

/* A grant of alice's to pub for scope: its id and tokens. */
static void
grant_pair(const char *scope, char *grant_id, struct token_response *tr)
{
	struct store_txn	*t;
	struct oauth_error	 e;
	struct code_request	 cr;
	char			 code[TOKEN_MAX];

	memset(&cr, 0, sizeof(cr));
	cr.user = "alice";
	cr.client = &pub;
	cr.redirect_uri = REDIRECT;
	cr.redirect_explicit = 1;
	cr.challenge = CHALLENGE;
	cr.scope = scope;
	cr.resource = RESOURCE;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_issue_code(t, cfg, &cr, T0, code, sizeof(code),
	    grant_id), STORE_OK);
	memset(&e, 0, sizeof(e));
	cr_assert_eq(grant_exchange_code(t, cfg, &pub, code, REDIRECT,
	    VERIFIER, NULL, T0 + 1, tr, &e), 0, "%s", e.description);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(useradmin, a_scope_limit_narrows_her_grant_and_is_audited)
{
	struct token_response	 tr;
	struct audit_event	 ev;
	struct store_txn	*t;
	struct grant		 g;
	struct user		 u;
	struct buf		 limit;
	char			 id[GRANT_ID_LEN + 1];
	char			*read_only[] = { "notes:read", "mcp" };
	char			*no_base[] = { "notes:read" };
	char			*unknown[] = { "mcp", "admin" };

	add("alice", 0);
	grant_pair("mcp notes:read notes:write", id, &tr);
	buf_init(&limit);
	cr_assert_eq(useradmin_scope_limit(&ua, unknown, 2, &limit),
	    USERADMIN_BADSCOPE);
	cr_assert_str_eq(ua.bad_scope, "admin");
	cr_assert_eq(useradmin_scope_limit(&ua, no_base, 1, &limit),
	    USERADMIN_NOBASE);
	buf_free(&limit);
	buf_init(&limit);
	cr_assert_eq(useradmin_scope_limit(&ua, read_only, 2, &limit),
	    USERADMIN_OK);
	/* In the configuration's order. */
	cr_assert_str_eq(buf_cstr(&limit), "mcp notes:read");
	cr_assert_eq(useradmin_set_scopes(&ua, "alice", buf_cstr(&limit)),
	    USERADMIN_OK);
	cr_assert_eq(ua.narrowed.grants, 1);
	cr_assert_eq(ua.narrowed.access_tokens, 1);
	get_user("alice", &u);
	cr_assert_str_eq(user_scope_limit(&u), "mcp notes:read");
	user_free(&u);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_grant_get(t, id, &g), STORE_OK);
	cr_assert_str_eq(g.scope, "mcp notes:read");
	grant_free(&g);
	store_abort(t);
	ev = last_event(AUDIT_SCOPES_LIMITED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB ": mcp notes:read");
	cr_assert_str_eq(ev.addr, ADDR);

	/* Every scope again: the limit goes, the grant stays narrowed. */
	cr_assert_eq(useradmin_set_scopes(&ua, "alice", NULL), USERADMIN_OK);
	cr_assert_eq(ua.narrowed.grants, 0);
	get_user("alice", &u);
	cr_assert_str_eq(user_scope_limit(&u), "");
	user_free(&u);
	ev = last_event(AUDIT_SCOPES_LIMITED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB ": every scope");
	cr_assert_eq(useradmin_set_scopes(&ua, "nobody", NULL),
	    USERADMIN_NOTFOUND);
	buf_free(&limit);
}

Test(useradmin, generated_passwords_are_24_base64url_characters_each_new)
{
	char	 pw[64][USERADMIN_PASSWORD_LEN + 1];
	char	 small[USERADMIN_PASSWORD_LEN];
	size_t	 i, j;

	for (i = 0; i < 64; i++) {
		cr_assert_eq(useradmin_generate_password(pw[i],
		    sizeof(pw[i])), USERADMIN_OK);
		cr_assert_eq(strlen(pw[i]), USERADMIN_PASSWORD_LEN);
		cr_assert_eq(strspn(pw[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"),
		    USERADMIN_PASSWORD_LEN, "%s", pw[i]);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(pw[i], pw[j]);
	}
	cr_assert_eq(useradmin_generate_password(small, sizeof(small)),
	    USERADMIN_CRYPTO);
}

Test(useradmin, disable_enable_and_delete_are_audited_with_the_actor)
{
	struct token_response	 tr;
	struct audit_event	 ev;
	struct user		 u;
	char			 id[GRANT_ID_LEN + 1];

	add("alice", 0);
	grant_pair("mcp", id, &tr);
	cr_assert_eq(useradmin_set_disabled(&ua, "alice", 1), USERADMIN_OK);
	cr_assert_eq(ua.revoked.n.grants, 1);
	get_user("alice", &u);
	cr_assert(u.flags & USER_DISABLED);
	user_free(&u);
	ev = last_event(AUDIT_USER_DISABLED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB ": user disabled");
	cr_assert_str_eq(ev.addr, ADDR);

	cr_assert_eq(useradmin_set_disabled(&ua, "alice", 0), USERADMIN_OK);
	get_user("alice", &u);
	cr_assert_eq(u.flags & USER_DISABLED, 0);
	user_free(&u);
	ev = last_event(AUDIT_USER_ENABLED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB);

	cr_assert_eq(useradmin_set_admin(&ua, "alice", 1), USERADMIN_OK);
	ev = last_event(AUDIT_ADMIN_CHANGED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB ": administrator on");
	get_user("alice", &u);
	cr_assert_eq(u.flags, USER_ADMIN);
	user_free(&u);

	cr_assert_eq(useradmin_delete(&ua, "alice"), USERADMIN_OK);
	ev = last_event(AUDIT_USER_DELETED, "alice", NULL);
	cr_assert_str_eq(ev.detail, AUDIT_BY_ADMIN_WEB ": user deleted");
	cr_assert_eq(useradmin_delete(&ua, "alice"), USERADMIN_NOTFOUND);
	cr_assert_eq(useradmin_set_disabled(&ua, "alice", 1),
	    USERADMIN_NOTFOUND);
	cr_assert_eq(useradmin_set_admin(&ua, "alice", 1),
	    USERADMIN_NOTFOUND);
}

Test(useradmin, the_web_never_loses_its_last_enabled_administrator)
{
	struct store_txn	*t;
	struct user		 u;
	size_t			 n;

	add("root", 1);
	add("ops", 1);
	add("alice", 0);
	ua.keep_an_admin = 1;
	ua.self = "root";
	/* Never on herself. */
	cr_assert_eq(useradmin_set_disabled(&ua, "root", 1), USERADMIN_SELF);
	cr_assert_eq(useradmin_delete(&ua, "root"), USERADMIN_SELF);
	cr_assert_eq(useradmin_set_admin(&ua, "root", 0), USERADMIN_SELF);
	/* Another administrator, while one is left: yes. */
	cr_assert_eq(useradmin_set_disabled(&ua, "ops", 1), USERADMIN_OK);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(useradmin_enabled_admins(t, &n), STORE_OK);
	store_abort(t);
	cr_assert_eq(n, 1, "a disabled administrator does not count");
	/* The last one, whoever asks: no. */
	ua.self = "ops";
	cr_assert_eq(useradmin_set_disabled(&ua, "root", 1),
	    USERADMIN_LASTADMIN);
	cr_assert_eq(useradmin_delete(&ua, "root"), USERADMIN_LASTADMIN);
	cr_assert_eq(useradmin_set_admin(&ua, "root", 0),
	    USERADMIN_LASTADMIN);
	get_user("root", &u);
	cr_assert_eq(u.flags, USER_ADMIN, "unchanged by the refusals");
	user_free(&u);
	/* Not an administrator: nothing to guard. */
	cr_assert_eq(useradmin_set_disabled(&ua, "alice", 1), USERADMIN_OK);
	/* The tool guards nothing: it is how one is made again. */
	ua.keep_an_admin = 0;
	ua.self = NULL;
	cr_assert_eq(useradmin_set_admin(&ua, "root", 0), USERADMIN_OK);
	cr_assert_eq(useradmin_set_admin(&ua, "ops", 1), USERADMIN_OK);
}

Test(useradmin, the_list_is_read_in_pages_after_a_name)
{
	struct useradmin_entry	*e;
	struct token_response	 tr;
	size_t			 n;
	int			 more;
	char			 id[GRANT_ID_LEN + 1];

	add("carol", 0);
	add("alice", 1);
	add("bob", 0);
	grant_pair("mcp", id, &tr);
	cr_assert_eq(useradmin_list(st, NULL, 2, 1, &e, &n, &more), STORE_OK);
	cr_assert_eq(n, 2);
	cr_assert(more);
	cr_assert_str_eq(e[0].u.name, "alice");
	cr_assert_eq(e[0].u.flags, USER_ADMIN);
	cr_assert_eq(e[0].grants, 1);
	cr_assert_str_eq(e[1].u.name, "bob");
	cr_assert_eq(e[1].grants, 0);
	useradmin_list_free(e, n);
	cr_assert_eq(useradmin_list(st, "bob", 2, 1, &e, &n, &more),
	    STORE_OK);
	cr_assert_eq(n, 1);
	cr_assert(!more);
	cr_assert_str_eq(e[0].u.name, "carol");
	useradmin_list_free(e, n);
	/* A cursor between names, and one past the end. */
	cr_assert_eq(useradmin_list(st, "b", 0, 0, &e, &n, &more), STORE_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(e[0].u.name, "bob");
	useradmin_list_free(e, n);
	cr_assert_eq(useradmin_list(st, "zz", 0, 0, &e, &n, &more), STORE_OK);
	cr_assert_eq(n, 0);
	useradmin_list_free(e, n);
}
