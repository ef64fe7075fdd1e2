/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Users: the people who sign in on the login page.  Passwords are
 * stored only as scrypt hashes (crypto.c).
 */
#ifndef MCP_USER_H
#define MCP_USER_H

#include <stdint.h>

#include "store.h"

#define USER_NAME_MAX		64
#define USER_PASSWORD_MAX	1024

#define USER_DISABLED		0x01
/* May use the /admin pages (adminweb.h) when admin_web = on. */
#define USER_ADMIN		0x02

struct user {
	char		 name[USER_NAME_MAX + 1];
	char		*password_hash;
	/*
	 * The scopes this user may grant, or NULL or "" for any: the
	 * administrator's limit (mcp-oauth-admin user scopes).
	 */
	char		*scopes;
	uint32_t	 flags;
	int64_t		 created;
	int64_t		 updated;
};

int	 user_name_valid(const char *);
void	 user_free(struct user *);
int	 store_user_get(struct store_txn *, const char *, struct user *);
int	 store_user_put(struct store_txn *, const struct user *, int);
int	 store_user_del(struct store_txn *, const char *);
int	 store_user_add_blocked(struct store_txn *, const char *, int64_t);
int	 user_decode(const void *, size_t, struct user *);
const char *user_scope_limit(const struct user *);

#endif
