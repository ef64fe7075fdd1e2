/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What an administrator does to users, shared by the admin tool
 * (mcp-oauth-admin user ...) and the users page of /admin: add one,
 * set her password, disable or enable her, delete her, make her an
 * administrator or not, limit the scopes she may grant.  Each change
 * and its audit event (naming who acted, the tool or the web, and
 * from which address) are written in one transaction; what it revoked
 * or narrowed is reported in the struct useradmin given.
 */
#ifndef MCP_USERADMIN_H
#define MCP_USERADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "grant.h"
#include "revocation.h"
#include "store.h"
#include "user.h"

struct config;

/* A generated password: base64url of 18 random bytes. */
#define USERADMIN_PASSWORD_BYTES	18
#define USERADMIN_PASSWORD_LEN		24

enum useradmin_err {
	USERADMIN_OK = 0,
	USERADMIN_BADNAME,	/* not a valid user name */
	USERADMIN_EXISTS,	/* add: the name is taken */
	USERADMIN_NOTFOUND,	/* no such user */
	USERADMIN_BADSCOPE,	/* a scope that is not configured */
	USERADMIN_NOBASE,	/* a limit without the base scope */
	USERADMIN_LASTADMIN,	/* it would leave no enabled administrator */
	USERADMIN_SELF,		/* self set, and it is she */
	USERADMIN_CRYPTO,	/* hashing or randomness failed */
	USERADMIN_STORE		/* the store failed: store_rc says how */
};

/* Who acts on users, and what the last operation did. */
struct useradmin {
	struct store		*st;
	const struct config	*cfg;
	const char		*actor;	/* AUDIT_BY_*, perhaps with a name */
	const char		*addr;	/* the actor's address, or NULL */
	/*
	 * Refuse a change that leaves no enabled administrator: the web
	 * pages set it, since a site whose last administrator is gone has
	 * no /admin.  The tool does not (it is how one is made again).
	 */
	int			 keep_an_admin;
	/*
	 * The administrator acting on the web (NULL: the tool), who may
	 * not disable or delete herself, nor take her own flag away.
	 */
	const char		*self;
	int64_t			 now;

	/* Out: set by each call. */
	int			 store_rc;	/* with USERADMIN_STORE */
	const char		*bad_scope;	/* with USERADMIN_BADSCOPE */
	struct revoke_result	 revoked;	/* disable, delete, password */
	struct narrow_counts	 narrowed;	/* scopes */
};

void	 useradmin_init(struct useradmin *, struct store *,
	    const struct config *, const char *, const char *);
const char *useradmin_strerror(int);

int	 useradmin_generate_password(char *, size_t);
int	 useradmin_add(struct useradmin *, const char *, const char *, int);
int	 useradmin_set_password(struct useradmin *, const char *,
	    const char *);
int	 useradmin_set_disabled(struct useradmin *, const char *, int);
int	 useradmin_delete(struct useradmin *, const char *);
int	 useradmin_set_admin(struct useradmin *, const char *, int);
int	 useradmin_scope_limit(struct useradmin *, char *const *, size_t,
	    struct buf *);
int	 useradmin_set_scopes(struct useradmin *, const char *,
	    const char *);
int	 useradmin_enabled_admins(struct store_txn *, size_t *);

/*
 * Users in name order after the name after ("" or NULL: from the
 * first), at most max of them (0: all), read in one read transaction
 * so that nothing slow (a page written, output read through a pager)
 * holds a snapshot of the database.  *more says whether others follow.
 * A record that does not decode is listed with corrupt set and only
 * its name (the key) filled in.
 */
struct useradmin_entry {
	struct user	 u;
	int		 corrupt;
	/* With counting asked for: her grants' index entries. */
	size_t		 grants;
};

int	 useradmin_list(struct store *, const char *, size_t, int,
	    struct useradmin_entry **, size_t *, int *);
int	 useradmin_one(struct store *, const char *,
	    struct useradmin_entry **);
void	 useradmin_list_free(struct useradmin_entry *, size_t);

#endif
