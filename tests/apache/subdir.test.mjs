// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The real MCP clients against a subdirectory install on a shared
// host: Apache with .htaccess only (mod_fcgid, or plain CGI), the
// programs, static/ and apache/htaccess.in in /mcp-auth/, and at the
// site's root a WordPress-style .htaccess (everything that is not a
// file goes to index.php) with the one rule of docs/deploying.md above
// it.  The MCP TypeScript SDK 1.32.2 client, @modelcontextprotocol/
// client 2.4.0, mcp-remote 0.15.1 and the Inspector CLI 2.12.0 each
// find the authorization server, register, send a person through the
// real pages under /mcp-auth/, and list and call tools.  Without the
// root rule the SDK and the modern client fail before anyone is asked
// to sign in: none of them looks for the authorization server's
// metadata under the subdirectory (docs/design.md, "Discovery for an
// issuer with a path"), so the rule is needed.
//
// Runs in scripts/check's apache-htaccess and apache-cgi layers; in
// apache-vhost (an origin install) it is skipped, with the reason.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { adminPath, freePort, serverKind, TestServer } from
    '../lib/harness.mjs';
import { rootRule } from '../lib/servers.mjs';
import { PersonProvider, recordingFetch, WatchedPerson, watchFor } from
    '../e2e/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = path.join(here, '..', 'e2e');
const node22 = path.join(e2e, 'node_modules', 'node', 'bin', 'node');
const inspectorCli = path.join(e2e, 'node_modules', '@modelcontextprotocol',
    'inspector', 'clients', 'cli', 'build', 'index.js');
const mcpRemote = path.join(e2e, 'node_modules', 'mcp-remote', 'dist',
    'proxy.js');

// The clients are tests/e2e's packages (scripts/check installs them
// for this layer): loaded from there, this file being outside.
const fromE2e = createRequire(path.join(e2e, 'package.json'));
const load = (spec) => import(pathToFileURL(fromE2e.resolve(spec)).href);
const { Client: ModernClient, StreamableHTTPClientTransport: ModernTransport,
    UnauthorizedError: ModernUnauthorized } =
    await load('@modelcontextprotocol/client');
const { Client } = await load('@modelcontextprotocol/sdk/client/index.js');
const { UnauthorizedError } =
    await load('@modelcontextprotocol/sdk/client/auth.js');
const { StreamableHTTPClientTransport } =
    await load('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { StdioClientTransport } =
    await load('@modelcontextprotocol/sdk/client/stdio.js');

const SUB = 'mcp-auth';
const ALICE = { name: 'alice', password: 'alice has a long password' };
const skip = serverKind === 'apache-htaccess' || serverKind === 'apache-cgi' ?
    false : `${serverKind} installs at an origin; subdirectory installs ` +
    'are the .htaccess modes\' case';

// Lists the tools and calls whoami and notes_add through callTool.
async function useTools(listTools, callTool, who) {
	const tools = (await listTools()).map((t) => t.name);
	assert.ok(tools.includes('whoami') && tools.includes('notes_add'),
	    tools.join(' '));
	const me = await callTool('whoami', {});
	assert.notEqual(me.isError, true, JSON.stringify(me));
	assert.equal(me.structuredContent.user, 'alice');
	const added = await callTool('notes_add', { title: `From ${who}`,
	    text: `Written by ${who} under /${SUB}/.` });
	assert.notEqual(added.isError, true, JSON.stringify(added));
}

// Connects a client of the SDK (1.32.2's or 2.4.0's, by the classes
// given); on the 401 the provider's person signs in, and the client
// finishes and connects again, as after its redirect.
async function connect(s, provider, net, { Client: C, Transport,
    Unauthorized, clientOptions, finish }) {
	const url = new URL(`${s.issuer}/mcp`);
	const options = { authProvider: provider, fetch: net.fetch };
	let transport = new Transport(url, options);
	let client = new C({ name: 'mcp-oauth-fcgi subdir', version: '1.0.0' },
	    clientOptions);
	try {
		await client.connect(transport);
		assert.fail('connected without authorization');
	} catch (e) {
		if (!(e instanceof Unauthorized))
			throw e;
	}
	await transport.finishAuth(finish(provider));
	await client.close();
	transport = new Transport(url, options);
	client = new C({ name: 'mcp-oauth-fcgi subdir', version: '1.0.0' },
	    clientOptions);
	await client.connect(transport);
	return client;
}

// What finishAuth() takes: the code for the SDK 1.x client; the whole
// redirect for 2.x, which checks its iss (RFC 9207).
const sdk = { Client, Transport: StreamableHTTPClientTransport,
    Unauthorized: UnauthorizedError, finish: (p) => p.takeCode() };
const modern = { Client: ModernClient, Transport: ModernTransport,
    Unauthorized: ModernUnauthorized,
    clientOptions: { versionNegotiation: { mode: 'auto' } },
    finish: (p) => p.redirect.searchParams };

// The person at the browser for a client process: follows the URL it
// printed and delivers the redirect to its loopback listener.
async function signInAndDeliver(s, person, authorizationUrl) {
	const url = new URL(authorizationUrl);
	assert.equal(url.origin + url.pathname, `${s.issuer}/authorize`,
	    authorizationUrl);
	const res = await person.authorize(url.pathname + url.search);
	assert.equal(res.status, 302, res.body.slice(0, 500));
	const back = new URL(res.headers.location);
	assert.equal(back.searchParams.get('iss'), s.issuer);
	const cb = await fetch(back);
	await cb.arrayBuffer();
	assert.ok(cb.status < 400, `the client's callback: ${cb.status}`);
}

function clientEnv(s, home) {
	return {
		PATH: process.env.PATH,
		HOME: home,
		NODE_EXTRA_CA_CERTS: s.certFile,
		MCP_REMOTE_CONFIG_DIR: path.join(home, '.mcp-auth'),
		MCP_AUTO_OPEN_ENABLED: 'true',
		MCP_INSPECTOR_SECRET_STORE: 'file',
		BROWSER: 'true',
		NO_COLOR: '1',
	};
}

// The client processes run as us; the server's certificate file must
// be readable to them (the harness hands the test directory to the
// web server's user).
function tempHome(t, prefix) {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	t.after(() => fs.rmSync(home, { recursive: true, force: true }));
	return home;
}

// One run of the Inspector CLI; when it prints an authorization URL
// the person signs in.  Resolves its exit code and output.
async function runInspector(s, home, callback, person, args) {
	const child = spawn(node22, [inspectorCli,
	    '--server-url', `${s.issuer}/mcp`,
	    '--transport', 'http', '--callback-url', callback,
	    '--format', 'json', ...args], {
		env: clientEnv(s, home),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const stdout = [];
	const stderr = [];
	child.stdout.on('data', (c) => stdout.push(c));
	const url = watchFor(child.stderr, /Please navigate to: (\S+)/, stderr);
	const done = new Promise((resolve) =>
	    child.on('close', (code) => resolve(code)));
	const first = await Promise.race([url.catch(() => undefined),
	    done.then(() => undefined)]);
	if (first !== undefined)
		await signInAndDeliver(s, person, first);
	return { code: await done, stdout: Buffer.concat(stdout).toString(),
	    stderr: stderr.join(''), asked: first !== undefined };
}

// mcp-remote as a desktop host runs it: resolves 'asked' when it
// prints an authorization URL, 'failed' when it ends without one.
async function mcpRemoteOutcome(t, s, home) {
	const transport = new StdioClientTransport({
		command: node22,
		args: [mcpRemote, `${s.issuer}/mcp`, String(await freePort()),
		    '--host', '127.0.0.1'],
		env: clientEnv(s, home),
		stderr: 'pipe',
	});
	const stderr = [];
	const url = watchFor(transport.stderr,
	    /Please authorize this client by visiting:\s+(\S+)/, stderr);
	const host = new Client({ name: 'subdir host', version: '1.0.0' });
	t.after(() => host.close());
	const outcome = await Promise.race([
		url.then(() => 'asked', () => 'failed'),
		host.connect(transport).then(() => 'connected',
		    () => 'failed'),
	]);
	return { outcome, log: () => stderr.join('') };
}

describe(`real clients, subdirectory install, root rule (${serverKind})`,
    { skip }, () => {
	let s;

	before(async () => {
		s = await TestServer.start({ subdir: SUB, users: [ALICE] });
	});

	after(async () => {
		await s?.stop();
	});

	for (const [label, kind] of [['SDK 1.32.2 client', sdk],
	    ['@modelcontextprotocol/client 2.4.0', modern]]) {
		test(label, async (t) => {
			const net = recordingFetch(s);
			t.after(() => net.close());
			const person = new WatchedPerson(s, ALICE.name,
			    ALICE.password);
			const provider = new PersonProvider({ s, person,
			    redirectUrl: `http://127.0.0.1:${await freePort()}` +
			    '/callback' });
			const client = await connect(s, provider, net, kind);
			t.after(() => client.close());
			await useTools(async () => (await client.listTools())
			    .tools, (name, args) => client.callTool({ name,
			    arguments: args }), label);
			assert.deepEqual([person.logins, person.consents], [1, 1]);
			// It found the documents where docs/design.md says.
			const got = net.log.filter((e) => e.status === 200)
			    .map((e) => e.path);
			assert.ok(got.includes(`/${SUB}/.well-known/` +
			    'oauth-protected-resource/mcp'), got.join('\n'));
			assert.ok(got.includes('/.well-known/' +
			    `oauth-authorization-server/${SUB}`), got.join('\n'));
			assert.ok(net.log.every((e) => e.path.startsWith(
			    `/${SUB}/`) || e.path.startsWith('/.well-known/')),
			    net.lines(0, { metadata: true }).join('\n'));
		});
	}

	test('mcp-remote 0.15.1', async (t) => {
		const home = tempHome(t, 'mcp-rem-');
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const transport = new StdioClientTransport({
			command: node22,
			args: [mcpRemote, `${s.issuer}/mcp`,
			    String(await freePort()), '--host', '127.0.0.1'],
			env: clientEnv(s, home),
			stderr: 'pipe',
		});
		const stderr = [];
		const url = watchFor(transport.stderr,
		    /Please authorize this client by visiting:\s+(\S+)/, stderr);
		url.catch(() => {});
		const host = new Client({ name: 'subdir host', version: '1.0.0' });
		const connected = host.connect(transport);
		connected.catch(() => {});
		const first = await Promise.race([url, connected.then(() =>
		    undefined)]);
		assert.ok(first, `mcp-remote asked for authorization:\n` +
		    stderr.join(''));
		await signInAndDeliver(s, person, first);
		await connected;
		t.after(() => host.close());
		await useTools(async () => (await host.listTools()).tools,
		    (name, args) => host.callTool({ name, arguments: args }),
		    'mcp-remote');
		assert.deepEqual([person.logins, person.consents], [1, 1]);
	});

	test('Inspector CLI 2.12.0', async (t) => {
		const home = tempHome(t, 'mcp-insp-');
		const callback = `http://127.0.0.1:${await freePort()}` +
		    '/oauth/callback';
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		async function inspect(args) {
			const r = await runInspector(s, home, callback, person,
			    args);
			assert.equal(r.code, 0, r.stderr + r.stdout);
			const reply = JSON.parse(r.stdout);
			assert.ok(reply.result, r.stdout);
			return reply.result;
		}
		await useTools(async () => (await inspect(['--method',
		    'tools/list'])).tools, (name, args) => inspect(['--method',
		    'tools/call', '--tool-name', name, '--tool-args-json',
		    JSON.stringify(args)]), 'the Inspector');
		assert.deepEqual([person.logins, person.consents], [1, 1]);
	});
});

describe(`real clients, subdirectory install, no root rule (${serverKind})`,
    { skip }, () => {
	let s;

	before(async () => {
		s = await TestServer.start({ subdir: SUB, rootRule: false,
		    users: [ALICE] });
	});

	after(async () => {
		await s?.stop();
	});

	for (const [label, kind] of [['SDK 1.32.2 client', sdk],
	    ['@modelcontextprotocol/client 2.4.0', modern]]) {
		test(`${label} fails before anyone signs in`, async (t) => {
			const net = recordingFetch(s);
			t.after(() => net.close());
			const person = new WatchedPerson(s, ALICE.name,
			    ALICE.password);
			const provider = new PersonProvider({ s, person,
			    redirectUrl: `http://127.0.0.1:${await freePort()}` +
			    '/callback' });
			await assert.rejects(connect(s, provider, net, kind));
			assert.deepEqual([person.logins, person.consents], [0, 0]);
			assert.deepEqual(provider.authorizations, []);
			// It did read the resource metadata under the
			// subdirectory, then looked for the authorization
			// server's at the root, where the site answered.
			const lines = net.lines(0, { metadata: true });
			assert.ok(net.log.some((e) => e.path === `/${SUB}/` +
			    '.well-known/oauth-protected-resource/mcp' &&
			    e.status === 200), lines.join('\n'));
			assert.ok(net.log.some((e) => e.path === '/.well-known/' +
			    `oauth-authorization-server/${SUB}`),
			    lines.join('\n'));
		});
	}

	test('mcp-remote 0.15.1 fails before anyone signs in', async (t) => {
		const r = await mcpRemoteOutcome(t, s, tempHome(t, 'mcp-rem-'));
		assert.equal(r.outcome, 'failed', r.log());
	});

	test('Inspector CLI 2.12.0 fails before anyone signs in', async (t) => {
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const r = await runInspector(s, tempHome(t, 'mcp-insp-'),
		    `http://127.0.0.1:${await freePort()}/oauth/callback`,
		    person, ['--method', 'tools/list']);
		assert.notEqual(r.code, 0, r.stdout);
		assert.equal(r.asked, false, r.stderr);
		assert.equal(person.logins, 0);
	});

	// Last: it adds the rule to this site's root.
	test('mcp-admin doctor names the rule, and the rule it names works',
	    { skip: process.env.MCP_TEST_WITHOUT_CURL ? 'doctor needs ' +
	    'libcurl' : false }, async () => {
		const doctor = () => {
			const r = spawnSync(adminPath, ['--json', 'doctor',
			    `${s.issuer}/mcp`, '--cacert', s.certFile,
			    '--no-write'], { encoding: 'utf8' });
			const report = JSON.parse(r.stdout);
			const get = (name) => report.checks.find((c) =>
			    c.check === name) ?? assert.fail(`no ${name}: ` +
			    r.stdout);
			return { r, get };
		};
		const before = doctor();
		const missing = before.get('as-metadata-root');
		assert.equal(missing.status, 'WARN', before.r.stdout);
		const m = /RewriteEngine On \/ (RewriteRule .*)$/.exec(
		    missing.hint);
		assert.ok(m, missing.hint);
		assert.equal(m[1], rootRule(SUB), 'docs/deploying.md\'s rule');
		// Added where the hint says: above the site's rules.
		const file = path.join(s.dir, 'htdocs', '.htaccess');
		fs.writeFileSync(file, `RewriteEngine On\n${m[1]}\n` +
		    fs.readFileSync(file, 'utf8'));
		const after = doctor();
		for (const name of ['as-metadata-root', 'as-metadata',
		    'resource-metadata-root', 'resource-metadata-mcp'])
			assert.equal(after.get(name).status, 'PASS',
			    `${name}: ${after.r.stdout}`);
	});
});
