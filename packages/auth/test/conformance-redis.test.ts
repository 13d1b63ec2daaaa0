import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CONFORMANCE_LIMITED_CALLS, createConformanceApp, memoryChannelUnderTest, runChannelConformance } from '@nexus/core/testing';
import { createConformanceAuth } from '../src/testing/index.js';
import { sharedRedisUrl } from './rate-limit-support.js';

// Undefined without a Redis; under CI that throws instead (a missing Redis fails, never skips).
const REDIS_URL = await sharedRedisUrl();

if (REDIS_URL !== undefined) {
  // The same decisions with the `limited` budget kept in Redis, as separate processes share it.
  runChannelConformance(
    { ...memoryChannelUnderTest, name: 'memory (redis budget)' },
    { auth: createConformanceAuth({ redisUrl: REDIS_URL, redisKeyPrefix: `nexus:test:${randomBytes(6).toString('hex')}:` }) },
  );

  describe('the conformance kit with redisUrl', () => {
    it('shares the limited budget between two apps, as between two processes', async () => {
      const options = { redisUrl: REDIS_URL, redisKeyPrefix: `nexus:test:${randomBytes(6).toString('hex')}:` };
      const first = createConformanceApp({ auth: createConformanceAuth(options) }).app;
      const second = createConformanceApp({ auth: createConformanceAuth(options) }).app;
      const kit = createConformanceAuth(options);
      const credential = { kind: 'bearer' as const, token: await kit.token({ id: 'shared-user', roles: ['caller'], tenant: 'tenant-a' }) };
      try {
        for (let i = 0; i < CONFORMANCE_LIMITED_CALLS; i++) expect((await first.invoke({ channel: 'a', operation: 'limited', credential })).ok).toBe(true);
        const refused = await second.invoke({ channel: 'b', operation: 'limited', credential });
        expect(!refused.ok && refused.error.code).toBe('RATE_LIMITED');
      } finally {
        await Promise.all([first.stop(), second.stop()]);
      }
    });
  });
} else {
  describe.skip('memory (redis budget) channel conformance', () => {
    it('needs Redis at REDIS_URL', () => {});
  });
}
