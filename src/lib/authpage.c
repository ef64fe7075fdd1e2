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
#include "http.h"
#include "log.h"
#include "oauth.h"
#include "page.h"
#include "redirect.h"
#include "scope.h"
#include "session.h"
#include "store.h"
#include "template.h"
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
 * The consent page: who asks, for which scopes (each with its text
 * from the configuration), and where the answer goes.
 */
void
authpage_consent(const struct config *cfg, struct http_response *resp,
    const struct client *c, const struct pending *pd, const char *user,
    const char *request, const char *csrf)
{
	/*
	 * A granted scope is a set of configured scopes, so it has at most
	 * CONFIG_LIST_MAX names of at most SCOPE_NAME_MAX bytes each.  The
	 * host is a part of the redirect URI.
	 */
	struct tmpl_var		 sv[CONFIG_LIST_MAX][2];
	struct tmpl_scope	 items[CONFIG_LIST_MAX];
	char			 host[REDIRECT_URI_MAX + 1];
	char			 names[CONFIG_LIST_MAX][SCOPE_NAME_MAX + 1];
	char			 until[64], domain[CIMD_HOST_MAX + 1];
	char			 code[USERCODE_DISPLAY_LEN + 1];
	const char		*p;
	size_t			 n = 0, len;
	int			 loopback, custom, device;

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
		sv[n][1].str = config_scope_text(cfg, names[n]);
		items[n].vars = sv[n];
		items[n].nvars = NELEM(sv[n]);
		n++;
	}
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
			    .items = items, .nitems = n },
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
