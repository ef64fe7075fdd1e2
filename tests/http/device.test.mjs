// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The device authorization grant (RFC 8628) against the real programs:
// /device_authorization (token.fcgi), the verification page /device
// (authorize.fcgi) driven through its HTML forms, and polling at
// /token with every answer the RFC defines.  The programs run under a
// clock the test moves (tests/lib/fakeclock.mjs) for the interval,
// slow_down and expiry.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { accessWorks, assertCors, assertHtmlPage, assertNoStore,
    assertOAuthError, assertTokenResponse } from '../lib/checks.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import { Person, formField, refresh, register } from '../lib/oauth.mjs';

const PW = 'device-Pw-2468';
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

let clock;
let s;
// The clock only moves forward: each step adds to it.
let ahead = 0;

function advance(seconds) {
	ahead += seconds;
	clock.offset(ahead);
}

async function deviceClient(server, metadata = {}) {
	return register(server, {
		redirect_uris: [],
		grant_types: [GRANT, 'refresh_token'],
		client_name: 'Kitchen <b>Display</b>',
		...metadata,
	});
}

async function start(server, client, extra = {}) {
	return server.request('POST', '/device_authorization', {
		form: { client_id: client.client_id, ...extra },
	});
}

async function poll(server, client, deviceCode, extra = {}) {
	return server.request('POST', '/token', {
		form: {
			grant_type: GRANT,
			device_code: deviceCode,
			client_id: client.client_id,
			...extra,
		},
	});
}

// A person at a browser on the verification page.
class DevicePerson extends Person {
	async device(path) {
		return this.get(path);
	}

	async enter(page, userCode) {
		const res = await this.s.request('POST', '/device', {
			form: {
				csrf: formField(page.body, 'csrf'),
				action: 'code',
				user_code: userCode,
			},
			headers: { Cookie: this.jar.header() },
		});
		this.jar.take(res);
		return res;
	}

	// From verification_uri_complete to the answer page.
	async answer(uri, userCode, action = 'approve') {
		const form = await this.device(new URL(uri).pathname +
		    new URL(uri).search);
		assertHtmlPage(form, 200);
		let page = await this.enter(form, userCode);
		if (page.body.includes('<h1>Sign in</h1>')) {
			const res = await this.login(page);
			assert.equal(res.status, 303, res.body.slice(0, 500));
			page = await this.get(res.headers.location);
		}
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		return { consent: page, done: await this.decide(page, action) };
	}
}

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({
		users: [{ name: 'alice', password: PW }],
		env: clock.env(),
	});
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

describe('device authorization metadata and registration', () => {
	it('advertises the endpoint and the grant type', async () => {
		const res = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		const m = res.json();
		assert.equal(m.device_authorization_endpoint,
		    `${s.issuer}/device_authorization`);
		assert.ok(m.grant_types_supported.includes(GRANT));
	});

	it('registers a device-only client without redirect URIs',
	    async () => {
		const c = await deviceClient(s);
		assert.deepEqual(c.grant_types, ['refresh_token', GRANT]);
		assert.deepEqual(c.redirect_uris, []);
	});

	it('still wants redirect URIs from an authorization code client',
	    async () => {
		const res = await s.request('POST', '/register', {
			json: { redirect_uris: [],
			    grant_types: ['authorization_code', GRANT] },
		});
		assert.equal(res.status, 400, res.body);
		assert.equal(res.json().error, 'invalid_redirect_uri');
	});
});

describe('/device_authorization', () => {
	it('answers a device code, a user code and where to enter it',
	    async () => {
		const client = await deviceClient(s);
		const res = await start(s, client, { scope: 'mcp' });
		assert.equal(res.status, 200, res.body);
		assertNoStore(res);
		assertCors(res);
		const d = res.json();
		assert.deepEqual(Object.keys(d).sort(), ['device_code',
		    'expires_in', 'interval', 'user_code', 'verification_uri',
		    'verification_uri_complete']);
		assert.match(d.device_code, /^mcpdc_[B-Z]{8}_[A-Za-z0-9_-]{43}$/);
		assert.match(d.user_code, CODE);
		assert.equal(d.verification_uri, `${s.issuer}/device`);
		assert.equal(d.verification_uri_complete,
		    `${s.issuer}/device?user_code=${d.user_code}`);
		assert.equal(d.expires_in, 600);
		assert.equal(d.interval, 5);
	});

	it('refuses a client that did not register the device grant',
	    async () => {
		const client = await register(s);
		assertOAuthError(await start(s, client), 400,
		    'unauthorized_client');
	});

	it('refuses an unknown scope and a foreign resource', async () => {
		const client = await deviceClient(s);
		assertOAuthError(await start(s, client, { scope: 'nope' }),
		    400, 'invalid_scope', /nope/);
		assertOAuthError(await start(s, client,
		    { resource: 'https://elsewhere.example/mcp' }), 400,
		    'invalid_target');
	});

	it('authenticates a confidential client as /token does',
	    async () => {
		const client = await deviceClient(s,
		    { token_endpoint_auth_method: 'client_secret_post' });
		assert.ok(client.client_secret);
		const res = await start(s, client);
		assertOAuthError(res, 401, 'invalid_client');
		const ok = await start(s, client,
		    { client_secret: client.client_secret });
		assert.equal(ok.status, 200, ok.body);
		const pending = await poll(s, client, ok.json().device_code,
		    { client_secret: client.client_secret });
		assertOAuthError(pending, 400, 'authorization_pending');
		assertOAuthError(await poll(s, client, ok.json().device_code),
		    401, 'invalid_client');
	});

	it('takes POST only', async () => {
		const res = await s.request('GET', '/device_authorization');
		assert.equal(res.status, 405);
		assert.deepEqual(headerValues(res, 'Allow'), ['POST, OPTIONS']);
	});
});

describe('the device flow', () => {
	const person = () => new DevicePerson(s, 'alice', PW);
	let client;
	let alice;

	before(async () => {
		client = await deviceClient(s);
		alice = person();
	});

	it('pending, slow_down, sign-in, consent, tokens, refresh, reuse',
	    async () => {
		const d = (await start(s, client, { scope: 'mcp' })).json();
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'authorization_pending');
		// At once again: too fast, and the interval grows by 5 s.
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'slow_down', /10 seconds/);
		advance(6);
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'slow_down', /15 seconds/);
		advance(16);
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'authorization_pending');

		const { consent, done } = await alice.answer(
		    d.verification_uri_complete, d.user_code);
		// The client's name, escaped and marked as its own; the
		// code to compare with the device.
		assert.match(consent.body,
		    /Kitchen &lt;b&gt;Display&lt;\/b&gt;<\/strong> <span class="tag">name given by the application/);
		assert.ok(consent.body.includes(d.user_code));
		assert.doesNotMatch(consent.body, /sent back to/);
		assertHtmlPage(done, 200);
		assert.match(done.body, /<h1>Device connected<\/h1>/);

		advance(16);
		const tok = assertTokenResponse(await poll(s, client,
		    d.device_code), { scope: 'mcp' });
		assert.ok(await accessWorks(s, tok.access_token));
		// The tokens rotate like any others.
		const next = assertTokenResponse(await refresh(s, client,
		    tok.refresh_token));
		assert.ok(await accessWorks(s, next.access_token));
		// The device code is single use: again, it revokes them.
		advance(16);
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'invalid_grant', /already used/);
		assert.equal(await accessWorks(s, next.access_token), false);
		assertOAuthError(await refresh(s, client, next.refresh_token),
		    400, 'invalid_grant');
		// Logged: what happened, never a secret.
		const log = s.programLog();
		assert.match(log, /device_started/);
		assert.match(log, /device_approved/);
		for (const secret of [d.device_code, tok.access_token,
		    tok.refresh_token, next.access_token, next.refresh_token,
		    d.device_code.slice(15), PW])
			assert.ok(!log.includes(secret), 'a secret in the log');
	});

	it('access_denied after Deny, and the code cannot be used again',
	    async () => {
		const d = (await start(s, client)).json();
		const { done } = await alice.answer(
		    d.verification_uri_complete, d.user_code, 'deny');
		assertHtmlPage(done, 200);
		assert.match(done.body, /<h1>Request denied<\/h1>/);
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'access_denied');
		const form = await alice.device('/device');
		const again = await alice.enter(form, d.user_code);
		assertHtmlPage(again, 400);
		assert.match(again.body, /This code has been used/);
	});

	it('expired_token once the lifetime has passed', async () => {
		const d = (await start(s, client)).json();
		advance(601);
		assertOAuthError(await poll(s, client, d.device_code), 400,
		    'expired_token');
		const form = await alice.device('/device');
		const page = await alice.enter(form, d.user_code);
		assertHtmlPage(page, 400);
		assert.match(page.body, /This code has expired/);
	});

	it('takes the code typed in lower case with spaces', async () => {
		const d = (await start(s, client)).json();
		const form = await alice.device('/device');
		assertHtmlPage(form, 200);
		assert.match(form.body, /value=""/);
		const typed = ` ${d.user_code.toLowerCase().replace('-', ' ')} `;
		const page = await alice.enter(form, typed);
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		assert.ok(page.body.includes(d.user_code));
	});

	it('invalid_grant for an unknown code or another client\'s',
	    async () => {
		const d = (await start(s, client)).json();
		const other = await deviceClient(s);
		assertOAuthError(await poll(s, other, d.device_code), 400,
		    'invalid_grant');
		const forged = d.device_code.slice(0, -4) + 'AAAA';
		assertOAuthError(await poll(s, client, forged), 400,
		    'invalid_grant');
		assertOAuthError(await poll(s, client, 'mcpdc_nonsense'), 400,
		    'invalid_grant');
		assertOAuthError(await s.request('POST', '/token', {
			form: { grant_type: GRANT,
			    client_id: client.client_id },
		}), 400, 'invalid_request', /device_code/);
	});

	it('refuses the device grant to a client that did not register it',
	    async () => {
		const web = await register(s);
		assertOAuthError(await poll(s, web, 'mcpdc_x'), 400,
		    'unauthorized_client');
	});

	it('refuses a code form from another site or without the cookie',
	    async () => {
		const form = await alice.device('/device');
		const foreign = await s.request('POST', '/device', {
			form: { csrf: 'f'.repeat(64), user_code: 'BCDF-GHJK' },
			headers: { Cookie: alice.jar.header() },
		});
		assertHtmlPage(foreign, 403);
		const nocookie = await s.request('POST', '/device', {
			form: { csrf: formField(form.body, 'csrf'),
			    user_code: 'BCDF-GHJK' },
		});
		assertHtmlPage(nocookie, 400);
		assert.match(nocookie.body, /Cookies are needed/);
	});
});

describe('guessing and start limits', () => {
	let g;
	let gclock;

	before(async () => {
		gclock = new FakeClock();
		g = await TestServer.start({
			users: [{ name: 'alice', password: PW }],
			env: gclock.env(),
		});
	});

	after(async () => {
		await g?.stop();
		gclock?.cleanup();
	});

	it('ten wrong codes per address, then none is looked up',
	    async () => {
		const client = await deviceClient(g);
		const d = (await start(g, client)).json();
		const p = new DevicePerson(g, 'alice', PW);
		const form = await p.device('/device');
		for (let i = 0; i < 10; i++) {
			const res = await p.enter(form,
			    i % 2 ? 'BCDF-GHJK' : 'not a code');
			assertHtmlPage(res, 400);
			assert.match(res.body, /That code is not valid/);
		}
		const res = await p.enter(form, d.user_code);
		assertHtmlPage(res, 429);
		assert.match(res.body, /Too many wrong codes/);
		assert.ok(Number(headerValues(res, 'Retry-After')[0]) > 0);
		// A new window: a right code goes through.
		gclock.offset(901);
		const d2 = (await start(g, client)).json();
		const ok = await p.enter(form, d2.user_code);
		assert.equal(ok.status, 200, ok.body.slice(0, 300));
		assert.match(ok.body, /<h1>Sign in<\/h1>/);
	});

	it('thirty device authorizations per address in ten minutes',
	    async () => {
		gclock.offset(901 + 3600);
		const client = await deviceClient(g);
		for (let i = 0; i < 30; i++) {
			const res = await start(g, client);
			assert.equal(res.status, 200, res.body);
		}
		const res = await start(g, client);
		assertOAuthError(res, 429, 'too_many_requests');
		assert.ok(Number(headerValues(res, 'Retry-After')[0]) > 0);
	});
});
