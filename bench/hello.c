/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * bench-hello: the limit of the stack.  A bare FastCGI responder (libfcgi
 * only) that answers every request with the same small JSON body, served
 * by the web server with exactly the FastCGI settings of the real
 * programs.  Nothing any FastCGI program does can be faster than this.
 *
 * With BENCH_HELLO_BYTES=N in its environment the body is a constant
 * JSON document of N bytes instead, to measure what the size of an
 * answer alone costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

static const char small[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 36\r\n"
    "\r\n"
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";

int
main(void)
{
	FCGX_Request	 r;
	const char	*response = small, *env;
	size_t		 len = sizeof(small) - 1;
	char		*big;

	if ((env = getenv("BENCH_HELLO_BYTES")) != NULL) {
		const char	*pre = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
				    "{\"pad\":\"";
		size_t		 n = strtoul(env, NULL, 10), fixed, head;

		fixed = strlen(pre) + 3;	/* "}} */
		if (n < fixed + 1 || n > 1 << 20 ||
		    (big = malloc(n + 200)) == NULL)
			return 1;
		head = (size_t)snprintf(big, 200, "Status: 200 OK\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", n, pre);
		memset(big + head, 'x', n - fixed);
		memcpy(big + head + n - fixed, "\"}}", 3);
		response = big;
		len = head + n - fixed + 3;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(response, (int)len, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
