// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp-oauth-admin key generate|rotate|list: the JWT signing
// keys, run against a real database; no command ever shows a private
// key.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';

let s;

before(async () => {
	s = await TestServer.start({ config: 'access_token_format = jwt' });
});

after(async () => {
	await s?.stop();
});

function keys() {
	const r = s.admin(['--json', 'key', 'list']);
	return JSON.parse(r.stdout);
}

describe('mcp-oauth-admin key', () => {
	it('starts with no key, and the JWK Set is empty', async () => {
		assert.deepEqual(keys(), []);
		const res = await s.request('GET', '/.well-known/jwks.json');
		assert.deepEqual(res.json(), { keys: [] });
	});

	it('generates one active key, and only once', () => {
		const r = s.admin(['--json', 'key', 'generate', '--alg', 'EdDSA']);
		const out = JSON.parse(r.stdout);
		assert.equal(out.alg, 'EdDSA');
		assert.equal(out.rotated, false);
		assert.match(out.kid, /^[A-Za-z0-9_-]{16}$/);
		const again = s.admin(['key', 'generate'], { allowFailure: true });
		assert.equal(again.status, 1);
		assert.match(again.stderr, /already exists .*use key rotate/);
		assert.deepEqual(keys().map((k) => [k.kid, k.status]),
		    [[out.kid, 'active']]);
	});

	it('rotates, keeping the algorithm and publishing both keys',
	    async () => {
		const before = keys()[0];
		const r = s.admin(['key', 'rotate']);
		assert.match(r.stdout, /^rotated to signing key [A-Za-z0-9_-]{16} \(EdDSA\); the previous key stays published/);
		const now = keys();
		assert.equal(now.length, 2);
		assert.equal(now.find((k) => k.kid === before.kid).status,
		    'published');
		assert.ok(now.find((k) => k.kid === before.kid).retired > 0);
		assert.equal(now.filter((k) => k.status === 'active').length, 1);
		const jwks = (await s.request('GET', '/.well-known/jwks.json'))
		    .json();
		assert.deepEqual(jwks.keys.map((k) => k.kid).sort(),
		    now.map((k) => k.kid).sort());
		for (const k of jwks.keys) {
			assert.equal(k.kty, 'OKP');
			assert.equal(k.d, undefined);
		}
	});

	it('rotates to another algorithm on request', () => {
		const r = s.admin(['--json', 'key', 'rotate', '--alg', 'RS256']);
		assert.equal(JSON.parse(r.stdout).alg, 'RS256');
	});

	it('refuses unknown algorithms and bad usage', () => {
		for (const args of [['key', 'rotate', '--alg', 'HS256'],
		    ['key', 'generate', '--alg', 'none'], ['key', 'nope'],
		    ['key']]) {
			const r = s.admin(args, { allowFailure: true });
			assert.equal(r.status, 2, args.join(' '));
			assert.match(r.stderr, /usage: mcp-oauth-admin/);
		}
	});

	it('never prints a private key', () => {
		for (const args of [['key', 'list'], ['--json', 'key', 'list']]) {
			const r = s.admin(args);
			assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY|"d":/);
		}
	});
});
