// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A stand-in OAuth provider for the resource-server tests: it serves a
// JWK Set and an RFC 7662 introspection endpoint over TLS on loopback,
// signs JWT access tokens with node:crypto, and counts what it was
// asked, so tests can see caching.  It can also misbehave, per path
// (misbehave.set('/jwks', ...)): 'stall' accepts the request and never
// answers; a number N sends the usual answer padded with a member
// "padding" to exactly N bytes, to test the size limits.

import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

function certificate(dir) {
	const key = path.join(dir, 'provider-key.pem');
	const cert = path.join(dir, 'provider-cert.pem');
	const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec',
	    '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
	    '-subj', '/CN=127.0.0.1', '-addext',
	    'subjectAltName=IP:127.0.0.1,DNS:localhost',
	    '-keyout', key, '-out', cert], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`openssl: ${r.stderr}`);
	return { key, cert };
}

// A fresh directory (prefix names it) holding a certificate for
// 127.0.0.1 and localhost and its key.  The certificate is what the
// server under test trusts; it may run as the web server's user
// (Apache), so it must be able to read it.
export function loopbackCertificate(prefix) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	const tls = certificate(dir);
	fs.chmodSync(dir, 0o755);
	fs.chmodSync(tls.cert, 0o644);
	return { dir, ...tls };
}

// An https server on a free loopback port with tls's certificate:
// resolves to the server once it listens.
export function listenHttps(tls, handler) {
	const server = https.createServer({
		key: fs.readFileSync(tls.key),
		cert: fs.readFileSync(tls.cert),
	}, handler);
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => resolve(server));
	});
}

const ALGS = {
	ES256: () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
	RS256: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
	PS256: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
	EdDSA: () => crypto.generateKeyPairSync('ed25519'),
};

export function signJwt(alg, privateKey, header, claims) {
	const input = Buffer.from(JSON.stringify(header)).toString('base64url') +
	    '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
	let sig;
	if (alg === 'ES256')
		sig = crypto.sign('sha256', Buffer.from(input),
		    { key: privateKey, dsaEncoding: 'ieee-p1363' });
	else if (alg === 'RS256')
		sig = crypto.sign('sha256', Buffer.from(input), privateKey);
	else if (alg === 'PS256')
		sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey,
		    padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
		    saltLength: 32 });
	else if (alg === 'EdDSA')
		sig = crypto.sign(null, Buffer.from(input), privateKey);
	else if (alg === 'HS256')
		sig = crypto.createHmac('sha256', privateKey).update(input)
		    .digest();
	else
		sig = Buffer.alloc(0);
	return `${input}.${sig.toString('base64url')}`;
}

// Error answers a path can be told to give instead of its JSON:
// misbehave.set('/introspect', 'unsupported_token_type') answers as
// panva's oidc-provider does to a token it will not introspect (a JWT
// access token, RFC 7662 section 2.3), 'invalid_client' as a provider
// that refuses our client credentials (RFC 6749 section 5.2), and
// 'server_error' as a provider with a fault of its own.
const REFUSALS = {
	unsupported_token_type: [400, {}, { error: 'unsupported_token_type',
	    error_description: 'this token cannot be introspected' }],
	invalid_client: [401, { 'WWW-Authenticate': 'Basic realm="op"' },
	    { error: 'invalid_client',
	    error_description: 'client authentication failed' }],
	server_error: [500, {}, { error: 'server_error' }],
};

export class Provider {
	static async start() {
		const p = new Provider();
		await p.#listen();
		return p;
	}

	constructor() {
		this.tls = loopbackCertificate('mcp-provider-');
		this.dir = this.tls.dir;
		this.certFile = this.tls.cert;
		this.keys = [];		// { kid, alg, privateKey, publicKey }
		this.published = null;	// the kids in the JWKS (all if null)
		this.introspection = new Map();	// token → response object
		this.hits = { jwks: 0, introspect: 0 };
		// Every request: { method, url, headers, body, port }, port
		// the client's (the same for requests on one connection).
		this.requests = [];
		this.clientId = 'mcp-rs';
		this.clientSecret = 'rs-secret: with & odd=chars';
		this.lastAuthorization = null;
		this.misbehave = new Map();	// path → 'stall' or a size
						// or a key of REFUSALS
	}

	addKey(alg, kid) {
		const { privateKey, publicKey } = ALGS[alg]();
		const k = { kid, alg, privateKey, publicKey };
		this.keys.push(k);
		return k;
	}

	jwks() {
		return {
			keys: this.keys.filter((k) => this.published === null ||
			    this.published.includes(k.kid)).map((k) => ({
				...k.publicKey.export({ format: 'jwk' }),
				kid: k.kid,
				alg: k.alg,
				use: 'sig',
			})),
		};
	}

	// A JWT access token: the claims a resource server wants, with
	// overrides; override with undefined to drop a claim.
	token(key, over = {}, header = {}) {
		const now = Math.floor(Date.now() / 1000);
		const claims = {
			iss: this.issuer,
			sub: 'alice',
			aud: this.audience,
			client_id: 'client-1',
			scope: 'mcp notes:read',
			iat: now,
			exp: now + 300,
			jti: crypto.randomBytes(8).toString('hex'),
			...over,
		};
		for (const k of Object.keys(claims))
			if (claims[k] === undefined)
				delete claims[k];
		return signJwt(header.alg ?? key.alg, key.privateKey,
		    { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header },
		    claims);
	}

	#handle(req, res) {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString();
			this.requests.push({ method: req.method, url: req.url,
			    headers: req.headers, body,
			    port: req.socket.remotePort });
			if (req.method === 'GET' && req.url === '/jwks') {
				this.hits.jwks++;
				this.#answer(req, res, this.jwks());
				return;
			}
			if (req.method === 'POST' && req.url === '/introspect') {
				this.hits.introspect++;
				this.lastAuthorization = req.headers.authorization;
				const form = new URLSearchParams(body);
				const answer = this.introspection.get(
				    form.get('token')) ?? { active: false };
				this.#answer(req, res, answer);
				return;
			}
			res.writeHead(404);
			res.end();
		});
	}

	// A JSON answer, unless this path is told to misbehave.
	#answer(req, res, object) {
		const how = this.misbehave.get(req.url);
		if (how === 'stall')
			return;		// stop() closes the connection
		if (how in REFUSALS) {
			const [status, headers, answer] = REFUSALS[how];
			res.writeHead(status, { 'Content-Type':
			    'application/json', ...headers });
			res.end(JSON.stringify(answer));
			return;
		}
		let text = JSON.stringify(object);
		if (typeof how === 'number') {
			const bare = JSON.stringify({ ...object, padding: '' });
			const pad = how - Buffer.byteLength(bare);
			if (pad < 0)
				throw new Error(`${how} bytes: too small for ` +
				    'the answer');
			text = JSON.stringify({ ...object,
			    padding: 'x'.repeat(pad) });
		}
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(text);
	}

	async #listen() {
		this.server = await listenHttps(this.tls,
		    (req, res) => this.#handle(req, res));
		this.port = this.server.address().port;
		this.origin = `https://127.0.0.1:${this.port}`;
		this.issuer = `${this.origin}/realms/test`;
		this.jwksUri = `${this.origin}/jwks`;
		this.introspectionUri = `${this.origin}/introspect`;
	}

	async stop() {
		if (this.server?.listening) {
			this.server.closeAllConnections();
			await new Promise((r) => this.server.close(r));
		}
	}

	async restart() {
		await this.stop();
		await new Promise((resolve) => {
			this.server.listen(this.port, '127.0.0.1', resolve);
		});
	}

	cleanup() {
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}
