import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createConformanceAuth } from '@nexus/auth/testing';
import { createConformanceApp } from '@nexus/core/testing';
import { serveMcpStdio } from '../src/index.js';
import type { McpStdioServer } from '../src/index.js';
import { createTestApp } from './support/apps.js';

type Message = { id?: unknown; method?: string; result?: Record<string, unknown>; error?: { code: number; message: string; data?: { code?: string } } };

let server: McpStdioServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Serves the test app over in-memory pipes; `ask` writes one line and waits for the answer to `id`. */
function serve(env: Record<string, string> = {}, auth = false) {
  const input = new PassThrough();
  const output = new PassThrough();
  const received: Message[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      received.push(JSON.parse(buffer.slice(0, index)) as Message);
      buffer = buffer.slice(index + 1);
    }
    for (const waiter of waiters.splice(0)) waiter();
  });
  server = serveMcpStdio(createTestApp({ auth }), { input, output, env });
  const next = async (match: (message: Message) => boolean): Promise<Message> => {
    for (;;) {
      const found = received.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    received,
    next,
    write: (line: string) => void input.write(`${line}\n`),
    ask(line: string, id: unknown): Promise<Message> {
      input.write(`${line}\n`);
      return next((message) => message.id === id);
    },
  };
}

describe('MCP over stdio with hostile input', () => {
  it('answers an unknown tool with -32602', async () => {
    const { ask } = serve();
    const answer = await ask(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'nope', arguments: {} } }), 1);
    expect(answer.error).toMatchObject({ code: -32602, data: { code: 'NOT_FOUND' } });
  });

  it('carries no SDK prefix in error messages', async () => {
    const { ask } = serve({ NEXUS_TOKEN: 'forged' }, true);
    const answer = await ask(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), 2);
    expect(answer.error?.data?.code).toBe('UNAUTHENTICATED');
    expect(answer.error?.message).toMatch(/^UNAUTHENTICATED: /);
  });

  it('answers a tool name that is not well-formed Unicode with -32602', async () => {
    const { ask } = serve();
    const answer = await ask(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"\\udc00","arguments":{}}}`, 3);
    expect(answer.error?.code).toBe(-32602);
  });

  it('refuses an unusable id with -32600 and keeps serving', async () => {
    const { ask, next } = serve();
    const line = JSON.stringify({ jsonrpc: '2.0', id: 'i'.repeat(10_000), method: 'ping' });
    const refused = await ask(line, null);
    expect(refused.error?.code).toBe(-32600);
    expect(await ask(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'ping' }), 4)).toMatchObject({ result: {} });
    expect(await next((message) => message.id === 4)).toBeDefined();
  });

  it('refuses a batch over 16 messages with -32600', async () => {
    const { ask } = serve();
    const many = Array.from({ length: 17 }, (_, index) => ({ jsonrpc: '2.0', id: 100 + index, method: 'ping' }));
    expect((await ask(JSON.stringify(many), null)).error?.code).toBe(-32600);
  });

  it('refuses a batch holding initialize, and every batch once 2025-11-25 is negotiated', async () => {
    const { ask, next, received, write } = serve();
    const init = (id: number, protocolVersion: string) => ({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    expect((await ask(JSON.stringify([init(1, '2025-06-18'), { jsonrpc: '2.0', id: 2, method: 'ping' }]), null)).error?.code).toBe(-32600);
    expect(await ask(JSON.stringify(init(3, '2025-11-25')), 3)).toMatchObject({ result: { protocolVersion: '2025-11-25' } });
    const seen = received.length;
    write(JSON.stringify([{ jsonrpc: '2.0', id: 4, method: 'ping' }, { jsonrpc: '2.0', id: 5, method: 'ping' }]));
    const refused = await next((message) => received.indexOf(message) >= seen && message.id === null);
    expect(refused.error).toMatchObject({ code: -32600, message: expect.stringMatching(/2025-11-25/) });
  });
});

describe('the MCP handshake over stdio', () => {
  it('refuses initialize with a bad NEXUS_TOKEN, audited once, so a failed login leaves a trace', async () => {
    const auth = createConformanceAuth();
    const { app } = createConformanceApp({ auth });
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: Message[] = [];
    output.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Message);
    });
    server = serveMcpStdio(app, { input, output, env: { NEXUS_TOKEN: await auth.invalidToken() } });
    const before = auth.auditRecords!().length;
    input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
    while (!lines.some((message) => message.id === 1)) await new Promise((resolve) => output.once('data', resolve));
    expect(lines.find((message) => message.id === 1)?.error).toMatchObject({ code: -32000, message: expect.stringMatching(/^UNAUTHENTICATED: /), data: { code: 'UNAUTHENTICATED' } });
    expect(auth.auditRecords!().length - before).toBe(1);
  });
});
