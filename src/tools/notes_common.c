/*
 * What the notes tools share: opening the database for the caller and
 * turning database failures into tool errors.
 */
#include <json-c/json.h>

#include "../lib/log.h"
#include "../lib/store.h"
#include "tools.h"

/* Begins a transaction for a notes tool; on failure the result says so. */
int
notes_begin(struct tool_call *call, int rdonly, struct store_txn *t)
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
	if (rc == STORE_FULL) {
		log_msg("database_full", "%s", store_full_hint());
		tool_error(call, "The server's storage is full; the note was "
		    "not saved. Try again later.");
		return;
	}
	log_msg("database_error", "notes: %s", store_strerror(rc));
	tool_error(call, "The notes are unavailable right now (%s).",
	    store_strerror(rc));
}
