// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp-oauth-admin client add|list|show|del against the
// database of a running server: output (text and --json), exit codes
// (0 success, 1 failure, 2 usage), and the effect on the endpoints: an
// added client can sign in and get tokens; a deleted one loses its
// grants and tokens at once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { accessWorks, approvedCode, assertNoNull, assertOAuthError,
    assertTokenResponse } from '../lib/checks.mjs';
import { Person, exchange, refresh, register } from '../lib/oauth.mjs';

const PW = 'admin-Pw-2468';
let s;

before(async () => {
	s = await TestServer.start({ users: [{ name: 'alice', password: PW }] });
});

after(async () => {
	await s?.stop();
});

function admin(args, opts) {
	return s.admin(args, { allowFailure: true, ...opts });
}

function addJson(...args) {
	const r = admin(['--json', 'client', 'add', ...args]);
	assert.equal(r.status, 0, r.stderr);
	assert.equal(r.stderr, '');
	return JSON.parse(r.stdout);
}

describe('client add', () => {
	it('pre-registers a public client with refresh by default', () => {
		const c = addJson('--name', 'Claude Code', '--redirect-uri',
		    'http://localhost/callback', '--redirect-uri',
		    'http://127.0.0.1/callback');
		assert.match(c.client_id, /^mcpc_[A-Za-z0-9_-]{22}$/);
		assert.deepEqual(c, {
			client_id: c.client_id,
			client_id_issued_at: c.client_id_issued_at,
			redirect_uris: ['http://localhost/callback',
			    'http://127.0.0.1/callback'],
			token_endpoint_auth_method: 'none',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			client_name: 'Claude Code',
			dynamic: false,
		});
		assert.ok(Math.abs(c.client_id_issued_at - Date.now() / 1000) <
		    60);
	});

	it('prints a confidential client\'s secret once, in text', () => {
		const r = admin(['client', 'add', '--name', 'Web', '--redirect-uri',
		    'https://web.example/cb', '--auth', 'client_secret_post']);
		assert.equal(r.status, 0, r.stderr);
		const lines = r.stdout.trim().split('\n');
		assert.match(lines[0], /^added client mcpc_[A-Za-z0-9_-]{22}$/);
		const id = lines[0].split(' ')[2];
		assert.equal(lines[1], `client_id: ${id}`);
		const m = lines[2].match(/^client_secret: (mcpcs_[A-Za-z0-9_-]{43})$/);
		assert.ok(m, lines[2]);
		assert.match(lines[3], /shown only now/);
		// Never again: not in show or list.
		const show = admin(['client', 'show', id]);
		const showJson = admin(['--json', 'client', 'show', id]);
		const list = admin(['--json', 'client', 'list']);
		for (const out of [show.stdout, showJson.stdout, list.stdout])
			assert.ok(!out.includes(m[1]));
		assert.equal(JSON.parse(showJson.stdout).client_secret, undefined);
	});

	it('takes --no-refresh, --scope and --auth client_secret_basic', () => {
		const c = addJson('--name', 'Narrow', '--redirect-uri',
		    'cursor://anysphere.cursor-mcp/oauth/callback', '--no-refresh',
		    '--scope', 'notes:read mcp', '--auth=client_secret_basic');
		assert.deepEqual(c.grant_types, ['authorization_code']);
		assert.equal(c.scope, 'mcp notes:read');
		assert.equal(c.token_endpoint_auth_method, 'client_secret_basic');
		assert.match(c.client_secret, /^mcpcs_/);
		assert.equal(c.client_secret_expires_at, 0);
	});

	const usage = [
		['no --name', ['--redirect-uri', 'https://a.example/cb'],
		    /--name/],
		['no --redirect-uri', ['--name', 'X'], /--redirect-uri/],
		['an http redirect URI', ['--name', 'X', '--redirect-uri',
		    'http://evil.example/cb'],
		    /invalid redirect URI: "http:\/\/evil\.example\/cb" must use https/],
		['a javascript: redirect URI', ['--name', 'X', '--redirect-uri',
		    'javascript:alert(1)'], /scheme that is not allowed/],
		['a fragment', ['--name', 'X', '--redirect-uri',
		    'https://a.example/cb#x'], /fragment/],
		['an unknown --auth', ['--name', 'X', '--redirect-uri',
		    'https://a.example/cb', '--auth', 'private_key_jwt'],
		    /invalid --auth "private_key_jwt"/],
		['an unknown scope', ['--name', 'X', '--redirect-uri',
		    'https://a.example/cb', '--scope', 'mcp admin'],
		    /unknown scope "admin"; this server's scopes are: mcp notes:read notes:write/],
		['an empty name', ['--name', '', '--redirect-uri',
		    'https://a.example/cb'], /invalid client name/],
		['a name with a newline', ['--name', 'a\nb', '--redirect-uri',
		    'https://a.example/cb'], /invalid client name/],
		['eleven redirect URIs', ['--name', 'X', ...Array.from(
		    { length: 11 }, (_, i) => ['--redirect-uri',
		    `https://a.example/${i}`]).flat()], /at most 10/],
		['an unknown option', ['--name', 'X', '--redirect-uri',
		    'https://a.example/cb', '--bogus'], /unknown option --bogus/],
		['a missing option value', ['--name'], /usage:/],
	];
	for (const [what, args, message] of usage) {
		it(`exits 2 for ${what}`, () => {
			const before = JSON.parse(admin(['--json', 'client',
			    'list']).stdout).length;
			const r = admin(['client', 'add', ...args]);
			assert.equal(r.status, 2, r.stdout + r.stderr);
			assert.match(r.stderr, message);
			assert.equal(r.stdout, '');
			assert.equal(JSON.parse(admin(['--json', 'client',
			    'list']).stdout).length, before, 'nothing stored');
		});
	}
});

describe('client list and show', () => {
	let dyn;
	let pre;

	before(async () => {
		dyn = await register(s, { client_name: 'Dynamic <One>' });
		pre = addJson('--name', 'Listed', '--redirect-uri',
		    'https://listed.example/cb', '--auth', 'client_secret_basic');
	});

	it('lists every client as a table', () => {
		const r = admin(['client', 'list']);
		assert.equal(r.status, 0);
		const lines = r.stdout.trim().split('\n');
		assert.match(lines[0],
		    /^CLIENT_ID\s+AUTH\s+TYPE\s+GRANTS\s+CREATED\s+NAME$/);
		const row = lines.find((l) => l.startsWith(pre.client_id));
		assert.match(row, /client_secret_basic\s+admin\s+0\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Listed$/);
		const drow = lines.find((l) => l.startsWith(dyn.client_id));
		assert.match(drow, /none\s+dynamic\s+0\s+\S+ Dynamic <One>$/);
	});

	it('lists every client as JSON', () => {
		const r = admin(['client', 'list', '--json']);
		assert.equal(r.status, 0);
		const list = JSON.parse(r.stdout);
		const d = list.find((c) => c.client_id === dyn.client_id);
		assert.equal(d.dynamic, true);
		assert.equal(d.grants, 0);
		assert.equal(d.client_name, 'Dynamic <One>');
		const p = list.find((c) => c.client_id === pre.client_id);
		assert.equal(p.dynamic, false);
		assert.equal(p.client_secret, undefined);
		assertNoNull(JSON.parse(r.stdout));
	});

	it('lists clients beyond one read transaction\'s part once each',
	    () => {
		// client list reads 100 clients per read transaction.
		const ids = [];
		for (let i = 0; i < 205; i++)
			ids.push(addJson('--name', `Many ${i}`, '--redirect-uri',
			    'https://many.example/cb').client_id);
		const table = admin(['client', 'list']);
		assert.equal(table.status, 0, table.stderr);
		const rows = table.stdout.trim().split('\n').slice(1)
		    .map((l) => l.split(/\s+/)[0]);
		assert.equal(new Set(rows).size, rows.length);
		for (const id of [...ids, dyn.client_id, pre.client_id])
			assert.ok(rows.includes(id), id);
		assert.deepEqual(rows, [...rows].sort((x, y) =>
		    Buffer.compare(Buffer.from(x), Buffer.from(y))));
		const list = JSON.parse(admin(['client', 'list', '--json'])
		    .stdout).map((c) => c.client_id);
		assert.deepEqual(list, rows);
	});

	it('shows every field', () => {
		const r = admin(['client', 'show', dyn.client_id]);
		assert.equal(r.status, 0, r.stderr);
		for (const re of [
			new RegExp(`^client_id: +${dyn.client_id}$`, 'm'),
			/^client_name: +Dynamic <One>$/m,
			/^registered: +dynamically \(\/register\)$/m,
			/^client_id_issued_at: +\d{4}-/m,
			/^token_endpoint_auth_method: +none$/m,
			/^grant_types: +authorization_code refresh_token$/m,
			/^response_types: +code$/m,
			/^scope: +-$/m,
			/^grants: +0$/m,
			/^redirect_uri: +http:\/\/127\.0\.0\.1:9999\/callback$/m,
		])
			assert.match(r.stdout, re);
	});

	it('shows JSON as registration answered it', () => {
		const r = admin(['--json', 'client', 'show', dyn.client_id]);
		assert.equal(r.status, 0);
		const { client_secret: _, ...expected } = dyn;
		assert.deepEqual(JSON.parse(r.stdout), {
			...expected, dynamic: true, grants: 0,
		});
	});

	it('exits 1 for an unknown client and 2 for bad usage', () => {
		let r = admin(['client', 'show', 'mcpc_nobodynobodynobody']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /mcpc_nobodynobodynobody: no such client/);
		r = admin(['client', 'show', '../../etc']);
		assert.equal(r.status, 1);
		for (const args of [['client'], ['client', 'show'],
		    ['client', 'list', 'x'], ['client', 'frob', 'x'],
		    ['client', 'del']]) {
			r = admin(args);
			assert.equal(r.status, 2, args.join(' '));
			assert.match(r.stderr, /usage: mcp-oauth-admin .*client add/);
		}
	});
});

describe('client del', () => {
	it('deletes the client and revokes its grants at once', async () => {
		const c = addJson('--name', 'Doomed', '--redirect-uri',
		    'http://127.0.0.1/callback', '--auth', 'client_secret_post');
		const p = new Person(s, 'alice', PW);
		// Two grants: one with tokens, one with an unredeemed code.
		const a = await approvedCode(p, c);
		const t = assertTokenResponse(await exchange(s, c, a.code,
		    a.verifier, { client_secret: c.client_secret }));
		const pending = await approvedCode(p, c);
		assert.match(admin(['client', 'show', c.client_id]).stdout,
		    /^grants: +2$/m);

		const r = admin(['--json', 'client', 'del', c.client_id]);
		assert.equal(r.status, 0, r.stderr);
		assert.deepEqual(JSON.parse(r.stdout), {
			client_id: c.client_id,
			deleted: true,
			revoked: {
				grants: 2,
				access_tokens: 1,
				refresh_tokens: 1,
				codes: 2,
			},
		});
		// Its tokens, its code and the client itself are gone.
		assert.ok(!await accessWorks(s, t.access_token));
		assertOAuthError(await refresh(s, c, t.refresh_token,
		    { client_secret: c.client_secret }), 401, 'invalid_client');
		assertOAuthError(await exchange(s, c, pending.code,
		    pending.verifier, { client_secret: c.client_secret }), 401,
		    'invalid_client');
		const page = await p.get(a.path);
		assert.equal(page.status, 400);
		assert.match(page.body, /not registered/);
		assert.equal(admin(['client', 'show', c.client_id]).status, 1);
	});

	it('leaves other clients\' grants alone', async () => {
		const keep = await register(s);
		const gone = await register(s);
		const p = new Person(s, 'alice', PW);
		const a = await approvedCode(p, keep);
		const t = assertTokenResponse(await exchange(s, keep, a.code,
		    a.verifier));
		const r = admin(['client', 'del', gone.client_id]);
		assert.equal(r.status, 0);
		assert.ok(await accessWorks(s, t.access_token));
		assert.equal(r.stdout, `deleted client ${gone.client_id}: revoked ` +
		    '0 grants (0 access tokens, 0 refresh tokens, 0 codes)\n');
		assertTokenResponse(await refresh(s, keep, t.refresh_token));
	});

	it('exits 1 for an unknown client', () => {
		const r = admin(['client', 'del', 'mcpc_nobodynobodynobody']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /no such client/);
	});
});

describe('an added client at the endpoints', () => {
	it('signs in and gets tokens with its printed secret (Basic)',
	    async () => {
		const c = addJson('--name', 'Basic app', '--redirect-uri',
		    'https://basic.example/cb', '--auth', 'client_secret_basic');
		const p = new Person(s, 'alice', PW);
		const a = await approvedCode(p, c);
		const res = await s.request('POST', '/token', {
			headers: { Authorization: 'Basic ' + Buffer.from(
			    `${c.client_id}:${c.client_secret}`).toString('base64') },
			form: {
				grant_type: 'authorization_code',
				code: a.code,
				code_verifier: a.verifier,
				redirect_uri: 'https://basic.example/cb',
			},
		});
		const t = assertTokenResponse(res);
		assert.equal(t.scope, 'mcp notes:read notes:write');
		assert.match(admin(['client', 'list']).stdout,
		    new RegExp(`${c.client_id} +client_secret_basic +admin +1 `));
	});

	it('uses its registered scope when the request names none',
	    async () => {
		const c = addJson('--name', 'Scoped', '--redirect-uri',
		    'http://127.0.0.1/callback', '--scope', 'notes:read');
		const p = new Person(s, 'alice', PW);
		const a = await approvedCode(p, c);
		assertTokenResponse(await exchange(s, c, a.code, a.verifier),
		    { scope: 'notes:read' });
	});
});
