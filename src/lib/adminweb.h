/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * /admin, served by authorize.fcgi as /account is: the pages from which
 * a site owner without a shell runs the site (users, clients, grants,
 * statistics, the audit trail).  Off unless admin_web = on; open only
 * to a signed-in user with the administrator flag (USER_ADMIN).
 *
 * adminweb.c owns everything the pages share: the route (/admin and
 * /admin/NAME), the sign-in (the sign-in page of /authorize, coming
 * back here), the refusals (404 when admin_web is off, 403 for a
 * person who is not an administrator), the form checks (same origin,
 * the CSRF token), the password asked again before any action when it
 * was last entered longer ago than admin_reauth_after, the security
 * headers and the navigation.  Each page is a module (adminusers.c,
 * adminclients.c, admingrants.c, adminevents.c, adminstats.c) that
 * only shows (get) and acts (post) through the struct adminweb it is
 * given, and renders through adminweb_render().
 */
#ifndef MCP_ADMINWEB_H
#define MCP_ADMINWEB_H

#include "account.h"
#include "app.h"
#include "audit.h"
#include "form.h"
#include "http.h"
#include "template.h"
#include "user.h"

/* One request to an /admin page, as a page module sees it. */
struct adminweb {
	struct app		*a;
	struct http_request	*req;
	struct http_response	*resp;
	const struct adminweb_page *page;	/* the page asked for */
	const char		*admin;		/* who is signed in */
	/*
	 * POST: who acts, for the audit trail: AUDIT_BY_ADMIN_WEB and the
	 * administrator's name ("admin-web root"), so that the trail
	 * tells two administrators apart.
	 */
	char			 actor[sizeof(AUDIT_BY_ADMIN_WEB) + 1 +
				    USER_NAME_MAX];
	/* The CSRF token every form of the page carries as "csrf". */
	char			 csrf[ACCOUNT_FORM_TOKEN_LEN + 1];
	/*
	 * GET: the query string's fields.  POST: the posted form, whose
	 * origin, CSRF token and the administrator's recent password have
	 * all been checked before post() is called.
	 */
	const struct form	*form;
};

/*
 * A page: path is its name after "/admin/" ("users"; the page of
 * "/admin" itself is the statistics page, "stats"), title its name in
 * the navigation, template the file of www/templates it renders.  get
 * shows it; post (NULL: the page has no forms) takes the posted
 * "action" (never NULL) and answers, usually with adminweb_back().
 */
struct adminweb_page {
	const char	*path;
	const char	*title;
	void		(*get)(struct adminweb *);
	void		(*post)(struct adminweb *, const char *);
};

extern const struct adminweb_page adminstats_page;
extern const struct adminweb_page adminusers_page;
extern const struct adminweb_page adminclients_page;
extern const struct adminweb_page admingrants_page;
extern const struct adminweb_page adminevents_page;

void	 adminweb_handle(struct app *, struct http_request *,
	    struct http_response *);
void	 adminweb_after_signin(struct app *, struct http_response *,
	    const char *);

/*
 * Renders template (a www/templates file, without ".html") with status
 * and the page's variables, to which it adds those every admin page
 * has: "csrf", "admin" (who is signed in), "notice" and "error" (the
 * strings given, or absent: {{#notice}} is then false) and the
 * navigation's "nav_PATH" booleans (true for the page shown) used by
 * the admin-nav.html partial, and "page_url", the page's own path
 * ("/admin/users", after {{base}}) where its forms post.  Every page
 * template starts with {{>head}}{{>admin-nav}} and ends with
 * {{>foot}}.
 */
void	 adminweb_render(struct adminweb *, int, const char *,
	    const struct tmpl_var *, size_t, const char *, const char *);

/*
 * 303 back to this page after an action (post/redirect/get), with
 * notice as "?done=NOTICE" (NULL: none) and extra, an already encoded
 * query tail such as "user=alice" (NULL: none), kept.  Notices are
 * fixed names a page maps to its own texts: nothing from the query is
 * ever shown as it came.
 */
void	 adminweb_back(struct adminweb *, const char *, const char *);

/* The server error page for a store result (rc). */
void	 adminweb_server_error(struct adminweb *, int);

/*
 * Whether the "confirm with your password" page repeats the posted
 * field of this name as a hidden input: every field but the CSRF token
 * and the password itself.  1 or 0.
 */
int	 adminweb_reauth_echoes(const char *);

#endif
