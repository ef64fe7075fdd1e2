// Expiry seen from outside: a code past code_lifetime (10 s, the
// configuration's minimum) is refused at /token (RFC 6749 section
// 4.1.2 and OAuth 2.1: authorization codes are short lived).  The
// exact second of every expiry is tested in the unit tests
// (test_grant.c, test_session.c) and, through the CGI programs, in
// tests/faults/clock.test.mjs; here the FastCGI programs run behind the
// web server under a clock the test moves forward instead of waiting.
//
// The clock is a shared library preloaded into the programs whose
// time() adds the number of seconds in a file to the real time; the
// file is read at every call, so the running processes see the clock
// move.  (tests/lib/fakeclock.mjs sets its offset once, in the
// environment, which a FastCGI process reads only when it starts.)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { approvedCode, assertOAuthError, assertTokenResponse } from
    '../lib/checks.mjs';
import { Person, exchange, register } from '../lib/oauth.mjs';

const PW = 'expiry-Pw-1357';
const CODE_LIFETIME = 10;

const clockSource = `#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

time_t
time(time_t *out)
{
	struct timespec	 ts;
	const char	*path = getenv("MCP_CLOCK_OFFSET_FILE");
	char		 text[32];
	ssize_t		 n = 0;
	time_t		 t;
	int		 fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec;
	if (path != NULL && (fd = open(path, O_RDONLY)) != -1) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	if (n > 0) {
		text[n] = '\\0';
		t += atol(text);
	}
	if (out != NULL)
		*out = t;
	return t;
}
`;

// The clock: its library and offset file in a directory every user
// may read (a web server may run the programs as its own user).
function buildClock() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-clock-'));
	fs.chmodSync(dir, 0o755);
	const src = path.join(dir, 'clock.c');
	const lib = path.join(dir, 'clock.so');
	const offsetFile = path.join(dir, 'offset');
	fs.writeFileSync(src, clockSource);
	const r = spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-o',
	    lib, src], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`cannot build the clock library: ${r.stderr}`);
	fs.chmodSync(lib, 0o755);
	fs.writeFileSync(offsetFile, '0\n', { mode: 0o644 });
	const env = { LD_PRELOAD: lib, MCP_CLOCK_OFFSET_FILE: offsetFile };
	// A sanitizer build wants its runtime first; the clock library
	// only replaces time(), which it does not intercept.
	if (process.env.ASAN_OPTIONS !== undefined)
		env.ASAN_OPTIONS = `${process.env.ASAN_OPTIONS}:` +
		    'verify_asan_link_order=0';
	return {
		env,
		// Moves the programs' clock seconds ahead of real time.
		set(seconds) {
			fs.writeFileSync(offsetFile, `${seconds}\n`);
		},
		cleanup() {
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

let clock;
let s;

before(async () => {
	clock = buildClock();
	s = await TestServer.start({
		config: `code_lifetime = ${CODE_LIFETIME}s`,
		users: [{ name: 'alice', password: PW }],
		env: clock.env,
	});
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

describe('code_lifetime', () => {
	it('refuses a code once its lifetime has passed', async () => {
		const client = await register(s);
		const p = new Person(s, 'alice', PW);
		const fresh = await approvedCode(p, client);
		const stale = await approvedCode(p, client);
		assertTokenResponse(await exchange(s, client, fresh.code,
		    fresh.verifier));
		// Past the whole second in which the code expires.
		clock.set(CODE_LIFETIME + 1);
		try {
			const res = await exchange(s, client, stale.code,
			    stale.verifier);
			assertOAuthError(res, 400, 'invalid_grant', /expired/);
		} finally {
			clock.set(0);
		}
	});
});
