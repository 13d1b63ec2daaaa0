import assert from 'node:assert/strict';
import { z } from 'zod';
import { ForbiddenError, InternalError, NotFoundError } from '../errors.js';
import type { IdempotencyOptions } from '../idempotency/options.js';
import type { IdempotencyStore } from '../idempotency/store.js';
import type { InvocationResult } from '../invocation.js';
import { silentLogger } from '../logger.js';
import { Nexus } from '../nexus.js';
import type { TestApi } from './conformance.js';

export interface IdempotencyConformanceOptions {
  /** A fresh store for each case (its own key prefix, on a shared server). */
  readonly store: () => IdempotencyStore | Promise<IdempotencyStore>;
  readonly test?: TestApi;
}

/** Runs of each handler, observed from outside the pipeline. */
interface Runs {
  count: number;
  peek: number;
  flaky: number;
  refuse: boolean;
}

async function appWith(options: IdempotencyOptions): Promise<{ app: Nexus; runs: Runs; release: () => void }> {
  const app = new Nexus({ logger: silentLogger, idempotency: options });
  const runs: Runs = { count: 0, peek: 0, flaky: 0, refuse: false };
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  // Token `user:tenant` stands in for authentication; the key is scoped by both.
  app.use('authenticate', (ctx, next) => {
    if (ctx.credential.kind !== 'bearer') return next();
    const [id = '', tenant = ''] = ctx.credential.token.split(':');
    return next({ principal: { id, roles: [], permissions: [], claims: {} }, tenant: { id: tenant, source: 'claim' } });
  });
  app.authorize((_ctx, operation) => {
    if (operation.name === 'count' && runs.refuse) throw new ForbiddenError();
  });
  app.handler('count', { description: 'Counts its runs', input: z.object({ n: z.number(), tags: z.record(z.string(), z.string()).optional() }) }, () => ({ run: ++runs.count }));
  app.handler('peek', { description: 'Read-only', input: z.object({}), annotations: { readOnly: true } }, () => ({ run: ++runs.peek }));
  app.handler('flaky', { description: 'Fails once', input: z.object({}) }, () => {
    if (++runs.flaky === 1) throw new InternalError();
    return { run: runs.flaky };
  });
  app.handler('missing', { description: 'Not found', input: z.object({}) }, () => {
    runs.count++;
    throw new NotFoundError('No such customer.');
  });
  app.handler('slow', { description: 'Waits for the test', input: z.object({}) }, async () => {
    await gate;
    return { done: true };
  });
  await app.ready();
  return { app, runs, release };
}

function code(result: InvocationResult): string {
  return result.ok ? 'ok' : result.error.code;
}

/**
 * The idempotency semantics every store must give (the in-memory one, Redis, your own): run it
 * with a factory of fresh stores. Uses node:assert, so any runner's `describe`/`it` fit.
 */
export function runIdempotencyConformance(name: string, options: IdempotencyConformanceOptions): void {
  const test = options.test ?? (globalThis as unknown as TestApi);
  const setup = async () => appWith({ store: await options.store() });
  const call = (app: Nexus, operation: string, input: unknown, key: string | undefined, token = 'ann:acme') =>
    app.invoke({ channel: 'test', operation, input, credential: { kind: 'bearer', token }, transport: key === undefined ? {} : { idempotencyKey: key } });

  test.describe(`idempotency keys (${name})`, () => {
    test.it('a retry with the same key and input gets the stored result without a second run', async () => {
      const { app, runs } = await setup();
      const first = await call(app, 'count', { n: 1, tags: { a: '1', b: '2' } }, 'k-1');
      // Keys in another order are the same input.
      const retry = await call(app, 'count', { tags: { b: '2', a: '1' }, n: 1 }, 'k-1');
      assert.deepEqual(first.ok && first.value, { run: 1 });
      assert.equal(first.annotations.idempotency, undefined);
      assert.deepEqual(retry.ok && retry.value, { run: 1 });
      assert.deepEqual(retry.annotations.idempotency, { replayed: true });
      assert.equal(runs.count, 1);
      assert.deepEqual((await call(app, 'count', { n: 1 }, undefined)).ok, true);
      assert.equal(runs.count, 2, 'calls without a key always run');
    });

    test.it('the same key with another input is IDEMPOTENCY_MISMATCH (422)', async () => {
      const { app, runs } = await setup();
      await call(app, 'count', { n: 1 }, 'k-2');
      const other = await call(app, 'count', { n: 2 }, 'k-2');
      assert.equal(code(other), 'IDEMPOTENCY_MISMATCH');
      assert.equal(!other.ok && other.error.status, 422);
      assert.equal(runs.count, 1);
    });

    test.it('a retry while the first call runs is CONFLICT (409); afterwards it replays', async () => {
      const { app, release } = await setup();
      const first = call(app, 'slow', {}, 'k-3');
      let retry = await call(app, 'slow', {}, 'k-3');
      // The first call may not have reached the store yet: retry until it holds the key.
      for (let tries = 0; code(retry) === 'ok' && tries < 100; tries++) retry = await call(app, 'slow', {}, 'k-3');
      assert.equal(code(retry), 'CONFLICT');
      release();
      assert.equal(code(await first), 'ok');
      assert.deepEqual((await call(app, 'slow', {}, 'k-3')).annotations.idempotency, { replayed: true });
    });

    test.it('another principal or another tenant with the same key is an independent call', async () => {
      const { app, runs } = await setup();
      const results = [await call(app, 'count', { n: 1 }, 'k-4', 'ann:acme'), await call(app, 'count', { n: 1 }, 'k-4', 'bob:acme'), await call(app, 'count', { n: 1 }, 'k-4', 'ann:globex')];
      assert.deepEqual(results.map((result) => result.ok && result.value), [{ run: 1 }, { run: 2 }, { run: 3 }]);
      assert.ok(results.every((result) => result.annotations.idempotency === undefined));
      // And another operation with the same key is another call too.
      assert.equal(code(await call(app, 'peek', {}, 'k-4')), 'ok');
    });

    test.it('read-only operations ignore the key, even a malformed one', async () => {
      const { app, runs } = await setup();
      await call(app, 'peek', {}, 'k-5');
      const again = await call(app, 'peek', {}, 'k-5');
      assert.deepEqual(again.ok && again.value, { run: 2 });
      assert.equal(again.annotations.idempotency, undefined);
      assert.equal(code(await call(app, 'peek', {}, 'x'.repeat(300))), 'ok');
      assert.equal(runs.peek, 3);
    });

    test.it('a failed call (5xx) is not stored, so a retry runs and succeeds', async () => {
      const { app, runs } = await setup();
      assert.equal(code(await call(app, 'flaky', {}, 'k-6')), 'INTERNAL');
      const retry = await call(app, 'flaky', {}, 'k-6');
      assert.deepEqual(retry.ok && retry.value, { run: 2 });
      assert.equal((await call(app, 'flaky', {}, 'k-6')).annotations.idempotency?.replayed, true);
      assert.equal(runs.flaky, 2);
    });

    test.it('a 4xx outcome of the handler is stored and replayed', async () => {
      const { app, runs } = await setup();
      const first = await call(app, 'missing', {}, 'k-7');
      const retry = await call(app, 'missing', {}, 'k-7');
      assert.equal(code(first), 'NOT_FOUND');
      assert.equal(code(retry), 'NOT_FOUND');
      assert.equal(!retry.ok && retry.error.message, 'No such customer.');
      assert.deepEqual(retry.annotations.idempotency, { replayed: true });
      assert.equal(runs.count, 1);
    });

    test.it('refused and invalid calls store nothing', async () => {
      const { app, runs } = await setup();
      runs.refuse = true;
      assert.equal(code(await call(app, 'count', { n: 1 }, 'k-8')), 'FORBIDDEN');
      assert.equal(code(await call(app, 'count', { n: 'one' }, 'k-8')), 'FORBIDDEN');
      runs.refuse = false;
      assert.equal(code(await call(app, 'count', { n: 'one' }, 'k-8')), 'INVALID_INPUT');
      const allowed = await call(app, 'count', { n: 1 }, 'k-8');
      assert.deepEqual(allowed.ok && allowed.value, { run: 1 });
      assert.equal(allowed.annotations.idempotency, undefined);
    });

    test.it('refuses keys that are empty, longer than 255 or not visible ASCII with INVALID_INPUT', async () => {
      const { app, runs } = await setup();
      for (const bad of ['', 'x'.repeat(256), 'with space', 'tab\t', 'caf\u00e9', 'lone\ud800']) {
        assert.equal(code(await call(app, 'count', { n: 1 }, bad)), 'INVALID_INPUT', JSON.stringify(bad));
      }
      assert.equal(runs.count, 0);
      assert.equal(code(await call(app, 'count', { n: 1 }, `${'~'.repeat(254)}!`)), 'ok');
    });
  });
}
