/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * bench-validate: what /mcp costs per request inside the process, with
 * no web server, no TLS and no FastCGI round trip to blur it.
 *
 *   bench-validate [-r RUNS] tokens CONFIG TOKENS [CONFIG TOKENS ...]
 *   bench-validate [-r RUNS] dispatch CONFIG TOKEN
 *
 * tokens: bearer_validate() (src/lib/bearer.c, the function mcp.fcgi
 * calls) on tokens drawn at random from each TOKENS file (one a line:
 * bench-fill access writes them), against the database of the CONFIG
 * before it.  The databases are measured in RUNS rounds, each database
 * once per round, the order forth in one round and back in the next,
 * so that their ratios can be taken per round.  Warm: every token of
 * each file validated once first, then per round a run of WARM_N
 * validations.  Cold: per round a run of COLD_N validations, after the
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
 * two alternated in each of RUNS rounds of DISPATCH_N requests each.
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

#define WARM_N		100000
#define COLD_N		300
#define DISPATCH_N	40000
#define RUNS_DEFAULT	5
#define RUNS_MAX	50
#define DBS_MAX		8

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

/*
 * The CPU time this thread used: unlike the wall time, it leaves out
 * the time other programs had the CPU, which on a shared machine is
 * most of the noise.
 */
static double
cpu_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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
	double	 ns;		/* wall time per operation */
	double	 cpu_ns;	/* CPU time per operation */
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
		fprintf(fp, "%s{\"ns\":%.1f,\"cpu_ns\":%.1f,\"minflt\":%.4f,"
		    "\"majflt\":%.4f", i > 0 ? "," : "", r[i].ns, r[i].cpu_ns,
		    r[i].minflt, r[i].majflt);
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
	double	 t0, c0;

	faults(&min0, &maj0);
	t0 = now_ns();
	c0 = cpu_ns();
	validate_some(st, cfg, tk, count, 0);
	r->cpu_ns = (cpu_ns() - c0) / (double)count;
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

/* One database under measurement. */
struct db {
	struct config	*cfg;
	struct store	*st;
	struct tokens	 tk;
	size_t		 entries;
	struct run	 warm[RUNS_MAX], cold[RUNS_MAX];
};

static void
db_open(struct db *d, const char *config, const char *file)
{
	struct store_txn	*t;
	char			 err[CONFIG_ERR_MAX];

	memset(d, 0, sizeof(*d));
	if (config_load(config, &d->cfg, err, sizeof(err)) != CONFIG_OK)
		die("%s", err);
	tokens_read(file, &d->tk);
	open_store(d->cfg, &d->st);
	if (store_begin(d->st, 1, &t) != STORE_OK ||
	    store_entries(t, DB_TOKENS, &d->entries) != STORE_OK)
		die("cannot count the tokens");
	store_abort(t);
	/* Every sampled token once: checked, and the pages warm. */
	validate_some(d->st, d->cfg, &d->tk, d->tk.n, 1);
}

static int
bench_tokens(char **args, int nargs, int runs)
{
	struct db	*dbs;
	struct db	*d;
	int		 ndb = nargs / 2, i, j;

	if (nargs < 2 || nargs % 2 != 0 || ndb > DBS_MAX)
		die("tokens needs CONFIG TOKENS pairs (at most %d)", DBS_MAX);
	if ((dbs = calloc((size_t)ndb, sizeof(*dbs))) == NULL)
		die("out of memory");
	for (j = 0; j < ndb; j++)
		db_open(&dbs[j], args[2 * j], args[2 * j + 1]);

	/* Warm rounds. */
	for (i = 0; i < runs; i++)
		for (j = 0; j < ndb; j++) {
			d = &dbs[i % 2 ? ndb - 1 - j : j];
			timed_validate(d->st, d->cfg, &d->tk, WARM_N,
			    &d->warm[i]);
			printf("tokens %zu warm %d/%d: %.0f ns/validation "
			    "(CPU %.0f ns), %.4f minor and %.4f major "
			    "faults/validation\n", d->entries, i + 1, runs,
			    d->warm[i].ns, d->warm[i].cpu_ns,
			    d->warm[i].minflt, d->warm[i].majflt);
		}
	/* Cold rounds: the page cache dropped before each run. */
	for (i = 0; i < runs; i++)
		for (j = 0; j < ndb; j++) {
			d = &dbs[i % 2 ? ndb - 1 - j : j];
			store_close(d->st);
			d->cold[i].resident = drop_cache(d->cfg->db_path);
			open_store(d->cfg, &d->st);
			timed_validate(d->st, d->cfg, &d->tk, COLD_N,
			    &d->cold[i]);
			printf("tokens %zu cold %d/%d: %.0f ns/validation, "
			    "%.4f minor and %.4f major faults/validation "
			    "(%.1f %% of data.mdb cached after the drop)\n",
			    d->entries, i + 1, runs, d->cold[i].ns,
			    d->cold[i].minflt, d->cold[i].majflt,
			    d->cold[i].resident * 100);
		}

	printf("BENCH {\"warm_n\":%d,\"cold_n\":%d,"
	    "\"drop\":\"posix_fadvise\",\"dbs\":[", WARM_N, COLD_N);
	for (j = 0; j < ndb; j++) {
		d = &dbs[j];
		printf("%s{\"tokens\":%zu,\"sample\":%zu,", j > 0 ? "," : "",
		    d->entries, d->tk.n);
		print_runs(stdout, "warm", d->warm, runs, 0);
		fputc(',', stdout);
		print_runs(stdout, "cold", d->cold, runs, 1);
		fputc('}', stdout);
		store_close(d->st);
		config_free(d->cfg);
	}
	printf("]}\n");
	free(dbs);
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
	double		 t0, c0;
	int		 i;

	out.keep = 0;
	faults(&min0, &maj0);
	t0 = now_ns();
	c0 = cpu_ns();
	for (i = 0; i < DISPATCH_N; i++)
		serve(a, e, body, &out);
	r->cpu_ns = (cpu_ns() - c0) / DISPATCH_N;
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
		printf("dispatch %d/%d: CPU legacy %.0f ns/request, modern "
		    "%.0f ns/request, modern/legacy %.3f (wall %.0f and %.0f "
		    "ns)\n", i + 1, runs, lr[i].cpu_ns, mr[i].cpu_ns,
		    mr[i].cpu_ns / lr[i].cpu_ns, lr[i].ns, mr[i].ns);
	}
	printf("BENCH {\"dispatch_n\":%d,", DISPATCH_N);
	print_runs(stdout, "legacy", lr, runs, 0);
	fputc(',', stdout);
	print_runs(stdout, "modern", mr, runs, 0);
	printf("}\n");
	app_free(&a);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-validate [-r RUNS] tokens CONFIG TOKENS "
	    "[CONFIG TOKENS ...]\n"
	    "       bench-validate [-r RUNS] dispatch CONFIG TOKEN\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	int	 runs = RUNS_DEFAULT;

	argc--;
	argv++;
	if (argc >= 2 && strcmp(argv[0], "-r") == 0) {
		runs = atoi(argv[1]);
		if (runs < 1 || runs > RUNS_MAX)
			die("RUNS must be 1 to %d", RUNS_MAX);
		argc -= 2;
		argv += 2;
	}
	if (argc < 1)
		usage();
	log_init("bench-validate");
	crypto_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[0], "tokens") == 0)
		return bench_tokens(argv + 1, argc - 1, runs);
	if (strcmp(argv[0], "dispatch") == 0 && argc == 3)
		return bench_dispatch(argv[1], argv[2], runs);
	usage();
	return 2;
}
