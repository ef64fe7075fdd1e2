/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What the notes tools share: opening the database for the caller and
 * turning database failures into tool errors.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/log.h"
#include "../lib/oauth.h"
#include "../lib/ratelimit.h"
#include "../lib/store.h"
#include "tools.h"

/* Begins a transaction for a notes tool; on failure the result says so. */
int
notes_begin(struct tool_call *call, int rdonly, struct store_txn **t)
{
	struct store	*st;
	int		 rc;

	if ((rc = tool_store(call, &st)) != STORE_OK ||
	    (rc = store_begin(st, rdonly, t)) != STORE_OK) {
		notes_store_error(call, rc);
		return -1;
	}
	return 0;
}

void
notes_store_error(struct tool_call *call, int rc)
{
	if (oauth_store_log(rc) == 503) {
		tool_error(call, "The server's storage is full; the note was "
		    "not saved. Try again later.");
		return;
	}
	tool_error(call, "The notes are unavailable right now (%s).",
	    store_strerror(rc));
}

/*
 * The "id" argument of notes_get and notes_delete; on failure the
 * result explains it and -1 is returned.
 */
int
notes_id(struct tool_call *call, int64_t *id)
{
	if (tool_arg_int(call, "id", id) == -1 || *id < 1) {
		tool_error(call, "id must be a note number from notes_list.");
		return -1;
	}
	return 0;
}

/*
 * Counts one change by the caller inside t, the change's own
 * transaction: a refused change writes nothing, not even the count,
 * and an accepted one costs no extra commit.  Over tool_write_rate_limit
 * changes a minute the change is refused (MCP Security Best Practices:
 * tools are rate-limited per user).  Returns 0 to go on and commit, or -1 after aborting t with the
 * result set.
 */
int
notes_limit(struct tool_call *call, struct store_txn *t)
{
	struct log_line	 l;
	long		 limit = call->cfg->tool_write_rate_limit, retry = 0;
	int		 rc;

	if (limit == 0)
		return 0;
	rc = ratelimit_hit(t, "tool-write", call->caller->user, time(NULL),
	    limit, 60, &retry);
	if (rc == 0)
		return 0;
	store_abort(t);
	if (rc == -1) {
		notes_store_error(call, STORE_ERROR);
		return -1;
	}
	log_begin(&l, "tool_throttled");
	log_str(&l, "user", call->caller->user);
	log_str(&l, "client", call->caller->client_id);
	log_end(&l);
	tool_error(call, "Too many changes: at most %ld a minute. Try again "
	    "in %ld seconds.", limit, retry);
	return -1;
}

/*
 * Begins a read-only transaction for a resource, prompt or completion
 * handler, which report failure by their status rather than in a tool
 * result: the reason goes to the error log.
 */
int
notes_read_txn(struct tool_call *call, struct store_txn **t)
{
	struct store	*st;
	int		 rc;

	if ((rc = tool_store(call, &st)) != STORE_OK ||
	    (rc = store_begin(st, 1, t)) != STORE_OK) {
		log_msg("store_error", "notes: %s", store_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * A note number as text (a URI variable or a prompt argument): decimal
 * digits without a leading zero, at most 18 of them.  -1 otherwise.
 */
int
notes_id_parse(const char *s, uint64_t *id)
{
	size_t	 n = strspn(s, "0123456789");

	if (n == 0 || n > 18 || s[n] != '\0' || s[0] == '0')
		return -1;
	*id = strtoull(s, NULL, 10);
	return 0;
}
