// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Expiry seen from outside: a code past code_lifetime (10 s, the
// configuration's minimum) is refused at /token (RFC 6749 section
// 4.1.2 and OAuth 2.1: authorization codes are short lived).  The
// exact second of every expiry is tested in the unit tests
// (test_grant.c, test_session.c) and, through the CGI programs, in
// tests/faults/clock.test.mjs; here the FastCGI programs run behind the
// web server under a clock the test moves forward instead of waiting.
//
// The clock is tests/lib/fakeclock.mjs's FakeClock: a shared library
// preloaded into the programs whose time() reads a file at every call,
// so the running processes see the clock move.

import { after, before, describe, it } from 'node:test';

import { FakeClock } from '../lib/fakeclock.mjs';
import { TestServer } from '../lib/harness.mjs';
import { approvedCode, assertOAuthError, assertTokenResponse } from
    '../lib/checks.mjs';
import { Person, exchange, register } from '../lib/oauth.mjs';

const PW = 'expiry-Pw-1357';
const CODE_LIFETIME = 10;

let clock;
let s;

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({
		config: `code_lifetime = ${CODE_LIFETIME}s`,
		users: [{ name: 'alice', password: PW }],
		env: clock.env(),
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
		clock.offset(CODE_LIFETIME + 1);
		try {
			const res = await exchange(s, client, stale.code,
			    stale.verifier);
			assertOAuthError(res, 400, 'invalid_grant', /expired/);
		} finally {
			clock.real();
		}
	});
});
