import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { runJobPagesConformance } from '@nexus/core/testing';
import { createBullMqJobPort } from '../src/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `nexus-test-pages-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

runJobPagesConformance('the BullMQ port on real Redis', () => createBullMqJobPort({ url, prefix, queue: `pages-${randomUUID().slice(0, 8)}`, ttlSeconds: 60 }), {
  test: { describe, it, beforeAll, afterAll },
});
