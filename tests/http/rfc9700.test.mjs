// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// RFC 9700 (OAuth 2.0 Security Best Current Practice) §4, one test per
// attack of RFC 9700 section 4 (4.1 to 4.17), against the real programs
// over TLS.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { accessWorks, approvedCode, assertClientRedirect, assertHostCookie,
    assertHtmlPage, assertOAuthError, assertTokenResponse, formField,
    setCookies, signInTo } from '../lib/checks.mjs';
import { Person, exchange, pkce, refresh, register } from
    '../lib/oauth.mjs';

const PW = 'bcp-Pw-24680';
let s;
let good;	// https://good.example/cb
let loop;	// http://127.0.0.1:9999/callback, the administrator's client

before(async () => {
	s = await TestServer.start({ users: [{ name: 'alice', password: PW }] });
	good = await register(s, { redirect_uris: ['https://good.example/cb'] });
	// Errors go back only to clients the site trusts (§4.11.2): the
	// attacks on error redirects need one the administrator registered.
	loop = JSON.parse(s.admin(['--json', 'client', 'add', '--name', 'Loop',
	    '--redirect-uri', 'http://127.0.0.1:9999/callback', '--auth',
	    'none']).stdout);
});

after(async () => {
	await s?.stop();
});

function url(client, params = {}) {
	const { challenge } = pkce();
	const p = {
		response_type: 'code',
		client_id: client.client_id,
		redirect_uri: client.redirect_uris[0],
		state: 'st',
		code_challenge: challenge,
		code_challenge_method: 'S256',
		...params,
	};
	for (const [k, v] of Object.entries(p))
		if (v === undefined)
			delete p[k];
	return '/authorize?' + new URLSearchParams(p);
}

function assertNoRedirect(res, status = 400) {
	assertHtmlPage(res, status);
	assert.deepEqual(headerValues(res, 'Location'), []);
}

function errorOf(res) {
	assertClientRedirect(res);
	return Object.fromEntries(new URL(res.headers.location).searchParams);
}

describe('RFC 9700 §4 attacks', () => {
	it('4.1 insufficient redirect URI validation: exact match only, ' +
	    'an error page otherwise', async () => {
		for (const uri of [
			'https://attacker/.good.example',
			'https://attacker.example/cb',
			'https://good.example.attacker.example/cb',
			'https://evil.good.example/cb',
			'https://good.example/cb/../evil',
			'https://good.example/evil/../cb',
			'https://good.example/cb/',
			'https://good.example/cb?x=1',
			'https://good.example/CB',
			'https://good.example:443/cb',
			'https://good.example:8443/cb',
			'https://user@good.example/cb',
			'https://good.example@attacker.example/cb',
			'https://good.example/cb#frag',
			'https://GOOD.example/cb',
			'http://good.example/cb',
			'https://good.example/c%62',
		]) {
			const res = await s.request('GET', url(good,
			    { redirect_uri: uri }));
			assertNoRedirect(res);
		}
		// Loopback: any port, nothing else (RFC 8252 §7.3).
		for (const uri of ['http://localhost:5000/callback',
		    'http://[::1]:5000/callback',
		    'http://127.0.0.1:5000/callback/',
		    'http://127.0.0.1:5000/other',
		    'https://127.0.0.1:5000/callback'])
			assertNoRedirect(await s.request('GET', url(loop,
			    { redirect_uri: uri })));
		const ok = await s.request('GET', url(loop,
		    { redirect_uri: 'http://127.0.0.1:5000/callback' }));
		assertHtmlPage(ok, 200);
	});

	it('4.2/4.3 leakage via Referer and history: no-referrer, no ' +
	    'third-party resources, single-use codes', async () => {
		const p = new Person(s, 'alice', PW);
		const login = await p.get(url(loop));
		assertHtmlPage(login, 200);
		for (const page of [login, await signInTo(p, url(loop))]) {
			assert.match(page.body,
			    /<meta name="referrer" content="no-referrer">/);
			// Every src/href is same-origin and relative.
			for (const m of page.body.matchAll(
			    /\b(?:src|href|action)="([^"]*)"/g))
				assert.match(m[1], /^\/[^/]/, m[1]);
		}
		const c = await approvedCode(p, loop);
		const t = assertTokenResponse(await exchange(s, loop, c.code,
		    c.verifier));
		assertOAuthError(await exchange(s, loop, c.code, c.verifier), 400,
		    'invalid_grant');
		assertOAuthError(await refresh(s, loop, t.refresh_token), 400,
		    'invalid_grant', undefined);
		assert.ok(!await accessWorks(s, t.access_token));
	});

	it('4.4 mix-up: iss in every authorization response, advertised',
	    async () => {
		const meta = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.equal(meta.json()
		    .authorization_response_iss_parameter_supported, true);
		const p = new Person(s, 'alice', PW);
		const ok = await p.authorize(url(loop));
		assert.equal(errorOf(ok).iss, s.issuer);
		assert.equal(errorOf(ok).iss, meta.json().issuer);
		const denied = await p.authorize(url(loop), 'deny');
		assert.equal(errorOf(denied).iss, s.issuer);
		const bad = await s.request('GET', url(loop,
		    { response_type: 'token' }));
		assert.equal(errorOf(bad).iss, s.issuer);
	});

	it('4.5 code injection: bound to client, redirect URI and ' +
	    'challenge; a wrong verifier burns it', async () => {
		const p = new Person(s, 'alice', PW);
		const other = await register(s);
		let c = await approvedCode(p, loop);
		// An attacker's client cannot redeem it.
		assertOAuthError(await exchange(s, other, c.code, c.verifier), 400,
		    'invalid_grant');
		// Nor with its own verifier: and that burns it.
		assertOAuthError(await exchange(s, loop, c.code, pkce().verifier),
		    400, 'invalid_grant');
		assertOAuthError(await exchange(s, loop, c.code, c.verifier), 400,
		    'invalid_grant');
		c = await approvedCode(p, loop);
		assertOAuthError(await exchange(s, loop, c.code, c.verifier,
		    { redirect_uri: 'http://127.0.0.1/other' }), 400,
		    'invalid_grant');
	});

	it('4.6 access token injection: no implicit flow', async () => {
		for (const rt of ['token', 'id_token token', 'code token']) {
			const res = await s.request('GET', url(loop,
			    { response_type: rt }));
			assert.equal(errorOf(res).error,
			    'unsupported_response_type');
		}
		const meta = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.deepEqual(meta.json().response_types_supported, ['code']);
	});

	it('4.7 CSRF: token bound to the request and the browser; state ' +
	    'verbatim; Lax cookies', async () => {
		const victim = new Person(s, 'alice', PW);
		const login = await victim.get(url(loop, { state: 'a&b=c d' }));
		assertHostCookie(setCookies(login, 'mcp_browser')[0],
		    'mcp_browser');
		const consent = await signInTo(victim, url(loop,
		    { state: 'a&b=c d' }));
		const forged = await victim.post({
			request: formField(consent.body, 'request'),
			csrf: formField(login.body, 'csrf'),
			action: 'approve',
		});
		assertNoRedirect(forged, 403);
		const attacker = new Person(s, 'alice', PW);
		await signInTo(attacker, url(loop));
		assertNoRedirect(await attacker.post({
			request: formField(consent.body, 'request'),
			csrf: formField(consent.body, 'csrf'),
			action: 'approve',
		}), 403);
		const res = await victim.decide(consent, 'approve');
		assert.equal(errorOf(res).state, 'a&b=c d');
	});

	it('4.8 PKCE downgrade: S256 required, verifier required and ' +
	    'well-formed', async () => {
		for (const params of [{ code_challenge: undefined },
		    { code_challenge_method: 'plain' },
		    { code_challenge_method: undefined }]) {
			const res = await s.request('GET', url(loop, params));
			assert.equal(errorOf(res).error, 'invalid_request');
		}
		const meta = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.deepEqual(meta.json().code_challenge_methods_supported,
		    ['S256']);
		const p = new Person(s, 'alice', PW);
		let c = await approvedCode(p, loop);
		assertOAuthError(await exchange(s, loop, c.code, undefined), 400,
		    'invalid_grant');
		c = await approvedCode(p, loop);
		// The challenge itself as a "plain" verifier.
		const challenge = new URL(`https://x${c.path}`).searchParams
		    .get('code_challenge');
		assertOAuthError(await exchange(s, loop, c.code, challenge), 400,
		    'invalid_grant');
	});

	it('4.9/4.10 token misuse at the resource: tokens are bound to this ' +
	    'server\'s MCP URL', async () => {
		const other = 'https://other.example/mcp';
		let res = await s.request('GET', url(loop, { resource: other }));
		assert.equal(errorOf(res).error, 'invalid_target');
		const p = new Person(s, 'alice', PW);
		const c = await approvedCode(p, loop,
		    { resource: `${s.issuer}/mcp` });
		res = await exchange(s, loop, c.code, c.verifier,
		    { resource: other });
		assertOAuthError(res, 400, 'invalid_target');
		const d = await approvedCode(p, loop);
		const t = assertTokenResponse(await exchange(s, loop, d.code,
		    d.verifier, { resource: `${s.issuer}/mcp` }));
		assertOAuthError(await refresh(s, loop, t.refresh_token,
		    { resource: other }), 400, 'invalid_target');
		const prm = await s.request('GET',
		    '/.well-known/oauth-protected-resource/mcp');
		assert.equal(prm.json().resource, `${s.issuer}/mcp`);
	});

	it('4.11 open redirection: nothing is redirected before the client ' +
	    'and its URI are known', async () => {
		for (const params of [
			{ client_id: undefined },
			{ client_id: 'mcpc_unknownunknownunkn' },
			{ redirect_uri: 'https://attacker.example/',
			    prompt: 'none' },
			{ redirect_uri: 'https://attacker.example/',
			    response_type: 'token' },
			{ redirect_uri: 'javascript:alert(1)' },
		]) {
			const res = await s.request('GET', url(loop, params));
			assertNoRedirect(res);
		}
		// Unknown paths do not redirect either.
		const res = await s.request('GET',
		    '/authorize/x?redirect_uri=https://attacker.example/');
		assertNoRedirect(res, 404);
	});

	it('4.11.2 open redirection: anyone can register a redirect URI, so ' +
	    'a failing request is a page until the person approved the client',
	    async () => {
		const phish = await register(s,
		    { redirect_uris: ['https://evil.example/phish'] });
		const failing = [{ response_type: 'bogus' },
		    { code_challenge: undefined }, { scope: 'mcp admin' },
		    { prompt: 'none' }, { resource: 'https://x.example/' }];
		for (const params of failing) {
			const res = await s.request('GET', url(phish, params));
			assertNoRedirect(res);
			assert.doesNotMatch(res.body, /evil\.example/);
		}
		// A client the administrator registered is trusted.
		const trusted = JSON.parse(s.admin(['--json', 'client', 'add',
		    '--name', 'Trusted', '--redirect-uri',
		    'https://trusted.example/cb', '--auth', 'none']).stdout);
		for (const params of failing) {
			const e = errorOf(await s.request('GET',
			    url(trusted, params)));
			assert.ok(e.error, JSON.stringify(e));
			assert.equal(e.iss, s.issuer);
		}
		// So is one the signed-in person approved before.
		const p = new Person(s, 'alice', PW);
		const d = await approvedCode(p, phish);
		assert.equal((await exchange(s, phish, d.code, d.verifier))
		    .status, 200);
		const e = errorOf(await p.get(url(phish,
		    { response_type: 'bogus' })));
		assert.equal(e.error, 'unsupported_response_type');
		assert.equal(e.iss, s.issuer);
	});

	it('4.12 307 redirect: 302 after the consent POST, 303 after login',
	    async () => {
		const p = new Person(s, 'alice', PW);
		const page = await p.get(url(loop));
		const login = await p.login(page);
		assert.equal(login.status, 303);
		const consent = await p.get(login.headers.location);
		const approve = await p.decide(consent, 'approve');
		assert.equal(approve.status, 302);
		const again = await signInTo(p, url(loop));
		const deny = await p.decide(again, 'deny');
		assert.equal(deny.status, 302);
	});

	it('4.13 TLS-terminating proxies: X-Forwarded-* and Forwarded do ' +
	    'not change the issuer', async () => {
		const headers = {
			'X-Forwarded-Host': 'attacker.example',
			'X-Forwarded-Proto': 'http',
			'X-Forwarded-For': '203.0.113.9',
			Forwarded: 'host=attacker.example;proto=http',
		};
		const meta = await s.request('GET',
		    '/.well-known/oauth-authorization-server', { headers });
		assert.equal(meta.json().issuer, s.issuer);
		assert.doesNotMatch(meta.body, /attacker/);
		const res = await s.request('GET', url(loop,
		    { response_type: 'token' }), { headers });
		assert.equal(errorOf(res).iss, s.issuer);
		const reg = await s.request('POST', '/register', {
			headers,
			json: { redirect_uris: ['https://a.example/cb'] },
		});
		assert.equal(reg.status, 201);
		assert.match(s.programLog(),
		    /event=client_registered [^\n]*ip="127\.0\.0\.1"/);
	});

	it('4.14 refresh token protection: rotation, reuse revokes the ' +
	    'family, bound to client and scope', async () => {
		const p = new Person(s, 'alice', PW);
		const other = await register(s);
		const c = await approvedCode(p, loop, { scope: 'notes:read' });
		const t1 = assertTokenResponse(await exchange(s, loop, c.code,
		    c.verifier));
		assertOAuthError(await refresh(s, other, t1.refresh_token), 400,
		    'invalid_grant');
		assertOAuthError(await refresh(s, loop, t1.refresh_token,
		    { scope: 'notes:write' }), 400, 'invalid_scope');
		const t2 = assertTokenResponse(await refresh(s, loop,
		    t1.refresh_token));
		const t3 = assertTokenResponse(await refresh(s, loop,
		    t2.refresh_token));
		assertOAuthError(await refresh(s, loop, t1.refresh_token), 400,
		    'invalid_grant');
		assertOAuthError(await refresh(s, loop, t3.refresh_token), 400,
		    'invalid_grant', undefined);
	});

	it('4.14 a stolen refresh token used before the client\'s next refresh '
	    + 'is caught when the client comes back', async () => {
		const p = new Person(s, 'alice', PW);
		const c = await approvedCode(p, loop, { scope: 'notes:read' });
		const t1 = assertTokenResponse(await exchange(s, loop, c.code,
		    c.verifier));
		const t2 = assertTokenResponse(await refresh(s, loop,
		    t1.refresh_token));
		/*
		 * The thief replays t1 inside refresh_retry_window: it
		 * looks like a lost response and gets the client's own t2,
		 * not a line of its own.  It rotates on from there.
		 */
		const same = assertTokenResponse(await refresh(s, loop,
		    t1.refresh_token));
		assert.equal(same.refresh_token, t2.refresh_token);
		const t3 = assertTokenResponse(await refresh(s, loop,
		    same.refresh_token));
		const stolen = assertTokenResponse(await refresh(s, loop,
		    t3.refresh_token));
		/* The real client's t2, now older, gives the theft away. */
		assertOAuthError(await refresh(s, loop, t2.refresh_token), 400,
		    'invalid_grant');
		assertOAuthError(await refresh(s, loop, stolen.refresh_token), 400,
		    'invalid_grant');
		const res = await s.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'ping' },
			headers: { Authorization: `Bearer ${stolen.access_token}` },
		});
		assert.equal(res.status, 401, 'the thief\'s access token died too');
	});

	it('4.15 client impersonating a resource owner: client ids are the ' +
	    'server\'s', async () => {
		const res = await s.request('POST', '/register', {
			json: {
				redirect_uris: ['https://a.example/cb'],
				client_id: 'alice',
			},
		});
		assert.equal(res.status, 201);
		assert.match(res.json().client_id, /^mcpc_[A-Za-z0-9_-]{22}$/);
		const list = JSON.parse(s.admin(['--json', 'client', 'list'])
		    .stdout);
		assert.ok(list.every((c) => c.client_id.startsWith('mcpc_')));
	});

	it('4.16 clickjacking: every page refuses framing', async () => {
		const p = new Person(s, 'alice', PW);
		const pages = [
			await p.get(url(loop)),
			await signInTo(p, url(loop)),
		];
		pages.push(await s.request('GET', url(loop,
		    { client_id: 'mcpc_unknownunknownunkn' })));
		for (const res of pages) {
			assert.deepEqual(headerValues(res, 'X-Frame-Options'),
			    ['DENY']);
			assert.match(headerValues(res,
			    'Content-Security-Policy')[0],
			    /(^|; )frame-ancestors 'none'(;|$)/);
		}
	});

	it('4.17 in-browser communication flows: query mode only',
	    async () => {
		for (const mode of ['web_message', 'form_post', 'fragment',
		    'query.jwt']) {
			const res = await s.request('GET', url(loop,
			    { response_mode: mode }));
			assert.equal(errorOf(res).error, 'invalid_request', mode);
		}
		const meta = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.deepEqual(meta.json().response_modes_supported,
		    ['query']);
	});
});
