// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The security statements of the MCP authorization specification
// ("Security Considerations") that the security review
// (tests/SECURITY.md) found without a test of their own: requests
// without TLS, no side effect before the token check, tokens of
// another issuer, no token passthrough to the provider, no client id
// metadata documents (nothing fetched), a loopback-only demo, and a
// limit on what tools may change.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CgiSite } from '../lib/cgi.mjs';
import { TestServer, headerValues, repo } from '../lib/harness.mjs';
import { Person, obtainTokens, pkce, register } from '../lib/oauth.mjs';
import { Provider } from '../lib/provider.mjs';

const PW = 'sec-Pw-31415';
const ACCEPT = 'application/json, text/event-stream';

function rpc(s, token, body) {
	const headers = { Accept: ACCEPT, 'MCP-Protocol-Version': '2025-11-25' };
	if (token !== null)
		headers.Authorization = `Bearer ${token}`;
	return s.request('POST', '/mcp', { json: body, headers });
}

function tool(s, token, name, args = {}) {
	return rpc(s, token, { jsonrpc: '2.0', id: 1, method: 'tools/call',
	    params: { name, arguments: args } });
}

function noteTitles(res) {
	assert.equal(res.status, 200, res.body);
	return JSON.parse(res.json().result.content[0].text).notes
	    .map((n) => n.title);
}

describe('nothing is served without TLS (OAuth 2.1 §1.5)', () => {
	let site;

	before(() => {
		site = new CgiSite();
	});

	after(() => {
		site?.cleanup();
	});

	it('an https site refuses every endpoint over plain http', () => {
		for (const [program, target, method] of [
			['metadata.fcgi', '/.well-known/oauth-authorization-server',
			    'GET'],
			['authorize.fcgi', '/authorize', 'GET'],
			['token.fcgi', '/token', 'POST'],
			['register.fcgi', '/register', 'POST'],
			['revoke.fcgi', '/revoke', 'POST'],
			['mcp.fcgi', '/mcp', 'POST'],
		]) {
			for (const https of [undefined, 'off']) {
				const res = site.run(program, { method, target,
				    body: method === 'POST' ? 'x=1' : undefined,
				    env: { HTTPS: https } });
				assert.equal(res.status, 403, `${program}: ` +
				    res.body);
				assert.deepEqual(res.json(), {
					error: 'invalid_request',
					error_description: 'this server answers ' +
					    'only over https',
				});
				assert.match(res.stderr, new RegExp(
				    `event=plain_http_refused msg="a request ` +
				    `for ${target} arrived without TLS`));
			}
		}
		const ok = site.run('metadata.fcgi',
		    { target: '/.well-known/oauth-authorization-server' });
		assert.equal(ok.status, 200);
	});

	it('a plain-http request that claims https in X-Forwarded-Proto ' +
	    'or Forwarded is refused all the same (RFC 9700 section 4.13)',
	    () => {
		/*
		 * Only the web server's HTTPS variable says whether the
		 * request came over TLS; a header is whatever the client
		 * chose to send.
		 */
		for (const headers of [
			{ 'X-Forwarded-Proto': 'https' },
			{ Forwarded: 'proto=https' },
			{ Forwarded: 'for=192.0.2.1;proto=https;host=a.example',
			    'X-Forwarded-Proto': 'https',
			    'X-Forwarded-Ssl': 'on',
			    'X-Forwarded-Scheme': 'https',
			    'Front-End-Https': 'on',
			    'X-Url-Scheme': 'https',
			    // HTTP_HTTPS, not the HTTPS the server sets.
			    Https: 'on' },
		]) {
			for (const [program, target, method] of [
				['metadata.fcgi', '/.well-known/' +
				    'oauth-authorization-server', 'GET'],
				['authorize.fcgi', '/authorize', 'GET'],
				['token.fcgi', '/token', 'POST'],
				['mcp.fcgi', '/mcp', 'POST'],
			]) {
				const res = site.run(program, {
					method, target, headers,
					env: { HTTPS: undefined },
					body: method === 'POST' ? 'x=1' :
					    undefined,
				});
				assert.equal(res.status, 403, `${program}: ` +
				    `${JSON.stringify(headers)}: ${res.body}`);
				assert.equal(res.json().error_description,
				    'this server answers only over https');
			}
		}
	});

	it('a development issuer on http://localhost is served', () => {
		const dev = path.join(site.dir, 'dev.conf');
		fs.writeFileSync(dev, fs.readFileSync(site.configFile, 'utf8')
		    .replace(/^issuer = .*$/m, 'issuer = http://localhost:8080'));
		const res = site.run('metadata.fcgi', {
			target: '/.well-known/oauth-authorization-server',
			env: { HTTPS: undefined, MCP_OAUTH_CONFIG: dev,
			    HTTP_HOST: 'localhost:8080' },
		});
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().issuer, 'http://localhost:8080');
	});
});

describe('the built-in server', () => {
	let s, p, alice;

	before(async () => {
		/*
		 * The provider is named in the configuration, with its CA,
		 * although the built-in server validates its own tokens: a
		 * server that fetched keys or client documents anyway would
		 * reach it, and the provider would count the request.
		 */
		p = await Provider.start();
		s = await TestServer.start({
			users: [{ name: 'alice', password: PW }],
			config: [
				'tool_write_rate_limit = 3',
				`authorization_server = ${p.issuer}`,
				`jwks_uri = ${p.jwksUri}`,
				`http_ca_file = ${p.certFile}`,
			].join('\n'),
		});
		p.audience = `${s.issuer}/mcp`;
		const client = await register(s);
		alice = await obtainTokens(s, new Person(s, 'alice', PW),
		    client, { scope: 'mcp notes:read notes:write' });
	});

	after(async () => {
		await s?.stop();
		await p?.stop();
		p?.cleanup();
	});

	it('no tool runs and nothing is read or written ' +
	    'before the token is checked', async () => {
		const add = { jsonrpc: '2.0', id: 1, method: 'tools/call',
		    params: { name: 'notes_add', arguments:
		    { title: 'intruder', text: 'x' } } };
		for (const token of [null, 'mcpat_' + 'Z'.repeat(43),
		    alice.refresh_token]) {
			let res = await rpc(s, token, add);
			assert.equal(res.status, 401, res.body);
			assert.doesNotMatch(res.body, /result|intruder/);
			// Even a body that is not JSON-RPC: the token first.
			res = await s.request('POST', '/mcp', {
				body: '{not json',
				headers: { 'Content-Type': 'application/json',
				    Accept: ACCEPT, ...(token === null ? {} :
				    { Authorization: `Bearer ${token}` }) },
			});
			assert.equal(res.status, 401);
		}
		// A token for another resource: the same server under
		// another issuer, whose MCP URL is not the token's audience.
		const text = fs.readFileSync(s.configFile, 'utf8');
		fs.writeFileSync(s.configFile, text.replace(
		    `issuer = https://localhost:${s.port}`,
		    `issuer = https://127.0.0.1:${s.port}\n` +
		    `allowed_hosts = localhost:${s.port}`));
		try {
			const res = await rpc(s, alice.access_token, add);
			assert.equal(res.status, 401);
			assert.match(headerValues(res, 'WWW-Authenticate')[0],
			    /error="invalid_token"/);
		} finally {
			fs.writeFileSync(s.configFile, text);
		}
		assert.deepEqual(noteTitles(await tool(s, alice.access_token,
		    'notes_list')), []);
	});

	it('a well-formed JWT of another issuer is refused',
	    async () => {
		const key = p.addKey('ES256', 'foreign');
		const since = p.requests.length;
		for (const over of [{}, { iss: s.issuer },
		    { iss: s.issuer, client_id: 'mcpc_x' }]) {
			const res = await tool(s, p.token(key, over), 'whoami');
			assert.equal(res.status, 401, res.body);
			assert.match(headerValues(res, 'WWW-Authenticate')[0],
			    /^Bearer error="invalid_token"/);
		}
		assert.deepEqual(p.requests.slice(since), [],
		    'nothing was fetched');
	});

	// Client ID Metadata Documents are on by default: a URL client_id
	// that points at this machine (the provider here listens on
	// loopback) or at a name that does not resolve is refused with a
	// page, and nothing is fetched (tests/http/cimd.test.mjs has the
	// rest).
	it('a URL client_id on loopback or unresolvable fetches nothing',
	    async () => {
		const meta = (await s.request('GET',
		    '/.well-known/oauth-authorization-server')).json();
		assert.equal(meta.client_id_metadata_document_supported, true);
		const since = p.requests.length;
		for (const clientId of [`${p.origin}/client.json`,
		    'https://attacker.example/client.json']) {
			const res = await s.request('GET', '/authorize?' +
			    new URLSearchParams({
				response_type: 'code',
				client_id: clientId,
				redirect_uri: `${p.origin}/cb`,
				code_challenge: pkce().challenge,
				code_challenge_method: 'S256',
			}));
			assert.equal(res.status, 400);
			assert.deepEqual(headerValues(res, 'Location'), []);
			assert.match(res.body, /metadata document/);
		}
		assert.deepEqual(p.requests.slice(since), [],
		    'nothing was fetched');
	});

	it('what tools change is limited per user and minute',
	    async () => {
		for (let i = 0; i < 3; i++) {
			const res = await tool(s, alice.access_token, 'notes_add',
			    { title: `n${i}`, text: '<b>&"\u2028' });
			assert.equal(res.json().result.isError, undefined,
			    res.body);
		}
		let res = await tool(s, alice.access_token, 'notes_add',
		    { title: 'n3', text: 'over' });
		assert.equal(res.json().result.isError, true);
		assert.match(res.json().result.content[0].text,
		    /^Too many changes: at most 3 a minute\. Try again in \d+ seconds\.$/);
		res = await tool(s, alice.access_token, 'notes_delete',
		    { id: 1 });
		assert.equal(res.json().result.isError, true, 'deletes count');
		// Nothing of the refused calls was written; reads go on,
		// and return what was stored, as JSON, intact.
		res = await tool(s, alice.access_token, 'notes_list');
		assert.deepEqual(noteTitles(res), ['n0', 'n1', 'n2']);
		res = await tool(s, alice.access_token, 'notes_get', { id: 1 });
		assert.equal(JSON.parse(res.json().result.content[0].text).text,
		    '<b>&"\u2028');
		assert.match(s.programLog(),
		    /event=tool_throttled user="alice" client="mcpc_/);
	});
});

describe('the bearer token is never passed through', () => {
	let s, p;

	after(async () => {
		await s?.stop();
		await p?.stop();
		p?.cleanup();
	});

	it('with token_validation = jwt the provider sees no token',
	    async () => {
		p = await Provider.start();
		const key = p.addKey('ES256', 'k1');
		s = await TestServer.start({ database: false, config: (srv) => [
			'token_validation = jwt',
			`authorization_server = ${p.issuer}`,
			`jwks_uri = ${p.jwksUri}`,
			`http_ca_file = ${p.certFile}`,
			`cache_dir = ${srv.dir}`,
		].join('\n') });
		p.audience = `${s.issuer}/mcp`;
		const token = p.token(key);
		const res = await tool(s, token, 'whoami');
		assert.equal(res.status, 200, res.body);
		assert.ok(p.requests.length > 0);
		for (const r of p.requests) {
			assert.equal(r.url, '/jwks');
			assert.equal(r.headers.authorization, undefined);
			assert.ok(!JSON.stringify(r).includes(token));
		}
		await s.stop();
		s = undefined;
	});

	it('with token_validation = introspection only as the token to ' +
	    'introspect, under the server\'s own credentials', async () => {
		p.requests.length = 0;
		s = await TestServer.start({ database: false, config: (srv) => [
			'token_validation = introspection',
			`authorization_server = ${p.issuer}`,
			`introspection_endpoint = ${p.introspectionUri}`,
			`introspection_client_id = ${p.clientId}`,
			`introspection_client_secret = ${p.clientSecret}`,
			`http_ca_file = ${p.certFile}`,
			`cache_dir = ${srv.dir}`,
		].join('\n') });
		const now = Math.floor(Date.now() / 1000);
		p.introspection.set('opaque-pass', { active: true,
		    iss: p.issuer, sub: 'bob', aud: [`${s.issuer}/mcp`],
		    scope: 'mcp', client_id: 'c', exp: now + 300 });
		const res = await tool(s, 'opaque-pass', 'whoami');
		assert.equal(res.status, 200, res.body);
		assert.ok(p.requests.length > 0);
		for (const r of p.requests) {
			assert.equal(r.url, '/introspect');
			assert.match(r.headers.authorization, /^Basic /);
			assert.equal(new URLSearchParams(r.body).get('token'),
			    'opaque-pass');
		}
	});
});

describe('the local demo listens on loopback only', () => {
	it('scripts/demo binds 127.0.0.1, and so does the test harness',
	    () => {
		const demo = fs.readFileSync(path.join(repo, 'scripts', 'demo'),
		    'utf8');
		const binds = [...demo.matchAll(/\bBIND=(\S+)/g)]
		    .map((m) => m[1]);
		assert.ok(binds.length > 0);
		assert.ok(binds.every((b) => b === '127.0.0.1'),
		    binds.join(' '));
	});
});
