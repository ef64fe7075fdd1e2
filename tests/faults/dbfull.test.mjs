// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A full database (fault injection): with db_map_size at its smallest
// (1M), pending authorization requests fill the map.  Every endpoint
// that must write then answers 503 temporarily_unavailable (OAuth JSON
// with Retry-After and Cache-Control: no-store at /token, /revoke and
// /register; an HTML page at /authorize; a tool error at /mcp) and
// logs why, while everything that only reads (token validation, the
// notes already there, metadata) keeps working.  Even a revocation
// writes: LMDB copies the pages a deletion changes.  mcp-oauth-admin purge
// then frees the expired records and the same processes write again:
// nothing stored was lost, no restart was needed.
//
// A "full" LMDB map still takes a write that fits in the pages the
// previous transaction freed, so each kind of write is repeated until
// it is refused: what must hold is that it then answers 503 (and only
// 2xx before), and that what it was about (a code, a refresh token)
// is still usable once there is room again.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { headerValues, TestServer } from '../lib/harness.mjs';
import { approvedCode, assertNoStore, assertOAuthError }
    from '../lib/checks.mjs';
import { buildFakeClock, fakeClockEnv } from '../lib/fakeclock.mjs';
import { callTool } from '../lib/flows.mjs';
import { Person, authorizeQuery, exchange, obtainTokens, pkce, refresh,
    register } from '../lib/oauth.mjs';

const PW = 'full-Pw-86420';
const SCOPE = 'mcp notes:read notes:write';
let s;
let client;
let heldClient;		// the held codes'
let spareClient;	// the spare tokens'
let tokens;
let held = [];		// approved codes, not yet exchanged
const spare = [];	// token responses, for /revoke
let pids;

before(async () => {
	s = await TestServer.start({
		// No limit on changes by tools: the map, not the limit,
		// must be what stops the notes.
		config: 'db_map_size = 1M\npending_lifetime = 1m\n' +
		    'registration_rate_limit = 1000000\n' +
		    'registration_site_rate_limit = 0\n' +
		    'authorize_rate_limit = 0\n' +
		    'tool_write_rate_limit = 0\n',
		users: [{ name: 'alice', password: PW }],
		procs: 1,
	});
	// Three clients: a redeemed code of a registered client replaces
	// alice's earlier grant of it, so the held codes are another
	// client's than her tokens; the spare tokens, which must all stay
	// valid, are a client's the administrator added (such a client
	// keeps up to 10 grants per person).
	client = await register(s);
	heldClient = await register(s, { client_name: 'Held codes' });
	spareClient = JSON.parse(s.admin(['--json', 'client', 'add', '--name',
	    'Spare', '--redirect-uri', 'http://127.0.0.1:9999/callback'])
	    .stdout);
	const person = new Person(s, 'alice', PW);
	tokens = await obtainTokens(s, person, client, { scope: SCOPE });
	for (let i = 0; i < 30; i++)
		held.push(await approvedCode(person, heldClient,
		    { scope: SCOPE }));
	for (let i = 0; i < 10; i++) {
		const { code, verifier } = await approvedCode(person,
		    spareClient, { scope: SCOPE });
		const res = await exchange(s, spareClient, code, verifier);
		assert.equal(res.status, 200, res.body);
		spare.push(res.json());
	}
	const res = await callTool(s, tokens.access_token, 'notes_add',
	    { title: 'kept', text: 'written before the map filled' });
	assert.equal(res.json().result.isError, undefined, res.body);
	pids = s.programProcesses().map((p) => p.pid).sort();
});

after(async () => {
	await s?.stop();
});

// A new authorization request: each stores a pending record, of about
// 1.3 kB with the longest state the server takes.
function newRequest(stateLength = 1024) {
	return s.request('GET', authorizeQuery(client, {
		code_challenge: pkce().challenge,
		code_challenge_method: 'S256',
		state: 'x'.repeat(stateLength),
	}));
}

// Repeats write() until it answers 503 (at most limit times), checking
// that every earlier answer succeeded; returns the 503 answer and how
// many succeeded.
async function untilFull(write, ok, limit = 400) {
	for (let i = 0; i < limit; i++) {
		const res = await write(i);
		if (res.status === 503)
			return { res, done: i };
		ok(res);
	}
	assert.fail(`still writing after ${limit}`);
}

function revoke(token, c = client) {
	return s.request('POST', '/revoke',
	    { form: { token, client_id: c.client_id } });
}

// The OAuth answer to a full map: 503 temporarily_unavailable, when to
// retry, and never cached.
function assertUnavailable(res) {
	assertOAuthError(res, 503, 'temporarily_unavailable',
	    /database is full/);
	assert.deepEqual(headerValues(res, 'Retry-After'), ['60']);
	assertNoStore(res);
}

function noteTexts(res) {
	return JSON.parse(res.json().result.content[0].text);
}

describe('a full database', () => {
	let requests = 0;

	before(async () => {
		for (;;) {
			assert.ok(requests < 3000, 'the map never filled');
			const batch = await Promise.all([1, 2, 3, 4].map(() =>
			    newRequest()));
			requests += batch.length;
			const statuses = batch.map((r) => r.status);
			assert.ok(statuses.every((st) => st === 200 ||
			    st === 503), statuses.join(' '));
			if (statuses.includes(503))
				break;
		}
		// Then smaller ones, into what is left.
		const { done } = await untilFull(() => newRequest(0),
		    (res) => assert.equal(res.status, 200));
		requests += done;
	});

	it('filled after hundreds of authorization requests', () => {
		assert.ok(requests > 200, `full after ${requests}`);
	});

	it('/authorize answers a 503 page', async () => {
		const { res } = await untilFull(() => newRequest(),
		    (r) => assert.equal(r.status, 200));
		assert.match(res.headers['content-type'], /^text\/html/);
		assert.match(res.body, /cannot handle this sign-in right now/);
		assert.deepEqual(headerValues(res, 'Retry-After'), ['60']);
	});

	it('/register answers 503 temporarily_unavailable', async () => {
		const { res } = await untilFull(() => s.request('POST',
		    '/register', {
			json: {
				redirect_uris: ['http://127.0.0.1:9999/cb'],
				token_endpoint_auth_method: 'none',
				client_name: 'Late client',
			},
		}), (r) => assert.equal(r.status, 201, r.body));
		assertUnavailable(res);
	});

	it('/token answers 503 temporarily_unavailable to a code',
	    async () => {
		const { res, done } = await untilFull((i) => {
			assert.ok(i < held.length, 'every code was exchanged');
			return exchange(s, heldClient, held[i].code,
			    held[i].verifier);
		}, (r) => assert.equal(r.status, 200, r.body));
		assertUnavailable(res);
		held = held.slice(done);
	});

	it('/token answers 503 temporarily_unavailable to a refresh token',
	    async () => {
		const { res } = await untilFull(async () => {
			const r = await refresh(s, client,
			    tokens.refresh_token);
			if (r.status === 200)
				tokens = r.json();
			return r;
		}, (r) => assert.equal(r.status, 200, r.body));
		assertUnavailable(res);
	});

	it('/revoke answers 503 temporarily_unavailable', async () => {
		const { res, done } = await untilFull((i) => {
			assert.ok(i < spare.length, 'every token was revoked');
			return revoke(spare[i].access_token, spareClient);
		}, (r) => {
			assert.equal(r.status, 200, r.body);
			assertNoStore(r);
		});
		assertUnavailable(res);
		spare.splice(0, done);
	});

	it('/mcp still validates tokens and reads; a write is a tool error',
	    async () => {
		let res = await callTool(s, tokens.access_token, 'whoami');
		assert.equal(res.status, 200, res.body);
		assert.match(res.body, /alice/);
		res = await callTool(s, tokens.access_token, 'notes_list');
		assert.equal(res.status, 200, res.body);
		assert.deepEqual(noteTexts(res).notes.map((n) => n.title),
		    ['kept']);
		let added = 0;
		for (;;) {
			assert.ok(added < 400, 'still adding notes');
			res = await callTool(s, tokens.access_token,
			    'notes_add', { title: 'late', text: 'y' });
			assert.equal(res.status, 200, res.body);
			if (res.json().result.isError)
				break;
			added++;
		}
		assert.match(res.json().result.content[0].text,
		    /storage is full/);
		res = await callTool(s, tokens.access_token, 'notes_list');
		assert.equal(noteTexts(res).notes.length, 1 + added);
		const bad = await callTool(s, 'mcpat_' + 'A'.repeat(43),
		    'whoami');
		assert.equal(bad.status, 401);
	});

	it('metadata is served', async () => {
		for (const doc of ['oauth-authorization-server',
		    'oauth-protected-resource',
		    'oauth-protected-resource/mcp']) {
			const res = await s.request('GET',
			    `/.well-known/${doc}`);
			assert.equal(res.status, 200, doc);
		}
	});

	// /mcp and metadata.fcgi only read the database, and a read never
	// meets a full map: neither has a 503 to give (a write by a tool
	// is a tool error, above).  Every 503 above carried Retry-After.
	it('/mcp answers no 503 to a full map', async () => {
		let res = await callTool(s, tokens.access_token, 'whoami');
		assert.equal(res.status, 200, res.body);
		res = await s.request('POST', '/mcp', { json: { jsonrpc: '2.0',
		    id: 1, method: 'tools/list' } });
		assert.equal(res.status, 401, res.body);
	});

	it('every program that could not write said why in the log', () => {
		const log = s.programLog();
		for (const p of ['authorize', 'register', 'token', 'revoke',
		    'mcp'])
			assert.match(log, new RegExp(`${p}\\.fcgi\\[\\d+\\]: ` +
			    'event=database_full msg=".*db_map_size'));
		assert.doesNotMatch(log, /event=database_error/);
	});

	it('stats reports it', () => {
		const r = s.admin(['--json', 'stats']);
		assert.ok(JSON.parse(r.stdout).map_usage_percent >= 90);
		assert.match(r.stderr, /raise db_map_size/);
	});

	it('purge frees the expired records and the same processes write ' +
	    'again', async () => {
		// Two minutes on, the pending requests (1 minute) have
		// expired; the code (10 minutes) and tokens have not.
		const lib = buildFakeClock(s.dir);
		const r = s.admin(['--json', 'purge'],
		    { env: fakeClockEnv(lib, { offset: 120 }) });
		const p = JSON.parse(r.stdout.trim().split('\n').pop());
		assert.ok(p.pending >= requests - 10, r.stdout);
		assert.equal(p.codes + p.access_tokens + p.refresh_tokens, 0);

		// The code and the refresh token that were refused work.
		let res = await exchange(s, heldClient, held[0].code,
		    held[0].verifier);
		assert.equal(res.status, 200, res.body);
		res = await refresh(s, client, tokens.refresh_token);
		assert.equal(res.status, 200, res.body);
		const fresh = res.json();
		res = await callTool(s, fresh.access_token, 'notes_add',
		    { title: 'after', text: 'written after the purge' });
		assert.equal(res.json().result.isError, undefined, res.body);
		res = await callTool(s, fresh.access_token, 'notes_list');
		const titles = noteTexts(res).notes.map((n) => n.title);
		assert.ok(titles.includes('kept') && titles.includes('after'),
		    titles.join(' '));
		res = await newRequest();
		assert.equal(res.status, 200);
		await register(s);
		res = await revoke(spare[0].refresh_token, spareClient);
		assert.equal(res.status, 200, res.body);
		assert.deepEqual(s.programProcesses().map((q) => q.pid).sort(),
		    pids, 'no program was restarted');
		const c = s.admin(['--json', 'check']);
		assert.equal(JSON.parse(c.stdout).ok, true, c.stdout);
	});
});
