/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "authreq.h"
#include "buf.h"
#include "client.h"
#include "config.h"
#include "crypto.h"
#include "form.h"
#include "oauth.h"
#include "redirect.h"
#include "scope.h"
#include "session.h"
#include "store.h"

enum check {
	CHECK_VALID = 0,
	CHECK_INVALID,		/* answer with the row's error */
	CHECK_ENOMEM		/* answer with a server error */
};

/* authreq_scope() answers in both: the header's names must agree. */
_Static_assert((int)CHECK_VALID == AUTHREQ_SCOPE_OK &&
    (int)CHECK_INVALID == AUTHREQ_SCOPE_INVALID &&
    (int)CHECK_ENOMEM == AUTHREQ_SCOPE_ENOMEM,
    "enum check and AUTHREQ_SCOPE_* differ");

/*
 * One parameter checked after the redirect URI is trusted.  A required
 * parameter that is absent is an invalid_request with the description
 * missing.  Otherwise check() sees the value (NULL when absent), keeps
 * what the request needs in r, and on CHECK_INVALID the answer is
 * error with the description invalid, or r->text when invalid is NULL.
 */
struct param {
	const char	*name;
	int		 required;
	enum check	(*check)(struct authreq *, const char *,
			    const struct config *);
	const char	*missing;
	const char	*error;
	const char	*invalid;
};

static enum check	check_state(struct authreq *, const char *,
			    const struct config *);
static enum check	check_response_type(struct authreq *, const char *,
			    const struct config *);
static enum check	check_response_mode(struct authreq *, const char *,
			    const struct config *);
static enum check	check_method(struct authreq *, const char *,
			    const struct config *);
static enum check	check_challenge(struct authreq *, const char *,
			    const struct config *);
static enum check	check_prompt(struct authreq *, const char *,
			    const struct config *);
static enum check	check_scope(struct authreq *, const char *,
			    const struct config *);
static enum check	check_resource(struct authreq *, const char *,
			    const struct config *);

/*
 * In the order the checks are made.  state comes first: an error
 * before it is accepted carries no state, every later one does.
 * code_challenge is required before its method is looked at, and its
 * form is checked after, so each request hears of the first thing it
 * got wrong in the order a client builds the PKCE parameters.
 */
static const struct param params[] = {
	{ "state", 0, check_state, NULL, "invalid_request",
	    "state is longer than 1024 characters" },
	{ "response_type", 1, check_response_type,
	    "response_type is required", "unsupported_response_type",
	    "only response_type=code is supported" },
	{ "response_mode", 0, check_response_mode, NULL, "invalid_request",
	    "only response_mode=query is supported" },
	{ "code_challenge", 1, NULL,
	    "code_challenge is required (PKCE S256)", NULL, NULL },
	{ "code_challenge_method", 1, check_method,
	    "code_challenge_method must be S256", "invalid_request",
	    "code_challenge_method must be S256" },
	{ "code_challenge", 1, check_challenge, NULL, "invalid_request",
	    "code_challenge must be the base64url SHA-256 of the "
	    "code_verifier (43 characters)" },
	{ "prompt", 0, check_prompt, NULL, "invalid_request",
	    "unsupported prompt value" },
	{ "scope", 0, check_scope, NULL, "invalid_scope", NULL },
	{ "resource", 0, check_resource, NULL, "invalid_target",
	    "resource must be this server's MCP URL" },
};

#define NPARAMS	(sizeof(params) / sizeof(params[0]))

static enum check
check_state(struct authreq *r, const char *v, const struct config *cfg)
{
	(void)cfg;
	if (v != NULL && strlen(v) > AUTHREQ_STATE_MAX)
		return CHECK_INVALID;
	r->state = v;
	return CHECK_VALID;
}

static enum check
check_response_type(struct authreq *r, const char *v,
    const struct config *cfg)
{
	(void)r;
	(void)cfg;
	return strcmp(v, "code") == 0 ? CHECK_VALID : CHECK_INVALID;
}

static enum check
check_response_mode(struct authreq *r, const char *v,
    const struct config *cfg)
{
	(void)r;
	(void)cfg;
	return v == NULL || strcmp(v, "query") == 0 ? CHECK_VALID :
	    CHECK_INVALID;
}

static enum check
check_method(struct authreq *r, const char *v, const struct config *cfg)
{
	(void)r;
	(void)cfg;
	return strcmp(v, "S256") == 0 ? CHECK_VALID : CHECK_INVALID;
}

static enum check
check_challenge(struct authreq *r, const char *v, const struct config *cfg)
{
	(void)cfg;
	if (!pkce_challenge_valid(v))
		return CHECK_INVALID;
	r->challenge = v;
	return CHECK_VALID;
}

static enum check
check_prompt(struct authreq *r, const char *v, const struct config *cfg)
{
	(void)cfg;
	return authreq_prompt(v, &r->prompt) == 0 ? CHECK_VALID :
	    CHECK_INVALID;
}

/*
 * The requested scopes v, else the client's registered ones
 * (client_scope), in canonical form into out; when that leaves none,
 * the configured defaults.  Returns CHECK_VALID, CHECK_INVALID with
 * the reason in text, or CHECK_ENOMEM (AUTHREQ_SCOPE_* in the
 * header).  The device authorization endpoint takes its scope the same
 * way (device.c).
 */
int
authreq_scope(const struct config *cfg, const char *v,
    const char *client_scope, struct buf *out, char *text, size_t textsz)
{
	char	 bad[SCOPE_NAME_MAX + 1];
	size_t	 i;
	int	 rc;

	if (v == NULL)
		v = client_scope;
	if (v != NULL) {
		rc = scope_normalise(cfg, v, out, bad, sizeof(bad));
		if (rc == SCOPE_EUNKNOWN) {
			/*
			 * Scope names hold no quote or backslash (RFC 6749
			 * section 3.3), so the name fits the character set
			 * of error_description; single quotes, which it
			 * allows, set it off.
			 */
			snprintf(text, textsz, "unknown scope '%s'", bad);
			return CHECK_INVALID;
		}
		if (rc == SCOPE_ESYNTAX) {
			snprintf(text, textsz, "malformed scope");
			return CHECK_INVALID;
		}
	}
	if (out->len == 0) {
		for (i = 0; i < cfg->default_scopes.len; i++) {
			if (i > 0)
				buf_putc(out, ' ');
			buf_puts(out, cfg->default_scopes.items[i]);
		}
	}
	return buf_failed(out) ? CHECK_ENOMEM : CHECK_VALID;
}

static enum check
check_scope(struct authreq *r, const char *v, const struct config *cfg)
{
	return (enum check)authreq_scope(cfg, v, r->client.scope, &r->scope,
	    r->text, sizeof(r->text));
}

/*
 * RFC 8707: the resource, when sent, must be this server's MCP URL; a
 * client that sends none means the same (clients of MCP 2025-03-26
 * never send it).
 */
static enum check
check_resource(struct authreq *r, const char *v, const struct config *cfg)
{
	if (v != NULL && (!resource_valid(v) ||
	    !resource_equal(v, cfg->mcp_url)))
		return CHECK_INVALID;
	r->resource = cfg->mcp_url;
	return CHECK_VALID;
}

/*
 * Parses the prompt parameter (OpenID Connect Core section 3.1.2.1)
 * into PROMPT_* bits.  select_account is accepted and means nothing
 * here: there is one account per browser.  Returns 0, or -1 for an
 * unknown value or "none" with another.
 */
int
authreq_prompt(const char *s, uint32_t *out)
{
	size_t	 n;

	*out = 0;
	while (s != NULL && *s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		n = strcspn(s, " ");
		if (n == 4 && strncmp(s, "none", 4) == 0)
			*out |= PROMPT_NONE;
		else if (n == 5 && strncmp(s, "login", 5) == 0)
			*out |= PROMPT_LOGIN;
		else if (n == 7 && strncmp(s, "consent", 7) == 0)
			*out |= PROMPT_CONSENT;
		else if (!(n == 14 && strncmp(s, "select_account", 14) == 0))
			return -1;
		s += n;
	}
	/* OpenID Connect: "none" must stand alone. */
	if ((*out & PROMPT_NONE) && *out != PROMPT_NONE)
		return -1;
	return 0;
}

void
authreq_init(struct authreq *r)
{
	memset(r, 0, sizeof(*r));
	client_init(&r->client);
	buf_init(&r->scope);
}

void
authreq_free(struct authreq *r)
{
	client_free(&r->client);
	buf_free(&r->scope);
}

static int
fail_page(struct authreq *r, const char *description)
{
	r->description = description;
	return AUTHREQ_PAGE;
}

/*
 * A client registered before a redirect rule was added (a scheme that
 * is now refused) keeps its record, but is never redirected to.
 */
#define NOT_ALLOWED	"The application's redirect_uri is one this " \
			"server no longer redirects to; the application " \
			"must register again."

/*
 * The client and the redirect URI: an exact match with one the client
 * registered (loopback ports excepted, RFC 8252 section 7.3), or the
 * only one it registered when the request names none.
 */
/*
 * The page for a client_id this server does not know.  The likeliest
 * cause is a registration removed by the purge of unused ones
 * (registration_unused_lifetime): the person is told so, and how to
 * have the application register again, since applications keep their
 * client_id and do not register anew on their own.  The page's
 * template escapes the text.
 */
static int
unknown_client_page(struct authreq *r, const struct config *cfg)
{
	long	 days = cfg->registration_unused_lifetime / (24 * 3600);

	if (cfg->registration_unused_lifetime <= 0)
		return fail_page(r, "The application is not registered with "
		    "this server (unknown client_id). Remove this server "
		    "from the application and add it again, so that the "
		    "application registers again.");
	snprintf(r->unknown, sizeof(r->unknown), "The application is not "
	    "registered with this server (unknown client_id). "
	    "Registrations unused for %ld day%s are removed; if this "
	    "application was used here before, remove this server from "
	    "the application and add it again, so that the application "
	    "registers again.", days, days == 1 ? "" : "s");
	return fail_page(r, r->unknown);
}

static int
check_client(struct authreq *r, const struct config *cfg,
    const struct form *f, authreq_client_get client_get, void *arg)
{
	const char	*client_id = form_get(f, "client_id");
	const char	*redirect_uri = form_get(f, "redirect_uri");
	size_t		 i;
	int		 rc;

	if (client_id == NULL)
		return fail_page(r, "The request names no application "
		    "(client_id is missing).");
	rc = client_get(arg, client_id, &r->client);
	if (rc == STORE_NOTFOUND)
		return unknown_client_page(r, cfg);
	if (rc != STORE_OK) {
		r->store_rc = rc;
		return AUTHREQ_SERVER;
	}
	/*
	 * A client that registered only the device grant (RFC 8628) may
	 * not use this endpoint (RFC 6749 section 4.1.2.1,
	 * unauthorized_client).  Its redirect URI, if it registered one,
	 * is not one it asked to be sent codes at, so the answer is a page
	 * and nothing is redirected.
	 */
	if (!(r->client.grant_types & CLIENT_GRANT_CODE)) {
		r->error = "unauthorized_client";
		return fail_page(r, "The application is not registered to "
		    "sign people in here: it registered only the device "
		    "grant (unauthorized_client).");
	}
	if (redirect_uri != NULL) {
		for (i = 0; i < r->client.nredirect_uris; i++)
			if (redirect_uri_matches(r->client.redirect_uris[i],
			    redirect_uri))
				break;
		if (i == r->client.nredirect_uris)
			return fail_page(r, client_has_redirect(&r->client,
			    redirect_uri) ? NOT_ALLOWED : "The redirect_uri "
			    "is not one the application registered.");
		r->redirect_uri = redirect_uri;
		r->redirect_explicit = 1;
	} else if (r->client.nredirect_uris == 1) {
		r->redirect_uri = r->client.redirect_uris[0];
		r->redirect_explicit = 0;
		if (redirect_uri_valid(r->redirect_uri) != REDIRECT_OK)
			return fail_page(r, NOT_ALLOWED);
	} else if (r->client.nredirect_uris == 0)
		return fail_page(r, "The request has no redirect_uri and the "
		    "application registered none.");
	else
		return fail_page(r, "The request has no redirect_uri and the "
		    "application registered several.");
	return AUTHREQ_OK;
}

/*
 * Checks the request in f (r from authreq_init()).  Returns AUTHREQ_OK
 * with r filled, or how to answer: AUTHREQ_PAGE with r->description,
 * AUTHREQ_REDIRECT with r->error, r->description and r->state (to
 * r->redirect_uri), or AUTHREQ_SERVER with r->store_rc.
 */
int
authreq_check(struct authreq *r, const struct config *cfg,
    const struct form *f, authreq_client_get client_get, void *arg)
{
	const struct param	*p;
	const char		*v;
	size_t			 i;
	int			 rc;

	if ((rc = check_client(r, cfg, f, client_get, arg)) != AUTHREQ_OK)
		return rc;
	/* The redirect URI is trusted from here on. */
	for (i = 0; i < NPARAMS; i++) {
		p = &params[i];
		v = form_get(f, p->name);
		if (v == NULL && p->required) {
			r->error = "invalid_request";
			r->description = p->missing;
			return AUTHREQ_REDIRECT;
		}
		if (p->check == NULL)
			continue;
		switch (p->check(r, v, cfg)) {
		case CHECK_VALID:
			break;
		case CHECK_INVALID:
			r->error = p->error;
			r->description = p->invalid != NULL ? p->invalid :
			    r->text;
			return AUTHREQ_REDIRECT;
		case CHECK_ENOMEM:
			r->store_rc = STORE_ENOMEM;
			return AUTHREQ_SERVER;
		}
	}
	return AUTHREQ_OK;
}

/*
 * The pending request for r, created at now and kept lifetime seconds.
 * Its strings point into r, so it lives as long as r does; the browser
 * binding and CSRF hashes are left zero for the caller.
 */
void
authreq_pending(const struct authreq *r, int64_t now, long lifetime,
    struct pending *pd)
{
	memset(pd, 0, sizeof(*pd));
	pd->client_id = (char *)r->client.id;
	pd->redirect_uri = (char *)r->redirect_uri;
	pd->redirect_explicit = (uint32_t)r->redirect_explicit;
	pd->state = (char *)(r->state != NULL ? r->state : "");
	pd->challenge = (char *)r->challenge;
	pd->scope = (char *)buf_cstr(&r->scope);
	pd->resource = (char *)r->resource;
	pd->prompt = r->prompt;
	pd->created = now;
	pd->expires = now + lifetime;
}
