/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "audit.h"
#include "client.h"
#include "config.h"
#include "crypto.h"
#include "grant.h"
#include "ratelimit.h"
#include "revocation.h"
#include "session.h"
#include "signin.h"
#include "store.h"
#include "user.h"

/* Keeps a session's id on the page apart from any other use of its key. */
#define SESSION_ID_LABEL	"mcp-oauth account session v1"
/* Likewise for the forms' CSRF token and the browser cookie. */
#define FORM_TOKEN_LABEL	"mcp-oauth account form v1"
#define ADMIN_FORM_TOKEN_LABEL	"mcp-oauth admin form v1"
#define FORM_TOKEN_LABEL_MAX	32

static int	form_token(const char *, const unsigned char *, const char *,
		    char *);

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

void
account_apps_free(struct account_app *apps, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(apps[i].client_id);
		free(apps[i].client_name);
		free(apps[i].redirect_uri);
		free(apps[i].scope);
	}
	memset(apps, 0, n * sizeof(*apps));
}

/*
 * Fills app from grant g and its client (which may be gone: the page
 * then shows the client id).  Returns a store code.
 */
static int
app_fill(struct store_txn *t, const struct config *cfg,
    const struct grant *g, struct account_app *app)
{
	struct client	 c;
	int		 rc;

	memset(app, 0, sizeof(*app));
	memcpy(app->grant_id, g->id, sizeof(app->grant_id));
	app->created = g->created;
	app->last_used = g->last_used;
	app->ends = grant_end(cfg, g);
	app->renews = g->has_current;
	app->expires = g->expires < app->ends ? g->expires : app->ends;
	rc = store_client_get(t, g->client_id, &c);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	if (rc == STORE_OK) {
		app->client_flags = c.flags;
		app->client_name = dup_or_null(c.name);
		app->redirect_uri = dup_or_null(c.nredirect_uris > 0 ?
		    c.redirect_uris[0] : NULL);
		rc = (c.name != NULL && app->client_name == NULL) ||
		    (c.nredirect_uris > 0 && app->redirect_uri == NULL) ?
		    STORE_ENOMEM : STORE_OK;
		client_free(&c);
		if (rc != STORE_OK)
			return rc;
	}
	app->client_id = strdup(g->client_id);
	app->scope = strdup(g->scope);
	if (app->client_id == NULL || app->scope == NULL)
		return STORE_ENOMEM;
	return STORE_OK;
}

/*
 * The connected applications of user at now: her grants whose code was
 * redeemed and that have not expired, at most max of them into apps,
 * in the order of the index (by grant id).  *n receives how many were
 * filled.  Free them with account_apps_free() whatever the result.
 */
int
account_apps(struct store_txn *t, const struct config *cfg,
    const char *user, int64_t now, struct account_app *apps, size_t max,
    size_t *n)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	char			 id[GRANT_ID_LEN + 1];
	int			 rc, op;

	*n = 0;
	if ((rc = store_cursor_open(t, DB_USER_GRANTS, &cur)) != STORE_OK)
		return rc;
	k.data = user;
	k.len = strlen(user);
	for (op = STORE_SET; *n < max && (rc = store_cursor_get(cur, &k, &v,
	    op)) == STORE_OK; op = STORE_NEXT_DUP) {
		struct grant	 g;

		if (v.len != GRANT_ID_LEN)
			continue;
		memcpy(id, v.data, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		rc = store_grant_get(t, id, &g);
		if (rc == STORE_NOTFOUND)
			continue;	/* revoked: its index goes soon */
		if (rc != STORE_OK)
			break;
		if ((g.flags & GRANT_ACTIVE) && g.expires > now &&
		    grant_end(cfg, &g) > now &&
		    (rc = app_fill(t, cfg, &g, &apps[(*n)++])) != STORE_OK) {
			grant_free(&g);
			break;
		}
		grant_free(&g);
	}
	store_cursor_close(cur);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Revokes grant_id if it is user's (a grant id is never reused, so it
 * stays hers between the check and the revocation): at once in every
 * process, with its tokens and code (revocation.h), and recorded in
 * the audit trail as by the user from the address ip in the same
 * transaction.  STORE_NOTFOUND when she has no such grant.
 */
int
account_revoke(struct store *st, const char *user, const char *grant_id,
    const char *ip, struct revoke_result *r)
{
	struct store_txn	*t;
	struct grant		 g;
	int			 rc, hers;

	memset(r, 0, sizeof(*r));
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	rc = store_grant_get(t, grant_id, &g);
	store_abort(t);
	if (rc != STORE_OK)
		return rc;
	hers = strcmp(g.user, user) == 0;
	grant_free(&g);
	if (!hers)
		return STORE_NOTFOUND;
	r->actor = AUDIT_BY_USER;
	r->addr = ip;
	return revoke_grant(st, grant_id, r);
}

/* A session's id on the page, from its key (the cookie's SHA-256). */
static int
session_id(const void *key, char *out)
{
	unsigned char	 in[sizeof(SESSION_ID_LABEL) - 1 + CRYPTO_SHA256_LEN];
	unsigned char	 h[CRYPTO_SHA256_LEN];

	memcpy(in, SESSION_ID_LABEL, sizeof(SESSION_ID_LABEL) - 1);
	memcpy(in + sizeof(SESSION_ID_LABEL) - 1, key, CRYPTO_SHA256_LEN);
	if (crypto_sha256(in, sizeof(in), h) != CRYPTO_OK)
		return -1;
	hex_encode(h, ACCOUNT_SESSION_ID_LEN / 2, out);
	out[ACCOUNT_SESSION_ID_LEN] = '\0';
	return 0;
}

/* Whether the session under key k (with record v) is user's. */
static int
session_of(const struct store_val *k, const struct store_val *v,
    const char *user, struct session *s)
{
	if (k->len != CRYPTO_SHA256_LEN ||
	    session_decode(v->data, v->len, s) != STORE_OK)
		return 0;
	if (strcmp(s->user, user) == 0)
		return 1;
	session_free(s);
	return 0;
}

/*
 * The live sign-in sessions of user at now, at most max into out; the
 * one whose cookie is cookie (NULL: none) is marked current.
 */
int
account_sessions(struct store_txn *t, const char *user, const char *cookie,
    int64_t now, struct account_session *out, size_t max, size_t *n)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 mine[CRYPTO_SHA256_LEN];
	int			 rc, op, have_mine;

	*n = 0;
	have_mine = cookie != NULL && session_cookie_hash(cookie, mine) == 0;
	if ((rc = store_cursor_open(t, DB_SESSIONS, &cur)) != STORE_OK)
		return rc;
	for (op = STORE_FIRST; *n < max && (rc = store_cursor_get(cur, &k, &v,
	    op)) == STORE_OK; op = STORE_NEXT) {
		struct session	 s;

		if (!session_of(&k, &v, user, &s))
			continue;
		if (s.expires > now) {
			struct account_session	*a = &out[*n];

			if (session_id(k.data, a->id) == -1) {
				session_free(&s);
				rc = STORE_ERROR;
				break;
			}
			a->created = s.created;
			a->expires = s.expires;
			a->current = have_mine &&
			    crypto_equal(k.data, mine, sizeof(mine));
			(*n)++;
		}
		session_free(&s);
	}
	store_cursor_close(cur);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Ends user's sessions: the one whose page id is id (with keep NULL),
 * or all but the one whose cookie is keep (keep "" or an invalid
 * cookie: all).  count (if not NULL) is incremented per session ended.
 */
static int
end_sessions(struct store_txn *t, const char *user, const char *id,
    const char *keep, unsigned long *count)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 key[CRYPTO_SHA256_LEN];
	unsigned char		 kept[CRYPTO_SHA256_LEN];
	char			 sid[ACCOUNT_SESSION_ID_LEN + 1];
	int			 rc, op, del, have_kept;

	have_kept = keep != NULL && session_cookie_hash(keep, kept) == 0;
	if ((rc = store_cursor_open(t, DB_SESSIONS, &cur)) != STORE_OK)
		return rc;
	for (op = STORE_FIRST; (rc = store_cursor_get(cur, &k, &v, op)) ==
	    STORE_OK; op = STORE_NEXT) {
		struct session	 s;

		if (!session_of(&k, &v, user, &s))
			continue;
		session_free(&s);
		if (id != NULL)
			del = session_id(k.data, sid) == 0 &&
			    strcmp(sid, id) == 0;
		else
			del = !have_kept ||
			    !crypto_equal(k.data, kept, sizeof(kept));
		if (!del)
			continue;
		memcpy(key, k.data, sizeof(key));
		if ((rc = store_cursor_del(cur)) != STORE_OK)
			break;
		if (count != NULL)
			(*count)++;
		/* Carry on from the key after the deleted one. */
		k.data = key;
		k.len = sizeof(key);
		op = STORE_SET_RANGE;
	}
	store_cursor_close(cur);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* Ends user's session whose page id is id: STORE_NOTFOUND if none. */
int
account_end_session(struct store_txn *t, const char *user, const char *id)
{
	unsigned long	 n = 0;
	int		 rc;

	if (strlen(id) != ACCOUNT_SESSION_ID_LEN)
		return STORE_NOTFOUND;
	if ((rc = end_sessions(t, user, id, NULL, &n)) != STORE_OK)
		return rc;
	return n > 0 ? STORE_OK : STORE_NOTFOUND;
}

/*
 * Ends all of user's sessions but the one whose cookie is keep (NULL:
 * all of them, "sign out everywhere").
 */
int
account_end_sessions(struct store_txn *t, const char *user,
    const char *keep, unsigned long *count)
{
	return end_sessions(t, user, NULL, keep != NULL ? keep : "", count);
}

/*
 * The CSRF token of the account page's forms for user in the browser
 * whose binding cookie gives key (consent_browser_keyed(): a hash of
 * the cookie stored nowhere): derived from that secret cookie, which
 * another site cannot read, and bound to the user, so
 * that a page shown to one person does not act for another who signs
 * in in the same browser.  out receives ACCOUNT_FORM_TOKEN_LEN hex
 * digits and a NUL.
 */
int
account_form_token(const unsigned char *browser, const char *user, char *out)
{
	return form_token(FORM_TOKEN_LABEL, browser, user, out);
}

/*
 * The CSRF token of the administration pages' forms (adminweb.c): the
 * same construction under a label of its own, so that a token of the
 * account page is never one of the administration pages.
 */
int
account_admin_form_token(const unsigned char *browser, const char *user,
    char *out)
{
	return form_token(ADMIN_FORM_TOKEN_LABEL, browser, user, out);
}

/* Whether token (maybe NULL) is the administration pages' for user. */
int
account_admin_form_token_ok(const unsigned char *browser, const char *user,
    const char *token)
{
	char	 want[ACCOUNT_FORM_TOKEN_LEN + 1];

	if (token == NULL || strlen(token) != ACCOUNT_FORM_TOKEN_LEN ||
	    account_admin_form_token(browser, user, want) == -1)
		return 0;
	return crypto_equal(token, want, ACCOUNT_FORM_TOKEN_LEN);
}

/* SHA-256 of label, browser and user, in hex, into out. */
static int
form_token(const char *label, const unsigned char *browser,
    const char *user, char *out)
{
	unsigned char	 in[FORM_TOKEN_LABEL_MAX + CRYPTO_SHA256_LEN +
			    USER_NAME_MAX];
	unsigned char	 h[CRYPTO_SHA256_LEN];
	size_t		 ulen = strlen(user), n = strlen(label);

	if (ulen > USER_NAME_MAX || n > FORM_TOKEN_LABEL_MAX)
		return -1;
	memcpy(in, label, n);
	memcpy(in + n, browser, CRYPTO_SHA256_LEN);
	n += CRYPTO_SHA256_LEN;
	memcpy(in + n, user, ulen);
	n += ulen;
	if (crypto_sha256(in, n, h) != CRYPTO_OK)
		return -1;
	hex_encode(h, sizeof(h), out);
	out[ACCOUNT_FORM_TOKEN_LEN] = '\0';
	return 0;
}

/* Whether token (from a form, maybe NULL) is the one for user here. */
int
account_form_token_ok(const unsigned char *browser, const char *user,
    const char *token)
{
	char	 want[ACCOUNT_FORM_TOKEN_LEN + 1];

	if (token == NULL || strlen(token) != ACCOUNT_FORM_TOKEN_LEN ||
	    account_form_token(browser, user, want) == -1)
		return 0;
	return crypto_equal(token, want, ACCOUNT_FORM_TOKEN_LEN);
}

/*
 * The password policy of "mcp-oauth-admin user add" and "passwd": not
 * empty, at most USER_PASSWORD_MAX bytes, typed the same twice.
 * Returns 0 or an ACCOUNT_ result.
 */
int
account_password_check(const char *pw, const char *again)
{
	if (pw == NULL || pw[0] == '\0' || strlen(pw) > USER_PASSWORD_MAX)
		return ACCOUNT_BAD_PASSWORD;
	if (again == NULL || !crypto_str_equal(pw, again))
		return ACCOUNT_MISMATCH;
	return 0;
}

/*
 * The audit event of a password change by its user, in t: the event
 * of the attempt that checked her current password (signin_attempt(),
 * recorded as a failed sign-in) becomes it, so that the check leaves
 * no failure behind; a new one is recorded should it be gone.
 */
static int
audit_password_changed(struct store_txn *t, const struct config *cfg,
    const struct signin *s, const char *user, const char *ip)
{
	int	 rc = STORE_NOTFOUND;

	if (s->audit_us > 0)
		rc = audit_amend(t, s->audit_us, user, AUDIT_PASSWORD_CHANGED,
		    AUDIT_BY_USER);
	if (rc == STORE_NOTFOUND)
		rc = audit_record(t, cfg, AUDIT_PASSWORD_CHANGED, user, NULL,
		    ip, AUDIT_BY_USER);
	return rc;
}

/*
 * Changes user's password from current to pw (checked by the caller
 * with account_password_check()).  The current password is checked as
 * a sign-in is (signin_attempt(): counted, with the same limits, so
 * that a stolen session cannot guess it faster than the login page
 * could); then, in one transaction, the count is taken back as a
 * successful sign-in's is, the new scrypt hash is stored, every
 * session of hers but the one whose cookie is keep ends (count in
 * *ended), keep itself is replaced by a new session whose cookie goes
 * to fresh (a password is often changed because a cookie was stolen,
 * and that cookie may be this very one), and the change is recorded in
 * the audit trail.  Her grants stay, as with "mcp-oauth-admin user
 * passwd".
 * Returns a store code or an ACCOUNT_ result (ACCOUNT_THROTTLED with
 * *retry_after).
 */
int
account_password_change(struct store *st, const struct config *cfg,
    const char *user, const char *current, const char *pw, const char *ip,
    const char *keep, int64_t now, char *fresh, size_t freshsz,
    long *retry_after, unsigned long *ended)
{
	struct store_txn	*t;
	struct signin		 s;
	struct user		 u;
	char			 hash[CRYPTO_PWHASH_MAX];
	int			 rc;

	*retry_after = 0;
	switch (signin_attempt(st, cfg, &s, user, current, ip, now)) {
	case SIGNIN_OK:
		break;
	case SIGNIN_THROTTLED:
		*retry_after = s.retry_after;
		return ACCOUNT_THROTTLED;
	case SIGNIN_REFUSED:
		return ACCOUNT_WRONG_PASSWORD;
	default:
		return s.store_rc;
	}
	if (crypto_password_hash(pw, hash, sizeof(hash)) != CRYPTO_OK)
		return STORE_ERROR;
	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		goto out;
	rc = ratelimit_reset(t, SIGNIN_KIND_USER, s.name_subject);
	if (rc == STORE_OK)
		rc = ratelimit_undo(t, SIGNIN_KIND_IP, s.ip, s.now, s.window);
	if (rc == STORE_OK && (rc = store_user_get(t, user, &u)) == STORE_OK) {
		/* Disabled since the check: she may not sign in at all. */
		if (u.flags & USER_DISABLED)
			rc = ACCOUNT_WRONG_PASSWORD;
		else {
			free(u.password_hash);
			u.password_hash = hash;
			u.updated = now;
			rc = store_user_put(t, &u, 0);
			u.password_hash = NULL;
		}
		user_free(&u);
	}
	if (rc == STORE_OK)
		rc = account_end_sessions(t, user, keep, ended);
	if (rc == STORE_OK && keep != NULL && keep[0] != '\0' &&
	    (rc = session_delete(t, keep)) == STORE_NOTFOUND)
		rc = STORE_OK;
	if (rc == STORE_OK)
		rc = session_create(t, user, now, cfg->session_lifetime, fresh,
		    freshsz);
	if (rc == STORE_OK)
		rc = audit_password_changed(t, cfg, &s, user, ip);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
out:
	crypto_wipe(hash, sizeof(hash));
	return rc;
}
