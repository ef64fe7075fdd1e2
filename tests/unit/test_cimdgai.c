/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * A metadata document's host when getaddrinfo_a() cannot start its
 * lookup (glibc could not create its helper thread: a shared host's
 * RLIMIT_NPROC, say).  The test is linked with
 * -Wl,--wrap=getaddrinfo_a, so cimdfetch.c's calls come here and fail
 * as glibc would; the lookup must then be made with getaddrinfo()
 * instead of failing.  The name is "localhost" (from /etc/hosts), which
 * resolves to loopback: the fetch is refused for its address
 * (CIMDF_EADDR), which shows the name was resolved, and nothing is
 * connected to.
 */
/* getaddrinfo_a() is a GNU extension. */
#define _GNU_SOURCE

#include <criterion/criterion.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "../../src/lib/cimdfetch.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"

#ifdef HAVE_GETADDRINFO_A
int	 __wrap_getaddrinfo_a(int, struct gaicb **, int, struct sigevent *);

static int	 calls;
static int	 answer;

/* getaddrinfo_a() that never starts: answer, the request untouched. */
int
__wrap_getaddrinfo_a(int mode, struct gaicb **list, int n,
    struct sigevent *sig)
{
	(void)mode;
	(void)list;
	(void)n;
	(void)sig;
	calls++;
	return answer;
}

static struct config *
config_plain(void)
{
	struct config	*cfg;
	const char	*text = "issuer = https://mcp.example.com\n"
			    "db_path = /nonexistent\n";
	char		 err[CONFIG_ERR_MAX];

	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)), CONFIG_OK, "%s", err);
	return cfg;
}

static void
expect_fallback(int failure)
{
	struct config	*cfg = config_plain();
	struct client	 c;
	char		 why[256];

	calls = 0;
	answer = failure;
	client_init(&c);
	cr_expect_eq(cimd_fetch_client(cfg, "https://localhost/c", 0, &c,
	    why, sizeof(why)), CIMDF_EADDR, "getaddrinfo_a %d: %s", failure,
	    why);
	cr_expect_eq(calls, 1);
	client_free(&c);
	config_free(cfg);
}

Test(cimdgai, a_lookup_that_cannot_start_is_made_without_deadline)
{
	expect_fallback(EAI_AGAIN);
	expect_fallback(EAI_SYSTEM);
	expect_fallback(EAI_MEMORY);
}
#else
Test(cimdgai, without_getaddrinfo_a)
{
	cr_skip_test("built without getaddrinfo_a(): nothing to fall back "
	    "from");
}
#endif
