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
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { cimdTestServer } from '../lib/cimdserver.mjs';
import { freePort } from '../lib/harness.mjs';
import { pkce } from '../lib/oauth.mjs';
import { artifactPath, callbackListener, PersonProvider, recordingFetch,
    WatchedPerson } from './lib.mjs';

const CHROMIUM = process.env.MCP_E2E_CHROMIUM ?? '/usr/bin/chromium';

const ALICE = { name: 'alice', password: 'alice has a long password' };

describe('MCP TypeScript SDK client with a Client ID Metadata Document',
    () => {
	let site;
	let s;

	before(async () => {
		({ site, s } = await cimdTestServer({ users: [ALICE] }));
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

	// What a person sees: headless Chromium on the real pages, with a
	// screenshot of the consent page (consent-cimd.png).
	test('headless Chromium: the consent page names the domain',
	    async (t) => {
		const callback = await callbackListener();
		t.after(() => callback.close());
		const doc = site.publish('/browser/client.json', {
			client_name: 'Browser CIMD <b>client</b>',
			redirect_uris: [callback.url],
		});
		const spki = crypto.createHash('sha256').update(
		    new crypto.X509Certificate(s.ca).publicKey.export(
		    { type: 'spki', format: 'der' })).digest('base64');
		const browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--disable-quic',
			    `--ignore-certificate-errors-spki-list=${spki}`],
		});
		t.after(() => browser.close());
		const page = await (await browser.newContext()).newPage();
		const url = new URL('/authorize', s.issuer);
		url.search = new URLSearchParams({
			response_type: 'code',
			client_id: doc.client_id,
			redirect_uri: callback.url,
			scope: 'mcp',
			state: 'st',
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		}).toString();
		assert.equal((await page.goto(url.href)).status(), 200);
		await page.fill('#username', ALICE.name);
		await page.fill('#password', ALICE.password);
		await Promise.all([
			page.waitForURL(/\/authorize\?request=/),
			page.click('button[type=submit]'),
		]);
		assert.equal(await page.locator('h1').textContent(),
		    'Allow access?');
		assert.equal(await page.locator('.domain').textContent(),
		    '127.0.0.1');
		const lead = await page.locator('.lead').textContent();
		assert.match(lead, /Browser CIMD <b>client<\/b> name given by the application/);
		assert.equal(await page.locator('b').count(), 0);
		assert.ok((await page.locator('dd code').allTextContents())
		    .includes(new URL(callback.url).host));
		assert.match(await page.locator('.warning').textContent(),
		    /runs on your own computer/);
		await page.screenshot({ path: artifactPath('consent-cimd.png'),
		    fullPage: true });
		const received = callback.next();
		await Promise.all([
			page.waitForURL((u) => u.href.startsWith(callback.url),
			    { timeout: 15000 }),
			page.click('button[value=approve]'),
		]);
		const params = await received;
		assert.equal(params.state, 'st');
		assert.match(params.code ?? '', /\S/);
	});
});
