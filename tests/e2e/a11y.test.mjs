// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Accessibility of every page a person sees, in headless Chromium:
// axe-core (the WCAG 2.0 and 2.1 A and AA rules and the best
// practices) finds no violation on the sign-in pages, the consent page
// (several scopes, the tools under each, a step-up), the error pages,
// the device grant's pages, /account, and every /admin page (the
// statistics, users with a password shown once, clients, grants,
// events, and the page asking for the password again), each at a
// desktop and a phone width, and in the dark colour scheme.  A screenshot of each goes to
// tests/artifacts/a11y-NAME-WIDTH.png (scripts/screenshots picks the
// README's from them).

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { cimdTestServer } from '../lib/cimdserver.mjs';
import { TestServer } from '../lib/harness.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import { Person, exchange, obtainTokens, pkce, register } from '../lib/oauth.mjs';
import {
	artifactPath, assertNoAxeViolations, callbackListener, launchChromium,
} from './lib.mjs';

const ALICE = { name: 'alice', password: 'alice has a long password' };
const CAROL = { name: 'carol', password: 'carol has a third password' };
const ROOT = { name: 'root', password: 'root has the longest password' };
const REAUTH = 30;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SIZES = {
	desktop: { width: 1280, height: 800 },
	phone: { width: 390, height: 844 },
};
// The widths and colour schemes each page is checked at (style.css has
// a dark scheme, whose contrast must hold too).
const VIEWS = {
	desktop: { size: SIZES.desktop, colorScheme: 'light' },
	phone: { size: SIZES.phone, colorScheme: 'light' },
	'desktop-dark': { size: SIZES.desktop, colorScheme: 'dark' },
};

// Checks the page shown in every view and keeps a screenshot of each.
async function check(page, name) {
	for (const [view, { size, colorScheme }] of Object.entries(VIEWS)) {
		await page.setViewportSize(size);
		await page.emulateMedia({ colorScheme });
		await assertNoAxeViolations(page, `${name} (${view})`);
		await page.screenshot({
		    path: artifactPath(`a11y-${name}-${view}.png`),
		    fullPage: true });
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

async function heading(page) {
	return (await page.locator('h1').textContent()).trim();
}

// Fills in the sign-in form shown and waits for the next page.
async function signIn(page, who, password = who.password) {
	await page.fill('#username', who.name);
	await page.fill('#password', password);
	await Promise.all([page.waitForNavigation(),
	    page.click('button[type=submit]')]);
}

// A page in a browser profile of its own (no cookies).
async function freshPage(browser, t) {
	const context = await browser.newContext({ viewport: SIZES.desktop });
	t.after(() => context.close());
	return context.newPage();
}

describe('axe-core on every page a person sees, desktop and phone', () => {
	let s;
	let clock;
	let browser;
	let callback;
	let client;

	before(async () => {
		clock = new FakeClock();
		s = await TestServer.start({
			users: [ALICE, CAROL],
			env: clock.env(),
		});
		// carol may allow only these: asking her for notes:write
		// gets the 403 page.
		s.admin(['user', 'scopes', 'carol', 'mcp', 'notes:read']);
		callback = await callbackListener();
		client = await register(s, {
			client_name: 'Notes <b>app</b>',
			redirect_uris: [callback.url],
		});
		browser = await launchChromium(s);
	});

	after(async () => {
		await browser?.close();
		await callback?.close();
		await s?.stop();
		clock?.cleanup();
	});

	let verifier;

	// An authorization URL; its PKCE verifier is kept in verifier.
	function authorizeUrl(scope, extra = {}) {
		const p = pkce();
		verifier = p.verifier;
		const url = new URL('/authorize', s.issuer);
		url.search = new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			redirect_uri: callback.url,
			scope,
			state: crypto.randomBytes(9).toString('base64url'),
			resource: `${s.issuer}/mcp`,
			code_challenge: p.challenge,
			code_challenge_method: 'S256',
			...extra,
		}).toString();
		return url.href;
	}

	const fresh = (t) => freshPage(browser, t);

	test('/authorize: sign-in, sign-in error, consent, step-up',
	    async (t) => {
		const page = await fresh(t);
		const res = await page.goto(authorizeUrl('mcp notes:read'));
		assert.equal(res.status(), 200);
		assert.equal(await heading(page), 'Sign in');
		await check(page, 'signin');

		await signIn(page, ALICE, 'not her password');
		assert.equal(await heading(page), 'Sign in');
		assert.equal(await page.locator('.error').count(), 1);
		await check(page, 'signin-error');

		await signIn(page, ALICE);
		assert.equal(await heading(page), 'Allow access?');
		assert.ok(await page.locator('ul.unlocks li').count() > 0,
		    'the tools are listed under their scopes');
		await check(page, 'consent');
		const received = callback.next();
		await Promise.all([page.waitForURL((u) =>
		    u.href.startsWith(callback.url)),
		    page.click('button[value=approve]')]);
		const { code } = await received;
		// The grant exists once the client has its tokens.
		const tok = await exchange(s, client, code, verifier);
		assert.equal(tok.status, 200, tok.body);

		// A step-up: what she allowed before is shown apart.
		await page.goto(authorizeUrl('mcp notes:read notes:write'));
		assert.equal(await heading(page), 'Allow access?');
		assert.equal(await page.locator('ul.scopes.granted').count(), 1,
		    await page.locator('main').innerText());
		await check(page, 'consent-stepup');
	});

	test('error pages: unknown client, bad redirect URI, all scopes ' +
	    'refused', async (t) => {
		const page = await fresh(t);
		let res = await page.goto(authorizeUrl('mcp',
		    { client_id: 'no-such-client' }));
		assert.equal(res.status(), 400);
		await check(page, 'error-unknown-client');

		res = await page.goto(authorizeUrl('mcp',
		    { redirect_uri: 'https://elsewhere.example/cb' }));
		assert.equal(res.status(), 400);
		await check(page, 'error-400');

		res = await page.goto(authorizeUrl('notes:write'));
		assert.equal(res.status(), 200);
		await signIn(page, CAROL);
		assert.equal(await heading(page), 'Access not allowed');
		await check(page, 'error-403');

		// What she may not allow is listed apart on the consent page.
		await page.goto(authorizeUrl('mcp notes:read notes:write'));
		assert.equal(await heading(page), 'Allow access?');
		assert.equal(await page.locator('ul.scopes.refused').count(), 1);
		await check(page, 'consent-refused');
	});

	test('the device grant: code entry, consent, done', async (t) => {
		const device = await register(s, {
			client_name: 'Kitchen display',
			redirect_uris: [],
			grant_types: [DEVICE_GRANT, 'refresh_token'],
		});
		const started = await s.request('POST',
		    '/device_authorization', { form: {
		    client_id: device.client_id,
		    scope: 'mcp notes:read' } });
		assert.equal(started.status, 200, started.body);
		const d = started.json();
		const page = await fresh(t);
		await page.goto(d.verification_uri_complete);
		assert.equal(await heading(page), 'Sign in');
		await check(page, 'device-signin');
		await signIn(page, ALICE);
		assert.equal(await heading(page), 'Connect a device');
		await check(page, 'device-code');
		// A code that is not one: the page says so.
		await page.fill('#user_code', 'BCDF-GHJK');
		await Promise.all([page.waitForNavigation(),
		    page.click('button[type=submit]')]);
		assert.equal(await heading(page), 'Connect a device');
		assert.equal(await page.locator('.error').count(), 1);
		await check(page, 'device-code-error');
		await page.fill('#user_code', d.user_code);
		await Promise.all([page.waitForNavigation(),
		    page.click('button[type=submit]')]);
		assert.equal(await heading(page), 'Allow access?');
		await check(page, 'device-consent');
		await Promise.all([page.waitForNavigation(),
		    page.click('button[value=approve]')]);
		assert.equal(await heading(page), 'Device connected');
		await check(page, 'device-done');
		// The device's tokens: a second connected app on /account.
		const tok = await s.request('POST', '/token', { form: {
		    grant_type: DEVICE_GRANT, device_code: d.device_code,
		    client_id: device.client_id } });
		assert.equal(tok.status, 200, tok.body);
	});

	test('/account: sign-in, then apps, sessions and activity',
	    async (t) => {
		const page = await fresh(t);
		let res = await page.goto(`${s.issuer}/account`);
		assert.equal(res.status(), 200);
		assert.equal(await heading(page), 'Sign in');
		await check(page, 'account-signin');
		await signIn(page, ALICE);
		assert.equal(await heading(page), 'Your account');
		// Two apps: ids built from grant ids must not repeat.
		assert.equal(await page.locator('article.app').count(), 2,
		    'the notes app and the device are connected');
		assert.ok(await page.locator('.sessions li').count() >= 2);
		assert.ok(await page.locator('table.activity tbody tr')
		    .count() > 0);
		await check(page, 'account');

		// A revocation: the notice on top.
		await Promise.all([page.waitForNavigation(),
		    page.locator('article.app').first().getByRole('button',
		    { name: 'Revoke access' }).click()]);
		assert.equal(await page.locator('.notice').count(), 1);
		await check(page, 'account-revoked');

		// A wrong current password: the error on top.
		await page.fill('#current', 'not her password');
		await page.fill('#new', 'a new long password for alice');
		await page.fill('#again', 'a new long password for alice');
		await Promise.all([page.waitForNavigation(),
		    page.locator('form:has(#current) button[type=submit]')
		    .click()]);
		assert.equal(await page.locator('.error').count(), 1);
		await check(page, 'account-error');
	});
});

// The consent page of a client known by its Client ID Metadata
// Document: it names the site that publishes the document.
describe('axe-core on the consent page of a CIMD client', () => {
	let site;
	let s;
	let browser;

	before(async () => {
		({ site, s } = await cimdTestServer({ users: [ALICE] }));
		browser = await launchChromium(s);
	});

	after(async () => {
		await browser?.close();
		await s?.stop();
		await site?.stop();
	});

	test('sign-in and consent', async (t) => {
		const doc = site.publish('/app/client-metadata.json', {
			client_name: 'Published notes app',
			redirect_uris: ['http://127.0.0.1:9999/callback'],
		});
		const url = new URL('/authorize', s.issuer);
		url.search = new URLSearchParams({
			response_type: 'code',
			client_id: doc.client_id,
			redirect_uri: doc.redirect_uris[0],
			scope: 'mcp notes:read notes:write',
			state: 'cimd',
			resource: `${s.issuer}/mcp`,
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		}).toString();
		const page = await freshPage(browser, t);
		const res = await page.goto(url.href);
		assert.equal(res.status(), 200);
		assert.equal(await heading(page), 'Sign in');
		await signIn(page, ALICE);
		assert.equal(await heading(page), 'Allow access?');
		assert.equal(await page.locator('.domain').count(), 1);
		await check(page, 'consent-cimd');
	});
});

describe('axe-core on every /admin page, desktop and phone', () => {
	let s;
	let clock;
	let browser;

	before(async () => {
		clock = new FakeClock();
		s = await TestServer.start({
			users: [ALICE, CAROL],
			config: 'admin_web = on\n' +
			    `admin_reauth_after = ${REAUTH}\n`,
			env: clock.env(),
		});
		s.admin(['user', 'add', ROOT.name, '--password-stdin'],
		    { input: `${ROOT.password}\n` });
		s.admin(['user', 'admin', ROOT.name, 'on']);
		s.admin(['user', 'scopes', 'carol', 'mcp', 'notes:read']);
		// Some data for the pages: two clients, alice's grants and
		// tokens, the events they wrote.
		const notes = await register(s, { client_name: 'Notes <b>app</b>' });
		const other = await register(s, { client_name: 'Calendar' });
		const alice = new Person(s, ALICE.name, ALICE.password);
		await obtainTokens(s, alice, notes, { scope: 'mcp notes:read' });
		await obtainTokens(s, alice, other, { scope: 'mcp' });
		browser = await launchChromium(s);
	});

	after(async () => {
		await browser?.close();
		await s?.stop();
		clock?.cleanup();
	});

	const fresh = (t) => freshPage(browser, t);

	// An administrator signed in at /admin, on the statistics page.
	async function signedInAdmin(t, shots) {
		const page = await fresh(t);
		const res = await page.goto(`${s.issuer}/admin`);
		assert.equal(res.status(), 200);
		assert.equal(await heading(page), 'Sign in');
		if (shots)
			await check(page, 'admin-signin');
		await signIn(page, ROOT);
		assert.equal(new URL(page.url()).pathname, '/admin');
		return page;
	}

	// The statistics page (adminweb.h), an action on it, and the same
	// action once admin_reauth_after has passed: the password is
	// asked for again first.
	test('/admin: sign-in, statistics, password again', async (t) => {
		const page = await signedInAdmin(t, true);
		await check(page, 'admin-stats');

		const purge = () => Promise.all([page.waitForNavigation(),
		    page.click('button[value=purge]')]);
		await purge();
		assert.equal(await page.locator('.notice').count(), 1);
		await check(page, 'admin-stats-done');

		clock.offset(REAUTH + 60);
		t.after(() => clock.real());
		await page.goto(`${s.issuer}/admin`);
		await purge();
		const password = page.locator('input[type=password]');
		assert.equal(await password.count(), 1,
		    'the confirm page asks for the password');
		await check(page, 'admin-confirm');
		await password.fill('not the password');
		await Promise.all([page.waitForNavigation(),
		    page.click('form:has(input[type=password]) ' +
		    'button[type=submit]')]);
		assert.equal(await page.locator('.error').count(), 1);
		await check(page, 'admin-confirm-error');
		await password.fill(ROOT.password);
		await Promise.all([page.waitForNavigation(),
		    page.click('form:has(input[type=password]) ' +
		    'button[type=submit]')]);
		assert.equal(await page.locator('.notice').count(), 1,
		    'the action ran once the password was confirmed: ' +
		    page.url() + '\n' + await page.locator('main').innerText());
	});

	// The other pages with the data above, a user's panel and grants,
	// and a user just added (her password shown this once).
	test('/admin: users, clients, grants, events', async (t) => {
		const page = await signedInAdmin(t, false);
		for (const name of ['users', 'clients', 'grants', 'events']) {
			const res = await page.goto(`${s.issuer}/admin/${name}`);
			assert.equal(res.status(), 200, name);
			await check(page, `admin-${name}`);
		}
		let res = await page.goto(`${s.issuer}/admin/users?user=alice`);
		assert.equal(res.status(), 200);
		await check(page, 'admin-user');
		res = await page.goto(`${s.issuer}/admin/grants?user=alice`);
		assert.equal(res.status(), 200);
		await check(page, 'admin-grants-alice');

		await page.goto(`${s.issuer}/admin/users`);
		await page.fill('#name', 'newbie');
		await Promise.all([page.waitForNavigation(),
		    page.click('form:has(#name) button[type=submit]')]);
		assert.equal(await page.locator('code.password').count(), 1);
		await check(page, 'admin-users-added');
	});

	test('/admin for a person who is not an administrator: 403',
	    async (t) => {
		const page = await fresh(t);
		const res = await page.goto(`${s.issuer}/admin`);
		assert.equal(res.status(), 200);
		await signIn(page, ALICE);
		const refused = await page.goto(`${s.issuer}/admin`);
		assert.equal(refused.status(), 403);
		await check(page, 'admin-forbidden');
	});
});
