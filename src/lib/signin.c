/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "ratelimit.h"
#include "session.h"
#include "signin.h"
#include "store.h"
#include "user.h"

/*
 * The hash a password is checked against when the user does not
 * exist: well-formed, with the parameters crypto_password_hash() uses,
 * so that checking it costs what checking a real one does.  No password
 * matches it.
 */
const char signin_dummy_hash[] = "$scrypt$ln=14,r=8,p=5$"
    "AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static int
fail(struct signin *s, int rc)
{
	s->store_rc = rc;
	return SIGNIN_ERROR;
}

/*
 * Records the attempt in the audit trail as failed, in the transaction
 * that counts it and for the same reason (no attempt goes unrecorded,
 * however it ends); signin_accept() turns it into a success.  The name
 * is recorded only when it is a user's: what someone typed into the
 * name field may be a password, and the trail keeps no password.  The
 * address is recorded either way.
 */
static int
record_attempt(struct store_txn *t, const struct config *cfg,
    struct signin *s, const char *name, int exists, const char *ip)
{
	struct audit_event	 ev;
	struct audit_bounds	 b;
	int			 rc;

	audit_event_set(&ev, AUDIT_SIGNIN_FAILED, exists ? name : NULL,
	    NULL, ip, "password");
	audit_bounds_of(cfg, &b);
	if ((rc = audit_put(t, &b, &ev)) == STORE_OK)
		s->audit_us = ev.time_us;
	return rc;
}

/*
 * Counts the attempt of name (with password pw, from the address ip)
 * and checks the password.  The count is committed before the check:
 * parallel attempts then cannot all pass the check before any of them
 * is counted (LMDB has one writer at a time), and a database that
 * cannot count refuses the attempt instead of checking passwords
 * without a limit.  Returns a signin_result; s describes the attempt
 * for signin_accept() and the log.
 */
int
signin_attempt(struct store *st, const struct config *cfg,
    struct signin *s, const char *name, const char *pw, const char *ip,
    int64_t now)
{
	struct store_txn	*t;
	struct user		 u;
	long			 wait_user = 0, wait_ip = 0;
	int			 rc, over_user, over_ip, exists, ok;

	memset(s, 0, sizeof(*s));
	memset(&u, 0, sizeof(u));
	s->name = name;
	s->name_valid = user_name_valid(name);
	if (s->name_valid) {
		unsigned char	 h[CRYPTO_SHA256_LEN];

		if (crypto_sha256_str(name, h) != CRYPTO_OK)
			return fail(s, STORE_ERROR);
		hex_encode(h, sizeof(h), s->name_subject);
	}
	s->now = now;
	s->window = cfg->login_lockout;
	ratelimit_ip_subject(ip, s->ip, sizeof(s->ip));

	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		return fail(s, rc);
	over_user = s->name_valid ? ratelimit_check(t, SIGNIN_KIND_USER,
	    s->name_subject, now, cfg->login_max_failures, s->window,
	    &wait_user) : 0;
	over_ip = ratelimit_check(t, SIGNIN_KIND_IP, s->ip, now,
	    cfg->login_max_failures * 4, s->window, &wait_ip);
	if (over_user == -1 || over_ip == -1) {
		/* Logged with the page (authpage_server_error). */
		store_abort(t);
		return fail(s, STORE_ERROR);
	}
	if (over_user == 1 || over_ip == 1) {
		store_abort(t);
		s->retry_after = wait_user > wait_ip ? wait_user : wait_ip;
		return SIGNIN_THROTTLED;
	}
	rc = s->name_valid ? ratelimit_count(t, SIGNIN_KIND_USER,
	    s->name_subject, now, s->window) : STORE_OK;
	if (rc == STORE_OK)
		rc = ratelimit_count(t, SIGNIN_KIND_IP, s->ip, now, s->window);
	if (rc != STORE_OK) {
		store_abort(t);
		return fail(s, rc);
	}
	rc = s->name_valid ? store_user_get(t, name, &u) : STORE_NOTFOUND;
	if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		store_abort(t);
		return fail(s, rc);
	}
	exists = rc == STORE_OK;
	if ((rc = record_attempt(t, cfg, s, name, exists, ip)) != STORE_OK) {
		store_abort(t);
		user_free(&u);
		return fail(s, rc);
	}
	if ((rc = store_commit(t)) != STORE_OK) {
		user_free(&u);
		return fail(s, rc);
	}

	/* Verify even when the user does not exist: see signin.h. */
	ok = crypto_password_verify(pw, exists ? u.password_hash :
	    signin_dummy_hash) == CRYPTO_OK && exists &&
	    !(u.flags & USER_DISABLED);
	user_free(&u);
	return ok ? SIGNIN_OK : SIGNIN_REFUSED;
}

/*
 * Signs the person of a successful attempt in, in one transaction:
 * takes back what the attempt counted (the name's failures are
 * forgotten, the address's count goes down by this one attempt, and
 * its audit event becomes a success), creates a session of
 * session_lifetime seconds whose cookie value goes to cookie, and, when
 * the pending request pd (stored under pending_id) asked for a new
 * sign-in with prompt=login, records that it has had one.  Returns a
 * store code.
 */
int
signin_accept(struct store *st, const struct signin *s,
    long session_lifetime, const char *pending_id, struct pending *pd,
    char *cookie, size_t cookiesz)
{
	struct store_txn	*t;
	int			 rc;

	if ((rc = store_begin(st, 0, &t)) != STORE_OK)
		return rc;
	rc = ratelimit_reset(t, SIGNIN_KIND_USER, s->name_subject);
	if (rc == STORE_OK)
		rc = ratelimit_undo(t, SIGNIN_KIND_IP, s->ip, s->now,
		    s->window);
	if (rc == STORE_OK && s->replaces != NULL &&
	    (rc = session_delete(t, s->replaces)) == STORE_NOTFOUND)
		rc = STORE_OK;
	if (rc == STORE_OK)
		rc = session_create(t, s->name, s->now, session_lifetime,
		    cookie, cookiesz);
	if (rc == STORE_OK && s->audit_us > 0 &&
	    (rc = audit_rekind(t, s->audit_us, s->name, AUDIT_SIGNIN)) ==
	    STORE_NOTFOUND)
		rc = STORE_OK;
	if (rc == STORE_OK && pd != NULL && (pd->prompt & PROMPT_LOGIN)) {
		pd->prompt &= ~(uint32_t)PROMPT_LOGIN;
		rc = pending_put(t, pending_id, pd);
	}
	if (rc == STORE_OK)
		rc = store_commit(t);
	else
		store_abort(t);
	return rc;
}
