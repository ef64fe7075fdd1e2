/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * JSON Web Signatures (RFC 7515, compact form) and keys (RFC 7517) for
 * JWT access tokens (RFC 9068).  Only asymmetric algorithms exist
 * here: "none" and the HMAC family are unknown, so a token using them
 * can never verify (RFC 8725 §3.1, §3.2).
 */
#ifndef MCP_JOSE_H
#define MCP_JOSE_H

#include <stddef.h>

#include <openssl/evp.h>

#include "buf.h"

struct json_object;

#define JOSE_TOKEN_MAX	8192
#define JOSE_KID_MAX	128

enum jose_alg {
	JOSE_ALG_UNKNOWN = 0,
	JOSE_RS256,
	JOSE_PS256,
	JOSE_ES256,
	JOSE_EDDSA
};

enum jose_err {
	JOSE_OK = 0,
	JOSE_EFORMAT,		/* not a compact JWS with JSON parts */
	JOSE_EALG,		/* algorithm unknown or not allowed */
	JOSE_EKEY,		/* no usable key, or key and alg disagree */
	JOSE_ESIG,		/* the signature does not verify */
	JOSE_ENOMEM
};

struct jws {
	enum jose_alg		 alg;
	char			 kid[JOSE_KID_MAX + 1];	/* "" if none */
	char			 typ[64];		/* "" if none */
	struct json_object	*header;
	struct json_object	*claims;
	const char		*input;		/* header.payload */
	size_t			 input_len;
	unsigned char		 sig[1024];
	size_t			 sig_len;
};

struct jwk {
	char		 kid[JOSE_KID_MAX + 1];
	enum jose_alg	 alg;		/* from "alg", or UNKNOWN if absent */
	EVP_PKEY	*pkey;
};

struct jwks {
	struct jwk	*keys;
	size_t		 n;
};

enum jose_alg	 jose_alg_parse(const char *);
const char	*jose_alg_name(enum jose_alg);
int		 jose_key_fits(EVP_PKEY *, enum jose_alg);
const char	*jose_strerror(int);

int		 jws_parse(const char *, size_t, struct jws *);
int		 jws_verify(const struct jws *, EVP_PKEY *);
void		 jws_free(struct jws *);
int		 jws_sign(enum jose_alg, EVP_PKEY *, const char *,
		    struct json_object *, struct buf *);

int		 jwks_parse(const char *, size_t, struct jwks *, char *,
		    size_t);
void		 jwks_free(struct jwks *);
const struct jwk *jwks_select(const struct jwks *, const struct jws *);
struct json_object *jwk_public(EVP_PKEY *, enum jose_alg, const char *);

#endif
