import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { redisAvailable } from '../support/redis.js';
import { mint, newSecret } from '../support/tokens.js';
import { underCI } from '../support/ci.js';
import { jobDeployment } from '../support/worker-processes.js';

const available = await redisAvailable();
const describeWithRedis = available || underCI() ? describe : describe.skip;
const secret = newSecret();
// A queue of this run's own, so no other server on the same Redis takes these jobs.
const deployment = jobDeployment('e2e-jobs', secret);
const WORKERS = ['w1', 'w2'];

describeWithRedis('one API instance and two --worker processes on one Redis', () => {
  let api: AppProcess;
  let workers: Array<Awaited<ReturnType<typeof deployment.startWorker>>>;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${mint(secret, 'eve', ['executive'], 'acme')}` };

  beforeAll(async () => {
    expect(available).toBe(true);
    [api, ...workers] = await Promise.all([startApp({ ...deployment.env('api'), NEXUS_JOBS_WORKER: '0' }), deployment.startWorker('w1'), deployment.startWorker('w2')]) as [AppProcess, ...Array<Awaited<ReturnType<typeof deployment.startWorker>>>];
  }, 30_000);
  afterAll(async () => {
    for (const worker of workers ?? []) worker.kill('SIGTERM');
    await api?.stop();
    await killAll();
    deployment.removeAudit(['api', ...WORKERS]);
  });

  const submit = async (inputs: unknown): Promise<string> => {
    const response = await fetch(`${api.api}/workflows/tenant_report/execute`, { method: 'POST', headers, body: JSON.stringify({ inputs }) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { operationId: string }).operationId;
  };
  const statusOf = async (id: string): Promise<{ status: string }> => (await (await fetch(`${api.api}/operations/${id}`, { headers })).json()) as { status: string };
  const settled = async (ids: readonly string[], done: (status: string) => boolean): Promise<string[]> => {
    for (;;) {
      const statuses = await Promise.all(ids.map(async (id) => (await statusOf(id)).status));
      if (statuses.every(done)) return statuses;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const final = (status: string) => ['succeeded', 'failed', 'cancelled'].includes(status);

  it('completes 50 jobs submitted over HTTP exactly once each, shared by both workers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await submit({ days: i + 1, delay_ms: 20 }));
    expect(await settled(ids, final)).toEqual(ids.map(() => 'succeeded'));
    const { w1, w2 } = await deployment.completionsOf(WORKERS, ids, 50);
    const runs = [...w1!, ...w2!];
    expect(runs).toHaveLength(50);
    expect(new Set(runs).size).toBe(50);
    expect(deployment.completions('api')).toHaveLength(0);
  }, 120_000);

  it('hides a job from a second principal and from its submitter in another tenant (404 on GET and DELETE, absent from the list); the tenant admin lists it', async () => {
    const id = await submit({ days: 2, delay_ms: 1_000 });
    const as = (subject: string, roles: string[], tenant: string) => ({ authorization: `Bearer ${mint(secret, subject, roles, tenant)}` });
    const outsiders = { 'another principal': as('fay', ['executive'], 'acme'), 'the submitter in another tenant': as('eve', ['executive'], 'globex') };
    for (const [who, outsider] of Object.entries(outsiders)) {
      const read = await fetch(`${api.api}/operations/${id}`, { headers: outsider });
      const cancel = await fetch(`${api.api}/operations/${id}`, { method: 'DELETE', headers: outsider });
      const list = (await (await fetch(`${api.api}/operations`, { headers: outsider })).json()) as { operations: Array<{ operationId: string }> };
      expect({ who, read: read.status, cancel: cancel.status, listed: list.operations.some((job) => job.operationId === id) }).toEqual({ who, read: 404, cancel: 404, listed: false });
      expect(await read.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
    const unknown = await fetch(`${api.api}/operations/${randomUUID()}`, { headers });
    expect(unknown.status).toBe(404);
    // The tenant's admin sees it, by id and in the list; another tenant's admin does not; the refused cancels changed nothing.
    const listedBy = async (outsider: Record<string, string>) => ((await (await fetch(`${api.api}/operations`, { headers: outsider })).json()) as { operations: Array<{ operationId: string }> }).operations.map((job) => job.operationId);
    expect((await fetch(`${api.api}/operations/${id}`, { headers: as('ada', ['admin'], 'acme') })).status).toBe(200);
    expect(await listedBy(as('ada', ['admin'], 'acme'))).toContain(id);
    expect(await listedBy(as('ada', ['admin'], 'globex'))).not.toContain(id);
    expect(await settled([id], final)).toEqual(['succeeded']);
    const own = (await (await fetch(`${api.api}/operations`, { headers })).json()) as { operations: Array<{ operationId: string }> };
    expect(own.operations.map((job) => job.operationId)).toContain(id);
  }, 60_000);

  it('runs a job of a worker killed with SIGKILL again on the other worker', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await submit({ days: 30, delay_ms: 3_000 }));
    // Four running on each worker (concurrency 4), then w1 dies mid-job.
    await settled(ids, (status) => status === 'running');
    workers[0]!.kill('SIGKILL');
    await workers[0]!.exited;
    expect(await settled(ids, final)).toEqual(ids.map(() => 'succeeded'));
    const { w1, w2 } = await deployment.completionsOf(WORKERS, ids, 8);
    expect({ w1: w1!.length, w2: w2!.length }).toEqual({ w1: 0, w2: 8 });
  }, 120_000);
});
