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

// A person at a browser on the verification page, from address from
// (127.0.0.1 unless given).
class DevicePerson extends Person {
	constructor(server, name, password, from) {
		super(server, name, password);
		this.from = from;
	}

	// Forgets the session, keeping the browser's binding cookie.
	signOut() {
		for (const name of [...this.jar.cookies.keys()])
			if (name.includes('mcp_session'))
				this.jar.cookies.delete(name);
	}

	// The code form at path, signing in first when the page asks.
	async device(path) {
		let page = await this.get(path);
		if (page.body.includes('<h1>Sign in</h1>')) {
			const res = await this.login(page);
			assert.equal(res.status, 303, res.body.slice(0, 500));
			page = await this.get(res.headers.location);
		}
		return page;
	}

	async enter(page, userCode) {
		const res = await this.s.request('POST', '/device', {
			form: {
				csrf: formField(page.body, 'csrf'),
				action: 'code',
				user_code: userCode,
			},
			headers: { Cookie: this.jar.header() },
			from: this.from,
		});
		this.jar.take(res);
		return res;
	}

	// From verification_uri_complete to the answer page.
	async answer(uri, userCode, action = 'approve') {
		const form = await this.device(new URL(uri).pathname +
		    new URL(uri).search);
		assertHtmlPage(form, 200);
		assert.match(form.body, /<h1>Connect a device<\/h1>/);
		const page = await this.enter(form, userCode);
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

	it('claims no response type for a device-only client', async () => {
		const c = await deviceClient(s);
		assert.deepEqual(c.response_types, []);
		const both = await deviceClient(s, {
			redirect_uris: ['http://127.0.0.1/cb'],
			grant_types: ['authorization_code', GRANT],
		});
		assert.deepEqual(both.response_types, ['code']);
		const plain = await register(s);
		assert.deepEqual(plain.response_types, ['code']);
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

	it('asks for sign-in first, keeping the code of the link',
	    async () => {
		const d = (await start(s, client)).json();
		const bob = new DevicePerson(s, 'alice', PW);
		const path = new URL(d.verification_uri_complete).pathname +
		    new URL(d.verification_uri_complete).search;
		const signin = await bob.get(path);
		assertHtmlPage(signin, 200);
		assert.match(signin.body, /<h1>Sign in<\/h1>/);
		assert.match(signin.body, /connect a device/);
		let res = await bob.login(signin);
		assert.equal(res.status, 303, res.body.slice(0, 300));
		assert.equal(res.headers.location,
		    `/device?user_code=${d.user_code}`);
		const form = await bob.get(res.headers.location);
		assertHtmlPage(form, 200);
		assert.ok(form.body.includes(`value="${d.user_code}"`));
		// Signed out by the time the code is sent: it is not looked
		// up, and waits through the sign-in.
		bob.signOut();
		const again = await bob.enter(form, d.user_code);
		assertHtmlPage(again, 200);
		assert.match(again.body, /<h1>Sign in<\/h1>/);
		// The sign-in's pending request has nothing to approve.
		const approve = await bob.post({
			request: formField(again.body, 'request'),
			csrf: formField(again.body, 'csrf'),
			action: 'approve',
		});
		assert.equal(approve.status, 400);
		assert.doesNotMatch(approve.body, /Device connected/);
		res = await bob.login(again);
		assert.equal(res.status, 303, res.body.slice(0, 300));
		assert.equal(res.headers.location,
		    `/device?user_code=${d.user_code}`);
		const form2 = await bob.get(res.headers.location);
		const consent = await bob.enter(form2, d.user_code);
		assertHtmlPage(consent, 200);
		assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
	});

	it('answers HEAD like GET', async () => {
		const res = await s.request('HEAD', '/device');
		assert.equal(res.status, 200);
		assert.equal(res.body, '');
		const post = await s.request('PUT', '/device');
		assert.equal(post.status, 405);
		assert.deepEqual(headerValues(post, 'Allow'),
		    ['GET, HEAD, POST']);
	});

	it('refuses the code flow to a device-only client', async () => {
		const dev = await deviceClient(s,
		    { redirect_uris: ['http://127.0.0.1/cb'] });
		const q = new URLSearchParams({
			response_type: 'code',
			client_id: dev.client_id,
			redirect_uri: 'http://127.0.0.1/cb',
			code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
			code_challenge_method: 'S256',
			state: 'xyz',
		});
		const res = await s.request('GET', `/authorize?${q}`);
		assertHtmlPage(res, 400);
		assert.match(res.body, /unauthorized_client/);
		assert.equal(res.headers.location, undefined);
		const none = await deviceClient(s);
		const q2 = new URLSearchParams({
			response_type: 'code',
			client_id: none.client_id,
			code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
			code_challenge_method: 'S256',
		});
		const res2 = await s.request('GET', `/authorize?${q2}`);
		assertHtmlPage(res2, 400);
		assert.match(res2.body, /unauthorized_client/);
		assertOAuthError(await s.request('POST', '/token', {
			form: { grant_type: 'authorization_code',
			    client_id: dev.client_id, code: 'mcpac_x',
			    redirect_uri: 'http://127.0.0.1/cb',
			    code_verifier: 'a'.repeat(43) },
		}), 400, 'unauthorized_client');
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
	let gahead = 0;

	before(async () => {
		gclock = new FakeClock();
		g = await TestServer.start({
			users: [{ name: 'alice', password: PW },
			    { name: 'mallory', password: PW },
			    { name: 'bob', password: PW }],
			env: gclock.env(),
			config: 'code_lifetime = 10',
		});
	});

	after(async () => {
		await g?.stop();
		gclock?.cleanup();
	});

	function gadvance(seconds) {
		gahead += seconds;
		gclock.offset(gahead);
	}

	it('ten wrong codes per account, from any address', async () => {
		const client = await deviceClient(g);
		const d = (await start(g, client)).json();
		const m = new DevicePerson(g, 'mallory', PW, '127.0.0.2');
		const form = await m.device('/device');
		assertHtmlPage(form, 200);
		for (let i = 0; i < 10; i++) {
			m.from = `127.0.0.${10 + i}`;
			const res = await m.enter(form,
			    i % 2 ? 'BCDF-GHJK' : 'not a code');
			assertHtmlPage(res, 400);
			assert.match(res.body, /That code is not valid/);
		}
		// Over: even the right code is not looked up, anywhere.
		m.from = '127.0.0.30';
		const res = await m.enter(form, d.user_code);
		assertHtmlPage(res, 429);
		assert.match(res.body, /Too many wrong codes/);
		assert.ok(Number(headerValues(res, 'Retry-After')[0]) > 0);
		// Another person at that address gets through.
		const a = new DevicePerson(g, 'alice', PW, '127.0.0.30');
		await a.answer(d.verification_uri_complete, d.user_code);
		// A new window: the account may try again.
		gadvance(901);
		const d2 = (await start(g, client)).json();
		const m2 = new DevicePerson(g, 'mallory', PW, '127.0.0.31');
		const ok = await m2.enter(await m2.device('/device'),
		    d2.user_code);
		assertHtmlPage(ok, 200);
		assert.match(ok.body, /<h1>Allow access\?<\/h1>/);
	});

	it('ten wrong codes per address, whatever the accounts',
	    async () => {
		gadvance(901);
		const client = await deviceClient(g);
		const d = (await start(g, client)).json();
		const m = new DevicePerson(g, 'mallory', PW, '127.0.0.40');
		const b = new DevicePerson(g, 'bob', PW, '127.0.0.40');
		const mform = await m.device('/device');
		const bform = await b.device('/device');
		for (let i = 0; i < 10; i++) {
			const res = await (i % 2 ? b.enter(bform, 'BCDF-GHJK') :
			    m.enter(mform, 'BCDF-GHJK'));
			assertHtmlPage(res, 400);
		}
		const res = await b.enter(bform, d.user_code);
		assertHtmlPage(res, 429);
		b.from = '127.0.0.41';
		const ok = await b.enter(bform, d.user_code);
		assertHtmlPage(ok, 200);
		assert.match(ok.body, /<h1>Allow access\?<\/h1>/);
	});

	it('many addresses guessing do not lock out a person with a code',
	    async () => {
		gadvance(901);
		const client = await deviceClient(g);
		const d = (await start(g, client)).json();
		// 21 addresses, ten wrong codes each: more than the old
		// server-wide limit of 200.  Without signing in nothing is
		// looked up; signed in, the account's own limit stops it.
		const m = new DevicePerson(g, 'mallory', PW, '127.0.1.1');
		const form = await m.device('/device');
		let throttled = 0;
		const anon = new DevicePerson(g, 'bob', PW, '127.0.2.1');
		const aform = await anon.device('/device');
		anon.signOut();
		for (let a = 0; a < 21; a++) {
			anon.from = `127.0.2.${a + 1}`;
			m.from = `127.0.1.${a + 1}`;
			for (let i = 0; i < 10; i++) {
				const early = await anon.enter(aform,
				    'BCDF-GHJK');
				assert.match(early.body, /<h1>Sign in<\/h1>/);
				const res = await m.enter(form, 'BCDF-GHJK');
				if (res.status === 429)
					throttled++;
				else
					assertHtmlPage(res, 400);
			}
		}
		assert.equal(throttled, 200);
		const alice = new DevicePerson(g, 'alice', PW, '127.0.3.1');
		const { done } = await alice.answer(
		    d.verification_uri_complete, d.user_code);
		assert.match(done.body, /<h1>Device connected<\/h1>/);
	});

	it('the approval waits for the next poll past code_lifetime',
	    async () => {
		gadvance(901);
		const client = await deviceClient(g);
		const d = (await start(g, client)).json();
		assertOAuthError(await poll(g, client, d.device_code), 400,
		    'authorization_pending');
		assertOAuthError(await poll(g, client, d.device_code), 400,
		    'slow_down', /10 seconds/);
		assertOAuthError(await poll(g, client, d.device_code), 400,
		    'slow_down', /15 seconds/);
		const alice = new DevicePerson(g, 'alice', PW, '127.0.3.2');
		await alice.answer(d.verification_uri_complete, d.user_code);
		// code_lifetime is 10 s; the device comes back after 15.
		gadvance(16);
		assertTokenResponse(await poll(g, client, d.device_code));
	});

	it('thirty device authorizations per address in ten minutes',
	    async () => {
		gadvance(3600);
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
