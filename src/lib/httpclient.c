/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "httpclient.h"

#ifdef HAVE_CURL
#include <sys/socket.h>
#include <netinet/in.h>

#include <ctype.h>
#include <dlfcn.h>

/* For its types and constants: the library itself is loaded on use. */
#include <curl/curl.h>

/*
 * libcurl is loaded with dlopen() the first time a fetch is needed,
 * not linked: only a resource server that checks foreign tokens
 * (token_validation = jwt or introspection) ever fetches, and linking
 * would make every program load libcurl and the thirty libraries it
 * needs, doubling the memory and cold start of mcp.fcgi in the usual,
 * local mode.
 */
static struct {
	CURLcode	 (*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_perform)(CURL *);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void		 (*easy_cleanup)(CURL *);
	void		 (*easy_reset)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	CURLU		*(*url)(void);
	CURLUcode	 (*url_set)(CURLU *, CURLUPart, const char *,
			    unsigned int);
	CURLUcode	 (*url_get)(const CURLU *, CURLUPart, char **,
			    unsigned int);
	void		 (*url_cleanup)(CURLU *);
	void		 (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
} curl;

/*
 * One handle per process, reset after every fetch: it keeps its
 * connections (and TLS sessions) to the provider open, so that an
 * introspection costs a request, not a TCP and TLS handshake.
 */
static CURL	*handle;

static int	 curl_state;	/* 0 not yet, 1 ready, -1 unavailable */

/* Why libcurl could not be loaded, said again on every later try. */
static char	 curl_load_err[384];

static int
curl_load(char *err, size_t errsz)
{
	static const char *const names[] = { "libcurl.so.4", "libcurl.so" };
	const char	*why;
	void		*h = NULL;
	size_t		 i;

	if (curl_state != 0)
		goto done;
	curl_state = -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && h == NULL; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		why = dlerror();
		snprintf(curl_load_err, sizeof(curl_load_err), "%s",
		    why != NULL ? why : "libcurl.so.4: not found");
		goto done;
	}
	/* POSIX's way to store a dlsym() result in a function pointer. */
	*(void **)&curl.global_init = dlsym(h, "curl_global_init");
	*(void **)&curl.easy_init = dlsym(h, "curl_easy_init");
	*(void **)&curl.easy_setopt = dlsym(h, "curl_easy_setopt");
	*(void **)&curl.easy_perform = dlsym(h, "curl_easy_perform");
	*(void **)&curl.easy_getinfo = dlsym(h, "curl_easy_getinfo");
	*(void **)&curl.easy_cleanup = dlsym(h, "curl_easy_cleanup");
	*(void **)&curl.easy_reset = dlsym(h, "curl_easy_reset");
	*(void **)&curl.easy_strerror = dlsym(h, "curl_easy_strerror");
	*(void **)&curl.url = dlsym(h, "curl_url");
	*(void **)&curl.url_set = dlsym(h, "curl_url_set");
	*(void **)&curl.url_get = dlsym(h, "curl_url_get");
	*(void **)&curl.url_cleanup = dlsym(h, "curl_url_cleanup");
	*(void **)&curl.free = dlsym(h, "curl_free");
	*(void **)&curl.slist_append = dlsym(h, "curl_slist_append");
	*(void **)&curl.slist_free_all = dlsym(h, "curl_slist_free_all");
	if (curl.global_init == NULL || curl.easy_init == NULL ||
	    curl.easy_setopt == NULL || curl.easy_perform == NULL ||
	    curl.easy_getinfo == NULL || curl.easy_cleanup == NULL ||
	    curl.easy_reset == NULL || curl.easy_strerror == NULL ||
	    curl.url == NULL || curl.url_set == NULL ||
	    curl.url_get == NULL || curl.url_cleanup == NULL ||
	    curl.free == NULL || curl.slist_append == NULL ||
	    curl.slist_free_all == NULL) {
		snprintf(curl_load_err, sizeof(curl_load_err), "the libcurl "
		    "found lacks functions this program needs (7.62 or later "
		    "is needed)");
		dlclose(h);
		goto done;
	}
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(curl_load_err, sizeof(curl_load_err), "libcurl "
		    "failed to initialise");
		dlclose(h);
		goto done;
	}
	curl_state = 1;
done:
	if (curl_state != 1)
		snprintf(err, errsz, "libcurl cannot be loaded: %s (Debian: "
		    "apt-get install libcurl4)", curl_load_err);
	return curl_state == 1 ? 0 : -1;
}

/*
 * Whether libcurl can be loaded now (it is loaded on first use):
 * 0, or -1 with the reason in err, for a program that needs it before
 * it starts (mcp-oauth-admin doctor).
 */
int
httpc_load(char *err, size_t errsz)
{
	return curl_load(err, errsz);
}

struct sink {
	struct buf	*out;
	size_t		 max;
	int		 too_big;
};

static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;

	if (s->out->len + len > s->max) {
		s->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	buf_append(s->out, p, len);
	return buf_failed(s->out) ? 0 : len;
}

/*
 * Keeps the Cache-Control and Expires header values, truncated to the
 * buffers (a longer value is not one we could use anyway).
 */
static void
header_keep(const char *p, size_t len, const char *name, char *dst,
    size_t dstsz)
{
	size_t	 n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) != 0)
		return;
	p += n;
	len -= n;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	if (len >= dstsz)
		len = dstsz - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

static size_t
header_write(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_headers	*h = arg;
	size_t			 len = size * n;

	header_keep(p, len, "cache-control:", h->cache_control,
	    sizeof(h->cache_control));
	header_keep(p, len, "expires:", h->expires, sizeof(h->expires));
	return len;
}

/* Whether libcurl's address a is the checked address pin. */
static int
pin_matches(const struct sockaddr *pin, const struct curl_sockaddr *a)
{
	const struct sockaddr_in	*p4, *a4;
	const struct sockaddr_in6	*p6, *a6;

	if (a->family != pin->sa_family)
		return 0;
	if (pin->sa_family == AF_INET) {
		p4 = (const struct sockaddr_in *)(const void *)pin;
		a4 = (const struct sockaddr_in *)(const void *)&a->addr;
		return memcmp(&p4->sin_addr, &a4->sin_addr,
		    sizeof(p4->sin_addr)) == 0;
	}
	if (pin->sa_family == AF_INET6) {
		p6 = (const struct sockaddr_in6 *)(const void *)pin;
		a6 = (const struct sockaddr_in6 *)(const void *)&a->addr;
		return memcmp(&p6->sin6_addr, &a6->sin6_addr,
		    sizeof(p6->sin6_addr)) == 0;
	}
	return 0;
}

/*
 * The socket for a pinned request: only to one of the addresses the
 * caller checked.  CURLOPT_RESOLVE already sends libcurl there; this
 * makes sure no other path (a proxy, a cached entry) can reach
 * elsewhere.
 */
static curl_socket_t
pinned_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	const struct httpc_request	*req = arg;
	size_t				 i;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	for (i = 0; i < req->npin; i++)
		if (pin_matches((const struct sockaddr *)(const void *)
		    &req->pin_addrs[i], a))
			return socket(a->family, a->socktype, a->protocol);
	return CURL_SOCKET_BAD;
}

/*
 * Whether a plain http URL goes to this machine: parsed by libcurl,
 * the parser that will connect, so that no reading of the URL differs
 * from where the request goes.  The host must be exactly localhost,
 * 127.0.0.1 or [::1] (in any case), with no userinfo: a prefix check
 * would let "http://localhost:x@evil.example/" through.
 */
static int
http_url_loopback(const char *url)
{
	static const char *const loopback[] = {
		"localhost", "127.0.0.1", "[::1]",
	};
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
	char	 err[128];
	size_t	 i;
	int	 ok = 0;

	if (curl_load(err, sizeof(err)) == -1)
		return 0;
	if ((u = curl.url()) == NULL)
		return 0;
	if (curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	/* Any userinfo at all, even empty, is refused. */
	if (curl.url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
	    curl.url_get(u, CURLUPART_PASSWORD, &password, 0) !=
	    CURLUE_NO_PASSWORD)
		goto out;
	if (strcasecmp(scheme, "http") != 0)
		goto out;
	for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		if (strcasecmp(host, loopback[i]) == 0)
			ok = 1;
out:
	curl.free(scheme);
	curl.free(host);
	curl.free(user);
	curl.free(password);
	curl.url_cleanup(u);
	return ok;
}

/*
 * https:// anywhere; http:// only to 127.0.0.1, [::1] or localhost,
 * for tests.  Nothing else (no file:, no gopher:, ...).
 */
int
httpc_url_allowed(const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	if (strncasecmp(url, "http://", 7) == 0)
		return http_url_loopback(url);
	return 0;
}

/*
 * GETs (or POSTs form to) req->url into out.  status receives the HTTP
 * status; err a one-line reason for the log.
 */
int
httpc_fetch(const struct httpc_request *req, struct buf *out, long *status,
    char *err, size_t errsz)
{
	CURL		*c;
	CURLcode	 cc;
	struct curl_slist *resolve = NULL;
	struct sink	 s = { out, req->max_body, 0 };
	char		 cerr[CURL_ERROR_SIZE];
	const char	*unsafe = NULL;
	int		 rc;

	*status = 0;
	buf_reset(out);
	if (!httpc_url_allowed(req->url)) {
		snprintf(err, errsz, "%s: only https URLs are fetched",
		    req->url);
		return HTTPC_EURL;
	}
	if (curl_load(err, errsz) == -1)
		return HTTPC_ENOMEM;
	if (req->npin > 0) {
		/* A handle of its own: nothing shared with other fetches. */
		if (strncmp(req->url, "https://", 8) != 0) {
			snprintf(err, errsz, "%s: only https URLs are fetched",
			    req->url);
			return HTTPC_EURL;
		}
		if ((c = curl.easy_init()) == NULL ||
		    (resolve = curl.slist_append(NULL, req->pin_resolve)) ==
		    NULL) {
			if (c != NULL)
				curl.easy_cleanup(c);
			snprintf(err, errsz, "out of memory");
			return HTTPC_ENOMEM;
		}
	} else if (handle == NULL && (handle = curl.easy_init()) == NULL) {
		snprintf(err, errsz, "out of memory");
		return HTTPC_ENOMEM;
	} else
		c = handle;
	cerr[0] = '\0';
	/*
	 * The options that keep a fetch where it belongs fail closed: a
	 * libcurl that refuses one (too old, built without it) fetches
	 * nothing rather than fetch unguarded.
	 */
	if (curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http") !=
	    CURLE_OK)
		unsafe = "CURLOPT_PROTOCOLS_STR";
	if (curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK)
		unsafe = "CURLOPT_FOLLOWLOCATION";
	if (curl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK)
		unsafe = "CURLOPT_SSL_VERIFYPEER";
	if (req->npin > 0) {
		if (curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") !=
		    CURLE_OK)
			unsafe = "CURLOPT_PROTOCOLS_STR";
		if (curl.easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK)
			unsafe = "CURLOPT_PROXY";
		if (curl.easy_setopt(c, CURLOPT_RESOLVE, resolve) != CURLE_OK)
			unsafe = "CURLOPT_RESOLVE";
		if (curl.easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION,
		    pinned_socket) != CURLE_OK ||
		    curl.easy_setopt(c, CURLOPT_OPENSOCKETDATA,
		    (void *)req) != CURLE_OK)
			unsafe = "CURLOPT_OPENSOCKETFUNCTION";
		if (curl.easy_setopt(c, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK)
			unsafe = "CURLOPT_FORBID_REUSE";
	}
	curl.easy_setopt(c, CURLOPT_URL, req->url);
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms > 0 ? req->connect_timeout_ms :
	    (long)HTTPC_CONNECT_TIMEOUT_MS);
	curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : (long)HTTPC_TIMEOUT_MS);
	if (req->headers != NULL) {
		memset(req->headers, 0, sizeof(*req->headers));
		curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, header_write);
		curl.easy_setopt(c, CURLOPT_HEADERDATA, req->headers);
	}
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)req->max_body);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl.easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl.easy_setopt(c, CURLOPT_USERAGENT,
	    "mcp-oauth-fcgi/" PACKAGE_VERSION);
	if (req->ca_file != NULL)
		curl.easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
	if (req->form != NULL) {
		curl.easy_setopt(c, CURLOPT_POST, 1L);
		curl.easy_setopt(c, CURLOPT_POSTFIELDS, req->form);
	}
	if (req->user != NULL) {
		curl.easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl.easy_setopt(c, CURLOPT_USERNAME, req->user);
		curl.easy_setopt(c, CURLOPT_PASSWORD, req->password);
	}
	cc = unsafe != NULL ? CURLE_UNKNOWN_OPTION : curl.easy_perform(c);
	if (unsafe == NULL)
		curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	/*
	 * The handle outlives this call: reset, it keeps no pointer into
	 * this stack frame and no credentials, only its connections.
	 */
	if (c != handle) {
		curl.easy_cleanup(c);
		curl.slist_free_all(resolve);
	} else
		curl.easy_reset(c);
	if (unsafe != NULL) {
		snprintf(err, errsz, "%s: libcurl refused %s; nothing fetched",
		    req->url, unsafe);
		rc = HTTPC_ECONNECT;
	} else if (s.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errsz, "%s: response larger than %zu bytes",
		    req->url, req->max_body);
		rc = HTTPC_ETOOBIG;
	} else if (cc != CURLE_OK) {
		snprintf(err, errsz, "%s: %s", req->url, cerr[0] != '\0' ?
		    cerr : curl.easy_strerror(cc));
		rc = HTTPC_ECONNECT;
	} else if (*status != 200) {
		snprintf(err, errsz, "%s: HTTP status %ld", req->url, *status);
		rc = HTTPC_ESTATUS;
	} else
		rc = buf_failed(out) ? HTTPC_ENOMEM : HTTPC_OK;
	return rc;
}

/* Closes the process's connections (at exit, for the leak checkers). */
void
httpc_cleanup(void)
{
	if (handle != NULL)
		curl.easy_cleanup(handle);
	handle = NULL;
}

/* Whether this build can fetch at all (libcurl is loaded on use). */
int
httpc_can_fetch(void)
{
	return 1;
}

/*
 * The header block of a doctor's exchange: only the last response's
 * (a "100 Continue" comes before the real one), bounded as a body is.
 */
static size_t
exchange_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;

	if (size * n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		buf_reset(s->out);
	return sink_write(p, size, n, arg);
}

/* The leaf certificate of the connection, as PEM, into out. */
static void
exchange_cert(CURL *c, struct buf *out)
{
	struct curl_certinfo	*ci = NULL;
	struct curl_slist	*l;

	if (curl.easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	for (l = ci->certinfo[0]; l != NULL; l = l->next)
		if (strncmp(l->data, "Cert:", 5) == 0) {
			buf_puts(out, l->data + 5);
			return;
		}
}

/*
 * Sets one option of an exchange; the first one libcurl refuses is
 * kept in *unsafe (and no later one is tried).
 */
static void
set_long(CURL *c, CURLoption opt, long v, const char *name,
    const char **unsafe)
{
	if (*unsafe == NULL && curl.easy_setopt(c, opt, v) != CURLE_OK)
		*unsafe = name;
}

static void
set_str(CURL *c, CURLoption opt, const char *v, const char *name,
    const char **unsafe)
{
	if (*unsafe == NULL && curl.easy_setopt(c, opt, v) != CURLE_OK)
		*unsafe = name;
}

static void
set_ptr(CURL *c, CURLoption opt, void *v, const char *name,
    const char **unsafe)
{
	if (*unsafe == NULL && curl.easy_setopt(c, opt, v) != CURLE_OK)
		*unsafe = name;
}

/*
 * One exchange of mcp-oauth-admin doctor (see httpclient.h).  Returns
 * HTTPC_OK whatever the HTTP status, HTTPC_ECONNECT (x->tls_failed
 * set when the handshake or the certificate failed; also when libcurl
 * refused an option, then nothing was sent), HTTPC_ETOOBIG,
 * HTTPC_EURL, HTTPC_ENOCURL (libcurl cannot be loaded) or
 * HTTPC_ENOMEM, with a one-line reason in err (without the URL, which
 * the caller says).
 */
int
httpc_exchange(struct httpc_exchange *x, char *err, size_t errsz)
{
	CURL			*c;
	CURLcode		 cc;
	struct curl_slist	*hl = NULL, *nl;
	struct sink		 s = { &x->resp_body, x->max_body, 0 };
	struct sink		 hs = { &x->resp_headers, x->max_headers, 0 };
	char			 cerr[CURL_ERROR_SIZE];
	const char		*unsafe = NULL;
	size_t			 i;
	int			 rc;

	x->status = 0;
	x->tls_failed = 0;
	buf_reset(&x->resp_headers);
	buf_reset(&x->resp_body);
	buf_reset(&x->cert_pem);
	if (!httpc_url_allowed(x->url)) {
		snprintf(err, errsz, "%s: only https URLs (or http to "
		    "loopback) are fetched", x->url);
		return HTTPC_EURL;
	}
	if (curl_load(err, errsz) == -1)
		return HTTPC_ENOCURL;
	if ((c = curl.easy_init()) == NULL) {
		snprintf(err, errsz, "out of memory");
		return HTTPC_ENOMEM;
	}
	for (i = 0; x->headers != NULL && x->headers[i] != NULL; i++) {
		if ((nl = curl.slist_append(hl, x->headers[i])) == NULL) {
			curl.slist_free_all(hl);
			curl.easy_cleanup(c);
			snprintf(err, errsz, "out of memory");
			return HTTPC_ENOMEM;
		}
		hl = nl;
	}
	cerr[0] = '\0';
	/*
	 * Every option fails closed, as in httpc_fetch(): a libcurl that
	 * refuses one (too old, built without it, a string over its
	 * length limit) sends nothing rather than a request other than
	 * the one asked for (unverified, to another protocol, following
	 * redirects, unbounded, or with another method or body).
	 */
	set_str(c, CURLOPT_PROTOCOLS_STR, "https,http",
	    "CURLOPT_PROTOCOLS_STR", &unsafe);
	set_long(c, CURLOPT_FOLLOWLOCATION, 0L, "CURLOPT_FOLLOWLOCATION",
	    &unsafe);
	set_long(c, CURLOPT_SSL_VERIFYPEER, x->insecure ? 0L : 1L,
	    "CURLOPT_SSL_VERIFYPEER", &unsafe);
	set_long(c, CURLOPT_SSL_VERIFYHOST, x->insecure ? 0L : 2L,
	    "CURLOPT_SSL_VERIFYHOST", &unsafe);
	if (x->ca_file != NULL)
		set_str(c, CURLOPT_CAINFO, x->ca_file, "CURLOPT_CAINFO",
		    &unsafe);
	if (x->want_cert)
		set_long(c, CURLOPT_CERTINFO, 1L, "CURLOPT_CERTINFO",
		    &unsafe);
	set_str(c, CURLOPT_URL, x->url, "CURLOPT_URL", &unsafe);
	set_long(c, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTPC_CONNECT_TIMEOUT_MS,
	    "CURLOPT_CONNECTTIMEOUT_MS", &unsafe);
	set_long(c, CURLOPT_TIMEOUT_MS, x->timeout_ms > 0 ? x->timeout_ms :
	    (long)HTTPC_TIMEOUT_MS, "CURLOPT_TIMEOUT_MS", &unsafe);
	set_long(c, CURLOPT_NOSIGNAL, 1L, "CURLOPT_NOSIGNAL", &unsafe);
	if (curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)x->max_body) != CURLE_OK && unsafe == NULL)
		unsafe = "CURLOPT_MAXFILESIZE_LARGE";
	if (curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write) !=
	    CURLE_OK && unsafe == NULL)
		unsafe = "CURLOPT_WRITEFUNCTION";
	set_ptr(c, CURLOPT_WRITEDATA, &s, "CURLOPT_WRITEDATA", &unsafe);
	if (curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, exchange_header) !=
	    CURLE_OK && unsafe == NULL)
		unsafe = "CURLOPT_HEADERFUNCTION";
	set_ptr(c, CURLOPT_HEADERDATA, &hs, "CURLOPT_HEADERDATA", &unsafe);
	set_ptr(c, CURLOPT_ERRORBUFFER, cerr, "CURLOPT_ERRORBUFFER", &unsafe);
	set_str(c, CURLOPT_USERAGENT, "mcp-oauth-admin-doctor/"
	    PACKAGE_VERSION, "CURLOPT_USERAGENT", &unsafe);
	if (hl != NULL)
		set_ptr(c, CURLOPT_HTTPHEADER, hl, "CURLOPT_HTTPHEADER",
		    &unsafe);
	if (x->body != NULL) {
		set_long(c, CURLOPT_POST, 1L, "CURLOPT_POST", &unsafe);
		set_str(c, CURLOPT_POSTFIELDS, x->body, "CURLOPT_POSTFIELDS",
		    &unsafe);
	}
	if (x->method != NULL && strcmp(x->method, "GET") != 0 &&
	    strcmp(x->method, "POST") != 0)
		set_str(c, CURLOPT_CUSTOMREQUEST, x->method,
		    "CURLOPT_CUSTOMREQUEST", &unsafe);
	if (unsafe != NULL) {
		snprintf(err, errsz, "libcurl refused %s; nothing sent",
		    unsafe);
		rc = HTTPC_ECONNECT;
		goto out;
	}
	cc = curl.easy_perform(c);
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->want_cert && cc == CURLE_OK)
		exchange_cert(c, &x->cert_pem);
	if (hs.too_big) {
		snprintf(err, errsz, "the answer's headers are larger than "
		    "%zu bytes; doctor read no further", x->max_headers);
		rc = HTTPC_ETOOBIG;
	} else if (s.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errsz, "the answer's body is larger than %zu "
		    "bytes (a metadata document is a few kB); doctor read no "
		    "further", x->max_body);
		rc = HTTPC_ETOOBIG;
	} else if (cc != CURLE_OK) {
		x->tls_failed = cc == CURLE_PEER_FAILED_VERIFICATION ||
		    cc == CURLE_SSL_CONNECT_ERROR ||
		    cc == CURLE_SSL_CACERT_BADFILE ||
		    cc == CURLE_SSL_CERTPROBLEM;
		snprintf(err, errsz, "%s", cerr[0] != '\0' ? cerr :
		    curl.easy_strerror(cc));
		rc = HTTPC_ECONNECT;
	} else
		rc = buf_failed(&x->resp_body) ||
		    buf_failed(&x->resp_headers) ||
		    buf_failed(&x->cert_pem) ? HTTPC_ENOMEM : HTTPC_OK;
out:
	curl.easy_cleanup(c);
	curl.slist_free_all(hl);
	return rc;
}

#else /* !HAVE_CURL */

/*
 * Built --without-curl (the static bundle of scripts/bundle): a
 * program linked statically cannot load the host's shared libcurl, so
 * nothing is fetched.  Only token_validation = jwt and introspection
 * fetch; they fail with this reason in the log (the client gets the
 * resource server's "temporarily unavailable" answer), and everything
 * else works.  Plain http to loopback, a test aid, needs libcurl's URL
 * parser and is refused too.
 */
int
httpc_url_allowed(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0;
}

int
httpc_fetch(const struct httpc_request *req, struct buf *out, long *status,
    char *err, size_t errsz)
{
	*status = 0;
	buf_reset(out);
	snprintf(err, errsz, "%s: not fetched: this build has no libcurl "
	    "(the static bundle); token_validation = jwt and introspection "
	    "need the build from source with libcurl", req->url);
	return HTTPC_ENOCURL;
}

void
httpc_cleanup(void)
{
}

int
httpc_can_fetch(void)
{
	return 0;
}

int
httpc_load(char *err, size_t errsz)
{
	snprintf(err, errsz, "this build has no libcurl (the static bundle)");
	return -1;
}

int
httpc_exchange(struct httpc_exchange *x, char *err, size_t errsz)
{
	x->status = 0;
	x->tls_failed = 0;
	snprintf(err, errsz, "%s: not fetched: this build has no libcurl",
	    x->url);
	return HTTPC_ENOCURL;
}

#endif /* HAVE_CURL */

void
httpc_exchange_init(struct httpc_exchange *x)
{
	memset(x, 0, sizeof(*x));
	buf_init(&x->resp_headers);
	buf_init(&x->resp_body);
	buf_init(&x->cert_pem);
}

void
httpc_exchange_free(struct httpc_exchange *x)
{
	buf_free(&x->resp_headers);
	buf_free(&x->resp_body);
	buf_free(&x->cert_pem);
}


const char *
httpc_strerror(int rc)
{
	switch (rc) {
	case HTTPC_OK:
		return "success";
	case HTTPC_EURL:
		return "URL not allowed";
	case HTTPC_ECONNECT:
		return "cannot reach the server";
	case HTTPC_ESTATUS:
		return "unexpected HTTP status";
	case HTTPC_ETOOBIG:
		return "response too large";
	case HTTPC_ENOMEM:
		return "out of memory";
	case HTTPC_ENOCURL:
		return "libcurl unavailable";
	}
	return "error";
}
