/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Per-user scope limits: the user record's optional scope list (read
 * from records written before it existed), scope_limit(), the grants
 * that never exceed a limit, narrowing a user's grants and live tokens
 * in one transaction, and the consent form's choice of scopes.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"
#include "../../src/lib/consent.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/form.h"
#include "../../src/lib/grant.h"
#include "../../src/lib/oauth.h"
#include "../../src/lib/record.h"
#include "../../src/lib/scope.h"
#include "../../src/lib/store.h"
#include "../../src/lib/user.h"
#include "testutil.h"

#define T0		1700000000
#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT	"http://127.0.0.1:9999/callback"
#define RESOURCE	"https://mcp.example.com/mcp"

static char		*dir;
static struct config	*cfg;
static struct store	*st;
static struct client	 pub;

static void
setup(void)
{
	struct store_txn	*t;
	char			 text[512], err[STORE_ERR_MAX];

	dir = testutil_tmpdir();
	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = %s/db\nscopes = mcp notes:read notes:write\n", dir);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	cr_assert_eq(store_open(cfg->db_path, 1 << 22, STORE_OPEN_CREATE, &st,
	    err, sizeof(err)), STORE_OK, "%s", err);
	client_init(&pub);
	snprintf(pub.id, sizeof(pub.id), "mcpc_public");
	pub.auth_method = CLIENT_AUTH_NONE;
	pub.grant_types = CLIENT_GRANT_CODE | CLIENT_GRANT_REFRESH;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_client_put(t, &pub, 1), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static void
teardown(void)
{
	client_free(&pub);
	store_close(st);
	st = NULL;
	config_free(cfg);
	cfg = NULL;
	testutil_rmdir(dir);
	dir = NULL;
}

TestSuite(userscope, .init = setup, .fini = teardown);

static void
put_user(const char *name, const char *scopes)
{
	struct store_txn	*t;
	struct user		 u;
	char			 hash[] = "x";

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.password_hash = hash;
	u.scopes = (char *)scopes;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(store_user_put(t, &u, 0), STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
}

Test(userscope, a_record_without_the_field_reads_as_no_limit)
{
	struct buf	 b;
	struct user	 u;

	/* A record as written before the limit existed. */
	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, 0);
	rec_put_i64(&b, T0);
	rec_put_i64(&b, T0);
	rec_put_str(&b, "hash");
	memset(&u, 0, sizeof(u));
	cr_assert_eq(user_decode(b.data, b.len, &u), STORE_OK);
	cr_assert_null(u.scopes);
	cr_assert_str_eq(user_scope_limit(&u), "");
	cr_assert_str_eq(u.password_hash, "hash");
	user_free(&u);
	/* With the field, and with a byte too many. */
	rec_put_str(&b, "mcp notes:read");
	cr_assert_eq(user_decode(b.data, b.len, &u), STORE_OK);
	cr_assert_str_eq(user_scope_limit(&u), "mcp notes:read");
	user_free(&u);
	rec_put_u8(&b, 0);
	cr_assert_eq(user_decode(b.data, b.len, &u), STORE_CORRUPT);
	buf_free(&b);
}

Test(userscope, the_record_round_trips_with_and_without_a_limit)
{
	struct store_txn	*t;
	struct user		 u;

	put_user("alice", "mcp notes:read");
	put_user("bob", NULL);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_user_get(t, "alice", &u), STORE_OK);
	cr_assert_str_eq(u.scopes, "mcp notes:read");
	cr_assert_str_eq(u.password_hash, "x");
	user_free(&u);
	cr_assert_eq(store_user_get(t, "bob", &u), STORE_OK);
	cr_assert_str_eq(user_scope_limit(&u), "");
	user_free(&u);
	store_abort(t);
}

Test(userscope, limit_intersects_in_configuration_order)
{
	struct buf	 b;

	buf_init(&b);
	scope_limit(cfg, "notes:write mcp notes:read", "", &b);
	cr_assert_str_eq(buf_cstr(&b), "mcp notes:read notes:write",
	    "no limit: all of it");
	scope_limit(cfg, "notes:write mcp notes:read", "notes:read mcp", &b);
	cr_assert_str_eq(buf_cstr(&b), "mcp notes:read");
	/* notes:write implies notes:read; not the other way round. */
	scope_limit(cfg, "notes:read", "notes:write", &b);
	cr_assert_str_eq(buf_cstr(&b), "notes:read");
	scope_limit(cfg, "notes:write", "notes:read", &b);
	cr_assert_str_eq(buf_cstr(&b), "");
	scope_minus(cfg, "mcp notes:read notes:write", "notes:read", &b);
	cr_assert_str_eq(buf_cstr(&b), "mcp notes:write");
	cr_assert_str_eq(scope_base(cfg), "mcp",
	    "the first default scope (all scopes when none are set)");
	buf_free(&b);
}

/* A code for alice, exchanged for a pair of tokens. */
static void
grant_pair(const char *scope, char *grant_id, struct token_response *tr)
{
	struct store_txn	*t;
	struct oauth_error	 e;
	struct code_request	 cr;
	char			 code[TOKEN_MAX];

	memset(&cr, 0, sizeof(cr));
	cr.user = "alice";
	cr.client = &pub;
	cr.redirect_uri = REDIRECT;
	cr.redirect_explicit = 1;
	cr.challenge = CHALLENGE;
	cr.scope = scope;
	cr.resource = RESOURCE;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_issue_code(t, cfg, &cr, T0, code, sizeof(code),
	    grant_id), STORE_OK);
	memset(&e, 0, sizeof(e));
	cr_assert_eq(grant_exchange_code(t, cfg, &pub, code, REDIRECT,
	    VERIFIER, NULL, T0 + 1, tr, &e), 0, "%s", e.description);
	cr_assert_eq(store_commit(t), STORE_OK);
}

static char *
stored_scope(const unsigned char *hash)
{
	struct store_txn	*t;
	struct token		 tok;
	char			*s;

	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_token_get(t, hash, &tok), STORE_OK);
	store_abort(t);
	s = strdup(tok.scope);
	token_free(&tok);
	return s;
}

Test(userscope, a_new_grant_never_exceeds_the_limit)
{
	struct token_response	 tr;
	struct store_txn	*t;
	struct code_request	 cr;
	char			 id[GRANT_ID_LEN + 1], code[TOKEN_MAX];

	put_user("alice", "mcp notes:read");
	grant_pair("mcp notes:read notes:write", id, &tr);
	cr_assert_str_eq(tr.scope, "mcp notes:read");
	/* Nothing of the request allowed: no grant at all. */
	memset(&cr, 0, sizeof(cr));
	cr.user = "alice";
	cr.client = &pub;
	cr.redirect_uri = REDIRECT;
	cr.challenge = CHALLENGE;
	cr.scope = "notes:write";
	cr.resource = RESOURCE;
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_issue_code(t, cfg, &cr, T0, code, sizeof(code),
	    id), GRANT_SCOPE_REFUSED);
	store_abort(t);
}

Test(userscope, narrowing_rewrites_the_grant_and_its_tokens_in_one_txn)
{
	struct token_response	 tr;
	struct narrow_counts	 n;
	struct store_txn	*t;
	struct grant		 g;
	char			 id[GRANT_ID_LEN + 1], *s;

	put_user("alice", NULL);
	grant_pair("mcp notes:read notes:write", id, &tr);
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_narrow_user(t, cfg, "alice", "mcp notes:read", &n),
	    STORE_OK);
	/* Seen inside the transaction, gone with its abort. */
	cr_assert_eq(store_grant_get(t, id, &g), STORE_OK);
	cr_assert_str_eq(g.scope, "mcp notes:read");
	grant_free(&g);
	store_abort(t);
	s = stored_scope(tr.access_hash);
	cr_assert_str_eq(s, "mcp notes:read notes:write");
	free(s);

	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_narrow_user(t, cfg, "alice", "mcp notes:read", &n),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n.grants, 1);
	cr_assert_eq(n.access_tokens, 1);
	cr_assert_eq(n.refresh_tokens, 1);
	cr_assert_eq(n.revoked.grants, 0);
	s = stored_scope(tr.access_hash);
	cr_assert_str_eq(s, "mcp notes:read", "the live token, narrowed");
	free(s);
	s = stored_scope(tr.refresh_hash);
	cr_assert_str_eq(s, "mcp notes:read");
	free(s);

	/* Again: nothing left to narrow. */
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_narrow_user(t, cfg, "alice", "mcp notes:read", &n),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n.grants, 0);

	/* Without the base scope the grant goes, tokens and all. */
	cr_assert_eq(store_begin(st, 0, &t), STORE_OK);
	cr_assert_eq(grant_narrow_user(t, cfg, "alice", "notes:read", &n),
	    STORE_OK);
	cr_assert_eq(store_commit(t), STORE_OK);
	cr_assert_eq(n.revoked.grants, 1);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(store_grant_get(t, id, &g), STORE_NOTFOUND);
	cr_assert_eq(store_token_get(t, tr.access_hash, (struct token[1]){0}),
	    STORE_NOTFOUND);
	store_abort(t);
}

static void
parse_form(const char *body, struct form *f)
{
	form_init(f);
	cr_assert_eq(form_parse(body, strlen(body), NULL, f), FORM_OK);
}

Test(userscope, the_consent_form_chooses_within_the_offer)
{
	struct consent_offer	 o;
	struct form		 f;
	char			 chosen[CONSENT_SCOPES_MAX];

	memset(&o, 0, sizeof(o));
	snprintf(o.offered, sizeof(o.offered), "mcp notes:read notes:write");
	snprintf(o.fixed, sizeof(o.fixed), "mcp");
	/* No checkboxes at all: what was offered. */
	parse_form("action=approve", &f);
	cr_assert_eq(consent_choose(cfg, &o, &f, chosen, sizeof(chosen)),
	    STORE_OK);
	cr_assert_str_eq(chosen, "mcp notes:read notes:write");
	form_free(&f);
	/* notes:write unticked; the fixed scope without its field. */
	parse_form("scopes_shown=1&scope_1=notes%3Aread", &f);
	cr_assert_eq(consent_choose(cfg, &o, &f, chosen, sizeof(chosen)),
	    STORE_OK);
	cr_assert_str_eq(chosen, "mcp notes:read");
	form_free(&f);
	/* Forged: two names in one field, or one not offered. */
	parse_form("scopes_shown=1&scope_1=notes%3Aread+notes%3Awrite", &f);
	cr_assert_eq(consent_choose(cfg, &o, &f, chosen, sizeof(chosen)),
	    CONSENT_TAMPERED);
	form_free(&f);
	snprintf(o.offered, sizeof(o.offered), "mcp notes:read");
	parse_form("scopes_shown=1&scope_2=notes%3Awrite", &f);
	cr_assert_eq(consent_choose(cfg, &o, &f, chosen, sizeof(chosen)),
	    CONSENT_TAMPERED);
	form_free(&f);
	/* A step-up keeps what was granted before. */
	snprintf(o.offered, sizeof(o.offered), "mcp notes:read notes:write");
	snprintf(o.granted, sizeof(o.granted), "mcp notes:read");
	o.fixed[0] = '\0';
	parse_form("scopes_shown=1", &f);
	cr_assert_eq(consent_choose(cfg, &o, &f, chosen, sizeof(chosen)),
	    STORE_OK);
	cr_assert_str_eq(chosen, "mcp notes:read");
	form_free(&f);
}

Test(userscope, the_offer_follows_the_limit_and_earlier_grants)
{
	struct consent_offer	 o;
	struct token_response	 tr;
	struct store_txn	*t;
	struct pending		 pd;
	char			 id[GRANT_ID_LEN + 1];

	memset(&pd, 0, sizeof(pd));
	pd.scope = "mcp notes:read notes:write";
	pd.resource = RESOURCE;
	put_user("alice", "mcp notes:read");
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(consent_offer(t, cfg, "alice", pub.id, &pd, T0, &o),
	    STORE_OK);
	store_abort(t);
	cr_assert_str_eq(o.offered, "mcp notes:read");
	cr_assert_str_eq(o.refused, "notes:write");
	cr_assert_str_eq(o.granted, "");
	cr_assert_str_eq(o.fixed, "mcp");
	/* After a grant of mcp, a step-up to notes:read. */
	put_user("alice", NULL);
	grant_pair("mcp", id, &tr);
	cr_assert_eq(store_begin(st, 1, &t), STORE_OK);
	cr_assert_eq(consent_offer(t, cfg, "alice", pub.id, &pd, T0 + 2, &o),
	    STORE_OK);
	store_abort(t);
	cr_assert_str_eq(o.offered, "mcp notes:read notes:write");
	cr_assert_str_eq(o.granted, "mcp");
	cr_assert_str_eq(o.fixed, "", "the base scope is granted already");
	cr_assert_not(consent_refused(&o, &pd));
	/*
	 * Nothing new she may grant, and something she may not: a step-up,
	 * or a second device of the client; the consent page, which lists
	 * what is not allowed.
	 */
	snprintf(o.offered, sizeof(o.offered), "mcp");
	snprintf(o.refused, sizeof(o.refused), "notes:write");
	cr_assert_not(consent_refused(&o, &pd));
	o.offered[0] = '\0';
	o.granted[0] = '\0';
	cr_assert(consent_refused(&o, &pd));
	pd.scope = "";
	cr_assert_not(consent_refused(&o, &pd), "asked for nothing");
}
