/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "config.h"
#include "httpclient.h"
#include "jose.h"
#include "jsonutil.h"
#include "jwkscache.h"
#include "log.h"

void
jwkscache_free(struct jwkscache *c)
{
	jwks_free(&c->keys);
	free(c->raw);
	memset(c, 0, sizeof(*c));
}

/* Adopts a parsed key set and its text as the current keys. */
static void
adopt(struct jwkscache *c, struct jwks *keys, const char *raw,
    time_t fetched_at)
{
	char	*copy;

	if ((copy = strdup(raw)) == NULL) {
		jwks_free(keys);
		return;
	}
	jwks_free(&c->keys);
	free(c->raw);
	c->keys = *keys;
	c->raw = copy;
	c->have = 1;
	c->fetched_at = fetched_at;
}

/* The cache file (suffix "json") or its lock file (suffix "lock"). */
int
jwkscache_path(const struct config *cfg, const char *suffix, char *out,
    size_t outsz)
{
	int	 n;

	n = snprintf(out, outsz, "%s/jwks-cache.%s", cfg->cache_dir, suffix);
	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

/*
 * Whether a cache or lock file may be trusted: a regular file of this
 * process's user that no one else may write.  cache_dir may be shared
 * with other local users (or world-writable), and a JWK Set planted
 * there by one of them would let them sign tokens we accept; a lock
 * file of theirs would let them hold the lock forever.
 */
static int
trusted(const struct stat *sb)
{
	return S_ISREG(sb->st_mode) && sb->st_uid == geteuid() &&
	    (sb->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Says once per process why a file in cache_dir is not used. */
static void
distrust(struct jwkscache *c, const char *path)
{
	if (c->distrust_logged)
		return;
	c->distrust_logged = 1;
	log_msg("jwks_cache_ignored", "%s: not a regular file owned by this "
	    "user and writable by it alone; not used", path);
}

/*
 * Opens a file of cache_dir: never through a symbolic link, never
 * blocking on a FIFO, and only if trusted(); sb receives its status.
 * Returns -1 with errno set when the file cannot be opened, -1 with
 * errno 0 when it is not to be used (said once in the log).
 */
static int
open_trusted(struct jwkscache *c, const char *path, int flags,
    struct stat *sb)
{
	int	 fd;

	fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd == -1 && errno != ELOOP)
		return -1;
	if (fd == -1 || fstat(fd, sb) == -1 || !trusted(sb)) {
		distrust(c, path);
		if (fd != -1)
			close(fd);
		errno = 0;
		return -1;
	}
	return fd;
}

/*
 * Reads the cache file if it changed since this process last read it.
 * Its form: {"url": ..., "fetched_at": N, "attempted_at": N, "jwks":
 * {...}}; a file for another jwks_uri is ignored.  "jwks" is missing
 * after a failed cold fetch: its attempted_at is still read, so that
 * every process keeps the 30 second cooldown.
 */
static void
load(struct jwkscache *c, const struct config *cfg)
{
	struct json_object	*o = NULL, *v;
	struct stat		 sb;
	struct jwks		 keys;
	struct buf		 b;
	char			 path[1200], why[128], chunk[4096];
	const char		*url, *text;
	ssize_t			 n;
	int			 fd;

	buf_init(&b);
	if (jwkscache_path(cfg, "json", path, sizeof(path)) == -1 ||
	    (fd = open_trusted(c, path, O_RDONLY, &sb)) == -1)
		goto out;
	if ((sb.st_dev == c->dev && sb.st_ino == c->ino &&
	    sb.st_mtim.tv_sec == c->mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == c->mtime.tv_nsec &&
	    sb.st_size == c->size) || sb.st_size > JWKS_BODY_MAX * 2) {
		close(fd);
		goto out;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
	    b.len <= JWKS_BODY_MAX * 2)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	if (buf_failed(&b) || b.len > JWKS_BODY_MAX * 2 ||
	    json_parse_strict(buf_cstr(&b), b.len, &o) != JSONU_OK ||
	    (url = json_get_string(o, "url")) == NULL ||
	    strcmp(url, cfg->jwks_uri) != 0)
		goto out;
	c->dev = sb.st_dev;
	c->ino = sb.st_ino;
	c->mtime = sb.st_mtim;
	c->size = sb.st_size;
	if (json_object_object_get_ex(o, "attempted_at", &v))
		c->attempted_at = (time_t)json_object_get_int64(v);
	if (!json_object_object_get_ex(o, "jwks", &v))
		goto out;
	text = json_str(v);
	if (text != NULL && jwks_parse(text, strlen(text), &keys, why,
	    sizeof(why)) == JOSE_OK)
		adopt(c, &keys, text, json_object_object_get_ex(o,
		    "fetched_at", &v) ? (time_t)json_object_get_int64(v) : 0);
out:
	json_object_put(o);
	buf_free(&b);
}

/*
 * Writes the cache file atomically: a temporary file of our own
 * (mkstemp: created exclusively, mode 0600, never through a link),
 * then rename.
 */
static void
save(const struct config *cfg, const char *jwks_text, time_t fetched_at,
    time_t attempted_at)
{
	struct json_object	*o, *j = NULL;
	char			 path[1200], tmp[1300];
	const char		*text;
	FILE			*f = NULL;
	int			 fd = -1;

	if (jwkscache_path(cfg, "json", path, sizeof(path)) == -1)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "url", json_object_new_string(cfg->jwks_uri));
	json_object_object_add(o, "fetched_at",
	    json_object_new_int64(fetched_at));
	json_object_object_add(o, "attempted_at",
	    json_object_new_int64(attempted_at));
	if (jwks_text != NULL &&
	    json_parse_strict(jwks_text, strlen(jwks_text), &j) == JSONU_OK)
		json_object_object_add(o, "jwks", j);
	text = json_str(o);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		log_msg("jwks_cache_error", "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if ((f = fdopen(fd, "w")) == NULL) {
		log_msg("jwks_cache_error", "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	fputs(text, f);
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		log_msg("jwks_cache_error", "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	json_object_put(o);
}

/*
 * Fetches the JWK Set under an exclusive lock, so that of all the
 * processes noticing a stale cache only one asks the provider; the
 * others then read what it wrote.
 */
static void
refresh(struct jwkscache *c, const struct config *cfg, time_t now)
{
	time_t			 started = c->attempted_at;
	struct httpc_request	 req;
	struct stat		 sb;
	struct jwks		 keys;
	struct buf		 body;
	char			 lock[1200], err[512], why[128];
	long			 status;
	int			 fd, rc;

	if (jwkscache_path(cfg, "lock", lock, sizeof(lock)) == -1)
		return;
	/*
	 * Without a usable lock file every process fetches for itself:
	 * more requests to the provider, but still correct.
	 */
	if ((fd = open_trusted(c, lock, O_RDWR | O_CREAT, &sb)) == -1) {
		if (errno != 0)
			log_msg("jwks_cache_error", "%s: %s", lock,
			    strerror(errno));
	} else if (flock(fd, LOCK_EX) == -1) {
		close(fd);
		fd = -1;
	}
	/*
	 * Another process may have fetched (or tried) while we waited
	 * for the lock: then its result stands.
	 */
	load(c, cfg);
	if (c->attempted_at > started)
		goto out;
	memset(&req, 0, sizeof(req));
	req.url = cfg->jwks_uri;
	req.ca_file = cfg->http_ca_file;
	req.max_body = JWKS_BODY_MAX;
	buf_init(&body);
	rc = httpc_fetch(&req, &body, &status, err, sizeof(err));
	if (rc == HTTPC_OK && jwks_parse(buf_cstr(&body), body.len, &keys,
	    why, sizeof(why)) == JOSE_OK) {
		adopt(c, &keys, buf_cstr(&body), now);
		c->attempted_at = now;
		save(cfg, c->raw, now, now);
		log_msg("jwks_fetched", "%s: %zu keys", cfg->jwks_uri,
		    c->keys.n);
	} else {
		if (rc == HTTPC_OK)
			snprintf(err, sizeof(err), "%s: %s", cfg->jwks_uri, why);
		c->attempted_at = now;
		log_msg("jwks_fetch_failed", "%s; %s", err, c->have ?
		    "serving the cached keys" : "no keys to serve");
		/*
		 * Record the attempt, keeping the keys we have; only keys
		 * of this jwks_uri (jwkscache_keys() dropped any other).
		 */
		save(cfg, c->have && strcmp(c->url, cfg->jwks_uri) == 0 ?
		    c->raw : NULL, c->fetched_at, now);
	}
	buf_free(&body);
out:
	if (fd != -1) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* Whether the set has the key a token names (any key if none named). */
static int
has_kid(const struct jwks *keys, const char *kid)
{
	size_t	 i;

	if (kid == NULL || kid[0] == '\0')
		return keys->n > 0;
	for (i = 0; i < keys->n; i++)
		if (strcmp(keys->keys[i].kid, kid) == 0)
			return 1;
	return 0;
}

/*
 * The provider's keys for a token naming kid (NULL or "" if it names
 * none), fetching them when the cache is missing or older than 10
 * minutes, or when kid is unknown and the last attempt is at least 30
 * seconds old.  A failed fetch keeps the cached keys; only with no
 * keys at all is the answer JWKSCACHE_EUNAVAILABLE.
 */
int
jwkscache_keys(struct jwkscache *c, const struct config *cfg,
    const char *kid, time_t now, const struct jwks **out)
{
	int	 stale, unknown, cooled;

	*out = NULL;
	/*
	 * Everything held belongs to one jwks_uri: when a reloaded
	 * configuration names another, the keys of the old one must not
	 * verify its tokens, nor be written to the file under its name.
	 */
	if (strcmp(c->url, cfg->jwks_uri) != 0) {
		jwkscache_free(c);
		snprintf(c->url, sizeof(c->url), "%s", cfg->jwks_uri);
	}
	load(c, cfg);
	stale = !c->have || now - c->fetched_at >= JWKS_MAX_AGE ||
	    c->fetched_at > now;
	unknown = c->have && !has_kid(&c->keys, kid);
	cooled = now - c->attempted_at >= JWKS_COOLDOWN ||
	    c->attempted_at > now;
	if ((stale || unknown) && cooled)
		refresh(c, cfg, now);
	if (!c->have)
		return JWKSCACHE_EUNAVAILABLE;
	*out = &c->keys;
	return JWKSCACHE_OK;
}
