/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * One HTTP request as the web server hands it to a CGI or FastCGI
 * program, and the response we write back.  The I/O is abstract so the
 * same code serves FastCGI (libfcgi streams), plain CGI (stdin and
 * stdout) and the unit tests (memory).
 */
#ifndef MCP_HTTP_H
#define MCP_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

enum http_err {
	HTTP_OK = 0,
	HTTP_ENOMEM,
	HTTP_ETOOBIG,		/* body larger than allowed: 413 */
	HTTP_EBADLENGTH,	/* CONTENT_LENGTH malformed: 400 */
	HTTP_ESHORT,		/* body shorter than CONTENT_LENGTH: 400 */
	HTTP_EIO
};

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_PATCH,
	HTTP_OTHER
};

struct http_io {
	/* Returns bytes read, 0 at end of input, -1 on error. */
	ssize_t	(*read)(void *, char *, size_t);
	/* Returns 0 on success, -1 on error. */
	int	(*write)(void *, const char *, size_t);
	void	*ctx;
};

struct http_request {
	enum http_method	 method;
	const char		*method_name;
	char			*path;		/* REQUEST_URI without query */
	const char		*query;		/* raw, never NULL */
	const char		*content_type;
	const char		*authorization;
	const char		*cookie;
	const char		*origin;
	const char		*host;
	const char		*accept;
	const char		*remote_addr;
	const char		*remote_user;
	const char		*protocol_version;	/* MCP-Protocol-Version */
	const char		*access_control_request_method;
	int			 https;
	long long		 content_length;	/* -1 when absent */
	char			*body;
	size_t			 body_len;
	char			**envp;
};

struct http_response {
	int		 status;
	struct buf	 headers;
	struct buf	 body;
	int		 omit_body;	/* HEAD */
	int		 sent;		/* already written as a stream */
};

const char	*http_env(char **, const char *);
int		 http_request_init(struct http_request *, char **);
void		 http_request_free(struct http_request *);
int		 http_read_body(struct http_request *, const struct http_io *,
		    size_t);
int		 http_content_type_is(const struct http_request *,
		    const char *);
int		 http_accepts(const struct http_request *, const char *);
int		 http_same_origin_post(const struct http_request *);

void		 http_response_init(struct http_response *);
void		 http_response_reset(struct http_response *);
void		 http_response_free(struct http_response *);
void		 http_status(struct http_response *, int);
int		 http_header(struct http_response *, const char *,
		    const char *);
int		 http_headerf(struct http_response *, const char *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 http_body(struct http_response *, const char *, size_t);
int		 http_response_write(struct http_response *,
		    const struct http_io *);
const char	*http_reason(int);

void		 http_json(struct http_response *, int, const char *);
void		 http_json_error(struct http_response *, int, const char *,
		    const char *);

/* cookie.c */
int		 cookie_get(const char *, const char *, char *, size_t);

/* escape.c */
void		 html_escape(struct buf *, const char *);
void		 json_escape(struct buf *, const char *);
void		 url_escape(struct buf *, const char *);

/* httpauth.c */
#define HTTP_AUTH_TOKEN_MAX	8192
#define HTTP_AUTH_CRED_MAX	255

enum http_auth_scheme {
	HTTP_AUTH_NONE = 0,
	HTTP_AUTH_BEARER,
	HTTP_AUTH_BASIC,
	HTTP_AUTH_OTHER
};

enum http_auth_err {
	HTTP_AUTH_OK = 0,
	HTTP_AUTH_EMALFORMED,
	HTTP_AUTH_ETOOLONG
};

struct http_auth {
	enum http_auth_scheme	 scheme;
	const char		*token;		/* Bearer: into the header */
	size_t			 token_len;
	char			 user[HTTP_AUTH_CRED_MAX + 1];	/* Basic */
	char			 password[HTTP_AUTH_CRED_MAX + 1];
};

int		 http_auth_parse(const char *, struct http_auth *);
void		 http_auth_clear(struct http_auth *);

#endif
