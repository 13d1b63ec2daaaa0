import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAll, startApp } from '../support/processes.js';
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
  server = await startApp({ NEXUS_JWT_SECRET: secret, NEXUS_TRUST_PROXY: 'loopback' });
}, 30_000);

afterAll(async () => {
  await killAll();
});

describe('MCP behind a trusted proxy', () => {
  it('audits the client address from X-Forwarded-For, not the proxy\'s', async () => {
    const requestId = `proxied-${run}`;
    const reply = await post({ authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' }, echo(requestId));
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({ message: 'via proxy' });
    await server.stop('SIGTERM');
    expect(auditOf(requestId)?.clientAddress).toBe('203.0.113.7');
  });
});
