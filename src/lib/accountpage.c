/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "accountpage.h"
#include "activity.h"
#include "authpage.h"
#include "cimd.h"
#include "client.h"
#include "config.h"
#include "http.h"
#include "page.h"
#include "redirect.h"
#include "scope.h"
#include "store.h"
#include "template.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The variables of one application on the page. */
#define APP_VARS	11
/* Room for accountpage_time()'s "2026-12-03 07:44 UTC". */
#define TIME_MAX	32

/* The sign-in page's message after too many failures, as /authorize's. */
#define THROTTLED_TEXT	\
	"Too many failed sign-ins. Try again in %ld minute%s."

/* A time as the page shows it, in UTC; "never" for 0. */
void
accountpage_time(int64_t when, char *out, size_t outsz)
{
	struct tm	 tm;
	time_t		 t = (time_t)when;

	if (outsz == 0)
		return;
	if (when == 0) {
		snprintf(out, outsz, "never");
		return;
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		out[0] = '\0';
}

/* One application's texts, kept alive while the page renders. */
struct app_text {
	char		 host[REDIRECT_URI_MAX + 1];
	char		 domain[CIMD_HOST_MAX + 1];
	char		 created[TIME_MAX];
	char		 last_used[TIME_MAX];
	char		 expires[TIME_MAX];
	char		 ends[TIME_MAX];
	char		 names[CONFIG_LIST_MAX][SCOPE_NAME_MAX + 1];
	struct tmpl_var	 sv[CONFIG_LIST_MAX][2];
	struct tmpl_scope scopes[CONFIG_LIST_MAX];
	size_t		 nscopes;
	struct tmpl_var	 v[APP_VARS];
};

/*
 * The page's variables for app a.  The name is self-declared unless
 * the administrator registered the client (the consent page's rule);
 * a metadata document client shows the host that served its document.
 */
static void
app_vars(const struct config *cfg, const struct account_app *a,
    struct app_text *x)
{
	struct cimd_url	 u;
	const char	*p;
	size_t		 len;
	int		 loopback, custom;

	x->nscopes = 0;
	for (p = a->scope; *p != '\0' && x->nscopes < CONFIG_LIST_MAX;
	    p += len) {
		if (*p == ' ') {
			len = 1;
			continue;
		}
		len = strcspn(p, " ");
		snprintf(x->names[x->nscopes], sizeof(x->names[0]), "%.*s",
		    (int)len, p);
		x->sv[x->nscopes][0].name = "name";
		x->sv[x->nscopes][0].str = x->names[x->nscopes];
		x->sv[x->nscopes][1].name = "text";
		x->sv[x->nscopes][1].str = config_scope_text(cfg,
		    x->names[x->nscopes]);
		x->scopes[x->nscopes].vars = x->sv[x->nscopes];
		x->scopes[x->nscopes].nvars = 2;
		x->nscopes++;
	}
	if (a->redirect_uri != NULL)
		authpage_redirect_host(a->redirect_uri, x->host,
		    sizeof(x->host), &loopback, &custom);
	else
		x->host[0] = '\0';
	x->domain[0] = '\0';
	if ((a->client_flags & CLIENT_CIMD) &&
	    cimd_url_parse(a->client_id, &u) == CIMD_OK)
		snprintf(x->domain, sizeof(x->domain), "%s", u.host);
	accountpage_time(a->created, x->created, sizeof(x->created));
	accountpage_time(a->last_used, x->last_used, sizeof(x->last_used));
	accountpage_time(a->expires, x->expires, sizeof(x->expires));
	accountpage_time(a->ends, x->ends, sizeof(x->ends));
	memset(x->v, 0, sizeof(x->v));
	x->v[0].name = "grant";
	x->v[0].str = a->grant_id;
	x->v[1].name = "name";
	x->v[1].str = a->client_name != NULL ? a->client_name : a->client_id;
	x->v[2].name = "self_declared";
	x->v[2].type = TMPL_BOOL;
	x->v[2].b = (a->client_flags & (CLIENT_DYNAMIC | CLIENT_CIMD)) != 0;
	x->v[3].name = "domain";
	x->v[3].str = x->domain;
	x->v[4].name = "redirect_host";
	x->v[4].str = x->host;
	x->v[5].name = "scopes";
	x->v[5].type = TMPL_LIST;
	x->v[5].items = x->scopes;
	x->v[5].nitems = x->nscopes;
	x->v[6].name = "granted";
	x->v[6].str = x->created;
	x->v[7].name = "last_used";
	x->v[7].str = x->last_used;
	x->v[8].name = "expires";
	x->v[8].str = x->expires;
	/* Shown when a use pushes the expiry on, up to the grant's end. */
	x->v[9].name = "ends";
	x->v[9].str = a->renews && a->ends > a->expires ? x->ends : "";
	x->v[10].name = "client_id";
	x->v[10].str = a->client_id;
}

/* One session's texts. */
struct session_text {
	char		 created[TIME_MAX];
	char		 expires[TIME_MAX];
	struct tmpl_var	 v[4];
};

static void
session_vars(const struct account_session *s, struct session_text *x)
{
	accountpage_time(s->created, x->created, sizeof(x->created));
	accountpage_time(s->expires, x->expires, sizeof(x->expires));
	memset(x->v, 0, sizeof(x->v));
	x->v[0].name = "id";
	x->v[0].str = s->id;
	x->v[1].name = "created";
	x->v[1].str = x->created;
	x->v[2].name = "expires";
	x->v[2].str = x->expires;
	x->v[3].name = "current";
	x->v[3].type = TMPL_BOOL;
	x->v[3].b = s->current;
}

/* One line of the recent activity's texts. */
struct activity_text {
	char		 when[TIME_MAX];
	char		 iso[TIME_MAX];
	char		 since[TIME_MAX];
	char		 times[24];
	struct tmpl_var	 v[8];
};

/*
 * A time of the audit trail (microseconds) to the second, as the page
 * shows it and as a <time> element's datetime.
 */
void
accountpage_event_time(int64_t us, char *text, size_t textsz, char *iso,
    size_t isosz)
{
	struct tm	 tm;
	time_t		 t = (time_t)(us / 1000000);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(text, textsz, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0 ||
	    strftime(iso, isosz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		text[0] = iso[0] = '\0';
}

/*
 * The page's variables for line l: its time, its words around the
 * client's name (or id), how many events it stands for when more than
 * one and since when, and the address.
 */
static void
activity_vars(const struct activity_line *l, struct activity_text *x)
{
	struct activity_words	 w;
	char			 iso[TIME_MAX];

	activity_words(l, &w);
	accountpage_event_time(l->time_us, x->when, sizeof(x->when), x->iso,
	    sizeof(x->iso));
	x->times[0] = x->since[0] = '\0';
	if (l->count > 1) {
		snprintf(x->times, sizeof(x->times), "%lu", l->count);
		accountpage_event_time(l->first_us, x->since,
		    sizeof(x->since), iso,
		    sizeof(iso));
	}
	memset(x->v, 0, sizeof(x->v));
	x->v[0].name = "when";
	x->v[0].str = x->when;
	x->v[1].name = "iso";
	x->v[1].str = x->iso;
	x->v[2].name = "before";
	x->v[2].str = w.before;
	x->v[3].name = "client";
	x->v[3].str = !w.names_client ? "" : l->client_name != NULL ?
	    l->client_name : l->client[0] != '\0' ? l->client :
	    "an application";
	x->v[4].name = "after";
	x->v[4].str = w.after;
	x->v[5].name = "times";
	x->v[5].str = x->times;
	x->v[6].name = "since";
	x->v[6].str = x->since;
	x->v[7].name = "addr";
	x->v[7].str = l->addr;
}

/* The account page (account.html). */
void
accountpage_show(const struct config *cfg, struct http_response *resp,
    int status, const struct accountpage *p)
{
	struct app_text		*apps = NULL;
	struct session_text	*sessions = NULL;
	struct activity_text	*activity = NULL;
	struct tmpl_scope	*app_items = NULL, *session_items = NULL;
	struct tmpl_scope	*activity_items = NULL;
	char			 days[24], most[24];
	size_t			 i;

	if ((p->napps > 0 && ((apps = calloc(p->napps, sizeof(*apps))) ==
	    NULL || (app_items = calloc(p->napps, sizeof(*app_items))) ==
	    NULL)) || (p->nsessions > 0 && ((sessions = calloc(p->nsessions,
	    sizeof(*sessions))) == NULL || (session_items =
	    calloc(p->nsessions, sizeof(*session_items))) == NULL)) ||
	    (p->nactivity > 0 && ((activity = calloc(p->nactivity,
	    sizeof(*activity))) == NULL || (activity_items =
	    calloc(p->nactivity, sizeof(*activity_items))) == NULL))) {
		authpage_server_error(cfg, resp, STORE_ENOMEM);
		goto out;
	}
	for (i = 0; i < p->napps; i++) {
		app_vars(cfg, &p->apps[i], &apps[i]);
		app_items[i].vars = apps[i].v;
		app_items[i].nvars = APP_VARS;
	}
	for (i = 0; i < p->nsessions; i++) {
		session_vars(&p->sessions[i], &sessions[i]);
		session_items[i].vars = sessions[i].v;
		session_items[i].nvars = NELEM(sessions[i].v);
	}
	for (i = 0; i < p->nactivity; i++) {
		activity_vars(&p->activity[i], &activity[i]);
		activity_items[i].vars = activity[i].v;
		activity_items[i].nvars = NELEM(activity[i].v);
	}
	snprintf(most, sizeof(most), "%d", ACTIVITY_MAX);
	days[0] = '\0';
	if (p->activity_days > 0)
		snprintf(days, sizeof(days), "%lld",
		    (long long)p->activity_days);
	{
		const struct tmpl_var	 v[] = {
			{ .name = "user", .str = p->user },
			{ .name = "csrf", .str = p->csrf },
			{ .name = "apps", .type = TMPL_LIST,
			    .items = app_items, .nitems = p->napps },
			{ .name = "has_sessions", .type = TMPL_BOOL,
			    .b = p->has_sessions },
			{ .name = "sessions", .type = TMPL_LIST,
			    .items = session_items, .nitems = p->nsessions },
			{ .name = "password", .type = TMPL_BOOL,
			    .b = p->password },
			{ .name = "has_activity", .type = TMPL_BOOL,
			    .b = p->nactivity > 0 },
			{ .name = "activity", .type = TMPL_LIST,
			    .items = activity_items, .nitems = p->nactivity },
			{ .name = "activity_max", .str = most },
			{ .name = "days", .str = days },
			{ .name = "notice",
			    .str = p->notice != NULL ? p->notice : "" },
			{ .name = "error",
			    .str = p->error != NULL ? p->error : "" },
		};

		page_render(cfg, resp, status, "account", "Your account", v,
		    NELEM(v));
	}
out:
	free(apps);
	free(app_items);
	free(sessions);
	free(session_items);
	free(activity);
	free(activity_items);
}

/*
 * The account page's sign-in form (account-login.html), for the
 * pending request request (PENDING_ACCOUNT_SIGNIN) with its CSRF token:
 * it posts to /authorize, whose sign-in (signin.c) counts and limits
 * it with the login page's.
 */
void
accountpage_login(const struct config *cfg, struct http_response *resp,
    int status, const char *request, const char *csrf, const char *username,
    const char *error)
{
	const struct tmpl_var	 v[] = {
		{ .name = "request", .str = request },
		{ .name = "csrf", .str = csrf },
		{ .name = "username", .str = username != NULL ? username : "" },
		{ .name = "error", .str = error != NULL ? error : "" },
	};

	page_render(cfg, resp, status, "account-login", "Sign in", v,
	    NELEM(v));
}

/* The sign-in form again after too many failures: 429, Retry-After. */
void
accountpage_login_throttled(const struct config *cfg,
    struct http_response *resp, const char *request, const char *csrf,
    const char *username, long retry_after)
{
	char	 msg[sizeof(THROTTLED_TEXT) +
		    sizeof("-9223372036854775808")];
	long	 minutes = (retry_after + 59) / 60;

	snprintf(msg, sizeof(msg), THROTTLED_TEXT, minutes,
	    minutes == 1 ? "" : "s");
	http_headerf(resp, "Retry-After", "%ld", retry_after);
	accountpage_login(cfg, resp, 429, request, csrf, username, msg);
}
