// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// user_auth = remote_user: the web server's REMOTE_USER is
// trusted and the login page skipped; without it, an error page.  The
// web server in the other tests cannot be made to set REMOTE_USER, so
// these run authorize.fcgi and token.fcgi as plain CGI programs with
// the environment a web server with authentication would give them.
// The same harness covers query strings a web server would rewrite.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CgiSite, mcpCgiRequest } from '../lib/cgi.mjs';
import { formField, pkce } from '../lib/oauth.mjs';

let site;
let client;

before(() => {
	site = new CgiSite({ config: 'user_auth = remote_user' });
	client = JSON.parse(site.admin(['--json', 'client', 'add', '--name',
	    'Remote <App>', '--redirect-uri', 'http://127.0.0.1/callback'])
	    .stdout);
	site.admin(['user', 'add', 'mallory', '--password-stdin'],
	    { input: 'mallory-pw-123\n' });
	site.admin(['user', 'disable', 'mallory']);
});

after(() => {
	site?.cleanup();
});

function target(params = {}) {
	const p = {
		response_type: 'code',
		client_id: client.client_id,
		state: 'rs',
		code_challenge: pkce().challenge,
		code_challenge_method: 'S256',
		...params,
	};
	for (const [k, v] of Object.entries(p))
		if (v === undefined)
			delete p[k];
	return '/authorize?' + new URLSearchParams(p);
}

function assertPage(res, status) {
	assert.equal(res.status, status, res.body.slice(0, 500));
	assert.deepEqual(res.header('Content-Type'),
	    ['text/html; charset=utf-8']);
	assert.deepEqual(res.header('X-Frame-Options'), ['DENY']);
	assert.deepEqual(res.header('Cache-Control'), ['no-store']);
	assert.deepEqual(res.header('Location'), []);
}

// The browser cookie a GET set, as the next request's Cookie header.
function cookieOf(res) {
	return res.header('Set-Cookie').map((h) => h.split(';')[0]).join('; ');
}

describe('user_auth = remote_user', () => {
	it('skips the login page for the web server\'s user', () => {
		const res = site.run('authorize.fcgi', {
			target: target(),
			env: { REMOTE_USER: 'alice' },
		});
		assertPage(res, 200);
		assert.match(res.body, /<h1>Allow access\?<\/h1>/);
		assert.match(res.body, /as <strong>alice<\/strong>/);
		assert.match(res.body, /Remote &lt;App&gt;/);
		assert.doesNotMatch(res.body, /name given by the application/,
		    'an administrator\'s client');
		assert.doesNotMatch(res.body, /type="password"/);
	});

	it('approves with REMOTE_USER and issues a code for that user',
	    () => {
		const { verifier, challenge } = pkce();
		const page = site.run('authorize.fcgi', {
			target: target({ code_challenge: challenge }),
			env: { REMOTE_USER: 'alice' },
		});
		assertPage(page, 200);
		const res = site.run('authorize.fcgi', {
			method: 'POST',
			target: '/authorize',
			headers: { Cookie: cookieOf(page) },
			env: { REMOTE_USER: 'alice' },
			body: new URLSearchParams({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'approve',
			}).toString(),
		});
		assert.equal(res.status, 302, res.body);
		const loc = new URL(res.header('Location')[0]);
		assert.equal(loc.origin + loc.pathname,
		    'http://127.0.0.1/callback');
		assert.equal(loc.searchParams.get('state'), 'rs');
		assert.equal(loc.searchParams.get('iss'), site.issuer);
		assert.match(res.stderr,
		    /event=consent_given user="alice" client="mcpc_[^"]+" ip="192\.0\.2\.10"/);
		const tok = site.run('token.fcgi', {
			method: 'POST',
			target: '/token',
			body: new URLSearchParams({
				grant_type: 'authorization_code',
				code: loc.searchParams.get('code'),
				code_verifier: verifier,
				client_id: client.client_id,
			}).toString(),
		});
		assert.equal(tok.status, 200, tok.body);
		assert.match(tok.json().access_token, /^mcpat_/);
		assert.match(tok.stderr, /event=token_issued user="alice" /);
		assert.ok(!tok.stderr.includes(tok.json().access_token));
	});

	it('shows an error page without REMOTE_USER', () => {
		const res = site.run('authorize.fcgi', { target: target() });
		assertPage(res, 403);
		assert.match(res.body, /Not signed in/);
		assert.match(res.body, /REMOTE_USER/);
	});

	it('shows an error page for a REMOTE_USER that is no valid name',
	    () => {
		for (const name of ['a b', '<script>', 'x'.repeat(65),
		    'alice\u00e9']) {
			const res = site.run('authorize.fcgi', {
				target: target(),
				env: { REMOTE_USER: name },
			});
			assertPage(res, 403);
			assert.doesNotMatch(res.body, /<script>/);
		}
	});

	it('refuses a REMOTE_USER whose local account is disabled', () => {
		const res = site.run('authorize.fcgi', {
			target: target(),
			env: { REMOTE_USER: 'mallory' },
		});
		assertPage(res, 403);
	});

	it('refuses a POST that changes REMOTE_USER to nobody', () => {
		const page = site.run('authorize.fcgi', {
			target: target(),
			env: { REMOTE_USER: 'alice' },
		});
		const res = site.run('authorize.fcgi', {
			method: 'POST',
			target: '/authorize',
			headers: { Cookie: cookieOf(page) },
			body: new URLSearchParams({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'approve',
			}).toString(),
		});
		assertPage(res, 403);
		assert.match(res.body, /Not signed in/);
		assert.doesNotMatch(res.body, /type="password"/,
		    'no password form that cannot work');
	});

	it('has no password sign-in', () => {
		const page = site.run('authorize.fcgi', {
			target: target(),
			env: { REMOTE_USER: 'alice' },
		});
		const res = site.run('authorize.fcgi', {
			method: 'POST',
			target: '/authorize',
			headers: { Cookie: cookieOf(page) },
			env: { REMOTE_USER: 'alice' },
			body: new URLSearchParams({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'login',
				username: 'mallory',
				password: 'mallory-pw-123',
			}).toString(),
		});
		assertPage(res, 400);
		assert.match(res.body, /No password sign-in/);
		assert.deepEqual(res.header('Set-Cookie'), []);
	});

	it('answers prompt=login with login_required, not a dead end', () => {
		const res = site.run('authorize.fcgi', {
			target: target({ prompt: 'login' }),
			env: { REMOTE_USER: 'alice' },
		});
		assert.equal(res.status, 302, res.body.slice(0, 300));
		const q = new URL(res.header('Location')[0]).searchParams;
		assert.equal(q.get('error'), 'login_required');
		assert.equal(q.get('state'), 'rs');
		assert.equal(q.get('iss'), site.issuer);
	});

	it('answers prompt=none with consent_required for a public client',
	    () => {
		const res = site.run('authorize.fcgi', {
			target: target({ prompt: 'none' }),
			env: { REMOTE_USER: 'alice' },
		});
		assert.equal(res.status, 302);
		assert.equal(new URL(res.header('Location')[0]).searchParams
		    .get('error'), 'consent_required');
	});
});

// The web server signs these people in, and most have no record here:
// an administrator must still be able to block one, at once, with
// what blocks a local user (user disable), and let her in again.
describe('blocking a person the web server signs in', () => {
	function consentPage(name, challenge) {
		return site.run('authorize.fcgi', {
			target: target({ code_challenge: challenge }),
			env: { REMOTE_USER: name },
		});
	}

	function approve(name, page) {
		return site.run('authorize.fcgi', {
			method: 'POST',
			target: '/authorize',
			headers: { Cookie: cookieOf(page) },
			env: { REMOTE_USER: name },
			body: new URLSearchParams({
				request: formField(page.body, 'request'),
				csrf: formField(page.body, 'csrf'),
				action: 'approve',
			}).toString(),
		});
	}

	function tokensFor(name) {
		const { verifier, challenge } = pkce();
		const res = approve(name, consentPage(name, challenge));
		assert.equal(res.status, 302, res.body);
		const code = new URL(res.header('Location')[0]).searchParams
		    .get('code');
		const tok = token({ grant_type: 'authorization_code', code,
		    code_verifier: verifier });
		assert.equal(tok.status, 200, tok.body);
		return tok.json();
	}

	function token(form) {
		return site.run('token.fcgi', {
			method: 'POST',
			target: '/token',
			body: new URLSearchParams({ client_id: client.client_id,
			    ...form }).toString(),
		});
	}

	function whoami(accessToken) {
		return site.run('mcp.fcgi', mcpCgiRequest(accessToken,
		    'tools/call', { name: 'whoami' }));
	}

	function listed(name) {
		return JSON.parse(site.admin(['--json', 'user', 'list']).stdout)
		    .find((u) => u.user === name);
	}

	it('disables one without a record: her tokens, her open consent ' +
	    'page and her next sign-in all fail at once', () => {
		const tokens = tokensFor('carol');
		assert.equal(whoami(tokens.access_token).status, 200);
		const page = consentPage('carol', pkce().challenge);
		assertPage(page, 200);
		assert.equal(listed('carol'), undefined, 'no record yet');

		const out = site.admin(['user', 'disable', 'carol']).stdout;
		assert.match(out, /^disabled user carol; revoked 1 grant/);
		assert.equal(listed('carol').disabled, true);

		const res = whoami(tokens.access_token);
		assert.equal(res.status, 401, res.body);
		assert.match(res.header('WWW-Authenticate')[0],
		    /error="invalid_token"/);
		const refreshed = token({ grant_type: 'refresh_token',
		    refresh_token: tokens.refresh_token });
		assert.equal(refreshed.status, 400, refreshed.body);
		assert.equal(refreshed.json().error, 'invalid_grant');
		assertPage(approve('carol', page), 403);
		assertPage(consentPage('carol', pkce().challenge), 403);
	});

	it('enables her again, and a blocked record holds no password',
	    () => {
		site.admin(['user', 'disable', 'erin']);
		assertPage(consentPage('erin', pkce().challenge), 403);
		assert.match(site.admin(['user', 'enable', 'erin']).stdout,
		    /^enabled user erin$/m);
		assert.equal(listed('erin').disabled, false);
		const tokens = tokensFor('erin');
		assert.equal(whoami(tokens.access_token).status, 200);
	});

	it('enables one who was never blocked, and says what user del ' +
	    'does not do', () => {
		assert.match(site.admin(['user', 'enable', 'frank']).stdout,
		    /^enabled user frank$/m);
		assert.equal(listed('frank'), undefined);
		site.admin(['user', 'disable', 'grace']);
		const del = site.admin(['user', 'del', 'grace']);
		assert.match(del.stderr,
		    /still signs grace in; "user disable grace" blocks her/);
		assertPage(consentPage('grace', pkce().challenge), 200);
	});
});

describe('query strings a web server would normalise', () => {
	it('a malformed percent-escape is an error page', () => {
		const res = site.run('authorize.fcgi', {
			target: target() + '&x=%zz',
			env: { REMOTE_USER: 'alice' },
		});
		assertPage(res, 400);
		assert.match(res.body, /malformed percent-encoding/);
	});

	it('an encoded NUL is an error page', () => {
		const res = site.run('authorize.fcgi', {
			target: target({ state: 'a\u0000b' }),
			env: { REMOTE_USER: 'alice' },
		});
		assertPage(res, 400);
		assert.match(res.body, /NUL/);
	});
});
