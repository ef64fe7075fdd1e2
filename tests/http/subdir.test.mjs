// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A subdirectory install (issuer https://localhost:PORT/mcp-auth, the
// programs under /mcp-auth/) under the server kind of this run:
// lighttpd, or Apache's .htaccess modes (mod_fcgid and plain CGI),
// whose site root is a WordPress-style .htaccess with the root rule of
// docs/deploying.md above it.  Checked: the metadata at every URL a
// client tries (under the subdirectory, and at the root by RFC 8414
// and RFC 9728 path insertion), what is not ours, a whole sign-in,
// code exchange and /mcp call under the subdirectory, the pages' URLs,
// the cookies' names and path, the Origin check, the device grant's
// verification URI, the same site without the root rule, and the
// origin install unchanged beside it.
//
// Apache's vhost mode installs at an origin (a server you control has
// no reason to share its root); there the tests are skipped, with the
// reason.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues, serverKind } from '../lib/harness.mjs';
import { CookieJar, Person, authorizeQuery, exchange, formField, pkce,
    redirectParams, register } from '../lib/oauth.mjs';

const SUB = 'mcp-auth';
const ALICE = { name: 'alice', password: 'alice-password' };
const MALLORY = { name: 'mallory', password: 'mallory-password' };
const skip = serverKind === 'apache-vhost' ? 'apache-vhost installs at ' +
    'an origin; subdirectory installs are the .htaccess modes\' case' :
    false;

const ACCEPT = 'application/json, text/event-stream';

function rpc(s, token, body, headers = {}) {
	const h = { Accept: ACCEPT, 'MCP-Protocol-Version': '2025-11-25',
	    'Content-Type': 'application/json', ...headers };
	if (token !== null)
		h.Authorization = `Bearer ${token}`;
	return s.request('POST', `${s.base}/mcp`,
	    { body: JSON.stringify(body), headers: h });
}

// The JSON document at urlPath, or null when it is not ours (a 404, or
// the WordPress page the root sends everything else to).
async function documentAt(s, urlPath) {
	const res = await s.request('GET', urlPath);
	if (res.status !== 200 ||
	    !/^application\/json/.test(res.headers['content-type'] ?? ''))
		return { res, doc: null };
	return { res, doc: res.json() };
}

describe(`subdirectory install (${serverKind})`, { skip }, () => {
	let s;

	before(async () => {
		s = await TestServer.start({ subdir: SUB, users: [ALICE, MALLORY] });
	});

	after(async () => {
		await s?.stop();
	});

	it('has the issuer with its path', () => {
		assert.equal(s.base, `/${SUB}`);
		assert.match(s.issuer, new RegExp(`^https://localhost:\\d+/${SUB}$`));
	});

	it('serves the AS metadata under the subdirectory and at the ' +
	    'RFC 8414 root URL, every endpoint under the issuer', async () => {
		const inside = await documentAt(s,
		    `/${SUB}/.well-known/oauth-authorization-server`);
		const root = await documentAt(s,
		    `/.well-known/oauth-authorization-server/${SUB}`);
		for (const { res, doc } of [inside, root]) {
			assert.equal(res.status, 200, res.body);
			assert.equal(doc.issuer, s.issuer);
			for (const [k, p] of [
				['authorization_endpoint', '/authorize'],
				['token_endpoint', '/token'],
				['registration_endpoint', '/register'],
				['revocation_endpoint', '/revoke'],
				['device_authorization_endpoint',
				    '/device_authorization'],
			])
				assert.equal(doc[k], `${s.issuer}${p}`, k);
			assert.deepEqual(headerValues(res,
			    'Access-Control-Allow-Origin'), ['*']);
		}
		assert.equal(root.res.body, inside.res.body, 'the same bytes');
	});

	it('serves the protected resource metadata under the ' +
	    'subdirectory and at the RFC 9728 root URL', async () => {
		const urls = [
			`/${SUB}/.well-known/oauth-protected-resource`,
			`/${SUB}/.well-known/oauth-protected-resource/mcp`,
			`/.well-known/oauth-protected-resource/${SUB}/mcp`,
		];
		for (const u of urls) {
			const { res, doc } = await documentAt(s, u);
			assert.equal(res.status, 200, `${u}: ${res.body}`);
			assert.equal(doc.resource, `${s.issuer}/mcp`, u);
			assert.deepEqual(doc.authorization_servers, [s.issuer], u);
		}
	});

	it('serves no OpenID document and nothing that is not its own',
	    async () => {
		const oidc = await s.request('GET',
		    `/${SUB}/.well-known/openid-configuration`);
		assert.equal(oidc.status, 404);
		assert.equal(oidc.json().error, 'not_found');
		// Neither the root's OpenID URL, a near miss of the root
		// rule, nor the origin's own documents are ours.
		for (const u of [
			`/.well-known/openid-configuration/${SUB}`,
			`/.well-known/oauth-authorization-server/${SUB}X`,
			`/.well-known/oauth-protected-resource/${SUB}`,
			'/.well-known/oauth-authorization-server',
			'/authorize',
			`/${SUB}X/authorize`,
		]) {
			const { res, doc } = await documentAt(s, u);
			assert.ok(doc === null || doc.issuer !== s.issuer,
			    `${u}: ${res.status} ${res.body.slice(0, 200)}`);
		}
	});

	// Under a subdirectory our cookies are __Secure-, which another
	// host of the site may set for the whole domain (cookie tossing).
	// Mallory gets a consent page for her client in her own browser
	// and tosses her browser cookie at Alice, whose page then posts
	// Mallory's approval: with two cookies of one name the server
	// takes neither, and a post from another host of the site is
	// refused by its Sec-Fetch-Site before anything else.
	it('refuses a consent posted with a tossed cookie or from ' +
	    'another host of the site', async () => {
		const client = await register(s);
		const mallory = new Person(s, MALLORY.name, MALLORY.password);
		const { challenge } = pkce();
		const login = await mallory.get(s.base + authorizeQuery(client, {
			code_challenge: challenge,
			code_challenge_method: 'S256',
		}));
		const signedIn = await mallory.login(login);
		assert.equal(signedIn.status, 303, signedIn.body.slice(0, 300));
		const consent = await mallory.get(signedIn.headers.location);
		assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
		const form = {
			request: formField(consent.body, 'request'),
			csrf: formField(consent.body, 'csrf'),
			action: 'approve',
		};
		const tossed = [...mallory.jar.cookies]
		    .filter(([k]) => !/session/.test(k));
		assert.ok(tossed.length >= 1, mallory.jar.header());

		const alice = new Person(s, ALICE.name, ALICE.password);
		const page = await alice.get(s.base + authorizeQuery(
		    await register(s), { code_challenge: challenge,
		    code_challenge_method: 'S256' }));
		assert.equal((await alice.login(page)).status, 303);

		const post = (cookie, extra = {}) => s.request('POST',
		    `${s.base}/authorize`, { form,
		    headers: { Cookie: cookie, ...extra } });
		const fromSibling = await post(mallory.jar.header(),
		    { 'Sec-Fetch-Site': 'same-site' });
		assert.equal(fromSibling.status, 403, fromSibling.body);
		const both = tossed.map(([k, v]) => `${k}=${v}`).join('; ') +
		    '; ' + alice.jar.header();
		const res = await post(both);
		assert.notEqual(res.status, 302, res.headers.location);
		assert.ok(!/[?&]code=/.test(res.headers.location ?? ''));

		// The same form from Mallory's own browser, from our own
		// page, still works: the refusals above were the cookie's
		// and the header's.
		const own = await post(mallory.jar.header(),
		    { 'Sec-Fetch-Site': 'same-origin' });
		const { params } = redirectParams(own);
		assert.ok(params.code);
	});

	it('challenges with the resource metadata URL under the ' +
	    'subdirectory, which needs nothing at the root', async () => {
		const res = await rpc(s, null, { jsonrpc: '2.0', id: 1,
		    method: 'ping' });
		assert.equal(res.status, 401);
		const h = headerValues(res, 'WWW-Authenticate');
		const prm = `${s.issuer}/.well-known/oauth-protected-resource/mcp`;
		assert.equal(h.length, 1);
		assert.ok(h[0].startsWith(`Bearer resource_metadata="${prm}"`),
		    h[0]);
		const { doc } = await documentAt(s, new URL(prm).pathname);
		assert.equal(doc.resource, `${s.issuer}/mcp`);
	});

	it('signs in, exchanges the code and answers /mcp, all under the ' +
	    'subdirectory, with cookies kept to it', async () => {
		const client = await register(s);
		const person = new Person(s, ALICE.name, ALICE.password);
		const { verifier, challenge } = pkce();
		const start = s.base + authorizeQuery(client, {
			code_challenge: challenge,
			code_challenge_method: 'S256',
		});
		const login = await person.get(start);
		assert.equal(login.status, 200, login.body.slice(0, 300));
		assert.match(login.body, new RegExp(
		    `<form method="post" action="/${SUB}/authorize"`));
		assert.match(login.body, new RegExp(
		    `<link rel="stylesheet" href="/${SUB}/static/style.css">`));
		const css = await s.request('GET', `/${SUB}/static/style.css`);
		assert.equal(css.status, 200);
		assert.match(css.headers['content-type'], /^text\/css/);

		const signedIn = await person.login(login);
		assert.equal(signedIn.status, 303, signedIn.body.slice(0, 300));
		assert.ok(signedIn.headers.location.startsWith(
		    `/${SUB}/authorize?request=`), signedIn.headers.location);
		const cookies = [...headerValues(login, 'Set-Cookie'),
		    ...headerValues(signedIn, 'Set-Cookie')];
		assert.ok(cookies.length >= 2, cookies.join('\n'));
		for (const c of cookies) {
			assert.match(c, /^__Secure-mcp_\w+=/, c);
			assert.match(c, new RegExp(`; Path=/${SUB};`), c);
			assert.match(c, /; Secure;/, c);
		}

		const consent = await person.get(signedIn.headers.location);
		assert.equal(consent.status, 200, consent.body.slice(0, 300));
		assert.match(consent.body, new RegExp(
		    `action="/${SUB}/authorize"`));
		const back = await person.decide(consent, 'approve');
		const { params } = redirectParams(back);
		assert.equal(params.iss, s.issuer);
		const tok = await exchange(s, client, params.code, verifier);
		assert.equal(tok.status, 200, tok.body);
		const token = tok.json().access_token;

		const list = await rpc(s, token, { jsonrpc: '2.0', id: 2,
		    method: 'tools/list' });
		assert.equal(list.status, 200, list.body);
		const tools = list.json().result.tools.map((t) => t.name);
		assert.ok(tools.includes('whoami'), tools.join(' '));
		const me = await rpc(s, token, { jsonrpc: '2.0', id: 3,
		    method: 'tools/call', params: { name: 'whoami',
		    arguments: {} } });
		assert.equal(me.status, 200, me.body);
		assert.equal(me.json().result.structuredContent.user, 'alice');

		// A browser sends the issuer's origin, never its path.
		const origin = new URL(s.issuer).origin;
		const ok = await rpc(s, token, { jsonrpc: '2.0', id: 4,
		    method: 'ping' }, { Origin: origin });
		assert.equal(ok.status, 200, ok.body);
		const evil = await rpc(s, token, { jsonrpc: '2.0', id: 5,
		    method: 'ping' }, { Origin: 'https://evil.example' });
		assert.equal(evil.status, 403, evil.body);

		// The revocation endpoint too.
		const rev = await s.request('POST', `/${SUB}/revoke`, {
			form: { token, client_id: client.client_id },
		});
		assert.equal(rev.status, 200, rev.body);
		const gone = await rpc(s, token, { jsonrpc: '2.0', id: 6,
		    method: 'ping' });
		assert.equal(gone.status, 401);
	});

	it('gives a device a verification URI under the issuer', async () => {
		const client = await register(s, {
			redirect_uris: [],
			grant_types: ['urn:ietf:params:oauth:grant-type:' +
			    'device_code', 'refresh_token'],
		});
		const res = await s.request('POST',
		    `/${SUB}/device_authorization`,
		    { form: { client_id: client.client_id } });
		assert.equal(res.status, 200, res.body);
		const d = res.json();
		assert.equal(d.verification_uri, `${s.issuer}/device`);
		assert.ok(d.verification_uri_complete.startsWith(
		    `${s.issuer}/device?user_code=`));
		const page = await s.request('GET', `/${SUB}/device`);
		assert.equal(page.status, 200, page.body.slice(0, 300));
		// Not signed in: the sign-in page, which posts under it too.
		assert.match(page.body,
		    new RegExp(`action="/${SUB}/(device|authorize)"`));
	});
});

describe(`subdirectory install without the root rule (${serverKind})`,
    { skip }, () => {
	let s;

	before(async () => {
		s = await TestServer.start({ subdir: SUB, rootRule: false });
	});

	after(async () => {
		await s?.stop();
	});

	it('serves the documents under the subdirectory only', async () => {
		const inside = await documentAt(s,
		    `/${SUB}/.well-known/oauth-authorization-server`);
		assert.equal(inside.doc?.issuer, s.issuer);
		for (const u of [
			`/.well-known/oauth-authorization-server/${SUB}`,
			`/.well-known/oauth-protected-resource/${SUB}/mcp`,
		]) {
			const { res, doc } = await documentAt(s, u);
			assert.equal(doc, null, `${u}: ${res.status} ` +
			    res.body.slice(0, 200));
		}
	});
});

describe(`origin install beside it (${serverKind})`, () => {
	let s;

	before(async () => {
		s = await TestServer.start({ users: [ALICE] });
	});

	after(async () => {
		await s?.stop();
	});

	it('keeps the issuer, root URLs and __Host- cookies', async () => {
		assert.equal(s.base, '');
		assert.doesNotMatch(new URL(s.issuer).pathname, /[^/]/);
		assert.equal(s.issuer, new URL(s.issuer).origin);
		const { doc } = await documentAt(s,
		    '/.well-known/oauth-authorization-server');
		assert.equal(doc.issuer, s.issuer);
		assert.equal(doc.authorization_endpoint, `${s.issuer}/authorize`);
		const client = await register(s);
		const jar = new CookieJar();
		const page = await s.request('GET', authorizeQuery(client, {
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		}));
		jar.take(page);
		assert.match(page.body, /<form method="post" action="\/authorize"/);
		assert.match(page.body, /href="\/static\/style.css"/);
		const res = await s.request('POST', '/authorize', {
			form: {
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'login',
				username: ALICE.name,
				password: ALICE.password,
			},
			headers: { Cookie: jar.header() },
		});
		assert.equal(res.status, 303, res.body.slice(0, 300));
		assert.ok(res.headers.location.startsWith('/authorize?request='));
		const cookies = [...headerValues(page, 'Set-Cookie'),
		    ...headerValues(res, 'Set-Cookie')];
		assert.ok(cookies.length >= 2, cookies.join('\n'));
		for (const c of cookies) {
			assert.match(c, /^__Host-mcp_\w+=/, c);
			assert.match(c, /; Path=\/;/, c);
		}
	});
});
