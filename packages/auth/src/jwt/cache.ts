import * as crypto from 'node:crypto';
import type { Principal } from '@nexus/core';

// crypto.hash (Node >= 20.12) skips the Hash object: about half the cost per call.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined;

export interface CachedToken {
  readonly principal: Principal;
  readonly exp: number | undefined;
  readonly nbf: number | undefined;
  readonly iat: number | undefined;
  /** Unix seconds after which the token is verified afresh, whatever its `exp`. */
  readonly until: number;
}

/** How long a verified token is trusted without re-checking its signature (seconds). */
export const TOKEN_CACHE_TTL_SECONDS = 60;

/**
 * Tokens whose signature and claims already verified, keyed by a SHA-256 of the token so
 * raw credentials are not kept in memory. Time-based claims are re-checked on every hit by
 * the caller; the whole cache is dropped when the signing keys change.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, CachedToken>();

  constructor(private readonly capacity: number) {}

  keyOf(token: string): string {
    // `binary` (latin1) is the cheapest digest encoding; the key is only ever compared, never shown.
    return oneShot !== undefined ? oneShot('sha256', token, 'binary') : crypto.createHash('sha256').update(token).digest('binary');
  }

  get(key: string): CachedToken | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: CachedToken): void {
    if (this.capacity === 0) return;
    if (this.entries.size >= this.capacity && !this.entries.has(key)) {
      // Oldest insertions first, a tenth of the capacity at a time; hot tokens are simply
      // re-verified and re-inserted. One at a time cost ~8 µs per miss at 10,000 entries: a Map's
      // iterator walks over the slots its deletions left at the front until the table is rebuilt.
      let drop = Math.ceil(this.capacity / 10);
      for (const oldest of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(oldest);
      }
    }
    this.entries.set(key, entry);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
