// Expiry seen from outside: a code past code_lifetime (10 s, the
// configuration's minimum) is refused at /token (B5.2: codes are short
// lived).  The exact second of every expiry is tested in the unit
// tests (test_grant.c, test_session.c); this is the one test that
// waits for real time to pass, because the programs read the clock
// themselves.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { approvedCode, assertOAuthError, assertTokenResponse } from
    '../lib/checks.mjs';
import { Person, exchange, register } from '../lib/oauth.mjs';

const PW = 'expiry-Pw-1357';
let s;

before(async () => {
	s = await TestServer.start({
		config: 'code_lifetime = 10s',
		users: [{ name: 'alice', password: PW }],
	});
});

after(async () => {
	await s?.stop();
});

describe('code_lifetime', () => {
	it('refuses a code once its lifetime has passed', async () => {
		const client = await register(s);
		const p = new Person(s, 'alice', PW);
		const fresh = await approvedCode(p, client);
		const stale = await approvedCode(p, client);
		const issued = Date.now();
		assertTokenResponse(await exchange(s, client, fresh.code,
		    fresh.verifier));
		// Past the whole second in which the code expires.
		await new Promise((r) => setTimeout(r,
		    11000 - (Date.now() - issued)));
		const res = await exchange(s, client, stale.code, stale.verifier);
		assertOAuthError(res, 400, 'invalid_grant', /expired/);
	});
});
