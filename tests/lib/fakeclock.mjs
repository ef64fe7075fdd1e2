// A clock the tests control: a shared library, preloaded into a
// program (LD_PRELOAD), whose time() answers MCP_FAKE_TIME (an absolute
// Unix time) when set, otherwise the real time plus
// MCP_FAKE_TIME_OFFSET seconds.  Every expiry decision in the programs
// and mcp-oauth-admin goes through time().

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const source = `#include <stdlib.h>
#include <time.h>

time_t
time(time_t *out)
{
	struct timespec	 ts;
	const char	*abs = getenv("MCP_FAKE_TIME");
	const char	*off = getenv("MCP_FAKE_TIME_OFFSET");
	time_t		 t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + (off != NULL ? atol(off) : 0);
	if (abs != NULL)
		t = (time_t)atoll(abs);
	if (out != NULL)
		*out = t;
	return t;
}
`;

// Builds the library in dir; returns its path.
export function buildFakeClock(dir) {
	const src = path.join(dir, 'fakeclock.c');
	const lib = path.join(dir, 'fakeclock.so');
	fs.writeFileSync(src, source);
	const r = spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-o',
	    lib, src], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`cannot build the clock library: ${r.stderr}`);
	fs.chmodSync(lib, 0o755);
	return lib;
}

// The environment that runs a program at a fake time: { at } for an
// absolute time, { offset } for seconds from now.
export function fakeClockEnv(lib, { at, offset }) {
	const env = { LD_PRELOAD: lib };
	if (at !== undefined)
		env.MCP_FAKE_TIME = String(at);
	if (offset !== undefined)
		env.MCP_FAKE_TIME_OFFSET = String(offset);
	// A sanitizer build wants its runtime first; the clock library
	// only replaces time(), which it does not intercept.
	if (process.env.ASAN_OPTIONS !== undefined)
		env.ASAN_OPTIONS = `${process.env.ASAN_OPTIONS}:` +
		    'verify_asan_link_order=0';
	return env;
}
