// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A client's web site for the Client ID Metadata Document tests: it
// serves JSON documents over TLS on loopback, one per path, and counts
// the requests for each, so tests can see the server's cache.  A path
// can also misbehave: docs.set(path, { status, headers, body }) gives
// any answer; { stall: true } accepts the request and never answers;
// { ..., delayMs } answers after that long (a slow site).
// The server under test trusts the certificate through http_ca_file
// and may fetch from loopback only with cimd_test_allow_loopback.

import fs from 'node:fs';

import { TestServer } from './harness.mjs';
import { listenHttps, loopbackCertificate } from './provider.mjs';

export class CimdSite {
	static async start() {
		const site = new CimdSite();
		await site.#listen();
		return site;
	}

	constructor() {
		this.tls = loopbackCertificate('mcp-cimd-');
		this.dir = this.tls.dir;
		this.certFile = this.tls.cert;
		this.docs = new Map();		// path → answer
		this.hits = new Map();		// path → requests
	}

	// The client_id URL of path on this site.
	url(p) {
		return `${this.origin}${p}`;
	}

	// Publishes a client's document at p: client_id is its URL.
	publish(p, metadata = {}, headers = {}) {
		const doc = {
			client_id: this.url(p),
			client_name: 'CIMD test client',
			redirect_uris: ['http://127.0.0.1:9999/callback'],
			grant_types: ['authorization_code', 'refresh_token'],
			response_types: ['code'],
			token_endpoint_auth_method: 'none',
			...metadata,
		};
		for (const k of Object.keys(doc))
			if (doc[k] === undefined)
				delete doc[k];
		this.docs.set(p, { status: 200, headers: { 'Content-Type':
		    'application/json', ...headers },
		    body: JSON.stringify(doc) });
		return { ...doc, redirect_uris: doc.redirect_uris ?? [] };
	}

	hitsFor(p) {
		return this.hits.get(p) ?? 0;
	}

	#handle(req, res) {
		this.hits.set(req.url, this.hitsFor(req.url) + 1);
		const answer = this.docs.get(req.url);
		if (answer === undefined) {
			res.writeHead(404);
			res.end();
			return;
		}
		if (answer.stall)
			return;		// stop() closes the connection
		const send = () => {
			res.writeHead(answer.status, answer.headers ?? {});
			res.end(answer.body ?? '');
		};
		if (answer.delayMs !== undefined)
			setTimeout(send, answer.delayMs);
		else
			send();
	}

	async #listen() {
		this.server = await listenHttps(this.tls,
		    (req, res) => this.#handle(req, res));
		this.port = this.server.address().port;
		this.origin = `https://127.0.0.1:${this.port}`;
	}

	async stop() {
		if (this.server?.listening) {
			this.server.closeAllConnections();
			await new Promise((r) => this.server.close(r));
		}
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}

// A CimdSite and a TestServer (options as TestServer.start's) that
// trusts the site's certificate and, by the test-only key, may fetch
// from loopback: { site, s }.
export async function cimdTestServer(options = {}) {
	const site = await CimdSite.start();
	try {
		const s = await TestServer.start({ ...options, config: [
			`http_ca_file = ${site.certFile}`,
			'cimd_test_allow_loopback = yes',
			options.config ?? '',
		].join('\n') });
		return { site, s };
	} catch (e) {
		await site.stop();
		throw e;
	}
}
