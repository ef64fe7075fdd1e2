// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// /admin/clients, /admin/grants and /admin/events (authorize.fcgi): the
// clients listed with what they are and a link to their grants; a
// client deleted (with its confirmation) loses its token at /mcp; a
// grant revoked from the grants page is refused at /mcp on the next
// request and the audit trail says the admin pages did it (on the
// events page and in "mcp-oauth-admin events --json"); the filters
// and paging of the grants and events pages; hostile client names
// never shown as markup; a metadata document client pinned from the
// page; and the checks every action goes through (the
// CSRF token, a same-site request, a recent password).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { CimdSite } from '../lib/cimdserver.mjs';
import { assertHtmlPage } from '../lib/checks.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import {
	CookieJar, Person, formField, obtainTokens, register,
} from '../lib/oauth.mjs';

const REAUTH = 300;
const CONFIG = 'admin_web = on\n' +
    `admin_reauth_after = ${REAUTH}\n` +
    'cimd = allowlist\ncimd_allowlist = docs.example.org\n';
const ROOT_PW = 'root-Pw-1-long';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']
    .map((name) => ({ name, password: `${name}-Pw-1` }));
const HOSTILE = '<img src=x onerror=alert(1)>"\'><script>x</script>';

let s, clock, root;

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({ config: CONFIG, users: USERS,
	    env: clock.env() });
	s.addUser('root', ROOT_PW);
	s.admin(['user', 'admin', 'root', 'on']);
	root = new Admin();
	await root.signedIn();
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

// An administrator's browser on the admin pages.
class Admin {
	constructor(name = 'root', password = ROOT_PW, server = s) {
		this.s = server;
		this.base = server.base ?? '';
		this.name = name;
		this.password = password;
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

	page(name, query = '') {
		return this.request('GET', `/admin/${name}${query}`);
	}

	async signedIn() {
		const form = await this.page('clients');
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
		const page = await this.page('clients');
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Clients<\/h1>/);
		return page;
	}

	// Posts action to page name with the page's CSRF token (null:
	// none), and headers.
	async post(name, action, fields = {}, csrf = undefined,
	    headers = {}) {
		if (csrf === undefined)
			csrf = formField((await this.page(name)).body, 'csrf');
		const form = { action, ...fields };
		if (csrf !== null)
			form.csrf = csrf;
		return this.request('POST', `/admin/${name}`, form, headers);
	}
}

// The status /mcp gives a tools/list with token.
async function mcpStatus(token) {
	const res = await s.request('POST', `${s.base ?? ''}/mcp`, {
		json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
	});
	return res.status;
}

// The grant ids listed on a grants page, in order.
function grantsOf(page) {
	return [...page.body.matchAll(/<tr id="grant-([0-9a-f]{32})">/g)]
	    .map((m) => m[1]);
}

// The rows of an events page: kind, user, client, address, detail.
function eventsOf(page) {
	return [...page.body.matchAll(/<tr>\n<td><time datetime="([^"]*)">[^<]*<\/time><\/td>\n<td class="kind">([^<]*)<\/td>\n<td class="user">([^<]*)<\/td>\n<td class="client">([^<]*)<\/td>\n<td class="addr">([^<]*)<\/td>\n<td class="detail">([^<]*)<\/td>/g)]
	    .map((m) => ({ time: m[1], kind: m[2], user: m[3], client: m[4],
		addr: m[5], detail: m[6] }));
}

function toolEvents(...args) {
	return JSON.parse(s.admin(['--json', 'events', ...args]).stdout);
}

function toolClients() {
	return JSON.parse(s.admin(['--json', 'client', 'list']).stdout);
}

function noMarkup(page) {
	assert.doesNotMatch(page.body, /<img|<script/);
}

describe('the clients page', () => {
	let evil;

	before(async () => {
		evil = await register(s, { client_name: HOSTILE });
		await obtainTokens(s, new Person(s, 'alice', 'alice-Pw-1'),
		    evil);
	});

	it('lists every client, escaped, with its grants link', async () => {
		const added = JSON.parse(s.admin(['--json', 'client', 'add',
		    '--name', 'Tool app', '--redirect-uri',
		    'https://tool.example/cb']).stdout);
		const page = await root.page('clients');
		assertHtmlPage(page, 200);
		noMarkup(page);
		assert.ok(page.body.includes('&lt;img src=x onerror=alert(1)' +
		    '&gt;&quot;'), 'the hostile name, escaped');
		assert.match(page.body, /<th scope="col">Grants<\/th>/);
		// Its one grant, linked to the grants page.
		assert.match(page.body, new RegExp(
		    `<a href="${s.base ?? ''}/admin/grants\\?client=${evil.client_id}">1</a>`));
		// Self-declared as the consent page says; the tool's not.
		assert.match(page.body, /&lt;script&gt;x&lt;\/script&gt; <span class="tag">name given by the application<\/span>/);
		assert.match(page.body, /Tool app<\/td>/);
		assert.match(page.body, /added by the administrator/);
		assert.match(page.body, /registered itself/);
		assert.match(page.body, /tool\.example/);
		assert.ok(page.body.includes(added.client_id));
		// The metadata document policy, read-only.
		assert.match(page.body, /accepted from these domains only: docs\.example\.org\. This is set in the configuration file/);
	});

	it('deletes a client only with the confirmation; its token then fails',
	    async () => {
		const app = await register(s, { client_name: 'Doomed app' });
		const tok = await obtainTokens(s,
		    new Person(s, 'bob', 'bob-Pw-1'), app);
		assert.equal(await mcpStatus(tok.access_token), 200);
		let res = await root.post('clients', 'delete',
		    { client: app.client_id });
		assertHtmlPage(res, 400);
		assert.match(res.body, /Tick the box/);
		assert.equal(await mcpStatus(tok.access_token), 200);
		res = await root.post('clients', 'delete',
		    { client: app.client_id, confirm: 'yes' });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.match(res.headers.location, /\/admin\/clients\?done=deleted$/);
		assert.equal(await mcpStatus(tok.access_token), 401);
		assert.ok(!toolClients().some((c) =>
		    c.client_id === app.client_id));
		const page = await root.page('clients', '?done=deleted');
		assert.match(page.body, /<p class="notice" role="status">Client deleted/);
		const ev = toolEvents('--kind', 'client-removed', '--client',
		    app.client_id);
		assert.equal(ev.length, 1);
		assert.equal(ev[0].detail, 'admin-web root: client deleted');
		assert.equal(ev[0].address, '127.0.0.1');
		// Again: it is gone, said on the page.
		res = await root.post('clients', 'delete',
		    { client: app.client_id, confirm: 'yes' });
		assertHtmlPage(res, 404);
	});
});

describe('the grants page', () => {
	let app, other, toks;

	before(async () => {
		app = await register(s, { client_name: 'Grants app' });
		other = await register(s, { client_name: HOSTILE });
		toks = {
			carolApp: await obtainTokens(s,
			    new Person(s, 'carol', 'carol-Pw-1'), app),
			carolOther: await obtainTokens(s,
			    new Person(s, 'carol', 'carol-Pw-1'), other),
			daveApp: await obtainTokens(s,
			    new Person(s, 'dave', 'dave-Pw-1'), app),
		};
	});

	it('filters by user and by client, and names the unknown', async () => {
		let page = await root.page('grants', '?user=carol');
		assertHtmlPage(page, 200);
		noMarkup(page);
		assert.equal(grantsOf(page).length, 2);
		assert.ok(page.body.includes('&lt;img src=x'));
		page = await root.page('grants',
		    `?client=${encodeURIComponent(app.client_id)}`);
		assert.equal(grantsOf(page).length, 2);
		assert.match(page.body, /<td class="user">dave<\/td>/);
		assert.doesNotMatch(page.body, /<td class="user">alice<\/td>/);
		page = await root.page('grants',
		    `?user=dave&client=${app.client_id}`);
		assert.equal(grantsOf(page).length, 1);
		page = await root.page('grants', '?user=%3Cscript%3E');
		assertHtmlPage(page, 200);
		noMarkup(page);
		assert.match(page.body, /There is no user named &quot;&lt;script&gt;&quot;/);
		page = await root.page('grants', '?client=nope');
		assert.match(page.body, /There is no client named &quot;nope&quot;/);
		page = await root.page('grants', `?user=${'x'.repeat(300)}`);
		assertHtmlPage(page, 200);
		assert.match(page.body, /too long/);
	});

	it('revokes a grant at once, audited as the admin pages\'',
	    async () => {
		assert.equal(await mcpStatus(toks.daveApp.access_token), 200);
		let page = await root.page('grants', '?user=dave');
		const [grant] = grantsOf(page);
		const res = await root.post('grants', 'revoke',
		    { grant, user: 'dave' });
		assert.equal(res.status, 303, res.body.slice(0, 400));
		assert.match(res.headers.location,
		    /\/admin\/grants\?done=revoked&user=dave$/);
		assert.equal(await mcpStatus(toks.daveApp.access_token), 401);
		assert.equal(await mcpStatus(toks.carolApp.access_token), 200);
		page = await root.page('grants', '?user=dave&done=revoked');
		assert.deepEqual(grantsOf(page), []);
		assert.match(page.body, /Grant revoked/);
		const ev = toolEvents('--kind', 'revoked', '--user', 'dave');
		assert.equal(ev.length, 1);
		assert.equal(ev[0].detail, `admin-web root: grant ${grant}`);
		assert.equal(ev[0].client, app.client_id);
		assert.equal(ev[0].address, '127.0.0.1');
		const trail = eventsOf(await root.page('events',
		    '?kind=revoked&user=dave'));
		assert.equal(trail.length, 1);
		assert.equal(trail[0].detail, `admin-web root: grant ${grant}`);
		assert.equal(trail[0].addr, '127.0.0.1');
	});
});

describe('the events page', () => {
	it('filters by user, client and kind, escaped', async () => {
		const evil = await register(s, { client_name: HOSTILE });
		await obtainTokens(s, new Person(s, 'erin', 'erin-Pw-1'), evil);
		let page = await root.page('events', '?user=erin');
		assertHtmlPage(page, 200);
		noMarkup(page);
		const rows = eventsOf(page);
		assert.ok(rows.length >= 2);
		assert.ok(rows.every((e) => e.user === 'erin'));
		assert.ok(rows.some((e) => e.kind === 'consent'));
		page = await root.page('events',
		    `?client=${encodeURIComponent(evil.client_id)}&kind=token-issued`);
		const issued = eventsOf(page);
		assert.equal(issued.length, 1);
		assert.equal(issued[0].client, evil.client_id);
		// The kinds are a select; the one chosen is selected.
		assert.match(page.body, /<option selected>token-issued<\/option>/);
		assert.match(page.body, /<label for="filter-kind">Kind<\/label>/);
		page = await root.page('events', '?kind=nonsense');
		assertHtmlPage(page, 400);
		assert.match(page.body, /Unknown kind/);
		// A registration's detail is the name the client chose.
		page = await root.page('events', `?kind=client-registered&client=${encodeURIComponent(evil.client_id)}`);
		noMarkup(page);
		const reg = eventsOf(page);
		assert.equal(reg.length, 1);
		assert.ok(reg[0].detail.startsWith('&lt;img src=x onerror=' +
		    'alert(1)&gt;&quot;&#39;&gt;&lt;script&gt;'), reg[0].detail);
		// A filter's hostile value comes back escaped.
		page = await root.page('events',
		    `?client=${encodeURIComponent(HOSTILE)}`);
		noMarkup(page);
		assert.match(page.body, /No event matches/);
		assert.match(page.body, /There is no client named &quot;&lt;img/);
		page = await root.page('events', '?user=nobody');
		assertHtmlPage(page, 200);
		assert.match(page.body, /There is no user named &quot;nobody&quot;/);
	});

	it('filters by day and pages 100 at a time, newest first',
	    async () => {
		for (let i = 0; i < 105; i++)
			s.admin(['user', 'passwd', 'frank', '--password-stdin'],
			    { input: `frank-Pw-${i}-long\n` });
		const q = '?user=frank&kind=password-changed';
		let page = await root.page('events', q);
		const first = eventsOf(page);
		assert.equal(first.length, 100);
		for (let i = 1; i < first.length; i++)
			assert.ok(first[i - 1].time >= first[i].time);
		const older = page.body.match(/<a href="[^"]*\/admin\/events\?([^"]*)">Older events<\/a>/);
		assert.ok(older, 'an older link');
		page = await root.page('events',
		    '?' + older[1].replaceAll('&amp;', '&'));
		const second = eventsOf(page);
		assert.equal(second.length, 5);
		assert.doesNotMatch(page.body, /Older events/);
		const today = new Date().toISOString().slice(0, 10);
		page = await root.page('events', `${q}&since=${today}`);
		assert.equal(eventsOf(page).length, 100);
		page = await root.page('events', `${q}&since=2999-01-01`);
		assert.equal(eventsOf(page).length, 0);
		page = await root.page('events', `${q}&since=yesterday`);
		assertHtmlPage(page, 400);
		assert.match(page.body, /2026-12-01/);
	});
});

describe('the checks every action goes through', () => {
	let app, tok, grant;

	before(async () => {
		app = await register(s, { client_name: 'Guarded app' });
		tok = await obtainTokens(s, new Person(s, 'alice', 'alice-Pw-1'),
		    app);
		grant = grantsOf(await root.page('grants',
		    `?client=${app.client_id}`))[0];
		assert.ok(grant);
	});

	const actions = () => [
		['grants', 'revoke', { grant }],
		['clients', 'delete', { client: app.client_id, confirm: 'yes' }],
		['clients', 'pin', { client: app.client_id }],
	];

	// What a page says once the action ran (and failed on its own).
	const ranAnyway = /could not be pinned|no longer exists/;

	async function unharmed() {
		assert.equal(await mcpStatus(tok.access_token), 200);
		assert.ok(toolClients().some((c) => c.client_id === app.client_id));
	}

	it('refuses a missing or wrong CSRF token', async () => {
		for (const [name, action, fields] of actions())
			for (const csrf of [null, 'x'.repeat(43)]) {
				const res = await root.post(name, action, fields,
				    csrf);
				assert.ok(res.status >= 400,
				    `${name} ${action} ${csrf}: ${res.status}`);
				assert.doesNotMatch(res.body, ranAnyway);
			}
		await unharmed();
	});

	it('refuses a cross-site request', async () => {
		for (const [name, action, fields] of actions()) {
			const res = await root.post(name, action, fields,
			    undefined, { 'Sec-Fetch-Site': 'cross-site' });
			assert.ok(res.status >= 400,
			    `${name} ${action}: ${res.status}`);
			assert.doesNotMatch(res.body, ranAnyway);
		}
		await unharmed();
	});

	it('asks for the password again when it is old', async () => {
		const late = new Admin();
		await late.signedIn();
		const csrf = formField((await late.page('grants')).body, 'csrf');
		clock.offset(REAUTH + 60);
		try {
			for (const [name, action, fields] of actions()) {
				const res = await late.post(name, action, fields,
				    csrf);
				assertHtmlPage(res, res.status);
				assert.notEqual(res.status, 303, action);
				assert.match(res.body, /type="password"/, action);
			}
		} finally {
			clock.real();
		}
		await unharmed();
	});

	it('refuses a person who is not an administrator', async () => {
		const alice = new Admin('alice', 'alice-Pw-1');
		const form = await alice.page('grants');
		const res = await alice.request('POST', '/authorize', {
			request: formField(form.body, 'request'),
			csrf: formField(form.body, 'csrf'),
			action: 'login',
			username: 'alice',
			password: 'alice-Pw-1',
		});
		assert.ok(res.status === 303 || res.status === 403);
		for (const name of ['clients', 'grants', 'events'])
			assertHtmlPage(await alice.page(name), 403);
		await unharmed();
	});
});

describe('a metadata document client', () => {
	let site, cs;

	before(async () => {
		site = await CimdSite.start();
		cs = await TestServer.start({
			users: [{ name: 'alice', password: 'alice-Pw-1' }],
			config: `admin_web = on\nhttp_ca_file = ${site.certFile}\n` +
			    'cimd_test_allow_loopback = yes\n',
		});
		cs.addUser('root', ROOT_PW);
		cs.admin(['user', 'admin', 'root', 'on']);
	});

	after(async () => {
		await cs?.stop();
		await site?.stop();
	});

	it('is listed with its domain and pinned from the page', async () => {
		const client = site.publish('/pin/client.json',
		    { client_name: HOSTILE });
		await obtainTokens(cs, new Person(cs, 'alice', 'alice-Pw-1'),
		    client);
		const admin = new Admin('root', ROOT_PW, cs);
		let page = await admin.signedIn();
		noMarkup(page);
		assert.match(page.body, /metadata document from 127\.0\.0\.1<\/td>/);
		assert.match(page.body, /accepted from any domain/);
		assert.match(page.body, /value="pin"/);
		const res = await admin.post('clients', 'pin',
		    { client: client.client_id });
		assert.equal(res.status, 303, res.body.slice(0, 600));
		assert.match(res.headers.location,
		    /\/admin\/clients\?done=pinned$/);
		page = await admin.page('clients', '?done=pinned');
		assert.match(page.body, /metadata document from 127\.0\.0\.1, pinned<\/td>/);
		const show = JSON.parse(cs.admin(['--json', 'client', 'show',
		    client.client_id]).stdout);
		assert.equal(show.metadata_document.pinned, true);
		// Recorded with who pinned it and from where.
		const ev = JSON.parse(cs.admin(['--json', 'events', '--kind',
		    'client-registered', '--client', client.client_id]).stdout);
		const list = Array.isArray(ev) ? ev : ev.events;
		assert.ok(list.some((e) => e.detail === 'admin-web root: pinned' &&
		    e.address === '127.0.0.1'), JSON.stringify(list));
	});
});
