/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <string.h>

#include "netpolicy.h"

struct block {
	unsigned char	 prefix[16];
	unsigned int	 bits;
};

/*
 * IANA IPv4 Special-Purpose Address Registry (RFC 6890 §2.2.2 and its
 * updates), plus multicast and the reserved 240/4.  Some entries
 * there are marked "globally reachable" (AS112, AMT); none is a
 * place a client's document lives, so all are refused.
 */
static const struct block v4_special[] = {
	{ { 0, 0, 0, 0 }, 8 },		/* "this network", RFC 791 */
	{ { 10, 0, 0, 0 }, 8 },		/* private, RFC 1918 */
	{ { 100, 64, 0, 0 }, 10 },	/* shared (CGNAT), RFC 6598 */
	{ { 169, 254, 0, 0 }, 16 },	/* link local, RFC 3927 */
	{ { 172, 16, 0, 0 }, 12 },	/* private, RFC 1918 */
	{ { 192, 0, 0, 0 }, 24 },	/* IETF protocol assignments */
	{ { 192, 0, 2, 0 }, 24 },	/* documentation, RFC 5737 */
	{ { 192, 31, 196, 0 }, 24 },	/* AS112, RFC 7535 */
	{ { 192, 52, 193, 0 }, 24 },	/* AMT, RFC 7450 */
	{ { 192, 88, 99, 0 }, 24 },	/* 6to4 relay anycast, RFC 7526 */
	{ { 192, 168, 0, 0 }, 16 },	/* private, RFC 1918 */
	{ { 192, 175, 48, 0 }, 24 },	/* AS112 direct delegation */
	{ { 198, 18, 0, 0 }, 15 },	/* benchmarking, RFC 2544 */
	{ { 198, 51, 100, 0 }, 24 },	/* documentation, RFC 5737 */
	{ { 203, 0, 113, 0 }, 24 },	/* documentation, RFC 5737 */
	{ { 224, 0, 0, 0 }, 4 },	/* multicast, RFC 5771 */
	{ { 240, 0, 0, 0 }, 4 },	/* reserved and broadcast */
};

/*
 * The special-use blocks inside 2000::/3 (IANA IPv6 Special-Purpose
 * Address Registry).  Everything outside 2000::/3 (::, ::1, the
 * IPv4-compatible and -translated forms, 64:ff9b::/96 NAT64, 100::/64
 * discard, 5f00::/16 SRv6 SIDs, fc00::/7 unique local, fe80::/10 link
 * local, fec0::/10, ff00::/8 multicast) is refused by not being global
 * unicast.
 */
static const struct block v6_special[] = {
	{ { 0x20, 0x01, 0x00, 0x00 }, 23 },	/* IETF protocol, RFC 2928 */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },	/* documentation, RFC 3849 */
	{ { 0x20, 0x02 }, 16 },			/* 6to4, RFC 3056 */
	{ { 0x3f, 0xff, 0x00 }, 20 },		/* documentation, RFC 9637 */
};

static int
in_block(const unsigned char *a, const struct block *b)
{
	unsigned int	 full = b->bits / 8, rest = b->bits % 8;
	unsigned char	 mask;

	if (memcmp(a, b->prefix, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b->prefix[full] & mask);
}

static int
in_any(const unsigned char *a, const struct block *blocks, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (in_block(a, &blocks[i]))
			return 1;
	return 0;
}

int
netpolicy_ipv4(const unsigned char a[4])
{
	if (a[0] == 127)
		return NETPOLICY_LOOPBACK;
	if (in_any(a, v4_special, sizeof(v4_special) / sizeof(v4_special[0])))
		return NETPOLICY_SPECIAL;
	return NETPOLICY_PUBLIC;
}

int
netpolicy_ipv6(const unsigned char a[16])
{
	static const unsigned char loopback[16] = { [15] = 1 };
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	if (memcmp(a, loopback, sizeof(loopback)) == 0)
		return NETPOLICY_LOOPBACK;
	/*
	 * ::ffff:a.b.c.d reaches a.b.c.d on a dual-stack socket: judge the
	 * IPv4 address, so that ::ffff:127.0.0.1 counts as loopback and
	 * ::ffff:10.0.0.1 as private.
	 */
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return netpolicy_ipv4(a + 12);
	if ((a[0] & 0xe0) != 0x20 ||
	    in_any(a, v6_special, sizeof(v6_special) / sizeof(v6_special[0])))
		return NETPOLICY_SPECIAL;
	return NETPOLICY_PUBLIC;
}

int
netpolicy_sockaddr(const struct sockaddr *sa)
{
	const struct sockaddr_in	*in;
	const struct sockaddr_in6	*in6;

	if (sa->sa_family == AF_INET) {
		in = (const struct sockaddr_in *)(const void *)sa;
		return netpolicy_ipv4((const unsigned char *)&in->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return netpolicy_ipv6(in6->sin6_addr.s6_addr);
	}
	return NETPOLICY_SPECIAL;
}

/* A numeric address as text; anything unparsable is refused. */
int
netpolicy_string(const char *s)
{
	unsigned char	 a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return netpolicy_ipv4(a);
	if (inet_pton(AF_INET6, s, a) == 1)
		return netpolicy_ipv6(a);
	return NETPOLICY_SPECIAL;
}
