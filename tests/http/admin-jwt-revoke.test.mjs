// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp-oauth-admin revoke --token with access_token_format = jwt: a JWT
// access token is stored, like an opaque one, under the SHA-256 of the
// whole token (the key /mcp's bearer check looks up), so the tool must
// take a token of a JWT's length, on the command line or on standard
// input, and revoke it alone, as /revoke does.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { Person, obtainTokens, refresh, register } from '../lib/oauth.mjs';
import { mcpPingStatus } from '../lib/checks.mjs';

const PW = 'jwt-revoke-Pw-5821';
let s;

before(async () => {
	s = await TestServer.start({
		config: 'access_token_format = jwt',
		users: [{ name: 'alice', password: PW }],
	});
	s.admin(['key', 'generate', '--alg', 'EdDSA']);
});

after(async () => {
	await s?.stop();
});

function admin(args, opts = {}) {
	return s.admin(args, { allowFailure: true, ...opts });
}

function mcpStatus(token) {
	return mcpPingStatus(s, token);
}

async function jwtTokens() {
	const client = await register(s);
	const t = await obtainTokens(s, new Person(s, 'alice', PW), client,
	    { scope: 'mcp' });
	assert.equal(t.access_token.split('.').length, 3, 'a JWT');
	assert.ok(t.access_token.length > 66, 'longer than an opaque token');
	assert.equal(await mcpStatus(t.access_token), 200);
	return { client, t };
}

describe('revoke --token with JWT access tokens', () => {
	it('revokes a JWT access token given on the command line, and it ' +
	    'alone', async () => {
		const { client, t } = await jwtTokens();
		const r = admin(['--json', 'revoke', '--token', t.access_token]);
		assert.equal(r.status, 0, r.stderr);
		assert.deepEqual(JSON.parse(r.stdout), {
			grants: 0, access_tokens: 1, refresh_tokens: 0,
			codes: 0, sessions: 0, token_kind: 'access',
		});
		assert.equal(await mcpStatus(t.access_token), 401);
		// The grant lives on: its refresh token still works.
		const res = await refresh(s, client, t.refresh_token);
		assert.equal(res.status, 200, res.body);
		assert.equal(await mcpStatus(res.json().access_token), 200);
	});

	it('revokes a JWT access token read from standard input', async () => {
		const { t } = await jwtTokens();
		const r = admin(['revoke', '--token', '-'],
		    { input: t.access_token + '\n' });
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^revoked the access token: 0 grants, 1 access token, 0 refresh tokens, 0 codes, 0 sign-in sessions\n$/);
		assert.equal(await mcpStatus(t.access_token), 401);
		const again = admin(['revoke', '--token', '-'],
		    { input: t.access_token + '\n' });
		assert.equal(again.status, 1);
		assert.match(again.stderr, /no such token: it is unknown, expired and purged, or already revoked/);
	});

	it('refuses a token longer than any access token the server ' +
	    'accepts, saying so', () => {
		const long = 'x'.repeat(5000);
		for (const r of [admin(['revoke', '--token', long]),
		    admin(['revoke', '--token', '-'], { input: long + '\n' })]) {
			assert.equal(r.status, 1);
			assert.match(r.stderr, /^mcp-oauth-admin: no such token: it is longer than \d+ bytes, the most an access token may have\n$/);
		}
	});
});
