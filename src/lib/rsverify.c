/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bearer.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "httpclient.h"
#include "jose.h"
#include "jsonutil.h"
#include "jwkscache.h"
#include "log.h"
#include "oauth.h"
#include "rsverify.h"
#include "user.h"

/*
 * The per-user key of a subject: the subject itself when it is a valid
 * user name, else "sub-" and 40 hex digits of its SHA-256 (subjects
 * such as "auth0|5f..." hold characters user names may not).
 */
void
bearer_subject_key(const char *sub, char *out, size_t outsz)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1];

	if (user_name_valid(sub)) {
		snprintf(out, outsz, "%s", sub);
		return;
	}
	crypto_sha256_str(sub, h);
	hex_encode(h, sizeof(h), hex);
	snprintf(out, outsz, "sub-%.40s", hex);
}

static int
aud_matches(const struct config *cfg, struct json_object *aud)
{
	size_t	 i;

	if (json_object_is_type(aud, json_type_string))
		return resource_equal(json_object_get_string(aud), cfg->mcp_url);
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(aud) && i < 64; i++) {
		struct json_object	*a = json_object_array_get_idx(aud, i);

		if (json_object_is_type(a, json_type_string) &&
		    resource_equal(json_object_get_string(a), cfg->mcp_url))
			return 1;
	}
	return 0;
}

static int
int_claim(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return -1;
	*out = json_object_get_int64(v);
	return 1;
}

/*
 * The claims every foreign token must satisfy, JWT (RFC 9068 §4) or
 * introspection (RFC 7662 §2.2): the issuer (exactly, when present or
 * required), our MCP URL in aud (RFC 8707 section 2; MCP 2025-06-18,
 * basic/authorization, token audience binding), unexpired, already valid
 * (leeway seconds of clock skew either way), a subject and a client.
 * jwt: iss, exp and client_id are required (RFC 9068 §2.2) rather than
 * checked when present (RFC 7662 makes them optional).
 */
int
bearer_from_claims(const struct config *cfg, struct json_object *c,
    time_t now, int jwt, struct bearer *b)
{
	struct json_object	*v;
	const char		*s;
	int64_t			 exp, nbf, iat;
	long			 leeway = cfg->jwt_leeway;
	int			 rc;

	s = json_get_string(c, "iss");
	if ((s == NULL && jwt) ||
	    (s != NULL && strcmp(s, cfg->authorization_server) != 0))
		return BEARER_EINVALID;
	if (!json_object_object_get_ex(c, "aud", &v) || !aud_matches(cfg, v))
		return BEARER_EAUDIENCE;
	if ((rc = int_claim(c, "exp", &exp)) == -1 || (rc == 0 && jwt))
		return BEARER_EINVALID;
	/* Written so that no claim value can overflow (exp may be huge). */
	if (rc == 1 && exp <= (int64_t)now - leeway)
		return BEARER_EINVALID;
	b->expires = rc == 1 ? exp : now + INTROSPECT_TTL_MAX;
	if ((rc = int_claim(c, "nbf", &nbf)) == -1 ||
	    (rc == 1 && nbf > (int64_t)now + leeway))
		return BEARER_EINVALID;
	if ((rc = int_claim(c, "iat", &iat)) == -1 ||
	    (rc == 1 && iat > (int64_t)now + leeway))
		return BEARER_EINVALID;
	if ((s = json_get_string(c, "sub")) == NULL || s[0] == '\0' ||
	    strlen(s) > 255)
		return BEARER_EINVALID;
	bearer_subject_key(s, b->user, sizeof(b->user));
	/*
	 * RFC 9068 names it client_id; OpenID providers also say azp.  A
	 * JWT without either is no RFC 9068 access token (an ID token,
	 * perhaps), so it is refused; an introspection answer may omit
	 * it.
	 */
	if ((s = json_get_string(c, "client_id")) == NULL &&
	    (s = json_get_string(c, "azp")) == NULL) {
		if (jwt)
			return BEARER_EINVALID;
		s = "";
	}
	if (strlen(s) >= sizeof(b->client_id))
		return BEARER_EINVALID;
	snprintf(b->client_id, sizeof(b->client_id), "%s", s);
	/* "scope" is a string; Okta sends "scp" as an array. */
	if ((s = json_get_string(c, "scope")) != NULL) {
		if (strlen(s) >= sizeof(b->scope))
			return BEARER_EINVALID;
		snprintf(b->scope, sizeof(b->scope), "%s", s);
	} else if (json_object_object_get_ex(c, "scp", &v) &&
	    json_object_is_type(v, json_type_array)) {
		struct buf	 sb;
		size_t		 i;

		buf_init(&sb);
		for (i = 0; i < json_object_array_length(v); i++) {
			const char	*e = json_object_get_string(
			    json_object_array_get_idx(v, i));

			if (e == NULL)
				continue;
			if (sb.len > 0)
				buf_putc(&sb, ' ');
			buf_puts(&sb, e);
		}
		if (sb.len >= sizeof(b->scope)) {
			buf_free(&sb);
			return BEARER_EINVALID;
		}
		snprintf(b->scope, sizeof(b->scope), "%s", buf_cstr(&sb));
		buf_free(&sb);
	}
	return BEARER_OK;
}

/*
 * The bearer token of the request (a is filled, b->hash is its
 * SHA-256 for the log), or why there is none.
 */
static int
presented(const struct http_request *req, struct http_auth *a,
    struct bearer *b)
{
	int	 rc;

	memset(b, 0, sizeof(*b));
	rc = http_auth_parse(req->authorization, a);
	if (a->scheme != HTTP_AUTH_BEARER)
		return BEARER_ENONE;
	if (rc != HTTP_AUTH_OK)
		return BEARER_EINVALID;
	crypto_sha256(a->token, a->token_len, b->hash);
	return BEARER_OK;
}

static int
typ_allowed(const struct config *cfg, const char *typ)
{
	if (typ[0] == '\0')
		return 1;
	return config_list_has(&cfg->jwt_allowed_typ, typ);
}

static int
alg_allowed(const struct config *cfg, enum jose_alg alg)
{
	return config_list_has(&cfg->jwt_algorithms, jose_alg_name(alg));
}

static void
log_refused(const char *why, const unsigned char *hash)
{
	struct log_line	 l;

	log_begin(&l, "jwt_rejected");
	log_str(&l, "reason", why);
	log_hash(&l, "token", hash);
	log_end(&l);
}

/*
 * An RFC 9068 access token: the signature with the provider's key for
 * the token's kid, an allowed algorithm (never none or HMAC), the
 * "at+jwt" type where the provider sets one, then the claims.
 */
int
bearer_validate_jwt(const struct config *cfg, const struct http_request *req,
    time_t now, struct jwkscache *cache, struct bearer *b)
{
	struct http_auth	 a;
	struct jws		 j;
	const struct jwks	*keys;
	const struct jwk	*k;
	int			 rc;

	if ((rc = presented(req, &a, b)) != BEARER_OK)
		return rc;
	if ((rc = jws_parse(a.token, a.token_len, &j)) != JOSE_OK) {
		log_refused(jose_strerror(rc), b->hash);
		return BEARER_EINVALID;
	}
	if (!alg_allowed(cfg, j.alg) || !typ_allowed(cfg, j.typ)) {
		log_refused(!alg_allowed(cfg, j.alg) ? "algorithm not allowed" :
		    "typ is not at+jwt", b->hash);
		rc = BEARER_EINVALID;
		goto out;
	}
	if (jwkscache_keys(cache, cfg, j.kid, now, &keys) != JWKSCACHE_OK) {
		rc = BEARER_EUNAVAILABLE;
		goto out;
	}
	if ((k = jwks_select(keys, &j)) == NULL) {
		log_refused("no key for its kid and alg", b->hash);
		rc = BEARER_EINVALID;
		goto out;
	}
	if (jws_verify(&j, k->pkey) != JOSE_OK) {
		log_refused("bad signature", b->hash);
		rc = BEARER_EINVALID;
		goto out;
	}
	rc = bearer_from_claims(cfg, j.claims, now, 1, b);
	if (rc != BEARER_OK)
		log_refused(rc == BEARER_EAUDIENCE ? "aud is not this server" :
		    "iss, exp, nbf, iat, sub or client_id invalid", b->hash);
out:
	jws_free(&j);
	return rc;
}

/*
 * Introspection results, per process, by token hash: positive ones
 * (the claims) and negative ones ("inactive"), so that a client
 * repeating a dead or made-up token does not make us ask the provider
 * every time.  Both belong to one configuration: cache_gen is the
 * app's generation they were filled under.
 */
static struct {
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	time_t		 until;
	struct bearer	 b;
} cache[INTROSPECT_CACHE];
static size_t	 cache_next;
static struct {
	unsigned char	 hash[CRYPTO_SHA256_LEN];
	time_t		 until;
} inactive[INTROSPECT_NEG_CACHE];
static size_t		 inactive_next;
static unsigned long	 cache_gen;

/* Forgets every introspection result (a new configuration). */
static void
cache_clear(void)
{
	crypto_wipe(cache, sizeof(cache));
	crypto_wipe(inactive, sizeof(inactive));
	cache_next = inactive_next = 0;
}

/*
 * What the introspection endpoint's status (other than 200) and error
 * body say.  RFC 7662 section 2.3: a request the provider will not
 * answer about is refused with an RFC 6749 section 5.2 error; panva's
 * oidc-provider answers 400 unsupported_token_type to a JWT access
 * token it will not introspect.  Such a refusal is about the token, so
 * the client is told invalid_token (RFC 6750 section 3.1) and signs in
 * again; a 503 would tell it to retry, and let anyone make us log what
 * looks like an outage.  Refusals of our own client authentication
 * (401 or 403, RFC 7662 section 2.1, or 400 invalid_client, RFC 6749
 * section 5.2) are ours to fix, as are a wrong endpoint (404, 405),
 * a throttle or timeout (408, 429) and the provider's faults (5xx).
 */
enum introspect_refusal
introspection_refusal(long status, const char *body, size_t len)
{
	struct json_object	*o = NULL;
	const char		*error;
	enum introspect_refusal	 r;

	if (status == 401 || status == 403)
		return INTROSPECT_CREDENTIALS_REFUSED;
	if (status < 400 || status > 499 || status == 404 || status == 405 ||
	    status == 408 || status == 429)
		return INTROSPECT_PROVIDER_FAILED;
	r = INTROSPECT_TOKEN_REFUSED;
	if (body != NULL &&
	    json_parse_strict(body, len, &o) == JSONU_OK &&
	    json_object_is_type(o, json_type_object) &&
	    (error = json_get_string(o, "error")) != NULL &&
	    (strcmp(error, "invalid_client") == 0 ||
	    strcmp(error, "unauthorized_client") == 0))
		r = INTROSPECT_CREDENTIALS_REFUSED;
	json_object_put(o);
	return r;
}

/*
 * A token the provider refused to introspect: a client's mistake (or a
 * stranger's guess), logged as a refusal, not as a failure.
 */
static void
log_introspection_refused(long status, const unsigned char *hash)
{
	struct log_line	 l;

	log_begin(&l, "token_rejected");
	log_str(&l, "reason", "the provider will not introspect it");
	log_int(&l, "status", status);
	log_hash(&l, "token", hash);
	log_end(&l);
}

/* Remembers for 30 s that the provider does not accept this token. */
static void
remember_inactive(const unsigned char *hash, time_t now)
{
	size_t	 i;

	i = inactive_next++ % INTROSPECT_NEG_CACHE;
	memcpy(inactive[i].hash, hash, CRYPTO_SHA256_LEN);
	inactive[i].until = now + INTROSPECT_NEG_TTL;
}

/*
 * An opaque token checked by the provider (RFC 7662): POSTed with this
 * server's client credentials; "active" must be true and the claims as
 * for a JWT.  Positive answers are kept for min(exp, 60 s), never past
 * the token's expiry; "inactive" ones for 30 s.  gen identifies the
 * configuration (struct app's cfg_gen): a new one empties the caches.
 */
int
bearer_validate_introspection(const struct config *cfg, unsigned long gen,
    const struct http_request *req, time_t now, struct bearer *b)
{
	struct http_auth	 a;
	struct httpc_request	 hr;
	struct json_object	*o = NULL, *v;
	struct buf		 form, body, id, secret;
	char			 err[512], token[HTTP_AUTH_TOKEN_MAX + 1];
	long			 status;
	size_t			 i;
	int			 rc;

	if ((rc = presented(req, &a, b)) != BEARER_OK)
		return rc;
	if (gen != cache_gen) {
		cache_clear();
		cache_gen = gen;
	}
	for (i = 0; i < INTROSPECT_CACHE; i++)
		if (cache[i].until > now &&
		    crypto_equal(cache[i].hash, b->hash, CRYPTO_SHA256_LEN)) {
			*b = cache[i].b;
			return BEARER_OK;
		}
	for (i = 0; i < INTROSPECT_NEG_CACHE; i++)
		if (inactive[i].until > now && crypto_equal(inactive[i].hash,
		    b->hash, CRYPTO_SHA256_LEN))
			return BEARER_EINVALID;
	memcpy(token, a.token, a.token_len);
	token[a.token_len] = '\0';
	buf_init(&form);
	buf_init(&body);
	buf_puts(&form, "token=");
	url_escape(&form, token);
	buf_puts(&form, "&token_type_hint=access_token");
	crypto_wipe(token, sizeof(token));
	/* RFC 6749 §2.3.1: Basic credentials are form-encoded first. */
	buf_init(&id);
	buf_init(&secret);
	url_escape(&id, cfg->introspection_client_id);
	url_escape(&secret, cfg->introspection_client_secret);
	memset(&hr, 0, sizeof(hr));
	hr.url = cfg->introspection_endpoint;
	hr.ca_file = cfg->http_ca_file;
	hr.form = buf_cstr(&form);
	hr.user = buf_cstr(&id);
	hr.password = buf_cstr(&secret);
	hr.max_body = INTROSPECT_BODY_MAX;
	rc = httpc_fetch(&hr, &body, &status, err, sizeof(err));
	crypto_wipe(form.data, form.len);
	crypto_wipe(secret.data, secret.len);
	buf_free(&form);
	buf_free(&id);
	buf_free(&secret);
	if (rc == HTTPC_ESTATUS) {
		switch (introspection_refusal(status, buf_cstr(&body),
		    body.len)) {
		case INTROSPECT_TOKEN_REFUSED:
			log_introspection_refused(status, b->hash);
			remember_inactive(b->hash, now);
			rc = BEARER_EINVALID;
			break;
		case INTROSPECT_CREDENTIALS_REFUSED:
			log_msg("introspection_failed", "%s: our client "
			    "credentials are refused (introspection_client_id "
			    "and introspection_client_secret)", err);
			rc = BEARER_EUNAVAILABLE;
			break;
		default:
			log_msg("introspection_failed", "%s", err);
			rc = BEARER_EUNAVAILABLE;
			break;
		}
		buf_free(&body);
		return rc;
	}
	if (rc != HTTPC_OK) {
		log_msg("introspection_failed", "%s", err);
		buf_free(&body);
		return BEARER_EUNAVAILABLE;
	}
	if (json_parse_strict(buf_cstr(&body), body.len, &o) != JSONU_OK ||
	    !json_object_is_type(o, json_type_object)) {
		log_msg("introspection_failed", "%s: not a JSON object",
		    cfg->introspection_endpoint);
		rc = BEARER_EUNAVAILABLE;
		goto out;
	}
	if (!json_object_object_get_ex(o, "active", &v) ||
	    !json_object_is_type(v, json_type_boolean) ||
	    !json_object_get_boolean(v)) {
		/*
		 * Kept for 30 s: a token the provider calls inactive does
		 * not become active.  A refusal on the claims is not kept
		 * (an nbf in the future passes).
		 */
		remember_inactive(b->hash, now);
		rc = BEARER_EINVALID;
		goto out;
	}
	if ((rc = bearer_from_claims(cfg, o, now, 0, b)) != BEARER_OK)
		goto out;
	i = cache_next++ % INTROSPECT_CACHE;
	memcpy(cache[i].hash, b->hash, CRYPTO_SHA256_LEN);
	cache[i].until = now + INTROSPECT_TTL_MAX < b->expires ?
	    now + INTROSPECT_TTL_MAX : b->expires;
	cache[i].b = *b;
out:
	json_object_put(o);
	buf_free(&body);
	return rc;
}
