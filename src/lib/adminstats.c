/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The statistics page (/admin, /admin/stats): what the database holds
 * and how full it is, as "mcp-oauth-admin stats" tells it (both read
 * dbstats_read()), and one action, "purge now", the pass that
 * "mcp-oauth-admin purge" runs from cron.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "adminweb.h"
#include "audit.h"
#include "authpage.h"
#include "dbstats.h"
#include "form.h"
#include "purge.h"
#include "store.h"

/* Above this share of db_map_size the page warns, as stats does. */
#define FULL_WARN_PERCENT	80.0

#define NUM_MAX		24

/* The notices after an action, named in the 303's query. */
static const struct {
	const char	*name;
	const char	*text;
} notices[] = {
	{ "purged", "Purge done: expired records are removed." },
};

static void	stats_get(struct adminweb *);
static void	stats_post(struct adminweb *, const char *);

const struct adminweb_page adminstats_page = {
	.path = "stats",
	.title = "Statistics",
	.get = stats_get,
	.post = stats_post,
};

static void
number(char *b, unsigned long long n)
{
	snprintf(b, NUM_MAX, "%llu", n);
}

static void
stats_get(struct adminweb *w)
{
	enum {
		V_USERS, V_CLIENTS, V_DYNAMIC, V_ADMIN, V_CIMD, V_GRANTS,
		V_ACCESS, V_REFRESH, V_SESSIONS, V_PENDING, V_EVENTS,
		V_USED, V_MAP, V_PERCENT, V_READERS, V_MAX_READERS,
		V_LAST_PURGE, V_NSTR
	};
	static const char *const names[V_NSTR] = {
		"users", "clients", "clients_dynamic", "clients_admin",
		"clients_cimd", "active_grants", "access_tokens",
		"refresh_tokens", "sessions", "pending", "audit_events",
		"used_mib", "map_mib", "percent", "readers", "max_readers",
		"last_purge",
	};
	struct tmpl_var		 v[V_NSTR + 1];
	struct dbstats		 s;
	struct store		*st;
	struct tm		 tm;
	time_t			 tt;
	char			 b[V_NSTR][NUM_MAX + 8];
	const char		*done, *notice = NULL;
	unsigned long		 admin_clients;
	size_t			 i;
	int			 rc;

	if ((rc = app_store(w->a, &st)) != STORE_OK ||
	    (rc = dbstats_read(st, time(NULL), &s)) != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	admin_clients = s.entries[DB_CLIENTS] - s.cimd_clients -
	    s.dynamic_clients;
	number(b[V_USERS], s.entries[DB_USERS]);
	number(b[V_CLIENTS], s.entries[DB_CLIENTS]);
	number(b[V_DYNAMIC], s.dynamic_clients);
	number(b[V_ADMIN], admin_clients);
	number(b[V_CIMD], s.cimd_clients);
	number(b[V_GRANTS], s.active_grants);
	number(b[V_ACCESS], s.access_tokens);
	number(b[V_REFRESH], s.refresh_tokens);
	number(b[V_SESSIONS], s.entries[DB_SESSIONS]);
	number(b[V_PENDING], s.entries[DB_PENDING]);
	number(b[V_EVENTS], s.entries[DB_AUDIT]);
	snprintf(b[V_USED], sizeof(b[V_USED]), "%.1f",
	    (double)s.used_bytes / (1024 * 1024));
	snprintf(b[V_MAP], sizeof(b[V_MAP]), "%zu", s.map_size >> 20);
	snprintf(b[V_PERCENT], sizeof(b[V_PERCENT]), "%.1f",
	    s.usage_percent);
	number(b[V_READERS], s.reader_slots);
	number(b[V_MAX_READERS], s.max_readers);
	tt = (time_t)s.last_purge;
	if (s.last_purge <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(b[V_LAST_PURGE], sizeof(b[V_LAST_PURGE]),
	    "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(b[V_LAST_PURGE], sizeof(b[V_LAST_PURGE]), "never");
	memset(v, 0, sizeof(v));
	for (i = 0; i < V_NSTR; i++) {
		v[i].name = names[i];
		v[i].str = b[i];
	}
	v[V_NSTR].name = "full";
	v[V_NSTR].type = TMPL_BOOL;
	v[V_NSTR].b = s.usage_percent >= FULL_WARN_PERCENT;
	/* Only the fixed notices: nothing from the query is shown. */
	if ((done = form_get(w->form, "done")) != NULL)
		for (i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
			if (strcmp(done, notices[i].name) == 0)
				notice = notices[i].text;
	adminweb_render(w, 200, "admin-stats", v, V_NSTR + 1, notice, NULL);
}

/*
 * "purge now": one whole purge pass and the audit trail's bounds, as
 * "mcp-oauth-admin purge" does, in transactions small enough that the
 * site goes on meanwhile.
 */
static void
stats_post(struct adminweb *w, const char *action)
{
	struct purge_counts	 c;
	struct store		*st;
	size_t			 audit_n = 0;
	int			 rc;

	if (strcmp(action, "purge") != 0) {
		authpage_error(w->a->cfg, w->resp, AUTHPAGE_UNKNOWN_ACTION);
		return;
	}
	memset(&c, 0, sizeof(c));
	if ((rc = app_store(w->a, &st)) == STORE_OK)
		rc = purge_run(st, time(NULL),
		    w->a->cfg->registration_unused_lifetime, PURGE_BATCH, &c,
		    NULL);
	if (rc == STORE_OK)
		rc = audit_purge(st, w->a->cfg, PURGE_BATCH, &audit_n);
	if (rc == STORE_OK)
		(void)store_release_freed(st);
	if (rc != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	adminweb_back(w, "purged", NULL);
}
