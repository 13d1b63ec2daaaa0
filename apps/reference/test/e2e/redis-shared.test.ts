import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { killAll, startApp } from '../support/processes.js';
import type { AppProcess } from '../support/processes.js';
import { REDIS_ENV, redisAvailable } from '../support/redis.js';
import { mint, newSecret } from '../support/tokens.js';
import { underCI } from '../support/ci.js';

const available = await redisAvailable();
// Under CI a missing Redis is a failure, not a skip: .ci/run starts one.
const describeWithRedis = available || underCI() ? describe : describe.skip;

const RPM = 5;
const secret = newSecret();
// The app's Redis key prefixes are fixed, so this run's keys are made unique by the principal and user ids.
const run = randomUUID();

describeWithRedis('two instances on one Redis', () => {
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    expect(available).toBe(true);
    const env = { NEXUS_JWT_SECRET: secret, ...REDIS_ENV, NEXUS_RATE_LIMIT_RPM: String(RPM), NEXUS_RATE_LIMIT_BURST: '0' };
    [a, b] = await Promise.all([startApp(env), startApp(env)]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await killAll();
  });

  const execute = (server: AppProcess, token: string, operation: string, inputs: unknown) =>
    fetch(`${server.api}/workflows/${operation}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ inputs }),
      signal: AbortSignal.timeout(10_000),
    });

  it('share one rate-limit budget: exactly requestsPerMinute calls pass across both', async () => {
    const token = mint(secret, `e2e-limit-${run}`, ['developer'], 'acme');
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => execute(i % 2 === 0 ? a : b, token, 'echo', { message: `m${i}` })),
    );
    const statuses = responses.map((response) => response.status);
    // Eight calls went to each instance: separate budgets would have let 2 × RPM through.
    expect(statuses.filter((status) => status === 200)).toHaveLength(RPM);
    expect(statuses.filter((status) => status === 429)).toHaveLength(16 - RPM);
    for (const response of responses) {
      expect(response.headers.get('x-ratelimit-limit')).toBe(String(RPM));
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(((await response.json()) as { code: string }).code).toBe('RATE_LIMITED');
      } else {
        await response.body?.cancel();
      }
    }
    // Another principal has its own budget.
    const other = mint(secret, `e2e-limit-other-${run}`, ['developer'], 'acme');
    expect((await execute(b, other, 'echo', { message: 'fresh' })).status).toBe(200);
  });

  it('share the record store: a record written through one is exported and deleted through the other', async () => {
    const userId = `user-${run}`;
    const developer = mint(secret, `e2e-writer-${run}`, ['developer'], 'acme');
    const dpo = mint(secret, `e2e-dpo-${run}`, ['dpo'], 'acme');
    expect((await execute(a, developer, 'customer_upsert', { user_id: userId, profile: { name: 'Ada' } })).status).toBe(200);
    const exported = (await (await execute(b, dpo, 'gdpr_export_user_data', { user_id: userId })).json()) as { result: { records: unknown[] } };
    expect(exported.result.records).toEqual([expect.objectContaining({ version: 1, profile: { name: 'Ada' } })]);
    const deleted = (await (await execute(b, dpo, 'gdpr_delete_user_data', { user_id: userId })).json()) as { result: { deleted: number } };
    expect(deleted.result.deleted).toBe(1);
    const after = (await (await execute(a, dpo, 'gdpr_export_user_data', { user_id: userId })).json()) as { result: { records: unknown[] } };
    expect(after.result.records).toEqual([]);
  });
});
