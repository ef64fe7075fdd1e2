// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The whole authorization-code flow against the real programs under a
// real web server over TLS, every step checked for status, headers and
// body (OAuth 2.1 with PKCE, RFC 7591 registration, RFC 9207 iss,
// refresh token rotation),
// and the programs' log checked for secrets at the end.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { accessWorks, assertClientRedirect, assertCors, assertHostCookie,
    assertHtmlPage, assertNoStore, assertOAuthError, assertTokenResponse,
    formField, setCookies } from '../lib/checks.mjs';
import { Person, exchange, pkce, refresh } from '../lib/oauth.mjs';

const PASSWORD = 'flow-Secret-pw-7';
let s;

before(async () => {
	s = await TestServer.start({
		users: [{ name: 'alice', password: PASSWORD }],
	});
});

after(async () => {
	await s?.stop();
});

describe('the whole flow, public client', () => {
	// Every secret the flow produces, to look for in the log later.
	const secrets = [PASSWORD];

	it('register → authorize → login → consent → token → refresh → ' +
	    'revoke', async () => {
		// 1. RFC 7591 registration.
		let res = await s.request('POST', '/register', {
			json: {
				redirect_uris: ['http://127.0.0.1/callback'],
				token_endpoint_auth_method: 'none',
				grant_types: ['authorization_code',
				    'refresh_token'],
				response_types: ['code'],
				client_name: 'Flow client',
				application_type: 'native',
			},
		});
		assert.equal(res.status, 201, res.body);
		assertNoStore(res);
		assertCors(res);
		const client = res.json();
		assert.match(client.client_id, /^mcpc_[A-Za-z0-9_-]{22}$/);
		assert.equal(client.client_secret, undefined);

		// 2. GET /authorize: the login page, and a browser cookie.
		const { verifier, challenge } = pkce();
		const state = 'state with spaces & ünïcode/?=';
		const redirectUri = 'http://127.0.0.1:43123/callback';
		const person = new Person(s, 'alice', PASSWORD);
		const q = new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			redirect_uri: redirectUri,
			state,
			code_challenge: challenge,
			code_challenge_method: 'S256',
			scope: 'mcp notes:read',
			resource: `${s.issuer}/mcp`,
		});
		const login = await person.get(`/authorize?${q}`);
		assertHtmlPage(login, 200);
		assert.match(login.body, /<h1>Sign in<\/h1>/);
		assert.match(login.body, /Flow client/);
		const browser = setCookies(login, 'mcp_browser');
		assert.equal(browser.length, 1);
		assertHostCookie(browser[0], 'mcp_browser');
		const request = formField(login.body, 'request');
		assert.match(request, /^[A-Za-z0-9_-]{43}$/);
		assert.match(formField(login.body, 'csrf'), /^[A-Za-z0-9_-]{43}$/);
		assert.doesNotMatch(login.body, new RegExp(challenge),
		    'the page carries only the request id');

		// 3. POST login: 303 to the consent page, a session cookie.
		res = await person.login(login);
		assert.equal(res.status, 303);
		assert.equal(res.headers.location,
		    `/authorize?request=${request}`);
		assert.deepEqual(headerValues(res, 'Cache-Control'),
		    ['no-store']);
		const session = setCookies(res, 'mcp_session');
		assert.equal(session.length, 1);
		secrets.push(assertHostCookie(session[0], 'mcp_session'));
		assert.match(session[0], /Max-Age=43200/,
		    'session_lifetime default 12 h');

		// 4. The consent page.
		const consent = await person.get(res.headers.location);
		assertHtmlPage(consent, 200);
		assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
		assert.match(consent.body, /<strong class="client">Flow client/);
		assert.match(consent.body, /name given by the application/);
		assert.match(consent.body, /<strong>mcp<\/strong>/);
		assert.match(consent.body, /<strong>notes:read<\/strong>/);
		assert.doesNotMatch(consent.body, /notes:write/);
		assert.match(consent.body, /<code>127\.0\.0\.1:43123<\/code>/);
		assert.match(consent.body, /class="warning"/,
		    'loopback warning');
		assert.match(consent.body, /as <strong>alice<\/strong>/);
		secrets.push(formField(consent.body, 'csrf'));

		// 5. Approve: 302 (never 307) with code, state and iss.
		res = await person.decide(consent, 'approve');
		assertClientRedirect(res);
		const loc = new URL(res.headers.location);
		assert.equal(`${loc.origin}${loc.pathname}`, redirectUri);
		assert.deepEqual([...loc.searchParams.keys()],
		    ['code', 'state', 'iss']);
		assert.equal(loc.searchParams.get('state'), state,
		    'state verbatim');
		assert.equal(loc.searchParams.get('iss'), s.issuer,
		    'iss byte-identical to the issuer (RFC 9207)');
		const code = loc.searchParams.get('code');
		assert.match(code, /^mcpac_[A-Za-z0-9_-]{43}$/);
		secrets.push(code);

		// 6. The code exchange.
		res = await exchange(s, { ...client,
		    redirect_uris: [redirectUri] }, code, verifier,
		    { resource: `${s.issuer}/mcp` });
		const t1 = assertTokenResponse(res, { scope: 'mcp notes:read' });
		assert.equal(t1.expires_in, 3600);
		assert.deepEqual(Object.keys(t1).sort(), ['access_token',
		    'expires_in', 'refresh_token', 'scope', 'token_type']);
		secrets.push(t1.access_token, t1.refresh_token);
		assert.ok(await accessWorks(s, t1.access_token));

		// 7. Refresh: rotated.
		res = await refresh(s, client, t1.refresh_token);
		const t2 = assertTokenResponse(res, { scope: 'mcp notes:read' });
		assert.notEqual(t2.refresh_token, t1.refresh_token);
		assert.notEqual(t2.access_token, t1.access_token);
		secrets.push(t2.access_token, t2.refresh_token);

		// 8. Revoke the refresh token: the grant goes with it.
		res = await s.request('POST', '/revoke', {
			form: {
				token: t2.refresh_token,
				token_type_hint: 'refresh_token',
				client_id: client.client_id,
			},
		});
		assert.equal(res.status, 200, res.body);
		assertNoStore(res);
		assertCors(res);
		assert.equal(res.body, '');
		res = await refresh(s, client, t2.refresh_token);
		assertOAuthError(res, 400, 'invalid_grant');
		assertNoStore(res);
		assert.ok(!await accessWorks(s, t1.access_token));
		assert.ok(!await accessWorks(s, t2.access_token));
	});

	it('logs every step and never a secret', () => {
		const log = s.programLog();
		for (const event of ['client_registered', 'login_ok',
		    'consent_given', 'code_issued', 'token_issued',
		    'token_refreshed', 'token_revoked'])
			assert.match(log, new RegExp(`event=${event} `), event);
		assert.ok(secrets.length >= 8);
		for (const secret of secrets) {
			assert.ok(secret.length >= 10);
			assert.ok(!log.includes(secret),
			    `a secret of ${secret.length} characters is in the log`);
			// Nor its tail (a prefix-stripped copy).
			assert.ok(!log.includes(secret.slice(-20)));
		}
	});
});

describe('the whole flow, confidential clients', () => {
	for (const method of ['client_secret_basic', 'client_secret_post']) {
		it(`${method}: the secret is shown once and required`,
		    async () => {
			let res = await s.request('POST', '/register', {
				json: {
					redirect_uris: ['https://app.example/cb'],
					token_endpoint_auth_method: method,
					grant_types: ['authorization_code',
					    'refresh_token'],
					client_name: `Web ${method}`,
				},
			});
			assert.equal(res.status, 201, res.body);
			const client = res.json();
			assert.match(client.client_secret,
			    /^mcpcs_[A-Za-z0-9_-]{43}$/);
			assert.equal(client.client_secret_expires_at, 0);
			assert.equal(client.token_endpoint_auth_method, method);

			const person = new Person(s, 'alice', PASSWORD);
			const { verifier, challenge } = pkce();
			res = await person.authorize('/authorize?' +
			    new URLSearchParams({
				response_type: 'code',
				client_id: client.client_id,
				state: 's1',
				code_challenge: challenge,
				code_challenge_method: 'S256',
			    }));
			assertClientRedirect(res);
			const code = new URL(res.headers.location).searchParams
			    .get('code');
			const auth = method === 'client_secret_basic' ? {
				headers: { Authorization: 'Basic ' +
				    Buffer.from(`${client.client_id}:` +
				    client.client_secret).toString('base64') },
				form: {},
			} : {
				headers: {},
				form: {
					client_id: client.client_id,
					client_secret: client.client_secret,
				},
			};
			res = await s.request('POST', '/token', {
				headers: auth.headers,
				form: {
					grant_type: 'authorization_code',
					code,
					code_verifier: verifier,
					...auth.form,
				},
			});
			const t = assertTokenResponse(res);
			// No scope requested, none registered: the defaults.
			assert.equal(t.scope, 'mcp notes:read notes:write');
			res = await s.request('POST', '/token', {
				headers: auth.headers,
				form: {
					grant_type: 'refresh_token',
					refresh_token: t.refresh_token,
					...auth.form,
				},
			});
			assertTokenResponse(res);
			const log = s.programLog();
			assert.ok(!log.includes(client.client_secret));
		});
	}
});
