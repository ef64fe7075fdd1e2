/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include "grant.h"
#include "loglevel.h"
#include "store.h"

/* Version 1 of the record: the version byte, then the level. */
#define LOG_LEVEL_RECORD_V1	1

static const char *const level_names[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency"
};

/* The level a name stands for, or -1 for none of them. */
int
log_level_parse(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
log_level_name(enum tool_log_level level)
{
	if ((int)level < 0 || (size_t)level >= sizeof(level_names) /
	    sizeof(level_names[0]))
		return "info";
	return level_names[level];
}

/*
 * The key in the meta database, beside the note counters: a prefix no
 * other meta key starts with, and the grant id.
 */
static size_t
level_key(char *key, size_t keysz, const char *grant_id)
{
	int	 n;

	if (strlen(grant_id) != GRANT_ID_LEN)
		return 0;
	n = snprintf(key, keysz, "loglevel:%s", grant_id);
	return n < 0 || (size_t)n >= keysz ? 0 : (size_t)n;
}

/*
 * The level stored for the grant, in a read-only transaction of its
 * own.  Returns -1 when none is stored (or it cannot be read): the
 * caller then uses the default.
 */
int
store_log_level_get(struct store *st, const char *grant_id, int *level)
{
	struct store_txn	*t;
	struct store_val	 v;
	char			 key[16 + GRANT_ID_LEN];
	size_t			 klen;
	int			 rc = -1;

	if ((klen = level_key(key, sizeof(key), grant_id)) == 0 ||
	    store_begin(st, 1, &t) != STORE_OK)
		return -1;
	if (store_get(t, DB_META, key, klen, &v) == STORE_OK && v.len == 2 &&
	    ((const unsigned char *)v.data)[0] == LOG_LEVEL_RECORD_V1 &&
	    ((const unsigned char *)v.data)[1] <= TOOL_LOG_EMERGENCY) {
		*level = ((const unsigned char *)v.data)[1];
		rc = 0;
	}
	store_abort(t);
	return rc;
}

int
store_log_level_put(struct store_txn *t, const char *grant_id, int level)
{
	unsigned char	 val[2];
	char		 key[16 + GRANT_ID_LEN];
	size_t		 klen;

	if ((klen = level_key(key, sizeof(key), grant_id)) == 0 ||
	    level < TOOL_LOG_DEBUG || level > TOOL_LOG_EMERGENCY)
		return STORE_NOTFOUND;
	val[0] = LOG_LEVEL_RECORD_V1;
	val[1] = (unsigned char)level;
	return store_put(t, DB_META, key, klen, val, sizeof(val), 0);
}

/* Forgets the grant's level (the grant is being deleted). */
int
store_log_level_forget(struct store_txn *t, const char *grant_id)
{
	char	 key[16 + GRANT_ID_LEN];
	size_t	 klen;
	int	 rc;

	if ((klen = level_key(key, sizeof(key), grant_id)) == 0)
		return STORE_OK;
	rc = store_del(t, DB_META, key, klen, NULL, 0);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}
