// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// metadata.fcgi under a real web server over TLS: every discovery
// response checked status, headers and body (RFC 8414, RFC 9728, and
// the well-known URLs MCP clients try).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';

let s;

before(async () => {
	s = await TestServer.start();
});

after(async () => {
	await s?.stop();
});

function assertJsonHeaders(res) {
	assert.deepEqual(headerValues(res, 'Content-Type'), ['application/json']);
	assert.deepEqual(headerValues(res, 'Access-Control-Allow-Origin'), ['*']);
	assert.equal(Number(res.headers['content-length']),
	    Buffer.byteLength(res.body));
}

describe('RFC 8414 authorization server metadata', () => {
	it('serves the document byte for byte', async () => {
		const res = await s.request('GET',
		    '/.well-known/oauth-authorization-server',
		    { headers: { 'MCP-Protocol-Version': '2025-11-25' } });
		assert.equal(res.status, 200);
		assertJsonHeaders(res);
		assert.deepEqual(headerValues(res, 'Cache-Control'),
		    ['public, max-age=300']);
		const i = s.issuer;
		assert.equal(res.body, JSON.stringify({
			issuer: i,
			authorization_endpoint: `${i}/authorize`,
			token_endpoint: `${i}/token`,
			registration_endpoint: `${i}/register`,
			revocation_endpoint: `${i}/revoke`,
			device_authorization_endpoint:
			    `${i}/device_authorization`,
			response_types_supported: ['code'],
			response_modes_supported: ['query'],
			grant_types_supported: ['authorization_code',
			    'refresh_token',
			    'urn:ietf:params:oauth:grant-type:device_code'],
			code_challenge_methods_supported: ['S256'],
			token_endpoint_auth_methods_supported: ['none',
			    'client_secret_post', 'client_secret_basic'],
			revocation_endpoint_auth_methods_supported: ['none',
			    'client_secret_post', 'client_secret_basic'],
			scopes_supported: ['mcp', 'notes:read', 'notes:write'],
			authorization_response_iss_parameter_supported: true,
			// Only a build that can fetch a document says so:
			// not the static bundle, built without libcurl
			// (scripts/check's bundle layer sets this).
			...(process.env.MCP_TEST_WITHOUT_CURL ? {} :
			    { client_id_metadata_document_supported: true }),
		}) + '\n');
	});

	it('has an issuer identical to the URL it was fetched from ' +
	    '(RFC 8414 §3.3)',
	    async () => {
		const res = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.equal(res.json().issuer, `https://localhost:${s.port}`);
	});

	it('answers HEAD with the headers and no body', async () => {
		const res = await s.request('HEAD',
		    '/.well-known/oauth-authorization-server');
		assert.equal(res.status, 200);
		assert.equal(res.body, '');
		assert.ok(Number(res.headers['content-length']) > 100);
	});

	it('answers a CORS preflight allowing MCP-Protocol-Version',
	    async () => {
		const res = await s.request('OPTIONS',
		    '/.well-known/oauth-authorization-server', {
			headers: {
				Origin: 'http://localhost:6274',
				'Access-Control-Request-Method': 'GET',
				'Access-Control-Request-Headers':
				    'mcp-protocol-version',
			},
		});
		assert.equal(res.status, 204);
		assert.deepEqual(headerValues(res, 'Access-Control-Allow-Origin'),
		    ['*']);
		assert.deepEqual(headerValues(res,
		    'Access-Control-Allow-Methods'), ['GET, HEAD, OPTIONS']);
		assert.deepEqual(headerValues(res,
		    'Access-Control-Allow-Headers'), ['MCP-Protocol-Version']);
		assert.equal(res.body, '');
	});

	for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
		it(`refuses ${method} with 405 and Allow`, async () => {
			const res = await s.request(method,
			    '/.well-known/oauth-authorization-server',
			    { body: '' });
			assert.equal(res.status, 405);
			assert.deepEqual(headerValues(res, 'Allow'),
			    ['GET, HEAD, OPTIONS']);
			assert.equal(res.json().error, 'invalid_request');
		});
	}
});

describe('RFC 9728 protected resource metadata', () => {
	for (const p of ['/.well-known/oauth-protected-resource/mcp',
	    '/.well-known/oauth-protected-resource']) {
		it(`serves ${p}`, async () => {
			const res = await s.request('GET', p);
			assert.equal(res.status, 200);
			assertJsonHeaders(res);
			assert.equal(res.body, JSON.stringify({
				resource: `${s.issuer}/mcp`,
				authorization_servers: [s.issuer],
				scopes_supported: ['mcp', 'notes:read',
				    'notes:write'],
				bearer_methods_supported: ['header'],
				resource_name: 'MCP server',
			}) + '\n');
			assert.doesNotMatch(res.body, /offline_access|null/);
		});
	}
});

// MCP 2026-07-28 clients (the Python SDK among them) send their
// protocol version on every discovery request; so does the CORS
// preflight of a browser client.  The documents do not depend on it.
describe('discovery with MCP-Protocol-Version: 2026-07-28', () => {
	for (const p of ['/.well-known/oauth-authorization-server',
	    '/.well-known/oauth-protected-resource/mcp',
	    '/.well-known/oauth-protected-resource']) {
		it(`serves ${p} as without the header`, async () => {
			const plain = await s.request('GET', p);
			const res = await s.request('GET', p, { headers:
			    { 'MCP-Protocol-Version': '2026-07-28' } });
			assert.equal(res.status, 200);
			assertJsonHeaders(res);
			assert.equal(res.body, plain.body);
			const pre = await s.request('OPTIONS', p, { headers: {
				Origin: 'http://localhost:6274',
				'Access-Control-Request-Method': 'GET',
				'Access-Control-Request-Headers':
				    'mcp-protocol-version',
			} });
			assert.equal(pre.status, 204);
			assert.deepEqual(headerValues(pre,
			    'Access-Control-Allow-Headers'),
			    ['MCP-Protocol-Version']);
		});
	}
});

// The root document describes /mcp, not the origin, although RFC 9728
// section 3.3 ties a document to the URL it was fetched from: see
// docs/design.md, "Protected resource metadata at the root".  The
// challenge names the path-suffixed URL, for which section 3.3 holds.
describe('protected resource metadata at the origin root', () => {
	it('is the document of /mcp, and the challenge names the ' +
	    'path-suffixed one', async () => {
		const root = await s.request('GET',
		    '/.well-known/oauth-protected-resource');
		const mcp = await s.request('GET',
		    '/.well-known/oauth-protected-resource/mcp');
		assert.equal(root.body, mcp.body);
		assert.equal(root.json().resource, `${s.issuer}/mcp`);
		const res = await s.request('POST', '/mcp', { json: {
		    jsonrpc: '2.0', id: 1, method: 'tools/list' } });
		assert.equal(res.status, 401);
		const m = /resource_metadata="([^"]+)"/.exec(
		    headerValues(res, 'WWW-Authenticate')[0]);
		const url = new URL(m[1]);
		assert.equal(url.pathname,
		    '/.well-known/oauth-protected-resource/mcp');
		assert.equal(mcp.json().resource, url.origin +
		    url.pathname.replace('/.well-known/oauth-protected-resource',
		    ''), 'RFC 9728 §3.3 for the URL the challenge names');
	});
});

// A site may list offline_access (clients that follow OpenID Connect
// ask its authorization server for it); the resource never asks for it
// (MCP 2026-07-28, basic/authorization, refresh tokens).
describe('offline_access in the configured scopes', () => {
	let o;

	before(async () => {
		o = await TestServer.start({ config:
		    'scopes = mcp offline_access notes:read notes:write' });
	});

	after(async () => {
		await o?.stop();
	});

	it('stays out of the protected resource metadata and the ' +
	    'challenge', async () => {
		for (const p of ['/.well-known/oauth-protected-resource/mcp',
		    '/.well-known/oauth-protected-resource']) {
			const res = await o.request('GET', p);
			assert.deepEqual(res.json().scopes_supported,
			    ['mcp', 'notes:read', 'notes:write'], p);
		}
		const res = await o.request('POST', '/mcp', { json: {
		    jsonrpc: '2.0', id: 1, method: 'tools/list' } });
		assert.equal(res.status, 401);
		const h = headerValues(res, 'WWW-Authenticate')[0];
		assert.match(h, / scope="mcp notes:read notes:write"$/);
		assert.deepEqual((await o.request('GET',
		    '/.well-known/oauth-authorization-server')).json()
		    .scopes_supported, ['mcp', 'offline_access', 'notes:read',
		    'notes:write'], 'the authorization server may list it');
	});
});

describe('other well-known paths', () => {
	for (const p of ['/.well-known/openid-configuration',
	    '/.well-known/oauth-authorization-server/mcp',
	    '/.well-known/oauth-protected-resource/other',
	    '/.well-known/', '/.well-known/x?y=1']) {
		it(`answers 404 JSON for ${p}`, async () => {
			const res = await s.request('GET', p);
			assert.equal(res.status, 404);
			assertJsonHeaders(res);
			assert.deepEqual(res.json(), {
				error: 'not_found',
				error_description: 'no such metadata document',
			});
		});
	}
});

describe('static files', () => {
	it('serves the stylesheet', async () => {
		const res = await s.request('GET', '/static/style.css');
		assert.equal(res.status, 200);
		assert.match(res.headers['content-type'], /^text\/css/);
	});

	it('does not serve templates or other files', async () => {
		for (const p of ['/templates/login.html', '/www/static/style.css',
		    '/static/../templates/login.html', '/static/',
		    '/mcp-oauth.conf', '/db/data.mdb', '/']) {
			const res = await s.request('GET', p);
			assert.ok([403, 404].includes(res.status),
			    `${p}: ${res.status}`);
		}
	});
});

describe('configuration changes', () => {
	it('follows the configuration file without a restart', async () => {
		s.writeConfig('resource_name = Renamed');
		// A new mtime even within the same second: the size changed.
		const res = await s.request('GET',
		    '/.well-known/oauth-protected-resource/mcp');
		assert.equal(res.json().resource_name, 'Renamed');
		s.writeConfig();
	});

	it('answers 500 JSON on a bad file, logs it, and recovers when fixed',
	    async () => {
		fs.writeFileSync(s.configFile,
		    `issuer = https://localhost:${s.port}/\ndb_path = /x\n`);
		for (let i = 0; i < 4; i++) {
			const res = await s.request('GET',
			    '/.well-known/oauth-authorization-server');
			assert.equal(res.status, 500);
			assert.deepEqual(headerValues(res, 'Content-Type'),
			    ['application/json']);
			assert.equal(res.json().error, 'server_error');
			assert.doesNotMatch(res.body, /mcp-oauth\.conf/,
			    'the body does not reveal the file');
		}
		assert.match(s.programLog(), new RegExp(
		    'metadata\\.fcgi\\[\\d+\\]: event=config_error msg="' +
		    `${s.configFile}:1: issuer: must not end with a slash`));
		s.writeConfig();
		const res = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.equal(res.status, 200);
		assert.equal(res.json().issuer, s.issuer);
	});

	it('serves the new documents after a failed, then a good reload '
	    + '(authorization_servers)', async () => {
		// One process, so that it is the one that saw every step.
		const one = await TestServer.start({ procs: 1,
		    config: 'resource_name = First' });
		const prm = '/.well-known/oauth-protected-resource/mcp';
		try {
			assert.equal((await one.request('GET', prm)).json()
			    .resource_name, 'First');
			fs.writeFileSync(one.configFile, 'no_such_key = 1\n');
			assert.equal((await one.request('GET', prm)).status, 500);
			// The new configuration may be allocated where the
			// old one was: the documents must follow all the same.
			one.writeConfig('resource_name = Second');
			const res = await one.request('GET', prm);
			assert.equal(res.status, 200);
			assert.equal(res.json().resource_name, 'Second');
		} finally {
			await one.stop();
		}
	});

	it('answers 500 JSON when the file is missing', async () => {
		fs.renameSync(s.configFile, `${s.configFile}.away`);
		try {
			const res = await s.request('GET',
			    '/.well-known/oauth-protected-resource');
			assert.equal(res.status, 500);
			assert.equal(res.json().error, 'server_error');
		} finally {
			fs.renameSync(`${s.configFile}.away`, s.configFile);
		}
		const res = await s.request('GET',
		    '/.well-known/oauth-protected-resource');
		assert.equal(res.status, 200);
	});
});
