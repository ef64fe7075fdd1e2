/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * revoke.fcgi: /revoke, token revocation (RFC 7009).  The client
 * authenticates as at /token (a metadata document client's document
 * checked, and fetched anew when stale, as there).  A refresh token
 * takes its whole grant with it; an access token only itself.
 * Unknown tokens, already revoked ones and other clients' tokens all
 * answer 200 and change nothing, so the endpoint reveals nothing about
 * tokens.
 */
#include <string.h>
#include <time.h>

#include "lib/app.h"
#include "lib/audit.h"
#include "lib/cimdfetch.h"
#include "lib/client.h"
#include "lib/form.h"
#include "lib/grant.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/oauth.h"
#include "lib/store.h"

#define REVOKE_BODY_MAX	(16 * 1024)

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	struct store		*st;
	struct store_txn	*t;
	struct form		 f;
	struct client		 c;
	struct oauth_error	 e;
	struct revoke_counts	 n;
	const char		*token;
	int			 rc;

	form_init(&f);
	client_init(&c);
	memset(&e, 0, sizeof(e));
	memset(&n, 0, sizeof(n));
	rc = app_read_form(a, req, resp, REVOKE_BODY_MAX, &f, &e);
	if (rc == -1)
		goto error;
	if (rc == 1)
		goto out;
	/*
	 * A metadata document client, as at /token: cimd = off, the
	 * allowlist and a changed document apply here too.
	 */
	if (app_store(a, &st) == STORE_OK && cimd_ensure_oauth(a->cfg, st,
	    form_get(&f, "client_id"), req->remote_addr, time(NULL), &e) ==
	    -1)
		goto error;
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK) {
		oauth_store_respond(resp, rc);
		goto out;
	}
	if (client_authenticate(t, req, &f, &c, &e) == -1) {
		store_abort(t);
		goto error;
	}
	if ((token = form_get(&f, "token")) == NULL) {
		store_abort(t);
		oauth_error_set(&e, 400, "invalid_request",
		    "token is required");
		goto error;
	}
	/* token_type_hint is only a hint: both kinds are looked up. */
	rc = token_revoke(t, &c, token, &n);
	if (rc == STORE_OK)
		rc = audit_record(t, a->cfg, AUDIT_REVOKED, n.user, c.id,
		    req->remote_addr, n.grants > 0 ? AUDIT_BY_ENDPOINT
		    ": grant" : AUDIT_BY_ENDPOINT ": access token");
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		oauth_store_respond(resp, rc);
		goto out;
	}
	if (rc == STORE_OK) {
		struct log_line	 l;

		log_begin(&l, "token_revoked");
		log_str(&l, "client", c.id);
		log_int(&l, "grants", (long long)n.grants);
		log_int(&l, "access_tokens", (long long)n.access_tokens);
		log_int(&l, "refresh_tokens", (long long)n.refresh_tokens);
		log_end(&l);
	}
	http_status(resp, 200);
	oauth_no_store(resp);
	goto out;
error:
	oauth_error_respond(resp, &e);
out:
	form_free(&f);
	client_free(&c);
}

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	if (app_resource_server_only(a, resp, APP_ANSWER_JSON))
		return;
	if (oauth_post_endpoint(req, resp, "/revoke", "revocation"))
		handle_post(a, req, resp);
}

int
main(void)
{
	return app_main("revoke.fcgi", handle, NULL);
}
