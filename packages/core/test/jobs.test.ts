import { afterEach, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ForbiddenError, Nexus, UnauthenticatedError, createMemoryJobPort } from '../src/index.js';
import type { InvocationResult, JobPort, JobRecord, NexusContext } from '../src/index.js';

/** Bearer tokens `<principal>@<tenant>[:admin]` stand in for an auth plugin. */
function build(port?: JobPort) {
  const warnings: string[] = [];
  const logger = { ...silent(), warn: (message: string) => void warnings.push(message), child: () => logger };
  const app = new Nexus({ drainTimeoutMs: 200, logger });
  const audit: Array<{ operation: string; phase?: string; operationId?: string; ok: boolean }> = [];
  const job = (ctx: NexusContext) => (ctx.annotations.job ? { phase: ctx.annotations.job.phase, operationId: ctx.annotations.job.operationId } : {});
  app.use('observe', async (ctx, next) => {
    try {
      const value = await next();
      audit.push({ operation: ctx.operation, ok: true, ...job(ctx) });
      return value;
    } catch (error) {
      audit.push({ operation: ctx.operation, ok: false, ...job(ctx) });
      throw error;
    }
  });
  app.use('authenticate', async (ctx, next) => {
    if (ctx.credential.kind !== 'bearer') throw new UnauthenticatedError();
    const [id, rest] = ctx.credential.token.split('@') as [string, string];
    const [tenant, role] = rest.split(':');
    const principal = { id, roles: role ? [role] : [], permissions: [], claims: {} };
    ctx.annotations.principal = principal;
    ctx.annotations.tenant = { id: tenant!, source: 'claim' };
    return next({ principal, tenant: { id: tenant!, source: 'claim' } });
  });
  app.authorize((ctx, operation) => {
    if (operation.permission === 'admin:operations' && !ctx.principal?.roles.includes('admin')) throw new ForbiddenError();
  });
  const gates: Array<() => void> = [];
  const seen: Array<{ principal?: string | undefined; tenant?: string | undefined; requestId: string }> = [];
  app.handler('report', { description: 'A slow report', longRunning: true, input: z.object({ steps: z.number().int().min(1) }) },
    async ({ steps }, ctx: NexusContext) => {
      seen.push({ principal: ctx.principal?.id, tenant: ctx.tenant?.id, requestId: ctx.requestId });
      for (let step = 1; step <= steps; step++) {
        await new Promise<void>((resolve, reject) => {
          gates.push(resolve);
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        });
        ctx.progress({ current: step, total: steps, message: `step ${step}` });
      }
      return { steps };
    });
  app.handler('boom', { description: 'Fails', input: z.object({}) }, () => {
    throw new Error('secret database password in here');
  });
  if (port) app.configureJobs({ port });
  const as = (token: string) => ({ channel: 'test', credential: { kind: 'bearer' as const, token } });
  return { app, audit, gates, seen, warnings, as };
}

function silent() {
  const noop = () => {};
  const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  return logger;
}

function value<T>(result: InvocationResult): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}`);
  return result.value as T;
}

/** Resolves once the job's record satisfies `done`, by its change events (never by sleeping). */
function until(app: Nexus, id: string, done: (record: JobRecord) => boolean): Promise<JobRecord> {
  return new Promise((resolve, reject) => {
    const check = (record: JobRecord | undefined) => {
      if (record === undefined || !done(record)) return;
      stop();
      resolve(record);
    };
    const stop = app.jobs.subscribe(id, check);
    app.jobs.store.get(id).then((job) => check(job?.record), reject);
  });
}

const apps: Nexus[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

describe('long-running operations in core', () => {
  it('runs the pipeline at submission and the handler later with the captured caller and progress', async () => {
    const { app, gates, seen, audit, warnings, as } = build();
    apps.push(app);
    const submitted = await app.submit({ ...as('ann@t1'), operation: 'report', input: { steps: 2 }, requestId: 'req-1' });
    const ack = value<{ operationId: string; status: string; requestId: string }>(submitted);
    expect(ack).toEqual({ operationId: expect.any(String), status: 'queued', requestId: 'req-1' });
    const running = await until(app, ack.operationId, (record) => record.status === 'running');
    expect(running.startedAt).toEqual(expect.any(String));
    await new Promise<void>((resolve) => (gates.length > 0 ? resolve() : queueMicrotask(resolve)));
    const progressed = until(app, ack.operationId, (record) => record.progress?.current === 1);
    gates.shift()!();
    expect((await progressed).progress).toEqual({ current: 1, total: 2, message: 'step 1' });
    const finished = until(app, ack.operationId, (record) => record.status === 'succeeded');
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
    expect((await finished).result).toEqual({ steps: 2 });
    expect(seen).toEqual([{ principal: 'ann', tenant: 't1', requestId: 'req-1' }]);
    const got = value<JobRecord>(await app.jobs.get(as('ann@t1'), ack.operationId));
    expect(got).toMatchObject({ operationId: ack.operationId, operation: 'report', status: 'succeeded', result: { steps: 2 } });
    expect(got.finishedAt).toEqual(expect.any(String));
    expect(audit.filter((entry) => entry.operation === 'report')).toEqual([
      { operation: 'report', ok: true, phase: 'submitted', operationId: ack.operationId },
      { operation: 'report', ok: true, phase: 'completed', operationId: ack.operationId },
    ]);
    expect(warnings.filter((line) => line.includes('lost on restart'))).toHaveLength(1);
  });

  it('says once that in-process jobs are lost on restart: when a server starts, or at an in-process caller\'s first job', async () => {
    const lost = (warnings: string[]) => warnings.filter((line) => line.includes('lost on restart')).length;
    const command = build();
    apps.push(command.app);
    await command.app.ready();
    await command.app.jobs.list(command.as('ann@t1'));
    expect(lost(command.warnings)).toBe(0);
    for (let i = 0; i < 2; i++) await command.app.submit({ ...command.as('ann@t1'), operation: 'report', input: { steps: 1 } });
    expect(lost(command.warnings)).toBe(1);
    const server = build();
    apps.push(server.app);
    await server.app.start();
    expect(lost(server.warnings)).toBe(1);
    await server.app.submit({ ...server.as('ann@t1'), operation: 'report', input: { steps: 1 } });
    expect(lost(server.warnings)).toBe(1);
  });

  it('refuses invalid input at submission, queueing nothing', async () => {
    const { app, as } = build();
    apps.push(app);
    const result = await app.submit({ ...as('ann@t1'), operation: 'report', input: { steps: 0 } });
    expect(result.ok ? 'ok' : result.error.code).toBe('INVALID_INPUT');
    expect(value<{ operations: unknown[] }>(await app.jobs.list(as('ann@t1'))).operations).toEqual([]);
  });

  it('shows a job only to its submitter in its tenant and that tenant\'s admin; others get NOT_FOUND', async () => {
    const { app, as } = build();
    apps.push(app);
    const { operationId } = value<{ operationId: string }>(await app.submit({ ...as('ann@t1'), operation: 'report', input: { steps: 1 } }));
    for (const stranger of ['bob@t1', 'ann@t2', 'root@t2:admin']) {
      for (const result of [await app.jobs.get(as(stranger), operationId), await app.jobs.cancel(as(stranger), operationId)]) {
        expect(result.ok ? 'ok' : result.error.code).toBe('NOT_FOUND');
      }
      expect(value<{ operations: unknown[] }>(await app.jobs.list(as(stranger))).operations).toEqual([]);
    }
    expect(value<JobRecord>(await app.jobs.get(as('root@t1:admin'), operationId)).operationId).toBe(operationId);
    expect(value<{ operations: JobRecord[] }>(await app.jobs.list(as('ann@t1'))).operations.map((job) => job.operationId)).toEqual([operationId]);
    const unknown = await app.jobs.get(as('ann@t1'), 'no-such-id');
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('NOT_FOUND');
  });

  it('lists for a tenant\'s admin every job of that tenant (as get shows them), never another tenant\'s', async () => {
    const { app, as } = build();
    apps.push(app);
    const submit = async (token: string) => value<{ operationId: string }>(await app.submit({ ...as(token), operation: 'report', input: { steps: 1 } })).operationId;
    const ann = await submit('ann@t1');
    const bob = await submit('bob@t1');
    const other = await submit('cy@t2');
    const listed = async (token: string) => value<{ operations: JobRecord[] }>(await app.jobs.list(as(token))).operations.map((job) => job.operationId);
    expect(await listed('root@t1:admin')).toEqual([bob, ann]);
    for (const id of [bob, ann]) expect((await app.jobs.get(as('root@t1:admin'), id)).ok).toBe(true);
    expect(await listed('ann@t1')).toEqual([ann]);
    expect(await listed('bob@t1')).toEqual([bob]);
    expect(await listed('root@t2:admin')).toEqual([other]);
  });

  it('keeps the job id and what was done in the audit of every lookup and cancel, refused ones too', async () => {
    const { app, as, audit } = build();
    apps.push(app);
    const { operationId } = value<{ operationId: string }>(await app.submit({ ...as('ann@t1'), operation: 'report', input: { steps: 1 } }));
    audit.length = 0;
    await app.jobs.get(as('ann@t1'), operationId);
    await app.jobs.get(as('bob@t1'), operationId);
    await app.jobs.cancel(as('bob@t1'), operationId);
    await app.jobs.cancel(as('ann@t1'), operationId);
    await app.jobs.get({ channel: 'test' }, operationId);
    await app.jobs.list(as('ann@t1'));
    expect(audit.filter((entry) => entry.operation === '$route')).toEqual([
      { operation: '$route', ok: true, phase: 'lookup', operationId },
      { operation: '$route', ok: false, phase: 'lookup', operationId },
      { operation: '$route', ok: false, phase: 'cancel', operationId },
      { operation: '$route', ok: true, phase: 'cancel', operationId },
      { operation: '$route', ok: false, phase: 'lookup', operationId },
      { operation: '$route', ok: true },
    ]);
  });

  it('cancels a running job through ctx.signal; cancelling a finished one is CONFLICT', async () => {
    const { app, as, audit } = build();
    apps.push(app);
    const { operationId } = value<{ operationId: string }>(await app.submit({ ...as('ann@t1'), operation: 'report', input: { steps: 1 } }));
    await until(app, operationId, (record) => record.status === 'running');
    const cancelled = value<JobRecord>(await app.jobs.cancel(as('ann@t1'), operationId));
    expect(cancelled.status).toBe('cancelled');
    while (!audit.some((entry) => entry.phase === 'completed')) await new Promise((resolve) => setImmediate(resolve));
    expect(value<JobRecord>(await app.jobs.get(as('ann@t1'), operationId)).status).toBe('cancelled');
    const again = await app.jobs.cancel(as('ann@t1'), operationId);
    expect(again.ok ? 'ok' : [again.error.code, again.error.status]).toEqual(['CONFLICT', 409]);
  });

  it('stores a failing handler\'s problem object with the detail hidden, as for a synchronous call', async () => {
    const { app, as } = build();
    apps.push(app);
    const { operationId } = value<{ operationId: string }>(await app.submit({ ...as('ann@t1'), operation: 'boom', input: {} }));
    const failed = await until(app, operationId, (record) => record.status === 'failed');
    expect(failed.error).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(JSON.stringify(failed)).not.toContain('password');
  });

  it('has a waiting read look again once the store hears the job, so an end between its read and the subscription is not missed', async () => {
    const memory = createMemoryJobPort();
    let activate!: () => void;
    const activated = new Promise<void>((resolve) => (activate = resolve));
    let subscribed!: () => void;
    const waiting = new Promise<void>((resolve) => (subscribed = resolve));
    let reads = 0;
    // A store whose subscriptions take effect late (as over a network) and hear nothing until then.
    const port: JobPort = {
      ...memory,
      get: (id) => {
        reads++;
        return memory.get(id);
      },
      subscribe(id, listener, onActive) {
        let live = false;
        const stop = memory.subscribe(id, (record) => (live ? listener(record) : undefined));
        subscribed();
        void activated.then(() => {
          live = true;
          onActive?.();
        });
        return stop;
      },
    };
    const { app, as, gates } = build(port);
    apps.push(app);
    const { operationId } = value<{ operationId: string }>(await app.submit({ ...as('ann@t1'), operation: 'report', input: { steps: 1 } }));
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const read = app.jobs.get(as('ann@t1'), operationId, { waitMs: 30_000 });
    await waiting;
    const ended = new Promise<void>((resolve) => {
      const stop = memory.subscribe(operationId, (record) => (record.status === 'succeeded' ? (stop(), resolve()) : undefined));
    });
    gates.shift()!();
    await ended;
    // Only the caller's own read so far: reading before the store hears the job proves nothing.
    expect(reads).toBe(1);
    activate();
    expect(value<JobRecord>(await read).status).toBe('succeeded');
  });

  it('answers UNAVAILABLE when the store refuses a submission', async () => {
    const port = { ...createMemoryJobPort(), submit: () => Promise.reject(new Error('ECONNREFUSED')) } as JobPort;
    const { app, as } = build(port);
    apps.push(app);
    const result = await app.submit({ ...as('ann@t1'), operation: 'boom', input: {} });
    expect(result.ok ? 'ok' : result.error.code).toBe('UNAVAILABLE');
  });

  it('accepts positional and object progress on every call; nobody listening is a no-op', async () => {
    const app = new Nexus({ logger: silent() });
    apps.push(app);
    app.handler('p', { description: 'p', input: z.object({}) }, (_input, ctx) => {
      ctx.progress({ current: 1, total: 2 });
      ctx.progress(2, 2, 'done');
      return {};
    });
    const updates: unknown[] = [];
    expect((await app.invoke({ channel: 'test', operation: 'p', onProgress: (...args) => updates.push(args) })).ok).toBe(true);
    expect(updates).toEqual([[1, 2, undefined], [2, 2, 'done']]);
    expect((await app.invoke({ channel: 'test', operation: 'p' })).ok).toBe(true);
  });

  it('exposes nexus_jobs{state}, nexus_job_duration_seconds and a jobs health check', async () => {
    const { app, as } = build();
    apps.push(app);
    const { operationId } = value<{ operationId: string }>(await app.submit({ ...as('ann@t1'), operation: 'boom', input: {} }));
    await until(app, operationId, (record) => record.status === 'failed');
    const text = await app.metrics.registry.metrics();
    expect(text).toContain('nexus_jobs{state="failed"} 1');
    expect(text).toContain('nexus_job_duration_seconds_count{operation="boom"} 1');
    expect((await app.healthCheck()).checks.jobs?.status).toBe('healthy');
  });
});
