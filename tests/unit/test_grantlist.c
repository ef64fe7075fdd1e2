/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * grantlist.c against a real LMDB environment: grants filtered by user
 * and client through the indexes, bounded and resumed without a gap or
 * a repeat; unknown names; the client listing in parts with its grant
 * counts; the query strings of the admin pages' links.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../src/lib/adminquery.h"
#include "../../src/lib/grantlist.h"
#include "dbfixture.h"

TestSuite(grantlist, .init = fx_setup, .fini = fx_teardown);

#define SEEN_MAX	64

struct seen {
	char	 ids[SEEN_MAX][GRANT_ID_LEN + 1];
	char	 users[SEEN_MAX][USER_NAME_MAX + 1];
	size_t	 n;
};

static int
collect(struct store_txn *t, const char *id, const struct grant *g,
    void *arg)
{
	struct seen	*s = arg;

	(void)t;
	cr_assert_lt(s->n, SEEN_MAX);
	memcpy(s->ids[s->n], id, GRANT_ID_LEN + 1);
	snprintf(s->users[s->n], sizeof(s->users[0]), "%s", g->user);
	s->n++;
	return STORE_OK;
}

static int
list(struct grantlist_filter *f, struct seen *s, char *next)
{
	struct store_txn	*t;
	int			 rc;

	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	rc = grantlist_each(t, f, collect, s, next);
	store_abort(t);
	return rc;
}

Test(grantlist, filters_by_user_and_client)
{
	struct fx_grant		 g[5];
	struct grantlist_filter	 f;
	struct seen		 s;
	size_t			 i;

	fx_grant("alice", &fx_app, FX_T0, 0, &g[0]);
	fx_grant("alice", &fx_other, FX_T0, 0, &g[1]);
	fx_grant("bob", &fx_app, FX_T0, 0, &g[2]);
	fx_grant("bob", &fx_app, FX_T0, 1, &g[3]);
	fx_grant("bob", &fx_other, FX_T0, 0, &g[4]);

	memset(&f, 0, sizeof(f));
	f.now = FX_T0;
	f.user = "alice";
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, NULL), STORE_OK);
	cr_assert_eq(s.n, 2);
	for (i = 0; i < s.n; i++)
		cr_assert_str_eq(s.users[i], "alice");

	f.user = NULL;
	f.client = "mcpc_app";
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, NULL), STORE_OK);
	cr_assert_eq(s.n, 3);

	f.user = "bob";
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, NULL), STORE_OK);
	cr_assert_eq(s.n, 2);

	f.user = f.client = NULL;
	f.active = 1;
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, NULL), STORE_OK);
	cr_assert_eq(s.n, 5);
	/* After the grant's end, none is active. */
	f.now = FX_T0 + 10 * FX_REFRESH_LIFE;
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, NULL), STORE_OK);
	cr_assert_eq(s.n, 0);
}

/* Pages of two, resumed with next: every grant once, in order. */
static void
pages_cover_all(const char *user, const char *client, size_t want)
{
	struct grantlist_filter	 f;
	struct seen		 all, page;
	char			 next[GRANT_ID_LEN + 1], after[GRANT_ID_LEN + 1];
	size_t			 i, pages = 0;

	memset(&all, 0, sizeof(all));
	memset(&f, 0, sizeof(f));
	f.now = FX_T0;
	f.user = user;
	f.client = client;
	f.limit = 2;
	after[0] = '\0';
	do {
		f.after = after;
		memset(&page, 0, sizeof(page));
		cr_assert_eq(list(&f, &page, next), STORE_OK);
		cr_assert_leq(page.n, 2);
		for (i = 0; i < page.n; i++) {
			if (all.n > 0)
				cr_assert_gt(strcmp(page.ids[i],
				    all.ids[all.n - 1]), 0, "out of order");
			memcpy(all.ids[all.n++], page.ids[i],
			    GRANT_ID_LEN + 1);
		}
		memcpy(after, next, sizeof(after));
		cr_assert_lt(++pages, 10);
	} while (next[0] != '\0');
	cr_assert_eq(all.n, want);
}

Test(grantlist, resumes_without_gap_or_repeat)
{
	struct fx_grant	 g;
	int		 i;

	for (i = 0; i < 5; i++)
		fx_grant("alice", &fx_app, FX_T0, 0, &g);
	for (i = 0; i < 2; i++)
		fx_grant("bob", &fx_other, FX_T0, 0, &g);
	pages_cover_all(NULL, NULL, 7);
	pages_cover_all("alice", NULL, 5);
	pages_cover_all(NULL, "mcpc_other", 2);
	pages_cover_all("bob", "mcpc_app", 0);
}

Test(grantlist, scan_bound_stops_and_resumes)
{
	struct fx_grant		 g;
	struct grantlist_filter	 f;
	struct seen		 s;
	char			 next[GRANT_ID_LEN + 1];
	int			 i;

	for (i = 0; i < 4; i++)
		fx_grant("alice", &fx_app, FX_T0, 0, &g);
	memset(&f, 0, sizeof(f));
	f.now = FX_T0;
	f.user = "bob";
	f.client = NULL;
	f.scan = 3;
	/* No index entry under bob: nothing scanned, the end. */
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, next), STORE_OK);
	cr_assert_eq(s.n, 0);
	cr_assert_str_eq(next, "");
	/* The whole table, three looked at, then the rest. */
	f.user = NULL;
	f.client = NULL;
	f.active = 0;
	memset(&s, 0, sizeof(s));
	cr_assert_eq(list(&f, &s, next), STORE_OK);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(next, s.ids[2]);
	f.after = next;
	memset(&s, 0, sizeof(s));
	{
		char	 next2[GRANT_ID_LEN + 1];

		cr_assert_eq(list(&f, &s, next2), STORE_OK);
		cr_assert_eq(s.n, 1);
		cr_assert_str_eq(next2, "");
	}
}

Test(grantlist, unknown_names)
{
	struct store_txn	*t;
	struct grantlist_filter	 f;
	enum grantlist_unknown	 u;

	memset(&f, 0, sizeof(f));
	cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
	f.user = "alice";
	f.client = "mcpc_app";
	cr_assert_eq(grantlist_known(t, &f, &u), STORE_OK);
	cr_assert_eq(u, GRANTLIST_KNOWN);
	f.user = "<script>";
	cr_assert_eq(grantlist_known(t, &f, &u), STORE_OK);
	cr_assert_eq(u, GRANTLIST_NO_USER);
	f.user = NULL;
	f.client = "mcpc_nobody";
	cr_assert_eq(grantlist_known(t, &f, &u), STORE_OK);
	cr_assert_eq(u, GRANTLIST_NO_CLIENT);
	store_abort(t);
}

Test(grantlist, clients_in_parts_with_counts)
{
	struct fx_grant		 g;
	struct store_txn	*t;
	struct clientlist_row	 rows[1];
	char			 resume[CLIENT_KEY_MAX + 1];
	size_t			 resume_len = 0, n, total = 0;
	long			 app = -2, other = -2;

	fx_grant("alice", &fx_app, FX_T0, 0, &g);
	fx_grant("bob", &fx_app, FX_T0, 0, &g);
	do {
		cr_assert_eq(store_begin(fx_st, 1, &t), STORE_OK);
		cr_assert_eq(clientlist_read(t, resume, &resume_len, rows, 1,
		    &n), STORE_OK);
		store_abort(t);
		if (n == 1) {
			cr_assert_eq(rows[0].corrupt, 0);
			if (strcmp(rows[0].c.id, "mcpc_app") == 0)
				app = rows[0].grants;
			else if (strcmp(rows[0].c.id, "mcpc_other") == 0)
				other = rows[0].grants;
			total++;
		}
		clientlist_free(rows, n);
		cr_assert_leq(total, 3);
	} while (n == 1);
	cr_assert_eq(total, 2);
	cr_assert_eq(app, 2);
	cr_assert_eq(other, 0);
}

Test(grantlist, query_strings_are_percent_encoded)
{
	struct buf	 q;

	buf_init(&q);
	adminquery_add(&q, "client", "https://a.example/c?x=1&y=<2>#f");
	adminquery_add(&q, "user", NULL);
	adminquery_add(&q, "kind", "signin");
	cr_assert_str_eq(buf_cstr(&q), "client=https%3A%2F%2Fa.example%2Fc%3F"
	    "x%3D1%26y%3D%3C2%3E%23f&kind=signin");
	buf_free(&q);
}
