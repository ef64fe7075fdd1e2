// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A clock the tests control: a shared library, preloaded into a
// program (LD_PRELOAD), whose time() answers MCP_FAKE_TIME (an absolute
// Unix time) when set, otherwise the real time plus
// MCP_FAKE_TIME_OFFSET seconds.  Every expiry decision in the programs
// and mcp-oauth-admin goes through time().
//
// A program's environment is fixed when it starts, and a FastCGI
// process lives for many requests: MCP_FAKE_TIME_FILE names a file,
// read at every call, that moves the clock of processes already
// running.  It holds "@T" (the clock stands still at Unix time T) or
// "N" (the real time plus N seconds); FakeClock writes it.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const source = `#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

time_t
time(time_t *out)
{
	struct timespec	 ts;
	const char	*abs = getenv("MCP_FAKE_TIME");
	const char	*off = getenv("MCP_FAKE_TIME_OFFSET");
	const char	*file = getenv("MCP_FAKE_TIME_FILE");
	char		 buf[32];
	ssize_t		 n;
	time_t		 t;
	int		 fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + (off != NULL ? atol(off) : 0);
	if (abs != NULL)
		t = (time_t)atoll(abs);
	if (file != NULL && (fd = open(file, O_RDONLY)) != -1) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (buf[0] == '@')
				t = (time_t)atoll(buf + 1);
			else
				t = ts.tv_sec + atol(buf);
		}
	}
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

// A clock for programs that are already running: its env() goes to
// the server's programs (TestServer's env option), and set(),
// freeze() and real() move their clock at once.  The directory is
// readable by all, for a web server that runs the programs as
// another user.
export class FakeClock {
	constructor() {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-clock-'));
		fs.chmodSync(this.dir, 0o755);
		this.lib = buildFakeClock(this.dir);
		this.file = path.join(this.dir, 'now');
		this.real();
	}

	#write(text) {
		const tmp = `${this.file}.tmp`;
		fs.writeFileSync(tmp, text, { mode: 0o644 });
		fs.renameSync(tmp, this.file);
	}

	env() {
		const env = fakeClockEnv(this.lib, {});
		env.MCP_FAKE_TIME_FILE = this.file;
		return env;
	}

	// The clock stands still at Unix time at (seconds).
	freeze(at) {
		this.#write(`@${at}`);
	}

	// The real time plus offset seconds.
	offset(seconds) {
		this.#write(String(seconds));
	}

	real() {
		this.offset(0);
	}

	cleanup() {
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}
