// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp-oauth-admin user passwd: a password change ends the user's
// sign-in sessions (whoever holds a session cookie must sign in again,
// with the new password), and keeps her grants unless
// --revoke-grants says otherwise.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import {
	Person, authorizeQuery, obtainTokens, pkce, refresh, register,
} from '../lib/oauth.mjs';
import { mcpPingStatus } from '../lib/checks.mjs';

const PW = 'passwd-Pw-4417';
let s;

before(async () => {
	s = await TestServer.start({
		users: [{ name: 'alice', password: PW },
		    { name: 'bob', password: PW }],
	});
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

// Whether the person's browser is still signed in: /authorize shows
// the sign-in page only to a browser without a live session.
async function signedIn(person, client) {
	const { challenge } = pkce();
	const page = await person.get(authorizeQuery(client, {
		code_challenge: challenge,
		code_challenge_method: 'S256',
		prompt: 'consent',
	}));
	assert.equal(page.status, 200, page.body.slice(0, 300));
	return !page.body.includes('<h1>Sign in</h1>');
}

describe('user passwd', () => {
	let client;

	before(async () => {
		client = await register(s);
	});

	it('ends her sign-in sessions and keeps her grants', async () => {
		const alice = new Person(s, 'alice', PW);
		const bob = new Person(s, 'bob', PW);
		const t = await obtainTokens(s, alice, client);
		await obtainTokens(s, bob, client);
		assert.equal(await signedIn(alice, client), true);
		const NEW = 'passwd-New-Pw-8830';
		const r = admin(['--json', 'user', 'passwd', 'alice',
		    '--password-stdin'], { input: NEW + '\n' });
		assert.equal(r.status, 0, r.stderr);
		// The stolen cookie no longer signs anyone in.
		assert.equal(await signedIn(alice, client), false);
		assert.deepEqual(JSON.parse(r.stdout),
		    { user: 'alice', password_changed: true, sessions: 1 });
		// Other people's sessions are not hers.
		assert.equal(await signedIn(bob, client), true);
		// Her grant lives on: the access and refresh tokens work.
		assert.equal(await mcpStatus(t.access_token), 200);
		const res = await refresh(s, client, t.refresh_token);
		assert.equal(res.status, 200, res.body);
		// She signs in with the new password.
		alice.password = NEW;
		await obtainTokens(s, alice, client);
		assert.equal(await signedIn(alice, client), true);
	});

	it('--revoke-grants revokes her grants with the sessions',
	    async () => {
		const NEW = 'passwd-New-Pw-8830';
		const alice = new Person(s, 'alice', NEW);
		const t = await obtainTokens(s, alice, client);
		assert.equal(await mcpStatus(t.access_token), 200);
		const r = admin(['user', 'passwd', 'alice', '--password-stdin',
		    '--revoke-grants'], { input: 'passwd-Third-Pw-1177\n' });
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^changed password of alice; revoked [1-9]\d* grants?, \d+ access tokens?, \d+ refresh tokens?, \d+ codes?, [1-9]\d* sign-in sessions?\n$/);
		assert.equal(await signedIn(alice, client), false);
		assert.equal(await mcpStatus(t.access_token), 401);
		const res = await refresh(s, client, t.refresh_token);
		assert.equal(res.status, 400, res.body);
		assert.equal(res.json().error, 'invalid_grant');
	});

	it('says how many sessions ended, in text', () => {
		const r = admin(['user', 'passwd', 'bob', '--password-stdin'],
		    { input: 'passwd-Bob-Pw-2290\n' });
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout,
		    'changed password of bob; ended 1 sign-in session\n');
	});

	it('refuses unknown arguments and options of other commands', () => {
		for (const args of [
			['user', 'passwd', 'bob', '--revoke'],
			['user', 'add', 'carol', '--revoke-grants'],
			['user', 'passwd', '--revoke-grants'],
		]) {
			const r = admin(args, { input: 'x\n' });
			assert.equal(r.status, 2, args.join(' '));
		}
	});
});
