// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// register.fcgi: RFC 7591 dynamic client registration: the 201 echo,
// secrets, every refusal with its OAuth error, closed registration and
// the rate limit.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { assertCors, assertNoNull, assertNoStore, assertOAuthError } from
    '../lib/checks.mjs';

let s;

before(async () => {
	// The rate limit is per IP; raise it so these tests never hit it.
	s = await TestServer.start({ config: 'registration_rate_limit = 1000' });
});

after(async () => {
	await s?.stop();
});

function register(json, headers = {}) {
	return s.request('POST', '/register', { json, headers });
}

describe('successful registration (RFC 7591 §3.2.1)', () => {
	it('echoes every registered field, with no null', async () => {
		const res = await register({
			redirect_uris: [
				'cursor://anysphere.cursor-mcp/oauth/callback',
				'https://www.cursor.com/agents/mcp/oauth/callback',
				'http://localhost:8787/callback',
			],
			token_endpoint_auth_method: 'none',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			client_name: 'Cursor',
			client_uri: 'https://cursor.com',
			scope: 'mcp notes:read offline_access',
			software_id: 'cursor-ide',
			software_version: '1.7.0',
			application_type: 'native',
			logo_uri: 'https://cursor.com/logo.png',
			contacts: ['x@example.com'],
			unknown_member: { nested: [1, 2] },
		});
		assert.equal(res.status, 201, res.body);
		assert.deepEqual(headerValues(res, 'Content-Type'),
		    ['application/json']);
		assertNoStore(res);
		assertCors(res);
		const c = res.json();
		assert.match(c.client_id, /^mcpc_[A-Za-z0-9_-]{22}$/);
		assert.ok(Math.abs(c.client_id_issued_at - Date.now() / 1000) <
		    60);
		assert.deepEqual(c, {
			client_id: c.client_id,
			client_id_issued_at: c.client_id_issued_at,
			redirect_uris: [
				'cursor://anysphere.cursor-mcp/oauth/callback',
				'https://www.cursor.com/agents/mcp/oauth/callback',
				'http://localhost:8787/callback',
			],
			token_endpoint_auth_method: 'none',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			client_name: 'Cursor',
			client_uri: 'https://cursor.com',
			scope: 'mcp notes:read',
			software_id: 'cursor-ide',
			software_version: '1.7.0',
			application_type: 'native',
		});
		assertNoNull(res.json());
	});

	it('defaults to client_secret_basic and issues a secret', async () => {
		const res = await register({
			redirect_uris: ['https://claude.ai/api/mcp/auth_callback'],
		});
		assert.equal(res.status, 201, res.body);
		const c = res.json();
		assert.equal(c.token_endpoint_auth_method,
		    'client_secret_basic', 'RFC 7591 §2 default');
		assert.match(c.client_secret, /^mcpcs_[A-Za-z0-9_-]{43}$/);
		assert.equal(c.client_secret_expires_at, 0);
		assert.deepEqual(c.grant_types, ['authorization_code']);
		assert.deepEqual(c.response_types, ['code']);
		assert.equal(c.client_name, undefined);
	});

	it('issues a secret for client_secret_post, none for none',
	    async () => {
		let res = await register({
			redirect_uris: ['https://a.example/cb'],
			token_endpoint_auth_method: 'client_secret_post',
		});
		assert.equal(res.status, 201);
		assert.match(res.json().client_secret, /^mcpcs_/);
		res = await register({
			redirect_uris: ['https://a.example/cb'],
			token_endpoint_auth_method: 'none',
		});
		assert.equal(res.status, 201);
		assert.equal(res.json().client_secret, undefined);
		assert.equal(res.json().client_secret_expires_at, undefined);
	});

	it('ignores a client_id and secret chosen by the client (RFC 9700 ' +
	    '§4.15)', async () => {
		const res = await register({
			redirect_uris: ['https://a.example/cb'],
			client_id: 'alice',
			client_secret: 'mine',
		});
		assert.equal(res.status, 201);
		assert.notEqual(res.json().client_id, 'alice');
		assert.notEqual(res.json().client_secret, 'mine');
	});

	it('accepts null members as absent', async () => {
		const res = await register({
			redirect_uris: ['https://a.example/cb'],
			client_name: null,
			scope: null,
			grant_types: null,
		});
		assert.equal(res.status, 201, res.body);
		assert.equal(res.json().client_name, undefined);
	});

	it('accepts application/json with a charset', async () => {
		const res = await s.request('POST', '/register', {
			body: JSON.stringify({
				redirect_uris: ['https://a.example/cb'],
			}),
			headers: {
				'Content-Type': 'application/json; charset=utf-8',
			},
		});
		assert.equal(res.status, 201, res.body);
	});

	// MCP 2026-07-28 (basic/authorization/client-registration) asks
	// clients to send application_type; OpenID Connect registration
	// then constrains redirect URIs by it, which this server, not an
	// OpenID provider, does not: VS Code registers a loopback and an
	// https redirect in one client, and must not be refused whichever
	// type it sends.
	it('stores application_type and keeps every redirect URI with it',
	    async () => {
		const uris = ['http://127.0.0.1:33418/',
		    'https://vscode.dev/redirect'];
		for (const type of ['native', 'web', undefined]) {
			const res = await register({ redirect_uris: uris,
			    token_endpoint_auth_method: 'none',
			    application_type: type });
			assert.equal(res.status, 201, res.body);
			assert.deepEqual(res.json().redirect_uris, uris);
			assert.equal(res.json().application_type, type);
		}
		const c = JSON.parse(s.admin(['--json', 'client', 'list'])
		    .stdout).filter((x) => x.redirect_uris?.[1] ===
		    'https://vscode.dev/redirect');
		assert.equal(c.length, 3);
	});

	it('gives every client a different id', async () => {
		const ids = new Set();
		for (let i = 0; i < 5; i++) {
			const res = await register({
				redirect_uris: ['https://a.example/cb'],
				token_endpoint_auth_method: 'none',
			});
			ids.add(res.json().client_id);
		}
		assert.equal(ids.size, 5);
	});
});

describe('refused redirect URIs: 400 invalid_redirect_uri (MCP ' +
    'authorization: https or loopback only)', () => {
	const cases = {
		'javascript:alert(1)': /scheme/,
		'data:text/html,x': /scheme/,
		'file:///etc/passwd': /scheme/,
		'vbscript:msgbox(1)': /scheme/,
		'https://a.example/cb#fragment': /fragment/,
		'https://user:pw@a.example/cb': /userinfo/,
		'/relative/callback': /absolute/,
		'//a.example/cb': /absolute/,
		'http://evil.example/cb': /https/,
		'http://localhost.evil.example/cb': /https/,
		'https://a.example/<script>': /character/,
		['https://a.example/' + 'a'.repeat(2000)]: /2000/,
		// Browser and operating-system handlers, in any case.
		'JavaScript:alert(1)': /scheme/,
		'about:blank': /scheme/,
		'ABOUT:blank': /scheme/,
		'blob:https://a.example/1': /scheme/,
		'filesystem:https://a.example/temporary/x': /scheme/,
		'search-ms:query=x': /scheme/,
		'SEARCH-MS:query=x': /scheme/,
		'ms-msdt:/id%20PCWDiagnostic': /scheme/,
		'MS-MSDT:/id': /scheme/,
		'chrome://settings': /scheme/,
		'Chrome://settings': /scheme/,
		'jar:https://evil.example/x.jar!/': /scheme/,
		'JaR:https://evil.example/x.jar!/': /scheme/,
		'intent://scan/?x': /scheme/,
		'x-apple.systempreferences:x': /scheme/,
		// RFC 8252 §7.1: private-use schemes in reverse-domain form.
		'myapp://callback': /reverse-domain/,
		'vscode://vscode.github-authentication/did-authenticate':
		    /reverse-domain/,
		'cursor://anysphere.cursor-deeplink/mcp/install?name=x':
		    /reverse-domain/,
		// Echoed, but never with a quote or a backslash.
		'https://a.example/"\\\u00e9': /character/,
	};
	for (const [uri, why] of Object.entries(cases)) {
		it(`refuses ${uri.slice(0, 60)}`, async () => {
			const res = await register({
				redirect_uris: ['https://ok.example/cb', uri],
			});
			const e = assertOAuthError(res, 400,
			    'invalid_redirect_uri', why);
			assert.match(e.error_description, /^redirect_uris: /);
			// RFC 6749 §5.2, RFC 7591 §3.2.2.
			assert.match(e.error_description,
			    /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
			assertNoStore(res);
			assertCors(res);
		});
	}

	for (const [name, value] of [['missing', undefined], ['empty', []],
	    ['a string', 'https://a.example/cb'], ['numbers', [1]],
	    ['eleven', Array.from({ length: 11 },
	    (_, i) => `https://a.example/${i}`)]]) {
		it(`refuses redirect_uris ${name}`, async () => {
			const res = await register(value === undefined ? {} :
			    { redirect_uris: value });
			assertOAuthError(res, 400, 'invalid_redirect_uri',
			    /^redirect_uris: /);
		});
	}
});

describe('private-use redirect URIs (RFC 8252 §7.1)', () => {
	for (const uri of ['com.example.app:/cb', 'COM.Example.App:/cb',
	    'io.github.some-user.tool://callback/path',
	    'cursor://anysphere.cursor-mcp/oauth/callback']) {
		it(`accepts ${uri}`, async () => {
			const res = await register({ redirect_uris: [uri] });
			assert.equal(res.status, 201, res.body);
			assert.deepEqual(res.json().redirect_uris, [uri]);
		});
	}
});

describe('refused metadata: 400 invalid_client_metadata naming the field',
    () => {
	const R = { redirect_uris: ['https://a.example/cb'] };
	const cases = [
		['token_endpoint_auth_method', 'private_key_jwt'],
		['token_endpoint_auth_method', 7],
		['grant_types', ['implicit']],
		['grant_types', ['refresh_token']],
		['grant_types', 'authorization_code'],
		['grant_types', []],
		['response_types', ['token']],
		['client_name', ''],
		['client_name', 'x'.repeat(201)],
		['client_name', 'line\nbreak'],
		['client_name', 42],
		['client_uri', 'javascript:alert(1)'],
		['scope', ['mcp']],
		['software_id', {}],
		['software_version', 1],
		['application_type', 'desktop'],
		['grant_types', ['a"b\\c\u00e9\n']],
		['token_endpoint_auth_method', '"\\'],
	];
	for (const [field, value] of cases) {
		it(`refuses ${field} = ${JSON.stringify(value).slice(0, 40)}`,
		    async () => {
			const res = await register({ ...R, [field]: value });
			const e = assertOAuthError(res, 400,
			    'invalid_client_metadata', new RegExp(`^${field}: `));
			assert.match(e.error_description,
			    /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
			assertNoStore(res);
		});
	}

	it('refuses a body that is not JSON, or not an object', async () => {
		for (const body of ['', '{', '{"redirect_uris":[]', '[]', 'null',
		    '{"a":1} {"b":2}', '{"redirect_uris":["https://a/cb"],}']) {
			const res = await s.request('POST', '/register', {
				body,
				headers: { 'Content-Type': 'application/json' },
			});
			assertOAuthError(res, 400, 'invalid_client_metadata',
			    /the body/);
		}
	});

	it('refuses another content type', async () => {
		const res = await s.request('POST', '/register', {
			form: { redirect_uris: 'https://a.example/cb' },
		});
		assertOAuthError(res, 400, 'invalid_client_metadata',
		    /application\/json/);
	});

	it('refuses a body over 16 KiB with 413', async () => {
		const res = await register({ ...R, pad: 'x'.repeat(17000) });
		assertOAuthError(res, 413, 'invalid_request');
		assertNoStore(res);
	});
});

describe('methods and CORS', () => {
	it('answers the preflight', async () => {
		const res = await s.request('OPTIONS', '/register', {
			headers: {
				Origin: 'http://localhost:6274',
				'Access-Control-Request-Method': 'POST',
				'Access-Control-Request-Headers': 'content-type',
			},
		});
		assert.equal(res.status, 204);
		assert.deepEqual(headerValues(res, 'Access-Control-Allow-Origin'),
		    ['*']);
		assert.match(headerValues(res, 'Access-Control-Allow-Methods')[0],
		    /POST/);
		assert.match(headerValues(res, 'Access-Control-Allow-Headers')[0],
		    /Content-Type/);
		assert.equal(res.body, '');
	});

	for (const method of ['GET', 'PUT', 'DELETE']) {
		it(`answers ${method} with 405`, async () => {
			const res = await s.request(method, '/register');
			assertOAuthError(res, 405, 'invalid_request');
			assert.deepEqual(headerValues(res, 'Allow'),
			    ['POST, OPTIONS']);
			assertCors(res);
		});
	}

	it('answers 404 below /register', async () => {
		const res = await s.request('POST', '/registerx', {
			json: { redirect_uris: ['https://a.example/cb'] },
		});
		assert.equal(res.status, 404);
		assert.equal(res.json().error, 'not_found');
	});
});

describe('registration = closed', () => {
	let closed;

	before(async () => {
		closed = await TestServer.start({ config: 'registration = closed' });
	});

	after(async () => {
		await closed?.stop();
	});

	it('refuses every registration and says why', async () => {
		const res = await closed.request('POST', '/register', {
			json: { redirect_uris: ['https://a.example/cb'] },
		});
		assertOAuthError(res, 403, 'access_denied', /closed/);
		assertCors(res);
		assertNoStore(res);
	});

	it('hides the registration endpoint from the metadata',
	    async () => {
		const res = await closed.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.equal(res.json().registration_endpoint, undefined);
	});

	it('still takes clients added by the administrator', async () => {
		const r = closed.admin(['--json', 'client', 'add', '--name', 'Pre',
		    '--redirect-uri', 'https://a.example/cb']);
		const c = JSON.parse(r.stdout);
		const res = await closed.request('GET', '/authorize?' +
		    new URLSearchParams({ client_id: c.client_id,
		    response_type: 'code' }));
		assert.equal(res.status, 302, 'a redirect error: client known');
	});
});

describe('registration_rate_limit', () => {
	let limited;

	before(async () => {
		limited = await TestServer.start({
			config: 'registration_rate_limit = 2',
		});
	});

	after(async () => {
		await limited?.stop();
	});

	it('answers the third registration of the hour with 429 and ' +
	    'Retry-After', async () => {
		const body = { json: { redirect_uris: ['https://a.example/cb'] } };
		// A refused registration does not count.
		let res = await limited.request('POST', '/register',
		    { json: { redirect_uris: ['javascript:x'] } });
		assert.equal(res.status, 400);
		for (let i = 0; i < 2; i++) {
			res = await limited.request('POST', '/register', body);
			assert.equal(res.status, 201, res.body);
		}
		res = await limited.request('POST', '/register', body);
		assertOAuthError(res, 429, 'too_many_requests');
		const retry = headerValues(res, 'Retry-After');
		assert.equal(retry.length, 1);
		assert.ok(Number(retry[0]) > 3500 && Number(retry[0]) <= 3600,
		    retry[0]);
		assertCors(res);
		assert.match(headerValues(res,
		    'Access-Control-Expose-Headers')[0], /Retry-After/);
		assert.match(limited.programLog(), /event=register_throttled /);
		// Nothing was stored for it.
		const list = JSON.parse(limited.admin(['--json', 'client',
		    'list']).stdout);
		assert.equal(list.length, 2);
	});
});
