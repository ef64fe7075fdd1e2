/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "grant.h"
#include "grantcap.h"
#include "log.h"
#include "oauth.h"
#include "scope.h"
#include "store.h"

/* Another live grant of the same user, client and resource. */
struct sibling {
	char	 id[GRANT_ID_LEN + 1];
	int64_t	 created;
};

/*
 * Whether scopes a and b name the same scopes.  Grants store their
 * scope normalised, but the comparison does not rely on the order.
 */
static int
same_scopes(const char *a, const char *b)
{
	return scope_subset(a, b) && scope_subset(b, a);
}

/* Oldest first; the id breaks ties so that the order is total. */
static int
older_first(const void *x, const void *y)
{
	const struct sibling	*a = x, *b = y;

	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	return strcmp(a->id, b->id);
}

/*
 * The index to walk: the user's grants or the client's, whichever
 * holds fewer (a person has few grants; a dynamically registered
 * client has few users, while a metadata document's client may have
 * thousands).
 */
static int
pick_index(struct store_txn *t, const struct grant *g, enum store_db *db,
    const char **key)
{
	size_t	 nuser, nclient;
	int	 rc;

	if ((rc = store_dup_count(t, DB_USER_GRANTS, g->user,
	    strlen(g->user), &nuser)) != STORE_OK ||
	    (rc = store_dup_count(t, DB_CLIENT_GRANTS, g->client_id,
	    strlen(g->client_id), &nclient)) != STORE_OK)
		return rc;
	if (nclient < nuser) {
		*db = DB_CLIENT_GRANTS;
		*key = g->client_id;
	} else {
		*db = DB_USER_GRANTS;
		*key = g->user;
	}
	return STORE_OK;
}

/*
 * Walks at most GRANTCAP_SCAN entries of the chosen index and sorts
 * the live grants of g's user, client and resource (g itself aside)
 * into those to replace and the siblings to keep under the cap.
 * Grants not yet redeemed (an authorization in progress in another
 * tab) and expired ones (the purge's) are left alone.
 */
static int
collect(struct store_txn *t, const struct config *cfg, const struct grant *g,
    int replace, int64_t now, struct sibling *out, size_t *nout,
    char (*repl)[GRANT_ID_LEN + 1], size_t *nrepl, unsigned long *scanned)
{
	struct store_cursor	*cur;
	struct store_val	 k, v, rec;
	struct grant		 o;
	uint32_t		 flags;
	enum store_db		 db;
	const char		*key;
	char			 id[GRANT_ID_LEN + 1];
	size_t			 n = 0;
	int			 rc, op, same;

	*nout = *nrepl = 0;
	if ((rc = pick_index(t, g, &db, &key)) != STORE_OK)
		return rc;
	if ((rc = store_cursor_open(t, db, &cur)) != STORE_OK)
		return rc;
	k.data = key;
	k.len = strlen(key);
	for (op = STORE_SET; n < GRANTCAP_SCAN &&
	    (rc = store_cursor_get(cur, &k, &v, op)) == STORE_OK;
	    op = STORE_NEXT_DUP) {
		n++;
		if (v.len != GRANT_ID_LEN)
			continue;
		memcpy(id, v.data, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		if (strcmp(id, g->id) == 0)
			continue;
		/*
		 * Grants not redeemed yet are skipped on their flags alone:
		 * a client that starts many authorizations leaves many.
		 */
		if ((rc = store_get(t, DB_GRANTS, id, GRANT_ID_LEN, &rec)) ==
		    STORE_OK && (grant_peek_flags(rec.data, rec.len, &flags) !=
		    STORE_OK || !(flags & GRANT_ACTIVE)))
			continue;
		if (rc == STORE_OK)
			rc = store_grant_get(t, id, &o);
		if (rc != STORE_OK) {
			/* Gone, or for "check" to report. */
			if (rc == STORE_NOTFOUND || rc == STORE_CORRUPT)
				continue;
			break;
		}
		same = o.expires > now &&
		    grant_end(cfg, &o) > now &&
		    strcmp(o.user, g->user) == 0 &&
		    strcmp(o.client_id, g->client_id) == 0 &&
		    resource_equal(o.resource, g->resource);
		if (same && replace && same_scopes(o.scope, g->scope)) {
			if (*nrepl < GRANTCAP_REVOKE)
				memcpy(repl[(*nrepl)++], id, sizeof(id));
		} else if (same) {
			memcpy(out[*nout].id, id, sizeof(id));
			out[*nout].created = o.created;
			(*nout)++;
		}
		grant_free(&o);
	}
	store_cursor_close(cur);
	*scanned = n;
	return rc == STORE_NOTFOUND || rc == STORE_OK ? STORE_OK : rc;
}

static void
log_revoked(const struct grant *g, const struct grantcap_result *r)
{
	struct log_line	 l;

	log_begin(&l, "grants_superseded");
	log_str(&l, "grant", g->id);
	log_str(&l, "client", g->client_id);
	log_str(&l, "user", g->user);
	log_int(&l, "replaced", (long long)r->replaced);
	log_int(&l, "capped", (long long)r->capped);
	log_int(&l, "revoked_refresh", (long long)r->revoked.refresh_tokens);
	log_end(&l);
}

/*
 * Applies the rules of grantcap.h after grant_id, just redeemed by
 * client, became active: inside t, before it commits, so that the new
 * tokens and the end of the old ones are one change.  r receives what
 * was revoked.
 */
int
grantcap_apply(struct store_txn *t, const struct config *cfg,
    const struct client *client, const char *grant_id, int64_t now,
    struct grantcap_result *r)
{
	struct sibling	 keep[GRANTCAP_SCAN];
	char		 repl[GRANTCAP_REVOKE][GRANT_ID_LEN + 1];
	struct grant	 g;
	size_t		 nkeep, nrepl, i, excess, budget;
	int		 rc, replace;

	memset(r, 0, sizeof(*r));
	if ((rc = store_grant_get(t, grant_id, &g)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_OK : rc;
	replace = (client->flags & CLIENT_DYNAMIC) &&
	    !(client->flags & CLIENT_CIMD);
	if ((rc = collect(t, cfg, &g, replace, now, keep, &nkeep, repl,
	    &nrepl, &r->scanned)) != STORE_OK)
		goto out;
	for (i = 0; i < nrepl; i++) {
		rc = grant_revoke(t, repl[i], &r->revoked);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			goto out;
		r->replaced++;
	}
	/* The new grant is one of the GRANTCAP_MAX. */
	budget = GRANTCAP_REVOKE - nrepl;
	excess = nkeep > GRANTCAP_MAX - 1 ? nkeep - (GRANTCAP_MAX - 1) : 0;
	if (excess > budget)
		excess = budget;
	if (excess > 0)
		qsort(keep, nkeep, sizeof(keep[0]), older_first);
	for (i = 0; i < excess; i++) {
		rc = grant_revoke(t, keep[i].id, &r->revoked);
		if (rc != STORE_OK && rc != STORE_NOTFOUND)
			goto out;
		r->capped++;
	}
	rc = STORE_OK;
	if (r->replaced + r->capped > 0)
		log_revoked(&g, r);
out:
	grant_free(&g);
	return rc;
}
