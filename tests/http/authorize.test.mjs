// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// authorize.fcgi: the authorization endpoint with its login and consent
// pages (OAuth 2.1 section 4.1, RFC 8707 resource indicators, RFC 9207
// iss, RFC 9700's advice on redirects, PKCE and framing).  Every error
// is checked for where it goes (a local page, or back to the client),
// and every page for its headers.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { assertClientRedirect, assertHostCookie, assertHtmlPage,
    approvedCode, formField, setCookies, signInTo, startAuthorization } from
    '../lib/checks.mjs';
import { Person, exchange, pkce, register } from '../lib/oauth.mjs';

const ALICE = 'alice-Pw-123456';
let s;
let pub;	// public, one loopback redirect URI, refresh
let multi;	// public, two redirect URIs
let hostile;	// public, a client_name full of markup
let conf;	// confidential (client_secret_post)
let native;	// public, a private-use scheme
let trusted;	// public, registered by the administrator: errors redirect
let phish;	// public, open-registered by anyone: https://evil.example/phish

before(async () => {
	s = await TestServer.start({
		users: [
			{ name: 'alice', password: ALICE },
			{ name: 'bob', password: 'bob-Pw-123456' },
		],
	});
	pub = await register(s, { redirect_uris: ['http://127.0.0.1/callback'] });
	multi = await register(s, {
		redirect_uris: ['https://app.example/cb',
		    'https://app.example/other'],
	});
	hostile = await register(s, {
		client_name: '<script>alert(1)</script>" onmouseover="x',
	});
	conf = await register(s, {
		redirect_uris: ['https://web.example/cb'],
		token_endpoint_auth_method: 'client_secret_post',
		client_name: 'Web app',
	});
	native = await register(s, {
		redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback'],
		client_name: 'Cursor',
	});
	trusted = adminClient('http://127.0.0.1/callback');
	phish = await register(s, {
		redirect_uris: ['https://evil.example/phish'],
	});
});

// A public client registered with mcp-oauth-admin, which the site
// trusts with error redirects (RFC 9700 §4.11.2).
function adminClient(uri) {
	return JSON.parse(s.admin(['--json', 'client', 'add', '--name',
	    'Trusted', '--redirect-uri', uri, '--auth', 'none']).stdout);
}

after(async () => {
	await s?.stop();
});

// /authorize with PKCE unless a parameter is set to undefined.
function url(client, params = {}) {
	const { challenge } = pkce();
	const p = {
		response_type: 'code',
		client_id: client.client_id,
		redirect_uri: client.redirect_uris[0],
		state: 'xyz',
		code_challenge: challenge,
		code_challenge_method: 'S256',
		...params,
	};
	for (const [k, v] of Object.entries(p))
		if (v === undefined)
			delete p[k];
	return '/authorize?' + new URLSearchParams(p);
}

// An error page, never a redirect (OAuth 2.1 section 4.1.2.1, RFC 9700
// sections 4.1 and 4.11).
function assertLocalError(res, status, text) {
	assertHtmlPage(res, status);
	assert.deepEqual(headerValues(res, 'Location'), []);
	if (text !== undefined)
		assert.match(res.body, text);
}

// An error redirect to the client: error, description, state, iss.
function assertErrorRedirect(res, base, error, state = 'xyz') {
	// state null: the redirect must carry none.
	assertClientRedirect(res);
	const loc = new URL(res.headers.location);
	assert.equal(`${loc.protocol}//${loc.host}${loc.pathname}`, base);
	const p = Object.fromEntries(loc.searchParams);
	assert.equal(p.error, error, res.headers.location);
	assert.ok(p.error_description.length > 0);
	// RFC 6749 §4.1.2.1: no double quote, no backslash, only ASCII.
	assert.match(p.error_description, /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
	assert.equal(p.iss, s.issuer, 'iss on errors too (RFC 9207)');
	assert.equal(p.code, undefined);
	if (state === null)
		assert.equal(p.state, undefined);
	else
		assert.equal(p.state, state);
	return p;
}

describe('client_id and redirect_uri first: a page, never a redirect ' +
    '(RFC 9700 §4.1, §4.11)', () => {
	it('missing client_id', async () => {
		const res = await s.request('GET', url(pub,
		    { client_id: undefined }));
		assertLocalError(res, 400, /client_id is missing/);
	});

	it('unknown client_id', async () => {
		const res = await s.request('GET', url(pub,
		    { client_id: 'mcpc_unknownunknownunkn' }));
		assertLocalError(res, 400, /not registered/);
	});

	it('a client_id that is not even well-formed', async () => {
		const res = await s.request('GET', url(pub,
		    { client_id: '<script>x</script>' }));
		assertLocalError(res, 400, /not registered/);
		assert.doesNotMatch(res.body, /<script>x/);
	});

	it('an unregistered redirect_uri, even with other errors', async () => {
		const res = await s.request('GET', url(pub, {
			redirect_uri: 'https://attacker.example/cb',
			response_type: 'token',
			code_challenge: undefined,
		}));
		assertLocalError(res, 400, /redirect_uri is not one/);
		assert.doesNotMatch(res.body, /attacker/);
	});

	it('no redirect_uri while several are registered', async () => {
		const res = await s.request('GET', url(multi,
		    { redirect_uri: undefined }));
		assertLocalError(res, 400, /registered several/);
	});

	it('no redirect_uri with exactly one registered is fine', async () => {
		const res = await s.request('GET', url(pub,
		    { redirect_uri: undefined }));
		assertHtmlPage(res, 200);
		assert.match(res.body, /<h1>Sign in<\/h1>/);
	});

	it('a parameter given twice (RFC 6749 §3.1)', async () => {
		const res = await s.request('GET', url(pub) +
		    `&client_id=${pub.client_id}`);
		assertLocalError(res, 400, /more than once/);
	});

});

// The errors found after client_id and redirect_uri are known, each
// with the parameters that cause it.
const laterErrors = [
	['no response_type', { response_type: undefined },
	    'invalid_request'],
	['response_type=bogus', { response_type: 'bogus' },
	    'unsupported_response_type'],
	['response_type=token (RFC 9700 §4.6)',
	    { response_type: 'token' }, 'unsupported_response_type'],
	['response_type=code id_token',
	    { response_type: 'code id_token' },
	    'unsupported_response_type'],
	['no code_challenge (OAuth 2.1: PKCE required)',
	    { code_challenge: undefined }, 'invalid_request'],
	['no code_challenge_method (would mean plain)',
	    { code_challenge_method: undefined }, 'invalid_request'],
	['code_challenge_method=plain (RFC 9700 §4.8)',
	    { code_challenge_method: 'plain' }, 'invalid_request'],
	['code_challenge_method=s256', { code_challenge_method: 's256' },
	    'invalid_request'],
	['a code_challenge that is no SHA-256',
	    { code_challenge: 'abc' }, 'invalid_request'],
	['an unknown scope', { scope: 'mcp admin' },
	    'invalid_scope'],
	['a malformed scope', { scope: 'mcp "x"' }, 'invalid_scope'],
	['another resource (RFC 8707)',
	    { resource: 'https://other.example/mcp' }, 'invalid_target'],
	['a resource with a fragment',
	    { resource: 'RESOURCE#frag' }, 'invalid_target'],
	['the origin as resource', { resource: 'ORIGIN' },
	    'invalid_target'],
	['response_mode=fragment (RFC 9700 §4.17)',
	    { response_mode: 'fragment' }, 'invalid_request'],
	['response_mode=web_message', { response_mode: 'web_message' },
	    'invalid_request'],
	['an unknown prompt', { prompt: 'bogus' }, 'invalid_request'],
	['prompt=none with login', { prompt: 'none login' },
	    'invalid_request'],
	['prompt=none without a session', { prompt: 'none' },
	    'login_required'],
];

// The parameters of a laterErrors row, with the server's own URLs.
function laterParams(params) {
	const out = { ...params };
	for (const [k, v] of Object.entries(out)) {
		if (v === 'RESOURCE#frag')
			out[k] = `${s.issuer}/mcp#frag`;
		else if (v === 'ORIGIN')
			out[k] = s.issuer;
	}
	return out;
}

describe('later errors, for a client anyone registered, before anyone ' +
    'approved it: a page, never a redirect (RFC 9700 §4.11.2)', () => {
	for (const [name, params, error] of laterErrors) {
		it(name, async () => {
			for (const c of [pub, phish]) {
				const res = await s.request('GET',
				    url(c, laterParams(params)));
				assertLocalError(res, 400,
				    new RegExp(`refused: .*\\(${error}\\)`));
				assert.doesNotMatch(res.body, /evil\.example/);
			}
		});
	}

	it('logs that nothing was redirected', async () => {
		const mark = s.logMark();
		await s.request('GET', url(phish, { response_type: 'bogus' }));
		assert.match(s.programLogSince(mark),
		    new RegExp(`event=error_not_redirected client="${
		    phish.client_id}"`));
	});

	it('a signed-in person who never approved the client gets the page ' +
	    'too', async () => {
		const p = new Person(s, 'alice', ALICE);
		await signInTo(p, url(pub));
		for (const params of [{ response_type: 'bogus' },
		    { code_challenge: undefined }, { scope: 'mcp admin' },
		    { prompt: 'none' }]) {
			const res = await p.get(url(phish, params));
			assertLocalError(res, 400, /refused/);
		}
	});

	it('a signed-in person who approved the client before gets the ' +
	    'redirect, with iss', async () => {
		const p = new Person(s, 'alice', ALICE);
		const c = await register(s,
		    { redirect_uris: ['https://approved.example/cb'] });
		const first = await approvedCode(p, c);
		const tok = await exchange(s, c, first.code, first.verifier);
		assert.equal(tok.status, 200, tok.body);
		for (const [params, error] of [
			[{ response_type: 'bogus' }, 'unsupported_response_type'],
			[{ code_challenge: undefined }, 'invalid_request'],
			[{ scope: 'mcp admin' }, 'invalid_scope'],
			[{ prompt: 'none' }, 'consent_required'],
		]) {
			const res = await p.get(url(c, params));
			assertErrorRedirect(res, 'https://approved.example/cb',
			    error);
		}
		// Not in another browser, where no one is signed in.
		const res = await s.request('GET', url(c,
		    { response_type: 'bogus' }));
		assertLocalError(res, 400, /refused/);
	});
});

describe('later errors go back to a client the administrator registered, ' +
    'with state and iss (RFC 9207)', () => {
	const R = 'http://127.0.0.1/callback';
	for (const [name, params, error] of laterErrors) {
		it(name, async () => {
			const res = await s.request('GET',
			    url(trusted, laterParams(params)));
			const p = assertErrorRedirect(res, R, error);
			if (error === 'invalid_scope' && params.scope ===
			    'mcp admin')
				assert.equal(p.error_description,
				    "unknown scope 'admin'");
		});
	}

	it('omits state when the client sent none', async () => {
		const res = await s.request('GET', url(trusted,
		    { state: undefined, response_type: 'token' }));
		assertErrorRedirect(res, R, 'unsupported_response_type', null);
	});

	it('refuses a state over 1024 characters without echoing it',
	    async () => {
		const res = await s.request('GET', url(trusted,
		    { state: 'x'.repeat(1025) }));
		assertErrorRedirect(res, R, 'invalid_request', null);
	});

	it('returns state verbatim, whatever it holds', async () => {
		const state = 'a b&c=d?e/f#g%h+i\u00e9\u4e2d"<>';
		const res = await s.request('GET', url(trusted,
		    { state, response_type: 'token' }));
		assertErrorRedirect(res, R, 'unsupported_response_type', state);
	});

	it('keeps the query of the registered redirect URI', async () => {
		const c = adminClient('https://q.example/cb?tenant=7');
		const res = await s.request('GET', url(c,
		    { response_type: 'token' }));
		assertClientRedirect(res);
		assert.match(res.headers.location,
		    /^https:\/\/q\.example\/cb\?tenant=7&error=/);
	});

	it('accepts the resource with a trailing slash and another case ' +
	    '(RFC 8707)', async () => {
		const res = await s.request('GET', url(pub, {
			resource: `${s.issuer.replace('localhost',
			    'LOCALHOST')}/mcp/`,
		}));
		assertHtmlPage(res, 200);
	});

	it('accepts response_mode=query and prompt=select_account',
	    async () => {
		const res = await s.request('GET', url(pub,
		    { response_mode: 'query', prompt: 'select_account' }));
		assertHtmlPage(res, 200);
	});
});

describe('the login page', () => {
	it('sets a __Host- browser cookie and carries a request id and a ' +
	    'CSRF token', async () => {
		const res = await s.request('GET', url(pub));
		assertHtmlPage(res, 200);
		const c = setCookies(res, 'mcp_browser');
		assert.equal(c.length, 1);
		assertHostCookie(c[0], 'mcp_browser');
		assert.doesNotMatch(c[0], /Max-Age/i, 'a browser-session cookie');
		assert.match(formField(res.body, 'request'), /^[\w-]{43}$/);
		assert.match(formField(res.body, 'csrf'), /^[\w-]{43}$/);
		assert.match(res.body, /autocomplete="current-password"/);
	});

	it('signs in with a __Host- session cookie', async () => {
		const p = new Person(s, 'alice', ALICE);
		const page = await p.get(url(pub));
		const res = await p.login(page);
		assert.equal(res.status, 303);
		const c = setCookies(res, 'mcp_session');
		assert.equal(c.length, 1);
		assertHostCookie(c[0], 'mcp_session');
		assert.match(c[0], /Max-Age=43200/);
		assert.match(s.programLog(), /event=login_ok user="alice"/);
	});

	for (const [who, name, password] of [
	    ['a wrong password', 'alice', 'wrong'],
	    ['an unknown user', 'nobody', ALICE],
	    ['a malformed user name', 'a b<c>', ALICE]]) {
		it(`shows one message for ${who}`, async () => {
			const p = new Person(s, name, password);
			const page = await p.get(url(pub));
			const res = await p.login(page);
			assertHtmlPage(res, 403);
			assert.match(res.body, /<p class="error" role="alert">Wrong user name or password\.<\/p>/);
			assert.deepEqual(setCookies(res, 'mcp_session'), []);
			assert.match(res.body, /<h1>Sign in<\/h1>/,
			    'the form again, to retry');
			assert.doesNotMatch(res.body, /<c>/);
		});
	}

	it('refuses a disabled user with the same message', async () => {
		s.addUser('carol', 'carol-Pw-1234');
		s.admin(['user', 'disable', 'carol']);
		const p = new Person(s, 'carol', 'carol-Pw-1234');
		const res = await p.login(await p.get(url(pub)));
		assertHtmlPage(res, 403);
		assert.match(res.body, /Wrong user name or password\./);
	});

	it('asks again for a missing password', async () => {
		const p = new Person(s, 'alice', ALICE);
		const page = await p.get(url(pub));
		const res = await p.post({
			request: formField(page.body, 'request'),
			csrf: formField(page.body, 'csrf'),
			action: 'login',
			username: 'alice',
		});
		assertHtmlPage(res, 400);
		assert.match(res.body, /Enter your user name and password/);
	});

	it('logs failures without the password', async () => {
		const p = new Person(s, 'bob', 'Bob-wrong-PASSWORD-xyz');
		await p.login(await p.get(url(pub)));
		const log = s.programLog();
		assert.match(log, /event=login_failed user="bob" client="mcpc_/);
		assert.ok(!log.includes('Bob-wrong-PASSWORD-xyz'));
		assert.ok(!log.includes(ALICE));
	});
});

describe('the consent page', () => {
	it('escapes a hostile client_name on both pages', async () => {
		const p = new Person(s, 'alice', ALICE);
		const login = await p.get(url(hostile));
		assertHtmlPage(login, 200);
		const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;&quot; ' +
		    'onmouseover=&quot;x';
		assert.ok(login.body.includes(escaped), login.body);
		assert.doesNotMatch(login.body, /<script>/);
		const res = await p.login(login);
		const consent = await p.get(res.headers.location);
		assertHtmlPage(consent, 200);
		assert.ok(consent.body.includes(`<strong class="client">` +
		    `${escaped}</strong>`));
		assert.doesNotMatch(consent.body, /<script>/);
		assert.doesNotMatch(consent.body, /" onmouseover="/);
	});

	it('marks a dynamically registered name as self-declared, not an ' +
	    'administrator\'s', async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(pub));
		assert.match(consent.body, /name given by the application/);
		const r = s.admin(['--json', 'client', 'add', '--name', 'Trusted',
		    '--redirect-uri', 'https://trusted.example/cb']);
		const admin = JSON.parse(r.stdout);
		const page = await p.get(url(admin));
		assertHtmlPage(page, 200);
		assert.match(page.body, /<strong class="client">Trusted<\/strong>/);
		assert.doesNotMatch(page.body, /name given by the application/);
	});

	it('shows the redirect host and a warning for loopback',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(pub,
		    { redirect_uri: 'http://127.0.0.1:5555/callback' }));
		assert.match(consent.body, /<code>127\.0\.0\.1:5555<\/code>/);
		assert.match(consent.body, /runs on your own computer/);
	});

	it('shows the scheme of a private-use redirect with its warning',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(native));
		assert.match(consent.body,
		    /<code>cursor:\/\/anysphere\.cursor-mcp<\/code>/);
		assert.match(consent.body, /handed to an installed application/);
		assert.doesNotMatch(consent.body, /runs on your own computer/);
	});

	it('has no warning for an https redirect', async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(conf));
		assert.match(consent.body, /<code>web\.example<\/code>/);
		assert.doesNotMatch(consent.body, /class="warning"/);
	});

	it('describes each requested scope', async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(pub,
		    { scope: 'notes:write offline_access' }));
		assert.match(consent.body, new RegExp("<strong>notes:write</strong>" +
		    "<span>Read, create and delete your notes</span>"),
		    'notes:write implies notes:read, and the page says so');
		assert.doesNotMatch(consent.body, /offline_access/);
		assert.doesNotMatch(consent.body, /<strong>mcp<\/strong>/);
	});
});

describe('approve and deny', () => {
	it('deny goes back with access_denied, state and iss', async () => {
		const p = new Person(s, 'alice', ALICE);
		const res = await p.authorize(url(pub), 'deny');
		assertErrorRedirect(res, 'http://127.0.0.1/callback',
		    'access_denied');
		assert.match(s.programLog(), /event=consent_denied user="alice"/);
	});

	it('a pending request is used once', async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(pub));
		const res = await p.decide(consent, 'approve');
		assertClientRedirect(res);
		for (const action of ['approve', 'deny']) {
			const again = await p.decide(consent, action);
			assertLocalError(again, 400, /unknown or too old/);
		}
	});

	it('two answers sent together: one goes back, the other is a page',
	    async () => {
		for (const second of ['approve', 'deny']) {
			const p = new Person(s, 'alice', ALICE);
			const consent = await signInTo(p, url(pub));
			const both = await Promise.all([
			    p.decide(consent, 'approve'),
			    p.decide(consent, second)]);
			const back = both.filter((r) => r.status === 302 ||
			    r.status === 303);
			assert.equal(back.length, 1, both.map((r) =>
			    r.status).join(' '));
			const other = both.find((r) => r !== back[0]);
			assertLocalError(other, 400,
			    /already been answered|unknown or too old/);
		}
	});

	it('an unknown action is refused', async () => {
		const p = new Person(s, 'alice', ALICE);
		const consent = await signInTo(p, url(pub));
		const res = await p.post({
			request: formField(consent.body, 'request'),
			csrf: formField(consent.body, 'csrf'),
			action: 'approve-all',
		});
		assertLocalError(res, 400, /Unknown action/);
	});

	it('a POST that is not a form is refused', async () => {
		const res = await s.request('POST', '/authorize', {
			json: { action: 'approve' },
		});
		assertLocalError(res, 415);
	});

	it('an unknown request id is an expired page', async () => {
		const p = new Person(s, 'alice', ALICE);
		assertHtmlPage(await p.get(url(pub)), 200);
		const res = await p.get('/authorize?request=' +
		    crypto.randomBytes(32).toString('base64url'));
		assertLocalError(res, 400, /unknown or too old/);
	});

	it('a request id without the browser cookie is refused', async () => {
		const p = new Person(s, 'alice', ALICE);
		const page = await p.get(url(pub));
		const res = await s.request('GET', '/authorize?request=' +
		    formField(page.body, 'request'));
		assertLocalError(res, 400, /Cookies are needed/);
	});

	it('a signed-in person goes straight to consent next time',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		await approvedCode(p, pub);
		const page = await p.get(url(pub));
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
	});

	it('a user disabled after signing in must sign in again',
	    async () => {
		s.addUser('dave', 'dave-Pw-1234');
		const p = new Person(s, 'dave', 'dave-Pw-1234');
		const consent = await signInTo(p, url(pub));
		s.admin(['user', 'disable', 'dave']);
		const res = await p.decide(consent, 'approve');
		assertHtmlPage(res, 403);
		assert.match(res.body, /<h1>Sign in<\/h1>/);
		assert.deepEqual(headerValues(res, 'Location'), []);
	});
});

describe('CSRF: the POST must come from this browser\'s page (RFC 9700 ' +
    '§4.7)', () => {
	async function consentFor(p) {
		let consent = await p.get(url(pub));
		if (/<h1>Sign in/.test(consent.body))
			consent = await signInTo(p, url(pub));
		assertHtmlPage(consent, 200);
		assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
		return {
			consent,
			request: formField(consent.body, 'request'),
			csrf: formField(consent.body, 'csrf'),
		};
	}

	it('a missing token gets a page and no code', async () => {
		const p = new Person(s, 'alice', ALICE);
		const { request } = await consentFor(p);
		const res = await p.post({ request, action: 'approve' });
		assertLocalError(res, 400, /security token/);
	});

	it('a wrong token gets a page and no code, and is logged',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		const { request, consent } = await consentFor(p);
		const res = await p.post({
			request,
			csrf: crypto.randomBytes(32).toString('base64url'),
			action: 'approve',
		});
		assertLocalError(res, 403, /not sent from the page/);
		assert.match(s.programLog(), /event=csrf_mismatch /);
		// The real page still works afterwards.
		assertClientRedirect(await p.decide(consent, 'approve'));
	});

	it('the token of another pending request does not fit', async () => {
		const p = new Person(s, 'alice', ALICE);
		const a = await consentFor(p);
		const b = await consentFor(p);
		const res = await p.post({
			request: a.request,
			csrf: b.csrf,
			action: 'approve',
		});
		assertLocalError(res, 403);
	});

	it('the whole form sent from another browser does not work, even ' +
	    'signed in as the same user', async () => {
		const victim = new Person(s, 'alice', ALICE);
		const { request, csrf } = await consentFor(victim);
		const attacker = new Person(s, 'alice', ALICE);
		await signInTo(attacker, url(pub));
		const res = await attacker.post({
			request, csrf, action: 'approve',
		});
		assertLocalError(res, 403);
		// With no cookies at all.
		const bare = await s.request('POST', '/authorize', {
			form: { request, csrf, action: 'approve' },
		});
		assertLocalError(bare, 400, /Cookies are needed/);
	});

	it('the login form needs the token too', async () => {
		const p = new Person(s, 'alice', ALICE);
		const page = await p.get(url(pub));
		let res = await p.post({
			request: formField(page.body, 'request'),
			action: 'login',
			username: 'alice',
			password: ALICE,
		});
		assertLocalError(res, 400);
		assert.deepEqual(setCookies(res, 'mcp_session'), []);
		res = await p.post({
			request: formField(page.body, 'request'),
			csrf: 'x'.repeat(43),
			action: 'login',
			username: 'alice',
			password: ALICE,
		});
		assertLocalError(res, 403);
		assert.deepEqual(setCookies(res, 'mcp_session'), []);
	});
});

describe('prompt (OIDC Core §3.1.2.1)', () => {
	let bob;

	it('prompt=none without a session: login_required', async () => {
		const res = await s.request('GET', url(trusted,
		    { prompt: 'none' }));
		assertErrorRedirect(res, 'http://127.0.0.1/callback',
		    'login_required');
	});

	it('prompt=none for a public client: consent_required', async () => {
		const p = new Person(s, 'alice', ALICE);
		await approvedCode(p, trusted);
		const res = await p.get(url(trusted, { prompt: 'none' }));
		assertErrorRedirect(res, 'http://127.0.0.1/callback',
		    'consent_required');
	});

	it('prompt=none for an approved confidential client: the code',
	    async () => {
		const p = bob = new Person(s, 'bob', 'bob-Pw-123456');
		const first = await approvedCode(p, conf);
		// Consent is remembered once the code is redeemed.
		const tok = await s.request('POST', '/token', {
			form: {
				grant_type: 'authorization_code',
				code: first.code,
				code_verifier: first.verifier,
				redirect_uri: conf.redirect_uris[0],
				client_id: conf.client_id,
				client_secret: conf.client_secret,
			},
		});
		assert.equal(tok.status, 200, tok.body);
		const res = await p.get(url(conf, { prompt: 'none' }));
		assertClientRedirect(res);
		const q = new URL(res.headers.location).searchParams;
		assert.match(q.get('code'), /^mcpac_/);
		assert.equal(q.get('state'), 'xyz');
		assert.equal(q.get('iss'), s.issuer);
	});

	it('prompt=login asks for the password despite a session',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		await signInTo(p, url(pub));
		const page = await p.get(url(pub, { prompt: 'login' }));
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Sign in<\/h1>/);
		const res = await p.login(page);
		assert.equal(res.status, 303);
		const consent = await p.get(res.headers.location);
		assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
		assertClientRedirect(await p.decide(consent, 'approve'));
	});

	it('prompt=login cannot be skipped by approving from the login page',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		await signInTo(p, url(pub));
		const page = await p.get(url(pub, { prompt: 'login' }));
		const res = await p.post({
			request: formField(page.body, 'request'),
			csrf: formField(page.body, 'csrf'),
			action: 'approve',
		});
		assertHtmlPage(res, 403);
		assert.match(res.body, /<h1>Sign in<\/h1>/);
		assert.deepEqual(headerValues(res, 'Location'), []);
	});

	it('prompt=consent shows the page to a remembered client', async () => {
		const p = bob;
		// Bob approved conf above; without prompt the code comes at once.
		const direct = await p.get(url(conf));
		assertClientRedirect(direct);
		const page = await p.get(url(conf, { prompt: 'consent' }));
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		assert.match(s.programLog(), /event=consent_remembered user="bob"/);
	});

	it('a wider scope asks again even for a remembered client',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		const first = await approvedCode(p, conf, { scope: 'mcp' });
		const tok = await exchange(s, conf, first.code, first.verifier,
		    { client_secret: conf.client_secret });
		assert.equal(tok.status, 200, tok.body);
		const narrow = await p.get(url(conf, { scope: 'mcp' }));
		assertClientRedirect(narrow);
		const wide = await p.get(url(conf, { scope: 'mcp notes:write' }));
		assertHtmlPage(wide, 200);
		assert.match(wide.body, /<h1>Allow access\?<\/h1>/);
	});

	it('a public client is never remembered (RFC 8252 §8.6)', async () => {
		const p = new Person(s, 'alice', ALICE);
		const first = await approvedCode(p, pub);
		const tok = await exchange(s, pub, first.code, first.verifier);
		assert.equal(tok.status, 200);
		const page = await p.get(url(pub));
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
	});
});

describe('methods, paths and CORS', () => {
	for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
		it(`answers ${method} with a 405 page and no CORS`, async () => {
			const res = await s.request(method, url(pub), {
				headers: {
					Origin: 'https://evil.example',
					'Access-Control-Request-Method': 'POST',
				},
			});
			assertLocalError(res, 405);
			assert.deepEqual(headerValues(res, 'Allow'), ['GET, POST']);
		});
	}

	it('never sends CORS headers on /authorize',
	    async () => {
		const headers = { Origin: 'https://evil.example' };
		let res = await s.request('GET', url(pub), { headers });
		assertHtmlPage(res, 200);
		res = await s.request('GET', url(trusted,
		    { response_type: 'x' }), { headers });
		assertClientRedirect(res);
		res = await s.request('POST', '/authorize',
		    { headers, form: { action: 'approve' } });
		assertLocalError(res, 400);
	});

	it('answers 404 below /authorize', async () => {
		const res = await s.request('GET', '/authorizex?client_id=x');
		assertLocalError(res, 404);
	});

	it('refuses a form over 16 KiB', async () => {
		const res = await s.request('POST', '/authorize', {
			form: { request: 'x', pad: 'y'.repeat(17000) },
		});
		assertLocalError(res, 413);
	});
});

describe('the code', () => {
	it('is bound to the PKCE challenge, client, redirect URI and scope',
	    async () => {
		const p = new Person(s, 'alice', ALICE);
		const a = startAuthorization(pub, {
			redirect_uri: 'http://127.0.0.1:6000/callback',
			scope: 'notes:read',
		});
		const res = await p.authorize(a.path);
		const code = new URL(res.headers.location).searchParams
		    .get('code');
		const tok = await exchange(s, {
			...pub, redirect_uris: ['http://127.0.0.1:6000/callback'],
		}, code, a.verifier);
		assert.equal(tok.status, 200, tok.body);
		assert.equal(tok.json().scope, 'notes:read');
	});
});

describe('more scopes than fit a short list', () => {
	const names = ['mcp'];
	let big;
	let client;

	before(async () => {
		for (let i = 1; i < 20; i++)
			names.push(`s${String(i).padStart(2, '0')}`);
		big = await TestServer.start({
			config: `scopes = ${names.join(' ')}\n`,
			users: [{ name: 'alice', password: ALICE }],
		});
		client = await register(big, {
			redirect_uris: ['http://127.0.0.1/callback'],
		});
	});

	after(async () => {
		await big?.stop();
	});

	it('the consent page names every scope it grants',
	    async () => {
		const p = new Person(big, 'alice', ALICE);
		for (const scope of [names.join(' '), undefined]) {
			const consent = await signInTo(p, url(client, { scope }));
			const shown = [...consent.body.matchAll(
			    /<label for="scope-\d+"><strong>([^<]+)<\/strong>/g)]
			    .map((m) => m[1]);
			assert.deepEqual(shown, names);
		}
	});
});

describe('authorize_rate_limit', () => {
	let limited;
	let client;

	before(async () => {
		limited = await TestServer.start({
			config: 'authorize_rate_limit = 3\n',
			users: [{ name: 'alice', password: ALICE }],
		});
		client = await register(limited, {
			redirect_uris: ['http://127.0.0.1/callback'],
		});
	});

	after(async () => {
		await limited?.stop();
	});

	it('refuses new requests from one address over the limit, with a ' +
	    'page and Retry-After', async () => {
		const p = new Person(limited, 'alice', ALICE);
		const first = await p.get(url(client));
		assertHtmlPage(first, 200);
		for (let i = 0; i < 2; i++)
			assertHtmlPage(await p.get(url(client)), 200);
		// Showing a request again stores no new one.
		const again = await p.get('/authorize?request=' +
		    formField(first.body, 'request'));
		assertHtmlPage(again, 200);
		const res = await p.get(url(client));
		assertLocalError(res, 429, /Too many sign-in requests/);
		const retry = Number(headerValues(res, 'Retry-After')[0]);
		assert.ok(retry >= 1 && retry <= 3600, String(retry));
		// The requests already started can still be completed.
		const done = await p.login(again);
		assert.equal(done.status, 303, done.body.slice(0, 500));
	});
});
