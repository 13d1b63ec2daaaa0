import type { KeyObject } from 'node:crypto';
import { isValidIdentifier } from '@nexus/core';
import type { HealthCheckResult, Principal } from '@nexus/core';
import { TOKEN_CACHE_TTL_SECONDS, VerifiedTokenCache } from './cache.js';
import type { CachedToken } from './cache.js';
import type { ResolvedJwtConfig } from './config.js';
import { CredentialRejected } from './errors.js';
import type { AuthFailureReason } from './errors.js';
import { jwksKeySource } from './jwks.js';
import { verifyJws } from './jws.js';
import type { JwksKeySource } from './jwks.js';
import { principalFromClaims } from './principal.js';

/** Turns a bearer token into a principal, or throws CredentialRejected with a reason word. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  /** The principal of a token verified recently and still valid, without verifying it again. */
  known(token: string): Principal | undefined;
  /** The JWKS key source, when keys come from an identity provider. */
  readonly jwks: JwksKeySource | undefined;
  health(): HealthCheckResult;
  close(): void;
}

// Three base64url segments; anything else is refused before any parsing.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function reject(reason: AuthFailureReason): never {
  throw new CredentialRejected(reason);
}

function parseHeader(token: string): { alg: unknown; kid: unknown; typ: unknown } {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || Array.isArray(header)) reject('malformed');
    // RFC 7515 §4.1.11: a recipient must refuse a token whose `crit` names anything it does not
    // implement; this verifier implements no extension, so any `crit` at all is refused.
    if (Object.hasOwn(header, 'crit')) reject('crit_unsupported');
    return header as { alg: unknown; kid: unknown; typ: unknown };
  } catch (error) {
    if (error instanceof CredentialRejected) throw error;
    return reject('malformed');
  }
}

/** Builds the verifier for one configuration; key material and options are prepared once here. */
export function createVerifier(config: ResolvedJwtConfig, enrich: (principal: Principal) => Principal = (principal) => principal): TokenVerifier {
  const jwks = config.jwksUrl === undefined
    ? undefined
    : jwksKeySource({ url: config.jwksUrl, ttlMs: config.jwksCacheTtlMs, cooldownMs: config.jwksCooldownMs, timeoutMs: config.jwksTimeoutMs });
  const cache = new VerifiedTokenCache(config.tokenCacheSize);
  const unsubscribe = jwks?.onRotate(() => cache.clear());
  const leeway = config.leeway;

  // The time checks verification makes, again for tokens served from the cache.
  const checkTimes = (entry: CachedToken, now: number): AuthFailureReason | undefined => {
    if (entry.nbf !== undefined && entry.nbf > now + leeway) return 'not_yet_valid';
    if (entry.exp !== undefined && now >= entry.exp + leeway) return 'expired';
    if (config.maxTokenAge !== undefined && entry.iat !== undefined && now >= entry.iat + config.maxTokenAge + leeway) return 'too_old';
    return undefined;
  };

  const keyFor = async (kid: unknown): Promise<KeyObject> => {
    if (config.staticKey !== undefined) return config.staticKey;
    if (kid !== undefined && typeof kid !== 'string') reject('unknown_kid');
    const found = await jwks!.lookup(kid);
    if ('reason' in found) reject(found.reason);
    return found.key;
  };

  // A cached token answers with its principal, a reason it is no longer good, or a miss.
  const fromCache = (cacheKey: string, now: number): Principal | AuthFailureReason | undefined => {
    const hit = cache.get(cacheKey);
    if (hit === undefined) return undefined;
    if (now >= hit.until) {
      cache.delete(cacheKey);
      return undefined;
    }
    const stale = checkTimes(hit, now);
    if (stale === undefined) return hit.principal;
    if (stale !== 'not_yet_valid') cache.delete(cacheKey);
    return stale;
  };

  return {
    jwks,
    known(token) {
      if (config.tokenCacheSize === 0 || typeof token !== 'string' || token.length > config.maxTokenLength) return undefined;
      const cached = fromCache(cache.keyOf(token), Math.floor(Date.now() / 1000));
      return typeof cached === 'object' ? cached : undefined;
    },
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0) reject('missing');
      if (token.length > config.maxTokenLength) reject('too_long');
      const now = Math.floor(Date.now() / 1000);
      const cacheKey = config.tokenCacheSize > 0 ? cache.keyOf(token) : '';
      if (config.tokenCacheSize > 0) {
        const cached = fromCache(cacheKey, now);
        if (typeof cached === 'object') return cached;
        if (cached !== undefined) reject(cached);
      }

      // Only tokens that miss the cache need the shape check: a cached one passed it.
      if (!TOKEN_SHAPE.test(token)) reject('malformed');
      const header = parseHeader(token);
      // Exactly the configured algorithm: refuses `none` in any spelling and HS/RS key confusion.
      if (header.alg !== config.algorithm) reject('algorithm');
      const key = await keyFor(header.kid);
      const verified = verifyJws(token, header, key, config, now);
      if (typeof verified === 'string') reject(verified);
      if (typeof verified.claims !== 'object' || verified.claims === null) reject('malformed');
      const claims = verified.claims as Record<string, unknown>;
      if (config.verifyExp && typeof claims.exp !== 'number') reject('missing_exp');
      // Before anything keys on it: ids that differ only by a lone surrogate would share a record.
      if (claims.sub !== undefined && claims.sub !== '' && !isValidIdentifier(claims.sub)) reject('invalid_subject');
      const principal = enrich(principalFromClaims(claims, config.rolesClaim) ?? reject('no_subject'));
      if (config.tokenCacheSize > 0) {
        const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
        cache.set(cacheKey, { principal, exp: num(claims.exp), nbf: num(claims.nbf), iat: num(claims.iat), until: now + TOKEN_CACHE_TTL_SECONDS });
      }
      return principal;
    },
    health() {
      return jwks === undefined ? { status: 'healthy' } : jwks.health();
    },
    close() {
      unsubscribe?.();
      cache.clear();
    },
  };
}
