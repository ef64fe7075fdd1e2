/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "accountweb.h"
#include "adminweb.h"
#include "app.h"
#include "audit.h"
#include "authpage.h"
#include "buf.h"
#include "config.h"
#include "consent.h"
#include "crypto.h"
#include "form.h"
#include "http.h"
#include "page.h"
#include "session.h"
#include "signin.h"
#include "store.h"
#include "user.h"

#define POST_MAX	(64 * 1024)
#define QUERY_MAX	4096

/*
 * The field of the confirm page (admin-reauth.html) that carries the
 * administrator's password: a name of its own, since a page's action
 * may well have a field "password" (a user's new one).
 */
#define REAUTH_FIELD	"admin_password"
/*
 * The confirm page's own hidden field naming the administrator, for
 * password managers: not one of the action's fields, so never echoed
 * (echoed, a second submit would carry it twice and be refused).
 */
#define REAUTH_USER_FIELD	"admin_username"

/*
 * The pages /admin routes to.  Each page module, in its own file, adds
 * its line here.
 */
static const struct adminweb_page *const pages[] = {
	&adminstats_page,
	&adminusers_page,
	&adminclients_page,
	&admingrants_page,
	&adminevents_page,
};

#define NPAGES	(sizeof(pages) / sizeof(pages[0]))

/* The navigation's pages, whether or not their module is built. */
static const char *const nav_paths[] = {
	"stats", "users", "clients", "grants", "events"
};

#define NNAV	(sizeof(nav_paths) / sizeof(nav_paths[0]))

/* Who is signed in, as adminweb needs to know it. */
struct signed_in {
	char	 user[USER_NAME_MAX + 1];
	int	 admin;		/* USER_ADMIN and not USER_DISABLED */
	int64_t	 created;	/* of the session; 0 with remote_user */
};

/* The response headers of every /admin answer beyond page_headers(). */
static void
admin_headers(struct http_response *resp)
{
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
}

/* The 404 of /admin: the same page as any unknown address. */
static void
not_found(const struct config *cfg, struct http_response *resp)
{
	authpage_error(cfg, resp, AUTHPAGE_NOT_FOUND);
}

/*
 * The page of path (after "/admin"): "" and "/" are the statistics
 * page, "/NAME" the page NAME.  NULL for anything else.
 */
static const struct adminweb_page *
route(const char *path)
{
	size_t	 i;

	if (path[0] == '\0' || strcmp(path, "/") == 0)
		return &adminstats_page;
	if (path[0] != '/')
		return NULL;
	for (i = 0; i < NPAGES; i++)
		if (strcmp(path + 1, pages[i]->path) == 0)
			return pages[i];
	return NULL;
}

/*
 * Who is signed in in this browser, into si: 1, 0 nobody, -1 error.
 * An administrator is a user whose record has USER_ADMIN; a disabled
 * one is not signed in at all (consent_current_user()).  With
 * user_auth = remote_user the web server names her on every request,
 * and she needs a user record with the flag all the same.
 */
static int
current(struct app *a, const struct http_request *req, struct signed_in *si)
{
	struct store		*st;
	struct store_txn	*t;
	struct session		 s;
	struct user		 u;
	char			 cookie[SESSION_TOKEN_MAX];
	int64_t			 now = time(NULL);
	int			 rc, ret = 0;

	memset(si, 0, sizeof(*si));
	if (app_store(a, &st) != STORE_OK || store_begin(st, 1, &t) !=
	    STORE_OK)
		return -1;
	if (consent_current_user(t, a->cfg, req->remote_user, req->cookie,
	    now, si->user, sizeof(si->user)) != 0)
		goto out;
	ret = 1;
	if ((rc = store_user_get(t, si->user, &u)) == STORE_OK) {
		si->admin = (u.flags & USER_ADMIN) &&
		    !(u.flags & USER_DISABLED);
		user_free(&u);
	} else if (rc != STORE_NOTFOUND)
		ret = -1;
	if (ret == 1 && a->cfg->user_auth == USER_AUTH_LOCAL) {
		if (accountweb_session_cookie(a, req, cookie,
		    sizeof(cookie)) == 0 &&
		    session_get(t, cookie, now, &s) == STORE_OK) {
			si->created = s.created;
			session_free(&s);
		} else
			ret = 0;	/* ended meanwhile */
		crypto_wipe(cookie, sizeof(cookie));
	}
out:
	store_abort(t);
	return ret;
}

/*
 * After the administration pages' sign-in: its pending request (id) is
 * done with, and the person goes to /admin.
 */
void
adminweb_after_signin(struct app *a, struct http_response *resp,
    const char *id)
{
	accountweb_pending_done(a, id);
	http_status(resp, 303);
	http_headerf(resp, "Location", "%s/admin", a->cfg->issuer_path);
	admin_headers(resp);
}

/* The 403 for a signed-in person who is not an administrator. */
static void
forbidden(const struct config *cfg, struct http_response *resp)
{
	page_error(cfg, resp, 403, "Not allowed",
	    "This page is for the administrators of this server.",
	    "Your account page is where you manage your own account.");
}

void
adminweb_render(struct adminweb *w, int status, const char *template,
    const struct tmpl_var *vars, size_t nvars, const char *notice,
    const char *error)
{
	struct tmpl_var	*all;
	char		 names[NNAV][sizeof("nav_clients")];
	char		 url[sizeof("/admin/") + 64];
	size_t		 i, n = 0;

	snprintf(url, sizeof(url), "/admin%s%s", w->page == &adminstats_page ?
	    "" : "/", w->page == &adminstats_page ? "" : w->page->path);
	if ((all = calloc(nvars + 5 + NNAV, sizeof(*all))) == NULL) {
		adminweb_server_error(w, STORE_ERROR);
		return;
	}
	if (nvars > 0)
		memcpy(all, vars, nvars * sizeof(*all));
	n = nvars;
	all[n].name = "csrf";
	all[n++].str = w->csrf;
	all[n].name = "admin";
	all[n++].str = w->admin;
	all[n].name = "notice";
	all[n++].str = notice != NULL ? notice : "";
	all[n].name = "error";
	all[n++].str = error != NULL ? error : "";
	/* After {{base}}: the page's own address, where its forms post. */
	all[n].name = "page_url";
	all[n++].str = url;
	for (i = 0; i < NNAV; i++) {
		snprintf(names[i], sizeof(names[i]), "nav_%s", nav_paths[i]);
		all[n].name = names[i];
		all[n].type = TMPL_BOOL;
		all[n++].b = strcmp(w->page->path, nav_paths[i]) == 0;
	}
	page_render(w->a->cfg, w->resp, status, template, w->page->title, all,
	    n);
	free(all);
}

void
adminweb_back(struct adminweb *w, const char *notice, const char *extra)
{
	const char	*base = w->a->cfg->issuer_path;
	const char	*path = w->page == &adminstats_page ? "" :
			    w->page->path;
	const char	*slash = path[0] != '\0' ? "/" : "";
	int		 n = notice != NULL, e = extra != NULL && extra[0];

	http_status(w->resp, 303);
	http_headerf(w->resp, "Location", "%s/admin%s%s%s%s%s%s%s", base,
	    slash, path, n || e ? "?" : "", n ? "done=" : "",
	    n ? notice : "", n && e ? "&" : "", e ? extra : "");
	admin_headers(w->resp);
}

void
adminweb_server_error(struct adminweb *w, int rc)
{
	authpage_server_error(w->a->cfg, w->resp, rc);
}

/*
 * The confirm page: every posted field but the CSRF token and the
 * password, as hidden inputs (escaped by the template), and the
 * password field.
 */
static void
show_reauth(struct adminweb *w, int status, const char *error)
{
	struct tmpl_var		*fields;
	struct tmpl_scope	*items;
	const struct form	*f = w->form;
	size_t			 i, n = 0;
	const struct tmpl_var	*vars;
	struct tmpl_var		 v[1];

	fields = calloc(f->len * 2 + 1, sizeof(*fields));
	items = calloc(f->len + 1, sizeof(*items));
	if (fields == NULL || items == NULL) {
		free(fields);
		free(items);
		adminweb_server_error(w, STORE_ERROR);
		return;
	}
	for (i = 0; i < f->len; i++) {
		if (adminweb_reauth_echoes(f->fields[i].name) == 0)
			continue;
		fields[2 * n].name = "name";
		fields[2 * n].str = f->fields[i].name;
		fields[2 * n + 1].name = "value";
		fields[2 * n + 1].str = f->fields[i].value;
		items[n].vars = &fields[2 * n];
		items[n].nvars = 2;
		n++;
	}
	memset(v, 0, sizeof(v));
	v[0].name = "fields";
	v[0].type = TMPL_LIST;
	v[0].items = items;
	v[0].nitems = n;
	vars = v;
	adminweb_render(w, status, "admin-reauth", vars, 1, NULL, error);
	free(fields);
	free(items);
}

/* Whether the confirm page repeats the posted field name: 1 or 0. */
int
adminweb_reauth_echoes(const char *name)
{
	return strcmp(name, "csrf") != 0 && strcmp(name, REAUTH_FIELD) != 0 &&
	    strcmp(name, REAUTH_USER_FIELD) != 0;
}

/*
 * The administrator's password asked again (admin_reauth_after): with
 * it right, a new session replaces this browser's (a fresh "last
 * entered" time) and the action goes on: returns 1.  Otherwise the
 * confirm page is the answer: 0 (or -1 after an error page).  The
 * password is checked and counted as a sign-in is (signin_attempt()).
 */
static int
reauth(struct adminweb *w, const struct signed_in *si)
{
	struct app		*a = w->a;
	struct store		*st;
	struct signin		 s;
	const char		*pw = form_get(w->form, REAUTH_FIELD);
	char			 old[SESSION_TOKEN_MAX];
	char			 fresh[SESSION_TOKEN_MAX];
	char			 msg[96];
	long			 minutes;
	int64_t			 now = time(NULL);
	int			 rc, ret = -1;

	if (a->cfg->user_auth != USER_AUTH_LOCAL ||
	    now - si->created <= a->cfg->admin_reauth_after)
		return 1;
	if (pw == NULL) {
		show_reauth(w, 200, NULL);
		return 0;
	}
	if ((rc = app_store(a, &st)) != STORE_OK) {
		adminweb_server_error(w, rc);
		return -1;
	}
	switch (signin_attempt(st, a->cfg, &s, si->user, pw,
	    w->req->remote_addr, now)) {
	case SIGNIN_OK:
		break;
	case SIGNIN_THROTTLED:
		consent_log("admin_reauth_throttled", si->user, NULL,
		    w->req->remote_addr);
		minutes = (s.retry_after + 59) / 60;
		snprintf(msg, sizeof(msg), "Too many wrong passwords. Try "
		    "again in %ld minute%s.", minutes, minutes == 1 ? "" : "s");
		http_headerf(w->resp, "Retry-After", "%ld", s.retry_after);
		show_reauth(w, 429, msg);
		return 0;
	case SIGNIN_REFUSED:
		consent_log("admin_reauth_failed", si->user, NULL,
		    w->req->remote_addr);
		/* 403, not 401: see handle_login() in authorize.c. */
		show_reauth(w, 403, "Wrong password.");
		return 0;
	default:
		adminweb_server_error(w, s.store_rc);
		return -1;
	}
	/*
	 * The old session goes in the transaction that makes the new
	 * one, as after a password change: the new one alone carries the
	 * time the password was entered.
	 */
	if (accountweb_session_cookie(a, w->req, old, sizeof(old)) == 0)
		s.replaces = old;
	rc = signin_accept(st, &s, a->cfg->session_lifetime, NULL, NULL,
	    fresh, sizeof(fresh));
	crypto_wipe(old, sizeof(old));
	if (rc != STORE_OK) {
		adminweb_server_error(w, rc);
		goto out;
	}
	consent_log("admin_reauth_ok", si->user, NULL, w->req->remote_addr);
	cookie_set(w->resp, a->cfg, CONSENT_COOKIE_SESSION, fresh,
	    a->cfg->session_lifetime);
	ret = 1;
out:
	crypto_wipe(fresh, sizeof(fresh));
	return ret;
}

static void
handle_get(struct adminweb *w)
{
	static const struct form_limits lim = {
		.total = QUERY_MAX,
		.fields = 16,
		.name = 32,
		.value = 1024,
	};
	struct app		*a = w->a;
	unsigned char		 browser[CRYPTO_SHA256_LEN];
	unsigned char		 key[CRYPTO_SHA256_LEN];
	struct signed_in	 si;
	struct form		 f;
	int			 rc;

	if (consent_browser_keyed(a->cfg, w->req->cookie, w->resp, 1, browser,
	    key) == -1) {
		adminweb_server_error(w, STORE_ERROR);
		return;
	}
	if ((rc = current(a, w->req, &si)) == -1) {
		adminweb_server_error(w, STORE_ERROR);
		return;
	}
	if (rc == 0) {
		/*
		 * The account page's sign-in form, after which
		 * authorize.c comes back here (adminweb_after_signin()).
		 */
		accountweb_signin(a, w->req, w->resp, browser,
		    PENDING_ADMIN_SIGNIN);
		return;
	}
	if (!si.admin) {
		forbidden(a->cfg, w->resp);
		return;
	}
	if (account_admin_form_token(key, si.user, w->csrf) == -1) {
		adminweb_server_error(w, STORE_ERROR);
		return;
	}
	w->admin = si.user;
	form_init(&f);
	if ((rc = form_parse(w->req->query, strlen(w->req->query), &lim,
	    &f)) != FORM_OK) {
		/* Nothing of the query is shown: only what was wrong. */
		page_error(a->cfg, w->resp, 400, "Malformed address",
		    form_strerror(rc), NULL);
		goto out;
	}
	w->form = &f;
	w->page->get(w);
out:
	form_free(&f);
}

static void
handle_post(struct adminweb *w)
{
	static const struct form_limits lim = {
		.total = POST_MAX,
		.fields = 64,
		.name = 64,
		.value = 8192,
	};
	struct app		*a = w->a;
	unsigned char		 browser[CRYPTO_SHA256_LEN];
	unsigned char		 key[CRYPTO_SHA256_LEN];
	struct signed_in	 si;
	const char		*action;
	struct form		 f;
	size_t			 i;
	int			 rc;

	form_init(&f);
	if (authpage_read_form(a->cfg, w->req, a->in, &lim,
	    "This form can only be sent from this site's own page. "
	    "Go back to the administration page and try again.", &f,
	    w->resp) == -1)
		goto out;
	if (consent_browser_keyed(a->cfg, w->req->cookie, w->resp, 0, browser,
	    key) == -1) {
		authpage_error(a->cfg, w->resp, AUTHPAGE_NO_COOKIE);
		goto out;
	}
	if ((rc = current(a, w->req, &si)) == -1) {
		adminweb_server_error(w, STORE_ERROR);
		goto out;
	}
	if (rc == 0) {
		/* Signed out meanwhile: the page asks to sign in. */
		adminweb_back(w, NULL, NULL);
		goto out;
	}
	if (!si.admin) {
		forbidden(a->cfg, w->resp);
		goto out;
	}
	if (!account_admin_form_token_ok(key, si.user,
	    form_get(&f, "csrf"))) {
		consent_log("csrf_mismatch", si.user, NULL,
		    w->req->remote_addr);
		authpage_error(a->cfg, w->resp, AUTHPAGE_FOREIGN_FORM);
		goto out;
	}
	if (account_admin_form_token(key, si.user, w->csrf) == -1) {
		adminweb_server_error(w, STORE_ERROR);
		goto out;
	}
	w->admin = si.user;
	snprintf(w->actor, sizeof(w->actor), "%s %s", AUDIT_BY_ADMIN_WEB,
	    si.user);
	w->form = &f;
	action = form_get(&f, "action");
	if (w->page->post == NULL || action == NULL) {
		authpage_error(a->cfg, w->resp, AUTHPAGE_UNKNOWN_ACTION);
		goto out;
	}
	if (reauth(w, &si) != 1)
		goto out;
	/* The page sees the action's fields, never the password. */
	for (i = 0; i < f.len; i++)
		if (strcmp(f.fields[i].name, REAUTH_FIELD) == 0)
			crypto_wipe(f.fields[i].value, f.fields[i].value_len);
	w->page->post(w, action);
out:
	form_free(&f);
}

void
adminweb_handle(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	struct adminweb		 w;
	const struct adminweb_page *page;

	/* Off: nothing here says that there could be pages. */
	if (!a->cfg->admin_web || strncmp(req->path, "/admin", 6) != 0 ||
	    (page = route(req->path + 6)) == NULL) {
		not_found(a->cfg, resp);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.req = req;
	w.resp = resp;
	w.page = page;
	w.admin = "";
	/* app.c sends no body for HEAD. */
	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		handle_get(&w);
	else if (req->method == HTTP_POST)
		handle_post(&w);
	else {
		http_header(resp, "Allow", "GET, HEAD, POST");
		authpage_error(a->cfg, resp, AUTHPAGE_METHOD);
	}
}
