import { request } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import type { McpChannel, McpHttpOptions } from '../src/index.js';
import { createTestApp } from './support/apps.js';
import { idleConnection, slowClient } from './support/slow-client.js';

let app: Nexus | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } });

/** One tools/call on a fresh connection (no pooled socket counts against the cap): its status. */
function callStatus(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/mcp',
        agent: false,
        headers: { connection: 'close', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(CALL) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end(CALL);
  });
}

async function start(options: McpHttpOptions): Promise<number> {
  app = createTestApp();
  const channel: McpChannel = createMcpChannel({ port: 0, ...options });
  app.addChannel(channel);
  await app.start();
  return channel.address()!.port;
}

// Far below Node's own defaults (60 s headers, 300 s request): a cut before this proves the option.
const BOUND_MS = 10_000;
const cutWithin = (closed: Promise<string>) =>
  Promise.race([closed.then((answer) => ({ cut: true, answer })), new Promise<{ cut: false }>((resolve) => setTimeout(() => resolve({ cut: false }), BOUND_MS).unref())]);

describe('MCP listener limits', () => {
  it('cuts a client that sends its headers too slowly, while calls are served', async () => {
    const port = await start({ headersTimeout: 400, requestTimeout: 2_000 });
    const slow = await slowClient(port, 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n');
    const outcome = cutWithin(slow.closed);
    let settled = false;
    void outcome.then(() => (settled = true));
    const served: (number | string)[] = [];
    while (!settled) served.push(await callStatus(port));
    const result = await outcome;
    expect(result.cut).toBe(true);
    if (result.cut) expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((status) => status === 200)).toBe(true);
  });

  it('cuts a client that sends its body too slowly', async () => {
    const port = await start({ headersTimeout: 400, requestTimeout: 800 });
    const head = 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n{"jsonrpc":';
    const slow = await slowClient(port, head, ' ');
    const result = await cutWithin(slow.closed);
    expect(result.cut).toBe(true);
    expect(await callStatus(port)).toBe(200);
  });

  it('closes connections beyond maxConnections and serves again once one is freed', async () => {
    const port = await start({ maxConnections: 2 });
    const first = await idleConnection(port);
    const second = await idleConnection(port);
    const third = await idleConnection(port);
    await third.closed;
    first.destroy();
    await first.closed;
    let status: number | string = 0;
    while (status !== 200) status = await callStatus(port);
    expect(status).toBe(200);
    second.destroy();
  });

  it('refuses bad limits when the channel is created', () => {
    expect(() => createMcpChannel({ headersTimeout: 5_000, requestTimeout: 1_000 })).toThrow(/must not exceed requestTimeout/);
    expect(() => createMcpChannel({ keepAliveTimeout: -1 })).toThrow(/keepAliveTimeout/);
  });
});
