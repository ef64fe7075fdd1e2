/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * /admin/grants: the active grants, filtered by user and/or client,
 * GRANTS_PAGE at a time (grantlist.h), each with a button that revokes
 * it at once (revoke_grant(), audited as the admin pages').
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
#include "revocation.h"

#define GRANTS_PAGE	100
/* Index entries looked at per page, matching or not. */
#define GRANTS_SCAN	2000
#define GRANT_VARS	10

struct grant_text {
	char		 id[GRANT_ID_LEN + 1];
	char		 user[USER_NAME_MAX + 1];
	char		 client[CLIENT_KEY_MAX + 1];
	char		*name;
	char		*scope;
	char		 created[32], last_used[32], expires[32];
	char		 tokens[24];
	struct tmpl_var	 v[GRANT_VARS];
};

struct grant_rows {
	struct grant_text	*rows;
	size_t			 n;
};

/* The filter of the query or the posted form, checked. */
struct grants_filter {
	const char	*user;
	const char	*client;
	const char	*after;
	const char	*error;
};

static void
read_filter(const struct form *form, struct grants_filter *f)
{
	int	 bad = 0;
	size_t	 i;

	memset(f, 0, sizeof(*f));
	f->user = adminquery_field(form, "user", USER_NAME_MAX, &bad);
	f->client = adminquery_field(form, "client", CLIENT_KEY_MAX, &bad);
	f->after = adminquery_field(form, "after", GRANT_ID_LEN, &bad);
	if (f->after != NULL)
		for (i = 0; f->after[i] != '\0'; i++)
			if (strchr("0123456789abcdef", f->after[i]) == NULL) {
				f->after = NULL;
				bad = 1;
				break;
			}
	if (bad)
		f->error = "A filter field is too long or malformed; it was "
		    "left out.";
}

static int
add_row(struct store_txn *t, const char *id, const struct grant *g,
    void *arg)
{
	struct grant_rows	*r = arg;
	struct grant_text	*x = &r->rows[r->n];
	struct client		 c;

	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", id);
	snprintf(x->user, sizeof(x->user), "%s", g->user);
	snprintf(x->client, sizeof(x->client), "%s", g->client_id);
	if (store_client_get(t, g->client_id, &c) == STORE_OK) {
		if (c.name != NULL)
			x->name = strdup(c.name);
		client_free(&c);
	}
	x->scope = strdup(*g->scope != '\0' ? g->scope : "-");
	accountpage_time(g->created, x->created, sizeof(x->created));
	accountpage_time(g->last_used, x->last_used, sizeof(x->last_used));
	accountpage_time(g->expires, x->expires, sizeof(x->expires));
	snprintf(x->tokens, sizeof(x->tokens), "%lu", grantlist_tokens(t, id));
	r->n++;
	return x->scope == NULL ? STORE_ENOMEM : STORE_OK;
}

static void
row_vars(struct grant_text *x)
{
	struct tmpl_var	*v = x->v;

	v[0] = (struct tmpl_var){ .name = "grant", .str = x->id };
	v[1] = (struct tmpl_var){ .name = "user", .str = x->user };
	v[2] = (struct tmpl_var){ .name = "client_id", .str = x->client };
	v[3] = (struct tmpl_var){ .name = "client_name",
	    .str = x->name != NULL ? x->name : "" };
	v[4] = (struct tmpl_var){ .name = "has_name", .type = TMPL_BOOL,
	    .b = x->name != NULL };
	v[5] = (struct tmpl_var){ .name = "scope", .str = x->scope };
	v[6] = (struct tmpl_var){ .name = "created", .str = x->created };
	v[7] = (struct tmpl_var){ .name = "last_used", .str = x->last_used };
	v[8] = (struct tmpl_var){ .name = "expires", .str = x->expires };
	v[9] = (struct tmpl_var){ .name = "tokens", .str = x->tokens };
}

static const char *
notice_text(const struct form *form)
{
	const char	*done = form != NULL ? form_get(form, "done") : NULL;

	if (done != NULL && strcmp(done, "revoked") == 0)
		return "Grant revoked: its tokens no longer work.";
	return NULL;
}

/* Renders the page for filter f, with error (NULL: none). */
static void
show(struct adminweb *w, int status, const struct grants_filter *f,
    const char *error)
{
	struct store		*st;
	struct store_txn	*t = NULL;
	struct grantlist_filter	 gf;
	struct grant_rows	 r;
	struct tmpl_scope	*items = NULL;
	enum grantlist_unknown	 unknown = GRANTLIST_KNOWN;
	struct buf		 next, keep;
	char			 nextid[GRANT_ID_LEN + 1], msg[512];
	size_t			 i;
	int			 rc;

	memset(&r, 0, sizeof(r));
	buf_init(&next);
	buf_init(&keep);
	nextid[0] = '\0';
	if (error == NULL)
		error = f->error;
	if ((r.rows = calloc(GRANTS_PAGE, sizeof(*r.rows))) == NULL ||
	    (items = calloc(GRANTS_PAGE, sizeof(*items))) == NULL) {
		rc = STORE_ENOMEM;
		goto fail;
	}
	if ((rc = app_store(w->a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK)
		goto fail;
	memset(&gf, 0, sizeof(gf));
	gf.user = f->user;
	gf.client = f->client;
	gf.active = 1;
	gf.now = time(NULL);
	gf.after = f->after;
	gf.limit = GRANTS_PAGE;
	gf.scan = GRANTS_SCAN;
	if ((rc = grantlist_known(t, &gf, &unknown)) != STORE_OK)
		goto fail;
	if (unknown == GRANTLIST_KNOWN &&
	    (rc = grantlist_each(t, &gf, add_row, &r, nextid)) != STORE_OK)
		goto fail;
	store_abort(t);
	t = NULL;
	if (unknown != GRANTLIST_KNOWN && error == NULL) {
		snprintf(msg, sizeof(msg), "There is no %s named \"%s\".",
		    unknown == GRANTLIST_NO_USER ? "user" : "client",
		    unknown == GRANTLIST_NO_USER ? f->user : f->client);
		error = msg;
	}
	adminquery_add(&keep, "user", f->user);
	adminquery_add(&keep, "client", f->client);
	if (nextid[0] != '\0') {
		buf_printf(&next, "%s", buf_cstr(&keep));
		adminquery_add(&next, "after", nextid);
	}
	for (i = 0; i < r.n; i++) {
		row_vars(&r.rows[i]);
		items[i].vars = r.rows[i].v;
		items[i].nvars = GRANT_VARS;
	}
	{
		const struct tmpl_var	 v[] = {
			{ .name = "filter_user", .str = f->user != NULL ?
			    f->user : "" },
			{ .name = "filter_client", .str = f->client != NULL ?
			    f->client : "" },
			{ .name = "grants", .type = TMPL_LIST, .items = items,
			    .nitems = r.n },
			{ .name = "has_grants", .type = TMPL_BOOL,
			    .b = r.n > 0 },
			{ .name = "has_next", .type = TMPL_BOOL,
			    .b = nextid[0] != '\0' },
			{ .name = "next", .str = buf_cstr(&next) },
			{ .name = "per_page", .str = "100" },
		};

		adminweb_render(w, status, "admin-grants", v,
		    sizeof(v) / sizeof(v[0]), notice_text(w->form), error);
	}
	goto out;
fail:
	if (t != NULL)
		store_abort(t);
	adminweb_server_error(w, rc);
out:
	if (r.rows != NULL)
		for (i = 0; i < r.n; i++) {
			free(r.rows[i].name);
			free(r.rows[i].scope);
		}
	free(r.rows);
	free(items);
	buf_free(&next);
	buf_free(&keep);
}

static void
grants_get(struct adminweb *w)
{
	struct grants_filter	 f;

	read_filter(w->form, &f);
	show(w, 200, &f, NULL);
}

/* action "revoke", field "grant": revokes it, back keeping the filter. */
static void
grants_post(struct adminweb *w, const char *action)
{
	struct grants_filter	 f;
	struct revoke_result	 r;
	struct store		*st;
	struct buf		 keep;
	const char		*id = form_get(w->form, "grant");
	int			 rc;

	read_filter(w->form, &f);
	f.after = NULL;
	if (strcmp(action, "revoke") != 0) {
		show(w, 400, &f, "Unknown action.");
		return;
	}
	if (id == NULL || strlen(id) != GRANT_ID_LEN) {
		show(w, 400, &f, "No grant was chosen.");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.actor = w->actor;
	r.addr = w->req->remote_addr;
	if ((rc = app_store(w->a, &st)) == STORE_OK)
		rc = revoke_grant(st, id, &r);
	if (rc == STORE_NOTFOUND) {
		show(w, 404, &f, "That grant no longer exists: it was "
		    "revoked or has expired.");
		return;
	}
	if (rc != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	buf_init(&keep);
	adminquery_add(&keep, "user", f.user);
	adminquery_add(&keep, "client", f.client);
	adminweb_back(w, "revoked", keep.len > 0 ? buf_cstr(&keep) : NULL);
	buf_free(&keep);
}

const struct adminweb_page admingrants_page = {
	"grants", "Grants", grants_get, grants_post
};
