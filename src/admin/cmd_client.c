/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin client: pre-register, list, show and delete OAuth
 * clients.  A client added here is not marked as dynamically
 * registered, so the consent page shows its name without the
 * "name given by the application" tag.  Deleting a client revokes
 * every grant it holds, found through the client_grants index.
 * "client pin URL" fetches a client ID metadata document now and keeps
 * it until the next pin or del, for sites that cannot fetch at request
 * time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/buf.h"
#include "../lib/cimd.h"
#include "../lib/cimdfetch.h"
#include "../lib/audit.h"
#include "../lib/client.h"
#include "../lib/clientpin.h"
#include "../lib/crypto.h"
#include "../lib/grant.h"
#include "../lib/grantlist.h"
#include "../lib/revocation.h"
#include "../lib/scope.h"
#include "../lib/store.h"
#include "admin.h"

/* The value of "--opt VALUE" or "--opt=VALUE" at argv[*i], or NULL. */
static const char *
opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t	 n = strlen(opt);

	if (strcmp(argv[*i], opt) == 0) {
		if (*i + 1 >= argc)
			return NULL;
		return argv[++*i];
	}
	if (strncmp(argv[*i], opt, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	return NULL;
}

static int
is_opt(const char *arg, const char *opt)
{
	size_t	 n = strlen(opt);

	return strncmp(arg, opt, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* A client name as registration accepts it: 1-200 printable bytes. */
static int
name_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > CLIENT_STRING_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static struct json_object *
client_json(const struct client *c, long grants)
{
	struct json_object	*o;

	if ((o = client_to_json(c)) == NULL)
		return NULL;
	json_object_object_add(o, "dynamic",
	    json_object_new_boolean((c->flags & CLIENT_DYNAMIC) != 0));
	if (c->last_used > 0)
		json_object_object_add(o, "last_used",
		    json_object_new_int64(c->last_used));
	if (c->flags & CLIENT_CIMD) {
		struct json_object	*m = json_object_new_object();
		struct cimd_url		 u;

		if (cimd_url_parse(c->id, &u) == CIMD_OK)
			json_object_object_add(m, "domain",
			    json_object_new_string(u.host));
		json_object_object_add(m, "fetched",
		    json_object_new_int64(c->fetched));
		json_object_object_add(m, "expires",
		    json_object_new_int64(c->expires));
		json_object_object_add(m, "pinned", json_object_new_boolean(
		    (c->flags & CLIENT_PINNED) != 0));
		json_object_object_add(o, "metadata_document", m);
	}
	if (grants >= 0)
		json_object_object_add(o, "grants",
		    json_object_new_int64(grants));
	return o;
}

static int
client_add(struct admin *a, int argc, char **argv)
{
	struct store_txn	*t;
	struct client		 c;
	struct buf		 scope;
	char			*uris[CLIENT_REDIRECTS_MAX];
	char			 why[256], bad[SCOPE_NAME_MAX + 1];
	char			 secret[TOKEN_SECRET_MAX];
	const char		*name = NULL, *auth = "none", *req_scope = NULL;
	const char		*v;
	size_t			 nuris = 0;
	int			 i, refresh = 1, device = 0, rc;
	int			 ret = EXIT_FAIL;

	client_init(&c);
	buf_init(&scope);
	secret[0] = '\0';
	for (i = 2; i < argc; i++) {
		if (is_opt(argv[i], "--name")) {
			if ((name = opt_value(argc, argv, &i,
			    "--name")) == NULL)
				return EXIT_USAGE;
		} else if (is_opt(argv[i], "--redirect-uri")) {
			if ((v = opt_value(argc, argv, &i,
			    "--redirect-uri")) == NULL)
				return EXIT_USAGE;
			if (nuris == CLIENT_REDIRECTS_MAX) {
				admin_err("at most %d redirect URIs",
				    CLIENT_REDIRECTS_MAX);
				return EXIT_USAGE;
			}
			uris[nuris++] = (char *)v;
		} else if (is_opt(argv[i], "--auth")) {
			if ((auth = opt_value(argc, argv, &i,
			    "--auth")) == NULL)
				return EXIT_USAGE;
		} else if (is_opt(argv[i], "--scope")) {
			if ((req_scope = opt_value(argc, argv, &i,
			    "--scope")) == NULL)
				return EXIT_USAGE;
		} else if (strcmp(argv[i], "--no-refresh") == 0)
			refresh = 0;
		else if (strcmp(argv[i], "--device") == 0)
			device = 1;
		else {
			admin_err("unknown option %s", argv[i]);
			return EXIT_USAGE;
		}
	}
	/*
	 * --device adds the device grant (RFC 8628); a client with it and
	 * no redirect URI uses that grant alone, as one that registered
	 * so at /register.
	 */
	if (name == NULL || (nuris == 0 && !device)) {
		admin_err("client add needs --name and at least one "
		    "--redirect-uri (or --device)");
		return EXIT_USAGE;
	}
	if (!name_valid(name)) {
		admin_err("invalid client name: use 1 to %d characters, no "
		    "control characters", CLIENT_STRING_MAX);
		return EXIT_USAGE;
	}
	if (client_auth_method_parse(auth, &c.auth_method) == -1) {
		admin_err("invalid --auth \"%s\": use none, client_secret_post "
		    "or client_secret_basic", auth);
		return EXIT_USAGE;
	}
	/* The same policy as dynamic registration, with its message. */
	if (nuris > 0 && (rc = client_set_redirect_uris(&c, uris, nuris, why,
	    sizeof(why))) != CLIENT_OK) {
		if (rc == CLIENT_ENOMEM)
			admin_err("out of memory");
		else
			admin_err("invalid redirect URI: %s", why +
			    (strncmp(why, "redirect_uris: ", 15) == 0 ? 15 : 0));
		client_free(&c);
		return rc == CLIENT_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	}
	if (admin_load_config(a) == -1)
		goto out;
	if (req_scope != NULL) {
		bad[0] = '\0';
		rc = scope_normalise(a->cfg, req_scope, &scope, bad,
		    sizeof(bad));
		if (rc == SCOPE_EUNKNOWN || rc == SCOPE_ESYNTAX) {
			if (rc == SCOPE_EUNKNOWN) {
				buf_reset(&scope);
				for (i = 0; i < (int)a->cfg->scopes.len; i++)
					buf_printf(&scope, " %s",
					    a->cfg->scopes.items[i]);
				admin_err("unknown scope \"%s\"; this server's "
				    "scopes are:%s", bad, buf_cstr(&scope));
			} else
				admin_err("malformed --scope");
			ret = EXIT_USAGE;
			goto out;
		}
		if (rc != SCOPE_OK) {
			admin_err("out of memory");
			goto out;
		}
		if (scope.len > 0 &&
		    (c.scope = strdup(buf_cstr(&scope))) == NULL) {
			admin_err("out of memory");
			goto out;
		}
	}
	if ((c.name = strdup(name)) == NULL) {
		admin_err("out of memory");
		goto out;
	}
	c.flags = 0;
	c.created = time(NULL);
	c.grant_types = (nuris > 0 ? CLIENT_GRANT_CODE : 0) |
	    (device ? CLIENT_GRANT_DEVICE : 0) |
	    (refresh ? CLIENT_GRANT_REFRESH : 0);
	c.response_types = nuris > 0 ? CLIENT_RESPONSE_CODE : 0;
	if (client_new_id(c.id, sizeof(c.id)) != CRYPTO_OK ||
	    (c.auth_method != CLIENT_AUTH_NONE &&
	    client_new_secret(&c, secret, sizeof(secret)) != CRYPTO_OK)) {
		admin_err("cannot generate credentials");
		goto out;
	}
	if (admin_begin(a, 0, &t) == -1)
		goto out;
	rc = store_client_put(t, &c, 1);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc != STORE_OK) {
		admin_store_fail(a, "cannot save the client", rc);
		goto out;
	}
	if (a->json) {
		struct json_object	*o = client_json(&c, -1);

		if (secret[0] != '\0') {
			json_object_object_add(o, "client_secret",
			    json_object_new_string(secret));
			json_object_object_add(o, "client_secret_expires_at",
			    json_object_new_int64(0));
		}
		admin_json_print(o);
	} else {
		printf("added client %s\n", c.id);
		printf("client_id: %s\n", c.id);
		if (secret[0] != '\0')
			printf("client_secret: %s\n(the secret is shown only "
			    "now: the server keeps only its hash)\n", secret);
	}
	ret = EXIT_OK;
out:
	crypto_wipe(secret, sizeof(secret));
	buf_free(&scope);
	client_free(&c);
	return ret;
}

static const char *
client_type(const struct client *c)
{
	if (c->flags & CLIENT_PINNED)
		return "pinned";
	if (c->flags & CLIENT_CIMD)
		return "cimd";
	return c->flags & CLIENT_DYNAMIC ? "dynamic" : "admin";
}

/*
 * One line of "client show": label, then the value (what a client
 * registered) cleaned for a terminal, or "-".
 */
static void
show_field(const char *label, const char *value)
{
	fputs(label, stdout);
	admin_put_clean(value != NULL ? value : "-");
	fputs("\n", stdout);
}

/* For a metadata document client: " [domain, fetched TIME]". */
static void
print_cimd(const struct client *c)
{
	struct cimd_url	 u;

	if (!(c->flags & CLIENT_CIMD) || cimd_url_parse(c->id, &u) != CIMD_OK)
		return;
	fputs(" [", stdout);
	admin_put_clean(u.host);
	fputs(", fetched ", stdout);
	admin_print_time(c->fetched);
	printf("]");
}

/*
 * Fetches the metadata document at url now, as /authorize would, and
 * stores it pinned: requests use it without fetching until the next
 * pin, and "client del" removes it.
 */
static int
client_pin(struct admin *a, const char *url)
{
	struct client		 c;
	char			 why[512];

	/* The configuration and the store; clientpin() fetches first. */
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	switch (clientpin(a->cfg, a->store, url, time(NULL),
	    AUDIT_BY_ADMIN_TOOL, NULL, &c, why, sizeof(why))) {
	case CLIENTPIN_OK:
		break;
	case CLIENTPIN_ESTORE:
		admin_err("cannot store %s: %s", url, why);
		return EXIT_FAIL;
	default:
		admin_err("%s: %s", url, why);
		return EXIT_FAIL;
	}
	if (a->json)
		admin_json_print(client_json(&c, -1));
	else {
		/* The name is the fetched document's: cleaned. */
		printf("pinned %s (", url);
		admin_put_clean(c.name != NULL ? c.name : "no name");
		fputs(")\n", stdout);
	}
	client_free(&c);
	return EXIT_OK;
}

/* Clients read per read transaction by "client list". */
#define CLIENT_LIST_PART	100

/*
 * Reads the part of the clients after resume in its own read
 * transaction (clientlist_read()), reporting corrupt records.
 */
static int
client_list_part(struct admin *a, char *resume, size_t *resume_len,
    struct clientlist_row *rows, size_t *n)
{
	struct store_txn	*t;
	char			 shown[CLIENT_KEY_MAX + 1];
	size_t			 i;
	int			 rc;

	*n = 0;
	if (admin_begin(a, 1, &t) == -1)
		return -1;
	rc = clientlist_read(t, resume, resume_len, rows, CLIENT_LIST_PART, n);
	store_abort(t);
	if (rc != STORE_OK) {
		clientlist_free(rows, *n);
		*n = 0;
		admin_err("cannot read the clients");
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (rows[i].corrupt)
			admin_err("client %s: corrupt record",
			    admin_clean(rows[i].c.id, shown, sizeof(shown)));
	return 0;
}

/* One line of "client list", or one element of arr with --json. */
static void
print_client(struct admin *a, struct json_object *arr,
    const struct clientlist_row *row)
{
	const struct client	*c = &row->c;
	char			 id[CLIENT_KEY_MAX + 1];

	if (a->json) {
		json_object_array_add(arr, client_json(c, row->grants));
		return;
	}
	printf("%-28s %-20s %-8s %-6ld ", admin_clean(c->id, id, sizeof(id)),
	    client_auth_method_name(c->auth_method), client_type(c),
	    row->grants);
	admin_print_time(c->created);
	fputs(" ", stdout);
	admin_put_clean(c->name != NULL ? c->name : "-");
	print_cimd(c);
	printf("\n");
}

/*
 * The clients, in parts of CLIENT_LIST_PART, each read in its own read
 * transaction that ends before the part is printed: output read slowly
 * (client list | less) must not pin a snapshot of the database, whose
 * freed pages LMDB could not reuse meanwhile.
 */
static int
client_list(struct admin *a)
{
	struct json_object	*arr = NULL;
	struct clientlist_row	*rows;
	char			 resume[CLIENT_KEY_MAX + 1];
	size_t			 resume_len = 0, n, i;
	int			 rc = EXIT_OK;

	if ((rows = calloc(CLIENT_LIST_PART, sizeof(*rows))) == NULL) {
		admin_err("out of memory");
		return EXIT_FAIL;
	}
	if (a->json)
		arr = json_object_new_array();
	else
		printf("%-28s %-20s %-8s %-6s %-20s %s\n", "CLIENT_ID", "AUTH",
		    "TYPE", "GRANTS", "CREATED", "NAME");
	do {
		if (client_list_part(a, resume, &resume_len, rows, &n) == -1) {
			rc = EXIT_FAIL;
			break;
		}
		/* A corrupt record was reported by client_list_part(). */
		for (i = 0; i < n; i++)
			if (!rows[i].corrupt)
				print_client(a, arr, &rows[i]);
		clientlist_free(rows, n);
	} while (n == CLIENT_LIST_PART);
	free(rows);
	if (a->json) {
		if (rc == EXIT_OK)
			admin_json_print(arr);
		else
			json_object_put(arr);
	}
	return rc;
}

static int
client_show(struct admin *a, const char *id)
{
	struct store_txn	*t;
	struct client		 c;
	long			 grants;
	size_t			 i;
	int			 rc;

	if (admin_begin(a, 1, &t) == -1)
		return EXIT_FAIL;
	rc = store_client_get(t, id, &c);
	grants = rc == STORE_OK ? clientlist_grants(t, id) : 0;
	store_abort(t);
	if (rc != STORE_OK) {
		admin_err("%s: %s", id, rc == STORE_NOTFOUND ?
		    "no such client" : store_strerror(rc));
		return EXIT_FAIL;
	}
	if (a->json) {
		admin_json_print(client_json(&c, grants));
		client_free(&c);
		return EXIT_OK;
	}
	show_field("client_id:                  ", c.id);
	show_field("client_name:                ", c.name);
	printf("registered:                 %s\n", c.flags & CLIENT_PINNED ?
	    "metadata document, pinned by the administrator" :
	    c.flags & CLIENT_CIMD ? "metadata document (fetched on use)" :
	    c.flags & CLIENT_DYNAMIC ? "dynamically (/register)" :
	    "by the administrator");
	if (c.flags & CLIENT_CIMD) {
		printf("document_fetched:           ");
		admin_print_time(c.fetched);
		printf("\ndocument_expires:           ");
		if (c.flags & CLIENT_PINNED)
			printf("never (pinned)");
		else
			admin_print_time(c.expires);
		printf("\n");
	}
	printf("client_id_issued_at:        ");
	admin_print_time(c.created);
	printf("\ntoken_endpoint_auth_method: %s\n",
	    client_auth_method_name(c.auth_method));
	printf("last_used:                  ");
	if (c.last_used > 0)
		admin_print_time(c.last_used);
	else
		printf("-");
	printf("\ngrant_types:               %s%s%s\n",
	    c.grant_types & CLIENT_GRANT_CODE ? " authorization_code" : "",
	    c.grant_types & CLIENT_GRANT_REFRESH ? " refresh_token" : "",
	    c.grant_types & CLIENT_GRANT_DEVICE ?
	    " urn:ietf:params:oauth:grant-type:device_code" : "");
	printf("response_types:             %s\n",
	    (c.grant_types & CLIENT_GRANT_CODE) &&
	    (c.response_types & CLIENT_RESPONSE_CODE) ? "code" : "-");
	show_field("scope:                      ", c.scope);
	show_field("client_uri:                 ", c.uri);
	show_field("software_id:                ", c.software_id);
	show_field("software_version:           ", c.software_version);
	show_field("application_type:           ", c.application_type);
	printf("grants:                     %ld\n", grants);
	for (i = 0; i < c.nredirect_uris; i++)
		show_field("redirect_uri:               ",
		    c.redirect_uris[i]);
	client_free(&c);
	return EXIT_OK;
}

/*
 * Deletes a client and revokes its grants (revoke_client_delete()):
 * its tokens stop working at once in every process.
 */
static int
client_del(struct admin *a, const char *id)
{
	struct revoke_result	 r;
	struct revoke_counts	*n = &r.n;
	int			 rc;

	memset(&r, 0, sizeof(r));
	r.actor = AUDIT_BY_ADMIN_TOOL;
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	if ((rc = revoke_client_delete(a->store, id, &r)) != STORE_OK) {
		admin_err("%s: %s", id, rc == STORE_NOTFOUND ?
		    "no such client" : store_strerror(rc));
		return EXIT_FAIL;
	}
	admin_map_warning(a);
	if (a->json) {
		struct json_object	*o = json_object_new_object();
		struct json_object	*j = json_object_new_object();

		json_object_object_add(o, "client_id",
		    json_object_new_string(id));
		json_object_object_add(o, "deleted",
		    json_object_new_boolean(1));
		json_object_object_add(j, "grants",
		    json_object_new_int64((int64_t)n->grants));
		json_object_object_add(j, "access_tokens",
		    json_object_new_int64((int64_t)n->access_tokens));
		json_object_object_add(j, "refresh_tokens",
		    json_object_new_int64((int64_t)n->refresh_tokens));
		json_object_object_add(j, "codes",
		    json_object_new_int64((int64_t)n->codes));
		json_object_object_add(o, "revoked", j);
		admin_json_print(o);
	} else
		printf("deleted client %s: revoked %lu grant%s (%lu access "
		    "token%s, %lu refresh token%s, %lu code%s)\n", id,
		    n->grants, n->grants == 1 ? "" : "s", n->access_tokens,
		    n->access_tokens == 1 ? "" : "s", n->refresh_tokens,
		    n->refresh_tokens == 1 ? "" : "s", n->codes,
		    n->codes == 1 ? "" : "s");
	return EXIT_OK;
}

/*
 * client add --name NAME --redirect-uri URI... [--auth METHOD]
 *     [--no-refresh] [--device] [--scope S] | list | show ID | del ID
 */
int
cmd_client(struct admin *a, int argc, char **argv)
{
	if (argc < 2)
		return EXIT_USAGE;
	if (strcmp(argv[1], "add") == 0)
		return client_add(a, argc, argv);
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return client_list(a);
	if (argc != 3 || argv[2][0] == '-')
		return EXIT_USAGE;
	if (strcmp(argv[1], "show") == 0)
		return client_show(a, argv[2]);
	if (strcmp(argv[1], "del") == 0)
		return client_del(a, argv[2]);
	if (strcmp(argv[1], "pin") == 0)
		return client_pin(a, argv[2]);
	return EXIT_USAGE;
}
