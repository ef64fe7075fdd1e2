/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: the authorization server metadata at every
 * URL a client may try.  For an issuer that is an origin that is one
 * URL; for an issuer with a path (a subdirectory install,
 * https://example.com/sub) clients try, depending on the client:
 *  - RFC 8414 section 3.1: /.well-known/oauth-authorization-server/sub
 *    at the root of the site (path insertion),
 *  - the same document appended to the issuer,
 *    /sub/.well-known/oauth-authorization-server,
 *  - OpenID Connect Discovery 1.0 section 4: /sub/.well-known/
 *    openid-configuration, and its path-inserted form at the root,
 * and RFC 9728 section 3.1 puts the protected resource metadata at
 * /.well-known/oauth-protected-resource/sub/mcp, at the root.  The
 * root ones need a rule in the root's .htaccess; the line says which.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "doctor.h"

enum doc_result {
	DOC_OK,
	DOC_MISSING,	/* no document there (404, or not JSON) */
	DOC_WRONG	/* a document that a client must refuse */
};

/*
 * Whether the array member key of o holds the string item.
 */
static int
array_has(struct json_object *o, const char *key, const char *item)
{
	struct json_object	*a, *v;
	size_t			 i, n;

	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), item) == 0)
			return 1;
	}
	return 0;
}

/*
 * Fetches the authorization server metadata at url and checks it as a
 * client does (RFC 8414 section 3.3: the issuer must be the one the
 * client expects, byte for byte).  why receives the reason.
 */
static enum doc_result
fetch_as(struct doctor *d, const char *url, char *why, size_t whysz)
{
	struct dr_resp		 r;
	struct json_object	*o = NULL;
	const char		*issuer, *reg;
	enum doc_result		 res = DOC_MISSING;

	if (dr_request(d, "GET", url, NULL, NULL, 0, &r) == -1) {
		snprintf(why, whysz, "%s", r.err);
		goto out;
	}
	if (r.status != 200 || (o = dr_json(&r)) == NULL) {
		snprintf(why, whysz, "HTTP %ld%s", r.status,
		    r.status == 200 ? ", not a JSON object" : "");
		goto out;
	}
	res = DOC_WRONG;
	issuer = dr_json_str(o, "issuer");
	if (issuer == NULL || strcmp(issuer, d->base) != 0) {
		snprintf(why, whysz, "issuer is \"%s\", not \"%s\" (clients "
		    "compare them byte for byte)", issuer != NULL ? issuer :
		    "(none)", d->base);
		goto out;
	}
	if (dr_json_str(o, "authorization_endpoint") == NULL ||
	    dr_json_str(o, "token_endpoint") == NULL) {
		snprintf(why, whysz, "no authorization_endpoint or "
		    "token_endpoint");
		goto out;
	}
	if (!array_has(o, "code_challenge_methods_supported", "S256")) {
		snprintf(why, whysz, "code_challenge_methods_supported lacks "
		    "S256 (clients refuse to go on)");
		goto out;
	}
	res = DOC_OK;
	snprintf(why, whysz, "issuer %s", issuer);
	if (!d->as_found && (reg = dr_json_str(o, "registration_endpoint")) !=
	    NULL && strlen(reg) < sizeof(d->registration_endpoint))
		snprintf(d->registration_endpoint,
		    sizeof(d->registration_endpoint), "%s", reg);
	d->as_found = 1;
out:
	json_object_put(o);
	dr_resp_free(&r);
	return res;
}

/*
 * Adds the line of one discovery URL.  A document a client must refuse
 * always fails; a missing one fails when required, else warns with
 * hint (or passes, for an optional OpenID document).
 */
static enum doc_result
check_as_url(struct doctor *d, const char *name, const char *url,
    int required, const char *hint)
{
	char		 why[DR_URL_MAX + 128], fix[DR_URL_MAX + 256];
	enum doc_result	 res;

	res = fetch_as(d, url, why, sizeof(why));
	snprintf(fix, sizeof(fix), "set issuer = %s in the configuration "
	    "file (the MCP URL without its final /mcp), or the document's "
	    "own fields if it is another server's", d->base);
	if (res == DOC_OK)
		dr_add(d, name, DR_PASS, NULL, "%s: %s", url, why);
	else if (res == DOC_WRONG)
		dr_add(d, name, DR_FAIL, fix, "%s: %s", url, why);
	else if (required)
		dr_add(d, name, DR_FAIL, "route /.well-known/ to "
		    "metadata.fcgi (see the shipped .htaccess, vhost and "
		    "lighttpd configuration)", "%s: %s", url, why);
	else if (hint != NULL)
		dr_add(d, name, DR_WARN, hint, "%s: %s", url, why);
	else
		dr_add(d, name, DR_PASS, NULL, "%s: not served (%s); "
		    "optional, clients fall back to RFC 8414", url, why);
	return res;
}

/* The RFC 9728 document at the root, for a subdirectory install. */
static void
check_root_prm(struct doctor *d, const char *hint)
{
	struct dr_resp		 r;
	struct json_object	*o = NULL;
	const char		*resource;
	char			 url[DR_URL_MAX];

	if ((size_t)snprintf(url, sizeof(url), "%s/.well-known/"
	    "oauth-protected-resource%s", d->site, d->mcp_path) >=
	    sizeof(url))
		return;
	if (dr_request(d, "GET", url, NULL, NULL, 0, &r) == -1)
		dr_add(d, "resource-metadata-root", DR_WARN, hint, "%s: %s",
		    url, r.err);
	else if (r.status != 200 || (o = dr_json(&r)) == NULL)
		dr_add(d, "resource-metadata-root", DR_WARN, hint, "%s: HTTP "
		    "%ld (clients that do not read the 401's "
		    "resource_metadata try this URL)", url, r.status);
	else if ((resource = dr_json_str(o, "resource")) == NULL ||
	    strcmp(resource, d->mcp_url) != 0)
		dr_add(d, "resource-metadata-root", DR_FAIL, hint, "%s: "
		    "resource is \"%s\", not \"%s\"", url, resource != NULL ?
		    resource : "(none)", d->mcp_url);
	else
		dr_add(d, "resource-metadata-root", DR_PASS, NULL, "%s: "
		    "resource %s", url, resource);
	json_object_put(o);
	dr_resp_free(&r);
}

/*
 * Checks the authorization server metadata document doc at
 * root/.well-known/doc followed by tail.
 */
static void
check_as_at(struct doctor *d, const char *name, const char *root,
    const char *doc, const char *tail, int required, const char *hint)
{
	char	 url[DR_URL_MAX];
	int	 n;

	n = snprintf(url, sizeof(url), "%s/.well-known/%s%s", root, doc,
	    tail);
	if (n > 0 && (size_t)n < sizeof(url))
		check_as_url(d, name, url, required, hint);
}

/*
 * The root .htaccess rule for the subdirectory sub ("mcp-auth", or
 * "a/b"), into out.
 */
void
dr_root_rule(const char *sub, char *out, size_t outsz)
{
	char	 re[2 * DR_URL_MAX];
	size_t	 i, n = 0;

	for (i = 0; sub[i] != '\0' && n + 3 < sizeof(re); i++) {
		if (sub[i] == '.')
			re[n++] = '\\';
		re[n++] = sub[i];
	}
	re[n] = '\0';
	snprintf(out, outsz, "RewriteRule \"^\\.well-known/("
	    "oauth-authorization-server/%s|oauth-protected-resource/%s/mcp)$\" "
	    "\"%s/metadata.fcgi\" [END]", re, re, sub);
}

void
dr_check_discovery(struct doctor *d)
{
	static const char as_doc[] = "oauth-authorization-server";
	static const char oidc_doc[] = "openid-configuration";
	char	 hint[5 * DR_URL_MAX], rule[4 * DR_URL_MAX];

	if (d->prefix[0] == '\0') {
		check_as_at(d, "as-metadata", d->site, as_doc, "", 1, NULL);
		return;
	}
	/*
	 * The one rule for the root's .htaccess (docs/deploying.md): the
	 * two root URLs, straight to the subdirectory's metadata.fcgi,
	 * [END] so that no later rule (WordPress's) touches them; the
	 * program maps them to its documents.  Dots in the path are
	 * escaped for the regular expression.
	 */
	dr_root_rule(d->prefix + 1, rule, sizeof(rule));
	snprintf(hint, sizeof(hint), "add to the .htaccess at the root of "
	    "the site, before its other rules: RewriteEngine On / %s", rule);
	check_as_at(d, "as-metadata-root", d->site, as_doc, d->prefix, 0,
	    hint);
	check_as_at(d, "as-metadata", d->base, as_doc, "", 0, "serve the "
	    "metadata under the subdirectory: its .htaccess must route "
	    ".well-known/ to metadata.fcgi");
	check_as_at(d, "oidc-root", d->site, oidc_doc, d->prefix, 0, NULL);
	check_as_at(d, "oidc", d->base, oidc_doc, "", 0, NULL);
	check_root_prm(d, hint);
	if (!d->as_found)
		dr_add(d, "as-discovery", DR_FAIL, hint, "no URL a client "
		    "tries has valid metadata for issuer %s", d->base);
}
