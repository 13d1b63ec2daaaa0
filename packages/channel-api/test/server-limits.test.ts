import { request } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createApiChannel } from '../src/index.js';
import { createTestApp } from './fixtures.js';
import { startApi } from './http-driver.js';
import { idleConnection, slowClient } from './slow-client.js';

let app: Nexus | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** One request on a fresh connection (no pooled socket counts against the cap). */
function liveStatus(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ port, host: '127.0.0.1', path: '/health/live', agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

// Far below Node's own defaults (60 s headers, 300 s request): a cut before this proves the option.
const BOUND_MS = 10_000;
const cutWithin = (closed: Promise<string>) =>
  Promise.race([closed.then((answer) => ({ cut: true, answer })), new Promise<{ cut: false }>((resolve) => setTimeout(() => resolve({ cut: false }), BOUND_MS).unref())]);

describe('listener limits', () => {
  it('cuts a client that sends its headers too slowly, while other requests are served', async () => {
    app = createTestApp();
    const { api } = await startApi(app, { headersTimeout: 400, requestTimeout: 2_000 });
    const port = api.address()!.port;
    const slow = await slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
    const served: (number | string)[] = [];
    const outcome = cutWithin(slow.closed);
    let settled = false;
    void outcome.then(() => (settled = true));
    while (!settled) served.push(await liveStatus(port));
    const result = await outcome;
    expect(result.cut).toBe(true);
    if (result.cut) expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((status) => status === 200)).toBe(true);
    expect(await liveStatus(port)).toBe(200);
  });

  it('cuts a client that sends its body too slowly', async () => {
    app = createTestApp();
    const { api } = await startApi(app, { headersTimeout: 400, requestTimeout: 800 });
    const port = api.address()!.port;
    const head = 'POST /workflows/echo/execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"inputs":';
    const slow = await slowClient(port, head, ' ');
    const result = await cutWithin(slow.closed);
    expect(result.cut).toBe(true);
    expect(slow.dripped()).toBeLessThan(100_000);
    expect(await liveStatus(port)).toBe(200);
  });

  it('closes connections beyond maxConnections and serves again once one is freed', async () => {
    app = createTestApp();
    const { api } = await startApi(app, { maxConnections: 2 });
    const port = api.address()!.port;
    const first = await idleConnection(port);
    const second = await idleConnection(port);
    const third = await idleConnection(port);
    await third.closed;
    first.destroy();
    await first.closed;
    // The server notices the freed slot when it sees the close; retry until it has.
    let status: number | string = 0;
    while (status !== 200) status = await liveStatus(port);
    expect(status).toBe(200);
    second.destroy();
  });

  it.each([
    [{ headersTimeout: 0 }, /headersTimeout/],
    [{ maxConnections: 1.5 }, /maxConnections/],
    [{ headersTimeout: 5_000, requestTimeout: 1_000 }, /must not exceed requestTimeout/],
  ])('refuses bad limits when the channel is created: %j', (options, message) => {
    expect(() => createApiChannel(options)).toThrow(message);
  });
});
