// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The device authorization grant (RFC 8628) with a real client and a
// real browser: mcp-remote 0.15.1 with --device-code (a stdio bridge,
// driven by the SDK's stdio client as a desktop host would) registers
// for the device grant, prints the verification link and polls
// /token; headless Chromium (Debian's, driven by playwright-core)
// opens the link, confirms the code, signs in and approves on the
// real pages.  mcp-remote then lists the tools and calls them.
// Screenshots of the verification and consent pages are kept under
// tests/artifacts/.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { Client as StdioHost } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from
    '@modelcontextprotocol/sdk/client/stdio.js';

import { freePort, TestServer } from '../lib/harness.mjs';
import { artifactPath, launchChromium, watchFor } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const node22 = path.join(here, 'node_modules', 'node', 'bin', 'node');
const mcpRemote = path.join(here, 'node_modules', 'mcp-remote', 'dist',
    'proxy.js');
const ALICE = { name: 'alice', password: 'alice has a long password' };
const CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

describe('mcp-remote --device-code with headless Chromium', () => {
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

	// The person: opens the link mcp-remote printed, signs in, checks
	// the code (kept through the sign-in) and approves.
	async function approve(link) {
		const url = new URL(link);
		assert.equal(url.origin + url.pathname, `${s.issuer}/device`);
		const code = url.searchParams.get('user_code');
		assert.match(code, CODE);
		const context = await browser.newContext();
		const page = await context.newPage();
		try {
			const res = await page.goto(url.href);
			assert.equal(res.status(), 200);
			assert.equal(await page.locator('h1').textContent(),
			    'Sign in');
			await page.fill('#username', ALICE.name);
			await page.fill('#password', ALICE.password);
			await Promise.all([
				page.waitForURL(/\/device\?user_code=/),
				page.click('button[type=submit]'),
			]);
			assert.equal(await page.locator('h1').textContent(),
			    'Connect a device');
			assert.equal(await page.inputValue('#user_code'), code);
			await page.screenshot({
			    path: artifactPath('device-code.png'),
			    fullPage: true });
			await Promise.all([page.waitForLoadState(),
			    page.click('button[type=submit]')]);
			assert.equal(await page.locator('h1').textContent(),
			    'Allow access?');
			assert.equal(await page.locator('dd code.user-code')
			    .textContent(), code);
			await page.screenshot({
			    path: artifactPath('device-consent.png'),
			    fullPage: true });
			await Promise.all([page.waitForLoadState(),
			    page.click('button[value=approve]')]);
			assert.equal(await page.locator('h1').textContent(),
			    'Device connected');
		} finally {
			await context.close();
		}
	}

	test('signs in with the device grant and calls tools', async (t) => {
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-dev-'));
		t.after(() => fs.rmSync(home, { recursive: true, force: true }));
		const transport = new StdioClientTransport({
			command: node22,
			args: [mcpRemote, `${s.issuer}/mcp`,
			    String(await freePort()), '--host', '127.0.0.1',
			    '--device-code'],
			env: {
				PATH: process.env.PATH,
				HOME: home,
				NODE_EXTRA_CA_CERTS: s.certFile,
				MCP_REMOTE_CONFIG_DIR: path.join(home,
				    '.mcp-auth'),
				BROWSER: 'true',
				NO_COLOR: '1',
			},
			stderr: 'pipe',
		});
		const stderr = [];
		const link = watchFor(transport.stderr,
		    /To authorize this client, visit:\s+(?:\[\d+\]\s+)?(https:\S+)/,
		    stderr);
		link.catch(() => {});
		t.after(() => fs.writeFileSync(
		    artifactPath('mcp-remote-device.out'), stderr.join('')));
		const host = new StdioHost({ name: 'mcp-oauth-fcgi-e2e host',
		    version: '1.0.0' });
		const connected = host.connect(transport);
		connected.catch(() => {});
		const first = await Promise.race([link, connected.then(() =>
		    undefined)]);
		assert.ok(first, 'mcp-remote printed a verification link');
		await approve(first);
		await connected;
		t.after(() => host.close());
		const tools = (await host.listTools()).tools;
		assert.ok(tools.some((x) => x.name === 'whoami'));
		const me = await host.callTool({ name: 'whoami',
		    arguments: {} });
		assert.notEqual(me.isError, true, JSON.stringify(me));
		assert.equal(me.structuredContent.user, 'alice');
		const added = await host.callTool({ name: 'notes_add',
		    arguments: { title: 'From a device',
		    text: 'Written over the device grant.' } });
		assert.notEqual(added.isError, true, JSON.stringify(added));
		const log = stderr.join('');
		assert.match(log, /Authorized\./, log);
		// The server logged the device grant, no secret.
		const plog = s.programLog();
		assert.match(plog, /device_approved/);
		assert.match(plog, /token_issued/);
	});
});
