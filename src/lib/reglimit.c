/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdint.h>

#include "config.h"
#include "ratelimit.h"
#include "reglimit.h"
#include "store.h"

/* The ratelimit kinds and the site counter's one subject. */
#define KIND_ADDRESS	"register"
#define KIND_SITE	"register-site"
#define SITE_SUBJECT	"*"

/*
 * Counts one registration from the address addr at now, if it is
 * within both limits (a limit of 0 is off): *res says which one it is
 * over, if any, and then *retry_after the seconds until that window
 * ends.  One over a limit is counted nowhere, so that refused requests
 * cannot keep a window full.  Returns a store error (a full map is
 * told from the others) or STORE_OK, whatever *res.
 */
int
reglimit_take(struct store_txn *t, const struct config *cfg,
    const char *addr, int64_t now, enum reglimit_result *res,
    long *retry_after)
{
	char	 ipsub[RATELIMIT_IP_MAX];
	int	 over;
	int	 rc;

	*res = REGLIMIT_OK;
	*retry_after = 0;
	ratelimit_ip_subject(addr, ipsub, sizeof(ipsub));
	if (cfg->registration_rate_limit > 0) {
		over = ratelimit_check(t, KIND_ADDRESS, ipsub, now,
		    cfg->registration_rate_limit, REGLIMIT_WINDOW,
		    retry_after);
		if (over == -1)
			return STORE_ERROR;
		if (over == 1) {
			*res = REGLIMIT_ADDRESS;
			return STORE_OK;
		}
	}
	if (cfg->registration_site_rate_limit > 0) {
		over = ratelimit_check(t, KIND_SITE, SITE_SUBJECT, now,
		    cfg->registration_site_rate_limit, REGLIMIT_WINDOW,
		    retry_after);
		if (over == -1)
			return STORE_ERROR;
		if (over == 1) {
			*res = REGLIMIT_SITE;
			return STORE_OK;
		}
	}
	if (cfg->registration_rate_limit > 0 &&
	    (rc = ratelimit_count(t, KIND_ADDRESS, ipsub, now,
	    REGLIMIT_WINDOW)) != STORE_OK)
		return rc;
	return ratelimit_count(t, KIND_SITE, SITE_SUBJECT, now,
	    REGLIMIT_WINDOW);
}

/* The registrations counted in the site's current window. */
int
reglimit_site_count(struct store_txn *t, int64_t now, unsigned long *n)
{
	uint32_t	 count;
	int		 rc;

	rc = ratelimit_current(t, KIND_SITE, SITE_SUBJECT, now,
	    REGLIMIT_WINDOW, &count);
	*n = count;
	return rc;
}
