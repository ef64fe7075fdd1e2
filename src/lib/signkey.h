/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The built-in authorization server's JWT signing keys (RFC 9068 JWT
 * access tokens, access_token_format = jwt).  Keys live in the "keys"
 * database; the private key never leaves it: only the public half is
 * ever published (/.well-known/jwks.json) or shown (mcp-oauth-admin
 * key list).
 *
 * One key is active and signs.  Rotation makes a new active key and
 * retires the old one, which stays published until every token it
 * signed has expired (retired + access_token_lifetime + leeway).
 */
#ifndef MCP_SIGNKEY_H
#define MCP_SIGNKEY_H

#include <stdint.h>

#include <openssl/evp.h>

#include "buf.h"
#include "config.h"
#include "jose.h"
#include "store.h"

#define SIGNKEY_KID_LEN		16
#define SIGNKEY_ACTIVE		0x01

struct signkey {
	char		 kid[SIGNKEY_KID_LEN + 1];
	enum jose_alg	 alg;
	uint32_t	 flags;
	int64_t		 created;
	int64_t		 retired;	/* 0 while active */
	char		*pem;		/* PKCS#8 private key */
};

/* What a JWT access token says, besides what the key adds. */
struct jwt_claims {
	const char	*subject;
	const char	*client_id;
	const char	*scope;
	const char	*audience;
	int64_t		 issued;
	int64_t		 expires;
};

void	 signkey_free(struct signkey *);
int	 signkey_decode(const void *, size_t, struct signkey *);
int	 signkey_generate(enum jose_alg, int64_t, struct signkey *);
EVP_PKEY *signkey_pkey(const struct signkey *);
int	 store_signkey_put(struct store_txn *, const struct signkey *);
int	 signkey_each(struct store_txn *, int (*)(struct signkey *, void *),
	    void *);
int	 signkey_active(struct store_txn *, struct signkey *);
int	 signkey_rotate(struct store_txn *, enum jose_alg, int64_t,
	    struct signkey *);
int	 signkey_published(const struct config *, const struct signkey *,
	    int64_t);
int	 signkey_jwks(struct store_txn *, const struct config *, int64_t,
	    struct buf *);
int	 jwt_mint(struct store_txn *, const struct config *,
	    const struct jwt_claims *, char *, size_t);

#endif
