/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <criterion/criterion.h>

#include <string.h>
#include <unistd.h>

#include "../../src/lib/log.h"

/* Runs a logging function with stderr redirected into a pipe. */
static void
capture(void (*fn)(void), char *out, size_t outsz)
{
	int	 fds[2], saved;
	ssize_t	 n;

	cr_assert_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, outsz - 1);
	close(fds[0]);
	cr_assert_gt(n, 0);
	out[n] = '\0';
}

static void
log_fields(void)
{
	struct log_line	 l;
	unsigned char	 hash[32];

	memset(hash, 0xab, sizeof(hash));
	log_init("/usr/lib/mcp-oauth/token.fcgi");
	log_begin(&l, "token_issued");
	log_str(&l, "user", "alice");
	log_str(&l, "client", "evil\"\n2026 fake=line\x01");
	log_int(&l, "n", -3);
	log_hash(&l, "token", hash);
	log_end(&l);
}

Test(log, one_escaped_line_with_hash_prefix)
{
	char	 out[2048];
	char	*nl;

	capture(log_fields, out, sizeof(out));
	nl = strchr(out, '\n');
	cr_assert_not_null(nl);
	cr_assert_eq(nl[1], '\0', "exactly one line");
	cr_assert_not_null(strstr(out, " token.fcgi["), "program name");
	cr_assert_not_null(strstr(out, "]: event=token_issued user=\"alice\""
	    " client=\"evil\\\"\\x0a2026 fake=line\\x01\" n=-3"
	    " token=abababab\n"));
	cr_assert_eq(out[4], '-', "starts with an ISO 8601 date");
	cr_assert_eq(out[19], 'Z');
}

static void
log_long(void)
{
	struct log_line	 l;
	char		 big[5000];
	int		 i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_begin(&l, "long");
	for (i = 0; i < 20; i++)
		log_str(&l, "v", big);
	log_end(&l);
}

Test(log, long_values_are_cut_and_line_bounded)
{
	char	 out[4096];

	capture(log_long, out, sizeof(out));
	cr_assert_leq(strlen(out), LOG_LINE_MAX);
	cr_assert_eq(out[strlen(out) - 1], '\n');
	cr_assert_not_null(strstr(out, "...\""));
}

static void
log_message(void)
{
	log_msg("config_error", "%s:%d: issuer: bad", "/etc/x.conf", 3);
}

Test(log, free_text_message)
{
	char	 out[1024];

	capture(log_message, out, sizeof(out));
	cr_assert_not_null(strstr(out,
	    "event=config_error msg=\"/etc/x.conf:3: issuer: bad\"\n"));
}
