import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowBuilder } from '@nexus/workflow';
import type { HttpRequestNodeConfig } from '@nexus/workflow';
import { createApp, errorOf, invoke, memoryLogger, valueOf } from './helpers.js';

let server: Server;
let base: string;
const requests: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[] = [];
const openSockets = new Set<import('node:net').Socket>();
/** Requests to /hang: each settles `arrived` when it reaches the server and `closed` when its connection goes. */
const hangs: { arrived: Promise<void>; closed: Promise<void> }[] = [];
const hangSignals: { arrive: () => void; close: () => void }[] = [];
/** The n-th /hang request of this file (0-based), whether or not it has arrived yet. */
function hang(index: number): { arrived: Promise<void>; closed: Promise<void> } {
  while (hangs.length <= index) {
    const signals = { arrive: () => {}, close: () => {} };
    hangs.push({ arrived: new Promise<void>((resolve) => (signals.arrive = resolve)), closed: new Promise<void>((resolve) => (signals.close = resolve)) });
    hangSignals.push(signals);
  }
  return hangs[index]!;
}
let hangCount = 0;

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  requests.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/json') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ echoed: body === '' ? null : JSON.parse(body), query: Object.fromEntries(new URL(req.url!, 'http://x').searchParams) }));
  } else if (path === '/text') {
    res.setHeader('content-type', 'text/plain');
    res.end('plain words');
  } else if (path === '/big-declared') {
    res.setHeader('content-length', String(4096));
    res.end('x'.repeat(4096));
  } else if (path === '/big-streamed') {
    res.write('x'.repeat(3000));
    res.end('x'.repeat(3000));
  } else if (path === '/hang') {
    const index = hangCount++;
    hang(index);
    hangSignals[index]!.arrive();
    res.on('close', () => hangSignals[index]!.close());
  } else {
    res.statusCode = 503;
    res.end('upstream says: internal token abc123');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => route(req, res, body));
  });
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of openSockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function httpApp(config: Omit<HttpRequestNodeConfig, 'url'> & { path: string }, timeoutMs?: number) {
  const records: Parameters<typeof memoryLogger>[0] = [];
  const app = createApp({ logger: memoryLogger(records) });
  const { path, ...rest } = config;
  app.register('call', new WorkflowBuilder().addNode('HTTPRequestNode', 'fetch', { url: `${base}${path}`, ...rest }, timeoutMs === undefined ? {} : { timeoutMs }).build());
  return { app, records };
}

describe('HTTPRequestNode', () => {
  it('sends body and query from its inputs and parses a JSON response', async () => {
    const { app } = httpApp({ path: '/json', method: 'POST', headers: { 'x-api-key': 'k' } });
    const result = valueOf(await invoke(app, 'call', { body: { id: 7 }, query: { page: 2, q: 'a b' } }));
    expect(result.fetch.status).toBe(200);
    expect(result.fetch.body).toEqual({ echoed: { id: 7 }, query: { page: '2', q: 'a b' } });
    const seen = requests.at(-1)!;
    expect(seen.method).toBe('POST');
    expect(seen.headers['x-api-key']).toBe('k');
    expect(seen.headers['content-type']).toBe('application/json');
  });

  it('returns text bodies as strings', async () => {
    const { app } = httpApp({ path: '/text' });
    const result = valueOf(await invoke(app, 'call'));
    expect(result.fetch).toEqual({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'plain words' });
  });

  it.each([
    ['a declared length', '/big-declared'],
    ['a streamed body', '/big-streamed'],
  ])('fails the node on a response over the size cap (%s)', async (_case, path) => {
    const { app, records } = httpApp({ path, maxBytes: 1024 });
    const error = errorOf(await invoke(app, 'call'));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('Workflow node "fetch" failed.');
    expect(String((records.find((record) => record.message === 'workflow node failed')?.fields.error as Error).message)).toMatch(/over the 1024-byte cap/);
  });

  it('fails the node on a non-2xx status without showing the upstream body', async () => {
    const { app, records } = httpApp({ path: '/fails' });
    const error = errorOf(await invoke(app, 'call'));
    expect(error.message).toBe('Workflow node "fetch" failed.');
    expect(JSON.stringify(error.toProblem())).not.toContain('abc123');
    expect(String((records.find((record) => record.message === 'workflow node failed')?.fields.error as Error).message)).toContain('503');
  });

  it('passes a non-2xx response on when failOnHttpError is false', async () => {
    const { app } = httpApp({ path: '/fails', failOnHttpError: false });
    expect(valueOf(await invoke(app, 'call')).fetch.status).toBe(503);
  });

  it('times out with TIMEOUT naming the node and closes the connection', async () => {
    const request = hang(hangCount);
    const { app } = httpApp({ path: '/hang' }, 100);
    const error = errorOf(await invoke(app, 'call'));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('Workflow node "fetch" did not finish within 100 ms.');
    // The server never answers: only the node closing its request ends the connection.
    await request.closed;
  });

  it('aborts the request when the caller cancels', async () => {
    const request = hang(hangCount);
    const { app } = httpApp({ path: '/hang' });
    const controller = new AbortController();
    const pending = invoke(app, 'call', {}, { signal: controller.signal });
    // Cancel once the request is at the server, so the abort has a connection to close.
    await request.arrived;
    controller.abort();
    expect(errorOf(await pending).code).toBe('CANCELLED');
    await request.closed;
  });
});
