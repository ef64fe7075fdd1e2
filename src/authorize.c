/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * authorize.fcgi: /authorize, the authorization endpoint (RFC 6749
 * section 4.1, OAuth 2.1, RFC 7636, RFC 8707, RFC 9207) with its login
 * and consent pages.
 *
 * GET checks client_id and redirect_uri first: if either is bad the
 * person sees an error page and nothing is redirected, ever (RFC 9700
 * sections 4.1 and 4.11).  A later error goes back to the client as
 * error=...&state=...&iss=... only when the redirect URI is trusted
 * (request_error()); otherwise it too is a page.  A valid request is
 * stored server-side as a pending request (LMDB, pending_lifetime),
 * bound to this browser by a cookie; the pages carry only its id and a
 * CSRF token (consent.c).
 *
 * POST carries action=login (user name and password, signin.c),
 * approve or deny, with the request id and CSRF token.  Approve answers
 * 302 to the redirect URI with code, state and iss.
 *
 * The pages and redirects themselves are in authpage.c.
 *
 * Also /device, the verification page of the device authorization
 * grant (RFC 8628 §3.3): see device_page() below; and /account, the
 * account page of a signed-in person, which shares the sign-in page,
 * the sessions and the CSRF protections (accountweb.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/accountpage.h"
#include "lib/accountweb.h"
#include "lib/adminweb.h"
#include "lib/app.h"
#include "lib/audit.h"
#include "lib/authpage.h"
#include "lib/authreq.h"
#include "lib/cimd.h"
#include "lib/cimdfetch.h"
#include "lib/client.h"
#include "lib/config.h"
#include "lib/consent.h"
#include "lib/crypto.h"
#include "lib/device.h"
#include "lib/form.h"
#include "lib/grant.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/mcp.h"
#include "lib/page.h"
#include "lib/session.h"
#include "lib/signin.h"
#include "lib/store.h"
#include "lib/user.h"
#include "lib/usercode.h"
#include "tools/tools.h"

#define POST_MAX		(16 * 1024)
/* Room for the longest form_strerror() text, with a space. */
#define FORM_ERROR_TEXT_MAX	64
/*
 * A pending request's id and CSRF token are random tokens of the kind
 * of the session cookie, and fit where it fits.
 */
#define PENDING_TOKEN_MAX	SESSION_TOKEN_MAX

/*
 * The tools, resources and prompts of mcp.fcgi, for the consent page's
 * list of what each scope unlocks.
 */
static struct mcp_server	 reg;

/* The pending request's state, or NULL when the client sent none. */
static const char *
state_of(const struct pending *pd)
{
	return pd->state[0] != '\0' ? pd->state : NULL;
}

/* authreq_check()'s client lookup: one read transaction. */
static int
client_lookup(void *arg, const char *client_id, struct client *c)
{
	struct app		*a = arg;
	struct store		*st;
	struct store_txn	*t;
	int			 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	rc = store_client_get(t, client_id, c);
	store_abort(t);
	return rc;
}

/*
 * For a client_id that is a metadata document URL, fetches the
 * document unless a fresh copy is stored.  When it cannot, the person
 * gets a page saying why (nothing goes to the client: its redirect
 * URIs are unknown); -1 then.
 */
static int
cimd_client_ready(struct app *a, const struct http_request *req,
    struct http_response *resp, const char *client_id)
{
	struct store	*st;
	char		 why[512], text[640];
	int		 rc;

	if (client_id == NULL || !cimd_is_url(client_id))
		return 0;
	if ((rc = app_store(a, &st)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return -1;
	}
	rc = cimd_ensure(a->cfg, st, client_id, req->remote_addr, time(NULL),
	    why, sizeof(why));
	if (rc == CIMDF_OK)
		return 0;
	log_msg("cimd_refused", "%s: %s", cimdfetch_strerror(rc), why);
	snprintf(text, sizeof(text), "The application's description "
	    "(its client ID metadata document) cannot be used: %s.", why);
	authpage_no_redirect(a->cfg, resp, text);
	return -1;
}

/*
 * Whether the person signed in in this browser has an active grant for
 * c: they approved the client before, on this server's consent page.
 * A database failure counts as no.
 */
static int
user_approved(struct app *a, const struct http_request *req,
    const struct client *c)
{
	struct store		*st;
	struct store_txn	*t;
	char			 user[USER_NAME_MAX + 1];
	int64_t			 now = time(NULL);
	int			 approved = 0;

	if (app_store(a, &st) != STORE_OK || store_begin(st, 1, &t) !=
	    STORE_OK)
		return 0;
	if (consent_current_user(t, a->cfg, req->remote_user, req->cookie,
	    now, user, sizeof(user)) == 0)
		approved = grant_has_active_consent(t, a->cfg, user, c->id, "",
		    a->cfg->mcp_url, now);
	store_abort(t);
	return approved;
}

/*
 * An error of a request whose client and redirect URI are known, sent
 * before the person answered on the consent page.  It goes back to the
 * client (error, state and iss) only when the redirect URI is trusted
 * (RFC 9700 section 4.11.2): the administrator registered the client
 * (or pinned its metadata document), or the person signed in in this
 * browser approved it before.  Otherwise anyone could register a
 * redirect URI, or publish a metadata document naming one, and send
 * people through this server to it with a link that fails on purpose;
 * the person sees a page instead, and nothing is sent to the client.
 */
static int
client_trusted_by_site(const struct client *c)
{
	if (c->flags & CLIENT_PINNED)
		return 1;
	return !(c->flags & (CLIENT_DYNAMIC | CLIENT_CIMD));
}

static void
request_error(struct app *a, const struct http_request *req,
    struct http_response *resp, const struct client *c,
    const char *redirect_uri, const char *state, const char *error,
    const char *description)
{
	if (client_trusted_by_site(c) || user_approved(a, req, c)) {
		authpage_redirect_error(a->cfg, resp, redirect_uri, state,
		    error, description);
		return;
	}
	consent_log("error_not_redirected", NULL, c->id, req->remote_addr);
	authpage_request_error(a->cfg, resp, error, description);
}

static void	device_decide(struct app *, struct http_response *,
		    const struct client *, const struct pending *,
		    const char *, const char *, const char *, const char *,
		    int);
static void	device_after_signin(struct app *, struct http_response *,
		    const struct pending *, const char *);

/*
 * The page when client_id was deleted (by the administrator, or the
 * purge of unused registrations) while the person signed in or
 * approved: nothing was issued, and nothing is sent to its redirect
 * URI, which is no longer one this server trusts.
 */
static void
client_gone_page(const struct config *cfg, struct http_response *resp,
    const char *client_id)
{
	consent_log("consent_client_gone", NULL, client_id, NULL);
	page_error(cfg, resp, 400, "This application is no longer registered",
	    "This application is no longer registered here: it was removed "
	    "while you were signing in, and nothing was shared with it.",
	    "Remove this server from the application and add it again, so "
	    "that the application registers again, then sign in again.");
}

/*
 * Issues a code for the pending (or just validated) request, for the
 * scopes the person chose (scope; NULL: those requested, which the
 * grant narrows to what the user may grant), and redirects to the
 * client.  pending_id, if set, is deleted in the same transaction.  ip
 * is the browser's address, for the audit trail.
 */
static void
issue_code(struct app *a, struct http_response *resp,
    const struct client *c, const struct pending *request, const char *user,
    const char *pending_id, const char *ip, const char *scope)
{
	struct store	*st;
	struct pending	 chosen = *request, *pd = &chosen;
	char		 code[TOKEN_MAX];
	int		 rc;

	if (scope != NULL)
		chosen.scope = (char *)scope;

	if (pd->prompt & PENDING_DEVICE) {
		/*
		 * A device request is always saved before its consent page
		 * (PROMPT_CONSENT), so it has a pending id; one without
		 * cannot be answered, and is refused rather than passed on
		 * with none.
		 */
		if (pending_id == NULL) {
			authpage_server_error(a->cfg, resp, STORE_ERROR);
			return;
		}
		device_decide(a, resp, c, pd, user, pending_id, ip, scope, 1);
		return;
	}
	if ((rc = app_store(a, &st)) == STORE_OK)
		rc = consent_issue(st, a->cfg, c, pd, user, pending_id, ip,
		    time(NULL), code, sizeof(code));
	if (rc == CONSENT_ANSWERED)
		authpage_error(a->cfg, resp, AUTHPAGE_ANSWERED);
	else if (rc == CONSENT_CLIENT_GONE)
		client_gone_page(a->cfg, resp, c->id);
	else if (rc == CONSENT_USER_REFUSED) {
		consent_log("consent_refused_user", user, c->id, NULL);
		authpage_redirect_error(a->cfg, resp, pd->redirect_uri,
		    state_of(pd), "access_denied",
		    "the user's account cannot grant access");
	} else if (rc != STORE_OK)
		authpage_server_error(a->cfg, resp, rc);
	else {
		const char	*params[] = {
			"code", code,
			"state", state_of(pd),
		};

		authpage_redirect(a->cfg, resp, pd->redirect_uri, params,
		    sizeof(params) / sizeof(params[0]));
	}
	crypto_wipe(code, sizeof(code));
}

/*
 * Stores pd (under a fresh id with fresh_id) with a fresh CSRF token
 * for the next page.  Returns 0, or -1 after answering.
 */
static int
save_pending(struct app *a, const struct http_request *req,
    struct http_response *resp, struct pending *pd, char *id, size_t idsz,
    int fresh_id, char *csrf, size_t csrfsz)
{
	struct store	*st;
	long		 retry_after = 0;
	int		 rc;

	if ((rc = app_store(a, &st)) == STORE_OK)
		rc = consent_save(st, a->cfg, req->remote_addr, pd, id, idsz,
		    fresh_id, csrf, csrfsz, time(NULL), &retry_after);
	if (rc == STORE_OK) {
		app_purge_some(a);
		return 0;
	}
	if (rc == CONSENT_THROTTLED) {
		http_headerf(resp, "Retry-After", "%ld", retry_after);
		authpage_error(a->cfg, resp, AUTHPAGE_TOO_MANY_REQUESTS);
	} else
		authpage_server_error(a->cfg, resp, rc);
	return -1;
}

/*
 * Shows the page the pending request needs now: the login page, or
 * the consent page for a signed-in user, or (confidential client that
 * the user already approved for these scopes) the code straight away.
 */
static void
continue_request(struct app *a, const struct http_request *req,
    struct http_response *resp, const struct client *c, struct pending *pd,
    char *id, size_t idsz, int fresh_id)
{
	struct store		*st;
	struct consent_who	 w;
	static struct consent_offer offer;	/* too large for the stack */
	char			 csrf[PENDING_TOKEN_MAX];
	int			 rc;
	enum consent_step	 step;

	/*
	 * With user_auth = remote_user the web server signs people in and
	 * this program cannot ask again: prompt=login gets the error
	 * OpenID Connect Core section 3.1.2.6 prescribes instead of a dead
	 * end.
	 */
	if ((pd->prompt & PROMPT_LOGIN) &&
	    a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		request_error(a, req, resp, c, pd->redirect_uri,
		    state_of(pd), "login_required", "this server cannot ask "
		    "for a new sign-in: the web server signs people in");
		return;
	}
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = consent_who(st, a->cfg, req->remote_user, req->cookie, c,
	    pd, time(NULL), &w)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	switch ((step = consent_next(a->cfg, pd->prompt, w.signed_in,
	    w.remembered))) {
	case CONSENT_LOGIN_REQUIRED:
		request_error(a, req, resp, c, pd->redirect_uri, state_of(pd),
		    "login_required", "the user is not signed in");
		break;
	case CONSENT_CONSENT_REQUIRED:
		request_error(a, req, resp, c, pd->redirect_uri, state_of(pd),
		    "consent_required", "the user has not approved this "
		    "application");
		break;
	case CONSENT_REMEMBERED:
		consent_log("consent_remembered", w.user, c->id,
		    req->remote_addr);
		/* FALLTHROUGH */
	case CONSENT_ISSUE:
		issue_code(a, resp, c, pd, w.user, fresh_id ? NULL : id,
		    req->remote_addr, NULL);
		break;
	case CONSENT_NO_REMOTE_USER:
		authpage_error(a->cfg, resp, AUTHPAGE_NO_REMOTE_USER);
		break;
	case CONSENT_SHOW_CONSENT:
	case CONSENT_SHOW_LOGIN:
		/*
		 * A request (or a step-up) for nothing new but scopes the
		 * user may not grant is refused on a page, before anything
		 * is approved: nothing goes to the client.
		 */
		if (step == CONSENT_SHOW_CONSENT && (rc = consent_offer_load(st,
		    a->cfg, w.user, c->id, pd, time(NULL), &offer)) !=
		    STORE_OK) {
			authpage_server_error(a->cfg, resp, rc);
			break;
		}
		if (step == CONSENT_SHOW_CONSENT &&
		    consent_refused(&offer, pd)) {
			consent_log("consent_scope_refused", w.user, c->id,
			    req->remote_addr);
			authpage_scope_refused(a->cfg, resp, offer.refused);
			break;
		}
		if (save_pending(a, req, resp, pd, id, idsz, fresh_id, csrf,
		    sizeof(csrf)) == -1)
			break;
		if (step == CONSENT_SHOW_CONSENT)
			authpage_consent(a->cfg, resp, c, pd, w.user, id,
			    csrf, &offer, &reg);
		else
			authpage_login(a->cfg, resp, 200, c, id, csrf, NULL,
			    NULL);
		crypto_wipe(csrf, sizeof(csrf));
		break;
	}
}

static void
handle_new_request(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp)
{
	struct authreq	 r;
	struct pending	 pd;
	char		 id[PENDING_TOKEN_MAX];
	int64_t		 now = time(NULL);

	authreq_init(&r);
	if (cimd_client_ready(a, req, resp, form_get(f, "client_id")) == -1)
		goto out;
	switch (authreq_check(&r, a->cfg, f, client_lookup, a)) {
	case AUTHREQ_OK:
		break;
	case AUTHREQ_PAGE:
		authpage_no_redirect(a->cfg, resp, r.description);
		goto out;
	case AUTHREQ_REDIRECT:
		request_error(a, req, resp, &r.client, r.redirect_uri, r.state,
		    r.error, r.description);
		goto out;
	default:
		authpage_server_error(a->cfg, resp, r.store_rc);
		goto out;
	}
	authreq_pending(&r, now, a->cfg->pending_lifetime, &pd);
	if (consent_browser(a->cfg, req->cookie, resp, 1, pd.browser_hash) ==
	    -1)
		authpage_server_error(a->cfg, resp, STORE_ERROR);
	else
		continue_request(a, req, resp, &r.client, &pd, id, sizeof(id),
		    1);
out:
	authreq_free(&r);
}

/*
 * Loads the pending request named by the form's "request" and checks
 * that it belongs to this browser (and, with check_csrf, that the form
 * carries its CSRF token).  Returns 0, or -1 after an error page.
 */
static int
load_pending(struct app *a, const struct http_request *req,
    const struct form *f, int check_csrf, struct pending *pd,
    struct client *c, struct http_response *resp)
{
	struct store	*st;
	unsigned char	 browser[CRYPTO_SHA256_LEN];
	const char	*id = form_get(f, "request");
	const char	*csrf = form_get(f, "csrf");
	int		 rc;

	memset(pd, 0, sizeof(*pd));
	client_init(c);
	if (id == NULL || (check_csrf && csrf == NULL)) {
		authpage_error(a->cfg, resp, AUTHPAGE_FORM_INCOMPLETE);
		return -1;
	}
	if (consent_browser(a->cfg, req->cookie, resp, 0, browser) == -1) {
		authpage_error(a->cfg, resp, AUTHPAGE_NO_COOKIE);
		return -1;
	}
	if ((rc = app_store(a, &st)) == STORE_OK)
		rc = consent_load(st, id, check_csrf ? csrf : NULL, browser,
		    time(NULL), pd, c);
	if (rc == STORE_OK)
		return 0;
	if (rc == CONSENT_FOREIGN)
		consent_log("csrf_mismatch", NULL, pd->client_id,
		    req->remote_addr);
	if (rc == CONSENT_CLIENT_GONE)
		client_gone_page(a->cfg, resp, pd->client_id);
	else if (rc == STORE_NOTFOUND)
		authpage_error(a->cfg, resp, AUTHPAGE_UNKNOWN_REQUEST);
	else if (rc == CONSENT_FOREIGN)
		authpage_error(a->cfg, resp, AUTHPAGE_FOREIGN_FORM);
	else
		authpage_server_error(a->cfg, resp, rc);
	pending_free(pd);
	client_free(c);
	return -1;
}

static void
handle_continue(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp)
{
	struct pending	 pd;
	struct client	 c;
	char		 id[PENDING_TOKEN_MAX];

	if (load_pending(a, req, f, 0, &pd, &c, resp) == -1)
		return;
	snprintf(id, sizeof(id), "%s", form_get(f, "request"));
	if (pd.prompt & PENDING_ACCOUNT_SIGNIN)
		accountweb_after_signin(a, resp, id);
	else if (pd.prompt & PENDING_ADMIN_SIGNIN)
		adminweb_after_signin(a, resp, id);
	else if (pd.prompt & PENDING_DEVICE_SIGNIN)
		device_after_signin(a, resp, &pd, id);
	else
		continue_request(a, req, resp, &c, &pd, id, sizeof(id), 0);
	pending_free(&pd);
	client_free(&c);
}

static void
handle_get(struct app *a, const struct http_request *req,
    struct http_response *resp)
{
	struct form	 f;
	int		 rc;

	form_init(&f);
	if ((rc = form_parse(req->query, strlen(req->query), NULL, &f)) !=
	    FORM_OK) {
		char	 msg[sizeof("The request is malformed: .") +
			    FORM_ERROR_TEXT_MAX + sizeof(f.bad_name)];

		snprintf(msg, sizeof(msg), "The request is malformed: %s%s%s.",
		    form_strerror(rc), f.bad_name[0] ? " " : "", f.bad_name);
		authpage_no_redirect(a->cfg, resp, msg);
		return;
	}
	if (form_get(&f, "request") != NULL && f.len == 1)
		handle_continue(a, req, &f, resp);
	else
		handle_new_request(a, req, &f, resp);
	form_free(&f);
}

/*
 * The sign-in form again, with an error: the account page's own for
 * its sign-in (accountpage.c), else the login page.  With retry_after,
 * the 429 of too many failures.
 */
static void
login_again(struct app *a, struct http_response *resp, int status,
    const struct client *c, const struct pending *pd, const char *id,
    const char *csrf, const char *name, const char *error,
    long retry_after)
{
	int	 account = (pd->prompt & (PENDING_ACCOUNT_SIGNIN |
		    PENDING_ADMIN_SIGNIN)) != 0;

	if (status == 429 && account)
		accountpage_login_throttled(a->cfg, resp, id, csrf, name,
		    retry_after);
	else if (status == 429)
		authpage_login_throttled(a->cfg, resp, c, id, csrf, name,
		    retry_after);
	else if (account)
		accountpage_login(a->cfg, resp, status, id, csrf, name, error);
	else
		authpage_login(a->cfg, resp, status, c, id, csrf, name, error);
}

static void
handle_login(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp,
    const struct client *c, struct pending *pd)
{
	struct store		*st;
	struct signin		 s;
	const char		*name = form_get(f, "username");
	const char		*pw = form_get(f, "password");
	const char		*id = form_get(f, "request");
	const char		*csrf = form_get(f, "csrf");
	const char		*ip = req->remote_addr;
	char			 cookie[SESSION_TOKEN_MAX];
	int			 rc;

	if (a->cfg->user_auth != USER_AUTH_LOCAL) {
		authpage_error(a->cfg, resp, AUTHPAGE_NO_PASSWORD);
		return;
	}
	if (name == NULL || pw == NULL) {
		login_again(a, resp, 400, c, pd, id, csrf, name,
		    "Enter your user name and password.", 0);
		return;
	}
	if ((rc = app_store(a, &st)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	switch (signin_attempt(st, a->cfg, &s, name, pw, ip, time(NULL))) {
	case SIGNIN_OK:
		break;
	case SIGNIN_THROTTLED:
		consent_log("login_throttled", s.name_valid ? name : NULL,
		    c->id, ip);
		login_again(a, resp, 429, c, pd, id, csrf, name, NULL,
		    s.retry_after);
		return;
	case SIGNIN_REFUSED:
		consent_log("login_failed", s.name_valid ? name : NULL,
		    c->id, ip);
		/*
		 * 403, not 401: a 401 must carry a WWW-Authenticate
		 * challenge (RFC 9110 section 15.5.2), and a form is none.
		 */
		login_again(a, resp, 403, c, pd, id, csrf, name,
		    "Wrong user name or password.", 0);
		return;
	default:
		authpage_server_error(a->cfg, resp, s.store_rc);
		return;
	}

	if ((rc = signin_accept(st, &s, a->cfg->session_lifetime, id, pd,
	    cookie, sizeof(cookie))) != STORE_OK) {
		crypto_wipe(cookie, sizeof(cookie));
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	consent_log("login_ok", name, c->id, ip);
	cookie_set(resp, a->cfg, CONSENT_COOKIE_SESSION, cookie,
	    a->cfg->session_lifetime);
	crypto_wipe(cookie, sizeof(cookie));
	if (pd->prompt & PENDING_ACCOUNT_SIGNIN)
		accountweb_after_signin(a, resp, id);
	else if (pd->prompt & PENDING_ADMIN_SIGNIN)
		adminweb_after_signin(a, resp, id);
	else if (pd->prompt & PENDING_DEVICE_SIGNIN)
		device_after_signin(a, resp, pd, id);
	else
		authpage_after_login(a->cfg, resp, id);
}

/*
 * The scopes the person approved on the consent form f, into chosen
 * (consent_choose()), from what the user may grant now.  Returns 0, or
 * -1 after an error page: a form naming a scope the page did not offer
 * was not sent from it (or the user's scopes were narrowed since).
 */
static int
approve_scopes(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp,
    const struct client *c, const struct pending *pd, const char *user,
    char *chosen, size_t chosensz)
{
	static struct consent_offer	 offer;	/* too large for the stack */
	struct store			*st;
	int				 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = consent_offer_load(st, a->cfg, user, c->id, pd, time(NULL),
	    &offer)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return -1;
	}
	if (consent_refused(&offer, pd)) {
		consent_log("consent_scope_refused", user, c->id,
		    req->remote_addr);
		authpage_scope_refused(a->cfg, resp, offer.refused);
		return -1;
	}
	rc = consent_choose(a->cfg, &offer, f, chosen, chosensz);
	if (rc == CONSENT_TAMPERED) {
		consent_log("consent_scope_tampered", user, c->id,
		    req->remote_addr);
		page_error(a->cfg, resp, 400, "This page cannot be used",
		    "The form named access that this request does not ask "
		    "for, or that you may not give.", "Start again from the "
		    "application you were using.");
		return -1;
	}
	if (rc != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return -1;
	}
	return 0;
}

static void
handle_decision(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp,
    const struct client *c, struct pending *pd, int approve)
{
	struct store		*st;
	struct consent_who	 w;
	static char		 chosen[CONSENT_SCOPES_MAX];
	char			 csrf[PENDING_TOKEN_MAX];
	char			 id[PENDING_TOKEN_MAX];
	int			 rc;

	snprintf(id, sizeof(id), "%s", form_get(f, "request"));
	/*
	 * With prompt=login the person must sign in again first: the
	 * login page's own CSRF token must not approve on the strength of
	 * the old session.  handle_login() clears the flag.
	 */
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = consent_who(st, a->cfg, req->remote_user, req->cookie, NULL,
	    pd, time(NULL), &w)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	if (!w.signed_in && a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		/* There is no password form to fall back on. */
		authpage_error(a->cfg, resp, AUTHPAGE_NO_REMOTE_USER);
		return;
	}
	if (!w.signed_in) {
		/* The session expired between the pages: sign in again. */
		if (save_pending(a, req, resp, pd, id, sizeof(id), 0, csrf,
		    sizeof(csrf)) == -1)
			return;
		authpage_login(a->cfg, resp, 403, c, id, csrf, NULL,
		    "Your sign-in has expired. Sign in again.");
		crypto_wipe(csrf, sizeof(csrf));
		return;
	}
	if (approve) {
		if (approve_scopes(a, req, f, resp, c, pd, w.user, chosen,
		    sizeof(chosen)) == -1)
			return;
		consent_log("consent_given", w.user, c->id, req->remote_addr);
		issue_code(a, resp, c, pd, w.user, id, req->remote_addr,
		    chosen);
		return;
	}
	if (pd->prompt & PENDING_DEVICE) {
		device_decide(a, resp, c, pd, w.user, id, req->remote_addr,
		    NULL, 0);
		return;
	}
	/*
	 * A denial that cannot be recorded is still a denial; one whose
	 * request was answered already (Approve in another tab) is not.
	 */
	if (consent_deny(st, a->cfg, id, w.user, c->id, req->remote_addr) ==
	    CONSENT_ANSWERED) {
		authpage_error(a->cfg, resp, AUTHPAGE_ANSWERED);
		return;
	}
	consent_log("consent_denied", w.user, c->id, req->remote_addr);
	authpage_redirect_error(a->cfg, resp, pd->redirect_uri, state_of(pd),
	    "access_denied", "the user denied the request");
}

/* Reads a POSTed web form into f (authpage_read_form()). */
static int
read_post_form(struct app *a, struct http_request *req,
    struct http_response *resp, const struct form_limits *lim,
    struct form *f)
{
	return authpage_read_form(a->cfg, req, a->in, lim,
	    "This form can only be sent from this site's own page. "
	    "Go back to the application and start again.", f, resp);
}

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	static const struct form_limits lim = {
		.total = POST_MAX,
		/* The consent form has a checkbox per scope. */
		.fields = 16 + CONFIG_LIST_MAX,
		.name = 32,
		.value = 2048,
	};
	struct form	 f;
	struct pending	 pd;
	struct client	 c;
	const char	*action;

	form_init(&f);
	if (read_post_form(a, req, resp, &lim, &f) == -1)
		goto out;
	if (load_pending(a, req, &f, 1, &pd, &c, resp) == -1)
		goto out;
	action = form_get(&f, "action");
	if (action != NULL && strcmp(action, "login") == 0)
		handle_login(a, req, &f, resp, &c, &pd);
	else if (pd.prompt & (PENDING_DEVICE_SIGNIN | PENDING_ACCOUNT_SIGNIN |
	    PENDING_ADMIN_SIGNIN))
		/* The device and account pages' sign-ins approve nothing. */
		authpage_error(a->cfg, resp, AUTHPAGE_UNKNOWN_ACTION);
	else if (action != NULL && strcmp(action, "approve") == 0)
		handle_decision(a, req, &f, resp, &c, &pd, 1);
	else if (action != NULL && strcmp(action, "deny") == 0)
		handle_decision(a, req, &f, resp, &c, &pd, 0);
	else
		authpage_error(a->cfg, resp, AUTHPAGE_UNKNOWN_ACTION);
	pending_free(&pd);
	client_free(&c);
out:
	form_free(&f);
}

/*
 * The device verification page (RFC 8628 §3.3), /device.  It takes a
 * code only from a person signed in: otherwise it shows the sign-in
 * page of /authorize first (the same sessions and sign-in limits),
 * through a pending request with PENDING_DEVICE_SIGNIN that keeps the
 * code of a verification_uri_complete link, and after the sign-in
 * comes back here.  So each wrong code is counted against the account
 * that typed it as well as its address (device.c), and people cannot
 * spend each other's allowance.  GET shows the form for the user code
 * (filled in from verification_uri_complete, looked up only when
 * sent, so that a link counts as no guess).  POST looks the code up
 * and turns it into a pending request of this browser that goes on as
 * any other: always the consent page (PROMPT_CONSENT: a remembered
 * approval does not answer a device), which shows the code again for
 * the person to compare with the device (RFC 8628 §5.4).  Approve or
 * Deny there answers the device authorization instead of redirecting
 * (device_decide()).
 *
 * The form's CSRF token is derived from this browser's binding cookie
 * (SameSite=Lax as well; consent_browser_keyed()'s key, which no copy
 * of the database holds), so another site cannot post codes in its
 * name.
 */
#define DEVICE_FORM_LABEL	"mcp-oauth device form v1"
#define DEVICE_FORM_TOKEN_LEN	(2 * CRYPTO_SHA256_LEN)

static int
device_form_token(const unsigned char *key, char *out)
{
	unsigned char	 in[sizeof(DEVICE_FORM_LABEL) - 1 + CRYPTO_SHA256_LEN];
	unsigned char	 h[CRYPTO_SHA256_LEN];

	memcpy(in, DEVICE_FORM_LABEL, sizeof(DEVICE_FORM_LABEL) - 1);
	memcpy(in + sizeof(DEVICE_FORM_LABEL) - 1, key, CRYPTO_SHA256_LEN);
	if (crypto_sha256(in, sizeof(in), h) != CRYPTO_OK)
		return -1;
	hex_encode(h, sizeof(h), out);
	return 0;
}

/*
 * The user signed in in this browser (or named by the web server) into
 * user.  Returns 1 signed in, 0 not, or -1 after an error page.
 */
static int
device_user(struct app *a, const struct http_request *req,
    struct http_response *resp, char *user, size_t usersz)
{
	struct store		*st;
	struct store_txn	*t;
	int			 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return -1;
	}
	rc = consent_current_user(t, a->cfg, req->remote_user, req->cookie,
	    time(NULL), user, usersz) == 0;
	store_abort(t);
	return rc;
}

/*
 * The sign-in page for a person on the device page who is not signed
 * in, through a pending request of this browser (browser) that keeps
 * canon, the canonical user code of a link, or "".
 */
static void
device_signin(struct app *a, const struct http_request *req,
    struct http_response *resp, const unsigned char *browser,
    const char *canon)
{
	struct pending	 pd;
	struct client	 none;
	char		 id[PENDING_TOKEN_MAX], csrf[PENDING_TOKEN_MAX];
	int64_t		 now = time(NULL);

	if (a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		authpage_error(a->cfg, resp, AUTHPAGE_NO_REMOTE_USER);
		return;
	}
	memset(&pd, 0, sizeof(pd));
	pd.client_id = pd.redirect_uri = pd.challenge = (char *)"";
	pd.scope = pd.resource = (char *)"";
	pd.state = (char *)canon;
	pd.prompt = PENDING_DEVICE_SIGNIN;
	pd.created = now;
	pd.expires = now + a->cfg->pending_lifetime;
	memcpy(pd.browser_hash, browser, CRYPTO_SHA256_LEN);
	if (save_pending(a, req, resp, &pd, id, sizeof(id), 1, csrf,
	    sizeof(csrf)) == -1)
		return;
	client_init(&none);
	authpage_login(a->cfg, resp, 200, &none, id, csrf, NULL, NULL);
	client_free(&none);
	crypto_wipe(csrf, sizeof(csrf));
}

/*
 * After the device page's sign-in (or a reload of its pending request):
 * its pending request is done with, and the person goes back to the
 * device page, with the code of the link they came with.
 */
static void
device_after_signin(struct app *a, struct http_response *resp,
    const struct pending *pd, const char *id)
{
	struct store		*st;
	struct store_txn	*t;
	char			 shown[USERCODE_DISPLAY_LEN + 1];

	/* Left to expire if it cannot be deleted now. */
	if (app_store(a, &st) == STORE_OK &&
	    store_begin(st, 0, &t) == STORE_OK) {
		if (pending_delete(t, id) == STORE_OK)
			(void)store_commit(t);
		else
			store_abort(t);
	}
	http_status(resp, 303);
	if (strlen(pd->state) == USERCODE_LEN) {
		usercode_display(pd->state, shown);
		http_headerf(resp, "Location", "%s/device?user_code=%s",
		    a->cfg->issuer_path, shown);
	} else
		http_headerf(resp, "Location", "%s/device",
		    a->cfg->issuer_path);
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
}

static void
device_page_get(struct app *a, const struct http_request *req,
    struct http_response *resp)
{
	unsigned char	 browser[CRYPTO_SHA256_LEN];
	unsigned char	 key[CRYPTO_SHA256_LEN];
	char		 token[DEVICE_FORM_TOKEN_LEN + 1];
	char		 canon[USERCODE_LEN + 1];
	char		 shown[USERCODE_DISPLAY_LEN + 1];
	char		 user[USER_NAME_MAX + 1];
	const char	*typed;
	struct form	 f;
	int		 rc;

	form_init(&f);
	shown[0] = canon[0] = '\0';
	if (form_parse(req->query, strlen(req->query), NULL, &f) == FORM_OK &&
	    (typed = form_get(&f, "user_code")) != NULL &&
	    usercode_normalise(typed, strlen(typed), canon) == 0)
		usercode_display(canon, shown);
	else
		canon[0] = '\0';
	form_free(&f);
	if (consent_browser_keyed(a->cfg, req->cookie, resp, 1, browser,
	    key) == -1 || device_form_token(key, token) == -1) {
		authpage_server_error(a->cfg, resp, STORE_ERROR);
		return;
	}
	if ((rc = device_user(a, req, resp, user, sizeof(user))) == -1)
		return;
	if (rc == 0)
		device_signin(a, req, resp, browser, canon);
	else
		authpage_device(a->cfg, resp, 200, shown, token, NULL);
}

/*
 * Looks up the code the person typed, in a write transaction that
 * keeps the count of a wrong one.  Returns device_lookup()'s result,
 * with d and c filled on STORE_OK.
 */
static int
device_find(struct app *a, const struct http_request *req,
    const char *user, const char *typed, int64_t now, struct device *d,
    struct client *c, long *retry_after)
{
	struct store		*st;
	struct store_txn	*t;
	int			 rc, crc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	rc = device_lookup(t, req->remote_addr, user, typed, now, d,
	    retry_after);
	if (rc == STORE_OK && (rc = store_client_get(t, d->pd.client_id, c)) ==
	    STORE_NOTFOUND)
		rc = DEVICE_EXPIRED;	/* the client is gone */
	if (rc == STORE_OK || rc < 0 || rc == STORE_NOTFOUND) {
		if ((crc = store_commit(t)) != STORE_OK)
			rc = crc;
	} else
		store_abort(t);
	return rc;
}

static void
device_page_post(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp)
{
	struct device	 d;
	struct client	 c;
	struct pending	 pd;
	unsigned char	 browser[CRYPTO_SHA256_LEN];
	unsigned char	 key[CRYPTO_SHA256_LEN];
	char		 token[DEVICE_FORM_TOKEN_LEN + 1];
	char		 id[PENDING_TOKEN_MAX];
	char		 devhash[2 * CRYPTO_SHA256_LEN + 1];
	char		 user[USER_NAME_MAX + 1];
	char		 canon[USERCODE_LEN + 1];
	const char	*typed = form_get(f, "user_code");
	const char	*csrf = form_get(f, "csrf");
	int64_t		 now = time(NULL);
	long		 retry_after = 0;
	int		 rc;

	memset(&d, 0, sizeof(d));
	client_init(&c);
	if (consent_browser_keyed(a->cfg, req->cookie, resp, 0, browser,
	    key) == -1) {
		authpage_error(a->cfg, resp, AUTHPAGE_NO_COOKIE);
		return;
	}
	if (device_form_token(key, token) == -1) {
		authpage_server_error(a->cfg, resp, STORE_ERROR);
		return;
	}
	if (csrf == NULL || strlen(csrf) != DEVICE_FORM_TOKEN_LEN ||
	    !crypto_equal(csrf, token, DEVICE_FORM_TOKEN_LEN)) {
		consent_log("csrf_mismatch", NULL, NULL, req->remote_addr);
		authpage_error(a->cfg, resp, AUTHPAGE_FOREIGN_FORM);
		return;
	}
	if ((rc = device_user(a, req, resp, user, sizeof(user))) == -1)
		return;
	if (rc == 0) {
		/* Not looked up, so not counted: the code waits. */
		if (typed == NULL || usercode_normalise(typed, strlen(typed),
		    canon) == -1)
			canon[0] = '\0';
		device_signin(a, req, resp, browser, canon);
		return;
	}
	if (typed == NULL || typed[0] == '\0') {
		authpage_device(a->cfg, resp, 400, "", token,
		    "Enter the code your device shows.");
		return;
	}
	switch ((rc = device_find(a, req, user, typed, now, &d, &c,
	    &retry_after))) {
	case STORE_OK:
		break;
	case STORE_NOTFOUND:
		consent_log("device_code_wrong", user, NULL, req->remote_addr);
		authpage_device(a->cfg, resp, 400, "", token, "That code is "
		    "not valid. Check the code your device shows and type "
		    "it again.");
		goto out;
	case DEVICE_THROTTLED:
		consent_log("device_code_throttled", user, NULL,
		    req->remote_addr);
		http_headerf(resp, "Retry-After", "%ld", retry_after);
		page_error(a->cfg, resp, 429, "Too many wrong codes",
		    "Too many wrong codes were entered recently from "
		    "your account or this network.",
		    "Wait a few minutes, then type the code again.");
		goto out;
	case DEVICE_EXPIRED:
		page_error(a->cfg, resp, 400, "This code has expired",
		    "The code is too old.", "Start again on your device to "
		    "get a new code.");
		goto out;
	case DEVICE_ANSWERED:
		page_error(a->cfg, resp, 400, "This code has been used",
		    "The request with this code has been answered already.",
		    "Start again on your device if it is not connected.");
		goto out;
	default:
		authpage_server_error(a->cfg, resp, rc);
		goto out;
	}
	/*
	 * A device request has no PKCE challenge: its challenge field holds
	 * the device code's hash instead, which device_answer() compares,
	 * so that the answer goes to this authorization only.
	 */
	device_code_hash_hex(&d, devhash);
	memset(&pd, 0, sizeof(pd));
	pd.client_id = d.pd.client_id;
	pd.redirect_uri = (char *)"";
	pd.state = d.user_code;
	pd.challenge = devhash;
	pd.scope = d.pd.scope;
	pd.resource = d.pd.resource;
	pd.prompt = PENDING_DEVICE | PROMPT_CONSENT;
	pd.created = now;
	pd.expires = now + a->cfg->pending_lifetime;
	if (pd.expires > d.pd.expires)
		pd.expires = d.pd.expires;
	memcpy(pd.browser_hash, browser, sizeof(browser));
	consent_log("device_code_entered", NULL, c.id, req->remote_addr);
	continue_request(a, req, resp, &c, &pd, id, sizeof(id), 1);
out:
	device_free(&d);
	client_free(&c);
}

/*
 * The answer on the consent page to a request from the device
 * verification page: recorded on the device authorization, with a
 * page that sends the person back to the device.  ip is the browser's
 * address, for the audit trail.
 */
static void
device_decide(struct app *a, struct http_response *resp,
    const struct client *c, const struct pending *pd, const char *user,
    const char *pending_id, const char *ip, const char *scope, int approve)
{
	struct store		*st;
	struct store_txn	*t;
	int			 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK) {
		authpage_server_error(a->cfg, resp, rc);
		return;
	}
	if ((rc = pending_delete(t, pending_id)) == STORE_OK)
		rc = device_answer(t, a->cfg, c, pd->state, pd->challenge,
		    user, scope, approve, time(NULL));
	else if (rc == STORE_NOTFOUND)
		rc = DEVICE_ANSWERED;
	if (rc == STORE_OK)
		rc = audit_record(t, a->cfg, approve ? AUDIT_CONSENT :
		    AUDIT_CONSENT_DENIED, user, c->id, ip, "device");
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	switch (rc) {
	case STORE_OK:
		consent_log(approve ? "device_consent_given" :
		    "device_consent_denied", user, c->id, NULL);
		if (approve)
			authpage_device_done(a->cfg, resp, "Device connected",
			    "You approved the request. Your device will "
			    "continue in a few seconds.");
		else
			authpage_device_done(a->cfg, resp, "Request denied",
			    "You denied the request. Nothing was shared with "
			    "the device.");
		break;
	case DEVICE_ANSWERED:
		authpage_error(a->cfg, resp, AUTHPAGE_ANSWERED);
		break;
	case DEVICE_EXPIRED:
	case STORE_NOTFOUND:
		page_error(a->cfg, resp, 400, "This code has expired",
		    "The request from your device is too old.",
		    "Start again on your device to get a new code.");
		break;
	case GRANT_SCOPE_REFUSED:
	case CONSENT_USER_REFUSED:
		consent_log("consent_refused_user", user, c->id, NULL);
		page_error(a->cfg, resp, 403, "Access refused",
		    "Your account cannot grant access.", NULL);
		break;
	case CONSENT_CLIENT_GONE:
		client_gone_page(a->cfg, resp, c->id);
		break;
	default:
		authpage_server_error(a->cfg, resp, rc);
		break;
	}
}

static void
device_page(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	static const struct form_limits lim = {
		.total = POST_MAX,
		.fields = 8,
		.name = 32,
		.value = 256,
	};
	struct form	 f;

	/* app.c sends no body for HEAD. */
	if (req->method == HTTP_GET || req->method == HTTP_HEAD) {
		device_page_get(a, req, resp);
		return;
	}
	if (req->method != HTTP_POST) {
		http_header(resp, "Allow", "GET, HEAD, POST");
		authpage_error(a->cfg, resp, AUTHPAGE_METHOD);
		return;
	}
	form_init(&f);
	if (read_post_form(a, req, resp, &lim, &f) == 0)
		device_page_post(a, req, &f, resp);
	form_free(&f);
}

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	if (app_resource_server_only(a, resp, APP_ANSWER_PAGE))
		return;
	if (strcmp(req->path, "/device") == 0) {
		device_page(a, req, resp);
		return;
	}
	if (strcmp(req->path, "/account") == 0) {
		accountweb_handle(a, req, resp);
		return;
	}
	if (strcmp(req->path, "/admin") == 0 ||
	    strncmp(req->path, "/admin/", 7) == 0) {
		adminweb_handle(a, req, resp);
		return;
	}
	if (strcmp(req->path, "/authorize") != 0) {
		authpage_error(a->cfg, resp, AUTHPAGE_NOT_FOUND);
		return;
	}
	switch (req->method) {
	case HTTP_GET:
		handle_get(a, req, resp);
		break;
	case HTTP_POST:
		handle_post(a, req, resp);
		break;
	default:
		http_header(resp, "Allow", "GET, POST");
		authpage_error(a->cfg, resp, AUTHPAGE_METHOD);
		break;
	}
}

int
main(void)
{
	reg.tools = builtin_tools;
	reg.ntools = builtin_ntools;
	reg.templates = builtin_templates;
	reg.ntemplates = builtin_ntemplates;
	reg.prompts = builtin_prompts;
	reg.nprompts = builtin_nprompts;
	/* A person sees this program's answers: a page, not JSON. */
	return app_main("authorize.fcgi", handle, page_config_error);
}
