/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "dbcheck.h"
#include "grant.h"
#include "maproom.h"
#include "note.h"
#include "ratelimit.h"
#include "session.h"
#include "store.h"
#include "user.h"

const char *const dbcheck_kind_names[DBCHECK__MAX] = {
	"corrupt",
	"dangling",
	"mismatch",
	"unindexed",
	"orphan",
	"ownerless",
};

/* What a test of one entry or record found: a kind, or OK. */
#define STATE_OK	DBCHECK__MAX

struct problems {
	struct dbcheck_problem	*v;
	size_t			 len;
	size_t			 cap;
	int			 remote_users;	/* DBCHECK_REMOTE_USERS */
};

/* Printable form of a key: text as is, hashes as a 12-digit prefix. */
static void
show_key(enum store_db db, const void *key, size_t len, char *out,
    size_t outsz)
{
	char	 hex[2 * CRYPTO_SHA256_LEN + 1];

	if (db == DB_TOKENS || db == DB_CODES || db == DB_SESSIONS ||
	    db == DB_PENDING) {
		if (len == CRYPTO_SHA256_LEN) {
			hex_encode(key, len, hex);
			snprintf(out, outsz, "%.12s…", hex);
		} else
			snprintf(out, outsz, "(a %zu-byte key)", len);
		return;
	}
	if (db == DB_NOTES) {
		snprintf(out, outsz, "%.*s/…", (int)strnlen(key, len < 64 ?
		    len : 64), (const char *)key);
		return;
	}
	snprintf(out, outsz, "%.*s", (int)(len < 100 ? len : 100),
	    (const char *)key);
}

static int
add(struct problems *ps, enum dbcheck_kind kind, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static int
add(struct problems *ps, enum dbcheck_kind kind, enum store_db db,
    const void *key, size_t klen, const void *val, size_t vlen,
    const char *fmt, ...)
{
	struct dbcheck_problem	*p;
	va_list			 ap;

	if (ps->len == ps->cap) {
		size_t	 cap = ps->cap == 0 ? 64 : ps->cap * 2;

		if ((p = reallocarray(ps->v, cap, sizeof(*p))) == NULL)
			return STORE_ENOMEM;
		ps->v = p;
		ps->cap = cap;
	}
	p = &ps->v[ps->len++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->db = db;
	p->keylen = klen < DBCHECK_KEY_MAX ? klen : DBCHECK_KEY_MAX;
	memcpy(p->key, key, p->keylen);
	p->vallen = vlen < DBCHECK_VAL_MAX ? vlen : DBCHECK_VAL_MAX;
	if (vlen > 0)
		memcpy(p->val, val, p->vallen);
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	return STORE_OK;
}

/* Whether the duplicate (key, val) is in index db: 1, 0, or -1. */
static int
entry_exists(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	int	 rc;

	rc = store_dup_exists(t, db, key, klen, val, vlen);
	return rc == STORE_OK ? 1 : rc == STORE_NOTFOUND ? 0 : -1;
}

static int
exists(struct store_txn *t, enum store_db db, const void *key, size_t klen)
{
	struct store_val	 v;
	int			 rc;

	if (klen == 0)
		return 0;
	rc = store_get(t, db, key, klen, &v);
	return rc == STORE_OK ? 1 : rc == STORE_NOTFOUND ? 0 : -1;
}

/* The grant of id as a NUL-terminated string, or NULL. */
static int
grant_get(struct store_txn *t, const void *id, size_t len, struct grant *g)
{
	char	 s[GRANT_ID_LEN + 1];

	memset(g, 0, sizeof(*g));
	if (len != GRANT_ID_LEN)
		return STORE_NOTFOUND;
	memcpy(s, id, GRANT_ID_LEN);
	s[GRANT_ID_LEN] = '\0';
	return store_grant_get(t, s, g);
}

/*
 * State of a user_grants or client_grants entry (key => grant id): OK,
 * DANGLING (no such grant) or MISMATCH (the grant names someone else,
 * or the value is no grant id).
 */
static int
owner_entry_state(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	struct grant	 g;
	const char	*owner;
	int		 rc, state;

	if (vlen != GRANT_ID_LEN)
		return DBCHECK_MISMATCH;
	if ((rc = grant_get(t, val, vlen, &g)) == STORE_NOTFOUND)
		return DBCHECK_DANGLING;
	if (rc != STORE_OK)
		return STATE_OK;	/* a corrupt grant is reported there */
	owner = db == DB_USER_GRANTS ? g.user : g.client_id;
	state = strlen(owner) == klen && memcmp(owner, key, klen) == 0 ?
	    STATE_OK : DBCHECK_MISMATCH;
	grant_free(&g);
	return state;
}

/*
 * Decodes the token or code stored under hash: its grant id (caller
 * frees) and index kind.  STORE_NOTFOUND or STORE_CORRUPT otherwise.
 */
static int
record_of(struct store_txn *t, enum store_db db, const void *hash,
    char **grant_id, int *kind)
{
	struct token		 tok;
	struct code		 c;
	struct store_val	 v;
	int			 rc;

	*grant_id = NULL;
	if ((rc = store_get(t, db, hash, CRYPTO_SHA256_LEN, &v)) != STORE_OK)
		return rc;
	if (db == DB_CODES) {
		if ((rc = code_decode(v.data, v.len, &c)) != STORE_OK)
			return rc;
		*grant_id = c.grant_id;
		c.grant_id = NULL;
		*kind = INDEX_CODE;
		code_free(&c);
	} else {
		if ((rc = token_decode(v.data, v.len, &tok)) != STORE_OK)
			return rc;
		*grant_id = tok.grant_id;
		tok.grant_id = NULL;
		*kind = token_index_kind(tok.kind);
		token_free(&tok);
	}
	return STORE_OK;
}

/*
 * State of a grant_tokens entry (grant id => kind + hash): OK,
 * DANGLING (no such token or code) or MISMATCH (it belongs to another
 * grant, is of another kind, or the value is malformed).
 */
static int
token_entry_state(struct store_txn *t, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	const unsigned char	*v = val;
	char			*gid;
	int			 rc, kind, state;

	if (vlen != INDEX_VALUE_LEN || (v[0] != INDEX_CODE &&
	    v[0] != INDEX_ACCESS && v[0] != INDEX_REFRESH))
		return DBCHECK_MISMATCH;
	rc = record_of(t, grant_index_db(v[0]), v + 1, &gid, &kind);
	if (rc == STORE_NOTFOUND)
		return DBCHECK_DANGLING;
	if (rc != STORE_OK)
		return STATE_OK;	/* reported with the record */
	state = strlen(gid) == klen && memcmp(gid, key, klen) == 0 &&
	    kind == v[0] ? STATE_OK : DBCHECK_MISMATCH;
	free(gid);
	return state;
}

/*
 * State of a token or code record: OK, CORRUPT, ORPHAN (its grant is
 * gone) or UNINDEXED (grant_tokens lacks it).  val receives the index
 * value and *gid the grant id (caller frees) when they are known.
 */
static int
record_state(struct store_txn *t, enum store_db db, const void *hash,
    size_t hlen, char **gid, unsigned char *val)
{
	int	 rc, kind;

	*gid = NULL;
	if (hlen != CRYPTO_SHA256_LEN)
		return DBCHECK_CORRUPT;
	if ((rc = record_of(t, db, hash, gid, &kind)) == STORE_NOTFOUND)
		return STATE_OK;	/* gone since */
	if (rc != STORE_OK)
		return DBCHECK_CORRUPT;
	val[0] = (unsigned char)kind;
	memcpy(val + 1, hash, CRYPTO_SHA256_LEN);
	if ((rc = exists(t, DB_GRANTS, *gid, strlen(*gid))) == 0)
		return DBCHECK_ORPHAN;
	if (rc < 0)
		return STATE_OK;
	if (entry_exists(t, DB_GRANT_TOKENS, *gid, strlen(*gid), val,
	    INDEX_VALUE_LEN) == 0)
		return DBCHECK_UNINDEXED;
	return STATE_OK;
}

/* Checks the grant stored under (key, v). */
static int
check_grant(struct store_txn *t, const struct store_val *k,
    const struct store_val *v, struct problems *ps)
{
	struct grant	 g;
	char		 id[GRANT_ID_LEN + 1];
	int		 rc = STORE_OK, nouser, noclient;

	memset(&g, 0, sizeof(g));
	if (k->len != GRANT_ID_LEN ||
	    grant_decode(v->data, v->len, &g) != STORE_OK)
		return add(ps, DBCHECK_CORRUPT, DB_GRANTS, k->data,
		    k->len, NULL, 0, "grants: %.*s: the record does not "
		    "decode", (int)(k->len < 64 ? k->len : 64),
		    (const char *)k->data);
	memcpy(id, k->data, GRANT_ID_LEN);
	id[GRANT_ID_LEN] = '\0';
	if (entry_exists(t, DB_USER_GRANTS, g.user, strlen(g.user), id,
	    GRANT_ID_LEN) == 0)
		rc = add(ps, DBCHECK_UNINDEXED, DB_USER_GRANTS, g.user,
		    strlen(g.user), id, GRANT_ID_LEN, "grant %s: missing "
		    "from user_grants under %s", id, g.user);
	if (rc == STORE_OK && entry_exists(t, DB_CLIENT_GRANTS, g.client_id,
	    strlen(g.client_id), id, GRANT_ID_LEN) == 0)
		rc = add(ps, DBCHECK_UNINDEXED, DB_CLIENT_GRANTS, g.client_id,
		    strlen(g.client_id), id, GRANT_ID_LEN, "grant %s: missing "
		    "from client_grants under %s", id, g.client_id);
	/*
	 * With user_auth = remote_user the web server knows the users
	 * and the database never holds them: a grant's user is not
	 * missing then, and "repairing" it would revoke every grant.
	 */
	nouser = !ps->remote_users &&
	    exists(t, DB_USERS, g.user, strlen(g.user)) == 0;
	noclient = exists(t, DB_CLIENTS, g.client_id,
	    strlen(g.client_id)) == 0;
	if (rc == STORE_OK && (nouser || noclient))
		rc = add(ps, DBCHECK_OWNERLESS, DB_GRANTS, id, GRANT_ID_LEN,
		    NULL, 0, "grant %s: its %s %s does not exist", id,
		    nouser ? "user" : "client", nouser ? g.user : g.client_id);
	grant_free(&g);
	return rc;
}

/* Whether the record v of db decodes (users, clients, sessions, ...). */
static int
decodes(enum store_db db, const struct store_val *v)
{
	struct user		 u;
	struct client		 c;
	struct session		 s;
	struct pending		 p;
	struct ratelimit	 rl;
	struct note		 n;
	int			 rc = STORE_OK;

	switch (db) {
	case DB_USERS:
		memset(&u, 0, sizeof(u));
		if ((rc = user_decode(v->data, v->len, &u)) == STORE_OK)
			user_free(&u);
		break;
	case DB_CLIENTS:
		client_init(&c);
		if ((rc = client_decode(v->data, v->len, &c)) == STORE_OK)
			client_free(&c);
		break;
	case DB_SESSIONS:
		if ((rc = session_decode(v->data, v->len, &s)) == STORE_OK)
			session_free(&s);
		break;
	case DB_PENDING:
		if ((rc = pending_decode(v->data, v->len, &p)) == STORE_OK)
			pending_free(&p);
		break;
	case DB_RATELIMIT:
		rc = ratelimit_decode(v->data, v->len, &rl);
		break;
	case DB_NOTES:
		memset(&n, 0, sizeof(n));
		if ((rc = note_decode(v->data, v->len, &n)) == STORE_OK)
			note_free(&n);
		break;
	default:
		break;
	}
	return rc == STORE_OK;
}

/* Walks one database of the snapshot and records its problems. */
static int
scan(struct store_txn *t, enum store_db db, struct problems *ps,
    struct dbcheck_result *r)
{
	struct store_cursor	*cur;
	struct store_val	 k, v;
	unsigned char		 val[INDEX_VALUE_LEN];
	char			 shown[160], *gid;
	int			 rc, err = STORE_OK, op, state;

	if ((rc = store_cursor_open(t, db, &cur)) != STORE_OK)
		return rc;
	for (op = STORE_FIRST; err == STORE_OK &&
	    (rc = store_cursor_get(cur, &k, &v, op)) == STORE_OK;
	    op = STORE_NEXT) {
		r->checked++;
		show_key(db, k.data, k.len, shown, sizeof(shown));
		switch (db) {
		case DB_GRANTS:
			err = check_grant(t, &k, &v, ps);
			break;
		case DB_USER_GRANTS:
		case DB_CLIENT_GRANTS:
			state = owner_entry_state(t, db, k.data, k.len,
			    v.data, v.len);
			if (state != STATE_OK)
				err = add(ps, state, db, k.data, k.len,
				    v.data, v.len, "%s: %s => %.*s: %s",
				    store_db_names[db], shown,
				    (int)(v.len < 64 ? v.len : 64),
				    (const char *)v.data,
				    state == DBCHECK_DANGLING ? "no such grant" :
				    "the grant belongs to someone else");
			break;
		case DB_GRANT_TOKENS:
			state = token_entry_state(t, k.data, k.len,
			    v.data, v.len);
			/*
			 * The purge deletes tokens and codes first and
			 * their entries in a later stage, perhaps in a
			 * later request: an entry of a missing record is
			 * that, not drift (see dbcheck.h).
			 */
			if (state == DBCHECK_DANGLING) {
				r->stale++;
				state = STATE_OK;
			}
			if (state != STATE_OK) {
				char	 h[160];

				if (v.len == INDEX_VALUE_LEN)
					show_key(DB_TOKENS,
					    (const char *)v.data + 1,
					    CRYPTO_SHA256_LEN, h, sizeof(h));
				else
					snprintf(h, sizeof(h), "(malformed)");
				err = add(ps, state, db, k.data, k.len,
				    v.data, v.len, "grant_tokens: %s => "
				    "%c %s: the record says otherwise", shown,
				    v.len > 0 ? *(const char *)v.data :
				    '?', h);
			}
			break;
		case DB_TOKENS:
		case DB_CODES:
			state = record_state(t, db, k.data, k.len,
			    &gid, val);
			if (state == DBCHECK_CORRUPT)
				err = add(ps, state, db, k.data, k.len,
				    NULL, 0, "%s: %s: the record does not "
				    "decode", store_db_names[db], shown);
			else if (state == DBCHECK_ORPHAN)
				err = add(ps, state, db, k.data, k.len,
				    NULL, 0, "%s: %s: its grant %s does not "
				    "exist", store_db_names[db], shown, gid);
			else if (state == DBCHECK_UNINDEXED)
				err = add(ps, state, DB_GRANT_TOKENS, gid,
				    strlen(gid), val, sizeof(val), "%s: %s: "
				    "missing from grant_tokens under %s",
				    store_db_names[db], shown, gid);
			free(gid);
			break;
		default:
			if (!decodes(db, &v))
				err = add(ps, DBCHECK_CORRUPT, db, k.data,
				    k.len, NULL, 0, "%s: %s: the record "
				    "does not decode", store_db_names[db],
				    shown);
			break;
		}
	}
	store_cursor_close(cur);
	if (err != STORE_OK)
		return err;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/*
 * Repairs p inside t if its problem is still there.  Corrupt records
 * are left alone: deleting what cannot be read loses data that a
 * person might still recover.
 */
static int
repair(struct store_txn *t, struct dbcheck_problem *p, int remote_users)
{
	unsigned char	 val[INDEX_VALUE_LEN];
	char		 id[GRANT_ID_LEN + 1], *gid = NULL;
	struct grant	 g;
	int		 rc = STORE_OK, state;

	switch (p->kind) {
	case DBCHECK_DANGLING:
	case DBCHECK_MISMATCH:
		state = p->db == DB_GRANT_TOKENS ?
		    token_entry_state(t, p->key, p->keylen, p->val,
		    p->vallen) : owner_entry_state(t, p->db, p->key,
		    p->keylen, p->val, p->vallen);
		if (state != (int)p->kind)
			return STORE_OK;
		rc = store_del(t, p->db, p->key, p->keylen, p->val,
		    p->vallen);
		break;
	case DBCHECK_UNINDEXED:
		if (p->db == DB_GRANT_TOKENS) {
			state = record_state(t, grant_index_db(p->val[0]),
			    p->val + 1, CRYPTO_SHA256_LEN, &gid, val);
			free(gid);
		} else {
			/* The grant must still name this owner. */
			state = grant_get(t, p->val, p->vallen, &g) ==
			    STORE_OK ? DBCHECK_UNINDEXED : STATE_OK;
			if (state != STATE_OK) {
				const char *o = p->db == DB_USER_GRANTS ?
				    g.user : g.client_id;

				if (strlen(o) != p->keylen ||
				    memcmp(o, p->key, p->keylen) != 0)
					state = STATE_OK;
				grant_free(&g);
			}
		}
		if (state != DBCHECK_UNINDEXED)
			return STORE_OK;
		rc = store_put(t, p->db, p->key, p->keylen, p->val, p->vallen,
		    STORE_NODUPDATA);
		if (rc == STORE_EXISTS)
			return STORE_OK;
		break;
	case DBCHECK_ORPHAN:
		state = record_state(t, p->db, p->key, p->keylen, &gid, val);
		if (state == DBCHECK_ORPHAN) {
			rc = store_del(t, p->db, p->key, p->keylen, NULL, 0);
			if (rc == STORE_OK) {
				rc = store_del(t, DB_GRANT_TOKENS, gid,
				    strlen(gid), val, sizeof(val));
				if (rc == STORE_NOTFOUND)
					rc = STORE_OK;
			}
		}
		free(gid);
		if (state != DBCHECK_ORPHAN)
			return STORE_OK;
		break;
	case DBCHECK_OWNERLESS:
		if (p->keylen != GRANT_ID_LEN ||
		    grant_get(t, p->key, p->keylen, &g) != STORE_OK)
			return STORE_OK;
		state = (!remote_users &&
		    exists(t, DB_USERS, g.user, strlen(g.user)) == 0) ||
		    exists(t, DB_CLIENTS, g.client_id,
		    strlen(g.client_id)) == 0;
		grant_free(&g);
		if (!state)
			return STORE_OK;
		memcpy(id, p->key, GRANT_ID_LEN);
		id[GRANT_ID_LEN] = '\0';
		rc = grant_revoke(t, id, NULL);
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK;
		break;
	default:
		return STORE_OK;
	}
	if (rc == STORE_OK)
		p->repaired = 1;
	return rc;
}

static int
repair_all(struct store *st, struct problems *ps)
{
	struct store_txn	*t;
	size_t			 i = 0, j, k, batch = DBCHECK_BATCH;
	int			 rc;

	while (i < ps->len) {
		if ((rc = store_begin(st, 0, &t)) != STORE_OK)
			return rc;
		for (j = i; j < ps->len && j - i < batch && rc == STORE_OK;
		    j++)
			rc = repair(t, &ps->v[j], ps->remote_users);
		if (rc == STORE_OK)
			rc = store_commit(t);
		else
			store_abort(t);
		if (rc == STORE_OK) {
			i = j;
			continue;
		}
		/* Nothing of this batch was written. */
		for (k = i; k < j; k++)
			ps->v[k].repaired = 0;
		if (rc != STORE_FULL)
			return rc;
		if (maproom_grow(st) == STORE_OK)
			continue;
		if (batch == 1)
			return STORE_FULL;
		batch /= 2;
	}
	return STORE_OK;
}

/*
 * Checks the whole database and, with DBCHECK_REPAIR in flags, fixes
 * what can be fixed.  report (if not NULL) is called for every problem,
 * after the repair.  r receives the totals.
 */
int
dbcheck_run(struct store *st, int flags, dbcheck_report report,
    void *arg, struct dbcheck_result *r)
{
	static const enum store_db order[] = { DB_USERS, DB_CLIENTS,
	    DB_GRANTS, DB_USER_GRANTS, DB_CLIENT_GRANTS, DB_GRANT_TOKENS,
	    DB_TOKENS, DB_CODES, DB_SESSIONS, DB_PENDING, DB_RATELIMIT,
	    DB_NOTES };
	struct store_txn	*t;
	struct problems		 ps;
	size_t			 i;
	int			 rc = STORE_OK;

	memset(r, 0, sizeof(*r));
	memset(&ps, 0, sizeof(ps));
	ps.remote_users = (flags & DBCHECK_REMOTE_USERS) != 0;
	if ((rc = store_begin(st, 1, &t)) != STORE_OK)
		return rc;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((rc = scan(t, order[i], &ps, r)) != STORE_OK)
			break;
	store_abort(t);
	if (rc == STORE_OK && (flags & DBCHECK_REPAIR))
		rc = repair_all(st, &ps);
	for (i = 0; i < ps.len; i++) {
		r->found[ps.v[i].kind]++;
		r->problems++;
		if (ps.v[i].repaired)
			r->repaired++;
		if (report != NULL)
			report(&ps.v[i], arg);
	}
	free(ps.v);
	return rc;
}
