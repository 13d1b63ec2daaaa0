/**
 * Where idempotency records live. Records are opaque strings to a store; the stage writes and
 * reads them. Every method is atomic per key, so concurrent calls with one key, on one instance
 * or many, see exactly one claim succeed.
 */
export interface IdempotencyStore {
  /**
   * Stores `record` under `key` for `ttlMs` unless a live record is there already. Resolves to
   * undefined when this call claimed the key, else to the record that holds it.
   */
  claim(key: string, record: string, ttlMs: number): Promise<string | undefined>;
  /** Replaces the record with `record` for `ttlMs`, only while the key still holds `expected`. */
  complete(key: string, expected: string, record: string, ttlMs: number): Promise<void>;
  /** Removes the record, only while the key still holds `expected`. */
  release(key: string, expected: string): Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** Clock in milliseconds (`Date.now`); tests pass their own. */
  readonly now?: () => number;
  /** Beyond this many live records the oldest are dropped (100 000), so memory stays bounded. */
  readonly maxRecords?: number;
}

interface Entry {
  readonly record: string;
  readonly expiresAt: number;
}

/** Records in this process's memory: one instance only; use a shared store (Redis) behind a load balancer. */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const maxRecords = options.maxRecords ?? 100_000;
  const entries = new Map<string, Entry>();

  const live = (key: string, at: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry === undefined || entry.expiresAt > at) return entry;
    entries.delete(key);
    return undefined;
  };
  // Map order is insertion order, close to expiry order: pruning from the head is cheap and needs no timer.
  const prune = (at: number) => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at) break;
      entries.delete(key);
    }
    if (entries.size < maxRecords) return;
    let drop = Math.max(1, Math.floor(maxRecords / 10));
    for (const key of entries.keys()) {
      if (drop-- <= 0) break;
      entries.delete(key);
    }
  };
  const put = (key: string, record: string, ttlMs: number, at: number) => {
    entries.delete(key);
    entries.set(key, { record, expiresAt: at + ttlMs });
  };

  return {
    async claim(key, record, ttlMs) {
      const at = now();
      const existing = live(key, at);
      if (existing !== undefined) return existing.record;
      prune(at);
      put(key, record, ttlMs, at);
      return undefined;
    },
    async complete(key, expected, record, ttlMs) {
      const at = now();
      if (live(key, at)?.record === expected) put(key, record, ttlMs, at);
    },
    async release(key, expected) {
      if (live(key, now())?.record === expected) entries.delete(key);
    },
  };
}
