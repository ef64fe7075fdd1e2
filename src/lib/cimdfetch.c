/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/* getaddrinfo_a() and gai_suspend() are GNU extensions. */
#define _GNU_SOURCE

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cimd.h"
#include "cimdfetch.h"
#include "client.h"
#include "config.h"
#include "crypto.h"
#include "httpclient.h"
#include "log.h"
#include "netpolicy.h"
#include "oauth.h"
#include "ratelimit.h"
#include "store.h"

/* Another process may fetch the same URL only once the worst fetch is over. */
_Static_assert(CIMD_LEASE * 1000 > CIMD_FETCH_WORST_MS,
    "the fetch lease must outlast the worst fetch");

/* "host:port:" and CIMD_PIN_MAX addresses, bracketed, comma-separated. */
#define RESOLVE_MAX	(CIMD_HOST_MAX + 8 + CIMD_PIN_MAX * \
			    (INET6_ADDRSTRLEN + 3))

/*
 * The lifetime of a fetched document from its Cache-Control and
 * Expires headers (RFC 9111 section 5.2.2.1 and 5.3): max-age wins
 * over Expires; no-store and no-cache are read as the minimum, since
 * the document must outlive the few minutes of one authorization.
 * Everything is bounded to CIMD_TTL_MIN..CIMD_TTL_MAX.
 */
int64_t
cimd_ttl(const char *cache_control, const char *expires, int64_t now)
{
	const char	*p;
	struct tm	 tm;
	int64_t		 ttl = CIMD_TTL_DEFAULT;
	int		 have = 0;
	long long	 v;
	char		*end;

	for (p = cache_control; p != NULL && *p != '\0'; ) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (strncasecmp(p, "no-store", 8) == 0 ||
		    strncasecmp(p, "no-cache", 8) == 0)
			return CIMD_TTL_MIN;
		if (strncasecmp(p, "max-age=", 8) == 0 &&
		    isdigit((unsigned char)p[8])) {
			v = strtoll(p + 8, &end, 10);
			if (*end == '\0' || *end == ',' || *end == ' ' ||
			    *end == ';') {
				ttl = v;
				have = 1;
			}
		}
		p += strcspn(p, ",");
	}
	if (!have && expires != NULL && *expires != '\0') {
		memset(&tm, 0, sizeof(tm));
		p = strptime(expires, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (p != NULL && *p == '\0')
			ttl = (int64_t)timegm(&tm) - now;
		else
			ttl = 0;	/* an invalid date means expired */
	}
	if (ttl < CIMD_TTL_MIN)
		ttl = CIMD_TTL_MIN;
	if (ttl > CIMD_TTL_MAX)
		ttl = CIMD_TTL_MAX;
	return ttl;
}

/*
 * What whoever chose the URL learns when its name does not resolve,
 * resolves to a special-use address, or to no IPv4 or IPv6 address:
 * the same words for all three, so that the server is no oracle for
 * what its resolver sees (names the world does not, internal
 * addresses).  The log has the detail.
 */
static void
unreachable(const char *host, char *why, size_t whysz)
{
	snprintf(why, whysz, "the document at %s cannot be reached", host);
}

#ifdef HAVE_CURL
/* getaddrinfo() for a host to connect to, with the resolver's timeouts. */
static int
resolve_now(const char *host, struct addrinfo **res)
{
	struct addrinfo	 hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	return getaddrinfo(host, NULL, &hints, res);
}

#ifdef HAVE_GETADDRINFO_A
/*
 * A name lookup run by getaddrinfo_a(): the request, its hints and the
 * name it looks up live together on the heap, because a lookup that
 * misses its deadline may still be running in glibc's helper thread,
 * which writes to the request when it ends.
 */
struct lookup {
	struct gaicb	 cb;
	struct addrinfo	 hints;
	char		 name[CIMD_HOST_MAX + 1];
	struct lookup	*next;
};

/*
 * Lookups that missed their deadline and could not be cancelled (glibc
 * cancels only those its helper threads have not started yet): they
 * are freed once they end, at the next lookup.  The programs handle
 * one request at a time, so no lock is needed.
 */
static struct lookup	*abandoned;

static void
lookup_free(struct lookup *l)
{
	if (l->cb.ar_result != NULL)
		freeaddrinfo(l->cb.ar_result);
	free(l);
}

/* Frees the abandoned lookups that have ended meanwhile. */
static void
reap_abandoned(void)
{
	struct lookup	**pp = &abandoned, *l;

	while ((l = *pp) != NULL) {
		if (gai_error(&l->cb) == EAI_INPROGRESS) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		lookup_free(l);
	}
}

/* The time left until deadline, or 0 if it has passed. */
static int
time_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	return left->tv_sec > 0 || (left->tv_sec == 0 && left->tv_nsec > 0);
}

/*
 * getaddrinfo() with a deadline of CIMD_DNS_TIMEOUT_MS: glibc's own
 * retries (resolv.conf "timeout:5 attempts:2", up to three servers)
 * can take half a minute for a name whose servers do not answer, and
 * the person waits on the consent page meanwhile.  Returns 0 with *res
 * set, EAI_AGAIN with *timedout set when the deadline passed, or
 * another getaddrinfo() error.
 */
static int
resolve_deadline(const char *host, struct addrinfo **res, int *timedout)
{
	struct lookup		*l;
	struct gaicb		*list[1];
	struct timespec		 deadline, left;
	int			 rc;

	*res = NULL;
	*timedout = 0;
	reap_abandoned();
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return EAI_MEMORY;
	snprintf(l->name, sizeof(l->name), "%s", host);
	l->hints.ai_family = AF_UNSPEC;
	l->hints.ai_socktype = SOCK_STREAM;
	l->cb.ar_name = l->name;
	l->cb.ar_request = &l->hints;
	list[0] = &l->cb;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += CIMD_DNS_TIMEOUT_MS / 1000;
	deadline.tv_nsec += (CIMD_DNS_TIMEOUT_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	/*
	 * getaddrinfo_a() fails to start when glibc cannot create its
	 * helper thread (EAI_AGAIN or EAI_SYSTEM: a shared host's
	 * RLIMIT_NPROC, say) or allocate the request (EAI_MEMORY).  The
	 * lookup is then made here, without the deadline, rather than
	 * failing the person's sign-in.  A request glibc still holds as
	 * in progress is left to it, on the abandoned list.
	 */
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		if (gai_error(&l->cb) == EAI_INPROGRESS) {
			l->next = abandoned;
			abandoned = l;
		} else
			free(l);
		if (rc != EAI_AGAIN && rc != EAI_SYSTEM && rc != EAI_MEMORY)
			return rc;
		log_msg("cimd_dns_fallback", "%s: getaddrinfo_a: %s; "
		    "looking up without a deadline", host, gai_strerror(rc));
		return resolve_now(host, res);
	}
	/* gai_suspend() also returns early for a signal: wait again. */
	while ((rc = gai_error(&l->cb)) == EAI_INPROGRESS &&
	    time_left(&deadline, &left))
		(void)gai_suspend((const struct gaicb *const *)list, 1, &left);
	if (rc == EAI_INPROGRESS) {
		*timedout = 1;
		if (gai_cancel(&l->cb) == EAI_CANCELED)
			lookup_free(l);
		else {
			l->next = abandoned;
			abandoned = l;
		}
		return EAI_AGAIN;
	}
	if (rc == 0) {
		*res = l->cb.ar_result;
		l->cb.ar_result = NULL;
	}
	lookup_free(l);
	return rc;
}
#else /* !HAVE_GETADDRINFO_A */
/*
 * A C library without getaddrinfo_a(): the lookup has only the
 * resolver's own timeouts (resolv.conf).
 */
static int
resolve_deadline(const char *host, struct addrinfo **res, int *timedout)
{
	*timedout = 0;
	return resolve_now(host, res);
}
#endif /* HAVE_GETADDRINFO_A */
#endif /* HAVE_CURL */

/*
 * Resolves host into the addresses libcurl may connect to (at most
 * CIMD_PIN_MAX, in the resolver's order, *npin of them), and their
 * CURLOPT_RESOLVE line.  Every address the name has must be allowed,
 * not just those kept: a name that mixes public and private addresses
 * is refused.  Loopback is allowed only with cimd_test_allow_loopback
 * (tests).
 */
#ifdef HAVE_CURL
static int
resolve_checked(const struct config *cfg, const struct cimd_url *u,
    struct sockaddr_storage *pins, size_t *npin, char *resolve,
    size_t resolvesz, char *why, size_t whysz)
{
	struct addrinfo		*res = NULL, *ai;
	char			 addr[INET6_ADDRSTRLEN];
	size_t			 i, len;
	int			 rc, verdict, timedout;

	if ((rc = resolve_deadline(u->host, &res, &timedout)) != 0) {
		if (timedout) {
			log_msg("cimd_fetch_failed", "%s: no DNS answer "
			    "within %d ms", u->host, CIMD_DNS_TIMEOUT_MS);
			/*
			 * Saying so tells whoever chose the URL nothing the
			 * wait did not: it is the one failure they can time.
			 */
			snprintf(why, whysz, "the document at %s cannot be "
			    "reached: its name was not found within %d "
			    "seconds", u->host, CIMD_DNS_TIMEOUT_MS / 1000);
		} else {
			log_msg("cimd_fetch_failed", "%s: %s", u->host,
			    gai_strerror(rc));
			unreachable(u->host, why, whysz);
		}
		return CIMDF_EFETCH;
	}
	rc = CIMDF_OK;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		verdict = netpolicy_sockaddr(ai->ai_addr);
		if (verdict == NETPOLICY_PUBLIC || (verdict ==
		    NETPOLICY_LOOPBACK && cfg->cimd_test_allow_loopback)) {
			if (*npin < CIMD_PIN_MAX &&
			    ai->ai_addrlen <= sizeof(pins[0])) {
				memset(&pins[*npin], 0, sizeof(pins[0]));
				memcpy(&pins[*npin], ai->ai_addr,
				    ai->ai_addrlen);
				(*npin)++;
			}
			continue;
		}
		log_msg("cimd_fetch_failed", "%s resolves to a special-use "
		    "address (private, loopback, link-local, ...), which is "
		    "never fetched from", u->host);
		unreachable(u->host, why, whysz);
		rc = CIMDF_EADDR;
		goto out;
	}
	if (*npin == 0) {
		log_msg("cimd_fetch_failed", "%s has no IPv4 or IPv6 "
		    "address", u->host);
		unreachable(u->host, why, whysz);
		rc = CIMDF_EFETCH;
		goto out;
	}
	len = (size_t)snprintf(resolve, resolvesz, "%s:%u:", u->host,
	    u->port);
	for (i = 0; i < *npin && len < resolvesz; i++) {
		if (pins[i].ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)
			    &pins[i])->sin_addr, addr, sizeof(addr));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)
			    &pins[i])->sin6_addr, addr, sizeof(addr));
		len += (size_t)snprintf(resolve + len, resolvesz - len,
		    pins[i].ss_family == AF_INET6 ? "%s[%s]" : "%s%s",
		    i > 0 ? "," : "", addr);
	}
	if (len >= resolvesz) {
		/* Cannot happen with RESOLVE_MAX; fail closed anyway. */
		unreachable(u->host, why, whysz);
		rc = CIMDF_EFETCH;
	}
out:
	freeaddrinfo(res);
	return rc;
}
#else /* !HAVE_CURL */
/*
 * A build without libcurl (the static bundle) fetches nothing, so it
 * resolves nothing either: getaddrinfo() would need the host's NSS
 * modules, which a static program cannot load.  The metadata does not
 * advertise CIMD in such a build (httpc_can_fetch()).
 */
static int
resolve_checked(const struct config *cfg, const struct cimd_url *u,
    struct sockaddr_storage *pins, size_t *npin, char *resolve,
    size_t resolvesz, char *why, size_t whysz)
{
	(void)cfg;
	(void)pins;
	(void)npin;
	(void)resolve;
	(void)resolvesz;
	log_msg("cimd_fetch_failed", "%s: this build has no libcurl and "
	    "fetches no metadata documents", u->host);
	unreachable(u->host, why, whysz);
	return CIMDF_EFETCH;
}
#endif /* HAVE_CURL */

/*
 * Fetches and validates the document at url into c (not stored).  On
 * failure why says what went wrong, for the person's error page and
 * the log.
 */
int
cimd_fetch_client(const struct config *cfg, const char *url, int64_t now,
    struct client *c, char *why, size_t whysz)
{
	struct cimd_url		 u;
	struct sockaddr_storage	 pins[CIMD_PIN_MAX];
	struct httpc_request	 req;
	struct httpc_headers	 hdrs;
	struct buf		 body;
	char			 resolve[RESOLVE_MAX], err[512];
	size_t			 npin = 0;
	long			 status;
	int			 rc;

	client_init(c);
	buf_init(&body);
	if (cimd_url_parse(url, &u) != CIMD_OK) {
		snprintf(why, whysz, "the client_id is not a valid metadata "
		    "document URL");
		return CIMDF_EURL;
	}
	if (!cimd_host_allowed(cfg, u.host)) {
		snprintf(why, whysz, "clients from %s are not accepted here",
		    u.host);
		return CIMDF_EOFF;
	}
	if (!cimd_port_allowed(cfg, u.port)) {
		snprintf(why, whysz, "the document must be served on the "
		    "https port 443, not %u", u.port);
		return CIMDF_EURL;
	}
	if ((rc = resolve_checked(cfg, &u, pins, &npin, resolve,
	    sizeof(resolve), why, whysz)) != CIMDF_OK)
		return rc;
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.ca_file = cfg->http_ca_file;
	req.max_body = CIMD_DOC_MAX;
	req.pin_addrs = pins;
	req.npin = npin;
	req.pin_resolve = resolve;
	req.connect_timeout_ms = CIMD_CONNECT_TIMEOUT_MS;
	req.timeout_ms = CIMD_TIMEOUT_MS;
	req.headers = &hdrs;
	rc = httpc_fetch(&req, &body, &status, err, sizeof(err));
	/*
	 * The reason goes to whoever chose the URL: it says no more than
	 * "unreachable" about a connection (refused, reset, timed out,
	 * bad certificate), so that the server is no oracle for which
	 * ports answer on networks only it can reach.  The log has it all.
	 */
	if (rc != HTTPC_OK)
		log_msg("cimd_fetch_failed", "%s", err);
	switch (rc) {
	case HTTPC_OK:
		break;
	case HTTPC_ESTATUS:
		snprintf(why, whysz, "%s answered with HTTP status %ld, not "
		    "200 (redirects are not followed)", u.host, status);
		rc = CIMDF_EFETCH;
		goto out;
	case HTTPC_ETOOBIG:
		snprintf(why, whysz, "the document is larger than %d bytes",
		    CIMD_DOC_MAX);
		rc = CIMDF_EFETCH;
		goto out;
	case HTTPC_ENOMEM:
		snprintf(why, whysz, "out of memory");
		rc = CIMDF_ENOMEM;
		goto out;
	default:
		snprintf(why, whysz, "%s cannot be reached over https (no "
		    "connection, an untrusted certificate, or no answer within "
		    "%d seconds)", u.host, CIMD_TIMEOUT_MS / 1000);
		rc = CIMDF_EFETCH;
		goto out;
	}
	switch (cimd_parse(cfg, url, buf_cstr(&body), body.len, c, why,
	    whysz)) {
	case CIMD_OK:
		break;
	case CIMD_ENOMEM:
		rc = CIMDF_ENOMEM;
		goto out;
	default:
		rc = CIMDF_EDOC;
		goto out;
	}
	c->created = now;
	c->fetched = now;
	c->expires = now + cimd_ttl(hdrs.cache_control, hdrs.expires, now);
	if (crypto_sha256(body.data, body.len, c->doc_hash) != CRYPTO_OK) {
		client_free(c);
		rc = CIMDF_ENOMEM;
		goto out;
	}
	rc = CIMDF_OK;
out:
	buf_free(&body);
	return rc;
}

/* The lease key's subject: the URL's SHA-256 in hex (keys are short). */
static void
lease_subject(const char *url, char *out)
{
	unsigned char	 h[CRYPTO_SHA256_LEN];

	crypto_sha256(url, strlen(url), h);
	hex_encode(h, sizeof(h), out);
}

/*
 * Reads the stored client for url: 1 if it is there and still fresh
 * (or pinned by the administrator), 0 if absent or stale, -1 on a
 * database error.  *stale is set when a stale record exists.
 */
static int
cached(struct store *st, const char *url, int64_t now, int *stale)
{
	struct store_txn	*t;
	struct client		 c;
	int			 rc, fresh = 0;

	*stale = 0;
	if (store_begin(st, 1, &t) != STORE_OK)
		return -1;
	rc = store_client_get(t, url, &c);
	store_abort(t);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if ((c.flags & CLIENT_CIMD) && (c.flags & CLIENT_PINNED ||
	    c.expires > now))
		fresh = 1;
	else
		*stale = 1;
	client_free(&c);
	return fresh;
}

/* Takes the fetch lease of url: 1 if ours, 0 if held, -1 on error. */
static int
lease_take(struct store *st, const char *url, int64_t now)
{
	struct store_txn	*t;
	char			 subject[2 * CRYPTO_SHA256_LEN + 1];
	long			 retry;
	int			 over;

	lease_subject(url, subject);
	if (store_begin(st, 0, &t) != STORE_OK)
		return -1;
	over = ratelimit_hit(t, "cimd-fetch", subject, now, 1, CIMD_LEASE,
	    &retry);
	if (over == -1 || store_commit(t) != STORE_OK) {
		if (over == -1)
			store_abort(t);
		return -1;
	}
	return over ? 0 : 1;
}

/*
 * Releases the lease of url taken at now, unless it expired and
 * another process holds it now: a lease's window starts when it is
 * taken, so its start is the owner's token.
 */
static void
lease_release(struct store *st, const char *url, int64_t now)
{
	struct store_txn	*t;
	char			 subject[2 * CRYPTO_SHA256_LEN + 1];

	lease_subject(url, subject);
	if (store_begin(st, 0, &t) != STORE_OK)
		return;
	if (ratelimit_reset_window(t, "cimd-fetch", subject, now) ==
	    STORE_OK)
		store_commit(t);
	else
		store_abort(t);
}

/*
 * Counts the fetch of a document not yet stored against the client
 * address remote (NULL: the administrator, never limited): 1 if that
 * is over cimd_fetch_rate_limit, 0 if not, -1 on a database error.
 */
static int
fetch_limited(const struct config *cfg, struct store *st,
    const char *remote, int64_t now)
{
	struct store_txn	*t;
	char			 subject[RATELIMIT_IP_MAX];
	long			 retry;
	int			 over;

	if (remote == NULL || cfg->cimd_fetch_rate_limit == 0)
		return 0;
	ratelimit_ip_subject(remote, subject, sizeof(subject));
	if (store_begin(st, 0, &t) != STORE_OK)
		return -1;
	over = ratelimit_hit(t, "cimd-new", subject, now,
	    cfg->cimd_fetch_rate_limit, CIMD_FETCH_WINDOW, &retry);
	if (over == -1 || store_commit(t) != STORE_OK) {
		if (over == -1)
			store_abort(t);
		return -1;
	}
	return over;
}

/*
 * Stores c, replacing what was there unless the administrator pinned
 * it; a client seen before keeps the time it was first seen.
 */
static int
store_fetched(struct store *st, struct client *c)
{
	struct store_txn	*t;
	struct client		 old;
	int			 rc;

	if (store_begin(st, 0, &t) != STORE_OK)
		return CIMDF_ESTORE;
	rc = store_client_get(t, c->id, &old);
	if (rc == STORE_OK && (old.flags & CLIENT_PINNED)) {
		client_free(&old);
		store_abort(t);
		return CIMDF_OK;
	}
	/*
	 * A refetch replaces the document, not the client's history: its
	 * first appearance and its last use (which the purge and the
	 * administrator read) carry over.
	 */
	if (rc == STORE_OK) {
		c->created = old.created;
		c->last_used = old.last_used;
		client_free(&old);
	}
	if ((rc == STORE_OK || rc == STORE_NOTFOUND) &&
	    store_client_put(t, c, 0) == STORE_OK &&
	    store_commit(t) == STORE_OK)
		return CIMDF_OK;
	store_abort(t);
	return CIMDF_ESTORE;
}

/*
 * Makes sure the client record of client_id is in the store and fresh
 * when client_id is a metadata document URL, fetching the document if
 * needed; any other client_id is left to the usual lookup.  remote is
 * the client address the request came from (cimd_fetch_rate_limit).
 * Called before the request's transaction begins: no LMDB transaction
 * is held while fetching.
 */
int
cimd_ensure(const struct config *cfg, struct store *st, const char *url,
    const char *remote, int64_t now, char *why, size_t whysz)
{
	struct cimd_url	 u;
	struct client	 c;
	int		 rc, stale, waited, held;

	why[0] = '\0';
	if (url == NULL || cimd_url_parse(url, &u) != CIMD_OK)
		return CIMDF_OK;
	if (!cimd_host_allowed(cfg, u.host)) {
		snprintf(why, whysz, cfg->cimd == CONFIG_CIMD_OFF ?
		    "this server does not accept clients identified by a "
		    "metadata document URL" :
		    "clients from %s are not accepted here", u.host);
		return CIMDF_EOFF;
	}
	if (!cimd_port_allowed(cfg, u.port)) {
		snprintf(why, whysz, "the document must be served on the "
		    "https port 443, not %u", u.port);
		return CIMDF_EURL;
	}
	for (waited = 0; ; waited++) {
		if ((rc = cached(st, url, now, &stale)) == -1) {
			snprintf(why, whysz, "the database failed");
			return CIMDF_ESTORE;
		}
		if (rc == 1)
			return CIMDF_OK;
		if ((held = lease_take(st, url, now)) == -1) {
			snprintf(why, whysz, "the database failed");
			return CIMDF_ESTORE;
		}
		/*
		 * The lease is ours, but another process may have stored
		 * the document and released its lease between our look
		 * and our taking it: look again before fetching.
		 */
		if (held && (rc = cached(st, url, now, &stale)) != 0) {
			lease_release(st, url, now);
			if (rc == 1)
				return CIMDF_OK;
			snprintf(why, whysz, "the database failed");
			return CIMDF_ESTORE;
		}
		if (held)
			break;
		/*
		 * Another process is fetching: a stale document serves
		 * meanwhile; without one, wait for its result as long as
		 * its fetch may take.
		 */
		if (stale)
			return CIMDF_OK;
		if (waited * 250 >= CIMD_FETCH_WORST_MS) {
			snprintf(why, whysz, "the client's metadata document "
			    "is being fetched; try again in a few seconds");
			return CIMDF_EBUSY;
		}
		usleep(250 * 1000);
	}
	if (!stale && (rc = fetch_limited(cfg, st, remote, now)) != 0) {
		lease_release(st, url, now);
		if (rc == -1) {
			snprintf(why, whysz, "the database failed");
			return CIMDF_ESTORE;
		}
		snprintf(why, whysz, "too many new clients from this "
		    "address; try again later");
		return CIMDF_ELIMIT;
	}
	rc = cimd_fetch_client(cfg, url, now, &c, why, whysz);
	if (rc == CIMDF_OK) {
		rc = store_fetched(st, &c);
		if (rc != CIMDF_OK)
			snprintf(why, whysz, "the database failed");
		client_free(&c);
	}
	lease_release(st, url, now);
	return rc;
}

/*
 * cimd_ensure() for the token endpoint: on failure e holds the OAuth
 * error (invalid_client, or a server error) and -1 is returned.
 */
int
cimd_ensure_oauth(const struct config *cfg, struct store *st,
    const char *client_id, const char *remote, int64_t now,
    struct oauth_error *e)
{
	char	 why[512];
	int	 rc;

	rc = cimd_ensure(cfg, st, client_id, remote, now, why, sizeof(why));
	if (rc == CIMDF_OK)
		return 0;
	log_msg("cimd_refused", "%s: %s", cimdfetch_strerror(rc), why);
	if (rc == CIMDF_ESTORE || rc == CIMDF_ENOMEM)
		oauth_error_set(e, 500, "server_error", "%s", why);
	else if (rc == CIMDF_EBUSY)
		oauth_error_set(e, 503, "temporarily_unavailable", "%s", why);
	else if (rc == CIMDF_ELIMIT)
		oauth_error_set(e, 429, "too_many_requests", "the client's "
		    "metadata document cannot be fetched: %s", why);
	else
		oauth_error_set(e, 401, "invalid_client", "the client's "
		    "metadata document cannot be used: %s", why);
	return -1;
}

const char *
cimdfetch_strerror(int rc)
{
	switch (rc) {
	case CIMDF_OK:
		return "success";
	case CIMDF_EOFF:
		return "metadata documents not accepted";
	case CIMDF_EURL:
		return "not a metadata document URL";
	case CIMDF_EADDR:
		return "special-use address";
	case CIMDF_EFETCH:
		return "cannot fetch the document";
	case CIMDF_EDOC:
		return "invalid document";
	case CIMDF_EBUSY:
		return "being fetched";
	case CIMDF_ELIMIT:
		return "fetch rate limit";
	case CIMDF_ESTORE:
		return "database error";
	case CIMDF_ENOMEM:
		return "out of memory";
	}
	return "error";
}
