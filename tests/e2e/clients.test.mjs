// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The clients of MCP revision 2026-07-28, as released, against the
// real programs under lighttpd over TLS: each finds the authorization
// server from the 401 challenge, registers, sends a person to the real
// sign-in and consent pages, and then lists the tools and calls
// whoami, notes_add and notes_list.  The SDK client also deletes a
// note, answering notes_delete's request for confirmation (an
// input-required result, basic/patterns/mrtr) through its handler.
//
//   @modelcontextprotocol/client   pinned to 2026-07-28, and "auto"
//   Inspector CLI                  --protocol-era modern
//   mcp-remote                     --protocol auto (a stdio bridge,
//                                  driven by the SDK's stdio client as
//                                  a desktop host would), and again
//                                  with --client-metadata-url (a
//                                  Client ID Metadata Document, no
//                                  registration)
//
// The browser of each is a Person (tests/lib/oauth.mjs) following the
// authorization URL the client prints or hands over, whose redirect
// is then delivered to the client's own loopback listener.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { Client, StreamableHTTPClientTransport, UnauthorizedError } from
    '@modelcontextprotocol/client';
import { Client as StdioHost } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from
    '@modelcontextprotocol/sdk/client/stdio.js';

import { cimdTestServer } from '../lib/cimdserver.mjs';
import { freePort, TestServer } from '../lib/harness.mjs';
import { artifactPath, PersonProvider, recordingFetch, WatchedPerson,
    watchFor } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const node22 = path.join(here, 'node_modules', 'node', 'bin', 'node');
const inspectorCli = path.join(here, 'node_modules', '@modelcontextprotocol',
    'inspector', 'clients', 'cli', 'build', 'index.js');
const mcpRemote = path.join(here, 'node_modules', 'mcp-remote', 'dist',
    'proxy.js');

const MODERN = '2026-07-28';
const ALICE = { name: 'alice', password: 'alice has a long password' };
const TOOLS = ['whoami', 'notes_list', 'notes_get', 'notes_add',
    'notes_delete', 'notes_search'];

// What every client must get from the same four calls, given a
// function that calls a tool and resolves its result.
async function useTools(listTools, callTool, who) {
	const tools = await listTools();
	assert.deepEqual(tools.map((x) => x.name), TOOLS);
	const me = await callTool('whoami', {});
	assert.notEqual(me.isError, true, JSON.stringify(me));
	assert.equal(me.structuredContent.user, 'alice');
	const title = `From ${who}`;
	const added = await callTool('notes_add', { title,
	    text: `Written by ${who}.` });
	assert.notEqual(added.isError, true, JSON.stringify(added));
	const id = added.structuredContent.id;
	const list = await callTool('notes_list', {});
	assert.notEqual(list.isError, true, JSON.stringify(list));
	assert.ok(list.structuredContent.notes.some((n) =>
	    n.id === id && n.title === title), JSON.stringify(list));
	return me.structuredContent;
}

// The person at the browser: follows an authorization URL on the
// real pages, approves, and resolves the redirect back to the client.
async function signIn(s, person, authorizationUrl) {
	const url = new URL(authorizationUrl);
	assert.equal(url.origin, s.issuer, authorizationUrl);
	const res = await person.authorize(url.pathname + url.search);
	assert.equal(res.status, 302, res.body.slice(0, 500));
	const back = new URL(res.headers.location);
	assert.ok(back.searchParams.get('code'), back.href);
	assert.equal(back.searchParams.get('iss'), s.issuer);
	return back;
}

// Delivers the redirect to the client's loopback listener, as the
// browser would.
async function deliver(back) {
	const res = await fetch(back);
	await res.arrayBuffer();
	assert.ok(res.status < 400, `the client's callback answered ` +
	    `${res.status}`);
}

// An environment for a client process: its own home (the Inspector
// and mcp-remote keep their credentials there), trusting the test
// server's certificate, and as its browser the command "true" (both
// open the URL with xdg-open, which runs $BROWSER): the person then
// follows the URL the client printed.  The Inspector opens a browser
// without a terminal only when told to (MCP_AUTO_OPEN_ENABLED).
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

describe('MCP 2026-07-28 clients', () => {
	let s;

	before(async () => {
		s = await TestServer.start({ users: [ALICE] });
	});

	after(async () => {
		await s?.stop();
	});

	for (const [label, mode] of [
		[`@modelcontextprotocol/client pinned to ${MODERN}`,
		    { pin: MODERN }],
		['@modelcontextprotocol/client in auto mode', 'auto'],
	]) {
		test(label, async (t) => {
			const net = recordingFetch(s);
			t.after(() => net.close());
			const redirectUrl =
			    `http://127.0.0.1:${await freePort()}/callback`;
			const person = new WatchedPerson(s, ALICE.name,
			    ALICE.password);
			const provider = new PersonProvider({ s, person,
			    redirectUrl, metadata: { client_name:
			    `client 2.4.0 ${JSON.stringify(mode)}`,
			    application_type: 'native' } });
			const url = new URL('/mcp', s.issuer);
			// The person's answers to elicitations (notes_delete
			// asks to confirm, MCP 2026-07-28 basic/patterns/mrtr).
			const asked = [];
			const make = () => {
				const transport = new StreamableHTTPClientTransport(
				    url, { authProvider: provider,
				    fetch: net.fetch });
				const client = new Client({
					name: 'mcp-oauth-fcgi-e2e',
					version: '1.0.0',
				}, { versionNegotiation: { mode },
				    capabilities: { elicitation: { form: {} } } });
				client.setRequestHandler('elicitation/create',
				    async (req) => {
					asked.push(req.params.message);
					return { action: 'accept',
					    content: { confirm: true } };
				});
				return { client, transport };
			};
			let conn = make();
			try {
				await conn.client.connect(conn.transport);
				assert.fail('connected without authorization');
			} catch (e) {
				if (!(e instanceof UnauthorizedError))
					throw e;
			}
			await conn.transport.finishAuth(provider.redirect
			    .searchParams);
			await conn.client.close();
			conn = make();
			await conn.client.connect(conn.transport);
			t.after(() => conn.client.close());
			assert.deepEqual([person.logins, person.consents],
			    [1, 1]);
			assert.equal(conn.client.getProtocolEra(), 'modern');
			assert.equal(conn.client.getNegotiatedProtocolVersion(),
			    MODERN);
			assert.equal(conn.client.getServerVersion()?.name,
			    'mcp-oauth-fcgi');

			const me = await useTools(
			    async () => (await conn.client.listTools()).tools,
			    (name, args) => conn.client.callTool({ name,
			    arguments: args }), `client 2.4.0 ${mode}`);
			assert.equal(me.client_id,
			    provider.clientInformation().client_id);

			// An input-required result: the client asks its person
			// through the handler and repeats the call with the
			// answer and the sealed request state.
			const doomed = await conn.client.callTool({
			    name: 'notes_add', arguments: { text: 'to delete' } });
			const gone = await conn.client.callTool({
			    name: 'notes_delete',
			    arguments: { id: doomed.structuredContent.id } });
			assert.deepEqual(gone.structuredContent,
			    { deleted: doomed.structuredContent.id },
			    JSON.stringify(gone));
			assert.deepEqual(asked, [`Delete your note number ` +
			    `${doomed.structuredContent.id}? This cannot be ` +
			    'undone.']);
			const retry = net.log.filter((e) => e.method === 'POST' &&
			    e.path === '/mcp' && JSON.parse(e.body).params
			    ?.requestState !== undefined);
			assert.equal(retry.length, 1, net.lines().join('\n'));

			// Stateless all the way: no initialize, no session,
			// every POST named its method (and a tools/call its
			// tool) and carried the version.
			const posts = net.log.filter((e) => e.method === 'POST' &&
			    e.path === '/mcp' && e.status === 200);
			assert.ok(posts.length >= 5, net.lines().join('\n'));
			for (const e of posts) {
				const body = JSON.parse(e.body);
				assert.notEqual(body.method, 'initialize');
				assert.equal(e.headers.get('mcp-session-id'), null);
				assert.equal(e.headers.get('mcp-protocol-version'),
				    MODERN);
				assert.equal(e.headers.get('mcp-method'),
				    body.method);
				if (body.method === 'tools/call')
					assert.equal(e.headers.get('mcp-name'),
					    body.params.name);
			}
			assert.ok(!net.log.some((e) => e.path === '/mcp' &&
			    e.status >= 400 && e.status !== 401),
			    net.lines().join('\n'));
			// The metadata documents answer whatever version header
			// the client sends with them.
			for (const e of net.log.filter((x) =>
			    x.path.startsWith('/.well-known/'))) {
				assert.equal(e.status, 200, e.path);
			}
		});
	}

	test('Inspector CLI with --protocol-era modern', async (t) => {
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-insp-'));
		t.after(() => fs.rmSync(home, { recursive: true, force: true }));
		const callback = `http://127.0.0.1:${await freePort()}` +
		    '/oauth/callback';
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const out = [];
		// One CLI run per method, as a script would call it; the
		// first signs in, the later ones use the stored tokens.
		async function inspect(args) {
			const child = spawn(node22, [inspectorCli,
			    '--server-url', `${s.issuer}/mcp`,
			    '--transport', 'http', '--protocol-era', 'modern',
			    '--callback-url', callback, '--format', 'json',
			    ...args], {
				env: clientEnv(s, home),
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			const stdout = [];
			const stderr = [];
			child.stdout.on('data', (c) => stdout.push(c));
			const url = watchFor(child.stderr,
			    /Please navigate to: (\S+)/, stderr);
			const done = new Promise((resolve) =>
			    child.on('close', (code) => resolve(code)));
			// Signed in already: the run ends without a URL.
			const first = await Promise.race([url.catch(() =>
			    undefined), done.then(() => undefined)]);
			if (first !== undefined)
				await deliver(await signIn(s, person, first));
			const code = await done;
			const text = Buffer.concat(stdout).toString();
			out.push(`$ inspector ${args.join(' ')}\n` +
			    `${stderr.join('')}${text}\n`);
			assert.equal(code, 0, out.at(-1));
			// --format json: {"result": ...} or {"error": ...}.
			const reply = JSON.parse(text);
			assert.ok(reply.result, text);
			return reply.result;
		}
		t.after(() => fs.writeFileSync(artifactPath('inspector.out'),
		    out.join('\n')));
		const callTool = async (name, args) => inspect(['--method',
		    'tools/call', '--tool-name', name, '--tool-args-json',
		    JSON.stringify(args)]);
		await useTools(async () => (await inspect(['--method',
		    'tools/list'])).tools, callTool, 'the Inspector');
		assert.deepEqual([person.logins, person.consents], [1, 1]);
	});

	test('mcp-remote with --protocol auto', async (t) => {
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-rem-'));
		t.after(() => fs.rmSync(home, { recursive: true, force: true }));
		const callbackPort = await freePort();
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const transport = new StdioClientTransport({
			command: node22,
			args: [mcpRemote, `${s.issuer}/mcp`,
			    String(callbackPort), '--host', '127.0.0.1',
			    '--protocol', 'auto'],
			env: clientEnv(s, home),
			stderr: 'pipe',
		});
		const stderr = [];
		const url = watchFor(transport.stderr,
		    /Please authorize this client by visiting:\s+(\S+)/, stderr);
		url.catch(() => {});
		t.after(() => fs.writeFileSync(artifactPath('mcp-remote.out'),
		    stderr.join('')));
		const host = new StdioHost({ name: 'mcp-oauth-fcgi-e2e host',
		    version: '1.0.0' });
		const connected = host.connect(transport);
		connected.catch(() => {});
		const first = await Promise.race([url, connected.then(() =>
		    undefined)]);
		assert.ok(first, 'mcp-remote asked for authorization');
		await deliver(await signIn(s, person, first));
		await connected;
		t.after(() => host.close());
		await useTools(async () => (await host.listTools()).tools,
		    (name, args) => host.callTool({ name, arguments: args }),
		    'mcp-remote');
		assert.deepEqual([person.logins, person.consents], [1, 1]);
		const log = stderr.join('');
		// It found a 2026-07-28 server and said nothing went wrong.
		assert.doesNotMatch(log, /error/i, log);
		assert.match(log, /Remote server speaks MCP 2026-07-28/, log);
	});
});

// mcp-remote 0.15.1 with --client-metadata-url: the server advertises
// Client ID Metadata Documents, so mcp-remote uses the URL as its
// client_id and never registers; the server fetches the document from
// a loopback https site (the test-only cimd_test_allow_loopback).
describe('mcp-remote with a Client ID Metadata Document', () => {
	let site;
	let s;

	before(async () => {
		({ site, s } = await cimdTestServer({ users: [ALICE] }));
	});

	after(async () => {
		await s?.stop();
		await site?.stop();
	});

	test('mcp-remote --client-metadata-url', async (t) => {
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-rem-'));
		t.after(() => fs.rmSync(home, { recursive: true, force: true }));
		const callbackPort = await freePort();
		const doc = site.publish('/mcp-remote/client.json', {
			client_name: 'mcp-remote (CIMD)',
			redirect_uris: [`http://127.0.0.1:${callbackPort}` +
			    '/oauth/callback'],
		});
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const transport = new StdioClientTransport({
			command: node22,
			args: [mcpRemote, `${s.issuer}/mcp`,
			    String(callbackPort), '--host', '127.0.0.1',
			    '--client-metadata-url', doc.client_id],
			env: clientEnv(s, home),
			stderr: 'pipe',
		});
		const stderr = [];
		const url = watchFor(transport.stderr,
		    /Please authorize this client by visiting:\s+(\S+)/, stderr);
		url.catch(() => {});
		t.after(() => fs.writeFileSync(
		    artifactPath('mcp-remote-cimd.out'), stderr.join('')));
		const host = new StdioHost({ name: 'mcp-oauth-fcgi-e2e host',
		    version: '1.0.0' });
		const connected = host.connect(transport);
		connected.catch(() => {});
		const first = await Promise.race([url, connected.then(() =>
		    undefined)]);
		assert.ok(first, 'mcp-remote asked for authorization');
		assert.equal(new URL(first).searchParams.get('client_id'),
		    doc.client_id);
		await deliver(await signIn(s, person, first));
		await connected;
		t.after(() => host.close());
		const me = await useTools(
		    async () => (await host.listTools()).tools,
		    (name, args) => host.callTool({ name, arguments: args }),
		    'mcp-remote');
		assert.equal(me.client_id, doc.client_id);
		assert.deepEqual([person.logins, person.consents], [1, 1]);
		assert.ok(site.hitsFor('/mcp-remote/client.json') >= 1);
		const log = stderr.join('');
		assert.match(log, /Using client metadata document/, log);
		assert.doesNotMatch(log, /register/i, log);
	});
});
