/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The requestState of an input-required result (MCP 2026-07-28,
 * basic/patterns/mrtr): what a handler carries from one round to the
 * next, through the client.  Our processes share nothing but the
 * database, so the state is self-contained: sealed (AES-256-GCM under
 * an HKDF key of its own, crypto_seal()) with a server key kept in the
 * database's meta records, bound to the user, the client, the method
 * and the tool, prompt or resource name (mcpinput.c binds a digest of
 * the name and the arguments) (as associated data, so a
 * state presented by anyone else or for anything else fails to open),
 * and carrying its expiry inside the sealed part.
 *
 * Encoded: base64url of version byte, nonce, ciphertext, tag.
 * Sealed plaintext: version byte, expiry (int64 big-endian), payload.
 */
#ifndef MCP_REQSTATE_H
#define MCP_REQSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct store;

#define REQSTATE_VERSION	1
#define REQSTATE_KEY_LEN	32
/* The longest payload a handler may carry. */
#define REQSTATE_PAYLOAD_MAX	2048
/* How long a state may be presented: a person answers a question. */
#define REQSTATE_LIFETIME	600
/* The sealed plaintext's header: the version byte and the expiry. */
#define REQSTATE_HDR_LEN	9
/* The sealed bytes and their base64url encoding, at most. */
#define REQSTATE_RAW_MAX	(1 + CRYPTO_SEAL_OVERHEAD + \
				    REQSTATE_HDR_LEN + \
				    REQSTATE_PAYLOAD_MAX)
#define REQSTATE_ENCODED_MAX	((REQSTATE_RAW_MAX + 2) / 3 * 4)
/* The longest user, client, method or name bound into a state. */
#define REQSTATE_BIND_MAX	1024

enum reqstate_err {
	REQSTATE_OK = 0,
	REQSTATE_EMALFORMED,	/* not base64url, too short, unknown version */
	REQSTATE_ETOOBIG,	/* longer than any state we issue */
	REQSTATE_EFORGED,	/* altered, or bound to someone or something else */
	REQSTATE_EEXPIRED,
	REQSTATE_ECRYPTO,	/* the cipher or the random source failed */
	REQSTATE_ESTORE		/* the server key could not be read or made */
};

/* What a state is bound to: all four must match when it is opened. */
struct reqstate_bind {
	const char	*user;
	const char	*client_id;
	const char	*method;
	const char	*name;
};

int	 reqstate_seal(const unsigned char *, const struct reqstate_bind *,
	    int64_t, const void *, size_t, char *, size_t);
int	 reqstate_open(const unsigned char *, const struct reqstate_bind *,
	    int64_t, const char *, void *, size_t, size_t *);
int	 reqstate_key(struct store *, unsigned char *);
const char *reqstate_strerror(int);

#endif
