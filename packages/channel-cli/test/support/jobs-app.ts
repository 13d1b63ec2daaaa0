import { ForbiddenError, Nexus, silentLogger } from '@nexus/core';
import type { JobRecord } from '@nexus/core';
import { z } from 'zod';

/**
 * An app with a long-running `report` whose runs the test holds and releases, and an ordinary
 * `echo`. Token `user:tenant` stands in for authentication; `root` administers its tenant's jobs.
 */
export function createJobsApp() {
  const app = new Nexus({ logger: silentLogger, drainTimeoutMs: 500 });
  const held = new Map<string, () => void>();
  app.use('authenticate', (ctx, next) => {
    if (ctx.credential.kind !== 'bearer') return next();
    const [id = '', tenant = ''] = ctx.credential.token.split(':');
    return next({ principal: { id, roles: [], permissions: [], claims: {} }, tenant: { id: tenant, source: 'claim' } });
  });
  // Without an authorizer every caller would hold every permission, seeing jobs as a tenant admin does.
  app.authorize((ctx, operation) => {
    if (operation.permission === 'admin:operations' && ctx.principal?.id !== 'root') throw new ForbiddenError();
  });
  app.handler('echo', { description: 'Echoes.', input: z.object({ message: z.string() }) }, ({ message }) => ({ message }));
  app.handler('report', {
    description: 'A slow report.',
    longRunning: true,
    input: z.object({ tag: z.string(), hold: z.boolean().optional(), fail: z.boolean().optional() }),
  }, async ({ tag, hold, fail }, ctx) => {
    ctx.progress({ current: 1, total: 4, message: 'counting' });
    if (hold) {
      await new Promise<void>((resolve, reject) => {
        held.set(tag, resolve);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
    }
    ctx.progress({ current: 4, total: 4, message: 'done' });
    if (fail) throw new Error('secret internal detail');
    return { tag };
  });

  /** Resolves with the record of the job with `tag` once `done` holds for it (events from the store, no sleeps). */
  const until = (operationId: string, done: (record: JobRecord) => boolean): Promise<JobRecord> =>
    new Promise((resolve) => {
      const check = (record: JobRecord | undefined) => {
        if (record !== undefined && done(record)) {
          unsubscribe();
          resolve(record);
        }
      };
      const unsubscribe = app.jobs.subscribe(operationId, check);
      void app.jobs.store.get(operationId).then((job) => check(job?.record));
    });
  /** Resolves once the run of `tag` is held inside the handler. */
  const whenHeld = async (tag: string): Promise<void> => {
    while (!held.has(tag)) await new Promise((resolve) => setImmediate(resolve));
  };
  const release = (tag: string) => held.get(tag)?.();
  return { app, until, whenHeld, release };
}
