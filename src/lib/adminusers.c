/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * /admin/users: the people who sign in.  The list (a page of at most
 * USERS_PAGE_MAX users, with a "next" link by name), one user's panel
 * (?user=NAME) with her actions, and the form that adds one.  Every
 * change is useradmin.c's, as the admin tool makes it, audited as
 * made from the web by the signed-in administrator's address.
 *
 * A password the page generates (a new user's, a reset one) is shown
 * once, in the 200 answer to the POST: never in a URL, never stored
 * but as its hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accountpage.h"
#include "adminweb.h"
#include "audit.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "http.h"
#include "scope.h"
#include "store.h"
#include "template.h"
#include "user.h"
#include "useradmin.h"

/* Users on one page of the list: one bounded read transaction. */
#define USERS_PAGE_MAX		500
#define TIME_MAX		32
#define COUNT_MAX		24
/* A user name URL-encoded: at most three bytes for each. */
#define QUERY_MAX		(USER_NAME_MAX * 3 + 1)

/* The notices of adminweb_back(), by their fixed names. */
static const struct {
	const char	*name;
	const char	*text;
} notices[] = {
	{ "disabled", "The user is disabled: her sign-in sessions ended "
	    "and the access of all her apps was revoked." },
	{ "enabled", "The user is enabled: she can sign in again." },
	{ "deleted", "The user is deleted, with her grants and notes." },
	{ "admin_on", "The user is now an administrator." },
	{ "admin_off", "The user is no longer an administrator." },
	{ "scopes", "The scopes she may allow are saved; what she had "
	    "allowed already was narrowed to them." },
};

static const char *
notice_text(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(name, notices[i].name) == 0)
			return notices[i].text;
	return NULL;
}

/* A string variable (s not NULL) or a boolean one (b). */
static struct tmpl_var
var(const char *name, const char *s, int b)
{
	struct tmpl_var	 v;

	memset(&v, 0, sizeof(v));
	v.name = name;
	v.type = s != NULL ? TMPL_STR : TMPL_BOOL;
	v.str = s;
	v.b = b;
	return v;
}

/* A list variable: the items of a {{#name}} section. */
static struct tmpl_var
list(const char *name, const struct tmpl_scope *items, size_t n)
{
	struct tmpl_var	 v = var(name, NULL, 0);

	v.type = TMPL_LIST;
	v.items = items;
	v.nitems = n;
	return v;
}

/* name URL-encoded into out (QUERY_MAX bytes), for a link's query. */
static void
query_of(const char *name, char *out)
{
	struct buf	 b;

	buf_init(&b);
	url_escape(&b, name);
	snprintf(out, QUERY_MAX, "%s", buf_failed(&b) ? "" : buf_cstr(&b));
	buf_free(&b);
}

/* One row of the list: its texts live as long as the page renders. */
struct row {
	char		 created[TIME_MAX];
	char		 grants[COUNT_MAX];
	char		 query[QUERY_MAX];
	struct tmpl_var	 vars[9];
};

/*
 * The fields every view of a user shows, into r's variables; "self"
 * says whether she is admin, the administrator signed in.
 */
static void
user_fields(const struct useradmin_entry *e, const char *admin,
    struct row *r, struct tmpl_scope *item)
{
	const char	*limit = user_scope_limit(&e->u);
	struct tmpl_var	*v = r->vars;

	accountpage_time(e->u.created, r->created, sizeof(r->created));
	snprintf(r->grants, sizeof(r->grants), "%zu", e->grants);
	query_of(e->u.name, r->query);
	v[0] = var("name", e->u.name, 0);
	v[1] = var("is_admin", NULL, (e->u.flags & USER_ADMIN) != 0);
	v[2] = var("disabled", NULL, (e->u.flags & USER_DISABLED) != 0);
	v[3] = var("limit", limit[0] != '\0' ? limit : "all", 0);
	v[4] = var("created", r->created, 0);
	v[5] = var("grants", r->grants, 0);
	v[6] = var("query", r->query, 0);
	v[7] = var("corrupt", NULL, e->corrupt);
	v[8] = var("self", NULL, strcmp(e->u.name, admin) == 0);
	item->vars = v;
	item->nvars = 9;
}

/*
 * What a view shows above the list or the panel: a password shown
 * once (shown_user, shown_password; added says whether she is new).
 */
struct shown {
	const char	*user;
	const char	*password;
	int		 added;
};

#define PAGE_VARS	16

/* Renders vars (n of them) plus the shown password's, if any. */
static void
render(struct adminweb *w, int status, struct tmpl_var *vars, size_t n,
    const struct shown *sh, const char *notice, const char *error)
{
	vars[n++] = var("shown", NULL, sh != NULL);
	vars[n++] = var("shown_user", sh != NULL ? sh->user : "", 0);
	vars[n++] = var("shown_password", sh != NULL ? sh->password : "", 0);
	vars[n++] = var("shown_added", NULL, sh != NULL && sh->added);
	adminweb_render(w, status, "admin-users", vars, n, notice, error);
}

/*
 * The list, from the name after (NULL: the first), with notice or error
 * and the password shown once, if any.
 */
static void
show_list(struct adminweb *w, int status, const char *after,
    const struct shown *sh, const char *notice, const char *error)
{
	struct useradmin_entry	*entries;
	struct tmpl_scope	*items = NULL;
	struct row		*rows = NULL;
	struct tmpl_var		 vars[PAGE_VARS];
	char			 next[QUERY_MAX] = "";
	size_t			 n, i, k = 0;
	int			 more, rc;

	/* The cursor is a name: anything else starts from the first. */
	if (after != NULL && !user_name_valid(after))
		after = NULL;
	rc = useradmin_list(w->a->store, after, USERS_PAGE_MAX, 1, &entries,
	    &n, &more);
	if (rc != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	if (n > 0 && ((rows = calloc(n, sizeof(*rows))) == NULL ||
	    (items = calloc(n, sizeof(*items))) == NULL)) {
		adminweb_server_error(w, STORE_ENOMEM);
		goto out;
	}
	for (i = 0; i < n; i++)
		user_fields(&entries[i], w->admin, &rows[i], &items[i]);
	if (more && n > 0)
		query_of(entries[n - 1].u.name, next);
	vars[k++] = var("panel", NULL, 0);
	vars[k++] = list("users", items, n);
	vars[k++] = var("has_users", NULL, n > 0);
	vars[k++] = var("more", NULL, more);
	vars[k++] = var("next", next, 0);
	vars[k++] = var("later", NULL, after != NULL && after[0] != '\0');
	vars[k++] = list("scopes", NULL, 0);
	vars[k++] = var("limited", NULL, 0);
	render(w, status, vars, k, sh, notice, error);
out:
	free(items);
	free(rows);
	useradmin_list_free(entries, n);
}

/* One configured scope's checkbox on the panel. */
struct scope_box {
	char		 id[sizeof("scope") + COUNT_MAX];
	struct tmpl_var	 vars[4];
};

/*
 * One user's panel: her fields, her actions and the scope checkboxes,
 * or the list with an error when there is no such user.
 */
static void
show_user(struct adminweb *w, int status, const char *name,
    const struct shown *sh, const char *notice, const char *error)
{
	const struct config	*cfg = w->a->cfg;
	struct useradmin_entry	*e;
	struct scope_box	*boxes = NULL;
	struct tmpl_scope	*items = NULL, one;
	struct row		 r;
	struct tmpl_var		 vars[PAGE_VARS];
	const char		*limit, *base;
	size_t			 i, k = 0, nscopes;
	int			 rc;

	rc = user_name_valid(name) ? useradmin_one(w->a->store, name, &e) :
	    STORE_NOTFOUND;
	if (rc == STORE_NOTFOUND) {
		show_list(w, 404, NULL, sh, NULL, "There is no such user.");
		return;
	}
	if (rc != STORE_OK) {
		adminweb_server_error(w, rc);
		return;
	}
	limit = user_scope_limit(&e->u);
	base = scope_base(cfg);
	nscopes = cfg->scopes.len;
	if (nscopes > 0 && ((boxes = calloc(nscopes, sizeof(*boxes))) ==
	    NULL || (items = calloc(nscopes, sizeof(*items))) == NULL)) {
		adminweb_server_error(w, STORE_ENOMEM);
		goto out;
	}
	for (i = 0; i < nscopes; i++) {
		const char	*s = cfg->scopes.items[i];
		int		 is_base = base != NULL && strcmp(s, base) == 0;

		snprintf(boxes[i].id, sizeof(boxes[i].id), "scope%zu", i);
		boxes[i].vars[0] = var("scope", s, 0);
		boxes[i].vars[1] = var("id", boxes[i].id, 0);
		boxes[i].vars[2] = var("checked", NULL, is_base ||
		    limit[0] == '\0' || scope_has(limit, s));
		boxes[i].vars[3] = var("base", NULL, is_base);
		items[i].vars = boxes[i].vars;
		items[i].nvars = 4;
	}
	user_fields(e, w->admin, &r, &one);
	vars[k++] = var("panel", NULL, 1);
	vars[k++] = list("users", &one, 1);
	vars[k++] = var("has_users", NULL, 1);
	vars[k++] = var("more", NULL, 0);
	vars[k++] = var("next", "", 0);
	vars[k++] = var("later", NULL, 0);
	vars[k++] = list("scopes", items, nscopes);
	vars[k++] = var("limited", NULL, limit[0] != '\0');
	render(w, status, vars, k, sh, notice, error);
out:
	free(items);
	free(boxes);
	useradmin_list_free(e, 1);
}

static void
get(struct adminweb *w)
{
	const char	*user = form_get(w->form, "user");
	const char	*notice = notice_text(form_get(w->form, "done"));

	if (user != NULL)
		show_user(w, 200, user, NULL, notice, NULL);
	else
		show_list(w, 200, form_get(w->form, "after"), NULL, notice,
		    NULL);
}

/* What an error of useradmin.c says on the page, and its status. */
static const char *
error_text(const struct useradmin *ua, int err, int *status)
{
	*status = 409;
	switch (err) {
	case USERADMIN_BADNAME:
		*status = 400;
		return "A user name is 1 to 64 of the letters A-Z and a-z, "
		    "digits and . _ @ + -";
	case USERADMIN_EXISTS:
		return "A user of that name exists already.";
	case USERADMIN_NOTFOUND:
		*status = 404;
		return "There is no such user.";
	case USERADMIN_BADSCOPE:
		*status = 400;
		return "That scope is not configured.";
	case USERADMIN_NOBASE:
		*status = 400;
		return "The base scope must stay: every client is given it.";
	case USERADMIN_LASTADMIN:
		return "Refused: no enabled administrator would be left. "
		    "Make another user an administrator first.";
	case USERADMIN_SELF:
		return "Refused: you cannot do this to your own account. "
		    "Another administrator can.";
	default:
		(void)ua;
		*status = 500;
		return "The change could not be completed. Reload the page "
		    "to see what was saved.";
	}
}

/* Answers a failed action on name with the error on her panel. */
static void
failed(struct adminweb *w, const struct useradmin *ua, int err,
    const char *name)
{
	const char	*text;
	int		 status;

	text = error_text(ua, err, &status);
	if (err == USERADMIN_STORE && ua->store_rc != STORE_OK &&
	    ua->store_rc != STORE_EXISTS) {
		adminweb_server_error(w, ua->store_rc);
		return;
	}
	if (name != NULL && err != USERADMIN_NOTFOUND &&
	    err != USERADMIN_BADNAME)
		show_user(w, status, name, NULL, NULL, text);
	else
		show_list(w, status, NULL, NULL, NULL, text);
}

/* Back to name's panel with the notice done. */
static void
back_to(struct adminweb *w, const char *name, const char *done)
{
	char	 q[QUERY_MAX + 8];
	char	 enc[QUERY_MAX];

	query_of(name, enc);
	snprintf(q, sizeof(q), "user=%s", enc);
	adminweb_back(w, done, q);
}

/*
 * A generated password, shown once: a new user's (name from the form,
 * added) or name's new one.  A reset ends her sessions; it is refused
 * on the administrator's own account, whose session would end too
 * (/account is the place to change it).
 */
static void
post_password(struct adminweb *w, struct useradmin *ua, const char *name,
    int added)
{
	struct shown	 sh;
	char		 pw[USERADMIN_PASSWORD_LEN + 1];
	int		 err;

	if (!added && strcmp(name, w->admin) == 0) {
		show_user(w, 409, name, NULL, NULL, "Change your own password "
		    "on your account page.");
		return;
	}
	err = useradmin_generate_password(pw, sizeof(pw));
	if (err == USERADMIN_OK && added)
		err = useradmin_add(ua, name, pw,
		    form_get(w->form, "admin") != NULL);
	else if (err == USERADMIN_OK)
		err = useradmin_set_password(ua, name, pw);
	if (err != USERADMIN_OK)
		failed(w, ua, err, added ? NULL : name);
	else {
		sh.user = name;
		sh.password = pw;
		sh.added = added;
		show_user(w, 200, name, &sh, NULL, NULL);
	}
	crypto_wipe(pw, sizeof(pw));
}

/*
 * The scopes ticked on the panel (fields named "scope" and a number,
 * each with a scope as its value), the base scope always among them.
 */
static int
post_scopes(struct adminweb *w, struct useradmin *ua, const char *name)
{
	const struct form	*f = w->form;
	const char		*base = scope_base(w->a->cfg);
	char			**ticked;
	struct buf		 limit;
	size_t			 i, n = 0;
	int			 err;

	if ((ticked = calloc(f->len + 1, sizeof(*ticked))) == NULL) {
		ua->store_rc = STORE_ENOMEM;
		return USERADMIN_STORE;
	}
	if (base != NULL)
		ticked[n++] = (char *)base;
	for (i = 0; i < f->len; i++)
		if (strncmp(f->fields[i].name, "scope", 5) == 0 &&
		    f->fields[i].name[5] != '\0' &&
		    strspn(f->fields[i].name + 5, "0123456789") ==
		    strlen(f->fields[i].name + 5))
			ticked[n++] = f->fields[i].value;
	buf_init(&limit);
	if (strcmp(form_get(f, "limit") != NULL ? form_get(f, "limit") : "",
	    "all") == 0)
		err = useradmin_set_scopes(ua, name, NULL);
	else if ((err = useradmin_scope_limit(ua, ticked, n, &limit)) ==
	    USERADMIN_OK)
		err = useradmin_set_scopes(ua, name, buf_cstr(&limit));
	buf_free(&limit);
	free(ticked);
	return err;
}

static void
post(struct adminweb *w, const char *action)
{
	struct useradmin	 ua;
	const char		*name = form_get(w->form, "user");
	const char		*done;
	int			 err;

	useradmin_init(&ua, w->a->store, w->a->cfg, w->actor,
	    w->req->remote_addr);
	ua.keep_an_admin = 1;
	ua.self = w->admin;
	if (strcmp(action, "add") == 0) {
		post_password(w, &ua, form_get(w->form, "name") != NULL ?
		    form_get(w->form, "name") : "", 1);
		return;
	}
	if (name == NULL || !user_name_valid(name)) {
		failed(w, &ua, name == NULL ? USERADMIN_NOTFOUND :
		    USERADMIN_BADNAME, NULL);
		return;
	}
	if (strcmp(action, "reset") == 0) {
		post_password(w, &ua, name, 0);
		return;
	}
	if (strcmp(action, "disable") == 0) {
		err = useradmin_set_disabled(&ua, name, 1);
		done = "disabled";
	} else if (strcmp(action, "enable") == 0) {
		err = useradmin_set_disabled(&ua, name, 0);
		done = "enabled";
	} else if (strcmp(action, "admin_on") == 0) {
		err = useradmin_set_admin(&ua, name, 1);
		done = "admin_on";
	} else if (strcmp(action, "admin_off") == 0) {
		err = useradmin_set_admin(&ua, name, 0);
		done = "admin_off";
	} else if (strcmp(action, "scopes") == 0) {
		err = post_scopes(w, &ua, name);
		done = "scopes";
	} else if (strcmp(action, "delete") == 0) {
		if (form_get(w->form, "confirm") == NULL) {
			show_user(w, 400, name, NULL, NULL, "To delete the "
			    "user, tick the box that says it also deletes "
			    "her grants and notes.");
			return;
		}
		if ((err = useradmin_delete(&ua, name)) == USERADMIN_OK) {
			adminweb_back(w, "deleted", NULL);
			return;
		}
		done = NULL;
	} else {
		show_list(w, 400, NULL, NULL, NULL, "Unknown action.");
		return;
	}
	if (err != USERADMIN_OK) {
		failed(w, &ua, err, name);
		return;
	}
	back_to(w, name, done);
}

const struct adminweb_page adminusers_page = {
	"users", "Users", get, post
};
