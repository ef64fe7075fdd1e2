// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A hostile environment (fault injection): the database
// directory missing, read-only, or another user's; the configuration
// missing or malformed; the error log on a full disk.  Each time every
// program answers with a clear error in its protocol's shape and a log
// line that says what is wrong, exits normally (no crash), creates
// nothing where the database should be, and once the fault is repaired
// everything stored before (tokens, notes) is still there.
//
// The programs run as plain CGI (tests/lib/cgi.mjs): one process per
// request, with the environment and the standard error we choose.  Run
// as root, the site belongs to "nobody" and the programs run as nobody,
// so that file permissions apply to them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CgiSite, mcpCgiRequest as mcpRequest } from '../lib/cgi.mjs';
import { adminPath } from '../lib/harness.mjs';
import { formField, pkce } from '../lib/oauth.mjs';

const asRoot = process.getuid() === 0;

// The unprivileged user the programs run as when we are root.
function nobody() {
	const id = (flag) => Number(spawnSync('id', [flag, 'nobody'],
	    { encoding: 'utf8' }).stdout.trim());
	return { uid: id('-u'), gid: id('-g') };
}

let site;
let client;
let tokens;
let dbDir;

// One whole flow through the CGI programs (user_auth = remote_user
// spares the login page): the token response.
function obtainTokens() {
	const { verifier, challenge } = pkce();
	const page = site.run('authorize.fcgi', {
		target: '/authorize?' + new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			state: 'env',
			code_challenge: challenge,
			code_challenge_method: 'S256',
		}),
		env: { REMOTE_USER: 'alice' },
	});
	assert.equal(page.status, 200, page.body.slice(0, 300));
	const res = site.run('authorize.fcgi', {
		method: 'POST',
		target: '/authorize',
		headers: { Cookie: page.header('Set-Cookie')
		    .map((h) => h.split(';')[0]).join('; ') },
		env: { REMOTE_USER: 'alice' },
		body: new URLSearchParams({
			request: formField(page.body, 'request'),
			csrf: formField(page.body, 'csrf'),
			action: 'approve',
		}).toString(),
	});
	assert.equal(res.status, 302, res.body);
	const code = new URL(res.header('Location')[0]).searchParams
	    .get('code');
	const tok = site.run('token.fcgi', tokenRequest({
		grant_type: 'authorization_code',
		code,
		code_verifier: verifier,
		client_id: client.client_id,
	}));
	assert.equal(tok.status, 200, tok.body);
	return tok.json();
}

function tokenRequest(form, extra = {}) {
	return {
		method: 'POST',
		target: '/token',
		body: new URLSearchParams(form).toString(),
		...extra,
	};
}

function notes(token) {
	const res = site.run('mcp.fcgi', mcpRequest(token, 'tools/call',
	    { name: 'notes_list', arguments: {} }));
	assert.equal(res.status, 200, res.body);
	return JSON.parse(res.json().result.content[0].text).notes
	    .map((n) => n.title);
}

// Everything stored before the fault is still there and works.
function assertIntact() {
	assert.deepEqual(notes(tokens.access_token), ['before the fault']);
	const res = site.run('token.fcgi', tokenRequest({
		grant_type: 'refresh_token',
		refresh_token: tokens.refresh_token,
		client_id: client.client_id,
	}));
	assert.equal(res.status, 200, res.body);
	tokens = res.json();
	const r = spawnSync(adminPath, ['--config', site.configFile, 'check'],
	    { encoding: 'utf8', ...site.user });
	assert.equal(r.status, 0, r.stdout + r.stderr);
}

// What every endpoint answers while the database cannot be opened:
// the OAuth endpoints a JSON server_error, /authorize an HTML page,
// /mcp a JSON-RPC error; each logs why.  log matches the log line.
function assertUnavailable(log) {
	const token = site.run('token.fcgi', tokenRequest({
		grant_type: 'refresh_token',
		refresh_token: tokens.refresh_token,
		client_id: client.client_id,
	}));
	assert.equal(token.status, 500, token.body);
	assert.deepEqual(token.json(), { error: 'server_error',
	    error_description: 'the server\'s database is unavailable; ' +
	    'see the error log' });
	assert.match(token.stderr, log);

	const reg = site.run('register.fcgi', {
		method: 'POST',
		target: '/register',
		env: { CONTENT_TYPE: 'application/json' },
		body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'],
		    token_endpoint_auth_method: 'none' }),
	});
	assert.equal(reg.status, 500, reg.body);
	assert.equal(reg.json().error, 'server_error');
	assert.match(reg.stderr, log);

	const page = site.run('authorize.fcgi', {
		target: '/authorize?' + new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		}),
		env: { REMOTE_USER: 'alice' },
	});
	assert.equal(page.status, 500);
	assert.deepEqual(page.header('Content-Type'),
	    ['text/html; charset=utf-8']);
	assert.match(page.body, /cannot handle this sign-in right now/);
	assert.match(page.stderr, log);

	const mcp = site.run('mcp.fcgi', mcpRequest(tokens.access_token,
	    'tools/list', {}));
	assert.equal(mcp.status, 503, mcp.body);
	assert.equal(mcp.json().jsonrpc, '2.0');
	assert.equal(mcp.json().error.code, -32603);
	assert.match(mcp.json().error.message, /database is unavailable/);
	assert.match(mcp.stderr, log);

	const rev = site.run('revoke.fcgi', {
		method: 'POST',
		target: '/revoke',
		body: new URLSearchParams({ token: tokens.access_token,
		    client_id: client.client_id }).toString(),
	});
	assert.equal(rev.status, 500, rev.body);
	assert.equal(rev.json().error, 'server_error');

	// Metadata needs no database.
	const meta = site.run('metadata.fcgi',
	    { target: '/.well-known/oauth-authorization-server' });
	assert.equal(meta.status, 200);
}

before(() => {
	site = new CgiSite({ config: 'user_auth = remote_user',
	    user: asRoot ? nobody() : undefined });
	dbDir = path.join(site.dir, 'db');
	client = JSON.parse(site.admin(['--json', 'client', 'add', '--name',
	    'Env client', '--redirect-uri', 'http://127.0.0.1/callback'])
	    .stdout);
	tokens = obtainTokens();
	const res = site.run('mcp.fcgi', mcpRequest(tokens.access_token,
	    'tools/call', { name: 'notes_add', arguments:
	    { title: 'before the fault', text: 'kept' } }));
	assert.equal(res.json().result.isError, undefined, res.body);
});

after(() => {
	if (site !== undefined) {
		// Undo what a failed test may have left.
		for (const d of [dbDir, `${dbDir}.away`])
			if (fs.existsSync(d))
				fs.chmodSync(d, 0o700);
		site.cleanup();
	}
});

describe('the database directory', () => {
	it('missing: a clear error, and nothing is created in its place',
	    () => {
		fs.renameSync(dbDir, `${dbDir}.away`);
		try {
			assertUnavailable(new RegExp('event=database_error ' +
			    `msg="${dbDir}: no database here: run ` +
			    'mcp-oauth-admin init"'));
			assert.ok(!fs.existsSync(dbDir), 'a program created it');
		} finally {
			fs.renameSync(`${dbDir}.away`, dbDir);
		}
		assertIntact();
	});

	it('read-only: a clear error', () => {
		const files = fs.readdirSync(dbDir).map((f) =>
		    path.join(dbDir, f));
		for (const f of files)
			fs.chmodSync(f, 0o400);
		fs.chmodSync(dbDir, 0o500);
		try {
			assertUnavailable(/event=database_error msg=".*permission denied: the user running this program must be able to write the database directory/);
		} finally {
			fs.chmodSync(dbDir, 0o700);
			for (const f of files)
				fs.chmodSync(f, 0o600);
		}
		assertIntact();
	});

	it('another user\'s: a clear error', () => {
		// As root the programs run as nobody: a directory of root's
		// is another user's.  Otherwise, the closest we can make.
		const owner = fs.statSync(dbDir);
		if (asRoot)
			fs.chownSync(dbDir, 0, 0);
		else
			fs.chmodSync(dbDir, 0o000);
		try {
			assertUnavailable(/event=database_error msg=".*permission denied/);
		} finally {
			if (asRoot)
				fs.chownSync(dbDir, owner.uid, owner.gid);
			else
				fs.chmodSync(dbDir, 0o700);
		}
		assertIntact();
	});
});

describe('the configuration', () => {
	function everyProgram(env, status, log) {
		for (const [program, target] of [
			['metadata.fcgi', '/.well-known/oauth-authorization-server'],
			['authorize.fcgi', '/authorize'],
			['token.fcgi', '/token'],
			['register.fcgi', '/register'],
			['revoke.fcgi', '/revoke'],
			['mcp.fcgi', '/mcp'],
		]) {
			const res = site.run(program, { target, env });
			assert.equal(res.status, status, `${program}: ` +
			    res.body);
			// Each in its protocol's shape: a page for a
			// person, JSON-RPC at /mcp, OAuth JSON elsewhere.
			if (program === 'authorize.fcgi') {
				assert.deepEqual(res.header('Content-Type'),
				    ['text/html; charset=utf-8']);
				assert.match(res.body, /<h1>Server error<\/h1>/);
				assert.match(res.body, /error log says why/);
			} else if (program === 'mcp.fcgi') {
				assert.deepEqual(res.json(), { jsonrpc: '2.0',
				    id: null, error: { code: -32603,
				    message: 'Internal error: the server ' +
				    'configuration could not be loaded; see ' +
				    'the web server\'s error log' } });
			} else {
				assert.deepEqual(res.json(), {
				    error: 'server_error',
				    error_description: 'the server ' +
				    'configuration could not be loaded; see ' +
				    'the web server\'s error log' });
			}
			assert.match(res.stderr, log, program);
		}
	}

	it('missing: 500 and the file named in the log', () => {
		const missing = path.join(site.dir, 'nowhere.conf');
		everyProgram({ MCP_OAUTH_CONFIG: missing }, 500,
		    new RegExp(`event=config_error msg="${missing}: .*No such file`));
		assertIntact();
	});

	it('malformed: 500 and the file, line and key in the log', () => {
		const bad = path.join(site.dir, 'bad.conf');
		fs.writeFileSync(bad, fs.readFileSync(site.configFile, 'utf8') +
		    'access_token_lifetime = forever\n');
		const lines = fs.readFileSync(bad, 'utf8').split('\n').length - 1;
		everyProgram({ MCP_OAUTH_CONFIG: bad }, 500, new RegExp(
		    `event=config_error msg="${bad}:${lines}: ` +
		    'access_token_lifetime: '));
		fs.writeFileSync(bad, 'this is not a configuration\n');
		everyProgram({ MCP_OAUTH_CONFIG: bad }, 500,
		    new RegExp(`event=config_error msg="${bad}:1: `));
		assertIntact();
	});
});

// A shared library, preloaded into a program, that passes every
// write() to the kernel unchanged and, for standard error, appends to
// the file MCP_STDERR_RECORD what the program tried to write and what
// the kernel answered: "write(2, N) = R errno=E", then the bytes.  It
// shows where the log lines went when nobody can read them (stderr on
// /dev/full); the program's own write() of a log line is one call.
const stderrRecorder = `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

ssize_t
write(int fd, const void *buf, size_t n)
{
	long		 r = syscall(SYS_write, fd, buf, n);
	int		 saved = errno;
	const char	*path = getenv("MCP_STDERR_RECORD");
	char		 head[80];
	int		 rec, len;

	if (fd == STDERR_FILENO && path != NULL &&
	    (rec = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600)) != -1) {
		len = snprintf(head, sizeof(head), "write(2, %zu) = %ld errno=%d\\n",
		    n, r, r == -1 ? saved : 0);
		syscall(SYS_write, rec, head, len);
		syscall(SYS_write, rec, buf, n);
		close(rec);
	}
	errno = saved;
	return r;
}
`;

function buildStderrRecorder(dir) {
	const src = path.join(dir, 'stderr-recorder.c');
	const lib = path.join(dir, 'stderr-recorder.so');
	fs.writeFileSync(src, stderrRecorder);
	const r = spawnSync(process.env.CC ?? 'cc', ['-shared', '-fPIC', '-o',
	    lib, src], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`cannot build the recorder: ${r.stderr}`);
	fs.chmodSync(lib, 0o755);
	return lib;
}

describe('the error log on a full disk', () => {
	const ENOSPC = 28;
	let full;
	let lib;
	let record;

	before(() => {
		full = fs.openSync('/dev/full', 'w');
		lib = buildStderrRecorder(site.dir);
		record = path.join(site.dir, 'stderr.record');
	});

	after(() => {
		if (full !== undefined)
			fs.closeSync(full);
	});

	// Runs one request with standard error on /dev/full; returns the
	// response and what the program tried to write there.
	function runOnFullDisk(program, request) {
		fs.writeFileSync(record, '');
		if (site.user.uid !== undefined)
			fs.chownSync(record, site.user.uid, site.user.gid);
		const env = { ...request.env, LD_PRELOAD: lib,
		    MCP_STDERR_RECORD: record };
		// A sanitizer build wants its runtime first; the recorder
		// only wraps write(), which it does not need to see.
		if (process.env.ASAN_OPTIONS !== undefined)
			env.ASAN_OPTIONS = `${process.env.ASAN_OPTIONS}:` +
			    'verify_asan_link_order=0';
		const res = site.run(program, { ...request, env,
		    stderr: full });
		// Standard output holds the response and nothing else: no
		// log line fell back onto it, before or after the headers.
		for (let i = 0; i < res.rawHeaders.length; i += 2)
			assert.match(res.rawHeaders[i], /^[A-Za-z][A-Za-z0-9-]*$/,
			    `a header line of ${program}'s response: ` +
			    `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
		assert.doesNotMatch(res.body, /event=/);
		return { res, tried: fs.readFileSync(record, 'utf8') };
	}

	// A recorded write of a log line: its result, errno and event.
	const logWrite = new RegExp('^write\\(2, \\d+\\) = (-?\\d+) ' +
	    'errno=(\\d+)\n(?=[^\n]*event=([a-z_]+))', 'gm');

	// The program tried to log event, and every log line it tried
	// failed with ENOSPC (none was written anywhere else first).
	function assertLost(tried, event) {
		const heads = [...tried.matchAll(logWrite)].map((m) =>
		    ({ head: m[0], r: m[1], errno: Number(m[2]), event: m[3] }));
		const mine = heads.filter((m) => m.event === event);
		assert.ok(mine.length > 0, `no ${event} line was written:\n` +
		    tried);
		for (const m of heads)
			assert.deepEqual([m.r, m.errno], ['-1', ENOSPC], m.head);
	}

	it('the programs still answer, and what they store is kept', () => {
		// A refresh logs token_refreshed: the log write fails, the
		// answer and the rotation must not.  libfcgi answers a CGI
		// request on standard output, which must hold the response
		// only (runOnFullDisk checks); site.run() fails the test on
		// any exit status but 0.
		let { res, tried } = runOnFullDisk('token.fcgi', tokenRequest({
			grant_type: 'refresh_token',
			refresh_token: tokens.refresh_token,
			client_id: client.client_id,
		}));
		assert.equal(res.status, 200, res.body);
		assertLost(tried, 'token_refreshed');
		const fresh = res.json();
		// A refused refresh token: still answered.
		({ res } = runOnFullDisk('token.fcgi', tokenRequest({
			grant_type: 'refresh_token',
			refresh_token: 'mcprt_' + 'B'.repeat(43),
			client_id: client.client_id,
		})));
		assert.equal(res.status, 400, res.body);
		assert.equal(res.json().error, 'invalid_grant');
		// A refused bearer token logs bearer_rejected: lost, and the
		// 401 still goes out.
		({ res, tried } = runOnFullDisk('mcp.fcgi',
		    mcpRequest('mcpat_' + 'C'.repeat(43), 'ping')));
		assert.equal(res.status, 401, res.body);
		assertLost(tried, 'bearer_rejected');
		// A tool call stores its note.
		({ res } = runOnFullDisk('mcp.fcgi',
		    mcpRequest(fresh.access_token, 'tools/call',
		    { name: 'notes_add', arguments:
		    { title: 'disk full', text: 'kept too' } })));
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().result.isError, undefined, res.body);
		assert.deepEqual(notes(fresh.access_token).sort(),
		    ['before the fault', 'disk full']);
		tokens = fresh;
	});
});
