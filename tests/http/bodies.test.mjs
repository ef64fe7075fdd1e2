// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Request bodies at, just under and over each endpoint's limit, sent
// with a Content-Length and chunked, under every web server the
// harness runs (MCP_TEST_SERVER).  A body within the limit gets the
// endpoint's ordinary answer; one over it gets a 413, from the program
// or from the web server, never a 5xx.  Under Apache that covers
// mod_fcgid, which answers a body over its FcgidMaxRequestLen with a
// 500 unless the shipped files refuse it first (apache/*.in), and
// plain CGI, where Apache passes a chunked body on without
// CONTENT_LENGTH.

import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';

import { aliceAndBob } from '../lib/oauth.mjs';

// The programs' form and client metadata limit (token, revoke,
// register, the consent form), and /mcp's as the shared-host
// instructions set it: under the 96 KiB that apache/htaccess.in lets
// through to mod_fcgid.
const FORM_MAX = 16 * 1024;
const MCP_MAX = 98304;
// Over every web server's own limit too (lighttpd 2 MiB, the Apache
// vhost 2 MiB, Apache .htaccess 96 KiB, mod_fcgid's stock 128 KiB).
const HUGE = 8 * 1024 * 1024;

let s, client, alice;

before(async () => {
	({ s, client, alice } = await aliceAndBob(`mcp_max_body = ${MCP_MAX}`));
});

after(async () => {
	await s?.stop();
});

// Sends body to the server, with a Content-Length or chunked (in
// 64 KiB pieces).  A server that refuses the body may answer and close
// before taking all of it: an error writing the rest is then not the
// test's failure, the answer is what counts.
function send(method, urlPath, headers, body, { chunked = false } = {}) {
	return new Promise((resolve, reject) => {
		const h = { Host: `localhost:${s.port}`, ...headers };
		if (!chunked)
			h['Content-Length'] = body.length;
		let answered = false;
		const req = https.request({
			host: '127.0.0.1',
			servername: 'localhost',
			port: s.port,
			method,
			path: urlPath,
			headers: h,
			ca: s.ca,
			agent: false,
		}, (res) => {
			answered = true;
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode,
			    headers: res.headers,
			    body: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', reject);
		});
		req.on('error', (e) => {
			if (!answered)
				reject(e);
		});
		req.setTimeout(60000, () => req.destroy(new Error(
		    `${method} ${urlPath} timed out`)));
		if (!chunked) {
			req.end(body);
			return;
		}
		let off = 0;
		const more = () => {
			while (off < body.length) {
				const piece = body.subarray(off, off + 65536);
				off += piece.length;
				if (!req.write(piece)) {
					req.once('drain', more);
					return;
				}
			}
			req.end();
		};
		more();
	});
}

// A body of exactly size bytes: prefix, then filler.
function padded(prefix, filler, size) {
	assert.ok(prefix.length <= size);
	return Buffer.from(prefix + filler.repeat(size - prefix.length));
}

// A form of exactly size bytes: prefix, then filler parameters of at
// most 4 KiB each (the programs take values up to 8 KiB).
function paddedForm(prefix, size) {
	let out = prefix;
	let i = 0;
	while (size - out.length > 8000)
		out += `&p${i++}=${'a'.repeat(4000)}`;
	const head = `&p${i}=`;
	const rest = size - out.length;
	out += rest > head.length ? head + 'a'.repeat(rest - head.length) :
	    'a'.repeat(rest);
	return padded(out, '', size);
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// Each endpoint that takes a body: its limit, a body of a given size
// (valid as far as size allows) and what an answer within the limit
// must look like.
const endpoints = [
	{
		name: '/token',
		limit: FORM_MAX,
		headers: () => FORM,
		body: (n) => paddedForm('grant_type=refresh_token&' +
		    'refresh_token=mcprt_unknown&client_id=' +
		    encodeURIComponent(client.client_id), n),
		// The refresh token is unknown: the grant's own error.
		within(res) {
			assert.equal(res.status, 400, res.body);
			assert.equal(JSON.parse(res.body).error, 'invalid_grant');
		},
	},
	{
		name: '/revoke',
		limit: FORM_MAX,
		headers: () => FORM,
		body: (n) => paddedForm('token=mcprt_unknown&client_id=' +
		    encodeURIComponent(client.client_id), n),
		// RFC 7009 section 2.2: an unknown token is a success.
		within(res) {
			assert.equal(res.status, 200, res.body);
		},
	},
	{
		name: '/register',
		limit: FORM_MAX,
		headers: () => ({ 'Content-Type': 'application/json' }),
		body: (n) => padded(JSON.stringify({
			redirect_uris: ['http://127.0.0.1:9999/callback'],
			token_endpoint_auth_method: 'none',
			client_name: 'bodies',
		}), ' ', n),
		within(res) {
			assert.equal(res.status, 201, res.body);
			assert.ok(JSON.parse(res.body).client_id);
		},
	},
	{
		name: '/mcp',
		limit: MCP_MAX,
		headers: () => ({
			'Content-Type': 'application/json',
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
			Authorization: `Bearer ${alice.access_token}`,
		}),
		body: (n) => padded('{"jsonrpc":"2.0","id":7,"method":"ping"}',
		    ' ', n),
		within(res) {
			assert.equal(res.status, 200, res.body);
			assert.equal(JSON.parse(res.body).id, 7);
		},
	},
	{
		name: '/authorize',
		limit: FORM_MAX,
		headers: () => FORM,
		body: (n) => paddedForm('action=approve&request=x', n),
		// No sign-in cookie, no pending request: the consent page's
		// own refusal, whatever it is, but read and answered.
		within(res) {
			assert.ok(res.status >= 400 && res.status < 500 &&
			    res.status !== 413, `${res.status} ${res.body}`);
		},
	},
];

function assertRefused(res) {
	assert.equal(res.status, 413, `${res.status} ${res.body.slice(0, 300)}`);
}

for (const ep of endpoints) {
	describe(`${ep.name} bodies`, () => {
		for (const chunked of [false, true]) {
			const how = chunked ? 'chunked' : 'with a Content-Length';
			it(`takes a body just under the limit, ${how}`, async () => {
				ep.within(await send('POST', ep.name, ep.headers(),
				    ep.body(ep.limit - 1), { chunked }));
			});
			it(`takes a body exactly at the limit, ${how}`,
			    async () => {
				ep.within(await send('POST', ep.name, ep.headers(),
				    ep.body(ep.limit), { chunked }));
			});
			it(`refuses one byte over the limit with 413, ${how}`,
			    async () => {
				assertRefused(await send('POST', ep.name,
				    ep.headers(), ep.body(ep.limit + 1), { chunked }));
			});
			it(`refuses 8 MiB with 413, never a 5xx, ${how}`,
			    async () => {
				assertRefused(await send('POST', ep.name,
				    ep.headers(), ep.body(HUGE), { chunked }));
			});
		}
	});
}

// Between the programs' limits and the web server's: still the
// program's 413 (Apache's mod_fcgid lets up to 128 KiB through on a
// shared host, 4 MiB in the vhost; what it refuses is refused before).
describe('/mcp bodies between the limits', () => {
	for (const size of [128 * 1024, 128 * 1024 + 1, 2 * 1024 * 1024 + 1]) {
		for (const chunked of [false, true]) {
			it(`refuses ${size} bytes with 413, ` +
			    `${chunked ? 'chunked' : 'with a Content-Length'}`,
			    async () => {
				const ep = endpoints.find((e) => e.name === '/mcp');
				assertRefused(await send('POST', '/mcp', ep.headers(),
				    ep.body(size), { chunked }));
			});
		}
	}
});
