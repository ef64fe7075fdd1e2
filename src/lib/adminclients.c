/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * /admin/clients: every client, CLIENTS_PAGE at a time (grantlist.h's
 * client listing), with what it is and how much it holds; a client is
 * deleted from here as "mcp-oauth-admin client del" deletes it (its
 * grants revoked in the same transaction), and a metadata document
 * client pinned as "client pin" pins it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accountpage.h"
#include "adminquery.h"
#include "adminweb.h"
#include "audit.h"
#include "authpage.h"
#include "cimd.h"
#include "clientpin.h"
#include "grantlist.h"
#include "revocation.h"

#define CLIENTS_PAGE	200
#define CLIENT_VARS	12
#define HOSTS_MAX	(CLIENT_REDIRECTS_MAX * 80)

struct client_text {
	const struct clientlist_row *row;
	char		 type[320];
	char		 hosts[HOSTS_MAX];
	char		 grants[24];
	char		 created[32], last_used[32];
	struct buf	 query;		/* client=ID for the grants link */
	struct tmpl_var	 v[CLIENT_VARS];
};

static const struct {
	const char	*name;
	const char	*text;
} notices[] = {
	{ "deleted", "Client deleted: every grant it held is revoked." },
	{ "pinned", "Metadata document fetched and pinned." },
};

static const char *
notice_text(const struct form *form)
{
	const char	*done = form != NULL ? form_get(form, "done") : NULL;
	size_t		 i;

	for (i = 0; done != NULL && i < sizeof(notices) / sizeof(notices[0]);
	    i++)
		if (strcmp(done, notices[i].name) == 0)
			return notices[i].text;
	return NULL;
}

/* What kind of client c is, in words. */
static void
client_type(const struct client *c, char *out, size_t outsz)
{
	struct cimd_url	 u;

	if (c->flags & CLIENT_CIMD) {
		if (cimd_url_parse(c->id, &u) == CIMD_OK)
			snprintf(out, outsz, "metadata document from %s%s",
			    u.host, c->flags & CLIENT_PINNED ?
			    ", pinned" : "");
		else
			snprintf(out, outsz, "metadata document");
	} else if (c->flags & CLIENT_DYNAMIC)
		snprintf(out, outsz, "registered itself");
	else
		snprintf(out, outsz, "added by the administrator");
}

static void
client_hosts(const struct client *c, char *out, size_t outsz)
{
	char	 host[256];
	size_t	 i;
	int	 loopback, custom;

	out[0] = '\0';
	for (i = 0; i < c->nredirect_uris; i++) {
		authpage_redirect_host(c->redirect_uris[i], host,
		    sizeof(host), &loopback, &custom);
		if (strstr(out, host) != NULL)
			continue;
		snprintf(out + strlen(out), outsz - strlen(out), "%s%s",
		    out[0] != '\0' ? ", " : "", host);
	}
	if (out[0] == '\0')
		snprintf(out, outsz, "-");
}

static void
row_text(const struct clientlist_row *row, struct client_text *x)
{
	const struct client	*c = &row->c;
	struct tmpl_var		*v = x->v;

	x->row = row;
	buf_init(&x->query);
	adminquery_add(&x->query, "client", c->id);
	if (row->corrupt)
		snprintf(x->type, sizeof(x->type), "corrupt record");
	else
		client_type(c, x->type, sizeof(x->type));
	client_hosts(c, x->hosts, sizeof(x->hosts));
	if (row->grants >= 0)
		snprintf(x->grants, sizeof(x->grants), "%ld", row->grants);
	else
		snprintf(x->grants, sizeof(x->grants), "?");
	accountpage_time(c->created, x->created, sizeof(x->created));
	accountpage_time(c->last_used, x->last_used, sizeof(x->last_used));
	v[0] = (struct tmpl_var){ .name = "client_id", .str = c->id };
	v[1] = (struct tmpl_var){ .name = "name",
	    .str = c->name != NULL ? c->name : "(no name)" };
	/* As the consent page: a name the administrator did not give. */
	v[2] = (struct tmpl_var){ .name = "self_declared", .type = TMPL_BOOL,
	    .b = (c->flags & (CLIENT_DYNAMIC | CLIENT_CIMD)) != 0 };
	v[3] = (struct tmpl_var){ .name = "type", .str = x->type };
	v[4] = (struct tmpl_var){ .name = "hosts", .str = x->hosts };
	v[5] = (struct tmpl_var){ .name = "grant_count", .str = x->grants };
	v[6] = (struct tmpl_var){ .name = "created", .str = x->created };
	v[7] = (struct tmpl_var){ .name = "last_used", .str = x->last_used };
	v[8] = (struct tmpl_var){ .name = "grants_query",
	    .str = buf_cstr(&x->query) };
	v[9] = (struct tmpl_var){ .name = "cimd", .type = TMPL_BOOL,
	    .b = (c->flags & CLIENT_CIMD) != 0 };
	v[10] = (struct tmpl_var){ .name = "pinned", .type = TMPL_BOOL,
	    .b = (c->flags & CLIENT_PINNED) != 0 };
	v[11] = (struct tmpl_var){ .name = "corrupt", .type = TMPL_BOOL,
	    .b = row->corrupt };
}

/* The cimd and cimd_allowlist settings, in words. */
static void
cimd_policy(const struct config *cfg, struct buf *out)
{
	size_t	 i;

	switch (cfg->cimd) {
	case CONFIG_CIMD_OFF:
		buf_printf(out, "Clients identified by a metadata document "
		    "URL are refused (cimd = off).");
		break;
	case CONFIG_CIMD_ALLOWLIST:
		buf_printf(out, "Clients identified by a metadata document "
		    "URL are accepted from these domains only:");
		for (i = 0; i < cfg->cimd_allowlist.len; i++)
			buf_printf(out, "%s %s", i > 0 ? "," : "",
			    cfg->cimd_allowlist.items[i]);
		buf_printf(out, ".");
		break;
	default:
		buf_printf(out, "Clients identified by a metadata document "
		    "URL are accepted from any domain.");
		break;
	}
}

static void
show(struct adminweb *w, int status, const char *error)
{
	struct store		*st;
	struct store_txn	*t = NULL;
	struct clientlist_row	*rows = NULL;
	struct client_text	*text = NULL;
	struct tmpl_scope	*items = NULL;
	struct buf		 policy, next;
	char			 resume[CLIENT_KEY_MAX + 1];
	const char		*after;
	size_t			 resume_len = 0, n = 0, i;
	int			 rc;

	buf_init(&policy);
	buf_init(&next);
	after = w->form != NULL ? form_get(w->form, "after") : NULL;
	if (after != NULL && strlen(after) > CLIENT_KEY_MAX) {
		after = NULL;
		if (error == NULL)
			error = "The \"after\" field is too long; the list "
			    "starts from the first client.";
	}
	if (after != NULL) {
		resume_len = strlen(after);
		memcpy(resume, after, resume_len);
	}
	if ((rows = calloc(CLIENTS_PAGE, sizeof(*rows))) == NULL ||
	    (text = calloc(CLIENTS_PAGE, sizeof(*text))) == NULL ||
	    (items = calloc(CLIENTS_PAGE, sizeof(*items))) == NULL) {
		rc = STORE_ENOMEM;
		goto fail;
	}
	if ((rc = app_store(w->a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, &t)) != STORE_OK ||
	    (rc = clientlist_read(t, resume, &resume_len, rows, CLIENTS_PAGE,
	    &n)) != STORE_OK)
		goto fail;
	store_abort(t);
	t = NULL;
	for (i = 0; i < n; i++) {
		row_text(&rows[i], &text[i]);
		items[i].vars = text[i].v;
		items[i].nvars = CLIENT_VARS;
	}
	if (n == CLIENTS_PAGE) {
		resume[resume_len] = '\0';
		adminquery_add(&next, "after", resume);
	}
	cimd_policy(w->a->cfg, &policy);
	{
		const struct tmpl_var	 v[] = {
			{ .name = "clients", .type = TMPL_LIST, .items = items,
			    .nitems = n },
			{ .name = "has_clients", .type = TMPL_BOOL,
			    .b = n > 0 },
			{ .name = "has_next", .type = TMPL_BOOL,
			    .b = n == CLIENTS_PAGE },
			{ .name = "next", .str = buf_cstr(&next) },
			{ .name = "cimd_policy", .str = buf_cstr(&policy) },
			{ .name = "per_page", .str = "200" },
		};

		adminweb_render(w, status, "admin-clients", v,
		    sizeof(v) / sizeof(v[0]), notice_text(w->form), error);
	}
	goto out;
fail:
	if (t != NULL)
		store_abort(t);
	adminweb_server_error(w, rc);
out:
	if (text != NULL)
		for (i = 0; i < n; i++)
			buf_free(&text[i].query);
	if (rows != NULL)
		clientlist_free(rows, n);
	free(rows);
	free(text);
	free(items);
	buf_free(&policy);
	buf_free(&next);
}

static void
clients_get(struct adminweb *w)
{
	show(w, 200, NULL);
}

static void
client_delete(struct adminweb *w, const char *id)
{
	struct revoke_result	 r;
	struct store		*st;
	const char		*confirm = form_get(w->form, "confirm");
	int			 rc;

	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		show(w, 400, "Tick the box to confirm the deletion: it revokes "
		    "every grant of the client.");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.actor = w->actor;
	r.addr = w->req->remote_addr;
	if ((rc = app_store(w->a, &st)) == STORE_OK)
		rc = revoke_client_delete(st, id, &r);
	if (rc == STORE_NOTFOUND) {
		show(w, 404, "There is no such client: it was deleted "
		    "already.");
		return;
	}
	if (rc != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	adminweb_back(w, "deleted", NULL);
}

static void
client_pin(struct adminweb *w, const char *id)
{
	struct store		*st;
	struct client		 c;
	char			 why[512], msg[700];
	int			 rc;

	if ((rc = app_store(w->a, &st)) != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	rc = clientpin(w->a->cfg, st, id, time(NULL), w->actor,
	    w->req->remote_addr, &c, why, sizeof(why));
	if (rc != CLIENTPIN_OK) {
		/* A client that is no document is a request to refuse. */
		snprintf(msg, sizeof(msg), "The document could not be "
		    "pinned: %s.", why);
		show(w, rc == CLIENTPIN_EURL ? 400 : rc == CLIENTPIN_EFETCH ?
		    502 : 500, msg);
		return;
	}
	client_free(&c);
	adminweb_back(w, "pinned", NULL);
}

/* action "delete" (with "confirm" = "yes") or "pin", field "client". */
static void
clients_post(struct adminweb *w, const char *action)
{
	const char	*id = form_get(w->form, "client");

	if (id == NULL || *id == '\0' || strlen(id) > CLIENT_KEY_MAX) {
		show(w, 400, "No client was chosen.");
		return;
	}
	if (strcmp(action, "delete") == 0)
		client_delete(w, id);
	else if (strcmp(action, "pin") == 0)
		client_pin(w, id);
	else
		show(w, 400, "Unknown action.");
}

const struct adminweb_page adminclients_page = {
	"clients", "Clients", clients_get, clients_post
};
