// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The MCP conformance suite's authorization-server scenarios
// (@modelcontextprotocol/conformance "authorization", run with Node 22
// from the npm package "node") against our authorization server:
// authorization-server-metadata-endpoint (RFC 8414 metadata, and
// client_id_metadata_document_supported, a WARNING when missing) and
// authorization-code-grant (PKCE, state, iss, the token response).
// The second one prints an authorization URL and waits for a person on
// its own loopback callback server; headless Chromium is that person
// here: it opens the URL, signs in, approves, and the browser follows
// the redirect to the suite.  It runs twice: with a client registered
// dynamically (RFC 7591) and with a Client ID Metadata Document served
// by a loopback https site (CimdSite, reachable only through the
// test-only key cimd_test_allow_loopback).  Every check must be a
// SUCCESS: a WARNING fails the test too.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { cimdTestServer } from '../lib/cimdserver.mjs';
import { freePort } from '../lib/harness.mjs';
import { register } from '../lib/oauth.mjs';
import { artifactPath } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const node22 = path.join(here, 'node_modules', 'node', 'bin', 'node');
const suite = path.join(here, 'node_modules', '@modelcontextprotocol',
    'conformance', 'dist', 'index.js');
const CHROMIUM = process.env.MCP_E2E_CHROMIUM ?? '/usr/bin/chromium';

const ALICE = { name: 'alice', password: 'alice has a long password' };
const SCENARIOS = ['authorization-server-metadata-endpoint',
    'authorization-code-grant'];

// Runs "conformance authorization" for clientId with its callback
// server on port.  When the suite prints the authorization URL,
// person(url) plays the person in the browser.  Resolves { code,
// output, results }: results maps each scenario to its checks.
function runSuite(s, clientId, port, person) {
	const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-confauth-'));
	return new Promise((resolve, reject) => {
		const child = spawn(node22, [suite, 'authorization',
		    '--url', s.issuer, '--client-id', clientId,
		    '--resource', `${s.issuer}/mcp`, '--port', String(port),
		    '--output-dir', outDir], {
			cwd: outDir,
			stdio: ['ignore', 'pipe', 'pipe'],
			// The suite trusts the server's certificate.
			env: { ...process.env, NO_COLOR: '1',
			    NODE_EXTRA_CA_CERTS: s.certFile },
		});
		const chunks = [];
		let line = '';
		let browsing = null;
		const authorizePrefix = `${s.issuer}/authorize?`;
		child.stdout.on('data', (c) => {
			chunks.push(c);
			line += c.toString();
			let nl;
			while ((nl = line.indexOf('\n')) !== -1) {
				const l = line.slice(0, nl).trim();
				line = line.slice(nl + 1);
				if (browsing === null &&
				    l.startsWith(authorizePrefix))
					browsing = person(l).catch((e) => e);
			}
		});
		child.stderr.on('data', (c) => chunks.push(c));
		const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
		child.on('error', reject);
		child.on('close', async (code, signal) => {
			clearTimeout(timer);
			const browserError = await browsing;
			const output = Buffer.concat(chunks).toString();
			try {
				resolve({ code, signal, output, browserError,
				    browsed: browsing !== null,
				    results: readResults(outDir) });
			} catch (e) {
				reject(e);
			} finally {
				fs.rmSync(outDir, { recursive: true, force: true });
			}
		});
	});
}

// { scenario: [checks] } from the suite's result directories
// (authorization-server-<scenario>-<ISO time>/checks.json).
function readResults(outDir) {
	const results = {};
	for (const d of fs.readdirSync(outDir)) {
		const file = path.join(outDir, d, 'checks.json');
		const name = SCENARIOS.find((n) => d.includes(n));
		if (name !== undefined && fs.existsSync(file))
			results[name] = JSON.parse(fs.readFileSync(file, 'utf8'));
	}
	return results;
}

// Every check of every scenario is a SUCCESS (no WARNING, no FAILURE,
// no SKIPPED), and both scenarios ran.
function assertAllSuccess(run) {
	const why = `exit ${run.code}\n${run.output.slice(-4000)}`;
	assert.equal(run.browserError, undefined,
	    `the browser step failed: ${run.browserError?.stack}\n${why}`);
	assert.ok(run.browsed, `the suite printed no authorization URL\n${why}`);
	assert.deepEqual(Object.keys(run.results).sort(),
	    [...SCENARIOS].sort(), why);
	for (const [name, checks] of Object.entries(run.results)) {
		assert.ok(checks.length > 0, `${name}: no checks\n${why}`);
		for (const c of checks)
			assert.equal(c.status, 'SUCCESS', `${name}: ${c.id}: ` +
			    `${c.status}: ${c.errorMessage ?? ''}\n${why}`);
	}
	assert.match(run.output, /Total: \d+ passed, 0 failed/, why);
	assert.equal(run.code, 0, why);
}

describe('MCP conformance suite: authorization server', () => {
	let site;
	let s;
	let browser;

	before(async () => {
		({ site, s } = await cimdTestServer({ users: [ALICE] }));
		const spki = crypto.createHash('sha256').update(
		    new crypto.X509Certificate(s.ca).publicKey.export(
		    { type: 'spki', format: 'der' })).digest('base64');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--disable-quic',
			    `--ignore-certificate-errors-spki-list=${spki}`],
		});
	});

	after(async () => {
		await browser?.close();
		await s?.stop();
		await site?.stop();
	});

	// The person: signs in on the page at url, approves on the consent
	// page, and lets the browser follow the redirect to the suite's
	// callback (which answers "OK").  Takes a screenshot of the
	// consent page as shot.
	function person(callback, shot) {
		return async (url) => {
			const context = await browser.newContext();
			try {
				const page = await context.newPage();
				assert.equal((await page.goto(url)).status(), 200);
				await page.fill('#username', ALICE.name);
				await page.fill('#password', ALICE.password);
				await Promise.all([
					page.waitForURL(/\/authorize\?request=/),
					page.click('button[type=submit]'),
				]);
				assert.equal(await page.locator('h1')
				    .textContent(), 'Allow access?');
				await page.screenshot({ path: artifactPath(shot),
				    fullPage: true });
				await Promise.all([
					page.waitForURL((u) =>
					    u.href.startsWith(callback),
					    { timeout: 15000 }),
					page.click('button[value=approve]'),
				]);
			} finally {
				await context.close();
			}
		};
	}

	test('a dynamically registered client: every check succeeds',
	    async () => {
		const port = await freePort();
		const callback = `http://127.0.0.1:${port}/callback`;
		const client = await register(s, {
			client_name: 'MCP conformance suite (DCR)',
			redirect_uris: [callback],
		});
		const run = await runSuite(s, client.client_id, port,
		    person(callback, 'conformance-auth-dcr.png'));
		assertAllSuccess(run);
	});

	test('a Client ID Metadata Document client: every check succeeds',
	    async () => {
		const port = await freePort();
		const callback = `http://127.0.0.1:${port}/callback`;
		const p = '/conformance/client-metadata.json';
		const doc = site.publish(p, {
			client_name: 'MCP conformance suite (CIMD)',
			redirect_uris: [callback],
		});
		const run = await runSuite(s, doc.client_id, port,
		    person(callback, 'conformance-auth-cimd.png'));
		assertAllSuccess(run);
		// The server fetched the document (no registration).
		assert.ok(site.hitsFor(p) >= 1);
		const grant = run.results['authorization-code-grant'][0];
		assert.equal(new URL(grant.details.authorizationRequest)
		    .searchParams.get('client_id'), doc.client_id);
	});
});
