import type { HealthCheckResult } from '@nexus/core';
import type { BucketSpec } from './config.js';

/** The answer to one take: whether a token was granted and when the bucket recovers. */
export interface TakeResult {
  readonly allowed: boolean;
  /** Whole tokens left after this take. */
  readonly remaining: number;
  /** Milliseconds until one token is available (0 when allowed). */
  readonly retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

/** Where buckets live. Both stores run the same arithmetic (`takeToken` here, `TAKE_SCRIPT` on Redis). */
export interface BucketStore {
  take(key: string, spec: BucketSpec): TakeResult | Promise<TakeResult>;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): HealthCheckResult | Promise<HealthCheckResult>;
}

export interface BucketState {
  tokens: number;
  ts: number;
}

/**
 * Token bucket: refill by elapsed time (never backwards), take one token if a whole one is
 * there. Mutates `state`. Keep in step with TAKE_SCRIPT line by line.
 */
export function takeToken(state: BucketState | undefined, spec: BucketSpec, now: number): [BucketState, TakeResult] {
  let tokens: number;
  let ts = now;
  if (state === undefined) {
    tokens = spec.capacity;
  } else {
    let elapsed = now - state.ts;
    if (elapsed < 0) {
      elapsed = 0;
      ts = state.ts;
    }
    tokens = Math.min(spec.capacity, state.tokens + elapsed * spec.ratePerMs);
  }
  let allowed = false;
  let retryAfterMs = 0;
  if (tokens >= 1) {
    tokens -= 1;
    allowed = true;
  } else {
    retryAfterMs = Math.ceil((1 - tokens) / spec.ratePerMs);
  }
  const resetMs = Math.ceil((spec.capacity - tokens) / spec.ratePerMs);
  const next = state ?? { tokens, ts };
  next.tokens = tokens;
  next.ts = ts;
  return [next, { allowed, remaining: Math.floor(tokens), retryAfterMs, resetMs }];
}

/**
 * The same arithmetic as `takeToken`, atomic on the server. Time is the server's (TIME) so
 * instances with skewed clocks share one consistent bucket; ARGV[3] overrides it for tests.
 * Idle keys expire once full, which is the same as a fresh key.
 */
export const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(state[1])
local last = tonumber(state[2])
local ts = now
if tokens == nil or last == nil then
  tokens = capacity
else
  local elapsed = now - last
  if elapsed < 0 then
    elapsed = 0
    ts = last
  end
  tokens = math.min(capacity, tokens + elapsed * rate)
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
local reset = math.ceil((capacity - tokens) / rate)
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], reset + 1000)
return {allowed, math.floor(tokens), retry, reset}
`;
