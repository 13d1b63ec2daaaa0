import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { InvocationResult, JobPort, JobRecord } from '@nexus/core';
import { createBullMqJobPort } from '../src/index.js';
import { until } from './support/until.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `nexus-test-jobs-${randomUUID().slice(0, 8)}`;
const redis = new Redis(url);
const apps: Nexus[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

interface Hooks { started: (worker: string) => void }

/** An app on the shared queue; `hang` jobs never end on worker `a`, so it can be made to die mid-job. */
function build(worker: string, hooks: Hooks, port: JobPort = createBullMqJobPort({ url, prefix, stalledIntervalMs: 500, lockDurationMs: 1_000, ttlSeconds: 60 })) {
  const app = new Nexus({ logger: silentLogger, drainTimeoutMs: 2_000 });
  const hang = () => {
    hooks.started(worker);
    if (worker === 'a') return new Promise(() => {});
    return new Promise((resolve) => setImmediate(() => resolve({ worker })));
  };
  app.handler('safe', { description: 'Idempotent', longRunning: true, annotations: { idempotent: true }, input: z.object({}) }, hang);
  app.handler('unsafe', { description: 'Not idempotent', longRunning: true, input: z.object({}) }, hang);
  app.handler('steps', { description: 'Reports progress', longRunning: true, input: z.object({ hold: z.boolean() }) }, async ({ hold }, ctx) => {
    ctx.progress({ current: 1, total: 2, message: 'half' });
    if (hold) await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
    return { done: [] };
  });
  app.handler('boom', { description: 'Fails', longRunning: true, input: z.object({}) }, () => {
    throw new Error('connection string with a password');
  });
  app.configureJobs({ port });
  apps.push(app);
  return { app, port };
}

const caller = { channel: 'test' };
const idOf = (result: InvocationResult) => (result.ok ? (result.value as { operationId: string }).operationId : `refused ${result.error.code}`);

describe('the BullMQ job port on real Redis', () => {
  it('runs a job to its result with progress, keeps the empty array, and expires the record after the ttl', async () => {
    const { app, port } = build('b', { started: () => {} });
    await app.ready();
    const id = idOf(await app.submit({ ...caller, operation: 'steps', input: { hold: false } }));
    const record = await until(port, id, (job) => job.status === 'succeeded');
    expect(record).toMatchObject({ operation: 'steps', progress: { current: 1, total: 2, message: 'half' }, result: { done: [] } });
    const ttl = await redis.ttl(`${prefix}:nexus-jobs:rec:${id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect((await port.counts()).succeeded).toBeGreaterThanOrEqual(1);
  });

  it('cancels a running job through its signal; a second cancel is CONFLICT; a failure hides its detail', async () => {
    const { app, port } = build('b', { started: () => {} });
    await app.ready();
    const id = idOf(await app.submit({ ...caller, operation: 'steps', input: { hold: true } }));
    await until(port, id, (job) => job.progress?.current === 1);
    expect((await port.cancel(id))?.status).toBe('cancelled');
    await expect(port.cancel(id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const failed = idOf(await app.submit({ ...caller, operation: 'boom', input: {} }));
    const record = await until(port, failed, (job) => job.status === 'failed');
    expect(record.error).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(JSON.stringify(record)).not.toContain('password');
  });

  it('answers UNAVAILABLE when Redis is unreachable at submission', async () => {
    const { app } = build('b', { started: () => {} }, createBullMqJobPort({ url: 'redis://127.0.0.1:1', prefix }));
    app.configureJobs({ worker: false });
    const result = await app.submit({ ...caller, operation: 'steps', input: { hold: false } });
    expect(result.ok ? 'ok' : result.error.code).toBe('UNAVAILABLE');
  });

  it('runs an idempotent job again on another worker when its worker dies; fails the others with UNAVAILABLE', async () => {
    let onA!: () => void;
    const startedOnA = () => new Promise<void>((resolve) => (onA = resolve));
    const hooks: Hooks = { started: (worker) => (worker === 'a' ? onA() : undefined) };
    const a = build('a', hooks);
    await a.app.ready();
    let waiting = startedOnA();
    const safe = idOf(await a.app.submit({ ...caller, operation: 'safe', input: {} }));
    await waiting;
    waiting = startedOnA();
    const unsafe = idOf(await a.app.submit({ ...caller, operation: 'unsafe', input: {} }));
    await waiting;
    // Worker a dies: its connections drop and its locks are no longer renewed.
    await a.port.close();
    const b = build('b', hooks);
    await b.app.ready();
    expect(await until(b.port, safe, (job) => job.status === 'succeeded')).toMatchObject({ result: { worker: 'b' } });
    expect(await until(b.port, unsafe, (job) => job.status === 'failed')).toMatchObject({ error: { code: 'UNAVAILABLE' } });
  });

  it('publishes a job\'s changes on its own channel; progress reported in the job\'s last turn goes out with the final record only', async () => {
    const { app, port } = build('b', { started: () => {} });
    await app.ready();
    const channel = (id: string) => `${prefix}:nexus-jobs:changes:${id}`;
    const heard = new Redis(url);
    const messages: Array<[string, JobRecord]> = [];
    heard.on('pmessage', (_pattern: string, from: string, message: string) => messages.push([from, JSON.parse(message) as JobRecord]));
    await heard.psubscribe(channel('*'));
    const of = (id: string) => messages.filter(([from]) => from === channel(id)).map(([, record]) => [record.status, record.progress?.current]);
    try {
      const fast = idOf(await app.submit({ ...caller, operation: 'steps', input: { hold: false } }));
      await until(port, fast, (job) => job.status === 'succeeded');
      // Running, then the result: the progress reported just before returning rides on the latter.
      await until(port, fast, () => of(fast).length === 2);
      expect(of(fast)).toEqual([['running', undefined], ['succeeded', 1]]);
      const held = idOf(await app.submit({ ...caller, operation: 'steps', input: { hold: true } }));
      // A job still running after it reported: its progress goes out on its own.
      expect(await until(port, held, (job) => job.progress?.current === 1)).toMatchObject({ status: 'running' });
      await until(port, held, () => of(held).length === 2);
      expect(of(held)).toEqual([['running', undefined], ['running', 1]]);
      await port.cancel(held);
    } finally {
      heard.disconnect();
    }
  });

  it('tells a listener once it hears its job, delivers that job\'s changes only, and leaves the channel with its last listener', async () => {
    // A queue no worker takes from: the changes are the test's own cancels.
    const queue = `subscribe-${randomUUID().slice(0, 8)}`;
    const port = createBullMqJobPort({ url, prefix, queue, ttlSeconds: 60 });
    const submission = { operation: 'steps', input: {}, idempotent: false, caller: { requestId: randomUUID(), channel: 'test' } };
    const channel = (id: string) => `${prefix}:${queue}:changes:${id}`;
    const subscribed = async () => ((await redis.pubsub('CHANNELS', channel('*'))) as string[]).sort();
    const activation = () => {
      let active!: () => void;
      return { done: new Promise<void>((resolve) => (active = resolve)), active: () => active() };
    };
    try {
      const watched = (await port.submit(submission)).operationId;
      const other = (await port.submit(submission)).operationId;
      const seen: JobRecord[] = [];
      const first = activation();
      const stop = port.subscribe(watched, (record) => seen.push(record), first.active);
      const second = activation();
      const stopSecond = port.subscribe(watched, () => {}, second.active);
      await Promise.all([first.done, second.done]);
      expect(await subscribed()).toEqual([channel(watched)]);
      await port.cancel(other);
      await port.cancel(watched);
      await until(port, watched, () => seen.length > 0);
      expect(seen.map((record) => [record.operationId, record.status])).toEqual([[watched, 'cancelled']]);
      stop();
      stopSecond();
      // Commands on the subscriber's connection run in order: once a later subscription took
      // effect, the unsubscribe before it did too.
      const later = activation();
      const stopLater = port.subscribe(other, () => {}, later.active);
      await later.done;
      expect(await subscribed()).toEqual([channel(other)]);
      stopLater();
    } finally {
      await port.close();
    }
  });

  it('lists one principal\'s jobs in a tenant, or with no principal given every job of the tenant, newest first', async () => {
    // A queue no worker takes from: the jobs stay queued while they are listed.
    const port = createBullMqJobPort({ url, prefix, queue: `list-${randomUUID().slice(0, 8)}`, ttlSeconds: 60 });
    try {
      const submit = async (principal: string | undefined, tenant: string | undefined) => (await port.submit({
        operation: 'steps',
        input: {},
        idempotent: false,
        caller: {
          requestId: randomUUID(),
          channel: 'test',
          ...(principal === undefined ? {} : { principal: { id: principal, roles: [], permissions: [], claims: {} } }),
          ...(tenant === undefined ? {} : { tenant: { id: tenant, source: 'claim' as const } }),
        },
      })).operationId;
      const ann = await submit('ann', 't1');
      const anonymous = await submit(undefined, 't1');
      const bob = await submit('bob', 't1');
      const other = await submit('ann', 't2');
      const none = await submit('ann', undefined);
      const ids = async (filter: { tenantId: string | undefined; principalId?: string }, limit = 100) => (await port.list(filter, limit)).map((job) => job.record.operationId);
      expect(new Set(await ids({ tenantId: 't1' }))).toEqual(new Set([bob, anonymous, ann]));
      expect(await ids({ tenantId: 't1', principalId: 'ann' })).toEqual([ann]);
      expect(await ids({ tenantId: 't2' })).toEqual([other]);
      expect(await ids({ tenantId: undefined })).toEqual([none]);
      expect(await ids({ tenantId: 't1' }, 2)).toHaveLength(2);
    } finally {
      await port.close();
    }
  });
});
