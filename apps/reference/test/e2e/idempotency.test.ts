import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpDriver, inProcessCliDriver, mcpHttpDriver, mcpStdioDriver, remoteCliDriver } from '../support/channels.js';
import type { Caller, ChannelDriver, Outcome } from '../support/channels.js';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { REDIS_ENV, redisAvailable } from '../support/redis.js';
import { underCI } from '../support/ci.js';
import { mint, newSecret } from '../support/tokens.js';

const available = await redisAvailable();
// Under CI a missing Redis is a failure, not a skip: .ci/run starts one.
const describeWithRedis = available || underCI() ? describe : describe.skip;

const secret = newSecret();
// Keys are scoped by principal, so this run's principals keep it apart from earlier runs on the same Redis.
const run = randomUUID().slice(0, 8);
const caller = (name: string, roles: string[], tenant = 'acme'): Caller => ({ token: mint(secret, `idem-${run}-${name}`, roles, tenant) });
const version = (outcome: Outcome) => (outcome.value as { version?: number } | undefined)?.version;

describeWithRedis('idempotency keys against two reference instances sharing Redis', () => {
  let a: AppProcess;
  let b: AppProcess;
  const drivers: ChannelDriver[] = [];

  beforeAll(async () => {
    expect(available).toBe(true);
    const env = { NEXUS_JWT_SECRET: secret, ...REDIS_ENV, NEXUS_RATE_LIMIT_RPM: '100000', NEXUS_RATE_LIMIT_BURST: '1000' };
    [a, b] = await Promise.all([startApp(env), startApp(env)]);
    // The in-process paths (CLI, MCP stdio) share the servers' Redis, as a deployment would.
    drivers.push(httpDriver(a.api), mcpHttpDriver(a.mcp), remoteCliDriver(a.api), inProcessCliDriver(secret, REDIS_ENV), mcpStdioDriver(secret, REDIS_ENV));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(drivers.map((driver) => driver.close()));
    await Promise.all([a?.stop(), b?.stop()]);
    await killAll();
  });

  it.each(['HTTP', 'MCP HTTP', 'remote CLI', 'in-process CLI', 'MCP stdio'])('%s: replay, mismatch, scoping, read-only and bad keys', async (name) => {
    const driver = drivers.find((candidate) => candidate.name === name)!;
    const slug = name.replace(/\W+/g, '-');
    const user = `user-${run}-${slug}`;
    const key = `key-${run}-${slug}`;
    const developer = caller(`${slug}-dev`, ['developer']);
    const upsert = (who: Caller, profile: unknown, idempotencyKey?: string) =>
      driver.call(who, 'customer_upsert', { user_id: user, profile }, idempotencyKey === undefined ? {} : { idempotencyKey });

    const first = await upsert(developer, { name: 'Ada' }, key);
    expect(first).toEqual({ code: 'ok', value: expect.anything() });
    expect(version(first)).toBe(1);
    const retry = await upsert(developer, { name: 'Ada' }, key);
    expect(retry).toEqual({ code: 'ok', value: first.value, replayed: true });
    expect((await upsert(developer, { name: 'Bob' }, key)).code).toBe('IDEMPOTENCY_MISMATCH');

    // Another principal in the same tenant, and the same principal's name in another tenant: independent calls.
    const colleague = await upsert(caller(`${slug}-colleague`, ['developer']), { name: 'Ada' }, key);
    expect(colleague).toEqual({ code: 'ok', value: expect.anything() });
    expect(version(colleague)).toBe(2);
    const elsewhere = await upsert(caller(`${slug}-dev`, ['developer'], 'globex'), { name: 'Ada' }, key);
    expect(elsewhere).toEqual({ code: 'ok', value: expect.anything() });
    expect(version(elsewhere)).toBe(1);
    // The replay ran nothing: the next write in acme is only the third.
    expect(version(await upsert(developer, { name: 'Ada' }))).toBe(3);

    // A read-only operation ignores the key, even one that would be refused elsewhere.
    const dpo = caller(`${slug}-dpo`, ['dpo']);
    for (const ignored of [key, key]) {
      const exported = await driver.call(dpo, 'gdpr_export_user_data', { user_id: user }, { idempotencyKey: ignored });
      expect(exported).toEqual({ code: 'ok', value: expect.anything() });
    }
    expect((await upsert(developer, { name: 'Ada' }, 'k'.repeat(256))).code).toBe('INVALID_INPUT');
    expect((await upsert(developer, { name: 'Ada' }, 'two words')).code).toBe('INVALID_INPUT');
  }, 60_000);

  it('a retry sent to the other instance replays, on HTTP and on MCP', async () => {
    const developer = caller('cross', ['developer']);
    const input = { user_id: `user-${run}-cross`, profile: { name: 'Ada' } };
    const first = await httpDriver(a.api).call(developer, 'customer_upsert', input, { idempotencyKey: `cross-${run}` });
    expect(first).toEqual({ code: 'ok', value: expect.anything() });
    const onB = await httpDriver(b.api).call(developer, 'customer_upsert', input, { idempotencyKey: `cross-${run}` });
    expect(onB).toEqual({ code: 'ok', value: first.value, replayed: true });
    const mcpB = mcpHttpDriver(b.mcp);
    try {
      expect(await mcpB.call(developer, 'customer_upsert', input, { idempotencyKey: `cross-${run}` })).toEqual({ code: 'ok', value: first.value, replayed: true });
    } finally {
      await mcpB.close();
    }
  });

  it('20 concurrent calls with one key, split over both instances, run the handler exactly once', async () => {
    const developer = caller('burst', ['developer']);
    const input = { user_id: `user-${run}-burst`, profile: { name: 'Ada' } };
    const [onA, onB] = [httpDriver(a.api), httpDriver(b.api)];
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? onA : onB).call(developer, 'customer_upsert', input, { idempotencyKey: `burst-${run}` })),
    );
    const ran = outcomes.filter((outcome) => outcome.code === 'ok' && !outcome.replayed);
    const replayed = outcomes.filter((outcome) => outcome.code === 'ok' && outcome.replayed);
    const conflicts = outcomes.filter((outcome) => outcome.code === 'CONFLICT');
    expect(ran).toHaveLength(1);
    expect(replayed.length + conflicts.length).toBe(19);
    for (const outcome of replayed) expect(outcome.value).toEqual(ran[0]!.value);
    // The handler's own count: the record's version. One run wrote version 1; the next write is 2.
    const next = await onA.call(developer, 'customer_upsert', input);
    const handlerRuns = version(next)! - 1;
    expect(handlerRuns).toBe(1);
    process.stderr.write(`idempotency burst: 20 calls, handler runs ${handlerRuns}, replayed ${replayed.length}, 409 ${conflicts.length}\n`);
  });
});
