// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Failed sign-ins throttled per user name and per client IP: a 429
// page, a log line, and an error that does not reveal whether the user
// exists, with
// login_max_failures = 3 and login_lockout = 10m.  The window starts at
// the first failure and no test waits for it to end: ten minutes is
// far longer than the whole file takes, even under valgrind, so a slow
// machine cannot see a lockout lapse in the middle of a test.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { Person, register } from '../lib/oauth.mjs';

const CONFIG = 'login_max_failures = 3\nlogin_lockout = 10m';
const LOCKOUT = 600;
const PASSWORDS = {
	alice: 'alice-Right-Pw-1',
	bob: 'bob-Right-Pw-2',
	erin: 'erin-Right-Pw-3',
};

// The 429 page's message: the wait of its Retry-After, in whole
// minutes rounded up.  The wait is checked to be within the lockout.
function throttledMessage(res) {
	const retry = Number(headerValues(res, 'Retry-After')[0]);
	assert.ok(retry >= 1 && retry <= LOCKOUT, String(retry));
	const minutes = Math.ceil(retry / 60);
	return `Too many failed sign-ins. Try again in ${minutes} ` +
	    `minute${minutes === 1 ? '' : 's'}.`;
}

function message(res) {
	const m = res.body.match(/<p class="error" role="alert">([^<]*)<\/p>/);
	assert.ok(m, res.body.slice(0, 800));
	return m[1];
}

// A server with CONFIG and users, and a public client registered.
async function start(users) {
	const s = await TestServer.start({ config: CONFIG, users });
	return { s, client: await register(s) };
}

async function attempt(s, client, name, password) {
	const p = new Person(s, name, password);
	const page = await p.get('/authorize?' + new URLSearchParams({
		response_type: 'code',
		client_id: client.client_id,
		code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
		code_challenge_method: 'S256',
	}));
	assertHtmlPage(page, 200);
	return p.login(page);
}

describe('per user name', () => {
	let s;
	let client;

	before(async () => {
		({ s, client } = await start(Object.entries(PASSWORDS)
		    .map(([name, password]) => ({ name, password }))));
	});

	after(async () => {
		await s?.stop();
	});

	it('locks a user out after three failures, even with the right ' +
	    'password', async () => {
		for (let i = 0; i < 3; i++) {
			const res = await attempt(s, client, 'alice', `wrong-${i}`);
			assertHtmlPage(res, 403);
			assert.equal(message(res), 'Wrong user name or password.');
		}
		const res = await attempt(s, client, 'alice', PASSWORDS.alice);
		assertHtmlPage(res, 429);
		assert.equal(message(res), throttledMessage(res));
		assert.deepEqual(headerValues(res, 'Set-Cookie').filter((h) =>
		    h.includes('mcp_session')), []);
		assert.match(res.body, /<h1>Sign in<\/h1>/);
	});

	it('treats an unknown user exactly like a known one', async () => {
		const texts = [];
		for (let i = 0; i < 3; i++) {
			const res = await attempt(s, client, 'ghost', `wrong-${i}`);
			assertHtmlPage(res, 403);
			texts.push(message(res));
		}
		const res = await attempt(s, client, 'ghost', 'anything');
		assertHtmlPage(res, 429);
		texts.push(message(res));
		assert.deepEqual(texts, [
			'Wrong user name or password.',
			'Wrong user name or password.',
			'Wrong user name or password.',
			throttledMessage(res),
		]);
	});

	it('does not lock out other users', async () => {
		const res = await attempt(s, client, 'bob', PASSWORDS.bob);
		assert.equal(res.status, 303, res.body.slice(0, 500));
	});

	it('starts counting again after a good sign-in', async () => {
		for (let i = 0; i < 2; i++)
			assertHtmlPage(await attempt(s, client, 'erin', 'x'), 403);
		assert.equal((await attempt(s, client, 'erin',
		    PASSWORDS.erin)).status, 303);
		for (let i = 0; i < 3; i++)
			assertHtmlPage(await attempt(s, client, 'erin', 'x'), 403);
		assertHtmlPage(await attempt(s, client, 'erin', 'x'), 429);
	});

	it('logs failures and throttling, never a password', () => {
		const log = s.programLog();
		assert.match(log, /event=login_failed user="alice" client="mcpc_[^"]+" ip="127\.0\.0\.1"/);
		assert.match(log, /event=login_throttled user="alice" /);
		assert.match(log, /event=login_failed user="ghost" /);
		assert.match(log, /event=login_throttled user="ghost" /);
		for (const pw of [...Object.values(PASSWORDS), 'wrong-0',
		    'wrong-2'])
			assert.ok(!log.includes(pw), 'a password is in the log');
	});
});

describe('per client IP', () => {
	let s;
	let client;

	before(async () => {
		({ s, client } = await start([{ name: 'alice',
		    password: PASSWORDS.alice }]));
	});

	after(async () => {
		await s?.stop();
	});

	it('locks the address out after four times the per-user limit',
	    async () => {
		// Twelve failures over six names: no name reaches three.
		for (let i = 0; i < 12; i++) {
			const res = await attempt(s, client, `user${i % 6}`, 'x');
			assertHtmlPage(res, 403);
		}
		const res = await attempt(s, client, 'alice', PASSWORDS.alice);
		assertHtmlPage(res, 429);
		assert.match(message(res), /Too many failed sign-ins/);
		assert.match(s.programLog(), /event=login_throttled user="alice" /);
	});
});

// Each attempt is counted in the same write transaction as its check,
// before the password is verified: attempts sent at the same moment to
// several processes cannot all pass the check before any is counted.
describe('attempts in parallel', () => {
	let s;
	let client;

	before(async () => {
		({ s, client } = await start([{ name: 'dave',
		    password: 'dave-Right-Pw-4' }]));
	});

	after(async () => {
		await s?.stop();
	});

	it('checks no more passwords than login_max_failures', async () => {
		const people = [];
		const pages = [];
		for (let i = 0; i < 10; i++) {
			const p = new Person(s, 'dave', `wrong-${i}`);
			const page = await p.get('/authorize?' +
			    new URLSearchParams({
				response_type: 'code',
				client_id: client.client_id,
				code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8' +
				    'URWbuGJSstw-cM',
				code_challenge_method: 'S256',
			    }));
			assertHtmlPage(page, 200);
			people.push(p);
			pages.push(page);
		}
		const results = await Promise.all(people.map((p, i) =>
		    p.login(pages[i])));
		const statuses = results.map((r) => r.status).sort();
		assert.deepEqual(statuses, [403, 403, 403, 429, 429, 429, 429,
		    429, 429, 429]);
		const log = s.programLog();
		assert.equal(log.match(/event=login_failed user="dave"/g)
		    ?.length, 3, log);
	});
});

describe('good sign-ins from a busy address', () => {
	let s;
	let client;

	before(async () => {
		({ s, client } = await start([{ name: 'alice',
		    password: PASSWORDS.alice }]));
	});

	after(async () => {
		await s?.stop();
	});

	it('count only the failures against the address', async () => {
		// Eleven failures over six names (none reaches three), then
		// good sign-ins: each is counted before its password is
		// checked and takes its count back, so the address still has
		// room for exactly one more failure of its twelve.
		for (let i = 0; i < 11; i++)
			assertHtmlPage(await attempt(s, client, `user${i % 6}`,
			    'x'), 403);
		for (let i = 0; i < 3; i++) {
			const res = await attempt(s, client, 'alice',
			    PASSWORDS.alice);
			assert.equal(res.status, 303, res.body.slice(0, 500));
		}
		assertHtmlPage(await attempt(s, client, 'user5', 'x'), 403);
		assertHtmlPage(await attempt(s, client, 'alice',
		    PASSWORDS.alice), 429);
	});
});
