/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * OAuth clients: the record, dynamic registration metadata (RFC 7591)
 * and client authentication at the token and revocation endpoints.
 */
#ifndef MCP_CLIENT_H
#define MCP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "crypto.h"
#include "store.h"

struct json_object;
struct http_request;
struct form;
struct oauth_error;

#define CLIENT_ID_MAX		64
/* A client ID metadata document URL is longer (cimd.h). */
#define CLIENT_KEY_MAX		255
#define CLIENT_REDIRECTS_MAX	10
#define CLIENT_STRING_MAX	200
#define CLIENT_METADATA_MAX	(16 * 1024)
#define TOKEN_SECRET_MAX	64	/* "mcpcs_" + 43 + NUL, with room */

/* Record flags. */
#define CLIENT_DYNAMIC		0x01	/* registered through /register */
#define CLIENT_CIMD		0x02	/* from a metadata document (cimd.h) */
#define CLIENT_PINNED		0x04	/* CIMD, stored by the administrator */

/* grant_types and response_types bits. */
#define CLIENT_GRANT_CODE	0x01
#define CLIENT_GRANT_REFRESH	0x02
#define CLIENT_GRANT_DEVICE	0x04	/* RFC 8628 */
#define CLIENT_RESPONSE_CODE	0x01

enum client_auth_method {
	CLIENT_AUTH_NONE = 0,
	CLIENT_AUTH_POST,
	CLIENT_AUTH_BASIC
};

enum client_err {
	CLIENT_OK = 0,
	CLIENT_EMETADATA,	/* invalid_client_metadata */
	CLIENT_EREDIRECT,	/* invalid_redirect_uri */
	CLIENT_ENOMEM
};

struct client {
	char			 id[CLIENT_KEY_MAX + 1];
	uint32_t		 flags;
	int64_t			 created;
	enum client_auth_method	 auth_method;
	int			 has_secret;
	unsigned char		 secret_hash[CRYPTO_SHA256_LEN];
	uint32_t		 grant_types;
	uint32_t		 response_types;
	char			*name;
	char			*uri;
	char			*scope;
	char			*software_id;
	char			*software_version;
	char			*application_type;
	char			**redirect_uris;
	size_t			 nredirect_uris;
	/* CLIENT_CIMD only: the cached document. */
	int64_t			 fetched;	/* when it was fetched */
	int64_t			 expires;	/* when to fetch it again */
	unsigned char		 doc_hash[CRYPTO_SHA256_LEN];
	/*
	 * When a code was last issued to it or redeemed by it, one of
	 * its refresh tokens used, or an authorization or device
	 * authorization started for it (0: never since this was
	 * recorded); written at most once a UTC day (client_touch).
	 */
	int64_t			 last_used;
};

void	 client_init(struct client *);
void	 client_free(struct client *);
int	 client_id_valid(const char *);
int	 client_new_id(char *, size_t);
int	 client_new_secret(struct client *, char *, size_t);
int	 client_set_redirect_uris(struct client *, char **, size_t, char *,
	    size_t);
int	 client_from_json(const struct config *, const char *, size_t,
	    struct client *, char *, size_t);
struct json_object *client_to_json(const struct client *);
const char *client_auth_method_name(enum client_auth_method);
int	 client_auth_method_parse(const char *, enum client_auth_method *);
int	 client_has_redirect(const struct client *, const char *);

int	 client_decode(const void *, size_t, struct client *);
int	 store_client_get(struct store_txn *, const char *, struct client *);
int	 store_client_put(struct store_txn *, const struct client *, int);
int	 store_client_del(struct store_txn *, const char *);

int	 client_touch(struct store_txn *, const struct client *, int64_t);
int	 client_reapable(const struct client *, int64_t, long);

int	 client_authenticate(struct store_txn *, const struct http_request *,
	    const struct form *, struct client *, struct oauth_error *);

#endif
