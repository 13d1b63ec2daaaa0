import { Redis } from 'ioredis';

/** The Redis the suite uses: REDIS_URL (set by .ci/run) or the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * What a spawned app needs to use that Redis. Its commands may take 5 s (the app's default is
 * 250 ms): on a loaded machine a slower answer would fail open and change what a test counts.
 */
export const REDIS_ENV = { REDIS_URL, NEXUS_REDIS_COMMAND_TIMEOUT_MS: '5000' };

/** True when a Redis answers PING at REDIS_URL; a loaded machine gets three tries of 3 s each. */
export async function redisAvailable(): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await answersPing(REDIS_URL, 3_000)) return true;
  }
  return false;
}

/** One PING of the Redis at `url`, connecting and answering within `timeoutMs` each; never queues or retries. */
export async function answersPing(url: string, timeoutMs: number): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
