// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-
// document; MCP 2025-11-25 and 2026-07-28, basic/authorization): a
// client whose client_id is the https URL of its metadata document
// completes the flow with no registration; the document is cached;
// every document or address the server must not use is refused with a
// page for the person, and nothing is sent to the client.  The
// client's site is CimdSite, https on loopback, which the server may
// reach only because of the test-only key cimd_test_allow_loopback.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { TestServer, sanitizerReport } from '../lib/harness.mjs';
import { CimdSite } from '../lib/cimdserver.mjs';
import { accessWorks, assertHtmlPage } from '../lib/checks.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import { Person, authorizeQuery, obtainTokens, pkce, refresh } from
    '../lib/oauth.mjs';

const ALICE = 'alice-Pw-123456';
let site;

before(async () => {
	site = await CimdSite.start();
});

after(async () => {
	await site?.stop();
});

function cimdConfig(extra = []) {
	return [`http_ca_file = ${site.certFile}`, ...extra].join('\n');
}

// mcp-oauth-admin with args, run without blocking this process (which
// serves the documents it fetches): { status, stdout, stderr }.
function adminAsync(s, args, env = {}) {
	const argv = [s.adminPath, '--config', s.configFile, ...args];
	if (s.runAs !== null)
		argv.unshift('runuser', '-u', s.runAs, '--');
	return new Promise((resolve, reject) => {
		const child = spawn(argv[0], argv.slice(1),
		    { env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => { stdout += d; });
		child.stderr.on('data', (d) => { stderr += d; });
		child.on('error', reject);
		child.on('close', (status) => {
			const report = sanitizerReport(stderr);
			if (report !== null)
				reject(new Error(`mcp-oauth-admin ${args.join(' ')}` +
				    `: sanitizer report:\n${report}`));
			resolve({ status, stdout, stderr });
		});
	});
}

// The page /authorize shows for client, which must be an error page
// that names why; no redirect goes to the client.
async function refused(s, client, why) {
	const { challenge } = pkce();
	const res = await s.request('GET', authorizeQuery(client, {
		code_challenge: challenge, code_challenge_method: 'S256' }));
	assertHtmlPage(res, 400);
	assert.match(res.body, /metadata document/);
	assert.match(res.body, why);
	return res;
}

describe('CIMD with loopback allowed (tests only)', () => {
	let s;
	let clock;

	before(async () => {
		clock = new FakeClock();
		s = await TestServer.start({
			users: [{ name: 'alice', password: ALICE }],
			config: cimdConfig(['cimd_test_allow_loopback = yes']),
			env: clock.env(),
		});
	});

	after(async () => {
		await s?.stop();
		clock?.cleanup();
	});

	// The consent page for client, as alice sees it (signing in first
	// if need be).
	async function consentPage(alice, client) {
		const q = authorizeQuery(client, {
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		});
		let page = await alice.get(q);
		if (page.body.includes('<h1>Sign in</h1>')) {
			const res = await alice.login(page);
			assert.equal(res.status, 303, res.body.slice(0, 300));
			page = await alice.get(res.headers.location);
		}
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		return page.body;
	}

	it('the consent page names the verified domain and the redirect ' +
	    'host, and warns of loopback', async () => {
		const client = site.publish('/consent/client.json',
		    { client_name: '<b>Shiny</b> App' });
		const body = await consentPage(new Person(s, 'alice', ALICE),
		    client);
		assert.match(body, /Published by/);
		assert.match(body, /<strong class="domain">127\.0\.0\.1<\/strong>/);
		assert.match(body, /&lt;b&gt;Shiny&lt;\/b&gt; App<\/strong> <span class="tag">name given by the application/);
		assert.ok(!body.includes('<b>Shiny'));
		assert.match(body, /<code>127\.0\.0\.1:9999<\/code>/);
		assert.match(body, /runs on your own computer/);
	});

	it('a changed document is fetched after its max-age and the ' +
	    'person is asked again with what it now says', async () => {
		const p = '/changing/client.json';
		const alice = new Person(s, 'alice', ALICE);
		const v1 = site.publish(p, { client_name: 'Version One' },
		    { 'Cache-Control': 'max-age=300' });
		await obtainTokens(s, alice, v1);
		const hits = site.hitsFor(p);
		site.publish(p, { client_name: 'Version Two' },
		    { 'Cache-Control': 'max-age=300' });
		// Within max-age: the stored version, no fetch.
		assert.match(await consentPage(alice, v1), /Version One/);
		assert.equal(site.hitsFor(p), hits);
		try {
			clock.offset(301);
			const body = await consentPage(alice, v1);
			assert.match(body, /Version Two/);
			assert.ok(!body.includes('Version One'));
			assert.equal(site.hitsFor(p), hits + 1);
		} finally {
			clock.real();
		}
	});

	it('a refetched document keeps the client\'s last use', async () => {
		const p = '/lastused/client.json';
		const alice = new Person(s, 'alice', ALICE);
		const client = site.publish(p, { client_name: 'Kept' },
		    { 'Cache-Control': 'max-age=300' });
		await obtainTokens(s, alice, client);
		const lastUsed = () => JSON.parse(s.admin(['--json', 'client',
		    'show', client.client_id]).stdout).last_used;
		const used = lastUsed();
		assert.ok(used > 0, String(used));
		const hits = site.hitsFor(p);
		try {
			clock.offset(301);
			// A request refused after the fetch (a redirect URI
			// the document does not list) uses nothing.
			const res = await s.request('GET', authorizeQuery(client, {
				redirect_uri: 'http://127.0.0.1:9999/elsewhere',
				code_challenge: pkce().challenge,
				code_challenge_method: 'S256',
			}));
			assertHtmlPage(res, 400);
			assert.equal(site.hitsFor(p), hits + 1);
			assert.equal(lastUsed(), used);
		} finally {
			clock.real();
		}
	});

	it('advertises CIMD and the none method', async () => {
		const res = await s.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.equal(res.status, 200);
		const m = res.json();
		assert.equal(m.client_id_metadata_document_supported, true);
		assert.ok(m.token_endpoint_auth_methods_supported
		    .includes('none'));
	});

	it('a CIMD client completes the flow, refreshes, and is cached',
	    async () => {
		const client = site.publish('/flow/client.json', {},
		    { 'Cache-Control': 'max-age=3600' });
		const alice = new Person(s, 'alice', ALICE);
		const tok = await obtainTokens(s, alice, client);
		assert.ok(await accessWorks(s, tok.access_token));
		const fetched = site.hitsFor('/flow/client.json');
		assert.ok(fetched >= 1);
		const again = await refresh(s, client, tok.refresh_token);
		assert.equal(again.status, 200, again.body);
		assert.ok(await accessWorks(s, again.json().access_token));
		// A second authorization uses the stored document.
		await obtainTokens(s, alice, client);
		assert.equal(site.hitsFor('/flow/client.json'), fetched);
	});

	it('one fetch for many requests at once (the fetch lease)',
	    async () => {
		const p = '/crowd/client.json';
		const client = site.publish(p);
		// A slow site: every request arrives while the first fetch
		// is under way.
		site.docs.get(p).delayMs = 1500;
		const q = authorizeQuery(client, {
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		});
		const pages = await Promise.all(Array.from({ length: 6 },
		    () => s.request('GET', q)));
		for (const page of pages) {
			assertHtmlPage(page, 200);
			assert.match(page.body, /<h1>Sign in<\/h1>/);
		}
		assert.equal(site.hitsFor(p), 1);
	});

	it('only the registered redirect URI is accepted', async () => {
		const client = site.publish('/exact/client.json');
		const res = await s.request('GET', authorizeQuery(client, {
			redirect_uri: 'https://evil.example/cb',
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		}));
		assertHtmlPage(res, 400);
	});

	// RFC 9700 section 4.11.2: anyone can publish a document, so its
	// redirect URI is no more trusted than a registered one: an error
	// before the person approved is a page, never a redirect.
	it('sends no error to a document\'s redirect URI before approval',
	    async () => {
		const client = site.publish('/phish/client.json',
		    { redirect_uris: ['https://evil.example/phish'] });
		for (const extra of [{ prompt: 'none' },
		    { scope: 'bogus-scope' }, { response_type: 'token' },
		    { code_challenge_method: 'plain' }]) {
			const res = await s.request('GET', authorizeQuery(
			    client, { code_challenge: pkce().challenge,
			    code_challenge_method: 'S256', state: 'st',
			    ...extra }));
			assertHtmlPage(res, 400);
			assert.equal(res.headers.location, undefined,
			    JSON.stringify(extra));
			assert.doesNotMatch(res.body, /evil\.example/);
		}
		assert.match(s.programLog(), new RegExp(
		    'event=error_not_redirected client="' +
		    client.client_id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
	});

	it('refuses a redirect and does not follow it', async () => {
		const target = site.publish('/target/client.json');
		site.docs.set('/moved/client.json', { status: 302,
		    headers: { Location: target.client_id } });
		const before = site.hitsFor('/target/client.json');
		await refused(s, { client_id: site.url('/moved/client.json'),
		    redirect_uris: target.redirect_uris },
		    /HTTP status 302, not 200 \(redirects are not followed\)/);
		assert.equal(site.hitsFor('/target/client.json'), before);
	});

	it('refuses a document over 5 KB', async () => {
		const client = site.publish('/big/client.json',
		    { client_uri: undefined, padding: 'x'.repeat(6000) });
		await refused(s, client, /larger than 5120 bytes/);
	});

	it('gives up on a server that does not answer', async () => {
		site.docs.set('/slow/client.json', { stall: true });
		await refused(s, { client_id: site.url('/slow/client.json'),
		    redirect_uris: ['http://127.0.0.1:9999/callback'] },
		    /127\.0\.0\.1 cannot be reached over https/);
	});

	it('refuses invalid JSON, and does not cache the failure',
	    async () => {
		const p = '/broken/client.json';
		site.docs.set(p, { status: 200, body: '{"client_id": ' });
		const client = { client_id: site.url(p),
		    redirect_uris: ['http://127.0.0.1:9999/callback'] };
		await refused(s, client, /not valid JSON/);
		const hits = site.hitsFor(p);
		site.publish(p);
		const tok = await obtainTokens(s,
		    new Person(s, 'alice', ALICE), client);
		assert.ok(tok.access_token);
		assert.equal(site.hitsFor(p), hits + 1);
	});

	it('refuses a 404', async () => {
		await refused(s, { client_id: site.url('/missing/client.json'),
		    redirect_uris: ['http://127.0.0.1:9999/callback'] },
		    /HTTP status 404/);
	});

	it('refuses a document whose client_id differs', async () => {
		const client = site.publish('/mismatch/client.json',
		    { client_id: site.url('/other/client.json') });
		await refused(s, { ...client,
		    client_id: site.url('/mismatch/client.json') },
		    /client_id: must equal/);
	});

	it('refuses a secret auth method or a secret', async () => {
		const a = site.publish('/basic/client.json',
		    { token_endpoint_auth_method: 'client_secret_basic' });
		await refused(s, a, /only none/);
		const b = site.publish('/secret/client.json',
		    { client_secret: 'hunter2' });
		await refused(s, b, /client_secret/);
	});

	it('refuses redirect URIs our policy refuses', async () => {
		const client = site.publish('/evil/client.json',
		    { redirect_uris: ['http://evil.example/cb'] });
		await refused(s, client, /redirect_uris|http/);
	});

	it('admin client pin stores a document that is used without ' +
	    'fetching, and client list shows it', async () => {
		const p = '/pinned/client.json';
		const client = site.publish(p, { client_name: 'Pinned App' });
		const r = await adminAsync(s, ['client', 'pin', client.client_id]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /pinned .*Pinned App/);
		const hits = site.hitsFor(p);
		// The site now fails: the pinned copy still serves, even
		// after the longest cache lifetime.
		site.docs.set(p, { status: 500 });
		try {
			clock.offset(25 * 3600);
			const tok = await obtainTokens(s,
			    new Person(s, 'alice', ALICE), client);
			assert.ok(tok.access_token);
		} finally {
			clock.real();
		}
		assert.equal(site.hitsFor(p), hits);
		const list = await adminAsync(s, ['client', 'list']);
		assert.equal(list.status, 0, list.stderr);
		const line = list.stdout.split('\n')
		    .find((l) => l.startsWith(client.client_id));
		assert.ok(line, list.stdout);
		assert.match(line, /\bpinned\b/);
		assert.match(line, /Pinned App \[127\.0\.0\.1, fetched \d{4}-/);
		const json = JSON.parse((await adminAsync(s,
		    ['--json', 'client', 'show', client.client_id])).stdout);
		assert.equal(json.metadata_document.domain, '127.0.0.1');
		assert.equal(json.metadata_document.pinned, true);
	});

	it('purge removes an unused CIMD client a day after its cache ' +
	    'expiry and keeps one with a grant and a pinned one',
	    async () => {
		const alice = new Person(s, 'alice', ALICE);
		const unused = site.publish('/purge/unused/client.json',
		    { client_name: 'Unused' });
		const used = site.publish('/purge/used/client.json',
		    { client_name: 'Used' });
		const pinned = site.publish('/purge/pinned/client.json',
		    { client_name: 'Pinned' });
		// Fetched and stored, but never approved: no grant.
		assert.match(await consentPage(alice, unused), /Unused/);
		await obtainTokens(s, alice, used);
		const r = await adminAsync(s, ['client', 'pin',
		    pinned.client_id]);
		assert.equal(r.status, 0, r.stderr);
		const show = async (id, env) => (await adminAsync(s,
		    ['client', 'show', id], env)).status;
		const stats = async () => JSON.parse((await adminAsync(s,
		    ['--json', 'stats'])).stdout).counts.cimd_clients;
		const before = await stats();
		assert.ok(before >= 3, `${before}`);
		let purged;
		// Past the cache expiry but within the day's margin: kept.
		clock.offset(3 * 3600);
		try {
			const p = await adminAsync(s, ['--json', 'purge'],
			    clock.env());
			assert.equal(p.status, 0, p.stderr);
			assert.equal(JSON.parse(p.stdout).cimd_clients, 0);
			assert.equal(await show(unused.client_id), 0);
			clock.offset(26 * 3600);
			const q = await adminAsync(s, ['--json', 'purge'],
			    clock.env());
			assert.equal(q.status, 0, q.stderr);
			purged = JSON.parse(q.stdout).cimd_clients;
			assert.ok(purged >= 1, q.stdout);
		} finally {
			clock.real();
		}
		assert.notEqual(await show(unused.client_id), 0);
		assert.equal(await stats(), before - purged);
		assert.equal(await show(used.client_id), 0);
		assert.equal(await show(pinned.client_id), 0);
		// A purged client comes back on its next use.
		assert.match(await consentPage(alice, unused), /Unused/);
	});

	it('admin client pin refuses an invalid document and stores ' +
	    'nothing', async () => {
		const client = site.publish('/badpin/client.json',
		    { client_secret: 'x' });
		const r = await adminAsync(s, ['client', 'pin', client.client_id]);
		assert.notEqual(r.status, 0);
		assert.match(r.stderr, /client_secret/);
		const show = await adminAsync(s,
		    ['client', 'show', client.client_id]);
		assert.notEqual(show.status, 0);
		assert.match(show.stderr, /no such client/);
	});

	it('the token endpoint refuses a client whose document fails',
	    async () => {
		site.docs.set('/gone/client.json', { status: 500 });
		const res = await s.request('POST', '/token', { form: {
			grant_type: 'authorization_code', code: 'x',
			code_verifier: 'y'.repeat(43),
			redirect_uri: 'http://127.0.0.1:9999/callback',
			client_id: site.url('/gone/client.json'),
		} });
		assert.equal(res.status, 401, res.body);
		assert.equal(res.json().error, 'invalid_client');
	});
});

describe('CIMD without loopback: special-use addresses', () => {
	let s;

	before(async () => {
		s = await TestServer.start({
			users: [{ name: 'alice', password: ALICE }],
			config: cimdConfig(),
		});
	});

	after(async () => {
		await s?.stop();
	});

	const cb = ['http://127.0.0.1:9999/callback'];

	for (const host of ['127.0.0.1', '10.0.0.1', '169.254.169.254',
	    '192.168.1.1', '100.64.0.1', '0.0.0.0', '224.0.0.1',
	    '198.18.0.1']) {
		it(`refuses ${host} before connecting`, async () => {
			const before = site.hitsFor('/c.json');
			// Port 443 (implied): another port would be
			// refused before the address is looked at.
			const res = await refused(s, { client_id:
			    `https://${host}/c.json`, redirect_uris: cb },
			    /cannot be reached/);
			assert.ok(!res.body.includes('special-use'));
			assert.equal(site.hitsFor('/c.json'), before);
		});
	}

	it('refuses a name that resolves to loopback', async () => {
		site.publish('/named/client.json');
		const before = site.hitsFor('/named/client.json');
		// The same words as a name that does not resolve: the page
		// tells nothing of what the server's resolver sees.
		const res = await refused(s, { client_id:
		    'https://localhost/named/client.json',
		    redirect_uris: cb },
		    /the document at localhost cannot be reached/);
		assert.ok(!res.body.includes('special-use'));
		assert.equal(site.hitsFor('/named/client.json'), before);
	});

	// Only the https port: another would let a client_id probe which
	// services listen where the server can reach.  Refused before
	// any name is looked up.
	it('refuses a port other than 443', async () => {
		for (const port of [8443, 22, 80]) {
			const res = await refused(s, { client_id:
			    `https://app.example.com:${port}/c.json`,
			    redirect_uris: cb },
			    new RegExp(`served on the https port 443, not ${port}`));
			assertHtmlPage(res, 400);
		}
	});
});

describe('CIMD restricted by configuration', () => {
	it('cimd = allowlist refuses other domains', async () => {
		const s = await TestServer.start({ config: cimdConfig([
			'cimd_test_allow_loopback = yes',
			'cimd = allowlist',
			'cimd_allowlist = vscode.dev *.example.org',
		]) });
		try {
			const client = site.publish('/allow/client.json');
			const before = site.hitsFor('/allow/client.json');
			await refused(s, client,
			    /clients from 127\.0\.0\.1 are not accepted/);
			assert.equal(site.hitsFor('/allow/client.json'), before);
		} finally {
			await s.stop();
		}
	});

	it('a site whose certificate is not trusted is refused',
	    async () => {
		// No http_ca_file: the site's self-signed certificate fails.
		const s = await TestServer.start({
			config: 'cimd_test_allow_loopback = yes' });
		try {
			const client = site.publish('/untrusted/client.json');
			await refused(s, client, /cannot be reached over https/);
		} finally {
			await s.stop();
		}
	});

	it('cimd_fetch_rate_limit refuses the N+1th new document from ' +
	    'one address, and still serves the stored ones', async () => {
		const s = await TestServer.start({ config: cimdConfig([
			'cimd_test_allow_loopback = yes',
			'cimd_fetch_rate_limit = 2',
		]) });
		try {
			const one = site.publish('/limit/1/client.json');
			const two = site.publish('/limit/2/client.json');
			const three = site.publish('/limit/3/client.json');
			const { challenge } = pkce();
			const q = (c) => authorizeQuery(c, {
			    code_challenge: challenge,
			    code_challenge_method: 'S256' });
			for (const c of [one, two]) {
				const res = await s.request('GET', q(c));
				assert.notEqual(res.status, 400, res.body);
			}
			await refused(s, three,
			    /too many new clients from this address/);
			assert.equal(site.hitsFor('/limit/3/client.json'), 0);
			// A stored document is no new fetch.
			const res = await s.request('GET', q(one));
			assert.notEqual(res.status, 400, res.body);
			// The token endpoint answers in OAuth's shape.
			const tok = await s.request('POST', '/token', { form: {
			    grant_type: 'authorization_code',
			    client_id: three.client_id, code: 'x',
			    code_verifier: 'y', redirect_uri:
			    three.redirect_uris[0] } });
			assert.equal(tok.status, 429);
			assert.equal(tok.json().error, 'too_many_requests');
		} finally {
			await s.stop();
		}
	});

	it('/revoke applies cimd = off to a stored CIMD client, as ' +
	    '/token does', async () => {
		const s = await TestServer.start({
			users: [{ name: 'alice', password: ALICE }],
			config: cimdConfig(['cimd_test_allow_loopback = yes']),
		});
		try {
			const client = site.publish('/revoke/client.json');
			const tok = await obtainTokens(s,
			    new Person(s, 'alice', ALICE), client);
			s.writeConfig(cimdConfig([
			    'cimd_test_allow_loopback = yes', 'cimd = off']));
			const res = await s.request('POST', '/revoke', { form: {
			    client_id: client.client_id,
			    token: tok.refresh_token } });
			assert.equal(res.status, 401, res.body);
			assert.equal(res.json().error, 'invalid_client');
			assert.match(res.json().error_description,
			    /does not accept/);
			// Nothing was revoked.
			s.writeConfig(cimdConfig([
			    'cimd_test_allow_loopback = yes']));
			const again = await refresh(s, client,
			    tok.refresh_token);
			assert.equal(again.status, 200, again.body);
		} finally {
			await s.stop();
		}
	});

	it('cimd = off neither advertises nor fetches', async () => {
		const s = await TestServer.start({ config: cimdConfig([
			'cimd_test_allow_loopback = yes', 'cimd = off',
		]) });
		try {
			const m = (await s.request('GET',
			    '/.well-known/oauth-authorization-server')).json();
			assert.equal(m.client_id_metadata_document_supported,
			    undefined);
			const client = site.publish('/off/client.json');
			await refused(s, client, /does not accept/);
			assert.equal(site.hitsFor('/off/client.json'), 0);
		} finally {
			await s.stop();
		}
	});
});
