/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Grants do not pile up.  Each authorization makes a new grant, and a
 * client that signs in again and again (a new install, a lost token
 * store, a script) would otherwise leave every earlier grant and its
 * refresh-token family alive until grant_lifetime ends.  When a code
 * (or a device code) is redeemed, grantcap_apply() looks at the same
 * user's other live grants of the same client for the same resource:
 *
 *  - for a dynamically registered client, a grant with the same
 *    scopes is replaced: revoked with its tokens.  Such a client ID
 *    belongs to one installation, so the new grant is the same
 *    installation signing in again, and the old tokens are lost or
 *    about to be;
 *  - for any client, at most GRANTCAP_MAX grants are kept: the oldest
 *    beyond that are revoked.  A client ID metadata document (or a
 *    client the administrator added) is shared by every installation
 *    of the program, so a user's laptop and desktop hold grants of the
 *    same client: they are not replaced, only capped.
 *
 * The work is bounded: at most GRANTCAP_SCAN index entries examined
 * (of the smaller of the user's and the client's grant lists) and at
 * most GRANTCAP_REVOKE grants revoked per call.  What is beyond those
 * bounds is left to grant_lifetime and the purge.
 */
#ifndef MCP_GRANTCAP_H
#define MCP_GRANTCAP_H

#include <stdint.h>

#include "client.h"
#include "config.h"
#include "grant.h"
#include "store.h"

#define GRANTCAP_MAX		10	/* per user, client and resource */
#define GRANTCAP_SCAN		256	/* index entries examined per call */
#define GRANTCAP_REVOKE		16	/* grants revoked per call */

struct grantcap_result {
	unsigned long		 replaced;	/* same scopes, registered */
	unsigned long		 capped;	/* oldest beyond the cap */
	unsigned long		 scanned;	/* index entries examined */
	struct revoke_counts	 revoked;	/* what went with them */
};

int	 grantcap_apply(struct store_txn *, const struct config *,
	    const struct client *, const char *, int64_t,
	    struct grantcap_result *);

#endif
