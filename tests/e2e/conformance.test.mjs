// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The MCP conformance suite (@modelcontextprotocol/conformance, run
// with Node 22 from the npm package "node") against
// tests/e2e/conformance/mcp-conformance: the library's MCP endpoint
// with the suite's fixture tools, resources and prompts, at /mcp under
// lighttpd over TLS, behind the real bearer validation.  The suite cannot authorize, so
// a loopback proxy adds a token that alice obtained through the real
// flow; Host and Origin pass through unchanged, so the server's own
// DNS-rebinding protection is what the suite tests.  Both eras are
// run: the scenarios revision 2025-11-25 requires (initialize, a
// legacy client) and those 2026-07-28 requires (stateless, per-request
// _meta, server/discover), at the same /mcp.  The shipped
// mcp.fcgi, behind the same proxy, runs the scenarios that need no
// fixture tools, resources or prompts: server-initialize, ping,
// tools-list and dns-rebinding-protection.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { buildDir, TestServer } from '../lib/harness.mjs';
import { obtainTokens, Person, register } from '../lib/oauth.mjs';
import { artifactPath } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const node22 = path.join(here, 'node_modules', 'node', 'bin', 'node');
const suite = path.join(here, 'node_modules', '@modelcontextprotocol',
    'conformance', 'dist', 'index.js');
const program = process.env.MCP_CONFORMANCE_PROGRAM ??
    path.join(buildDir, 'tests', 'e2e', 'conformance', 'mcp-conformance');

// The scenarios this server must pass: the lifecycle, tools,
// resources, prompts, completion, logging, progress and security ones.
// Resource subscriptions and server-to-client requests (sampling,
// elicitation) are not in this design (NOT_IN_THIS_DESIGN below).
const RESOURCES_PROMPTS = [
	'resources-list',
	'resources-read-text',
	'resources-read-binary',
	'resources-templates-read',
	'prompts-list',
	'prompts-get-simple',
	'prompts-get-with-args',
	'prompts-get-embedded-resource',
	'prompts-get-with-image',
	'completion-complete',
];
const REQUIRED = [
	'server-initialize',
	'ping',
	'tools-list',
	'tools-call-simple-text',
	'tools-call-image',
	'tools-call-audio',
	'tools-call-embedded-resource',
	'tools-call-mixed-content',
	'tools-call-error',
	'json-schema-2020-12',
	'dns-rebinding-protection',
	...RESOURCES_PROMPTS,
	// Streamed over SSE before the result (src/lib/mcpstream.c).
	'tools-call-with-progress',
	'tools-call-with-logging',
	'logging-set-level',
];

// Revision 2026-07-28 (stateless, per-request _meta): every check of
// these scenarios, and the tool, resource, prompt and completion
// scenarios, progress, and every input-required result
// (basic/patterns/mrtr).  The tasks extension is not part of this
// work.
const REQUIRED_MODERN = [
	'server-stateless',
	'dns-rebinding-protection',
	'caching',
	'tools-list',
	'tools-call-simple-text',
	'tools-call-error',
	'tools-call-image',
	'tools-call-audio',
	'tools-call-embedded-resource',
	'tools-call-mixed-content',
	...RESOURCES_PROMPTS,
	'sep-2164-resource-not-found',
	'json-schema-2020-12',
	'http-header-validation',
	'http-custom-header-server-validation',
	'tools-call-with-progress',
	// Input-required results (basic/patterns/mrtr).
	'input-required-result-basic-elicitation',
	'input-required-result-basic-sampling',
	'input-required-result-basic-list-roots',
	'input-required-result-request-state',
	'input-required-result-multiple-input-requests',
	'input-required-result-multi-round',
	'input-required-result-missing-input-response',
	'input-required-result-non-tool-request',
	'input-required-result-result-type',
	'input-required-result-unsupported-methods',
	'input-required-result-tampered-state',
	'input-required-result-capability-check',
	'input-required-result-ignore-extra-params',
	'input-required-result-validate-input',
];
const EVERY_CHECK = ['server-stateless', 'dns-rebinding-protection',
    'caching'];

// Left out by design (docs/design.md, section 5): requests of the
// server's own inside a 2025-11-25 tools/call, and resource
// subscriptions, both of which hold a FastCGI process open.  They
// must fail for that reason and no other: the suite still runs them.
const NOT_IN_THIS_DESIGN = [
	'tools-call-sampling',
	'tools-call-elicitation',
	'elicitation-sep1034-defaults',
	'elicitation-sep1330-enums',
	'resources-subscribe',
	'resources-unsubscribe',
];

const ALICE = { name: 'alice', password: 'alice has a long password' };

// hop-by-hop headers (RFC 9110 §7.6.1) a proxy does not forward.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection',
    'te', 'trailer', 'upgrade', 'proxy-authorization']);

function forwardable(headers) {
	const out = {};
	for (const [k, v] of Object.entries(headers))
		if (!HOP.has(k))
			out[k] = v;
	return out;
}

// A plain-HTTP loopback proxy to the TLS server that adds
// "Authorization: Bearer <token>" to every request.
async function tokenProxy() {
	const p = { target: undefined, ca: undefined, token: undefined,
	    seen: [] };
	const agent = new https.Agent({ keepAlive: false });
	const server = http.createServer((req, res) => {
		const headers = forwardable(req.headers);
		headers.authorization = `Bearer ${p.token}`;
		p.seen.push({ method: req.method, host: req.headers.host,
		    origin: req.headers.origin });
		const up = https.request({
			host: '127.0.0.1',
			port: p.target,
			servername: 'localhost',
			ca: p.ca,
			agent,
			method: req.method,
			path: req.url,
			headers,
		}, (ur) => {
			const h = forwardable(ur.headers);
			delete h['transfer-encoding'];
			res.writeHead(ur.statusCode, h);
			ur.pipe(res);
		});
		up.on('error', (e) => {
			if (!res.headersSent)
				res.writeHead(502, { 'Content-Type': 'text/plain' });
			res.end(`proxy: ${e.message}\n`);
		});
		req.pipe(up);
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	p.port = server.address().port;
	p.close = () => {
		server.closeAllConnections();
		agent.destroy();
		return new Promise((resolve) => server.close(resolve));
	};
	return p;
}

// Runs the suite with Node 22: the server scenarios that spec revision
// 2025-11-25 requires, as frozen at its release, or those that which
// names (--requirements REVISION, --scenario NAME).  Resolves { code,
// signal, output }; the exit code counts every required scenario, so
// the test judges from the results instead.
function runSuite(url, outDir, which = ['--requirements', '2025-11-25']) {
	return new Promise((resolve, reject) => {
		const child = spawn(node22, [suite, 'server', '--url', url,
		    ...which, '--output-dir', outDir], {
			cwd: outDir,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, NO_COLOR: '1' },
		});
		const chunks = [];
		child.stdout.on('data', (c) => chunks.push(c));
		child.stderr.on('data', (c) => chunks.push(c));
		const timer = setTimeout(() => child.kill('SIGKILL'), 300000);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({ code, signal,
			    output: Buffer.concat(chunks).toString() });
		});
	});
}

// { scenario: [checks] } from the suite's result directories
// (server-<scenario>-<ISO time with - for : and .>/checks.json).
function readResults(outDir) {
	const results = {};
	for (const d of fs.readdirSync(outDir)) {
		const m = d.match(/^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/);
		if (m === null)
			continue;
		const file = path.join(outDir, d, 'checks.json');
		// A scenario that threw leaves its directory without
		// checks.json: a failure.
		results[m[1]] = fs.existsSync(file) ?
		    JSON.parse(fs.readFileSync(file, 'utf8')) :
		    [{ id: m[1], status: 'FAILURE',
		    errorMessage: 'the scenario did not finish' }];
	}
	return results;
}

// A server behind the token proxy, whose /mcp is program (the shipped
// mcp.fcgi when undefined), and a directory for the suite's results.
async function startBehindProxy(program, kind = undefined) {
	const proxy = await tokenProxy();
	const self = `127.0.0.1:${proxy.port}`;
	let s;
	try {
		s = await TestServer.start({
			users: [ALICE],
			...(kind === undefined ? {} : { kind }),
			programs: program === undefined ? undefined :
			    { mcp: program },
			config: [
				`allowed_hosts = ${self} localhost:${proxy.port}`,
				`allowed_origins = http://${self} ` +
				    `http://localhost:${proxy.port}`,
			].join('\n'),
		});
	} catch (e) {
		await proxy.close();
		throw e;
	}
	proxy.target = s.port;
	proxy.ca = s.ca;
	const client = await register(s, {
		client_name: 'MCP conformance proxy',
	});
	const person = new Person(s, ALICE.name, ALICE.password);
	const tok = await obtainTokens(s, person, client, {
		scope: 'mcp',
		resource: `${s.issuer}/mcp`,
	});
	proxy.token = tok.access_token;
	const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-conf-'));
	return { proxy, s, outDir };
}

// { passed, failed, undecided } scenario names (with the reasons) from
// the suite's results.  A scenario passes with successes and no
// failure; one with neither (only warnings: "no session ID") has no
// verdict.
function judge(results) {
	const passed = [];
	const failed = [];
	const undecided = [];
	const why = (checks) => checks.map((c) => `${c.id}: ` +
	    `${c.status}: ${c.errorMessage ?? c.description ?? ''}`
	    .slice(0, 160)).join('; ');
	for (const [name, checks] of Object.entries(results).sort()) {
		const bad = checks.filter((c) => c.status === 'FAILURE');
		const good = checks.filter((c) => c.status === 'SUCCESS');
		if (bad.length > 0)
			failed.push(`${name} (${why(bad)})`);
		else if (good.length > 0)
			passed.push(name);
		else
			undecided.push(`${name} (${why(checks)})`);
	}
	return { passed, failed, undecided };
}

describe('MCP conformance suite', () => {
	let proxy;
	let s;
	let outDir;

	before(async () => {
		assert.ok(fs.existsSync(program), `${program} is not built ` +
		    '(make -C build tests/e2e/conformance/mcp-conformance)');
		({ proxy, s, outDir } = await startBehindProxy(program));
	});

	after(async () => {
		await proxy?.close();
		await s?.stop();
		if (outDir !== undefined)
			fs.rmSync(outDir, { recursive: true, force: true });
	});

	test('the proxy reaches the fixture server only with its token',
	    async () => {
		const body = JSON.stringify({ jsonrpc: '2.0', id: 1,
		    method: 'tools/list' });
		const headers = {
			'Content-Type': 'application/json',
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		};
		const direct = await s.request('POST', '/mcp',
		    { body, headers });
		assert.equal(direct.status, 401);
		const res = await fetch(`http://127.0.0.1:${proxy.port}/mcp`,
		    { method: 'POST', headers, body });
		assert.equal(res.status, 200);
		const names = (await res.json()).result.tools.map((x) => x.name);
		assert.ok(names.includes('json_schema_2020_12_tool'), names);
	});

	// One 2025-11-25 request through the proxy: its JSON-RPC response.
	async function rpc(method, params) {
		const res = await fetch(`http://127.0.0.1:${proxy.port}/mcp`, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Accept: 'application/json',
				'MCP-Protocol-Version': '2025-11-25',
			},
			body: JSON.stringify({ jsonrpc: '2.0', id: 7, method,
			    params }),
		});
		assert.equal(res.status, 200);
		return res.json();
	}

	test('the 2020-12 fixture schema is enforced, not only listed',
	    async () => {
		const call = async (args) => (await rpc('tools/call', {
		    name: 'json_schema_2020_12_tool', arguments: args })).result;
		const ok = await call({ name: 'Ada', contactMethod: 'phone',
		    phone: '555', address: { city: 'London' } });
		assert.equal(ok.isError, undefined, JSON.stringify(ok));
		assert.match(ok.content[0].text, /^Received: /);
		// if/then: phone contact needs a phone; anyOf needs one
		// of them; $ref: the address's fields are strings;
		// additionalProperties: false.
		for (const bad of [
			{ contactMethod: 'phone', email: 'a@example.com' },
			{ name: 'Ada' },
			{ email: 'a@example.com', address: { city: 7 } },
			{ email: 'a@example.com', nickname: 'x' },
		]) {
			const r = await call(bad);
			assert.equal(r.isError, true, JSON.stringify(bad));
			assert.match(r.content[0].text, /^Invalid arguments/);
		}
	});

	// The suite only checks that completion answers an array; the
	// fixture's handler filters by prefix, case-insensitively.
	test('completion offers the fixture words that start with the value',
	    async () => {
		const { completion } = (await rpc('completion/complete', {
			ref: { type: 'ref/prompt',
			    name: 'test_prompt_with_arguments' },
			argument: { name: 'arg1', value: 'PAR' },
		})).result;
		assert.deepEqual(completion.values, ['paris', 'park', 'party']);
		assert.equal(completion.total, 3);
		assert.equal(completion.hasMore, false);
	});

	test('the template serves only ids it can echo unescaped',
	    async () => {
		const ok = await rpc('resources/read',
		    { uri: 'test://template/abc-9/data' });
		assert.deepEqual(JSON.parse(ok.result.contents[0].text),
		    { id: 'abc-9', templateTest: true,
		    data: 'Data for ID: abc-9' });
		const bad = await rpc('resources/read',
		    { uri: 'test://template/%22%7D/data' });
		assert.equal(bad.error?.code, -32002, JSON.stringify(bad));
		assert.equal(bad.error.data?.uri,
		    'test://template/%22%7D/data');
	});

	test('server scenarios of revision 2025-11-25', async (t) => {
		const url = `http://127.0.0.1:${proxy.port}/mcp`;
		const dir = fs.mkdtempSync(path.join(outDir, 'legacy-'));
		const run = await runSuite(url, dir);
		fs.writeFileSync(artifactPath('conformance.out'), run.output);
		const results = readResults(dir);
		const { passed, failed, undecided } = judge(results);
		t.diagnostic(`conformance: ${passed.length} scenarios pass: ` +
		    passed.join(' '));
		for (const f of failed)
			t.diagnostic(`conformance: fails: ${f}`);
		for (const u of undecided)
			t.diagnostic(`conformance: no verdict: ${u}`);
		assert.ok(Object.keys(results).length >= REQUIRED.length,
		    `the suite ran (exit ${run.code}, ${run.signal ?? ''}):\n` +
		    run.output.slice(-3000));
		const missing = REQUIRED.filter((n) => !passed.includes(n));
		assert.deepEqual(missing, [], failed.join('\n'));
		for (const n of NOT_IN_THIS_DESIGN) {
			assert.ok(n in results, `the suite no longer runs ${n}`);
			assert.ok(!passed.includes(n), `${n} passes: update ` +
			    'NOT_IN_THIS_DESIGN and docs/design.md');
		}
		// Every request carried Host and Origin through unchanged,
		// the rebinding attempt among them.
		assert.ok(proxy.seen.some((r) =>
		    r.host === 'evil.example.com'));
	});

	test('server scenarios of revision 2026-07-28', async (t) => {
		const url = `http://127.0.0.1:${proxy.port}/mcp`;
		const dir = fs.mkdtempSync(path.join(outDir, 'modern-'));
		const mark = proxy.seen.length;
		const run = await runSuite(url, dir,
		    ['--requirements', '2026-07-28']);
		fs.writeFileSync(artifactPath('conformance-2026-07-28.out'),
		    run.output);
		const results = readResults(dir);
		const { passed, failed, undecided } = judge(results);
		t.diagnostic(`conformance 2026-07-28: ${passed.length} ` +
		    `scenarios pass: ${passed.join(' ')}`);
		for (const f of failed)
			t.diagnostic(`conformance 2026-07-28: fails: ${f}`);
		for (const u of undecided)
			t.diagnostic(`conformance 2026-07-28: no verdict: ${u}`);
		assert.ok(Object.keys(results).length >= REQUIRED_MODERN.length,
		    `the suite ran (exit ${run.code}, ${run.signal ?? ''}):\n` +
		    run.output.slice(-3000));
		assert.ok(proxy.seen.slice(mark).some((r) =>
		    r.host === 'evil.example.com'));
		// One subtest per required scenario, so that each failure
		// is named on its own.  In server-stateless,
		// dns-rebinding-protection and caching not even a warning:
		// each check succeeded or did not apply (subscriptions,
		// which this server does not offer).
		for (const name of REQUIRED_MODERN)
			await t.test(name, () => {
				const checks = results[name] ?? [];
				assert.ok(checks.length > 0, `${name} did not run`);
				const notOk = checks.filter((c) =>
				    c.status === 'FAILURE' ||
				    (EVERY_CHECK.includes(name) &&
				    c.status !== 'SUCCESS' &&
				    c.status !== 'SKIPPED'));
				assert.deepEqual(notOk.map((c) => `${c.id}: ` +
				    `${c.status}: ${c.errorMessage ?? ''}`), []);
				assert.ok(passed.includes(name));
			});
	});
});

// The shipped mcp.fcgi (not the fixture program) through the same
// proxy: the scenarios that need no fixture tools.
const SHIPPED = [
	'server-initialize',
	'ping',
	'tools-list',
	'dns-rebinding-protection',
];

describe('MCP conformance suite against the shipped mcp.fcgi', () => {
	let proxy;
	let s;
	let outDir;

	before(async () => {
		({ proxy, s, outDir } = await startBehindProxy(undefined));
	});

	after(async () => {
		await proxy?.close();
		await s?.stop();
		if (outDir !== undefined)
			fs.rmSync(outDir, { recursive: true, force: true });
	});

	for (const scenario of SHIPPED)
		test(scenario, async (t) => {
			const url = `http://127.0.0.1:${proxy.port}/mcp`;
			const dir = fs.mkdtempSync(path.join(outDir, 'run-'));
			const run = await runSuite(url, dir,
			    ['--scenario', scenario]);
			fs.writeFileSync(artifactPath('conformance-mcp.fcgi-' +
			    `${scenario}.out`), run.output);
			const { passed, failed, undecided } =
			    judge(readResults(dir));
			for (const u of undecided)
				t.diagnostic(`conformance: no verdict: ${u}`);
			assert.deepEqual(passed, [scenario], `the suite ` +
			    `(exit ${run.code}, ${run.signal ?? ''}): ` +
			    failed.join('\n') + '\n' + run.output.slice(-2000));
			if (scenario === 'dns-rebinding-protection')
				assert.ok(proxy.seen.some((r) =>
				    r.host === 'evil.example.com'),
				    'the rebinding attempt reached the server');
		});
});

// The scenarios that stream (SSE before the result) once more under
// Apache: mod_fcgid (the shipped vhost, FcgidOutputBufferSize 0) and
// plain CGI (.htaccess), where buffering would hold the notifications
// back.  tests/http/stream.test.mjs proves that they arrive before the
// result in every deployment; this is the suite's view of the same.
const STREAMING = ['tools-call-with-progress', 'tools-call-with-logging',
    'logging-set-level'];
// Also the Mcp-Param headers: Apache passes a request header to the
// program as HTTP_* only when its name is letters, digits and "-".
const UNDER_APACHE = ['http-custom-header-server-validation'];

for (const kind of ['apache-vhost', 'apache-cgi']) {
	describe(`MCP conformance suite, streaming scenarios, ${kind}`, () => {
		let proxy;
		let s;
		let outDir;

		before(async () => {
			({ proxy, s, outDir } = await startBehindProxy(program,
			    kind));
		});

		after(async () => {
			await proxy?.close();
			await s?.stop();
			if (outDir !== undefined)
				fs.rmSync(outDir, { recursive: true,
				    force: true });
		});

		for (const scenario of [...STREAMING, ...UNDER_APACHE])
			test(scenario, async (t) => {
				const url = `http://127.0.0.1:${proxy.port}/mcp`;
				const dir = fs.mkdtempSync(path.join(outDir,
				    'run-'));
				const run = await runSuite(url, dir,
				    ['--scenario', scenario]);
				fs.writeFileSync(artifactPath('conformance-' +
				    `${kind}-${scenario}.out`), run.output);
				const { passed, failed, undecided } =
				    judge(readResults(dir));
				for (const u of undecided)
					t.diagnostic(`conformance: no verdict: ${u}`);
				assert.deepEqual(passed, [scenario], 'the suite ' +
				    `(exit ${run.code}, ${run.signal ?? ''}): ` +
				    failed.join('\n') + '\n' +
				    run.output.slice(-2000));
			});
	});
}
