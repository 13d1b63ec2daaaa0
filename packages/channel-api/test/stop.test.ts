import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { createTestApp, waiting } from './fixtures.js';
import { startApi } from './http-driver.js';

const waitBody = (ms: number) => JSON.stringify({ inputs: { ms } });

function openSocket(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
  });
}

const until = async (check: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('graceful stop', () => {
  it('finishes every in-flight request, then stops accepting', async () => {
    const app = createTestApp();
    const { api, base } = await startApi(app);
    const before = waiting.count;
    const calls = Array.from({ length: 8 }, () =>
      fetch(`${base}/workflows/wait/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: waitBody(250) }),
    );
    await until(() => waiting.count - before === 8);
    const stopped = app.stop();
    const responses = await Promise.all(calls);
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(responses.every((response) => response.headers.get('connection') === 'close')).toBe(true);
    for (const response of responses) expect(((await response.json()) as { result: unknown }).result).toEqual({ waited: 250 });
    await stopped;
    expect(api.address()).toBeUndefined();
  });

  it('answers readiness 503 while draining and still serves requests during the drain delay', async () => {
    const app = createTestApp({ nexus: { drainDelayMs: 1_000 } });
    const { base } = await startApi(app);
    const inFlight = fetch(`${base}/workflows/wait/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: waitBody(150) });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stopped = app.stop();
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', state: 'draining' });
    const health = (await (await fetch(`${base}/health`)).json()) as { checks: Record<string, { status: string; detail?: string }> };
    expect(health.checks['channel:api']).toEqual({ status: 'unhealthy', detail: 'draining' });
    const late = await fetch(`${base}/workflows/wait/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: waitBody(10) });
    expect(late.status).toBe(200);
    expect(late.headers.get('connection')).toBe('close');
    expect((await inFlight).status).toBe(200);
    await stopped;
  });

  it('closes idle keep-alive sockets at once', async () => {
    const app = createTestApp({ nexus: { drainTimeoutMs: 5_000 } });
    const { api } = await startApi(app);
    const idle = await openSocket(api.address()!.port);
    idle.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => idle.text().includes('alive'));
    const started = Date.now();
    await app.stop();
    await idle.closed;
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('is bounded by the grace period when a request outlives it', async () => {
    const app = createTestApp({ nexus: { drainTimeoutMs: 200 } });
    const { base } = await startApi(app);
    const call = fetch(`${base}/workflows/wait/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: waitBody(3_000) }).then(
      (response) => response.status,
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await app.stop();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await call).toBe('dropped');
  });
});
