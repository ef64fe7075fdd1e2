// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// MCP 2026-07-28 at /mcp next to the legacy revisions, under lighttpd
// over TLS (MCP 2026-07-28: basic/versioning, backward compatibility;
// basic/transports/streamable-http; server/discover;
// server/utilities/caching): which era a request is, server/discover,
// the built-in tools in the modern era, and every refusal in the
// spec's shape and HTTP status, never a 5xx for a client's mistake.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TestServer, buildDir, headerValues } from '../lib/harness.mjs';
import { Person, aliceAndBob, obtainTokens, register } from '../lib/oauth.mjs';

const MODERN = '2026-07-28';
const ALL_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'];
const ACCEPT = 'application/json, text/event-stream';
const V = 'io.modelcontextprotocol/protocolVersion';
const CAPS = 'io.modelcontextprotocol/clientCapabilities';

let s, client, alice, bob;

before(async () => {
	({ s, client, alice, bob } = await aliceAndBob());
});

after(async () => {
	await s?.stop();
});

function meta(extra = {}) {
	return { [V]: MODERN, [CAPS]: {},
	    'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
	    ...extra };
}

// POSTs body as is, with the token and headers (undefined drops one).
function post(server, token, body, headers = {}) {
	const h = { 'Content-Type': 'application/json', Accept: ACCEPT,
	    Authorization: `Bearer ${token}`, ...headers };
	for (const k of Object.keys(h))
		if (h[k] === undefined)
			delete h[k];
	return server.request('POST', '/mcp', { body: JSON.stringify(body),
	    headers: h });
}

// A modern request with the headers a conforming client sends.
function modern(token, method, params = {}, { id = 1, headers = {},
    server = s } = {}) {
	const body = { jsonrpc: '2.0', id, method,
	    params: { ...params, _meta: params._meta ?? meta() } };
	const h = { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': method };
	if (typeof params.name === 'string')
		h['Mcp-Name'] = params.name;
	return post(server, token, body, { ...h, ...headers });
}

function call(token, name, args = {}, options = {}) {
	return modern(token, 'tools/call', { name, arguments: args }, options);
}

// The spec's error shape: the request's id, the code, and the status.
function assertError(res, status, code, id = 1) {
	assert.equal(res.status, status, res.body);
	assert.equal(res.headers['content-type'], 'application/json');
	const r = res.json();
	assert.equal(r.jsonrpc, '2.0');
	assert.equal(r.id, id);
	assert.equal(r.error.code, code, res.body);
	assert.equal(typeof r.error.message, 'string');
	return r.error;
}

describe('server/discover', () => {
	it('names both eras, the tools, the server and caching hints',
	    async () => {
		const res = await modern(alice.access_token, 'server/discover');
		assert.equal(res.status, 200);
		const r = res.json();
		assert.equal(r.id, 1);
		assert.equal(r.result.resultType, 'complete');
		assert.deepEqual(r.result.supportedVersions, ALL_VERSIONS);
		assert.deepEqual(r.result.capabilities, { tools: {},
		    resources: { subscribe: false, listChanged: false },
		    prompts: { listChanged: false }, completions: {},
		    logging: {} });
		const info = r.result._meta['io.modelcontextprotocol/serverInfo'];
		assert.equal(info.name, 'mcp-oauth-fcgi');
		assert.equal(typeof info.version, 'string');
		assert.match(r.result.instructions, /notes/);
		assert.ok(Number.isInteger(r.result.ttlMs) && r.result.ttlMs >= 0);
		assert.equal(r.result.cacheScope, 'public');
		assert.equal(res.headers['mcp-session-id'], undefined);
	});

	it('serves a request without clientInfo (a SHOULD)', async () => {
		const res = await modern(alice.access_token, 'server/discover',
		    { _meta: { [V]: MODERN, [CAPS]: {} } });
		assert.equal(res.status, 200);
	});

	it('is challenged like any other request without a token',
	    async () => {
		const res = await post(s, undefined, { jsonrpc: '2.0', id: 1,
		    method: 'server/discover', params: { _meta: meta() } },
		    { Authorization: undefined, 'MCP-Protocol-Version': MODERN,
		    'Mcp-Method': 'server/discover' });
		assert.equal(res.status, 401);
		assert.match(res.headers['www-authenticate'], /^Bearer /);
	});
});

describe('the built-in tools in the modern era', () => {
	it('tools/list carries resultType and caching hints', async () => {
		const res = await modern(alice.access_token, 'tools/list');
		assert.equal(res.status, 200);
		const r = res.json().result;
		assert.equal(r.resultType, 'complete');
		assert.equal(r.cacheScope, 'public');
		assert.ok(Number.isInteger(r.ttlMs) && r.ttlMs >= 0);
		assert.deepEqual(r.tools.map((t) => t.name), ['whoami',
		    'notes_list', 'notes_get', 'notes_add', 'notes_delete',
		    'notes_search']);
		const legacy = (await post(s, alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'tools/list' },
		    { 'MCP-Protocol-Version': '2025-11-25' })).json().result;
		assert.equal(legacy.resultType, undefined, 'legacy is unchanged');
		assert.equal(legacy.ttlMs, undefined);
		assert.deepEqual(legacy.tools, r.tools, 'the same tools');
	});

	it('whoami tells who the token belongs to', async () => {
		const res = await call(alice.access_token, 'whoami');
		assert.equal(res.status, 200);
		const r = res.json().result;
		assert.equal(r.resultType, 'complete');
		assert.equal(r.structuredContent.user, 'alice');
		assert.equal(r.structuredContent.client_id, client.client_id);
		assert.equal(r._meta['io.modelcontextprotocol/serverInfo'].name,
		    'mcp-oauth-fcgi');
	});

	it('keeps each user\'s notes to themselves', async () => {
		const add = (await call(alice.access_token, 'notes_add',
		    { text: 'modern secret' })).json().result;
		assert.equal(add.isError, undefined);
		assert.equal(add.resultType, 'complete');
		const mine = (await call(alice.access_token, 'notes_list')).json()
		    .result.structuredContent;
		assert.ok(mine.notes.some((n) => n.id === add.structuredContent.id));
		const theirs = (await call(bob.access_token, 'notes_list')).json()
		    .result.structuredContent;
		assert.equal(theirs.count, 0);
		const got = (await call(bob.access_token, 'notes_get',
		    { id: add.structuredContent.id })).json().result;
		assert.equal(got.isError, true);
	});

	it('answers 403 insufficient_scope for a tool beyond the token',
	    async () => {
		const narrow = await obtainTokens(s,
		    new Person(s, 'alice', 'alice-password'), client,
		    { scope: 'mcp notes:read' });
		const res = await call(narrow.access_token, 'notes_add',
		    { text: 'x' });
		assert.equal(res.status, 403);
		assert.match(headerValues(res, 'WWW-Authenticate')[0],
		    /^Bearer error="insufficient_scope", .*notes:write/);
		assert.equal((await call(narrow.access_token, 'notes_list'))
		    .status, 200);
	});

	it('reports an unknown tool in-band with -32602', async () => {
		assertError(await call(alice.access_token, 'nope'), 200, -32602);
	});

	it('ignores a legacy session header', async () => {
		const res = await modern(alice.access_token, 'tools/list', {},
		    { headers: { 'Mcp-Session-Id': 'abc123' } });
		assert.equal(res.status, 200);
		assert.equal(res.json().result.resultType, 'complete');
		assert.equal(res.headers['mcp-session-id'], undefined);
	});

	it('answers a notification 202 with no body', async () => {
		const res = await post(s, alice.access_token, { jsonrpc: '2.0',
		    method: 'notifications/cancelled', params: { requestId: 1,
		    _meta: meta() } }, { 'MCP-Protocol-Version': MODERN,
		    'Mcp-Method': 'notifications/cancelled' });
		assert.equal(res.status, 202);
		assert.equal(res.body, '');
	});
});

describe('Mcp-Name (streamable-http, value encoding)', () => {
	it('accepts the base64 form, decoded before comparison', async () => {
		const name = '=?base64?' + Buffer.from('whoami').toString('base64') +
		    '?=';
		const res = await call(alice.access_token, 'whoami', {},
		    { headers: { 'Mcp-Name': name } });
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().result.structuredContent.user, 'alice');
	});

	it('refuses a name that disagrees with params.name (-32020)',
	    async () => {
		for (const name of ['notes_add', '=?base64?' +
		    Buffer.from('notes_add').toString('base64') + '?=']) {
			const e = assertError(await call(alice.access_token, 'whoami',
			    {}, { headers: { 'Mcp-Name': name } }), 400, -32020);
			assert.match(e.message, /Mcp-Name/);
		}
	});

	it('refuses invalid base64 (-32020)', async () => {
		assertError(await call(alice.access_token, 'whoami', {},
		    { headers: { 'Mcp-Name': '=?base64?d2hv*W1p?=' } }), 400,
		    -32020);
	});

	it('refuses a tools/call without it (-32020)', async () => {
		assertError(await call(alice.access_token, 'whoami', {},
		    { headers: { 'Mcp-Name': undefined } }), 400, -32020);
	});
});

describe('refusals of MCP 2026-07-28 (400, 404)', () => {
	it('MCP-Protocol-Version missing (-32020)', async () => {
		const e = assertError(await modern(alice.access_token, 'tools/list',
		    {}, { id: 'a', headers: { 'MCP-Protocol-Version': undefined } }),
		    400, -32020, 'a');
		assert.match(e.message, /MCP-Protocol-Version/);
	});

	it('MCP-Protocol-Version not matching the body (-32020)', async () => {
		assertError(await modern(alice.access_token, 'tools/list', {},
		    { headers: { 'MCP-Protocol-Version': '2025-11-25' } }), 400,
		    -32020);
		assertError(await modern(alice.access_token, 'server/discover',
		    { _meta: meta({ [V]: 'v999.0.0' }) }), 400, -32020);
	});

	it('Mcp-Method missing or not matching the body (-32020)', async () => {
		assertError(await modern(alice.access_token, 'tools/list', {},
		    { headers: { 'Mcp-Method': undefined } }), 400, -32020);
		assertError(await modern(alice.access_token, 'tools/list', {},
		    { headers: { 'Mcp-Method': 'server/discover' } }), 400, -32020);
	});

	for (const v of ['2027-01-01', 'v999.0.0']) {
		it(`a version of the future, ${v} (-32022, both eras)`,
		    async () => {
			const e = assertError(await modern(alice.access_token,
			    'server/discover', { _meta: meta({ [V]: v }) },
			    { headers: { 'MCP-Protocol-Version': v } }), 400, -32022);
			assert.deepEqual(e.data, { supported: ALL_VERSIONS,
			    requested: v });
		});
	}

	it('required _meta fields missing (-32602)', async () => {
		for (const m of [undefined, { [CAPS]: {} }, { [V]: MODERN }]) {
			const body = { jsonrpc: '2.0', id: 7, method: 'server/discover',
			    params: m === undefined ? {} : { _meta: m } };
			assertError(await post(s, alice.access_token, body,
			    { 'MCP-Protocol-Version': MODERN,
			    'Mcp-Method': 'server/discover' }), 400, -32602, 7);
		}
	});

	for (const method of ['initialize', 'ping', 'logging/setLevel',
	    'resources/subscribe', 'resources/unsubscribe', 'unknown/method']) {
		it(`${method} with modern _meta (404, -32601)`, async () => {
			assertError(await modern(alice.access_token, method, {},
			    { id: 500 }), 404, -32601, 500);
		});
	}

	it('a batch (400, -32600)', async () => {
		const one = { jsonrpc: '2.0', id: 1, method: 'tools/list',
		    params: { _meta: meta() } };
		for (const headers of [{ 'MCP-Protocol-Version': MODERN },
		    { 'MCP-Protocol-Version': '2025-03-26' }]) {
			const res = await post(s, alice.access_token, [one,
			    { ...one, id: 2 }], headers);
			assert.equal(res.status, 400);
			assert.equal(res.json().error.code, -32600);
		}
	});

	it('a legacy body with a 2026-07-28 header (-32602; initialize '
	    + '-32020)', async () => {
		assertError(await post(s, alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'tools/list' }, { 'MCP-Protocol-Version': MODERN,
		    'Mcp-Method': 'tools/list' }), 400, -32602);
		assertError(await post(s, alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'initialize', params: { protocolVersion:
		    '2025-11-25', capabilities: {}, clientInfo: { name: 'c',
		    version: '1' } } }, { 'MCP-Protocol-Version': MODERN }), 400,
		    -32020);
	});

	it('never a 5xx for the client\'s mistakes', async () => {
		for (const body of ['{', '[]', '17', '{"jsonrpc":"2.0","id":1,' +
		    '"method":"tools/list","params":{"_meta":[]}}',
		    '{"jsonrpc":"1.0","id":1,"method":"tools/list","params":' +
		    `{"_meta":${JSON.stringify(meta())}}}`]) {
			const res = await s.request('POST', '/mcp', { body, headers: {
				'Content-Type': 'application/json', Accept: ACCEPT,
				Authorization: `Bearer ${alice.access_token}`,
				'MCP-Protocol-Version': MODERN, 'Mcp-Method': 'tools/list',
			} });
			assert.ok(res.status >= 400 && res.status < 500,
			    `${body}: ${res.status}`);
			assert.equal(typeof res.json().error.code, 'number');
		}
	});
});

describe('legacy next to modern', () => {
	it('initialize still negotiates a 2025 revision', async () => {
		const res = await post(s, alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'initialize', params: { protocolVersion:
		    '2025-11-25', capabilities: {}, clientInfo: { name: 'c',
		    version: '1' } } }, { 'MCP-Protocol-Version': undefined });
		assert.equal(res.status, 200);
		assert.equal(res.json().result.protocolVersion, '2025-11-25');
		assert.equal(res.json().result.resultType, undefined);
	});

	it('ignores Mcp-Method and Mcp-Name on a legacy request', async () => {
		const res = await post(s, alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'tools/call', params: { name: 'whoami' } },
		    { 'MCP-Protocol-Version': '2025-11-25', 'Mcp-Method': 'x',
		    'Mcp-Name': 'y' });
		assert.equal(res.status, 200);
		assert.equal(res.json().result.structuredContent.user, 'alice');
	});

	it('serves a 2025 version named in _meta as that revision',
	    async () => {
		const res = await modern(alice.access_token, 'tools/list',
		    { _meta: meta({ [V]: '2025-11-25' }) },
		    { headers: { 'MCP-Protocol-Version': '2025-11-25' } });
		assert.equal(res.status, 200);
		assert.equal(res.json().result.resultType, undefined);
		assert.equal(res.json().result.tools.length, 6);
	});

	it('serves server/discover only in the modern era', async () => {
		const res = await post(s, alice.access_token, { jsonrpc: '2.0',
		    id: 1, method: 'server/discover' },
		    { 'MCP-Protocol-Version': '2025-11-25' });
		assert.equal(res.status, 200);
		assert.equal(res.json().error.code, -32601);
	});
});

// The conformance suite's fixture program: a tool that needs the
// client's sampling capability.
const fixture = path.join(buildDir, 'tests', 'e2e', 'conformance',
    'mcp-conformance');

describe('a client capability the request does not declare', {
	skip: fs.existsSync(fixture) ? false :
	    'the fixture program is built by make check',
}, () => {
	let f, tokens;

	before(async () => {
		f = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-password' }],
			programs: { mcp: fixture },
		});
		tokens = await obtainTokens(f,
		    new Person(f, 'alice', 'alice-password'), await register(f));
	});

	after(async () => {
		await f?.stop();
	});

	it('is refused with 400, -32021 and requiredCapabilities', async () => {
		const e = assertError(await call(tokens.access_token,
		    'test_missing_capability', {}, { server: f, id: 401 }), 400,
		    -32021, 401);
		assert.deepEqual(e.data, { requiredCapabilities: { sampling: {} } });
	});

	it('runs once the capability is declared', async () => {
		const res = await modern(tokens.access_token, 'tools/call',
		    { name: 'test_missing_capability', arguments: {},
		    _meta: meta({ [CAPS]: { sampling: {} } }) }, { server: f });
		assert.equal(res.status, 200);
		assert.equal(res.json().result.resultType, 'complete');
	});
});
