// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The rest of MCP through the official TypeScript clients, as released,
// against the built-in server (the programs the demo serves) under
// lighttpd over TLS: resources (the caller's notes as notes://{id}),
// the summarize_note prompt and completion of its arguments, and the
// progress notes_search streams before its result.
//
//   @modelcontextprotocol/sdk 1.32.2      the legacy era (initialize)
//   @modelcontextprotocol/client 2.4.0    pinned to 2026-07-28
//
// How the clients get their tokens is the business of clients.test.mjs
// and sdk.test.mjs; here each is handed alice's access token.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client as ModernClient, StreamableHTTPClientTransport as
    ModernTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from
    '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { aliceAndBob } from '../lib/oauth.mjs';
import { recordingFetch } from './lib.mjs';

const MODERN = '2026-07-28';

let s;
let alice;
let bob;

before(async () => {
	({ s, alice, bob } = await aliceAndBob());
});

after(async () => {
	await s?.stop();
});

// A connected client of one era with the given access token.
async function connect(t, era, token) {
	const net = recordingFetch(s);
	t.after(() => net.close());
	const url = new URL('/mcp', s.issuer);
	const requestInit = { headers: { Authorization: `Bearer ${token}` } };
	let client;
	let transport;
	if (era === 'legacy') {
		transport = new LegacyTransport(url, { requestInit,
		    fetch: net.fetch });
		client = new LegacyClient({ name: 'features-e2e',
		    version: '1.0.0' });
	} else {
		transport = new ModernTransport(url, { requestInit,
		    fetch: net.fetch });
		client = new ModernClient({ name: 'features-e2e',
		    version: '1.0.0' }, { versionNegotiation:
		    { mode: { pin: MODERN } } });
	}
	await client.connect(transport);
	t.after(() => client.close());
	return { client, net };
}

// A note of alice's, added through the notes_add tool.
async function addNote(client, title, text) {
	const r = await client.callTool({ name: 'notes_add',
	    arguments: { title, text } });
	assert.notEqual(r.isError, true, JSON.stringify(r));
	return r.structuredContent.id;
}

for (const era of ['legacy', 'modern']) {
	describe(`${era} era`, () => {
		test('a note is a resource: listed, read, completed',
		    async (t) => {
			const { client, net } = await connect(t, era,
			    alice.access_token);
			if (era === 'modern')
				assert.equal(client.getProtocolEra(), 'modern');
			const text = `Written for the ${era} client.\n` +
			    'Second line: <b>&amp;</b> stays as it is.';
			const id = await addNote(client, `Note ${era}`, text);
			const uri = `notes://${id}`;

			const list = await client.listResources();
			const entry = list.resources.find((r) => r.uri === uri);
			assert.ok(entry, JSON.stringify(list));
			assert.equal(entry.name, `note-${id}`);
			assert.equal(entry.title, `Note ${era}`);
			assert.equal(entry.mimeType, 'text/markdown');

			const templates = await client.listResourceTemplates();
			assert.ok(templates.resourceTemplates.some((r) =>
			    r.uriTemplate === 'notes://{id}'),
			    JSON.stringify(templates));

			const read = await client.readResource({ uri });
			assert.equal(read.contents.length, 1);
			assert.equal(read.contents[0].uri, uri);
			assert.equal(read.contents[0].mimeType, 'text/markdown');
			assert.equal(read.contents[0].text,
			    `# Note ${era}\n\n${text}\n`);

			const done = await client.complete({
				ref: { type: 'ref/resource',
				    uri: 'notes://{id}' },
				argument: { name: 'id', value: String(id) },
			});
			assert.ok(done.completion.values.includes(String(id)),
			    JSON.stringify(done));

			// Another user's note is not found, in the error
			// the era defines.
			await assert.rejects(client.readResource({
			    uri: 'notes://999999' }), (e) => {
				assert.equal(e.code, era === 'modern' ?
				    -32602 : -32002, e.message);
				return true;
			});
			if (era === 'modern') {
				for (const e of net.log.filter((x) =>
				    x.method === 'POST'))
					assert.equal(e.headers.get(
					    'mcp-protocol-version'), MODERN);
			}
		});

		test('the summarize_note prompt: listed, completed, got',
		    async (t) => {
			const { client } = await connect(t, era,
			    alice.access_token);
			const id = await addNote(client, 'Shopping',
			    'Bread, milk, and a lot of coffee.');

			const prompts = await client.listPrompts();
			const p = prompts.prompts.find((x) =>
			    x.name === 'summarize_note');
			assert.ok(p, JSON.stringify(prompts));
			assert.deepEqual(p.arguments.map((a) =>
			    [a.name, a.required === true]),
			    [['id', true], ['length', false]]);

			const length = await client.complete({
				ref: { type: 'ref/prompt',
				    name: 'summarize_note' },
				argument: { name: 'length', value: 'l' },
			});
			assert.deepEqual(length.completion.values, ['long']);

			const got = await client.getPrompt({
			    name: 'summarize_note',
			    arguments: { id: String(id), length: 'long' } });
			assert.equal(got.messages.length, 2);
			assert.equal(got.messages[0].role, 'user');
			assert.match(got.messages[0].content.text,
			    /Summarize my note "Shopping" in a paragraph/);
			const embedded = got.messages[1].content;
			assert.equal(embedded.type, 'resource');
			assert.equal(embedded.resource.uri, `notes://${id}`);
			assert.equal(embedded.resource.text,
			    'Bread, milk, and a lot of coffee.');

			// A required argument missing is the client's
			// mistake: invalid params.
			await assert.rejects(client.getPrompt({
			    name: 'summarize_note', arguments: {} }),
			    (e) => e.code === -32602);
		});

		test('a slow tool streams its progress before the result',
		    async (t) => {
			const { client, net } = await connect(t, era,
			    alice.access_token);
			for (let i = 0; i < 12; i++)
				await addNote(client, `Progress ${era} ${i}`,
				    i % 3 === 0 ? 'has the needle' : 'has not');
			const seen = [];
			const options = { onprogress: (p) => seen.push(p) };
			const args = { name: 'notes_search',
			    arguments: { phrase: `Progress ${era}` } };
			const r = era === 'legacy' ?
			    await client.callTool(args, undefined, options) :
			    await client.callTool(args, options);
			assert.notEqual(r.isError, true, JSON.stringify(r));
			assert.ok(r.structuredContent.matches.length >= 12,
			    JSON.stringify(r.structuredContent));
			// One notification per tenth of the notes, growing
			// to the total (MCP server/utilities/progress).
			assert.ok(seen.length >= 2 && seen.length <= 10,
			    JSON.stringify(seen));
			for (let i = 1; i < seen.length; i++)
				assert.ok(seen[i].progress > seen[i - 1].progress,
				    JSON.stringify(seen));
			const last = seen[seen.length - 1];
			assert.equal(last.progress, last.total);
			assert.equal(last.total, r.structuredContent.searched);
			// They came as an event stream in the answer to the
			// tools/call POST itself.
			const post = net.log.find((e) => e.method === 'POST' &&
			    e.body?.includes('"notes_search"'));
			assert.match(post.responseHeaders.get('content-type'),
			    /^text\/event-stream/);
		});

		test('another user sees none of alice\'s notes', async (t) => {
			const a = await connect(t, era, alice.access_token);
			const id = await addNote(a.client, 'Private',
			    'Only for alice.');
			const b = await connect(t, era, bob.access_token);
			const list = await b.client.listResources();
			assert.ok(!list.resources.some((r) =>
			    r.uri === `notes://${id}`), JSON.stringify(list));
			await assert.rejects(b.client.readResource({
			    uri: `notes://${id}` }));
			await assert.rejects(b.client.getPrompt({
			    name: 'summarize_note',
			    arguments: { id: String(id) } }),
			    (e) => e.code === -32602);
		});
	});
}
