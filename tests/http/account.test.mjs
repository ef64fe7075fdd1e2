// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// /account, the account page (authorize.fcgi): its sign-in through the
// login page's sign-in (with the same throttling), the connected apps
// and their revocation (the token refused at /mcp on the very next
// request), the sessions and "sign out everywhere", the password
// change, the recent activity from the audit trail (her own events
// only, in words), the CSRF token of every form and the refusal of a
// form another host of the site posts, the escaping of a hostile
// client name and the headers of every page.  Each test uses a user of
// its own, so that none sees another's grants or sessions.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues, serverKind } from '../lib/harness.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { CgiSite } from '../lib/cgi.mjs';
import {
	CookieJar, Person, formField, obtainTokens, pkce, refresh, register,
} from '../lib/oauth.mjs';

const CONFIG = 'login_max_failures = 3\nlogin_lockout = 10m';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace',
    'heidi', 'ivan', 'mallory']
    .map((name) => ({ name, password: `${name}-Pw-1` }));

let s;
let base;

before(async () => {
	s = await TestServer.start({ config: CONFIG, users: USERS });
	base = s.base ?? '';
});

after(async () => {
	await s?.stop();
});

// A browser of one person on the account page.
class Browser {
	constructor(name, password = `${name}-Pw-1`, from = undefined,
	    server = s) {
		this.s = server;
		this.base = server.base ?? '';
		this.name = name;
		this.password = password;
		this.jar = new CookieJar();
		this.from = from;
	}

	async request(method, path, form, headers = {}) {
		const res = await this.s.request(method, this.base + path, {
			headers: { Cookie: this.jar.header(), ...headers },
			form,
			from: this.from,
		});
		this.jar.take(res);
		return res;
	}

	page() {
		return this.request('GET', '/account');
	}

	// Signs in from the account page's form; returns the POST's answer.
	async signIn(password = this.password) {
		const form = await this.page();
		assertHtmlPage(form, 200);
		assert.match(form.body, /<h1>Sign in<\/h1>/);
		assert.match(form.body, new RegExp(
		    `<form method="post" action="${this.base}/authorize">`));
		return this.request('POST', '/authorize', {
			request: formField(form.body, 'request'),
			csrf: formField(form.body, 'csrf'),
			action: 'login',
			username: this.name,
			password,
		});
	}

	// Signs in and returns the account page.
	async signedIn() {
		const res = await this.signIn();
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location, `${this.base}/account`);
		const page = await this.page();
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Your account<\/h1>/);
		return page;
	}

	// Posts one of the page's forms: action with its fields and the
	// page's CSRF token (csrf: null leaves it out).
	post(page, action, fields = {}, csrf = formField(page.body, 'csrf'),
	    headers = {}) {
		const form = { action, ...fields };
		if (csrf !== null)
			form.csrf = csrf;
		return this.request('POST', '/account', form, headers);
	}
}

// The grant ids of the apps listed on a page, in order.
function grantsOf(page) {
	return [...page.body.matchAll(/name="grant" value="([0-9a-f]{32})"/g)]
	    .map((m) => m[1]);
}

// The sessions listed on a page: id and whether it is this browser's.
function sessionsOf(page) {
	return [...page.body.matchAll(
	    /<li id="session-([0-9a-f]{32})">(.*?)<\/li>/gs)]
	    .map((m) => ({ id: m[1], current: m[2].includes('this browser') }));
}

// The status /mcp gives a tools/list with token.
async function mcpStatus(token, server = s) {
	const res = await server.request('POST', `${server.base ?? ''}/mcp`, {
		json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
	});
	return res.status;
}

// The recent activity of a page: per line, what happened (its text,
// and its HTML), from where, and when (the datetime attribute).
function activityOf(page) {
	const table = page.body.match(
	    /<table class="activity">([^]*?)<\/table>/);
	if (!table)
		return [];
	const text = (html) => html.replace(/<[^>]*>/g, '');
	return [...table[1].matchAll(/<tr><td><time datetime="([^"]*)">[^<]*<\/time><\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/g)]
	    .map((m) => ({ time: m[1], what: text(m[2]), html: m[2],
		from: text(m[3]) }));
}

function errorOf(page) {
	const m = page.body.match(/<p class="error" role="alert">([^<]*)<\/p>/);
	return m ? m[1] : undefined;
}

describe('sign-in', () => {
	it('shows the sign-in form to a visitor and comes back after it',
	    async () => {
		const b = new Browser('alice');
		const page = await b.signedIn();
		assert.match(page.body, /Signed in as <strong>alice<\/strong>/);
		assert.match(page.body, /<h2 id="apps-heading">Connected apps/);
		assert.match(page.body, /<h2 id="sessions-heading">Sessions/);
		assert.match(page.body, /<h2 id="password-heading">Password/);
		assert.match(page.body,
		    /<h2 id="activity-heading">Recent activity/);
		// This sign-in is her newest event.
		assert.deepEqual(activityOf(page).slice(0, 1).map((e) =>
		    [e.what, e.from]), [['Signed in', '127.0.0.1']]);
		assert.match(page.body, /<caption>Security events of your account, newest first/);
		assert.match(page.body, /<th scope="col">When<\/th>/);
	});

	it('refuses a wrong password with the login page\'s message',
	    async () => {
		const b = new Browser('dave', 'dave-wrong');
		const res = await b.signIn();
		assertHtmlPage(res, 403);
		assert.equal(errorOf(res), 'Wrong user name or password.');
		assert.match(res.body, /<h1>Sign in<\/h1>/);
		assert.match(res.body, /your connected applications, sessions and password/);
	});

	it('shares the sign-in throttling with /authorize', async () => {
		const client = await register(s);
		const at = new Person(s, 'erin', 'erin-wrong');
		at.from = '127.0.0.7';
		for (let i = 0; i < 3; i++) {
			const page = await at.get(`${base}/authorize?` +
			    new URLSearchParams({
				response_type: 'code',
				client_id: client.client_id,
				code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
				code_challenge_method: 'S256',
			}));
			assertHtmlPage(await at.login(page), 403);
		}
		// The right password, now at /account: still throttled.
		const b = new Browser('erin', 'erin-Pw-1', '127.0.0.8');
		const res = await b.signIn();
		assertHtmlPage(res, 429);
		assert.ok(Number(headerValues(res, 'Retry-After')[0]) > 0);
		assert.match(errorOf(res), /^Too many failed sign-ins/);
	});

	it('is where the consent page sends people to revoke', async () => {
		const client = await register(s);
		const p = new Person(s, 'frank', 'frank-Pw-1');
		let page = await p.get(`${base}/authorize?` + new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
			code_challenge_method: 'S256',
		}));
		const res = await p.login(page);
		assert.equal(res.status, 303, res.body.slice(0, 400));
		page = await p.get(res.headers.location);
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		assert.ok(page.body.includes(`revoke this access later on <a ` +
		    `href="${base}/account">your account page</a>`));
	});

	it('answers 405 to other methods', async () => {
		const res = await s.request('PUT', `${base}/account`);
		assertHtmlPage(res, 405);
		assert.deepEqual(headerValues(res, 'Allow'), ['GET, HEAD, POST']);
	});
});

describe('connected apps', () => {
	it('lists a granted app with its name, host, scopes and dates',
	    async () => {
		const client = await register(s, { client_name: 'Notes app' });
		const person = new Person(s, 'frank', 'frank-Pw-1');
		const tok = await obtainTokens(s, person, client);
		const b = new Browser('frank');
		let page = await b.signedIn();
		assert.equal(grantsOf(page).length, 1);
		assert.match(page.body, /<span class="client">Notes app<\/span> <span class="tag">name given by the application<\/span>/);
		assert.match(page.body, /<code>127\.0\.0\.1:9999<\/code>/);
		assert.match(page.body, /<li><strong>mcp<\/strong>/);
		const date = /\d{4}-\d\d-\d\d \d\d:\d\d UTC/;
		for (const cls of ['granted', 'last-used', 'expires'])
			assert.match(page.body, new RegExp(`<dd class="${cls}">` +
			    date.source), cls);
		// A refresh is a use: the grant stays listed, once.
		const r = await refresh(s, client, tok.refresh_token);
		assert.equal(r.status, 200, r.body);
		page = await b.page();
		assert.equal(grantsOf(page).length, 1);
	});

	it('revokes an app: its token is refused at /mcp at once',
	    async () => {
		const client = await register(s, { client_name: 'Revoked app' });
		const person = new Person(s, 'alice', 'alice-Pw-1');
		const tok = await obtainTokens(s, person, client);
		assert.equal(await mcpStatus(tok.access_token), 200);
		const b = new Browser('alice');
		let page = await b.signedIn();
		const [grant] = grantsOf(page);
		assert.ok(grant);
		const res = await b.post(page, 'revoke', { grant });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location, `${base}/account?done=revoked`);
		assert.equal(await mcpStatus(tok.access_token), 401);
		const r = await refresh(s, client, tok.refresh_token);
		assert.equal(r.status, 400, r.body);
		page = await b.request('GET', '/account?done=revoked');
		assertHtmlPage(page, 200);
		assert.deepEqual(grantsOf(page), []);
		assert.match(page.body, /<p class="notice" role="status">Access revoked/);
	});

	it('refuses to revoke another user\'s grant', async () => {
		const client = await register(s);
		const tok = await obtainTokens(s,
		    new Person(s, 'bob', 'bob-Pw-1'), client);
		const bob = new Browser('bob');
		const [grant] = grantsOf(await bob.signedIn());
		const mallory = new Browser('mallory');
		const page = await mallory.signedIn();
		const res = await mallory.post(page, 'revoke', { grant });
		assertHtmlPage(res, 404);
		assert.equal(await mcpStatus(tok.access_token), 200);
	});

	it('escapes a hostile client name', async () => {
		const name = '<script>alert(1)</script><img src=x onerror=y>"\'&';
		const client = await register(s, { client_name: name });
		await obtainTokens(s, new Person(s, 'mallory', 'mallory-Pw-1'),
		    client);
		const page = await new Browser('mallory').signedIn();
		assert.doesNotMatch(page.body, /<script|<img/);
		// In the recent activity too: the consent and the token.
		const named = activityOf(page).filter((e) =>
		    e.html.includes('<span class="client">&lt;script&gt;'));
		assert.ok(named.some((e) => e.what.startsWith('Allowed ')) &&
		    named.some((e) => e.what.startsWith('Token issued to ')),
		    JSON.stringify(activityOf(page)));
		assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;' +
		    '&lt;img src=x onerror=y&gt;&quot;&#39;&amp;') ||
		    page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;' +
		    '&lt;img src=x onerror=y&gt;&quot;&#x27;&amp;'),
		    page.body.match(/<h3[^]*?<\/h3>/g)?.join('\n'));
	});
});

describe('CSRF', () => {
	it('refuses each form without its token or with a wrong one',
	    async () => {
		const client = await register(s);
		const tok = await obtainTokens(s,
		    new Person(s, 'mallory', 'mallory-Pw-1'), client);
		const b = new Browser('mallory');
		const page = await b.signedIn();
		const grant = grantsOf(page).at(-1);
		const [session] = sessionsOf(page);
		const forms = [
			['revoke', { grant }],
			['signout', { session: session.id }],
			['signout_all', {}],
			['password', { current: 'mallory-Pw-1', new: 'x-Pw-2',
			    again: 'x-Pw-2' }],
		];
		const other = await new Browser('bob').signedIn();
		for (const [action, fields] of forms)
			for (const csrf of [null, '', 'f'.repeat(64),
			    formField(other.body, 'csrf')]) {
				const res = await b.post(page, action, fields, csrf);
				assert.equal(res.status, 403, `${action} ${csrf}: ` +
				    `${res.status} ${res.headers.location}`);
				assertHtmlPage(res, 403);
				assert.match(res.body, /not sent from the page/);
			}
		// Nothing happened.
		assert.equal(await mcpStatus(tok.access_token), 200);
		const again = await b.page();
		assert.match(again.body, /<h1>Your account<\/h1>/);
		assert.ok(grantsOf(again).includes(grant));
	});
});

// Another host of the site (a sibling subdomain) may have tossed a
// cookie of its choosing at this browser, and so know the CSRF token
// bound to it: the browser's Sec-Fetch-Site says where a form comes
// from, and only our own origin may post.
describe('cross-site forms', () => {
	it('refuses a form another site posts, takes one from this origin',
	    async () => {
		const b = new Browser('heidi');
		const page = await b.signedIn();
		for (const site of ['same-site', 'cross-site']) {
			const res = await b.post(page, 'signout_all', {},
			    undefined, { 'Sec-Fetch-Site': site });
			assertHtmlPage(res, 403);
			assert.match(res.body,
			    /can only be sent from this site&#39;s own page/);
			assert.match((await b.page()).body,
			    /<h1>Your account<\/h1>/, site);
		}
		for (const site of ['same-origin', 'none']) {
			const res = await b.post(page, 'signout', {
				session: sessionsOf(page)[0].id,
			}, undefined, { 'Sec-Fetch-Site': site });
			assert.equal(res.status, 303, `${site}: ${res.body}`);
			assert.match((await b.page()).body, /<h1>Sign in<\/h1>/);
			await b.signedIn();
			page.body = (await b.page()).body;
		}
	});
});

describe('recent activity', () => {
	it('lists her own events in words, newest first, and no one ' +
	    'else\'s', async () => {
		const client = await register(s, { client_name: 'Grace app' });
		const person = new Person(s, 'grace', 'grace-Pw-1');
		person.from = '127.0.0.21';
		let tok = await obtainTokens(s, person, client);
		for (let i = 0; i < 3; i++) {
			const r = await refresh(s, client, tok.refresh_token);
			assert.equal(r.status, 200, r.body);
			tok = r.json();
		}
		// Ivan, on the same app, from another address.
		const ivan = new Person(s, 'ivan', 'ivan-Pw-1');
		ivan.from = '127.0.0.22';
		await obtainTokens(s, ivan, client);
		// A wrong password typed for grace is hers to see.
		assertHtmlPage(await new Browser('grace', 'grace-wrong',
		    '127.0.0.23').signIn(), 403);

		const b = new Browser('grace', 'grace-Pw-1', '127.0.0.24');
		let page = await b.signedIn();
		let rows = activityOf(page);
		assert.deepEqual(rows.map((e) => [e.what.replace(
		    / since .* UTC$/, ' since …'), e.from]), [
			['Signed in', '127.0.0.24'],
			['Sign-in failed', '127.0.0.23'],
			['Access renewed for Grace app, 3 times since …',
			    '127.0.0.1'],
			['Token issued to Grace app', '127.0.0.1'],
			['Allowed Grace app', '127.0.0.21'],
			['Signed in', '127.0.0.21'],
			// Added with the admin tool, which has no address.
			['Account created by the administrator',
			    'not recorded'],
		], JSON.stringify(rows));
		assert.ok(rows.every((e) =>
		    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(e.time)));
		assert.ok(rows[0].time >= rows.at(-1).time);
		assert.match(rows[2].what, / since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
		assert.doesNotMatch(page.body, /127\.0\.0\.22/);

		// Revoke the app, change the password, sign out everywhere.
		let res = await b.post(page, 'revoke',
		    { grant: grantsOf(page)[0] });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		res = await b.post(page, 'password', { current: 'grace-Pw-1',
		    new: 'grace-Pw-2', again: 'grace-Pw-2' });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		page = await b.page();
		rows = activityOf(page);
		assert.deepEqual(rows.slice(0, 3).map((e) => [e.what, e.from]), [
			['Password changed', '127.0.0.24'],
			['Access of Grace app revoked by you', '127.0.0.24'],
			['Signed in', '127.0.0.24'],
		], JSON.stringify(rows));
		res = await b.post(page, 'signout_all');
		assert.equal(res.status, 303);
		b.password = 'grace-Pw-2';
		page = await b.signedIn();
		assert.deepEqual(activityOf(page).slice(0, 2).map((e) => e.what),
		    ['Signed in', 'Signed out everywhere']);

		// Ivan sees his, and none of hers.
		const ivanPage = await new Browser('ivan', 'ivan-Pw-1',
		    '127.0.0.25').signedIn();
		const his = activityOf(ivanPage);
		assert.deepEqual(his.map((e) => [e.what, e.from]), [
			['Signed in', '127.0.0.25'],
			['Token issued to Grace app', '127.0.0.1'],
			['Allowed Grace app', '127.0.0.22'],
			['Signed in', '127.0.0.22'],
			['Account created by the administrator',
			    'not recorded'],
		], JSON.stringify(his));
		assert.doesNotMatch(ivanPage.body,
		    /127\.0\.0\.2[134]|Password changed|revoked|Sign-in failed/);
	});
});

describe('sessions', () => {
	it('lists this browser and others, signs one out, then everywhere',
	    async () => {
		const one = new Browser('dave');
		const two = new Browser('dave');
		const three = new Browser('dave');
		await one.signedIn();
		await two.signedIn();
		await three.signedIn();
		let page = await one.page();
		const sessions = sessionsOf(page);
		assert.equal(sessions.length, 3, page.body);
		assert.equal(sessions.filter((x) => x.current).length, 1);
		// Sign out one of the others: which one is the others' to say.
		const twoIds = sessionsOf(await two.page())
		    .filter((x) => x.current).map((x) => x.id);
		let res = await one.post(page, 'signout', { session: twoIds[0] });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.match((await two.page()).body, /<h1>Sign in<\/h1>/);
		assert.match((await three.page()).body, /<h1>Your account<\/h1>/);
		page = await one.page();
		assert.equal(sessionsOf(page).length, 2);
		// Everywhere, this browser included.
		res = await one.post(page, 'signout_all');
		assert.equal(res.status, 303);
		assert.ok(headerValues(res, 'Set-Cookie')
		    .some((c) => /Max-Age=0/.test(c)));
		assert.match((await one.page()).body, /<h1>Sign in<\/h1>/);
		assert.match((await three.page()).body, /<h1>Sign in<\/h1>/);
	});
});

describe('password', () => {
	it('changes it with the current one; other sessions end, this one ' +
	    'stays', async () => {
		const here = new Browser('carol');
		const there = new Browser('carol');
		let page = await here.signedIn();
		await there.signedIn();

		let res = await here.post(page, 'password', {
			current: 'carol-wrong', new: 'carol-Pw-2',
			again: 'carol-Pw-2' });
		assertHtmlPage(res, 403);
		assert.match(errorOf(res), /current password is wrong/);
		res = await here.post(page, 'password', {
			current: 'carol-Pw-1', new: 'carol-Pw-2',
			again: 'carol-Pw-3' });
		assertHtmlPage(res, 400);
		assert.match(errorOf(res), /differ/);
		res = await here.post(page, 'password', {
			current: 'carol-Pw-1', new: '', again: '' });
		assertHtmlPage(res, 400);
		// Nothing changed yet: both sessions live.
		assert.match((await there.page()).body, /<h1>Your account/);

		const sessionName = [...here.jar.cookies.keys()]
		    .find((k) => /mcp_session$/.test(k));
		const oldSession = here.jar.cookies.get(sessionName);
		res = await here.post(page, 'password', {
			current: 'carol-Pw-1', new: 'carol-Pw-2',
			again: 'carol-Pw-2' });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location,
		    `${base}/account?done=password`);
		// This browser goes on in a new session: a stolen copy of
		// its old cookie is signed out too.
		assert.notEqual(here.jar.cookies.get(sessionName), oldSession);
		const stolen = await s.request('GET', `${base}/account`, {
			headers: { Cookie: `${sessionName}=${oldSession}` } });
		assert.match(stolen.body, /<h1>Sign in<\/h1>/);
		page = await here.page();
		assert.match(page.body, /<h1>Your account<\/h1>/);
		assert.equal(sessionsOf(page).length, 1);
		assert.match((await there.page()).body, /<h1>Sign in<\/h1>/);

		const old = new Browser('carol', 'carol-Pw-1');
		assertHtmlPage(await old.signIn(), 403);
		await new Browser('carol', 'carol-Pw-2').signedIn();
	});
});

describe('headers', () => {
	it('every page is no-store and framed by nobody', async () => {
		const b = new Browser('bob');
		// The sign-in form, the page, and an error page.
		assertHtmlPage(await b.page(), 200);
		const page = await b.signedIn();
		assertHtmlPage(page, 200);
		assertHtmlPage(await b.post(page, 'no-such-action'), 400);
		const head = await s.request('HEAD', `${base}/account`);
		assert.equal(head.status, 200);
		assert.deepEqual(headerValues(head, 'Cache-Control'), ['no-store']);
	});
});

// A subdirectory install: the page, its forms and its redirects under
// the issuer's path.  (The vhost installs at an origin.)
describe(`subdirectory install (${serverKind})`, {
	skip: serverKind === 'apache-vhost' ? 'the vhost installs at an ' +
	    'origin' : false,
}, () => {
	let sub;

	before(async () => {
		sub = await TestServer.start({ subdir: 'mcp-auth',
		    users: [{ name: 'alice', password: 'alice-Pw-1' }] });
	});

	after(async () => {
		await sub?.stop();
	});

	it('signs in, lists and revokes under the subdirectory', async () => {
		assert.equal(sub.base, '/mcp-auth');
		const client = await register(sub, { client_name: 'Sub app' });
		const tok = await obtainTokens(sub,
		    new Person(sub, 'alice', 'alice-Pw-1'), client);
		const b = new Browser('alice', 'alice-Pw-1', undefined, sub);
		const page = await b.signedIn();
		assert.match(page.body, /action="\/mcp-auth\/account"/);
		assert.match(page.body, /href="\/mcp-auth\/static\/style.css"/);
		assert.ok(headerValues(page, 'Set-Cookie').every((c) =>
		    /Path=\/mcp-auth/.test(c)));
		const [grant] = grantsOf(page);
		const res = await b.post(page, 'revoke', { grant });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location,
		    '/mcp-auth/account?done=revoked');
		assert.equal(await mcpStatus(tok.access_token, sub), 401);
	});
});

// With user_auth = remote_user the web server signs people in: the
// page lists and revokes apps, and has no sessions nor password.  The
// programs run as CGI with the environment the test chooses.
describe('user_auth = remote_user', () => {
	let site;
	let app;

	before(() => {
		site = new CgiSite({ config: 'user_auth = remote_user' });
		app = JSON.parse(site.admin(['--json', 'client', 'add', '--name',
		    'Remote <App>', '--redirect-uri',
		    'http://127.0.0.1/callback']).stdout);
	});

	after(() => {
		site?.cleanup();
	});

	const cookieOf = (res) => res.header('Set-Cookie')
	    .map((h) => h.split(';')[0]).join('; ');

	// alice approves app; returns the token response.
	function grant() {
		const { verifier, challenge } = pkce();
		const page = site.run('authorize.fcgi', {
			target: '/authorize?' + new URLSearchParams({
				response_type: 'code', client_id: app.client_id,
				code_challenge: challenge,
				code_challenge_method: 'S256' }),
			env: { REMOTE_USER: 'alice' },
		});
		assert.equal(page.status, 200, page.body);
		const res = site.run('authorize.fcgi', {
			method: 'POST', target: '/authorize',
			headers: { Cookie: cookieOf(page) },
			env: { REMOTE_USER: 'alice' },
			body: new URLSearchParams({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'approve' }).toString(),
		});
		assert.equal(res.status, 302, res.body);
		const code = new URL(res.header('Location')[0]).searchParams
		    .get('code');
		const tok = site.run('token.fcgi', {
			method: 'POST', target: '/token',
			body: new URLSearchParams({
				grant_type: 'authorization_code', code,
				code_verifier: verifier,
				client_id: app.client_id }).toString(),
		});
		assert.equal(tok.status, 200, tok.body);
		return tok.json();
	}

	it('lists and revokes apps; no sessions, no password', () => {
		const tok = grant();
		const page = site.run('authorize.fcgi', { target: '/account',
		    env: { REMOTE_USER: 'alice' } });
		assert.equal(page.status, 200, page.body);
		assert.match(page.body, /Signed in as <strong>alice<\/strong>/);
		assert.match(page.body, /Remote &lt;App&gt;<\/span><\/h3>/);
		assert.doesNotMatch(page.body, /type="password"|Sessions/);
		const [grantId] = grantsOf(page);
		// Another user of the web server cannot use alice's form.
		const foreign = site.run('authorize.fcgi', {
			method: 'POST', target: '/account',
			headers: { Cookie: cookieOf(page) },
			env: { REMOTE_USER: 'bob' },
			body: new URLSearchParams({ action: 'revoke',
			    grant: grantId, csrf: formField(page.body, 'csrf') })
			    .toString(),
		});
		assert.equal(foreign.status, 403, foreign.body);
		const res = site.run('authorize.fcgi', {
			method: 'POST', target: '/account',
			headers: { Cookie: cookieOf(page) },
			env: { REMOTE_USER: 'alice' },
			body: new URLSearchParams({ action: 'revoke',
			    grant: grantId, csrf: formField(page.body, 'csrf') })
			    .toString(),
		});
		assert.equal(res.status, 303, res.body);
		const again = site.run('token.fcgi', {
			method: 'POST', target: '/token',
			body: new URLSearchParams({
				grant_type: 'refresh_token',
				refresh_token: tok.refresh_token,
				client_id: app.client_id }).toString(),
		});
		assert.equal(again.status, 400, again.body);
	});

	it('shows an error page without REMOTE_USER', () => {
		const res = site.run('authorize.fcgi', { target: '/account' });
		assert.equal(res.status, 403, res.body);
		assert.match(res.body, /Not signed in/);
	});
});
