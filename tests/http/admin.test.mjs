// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp-oauth-admin against the database of a running server:
// every command, its text and --json output (parsed and checked), every
// error path and exit code (0 success, 1 failure, 2 usage); revocation
// that takes effect at the very next request in every process; purge
// of expired records; and a full map, where stats, purge and deletion
// still work.  The fixtures are made by the tool and by the real OAuth
// flow, never written into the database behind the programs' backs.
//
// To purge "later" without waiting weeks, the purge test runs the tool
// with a small LD_PRELOAD library that moves its clock forward (like
// faketime); it is compiled here with the system's C compiler.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues, serverKind } from '../lib/harness.mjs';
import { Person, obtainTokens, refresh, register } from '../lib/oauth.mjs';
import { mcpPingStatus } from '../lib/checks.mjs';

const PW = 'admin-Pw-9753';
const SCOPE = 'mcp notes:read notes:write';
const COMMANDS = ['init', 'user', 'client', 'grant', 'token', 'revoke',
    'purge', 'stats', 'check', 'backup'];
let s;

before(async () => {
	s = await TestServer.start({
		procs: 2,
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

// Runs a command with --json: exit 0, nothing on stderr, one JSON
// document on stdout.
function json(args, opts) {
	const r = admin(['--json', ...args], opts);
	assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
	assert.equal(r.stderr, '');
	assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
	return JSON.parse(r.stdout);
}

// A failure: the exit status, and one line on stderr matching re.
function fails(args, status, re, opts) {
	const r = admin(args, opts);
	assert.equal(r.status, status, `${args.join(' ')}: ${r.stdout}`);
	const lines = r.stderr.trim().split('\n');
	assert.match(lines[0], re);
	if (status === 1)
		assert.equal(lines.length, 1, r.stderr);
	return r;
}

function mcpStatus(token) {
	return mcpPingStatus(s, token);
}

// Several requests at once, so that both FastCGI processes serve some.
async function mcpStatuses(token, n = 8) {
	return Promise.all(Array.from({ length: n }, () => mcpStatus(token)));
}

async function tokensFor(user, client) {
	return obtainTokens(s, new Person(s, user, PW), client,
	    { scope: SCOPE });
}

// A configuration file in a directory anyone may read, for the runs
// as another user and for databases elsewhere.
function openConfig(dbPath) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-admin-'));
	fs.chmodSync(dir, 0o755);
	const file = path.join(dir, 'mcp-oauth.conf');
	fs.writeFileSync(file, `issuer = ${s.issuer}\ndb_path = ${dbPath}\n`);
	fs.chmodSync(file, 0o644);
	return { dir, file };
}

// Runs a copy of the tool in dir (which the user may read) as
// uid/gid, in a forked child that drops root's privileges.
function runAs(dir, uid, gid, args) {
	const copy = path.join(dir, 'mcp-oauth-admin');
	fs.copyFileSync(s.adminPath, copy);
	fs.chmodSync(copy, 0o755);
	const r = spawnSync(copy, args, { uid, gid, encoding: 'utf8',
	    cwd: '/' });
	assert.equal(r.error, undefined, String(r.error));
	return r;
}

describe('the command line', () => {
	it('--version names the tool and the schema', () => {
		const r = admin(['--version']);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /^mcp-oauth-admin \S+ \(database schema 1\)\n$/);
	});

	it('--help lists every command', () => {
		const r = admin(['--help']);
		assert.equal(r.status, 0);
		for (const c of COMMANDS)
			assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'), c);
	});

	it('every command has --help', () => {
		for (const c of COMMANDS) {
			const r = admin([c, '--help']);
			assert.equal(r.status, 0, c);
			assert.match(r.stdout, new RegExp(
			    `^usage: mcp-oauth-admin \\[--config FILE\\] \\[--json\\] ${c}`),
			    c);
			assert.equal(r.stderr, '');
		}
	});

	it('exits 2 on usage errors, with the usage', () => {
		for (const args of [[], ['frobnicate'], ['--frob', 'stats'],
		    ['grant'], ['grant', 'show'], ['grant', 'list', '--frob'],
		    ['grant', 'list', '--user'], ['token', 'list', '--active'],
		    ['revoke'], ['revoke', '--user', 'a', '--all'],
		    ['revoke', '--frob'], ['revoke', '--token'],
		    ['purge', 'now'], ['stats', '-v'], ['check', '--fix'],
		    ['backup'], ['backup', 'a', 'b'], ['user', 'del']]) {
			const r = admin(args);
			assert.equal(r.status, 2, args.join(' '));
			assert.match(r.stderr, /usage: mcp-oauth-admin/,
			    args.join(' '));
			assert.equal(r.stdout, '', args.join(' '));
		}
	});

	it('names a missing configuration file', () => {
		fails(['--config', '/nonexistent/mcp.conf', 'stats'], 1,
		    /^mcp-oauth-admin: \/nonexistent\/mcp\.conf: cannot open/);
	});

	it('names a missing database and says to run init', () => {
		const { dir, file } = openConfig('/nonexistent-db');
		try {
			for (const c of [['stats'], ['purge'], ['check'],
			    ['grant', 'list'], ['token', 'list'],
			    ['revoke', '--all'], ['backup', `${dir}/b`]])
				fails(['--config', file, ...c], 1,
				    /\/nonexistent-db: no database here: run mcp-oauth-admin init$/);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	it('says "permission denied" to a user who may not open it ' +
	    '(and, only as root, to one who may not read the configuration)',
	    () => {
		// As root, a forked child drops to nobody; as anyone else,
		// a database directory closed to its owner does the same.
		const { dir, file } = openConfig(s.dbDir);
		try {
			let r;
			if (process.getuid() === 0) {
				r = runAs(dir, 65534, 65534, ['--config', file,
				    'stats']);
			} else {
				fs.chmodSync(s.dbDir, 0);
				try {
					r = admin(['--config', file, 'stats']);
				} finally {
					fs.chmodSync(s.dbDir, 0o700);
				}
			}
			assert.equal(r.status, 1, r.stdout);
			assert.match(r.stderr, /permission denied: the user running this program must be able to write the database directory/);
			assert.equal(r.stderr.trim().split('\n').length, 1);
			if (process.getuid() === 0) {
				// Nor may it read the server's own configuration.
				r = runAs(dir, 65534, 65534, ['--config',
				    s.configFile, 'stats']);
				assert.equal(r.status, 1);
				assert.match(r.stderr, /mcp-oauth\.conf: cannot open: Permission denied/);
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('listings, check, revocation', () => {
	let appA, appB, alice, bob, aliceB;

	before(async () => {
		appA = await register(s, { client_name: 'App A' });
		appB = await register(s, { client_name: 'App B' });
		alice = await tokensFor('alice', appA);
		bob = await tokensFor('bob', appA);
		aliceB = await tokensFor('alice', appB);
	});

	it('grant list shows every grant, and filters', () => {
		const all = json(['grant', 'list']);
		assert.equal(all.length, 3);
		for (const g of all) {
			assert.match(g.id, /^[0-9a-f]{32}$/);
			assert.equal(g.status, 'active');
			assert.equal(g.scope, SCOPE);
			assert.equal(g.resource, `${s.issuer}/mcp`);
			assert.equal(g.tokens, 3);	// code, access, refresh
			assert.ok(g.created > 0 && g.expires > g.created);
			assert.equal(g.last_refresh, 0);
		}
		const mine = json(['grant', 'list', '--user', 'alice']);
		assert.deepEqual(mine.map((g) => g.client_id).sort(),
		    [appA.client_id, appB.client_id].sort());
		assert.ok(mine.every((g) => g.user === 'alice'));
		const a = json(['grant', 'list', '--client', appA.client_id]);
		assert.deepEqual(a.map((g) => g.user).sort(), ['alice', 'bob']);
		const both = json(['grant', 'list', '--user', 'alice',
		    '--client', appB.client_id, '--active']);
		assert.equal(both.length, 1);
		assert.equal(both[0].client_id, appB.client_id);
		assert.deepEqual(json(['grant', 'list', '--user', 'bob',
		    '--client', appB.client_id]), []);
	});

	it('grant list in text: a header and one line per grant', () => {
		const r = admin(['grant', 'list', '--user', 'alice']);
		assert.equal(r.status, 0, r.stderr);
		const lines = r.stdout.trim().split('\n');
		assert.match(lines[0], /^GRANT +USER +CLIENT +STATUS +CREATED +LAST-REFRESH +EXPIRES +TOKENS +SCOPE +RESOURCE$/);
		assert.equal(lines.length, 3);
		assert.ok(lines.slice(1).every((l) => / alice +mcpc_/.test(l)));
	});

	it('refuses unknown users and clients', () => {
		for (const args of [['grant', 'list', '--user', 'carol'],
		    ['token', 'list', '--user', 'carol']])
			fails(args, 1, /^mcp-oauth-admin: no such user: carol$/);
		for (const args of [['grant', 'list', '--client', 'mcpc_none'],
		    ['token', 'list', '--user', 'alice', '--client',
		    'mcpc_none']])
			fails(args, 1, /^mcp-oauth-admin: no such client: mcpc_none$/);
	});

	it('token list shows hash prefixes, never a token', () => {
		const secrets = [alice, bob, aliceB].flatMap((t) =>
		    [t.access_token, t.refresh_token, t.code]);
		for (const args of [['token', 'list'], ['--json', 'token', 'list'],
		    ['token', 'list', '--user', 'alice']]) {
			const r = admin(args);
			assert.equal(r.status, 0, r.stderr);
			for (const t of secrets)
				assert.ok(!r.stdout.includes(t), 'a token leaked');
			assert.doesNotMatch(r.stdout, /mcp(at|rt|ac)_/);
		}
		const all = json(['token', 'list']);
		assert.equal(all.length, 9);
		const mine = json(['token', 'list', '--user', 'alice']);
		assert.equal(mine.length, 6);
		const kinds = mine.map((t) => t.kind).sort();
		assert.deepEqual(kinds, ['access', 'access', 'code', 'code',
		    'refresh', 'refresh']);
		for (const t of mine) {
			assert.match(t.hash_prefix, /^[0-9a-f]{12}$/);
			assert.equal(t.user, 'alice');
			assert.equal(t.status, t.kind === 'code' ? 'used' : 'live');
			assert.ok(t.expires > t.created);
		}
		const byClient = json(['token', 'list', '--client',
		    appB.client_id]);
		assert.equal(byClient.length, 3);
		assert.ok(byClient.every((t) => t.client_id === appB.client_id));
	});

	it('stats counts what the flow made', () => {
		const st = json(['stats']);
		assert.equal(st.db_path, s.dbDir);
		assert.equal(st.schema_version, 1);
		assert.equal(st.counts.users, 2);
		assert.equal(st.counts.clients, 2);
		assert.equal(st.counts.grants, 3);
		assert.equal(st.counts.active_grants, 3);
		assert.equal(st.counts.codes, 3);
		assert.equal(st.counts.access_tokens, 3);
		assert.equal(st.counts.refresh_tokens, 3);
		assert.equal(st.counts.grant_tokens, 9);
		assert.equal(st.counts.user_grants, 3);
		assert.equal(st.expired.tokens, 0);
		assert.equal(st.corrupt, 0);
		assert.equal(st.page_size, 4096);
		assert.equal(st.map_size, 256 * 1024 * 1024);
		assert.ok(st.map_usage_percent > 0 && st.map_usage_percent < 5);
		assert.ok(st.used_bytes > 0 && st.file_size >= st.used_bytes);
		assert.equal(st.readers.max, 1022);
		assert.ok(st.readers.slots_in_use >= 1);
		assert.equal(st.readers.stale_cleared, 0);
		const r = admin(['stats']);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /^tokens +3 access, 3 refresh$/m);
		assert.match(r.stdout, /^map usage +\d+\.\d% of db_map_size \(256 MiB\)$/m);
		assert.match(r.stdout, /^database +\S+ \(schema version 1\)$/m);
	});

	it('check finds nothing wrong', () => {
		const r = admin(['check']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^checked \d+ records and index entries: no problems\n$/);
		const j = json(['check', '--repair']);
		assert.equal(j.ok, true);
		assert.equal(j.problems_found, 0);
		assert.deepEqual(j.problems, []);
		assert.ok(j.checked >= 3 + 3 + 6 + 9);
	});

	it('revoke --token: an access token alone', async () => {
		assert.deepEqual(await mcpStatuses(bob.access_token, 2), [200, 200]);
		const r = json(['revoke', '--token', bob.access_token]);
		assert.deepEqual(r, { grants: 0, access_tokens: 1,
		    refresh_tokens: 0, codes: 0, sessions: 0,
		    token_kind: 'access' });
		assert.deepEqual(await mcpStatuses(bob.access_token, 2), [401, 401]);
		// The refresh token still works.
		const res = await refresh(s, appA, bob.refresh_token);
		assert.equal(res.status, 200, res.body);
		bob = { ...bob, ...res.json() };
		assert.equal(await mcpStatus(bob.access_token), 200);
		fails(['revoke', '--token', 'mcpat_' + 'x'.repeat(43)], 1,
		    /^mcp-oauth-admin: no such token: it is unknown, expired and purged, or already revoked$/);
	});

	it('revoke --token -: a refresh token from stdin takes its grant',
	    async () => {
		const r = admin(['revoke', '--token', '-'],
		    { input: `${bob.refresh_token}\n` });
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^revoked the refresh token: 1 grant, 1 access token, 2 refresh tokens, 1 code, 0 sign-in sessions\n$/);
		assert.equal(await mcpStatus(bob.access_token), 401);
		const res = await refresh(s, appA, bob.refresh_token);
		assert.equal(res.status, 400);
		assert.equal(res.json().error, 'invalid_grant');
		fails(['revoke', '--token', '-'], 1, /no token on standard input/,
		    { input: '' });
	});

	it('revoke --grant and --client', async () => {
		const [g] = json(['grant', 'list', '--user', 'alice', '--client',
		    appB.client_id]);
		assert.deepEqual(json(['revoke', '--grant', g.id]), { grants: 1,
		    access_tokens: 1, refresh_tokens: 1, codes: 1, sessions: 0 });
		assert.equal(await mcpStatus(aliceB.access_token), 401);
		fails(['revoke', '--grant', g.id], 1,
		    /^mcp-oauth-admin: no such grant: [0-9a-f]{32}$/);
		fails(['revoke', '--client', 'mcpc_none'], 1,
		    /^mcp-oauth-admin: no such client: mcpc_none$/);
		const c = json(['revoke', '--client', appB.client_id]);
		assert.equal(c.grants, 0);
		const t = await tokensFor('bob', appB);
		assert.equal(await mcpStatus(t.access_token), 200);
		const r = admin(['revoke', '--client', appB.client_id]);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /^revoked 1 grant, 1 access token, 1 refresh token, 1 code, 0 sign-in sessions\n$/);
		assert.equal(await mcpStatus(t.access_token), 401);
		assert.equal(await mcpStatus(alice.access_token), 200);
	});

	it('user disable revokes; enable lets her back in', async () => {
		fails(['user', 'disable', 'carol'], 1,
		    /^mcp-oauth-admin: no such user: carol$/);
		const r = json(['user', 'disable', 'alice']);
		assert.equal(r.user, 'alice');
		assert.equal(r.disabled, true);
		assert.equal(r.revoked.grants, 1);
		assert.ok(r.revoked.sessions >= 1, 'her browser session ends');
		assert.equal(await mcpStatus(alice.access_token), 401);
		const users = json(['user', 'list']);
		assert.equal(users.find((u) => u.user === 'alice').disabled, true);
		const e = admin(['user', 'enable', 'alice']);
		assert.equal(e.status, 0);
		assert.equal(e.stdout, 'enabled user alice\n');
		alice = await tokensFor('alice', appA);
		assert.equal(await mcpStatus(alice.access_token), 200);
	});

	it('revoke --user and --all', async () => {
		fails(['revoke', '--user', 'carol'], 1,
		    /^mcp-oauth-admin: no such user: carol$/);
		const r = json(['revoke', '--user', 'alice']);
		assert.equal(r.grants, 1);
		assert.equal(await mcpStatus(alice.access_token), 401);
		alice = await tokensFor('alice', appA);
		bob = await tokensFor('bob', appA);
		const all = json(['revoke', '--all']);
		assert.equal(all.grants, 2);
		assert.equal(all.access_tokens, 2);
		assert.equal(all.refresh_tokens, 2);
		assert.equal(all.codes, 2);
		assert.deepEqual(await mcpStatuses(alice.access_token, 2),
		    [401, 401]);
		assert.equal(await mcpStatus(bob.access_token), 401);
		assert.deepEqual(json(['grant', 'list']), []);
		assert.equal(json(['user', 'list']).length, 2, 'users stay');
		assert.equal(json(['check']).ok, true);
	});

	it('backup writes a compacted copy, never over a file', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-backup-'));
		try {
			// The tool may run as another user: let it write here.
			fs.chmodSync(dir, 0o777);
			const file = path.join(dir, 'mcp.mdb');
			const b = json(['backup', file]);
			assert.equal(b.file, file);
			assert.equal(fs.statSync(file).size, b.bytes);
			assert.equal(fs.statSync(file).mode & 0o777, 0o600);
			fails(['backup', file], 1,
			    /: already exists; a backup never overwrites/);
			// It opens as a database of its own.
			const restored = path.join(dir, 'db');
			fs.mkdirSync(restored, { mode: 0o700 });
			fs.copyFileSync(file, path.join(restored, 'data.mdb'));
			const { dir: cdir, file: conf } = openConfig(restored);
			try {
				const r = spawnSync(s.adminPath, ['--config', conf,
				    '--json', 'user', 'list'], { encoding: 'utf8' });
				assert.equal(r.status, 0, r.stderr);
				assert.deepEqual(JSON.parse(r.stdout).map((u) =>
				    u.user).sort(), ['alice', 'bob']);
			} finally {
				fs.rmSync(cdir, { recursive: true, force: true });
			}
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('revocation is immediate in every process', () => {
	it('revoke --user: the very next requests get 401', async () => {
		const client = await register(s, { client_name: 'Load' });
		// Another client for her second grant: a second grant of
		// the same registered client would replace the first.
		const other = await register(s, { client_name: 'Load 2' });
		const a1 = await tokensFor('alice', client);
		const a2 = await tokensFor('alice', other);
		const b = await tokensFor('bob', client);
		// Warm every process: each now holds a reader slot.
		for (let round = 0; round < 3; round++) {
			assert.deepEqual(await mcpStatuses(a1.access_token),
			    Array(8).fill(200));
			assert.deepEqual(await mcpStatuses(a2.access_token),
			    Array(8).fill(200));
		}
		const r = admin(['revoke', '--user', 'alice']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^revoked 2 grants, 2 access tokens, 2 refresh tokens, 2 codes, \d+ sign-in sessions?\n$/);
		for (let round = 0; round < 3; round++) {
			assert.deepEqual(await mcpStatuses(a1.access_token),
			    Array(8).fill(401));
			assert.deepEqual(await mcpStatuses(a2.access_token),
			    Array(8).fill(401));
		}
		const res = await refresh(s, client, a1.refresh_token);
		assert.equal(res.status, 400);
		assert.deepEqual(await mcpStatuses(b.access_token),
		    Array(8).fill(200));
	});
});

// The same, process by process: the log names the process of each
// line ("mcp.fcgi[pid]: event=..."), so it shows which processes
// accepted the token before the revocation and which refused it after.
// A token passed the check if its write was refused by the rate limit
// (one write a minute), which only a caller who passed it can reach.
describe('revocation, process by process', () => {
	const PROCS = 3;
	let r;

	before(async () => {
		if (serverKind !== 'lighttpd')
			return;
		r = await TestServer.start({
			procs: PROCS,
			users: [{ name: 'carol', password: PW }],
			config: 'tool_write_rate_limit = 1',
		});
	});

	after(async () => {
		await r?.stop();
	});

	function addNote(token) {
		return r.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'tools/call',
			    params: { name: 'notes_add',
			    arguments: { title: 't', text: 'x' } } },
			headers: {
				Authorization: `Bearer ${token}`,
				Accept: 'application/json, text/event-stream',
				'MCP-Protocol-Version': '2025-11-25',
			},
		});
	}

	// The pids of the mcp.fcgi lines since mark that match re.
	function pidsLogging(mark, re) {
		const out = new Set();
		for (const line of r.programLogSince(mark).split('\n')) {
			const m = /mcp\.fcgi\[(\d+)\]: (.*)$/.exec(line);
			if (m !== null && re.test(m[2]))
				out.add(Number(m[1]));
		}
		return [...out].sort((a, b) => a - b);
	}

	// Sends rounds of 8 requests at once (lighttpd gives each to the
	// least busy process) until every one of pids has logged re, and
	// checks each answer; returns the pids that logged it.
	async function untilEveryProcess(pids, token, re, check) {
		const mark = r.logMark();
		let seen = [];
		for (let round = 0; round < 300; round++) {
			const answers = await Promise.all(Array.from(
			    { length: 8 }, () => addNote(token)));
			answers.forEach(check);
			seen = pidsLogging(mark, re);
			if (pids.every((pid) => seen.includes(pid)))
				break;
		}
		return seen;
	}

	it('revoke --token: every mcp.fcgi process that accepted the token ' +
	    'refuses it at its next request',
	    { skip: serverKind !== 'lighttpd' && 'only lighttpd starts a ' +
	    'fixed set of FastCGI processes (mod_fcgid starts them on ' +
	    'demand, CGI one per request)' }, async () => {
		const client = await register(r, { client_name: 'Processes' });
		const t = await obtainTokens(r, new Person(r, 'carol', PW),
		    client, { scope: SCOPE });
		const pids = r.programProcesses().filter((p) =>
		    p.name === 'mcp.fcgi').map((p) => p.pid)
		    .sort((a, b) => a - b);
		assert.equal(pids.length, PROCS);
		// The one write of the minute; every later one is refused
		// by the rate limit, after the token check, with a log line.
		const first = await addNote(t.access_token);
		assert.equal(first.status, 200, first.body);
		assert.equal(first.json().result.isError, undefined,
		    first.body);
		const accepted = await untilEveryProcess(pids, t.access_token,
		    /^event=tool_throttled user="carol"/, (res) => {
			assert.equal(res.status, 200, res.body);
			assert.equal(res.json().result.isError, true, res.body);
		});
		assert.deepEqual(accepted, pids, 'every process accepted it');

		const rv = r.admin(['revoke', '--token', t.access_token]);
		assert.match(rv.stdout, /1 access token/);
		const hash = crypto.createHash('sha256').update(t.access_token)
		    .digest('hex').slice(0, 8);
		const refused = await untilEveryProcess(pids, t.access_token,
		    new RegExp(`^event=bearer_rejected .*token=${hash}`),
		    (res) => {
			assert.equal(res.status, 401, res.body);
			assert.match(headerValues(res, 'WWW-Authenticate')[0],
			    /^Bearer error="invalid_token"/);
		});
		assert.deepEqual(refused, pids, 'every process refused it');
		assert.deepEqual(r.programProcesses().filter((p) =>
		    p.name === 'mcp.fcgi').map((p) => p.pid)
		    .sort((a, b) => a - b), pids, 'the same processes');
	});
});

// A library that moves time() forward by MCP_FAKE_TIME_OFFSET seconds.
function fakeClock() {
	const src = path.join(s.dir, 'fakeclock.c');
	const lib = path.join(s.dir, 'fakeclock.so');
	fs.writeFileSync(src, [
		'#include <stdlib.h>',
		'#include <time.h>',
		'time_t',
		'time(time_t *out)',
		'{',
		'	struct timespec ts;',
		'	const char *o = getenv("MCP_FAKE_TIME_OFFSET");',
		'	time_t t;',
		'	clock_gettime(CLOCK_REALTIME, &ts);',
		'	t = ts.tv_sec + (o != NULL ? atol(o) : 0);',
		'	if (out != NULL)',
		'		*out = t;',
		'	return t;',
		'}',
		'',
	].join('\n'));
	const r = spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-o',
	    lib, src], { encoding: 'utf8' });
	assert.equal(r.status, 0, `cannot build the clock library: ${r.stderr}`);
	fs.chmodSync(lib, 0o755);
	return lib;
}

describe('purge', () => {
	it('removes what expired, keeps what lives', async () => {
		const client = await register(s, { client_name: 'Purge' });
		const t = await tokensFor('bob', client);
		// Nothing has expired yet: everything stays.
		const now = json(['purge']);
		assert.equal(now.grants + now.access_tokens + now.refresh_tokens,
		    0);
		assert.equal(now.complete, true);
		assert.equal(await mcpStatus(t.access_token), 200);
		const before = json(['stats']);
		assert.ok(before.counts.sessions >= 1);

		// Forty days on, every token, code, grant and session is old.
		const lib = fakeClock();
		const later = (args) => {
			const argv = [s.adminPath, '--config', s.configFile, ...args];
			if (s.runAs !== null)
				argv.unshift('runuser', '-u', s.runAs, '--');
			return spawnSync(argv[0], argv.slice(1), {
				encoding: 'utf8',
				env: { ...process.env, LD_PRELOAD: lib,
				    MCP_FAKE_TIME_OFFSET: String(40 * 86400) },
			});
		};
		const st = JSON.parse(later(['--json', 'stats']).stdout);
		assert.equal(st.expired.tokens, before.counts.access_tokens +
		    before.counts.refresh_tokens);
		const r = later(['--json', 'purge']);
		assert.equal(r.status, 0, r.stderr);
		const p = JSON.parse(r.stdout);
		assert.equal(p.grants, before.counts.grants);
		assert.equal(p.access_tokens, before.counts.access_tokens);
		assert.equal(p.refresh_tokens, before.counts.refresh_tokens);
		assert.equal(p.codes, before.counts.codes);
		assert.equal(p.sessions, before.counts.sessions);
		assert.equal(p.index_entries, before.counts.grant_tokens +
		    before.counts.user_grants + before.counts.client_grants);
		assert.ok(p.examined >= p.grants + p.codes);
		const text = later(['purge']);
		assert.equal(text.status, 0);
		assert.match(text.stdout, /^purged 0 codes, 0 access tokens, 0 refresh tokens, 0 grants, 0 sign-in sessions, 0 pending requests, 0 rate-limit counters, 0 unused metadata document clients, 0 unused registered clients \(and 0 index entries\); examined \d+ records\n$/);
		const after = json(['stats']);
		assert.equal(after.counts.grants + after.counts.codes +
		    after.counts.access_tokens + after.counts.refresh_tokens +
		    after.counts.sessions, 0);
		assert.equal(after.counts.users, 2);
		assert.equal(await mcpStatus(t.access_token), 401);
		assert.equal(json(['check']).ok, true);
	});

	it('user del removes her and what she had', async () => {
		const client = await register(s, { client_name: 'Del' });
		const t = await tokensFor('alice', client);
		const r = json(['user', 'del', 'alice']);
		assert.equal(r.user, 'alice');
		assert.equal(r.deleted, true);
		assert.equal(r.revoked.grants, 1);
		assert.equal(await mcpStatus(t.access_token), 401);
		assert.deepEqual(json(['user', 'list']).map((u) => u.user), ['bob']);
		fails(['user', 'del', 'alice'], 1,
		    /^mcp-oauth-admin: no such user: alice$/);
	});
});

describe('a full map', () => {
	let f;

	before(async () => {
		f = await TestServer.start({
			config: 'db_map_size = 1M',
			users: [{ name: 'alice', password: PW }],
		});
	});

	after(async () => {
		await f?.stop();
	});

	function fadmin(args) {
		return f.admin(args, { allowFailure: true });
	}

	it('stats and purge still work and say how to grow; deleting makes room',
	    async () => {
		const client = await register(f);
		const t = await obtainTokens(f, new Person(f, 'alice', PW),
		    client, { scope: SCOPE });
		const add = (i) => f.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: i, method: 'tools/call',
			    params: { name: 'notes_add', arguments: {
			    title: `n${i}`, text: 'x'.repeat(3900) } } },
			headers: {
				Authorization: `Bearer ${t.access_token}`,
				Accept: 'application/json, text/event-stream',
				'MCP-Protocol-Version': '2025-11-25',
			},
		});
		let i = 0;
		for (;; i++) {
			assert.ok(i < 1000, 'the map never filled');
			const res = await add(i);
			if (res.status === 503)
				break;
			assert.equal(res.status, 200, res.body);
			if (res.json().result?.isError || res.json().error)
				break;
		}
		assert.ok(i > 50, `only ${i} notes fit`);

		const st = fadmin(['--json', 'stats']);
		assert.equal(st.status, 0, st.stderr);
		assert.ok(JSON.parse(st.stdout).map_usage_percent >= 90);
		assert.match(st.stderr, new RegExp('warning: the database uses ' +
		    '\\d+% of db_map_size \\(1 MiB\\): raise db_map_size in ' +
		    f.configFile.replace(/[.]/g, '\\.')));
		const p = fadmin(['purge']);
		assert.equal(p.status, 0, p.stderr);
		assert.match(p.stderr, /raise db_map_size in /);

		// Deleting on a full map needs fresh pages: it gets them.
		const d = fadmin(['--json', 'user', 'del', 'alice']);
		assert.equal(d.status, 0, d.stderr);
		assert.equal(JSON.parse(d.stdout.trim().split('\n').pop()).notes,
		    i);
		const after = JSON.parse(fadmin(['--json', 'stats']).stdout);
		assert.equal(after.counts.notes, 0);
		assert.ok(after.free_bytes > 3900 * i / 2);
		// And the server can write again.
		f.addUser('bob', PW);
		const t2 = await obtainTokens(f, new Person(f, 'bob', PW), client,
		    { scope: SCOPE });
		assert.equal(t2.token_type, 'Bearer');
	});
});
