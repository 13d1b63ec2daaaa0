import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { OwnRedis } from '../support/own-redis.js';
import { REDIS_ENV, redisAvailable } from '../support/redis.js';
import { mint, newSecret } from '../support/tokens.js';
import { startWorker } from '../support/workers.js';
import type { WorkerProcess } from '../support/workers.js';
import { underCI } from '../support/ci.js';

const available = await redisAvailable();
const describeWithRedis = available || underCI() ? describe : describe.skip;
const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const describeWithOwnRedis = hasRedisServer || underCI() ? describe : describe.skip;
const secret = newSecret();
const run = randomUUID().slice(0, 8);
const auditOf = (name: string) => join(tmpdir(), `nexus-jobs-faults-${run}-${name}.audit`);
const final = (status: string) => ['succeeded', 'failed', 'cancelled'].includes(status);
const bearer = (subject: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${mint(secret, subject, ['executive'], 'acme')}` });

/** The environment of every process of one deployment: its own queue, audit file per process. */
function deployment(redis: Record<string, string>, queue: string) {
  return (name: string, extra: Record<string, string> = {}) => ({ NEXUS_JWT_SECRET: secret, ...redis, NEXUS_JOBS_QUEUE: queue, NEXUS_AUDIT_FILE: auditOf(name), NEXUS_DRAIN_DELAY_MS: '0', ...extra });
}

/** Completion audit records (one per run of a job) a process wrote. */
function completions(name: string): string[] {
  let text = '';
  try {
    text = readFileSync(auditOf(name), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { phase?: string; operationId: string }).filter((record) => record.phase === 'completed').map((record) => record.operationId);
}

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** HTTP helpers against one API process. */
function client(api: () => AppProcess) {
  const submit = (subject: string, inputs: unknown) => fetch(`${api().api}/workflows/tenant_report/execute`, { method: 'POST', headers: bearer(subject), body: JSON.stringify({ inputs }) });
  const submitted = async (subject: string, inputs: unknown): Promise<string> => {
    const response = await submit(subject, inputs);
    expect(response.status).toBe(202);
    return ((await response.json()) as { operationId: string }).operationId;
  };
  const get = async (subject: string, id: string) => (await (await fetch(`${api().api}/operations/${id}`, { headers: bearer(subject) })).json()) as { status: string; result?: unknown };
  const list = async (subject: string) => ((await (await fetch(`${api().api}/operations`, { headers: bearer(subject) })).json()) as { operations: Array<{ operationId: string }> }).operations.map((job) => job.operationId);
  const reaches = (subject: string, id: string, done: (status: string) => boolean) => until(() => get(subject, id), (job) => done(job.status));
  return { submit, submitted, get, list, reaches };
}

afterAll(async () => {
  await killAll();
  for (const name of ['api', 'w1', 'w2', 'drain', 'drain-w', 'outage-api', 'outage-w']) rmSync(auditOf(name), { force: true });
});

describeWithRedis('a --worker process on SIGTERM', () => {
  const env = deployment(REDIS_ENV, `e2e-sigterm-${run}`);
  let api: AppProcess;
  const workers: WorkerProcess[] = [];
  const http = client(() => api);

  beforeAll(async () => {
    expect(available).toBe(true);
    api = await startApp(env('api', { NEXUS_JOBS_WORKER: '0' }));
  }, 30_000);
  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await api?.stop();
  });

  it('finishes its running job (result written once), takes no new job, then exits 0', async () => {
    const first = await startWorker(env('w1', { NEXUS_WORKER_CONCURRENCY: '2' }));
    workers.push(first);
    const running = await http.submitted('eve', { days: 3, delay_ms: 3_000 });
    await http.reaches('eve', running, (status) => status === 'running');
    first.kill('SIGTERM');
    await first.logged('"stopping"');
    // A free slot stays free: the stopping worker must not take this one.
    const later = await http.submitted('eve', { days: 4 });
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(await http.get('eve', running)).toMatchObject({ status: 'succeeded', result: { tenant_id: 'acme', days: 3, records: 72 } });
    expect((await http.get('eve', later)).status).toBe('queued');
    expect(completions('w1')).toEqual([running]);

    // The job it left queued runs on the next worker, and the finished one never runs again.
    const second = await startWorker(env('w2'));
    workers.push(second);
    expect((await http.reaches('eve', later, final)).status).toBe('succeeded');
    expect(completions('w2')).toEqual([later]);
    expect(completions('w1')).toEqual([running]);
  }, 90_000);
});

describeWithRedis('a server that works jobs, on SIGTERM with a drain delay', () => {
  const env = deployment(REDIS_ENV, `e2e-drain-${run}`);

  it('takes no new job from its first moment of stopping; its running job finishes; a worker that stays runs the one submitted meanwhile', async () => {
    // The delay keeps the listener accepting while the process stops: the submission lands in it.
    const server = await startApp(env('drain', { NEXUS_DRAIN_DELAY_MS: '5000' }));
    const http = client(() => server);
    const running = await http.submitted('eve', { days: 3, delay_ms: 1_000 });
    await http.reaches('eve', running, (status) => status === 'running');
    const exit = server.stop('SIGTERM');
    await until(() => server.stderr(), (text) => text.includes('"stopping"'));
    const later = await http.submitted('eve', { days: 4 });
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(completions('drain')).toEqual([running]);

    const worker = await startWorker(env('drain-w'));
    try {
      await until(() => completions('drain-w'), (ids) => ids.includes(later));
      expect(completions('drain-w')).toEqual([later]);
      expect(completions('drain')).toEqual([running]);
    } finally {
      worker.kill('SIGKILL');
    }
  }, 90_000);
});

describeWithOwnRedis('jobs while their Redis is down (a redis-server of the test\'s own)', () => {
  let redis: OwnRedis;
  let api: AppProcess;
  let worker: WorkerProcess;
  const http = client(() => api);

  beforeAll(async () => {
    expect(hasRedisServer).toBe(true);
    redis = await OwnRedis.start();
    const env = deployment({ REDIS_URL: redis.url, NEXUS_REDIS_COMMAND_TIMEOUT_MS: '1000' }, 'nexus-jobs');
    [api, worker] = await Promise.all([startApp(env('outage-api', { NEXUS_JOBS_WORKER: '0' })), startWorker(env('outage-w', { NEXUS_WORKER_CONCURRENCY: '1' }))]);
  }, 30_000);
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await api?.stop();
    await redis?.stop();
  });

  it('finishes a job that runs while Redis is down and writes its result once Redis is back', async () => {
    const id = await http.submitted('eve', { days: 5, delay_ms: 2_000 });
    await http.reaches('eve', id, (status) => status === 'running');
    await redis.kill();
    // The handler ends during the outage: its completion is audited by the worker at once.
    await until(() => completions('outage-w'), (ids) => ids.includes(id));
    await redis.start();
    expect(await http.reaches('eve', id, final)).toMatchObject({ status: 'succeeded', result: { tenant_id: 'acme', days: 5, records: 120 } });
    expect(completions('outage-w').filter((done) => done === id)).toHaveLength(1);
  }, 90_000);

  it('answers 503 UNAVAILABLE to a submission while Redis is down, and queues nothing', async () => {
    await redis.kill();
    const refused = await http.submit('sam', { days: 6 });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    await redis.start();
    const id = await http.submitted('sam', { days: 7 });
    expect((await http.reaches('sam', id, final)).status).toBe('succeeded');
    expect(await http.list('sam')).toEqual([id]);
  }, 90_000);

  it('answers 503 UNAVAILABLE while Redis does not answer, and that submission never runs once it answers again', async () => {
    const before = completions('outage-w').length;
    redis.freeze();
    try {
      const refused = await http.submit('tom', { days: 8 });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    } finally {
      redis.thaw();
    }
    // Whatever of the refused submission reached Redis late sits ahead of this one in the queue.
    const id = await http.submitted('tom', { days: 9 });
    expect((await http.reaches('tom', id, final)).status).toBe('succeeded');
    expect(await http.list('tom')).toEqual([id]);
    expect(completions('outage-w').slice(before)).toEqual([id]);
  }, 90_000);
});
