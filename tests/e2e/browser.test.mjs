// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A real browser: headless Chromium (Debian's) driven by
// playwright-core.  One person signs in, reads the consent page and
// approves; the redirect to the client's loopback redirect URI goes
// through (the consent page's CSP does not block it) and carries code,
// state and iss.  Another person denies.  A page on another loopback
// origin that puts /authorize in a frame gets no login form (RFC 9700
// section 4.16, clickjacking: X-Frame-Options and CSP frame-ancestors,
// as Chromium honours them).  Screenshots of the login and consent
// pages are kept under tests/artifacts/.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { exchange, pkce, register } from '../lib/oauth.mjs';
import { artifactPath, callbackListener, launchChromium } from './lib.mjs';

const ALICE = { name: 'alice', password: 'alice has a long password' };
const BOB = { name: 'bob', password: 'bob has another password' };
const CAROL = { name: 'carol', password: 'carol has a third password' };
const CLIENT_NAME = 'Browser Test Client <b>';

describe('headless Chromium on the login and consent pages', () => {
	let s;
	let browser;
	let callback;
	let client;

	before(async () => {
		s = await TestServer.start({ users: [ALICE, BOB, CAROL] });
		callback = await callbackListener();
		client = await register(s, {
			client_name: CLIENT_NAME,
			redirect_uris: [callback.url],
		});
		browser = await launchChromium(s);
	});

	after(async () => {
		await browser?.close();
		await callback?.close();
		await s?.stop();
	});

	// A fresh browser profile (no cookies) at the authorization URL.
	async function start(scope) {
		const context = await browser.newContext();
		const page = await context.newPage();
		const blocked = [];
		page.on('console', (m) => {
			if (/Content Security Policy|Refused/i.test(m.text()))
				blocked.push(m.text());
		});
		const { verifier, challenge } = pkce();
		const state = crypto.randomBytes(9).toString('base64url');
		const url = new URL('/authorize', s.issuer);
		url.search = new URLSearchParams({
			response_type: 'code',
			client_id: client.client_id,
			redirect_uri: callback.url,
			scope,
			state,
			resource: `${s.issuer}/mcp`,
			code_challenge: challenge,
			code_challenge_method: 'S256',
		}).toString();
		const res = await page.goto(url.href);
		assert.equal(res.status(), 200);
		return { context, page, verifier, state, blocked };
	}

	async function signIn(page, who, shot) {
		assert.equal(await page.locator('h1').textContent(), 'Sign in');
		assert.match(await page.locator('.client').textContent(),
		    /^Browser Test Client <b>$/);
		if (shot)
			await page.screenshot({ path: artifactPath('login.png'),
			    fullPage: true });
		await page.fill('#username', who.name);
		await page.fill('#password', who.password);
		await Promise.all([
			page.waitForURL(/\/authorize\?request=/),
			page.click('button[type=submit]'),
		]);
		assert.equal(await page.locator('h1').textContent(),
		    'Allow access?');
	}

	// Clicks a button on the consent page; resolves the parameters
	// the client's redirect URI received, and what the page shows.
	async function decide(page, action) {
		const received = callback.next();
		await Promise.all([
			page.waitForURL((u) => u.href.startsWith(callback.url),
			    { timeout: 15000 }),
			page.click(`button[value=${action}]`),
		]);
		const params = await received;
		return { params, text: await page.locator('h1').textContent() };
	}

	test('alice signs in and approves; the code reaches the client',
	    async () => {
		const { context, page, verifier, state, blocked } =
		    await start('mcp notes:read');
		try {
			await signIn(page, ALICE, true);

			// What the person reads before approving.
			const lead = await page.locator('.lead').textContent();
			assert.match(lead, /Browser Test Client <b>/);
			assert.match(lead, /alice/);
			const scopes = await page.locator('.scopes li strong')
			    .allTextContents();
			assert.deepEqual(scopes, ['mcp', 'notes:read']);
			const host = new URL(callback.url).host;
			assert.ok((await page.locator('dd code').allTextContents())
			    .includes(host), `redirect host ${host} shown`);
			assert.equal(await page.locator('b').count(), 0,
			    'the client name is text, not markup');
			await page.screenshot({
				path: artifactPath('consent.png'),
				fullPage: true,
			});

			const { params, text } = await decide(page, 'approve');
			assert.equal(text, 'You may close this window.');
			assert.equal(params.state, state);
			assert.equal(params.iss, s.issuer);
			assert.match(params.code ?? '', /\S/);
			assert.deepEqual(blocked, []);

			// The code is good: the client gets its tokens.
			const tok = await exchange(s, { ...client,
			    redirect_uris: [callback.url] }, params.code,
			    verifier, { resource: `${s.issuer}/mcp` });
			assert.equal(tok.status, 200, tok.body);
			assert.equal(tok.json().scope, 'mcp notes:read');
		} finally {
			await context.close();
		}
	});

	test('carol unticks an optional scope; the token is without it',
	    async () => {
		const { context, page, verifier } =
		    await start('mcp notes:read notes:write');
		try {
			await signIn(page, CAROL, false);
			// Each scope has a labelled checkbox, ticked; the base
			// one cannot be unticked.
			const boxes = page.locator('fieldset.scopes ' +
			    'input[type=checkbox]');
			assert.equal(await boxes.count(), 3);
			assert.equal(await page.locator('fieldset.scopes legend')
			    .textContent(), 'It will be able to');
			assert.ok(await page.isDisabled('#scope-0'));
			assert.ok(await page.isChecked('#scope-2'));
			// What a scope unlocks is listed under it.
			assert.match(await page.locator('#scope-2 ~ ul.unlocks')
			    .textContent(), /Add a note/);
			await page.screenshot({
				path: artifactPath('consent-scopes.png'),
				fullPage: true,
			});
			// Clicking the label unticks the box (label for=).
			await page.click('label[for=scope-2]');
			assert.equal(await page.isChecked('#scope-2'), false);
			const { params } = await decide(page, 'approve');
			const tok = await exchange(s, { ...client,
			    redirect_uris: [callback.url] }, params.code,
			    verifier, { resource: `${s.issuer}/mcp` });
			assert.equal(tok.status, 200, tok.body);
			assert.equal(tok.json().scope, 'mcp notes:read');
		} finally {
			await context.close();
		}
	});

	test('a page on another origin cannot frame the login page',
	    async () => {
		// The framing page, at http://127.0.0.1:PORT (another
		// origin than https://localhost:PORT), frames what ?src=
		// names.
		const framer = http.createServer((req, res) => {
			const src = new URL(req.url, 'http://127.0.0.1')
			    .searchParams.get('src') ?? '';
			const attr = src.replace(/&/g, '&amp;')
			    .replace(/"/g, '&quot;');
			res.writeHead(200, { 'Content-Type':
			    'text/html; charset=utf-8' });
			res.end('<!DOCTYPE html><title>Framer</title>' +
			    `<iframe id="f" src="${attr}" width="600" ` +
			    'height="600"></iframe>');
		});
		await new Promise((resolve, reject) => {
			framer.once('error', reject);
			framer.listen(0, '127.0.0.1', resolve);
		});
		const framerUrl = `http://127.0.0.1:${framer.address().port}/`;
		const context = await browser.newContext();
		try {
			const page = await context.newPage();
			const refused = [];
			page.on('console', (m) => {
				if (/frame|Refused/i.test(m.text()))
					refused.push(m.text());
			});
			// The child frame once it has loaded (the load event
			// of the page waits for its frames): the frame's
			// document, or Chromium's error page in its place.
			async function framed(src) {
				await page.goto(framerUrl + '?' +
				    new URLSearchParams({ src }),
				    { waitUntil: 'load' });
				const f = page.frames().find((x) =>
				    x !== page.mainFrame());
				assert.ok(f, 'the iframe exists');
				return f;
			}

			// Control: a page that sends no framing policy (the
			// client's loopback listener, off its /callback path
			// so that it records nothing) renders in the frame,
			// so a frame that shows nothing is the policy's doing.
			const ok = await framed(new URL('/control',
			    callback.url).href);
			assert.equal(await ok.locator('h1').textContent(),
			    'You may close this window.');

			const { challenge } = pkce();
			const url = new URL('/authorize', s.issuer);
			url.search = new URLSearchParams({
				response_type: 'code',
				client_id: client.client_id,
				redirect_uri: callback.url,
				scope: 'mcp',
				state: 'framed',
				resource: `${s.issuer}/mcp`,
				code_challenge: challenge,
				code_challenge_method: 'S256',
			}).toString();
			// Straight in the browser, the login form is there.
			const direct = await context.newPage();
			await direct.goto(url.href);
			assert.equal(await direct.locator('#password').count(), 1);
			await direct.close();

			const f = await framed(url.href);
			assert.equal(await f.locator('#password').count(), 0,
			    'the login form rendered in a cross-origin frame');
			assert.equal(await f.locator('#username').count(), 0);
			assert.doesNotMatch(await f.evaluate(() =>
			    document.documentElement.outerHTML), /Sign in/);
			await page.screenshot({
				path: artifactPath('framed.png'),
				fullPage: true,
			});
			assert.ok(refused.some((m) => /frame-ancestors|X-Frame-Options/
			    .test(m)), `Chromium said why: ${refused.join('; ')}`);
		} finally {
			await context.close();
			framer.closeAllConnections();
			await new Promise((resolve) => framer.close(resolve));
		}
	});

	test('bob signs in and denies; the client hears access_denied',
	    async () => {
		const { context, page, state, blocked } =
		    await start('mcp notes:read notes:write');
		try {
			await signIn(page, BOB, false);
			assert.match(await page.locator('.lead').textContent(),
			    /bob/);
			const { params } = await decide(page, 'deny');
			assert.equal(params.error, 'access_denied');
			assert.equal(params.state, state);
			assert.equal(params.iss, s.issuer);
			assert.equal(params.code, undefined);
			assert.deepEqual(blocked, []);
		} finally {
			await context.close();
		}
	});
});
