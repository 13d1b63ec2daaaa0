import assert from 'node:assert/strict';
import { z } from 'zod';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { InvocationResult } from '../invocation.js';
import type { JobListAnswer, JobListPage } from '../jobs/cursor.js';
import type { JobPort } from '../jobs/types.js';
import { silentLogger } from '../logger.js';
import { Nexus } from '../nexus.js';
import type { TestApi } from './conformance.js';

export interface JobPagesConformanceOptions {
  /** Defaults to the runner's globals. */
  readonly test?: TestApi;
}

/** An app listing jobs from `port` (worked nowhere, so they stay queued); tokens read `<principal>@<tenant>[:admin]`. */
function pagesApp(port: JobPort) {
  const app = new Nexus({ logger: silentLogger, drainTimeoutMs: 200 });
  app.use('authenticate', async (ctx, next) => {
    if (ctx.credential.kind !== 'bearer') throw new UnauthenticatedError();
    const [id, rest] = ctx.credential.token.split('@') as [string, string];
    const [tenant, role] = rest.split(':');
    return next({ principal: { id, roles: role ? [role] : [], permissions: [], claims: {} }, tenant: { id: tenant!, source: 'claim' } });
  });
  app.authorize((ctx, operation) => {
    if (operation.permission === 'admin:operations' && !ctx.principal?.roles.includes('admin')) throw new ForbiddenError();
  });
  app.handler('slow', { description: 'Queued only', longRunning: true, input: z.object({}) }, async () => ({}));
  app.configureJobs({ port, worker: false });
  const as = (token: string) => ({ channel: 'test', credential: { kind: 'bearer' as const, token } });
  const submit = async (token: string) => {
    const result = await app.submit({ ...as(token), operation: 'slow', input: {} });
    assert.ok(result.ok, 'submission refused');
    return (result.value as { operationId: string }).operationId;
  };
  const list = (token: string, page: JobListPage = {}) => app.jobs.list(as(token), page);
  return { app, submit, list };
}

function pageOf(result: InvocationResult): JobListAnswer {
  assert.ok(result.ok, result.ok ? '' : `refused ${result.error.code}: ${result.error.message}`);
  return result.value as JobListAnswer;
}

const codeOf = (result: InvocationResult) => (result.ok ? 'ok' : result.error.code);
const ids = (page: JobListAnswer) => page.operations.map((job) => job.operationId);

/**
 * The paging every job port gives the app's list: pages of at most 100 newest first, a cursor
 * stable under new submissions, bound to the listing it came from, and refused when malformed.
 * `makePort` returns a fresh, empty store each time (a unique queue for a shared backend).
 */
export function runJobPagesConformance(name: string, makePort: () => JobPort, options: JobPagesConformanceOptions = {}): void {
  const t = options.test ?? (globalThis as unknown as TestApi);
  t.describe(`job list pages: ${name}`, () => {
    let app: ReturnType<typeof pagesApp>;
    const mine: string[] = [];
    t.beforeAll(async () => {
      app = pagesApp(makePort());
      for (let i = 0; i < 250; i++) mine.push(await app.submit('ann@t1'));
      await app.submit('bob@t1');
      await app.submit('cy@t2');
    }, 60_000);
    t.afterAll(async () => {
      await app.app.stop();
    });

    t.it('pages 250 jobs as 100, 100 and 50, newest first, each once; a job submitted meanwhile shifts no later page', async () => {
      const first = pageOf(await app.list('ann@t1'));
      assert.equal(first.operations.length, 100);
      assert.ok(first.nextCursor);
      const late = await app.submit('ann@t1');
      const second = pageOf(await app.list('ann@t1', { cursor: first.nextCursor }));
      assert.equal(second.operations.length, 100);
      const third = pageOf(await app.list('ann@t1', { cursor: second.nextCursor! }));
      assert.equal(third.operations.length, 50);
      assert.equal(third.nextCursor, undefined);
      const pages = [...first.operations, ...second.operations, ...third.operations];
      const seen = pages.map((job) => job.operationId);
      assert.equal(new Set(seen).size, 250);
      assert.deepEqual([...seen].sort(), [...mine].sort());
      // Newest first across pages; jobs of one millisecond may come in any fixed order.
      for (let i = 1; i < pages.length; i++) assert.ok(Date.parse(pages[i - 1]!.createdAt) >= Date.parse(pages[i]!.createdAt));
      assert.equal(ids(pageOf(await app.list('ann@t1', { limit: 1 })))[0], late);
    });

    t.it('pages by the limit asked for; the last page says no next cursor', async () => {
      const sizes: number[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = pageOf(await app.list('ann@t1', { limit: 60, ...(cursor === undefined ? {} : { cursor }) }));
        sizes.push(page.operations.length);
        for (const id of ids(page)) seen.add(id);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      assert.deepEqual(sizes, [60, 60, 60, 60, 11]);
      assert.equal(seen.size, 251);
    });

    t.it('lets nobody else read with a cursor: another principal or tenant, or a plain caller with an admin\'s, is refused', async () => {
      const cursor = pageOf(await app.list('ann@t1', { limit: 5 })).nextCursor!;
      for (const other of ['bob@t1', 'ann@t2', 'root@t2:admin', 'root@t1:admin']) {
        assert.equal(codeOf(await app.list(other, { cursor })), 'INVALID_INPUT', other);
      }
      assert.equal(pageOf(await app.list('bob@t1')).operations.length, 1);
      const admin = pageOf(await app.list('root@t1:admin', { limit: 100 }));
      assert.equal(codeOf(await app.list('ann@t1', { cursor: admin.nextCursor! })), 'INVALID_INPUT');
      const rest = pageOf(await app.list('root@t1:admin', { cursor: admin.nextCursor! }));
      assert.equal(rest.operations.length, 100);
    });

    t.it('refuses a malformed cursor or a limit outside 1-100 as INVALID_INPUT', async () => {
      const good = pageOf(await app.list('ann@t1', { limit: 1 })).nextCursor!;
      const [version, scope, ms, id] = JSON.parse(Buffer.from(good, 'base64url').toString()) as [number, string, number, string];
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const cursors = ['', 'x', '!!!', 'a'.repeat(600), good.slice(0, -3), encode({}), encode([version + 1, scope, ms, id]), encode([version, scope, 'now', id]), encode([version, scope, ms, 7])];
      for (const cursor of cursors) assert.equal(codeOf(await app.list('ann@t1', { cursor })), 'INVALID_INPUT', cursor);
      for (const limit of [0, 101, 1.5, Number.NaN]) assert.equal(codeOf(await app.list('ann@t1', { limit })), 'INVALID_INPUT', String(limit));
    });
  });
}
