// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// token.fcgi: the token endpoint (OAuth 2.1 section 3.2, RFC 7636
// PKCE, RFC 8707, RFC 9700 sections 4.5 and 4.14): client authentication by
// the registered method only, the authorization_code grant with PKCE
// and single use, refresh rotation with a retry window and reuse
// detection, and every error in RFC 6749 §5.2 shape.  The refresh
// lifecycle over time and under concurrency: refresh.test.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { accessWorks, approvedCode, assertCors, assertNoStore,
    assertOAuthError, assertTokenResponse } from '../lib/checks.mjs';
import { Person, exchange, refresh, register } from '../lib/oauth.mjs';

const PW = 'token-Pw-98765';
let s;
let alice;
let pub;	// public, refresh_token grant
let noref;	// public, authorization_code only
let basic;	// client_secret_basic
let post;	// client_secret_post

before(async () => {
	s = await TestServer.start({ users: [{ name: 'alice', password: PW }] });
	alice = new Person(s, 'alice', PW);
	pub = await register(s);
	noref = await register(s, { grant_types: ['authorization_code'] });
	basic = await register(s, {
		redirect_uris: ['https://basic.example/cb'],
		token_endpoint_auth_method: 'client_secret_basic',
		grant_types: ['authorization_code', 'refresh_token'],
	});
	post = await register(s, {
		redirect_uris: ['https://post.example/cb'],
		token_endpoint_auth_method: 'client_secret_post',
		grant_types: ['authorization_code', 'refresh_token'],
	});
});

after(async () => {
	await s?.stop();
});

function basicHeader(id, secret) {
	return 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
}

// A fresh pair for the public client.
async function pair(params = {}) {
	const c = await approvedCode(alice, pub, params);
	const res = await exchange(s, pub, c.code, c.verifier);
	return assertTokenResponse(res);
}

describe('the authorization_code grant', () => {
	it('answers the exchange with no-store, Pragma and CORS',
	    async () => {
		const c = await approvedCode(alice, pub, { scope: 'mcp' });
		const res = await exchange(s, pub, c.code, c.verifier);
		const t = assertTokenResponse(res, { scope: 'mcp' });
		assert.equal(t.expires_in, 3600);
	});

	it('issues a refresh token without offline_access',
	    async () => {
		const t = await pair({ scope: 'mcp' });
		assert.ok(t.refresh_token);
	});

	it('issues no refresh token to a client without that grant',
	    async () => {
		const c = await approvedCode(alice, noref);
		const res = await exchange(s, noref, c.code, c.verifier);
		assertTokenResponse(res, { refresh: false });
	});

	it('burns the code on a wrong verifier (RFC 9700 §4.5)',
	    async () => {
		const c = await approvedCode(alice, pub);
		let res = await exchange(s, pub, c.code, 'A'.repeat(43));
		assertOAuthError(res, 400, 'invalid_grant', /code_verifier/);
		assertNoStore(res);
		assertCors(res);
		res = await exchange(s, pub, c.code, c.verifier);
		assertOAuthError(res, 400, 'invalid_grant');
	});

	it('burns the code on a verifier outside the ABNF (RFC 7636 §4.1)',
	    async () => {
		for (const v of ['short', 'x'.repeat(129), 'a'.repeat(42) + '/']) {
			const c = await approvedCode(alice, pub);
			let res = await exchange(s, pub, c.code, v);
			assertOAuthError(res, 400, 'invalid_grant');
			res = await exchange(s, pub, c.code, c.verifier);
			assertOAuthError(res, 400, 'invalid_grant');
		}
	});

	it('needs a verifier (RFC 9700 §4.8)', async () => {
		const c = await approvedCode(alice, pub);
		const res = await exchange(s, pub, c.code, undefined);
		assertOAuthError(res, 400, 'invalid_grant', /code_verifier/);
	});

	it('revokes what the first exchange issued when a code comes back ' +
	    '(RFC 6749 §4.1.2)', async () => {
		const mark = s.logMark();
		const c = await approvedCode(alice, pub);
		let res = await exchange(s, pub, c.code, c.verifier);
		const t = assertTokenResponse(res);
		assert.ok(await accessWorks(s, t.access_token));
		res = await exchange(s, pub, c.code, c.verifier);
		assertOAuthError(res, 400, 'invalid_grant', /already used/);
		assert.ok(!await accessWorks(s, t.access_token),
		    'the first exchange\'s access token works at /mcp');
		res = await refresh(s, pub, t.refresh_token);
		assertOAuthError(res, 400, 'invalid_grant');
		assert.match(s.programLogSince(mark), /event=code_reuse /);
	});

	it('does not let another client burn or use the code',
	    async () => {
		const c = await approvedCode(alice, pub);
		let res = await exchange(s, noref, c.code, c.verifier);
		assertOAuthError(res, 400, 'invalid_grant');
		res = await exchange(s, pub, c.code, c.verifier);
		assertTokenResponse(res);
	});

	it('needs the same redirect_uri (RFC 6749 §4.1.3)', async () => {
		const c = await approvedCode(alice, pub);
		let res = await exchange(s, pub, c.code, c.verifier,
		    { redirect_uri: 'http://127.0.0.1:1/callback' });
		assertOAuthError(res, 400, 'invalid_grant', /redirect_uri/);
		const d = await approvedCode(alice, pub);
		res = await exchange(s, pub, d.code, d.verifier,
		    { redirect_uri: undefined });
		assertOAuthError(res, 400, 'invalid_grant', /redirect_uri/);
	});

	it('refuses another resource with invalid_target (RFC 8707)',
	    async () => {
		const c = await approvedCode(alice, pub);
		const res = await exchange(s, pub, c.code, c.verifier,
		    { resource: 'https://other.example/mcp' });
		assertOAuthError(res, 400, 'invalid_target');
	});

	it('accepts the resource with a trailing slash', async () => {
		const c = await approvedCode(alice, pub);
		const res = await exchange(s, pub, c.code, c.verifier,
		    { resource: `${s.issuer}/mcp/` });
		assertTokenResponse(res);
	});

	it('refuses unknown codes', async () => {
		for (const code of ['mcpac_' + 'x'.repeat(43), 'x'.repeat(500)]) {
			const res = await exchange(s, pub, code, 'a'.repeat(43));
			assertOAuthError(res, 400, 'invalid_grant');
		}
	});

	it('needs the code', async () => {
		const res = await exchange(s, pub, undefined, 'a'.repeat(43));
		assertOAuthError(res, 400, 'invalid_request', /code/);
	});
});

describe('client authentication (RFC 6749 §2.3)', () => {
	async function codeFor(client) {
		return approvedCode(alice, client);
	}

	it('client_secret_basic: right secret', async () => {
		const c = await codeFor(basic);
		const res = await s.request('POST', '/token', {
			headers: { Authorization: basicHeader(basic.client_id,
			    basic.client_secret) },
			form: {
				grant_type: 'authorization_code',
				code: c.code,
				code_verifier: c.verifier,
				redirect_uri: basic.redirect_uris[0],
			},
		});
		assertTokenResponse(res);
	});

	it('client_secret_basic: wrong secret → 401 with WWW-Authenticate: ' +
	    'Basic', async () => {
		const c = await codeFor(basic);
		const res = await s.request('POST', '/token', {
			headers: { Authorization: basicHeader(basic.client_id,
			    'mcpcs_wrong') },
			form: {
				grant_type: 'authorization_code',
				code: c.code,
				code_verifier: c.verifier,
			},
		});
		assertOAuthError(res, 401, 'invalid_client');
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'),
		    ['Basic realm="mcp-oauth"']);
		assertNoStore(res);
		assertCors(res);
		assert.match(headerValues(res,
		    'Access-Control-Expose-Headers')[0], /WWW-Authenticate/);
		assert.match(s.programLog(), /event=client_auth_failed /);
	});

	it('client_secret_basic: the secret in the body is the wrong method',
	    async () => {
		const c = await codeFor(basic);
		const res = await s.request('POST', '/token', {
			form: {
				grant_type: 'authorization_code',
				code: c.code,
				code_verifier: c.verifier,
				client_id: basic.client_id,
				client_secret: basic.client_secret,
			},
		});
		assertOAuthError(res, 401, 'invalid_client',
		    /client_secret_basic/);
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'), []);
	});

	it('client_secret_post: right secret', async () => {
		const c = await codeFor(post);
		const res = await exchange(s, post, c.code, c.verifier,
		    { client_secret: post.client_secret });
		assertTokenResponse(res);
	});

	it('client_secret_post: wrong or missing secret → 401', async () => {
		const c = await codeFor(post);
		let res = await exchange(s, post, c.code, c.verifier,
		    { client_secret: 'mcpcs_wrong' });
		assertOAuthError(res, 401, 'invalid_client');
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'), []);
		res = await exchange(s, post, c.code, c.verifier);
		assertOAuthError(res, 401, 'invalid_client', /client_secret_post/);
		// The code survived the failed authentications.
		res = await exchange(s, post, c.code, c.verifier,
		    { client_secret: post.client_secret });
		assertTokenResponse(res);
	});

	it('client_secret_post: Basic is the wrong method → 401 Basic',
	    async () => {
		const c = await codeFor(post);
		const res = await s.request('POST', '/token', {
			headers: { Authorization: basicHeader(post.client_id,
			    post.client_secret) },
			form: {
				grant_type: 'authorization_code',
				code: c.code,
				code_verifier: c.verifier,
			},
		});
		assertOAuthError(res, 401, 'invalid_client');
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'),
		    ['Basic realm="mcp-oauth"']);
	});

	it('a public client may not send a secret', async () => {
		const c = await codeFor(pub);
		const res = await exchange(s, pub, c.code, c.verifier,
		    { client_secret: 'anything' });
		assertOAuthError(res, 401, 'invalid_client');
	});

	it('two methods at once are refused', async () => {
		const res = await s.request('POST', '/token', {
			headers: { Authorization: basicHeader(basic.client_id,
			    basic.client_secret) },
			form: {
				grant_type: 'authorization_code',
				code: 'x',
				client_secret: basic.client_secret,
			},
		});
		assertOAuthError(res, 400, 'invalid_request');
	});

	it('an unknown or missing client → 401 invalid_client', async () => {
		let res = await s.request('POST', '/token', {
			form: { grant_type: 'authorization_code', code: 'x',
			    client_id: 'mcpc_nobodynobodynobody' },
		});
		assertOAuthError(res, 401, 'invalid_client');
		res = await s.request('POST', '/token', {
			form: { grant_type: 'authorization_code', code: 'x' },
		});
		assertOAuthError(res, 401, 'invalid_client');
	});

	it('never logs a client secret', async () => {
		const log = s.programLog();
		for (const c of [basic, post])
			assert.ok(!log.includes(c.client_secret));
		assert.ok(!log.includes('mcpcs_wrong'), 'nor a wrong one');
	});
});

describe('the refresh_token grant (RFC 9700 §4.14)', () => {
	it('rotates on every use', async () => {
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		const t3 = assertTokenResponse(await refresh(s, pub,
		    t2.refresh_token));
		assert.equal(new Set([t1.refresh_token, t2.refresh_token,
		    t3.refresh_token]).size, 3);
		assert.match(s.programLog(), /event=token_refreshed /);
	});

	it('gives a client that lost a response the same successor ' +
	    'again (refresh_retry_window)', async () => {
		const t1 = await pair();
		const lost = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		const retry = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		assert.equal(retry.refresh_token, lost.refresh_token);
		assert.notEqual(retry.access_token, lost.access_token);
		assert.ok(await accessWorks(s, retry.access_token));
		assert.match(s.programLog(), /event=token_refreshed .*retry=1/);
		// The family goes on from the one successor; t1 is then
		// two rotations old, and its use revokes the family.
		const next = assertTokenResponse(await refresh(s, pub,
		    retry.refresh_token));
		assert.ok(await accessWorks(s, next.access_token));
		assertOAuthError(await refresh(s, pub, t1.refresh_token), 400,
		    'invalid_grant', /revoked/);
		assert.ok(!await accessWorks(s, next.access_token));
	});

	it('treats an older token as theft and revokes the family ' +
	    '(OAuth 2.1 §4.3.1)', async () => {
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		const t3 = assertTokenResponse(await refresh(s, pub,
		    t2.refresh_token));
		assert.ok(await accessWorks(s, t3.access_token));
		const res = await refresh(s, pub, t1.refresh_token);
		assertOAuthError(res, 400, 'invalid_grant', /revoked/);
		assertOAuthError(await refresh(s, pub, t3.refresh_token), 400,
		    'invalid_grant');
		for (const t of [t1, t2, t3])
			assert.ok(!await accessWorks(s, t.access_token));
		assert.match(s.programLog(), /event=refresh_reuse /);
	});

	it('narrows the scope, never widens it (RFC 6749 §6)', async () => {
		const t1 = await pair({ scope: 'mcp notes:read' });
		let res = await refresh(s, pub, t1.refresh_token,
		    { scope: 'mcp notes:write' });
		assertOAuthError(res, 400, 'invalid_scope');
		res = await refresh(s, pub, t1.refresh_token,
		    { scope: 'unknown' });
		assertOAuthError(res, 400, 'invalid_scope');
		res = await refresh(s, pub, t1.refresh_token, { scope: 'mcp' });
		const t2 = assertTokenResponse(res, { scope: 'mcp' });
		res = await refresh(s, pub, t2.refresh_token);
		assertTokenResponse(res, { scope: 'mcp notes:read' });
	});

	it('keeps the granted scope for scope=offline_access', async () => {
		const t1 = await pair({ scope: 'mcp notes:read' });
		const res = await refresh(s, pub, t1.refresh_token,
		    { scope: 'offline_access' });
		assertTokenResponse(res, { scope: 'mcp notes:read' });
	});

	it('is bound to the client', async () => {
		const t1 = await pair();
		let res = await refresh(s, { client_id: post.client_id },
		    t1.refresh_token, { client_secret: post.client_secret });
		assertOAuthError(res, 400, 'invalid_grant');
		res = await refresh(s, pub, t1.refresh_token);
		assertTokenResponse(res);
	});

	it('refuses another resource (RFC 8707)', async () => {
		const t1 = await pair();
		const res = await refresh(s, pub, t1.refresh_token,
		    { resource: 'https://other.example/mcp' });
		assertOAuthError(res, 400, 'invalid_target');
	});

	it('refuses an access token as a refresh token', async () => {
		const t1 = await pair();
		assertOAuthError(await refresh(s, pub, t1.access_token), 400,
		    'invalid_grant');
		assertTokenResponse(await refresh(s, pub, t1.refresh_token));
	});

	it('refuses clients without the grant: unauthorized_client',
	    async () => {
		const res = await refresh(s, noref, 'mcprt_x');
		assertOAuthError(res, 400, 'unauthorized_client');
	});

	it('needs the refresh token', async () => {
		const res = await refresh(s, pub, undefined);
		assertOAuthError(res, 400, 'invalid_request', /refresh_token/);
	});

	it('works for confidential clients with their method', async () => {
		const c = await approvedCode(alice, basic);
		const headers = { Authorization: basicHeader(basic.client_id,
		    basic.client_secret) };
		let res = await s.request('POST', '/token', {
			headers,
			form: { grant_type: 'authorization_code', code: c.code,
			    code_verifier: c.verifier,
			    redirect_uri: basic.redirect_uris[0] },
		});
		const t = assertTokenResponse(res);
		res = await s.request('POST', '/token', {
			headers,
			form: { grant_type: 'refresh_token',
			    refresh_token: t.refresh_token },
		});
		assertTokenResponse(res);
	});
});

describe('request errors', () => {
	it('needs grant_type', async () => {
		const res = await s.request('POST', '/token',
		    { form: { client_id: pub.client_id } });
		assertOAuthError(res, 400, 'invalid_request', /grant_type/);
	});

	// The device grant is served (tests/http/device.test.mjs), to
	// the clients that registered it.
	for (const g of ['password', 'client_credentials', 'implicit',
	    'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
		it(`refuses grant_type=${g}`, async () => {
			const res = await s.request('POST', '/token', {
				form: { grant_type: g, client_id: pub.client_id },
			});
			assertOAuthError(res, 400, 'unsupported_grant_type');
			assertNoStore(res);
		});
	}

	it('refuses JSON bodies', async () => {
		const res = await s.request('POST', '/token', {
			json: { grant_type: 'authorization_code' },
		});
		assertOAuthError(res, 400, 'invalid_request',
		    /x-www-form-urlencoded/);
	});

	it('refuses a parameter given twice', async () => {
		const res = await s.request('POST', '/token', {
			body: 'grant_type=refresh_token&grant_type=refresh_token',
			headers: { 'Content-Type':
			    'application/x-www-form-urlencoded' },
		});
		assertOAuthError(res, 400, 'invalid_request', /more than once/);
	});

	it('refuses a body over 16 KiB with 413', async () => {
		const res = await s.request('POST', '/token', {
			form: { grant_type: 'x', pad: 'y'.repeat(17000) },
		});
		assertOAuthError(res, 413, 'invalid_request');
		assertNoStore(res);
	});

	for (const method of ['GET', 'PUT', 'DELETE']) {
		it(`answers ${method} with 405 and Allow`, async () => {
			const res = await s.request(method,
			    '/token?grant_type=authorization_code');
			assertOAuthError(res, 405, 'invalid_request');
			assert.deepEqual(headerValues(res, 'Allow'),
			    ['POST, OPTIONS']);
		});
	}

	it('answers the CORS preflight once per header', async () => {
		const res = await s.request('OPTIONS', '/token', {
			headers: { Origin: 'http://localhost:6274',
			    'Access-Control-Request-Method': 'POST' },
		});
		assert.equal(res.status, 204);
		assert.deepEqual(headerValues(res, 'Access-Control-Allow-Origin'),
		    ['*']);
		assert.deepEqual(headerValues(res,
		    'Access-Control-Allow-Methods'), ['POST, OPTIONS']);
		assert.match(headerValues(res,
		    'Access-Control-Allow-Headers')[0], /Authorization/);
	});

	it('answers 404 below /token', async () => {
		const res = await s.request('POST', '/tokens', { form: {} });
		assert.equal(res.status, 404);
	});
});
