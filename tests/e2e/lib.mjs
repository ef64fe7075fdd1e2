// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Shared by the end-to-end tests: a fetch that trusts a test server's
// own CA (and records what it sent), an in-memory OAuthClientProvider
// for the MCP TypeScript SDK whose "browser" is a person signing in on
// the real pages, a loopback listener standing in for a client's
// redirect target, and artifacts.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

import { Agent, fetch as undiciFetch } from 'undici';

import { repo } from '../lib/harness.mjs';
import { Person } from '../lib/oauth.mjs';

export const artifactDir = path.join(repo, 'tests', 'artifacts');

// A fetch for a TestServer: TLS verified against the server's own
// certificate (no global switch), every exchange recorded as
// { method, path, status, request headers, request body }.
export function recordingFetch(s) {
	const agent = new Agent({ connect: { ca: s.ca } });
	const log = [];
	async function f(url, init = {}) {
		const u = new URL(url);
		const headers = new Headers(init.headers);
		const entry = {
			method: (init.method ?? 'GET').toUpperCase(),
			path: u.pathname,
			url: u.href,
			headers,
			body: typeof init.body === 'string' ? init.body :
			    init.body instanceof URLSearchParams ?
			    init.body.toString() : undefined,
			status: undefined,
		};
		log.push(entry);
		const res = await undiciFetch(url, {
			...init,
			headers,
			dispatcher: agent,
		});
		entry.status = res.status;
		entry.responseHeaders = res.headers;
		return res;
	}
	return {
		fetch: f,
		log,
		// "METHOD /path status" lines since index from, without
		// the metadata documents the SDK reads before each
		// authorization step.
		lines(from = 0, { metadata = false } = {}) {
			return log.slice(from).filter((e) => metadata ||
			    !e.path.startsWith('/.well-known/')).map((e) =>
			    `${e.method} ${e.path} ${e.status}`);
		},
		close: () => agent.close(),
	};
}

// A Person who counts the pages she fills in.
export class WatchedPerson extends Person {
	logins = 0;
	consents = 0;

	async login(page, options) {
		this.logins++;
		return super.login(page, options);
	}

	async decide(page, action) {
		this.consents++;
		return super.decide(page, action);
	}
}

// An OAuthClientProvider that keeps everything in memory and whose
// redirectToAuthorization() is a person at a browser: follows the
// authorization URL on the real pages, signs in, approves (or does
// what decide says), and keeps the code that the redirect to the
// client's redirect_uri carries, for transport.finishAuth().
export class PersonProvider {
	// options:
	//   s            the TestServer
	//   person       a Person (tests/lib/oauth.mjs)
	//   redirectUrl  the client's loopback redirect URI
	//   metadata     extra client metadata for registration
	//   client       pre-registered client information (no DCR then)
	constructor({ s, person, redirectUrl, metadata = {}, client }) {
		this.s = s;
		this.person = person;
		this._redirectUrl = redirectUrl;
		this._metadata = {
			client_name: 'MCP SDK e2e client',
			redirect_uris: [redirectUrl],
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			token_endpoint_auth_method: 'none',
			...metadata,
		};
		this._client = client;
		this._tokens = undefined;
		this._verifier = undefined;
		this._state = undefined;
		this.code = undefined;
		this.authorizations = [];	// the authorization URLs
		this.savedTokens = [];		// every saveTokens() call
		this.invalidated = [];		// every invalidateCredentials()
		// A pre-registered client cannot register again: the SDK
		// knows that from saveClientInformation being absent.
		if (client !== undefined)
			this.saveClientInformation = undefined;
	}

	get redirectUrl() {
		return this._redirectUrl;
	}

	get clientMetadata() {
		return this._metadata;
	}

	state() {
		this._state = crypto.randomBytes(12).toString('base64url');
		return this._state;
	}

	clientInformation() {
		return this._client;
	}

	saveClientInformation(info) {
		this._client = info;
	}

	tokens() {
		return this._tokens;
	}

	saveTokens(tokens) {
		this._tokens = tokens;
		this.savedTokens.push(tokens);
	}

	saveCodeVerifier(v) {
		this._verifier = v;
	}

	codeVerifier() {
		return this._verifier;
	}

	invalidateCredentials(scope) {
		this.invalidated.push(scope);
		if (scope === 'all' || scope === 'tokens')
			this._tokens = undefined;
		if (scope === 'all' || scope === 'verifier')
			this._verifier = undefined;
		if (scope === 'all' || scope === 'client')
			this._client = undefined;
	}

	async redirectToAuthorization(url) {
		this.authorizations.push(url);
		assert.ok((url.origin + url.pathname).startsWith(
		    `${this.s.issuer}/`), 'the authorization endpoint is on ' +
		    `the issuer: ${url.href}`);
		assert.equal(url.searchParams.get('code_challenge_method'),
		    'S256');
		const res = await this.person.authorize(url.pathname +
		    url.search, this.decision ?? 'approve');
		assert.equal(res.status, 302, res.body.slice(0, 500));
		const back = new URL(res.headers.location);
		assert.equal(back.origin + back.pathname, this._redirectUrl,
		    'the person is sent back to the client');
		assert.equal(back.searchParams.get('state'), this._state);
		assert.equal(back.searchParams.get('iss'), this.s.issuer);
		this.redirect = back;
		this.code = back.searchParams.get('code') ?? undefined;
	}

	// The code of the last authorization, once.
	takeCode() {
		const c = this.code;
		assert.ok(c, 'the authorization produced a code');
		this.code = undefined;
		return c;
	}
}

// A loopback HTTP listener standing in for a native client's redirect
// target: resolves each callback's query parameters in order.
export async function callbackListener() {
	const waiting = [];
	const received = [];
	const server = http.createServer((req, res) => {
		const u = new URL(req.url, 'http://127.0.0.1');
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		res.end('<!DOCTYPE html><title>Done</title>' +
		    '<h1>You may close this window.</h1>');
		if (u.pathname !== '/callback')
			return;
		const params = Object.fromEntries(u.searchParams);
		const w = waiting.shift();
		if (w !== undefined)
			w(params);
		else
			received.push(params);
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}/callback`,
		next() {
			if (received.length > 0)
				return Promise.resolve(received.shift());
			return new Promise((resolve) => waiting.push(resolve));
		},
		close() {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(resolve));
		},
	};
}

// Where a test keeps what a person would look at.
export function artifactPath(name) {
	fs.mkdirSync(artifactDir, { recursive: true });
	return path.join(artifactDir, name);
}

// axe-core's browser build, read once.
let axeSource;

// Runs axe-core in page (the WCAG 2.0 and 2.1 A and AA rules and the
// best practices) and fails, with one readable line per element, when
// it finds any violation.  The pages' Content-Security-Policy
// (default-src 'none') refuses an injected <script>, rightly; the
// script goes in through the DevTools protocol instead (page.evaluate),
// which the page's policy does not govern, so the check runs against
// the policy the server really sends.
export async function assertNoAxeViolations(page, label) {
	if (axeSource === undefined) {
		const require = createRequire(import.meta.url);
		axeSource = fs.readFileSync(require.resolve(
		    'axe-core/axe.min.js'), 'utf8');
	}
	if (!await page.evaluate('typeof window.axe === "object"'))
		await page.evaluate(axeSource);
	const result = await page.evaluate(() => window.axe.run(document, {
		runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa',
		    'wcag21a', 'wcag21aa', 'best-practice'] },
		resultTypes: ['violations'],
	}).then((r) => ({ passes: r.passes.length, violations:
	    r.violations.map((v) => ({
		id: v.id,
		impact: v.impact,
		help: v.help,
		nodes: v.nodes.map((n) => ({
			target: n.target.join(' '),
			summary: n.failureSummary,
		})),
	}))})));
	// A run that checked nothing would pass too.
	assert.ok(result.passes > 0, `axe-core ran no rule on ${label}`);
	const lines = [];
	for (const v of result.violations) {
		lines.push(`${v.id} (${v.impact}): ${v.help}`);
		for (const n of v.nodes)
			lines.push(`    ${n.target}: ` +
			    `${(n.summary ?? '').replace(/\s+/g, ' ')}`);
	}
	assert.deepEqual(lines, [], `axe-core on ${label} ` +
	    `(${page.url()}):\n${lines.join('\n')}`);
}

// Registers a confidential client the way a site owner would, with
// mcp-oauth-admin; returns client information for the SDK.
export function preRegister(s, method, redirectUri) {
	const r = s.admin(['--json', 'client', 'add', '--name',
	    `Pre-registered ${method} client`, '--redirect-uri', redirectUri,
	    '--auth', method]);
	const info = JSON.parse(r.stdout);
	assert.equal(info.token_endpoint_auth_method, method);
	assert.match(info.client_id ?? '', /\S/);
	assert.match(info.client_secret ?? '', /\S/);
	return {
		client_id: info.client_id,
		client_secret: info.client_secret,
		client_name: info.client_name,
		redirect_uris: info.redirect_uris,
		token_endpoint_auth_method: method,
		grant_types: info.grant_types,
		response_types: info.response_types,
	};
}

// Client authentication for /revoke and /token, the way the client
// registered.
export function clientAuth(client) {
	const headers = {};
	const form = { client_id: client.client_id };
	if (client.token_endpoint_auth_method === 'client_secret_basic') {
		const enc = (v) => encodeURIComponent(v);
		headers.Authorization = 'Basic ' + Buffer.from(
		    `${enc(client.client_id)}:${enc(client.client_secret)}`)
		    .toString('base64');
		delete form.client_id;
	} else if (client.token_endpoint_auth_method ===
	    'client_secret_post')
		form.client_secret = client.client_secret;
	return { headers, form };
}

// The base64 SHA-256 of a certificate's public key: Chromium trusts
// that key alone (--ignore-certificate-errors-spki-list), which is
// narrower than ignoring certificate errors.
function spkiHash(pem) {
	const der = new crypto.X509Certificate(pem).publicKey
	    .export({ type: 'spki', format: 'der' });
	return crypto.createHash('sha256').update(der).digest('base64');
}

// Headless Chromium (Debian's, or MCP_E2E_CHROMIUM) trusting the test
// server s's certificate.
export async function launchChromium(s) {
	const { chromium } = await import('playwright-core');
	return chromium.launch({
		executablePath: process.env.MCP_E2E_CHROMIUM ??
		    '/usr/bin/chromium',
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-quic',
			`--ignore-certificate-errors-spki-list=${spkiHash(s.ca)}`,
		],
	});
}

// Watches a child's output for the first line matching re; resolves
// the first capture group.
export function watchFor(stream, re, sink) {
	let text = '';
	return new Promise((resolve, reject) => {
		stream.setEncoding('utf8');
		stream.on('data', (c) => {
			sink.push(c);
			text += c;
			const m = text.match(re);
			if (m !== null) {
				resolve(m[1]);
				text = '';
				re = /(?!)/;
			}
		});
		stream.on('end', () => reject(new Error(`no ${re} in:\n` +
		    sink.join(''))));
	});
}
