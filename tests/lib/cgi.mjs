// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// A second harness: runs a program as a plain CGI program with an
// environment we choose (REMOTE_USER, odd query strings), which a web
// server in front would not let the tests set.  libfcgi serves one CGI
// request when standard input is not a FastCGI socket.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { adminPath, programDir, repo, sanitizerEnv,
    sanitizerReport } from './harness.mjs';

export class CgiSite {
	// options:
	//   config  extra "key = value" lines
	//   user    { uid, gid }: run the programs and the admin tool as
	//           this user (a root test that needs permissions to bite)
	constructor({ config = '', user } = {}) {
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-cgi-'));
		this.configFile = path.join(this.dir, 'mcp-oauth.conf');
		this.issuer = 'https://localhost:8443';
		this.user = user ?? {};
		if (user !== undefined) {
			fs.chmodSync(this.dir, 0o711);
			fs.chownSync(this.dir, user.uid, user.gid);
		}
		fs.writeFileSync(this.configFile, [
			`issuer = ${this.issuer}`,
			`db_path = ${path.join(this.dir, 'db')}`,
			`www_dir = ${path.join(repo, 'www')}`,
			config,
			'',
		].join('\n'));
		this.admin(['init']);
	}

	admin(args, { input } = {}) {
		const r = spawnSync(adminPath, ['--config', this.configFile,
		    ...args], { input, encoding: 'utf8', ...this.user });
		checkReport(`mcp-oauth-admin ${args.join(' ')}`, r.stderr);
		if (r.status !== 0)
			throw new Error(`mcp-oauth-admin ${args.join(' ')}: ` +
			    `exit ${r.status}: ${r.stderr}`);
		return r;
	}

	// Runs program (e.g. "authorize.fcgi") for one request; stderr, a
	// file descriptor, replaces the pipe that collects its log.
	run(program, options = {}) {
		const { env, input, stderr } = cgiInvocation(this.configFile, options);
		const r = spawnSync(path.join(programDir, program), [], {
			env,
			input,
			encoding: 'utf8',
			timeout: 30000,
			stdio: ['pipe', 'pipe', stderr],
			...this.user,
		});
		if (r.error)
			throw r.error;
		return finish(program, r.status, r.stdout, r.stderr);
	}

	// The same without blocking the test process: for a program that
	// talks to a server in this process (tests/lib/provider.mjs).
	runAsync(program, options = {}) {
		const { env, input } = cgiInvocation(this.configFile, options);
		return new Promise((resolve, reject) => {
			const child = spawn(path.join(programDir, program),
			    [], { env, stdio: 'pipe', ...this.user });
			const out = [], err = [];
			const timer = setTimeout(() => child.kill('SIGKILL'),
			    30000);
			child.stdout.on('data', (c) => out.push(c));
			child.stderr.on('data', (c) => err.push(c));
			child.on('error', reject);
			child.on('close', (status) => {
				clearTimeout(timer);
				try {
					resolve(finish(program, status,
					    Buffer.concat(out).toString(),
					    Buffer.concat(err).toString()));
				} catch (e) {
					reject(e);
				}
			});
			child.stdin.end(input);
		});
	}

	cleanup() {
		fs.rmSync(this.dir, { recursive: true, force: true });
	}
}

// The CGI environment and standard input of one request, for a
// program that reads the configuration file configFile.
export function cgiInvocation(configFile, { method = 'GET', target = '/',
    headers = {}, body, env = {}, stderr = 'pipe' }) {
	const q = target.indexOf('?');
	const e = {
		MCP_OAUTH_CONFIG: configFile,
		GATEWAY_INTERFACE: 'CGI/1.1',
		SERVER_PROTOCOL: 'HTTP/1.1',
		REQUEST_METHOD: method,
		REQUEST_URI: target,
		SCRIPT_NAME: q === -1 ? target : target.slice(0, q),
		QUERY_STRING: q === -1 ? '' : target.slice(q + 1),
		REMOTE_ADDR: '192.0.2.10',
		HTTPS: 'on',
		HTTP_HOST: 'localhost:8443',
		...sanitizerEnv(),
		...env,
	};
	for (const [k, v] of Object.entries(headers))
		e[`HTTP_${k.toUpperCase().replace(/-/g, '_')}`] = v;
	if (body !== undefined) {
		e.CONTENT_LENGTH = String(Buffer.byteLength(body));
		e.CONTENT_TYPE ??= 'application/x-www-form-urlencoded';
	}
	for (const [k, v] of Object.entries(e))
		if (v === undefined)
			delete e[k];
	return { env: e, input: body ?? '', stderr };
}

// The options of CgiSite.run() for one JSON-RPC request to mcp.fcgi
// with a bearer token (legacy era, 2025-11-25).
export function mcpCgiRequest(token, method, params, id = 1) {
	return {
		method: 'POST',
		target: '/mcp',
		headers: {
			Authorization: `Bearer ${token}`,
			Accept: 'application/json, text/event-stream',
			'MCP-Protocol-Version': '2025-11-25',
		},
		env: { CONTENT_TYPE: 'application/json' },
		body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
	};
}

// A finished program's response; fails on a sanitizer report or an
// exit status other than 0.
function finish(program, status, stdout, stderr) {
	checkReport(program, stderr);
	if (status !== 0)
		throw new Error(`${program} exit ${status}: ${stderr}`);
	return parseCgi(stdout, stderr ?? '');
}

// A sanitizer build reports on stderr (a leak only at exit, which a
// CGI program always reaches): any report fails the test.
function checkReport(what, stderr) {
	const report = sanitizerReport(stderr ?? '');
	if (report !== null)
		throw new Error(`${what}: sanitizer report:\n${report}`);
}

// A CGI response: "Status: NNN reason", headers, a blank line, body.
export function parseCgi(out, stderr = '') {
	const end = out.indexOf('\r\n\r\n');
	if (end === -1)
		throw new Error(`no header end in CGI output: ${out.slice(0, 200)}`);
	const lines = out.slice(0, end).split('\r\n');
	const headers = {};
	const rawHeaders = [];
	let status = 200;
	for (const line of lines) {
		const colon = line.indexOf(':');
		const name = line.slice(0, colon);
		const value = line.slice(colon + 1).trim();
		if (name.toLowerCase() === 'status') {
			status = Number(value.split(' ')[0]);
			continue;
		}
		rawHeaders.push(name, value);
		(headers[name.toLowerCase()] ??= []).push(value);
	}
	const body = out.slice(end + 4);
	return {
		status,
		headers,
		rawHeaders,
		body,
		stderr,
		header(name) {
			return headers[name.toLowerCase()] ?? [];
		},
		json() {
			return JSON.parse(body);
		},
	};
}
