import type { BucketSpec } from './config.js';
import { takeToken } from './bucket.js';
import type { BucketState, BucketStore, TakeResult } from './bucket.js';

interface Entry extends BucketState {
  fullAt: number;
}

const SWEEP_MS = 60_000;
/** Beyond this many live keys the oldest are dropped, so a flood of addresses cannot exhaust memory. */
const MAX_KEYS = 100_000;

/** Buckets in this process's memory; full buckets are swept, since a missing key is a full one. */
export function createMemoryStore(now: () => number): BucketStore {
  const buckets = new Map<string, Entry>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = (at = now()) => {
    for (const [key, entry] of buckets) if (entry.fullAt <= at) buckets.delete(key);
  };
  const evict = (at: number) => {
    sweep(at);
    // Still full of live keys: drop the oldest tenth (Map order is insertion order).
    if (buckets.size < MAX_KEYS) return;
    let drop = MAX_KEYS / 10;
    for (const key of buckets.keys()) {
      if (drop-- <= 0) break;
      buckets.delete(key);
    }
  };
  return {
    take(key: string, spec: BucketSpec): TakeResult {
      const at = now();
      const existing = buckets.get(key);
      const [state, result] = takeToken(existing, spec, at);
      const entry = state as Entry;
      entry.fullAt = at + result.resetMs;
      if (existing === undefined) {
        if (buckets.size >= MAX_KEYS) evict(at);
        buckets.set(key, entry);
      }
      return result;
    },
    async start() {
      sweeper ??= setInterval(() => sweep(), SWEEP_MS).unref();
    },
    async stop() {
      clearInterval(sweeper);
      sweeper = undefined;
      buckets.clear();
    },
    health: () => ({ status: 'healthy', backend: 'memory' }),
  };
}
