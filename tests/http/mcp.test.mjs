// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// mcp.fcgi under lighttpd over TLS: bearer validation (MCP
// authorization, RFC 6750, RFC 8707), the Streamable HTTP transport
// rules, the JSON-RPC lifecycle and tools, and per-user authorization
// of the notes tools.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import {
	Person, aliceAndBob, authorizeQuery, exchange, obtainTokens, pkce,
	redirectParams, register,
} from '../lib/oauth.mjs';

let s, client, alice, bob;

before(async () => {
	({ s, client, alice, bob } = await aliceAndBob(
	    'allowed_origins = http://localhost:6274\n' +
	    'mcp_max_body = 4K'));
});

after(async () => {
	await s?.stop();
});

const ACCEPT = 'application/json, text/event-stream';

function rpc(token, body, headers = {}) {
	const h = { Accept: ACCEPT, 'MCP-Protocol-Version': '2025-11-25',
	    ...headers };
	if (token !== null)
		h.Authorization = `Bearer ${token}`;
	for (const k of Object.keys(h))
		if (h[k] === undefined)
			delete h[k];
	return s.request('POST', '/mcp', {
		body: typeof body === 'string' ? body : JSON.stringify(body),
		headers: { 'Content-Type': 'application/json', ...h },
	});
}

function call(token, name, args, id = 1) {
	return rpc(token, { jsonrpc: '2.0', id, method: 'tools/call',
	    params: { name, arguments: args } });
}

function prm() {
	return `${s.issuer}/.well-known/oauth-protected-resource/mcp`;
}

describe('bearer validation (RFC 6750)', () => {
	it('answers 401 with one parsable challenge when no token is sent',
	    async () => {
		const res = await rpc(null, { jsonrpc: '2.0', id: 1,
		    method: 'ping' });
		assert.equal(res.status, 401);
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'), [
			`Bearer resource_metadata="${prm()}", ` +
			    'scope="mcp notes:read notes:write"',
		]);
		assert.equal(res.json().error, 'invalid_request');
	});

	it('answers 401 invalid_token for an unknown token', async () => {
		const res = await rpc('mcpat_' + 'A'.repeat(43), { jsonrpc: '2.0',
		    id: 1, method: 'ping' });
		assert.equal(res.status, 401);
		const h = headerValues(res, 'WWW-Authenticate');
		assert.equal(h.length, 1);
		assert.match(h[0], /^Bearer error="invalid_token", /);
		assert.match(h[0], new RegExp(`resource_metadata="${prm()}"`));
		assert.doesNotMatch(h[0], /=""/, 'no empty values');
		assert.equal(res.json().error, 'invalid_token');
	});

	for (const bad of ['Bearer', 'Bearer a b', 'Bearer "quoted"',
	    'Bearer ' + 'x'.repeat(4000) + ' y']) {
		it(`answers 401 for a malformed header (${bad.slice(0, 16)}…)`,
		    async () => {
			const res = await s.request('POST', '/mcp', {
				json: { jsonrpc: '2.0', id: 1, method: 'ping' },
				headers: { Authorization: bad, Accept: ACCEPT },
			});
			assert.equal(res.status, 401);
			assert.match(res.headers['www-authenticate'], /^Bearer /);
		});
	}

	it('treats another scheme as no token', async () => {
		const res = await s.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'ping' },
			headers: { Authorization: 'Basic YTpi', Accept: ACCEPT },
		});
		assert.equal(res.status, 401);
		assert.doesNotMatch(res.headers['www-authenticate'], /error=/);
	});

	it('accepts the scheme in any case', async () => {
		const res = await s.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'ping' },
			headers: { Authorization: `bEARER ${alice.access_token}`,
			    Accept: ACCEPT },
		});
		assert.equal(res.status, 200);
		assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 1, result: {} });
	});

	it('never accepts a token in the query string (RFC 6750 §2.3)',
	    async () => {
		const res = await s.request('POST',
		    `/mcp?access_token=${alice.access_token}`, {
			json: { jsonrpc: '2.0', id: 1, method: 'ping' },
			headers: { Accept: ACCEPT },
		});
		assert.equal(res.status, 401);
	});

	it('refuses a refresh token used as an access token', async () => {
		const res = await rpc(alice.refresh_token, { jsonrpc: '2.0',
		    id: 1, method: 'ping' });
		assert.equal(res.status, 401);
		assert.match(res.headers['www-authenticate'],
		    /error="invalid_token"/);
	});

	it('exposes WWW-Authenticate to allowed browser origins', async () => {
		const res = await rpc(null, { jsonrpc: '2.0', id: 1,
		    method: 'ping' }, { Origin: 'http://localhost:6274' });
		assert.equal(res.status, 401);
		assert.equal(res.headers['access-control-allow-origin'],
		    'http://localhost:6274');
		assert.match(res.headers['access-control-expose-headers'],
		    /WWW-Authenticate/);
	});

	it('sees a revocation at /revoke on the very next request, in every '
	    + 'process', async () => {
		// Another client: a second grant of alice's to the same
		// registered client would replace hers.
		const other = await register(s, { client_name: 'Carol' });
		const carol = await obtainTokens(s,
		    new Person(s, 'alice', 'alice-password'), other);
		for (let i = 0; i < 6; i++)
			assert.equal((await rpc(carol.access_token, { jsonrpc: '2.0',
			    id: i, method: 'ping' })).status, 200);
		const rv = await s.request('POST', '/revoke', { form: {
			token: carol.refresh_token, client_id: other.client_id } });
		assert.equal(rv.status, 200);
		for (let i = 0; i < 6; i++) {
			const res = await rpc(carol.access_token, { jsonrpc: '2.0',
			    id: i, method: 'ping' });
			assert.equal(res.status, 401, `request ${i}`);
			assert.match(res.headers['www-authenticate'],
			    /error="invalid_token"/);
		}
		assert.equal((await rpc(alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'ping' })).status, 200,
		    'other grants are untouched');
	});

	it('refuses a token issued for another resource (RFC 8707)',
	    async () => {
		const text = fs.readFileSync(s.configFile, 'utf8');
		/*
		 * The same server under another issuer: its MCP URL differs
		 * from the audience of the tokens issued so far.
		 */
		fs.writeFileSync(s.configFile, text.replace(
		    `issuer = https://localhost:${s.port}`,
		    `issuer = https://127.0.0.1:${s.port}\n` +
		    `allowed_hosts = localhost:${s.port}`));
		try {
			const res = await rpc(alice.access_token, { jsonrpc: '2.0',
			    id: 1, method: 'ping' });
			assert.equal(res.status, 401);
			assert.match(res.headers['www-authenticate'],
			    /error="invalid_token", error_description="the access token was issued for another resource"/);
		} finally {
			fs.writeFileSync(s.configFile, text);
		}
		assert.equal((await rpc(alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'ping' })).status, 200);
	});
});

describe('scopes (RFC 6750 §3.1 insufficient_scope)', () => {
	let narrow;

	before(async () => {
		narrow = await obtainTokens(s,
		    new Person(s, 'alice', 'alice-password'), client,
		    { scope: 'mcp notes:read' });
		assert.equal(narrow.scope, 'mcp notes:read');
	});

	it('answers 403 insufficient_scope with the union of scopes',
	    async () => {
		const res = await call(narrow.access_token, 'notes_add',
		    { text: 'x' });
		assert.equal(res.status, 403);
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'), [
			'Bearer error="insufficient_scope", error_description="this '
			    + 'operation needs the scope notes:write", scope="mcp '
			    + `notes:read notes:write", resource_metadata="${prm()}"`,
		]);
		assert.equal(res.json().error, 'insufficient_scope');
	});

	it('lets a granted scope through', async () => {
		const res = await call(narrow.access_token, 'notes_list', {});
		assert.equal(res.status, 200);
		assert.equal(res.json().result.isError, undefined);
	});

	it('lets notes:write imply notes:read', async () => {
		const w = await obtainTokens(s,
		    new Person(s, 'bob', 'bob-password'), client,
		    { scope: 'notes:write' });
		const res = await call(w.access_token, 'notes_list', {});
		assert.equal(res.status, 200);
		assert.equal(res.json().result.structuredContent.count, 0);
		assert.equal((await call(w.access_token, 'whoami', {})).status,
		    403, 'but not mcp');
	});
});

describe('a tool needing a scope that is not configured', () => {
	let u, tokens;

	before(async () => {
		u = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-password' }],
			config: 'scopes = mcp notes:read',
		});
		tokens = await obtainTokens(u,
		    new Person(u, 'alice', 'alice-password'), await register(u));
	});

	after(async () => {
		await u?.stop();
	});

	it('names the scope in the challenge and logs a tool_error',
	    async () => {
		const res = await u.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'tools/call',
			    params: { name: 'notes_add', arguments: { text: 'x' } } },
			headers: { Authorization: `Bearer ${tokens.access_token}`,
			    Accept: ACCEPT, 'MCP-Protocol-Version': '2025-11-25' },
		});
		assert.equal(res.status, 403);
		assert.match(headerValues(res, 'WWW-Authenticate')[0],
		    / scope="mcp notes:read notes:write", /);
		const log = u.programLog();
		assert.match(log, /event=tool_error msg="tool notes_add needs the scope notes:write, which is not in the configured scopes"/);
		assert.doesNotMatch(log, /tool whoami needs/);
	});
});

describe('transport (MCP Streamable HTTP)', () => {
	it('refuses GET and DELETE with 405 and Allow: POST', async () => {
		for (const method of ['GET', 'DELETE', 'PUT']) {
			const res = await s.request(method, '/mcp', { headers: {
				Authorization: `Bearer ${alice.access_token}`,
				Accept: 'text/event-stream' } });
			assert.equal(res.status, 405, method);
			assert.deepEqual(headerValues(res, 'Allow'), ['POST']);
		}
	});

	it('challenges GET without a token before refusing it',
	    async () => {
		const res = await s.request('GET', '/mcp');
		assert.equal(res.status, 401);
	});

	it('answers a CORS preflight without a token', async () => {
		const res = await s.request('OPTIONS', '/mcp', { headers: {
			Origin: 'http://localhost:6274',
			'Access-Control-Request-Method': 'POST',
			'Access-Control-Request-Headers':
			    'authorization, content-type, mcp-protocol-version',
		} });
		assert.equal(res.status, 204);
		assert.equal(res.headers['access-control-allow-origin'],
		    'http://localhost:6274');
		assert.equal(res.headers['access-control-allow-headers'],
		    'Authorization, Content-Type, MCP-Protocol-Version, ' +
		    'Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name');
		assert.equal(res.headers['access-control-expose-headers'],
		    'WWW-Authenticate, Mcp-Session-Id');
	});

	// A tool whose arguments go in Mcp-Param headers (MCP 2026-07-28,
	// transports) is called from a browser only if the preflight lists
	// them: the answer names each one asked for, and nothing malformed.
	it('lets a CORS preflight ask for Mcp-Param headers', async () => {
		const res = await s.request('OPTIONS', '/mcp', { headers: {
			Origin: 'http://localhost:6274',
			'Access-Control-Request-Method': 'POST',
			'Access-Control-Request-Headers':
			    'authorization, mcp-param-region, Mcp-Param-Tenant-Id,' +
			    ' mcp-param-bad_name, mcp-param-, x-other',
		} });
		assert.equal(res.status, 204);
		assert.equal(res.headers['access-control-allow-headers'],
		    'Authorization, Content-Type, MCP-Protocol-Version, ' +
		    'Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name, ' +
		    'Mcp-Param-region, Mcp-Param-Tenant-Id');
		const many = Array.from({ length: 40 },
		    (_, i) => `mcp-param-p${i}`).join(', ');
		const capped = await s.request('OPTIONS', '/mcp', { headers: {
			Origin: 'http://localhost:6274',
			'Access-Control-Request-Method': 'POST',
			'Access-Control-Request-Headers': many,
		} });
		assert.equal(capped.headers['access-control-allow-headers']
		    .split(', ').filter((h) => h.startsWith('Mcp-Param-'))
		    .length, 16);
	});

	it('refuses a foreign Origin with 403', async () => {
		const res = await rpc(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'ping' }, { Origin: 'http://evil.example.com' });
		assert.equal(res.status, 403);
		assert.equal(res.json().error.code, -32000);
		assert.equal(res.json().id, null);
		assert.equal(res.headers['access-control-allow-origin'],
		    undefined);
	});

	it('accepts its own origin and the configured ones', async () => {
		for (const origin of [s.issuer, 'http://localhost:6274']) {
			const res = await rpc(alice.access_token, { jsonrpc: '2.0',
			    id: 1, method: 'ping' }, { Origin: origin });
			assert.equal(res.status, 200, origin);
			assert.equal(res.headers['access-control-allow-origin'],
			    origin);
		}
	});

	it('refuses a foreign Host with 403 (DNS rebinding)', async () => {
		const res = await rpc(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'ping' }, { Host: 'evil.example.com' });
		assert.equal(res.status, 403);
	});

	it('requires Accept to allow application/json (406)', async () => {
		const res = await rpc(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'ping' }, { Accept: 'text/event-stream' });
		assert.equal(res.status, 406);
		assert.equal(res.json().error.code, -32000);
		const ok = await s.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'ping' },
			headers: { Authorization: `Bearer ${alice.access_token}` },
		});
		assert.equal(ok.status, 200, 'no Accept header is fine');
	});

	it('requires Content-Type application/json (415)', async () => {
		const res = await s.request('POST', '/mcp', {
			body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
			headers: { Authorization: `Bearer ${alice.access_token}`,
			    'Content-Type': 'text/plain', Accept: ACCEPT },
		});
		assert.equal(res.status, 415);
	});

	it('limits the body (413)', async () => {
		const res = await call(alice.access_token, 'notes_add',
		    { text: 'x'.repeat(5000) });
		assert.equal(res.status, 413);
		assert.equal(res.json().error.code, -32000);
	});

	it('refuses an unsupported MCP-Protocol-Version with 400',
	    async () => {
		for (const v of ['1999-01-01', '2024-11-05']) {
			const res = await rpc(alice.access_token, { jsonrpc: '2.0',
			    id: 1, method: 'ping' }, { 'MCP-Protocol-Version': v });
			assert.equal(res.status, 400, v);
			assert.equal(res.json().error.code, -32000);
			assert.match(res.json().error.message,
			    /Unsupported protocol version/);
		}
		// A 2026-07-28 header on a request without the modern
		// _meta: tests/http/mcp-modern.test.mjs.
	});

	it('echoes an unsupported version only if it is printable ASCII '
	    + '(400)', async () => {
		// Latin-1 bytes on the wire: half a UTF-8 character, or none.
		const res = await rpc(alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'ping' },
		    { 'MCP-Protocol-Version': '2025-\u00e9\u00c3' });
		assert.equal(res.status, 400);
		assert.ok(!res.body.includes('\ufffd'), 'valid UTF-8');
		assert.equal(res.json().error.message, 'Bad Request: Unsupported '
		    + 'protocol version (supported versions: 2025-11-25, '
		    + '2025-06-18, 2025-03-26)');
	});

	it('answers notifications and client responses with 202 and no body',
	    async () => {
		for (const msg of [
			{ jsonrpc: '2.0', method: 'notifications/initialized' },
			{ jsonrpc: '2.0', method: 'notifications/cancelled',
			    params: { requestId: 3 } },
			{ jsonrpc: '2.0', method: 'something/unknown' },
			{ jsonrpc: '2.0', id: 7, result: {} },
			{ jsonrpc: '2.0', id: 'x', error: { code: 1,
			    message: 'm' } },
		]) {
			const res = await rpc(alice.access_token, msg);
			assert.equal(res.status, 202, JSON.stringify(msg));
			assert.equal(res.body, '');
		}
	});

	it('answers 404 for other paths under /mcp', async () => {
		for (const p of ['/mcp/', '/mcpx', '/mcp/tools']) {
			const res = await s.request('POST', p, { json: {},
			    headers: { Authorization: `Bearer ${alice.access_token}` } });
			assert.equal(res.status, 404, p);
		}
	});
});

describe('batches', () => {
	it('answers a 2025-03-26 batch with an array', async () => {
		const res = await rpc(alice.access_token, [
			{ jsonrpc: '2.0', id: 1, method: 'ping' },
			{ jsonrpc: '2.0', method: 'notifications/initialized' },
			{ jsonrpc: '2.0', id: 'b', method: 'nope' },
		], { 'MCP-Protocol-Version': '2025-03-26' });
		assert.equal(res.status, 200);
		assert.deepEqual(res.json(), [
			{ jsonrpc: '2.0', id: 1, result: {} },
			{ jsonrpc: '2.0', id: 'b', error: { code: -32601,
			    message: 'Method not found: nope' } },
		]);
	});

	it('treats a missing version header as 2025-03-26', async () => {
		const res = await s.request('POST', '/mcp', {
			json: [{ jsonrpc: '2.0', id: 1, method: 'ping' }],
			headers: { Authorization: `Bearer ${alice.access_token}`,
			    Accept: ACCEPT },
		});
		assert.equal(res.status, 200);
		assert.deepEqual(res.json(), [{ jsonrpc: '2.0', id: 1,
		    result: {} }]);
	});

	it('answers 202 to a batch of notifications only', async () => {
		const res = await rpc(alice.access_token, [
			{ jsonrpc: '2.0', method: 'notifications/initialized' },
		], { 'MCP-Protocol-Version': '2025-03-26' });
		assert.equal(res.status, 202);
	});

	it('refuses initialize inside a batch', async () => {
		const res = await rpc(alice.access_token, [
			{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
			    protocolVersion: '2025-03-26', capabilities: {},
			    clientInfo: { name: 't', version: '1' } } },
		], { 'MCP-Protocol-Version': '2025-03-26' });
		assert.equal(res.json()[0].error.code, -32600);
	});

	it('checks every call\'s scope before running any of a batch '
	    + '(one challenge with every scope)', async () => {
		const w = await obtainTokens(s,
		    new Person(s, 'bob', 'bob-password'), client,
		    { scope: 'notes:write' });
		const before = (await call(w.access_token, 'notes_list', {}))
		    .json().result.structuredContent.count;
		const res = await rpc(w.access_token, [
			{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {
			    name: 'notes_add', arguments: { text: 'batched' } } },
			{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: {
			    name: 'whoami', arguments: {} } },
		], { 'MCP-Protocol-Version': '2025-03-26' });
		assert.equal(res.status, 403);
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'), [
			'Bearer error="insufficient_scope", error_description="this '
			    + 'operation needs the scope mcp", scope="mcp '
			    + `notes:write", resource_metadata="${prm()}"`,
		]);
		const after = (await call(w.access_token, 'notes_list', {}))
		    .json().result.structuredContent.count;
		assert.equal(after, before, 'notes_add did not run');
	});

	it('refuses batches in later versions with -32600', async () => {
		for (const v of ['2025-06-18', '2025-11-25']) {
			const res = await rpc(alice.access_token, [{ jsonrpc: '2.0',
			    id: 1, method: 'ping' }], { 'MCP-Protocol-Version': v });
			assert.equal(res.status, 400, v);
			assert.equal(res.json().error.code, -32600);
		}
		const empty = await rpc(alice.access_token, [],
		    { 'MCP-Protocol-Version': '2025-03-26' });
		assert.equal(empty.status, 400);
	});
});

describe('JSON-RPC errors (JSON-RPC 2.0 §5.1)', () => {
	const cases = [
		['not JSON', '{"jsonrpc":', 400, -32700, null],
		['trailing garbage', '{"jsonrpc":"2.0","id":1,"method":"ping"}x',
		    400, -32700, null],
		['a number', '42', 200, -32600, null],
		['no jsonrpc', { id: 4, method: 'ping' }, 200, -32600, 4],
		['wrong jsonrpc', { jsonrpc: '1.0', id: 5, method: 'ping' }, 200,
		    -32600, 5],
		['null id', { jsonrpc: '2.0', id: null, method: 'ping' }, 200,
		    -32600, null],
		['fractional id', { jsonrpc: '2.0', id: 1.5, method: 'ping' },
		    200, -32600, null],
		['method not a string', { jsonrpc: '2.0', id: 6, method: 3 }, 200,
		    -32600, 6],
		['no method', { jsonrpc: '2.0', id: 7 }, 200, -32600, 7],
		['unknown method', { jsonrpc: '2.0', id: 8, method: 'foo/bar' },
		    200, -32601, 8],
		['params not an object', { jsonrpc: '2.0', id: 9,
		    method: 'tools/list', params: [1] }, 200, -32602, 9],
		['unknown tool', { jsonrpc: '2.0', id: 10, method: 'tools/call',
		    params: { name: 'nope' } }, 200, -32602, 10],
		['tool name missing', { jsonrpc: '2.0', id: 11,
		    method: 'tools/call', params: {} }, 200, -32602, 11],
		['arguments not an object', { jsonrpc: '2.0', id: 12,
		    method: 'tools/call', params: { name: 'whoami',
		    arguments: [] } }, 200, -32602, 12],
		['bad cursor', { jsonrpc: '2.0', id: 13, method: 'tools/list',
		    params: { cursor: '!!' } }, 200, -32602, 13],
		['initialize without protocolVersion', { jsonrpc: '2.0', id: 14,
		    method: 'initialize', params: {} }, 200, -32602, 14],
	];
	for (const [name, body, status, code, id] of cases) {
		it(`${name} → ${code}`, async () => {
			const res = await rpc(alice.access_token, body);
			assert.equal(res.status, status);
			const r = res.json();
			assert.equal(r.jsonrpc, '2.0');
			assert.equal(r.id, id);
			assert.equal(r.error.code, code);
			assert.equal(typeof r.error.message, 'string');
		});
	}
});

describe('lifecycle (initialize, initialized, ping)', () => {
	for (const v of ['2025-11-25', '2025-06-18', '2025-03-26']) {
		it(`initialize accepts ${v}`, async () => {
			const res = await rpc(alice.access_token, { jsonrpc: '2.0',
			    id: 1, method: 'initialize', params: {
			    protocolVersion: v, capabilities: {},
			    clientInfo: { name: 't', version: '1' } } },
			    { 'MCP-Protocol-Version': undefined });
			assert.equal(res.status, 200);
			const r = res.json().result;
			assert.equal(r.protocolVersion, v);
			assert.deepEqual(r.capabilities, {
				tools: { listChanged: false },
				resources: { subscribe: false, listChanged: false },
				prompts: { listChanged: false },
				completions: {},
				logging: {},
			});
			assert.equal(r.serverInfo.name, 'mcp-oauth-fcgi');
			assert.equal(typeof r.serverInfo.version, 'string');
			assert.equal(res.headers['mcp-session-id'], undefined,
			    'no sessions');
		});
	}

	it('counter-offers the latest version for an unknown one',
	    async () => {
		const res = await rpc(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'initialize', params: { protocolVersion: '2024-01-01',
		    capabilities: {}, clientInfo: { name: 't', version: '1' } } });
		assert.equal(res.json().result.protocolVersion, '2025-11-25');
	});

	it('answers ping with an empty result', async () => {
		const res = await rpc(alice.access_token, { jsonrpc: '2.0',
		    id: 'p', method: 'ping' });
		assert.deepEqual(res.json(), { jsonrpc: '2.0', id: 'p',
		    result: {} });
	});
});

describe('tools (tools/list, tools/call)', () => {
	it('lists every tool in a fixed order with schemas and scopes',
	    async () => {
		const a = (await rpc(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'tools/list' })).json().result;
		const b = (await rpc(alice.access_token, { jsonrpc: '2.0', id: 2,
		    method: 'tools/list', params: {} })).json().result;
		assert.deepEqual(a, b);
		assert.deepEqual(a.tools.map((t) => t.name), ['whoami',
		    'notes_list', 'notes_get', 'notes_add', 'notes_delete',
		    'notes_search']);
		assert.equal(a.nextCursor, undefined);
		for (const t of a.tools) {
			assert.match(t.name, /^[A-Za-z0-9_.-]{1,64}$/);
			assert.equal(t.inputSchema.type, 'object');
			assert.equal(typeof t.description, 'string');
			assert.match(t.description, /Requires the OAuth scope/);
			assert.equal(typeof t._meta['io.github.mcp-oauth-fcgi/scope'],
			    'string');
		}
	});

	it('whoami tells who the token belongs to', async () => {
		const r = (await call(alice.access_token, 'whoami', {})).json()
		    .result;
		assert.equal(r.structuredContent.user, 'alice');
		assert.equal(r.structuredContent.client_id, client.client_id);
		assert.deepEqual(r.structuredContent.scopes, ['mcp', 'notes:read',
		    'notes:write']);
		assert.ok(r.structuredContent.token_expires_in > 3500);
		assert.deepEqual(JSON.parse(r.content[0].text),
		    r.structuredContent, 'the text block mirrors it');
	});

	it('treats missing arguments as {}', async () => {
		const res = await rpc(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'tools/call', params: { name: 'whoami' } });
		assert.equal(res.json().result.structuredContent.user, 'alice');
	});

	it('reports invalid arguments as a tool error (isError)', async () => {
		for (const [args, text] of [
			[{}, /arguments: "text" is required/],
			[{ text: 5 }, /arguments.text: must be of type string/],
			[{ text: '' }, /arguments.text: must be at least 1/],
			[{ text: 'a', extra: 1 }, /unexpected property "extra"/],
			[{ text: 'a', title: 'x'.repeat(201) },
			    /arguments.title: must be at most 200/],
		]) {
			const r = (await call(alice.access_token, 'notes_add', args))
			    .json().result;
			assert.equal(r.isError, true, JSON.stringify(args));
			assert.match(r.content[0].text, text);
		}
	});

	it('keeps each user\'s notes to themselves', async () => {
		const add = (await call(alice.access_token, 'notes_add',
		    { text: 'alice secret <b>', title: 'mine' })).json().result;
		assert.equal(add.isError, undefined);
		const id = add.structuredContent.id;
		const got = (await call(alice.access_token, 'notes_get', { id }))
		    .json().result;
		assert.equal(got.structuredContent.text, 'alice secret <b>');
		const theirs = (await call(bob.access_token, 'notes_get', { id }))
		    .json().result;
		assert.equal(theirs.isError, true);
		assert.match(theirs.content[0].text, /no note number/);
		const del = (await call(bob.access_token, 'notes_delete', { id }))
		    .json().result;
		assert.equal(del.isError, true);
		const list = (await call(bob.access_token, 'notes_list', {}))
		    .json().result;
		assert.equal(list.structuredContent.count, 0);
		assert.equal((await call(alice.access_token, 'notes_get', { id }))
		    .json().result.structuredContent.text, 'alice secret <b>',
		    'bob deleted nothing');
	});

	it('numbers, lists and deletes notes', async () => {
		const ids = [];
		for (const text of ['one', 'two', 'three'])
			ids.push((await call(bob.access_token, 'notes_add',
			    { text })).json().result.structuredContent.id);
		assert.deepEqual(ids, [ids[0], ids[0] + 1, ids[0] + 2]);
		let list = (await call(bob.access_token, 'notes_list', {}))
		    .json().result.structuredContent;
		assert.deepEqual(list.notes.map((n) => n.id), ids);
		const del = (await call(bob.access_token, 'notes_delete',
		    { id: ids[1] })).json().result;
		assert.deepEqual(del.structuredContent, { deleted: ids[1] });
		list = (await call(bob.access_token, 'notes_list', {})).json()
		    .result.structuredContent;
		assert.deepEqual(list.notes.map((n) => n.id), [ids[0], ids[2]]);
	});
});

describe('logging', () => {
	it('never logs a token', async () => {
		const log = s.programLog();
		for (const t of [alice.access_token, alice.refresh_token,
		    bob.access_token, alice.code])
			assert.ok(!log.includes(t), 'a secret reached the log');
		assert.match(log, /mcp\.fcgi\[\d+\]: event=bearer_rejected/);
	});
});

describe('a broken configuration', () => {
	it('answers a JSON-RPC error, and recovers when fixed', async () => {
		const good = fs.readFileSync(s.configFile, 'utf8');
		fs.writeFileSync(s.configFile, `${good}no_such_key = 1\n`);
		try {
			const res = await rpc(alice.access_token, { jsonrpc: '2.0',
			    id: 1, method: 'ping' });
			assert.equal(res.status, 500);
			assert.deepEqual(headerValues(res, 'Content-Type'),
			    ['application/json']);
			const r = res.json();
			assert.equal(r.jsonrpc, '2.0');
			assert.equal(r.id, null);
			assert.equal(r.error.code, -32603);
			assert.match(r.error.message, /configuration/);
		} finally {
			fs.writeFileSync(s.configFile, good);
		}
		assert.equal((await rpc(alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'ping' })).status, 200);
	});
});

// MCP 2026-07-28, basic/authorization, refresh tokens: a resource does
// not ask for offline_access.  On a site that lists it, a token may
// carry it; the step-up challenge still names only what the resource
// needs, every scope of it at once.
describe('the step-up challenge on a site that lists offline_access', () => {
	let o, t;

	before(async () => {
		o = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-password' }],
			config: 'scopes = mcp offline_access notes:read ' +
			    'notes:write',
		});
		t = await obtainTokens(o,
		    new Person(o, 'alice', 'alice-password'), await register(o),
		    { scope: 'mcp offline_access notes:read' });
		assert.equal(t.scope, 'mcp offline_access notes:read');
	});

	after(async () => {
		await o?.stop();
	});

	it('names no offline_access', async () => {
		const res = await o.request('POST', '/mcp', {
			json: { jsonrpc: '2.0', id: 1, method: 'tools/call',
			    params: { name: 'notes_add',
			    arguments: { text: 'x' } } },
			headers: { Authorization: `Bearer ${t.access_token}`,
			    Accept: ACCEPT, 'MCP-Protocol-Version': '2025-11-25' },
		});
		assert.equal(res.status, 403, res.body);
		assert.deepEqual(headerValues(res, 'WWW-Authenticate'), [
			'Bearer error="insufficient_scope", error_description="this '
			    + 'operation needs the scope notes:write", scope="mcp '
			    + 'notes:read notes:write", resource_metadata="'
			    + `${o.issuer}/.well-known/oauth-protected-resource/mcp"`,
		]);
	});
});
