/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin: manage the users, clients and tokens of an
 * mcp-oauth-fcgi installation while it runs.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config.h"
#include "../lib/crypto.h"
#include "../lib/log.h"
#include "../lib/store.h"
#include "admin.h"

static const struct admin_cmd cmds[] = {
	{ "init", cmd_init, "init",
	    "Create the database directory and environment." },
	{ "user", cmd_user,
	    "user add NAME [--password-stdin] [--admin] | user passwd NAME "
	    "[--password-stdin] [--revoke-grants] | user list | "
	    "user disable|enable|del NAME | "
	    "user scopes NAME SCOPE...|--all | user admin NAME on|off",
	    "Manage the people who sign in (passwd ends her sign-in "
	    "sessions; disable and del revoke)." },
	{ "client", cmd_client,
	    "client add --name NAME --redirect-uri URI [--redirect-uri URI "
	    "...] [--auth none|client_secret_post|client_secret_basic] "
	    "[--no-refresh] [--device] [--scope S] | client pin URL | "
	    "client list | client show ID | client del ID",
	    "Pre-register, list, show and delete OAuth clients." },
	{ "grant", cmd_grant, "grant list [--user NAME] [--client ID] "
	    "[--active]",
	    "List grants: user, client, scopes, resource, dates." },
	{ "token", cmd_token, "token list [--user NAME] [--client ID]",
	    "List tokens and codes by hash prefix (never the token)." },
	{ "revoke", cmd_revoke, "revoke --token TOKEN|- | --grant ID | "
	    "--user NAME | --client ID | --all",
	    "Revoke at once, in every process; prints the counts." },
	{ "events", cmd_events, "events [--user NAME] [--client ID] "
	    "[--since DATE|AGE] [--kind KIND] [--limit N]",
	    "The audit trail, newest first: sign-ins, consent, tokens, "
	    "replays, revocations, clients." },
	{ "purge", cmd_purge, "purge",
	    "Remove expired records, in short transactions." },
	{ "stats", cmd_stats, "stats",
	    "Counts, size, map usage, readers, schema version." },
	{ "check", cmd_check, "check [--repair]",
	    "Verify indexes and references; --repair fixes drift." },
	{ "backup", cmd_backup, "backup FILE",
	    "Write a compacted, consistent copy (never overwrites)." },
	{ "key", cmd_key,
	    "key generate [--alg ES256|EdDSA|RS256|PS256] | key rotate "
	    "[--alg ALG] | key list",
	    "Manage the JWT signing keys (access_token_format = jwt)." },
	{ "doctor", cmd_doctor,
	    "doctor URL [--cacert FILE] [--insecure] [--origin ORIGIN] "
	    "[--warn-days N] [--no-write]",
	    "Check a deployed site from outside (URL: its MCP endpoint, "
	    "https://host/mcp); exit 0 all passed, 1 a failure, 3 "
	    "warnings only." },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t	 i;

	fprintf(f, "usage: mcp-oauth-admin [--config FILE] [--json] "
	    "COMMAND [ARGS]\n       mcp-oauth-admin --version\n\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nThe configuration file is --config FILE, else "
	    "$MCP_OAUTH_CONFIG, else %s.\n", config_default_path());
}

int
main(int argc, char **argv)
{
	struct admin	 a;
	const char	*env;
	size_t		 i;
	int		 rc;

	memset(&a, 0, sizeof(a));
	log_init("mcp-oauth-admin");
	crypto_init();
	/* The database files must never be readable by others. */
	umask(077);
	if ((env = getenv("MCP_OAUTH_CONFIG")) != NULL && *env != '\0')
		a.config_path = env;
	else
		a.config_path = config_default_path();

	argc--;
	argv++;
	while (argc > 0 && argv[0][0] == '-') {
		if (strcmp(argv[0], "--config") == 0 && argc > 1) {
			a.config_path = argv[1];
			argc -= 2;
			argv += 2;
		} else if (strncmp(argv[0], "--config=", 9) == 0) {
			a.config_path = argv[0] + 9;
			argc--;
			argv++;
		} else if (strcmp(argv[0], "--json") == 0) {
			a.json = 1;
			argc--;
			argv++;
		} else if (strcmp(argv[0], "--version") == 0) {
			printf("mcp-oauth-admin %s (database schema %d)\n",
			    PACKAGE_VERSION, STORE_SCHEMA_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[0], "--help") == 0 ||
		    strcmp(argv[0], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else {
			admin_err("unknown option %s", argv[0]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, argv[0]) == 0)
			break;
	if (i == NCMDS) {
		admin_err("unknown command %s", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (admin_wants_help(argc, argv)) {
		printf("usage: mcp-oauth-admin [--config FILE] [--json] %s\n\n"
		    "%s\n", cmds[i].usage, cmds[i].help);
		return EXIT_OK;
	}
	/* Options may also follow the command. */
	for (int j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--json") == 0) {
			a.json = 1;
			memmove(&argv[j], &argv[j + 1],
			    (size_t)(argc - j) * sizeof(char *));
			argc--;
			j--;
		} else if (strcmp(argv[j], "--config") == 0 && j + 1 < argc) {
			a.config_path = argv[j + 1];
			memmove(&argv[j], &argv[j + 2],
			    (size_t)(argc - j - 1) * sizeof(char *));
			argc -= 2;
			j--;
		}
	}
	rc = cmds[i].run(&a, argc, argv);
	if (rc == EXIT_USAGE)
		admin_usage(&cmds[i]);
	store_close(a.store);
	config_free(a.cfg);
	return rc;
}
