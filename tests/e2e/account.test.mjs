// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The account page in a real browser (headless Chromium, as
// browser.test.mjs): an MCP TypeScript SDK client connects for alice;
// she opens /account in another browser, signs in there, sees the
// client among her connected apps and in her recent activity, and
// revokes it; the SDK client's access token is then refused at /mcp on
// its next request, and the revocation tops her recent activity.
// Screenshots of the page at desktop and phone widths go to
// tests/artifacts/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { freePort, TestServer } from '../lib/harness.mjs';
import { Person } from '../lib/oauth.mjs';
import {
	PersonProvider, artifactPath, launchChromium, recordingFetch,
} from './lib.mjs';

const ALICE = { name: 'alice', password: 'alice has a long password' };
const CLIENT_NAME = 'Account page e2e client';
const SIZES = {
	desktop: { width: 1280, height: 900 },
	phone: { width: 390, height: 844 },
};

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

// Connects an SDK client, the provider's person signing in and
// approving when the server asks.
async function connect(s, provider, net) {
	const url = new URL('/mcp', s.issuer);
	const options = { authProvider: provider, fetch: net.fetch };
	let transport = new StreamableHTTPClientTransport(url, options);
	let client = new Client({ name: 'account-e2e', version: '1.0.0' });
	try {
		await client.connect(transport);
		return client;
	} catch (e) {
		if (!(e instanceof UnauthorizedError))
			throw e;
	}
	await transport.finishAuth(provider.takeCode());
	await client.close();
	transport = new StreamableHTTPClientTransport(url, options);
	client = new Client({ name: 'account-e2e', version: '1.0.0' });
	await client.connect(transport);
	return client;
}

describe('headless Chromium on the account page', () => {
	let s;
	let browser;

	before(async () => {
		s = await TestServer.start({ users: [ALICE] });
		browser = await launchChromium(s);
	});

	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	test('signs in at /account, sees the app, revokes it; the SDK ' +
	    'client\'s token is refused', async (t) => {
		const net = recordingFetch(s);
		t.after(() => net.close());
		const provider = new PersonProvider({
			s,
			person: new Person(s, ALICE.name, ALICE.password),
			redirectUrl: `http://127.0.0.1:${await freePort()}/callback`,
			metadata: { client_name: CLIENT_NAME },
		});
		const client = await connect(s, provider, net);
		t.after(() => client.close());
		const { tools } = await client.listTools();
		assert.ok(tools.length > 0);
		const token = provider.tokens().access_token;
		assert.equal(await mcpStatus(s, token), 200);

		const context = await browser.newContext({
			viewport: SIZES.desktop });
		t.after(() => context.close());
		const page = await context.newPage();
		let res = await page.goto(`${s.issuer}/account`);
		assert.equal(res.status(), 200);
		assert.equal(await page.locator('h1').textContent(), 'Sign in');
		await page.screenshot({ path: artifactPath('account-signin.png'),
		    fullPage: true });
		await page.getByLabel('User name').fill(ALICE.name);
		await page.getByLabel('Password').fill(ALICE.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL(`${s.issuer}/account`);
		assert.equal(await page.locator('h1').textContent(),
		    'Your account');

		const app = page.locator('article.app');
		assert.equal(await app.count(), 1);
		assert.equal(await app.locator('.client').textContent(),
		    CLIENT_NAME);
		assert.match(await app.locator('.last-used').textContent(),
		    /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
		// This browser and the one the SDK's person approved in.
		assert.equal(await page.locator('.sessions li').count(), 2);
		assert.equal(await page.locator('.sessions li', {
		    hasText: 'this browser' }).count(), 1);
		// Her recent activity: this sign-in on top, the SDK client's
		// consent and token below, each with the client's name.
		const rows = page.locator('table.activity tbody tr');
		assert.match(await rows.first().textContent(), /^.*UTCSigned in127\.0\.0\.1$/);
		const activity = await page.locator('table.activity')
		    .textContent();
		assert.ok(activity.includes(`Allowed ${CLIENT_NAME}`), activity);
		assert.ok(activity.includes(`Token issued to ${CLIENT_NAME}`),
		    activity);
		assert.equal(await page.getByRole('table', {
		    name: /Security events of your account/ }).count(), 1);
		for (const [name, size] of Object.entries(SIZES)) {
			await page.setViewportSize(size);
			await page.screenshot({
			    path: artifactPath(`account-${name}.png`),
			    fullPage: true });
		}

		await app.getByRole('button', { name: 'Revoke access' }).click();
		await page.waitForURL(`${s.issuer}/account?done=revoked`);
		assert.match(await page.locator('.notice').textContent(),
		    /^Access revoked/);
		assert.equal(await page.locator('article.app').count(), 0);
		assert.equal(await rows.first().locator('td').nth(1)
		    .textContent(), `Access of ${CLIENT_NAME} revoked by you`);
		await page.screenshot({
		    path: artifactPath('account-revoked-phone.png'),
		    fullPage: true });

		// The next request with the SDK's token is refused.
		assert.equal(await mcpStatus(s, token), 401);
		const before = net.log.length;
		provider.decision = 'deny';
		await assert.rejects(client.listTools());
		assert.equal(net.lines(before)[0], 'POST /mcp 401',
		    net.lines(before).join('\n'));
	});
});
