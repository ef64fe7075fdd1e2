/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: the checks of the site's TLS, its protected
 * resource, the bearer challenge, the Authorization header, CORS and
 * the clock.  Each adds one line (or two) with the fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "doctor.h"

/* What to do when the programs cannot open or write the database. */
const char dr_db_hint[] =
    "the user the web server runs the programs as must be able to write "
    "the database directory (db_path) and every file in it, lock.mdb "
    "included (chown -R that user the directory, chmod 700 it); the "
    "server's error log names the path and the reason";

static const char stripped_hint[] =
    "the web server withholds the Authorization header from the "
    "programs: in .htaccess add \"CGIPassAuth On\" (Apache 2.4.13 and "
    "later); on an older Apache put right after RewriteEngine On: "
    "RewriteCond %{HTTP:Authorization} . / RewriteRule ^ - "
    "[E=HTTP_AUTHORIZATION:%{HTTP:Authorization}] (docs/deploying.md); "
    "in a vhost use the shipped apache/mcp-oauth.conf";

/* An initialize request: what a client sends first. */
static const char initialize_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
    "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
    "\"clientInfo\":{\"name\":\"mcp-oauth-admin-doctor\","
    "\"version\":\"" PACKAGE_VERSION "\"}}}";

/*
 * The made-up token: any server that sees it must answer
 * error="invalid_token" (RFC 6750 section 3.1).
 */
#define MADE_UP_TOKEN	"mcp-oauth-admin-doctor-made-up-token"

/* The URL base + suffix, or "" when it does not fit. */
static void
url_join(char *out, size_t outsz, const char *base, const char *suffix)
{
	if ((size_t)snprintf(out, outsz, "%s%s", base, suffix) >= outsz)
		out[0] = '\0';
}

/* The fix for an answer that is not ours at all. */
const char *
dr_status_hint(long status)
{
	switch (status) {
	case 301:
	case 302:
	case 307:
	case 308:
		return "the web server redirects this URL (to https, or to "
		    "a trailing slash): clients do not follow redirects "
		    "here; give them the URL as the site serves it, or "
		    "remove the rule";
	case 403:
		return "the Host (or Origin) is not allowed: the configured "
		    "issuer must be this URL's origin, or add it to "
		    "allowed_hosts";
	case 404:
		return "the web server does not route this path to the "
		    "programs: check the rewrite rules (.htaccess, vhost or "
		    "lighttpd configuration) against the shipped ones";
	case 500:
	case 503:
		return "the programs failed: see the web server's error log";
	default:
		return "see the web server's error log";
	}
}

void
dr_check_tls(struct doctor *d)
{
	struct dr_resp	 r;
	char		 url[DR_URL_MAX], err[128];
	double		 days;

	url_join(url, sizeof(url), d->base,
	    "/.well-known/oauth-protected-resource");
	if (dr_request(d, "GET", url, NULL, NULL, d->tls, &r) == -1) {
		if (r.tls_failed)
			dr_add(d, "tls", DR_FAIL, "install a certificate "
			    "that clients trust (e.g. from Let's Encrypt), "
			    "current and naming this host, with its "
			    "intermediate certificates; for a test server "
			    "with a certificate of its own pass --cacert "
			    "FILE (or --insecure to run the other checks)",
			    "%s: %s (the other checks need a working TLS "
			    "connection)", d->site, r.err);
		else
			dr_add(d, "reach", DR_FAIL, "check the URL, the DNS "
			    "name and that the web server listens on that "
			    "port", "%s: %s", d->site, r.err);
		dr_resp_free(&r);
		return;
	}
	d->reachable = 1;
	if (!d->tls) {
		dr_add(d, "tls", DR_WARN, "serve the site over https: clients "
		    "refuse authorization servers on plain http (OAuth 2.1 "
		    "section 1.5)", "plain http to a loopback address: TLS "
		    "not checked");
		goto out;
	}
	if (dr_cert_days_left(buf_cstr(&r.cert_pem), &days, err,
	    sizeof(err)) == -1) {
		dr_add(d, "tls", DR_WARN, "check the expiry by hand: openssl "
		    "s_client -connect HOST:443 | openssl x509 -noout -enddate",
		    "%s; %s", d->insecure ? "certificate NOT verified "
		    "(--insecure)" : "certificate verified", err);
		goto out;
	}
	if (days < 0)
		dr_add(d, "tls", DR_FAIL, "renew the certificate",
		    "the certificate expired %.0f days ago", -days);
	else if (d->insecure)
		dr_add(d, "tls", DR_WARN, "drop --insecure once the site has "
		    "a certificate clients trust (or pass --cacert FILE)",
		    "certificate NOT verified (--insecure); it expires in "
		    "%.0f days", days);
	else if (days < (double)d->warn_days)
		dr_add(d, "tls", DR_WARN, "renew the certificate (or check "
		    "that the automatic renewal runs)", "certificate "
		    "verified, but it expires in %.1f days", days);
	else
		dr_add(d, "tls", DR_PASS, NULL, "certificate verified, "
		    "expires in %.0f days", days);
out:
	dr_resp_free(&r);
}

/*
 * One protected resource metadata document (RFC 9728 section 3): its
 * resource must be the MCP URL byte for byte (section 3.3) and its
 * authorization servers must name the issuer.
 */
static void
check_prm_url(struct doctor *d, const char *name, const char *url)
{
	struct dr_resp		 r;
	struct json_object	*o = NULL, *as, *v;
	const char		*resource, *s;
	char			 hint[DR_URL_MAX + 160];
	size_t			 i, n;
	int			 found = 0;

	if (dr_request(d, "GET", url, NULL, NULL, 0, &r) == -1) {
		dr_add(d, name, DR_FAIL, "see the web server's error log",
		    "%s: %s", url, r.err);
		goto out;
	}
	if (r.status != 200 || (o = dr_json(&r)) == NULL) {
		dr_add(d, name, DR_FAIL, dr_status_hint(r.status),
		    "%s: HTTP %ld%s", url, r.status, r.status == 200 ?
		    ", not a JSON object" : "");
		goto out;
	}
	snprintf(hint, sizeof(hint), "set issuer = %s in the configuration "
	    "file: the resource is the issuer followed by /mcp", d->base);
	resource = dr_json_str(o, "resource");
	if (resource == NULL || strcmp(resource, d->mcp_url) != 0) {
		dr_add(d, name, DR_FAIL, hint, "%s: resource is \"%s\", not "
		    "\"%s\" (clients compare them byte for byte)", url,
		    resource != NULL ? resource : DR_NO_STRING, d->mcp_url);
		goto out;
	}
	if (json_object_object_get_ex(o, "authorization_servers", &as) &&
	    json_object_is_type(as, json_type_array)) {
		n = json_object_array_length(as);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(as, i);
			if ((s = dr_json_string(v)) != NULL &&
			    strcmp(s, d->base) == 0)
				found = 1;
		}
	}
	if (!found)
		dr_add(d, name, DR_FAIL, hint, "%s: authorization_servers "
		    "does not name %s", url, d->base);
	else
		dr_add(d, name, DR_PASS, NULL, "%s: resource %s", url,
		    resource);
out:
	json_object_put(o);
	dr_resp_free(&r);
}

void
dr_check_resource_metadata(struct doctor *d)
{
	char	 url[DR_URL_MAX];

	url_join(url, sizeof(url), d->base,
	    "/.well-known/oauth-protected-resource");
	check_prm_url(d, "resource-metadata", url);
	url_join(url, sizeof(url), d->base,
	    "/.well-known/oauth-protected-resource/mcp");
	check_prm_url(d, "resource-metadata-mcp", url);
}

/*
 * The headers of a POST to /mcp, with one more (an Authorization or an
 * Origin) or none.
 */
static void
mcp_headers(const char *extra, const char *hdrs[4])
{
	hdrs[0] = "Content-Type: application/json";
	hdrs[1] = "Accept: application/json, text/event-stream";
	hdrs[2] = extra;
	hdrs[3] = NULL;
}

/* The fix for an MCP endpoint answer that is not a 401. */
static const char *
mcp_status_hint(long status)
{
	if (status == 503)
		return dr_db_hint;
	if (status == 200)
		return "the MCP endpoint must be mcp.fcgi, which asks for a "
		    "token: check the rewrite rules";
	return dr_status_hint(status);
}

/*
 * The 401 challenge of the MCP endpoint (MCP 2025-06-18,
 * basic/authorization; RFC 9728 section 5.1): WWW-Authenticate Bearer
 * with resource_metadata, on this site, whose document must be there.
 */
void
dr_check_challenge(struct doctor *d)
{
	struct dr_resp		 r, m;
	struct json_object	*o = NULL;
	const char		*hdrs[4], *resource;
	char			 wa[DR_CHALLENGE_MAX], prm[DR_URL_MAX];
	int			 found = 0;

	memset(&m, 0, sizeof(m));
	mcp_headers(NULL, hdrs);
	if (dr_request(d, "POST", d->mcp_url, hdrs, initialize_body, 0,
	    &r) == -1) {
		dr_add(d, "challenge", DR_FAIL, "see the web server's error "
		    "log", "%s: %s", d->mcp_url, r.err);
		goto out;
	}
	if (r.status != 401) {
		dr_add(d, "challenge", DR_FAIL, mcp_status_hint(r.status),
		    "POST %s without a token: HTTP %ld, not 401", d->mcp_url,
		    r.status);
		goto out;
	}
	if (dr_header(&r, "WWW-Authenticate", wa, sizeof(wa)) == -1) {
		dr_add(d, "challenge", DR_FAIL, "a proxy or header rule of the "
		    "web server adds to the programs' WWW-Authenticate "
		    "header: remove it", "the 401's WWW-Authenticate header "
		    "is too long (over %zu bytes) to check", sizeof(wa) - 1);
		goto out;
	}
	if (wa[0] == '\0' ||
	    (found = dr_challenge_param(wa, "Bearer", "resource_metadata",
	    prm, sizeof(prm))) != 1) {
		dr_add(d, "challenge", DR_FAIL, "a proxy or header rule of the "
		    "web server replaces the programs' WWW-Authenticate "
		    "header: remove it", "the 401 has no WWW-Authenticate: "
		    "Bearer resource_metadata=\"...\"%s (got \"%s\")",
		    wa[0] != '\0' && found == -1 ? " that a client can read" :
		    "", wa);
		goto out;
	}
	/* Never fetched elsewhere: the server chose this URL. */
	if (!dr_on_site(d, prm)) {
		dr_add(d, "challenge", DR_FAIL, "set issuer to this site's "
		    "URL in the configuration file, and remove any web server "
		    "rule that rewrites WWW-Authenticate", "the 401 points "
		    "clients to %s, not a URL on %s (not fetched)", prm,
		    d->site);
		goto out;
	}
	if (dr_request(d, "GET", prm, NULL, NULL, 0, &m) == -1 ||
	    m.status != 200 || (o = dr_json(&m)) == NULL ||
	    (resource = dr_json_str(o, "resource")) == NULL ||
	    strcmp(resource, d->mcp_url) != 0) {
		dr_add(d, "challenge", DR_FAIL, "the resource_metadata URL "
		    "follows the configured issuer: set issuer to this "
		    "site's URL, and route /.well-known/ to metadata.fcgi",
		    "the 401 points to %s, which does not describe %s",
		    prm, d->mcp_url);
		goto out;
	}
	dr_add(d, "challenge", DR_PASS, NULL, "401 with resource_metadata=%s",
	    prm);
out:
	json_object_put(o);
	dr_resp_free(&m);
	dr_resp_free(&r);
}

/*
 * Whether the Authorization header reaches the programs: a made-up
 * token must come back as invalid_token.  A server that strips the
 * header sees no token at all and answers the bare challenge of
 * RFC 6750 section 3.1, without an error code.
 */
void
dr_check_authorization_header(struct doctor *d)
{
	struct dr_resp	 r;
	const char	*hdrs[4];
	char		 wa[DR_CHALLENGE_MAX], error[64];

	mcp_headers("Authorization: Bearer " MADE_UP_TOKEN, hdrs);
	if (dr_request(d, "POST", d->mcp_url, hdrs, initialize_body, 0,
	    &r) == -1) {
		dr_add(d, "authorization-header", DR_FAIL, "see the web "
		    "server's error log", "%s: %s", d->mcp_url, r.err);
		goto out;
	}
	if (dr_header(&r, "WWW-Authenticate", wa, sizeof(wa)) != 1)
		wa[0] = '\0';
	if (r.status == 401 && dr_challenge_param(wa, "Bearer", "error",
	    error, sizeof(error)) == 1 && strcmp(error, "invalid_token") == 0)
		dr_add(d, "authorization-header", DR_PASS, NULL, "a made-up "
		    "token is refused as invalid_token: the header reaches "
		    "the programs");
	else if (r.status == 401)
		dr_add(d, "authorization-header", DR_FAIL, stripped_hint,
		    "a made-up token got a 401 without error=\"invalid_token\""
		    ": the Authorization header does not reach the programs");
	else
		dr_add(d, "authorization-header", DR_FAIL,
		    mcp_status_hint(r.status), "a made-up token got HTTP %ld, "
		    "not 401 invalid_token", r.status);
out:
	dr_resp_free(&r);
}

/*
 * The request headers a browser MCP client sends with its POSTs
 * (MCP 2025-06-18, basic/transports), which its preflight asks for
 * and the answer must allow each by name.
 */
static const char *const cors_request_headers[] = {
	"Authorization", "Content-Type", "Mcp-Protocol-Version",
	"Mcp-Session-Id", NULL
};

enum cors_verdict {
	CORS_REFUSED,	/* the origin is not let in at all */
	CORS_PARTIAL,	/* let in, but a browser would still fail */
	CORS_ALLOWED
};

/*
 * Whether the answer lets d->origin in: Access-Control-Allow-Origin
 * exactly that origin or "*" (Fetch standard, CORS check; doctor's
 * requests carry no credentials, as a browser client's fetch with a
 * bearer token does not).  A repeated header is joined with a comma
 * and so matches neither, as in a browser.
 */
static int
cors_origin_ok(const struct doctor *d, const struct dr_resp *r)
{
	char	 acao[DR_URL_MAX];

	return dr_header(r, "Access-Control-Allow-Origin", acao,
	    sizeof(acao)) == 1 && (strcmp(acao, d->origin) == 0 ||
	    strcmp(acao, "*") == 0);
}

/*
 * The preflight answer, as a browser judges it: an ok status, the
 * origin, POST among the methods and every requested header allowed.
 * why receives what is missing.
 */
static enum cors_verdict
cors_preflight_verdict(const struct doctor *d, const struct dr_resp *r,
    char *why, size_t whysz)
{
	char	 val[DR_CHALLENGE_MAX];
	size_t	 i, used = 0;
	int	 n;

	why[0] = '\0';
	if (r->status < 200 || r->status > 299 || !cors_origin_ok(d, r)) {
		snprintf(why, whysz, "HTTP %ld, %s", r->status,
		    cors_origin_ok(d, r) ? "not a 2xx" : "without "
		    "Access-Control-Allow-Origin for it");
		return CORS_REFUSED;
	}
	/* A list too long to read whole allows nothing. */
	if (dr_header(r, "Access-Control-Allow-Methods", val, sizeof(val)) !=
	    1 ||
	    !dr_cors_list_allows(val, "POST", 1)) {
		n = snprintf(why, whysz, "POST not in "
		    "Access-Control-Allow-Methods");
		used = n > 0 && (size_t)n < whysz ? (size_t)n : used;
	}
	if (dr_header(r, "Access-Control-Allow-Headers", val, sizeof(val)) !=
	    1)
		val[0] = '\0';
	for (i = 0; cors_request_headers[i] != NULL; i++) {
		if (dr_cors_list_allows(val, cors_request_headers[i], 1))
			continue;
		n = snprintf(why + used, whysz - used, "%s%s not in "
		    "Access-Control-Allow-Headers", used > 0 ? "; " : "",
		    cors_request_headers[i]);
		if (n > 0 && used + (size_t)n < whysz)
			used += (size_t)n;
	}
	return used > 0 ? CORS_PARTIAL : CORS_ALLOWED;
}

/*
 * Adds the line of one CORS check from its verdict.  Without --origin
 * the origin is made up, a page of some other site: refusing it is
 * right, letting it in means any page may call /mcp from a browser
 * (the programs let in only the site and allowed_origins, so a web
 * server rule does it).  With --origin it is a browser client the
 * owner uses, which must be let in, wholly.
 */
static void
cors_report(struct doctor *d, const char *name, enum cors_verdict v,
    const char *why, const char *what)
{
	char	 hint[DR_URL_MAX + 256];

	if (d->origin_given)
		snprintf(hint, sizeof(hint), "add %s to allowed_origins in "
		    "the configuration file, and make sure no web server "
		    "rule answers OPTIONS or replaces the programs' "
		    "Access-Control-* headers", d->origin);
	else
		snprintf(hint, sizeof(hint), "make sure no web server rule "
		    "answers OPTIONS or sets Access-Control-* headers: the "
		    "programs let in only the site itself and "
		    "allowed_origins");
	if (v == CORS_PARTIAL)
		dr_add(d, name, DR_FAIL, hint, "%s from %s is let in, but a "
		    "browser would still refuse it: %s", what, d->origin,
		    why);
	else if (v == CORS_REFUSED && d->origin_given)
		dr_add(d, name, DR_FAIL, hint, "%s from %s is not let in: %s",
		    what, d->origin, why);
	else if (v == CORS_REFUSED)
		dr_add(d, name, DR_PASS, NULL, "%s from another site (%s) is "
		    "refused; to check a browser client, pass --origin and "
		    "its origin", what, d->origin);
	else if (d->origin_given)
		dr_add(d, name, DR_PASS, NULL, "%s from %s is let in", what,
		    d->origin);
	else
		dr_add(d, name, DR_WARN, hint, "%s from any site is let in "
		    "(a made-up origin, %s, was): any web page may call "
		    "/mcp from a browser", what, d->origin);
}

/*
 * CORS for browser-based clients (the Inspector): the preflight of a
 * POST with an Authorization header, and a 401 that lets the page read
 * WWW-Authenticate (Access-Control-Expose-Headers), without which the
 * client cannot find the resource metadata.
 */
void
dr_check_cors(struct doctor *d)
{
	struct dr_resp		 r;
	const char		*hdrs[5];
	char			 origin[DR_URL_MAX + 16], acrh[256];
	char			 why[512], val[DR_CHALLENGE_MAX];
	enum cors_verdict	 v;
	size_t			 i, used = 0;
	int			 n;

	snprintf(origin, sizeof(origin), "Origin: %s", d->origin);
	n = snprintf(acrh, sizeof(acrh), "Access-Control-Request-Headers: ");
	used = n > 0 ? (size_t)n : 0;
	for (i = 0; cors_request_headers[i] != NULL; i++) {
		n = snprintf(acrh + used, sizeof(acrh) - used, "%s%s",
		    i > 0 ? ", " : "", cors_request_headers[i]);
		if (n > 0 && used + (size_t)n < sizeof(acrh))
			used += (size_t)n;
	}
	hdrs[0] = origin;
	hdrs[1] = "Access-Control-Request-Method: POST";
	hdrs[2] = acrh;
	hdrs[3] = NULL;
	if (dr_request(d, "OPTIONS", d->mcp_url, hdrs, NULL, 0, &r) == -1)
		dr_add(d, "cors-preflight", DR_FAIL, "see the web server's "
		    "error log", "OPTIONS %s: %s", d->mcp_url, r.err);
	else {
		v = cors_preflight_verdict(d, &r, why, sizeof(why));
		cors_report(d, "cors-preflight", v, why, "a preflight");
	}
	dr_resp_free(&r);

	mcp_headers(origin, hdrs);
	if (dr_request(d, "POST", d->mcp_url, hdrs, initialize_body, 0,
	    &r) == -1)
		dr_add(d, "cors-expose", DR_FAIL, "see the web server's error "
		    "log", "POST %s: %s", d->mcp_url, r.err);
	else {
		if (!cors_origin_ok(d, &r)) {
			v = CORS_REFUSED;
			snprintf(why, sizeof(why), "HTTP %ld without "
			    "Access-Control-Allow-Origin for it", r.status);
		} else if (dr_header(&r, "Access-Control-Expose-Headers",
		    val, sizeof(val)) != 1 || !dr_cors_list_allows(val,
		    "WWW-Authenticate", 1)) {
			v = CORS_PARTIAL;
			snprintf(why, sizeof(why), "the HTTP %ld answer does "
			    "not expose WWW-Authenticate "
			    "(Access-Control-Expose-Headers), which the page "
			    "needs to find the resource metadata", r.status);
		} else
			v = CORS_ALLOWED;
		cors_report(d, "cors-expose", v, why, "a POST");
	}
	dr_resp_free(&r);
}

/*
 * The server's clock against ours: codes, tokens and sign-in sessions
 * have lifetimes, and clients compare expiry times with their own
 * clocks (the JWT access tokens' exp and iat too).
 */
void
dr_check_clock(struct doctor *d)
{
	double	 off;

	if (d->server_date == 0) {
		dr_add(d, "clock", DR_WARN, "the web server should send a Date "
		    "header (RFC 9110 section 6.6.1)", "no answer had a "
		    "Date header: the server's clock was not compared");
		return;
	}
	off = difftime(d->server_date, d->local_date);
	if (off > DR_CLOCK_WARN_SECS || off < -DR_CLOCK_WARN_SECS)
		dr_add(d, "clock", DR_WARN, "synchronise the clocks with NTP "
		    "(timedatectl set-ntp true, or ask the host); check this "
		    "machine's clock too", "the server's clock is %+.0f s "
		    "from ours (more than %d s)", off, DR_CLOCK_WARN_SECS);
	else
		dr_add(d, "clock", DR_PASS, NULL, "the server's clock is "
		    "%+.0f s from ours", off);
}
