// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// bench/driver.mjs: the measurements of bench/run (see bench/README.md).
//
// Starts every server on loopback (free ports, own process groups),
// gets real tokens through the real OAuth flow, fills the scale
// databases through the library (bench-fill), measures with wrk over
// HTTPS with keep-alive, alternating the systems compared, writes
// bench/results/<date>.md and prints the ratios as its last line.
//
// Environment (set by bench/run):
//   MCP_OAUTH_BUILD_DIR  the build tree with src/*.fcgi and bench/bench-*
//   BENCH_QUICK          1 for bench/run --quick

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { TestServer, adminPath, buildDir, freePort, livingInGroup,
    programDir, repo } from '../tests/lib/harness.mjs';
import { CimdSite } from '../tests/lib/cimdserver.mjs';
import { Person, authorizeQuery, obtainTokens, pkce, register } from
    '../tests/lib/oauth.mjs';

const quick = process.env.BENCH_QUICK === '1';
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const P = quick ? {
	duration: 5, reps: 3, warm: 2, apacheWarm: 20, threads: 2, conns: 32,
	procs: 2, rssRequests: 10000, rssCap: 20, coldRounds: 5, coldRuns: 40,
} : {
	duration: 10, reps: 5, warm: 3, apacheWarm: 40, threads: 2, conns: 32,
	procs: 2, rssRequests: 10000, rssCap: 150, coldRounds: 10,
	coldRuns: 60,
};
// Overrides for trying things out (the results then say so).
for (const k of ['duration', 'reps', 'warm', 'conns'])
	if (process.env[`BENCH_${k.toUpperCase()}`])
		P[k] = Number(process.env[`BENCH_${k.toUpperCase()}`]);
const SCALE = [1000, 100000, 1000000];
const USER = 'bench';
const PASSWORD = 'bench-password-0123';
// Every lighttpd and Apache server gets the same configuration: a map
// big enough for a million grants, and no registration rate limits (the
// memory measurement registers 10 000 clients from one address).
const CONFIG = 'db_map_size = 8G\nregistration_rate_limit = 0\n' +
    'registration_site_rate_limit = 0\nauthorize_rate_limit = 0\n';
const MCP_BODY = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
// The same call in MCP 2026-07-28: the version and the client's
// capabilities in _meta, and the headers that mirror them.
const MODERN_BODY = '{"jsonrpc":"2.0","id":1,"method":"tools/list",' +
    '"params":{"_meta":{"io.modelcontextprotocol/protocolVersion":' +
    '"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},' +
    '"io.modelcontextprotocol/clientInfo":{"name":"wrk","version":"1"}}}}';
const benchDir = path.join(repo, 'bench');
const benchBin = path.join(buildDir, 'bench');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-'));
// Every server directory of this run (the harness makes them under
// os.tmpdir()) lives inside the run's own directory.
process.env.TMPDIR = work;
// Apache runs the programs as www-data: they must reach their directory.
fs.chmodSync(work, 0o755);

const cleanups = [];
let exiting = false;

function log(...args) {
	console.log(...args);
}

function delay(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

async function cleanup() {
	while (cleanups.length > 0) {
		const f = cleanups.pop();
		try {
			await f();
		} catch (e) {
			console.error(`cleanup: ${e.message}`);
		}
	}
	fs.rmSync(work, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(sig, async () => {
		if (exiting)
			return;
		exiting = true;
		console.error(`bench: ${sig}: stopping the servers`);
		await cleanup();
		process.exit(130);
	});
}

// ---------------------------------------------------------------------
// Servers

async function startFcgi(name, { kind = 'lighttpd', programs, env,
    config = '' } = {}) {
	const s = await TestServer.start({
		kind,
		env,
		procs: P.procs,
		config: CONFIG + config,
		users: [{ name: USER, password: PASSWORD }],
		programs,
	});
	cleanups.push(() => s.stop());
	s.benchName = name;
	return s;
}

// A real client and a real token: /register, the person signs in and
// approves on the HTML pages, PKCE code exchange at /token.
async function realToken(s) {
	const client = await register(s);
	const tok = await obtainTokens(s, new Person(s, USER, PASSWORD),
	    client);
	return { client, tok };
}

function fill(s, clientId, mode, count, out) {
	const args = [s.configFile, clientId, USER, mode, String(count)];
	if (out !== undefined)
		args.push(out);
	const argv = [path.join(benchBin, 'bench-fill'), ...args];
	if (s.runAs !== null)
		argv.unshift('runuser', '-u', s.runAs, '--');
	const t0 = process.hrtime.bigint();
	const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`bench-fill ${mode} ${count}: ${r.stderr}`);
	return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function startPeer(a, tokenLine, workers, toolsFile) {
	const port = await freePort();
	const tokens = path.join(work, `peer-tokens-${port}`);
	fs.writeFileSync(tokens, `${tokenLine}\n`);
	const issuer = `https://localhost:${port}`;
	const child = spawn(process.execPath, [
		path.join(benchDir, 'peer', 'server.mjs'),
		'--port', String(port), '--cert', a.certFile, '--key', a.keyFile,
		'--issuer', issuer, '--tokens', tokens,
		'--workers', String(workers),
		...(toolsFile ? ['--tools', toolsFile] : []),
	], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
	const peer = { child, port, issuer, pgid: child.pid, workers };
	cleanups.push(() => stopGroup(child));
	await new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
			if (out.includes('listening'))
				resolve();
		});
		child.once('exit', (code) => reject(new Error(
		    `the SDK peer exited (${code}) before listening`)));
	});
	return peer;
}

async function stopGroup(child) {
	if (child.exitCode !== null || child.signalCode !== null) {
		// The leader is gone; its workers may not be.
	} else {
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			// Gone.
		}
	}
	for (let i = 0; i < 200; i++) {
		if (livingInGroup(child.pid).length === 0)
			return;
		await delay(25);
	}
	try {
		process.kill(-child.pid, 'SIGKILL');
	} catch {
		// Gone.
	}
}

// ---------------------------------------------------------------------
// CPU time of a server's processes (utime + stime of every process in
// its process group, by command name), to compare the cost per request
// of the systems in a way the machine's other load disturbs less than
// it disturbs throughput.

const CLK_TCK = Number(sh('getconf', ['CLK_TCK'])) || 100;

function groupCpu(pgid) {
	const by = {};
	for (const pid of livingInGroup(pgid)) {
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue;
		}
		const comm = stat.slice(stat.indexOf('(') + 1,
		    stat.lastIndexOf(')'));
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		by[comm] = (by[comm] ?? 0) + Number(f[11]) + Number(f[12]);
	}
	return by;
}

function cpuDelta(a, b, requests) {
	const out = {};
	let total = 0;
	for (const k of Object.keys(b)) {
		const d = b[k] - (a[k] ?? 0);
		out[k] = d / CLK_TCK * 1e6 / requests;
		total += out[k];
	}
	out.total = total;
	return out;
}

// ---------------------------------------------------------------------
// wrk

function runWrk(t, { duration = P.duration, limit = 0, mode = 'fixed',
    seeds, first = 0, count = 0, timeout = '10s', conns = P.conns } = {}) {
	const env = {
		...process.env,
		BENCH_MODE: mode,
		BENCH_METHOD: t.method,
		BENCH_BODY: t.body ?? '',
		BENCH_HEADERS: Object.entries({ Host: `localhost:${t.port}`,
		    ...t.headers }).map(([k, v]) => `${k}: ${v}`).join('\n'),
		BENCH_THREADS: String(P.threads),
		BENCH_LIMIT: String(limit),
		BENCH_SEEDS: seeds ?? '',
		BENCH_FIRST: String(first),
		BENCH_COUNT: String(count),
	};
	const args = ['-t', String(P.threads), '-c', String(conns),
	    '-d', `${duration}s`, '--timeout', timeout,
	    '-s', path.join(benchDir, 'bench.lua'),
	    `https://127.0.0.1:${t.port}${t.path}`];
	const cpu0 = t.pgid ? groupCpu(t.pgid) : null;
	return new Promise((resolve, reject) => {
		// bash's "times" reports the CPU time wrk used (the client's
		// share of the machine).
		const child = spawn('bash', ['-c', 'wrk "$@"; rc=$?; times; ' +
		    'exit $rc', 'bash', ...args], { env,
		    stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '', err = '';
		child.stdout.on('data', (d) => { out += d; });
		child.stderr.on('data', (d) => { err += d; });
		child.on('exit', (code) => {
			const m = out.match(/^BENCH (\{.*\})$/m);
			if (code !== 0 || m === null) {
				reject(new Error(`wrk ${args.join(' ')}: exit ` +
				    `${code}\n${out}${err}`));
				return;
			}
			const r = JSON.parse(m[1]);
			r.rps = r.requests / (r.duration_us / 1e6);
			countServed(t, r.requests);
			if (cpu0 !== null)
				r.cpu = cpuDelta(cpu0, groupCpu(t.pgid), r.requests);
			// "0m0.000s 0m0.000s" twice: the shell's, then wrk's.
			const tm = [...out.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)];
			if (tm.length >= 2) {
				const c = tm[tm.length - 1];
				r.client_cpu_us = (Number(c[1]) * 60 + Number(c[2]) +
				    Number(c[3]) * 60 + Number(c[4])) * 1e6 / r.requests;
			}
			r.cmd = `wrk ${args.join(' ')}`;
			resolve(r);
		});
	});
}

// ---------------------------------------------------------------------
// Statistics and formatting

function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	const n = s.length;
	return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function summarise(runs) {
	const rps = runs.map((r) => r.rps);
	const med = median(rps);
	return {
		runs,
		rps: med,
		min: Math.min(...rps),
		max: Math.max(...rps),
		spread: med > 0 ? (Math.max(...rps) - Math.min(...rps)) / med : 0,
		p50: median(runs.map((r) => r.latency_us.p50)),
		p99: median(runs.map((r) => r.latency_us.p99)),
		p99max: Math.max(...runs.map((r) => r.latency_us.p99)),
		requests: runs.reduce((n, r) => n + r.requests, 0),
		errors: runs.reduce((n, r) => n + r.errors.connect +
		    r.errors.read + r.errors.write + r.errors.timeout, 0),
		status: runs.reduce((n, r) => n + r.errors.status, 0),
		exhausted: runs.reduce((n, r) => n + (r.exhausted ?? 0), 0),
		client_cpu_us: median(runs.map((r) => r.client_cpu_us ?? NaN)),
		cpu: runs[0].cpu ? Object.fromEntries(Object.keys(runs[0].cpu)
		    .map((k) => [k, median(runs.map((r) => r.cpu?.[k] ?? 0))])) :
		    null,
	};
}

// A ratio per round, a over b, of what f gives for each run (the runs
// of a summary are in round order): its median and range over the
// rounds.
function pairedRatio(a, b, f = (r) => r.rps) {
	if (a === undefined || b === undefined)
		return { median: NaN, min: NaN, max: NaN, n: 0 };
	const n = Math.min(a.runs.length, b.runs.length);
	const xs = [];
	for (let i = 0; i < n; i++)
		xs.push(f(a.runs[i]) / f(b.runs[i]));
	return { median: median(xs), min: Math.min(...xs),
	    max: Math.max(...xs), n, values: xs };
}

// "0.97 [0.91 – 1.02]": a paired ratio's median and range.
function fmtRatio(x, digits = 2) {
	if (!(x.n > 0))
		return 'n/a';
	return `${x.median.toFixed(digits)} [${x.min.toFixed(digits)} – ` +
	    `${x.max.toFixed(digits)}]`;
}

const fmtInt = (x) => Math.round(x).toLocaleString('en-US');
const fmtMs = (us) => (us / 1000).toFixed(2);
const fmtPct = (x) => `±${(x * 50).toFixed(1)} %`;

// ---------------------------------------------------------------------
// Checks: every system answers what it should before it is measured.

async function checkOnce(t, wantStatus, wantText) {
	const r = await rawRequest(t);
	if (r.status !== wantStatus || (wantText && !r.body.includes(wantText)))
		throw new Error(`${t.name}: expected ${wantStatus}` +
		    `${wantText ? ` with "${wantText}"` : ''}, got ${r.status}: ` +
		    r.body.slice(0, 300));
	return r;
}

async function rawRequest(t) {
	const { default: https } = await import('node:https');
	return new Promise((resolve, reject) => {
		const req = https.request({
			host: '127.0.0.1', port: t.port, method: t.method,
			path: t.path, rejectUnauthorized: false,
			headers: { Host: `localhost:${t.port}`, ...t.headers,
			    ...(t.body ? { 'Content-Length':
			    Buffer.byteLength(t.body) } : {}) },
		}, (res) => {
			let body = '';
			res.on('data', (d) => { body += d; });
			res.on('end', () => resolve({ status: res.statusCode,
			    headers: res.headers, body }));
		});
		req.on('error', reject);
		if (t.body)
			req.write(t.body);
		req.end();
	});
}

function mcpTarget(name, port, token, pgid) {
	return {
		name, port, pgid, method: 'POST', path: '/mcp', body: MCP_BODY,
		headers: {
			Authorization: `Bearer ${token}`,
			'Content-Type': 'application/json',
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-06-18',
		},
	};
}

function modernTarget(name, port, token, pgid) {
	const t = mcpTarget(name, port, token, pgid);

	t.body = MODERN_BODY;
	t.headers['MCP-Protocol-Version'] = '2026-07-28';
	t.headers['Mcp-Method'] = 'tools/list';
	return t;
}

// ---------------------------------------------------------------------
// Measurement rounds: every system once per round, after one
// unrecorded warm-up run each.  The order goes forth in one round and
// back in the next, so that every system always runs right next to its
// neighbours in the list, first in one round and second in the next:
// the systems a ratio compares are neighbours, and the ratio is
// computed per round (pairedRatio()), each from two runs a few seconds
// apart, which the machine's other load disturbs alike.

async function rounds(targets, label) {
	const res = Object.fromEntries(targets.map((t) => [t.name, []]));
	log(`\n== ${label}: ${targets.length} systems × ${P.reps} × ` +
	    `${P.duration} s (warm-up ${P.warm} s each)`);
	for (const t of targets)
		await runWrk(t, { duration: P.warm });
	for (let rep = 0; rep < P.reps; rep++) {
		for (let i = 0; i < targets.length; i++) {
			const t = targets[rep % 2 ? targets.length - 1 - i : i];
			const r = await runWrk(t);
			res[t.name].push(r);
			log(`  ${rep + 1}/${P.reps} ${t.name.padEnd(14)} ` +
			    `${fmtInt(r.rps).padStart(7)} req/s  p50 ` +
			    `${fmtMs(r.latency_us.p50)} ms  p99 ` +
			    `${fmtMs(r.latency_us.p99)} ms` +
			    (r.cpu ? `  server CPU ${r.cpu.total.toFixed(1)} µs/req ` +
			    `(${Object.entries(r.cpu).filter(([k]) => k !== 'total')
			    .filter(([, x]) => x > 0.05)
			    .map(([k, x]) => `${k} ${x.toFixed(1)}`).join(', ')}), ` +
			    `wrk ${r.client_cpu_us?.toFixed(1)}` : '') +
			    (r.errors.status ? `  (${r.errors.status} ≥ 400)` : ''));
		}
	}
	return Object.fromEntries(Object.entries(res).map(([k, v]) =>
	    [k, { ...summarise(v), target: targets.find((t) => t.name === k) }]));
}

// ---------------------------------------------------------------------
// Memory and cold start

function procStatus(pid) {
	const out = {};
	try {
		for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8')
		    .split('\n')) {
			const m = line.match(/^(\w+):\s+(\d+) kB/);
			if (m)
				out[m[1]] = Number(m[2]);
		}
		out.cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
		    .split('\0')[0];
		// The resident part of the LMDB map (data.mdb): page-cache
		// pages, shared and clean, that the kernel maps around each
		// page fault.
		out.dbmap = 0;
		const sm = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
		for (const m of sm.matchAll(/ \S*\/data\.mdb\n(?:[^\n]*\n)*?Rss:\s+(\d+) kB/g))
			out.dbmap += Number(m[1]);
	} catch {
		return null;
	}
	return out;
}

function groupPrograms(pgid) {
	const by = {};
	for (const pid of livingInGroup(pgid)) {
		const st = procStatus(pid);
		if (st === null)
			continue;
		const name = path.basename(st.cmd);
		(by[name] ??= []).push({ pid, ...st });
	}
	return by;
}

// One hyperfine run; the times of every run of the command.
function hyperfine(name, cmd, env, { shell = false } = {}) {
	const json = path.join(work, `hyperfine-${name}.json`);
	const args = ['--warmup', '5', '--runs', String(P.coldRuns),
	    '--export-json', json, '--style', 'none'];
	if (!shell)
		args.push('-N');
	args.push(cmd);
	const r = spawnSync('hyperfine', args, { env, encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`hyperfine ${cmd}: ${r.stderr}${r.stdout}`);
	const res = JSON.parse(fs.readFileSync(json, 'utf8')).results[0];
	return { cmd: `hyperfine ${args.join(' ')}`, times: res.times };
}

function cgiEnv(a, extra) {
	return {
		PATH: process.env.PATH,
		MCP_OAUTH_CONFIG: a.configFile,
		GATEWAY_INTERFACE: 'CGI/1.1',
		SERVER_PROTOCOL: 'HTTP/1.1',
		SERVER_NAME: 'localhost',
		SERVER_PORT: String(a.port),
		REMOTE_ADDR: '127.0.0.1',
		HTTPS: 'on',
		HTTP_HOST: `localhost:${a.port}`,
		...extra,
	};
}

// ---------------------------------------------------------------------
// Machine and versions

function sh(cmd, args) {
	const r = spawnSync(cmd, args, { encoding: 'utf8' });
	return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

function machine() {
	const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8')
	    .match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
	const mem = fs.readFileSync('/proc/meminfo', 'utf8')
	    .match(/^MemTotal:\s+(\d+)/m)?.[1];
	return {
		cores: os.cpus().length,
		cpu,
		mem: `${(Number(mem) / 1048576).toFixed(1)} GiB`,
		kernel: os.release(),
		os: fs.existsSync('/etc/debian_version') ?
		    `Debian ${fs.readFileSync('/etc/debian_version', 'utf8')
		    .trim()}` : os.type(),
		load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
	};
}

function versions() {
	const peerPkg = JSON.parse(fs.readFileSync(path.join(benchDir, 'peer',
	    'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'),
	    'utf8'));
	const expressPkg = JSON.parse(fs.readFileSync(path.join(benchDir,
	    'peer', 'node_modules', 'express', 'package.json'), 'utf8'));
	return {
		lighttpd: sh('lighttpd', ['-v']).split('\n')[0],
		apache: sh('apache2', ['-v']).split('\n')[0]
		    .replace(/^Server version: /, ''),
		wrk: sh('wrk', ['-v']).split('\n')[0].split(' [')[0],
		node: process.version,
		sdk: `@modelcontextprotocol/sdk ${peerPkg.version}, express ` +
		    expressPkg.version,
		openssl: sh('openssl', ['version']),
		lmdb: sh('dpkg-query', ['-W', '-f', '${Version}', 'liblmdb0']),
		cflags: (fs.readFileSync(path.join(buildDir, 'config.log'),
		    'utf8').match(/^CFLAGS='(.*)'$/m)?.[1]) ?? '?',
	};
}

// ---------------------------------------------------------------------

async function main() {
	const started = new Date();
	const m0 = machine();
	const v = versions();
	log(`bench: ${quick ? 'quick' : 'full'} run, ${m0.cores} cores, ` +
	    `${m0.cpu}, load ${m0.load}`);
	log(`bench: programs from ${programDir}, work dir ${work}`);
	const want = (k) => only.length === 0 || only.includes(k);
	const out = { P, started, m0, v };

	// The systems of the main comparison.
	log('\n== starting servers');
	const a = await startFcgi('mcp');
	const { client, tok } = await realToken(a);
	const hello = await startFcgi('hello', { programs:
	    { mcp: path.join(benchBin, 'bench-hello') } });
	// The same responder with a body as long as tools/list's: how much
	// of the difference is only the size of the answer.
	// (lighttpd gives the programs only bin-environment: a wrapper sets
	// the size.)
	const hello3kProg = path.join(work, 'bench-hello-3k');
	fs.writeFileSync(hello3kProg, '#!/bin/sh\nBENCH_HELLO_BYTES=3480 ' +
	    `exec ${path.join(benchBin, 'bench-hello')}\n`, { mode: 0o755 });
	const hello3k = await startFcgi('hello-3k', { programs:
	    { mcp: hello3kProg } });
	const peer = await startPeer(a, `${tok.access_token} ${tok.scope}`,
	    P.procs);
	const peer1 = await startPeer(a, `${tok.access_token} ${tok.scope}`,
	    1);
	// The low-level variant answers mcp.fcgi's own tool list.
	const toolsFile = path.join(work, 'tools.json');
	{
		const r = await rawRequest(mcpTarget('mcp', a.port,
		    tok.access_token));
		fs.writeFileSync(toolsFile, JSON.stringify(
		    JSON.parse(r.body).result.tools));
	}
	const peerLow = await startPeer(a, `${tok.access_token} ${tok.scope}`,
	    P.procs, toolsFile);
	log(`  lighttpd + mcp.fcgi on ${a.port}, lighttpd + bench-hello on ` +
	    `${hello.port}, SDK peer on ${peer.port} (${P.procs} workers) ` +
	    `and ${peer1.port} (1 process)`);

	const bogus = 'mcpat_' + crypto.randomBytes(32).toString('base64url');
	const T = {
		hello: mcpTarget('hello', hello.port, tok.access_token,
		    hello.child.pid),
		hello3k: mcpTarget('hello-3k', hello3k.port, tok.access_token,
		    hello3k.child.pid),
		mcp: mcpTarget('mcp', a.port, tok.access_token, a.child.pid),
		mcpModern: modernTarget('mcp-modern', a.port, tok.access_token,
		    a.child.pid),
		sdk: mcpTarget('sdk', peer.port, tok.access_token, peer.pgid),
		sdk1: mcpTarget('sdk-1proc', peer1.port, tok.access_token,
		    peer1.pgid),
		sdkLow: mcpTarget('sdk-lowlevel', peerLow.port,
		    tok.access_token, peerLow.pgid),
		mcp401: mcpTarget('mcp-401', a.port, bogus, a.child.pid),
		metadata: { name: 'metadata', port: a.port, pgid: a.child.pid,
		    method: 'GET',
		    path: '/.well-known/oauth-authorization-server',
		    headers: {} },
	};
	// resources/read of a 4 KiB note (notes://{id}): the note is
	// written once through the notes_add tool.
	{
		const title = 'A note of four kibibytes, read as a resource ' +
		    'by the benchmark';
		const text = 'The quick brown fox jumps over the lazy dog. '
		    .repeat(89).slice(0, 4000);
		const add = mcpTarget('notes-add', a.port, tok.access_token);
		add.body = JSON.stringify({ jsonrpc: '2.0', id: 1,
		    method: 'tools/call', params: { name: 'notes_add',
		    arguments: { title, text } } });
		const r = await checkOnce(add, 200, '"id"');
		const id = JSON.parse(r.body).result.structuredContent.id;
		T.mcpRead = mcpTarget('mcp-read', a.port, tok.access_token,
		    a.child.pid);
		T.mcpRead.body = JSON.stringify({ jsonrpc: '2.0', id: 1,
		    method: 'resources/read',
		    params: { uri: `notes://${id}` } });
	}
	const rHello = await checkOnce(T.hello, 200, '"jsonrpc"');
	const rHello3k = await checkOnce(T.hello3k, 200, '"pad"');
	const rMcp = await checkOnce(T.mcp, 200, 'notes_delete');
	const rModern = await checkOnce(T.mcpModern, 200, '"ttlMs"');
	const rRead = await checkOnce(T.mcpRead, 200, 'lazy dog');
	const rSdk = await checkOnce(T.sdk, 200, 'notes_delete');
	await checkOnce(T.sdk1, 200, 'notes_delete');
	const rSdkLow = await checkOnce(T.sdkLow, 200, 'notes_delete');
	await checkOnce(T.mcp401, 401, 'invalid_token');
	await checkOnce(T.metadata, 200, '"issuer"');
	const names = (b) => JSON.parse(b).result.tools.map((x) => x.name)
	    .join(',');
	if (names(rMcp.body) !== names(rSdk.body))
		throw new Error(`the peer lists other tools: ${names(rSdk.body)}`);
	out.bodies = { hello: rHello.body.length,
	    hello3k: rHello3k.body.length, mcp: rMcp.body.length,
	    mcpModern: rModern.body.length, mcpRead: rRead.body.length,
	    sdkLow: rSdkLow.body.length,
	    sdk: rSdk.body.length };

	// Scale: the same call against databases of 1k, 100k, 1M tokens.
	const scale = [];
	if (want('scale')) {
		log('\n== scale databases (bench-fill, through the library)');
		for (const n of SCALE) {
			const s = await startFcgi(`scale-${n}`);
			const c = await register(s);
			const secs = fill(s, c.client_id, 'tokens', n - 1);
			const t = await obtainTokens(s, new Person(s, USER,
			    PASSWORD), c);
			const du = sh('du', ['-sh', s.dbDir]).split('\t')[0];
			log(`  ${n} tokens: filled in ${secs.toFixed(1)} s, ` +
			    `database ${du}`);
			const target = mcpTarget(`mcp-${label(n)}`, s.port,
			    t.access_token, s.child.pid);
			await checkOnce(target, 200, 'notes_delete');
			scale.push({ n, s, secs, du, target });
		}
	}
	out.scale = scale.map(({ n, secs, du }) => ({ n, secs, du }));

	// In the order of the rounds: what a ratio compares are
	// neighbours (R1 hello and mcp, R4 mcp and mcp-modern, R3 the 1k
	// and 1M databases; R2's SDK peer, 8 to 20 times slower, is one
	// further away).
	const scaleOrder = [...scale].sort((x, y) => (x.n === 1000 ? 0 :
	    x.n === 1000000 ? 1 : 2) - (y.n === 1000 ? 0 : y.n === 1000000 ?
	    1 : 2));
	const mainTargets = [T.hello3k, T.hello, T.mcp, T.mcpModern,
	    T.sdk, T.sdk1, T.sdkLow, T.mcpRead, T.mcp401,
	    T.metadata, ...scaleOrder.map((x) => x.target)].filter((t) =>
	    !process.env.BENCH_SYSTEMS ||
	    process.env.BENCH_SYSTEMS.split(',').includes(t.name));
	out.main = await rounds(mainTargets, 'lighttpd, HTTPS, keep-alive');

	// /token: durable writes.
	if (want('token')) {
		out.fsyncBefore = fsyncProbe();
		out.token = await tokenRounds(a, client);
		out.fsyncAfter = fsyncProbe();
		log(`  fdatasync on ${work}: ${out.fsyncBefore.toFixed(2)} ms ` +
		    `before, ${out.fsyncAfter.toFixed(2)} ms after`);
	}

	// Apache mod_fcgid, the shipped vhost (apache/mcp-oauth.conf.in).
	if (want('apache'))
		out.apache = await apacheRounds(T.hello, T.mcp);

	// Bearer validation and the /mcp dispatch in process (before the
	// memory part's sign-ins, which add grants for the token's client).
	if (want('validate'))
		out.validate = validateBench(a, tok.access_token);

	// The consent page for a CIMD client whose document is cached.
	if (want('consent'))
		out.consent = await consentRounds();

	// Memory after 10 000+ requests per program.
	if (want('rss')) {
		out.rss = await memory(a, client, peer, peer1);
		// mcp.fcgi over the largest database too.
		const big = scale[scale.length - 1];
		if (big) {
			const procs = groupPrograms(big.s.child.pid)['mcp.fcgi'] ??
			    [];
			out.rss.rows.push({ name: `mcp.fcgi, ${label(big.n)} ` +
			    'tokens', served: servedBy(big.s)['mcp.fcgi'],
			    procs: procs.map((p) => ({ pid: p.pid, rss: p.VmRSS,
			    hwm: p.VmHWM, anon: p.RssAnon, file: p.RssFile,
			    dbmap: p.dbmap })) });
		}
	}

	// A tool call that streams 10 progress notifications.
	if (want('stream'))
		out.stream = await streamRounds(a, T.hello);

	// Cold start as CGI.
	if (want('cold'))
		out.cold = coldStart(a, tok.access_token);

	out.m1 = machine();
	out.finished = new Date();
	report(out);
}

// n requests one after another on one keep-alive connection: the time
// to the first chunk that has want in it and to the end of the body,
// in ms, and the last body.
async function timedRequests(t, n, want) {
	const { default: https } = await import('node:https');
	const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
	const first = [];
	const total = [];
	let last = '';
	try {
		for (let i = 0; i < n; i++) {
			const t0 = process.hrtime.bigint();
			const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
			last = await new Promise((resolve, reject) => {
				const req = https.request({
					host: '127.0.0.1', port: t.port, method: t.method,
					path: t.path, rejectUnauthorized: false, agent,
					headers: { Host: `localhost:${t.port}`,
					    ...t.headers, 'Content-Length':
					    Buffer.byteLength(t.body) },
				}, (res) => {
					let body = '';
					let seen = false;
					res.setEncoding('utf8');
					res.on('data', (d) => {
						body += d;
						if (!seen && body.includes(want)) {
							seen = true;
							first.push(ms());
						}
					});
					res.on('end', () => {
						total.push(ms());
						if (!seen || res.statusCode !== 200)
							reject(new Error(`${t.name}: ` +
							    `${res.statusCode} ${body.slice(0,
							    300)}`));
						resolve(body);
					});
				});
				req.on('error', reject);
				req.end(t.body);
			});
		}
	} finally {
		agent.destroy();
	}
	const p90 = (xs) => [...xs].sort((x, y) => x - y)[
	    Math.floor(xs.length * 0.9)];
	return { n, first: median(first), firstP90: p90(first),
	    total: median(total), totalP90: p90(total), last };
}

// tools/call notes_search over 10 notes with a progress token: ten
// progress notifications, each flushed as it happens, then the result
// (an SSE answer), against the bare responder on the same terms.  The
// notes are those of a user of their own, who has exactly ten.
async function streamRounds(a, hello) {
	log('\n== streaming: notes_search with 10 progress notifications');
	const n = quick ? 100 : 300;
	const name = 'bench-stream';
	a.addUser(name, PASSWORD);
	const token = (await obtainTokens(a, new Person(a, name, PASSWORD),
	    await register(a))).access_token;
	const call = (name, args, meta) => JSON.stringify({ jsonrpc: '2.0',
	    id: 1, method: 'tools/call', params: { name, arguments: args,
	    ...(meta ? { _meta: meta } : {}) } });
	const base = mcpTarget('stream', a.port, token, a.child.pid);
	for (let i = 0; i < 10; i++)
		await checkOnce({ ...base, body: call('notes_add',
		    { title: `bench ${i}`, text: `bench note ${i}` }) }, 200,
		    '"id"');
	const stream = await timedRequests({ ...base, body: call(
	    'notes_search', { phrase: 'bench' }, { progressToken: 'b' }) },
	    n, 'notifications/progress');
	const events = (stream.last.match(/notifications\/progress/g) ??
	    []).length;
	if (events !== 10 || !stream.last.includes('"searched":10'))
		throw new Error(`stream: ${events} progress notifications: ` +
		    stream.last.slice(0, 300));
	const bare = await timedRequests(hello, n, '"jsonrpc"');
	log(`  first notification p50 ${stream.first.toFixed(2)} ms, total ` +
	    `p50 ${stream.total.toFixed(2)} ms; bare responder first byte ` +
	    `p50 ${bare.first.toFixed(2)} ms, total ${bare.total.toFixed(2)} ms`);
	delete stream.last;
	delete bare.last;
	return { stream, bare, events };
}

// The last line of a bench-validate run, "BENCH {json}".
function benchJson(what, r) {
	const m = `${r.stdout ?? ''}`.match(/^BENCH (\{.*\})$/m);
	if (r.status !== 0 || m === null)
		throw new Error(`${what}: exit ${r.status}\n${r.stdout}${r.stderr}`);
	return JSON.parse(m[1]);
}

// bench-validate (validate.c): bearer_validate() in process over
// databases of 1k, 100k and 1M access tokens (bench-fill access, each
// database of its own that no server maps, so that the page cache can
// be dropped for it), warm and cold; then whole tools/list requests,
// legacy and modern, through the /mcp dispatch in process, against
// the main server's database.
function validateBench(a, token) {
	const runs = quick ? 5 : 9;
	const bin = path.join(benchBin, 'bench-validate');
	log(`\n== bench-validate: bearer validation in process, ${runs} ` +
	    'rounds warm and cold over the databases; the /mcp dispatch');
	const dbs = [];
	for (const n of SCALE) {
		const dir = fs.mkdtempSync(path.join(work, 'validate-'));
		const conf = path.join(dir, 'mcp-oauth.conf');
		fs.writeFileSync(conf, ['issuer = https://localhost:8443',
		    `db_path = ${path.join(dir, 'db')}`,
		    `www_dir = ${path.join(repo, 'www')}`, CONFIG].join('\n'));
		const r = spawnSync(adminPath, ['--config', conf, 'init'],
		    { encoding: 'utf8' });
		if (r.status !== 0)
			throw new Error(`mcp-oauth-admin init: ${r.stderr}`);
		const tokens = path.join(dir, 'tokens');
		const t0 = process.hrtime.bigint();
		const f = spawnSync(path.join(benchBin, 'bench-fill'), [conf,
		    'bench-validate', USER, 'access', String(n), tokens],
		    { encoding: 'utf8' });
		if (f.status !== 0)
			throw new Error(`bench-fill access ${n}: ${f.stderr}`);
		const secs = Number(process.hrtime.bigint() - t0) / 1e9;
		const du = sh('du', ['-sh', path.join(dir, 'db')]).split('\t')[0];
		log(`  ${fmtInt(n)} access tokens: filled in ${secs.toFixed(1)} s, ` +
		    `database ${du}`);
		dbs.push({ n, secs, du, dir, conf, tokens });
	}
	const show = (r) => log(r.stdout.split('\n')
	    .filter((l) => l && !l.startsWith('BENCH'))
	    .map((l) => `  ${l}`).join('\n'));
	let r = spawnSync(bin, ['-r', String(runs), 'tokens',
	    ...dbs.flatMap((d) => [d.conf, d.tokens])], { encoding: 'utf8' });
	const tk = benchJson('bench-validate tokens', r);
	show(r);
	for (const d of dbs)
		fs.rmSync(d.dir, { recursive: true, force: true });
	const sizes = dbs.map((d, i) => ({ n: d.n, secs: d.secs, du: d.du,
	    ...tk.dbs[i] }));
	r = spawnSync(bin, ['-r', String(runs), 'dispatch', a.configFile,
	    token], { encoding: 'utf8' });
	const dispatch = benchJson('bench-validate dispatch', r);
	show(r);
	return { runs, sizes, dispatch, warmN: tk.warm_n, coldN: tk.cold_n };
}

// The consent page (GET /authorize, signed in, up to the rendered
// page) for a CIMD client whose document is cached, next to the same
// page for a registered (DCR) client, in rounds.  The client's site
// counts its fetches: none may happen while the pages are measured.
async function consentRounds() {
	const n = quick ? 100 : 300;
	log(`\n== consent page: ${P.reps} rounds of ${n} signed-in GET ` +
	    '/authorize each, a CIMD client (document cached) and a ' +
	    'registered one');
	const site = await CimdSite.start();
	cleanups.push(() => site.stop());
	const s = await startFcgi('consent', { config:
	    `http_ca_file = ${site.certFile}\n` +
	    // Test-only: lets the server fetch from the loopback site.
	    'cimd_test_allow_loopback = yes\n' });
	const doc = '/bench/client.json';
	const cimd = site.publish(doc, { client_name: 'Bench CIMD client' },
	    { 'Cache-Control': 'max-age=3600' });
	const dcr = await register(s);
	const person = new Person(s, USER, PASSWORD);
	const query = (client) => authorizeQuery(client, {
	    code_challenge: pkce().challenge, code_challenge_method: 'S256' });
	let page = await person.get(query(cimd));
	if (page.body.includes('<h1>Sign in</h1>')) {
		const res = await person.login(page);
		if (res.status !== 303)
			throw new Error(`consent: sign-in: ${res.status}`);
		page = await person.get(res.headers.location);
	}
	if (page.status !== 200 || !page.body.includes('Allow access?'))
		throw new Error(`consent: no consent page for the CIMD client: ` +
		    `${page.status} ${page.body.slice(0, 300)}`);
	const fetched = site.hitsFor(doc);
	if (fetched < 1)
		throw new Error('consent: the CIMD document was never fetched');
	const target = (name, client) => ({ name, port: s.port,
	    method: 'GET', path: query(client), body: '',
	    headers: { Cookie: person.jar.header() } });
	const targets = [target('consent-dcr', dcr),
	    target('consent-cimd', cimd)];
	// One unrecorded warm-up pass each.
	for (const t of targets)
		await timedRequests(t, 20, 'Allow access?');
	const before = site.hitsFor(doc);
	const res = { 'consent-dcr': [], 'consent-cimd': [] };
	for (let rep = 0; rep < P.reps; rep++)
		for (let i = 0; i < targets.length; i++) {
			const t = targets[rep % 2 ? targets.length - 1 - i : i];
			const r = await timedRequests(t, n, 'Allow access?');
			delete r.last;
			res[t.name].push(r);
			log(`  ${rep + 1}/${P.reps} ${t.name.padEnd(13)} p50 ` +
			    `${r.total.toFixed(2)} ms  p90 ` +
			    `${r.totalP90.toFixed(2)} ms`);
		}
	const during = site.hitsFor(doc) - before;
	log(`  CIMD document fetches during the measured rounds: ${during}`);
	if (during !== 0)
		throw new Error(`consent: the CIMD document was fetched ${during} ` +
		    'times while the consent page was measured: a fetch on ' +
		    'the hot path');
	return { n, fetchedBefore: fetched, during, res };
}

function label(n) {
	return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

async function tokenRounds(a, client) {
	log('\n== /token: refresh_token rotation and code exchange ' +
	    '(durable LMDB writes)');
	const seeds = path.join(work, 'refresh-seeds');
	const perRep = P.conns * 4;
	fill(a, client.client_id, 'refresh', perRep * (P.reps + 1), seeds);
	// The codes are another client's: a redeemed code replaces the
	// user's earlier grants of its registered client with the same
	// scopes (src/lib/grantcap.c), which would revoke the seeds.
	const codeClient = await register(a, { client_name: 'bench codes' });
	const formHeaders = {
		'Content-Type': 'application/x-www-form-urlencoded',
		Accept: 'application/json',
	};
	const refresh = {
		name: 'token-refresh', port: a.port, pgid: a.child.pid,
		method: 'POST',
		path: '/token', headers: formHeaders,
		body: `grant_type=refresh_token&client_id=${
		    encodeURIComponent(client.client_id)}&refresh_token=`,
	};
	const verifier = 'bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
	const code = {
		name: 'token-code', port: a.port, pgid: a.child.pid,
		method: 'POST',
		path: '/token', headers: formHeaders,
		body: new URLSearchParams({
			grant_type: 'authorization_code',
			client_id: codeClient.client_id,
			redirect_uri: codeClient.redirect_uris[0],
			code_verifier: verifier,
		}).toString() + '&code=',
	};
	const runs = { 'token-refresh': [], 'token-code': [] };
	// Warm-up (unrecorded), with the first slice of seeds; its rate
	// sizes the first batch of codes (each later one the last rate
	// measured), generously: a run that runs out says so.
	let rate = (await runWrk(refresh, { duration: P.warm, mode: 'refresh',
	    seeds, first: 0, count: perRep })).rps;
	for (let rep = 0; rep < P.reps; rep++) {
		const order = rep % 2 ? ['code', 'refresh'] : ['refresh', 'code'];
		for (const which of order) {
			let r;
			if (which === 'refresh') {
				r = await runWrk(refresh, { mode: 'refresh', seeds,
				    first: perRep * (rep + 1), count: perRep });
				rate = r.rps;
			} else {
				const codes = path.join(work, `codes-${rep}`);
				const need = Math.ceil(Math.max(rate, 500) *
				    P.duration * 2.5) + P.conns * 4;
				fill(a, codeClient.client_id, 'codes', need,
				    codes);
				r = await runWrk(code, { mode: 'code', seeds: codes,
				    first: 0, count: need });
			}
			runs[`token-${which}`].push(r);
			log(`  ${rep + 1}/${P.reps} token-${which.padEnd(8)} ` +
			    `${fmtInt(r.rps).padStart(7)} req/s  p50 ` +
			    `${fmtMs(r.latency_us.p50)} ms  p99 ` +
			    `${fmtMs(r.latency_us.p99)} ms` +
			    (r.errors.status ? `  (${r.errors.status} ≥ 400)` : '') +
			    (r.exhausted ? `  (${r.exhausted} without seed)` : ''));
		}
	}
	return {
		'token-refresh': { ...summarise(runs['token-refresh']),
		    target: refresh },
		'token-code': { ...summarise(runs['token-code']), target: code },
	};
}

// Apache with the shipped vhost against lighttpd in the same rounds:
// each Apache system next to its lighttpd twin (the bare responder,
// then /mcp), so that the Apache/lighttpd ratios are per round.
async function apacheRounds(lightHello, lightMcp) {
	log('\n== Apache mod_fcgid (apache/mcp-oauth.conf.in as shipped) ' +
	    'against lighttpd');
	let h, m;
	try {
		h = await startFcgi('apache-hello', { kind: 'apache-vhost',
		    programs: { mcp: path.join(benchBin, 'bench-hello') } });
		m = await startFcgi('apache-mcp', { kind: 'apache-vhost' });
	} catch (e) {
		log(`  Apache could not be started: ${e.message}`);
		return { error: e.message };
	}
	const { tok } = await realToken(m);
	const targets = [
		mcpTarget('apache-hello', h.port, tok.access_token, h.child.pid),
		mcpTarget('apache-mcp', m.port, tok.access_token, m.child.pid),
	];
	await checkOnce(targets[0], 200, '"jsonrpc"');
	await checkOnce(targets[1], 200, 'notes_delete');
	// mod_fcgid grows its pool only under load, slowly, and a steady
	// load at the measured concurrency stops it at about 20 processes
	// (bench/results/2026-12-03-apache.md): grow it with a burst at
	// three times that, before anything is measured.
	const warmConns = 3 * P.conns;
	log(`  growing the process pools: ${P.apacheWarm} s of load each ` +
	    `at ${warmConns} connections`);
	for (const t of targets)
		await runWrk(t, { duration: P.apacheWarm, conns: warmConns });
	const res = await rounds([targets[0], lightHello, lightMcp,
	    targets[1]], 'Apache mod_fcgid against lighttpd, HTTPS, ' +
	    'keep-alive');
	for (const [t, s] of [[targets[0], h], [targets[1], m]]) {
		const by = groupPrograms(s.child.pid);
		// (Both are installed as mcp.fcgi.)
		res[t.name].procs = (by['mcp.fcgi'] ?? []).length;
	}
	return res;
}

async function memory(a, client, peer, peer1) {
	log(`\n== memory: VmRSS after the benchmarks and ${P.rssRequests} ` +
	    'more requests to each of authorize, register and revoke (at ' +
	    `most ${P.rssCap} s each)`);
	const q = new URLSearchParams({
		response_type: 'code', client_id: client.client_id,
		redirect_uri: client.redirect_uris[0], state: 'bench',
		code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
		code_challenge_method: 'S256',
	});
	const extra = [
		{ name: 'authorize', port: a.port, pgid: a.child.pid, method: 'GET',
		    path: `/authorize?${q}`, headers: {} },
		{ name: 'register', port: a.port, pgid: a.child.pid,
		    method: 'POST',
		    path: '/register', headers: {
			'Content-Type': 'application/json' },
		    body: JSON.stringify({
			redirect_uris: ['http://127.0.0.1:9999/callback'],
			token_endpoint_auth_method: 'none',
			client_name: 'bench' }) },
		{ name: 'revoke', port: a.port, pgid: a.child.pid, method: 'POST',
		    path: '/revoke', headers: {
			'Content-Type': 'application/x-www-form-urlencoded' },
		    body: `token=mcprt_unknown&client_id=${
		    encodeURIComponent(client.client_id)}` },
	];
	const sent = {};
	await checkOnce(extra[0], 200, '<form');
	await checkOnce(extra[1], 201, 'client_id');
	await checkOnce(extra[2], 200);
	for (const t of extra) {
		// wrk runs for its whole duration even when every thread has
		// stopped at its limit: size the run from a short probe.
		const probe = await runWrk(t, { duration: 2 });
		const left = Math.max(0, P.rssRequests - probe.requests);
		let requests = probe.requests;
		if (left > 0) {
			const r = await runWrk(t, { duration: Math.min(P.rssCap,
			    Math.ceil(left / probe.rps * 1.15) + 1),
			    limit: Math.ceil(left / P.threads) });
			requests += r.requests;
		}
		const r = { requests, rps: probe.rps, errors: probe.errors };
		sent[t.name] = r.requests;
		log(`  ${t.name}: ${r.requests} requests, ` +
		    `${fmtInt(r.rps)} req/s` +
		    (r.errors.status ? ` (${r.errors.status} ≥ 400)` : ''));
	}
	// Sign-ins: each runs scrypt with its 16 MiB work area in an
	// authorize.fcgi process, which must give the memory back.
	const signins = 4 * P.procs;
	// Another client's: each sign-in's grant replaces the one before
	// (src/lib/grantcap.c), which must not be the main token's.
	const signinClient = await register(a, { client_name: 'bench sign-ins' });
	for (let i = 0; i < signins; i++)
		await obtainTokens(a, new Person(a, USER, PASSWORD),
		    signinClient);
	log(`  ${signins} sign-ins`);
	const by = groupPrograms(a.child.pid);
	const rows = [];
	for (const [name, procs] of Object.entries(by)) {
		if (!name.endsWith('.fcgi'))
			continue;
		rows.push({ name, procs: procs.map((p) => ({
		    pid: p.pid, rss: p.VmRSS, hwm: p.VmHWM, anon: p.RssAnon,
		    file: p.RssFile, dbmap: p.dbmap })) });
	}
	rows.sort((x, y) => x.name.localeCompare(y.name));
	const peers = [];
	for (const [p, label] of [[peer, `SDK peer (${peer.workers} ` +
	    'workers)'], [peer1, 'SDK peer (1 process)']]) {
		const procs = Object.values(groupPrograms(p.pgid)).flat();
		peers.push({ name: label, procs: procs.map((x) => ({
		    pid: x.pid, rss: x.VmRSS, hwm: x.VmHWM, anon: x.RssAnon,
		    file: x.RssFile, dbmap: 0 })) });
	}
	return { rows, peers, sent, signins, served: servedBy(a) };
}

// How many requests each program of a server answered, from wrk's
// counts: kept as the runs go.
const servedCount = new Map();

function countServed(t, n) {
	if (!t.pgid)
		return;
	const prog = t.path.startsWith('/.well-known/') ? 'metadata.fcgi' :
	    `${t.path.slice(1).split(/[/?]/)[0]}.fcgi`;
	const k = `${t.pgid} ${prog}`;
	servedCount.set(k, (servedCount.get(k) ?? 0) + n);
}

function servedBy(s) {
	const out = {};
	for (const [k, n] of servedCount) {
		const [pgid, prog] = k.split(' ');
		if (Number(pgid) === s.child.pid)
			out[prog] = n;
	}
	return out;
}

// The latency of a durable write on the file system of the databases
// at the time of the run: what bounds /token.
function fsyncProbe() {
	const f = path.join(work, 'fsync-probe');
	const fd = fs.openSync(f, 'w');
	const b = Buffer.alloc(4096, 1);
	const n = 100;
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < n; i++) {
		fs.writeSync(fd, b, 0, b.length, (i % 16) * 4096);
		fs.fdatasyncSync(fd);
	}
	const ms = Number(process.hrtime.bigint() - t0) / 1e6 / n;
	fs.closeSync(fd);
	fs.rmSync(f);
	return ms;
}

function coldStart(a, token) {
	log('\n== cold start as CGI (hyperfine, exec to exit)');
	const body = path.join(work, 'tools-list.json');
	fs.writeFileSync(body, MCP_BODY);
	const metaEnv = cgiEnv(a, { REQUEST_METHOD: 'GET',
	    REQUEST_URI: '/.well-known/oauth-authorization-server',
	    SCRIPT_NAME: '/.well-known/oauth-authorization-server' });
	const mcpEnv = cgiEnv(a, { REQUEST_METHOD: 'POST',
	    REQUEST_URI: '/mcp', SCRIPT_NAME: '/mcp',
	    CONTENT_TYPE: 'application/json',
	    CONTENT_LENGTH: String(Buffer.byteLength(MCP_BODY)),
	    HTTP_ACCEPT: 'application/json, text/event-stream',
	    HTTP_MCP_PROTOCOL_VERSION: '2025-06-18',
	    HTTP_AUTHORIZATION: `Bearer ${token}` });
	const meta = path.join(programDir, 'metadata.fcgi');
	const mcp = path.join(programDir, 'mcp.fcgi');
	// Check the answers first.
	let r = spawnSync(meta, [], { env: metaEnv, encoding: 'utf8',
	    stdio: ['ignore', 'pipe', 'pipe'] });
	if (!/^Status: 200/.test(r.stdout))
		throw new Error(`metadata.fcgi as CGI: ${r.stdout}${r.stderr}`);
	r = spawnSync(mcp, [], { env: mcpEnv, encoding: 'utf8',
	    input: MCP_BODY });
	if (!/^Status: 200/.test(r.stdout) || !r.stdout.includes('notes_delete'))
		throw new Error(`mcp.fcgi as CGI: ${r.stdout}${r.stderr}`);
	// In rounds, the commands alternated, as the throughput runs.
	const cmds = [
		['true', '/bin/true', metaEnv, {}],
		['metadata', meta, metaEnv, {}],
		['mcp-empty', mcp, { ...mcpEnv, CONTENT_LENGTH: '0' }, {}],
		['mcp', `${mcp} < ${body}`, mcpEnv, { shell: true }],
	];
	const times = Object.fromEntries(cmds.map(([n]) => [n, []]));
	const cmdline = {};
	for (let round = 0; round < P.coldRounds; round++)
		for (const [n, c, e, o] of cmds) {
			const h = hyperfine(n, c, e, o);
			times[n].push(...h.times);
			cmdline[n] = h.cmd;
		}
	const res = cmds.map(([n]) => {
		const t = times[n];
		const mean = t.reduce((a, b) => a + b, 0) / t.length;
		return {
			name: n, cmd: `${P.coldRounds} × ${cmdline[n]}`,
			runs: t.length, median: median(t), mean,
			stddev: Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) /
			    t.length),
			min: Math.min(...t),
		};
	});
	for (const x of res)
		log(`  ${x.name.padEnd(10)} median ${(x.median * 1000).toFixed(2)} ` +
		    `ms  mean ${(x.mean * 1000).toFixed(2)} ± ` +
		    `${(x.stddev * 1000).toFixed(2)} ms`);
	return res;
}

// ---------------------------------------------------------------------
// The report

function report(o) {
	const L = [];
	const date = o.started.toISOString().slice(0, 10);
	const g = o.main;
	// Every ratio per round (pairedRatio()): the figure is the median
	// over the rounds, with its range.
	const q1 = pairedRatio(g.mcp, g.hello);
	const q2 = pairedRatio(g.mcp, g.sdk);
	const q3 = pairedRatio(g['mcp-1M'], g['mcp-1k']);
	// What the modern era costs over the legacy one, per request: the
	// server's CPU time, and the throughput the other way round.
	const gm = g['mcp-modern'];
	const q4 = gm?.cpu && g.mcp?.cpu ? pairedRatio(gm, g.mcp,
	    (r) => r.cpu.total) : pairedRatio(undefined, undefined);
	const q4rps = pairedRatio(g.mcp, gm);
	const [r1, r2, r3, r4] = [q1, q2, q3, q4].map((x) => x.median);
	const ok = (b) => (b ? 'met' : '**missed**');

	L.push(`# Benchmarks, ${date}${quick ? ' (quick run)' : ''}`);
	L.push('');
	L.push(`Machine: ${o.m0.cores} cores, ${o.m0.cpu}, ${o.m0.mem}, ` +
	    `${o.m0.os}, Linux ${o.m0.kernel}. Load average at start ` +
	    `${o.m0.load}, at end ${o.m1.load} (the machine is shared: ` +
	    'ratios of alternated runs are what count).');
	L.push('');
	L.push(`Software: ${o.v.lighttpd}; ${o.v.apache}; ${o.v.openssl}; ` +
	    `LMDB ${o.v.lmdb}; ${o.v.wrk}; Node ${o.v.node}; ${o.v.sdk}. ` +
	    `Programs built with CFLAGS \`${o.v.cflags}\`.`);
	L.push('');
	L.push(`Method: \`bench/run${quick ? ' --quick' : ''}\`. wrk ` +
	    `${P.threads} threads × ${P.conns} connections, HTTPS ` +
	    `(TLS 1.3, keep-alive), ${P.duration} s per run, ${P.reps} ` +
	    'rounds of one run per system after a ' +
	    `${P.warm} s warm-up each, the order forth in one round and ` +
	    'back in the next so that the systems a ratio compares always ' +
	    'run one right after the other; every ratio is computed per ' +
	    'round and given as its median [min – max] over the rounds. ' +
	    'Median req/s, spread = (max − min) / 2 / median, latency ' +
	    'percentiles are medians ' +
	    `over the runs. lighttpd runs every program with max-procs ${
	    P.procs} from the shipped template lighttpd/mcp-oauth.conf.in; ` +
	    `the SDK peer runs ${P.procs} Node workers (node:cluster) ` +
	    'doing TLS themselves, and 1 process for reference. Request: ' +
	    `\`POST /mcp\` \`${MCP_BODY}\` with a bearer token obtained ` +
	    'through the real flow (register, sign in, consent, PKCE ' +
	    'exchange).');
	L.push('');
	L.push('| # | what | req/s (median) | spread | min – max | ' +
	    'p50 ms | p99 ms | server CPU µs/req | body bytes |');
	L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
	const cpu = (c) => c ? `${c.total.toFixed(0)} (${Object.entries(c)
	    .filter(([k, x]) => k !== 'total' && x >= 0.5)
	    .sort((x, y) => y[1] - x[1])
	    .map(([k, x]) => `${k} ${x.toFixed(0)}`).join(', ')})` : '';
	const row = (n, what, s, bytes = '') => {
		if (s === undefined)
			return;
		L.push(`| ${n} | ${what} | ${fmtInt(s.rps)} | ` +
		    `${fmtPct(s.spread)} | ${fmtInt(s.min)} – ${fmtInt(s.max)} | ` +
		    `${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${cpu(s.cpu)} | ` +
		    `${bytes} |`);
	};
	row(1, 'bare FastCGI responder (bench/hello.c), lighttpd', g.hello,
	    o.bodies.hello);
	row('1b', 'the same responder, body as long as tools/list\'s',
	    g['hello-3k'], o.bodies.hello3k);
	row(2, '`/mcp` tools/list, valid token (mcp.fcgi)', g.mcp, o.bodies.mcp);
	row('2m', 'the same in MCP 2026-07-28 (`_meta`, `Mcp-Method`)',
	    g['mcp-modern'], o.bodies.mcpModern);
	row('2r', '`/mcp` resources/read of a 4 KiB note (`notes://{id}`)',
	    g['mcp-read'], o.bodies.mcpRead);
	row(3, '`/mcp` invalid token → 401', g['mcp-401']);
	row(3, '`/.well-known/oauth-authorization-server`', g.metadata);
	if (o.token) {
		row(4, '`/token` refresh_token grant (rotation, durable write)',
		    o.token['token-refresh']);
		row(4, '`/token` authorization_code + PKCE (durable write)',
		    o.token['token-code']);
	}
	for (const x of o.scale)
		row(5, `(2) with ${fmtInt(x.n)} live tokens`,
		    g[`mcp-${label(x.n)}`]);
	row(6, `official SDK peer, ${P.procs} workers`, g.sdk, o.bodies.sdk);
	row(6, 'official SDK peer, 1 process', g['sdk-1proc'], o.bodies.sdk);
	row(6, `official SDK, low-level Server with a fixed list, ${P.procs} ` +
	    'workers', g['sdk-lowlevel'], o.bodies.sdkLow);
	if (o.apache && !o.apache.error) {
		row(8, `bare FastCGI responder, Apache mod_fcgid ` +
		    `(${o.apache['apache-hello'].procs} processes at the end)`,
		    o.apache['apache-hello']);
		row(8, `\`/mcp\` tools/list, Apache mod_fcgid ` +
		    `(${o.apache['apache-mcp'].procs} processes at the end)`,
		    o.apache['apache-mcp']);
	}
	L.push('');
	const bad = [...Object.values(g), ...Object.values(o.token ?? {}),
	    ...(o.apache && !o.apache.error ? Object.values(o.apache) : [])]
	    .filter((s) => s.errors > 0 || s.exhausted > 0 ||
	    (s.target.name !== 'mcp-401' && s.status > 0));
	if (bad.length > 0)
		L.push(`Errors: ${bad.map((s) => `${s.target.name}: ${s.errors} ` +
		    `socket errors, ${s.status} responses ≥ 400, ${s.exhausted} ` +
		    'requests without a fresh seed').join('; ')}.\n`);
	else
		L.push('Every measured request got the expected status (200, ' +
		    'or 401 for the invalid token); no socket errors or ' +
		    'timeouts.\n');
	if (o.scale.length > 0)
		L.push(`Scale databases (bench-fill, grants created and redeemed ` +
		    'through the library: one access and one refresh token per ' +
		    'grant, plus the used code): ' + o.scale.map((x) =>
		    `${fmtInt(x.n)} in ${x.secs.toFixed(1)} s (${x.du})`)
		    .join(', ') + '.\n');
	if (o.token)
		L.push(`Durable writes: fdatasync of a 4 KiB page on the ` +
		    `databases' file system took ${o.fsyncBefore.toFixed(2)} ms ` +
		    `before and ${o.fsyncAfter.toFixed(2)} ms after the /token ` +
		    'runs (an LMDB commit syncs twice: data, then meta page), ' +
		    'which bounds (4) on this machine.\n');
	if (o.token)
		L.push('`/token` refresh: every connection starts with a fresh ' +
		    'refresh token minted by bench-fill and then presents the ' +
		    'one each response returns, so every request is a first use ' +
		    'and commits a rotation (new access + refresh token, grant ' +
		    'update) with a durable LMDB commit. Code exchange: a fresh ' +
		    'code per request, minted by bench-fill just before the ' +
		    'run.\n');

	L.push(`| ratio (per round: median [min – max] over ${P.reps} ` +
	    'rounds) | value | goal |');
	L.push('|---|---:|---|');
	L.push(`| R1 = (2) / (1), mcp / hello, req/s | ${fmtRatio(q1)} | ` +
	    `≥ 0.90 ${ok(r1 >= 0.9)} |`);
	L.push(`| R2 = (2) / (6), mcp / SDK (${P.procs} workers), req/s | ` +
	    `${fmtRatio(q2)} | ≥ 8 ${ok(r2 >= 8)} |`);
	L.push(`| R3 = (2) at 1M / (2) at 1k, req/s | ${fmtRatio(q3)} | ` +
	    `≥ 0.90 ${ok(r3 >= 0.9)} |`);
	L.push(`| R4 = server CPU per request, (2m) / (2), modern / legacy | ` +
	    `${fmtRatio(q4)} | ≤ 1.05 ${ok(r4 <= 1.05)} |`);
	L.push(`| req/s (2) / (2m), legacy / modern | ${fmtRatio(q4rps)} | |`);
	if (g.mcp && g.sdk)
		L.push(`| p99 (2) vs (6) | ${fmtMs(g.mcp.p99)} ms vs ` +
		    `${fmtMs(g.sdk.p99)} ms | lower ${ok(g.mcp.p99 <
		    g.sdk.p99)} |`);
	const ap = o.apache && !o.apache.error ? o.apache : null;
	if (ap) {
		const qa = pairedRatio(ap['apache-mcp'], ap.mcp);
		const qh = pairedRatio(ap['apache-hello'], ap.hello);
		const qp = pairedRatio(ap['apache-mcp'], ap.mcp,
		    (r) => r.latency_us.p99);
		L.push(`| Apache / lighttpd, (2) req/s (8) | ${fmtRatio(qa)} | |`);
		L.push(`| Apache / lighttpd, (1) req/s (8) | ${fmtRatio(qh)} | |`);
		L.push(`| Apache / lighttpd, (2) p99 (8): ` +
		    `${fmtMs(ap['apache-mcp'].p99)} ms vs ` +
		    `${fmtMs(ap.mcp.p99)} ms | ${fmtRatio(qp)} | Apache p99 ` +
		    `< 50 ms ${ok(ap['apache-mcp'].p99 < 50000)} |`);
	}
	if (o.validate) {
		const v = o.validate;
		const by = (n) => v.sizes.find((x) => x.n === n);
		const pr = (a, b, k, f) => a && b ? pairedRatio({ runs: a[k] },
		    { runs: b[k] }, f) : pairedRatio();
		L.push('| in process (9): validation at 1M / 1k, CPU ns, warm | ' +
		    `${fmtRatio(pr(by(1000000), by(1000), 'warm',
		    (r) => r.cpu_ns))} | |`);
		L.push('| in process (9): validation at 1M / 1k, wall ns, page ' +
		    `cache dropped | ${fmtRatio(pr(by(1000000), by(1000), 'cold',
		    (r) => r.ns))} | |`);
		L.push('| in process (9): /mcp dispatch, modern / legacy, CPU ns ' +
		    `| ${fmtRatio(pairedRatio({ runs: v.dispatch.modern },
		    { runs: v.dispatch.legacy }, (r) => r.cpu_ns))} | ≤ 1.05 ` +
		    'for the whole request: see R4 |');
	}
	if (o.consent) {
		const c = o.consent.res;
		L.push(`| consent page (10), CIMD (cached) / registered, p50 | ` +
		    `${fmtRatio(pairedRatio({ runs: c['consent-cimd'] },
		    { runs: c['consent-dcr'] }, (r) => r.total))} | |`);
	}
	L.push('');

	if (ap)
		L.push('Apache (8): the shipped vhost (apache/mcp-oauth.conf.in ' +
		    'rendered as tests/apache does), its mod_fcgid pools grown ' +
		    `first by ${P.apacheWarm} s of load at ${3 * P.conns} ` +
		    'connections each, then measured in rounds next to the ' +
		    'same systems under lighttpd (the servers of the main ' +
		    'table), each Apache system right beside its lighttpd ' +
		    'twin.\n');
	if (o.validate) {
		const v = o.validate;
		const rg = (runs, f, d = 0) => {
			const xs = runs.map(f);
			const fx = (x) => d === 0 ? fmtInt(x) : x.toFixed(d);
			return `${fx(median(xs))} [${fx(Math.min(...xs))} – ` +
			    `${fx(Math.max(...xs))}]`;
		};
		L.push(`In process (9): \`bench-validate\` (bench/validate.c) ` +
		    'calls bearer_validate() (src/lib/bearer.c, what mcp.fcgi ' +
		    'calls for every request) on tokens drawn at random from ' +
		    'a sample of the database\'s, with no web server or TLS ' +
		    'in the way. Each database holds N active grants with one ' +
		    'access token each (`bench-fill access`). Warm: every ' +
		    'sampled token validated once first, then ' +
		    `${fmtInt(v.warmN)} validations per run. Cold: ` +
		    `${fmtInt(v.coldN)} validations right after the ` +
		    'database\'s pages were dropped from the page cache ' +
		    '(the store closed, then posix_fadvise(DONTNEED) on ' +
		    'data.mdb, the residency left checked with mincore(); ' +
		    'not /proc/sys/vm/drop_caches, which would empty the ' +
		    'cache of everything else on the shared machine). ' +
		    `${v.runs} rounds, the databases alternated in each; ` +
		    'ns and page faults (getrusage) per validation, median ' +
		    '[min – max] over the rounds. Warm figures are the ' +
		    'thread\'s CPU time (CLOCK_THREAD_CPUTIME_ID: the time ' +
		    'other programs held the CPU left out; the wall time is in ' +
		    'the log), cold ones the wall time, which includes waiting ' +
		    'for the disk.');
		L.push('');
		L.push('| tokens | database | warm CPU ns/validation | warm ' +
		    'minor faults/validation | cold wall ns/validation | cold ' +
		    'minor faults/validation | cold major faults/validation | ' +
		    'data.mdb cached after the drop |');
		L.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
		for (const x of v.sizes)
			L.push(`| ${fmtInt(x.tokens)} | ${x.du} | ` +
			    `${rg(x.warm, (r) => r.cpu_ns)} | ` +
			    `${rg(x.warm, (r) => r.minflt, 3)} | ` +
			    `${rg(x.cold, (r) => r.ns)} | ` +
			    `${rg(x.cold, (r) => r.minflt, 2)} | ` +
			    `${rg(x.cold, (r) => r.majflt, 3)} | ` +
			    `${rg(x.cold, (r) => r.resident * 100, 1)} % |`);
		L.push('');
		const d = v.dispatch;
		L.push('The /mcp dispatch in process: whole `tools/list` requests ' +
		    'through app_serve() and mcp_handle_http() with the built-in ' +
		    'tools (CGI variables, the configuration\'s stat(), bearer ' +
		    'validation, JSON parsing, the era (mcpera.c), the answer ' +
		    `written to memory), ${fmtInt(d.dispatch_n)} requests per ` +
		    'run, the two eras alternated in each round.');
		L.push('');
		L.push('| request | CPU ns/request | wall ns/request | minor ' +
		    'faults/request |');
		L.push('|---|---:|---:|---:|');
		L.push(`| legacy (MCP-Protocol-Version 2025-06-18) | ` +
		    `${rg(d.legacy, (r) => r.cpu_ns)} | ` +
		    `${rg(d.legacy, (r) => r.ns)} | ${rg(d.legacy,
		    (r) => r.minflt, 4)} |`);
		L.push(`| modern (2026-07-28: \`_meta\`, \`Mcp-Method\`) | ` +
		    `${rg(d.modern, (r) => r.cpu_ns)} | ` +
		    `${rg(d.modern, (r) => r.ns)} | ${rg(d.modern,
		    (r) => r.minflt, 4)} |`);
		L.push('');
	}
	if (o.consent) {
		const c = o.consent;
		const rg = (runs, k) => {
			const xs = runs.map((r) => r[k]);
			return `${median(xs).toFixed(2)} [${Math.min(...xs)
			    .toFixed(2)} – ${Math.max(...xs).toFixed(2)}]`;
		};
		L.push('Consent page (10): `GET /authorize` of a signed-in ' +
		    'person up to the rendered consent page (each a pending ' +
		    'request stored with a durable write), lighttpd, HTTPS, ' +
		    `${c.n} requests one after another on one keep-alive ` +
		    `connection per run, ${P.reps} rounds, the two clients ` +
		    'alternated. The CIMD client\'s document (served over ' +
		    'https on loopback, allowed by the test-only key ' +
		    '`cimd_test_allow_loopback`, `Cache-Control: max-age=3600`) ' +
		    `was fetched ${c.fetchedBefore} time(s) before the rounds ` +
		    `and **${c.during} times during them** (checked: a fetch ` +
		    'would have failed the benchmark).');
		L.push('');
		L.push('| client | p50 ms | p90 ms |');
		L.push('|---|---:|---:|');
		L.push(`| CIMD client, document cached | ` +
		    `${rg(c.res['consent-cimd'], 'total')} | ` +
		    `${rg(c.res['consent-cimd'], 'totalP90')} |`);
		L.push(`| registered client (DCR) | ` +
		    `${rg(c.res['consent-dcr'], 'total')} | ` +
		    `${rg(c.res['consent-dcr'], 'totalP90')} |`);
		L.push('');
	}
	if (o.rss) {
		L.push(`Memory (7): the largest of each program's processes ` +
		    'on the lighttpd server above, after every benchmark and ' +
		    `${fmtInt(P.rssRequests)} more requests to each of ` +
		    'authorize, register and revoke, and ' +
		    `${o.rss.signins} sign-ins, each with scrypt's 16 MiB ` +
		    'work area (RssAnon: heap and stack; ' +
		    'RssFile: the binary, the libraries and the resident part of ' +
		    'the LMDB map, clean page-cache pages shared with every ' +
		    'other process, which grows with the database a writer ' +
		    'walks, see the README). Goal: < 8 MiB.');
		L.push('');
		L.push('| program | requests served | processes | VmRSS | ' +
		    'VmHWM | RssAnon | RssFile | of which LMDB map | VmRSS ' +
		    'without the map | goal (VmRSS) | goal (without the map) | ' +
		    'goal (RssAnon) |');
		L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|');
		const kib = (x) => `${(x / 1024).toFixed(1)} MiB`;
		for (const r of [...o.rss.rows, ...o.rss.peers]) {
			const mx = (k) => Math.max(...r.procs.map((p) => p[k] ?? 0));
			const fcgi = r.name.includes('.fcgi');
			const own = Math.max(...r.procs.map((p) => p.rss - p.dbmap));
			const served = r.served ?? o.rss.served[r.name];
			L.push(`| ${r.name} | ${served ? fmtInt(served) : ''} | ` +
			    `${r.procs.length} | ${kib(mx('rss'))} | ` +
			    `${kib(mx('hwm'))} | ${kib(mx('anon'))} | ` +
			    `${kib(mx('file'))} | ${kib(mx('dbmap'))} | ${kib(own)} | ` +
			    `${fcgi ? ok(mx('rss') < 8192) : ''} | ` +
			    `${fcgi ? ok(own < 8192) : ''} | ` +
			    `${fcgi ? ok(mx('anon') < 8192) : ''} |`);
		}
		L.push('');
	}
	if (o.stream) {
		const x = o.stream;
		const msFix = (v) => v.toFixed(2);
		L.push(`Streaming (8): \`tools/call notes_search\` over 10 ` +
		    'notes with a progress token, answered as SSE with ' +
		    `${x.events} progress notifications (each flushed as it ` +
		    'happens) and then the result; the bare responder (1) for ' +
		    `comparison. ${x.stream.n} requests one after another on one ` +
		    'keep-alive connection each, lighttpd, HTTPS.');
		L.push('');
		L.push('| system | first notification (first byte) p50 | p90 | ' +
		    'whole answer p50 | p90 |');
		L.push('|---|---:|---:|---:|---:|');
		L.push(`| mcp.fcgi, notes_search streaming | ` +
		    `${msFix(x.stream.first)} ms | ${msFix(x.stream.firstP90)} ms | ` +
		    `${msFix(x.stream.total)} ms | ${msFix(x.stream.totalP90)} ms |`);
		L.push(`| bare responder | ${msFix(x.bare.first)} ms | ` +
		    `${msFix(x.bare.firstP90)} ms | ${msFix(x.bare.total)} ms | ` +
		    `${msFix(x.bare.totalP90)} ms |`);
		L.push('');
	}
	if (o.cold) {
		L.push('Cold start (7): one program as CGI, exec to exit, warm ' +
		    `page cache (hyperfine, ${P.coldRounds} rounds of ` +
		    `${P.coldRuns} runs per command, the commands alternated; ` +
		    'the `< file` row runs through a shell, whose spawn time ' +
		    'hyperfine measures and subtracts). Goal: < 5 ms.');
		L.push('');
		L.push('| command | median ms | mean ± σ ms | min ms | goal |');
		L.push('|---|---:|---:|---:|---|');
		const what = {
			true: '`/bin/true` (exec baseline)',
			metadata: 'metadata.fcgi, GET authorization-server metadata',
			'mcp-empty': 'mcp.fcgi, POST /mcp with a valid token, empty ' +
			    'body (400 after validation)',
			mcp: 'mcp.fcgi, POST /mcp tools/list with a valid token',
		};
		for (const x of o.cold)
			L.push(`| ${what[x.name]} | ${(x.median * 1000).toFixed(2)} | ` +
			    `${(x.mean * 1000).toFixed(2)} ± ` +
			    `${(x.stddev * 1000).toFixed(2)} | ` +
			    `${(x.min * 1000).toFixed(2)} | ${x.name === 'true' ? '' :
			    ok(x.median < 0.005)} |`);
		L.push('');
	}
	L.push('<details><summary>Command lines</summary>\n');
	L.push('```');
	const cmds = new Set();
	for (const s of [...Object.values(g), ...Object.values(o.token ?? {}),
	    ...(o.apache && !o.apache.error ? Object.values(o.apache) : [])])
		cmds.add(`${s.target.name}: ${s.runs[0].cmd}`);
	for (const c of cmds)
		L.push(c);
	for (const x of o.cold ?? [])
		L.push(`${x.name}: ${x.cmd}`);
	L.push('```');
	L.push('\nwrk request headers and bodies are set by bench/bench.lua ' +
	    'from the environment (see bench/driver.mjs).\n</details>');
	L.push('');

	const md = L.join('\n');
	const dir = path.join(benchDir, 'results');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${date}${quick ? '-quick' : ''}.md`);
	fs.writeFileSync(`${file}.tmp`, md);
	fs.renameSync(`${file}.tmp`, file);
	log(`\n${md}`);
	log(`bench: wrote ${path.relative(repo, file)}`);
	log(`mcp/hello ${r1.toFixed(2)}, mcp/sdk ${r2.toFixed(2)}, 1M/1k ` +
	    `${r3.toFixed(2)}, modern/legacy ${r4.toFixed(2)}`);
}

try {
	await main();
	await cleanup();
} catch (e) {
	console.error(`bench: ${e.stack ?? e}`);
	await cleanup();
	process.exit(1);
}
