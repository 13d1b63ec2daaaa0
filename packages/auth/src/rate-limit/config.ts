import { NexusSetupError } from '@nexus/core';

/** A route's own budget; `burstSize` defaults to 0 (a route limit means exactly what it says). */
export interface RouteLimit {
  readonly requestsPerMinute: number;
  readonly burstSize?: number;
}

/** Rate-limit settings, named like the Python Nexus settings they port (in camelCase). */
export interface RateLimitConfig {
  /** Steady refill rate per key (100). */
  readonly requestsPerMinute?: number;
  /** Extra calls a fresh key may make at once, on top of `requestsPerMinute` (20). */
  readonly burstSize?: number;
  /** Where buckets live (`memory`); `redis` shares one budget across instances. */
  readonly backend?: 'memory' | 'redis';
  readonly redisUrl?: string;
  /** Prefix of every Redis key (`nexus:rl:`). */
  readonly redisKeyPrefix?: string;
  /**
   * Limit-group glob (`chat*`, `gdpr_export_user_data`) → own budget, or `null` for unlimited.
   * An operation's group is its name unless it declares `limitGroup`; a native route joins one
   * only by declaring it. Applies to calls on every channel; the most specific pattern wins, and
   * every target it matches shares one budget per caller.
   */
  readonly operationLimits?: Readonly<Record<string, RouteLimit | null>>;
  /**
   * HTTP path glob (`/admin/*`, `/metrics`) → own budget, or `null` for unlimited, for native
   * routes and catalogue requests (never an operation call: those spend their limit group's
   * budget on every channel); the most specific pattern wins. Matches the path the request
   * arrived on. A key that matches no path the channels serve refuses `app.start()`.
   */
  readonly routeLimits?: Readonly<Record<string, RouteLimit | null>>;
  /** Publish limit, remaining and reset for channels to render (true). */
  readonly includeHeaders?: boolean;
  /** Allow calls while the store is unreachable (true); otherwise they get UNAVAILABLE. */
  readonly failOpen?: boolean;
  /** Longest wait in ms for one Redis command (250); past it the store counts as unreachable for that call. */
  readonly redisCommandTimeoutMs?: number;
}

/** A bucket's shape: it holds `capacity` tokens and refills `ratePerMs` tokens each millisecond. */
export interface BucketSpec {
  readonly capacity: number;
  readonly ratePerMs: number;
}

export interface ResolvedRoute {
  readonly glob: string;
  readonly spec: BucketSpec | null;
}

export interface ResolvedRateLimitConfig {
  readonly global: BucketSpec;
  readonly backend: 'memory' | 'redis';
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly routes: readonly ResolvedRoute[];
  readonly operations: readonly ResolvedRoute[];
  readonly includeHeaders: boolean;
  readonly failOpen: boolean;
  readonly redisCommandTimeoutMs: number;
}

/** Bounds every call's wait on Redis by default: a slow or dead store must not hold requests. */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

const KNOWN = new Set(['requestsPerMinute', 'burstSize', 'backend', 'redisUrl', 'redisKeyPrefix', 'operationLimits', 'routeLimits', 'includeHeaders', 'failOpen', 'redisCommandTimeoutMs']);

const fail = (message: string): never => {
  throw new NexusSetupError('NEXUS_ERR_RATE_LIMIT_CONFIG', message);
};

function bucket(where: string, rpm: unknown, burst: unknown): BucketSpec {
  if (typeof rpm !== 'number' || !Number.isFinite(rpm) || rpm <= 0) fail(`${where}requestsPerMinute must be a number > 0 (got ${String(rpm)})`);
  if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 0) fail(`${where}burstSize must be a number >= 0 (got ${String(burst)})`);
  const capacity = (rpm as number) + (burst as number);
  if (capacity < 1) fail(`${where}requestsPerMinute + burstSize must be at least 1`);
  return { capacity, ratePerMs: (rpm as number) / 60_000 };
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${name} must be a boolean`);
  return value as boolean;
}

function limits(name: string, value: unknown, checkKey: (glob: string) => void): ResolvedRoute[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) fail(`${name} must be an object of glob → limit`);
  return Object.entries(value as Record<string, RouteLimit | null>).map(([glob, limit]) => {
    checkKey(glob);
    if (limit === null) return { glob, spec: null };
    if (typeof limit !== 'object') fail(`${name}["${glob}"] must be {requestsPerMinute, burstSize?} or null`);
    return { glob, spec: bucket(`${name}["${glob}"].`, limit.requestsPerMinute, limit.burstSize ?? 0) };
  });
}

/** Checks every option once, at set-up, so a bad limit never surfaces at request time. */
export function resolveRateLimitConfig(config: RateLimitConfig): ResolvedRateLimitConfig {
  if (typeof config !== 'object' || config === null) fail('the rate-limit config must be an object');
  for (const key of Object.keys(config)) {
    if (!KNOWN.has(key)) fail(`unknown option "${key}" (options: ${[...KNOWN].join(', ')})`);
  }
  const backend = config.backend ?? 'memory';
  if (backend !== 'memory' && backend !== 'redis') fail(`backend must be "memory" or "redis" (got ${String(backend)})`);
  const redisUrl = config.redisUrl;
  if (redisUrl !== undefined && (typeof redisUrl !== 'string' || !/^rediss?:\/\/./.test(redisUrl))) fail('redisUrl must be a redis:// or rediss:// URL');
  if (backend === 'redis' && redisUrl === undefined) fail('backend "redis" needs redisUrl');
  const commandTimeout = config.redisCommandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  if (typeof commandTimeout !== 'number' || !Number.isInteger(commandTimeout) || commandTimeout < 1) fail('redisCommandTimeoutMs must be an integer >= 1');
  const prefix = config.redisKeyPrefix ?? 'nexus:rl:';
  if (typeof prefix !== 'string') fail('redisKeyPrefix must be a string');

  const routes = limits('routeLimits', config.routeLimits, (glob) => {
    if (!glob.startsWith('/')) fail(`routeLimits key "${glob}" must be a path glob starting with "/" (operation names go in operationLimits)`);
  });
  const operations = limits('operationLimits', config.operationLimits, (glob) => {
    if (glob.length === 0) fail('operationLimits key "" must name an operation or a glob of names');
    if (glob.startsWith('/')) fail(`operationLimits key "${glob}" is a path; operationLimits are keyed by operation name (e.g. "chat*"), routeLimits by HTTP path`);
  });
  return {
    global: bucket('', config.requestsPerMinute ?? 100, config.burstSize ?? 20),
    backend,
    redisUrl,
    redisKeyPrefix: prefix,
    routes,
    operations,
    includeHeaders: boolean('includeHeaders', config.includeHeaders, true),
    failOpen: boolean('failOpen', config.failOpen, true),
    redisCommandTimeoutMs: commandTimeout,
  };
}
