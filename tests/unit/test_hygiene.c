/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Registration hygiene against a real LMDB environment: which clients
 * the purge removes as unused (registered ones only, without a grant,
 * unused for registration_unused_lifetime), the once-a-day write of a
 * client's last use, the site-wide registration counter, and grants
 * that replace or cap a user's earlier grants of a client, within
 * their bounds.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/grantcap.h"
#include "../../src/lib/purge.h"
#include "../../src/lib/record.h"
#include "../../src/lib/reglimit.h"
#include "dbfixture.h"

TestSuite(hygiene, .init = fx_setup, .fini = fx_teardown);

#define DAY		(24 * 3600)
#define LIFETIME	(30 * DAY)

/* A client stored with flags, registered at created, last used used. */
static void
stored_client(struct client *c, const char *id, uint32_t flags,
    int64_t created, int64_t used)
{
	struct store_txn	*t;

	fx_client(c, id);
	c->flags = flags;
	c->created = created;
	c->last_used = used;
	if (flags & CLIENT_CIMD) {
		c->fetched = created;
		c->expires = created + 3600;
	}
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, c, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static int
client_there(const char *id)
{
	struct store_txn	*t;
	struct client		 c;
	int			 rc;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	rc = store_client_get(t, id, &c);
	store_abort(t);
	if (rc == STORE_OK)
		client_free(&c);
	cr_assert(rc == STORE_OK || rc == STORE_NOTFOUND);
	return rc == STORE_OK;
}

static int64_t
stored_last_used(const char *id)
{
	struct store_txn	*t;
	struct client		 c;
	int64_t			 used;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(store_client_get(t, id, &c), STORE_OK);
	store_abort(t);
	used = c.last_used;
	client_free(&c);
	return used;
}

static uint64_t
purged_total(void)
{
	struct store_txn	*t;
	uint64_t		 n;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	cr_assert_eq(purge_unused_clients_total(t, &n), STORE_OK);
	store_abort(t);
	return n;
}

/*
 * A registered client goes when it holds no grant and its last use, or
 * its registration if never used, is the lifetime old: to the second.
 * One the administrator added, a metadata document's (pinned or not),
 * one with a grant, and one used since, stay.
 */
Test(hygiene, purge_reaps_unused_registered_clients_only)
{
	struct client		 dcr, young, used, held, admin, cimd, pinned;
	struct fx_grant		 g;
	struct purge_counts	 c;
	const int64_t		 now = FX_T0 + LIFETIME;

	stored_client(&dcr, "mcpc_unused", CLIENT_DYNAMIC, FX_T0, 0);
	stored_client(&young, "mcpc_young", CLIENT_DYNAMIC, FX_T0 + 1, 0);
	stored_client(&used, "mcpc_used", CLIENT_DYNAMIC, FX_T0 - DAY,
	    FX_T0 + DAY);
	stored_client(&held, "mcpc_held", CLIENT_DYNAMIC, FX_T0, 0);
	stored_client(&admin, "mcpc_admin", 0, FX_T0 - 400 * DAY, 0);
	stored_client(&cimd, "https://a.example/doc.json", CLIENT_CIMD,
	    now - 60, 0);
	stored_client(&pinned, "https://a.example/pinned.json",
	    CLIENT_CIMD | CLIENT_PINNED, FX_T0 - 400 * DAY, 0);
	/* A grant that lives past now keeps its client. */
	fx_grant("alice", &held, now - 60, 0, &g);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now - 1, LIFETIME, 0, &c, NULL),
	    STORE_OK);
	cr_assert_eq(c.unused_clients, 0, "one second early");
	cr_assert(client_there("mcpc_unused"));

	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now, LIFETIME, 0, &c, NULL), STORE_OK);
	cr_assert_eq(c.unused_clients, 1);
	cr_assert_eq(c.cimd_clients, 0);
	cr_assert(purge_counts_total(&c) >= 1, "counted among the records");
	cr_assert_not(client_there("mcpc_unused"));
	cr_assert(client_there("mcpc_young"));
	cr_assert(client_there("mcpc_used"), "its last use counts");
	cr_assert(client_there("mcpc_held"), "a grant keeps it");
	cr_assert(client_there("mcpc_admin"));
	cr_assert(client_there("https://a.example/doc.json"));
	cr_assert(client_there("https://a.example/pinned.json"));
	cr_assert(client_there("mcpc_app"), "the fixture's admin clients");
	cr_assert_eq(purged_total(), 1);

	/*
	 * The young one and the used one two days later: a use counts
	 * until the end of its UTC day (at most two days after FX_T0).
	 */
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, now + 2 * DAY, LIFETIME, 0, &c, NULL),
	    STORE_OK);
	cr_assert_eq(c.unused_clients, 2);
	cr_assert_not(client_there("mcpc_young"));
	cr_assert_not(client_there("mcpc_used"));
	cr_assert(client_there("mcpc_held"));
	cr_assert(client_there("mcpc_admin"));
	cr_assert_eq(purged_total(), 3, "a running total");

	client_free(&dcr);
	client_free(&young);
	client_free(&used);
	client_free(&held);
	client_free(&admin);
	client_free(&cimd);
	client_free(&pinned);
}

/* A lifetime of 0 keeps every registered client. */
Test(hygiene, lifetime_zero_keeps_everything)
{
	struct client		 dcr;
	struct purge_counts	 c;

	stored_client(&dcr, "mcpc_old", CLIENT_DYNAMIC, FX_T0, 0);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(purge_run(fx_st, FX_T0 + 3650 * (int64_t)DAY, 0, 0, &c,
	    NULL), STORE_OK);
	cr_assert_eq(c.unused_clients, 0);
	cr_assert(client_there("mcpc_old"));
	cr_assert_eq(purged_total(), 0);
	client_free(&dcr);
}

/* The opportunistic purge reaps too, and adds to the same total. */
Test(hygiene, opportunistic_purge_reaps)
{
	struct client		 dcr;
	struct purge_counts	 c;
	struct store_txn	*t;
	int			 i;

	stored_client(&dcr, "mcpc_old", CLIENT_DYNAMIC, FX_T0, 0);
	memset(&c, 0, sizeof(c));
	for (i = 0; i < 20 && c.unused_clients == 0; i++) {
		cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
		cr_assert_eq(purge_expired(t, FX_T0 + LIFETIME, LIFETIME, 4,
		    &c), STORE_OK);
		cr_assert_eq(store_commit(t), STORE_OK);
	}
	cr_assert_eq(c.unused_clients, 1);
	cr_assert_not(client_there("mcpc_old"));
	cr_assert_eq(purged_total(), 1);
	client_free(&dcr);
}

/* client_reapable() alone: the flags, the dates and the lifetime. */
Test(hygiene, reapable_rules)
{
	struct client	 c;

	client_init(&c);
	c.flags = CLIENT_DYNAMIC;
	c.created = 1000;
	cr_assert(client_reapable(&c, 1000 + LIFETIME, LIFETIME));
	cr_assert_not(client_reapable(&c, 999 + LIFETIME, LIFETIME));
	cr_assert_not(client_reapable(&c, 1000 + LIFETIME, 0));
	/*
	 * A use counts until the end of its UTC day (last_used is written
	 * once a day, the client may have been used until then).
	 */
	c.last_used = 5000;
	cr_assert_not(client_reapable(&c, 1000 + LIFETIME, LIFETIME));
	cr_assert_not(client_reapable(&c, 5000 + LIFETIME, LIFETIME));
	cr_assert_not(client_reapable(&c, DAY - 1 + LIFETIME, LIFETIME));
	cr_assert(client_reapable(&c, DAY + LIFETIME, LIFETIME));
	c.flags = 0;
	cr_assert_not(client_reapable(&c, DAY + LIFETIME, LIFETIME));
	c.flags = CLIENT_DYNAMIC | CLIENT_CIMD;
	cr_assert_not(client_reapable(&c, DAY + LIFETIME, LIFETIME));
}

/*
 * With the shortest lifetime, a day: a client last noted just after
 * midnight and used again (unrecorded) late that day is kept until a
 * day after that day's end, so a flow begun late that day finishes.
 */
Test(hygiene, reapable_counts_the_whole_day_of_use)
{
	struct client	 c;
	const int64_t	 midnight = FX_T0 - FX_T0 % DAY;

	client_init(&c);
	c.flags = CLIENT_DYNAMIC;
	c.created = midnight - 5 * DAY;
	c.last_used = midnight + 60;
	cr_assert_not(client_reapable(&c, midnight + DAY + 120, DAY));
	cr_assert_not(client_reapable(&c, midnight + 2 * DAY - 1, DAY));
	cr_assert(client_reapable(&c, midnight + 2 * DAY, DAY));
}

/*
 * client_touch() writes the day's first use only: a record already
 * touched today is left as it is, even when the caller's copy is
 * older (read before another request touched it); the next day writes
 * again.  A clock that went back writes nothing.  A deleted client is
 * STORE_NOTFOUND.
 */
Test(hygiene, last_used_written_once_a_day)
{
	struct client		 c, stale;
	struct store_txn	*t;
	const int64_t		 midnight = FX_T0 - FX_T0 % DAY + DAY;

	stored_client(&c, "mcpc_touch", CLIENT_DYNAMIC, FX_T0, 0);
	/* The same client as read before any touch. */
	client_init(&stale);
	snprintf(stale.id, sizeof(stale.id), "%s", c.id);
	stale.flags = CLIENT_DYNAMIC;

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(client_touch(t, &c, midnight + 10), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(stored_last_used("mcpc_touch"), midnight + 10);

	/* Later the same day, from a copy read before: no write. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(client_touch(t, &stale, midnight + DAY - 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(stored_last_used("mcpc_touch"), midnight + 10);

	/* The next day: written. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(client_touch(t, &stale, midnight + DAY), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(stored_last_used("mcpc_touch"), midnight + DAY);

	/* The clock went back a day: nothing written. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(client_touch(t, &stale, midnight + 20), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(stored_last_used("mcpc_touch"), midnight + DAY);

	/*
	 * A client that is gone is STORE_NOTFOUND (a caller issuing a
	 * code must not issue it), and stays gone.
	 */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_del(t, "mcpc_touch"), STORE_OK);
	cr_assert_eq(client_touch(t, &stale, midnight + 3 * DAY),
	    STORE_NOTFOUND);
	/* Also from a copy touched today, which needs no write. */
	stale.last_used = midnight + 3 * DAY;
	cr_assert_eq(client_touch(t, &stale, midnight + 3 * DAY + 5),
	    STORE_NOTFOUND);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_not(client_there("mcpc_touch"));
	client_free(&c);
	client_free(&stale);
}

/* Issuing a code notes the client's use. */
Test(hygiene, code_issue_touches_client)
{
	struct client		 c;
	struct fx_grant		 g;
	struct store_txn	*t;

	stored_client(&c, "mcpc_issue", CLIENT_DYNAMIC, FX_T0, 0);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(fx_grant_in(t, "alice", &c, FX_T0 + 5 * DAY, 0, 1, &g),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(stored_last_used("mcpc_issue"), FX_T0 + 5 * DAY);
	client_free(&c);
}

/*
 * A record written before last_used existed (it ends after the
 * redirect URIs) reads as never used; a new one round-trips.
 */
Test(hygiene, old_client_records_read)
{
	struct client		 c, back;
	struct store_txn	*t;
	struct store_val	 v;
	unsigned char		 old[4096];
	size_t			 n;

	stored_client(&c, "mcpc_format", CLIENT_DYNAMIC, FX_T0, FX_T0 + 7);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(store_get(t, DB_CLIENTS, "mcpc_format", 11, &v),
	    STORE_OK);
	cr_assert(v.len > 8 && v.len <= sizeof(old));
	n = v.len - 8;
	memcpy(old, v.data, n);
	client_init(&back);
	cr_assert_eq(client_decode(v.data, v.len, &back), STORE_OK);
	cr_assert_eq(back.last_used, FX_T0 + 7);
	client_free(&back);
	cr_assert_eq(client_decode(old, n, &back), STORE_OK);
	cr_assert_eq(back.last_used, 0);
	cr_assert_eq(back.flags, CLIENT_DYNAMIC);
	cr_assert_eq(back.nredirect_uris, 1);
	client_free(&back);
	/* Stored so, it is reaped by its registration time. */
	cr_assert_eq(store_put(t, DB_CLIENTS, "mcpc_format", 11, old, n, 0),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(stored_last_used("mcpc_format"), 0);
	client_free(&c);
}

/*
 * The site counter: five registrations from five addresses fill a
 * limit of five; the sixth is refused (counted nowhere) with the
 * seconds left in the hour; the window's end empties it.
 */
Test(hygiene, site_limit_counter)
{
	struct store_txn	*t;
	enum reglimit_result	 res;
	unsigned long		 n;
	long			 retry;
	char			 addr[32];
	int			 i;

	fx_cfg->registration_rate_limit = 3;
	fx_cfg->registration_site_rate_limit = 5;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	for (i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i + 1);
		cr_assert_eq(reglimit_take(t, fx_cfg, addr, FX_T0 + i, &res,
		    &retry), STORE_OK);
		cr_assert_eq(res, REGLIMIT_OK, "registration %d", i);
	}
	cr_assert_eq(reglimit_take(t, fx_cfg, "192.0.2.99", FX_T0 + 100,
	    &res, &retry), STORE_OK);
	cr_assert_eq(res, REGLIMIT_SITE);
	cr_assert_eq(retry, REGLIMIT_WINDOW - 100);
	cr_assert_eq(reglimit_site_count(t, FX_T0 + 100, &n), STORE_OK);
	cr_assert_eq(n, 5, "a refused one is not counted");
	/* The window that started at FX_T0 is over: a fresh hour. */
	cr_assert_eq(reglimit_site_count(t, FX_T0 + REGLIMIT_WINDOW, &n),
	    STORE_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(reglimit_take(t, fx_cfg, "192.0.2.99",
	    FX_T0 + REGLIMIT_WINDOW, &res, &retry), STORE_OK);
	cr_assert_eq(res, REGLIMIT_OK);
	store_abort(t);
}

/* The per-address limit comes first and is not the site's. */
Test(hygiene, address_limit_before_site_limit)
{
	struct store_txn	*t;
	enum reglimit_result	 res;
	unsigned long		 n;
	long			 retry;
	int			 i;

	fx_cfg->registration_rate_limit = 2;
	fx_cfg->registration_site_rate_limit = 100;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(reglimit_take(t, fx_cfg, "2001:db8::1", FX_T0,
		    &res, &retry), STORE_OK);
		cr_assert_eq(res, REGLIMIT_OK);
	}
	/* Another host of the same /64. */
	cr_assert_eq(reglimit_take(t, fx_cfg, "2001:db8::2", FX_T0, &res,
	    &retry), STORE_OK);
	cr_assert_eq(res, REGLIMIT_ADDRESS);
	cr_assert_eq(reglimit_site_count(t, FX_T0, &n), STORE_OK);
	cr_assert_eq(n, 2);
	store_abort(t);
}

/* With both limits off, registrations still count for stats. */
Test(hygiene, limits_off_still_count)
{
	struct store_txn	*t;
	enum reglimit_result	 res;
	unsigned long		 n;
	long			 retry;
	int			 i;

	fx_cfg->registration_rate_limit = 0;
	fx_cfg->registration_site_rate_limit = 0;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	for (i = 0; i < 300; i++) {
		cr_assert_eq(reglimit_take(t, fx_cfg, "192.0.2.1", FX_T0, &res,
		    &retry), STORE_OK);
		cr_assert_eq(res, REGLIMIT_OK);
	}
	cr_assert_eq(reglimit_site_count(t, FX_T0, &n), STORE_OK);
	cr_assert_eq(n, 300);
	store_abort(t);
}

/*
 * A grant of user to client for scope and resource at now, redeemed
 * (active) unless code_only; then, unless code_only, grantcap_apply()
 * as /token runs it.  r may be NULL.
 */
static void
grant_of(const char *user, const struct client *c, const char *scope,
    const char *resource, int64_t now, int code_only, struct fx_grant *g,
    struct grantcap_result *r)
{
	struct code_request	 req;
	struct token_response	 tr;
	struct oauth_error	 e;
	struct grantcap_result	 ignored;
	struct store_txn	*t;

	memset(&req, 0, sizeof(req));
	memset(&e, 0, sizeof(e));
	memset(g, 0, sizeof(*g));
	req.user = user;
	req.client = c;
	req.redirect_uri = FX_REDIRECT;
	req.redirect_explicit = 1;
	req.challenge = FX_CHALLENGE;
	req.scope = scope;
	req.resource = resource;
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(grant_issue_code(t, fx_cfg, &req, now, g->code,
	    sizeof(g->code), g->id), STORE_OK);
	if (!code_only) {
		cr_assert_eq(grant_exchange_code(t, fx_cfg, c, g->code,
		    FX_REDIRECT, FX_VERIFIER, NULL, now, &tr, &e), 0, "%s",
		    e.description);
		memcpy(g->access, tr.access_token, sizeof(g->access));
		memcpy(g->refresh, tr.refresh_token, sizeof(g->refresh));
		cr_assert_eq(grantcap_apply(t, fx_cfg, c, g->id, now,
		    r != NULL ? r : &ignored), STORE_OK);
	}
	cr_assert_eq(store_commit(t), STORE_OK);
}

static int
grant_there(const struct fx_grant *g)
{
	return fx_stored(DB_GRANTS, g->id, GRANT_ID_LEN);
}

/*
 * A registered client authorized again by the same user, for the same
 * scopes and resource: the new grant replaces the old one, with its
 * tokens.  Other scopes, another resource, another user, and an
 * authorization still in progress (a code not redeemed) stay.
 */
Test(hygiene, registered_client_grant_replaced)
{
	struct client		 dcr;
	struct fx_grant		 first, second, third, wider, other_res;
	struct fx_grant		 bob, pending;
	struct grantcap_result	 r;
	const char		*res = fx_cfg->mcp_url;

	stored_client(&dcr, "mcpc_dcr", CLIENT_DYNAMIC, FX_T0, 0);
	grant_of("alice", &dcr, "mcp", res, FX_T0, 0, &first, &r);
	cr_assert_eq(r.replaced + r.capped, 0);
	grant_of("alice", &dcr, "mcp notes:read", res, FX_T0 + 1, 0, &wider,
	    NULL);
	grant_of("alice", &dcr, "mcp", "https://other.example/mcp", FX_T0 + 2,
	    0, &other_res, NULL);
	grant_of("bob", &dcr, "mcp", res, FX_T0 + 3, 0, &bob, NULL);
	grant_of("alice", &dcr, "mcp", res, FX_T0 + 4, 1, &pending, NULL);

	grant_of("alice", &dcr, "mcp", res, FX_T0 + 10, 0, &second, &r);
	cr_assert_eq(r.replaced, 1);
	cr_assert_eq(r.capped, 0);
	cr_assert_eq(r.revoked.refresh_tokens, 1);
	cr_assert_not(grant_there(&first));
	cr_assert_not(fx_token_works(first.refresh));
	cr_assert_not(fx_token_works(first.access));
	cr_assert(fx_token_works(second.refresh));
	cr_assert(grant_there(&wider));
	cr_assert(grant_there(&other_res));
	cr_assert(grant_there(&bob));
	cr_assert(grant_there(&pending), "an authorization in progress");

	/* Again: still one grant for alice, mcp, this resource. */
	grant_of("alice", &dcr, "mcp", res, FX_T0 + 20, 0, &third, &r);
	cr_assert_eq(r.replaced, 1);
	cr_assert_not(grant_there(&second));
	cr_assert(grant_there(&third));
	cr_assert(fx_token_works(third.access));
	client_free(&dcr);
}

/* Scopes compare as sets, not as strings. */
Test(hygiene, same_scopes_in_another_order_replaced)
{
	struct client		 dcr;
	struct fx_grant		 a, b;
	struct grantcap_result	 r;

	stored_client(&dcr, "mcpc_dcr", CLIENT_DYNAMIC, FX_T0, 0);
	grant_of("alice", &dcr, "mcp notes:read", fx_cfg->mcp_url, FX_T0, 0,
	    &a, NULL);
	grant_of("alice", &dcr, "notes:read mcp", fx_cfg->mcp_url, FX_T0 + 1,
	    0, &b, &r);
	cr_assert_eq(r.replaced, 1);
	cr_assert_not(grant_there(&a));
	client_free(&dcr);
}

/*
 * A metadata document's client (one client ID for every installation)
 * is never replaced: a user's two devices both stay signed in.  So is
 * a client the administrator added.  Both are capped at GRANTCAP_MAX
 * grants per user and resource, the oldest going first.
 */
Test(hygiene, shared_clients_capped_not_replaced)
{
	struct client		 cimd;
	struct fx_grant		 g[GRANTCAP_MAX + 2];
	struct grantcap_result	 r;
	int			 i;

	stored_client(&cimd, "https://vscode.example/client.json",
	    CLIENT_CIMD, FX_T0, 0);
	for (i = 0; i < GRANTCAP_MAX; i++) {
		grant_of("alice", &cimd, "mcp", fx_cfg->mcp_url, FX_T0 + i, 0,
		    &g[i], &r);
		cr_assert_eq(r.replaced + r.capped, 0, "grant %d", i);
	}
	for (i = 0; i < GRANTCAP_MAX; i++)
		cr_assert(fx_token_works(g[i].refresh), "device %d", i);
	grant_of("alice", &cimd, "mcp", fx_cfg->mcp_url, FX_T0 + 100, 0,
	    &g[GRANTCAP_MAX], &r);
	cr_assert_eq(r.replaced, 0);
	cr_assert_eq(r.capped, 1);
	cr_assert_not(grant_there(&g[0]), "the oldest goes");
	for (i = 1; i <= GRANTCAP_MAX; i++)
		cr_assert(grant_there(&g[i]), "grant %d", i);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, cimd.id), GRANTCAP_MAX);

	/* An admin-added client: the same. */
	for (i = 0; i < GRANTCAP_MAX + 2; i++)
		grant_of("bob", &fx_app, "mcp", fx_cfg->mcp_url, FX_T0 + i, 0,
		    &g[i], &r);
	cr_assert_eq(r.replaced, 0);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, fx_app.id), GRANTCAP_MAX);
	cr_assert_not(grant_there(&g[0]));
	cr_assert_not(grant_there(&g[1]));
	cr_assert(grant_there(&g[2]));
	client_free(&cimd);
}

/*
 * Grants made before the cap existed: one call revokes at most
 * GRANTCAP_REVOKE of them, the next the rest.
 */
Test(hygiene, revocations_bounded_per_call)
{
	struct client		 dcr;
	struct fx_grant		 g;
	struct grantcap_result	 r;
	struct store_txn	*t;
	int			 i;

	stored_client(&dcr, "mcpc_dcr", CLIENT_DYNAMIC, FX_T0, 0);
	/* 30 old grants, redeemed without the cap (fx_grant). */
	for (i = 0; i < 30; i++)
		fx_grant("alice", &dcr, FX_T0 + i, 0, &g);
	grant_of("alice", &dcr, "mcp", fx_cfg->mcp_url, FX_T0 + 100, 0, &g,
	    &r);
	cr_assert_eq(r.replaced, GRANTCAP_REVOKE);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, dcr.id), 31 - GRANTCAP_REVOKE);
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(grantcap_apply(t, fx_cfg, &dcr, g.id, FX_T0 + 101, &r),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(r.replaced, 30 - GRANTCAP_REVOKE);
	cr_assert_eq(fx_dups(DB_CLIENT_GRANTS, dcr.id), 1);
	cr_assert(grant_there(&g));
	client_free(&dcr);
}

/*
 * At most GRANTCAP_SCAN index entries are examined, from the smaller
 * of the user's and the client's lists.
 */
Test(hygiene, scan_bounded)
{
	struct fx_grant		 g;
	struct grantcap_result	 r;
	struct store_txn	*t;
	int			 i;

	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	for (i = 0; i < GRANTCAP_SCAN + 50; i++)
		cr_assert_eq(fx_grant_in(t, "alice", &fx_app, FX_T0, 0, 0, &g),
		    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);

	/* Only alice's list and fx_app's: both long. */
	cr_assert_eq(store_begin(fx_st, 0, &t), STORE_OK);
	cr_assert_eq(grantcap_apply(t, fx_cfg, &fx_app, g.id, FX_T0, &r),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(r.scanned, GRANTCAP_SCAN);
	cr_assert_eq(r.capped, GRANTCAP_REVOKE);

	/* Bob's one grant of fx_app: his list is the short one. */
	grant_of("bob", &fx_app, "mcp", fx_cfg->mcp_url, FX_T0, 0, &g, &r);
	cr_assert_eq(r.scanned, 1);
	cr_assert_eq(r.capped, 0);
}
