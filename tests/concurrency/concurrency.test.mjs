// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Concurrency: eight client processes (worker.mjs) issue,
// refresh, revoke and validate tokens against lighttpd at once, some of
// their requests racing each other, while this process runs
// mcp-oauth-admin purge and stats in a loop.  Afterwards no invariant
// is broken, judged from the histories the workers wrote (each
// worker's own clock orders its own requests):
//   - no request failed (no 5xx, no reset connection);
//   - no code was exchanged twice;
//   - no refresh token worked once a token issued from it had been
//     used (the only second use the server allows is the retry of a
//     client that lost the answer: before the new token is used);
//   - no revoked token was accepted by a request that started after
//     the revocation returned, and a grant revoked by a replay or a
//     revocation stays dead;
//   - no token was refused without a reason (a revocation, a replay,
//     a newer token used);
//   - mcp-oauth-admin check is clean.
//
// MCP_CONCURRENCY_SECONDS sets the duration (default 30: the time
// budget of scripts/check); MCP_TEST_LONG=1 runs the 60 s of the issue.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { TestServer } from '../lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKERS = 8;
const seconds = Number(process.env.MCP_CONCURRENCY_SECONDS ??
    (process.env.MCP_TEST_LONG ? 60 : 30));
const users = Array.from({ length: WORKERS }, (_, i) =>
    ({ name: `user${i}`, password: `conc-Pw-${i}-4711` }));
let s;

before(async () => {
	s = await TestServer.start({
		users,
		procs: 4,
		config: 'registration_rate_limit = 0\n' +
		    'registration_site_rate_limit = 0\n' +
		    'authorize_rate_limit = 0\n',
	});
});

after(async () => {
	await s?.stop();
});

function runWorker(i, seed) {
	const out = path.join(s.dir, `worker-${i}.jsonl`);
	const job = { port: s.port, ca: s.certFile, user: users[i].name,
	    password: users[i].password, seconds, out, seed };
	const child = spawn(process.execPath, [path.join(here, 'worker.mjs'),
	    JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'pipe'] });
	let stderr = '';
	child.stderr.on('data', (d) => { stderr += d; });
	return new Promise((resolve) => {
		child.on('exit', (code, signal) => resolve({ i, seed, code,
		    signal, stderr, out }));
	});
}

// The administrator at work meanwhile: purge and stats, each a write
// or a read transaction of another process.
async function adminLoop(done) {
	let runs = 0;
	while (!done.value) {
		for (const args of [['--json', 'purge'], ['--json', 'stats']]) {
			const r = s.admin(args, { allowFailure: true });
			assert.equal(r.status, 0, `${args}: ${r.stderr}`);
		}
		runs++;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return runs;
}

function readEvents(file) {
	return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l)
	    .map((l) => JSON.parse(l));
}

const revoking = /already used/;

// Every broken invariant in one worker's history, as messages.
export function violations(events) {
	const bad = [];
	const familyOf = new Map();	// token -> family
	const parentOf = new Map();	// refresh token -> the one used
	const successes = new Map();	// refresh token -> [event]
	const familyDeath = new Map();	// family -> end of the revoking
	const accessRevoked = new Map();	// access token -> end
	const refreshRevoked = new Map();	// refresh token -> end
	const exchanged = new Map();	// code -> count of 200

	const minSet = (map, k, v) => {
		if (!map.has(k) || map.get(k) > v)
			map.set(k, v);
	};
	for (const e of events) {
		if (e.status === 'error' || e.status >= 500)
			bad.push(`${e.op} failed: ${e.status} ${e.error ?? ''}`);
		if ((e.op === 'exchange' || e.op === 'refresh') &&
		    e.status === 200) {
			familyOf.set(e.access, e.family);
			familyOf.set(e.refresh, e.family);
			if (e.op === 'refresh') {
				parentOf.set(e.refresh, e.token);
				const l = successes.get(e.token) ?? [];
				l.push(e);
				successes.set(e.token, l);
			} else {
				exchanged.set(e.code,
				    (exchanged.get(e.code) ?? 0) + 1);
			}
		}
		if (e.status === 400 && revoking.test(e.error ?? ''))
			minSet(familyDeath, e.family, e.end);
		if (e.op === 'revoke' && e.status === 200) {
			if (e.which === 'refresh') {
				minSet(familyDeath, e.family, e.end);
				minSet(refreshRevoked, e.token, e.end);
			} else {
				minSet(accessRevoked, e.token, e.end);
			}
		}
	}
	for (const [code, n] of exchanged)
		if (n > 1)
			bad.push(`code ${code.slice(0, 8)} exchanged ${n} times`);

	// When a refresh token stopped being usable: once a token issued
	// from it was used.
	const supersededAt = new Map();
	for (const [token, list] of successes) {
		const parent = parentOf.get(token);
		if (parent !== undefined)
			for (const e of list)
				minSet(supersededAt, parent, e.end);
	}
	const dead = (family, t) => familyDeath.has(family) &&
	    familyDeath.get(family) < t;

	for (const e of events) {
		if (e.op === 'refresh' && e.status === 200) {
			if (supersededAt.has(e.token) &&
			    e.start > supersededAt.get(e.token))
				bad.push(`refresh token used after its ` +
				    `successor: family ${e.family}`);
			if (familyDeath.has(e.family) &&
			    e.start > familyDeath.get(e.family))
				bad.push(`refresh in revoked family ${e.family}`);
		}
		if (e.op === 'validate' && e.status === 200) {
			if (familyDeath.has(e.family) &&
			    e.start > familyDeath.get(e.family))
				bad.push(`access token of revoked family ` +
				    `${e.family} accepted`);
			if (accessRevoked.has(e.token) &&
			    e.start > accessRevoked.get(e.token))
				bad.push(`revoked access token accepted: ` +
				    `family ${e.family}`);
		}
		// A refusal needs a reason that came before its answer.
		if (e.op === 'validate' && e.status === 401 &&
		    !dead(e.family, e.end) &&
		    !(accessRevoked.get(e.token) < e.end))
			bad.push(`access token refused without reason: ` +
			    `family ${e.family}`);
		if (e.op === 'refresh' && e.status === 400 &&
		    !dead(e.family, e.end) &&
		    !(refreshRevoked.get(e.token) < e.end) &&
		    !(supersededAt.get(e.token) < e.end) &&
		    !revoking.test(e.error)) {
			// A sibling: the parent was used twice (a race)
			// and the later commit's token is the current one.
			const parent = parentOf.get(e.token);
			const twice = parent !== undefined &&
			    (successes.get(parent) ?? []).length > 1;
			if (!twice)
				bad.push(`refresh refused without reason ` +
				    `(${e.error}): family ${e.family}`);
		}
	}
	return bad;
}

describe(`${WORKERS} clients at once for ${seconds} s`, () => {
	let results;
	let histories;
	let adminRuns;

	before(async () => {
		const done = { value: false };
		const admin = adminLoop(done);
		const base = Date.now() % 100000;
		results = await Promise.all(users.map((u, i) =>
		    runWorker(i, base + i)));
		done.value = true;
		adminRuns = await admin;
		histories = results.map((r) => fs.existsSync(r.out) ?
		    readEvents(r.out) : []);
	});

	it('every client ran to the end', (t) => {
		for (const r of results)
			assert.equal(r.code, 0, `worker ${r.i} (seed ${r.seed}): ` +
			    `${r.signal ?? ''} ${r.stderr}`);
		const all = histories.flat();
		const count = (op) => all.filter((e) => e.op === op).length;
		t.diagnostic(`${all.length} requests: ${count('exchange')} ` +
		    `exchanges, ${count('refresh')} refreshes, ` +
		    `${count('validate')} validations, ${count('revoke')} ` +
		    `revocations; ${adminRuns} purge+stats rounds`);
		assert.ok(count('exchange') >= WORKERS * 3);
		assert.ok(count('refresh') >= WORKERS * 10);
		assert.ok(count('validate') >= WORKERS * 10);
		assert.ok(count('revoke') >= WORKERS * 3);
		assert.ok(adminRuns >= 2);
	});

	it('races happened: a code sent twice, a token refreshed twice',
	    () => {
		const all = histories.flat();
		const byCode = new Map();
		for (const e of all.filter((x) => x.op === 'exchange'))
			byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
		assert.ok([...byCode.values()].some((n) => n > 1));
		const overlapping = all.filter((e) => e.op === 'refresh')
		    .some((e, i, l) => l.some((f, j) => j !== i &&
		    f.token === e.token && f.start < e.end &&
		    e.start < f.end));
		assert.ok(overlapping);
	});

	it('the checker finds planted violations', () => {
		const ex = { op: 'exchange', family: 0, code: 'c0', start: 0,
		    end: 1, status: 200, access: 'a0', refresh: 'r0' };
		const r1 = { op: 'refresh', family: 0, token: 'r0', start: 2,
		    end: 3, status: 200, access: 'a1', refresh: 'r1' };
		const r2 = { ...r1, token: 'r1', start: 4, end: 5,
		    access: 'a2', refresh: 'r2' };
		const clean = [ex, r1, r2];
		assert.deepEqual(violations(clean), []);
		const cases = [
			[{ ...ex, start: 6, end: 7 }, /exchanged 2 times/],
			[{ ...r1, start: 6, end: 7, access: 'a3',
			    refresh: 'r3' }, /used after its successor/],
			[[{ op: 'revoke', family: 0, which: 'access',
			    token: 'a2', start: 6, end: 7, status: 200 },
			    { op: 'validate', family: 0, token: 'a2',
			    start: 8, end: 9, status: 401 }], null],
			[{ op: 'validate', family: 0, token: 'a1', start: 8,
			    end: 9, status: 401 }, /refused without reason/],
			[{ op: 'refresh', family: 0, token: 'r2', start: 8,
			    end: 9, status: 400, error: 'unknown, expired ' +
			    'or revoked refresh token' },
			    /refused without reason/],
			[{ op: 'validate', family: 0, token: 'a0', start: 1.5,
			    end: 1.6, status: 500 }, /failed: 500/],
		];
		for (const [e, want] of cases) {
			const bad = violations([...clean, ...[e].flat()]);
			if (want === null)
				assert.deepEqual(bad, []);
			else
				assert.match(bad.join('\n'), want);
		}
		const revoked = [...clean, { op: 'revoke', family: 0,
		    which: 'refresh', token: 'r2', start: 6, end: 7,
		    status: 200 }];
		assert.match(violations([...revoked, { op: 'validate',
		    family: 0, token: 'a2', start: 8, end: 9, status: 200 }])
		    .join('\n'), /revoked family 0 accepted/);
		assert.match(violations([...revoked, { ...r2, token: 'r2',
		    start: 8, end: 9, refresh: 'r4' }]).join('\n'),
		    /refresh in revoked family/);
		assert.match(violations([...clean, { op: 'revoke', family: 0,
		    which: 'access', token: 'a2', start: 6, end: 7,
		    status: 200 }, { op: 'validate', family: 0, token: 'a2',
		    start: 8, end: 9, status: 200 }]).join('\n'),
		    /revoked access token accepted/);
	});

	it('no invariant is broken', () => {
		const bad = histories.flatMap((h, i) => violations(h)
		    .map((m) => `worker ${i}: ${m}`));
		assert.deepEqual(bad, []);
	});

	it('mcp-oauth-admin check is clean', () => {
		const r = s.admin(['--json', 'check']);
		const j = JSON.parse(r.stdout);
		assert.equal(j.ok, true, r.stdout);
		assert.ok(j.checked > 100);
	});

	it('the programs logged no error', () => {
		assert.doesNotMatch(s.programLog(),
		    /event=(database_error|database_full|fastcgi_error)/);
	});
});
