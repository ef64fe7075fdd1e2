// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Resource-server mode against a real OpenID provider: the npm package
// oidc-provider (pinned in package-lock.json) runs over TLS on
// loopback with a test CA, and the MCP TypeScript SDK client signs in
// there the way a real client does.  It reads our protected resource
// metadata, finds the provider, and completes the authorization code
// flow with PKCE (RFC 7636) and a resource indicator (RFC 8707); a
// person signs in and consents on the provider's own development pages
// by plain form posts.  The SDK then calls /mcp tools at a mcp.fcgi
// with no database of its own, first with the provider's JWT access
// tokens (token_validation = jwt, RFC 9068), then with its opaque
// tokens (token_validation = introspection, RFC 7662).  The forged and
// malformed tokens that a real provider never issues are tested
// against the stand-in provider in tests/http/rs.test.mjs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Provider, { errors } from 'oidc-provider';
import { Agent, fetch as undiciFetch } from 'undici';

import { freePort, TestServer } from '../lib/harness.mjs';
import { PersonProvider } from './lib.mjs';

const SCOPES = ['mcp', 'notes:read', 'notes:write'];
const CLIENT_ID = 'mcp-sdk-client';
const RS_CLIENT_ID = 'mcp-resource-server';
const RS_SECRET = crypto.randomBytes(24).toString('base64url');

// A key and a self-signed certificate for localhost, as the harness
// makes for the web server: the CA that mcp.fcgi is told to trust.
function certificate(dir) {
	const key = path.join(dir, 'key.pem');
	const cert = path.join(dir, 'cert.pem');
	const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec',
	    '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
	    '-subj', '/CN=localhost', '-addext',
	    'subjectAltName=DNS:localhost,IP:127.0.0.1',
	    '-keyout', key, '-out', cert], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`openssl req failed: ${r.stderr}`);
	return { key, cert };
}

// oidc-provider over TLS on a free loopback port.  Its access tokens
// for the resource are JWTs or opaque, as format says; the client of
// the SDK is a public native client with a loopback redirect URI, and
// the resource server has its own credentials for introspection.
async function startProvider({ format, redirectUrl }) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-oidc-'));
	const tls = certificate(dir);
	const port = await freePort();
	const issuer = `https://localhost:${port}`;
	const signing = crypto.generateKeyPairSync('ec',
	    { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
	const resources = new Set();
	const seen = [];
	const provider = new Provider(issuer, {
		clients: [{
			client_id: CLIENT_ID,
			application_type: 'native',
			token_endpoint_auth_method: 'none',
			redirect_uris: [redirectUrl],
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
		}, {
			client_id: RS_CLIENT_ID,
			client_secret: RS_SECRET,
			token_endpoint_auth_method: 'client_secret_basic',
			redirect_uris: [],
			grant_types: [],
			response_types: [],
		}],
		// One ES256 key signs everything, ID tokens included.
		clientDefaults: { id_token_signed_response_alg: 'ES256' },
		jwks: { keys: [{ ...signing, kid: 'es-1', alg: 'ES256',
		    use: 'sig' }] },
		cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
		pkce: { required: () => true },
		features: {
			devInteractions: { enabled: true },
			introspection: { enabled: true },
			revocation: { enabled: true },
			resourceIndicators: {
				enabled: true,
				defaultResource: () => undefined,
				useGrantedResource: () => true,
				getResourceServerInfo(ctx, resource) {
					if (!resources.has(resource))
						throw new errors.InvalidTarget();
					return {
						scope: SCOPES.join(' '),
						audience: resource,
						accessTokenFormat: format,
						accessTokenTTL: 300,
						jwt: { sign: { alg: 'ES256' } },
					};
				},
			},
		},
	});
	// Every request the provider answers, for the assertions.
	provider.use(async (ctx, next) => {
		await next();
		seen.push(`${ctx.method} ${ctx.path} ${ctx.status}`);
	});
	const server = https.createServer({
		key: fs.readFileSync(tls.key),
		cert: fs.readFileSync(tls.cert),
	}, provider.callback());
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		issuer,
		certFile: tls.cert,
		ca: fs.readFileSync(tls.cert),
		seen,
		// The resource indicator this provider accepts.
		allow(resource) {
			resources.add(resource);
		},
		async stop() {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

// A fetch for the SDK that trusts both test CAs (ours and the
// provider's) and records "METHOD origin/path status" for each
// exchange.
function trustingFetch(cas) {
	const agent = new Agent({ connect: { ca: cas } });
	const log = [];
	return {
		log,
		async fetch(url, init = {}) {
			const res = await undiciFetch(url, { ...init,
			    dispatcher: agent });
			const u = new URL(url);
			log.push({ method: (init.method ?? 'GET').toUpperCase(),
			    origin: u.origin, path: u.pathname, status: res.status,
			    body: typeof init.body === 'string' ? init.body :
			    init.body instanceof URLSearchParams ?
			    init.body.toString() : undefined });
			return res;
		},
		close: () => agent.close(),
	};
}

// A browser for the person at the provider: follows redirects on the
// provider's origin by hand, keeping its cookies, and stops at the
// first redirect elsewhere (the client's redirect URI).
class Browser {
	constructor(origin, ca) {
		this.origin = origin;
		this.agent = new Agent({ connect: { ca } });
		this.cookies = new Map();
	}

	async go(url, init = {}) {
		for (let hops = 0; hops < 10; hops++) {
			const headers = { ...init.headers };
			if (this.cookies.size > 0)
				headers.Cookie = [...this.cookies].map(([k, v]) =>
				    `${k}=${v}`).join('; ');
			const res = await undiciFetch(url, { ...init, headers,
			    redirect: 'manual', dispatcher: this.agent });
			for (const c of res.headers.getSetCookie()) {
				const [pair] = c.split(';');
				const eq = pair.indexOf('=');
				const value = pair.slice(eq + 1);
				if (value === '')
					this.cookies.delete(pair.slice(0, eq));
				else
					this.cookies.set(pair.slice(0, eq), value);
			}
			const location = res.headers.get('location');
			if (res.status < 300 || res.status > 399 ||
			    location === null)
				return { status: res.status, url,
				    body: await res.text() };
			await res.arrayBuffer();
			const next = new URL(location, url);
			if (next.origin !== this.origin)
				return { status: res.status, url, location: next };
			url = next.href;
			init = {};
		}
		throw new Error('too many redirects');
	}

	// Submits the interaction page's form with fields.
	async submit(page, fields) {
		const action = /<form[^>]*action="([^"]+)"/.exec(page.body);
		assert.ok(action, `a form on ${page.url}:\n` +
		    page.body.slice(0, 500));
		return this.go(new URL(action[1], page.url).href, {
			method: 'POST',
			headers: { 'Content-Type':
			    'application/x-www-form-urlencoded' },
			body: new URLSearchParams(fields).toString(),
		});
	}

	close() {
		return this.agent.close();
	}
}

// The SDK's OAuthClientProvider whose browser signs alice in at the
// OpenID provider and consents: oidc-provider's development pages
// take any login name.
class OidcPersonProvider extends PersonProvider {
	constructor({ op, redirectUrl }) {
		super({ s: null, person: null, redirectUrl, client: {
			client_id: CLIENT_ID,
			token_endpoint_auth_method: 'none',
			redirect_uris: [redirectUrl],
		} });
		this.op = op;
		this.pages = [];
	}

	async redirectToAuthorization(url) {
		this.authorizations.push(url);
		assert.equal(url.origin, this.op.issuer,
		    'the authorization endpoint is at the OpenID provider');
		const browser = new Browser(this.op.issuer, this.op.ca);
		try {
			let page = await browser.go(url.href);
			assert.equal(page.status, 200, page.body);
			assert.match(page.body, /name="login"/);
			this.pages.push('login');
			page = await browser.submit(page, { prompt: 'login',
			    login: 'alice', password: 'any password' });
			assert.equal(page.status, 200, page.body);
			assert.match(page.body, /name="prompt" value="consent"/);
			this.pages.push('consent');
			const back = await browser.submit(page,
			    { prompt: 'consent' });
			assert.ok(back.location, `no redirect: ${back.body}`);
			assert.equal(back.location.origin +
			    back.location.pathname, this.redirectUrl);
			assert.equal(back.location.searchParams.get('state'),
			    this._state);
			assert.equal(back.location.searchParams.get('iss'),
			    this.op.issuer);
			this.code = back.location.searchParams.get('code') ??
			    undefined;
		} finally {
			await browser.close();
		}
	}
}

// Connects the SDK client: 401, discovery, sign-in at the provider,
// the code exchanged there, and a new connection with the token.
async function connect(s, provider, net) {
	const url = new URL('/mcp', s.issuer);
	const options = { authProvider: provider, fetch: net.fetch };
	let transport = new StreamableHTTPClientTransport(url, options);
	let client = new Client({ name: 'mcp-oauth-fcgi-oidc', version: '1.0.0' });
	try {
		await client.connect(transport);
		assert.fail('connected without a token');
	} catch (e) {
		if (!(e instanceof UnauthorizedError))
			throw e;
	}
	await transport.finishAuth(provider.takeCode());
	await client.close();
	transport = new StreamableHTTPClientTransport(url, options);
	client = new Client({ name: 'mcp-oauth-fcgi-oidc', version: '1.0.0' });
	await client.connect(transport);
	return client;
}

// What the resource-server configuration needs to know of the
// provider, by token_validation.
function resourceServerConfig(op, mode) {
	return (s) => [
		`token_validation = ${mode}`,
		`authorization_server = ${op.issuer}`,
		mode === 'jwt' ? `jwks_uri = ${op.issuer}/jwks` :
		    `introspection_endpoint = ${op.issuer}/token/introspection`,
		mode === 'jwt' ? '' : `introspection_client_id = ${RS_CLIENT_ID}`,
		mode === 'jwt' ? '' :
		    `introspection_client_secret = ${RS_SECRET}`,
		`http_ca_file = ${op.certFile}`,
		`cache_dir = ${s.dir}`,
	].join('\n');
}

for (const [mode, format] of [['jwt', 'jwt'],
    ['introspection', 'opaque']]) {
	describe(`oidc-provider and token_validation = ${mode}`, () => {
		let op, s, redirectUrl;

		before(async () => {
			redirectUrl =
			    `http://127.0.0.1:${await freePort()}/callback`;
			op = await startProvider({ format, redirectUrl });
			s = await TestServer.start({ database: false,
			    config: resourceServerConfig(op, mode) });
			op.allow(`${s.issuer}/mcp`);
		});

		after(async () => {
			await s?.stop();
			await op?.stop();
		});

		test('the SDK signs in at the provider (code, PKCE, ' +
		    'resource) and calls tools', async (t) => {
			const net = trustingFetch([s.ca, op.ca]);
			t.after(() => net.close());
			const provider = new OidcPersonProvider({ op,
			    redirectUrl });
			const client = await connect(s, provider, net);
			t.after(() => client.close());
			assert.deepEqual(provider.pages, ['login', 'consent']);

			// Found the way a real client finds it: our 401,
			// our protected resource metadata naming the
			// provider, the provider's own metadata.
			const seen = net.log.map((e) => `${e.method} ` +
			    `${e.origin === s.issuer ? 'rs' : e.origin ===
			    op.issuer ? 'op' : e.origin}${e.path} ${e.status}`);
			assert.equal(seen[0], 'POST rs/mcp 401', seen.join('\n'));
			assert.ok(seen.includes('GET rs/.well-known/' +
			    'oauth-protected-resource/mcp 200'), seen.join('\n'));
			const opMetadata = new RegExp('^GET op/\\.well-known/' +
			    '(openid-configuration|oauth-authorization-server) 200$');
			assert.ok(seen.some((l) => opMetadata.test(l)),
			    seen.join('\n'));

			// The authorization request: code, S256, and our
			// MCP URL as the resource indicator.
			const authz = provider.authorizations[0];
			assert.equal(authz.searchParams.get('response_type'),
			    'code');
			assert.equal(authz.searchParams.get(
			    'code_challenge_method'), 'S256');
			assert.match(authz.searchParams.get('code_challenge'),
			    /^[A-Za-z0-9_-]{43}$/);
			assert.equal(authz.searchParams.get('resource'),
			    `${s.issuer}/mcp`);
			// The code went to the provider's token endpoint
			// with its verifier and the same resource.
			const exchange = net.log.find((e) =>
			    e.origin === op.issuer && e.path === '/token');
			assert.equal(exchange?.status, 200,
			    JSON.stringify(net.log));
			const form = new URLSearchParams(exchange.body);
			assert.equal(form.get('grant_type'),
			    'authorization_code');
			assert.match(form.get('code_verifier'), /^\S{43,128}$/);
			assert.equal(form.get('resource'), `${s.issuer}/mcp`);

			// The token is the provider's, in the format the
			// mode validates.
			const token = provider.tokens().access_token;
			if (mode === 'jwt') {
				const [h, c] = token.split('.').slice(0, 2).map((x) =>
				    JSON.parse(Buffer.from(x, 'base64url')));
				assert.equal(h.typ, 'at+jwt');
				assert.equal(h.alg, 'ES256');
				assert.equal(c.iss, op.issuer);
				assert.equal(c.aud, `${s.issuer}/mcp`);
			} else
				assert.equal(token.split('.').length, 1,
				    'an opaque token');

			const { tools } = await client.listTools();
			assert.ok(tools.some((x) => x.name === 'whoami'));
			const res = await client.callTool({ name: 'whoami',
			    arguments: {} });
			assert.notEqual(res.isError, true, JSON.stringify(res));
			assert.equal(res.structuredContent.user, 'alice');
			assert.equal(res.structuredContent.client_id, CLIENT_ID);
			assert.deepEqual([...res.structuredContent.scopes].sort(),
			    [...SCOPES].sort());

			// mcp.fcgi asked the provider itself: for its keys,
			// or about the token.
			const asked = mode === 'jwt' ? /^GET \/jwks 200$/ :
			    /^POST \/token\/introspection 200$/;
			assert.ok(op.seen.some((l) => asked.test(l)),
			    op.seen.join('\n'));

			// A token the provider revoked is refused, in
			// introspection mode at once (no cached answer is
			// used for a token never seen); a JWT stays valid to
			// its expiry, as RFC 9068 tokens do.
			if (mode === 'introspection') {
				const other = await freshToken(s, op, net,
				    redirectUrl);
				const rev = await net.fetch(`${op.issuer}/token/` +
				    'revocation', { method: 'POST',
				    headers: { 'Content-Type':
				    'application/x-www-form-urlencoded' },
				    body: new URLSearchParams({ token: other,
				    client_id: CLIENT_ID }).toString() });
				assert.equal(rev.status, 200);
				assert.equal(await mcpStatus(s, other), 401);
			}
			// Tampered with, the token is refused.
			const bad = token.slice(0, -2) +
			    (token.endsWith('AA') ? 'BB' : 'AA');
			assert.equal(await mcpStatus(s, bad), 401);
		});

		// oidc-provider will not introspect a JWT-shaped token
		// (400 unsupported_token_type): that is a refusal of the
		// token, 401 invalid_token, not an outage (RFC 7662 section
		// 2.3, RFC 6750 section 3.1).  Anyone can send one.
		if (mode === 'introspection')
			test('refuses with 401 a JWT-shaped token the provider ' +
			    'will not introspect', async () => {
				const part = (o) => Buffer.from(JSON.stringify(o))
				    .toString('base64url');
				const jwt = [part({ alg: 'ES256', typ: 'at+jwt' }),
				    part({ iss: op.issuer, sub: 'mallory',
				    aud: `${s.issuer}/mcp` }),
				    crypto.randomBytes(64).toString('base64url')]
				    .join('.');
				const seen = op.seen.length;
				assert.equal(await mcpStatus(s, jwt), 401);
				assert.deepEqual(op.seen.slice(seen).filter((l) =>
				    l.startsWith('POST /token/introspection')),
				    ['POST /token/introspection 400'],
				    op.seen.join('\n'));
			});
	});
}

// A second sign-in, without the SDK: a new access token for alice.
async function freshToken(s, op, net, redirectUrl) {
	const provider = new OidcPersonProvider({ op, redirectUrl });
	const verifier = crypto.randomBytes(32).toString('base64url');
	const challenge = crypto.createHash('sha256').update(verifier)
	    .digest('base64url');
	provider.state();
	const url = new URL(`${op.issuer}/auth`);
	url.search = new URLSearchParams({
		response_type: 'code',
		client_id: CLIENT_ID,
		redirect_uri: redirectUrl,
		scope: SCOPES.join(' '),
		state: provider._state,
		code_challenge: challenge,
		code_challenge_method: 'S256',
		resource: `${s.issuer}/mcp`,
	}).toString();
	await provider.redirectToAuthorization(url);
	const res = await net.fetch(`${op.issuer}/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			code: provider.takeCode(),
			code_verifier: verifier,
			redirect_uri: redirectUrl,
			client_id: CLIENT_ID,
			resource: `${s.issuer}/mcp`,
		}).toString(),
	});
	const body = await res.json();
	assert.equal(res.status, 200, JSON.stringify(body));
	return body.access_token;
}

// What /mcp says to a bare token.
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
