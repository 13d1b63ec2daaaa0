import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { createGate, createTestApp } from './fixtures.js';
import type { Gate } from './fixtures.js';
import { startApi } from './http-driver.js';

const waitFor = (base: string, gate: Gate) =>
  fetch(`${base}/workflows/wait/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { gate: gate.id } }) });

function openSocket(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
    socket.on('data', (chunk: string) => (text += chunk));
  });
}

/** Settles once the socket has received text containing `marker`. */
const received = (socket: Socket, text: () => string, marker: string) =>
  new Promise<void>((resolve) => {
    const check = () => {
      if (!text().includes(marker)) return;
      socket.off('data', check);
      resolve();
    };
    socket.on('data', check);
    check();
  });

describe('graceful stop', () => {
  it('finishes every in-flight request, then stops accepting', async () => {
    const app = createTestApp();
    const { api, base } = await startApi(app);
    const gate = createGate();
    const calls = Array.from({ length: 8 }, () => waitFor(base, gate));
    await gate.arrived(8);
    const stopped = app.stop();
    // Opened only after the stop began: all 8 are answered during the drain.
    gate.open();
    const responses = await Promise.all(calls);
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
    expect(responses.every((response) => response.headers.get('connection') === 'close')).toBe(true);
    for (const response of responses) expect(((await response.json()) as { result: unknown }).result).toEqual({ released: gate.id });
    await stopped;
    expect(api.address()).toBeUndefined();
  });

  it('answers readiness 503 while draining and still serves requests during the drain delay', async () => {
    // Long enough that the requests below always fall inside it, however slow the machine.
    const app = createTestApp({ nexus: { drainDelayMs: 5_000 } });
    const { base } = await startApi(app);
    const held = createGate();
    const inFlight = waitFor(base, held);
    await held.arrived(1);
    const stopped = app.stop();
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', state: 'draining' });
    const health = (await (await fetch(`${base}/health`)).json()) as { checks: Record<string, { status: string; detail?: string }> };
    expect(health.checks['channel:api']).toEqual({ status: 'unhealthy', detail: 'draining' });
    const open = createGate();
    open.open();
    const late = await waitFor(base, open);
    expect(late.status).toBe(200);
    expect(late.headers.get('connection')).toBe('close');
    held.open();
    expect((await inFlight).status).toBe(200);
    await stopped;
  });

  it('closes idle keep-alive sockets at once', async () => {
    const app = createTestApp({ nexus: { drainTimeoutMs: 60_000 } });
    const { api } = await startApi(app);
    const idle = await openSocket(api.address()!.port);
    idle.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
    await received(idle.socket, idle.text, 'alive');
    const started = performance.now();
    await app.stop();
    await idle.closed;
    // Node itself drops an idle keep-alive socket after 5 s and the grace period is 60 s: this
    // generous bound still tells "closed by the stop" from either.
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('is bounded by the grace period when a request outlives it', async () => {
    const app = createTestApp({ nexus: { drainTimeoutMs: 200 } });
    const { base } = await startApi(app);
    const gate = createGate();
    const call = waitFor(base, gate).then(
      (response) => response.status,
      () => 'dropped',
    );
    await gate.arrived(1);
    try {
      // The gate stays shut, so only the grace period can end this stop (or the test times out).
      await app.stop();
      expect(await call).toBe('dropped');
    } finally {
      gate.open();
    }
  });
});
