// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Assertions shared by the authorization server's HTTP tests: the
// headers of HTML pages, OAuth JSON errors, token responses, cookies,
// CORS; and a few flow helpers on top of oauth.mjs.

import assert from 'node:assert/strict';

import { headerValues } from './harness.mjs';
import { CookieJar, Person, authorizeQuery, exchange, formField, pkce,
    redirectParams } from './oauth.mjs';

// The exact security headers of every HTML page (RFC 9700 sections 4.2
// and 4.16); no CSP form-action, which Chrome and Safari apply to the
// redirect after the consent form too.
export function assertHtmlPage(res, status) {
	assert.equal(res.status, status, res.body.slice(0, 600));
	assert.deepEqual(headerValues(res, 'Content-Type'),
	    ['text/html; charset=utf-8']);
	assert.deepEqual(headerValues(res, 'Cache-Control'), ['no-store']);
	assert.deepEqual(headerValues(res, 'X-Frame-Options'), ['DENY']);
	assert.deepEqual(headerValues(res, 'Referrer-Policy'), ['no-referrer']);
	assert.deepEqual(headerValues(res, 'X-Content-Type-Options'),
	    ['nosniff']);
	const csp = headerValues(res, 'Content-Security-Policy');
	assert.equal(csp.length, 1);
	const directives = csp[0].split(';').map((d) => d.trim());
	assert.ok(directives.includes("default-src 'none'"), csp[0]);
	assert.ok(directives.includes("frame-ancestors 'none'"), csp[0]);
	assert.ok(!/form-action/.test(csp[0]), `form-action in ${csp[0]}`);
	assert.ok(!/script-src/.test(csp[0]), 'no scripts needed');
	assertNoCors(res);
	assert.match(res.body, /^<!DOCTYPE html>/);
}

// The headers of a redirect from /authorize to the client.
export function assertClientRedirect(res) {
	assert.equal(res.status, 302, res.body.slice(0, 300));
	assert.deepEqual(headerValues(res, 'Cache-Control'), ['no-store']);
	assert.deepEqual(headerValues(res, 'Referrer-Policy'), ['no-referrer']);
	assertNoCors(res);
}

export function assertNoCors(res) {
	for (const h of ['Access-Control-Allow-Origin',
	    'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers'])
		assert.deepEqual(headerValues(res, h), [], `${h} present`);
}

// CORS as the OAuth endpoints send it: any origin, no credentials.
export function assertCors(res) {
	assert.deepEqual(headerValues(res, 'Access-Control-Allow-Origin'),
	    ['*']);
	assert.deepEqual(headerValues(res, 'Access-Control-Allow-Credentials'),
	    []);
	const expose = headerValues(res, 'Access-Control-Expose-Headers');
	assert.equal(expose.length, 1);
	assert.match(expose[0], /WWW-Authenticate/);
}

export function assertNoStore(res) {
	assert.deepEqual(headerValues(res, 'Cache-Control'), ['no-store']);
	assert.deepEqual(headerValues(res, 'Pragma'), ['no-cache']);
}

// An RFC 6749 §5.2 error: JSON, the code, a description.
export function assertOAuthError(res, status, error, description) {
	assert.equal(res.status, status, res.body);
	assert.deepEqual(headerValues(res, 'Content-Type'),
	    ['application/json']);
	const body = res.json();
	assert.equal(body.error, error, res.body);
	assert.equal(typeof body.error_description, 'string');
	// RFC 6749 §5.2: no double quote, no backslash, only ASCII.
	assert.match(body.error_description,
	    /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
	if (description !== undefined)
		assert.match(body.error_description, description);
	assert.deepEqual(Object.keys(body).sort(),
	    ['error', 'error_description']);
	return body;
}

// A successful token response (RFC 6749 §5.1).
export function assertTokenResponse(res, { refresh = true, scope } = {}) {
	assert.equal(res.status, 200, res.body);
	assert.deepEqual(headerValues(res, 'Content-Type'),
	    ['application/json']);
	assertNoStore(res);
	assertCors(res);
	const t = res.json();
	assert.match(t.access_token, /^mcpat_[A-Za-z0-9_-]{43}$/);
	assert.equal(t.token_type, 'Bearer');
	assert.equal(typeof t.expires_in, 'number');
	assert.ok(t.expires_in > 0);
	assert.equal(typeof t.scope, 'string', 'scope always present');
	if (scope !== undefined)
		assert.equal(t.scope, scope);
	if (refresh)
		assert.match(t.refresh_token, /^mcprt_[A-Za-z0-9_-]{43}$/);
	else
		assert.equal(t.refresh_token, undefined);
	assertNoNull(t);
	return t;
}

// No JSON null anywhere in a parsed value: absent members are left out,
// never sent as null.  Looked for in the values, not the text, where a
// random token may spell "null" by chance.
export function assertNoNull(value, where = '$') {
	assert.notEqual(value, null, `${where} is null`);
	if (typeof value === 'object')
		for (const [k, v] of Object.entries(value))
			assertNoNull(v, `${where}.${k}`);
}

// One Set-Cookie header's attributes (a __Host- cookie, RFC 6265bis).
export function assertHostCookie(header, base) {
	const [pair, ...attrs] = header.split(';').map((a) => a.trim());
	assert.ok(pair.startsWith(`__Host-${base}=`), header);
	const lower = attrs.map((a) => a.toLowerCase());
	assert.ok(lower.includes('secure'), header);
	assert.ok(lower.includes('httponly'), header);
	assert.ok(lower.includes('samesite=lax'), header);
	assert.ok(lower.includes('path=/'), header);
	assert.ok(!lower.some((a) => a.startsWith('domain')), header);
	return pair.slice(pair.indexOf('=') + 1);
}

export function setCookies(res, base) {
	return headerValues(res, 'Set-Cookie')
	    .filter((h) => h.startsWith(`__Host-${base}=`));
}

// Starts an authorization with PKCE; returns the verifier too.
export function startAuthorization(client, params = {}) {
	const { verifier, challenge } = pkce();
	const path = authorizeQuery(client, {
		code_challenge: challenge,
		code_challenge_method: 'S256',
		...params,
	});
	return { path, verifier, challenge };
}

// A person signs in and approves; returns { code, state, verifier }.
export async function approvedCode(person, client, params = {}) {
	const a = startAuthorization(client, params);
	const res = await person.authorize(a.path);
	const { params: p } = redirectParams(res);
	assert.ok(p.code, JSON.stringify(p));
	return { ...p, verifier: a.verifier, path: a.path };
}

// The whole flow for any client; extra goes to the token request.
export async function tokensFor(s, person, client, extra = {}, params = {}) {
	const c = await approvedCode(person, client, params);
	const res = await exchange(s, client, c.code, c.verifier, extra);
	return { res, ...c };
}

// Gets the page for path, signs in if it is the login page, and
// returns the consent page.
export async function signInTo(person, path) {
	const page = await person.get(path);
	assertHtmlPage(page, 200);
	if (/<h1>Allow access\?<\/h1>/.test(page.body))
		return page;
	const res = await person.login(page);
	assert.equal(res.status, 303, res.body.slice(0, 400));
	const consent = await person.get(res.headers.location);
	assertHtmlPage(consent, 200);
	assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
	return consent;
}

export { CookieJar, Person, formField };

// Whether an access token still works at /mcp.  A GET carries no body,
// so that the answer is the same under every server kind: the bearer
// check comes first, and a token that passes it gets exactly 405 with
// "Allow: POST" (no SSE stream here); a refused one exactly 401 with
// an invalid_token challenge.  Any other answer (a 400, a 404, a 503)
// fails the calling test: it proves neither.
export async function accessWorks(s, token) {
	const res = await s.request('GET', '/mcp', {
		headers: {
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
			Authorization: `Bearer ${token}`,
		},
	});
	if (res.status === 401) {
		assert.match(headerValues(res, 'WWW-Authenticate')[0] ?? '',
		    /^Bearer error="invalid_token"/);
		return false;
	}
	assert.equal(res.status, 405, `neither accepted nor refused: ` +
	    `${res.status} ${res.body}`);
	assert.deepEqual(headerValues(res, 'Allow'), ['POST']);
	return true;
}

// The status of a ping to /mcp with token as the bearer: 200 while the
// token works; a refusal must be 401 invalid_token.
export async function mcpPingStatus(s, token) {
	const res = await s.request('POST', '/mcp', {
		json: { jsonrpc: '2.0', id: 1, method: 'ping' },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
	});
	if (res.status === 401)
		assert.match(headerValues(res, 'WWW-Authenticate')[0],
		    /^Bearer error="invalid_token"/);
	return res.status;
}
