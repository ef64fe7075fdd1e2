// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The notes as resources, the summarize_note prompt and completion, in
// the 2025 revisions and in 2026-07-28 (MCP 2025-11-25 and 2026-07-28:
// server/resources, server/prompts, server/utilities/completion,
// server/utilities/caching): each user reads only their own notes, a
// note that is not theirs is not found in the era's error shape, and a
// token without notes:read gets the 403 step-up challenge.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Person, aliceAndBob, obtainTokens } from '../lib/oauth.mjs';

const MODERN = '2026-07-28';
const ACCEPT = 'application/json, text/event-stream';
const V = 'io.modelcontextprotocol/protocolVersion';
const CAPS = 'io.modelcontextprotocol/clientCapabilities';

let s, client, alice, bob, narrow, aliceNote, bobNote;

function post(token, body, headers) {
	return s.request('POST', '/mcp', { body: JSON.stringify(body),
	    headers: { 'Content-Type': 'application/json', Accept: ACCEPT,
	    Authorization: `Bearer ${token}`, ...headers } });
}

// One request in an era: the legacy one as a 2025-11-25 client sends
// it, the modern one with its _meta and mirrored headers.
function rpc(era, token, method, params = {}) {
	if (era === 'legacy')
		return post(token, { jsonrpc: '2.0', id: 1, method, params },
		    { 'MCP-Protocol-Version': '2025-11-25' });
	const h = { 'MCP-Protocol-Version': MODERN, 'Mcp-Method': method };
	if (method === 'resources/read')
		h['Mcp-Name'] = params.uri;
	else if (method === 'prompts/get')
		h['Mcp-Name'] = params.name;
	return post(token, { jsonrpc: '2.0', id: 1, method,
	    params: { ...params, _meta: { [V]: MODERN, [CAPS]: {} } } }, h);
}

async function addNote(token, title, text) {
	const res = await rpc('legacy', token, 'tools/call',
	    { name: 'notes_add', arguments: { title, text } });
	assert.equal(res.status, 200, res.body);
	const r = res.json().result;
	assert.equal(r.isError, undefined, res.body);
	return r.structuredContent.id;
}

before(async () => {
	({ s, client, alice, bob } = await aliceAndBob());
	narrow = await obtainTokens(s, new Person(s, 'alice', 'alice-password'),
	    client, { scope: 'mcp' });
	aliceNote = await addNote(alice.access_token, 'Groceries',
	    'Milk and bread.');
	// Numbers are per user: Bob's second note is a number Alice has not.
	await addNote(bob.access_token, 'First', 'Bob first.');
	bobNote = await addNote(bob.access_token, 'Secret', 'Bob only.');
	assert.notEqual(bobNote, aliceNote);
});

after(async () => {
	await s?.stop();
});

for (const era of ['legacy', 'modern']) {
	describe(`resources, prompts and completion (${era})`, () => {
		it('lists only the caller\'s notes', async () => {
			const res = await rpc(era, alice.access_token,
			    'resources/list');
			assert.equal(res.status, 200, res.body);
			const r = res.json().result;
			const uris = r.resources.map((x) => x.uri);
			assert.ok(uris.includes(`notes://${aliceNote}`), res.body);
			assert.ok(!uris.includes(`notes://${bobNote}`), res.body);
			const mine = r.resources.find(
			    (x) => x.uri === `notes://${aliceNote}`);
			assert.equal(mine.title, 'Groceries');
			assert.equal(mine.mimeType, 'text/markdown');
			if (era === 'modern') {
				assert.equal(r.resultType, 'complete');
				assert.equal(r.cacheScope, 'private');
				assert.equal(r.ttlMs, 0);
			} else
				assert.equal(r.resultType, undefined);
		});

		it('lists the notes template', async () => {
			const res = await rpc(era, alice.access_token,
			    'resources/templates/list');
			assert.equal(res.status, 200, res.body);
			const r = res.json().result;
			assert.equal(r.resourceTemplates[0].uriTemplate,
			    'notes://{id}');
			if (era === 'modern')
				assert.equal(r.cacheScope, 'public');
		});

		it('reads the caller\'s own note', async () => {
			const uri = `notes://${aliceNote}`;
			const res = await rpc(era, alice.access_token,
			    'resources/read', { uri });
			assert.equal(res.status, 200, res.body);
			assert.deepEqual(res.json().result.contents, [{ uri,
			    mimeType: 'text/markdown',
			    text: '# Groceries\n\nMilk and bread.\n' }]);
		});

		it('does not find another user\'s note', async () => {
			const uri = `notes://${bobNote}`;
			const res = await rpc(era, alice.access_token,
			    'resources/read', { uri });
			// An error the method answers in-band: 200 in both eras.
			assert.equal(res.status, 200, res.body);
			assert.deepEqual(res.json().error, { code:
			    era === 'modern' ? -32602 : -32002,
			    message: 'Resource not found', data: { uri } });
			assert.ok(!res.body.includes('Bob only'));
		});

		it('does not find what no template matches', async () => {
			for (const uri of ['notes://0', 'notes://x', 'other://1',
			    `notes://${'9'.repeat(30)}`]) {
				const res = await rpc(era, alice.access_token,
				    'resources/read', { uri });
				assert.equal(res.json().error.code,
				    era === 'modern' ? -32602 : -32002, uri);
			}
		});

		it('challenges a token without notes:read with 403', async () => {
			for (const [method, params] of [
				['resources/read', { uri: `notes://${aliceNote}` }],
				['prompts/get', { name: 'summarize_note',
				    arguments: { id: String(aliceNote) } }],
				['completion/complete', { ref: { type: 'ref/resource',
				    uri: 'notes://{id}' }, argument: { name: 'id',
				    value: '' } }],
			]) {
				const res = await rpc(era, narrow.access_token, method,
				    params);
				assert.equal(res.status, 403, method);
				assert.match(res.headers['www-authenticate'],
				    /error="insufficient_scope".*scope="[^"]*notes:read/);
			}
			const res = await rpc(era, narrow.access_token,
			    'resources/list');
			assert.equal(res.status, 200);
			assert.deepEqual(res.json().result.resources, []);
		});

		it('gets the prompt with its required argument', async () => {
			const res = await rpc(era, alice.access_token, 'prompts/get',
			    { name: 'summarize_note', arguments: {
			    id: String(aliceNote), length: 'long' } });
			assert.equal(res.status, 200, res.body);
			const m = res.json().result.messages;
			assert.equal(m[0].role, 'user');
			assert.match(m[0].content.text, /Groceries.*paragraph/);
			assert.deepEqual(m[1].content, { type: 'resource', resource: {
			    uri: `notes://${aliceNote}`, mimeType: 'text/plain',
			    text: 'Milk and bread.' } });
		});

		it('refuses the prompt without it, or for a note not the '
		    + 'caller\'s, with -32602', async () => {
			for (const args of [{}, { length: 'short' },
			    { id: String(bobNote) }, { id: 7 }]) {
				const res = await rpc(era, alice.access_token,
				    'prompts/get', { name: 'summarize_note',
				    arguments: args });
				assert.equal(res.json().error.code, -32602,
				    JSON.stringify(args));
				assert.ok(!res.body.includes('Bob only'));
			}
		});

		it('completes note ids by number or title, the caller\'s only',
		    async () => {
			for (const [ref, value] of [
				[{ type: 'ref/resource', uri: 'notes://{id}' }, 'gro'],
				[{ type: 'ref/prompt', name: 'summarize_note' }, ''],
			]) {
				const res = await rpc(era, alice.access_token,
				    'completion/complete', { ref,
				    argument: { name: 'id', value } });
				assert.equal(res.status, 200, res.body);
				assert.deepEqual(res.json().result.completion, {
				    values: [String(aliceNote)], total: 1,
				    hasMore: false });
			}
		});
	});
}

describe('Mcp-Name covers resources/read and prompts/get', () => {
	it('refuses a header that differs from params.uri', async () => {
		const res = await post(alice.access_token, { jsonrpc: '2.0', id: 1,
		    method: 'resources/read', params: { uri: `notes://${aliceNote}`,
		    _meta: { [V]: MODERN, [CAPS]: {} } } }, {
		    'MCP-Protocol-Version': MODERN,
		    'Mcp-Method': 'resources/read',
		    'Mcp-Name': `notes://${bobNote}` });
		assert.equal(res.status, 400);
		assert.equal(res.json().error.code, -32020);
	});
});
