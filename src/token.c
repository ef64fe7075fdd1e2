/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * token.fcgi: /token, the token endpoint (RFC 6749 §3.2, §4.1.3, §6;
 * OAuth 2.1; RFC 7636; RFC 8707).  authorization_code, refresh_token
 * and device_code (RFC 8628 §3.4) grants; client authentication with
 * the one method the client registered.
 *
 * Also /device_authorization, the device authorization endpoint of
 * RFC 8628 §3.1: a back-channel form POST with client authentication
 * like /token.  The person answers on /device (authorize.fcgi).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/app.h"
#include "lib/audit.h"
#include "lib/cimdfetch.h"
#include "lib/client.h"
#include "lib/authreq.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/device.h"
#include "lib/form.h"
#include "lib/grant.h"
#include "lib/grantcap.h"
#include "lib/http.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/oauth.h"
#include "lib/store.h"

#define TOKEN_BODY_MAX	(16 * 1024)

static void
respond_tokens(struct http_response *resp, const struct token_response *tr)
{
	json_object	*o;

	if ((o = json_object_new_object()) == NULL) {
		http_json_error(resp, 500, "server_error", "out of memory");
		return;
	}
	json_object_object_add(o, "access_token",
	    json_object_new_string(tr->access_token));
	json_object_object_add(o, "token_type",
	    json_object_new_string("Bearer"));
	json_object_object_add(o, "expires_in",
	    json_object_new_int64(tr->expires_in));
	json_object_object_add(o, "scope", json_object_new_string(tr->scope));
	if (tr->has_refresh)
		json_object_object_add(o, "refresh_token",
		    json_object_new_string(tr->refresh_token));
	oauth_no_store(resp);
	http_json(resp, 200, json_str(o));
	json_object_put(o);
}

static void
log_issued(const char *event, const struct client *c,
    const struct token_response *tr)
{
	struct log_line	 l;

	log_begin(&l, event);
	log_str(&l, "user", tr->user);
	log_str(&l, "client", c->id);
	log_str(&l, "grant", tr->grant_id);
	log_str(&l, "scope", tr->scope);
	log_hash(&l, "access", tr->access_hash);
	if (tr->has_refresh)
		log_hash(&l, "refresh", tr->refresh_hash);
	/* A retry with the previous token: the same refresh token again. */
	if (tr->retried)
		log_int(&l, "retry", 1);
	log_end(&l);
}

/*
 * Reads the form and authenticates its client in a new write
 * transaction (*t).  Returns 0, 1 when the answer is sent already, or
 * -1 with e set (no transaction open).
 */
static int
begin_client(struct app *a, struct http_request *req,
    struct http_response *resp, struct form *f, struct client *c,
    struct store_txn **t, struct oauth_error *e)
{
	struct store		*st;
	struct log_line		 l;
	int			 rc;

	rc = app_read_form(a, req, resp, TOKEN_BODY_MAX, f, e);
	if (rc != 0)
		return rc;
	/* A metadata document client: fetched first, outside the txn. */
	if (app_store(a, &st) == STORE_OK && cimd_ensure_oauth(a->cfg, st,
	    form_get(f, "client_id"), req->remote_addr, time(NULL), e) == -1)
		return -1;
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, t)) != STORE_OK) {
		oauth_store_respond(resp, rc);
		return 1;
	}
	if (client_authenticate(*t, req, f, c, e) == -1) {
		store_abort(*t);
		log_begin(&l, "client_auth_failed");
		log_str(&l, "client", form_get(f, "client_id"));
		log_str(&l, "ip", req->remote_addr);
		log_str(&l, "reason", e->description);
		log_end(&l);
		return -1;
	}
	return 0;
}

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	struct store_txn	*t;
	struct form		 f;
	struct client		 c;
	struct oauth_error	 e;
	struct token_response	 tr;
	struct grantcap_result	 cap;
	const char		*grant_type, *v;
	int64_t			 now = time(NULL);
	int			 rc, ok;

	form_init(&f);
	client_init(&c);
	memset(&e, 0, sizeof(e));
	memset(&tr, 0, sizeof(tr));
	rc = begin_client(a, req, resp, &f, &c, &t, &e);
	if (rc == -1)
		goto error;
	if (rc == 1)
		goto out;
	grant_type = form_get(&f, "grant_type");
	if (grant_type == NULL) {
		store_abort(t);
		oauth_error_set(&e, 400, "invalid_request",
		    "grant_type is required");
		goto error;
	}
	if (strcmp(grant_type, "authorization_code") == 0) {
		/* RFC 6749 §5.2: a client of the device grant alone. */
		if (!(c.grant_types & CLIENT_GRANT_CODE)) {
			store_abort(t);
			oauth_error_set(&e, 400, "unauthorized_client",
			    "this client did not register the "
			    "authorization_code grant");
			goto error;
		}
		if ((v = form_get(&f, "code")) == NULL) {
			store_abort(t);
			oauth_error_set(&e, 400, "invalid_request",
			    "code is required");
			goto error;
		}
		ok = grant_exchange_code(t, a->cfg, &c, v,
		    form_get(&f, "redirect_uri"), form_get(&f, "code_verifier"),
		    form_get(&f, "resource"), now, &tr, &e) == 0;
	} else if (strcmp(grant_type, "refresh_token") == 0) {
		if (!(c.grant_types & CLIENT_GRANT_REFRESH)) {
			store_abort(t);
			oauth_error_set(&e, 400, "unauthorized_client",
			    "this client did not register the refresh_token "
			    "grant");
			goto error;
		}
		if ((v = form_get(&f, "refresh_token")) == NULL) {
			store_abort(t);
			oauth_error_set(&e, 400, "invalid_request",
			    "refresh_token is required");
			goto error;
		}
		ok = grant_refresh(t, a->cfg, &c, v, form_get(&f, "scope"),
		    form_get(&f, "resource"), now, &tr, &e) == 0;
	} else if (strcmp(grant_type, DEVICE_GRANT_TYPE) == 0) {
		if (!(c.grant_types & CLIENT_GRANT_DEVICE)) {
			store_abort(t);
			oauth_error_set(&e, 400, "unauthorized_client",
			    "this client did not register the device_code "
			    "grant");
			goto error;
		}
		if ((v = form_get(&f, "device_code")) == NULL) {
			store_abort(t);
			oauth_error_set(&e, 400, "invalid_request",
			    "device_code is required");
			goto error;
		}
		ok = device_poll(t, a->cfg, &c, v, form_get(&f, "resource"),
		    now, &tr, &e) == 0;
	} else {
		store_abort(t);
		oauth_error_set(&e, 400, "unsupported_grant_type",
		    "grant_type must be authorization_code, refresh_token or "
		    DEVICE_GRANT_TYPE);
		goto error;
	}
	if (!ok && !e.commit) {
		store_abort(t);
		goto error;
	}
	/*
	 * A redeemed code or device code: the new grant replaces, or
	 * caps, the user's earlier grants of this client (grantcap.h).
	 * Any success is a use of the client (at most one write a day).
	 * Then the audit event, in the transaction that issues or revokes.
	 */
	rc = STORE_OK;
	if (ok && strcmp(grant_type, "refresh_token") != 0)
		rc = grantcap_apply(t, a->cfg, &c, tr.grant_id, now, &cap);
	if (ok && rc == STORE_OK)
		rc = client_touch(t, &c, now);
	if (ok && rc == STORE_OK)
		rc = audit_record(t, a->cfg, strcmp(grant_type,
		    "refresh_token") == 0 ? AUDIT_TOKEN_REFRESHED :
		    AUDIT_TOKEN_ISSUED, tr.user, c.id, req->remote_addr,
		    strcmp(grant_type, DEVICE_GRANT_TYPE) == 0 ?
		    "device_code" : grant_type);
	else if (!ok && tr.replay != 0)
		rc = audit_record(t, a->cfg, tr.replay, tr.user, c.id,
		    req->remote_addr, "grant revoked");
	if (rc != STORE_OK) {
		store_abort(t);
		crypto_wipe(&tr, sizeof(tr));
		oauth_store_respond(resp, rc);
		goto out;
	}
	if ((rc = store_commit(t)) != STORE_OK) {
		crypto_wipe(&tr, sizeof(tr));
		oauth_store_respond(resp, rc);
		goto out;
	}
	if (!ok)
		goto error;
	log_issued(strcmp(grant_type, "refresh_token") == 0 ?
	    "token_refreshed" : "token_issued", &c, &tr);
	respond_tokens(resp, &tr);
	crypto_wipe(&tr, sizeof(tr));
	app_purge_some(a);
	goto out;
error:
	/* Over refresh_rate_limit: when the same token may come back. */
	if (e.status == 429 && tr.retry_after > 0)
		http_headerf(resp, "Retry-After", "%ld", tr.retry_after);
	oauth_error_respond(resp, &e);
out:
	form_free(&f);
	client_free(&c);
}

/*
 * Answers a device authorization request (RFC 8628 §3.2): the device
 * code, the user code and where the person enters it.
 */
static void
respond_device(struct app *a, struct http_response *resp,
    const struct device_start *ds)
{
	json_object	*o;
	char		 uri[512], complete[512 + 32];

	if ((o = json_object_new_object()) == NULL) {
		http_json_error(resp, 500, "server_error", "out of memory");
		return;
	}
	/* The complete form carries the code (RFC 8628 §3.3.1). */
	snprintf(uri, sizeof(uri), "%s/device", a->cfg->issuer);
	snprintf(complete, sizeof(complete), "%s?user_code=%s", uri,
	    ds->user_code);
	json_object_object_add(o, "device_code",
	    json_object_new_string(ds->device_code));
	json_object_object_add(o, "user_code",
	    json_object_new_string(ds->user_code));
	json_object_object_add(o, "verification_uri",
	    json_object_new_string(uri));
	json_object_object_add(o, "verification_uri_complete",
	    json_object_new_string(complete));
	json_object_object_add(o, "expires_in",
	    json_object_new_int64(ds->expires_in));
	json_object_object_add(o, "interval",
	    json_object_new_int64(ds->interval));
	oauth_no_store(resp);
	http_json(resp, 200, json_str(o));
	json_object_put(o);
}

static void
handle_device_authorization(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	struct store_txn	*t;
	struct form		 f;
	struct client		 c;
	struct oauth_error	 e;
	struct device_start	 ds;
	struct buf		 scope;
	struct log_line		 l;
	char			 text[AUTHREQ_TEXT_MAX];
	const char		*resource;
	int			 rc;

	form_init(&f);
	client_init(&c);
	buf_init(&scope);
	memset(&e, 0, sizeof(e));
	memset(&ds, 0, sizeof(ds));
	rc = begin_client(a, req, resp, &f, &c, &t, &e);
	if (rc == -1)
		goto error;
	if (rc == 1)
		goto out;
	if (!(c.grant_types & CLIENT_GRANT_DEVICE)) {
		store_abort(t);
		oauth_error_set(&e, 400, "unauthorized_client",
		    "this client did not register the device_code grant");
		goto error;
	}
	rc = authreq_scope(a->cfg, form_get(&f, "scope"), c.scope, &scope,
	    text, sizeof(text));
	if (rc != AUTHREQ_SCOPE_OK) {
		store_abort(t);
		if (rc == AUTHREQ_SCOPE_INVALID)
			oauth_error_set(&e, 400, "invalid_scope", "%s", text);
		else
			oauth_error_set(&e, 500, "server_error",
			    "out of memory");
		goto error;
	}
	/* RFC 8707: the resource, when sent, is this server's MCP URL. */
	resource = form_get(&f, "resource");
	if (resource != NULL && (!resource_valid(resource) ||
	    !resource_equal(resource, a->cfg->mcp_url))) {
		store_abort(t);
		oauth_error_set(&e, 400, "invalid_target",
		    "resource must be this server's MCP URL");
		goto error;
	}
	rc = device_start(t, &c, buf_cstr(&scope), a->cfg->mcp_url,
	    req->remote_addr, time(NULL), &ds);
	if (rc == DEVICE_THROTTLED) {
		store_abort(t);
		http_headerf(resp, "Retry-After", "%ld", ds.retry_after);
		oauth_error_set(&e, 429, "too_many_requests", "too many "
		    "device authorizations from this address or client: "
		    "wait, then start again");
		goto error;
	}
	if (rc != STORE_OK) {
		store_abort(t);
		oauth_store_respond(resp, rc);
		goto out;
	}
	if ((rc = store_commit(t)) != STORE_OK) {
		oauth_store_respond(resp, rc);
		goto out;
	}
	log_begin(&l, "device_started");
	log_str(&l, "client", c.id);
	log_str(&l, "scope", buf_cstr(&scope));
	log_str(&l, "ip", req->remote_addr);
	log_end(&l);
	respond_device(a, resp, &ds);
	app_purge_some(a);
	goto out;
error:
	oauth_error_respond(resp, &e);
out:
	crypto_wipe(&ds, sizeof(ds));
	buf_free(&scope);
	form_free(&f);
	client_free(&c);
}

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	if (app_resource_server_only(a, resp, APP_ANSWER_JSON))
		return;
	if (strcmp(req->path, "/device_authorization") == 0) {
		if (oauth_post_endpoint(req, resp, "/device_authorization",
		    "device authorization"))
			handle_device_authorization(a, req, resp);
		return;
	}
	if (oauth_post_endpoint(req, resp, "/token", "token"))
		handle_post(a, req, resp);
}

int
main(void)
{
	return app_main("token.fcgi", handle, NULL);
}
