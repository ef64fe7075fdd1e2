// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// /admin in headless Chromium, as a site owner without a shell uses it:
// an administrator adds a user, who then signs in with the password
// the page showed once; the administrator revokes a grant, and the
// token of that grant is refused at /mcp on its next request.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { tokenWorks } from '../lib/flows.mjs';
import { Person, obtainTokens, register } from '../lib/oauth.mjs';
import { artifactPath, launchChromium } from './lib.mjs';

const ROOT = { name: 'root', password: 'root has the longest password' };
const ALICE = { name: 'alice', password: 'alice has a long password' };

describe('/admin in Chromium', () => {
	let s;
	let browser;
	let calendar;
	let notes;

	before(async () => {
		s = await TestServer.start({
			users: [ALICE],
			config: 'admin_web = on\n',
		});
		s.admin(['user', 'add', ROOT.name, '--admin',
		    '--password-stdin'], { input: `${ROOT.password}\n` });
		const alice = new Person(s, ALICE.name, ALICE.password);
		notes = await obtainTokens(s, alice,
		    await register(s, { client_name: 'Notes' }));
		calendar = await obtainTokens(s, alice,
		    await register(s, { client_name: 'Calendar' }));
		browser = await launchChromium(s);
	});

	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	async function signedIn(t, who, path) {
		const context = await browser.newContext();
		t.after(() => context.close());
		const page = await context.newPage();
		await page.goto(`${s.issuer}${path}`);
		await page.fill('#username', who.name);
		await page.fill('#password', who.password);
		await Promise.all([page.waitForNavigation(),
		    page.click('button[type=submit]')]);
		// The sign-in comes back to /account, or to /admin's first
		// page (adminweb.c keeps no address of the page asked for).
		const back = path.startsWith('/admin') ? '/admin' : path;
		assert.equal(new URL(page.url()).pathname, back);
		if (back !== path)
			await page.goto(`${s.issuer}${path}`);
		return page;
	}

	test('an administrator adds a user, who then signs in', async (t) => {
		const admin = await signedIn(t, ROOT, '/admin/users');
		await admin.fill('#name', 'dora');
		await Promise.all([admin.waitForNavigation(),
		    admin.click('form:has(#name) button[type=submit]')]);
		const shown = admin.locator('code.password');
		assert.equal(await shown.count(), 1);
		const password = (await shown.textContent()).trim();
		assert.match(password, /^[A-Za-z0-9_-]{24}$/);
		// Never in the address: the answer to the post itself.
		assert.ok(!admin.url().includes(password));
		await admin.screenshot({
		    path: artifactPath('admin-user-added.png'), fullPage: true });

		const dora = await signedIn(t, { name: 'dora', password },
		    '/account');
		assert.equal((await dora.locator('h1').textContent()).trim(),
		    'Your account');
		assert.match(await dora.locator('.lead').textContent(), /dora/);

		// The administrator's page lists her now.
		await admin.goto(`${s.issuer}/admin/users`);
		assert.equal(await admin.locator('td a', { hasText: /^dora$/ })
		    .count() + await admin.locator('th a', { hasText: /^dora$/ })
		    .count(), 1);
	});

	test('an administrator revokes a grant; its token is refused at /mcp',
	    async (t) => {
		assert.ok(await tokenWorks(s, calendar.access_token));
		assert.ok(await tokenWorks(s, notes.access_token));
		const admin = await signedIn(t, ROOT, '/admin/grants');
		const row = admin.locator('tr', { hasText: 'Calendar' });
		assert.equal(await row.count(), 1);
		await Promise.all([admin.waitForNavigation(),
		    row.locator('button[value=revoke]').click()]);
		assert.equal(await admin.locator('.notice').count(), 1);
		assert.equal(await admin.locator('tr', { hasText: 'Calendar' })
		    .count(), 0);
		await admin.screenshot({
		    path: artifactPath('admin-grant-revoked.png'),
		    fullPage: true });
		assert.equal(await tokenWorks(s, calendar.access_token), false);
		assert.ok(await tokenWorks(s, notes.access_token),
		    'the other grant is untouched');
		const events = JSON.parse(s.admin(['--json', 'events', '--kind',
		    'revoked']).stdout);
		const list = Array.isArray(events) ? events : events.events;
		assert.ok(list.some((e) => /^admin-web/.test(e.detail)),
		    JSON.stringify(list));
	});
});
