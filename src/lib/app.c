/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "app.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "form.h"
#include "http.h"
#include "httpclient.h"
#include "log.h"
#include "oauth.h"
#include "page.h"
#include "purge.h"
#include "store.h"

extern char **environ;

/* The most a CGI program reads and discards after answering. */
#define CGI_DRAIN_MAX	(256 * 1024 * 1024)

/*
 * A configuration that no longer loads, in the audit trail of the
 * database the previous one opened (none is known otherwise).  Best
 * effort: the log has it anyway.
 */
static void
app_audit_config_error(struct app *a, const char *err)
{
	struct store_txn	*t;

	if (a->store == NULL || store_begin(a->store, 0, &t) != STORE_OK)
		return;
	if (audit_record(t, a->cfg, AUDIT_CONFIG_ERROR, NULL, NULL, NULL,
	    err) == STORE_OK)
		store_commit(t);
	else
		store_abort(t);
}

/*
 * Loads the configuration when none is loaded or the file changed
 * (device, inode, size or mtime), so that fixing a broken file fixes
 * the site without a restart.  Errors are logged when they change, not
 * on every request.
 */
static int
app_config_refresh(struct app *a, char **envp)
{
	struct config	*cfg;
	struct stat	 sb;
	const char	*path;
	char		 err[CONFIG_ERR_MAX];

	/*
	 * The web server may name the file per request (Apache's SetEnv
	 * in an .htaccess reaches a FastCGI program only this way);
	 * otherwise the program's environment does.
	 */
	if ((path = http_env(envp, "MCP_OAUTH_CONFIG")) == NULL)
		path = a->config_path;
	if (stat(path, &sb) == 0 && a->cfg != NULL &&
	    strcmp(a->cfg->path, path) == 0 &&
	    sb.st_dev == a->cfg_dev && sb.st_ino == a->cfg_ino &&
	    sb.st_mtime == a->cfg_mtime && sb.st_size == a->cfg_size)
		return 0;
	if (config_load(path, &cfg, err, sizeof(err)) != CONFIG_OK) {
		if (strcmp(err, a->cfg_err) != 0) {
			log_msg("config_error", "%s", err);
			app_audit_config_error(a, err);
			snprintf(a->cfg_err, sizeof(a->cfg_err), "%s", err);
		}
		config_free(a->cfg);
		a->cfg = NULL;
		return -1;
	}
	if (a->cfg_err[0] != '\0' || a->cfg != NULL)
		log_msg("config_loaded", "%s", path);
	a->cfg_err[0] = '\0';
	/* A different database means reopening it on next use. */
	if (a->store != NULL && (a->cfg == NULL ||
	    strcmp(a->cfg->db_path, cfg->db_path) != 0 ||
	    a->cfg->db_map_size != cfg->db_map_size)) {
		store_close(a->store);
		a->store = NULL;
	}
	config_free(a->cfg);
	a->cfg = cfg;
	a->cfg_gen++;
	if (stat(path, &sb) == 0) {
		a->cfg_dev = sb.st_dev;
		a->cfg_ino = sb.st_ino;
		a->cfg_mtime = sb.st_mtime;
		a->cfg_size = sb.st_size;
	}
	return 0;
}

/*
 * The database, opened on first use in this process.  A failure is
 * logged when its message changes and retried on the next request.
 */
int
app_store(struct app *a, struct store **out)
{
	char	 err[STORE_ERR_MAX];
	int	 rc;

	*out = NULL;
	if (a->store != NULL) {
		*out = a->store;
		return STORE_OK;
	}
	rc = store_open(a->cfg->db_path, a->cfg->db_map_size, 0, &a->store,
	    err, sizeof(err));
	if (rc != STORE_OK) {
		if (strcmp(err, a->store_err) != 0) {
			log_msg("database_error", "%s", err);
			snprintf(a->store_err, sizeof(a->store_err), "%s", err);
		}
		return rc;
	}
	a->store_err[0] = '\0';
	if (store_stale_readers(a->store) > 0)
		log_msg("database_readers", "cleared %d stale reader slots",
		    store_stale_readers(a->store));
	*out = a->store;
	return STORE_OK;
}

/*
 * Housekeeping on the write paths (expired codes, tokens, grants,
 * sessions, pending requests and counters go away as the site is
 * used, not only when the administrator purges): after every
 * APP_PURGE_EVERY-th write of a process, one small purge step in a
 * transaction of its own, so that a failure there (a full map) can
 * never spoil the request's own transaction.  Failures are ignored:
 * the next step, or mcp-oauth-admin purge, tries again.
 */
void
app_purge_some(struct app *a)
{
	struct store		*st;
	struct store_txn	*t;
	struct purge_counts	 c;
	struct audit_bounds	 b;

	if (a->writes++ % APP_PURGE_EVERY != 0 ||
	    app_store(a, &st) != STORE_OK ||
	    store_begin(st, 0, &t) != STORE_OK)
		return;
	memset(&c, 0, sizeof(c));
	audit_bounds_of(a->cfg, &b);
	if (purge_expired(t, time(NULL), a->cfg->registration_unused_lifetime,
	    APP_PURGE_RECORDS, &c) == STORE_OK &&
	    audit_trim(t, &b, audit_now_us(), APP_PURGE_RECORDS, NULL) ==
	    STORE_OK)
		store_commit(t);
	else
		store_abort(t);
}

/*
 * With token_validation = jwt or introspection this site is a resource
 * server only: another server (authorization_server) issues the tokens
 * /mcp accepts, and a token, code or client of ours would only be
 * refused there.  The built-in authorization server's endpoints
 * (/authorize, /token, /register, /revoke and its metadata) then
 * answer 404, in the shape their callers read (shape: APP_ANSWER_JSON
 * or APP_ANSWER_PAGE), naming the server to use instead.  Each such
 * program calls this first; it returns 1 when it answered, else 0.
 */
int
app_resource_server_only(struct app *a, struct http_response *resp,
    int shape)
{
	char	 msg[1200];

	if (a->cfg->token_validation == TOKEN_VALIDATION_LOCAL)
		return 0;
	snprintf(msg, sizeof(msg), "this server is an OAuth resource server "
	    "only; its authorization server is %s",
	    a->cfg->authorization_server);
	if (shape == APP_ANSWER_PAGE) {
		page_error(a->cfg, resp, 404, "Not signing in here", msg,
		    "The application should have sent you to that server; "
		    "try connecting it again.");
		return 1;
	}
	oauth_cors(resp);
	oauth_no_store(resp);
	http_json_error(resp, 404, "not_found", msg);
	return 1;
}

/*
 * Reads the request body within limit.  On failure the response is set
 * (413 or 400) and -1 returned.
 */
int
app_read_body(struct app *a, struct http_request *req,
    struct http_response *resp, size_t limit)
{
	int	 rc;

	rc = http_read_body(req, a->in, limit);
	switch (rc) {
	case HTTP_OK:
		return 0;
	case HTTP_ETOOBIG:
		http_json_error(resp, 413, "invalid_request",
		    "request body too large");
		break;
	case HTTP_ENOMEM:
		http_json_error(resp, 500, "server_error", "out of memory");
		break;
	default:
		http_json_error(resp, 400, "invalid_request",
		    "malformed or incomplete request body");
		break;
	}
	return -1;
}

/*
 * The form-encoded body of an OAuth endpoint's POST (RFC 6749 section
 * 3.2), read within limit and parsed into f.  Returns 0; -1 with e set
 * for a request the client must change; 1 when the answer is already
 * made (a body too large or unreadable), with Cache-Control: no-store.
 */
int
app_read_form(struct app *a, struct http_request *req,
    struct http_response *resp, size_t limit, struct form *f,
    struct oauth_error *e)
{
	int	 rc;

	if (!http_content_type_is(req, "application/x-www-form-urlencoded")) {
		oauth_error_set(e, 400, "invalid_request", "the body must be "
		    "application/x-www-form-urlencoded");
		return -1;
	}
	if (app_read_body(a, req, resp, limit) == -1) {
		oauth_no_store(resp);
		return 1;
	}
	if ((rc = form_parse(req->body, req->body_len, NULL, f)) != FORM_OK) {
		oauth_error_set(e, 400, "invalid_request", "%s%s%s",
		    form_strerror(rc), f->bad_name[0] ? ": " : "", f->bad_name);
		return -1;
	}
	return 0;
}

/*
 * As plain CGI, reads what is left of the request body before
 * answering.  A program that answers without reading the body (a 401
 * at /mcp, a 413) would otherwise exit with the web server still
 * writing to it, and Apache's mod_cgi then resets the client's
 * connection instead of sending the answer; draining before writing
 * also keeps a large answer from filling the pipe while the server is
 * still blocked writing the body.  Under FastCGI, libfcgi discards
 * unread input itself.
 */
static void
cgi_drain(const struct http_io *in)
{
	char	 sink[16384];
	size_t	 total = 0;
	ssize_t	 n;

	while (total < CGI_DRAIN_MAX &&
	    (n = in->read(in->ctx, sink, sizeof(sink))) > 0)
		total += (size_t)n;
	/* What was discarded may hold a password or a secret. */
	crypto_wipe(sink, sizeof(sink));
}

/*
 * A site whose issuer is https answers nothing that reached it without
 * TLS (the web server's HTTPS variable, set by lighttpd and mod_ssl):
 * tokens, codes, passwords and client secrets must not cross the
 * network in the clear (OAuth 2.1 section 1.5).  Refused
 * rather than redirected: what the request carried has already been
 * sent, and a client given an http URL should learn that it is wrong.
 * A development issuer (http://localhost) is exempt.  Logged once per
 * process, for the site behind a TLS-terminating proxy that does not
 * set HTTPS=on.
 */
static void
app_refuse_plain(struct app *a, const struct http_request *req,
    struct http_response *resp)
{
	if (!a->plain_logged) {
		log_msg("plain_http_refused", "a request for %s arrived "
		    "without TLS while the issuer is %s; if a proxy "
		    "terminates TLS, have the web server set HTTPS=on (or, "
		    "if you cannot, set require_https = no)",
		    req->path, a->cfg->issuer);
		a->plain_logged = 1;
	}
	http_json_error(resp, 403, "invalid_request",
	    "this server answers only over https");
}

/*
 * Under an issuer with a path (a subdirectory install, issuer
 * https://example.com/mcp-auth) every endpoint sits under that path,
 * and the programs route on the path without it: path is rewritten in
 * place from "/mcp-auth/authorize" to "/authorize" ("/mcp-auth" alone
 * becomes "/").  A path merely starting with the same characters
 * ("/mcp-authX") is not under it.  The two metadata URLs of RFC 8414
 * section 3.1 and RFC 9728 section 3.1, which put the issuer's path
 * after the well-known segment at the root of the site
 * ("/.well-known/oauth-authorization-server/mcp-auth" and
 * "/.well-known/oauth-protected-resource/mcp-auth/mcp", reached through
 * a rule in the root's .htaccess), become the same documents' paths
 * under the issuer.  Returns 0, or -1 for a path outside the issuer,
 * which no program serves.  With an origin issuer nothing changes.
 */
int
app_issuer_path(const struct config *cfg, char *path)
{
	static const char as_doc[] = "/.well-known/oauth-authorization-server";
	static const char prm_doc[] = "/.well-known/oauth-protected-resource";
	const char	*base = cfg->issuer_path;
	size_t		 n = strlen(base), as = sizeof(as_doc) - 1,
			 prm = sizeof(prm_doc) - 1;

	if (n == 0)
		return 0;
	if (strncmp(path, base, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0')) {
		if (path[n] == '\0')
			memcpy(path, "/", 2);
		else
			memmove(path, path + n, strlen(path + n) + 1);
		return 0;
	}
	if (strncmp(path, as_doc, as) == 0 &&
	    strcmp(path + as, base) == 0) {
		path[as] = '\0';
		return 0;
	}
	if (strncmp(path, prm_doc, prm) == 0 &&
	    strncmp(path + prm, base, n) == 0 &&
	    strcmp(path + prm + n, "/mcp") == 0) {
		memmove(path + prm, path + prm + n, strlen(path + prm + n) + 1);
		return 0;
	}
	return -1;
}

/* The answer of an endpoint whose configuration cannot be loaded. */
void
app_config_error_oauth(struct http_response *resp)
{
	http_json_error(resp, 500, "server_error", "the server configuration "
	    "could not be loaded; see the web server's error log");
}

/* Serves one request: parse, configuration, handler, response. */
int
app_serve(struct app *a, char **envp, const struct http_io *in,
    const struct http_io *out, app_handler handler)
{
	struct http_request	 req;
	struct http_response	 resp;
	int			 rc;

	a->in = in;
	a->out = out;
	a->requests++;
	http_response_init(&resp);
	if (http_request_init(&req, envp) != HTTP_OK) {
		http_json_error(&resp, 500, "server_error", "out of memory");
	} else if (app_config_refresh(a, envp) == -1) {
		if (a->config_error != NULL)
			a->config_error(&resp);
		else
			app_config_error_oauth(&resp);
	} else {
		if (req.method == HTTP_HEAD)
			resp.omit_body = 1;
		if (!req.https && a->cfg->issuer_https &&
		    a->cfg->require_https)
			app_refuse_plain(a, &req, &resp);
		else if (app_issuer_path(a->cfg, req.path) == -1) {
			http_header(&resp, "Access-Control-Allow-Origin", "*");
			http_json_error(&resp, 404, "not_found", "not under "
			    "this server's issuer path");
		} else
			handler(a, &req, &resp);
	}
	if (a->cgi)
		cgi_drain(in);
	rc = http_response_write(&resp, out);
	http_response_free(&resp);
	http_request_free(&req);
	return rc;
}

void
app_free(struct app *a)
{
	httpc_cleanup();
	store_close(a->store);
	a->store = NULL;
	config_free(a->cfg);
	a->cfg = NULL;
}

static ssize_t
fcgi_read(void *ctx, char *p, size_t n)
{
	int	 got;

	if (n > 1 << 30)
		n = 1 << 30;
	got = FCGX_GetStr(p, (int)n, ctx);
	return got < 0 ? -1 : got;
}

static int
fcgi_write(void *ctx, const char *p, size_t n)
{
	while (n > 0) {
		int	 chunk = n > 1 << 30 ? 1 << 30 : (int)n;

		if (FCGX_PutStr(p, chunk, ctx) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

/* Sends what libfcgi holds as a FastCGI record (mcpstream.c). */
static int
fcgi_flush(void *ctx)
{
	return FCGX_FFlush(ctx) == 0 ? 0 : -1;
}

static ssize_t
fd_read(void *ctx, char *p, size_t n)
{
	ssize_t	 got;

	do
		got = read(*(int *)ctx, p, n);
	while (got == -1 && errno == EINTR);
	return got;
}

static int
fd_write(void *ctx, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(*(int *)ctx, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * SIGTERM (the web server stopping or shrinking its pool) ends the
 * request loop instead of the process, so that the process frees what
 * it holds and exits through main(): the leak checkers (LeakSanitizer,
 * valgrind) only look at a process that exits.  The handler puts
 * /dev/null where the listening socket was, which is all it may safely
 * do: a blocked accept() (restarted after the handler) then fails at
 * once, and so does the next one if the signal came while a request
 * was being served, which finishes first.  Only this process's
 * descriptor changes; others sharing the socket (spawn-fcgi -F) keep
 * accepting.  FCGX_ShutdownPending() tells libfcgi not to retry.
 */
static void
app_on_term(int sig)
{
	int	 fd, saved = errno;

	(void)sig;
	FCGX_ShutdownPending();
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, FCGI_LISTENSOCK_FILENO);
		if (fd != FCGI_LISTENSOCK_FILENO)
			close(fd);
	}
	errno = saved;
}

/*
 * Installs app_on_term() for a FastCGI process (a CGI process keeps the
 * default: it serves one request and is gone).  app_main() calls it; a
 * program with work to do before app_main() (mcp.fcgi parses its tools'
 * schemas) calls it first, so that a web server stopping at that moment
 * still ends the process through main().  libfcgi remembers the answer
 * of FCGX_IsCGI(), so the handler's /dev/null cannot change it later.
 */
void
app_catch_term(void)
{
	struct sigaction	 sa;

	if (FCGX_IsCGI())
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_term;
	sigemptyset(&sa.sa_mask);
	/* Restarted reads and writes let a request in progress finish. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * Blocks of APP_MMAP_THRESHOLD bytes and more are mapped on their own
 * and given back to the kernel when freed.  glibc's default threshold
 * moves up to the size of the largest mapped block freed so far, so
 * after one sign-in (scrypt's 16 MiB work area, see crypto.c) every
 * later work area came from the heap and stayed there: a process that
 * had signed someone in kept 17 MB of private memory for the rest of
 * its life.  Setting the threshold fixes it where it is.
 */
#define APP_MMAP_THRESHOLD	(256 * 1024)

static void
app_malloc_policy(void)
{
#ifdef M_MMAP_THRESHOLD
	mallopt(M_MMAP_THRESHOLD, APP_MMAP_THRESHOLD);
#endif
}

/*
 * The program's main(): FastCGI when the web server gave us a listening
 * socket, otherwise one CGI request.
 */
int
app_main(const char *name, app_handler handler,
    void (*config_error)(struct http_response *))
{
	struct app		 a;
	FCGX_Request		 r;
	const char		*path;
	int			 infd = STDIN_FILENO, outfd = STDOUT_FILENO;

	memset(&a, 0, sizeof(a));
	a.name = name;
	a.config_error = config_error != NULL ? config_error :
	    app_config_error_oauth;
	log_init(name);
	app_malloc_policy();
	crypto_init();
	signal(SIGPIPE, SIG_IGN);
	if ((path = getenv("MCP_OAUTH_CONFIG")) == NULL || *path == '\0')
		path = config_default_path();
	a.config_path = path;

	if (FCGX_IsCGI()) {
		struct http_io	 in = { fd_read, NULL, &infd };
		struct http_io	 out = { NULL, fd_write, &outfd };

		a.cgi = 1;
		app_serve(&a, environ, &in, &out, handler);
		app_free(&a);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0) {
		log_msg("fastcgi_error", "cannot initialise libfcgi");
		return 1;
	}
	app_catch_term();
	a.flush = fcgi_flush;
	while (FCGX_Accept_r(&r) >= 0) {
		struct http_io	 in = { fcgi_read, NULL, r.in };
		struct http_io	 out = { NULL, fcgi_write, r.out };

		app_serve(&a, r.envp, &in, &out, handler);
		FCGX_Finish_r(&r);
	}
	FCGX_Free(&r, 1);
	app_free(&a);
	return 0;
}
