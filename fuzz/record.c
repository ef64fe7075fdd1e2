/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * LMDB records: the record reader (record.c) and every decoder.  The
 * first input byte picks the decoder, the rest is the record.  A
 * record a decoder accepts must come out byte for byte the same when
 * it is encoded again, so the encoders and decoders cannot drift apart
 * and no decoder loses or alters a field.  Where the library has a
 * public function that writes every field of a record (users, clients,
 * grants, pending requests, notes, signing keys), that function writes
 * it back, through a throw-away LMDB environment in a temporary
 * directory, in a write transaction that is always aborted.  Sessions
 * and rate-limit counters are written back through the functions that
 * create or count them, with the fields they compute made to match.
 * Codes and tokens are written only by static functions of grant.c
 * (code_put, token_issue) that take values no caller can choose, so
 * their records are encoded again here, field for field as those
 * functions do, and that layout is what the decoders must invert.
 */
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/lib/client.h"
#include "../src/lib/device.h"
#include "../src/lib/grant.h"
#include "../src/lib/note.h"
#include "../src/lib/ratelimit.h"
#include "../src/lib/record.h"
#include "../src/lib/session.h"
#include "../src/lib/signkey.h"
#include "../src/lib/store.h"
#include "../src/lib/user.h"
#include "fuzz.h"

enum kind {
	K_READER,
	K_USER,
	K_CLIENT,
	K_GRANT,
	K_CODE,
	K_TOKEN,
	K_SESSION,
	K_PENDING,
	K_RATELIMIT,
	K_NOTE,
	K_SIGNKEY,
	K__MAX
};

static struct store	*st;
static char		 dir[] = "/tmp/mcp-fuzz-record-XXXXXX";

static int
rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
cleanup(void)
{
	store_close(st);
	nftw(dir, rm, 8, FTW_DEPTH | FTW_PHYS);
}

static void
open_store(void)
{
	char	 err[STORE_ERR_MAX];

	if (mkdtemp(dir) == NULL ||
	    store_open(dir, 16 * 1024 * 1024, STORE_OPEN_CREATE, &st, err,
	    sizeof(err)) != STORE_OK) {
		fprintf(stderr, "fuzz record: %s: cannot open a store: %s\n",
		    dir, err);
		abort();
	}
	atexit(cleanup);
}

/* The stored bytes under key are the input record. */
static void
check_stored(struct store_txn *t, enum store_db db, const void *key,
    size_t klen, const uint8_t *rec, size_t n)
{
	struct store_val	 v;

	FUZZ_CHECK(store_get(t, db, key, klen, &v) == STORE_OK);
	FUZZ_CHECK(v.len == n && memcmp(v.data, rec, n) == 0);
}

/* An encoding made here is the input record. */
static void
check_encoded(struct buf *b, const uint8_t *rec, size_t n)
{
	FUZZ_CHECK(!buf_failed(b));
	FUZZ_CHECK(b->len == n && memcmp(b->data, rec, n) == 0);
	buf_free(b);
}

/*
 * Drives the reader with the record itself as a script: each byte
 * picks the next get.  Nothing is read past the end, and once an error
 * is set every get gives zero.
 */
static void
check_reader(const uint8_t *rec, size_t n)
{
	struct rec_reader	 r;
	unsigned char		 bytes[40];
	char			*s;
	size_t			 i;
	int			 err;

	rec_reader_init(&r, rec, n);
	for (i = 0; i < n && i < 64; i++) {
		err = r.err;
		switch (rec[i] % 6) {
		case 0:
			FUZZ_CHECK(rec_get_u8(&r) == 0 || !err);
			break;
		case 1:
			FUZZ_CHECK(rec_get_u32(&r) == 0 || !err);
			break;
		case 2:
			FUZZ_CHECK(rec_get_u64(&r) == 0 || !err);
			break;
		case 3:
			FUZZ_CHECK(rec_get_i64(&r) == 0 || !err);
			break;
		case 4:
			s = rec_get_str(&r);
			FUZZ_CHECK(s == NULL || !err);
			if (s != NULL)
				FUZZ_CHECK(strlen(s) <= RECORD_STR_MAX);
			free(s);
			break;
		case 5:
			if (rec_get_bytes(&r, bytes, rec[i] % sizeof(bytes)) ==
			    0)
				FUZZ_CHECK(!err);
			break;
		}
		FUZZ_CHECK(r.off <= r.len);
		FUZZ_CHECK(!err || r.err);
	}
	FUZZ_CHECK(rec_reader_ok(&r) == (!r.err && r.off == n));
}

static void
check_user(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct user	 u;

	memset(&u, 0, sizeof(u));
	if (user_decode(rec, n, &u) != STORE_OK) {
		FUZZ_CHECK(u.password_hash == NULL);
		return;
	}
	FUZZ_CHECK(u.password_hash != NULL);
	strcpy(u.name, "alice");
	FUZZ_CHECK(store_user_put(t, &u, 0) == STORE_OK);
	check_stored(t, DB_USERS, "alice", 5, rec, n);
	user_free(&u);
}

static void
check_client(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct client		 c;
	struct store_val	 v;
	size_t			 i;

	client_init(&c);
	if (client_decode(rec, n, &c) != STORE_OK) {
		FUZZ_CHECK(c.redirect_uris == NULL && c.name == NULL);
		return;
	}
	FUZZ_CHECK(c.nredirect_uris <= CLIENT_REDIRECTS_MAX);
	for (i = 0; i < c.nredirect_uris; i++)
		FUZZ_CHECK(c.redirect_uris[i] != NULL);
	FUZZ_CHECK(c.auth_method <= CLIENT_AUTH_BASIC);
	strcpy(c.id, "mcpc_fuzz");
	FUZZ_CHECK(store_client_put(t, &c, 0) == STORE_OK);
	/*
	 * A record written before last_used existed ends before it and is
	 * written back with it (8 bytes, zero): the rest byte for byte.
	 */
	FUZZ_CHECK(store_get(t, DB_CLIENTS, "mcpc_fuzz", 9, &v) == STORE_OK);
	if (v.len == n + 8) {
		FUZZ_CHECK(c.last_used == 0 && memcmp(v.data, rec, n) == 0);
		for (i = n; i < v.len; i++)
			FUZZ_CHECK(((const uint8_t *)v.data)[i] == 0);
	} else
		check_stored(t, DB_CLIENTS, "mcpc_fuzz", 9, rec, n);
	client_free(&c);
}

/* rotated, sealed length (0), rate_start, rate_count. */
#define GRANT_RETRY_FIELDS_LEN	(8 + 1 + 8 + 4)

/*
 * Whether a grant record of n bytes ended after the previous hash, as
 * grants did before the retry window: it decodes, and is written anew
 * with the later fields.
 */
static int
grant_is_old_format(const struct grant *g, size_t n)
{
	return n == 1 + 4 + 4 * 2 + strlen(g->user) + strlen(g->client_id) +
	    strlen(g->scope) + strlen(g->resource) + 3 * 8 +
	    2 * (1 + CRYPTO_SHA256_LEN);
}

static void
check_grant(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct grant		 g, again;
	struct store_val	 v;
	size_t			 i, extra;

	memset(&g, 0, sizeof(g));
	if (grant_decode(rec, n, &g) != STORE_OK) {
		FUZZ_CHECK(g.user == NULL && g.resource == NULL);
		return;
	}
	FUZZ_CHECK(g.user != NULL && g.client_id != NULL &&
	    g.scope != NULL && g.resource != NULL);
	FUZZ_CHECK(g.sealed_len <= GRANT_SEALED_MAX);
	memset(g.id, 'a', GRANT_ID_LEN);
	g.id[GRANT_ID_LEN] = '\0';
	FUZZ_CHECK(store_grant_put(t, &g) == STORE_OK);
	FUZZ_CHECK(store_get(t, DB_GRANTS, g.id, GRANT_ID_LEN, &v) ==
	    STORE_OK);
	if (v.len != n) {
		/*
		 * An older record is written anew with what it lacked: the
		 * retry fields, all zero (before the retry window), and the
		 * last use, read as the last refresh (before last_used).
		 */
		extra = 8;
		if (grant_is_old_format(&g, n))
			extra += GRANT_RETRY_FIELDS_LEN;
		FUZZ_CHECK(v.len == n + extra && memcmp(v.data, rec, n) == 0);
		for (i = n; i < n + extra - 8; i++)
			FUZZ_CHECK(((const uint8_t *)v.data)[i] == 0);
		memset(&again, 0, sizeof(again));
		FUZZ_CHECK(grant_decode(v.data, v.len, &again) == STORE_OK);
		FUZZ_CHECK(again.last_used == g.last_refresh);
		grant_free(&again);
	} else
		FUZZ_CHECK(memcmp(v.data, rec, n) == 0);
	grant_free(&g);
}

/* As code_put() in grant.c writes a code record. */
static void
check_code(const uint8_t *rec, size_t n)
{
	struct code	 c;
	struct buf	 b;

	memset(&c, 0, sizeof(c));
	if (code_decode(rec, n, &c) != STORE_OK) {
		FUZZ_CHECK(c.grant_id == NULL && c.resource == NULL);
		return;
	}
	FUZZ_CHECK(c.grant_id != NULL && c.client_id != NULL &&
	    c.user != NULL && c.redirect_uri != NULL &&
	    c.challenge != NULL && c.scope != NULL && c.resource != NULL);
	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, c.used);
	rec_put_str(&b, c.grant_id);
	rec_put_str(&b, c.client_id);
	rec_put_str(&b, c.user);
	rec_put_str(&b, c.redirect_uri);
	rec_put_u32(&b, c.redirect_explicit);
	rec_put_str(&b, c.challenge);
	rec_put_str(&b, c.scope);
	rec_put_str(&b, c.resource);
	rec_put_i64(&b, c.created);
	rec_put_i64(&b, c.expires);
	check_encoded(&b, rec, n);
	code_free(&c);
}

/* As token_issue() in grant.c writes a token record. */
static void
check_token(const uint8_t *rec, size_t n)
{
	struct token	 tok;
	struct buf	 b;

	memset(&tok, 0, sizeof(tok));
	if (token_decode(rec, n, &tok) != STORE_OK) {
		FUZZ_CHECK(tok.grant_id == NULL && tok.resource == NULL);
		return;
	}
	FUZZ_CHECK(tok.kind == TOKEN_ACCESS || tok.kind == TOKEN_REFRESH ||
	    tok.kind == TOKEN_RETIRED);
	FUZZ_CHECK(tok.grant_id != NULL && tok.user != NULL &&
	    tok.client_id != NULL && tok.scope != NULL &&
	    tok.resource != NULL);
	buf_init(&b);
	rec_begin(&b);
	rec_put_u8(&b, (uint8_t)tok.kind);
	if (tok.kind == TOKEN_RETIRED) {
		/* As token_retire() in grant.c writes one. */
		unsigned char	 raw[GRANT_ID_LEN / 2];

		FUZZ_CHECK(hex_decode(tok.grant_id, raw, sizeof(raw)) == 0);
		rec_put_bytes(&b, raw, sizeof(raw));
		rec_put_i64(&b, tok.expires);
		check_encoded(&b, rec, n);
		token_free(&tok);
		return;
	}
	rec_put_str(&b, tok.grant_id);
	rec_put_str(&b, tok.user);
	rec_put_str(&b, tok.client_id);
	rec_put_str(&b, tok.scope);
	rec_put_str(&b, tok.resource);
	rec_put_i64(&b, tok.created);
	rec_put_i64(&b, tok.expires);
	check_encoded(&b, rec, n);
	token_free(&tok);
}

/*
 * session_create() writes the record under the hash of a new cookie,
 * with expires = now + lifetime: given the decoded created as now and
 * the difference as lifetime, it must write the input back.  A
 * difference that does not fit an int64_t cannot be written that way.
 */
static void
check_session(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct session	 s;
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	char		 cookie[SESSION_TOKEN_MAX];
	int64_t		 lifetime;

	memset(&s, 0, sizeof(s));
	if (session_decode(rec, n, &s) != STORE_OK) {
		FUZZ_CHECK(s.user == NULL);
		return;
	}
	FUZZ_CHECK(s.user != NULL);
	if (!__builtin_sub_overflow(s.expires, s.created, &lifetime)) {
		FUZZ_CHECK(session_create(t, s.user, s.created, lifetime,
		    cookie, sizeof(cookie)) == STORE_OK);
		FUZZ_CHECK(crypto_sha256_str(cookie, hash) == CRYPTO_OK);
		check_stored(t, DB_SESSIONS, hash, sizeof(hash), rec, n);
	}
	session_free(&s);
}

/* A device record device.c accepts is encoded back as it came. */
static void
check_device(const uint8_t *rec, size_t n)
{
	struct device	 d;
	struct buf	 b;

	if (device_decode(rec, n, &d) != STORE_OK) {
		FUZZ_CHECK(d.pd.client_id == NULL && d.user == NULL);
		return;
	}
	buf_init(&b);
	FUZZ_CHECK(device_encode(&d, &b) == STORE_OK);
	check_encoded(&b, rec, n);
	device_free(&d);
}

static void
check_pending(struct store_txn *t, const uint8_t *rec, size_t n)
{
	static const char	 id[] =
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	struct pending		 pd;

	memset(&pd, 0, sizeof(pd));
	if (pending_decode(rec, n, &pd) != STORE_OK) {
		FUZZ_CHECK(pd.client_id == NULL && pd.resource == NULL);
		return;
	}
	FUZZ_CHECK(pd.client_id != NULL && pd.state != NULL &&
	    pd.resource != NULL);
	/*
	 * A device authorization has its own fields after the common
	 * part, which pending_decode() skips: device.c reads and writes
	 * the whole record.
	 */
	if (pd.prompt & PENDING_DEVICE_RECORD) {
		pending_free(&pd);
		check_device(rec, n);
		return;
	}
	FUZZ_CHECK(pending_put(t, id, &pd) == STORE_OK);
	FUZZ_CHECK(crypto_sha256_str(id, hash) == CRYPTO_OK);
	check_stored(t, DB_PENDING, hash, sizeof(hash), rec, n);
	pending_free(&pd);
}

/*
 * The counter is stored as it is, then counted once by ratelimit_hit()
 * at the start of its window, with the window ending at its expiry:
 * the record written back is the input with the count one higher
 * (saturating), encoded as save() in ratelimit.c does.
 */
static void
check_ratelimit(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct ratelimit	 rl;
	struct buf		 b;
	int64_t			 window;
	long			 retry = 0;

	if (ratelimit_decode(rec, n, &rl) != STORE_OK)
		return;
	FUZZ_CHECK(n == 1 + 8 + 4 + 8);
	buf_init(&b);
	rec_begin(&b);
	rec_put_i64(&b, rl.window_start);
	rec_put_u32(&b, rl.count);
	rec_put_i64(&b, rl.expires);
	check_encoded(&b, rec, n);
	if (__builtin_sub_overflow(rl.expires, rl.window_start, &window) ||
	    window <= 0 || window > LONG_MAX)
		return;
	FUZZ_CHECK(store_put(t, DB_RATELIMIT, "fuzz:rl", 7, rec, n, 0) ==
	    STORE_OK);
	FUZZ_CHECK(ratelimit_hit(t, "fuzz", "rl", rl.window_start, LONG_MAX,
	    (long)window, &retry) == 0);
	buf_init(&b);
	rec_begin(&b);
	rec_put_i64(&b, rl.window_start);
	rec_put_u32(&b, rl.count < UINT32_MAX ? rl.count + 1 : rl.count);
	rec_put_i64(&b, rl.expires);
	FUZZ_CHECK(!buf_failed(&b));
	check_stored(t, DB_RATELIMIT, "fuzz:rl", 7, (const uint8_t *)b.data,
	    b.len);
	buf_free(&b);
}

static void
check_note(struct store_txn *t, const uint8_t *rec, size_t n)
{
	static const unsigned char key[] = "alice\0\0\0\0\0\0\0\0\1";
	struct note	 note;

	memset(&note, 0, sizeof(note));
	if (note_decode(rec, n, &note) != STORE_OK) {
		FUZZ_CHECK(note.title == NULL && note.text == NULL);
		return;
	}
	FUZZ_CHECK(note.title != NULL && note.text != NULL);
	FUZZ_CHECK(store_note_put(t, "alice", 1, note.title, note.text,
	    note.created) == STORE_OK);
	check_stored(t, DB_NOTES, key, sizeof(key) - 1, rec, n);
	note_free(&note);
}

/*
 * A signing key: written back by store_signkey_put(); its PEM text is
 * then given to the private-key parser, which must refuse a key that
 * does not fit the record's algorithm.
 */
static void
check_signkey(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct signkey	 k;
	EVP_PKEY	*pkey;

	memset(&k, 0, sizeof(k));
	if (signkey_decode(rec, n, &k) != STORE_OK) {
		FUZZ_CHECK(k.pem == NULL);
		return;
	}
	FUZZ_CHECK(k.pem != NULL);
	FUZZ_CHECK(k.alg >= JOSE_RS256 && k.alg <= JOSE_EDDSA);
	strcpy(k.kid, "fuzzkid");
	FUZZ_CHECK(store_signkey_put(t, &k) == STORE_OK);
	check_stored(t, DB_KEYS, "fuzzkid", 7, rec, n);
	if ((pkey = signkey_pkey(&k)) != NULL) {
		FUZZ_CHECK(jose_key_fits(pkey, k.alg));
		EVP_PKEY_free(pkey);
	}
	signkey_free(&k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_txn	*t;
	const uint8_t		*rec;
	uint8_t			*copy;
	size_t			 n;

	if (size == 0)
		return 0;
	if (st == NULL)
		open_store();
	/* A copy of exactly the record's size, for AddressSanitizer. */
	n = size - 1;
	if ((copy = malloc(n)) == NULL && n > 0)
		abort();
	memcpy(copy, data + 1, n);
	rec = copy;
	FUZZ_CHECK(store_begin(st, 0, &t) == STORE_OK);
	switch (data[0] % K__MAX) {
	case K_READER:
		check_reader(rec, n);
		break;
	case K_USER:
		check_user(t, rec, n);
		break;
	case K_CLIENT:
		check_client(t, rec, n);
		break;
	case K_GRANT:
		check_grant(t, rec, n);
		break;
	case K_CODE:
		check_code(rec, n);
		break;
	case K_TOKEN:
		check_token(rec, n);
		break;
	case K_SESSION:
		check_session(t, rec, n);
		break;
	case K_PENDING:
		check_pending(t, rec, n);
		break;
	case K_RATELIMIT:
		check_ratelimit(t, rec, n);
		break;
	case K_NOTE:
		check_note(t, rec, n);
		break;
	case K_SIGNKEY:
		check_signkey(t, rec, n);
		break;
	}
	store_abort(t);
	free(copy);
	return 0;
}
