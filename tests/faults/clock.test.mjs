// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The exact second (clock edge cases), end to end: every
// lifetime ends at created + lifetime, the last good second being one
// before.  The unit tests check each record's rule (test_grant.c,
// test_bearer.c, test_session.c, test_ratelimit.c); here the real
// programs run as CGI under a clock we set (tests/lib/fakeclock.mjs),
// so the same holds for what a client and a browser see: the pending
// authorization request, the sign-in session, the code, the access
// token (whose expires_in must say the same) and the refresh token.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CgiSite, mcpCgiRequest } from '../lib/cgi.mjs';
import { buildFakeClock, fakeClockEnv } from '../lib/fakeclock.mjs';
import { formField, pkce } from '../lib/oauth.mjs';

const T0 = 1900000000;
const PW = 'clock-Pw-11235';
const LIFE = { pending: 60, session: 60, code: 60, access: 120,
    refresh: 300 };
let site;
let lib;
let client;

before(() => {
	site = new CgiSite({ config: [
		`pending_lifetime = ${LIFE.pending}`,
		`session_lifetime = ${LIFE.session}`,
		`code_lifetime = ${LIFE.code}`,
		`access_token_lifetime = ${LIFE.access}`,
		`refresh_token_lifetime = ${LIFE.refresh}`,
	].join('\n') });
	lib = buildFakeClock(site.dir);
	site.admin(['user', 'add', 'alice', '--password-stdin'],
	    { input: `${PW}\n` });
	client = JSON.parse(site.admin(['--json', 'client', 'add', '--name',
	    'Clock client', '--redirect-uri', 'http://127.0.0.1/callback'])
	    .stdout);
});

after(() => {
	site?.cleanup();
});

// Runs a program at Unix time at.
function runAt(at, program, options = {}) {
	return site.run(program, { ...options,
	    env: { ...options.env, ...fakeClockEnv(lib, { at }) } });
}

// A browser's cookies: what Set-Cookie gave, as a Cookie header.
function take(jar, res) {
	for (const h of res.header('Set-Cookie')) {
		const [pair] = h.split(';');
		const eq = pair.indexOf('=');
		jar.set(pair.slice(0, eq), pair.slice(eq + 1));
	}
}

function cookieHeader(jar) {
	return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

// A browser: its cookies, and the authorization request it started.
function startAt(at, jar = new Map()) {
	const { verifier, challenge } = pkce();
	const page = runAt(at, 'authorize.fcgi', {
		target: '/authorize?' + new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			state: 'clock',
			code_challenge: challenge,
			code_challenge_method: 'S256',
		}),
		headers: { Cookie: cookieHeader(jar) },
	});
	take(jar, page);
	return { page, verifier, jar };
}

function postAt(at, b, form) {
	const res = runAt(at, 'authorize.fcgi', {
		method: 'POST',
		target: '/authorize',
		headers: { Cookie: cookieHeader(b.jar) },
		body: new URLSearchParams({
			request: formField(b.page.body, 'request'),
			csrf: formField(b.page.body, 'csrf'),
			...form,
		}).toString(),
	});
	take(b.jar, res);
	return res;
}

function loginAt(at, b) {
	return postAt(at, b, { action: 'login', username: 'alice',
	    password: PW });
}

// Signs in and approves, all at at: { code, verifier, jar }.
function codeAt(at) {
	const b = startAt(at);
	assert.match(b.page.body, /<h1>Sign in<\/h1>/);
	const login = loginAt(at, b);
	assert.equal(login.status, 303, login.body);
	const next = startAt(at, b.jar);
	let res = next.page;
	if (res.status !== 302) {
		assert.match(res.body, /<h1>Allow access\?<\/h1>/);
		res = postAt(at, next, { action: 'approve' });
	}
	assert.equal(res.status, 302, res.body);
	const code = new URL(res.header('Location')[0]).searchParams
	    .get('code');
	return { code, verifier: next.verifier, jar: b.jar };
}

function tokenAt(at, form) {
	return runAt(at, 'token.fcgi', {
		method: 'POST',
		target: '/token',
		body: new URLSearchParams({ client_id: client.client_id,
		    ...form }).toString(),
	});
}

function exchangeAt(at, c) {
	return tokenAt(at, { grant_type: 'authorization_code', code: c.code,
	    code_verifier: c.verifier });
}

function mcpAt(at, token) {
	return runAt(at, 'mcp.fcgi', mcpCgiRequest(token, 'tools/list'));
}

describe('at the exact second', () => {
	it('a pending authorization request lives pending_lifetime - 1 s',
	    () => {
		const a = startAt(T0);
		const last = loginAt(T0 + LIFE.pending - 1, a);
		assert.equal(last.status, 303, last.body);
		const b = startAt(T0);
		const gone = loginAt(T0 + LIFE.pending, b);
		assert.equal(gone.status, 400);
		assert.match(gone.body, /This page has expired/);
	});

	it('a sign-in session lives session_lifetime - 1 s', () => {
		const b = startAt(T0);
		assert.equal(loginAt(T0, b).status, 303);
		const last = startAt(T0 + LIFE.session - 1, b.jar).page;
		assert.equal(last.status, 200);
		assert.match(last.body, /<h1>Allow access\?<\/h1>/);
		const gone = startAt(T0 + LIFE.session, b.jar).page;
		assert.equal(gone.status, 200);
		assert.match(gone.body, /<h1>Sign in<\/h1>/);
	});

	it('a code lives code_lifetime - 1 s', () => {
		const last = exchangeAt(T0 + LIFE.code - 1, codeAt(T0));
		assert.equal(last.status, 200, last.body);
		const gone = exchangeAt(T0 + LIFE.code, codeAt(T0));
		assert.equal(gone.status, 400, gone.body);
		assert.equal(gone.json().error, 'invalid_grant');
	});

	it('an access token lives expires_in - 1 s', () => {
		const t = exchangeAt(T0, codeAt(T0)).json();
		assert.equal(t.expires_in, LIFE.access);
		const last = mcpAt(T0 + t.expires_in - 1, t.access_token);
		assert.equal(last.status, 200, last.body);
		const gone = mcpAt(T0 + t.expires_in, t.access_token);
		assert.equal(gone.status, 401);
		assert.match(gone.header('WWW-Authenticate')[0],
		    /^Bearer error="invalid_token"/);
	});

	it('a refresh token lives refresh_token_lifetime - 1 s', () => {
		const a = exchangeAt(T0, codeAt(T0)).json();
		const last = tokenAt(T0 + LIFE.refresh - 1, { grant_type:
		    'refresh_token', refresh_token: a.refresh_token });
		assert.equal(last.status, 200, last.body);
		const b = exchangeAt(T0, codeAt(T0)).json();
		const gone = tokenAt(T0 + LIFE.refresh, { grant_type:
		    'refresh_token', refresh_token: b.refresh_token });
		assert.equal(gone.status, 400, gone.body);
		assert.equal(gone.json().error, 'invalid_grant');
	});
});
