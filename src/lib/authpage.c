/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "authpage.h"
#include "buf.h"
#include "cimd.h"
#include "client.h"
#include "config.h"
#include "consent.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "mcp.h"
#include "oauth.h"
#include "page.h"
#include "prompt.h"
#include "redirect.h"
#include "resource.h"
#include "scope.h"
#include "session.h"
#include "store.h"
#include "template.h"
#include "tool.h"
#include "usercode.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The login page's message after too many failures: minutes, plural. */
#define THROTTLED_TEXT	\
	"Too many failed sign-ins. Try again in %ld minute%s."

struct error_page {
	int		 status;
	const char	*title;
	const char	*message;	/* what happened */
	const char	*hint;		/* what to do, or NULL */
};

static const struct error_page error_pages[AUTHPAGE__MAX] = {
	[AUTHPAGE_NO_REMOTE_USER] = { 403, "Not signed in",
	    "This server relies on the web server to sign you in, and it "
	    "did not.", "The administrator must protect /authorize with the "
	    "web server's authentication (REMOTE_USER)." },
	[AUTHPAGE_ANSWERED] = { 400, "This page has expired",
	    "This sign-in request has already been answered.",
	    "Go back to the application you were using." },
	[AUTHPAGE_FORM_INCOMPLETE] = { 400, "This page has expired",
	    "The form is missing its request or security token.",
	    "Start again from the application you were using." },
	[AUTHPAGE_NO_COOKIE] = { 400, "Cookies are needed",
	    "This browser did not send the cookie that ties the sign-in to "
	    "it.", "Allow cookies for this site, then start again from the "
	    "application you were using." },
	[AUTHPAGE_UNKNOWN_REQUEST] = { 400, "This page has expired",
	    "The sign-in request is unknown or too old.",
	    "Start again from the application you were using." },
	[AUTHPAGE_FOREIGN_FORM] = { 403, "This page cannot be used",
	    "The form was not sent from the page this browser was given.",
	    "Start again from the application you were using." },
	[AUTHPAGE_TOO_MANY_REQUESTS] = { 429, "Too many sign-in requests",
	    "This network address has started more sign-ins in the last "
	    "hour than this server allows.", "Wait a while, then start "
	    "again from the application you were using." },
	[AUTHPAGE_NO_PASSWORD] = { 400, "No password sign-in",
	    "This server signs people in through the web server.", NULL },
	[AUTHPAGE_NOT_A_FORM] = { 415, "Unsupported form",
	    "The form was not sent as a web form.", NULL },
	[AUTHPAGE_FORM_TOO_LARGE] = { 413, "Form too large",
	    "The form is larger than this server accepts.", NULL },
	[AUTHPAGE_UNKNOWN_ACTION] = { 400, "Unknown action",
	    "The form asked for something this page does not do.", NULL },
	[AUTHPAGE_NOT_FOUND] = { 404, "Not found",
	    "There is no page at this address.", NULL },
	[AUTHPAGE_METHOD] = { 405, "Method not allowed",
	    "This address takes GET and POST only.", NULL },
};

void
authpage_error(const struct config *cfg, struct http_response *resp,
    enum authpage_error which)
{
	const struct error_page	*p = &error_pages[which];

	page_error(cfg, resp, p->status, p->title, p->message, p->hint);
}

/*
 * An error before the redirect URI is trusted: the person is told, and
 * nothing goes to the client (RFC 9700 section 4.1).
 */
void
authpage_no_redirect(const struct config *cfg, struct http_response *resp,
    const char *message)
{
	page_error(cfg, resp, 400, "This sign-in cannot continue", message,
	    "Nothing was sent to the application. Start again from the "
	    "application you were using.");
}

/*
 * An error of the request that is not sent back to the client, since
 * its redirect URI is not trusted (RFC 9700 section 4.11.2): the person
 * reads what the application got wrong, and is warned off in case a
 * link, not an application, brought them here.
 */
void
authpage_request_error(const struct config *cfg,
    struct http_response *resp, const char *error, const char *description)
{
	char	 text[OAUTH_TEXT_MAX], msg[OAUTH_TEXT_MAX + 96];

	oauth_text_clean(text, sizeof(text), description);
	snprintf(msg, sizeof(msg), "The application's request was refused: "
	    "%s (%s).", text, error);
	page_error(cfg, resp, 400, "This sign-in cannot continue", msg,
	    "Nothing was sent to the application. If a link rather than an "
	    "application you use brought you here, close this page.");
}

/*
 * The page for a store error rc, logged the way every program logs one
 * (oauth_store_log): 503 with Retry-After for a full map, else 500.
 */
void
authpage_server_error(const struct config *cfg, struct http_response *resp,
    int rc)
{
	int	 status;

	status = oauth_store_log(rc);
	if (status == 503)
		http_header(resp, "Retry-After", OAUTH_STORE_RETRY_AFTER);
	page_error(cfg, resp, status, "Server error",
	    "The server cannot handle this sign-in right now.",
	    "Try again in a minute. If it keeps happening, tell the "
	    "administrator of this server.");
}

/*
 * The name a page shows for c is self-declared unless the administrator
 * registered it: dynamic registration and metadata documents say
 * whatever their author likes.
 */
static int
self_declared(const struct client *c)
{
	return (c->flags & (CLIENT_DYNAMIC | CLIENT_CIMD)) != 0;
}

/*
 * The verified domain of a metadata document client: the host of its
 * client_id, whose site served the document; "" for other clients.
 */
static void
client_domain(const struct client *c, char *out, size_t outsz)
{
	struct cimd_url	 u;

	out[0] = '\0';
	if ((c->flags & CLIENT_CIMD) && cimd_url_parse(c->id, &u) == CIMD_OK)
		snprintf(out, outsz, "%s", u.host);
}

/* The login page for pending request id request, with its CSRF token. */
void
authpage_login(const struct config *cfg, struct http_response *resp,
    int status, const struct client *c, const char *request,
    const char *csrf, const char *username, const char *error)
{
	const struct tmpl_var	 v[] = {
		{ .name = "client_name",
		    .str = c->name != NULL ? c->name : c->id },
		{ .name = "self_declared", .type = TMPL_BOOL,
		    .b = self_declared(c) },
		/* The device page's sign-in, before any client is known. */
		{ .name = "device", .type = TMPL_BOOL, .b = c->id[0] == '\0' },
		{ .name = "request", .str = request },
		{ .name = "csrf", .str = csrf },
		{ .name = "username", .str = username != NULL ? username : "" },
		{ .name = "error", .str = error != NULL ? error : "" },
	};

	page_render(cfg, resp, status, "login", "Sign in", v, NELEM(v));
}

/*
 * The login page again after too many failures: 429 with Retry-After,
 * and the wait in minutes for the person.
 */
void
authpage_login_throttled(const struct config *cfg,
    struct http_response *resp, const struct client *c, const char *request,
    const char *csrf, const char *username, long retry_after)
{
	char	 msg[sizeof(THROTTLED_TEXT) +
		    sizeof("-9223372036854775808")];
	long	 minutes = (retry_after + 59) / 60;

	snprintf(msg, sizeof(msg), THROTTLED_TEXT, minutes,
	    minutes == 1 ? "" : "s");
	http_headerf(resp, "Retry-After", "%ld", retry_after);
	authpage_login(cfg, resp, 429, c, request, csrf, username, msg);
}

/*
 * After a successful sign-in, post/redirect/get: 303 to the pending
 * request, whose next page comes from a GET.
 */
void
authpage_after_login(const struct config *cfg, struct http_response *resp,
    const char *request)
{
	http_status(resp, 303);
	/* Under the issuer's path, for a subdirectory install. */
	http_headerf(resp, "Location", "%s/authorize?request=%s",
	    cfg->issuer_path, request);
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
}

/*
 * The host (and port) of a redirect URI, as the consent page shows it:
 * loopback says it is this computer, custom that it is a private-use
 * scheme (an application on this device), shown with what follows it.
 */
void
authpage_redirect_host(const char *uri, char *out, size_t outsz,
    int *loopback, int *custom)
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
	*custom = 1;
	if (r.authority != NULL)
		snprintf(out, outsz, "%s://%.*s", r.scheme,
		    (int)r.authority_len, r.authority);
	else
		snprintf(out, outsz, "%s:", r.scheme);
}

/*
 * What the consent page lists under a scope: the tools, resources and
 * prompts of the registry that it unlocks (scope_allows(): a
 * "notes:write" box unlocks what needs "notes:read" too).  Those that
 * need no scope are open to every token, and listed under none.
 */
struct unlock {
	const char	*kind;
	const char	*label;
	const char	*need;
};

static size_t
unlocks_of(const struct mcp_server *reg, struct unlock *u, size_t max)
{
	size_t	 i, n = 0;

	if (reg == NULL)
		return 0;
	for (i = 0; i < reg->ntools && n < max; i++)
		if (reg->tools[i]->scope != NULL)
			u[n++] = (struct unlock){ "Tool", reg->tools[i]->title ?
			    reg->tools[i]->title : reg->tools[i]->name,
			    reg->tools[i]->scope };
	for (i = 0; i < reg->nresources && n < max; i++)
		if (reg->resources[i]->scope != NULL)
			u[n++] = (struct unlock){ "Resource",
			    reg->resources[i]->title ?
			    reg->resources[i]->title : reg->resources[i]->name,
			    reg->resources[i]->scope };
	for (i = 0; i < reg->ntemplates && n < max; i++)
		if (reg->templates[i]->scope != NULL)
			u[n++] = (struct unlock){ "Resources",
			    reg->templates[i]->title ?
			    reg->templates[i]->title : reg->templates[i]->name,
			    reg->templates[i]->scope };
	for (i = 0; i < reg->nprompts && n < max; i++)
		if (reg->prompts[i]->scope != NULL)
			u[n++] = (struct unlock){ "Prompt",
			    reg->prompts[i]->title ?
			    reg->prompts[i]->title : reg->prompts[i]->name,
			    reg->prompts[i]->scope };
	return n;
}

/* The template variables of one scope of the consent page. */
#define SCOPE_VARS	8
#define UNLOCK_VARS	2
#define UNLOCKS_MAX	256

struct scope_list {
	struct tmpl_var		 v[CONFIG_LIST_MAX][SCOPE_VARS];
	struct tmpl_scope	 items[CONFIG_LIST_MAX];
	char			 names[CONFIG_LIST_MAX][SCOPE_NAME_MAX + 1];
	char			 fields[CONFIG_LIST_MAX][16];
	char			 ids[CONFIG_LIST_MAX][16];
	size_t			 n;
};

/*
 * Fills l with the scopes of list, each with its text, its checkbox's
 * field and id (index from base), whether it is the fixed one, and what
 * it unlocks (things, whose variables go to tv and ts from *used on).
 */
static void
scope_items(const struct config *cfg, const char *list, const char *fixed,
    size_t base, const struct unlock *u, size_t nu, struct tmpl_var *tv,
    struct tmpl_scope *ts, size_t *used, struct scope_list *l)
{
	const char	*p;
	size_t		 len, j, first;

	l->n = 0;
	for (p = list; *p != '\0' && l->n < CONFIG_LIST_MAX; p += len) {
		struct tmpl_var	*v = l->v[l->n];
		char		*name = l->names[l->n];

		if (*p == ' ') {
			len = 1;
			continue;
		}
		len = strcspn(p, " ");
		snprintf(name, SCOPE_NAME_MAX + 1, "%.*s", (int)len, p);
		snprintf(l->fields[l->n], sizeof(l->fields[0]), "%s%zu",
		    CONSENT_FIELD_SCOPE, base + l->n);
		snprintf(l->ids[l->n], sizeof(l->ids[0]), "scope-%zu",
		    base + l->n);
		first = *used;
		for (j = 0; j < nu && *used < UNLOCKS_MAX; j++) {
			if (!scope_allows(name, u[j].need))
				continue;
			tv[*used * UNLOCK_VARS] = (struct tmpl_var){
			    .name = "kind", .str = u[j].kind };
			tv[*used * UNLOCK_VARS + 1] = (struct tmpl_var){
			    .name = "label", .str = u[j].label };
			ts[*used].vars = &tv[*used * UNLOCK_VARS];
			ts[*used].nvars = UNLOCK_VARS;
			(*used)++;
		}
		v[0] = (struct tmpl_var){ .name = "name", .str = name };
		v[1] = (struct tmpl_var){ .name = "text",
		    .str = config_scope_text(cfg, name) };
		v[2] = (struct tmpl_var){ .name = "field",
		    .str = l->fields[l->n] };
		v[3] = (struct tmpl_var){ .name = "id", .str = l->ids[l->n] };
		v[4] = (struct tmpl_var){ .name = "fixed", .type = TMPL_BOOL,
		    .b = fixed != NULL && strcmp(fixed, name) == 0 };
		v[5] = (struct tmpl_var){ .name = "unlocks",
		    .type = TMPL_LIST, .items = &ts[first],
		    .nitems = *used - first };
		v[6] = (struct tmpl_var){ .name = "has_unlocks",
		    .type = TMPL_BOOL, .b = *used > first };
		/* Ticked by default: an approval gives what was asked. */
		v[7] = (struct tmpl_var){ .name = "checked",
		    .type = TMPL_BOOL, .b = 1 };
		l->items[l->n].vars = v;
		l->items[l->n].nvars = SCOPE_VARS;
		l->n++;
	}
}

/*
 * The consent page: who asks, for which scopes (each with its text
 * from the configuration and the tools, resources and prompts of reg
 * it unlocks, a checkbox for each optional one), and where the answer
 * goes.  o says what the user may grant (consent_offer()); scopes she
 * granted before are listed apart, and those her administrator does
 * not allow are named.  Every value is escaped by the template.
 */
void
authpage_consent(const struct config *cfg, struct http_response *resp,
    const struct client *c, const struct pending *pd, const char *user,
    const char *request, const char *csrf, const struct consent_offer *o,
    const struct mcp_server *reg)
{
	/*
	 * A granted scope is a set of configured scopes, so it has at most
	 * CONFIG_LIST_MAX names of at most SCOPE_NAME_MAX bytes each.  The
	 * host is a part of the redirect URI.  The lists are static, as
	 * they are too large for a small stack: the programs answer one
	 * request at a time.
	 */
	static struct scope_list choices, granted, refused;
	static struct tmpl_var	 tv[UNLOCKS_MAX * UNLOCK_VARS];
	static struct tmpl_scope ts[UNLOCKS_MAX];
	static struct unlock	 u[UNLOCKS_MAX];
	static char		 newscopes[CONSENT_SCOPES_MAX];
	struct buf		 b;
	char			 host[REDIRECT_URI_MAX + 1];
	char			 until[64], domain[CIMD_HOST_MAX + 1];
	char			 code[USERCODE_DISPLAY_LEN + 1];
	size_t			 nu, used = 0;
	int			 loopback, custom, device;

	nu = unlocks_of(reg, u, UNLOCKS_MAX);
	buf_init(&b);
	scope_minus(cfg, o->offered, o->granted, &b);
	snprintf(newscopes, sizeof(newscopes), "%s", buf_cstr(&b));
	buf_free(&b);
	scope_items(cfg, newscopes, o->fixed, 0, u, nu, tv, ts, &used,
	    &choices);
	scope_items(cfg, o->granted, NULL, 0, u, nu, tv, ts, &used, &granted);
	scope_items(cfg, o->refused, NULL, 0, u, 0, tv, ts, &used, &refused);
	authpage_redirect_host(pd->redirect_uri, host, sizeof(host),
	    &loopback, &custom);
	consent_grant_end(cfg, time(NULL), until, sizeof(until));
	client_domain(c, domain, sizeof(domain));
	/*
	 * A request from the device verification page goes to no
	 * redirect URI: the page shows the code the device must show
	 * instead (RFC 8628 §5.4).
	 */
	device = (pd->prompt & PENDING_DEVICE) != 0;
	if (device && strlen(pd->state) == USERCODE_LEN)
		usercode_display(pd->state, code);
	else
		code[0] = '\0';
	if (device)
		loopback = custom = 0;
	{
		const struct tmpl_var	 v[] = {
			{ .name = "client_name",
			    .str = c->name != NULL ? c->name : c->id },
			{ .name = "self_declared", .type = TMPL_BOOL,
			    .b = self_declared(c) },
			{ .name = "client_domain", .str = domain },
			{ .name = "user", .str = user },
			{ .name = "scopes", .type = TMPL_LIST,
			    .items = choices.items, .nitems = choices.n },
			{ .name = "granted", .type = TMPL_LIST,
			    .items = granted.items, .nitems = granted.n },
			{ .name = "refused", .type = TMPL_LIST,
			    .items = refused.items, .nitems = refused.n },
			{ .name = "has_scopes", .type = TMPL_BOOL,
			    .b = choices.n > 0 },
			{ .name = "has_granted", .type = TMPL_BOOL,
			    .b = granted.n > 0 },
			{ .name = "has_refused", .type = TMPL_BOOL,
			    .b = refused.n > 0 },
			{ .name = "redirect_host", .str = host },
			{ .name = "grant_end", .str = until },
			{ .name = "loopback", .type = TMPL_BOOL,
			    .b = loopback },
			{ .name = "custom_scheme", .type = TMPL_BOOL,
			    .b = custom },
			{ .name = "device", .type = TMPL_BOOL, .b = device },
			{ .name = "user_code", .str = code },
			{ .name = "request", .str = request },
			{ .name = "csrf", .str = csrf },
		};

		page_render(cfg, resp, 200, "consent", "Allow access?", v,
		    NELEM(v));
	}
}

/*
 * The page for a request that asks only for scopes the user's
 * administrator does not allow her (refused: their names): nothing is
 * sent to the client, since nothing was approved.
 */
void
authpage_scope_refused(const struct config *cfg, struct http_response *resp,
    const char *refused)
{
	char	 msg[CONSENT_SCOPES_MAX + 160];

	snprintf(msg, sizeof(msg), "The application asks for access that "
	    "the administrator of this server has not allowed you to give: "
	    "%s.", refused);
	page_error(cfg, resp, 403, "Access not allowed", msg,
	    "Nothing was sent to the application. Ask the administrator if "
	    "you need this access.");
}

/*
 * Redirects the browser to the client: redirect_uri with params (name,
 * value pairs, NULL values skipped) and iss added (RFC 9207).  302,
 * never 307 (RFC 9700 section 4.12).
 */
void
authpage_redirect(const struct config *cfg, struct http_response *resp,
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
	url_escape(&b, cfg->issuer);
	http_status(resp, 302);
	if (buf_failed(&b) || http_header(resp, "Location", buf_cstr(&b)) ==
	    -1) {
		buf_free(&b);
		authpage_server_error(cfg, resp, STORE_ENOMEM);
		return;
	}
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Referrer-Policy", "no-referrer");
	buf_free(&b);
}

/* An error redirect (RFC 6749 section 4.1.2.1); state NULL: none. */
void
authpage_redirect_error(const struct config *cfg, struct http_response *resp,
    const char *redirect_uri, const char *state, const char *error,
    const char *description)
{
	char		 text[OAUTH_TEXT_MAX];
	const char	*params[] = {
		"error", error,
		"error_description", text,
		"state", state,
	};

	oauth_text_clean(text, sizeof(text), description);
	authpage_redirect(cfg, resp, redirect_uri, params, NELEM(params));
}

/*
 * The device verification page (RFC 8628 §3.3): the form for the user
 * code, filled in from verification_uri_complete (user_code, as the
 * person will check it against the device), with an error from the
 * last attempt or NULL.
 */
void
authpage_device(const struct config *cfg, struct http_response *resp,
    int status, const char *user_code, const char *csrf, const char *error)
{
	const struct tmpl_var	 v[] = {
		{ .name = "user_code",
		    .str = user_code != NULL ? user_code : "" },
		{ .name = "csrf", .str = csrf },
		{ .name = "error", .str = error != NULL ? error : "" },
	};

	page_render(cfg, resp, status, "device", "Connect a device", v,
	    NELEM(v));
}

/* The end of the device verification: approved or denied. */
void
authpage_device_done(const struct config *cfg, struct http_response *resp,
    const char *title, const char *message)
{
	const struct tmpl_var	 v[] = {
		{ .name = "message", .str = message },
	};

	page_render(cfg, resp, 200, "device-done", title, v, NELEM(v));
}

/*
 * Reads a web form POSTed to one of our pages into f (limited by lim,
 * lim->total bytes at most) from in.  Returns 0, or -1 after an error
 * page; refused is the message of the page for a post from elsewhere.
 *
 * Our forms are posted only from our own pages.  A browser that says
 * the request comes from another origin, even another host of the same
 * site, is refused before the form is read (http_same_origin_post()):
 * the CSRF token already stops a page elsewhere, and this also stops a
 * sibling host that has tossed a cookie of its choosing at us.
 */
int
authpage_read_form(const struct config *cfg, struct http_request *req,
    const struct http_io *in, const struct form_limits *lim,
    const char *refused, struct form *f, struct http_response *resp)
{
	int	 rc;

	if (!http_same_origin_post(req)) {
		page_error(cfg, resp, 403, "Request refused", refused, NULL);
		return -1;
	}
	if (!http_content_type_is(req, "application/x-www-form-urlencoded")) {
		authpage_error(cfg, resp, AUTHPAGE_NOT_A_FORM);
		return -1;
	}
	if (http_read_body(req, in, lim->total) != HTTP_OK) {
		authpage_error(cfg, resp, AUTHPAGE_FORM_TOO_LARGE);
		return -1;
	}
	if ((rc = form_parse(req->body, req->body_len, lim, f)) != FORM_OK) {
		page_error(cfg, resp, 400, "Malformed form",
		    form_strerror(rc), NULL);
		return -1;
	}
	return 0;
}
