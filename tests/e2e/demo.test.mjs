// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// scripts/demo --conformance --detach --port N, under lighttpd and
// under Apache (--server apache): the demo serves the conformance
// suite's fixture program at /mcp, behind the same OAuth (a token from
// the real flow, as the demo user) in both eras, and --stop ends it.
// The demo keeps its files under a directory of the test's own
// (MCP_OAUTH_DEMO_VAR), so a developer's demo under ./var/ is left
// alone.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildDir, freePort, remoteServer, repo } from '../lib/harness.mjs';
import { obtainTokens, Person, register } from '../lib/oauth.mjs';

const PASSWORD = 'the demo has a long password';

function demo(env, args) {
	const r = spawnSync(path.join(repo, 'scripts', 'demo'), args, {
		encoding: 'utf8',
		env: { ...process.env, ...env },
		timeout: 300000,
	});
	return { ...r, output: `${r.stdout}${r.stderr}` };
}

// A JSON-RPC call at /mcp, in the 2025-11-25 era.
async function mcp(s, token, method, params) {
	const headers = {
		Accept: 'application/json, text/event-stream',
		'MCP-Protocol-Version': '2025-11-25',
	};
	if (token !== undefined)
		headers.Authorization = `Bearer ${token}`;
	const res = await s.request('POST', '/mcp', { headers,
	    json: { jsonrpc: '2.0', id: 1, method, params } });
	return res;
}

for (const server of [[], ['--server', 'apache']]) {
	const label = ['--conformance', ...server].join(' ');

	describe(`scripts/demo ${label}`, () => {
		let dir;
		let env;
		let port;
		let started;

		before(async () => {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-demo-'));
			// Apache runs the programs as www-data when started as
			// root: they must reach the demo's directory.
			fs.chmodSync(dir, 0o755);
			port = await freePort();
			env = {
				MCP_OAUTH_DEMO_VAR: dir,
				MCP_OAUTH_DEMO_PASSWORD: PASSWORD,
				MCP_OAUTH_BUILD_DIR: buildDir,
			};
			started = demo(env, ['--conformance', ...server,
			    '--detach', '--port', String(port)]);
		});

		after(() => {
			if (dir === undefined)
				return;
			demo(env, ['--stop']);
			fs.rmSync(dir, { recursive: true, force: true });
		});

		test('serves the fixture tools behind OAuth, and stops',
		    async () => {
			assert.equal(started.status, 0, started.output);
			assert.match(started.output,
			    /MCP URL: +https:\/\/localhost:\d+\/mcp \(the conf/);
			const ca = fs.readFileSync(path.join(dir, 'demo',
			    'cert.pem'));
			const s = remoteServer({ port, ca });
			s.issuer = `https://localhost:${port}`;

			// No token, no tools.
			assert.equal((await mcp(s, undefined, 'tools/list'))
			    .status, 401);

			const client = await register(s,
			    { client_name: 'demo test' });
			const person = new Person(s, 'demo', PASSWORD);
			const tok = await obtainTokens(s, person, client, {
				scope: 'mcp',
				resource: `${s.issuer}/mcp`,
			});
			let res = await mcp(s, tok.access_token, 'tools/list');
			assert.equal(res.status, 200, res.body);
			const names = res.json().result.tools.map((x) => x.name);
			assert.ok(names.includes('test_simple_text'),
			    names.join(' '));
			assert.ok(!names.includes('whoami'), names.join(' '));
			res = await mcp(s, tok.access_token, 'tools/call',
			    { name: 'test_simple_text', arguments: {} });
			assert.equal(res.status, 200, res.body);
			assert.equal(res.json().result.content[0].text,
			    'This is a simple text response for testing.');

			// And in the 2026-07-28 era, statelessly.
			const meta = {
				'io.modelcontextprotocol/protocolVersion':
				    '2026-07-28',
				'io.modelcontextprotocol/clientCapabilities': {},
			};
			res = await s.request('POST', '/mcp', {
				headers: {
					Authorization: `Bearer ${tok.access_token}`,
					Accept: 'application/json, text/event-stream',
					'MCP-Protocol-Version': '2026-07-28',
					'Mcp-Method': 'tools/list',
				},
				json: { jsonrpc: '2.0', id: 2, method: 'tools/list',
				    params: { _meta: meta } },
			});
			assert.equal(res.status, 200, res.body);
			assert.deepEqual(res.json().result.tools.map((x) => x.name),
			    names);

			const stopped = demo(env, ['--stop']);
			assert.equal(stopped.status, 0, stopped.output);
			assert.match(stopped.output, /demo stopped/);
			await assert.rejects(s.request('GET',
			    '/.well-known/oauth-authorization-server'));
		});
	});
}
