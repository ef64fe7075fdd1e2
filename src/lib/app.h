/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The request loop shared by every endpoint program.  It accepts
 * FastCGI requests (or serves the one CGI request when not started by a
 * FastCGI-aware server), keeps the configuration loaded and fresh, opens
 * the database lazily once per process, and hands each parsed request
 * to the program's handler.
 */
#ifndef MCP_APP_H
#define MCP_APP_H

#include <sys/types.h>

#include <time.h>

#include "config.h"
#include "form.h"
#include "http.h"
#include "oauth.h"
#include "store.h"

struct app {
	const char	*name;
	const char	*config_path;
	struct config	*cfg;
	/*
	 * Counts successful loads of the configuration, from 1: what a
	 * per-process cache built from cfg is keyed on.  Not the cfg
	 * pointer: a new configuration may be allocated where a freed
	 * one was.
	 */
	unsigned long	 cfg_gen;
	dev_t		 cfg_dev;
	ino_t		 cfg_ino;
	time_t		 cfg_mtime;
	off_t		 cfg_size;
	char		 cfg_err[CONFIG_ERR_MAX];
	struct store	*store;
	char		 store_err[STORE_ERR_MAX];
	const struct http_io *in;
	/* The response, and how to push what was written (FastCGI). */
	const struct http_io *out;
	int		(*flush)(void *);
	unsigned long	 requests;
	int		 cgi;		/* one request as plain CGI */
	/* The error shape when the configuration cannot be loaded. */
	void		(*config_error)(struct http_response *);
	unsigned long	 writes;	/* for app_purge_some() */
	int		 plain_logged;	/* app_refuse_plain() said why */
};

typedef void	(*app_handler)(struct app *, struct http_request *,
		    struct http_response *);

void	 app_catch_term(void);
int	 app_main(const char *, app_handler,
	    void (*)(struct http_response *));
void	 app_config_error_oauth(struct http_response *);
int	 app_store(struct app *, struct store **);
int	 app_read_body(struct app *, struct http_request *,
	    struct http_response *, size_t);
int	 app_read_form(struct app *, struct http_request *,
	    struct http_response *, size_t, struct form *,
	    struct oauth_error *);
int	 app_serve(struct app *, char **, const struct http_io *,
	    const struct http_io *, app_handler);
void	 app_free(struct app *);
void	 app_purge_some(struct app *);
int	 app_resource_server_only(struct app *, struct http_response *, int);
int	 app_issuer_path(const struct config *, char *);

/* The shape of app_resource_server_only()'s answer. */
#define APP_ANSWER_JSON		0	/* an OAuth JSON error */
#define APP_ANSWER_PAGE		1	/* an HTML page for a person */

/* A purge step after every 32nd write, of at most 16 records. */
#define APP_PURGE_EVERY		32
#define APP_PURGE_RECORDS	16

#endif
