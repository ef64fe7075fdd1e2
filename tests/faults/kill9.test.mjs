// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// kill -9 of token.fcgi and authorize.fcgi, again and again, while
// clients run whole flows (fault injection).  lighttpd starts
// a new process for each one killed.  Killed in the middle of a write,
// a process leaves LMDB with a dead writer's lock and a stale reader
// slot; the next process must recover both.  Afterwards: the database
// opens, mcp-oauth-admin check finds nothing, every token a client
// received works, and no code or refresh token is usable twice.
//
// MCP_FAULTS_SECONDS sets how long the killing lasts (default 15).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { Browser, Unavailable, call, exchange, refresh, registerClient,
    tokenWorks } from '../lib/flows.mjs';

const PW = 'kill-Pw-97531';
const seconds = Number(process.env.MCP_FAULTS_SECONDS ?? 15);
const victims = ['token.fcgi', 'authorize.fcgi'];
let s;

before(async () => {
	s = await TestServer.start({
		users: [{ name: 'alice', password: PW }],
		procs: 2,
		// Hundreds of flows from one address in seconds.  A
		// sign-in counts as a failure until it succeeds (signin.h),
		// so a kill in the password check counts against alice;
		// this test is about recovery, not throttling.
		config: 'authorize_rate_limit = 0\n' +
		    'registration_rate_limit = 0\n' +
		    'registration_site_rate_limit = 0\n' +
		    'login_max_failures = 1000\n',
	});
});

after(async () => {
	await s?.stop();
});

function pause(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// What the clients saw, for the checks afterwards.
const seen = {
	codes: [],		// { client, code, verifier, outcome }
	chains: [],		// one per code exchanged: its pairs, in order
	unavailable: 0,
	programErrors: [],	// 5xx answers written by our programs
};

// A 5xx from lighttpd (the program died under it) is expected; one
// written by our programs (JSON server_error: the database would not
// open, a transaction failed) is not.
function noteUnavailable(e) {
	if (!(e instanceof Unavailable))
		throw e;
	seen.unavailable++;
	const ct = e.res?.headers['content-type'] ?? '';
	if (e.res !== undefined && ct.startsWith('application/json'))
		seen.programErrors.push(`${e.message}: ${e.res.body}`);
}

// One client: flows until the deadline.  Each step that fails leaves
// its outcome "unknown" (the request may or may not have committed) and
// abandons the flow; nothing is retried during the run.  Each flow
// registers a client of its own (register.fcgi is not killed): a second
// grant of one registered client to alice, with the same scopes, would
// replace the first (src/lib/grantcap.c), and every chain must stay
// valid for the checks afterwards.
async function client(deadline, person, n) {
	for (let flow = 0; Date.now() < deadline; flow++) {
		const c = await registerClient(s, `Kill client ${n}.${flow}`);
		let a;
		try {
			a = await person.authorize(c, { scope: 'mcp' });
		} catch (e) {
			noteUnavailable(e);
			continue;
		}
		const entry = { client: c, ...a, outcome: 'unknown' };
		seen.codes.push(entry);
		let res;
		try {
			res = await exchange(s, c, a.code, a.verifier);
		} catch (e) {
			noteUnavailable(e);
			continue;
		}
		assert.equal(res.status, 200, res.body);
		entry.outcome = 'used';
		const chain = { client: c, pairs: [res.json()], lost: null };
		seen.chains.push(chain);
		entry.chain = chain;
		for (let i = 0; i < 3 && Date.now() < deadline; i++) {
			const last = chain.pairs[chain.pairs.length - 1];
			try {
				res = await refresh(s, c, last.refresh_token);
			} catch (e) {
				noteUnavailable(e);
				chain.lost = last.refresh_token;
				break;
			}
			assert.equal(res.status, 200, res.body);
			chain.pairs.push(res.json());
		}
	}
}

// The state of a process (R: running, D: waiting for the disk, S:
// sleeping, as in accept() between requests), or null when it is gone.
function processState(pid) {
	let stat;
	try {
		stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return null;
	}
	return stat[stat.lastIndexOf(')') + 2];
}

// Kills a victim at least every 400 ms, and one caught running or
// waiting for the disk (serving a request, or starting) as soon as it
// is seen, at most every 150 ms.  Kills at random times alone mostly
// found the programs idle in accept() on a quiet machine, where a
// request takes a millisecond, and lighttpd then quietly started a
// new one: the run proved little.  Watching the few victims' states
// every 2 ms is what lands kills inside requests.
async function killer(deadline) {
	let kills = 0, busy = 0, last = Date.now(), procs = [], listed = 0;
	while (Date.now() < deadline) {
		await pause(2);
		const now = Date.now();
		if (now - listed >= 50) {
			procs = s.programProcesses()
			    .filter((p) => victims.includes(p.name));
			listed = now;
		}
		if (procs.length === 0 || now - last < 150)
			continue;
		const running = procs.filter((p) =>
		    ['R', 'D'].includes(processState(p.pid)));
		let p;
		if (running.length > 0)
			p = running[Math.floor(Math.random() * running.length)];
		else if (now - last >= 400)
			p = procs[Math.floor(Math.random() * procs.length)];
		else
			continue;
		try {
			process.kill(p.pid, 'SIGKILL');
			kills++;
			if (running.length > 0)
				busy++;
			last = now;
		} catch {
			// Exited on its own in between.
		}
		procs = procs.filter((q) => q.pid !== p.pid);
	}
	return { kills, busy };
}

// Waits until every endpoint answers again (lighttpd restarts a killed
// program at its next request).
async function settle() {
	for (let i = 0; i < 200; i++) {
		try {
			await call(s, 'POST', '/token', { form: {} });
			await call(s, 'GET', '/authorize');
			return;
		} catch (e) {
			if (!(e instanceof Unavailable))
				throw e;
		}
		await pause(50);
	}
	throw new Error('the endpoints did not come back');
}

describe('kill -9 of token.fcgi and authorize.fcgi during flows', () => {
	let kills, busy;

	before(async () => {
		const clients = [];
		for (let i = 0; i < 3; i++)
			clients.push(await registerClient(s, `Kill client ${i}`));
		// Each person signs in and approves once before the
		// killing starts.  A sign-in spends most of its time in
		// the password hash; under the killer, on a slow machine,
		// almost every one died there and no flow completed.  The
		// flows under the killer then write what matters here:
		// pending requests, codes, grants and token families.
		const people = [];
		for (const c of clients) {
			const person = new Browser(s, 'alice', PW);
			const a = await person.authorize(c, { scope: 'mcp' });
			const res = await exchange(s, c, a.code, a.verifier);
			assert.equal(res.status, 200, res.body);
			people.push(person);
		}
		const deadline = Date.now() + seconds * 1000;
		const runs = clients.map((c, i) => client(deadline,
		    people[i], i));
		[{ kills, busy }] = await Promise.all([killer(deadline),
		    ...runs]);
		await settle();
	});

	it('killed processes often and still completed flows', (t) => {
		t.diagnostic(`${kills} kills (${busy} of a running program), ` +
		    `${seen.unavailable} failed ` +
		    `requests, ${seen.chains.length} flows, ` +
		    `${seen.codes.filter((e) => e.outcome !== 'used').length} ` +
		    'codes and ' +
		    `${seen.chains.filter((c) => c.lost !== null).length} ` +
		    'refresh tokens with a lost answer');
		assert.ok(kills >= seconds * 2, `only ${kills} kills`);
		assert.ok(seen.chains.length >= 5,
		    `only ${seen.chains.length} flows completed`);
		// Whether a killed request fails or lighttpd retries it on
		// a new process is lighttpd's choice; what matters is that
		// kills landed while the programs were at work.
		assert.ok(busy > 0, 'no kill caught a program running');
	});

	it('no program answered a database error', () => {
		assert.deepEqual(seen.programErrors, []);
		assert.doesNotMatch(s.programLog(),
		    /event=(database_error|database_full)/);
	});

	it('the database opens and check finds nothing', () => {
		const st = s.admin(['--json', 'stats']);
		assert.equal(JSON.parse(st.stdout).counts.users, 1);
		const r = s.admin(['--json', 'check']);
		const j = JSON.parse(r.stdout);
		assert.equal(j.ok, true, r.stdout);
		assert.ok(j.checked > 0);
	});

	it('every token a client received works', async () => {
		for (const chain of seen.chains) {
			const last = chain.pairs[chain.pairs.length - 1];
			assert.ok(await tokenWorks(s, last.access_token));
		}
		// The newest refresh token of each chain refreshes, and
		// so does one whose answer was lost (the server keeps the
		// previous token usable until the new one is used).
		for (const chain of seen.chains) {
			const t = chain.lost ??
			    chain.pairs[chain.pairs.length - 1].refresh_token;
			const res = await refresh(s, chain.client, t);
			assert.equal(res.status, 200, res.body);
			chain.pairs.push(res.json());
			chain.final = res.json();
		}
		for (const chain of seen.chains)
			assert.ok(await tokenWorks(s, chain.final.access_token));
	});

	// Half the chains prove this one, the other half the next: a
	// replay revokes the grant, after which both are refused anyway.
	it('no refresh token is usable twice', async () => {
		let replays = 0;
		for (const chain of seen.chains.filter((c, i) => i % 2 === 0)) {
			// Every token but the last two has a used successor
			// whose own successor was used: outside the retry
			// window for lost answers, so a replay of it is
			// theft and revokes the family.
			const old = chain.pairs.slice(0, -2);
			for (const p of old) {
				const res = await refresh(s, chain.client,
				    p.refresh_token);
				assert.equal(res.status, 400, res.body);
				assert.equal(res.json().error, 'invalid_grant');
				replays++;
			}
			if (old.length > 0)
				assert.ok(!await tokenWorks(s,
				    chain.final.access_token),
				    'a replay revokes the family');
		}
		assert.ok(replays >= 3, `only ${replays} replays`);
	});

	it('no code is usable twice', async () => {
		let used = 0;
		for (const e of seen.codes) {
			const res = await exchange(s, e.client, e.code,
			    e.verifier);
			if (e.outcome === 'used') {
				used++;
				assert.equal(res.status, 400, res.body);
				assert.equal(res.json().error, 'invalid_grant');
				// The replay revoked the grant it produced.
				assert.ok(!await tokenWorks(s,
				    e.chain.final.access_token));
			} else {
				// Its first exchange may have committed (then
				// this is the second: refused) or not.
				assert.ok(res.status === 200 ||
				    res.json().error === 'invalid_grant',
				    res.body);
			}
		}
		assert.ok(used >= 5);
		const r = s.admin(['--json', 'check']);
		assert.equal(JSON.parse(r.stdout).ok, true, r.stdout);
	});
});
