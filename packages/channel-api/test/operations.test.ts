import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { JobRecord } from '@nexus/core';
import { testAuth, token } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;
const release: Array<() => void> = [];
const started: string[] = [];

/** Bearer headers; `report` needs execute:report, the admin of t1 holds `*`. */
const as = (id: string, tenant = 't1', permissions = ['execute:report', 'execute:echo']) => ({ authorization: `Bearer ${token(id, permissions, [], tenant)}` });
const owner = as('ann');

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger, drainTimeoutMs: 500 });
  app.addPlugin(testAuth());
  app.handler('echo', { description: 'Echoes.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
  app.handler('report', { description: 'Slow.', longRunning: true, input: z.object({ hold: z.boolean() }) }, async ({ hold }, ctx) => {
    started.push(ctx.requestId);
    ctx.progress({ current: 1, total: 2, message: 'started' });
    if (hold) await new Promise<void>((resolve, reject) => {
      release.push(resolve);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return { done: true };
  });
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

const submit = (name: string, inputs: unknown, headers: Record<string, string>) =>
  fetch(`${base}/workflows/${name}/execute`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ inputs }) });
const get = (path: string, headers: Record<string, string>, method = 'GET') => fetch(`${base}${path}`, { method, headers });

/** Polls the status route (over the socket, as a client would) until `done`; no sleeps. */
async function until(location: string, done: (record: JobRecord) => boolean): Promise<JobRecord> {
  for (;;) {
    const record = (await (await get(location, owner)).json()) as JobRecord;
    if (done(record)) return record;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('long-running operations over HTTP', () => {
  it('marks a long-running operation in the catalogue (list and single) and leaves others unmarked', async () => {
    const listed = (await (await get('/workflows', owner)).json()) as { workflows: Array<{ name: string; longRunning?: boolean }> };
    expect(Object.fromEntries(listed.workflows.map((entry) => [entry.name, entry.longRunning]))).toEqual({ echo: undefined, report: true });
    expect(((await (await get('/workflows/report', owner)).json()) as { longRunning?: boolean }).longRunning).toBe(true);
  });

  it('answers a long-running operation 202 with Location, then serves its status and result', async () => {
    const response = await submit('report', { hold: false }, { ...owner, 'x-request-id': 'job-req-1' });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { operationId: string; status: string; requestId: string };
    expect(body).toEqual({ operationId: expect.any(String), status: 'queued', requestId: 'job-req-1' });
    expect(response.headers.get('location')).toBe(`/operations/${body.operationId}`);
    const record = await until(response.headers.get('location')!, (job) => job.status === 'succeeded');
    expect(record).toMatchObject({ operationId: body.operationId, operation: 'report', result: { done: true }, progress: { current: 1, total: 2, message: 'started' } });
    expect(started).toContain('job-req-1');
    const list = (await (await get('/operations', owner)).json()) as { operations: JobRecord[] };
    expect(list.operations.map((job) => job.operationId)).toContain(body.operationId);
  });

  it('answers a status read with Prefer: wait=N once the job ends, or with the running job after N s', async () => {
    const location = (await submit('report', { hold: true }, owner)).headers.get('location')!;
    await until(location, (job) => job.status === 'running');
    const timedOut = await get(location, { ...owner, prefer: 'wait=1' });
    expect({ status: (await timedOut.json() as JobRecord).status, applied: timedOut.headers.get('preference-applied') }).toEqual({ status: 'running', applied: 'wait=1' });
    const waiting = get(location, { ...owner, prefer: 'wait=20' });
    release.shift()!();
    expect(((await (await waiting).json()) as JobRecord).status).toBe('succeeded');
    // Refused callers wait for nothing: 404 at once.
    expect((await get(location, { ...as('bob'), prefer: 'wait=20' })).status).toBe(404);
  });

  it('runs any operation as a job on Prefer: respond-async, and synchronously without it', async () => {
    const response = await submit('echo', { message: 'later' }, { ...owner, prefer: 'respond-async, wait=10' });
    expect(response.status).toBe(202);
    expect(response.headers.get('preference-applied')).toBe('respond-async');
    const record = await until(response.headers.get('location')!, (job) => job.status === 'succeeded');
    expect(record.result).toEqual({ message: 'later' });
    expect((await submit('echo', { message: 'now' }, owner)).status).toBe(200);
  });

  it('refuses at submission what the pipeline refuses (401, 403, 400), queueing nothing', async () => {
    expect((await submit('report', { hold: false }, {})).status).toBe(401);
    expect((await submit('report', { hold: false }, as('ann', 't1', ['execute:echo']))).status).toBe(403);
    expect((await submit('report', { hold: 'no' }, owner)).status).toBe(400);
  });

  it('answers 404 to another principal, the same principal in another tenant and unknown ids; the tenant admin sees and lists it', async () => {
    const response = await submit('report', { hold: true }, owner);
    const location = response.headers.get('location')!;
    await until(location, (job) => job.status === 'running');
    for (const stranger of [as('bob'), as('ann', 't2'), as('root', 't2', ['*'])]) {
      for (const method of ['GET', 'DELETE']) {
        const refused = await get(location, stranger, method);
        expect([method, refused.status]).toEqual([method, 404]);
        expect(((await refused.json()) as { code: string }).code).toBe('NOT_FOUND');
      }
      expect(((await (await get('/operations', stranger)).json()) as { operations: unknown[] }).operations).toEqual([]);
    }
    expect((await get('/operations/00000000-0000-0000-0000-000000000000', owner)).status).toBe(404);
    expect((await get(location, as('root', 't1', ['*']))).status).toBe(200);
    const adminList = (await (await get('/operations', as('root', 't1', ['*']))).json()) as { operations: JobRecord[] };
    expect(adminList.operations.map((job) => job.operationId)).toContain(location.split('/').pop());
    expect((await get(location, {})).status).toBe(401);
    // Cancel by the owner: the handler's signal aborts; a second cancel finds it finished (409).
    const cancelled = await get(location, owner, 'DELETE');
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as JobRecord).status).toBe('cancelled');
    const again = await get(location, owner, 'DELETE');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('CONFLICT');
  });

  it('de-duplicates a job submission by Idempotency-Key: a retry gets the same operation id and nothing is queued twice', async () => {
    const headers = { ...owner, prefer: 'respond-async', 'idempotency-key': 'report-retry-1' };
    const before = started.length;
    const first = await submit('report', { hold: false }, headers);
    expect(first.status).toBe(202);
    const { operationId } = (await first.json()) as { operationId: string };
    const retry = await submit('report', { hold: false }, headers);
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as { operationId: string }).operationId).toBe(operationId);
    await until(`/operations/${operationId}`, (job) => job.status === 'succeeded');
    expect(started.length - before).toBe(1);
    const list = (await (await get('/operations', owner)).json()) as { operations: JobRecord[] };
    expect(list.operations.filter((job) => job.operationId === operationId)).toHaveLength(1);
    // The same key with other input is a different request, refused rather than queued.
    const mismatch = await submit('report', { hold: true }, headers);
    expect(mismatch.status).toBe(422);
  });
});
