/*
 * LMDB records: the record reader (record.c) and every decoder.  The
 * first input byte picks the decoder, the rest is the record.  A
 * record a decoder accepts must come out byte for byte the same when
 * the matching store function writes it back, so the encoders and
 * decoders cannot drift apart; the round trip goes through a
 * throw-away LMDB environment in a temporary directory, in a write
 * transaction that is always aborted.
 */
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/lib/client.h"
#include "../src/lib/grant.h"
#include "../src/lib/note.h"
#include "../src/lib/ratelimit.h"
#include "../src/lib/record.h"
#include "../src/lib/session.h"
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
	struct client	 c;
	size_t		 i;

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
	check_stored(t, DB_CLIENTS, "mcpc_fuzz", 9, rec, n);
	client_free(&c);
}

static void
check_grant(struct store_txn *t, const uint8_t *rec, size_t n)
{
	struct grant	 g;

	memset(&g, 0, sizeof(g));
	if (grant_decode(rec, n, &g) != STORE_OK) {
		FUZZ_CHECK(g.user == NULL && g.resource == NULL);
		return;
	}
	FUZZ_CHECK(g.user != NULL && g.client_id != NULL &&
	    g.scope != NULL && g.resource != NULL);
	memset(g.id, 'a', GRANT_ID_LEN);
	g.id[GRANT_ID_LEN] = '\0';
	FUZZ_CHECK(store_grant_put(t, &g) == STORE_OK);
	check_stored(t, DB_GRANTS, g.id, GRANT_ID_LEN, rec, n);
	grant_free(&g);
}

static void
check_code(const uint8_t *rec, size_t n)
{
	struct code	 c;

	memset(&c, 0, sizeof(c));
	if (code_decode(rec, n, &c) != STORE_OK) {
		FUZZ_CHECK(c.grant_id == NULL && c.resource == NULL);
		return;
	}
	FUZZ_CHECK(c.grant_id != NULL && c.redirect_uri != NULL &&
	    c.challenge != NULL && c.resource != NULL);
	code_free(&c);
}

static void
check_token(const uint8_t *rec, size_t n)
{
	struct token	 tok;

	memset(&tok, 0, sizeof(tok));
	if (token_decode(rec, n, &tok) != STORE_OK) {
		FUZZ_CHECK(tok.grant_id == NULL && tok.resource == NULL);
		return;
	}
	FUZZ_CHECK(tok.kind == TOKEN_ACCESS || tok.kind == TOKEN_REFRESH);
	FUZZ_CHECK(tok.user != NULL && tok.resource != NULL);
	token_free(&tok);
}

static void
check_session(const uint8_t *rec, size_t n)
{
	struct session	 s;

	memset(&s, 0, sizeof(s));
	if (session_decode(rec, n, &s) != STORE_OK) {
		FUZZ_CHECK(s.user == NULL);
		return;
	}
	FUZZ_CHECK(s.user != NULL);
	session_free(&s);
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
	FUZZ_CHECK(pending_put(t, id, &pd) == STORE_OK);
	FUZZ_CHECK(crypto_sha256_str(id, hash) == CRYPTO_OK);
	check_stored(t, DB_PENDING, hash, sizeof(hash), rec, n);
	pending_free(&pd);
}

static void
check_ratelimit(const uint8_t *rec, size_t n)
{
	struct ratelimit	 rl;

	if (ratelimit_decode(rec, n, &rl) == STORE_OK)
		FUZZ_CHECK(n == 1 + 8 + 4 + 8);
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
		check_session(rec, n);
		break;
	case K_PENDING:
		check_pending(t, rec, n);
		break;
	case K_RATELIMIT:
		check_ratelimit(rec, n);
		break;
	case K_NOTE:
		check_note(t, rec, n);
		break;
	}
	store_abort(t);
	free(copy);
	return 0;
}
