/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Pinning a client ID metadata document (clientpin.h).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cimd.h"
#include "cimdfetch.h"
#include "clientpin.h"

/*
 * Fetches the document at url and stores it pinned.  No transaction is
 * held while fetching: a write lock held for seconds would stop every
 * other process.  On success c (to free with client_free()) is what
 * was stored; on an error, why says what went wrong (without the URL)
 * and c is empty.
 */
int
clientpin(const struct config *cfg, struct store *st, const char *url,
    int64_t now, const char *actor, const char *addr, struct client *c,
    char *why, size_t whysz)
{
	char			 detail[AUDIT_DETAIL_MAX + 1];
	struct store_txn	*t;
	int			 rc;

	client_init(c);
	if (!cimd_is_url(url)) {
		snprintf(why, whysz, "not a client ID metadata document URL "
		    "(https, a path, no query, fragment or userinfo)");
		return CLIENTPIN_EURL;
	}
	if (cimd_fetch_client(cfg, url, now, c, why, whysz) != CIMDF_OK) {
		client_init(c);
		return CLIENTPIN_EFETCH;
	}
	c->flags |= CLIENT_PINNED;
	/* Recorded with who pinned it, in the transaction that stores it. */
	snprintf(detail, sizeof(detail), "%s: pinned", actor);
	if ((rc = store_begin(st, 0, &t)) == STORE_OK) {
		if ((rc = store_client_put(t, c, 0)) == STORE_OK)
			rc = audit_record(t, cfg, AUDIT_CLIENT_REGISTERED, NULL,
			    c->id, addr, detail);
		if (rc != STORE_OK)
			store_abort(t);
		else
			rc = store_commit(t);
	}
	if (rc != STORE_OK) {
		snprintf(why, whysz, "%s", store_strerror(rc));
		client_free(c);
		client_init(c);
		return CLIENTPIN_ESTORE;
	}
	return CLIENTPIN_OK;
}
