/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "template.h"

#define PAGE_CACHE	8

/* Templates are read once per process (per www_dir). */
static struct {
	char	*dir;
	char	*name;
	char	*text;
} cache[PAGE_CACHE];

/*
 * Headers of every HTML response (RFC 9700 §4.16, §4.2: no framing, no
 * referrer to leak the code or state).  The CSP has no form-action:
 * Chrome applies it to the whole redirect chain and would block the
 * redirect to the client.
 */
void
page_headers(struct http_response *resp)
{
	http_header(resp, "Content-Type", "text/html; charset=utf-8");
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Pragma", "no-cache");
	http_header(resp, "X-Frame-Options", "DENY");
	http_header(resp, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	http_header(resp, "Referrer-Policy", "no-referrer");
	http_header(resp, "X-Content-Type-Options", "nosniff");
}

static const char *
template_text(const char *dir, const char *name, char *err, size_t errsz)
{
	char	*text;
	size_t	 i;

	for (i = 0; i < PAGE_CACHE && cache[i].name != NULL; i++)
		if (strcmp(cache[i].name, name) == 0 &&
		    strcmp(cache[i].dir, dir) == 0)
			return cache[i].text;
	if (tmpl_load(dir, name, &text, err, errsz) != TMPL_OK)
		return NULL;
	if (i == PAGE_CACHE) {
		/* A changed www_dir: start the cache over. */
		for (i = 0; i < PAGE_CACHE; i++) {
			free(cache[i].dir);
			free(cache[i].name);
			free(cache[i].text);
			cache[i].dir = cache[i].name = cache[i].text = NULL;
		}
		i = 0;
	}
	cache[i].dir = strdup(dir);
	cache[i].name = strdup(name);
	cache[i].text = text;
	if (cache[i].dir == NULL || cache[i].name == NULL) {
		free(cache[i].dir);
		free(cache[i].name);
		cache[i].dir = cache[i].name = NULL;
		cache[i].text = NULL;
		free(text);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	return text;
}

/* The page of last resort, when a template cannot be used. */
static void
fallback(struct http_response *resp, const char *title)
{
	http_status(resp, 500);
	buf_reset(&resp->body);
	buf_puts(&resp->body, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>");
	html_escape(&resp->body, title);
	buf_puts(&resp->body, "</title></head><body><h1>Server error</h1>"
	    "<p>This page cannot be shown right now. The server's error log "
	    "says why.</p></body></html>\n");
}

/*
 * Renders template name with vars (plus "site", "title" and "base",
 * the issuer's path that every URL of a page starts with) as the
 * whole response.  Returns 0, or -1 after answering a 500 page.
 */
int
page_render(const struct config *cfg, struct http_response *resp,
    int status, const char *name, const char *title,
    const struct tmpl_var *vars, size_t nvars)
{
	struct tmpl_var		*all;
	struct tmpl_scope	 scope;
	const char		*text;
	char			 err[TEMPLATE_ERR_MAX];

	page_headers(resp);
	http_status(resp, status);
	buf_reset(&resp->body);
	err[0] = '\0';
	if ((text = template_text(cfg->www_dir, name, err, sizeof(err))) ==
	    NULL) {
		log_msg("template_error", "%s", err);
		fallback(resp, title);
		return -1;
	}
	if ((all = calloc(nvars + 3, sizeof(*all))) == NULL) {
		fallback(resp, title);
		return -1;
	}
	memcpy(all, vars, nvars * sizeof(*all));
	all[nvars].name = "site";
	all[nvars].type = TMPL_STR;
	all[nvars].str = cfg->resource_name;
	all[nvars + 1].name = "title";
	all[nvars + 1].type = TMPL_STR;
	all[nvars + 1].str = title;
	/* The issuer's path, before every URL a page names. */
	all[nvars + 2].name = "base";
	all[nvars + 2].type = TMPL_STR;
	all[nvars + 2].str = cfg->issuer_path;
	scope.vars = all;
	scope.nvars = nvars + 3;
	if (tmpl_render(text, &scope, &resp->body, err, sizeof(err)) !=
	    TMPL_OK) {
		log_msg("template_error", "%s: %s", name, err);
		fallback(resp, title);
		free(all);
		return -1;
	}
	free(all);
	return 0;
}

/*
 * The page for a person when the configuration cannot be loaded: no
 * template directory is known then, so it is the page of last resort.
 */
void
page_config_error(struct http_response *resp)
{
	page_headers(resp);
	fallback(resp, "Server error");
}

/* An error page for a person: a title, what happened, what to do. */
void
page_error(const struct config *cfg, struct http_response *resp, int status,
    const char *title, const char *message, const char *hint)
{
	const struct tmpl_var	 vars[] = {
		{ .name = "message", .str = message },
		{ .name = "hint", .str = hint != NULL ? hint : "" },
	};

	page_render(cfg, resp, status, "error", title, vars,
	    sizeof(vars) / sizeof(vars[0]));
}

/*
 * Cookie names: with https, "__Host-" names that browsers only accept
 * from a secure origin, for the whole host (Path=/), with no Domain
 * (RFC 6265bis section 4.1.3.2).  An issuer with a path (a
 * subdirectory install) keeps its cookies to that path, which
 * "__Host-" forbids: its names are "__Secure-" ones (section 4.1.3.1),
 * still refused by browsers from an insecure origin.  Over plain http
 * on localhost in development, the prefix and Secure are dropped
 * (browsers would refuse them).
 */
void
cookie_name(const struct config *cfg, const char *base, char *out,
    size_t outsz)
{
	const char	*prefix = "";

	if (cfg->issuer_https)
		prefix = cfg->issuer_path[0] == '\0' ? "__Host-" :
		    "__Secure-";
	snprintf(out, outsz, "%s%s", prefix, base);
}

/*
 * Sets a cookie for the issuer's path ("/" for an origin); max_age 0
 * makes a browser-session cookie, -1 deletes.
 */
void
cookie_set(struct http_response *resp, const struct config *cfg,
    const char *base, const char *value, long max_age)
{
	char		 name[PAGE_COOKIE_NAME_MAX];
	const char	*path = cfg->issuer_path[0] != '\0' ?
			    cfg->issuer_path : "/";

	cookie_name(cfg, base, name, sizeof(name));
	if (max_age > 0)
		http_headerf(resp, "Set-Cookie", "%s=%s; Path=%s;%s HttpOnly; "
		    "SameSite=Lax; Max-Age=%ld", name, value, path,
		    cfg->issuer_https ? " Secure;" : "", max_age);
	else if (max_age == 0)
		http_headerf(resp, "Set-Cookie", "%s=%s; Path=%s;%s HttpOnly; "
		    "SameSite=Lax", name, value, path,
		    cfg->issuer_https ? " Secure;" : "");
	else
		http_headerf(resp, "Set-Cookie", "%s=; Path=%s;%s HttpOnly; "
		    "SameSite=Lax; Max-Age=0", name, path,
		    cfg->issuer_https ? " Secure;" : "");
}
