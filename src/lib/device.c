/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "config.h"
#include "consent.h"
#include "crypto.h"
#include "device.h"
#include "grant.h"
#include "log.h"
#include "oauth.h"
#include "ratelimit.h"
#include "record.h"
#include "session.h"
#include "store.h"
#include "usercode.h"

#define KEY_LEN		(sizeof(DEVICE_KEY_PREFIX) - 1 + USERCODE_LEN)
/* Attempts at a user code that no live authorization holds. */
#define NEW_CODE_TRIES	8

void
device_free(struct device *d)
{
	pending_free(&d->pd);
	free(d->user);
	memset(d, 0, sizeof(*d));
}

/*
 * Device record: the pending record (session.c) with state holding the
 * user code, then status u8, interval u32, last_poll i64, the approving
 * user's name, and the SHA-256 of the code issued on approval (zeros
 * before).
 */
int
device_decode(const void *p, size_t n, struct device *d)
{
	struct rec_reader	 r;
	char			 canon[USERCODE_LEN + 1];

	memset(d, 0, sizeof(*d));
	rec_reader_init(&r, p, n);
	pending_read(&r, &d->pd);
	d->status = rec_get_u8(&r);
	d->interval = rec_get_u32(&r);
	d->last_poll = rec_get_i64(&r);
	d->user = rec_get_str(&r);
	rec_get_bytes(&r, d->code_hash, CRYPTO_SHA256_LEN);
	if (!(d->pd.prompt & PENDING_DEVICE_RECORD) ||
	    d->status > DEVICE_DENIED || d->pd.state == NULL ||
	    strlen(d->pd.state) != USERCODE_LEN ||
	    usercode_normalise(d->pd.state, USERCODE_LEN, canon) == -1 ||
	    strcmp(canon, d->pd.state) != 0)
		r.err = 1;
	if (!rec_reader_ok(&r)) {
		device_free(d);
		return STORE_CORRUPT;
	}
	memcpy(d->user_code, canon, sizeof(d->user_code));
	return STORE_OK;
}

/* Appends the record of d to b (empty); the user code is d->user_code. */
int
device_encode(const struct device *d, struct buf *b)
{
	struct pending	 pd = d->pd;

	pd.state = (char *)d->user_code;
	pd.prompt |= PENDING_DEVICE_RECORD;
	pending_write(b, &pd);
	rec_put_u8(b, (uint8_t)d->status);
	rec_put_u32(b, d->interval);
	rec_put_i64(b, d->last_poll);
	rec_put_str(b, d->user != NULL ? d->user : "");
	rec_put_bytes(b, d->code_hash, CRYPTO_SHA256_LEN);
	return buf_failed(b) ? STORE_ENOMEM : STORE_OK;
}

static void
device_key(const char *user_code, char *key)
{
	memcpy(key, DEVICE_KEY_PREFIX, sizeof(DEVICE_KEY_PREFIX) - 1);
	memcpy(key + sizeof(DEVICE_KEY_PREFIX) - 1, user_code, USERCODE_LEN);
}

/* The device authorization of a canonical user code, expired or not. */
int
device_get(struct store_txn *t, const char *user_code, struct device *d)
{
	struct store_val	 v;
	char			 key[KEY_LEN];
	int			 rc;

	memset(d, 0, sizeof(*d));
	if (strlen(user_code) != USERCODE_LEN)
		return STORE_NOTFOUND;
	device_key(user_code, key);
	if ((rc = store_get(t, DB_PENDING, key, sizeof(key), &v)) != STORE_OK)
		return rc;
	return device_decode(v.data, v.len, d);
}

static int
device_write(struct store_txn *t, const struct device *d, unsigned flags)
{
	struct buf	 b;
	char		 key[KEY_LEN];
	int		 rc;

	buf_init(&b);
	device_key(d->user_code, key);
	if ((rc = device_encode(d, &b)) == STORE_OK)
		rc = store_put(t, DB_PENDING, key, sizeof(key), b.data, b.len,
		    flags);
	buf_free(&b);
	return rc;
}

int
device_put(struct store_txn *t, const struct device *d)
{
	return device_write(t, d, 0);
}

/*
 * Counts one event of kind for subject against limit in window:
 * STORE_OK within, DEVICE_THROTTLED over (retry_after set), or a store
 * error.
 */
static int
limit_hit(struct store_txn *t, const char *kind, const char *subject,
    int64_t now, long limit, long window, long *retry_after)
{
	switch (ratelimit_hit(t, kind, subject, now, limit, window,
	    retry_after)) {
	case 0:
		return STORE_OK;
	case 1:
		return DEVICE_THROTTLED;
	default:
		return STORE_ERROR;
	}
}

/*
 * Starts a device authorization for client c with its checked scope and
 * resource, asked from address ip.  Fills out with the device code,
 * the user code in display form, expires_in and interval.  Returns
 * STORE_OK, DEVICE_THROTTLED (out->retry_after set) or a store error;
 * the caller commits on STORE_OK only.
 */
int
device_start(struct store_txn *t, const struct client *c, const char *scope,
    const char *resource, const char *ip, int64_t now,
    struct device_start *out)
{
	struct device	 d;
	unsigned char	 h[CRYPTO_SHA256_LEN];
	char		 ipsub[RATELIMIT_IP_MAX], sub[2 * 16 + 1];
	char		 prefix[sizeof(DEVICE_CODE_PREFIX) + USERCODE_LEN + 1];
	int		 rc, i;

	memset(out, 0, sizeof(*out));
	ratelimit_ip_subject(ip, ipsub, sizeof(ipsub));
	/* A client id may be a long URL: it is counted by a hash. */
	if (crypto_sha256_str(c->id, h) != CRYPTO_OK)
		return STORE_ERROR;
	hex_encode(h, 16, sub);
	if ((rc = limit_hit(t, "device-ip", ipsub, now, DEVICE_START_IP_MAX,
	    DEVICE_LIFETIME, &out->retry_after)) != STORE_OK ||
	    (rc = limit_hit(t, "device-client", sub, now,
	    DEVICE_START_CLIENT_MAX, DEVICE_LIFETIME, &out->retry_after)) !=
	    STORE_OK)
		return rc;
	memset(&d, 0, sizeof(d));
	d.pd.client_id = (char *)c->id;
	d.pd.redirect_uri = (char *)"";
	d.pd.challenge = (char *)"";
	d.pd.scope = (char *)scope;
	d.pd.resource = (char *)resource;
	d.pd.prompt = PENDING_DEVICE_RECORD;
	d.pd.created = now;
	d.pd.expires = now + DEVICE_LIFETIME;
	d.status = DEVICE_PENDING;
	d.interval = DEVICE_INTERVAL;
	d.user = (char *)"";
	rc = STORE_EXISTS;
	for (i = 0; i < NEW_CODE_TRIES && rc == STORE_EXISTS; i++) {
		if (usercode_generate(d.user_code) == -1)
			return STORE_ERROR;
		snprintf(prefix, sizeof(prefix), "%s%s_", DEVICE_CODE_PREFIX,
		    d.user_code);
		if (crypto_random_token(prefix, 32, out->device_code,
		    sizeof(out->device_code)) != CRYPTO_OK ||
		    crypto_sha256_str(out->device_code, d.pd.csrf_hash) !=
		    CRYPTO_OK)
			return STORE_ERROR;
		rc = device_write(t, &d, STORE_NOOVERWRITE);
		/* An expired one holding the code gives way. */
		if (rc == STORE_EXISTS) {
			struct device	 old;

			if (device_get(t, d.user_code, &old) == STORE_OK &&
			    old.pd.expires <= now &&
			    (old.status != DEVICE_APPROVED ||
			    old.pd.expires + DEVICE_LIFETIME <= now))
				rc = device_put(t, &d);
			device_free(&old);
		}
	}
	/*
	 * A device authorization in progress is a use of its client, so
	 * that the purge of unused registrations does not take the client
	 * while the person approves; one deleted meanwhile is refused at
	 * approval (device_answer).
	 */
	if (rc == STORE_OK && (rc = client_touch(t, c, now)) ==
	    STORE_NOTFOUND)
		rc = STORE_OK;
	if (rc != STORE_OK) {
		crypto_wipe(out->device_code, sizeof(out->device_code));
		return rc == STORE_EXISTS ? STORE_ERROR : rc;
	}
	usercode_display(d.user_code, out->user_code);
	out->expires_in = DEVICE_LIFETIME;
	out->interval = DEVICE_INTERVAL;
	return STORE_OK;
}

/*
 * The device authorization whose user code the signed-in user typed on
 * the verification page, from address ip.  Wrong codes (unknown, or
 * not a code at all) are counted per account, per address and for the
 * whole server, and once any is over its limit no code is looked up
 * at all until the window ends.  Returns STORE_OK (d filled),
 * STORE_NOTFOUND, DEVICE_EXPIRED, DEVICE_ANSWERED, DEVICE_THROTTLED
 * (retry_after set) or a store error.  The caller commits whatever the
 * result but a store error, so that wrong guesses stay counted.
 */
int
device_lookup(struct store_txn *t, const char *ip, const char *user,
    const char *typed, int64_t now, struct device *d, long *retry_after)
{
	char	 ipsub[RATELIMIT_IP_MAX], canon[USERCODE_LEN + 1];
	int	 rc;

	memset(d, 0, sizeof(*d));
	ratelimit_ip_subject(ip, ipsub, sizeof(ipsub));
	rc = ratelimit_check(t, "device-guess-user", user, now,
	    DEVICE_GUESS_USER_MAX, DEVICE_GUESS_WINDOW, retry_after);
	if (rc == 0)
		rc = ratelimit_check(t, "device-guess", ipsub, now,
		    DEVICE_GUESS_IP_MAX, DEVICE_GUESS_WINDOW, retry_after);
	if (rc == 0)
		rc = ratelimit_check(t, "device-guess-all", "*", now,
		    DEVICE_GUESS_ALL_MAX, DEVICE_GUESS_WINDOW, retry_after);
	if (rc == 1)
		return DEVICE_THROTTLED;
	if (rc != 0)
		return STORE_ERROR;
	rc = STORE_NOTFOUND;
	if (usercode_normalise(typed, strlen(typed), canon) == 0)
		rc = device_get(t, canon, d);
	if (rc == STORE_NOTFOUND) {
		if (ratelimit_count(t, "device-guess-user", user, now,
		    DEVICE_GUESS_WINDOW) != STORE_OK ||
		    ratelimit_count(t, "device-guess", ipsub, now,
		    DEVICE_GUESS_WINDOW) != STORE_OK ||
		    ratelimit_count(t, "device-guess-all", "*", now,
		    DEVICE_GUESS_WINDOW) != STORE_OK)
			return STORE_ERROR;
		return STORE_NOTFOUND;
	}
	if (rc != STORE_OK)
		return rc;
	if (d->status != DEVICE_PENDING)
		return DEVICE_ANSWERED;
	if (d->pd.expires <= now)
		return DEVICE_EXPIRED;
	return STORE_OK;
}

/*
 * The SHA-256 of d's device code in hex (2 * CRYPTO_SHA256_LEN + 1
 * bytes): what the verification page keeps in its pending request, so
 * that the answer goes to this very authorization and not to a later
 * one that came to hold the same user code.
 */
void
device_code_hash_hex(const struct device *d, char *out)
{
	hex_encode(d->pd.csrf_hash, CRYPTO_SHA256_LEN, out);
}

/*
 * Records the person's answer to the device authorization of canonical
 * user code user_code and device code hash hash_hex (from
 * device_code_hash_hex()) for client c: approval (by user) issues an
 * authorization code bound to it, and keeps only its hash for the
 * device's next poll.  Returns STORE_OK, DEVICE_EXPIRED,
 * DEVICE_ANSWERED, STORE_NOTFOUND, CONSENT_USER_REFUSED (the account
 * may not approve), CONSENT_CLIENT_GONE (the client was deleted),
 * GRANT_SCOPE_REFUSED (the user may grant none of it) or a store error;
 * the caller commits on STORE_OK.  scope is what the person approved
 * of the request's scopes (NULL: all of them).
 */
int
device_answer(struct store_txn *t, const struct config *cfg,
    const struct client *c, const char *user_code, const char *hash_hex,
    const char *user, const char *scope, int approve, int64_t now)
{
	struct device	 d;
	struct log_line	 l;
	char		 code[TOKEN_MAX], grant_id[GRANT_ID_LEN + 1];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1];
	char		*approver;
	long		 code_lifetime;
	int		 rc;

	if ((rc = device_get(t, user_code, &d)) != STORE_OK)
		return rc;
	device_code_hash_hex(&d, hex);
	if (hash_hex == NULL || strlen(hash_hex) != sizeof(hex) - 1 ||
	    !crypto_equal(hash_hex, hex, sizeof(hex) - 1))
		rc = STORE_NOTFOUND;	/* another authorization now */
	else if (strcmp(d.pd.client_id, c->id) != 0)
		rc = STORE_NOTFOUND;
	else if (d.status != DEVICE_PENDING)
		rc = DEVICE_ANSWERED;
	else if (d.pd.expires <= now)
		rc = DEVICE_EXPIRED;
	else if (approve && consent_user_allowed(t, cfg, user) != 0)
		rc = CONSENT_USER_REFUSED;
	if (rc != STORE_OK)
		goto out;
	if (!approve) {
		d.status = DEVICE_DENIED;
		rc = device_put(t, &d);
		goto out;
	}
	/*
	 * The device polls only every interval seconds (up to
	 * DEVICE_INTERVAL_MAX after slow_down): a code_lifetime shorter
	 * than that would let the code expire before the device could
	 * redeem it.
	 */
	code_lifetime = cfg->code_lifetime;
	if (code_lifetime < (long)d.interval + DEVICE_POLL_MARGIN)
		code_lifetime = (long)d.interval + DEVICE_POLL_MARGIN;
	{
		const struct code_request cr = {
			.user = user,
			.client = c,
			.redirect_uri = "",
			.redirect_explicit = 0,
			.challenge = "",
			.scope = scope != NULL ? scope : d.pd.scope,
			.resource = d.pd.resource,
			.lifetime = code_lifetime,
		};

		rc = grant_issue_code(t, cfg, &cr, now, code, sizeof(code),
		    grant_id);
		/* Deleted since the consent page read it: no grant. */
		if (rc == STORE_NOTFOUND)
			rc = CONSENT_CLIENT_GONE;
	}
	if (rc == STORE_OK && crypto_sha256_str(code, d.code_hash) !=
	    CRYPTO_OK)
		rc = STORE_ERROR;
	crypto_wipe(code, sizeof(code));
	if (rc != STORE_OK)
		goto out;
	if ((approver = strdup(user)) == NULL) {
		rc = STORE_ENOMEM;
		goto out;
	}
	free(d.user);
	d.user = approver;
	d.status = DEVICE_APPROVED;
	/*
	 * The record lives as long as the code it leads to, so that the
	 * purge does not take it from a device that polls late.
	 */
	if (d.pd.expires < now + code_lifetime)
		d.pd.expires = now + code_lifetime;
	if ((rc = device_put(t, &d)) != STORE_OK)
		goto out;
	log_begin(&l, "device_approved");
	log_str(&l, "user", user);
	log_str(&l, "client", c->id);
	log_str(&l, "grant", grant_id);
	log_str(&l, "scope", d.pd.scope);
	log_hash(&l, "code", d.code_hash);
	log_end(&l);
out:
	device_free(&d);
	return rc;
}

/* The device code's user code, canonical, into out; -1 if malformed. */
static int
device_code_user_code(const char *device_code, char *out)
{
	size_t	 plen = sizeof(DEVICE_CODE_PREFIX) - 1;

	if (strlen(device_code) != plen + USERCODE_LEN + 1 + CRYPTO_TOKEN_CHARS ||
	    strncmp(device_code, DEVICE_CODE_PREFIX, plen) != 0 ||
	    device_code[plen + USERCODE_LEN] != '_' ||
	    usercode_normalise(device_code + plen, USERCODE_LEN, out) == -1 ||
	    memcmp(out, device_code + plen, USERCODE_LEN) != 0)
		return -1;
	return 0;
}

/*
 * The device_code grant (RFC 8628 §3.4, §3.5): one poll by client c.
 * Answers authorization_pending, slow_down (polled sooner than the
 * interval: the interval grows by DEVICE_SLOW_DOWN), access_denied,
 * expired_token, or invalid_grant (unknown, another client's, or a
 * code already redeemed, which also revokes what it produced); after
 * approval, the tokens.  e->commit is set when a failure must still
 * be committed (the poll's time was recorded).
 */
int
device_poll(struct store_txn *t, const struct config *cfg,
    const struct client *c, const char *device_code, const char *resource,
    int64_t now, struct token_response *out, struct oauth_error *e)
{
	struct device	 d;
	unsigned char	 h[CRYPTO_SHA256_LEN];
	char		 canon[USERCODE_LEN + 1];
	int		 rc, ret = -1;

	memset(&d, 0, sizeof(d));
	e->commit = 0;
	if (device_code_user_code(device_code, canon) == -1 ||
	    crypto_sha256_str(device_code, h) != CRYPTO_OK) {
		oauth_error_set(e, 400, "invalid_grant", "unknown device code");
		return -1;
	}
	rc = device_get(t, canon, &d);
	if (rc == STORE_NOTFOUND || (rc == STORE_OK &&
	    (!crypto_equal(h, d.pd.csrf_hash, sizeof(h)) ||
	    strcmp(d.pd.client_id, c->id) != 0))) {
		oauth_error_set(e, 400, "invalid_grant", "unknown device code");
		goto out;
	}
	if (rc != STORE_OK) {
		oauth_store_error(e, rc);
		goto out;
	}
	if (d.status == DEVICE_APPROVED) {
		ret = grant_exchange_device(t, cfg, c, d.code_hash, resource,
		    now, out, e);
		goto out;
	}
	if (d.pd.expires <= now) {
		oauth_error_set(e, 400, "expired_token",
		    "the device code has expired: start again");
		goto out;
	}
	if (d.status == DEVICE_DENIED) {
		oauth_error_set(e, 400, "access_denied",
		    "the user denied the request");
		goto out;
	}
	if (d.last_poll != 0 && now - d.last_poll < (int64_t)d.interval) {
		if (d.interval + DEVICE_SLOW_DOWN <= DEVICE_INTERVAL_MAX)
			d.interval += DEVICE_SLOW_DOWN;
		oauth_error_set(e, 400, "slow_down", "poll at most every %u "
		    "seconds", (unsigned)d.interval);
	} else
		oauth_error_set(e, 400, "authorization_pending",
		    "the user has not answered yet");
	d.last_poll = now;
	if ((rc = device_put(t, &d)) != STORE_OK) {
		oauth_store_error(e, rc);
		goto out;
	}
	e->commit = 1;
out:
	device_free(&d);
	return ret;
}
