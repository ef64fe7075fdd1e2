/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * How a metadata document's host is resolved (cimdfetch.c), against a
 * DNS server of our own.  Each test forks a child that enters new
 * user, mount and network namespaces: there it owns a loopback
 * interface of its own, and bind-mounts its own /etc/hosts,
 * /etc/resolv.conf and /etc/nsswitch.conf, so that the C library asks
 * a tiny UDP responder (a grandchild, on 127.0.0.53 inside the
 * namespace) for every name.  The responder answers from a table: a
 * name with a loopback and a private address, a name that answers
 * differently the second time (DNS rebinding), and a name it never
 * answers.  TCP listeners on the addresses count where connections
 * arrive.  Nothing here touches the host's network or files.
 *
 * Without namespaces (unprivileged user namespaces switched off) the
 * tests are skipped with the reason, unless they run as root, as in
 * CI: root can always create them, so there it is a failure.
 */
/* unshare() and the CLONE_NEW* flags are GNU extensions. */
#define _GNU_SOURCE

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../../src/lib/cimdfetch.h"
#include "../../src/lib/client.h"
#include "../../src/lib/config.h"

/* Exit codes of the namespace child. */
#define CHILD_PASS		0
#define CHILD_FAIL		1
#define CHILD_NO_NAMESPACES	2

#define DNS_ADDR	"127.0.0.53"
#define PORT		8443
/*
 * The resolver's own timeout is far above CIMD_DNS_TIMEOUT_MS, so a
 * lookup of the silent name ends early only by our deadline.
 */
#define RESOLV_TIMEOUT	30

/* What the responder and the listeners saw, shared across fork(). */
struct world {
	int	 a_queries_pinned;	/* A queries for pinned.test */
	int	 queries_slow;		/* queries for slow.test */
	int	 accepted[2];		/* at 127.0.0.2 and 127.0.0.3 */
};

static struct world	*world;
static char		 failure[512];

/* Records the first failure of the namespace child. */
static int
fail(const char *fmt, ...)
{
	va_list	 ap;

	if (failure[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(failure, sizeof(failure), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
write_file(const char *path, const char *text)
{
	int	 fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	return close(fd) == 0 && ok ? 0 : -1;
}

/*
 * Maps our user to root in the new user namespace (needed when the
 * test does not run as root; harmless when it does).
 */
static int
map_ids(uid_t uid, gid_t gid)
{
	char	 line[64];

	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/uid_map", line) == -1)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") == -1 &&
	    errno != ENOENT)
		return -1;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
	return write_file("/proc/self/gid_map", line);
}

static int
loopback_up(void)
{
	struct ifreq	 ifr;
	int		 s, rc;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return rc;
}

/* Writes text to dir/name and mounts it over target. */
static int
bind_file(const char *dir, const char *name, const char *text,
    const char *target)
{
	char	 path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (write_file(path, text) == -1)
		return fail("cannot write %s: %s", path, strerror(errno));
	if (mount(path, target, "none", MS_BIND, NULL) == -1)
		return fail("cannot bind-mount %s: %s", target,
		    strerror(errno));
	return 0;
}

/* The hosts, resolver and name service files the C library reads. */
static int
own_etc(char *dir, size_t dirsz)
{
	char	 resolv[128];

	snprintf(dir, dirsz, "/tmp/mcp-cimdresolve-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return fail("mkdtemp: %s", strerror(errno));
	snprintf(resolv, sizeof(resolv), "nameserver %s\n"
	    "options timeout:%d attempts:1\n", DNS_ADDR, RESOLV_TIMEOUT);
	if (bind_file(dir, "hosts", "127.0.0.1 localhost\n",
	    "/etc/hosts") == -1 ||
	    bind_file(dir, "resolv.conf", resolv, "/etc/resolv.conf") == -1)
		return -1;
	if (access("/etc/nsswitch.conf", F_OK) == 0 &&
	    bind_file(dir, "nsswitch.conf", "hosts: files dns\n",
	    "/etc/nsswitch.conf") == -1)
		return -1;
	return 0;
}

/* Appends a resource record for the question's name (a pointer). */
static size_t
answer(unsigned char *p, int type, const char *addr)
{
	unsigned char	 rdata[16];
	size_t		 len = type == 1 ? 4 : 16;

	inet_pton(type == 1 ? AF_INET : AF_INET6, addr, rdata);
	p[0] = 0xc0;
	p[1] = 12;
	p[2] = 0;
	p[3] = (unsigned char)type;
	p[4] = 0;
	p[5] = 1;				/* IN */
	memset(p + 6, 0, 4);			/* TTL 0 */
	p[10] = 0;
	p[11] = (unsigned char)len;
	memcpy(p + 12, rdata, len);
	return 12 + len;
}

/*
 * Answers one query from the table: mixed.test has a loopback and a
 * private IPv4 address; pinned.test is 127.0.0.2 the first time and
 * 127.0.0.3 afterwards; slow.test is never answered; other names do
 * not exist.  No name has an IPv6 address.
 */
static void
respond(int s)
{
	struct sockaddr_storage	 from;
	socklen_t		 fromlen = sizeof(from);
	unsigned char		 q[512], r[1024];
	char			 name[256];
	size_t			 i, n, qend, len, an = 0;
	ssize_t			 got;
	int			 type, rcode = 0;

	got = recvfrom(s, q, sizeof(q), 0, (struct sockaddr *)&from,
	    &fromlen);
	if (got < 12 + 5)
		return;
	/* The question's name, as "a.b.c". */
	for (i = 12, n = 0; i < (size_t)got && q[i] != 0; i += q[i] + 1) {
		if (q[i] > 63 || i + q[i] + 1 >= (size_t)got ||
		    n + q[i] + 1 >= sizeof(name))
			return;
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, q + i + 1, q[i]);
		n += q[i];
	}
	name[n] = '\0';
	qend = i + 5;
	if (qend > (size_t)got)
		return;
	type = q[i + 1] << 8 | q[i + 2];
	if (strcasecmp(name, "slow.test") == 0) {
		__atomic_add_fetch(&world->queries_slow, 1, __ATOMIC_SEQ_CST);
		return;
	}
	memcpy(r, q, qend);
	len = qend;
	if (strcasecmp(name, "mixed.test") == 0 && type == 1) {
		len += answer(r + len, 1, "127.0.0.2");
		len += answer(r + len, 1, "10.0.0.1");
		an = 2;
	} else if (strcasecmp(name, "pinned.test") == 0 && type == 1) {
		len += answer(r + len, 1, __atomic_add_fetch(
		    &world->a_queries_pinned, 1, __ATOMIC_SEQ_CST) == 1 ?
		    "127.0.0.2" : "127.0.0.3");
		an = 1;
	} else if (strcasecmp(name, "mixed.test") != 0 &&
	    strcasecmp(name, "pinned.test") != 0)
		rcode = 3;			/* NXDOMAIN */
	r[2] = 0x81 | (q[2] & 0x01);		/* QR, RD as asked */
	r[3] = (unsigned char)(0x80 | rcode);	/* RA */
	r[4] = 0;
	r[5] = 1;
	r[6] = (unsigned char)(an >> 8);
	r[7] = (unsigned char)an;
	memset(r + 8, 0, 4);
	sendto(s, r, len, 0, (struct sockaddr *)&from, fromlen);
}

static int
listen_on(int type, const char *addr, int port)
{
	struct sockaddr_in	 sin;
	int			 s, one = 1;

	if ((s = socket(AF_INET, type, 0)) == -1)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (type == SOCK_STREAM && listen(s, 16) == -1)) {
		close(s);
		return -1;
	}
	return s;
}

/*
 * The rest of the world, in a process of its own: the DNS responder
 * and two TCP listeners that count and close every connection (the
 * TLS handshake then fails at once, which is all these tests need).
 */
static pid_t
start_world(void)
{
	struct pollfd	 pfd[3];
	pid_t		 pid;
	int		 i;

	pfd[0].fd = listen_on(SOCK_DGRAM, DNS_ADDR, 53);
	pfd[1].fd = listen_on(SOCK_STREAM, "127.0.0.2", PORT);
	pfd[2].fd = listen_on(SOCK_STREAM, "127.0.0.3", PORT);
	for (i = 0; i < 3; i++)
		if (pfd[i].fd == -1) {
			fail("cannot listen in the namespace: %s",
			    strerror(errno));
			return -1;
		}
	if ((pid = fork()) == -1) {
		fail("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		for (i = 0; i < 3; i++)
			close(pfd[i].fd);
		return pid;
	}
	for (;;) {
		for (i = 0; i < 3; i++)
			pfd[i].events = POLLIN;
		if (poll(pfd, 3, -1) == -1)
			continue;
		if (pfd[0].revents & POLLIN)
			respond(pfd[0].fd);
		for (i = 1; i < 3; i++) {
			int	 c;

			if (!(pfd[i].revents & POLLIN) ||
			    (c = accept(pfd[i].fd, NULL, NULL)) == -1)
				continue;
			__atomic_add_fetch(&world->accepted[i - 1], 1,
			    __ATOMIC_SEQ_CST);
			close(c);
		}
	}
}

static struct config *
test_config(void)
{
	struct config	*cfg;
	char		 err[CONFIG_ERR_MAX];
	const char	*text = "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\ncimd_test_allow_loopback = yes\n";

	if (config_parse("/t.conf", text, strlen(text), &cfg, err,
	    sizeof(err)) != CONFIG_OK) {
		fail("config: %s", err);
		return NULL;
	}
	return cfg;
}

/*
 * Runs check() in a child in new namespaces, with our own /etc files
 * and the world started; reports its verdict to Criterion.
 */
static void
in_namespaces(int (*check)(const struct config *))
{
	int	 fds[2], status;
	pid_t	 pid;
	char	 msg[sizeof(failure)];
	ssize_t	 n;

#ifndef HAVE_CURL
	cr_skip_test("this build has no libcurl: it resolves and fetches "
	    "no metadata documents");
#endif
	world = mmap(NULL, sizeof(*world), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(world, MAP_FAILED);
	memset(world, 0, sizeof(*world));
	cr_assert_eq(pipe(fds), 0);
	fflush(NULL);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		struct config	*cfg = NULL;
		char		 dir[64] = "";
		uid_t		 uid = geteuid();
		gid_t		 gid = getegid();
		pid_t		 wpid = -1;
		int		 code = CHILD_FAIL;

		close(fds[0]);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) ==
		    -1) {
			fail("unshare(CLONE_NEWUSER | CLONE_NEWNS | "
			    "CLONE_NEWNET): %s", strerror(errno));
			code = CHILD_NO_NAMESPACES;
			goto out;
		}
		if (map_ids(uid, gid) == -1) {
			fail("cannot map the user into its namespace: %s",
			    strerror(errno));
			goto out;
		}
		if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1) {
			fail("cannot make the mounts private: %s",
			    strerror(errno));
			goto out;
		}
		if (loopback_up() == -1) {
			fail("cannot bring lo up: %s", strerror(errno));
			goto out;
		}
		if (own_etc(dir, sizeof(dir)) == -1 ||
		    (wpid = start_world()) == -1 ||
		    (cfg = test_config()) == NULL)
			goto out;
		code = check(cfg) == 0 ? CHILD_PASS : CHILD_FAIL;
out:
		if (wpid > 0) {
			kill(wpid, SIGKILL);
			waitpid(wpid, NULL, 0);
		}
		config_free(cfg);
		if (dir[0] != '\0') {
			char	 path[128];

			umount2("/etc/hosts", MNT_DETACH);
			umount2("/etc/resolv.conf", MNT_DETACH);
			umount2("/etc/nsswitch.conf", MNT_DETACH);
			snprintf(path, sizeof(path), "%s/hosts", dir);
			unlink(path);
			snprintf(path, sizeof(path), "%s/resolv.conf", dir);
			unlink(path);
			snprintf(path, sizeof(path), "%s/nsswitch.conf", dir);
			unlink(path);
			rmdir(dir);
		}
		if (write(fds[1], failure, strlen(failure)) == -1)
			code = CHILD_FAIL;
		/* Not exit(): the test's own atexit handlers are not ours. */
		_exit(code);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	munmap(world, sizeof(*world));
	cr_assert(WIFEXITED(status), "the namespace child died (%d)", status);
	if (WEXITSTATUS(status) == CHILD_NO_NAMESPACES) {
		/* Root can always create them: there it is a failure. */
		cr_assert_neq(geteuid(), 0, "%s, even as root", msg);
		cr_skip_test("unprivileged user namespaces are unavailable "
		    "(%s); run as root to test name resolution", msg);
	}
	cr_assert_eq(WEXITSTATUS(status), CHILD_PASS, "%s", msg);
}

/*
 * A name with a loopback address (allowed by the test-only key) and a
 * private one is refused as a whole, and nothing is connected to.
 */
static int
check_mixed(const struct config *cfg)
{
	struct client	 c;
	char		 why[256];
	int		 rc;

	rc = cimd_fetch_client(cfg, "https://mixed.test:8443/c", 0, &c,
	    why, sizeof(why));
	if (rc != CIMDF_EADDR)
		return fail("mixed.test: %s (%s), not refused",
		    cimdfetch_strerror(rc), why);
	if (strstr(why, "cannot be reached") == NULL)
		return fail("mixed.test: the person reads \"%s\"", why);
	if (world->accepted[0] != 0 || world->accepted[1] != 0)
		return fail("mixed.test: a connection was made");
	return 0;
}

Test(cimdresolve, mixed_addresses_refused, .timeout = 60)
{
	in_namespaces(check_mixed);
}

/*
 * The connection goes to the address that was checked, and the name is
 * not looked up again: pinned.test answers 127.0.0.3 to any later
 * query, and nothing must arrive there.
 */
static int
check_pinned(const struct config *cfg)
{
	struct client	 c;
	char		 why[256];
	int		 rc;

	rc = cimd_fetch_client(cfg, "https://pinned.test:8443/c", 0, &c,
	    why, sizeof(why));
	if (rc == CIMDF_OK) {
		client_free(&c);
		return fail("pinned.test: fetched from a listener that "
		    "speaks no TLS");
	}
	if (rc != CIMDF_EFETCH)
		return fail("pinned.test: %s (%s)", cimdfetch_strerror(rc),
		    why);
	if (world->accepted[0] < 1)
		return fail("pinned.test: no connection to the checked "
		    "address 127.0.0.2");
	if (world->accepted[1] != 0)
		return fail("pinned.test: a connection to 127.0.0.3, which "
		    "was never checked");
	if (world->a_queries_pinned != 1)
		return fail("pinned.test: looked up %d times, not once",
		    world->a_queries_pinned);
	return 0;
}

Test(cimdresolve, connects_to_the_checked_address, .timeout = 60)
{
	in_namespaces(check_pinned);
}

/*
 * A name whose server never answers fails by our deadline, with a page
 * that says so, long before the resolver's own timeout; and a later
 * lookup still works (the abandoned one is left to end on its own).
 */
static int
check_slow(const struct config *cfg)
{
	struct client	 c;
	struct timespec	 t0, t1;
	char		 why[256];
	int		 rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = cimd_fetch_client(cfg, "https://slow.test:8443/c", 0, &c,
	    why, sizeof(why));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != CIMDF_EFETCH)
		return fail("slow.test: %s (%s)", cimdfetch_strerror(rc),
		    why);
	if (world->queries_slow < 1)
		return fail("slow.test: the responder was never asked");
	if (strstr(why, "not found within 3 seconds") == NULL)
		return fail("slow.test: the person reads \"%s\"", why);
	/* Loose: only that the resolver's own timeout did not decide. */
	if (t1.tv_sec - t0.tv_sec >= RESOLV_TIMEOUT / 2)
		return fail("slow.test: took %lld s", (long long)(t1.tv_sec -
		    t0.tv_sec));
	rc = cimd_fetch_client(cfg, "https://mixed.test:8443/c", 0, &c,
	    why, sizeof(why));
	if (rc != CIMDF_EADDR)
		return fail("after slow.test, mixed.test: %s (%s)",
		    cimdfetch_strerror(rc), why);
	return 0;
}

Test(cimdresolve, lookup_deadline, .timeout = 60)
{
	in_namespaces(check_slow);
}
