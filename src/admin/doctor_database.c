/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: whether the site's database takes a write.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "doctor.h"

/*
 * That the database takes a write, seen from outside.  The harmless
 * write chosen is a dynamic client registration (RFC 7591), the first
 * write every new client makes:
 *  - it needs nothing but the URL (a device authorization or a
 *    pending /authorize request both need a registered client first,
 *    and a sign-in attempt would count against a real account's or
 *    this address's rate limit);
 *  - it goes through the whole write path (opening the environment
 *    read-write, a write transaction, the commit), so a directory the
 *    programs cannot write, a full disk or a full map all show;
 *  - the server does not offer RFC 7592 (no registration_access_token
 *    to delete it with), so the record stays: it is named for what it
 *    is, never gets a grant, and the line says how to delete it; if
 *    nobody does, the server reaps it like any unused dynamic
 *    registration (registration_unused_lifetime).
 * --no-write skips the check (then a warning).
 */
void
dr_check_database(struct doctor *d)
{
	static const char *const hdrs[] = {
		"Content-Type: application/json", NULL
	};
	static const char body[] =
	    "{\"client_name\":\"mcp-oauth-admin doctor (write check; safe "
	    "to delete)\",\"redirect_uris\":[\"http://127.0.0.1/"
	    "mcp-oauth-admin-doctor\"],\"token_endpoint_auth_method\":"
	    "\"none\",\"grant_types\":[\"authorization_code\"],"
	    "\"response_types\":[\"code\"]}";
	struct dr_resp		 r;
	struct json_object	*o = NULL;
	const char		*id, *error;
	const char		*endpoint = d->registration_endpoint[0] != '\0' ?
				    d->registration_endpoint : NULL;

	memset(&r, 0, sizeof(r));
	if (d->no_write) {
		dr_add(d, "database", DR_WARN, "run without --no-write, or "
		    "run mcp-oauth-admin check on the server", "not checked "
		    "(--no-write)");
		goto out;
	}
	if (endpoint == NULL) {
		dr_add(d, "database", DR_WARN, "run mcp-oauth-admin check on "
		    "the server, as the user the programs run as", "not "
		    "checked: the server offers no dynamic registration "
		    "(registration = closed), the write this check makes");
		goto out;
	}
	/* fetch_as() took only an endpoint on the site: say it again. */
	if (!dr_on_site(d, endpoint)) {
		dr_add(d, "database", DR_FAIL, "set issuer to this site's URL "
		    "in the configuration file", "not checked: the "
		    "registration endpoint %s is not on %s (not fetched)",
		    endpoint, d->site);
		goto out;
	}
	if (dr_request(d, "POST", endpoint, hdrs, body, 0, &r) == -1) {
		dr_add(d, "database", DR_FAIL, "see the web server's error "
		    "log", "POST %s: %s", endpoint, r.err);
		goto out;
	}
	o = dr_json(&r);
	error = dr_json_str(o, "error");
	if (r.status == 201 && (id = dr_json_str(o, "client_id")) != NULL)
		dr_add(d, "database", DR_PASS, NULL, "a test registration "
		    "was written (delete it with: mcp-oauth-admin client del "
		    "%s)", id);
	else if (r.status == 503 && error != NULL &&
	    strcmp(error, "temporarily_unavailable") == 0)
		dr_add(d, "database", DR_FAIL, "run mcp-oauth-admin purge, "
		    "or raise db_map_size in the configuration file",
		    "the database is full: a registration was refused");
	else if (r.status == 500)
		dr_add(d, "database", DR_FAIL, dr_db_hint, "the database cannot "
		    "be written: a registration got HTTP 500%s%s",
		    error != NULL ? " " : "", error != NULL ? error : "");
	else if (r.status == 429)
		dr_add(d, "database", DR_WARN, "run doctor again later",
		    "not checked: this address is over the registration "
		    "rate limit");
	else if (r.status == 403 && error != NULL &&
	    strcmp(error, "access_denied") == 0)
		dr_add(d, "database", DR_WARN, "run mcp-oauth-admin check on "
		    "the server, as the user the programs run as", "not "
		    "checked: registration is closed");
	else
		dr_add(d, "database", DR_FAIL, dr_status_hint(r.status),
		    "a registration at %s got HTTP %ld%s%s", endpoint,
		    r.status, error != NULL ? " " : "",
		    error != NULL ? error : "");
out:
	json_object_put(o);
	dr_resp_free(&r);
}
