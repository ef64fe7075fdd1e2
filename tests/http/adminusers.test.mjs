// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// /admin/users, the users page of /admin (authorize.fcgi), and the admin
// tool's administrator flag: an administrator adds a user through the
// page and the password shown once signs her in; disabling her ends her
// token at /mcp on the next request; a reset password replaces the old
// one; delete (with its confirmation), the administrator flag and the
// scope limit (seen on the token at /mcp); the refusals that keep the
// site an administrator; the CSRF token and the fresh password every
// action needs; hostile names never shown as markup; and every change
// in the audit trail as made from the web.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import {
	CookieJar, Person, formField, obtainTokens, register,
} from '../lib/oauth.mjs';

const REAUTH = 300;
const CONFIG = 'admin_web = on\n' +
    `admin_reauth_after = ${REAUTH}\n` +
    'scopes = mcp notes:read notes:write\n' +
    'default_scopes = mcp notes:read notes:write\n';
const ROOT_PW = 'root-Pw-1-long';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace',
    'a+b@example.org']
    .map((name) => ({ name, password: `${name}-Pw-1` }));

let s, clock, client;

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({ config: CONFIG, users: USERS,
	    env: clock.env() });
	s.admin(['user', 'add', 'root', '--password-stdin', '--admin'],
	    { input: `${ROOT_PW}\n` });
	client = await register(s, { client_name: 'Notes app' });
	root = new Admin();
	await root.signedIn();
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

// An administrator's browser on /admin/users.
class Admin {
	constructor(name = 'root', password = ROOT_PW) {
		this.base = s.base ?? '';
		this.name = name;
		this.password = password;
		this.jar = new CookieJar();
	}

	async request(method, path, form, headers = {}) {
		const res = await s.request(method, this.base + path, {
			headers: { Cookie: this.jar.header(), ...headers },
			form,
		});
		this.jar.take(res);
		return res;
	}

	page(query = '') {
		return this.request('GET', '/admin/users' + query);
	}

	// Signs in through the sign-in page /admin shows, then returns
	// the users page.
	async signedIn() {
		const form = await this.page();
		assertHtmlPage(form, 200);
		assert.match(form.body, /<h1>Sign in<\/h1>/);
		const res = await this.request('POST', '/authorize', {
			request: formField(form.body, 'request'),
			csrf: formField(form.body, 'csrf'),
			action: 'login',
			username: this.name,
			password: this.password,
		});
		assert.equal(res.status, 303, res.body.slice(0, 400));
		const page = await this.page();
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Users<\/h1>/);
		return page;
	}

	// Posts action on the users page with the page's CSRF token
	// (csrf: null leaves it out).
	async post(action, fields = {}, csrf = undefined) {
		if (csrf === undefined)
			csrf = formField((await this.page()).body, 'csrf');
		const form = { action, ...fields };
		if (csrf !== null)
			form.csrf = csrf;
		return this.request('POST', '/admin/users', form);
	}
}

let root;

// The user list of the tool, by name.
function toolUsers() {
	const list = JSON.parse(s.admin(['--json', 'user', 'list']).stdout);
	return Object.fromEntries(list.map((u) => [u.user, u]));
}

function events(kind, user) {
	return JSON.parse(s.admin(['--json', 'events', '--kind', kind,
	    '--user', user]).stdout);
}

// The status /mcp gives a tools/call of tool with token.
async function mcpCall(token, tool = null) {
	const res = await s.request('POST', `${s.base ?? ''}/mcp`, {
		json: tool === null ?
		    { jsonrpc: '2.0', id: 1, method: 'tools/list' } :
		    { jsonrpc: '2.0', id: 1, method: 'tools/call',
			params: { name: tool, arguments: { text: 'x' } } },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
	});
	return res.status;
}

// The password a 200 answer shows once.
function shownPassword(res) {
	assertHtmlPage(res, 200);
	const m = res.body.match(/<code class="password">([^<]*)<\/code>/);
	assert.ok(m, res.body.slice(0, 2000));
	assert.match(res.body, /shown only this once/);
	assert.match(res.body, /\/account/);
	return m[1];
}

// Whether name and password sign in (the sign-in answer's status).
async function signInStatus(name, password) {
	const p = new Person(s, name, password);
	const page = await p.get(`${s.base ?? ''}/account`);
	return (await p.login(page)).status;
}

describe('the admin tool', () => {
	it('adds an administrator and lists the flag', () => {
		const u = toolUsers();
		assert.equal(u.root.admin, true);
		assert.equal(u.alice.admin, false);
		assert.match(s.admin(['user', 'list']).stdout,
		    /^USER +STATUS +ADMIN /);
		assert.match(s.admin(['user', 'list']).stdout,
		    /\nroot +active +yes /);
		assert.match(s.admin(['user', 'list']).stdout,
		    /\nalice +active +no /);
		const ev = events('user-added', 'root');
		assert.equal(ev.length, 1);
		assert.equal(ev[0].detail, 'admin-tool: administrator');
	});
});

describe('the users page', () => {
	it('lists users with a link to their grants, URL-encoded', async () => {
		const page = await root.page();
		assertHtmlPage(page, 200);
		assert.match(page.body, /<th scope="col">Administrator<\/th>/);
		assert.match(page.body,
		    /admin\/grants\?user=a%2Bb%40example\.org"/);
		assert.match(page.body, /admin\/users\?user=alice"/);
		const panel = await root.page('?user=alice');
		assertHtmlPage(panel, 200);
		assert.match(panel.body, /User <strong>alice<\/strong>/);
		const none = await root.page('?user=nobody');
		assert.equal(none.status, 404);
	});

	it('adds a user whose shown password signs her in', async () => {
		const res = await root.post('add', { name: 'newbie' });
		const pw = shownPassword(res);
		assert.match(pw, /^[A-Za-z0-9_-]{24}$/);
		assert.equal(res.headers.location, undefined);
		// Not in any URL of the page, and only once in it.
		assert.equal(res.body.split(pw).length, 2);
		const tok = await obtainTokens(s, new Person(s, 'newbie', pw),
		    client);
		assert.equal(await mcpCall(tok.access_token), 200);
		assert.equal(toolUsers().newbie.admin, false);
		const ev = events('user-added', 'newbie');
		assert.equal(ev[0].detail, 'admin-web root');
		assert.equal(ev[0].address, '127.0.0.1');
		// An administrator, and a taken name.
		shownPassword(await root.post('add', { name: 'ops',
		    admin: 'on' }));
		assert.equal(toolUsers().ops.admin, true);
		const again = await root.post('add', { name: 'newbie' });
		assert.equal(again.status, 409);
		assert.match(again.body, /exists already/);
		const bad = await root.post('add', { name: '<b>x</b>' });
		assert.equal(bad.status, 400);
		assert.doesNotMatch(bad.body, /<b>x<\/b>/);
	});

	it('disables (the token refused at once) and enables', async () => {
		const tok = await obtainTokens(s, new Person(s, 'bob',
		    'bob-Pw-1'), client);
		assert.equal(await mcpCall(tok.access_token), 200);
		const res = await root.post('disable', { user: 'bob' });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.match(res.headers.location,
		    /\/admin\/users\?.*user=bob/);
		assert.equal(await mcpCall(tok.access_token), 401);
		assert.equal(toolUsers().bob.disabled, true);
		assert.notEqual(await signInStatus('bob', 'bob-Pw-1'), 303);
		const ev = events('user-disabled', 'bob');
		assert.equal(ev[0].detail, 'admin-web root: user disabled');
		assert.equal(ev[0].address, '127.0.0.1');
		assert.equal((await root.post('enable', { user: 'bob' }))
		    .status, 303);
		assert.equal(toolUsers().bob.disabled, false);
		assert.equal(await signInStatus('bob', 'bob-Pw-1'), 303);
		assert.equal(events('user-enabled', 'bob')[0].detail,
		    'admin-web root');
	});

	it('resets a password: the old one refused, the new one works',
	    async () => {
		const res = await root.post('reset', { user: 'carol' });
		const pw = shownPassword(res);
		assert.notEqual(await signInStatus('carol', 'carol-Pw-1'), 303);
		assert.equal(await signInStatus('carol', pw), 303);
		assert.equal(events('password-changed', 'carol')[0].detail,
		    'admin-web root');
		// Her own: on /account, not here.
		const own = await root.post('reset', { user: 'root' });
		assert.equal(own.status, 409);
	});

	it('deletes only with the confirmation', async () => {
		await obtainTokens(s, new Person(s, 'dave', 'dave-Pw-1'), client);
		const no = await root.post('delete', { user: 'dave' });
		assert.equal(no.status, 400);
		assert.match(no.body, /grants and notes/);
		assert.ok(toolUsers().dave);
		const res = await root.post('delete', { user: 'dave',
		    confirm: 'yes' });
		assert.equal(res.status, 303);
		assert.equal(toolUsers().dave, undefined);
		assert.equal(events('user-deleted', 'dave')[0].detail,
		    'admin-web root: user deleted');
		const page = await root.page(res.headers.location.replace(
		    /^.*\/admin\/users/, ''));
		assert.match(page.body, /deleted, with her grants and notes/);
	});

	it('gives and takes the administrator flag', async () => {
		assert.equal((await root.post('admin_on', { user: 'erin' }))
		    .status, 303);
		assert.equal(toolUsers().erin.admin, true);
		assert.equal((await root.post('admin_off', { user: 'erin' }))
		    .status, 303);
		assert.equal(toolUsers().erin.admin, false);
		const ev = events('admin-changed', 'erin');
		assert.deepEqual(ev.map((e) => e.detail), [
			'admin-web root: administrator off',
			'admin-web root: administrator on',
		]);
	});

	it('never acts on the signed-in administrator herself', async () => {
		for (const action of ['admin_off', 'disable']) {
			const res = await root.post(action, { user: 'root' });
			assert.equal(res.status, 409, action);
			assert.match(res.body, /class="error"/);
		}
		const del = await root.post('delete', { user: 'root',
		    confirm: 'yes' });
		assert.equal(del.status, 409);
		const u = toolUsers().root;
		assert.equal(u.admin, true);
		assert.equal(u.disabled, false);
	});

	it('narrows the scopes: seen on the token at once', async () => {
		const tok = await obtainTokens(s, new Person(s, 'frank',
		    'frank-Pw-1'), client, { scope: 'mcp notes:read notes:write' });
		assert.equal(tok.scope, 'mcp notes:read notes:write');
		assert.equal(await mcpCall(tok.access_token, 'notes_add'), 200);
		const panel = await root.page('?user=frank');
		assert.match(panel.body, /value="mcp" checked disabled/);
		const res = await root.post('scopes', { user: 'frank',
		    limit: 'some', scope1: 'notes:read' });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.equal(toolUsers().frank.scopes, 'mcp notes:read');
		assert.equal(await mcpCall(tok.access_token, 'notes_add'), 403);
		assert.equal(await mcpCall(tok.access_token, 'notes_list'),
		    200);
		assert.equal(events('scopes-limited', 'frank')[0].detail,
		    'admin-web root: mcp notes:read');
		const bad = await root.post('scopes', { user: 'frank',
		    limit: 'some', scope1: 'nope' });
		assert.equal(bad.status, 400);
		assert.equal((await root.post('scopes', { user: 'frank',
		    limit: 'all' })).status, 303);
		assert.equal(toolUsers().frank.scopes, null);
	});

	it('refuses every action without the right CSRF token', async () => {
		const actions = [['add', { name: 'csrfuser' }],
		    ['disable', { user: 'grace' }], ['enable', { user: 'grace' }],
		    ['reset', { user: 'grace' }], ['admin_on', { user: 'grace' }],
		    ['admin_off', { user: 'grace' }],
		    ['scopes', { user: 'grace', limit: 'some' }],
		    ['delete', { user: 'grace', confirm: 'yes' }]];
		const alice = new Admin('alice', 'alice-Pw-1');
		for (const [action, fields] of actions) {
			for (const csrf of [null, 'x'.repeat(43)]) {
				const res = await root.post(action, fields, csrf);
				assert.ok(res.status >= 400, `${action} ${csrf}: ` +
				    res.status);
			}
		}
		const u = toolUsers();
		assert.equal(u.csrfuser, undefined);
		assert.equal(u.grace.disabled, false);
		assert.equal(u.grace.admin, false);
		assert.equal(u.grace.scopes, null);
		assert.equal(await signInStatus('grace', 'grace-Pw-1'), 303);
		assert.ok(alice);
	});

	it('asks for the password again before any action when it is old',
	    async () => {
		const actions = [['add', { name: 'lateuser' }],
		    ['disable', { user: 'grace' }], ['reset', { user: 'grace' }],
		    ['admin_on', { user: 'grace' }],
		    ['scopes', { user: 'grace', limit: 'some' }],
		    ['delete', { user: 'grace', confirm: 'yes' }]];
		const late = new Admin();
		await late.signedIn();
		const csrf = formField((await late.page()).body, 'csrf');
		clock.offset(REAUTH + 60);
		try {
			for (const [action, fields] of actions) {
				const res = await late.post(action, fields, csrf);
				assertHtmlPage(res, res.status);
				assert.notEqual(res.status, 303, action);
				assert.match(res.body, /type="password"/, action);
				assert.doesNotMatch(res.body,
				    /<code class="password">/, action);
			}
		} finally {
			clock.real();
		}
		const u = toolUsers();
		assert.equal(u.lateuser, undefined);
		assert.equal(u.grace.disabled, false);
		assert.equal(u.grace.admin, false);
		assert.equal(await signInStatus('grace', 'grace-Pw-1'), 303);
	});

	it('never shows a hostile client name as markup', async () => {
		const evil = await register(s, {
		    client_name: '<img src=x onerror=alert(1)>' });
		await obtainTokens(s, new Person(s, 'alice', 'alice-Pw-1'), evil);
		for (const q of ['', '?user=alice']) {
			const page = await root.page(q);
			assertHtmlPage(page, 200);
			assert.doesNotMatch(page.body, /<img/);
		}
		const panel = await root.page('?user=alice');
		assert.match(panel.body, /admin\/grants\?user=alice">1</);
	});
});
