import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type jwksRsa from 'jwks-rsa';
import { loadJwksRsa } from '../lazy-modules.js';
import type { HealthCheckResult } from '@nexus/core';

export interface JwksOptions {
  readonly url: string;
  readonly ttlMs: number;
  readonly cooldownMs: number;
  readonly timeoutMs: number;
}

/** What a lookup found: a key, or why there is none (a bounded reason word). */
export type KeyLookup = { readonly key: KeyObject } | { readonly reason: 'unknown_kid' | 'jwks_unavailable' };

const MAX_KID_LENGTH = 256;

/**
 * The keys of one JWKS endpoint. Keys are replaced only by a successful fetch, so an outage
 * keeps the cached keys working; concurrent lookups share one fetch; an unknown `kid`
 * refetches at most once per cooldown, so random kids cannot hammer the provider.
 */
export class JwksKeySource {
  private readonly client: jwksRsa.JwksClient;
  private keys = new Map<string, KeyObject>();
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  private lastError: string | undefined;
  private readonly listeners = new Set<() => void>();
  /** Bumped whenever the key set changes, so verified-token caches know to forget. */
  generation = 0;

  constructor(readonly options: JwksOptions) {
    // jwks-rsa's own cache and rate limit are off: this class owns both policies.
    this.client = new (loadJwksRsa().JwksClient)({ jwksUri: options.url, cache: false, rateLimit: false, timeout: options.timeoutMs });
  }

  /** Called after every change of the key set (rotation). */
  onRotate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async lookup(kid: string | undefined, now = Date.now()): Promise<KeyLookup> {
    if (kid !== undefined && (kid.length === 0 || kid.length > MAX_KID_LENGTH)) return { reason: 'unknown_kid' };
    let fetched = false;
    if (now - this.fetchedAt >= this.options.ttlMs) {
      // With keys in hand, refresh behind the request: a slow or dead endpoint never delays it.
      if (this.keys.size > 0) void this.refresh(now);
      else if (!this.coolingDown(now)) {
        await this.refresh(now);
        fetched = true;
      }
    }
    let found = this.find(kid);
    if (found === undefined && !fetched && !this.coolingDown(now)) {
      await this.refresh(now);
      found = this.find(kid);
    }
    if (found !== undefined) return { key: found };
    return { reason: this.keys.size === 0 ? 'jwks_unavailable' : 'unknown_kid' };
  }

  private coolingDown(now: number): boolean {
    return this.inFlight === undefined && now - this.attemptedAt < this.options.cooldownMs;
  }

  /** Fetches now (sharing any fetch in flight); failures keep the previous keys. */
  refresh(now = Date.now()): Promise<void> {
    this.inFlight ??= this.fetch(now).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  health(): HealthCheckResult {
    if (this.keys.size === 0) return { status: 'unhealthy', detail: this.lastError ?? 'no keys fetched yet' };
    if (this.lastError !== undefined) return { status: 'degraded', detail: `serving ${this.keys.size} cached key(s): ${this.lastError}` };
    return { status: 'healthy', keys: this.keys.size };
  }

  private find(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // A token without kid is only unambiguous when the provider publishes a single key.
    if (this.keys.size === 1) return this.keys.values().next().value;
    return undefined;
  }

  private async fetch(now: number): Promise<void> {
    this.attemptedAt = now;
    try {
      const signing = await this.client.getSigningKeys();
      const next = new Map<string, KeyObject>();
      for (const key of signing) next.set(key.kid ?? '', createPublicKey(key.getPublicKey()));
      if (!next.has('') || next.size > 1) next.delete('');
      this.fetchedAt = Date.now();
      this.lastError = undefined;
      if (!sameKids(this.keys, next)) {
        this.keys = next;
        this.generation++;
        for (const listener of this.listeners) listener();
      } else {
        this.keys = next;
      }
    } catch (error) {
      // Fixed words only: the provider's error text may carry URLs or internals.
      this.lastError = (error as { name?: string }).name === 'JwksError' ? 'the key set was unusable' : 'the endpoint did not answer';
      // Retry after the cooldown, not on every request, while the endpoint is down.
      if (this.keys.size > 0) this.fetchedAt = Math.max(this.fetchedAt, now - this.options.ttlMs + this.options.cooldownMs);
    }
  }
}

function sameKids(a: ReadonlyMap<string, KeyObject>, b: ReadonlyMap<string, KeyObject>): boolean {
  if (a.size !== b.size) return false;
  for (const [kid, key] of b) {
    const old = a.get(kid);
    if (old === undefined || !old.equals(key)) return false;
  }
  return true;
}

const sources = new Map<string, JwksKeySource>();

/** One key source per JWKS URL (and timing policy) in the process, shared by every verifier. */
export function jwksKeySource(options: JwksOptions): JwksKeySource {
  const id = `${options.url} ${options.ttlMs} ${options.cooldownMs} ${options.timeoutMs}`;
  let source = sources.get(id);
  if (source === undefined) {
    source = new JwksKeySource(options);
    sources.set(id, source);
  }
  return source;
}
