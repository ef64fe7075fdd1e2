// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// OAuth helpers for the black-box tests: PKCE, a cookie jar, and a
// "person" who signs in and approves on the real HTML pages.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { TestServer, headerValues } from './harness.mjs';

export function pkce() {
	const verifier = crypto.randomBytes(32).toString('base64url');
	const challenge = crypto.createHash('sha256').update(verifier)
	    .digest('base64url');
	return { verifier, challenge };
}

// A minimal cookie jar: name=value pairs from Set-Cookie headers.
export class CookieJar {
	constructor() {
		this.cookies = new Map();
	}

	take(res) {
		for (const h of headerValues(res, 'Set-Cookie')) {
			const [pair, ...attrs] = h.split(';');
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const maxAge = attrs.map((a) => a.trim().toLowerCase())
			    .find((a) => a.startsWith('max-age='));
			if (maxAge === 'max-age=0')
				this.cookies.delete(name);
			else
				this.cookies.set(name, value);
		}
	}

	header() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}
}

// The value of a hidden form field in an HTML page.
export function formField(html, name) {
	const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
	return m ? m[1] : undefined;
}

export async function register(s, metadata = {}) {
	// s.base: a subdirectory install's path (harness.mjs), else ''.
	const res = await s.request('POST', `${s.base ?? ''}/register`, {
		json: {
			redirect_uris: ['http://127.0.0.1:9999/callback'],
			token_endpoint_auth_method: 'none',
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			client_name: 'Test client',
			...metadata,
		},
	});
	assert.equal(res.status, 201, res.body);
	return res.json();
}

export function authorizeQuery(client, params = {}) {
	const p = {
		response_type: 'code',
		client_id: client.client_id,
		redirect_uri: client.redirect_uris[0],
		state: 'st-' + crypto.randomBytes(6).toString('hex'),
		...params,
	};
	for (const [k, v] of Object.entries(p))
		if (v === undefined)
			delete p[k];
	return '/authorize?' + new URLSearchParams(p).toString();
}

// Parses the Location of a redirect to the client.
export function redirectParams(res) {
	assert.equal(res.status, 302, `expected a redirect: ${res.status} ` +
	    res.body.slice(0, 300));
	const loc = new URL(res.headers.location);
	return { url: loc, params: Object.fromEntries(loc.searchParams) };
}

// A person at a browser: signs in on the login page and approves (or
// denies) on the consent page.  Returns the final response.
export class Person {
	constructor(s, username, password) {
		this.s = s;
		this.username = username;
		this.password = password;
		this.jar = new CookieJar();
		// The loopback address to send from (harness request()).
		this.from = undefined;
	}

	async get(path) {
		const res = await this.s.request('GET', path, {
			headers: { Cookie: this.jar.header() },
			from: this.from,
		});
		this.jar.take(res);
		return res;
	}

	async post(form) {
		const res = await this.s.request('POST',
		    `${this.s.base ?? ''}/authorize`, {
			form,
			headers: { Cookie: this.jar.header() },
			from: this.from,
		});
		this.jar.take(res);
		return res;
	}

	async login(page, { password = this.password } = {}) {
		assert.match(page.body, /<h1>Sign in<\/h1>/);
		return this.post({
			request: formField(page.body, 'request'),
			csrf: formField(page.body, 'csrf'),
			action: 'login',
			username: this.username,
			password,
		});
	}

	async decide(page, action) {
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		return this.post({
			request: formField(page.body, 'request'),
			csrf: formField(page.body, 'csrf'),
			action,
		});
	}

	// The whole browser part: authorize URL → redirect to the client.
	async authorize(path, action = 'approve') {
		let page = await this.get(path);
		if (page.status === 302)
			return page;
		if (page.body.includes('<h1>Sign in</h1>')) {
			const res = await this.login(page);
			assert.equal(res.status, 303, res.body.slice(0, 500));
			page = await this.get(res.headers.location);
			if (page.status === 302)
				return page;
		}
		assert.equal(page.status, 200, page.body.slice(0, 500));
		return this.decide(page, action);
	}
}

// Form fields without the undefined ones, so that a test can leave a
// parameter out by setting it to undefined.
function defined(form) {
	return Object.fromEntries(Object.entries(form)
	    .filter(([, v]) => v !== undefined));
}

export async function exchange(s, client, code, verifier, extra = {}) {
	return s.request('POST', `${s.base ?? ''}/token`, {
		form: defined({
			grant_type: 'authorization_code',
			code,
			code_verifier: verifier,
			redirect_uri: client.redirect_uris[0],
			client_id: client.client_id,
			...extra,
		}),
	});
}

export async function refresh(s, client, refreshToken, extra = {}) {
	return s.request('POST', `${s.base ?? ''}/token`, {
		form: defined({
			grant_type: 'refresh_token',
			refresh_token: refreshToken,
			client_id: client.client_id,
			...extra,
		}),
	});
}

// Runs a whole flow for a public client and returns the token response.
export async function obtainTokens(s, person, client, params = {}) {
	const { verifier, challenge } = pkce();
	const res = await person.authorize((s.base ?? '') +
	    authorizeQuery(client, {
		code_challenge: challenge,
		code_challenge_method: 'S256',
		...params,
	}));
	const { params: p } = redirectParams(res);
	assert.ok(p.code, `no code: ${JSON.stringify(p)}`);
	const tok = await exchange(s, client, p.code, verifier);
	assert.equal(tok.status, 200, tok.body);
	return { ...tok.json(), code: p.code, verifier };
}

// A server with the users alice and bob, one registered public client
// and a token response for each of them: what the /mcp tests start
// from.  config is added to the server's configuration.
export async function aliceAndBob(config) {
	const s = await TestServer.start({
		users: [
			{ name: 'alice', password: 'alice-password' },
			{ name: 'bob', password: 'bob-password' },
		],
		...(config === undefined ? {} : { config }),
	});
	const client = await register(s);
	const alice = await obtainTokens(s,
	    new Person(s, 'alice', 'alice-password'), client);
	const bob = await obtainTokens(s,
	    new Person(s, 'bob', 'bob-password'), client);
	return { s, client, alice, bob };
}
