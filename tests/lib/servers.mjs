// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// How the harness runs each kind of web server.  Each kind renders the
// shipped deployment template for a test directory, starts the server
// in the foreground in a process group of its own, and knows where the
// logs go.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
    '../..');

export function render(template, values) {
	const args = [template];
	for (const [k, v] of Object.entries(values))
		args.push(`${k}=${v}`);
	const r = spawnSync(path.join(repo, 'scripts', 'render-config'), args,
	    { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`render-config: ${r.stderr}`);
	return r.stdout;
}

function readIfExists(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

// The root rule of a subdirectory install (docs/deploying.md): the two
// URLs RFC 8414 and RFC 9728 put at the root of the site for an issuer
// with a path, to the subdirectory's metadata.fcgi, above the rules
// the site already has.
export function rootRule(subdir) {
	return 'RewriteRule "^\\.well-known/(oauth-authorization-server/' +
	    `${subdir}|oauth-protected-resource/${subdir}/mcp)$" ` +
	    `"${subdir}/metadata.fcgi" [END]`;
}

// What a WordPress site's root .htaccess holds: everything that is not
// a file or a directory goes to index.php.
const wordpressRules = [
	'# BEGIN WordPress',
	'<IfModule mod_rewrite.c>',
	'RewriteEngine On',
	'RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]',
	'RewriteBase /',
	'RewriteRule ^index\\.php$ - [L]',
	'RewriteCond %{REQUEST_FILENAME} !-f',
	'RewriteCond %{REQUEST_FILENAME} !-d',
	'RewriteRule . /index.php [L]',
	'</IfModule>',
	'# END WordPress',
	'',
].join('\n');

// The site at the root of a subdirectory install: a WordPress-style
// .htaccess (with the root rule above it unless s.rootRule is false)
// and an index.php that, with no PHP here, answers as a page.
function writeRootSite(s, docRoot) {
	const subdir = s.base.slice(1);
	const ours = s.rootRule ? [
		'# BEGIN mcp-oauth-fcgi',
		'RewriteEngine On',
		rootRule(subdir),
		'# END mcp-oauth-fcgi',
		'',
	].join('\n') : '';
	fs.writeFileSync(path.join(docRoot, '.htaccess'), ours +
	    wordpressRules);
	fs.writeFileSync(path.join(docRoot, 'index.php'),
	    '<!doctype html><title>A WordPress site</title>\n');
}

// lighttpd's configuration for a subdirectory install: every endpoint
// and /static/ under the subdirectory, and (with s.rootRule) the two
// root metadata URLs to a metadata.fcgi of their own.
function lighttpdSubdir(text, s) {
	const sub = s.base;
	text = text.replace(/^(\t)"(\/[^"]*)" => \(\(/gm,
	    (m, tab, p) => `${tab}"${sub}${p}" => ((`);
	text = text.replace('"/static/" =>', `"${sub}/static/" =>`);
	if (!s.rootRule)
		return text;
	const block = (url, sock) => [
		`\t"${url}" => ((`,
		`\t\t"socket" => "${s.runDir}/${sock}.sock",`,
		`\t\t"bin-path" => "${s.programDir}/metadata.fcgi",`,
		`\t\t"bin-environment" => ( "MCP_OAUTH_CONFIG" => ` +
		    `"${s.configFile}" ),`,
		'\t\t"max-procs" => 1,',
		'\t\t"check-local" => "disable",',
		'\t)),',
		'',
	].join('\n');
	return text.replace('fastcgi.server = (\n', 'fastcgi.server = (\n' +
	    block(`/.well-known/oauth-authorization-server${sub}`,
	    'root-as') +
	    block(`/.well-known/oauth-protected-resource${sub}/mcp`,
	    'root-prm'));
}

const lighttpd = {
	start(s) {
		const conf = path.join(s.dir, 'lighttpd.conf');
		let text = render(
		    path.join(repo, 'lighttpd', 'mcp-oauth.conf.in'), {
			BIND: '127.0.0.1',
			PORT: s.port,
			RUN_DIR: s.runDir,
			LOG_DIR: s.logDir,
			CERT_FILE: s.certFile,
			KEY_FILE: s.keyFile,
			WWW_DIR: path.join(repo, 'www'),
			PROGRAM_DIR: s.programDir,
			CONFIG_FILE: s.configFile,
			PROCS: s.procs,
		});
		if (s.base !== '')
			text = lighttpdSubdir(text, s);
		fs.writeFileSync(conf, text);
		return spawn('lighttpd', ['-D', '-f', conf], {
			detached: true,
			stdio: ['ignore', 'ignore', 'inherit'],
			env: { ...process.env, ...s.programEnv },
		});
	},
	programLog(s) {
		return readIfExists(path.join(s.logDir, 'programs.log'));
	},
	serverLog(s) {
		return readIfExists(path.join(s.logDir, 'error.log'));
	},
};

// Apache httpd 2.4 in three deployments, each from the shipped files
// under apache/:
//   apache-vhost     a server you control: apache/mcp-oauth.conf.in,
//                    mod_fcgid, the programs outside the document root
//   apache-htaccess  a shared host with mod_fcgid: the programs and
//                    apache/htaccess.in in the document root
//   apache-cgi       the same on a host without mod_fcgid: plain CGI
// The server itself is apache/httpd.conf.in (own root, logs, sockets).
// Started as root, Apache runs the programs as www-data: prepare()
// copies the programs, pages and admin tool into the test directory
// (as an upload would) and hands that directory to www-data, and the
// harness runs mcp-oauth-admin as www-data.  mod_fcgid starts
// processes on demand (up to the pool limits in the shipped files), so
// the "procs" option does not apply.
const apacheModuleDir = '/usr/lib/apache2/modules';
const apacheUser = 'www-data';

function apacheBinary() {
	for (const p of ['/usr/sbin/apache2', '/usr/sbin/httpd'])
		if (fs.existsSync(p))
			return p;
	return 'apache2';
}

// The user and group Apache serves as: www-data when started as root,
// otherwise the current user (Apache cannot switch then).
function apacheIdentity() {
	if (process.getuid() !== 0) {
		return { user: `#${process.getuid()}`, group: `#${process.getgid()}`,
		    runAs: null };
	}
	const id = (flag) => {
		const r = spawnSync('id', [flag, apacheUser], { encoding: 'utf8' });
		if (r.status !== 0)
			throw new Error(`no user ${apacheUser}: ${r.stderr}`);
		return Number(r.stdout.trim());
	};
	return { user: apacheUser, group: apacheUser, runAs: apacheUser,
	    uid: id('-u'), gid: id('-g') };
}

function copyPrograms(from, to) {
	fs.mkdirSync(to, { recursive: true });
	for (const name of fs.readdirSync(from)) {
		if (!name.endsWith('.fcgi'))
			continue;
		fs.copyFileSync(path.join(from, name), path.join(to, name));
		fs.chmodSync(path.join(to, name), 0o755);
	}
}

function apacheKind(mode) {
	const handler = mode === 'cgi' ? 'cgi' : 'fcgid';
	return {
		prepare(s) {
			if (s.base !== '' && mode === 'vhost')
				throw new Error('apache-vhost has no ' +
				    'subdirectory install in the tests');
			const id = apacheIdentity();
			const docRoot = path.join(s.dir, 'htdocs');
			// A subdirectory install: the programs, static/ and
			// .htaccess in a directory under the site's root.
			const siteDir = path.join(docRoot, s.base);
			const a = {
				id,
				confDir: path.join(s.dir, 'apache'),
				docRoot,
				siteDir,
				programDir: mode === 'vhost' ?
				    path.join(s.dir, 'libexec') : siteDir,
			};
			s.apache = a;
			fs.mkdirSync(path.join(a.confDir, 'conf.d'),
			    { recursive: true });
			fs.mkdirSync(a.docRoot);
			if (s.base !== '') {
				fs.mkdirSync(siteDir);
				writeRootSite(s, docRoot);
			}
			copyPrograms(s.programDir, a.programDir);
			s.wwwDir = path.join(s.dir, 'www');
			fs.cpSync(path.join(repo, 'www'), s.wwwDir,
			    { recursive: true });
			const bin = path.join(s.dir, 'bin');
			fs.mkdirSync(bin);
			fs.copyFileSync(s.adminPath,
			    path.join(bin, 'mcp-oauth-admin'));
			s.adminPath = path.join(bin, 'mcp-oauth-admin');
			if (mode !== 'vhost') {
				fs.cpSync(path.join(repo, 'www', 'static'),
				    path.join(a.siteDir, 'static'),
				    { recursive: true });
				fs.writeFileSync(path.join(a.siteDir, '.htaccess'),
				    render(path.join(repo, 'apache',
				    'htaccess.in'), {
					DOC_ROOT: a.siteDir,
					CONFIG_FILE: s.configFile,
				}));
			}
			// The programs' user creates and opens the database and
			// reads the configuration; nobody else may read it.
			if (id.runAs !== null) {
				fs.chownSync(s.dir, id.uid, id.gid);
				fs.chmodSync(s.dir, 0o711);
				fs.writeFileSync(s.configFile, '');
				fs.chownSync(s.configFile, 0, id.gid);
				fs.chmodSync(s.configFile, 0o640);
				s.runAs = id.runAs;
			}
		},
		start(s) {
			const a = s.apache;
			const listen = `127.0.0.1:${s.port}`;
			const site = path.join(a.confDir, 'site.conf');
			if (mode === 'vhost') {
				fs.writeFileSync(site, render(path.join(repo,
				    'apache', 'mcp-oauth.conf.in'), {
					LISTEN: listen,
					SERVER_NAME: 'localhost',
					DOC_ROOT: a.docRoot,
					CERT_FILE: s.certFile,
					KEY_FILE: s.keyFile,
					CONFIG_FILE: s.configFile,
					PROGRAM_DIR: a.programDir,
					WWW_DIR: s.wwwDir,
				}));
			} else {
				fs.writeFileSync(site, render(path.join(repo,
				    'apache', 'shared-host.conf.in'), {
					LISTEN: listen,
					SERVER_NAME: 'localhost',
					DOC_ROOT: a.docRoot,
					CERT_FILE: s.certFile,
					KEY_FILE: s.keyFile,
				}));
			}
			// Extra environment for the programs: mod_fcgid gives
			// them only FcgidInitialEnv, CGI the request's variables.
			const env = Object.entries(s.programEnv).map(([k, v]) =>
			    `<IfModule mod_fcgid.c>\n\tFcgidInitialEnv ${k} ` +
			    `"${v}"\n</IfModule>\n<IfModule !mod_fcgid.c>\n` +
			    `\tSetEnv ${k} "${v}"\n</IfModule>\n`).join('');
			fs.writeFileSync(path.join(a.confDir, 'conf.d', 'env.conf'),
			    env);
			const conf = path.join(a.confDir, 'httpd.conf');
			fs.writeFileSync(conf, render(path.join(repo, 'apache',
			    'httpd.conf.in'), {
				SERVER_ROOT: a.confDir,
				HANDLER: handler,
				MODULE_DIR: apacheModuleDir,
				RUN_DIR: s.runDir,
				LOG_DIR: s.logDir,
				USER: a.id.user,
				GROUP: a.id.group,
				LISTEN: listen,
				SERVER_NAME: 'localhost',
				SITE_FILE: site,
			}));
			return spawn(apacheBinary(), ['-f', conf, '-DFOREGROUND'], {
				detached: true,
				stdio: ['ignore', 'ignore', 'inherit'],
				env: { ...process.env, ...s.programEnv },
			});
		},
		// The programs' stderr goes to the error log as it is;
		// Apache's own lines start with "[date] [module:level]".
		programLog(s) {
			return readIfExists(path.join(s.logDir, 'error.log'))
			    .split('\n')
			    .filter((l) => !/^\[\w{3} \w{3} [\d: .]+\] \[/.test(l))
			    .join('\n');
		},
		serverLog(s) {
			return readIfExists(path.join(s.logDir, 'error.log'));
		},
	};
}

export const serverKinds = {
	lighttpd,
	'apache-vhost': apacheKind('vhost'),
	'apache-htaccess': apacheKind('htaccess'),
	'apache-cgi': apacheKind('cgi'),
};

export function isApache(kind) {
	return kind.startsWith('apache-');
}
