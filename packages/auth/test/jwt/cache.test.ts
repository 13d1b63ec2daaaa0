import { describe, expect, it } from '@jest/globals';
import { VerifiedTokenCache } from '../../src/jwt/cache.js';
import type { CachedToken } from '../../src/jwt/cache.js';

const entry = (id: string): CachedToken => ({ principal: { id, roles: [], permissions: [], claims: {} }, exp: undefined, nbf: undefined, iat: undefined, until: 0 });

describe('the verified-token cache bound', () => {
  it('never holds more than its capacity, and gives up the oldest insertions first', () => {
    const cache = new VerifiedTokenCache(100);
    const keys = Array.from({ length: 1_000 }, (_, i) => cache.keyOf(`token-${i}`));
    keys.forEach((key, i) => {
      cache.set(key, entry(`p${i}`));
      expect(cache.size).toBeLessThanOrEqual(100);
    });
    // The newest always stay; of the rest, an older one never outlives a newer one.
    expect(cache.get(keys[999]!)?.principal.id).toBe('p999');
    const present = keys.map((key) => cache.get(key) !== undefined);
    expect(present.lastIndexOf(false)).toBeLessThan(present.indexOf(true));
    expect(cache.size).toBeGreaterThanOrEqual(90);
  });

  it('keeps its bound while entries are also deleted and re-added', () => {
    const cache = new VerifiedTokenCache(50);
    for (let i = 0; i < 5_000; i++) {
      const key = cache.keyOf(`t-${i % 300}`);
      if (i % 7 === 0) cache.delete(key);
      else cache.set(key, entry(`p${i}`));
      expect(cache.size).toBeLessThanOrEqual(50);
    }
  });

  it('stores nothing with capacity 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set(cache.keyOf('t'), entry('p'));
    expect(cache.size).toBe(0);
  });
});
