/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The audit trail: security events (sign-ins, consent, tokens issued,
 * replays, revocations, clients registered and removed, configuration
 * errors) in the "audit" database, written in the transaction of the
 * action they describe.
 *
 * Key: the event's time in microseconds since the epoch, 8 bytes
 * big-endian, so that the database is in time order.  Two events of the
 * same microsecond get consecutive keys: a writer takes the last key
 * plus one when its clock is not past it (LMDB has one writer at a
 * time), so keys are unique and never go back.
 *
 * Value (record.c's encoding): the kind (one byte), then the user, the
 * client id, the client address and a short detail, each a string
 * limited to the AUDIT_*_MAX bytes below (longer ones are cut on
 * writing, refused on reading).  Never a secret: no token, code,
 * password or hash of one.
 *
 * The database is bounded by audit_max_events and audit_max_age: each
 * insert deletes up to AUDIT_TRIM_ON_INSERT of the oldest events that
 * are over either bound (bounded work on the request path), and the
 * purge trims it fully.
 */
#ifndef MCP_AUDIT_H
#define MCP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct config;
struct store;
struct store_txn;

#define AUDIT_KEY_LEN		8
#define AUDIT_USER_MAX		64
#define AUDIT_CLIENT_MAX	255
#define AUDIT_ADDR_MAX		64
#define AUDIT_DETAIL_MAX	200
#define AUDIT_TRIM_ON_INSERT	2
/* How far in the future a key may be before the purge deletes it. */
#define AUDIT_FUTURE_SLACK_US	((int64_t)86400 * 1000000)

#define AUDIT_MAX_AGE_DEFAULT		(90L * 24 * 60 * 60)
#define AUDIT_MAX_EVENTS_DEFAULT	100000L

/* Stored as one byte: never renumber, only add. */
enum audit_kind {
	AUDIT_SIGNIN = 1,		/* a password sign-in succeeded */
	AUDIT_SIGNIN_FAILED,		/* refused (until signin_accept) */
	AUDIT_CONSENT,			/* a request approved: a code */
	AUDIT_CONSENT_DENIED,
	AUDIT_TOKEN_ISSUED,		/* code or device code exchanged */
	AUDIT_TOKEN_REFRESHED,
	AUDIT_REFRESH_REUSE,		/* its grant revoked */
	AUDIT_CODE_REPLAY,		/* its grant revoked */
	AUDIT_REVOKED,			/* detail: by whom, and what */
	AUDIT_CLIENT_REGISTERED,	/* dynamic registration */
	AUDIT_CLIENT_REMOVED,		/* by the purge or the admin */
	AUDIT_CONFIG_ERROR,
	AUDIT_PASSWORD_CHANGED,		/* detail: by whom */
	AUDIT_SIGNED_OUT,		/* sessions ended by their user */
	AUDIT_SCOPES_LIMITED,		/* the scopes a user may grant set */
	/* By an administrator (the tool or /admin), detail: by whom. */
	AUDIT_USER_ADDED,
	AUDIT_USER_DELETED,		/* with her grants and notes */
	AUDIT_USER_DISABLED,		/* her grants revoked */
	AUDIT_USER_ENABLED,
	AUDIT_ADMIN_CHANGED,		/* the administrator flag on or off */
	AUDIT__MAX
};

/*
 * Who acted: the detail of an AUDIT_REVOKED or AUDIT_PASSWORD_CHANGED
 * event, and of the administrator's changes to users, starts with one.
 */
#define AUDIT_BY_USER		"user"
#define AUDIT_BY_ADMIN_WEB	"admin-web"
#define AUDIT_BY_ADMIN_TOOL	"admin-tool"
#define AUDIT_BY_ENDPOINT	"revoke-endpoint"

struct audit_event {
	int64_t		 time_us;	/* the key */
	int		 kind;		/* enum audit_kind */
	char		 user[AUDIT_USER_MAX + 1];
	char		 client[AUDIT_CLIENT_MAX + 1];
	char		 addr[AUDIT_ADDR_MAX + 1];
	char		 detail[AUDIT_DETAIL_MAX + 1];
};

/* The bounds: 0 means no bound of that kind. */
struct audit_bounds {
	int64_t		 max_age;	/* seconds */
	size_t		 max_events;
};

/* What audit_list() returns: every field that is set must match. */
struct audit_filter {
	const char	*user;
	const char	*client;
	int64_t		 since_us;	/* 0: from the oldest */
	int64_t		 before_us;	/* 0: to the newest; else below it */
	int		 kind;		/* 0: any */
	size_t		 limit;		/* 0: no limit */
	/*
	 * At most this many events are looked at, matching or not (0: no
	 * limit): a bound on the work of a page that lists one user's.
	 */
	size_t		 scan;
};

typedef int	(*audit_visit)(const struct audit_event *, void *);

const char	*audit_kind_name(int);
int		 audit_kind_parse(const char *);
void		 audit_bounds_of(const struct config *, struct audit_bounds *);
int64_t		 audit_now_us(void);

void		 audit_event_set(struct audit_event *, int, const char *,
		    const char *, const char *, const char *);
void		 audit_key(int64_t, unsigned char *);
int64_t		 audit_key_time(const void *, size_t);
void		 audit_encode(const struct audit_event *, struct buf *);
int		 audit_decode(const void *, size_t, const void *, size_t,
		    struct audit_event *);

int		 audit_put(struct store_txn *, const struct audit_bounds *,
		    struct audit_event *);
int		 audit_record(struct store_txn *, const struct config *, int,
		    const char *, const char *, const char *, const char *);
int		 audit_rekind(struct store_txn *, int64_t, const char *,
		    int);
int		 audit_amend(struct store_txn *, int64_t, const char *, int,
		    const char *);
int		 audit_client_removed(struct store_txn *, const char *,
		    size_t, const char *);
int		 audit_trim(struct store_txn *, const struct audit_bounds *,
		    int64_t, size_t, size_t *);
int		 audit_trim_future(struct store_txn *, int64_t, size_t,
		    size_t *);
int		 audit_purge(struct store *, const struct config *, size_t,
		    size_t *);
int		 audit_list(struct store_txn *, const struct audit_filter *,
		    audit_visit, void *);
int		 audit_list_parts(struct store *, const struct audit_filter *,
		    size_t, audit_visit, void *);

#endif
