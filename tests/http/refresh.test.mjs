// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The refresh-token lifecycle seen from outside (RFC 9700 section
// 4.14.2, OAuth 2.1 section 4.3.1), with the FastCGI programs behind
// the web server, several processes each, under a clock the tests move
// (tests/lib/fakeclock.mjs):
//
//  - a retry with the rotated-out token inside refresh_retry_window
//    gets the same successor and a working access token;
//  - refreshes sent at once with one token end on one successor, and
//    the grant lives on;
//  - the rotated-out token after the window, or any older token,
//    revokes the family;
//  - a rotated-out token revoked at /revoke takes its grant;
//  - a copy of the database holds no token that works;
//  - refresh_rate_limit answers 429 with Retry-After, per grant;
//  - grant_lifetime ends refreshing, and the consent page says when;
//  - a rotation keeps few bytes, and the purge frees the rest.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, afterEach, before, describe, it } from 'node:test';

import { FakeClock } from '../lib/fakeclock.mjs';
import { TestServer, headerValues } from '../lib/harness.mjs';
import { accessWorks, approvedCode, assertOAuthError,
    assertTokenResponse, signInTo, startAuthorization } from
    '../lib/checks.mjs';
import { Person, exchange, refresh, register } from '../lib/oauth.mjs';

const PW = 'refresh-Pw-24680';
const WINDOW = 60;
const RATE = 12;
const GRANT_LIFETIME = 7200;

let clock;
let s;
let alice;
let pub;

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({
		config: [
			`refresh_retry_window = ${WINDOW}s`,
			`refresh_rate_limit = ${RATE}`,
			`grant_lifetime = ${GRANT_LIFETIME}s`,
		].join('\n'),
		users: [{ name: 'alice', password: PW }],
		procs: 4,
		env: clock.env(),
	});
	alice = new Person(s, 'alice', PW);
	pub = await register(s);
});

afterEach(() => {
	clock.real();
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

async function pair(params = {}) {
	const c = await approvedCode(alice, pub, params);
	return assertTokenResponse(await exchange(s, pub, c.code, c.verifier));
}

// A time a little after now; the clock stands still there.
function frozenNow() {
	const t = Math.floor(Date.now() / 1000) + 5;
	clock.freeze(t);
	return t;
}

describe('retries and concurrent refreshes converge (refresh_retry_window)',
    () => {
	it('a client that lost a refresh response retries inside the window ' +
	    'and gets the same successor', async () => {
		const t0 = frozenNow();
		const t1 = await pair();
		const lost = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		clock.freeze(t0 + WINDOW - 1);
		const retry = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		assert.equal(retry.refresh_token, lost.refresh_token);
		assert.notEqual(retry.access_token, lost.access_token);
		assert.ok(await accessWorks(s, retry.access_token));
		assert.ok(await accessWorks(s, lost.access_token));
		const next = assertTokenResponse(await refresh(s, pub,
		    retry.refresh_token));
		assert.ok(await accessWorks(s, next.access_token));
	});

	it('ten refreshes at once with one token give one successor and a ' +
	    'live grant', async () => {
		const t1 = await pair();
		const answers = await Promise.all(Array.from({ length: 10 },
		    () => refresh(s, pub, t1.refresh_token)));
		const tokens = answers.map((r) => assertTokenResponse(r));
		const successors = new Set(tokens.map((t) => t.refresh_token));
		assert.equal(successors.size, 1, 'one line of the family');
		assert.equal(new Set(tokens.map((t) => t.access_token)).size, 10);
		for (const t of tokens)
			assert.ok(await accessWorks(s, t.access_token));
		const next = assertTokenResponse(await refresh(s, pub,
		    tokens[0].refresh_token));
		assert.ok(await accessWorks(s, next.access_token));
		assert.ok(await accessWorks(s, tokens[9].access_token),
		    'the grant is alive');
	});
});

describe('reuse revokes the family (RFC 9700 §4.14.2)', () => {
	it('revokes on the rotated-out token after the window', async () => {
		const mark = s.logMark();
		const t0 = frozenNow();
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		clock.freeze(t0 + WINDOW);
		assertOAuthError(await refresh(s, pub, t1.refresh_token), 400,
		    'invalid_grant', /revoked/);
		assert.ok(!await accessWorks(s, t2.access_token));
		assertOAuthError(await refresh(s, pub, t2.refresh_token), 400,
		    'invalid_grant');
		assert.match(s.programLogSince(mark), /event=refresh_reuse /);
	});

	it('revokes on an older token, even inside the window', async () => {
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		const t3 = assertTokenResponse(await refresh(s, pub,
		    t2.refresh_token));
		assertOAuthError(await refresh(s, pub, t1.refresh_token), 400,
		    'invalid_grant', /revoked/);
		assert.ok(!await accessWorks(s, t3.access_token));
		assertOAuthError(await refresh(s, pub, t3.refresh_token), 400,
		    'invalid_grant');
	});
});

describe('revocation of a rotated-out token (RFC 7009)', () => {
	it('takes its grant, as the current one would; not another ' +
	    'client\'s', async () => {
		const other = await register(s);
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		let res = await s.request('POST', '/revoke', { form: {
		    token: t1.refresh_token, client_id: other.client_id } });
		assert.equal(res.status, 200);
		assert.ok(await accessWorks(s, t2.access_token));
		res = await s.request('POST', '/revoke', { form: {
		    token: t1.refresh_token, client_id: pub.client_id } });
		assert.equal(res.status, 200);
		assert.ok(!await accessWorks(s, t2.access_token));
		assertOAuthError(await refresh(s, pub, t2.refresh_token), 400,
		    'invalid_grant');
	});
});

// Every record of every database, keys and values, as bytes.
function dumpDatabase(dir) {
	const r = spawnSync('mdb_dump', ['-a', dir], { encoding: 'utf8',
	    maxBuffer: 64 * 1024 * 1024 });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.split('\n').filter((l) => /^ [0-9a-f]*$/.test(l))
	    .map((l) => Buffer.from(l.slice(1), 'hex'));
}

const B64URL = /[A-Za-z0-9_-]{32,}/g;

describe('a copy of the database', () => {
	it('yields no working token after rotations and retries', async () => {
		const t1 = await pair();
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		const again = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		assert.equal(again.refresh_token, t2.refresh_token);
		const issued = [t1, t2, again].flatMap((t) =>
		    [t.access_token, t.refresh_token]);
		const records = dumpDatabase(s.dbDir);
		assert.ok(records.length > 20);
		// No token, no token's body, no token's raw bytes anywhere.
		const needles = issued.flatMap((tok) => {
			const body = tok.slice(6);
			return [Buffer.from(body), Buffer.from(body, 'base64url')];
		});
		for (const rec of records)
			for (const n of needles)
				assert.equal(rec.indexOf(n), -1);
		// Every token-shaped string and every 32-byte run, as a
		// token of each kind, works neither at /token nor at /mcp.
		const candidates = new Set();
		for (const rec of records) {
			for (const m of rec.toString('latin1').match(B64URL) ?? [])
				candidates.add(m);
			for (let i = 0; i + 32 <= rec.length; i++)
				candidates.add(rec.subarray(i, i + 32)
				    .toString('base64url'));
		}
		const issuedSet = new Set(issued);
		let tried = 0;
		for (const c of candidates) {
			const forms = [c, `mcprt_${c}`, `mcpat_${c}`];
			for (const f of forms)
				assert.ok(!issuedSet.has(f), 'an issued token');
		}
		// The text ones go to the server too (the binary runs are
		// too many to send, and are shown above not to be tokens).
		for (const rec of records)
			for (const m of rec.toString('latin1').match(B64URL) ?? [])
				for (const f of [m, `mcprt_${m.slice(-43)}`]) {
					const res = await refresh(s, pub, f);
					assert.equal(res.status, 400, f);
					assert.ok(!await accessWorks(s, f));
					tried++;
				}
		assert.ok(tried > 0);
		// The family is untouched: the real successor works.
		assertTokenResponse(await refresh(s, pub, t2.refresh_token));
	});
});

describe('refresh_rate_limit', () => {
	it('answers 429 with Retry-After over the limit, per grant, and ' +
	    'the token stays valid', async () => {
		const t0 = frozenNow();
		const mark = s.logMark();
		let t = await pair();
		// Other scopes: a grant of the same scopes would replace t's.
		const other = await pair({ scope: 'notes:read' });
		for (let i = 0; i < RATE; i++)
			t = assertTokenResponse(await refresh(s, pub,
			    t.refresh_token));
		const res = await refresh(s, pub, t.refresh_token);
		assertOAuthError(res, 429, 'too_many_requests',
		    /try again in \d+ seconds/);
		const wait = Number(headerValues(res, 'Retry-After')[0]);
		assert.ok(wait > 0 && wait <= 3600, String(wait));
		assert.match(s.programLogSince(mark),
		    /event=refresh_throttled /);
		// Another grant of the same client and user is not held up.
		assertTokenResponse(await refresh(s, pub, other.refresh_token));
		// Once the window is over, the same token works.
		clock.freeze(t0 + wait);
		const next = assertTokenResponse(await refresh(s, pub,
		    t.refresh_token));
		assert.ok(await accessWorks(s, next.access_token));
	});
});

describe('grant_lifetime', () => {
	it('the consent page says when the approval ends', async () => {
		const t0 = frozenNow();
		const p = new Person(s, 'alice', PW);
		const page = await signInTo(p, startAuthorization(pub).path);
		const end = new Date((t0 + GRANT_LIFETIME) * 1000);
		const day = `${end.getUTCDate()} ` + end.toLocaleString('en-GB',
		    { month: 'long', timeZone: 'UTC' }) +
		    ` ${end.getUTCFullYear()}`;
		assert.match(page.body, new RegExp('<dt>Until</dt>\\n' +
		    `<dd class="until">${day} \\(UTC\\), then you sign in ` +
		    'again</dd>'));
	});

	it('ends refreshing, however often the grant was refreshed',
	    async () => {
		const t0 = frozenNow();
		const t1 = await pair();
		clock.freeze(t0 + 3000);
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		clock.freeze(t0 + GRANT_LIFETIME - 100);
		const t3 = assertTokenResponse(await refresh(s, pub,
		    t2.refresh_token));
		assert.ok(t3.expires_in <= 100, String(t3.expires_in));
		assert.ok(await accessWorks(s, t3.access_token));
		clock.freeze(t0 + GRANT_LIFETIME + 1);
		assertOAuthError(await refresh(s, pub, t3.refresh_token), 400,
		    'invalid_grant');
		assert.ok(!await accessWorks(s, t3.access_token));
	});
});

describe('what a refresh keeps', () => {
	const N = 300;
	let m;

	before(async () => {
		m = await TestServer.start({
			// The audit trail keeps an event per refresh, up
			// to audit_max_events: its smallest bound keeps it
			// out of what a refresh itself leaves behind.
			config: 'refresh_rate_limit = 0\n' +
			    'audit_max_events = 100\n' +
			    'access_token_lifetime = 60s',
			users: [{ name: 'alice', password: PW }],
			env: clock.env(),
		});
	});

	after(async () => {
		await m?.stop();
	});

	function usedBytes() {
		const r = m.admin(['stats', '--json']);
		return JSON.parse(r.stdout).used_bytes;
	}

	it('keeps a small retired record per rotation; purge frees the rest',
	    async () => {
		const bob = new Person(m, 'alice', PW);
		const client = await register(m);
		const c = await approvedCode(bob, client);
		let t = assertTokenResponse(await exchange(m, client, c.code,
		    c.verifier));
		m.admin(['purge']);
		const before = usedBytes();
		for (let i = 0; i < N; i++)
			t = assertTokenResponse(await refresh(m, client,
			    t.refresh_token));
		const grown = usedBytes();
		// The access tokens expire; the purge removes them.
		clock.offset(120);
		m.admin(['purge'], { env: clock.env() });
		const kept = usedBytes() - before;
		console.log(`# ${N} refreshes: ${grown - before} bytes, ` +
		    `${kept} after the purge: ${(kept / N).toFixed(0)} ` +
		    'bytes per refresh');
		assert.ok(kept / N < 400, `${kept / N} bytes per refresh`);
		assert.ok(grown - kept > 0, 'the purge frees something');
		// The family still works and catches reuse.
		assertTokenResponse(await refresh(m, client, t.refresh_token));
	});
});
