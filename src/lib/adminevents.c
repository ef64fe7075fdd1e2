/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * /admin/events: the audit trail (audit.h), newest first, EVENTS_PAGE
 * at a time, filtered by user, client, kind and a first day.  A page
 * looks at EVENTS_SCAN events at most, matching or not, so that a rare
 * filter never makes one request walk the whole trail: when the bound
 * stops it, the "older" link goes on from where it stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accountpage.h"
#include "adminquery.h"
#include "adminweb.h"
#include "audit.h"
#include "grantlist.h"
#include "store.h"

#define EVENTS_PAGE	100
#define EVENTS_SCAN	10000
#define EVENT_VARS	7
#define KIND_VARS	2
/* "2026-12-01" */
#define DATE_LEN	10

struct event_text {
	char		 when[40], iso[32];
	struct tmpl_var	 v[EVENT_VARS];
};

struct events_read {
	struct audit_event	*ev;
	size_t			 n;
	size_t			 seen;		/* the second pass */
	int64_t			 oldest_us;
};

struct kind_option {
	struct tmpl_var	 v[KIND_VARS];
};

static int
keep_event(const struct audit_event *ev, void *arg)
{
	struct events_read	*r = arg;

	r->ev[r->n++] = *ev;
	return 0;
}

static int
count_event(const struct audit_event *ev, void *arg)
{
	struct events_read	*r = arg;

	r->seen++;
	r->oldest_us = ev->time_us;
	return 0;
}

/* "YYYY-MM-DD" to the microsecond of its start (UTC); -1 if not one. */
static int64_t
parse_date(const char *s)
{
	struct tm	 tm;
	int		 y, m, d;
	char		 end;
	time_t		 t;

	if (strlen(s) != DATE_LEN || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d,
	    &end) != 3 || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    s[4] != '-' || s[7] != '-')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return -1;
	return (int64_t)t * 1000000;
}

static void
events_get(struct adminweb *w)
{
	struct audit_filter	 f, all;
	struct events_read	 r;
	struct event_text	*text = NULL;
	struct tmpl_scope	*items = NULL, kinds[AUDIT__MAX];
	struct kind_option	 opt[AUDIT__MAX];
	struct store		*st;
	struct store_txn	*t = NULL;
	struct buf		 older;
	const char		*error = NULL, *since, *kind, *before;
	int			 toolong = 0;
	char			 scanned[128], unknown_text[400];
	struct grantlist_filter	 names;
	enum grantlist_unknown	 unknown = GRANTLIST_KNOWN;
	int64_t			 older_us = 0;
	size_t			 i, nkinds = 0;
	int			 rc;

	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	buf_init(&older);
	scanned[0] = '\0';
	f.user = adminquery_field(w->form, "user", AUDIT_USER_MAX,
	    &toolong);
	f.client = adminquery_field(w->form, "client",
	    AUDIT_CLIENT_MAX, &toolong);
	if ((kind = adminquery_field(w->form, "kind", 32,
	    &toolong)) != NULL &&
	    (f.kind = audit_kind_parse(kind)) == 0) {
		error = "Unknown kind of event: it was left out.";
		kind = NULL;
	}
	if ((since = adminquery_field(w->form, "since",
	    DATE_LEN, &toolong)) != NULL &&
	    (f.since_us = parse_date(since)) < 0) {
		error = "The date must be written as 2026-12-01.";
		f.since_us = 0;
		since = NULL;
	}
	if ((before = adminquery_field(w->form, "before", 20,
	    &toolong)) != NULL) {
		char		*end;
		long long	 b = strtoll(before, &end, 10);

		if (*end != '\0' || b <= 0)
			error = "The page asked for is malformed; the newest "
			    "events are shown.";
		else
			f.before_us = b;
	}
	if (toolong)
		error = "A filter field is too long; it was left out.";
	f.limit = EVENTS_PAGE;
	f.scan = EVENTS_SCAN;
	if ((r.ev = calloc(EVENTS_PAGE, sizeof(*r.ev))) == NULL ||
	    (text = calloc(EVENTS_PAGE, sizeof(*text))) == NULL ||
	    (items = calloc(EVENTS_PAGE, sizeof(*items))) == NULL) {
		rc = STORE_ENOMEM;
		goto fail;
	}
	memset(&names, 0, sizeof(names));
	names.user = f.user;
	names.client = f.client;
	if ((rc = app_store(w->a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK ||
	    (rc = grantlist_known(t, &names, &unknown)) != STORE_OK ||
	    (rc = audit_list(t, &f, keep_event, &r)) != STORE_OK)
		goto fail;
	if (r.n == EVENTS_PAGE)
		older_us = r.ev[r.n - 1].time_us;
	else {
		/*
		 * Fewer than a page: the end of the trail, or the scan
		 * bound.  The same walk unfiltered says which, and where
		 * it stopped.
		 */
		memset(&all, 0, sizeof(all));
		all.since_us = f.since_us;
		all.before_us = f.before_us;
		all.scan = EVENTS_SCAN;
		if ((rc = audit_list(t, &all, count_event, &r)) != STORE_OK)
			goto fail;
		if (r.seen >= EVENTS_SCAN) {
			older_us = r.oldest_us;
			snprintf(scanned, sizeof(scanned), "%d", EVENTS_SCAN);
		}
	}
	store_abort(t);
	t = NULL;
	/* The trail keeps the events of a deleted user or client. */
	unknown_text[0] = '\0';
	if (unknown != GRANTLIST_KNOWN)
		snprintf(unknown_text, sizeof(unknown_text), "There is no %s "
		    "named \"%s\" now; the events of one deleted are still "
		    "shown.", unknown == GRANTLIST_NO_USER ? "user" : "client",
		    unknown == GRANTLIST_NO_USER ? f.user : f.client);
	adminquery_add(&older, "user", f.user);
	adminquery_add(&older, "client", f.client);
	adminquery_add(&older, "kind", kind);
	adminquery_add(&older, "since", since);
	if (older_us > 0) {
		char	 b[24];

		snprintf(b, sizeof(b), "%lld", (long long)older_us);
		adminquery_add(&older, "before", b);
	}
	for (i = 0; i < r.n; i++) {
		const struct audit_event	*ev = &r.ev[i];
		struct event_text		*x = &text[i];

		accountpage_event_time(ev->time_us, x->when, sizeof(x->when),
		    x->iso, sizeof(x->iso));
		x->v[0] = (struct tmpl_var){ .name = "when", .str = x->when };
		x->v[1] = (struct tmpl_var){ .name = "iso", .str = x->iso };
		x->v[2] = (struct tmpl_var){ .name = "kind",
		    .str = audit_kind_name(ev->kind) };
		x->v[3] = (struct tmpl_var){ .name = "user", .str = ev->user };
		x->v[4] = (struct tmpl_var){ .name = "client",
		    .str = ev->client };
		x->v[5] = (struct tmpl_var){ .name = "addr", .str = ev->addr };
		x->v[6] = (struct tmpl_var){ .name = "detail",
		    .str = ev->detail };
		items[i].vars = x->v;
		items[i].nvars = EVENT_VARS;
	}
	for (i = 1; i < AUDIT__MAX; i++, nkinds++) {
		struct kind_option	*o = &opt[nkinds];

		o->v[0] = (struct tmpl_var){ .name = "name",
		    .str = audit_kind_name((int)i) };
		o->v[1] = (struct tmpl_var){ .name = "selected",
		    .type = TMPL_BOOL, .b = f.kind == (int)i };
		kinds[nkinds].vars = o->v;
		kinds[nkinds].nvars = KIND_VARS;
	}
	{
		const struct tmpl_var	 v[] = {
			{ .name = "filter_user", .str = f.user != NULL ?
			    f.user : "" },
			{ .name = "filter_client", .str = f.client != NULL ?
			    f.client : "" },
			{ .name = "filter_since", .str = since != NULL ?
			    since : "" },
			{ .name = "any_kind", .type = TMPL_BOOL,
			    .b = f.kind == 0 },
			{ .name = "kinds", .type = TMPL_LIST, .items = kinds,
			    .nitems = nkinds },
			{ .name = "events", .type = TMPL_LIST, .items = items,
			    .nitems = r.n },
			{ .name = "has_events", .type = TMPL_BOOL,
			    .b = r.n > 0 },
			{ .name = "has_older", .type = TMPL_BOOL,
			    .b = older_us > 0 },
			{ .name = "older", .str = buf_cstr(&older) },
			{ .name = "scan_stopped", .type = TMPL_BOOL,
			    .b = scanned[0] != '\0' },
			{ .name = "scanned", .str = scanned },
			{ .name = "per_page", .str = "100" },
			{ .name = "unknown", .str = unknown_text },
		};

		adminweb_render(w, error != NULL ? 400 : 200, "admin-events",
		    v, sizeof(v) / sizeof(v[0]), NULL, error);
	}
	goto out;
fail:
	if (t != NULL)
		store_abort(t);
	adminweb_server_error(w, rc);
out:
	free(r.ev);
	free(text);
	free(items);
	buf_free(&older);
}

const struct adminweb_page adminevents_page = {
	"events", "Audit trail", events_get, NULL
};
