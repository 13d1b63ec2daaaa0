import { randomUUID } from 'node:crypto';
import { runChannelConformance } from '@nexus/core/testing';
import { createConformanceAuth } from '@nexus/auth/testing';
import { inProcessCliUnderTest } from './support/cli-driver.js';

// Each call is a new process, so the rate-limit budget lives in Redis to be shared between them.
// The auth run covers every basic case too (with tokens), so one run keeps the suite lean.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `nexus:cli-test:${randomUUID()}:`;
runChannelConformance(inProcessCliUnderTest({ NEXUS_CONFORMANCE_AUTH: '1', NEXUS_CONFORMANCE_REDIS_URL: redisUrl, NEXUS_CONFORMANCE_REDIS_PREFIX: prefix }), {
  auth: createConformanceAuth({ redisUrl, redisKeyPrefix: prefix }),
});
