// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Registration hygiene, against running servers:
//  - mcp-oauth-admin purge removes dynamically registered clients that
//    hold no grant and were not used for registration_unused_lifetime
//    (the programs' clock moved by tests/lib/fakeclock.mjs), counts
//    them, and stats keeps the running total;
//  - registration_site_rate_limit: the site-wide cap answers 429 with
//    Retry-After and an OAuth error, and stats shows the hour's count;
//  - a user who authorizes a registered client again ends with one
//    grant, the old tokens dead; a client the administrator added
//    (shared by devices) keeps both;
//  - a sign-in in progress keeps its client from that purge, a client
//    deleted during a sign-in gets nothing, and the page for an unknown
//    client says registrations are removed and how to register again;
//  - client add --device.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { accessWorks, assertOAuthError, assertNoStore } from
    '../lib/checks.mjs';
import { FakeClock, fakeClockEnv } from '../lib/fakeclock.mjs';
import { Person, authorizeQuery, exchange, obtainTokens, pkce, redirectParams,
    refresh, register } from '../lib/oauth.mjs';

const DAY = 24 * 3600;
const PW = 'hygiene-Pw-13579';

function json(s, args, env) {
	const r = s.admin(['--json', ...args], { env });
	return JSON.parse(r.stdout);
}

function clientExists(s, id) {
	return s.admin(['client', 'show', id], { allowFailure: true })
	    .status === 0;
}

describe('unused registered clients are purged', () => {
	let s;
	let clock;

	before(async () => {
		clock = new FakeClock();
		s = await TestServer.start({
			users: [{ name: 'alice', password: PW }],
			config: 'registration_unused_lifetime = 2d',
			env: clock.env(),
		});
	});

	after(async () => {
		await s?.stop();
		clock?.cleanup();
	});

	// mcp-oauth-admin at the real time plus offset seconds.
	function later(args, offset) {
		return json(s, args, fakeClockEnv(clock.lib, { offset }));
	}

	it('by the lifetime since the last use, keeping those with a ' +
	    'grant and those the administrator added', async () => {
		const alice = new Person(s, 'alice', PW);
		// Registered now: one never used, one used later.
		const unused = await register(s, { client_name: 'Unused' });
		const used = await register(s, { client_name: 'Used later' });
		const admin = json(s, ['client', 'add', '--name', 'Admin',
		    '--redirect-uri', 'http://127.0.0.1:9999/callback']);
		// A day and a half on (the programs' clock; their own small
		// purges see nothing two days idle yet): one client used,
		// then its grant revoked, so it holds none; another
		// registered and holding a grant.
		clock.offset(1.5 * DAY);
		await obtainTokens(s, alice, used);
		assert.ok(Math.abs(json(s, ['client', 'show',
		    used.client_id]).last_used - (Date.now() / 1000 +
		    1.5 * DAY)) < 120);
		s.admin(['revoke', '--client', used.client_id]);
		const held = await register(s, { client_name: 'Held' });
		const tok = await obtainTokens(s, alice, held);
		assert.equal(json(s, ['stats']).registrations
		    .unused_clients_purged, 0);

		// At 2.5 days only the unused one is two days idle.
		const p = later(['purge'], 2.5 * DAY);
		assert.equal(p.unused_clients, 1, JSON.stringify(p));
		assert.equal(p.complete, true);
		assert.equal(clientExists(s, unused.client_id), false);
		assert.equal(clientExists(s, used.client_id), true);
		assert.equal(clientExists(s, held.client_id), true);
		assert.equal(clientExists(s, admin.client_id), true);
		assert.match(s.admin(['purge']).stdout,
		    /, 0 unused registered clients/);

		// At 4.6 days the one used at 1.5 days is idle long enough
		// (a use counts until the end of its UTC day, 2.5 days at
		// most, since last_used is written once a day).
		const q = later(['purge'], 4.6 * DAY);
		assert.equal(q.unused_clients, 1, JSON.stringify(q));
		assert.equal(clientExists(s, used.client_id), false);
		assert.equal(clientExists(s, held.client_id), true,
		    'a grant keeps it');
		assert.equal(clientExists(s, admin.client_id), true);
		// (Its access token is purged: it expired at 1.5 days.)
		const r = await refresh(s, held, tok.refresh_token);
		assert.equal(r.status, 200, r.body);
		assert.equal(json(s, ['stats']).registrations
		    .unused_clients_purged, 2);
		assert.match(s.admin(['stats']).stdout, new RegExp(
		    'registrations +\\d+ in the current hour \\(site limit ' +
		    '200\\); 2 unused clients purged so far'));
		clock.real();
	});
});

describe('sign-ins in progress and the purge of unused clients', () => {
	let s;
	let clock;
	// A fixed start, so that the UTC day does not depend on the run.
	const T0 = Math.floor(Date.now() / 1000 / DAY) * DAY + 6 * 3600;

	before(async () => {
		clock = new FakeClock();
		clock.freeze(T0);
		s = await TestServer.start({
			users: [{ name: 'alice', password: PW }],
			config: 'registration_unused_lifetime = 1d',
			env: clock.env(),
		});
	});

	after(async () => {
		await s?.stop();
		clock?.cleanup();
	});

	it('a client whose authorization request is pending is not purged',
	    async () => {
		clock.freeze(T0);
		const client = await register(s, { client_name: 'Slow' });
		// A day less a minute later the sign-in starts...
		clock.freeze(T0 + DAY - 60);
		const alice = new Person(s, 'alice', PW);
		const { verifier, challenge } = pkce();
		const page = await alice.get(authorizeQuery(client, {
			code_challenge: challenge,
			code_challenge_method: 'S256',
		}));
		assert.match(page.body, /<h1>Sign in<\/h1>/);
		// ...and a purge runs while the person types.
		clock.freeze(T0 + DAY + 60);
		const p = json(s, ['purge'], clock.env());
		assert.equal(p.unused_clients, 0, JSON.stringify(p));
		assert.equal(clientExists(s, client.client_id), true);
		const res = await alice.login(page);
		assert.equal(res.status, 303, res.body.slice(0, 500));
		const consent = await alice.get(res.headers.location);
		const { params } = redirectParams(await alice.decide(consent,
		    'approve'));
		assert.ok(params.code, JSON.stringify(params));
		const tok = await exchange(s, client, params.code, verifier);
		assert.equal(tok.status, 200, tok.body);
		clock.real();
	});

	it('a client deleted during the sign-in gets no code: a page says ' +
	    'so', async () => {
		clock.real();
		const client = await register(s, { client_name: 'Gone' });
		const alice = new Person(s, 'alice', PW);
		const page = await alice.get(authorizeQuery(client, {
			code_challenge: pkce().challenge,
			code_challenge_method: 'S256',
		}));
		const res = await alice.login(page);
		assert.equal(res.status, 303, res.body.slice(0, 500));
		const consent = await alice.get(res.headers.location);
		assert.match(consent.body, /<h1>Allow access\?<\/h1>/);
		s.admin(['client', 'del', client.client_id]);
		const end = await alice.decide(consent, 'approve');
		assert.equal(end.status, 400, end.body.slice(0, 500));
		assert.equal(end.headers.location, undefined);
		assert.match(end.body, /no longer registered here/);
		assert.match(s.programLog(), /event=consent_client_gone /);
		const grants = json(s, ['grant', 'list', '--user', 'alice']);
		assert.equal(JSON.stringify(grants).includes(client.client_id),
		    false, JSON.stringify(grants));
	});

	it('the page for an unknown client_id says unused registrations ' +
	    'are removed, and how to register again', async () => {
		const res = await s.request('GET', '/authorize?' +
		    new URLSearchParams({
			response_type: 'code',
			client_id: 'mcpc_forgotten',
			redirect_uri: 'http://127.0.0.1:9999/callback',
		}).toString());
		assert.equal(res.status, 400);
		assert.equal(res.headers.location, undefined);
		assert.match(res.body, /unknown client_id/);
		assert.match(res.body, /Registrations unused for 1 day are removed/);
		assert.match(res.body,
		    /remove this server from the application and add it again/);
	});
});

describe('registration_site_rate_limit', () => {
	let s;

	before(async () => {
		s = await TestServer.start({
			config: 'registration_site_rate_limit = 3\n' +
			    'registration_rate_limit = 100',
		});
	});

	after(async () => {
		await s?.stop();
	});

	it('refuses the registration over the site limit with 429, ' +
	    'Retry-After and an OAuth error; stats counts the hour',
	    async () => {
		for (let i = 0; i < 3; i++)
			await register(s, { client_name: `Client ${i}` });
		const res = await s.request('POST', '/register', {
			json: {
				redirect_uris: ['http://127.0.0.1:9999/callback'],
				token_endpoint_auth_method: 'none',
				client_name: 'One too many',
			},
		});
		assertOAuthError(res, 429, 'too_many_requests',
		    /as many registrations as it accepts in an hour/);
		assertNoStore(res);
		const retry = Number(res.headers['retry-after']);
		assert.ok(Number.isInteger(retry) && retry >= 1 &&
		    retry <= 3600, res.headers['retry-after']);
		const st = json(s, ['stats']).registrations;
		assert.deepEqual(st, { last_hour: 3, site_limit: 3,
		    unused_clients_purged: 0 });
		assert.match(s.admin(['stats']).stdout,
		    /registrations +3 in the current hour \(site limit 3\)/);
		assert.match(s.programLog(), /event=register_throttled .*limit="site"/);
	});
});

describe('repeated authorizations', () => {
	let s;

	before(async () => {
		s = await TestServer.start({
			users: [{ name: 'alice', password: PW }],
		});
	});

	after(async () => {
		await s?.stop();
	});

	function grants(clientId) {
		return json(s, ['grant', 'list', '--client', clientId])
		    .filter((g) => g.user === 'alice' && g.status === 'active');
	}

	it('of a registered client leave one grant; the old tokens die',
	    async () => {
		const alice = new Person(s, 'alice', PW);
		const client = await register(s);
		const first = await obtainTokens(s, alice, client);
		const second = await obtainTokens(s, alice, client);
		const third = await obtainTokens(s, alice, client);
		assert.equal(grants(client.client_id).length, 1);
		assert.equal(await accessWorks(s, first.access_token), false);
		assert.equal(await accessWorks(s, second.access_token), false);
		assert.ok(await accessWorks(s, third.access_token));
		assertOAuthError(await refresh(s, client, first.refresh_token),
		    400, 'invalid_grant');
		const r = await refresh(s, client, third.refresh_token);
		assert.equal(r.status, 200, r.body);
		assert.match(s.programLog(),
		    /event=grants_superseded .*replaced=1/);
	});

	it('of another scope keep both grants', async () => {
		const alice = new Person(s, 'alice', PW);
		const client = await register(s);
		const all = await obtainTokens(s, alice, client);
		const some = await obtainTokens(s, alice, client,
		    { scope: 'notes:read' });
		assert.equal(grants(client.client_id).length, 2);
		assert.ok(await accessWorks(s, all.access_token));
		assert.ok(await accessWorks(s, some.access_token));
	});

	it('of a client the administrator added keep every device signed ' +
	    'in', async () => {
		const alice = new Person(s, 'alice', PW);
		const client = json(s, ['client', 'add', '--name', 'Shared',
		    '--redirect-uri', 'http://127.0.0.1:9999/callback']);
		const laptop = await obtainTokens(s, alice, client);
		const desktop = await obtainTokens(s, alice, client);
		assert.equal(grants(client.client_id).length, 2);
		assert.ok(await accessWorks(s, laptop.access_token));
		assert.ok(await accessWorks(s, desktop.access_token));
	});
});

describe('client add --device', () => {
	let s;

	before(async () => {
		s = await TestServer.start({});
	});

	after(async () => {
		await s?.stop();
	});

	it('gives an added client the device grant, alone or with ' +
	    'redirect URIs', async () => {
		const only = json(s, ['client', 'add', '--name', 'TV',
		    '--device']);
		assert.deepEqual(only.grant_types, ['refresh_token',
		    'urn:ietf:params:oauth:grant-type:device_code']);
		assert.deepEqual(only.redirect_uris, []);
		assert.deepEqual(only.response_types, []);
		const both = json(s, ['client', 'add', '--name', 'Both',
		    '--device', '--redirect-uri',
		    'http://127.0.0.1:9999/callback']);
		assert.deepEqual(both.grant_types, ['authorization_code',
		    'refresh_token',
		    'urn:ietf:params:oauth:grant-type:device_code']);
		const res = await s.request('POST', '/device_authorization', {
			form: { client_id: only.client_id },
		});
		assert.equal(res.status, 200, res.body);
		assert.ok(res.json().device_code);
		const none = s.admin(['client', 'add', '--name', 'Nothing'],
		    { allowFailure: true });
		assert.equal(none.status, 2);
		assert.match(none.stderr, /--redirect-uri \(or --device\)/);
	});
});
