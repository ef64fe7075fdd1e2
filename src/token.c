/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * token.fcgi: /token, the token endpoint (RFC 6749 §3.2, §4.1.3, §6;
 * OAuth 2.1; RFC 7636; RFC 8707).  authorization_code and
 * refresh_token grants; client authentication with the one method the
 * client registered.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/app.h"
#include "lib/cimdfetch.h"
#include "lib/client.h"
#include "lib/crypto.h"
#include "lib/form.h"
#include "lib/grant.h"
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

static void
handle_post(struct app *a, struct http_request *req,
    struct http_response *resp)
{
	struct store		*st;
	struct store_txn	*t;
	struct form		 f;
	struct client		 c;
	struct oauth_error	 e;
	struct token_response	 tr;
	const char		*grant_type, *v;
	int64_t			 now = time(NULL);
	int			 rc, ok;

	form_init(&f);
	client_init(&c);
	memset(&e, 0, sizeof(e));
	memset(&tr, 0, sizeof(tr));
	rc = app_read_form(a, req, resp, TOKEN_BODY_MAX, &f, &e);
	if (rc == -1)
		goto error;
	if (rc == 1)
		goto out;
	/* A metadata document client: fetched first, outside the txn. */
	if (app_store(a, &st) == STORE_OK && cimd_ensure_oauth(a->cfg, st,
	    form_get(&f, "client_id"), now, &e) == -1)
		goto error;
	if ((rc = app_store(a, &st)) != STORE_OK ||
	    (rc = store_begin(st, 0, &t)) != STORE_OK) {
		oauth_store_respond(resp, rc);
		goto out;
	}
	if (client_authenticate(t, req, &f, &c, &e) == -1) {
		store_abort(t);
		{
			struct log_line	 l;

			log_begin(&l, "client_auth_failed");
			log_str(&l, "client", form_get(&f, "client_id"));
			log_str(&l, "ip", req->remote_addr);
			log_str(&l, "reason", e.description);
			log_end(&l);
		}
		goto error;
	}
	grant_type = form_get(&f, "grant_type");
	if (grant_type == NULL) {
		store_abort(t);
		oauth_error_set(&e, 400, "invalid_request",
		    "grant_type is required");
		goto error;
	}
	if (strcmp(grant_type, "authorization_code") == 0) {
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
	} else {
		store_abort(t);
		oauth_error_set(&e, 400, "unsupported_grant_type",
		    "grant_type must be authorization_code or refresh_token");
		goto error;
	}
	if (!ok && !e.commit) {
		store_abort(t);
		goto error;
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

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	if (app_resource_server_only(a, resp, APP_ANSWER_JSON))
		return;
	if (oauth_post_endpoint(req, resp, "/token", "token"))
		handle_post(a, req, resp);
}

int
main(void)
{
	return app_main("token.fcgi", handle, NULL);
}
