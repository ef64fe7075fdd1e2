// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The bundle of "make bundle" (scripts/bundle), where it has to run: a
// host with none of our libraries.  The tarball is unpacked into an
// empty directory tree (no /lib, no /usr, no shell, no /dev, no
// /proc), and mcp-oauth-admin and each program run there under
// chroot(2), the programs as CGI: metadata, registration, a sign-in
// with consent, the code exchange, /mcp tools/list and tools/call,
// revocation.  Root (scripts/check in CI) uses chroot directly; anyone
// else gets it through a user namespace (unshare -r).
//
//   MCP_OAUTH_BUNDLE   the tarball (default: the newest
//                      mcp-oauth-fcgi-*-linux-x86_64.tar.gz in the
//                      build tree)

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cgiInvocation, mcpCgiRequest, parseCgi } from '../lib/cgi.mjs';
import { buildDir } from '../lib/harness.mjs';
import { Person, obtainTokens, register } from '../lib/oauth.mjs';

const issuer = 'https://localhost:8443';
const programs = ['metadata.fcgi', 'authorize.fcgi', 'token.fcgi',
    'register.fcgi', 'revoke.fcgi', 'mcp.fcgi'];

function findTarball() {
	if (process.env.MCP_OAUTH_BUNDLE)
		return path.resolve(process.env.MCP_OAUTH_BUNDLE);
	const names = fs.readdirSync(buildDir)
	    .filter((n) => /^mcp-oauth-fcgi-.*-linux-x86_64\.tar\.gz$/.test(n))
	    .map((n) => path.join(buildDir, n))
	    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
	if (names.length === 0)
		throw new Error(`no bundle in ${buildDir}: run "make bundle" ` +
		    'or set MCP_OAUTH_BUNDLE');
	return names[0];
}

// The absolute path of a command of the host (the programs run with
// the CGI environment only, without PATH).
function hostCommand(name) {
	for (const dir of (process.env.PATH ?? '').split(':')
	    .concat(['/usr/sbin', '/sbin', '/usr/bin'])) {
		const p = path.join(dir, name);
		if (dir !== '' && fs.existsSync(p))
			return p;
	}
	throw new Error(`${name} not found`);
}

// The command that runs argv (paths inside the tree) with root as "/".
function chrootCommand(root, argv) {
	const inner = [hostCommand('chroot'), root, ...argv];
	return process.getuid() === 0 ? inner : [hostCommand('unshare'),
	    '--user', '--map-root-user', ...inner];
}

// The site in the tree: the unpacked bundle, and /site with the
// configuration and the database.
class ChrootSite {
	constructor(tarball) {
		this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-bundle-'));
		const r = spawnSync('tar', ['-xzf', tarball, '-C', this.root],
		    { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		[this.top] = fs.readdirSync(this.root);
		fs.mkdirSync(path.join(this.root, 'site'));
		this.writeConfig('mcp-oauth.conf', '');
	}

	// A configuration file in /site; returns its path in the tree.
	writeConfig(name, extra) {
		fs.writeFileSync(path.join(this.root, 'site', name), [
			`issuer = ${issuer}`,
			'db_path = /site/db',
			`www_dir = /${this.top}/www`,
			extra,
			'',
		].join('\n'));
		return `/site/${name}`;
	}

	exec(argv, { env = {}, input = '' } = {}) {
		const [cmd, ...args] = chrootCommand(this.root, argv);
		const r = spawnSync(cmd, args, { env, input, encoding: 'utf8',
		    timeout: 30000 });
		if (r.error)
			throw r.error;
		return r;
	}

	admin(args, options) {
		const r = this.exec([`/${this.top}/bin/mcp-oauth-admin`,
		    '--config', '/site/mcp-oauth.conf', ...args], options);
		assert.equal(r.status, 0, `mcp-oauth-admin ${args.join(' ')}: ` +
		    r.stderr);
		return r;
	}

	// One CGI request to program (options as CgiSite.run()).
	run(program, options = {}, config = '/site/mcp-oauth.conf') {
		const { env, input } = cgiInvocation(config, options);
		const r = this.exec([`/${this.top}/bin/${program}`],
		    { env, input });
		assert.equal(r.status, 0, `${program}: exit ${r.status}: ` +
		    r.stderr);
		return parseCgi(r.stdout, r.stderr);
	}

	// The TestServer.request() of tests/lib/oauth.mjs, each path sent
	// to its program as a web server would.
	request(method, target, { headers = {}, form, json } = {}) {
		const url = new URL(target, issuer);
		let body, env = {};
		if (form !== undefined) {
			body = new URLSearchParams(form).toString();
			env = { CONTENT_TYPE: 'application/x-www-form-urlencoded' };
		} else if (json !== undefined) {
			body = JSON.stringify(json);
			env = { CONTENT_TYPE: 'application/json' };
		}
		const res = this.run(programFor(url.pathname), { method,
		    target: url.pathname + url.search, headers, body, env });
		const single = {};
		for (const [k, v] of Object.entries(res.headers))
			single[k] = v.join(', ');
		return { ...res, headers: single };
	}

	cleanup() {
		fs.rmSync(this.root, { recursive: true, force: true });
	}
}

function programFor(urlPath) {
	if (urlPath.startsWith('/.well-known/'))
		return 'metadata.fcgi';
	const name = urlPath.split('/')[1];
	assert.ok(programs.includes(`${name}.fcgi`), `no program for ${urlPath}`);
	return `${name}.fcgi`;
}

let site;

before(() => {
	site = new ChrootSite(findTarball());
});

after(() => {
	site?.cleanup();
});

describe('the bundle in an empty root', () => {
	it('holds the programs, pages, .htaccess, sample and INSTALL', () => {
		const top = path.join(site.root, site.top);
		assert.match(site.top, /^mcp-oauth-fcgi-[0-9.]+-linux-x86_64$/);
		for (const p of [...programs, 'mcp-oauth-admin']) {
			const st = fs.statSync(path.join(top, 'bin', p));
			assert.ok(st.mode & 0o100, `${p} is executable`);
			const file = spawnSync('file', ['-b',
			    path.join(top, 'bin', p)], { encoding: 'utf8' });
			assert.match(file.stdout, /statically linked/, p);
		}
		for (const f of ['www/templates/login.html',
		    'www/templates/consent.html', 'www/static/style.css',
		    'apache/htaccess.in', 'etc/mcp-oauth.conf.sample',
		    'INSTALL', 'LICENSE'])
			assert.ok(fs.statSync(path.join(top, f)).isFile(), f);
		assert.match(fs.readFileSync(path.join(top, 'INSTALL'), 'utf8'),
		    /has no\s+libcurl/);
	});

	it('has no library, no shell: a dynamic program cannot start', () => {
		assert.deepEqual(fs.readdirSync(site.root).sort(),
		    ['site', site.top].sort());
		for (const p of ['lib', 'lib64', 'usr', 'bin/sh', 'dev', 'proc'])
			assert.ok(!fs.existsSync(path.join(site.root, p)), p);
		// The control: the host's own shell does not run there.
		fs.copyFileSync('/bin/sh', path.join(site.root, 'site', 'sh'));
		fs.chmodSync(path.join(site.root, 'site', 'sh'), 0o755);
		const r = site.exec(['/site/sh', '-c', 'exit 0']);
		fs.rmSync(path.join(site.root, 'site', 'sh'));
		assert.notEqual(r.status, 0, 'a dynamic program started');
	});

	it('mcp-oauth-admin creates the database and a user', () => {
		const init = site.admin(['init']);
		assert.match(init.stdout, /database ready at \/site\/db/i);
		site.admin(['user', 'add', 'alice', '--password-stdin'],
		    { input: 'alice-pw-12345\n' });
		const list = JSON.parse(site.admin(['--json', 'user', 'list'])
		    .stdout);
		assert.deepEqual(list.map((u) => u.user), ['alice']);
	});

	it('metadata.fcgi serves both metadata documents', () => {
		const as = site.request('GET',
		    '/.well-known/oauth-authorization-server');
		assert.equal(as.status, 200, as.body);
		assert.equal(as.json().issuer, issuer);
		assert.equal(as.json().token_endpoint, `${issuer}/token`);
		const prm = site.request('GET',
		    '/.well-known/oauth-protected-resource/mcp');
		assert.equal(prm.status, 200, prm.body);
		assert.equal(prm.json().resource, `${issuer}/mcp`);
		assert.deepEqual(prm.json().authorization_servers, [issuer]);
	});

	it('signs in, exchanges the code, lists and calls tools, revokes',
	    async () => {
		const client = await register(site);
		const person = new Person(site, 'alice', 'alice-pw-12345');
		const tokens = await obtainTokens(site, person, client);
		assert.match(tokens.access_token, /^mcpat_/);

		const list = site.run('mcp.fcgi', mcpCgiRequest(
		    tokens.access_token, 'tools/list', {}));
		assert.equal(list.status, 200, list.body);
		const names = list.json().result.tools.map((t) => t.name);
		assert.ok(names.includes('whoami'), names.join(' '));
		const who = site.run('mcp.fcgi', mcpCgiRequest(
		    tokens.access_token, 'tools/call', { name: 'whoami' }));
		assert.equal(who.status, 200, who.body);
		assert.match(JSON.stringify(who.json().result), /alice/);

		const rev = site.request('POST', '/revoke', { form: {
			token: tokens.access_token,
			client_id: client.client_id,
		} });
		assert.equal(rev.status, 200, rev.body);
		const gone = site.run('mcp.fcgi', mcpCgiRequest(
		    tokens.access_token, 'tools/list', {}));
		assert.equal(gone.status, 401, gone.body);
	});

	it('without libcurl, introspection answers 503 and says why', () => {
		const config = site.writeConfig('introspection.conf', [
			'token_validation = introspection',
			'authorization_server = https://as.example.com',
			'introspection_endpoint = https://as.example.com/introspect',
			'introspection_client_id = mcp',
			'introspection_client_secret = not-a-real-secret',
		].join('\n'));
		const res = site.run('mcp.fcgi', mcpCgiRequest('foreign-token',
		    'tools/list', {}), config);
		assert.equal(res.status, 503, res.body);
		assert.match(res.json().error.message,
		    /cannot be reached to check the token/);
		assert.match(res.stderr, /event=introspection_failed .*this build has no libcurl/);
		// The rest of that site still works.
		const prm = site.run('metadata.fcgi', {
			target: '/.well-known/oauth-protected-resource/mcp',
		}, config);
		assert.equal(prm.status, 200, prm.body);
	});
});
