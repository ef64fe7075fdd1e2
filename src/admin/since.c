/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <string.h>

#include "since.h"

/* The days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		 era;
	unsigned	 yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 +
	    (unsigned)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * The number of exactly n digits at s, or -1: read by hand because
 * sscanf's %d takes a sign and leading white space ("2026-+1-01").
 */
static int
digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * An age ("7d", "12h", "30m", "45s": digits and a unit) of at most
 * SINCE_AGE_MAX seconds, bounded after the unit is applied (so that
 * "200000000d" is refused, not multiplied past int64_t).
 */
static int
parse_age(const char *s, size_t len, int64_t *secs)
{
	int64_t		 n = 0, unit;
	size_t		 i;

	switch (s[len - 1]) {
	case 'd':
		unit = 86400;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'm':
		unit = 60;
		break;
	case 's':
		unit = 1;
		break;
	default:
		return -1;
	}
	for (i = 0; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
		if (n > SINCE_AGE_MAX)
			return -1;
	}
	if (n > SINCE_AGE_MAX / unit)
		return -1;
	*secs = n * unit;
	return 0;
}

/*
 * --since: a relative age before now, or an ISO 8601 UTC date
 * ("2026-12-01") or date and time ("2026-12-01T08:30:00Z", the Z
 * optional) from 1970 on, a day that the month has.  Seconds since the
 * epoch into *out; -1 when s is none of these.
 */
int
since_parse(const char *s, int64_t now, int64_t *out)
{
	size_t	 len = strlen(s);
	int64_t	 age;
	int	 y, mo, d, h = 0, mi = 0, sec = 0;

	if (len >= 2 && len <= 24 && s[0] >= '0' && s[0] <= '9' &&
	    strchr("smhd", s[len - 1]) != NULL) {
		if (parse_age(s, len, &age) == -1)
			return -1;
		*out = now - age;
		return 0;
	}
	if (len != 10 && len != 19 && len != 20)
		return -1;
	if ((y = digits(s, 4)) == -1 || s[4] != '-' ||
	    (mo = digits(s + 5, 2)) == -1 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) == -1)
		return -1;
	if (len > 10 && (s[10] != 'T' || (h = digits(s + 11, 2)) == -1 ||
	    s[13] != ':' || (mi = digits(s + 14, 2)) == -1 || s[16] != ':' ||
	    (sec = digits(s + 17, 2)) == -1 || (len == 20 && s[19] != 'Z')))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}
