/*
 * authorize.fcgi: /authorize, the authorization endpoint (RFC 6749
 * §4.1, OAuth 2.1, RFC 7636, RFC 8707, RFC 9207) with its login and
 * consent pages.
 *
 * GET checks client_id and redirect_uri first: if either is bad the
 * person sees an error page and nothing is redirected, ever (RFC 9700
 * §4.1, §4.11).  Every later error goes back to the client as
 * error=...&state=...&iss=....  A valid request is stored server-side
 * as a pending request (LMDB, pending_lifetime), bound to this browser
 * by a cookie; the pages carry only its id and a CSRF token.
 *
 * POST carries action=login (user name and password), approve or
 * deny, with the request id and CSRF token.  Approve answers 302 to
 * the redirect URI with code, state and iss.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/app.h"
#include "lib/authreq.h"
#include "lib/buf.h"
#include "lib/client.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/form.h"
#include "lib/grant.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/oauth.h"
#include "lib/page.h"
#include "lib/ratelimit.h"
#include "lib/redirect.h"
#include "lib/scope.h"
#include "lib/session.h"
#include "lib/signin.h"
#include "lib/store.h"
#include "lib/user.h"

#define POST_MAX		(16 * 1024)
#define COOKIE_SESSION		"mcp_session"
#define COOKIE_BROWSER		"mcp_browser"
/* save_pending(): the address has started too many requests. */
#define PENDING_THROTTLED	(-1)

static void
no_redirect_error(struct app *a, struct http_response *resp,
    const char *message)
{
	page_error(a->cfg, resp, 400, "This sign-in cannot continue", message,
	    "Nothing was sent to the application. Start again from the "
	    "application you were using.");
}

/* user_auth = remote_user, and the web server sent no usable user. */
static void
no_remote_user(struct app *a, struct http_response *resp)
{
	page_error(a->cfg, resp, 403, "Not signed in", "This server relies on "
	    "the web server to sign you in, and it did not.", "The "
	    "administrator must protect /authorize with the web server's "
	    "authentication (REMOTE_USER).");
}

/* A second answer to a pending request (another tab, a double click). */
static void
already_answered(struct app *a, struct http_response *resp)
{
	page_error(a->cfg, resp, 400, "This page has expired",
	    "This sign-in request has already been answered.",
	    "Go back to the application you were using.");
}

static void
server_error(struct app *a, struct http_response *resp, int rc)
{
	if (rc == STORE_FULL)
		log_msg("database_full", "%s", store_full_hint());
	page_error(a->cfg, resp, rc == STORE_FULL ? 503 : 500,
	    "Server error", "The server cannot handle this sign-in right now.",
	    "Try again in a minute. If it keeps happening, tell the "
	    "administrator of this server.");
}

/*
 * Redirects the browser to the client: redirect_uri with params (name,
 * value pairs, NULL values skipped) and iss added (RFC 9207).  302,
 * never 307 (RFC 9700 §4.12).
 */
static void
redirect_to_client(struct app *a, struct http_response *resp,
    const char *redirect_uri, const char *const *params, size_t nparams)
{
	struct buf	 b;
	size_t		 i;
	char		 sep;

	buf_init(&b);
	buf_puts(&b, redirect_uri);
	sep = strchr(redirect_uri, '?') != NULL ? '&' : '?';
	for (i = 0; i + 1 < nparams; i += 2) {
		if (params[i + 1] == NULL)
			continue;
		buf_putc(&b, sep);
		buf_puts(&b, params[i]);
		buf_putc(&b, '=');
		url_escape(&b, params[i + 1]);
		sep = '&';
	}
	buf_putc(&b, sep);
	buf_puts(&b, "iss=");
	url_escape(&b, a->cfg->issuer);
	http_status(resp, 302);
	if (buf_failed(&b) || http_header(resp, "Location", buf_cstr(&b)) ==
	    -1) {
		buf_free(&b);
		server_error(a, resp, STORE_ENOMEM);
		return;
	}
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
	buf_free(&b);
}

static void
redirect_error(struct app *a, struct http_response *resp,
    const char *redirect_uri, const char *state, const char *error,
    const char *description)
{
	const char	*params[] = {
		"error", error,
		"error_description", description,
		"state", state,
	};

	redirect_to_client(a, resp, redirect_uri, params, 6);
}

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
	struct store_txn	 t;
	int			 rc;

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	rc = store_client_get(&t, client_id, c);
	store_abort(&t);
	return rc;
}

/*
 * Checks an authorization request.  Returns 0 with r filled, or -1
 * after answering (an error page before the redirect URI is trusted,
 * an error redirect after).
 */
static int
validate_request(struct app *a, const struct form *f, struct authreq *r,
    struct http_response *resp)
{
	switch (authreq_check(r, a->cfg, f, client_lookup, a)) {
	case AUTHREQ_OK:
		return 0;
	case AUTHREQ_PAGE:
		no_redirect_error(a, resp, r->description);
		break;
	case AUTHREQ_REDIRECT:
		redirect_error(a, resp, r->redirect_uri, r->state, r->error,
		    r->description);
		break;
	default:
		server_error(a, resp, r->store_rc);
		break;
	}
	return -1;
}

/*
 * The browser binding cookie: read it, or make one.  hash receives the
 * SHA-256 stored with pending requests.
 */
static int
browser_binding(struct app *a, const struct http_request *req,
    struct http_response *resp, int create, unsigned char *hash)
{
	char	 name[64], value[CRYPTO_TOKEN_CHARS + 8];

	cookie_name(a->cfg, COOKIE_BROWSER, name, sizeof(name));
	if (cookie_get(req->cookie, name, value, sizeof(value)) == 1 &&
	    strlen(value) == CRYPTO_TOKEN_CHARS &&
	    crypto_sha256_str(value, hash) == CRYPTO_OK)
		return 0;
	if (!create)
		return -1;
	if (pending_new_secret(value, sizeof(value), hash) != STORE_OK)
		return -1;
	cookie_set(resp, a->cfg, COOKIE_BROWSER, value, 0);
	return 0;
}

/*
 * Whether user may hold a session and approve requests: a user record
 * that exists and is not disabled, or, in remote_user mode, no record
 * at all (the web server vouches for the person).  A record that
 * cannot be read allows nothing.
 */
static int
user_allowed(struct app *a, struct store_txn *t, const char *user)
{
	struct user	 u;
	int		 rc, allowed;

	rc = store_user_get(t, user, &u);
	allowed = rc == STORE_OK ? !(u.flags & USER_DISABLED) :
	    rc == STORE_NOTFOUND &&
	    a->cfg->user_auth == USER_AUTH_REMOTE_USER;
	user_free(&u);
	return allowed ? 0 : -1;
}

/*
 * The signed-in user of this browser, or none (returns -1): the web
 * server's REMOTE_USER with user_auth = remote_user, else the session
 * cookie.  Disabled users are not signed in.
 */
static int
current_user(struct app *a, struct store_txn *t,
    const struct http_request *req, int64_t now, char *user, size_t usersz)
{
	struct session	 s;
	char		 name[64], value[SESSION_TOKEN_MAX];

	if (a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		if (req->remote_user == NULL ||
		    !user_name_valid(req->remote_user))
			return -1;
		snprintf(user, usersz, "%s", req->remote_user);
	} else {
		cookie_name(a->cfg, COOKIE_SESSION, name, sizeof(name));
		if (cookie_get(req->cookie, name, value, sizeof(value)) != 1 ||
		    session_get(t, value, now, &s) != STORE_OK)
			return -1;
		snprintf(user, usersz, "%s", s.user);
		session_free(&s);
	}
	return user_allowed(a, t, user);
}

static void
show_login(struct app *a, struct http_response *resp, int status,
    const struct client *c, const char *request, const char *csrf,
    const char *username, const char *error)
{
	struct tmpl_var	 v[6];

	memset(v, 0, sizeof(v));
	v[0].name = "client_name";
	v[0].str = c->name != NULL ? c->name : c->id;
	v[1].name = "self_declared";
	v[1].type = TMPL_BOOL;
	v[1].b = (c->flags & CLIENT_DYNAMIC) != 0;
	v[2].name = "request";
	v[2].str = request;
	v[3].name = "csrf";
	v[3].str = csrf;
	v[4].name = "username";
	v[4].str = username != NULL ? username : "";
	v[5].name = "error";
	v[5].str = error != NULL ? error : "";
	page_render(a->cfg, resp, status, "login", "Sign in", v, 6);
}

/* The host (and port) of a redirect URI, as the consent page shows it. */
static void
redirect_host(const char *uri, char *out, size_t outsz, int *loopback,
    int *custom)
{
	struct redirect_uri	 r;

	*loopback = *custom = 0;
	if (redirect_parse(uri, &r) != REDIRECT_OK) {
		snprintf(out, outsz, "%s", uri);
		return;
	}
	if (r.authority != NULL && (strcmp(r.scheme, "https") == 0 ||
	    strcmp(r.scheme, "http") == 0)) {
		snprintf(out, outsz, "%.*s", (int)r.authority_len,
		    r.authority);
		*loopback = r.loopback;
		return;
	}
	/* A private-use scheme: show the scheme and what follows. */
	*custom = 1;
	if (r.authority != NULL)
		snprintf(out, outsz, "%s://%.*s", r.scheme,
		    (int)r.authority_len, r.authority);
	else
		snprintf(out, outsz, "%s:", r.scheme);
}

static void
show_consent(struct app *a, struct http_response *resp,
    const struct client *c, const struct pending *pd, const char *user,
    const char *request, const char *csrf)
{
	/*
	 * A granted scope is a set of configured scopes, so it has at most
	 * CONFIG_LIST_MAX names of at most 64 characters each (config.c).
	 */
	struct tmpl_var		 v[9], sv[CONFIG_LIST_MAX][2];
	struct tmpl_scope	 items[CONFIG_LIST_MAX];
	char			 host[256], names[CONFIG_LIST_MAX][65];
	const char		*p;
	size_t			 n = 0, len;
	int			 loopback, custom;

	memset(v, 0, sizeof(v));
	memset(sv, 0, sizeof(sv));
	for (p = pd->scope; *p != '\0' && n < CONFIG_LIST_MAX; p += len) {
		if (*p == ' ') {
			len = 1;
			continue;
		}
		len = strcspn(p, " ");
		snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, p);
		sv[n][0].name = "name";
		sv[n][0].str = names[n];
		sv[n][1].name = "text";
		sv[n][1].str = config_scope_text(a->cfg, names[n]);
		items[n].vars = sv[n];
		items[n].nvars = 2;
		n++;
	}
	redirect_host(pd->redirect_uri, host, sizeof(host), &loopback,
	    &custom);
	v[0].name = "client_name";
	v[0].str = c->name != NULL ? c->name : c->id;
	v[1].name = "self_declared";
	v[1].type = TMPL_BOOL;
	v[1].b = (c->flags & CLIENT_DYNAMIC) != 0;
	v[2].name = "user";
	v[2].str = user;
	v[3].name = "scopes";
	v[3].type = TMPL_LIST;
	v[3].items = items;
	v[3].nitems = n;
	v[4].name = "redirect_host";
	v[4].str = host;
	v[5].name = "loopback";
	v[5].type = TMPL_BOOL;
	v[5].b = loopback;
	v[6].name = "custom_scheme";
	v[6].type = TMPL_BOOL;
	v[6].b = custom;
	v[7].name = "request";
	v[7].str = request;
	v[8].name = "csrf";
	v[8].str = csrf;
	page_render(a->cfg, resp, 200, "consent", "Allow access?", v, 9);
}

static void
log_auth(const char *event, const char *user, const char *client_id,
    const char *ip)
{
	struct log_line	 l;

	log_begin(&l, event);
	if (user != NULL)
		log_str(&l, "user", user);
	if (client_id != NULL)
		log_str(&l, "client", client_id);
	if (ip != NULL)
		log_str(&l, "ip", ip);
	log_end(&l);
}

/*
 * Issues a code for the pending (or just validated) request and
 * redirects to the client.  pending_id, if set, is deleted in the same
 * transaction.
 */
static void
issue_code(struct app *a, struct http_response *resp,
    const struct client *c, const struct pending *pd, const char *user,
    const char *pending_id)
{
	struct store		*st;
	struct store_txn	 t;
	struct code_request	 cr;
	char			 code[TOKEN_MAX], grant_id[GRANT_ID_LEN + 1];
	int			 rc;
	const char		*params[4];

	cr.user = user;
	cr.client = c;
	cr.redirect_uri = pd->redirect_uri;
	cr.redirect_explicit = (int)pd->redirect_explicit;
	cr.challenge = pd->challenge;
	cr.scope = pd->scope;
	cr.resource = pd->resource;
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	/*
	 * What was read before this transaction is checked again in it: a
	 * second click on Approve (or Deny in another tab) has consumed
	 * the pending request, or the administrator has disabled the user
	 * in between.
	 */
	if (pending_id != NULL &&
	    (rc = pending_delete(&t, pending_id)) != STORE_OK) {
		store_abort(&t);
		if (rc == STORE_NOTFOUND)
			already_answered(a, resp);
		else
			server_error(a, resp, rc);
		return;
	}
	if (user_allowed(a, &t, user) != 0) {
		store_abort(&t);
		log_auth("consent_refused_user", user, c->id, NULL);
		redirect_error(a, resp, pd->redirect_uri, state_of(pd),
		    "access_denied", "the user's account cannot grant access");
		return;
	}
	rc = grant_issue_code(&t, a->cfg, &cr, time(NULL), code, sizeof(code),
	    grant_id);
	if (rc == STORE_OK)
		rc = store_commit(&t);
	else
		store_abort(&t);
	if (rc != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	{
		struct log_line	 l;
		unsigned char	 h[CRYPTO_SHA256_LEN];

		crypto_sha256_str(code, h);
		log_begin(&l, "code_issued");
		log_str(&l, "user", user);
		log_str(&l, "client", c->id);
		log_str(&l, "grant", grant_id);
		log_str(&l, "scope", pd->scope);
		log_hash(&l, "code", h);
		log_end(&l);
	}
	params[0] = "code";
	params[1] = code;
	params[2] = "state";
	params[3] = state_of(pd);
	redirect_to_client(a, resp, pd->redirect_uri, params, 4);
	crypto_wipe(code, sizeof(code));
}

/*
 * Stores pd under a fresh id with a fresh CSRF token (or replaces the
 * record of id) and fills id/csrf for the page.  Returns a store code,
 * or PENDING_THROTTLED (retry_after set) when ip has started too many
 * requests this hour: every new request is a record kept until it is
 * answered or expires, so without a limit anyone could fill the map.
 */
static int
save_pending(struct app *a, const char *ip, struct pending *pd, char *id,
    size_t idsz, int fresh_id, char *csrf, size_t csrfsz, long *retry_after)
{
	struct store		*st;
	struct store_txn	 t;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 ipsub[RATELIMIT_IP_MAX];
	int64_t			 now = time(NULL);
	int			 rc;

	if (fresh_id && pending_new_secret(id, idsz, h) != STORE_OK)
		return STORE_ERROR;
	if (pending_new_secret(csrf, csrfsz, pd->csrf_hash) != STORE_OK)
		return STORE_ERROR;
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	if (fresh_id && a->cfg->authorize_rate_limit > 0) {
		ratelimit_ip_subject(ip, ipsub, sizeof(ipsub));
		rc = ratelimit_check(&t, "authorize", ipsub, now,
		    a->cfg->authorize_rate_limit, 3600, retry_after);
		if (rc == 0)
			rc = ratelimit_count(&t, "authorize", ipsub, now,
			    3600);
		else
			rc = rc == 1 ? PENDING_THROTTLED : STORE_ERROR;
		if (rc != STORE_OK) {
			store_abort(&t);
			return rc;
		}
	}
	if ((rc = pending_put(&t, id, pd)) == STORE_OK)
		rc = store_commit(&t);
	else
		store_abort(&t);
	if (rc == STORE_OK)
		app_purge_some(a);
	return rc;
}

/* The answer to save_pending()'s failures. */
static void
save_pending_error(struct app *a, struct http_response *resp, int rc,
    long retry_after)
{
	if (rc != PENDING_THROTTLED) {
		server_error(a, resp, rc);
		return;
	}
	http_headerf(resp, "Retry-After", "%ld", retry_after);
	page_error(a->cfg, resp, 429, "Too many sign-in requests",
	    "This network address has started more sign-ins in the last "
	    "hour than this server allows.", "Wait a while, then start "
	    "again from the application you were using.");
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
	struct store_txn	 t;
	char			 user[USER_NAME_MAX + 1], csrf[64];
	int64_t			 now = time(NULL);
	long			 retry_after = 0;
	int			 signed_in, remembered = 0, rc;

	/*
	 * With user_auth = remote_user the web server signs people in and
	 * this program cannot ask again: prompt=login gets the error
	 * OpenID Connect Core §3.1.2.6 prescribes instead of a dead end.
	 */
	if ((pd->prompt & PROMPT_LOGIN) &&
	    a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		redirect_error(a, resp, pd->redirect_uri, state_of(pd),
		    "login_required", "this server cannot ask for a new "
		    "sign-in: the web server signs people in");
		return;
	}
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	signed_in = current_user(a, &t, req, now, user, sizeof(user)) == 0 &&
	    !(pd->prompt & PROMPT_LOGIN);
	/*
	 * Approval is remembered only for confidential clients: a public
	 * client's identity cannot be verified (RFC 8252 §8.6).
	 */
	if (signed_in && !(pd->prompt & PROMPT_CONSENT) &&
	    c->auth_method != CLIENT_AUTH_NONE)
		remembered = grant_has_active_consent(&t, user, c->id,
		    pd->scope, pd->resource, now);
	store_abort(&t);

	if (pd->prompt & PROMPT_NONE) {
		if (!signed_in)
			redirect_error(a, resp, pd->redirect_uri,
			    state_of(pd), "login_required",
			    "the user is not signed in");
		else if (!remembered)
			redirect_error(a, resp, pd->redirect_uri,
			    state_of(pd), "consent_required", "the user has "
			    "not approved this application");
		else
			issue_code(a, resp, c, pd, user,
			    fresh_id ? NULL : id);
		return;
	}
	if (remembered) {
		log_auth("consent_remembered", user, c->id, req->remote_addr);
		issue_code(a, resp, c, pd, user, fresh_id ? NULL : id);
		return;
	}
	if (!signed_in && a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		no_remote_user(a, resp);
		return;
	}
	if ((rc = save_pending(a, req->remote_addr, pd, id, idsz, fresh_id,
	    csrf, sizeof(csrf), &retry_after)) != STORE_OK) {
		save_pending_error(a, resp, rc, retry_after);
		return;
	}
	if (signed_in)
		show_consent(a, resp, c, pd, user, id, csrf);
	else
		show_login(a, resp, 200, c, id, csrf, NULL, NULL);
	crypto_wipe(csrf, sizeof(csrf));
}

static void
handle_new_request(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp)
{
	struct authreq	 az;
	struct pending	 pd;
	char		 id[64];
	int64_t		 now = time(NULL);

	authreq_init(&az);
	if (validate_request(a, f, &az, resp) == -1)
		goto out;
	memset(&pd, 0, sizeof(pd));
	pd.client_id = az.client.id;
	pd.redirect_uri = (char *)az.redirect_uri;
	pd.redirect_explicit = (uint32_t)az.redirect_explicit;
	pd.state = (char *)(az.state != NULL ? az.state : "");
	pd.challenge = (char *)az.challenge;
	pd.scope = (char *)buf_cstr(&az.scope);
	pd.resource = (char *)az.resource;
	pd.prompt = az.prompt;
	pd.created = now;
	pd.expires = now + a->cfg->pending_lifetime;
	if (browser_binding(a, req, resp, 1, pd.browser_hash) == -1) {
		server_error(a, resp, STORE_ERROR);
		goto out;
	}
	continue_request(a, req, resp, &az.client, &pd, id, sizeof(id), 1);
out:
	authreq_free(&az);
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
	struct store		*st;
	struct store_txn	 t;
	unsigned char		 browser[CRYPTO_SHA256_LEN];
	unsigned char		 csrf_hash[CRYPTO_SHA256_LEN];
	const char		*id = form_get(f, "request");
	const char		*csrf = form_get(f, "csrf");
	int			 rc;

	memset(pd, 0, sizeof(*pd));
	client_init(c);
	if (id == NULL || (check_csrf && csrf == NULL)) {
		page_error(a->cfg, resp, 400, "This page has expired",
		    "The form is missing its request or security token.",
		    "Start again from the application you were using.");
		return -1;
	}
	if (browser_binding(a, req, resp, 0, browser) == -1) {
		page_error(a->cfg, resp, 400, "Cookies are needed",
		    "This browser did not send the cookie that ties the "
		    "sign-in to it.", "Allow cookies for this site, then start "
		    "again from the application you were using.");
		return -1;
	}
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK) {
		server_error(a, resp, rc);
		return -1;
	}
	rc = pending_get(&t, id, time(NULL), pd);
	if (rc == STORE_OK)
		rc = store_client_get(&t, pd->client_id, c);
	store_abort(&t);
	if (rc == STORE_NOTFOUND) {
		pending_free(pd);
		page_error(a->cfg, resp, 400, "This page has expired",
		    "The sign-in request is unknown or too old.",
		    "Start again from the application you were using.");
		return -1;
	}
	if (rc != STORE_OK) {
		pending_free(pd);
		server_error(a, resp, rc);
		return -1;
	}
	if (!crypto_equal(browser, pd->browser_hash, sizeof(browser)) ||
	    (check_csrf && (strlen(csrf) != CRYPTO_TOKEN_CHARS ||
	    crypto_sha256_str(csrf, csrf_hash) != CRYPTO_OK ||
	    !crypto_equal(csrf_hash, pd->csrf_hash, sizeof(csrf_hash))))) {
		log_auth("csrf_mismatch", NULL, pd->client_id,
		    req->remote_addr);
		pending_free(pd);
		client_free(c);
		page_error(a->cfg, resp, 403, "This page cannot be used",
		    "The form was not sent from the page this browser was "
		    "given.", "Start again from the application you were "
		    "using.");
		return -1;
	}
	return 0;
}

static void
handle_continue(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp)
{
	struct pending	 pd;
	struct client	 c;
	char		 id[64];

	if (load_pending(a, req, f, 0, &pd, &c, resp) == -1)
		return;
	snprintf(id, sizeof(id), "%s", form_get(f, "request"));
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
		char	 msg[160];

		snprintf(msg, sizeof(msg), "The request is malformed: %s%s%s.",
		    form_strerror(rc), f.bad_name[0] ? " " : "", f.bad_name);
		no_redirect_error(a, resp, msg);
		return;
	}
	if (form_get(&f, "request") != NULL && f.len == 1)
		handle_continue(a, req, &f, resp);
	else
		handle_new_request(a, req, &f, resp);
	form_free(&f);
}

static void
handle_login(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp,
    const struct client *c, struct pending *pd)
{
	struct store		*st;
	struct store_txn	 t;
	struct signin		 s;
	const char		*name = form_get(f, "username");
	const char		*pw = form_get(f, "password");
	const char		*id = form_get(f, "request");
	const char		*csrf = form_get(f, "csrf");
	const char		*ip = req->remote_addr;
	char			 cookie[SESSION_TOKEN_MAX], msg[160];
	long			 w;
	int			 rc;

	if (a->cfg->user_auth != USER_AUTH_LOCAL) {
		page_error(a->cfg, resp, 400, "No password sign-in",
		    "This server signs people in through the web server.",
		    NULL);
		return;
	}
	if (name == NULL || pw == NULL) {
		show_login(a, resp, 400, c, id, csrf, name,
		    "Enter your user name and password.");
		return;
	}
	if ((rc = app_store(a, &st)) != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	switch (signin_attempt(st, a->cfg, &s, name, pw, ip, time(NULL))) {
	case SIGNIN_OK:
		break;
	case SIGNIN_THROTTLED:
		log_auth("login_throttled", s.name_valid ? name : NULL, c->id,
		    ip);
		w = s.retry_after;
		snprintf(msg, sizeof(msg), "Too many failed sign-ins. Try again "
		    "in %ld minute%s.", (w + 59) / 60, (w + 59) / 60 == 1 ?
		    "" : "s");
		http_headerf(resp, "Retry-After", "%ld", w);
		show_login(a, resp, 429, c, id, csrf, name, msg);
		return;
	case SIGNIN_REFUSED:
		log_auth("login_failed", s.name_valid ? name : NULL, c->id, ip);
		/*
		 * 403, not 401: a 401 must carry a WWW-Authenticate
		 * challenge (RFC 9110 section 15.5.2), and a form is none.
		 */
		show_login(a, resp, 403, c, id, csrf, name,
		    "Wrong user name or password.");
		return;
	default:
		server_error(a, resp, s.store_rc);
		return;
	}

	if ((rc = store_begin(st, 0, &t)) != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	rc = signin_accept(&t, &s);
	if (rc == STORE_OK)
		rc = session_create(&t, name, s.now, a->cfg->session_lifetime,
		    cookie, sizeof(cookie));
	if (rc == STORE_OK && (pd->prompt & PROMPT_LOGIN)) {
		pd->prompt &= ~(uint32_t)PROMPT_LOGIN;
		rc = pending_put(&t, id, pd);
	}
	if (rc == STORE_OK)
		rc = store_commit(&t);
	else
		store_abort(&t);
	if (rc != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	log_auth("login_ok", name, c->id, ip);
	cookie_set(resp, a->cfg, COOKIE_SESSION, cookie,
	    a->cfg->session_lifetime);
	crypto_wipe(cookie, sizeof(cookie));
	/* Post/redirect/get: the consent page comes from a GET. */
	http_status(resp, 303);
	http_headerf(resp, "Location", "/authorize?request=%s", id);
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
}

static void
handle_decision(struct app *a, const struct http_request *req,
    const struct form *f, struct http_response *resp,
    const struct client *c, struct pending *pd, int approve)
{
	struct store		*st;
	struct store_txn	 t;
	char			 user[USER_NAME_MAX + 1], csrf[64], id[64];
	long			 retry_after = 0;
	int			 rc, signed_in;

	snprintf(id, sizeof(id), "%s", form_get(f, "request"));
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK) {
		server_error(a, resp, rc);
		return;
	}
	/*
	 * With prompt=login the person must sign in again first: the
	 * login page's own CSRF token must not approve on the strength of
	 * the old session.  handle_login() clears the flag.
	 */
	signed_in = current_user(a, &t, req, time(NULL), user,
	    sizeof(user)) == 0 && !(pd->prompt & PROMPT_LOGIN);
	store_abort(&t);
	if (!signed_in && a->cfg->user_auth == USER_AUTH_REMOTE_USER) {
		/* There is no password form to fall back on. */
		no_remote_user(a, resp);
		return;
	}
	if (!signed_in) {
		/* The session expired between the pages: sign in again. */
		if ((rc = save_pending(a, req->remote_addr, pd, id,
		    sizeof(id), 0, csrf, sizeof(csrf), &retry_after)) !=
		    STORE_OK) {
			save_pending_error(a, resp, rc, retry_after);
			return;
		}
		show_login(a, resp, 403, c, id, csrf, NULL,
		    "Your sign-in has expired. Sign in again.");
		return;
	}
	if (approve) {
		log_auth("consent_given", user, c->id, req->remote_addr);
		issue_code(a, resp, c, pd, user, id);
		return;
	}
	if ((rc = store_begin(st, 0, &t)) == STORE_OK) {
		if ((rc = pending_delete(&t, id)) == STORE_OK)
			rc = store_commit(&t);
		else
			store_abort(&t);
	}
	/*
	 * A denial that cannot be recorded is still a denial; one whose
	 * request was answered already (Approve in another tab) is not.
	 */
	if (rc == STORE_NOTFOUND) {
		already_answered(a, resp);
		return;
	}
	log_auth("consent_denied", user, c->id, req->remote_addr);
	redirect_error(a, resp, pd->redirect_uri, state_of(pd),
	    "access_denied", "the user denied the request");
}

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	static const struct form_limits lim = { POST_MAX, 16, 32, 2048 };
	struct form	 f;
	struct pending	 pd;
	struct client	 c;
	const char	*action;
	int		 rc;

	form_init(&f);
	if (!http_content_type_is(req, "application/x-www-form-urlencoded")) {
		page_error(a->cfg, resp, 415, "Unsupported form",
		    "The form was not sent as a web form.", NULL);
		return;
	}
	if (http_read_body(req, a->in, POST_MAX) != HTTP_OK) {
		page_error(a->cfg, resp, 413, "Form too large",
		    "The form is larger than this server accepts.", NULL);
		return;
	}
	if ((rc = form_parse(req->body, req->body_len, &lim, &f)) != FORM_OK) {
		page_error(a->cfg, resp, 400, "Malformed form",
		    form_strerror(rc), NULL);
		return;
	}
	if (load_pending(a, req, &f, 1, &pd, &c, resp) == -1)
		goto out;
	action = form_get(&f, "action");
	if (action != NULL && strcmp(action, "login") == 0)
		handle_login(a, req, &f, resp, &c, &pd);
	else if (action != NULL && strcmp(action, "approve") == 0)
		handle_decision(a, req, &f, resp, &c, &pd, 1);
	else if (action != NULL && strcmp(action, "deny") == 0)
		handle_decision(a, req, &f, resp, &c, &pd, 0);
	else
		page_error(a->cfg, resp, 400, "Unknown action",
		    "The form asked for something this page does not do.",
		    NULL);
	pending_free(&pd);
	client_free(&c);
out:
	form_free(&f);
}

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	if (strcmp(req->path, "/authorize") != 0) {
		page_error(a->cfg, resp, 404, "Not found",
		    "There is no page at this address.", NULL);
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
		page_error(a->cfg, resp, 405, "Method not allowed",
		    "This address takes GET and POST only.", NULL);
		break;
	}
}

int
main(void)
{
	/* A person sees this program's answers: a page, not JSON. */
	return app_main("authorize.fcgi", handle, page_config_error);
}
