// Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
// The benchmark's peer: the same six tools as mcp.fcgi, served by the
// official MCP TypeScript SDK the way its documentation recommends for a
// stateless server: express (createMcpExpressApp, with its DNS-rebinding
// protection), the SDK's requireBearerAuth middleware with a token
// verifier, and per request a new McpServer and a new
// StreamableHTTPServerTransport without sessions and with JSON
// responses (see the SDK's examples/server/simpleStatelessStreamableHttp
// and jsonResponseStreamableHttp).
//
// It terminates TLS itself (node:https, keep-alive), the same kind of
// connection wrk has with lighttpd.  With --workers N it runs N
// processes (node:cluster) on one port, as many processes as lighttpd
// runs FastCGI programs.
//
// The verifier is deliberately generous to the peer: the valid tokens
// are held in memory (a Map from SHA-256 to the token's data, loaded
// from --tokens at start), where mcp.fcgi reads LMDB in a transaction.
//
// With --tools FILE it uses the SDK's low-level Server instead (still
// one per request), whose tools/list handler answers the tool list read
// from FILE at start (mcp.fcgi's own answer): no schema conversion per
// request, the most favourable way to serve a fixed list with the SDK.
//
//   node server.mjs --port P --cert F --key F --issuer URL --tokens FILE
//       [--workers N] [--tools FILE]
//
// The --tokens FILE holds one "token scope..." line per valid token.
// Prints "listening" on stdout once every worker listens.

import cluster from 'node:cluster';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';

import { requireBearerAuth } from
    '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from
    '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod/v4';

const { values: opt } = parseArgs({
	options: {
		port: { type: 'string' },
		cert: { type: 'string' },
		key: { type: 'string' },
		issuer: { type: 'string' },
		tokens: { type: 'string' },
		workers: { type: 'string', default: '1' },
		tools: { type: 'string' },
	},
});
const workers = Number(opt.workers);

if (cluster.isPrimary && workers > 1) {
	let listening = 0;
	for (let i = 0; i < workers; i++) {
		const w = cluster.fork();
		w.on('message', (m) => {
			if (m === 'listening' && ++listening === workers)
				console.log('listening');
		});
	}
	const stop = () => {
		for (const w of Object.values(cluster.workers))
			w.process.kill('SIGTERM');
		process.exit(0);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
} else {
	serve();
}

function sha256(s) {
	return crypto.createHash('sha256').update(s).digest('hex');
}

function serve() {
	const mcpUrl = new URL(`${opt.issuer}/mcp`);
	const tokens = new Map();
	for (const line of fs.readFileSync(opt.tokens, 'utf8').split('\n')) {
		const [token, ...scopes] = line.trim().split(/\s+/);
		if (token)
			tokens.set(sha256(token), {
				scopes,
				expiresAt: Math.floor(Date.now() / 1000) + 86400,
			});
	}

	const verifier = {
		async verifyAccessToken(token) {
			const t = tokens.get(sha256(token));
			if (t === undefined)
				throw new InvalidTokenError('the access token is ' +
				    'invalid, expired or revoked');
			return {
				token,
				clientId: 'bench-client',
				scopes: t.scopes,
				expiresAt: t.expiresAt,
				resource: mcpUrl,
			};
		},
	};

	const fixedTools = opt.tools ?
	    JSON.parse(fs.readFileSync(opt.tools, 'utf8')) : null;
	const newServer = fixedTools ? () => getLowLevelServer(fixedTools) :
	    getServer;
	const app = createMcpExpressApp({ host: 'localhost' });
	app.post('/mcp', requireBearerAuth({
		verifier,
		resourceMetadataUrl:
		    `${opt.issuer}/.well-known/oauth-protected-resource/mcp`,
		expectedResource: mcpUrl,
	}), async (req, res) => {
		const server = newServer();
		try {
			const transport = new StreamableHTTPServerTransport({
				sessionIdGenerator: undefined,
				enableJsonResponse: true,
			});
			res.on('close', () => {
				transport.close();
				server.close();
			});
			await server.connect(transport);
			await transport.handleRequest(req, res, req.body);
		} catch (e) {
			console.error('error handling an MCP request:', e);
			if (!res.headersSent)
				res.status(500).json({ jsonrpc: '2.0', error: {
				    code: -32603, message: 'Internal error' },
				    id: null });
		}
	});
	const notAllowed = (req, res) => {
		res.status(405).set('Allow', 'POST').json({ jsonrpc: '2.0',
		    error: { code: -32000, message: 'Method Not Allowed' },
		    id: null });
	};
	app.get('/mcp', notAllowed);
	app.delete('/mcp', notAllowed);

	const server = https.createServer({
		cert: fs.readFileSync(opt.cert),
		key: fs.readFileSync(opt.key),
	}, app);
	server.keepAliveTimeout = 60000;
	server.listen(Number(opt.port), '127.0.0.1', () => {
		if (cluster.isWorker)
			process.send('listening');
		else
			console.log('listening');
	});
	process.on('SIGTERM', () => process.exit(0));
}

// The tools of mcp.fcgi (src/tools/), same names, titles, descriptions,
// schemas and annotations.  tools/list is what is measured; the
// handlers only answer, they keep no notes.
const scopeMeta = (scope) => ({ 'io.github.mcp-oauth-fcgi/scope': scope });
const noteId = z.number().int().min(1).describe('The note\'s number.');

const INFO = {
	name: 'mcp-oauth-fcgi',
	title: 'mcp-oauth-fcgi notes',
	version: '0.1.0',
};
const INSTRUCTIONS = 'Personal notes of the signed-in user: list, read, ' +
    'add and delete them. whoami tells who is signed in.';

function getLowLevelServer(tools) {
	const server = new Server(INFO, {
		capabilities: { tools: { listChanged: false } },
		instructions: INSTRUCTIONS,
	});
	server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
	return server;
}

function notImplemented() {
	return { content: [{ type: 'text', text: 'not part of the benchmark' }],
	    isError: true };
}

function getServer() {
	const server = new McpServer(INFO, { instructions: INSTRUCTIONS });
	server.registerTool('whoami', {
		title: 'Who am I?',
		description: 'Tells who you are signed in as on this server: ' +
		    'the user, the client application holding the access ' +
		    'token, the token\'s scopes and when it expires. ' +
		    '(Requires the OAuth scope mcp.)',
		inputSchema: z.object({}).strict(),
		outputSchema: {
			user: z.string(),
			client_id: z.string(),
			scopes: z.array(z.string()),
			token_expires_at: z.iso.datetime(),
			token_expires_in: z.number().int(),
		},
		annotations: { readOnlyHint: true, openWorldHint: false },
		_meta: scopeMeta('mcp'),
	}, notImplemented);
	server.registerTool('notes_list', {
		title: 'List my notes',
		description: 'Lists your notes: number, title, creation time ' +
		    'and length. Read one with notes_get. (Requires the ' +
		    'OAuth scope notes:read.)',
		inputSchema: z.object({}).strict(),
		outputSchema: {
			notes: z.array(z.object({
				id: z.number().int(),
				title: z.string(),
				created: z.string(),
				length: z.number().int(),
			})),
			count: z.number().int(),
		},
		annotations: { readOnlyHint: true, openWorldHint: false },
		_meta: scopeMeta('notes:read'),
	}, notImplemented);
	server.registerTool('notes_get', {
		title: 'Read a note',
		description: 'Returns one of your notes in full, by its number ' +
		    '(see notes_list). (Requires the OAuth scope notes:read.)',
		inputSchema: z.object({ id: noteId }).strict(),
		outputSchema: {
			id: z.number().int(),
			title: z.string(),
			text: z.string(),
			created: z.string(),
		},
		annotations: { readOnlyHint: true, openWorldHint: false },
		_meta: scopeMeta('notes:read'),
	}, notImplemented);
	server.registerTool('notes_add', {
		title: 'Add a note',
		description: 'Saves a note (up to 4000 characters, with an ' +
		    'optional title of up to 200) and returns its number. ' +
		    'You can keep up to 1000 notes. (Requires the OAuth ' +
		    'scope notes:write.)',
		inputSchema: z.object({
			text: z.string().min(1).max(4000).describe('The note.'),
			title: z.string().max(200).describe('A short title.')
			    .optional(),
		}).strict(),
		outputSchema: {
			id: z.number().int(),
			count: z.number().int(),
		},
		annotations: { readOnlyHint: false, destructiveHint: false,
		    idempotentHint: false, openWorldHint: false },
		_meta: scopeMeta('notes:write'),
	}, notImplemented);
	server.registerTool('notes_delete', {
		title: 'Delete a note',
		description: 'Deletes one of your notes by its number (see ' +
		    'notes_list). (Requires the OAuth scope notes:write.)',
		inputSchema: z.object({ id: noteId }).strict(),
		outputSchema: { deleted: z.number().int() },
		annotations: { readOnlyHint: false, destructiveHint: true,
		    idempotentHint: true, openWorldHint: false },
		_meta: scopeMeta('notes:write'),
	}, notImplemented);
	server.registerTool('notes_search', {
		title: 'Search my notes',
		description: 'Finds your notes whose title or text contains a ' +
		    'phrase (letters in any case), reporting its progress. ' +
		    '(Requires the OAuth scope notes:read.)',
		inputSchema: z.object({
			phrase: z.string().min(1).max(200),
		}).strict(),
		outputSchema: {
			matches: z.array(z.object({
				id: z.number().int(),
				title: z.string(),
			})),
			searched: z.number().int(),
		},
		annotations: { readOnlyHint: true, openWorldHint: false },
		_meta: scopeMeta('notes:read'),
	}, notImplemented);
	return server;
}
