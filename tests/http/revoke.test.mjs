// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// revoke.fcgi: RFC 7009 token revocation: the
// same client authentication as /token, a refresh token takes its
// grant, an access token only itself, and unknown, repeated or foreign
// tokens answer 200 and change nothing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { accessWorks, approvedCode, assertCors, assertNoStore,
    assertOAuthError, assertTokenResponse } from '../lib/checks.mjs';
import { Person, exchange, refresh, register } from '../lib/oauth.mjs';

const PW = 'revoke-Pw-5555';
let s;
let alice;
let pub;
let other;
let basic;

before(async () => {
	s = await TestServer.start({ users: [{ name: 'alice', password: PW }] });
	alice = new Person(s, 'alice', PW);
	pub = await register(s);
	other = await register(s);
	basic = await register(s, {
		redirect_uris: ['https://basic.example/cb'],
		token_endpoint_auth_method: 'client_secret_basic',
		grant_types: ['authorization_code', 'refresh_token'],
	});
});

after(async () => {
	await s?.stop();
});

async function pair(client = pub, extra = {}) {
	const c = await approvedCode(alice, client);
	return assertTokenResponse(await exchange(s, client, c.code,
	    c.verifier, extra));
}

function revoke(form, headers = {}) {
	return s.request('POST', '/revoke', { form, headers });
}

function assertRevoked(res) {
	assert.equal(res.status, 200, res.body);
	assert.equal(res.body, '');
	assertNoStore(res);
	assertCors(res);
}

describe('revocation (RFC 7009)', () => {
	it('a refresh token takes its whole grant with it', async () => {
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		assertRevoked(await revoke({ token: t2.refresh_token,
		    token_type_hint: 'refresh_token', client_id: pub.client_id }));
		assertOAuthError(await refresh(s, pub, t2.refresh_token), 400,
		    'invalid_grant');
		assert.ok(!await accessWorks(s, t1.access_token));
		assert.ok(!await accessWorks(s, t2.access_token));
		assert.match(s.programLog(),
		    /event=token_revoked client="mcpc_[^"]+" grants=1 access_tokens=2 refresh_tokens=2/);
	});

	it('an access token is revoked alone', async () => {
		const t = await pair();
		assert.ok(await accessWorks(s, t.access_token));
		assertRevoked(await revoke({ token: t.access_token,
		    token_type_hint: 'access_token', client_id: pub.client_id }));
		assert.ok(!await accessWorks(s, t.access_token));
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t.refresh_token));
		assert.ok(await accessWorks(s, t2.access_token));
	});

	it('the hint is only a hint', async () => {
		const t = await pair();
		assertRevoked(await revoke({ token: t.refresh_token,
		    token_type_hint: 'access_token', client_id: pub.client_id }));
		assertOAuthError(await refresh(s, pub, t.refresh_token), 400,
		    'invalid_grant');
	});

	it('unknown and already revoked tokens answer 200', async () => {
		const t = await pair();
		for (let i = 0; i < 2; i++)
			assertRevoked(await revoke({ token: t.refresh_token,
			    client_id: pub.client_id }));
		assertRevoked(await revoke({ token: 'mcprt_nothing',
		    client_id: pub.client_id }));
		assertRevoked(await revoke({ token: 'x'.repeat(5000),
		    client_id: pub.client_id }));
	});

	it('another client\'s token answers 200 and stays valid', async () => {
		const t = await pair();
		assertRevoked(await revoke({ token: t.refresh_token,
		    client_id: other.client_id }));
		assertRevoked(await revoke({ token: t.access_token,
		    client_id: other.client_id }));
		assert.ok(await accessWorks(s, t.access_token));
		assertTokenResponse(await refresh(s, pub, t.refresh_token));
	});

	it('a confidential client authenticates as at /token', async () => {
		const c = await approvedCode(alice, basic);
		const auth = 'Basic ' + Buffer.from(`${basic.client_id}:` +
		    basic.client_secret).toString('base64');
		const tok = assertTokenResponse(await s.request('POST', '/token', {
			headers: { Authorization: auth },
			form: { grant_type: 'authorization_code', code: c.code,
			    code_verifier: c.verifier,
			    redirect_uri: basic.redirect_uris[0] },
		}));
		let res = await revoke({ token: tok.refresh_token },
		    { Authorization: 'Basic ' + Buffer.from(
		    `${basic.client_id}:mcpcs_wrong`).toString('base64') });
		assertOAuthError(res, 401, 'invalid_client');
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'),
		    ['Basic realm="mcp-oauth"']);
		res = await revoke({ token: tok.refresh_token,
		    client_id: basic.client_id });
		assertOAuthError(res, 401, 'invalid_client');
		res = await revoke({ token: tok.refresh_token },
		    { Authorization: auth });
		assertRevoked(res);
		res = await s.request('POST', '/token', {
			headers: { Authorization: auth },
			form: { grant_type: 'refresh_token',
			    refresh_token: tok.refresh_token },
		});
		assertOAuthError(res, 400, 'invalid_grant');
	});
});

describe('revocation errors', () => {
	it('needs the token', async () => {
		const res = await revoke({ client_id: pub.client_id });
		assertOAuthError(res, 400, 'invalid_request', /token/);
		assertNoStore(res);
		assertCors(res);
	});

	it('needs client authentication', async () => {
		let res = await revoke({ token: 'mcprt_x' });
		assertOAuthError(res, 401, 'invalid_client');
		res = await revoke({ token: 'mcprt_x',
		    client_id: 'mcpc_nobodynobodynobody' });
		assertOAuthError(res, 401, 'invalid_client');
	});

	it('refuses JSON', async () => {
		const res = await s.request('POST', '/revoke',
		    { json: { token: 'x' } });
		assertOAuthError(res, 400, 'invalid_request');
	});

	for (const method of ['GET', 'PUT']) {
		it(`answers ${method} with 405`, async () => {
			const res = await s.request(method, '/revoke');
			assertOAuthError(res, 405, 'invalid_request');
			assert.deepEqual(headerValues(res, 'Allow'),
			    ['POST, OPTIONS']);
			assertCors(res);
		});
	}

	it('answers the preflight', async () => {
		const res = await s.request('OPTIONS', '/revoke', {
			headers: { Origin: 'http://localhost:6274',
			    'Access-Control-Request-Method': 'POST' },
		});
		assert.equal(res.status, 204);
		assert.deepEqual(headerValues(res, 'Access-Control-Allow-Origin'),
		    ['*']);
	});

	it('logs no token', () => {
		const log = s.programLog();
		assert.doesNotMatch(log, /mcp[ar]t_[A-Za-z0-9_-]{20}/);
		assert.ok(!log.includes(basic.client_secret));
	});
});
