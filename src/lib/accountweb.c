/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "accountpage.h"
#include "accountweb.h"
#include "activity.h"
#include "app.h"
#include "audit.h"
#include "authpage.h"
#include "config.h"
#include "consent.h"
#include "crypto.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "revocation.h"
#include "session.h"
#include "store.h"
#include "user.h"

#define POST_MAX	(16 * 1024)

/* The notices after an action, named in the 303's query. */
static const struct {
	const char	*name;
	const char	*text;
} notices[] = {
	{ "revoked", "Access revoked: the application can no longer use "
	    "your account." },
	{ "signed_out", "That session is signed out." },
	{ "password", "Password changed. Every other browser where you "
	    "were signed in is signed out." },
};

/* Who is signed in in this browser, into user: 1, 0 none, -1 error. */
static int
current_user(struct app *a, const struct http_request *req, char *user,
    size_t usersz)
{
	struct store		*st;
	struct store_txn	*t;
	int			 rc;

	if (app_store(a, &st) != STORE_OK || store_begin(st, 1, &t) !=
	    STORE_OK)
		return -1;
	rc = consent_current_user(t, a->cfg, req->remote_user, req->cookie,
	    time(NULL), user, usersz) == 0;
	store_abort(t);
	return rc;
}

/*
 * This browser's session cookie into value: 0, or -1 when none.  Also
 * adminweb.c's.
 */
int
accountweb_session_cookie(const struct app *a, const struct http_request *req,
    char *value, size_t valuesz)
{
	char	 name[PAGE_COOKIE_NAME_MAX];

	cookie_name(a->cfg, CONSENT_COOKIE_SESSION, name, sizeof(name));
	return cookie_get(req->cookie, name, value, valuesz) == 1 ? 0 : -1;
}

/* 303 back to the page, with a notice (NULL: none). */
static void
back_to_page(struct app *a, struct http_response *resp, const char *notice)
{
	http_status(resp, 303);
	if (notice != NULL)
		http_headerf(resp, "Location", "%s/account?done=%s",
		    a->cfg->issuer_path, notice);
	else
		http_headerf(resp, "Location", "%s/account",
		    a->cfg->issuer_path);
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
}

/*
 * The pending request (id) of a sign-in of the account or
 * administration pages is done with once the person is signed in.
 * Left to expire if it cannot be deleted now.
 */
void
accountweb_pending_done(struct app *a, const char *id)
{
	struct store		*st;
	struct store_txn	*t;

	if (app_store(a, &st) == STORE_OK &&
	    store_begin(st, 0, &t) == STORE_OK) {
		if (pending_delete(t, id) == STORE_OK)
			(void)store_commit(t);
		else
			store_abort(t);
	}
}

/*
 * After the account page's sign-in: its pending request (id) is done
 * with, and the person goes back to the page.
 */
void
accountweb_after_signin(struct app *a, struct http_response *resp,
    const char *id)
{
	accountweb_pending_done(a, id);
	back_to_page(a, resp, NULL);
}

/*
 * The sign-in form for a person who is not signed in, through a
 * pending request of this browser (browser) that names no client, with
 * prompt saying where the sign-in goes back to: PENDING_ACCOUNT_SIGNIN
 * (here) or PENDING_ADMIN_SIGNIN (adminweb.c).
 */
void
accountweb_signin(struct app *a, const struct http_request *req,
    struct http_response *resp, const unsigned char *browser,
    uint32_t prompt)
{
	struct store	*st;
	struct pending	 pd;
	char		 id[SESSION_TOKEN_MAX], csrf[SESSION_TOKEN_MAX];
	int64_t		 now = time(NULL);
	long		 retry_after = 0;
	int		 rc;

	if (a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		authpage_error(a->cfg, resp, AUTHPAGE_NO_REMOTE_USER);
		return;
	}
	memset(&pd, 0, sizeof(pd));
	pd.client_id = pd.redirect_uri = pd.challenge = (char *)"";
	pd.scope = pd.resource = pd.state = (char *)"";
	pd.prompt = prompt;
	pd.created = now;
	pd.expires = now + a->cfg->pending_lifetime;
	memcpy(pd.browser_hash, browser, CRYPTO_SHA256_LEN);
	if ((rc = app_store(a, &st)) == STORE_OK)
		rc = consent_save(st, a->cfg, req->remote_addr, &pd, id,
		    sizeof(id), 1, csrf, sizeof(csrf), now, &retry_after);
	if (rc == CONSENT_THROTTLED) {
		http_headerf(resp, "Retry-After", "%ld", retry_after);
		authpage_error(a->cfg, resp, AUTHPAGE_TOO_MANY_REQUESTS);
		return;
	}
	if (rc != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	app_purge_some(a);
	accountpage_login(a->cfg, resp, 200, id, csrf, NULL, NULL);
	crypto_wipe(csrf, sizeof(csrf));
}

/*
 * The page for user, with status and a notice or an error (NULL:
 * none).
 */
static void
show_page(struct app *a, const struct http_request *req,
    struct http_response *resp, const unsigned char *key,
    const char *user, int status, const char *notice, const char *error)
{
	struct account_app	 apps[ACCOUNT_APPS_MAX];
	struct account_session	 sessions[ACCOUNT_SESSIONS_MAX];
	struct activity_line	 activity[ACTIVITY_MAX];
	struct accountpage	 p;
	struct store		*st;
	struct store_txn	*t;
	char			 csrf[ACCOUNT_FORM_TOKEN_LEN + 1];
	char			 cookie[SESSION_TOKEN_MAX];
	int64_t			 now = time(NULL);
	size_t			 napps = 0, nsessions = 0, nactivity = 0;
	int			 rc, local;

	local = a->cfg->user_auth == USER_AUTH_LOCAL;
	if (accountweb_session_cookie(a, req, cookie, sizeof(cookie)) == -1)
		cookie[0] = '\0';
	if (account_form_token(key, user, csrf) == -1) {
		authpage_server_error(a->cfg, resp, STORE_ERROR);
		return;
	}
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	rc = account_apps(t, a->cfg, user, now, apps, ACCOUNT_APPS_MAX,
	    &napps);
	if (rc == STORE_OK && local)
		rc = account_sessions(t, user, cookie, now, sessions,
		    ACCOUNT_SESSIONS_MAX, &nsessions);
	if (rc == STORE_OK)
		rc = activity_list(t, a->cfg, user, now, activity,
		    ACTIVITY_MAX, &nactivity);
	store_abort(t);
	crypto_wipe(cookie, sizeof(cookie));
	if (rc != STORE_OK) {
		account_apps_free(apps, napps);
		activity_free(activity, nactivity);
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.user = user;
	p.csrf = csrf;
	p.apps = apps;
	p.napps = napps;
	p.sessions = sessions;
	p.nsessions = nsessions;
	p.activity = activity;
	p.nactivity = nactivity;
	p.activity_days = a->cfg->audit_max_age / (24 * 60 * 60);
	p.has_sessions = local;
	p.password = local;
	p.notice = notice;
	p.error = error;
	accountpage_show(a->cfg, resp, status, &p);
	account_apps_free(apps, napps);
	activity_free(activity, nactivity);
}

static void
handle_get(struct app *a, const struct http_request *req,
    struct http_response *resp)
{
	unsigned char	 browser[CRYPTO_SHA256_LEN], key[CRYPTO_SHA256_LEN];
	char		 user[USER_NAME_MAX + 1];
	const char	*done, *notice = NULL;
	struct form	 f;
	size_t		 i;
	int		 rc;

	if (consent_browser_keyed(a->cfg, req->cookie, resp, 1, browser,
	    key) == -1) {
		authpage_server_error(a->cfg, resp, STORE_ERROR);
		return;
	}
	if ((rc = current_user(a, req, user, sizeof(user))) == -1) {
		authpage_server_error(a->cfg, resp, STORE_ERROR);
		return;
	}
	if (rc == 0) {
		accountweb_signin(a, req, resp, browser,
		    PENDING_ACCOUNT_SIGNIN);
		return;
	}
	/* Only the fixed notices: nothing from the query is shown. */
	form_init(&f);
	if (form_parse(req->query, strlen(req->query), NULL, &f) == FORM_OK &&
	    (done = form_get(&f, "done")) != NULL)
		for (i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
			if (strcmp(done, notices[i].name) == 0)
				notice = notices[i].text;
	form_free(&f);
	show_page(a, req, resp, key, user, 200, notice, NULL);
}

static void
do_revoke(struct app *a, const struct http_request *req,
    struct http_response *resp, const unsigned char *key,
    const char *user, const char *grant)
{
	struct revoke_result	 r;
	struct store		*st;
	int			 rc;

	if (grant == NULL || strlen(grant) != GRANT_ID_LEN)
		rc = STORE_NOTFOUND;
	else if ((rc = app_store(a, &st)) == STORE_OK)
		rc = account_revoke(st, user, grant, req->remote_addr,
		    &r);
	if (rc == STORE_NOTFOUND) {
		show_page(a, req, resp, key, user, 404, NULL,
		    "That application is not connected to your account.");
		return;
	}
	if (rc != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	consent_log("grant_revoked_by_user", user, NULL, req->remote_addr);
	back_to_page(a, resp, "revoked");
}

/*
 * Ends one session (id) or, with id NULL, all of them, and records it
 * in the audit trail in the same transaction.
 */
static void
do_signout(struct app *a, const struct http_request *req,
    struct http_response *resp, const unsigned char *key,
    const char *user, const char *id, int all)
{
	struct store		*st;
	struct store_txn	*t;
	char			 detail[AUDIT_DETAIL_MAX + 1];
	unsigned long		 n = 0;
	int			 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	if (all)
		rc = account_end_sessions(t, user, NULL, &n);
	else
		rc = account_end_session(t, user, id != NULL ? id : "");
	if (rc == STORE_OK) {
		if (all)
			snprintf(detail, sizeof(detail), "%s: everywhere, %lu "
			    "session%s", AUDIT_BY_USER, n, n == 1 ? "" : "s");
		else
			snprintf(detail, sizeof(detail), "%s: one session",
			    AUDIT_BY_USER);
		rc = audit_record(t, a->cfg, AUDIT_SIGNED_OUT, user, NULL,
		    req->remote_addr, detail);
	}
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc == STORE_NOTFOUND) {
		show_page(a, req, resp, key, user, 404, NULL,
		    "That session has ended already.");
		return;
	}
	if (rc != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	consent_log(all ? "signed_out_everywhere" : "signed_out", user, NULL,
	    req->remote_addr);
	if (all) {
		/* This browser too: the page asks to sign in again. */
		cookie_set(resp, a->cfg, CONSENT_COOKIE_SESSION, "", -1);
		back_to_page(a, resp, NULL);
	} else
		back_to_page(a, resp, "signed_out");
}

static void
do_password(struct app *a, const struct http_request *req,
    struct http_response *resp, const unsigned char *key,
    const char *user, const struct form *f)
{
	struct store	*st;
	const char	*current = form_get(f, "current");
	const char	*pw = form_get(f, "new");
	char		 cookie[SESSION_TOKEN_MAX], fresh[SESSION_TOKEN_MAX];
	char		 msg[96];
	long		 retry_after = 0, minutes;
	unsigned long	 ended = 0;
	int		 rc;

	switch (account_password_check(pw, form_get(f, "again"))) {
	case ACCOUNT_BAD_PASSWORD:
		show_page(a, req, resp, key, user, 400, NULL,
		    "Enter a new password (at most 1024 characters).");
		return;
	case ACCOUNT_MISMATCH:
		show_page(a, req, resp, key, user, 400, NULL,
		    "The new password and its repetition differ.");
		return;
	}
	if (current == NULL || current[0] == '\0') {
		show_page(a, req, resp, key, user, 400, NULL,
		    "Enter your current password.");
		return;
	}
	if (accountweb_session_cookie(a, req, cookie, sizeof(cookie)) == -1)
		cookie[0] = '\0';
	if ((rc = app_store(a, &st)) == STORE_OK)
		rc = account_password_change(st, a->cfg, user, current, pw,
		    req->remote_addr, cookie, time(NULL), fresh, sizeof(fresh),
		    &retry_after, &ended);
	crypto_wipe(cookie, sizeof(cookie));
	switch (rc) {
	case STORE_OK:
		consent_log("password_changed", user, NULL, req->remote_addr);
		/* This browser goes on in a new session (account.c). */
		cookie_set(resp, a->cfg, CONSENT_COOKIE_SESSION, fresh,
		    a->cfg->session_lifetime);
		back_to_page(a, resp, "password");
		break;
	case ACCOUNT_WRONG_PASSWORD:
		consent_log("password_change_refused", user, NULL,
		    req->remote_addr);
		/* 403, not 401: see handle_login() in authorize.c. */
		show_page(a, req, resp, key, user, 403, NULL,
		    "Your current password is wrong. The password is "
		    "unchanged.");
		break;
	case ACCOUNT_THROTTLED:
		minutes = (retry_after + 59) / 60;
		snprintf(msg, sizeof(msg), "Too many wrong passwords. Try "
		    "again in %ld minute%s.", minutes, minutes == 1 ? "" : "s");
		http_headerf(resp, "Retry-After", "%ld", retry_after);
		show_page(a, req, resp, key, user, 429, NULL, msg);
		break;
	default:
		authpage_server_error(a->cfg, resp, rc);
		break;
	}
	crypto_wipe(fresh, sizeof(fresh));
}

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	static const struct form_limits lim = {
		.total = POST_MAX,
		.fields = 16,
		.name = 32,
		.value = USER_PASSWORD_MAX,
	};
	unsigned char	 browser[CRYPTO_SHA256_LEN], key[CRYPTO_SHA256_LEN];
	char		 user[USER_NAME_MAX + 1];
	const char	*action;
	struct form	 f;
	int		 rc, local;

	form_init(&f);
	if (authpage_read_form(a->cfg, req, a->in, &lim,
	    "This form can only be sent from this site's own page. "
	    "Go back to your account page and try again.", &f, resp) == -1)
		goto out;
	if (consent_browser_keyed(a->cfg, req->cookie, resp, 0, browser,
	    key) == -1) {
		authpage_error(a->cfg, resp, AUTHPAGE_NO_COOKIE);
		goto out;
	}
	if ((rc = current_user(a, req, user, sizeof(user))) == -1) {
		authpage_server_error(a->cfg, resp, STORE_ERROR);
		goto out;
	}
	if (rc == 0) {
		/* Signed out meanwhile: the page asks to sign in. */
		back_to_page(a, resp, NULL);
		goto out;
	}
	if (!account_form_token_ok(key, user, form_get(&f, "csrf"))) {
		consent_log("csrf_mismatch", user, NULL, req->remote_addr);
		authpage_error(a->cfg, resp, AUTHPAGE_FOREIGN_FORM);
		goto out;
	}
	local = a->cfg->user_auth == USER_AUTH_LOCAL;
	action = form_get(&f, "action");
	if (action == NULL)
		authpage_error(a->cfg, resp, AUTHPAGE_UNKNOWN_ACTION);
	else if (strcmp(action, "revoke") == 0)
		do_revoke(a, req, resp, key, user, form_get(&f, "grant"));
	else if (local && strcmp(action, "signout") == 0)
		do_signout(a, req, resp, key, user,
		    form_get(&f, "session"), 0);
	else if (local && strcmp(action, "signout_all") == 0)
		do_signout(a, req, resp, key, user, NULL, 1);
	else if (local && strcmp(action, "password") == 0)
		do_password(a, req, resp, key, user, &f);
	else
		authpage_error(a->cfg, resp, AUTHPAGE_UNKNOWN_ACTION);
out:
	form_free(&f);
}

void
accountweb_handle(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	/* app.c sends no body for HEAD. */
	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		handle_get(a, req, resp);
	else if (req->method == HTTP_POST)
		handle_post(a, req, resp);
	else {
		http_header(resp, "Allow", "GET, HEAD, POST");
		authpage_error(a->cfg, resp, AUTHPAGE_METHOD);
	}
}
