/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * bench-validate: what /mcp costs per request inside the process, with
 * no web server, no TLS and no FastCGI round trip to blur it.
 *
 *   bench-validate tokens CONFIG TOKENS [RUNS]
 *   bench-validate dispatch CONFIG TOKEN [RUNS]
 *
 * tokens: bearer_validate() (src/lib/bearer.c, the function mcp.fcgi
 * calls) on tokens drawn at random from TOKENS (one a line: bench-fill
 * access writes them), against the database of CONFIG.  Warm: every
 * token of the file validated once first, then RUNS runs of WARM_N
 * validations.  Cold: RUNS runs of COLD_N validations, each after the
 * database's pages were dropped from the page cache: the store is
 * closed (a page still mapped by this process would stay), then
 * posix_fadvise(POSIX_FADV_DONTNEED) on data.mdb, and the residency
 * that is left is measured with mincore() and reported (a page another
 * process maps stays cached).  Not /proc/sys/vm/drop_caches: the
 * machine is shared, and that empties every other program's cache too.
 *
 * dispatch: whole /mcp requests through app_serve() and
 * mcp_handle_http() with the built-in tools, from an environment and a
 * body in memory to a response in memory: tools/list in the legacy
 * era (MCP-Protocol-Version 2025-06-18) and the same call in the modern
 * era (MCP 2026-07-28: _meta, Mcp-Method, classified by mcpera.c), the
 * two alternated in each of RUNS runs of DISPATCH_N requests each.
 * TOKEN is a valid access token of CONFIG's database.
 *
 * Every run prints a line for people; the last line is
 * "BENCH {json}" with every run's figures, for bench/driver.mjs.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/app.h"
#include "lib/bearer.h"
#include "lib/config.h"
#include "lib/crypto.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/mcp.h"
#include "lib/store.h"
#include "tools/tools.h"

#define WARM_N		20000
#define COLD_N		300
#define DISPATCH_N	5000
#define RUNS_DEFAULT	5
#define RUNS_MAX	50

static const char legacy_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
static const char modern_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
    "\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
    "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
    "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"wrk\","
    "\"version\":\"1\"}}}}";

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "bench-validate: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A fixed-seed generator: every run draws the same kind of sequence. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static size_t
rng_below(size_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (size_t)(rng_state % n);
}

/* One run's figures. */
struct run {
	double	 ns;		/* per operation */
	double	 minflt;	/* per operation */
	double	 majflt;
	double	 resident;	/* cold runs: share of data.mdb still cached */
};

static void
faults(long *minflt, long *majflt)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	*minflt = ru.ru_minflt;
	*majflt = ru.ru_majflt;
}

static void
print_runs(FILE *fp, const char *name, const struct run *r, int n,
    int cold)
{
	int	 i;

	fprintf(fp, "\"%s\":[", name);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s{\"ns\":%.1f,\"minflt\":%.4f,\"majflt\":%.4f",
		    i > 0 ? "," : "", r[i].ns, r[i].minflt, r[i].majflt);
		if (cold)
			fprintf(fp, ",\"resident\":%.4f", r[i].resident);
		fputc('}', fp);
	}
	fputc(']', fp);
}

/* ------------------------------------------------------------------ */
/* Bearer validation */

struct tokens {
	char	**auth;		/* "Bearer ..." */
	size_t	  n;
};

static void
tokens_read(const char *path, struct tokens *tk)
{
	FILE	*fp;
	char	 line[256];
	size_t	 cap = 0, len;

	if ((fp = fopen(path, "r")) == NULL)
		die("cannot read %s", path);
	memset(tk, 0, sizeof(*tk));
	while (fgets(line, sizeof(line), fp) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0)
			continue;
		if (tk->n == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			if ((tk->auth = realloc(tk->auth, cap *
			    sizeof(*tk->auth))) == NULL)
				die("out of memory");
		}
		if ((tk->auth[tk->n] = malloc(len + 8)) == NULL)
			die("out of memory");
		snprintf(tk->auth[tk->n], len + 8, "Bearer %s", line);
		tk->n++;
	}
	fclose(fp);
	if (tk->n == 0)
		die("no tokens in %s", path);
}

/* Validates count tokens drawn at random; any failure ends the program. */
static void
validate_some(struct store *st, const struct config *cfg,
    const struct tokens *tk, size_t count, int all)
{
	struct http_request	 req;
	struct bearer		 b;
	int64_t			 now = (int64_t)time(NULL);
	size_t			 i;
	int			 rc;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < count; i++) {
		req.authorization = tk->auth[all ? i : rng_below(tk->n)];
		if ((rc = bearer_validate(st, cfg, &req, now, &b)) != BEARER_OK)
			die("token %zu: %s", i, bearer_strerror(rc));
	}
}

static void
timed_validate(struct store *st, const struct config *cfg,
    const struct tokens *tk, size_t count, struct run *r)
{
	long	 min0, maj0, min1, maj1;
	double	 t0;

	faults(&min0, &maj0);
	t0 = now_ns();
	validate_some(st, cfg, tk, count, 0);
	r->ns = (now_ns() - t0) / (double)count;
	faults(&min1, &maj1);
	r->minflt = (double)(min1 - min0) / (double)count;
	r->majflt = (double)(maj1 - maj0) / (double)count;
}

/*
 * Drops data.mdb's pages from the page cache and returns the share of
 * its pages still resident after that (mincore()).
 */
static double
drop_cache(const char *dbdir)
{
	char		 path[4096];
	struct stat	 sb;
	unsigned char	*vec;
	void		*map;
	size_t		 pages, i, resident = 0;
	long		 pg = sysconf(_SC_PAGESIZE);
	int		 fd;

	snprintf(path, sizeof(path), "%s/data.mdb", dbdir);
	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		die("cannot open %s", path);
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
		die("posix_fadvise on %s failed", path);
	pages = ((size_t)sb.st_size + (size_t)pg - 1) / (size_t)pg;
	if (pages == 0) {
		close(fd);
		return 0;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || (vec = malloc(pages)) == NULL)
		die("cannot map %s", path);
	if (mincore(map, (size_t)sb.st_size, vec) == -1)
		die("mincore failed");
	for (i = 0; i < pages; i++)
		resident += vec[i] & 1;
	free(vec);
	munmap(map, (size_t)sb.st_size);
	close(fd);
	return (double)resident / (double)pages;
}

static void
open_store(const struct config *cfg, struct store **st)
{
	char	 err[STORE_ERR_MAX];

	if (store_open(cfg->db_path, cfg->db_map_size, 0, st, err,
	    sizeof(err)) != STORE_OK)
		die("%s", err);
}

static int
bench_tokens(const char *config, const char *file, int runs)
{
	struct config		*cfg;
	struct store		*st;
	struct store_txn	*t;
	struct tokens		 tk;
	struct run		 warm[RUNS_MAX], cold[RUNS_MAX];
	char			 err[CONFIG_ERR_MAX];
	size_t			 entries = 0;
	int			 i;

	if (config_load(config, &cfg, err, sizeof(err)) != CONFIG_OK)
		die("%s", err);
	tokens_read(file, &tk);
	open_store(cfg, &st);
	if (store_begin(st, 1, &t) != STORE_OK ||
	    store_entries(t, DB_TOKENS, &entries) != STORE_OK)
		die("cannot count the tokens");
	store_abort(t);

	/* Warm: every sampled token once, then the measured runs. */
	validate_some(st, cfg, &tk, tk.n, 1);
	for (i = 0; i < runs; i++) {
		timed_validate(st, cfg, &tk, WARM_N, &warm[i]);
		printf("tokens %zu warm %d/%d: %.0f ns/validation, "
		    "%.4f minor and %.4f major faults/validation\n", entries,
		    i + 1, runs, warm[i].ns, warm[i].minflt, warm[i].majflt);
	}
	/* Cold: the page cache dropped before each run. */
	for (i = 0; i < runs; i++) {
		store_close(st);
		cold[i].resident = drop_cache(cfg->db_path);
		open_store(cfg, &st);
		timed_validate(st, cfg, &tk, COLD_N, &cold[i]);
		printf("tokens %zu cold %d/%d: %.0f ns/validation, "
		    "%.4f minor and %.4f major faults/validation "
		    "(%.1f %% of data.mdb cached after the drop)\n", entries,
		    i + 1, runs, cold[i].ns, cold[i].minflt, cold[i].majflt,
		    cold[i].resident * 100);
	}
	printf("BENCH {\"tokens\":%zu,\"sample\":%zu,\"warm_n\":%d,"
	    "\"cold_n\":%d,\"drop\":\"posix_fadvise\",", entries, tk.n,
	    WARM_N, COLD_N);
	print_runs(stdout, "warm", warm, runs, 0);
	fputc(',', stdout);
	print_runs(stdout, "cold", cold, runs, 1);
	printf("}\n");
	store_close(st);
	config_free(cfg);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The /mcp dispatch */

struct memin {
	const char	*p;
	size_t		 left;
};

static ssize_t
mem_read(void *ctx, char *p, size_t n)
{
	struct memin	*m = ctx;

	if (n > m->left)
		n = m->left;
	memcpy(p, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

/* The response: its length, and its text while keep is set. */
struct memout {
	size_t	 len;
	int	 keep;
	char	 text[16384];
};

static int
mem_write(void *ctx, const char *p, size_t n)
{
	struct memout	*m = ctx;

	if (m->keep && m->len + n < sizeof(m->text)) {
		memcpy(m->text + m->len, p, n);
		m->text[m->len + n] = '\0';
	}
	m->len += n;
	return 0;
}

static struct mcp_server server = {
	.program = "mcp.fcgi",
	.name = "mcp-oauth-fcgi",
	.title = "mcp-oauth-fcgi notes",
	.instructions = "bench-validate",
};

static void
handle(struct app *a, struct http_request *req, struct http_response *resp)
{
	mcp_handle_http(a, &server, req, resp);
}

/* One request's environment, as lighttpd passes it to mcp.fcgi. */
struct request_env {
	char	*vars[24];
	char	 store[24][512];
	int	 n;
};

static void
env_add(struct request_env *e, const char *name, const char *value)
{
	if (e->n + 1 >= (int)(sizeof(e->vars) / sizeof(e->vars[0])))
		die("too many variables");
	snprintf(e->store[e->n], sizeof(e->store[e->n]), "%s=%s", name,
	    value);
	e->vars[e->n] = e->store[e->n];
	e->vars[++e->n] = NULL;
}

static void
env_build(struct request_env *e, const char *config, const char *host,
    const char *token, const char *body, int modern)
{
	char	 len[32], auth[256];

	memset(e, 0, sizeof(*e));
	snprintf(len, sizeof(len), "%zu", strlen(body));
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	env_add(e, "MCP_OAUTH_CONFIG", config);
	env_add(e, "GATEWAY_INTERFACE", "CGI/1.1");
	env_add(e, "SERVER_PROTOCOL", "HTTP/1.1");
	env_add(e, "REQUEST_METHOD", "POST");
	env_add(e, "REQUEST_URI", "/mcp");
	env_add(e, "SCRIPT_NAME", "/mcp");
	env_add(e, "SERVER_NAME", "localhost");
	env_add(e, "REMOTE_ADDR", "127.0.0.1");
	env_add(e, "HTTPS", "on");
	env_add(e, "HTTP_HOST", host);
	env_add(e, "CONTENT_TYPE", "application/json");
	env_add(e, "CONTENT_LENGTH", len);
	env_add(e, "HTTP_ACCEPT", "application/json, text/event-stream");
	env_add(e, "HTTP_AUTHORIZATION", auth);
	env_add(e, "HTTP_MCP_PROTOCOL_VERSION",
	    modern ? "2026-07-28" : "2025-06-18");
	if (modern)
		env_add(e, "HTTP_MCP_METHOD", "tools/list");
}

static void
serve(struct app *a, struct request_env *e, const char *body,
    struct memout *out)
{
	struct memin	 in = { body, strlen(body) };
	struct http_io	 io_in = { mem_read, NULL, &in };
	struct http_io	 io_out = { NULL, mem_write, out };

	out->len = 0;
	if (app_serve(a, e->vars, &io_in, &io_out, handle) != 0)
		die("the response could not be written");
}

static void
timed_serve(struct app *a, struct request_env *e, const char *body,
    struct run *r)
{
	struct memout	 out;
	long		 min0, maj0, min1, maj1;
	double		 t0;
	int		 i;

	out.keep = 0;
	faults(&min0, &maj0);
	t0 = now_ns();
	for (i = 0; i < DISPATCH_N; i++)
		serve(a, e, body, &out);
	r->ns = (now_ns() - t0) / DISPATCH_N;
	faults(&min1, &maj1);
	r->minflt = (double)(min1 - min0) / DISPATCH_N;
	r->majflt = (double)(maj1 - maj0) / DISPATCH_N;
}

static int
bench_dispatch(const char *config, const char *token, int runs)
{
	struct app		 a;
	struct config		*cfg;
	struct request_env	 legacy, modern;
	struct memout		 out;
	struct run		 lr[RUNS_MAX], mr[RUNS_MAX];
	char			 err[CONFIG_ERR_MAX], why[256], host[256];
	const char		*h;
	int			 i;

	/* The Host the server accepts: its issuer's authority. */
	if (config_load(config, &cfg, err, sizeof(err)) != CONFIG_OK)
		die("%s", err);
	h = strstr(cfg->issuer, "://");
	snprintf(host, sizeof(host), "%s", h != NULL ? h + 3 : cfg->issuer);
	host[strcspn(host, "/")] = '\0';
	config_free(cfg);

	server.tools = builtin_tools;
	server.ntools = builtin_ntools;
	server.templates = builtin_templates;
	server.ntemplates = builtin_ntemplates;
	server.prompts = builtin_prompts;
	server.nprompts = builtin_nprompts;
	if (mcp_tools_prepare(&server, why, sizeof(why)) == -1)
		die("%s", why);
	memset(&a, 0, sizeof(a));
	a.name = "mcp.fcgi";
	a.config_path = config;
	env_build(&legacy, config, host, token, legacy_body, 0);
	env_build(&modern, config, host, token, modern_body, 1);

	/* Both answers checked first: a benchmark of errors is no use. */
	out.keep = 1;
	serve(&a, &legacy, legacy_body, &out);
	if (strncmp(out.text, "Status: 200", 11) != 0 ||
	    strstr(out.text, "notes_delete") == NULL)
		die("legacy tools/list: %.300s", out.text);
	out.keep = 1;
	serve(&a, &modern, modern_body, &out);
	if (strncmp(out.text, "Status: 200", 11) != 0 ||
	    strstr(out.text, "\"ttlMs\"") == NULL)
		die("modern tools/list: %.300s", out.text);

	for (i = 0; i < runs; i++) {
		if (i % 2 == 0) {
			timed_serve(&a, &legacy, legacy_body, &lr[i]);
			timed_serve(&a, &modern, modern_body, &mr[i]);
		} else {
			timed_serve(&a, &modern, modern_body, &mr[i]);
			timed_serve(&a, &legacy, legacy_body, &lr[i]);
		}
		printf("dispatch %d/%d: legacy %.0f ns/request, modern %.0f "
		    "ns/request, modern/legacy %.3f\n", i + 1, runs, lr[i].ns,
		    mr[i].ns, mr[i].ns / lr[i].ns);
	}
	printf("BENCH {\"dispatch_n\":%d,", DISPATCH_N);
	print_runs(stdout, "legacy", lr, runs, 0);
	fputc(',', stdout);
	print_runs(stdout, "modern", mr, runs, 0);
	printf("}\n");
	app_free(&a);
	return 0;
}

int
main(int argc, char *argv[])
{
	int	 runs = RUNS_DEFAULT;

	if (argc < 4 || argc > 5 || (strcmp(argv[1], "tokens") != 0 &&
	    strcmp(argv[1], "dispatch") != 0)) {
		fprintf(stderr, "usage: bench-validate tokens CONFIG TOKENS "
		    "[RUNS]\n       bench-validate dispatch CONFIG TOKEN "
		    "[RUNS]\n");
		return 2;
	}
	if (argc == 5) {
		runs = atoi(argv[4]);
		if (runs < 1 || runs > RUNS_MAX)
			die("RUNS must be 1 to %d", RUNS_MAX);
	}
	log_init("bench-validate");
	crypto_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "tokens") == 0)
		return bench_tokens(argv[2], argv[3], runs);
	return bench_dispatch(argv[2], argv[3], runs);
}
