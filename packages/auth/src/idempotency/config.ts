import { NexusSetupError } from '@nexus/core';
import { REDIS_COMMAND_TIMEOUT_MS } from '../rate-limit/config.js';
import type { ResolvedRateLimitConfig } from '../rate-limit/config.js';

/** Where idempotency records live; by default they follow the rate limiter (Redis when it is on Redis). */
export interface IdempotencyConfig {
  /** `memory` (one instance) or `redis` (instances share records); default: the rate limiter's backend, else memory. */
  readonly backend?: 'memory' | 'redis';
  /** Default: `rateLimit.redisUrl`. */
  readonly redisUrl?: string;
  /** Prefix of every Redis key (`nexus:idem:`). */
  readonly redisKeyPrefix?: string;
  /** Longest wait for one Redis command; default: `rateLimit.redisCommandTimeoutMs`, else 250 ms. */
  readonly redisCommandTimeoutMs?: number;
  /** How long a finished call's outcome is kept (86 400 s: 24 h). */
  readonly ttlSeconds?: number;
  /** While Redis is unreachable, run calls without de-duplication (true) or refuse them with UNAVAILABLE; default: `rateLimit.failOpen`, else true. */
  readonly failOpen?: boolean;
}

export interface ResolvedIdempotencyConfig {
  readonly backend: 'memory' | 'redis';
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly redisCommandTimeoutMs: number;
  readonly ttlSeconds: number;
  readonly failOpen: boolean;
}

const KNOWN = new Set(['backend', 'redisUrl', 'redisKeyPrefix', 'redisCommandTimeoutMs', 'ttlSeconds', 'failOpen']);

const fail = (message: string): never => {
  throw new NexusSetupError('NEXUS_ERR_AUTH_CONFIG', `idempotency: ${message}`);
};

/** Checks the options once, at set-up; unset ones follow the rate limiter's. */
export function resolveIdempotencyConfig(config: IdempotencyConfig, limits: ResolvedRateLimitConfig | undefined): ResolvedIdempotencyConfig {
  if (typeof config !== 'object' || config === null) fail('the config must be an object');
  for (const key of Object.keys(config)) if (!KNOWN.has(key)) fail(`unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  const backend = config.backend ?? limits?.backend ?? 'memory';
  if (backend !== 'memory' && backend !== 'redis') fail(`backend must be "memory" or "redis" (got ${String(backend)})`);
  const redisUrl = config.redisUrl ?? (backend === 'redis' ? limits?.redisUrl : undefined);
  if (redisUrl !== undefined && (typeof redisUrl !== 'string' || !/^rediss?:\/\/./.test(redisUrl))) fail('redisUrl must be a redis:// or rediss:// URL');
  if (backend === 'redis' && redisUrl === undefined) fail('backend "redis" needs redisUrl (or a rate limit on Redis)');
  const redisKeyPrefix = config.redisKeyPrefix ?? 'nexus:idem:';
  if (typeof redisKeyPrefix !== 'string') fail('redisKeyPrefix must be a string');
  const redisCommandTimeoutMs = config.redisCommandTimeoutMs ?? limits?.redisCommandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  if (!(Number.isInteger(redisCommandTimeoutMs) && redisCommandTimeoutMs >= 1)) fail('redisCommandTimeoutMs must be an integer >= 1');
  const ttlSeconds = config.ttlSeconds ?? 86_400;
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) fail('ttlSeconds must be a positive integer');
  const failOpen = config.failOpen ?? limits?.failOpen ?? true;
  if (typeof failOpen !== 'boolean') fail('failOpen must be a boolean');
  return { backend, redisUrl, redisKeyPrefix, redisCommandTimeoutMs, ttlSeconds, failOpen };
}
