/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * events: the audit trail (audit.c), newest first, as a table or as
 * one JSON array.  Read in one read transaction: the listing is one
 * consistent moment of the database.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../lib/audit.h"
#include "../lib/store.h"
#include "admin.h"

#define EVENTS_LIMIT_MAX	10000000L

/* The days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 +
	    (unsigned)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * --since: a relative age ("7d", "12h", "30m", "45s") before now, or
 * an ISO 8601 UTC date ("2026-12-01") or date and time
 * ("2026-12-01T08:30:00Z", the Z optional).  Seconds since the epoch
 * into *out; -1 when s is none of these.
 */
static int
parse_since(const char *s, int64_t now, int64_t *out)
{
	char		*end;
	long long	 n;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
	size_t		 len = strlen(s);

	if (len >= 2 && isdigit((unsigned char)s[0]) &&
	    strchr("smhd", s[len - 1]) != NULL &&
	    strspn(s, "0123456789") == len - 1) {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || n > 3650LL * 86400)
			return -1;
		switch (s[len - 1]) {
		case 'd':
			n *= 86400;
			break;
		case 'h':
			n *= 3600;
			break;
		case 'm':
			n *= 60;
			break;
		}
		*out = now - n;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 ||
	    used != 10)
		return -1;
	if (s[10] == 'T') {
		if (sscanf(s + 10, "T%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3
		    || used != 9 || (s[19] != '\0' &&
		    strcmp(s + 19, "Z") != 0))
			return -1;
	} else if (s[10] != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

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

	time_us_str(ev->time_us, when, sizeof(when));
	if (!o->json) {
		printf("%-27s %-17s %-16s %-24s %-15s %s\n", when,
		    audit_kind_name(ev->kind), ev->user[0] ? ev->user : "-",
		    ev->client[0] ? ev->client : "-",
		    ev->addr[0] ? ev->addr : "-",
		    ev->detail[0] ? ev->detail : "-");
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
	struct store_txn	*t;
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
			if (parse_since(v, admin_now(), &since) == -1) {
				admin_err("--since: \"%s\" is neither an ISO "
				    "8601 date or time (2026-12-01, "
				    "2026-12-01T08:30:00Z) nor an age (7d, "
				    "12h, 30m)", v);
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
	if (admin_begin(a, 1, &t) == -1)
		return EXIT_FAIL;
	out.json = a->json;
	admin_list_begin(&out.list, a->json);
	if (!a->json)
		printf("%-27s %-17s %-16s %-24s %-15s %s\n", "TIME", "KIND",
		    "USER", "CLIENT", "ADDRESS", "DETAIL");
	rc = audit_list(t, &f, print_event, &out);
	store_abort(t);
	admin_list_end(&out.list);
	if (rc != STORE_OK)
		return admin_store_fail(a, "cannot list the events", rc);
	return EXIT_OK;
}
