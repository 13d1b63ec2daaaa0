import { NexusSetupError } from './setup-error.js';

/**
 * Timeouts and the connection cap of a channel's HTTP listener, in Node's own names and units
 * (milliseconds). Every HTTP channel takes these options; core only checks and defaults them.
 */
export interface ServerLimitOptions {
  /** Time to receive a request's headers (20 s): a slowloris client is cut after it. */
  readonly headersTimeout?: number;
  /** Time to receive a whole request, body included (60 s): a slow-body client is cut after it; 0 turns it off. */
  readonly requestTimeout?: number;
  /** Idle time a keep-alive connection stays open (65 s): longer than common load-balancer idle timeouts (60 s). */
  readonly keepAliveTimeout?: number;
  /** Open connections at most (10 000); connections beyond it are closed at once. */
  readonly maxConnections?: number;
}

export interface ServerLimits {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxConnections: number;
  /** How often the listener looks for connections past their timeouts (Node's connectionsCheckingInterval). */
  readonly checkInterval: number;
}

export const DEFAULT_SERVER_LIMITS = {
  headersTimeout: 20_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 65_000,
  maxConnections: 10_000,
} as const satisfies Required<ServerLimitOptions>;

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `${name} must be an integer ${allowZero ? '>= 0' : '> 0'} (milliseconds or a count), got ${String(value)}`);
  }
  return value;
}

/**
 * Checks and defaults a channel's listener limits. Throws NexusSetupError
 * (NEXUS_ERR_INVALID_CONFIG) for a bad value or a headers timeout longer than the request timeout.
 */
export function resolveServerLimits(options: ServerLimitOptions): ServerLimits {
  const headersTimeout = positive('headersTimeout', options.headersTimeout, DEFAULT_SERVER_LIMITS.headersTimeout);
  const requestTimeout = positive('requestTimeout', options.requestTimeout, DEFAULT_SERVER_LIMITS.requestTimeout, true);
  const keepAliveTimeout = positive('keepAliveTimeout', options.keepAliveTimeout, DEFAULT_SERVER_LIMITS.keepAliveTimeout);
  const maxConnections = positive('maxConnections', options.maxConnections, DEFAULT_SERVER_LIMITS.maxConnections);
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `headersTimeout (${headersTimeout}) must not exceed requestTimeout (${requestTimeout})`);
  }
  // Node checks timeouts only every connectionsCheckingInterval (30 s by default), so a 20 s
  // headers timeout would cut a slow client only after up to 50 s; a fraction of the shortest
  // timeout keeps the cut close to the configured value at negligible cost.
  const shortest = requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout;
  const checkInterval = Math.max(25, Math.min(1_000, Math.floor(shortest / 4)));
  return { headersTimeout, requestTimeout, keepAliveTimeout, maxConnections, checkInterval };
}
