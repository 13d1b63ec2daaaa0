import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, silentLogger } from '@nexus/core';
import type { JobRecord } from '@nexus/core';
import { testAuth, token } from './fixtures.js';
import { startApi } from './http-driver.js';

let app: Nexus;
let base: string;

const as = (id: string, tenant = 't1') => ({ authorization: `Bearer ${token(id, ['execute:report'], [], tenant)}` });
const ann = as('ann');

interface Page { operations: JobRecord[]; nextCursor?: string }

beforeAll(async () => {
  app = new Nexus({ logger: silentLogger, drainTimeoutMs: 500 });
  app.addPlugin(testAuth());
  app.handler('report', { description: 'Slow.', longRunning: true, input: z.object({}) }, async () => ({}));
  // Worked nowhere: the jobs stay queued while they are paged.
  app.configureJobs({ worker: false });
  ({ base } = await startApi(app));
});
afterAll(() => app.stop());

async function submit(headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${base}/workflows/report/execute`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"inputs":{}}' });
  expect(response.status).toBe(202);
  return ((await response.json()) as { operationId: string }).operationId;
}
const get = (path: string, headers: Record<string, string> = ann) => fetch(`${base}${path}`, { headers });

describe('GET /operations pages', () => {
  const submitted: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 250; i++) submitted.push(await submit(ann));
    await submit(as('bob'));
  }, 60_000);

  it('pages 250 jobs as 100, 100, 50 by nextCursor and Link rel="next"; a job submitted between pages moves none', async () => {
    const first = await get('/operations');
    const firstPage = (await first.json()) as Page;
    expect(firstPage.operations).toHaveLength(100);
    expect(first.headers.get('link')).toBe(`</operations?cursor=${firstPage.nextCursor}>; rel="next"`);
    const late = await submit(ann);
    const second = await get(first.headers.get('link')!.slice(1, first.headers.get('link')!.indexOf('>')));
    const secondPage = (await second.json()) as Page;
    const third = (await (await get(`/operations?cursor=${secondPage.nextCursor}`)).json()) as Page;
    expect([secondPage.operations.length, third.operations.length]).toEqual([100, 50]);
    expect(third.nextCursor).toBeUndefined();
    const seen = [...firstPage.operations, ...secondPage.operations, ...third.operations].map((job) => job.operationId);
    expect(seen).toEqual([...submitted].reverse());
    expect(seen).not.toContain(late);
  });

  it('keeps the limit asked for in the next link, and leaves out Link and nextCursor on the last page', async () => {
    expect((await get('/operations?limit=100')).status).toBe(200);
    const small = await get('/operations?limit=2');
    const page = (await small.json()) as Page;
    expect(page.operations).toHaveLength(2);
    expect(small.headers.get('link')).toBe(`</operations?limit=2&cursor=${page.nextCursor}>; rel="next"`);
    const bob = await get('/operations', as('bob'));
    expect(bob.headers.get('link')).toBeNull();
    expect(Object.keys((await bob.json()) as Page)).toEqual(['operations']);
  });

  it('answers 400 INVALID_INPUT, never a 500, to a malformed cursor or limit and to a cursor of another caller', async () => {
    const { nextCursor } = (await (await get('/operations?limit=1')).json()) as Page;
    const refused = async (path: string, headers = ann) => {
      const response = await get(path, headers);
      return [response.status, ((await response.json()) as { code: string }).code];
    };
    for (const path of ['/operations?cursor=', '/operations?cursor=%%%', '/operations?cursor=bm9wZQ', '/operations?limit=0', '/operations?limit=101', '/operations?limit=ten', '/operations?limit=1&limit=2', `/operations?cursor=${nextCursor}&cursor=${nextCursor}`]) {
      expect([path, ...(await refused(path))]).toEqual([path, 400, 'INVALID_INPUT']);
    }
    for (const other of [as('bob'), as('ann', 't2')]) expect(await refused(`/operations?cursor=${nextCursor}`, other)).toEqual([400, 'INVALID_INPUT']);
  });
});
