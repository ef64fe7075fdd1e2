/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * register.fcgi: /register, dynamic client registration (RFC 7591).
 * Strict JSON, every known member checked, unknown members ignored;
 * the client_id and any secret are ours, random, and the secret is
 * stored only as a hash.  Registrations are limited per client IP and
 * for the whole site (reglimit.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/app.h"
#include "lib/audit.h"
#include "lib/client.h"
#include "lib/crypto.h"
#include "lib/http.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/oauth.h"
#include "lib/reglimit.h"
#include "lib/store.h"

static void
log_throttled(const struct http_request *req, enum reglimit_result why)
{
	struct log_line	 l;

	log_begin(&l, "register_throttled");
	log_str(&l, "ip", req->remote_addr);
	log_str(&l, "limit", why == REGLIMIT_SITE ? "site" : "address");
	log_end(&l);
}

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	struct store		*st;
	struct store_txn	*t;
	struct client		 c;
	struct oauth_error	 e;
	json_object		*o = NULL;
	char			 why[256], secret[TOKEN_SECRET_MAX];
	enum reglimit_result	 over;
	long			 retry = 0;
	int64_t			 now = time(NULL);
	int			 rc;

	client_init(&c);
	memset(&e, 0, sizeof(e));
	secret[0] = '\0';
	if (a->cfg->registration == REGISTRATION_CLOSED) {
		oauth_error_set(&e, 403, "access_denied", "dynamic client "
		    "registration is closed on this server; ask its "
		    "administrator for a client");
		goto error;
	}
	if (!http_content_type_is(req, "application/json")) {
		oauth_error_set(&e, 400, "invalid_client_metadata",
		    "the body must be application/json");
		goto error;
	}
	if (app_read_body(a, req, resp, CLIENT_METADATA_MAX) == -1) {
		oauth_no_store(resp);
		goto out;
	}
	rc = client_from_json(a->cfg, req->body, req->body_len, &c, why,
	    sizeof(why));
	if (rc != CLIENT_OK) {
		if (rc == CLIENT_ENOMEM)
			oauth_error_set(&e, 500, "server_error",
			    "out of memory");
		else
			oauth_error_set(&e, 400, rc == CLIENT_EREDIRECT ?
			    "invalid_redirect_uri" : "invalid_client_metadata",
			    "%s", why);
		goto error;
	}
	c.flags = CLIENT_DYNAMIC;
	c.created = now;
	if (client_new_id(c.id, sizeof(c.id)) != CRYPTO_OK ||
	    (c.auth_method != CLIENT_AUTH_NONE &&
	    client_new_secret(&c, secret, sizeof(secret)) != CRYPTO_OK)) {
		oauth_error_set(&e, 500, "server_error",
		    "cannot generate credentials");
		goto error;
	}

	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK) {
		oauth_store_respond(resp, rc);
		goto out;
	}
	/*
	 * A registration is counted only when it is within the limits:
	 * one over either is refused without writing anything, and the
	 * count's own failure (a full map) is told from the others.
	 */
	if ((rc = reglimit_take(t, a->cfg, req->remote_addr, now, &over,
	    &retry)) != STORE_OK) {
		store_abort(t);
		oauth_store_respond(resp, rc);
		goto out;
	}
	if (over != REGLIMIT_OK) {
		store_abort(t);
		log_throttled(req, over);
		http_headerf(resp, "Retry-After", "%ld", retry);
		if (over == REGLIMIT_SITE)
			oauth_error_set(&e, 429, "too_many_requests",
			    "this server has taken as many registrations "
			    "as it accepts in an hour; try again later");
		else
			oauth_error_set(&e, 429, "too_many_requests",
			    "too many registrations from this address; try "
			    "again later");
		goto error;
	}
	rc = store_client_put(t, &c, 1);
	if (rc == STORE_OK)
		rc = audit_record(t, a->cfg, AUDIT_CLIENT_REGISTERED, NULL,
		    c.id, req->remote_addr, c.name);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc != STORE_OK) {
		oauth_store_respond(resp, rc);
		goto out;
	}
	app_purge_some(a);
	{
		struct log_line	 l;

		log_begin(&l, "client_registered");
		log_str(&l, "client", c.id);
		log_str(&l, "name", c.name);
		log_str(&l, "method", client_auth_method_name(c.auth_method));
		log_str(&l, "ip", req->remote_addr);
		log_end(&l);
	}
	if ((o = client_to_json(&c)) == NULL) {
		oauth_error_set(&e, 500, "server_error", "out of memory");
		goto error;
	}
	if (secret[0] != '\0') {
		json_object_object_add(o, "client_secret",
		    json_object_new_string(secret));
		json_object_object_add(o, "client_secret_expires_at",
		    json_object_new_int64(0));
	}
	oauth_no_store(resp);
	http_json(resp, 201, json_str(o));
	goto out;
error:
	oauth_error_respond(resp, &e);
out:
	crypto_wipe(secret, sizeof(secret));
	json_object_put(o);
	client_free(&c);
}

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	if (app_resource_server_only(a, resp, APP_ANSWER_JSON))
		return;
	if (oauth_post_endpoint(req, resp, "/register", "registration"))
		handle_post(a, req, resp);
}

int
main(void)
{
	return app_main("register.fcgi", handle, NULL);
}
