import { NexusSetupError, RateLimitedError, UnavailableError } from '@nexus/core';
import type { HealthCheck, Next, Nexus, NexusContext, Stage } from '@nexus/core';
import type { BucketStore, TakeResult } from './bucket.js';
import { resolveRateLimitConfig } from './config.js';
import type { BucketSpec, RateLimitConfig, ResolvedRoute } from './config.js';
import { compileGlob, hasWildcard } from './glob.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';

/** The limit stage and its store's lifecycle; the auth plugin registers `stage` in the `limit` phase. */
export interface RateLimiterHandle {
  readonly stage: Stage;
  /** Connects the store (Redis); an unreachable store is not fatal. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * While the store is unreachable: `degraded` when failing open (calls are served), `unhealthy`
   * when failing closed (every call is refused, so load balancers should stop routing here).
   */
  readonly health: HealthCheck;
  /** Refuses `routeLimits` keys that match none of `served` (the paths the channels serve). */
  verifyRoutes(served: readonly string[]): void;
}

/** Hooks for tests: a clock shared by both backends makes refill deterministic. */
export interface RateLimiterInternals {
  readonly now?: () => number;
}

interface Bucket {
  /** Key segment naming the bucket: `g` for the global budget, `r:<glob>` for a route's own, `o:<glob>` for an operation glob's. */
  readonly id: string;
  readonly spec: BucketSpec | null;
}

const ROUTE_CACHE_LIMIT = 1_024;
const LOG_INTERVAL_MS = 10_000;
// The refusal reason audit records; callers only ever see the public message.
const QUOTA = new Error('quota');
const STORE_DOWN = new Error('rate_limit_store_unavailable');

function withoutQuery(path: string | undefined): string | undefined {
  const mark = path === undefined ? -1 : path.indexOf('?');
  return mark < 0 ? path : path!.slice(0, mark);
}

function identityOf(ctx: NexusContext): string {
  if (ctx.principal !== undefined) {
    // The caller's own tenant: an administrator naming another tenant spends its own budget.
    const tenant = ctx.tenant === undefined ? '' : ctx.tenant.source === 'override' ? ctx.tenant.callerTenant ?? '' : ctx.tenant.id;
    return `p:${encodeURIComponent(tenant)}:${ctx.principal.id}`;
  }
  // Only what the channel observed itself: never a header value the caller could vary at will.
  return `a:${ctx.clientAddress ?? 'local'}`;
}

/**
 * Builds the token-bucket limit stage. Config is validated here: bad options throw
 * NexusSetupError (NEXUS_ERR_RATE_LIMIT_CONFIG).
 */
export function createRateLimiter(config: RateLimitConfig, app: Nexus, internals: RateLimiterInternals = {}): RateLimiterHandle {
  const resolved = resolveRateLimitConfig(config);
  const logger = app.logger.child({ component: 'rate-limit' });
  const store: BucketStore =
    resolved.backend === 'redis'
      ? createRedisStore(resolved.redisUrl!, logger, resolved.redisCommandTimeoutMs, internals.now)
      : createMemoryStore(internals.now ?? Date.now);
  const prefix = resolved.redisKeyPrefix;
  const global: Bucket = { id: 'g', spec: resolved.global };
  // The most specific pattern wins: exact names or paths, then the glob with the most literal characters.
  const specificity = (glob: string) => (hasWildcard(glob) ? glob.replace(/[*?]/g, '').length : Number.MAX_SAFE_INTEGER);
  const matcher = (limits: readonly ResolvedRoute[], kind: 'r' | 'o') => {
    const ordered = [...limits]
      .sort((a, b) => specificity(b.glob) - specificity(a.glob))
      .map((limit) => ({ pattern: compileGlob(limit.glob), bucket: { id: `${kind}:${limit.glob}`, spec: limit.spec } satisfies Bucket }));
    const cache = new Map<string, Bucket | undefined>();
    return (key: string): Bucket | undefined => {
      if (cache.has(key)) return cache.get(key);
      const bucket = ordered.find((limit) => limit.pattern.test(key))?.bucket;
      if (cache.size >= ROUTE_CACHE_LIMIT) cache.clear();
      cache.set(key, bucket);
      return bucket;
    };
  };
  const byRoute = matcher(resolved.routes, 'r');
  const byOperation = matcher(resolved.operations, 'o');

  const hasGroups = resolved.operations.length > 0;
  /**
   * By the target's limit group: an operation's call (every channel alike) spends its group's
   * budget (its own name unless it declares one) or the global one; a native route or catalogue
   * request spends its declared group's, else its path's (`routeLimits`), else the global one.
   */
  const bucketOf = (ctx: NexusContext): Bucket | undefined => {
    const group = ctx.policy.limitGroup;
    if (group === false) return undefined;
    if (ctx.purpose === 'invoke') return (hasGroups ? byOperation(group ?? ctx.operation) : undefined) ?? global;
    const grouped = group !== undefined && hasGroups ? byOperation(group) : undefined;
    if (grouped !== undefined) return grouped;
    const path = withoutQuery(ctx.transport.path);
    // Requests without a path and no group are not limited (nothing to key them on).
    return path === undefined ? undefined : byRoute(path) ?? global;
  };

  let lastLogged = 0;
  const storeFailed = (error: unknown) => {
    app.metrics.rateLimitStoreErrors.inc();
    const at = Date.now();
    if (at - lastLogged < LOG_INTERVAL_MS) return;
    lastLogged = at;
    logger.warn('rate-limit store error', { error: error instanceof Error ? error.message : String(error), failOpen: resolved.failOpen });
  };

  const unavailable = (error: unknown, next: Next): Promise<unknown> => {
    storeFailed(error);
    if (resolved.failOpen) return next();
    throw new UnavailableError(undefined, { cause: STORE_DOWN });
  };

  const decide = (ctx: NexusContext, next: Next, spec: BucketSpec, result: TakeResult): Promise<unknown> => {
    const limit = spec.capacity;
    if (resolved.includeHeaders) {
      ctx.annotations.rateLimit = {
        limit,
        remaining: Math.min(limit, result.remaining),
        reset: Math.ceil((Date.now() + result.resetMs) / 1000),
      };
    }
    if (!result.allowed) throw new RateLimitedError(result.retryAfterMs / 1000, { cause: QUOTA, extensions: { limit, remaining: 0 } });
    return next();
  };

  // Not async: the memory store answers at once, and so does this stage, without a promise of its own.
  const stage: Stage = function rateLimit(ctx, next) {
    const bucket = bucketOf(ctx);
    if (bucket === undefined) return next();
    if (bucket.spec === null) return next();
    const spec = bucket.spec;
    let taken: TakeResult | Promise<TakeResult>;
    try {
      taken = store.take(`${prefix}${bucket.id}:${identityOf(ctx)}`, spec);
    } catch (error) {
      return unavailable(error, next);
    }
    if (typeof (taken as Partial<PromiseLike<TakeResult>>).then !== 'function') return decide(ctx, next, spec, taken as TakeResult);
    return Promise.resolve(taken).then((result) => decide(ctx, next, spec, result), (error: unknown) => unavailable(error, next));
  };

  return {
    stage,
    start: () => store.start(),
    stop: () => store.stop(),
    async health() {
      const result = await store.health();
      return result.status !== 'healthy' && !resolved.failOpen ? { ...result, status: 'unhealthy' } : result;
    },
    verifyRoutes(served) {
      const unmatched = resolved.routes.filter(({ glob }) => {
        const key = compileGlob(glob);
        // A router mounted at /admin serves /admin/* (reported so), which a key /admin/stats lies under.
        return !served.some((route) => key.test(route) || (hasWildcard(route) && compileGlob(route).test(glob)));
      });
      if (unmatched.length === 0) return;
      const keys = unmatched.map(({ glob }) => `"${glob}"`).join(', ');
      throw new NexusSetupError(
        'NEXUS_ERR_RATE_LIMIT_CONFIG',
        `routeLimits ${keys} match${unmatched.length === 1 ? 'es' : ''} no path the channels serve; routeLimits are HTTP paths (for operations on every channel use operationLimits, keyed by operation name). Paths served: ${served.join(', ')}`,
      );
    },
  };
}
