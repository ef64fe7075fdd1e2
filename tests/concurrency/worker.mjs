// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// One client process of tests/concurrency: until its deadline, it runs
// a random mix of whole flows, refreshes, validations at /mcp,
// revocations and replays of old tokens against the server, some of
// them racing each other (two exchanges of one code, two refreshes of
// one token at once), and writes every request it made, with its start
// and end times and outcome, as one JSON line per event.  The parent
// checks the invariants on these histories; this process only asserts
// what a protocol violation would be (an unexpected status).
//
// Usage: node worker.mjs JOB-JSON
//   { port, ca, user, password, seconds, out, seed }

import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

import { Browser, call, exchange, refresh, registerClient, revoke,
    tokenWorks } from '../lib/flows.mjs';
import { remoteServer } from '../lib/harness.mjs';

const job = JSON.parse(process.argv[2]);
const s = remoteServer({ port: job.port, ca: fs.readFileSync(job.ca) });
const out = fs.openSync(job.out, 'w');

// A small deterministic generator, so that a failing run can be
// repeated with the seed it printed.
let seed = job.seed >>> 0;
function random() {
	seed = (seed * 1664525 + 1013904223) >>> 0;
	return seed / 2 ** 32;
}

function pick(list) {
	return list[Math.floor(random() * list.length)];
}

function now() {
	return performance.now();
}

function record(e) {
	fs.writeSync(out, JSON.stringify(e) + '\n');
}

// Runs one request and records it; returns the response.
async function timed(op, family, fields, request) {
	const start = now();
	let res;
	try {
		res = await request();
	} catch (e) {
		record({ op, family, ...fields, start, end: now(),
		    status: 'error', error: e.message });
		throw e;
	}
	const e = { op, family, ...fields, start, end: now(),
	    status: res.status };
	if (res.status === 400)
		e.error = res.json().error_description;
	if (res.status === 200 && (op === 'exchange' || op === 'refresh')) {
		const t = res.json();
		e.access = t.access_token;
		e.refresh = t.refresh_token;
	}
	record(e);
	return res;
}

const families = [];	// { id, old: [refresh tokens], access, refresh }
let nextFamily = 0;

function live() {
	return families.filter((f) => !f.dead);
}

// Each flow's client is registered for it: a second grant of one
// registered client to the same user, with the same scopes, replaces the
// first (src/lib/grantcap.c), which would end a family without any of
// the reasons the checks know.
async function flow(browser) {
	const id = nextFamily++;
	const client = await registerClient(s, `Worker ${job.user} ${id}`);
	const a = await browser.authorize(client, { scope: 'mcp' });
	const family = { id, client, old: [], dead: false };
	// One time in five, the code is sent twice at once: at most one
	// exchange may win.
	const n = random() < 0.2 ? 2 : 1;
	const results = await Promise.all(Array.from({ length: n }, () =>
	    timed('exchange', id, { code: a.code },
	    () => exchange(s, client, a.code, a.verifier))));
	const won = results.filter((r) => r.status === 200);
	if (won.length === 0) {
		family.dead = true;
		return;
	}
	const t = won[0].json();
	family.access = t.access_token;
	family.refresh = t.refresh_token;
	if (n === 2)
		family.raced = true;
	families.push(family);
}

async function refreshOne(family) {
	const client = family.client;
	// One time in six, two refreshes of the same token race.
	const n = random() < 0.17 ? 2 : 1;
	const used = family.refresh;
	const results = await Promise.all(Array.from({ length: n }, () =>
	    timed('refresh', family.id, { token: used },
	    () => refresh(s, client, used))));
	const won = results.filter((r) => r.status === 200);
	if (won.length === 0) {
		family.dead = true;
		return;
	}
	// With two winners only the later commit's token is current;
	// which one that is, the client cannot know: it keeps one.
	const t = pick(won).json();
	family.old.push(used);
	family.access = t.access_token;
	family.refresh = t.refresh_token;
}

async function validate(family) {
	await timed('validate', family.id, { token: family.access },
	    async () => {
		const ok = await tokenWorks(s, family.access);
		return { status: ok ? 200 : 401, json: () => ({}) };
	});
}

async function revokeOne(family) {
	const client = family.client;
	const which = random() < 0.5 ? 'access' : 'refresh';
	const token = family[which];
	await timed('revoke', family.id, { token, which },
	    () => revoke(s, client, token));
	// Right after: the revoked token must be dead, whichever process
	// answers.
	if (which === 'access') {
		await validate(family);
	} else {
		family.dead = true;
		await timed('refresh', family.id, { token },
		    () => refresh(s, client, token));
		await validate(family);
	}
}

async function replay(family) {
	const client = family.client;
	// A token two or more rotations old: outside the window for
	// lost answers, so theft.
	if (family.old.length < 2)
		return validate(family);
	const token = pick(family.old.slice(0, -1));
	await timed('refresh', family.id, { token, replay: true },
	    () => refresh(s, client, token));
	family.dead = true;
}

async function main() {
	const browser = new Browser(s, job.user, job.password);
	const deadline = Date.now() + job.seconds * 1000;
	while (Date.now() < deadline) {
		const alive = live();
		const r = random();
		if (alive.length === 0 || r < 0.12) {
			await flow(browser);
			continue;
		}
		const family = pick(alive);
		if (r < 0.5)
			await validate(family);
		else if (r < 0.8)
			await refreshOne(family);
		else if (r < 0.93)
			await revokeOne(family);
		else
			await replay(family);
		// Keep the number of live families small, so that each is
		// used many times.
		if (live().length > 4)
			live()[0].dead = true;
	}
	// A call that the parent uses to know the server still answers.
	await call(s, 'GET', '/.well-known/oauth-authorization-server');
	fs.closeSync(out);
}

main().catch((e) => {
	console.error(`worker ${job.user} (seed ${job.seed}): ${e.stack}`);
	process.exit(1);
});
