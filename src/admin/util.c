/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/config.h"
#include "../lib/crypto.h"
#include "../lib/store.h"
#include "../lib/user.h"
#include "admin.h"

void
admin_err(const char *fmt, ...)
{
	va_list	 ap;

	fputs("mcp-oauth-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
admin_usage(const struct admin_cmd *c)
{
	fprintf(stderr, "usage: mcp-oauth-admin [--config FILE] [--json] %s\n",
	    c->usage);
	return EXIT_USAGE;
}

int
admin_wants_help(int argc, char **argv)
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
admin_load_config(struct admin *a)
{
	char	 err[CONFIG_ERR_MAX];

	if (a->cfg != NULL)
		return 0;
	if (config_load(a->config_path, &a->cfg, err, sizeof(err)) !=
	    CONFIG_OK) {
		admin_err("%s", err);
		return -1;
	}
	return 0;
}

/* Loads the configuration and opens (or creates) the database. */
int
admin_open(struct admin *a, int create)
{
	char	 err[STORE_ERR_MAX];

	if (admin_load_config(a) == -1)
		return -1;
	if (a->store != NULL)
		return 0;
	if (store_open(a->cfg->db_path, a->cfg->db_map_size,
	    create ? STORE_OPEN_CREATE : 0, &a->store, err, sizeof(err)) !=
	    STORE_OK) {
		admin_err("%s", err);
		return -1;
	}
	return 0;
}

static int
read_line(int fd, char *out, size_t outsz)
{
	size_t	 n = 0;
	ssize_t	 r;
	char	 c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c == '\n')
			break;
		if (n + 1 >= outsz) {
			crypto_wipe(out, outsz);
			return -2;
		}
		out[n++] = c;
	}
	if (r <= 0 && n == 0)
		return -1;
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return 0;
}

/*
 * Reads a new password: one line from standard input with
 * --password-stdin, otherwise twice from the terminal without echo.
 */
int
admin_read_password(int from_stdin, char *out, size_t outsz)
{
	struct termios	 old, quiet;
	char		 again[USER_PASSWORD_MAX + 1];
	int		 fd, rc;

	if (from_stdin) {
		if ((rc = read_line(STDIN_FILENO, out, outsz)) == -2) {
			admin_err("password longer than %zu bytes", outsz - 1);
			return -1;
		}
		if (rc == -1 || out[0] == '\0') {
			admin_err("no password on standard input");
			return -1;
		}
		return 0;
	}
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		admin_err("no terminal to read a password from: use "
		    "--password-stdin");
		return -1;
	}
	if (tcgetattr(fd, &old) == -1) {
		admin_err("cannot read the terminal settings: %s",
		    strerror(errno));
		close(fd);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	dprintf(fd, "Password: ");
	rc = read_line(fd, out, outsz);
	dprintf(fd, "\nAgain: ");
	if (rc == 0)
		rc = read_line(fd, again, sizeof(again));
	dprintf(fd, "\n");
	tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	if (rc != 0 || out[0] == '\0') {
		admin_err("no password given");
		crypto_wipe(again, sizeof(again));
		return -1;
	}
	if (strcmp(out, again) != 0) {
		admin_err("the passwords do not match");
		crypto_wipe(again, sizeof(again));
		crypto_wipe(out, outsz);
		return -1;
	}
	crypto_wipe(again, sizeof(again));
	return 0;
}

/*
 * Formats a time as UTC ISO 8601 into out, or "-" for zero: the one
 * format of every time the admin tool shows.
 */
const char *
admin_time_str(long long t, char *out, size_t outsz)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outsz, "-");
	return out;
}

void
admin_print_time(long long t)
{
	char	 s[ADMIN_TIME_MAX];

	fputs(admin_time_str(t, s, sizeof(s)), stdout);
}

/* Prints one JSON document on a line and releases it. */
void
admin_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/*
 * The length of the character at p (1 for a byte that starts no
 * well-formed UTF-8 sequence), and in *show whether a terminal may be
 * given it: not a C0 control, DEL, a C1 control (U+0080 to U+009F: on
 * many terminals U+009B is CSI, the start of a control sequence), a
 * bidirectional mark or override (U+200E, U+200F, U+202A to U+202E,
 * U+2066 to U+2069: they reorder what follows) or a line or paragraph
 * separator (U+2028, U+2029), and not a byte of broken UTF-8.
 */
static size_t
term_char(const unsigned char *p, int *show)
{
	uint32_t	 cp;
	size_t		 len, i;

	*show = 0;
	if (p[0] < 0x80) {
		*show = p[0] >= 0x20 && p[0] != 0x7f;
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 1;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 1;
	*show = !(cp <= 0x9f || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029);
	return len;
}

/*
 * A stored string as a table may show it on a terminal: every
 * character term_char() refuses becomes one '?'.  The result is never
 * longer than s, so an out of strlen(s) + 1 bytes holds all of it
 * (a smaller one gets what fits, cut between characters).  NULL is
 * shown as "".  The --json output needs none of this: json-c escapes
 * every control character.
 */
const char *
admin_clean(const char *s, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 0, len;
	int			 show;

	if (outsz == 0)
		return "";
	for (; p != NULL && *p != '\0'; p += len) {
		len = term_char(p, &show);
		if (n + (show ? len : 1) >= outsz)
			break;
		if (show) {
			memcpy(out + n, p, len);
			n += len;
		} else
			out[n++] = '?';
	}
	out[n] = '\0';
	return out;
}

/* Writes s to standard output as admin_clean() shows it. */
void
admin_put_clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len;
	int			 show;

	for (; p != NULL && *p != '\0'; p += len) {
		len = term_char(p, &show);
		if (show)
			fwrite(p, 1, len, stdout);
		else
			fputc('?', stdout);
	}
}
