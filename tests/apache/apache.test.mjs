// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// What the Apache deployments (apache/) must do beyond serving the
// endpoints, which every other file under tests/http/ checks under each
// server kind: the Authorization header and the MCP 2026-07-28 request
// headers reach the programs; every root URL (and, as under lighttpd,
// every path it prefixes) reaches its program and nothing else does;
// HSTS; large bodies; the programs' stderr in Apache's error log; a
// revocation seen at once by every mod_fcgid process; and mod_fcgid
// respawning a killed program without losing requests.
//
// Runs only when MCP_TEST_SERVER is an Apache kind (apache-vhost,
// apache-htaccess, apache-cgi): scripts/check runs tests/apache/ in
// its Apache layer only.  The tests about FastCGI processes exist only
// in the two mod_fcgid modes.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';

import {
	TestServer, headerValues, livingInGroup, serverKind,
} from '../lib/harness.mjs';
import { Person, obtainTokens, register } from '../lib/oauth.mjs';
import { isApache } from '../lib/servers.mjs';

const fcgid = serverKind === 'apache-vhost' ||
    serverKind === 'apache-htaccess';

// Tests about FastCGI processes: under plain CGI there are none (a
// process per request), so there they are reported as skipped, with
// the reason, and the count of tests stays the same in every mode.
function fcgidIt(name, fn) {
	return it(name, { skip: fcgid ? false : 'plain CGI has no ' +
	    'FastCGI processes: a new process serves each request' }, fn);
}

// Every root URL and its program (DESIGN.md, URL layout).
const endpoints = [
	['/.well-known/oauth-authorization-server', 'metadata.fcgi'],
	['/.well-known/oauth-protected-resource', 'metadata.fcgi'],
	['/.well-known/oauth-protected-resource/mcp', 'metadata.fcgi'],
	['/authorize', 'authorize.fcgi'],
	['/account', 'authorize.fcgi'],
	['/admin', 'authorize.fcgi'],
	['/admin/users', 'authorize.fcgi'],
	['/token', 'token.fcgi'],
	['/register', 'register.fcgi'],
	['/revoke', 'revoke.fcgi'],
	['/mcp', 'mcp.fcgi'],
];

function delay(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// Apache's own error pages (the programs write their own HTML or JSON).
function isApachePage(res) {
	return /^<!DOCTYPE HTML PUBLIC "-\/\/(W3C|IETF)\/\/DTD HTML/.test(res.body);
}

// The living processes of a program under this server.
function programPids(s, program) {
	return livingInGroup(s.child.pid).filter((pid) => {
		try {
			return fs.readFileSync(`/proc/${pid}/comm`, 'utf8')
			    .trim() === program;
		} catch {
			return false;
		}
	});
}

// POST /mcp ping with a bearer token over a keep-alive agent.
function ping(s, agent, token) {
	const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
	return new Promise((resolve, reject) => {
		const req = https.request({
			host: '127.0.0.1', servername: 'localhost', port: s.port,
			method: 'POST', path: '/mcp', ca: s.ca, agent,
			headers: {
				Host: `localhost:${s.port}`,
				Accept: 'application/json, text/event-stream',
				'Content-Type': 'application/json',
				'Content-Length': Buffer.byteLength(body),
				'MCP-Protocol-Version': '2025-11-25',
				Authorization: `Bearer ${token}`,
			},
		}, (res) => {
			res.resume();
			res.on('end', () => resolve(res));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

async function waitFor(what, predicate, ms = 15000) {
	const deadline = Date.now() + ms;
	for (;;) {
		const v = await predicate();
		if (v)
			return v;
		if (Date.now() > deadline)
			throw new Error(`timed out waiting for ${what}`);
		await delay(20);
	}
}

/*
 * This file runs only under the Apache kinds (scripts/check runs it
 * in the Apache layer only); anywhere else it is a mistake.
 */
if (!isApache(serverKind))
	throw new Error(`tests/apache/ needs MCP_TEST_SERVER=apache-*, not ` +
	    `${serverKind}`);

describe(`Apache deployment (${serverKind})`, () => {
	let s;

	before(async () => {
		s = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-password' }],
		});
	});

	after(async () => {
		await s?.stop();
	});

	describe('the Authorization header', () => {
		const mcp = { jsonrpc: '2.0', id: 1, method: 'ping' };
		const headers = { Accept: 'application/json, text/event-stream' };

		// A bad token is told apart from no token only if the header
		// reached mcp.fcgi (RFC 6750 section 3.1: 401 without and with
		// error="invalid_token").
		it('reaches mcp.fcgi: no token and a bad token differ',
		    async () => {
			const none = await s.request('POST', '/mcp',
			    { json: mcp, headers });
			assert.equal(none.status, 401);
			const challenge = headerValues(none, 'WWW-Authenticate');
			assert.equal(challenge.length, 1);
			assert.match(challenge[0], /^Bearer /);
			assert.doesNotMatch(challenge[0], /error=/);

			const bad = await s.request('POST', '/mcp', {
				json: mcp,
				headers: { ...headers,
				    Authorization: 'Bearer not-a-token-we-issued' },
			});
			assert.equal(bad.status, 401);
			assert.match(headerValues(bad, 'WWW-Authenticate')[0],
			    /error="invalid_token"/);
		});

		it('carries a real token to mcp.fcgi', async () => {
			const tok = await obtainTokens(s,
			    new Person(s, 'alice', 'alice-password'),
			    await register(s));
			const res = await s.request('POST', '/mcp', {
				json: mcp,
				headers: { ...headers,
				    Authorization: `Bearer ${tok.access_token}` },
			});
			assert.equal(res.status, 200, res.body);
			assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 1,
			    result: {} });
		});
	});

	// MCP 2026-07-28 mirrors the method and the tool's name into
	// request headers that the program compares with the body
	// (streamable-http, request metadata): a header Apache withheld
	// would be a 400 -32020.
	describe('the MCP 2026-07-28 request headers', () => {
		it('reach mcp.fcgi: a modern tools/call succeeds', async () => {
			const tok = await obtainTokens(s,
			    new Person(s, 'alice', 'alice-password'),
			    await register(s));
			const res = await s.request('POST', '/mcp', {
				json: { jsonrpc: '2.0', id: 1, method: 'tools/call',
				    params: { name: 'whoami', arguments: {}, _meta: {
				    'io.modelcontextprotocol/protocolVersion':
				    '2026-07-28',
				    'io.modelcontextprotocol/clientCapabilities': {},
				    } } },
				headers: {
					Accept: 'application/json, text/event-stream',
					Authorization: `Bearer ${tok.access_token}`,
					'MCP-Protocol-Version': '2026-07-28',
					'Mcp-Method': 'tools/call',
					'Mcp-Name': '=?base64?d2hvYW1p?=',
				},
			});
			assert.equal(res.status, 200, res.body);
			assert.equal(res.json().result.resultType, 'complete');
			assert.equal(res.json().result.structuredContent.user,
			    'alice');
		});
	});

	describe('URL mapping', () => {
		for (const [url, program] of endpoints) {
			it(`${url} reaches ${program}`, async () => {
				const res = await s.request('GET', url);
				assert.ok(!isApachePage(res),
				    `${url}: Apache answered ${res.status}`);
				assert.ok(![301, 302, 307, 308].includes(res.status),
				    `${url}: redirected`);
				if (fcgid)
					assert.ok(programPids(s, program).length > 0,
					    `no ${program} process`);
			});
		}

		it('POST /mcp is not redirected to /mcp/', async () => {
			const res = await s.request('POST', '/mcp', {
				json: { jsonrpc: '2.0', id: 1, method: 'ping' },
				headers: { Accept: 'application/json' },
			});
			assert.ok(res.status < 300 || res.status >= 400,
			    `status ${res.status}`);
			assert.deepEqual(headerValues(res, 'Location'), []);
		});

		// String prefixes, as under lighttpd: the program says 404.
		it('answers 404 from the program below each endpoint', async () => {
			for (const url of ['/mcp/', '/mcpx', '/tokenfoo',
			    '/token/x', '/revoke/', '/registerx', '/authorize/x',
			    '/account/x', '/adminx', '/admin/x']) {
				const res = await s.request('GET', url);
				assert.equal(res.status, 404, url);
				assert.ok(!isApachePage(res), `${url}: Apache answered`);
				assert.deepEqual(headerValues(res, 'Location'), [], url);
			}
		});

		it('leaves other URLs to Apache', async () => {
			for (const url of ['/.well-known', '/index.fcgi', '/x/mcp',
			    '/static/none.css']) {
				const res = await s.request('GET', url);
				assert.equal(res.status, 404, url);
				assert.ok(isApachePage(res), `${url}: ${res.body}`);
			}
		});

		it('does not serve the deployment files', async () => {
			for (const url of ['/.htaccess', '/.htpasswd',
			    '/static/..%2f..%2fmcp-oauth.conf',
			    '/static/%2e%2e/%2e%2e/mcp-oauth.conf']) {
				const res = await s.request('GET', url);
				assert.ok([400, 403, 404].includes(res.status),
				    `${url}: ${res.status}`);
				assert.doesNotMatch(res.body, /RewriteRule|issuer/);
			}
		});
	});

	it('sends Strict-Transport-Security', async () => {
		for (const url of ['/.well-known/oauth-authorization-server',
		    '/.well-known/nothing-here', '/static/style.css']) {
			const res = await s.request('GET', url);
			assert.deepEqual(headerValues(res,
			    'Strict-Transport-Security'), ['max-age=63072000'], url);
		}
	});

	it('hands a 1.5 MiB request body to the program', async () => {
		// mod_fcgid refuses more than FcgidMaxRequestLen (default
		// 128 KiB) with a 500; /mcp takes up to 1 MiB.  metadata.fcgi
		// answers the POST without reading the body: as CGI it must
		// still drain it, or mod_cgid resets the connection.  On the
		// shared host (mod_fcgid's stock 128 KiB) the .htaccess
		// refuses anything over 96 KiB with a 413 first
		// (tests/http/bodies.test.mjs has the limits).
		const res = await s.request('POST',
		    '/.well-known/oauth-authorization-server', {
			body: 'x'.repeat(1536 * 1024),
			headers: { 'Content-Type': 'application/json' },
		});
		if (serverKind === 'apache-htaccess') {
			assert.equal(res.status, 413);
			return;
		}
		if (serverKind === 'apache-cgi') {
			// Under CGI the .htaccess bounds a body at 1 MiB
			// (LimitRequestBody), the programs' own largest
			// limit; a body under it is still drained.
			assert.equal(res.status, 413);
			const under = await s.request('POST',
			    '/.well-known/oauth-authorization-server', {
				body: 'x'.repeat(768 * 1024),
				headers: { 'Content-Type': 'application/json' },
			});
			assert.equal(under.status, 405);
			assert.equal(under.json().error, 'invalid_request');
			return;
		}
		assert.equal(res.status, 405);
		assert.equal(res.json().error, 'invalid_request');
	});

	it('writes the programs\' stderr to Apache\'s error log', async () => {
		const key = `no_such_key_${process.pid}_${Date.now()}`;
		const good = fs.readFileSync(s.configFile, 'utf8');
		fs.writeFileSync(s.configFile, `${good}${key} = 1\n`);
		try {
			const res = await s.request('GET',
			    '/.well-known/oauth-protected-resource');
			assert.equal(res.status, 500);
			const line = await waitFor('the log line', () => s.serverLog()
			    .split('\n').find((l) => l.includes(key)));
			const lines = good.split('\n').length;
			assert.match(line, new RegExp('^\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z ' +
			    'metadata\\.fcgi\\[\\d+\\]: event=config_error msg="' +
			    `${s.configFile}:${lines}: ${key}: unknown key"$`));
		} finally {
			fs.writeFileSync(s.configFile, good);
		}
		const res = await s.request('GET',
		    '/.well-known/oauth-protected-resource');
		assert.equal(res.status, 200);
	});

	// mod_fcgid hands sequential requests to the same process: make it
	// run several, let each accept a token, revoke it with the admin
	// tool, and see every process refuse it.
	fcgidIt('shows a revocation to every mod_fcgid process at once',
	    async (t) => {
		const client = await register(s);
		const tok = await obtainTokens(s,
		    new Person(s, 'alice', 'alice-password'), client);
		// Requests on open connections arrive together, find the
		// process busy, and make mod_fcgid start more.
		const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
		t.after(() => agent.destroy());
		const burst = () => Promise.all(Array.from({ length: 8 }, () =>
		    ping(s, agent, tok.access_token)));
		const warm = await waitFor('three mcp.fcgi processes', async () => {
			for (const res of await burst())
				assert.equal(res.statusCode, 200);
			const pids = programPids(s, 'mcp.fcgi');
			return pids.length >= 3 && pids;
		}, 30000);

		const logStart = s.serverLog().length;
		const r = s.admin(['revoke', '--user', 'alice']);
		assert.equal(r.status, 0, r.stderr);
		const refusedBy = await waitFor('refusals from two processes',
		    async () => {
			for (const res of await burst()) {
				assert.equal(res.statusCode, 401);
				assert.match(res.headers['www-authenticate'],
				    /error="invalid_token"/);
			}
			const pids = new Set([...s.serverLog().slice(logStart)
			    .matchAll(/mcp\.fcgi\[(\d+)\]: event=bearer_rejected/g)]
			    .map((m) => Number(m[1])));
			return pids.size >= 2 && pids;
		}, 30000);
		t.diagnostic(`${warm.length} mcp.fcgi processes before the ` +
		    `revocation, ${refusedBy.size} refused the token after it`);
		assert.ok([...refusedBy].some((pid) => warm.includes(pid)),
		    'a process that ran before the revocation refused the token');
	});

	fcgidIt('respawns killed FastCGI processes, losing at most the ' +
	    'request each had in flight', async (t) => {
		const url = '/.well-known/oauth-authorization-server';
		let stop = false;
		let served = 0;
		const failures = [];
		async function client() {
			while (!stop) {
				try {
					const res = await s.request('GET', url);
					if (res.status === 200)
						served++;
					else
						failures.push(`HTTP ${res.status}`);
				} catch (e) {
					failures.push(e.code ?? e.message);
				}
			}
		}
		const clients = [client(), client(), client(), client()];
		const killed = new Set();
		try {
			for (let round = 0; round < 6; round++) {
				// A process we have not killed yet has served.
				const since = served;
				const fresh = await waitFor(`round ${round}`, () => {
					const p = programPids(s, 'metadata.fcgi')
					    .filter((pid) => !killed.has(pid));
					return served > since + 4 && p.length > 0 && p;
				});
				for (const pid of fresh) {
					process.kill(pid, 'SIGKILL');
					killed.add(pid);
				}
			}
			const since = served;
			await waitFor('requests after the last kill',
			    () => served > since + 20);
		} finally {
			stop = true;
			await Promise.all(clients);
		}
		t.diagnostic(`${killed.size} processes killed, ${served} ` +
		    `requests served, ${failures.length} failed`);
		assert.ok(killed.size >= 6);
		assert.ok(failures.length <= killed.size,
		    `${failures.length} requests failed for ${killed.size} ` +
		    `processes killed: ${failures.join(', ')}`);
		const after = programPids(s, 'metadata.fcgi');
		assert.ok(after.length > 0 && after.every((p) => !killed.has(p)),
		    `living: ${after}, killed: ${[...killed]}`);
		const res = await s.request('GET', url);
		assert.equal(res.status, 200);
	});
});
