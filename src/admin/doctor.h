/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin doctor: an outside-in check of a deployed site,
 * shared by doctor.c (the command), doctor_http.c (the requests),
 * doctor_checks.c, doctor_database.c and doctor_discovery.c (the
 * checks), doctor_tls.c (the certificate's expiry) and
 * doctor_report.c (the lines, the JSON and the exit status).
 */
#ifndef MCP_ADMIN_DOCTOR_H
#define MCP_ADMIN_DOCTOR_H

#include <stddef.h>
#include <time.h>

#include "../lib/buf.h"

struct json_object;

/* Bounds of every answer: metadata documents are a few kB. */
#define DR_MAX_BODY		(256 * 1024)
#define DR_MAX_HEADERS		(32 * 1024)
#define DR_TIMEOUT_MS		10000L
#define DR_URL_MAX		2048

/* Warn when the certificate expires within this many days (default). */
#define DR_CERT_WARN_DAYS	14
#define DR_CERT_WARN_DAYS_MAX	3650
/* Warn when the server's clock is off by more than this many seconds. */
#define DR_CLOCK_WARN_SECS	60

/* Exit status (documented in the usage text and the README). */
#define DR_EXIT_PASS		0
#define DR_EXIT_FAIL		1
#define DR_EXIT_WARN		3

enum dr_status {
	DR_PASS,
	DR_WARN,
	DR_FAIL
};

struct dr_result {
	char		*name;
	enum dr_status	 status;
	char		*message;
	char		*hint;		/* the fix, or NULL */
};

struct doctor {
	/* Options. */
	const char	*ca_file;
	int		 insecure;
	int		 no_write;
	const char	*origin;	/* the Origin for the CORS checks */
	long		 warn_days;	/* certificate expiry warning */

	/* What the MCP URL implies. */
	char		 mcp_url[DR_URL_MAX];
	char		 site[DR_URL_MAX];	/* scheme://authority */
	char		 base[DR_URL_MAX];	/* the issuer: site + prefix */
	char		 prefix[DR_URL_MAX];	/* "" or "/mcp-auth" */
	char		 mcp_path[DR_URL_MAX];	/* "/mcp", "/mcp-auth/mcp" */
	int		 tls;		/* https (else loopback http) */

	/* Found on the way. */
	int		 reachable;	/* 0: stop after the first check */
	int		 as_found;	/* some AS metadata was valid */
	/* From the metadata, or "" when registration is closed. */
	char		 registration_endpoint[DR_URL_MAX];
	time_t		 server_date;	/* from a Date header, or 0 */
	time_t		 local_date;	/* our clock when it came */

	/* The results, in order. */
	struct dr_result *results;
	size_t		 nresults;
	int		 lost;		/* a result could not be kept */
};

/* An answer: status, headers, body. */
struct dr_resp {
	long		 status;
	struct buf	 headers;
	struct buf	 body;
	struct buf	 cert_pem;
	char		 err[512];	/* set when there was no answer */
	int		 tls_failed;
};

/* doctor_http.c */
void	 dr_resp_free(struct dr_resp *);
int	 dr_request(struct doctor *, const char *, const char *,
	    const char *const *, const char *, int, struct dr_resp *);
int	 dr_header(const struct dr_resp *, const char *, char *, size_t);
struct json_object *dr_json(const struct dr_resp *);
const char *dr_json_str(struct json_object *, const char *);

/* doctor_report.c */
void	 dr_add(struct doctor *, const char *, enum dr_status, const char *,
	    const char *, ...) __attribute__((format(printf, 5, 6)));
void	 dr_print(const struct doctor *, int);
int	 dr_exit_status(const struct doctor *);
void	 dr_free(struct doctor *);

/* doctor_checks.c */
extern const char dr_db_hint[];
const char *dr_status_hint(long);
void	 dr_check_tls(struct doctor *);
void	 dr_check_resource_metadata(struct doctor *);
void	 dr_check_challenge(struct doctor *);
void	 dr_check_authorization_header(struct doctor *);
void	 dr_check_cors(struct doctor *);
void	 dr_check_clock(struct doctor *);

/* doctor_database.c */
void	 dr_check_database(struct doctor *);

/* doctor_discovery.c */
void	 dr_check_discovery(struct doctor *);
void	 dr_root_rule(const char *, char *, size_t);

/* doctor_tls.c */
int	 dr_cert_days_left(const char *, double *, char *, size_t);

#endif
