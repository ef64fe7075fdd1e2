/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor URL: an outside-in check of a deployed site,
 * from anywhere that reaches it, for the owner to run after every
 * change.  URL is the MCP endpoint (https://host/mcp, or for a
 * subdirectory install https://example.com/sub/mcp); what the programs
 * must say follows from it: the issuer is the URL without its final
 * /mcp, the resource the URL itself.  It needs no configuration file
 * and no database: it talks HTTP(S) only, through libcurl.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/httpclient.h"
#include "admin.h"
#include "doctor.h"

/*
 * Whether --origin is unusable in a header: an origin is
 * scheme://host[:port], printable ASCII without spaces.
 */
static int
origin_invalid(const char *o)
{
	size_t	 i, n = strlen(o);

	for (i = 0; i < n; i++)
		if (o[i] <= ' ' || o[i] > '~')
			break;
	if (n == 0 || n >= DR_URL_MAX || i < n || strstr(o, "://") == NULL) {
		admin_err("--origin: an origin, scheme://host[:port]");
		return 1;
	}
	return 0;
}

/* A number of days for --warn-days: 0 to DR_CERT_WARN_DAYS_MAX. */
static int
parse_days(const char *s, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 ||
	    v > DR_CERT_WARN_DAYS_MAX) {
		admin_err("--warn-days: a number of days from 0 to %d",
		    DR_CERT_WARN_DAYS_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

int
cmd_doctor(struct admin *a, int argc, char **argv)
{
	struct doctor	 d;
	const char	*url = NULL, *val;
	char		 err[DR_URL_MAX + 256];
	int		 i, r, rc;

	memset(&d, 0, sizeof(d));
	d.warn_days = DR_CERT_WARN_DAYS;
	for (i = 1; i < argc; i++) {
		if ((r = admin_opt(argc, argv, &i, "--cacert", &val)) == 1)
			d.ca_file = val;
		else if (r == -1)
			return EXIT_USAGE;
		else if ((r = admin_opt(argc, argv, &i, "--origin", &val)) ==
		    1)
			d.origin = val;
		else if (r == -1)
			return EXIT_USAGE;
		else if ((r = admin_opt(argc, argv, &i, "--warn-days",
		    &val)) == 1) {
			if (parse_days(val, &d.warn_days) == -1)
				return EXIT_USAGE;
		} else if (r == -1)
			return EXIT_USAGE;
		else if (strcmp(argv[i], "--insecure") == 0)
			d.insecure = 1;
		else if (strcmp(argv[i], "--no-write") == 0)
			d.no_write = 1;
		else if (argv[i][0] == '-' || url != NULL)
			return EXIT_USAGE;
		else
			url = argv[i];
	}
	if (url == NULL)
		return EXIT_USAGE;
	if (!httpc_can_fetch()) {
		admin_err("doctor needs a build with libcurl: this one was "
		    "built --without-curl (the static bundle); run doctor "
		    "from a build from source, on any machine that reaches "
		    "the site");
		return EXIT_FAIL;
	}
	if (httpc_load(err, sizeof(err)) == -1) {
		admin_err("doctor needs libcurl: %s", err);
		return EXIT_FAIL;
	}
	if (dr_parse_url(&d, url, err, sizeof(err)) == -1) {
		admin_err("%s", err);
		return EXIT_USAGE;
	}
	if (!d.tls && !httpc_url_allowed(d.mcp_url)) {
		admin_err("%s: plain http only to a loopback address (a test "
		    "server); a site must use https", url);
		return EXIT_USAGE;
	}
	/*
	 * Without --origin, a page of another site: the site's own origin
	 * is always let in, and would prove nothing.
	 */
	if (d.origin == NULL)
		d.origin = DR_FOREIGN_ORIGIN;
	else if (origin_invalid(d.origin))
		return EXIT_USAGE;
	else
		d.origin_given = 1;
	if (d.insecure)
		fprintf(stderr, "mcp-oauth-admin: WARNING: --insecure: the "
		    "server's certificate is NOT verified\n");

	dr_check_tls(&d);
	if (d.reachable) {
		dr_check_resource_metadata(&d);
		dr_check_discovery(&d);
		dr_check_challenge(&d);
		dr_check_authorization_header(&d);
		dr_check_cors(&d);
		/* Without metadata, where the programs would have it. */
		if (!d.as_found && (size_t)snprintf(d.registration_endpoint,
		    sizeof(d.registration_endpoint), "%s/register", d.base) >=
		    sizeof(d.registration_endpoint))
			d.registration_endpoint[0] = '\0';
		dr_check_database(&d);
		dr_check_clock(&d);
	}
	dr_print(&d, a->json);
	rc = dr_exit_status(&d);
	dr_free(&d);
	httpc_cleanup();
	return rc;
}
