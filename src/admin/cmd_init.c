/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/store.h"
#include "admin.h"

/*
 * Creates the database directory (0700) and environment (0600 files),
 * and writes the schema version.  Running it again on an initialised
 * database changes nothing.
 */
int
cmd_init(struct admin *a, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (admin_open(a, 1) == -1)
		return EXIT_FAIL;
	if (a->json) {
		json_object	*o = json_object_new_object();

		json_object_object_add(o, "db_path",
		    json_object_new_string(a->cfg->db_path));
		json_object_object_add(o, "schema_version",
		    json_object_new_int(STORE_SCHEMA_VERSION));
		admin_json_print(o);
	} else
		printf("database ready at %s (schema version %d)\n",
		    a->cfg->db_path, STORE_SCHEMA_VERSION);
	return EXIT_OK;
}
