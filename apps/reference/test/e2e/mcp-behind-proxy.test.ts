import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAIN_JS, cleanEnv, killAll, runNode, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { mint, newSecret } from '../support/tokens.js';

// The MCP listener as nginx reaches it: from loopback, with the client in X-Forwarded-For.
const secret = newSecret();
const run = Math.random().toString(36).slice(2, 8);
const token = mint(secret, `dev-${run}`, ['developer'], 'tenant-a');
let server: AppProcess;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw POST, so the Host header can be the proxy's public name (fetch cannot set Host). */
function post(headers: Record<string, string>, body: unknown): Promise<Reply> {
  const url = new URL(server.mcp);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', timeout: 10_000, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const echo = (requestId: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'via proxy' }, _meta: { 'nexus/requestId': requestId } } });

function auditOf(requestId: string): { clientAddress?: string } | undefined {
  return server.stdout().split('\n').filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as { message?: string; requestId?: string; clientAddress?: string }).find((record) => record.message === 'audit' && record.requestId === requestId);
}

beforeAll(async () => {
  server = await startApp({
    NEXUS_JWT_SECRET: secret,
    NEXUS_TRUST_PROXY: 'loopback',
    NEXUS_MCP_ALLOWED_HOSTS: 'mcp.example.com, other.example.com',
    NEXUS_PUBLIC_MCP_URL: 'https://mcp.example.com/',
  });
}, 30_000);

afterAll(async () => {
  await killAll();
});

describe('MCP behind a trusted proxy', () => {
  it('accepts the public host name named in NEXUS_MCP_ALLOWED_HOSTS and still refuses others', async () => {
    const allowed = await post({ host: 'mcp.example.com', authorization: `Bearer ${token}` }, echo(`allowed-${run}`));
    expect(allowed.status).toBe(200);
    expect((JSON.parse(allowed.body) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({ message: 'via proxy' });
    expect((await post({ host: 'other.example.com:443', authorization: `Bearer ${token}` }, echo(`other-${run}`))).status).toBe(200);
    expect((await post({ host: 'evil.example', authorization: `Bearer ${token}` }, echo(`evil-${run}`))).status).toBe(403);
  });

  it('builds the 401 challenge\'s metadata link from NEXUS_PUBLIC_MCP_URL', async () => {
    const reply = await post({ host: 'mcp.example.com' }, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toContain('resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"');
  });

  it('lists the MCP listener among the checks of /health', async () => {
    const response = await fetch(`${server.api}/health`, { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { checks: Record<string, { status: string }> };
    expect(body.checks['channel:mcp']?.status).toBe('healthy');
  });

  it('audits the client address from X-Forwarded-For, not the proxy\'s', async () => {
    const requestId = `proxied-${run}`;
    const reply = await post({ host: 'mcp.example.com', authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' }, echo(requestId));
    expect(reply.status).toBe(200);
    // Stopping flushes the audit sink.
    await server.stop('SIGTERM');
    expect(auditOf(requestId)?.clientAddress).toBe('203.0.113.7');
  });
});

describe('NEXUS_PUBLIC_MCP_URL', () => {
  it('refuses to start, in one clear line, when it is not an http(s) URL', async () => {
    const done = await runNode(MAIN_JS, [], { env: cleanEnv({ NEXUS_JWT_SECRET: secret, NEXUS_API_PORT: '0', NEXUS_MCP_PORT: '0', NEXUS_PUBLIC_MCP_URL: 'mcp.example.com' }), timeoutMs: 15_000 });
    expect(done.code).not.toBe(0);
    expect(done.stderr.trim().split('\n')).toEqual([expect.stringMatching(/NEXUS_PUBLIC_MCP_URL must be an http\(s\) URL/)]);
  }, 20_000);
});
