import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Nexus, RateLimitedError, silentLogger } from '@nexus/core';
import { z } from 'zod';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let app: Nexus;
let channel: McpChannel;
let url: string;

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const echo = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { message: `m${id}` } } });
const initialize = (version: string) => ({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } } });

/** A raw request, so Host and Origin can say anything. */
function rawStatus(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { port } = channel.address()!;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...HEADERS, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  });
}

beforeAll(async () => {
  app = createTestApp();
  channel = createMcpChannel({ port: 0 });
  app.addChannel(channel);
  await app.start();
  url = channel.address()!.url;
});
afterAll(() => app.stop());

describe('batches', () => {
  it('serves a batch of up to 16 messages before protocol 2025-11-25', async () => {
    const response = await post(Array.from({ length: 16 }, (_, index) => echo(index + 1)), { 'mcp-protocol-version': '2025-06-18' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as unknown[]).length).toBe(16);
  });

  it('refuses a batch of 17 messages with -32600', async () => {
    const response = await post(Array.from({ length: 17 }, (_, index) => echo(index + 1)));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('refuses any batch under protocol 2025-11-25 with -32600', async () => {
    const response = await post([echo(1), echo(2)], { 'mcp-protocol-version': '2025-11-25' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { id: null; error: { code: number; message: string } };
    expect(body.error.code).toBe(-32600);
    expect(body.error.message).toMatch(/batch/i);
  });

  it('refuses a batch that mixes initialize and calls with -32600', async () => {
    const response = await post([initialize('2025-06-18'), echo(1)]);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
  });

  it('refuses a deeply nested batch without falling over', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const response = await post(deep);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
    expect((await post(echo(2))).status).toBe(200);
  });

  it('refuses arguments nested deeper than 64 levels with INVALID_INPUT, as every channel does', async () => {
    let nested: unknown = 'leaf';
    for (let level = 0; level < 200; level++) nested = { n: nested };
    const response = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'x', nested } } });
    const body = (await response.json()) as { error?: { code: number }; result?: { isError: boolean; _meta?: Record<string, { code?: string }> } };
    expect(body.error?.code ?? (body.result?.isError ? body.result._meta?.['nexus/error']?.code : 'accepted')).toBe('INVALID_INPUT');
  });
});

describe('identifiers', () => {
  it('refuses a JSON-RPC id that is not a usable string or integer with -32600', async () => {
    for (const raw of [
      `{"jsonrpc":"2.0","id":1e400,"method":"ping"}`,
      JSON.stringify({ jsonrpc: '2.0', id: 'i'.repeat(10_000), method: 'ping' }),
      JSON.stringify({ jsonrpc: '2.0', id: 1.5, method: 'ping' }),
    ]) {
      const response = await post(raw);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { id: unknown; error: { code: number } };
      expect(body).toMatchObject({ id: null, error: { code: -32600 } });
    }
  });

  it('answers a tool name that is not well-formed Unicode with -32602, without echoing it', async () => {
    const response = await post(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"ech\\ud800o","arguments":{}}}`);
    const body = (await response.json()) as { id: number; error: { code: number; message: string } };
    expect(body.id).toBe(4);
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).not.toMatch(/\ud800/);
  });
});

describe('DNS-rebinding check on the parsed address', () => {
  it.each([
    ['Host 127.evil.example', { host: '127.evil.example:3001' }],
    ['Host localhost.evil.example', { host: 'localhost.evil.example:3001' }],
    ['Host 0x7f.1', { host: '0x7f.1:3001' }],
    ['Origin 127.evil.example', { origin: 'http://127.evil.example:3001' }],
    ['Origin localhost.evil.example', { origin: 'http://localhost.evil.example' }],
  ])('refuses %s with 403', async (_label, headers) => {
    const { status, body } = await rawStatus(headers);
    expect(status).toBe(403);
    expect(body).not.toContain('evil');
  });

  it.each([
    ['Host [::1]', { host: '[::1]:3001' }],
    ['Host 127.0.0.2', { host: '127.0.0.2:3001' }],
    ['Host localhost with Origin [::1]', { host: 'localhost:3001', origin: 'http://[::1]:3001' }],
  ])('accepts %s', async (_label, headers) => {
    expect((await rawStatus(headers)).status).toBe(200);
  });
});

describe('errors on the wire', () => {
  it('answers a rate-limited tools/list with the problem, and no SDK prefix in the message', async () => {
    const limited = new Nexus({ logger: silentLogger });
    limited.use('limit', async () => {
      throw new RateLimitedError(7);
    });
    limited.handler('echo', { description: 'Returns its message.', input: z.object({}) }, () => ({}));
    const limitedChannel = createMcpChannel({ port: 0 });
    limited.addChannel(limitedChannel);
    await limited.start();
    try {
      const response = await fetch(limitedChannel.address()!.url, { method: 'POST', headers: HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
      // MCP carries refusals in the body; only a missing credential is an HTTP-level answer.
      expect(response.status).toBe(200);
      const body = (await response.json()) as { error: { code: number; message: string; data: { code: string; retryAfter: number } } };
      expect(body.error.data).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 7 });
      expect(body.error.message).toMatch(/^RATE_LIMITED: /);
    } finally {
      await limited.stop();
    }
  });
});
