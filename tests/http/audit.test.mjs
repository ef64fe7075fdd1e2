// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The audit trail against the real programs: every kind of security
// event (those of the account page too) is produced by a real flow and listed by "mcp-oauth-admin
// events --json" with its user, client and address; the filters work;
// a flood of failed sign-ins leaves the database at audit_max_events;
// and no token, code or password used appears in the events or
// anywhere in the database file.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { approvedCode, assertTokenResponse, startAuthorization }
    from '../lib/checks.mjs';
import { Person, exchange, formField, refresh, register }
    from '../lib/oauth.mjs';

const PW = 'audit-Pw-7531';
const WRONG = 'not-the-Pw-8642';
const MAX_EVENTS = 100;
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let s;
// Every secret the tests handle: none may be stored.
const secrets = [PW, WRONG];

function events(args = []) {
	const r = s.admin(['--json', 'events', ...args]);
	const list = JSON.parse(r.stdout);
	assert.ok(Array.isArray(list));
	return list;
}

function ofKind(list, kind) {
	return list.filter((e) => e.kind === kind);
}

before(async () => {
	s = await TestServer.start({
		users: [
			{ name: 'alice', password: PW },
			{ name: 'bob', password: PW },
			{ name: 'carol', password: PW },
		],
		procs: 1,
		config: `audit_max_events = ${MAX_EVENTS}\n` +
		    'registration_rate_limit = 0\n',
	});
});

after(async () => {
	await s?.stop();
});

// A device authorization approved by person; the token response.
async function deviceTokens(person, client) {
	const start = await s.request('POST', '/device_authorization',
	    { form: { client_id: client.client_id } });
	assert.equal(start.status, 200, start.body);
	const d = start.json();
	secrets.push(d.device_code);
	const u = new URL(d.verification_uri_complete);
	let page = await person.get(u.pathname + u.search);
	if (page.body.includes('<h1>Sign in</h1>')) {
		const res = await person.login(page);
		assert.equal(res.status, 303, res.body.slice(0, 300));
		page = await person.get(res.headers.location);
	}
	const entered = await s.request('POST', '/device', {
		form: { csrf: formField(page.body, 'csrf'), action: 'code',
		    user_code: d.user_code },
		headers: { Cookie: person.jar.header() },
	});
	person.jar.take(entered);
	assert.match(entered.body, /<h1>Allow access\?<\/h1>/);
	const done = await person.decide(entered, 'approve');
	assert.equal(done.status, 200, done.body.slice(0, 300));
	const tok = await s.request('POST', '/token', { form: {
		grant_type: GRANT, device_code: d.device_code,
		client_id: client.client_id } });
	return assertTokenResponse(tok);
}

describe('the audit trail', () => {
	let pub;

	it('records a registration with its client and address', async () => {
		pub = await register(s, { client_name: 'Audit <b>App</b>' });
		const e = ofKind(events(['--client', pub.client_id]),
		    'client-registered');
		assert.equal(e.length, 1);
		assert.equal(e[0].address, '127.0.0.1');
		assert.equal(e[0].detail, 'Audit <b>App</b>');
		assert.match(e[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
	});

	// What a terminal acts on or reorders: C0, DEL, C1 (U+009B is CSI),
	// bidirectional marks, line and paragraph separators.
	const TERMINAL_CONTROL =
	    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

	it('refuses a client name with a C1 control', async () => {
		for (const name of ['Evil\u0085App', 'Evil\u009b31mApp']) {
			const res = await s.request('POST', '/register', { json: {
				redirect_uris: ['http://127.0.0.1:9999/callback'],
				token_endpoint_auth_method: 'none',
				client_name: name,
			} });
			assert.equal(res.status, 400, res.body);
			assert.equal(res.json().error, 'invalid_client_metadata');
		}
	});

	it('shows stored names in its tables without terminal controls',
	    async () => {
		// U+2028 is accepted at registration but moves a terminal's line.
		const name = 'Line\u2028Sep \u00e9t\u00e9';
		const c = await register(s, { client_name: name });
		const table = s.admin(['events', '--client', c.client_id]).stdout;
		assert.ok(table.includes(c.client_id), table);
		assert.doesNotMatch(table, TERMINAL_CONTROL);
		assert.ok(table.includes('Line?Sep \u00e9t\u00e9'), table);
		const clients = s.admin(['client', 'list']).stdout;
		assert.doesNotMatch(clients, TERMINAL_CONTROL);
		assert.ok(clients.includes('Line?Sep \u00e9t\u00e9'), clients);
		const shown = s.admin(['client', 'show', c.client_id]).stdout;
		assert.doesNotMatch(shown, TERMINAL_CONTROL);
		// --json keeps the name as registered (json-c escapes it).
		const e = ofKind(events(['--client', c.client_id]),
		    'client-registered');
		assert.equal(e[0].detail, name);
		const listed = JSON.parse(s.admin(['--json', 'client', 'list'])
		    .stdout).find((x) => x.client_id === c.client_id);
		assert.equal(listed.client_name, name);
	});

	it('records no name of a failed sign-in that is no user\'s',
	    async () => {
		// A password typed into the name field must not be stored.
		// (The sign-in rate limit still counts under the name for its
		// window: not the audit trail's to change.)
		const typed = 'Typed-Pw-In-Name-9753';
		const p = new Person(s, typed, PW);
		const page = await p.get(startAuthorization(pub).path);
		const bad = await p.login(page);
		assert.equal(bad.status, 403);
		const failed = ofKind(events(['--limit', '1']), 'signin-failed');
		assert.equal(failed.length, 1);
		assert.equal(failed[0].user, '');
		assert.equal(failed[0].address, '127.0.0.1');
		assert.ok(!JSON.stringify(events()).includes(typed));
	});

	it('records a failed sign-in, then a successful one', async () => {
		const alice = new Person(s, 'alice', PW);
		const a = startAuthorization(pub);
		const page = await alice.get(a.path);
		const bad = await alice.login(page, { password: WRONG });
		assert.equal(bad.status, 403);
		const again = await alice.get(a.path);
		const ok = await alice.login(again);
		assert.equal(ok.status, 303);
		const list = events(['--user', 'alice']);
		assert.equal(ofKind(list, 'signin-failed').length, 1);
		assert.equal(ofKind(list, 'signin').length, 1);
		assert.equal(ofKind(list, 'signin')[0].address, '127.0.0.1');
		// Newest first: the success came after the failure.
		assert.ok(list.indexOf(ofKind(list, 'signin')[0]) <
		    list.indexOf(ofKind(list, 'signin-failed')[0]));
	});

	it('records consent, the exchange, refreshes and /revoke', async () => {
		const alice = new Person(s, 'alice', PW);
		const c = await approvedCode(alice, pub);
		secrets.push(c.code, c.verifier);
		const t1 = assertTokenResponse(await exchange(s, pub, c.code,
		    c.verifier));
		const t2 = assertTokenResponse(await refresh(s, pub,
		    t1.refresh_token));
		secrets.push(t1.access_token, t1.refresh_token,
		    t2.access_token, t2.refresh_token);
		const rv = await s.request('POST', '/revoke', { form: {
			token: t2.refresh_token, client_id: pub.client_id } });
		assert.equal(rv.status, 200);
		const list = events(['--client', pub.client_id]);
		const consent = ofKind(list, 'consent');
		assert.ok(consent.length >= 1);
		assert.equal(consent[0].user, 'alice');
		assert.equal(consent[0].address, '127.0.0.1');
		const issued = ofKind(list, 'token-issued');
		assert.equal(issued.length, 1);
		assert.equal(issued[0].detail, 'authorization_code');
		assert.equal(issued[0].user, 'alice');
		assert.equal(issued[0].address, '127.0.0.1');
		assert.equal(ofKind(list, 'token-refreshed').length, 1);
		const revoked = ofKind(list, 'revoked');
		assert.equal(revoked.length, 1);
		assert.equal(revoked[0].user, 'alice');
		assert.equal(revoked[0].detail, 'revoke-endpoint: grant');
	});

	it('records a denial', async () => {
		const bob = new Person(s, 'bob', PW);
		const res = await bob.authorize(startAuthorization(pub).path,
		    'deny');
		assert.equal(res.status, 302);
		const e = ofKind(events(['--user', 'bob']), 'consent-denied');
		assert.equal(e.length, 1);
		assert.equal(e[0].client, pub.client_id);
		assert.equal(e[0].address, '127.0.0.1');
	});

	it('records a code replay and a refresh reuse', async () => {
		const bob = new Person(s, 'bob', PW);
		const c = await approvedCode(bob, pub);
		secrets.push(c.code);
		const t1 = assertTokenResponse(await exchange(s, pub, c.code,
		    c.verifier));
		const replay = await exchange(s, pub, c.code, c.verifier);
		assert.equal(replay.status, 400);
		const d = await approvedCode(bob, pub);
		const u1 = assertTokenResponse(await exchange(s, pub, d.code,
		    d.verifier));
		const u2 = assertTokenResponse(await refresh(s, pub,
		    u1.refresh_token));
		const u3 = assertTokenResponse(await refresh(s, pub,
		    u2.refresh_token));
		secrets.push(t1.refresh_token, u1.refresh_token,
		    u3.refresh_token);
		// Two generations back: someone else holds the family.
		assert.equal((await refresh(s, pub, u1.refresh_token)).status,
		    400);
		const list = events(['--user', 'bob']);
		assert.equal(ofKind(list, 'code-replay').length, 1);
		assert.equal(ofKind(list, 'refresh-reuse').length, 1);
		assert.equal(ofKind(list, 'refresh-reuse')[0].client,
		    pub.client_id);
		// --kind selects one kind.
		assert.deepEqual(events(['--kind', 'code-replay'])
		    .map((e) => e.kind), ['code-replay']);
	});

	it('records the device grant', async () => {
		const dev = await register(s, { redirect_uris: [],
		    grant_types: [GRANT, 'refresh_token'] });
		const alice = new Person(s, 'alice', PW);
		const t = await deviceTokens(alice, dev);
		secrets.push(t.access_token, t.refresh_token);
		const list = events(['--client', dev.client_id]);
		const issued = ofKind(list, 'token-issued');
		assert.equal(issued.length, 1);
		assert.equal(issued[0].detail, 'device_code');
		assert.equal(issued[0].user, 'alice');
		assert.equal(ofKind(list, 'consent')[0].detail, 'device');
		assert.equal(ofKind(list, 'consent')[0].address, '127.0.0.1');
	});

	it('records the admin tool\'s revocations and removals', () => {
		s.admin(['revoke', '--user', 'alice']);
		const r = ofKind(events(['--user', 'alice']), 'revoked');
		assert.ok(r.some((e) => e.detail ===
		    'admin-tool: user\'s grants'), JSON.stringify(r));
		const gone = s.admin(['client', 'add', '--name', 'Gone',
		    '--redirect-uri', 'https://gone.example/cb']);
		const id = /mcpc_[A-Za-z0-9_-]+/.exec(gone.stdout)?.[0];
		assert.ok(id, gone.stdout);
		s.admin(['client', 'del', id]);
		const e = ofKind(events(['--client', id]), 'client-removed');
		assert.equal(e.length, 1);
		assert.equal(e[0].detail, 'admin-tool: client deleted');
	});

	it('records what a user does on /account, and a password the ' +
	    'admin tool sets', async () => {
		const PW2 = 'carol-new-Pw-1357';
		const PW3 = 'carol-admin-Pw-2468';
		secrets.push(PW2, PW3);
		const carol = new Person(s, 'carol', PW);
		const c = await approvedCode(carol, pub);
		const t = assertTokenResponse(await exchange(s, pub, c.code,
		    c.verifier));
		secrets.push(c.code, t.access_token, t.refresh_token);
		// Signed in at /authorize: the same session here.
		const page = await carol.get('/account');
		assert.match(page.body, /<h1>Your account<\/h1>/);
		const grant = /name="grant" value="([0-9a-f]{32})"/
		    .exec(page.body)?.[1];
		assert.ok(grant, page.body);
		const csrf = formField(page.body, 'csrf');
		const post = async (form) => {
			const res = await s.request('POST', '/account', {
				form: { csrf, ...form },
				headers: { Cookie: carol.jar.header() } });
			carol.jar.take(res);
			assert.equal(res.status, 303, res.body.slice(0, 300));
		};
		await post({ action: 'revoke', grant });
		await post({ action: 'password', current: PW, new: PW2,
		    again: PW2 });
		await post({ action: 'signout_all' });
		s.admin(['user', 'passwd', 'carol', '--password-stdin'],
		    { input: `${PW3}\n` });
		const list = events(['--user', 'carol']);
		assert.deepEqual(list.slice(0, 5).map((e) =>
		    [e.kind, e.client, e.address, e.detail]), [
			['password-changed', '', '', 'admin-tool'],
			['signed-out', '', '127.0.0.1',
			    'user: everywhere, 1 session'],
			// The check of her current password left no failure.
			['password-changed', '', '127.0.0.1', 'user'],
			['revoked', pub.client_id, '127.0.0.1',
			    `user: grant ${grant}`],
			['token-issued', pub.client_id, '127.0.0.1',
			    'authorization_code'],
		], JSON.stringify(list.slice(0, 6)));
		assert.deepEqual(ofKind(list, 'signin-failed'), []);
		// The new kinds by name.
		assert.deepEqual(events(['--kind', 'password-changed',
		    '--user', 'carol']).map((e) => e.detail),
		    ['admin-tool', 'user']);
		assert.deepEqual(events(['--kind', 'signed-out'])
		    .map((e) => e.user), ['carol']);
	});

	it('records a configuration that stops loading', async (t) => {
		if (s.kind !== 'lighttpd') {
			t.skip('needs a long-lived FastCGI process');
			return;
		}
		// A process with the database open (/register opens it)...
		await register(s);
		const good = fs.readFileSync(s.configFile, 'utf8');
		fs.writeFileSync(s.configFile, good +
		    'audit_max_events = 1\n');
		const res = await s.request('POST', '/register', { json: {
			redirect_uris: ['https://x.example/cb'] } });
		assert.equal(res.status, 500);
		fs.writeFileSync(s.configFile, good);
		const e = events(['--kind', 'config-error']);
		assert.equal(e.length, 1, JSON.stringify(e));
		assert.match(e[0].detail, /audit_max_events/);
	});

	it('filters by time', () => {
		assert.equal(events(['--since', '2000-01-01']).length,
		    events().length);
		assert.equal(events(['--since', '2999-01-01T00:00:00Z']).length,
		    0);
		assert.ok(events(['--since', '1h']).length > 0);
		assert.equal(events(['--limit', '2']).length, 2);
		const bad = s.admin(['events', '--since', 'yesterday'],
		    { allowFailure: true });
		assert.equal(bad.status, 2);
		assert.match(bad.stderr, /--since/);
		const table = s.admin(['events', '--limit', '1']).stdout;
		assert.match(table, /^TIME +KIND +USER +CLIENT +ADDRESS +DETAIL\n/);
	});

	it('logs tool calls, and writes no event for them', async () => {
		const alice = new Person(s, 'alice', PW);
		const c = await approvedCode(alice, pub);
		const t = assertTokenResponse(await exchange(s, pub, c.code,
		    c.verifier));
		secrets.push(c.code, t.access_token, t.refresh_token);
		const before = events().length;
		const mark = s.logMark();
		const res = await s.request('POST', '/mcp', {
			body: JSON.stringify({ jsonrpc: '2.0', id: 1,
			    method: 'tools/call',
			    params: { name: 'whoami', arguments: {} } }),
			headers: { 'Content-Type': 'application/json',
			    Accept: 'application/json, text/event-stream',
			    'MCP-Protocol-Version': '2025-11-25',
			    Authorization: `Bearer ${t.access_token}` },
		});
		assert.equal(res.status, 200, res.body);
		assert.match(s.programLogSince(mark), new RegExp(
		    `event=tool_call user="alice" client="${pub.client_id}" ` +
		    'tool="whoami" outcome="ok"'));
		assert.equal(events().length, before);
	});

	it('stores no secret', () => {
		const json = s.admin(['--json', 'events']).stdout;
		const db = fs.readFileSync(path.join(s.dbDir, 'data.mdb'));
		const dump = s.admin(['--json', 'events', '--limit',
		    '10000000']).stdout;
		for (const secret of secrets) {
			assert.ok(!json.includes(secret), secret);
			assert.ok(!dump.includes(secret), secret);
			assert.ok(!db.includes(secret), secret);
		}
	});

	it('stays within audit_max_events under a flood', async () => {
		// Registrations are cheap and unlimited here: each one an
		// event, as fast as the server takes them.
		let last;
		for (let i = 0; i < MAX_EVENTS + 20; i++)
			last = await register(s, { client_name: `flood ${i}` });
		const all = events();
		assert.equal(all.length, MAX_EVENTS);
		assert.equal(all[0].client, last.client_id);
		assert.ok(all.every((e) => e.kind === 'client-registered'));
		// The purge keeps it there.
		s.admin(['purge']);
		assert.equal(events().length, MAX_EVENTS);
	});
});
