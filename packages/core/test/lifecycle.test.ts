import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, UNKNOWN_OPERATION_LABEL, acceptRequestId, createJsonLogger, silentLogger, toNexusError } from '../src/index.js';
import type { Channel } from '../src/index.js';

describe('lifecycle, health and metrics', () => {
  it('starts plugins before channels and stops them after, once however often stop is called', async () => {
    const events: string[] = [];
    const app = new Nexus({ logger: silentLogger });
    app.addPlugin({ name: 'p', setup() {}, start: async () => void events.push('plugin start'), stop: async () => void events.push('plugin stop') });
    const channel: Channel = { name: 'c', start: async () => void events.push('channel start'), stop: async () => void events.push('channel stop') };
    app.addChannel(channel);
    await app.start();
    expect(app.state).toBe('running');
    await Promise.all([app.stop(), app.stop()]);
    await app.stop();
    expect(events).toEqual(['plugin start', 'channel start', 'channel stop', 'plugin stop']);
    expect(app.state).toBe('stopped');
    const after = await app.invoke({ channel: 't', operation: 'x' });
    expect(!after.ok && after.error.code).toBe('UNAVAILABLE');
  });

  it('waits for in-flight calls before stopping plugins', async () => {
    const events: string[] = [];
    const app = new Nexus({ logger: silentLogger });
    app.addPlugin({ name: 'p', setup() {}, stop: async () => void events.push('plugin stop') });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    app.handler('slow', { description: 'd', input: z.object({}) }, async () => {
      started();
      await released;
      events.push('handler done');
      return {};
    });
    await app.start();
    const call = app.invoke({ channel: 't', operation: 'slow' });
    await running;
    const stopping = app.stop();
    // Everything stop() can do on its own: it must still be waiting for the handler.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    release();
    await stopping;
    expect((await call).ok).toBe(true);
    expect(events).toEqual(['handler done', 'plugin stop']);
  });

  it('drains every channel alike: draining state, the drain delay with every channel still accepting, then all channels stop, then plugins', async () => {
    const events: string[] = [];
    const app = new Nexus({ logger: silentLogger, drainDelayMs: 50 });
    app.addPlugin({ name: 'audit', setup() {}, stop: async () => void events.push('plugin stop') });
    for (const name of ['http', 'mcp']) {
      app.addChannel({ name, start: async () => {}, stop: async ({ graceMs }) => void events.push(`${name} stop ${graceMs > 0 ? 'with grace' : 'no grace'}`) });
    }
    app.handler('work', { description: 'd', input: z.object({}) }, () => ({ state: app.state }));
    await app.start();
    const stopped = app.stop();
    // During the delay the app is draining and no channel has been told to stop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.state).toBe('draining');
    expect(events).toEqual([]);
    const during = await app.invoke({ channel: 'mcp', operation: 'work' });
    expect(during.ok && during.value).toEqual({ state: 'draining' });
    await stopped;
    expect(events).toEqual(['http stop with grace', 'mcp stop with grace', 'plugin stop']);
  });

  it('reopens every plugin that can, and keeps running when one fails to', async () => {
    const reopened: string[] = [];
    const app = new Nexus({ logger: silentLogger });
    app.addPlugin({ name: 'broken', setup() {}, reopen: async () => { throw new Error('EACCES'); } });
    app.addPlugin({ name: 'audit', setup() {}, reopen: async () => void reopened.push('audit') });
    await app.start();
    await app.reopen();
    expect(reopened).toEqual(['audit']);
    expect(app.state).toBe('running');
  });

  it('aggregates health checks: worst status wins, throwing or hanging checks are unhealthy', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.addHealthCheck('ok', () => ({ status: 'healthy' }));
    expect((await app.healthCheck()).status).toBe('healthy');
    app.addHealthCheck('slow', () => ({ status: 'degraded' }));
    expect((await app.healthCheck()).status).toBe('degraded');
    app.addHealthCheck('hangs', () => new Promise(() => {}));
    app.addHealthCheck('throws', () => {
      throw new Error('boom');
    });
    const report = await app.healthCheck(50);
    expect(report.status).toBe('unhealthy');
    expect(report.checks.hangs?.status).toBe('unhealthy');
    expect(report.checks.throws?.status).toBe('unhealthy');
  });

  it('counts requests with bounded labels: unknown operations collapse to one value', async () => {
    const app = new Nexus({ logger: silentLogger });
    app.handler('echo', { description: 'd', input: z.object({}) }, () => ({}));
    await app.invoke({ channel: 'api', operation: 'echo' });
    for (let i = 0; i < 5; i++) await app.invoke({ channel: 'api', operation: `random-${i}` });
    const text = await app.metrics.registry.metrics();
    expect(text).toContain('nexus_requests_total{channel="api",operation="echo",outcome="allowed"} 1');
    expect(text).toContain(`nexus_requests_total{channel="api",operation="${UNKNOWN_OPERATION_LABEL}",outcome="invalid"} 5`);
    expect(text).not.toContain('random-');
    expect(text).toContain('nexus_registered_operations 1');
  });

  it('accepts safe request ids and replaces unsafe ones', () => {
    expect(acceptRequestId('abc-123_X.y')).toBe('abc-123_X.y');
    for (const bad of ['a b', 'x'.repeat(129), '', '<script>', 42, undefined]) {
      expect(acceptRequestId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('wraps foreign errors as a generic INTERNAL that keeps the cause for logs only', () => {
    const cause = new Error('password=secret');
    const error = toNexusError(cause);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain('secret');
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error.toProblem('r1'))).not.toContain('secret');
  });

  it('logs the cause of an internal error with the request id', async () => {
    const lines: string[] = [];
    const app = new Nexus({ logger: createJsonLogger({ write: (line) => lines.push(line) }) });
    app.handler('boom', { description: 'd', input: z.object({}) }, () => {
      throw new Error('disk on fire');
    });
    const result = await app.invoke({ channel: 't', operation: 'boom', requestId: 'req-9' });
    expect(!result.ok && result.error.message).not.toContain('disk');
    const logged = lines.map((line) => JSON.parse(line)).find((record) => record.requestId === 'req-9');
    expect(logged.error.message).toBe('disk on fire');
  });
});
