/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * events: the audit trail (audit.c), newest first, as a table or as
 * one JSON array.  Read in parts of EVENTS_PART events, each in a read
 * transaction that ends before the part is printed (audit_list_parts):
 * output read slowly must not pin a snapshot of the database.  Events
 * written meanwhile are newer than the listing and are not shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/audit.h"
#include "../lib/store.h"
#include "admin.h"
#include "since.h"

#define EVENTS_LIMIT_MAX	10000000L
#define EVENTS_PART		500

struct events_out {
	struct admin_list	 list;
	int			 json;
};

/* A time in microseconds as ISO 8601 UTC with the microseconds. */
static const char *
time_us_str(int64_t us, char *out, size_t outsz)
{
	char	 s[ADMIN_TIME_MAX];

	admin_time_str(us / 1000000, s, sizeof(s));
	if (strlen(s) == 20)	/* YYYY-MM-DDTHH:MM:SSZ */
		snprintf(out, outsz, "%.19s.%06lldZ", s,
		    (long long)(us % 1000000));
	else
		snprintf(out, outsz, "%s", s);
	return out;
}

static int
print_event(const struct audit_event *ev, void *arg)
{
	struct events_out	*o = arg;
	struct json_object	*j;
	char			 when[ADMIN_TIME_MAX + 8];
	char			 user[AUDIT_USER_MAX + 1];
	char			 client[AUDIT_CLIENT_MAX + 1];
	char			 addr[AUDIT_ADDR_MAX + 1];

	time_us_str(ev->time_us, when, sizeof(when));
	if (!o->json) {
		/* The fields are what clients sent: cleaned for a terminal. */
		printf("%-27s %-17s %-16s %-24s %-15s ", when,
		    audit_kind_name(ev->kind), ev->user[0] ?
		    admin_clean(ev->user, user, sizeof(user)) : "-",
		    ev->client[0] ?
		    admin_clean(ev->client, client, sizeof(client)) : "-",
		    ev->addr[0] ? admin_clean(ev->addr, addr, sizeof(addr)) :
		    "-");
		admin_put_clean(ev->detail[0] ? ev->detail : "-");
		fputs("\n", stdout);
		return 0;
	}
	j = json_object_new_object();
	json_object_object_add(j, "time", json_object_new_string(when));
	json_object_object_add(j, "time_us",
	    json_object_new_int64(ev->time_us));
	json_object_object_add(j, "kind",
	    json_object_new_string(audit_kind_name(ev->kind)));
	json_object_object_add(j, "user", json_object_new_string(ev->user));
	json_object_object_add(j, "client",
	    json_object_new_string(ev->client));
	json_object_object_add(j, "address",
	    json_object_new_string(ev->addr));
	json_object_object_add(j, "detail",
	    json_object_new_string(ev->detail));
	admin_list_add(&o->list, j);
	return 0;
}

/* events [--user U] [--client C] [--since T] [--kind K] [--limit N] */
int
cmd_events(struct admin *a, int argc, char **argv)
{
	struct audit_filter	 f;
	struct events_out	 out;
	const char		*v;
	char			*end;
	int64_t			 since;
	long			 limit;
	int			 i, r, rc;

	memset(&f, 0, sizeof(f));
	for (i = 1; i < argc; i++) {
		if ((r = admin_opt(argc, argv, &i, "--user", &f.user)) != 0) {
			if (r == -1)
				return EXIT_USAGE;
		} else if ((r = admin_opt(argc, argv, &i, "--client",
		    &f.client)) != 0) {
			if (r == -1)
				return EXIT_USAGE;
		} else if ((r = admin_opt(argc, argv, &i, "--since", &v)) !=
		    0) {
			if (r == -1)
				return EXIT_USAGE;
			if (since_parse(v, admin_now(), &since) == -1) {
				admin_err("--since: \"%s\" is neither an ISO "
				    "8601 UTC date or time from 1970 on "
				    "(2026-12-01, 2026-12-01T08:30:00Z) nor an "
				    "age of at most 3650 days (7d, 12h, 30m, "
				    "45s)", v);
				return EXIT_USAGE;
			}
			f.since_us = since * 1000000;
		} else if ((r = admin_opt(argc, argv, &i, "--kind", &v)) !=
		    0) {
			if (r == -1)
				return EXIT_USAGE;
			if ((f.kind = audit_kind_parse(v)) == 0) {
				admin_err("--kind: unknown kind \"%s\"", v);
				return EXIT_USAGE;
			}
		} else if ((r = admin_opt(argc, argv, &i, "--limit", &v)) !=
		    0) {
			if (r == -1)
				return EXIT_USAGE;
			errno = 0;
			limit = strtol(v, &end, 10);
			if (errno != 0 || *end != '\0' || end == v ||
			    limit < 1 || limit > EVENTS_LIMIT_MAX) {
				admin_err("--limit: a number from 1 to %ld",
				    EVENTS_LIMIT_MAX);
				return EXIT_USAGE;
			}
			f.limit = (size_t)limit;
		} else
			return EXIT_USAGE;
	}
	if (admin_open(a, 0) == -1)
		return EXIT_FAIL;
	out.json = a->json;
	admin_list_begin(&out.list, a->json);
	if (!a->json)
		printf("%-27s %-17s %-16s %-24s %-15s %s\n", "TIME", "KIND",
		    "USER", "CLIENT", "ADDRESS", "DETAIL");
	rc = audit_list_parts(a->store, &f, EVENTS_PART, print_event, &out);
	admin_list_end(&out.list);
	if (rc != STORE_OK)
		return admin_store_fail(a, "cannot list the events", rc);
	return EXIT_OK;
}
