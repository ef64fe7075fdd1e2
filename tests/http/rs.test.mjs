// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Resource-server mode: /mcp accepting tokens it did not
// issue.  A stand-in provider (tests/lib/provider.mjs) serves a JWK Set
// and an introspection endpoint over TLS; every bad token gets its own
// test, as do the provider being down with a warm and a cold cache.
// The built-in authorization server's own JWT access tokens are then
// checked by a second mcp.fcgi with no database.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CgiSite } from '../lib/cgi.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import { TestServer, headerValues, serverKind } from '../lib/harness.mjs';
import { Person, obtainTokens, register } from '../lib/oauth.mjs';
import { Provider, signJwt } from '../lib/provider.mjs';

const ACCEPT = 'application/json, text/event-stream';

function rpc(s, token, method = 'ping', params = undefined, id = 1) {
	const h = { Accept: ACCEPT };
	if (token !== null)
		h.Authorization = `Bearer ${token}`;
	return s.request('POST', '/mcp', {
		json: { jsonrpc: '2.0', id, method, params },
		headers: h,
	});
}

function whoami(s, token) {
	return rpc(s, token, 'tools/call', { name: 'whoami' });
}

function nowSeconds() {
	return Math.floor(Date.now() / 1000);
}

// A valid token of p's, signed with key for aud, exactly length
// characters long: padded with a claim, and with a header member to
// reach the lengths that base64url skips.
function sizedToken(p, key, aud, length) {
	for (let h = 0; h < 3; h++) {
		const header = { x: 'x'.repeat(h) };
		const base = p.token(key, { aud, pad: '' }, header).length;
		let n = Math.max(0, Math.floor((length - base) * 3 / 4) - 4);
		for (;; n++) {
			const tok = p.token(key, { aud, pad: 'p'.repeat(n) },
			    header);
			if (tok.length === length)
				return tok;
			if (tok.length > length)
				break;
		}
	}
	throw new Error(`no token of ${length} characters`);
}

function jwtConfig(p, extra = '') {
	return (s) => [
		'token_validation = jwt',
		`authorization_server = ${p.issuer}`,
		`jwks_uri = ${p.jwksUri}`,
		`http_ca_file = ${p.certFile}`,
		`cache_dir = ${s.dir}`,
		'default_scopes = mcp notes:read',
		extra,
	].join('\n');
}

// Moves the shared JWK Set cache file's clock back by seconds, as if
// that much time had passed since the last fetch and attempt.
function ageCache(s, seconds) {
	const file = path.join(s.dir, 'jwks-cache.json');
	const c = JSON.parse(fs.readFileSync(file, 'utf8'));
	c.fetched_at -= seconds;
	c.attempted_at -= seconds;
	fs.writeFileSync(file, JSON.stringify(c));
}

describe('token_validation = jwt (RFC 9068)', () => {
	let p, s, es, rs, ps, ed, clock;

	before(async () => {
		p = await Provider.start();
		es = p.addKey('ES256', 'es-1');
		rs = p.addKey('RS256', 'rs-1');
		ps = p.addKey('PS256', 'ps-1');
		ed = p.addKey('EdDSA', 'ed-1');
		clock = new FakeClock();
		s = await TestServer.start({ database: false,
		    config: jwtConfig(p), env: clock.env() });
		p.audience = `${s.issuer}/mcp`;
	});

	after(async () => {
		await s?.stop();
		await p?.stop();
		p?.cleanup();
		clock?.cleanup();
	});

	it('names the provider in the protected resource metadata',
	    async () => {
		const res = await s.request('GET',
		    '/.well-known/oauth-protected-resource/mcp');
		assert.deepEqual(res.json().authorization_servers, [p.issuer]);
		assert.equal((await s.request('GET',
		    '/.well-known/oauth-authorization-server')).status, 404,
		    'this server is no authorization server now');
	});

	for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA']) {
		it(`accepts a valid ${alg} token`, async () => {
			const key = { ES256: es, RS256: rs, PS256: ps,
			    EdDSA: ed }[alg];
			const res = await whoami(s, p.token(key));
			assert.equal(res.status, 200, res.body);
			const who = res.json().result.structuredContent;
			assert.equal(who.user, 'alice');
			assert.equal(who.client_id, 'client-1');
			assert.deepEqual(who.scopes, ['mcp', 'notes:read']);
		});
	}

	it('keys the subject safely and honours scopes (403)', async () => {
		let res = await whoami(s, p.token(es, { sub: 'auth0|5f1c' }));
		assert.match(res.json().result.structuredContent.user,
		    /^sub-[0-9a-f]{40}$/);
		res = await rpc(s, p.token(es, { scope: 'notes:read' }),
		    'tools/call', { name: 'whoami' });
		assert.equal(res.status, 403);
		assert.match(res.headers['www-authenticate'],
		    /error="insufficient_scope"/);
	});

	const bad = [
		['a wrong signature', () => {
			const other = crypto.generateKeyPairSync('ec',
			    { namedCurve: 'P-256' });
			return p.token({ ...es, privateKey: other.privateKey });
		}],
		['alg none', () => signJwt('none', null,
		    { alg: 'none', typ: 'at+jwt', kid: 'es-1' },
		    { iss: p.issuer, sub: 'alice', aud: p.audience,
		    exp: Math.floor(Date.now() / 1000) + 300 })],
		['HS256 with the public key as the secret', () => signJwt('HS256',
		    es.publicKey.export({ format: 'pem', type: 'spki' }),
		    { alg: 'HS256', typ: 'at+jwt', kid: 'es-1' },
		    { iss: p.issuer, sub: 'alice', aud: p.audience,
		    exp: Math.floor(Date.now() / 1000) + 300 })],
		['an unknown kid', () => p.token({ ...es, kid: 'nobody' })],
		['an algorithm the key does not have', () =>
		    p.token({ ...rs, kid: 'es-1' })],
		['an expired token', () => p.token(es,
		    { exp: Math.floor(Date.now() / 1000) - 120 })],
		['a token not yet valid', () => p.token(es,
		    { nbf: Math.floor(Date.now() / 1000) + 300 })],
		['a wrong iss', () => p.token(es, { iss: `${p.issuer}/` })],
		['a wrong aud', () => p.token(es,
		    { aud: 'https://other.example.com/mcp' })],
		['no aud', () => p.token(es, { aud: undefined })],
		['no sub', () => p.token(es, { sub: undefined })],
		['no exp', () => p.token(es, { exp: undefined })],
		// RFC 9068 §2.2: an access token names its client.
		['no client_id nor azp', () => p.token(es,
		    { client_id: undefined })],
		['typ JWT (an ID token?)', () => p.token(es, {}, { typ: 'JWT' })],
		['garbage', () => 'eyJhbGciOi.x.y'],
	];
	for (const [name, make] of bad) {
		it(`refuses ${name} with 401 invalid_token`, async () => {
			const res = await whoami(s, make());
			assert.equal(res.status, 401, res.body);
			assert.match(headerValues(res, 'WWW-Authenticate')[0],
			    /^Bearer error="invalid_token"/);
		});
	}

	it('refuses a token longer than 8192 characters with 401 ' +
	    'invalid_token, and accepts one of exactly 8192', async () => {
		/*
		 * Run as CGI, where the program sees the whole header: the
		 * web servers in front refuse a header block over 8 KiB
		 * (lighttpd 431, Apache 400) before the program's own limit
		 * could be reached.  runAsync, because the program fetches
		 * the keys from the provider in this process.
		 */
		const site = new CgiSite({ config: [
			'token_validation = jwt',
			`authorization_server = ${p.issuer}`,
			`jwks_uri = ${p.jwksUri}`,
			`http_ca_file = ${p.certFile}`,
		].join('\n') });
		try {
			const aud = `${site.issuer}/mcp`;
			const call = (token) => site.runAsync('mcp.fcgi', {
				method: 'POST',
				target: '/mcp',
				headers: {
					Authorization: `Bearer ${token}`,
					Accept: ACCEPT,
					'MCP-Protocol-Version': '2025-11-25',
				},
				env: { CONTENT_TYPE: 'application/json' },
				body: JSON.stringify({ jsonrpc: '2.0', id: 1,
				    method: 'tools/call',
				    params: { name: 'whoami' } }),
			});
			let res = await call(sizedToken(p, es, aud, 8192));
			assert.equal(res.status, 200, res.body);
			assert.equal(res.json().result.structuredContent.user,
			    'alice');
			res = await call(sizedToken(p, es, aud, 8193));
			assert.equal(res.status, 401, res.body);
			assert.match(res.header('WWW-Authenticate')[0],
			    /^Bearer error="invalid_token"/);
		} finally {
			site.cleanup();
		}
	});

	it('accepts an expired token within the leeway (60 s)', async () => {
		const res = await whoami(s, p.token(es,
		    { exp: Math.floor(Date.now() / 1000) - 10 }));
		assert.equal(res.status, 200);
	});

	it('refetches the keys for an unknown kid at most every 30 s',
	    async () => {
		/*
		 * The programs' clock stands still, 31 s after anything
		 * the earlier tests fetched: the first unknown kid fetches
		 * at t0, and only the clock decides when the next may.
		 */
		const t0 = nowSeconds() + 31;
		const fresh = p.addKey('ES256', 'es-2');
		const kids = p.keys.map((k) => k.kid);
		p.published = kids.filter((k) => k !== 'es-2');
		const status = async (k) =>
		    (await whoami(s, p.token(k))).status;
		clock.freeze(t0);
		try {
			const before = p.hits.jwks;
			assert.equal(await status(fresh), 401);
			assert.equal(p.hits.jwks - before, 1, 'fetched at t0');
			// Published now, but the last attempt was at t0.
			p.published = null;
			assert.equal(await status(fresh), 401);
			clock.freeze(t0 + 29);
			assert.equal(await status(fresh), 401);
			assert.equal(p.hits.jwks - before, 1,
			    'no fetch within 30 s of the last');
			clock.freeze(t0 + 30);
			assert.equal(await status(fresh), 200);
			assert.equal(p.hits.jwks - before, 2);
			assert.equal(await status(es), 200,
			    'the old key still works');
		} finally {
			p.published = null;
			clock.real();
		}
	});

	it('keeps serving cached keys while the provider is down',
	    async () => {
		await p.stop();
		try {
			assert.equal((await whoami(s, p.token(es))).status, 200,
			    'warm cache');
			ageCache(s, 700);
			assert.equal((await whoami(s, p.token(es))).status, 200,
			    'stale cache, provider down');
			assert.match(s.programLog(), /event=jwks_fetch_failed .*serving the cached keys/);
		} finally {
			await p.restart();
		}
	});

	it('answers 503 with a cold cache and the provider down', async () => {
		await p.stop();
		const cold = await TestServer.start({ database: false,
		    config: jwtConfig(p) });
		try {
			const res = await whoami(cold, p.token(es));
			assert.equal(res.status, 503);
			assert.equal(res.headers['retry-after'], '30');
			assert.equal(res.json().error.code, -32603);
			assert.match(cold.programLog(), /event=jwks_fetch_failed .*no keys to serve/);
		} finally {
			await cold.stop();
			await p.restart();
		}
	});

	it('ignores a cache file another user could have written',
	    async () => {
		const cold = await TestServer.start({ database: false,
		    config: jwtConfig(p) });
		try {
			// A key of the attacker's, in a world-writable file
			// that claims to be the provider's fresh JWK Set.
			const evil = crypto.generateKeyPairSync('ec',
			    { namedCurve: 'P-256' });
			const now = Math.floor(Date.now() / 1000);
			const file = path.join(cold.dir, 'jwks-cache.json');
			fs.writeFileSync(file, JSON.stringify({
				url: p.jwksUri, fetched_at: now, attempted_at: now,
				jwks: { keys: [{ ...evil.publicKey.export(
				    { format: 'jwk' }), kid: 'evil', alg: 'ES256',
				    use: 'sig' }] },
			}));
			fs.chmodSync(file, 0o666);
			const aud = `${cold.issuer}/mcp`;
			const forged = p.token({ kid: 'evil', alg: 'ES256',
			    privateKey: evil.privateKey }, { aud });
			const res = await whoami(cold, forged);
			assert.equal(res.status, 401, res.body);
			assert.equal((await whoami(cold, p.token(es, { aud })))
			    .status, 200, 'the provider\'s keys were fetched instead');
			assert.match(cold.programLog(), /event=jwks_cache_ignored /);
		} finally {
			await cold.stop();
		}
	});

	it('serves per-user tools keyed by sub only with a database', async () => {
		const res = await rpc(s, p.token(es), 'tools/call',
		    { name: 'notes_list' });
		assert.equal(res.status, 200);
		assert.equal(res.json().result.isError, true,
		    'no database here: a tool error, not a crash');
	});
});

describe('token_validation = introspection (RFC 7662)', () => {
	let p, s;

	before(async () => {
		p = await Provider.start();
		s = await TestServer.start({ database: false, config: (srv) => [
			'token_validation = introspection',
			`authorization_server = ${p.issuer}`,
			`introspection_endpoint = ${p.introspectionUri}`,
			`introspection_client_id = ${p.clientId}`,
			`introspection_client_secret = ${p.clientSecret}`,
			`http_ca_file = ${p.certFile}`,
			`cache_dir = ${srv.dir}`,
			'jwt_leeway = 0',
		].join('\n') });
		p.audience = `${s.issuer}/mcp`;
	});

	after(async () => {
		await s?.stop();
		await p?.stop();
		p?.cleanup();
	});

	function active(over = {}) {
		const now = Math.floor(Date.now() / 1000);
		return { active: true, iss: p.issuer, sub: 'bob',
		    aud: [p.audience], scope: 'mcp notes:read notes:write',
		    client_id: 'c2', exp: now + 300, ...over };
	}

	it('accepts an active token, authenticating with Basic', async () => {
		p.introspection.set('opaque-1', active());
		const res = await whoami(s, 'opaque-1');
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().result.structuredContent.user, 'bob');
		const [scheme, cred] = p.lastAuthorization.split(' ');
		assert.equal(scheme, 'Basic');
		const [id, secret] = Buffer.from(cred, 'base64').toString()
		    .split(':');
		assert.equal(id, p.clientId);
		assert.equal(decodeURIComponent(secret), p.clientSecret);
	});

	it('caches a positive answer (in each FastCGI process)', async () => {
		p.introspection.set('opaque-2', active());
		const before = p.hits.introspect;
		for (let i = 0; i < 3; i++)
			assert.equal((await whoami(s, 'opaque-2')).status, 200);
		/*
		 * The cache lives in the process: as plain CGI, where every
		 * request is a new process, each one asks the provider.
		 * With two FastCGI processes, at most one asks each.
		 */
		if (serverKind.endsWith('-cgi'))
			assert.equal(p.hits.introspect - before, 3);
		else
			assert.ok(p.hits.introspect - before <= 2,
			    `${p.hits.introspect - before} requests`);
	});

	for (const [name, answer] of [
		['inactive', { active: false }],
		['no active member', { sub: 'x' }],
		['a wrong audience', 'aud'],
		['no audience', 'noaud'],
		['expired', 'exp'],
		['another issuer', 'iss'],
		['no subject', 'nosub'],
	]) {
		it(`refuses ${name} with 401`, async () => {
			let a = answer;
			if (answer === 'aud')
				a = active({ aud: 'https://elsewhere/mcp' });
			else if (answer === 'noaud')
				a = active({ aud: undefined });
			else if (answer === 'exp')
				a = active({ exp: Math.floor(Date.now() / 1000) -
				    5 });
			else if (answer === 'iss')
				a = active({ iss: 'https://evil' });
			else if (answer === 'nosub')
				a = active({ sub: undefined });
			const token = `opaque-${name.replace(/ /g, '-')}`;
			p.introspection.set(token, JSON.parse(JSON.stringify(a)));
			const res = await whoami(s, token);
			assert.equal(res.status, 401);
			assert.match(res.headers['www-authenticate'],
			    /error="invalid_token"/);
		});
	}

	/*
	 * A provider that will not introspect a token (panva's
	 * oidc-provider answers 400 unsupported_token_type to a JWT access
	 * token) has said the token is no good to us: 401 invalid_token
	 * (RFC 7662 section 2.3, RFC 6750 section 3.1), so that the client
	 * signs in again, and no log line that looks like an outage.
	 */
	it('refuses with 401 a token the provider will not introspect ' +
	    '(400 unsupported_token_type)', async () => {
		const key = p.keys[0] ?? p.addKey('RS256', 'k-introspect');
		const token = p.token(key, { aud: p.audience });
		const mark = s.logMark();
		p.misbehave.set('/introspect', 'unsupported_token_type');
		try {
			const res = await whoami(s, token);
			assert.equal(res.status, 401, res.body);
			assert.match(res.headers['www-authenticate'],
			    /error="invalid_token"/);
			const log = s.programLogSince(mark);
			assert.doesNotMatch(log, /event=introspection_failed/);
			assert.ok(!log.includes(token));
		} finally {
			p.misbehave.delete('/introspect');
		}
	});

	/*
	 * 401 or 403 from the introspection endpoint is about us: our
	 * client credentials are refused.  Not the client's fault, so 503
	 * and a log line that says so.
	 */
	it('answers 503 and logs it when the provider refuses our ' +
	    'credentials', async () => {
		const mark = s.logMark();
		p.misbehave.set('/introspect', 'invalid_client');
		try {
			const res = await whoami(s, 'opaque-credentials');
			assert.equal(res.status, 503, res.body);
			assert.match(s.programLogSince(mark),
			    /event=introspection_failed .*credentials/);
		} finally {
			p.misbehave.delete('/introspect');
		}
	});

	it('answers 503 when the provider fails (500)', async () => {
		p.misbehave.set('/introspect', 'server_error');
		try {
			const res = await whoami(s, 'opaque-server-error');
			assert.equal(res.status, 503, res.body);
		} finally {
			p.misbehave.delete('/introspect');
		}
	});

	it('answers 503 when the provider is down', async () => {
		await p.stop();
		try {
			const res = await whoami(s, 'opaque-never-seen');
			assert.equal(res.status, 503);
			assert.match(s.programLog(), /event=introspection_failed/);
		} finally {
			await p.restart();
		}
	});

	it('never logs the token', () => {
		assert.ok(!s.programLog().includes('opaque-1'));
	});
});

describe('introspection caches, one FastCGI process', () => {
	let p, s, clock;
	const cgi = serverKind.endsWith('-cgi');

	before(async () => {
		p = await Provider.start();
		clock = new FakeClock();
		s = await TestServer.start({ database: false, procs: 1,
		    env: clock.env(), config: (srv) => [
			'token_validation = introspection',
			`authorization_server = ${p.issuer}`,
			`introspection_endpoint = ${p.introspectionUri}`,
			`introspection_client_id = ${p.clientId}`,
			`introspection_client_secret = ${p.clientSecret}`,
			`http_ca_file = ${p.certFile}`,
			`cache_dir = ${srv.dir}`,
		].join('\n') });
		p.audience = `${s.issuer}/mcp`;
	});

	after(async () => {
		await s?.stop();
		await p?.stop();
		p?.cleanup();
		clock?.cleanup();
	});

	function active(over = {}) {
		const now = Math.floor(Date.now() / 1000);
		return { active: true, iss: p.issuer, sub: 'carol',
		    aud: p.audience, scope: 'mcp', client_id: 'c3',
		    exp: now + 300, ...over };
	}

	function introspections(since) {
		return p.requests.slice(since).filter((r) =>
		    r.url === '/introspect');
	}

	it('asks the provider once about a token it says is inactive',
	    async () => {
		const since = p.requests.length;
		for (let i = 0; i < 4; i++)
			assert.equal((await whoami(s, 'made-up-token')).status,
			    401);
		/* As plain CGI every request is a process of its own. */
		assert.equal(introspections(since).length, cgi ? 4 : 1);
	});

	it('forgets what it cached when the configuration changes',
	    async () => {
		p.introspection.set('opaque-reload', active());
		assert.equal((await whoami(s, 'opaque-reload')).status, 200);
		p.introspection.set('opaque-reload', { active: false });
		if (!cgi)
			assert.equal((await whoami(s, 'opaque-reload')).status,
			    200, 'cached for up to 60 s');
		// The same settings, another file: a reload all the same.
		fs.appendFileSync(s.configFile, '# reloaded\n');
		assert.equal((await whoami(s, 'opaque-reload')).status, 401);
	});

	it('keeps its connection to the provider open', async () => {
		const since = p.requests.length;
		for (let i = 0; i < 3; i++) {
			p.introspection.set(`opaque-conn-${i}`, active());
			assert.equal((await whoami(s, `opaque-conn-${i}`)).status,
			    200);
		}
		const ports = new Set(introspections(since).map((r) => r.port));
		assert.equal(ports.size, cgi ? 3 : 1, [...ports].join(' '));
	});

	it('never caches past the token\'s expiry', async () => {
		/*
		 * The token expires 30 s after t0, before the 60 s a
		 * positive answer is kept; the provider then calls it
		 * inactive, which only a new question would learn.  The
		 * programs' clock is moved, not waited for.
		 */
		const t0 = nowSeconds();
		const status = async () =>
		    (await whoami(s, 'opaque-exp')).status;
		p.introspection.set('opaque-exp', active({ exp: t0 + 30 }));
		clock.freeze(t0);
		try {
			assert.equal(await status(), 200);
			p.introspection.set('opaque-exp', { active: false });
			const since = p.requests.length;
			clock.freeze(t0 + 29);
			// As plain CGI nothing is kept: the provider is asked.
			assert.equal(await status(), cgi ? 401 : 200,
			    'kept until the token expires');
			assert.equal(introspections(since).length, cgi ? 1 : 0);
			clock.freeze(t0 + 30);
			assert.equal(await status(), 401);
			assert.equal(introspections(since).length, cgi ? 2 : 1,
			    'asked again once the token expired');
		} finally {
			clock.real();
		}
	});
});

// What the provider's answers may cost: every outbound call gives up
// after 5 s (a provider that accepts and never answers), and reads at
// most 64 KiB of a JWK Set and 16 KiB of an introspection answer.  The
// answer of exactly the limit is taken, one byte more is not; either
// failure is the provider's, so /mcp answers 503, not 401.
describe('outbound calls: a timeout and a size limit', () => {
	const STALL_LIMIT_MS = 15000;	// the 5 s timeout, with room
	let p, clock, key;

	before(async () => {
		p = await Provider.start();
		key = p.addKey('ES256', 'es-1');
		clock = new FakeClock();
	});

	after(async () => {
		await p?.stop();
		p?.cleanup();
		clock?.cleanup();
	});

	async function timed(promise) {
		const started = Date.now();
		const res = await promise;
		return { res, ms: Date.now() - started };
	}

	function assertUnavailable(res) {
		assert.equal(res.status, 503, res.body);
		assert.equal(res.headers['retry-after'], '30');
		assert.equal(res.json().error.code, -32603);
	}

	it('fetches a JWK Set of 64 KiB, not one byte more, and gives up ' +
	    'on a provider that does not answer', async () => {
		const s = await TestServer.start({ database: false,
		    config: jwtConfig(p), env: clock.env() });
		p.audience = `${s.issuer}/mcp`;
		try {
			let mark = s.logMark();
			p.misbehave.set('/jwks', 64 * 1024 + 1);
			assertUnavailable(await whoami(s, p.token(key)));
			assert.match(s.programLogSince(mark), new RegExp(
			    'event=jwks_fetch_failed .*response larger than ' +
			    '65536 bytes; no keys to serve'));
			// Each attempt waits 30 s for the next: move the clock.
			clock.offset(40);
			mark = s.logMark();
			p.misbehave.set('/jwks', 'stall');
			const { res, ms } = await timed(whoami(s,
			    p.token(key)));
			assertUnavailable(res);
			assert.ok(ms < STALL_LIMIT_MS, `${ms} ms`);
			assert.match(s.programLogSince(mark),
			    /event=jwks_fetch_failed .*timed out.*; no keys/i);
			clock.offset(80);
			p.misbehave.set('/jwks', 64 * 1024);
			const ok = await whoami(s, p.token(key));
			assert.equal(ok.status, 200, ok.body);
		} finally {
			p.misbehave.clear();
			clock.real();
			await s.stop();
		}
	});

	it('reads an introspection answer of 16 KiB, not one byte more, ' +
	    'and gives up on a provider that does not answer', async () => {
		const s = await TestServer.start({ database: false,
		    config: (srv) => [
			'token_validation = introspection',
			`authorization_server = ${p.issuer}`,
			`introspection_endpoint = ${p.introspectionUri}`,
			`introspection_client_id = ${p.clientId}`,
			`introspection_client_secret = ${p.clientSecret}`,
			`http_ca_file = ${p.certFile}`,
			`cache_dir = ${srv.dir}`,
		].join('\n') });
		try {
			const answer = { active: true, iss: p.issuer,
			    sub: 'dave', aud: `${s.issuer}/mcp`, scope: 'mcp',
			    client_id: 'c4', exp: nowSeconds() + 300 };
			for (const t of ['big', 'exact', 'stall'])
				p.introspection.set(`opaque-${t}`, answer);
			let mark = s.logMark();
			p.misbehave.set('/introspect', 16 * 1024 + 1);
			assertUnavailable(await whoami(s, 'opaque-big'));
			assert.match(s.programLogSince(mark), new RegExp(
			    'event=introspection_failed .*response larger ' +
			    'than 16384 bytes'));
			p.misbehave.set('/introspect', 16 * 1024);
			const ok = await whoami(s, 'opaque-exact');
			assert.equal(ok.status, 200, ok.body);
			assert.equal(ok.json().result.structuredContent.user,
			    'dave');
			mark = s.logMark();
			p.misbehave.set('/introspect', 'stall');
			const { res, ms } = await timed(whoami(s,
			    'opaque-stall'));
			assertUnavailable(res);
			assert.ok(ms < STALL_LIMIT_MS, `${ms} ms`);
			assert.match(s.programLogSince(mark),
			    /event=introspection_failed .*timed out/i);
		} finally {
			p.misbehave.clear();
			await s.stop();
		}
	});
});

describe('the built-in server\'s JWT access tokens, on several machines',
    () => {
	let a, b, client, tokens;

	before(async () => {
		a = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-password' }],
			config: 'access_token_format = jwt',
		});
		a.admin(['key', 'generate', '--alg', 'ES256']);
		// b serves the same public MCP URL (a load balancer would
		// send requests to either), with no database of its own.
		b = await TestServer.start({ database: false, issuer: a.issuer,
		    config: (srv) => [
			'token_validation = jwt',
			`authorization_server = ${a.issuer}`,
			`jwks_uri = ${a.issuer}/.well-known/jwks.json`,
			`http_ca_file = ${a.certFile}`,
			`cache_dir = ${srv.dir}`,
			`allowed_hosts = localhost:${srv.port}`,
		].join('\n') });
		client = await register(a);
		tokens = await obtainTokens(a,
		    new Person(a, 'alice', 'alice-password'), client);
	});

	after(async () => {
		await b?.stop();
		await a?.stop();
	});

	it('issues RFC 9068 tokens and publishes the key (jwks_uri)',
	    async () => {
		const [h, c] = tokens.access_token.split('.').slice(0, 2).map(
		    (x) => JSON.parse(Buffer.from(x, 'base64url').toString()));
		assert.equal(h.typ, 'at+jwt');
		assert.equal(h.alg, 'ES256');
		assert.equal(c.iss, a.issuer);
		assert.equal(c.aud, `${a.issuer}/mcp`);
		assert.equal(c.sub, 'alice');
		assert.equal(c.client_id, client.client_id);
		const meta = (await a.request('GET',
		    '/.well-known/oauth-authorization-server')).json();
		assert.equal(meta.jwks_uri, `${a.issuer}/.well-known/jwks.json`);
		const jwks = await a.request('GET', '/.well-known/jwks.json');
		assert.equal(jwks.headers['content-type'],
		    'application/jwk-set+json');
		assert.deepEqual(jwks.json().keys.map((k) => k.kid), [h.kid]);
		assert.equal(jwks.json().keys[0].d, undefined, 'public only');
	});

	it('is accepted by a second mcp.fcgi with no database', async () => {
		const res = await whoami(b, tokens.access_token);
		assert.equal(res.status, 200, res.body);
		assert.equal(res.json().result.structuredContent.user, 'alice');
		assert.equal((await whoami(a, tokens.access_token)).status, 200);
	});

	it('keeps old tokens valid across a key rotation', async () => {
		a.admin(['key', 'rotate']);
		const fresh = await obtainTokens(a,
		    new Person(a, 'alice', 'alice-password'), client);
		const kid = (t) => JSON.parse(Buffer.from(t.split('.')[0],
		    'base64url').toString()).kid;
		assert.notEqual(kid(fresh.access_token),
		    kid(tokens.access_token));
		ageCache(b, 40);
		assert.equal((await whoami(b, fresh.access_token)).status, 200);
		assert.equal((await whoami(b, tokens.access_token)).status, 200,
		    'the retired key is still published');
		const keys = (await a.request('GET', '/.well-known/jwks.json'))
		    .json().keys;
		assert.equal(keys.length, 2);
	});

	it('revokes at once where the database is, within the token\'s '
	    + 'lifetime elsewhere', async () => {
		const t = await obtainTokens(a,
		    new Person(a, 'alice', 'alice-password'), client);
		const rv = await a.request('POST', '/revoke', { form: {
			token: t.refresh_token, client_id: client.client_id } });
		assert.equal(rv.status, 200);
		assert.equal((await whoami(a, t.access_token)).status, 401);
		assert.equal((await whoami(b, t.access_token)).status, 200,
		    'documented: keep access_token_lifetime short');
	});
});

// Finding: with token_validation = jwt the built-in authorization
// server kept registering clients and issuing codes and tokens that
// /mcp then refused.  A site with a database (it once was its own
// authorization server) shows that each endpoint is off, in its
// callers' shape, and names the server to use.
describe('resource-server mode: the built-in authorization server is off',
    () => {
	let p, s, client;

	before(async () => {
		p = await Provider.start();
		s = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-password' }],
			config: jwtConfig(p),
		});
		client = JSON.parse(s.admin(['--json', 'client', 'add',
		    '--name', 'Old client', '--redirect-uri',
		    'http://127.0.0.1:9999/callback']).stdout);
	});

	after(async () => {
		await s?.stop();
		await p?.stop();
		p?.cleanup();
	});

	function assertOff(res) {
		assert.equal(res.status, 404, res.body);
		assert.equal(res.json().error, 'not_found');
		assert.ok(res.json().error_description.includes(p.issuer),
		    res.body);
		assert.equal(res.headers['cache-control'], 'no-store');
		assert.equal(res.headers['access-control-allow-origin'], '*');
	}

	it('registers no client (/register)', async () => {
		assertOff(await s.request('POST', '/register', { json: {
			redirect_uris: ['http://127.0.0.1:9999/callback'],
			token_endpoint_auth_method: 'none',
		} }));
	});

	it('issues no token (/token) and revokes none (/revoke)',
	    async () => {
		assertOff(await s.request('POST', '/token', { form: {
			grant_type: 'authorization_code', code: 'x',
			code_verifier: 'y'.repeat(43),
			client_id: client.client_id,
		} }));
		assertOff(await s.request('POST', '/revoke', { form: {
			token: 'x', client_id: client.client_id } }));
	});

	it('shows a person a page at /authorize, and no login form',
	    async () => {
		const q = new URLSearchParams({ response_type: 'code',
		    client_id: client.client_id, state: 's',
		    redirect_uri: 'http://127.0.0.1:9999/callback',
		    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
		    code_challenge_method: 'S256' });
		for (const res of [
			await s.request('GET', `/authorize?${q}`),
			await s.request('POST', '/authorize', { form: {
			    action: 'login', username: 'alice',
			    password: 'alice-password' } }),
		]) {
			assert.equal(res.status, 404, res.body);
			assert.match(res.headers['content-type'], /^text\/html/);
			assert.equal(res.headers.location, undefined);
			assert.ok(res.body.includes(p.issuer), res.body);
			assert.doesNotMatch(res.body, /type="password"/);
			assert.deepEqual(headerValues(res, 'set-cookie'), []);
		}
	});

	it('publishes no authorization server metadata, and the protected ' +
	    'resource metadata names the provider', async () => {
		assertOff(await s.request('GET',
		    '/.well-known/oauth-authorization-server'));
		for (const doc of ['openid-configuration', 'jwks.json'])
			assert.equal((await s.request('GET',
			    `/.well-known/${doc}`)).status, 404, doc);
		for (const doc of ['/.well-known/oauth-protected-resource/mcp',
		    '/.well-known/oauth-protected-resource']) {
			const res = await s.request('GET', doc);
			assert.equal(res.status, 200, doc);
			assert.deepEqual(res.json().authorization_servers,
			    [p.issuer], doc);
		}
	});
});
