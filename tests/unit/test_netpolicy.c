/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The outbound address policy: every IPv4 and IPv6 special-use block
 * (IANA special-purpose registries, RFC 6890 and updates) is refused,
 * at its first and last address, and the addresses just outside each
 * block are allowed, so a block that is too wide fails as surely as
 * one that is missing.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "../../src/lib/netpolicy.h"

struct addr_case {
	const char	*addr;
	int		 want;
};

#define P	NETPOLICY_PUBLIC
#define L	NETPOLICY_LOOPBACK
#define S	NETPOLICY_SPECIAL

static const struct addr_case v4[] = {
	{ "0.0.0.0", S }, { "0.255.255.255", S }, { "1.0.0.0", P },
	{ "9.255.255.255", P }, { "10.0.0.0", S }, { "10.255.255.255", S },
	{ "11.0.0.0", P },
	{ "100.63.255.255", P }, { "100.64.0.0", S }, { "100.127.255.255", S },
	{ "100.128.0.0", P },
	{ "126.255.255.255", P }, { "127.0.0.0", L }, { "127.0.0.1", L },
	{ "127.255.255.255", L }, { "128.0.0.0", P },
	{ "169.253.255.255", P }, { "169.254.0.0", S },
	{ "169.254.169.254", S }, { "169.254.255.255", S },
	{ "169.255.0.0", P },
	{ "172.15.255.255", P }, { "172.16.0.0", S }, { "172.31.255.255", S },
	{ "172.32.0.0", P },
	{ "191.255.255.255", P }, { "192.0.0.0", S }, { "192.0.0.255", S },
	{ "192.0.1.0", P }, { "192.0.2.0", S }, { "192.0.2.255", S },
	{ "192.0.3.0", P },
	{ "192.31.196.1", S }, { "192.52.193.1", S }, { "192.88.99.1", S },
	{ "192.88.98.255", P }, { "192.88.100.0", P },
	{ "192.167.255.255", P }, { "192.168.0.0", S },
	{ "192.168.255.255", S }, { "192.169.0.0", P },
	{ "192.175.48.1", S },
	{ "198.17.255.255", P }, { "198.18.0.0", S }, { "198.19.255.255", S },
	{ "198.20.0.0", P },
	{ "198.51.99.255", P }, { "198.51.100.0", S },
	{ "198.51.100.255", S }, { "198.51.101.0", P },
	{ "203.0.112.255", P }, { "203.0.113.0", S }, { "203.0.113.255", S },
	{ "203.0.114.0", P },
	{ "223.255.255.255", P }, { "224.0.0.0", S }, { "239.255.255.255", S },
	{ "240.0.0.0", S }, { "255.255.255.254", S }, { "255.255.255.255", S },
	{ "8.8.8.8", P }, { "93.184.216.34", P },
};

static const struct addr_case v6[] = {
	{ "::", S }, { "::1", L }, { "::2", S },
	/* IPv4-mapped: judged as the IPv4 address. */
	{ "::ffff:127.0.0.1", L }, { "::ffff:10.0.0.1", S },
	{ "::ffff:169.254.169.254", S }, { "::ffff:192.168.1.1", S },
	{ "::ffff:0.0.0.0", S }, { "::ffff:8.8.8.8", P },
	/* IPv4-compatible (deprecated) and IPv4-translated. */
	{ "::127.0.0.1", S }, { "::8.8.8.8", S }, { "::ffff:0:8.8.8.8", S },
	/* NAT64, local-use NAT64, discard. */
	{ "64:ff9b::8.8.8.8", S }, { "64:ff9b::7f00:1", S },
	{ "64:ff9b:1::1", S }, { "100::", S }, { "100::ffff:ffff:ffff:ffff", S },
	/* 2001::/23 (Teredo, ORCHID, ...) and documentation. */
	{ "2001::", S }, { "2001:0:4136:e378:8000:63bf:3fff:fdd2", S },
	{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", S }, { "2001:200::", P },
	{ "2001:10::1", S }, { "2001:20::1", S },
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "2001:db8::", S },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", S }, { "2001:db9::", P },
	/* 6to4 embeds an IPv4 address: refused as a whole. */
	{ "2002::", S }, { "2002:7f00:1::1", S }, { "2002:ffff::", S },
	{ "2003::", P }, { "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P },
	{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "3fff::", S },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", S }, { "3fff:1000::", P },
	/* SRv6 SIDs (RFC 9602) and all else outside 2000::/3. */
	{ "5f00::", S }, { "5f00:ffff::1", S }, { "5f01::", S },
	/* Outside global unicast 2000::/3. */
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", S }, { "2000::", P },
	{ "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "4000::", S },
	{ "fc00::", S }, { "fd12:3456::1", S },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", S }, { "fe80::1", S },
	{ "febf:ffff::1", S }, { "fec0::1", S }, { "ff00::", S },
	{ "ff02::1", S }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", S },
	{ "2606:4700:4700::1111", P }, { "2a00:1450:4001:80b::200e", P },
};

Test(netpolicy, ipv4_table)
{
	size_t	 i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		cr_expect_eq(netpolicy_string(v4[i].addr), v4[i].want,
		    "%s: got %d, want %d", v4[i].addr,
		    netpolicy_string(v4[i].addr), v4[i].want);
}

Test(netpolicy, ipv6_table)
{
	size_t	 i;

	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		cr_expect_eq(netpolicy_string(v6[i].addr), v6[i].want,
		    "%s: got %d, want %d", v6[i].addr,
		    netpolicy_string(v6[i].addr), v6[i].want);
}

/* Every IPv4 address whose first octet is 127 is loopback, no other. */
Test(netpolicy, ipv4_first_octet_sweep)
{
	unsigned char	 a[4] = { 0, 1, 2, 3 };
	unsigned int	 i;
	int		 v;

	for (i = 0; i < 256; i++) {
		a[0] = (unsigned char)i;
		v = netpolicy_ipv4(a);
		if (i == 127)
			cr_expect_eq(v, L);
		else if (i == 0 || i == 10 || i >= 224)
			cr_expect_eq(v, S, "%u.1.2.3", i);
		else
			cr_expect_eq(v, P, "%u.1.2.3", i);
	}
}

Test(netpolicy, sockaddr)
{
	struct sockaddr_in	 in;
	struct sockaddr_in6	 in6;
	struct sockaddr		 other;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	cr_assert_eq(inet_pton(AF_INET, "169.254.169.254", &in.sin_addr), 1);
	cr_expect_eq(netpolicy_sockaddr((struct sockaddr *)&in), S);
	cr_assert_eq(inet_pton(AF_INET, "1.1.1.1", &in.sin_addr), 1);
	cr_expect_eq(netpolicy_sockaddr((struct sockaddr *)&in), P);
	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	cr_assert_eq(inet_pton(AF_INET6, "::ffff:127.0.0.2", &in6.sin6_addr),
	    1);
	cr_expect_eq(netpolicy_sockaddr((struct sockaddr *)&in6), L);
	memset(&other, 0, sizeof(other));
	other.sa_family = AF_UNIX;
	cr_expect_eq(netpolicy_sockaddr(&other), S);
}

/* Text that is not a numeric address is never allowed. */
Test(netpolicy, not_an_address)
{
	cr_expect_eq(netpolicy_string(""), S);
	cr_expect_eq(netpolicy_string("localhost"), S);
	cr_expect_eq(netpolicy_string("0x7f.1"), S);
	cr_expect_eq(netpolicy_string("2130706433"), S);
	cr_expect_eq(netpolicy_string("1.2.3"), S);
}
