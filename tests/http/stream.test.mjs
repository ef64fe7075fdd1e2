// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Progress and log messages streamed over SSE before the result (MCP
// 2025-11-25 and 2026-07-28: basic/transports/streamable-http,
// basic/utilities/progress, server/utilities/logging), with the
// conformance fixture program at /mcp, under every server kind (the
// Apache layer runs this file in its vhost, .htaccess and CGI modes).
//
// The proof that it really streams takes no timing guess: the tool
// test_progress_then_wait sends a progress notification and then
// blocks on a FIFO until this test writes to it; the test writes only
// after it has read the notification.  A web server that buffered the
// response would hold the notification until the tool ended, which it
// cannot do before the release: the tool would give up after its own
// bound and the result would say "Not released".

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TestServer, buildDir } from '../lib/harness.mjs';
import { Person, aliceAndBob, obtainTokens, register }
    from '../lib/oauth.mjs';

const fixture = path.join(buildDir, 'tests', 'e2e', 'conformance',
    'mcp-conformance');
const MODERN = '2026-07-28';
const META = {
	'io.modelcontextprotocol/protocolVersion': MODERN,
	'io.modelcontextprotocol/clientCapabilities': {},
};

let s, token, fifoDir, fifo;

before(async () => {
	// The web server's user (www-data under Apache) opens the FIFO.
	fifoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-stream-'));
	fs.chmodSync(fifoDir, 0o755);
	fifo = path.join(fifoDir, 'release');
	const r = spawnSync('mkfifo', ['-m', '666', fifo]);
	assert.equal(r.status, 0, String(r.stderr));
	s = await TestServer.start({
		users: [{ name: 'alice', password: 'alice-password' }],
		programs: { mcp: fixture },
		env: { MCP_TEST_RELEASE_FIFO: fifo },
	});
	const client = await register(s);
	token = (await obtainTokens(s, new Person(s, 'alice',
	    'alice-password'), client)).access_token;
});

after(async () => {
	await s?.stop();
	if (fifoDir !== undefined)
		fs.rmSync(fifoDir, { recursive: true, force: true });
});

// The JSON-RPC messages of an SSE body, each event's data lines joined
// with LF (HTML Living Standard, server-sent events).
function sseMessages(text) {
	const out = [];
	for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
		const data = block.split(/\r\n|\n|\r/)
		    .filter((l) => l.startsWith('data:'))
		    .map((l) => l.slice(5).replace(/^ /, ''));
		if (data.length > 0)
			out.push(JSON.parse(data.join('\n')));
	}
	return out;
}

// POST /mcp, calling onMessage(message, messagesSoFar) for each SSE
// message as it arrives.  Resolves { status, headers, body, messages }.
function post(body, { accept = 'application/json, text/event-stream',
    version = '2025-11-25', headers = {}, onMessage, server = s,
    bearer = token } = {}) {
	const text = JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const req = https.request({
			host: '127.0.0.1', servername: 'localhost',
			port: server.port, method: 'POST', path: '/mcp',
			ca: server.ca, agent: false,
			headers: {
				Host: `localhost:${server.port}`,
				Authorization: `Bearer ${bearer}`,
				'Content-Type': 'application/json',
				'Content-Length': Buffer.byteLength(text),
				Accept: accept,
				'MCP-Protocol-Version': version,
				...headers,
			},
		}, (res) => {
			let buf = '';
			let all = '';
			const messages = [];
			res.setEncoding('utf8');
			res.on('data', (chunk) => {
				all += chunk;
				if (!/event-stream/.test(res.headers['content-type']))
					return;
				buf += chunk;
				let m;
				while ((m = buf.match(/\r?\n\r?\n/)) !== null) {
					const block = buf.slice(0, m.index);
					buf = buf.slice(m.index + m[0].length);
					for (const msg of sseMessages(block)) {
						messages.push(msg);
						onMessage?.(msg, messages);
					}
				}
			});
			res.on('end', () => resolve({ status: res.statusCode,
			    headers: res.headers, body: all, messages }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(text);
	});
}

function legacyCall(name, meta, id = 1) {
	return { jsonrpc: '2.0', id, method: 'tools/call',
	    params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) } };
}

function modernCall(name, extraMeta = {}) {
	return [{ jsonrpc: '2.0', id: 1, method: 'tools/call',
	    params: { name, arguments: {}, _meta: { ...META, ...extraMeta } } },
	    { version: MODERN, headers: { 'Mcp-Method': 'tools/call',
	    'Mcp-Name': name } }];
}

describe('streaming over SSE', () => {
	it('passes a notification on while the tool still runs', async () => {
		let released = false;
		const res = await post(legacyCall('test_progress_then_wait',
		    { progressToken: 'p-1' }), {
			onMessage(msg) {
				if (msg.method !== 'notifications/progress')
					return;
				// Only now may the tool finish.
				assert.equal(released, false);
				// Without blocking: ENXIO if the tool no
				// longer waits (it gave up).
				const fd = fs.openSync(fifo, fs.constants.O_WRONLY |
				    fs.constants.O_NONBLOCK);
				fs.writeSync(fd, 'go\n');
				fs.closeSync(fd);
				released = true;
			},
		});
		assert.equal(res.status, 200);
		assert.match(res.headers['content-type'], /^text\/event-stream/);
		assert.equal(res.headers['cache-control'], 'no-cache');
		assert.equal(res.messages.length, 2, res.body);
		const [progress, result] = res.messages;
		assert.deepEqual(progress.params, { progressToken: 'p-1',
		    progress: 1, total: 2, message: 'waiting for the test' });
		assert.equal(result.id, 1);
		assert.equal(result.result.isError, undefined, res.body);
		assert.deepEqual(result.result.content,
		    [{ type: 'text', text: 'Released.' }]);
		assert.equal(released, true);
	});

	it('answers plain JSON when nothing is sent first', async () => {
		const res = await post(legacyCall('test_simple_text',
		    { progressToken: 'p-2' }));
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-type'], 'application/json');
		assert.equal(res.headers['content-length'] === undefined ||
		    Number(res.headers['content-length']) === res.body.length,
		    true);
		assert.equal(JSON.parse(res.body).id, 1);
	});

	it('sends progress only for a progress token', async () => {
		const res = await post(legacyCall('test_tool_with_progress'));
		assert.equal(res.headers['content-type'], 'application/json');
		assert.equal(JSON.parse(res.body).result.content[0].text,
		    'Progress reported.');
		const withToken = await post(legacyCall(
		    'test_tool_with_progress', { progressToken: 7 }));
		assert.match(withToken.headers['content-type'],
		    /^text\/event-stream/);
		assert.deepEqual(withToken.messages.slice(0, 3).map((m) =>
		    [m.method, m.params.progressToken, m.params.progress,
		    m.params.total]), [
			['notifications/progress', 7, 0, 100],
			['notifications/progress', 7, 50, 100],
			['notifications/progress', 7, 100, 100],
		]);
		assert.equal(withToken.messages[3].id, 1);
		assert.equal(withToken.messages.length, 4);
	});

	it('streams nothing to a client that accepts only JSON', async () => {
		const res = await post(legacyCall('test_tool_with_progress',
		    { progressToken: 'p-3' }), { accept: 'application/json' });
		assert.equal(res.headers['content-type'], 'application/json');
		assert.equal(JSON.parse(res.body).result.content[0].text,
		    'Progress reported.');
	});

	it('streams nothing inside a 2025-03-26 batch', async () => {
		const res = await post([legacyCall('test_tool_with_progress',
		    { progressToken: 'b' }, 1), legacyCall('test_simple_text',
		    undefined, 2)], { version: '2025-03-26' });
		assert.equal(res.headers['content-type'], 'application/json');
		assert.deepEqual(JSON.parse(res.body).map((r) => r.id), [1, 2]);
	});
});

describe('logging', () => {
	const setLevel = (level, id = 5) => post({ jsonrpc: '2.0', id,
	    method: 'logging/setLevel', params: { level } });

	it('declares the logging capability', async () => {
		const res = await post({ jsonrpc: '2.0', id: 1,
		    method: 'initialize', params: { protocolVersion: '2025-11-25',
		    capabilities: {}, clientInfo: { name: 't', version: '1' } } });
		assert.deepEqual(JSON.parse(res.body).result.capabilities.logging,
		    {});
	});

	it('keeps the level of logging/setLevel across processes',
	    async () => {
		let res = await setLevel('error');
		assert.deepEqual(JSON.parse(res.body),
		    { jsonrpc: '2.0', id: 5, result: {} });
		// Two processes serve /mcp: every call below may reach
		// either, and each must know the level.
		for (let i = 0; i < 4; i++) {
			res = await post(legacyCall('test_tool_with_logging'));
			assert.equal(res.headers['content-type'],
			    'application/json', res.body);
		}
		await setLevel('info');
		for (let i = 0; i < 4; i++) {
			res = await post(legacyCall('test_tool_with_logging'));
			assert.deepEqual(res.messages.slice(0, 3).map((m) =>
			    [m.method, m.params.level, m.params.logger,
			    m.params.data]), [
				['notifications/message', 'info', 'conformance',
				    'Tool execution started'],
				['notifications/message', 'info', 'conformance',
				    'Tool processing data'],
				['notifications/message', 'info', 'conformance',
				    'Tool execution completed'],
			], res.body);
			assert.equal(res.messages[3].result.content[0].text,
			    'Logging done.');
		}
	});

	it('refuses a level that is not one', async () => {
		for (const level of ['verbose', 'INFO', '']) {
			const r = JSON.parse((await setLevel(level)).body);
			assert.equal(r.error.code, -32602, level);
		}
		const r = JSON.parse((await post({ jsonrpc: '2.0', id: 5,
		    method: 'logging/setLevel', params: {} })).body);
		assert.equal(r.error.code, -32602);
	});

	it('logs in 2026-07-28 only at the request\'s own level',
	    async () => {
		let res = await post(...modernCall('test_tool_with_logging'));
		assert.equal(res.headers['content-type'], 'application/json');
		res = await post(...modernCall('test_tool_with_logging',
		    { 'io.modelcontextprotocol/logLevel': 'warning' }));
		assert.equal(res.headers['content-type'], 'application/json');
		res = await post(...modernCall('test_tool_with_logging',
		    { 'io.modelcontextprotocol/logLevel': 'debug' }));
		assert.match(res.headers['content-type'], /^text\/event-stream/);
		assert.equal(res.messages.length, 4, res.body);
		const last = res.messages[3];
		assert.equal(last.result.resultType, 'complete');
		res = await post(...modernCall('test_tool_with_logging',
		    { 'io.modelcontextprotocol/logLevel': 'loud' }));
		assert.equal(res.status, 400);
		assert.equal(JSON.parse(res.body).error.code, -32602);
		assert.equal(JSON.parse(res.body).id, 1);
	});

	it('has no logging/setLevel in 2026-07-28', async () => {
		const res = await post({ jsonrpc: '2.0', id: 1,
		    method: 'logging/setLevel', params: { level: 'debug',
		    _meta: META } }, { version: MODERN, headers: {
		    'Mcp-Method': 'logging/setLevel' } });
		assert.equal(res.status, 404);
		assert.equal(JSON.parse(res.body).error.code, -32601);
	});
});

// The built-in server's notes_search reports its progress: the demo.
describe('notes_search in mcp.fcgi', () => {
	let builtin, alice;

	before(async () => {
		({ s: builtin, alice } = await aliceAndBob());
		for (const text of ['An apple a day', 'Pears', 'APPLE pie']) {
			const res = await post({ jsonrpc: '2.0', id: 1,
			    method: 'tools/call', params: { name: 'notes_add',
			    arguments: { text } } }, { server: builtin,
			    bearer: alice.access_token });
			assert.equal(JSON.parse(res.body).result.isError,
			    undefined, res.body);
		}
	});

	after(async () => {
		await builtin?.stop();
	});

	const search = (meta, options = {}) => post({ jsonrpc: '2.0', id: 3,
	    method: 'tools/call', params: { name: 'notes_search',
	    arguments: { phrase: 'apple' }, ...(meta ? { _meta: meta } : {}) } },
	    { server: builtin, bearer: alice.access_token, ...options });

	it('streams its progress, a log line, then the matches', async () => {
		const res = await search({ progressToken: 'srch' });
		assert.match(res.headers['content-type'], /^text\/event-stream/);
		const progress = res.messages.filter((m) =>
		    m.method === 'notifications/progress');
		assert.deepEqual(progress.map((m) => [m.params.progressToken,
		    m.params.progress, m.params.total]),
		    [['srch', 1, 3], ['srch', 2, 3], ['srch', 3, 3]]);
		const logs = res.messages.filter((m) =>
		    m.method === 'notifications/message');
		assert.deepEqual(logs.map((m) => m.params), [{ level: 'info',
		    logger: 'notes_search', data: 'searched 3 notes, 2 match' }]);
		const last = res.messages.at(-1);
		assert.equal(last.id, 3);
		assert.equal(last.result.structuredContent.matches.length, 2);
		assert.equal(last.result.structuredContent.searched, 3);
	});

	it('answers plain JSON to a client that accepts only JSON',
	    async () => {
		const res = await search({ progressToken: 'srch' },
		    { accept: 'application/json' });
		assert.equal(res.headers['content-type'], 'application/json');
		assert.equal(JSON.parse(res.body).result.structuredContent
		    .searched, 3);
	});
});
