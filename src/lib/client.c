/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "cimd.h"
#include "client.h"
#include "config.h"
#include "crypto.h"
#include "form.h"
#include "http.h"
#include "jsonutil.h"
#include "oauth.h"
#include "record.h"
#include "redirect.h"
#include "scope.h"
#include "store.h"

void
client_init(struct client *c)
{
	memset(c, 0, sizeof(*c));
}

void
client_free(struct client *c)
{
	size_t	 i;

	free(c->name);
	free(c->uri);
	free(c->scope);
	free(c->software_id);
	free(c->software_version);
	free(c->application_type);
	for (i = 0; i < c->nredirect_uris; i++)
		free(c->redirect_uris[i]);
	free(c->redirect_uris);
	client_init(c);
}

/*
 * Client IDs are ours ("mcpc_" and base64url characters) or the URLs
 * of client ID metadata documents (cimd.c).
 */
int
client_id_valid(const char *id)
{
	size_t	 n = strlen(id);

	if (n > 0 && n <= CLIENT_ID_MAX &&
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.") == n)
		return 1;
	return cimd_is_url(id);
}

/* A fresh, server-chosen client ID (RFC 9700 §4.15): 128 random bits. */
int
client_new_id(char *out, size_t outsz)
{
	return crypto_random_token("mcpc_", 16, out, outsz);
}

/*
 * Makes a new secret for a confidential client: out receives it (shown
 * once), the record keeps only its SHA-256.
 */
int
client_new_secret(struct client *c, char *out, size_t outsz)
{
	int	 rc;

	if ((rc = crypto_random_token("mcpcs_", 32, out, outsz)) != CRYPTO_OK)
		return rc;
	if ((rc = crypto_sha256_str(out, c->secret_hash)) != CRYPTO_OK)
		return rc;
	c->has_secret = 1;
	return CRYPTO_OK;
}

const char *
client_auth_method_name(enum client_auth_method m)
{
	switch (m) {
	case CLIENT_AUTH_NONE:
		return "none";
	case CLIENT_AUTH_POST:
		return "client_secret_post";
	case CLIENT_AUTH_BASIC:
		return "client_secret_basic";
	}
	return "none";
}

int
client_auth_method_parse(const char *s, enum client_auth_method *m)
{
	if (strcmp(s, "none") == 0)
		*m = CLIENT_AUTH_NONE;
	else if (strcmp(s, "client_secret_post") == 0)
		*m = CLIENT_AUTH_POST;
	else if (strcmp(s, "client_secret_basic") == 0)
		*m = CLIENT_AUTH_BASIC;
	else
		return -1;
	return 0;
}

/* Whether uri exactly is one of the client's registered URIs. */
int
client_has_redirect(const struct client *c, const char *uri)
{
	size_t	 i;

	for (i = 0; i < c->nredirect_uris; i++)
		if (strcmp(c->redirect_uris[i], uri) == 0)
			return 1;
	return 0;
}

/*
 * Replaces the redirect URIs after checking each against the policy.
 * On failure why names the URI and the reason.
 */
int
client_set_redirect_uris(struct client *c, char **uris, size_t n, char *why,
    size_t whysz)
{
	char	**copy;
	size_t	 i, j;
	int	 rc;

	if (n == 0) {
		snprintf(why, whysz, "redirect_uris: at least one redirect "
		    "URI is required");
		return CLIENT_EREDIRECT;
	}
	if (n > CLIENT_REDIRECTS_MAX) {
		snprintf(why, whysz, "redirect_uris: at most %d redirect "
		    "URIs", CLIENT_REDIRECTS_MAX);
		return CLIENT_EREDIRECT;
	}
	for (i = 0; i < n; i++) {
		if ((rc = redirect_uri_valid(uris[i])) != REDIRECT_OK) {
			snprintf(why, whysz, "redirect_uris: \"%.80s\" %s",
			    uris[i], redirect_strerror(rc));
			return CLIENT_EREDIRECT;
		}
	}
	if ((copy = calloc(n, sizeof(char *))) == NULL)
		return CLIENT_ENOMEM;
	for (i = 0; i < n; i++)
		if ((copy[i] = strdup(uris[i])) == NULL) {
			for (j = 0; j < i; j++)
				free(copy[j]);
			free(copy);
			return CLIENT_ENOMEM;
		}
	for (i = 0; i < c->nredirect_uris; i++)
		free(c->redirect_uris[i]);
	free(c->redirect_uris);
	c->redirect_uris = copy;
	c->nredirect_uris = n;
	return CLIENT_OK;
}

/*
 * Whether s starts with a Unicode bidirectional control (U+061C,
 * U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) in UTF-8: in a client
 * name shown on the consent page they could reorder what the person
 * reads ("Trusted App" from "ppA detsurT").
 */
static int
bidi_control(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (n >= 2 && u[0] == 0xd8 && u[1] == 0x9c)
		return 1;
	if (n < 3 || u[0] != 0xe2)
		return 0;
	if (u[1] == 0x80 && (u[2] == 0x8e || u[2] == 0x8f ||
	    (u[2] >= 0xaa && u[2] <= 0xae)))
		return 1;
	return u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9;
}

/*
 * Whether s starts with a C1 control (U+0080-U+009F) in UTF-8: many
 * terminals act on them as on C0 controls (U+009B is CSI, the start of
 * a control sequence), and the admin tool shows client names there.
 */
static int
c1_control(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;

	return n >= 2 && u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f;
}

/*
 * An optional string member: absent or null leaves *out NULL; anything
 * but a string of 1..max printable characters is an error naming key.
 */
static int
meta_string(struct json_object *o, const char *key, size_t max, char **out,
    char *why, size_t whysz)
{
	struct json_object	*v;
	const char		*s;
	size_t			 i, n;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return CLIENT_OK;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(why, whysz, "%s: must be a string", key);
		return CLIENT_EMETADATA;
	}
	s = json_object_get_string(v);
	n = strlen(s);
	if (n == 0 || n > max) {
		snprintf(why, whysz, "%s: must be 1 to %zu characters", key,
		    max);
		return CLIENT_EMETADATA;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    c1_control(s + i, n - i) || bidi_control(s + i, n - i)) {
			snprintf(why, whysz, "%s: contains a control character",
			    key);
			return CLIENT_EMETADATA;
		}
	if ((*out = strdup(s)) == NULL)
		return CLIENT_ENOMEM;
	return CLIENT_OK;
}

/*
 * An optional array of strings from a fixed vocabulary, as a bit set.
 * Absent or null keeps *bits (the default).
 */
static int
meta_enum_array(struct json_object *o, const char *key,
    const char *const *names, const uint32_t *values, uint32_t *bits,
    char *why, size_t whysz)
{
	struct json_object	*v, *e;
	size_t			 i, j, n;
	uint32_t		 set = 0;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return CLIENT_OK;
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) == 0 || n > 16) {
		snprintf(why, whysz, "%s: must be a non-empty array of strings",
		    key);
		return CLIENT_EMETADATA;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string)) {
			snprintf(why, whysz, "%s: must be an array of strings",
			    key);
			return CLIENT_EMETADATA;
		}
		for (j = 0; names[j] != NULL; j++)
			if (strcmp(json_object_get_string(e), names[j]) == 0)
				break;
		if (names[j] == NULL) {
			snprintf(why, whysz, "%s: \"%.60s\" is not supported",
			    key, json_object_get_string(e));
			return CLIENT_EMETADATA;
		}
		set |= values[j];
	}
	*bits = set;
	return CLIENT_OK;
}

static int
meta_redirect_uris(struct client *c, struct json_object *o, char *why,
    size_t whysz)
{
	struct json_object	*v, *e;
	char			*uris[CLIENT_REDIRECTS_MAX];
	size_t			 i, n;

	if (!json_object_object_get_ex(o, "redirect_uris", &v) || v == NULL) {
		snprintf(why, whysz, "redirect_uris: required");
		return CLIENT_EREDIRECT;
	}
	if (!json_object_is_type(v, json_type_array)) {
		snprintf(why, whysz, "redirect_uris: must be an array of "
		    "strings");
		return CLIENT_EREDIRECT;
	}
	n = json_object_array_length(v);
	if (n > CLIENT_REDIRECTS_MAX) {
		snprintf(why, whysz, "redirect_uris: at most %d redirect URIs",
		    CLIENT_REDIRECTS_MAX);
		return CLIENT_EREDIRECT;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string)) {
			snprintf(why, whysz, "redirect_uris: must be an array "
			    "of strings");
			return CLIENT_EREDIRECT;
		}
		uris[i] = (char *)json_object_get_string(e);
	}
	return client_set_redirect_uris(c, uris, n, why, whysz);
}

/* Whether redirect_uris is absent or an empty array. */
static int
device_only_no_uris(struct json_object *o)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, "redirect_uris", &v) || v == NULL)
		return 1;
	return json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) == 0;
}

/*
 * Builds a client from an RFC 7591 registration request.  Unknown
 * members are ignored; known ones are checked strictly.  On failure,
 * why names the member and the problem, and the return value says
 * which OAuth error to answer with.
 */
int
client_from_json(const struct config *cfg, const char *body, size_t len,
    struct client *c, char *why, size_t whysz)
{
	static const char *const grant_names[] = {
		"authorization_code", "refresh_token",
		"urn:ietf:params:oauth:grant-type:device_code", NULL
	};
	static const uint32_t grant_bits[] = {
		CLIENT_GRANT_CODE, CLIENT_GRANT_REFRESH, CLIENT_GRANT_DEVICE
	};
	static const char *const response_names[] = { "code", NULL };
	static const uint32_t response_bits[] = { CLIENT_RESPONSE_CODE };
	struct json_object	*o = NULL;
	struct redirect_uri	 parsed;
	struct buf		 b;
	char			*method = NULL, *scope = NULL;
	int			 rc;

	client_init(c);
	buf_init(&b);
	if (len > CLIENT_METADATA_MAX) {
		snprintf(why, whysz, "the registration request is larger than "
		    "%d bytes", CLIENT_METADATA_MAX);
		return CLIENT_EMETADATA;
	}
	if ((rc = json_parse_strict(body, len, &o)) != JSONU_OK) {
		snprintf(why, whysz, "the body is not valid JSON");
		return rc == JSONU_ENOMEM ? CLIENT_ENOMEM : CLIENT_EMETADATA;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, whysz, "the body must be a JSON object");
		rc = CLIENT_EMETADATA;
		goto out;
	}

	/* RFC 7591 §2: the default method is client_secret_basic. */
	c->auth_method = CLIENT_AUTH_BASIC;
	if ((rc = meta_string(o, "token_endpoint_auth_method", 64, &method,
	    why, whysz)) != CLIENT_OK)
		goto out;
	if (method != NULL &&
	    client_auth_method_parse(method, &c->auth_method) == -1) {
		snprintf(why, whysz, "token_endpoint_auth_method: \"%.60s\" is "
		    "not supported (none, client_secret_post, "
		    "client_secret_basic)", method);
		rc = CLIENT_EMETADATA;
		goto out;
	}

	/*
	 * RFC 7591 §2: grant_types defaults to authorization_code, and
	 * response_types to code.  A client that registered the device
	 * grant without authorization_code never uses /authorize, so it
	 * has no response type, whatever it sent: §2.1 asks the two to be
	 * consistent, and the reply must not claim what /authorize would
	 * refuse.
	 */
	c->grant_types = CLIENT_GRANT_CODE;
	c->response_types = CLIENT_RESPONSE_CODE;
	if ((rc = meta_enum_array(o, "grant_types", grant_names, grant_bits,
	    &c->grant_types, why, whysz)) != CLIENT_OK ||
	    (rc = meta_enum_array(o, "response_types", response_names,
	    response_bits, &c->response_types, why, whysz)) != CLIENT_OK)
		goto out;
	if (!(c->grant_types & CLIENT_GRANT_CODE))
		c->response_types = 0;
	if (!(c->grant_types & (CLIENT_GRANT_CODE | CLIENT_GRANT_DEVICE))) {
		snprintf(why, whysz, "grant_types: must include "
		    "authorization_code or "
		    "urn:ietf:params:oauth:grant-type:device_code");
		rc = CLIENT_EMETADATA;
		goto out;
	}
	/*
	 * A client of the device grant alone (RFC 8628) is never
	 * redirected to, and may register no redirect URI.
	 */
	if ((c->grant_types & CLIENT_GRANT_CODE) || !device_only_no_uris(o)) {
		if ((rc = meta_redirect_uris(c, o, why, whysz)) != CLIENT_OK)
			goto out;
	}

	if ((rc = meta_string(o, "client_name", CLIENT_STRING_MAX, &c->name,
	    why, whysz)) != CLIENT_OK ||
	    (rc = meta_string(o, "client_uri", REDIRECT_URI_MAX, &c->uri,
	    why, whysz)) != CLIENT_OK ||
	    (rc = meta_string(o, "scope", SCOPE_MAX, &scope, why,
	    whysz)) != CLIENT_OK ||
	    (rc = meta_string(o, "software_id", CLIENT_STRING_MAX,
	    &c->software_id, why, whysz)) != CLIENT_OK ||
	    (rc = meta_string(o, "software_version", CLIENT_STRING_MAX,
	    &c->software_version, why, whysz)) != CLIENT_OK ||
	    (rc = meta_string(o, "application_type", 16,
	    &c->application_type, why, whysz)) != CLIENT_OK)
		goto out;
	if (c->uri != NULL && strncmp(c->uri, "https://", 8) != 0 &&
	    strncmp(c->uri, "http://", 7) != 0) {
		snprintf(why, whysz, "client_uri: must be an http(s) URL");
		rc = CLIENT_EMETADATA;
		goto out;
	}
	if (c->uri != NULL && redirect_parse(c->uri, &parsed) != REDIRECT_OK) {
		snprintf(why, whysz, "client_uri: is not a valid URL");
		rc = CLIENT_EMETADATA;
		goto out;
	}
	if (c->application_type != NULL &&
	    strcmp(c->application_type, "web") != 0 &&
	    strcmp(c->application_type, "native") != 0) {
		snprintf(why, whysz, "application_type: must be web or native");
		rc = CLIENT_EMETADATA;
		goto out;
	}
	/* Unknown scopes are dropped, as RFC 7591 §2 allows. */
	if (scope != NULL) {
		if (scope_filter_known(cfg, scope, &b) != SCOPE_OK) {
			rc = CLIENT_ENOMEM;
			goto out;
		}
		if (b.len > 0 && (c->scope = strdup(buf_cstr(&b))) == NULL) {
			rc = CLIENT_ENOMEM;
			goto out;
		}
	}
	rc = CLIENT_OK;
out:
	free(method);
	free(scope);
	buf_free(&b);
	json_object_put(o);
	if (rc != CLIENT_OK)
		client_free(c);
	return rc;
}

static void
add_string(struct json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

/*
 * The client's metadata as registered, for the registration response
 * and the admin tool.  Absent fields are omitted, never null.
 */
struct json_object *
client_to_json(const struct client *c)
{
	struct json_object	*o, *a;
	size_t			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	add_string(o, "client_id", c->id);
	json_object_object_add(o, "client_id_issued_at",
	    json_object_new_int64(c->created));
	a = json_object_new_array();
	for (i = 0; i < c->nredirect_uris; i++)
		json_object_array_add(a,
		    json_object_new_string(c->redirect_uris[i]));
	json_object_object_add(o, "redirect_uris", a);
	add_string(o, "token_endpoint_auth_method",
	    client_auth_method_name(c->auth_method));
	a = json_object_new_array();
	if (c->grant_types & CLIENT_GRANT_CODE)
		json_object_array_add(a,
		    json_object_new_string("authorization_code"));
	if (c->grant_types & CLIENT_GRANT_REFRESH)
		json_object_array_add(a,
		    json_object_new_string("refresh_token"));
	if (c->grant_types & CLIENT_GRANT_DEVICE)
		json_object_array_add(a, json_object_new_string(
		    "urn:ietf:params:oauth:grant-type:device_code"));
	json_object_object_add(o, "grant_types", a);
	/* Records from before response_types followed grant_types. */
	a = json_object_new_array();
	if ((c->grant_types & CLIENT_GRANT_CODE) &&
	    (c->response_types & CLIENT_RESPONSE_CODE))
		json_object_array_add(a, json_object_new_string("code"));
	json_object_object_add(o, "response_types", a);
	add_string(o, "client_name", c->name);
	add_string(o, "client_uri", c->uri);
	add_string(o, "scope", c->scope);
	add_string(o, "software_id", c->software_id);
	add_string(o, "software_version", c->software_version);
	add_string(o, "application_type", c->application_type);
	return o;
}

static void
empty_to_null(char **s)
{
	if (*s != NULL && (*s)[0] == '\0') {
		free(*s);
		*s = NULL;
	}
}

/*
 * Record: flags u32, created i64, method u8, has_secret u8, secret
 * hash 32 bytes, grant_types u32, response_types u32, name, uri,
 * scope, software_id, software_version, application_type strings,
 * redirect count u16, redirect URI strings; then, for a client from a
 * metadata document (CLIENT_CIMD), fetched i64, expires i64 and the
 * document's SHA-256 (32 bytes); then last_used i64.  A record written
 * before last_used existed ends before it, and reads as never used.
 */
int
client_decode(const void *p, size_t n, struct client *c)
{
	struct rec_reader	 r;
	size_t			 i, count;
	uint8_t			 method;

	rec_reader_init(&r, p, n);
	c->flags = rec_get_u32(&r);
	c->created = rec_get_i64(&r);
	method = rec_get_u8(&r);
	c->has_secret = rec_get_u8(&r);
	rec_get_bytes(&r, c->secret_hash, sizeof(c->secret_hash));
	c->grant_types = rec_get_u32(&r);
	c->response_types = rec_get_u32(&r);
	c->name = rec_get_str(&r);
	c->uri = rec_get_str(&r);
	c->scope = rec_get_str(&r);
	c->software_id = rec_get_str(&r);
	c->software_version = rec_get_str(&r);
	c->application_type = rec_get_str(&r);
	count = (size_t)rec_get_u32(&r);
	if (method > CLIENT_AUTH_BASIC || count > CLIENT_REDIRECTS_MAX)
		r.err = 1;
	c->auth_method = (enum client_auth_method)method;
	if (!r.err && count > 0) {
		if ((c->redirect_uris = calloc(count, sizeof(char *))) == NULL)
			r.err = 1;
		for (i = 0; !r.err && i < count; i++) {
			c->redirect_uris[i] = rec_get_str(&r);
			c->nredirect_uris = i + 1;
		}
	}
	if (c->flags & CLIENT_CIMD) {
		c->fetched = rec_get_i64(&r);
		c->expires = rec_get_i64(&r);
		rec_get_bytes(&r, c->doc_hash, sizeof(c->doc_hash));
	}
	c->last_used = 0;
	if (rec_reader_left(&r) > 0)
		c->last_used = rec_get_i64(&r);
	if (!rec_reader_ok(&r)) {
		client_free(c);
		return STORE_CORRUPT;
	}
	/* Empty strings are stored for absent ones. */
	empty_to_null(&c->name);
	empty_to_null(&c->uri);
	empty_to_null(&c->scope);
	empty_to_null(&c->software_id);
	empty_to_null(&c->software_version);
	empty_to_null(&c->application_type);
	return STORE_OK;
}

int
store_client_get(struct store_txn *t, const char *id, struct client *c)
{
	struct store_val	 v;
	int			 rc;

	client_init(c);
	if (!client_id_valid(id))
		return STORE_NOTFOUND;
	if ((rc = store_get(t, DB_CLIENTS, id, strlen(id), &v)) != STORE_OK)
		return rc;
	snprintf(c->id, sizeof(c->id), "%s", id);
	return client_decode(v.data, v.len, c);
}

int
store_client_put(struct store_txn *t, const struct client *c, int create)
{
	struct buf	 b;
	size_t		 i;
	int		 rc;

	buf_init(&b);
	rec_begin(&b);
	rec_put_u32(&b, c->flags);
	rec_put_i64(&b, c->created);
	rec_put_u8(&b, (uint8_t)c->auth_method);
	rec_put_u8(&b, (uint8_t)c->has_secret);
	rec_put_bytes(&b, c->secret_hash, sizeof(c->secret_hash));
	rec_put_u32(&b, c->grant_types);
	rec_put_u32(&b, c->response_types);
	rec_put_str(&b, c->name);
	rec_put_str(&b, c->uri);
	rec_put_str(&b, c->scope);
	rec_put_str(&b, c->software_id);
	rec_put_str(&b, c->software_version);
	rec_put_str(&b, c->application_type);
	rec_put_u32(&b, (uint32_t)c->nredirect_uris);
	for (i = 0; i < c->nredirect_uris; i++)
		rec_put_str(&b, c->redirect_uris[i]);
	if (c->flags & CLIENT_CIMD) {
		rec_put_i64(&b, c->fetched);
		rec_put_i64(&b, c->expires);
		rec_put_bytes(&b, c->doc_hash, sizeof(c->doc_hash));
	}
	rec_put_i64(&b, c->last_used);
	if (buf_failed(&b))
		rc = STORE_ENOMEM;
	else
		rc = store_put(t, DB_CLIENTS, c->id, strlen(c->id), b.data,
		    b.len, create ? STORE_NOOVERWRITE : 0);
	buf_free(&b);
	return rc;
}

int
store_client_del(struct store_txn *t, const char *id)
{
	return store_del(t, DB_CLIENTS, id, strlen(id), NULL, 0);
}

/* A UTC day, for client_touch(). */
#define CLIENT_DAY	(24 * 3600)

/*
 * Records that client c is used at now: a code issued to it or
 * redeemed by it, one of its refresh tokens used, or a pending
 * authorization or device authorization started for it.  The purge of
 * unused registrations (client_reapable) needs only the day, so the
 * record is written at most once a UTC day: the record is read again
 * inside t (another request may have written it since c was read) and
 * written only if it is from an earlier day.  A clock that went back
 * (last_used after now) writes nothing.  A client that is gone is
 * STORE_NOTFOUND: a caller about to issue a code or a grant must not
 * issue one to a client deleted since it read c.
 */
int
client_touch(struct store_txn *t, const struct client *c, int64_t now)
{
	struct client		 cur;
	struct store_val	 v;
	int64_t			 midnight = now - now % CLIENT_DAY;
	int			 rc;

	/* Touched today as c was read: whether it is still there. */
	if (c->last_used >= midnight)
		return store_get(t, DB_CLIENTS, c->id, strlen(c->id), &v);
	if ((rc = store_client_get(t, c->id, &cur)) != STORE_OK)
		return rc;
	if (cur.last_used < midnight) {
		cur.last_used = now;
		rc = store_client_put(t, &cur, 0);
	}
	client_free(&cur);
	return rc;
}

/*
 * Whether c is a dynamically registered client (not one the
 * administrator added, nor a metadata document) whose last use, or its
 * registration if it was never used, is lifetime seconds or more
 * before now.  Whether it still holds a grant is the caller's to
 * check.  A lifetime of 0 keeps every client.
 */
int
client_reapable(const struct client *c, int64_t now, long lifetime)
{
	int64_t	 last;

	if (lifetime <= 0 || !(c->flags & CLIENT_DYNAMIC) ||
	    (c->flags & (CLIENT_CIMD | CLIENT_PINNED)))
		return 0;
	/*
	 * last_used is written once a UTC day (client_touch), so the
	 * client may have been used until the end of that day: counting
	 * from the day's end keeps a client in use through a flow begun
	 * late that day even with a lifetime of one day.
	 */
	last = c->created;
	if (c->last_used > 0 &&
	    c->last_used - c->last_used % CLIENT_DAY + CLIENT_DAY > last)
		last = c->last_used - c->last_used % CLIENT_DAY + CLIENT_DAY;
	return last <= now - lifetime;
}

static void
auth_fail(struct oauth_error *e, int status, const char *error, int basic,
    const char *description)
{
	oauth_error_set(e, status, error, "%s", description);
	e->basic = basic;
}

/*
 * Authenticates the client of a /token or /revoke request with the one
 * method it registered: HTTP Basic, client_secret in the body, or none
 * (client_id only).  Secrets are compared as SHA-256 hashes in constant
 * time.  On success c holds the client; on failure e says what to
 * answer (invalid_client is 401, with WWW-Authenticate: Basic when the
 * client tried Basic).
 */
int
client_authenticate(struct store_txn *t, const struct http_request *req,
    const struct form *f, struct client *c, struct oauth_error *e)
{
	struct http_auth	 a;
	enum client_auth_method	 used;
	const char		*id, *secret, *body_id;
	unsigned char		 hash[CRYPTO_SHA256_LEN];
	int			 rc, basic;

	client_init(c);
	memset(e, 0, sizeof(*e));
	rc = http_auth_parse(req->authorization, &a);
	basic = a.scheme == HTTP_AUTH_BASIC;
	body_id = form_get(f, "client_id");
	if (basic) {
		if (rc != HTTP_AUTH_OK) {
			auth_fail(e, 401, "invalid_client", 1,
			    "malformed Basic credentials");
			goto fail;
		}
		if (form_get(f, "client_secret") != NULL) {
			auth_fail(e, 400, "invalid_request", 0,
			    "use one client authentication method, not two");
			goto fail;
		}
		if (body_id != NULL && strcmp(body_id, a.user) != 0) {
			auth_fail(e, 400, "invalid_request", 0,
			    "client_id differs from the Basic credentials");
			goto fail;
		}
		used = CLIENT_AUTH_BASIC;
		id = a.user;
		secret = a.password;
	} else {
		id = body_id;
		secret = form_get(f, "client_secret");
		used = secret != NULL ? CLIENT_AUTH_POST : CLIENT_AUTH_NONE;
	}
	if (id == NULL) {
		auth_fail(e, 401, "invalid_client", 0,
		    "client authentication is required (client_id)");
		goto fail;
	}
	if ((rc = store_client_get(t, id, c)) != STORE_OK) {
		if (rc != STORE_NOTFOUND) {
			oauth_store_error(e, rc);
			goto fail;
		}
		auth_fail(e, 401, "invalid_client", basic, "unknown client");
		goto fail;
	}
	if (used != c->auth_method) {
		char	 msg[128];

		snprintf(msg, sizeof(msg), "this client must authenticate with "
		    "%s", client_auth_method_name(c->auth_method));
		auth_fail(e, 401, "invalid_client", basic, msg);
		goto fail;
	}
	if (used != CLIENT_AUTH_NONE) {
		if (crypto_sha256_str(secret, hash) != CRYPTO_OK) {
			auth_fail(e, 500, "server_error", 0, "hashing failed");
			goto fail;
		}
		if (!c->has_secret ||
		    !crypto_equal(hash, c->secret_hash, sizeof(hash))) {
			auth_fail(e, 401, "invalid_client", basic,
			    "client authentication failed");
			goto fail;
		}
	}
	http_auth_clear(&a);
	return 0;
fail:
	http_auth_clear(&a);
	client_free(c);
	return -1;
}
