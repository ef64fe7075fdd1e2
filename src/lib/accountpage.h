/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The pages of /account (account.html, account-login.html): what a
 * signed-in person sees of her account (account.h), and its sign-in
 * form, which posts to /authorize as the login page does.
 */
#ifndef MCP_ACCOUNTPAGE_H
#define MCP_ACCOUNTPAGE_H

#include <stddef.h>

#include "account.h"
#include "activity.h"
#include "config.h"
#include "http.h"

/* What the account page shows. */
struct accountpage {
	const char			*user;
	const char			*csrf;
	const struct account_app	*apps;
	size_t				 napps;
	const struct account_session	*sessions;
	size_t				 nsessions;
	const struct activity_line	*activity;
	size_t				 nactivity;
	int64_t				 activity_days;	/* kept; 0: no bound */
	int				 has_sessions;	/* cookie sign-in */
	int				 password;	/* it can be changed */
	const char			*notice;	/* or NULL */
	const char			*error;		/* or NULL */
};

void	 accountpage_show(const struct config *, struct http_response *, int,
	    const struct accountpage *);
void	 accountpage_login(const struct config *, struct http_response *,
	    int, const char *, const char *, const char *, const char *);
void	 accountpage_login_throttled(const struct config *,
	    struct http_response *, const char *, const char *, const char *,
	    long);
void	 accountpage_time(int64_t, char *, size_t);
void	 accountpage_event_time(int64_t, char *, size_t, char *, size_t);

#endif
