/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Which IP addresses the server may connect to when it fetches a URL
 * that someone else chose (a Client ID Metadata Document): only
 * globally reachable unicast addresses.  Every special-use block of
 * the IANA registries (RFC 6890 and its updates: RFC 8190, RFC 9637,
 * ...) is refused, so that a client_id cannot make the server reach
 * its own loopback, the local network, a cloud metadata service
 * (169.254.169.254) or a NAT64 or 6to4 path back to them.
 *
 * IPv6 is allowed only inside global unicast 2000::/3, minus the
 * special blocks in it; an IPv4-mapped address (::ffff:a.b.c.d) is
 * judged as the IPv4 address it carries.
 */
#ifndef MCP_NETPOLICY_H
#define MCP_NETPOLICY_H

#include <sys/socket.h>

enum netpolicy_verdict {
	NETPOLICY_PUBLIC = 0,	/* globally reachable unicast */
	NETPOLICY_LOOPBACK,	/* 127/8 or ::1 (allowed only in tests) */
	NETPOLICY_SPECIAL	/* any other special-use address */
};

int	 netpolicy_ipv4(const unsigned char[4]);
int	 netpolicy_ipv6(const unsigned char[16]);
int	 netpolicy_sockaddr(const struct sockaddr *);
int	 netpolicy_string(const char *);

#endif
