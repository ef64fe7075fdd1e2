// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The official MCP TypeScript SDK client (1.32.2) with a Client ID
// Metadata Document: its OAuthClientProvider gives clientMetadataUrl,
// and because the server's metadata says
// client_id_metadata_document_supported, the SDK uses that URL as its
// client_id instead of registering (MCP 2025-11-25 and 2026-07-28,
// basic/authorization).  The server fetches the document from a
// loopback https site (CimdSite), which only the test-only key
// cimd_test_allow_loopback lets it reach.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { CimdSite } from '../lib/cimdserver.mjs';
import { freePort, TestServer } from '../lib/harness.mjs';
import { PersonProvider, recordingFetch, WatchedPerson } from './lib.mjs';

const ALICE = { name: 'alice', password: 'alice has a long password' };

describe('MCP TypeScript SDK client with a Client ID Metadata Document',
    () => {
	let site;
	let s;

	before(async () => {
		site = await CimdSite.start();
		s = await TestServer.start({
			users: [ALICE],
			config: [`http_ca_file = ${site.certFile}`,
			    'cimd_test_allow_loopback = yes'].join('\n'),
		});
	});

	after(async () => {
		await s?.stop();
		await site?.stop();
	});

	test('connects without registering and calls tools', async (t) => {
		const net = recordingFetch(s);
		t.after(() => net.close());
		const redirectUrl =
		    `http://127.0.0.1:${await freePort()}/callback`;
		const doc = site.publish('/sdk/client-metadata.json', {
			client_name: 'SDK CIMD client',
			redirect_uris: [redirectUrl],
		});
		const person = new WatchedPerson(s, ALICE.name, ALICE.password);
		const provider = new PersonProvider({ s, person, redirectUrl });
		provider.clientMetadataUrl = doc.client_id;

		const url = new URL('/mcp', s.issuer);
		const options = { authProvider: provider, fetch: net.fetch };
		let transport = new StreamableHTTPClientTransport(url, options);
		let client = new Client({ name: 'e2e', version: '1.0.0' });
		await assert.rejects(client.connect(transport),
		    UnauthorizedError);
		await transport.finishAuth(provider.takeCode());
		await client.close();
		transport = new StreamableHTTPClientTransport(url, options);
		client = new Client({ name: 'e2e', version: '1.0.0' });
		await client.connect(transport);
		t.after(() => client.close());

		assert.deepEqual([person.logins, person.consents], [1, 1]);
		assert.ok(!net.lines().some((l) => l.startsWith('POST /register')),
		    net.lines().join('\n'));
		const authz = provider.authorizations[0];
		assert.equal(authz.searchParams.get('client_id'), doc.client_id);
		assert.ok(site.hitsFor('/sdk/client-metadata.json') >= 1);

		const res = await client.callTool({ name: 'whoami',
		    arguments: {} });
		assert.notEqual(res.isError, true, JSON.stringify(res));
		assert.equal(res.structuredContent.user, 'alice');
		assert.equal(res.structuredContent.client_id, doc.client_id);
		const added = await client.callTool({ name: 'notes_add',
		    arguments: { title: 'CIMD', text: 'from a CIMD client' } });
		assert.notEqual(added.isError, true, JSON.stringify(added));
	});
});
