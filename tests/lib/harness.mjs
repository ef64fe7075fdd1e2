// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The black-box test harness: starts the real FastCGI programs under a
// real web server over TLS on a free loopback port, talks HTTPS to
// them, runs mcp-oauth-admin against the same database, and stops
// everything it started.
//
// Environment:
//   MCP_OAUTH_BUILD_DIR    the build tree (default: <repo>/build)
//   MCP_OAUTH_PROGRAM_DIR  where the .fcgi programs are (default:
//                          <build>/src; the sanitizer pass points it
//                          at another build)
//   MCP_TEST_SERVER        lighttpd (default), or a mode that
//                          servers.mjs knows (apache-vhost, ...)
//   MCP_TEST_KEEP          keep each server's directory for inspection
//   MCP_TEST_VALGRIND      run every program and mcp-oauth-admin under
//                          valgrind (scripts/check's valgrind layer)
//
// Whatever the build, stop() fails if a program reported a memory or
// undefined-behaviour error (AddressSanitizer, UBSan, LeakSanitizer,
// valgrind): the sanitizer builds write their reports to the programs'
// stderr, which is the web server's program log.  The programs exit
// cleanly on the SIGTERM that stops the server, so that the leak
// checkers run.  ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS of the
// test process are handed on to the programs.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverKinds } from './servers.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
    '../..');
export const buildDir = path.resolve(process.env.MCP_OAUTH_BUILD_DIR ??
    path.join(repo, 'build'));
export const programDir = path.resolve(process.env.MCP_OAUTH_PROGRAM_DIR ??
    path.join(buildDir, 'src'));
export const adminPath = path.resolve(process.env.MCP_OAUTH_ADMIN ??
    path.join(programDir, 'mcp-oauth-admin'));
export const serverKind = process.env.MCP_TEST_SERVER ?? 'lighttpd';
const underValgrind = Boolean(process.env.MCP_TEST_VALGRIND);

// The sanitizers' settings, for the programs the web server starts
// (lighttpd passes its whole environment on; mod_fcgid only what the
// harness names).
export function sanitizerEnv() {
	const env = {};
	for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS'])
		if (process.env[k] !== undefined)
			env[k] = process.env[k];
	return env;
}

// The first memory or undefined-behaviour report in a log, or null.
// UBSan's lines look like "src/lib/x.c:12:5: runtime error: ...".
const reportPatterns = [
	/==\d+==ERROR: AddressSanitizer/,
	/==\d+==ERROR: LeakSanitizer/,
	/^\S+:\d+:\d+: runtime error: /m,
];

export function sanitizerReport(text) {
	for (const re of reportPatterns) {
		const m = re.exec(text);
		if (m !== null)
			return text.slice(Math.max(0, m.index - 200),
			    m.index + 4000);
	}
	return null;
}

// A shell script that runs program under valgrind: any memory error,
// or any definite or indirect leak at exit, goes to a log file of its
// own in logDir (nothing at all when clean: -q) and sets the exit
// status.  The suppressions cover the third-party libraries only.
function valgrindWrapper(file, program, logDir) {
	const name = path.basename(program);
	fs.writeFileSync(file, [
		'#!/bin/sh',
		'exec valgrind -q --error-exitcode=1 --leak-check=full \\',
		'    --show-leak-kinds=definite,indirect \\',
		'    --errors-for-leak-kinds=definite,indirect \\',
		`    --suppressions=${path.join(repo, 'tests', 'valgrind.supp')} \\`,
		`    --log-file=${path.join(logDir, `${name}.%p.log`)} \\`,
		`    ${program} "$@"`,
		'',
	].join('\n'));
	fs.chmodSync(file, 0o755);
}

// A free TCP port on 127.0.0.1.  Another process may take it before the
// server binds; start() then retries with a new one.
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.unref();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function makeCertificate(dir) {
	const key = path.join(dir, 'key.pem');
	const cert = path.join(dir, 'cert.pem');
	const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec',
	    '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
	    '-subj', '/CN=localhost', '-addext',
	    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
	    '-keyout', key, '-out', cert], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`openssl req failed: ${r.stderr}`);
	return { key, cert };
}

// The processes of a process group that have not exited (zombies
// count as exited: orphans wait for init to reap them).
export function livingInGroup(pgid) {
	const out = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name))
			continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
		} catch {
			continue;
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces.
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X')
			out.push(Number(name));
	}
	return out;
}

function delay(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// The whole response: status, lower-cased headers, the raw header list
// (names as sent, in order) and the body as a string.
function httpsRequest(options, body) {
	return new Promise((resolve, reject) => {
		const req = https.request(options, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({
					status: res.statusCode,
					headers: res.headers,
					rawHeaders: res.rawHeaders,
					body: text,
					json() {
						return JSON.parse(text);
					},
				});
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.setTimeout(30000, () => req.destroy(new Error(
		    `request ${options.method} ${options.path} timed out`)));
		if (body !== undefined)
			req.write(body);
		req.end();
	});
}

export class TestServer {
	// options:
	//   config   extra "key = value" lines for the configuration
	//   users    [{ name, password }] created before the start
	//   procs    FastCGI processes per program (default 2)
	//   kind     the web server (default MCP_TEST_SERVER)
	//   programs { endpoint: path } runs another program at an
	//            endpoint ("mcp", "token", ...: the name of its .fcgi)
	//   issuer   the issuer to configure (default: this server's
	//            origin), for several servers behind one public URL
	//   database false: no database (a resource server that checks
	//            tokens it did not issue)
	//   subdir   a subdirectory install: the programs under /subdir
	//            and the issuer https://localhost:PORT/subdir
	//            (lighttpd, apache-htaccess, apache-cgi); s.base is
	//            then "/subdir" (else "")
	//   rootRule with subdir: whether the site's root maps the two
	//            root metadata URLs (RFC 8414 and RFC 9728 path
	//            insertion) to metadata.fcgi, as docs/deploying.md's
	//            rule does (default true)
	static async start(options = {}) {
		const s = new TestServer(options);
		try {
			await s.#start();
		} catch (e) {
			await s.stop();
			throw e;
		}
		return s;
	}

	constructor(options) {
		this.options = options;
		this.kind = options.kind ?? serverKind;
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-http-'));
		this.configFile = path.join(this.dir, 'mcp-oauth.conf');
		this.dbDir = path.join(this.dir, 'db');
		this.logDir = path.join(this.dir, 'log');
		this.runDir = path.join(this.dir, 'run');
		fs.mkdirSync(this.logDir);
		fs.mkdirSync(path.join(this.runDir, 'empty'), { recursive: true });
		this.procs = options.procs ?? 2;
		this.base = options.subdir !== undefined ?
		    `/${options.subdir}` : '';
		this.rootRule = options.rootRule ?? true;
		this.programDir = options.programDir ?? programDir;
		this.programEnv = { ...sanitizerEnv(), ...options.env };
		// A kind's prepare() may move these: the pages, the admin
		// tool, and the user the admin tool runs as (the web
		// server's, when it differs from ours).
		this.wwwDir = path.join(repo, 'www');
		this.adminPath = adminPath;
		this.runAs = null;
		this.child = null;
	}

	// The configuration file; the issuer follows the port.  The
	// test's extra lines may be a function of the server (its port).
	writeConfig(extra = this.options.config ?? '') {
		if (typeof extra === 'function')
			extra = extra(this);
		fs.writeFileSync(this.configFile, [
			`issuer = ${this.issuer}`,
			`db_path = ${this.dbDir}`,
			`www_dir = ${this.wwwDir}`,
			extra,
			'',
		].join('\n'));
	}

	async #start() {
		const { key, cert } = makeCertificate(this.dir);
		this.keyFile = key;
		this.certFile = cert;
		this.ca = fs.readFileSync(cert);
		const kind = serverKinds[this.kind];
		if (kind === undefined)
			throw new Error(`unknown server kind ${this.kind}`);
		if (this.options.programs !== undefined)
			this.#overridePrograms(this.options.programs);
		if (underValgrind)
			this.#wrapInValgrind();
		kind.prepare?.(this);
		for (let attempt = 0; ; attempt++) {
			this.port = await freePort();
			this.issuer = this.options.issuer ??
			    `https://localhost:${this.port}${this.base}`;
			this.writeConfig();
			if (attempt === 0 && this.options.database !== false) {
				this.admin(['init']);
				for (const u of this.options.users ?? [])
					this.addUser(u.name, u.password);
			}
			this.child = kind.start(this);
			if (await this.#waitReady())
				return;
			await this.#stopChild();
			if (attempt === 4)
				throw new Error(`${this.kind} did not start:\n` +
				    this.serverLog());
		}
	}

	// A program directory of our own: links to the usual programs,
	// except those the test replaces.  Every kind of server then runs
	// it as it would the real one.
	#overridePrograms(programs) {
		const dir = path.join(this.dir, 'programs');
		fs.mkdirSync(dir);
		for (const name of fs.readdirSync(this.programDir))
			if (name.endsWith('.fcgi'))
				fs.symlinkSync(path.join(this.programDir, name),
				    path.join(dir, name));
		for (const [endpoint, program] of Object.entries(programs)) {
			const link = path.join(dir, `${endpoint}.fcgi`);
			if (!fs.existsSync(link))
				throw new Error(`no program for ${endpoint}`);
			fs.rmSync(link);
			fs.symlinkSync(path.resolve(program), link);
		}
		this.programDir = dir;
	}

	// The programs and the admin tool, each through a valgrind
	// wrapper.  Their reports land in a directory of their own
	// outside the test's: tests run the admin tool as other users too
	// (the web server's, or nobody), who must be able to write a
	// report there but not to reach the test directory, which holds
	// the configuration that such a user must fail to read.
	#wrapInValgrind() {
		const dir = path.join(this.dir, 'valgrind-programs');
		this.valgrindLogDir = fs.mkdtempSync(path.join(os.tmpdir(),
		    'mcp-valgrind-'));
		fs.mkdirSync(dir);
		fs.chmodSync(this.valgrindLogDir, 0o1777);
		for (const name of fs.readdirSync(this.programDir))
			if (name.endsWith('.fcgi'))
				valgrindWrapper(path.join(dir, name),
				    fs.realpathSync(path.join(this.programDir,
				    name)), this.valgrindLogDir);
		valgrindWrapper(path.join(dir, 'mcp-oauth-admin'),
		    fs.realpathSync(this.adminPath), this.valgrindLogDir);
		this.programDir = dir;
		this.adminPath = path.join(dir, 'mcp-oauth-admin');
	}

	// What valgrind reported, or null.
	valgrindReport() {
		if (this.valgrindLogDir === undefined)
			return null;
		const out = [];
		for (const name of fs.readdirSync(this.valgrindLogDir)) {
			const text = fs.readFileSync(path.join(
			    this.valgrindLogDir, name), 'utf8');
			if (text.trim() !== '')
				out.push(`--- ${name}\n${text}`);
		}
		return out.length === 0 ? null : out.join('\n').slice(0, 8000);
	}

	// Ready when the metadata endpoint answers over TLS; false if the
	// server exited first (a port taken between freePort and bind).
	async #waitReady() {
		const deadline = Date.now() + 30000;
		let exited = false;
		this.child.once('exit', () => { exited = true; });
		while (Date.now() < deadline) {
			if (exited)
				return false;
			try {
				await this.request('GET', this.base +
				    '/.well-known/oauth-authorization-server');
				return true;
			} catch (e) {
				if (e.code !== 'ECONNREFUSED' &&
				    e.code !== 'ECONNRESET')
					throw e;
			}
			await delay(50);
		}
		throw new Error(`${this.kind} did not answer in 30 s`);
	}

	// from: a loopback address (127.0.0.x) to send from, so that a
	// test can act as many addresses.
	async request(method, urlPath,
	    { headers = {}, body, form, json, from } = {}) {
		const h = { ...headers };
		if (form !== undefined) {
			body = new URLSearchParams(form).toString();
			h['Content-Type'] ??= 'application/x-www-form-urlencoded';
		} else if (json !== undefined) {
			body = typeof json === 'string' ? json : JSON.stringify(json);
			h['Content-Type'] ??= 'application/json';
		}
		if (body !== undefined && h['Content-Length'] === undefined)
			h['Content-Length'] = Buffer.byteLength(body);
		return httpsRequest({
			host: '127.0.0.1',
			servername: 'localhost',
			port: this.port,
			method,
			path: urlPath,
			headers: { Host: `localhost:${this.port}`, ...h },
			ca: this.ca,
			agent: false,
			...(from !== undefined ? { localAddress: from } : {}),
		}, body);
	}

	// Runs mcp-oauth-admin on this server's database, as the user the
	// programs run as; env adds to the environment.
	admin(args, { input, allowFailure = false, env } = {}) {
		const argv = [this.adminPath, '--config', this.configFile,
		    ...args];
		if (this.runAs !== null)
			argv.unshift('runuser', '-u', this.runAs, '--');
		const r = spawnSync(argv[0], argv.slice(1), {
			input,
			encoding: 'utf8',
			env: env === undefined ? undefined :
			    { ...process.env, ...env },
		});
		const report = sanitizerReport(r.stderr ?? '');
		if (report !== null)
			throw new Error(`mcp-oauth-admin ${args.join(' ')}: ` +
			    `sanitizer report:\n${report}`);
		if (!allowFailure && r.status !== 0)
			throw new Error(`mcp-oauth-admin ${args.join(' ')}: ` +
			    `exit ${r.status}: ${r.stderr}`);
		return r;
	}

	addUser(name, password) {
		this.admin(['user', 'add', name, '--password-stdin'],
		    { input: `${password}\n` });
	}

	// The running programs the web server started: [{ pid, name }],
	// name as "token.fcgi" (lighttpd only: Apache's are not in our
	// process group).
	programProcesses() {
		if (this.child === null)
			return [];
		const out = [];
		for (const pid of livingInGroup(this.child.pid)) {
			let argv;
			try {
				argv = fs.readFileSync(`/proc/${pid}/cmdline`,
				    'utf8').split('\0');
			} catch {
				continue;
			}
			// Under valgrind the process is valgrind's, with the
			// program's path after the options (and the same pid).
			const program = argv.find((a) => a.endsWith('.fcgi'));
			if (program !== undefined)
				out.push({ pid, name: path.basename(program) });
		}
		return out;
	}

	// What the programs wrote to stderr.
	programLog() {
		const kind = serverKinds[this.kind];
		return kind.programLog(this);
	}

	// A mark in the program log: programLogSince(mark) is then what
	// the programs wrote after it, so that a test does not mistake an
	// earlier test's line for its own.
	logMark() {
		return this.programLog().length;
	}

	programLogSince(mark) {
		return this.programLog().slice(mark);
	}

	serverLog() {
		const kind = serverKinds[this.kind];
		return kind.serverLog(this);
	}

	async #stopChild() {
		const child = this.child;
		this.child = null;
		if (child === null)
			return;
		const pgid = child.pid;
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			try {
				process.kill(-pgid, 'SIGTERM');
			} catch {
				// Already gone.
			}
			let timer;
			await Promise.race([exited, new Promise((r) => {
				timer = setTimeout(r, 10000);
			})]);
			clearTimeout(timer);
		}
		// The programs the web server spawned share its process
		// group: wait until they are gone too (under valgrind, each
		// checks for leaks on the way out), then force.
		const rounds = underValgrind ? 2400 : 400;
		for (let i = 0; i < rounds; i++) {
			if (livingInGroup(pgid).length === 0)
				return;
			await delay(25);
		}
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// Gone between the check and the kill.
		}
	}

	// Stops the server and everything it started, then fails if a
	// program reported a memory error, undefined behaviour or a leak
	// (the directory is then kept, for the whole log).
	async stop() {
		await this.#stopChild();
		const report = sanitizerReport(this.programLog()) ??
		    this.valgrindReport();
		const dirs = [this.dir];
		if (this.valgrindLogDir !== undefined)
			dirs.push(this.valgrindLogDir);
		if (process.env.MCP_TEST_KEEP || report !== null)
			console.log(`# kept ${dirs.join(' ')}`);
		else
			for (const dir of dirs)
				fs.rmSync(dir, { recursive: true, force: true });
		if (report !== null)
			throw new Error(`a program reported an error (log in ` +
			    `${dirs.join(' ')}):\n${report}`);
	}
}

// A client of a server that another process started (the concurrency
// workers): only request() works on it.
export function remoteServer({ port, ca }) {
	const r = Object.create(TestServer.prototype);
	r.port = port;
	r.ca = ca;
	return r;
}

// The header values of a raw header list with the given name
// (case-insensitive), in order.
export function headerValues(res, name) {
	const out = [];
	for (let i = 0; i < res.rawHeaders.length; i += 2)
		if (res.rawHeaders[i].toLowerCase() === name.toLowerCase())
			out.push(res.rawHeaders[i + 1]);
	return out;
}
