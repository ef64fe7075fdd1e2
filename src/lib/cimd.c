/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "cimd.h"
#include "client.h"
#include "config.h"
#include "jsonutil.h"

/*
 * RFC 3986 path characters (pchar and "/"), no "?" and no "#", and no
 * "@" either: legal in a path, but a URL with an "@" anywhere is read
 * as userinfo by too many people and programs.
 */
static int
path_char(unsigned char c)
{
	return isalnum(c) || strchr("-._~!$&'()*+,;=:/%", c) != NULL;
}

/*
 * Whether the path segment s[0..n) is "." or "..", also when written
 * with percent-encoded dots ("%2e", "%2E").
 */
static int
dot_segment(const char *s, size_t n)
{
	size_t	 dots = 0, i = 0;

	while (i < n) {
		if (s[i] == '.')
			i++;
		else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
		    (s[i + 2] == 'e' || s[i + 2] == 'E'))
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

/*
 * Parses a client ID metadata document URL (draft-ietf-oauth-client-
 * id-metadata-document, section 3): https, a host, an optional port, a
 * path that is more than "/", no userinfo, no fragment, no "." or
 * ".." segments.  We also refuse a query (the draft discourages one)
 * and any upper-case letter in the host: the client_id is compared as
 * a string and its host is shown to people and matched against the
 * allowlist, so it has exactly one spelling.
 */
int
cimd_url_parse(const char *url, struct cimd_url *u)
{
	const char	*p, *host, *seg;
	size_t		 n, hostlen, i;
	unsigned long	 port = 443;
	char		*end;

	memset(u, 0, sizeof(*u));
	n = strlen(url);
	if (n > CIMD_URL_MAX || strncmp(url, "https://", 8) != 0)
		return CIMD_EURL;
	host = url + 8;
	hostlen = strcspn(host, ":/");
	if (hostlen == 0 || hostlen > CIMD_HOST_MAX)
		return CIMD_EURL;
	/*
	 * A DNS name or an IPv4 literal: lower-case letters, digits, "-"
	 * and "."; no empty label, no leading or trailing dot.  (IPv6
	 * literals are refused: no client publishes its document there.)
	 */
	for (i = 0; i < hostlen; i++)
		if (!islower((unsigned char)host[i]) &&
		    !isdigit((unsigned char)host[i]) && host[i] != '-' &&
		    host[i] != '.')
			return CIMD_EURL;
	if (host[0] == '.' || host[0] == '-' || host[hostlen - 1] == '.')
		return CIMD_EURL;
	for (i = 0; i + 1 < hostlen; i++)
		if (host[i] == '.' && host[i + 1] == '.')
			return CIMD_EURL;
	p = host + hostlen;
	if (*p == ':') {
		if (!isdigit((unsigned char)p[1]) || p[1] == '0')
			return CIMD_EURL;
		port = strtoul(p + 1, &end, 10);
		if (port == 0 || port > 65535 || end - (p + 1) > 5 ||
		    *end != '/')
			return CIMD_EURL;
		p = end;
	}
	if (*p != '/' || p[1] == '\0')
		return CIMD_EURL;
	for (i = 0; p[i] != '\0'; i++)
		if (!path_char((unsigned char)p[i]))
			return CIMD_EURL;	/* also "?", "#", "\" */
	for (seg = p + 1; ; ) {
		size_t	 len = strcspn(seg, "/");

		if (dot_segment(seg, len))
			return CIMD_EURL;
		if (seg[len] == '\0')
			break;
		seg += len + 1;
	}
	memcpy(u->host, host, hostlen);
	u->host[hostlen] = '\0';
	u->port = (unsigned int)port;
	return CIMD_OK;
}

int
cimd_is_url(const char *s)
{
	struct cimd_url	 u;

	return cimd_url_parse(s, &u) == CIMD_OK;
}

/*
 * Whether the configuration lets documents be fetched from host:
 * cimd = open, or cimd = allowlist and the host is listed, exactly or
 * under a "*.example.org" entry (which matches a.example.org and
 * a.b.example.org, not example.org itself).
 */
int
cimd_host_allowed(const struct config *cfg, const char *host)
{
	const char	*entry;
	size_t		 i, hl = strlen(host), el;

	if (cfg->cimd == CONFIG_CIMD_OFF)
		return 0;
	if (cfg->cimd == CONFIG_CIMD_OPEN)
		return 1;
	for (i = 0; i < cfg->cimd_allowlist.len; i++) {
		entry = cfg->cimd_allowlist.items[i];
		if (strncmp(entry, "*.", 2) == 0) {
			el = strlen(entry + 1);		/* ".example.org" */
			if (hl > el && strcmp(host + hl - el, entry + 1) == 0)
				return 1;
		} else if (strcmp(host, entry) == 0)
			return 1;
	}
	return 0;
}

/*
 * Whether documents may be fetched from port: only the https port 443,
 * written or implied.  Any other port would let a client_id probe
 * which services listen on the hosts the server can reach (an open
 * port that speaks TLS answers differently from a closed one), and no
 * client publishes its document elsewhere.  The test-only
 * cimd_test_allow_loopback also lifts this, so that tests can serve
 * documents from a free port on loopback.
 */
int
cimd_port_allowed(const struct config *cfg, unsigned int port)
{
	return port == 443 || cfg->cimd_test_allow_loopback;
}

/* Members that hold or announce a shared secret: never in a document. */
static const char *const secret_members[] = {
	"client_secret", "client_secret_expires_at",
	"registration_access_token", NULL
};

/*
 * Turns the document fetched from url into a public client, or says in
 * why what is wrong with it.  The checks of
 * draft-ietf-oauth-client-id-metadata-document, section 4.1:
 * the document's client_id is the URL, character for character, and
 * it holds no secret.  The client must use token_endpoint_auth_method
 * "none" (the default when absent): the client secret methods are
 * forbidden by the draft, and private_key_jwt would mean fetching and
 * trusting a key set from the same unauthenticated source, which we
 * do not do yet.  The rest (redirect URIs, names, grant types) is
 * checked as for a registration request (client_from_json()).
 */
int
cimd_parse(const struct config *cfg, const char *url, const char *body,
    size_t len, struct client *c, char *why, size_t whysz)
{
	struct json_object	*o = NULL, *v;
	const char		*method = "none";
	size_t			 i;
	int			 rc;

	client_init(c);
	if (!cimd_is_url(url) || strlen(url) >= sizeof(c->id)) {
		snprintf(why, whysz, "the client_id is not a metadata "
		    "document URL");
		return CIMD_EURL;
	}
	if (len > CIMD_DOC_MAX) {
		snprintf(why, whysz, "the document is larger than %d bytes",
		    CIMD_DOC_MAX);
		return CIMD_EDOC;
	}
	if ((rc = json_parse_strict(body, len, &o)) != JSONU_OK) {
		snprintf(why, whysz, "the document is not valid JSON");
		return rc == JSONU_ENOMEM ? CIMD_ENOMEM : CIMD_EDOC;
	}
	rc = CIMD_EDOC;
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, whysz, "the document must be a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "client_id", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), url) != 0) {
		snprintf(why, whysz, "client_id: must equal the document's "
		    "URL exactly");
		goto out;
	}
	for (i = 0; secret_members[i] != NULL; i++)
		if (json_object_object_get_ex(o, secret_members[i], NULL)) {
			snprintf(why, whysz, "%s: a metadata document must "
			    "not hold a secret", secret_members[i]);
			goto out;
		}
	if (json_object_object_get_ex(o, "token_endpoint_auth_method", &v) &&
	    v != NULL) {
		method = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		if (strcmp(method, "none") != 0) {
			snprintf(why, whysz, "token_endpoint_auth_method: "
			    "\"%.40s\" is not supported (only none)", method);
			goto out;
		}
	}
	switch (client_from_json(cfg, body, len, c, why, whysz)) {
	case CLIENT_OK:
		break;
	case CLIENT_EREDIRECT:
		rc = CIMD_EREDIRECT;
		goto out;
	case CLIENT_ENOMEM:
		rc = CIMD_ENOMEM;
		goto out;
	default:
		goto out;
	}
	c->auth_method = CLIENT_AUTH_NONE;
	c->flags = CLIENT_CIMD;
	snprintf(c->id, sizeof(c->id), "%s", url);
	rc = CIMD_OK;
out:
	json_object_put(o);
	return rc;
}
