// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// Input-required results at /mcp (MCP 2026-07-28,
// basic/patterns/mrtr) through the real mcp.fcgi under lighttpd: the
// built-in notes_delete asks a client that declares elicitation to
// confirm, with the note's number in a sealed request state, and
// deletes on the retry.  The state opens only for the same user,
// client, method and tool, unaltered, within its ten minutes, and is
// refused otherwise with the same -32602 error; the clock is the
// harness's fake one, moved forward instead of waited for.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TestServer } from '../lib/harness.mjs';
import { FakeClock } from '../lib/fakeclock.mjs';
import { Person, obtainTokens, register } from '../lib/oauth.mjs';

const MODERN = '2026-07-28';
const V = 'io.modelcontextprotocol/protocolVersion';
const CAPS = 'io.modelcontextprotocol/clientCapabilities';
const LIFETIME = 600;	// REQSTATE_LIFETIME

let clock, s, alice, bob, aliceElsewhere;

before(async () => {
	clock = new FakeClock();
	s = await TestServer.start({
		users: [
			{ name: 'alice', password: 'alice-password' },
			{ name: 'bob', password: 'bob-password' },
		],
		config: 'access_token_lifetime = 2h',
		env: clock.env(),
	});
	const client = await register(s);
	const other = await register(s, { client_name: 'Another client' });
	const scope = { scope: 'mcp notes:write' };
	alice = (await obtainTokens(s, new Person(s, 'alice', 'alice-password'),
	    client, scope)).access_token;
	bob = (await obtainTokens(s, new Person(s, 'bob', 'bob-password'),
	    client, scope)).access_token;
	aliceElsewhere = (await obtainTokens(s, new Person(s, 'alice',
	    'alice-password'), other, scope)).access_token;
});

after(async () => {
	await s?.stop();
	clock?.cleanup();
});

let nextId = 1;

// A modern tools/call of name with args and extra params, declaring
// caps: the JSON-RPC response.
async function call(token, name, args, extra = {},
    caps = { elicitation: {} }) {
	const id = nextId++;
	const body = { jsonrpc: '2.0', id, method: 'tools/call',
	    params: { name, arguments: args, ...extra,
	    _meta: { [V]: MODERN, [CAPS]: caps,
	    'io.modelcontextprotocol/clientInfo': { name: 't',
	    version: '1' } } } };
	const res = await s.request('POST', '/mcp', {
		body: JSON.stringify(body),
		headers: {
			'Content-Type': 'application/json',
			Accept: 'application/json, text/event-stream',
			Authorization: `Bearer ${token}`,
			'MCP-Protocol-Version': MODERN,
			'Mcp-Method': 'tools/call',
			'Mcp-Name': name,
		},
	});
	assert.equal(res.status, 200, res.body);
	const r = res.json();
	assert.equal(r.id, id);
	return r;
}

async function addNote(token, text) {
	const r = await call(token, 'notes_add', { text });
	return r.result.structuredContent.id;
}

async function noteExists(token, id) {
	const r = await call(token, 'notes_get', { id });
	return r.result.isError !== true;
}

// Round one of deleting note id: the question and the state.
async function ask(token, id) {
	const r = (await call(token, 'notes_delete', { id })).result;
	assert.equal(r.resultType, 'input_required', JSON.stringify(r));
	assert.equal(r.inputRequests.confirm.method, 'elicitation/create');
	assert.match(r.inputRequests.confirm.params.message,
	    new RegExp(`note number ${id}\\b`));
	assert.equal(typeof r.requestState, 'string');
	assert.equal(r.content, undefined);
	return r.requestState;
}

const YES = { confirm: { action: 'accept', content: { confirm: true } } };

function retry(token, id, state, answers = YES) {
	return call(token, 'notes_delete', { id },
	    { inputResponses: answers, requestState: state });
}

// The refusal every bad state gets (schema: InvalidParams).
function assertRefused(r) {
	assert.equal(r.result, undefined, JSON.stringify(r));
	assert.equal(r.error.code, -32602);
	assert.equal(r.error.message, 'Invalid or expired requestState');
	assert.deepEqual(r.error.data, { reason: 'invalid_request_state' });
}

describe('notes_delete asks for confirmation', () => {
	it('deletes in two rounds once the person confirms', async () => {
		const id = await addNote(alice, 'two rounds');
		const state = await ask(alice, id);
		assert.ok(await noteExists(alice, id), 'deleted before asked');
		const r = (await retry(alice, id, state)).result;
		assert.equal(r.resultType, 'complete', JSON.stringify(r));
		assert.deepEqual(r.structuredContent, { deleted: id });
		assert.equal(await noteExists(alice, id), false);
	});

	it('keeps the note when the person declines', async () => {
		const id = await addNote(alice, 'declined');
		const state = await ask(alice, id);
		const r = (await retry(alice, id, state,
		    { confirm: { action: 'decline' } })).result;
		assert.equal(r.resultType, 'complete');
		assert.equal(r.isError, true);
		assert.match(r.content[0].text, /not deleted/);
		assert.ok(await noteExists(alice, id));
	});

	it('refuses the state for other arguments, asks again when the ' +
	    'answer is missing', async () => {
		const id = await addNote(alice, 'first');
		const other = await addNote(alice, 'second');
		const state = await ask(alice, id);
		// The state is bound to the arguments it was issued for
		// (basic/patterns/mrtr: a digest of the salient params).
		const refused = await retry(alice, other, state);
		assert.equal(refused.error?.code, -32602,
		    JSON.stringify(refused));
		assert.equal(refused.error.data.reason,
		    'invalid_request_state');
		let r = (await retry(alice, id, state, {})).result;
		assert.equal(r.resultType, 'input_required');
		// Answers without any state are not a confirmation either.
		r = (await call(alice, 'notes_delete', { id },
		    { inputResponses: YES })).result;
		assert.equal(r.resultType, 'input_required');
		assert.ok(await noteExists(alice, id));
		assert.ok(await noteExists(alice, other));
	});

	it('deletes at once for a client without elicitation', async () => {
		const id = await addNote(alice, 'no elicitation');
		const r = (await call(alice, 'notes_delete', { id }, {},
		    {})).result;
		assert.deepEqual(r.structuredContent, { deleted: id });
	});
});

describe('request state is refused', () => {
	it('when altered', async () => {
		const id = await addNote(alice, 'tampered');
		const state = await ask(alice, id);
		const raw = Buffer.from(state, 'base64url');
		for (const at of [0, 1, 20, raw.length - 1]) {
			const t = Buffer.from(raw);
			t[at] ^= 0x01;
			assertRefused(await retry(alice, id,
			    t.toString('base64url')));
		}
		assertRefused(await retry(alice, id, `${state}-TAMPERED`));
		assertRefused(await retry(alice, id, state.slice(0, -4)));
		assertRefused(await retry(alice, id, 'not a state'));
		assertRefused(await retry(alice, id, ''));
		assert.ok(await noteExists(alice, id));
		// The untouched state still works.
		const r = (await retry(alice, id, state)).result;
		assert.deepEqual(r.structuredContent, { deleted: id });
	});

	it('when replayed by another user or another client', async () => {
		const id = await addNote(alice, 'replayed');
		const state = await ask(alice, id);
		// bob has a note with the same number in his own list.
		let bobs;
		do
			bobs = await addNote(bob, 'bob\'s');
		while (bobs < id);
		assert.equal(bobs, id);
		assertRefused(await retry(bob, id, state));
		assert.ok(await noteExists(bob, id));
		assertRefused(await retry(aliceElsewhere, id, state));
		// Nor for another tool of the same user and client.
		assertRefused(await call(alice, 'notes_get', { id },
		    { inputResponses: YES, requestState: state }));
		assert.ok(await noteExists(alice, id));
	});

	it('once expired', async () => {
		const id = await addNote(alice, 'expired');
		const state = await ask(alice, id);
		try {
			clock.offset(LIFETIME - 30);
			assert.ok(await noteExists(alice, id));
			const fresh = await ask(alice, id);
			clock.offset(LIFETIME + 1);
			assertRefused(await retry(alice, id, state));
			assert.ok(await noteExists(alice, id));
			// The one issued later is still good.
			const r = (await retry(alice, id, fresh)).result;
			assert.deepEqual(r.structuredContent, { deleted: id });
		} finally {
			clock.real();
		}
	});

	it('when oversized or not a string', async () => {
		const id = await addNote(alice, 'oversized');
		assertRefused(await retry(alice, id, 'A'.repeat(64 * 1024)));
		const r = await retry(alice, id, 12345);
		assert.equal(r.error.code, -32602);
		const bad = await call(alice, 'notes_delete', { id },
		    { inputResponses: { confirm: 7 } });
		assert.equal(bad.error.code, -32602);
		assert.ok(await noteExists(alice, id));
	});
});
