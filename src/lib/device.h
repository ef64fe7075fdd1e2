/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Device authorizations (RFC 8628): what /device_authorization starts,
 * the verification page answers and the device polls /token for.
 *
 * A device authorization is a pending record (session.h) with
 * PENDING_DEVICE_RECORD in its prompt field and the device's own
 * fields after the common ones, kept in the pending database under
 * "device:" and its user code.  So the purge and "check" treat it as
 * any pending request, and it needs no database of its own.  Its
 * csrf_hash field holds the SHA-256 of the device code: the device
 * code itself is never stored.
 *
 * The device code is "mcpdc_", the user code, "_" and 32 random bytes
 * (base64url): the user code in it finds the record, the random part
 * is the secret, checked against the stored hash in constant time.
 *
 * Approval on the verification page issues an ordinary authorization
 * code (grant.c) bound to the device authorization and records its
 * hash; the first successful poll redeems it.  So a device code is
 * single use like a code: a second redemption finds the code used and
 * revokes the grant it produced, and the tokens rotate and revoke like
 * any others.
 */
#ifndef MCP_DEVICE_H
#define MCP_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "config.h"
#include "grant.h"
#include "oauth.h"
#include "session.h"
#include "store.h"
#include "usercode.h"
#include "user.h"

#define DEVICE_CODE_PREFIX	"mcpdc_"
#define DEVICE_KEY_PREFIX	"device:"
#define DEVICE_GRANT_TYPE	"urn:ietf:params:oauth:grant-type:device_code"

/* How long a device authorization waits for the person (RFC 8628 §3.2). */
#define DEVICE_LIFETIME		600
/* The polling interval, its step after slow_down (§3.5) and its cap. */
#define DEVICE_INTERVAL		5
#define DEVICE_SLOW_DOWN	5
#define DEVICE_INTERVAL_MAX	60
/*
 * The code issued on approval waits at least the device's interval and
 * this much more for its next poll (late timers, a slow network), even
 * when code_lifetime is shorter than the interval.
 */
#define DEVICE_POLL_MARGIN	30

/*
 * Starts allowed per address (IPv6 per /64) and per client within one
 * lifetime: each start is a record until it expires, so these bound
 * the live device authorizations of each.  The per-address limit is
 * the one that holds back a single party.  A client id is public (a
 * public client's is in every copy of the program), so anyone can
 * spend a client's allowance: the per-client limit is only a last
 * bound on the records one client can hold, set so that exhausting it
 * takes DEVICE_START_CLIENT_MAX / DEVICE_START_IP_MAX (over 300)
 * addresses or /64s, not a handful.
 */
#define DEVICE_START_IP_MAX	30
#define DEVICE_START_CLIENT_MAX	10000
/*
 * Wrong user codes allowed on the verification page within
 * DEVICE_GUESS_WINDOW (RFC 8628 §5.1).  The page takes a code only
 * from a person signed in, so each wrong one counts against the
 * account and the address (IPv6 per /64): whoever guesses spends their
 * own allowance, never another person's.
 *
 * The server-wide limit is the last resort against guessing with many
 * accounts from many addresses at once.  There are 20^8 (2.56 * 10^10)
 * user codes; even with 10^4 live ones (more than the start limits let
 * a few parties make), one guess finds one with a chance of 4 * 10^-7,
 * and a whole window's DEVICE_GUESS_ALL_MAX guesses with under 1%, a
 * figure that takes hundreds of accounts and addresses to reach, and
 * that only lets the guesser connect someone's device to the guesser's
 * own account.  At the usual few live codes it is 10^-5 or less.  Set
 * this high, so that reaching it, which locks the page for everyone
 * until the window ends, takes DEVICE_GUESS_ALL_MAX /
 * DEVICE_GUESS_USER_MAX (500) accounts, each signed in.
 */
#define DEVICE_GUESS_WINDOW	900
#define DEVICE_GUESS_IP_MAX	10
#define DEVICE_GUESS_USER_MAX	10
#define DEVICE_GUESS_ALL_MAX	5000

/*
 * Results besides the store's codes (which are not negative), apart
 * from consent.h's, which device_answer() also returns.
 */
#define DEVICE_THROTTLED	(-11)	/* over a start or guessing limit */
#define DEVICE_EXPIRED		(-12)	/* the person was too slow */
#define DEVICE_ANSWERED		(-13)	/* approved or denied already */

enum device_status {
	DEVICE_PENDING = 0,
	DEVICE_APPROVED = 1,
	DEVICE_DENIED = 2
};

struct device {
	struct pending	 pd;	/* client_id, scope, resource, times */
	char		 user_code[USERCODE_LEN + 1];
	uint32_t	 status;
	uint32_t	 interval;
	int64_t		 last_poll;
	char		*user;	/* who approved it, "" before */
	unsigned char	 code_hash[CRYPTO_SHA256_LEN];	/* of the code */
};

/* What /device_authorization answers (device_start()). */
struct device_start {
	char		 device_code[TOKEN_MAX];
	char		 user_code[USERCODE_DISPLAY_LEN + 1];
	long		 expires_in;
	long		 interval;
	long		 retry_after;	/* DEVICE_THROTTLED */
};

void	 device_free(struct device *);
int	 device_decode(const void *, size_t, struct device *);
int	 device_encode(const struct device *, struct buf *);
int	 device_get(struct store_txn *, const char *, struct device *);
int	 device_put(struct store_txn *, const struct device *);
int	 device_start(struct store_txn *, const struct client *,
	    const char *, const char *, const char *, int64_t,
	    struct device_start *);
int	 device_lookup(struct store_txn *, const char *, const char *,
	    const char *, int64_t, struct device *, long *);
int	 device_answer(struct store_txn *, const struct config *,
	    const struct client *, const char *, const char *,
	    const char *, const char *, int, int64_t);
void	 device_code_hash_hex(const struct device *, char *);
int	 device_poll(struct store_txn *, const struct config *,
	    const struct client *, const char *, const char *, int64_t,
	    struct token_response *, struct oauth_error *);

#endif
