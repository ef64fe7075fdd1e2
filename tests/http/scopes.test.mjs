// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Which scopes a person may grant, and which they choose: the
// administrator's per-user limit (mcp-oauth-admin user scopes), the
// consent page's checkboxes with what each scope unlocks, the issued
// scope (RFC 6749 §3.3: it may differ from the requested one), /mcp's
// 403 insufficient_scope for what was left out, a limit narrowing live
// grants, a forged scope list, and a step-up that shows only what is
// new.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer, headerValues } from '../lib/harness.mjs';
import { assertHtmlPage, signInTo } from '../lib/checks.mjs';
import {
	Person, authorizeQuery, exchange, formField, pkce, redirectParams,
	register,
} from '../lib/oauth.mjs';

// Scope names are limited to [A-Za-z0-9:._/-] by the configuration;
// their texts may say anything, and are escaped.
const EXTRA = 'extra:x';

let s, client;

before(async () => {
	s = await TestServer.start({
		users: ['carol', 'dave', 'erin', 'fay', 'gil'].map((name) =>
		    ({ name, password: `${name}-password` })),
		config: `scopes = mcp notes:read notes:write ${EXTRA}\n` +
		    'default_scopes = mcp notes:read notes:write\n' +
		    `scope.${EXTRA} = <b>bold</b> & "quoted" 'single'\n`,
	});
	client = await register(s);
});

after(async () => {
	await s?.stop();
});

function person(name) {
	return new Person(s, name, `${name}-password`);
}

// The consent page of a new request (signing in first if need be),
// with the PKCE verifier for the exchange.
async function consentPage(p, params = {}) {
	const { verifier, challenge } = pkce();
	const page = await signInTo(p, authorizeQuery(client, {
		code_challenge: challenge,
		code_challenge_method: 'S256',
		...params,
	}));
	return { page, verifier };
}

// The checkboxes of a consent page: [{ field, value, fixed }].
function checkboxes(html) {
	return [...html.matchAll(/<input type="checkbox" id="[^"]*"(?: name="([^"]*)")? value="([^"]*)" checked( disabled)?>/g)]
	    .map((m) => ({ field: m[1], value: m[2], fixed: m[3] !== undefined }));
}

// Approves with exactly the fields given besides the form's own.
async function approveWith(p, page, fields) {
	return p.post({
		request: formField(page.body, 'request'),
		csrf: formField(page.body, 'csrf'),
		action: 'approve',
		scopes_shown: '1',
		...fields,
	});
}

async function tokenFrom(res, verifier) {
	const { params } = redirectParams(res);
	assert.ok(params.code, JSON.stringify(params));
	const tok = await exchange(s, client, params.code, verifier);
	assert.equal(tok.status, 200, tok.body);
	return tok.json();
}

// The whole flow approving what the page ticks by default.
async function tokensFor(p, params = {}) {
	const { page, verifier } = await consentPage(p, params);
	return tokenFrom(await p.decide(page, 'approve'), verifier);
}

function callTool(token, name, args = {}) {
	return s.request('POST', '/mcp', {
		json: { jsonrpc: '2.0', id: 1, method: 'tools/call',
		    params: { name, arguments: args } },
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
	});
}

function assertInsufficient(res, scope) {
	assert.equal(res.status, 403, res.body);
	assert.match(headerValues(res, 'WWW-Authenticate')[0],
	    new RegExp(`^Bearer error="insufficient_scope", error_description="this operation needs the scope ${scope}"`));
}

describe('the consent page lists what each scope unlocks', () => {
	it('offers every requested scope ticked, the base one fixed, with ' +
	    'its tools, resources and prompts', async () => {
		const { page } = await consentPage(person('erin'));
		const boxes = checkboxes(page.body);
		assert.deepEqual(boxes.map((b) => b.value),
		    ['mcp', 'notes:read', 'notes:write']);
		assert.deepEqual(boxes.map((b) => b.fixed), [true, false, false]);
		// The fixed box is disabled, so a hidden field carries it.
		assert.match(page.body, /<input type="hidden" name="scope_0" value="mcp">/);
		assert.match(page.body, /<fieldset class="scopes">\n<legend>It will be able to<\/legend>/);
		for (let i = 0; i < 3; i++)
			assert.match(page.body, new RegExp(`<label for="scope-${i}">`));
		// notes:write unlocks the writing tools and, as it implies
		// notes:read, the reading ones; notes:read only those.
		const section = (name) => page.body.slice(
		    page.body.indexOf(`value="${name}"`)).split('</li>\n<li><input')[0];
		assert.match(section('notes:write'), /Tool: <code>[^<]*(Add|add)[^<]*<\/code>/);
		assert.match(section('notes:write'), /Tool: <code>[^<]*(List|list)[^<]*<\/code>/);
		assert.doesNotMatch(section('notes:read'), /(Add|add) a note|notes_add/);
		assert.match(section('notes:read'), /Prompt: <code>/);
		assert.match(section('notes:read'), /Resources: <code>/);
		assert.match(section('mcp'), /Tool: <code>[^<]*(whoami|Who am I)[^<]*<\/code>/i);
	});

	it('unticking an optional scope leaves it out of the grant and the ' +
	    'token, and /mcp refuses the tools that need it', async () => {
		const p = person('erin');
		const { page, verifier } = await consentPage(p);
		// What a browser sends with notes:write unticked: the fixed
		// scope's hidden field and the ticked box.
		const tok = await tokenFrom(await approveWith(p, page,
		    { scope_0: 'mcp', scope_1: 'notes:read' }), verifier);
		assert.equal(tok.scope, 'mcp notes:read');
		assertInsufficient(await callTool(tok.access_token, 'notes_add',
		    { text: 'x' }), 'notes:write');
		assert.equal((await callTool(tok.access_token, 'notes_list'))
		    .status, 200);
	});

	it('the base scope stays even if its field is left out', async () => {
		const p = person('erin');
		const { page, verifier } = await consentPage(p,
		    { prompt: 'consent' });
		const tok = await tokenFrom(await approveWith(p, page, {}),
		    verifier);
		// erin granted mcp and notes:read before: a step-up keeps them.
		assert.ok(tok.scope.split(' ').includes('mcp'), tok.scope);
	});

	it('refuses a posted scope the page did not offer', async () => {
		const p = person('fay');
		const { page } = await consentPage(p,
		    { scope: 'mcp notes:read' });
		for (const forged of ['notes:write', 'mcp notes:write',
		    'offline_access', EXTRA, '']) {
			const res = await approveWith(p, page,
			    { scope_0: 'mcp', scope_1: forged });
			assertHtmlPage(res, 400);
			assert.match(res.body, /does not ask for, or that you may not give/);
		}
		// The request is still pending: the honest form works.
		const res = await approveWith(p, page, { scope_0: 'mcp' });
		assert.equal(res.status, 302);
		assert.ok(redirectParams(res).params.code);
	});

	it('a step-up shows the scopes granted before apart, and only the ' +
	    'new ones as choices', async () => {
		const p = person('gil');
		const first = await tokensFor(p, { scope: 'mcp' });
		assert.equal(first.scope, 'mcp');
		assertInsufficient(await callTool(first.access_token,
		    'notes_list'), 'notes:read');
		const { page, verifier } = await consentPage(p,
		    { scope: 'mcp notes:read' });
		assert.match(page.body, /<dt>Already allowed<\/dt>\n<dd><ul class="scopes granted">\n<li><strong>mcp<\/strong>/);
		assert.deepEqual(checkboxes(page.body).map((b) => b.value),
		    ['notes:read']);
		assert.equal(checkboxes(page.body)[0].fixed, false);
		const tok = await tokenFrom(await p.decide(page, 'approve'),
		    verifier);
		assert.equal(tok.scope, 'mcp notes:read');
		assert.equal((await callTool(tok.access_token, 'notes_list'))
		    .status, 200);
	});

	it('escapes a configured scope text', async () => {
		const { page } = await consentPage(person('fay'),
		    { scope: `mcp ${EXTRA}`, prompt: 'consent' });
		assert.doesNotMatch(page.body, /<b>bold/);
		assert.match(page.body, /<strong>extra:x<\/strong><span>&lt;b&gt;bold&lt;\/b&gt; &amp; &quot;quoted&quot; &#39;single&#39;<\/span>/);
	});
});

describe('per-user scope limits (mcp-oauth-admin user scopes)', () => {
	before(() => {
		s.admin(['user', 'scopes', 'carol', 'notes:read', 'mcp']);
	});

	it('the admin tool refuses an unknown scope and shows the limit',
	    () => {
		const r = s.admin(['user', 'scopes', 'carol', 'nope'],
		    { allowFailure: true });
		assert.notEqual(r.status, 0);
		assert.match(r.stderr, /unknown scope "nope"/);
		const list = JSON.parse(s.admin(['--json', 'user', 'list'])
		    .stdout);
		assert.equal(list.find((u) => u.user === 'carol').scopes,
		    'mcp notes:read');
		assert.equal(list.find((u) => u.user === 'dave').scopes, null);
		assert.match(s.admin(['user', 'list']).stdout,
		    /carol .* mcp notes:read\n/);
	});

	it('refuses a forged approval of a scope beyond the limit',
	    async () => {
		const p = person('carol');
		const { page } = await consentPage(p);
		const res = await approveWith(p, page, { scope_0: 'mcp',
		    scope_1: 'notes:read', scope_2: 'notes:write' });
		assertHtmlPage(res, 400);
	});

	it('a limited user is offered only her scopes, and her token ' +
	    'carries no more', async () => {
		const p = person('carol');
		const { page, verifier } = await consentPage(p);
		assert.deepEqual(checkboxes(page.body).map((b) => b.value),
		    ['mcp', 'notes:read']);
		assert.match(page.body, /<li><strong>notes:write<\/strong>: your administrator has not allowed this<\/li>/);
		const tok = await tokenFrom(await p.decide(page, 'approve'),
		    verifier);
		assert.equal(tok.scope, 'mcp notes:read');
		assertInsufficient(await callTool(tok.access_token, 'notes_add',
		    { text: 'x' }), 'notes:write');
		assert.equal((await callTool(tok.access_token, 'notes_list'))
		    .status, 200);
	});

	it('a request only for scopes beyond the limit gets a page that ' +
	    'says which, and nothing goes to the client', async () => {
		const p = person('carol');
		const login = await p.get(authorizeQuery(client,
		    { scope: 'notes:write', code_challenge: pkce().challenge,
		    code_challenge_method: 'S256' }));
		const signedIn = await p.login(login);
		assert.equal(signedIn.status, 303);
		const res = await p.get(signedIn.headers.location);
		assertHtmlPage(res, 403);
		assert.equal(res.headers.location, undefined);
		assert.match(res.body, /Access not allowed/);
		assert.match(res.body, /not allowed you to give: notes:write\./);
	});

	// carol granted mcp notes:read above.  A step-up to notes:write,
	// or her second device asking for all three (one client id), gets
	// the consent page: nothing new to tick, notes:write named as not
	// hers to give, and approving connects with what she may give.
	it('a step-up beyond the limit, or a second device, gets the ' +
	    'consent page naming what is not allowed', async () => {
		const p = person('carol');
		const { verifier, challenge } = pkce();
		const login = await p.get(authorizeQuery(client,
		    { scope: 'mcp notes:read notes:write', code_challenge:
		    challenge, code_challenge_method: 'S256' }));
		const page = await p.get((await p.login(login)).headers.location);
		assertHtmlPage(page, 200);
		assert.match(page.body, /<h1>Allow access\?<\/h1>/);
		assert.match(page.body, /notes:write/);
		assert.doesNotMatch(page.body,
		    /<input type="checkbox"[^>]*value="notes:write"/);
		const back = await p.decide(page, 'approve');
		const { params } = redirectParams(back);
		const tok = await exchange(s, client, params.code, verifier);
		assert.equal(tok.status, 200, tok.body);
		assert.deepEqual(tok.json().scope.split(' ').sort(),
		    ['mcp', 'notes:read']);
	});

	it('narrowing a user narrows her live token at once; a limit ' +
	    'without the base scope is refused', async () => {
		const p = person('dave');
		const tok = await tokensFor(p);
		assert.equal(tok.scope, 'mcp notes:read notes:write');
		assert.equal((await callTool(tok.access_token, 'notes_add',
		    { text: 'before' })).status, 200);
		const r = s.admin(['--json', 'user', 'scopes', 'dave', 'mcp',
		    'notes:read']);
		const out = JSON.parse(r.stdout);
		assert.equal(out.scopes, 'mcp notes:read');
		assert.equal(out.grants_narrowed, 1);
		assert.equal(out.access_tokens_narrowed, 1);
		// In the audit trail, with who set what.
		const ev = JSON.parse(s.admin(['--json', 'events', '--kind',
		    'scopes-limited', '--user', 'dave']).stdout);
		assert.equal(ev.length, 1, JSON.stringify(ev));
		assert.equal(ev[0].detail, 'admin-tool: mcp notes:read');
		// The same token, the next request: the removed scope is gone.
		assertInsufficient(await callTool(tok.access_token, 'notes_add',
		    { text: 'after' }), 'notes:write');
		assert.equal((await callTool(tok.access_token, 'notes_list'))
		    .status, 200);
		// A refresh gets no more than the narrowed grant.
		const ref = await s.request('POST', '/token', { form: {
			grant_type: 'refresh_token',
			refresh_token: tok.refresh_token,
			client_id: client.client_id,
		} });
		assert.equal(ref.status, 200, ref.body);
		assert.equal(ref.json().scope, 'mcp notes:read');
		// A limit without the base scope is refused, and changes
		// nothing.
		const r2 = s.admin(['--json', 'user', 'scopes', 'dave',
		    'notes:read'], { allowFailure: true });
		assert.equal(r2.status, 2, r2.stderr);
		assert.match(r2.stderr, /base scope "mcp"/);
		const res = await callTool(ref.json().access_token,
		    'notes_list');
		assert.equal(res.status, 200);
		// --all lifts the limit for new approvals.
		s.admin(['user', 'scopes', 'dave', '--all']);
		const again = await tokensFor(p);
		assert.equal(again.scope, 'mcp notes:read notes:write');
	});

	it('a password change keeps the limit', () => {
		s.admin(['user', 'passwd', 'carol', '--password-stdin'],
		    { input: 'carol-password\n' });
		const list = JSON.parse(s.admin(['--json', 'user', 'list'])
		    .stdout);
		assert.equal(list.find((u) => u.user === 'carol').scopes,
		    'mcp notes:read');
	});
});
