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
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	TestServer, adminPath, serverKind, freePort, repo,
} from '../lib/harness.mjs';
import { serverKinds, render, isApache } from '../lib/servers.mjs';

// Runs doctor (JSON output) asynchronously: a static server of this
// process must go on answering meanwhile.
function doctor(args, env = process.env) {
	return new Promise((resolve, reject) => {
		const child = spawn(adminPath, ['--json', 'doctor', ...args],
		    { stdio: ['ignore', 'pipe', 'pipe'], env });
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
		    ['https://example.com/mcp', '--origin', 'a\r\nX-Y: z'],
		    ['https://example.com/mcp#top'],
		    ['https://example.com:99999/mcp'],
		    ['https://exa\u0001mple.com/mcp'],
		    ['https://example.com/\u00e9/mcp']]) {
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
				if (!rootRules) {
					// Where it goes, and the rule last.
					const root = check(r.report, 'as-metadata-root');
					assert.match(root.hint, /above any WordPress block/);
					assert.match(root.hint, /RewriteEngine On \/ RewriteRule [^ ]+ "mcp-auth\/metadata\.fcgi" \[END\]$/);
					assert.equal(check(r.report,
					    'resource-metadata-root').hint, root.hint);
				}
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
		const srv = http.createServer((req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({
				issuer: '\u001b[2J\u001b]0;owned\u0007',
				// C1 CSI, in UTF-8 and as a lone byte after
				// JSON.stringify (which keeps it), and a letter
				// that is not ASCII.
				resource: '\u001b[31mred\u009b2J\u00e9',
			}));
		});
		const port = await listen(srv);
		try {
			const r = await new Promise((resolve) => {
				const child = spawn(adminPath, ['doctor',
				    `http://127.0.0.1:${port}/mcp`, '--no-write'],
				    { stdio: ['ignore', 'pipe', 'pipe'] });
				const out = [];
				child.stdout.on('data', (c) => { out.push(c); });
				child.on('close', (status) => resolve({ status,
				    out: Buffer.concat(out) }));
			});
			assert.equal(r.status, 1);
			const text = r.out.toString('latin1');
			assert.match(text, /issuer is "\?\[2J\?\]0;owned\?"/);
			assert.match(text, /resource is "\?\[31mred\?\?2J\?\?"/);
			for (const b of r.out)
				assert.ok(b === 0x0a || (b >= 0x20 && b < 0x7f),
				    `byte 0x${b.toString(16)} in the output`);
		} finally {
			await close(srv);
		}
	});
});

// Listens on a free loopback port (the system's choice: no race).
function listen(srv) {
	return new Promise((resolve) => {
		srv.listen(0, '127.0.0.1', () => resolve(srv.address().port));
	});
}

function close(srv) {
	return new Promise((resolve) => srv.close(resolve));
}

// A server that must never be asked anything: doctor must not follow
// a URL that leads to it.  Its count says whether it was.
async function spyServer() {
	const srv = http.createServer((req, res) => {
		srv.hits++;
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end('{}');
	});
	srv.hits = 0;
	const port = await listen(srv);
	return { srv, port, url: `http://127.0.0.1:${port}` };
}

// A whole site as doctor sees it, healthy unless told otherwise, on
// plain loopback http (or https with tls: { key, cert }): the metadata,
// /mcp's challenges and CORS, /register.  o may change each part:
// as(doc) and prm(doc) edit the documents, challenge is the 401's
// header (or a function of the site's origin that returns it),
// cors(origin) the CORS headers of /mcp for an origin,
// register [status, body], and routes answer paths of their own.
async function fakeSite(o = {}) {
	let origin = '';
	const handler = (req, res) => {
		const url = req.url;
		const send = (status, body, headers = {}) => {
			res.writeHead(status, { 'Content-Type':
			    'application/json', ...headers });
			res.end(typeof body === 'string' ? body :
			    JSON.stringify(body));
		};
		if (o.routes?.[url])
			return o.routes[url](req, res);
		if (url === '/.well-known/oauth-protected-resource' ||
		    url === '/.well-known/oauth-protected-resource/mcp') {
			const doc = { resource: `${origin}/mcp`,
			    authorization_servers: [origin] };
			return send(200, o.prm ? o.prm(doc) : doc);
		}
		if (url === '/.well-known/oauth-authorization-server') {
			const doc = {
				issuer: origin,
				authorization_endpoint: `${origin}/authorize`,
				token_endpoint: `${origin}/token`,
				registration_endpoint: `${origin}/register`,
				code_challenge_methods_supported: ['S256'],
			};
			return send(200, o.as ? o.as(doc) : doc);
		}
		if (url === '/mcp') {
			const reqOrigin = req.headers.origin;
			const cors = reqOrigin === undefined ? {} : o.cors ?
			    o.cors(reqOrigin) : {};
			if (req.method === 'OPTIONS')
				return send(204, '', cors);
			const challenge = req.headers.authorization ?
			    'Bearer error="invalid_token"' :
			    typeof o.challenge === 'function' ?
			    o.challenge(origin) : o.challenge ??
			    `Bearer resource_metadata="${origin}/.well-known/` +
			    'oauth-protected-resource/mcp"';
			return send(401, '{}', { ...cors,
			    'WWW-Authenticate': challenge });
		}
		if (url === '/register' && req.method === 'POST') {
			const [status, body] = o.register ?? [201,
			    { client_id: 'fake-client' }];
			return send(status, body);
		}
		return send(404, { error: 'not_found' });
	};
	const srv = o.tls ? https.createServer(o.tls, handler) :
	    http.createServer(handler);
	const port = await listen(srv);
	origin = o.tls ? `https://localhost:${port}` :
	    `http://127.0.0.1:${port}`;
	return { srv, port, origin, url: `${origin}/mcp` };
}

// The CORS headers of a browser-ready /mcp for the origin.
function fullCors(origin) {
	return {
		'Access-Control-Allow-Origin': origin,
		'Access-Control-Allow-Methods': 'POST, GET, DELETE, OPTIONS',
		'Access-Control-Allow-Headers': 'Authorization, Content-Type, ' +
		    'MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID',
		'Access-Control-Expose-Headers': 'WWW-Authenticate, ' +
		    'Mcp-Session-Id',
	};
}

// Runs doctor against a fake site made with o, then closes it.
async function doctorOn(o, args = []) {
	const site = await fakeSite(o);
	try {
		return { ...await doctor([site.url, ...args]), site };
	} finally {
		await close(site.srv);
	}
}

describe('doctor on broken sites', { skip: withoutCurl }, () => {
	test('the fake site itself passes every check', async () => {
		const r = await doctorOn({});
		// Plain http: the tls line warns.
		assert.equal(r.status, 3, r.out);
		assert.equal(r.report.checks.filter((c) => c.status !== 'PASS' &&
		    c.check !== 'tls').length, 0, r.out);
		assert.match(check(r.report, 'database').message,
		    /client del fake-client/);
	});

	test('a string with a NUL byte is not the string before it', async () => {
		let r = await doctorOn({ as: (d) => ({ ...d,
		    issuer: `${d.issuer}\u0000.evil.example` }) });
		let c = check(r.report, 'as-metadata');
		assert.equal(c.status, 'FAIL', JSON.stringify(c));
		assert.match(c.message, /with a NUL byte/);
		r = await doctorOn({ as: (d) => ({ ...d,
		    code_challenge_methods_supported: ['S256\u0000plain'] }) });
		c = check(r.report, 'as-metadata');
		assert.equal(c.status, 'FAIL', JSON.stringify(c));
		assert.match(c.message, /lacks S256/);
		r = await doctorOn({ prm: (d) => ({ ...d,
		    resource: `${d.resource}\u0000x` }) });
		assert.equal(check(r.report, 'resource-metadata').status, 'FAIL');
		assert.equal(check(r.report, 'challenge').status, 'FAIL');
		r = await doctorOn({ prm: (d) => ({ ...d,
		    authorization_servers: [`${d.authorization_servers[0]}` +
		    '\u0000x'] }) });
		assert.match(check(r.report, 'resource-metadata').message,
		    /authorization_servers does not name/);
	});

	test('S256 missing from code_challenge_methods_supported', async () => {
		const r = await doctorOn({ as: (d) => ({ ...d,
		    code_challenge_methods_supported: ['plain'] }) });
		assert.equal(r.status, 1);
		const c = check(r.report, 'as-metadata');
		assert.equal(c.status, 'FAIL');
		assert.match(c.message, /lacks S256/);
	});

	test('URLs off the site fail and are never fetched', async () => {
		const spy = await spyServer();
		try {
			// The 401 points elsewhere.
			let r = await doctorOn({ challenge: 'Bearer ' +
			    `resource_metadata="${spy.url}/.well-known/` +
			    'oauth-protected-resource/mcp"' });
			let c = check(r.report, 'challenge');
			assert.equal(c.status, 'FAIL', JSON.stringify(c));
			assert.match(c.message, /not a URL on http:\/\/127\.0\.0\.1:\d+ \(not fetched\)/);
			// The registration endpoint elsewhere: no POST there.
			r = await doctorOn({ as: (d) => ({ ...d,
			    registration_endpoint: `${spy.url}/register` }) });
			c = check(r.report, 'as-metadata');
			assert.equal(c.status, 'FAIL', JSON.stringify(c));
			assert.match(c.message, /registration_endpoint is "http:\/\/127\.0\.0\.1:\d+\/register", not a URL on/);
			assert.match(c.hint, /set issuer to this site's URL/);
			// The database check then writes where the programs
			// would take it, on the site.
			assert.doesNotMatch(check(r.report, 'database').message,
			    new RegExp(String(spy.port)));
			// Another endpoint, another scheme, a look-alike host.
			for (const bad of [`${spy.url}/token`,
			    'https://127.0.0.1/token', 'http://127.0.0.1.evil/t']) {
				r = await doctorOn({ as: (d) => ({ ...d,
				    token_endpoint: bad }) });
				assert.match(check(r.report, 'as-metadata').message,
				    /token_endpoint is .* not a URL on/, bad);
			}
			assert.equal(spy.srv.hits, 0);
		} finally {
			await close(spy.srv);
		}
	});

	test('a redirect is reported, not followed', async () => {
		const spy = await spyServer();
		try {
			const r = await doctorOn({ routes: {
				'/.well-known/oauth-protected-resource': (q, res) => {
					res.writeHead(302, { Location: `${spy.url}/x` });
					res.end();
				},
			} });
			const c = check(r.report, 'resource-metadata');
			assert.equal(c.status, 'FAIL');
			assert.match(c.message, /HTTP 302/);
			assert.match(c.hint, /redirects/);
			assert.equal(spy.srv.hits, 0);
		} finally {
			await close(spy.srv);
		}
	});

	test('a huge body and a flood of headers are cut off with the reason', async () => {
		const r = await doctorOn({ routes: {
			'/.well-known/oauth-authorization-server': (q, res) => {
				res.writeHead(200, { 'Content-Type':
				    'application/json' });
				res.end(`{"x":"${'a'.repeat(1024 * 1024)}"}`);
			},
			'/.well-known/oauth-protected-resource/mcp': (q, res) => {
				for (let i = 0; i < 1000; i++)
					res.setHeader(`X-Flood-${i}`, 'y'.repeat(60));
				res.writeHead(200);
				res.end('{}');
			},
		} });
		assert.equal(r.status, 1);
		assert.match(check(r.report, 'as-metadata').message,
		    /body is larger than 262144 bytes/);
		assert.match(check(r.report, 'resource-metadata-mcp').message,
		    /headers are larger than 32768 bytes/);
	});

	test('CORS: a made-up origin let in is a warning', async () => {
		// Without --origin doctor is a page of another site.
		let r = await doctorOn({ cors: () => fullCors('*') });
		for (const name of ['cors-preflight', 'cors-expose']) {
			const c = check(r.report, name);
			assert.equal(c.status, 'WARN', JSON.stringify(c));
			assert.match(c.message, /any web page may call/);
			assert.match(c.message, /https:\/\/doctor\.invalid/);
		}
		// Refused, it passes; the same site with --origin fails.
		r = await doctorOn({});
		for (const name of ['cors-preflight', 'cors-expose'])
			assert.match(check(r.report, name).message,
			    /from another site \(https:\/\/doctor\.invalid\) is refused/);
		r = await doctorOn({}, ['--origin', 'http://localhost:6274']);
		for (const name of ['cors-preflight', 'cors-expose'])
			assert.equal(check(r.report, name).status, 'FAIL');
	});

	test('CORS: every requested header and POST must be allowed', async () => {
		const args = ['--origin', 'http://localhost:6274'];
		const partial = async (edit) => {
			const r = await doctorOn({ cors: (origin) =>
			    edit(fullCors(origin)) }, args);
			return check(r.report, 'cors-preflight');
		};
		let c = await partial((h) => h);
		assert.equal(c.status, 'PASS', JSON.stringify(c));
		c = await partial((h) => ({ ...h, 'Access-Control-Allow-Headers':
		    'authorization,content-type' }));
		assert.equal(c.status, 'FAIL');
		assert.match(c.message, /Mcp-Protocol-Version not in Access-Control-Allow-Headers; Mcp-Session-Id not in/);
		// "*" covers every header but Authorization.
		c = await partial((h) => ({ ...h,
		    'Access-Control-Allow-Headers': '*' }));
		assert.equal(c.status, 'FAIL');
		assert.match(c.message, /: Authorization not in Access-Control-Allow-Headers$/);
		c = await partial((h) => ({ ...h,
		    'Access-Control-Allow-Headers': '*, AUTHORIZATION' }));
		assert.equal(c.status, 'PASS', JSON.stringify(c));
		c = await partial((h) => ({ ...h,
		    'Access-Control-Allow-Methods': 'GET, DELETE' }));
		assert.equal(c.status, 'FAIL');
		assert.match(c.message, /POST not in Access-Control-Allow-Methods/);
		// Let in, but WWW-Authenticate not exposed.
		const r = await doctorOn({ cors: (origin) => ({
		    ...fullCors(origin),
		    'Access-Control-Expose-Headers': 'Mcp-Session-Id' }) },
		    args);
		c = check(r.report, 'cors-expose');
		assert.equal(c.status, 'FAIL');
		assert.match(c.message, /does not expose WWW-Authenticate/);
	});

	test('a challenge parsed as RFC 9110 has it', async () => {
		// Another challenge first, with the parameter's name inside
		// its quotes, and a comma: only the Bearer one counts, whose
		// URL (another port) is refused.
		const spy = await spyServer();
		try {
			const r = await doctorOn({ challenge: 'Basic realm="a, ' +
			    'resource_metadata=x", Bearer realm="r", ' +
			    `resource_metadata="${spy.url}/x"` });
			assert.match(check(r.report, 'challenge').message,
			    /points clients to http:\/\/127\.0\.0\.1:\d+\/x, not a URL on/);
			assert.equal(spy.srv.hits, 0);
		} finally {
			await close(spy.srv);
		}
		// An escaped quote inside the value, and the scheme in
		// another case: the challenge passes.
		const r = await doctorOn({ challenge: (origin) => 'bearer ' +
		    `realm="a \\"b\\"", RESOURCE_METADATA="${origin}/.well-` +
		    'known/oauth-protected-resource/mcp"' });
		assert.equal(check(r.report, 'challenge').status, 'PASS',
		    JSON.stringify(r.report));
	});

	for (const [status, body, want, pattern] of [
		[429, { error: 'too_many_requests' }, 'WARN', /rate limit/],
		[403, { error: 'access_denied' }, 'WARN', /registration is closed/],
		[403, '<html>Forbidden</html>', 'FAIL', /HTTP 403/],
		[503, { error: 'temporarily_unavailable' }, 'FAIL',
		    /database is full/],
		[503, '<html>Service Unavailable</html>', 'FAIL', /HTTP 503/],
	]) {
		test(`the database check getting HTTP ${status} ${want}`, async () => {
			const r = await doctorOn({ register: [status, body] });
			const c = check(r.report, 'database');
			assert.equal(c.status, want, JSON.stringify(c));
			assert.match(c.message, pattern);
			assert.ok(c.hint, JSON.stringify(c));
		});
	}

	test('--json on a site that does not answer: one failed check, exit 1', async () => {
		const srv = http.createServer();
		const port = await listen(srv);
		await close(srv);
		const r = await doctor([`http://127.0.0.1:${port}/mcp`]);
		assert.equal(r.status, 1);
		assert.ok(r.report, r.out);
		assert.equal(r.report.exit_status, 1);
		assert.deepEqual(r.report.checks.map((c) => c.check), ['reach']);
		assert.equal(r.report.checks[0].status, 'FAIL');
		assert.match(r.report.checks[0].hint, /listens on that port/);
	});
});

// A certificate for cn, valid from notBefore to notAfter (openssl ca's
// YYYYMMDDHHMMSSZ), self-signed, in a directory of its own.
function certificate(cn, notBefore, notAfter) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-cert-'));
	fs.writeFileSync(path.join(dir, 'ca.cnf'), '[ca]\ndefault_ca = c\n' +
	    '[c]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n' +
	    'default_md = sha256\npolicy = p\ncopy_extensions = copy\n' +
	    '[p]\ncommonName = supplied\n');
	fs.writeFileSync(path.join(dir, 'index.txt'), '');
	fs.writeFileSync(path.join(dir, 'serial'), '01\n');
	const run = (args) => {
		const r = spawnSync('openssl', args, { cwd: dir,
		    encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
	};
	run(['req', '-new', '-newkey', 'ec', '-pkeyopt',
	    'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`,
	    '-addext', `subjectAltName=DNS:${cn}`, '-keyout', 'key.pem',
	    '-out', 'csr.pem']);
	run(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile',
	    'key.pem', '-in', 'csr.pem', '-out', 'cert.pem', '-notext',
	    '-startdate', notBefore, '-enddate', notAfter]);
	return {
		dir,
		certFile: path.join(dir, 'cert.pem'),
		tls: { key: fs.readFileSync(path.join(dir, 'key.pem')),
		    cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
	};
}

describe('doctor on bad certificates', { skip: withoutCurl }, () => {
	test('a certificate for another name fails even with --cacert', async () => {
		const c = certificate('wrong.example', '20200101000000Z',
		    '20991231000000Z');
		try {
			const r = await doctorOn({ tls: c.tls },
			    ['--cacert', c.certFile]);
			assert.equal(r.status, 1);
			assert.deepEqual(r.report.checks.map((x) => x.check),
			    ['tls']);
			const t = check(r.report, 'tls');
			assert.equal(t.status, 'FAIL');
			assert.match(t.message, /localhost|wrong\.example|name/i);
			assert.match(t.hint, /naming this host/);
		} finally {
			fs.rmSync(c.dir, { recursive: true, force: true });
		}
	});

	test('an expired certificate fails, --insecure or not', async () => {
		const c = certificate('localhost', '20200101000000Z',
		    '20200102000000Z');
		try {
			let r = await doctorOn({ tls: c.tls },
			    ['--cacert', c.certFile]);
			assert.equal(check(r.report, 'tls').status, 'FAIL');
			assert.match(check(r.report, 'tls').message, /expired/);
			r = await doctorOn({ tls: c.tls }, ['--insecure']);
			const t = check(r.report, 'tls');
			assert.notEqual(t.status, 'PASS');
			assert.equal(t.status, 'FAIL', JSON.stringify(t));
			assert.match(t.message, /expired \d+ days ago/);
			assert.match(t.hint, /renew/);
			assert.equal(r.status, 1);
		} finally {
			fs.rmSync(c.dir, { recursive: true, force: true });
		}
	});
});

describe('doctor without a loadable libcurl', { skip: withoutCurl }, () => {
	test('says that libcurl cannot be loaded, and why', (t) => {
		// A libcurl.so.4 first in the search path that is a shared
		// object without curl's functions.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-nocurl-'));
		try {
			const cc = spawnSync(process.env.CC ?? 'cc', ['-shared',
			    '-fPIC', '-x', 'c', '-', '-o',
			    path.join(dir, 'libcurl.so.4')],
			    { input: 'int not_curl;\n', encoding: 'utf8' });
			if (cc.error || cc.status !== 0) {
				t.skip('no C compiler to make the stand-in');
				return;
			}
			const r = spawnSync(adminPath, ['doctor',
			    'https://mcp.example.com/mcp'], { encoding: 'utf8',
			    env: { ...process.env, LD_LIBRARY_PATH: dir } });
			assert.equal(r.status, 1, r.stderr);
			assert.match(r.stderr, /doctor needs libcurl: libcurl cannot be loaded: the libcurl found lacks functions/);
			assert.match(r.stderr, /apt-get install libcurl4/);
			assert.equal(r.stdout, '');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
