import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { Nexus, createMemoryIdempotencyStore, silentLogger } from '../src/index.js';
import type { IdempotencyStore, InvocationResult } from '../src/index.js';
import { runIdempotencyConformance } from '../src/testing/index.js';

runIdempotencyConformance('memory', { store: () => createMemoryIdempotencyStore() });

function counting(options: ConstructorParameters<typeof Nexus>[0]) {
  const app = new Nexus({ logger: silentLogger, ...options });
  const runs = { count: 0 };
  app.handler('count', { description: 'Counts', input: z.object({ n: z.number() }) }, () => ({ run: ++runs.count }));
  const call = (key?: string): Promise<InvocationResult> =>
    app.invoke({ channel: 'test', operation: 'count', input: { n: 1 }, transport: key === undefined ? {} : { idempotencyKey: key } });
  return { app, runs, call };
}

const down: IdempotencyStore = {
  claim: () => Promise.reject(new Error('ECONNREFUSED')),
  complete: () => Promise.reject(new Error('ECONNREFUSED')),
  release: () => Promise.reject(new Error('ECONNREFUSED')),
};

describe('idempotency in core', () => {
  it('is on by default, keyed by client address for callers without a principal', async () => {
    const { runs, call } = counting({});
    await call('k');
    expect((await call('k')).annotations.idempotency).toEqual({ replayed: true });
    expect(runs.count).toBe(1);
  });

  it('is off with idempotency: false', async () => {
    const { runs, call } = counting({ idempotency: false });
    await call('k');
    expect((await call('k')).annotations.idempotency).toBeUndefined();
    expect(runs.count).toBe(2);
  });

  it('forgets an outcome after ttlSeconds', async () => {
    let now = 1_000_000;
    const { runs, call } = counting({ idempotency: { ttlSeconds: 60, store: createMemoryIdempotencyStore({ now: () => now }) } });
    await call('k');
    now += 59_999;
    expect((await call('k')).annotations.idempotency).toEqual({ replayed: true });
    now += 1;
    expect((await call('k')).annotations.idempotency).toBeUndefined();
    expect(runs.count).toBe(2);
  });

  it('with the store down runs the call unmarked when failOpen, refuses it with UNAVAILABLE otherwise', async () => {
    const open = counting({ idempotency: { store: down } });
    const results = [await open.call('k'), await open.call('k')];
    expect(results.map((result) => [result.ok, result.annotations.idempotency])).toEqual([[true, undefined], [true, undefined]]);
    const closed = counting({ idempotency: { store: down, failOpen: false } });
    const refused = await closed.call('k');
    expect(!refused.ok && refused.error.code).toBe('UNAVAILABLE');
    expect(closed.runs.count).toBe(0);
  });

  it('bounds the memory store: the oldest records go first', async () => {
    const store = createMemoryIdempotencyStore({ maxRecords: 10 });
    for (let i = 0; i < 10; i++) await store.claim(`k${i}`, 'r', 60_000);
    await store.claim('k10', 'r', 60_000);
    expect(await store.claim('k0', 'again', 60_000)).toBeUndefined();
    expect(await store.claim('k10', 'again', 60_000)).toBe('r');
  });

  it('checks its options when the app is put together', () => {
    expect(() => new Nexus({ idempotency: { ttlSeconds: 0 } })).toThrow(/ttlSeconds/);
    expect(() => new Nexus({ idempotency: { store: {} as IdempotencyStore } })).toThrow(/claim, complete and release/);
    const app = new Nexus({ logger: silentLogger });
    expect(() => app.handler('x', { description: 'd', input: z.object({}), annotations: { readOnly: 'yes' as unknown as boolean } }, () => ({}))).toThrow(/readOnly/);
  });
});
