/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "activity.h"
#include "audit.h"
#include "client.h"
#include "config.h"
#include "store.h"
#include "user.h"

/* Who acted, by the start of an event's detail. */
enum who {
	WHO_USER,
	WHO_ADMIN,
	WHO_CLIENT,
	WHO_UNKNOWN
};

/* What visit() returns to stop: store codes are not negative. */
#define LINES_FULL	(-1)

/* What audit_list() fills, line by line. */
struct collect {
	struct activity_line	*lines;
	size_t			 max;
	size_t			 n;
};

void
activity_free(struct activity_line *lines, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(lines[i].client_name);
		lines[i].client_name = NULL;
	}
}

/* Whether ev continues the run of line: it collapses into it. */
static int
continues(const struct activity_line *line, const struct audit_event *ev)
{
	if (ev->kind != line->kind || (ev->kind != AUDIT_TOKEN_REFRESHED &&
	    ev->kind != AUDIT_SIGNIN_FAILED))
		return 0;
	return strcmp(ev->client, line->client) == 0 &&
	    strcmp(ev->addr, line->addr) == 0;
}

/*
 * Newest first: LINES_FULL (stops audit_list(), and is no store code)
 * once the lines are full and ev starts another.
 */
static int
visit(const struct audit_event *ev, void *arg)
{
	struct collect		*c = arg;
	struct activity_line	*line;

	if (c->n > 0 && continues(&c->lines[c->n - 1], ev)) {
		line = &c->lines[c->n - 1];
		line->count++;
		line->first_us = ev->time_us;
		return 0;
	}
	if (c->n == c->max)
		return LINES_FULL;
	line = &c->lines[c->n++];
	memset(line, 0, sizeof(*line));
	line->time_us = line->first_us = ev->time_us;
	line->count = 1;
	line->kind = ev->kind;
	memcpy(line->client, ev->client, sizeof(line->client));
	memcpy(line->addr, ev->addr, sizeof(line->addr));
	memcpy(line->detail, ev->detail, sizeof(line->detail));
	return 0;
}

/*
 * The recent activity of user at now (seconds): at most max lines into
 * lines, newest first, with the names of their clients as t has them.
 * *n receives how many were filled.  Free them with activity_free()
 * whatever the result.  Returns a store code.
 */
int
activity_list(struct store_txn *t, const struct config *cfg,
    const char *user, int64_t now, struct activity_line *lines, size_t max,
    size_t *n)
{
	struct audit_filter	 f;
	struct audit_bounds	 b;
	struct collect		 c;
	struct client		 cl;
	struct user		 u;
	size_t			 i;
	int			 rc;

	*n = 0;
	audit_bounds_of(cfg, &b);
	memset(&f, 0, sizeof(f));
	f.user = user;
	f.scan = ACTIVITY_SCAN;
	if (b.max_age > 0 && now > b.max_age)
		f.since_us = (now - b.max_age) * (int64_t)1000000;
	/*
	 * Not before the account was made: a user deleted and a new one
	 * added under the same name must not see the first one's events.
	 */
	rc = store_user_get(t, user, &u);
	if (rc == STORE_OK) {
		if (u.created > 0 && u.created * (int64_t)1000000 > f.since_us)
			f.since_us = u.created * (int64_t)1000000;
		user_free(&u);
	} else if (rc != STORE_NOTFOUND)
		return rc;
	c.lines = lines;
	c.max = max;
	c.n = 0;
	rc = max > 0 ? audit_list(t, &f, visit, &c) : STORE_OK;
	*n = c.n;
	if (rc != STORE_OK && rc != LINES_FULL)
		return rc;
	for (i = 0; i < c.n; i++) {
		if (lines[i].client[0] == '\0')
			continue;
		rc = store_client_get(t, lines[i].client, &cl);
		if (rc == STORE_NOTFOUND)
			continue;
		if (rc != STORE_OK)
			return rc;
		if (cl.name != NULL &&
		    (lines[i].client_name = strdup(cl.name)) == NULL)
			rc = STORE_ENOMEM;
		client_free(&cl);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/*
 * Whether detail starts with the actor who (audit.h's AUDIT_BY_*),
 * alone or with a name ("admin-web root: ...").
 */
static int
by(const char *detail, const char *who)
{
	size_t	 n = strlen(who);

	return strncmp(detail, who, n) == 0 &&
	    (detail[n] == '\0' || detail[n] == ':' || detail[n] == ' ');
}

static enum who
who_of(const char *detail)
{
	if (by(detail, AUDIT_BY_USER))
		return WHO_USER;
	if (by(detail, AUDIT_BY_ADMIN_WEB) || by(detail, AUDIT_BY_ADMIN_TOOL))
		return WHO_ADMIN;
	if (by(detail, AUDIT_BY_ENDPOINT))
		return WHO_CLIENT;
	return WHO_UNKNOWN;
}

static void
words(struct activity_words *w, const char *before, int names_client,
    const char *after)
{
	w->before = before;
	w->names_client = names_client;
	w->after = after;
}

/* A revocation in words: whose access, and by whom. */
static void
revoked_words(const struct activity_line *l, struct activity_words *w)
{
	static const char *const revoked_by[] = {
		[WHO_USER] = " revoked by you",
		[WHO_ADMIN] = " revoked by the administrator",
		[WHO_CLIENT] = " revoked by the application",
		[WHO_UNKNOWN] = " revoked",
	};
	static const char *const by_whom[] = {
		[WHO_USER] = " by you",
		[WHO_ADMIN] = " by the administrator",
		[WHO_CLIENT] = " by the application",
		[WHO_UNKNOWN] = "",
	};
	enum who	 who = who_of(l->detail);

	if (l->client[0] != '\0')
		words(w, strstr(l->detail, "access token") != NULL ?
		    "An access token of " : "Access of ", 1, revoked_by[who]);
	else if (strstr(l->detail, "user disabled") != NULL ||
	    strstr(l->detail, "user blocked") != NULL)
		words(w, "Account disabled and the access of all your apps "
		    "ended", 0, by_whom[who]);
	else if (strstr(l->detail, "user deleted") != NULL)
		words(w, "Account deleted", 0, by_whom[who]);
	else
		words(w, "Access of all your apps", 0, revoked_by[who]);
}

/*
 * What line l says, in words: a short sentence, naming the client
 * where there is one.  A kind with no words of its own (one that names
 * no user, or one added later) says its name.
 */
void
activity_words(const struct activity_line *l, struct activity_words *w)
{
	switch (l->kind) {
	case AUDIT_SIGNIN:
		words(w, "Signed in", 0, "");
		break;
	case AUDIT_SIGNIN_FAILED:
		words(w, "Sign-in failed", 0, "");
		break;
	case AUDIT_CONSENT:
		words(w, "Allowed ", 1, strcmp(l->detail, "device") == 0 ?
		    " on a device" : "");
		break;
	case AUDIT_CONSENT_DENIED:
		words(w, "Refused ", 1, strcmp(l->detail, "device") == 0 ?
		    " on a device" : "");
		break;
	case AUDIT_TOKEN_ISSUED:
		words(w, "Token issued to ", 1, "");
		break;
	case AUDIT_TOKEN_REFRESHED:
		words(w, "Access renewed for ", 1, "");
		break;
	case AUDIT_REFRESH_REUSE:
		words(w, "Reused refresh token detected: access of ", 1,
		    " ended");
		break;
	case AUDIT_CODE_REPLAY:
		words(w, "Authorization code used twice: access of ", 1,
		    " ended");
		break;
	case AUDIT_REVOKED:
		revoked_words(l, w);
		break;
	case AUDIT_PASSWORD_CHANGED:
		words(w, "Password changed", 0,
		    who_of(l->detail) == WHO_ADMIN ?
		    " by the administrator" : "");
		break;
	case AUDIT_SIGNED_OUT:
		words(w, strstr(l->detail, ": everywhere") != NULL ?
		    "Signed out everywhere" : "Signed out one session", 0,
		    who_of(l->detail) == WHO_ADMIN ?
		    " by the administrator" : "");
		break;
	case AUDIT_SCOPES_LIMITED:
		words(w, "The administrator changed what you may allow", 0,
		    "");
		break;
	case AUDIT_USER_ADDED:
		words(w, "Account created by the administrator", 0, "");
		break;
	case AUDIT_USER_DISABLED:
		words(w, "Account disabled and the access of all your apps "
		    "ended by the administrator", 0, "");
		break;
	case AUDIT_USER_ENABLED:
		words(w, "Account enabled by the administrator", 0, "");
		break;
	case AUDIT_ADMIN_CHANGED:
		words(w, strstr(l->detail, "administrator on") != NULL ?
		    "Administrator rights given" :
		    "Administrator rights taken away", 0,
		    " by the administrator");
		break;
	default:
		words(w, audit_kind_name(l->kind), 0, "");
		break;
	}
}
