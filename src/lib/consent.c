/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "client.h"
#include "config.h"
#include "consent.h"
#include "buf.h"
#include "crypto.h"
#include "form.h"
#include "grant.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "ratelimit.h"
#include "scope.h"
#include "session.h"
#include "store.h"
#include "user.h"

/*
 * Whether user may hold a session and approve requests: a user record
 * that exists and is not disabled, or, with user_auth = remote_user, no
 * record at all (the web server vouches for the person).  A record
 * that cannot be read allows nothing.  Returns 0 if allowed, else -1.
 */
int
consent_user_allowed(struct store_txn *t, const struct config *cfg,
    const char *user)
{
	struct user	 u;
	int		 rc, allowed;

	rc = store_user_get(t, user, &u);
	allowed = rc == STORE_OK ? !(u.flags & USER_DISABLED) :
	    rc == STORE_NOTFOUND && cfg->user_auth == USER_AUTH_REMOTE_USER;
	user_free(&u);
	return allowed ? 0 : -1;
}

/*
 * The browser binding cookie, from the request's Cookie header: read
 * it, or with create make one (set on resp).  hash receives the
 * SHA-256 stored with pending requests.  Returns 0, or -1 when there
 * is none (or none could be made).
 */
int
consent_browser(const struct config *cfg, const char *cookie_header,
    struct http_response *resp, int create, unsigned char *hash)
{
	return consent_browser_keyed(cfg, cookie_header, resp, create, hash,
	    NULL);
}

/*
 * consent_browser(), and with form_key not NULL the key the pages'
 * CSRF tokens derive from (account_form_token(), the device page's):
 * a second hash of the cookie, under a label of its own, stored
 * nowhere.  hash is in the database (pending requests), so a token
 * derived from it could be computed by whoever reads a copy of the
 * database; form_key needs the cookie itself.
 */
int
consent_browser_keyed(const struct config *cfg, const char *cookie_header,
    struct http_response *resp, int create, unsigned char *hash,
    unsigned char *form_key)
{
	/* Room for a value longer than a token, to be refused as such. */
	char	 name[PAGE_COOKIE_NAME_MAX], value[CRYPTO_TOKEN_CHARS + 8];
	char	 keyed[sizeof(CONSENT_FORM_KEY_LABEL) + sizeof(value)];
	int	 rc = -1;

	cookie_name(cfg, CONSENT_COOKIE_BROWSER, name, sizeof(name));
	if (cookie_get(cookie_header, name, value, sizeof(value)) == 1 &&
	    strlen(value) == CRYPTO_TOKEN_CHARS &&
	    crypto_sha256_str(value, hash) == CRYPTO_OK)
		rc = 0;
	else if (create &&
	    pending_new_secret(value, sizeof(value), hash) == STORE_OK) {
		cookie_set(resp, cfg, CONSENT_COOKIE_BROWSER, value, 0);
		rc = 0;
	}
	if (rc == 0 && form_key != NULL) {
		snprintf(keyed, sizeof(keyed), "%s%s", CONSENT_FORM_KEY_LABEL,
		    value);
		if (crypto_sha256_str(keyed, form_key) != CRYPTO_OK)
			rc = -1;
		crypto_wipe(keyed, sizeof(keyed));
	}
	crypto_wipe(value, sizeof(value));
	return rc;
}

/*
 * The signed-in user of this browser into user, or none (returns -1):
 * the web server's REMOTE_USER with user_auth = remote_user, else the
 * session cookie from the Cookie header.  Disabled users are not
 * signed in.
 */
int
consent_current_user(struct store_txn *t, const struct config *cfg,
    const char *remote_user, const char *cookie_header, int64_t now,
    char *user, size_t usersz)
{
	struct session	 s;
	char		 name[PAGE_COOKIE_NAME_MAX];
	char		 value[SESSION_TOKEN_MAX];

	if (cfg->user_auth == USER_AUTH_REMOTE_USER) {
		if (remote_user == NULL || !user_name_valid(remote_user))
			return -1;
		snprintf(user, usersz, "%s", remote_user);
	} else {
		cookie_name(cfg, CONSENT_COOKIE_SESSION, name, sizeof(name));
		if (cookie_get(cookie_header, name, value, sizeof(value)) !=
		    1 || session_get(t, value, now, &s) != STORE_OK)
			return -1;
		snprintf(user, usersz, "%s", s.user);
		session_free(&s);
	}
	return consent_user_allowed(t, cfg, user);
}

/*
 * Whether the signed-in user approved client for the request's scopes
 * and resource before, with a grant still active.  Approval is
 * remembered only for confidential clients, since a public client's
 * identity cannot be verified (RFC 8252 section 8.6), and never when
 * the request asks with prompt=consent.
 */
int
consent_remembered(struct store_txn *t, const struct config *cfg,
    const struct client *c, const struct pending *pd, const char *user,
    int64_t now)
{
	struct consent_offer	 o;

	if ((pd->prompt & PROMPT_CONSENT) || c->auth_method == CLIENT_AUTH_NONE)
		return 0;
	/* What the user may grant of the request, not the request. */
	if (consent_offer(t, cfg, user, c->id, pd, now, &o) != STORE_OK ||
	    (o.offered[0] == '\0' && pd->scope[0] != '\0'))
		return 0;
	return grant_has_active_consent(t, cfg, user, c->id, o.offered,
	    pd->resource, now);
}

/*
 * Who the person of this browser is (the web server's remote_user, or
 * the session in the Cookie header cookie), for the pending request pd:
 * signed in only if they did not ask to sign in again with
 * prompt=login; with c, also whether they approved c for the request
 * before (consent_remembered()).  Returns a store code.
 */
int
consent_who(struct store *st, const struct config *cfg,
    const char *remote_user, const char *cookie, const struct client *c,
    const struct pending *pd, int64_t now, struct consent_who *w)
{
	struct store_txn	*t;
	int			 rc;

	memset(w, 0, sizeof(*w));
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	w->signed_in = consent_current_user(t, cfg, remote_user, cookie,
	    now, w->user, sizeof(w->user)) == 0 &&
	    !(pd->prompt & PROMPT_LOGIN);
	if (w->signed_in && c != NULL)
		w->remembered = consent_remembered(t, cfg, c, pd, w->user,
		    now);
	store_abort(t);
	return STORE_OK;
}

/* A sign-in or consent event in the log; NULL fields are left out. */
void
consent_log(const char *event, const char *user, const char *client_id,
    const char *ip)
{
	struct log_line	 l;

	log_begin(&l, event);
	if (user != NULL)
		log_str(&l, "user", user);
	if (client_id != NULL)
		log_str(&l, "client", client_id);
	if (ip != NULL)
		log_str(&l, "ip", ip);
	log_end(&l);
}

/*
 * What the request with prompt needs next, given whether the person is
 * signed in (and did not ask to sign in again) and whether approval is
 * remembered.  prompt=none never shows a page (OpenID Connect Core
 * section 3.1.2.6); with user_auth = remote_user there is no login
 * page to show.
 */
enum consent_step
consent_next(const struct config *cfg, uint32_t prompt, int signed_in,
    int remembered)
{
	if (prompt & PROMPT_NONE) {
		if (!signed_in)
			return CONSENT_LOGIN_REQUIRED;
		return remembered ? CONSENT_ISSUE : CONSENT_CONSENT_REQUIRED;
	}
	if (remembered)
		return CONSENT_REMEMBERED;
	if (signed_in)
		return CONSENT_SHOW_CONSENT;
	return cfg->user_auth == USER_AUTH_REMOTE_USER ?
	    CONSENT_NO_REMOTE_USER : CONSENT_SHOW_LOGIN;
}

/*
 * Stores pd under a fresh id (fresh_id) or under id, with a fresh CSRF
 * token, and fills id and csrf for the page.  Returns a store code, or
 * CONSENT_THROTTLED (retry_after set) when ip has started more than
 * authorize_rate_limit requests this hour: every new request is a
 * record kept until it is answered or expires, so without a limit
 * anyone could fill the map.
 */
int
consent_save(struct store *st, const struct config *cfg, const char *ip,
    struct pending *pd, char *id, size_t idsz, int fresh_id, char *csrf,
    size_t csrfsz, int64_t now, long *retry_after)
{
	struct store_txn	*t;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 ipsub[RATELIMIT_IP_MAX];
	int			 rc;

	if (fresh_id && pending_new_secret(id, idsz, h) != STORE_OK)
		return STORE_ERROR;
	if (pending_new_secret(csrf, csrfsz, pd->csrf_hash) != STORE_OK)
		return STORE_ERROR;
	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	if (fresh_id && cfg->authorize_rate_limit > 0) {
		ratelimit_ip_subject(ip, ipsub, sizeof(ipsub));
		rc = ratelimit_check(t, "authorize", ipsub, now,
		    cfg->authorize_rate_limit, CONSENT_RATE_WINDOW,
		    retry_after);
		if (rc == 0)
			rc = ratelimit_count(t, "authorize", ipsub, now,
			    CONSENT_RATE_WINDOW);
		else
			rc = rc == 1 ? CONSENT_THROTTLED : STORE_ERROR;
		if (rc != STORE_OK) {
			store_abort(t);
			return rc;
		}
	}
	rc = pending_put(t, id, pd);
	/*
	 * A request in progress is a use of its client, so that the
	 * purge of unused registrations does not take the client while
	 * the person signs in and approves.  One deleted meanwhile is
	 * refused when the code is issued (consent_issue).
	 */
	if (rc == STORE_OK && !(pd->prompt & PENDING_DEVICE_SIGNIN)) {
		struct client	 c;

		client_init(&c);
		snprintf(c.id, sizeof(c.id), "%s", pd->client_id);
		if ((rc = client_touch(t, &c, now)) == STORE_NOTFOUND)
			rc = STORE_OK;
	}
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	return rc;
}

/*
 * Loads the pending request id and its client, and checks that it
 * belongs to the browser whose binding cookie hashes to browser and,
 * unless csrf is NULL, that csrf is its CSRF token.  Returns STORE_OK
 * with pd and c filled, STORE_NOTFOUND (unknown or expired),
 * CONSENT_FOREIGN, CONSENT_CLIENT_GONE (the client was deleted since
 * the request was saved), or another store error.  The caller frees pd and c
 * whatever the result (pd names the client in the log of a foreign
 * form).
 */
int
consent_load(struct store *st, const char *id, const char *csrf,
    const unsigned char *browser, int64_t now, struct pending *pd,
    struct client *c)
{
	struct store_txn	*t;
	unsigned char		 csrf_hash[CRYPTO_SHA256_LEN];
	int			 rc;

	memset(pd, 0, sizeof(*pd));
	client_init(c);
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	rc = pending_get(t, id, now, pd);
	/* The device and account pages' sign-ins name no client. */
	if (rc == STORE_OK && !(pd->prompt & (PENDING_DEVICE_SIGNIN |
	    PENDING_ACCOUNT_SIGNIN | PENDING_ADMIN_SIGNIN)) &&
	    (rc = store_client_get(t, pd->client_id, c)) == STORE_NOTFOUND)
		rc = CONSENT_CLIENT_GONE;
	store_abort(t);
	if ((rc == STORE_OK || rc == CONSENT_CLIENT_GONE) &&
	    (!crypto_equal(browser, pd->browser_hash,
	    CRYPTO_SHA256_LEN) || (csrf != NULL &&
	    (strlen(csrf) != CRYPTO_TOKEN_CHARS ||
	    crypto_sha256_str(csrf, csrf_hash) != CRYPTO_OK ||
	    !crypto_equal(csrf_hash, pd->csrf_hash, sizeof(csrf_hash))))))
		rc = CONSENT_FOREIGN;
	return rc;
}

/*
 * Issues a code to c for the request pd approved by user, deleting the
 * pending request pending_id (if not NULL) in the same transaction.
 * What was read before this transaction is checked again in it: a
 * second click on Approve (or Deny in another tab) has consumed the
 * pending request (CONSENT_ANSWERED), the administrator has disabled
 * the user in between (CONSENT_USER_REFUSED), or the client has been
 * deleted (CONSENT_CLIENT_GONE: no grant is made for it).  The code is
 * logged by its hash only; the approval goes to the audit trail with
 * the browser's address ip.
 */
int
consent_issue(struct store *st, const struct config *cfg,
    const struct client *c, const struct pending *pd, const char *user,
    const char *pending_id, const char *ip, int64_t now, char *code,
    size_t codesz)
{
	struct store_txn	*t;
	struct log_line		 l;
	unsigned char		 h[CRYPTO_SHA256_LEN];
	char			 grant_id[GRANT_ID_LEN + 1];
	int			 rc;
	const struct code_request cr = {
		.user = user,
		.client = c,
		.redirect_uri = pd->redirect_uri,
		.redirect_explicit = (int)pd->redirect_explicit,
		.challenge = pd->challenge,
		.scope = pd->scope,
		.resource = pd->resource,
	};

	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	if (pending_id != NULL &&
	    (rc = pending_delete(t, pending_id)) != STORE_OK) {
		store_abort(t);
		return rc == STORE_NOTFOUND ? CONSENT_ANSWERED : rc;
	}
	if (consent_user_allowed(t, cfg, user) != 0) {
		store_abort(t);
		return CONSENT_USER_REFUSED;
	}
	rc = grant_issue_code(t, cfg, &cr, now, code, codesz, grant_id);
	if (rc == GRANT_SCOPE_REFUSED) {
		store_abort(t);
		return CONSENT_USER_REFUSED;
	}
	if (rc == STORE_NOTFOUND)
		rc = CONSENT_CLIENT_GONE;	/* deleted since pd was read */
	if (rc == STORE_OK)
		rc = audit_record(t, cfg, AUDIT_CONSENT, user, c->id, ip,
		    pd->scope);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	if (rc != STORE_OK)
		return rc;
	crypto_sha256_str(code, h);
	log_begin(&l, "code_issued");
	log_str(&l, "user", user);
	log_str(&l, "client", c->id);
	log_str(&l, "grant", grant_id);
	log_str(&l, "scope", pd->scope);
	log_hash(&l, "code", h);
	log_end(&l);
	return STORE_OK;
}

/*
 * Deletes the pending request id after user denied it to client_id
 * (from the address ip), and records the denial in the audit trail.
 * Returns STORE_OK, CONSENT_ANSWERED when it was answered already
 * (Approve in another tab), or another store error.
 */
int
consent_deny(struct store *st, const struct config *cfg, const char *id,
    const char *user, const char *client_id, const char *ip)
{
	struct store_txn	*t;
	int			 rc;

	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	if ((rc = pending_delete(t, id)) == STORE_OK)
		rc = audit_record(t, cfg, AUDIT_CONSENT_DENIED, user,
		    client_id, ip, NULL);
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	return rc == STORE_NOTFOUND ? CONSENT_ANSWERED : rc;
}

/*
 * The day an approval given at now ends (grant_lifetime later: the
 * user signs in again then), as the consent page shows it, in UTC:
 * "2 March 2027".
 */
void
consent_grant_end(const struct config *cfg, int64_t now, char *out,
    size_t outsz)
{
	struct tm	 tm;
	time_t		 end = (time_t)(now + cfg->grant_lifetime);

	if (outsz == 0)
		return;
	if (gmtime_r(&end, &tm) == NULL ||
	    strftime(out, outsz, "%-d %B %Y", &tm) == 0)
		out[0] = '\0';
}

/* Copies a scope list into a fixed field, refusing to cut it. */
static int
copy_list(char *out, size_t outsz, const struct buf *b)
{
	if (buf_failed(b))
		return STORE_ENOMEM;
	if ((size_t)snprintf(out, outsz, "%s", buf_cstr(b)) >= outsz)
		return STORE_ERROR;
	return STORE_OK;
}

/*
 * What the consent page offers user for the request pd of client
 * client_id (consent_offer in consent.h), in the caller's transaction.
 * A user without a record (user_auth = remote_user) has no limit.  The
 * base scope (scope_base()) is the one kept ticked; a request without
 * it keeps its first offered scope instead, so that an approval always
 * grants something.  On a step-up the scopes granted before are shown
 * as such, and are no choice.
 */
int
consent_offer(struct store_txn *t, const struct config *cfg,
    const char *user, const char *client_id, const struct pending *pd,
    int64_t now, struct consent_offer *o)
{
	struct user	 u;
	struct buf	 b, granted;
	const char	*base = scope_base(cfg);
	int		 rc;

	memset(o, 0, sizeof(*o));
	buf_init(&b);
	buf_init(&granted);
	rc = store_user_get(t, user, &u);
	if (rc == STORE_OK) {
		scope_limit(cfg, pd->scope, user_scope_limit(&u), &b);
		user_free(&u);
	} else if (rc == STORE_NOTFOUND)
		scope_union(cfg, pd->scope, "", &b);
	else
		goto out;
	if ((rc = copy_list(o->offered, sizeof(o->offered), &b)) != STORE_OK)
		goto out;
	scope_minus(cfg, pd->scope, o->offered, &b);
	if ((rc = copy_list(o->refused, sizeof(o->refused), &b)) != STORE_OK)
		goto out;
	if ((rc = grant_active_scopes(t, cfg, user, client_id, pd->resource,
	    now, &granted)) != STORE_OK)
		goto out;
	/* Granted before and asked for again: no choice, listed apart. */
	{
		size_t	 i;

		buf_reset(&b);
		for (i = 0; i < cfg->scopes.len; i++) {
			const char *name = cfg->scopes.items[i];

			if (!scope_has(o->offered, name) ||
			    !scope_has(buf_cstr(&granted), name))
				continue;
			if (b.len > 0)
				buf_putc(&b, ' ');
			buf_puts(&b, name);
		}
	}
	if ((rc = copy_list(o->granted, sizeof(o->granted), &b)) != STORE_OK)
		goto out;
	if (base != NULL && scope_has(o->offered, base) &&
	    !scope_has(o->granted, base))
		snprintf(o->fixed, sizeof(o->fixed), "%s", base);
	else if (o->granted[0] == '\0' && o->offered[0] != '\0')
		snprintf(o->fixed, sizeof(o->fixed), "%.*s",
		    (int)strcspn(o->offered, " "), o->offered);
out:
	buf_free(&b);
	buf_free(&granted);
	return rc;
}

/* consent_offer() in a read transaction of its own. */
int
consent_offer_load(struct store *st, const struct config *cfg,
    const char *user, const char *client_id, const struct pending *pd,
    int64_t now, struct consent_offer *o)
{
	struct store_txn	*t;
	int			 rc;

	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	rc = consent_offer(t, cfg, user, client_id, pd, now, o);
	store_abort(t);
	return rc;
}

/*
 * The scopes the person approved on the consent form f, into chosen:
 * the ticked ones (fields CONSENT_FIELD_SCOPE...), the fixed one and
 * those granted before.  A form without CONSENT_FIELD_CHOICE (a client
 * of this server's own that posts no checkboxes) approves what was
 * offered.  Every ticked value must be one the page offered: anything
 * else is a forged or stale form, and CONSENT_TAMPERED; the pending
 * request itself, and so what may be offered, never left the server.
 * Returns STORE_OK, CONSENT_TAMPERED or STORE_ENOMEM.
 */
int
consent_choose(const struct config *cfg, const struct consent_offer *o,
    const struct form *f, char *chosen, size_t chosensz)
{
	struct buf	 picked, all;
	size_t		 i, plen = strlen(CONSENT_FIELD_SCOPE);
	int		 rc = STORE_OK;

	buf_init(&picked);
	buf_init(&all);
	if (form_get(f, CONSENT_FIELD_CHOICE) == NULL)
		buf_puts(&picked, o->offered);
	else
		for (i = 0; i < f->len; i++) {
			const char	*v = f->fields[i].value;

			if (strncmp(f->fields[i].name, CONSENT_FIELD_SCOPE,
			    plen) != 0)
				continue;
			if (v == NULL || v[0] == '\0' ||
			    strchr(v, ' ') != NULL ||
			    !scope_has(o->offered, v)) {
				rc = CONSENT_TAMPERED;
				goto out;
			}
			buf_putc(&picked, ' ');
			buf_puts(&picked, v);
		}
	buf_putc(&picked, ' ');
	buf_puts(&picked, o->fixed);
	scope_union(cfg, buf_cstr(&picked), o->granted, &all);
	if (buf_failed(&picked) || buf_failed(&all))
		rc = STORE_ENOMEM;
	else if ((size_t)snprintf(chosen, chosensz, "%s", buf_cstr(&all)) >=
	    chosensz)
		rc = STORE_ENOMEM;
out:
	buf_free(&picked);
	buf_free(&all);
	return rc;
}

/*
 * Whether the request pd gets the refusal page rather than the consent
 * page: it asks only for scopes the user may not grant.  A request that
 * also asks for some she may grant gets the consent page, which lists
 * the others as not allowed by her administrator, even when she has
 * granted all she may before: a step-up and a second device of the
 * same client (a metadata document's client id is shared) ask alike,
 * and the second must be able to connect.
 */
int
consent_refused(const struct consent_offer *o, const struct pending *pd)
{
	return o->offered[0] == '\0' && pd->scope[0] != '\0';
}
