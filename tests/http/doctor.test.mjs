// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp-oauth-admin doctor URL against a real deployment (the server kind
// of MCP_TEST_SERVER: lighttpd, or one of the three Apache modes) and
// against deliberately broken ones, each of which it must catch with
// the right fix: the Authorization header stripped, a wrong issuer, a
// database the programs cannot write.  The discovery URLs of a
// subdirectory install are checked against a small static server.
// With MCP_TEST_WITHOUT_CURL (the bundle's mcp-oauth-admin, built
// without libcurl) doctor must refuse with the reason instead.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	TestServer, adminPath, serverKind, freePort, repo,
} from '../lib/harness.mjs';
import { serverKinds, render, isApache } from '../lib/servers.mjs';

// Runs doctor (JSON output) asynchronously: a static server of this
// process must go on answering meanwhile.
function doctor(args) {
	return new Promise((resolve, reject) => {
		const child = spawn(adminPath, ['--json', 'doctor', ...args],
		    { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.on('data', (c) => { out += c; });
		child.stderr.on('data', (c) => { err += c; });
		child.on('error', reject);
		child.on('close', (status) => {
			let report = null;
			try {
				report = JSON.parse(out);
			} catch {
				// Left null: the caller asserts on stdout.
			}
			resolve({ status, out, err, report });
		});
	});
}

function check(report, name) {
	const c = report.checks.find((x) => x.check === name);
	assert.ok(c, `no check ${name} in ${JSON.stringify(report)}`);
	return c;
}

function doctorArgs(s, extra = []) {
	return [`https://localhost:${s.port}/mcp`, '--cacert', s.certFile,
	    ...extra];
}

const withoutCurl = Boolean(process.env.MCP_TEST_WITHOUT_CURL);

describe('doctor in a build without libcurl', { skip: !withoutCurl }, () => {
	test('refuses with the reason and exit 1', () => {
		const r = spawnSync(adminPath, ['doctor',
		    'https://mcp.example.com/mcp'], { encoding: 'utf8' });
		assert.equal(r.status, 1);
		assert.match(r.stderr, /doctor needs a build with libcurl/);
		assert.equal(r.stdout, '');
	});
});

describe('doctor on a healthy deployment', { skip: withoutCurl }, () => {
	let s;
	before(async () => { s = await TestServer.start(); });
	after(async () => { await s?.stop(); });

	test('every check passes, exit 0, and the test registration can be deleted', async () => {
		// The harness's certificate lives two days: no expiry warning
		// within one.
		const r = await doctor(doctorArgs(s, ['--warn-days', '1']));
		assert.equal(r.status, 0, r.out + r.err);
		const names = r.report.checks.map((c) => c.check);
		assert.deepEqual(names, ['tls', 'resource-metadata',
		    'resource-metadata-mcp', 'as-metadata', 'challenge',
		    'authorization-header', 'cors-preflight', 'cors-expose',
		    'database', 'clock']);
		for (const c of r.report.checks)
			assert.equal(c.status, 'PASS', JSON.stringify(c));
		assert.equal(r.report.issuer, `https://localhost:${s.port}`);
		assert.equal(r.report.exit_status, 0);
		const id = /client del (\S+)\)/.exec(
		    check(r.report, 'database').message)[1];
		const list = s.admin(['client', 'list']).stdout;
		assert.match(list, new RegExp(id));
		assert.match(list, /mcp-oauth-admin doctor/);
		s.admin(['client', 'del', id]);
	});

	test('a certificate near its end is a warning: exit 3', async () => {
		const r = await doctor(doctorArgs(s, ['--no-write']));
		assert.equal(r.status, 3, r.out + r.err);
		const tls = check(r.report, 'tls');
		assert.equal(tls.status, 'WARN');
		assert.match(tls.message, /expires in [12]\.\d days/);
		assert.match(tls.hint, /renew the certificate/);
		assert.equal(check(r.report, 'database').status, 'WARN');
	});

	test('an unknown CA fails TLS and stops; --insecure goes on with a loud warning', async () => {
		let r = await doctor([`https://localhost:${s.port}/mcp`]);
		assert.equal(r.status, 1);
		assert.equal(r.report.checks.length, 1);
		const tls = check(r.report, 'tls');
		assert.equal(tls.status, 'FAIL');
		assert.match(tls.hint, /--cacert FILE/);
		r = await doctor([`https://localhost:${s.port}/mcp`,
		    '--insecure', '--no-write']);
		assert.equal(r.status, 3, r.out + r.err);
		assert.match(r.err, /WARNING: --insecure/);
		assert.equal(check(r.report, 'tls').status, 'WARN');
		assert.match(check(r.report, 'tls').message, /NOT verified/);
		assert.equal(check(r.report, 'challenge').status, 'PASS');
	});

	test('a browser origin the site does not allow fails CORS with the key to set', async () => {
		const r = await doctor(doctorArgs(s, ['--warn-days', '1',
		    '--no-write', '--origin', 'http://localhost:6274']));
		assert.equal(r.status, 1, r.out);
		for (const name of ['cors-preflight', 'cors-expose']) {
			const c = check(r.report, name);
			assert.equal(c.status, 'FAIL', JSON.stringify(c));
			assert.match(c.hint, /add http:\/\/localhost:6274 to allowed_origins/);
		}
		assert.equal(check(r.report, 'challenge').status, 'PASS');
	});

	test('the text output has one line per check and the fix under it', () => {
		const r = spawnSync(adminPath, ['doctor',
		    ...doctorArgs(s, ['--no-write'])], { encoding: 'utf8' });
		assert.equal(r.status, 3);
		assert.match(r.stdout, /^WARN tls: .*\n {5}fix: renew/m);
		assert.match(r.stdout, /^PASS challenge: 401 with resource_metadata=/m);
		assert.match(r.stdout, /^WARN database: not checked \(--no-write\)/m);
		assert.match(r.stdout, /^\d+ passed, 2 warnings, 0 failed$/m);
	});

	test('usage errors exit 2', () => {
		for (const args of [[], ['https://example.com/'],
		    ['http://example.com/mcp'], ['https://u@example.com/mcp'],
		    ['https://example.com/mcp', '--warn-days', 'x'],
		    ['https://example.com/mcp', '--origin', 'a\r\nX-Y: z']]) {
			const r = spawnSync(adminPath, ['doctor', ...args],
			    { encoding: 'utf8' });
			assert.equal(r.status, 2, `${args}: ${r.stderr}`);
		}
	});
});

describe('doctor on other and broken deployments', { skip: withoutCurl }, () => {
	test('an allowed browser origin passes CORS', async () => {
		const s = await TestServer.start({
			config: 'allowed_origins = http://localhost:6274',
		});
		try {
			const r = await doctor(doctorArgs(s, ['--warn-days', '1',
			    '--no-write', '--origin', 'http://localhost:6274']));
			assert.equal(check(r.report, 'cors-preflight').status,
			    'PASS');
			assert.equal(check(r.report, 'cors-expose').status,
			    'PASS');
		} finally {
			await s.stop();
		}
	});

	test('a wrong issuer in the configuration', async () => {
		const s = await TestServer.start({
			issuer: 'https://localhost:1',
		});
		try {
			const r = await doctor(doctorArgs(s, ['--warn-days', '1']));
			assert.equal(r.status, 1, r.out);
			for (const name of ['resource-metadata',
			    'resource-metadata-mcp', 'as-metadata']) {
				const c = check(r.report, name);
				assert.equal(c.status, 'FAIL', JSON.stringify(c));
				assert.ok(c.hint.includes('set issuer = ' +
				    `https://localhost:${s.port} in the ` +
				    'configuration file'), c.hint);
			}
			assert.match(check(r.report, 'as-metadata').message,
			    /issuer is "https:\/\/localhost:1", not/);
		} finally {
			await s.stop();
		}
	});

	test('the Authorization header does not reach the programs', async () => {
		// Under Apache .htaccess modes the shipped .htaccess loses its
		// pass-through rule (read on every request); otherwise
		// lighttpd strips the header before the programs see it.
		const kind = serverKind === 'apache-htaccess' ||
		    serverKind === 'apache-cgi' ? serverKind : 'lighttpd-strip';
		if (kind === 'lighttpd-strip') {
			serverKinds['lighttpd-strip'] = {
				...serverKinds.lighttpd,
				start(t) {
					const conf = path.join(t.dir, 'lighttpd.conf');
					fs.writeFileSync(conf, render(path.join(repo,
					    'lighttpd', 'mcp-oauth.conf.in'), {
						BIND: '127.0.0.1', PORT: t.port,
						RUN_DIR: t.runDir, LOG_DIR: t.logDir,
						CERT_FILE: t.certFile,
						KEY_FILE: t.keyFile,
						WWW_DIR: path.join(repo, 'www'),
						PROGRAM_DIR: t.programDir,
						CONFIG_FILE: t.configFile,
						PROCS: t.procs,
					}) + '\nsetenv.set-request-header += ' +
					    '("Authorization" => "")\n');
					return spawn('lighttpd', ['-D', '-f', conf], {
						detached: true,
						stdio: ['ignore', 'ignore', 'inherit'],
						env: { ...process.env, ...t.programEnv },
					});
				},
			};
		}
		const s = await TestServer.start({ kind });
		try {
			if (isApache(kind)) {
				const f = path.join(s.apache.docRoot, '.htaccess');
				const text = fs.readFileSync(f, 'utf8');
				assert.match(text, /^CGIPassAuth On$/m);
				fs.writeFileSync(f, text.replace(/^CGIPassAuth On$/m,
				    ''));
			}
			const r = await doctor(doctorArgs(s, ['--warn-days', '1']));
			assert.equal(r.status, 1, r.out);
			const c = check(r.report, 'authorization-header');
			assert.equal(c.status, 'FAIL');
			assert.match(c.message, /without error="invalid_token"/);
			assert.match(c.hint, /CGIPassAuth On/);
			assert.match(c.hint, /\[E=HTTP_AUTHORIZATION:%\{HTTP:Authorization\}\]/);
			assert.equal(check(r.report, 'challenge').status, 'PASS');
		} finally {
			await s.stop();
		}
	});

	test('a database the programs cannot write', async () => {
		const s = await TestServer.start();
		// The programs open the database on first use, after this.
		// As root (lighttpd runs them as root) permissions stop
		// nothing: the data file is made immutable instead.
		const data = path.join(s.dbDir, 'data.mdb');
		const asRoot = process.getuid() === 0 && s.runAs === null;
		if (asRoot) {
			const c = spawnSync('chattr', ['+i', data],
			    { encoding: 'utf8' });
			assert.equal(c.status, 0, `chattr: ${c.stderr}`);
		} else {
			fs.chmodSync(data, 0o400);
			fs.chmodSync(s.dbDir, 0o500);
		}
		try {
			const r = await doctor(doctorArgs(s, ['--warn-days', '1']));
			assert.equal(r.status, 1, r.out);
			const c = check(r.report, 'database');
			assert.equal(c.status, 'FAIL');
			assert.match(c.message, /cannot be written/);
			assert.match(c.hint, /write the database directory/);
			// Metadata needs no database; the bearer check does.
			assert.equal(check(r.report, 'as-metadata').status, 'PASS');
			assert.match(check(r.report, 'challenge').hint,
			    /database directory/);
		} finally {
			if (asRoot)
				spawnSync('chattr', ['-i', data]);
			else {
				fs.chmodSync(s.dbDir, 0o700);
				fs.chmodSync(data, 0o600);
			}
			await s.stop();
		}
	});
});

// A subdirectory install's discovery, from a static server on plain
// loopback http: the metadata under /mcp-auth, and at the root only
// when rootRules is on (the root .htaccess rule).  Its clock is
// clockOffset seconds off.
function staticSite(port, rootRules, clockOffset) {
	const origin = `http://127.0.0.1:${port}`;
	const issuer = `${origin}/mcp-auth`;
	const as = JSON.stringify({
		issuer,
		authorization_endpoint: `${issuer}/authorize`,
		token_endpoint: `${issuer}/token`,
		code_challenge_methods_supported: ['S256'],
	});
	const prm = JSON.stringify({
		resource: `${issuer}/mcp`,
		authorization_servers: [issuer],
	});
	const docs = {
		'/mcp-auth/.well-known/oauth-authorization-server': as,
		'/mcp-auth/.well-known/oauth-protected-resource': prm,
		'/mcp-auth/.well-known/oauth-protected-resource/mcp': prm,
	};
	if (rootRules) {
		docs['/.well-known/oauth-authorization-server/mcp-auth'] = as;
		docs['/.well-known/oauth-protected-resource/mcp-auth/mcp'] = prm;
	}
	return http.createServer((req, res) => {
		const body = docs[req.url];
		res.sendDate = false;
		res.writeHead(body === undefined ? 404 : 200, {
			'Content-Type': 'application/json',
			Date: new Date(Date.now() + clockOffset * 1000)
			    .toUTCString(),
		});
		res.end(body ?? '{"error":"not_found"}');
	});
}

describe('doctor on a subdirectory install', { skip: withoutCurl }, () => {
	for (const rootRules of [false, true]) {
		test(`root rules ${rootRules ? 'present' : 'missing'}`, async () => {
			const port = await freePort();
			// Ten minutes off in one case, on time in the other.
			const offset = rootRules ? 0 : -600;
			const srv = staticSite(port, rootRules, offset);
			await new Promise((r) => srv.listen(port, '127.0.0.1', r));
			try {
				const r = await doctor([
				    `http://127.0.0.1:${port}/mcp-auth/mcp`,
				    '--no-write']);
				assert.equal(r.report.issuer,
				    `http://127.0.0.1:${port}/mcp-auth`);
				const tls = check(r.report, 'tls');
				assert.equal(tls.status, 'WARN');
				assert.match(tls.message, /TLS not checked/);
				assert.equal(check(r.report, 'as-metadata').status,
				    'PASS');
				assert.equal(check(r.report,
				    'resource-metadata-mcp').status, 'PASS');
				assert.equal(check(r.report, 'oidc').status, 'PASS');
				assert.match(check(r.report, 'oidc').message,
				    /not served/);
				const root = check(r.report, 'as-metadata-root');
				const prmRoot = check(r.report,
				    'resource-metadata-root');
				if (rootRules) {
					assert.equal(root.status, 'PASS');
					assert.equal(prmRoot.status, 'PASS');
				} else {
					assert.equal(root.status, 'WARN');
					assert.equal(prmRoot.status, 'WARN');
					// docs/deploying.md's rule, byte for byte.
					assert.ok(root.hint.includes('RewriteRule ' +
					    '"^\\.well-known/(oauth-authorization-' +
					    'server/mcp-auth|oauth-protected-resource/' +
					    'mcp-auth/mcp)$" "mcp-auth/metadata.fcgi" ' +
					    '[END]'), root.hint);
				}
				assert.equal(r.report.checks.some((c) =>
				    c.check === 'as-discovery'), false);
				const clock = check(r.report, 'clock');
				if (offset === 0) {
					assert.equal(clock.status, 'PASS');
				} else {
					assert.equal(clock.status, 'WARN');
					assert.match(clock.message, /-(599|600|601) s/);
					assert.match(clock.hint, /NTP/);
				}
			} finally {
				await new Promise((r) => srv.close(r));
			}
		});
	}
});

describe('doctor quoting a hostile server', { skip: withoutCurl }, () => {
	test('control characters from the server never reach the terminal', async () => {
		const port = await freePort();
		const srv = http.createServer((req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({
				issuer: '\u001b[2J\u001b]0;owned\u0007',
				resource: '\u001b[31mred',
			}));
		});
		await new Promise((r) => srv.listen(port, '127.0.0.1', r));
		try {
			const r = await new Promise((resolve) => {
				const child = spawn(adminPath, ['doctor',
				    `http://127.0.0.1:${port}/mcp`, '--no-write'],
				    { stdio: ['ignore', 'pipe', 'pipe'] });
				let out = '';
				child.stdout.on('data', (c) => { out += c; });
				child.on('close', (status) => resolve({ status, out }));
			});
			assert.equal(r.status, 1);
			assert.match(r.out, /issuer is "\?\[2J\?\]0;owned\?"/);
			assert.match(r.out, /resource is "\?\[31mred"/);
			assert.doesNotMatch(r.out, /[\u0000-\u0008\u000b-\u001f\u007f]/);
		} finally {
			await new Promise((r) => srv.close(r));
		}
	});
});
