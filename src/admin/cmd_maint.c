/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Maintenance while the server runs: purge, stats, check, backup.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include "../lib/dbcheck.h"
#include "../lib/dbstats.h"
#include "../lib/audit.h"
#include "../lib/purge.h"
#include "../lib/reglimit.h"
#include "../lib/store.h"
#include "admin.h"

/* Above this share of db_map_size, stats and purge warn. */
#define FULL_WARN_PERCENT	90.0

static void
warn_if_full(struct admin *a, double percent)
{
	if (percent < FULL_WARN_PERCENT)
		return;
	admin_err("warning: the database uses %.0f%% of db_map_size "
	    "(%zu MiB): raise db_map_size in %s", percent,
	    a->cfg->db_map_size >> 20, a->config_path);
}

static void
add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/*
 * purge: removes every expired record, and the registered clients
 * unused for registration_unused_lifetime, in short transactions.
 */
int
cmd_purge(struct admin *a, int argc, char **argv)
{
	struct purge_counts	 c;
	struct dbstats		 s;
	struct json_object	*o;
	size_t			 audit_n = 0;
	int			 rc, grown = 0;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	memset(&c, 0, sizeof(c));
	rc = purge_run(a->store, admin_now(),
	    a->cfg->registration_unused_lifetime, PURGE_BATCH, &c, &grown);
	/* The audit trail, down to audit_max_events and audit_max_age. */
	if (rc == STORE_OK)
		rc = audit_purge(a->store, a->cfg, PURGE_BATCH, &audit_n);
	if (rc == STORE_OK)
		(void)store_release_freed(a->store);
	admin_map_warning(a);
	if (a->json) {
		o = json_object_new_object();
		add_int(o, "codes", (int64_t)c.codes);
		add_int(o, "access_tokens", (int64_t)c.access_tokens);
		add_int(o, "refresh_tokens", (int64_t)c.refresh_tokens);
		add_int(o, "grants", (int64_t)c.grants);
		add_int(o, "sessions", (int64_t)c.sessions);
		add_int(o, "pending", (int64_t)c.pending);
		add_int(o, "ratelimit", (int64_t)c.ratelimit);
		add_int(o, "cimd_clients", (int64_t)c.cimd_clients);
		add_int(o, "unused_clients", (int64_t)c.unused_clients);
		add_int(o, "index_entries", (int64_t)c.index_entries);
		add_int(o, "examined", (int64_t)c.scanned);
		add_int(o, "audit_events", (int64_t)audit_n);
		json_object_object_add(o, "complete",
		    json_object_new_boolean(rc == STORE_OK));
		admin_json_print(o);
	} else
		printf("purged %lu codes, %lu access tokens, %lu refresh "
		    "tokens, %lu grants, %lu sign-in sessions, %lu pending "
		    "requests, %lu rate-limit counters, %lu unused metadata "
		    "document clients, %lu unused registered clients (and "
		    "%lu index entries); examined %lu records\n", c.codes,
		    c.access_tokens, c.refresh_tokens, c.grants, c.sessions,
		    c.pending, c.ratelimit, c.cimd_clients, c.unused_clients,
		    c.index_entries, c.scanned);
	if (!a->json && audit_n > 0)
		printf("removed %zu audit events over audit_max_events or "
		    "audit_max_age\n", audit_n);
	if (rc != STORE_OK)
		return admin_store_fail(a, "purge stopped (what it removed "
		    "stays removed)", rc);
	if (dbstats_read(a->store, admin_now(), &s) == STORE_OK)
		warn_if_full(a, s.usage_percent);
	return EXIT_OK;
}

static void
print_count(const char *name, size_t n, unsigned long expired)
{
	printf("%-16s %zu", name, n);
	if (expired > 0)
		printf(" (%lu expired)", expired);
	fputs("\n", stdout);
}

static double
mib(size_t n)
{
	return (double)n / (1024.0 * 1024.0);
}

/* What stats tells about registration (reglimit.h, purge.h). */
struct reg_stats {
	unsigned long	 last_hour;	/* the site's current window */
	uint64_t	 purged;	/* unused clients, every purge */
};

static int
reg_stats_read(struct admin *a, struct reg_stats *rs)
{
	struct store_txn	*t;
	int			 rc;

	memset(rs, 0, sizeof(*rs));
	if ((rc = store_begin(a->store, 1, &t)) != STORE_OK)
		return rc;
	if ((rc = reglimit_site_count(t, admin_now(), &rs->last_hour)) ==
	    STORE_OK)
		rc = purge_unused_clients_total(t, &rs->purged);
	store_abort(t);
	return rc;
}

/* When the last whole purge pass ended, in UTC, or "never". */
static void
print_last_purge(int64_t when)
{
	struct tm	 tm;
	time_t		 tt = (time_t)when;
	char		 b[32];

	if (when <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(b, sizeof(b), "never");
	printf("%-16s %s\n", "last purge", b);
}

/* stats: counts, size, map usage, readers, schema, registrations. */
int
cmd_stats(struct admin *a, int argc, char **argv)
{
	struct dbstats		 s;
	struct reg_stats	 rs;
	struct json_object	*o, *c, *e, *r;
	int			 rc;

	(void)argv;
	if (argc != 1)
		return EXIT_USAGE;
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	if ((rc = dbstats_read(a->store, admin_now(), &s)) != STORE_OK ||
	    (rc = reg_stats_read(a, &rs)) != STORE_OK)
		return admin_store_fail(a, "cannot read the database", rc);
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "db_path",
		    json_object_new_string(a->cfg->db_path));
		add_int(o, "schema_version", s.schema_version);
		c = json_object_new_object();
		add_int(c, "users", (int64_t)s.entries[DB_USERS]);
		add_int(c, "clients", (int64_t)s.entries[DB_CLIENTS]);
		add_int(c, "cimd_clients", (int64_t)s.cimd_clients);
		add_int(c, "grants", (int64_t)s.entries[DB_GRANTS]);
		add_int(c, "active_grants", (int64_t)s.active_grants);
		add_int(c, "codes", (int64_t)s.entries[DB_CODES]);
		add_int(c, "access_tokens", (int64_t)s.access_tokens);
		add_int(c, "refresh_tokens", (int64_t)s.refresh_tokens);
		add_int(c, "sessions", (int64_t)s.entries[DB_SESSIONS]);
		add_int(c, "pending", (int64_t)s.entries[DB_PENDING]);
		add_int(c, "ratelimit", (int64_t)s.entries[DB_RATELIMIT]);
		add_int(c, "notes", (int64_t)s.entries[DB_NOTES]);
		add_int(c, "audit_events", (int64_t)s.entries[DB_AUDIT]);
		add_int(c, "user_grants", (int64_t)s.entries[DB_USER_GRANTS]);
		add_int(c, "client_grants",
		    (int64_t)s.entries[DB_CLIENT_GRANTS]);
		add_int(c, "grant_tokens",
		    (int64_t)s.entries[DB_GRANT_TOKENS]);
		json_object_object_add(o, "counts", c);
		e = json_object_new_object();
		add_int(e, "grants", (int64_t)s.expired[DB_GRANTS]);
		add_int(e, "codes", (int64_t)s.expired[DB_CODES]);
		add_int(e, "tokens", (int64_t)s.expired[DB_TOKENS]);
		add_int(e, "sessions", (int64_t)s.expired[DB_SESSIONS]);
		add_int(e, "pending", (int64_t)s.expired[DB_PENDING]);
		add_int(e, "ratelimit", (int64_t)s.expired[DB_RATELIMIT]);
		json_object_object_add(o, "expired", e);
		add_int(o, "corrupt", (int64_t)s.corrupt);
		add_int(o, "page_size", (int64_t)s.page_size);
		add_int(o, "file_size", (int64_t)s.file_size);
		add_int(o, "map_size", (int64_t)s.map_size);
		add_int(o, "used_bytes", (int64_t)s.used_bytes);
		add_int(o, "free_bytes", (int64_t)s.free_bytes);
		json_object_object_add(o, "map_usage_percent",
		    json_object_new_double(s.usage_percent));
		r = json_object_new_object();
		add_int(r, "max", s.max_readers);
		add_int(r, "slots_in_use", s.reader_slots);
		add_int(r, "in_transaction", s.readers_active);
		add_int(r, "stale_cleared", s.stale_readers);
		json_object_object_add(o, "readers", r);
		r = json_object_new_object();
		add_int(r, "last_hour", (int64_t)rs.last_hour);
		add_int(r, "site_limit",
		    (int64_t)a->cfg->registration_site_rate_limit);
		add_int(r, "unused_clients_purged", (int64_t)rs.purged);
		json_object_object_add(o, "registrations", r);
		/* Unix seconds; null before the first whole pass. */
		json_object_object_add(o, "last_purge", s.last_purge > 0 ?
		    json_object_new_int64(s.last_purge) : NULL);
		admin_json_print(o);
	} else {
		printf("%-16s %s (schema version %u)\n", "database",
		    a->cfg->db_path, s.schema_version);
		print_count("users", s.entries[DB_USERS], 0);
		printf("%-16s %zu (%lu from metadata documents)\n", "clients",
		    s.entries[DB_CLIENTS], s.cimd_clients);
		printf("%-16s %zu (%lu active", "grants", s.entries[DB_GRANTS],
		    s.active_grants);
		if (s.expired[DB_GRANTS] > 0)
			printf(", %lu expired", s.expired[DB_GRANTS]);
		fputs(")\n", stdout);
		print_count("codes", s.entries[DB_CODES], s.expired[DB_CODES]);
		printf("%-16s %lu access, %lu refresh", "tokens",
		    s.access_tokens, s.refresh_tokens);
		if (s.expired[DB_TOKENS] > 0)
			printf(" (%lu expired)", s.expired[DB_TOKENS]);
		fputs("\n", stdout);
		print_count("sessions", s.entries[DB_SESSIONS],
		    s.expired[DB_SESSIONS]);
		print_count("pending", s.entries[DB_PENDING],
		    s.expired[DB_PENDING]);
		print_count("ratelimit", s.entries[DB_RATELIMIT],
		    s.expired[DB_RATELIMIT]);
		print_count("notes", s.entries[DB_NOTES], 0);
		print_count("audit events", s.entries[DB_AUDIT], 0);
		if (s.corrupt > 0)
			printf("%-16s %lu records do not decode: run "
			    "mcp-oauth-admin check\n", "corrupt", s.corrupt);
		printf("%-16s data.mdb %.1f MiB; %.1f MiB in use, %.1f MiB "
		    "free for reuse\n", "size", mib(s.file_size),
		    mib(s.used_bytes), mib(s.free_bytes));
		printf("%-16s %.1f%% of db_map_size (%zu MiB)\n", "map usage",
		    s.usage_percent, s.map_size >> 20);
		printf("%-16s %u slots in use (%u in a transaction) of %u; "
		    "%d stale cleared\n", "readers", s.reader_slots,
		    s.readers_active, s.max_readers, s.stale_readers);
		printf("%-16s %lu in the current hour (site limit ",
		    "registrations", rs.last_hour);
		if (a->cfg->registration_site_rate_limit > 0)
			printf("%ld", a->cfg->registration_site_rate_limit);
		else
			fputs("off", stdout);
		printf("); %llu unused clients purged so far\n",
		    (unsigned long long)rs.purged);
		print_last_purge(s.last_purge);
	}
	warn_if_full(a, s.usage_percent);
	return EXIT_OK;
}

struct check_out {
	struct admin		*a;
	struct json_object	*problems;
};

static void
report_problem(const struct dbcheck_problem *p, void *arg)
{
	struct check_out	*out = arg;
	struct json_object	*o;

	if (!out->a->json) {
		printf("%-9s %s%s\n", dbcheck_kind_names[p->kind], p->text,
		    p->repaired ? " (repaired)" : "");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "kind",
	    json_object_new_string(dbcheck_kind_names[p->kind]));
	json_object_object_add(o, "database",
	    json_object_new_string(store_db_names[p->db]));
	json_object_object_add(o, "text", json_object_new_string(p->text));
	json_object_object_add(o, "repaired",
	    json_object_new_boolean(p->repaired));
	json_object_array_add(out->problems, o);
}

/* check [--repair] */
int
cmd_check(struct admin *a, int argc, char **argv)
{
	struct dbcheck_result	 r;
	struct check_out	 out;
	struct json_object	*o;
	int			 rc, flags = 0;

	if (argc == 2 && strcmp(argv[1], "--repair") == 0)
		flags |= DBCHECK_REPAIR;
	else if (argc != 1)
		return EXIT_USAGE;
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	if (a->cfg->user_auth == USER_AUTH_REMOTE_USER)
		flags |= DBCHECK_REMOTE_USERS;
	out.a = a;
	out.problems = a->json ? json_object_new_array() : NULL;
	rc = dbcheck_run(a->store, flags, report_problem, &out, &r);
	admin_map_warning(a);
	if (a->json) {
		o = json_object_new_object();
		add_int(o, "checked", (int64_t)r.checked);
		add_int(o, "problems_found", (int64_t)r.problems);
		add_int(o, "repaired", (int64_t)r.repaired);
		add_int(o, "stale_index_entries", (int64_t)r.stale);
		json_object_object_add(o, "problems", out.problems);
		json_object_object_add(o, "ok", json_object_new_boolean(
		    rc == STORE_OK && r.problems == r.repaired));
		admin_json_print(o);
	} else if (r.problems == 0 && r.stale == 0)
		printf("checked %lu records and index entries: no problems\n",
		    r.checked);
	else if (r.problems == 0)
		printf("checked %lu records and index entries: no problems "
		    "(%lu index entries of expired tokens and codes wait for "
		    "the next purge)\n", r.checked, r.stale);
	else
		printf("checked %lu records and index entries: %lu problems, "
		    "%lu repaired%s\n", r.checked, r.problems, r.repaired,
		    (flags & DBCHECK_REPAIR) ||
		    r.problems == r.found[DBCHECK_CORRUPT] ? "" :
		    " (run check --repair)");
	if (rc != STORE_OK)
		return admin_store_fail(a, "check stopped", rc);
	return r.problems == r.repaired ? EXIT_OK : EXIT_FAIL;
}

/*
 * backup FILE: a compacted copy of the database (free pages left out)
 * from one read-only transaction, so it is consistent while the
 * programs write.  The file must not exist.
 */
int
cmd_backup(struct admin *a, int argc, char **argv)
{
	struct stat		 sb;
	struct json_object	*o;
	const char		*file;
	char			 why[STORE_ERR_MAX];
	int			 fd, rc;

	if (argc != 2 || argv[1][0] == '\0' ||
	    (argv[1][0] == '-' && argv[1][1] != '\0'))
		return EXIT_USAGE;
	file = argv[1];
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		if (errno == EEXIST)
			admin_err("%s: already exists; a backup never "
			    "overwrites: choose a new name", file);
		else
			admin_err("%s: cannot create: %s", file,
			    strerror(errno));
		return EXIT_FAIL;
	}
	if ((rc = store_backup(a->store, fd, why, sizeof(why))) !=
	    STORE_OK || fsync(fd) == -1 || fstat(fd, &sb) == -1) {
		admin_err("%s: backup failed: %s", file, rc != STORE_OK ?
		    why : strerror(errno));
		close(fd);
		unlink(file);
		return EXIT_FAIL;
	}
	if (close(fd) == -1) {
		admin_err("%s: backup failed: %s", file, strerror(errno));
		unlink(file);
		return EXIT_FAIL;
	}
	if (a->json) {
		o = json_object_new_object();
		json_object_object_add(o, "file", json_object_new_string(file));
		add_int(o, "bytes", (int64_t)sb.st_size);
		admin_json_print(o);
	} else
		printf("backup written to %s (%.1f MiB); to restore, stop the "
		    "server and install it as data.mdb in an empty db_path "
		    "directory\n", file, mib((size_t)sb.st_size));
	return EXIT_OK;
}
