// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// OAuth flows for the fault, concurrency and soak runs: the same steps
// as oauth.mjs, but a server failure (a 5xx, a reset or refused
// connection) is reported as an Unavailable error instead of failing an
// assertion, so that the caller decides what a failure means: a web
// server whose programs are being killed answers 502 now and then, and
// the test is about what happens afterwards.  Any other unexpected
// answer still throws an ordinary Error.

import crypto from 'node:crypto';

import { CookieJar, authorizeQuery, formField, pkce } from './oauth.mjs';

export class Unavailable extends Error {
	constructor(message, res) {
		super(message);
		this.name = 'Unavailable';
		this.res = res;
	}
}

const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE',
    'ETIMEDOUT', 'ECONNABORTED']);

// One request; a 5xx or a connection failure throws Unavailable.
export async function call(s, method, urlPath, options = {}) {
	let res;
	try {
		res = await s.request(method, urlPath, options);
	} catch (e) {
		if (networkCodes.has(e.code) || /timed out|socket hang up/
		    .test(e.message))
			throw new Unavailable(`${method} ${urlPath}: ${e.message}`);
		throw e;
	}
	if (res.status >= 500)
		throw new Unavailable(`${method} ${urlPath}: ${res.status}`, res);
	return res;
}

function unexpected(what, res) {
	return new Error(`${what}: unexpected ${res.status}: ` +
	    res.body.slice(0, 300));
}

// A person at a browser who signs in (when asked) and approves.
export class Browser {
	constructor(s, username, password) {
		this.s = s;
		this.username = username;
		this.password = password;
		this.jar = new CookieJar();
	}

	async #get(urlPath) {
		const res = await call(this.s, 'GET', urlPath,
		    { headers: { Cookie: this.jar.header() } });
		this.jar.take(res);
		return res;
	}

	async #post(form) {
		const res = await call(this.s, 'POST', '/authorize', {
			form,
			headers: { Cookie: this.jar.header() },
		});
		this.jar.take(res);
		return res;
	}

	// The authorization code for client: { code, verifier, state }.
	async authorize(client, params = {}) {
		const { verifier, challenge } = pkce();
		const state = crypto.randomBytes(8).toString('hex');
		let page = await this.#get(authorizeQuery(client, {
			code_challenge: challenge,
			code_challenge_method: 'S256',
			state,
			...params,
		}));
		if (page.status === 200 && page.body.includes('<h1>Sign in</h1>')) {
			const res = await this.#post({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'login',
				username: this.username,
				password: this.password,
			});
			if (res.status !== 303)
				throw unexpected('sign in', res);
			page = await this.#get(res.headers.location);
		}
		if (page.status === 200 &&
		    page.body.includes('<h1>Allow access?</h1>')) {
			page = await this.#post({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'approve',
			});
		}
		if (page.status !== 302)
			throw unexpected('authorize', page);
		const loc = new URL(page.headers.location);
		const code = loc.searchParams.get('code');
		if (code === null || loc.searchParams.get('state') !== state)
			throw unexpected('authorize redirect', page);
		return { code, verifier, state };
	}
}

export function exchange(s, client, code, verifier) {
	return call(s, 'POST', '/token', {
		form: {
			grant_type: 'authorization_code',
			code,
			code_verifier: verifier,
			redirect_uri: client.redirect_uris[0],
			client_id: client.client_id,
		},
	});
}

export function refresh(s, client, refreshToken) {
	return call(s, 'POST', '/token', {
		form: {
			grant_type: 'refresh_token',
			refresh_token: refreshToken,
			client_id: client.client_id,
		},
	});
}

export function revoke(s, client, token) {
	return call(s, 'POST', '/revoke', {
		form: { token, client_id: client.client_id },
	});
}

// Whether an access token passes /mcp's bearer check: 401 means no,
// anything else (405 for a GET: no SSE stream) means yes.
export async function tokenWorks(s, token) {
	const res = await call(s, 'GET', '/mcp', {
		headers: {
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
			Authorization: `Bearer ${token}`,
		},
	});
	if (res.status === 401)
		return false;
	if (res.status !== 405)
		throw unexpected('GET /mcp', res);
	return true;
}

// A tools/call at /mcp; returns the response.
export function callTool(s, token, name, args = {}) {
	return call(s, 'POST', '/mcp', {
		json: { jsonrpc: '2.0', id: 1, method: 'tools/call',
		    params: { name, arguments: args } },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
	});
}

// Registers a public client (201 expected).
export async function registerClient(s, name = 'Fault client') {
	const res = await call(s, 'POST', '/register', {
		json: {
			redirect_uris: ['http://127.0.0.1:9999/callback'],
			token_endpoint_auth_method: 'none',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			client_name: name,
		},
	});
	if (res.status !== 201)
		throw unexpected('register', res);
	return res.json();
}
