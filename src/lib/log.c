/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static char	 progname[64] = "mcp-oauth";

void
log_init(const char *name)
{
	const char	*slash;

	if ((slash = strrchr(name, '/')) != NULL)
		name = slash + 1;
	snprintf(progname, sizeof(progname), "%s", name);
}

const char *
log_progname(void)
{
	return progname;
}

static void
log_raw(struct log_line *l, const char *s, size_t n)
{
	/* Keep one byte for the newline added by log_end(). */
	if (n > sizeof(l->text) - 1 - l->len)
		n = sizeof(l->text) - 1 - l->len;
	memcpy(l->text + l->len, s, n);
	l->len += n;
}

static void
log_rawf(struct log_line *l, const char *fmt, ...)
{
	char	 tmp[128];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_raw(l, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
log_begin(struct log_line *l, const char *event)
{
	struct tm	 tm;
	time_t		 now;
	char		 stamp[32];

	l->len = 0;
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	log_rawf(l, "%s %s[%ld]: event=", stamp, progname, (long)getpid());
	log_raw(l, event, strlen(event));
}

/*
 * Values are always quoted; quotes, backslashes and every byte outside
 * printable ASCII are escaped, so the line stays one line whatever a
 * client sent.  Long values are cut at 200 bytes.
 */
void
log_str(struct log_line *l, const char *key, const char *value)
{
	const unsigned char	*p;
	size_t			 n;

	log_rawf(l, " %s=\"", key);
	if (value == NULL)
		value = "";
	for (p = (const unsigned char *)value, n = 0; *p != '\0'; p++, n++) {
		if (n == 200) {
			log_raw(l, "...", 3);
			break;
		}
		if (*p == '"' || *p == '\\')
			log_rawf(l, "\\%c", *p);
		else if (*p < 0x20 || *p > 0x7e)
			log_rawf(l, "\\x%02x", *p);
		else
			log_raw(l, (const char *)p, 1);
	}
	log_raw(l, "\"", 1);
}

void
log_int(struct log_line *l, const char *key, long long value)
{
	log_rawf(l, " %s=%lld", key, value);
}

void
log_hash(struct log_line *l, const char *key, const unsigned char *hash)
{
	log_rawf(l, " %s=%02x%02x%02x%02x", key,
	    hash[0], hash[1], hash[2], hash[3]);
}

void
log_end(struct log_line *l)
{
	ssize_t	 n;

	l->text[l->len++] = '\n';
	/*
	 * One write() per line keeps lines from different processes whole.
	 * A full disk loses the line, never the request.
	 */
	n = write(STDERR_FILENO, l->text, l->len);
	(void)n;
}

/*
 * A free-text operational message (configuration and database
 * problems).  Callers never pass secrets here; the text is still
 * escaped like a value.
 */
void
log_msg(const char *event, const char *fmt, ...)
{
	struct log_line	 l;
	char		 text[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_begin(&l, event);
	log_str(&l, "msg", text);
	log_end(&l);
}
