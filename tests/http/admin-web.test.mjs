// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// /admin, the administration pages (authorize.fcgi): off by default
// (404, saying nothing of administration), the sign-in that comes back
// to /admin, 403 for a person without the administrator flag, the
// statistics page and its one action ("purge now"), the form checks
// (same origin, the CSRF token of the administration pages: missing,
// wrong, another administrator's, the account page's), the password
// asked again after admin_reauth_after (the fields kept, escaped; a
// wrong password; the session replaced), the headers of every page,
// HEAD and other methods, and the escaping of a user name and of the
// query.  The clock of the programs is the tests' (fakeclock.mjs), so
// that a session can grow old without waiting.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues, serverKind } from '../lib/harness.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import { CookieJar, formField } from '../lib/oauth.mjs';

const CONFIG = 'admin_web = on\nadmin_reauth_after = 30s\n' +
    'login_max_failures = 3\nlogin_lockout = 10m';
const ROOT = { name: 'root', password: 'root-Pw-1' };
// A name with the characters user names allow beyond letters.
const ODD = { name: 'a+b@c.d', password: 'odd-Pw-1' };
const BOB = { name: 'bob', password: 'bob-Pw-1' };
const HOSTILE = '"><script>alert(1)</script>';

let s;
let clock;

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({ config: CONFIG, users: [ROOT, ODD, BOB],
	    env: clock.env() });
	s.admin(['user', 'admin', ROOT.name, 'on']);
	s.admin(['user', 'admin', ODD.name, 'on']);
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

// A browser of one person on the administration pages.
class Browser {
	constructor(user, server = s) {
		this.s = server;
		this.base = server.base ?? '';
		this.user = user;
		this.jar = new CookieJar();
	}

	async request(method, path, form, headers = {}) {
		const res = await this.s.request(method, this.base + path, {
			headers: { Cookie: this.jar.header(), ...headers },
			form,
		});
		this.jar.take(res);
		return res;
	}

	// Signs in from the form /admin shows; returns the POST's answer.
	async signIn(password = this.user.password) {
		const form = await this.request('GET', '/admin');
		assertHtmlPage(form, 200);
		assert.match(form.body, /<h1>Sign in<\/h1>/);
		return this.request('POST', '/authorize', {
			request: formField(form.body, 'request'),
			csrf: formField(form.body, 'csrf'),
			action: 'login',
			username: this.user.name,
			password,
		});
	}

	// Signs in and returns the statistics page.
	async signedIn() {
		const res = await this.signIn();
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location, `${this.base}/admin`);
		const page = await this.request('GET', '/admin');
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Statistics<\/h1>/);
		return page;
	}

	post(path, fields, headers = {}) {
		return this.request('POST', path, fields, headers);
	}
}

describe('admin_web = off', () => {
	let off;

	before(async () => {
		off = await TestServer.start({ users: [ROOT] });
		off.admin(['user', 'admin', ROOT.name, 'on']);
	});

	after(async () => {
		await off?.stop();
	});

	it('answers every /admin URL with the plain 404 page', async () => {
		for (const url of ['/admin', '/admin/', '/admin/users',
		    '/admin/stats']) {
			const res = await off.request('GET', url);
			assertHtmlPage(res, 404);
			assert.doesNotMatch(res.body, /admin/i, url);
		}
		const post = await off.request('POST', '/admin', {
			form: { action: 'purge' },
		});
		assertHtmlPage(post, 404);
	});
});

describe('sign-in and who may see the pages', () => {
	it('asks to sign in, then comes back to /admin', async () => {
		const b = new Browser(ROOT);
		const page = await b.signedIn();
		assert.match(page.body, /<nav aria-label="Administration"/);
		assert.match(page.body,
		    /<a href="\/admin" aria-current="page">Statistics<\/a>/);
		assert.match(page.body, /Signed in as <strong>root<\/strong>/);
		assert.match(page.body, /<a href="\/account">/);
		// Three users were made for this file.
		assert.match(page.body, /<dd id="stat-users">3<\/dd>/);
		const stats = await b.request('GET', '/admin/stats');
		assertHtmlPage(stats, 200);
		assert.match(stats.body, /<dd id="stat-users">3<\/dd>/);
	});

	it('refuses a person without the administrator flag: 403',
	    async () => {
		const b = new Browser(BOB);
		const res = await b.signIn();
		assert.equal(res.status, 303);
		const page = await b.request('GET', '/admin');
		assertHtmlPage(page, 403);
		assert.doesNotMatch(page.body, /Statistics/);
		const post = await b.post('/admin', { action: 'purge' });
		assertHtmlPage(post, 403);
	});

	it('takes the flag away with "user admin NAME off"', async () => {
		const carol = { name: 'carol', password: 'carol-Pw-1' };
		s.addUser(carol.name, carol.password);
		s.admin(['user', 'admin', carol.name, 'on']);
		const b = new Browser(carol);
		await b.signedIn();
		s.admin(['user', 'admin', carol.name, 'off']);
		assertHtmlPage(await b.request('GET', '/admin'), 403);
		const r = s.admin(['user', 'admin', 'nobody', 'on'],
		    { allowFailure: true });
		assert.equal(r.status, 1);
		assert.match(r.stderr, /no such user/);
		s.admin(['user', 'del', carol.name]);
	});

	it('answers 404 for unknown pages, HEAD, and 405 for PUT',
	    async () => {
		const b = new Browser(ROOT);
		await b.signedIn();
		for (const url of ['/admin/nope', '/admin/stats/x',
		    '/admin//stats', '/adminx']) {
			const res = await b.request('GET', url);
			assertHtmlPage(res, 404);
		}
		const head = await b.request('HEAD', '/admin');
		assert.equal(head.status, 200);
		assert.equal(head.body, '');
		const put = await b.request('PUT', '/admin');
		assertHtmlPage(put, 405);
		assert.deepEqual(headerValues(put, 'Allow'),
		    ['GET, HEAD, POST']);
	});

	it('never shows a user name or the query raw', async () => {
		const b = new Browser(ODD);
		await b.signedIn();
		const page = await b.request('GET', '/admin?done=' +
		    encodeURIComponent(HOSTILE) + '&x=' +
		    encodeURIComponent(HOSTILE));
		assertHtmlPage(page, 200);
		assert.match(page.body, /Signed in as <strong>a\+b@c\.d<\/strong>/);
		assert.doesNotMatch(page.body, /<script/);
		assert.doesNotMatch(page.body, /alert/);
	});
});

describe('forms', () => {
	it('runs "purge now" and says when the last purge was', async () => {
		const b = new Browser(ROOT);
		const page = await b.signedIn();
		const res = await b.post('/admin', {
			csrf: formField(page.body, 'csrf'),
			action: 'purge',
		});
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location, '/admin?done=purged');
		assert.deepEqual(headerValues(res, 'Cache-Control'), ['no-store']);
		const after = await b.request('GET', '/admin?done=purged');
		assert.match(after.body, /<p class="notice" role="status">Purge done/);
		assert.match(after.body,
		    /<dd id="stat-purge">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/dd>/);
		const text = s.admin(['stats']).stdout;
		assert.match(text, /^last purge +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/m);
		const json = JSON.parse(s.admin(['--json', 'stats']).stdout);
		assert.equal(typeof json.last_purge, 'number');
		assert.ok(Math.abs(json.last_purge - Date.now() / 1000) < 3600);
	});

	it('refuses a missing, wrong or foreign CSRF token', async () => {
		const b = new Browser(ROOT);
		const page = await b.signedIn();
		const other = new Browser(ODD);
		const otherPage = await other.signedIn();
		const account = await b.request('GET', '/account');
		const accountCsrf = formField(account.body, 'csrf');
		assert.ok(accountCsrf);
		for (const csrf of [undefined, 'x'.repeat(64),
		    formField(otherPage.body, 'csrf'), accountCsrf]) {
			const form = { action: 'purge' };
			if (csrf !== undefined)
				form.csrf = csrf;
			const res = await b.post('/admin', form);
			assertHtmlPage(res, 403);
			assert.match(res.body, /cannot be used/);
		}
		assert.notEqual(formField(page.body, 'csrf'), accountCsrf);
	});

	it('refuses a form another site posts', async () => {
		const b = new Browser(ROOT);
		const page = await b.signedIn();
		for (const site of ['same-site', 'cross-site']) {
			const res = await b.post('/admin', {
				csrf: formField(page.body, 'csrf'),
				action: 'purge',
			}, { 'Sec-Fetch-Site': site });
			assertHtmlPage(res, 403);
			assert.match(res.body,
			    /can only be sent from this site&#39;s own page/);
		}
	});
});

describe('the password asked again', () => {
	after(() => clock.real());

	it('keeps the fields, refuses a wrong password, then acts in a ' +
	    'new session', async () => {
		const b = new Browser(ROOT);
		const page = await b.signedIn();
		const csrf = formField(page.body, 'csrf');
		const oldCookies = b.jar.header();
		clock.offset(120);
		const fields = { csrf, action: 'purge', note: HOSTILE };
		const confirm = await b.post('/admin', fields);
		assertHtmlPage(confirm, 200);
		assert.match(confirm.body, /<h1>Confirm with your password<\/h1>/);
		assert.match(confirm.body,
		    /<input type="hidden" name="action" value="purge">/);
		assert.match(confirm.body, /<input type="hidden" name="note" value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;">/);
		assert.doesNotMatch(confirm.body, /<script/);
		assert.equal([...confirm.body.matchAll(/name="csrf"/g)].length, 1);
		assert.match(confirm.body, /<form method="post" action="\/admin">/);
		assert.match(confirm.body, /<label for="admin_password">/);

		const wrong = await b.post('/admin', { ...fields,
		    admin_password: 'nope' });
		assertHtmlPage(wrong, 403);
		assert.match(wrong.body, /Wrong password/);
		assert.deepEqual(headerValues(wrong, 'Set-Cookie'), []);

		const right = await b.post('/admin', { ...fields,
		    admin_password: ROOT.password });
		assert.equal(right.status, 303, right.body.slice(0, 400));
		assert.equal(right.headers.location, '/admin?done=purged');
		assert.ok(headerValues(right, 'Set-Cookie').some((c) =>
		    /session=[^;]+; Path=\//.test(c)));
		assert.notEqual(b.jar.header(), oldCookies);

		// The new session is fresh: the next action needs nothing.
		const again = await b.post('/admin', { csrf, action: 'purge' });
		assert.equal(again.status, 303);
		// The old cookie signs no one in any more.
		const stale = await s.request('GET', '/admin', {
			headers: { Cookie: oldCookies },
		});
		assertHtmlPage(stale, 200);
		assert.match(stale.body, /<h1>Sign in<\/h1>/);
	});

	it('limits wrong passwords as the sign-in does: 429', async () => {
		const b = new Browser(ODD);
		const page = await b.signedIn();
		clock.offset(240);
		const fields = { csrf: formField(page.body, 'csrf'),
		    action: 'purge', admin_password: 'wrong' };
		let res;
		for (let i = 0; i < 4; i++)
			res = await b.post('/admin', fields);
		assertHtmlPage(res, 429);
		assert.match(headerValues(res, 'Retry-After')[0], /^\d+$/);
		assert.match(res.body, /Too many wrong passwords/);
		const right = await b.post('/admin', { ...fields,
		    admin_password: ODD.password });
		assertHtmlPage(right, 429);
	});
});

// Under a subdirectory install every address of the pages, the sign-in's
// way back and the redirect after an action carry the issuer's path.
describe('under a subdirectory install', { skip: serverKind ===
    'apache-vhost' ? 'apache-vhost installs at an origin' : false }, () => {
	let sub;

	before(async () => {
		sub = await TestServer.start({ subdir: 'mcp-auth',
		    config: 'admin_web = on', users: [ROOT] });
		sub.admin(['user', 'admin', ROOT.name, 'on']);
	});

	after(async () => {
		await sub?.stop();
	});

	it('keeps /admin under the issuer\'s path', async () => {
		const b = new Browser(ROOT, sub);
		const page = await b.signedIn();
		assert.match(page.body, /<a href="\/mcp-auth\/admin" aria-current="page">/);
		assert.match(page.body, /<a href="\/mcp-auth\/admin\/users">/);
		assert.match(page.body, /<a href="\/mcp-auth\/account">/);
		assert.match(page.body,
		    /<form method="post" action="\/mcp-auth\/admin" /);
		const res = await b.post('/admin', {
			csrf: formField(page.body, 'csrf'),
			action: 'purge',
		});
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(res.headers.location,
		    '/mcp-auth/admin?done=purged');
		// The root of the host is not ours (404, or the host's own
		// page in the .htaccess modes).
		const root = await sub.request('GET', '/admin');
		assert.doesNotMatch(root.body, /Statistics|<h1>Sign in<\/h1>/);
	});
});
