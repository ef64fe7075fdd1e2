/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Browser state of the authorization endpoint: sign-in sessions and
 * pending authorization requests.  Both are keyed by the SHA-256 of a
 * random value the browser holds (a cookie, or the request id in the
 * page), so a copy of the database lets no one in.
 *
 * A pending request is bound to the browser that started it: the
 * browser cookie's hash is stored with it, and every POST must carry
 * the CSRF token whose hash is stored with it (RFC 9700 §4.7).
 */
#ifndef MCP_SESSION_H
#define MCP_SESSION_H

#include <stdint.h>

#include "buf.h"
#include "crypto.h"
#include "record.h"
#include "store.h"

#define SESSION_TOKEN_MAX	64

#define PROMPT_NONE		0x01
#define PROMPT_LOGIN		0x02
#define PROMPT_CONSENT		0x04
/*
 * Not prompts but kinds of pending record, in the same field: a
 * request started on the device verification page (its state is the
 * user code), and a device authorization itself (device.h).
 */
#define PENDING_DEVICE		0x100
#define PENDING_DEVICE_RECORD	0x200
/*
 * The sign-in that the device verification page asks for before it
 * takes a code: no client (client_id ""), state the user code of a
 * verification_uri_complete link in canonical form, or "".
 */
#define PENDING_DEVICE_SIGNIN	0x400
/*
 * The sign-in of the account page (/account): no client either, and
 * after it the person goes back to /account.
 */
#define PENDING_ACCOUNT_SIGNIN	0x800
/*
 * The sign-in of the administration pages (/admin): the account
 * page's sign-in form, after which the person goes back to /admin.
 */
#define PENDING_ADMIN_SIGNIN	0x1000

struct session {
	char		*user;
	int64_t		 created;
	int64_t		 expires;
};

struct pending {
	char		*client_id;
	char		*redirect_uri;
	uint32_t	 redirect_explicit;
	char		*state;
	char		*challenge;
	char		*scope;
	char		*resource;
	uint32_t	 prompt;
	int64_t		 created;
	int64_t		 expires;
	unsigned char	 browser_hash[CRYPTO_SHA256_LEN];
	unsigned char	 csrf_hash[CRYPTO_SHA256_LEN];
};

void	 session_free(struct session *);
void	 pending_free(struct pending *);
int	 session_decode(const void *, size_t, struct session *);
int	 pending_decode(const void *, size_t, struct pending *);
void	 pending_read(struct rec_reader *, struct pending *);
void	 pending_write(struct buf *, const struct pending *);

int	 session_create(struct store_txn *, const char *, int64_t, int64_t,
	    char *, size_t);
int	 session_get(struct store_txn *, const char *, int64_t,
	    struct session *);
int	 session_delete(struct store_txn *, const char *);
int	 session_cookie_hash(const char *, unsigned char *);

int	 pending_put(struct store_txn *, const char *, const struct pending *);
int	 pending_get(struct store_txn *, const char *, int64_t,
	    struct pending *);
int	 pending_delete(struct store_txn *, const char *);
int	 pending_new_secret(char *, size_t, unsigned char *);

#endif
