// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The official MCP TypeScript SDK client against the real programs
// under lighttpd over TLS: everything it finds, it finds the way a
// real client does (the 401 challenge, the metadata documents,
// dynamic registration), and its "browser" is a person signing in and
// approving on the real pages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { freePort, TestServer } from '../lib/harness.mjs';
import { Person } from '../lib/oauth.mjs';
import { clientAuth, PersonProvider, preRegister, recordingFetch,
    WatchedPerson } from './lib.mjs';

const ALICE = { name: 'alice', password: 'alice has a long password' };
const SCOPES = ['mcp', 'notes:read', 'notes:write'];

// Connects a new SDK client; when the server asks for authorization,
// the provider's person signs in and approves, and the client
// finishes the flow and connects again, as an application would after
// its redirect URI received the code.
async function connect(s, provider, net) {
	const url = new URL('/mcp', s.issuer);
	const options = { authProvider: provider, fetch: net.fetch };
	let transport = new StreamableHTTPClientTransport(url, options);
	let client = new Client({ name: 'mcp-oauth-fcgi-e2e', version: '1.0.0' });
	try {
		await client.connect(transport);
		return { client, transport, authorized: false };
	} catch (e) {
		if (!(e instanceof UnauthorizedError))
			throw e;
	}
	await transport.finishAuth(provider.takeCode());
	await client.close();
	transport = new StreamableHTTPClientTransport(url, options);
	client = new Client({ name: 'mcp-oauth-fcgi-e2e', version: '1.0.0' });
	await client.connect(transport);
	return { client, transport, authorized: true };
}

// Calls a tool; if the SDK has to send the person to the
// authorization page again, finishes that and calls once more.
async function callTool(conn, provider, name, args = {}) {
	try {
		return await conn.client.callTool({ name, arguments: args });
	} catch (e) {
		if (!(e instanceof UnauthorizedError))
			throw e;
	}
	await conn.transport.finishAuth(provider.takeCode());
	return conn.client.callTool({ name, arguments: args });
}

async function revokeAccessToken(s, clientInfo, token) {
	const auth = clientAuth(clientInfo);
	const form = {
		token,
		token_type_hint: 'access_token',
		...auth.form,
	};
	const res = await s.request('POST', '/revoke',
	    { form, headers: auth.headers });
	assert.equal(res.status, 200, res.body);
}

// What /mcp says to a bare token, without the SDK in between.
async function mcpStatus(s, token) {
	const res = await s.request('POST', '/mcp', {
		json: { jsonrpc: '2.0', id: 1, method: 'ping' },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-06-18',
		},
	});
	return res.status;
}

function whoami(result) {
	assert.notEqual(result.isError, true, JSON.stringify(result));
	return result.structuredContent;
}

describe('MCP TypeScript SDK client', () => {
	let s;

	before(async () => {
		s = await TestServer.start({ users: [ALICE] });
	});

	after(async () => {
		await s?.stop();
	});

	test('discovers, registers, signs in, calls tools, refreshes, ' +
	    'is revoked and signs in again', async (t) => {
		const net = recordingFetch(s);
		t.after(() => net.close());
		const redirectUrl =
		    `http://127.0.0.1:${await freePort()}/callback`;
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const provider = new PersonProvider({ s, person, redirectUrl });

		// 401 → discovery → DCR → login and consent → token.
		const conn = await connect(s, provider, net);
		t.after(() => conn.client.close());
		assert.equal(conn.authorized, true);
		assert.deepEqual([person.logins, person.consents], [1, 1]);
		const flow = net.lines(0, { metadata: true });
		assert.deepEqual(flow.slice(0, 4), [
			'POST /mcp 401',
			'GET /.well-known/oauth-protected-resource/mcp 200',
			'GET /.well-known/oauth-authorization-server 200',
			'POST /register 201',
		], flow.join('\n'));
		assert.deepEqual(flow.slice(6, 9), ['POST /token 200',
		    'POST /mcp 200', 'POST /mcp 202'], flow.join('\n'));
		const challenge = net.log[0].responseHeaders
		    .get('www-authenticate');
		assert.match(challenge, /^Bearer resource_metadata="/);

		const authz = provider.authorizations[0];
		assert.equal(authz.pathname, '/authorize');
		assert.equal(authz.searchParams.get('resource'),
		    `${s.issuer}/mcp`);
		assert.deepEqual(authz.searchParams.get('scope').split(' ')
		    .sort(), [...SCOPES].sort());
		const client = provider.clientInformation();
		assert.match(client.client_id, /\S/);
		assert.equal(authz.searchParams.get('client_id'),
		    client.client_id);
		const tokens1 = provider.tokens();
		assert.ok(tokens1.access_token && tokens1.refresh_token);
		assert.deepEqual(tokens1.scope.split(' ').sort(),
		    [...SCOPES].sort());
		assert.equal(conn.client.getServerVersion().name,
		    'mcp-oauth-fcgi');
		assert.ok(conn.client.getServerCapabilities().tools);

		// tools/list, whoami, notes.
		const { tools } = await conn.client.listTools();
		assert.deepEqual(tools.map((x) => x.name), ['whoami',
		    'notes_list', 'notes_get', 'notes_add', 'notes_delete',
		    'notes_search']);
		let me = whoami(await callTool(conn, provider, 'whoami'));
		assert.equal(me.user, 'alice');
		assert.equal(me.client_id, client.client_id);
		assert.deepEqual([...me.scopes].sort(), [...SCOPES].sort());
		const added = await callTool(conn, provider, 'notes_add', {
			title: 'From the SDK',
			text: 'Written by @modelcontextprotocol/sdk over TLS.',
		});
		assert.notEqual(added.isError, true, JSON.stringify(added));
		const noteId = added.structuredContent.id;
		let list = await callTool(conn, provider, 'notes_list');
		assert.deepEqual(list.structuredContent.notes.map((n) =>
		    [n.id, n.title]), [[noteId, 'From the SDK']]);
		const got = await callTool(conn, provider, 'notes_get',
		    { id: noteId });
		assert.equal(got.structuredContent.text,
		    'Written by @modelcontextprotocol/sdk over TLS.');

		// A forced refresh, twice: the access token is revoked
		// (RFC 7009), the SDK meets a 401, refreshes without the
		// person, and retries.  Each refresh rotates the refresh
		// token.
		const rotations = [tokens1];
		for (let i = 0; i < 2; i++) {
			const before = provider.tokens();
			await revokeAccessToken(s, client, before.access_token);
			assert.equal(await mcpStatus(s, before.access_token),
			    401);
			const mark = net.log.length;
			me = whoami(await callTool(conn, provider, 'whoami'));
			assert.equal(me.user, 'alice');
			assert.deepEqual(net.lines(mark), ['POST /mcp 401',
			    'POST /token 200', 'POST /mcp 200']);
			const grant = new URLSearchParams(net.log.slice(mark)
			    .find((e) => e.path === '/token').body);
			assert.equal(grant.get('grant_type'), 'refresh_token');
			assert.equal(grant.get('refresh_token'),
			    before.refresh_token);
			const now = provider.tokens();
			assert.notEqual(now.access_token, before.access_token);
			assert.notEqual(now.refresh_token, before.refresh_token);
			rotations.push(now);
		}
		assert.equal(provider.authorizations.length, 1,
		    'refreshing needed no person');
		assert.equal(person.consents, 1);

		// The first refresh token is dead: presenting it again is a
		// replay, which also ends the authorization it came from
		// (RFC 9700 §4.14.2).
		const replay = await s.request('POST', '/token', {
			form: {
				grant_type: 'refresh_token',
				refresh_token: tokens1.refresh_token,
				client_id: client.client_id,
			},
		});
		assert.equal(replay.status, 400, replay.body);
		assert.equal(replay.json().error, 'invalid_grant');
		assert.equal(await mcpStatus(s, rotations[2].access_token),
		    401);

		// The SDK's refresh now fails too (invalid_grant), so it
		// sends the person to sign in again; the consent page is
		// shown again, as the authorization is gone.
		let mark = net.log.length;
		list = await callTool(conn, provider, 'notes_list');
		assert.equal(list.structuredContent.count, 1);
		assert.equal(provider.authorizations.length, 2);
		assert.equal(person.consents, 2);
		assert.deepEqual(net.lines(mark).filter((l) =>
		    l.startsWith('POST /token')), ['POST /token 400',
		    'POST /token 200']);

		// The administrator revokes everything of alice's: her very
		// next request is refused, the SDK's refresh fails, and the
		// person is asked again.
		const reauth = provider.tokens();
		assert.equal(await mcpStatus(s, reauth.access_token), 200);
		s.admin(['revoke', '--user', 'alice']);
		assert.equal(await mcpStatus(s, reauth.access_token), 401);
		mark = net.log.length;
		me = whoami(await callTool(conn, provider, 'whoami'));
		assert.equal(me.user, 'alice');
		assert.equal(provider.authorizations.length, 3);
		assert.equal(person.consents, 3);
		const after = net.lines(mark);
		assert.equal(after[0], 'POST /mcp 401');
		assert.ok(after.includes('POST /token 400'), after.join('\n'));
		assert.equal(after.at(-1), 'POST /mcp 200');
		assert.notEqual(provider.tokens().access_token,
		    reauth.access_token);
		list = await callTool(conn, provider, 'notes_list');
		assert.deepEqual(list.structuredContent.notes.map((n) => n.id),
		    [noteId], 'her notes outlive her tokens');
	});

	for (const method of ['client_secret_basic', 'client_secret_post']) {
		test(`a pre-registered confidential client (${method})`,
		    async (t) => {
			const net = recordingFetch(s);
			t.after(() => net.close());
			const redirectUrl =
			    `http://127.0.0.1:${await freePort()}/callback`;
			const client = preRegister(s, method, redirectUrl);
			const person = new Person(s, ALICE.name,
			    ALICE.password);
			const provider = new PersonProvider({ s, person,
			    redirectUrl, client });

			const conn = await connect(s, provider, net);
			t.after(() => conn.client.close());
			assert.equal(conn.authorized, true);
			assert.ok(!net.lines().includes('POST /register 201'),
			    'no dynamic registration');
			const me = whoami(await callTool(conn, provider,
			    'whoami'));
			assert.equal(me.user, 'alice');
			assert.equal(me.client_id, client.client_id);

			// The secret went the way the client registered.
			const exchange = net.log.find((e) =>
			    e.path === '/token');
			const basic = exchange.headers.get('authorization');
			const body = new URLSearchParams(exchange.body);
			if (method === 'client_secret_basic') {
				const [id, secret] = Buffer.from(basic
				    .replace(/^Basic /, ''), 'base64')
				    .toString().split(':').map(decodeURIComponent);
				assert.equal(id, client.client_id);
				assert.equal(secret, client.client_secret);
				assert.equal(body.get('client_secret'), null);
			} else {
				assert.equal(basic, null);
				assert.equal(body.get('client_secret'),
				    client.client_secret);
			}

			// And a refresh authenticates the same way.
			const before = provider.tokens();
			await revokeAccessToken(s, client, before.access_token);
			const mark = net.log.length;
			whoami(await callTool(conn, provider, 'whoami'));
			assert.deepEqual(net.lines(mark), ['POST /mcp 401',
			    'POST /token 200', 'POST /mcp 200']);
			assert.notEqual(provider.tokens().refresh_token,
			    before.refresh_token);

			// A wrong secret gets no tokens.
			const wrong = new PersonProvider({ s, person,
			    redirectUrl, client: { ...client,
			    client_secret: 'not-the-secret' } });
			const net2 = recordingFetch(s);
			t.after(() => net2.close());
			await assert.rejects(connect(s, wrong, net2));
			assert.ok(net2.lines().includes('POST /token 401'),
			    net2.lines().join('\n'));
			assert.equal(wrong.tokens(), undefined);
		});
	}
});
