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

const lighttpd = {
	start(s) {
		const conf = path.join(s.dir, 'lighttpd.conf');
		fs.writeFileSync(conf, render(
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
		}));
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

export const serverKinds = { lighttpd };
