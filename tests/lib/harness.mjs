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
export const buildDir = process.env.MCP_OAUTH_BUILD_DIR ??
    path.join(repo, 'build');
export const programDir = process.env.MCP_OAUTH_PROGRAM_DIR ??
    path.join(buildDir, 'src');
export const adminPath = process.env.MCP_OAUTH_ADMIN ??
    path.join(programDir, 'mcp-oauth-admin');
export const serverKind = process.env.MCP_TEST_SERVER ?? 'lighttpd';

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
		this.programDir = options.programDir ?? programDir;
		this.programEnv = options.env ?? {};
		this.child = null;
	}

	// The configuration file; the issuer follows the port.
	writeConfig(extra = this.options.config ?? '') {
		fs.writeFileSync(this.configFile, [
			`issuer = https://localhost:${this.port}`,
			`db_path = ${this.dbDir}`,
			`www_dir = ${path.join(repo, 'www')}`,
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
		for (let attempt = 0; ; attempt++) {
			this.port = await freePort();
			this.issuer = `https://localhost:${this.port}`;
			this.writeConfig();
			if (attempt === 0) {
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
				await this.request('GET',
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

	async request(method, urlPath, { headers = {}, body, form, json } = {}) {
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
		}, body);
	}

	// Runs mcp-oauth-admin on this server's database.
	admin(args, { input, allowFailure = false } = {}) {
		const r = spawnSync(adminPath, ['--config', this.configFile,
		    ...args], { input, encoding: 'utf8' });
		if (!allowFailure && r.status !== 0)
			throw new Error(`mcp-oauth-admin ${args.join(' ')}: ` +
			    `exit ${r.status}: ${r.stderr}`);
		return r;
	}

	addUser(name, password) {
		this.admin(['user', 'add', name, '--password-stdin'],
		    { input: `${password}\n` });
	}

	// What the programs wrote to stderr.
	programLog() {
		const kind = serverKinds[this.kind];
		return kind.programLog(this);
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
		// group: wait until they are gone too, then force.
		for (let i = 0; i < 400; i++) {
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

	async stop() {
		await this.#stopChild();
		if (process.env.MCP_TEST_KEEP)
			console.log(`# kept ${this.dir}`);
		else
			fs.rmSync(this.dir, { recursive: true, force: true });
	}
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
